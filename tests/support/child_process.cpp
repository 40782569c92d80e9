#include "tests/support/child_process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <stdexcept>

extern char** environ;

namespace parley::test {

child_process::child_process(const std::vector<std::string>& argv,
                             const std::map<std::string, std::string>& env) {
  int in[2], out[2];
  if (pipe2(in, O_CLOEXEC) != 0 || pipe2(out, O_CLOEXEC) != 0)
    throw std::runtime_error("child_process: pipe failed");
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in[0], 0);
  posix_spawn_file_actions_adddup2(&actions, out[1], 1);
  std::vector<std::string> vars;
  for (char** e = environ; *e != nullptr; ++e) vars.emplace_back(*e);
  for (const auto& [k, v] : env) vars.push_back(k + "=" + v);
  std::vector<char*> cargv, cenv;
  for (const auto& a : argv) cargv.push_back(const_cast<char*>(a.c_str()));
  for (const auto& v : vars) cenv.push_back(const_cast<char*>(v.c_str()));
  cargv.push_back(nullptr);
  cenv.push_back(nullptr);
  const int rc = posix_spawnp(&pid_, cargv[0], &actions, nullptr, cargv.data(), cenv.data());
  posix_spawn_file_actions_destroy(&actions);
  ::close(in[0]);
  ::close(out[1]);
  in_ = in[1];
  out_ = out[0];
  if (rc != 0) throw std::runtime_error("child_process: cannot start " + argv.front());
  reader_ = std::thread([this] { read_lines(); });
}

child_process::~child_process() {
  ::close(in_);  // the fake stops at the end of its input
  for (int i = 0; i < 50; ++i) {
    if (waitpid(pid_, nullptr, WNOHANG) == pid_) {
      pid_ = -1;
      break;
    }
    usleep(20000);
  }
  if (pid_ > 0) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
  reader_.join();
  ::close(out_);
}

void child_process::send(const nlohmann::json& command) {
  const auto line = command.dump() + "\n";
  if (::write(in_, line.data(), line.size()) != static_cast<ssize_t>(line.size()))
    throw std::runtime_error("child_process: write failed");
}

void child_process::read_lines() {
  std::string pending;
  char buf[4096];
  for (;;) {
    const auto n = ::read(out_, buf, sizeof buf);
    if (n <= 0) break;
    pending.append(buf, static_cast<std::size_t>(n));
    for (auto nl = pending.find('\n'); nl != std::string::npos; nl = pending.find('\n')) {
      auto j = nlohmann::json::parse(pending.substr(0, nl), nullptr, false);
      pending.erase(0, nl + 1);
      if (j.is_discarded()) continue;
      {
        std::lock_guard<std::mutex> g(mutex_);
        events_.push_back(std::move(j));
      }
      changed_.notify_all();
    }
  }
}

nlohmann::json child_process::wait_for(const std::function<bool(const nlohmann::json&)>& match,
                                       std::chrono::milliseconds limit, std::size_t from) const {
  std::unique_lock<std::mutex> lock(mutex_);
  nlohmann::json found;
  changed_.wait_for(lock, limit, [&] {
    for (auto i = from; i < events_.size(); ++i)
      if (match(events_[i])) {
        found = events_[i];
        return true;
      }
    return false;
  });
  return found;
}

nlohmann::json child_process::wait_event(const std::string& name, std::chrono::milliseconds limit,
                                         std::size_t from) const {
  return wait_for([&](const nlohmann::json& e) { return e.value("event", "") == name; }, limit,
                  from);
}

child_process::events child_process::snapshot() const {
  std::lock_guard<std::mutex> g(mutex_);
  return events_;
}

std::size_t child_process::count() const {
  std::lock_guard<std::mutex> g(mutex_);
  return events_.size();
}

}  // namespace parley::test
