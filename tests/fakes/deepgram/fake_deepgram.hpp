#pragma once
// fake_deepgram.mjs as a C++ test fixture: a throwaway certificate, the
// pinned npm packages, the process, and its events. Commands return once
// the fake has applied them.

#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "tests/support/child_process.hpp"

namespace parley::fakes {

class fake_deepgram {
 public:
  explicit fake_deepgram(std::string api_key) : key_(std::move(api_key)) {
    char tmpl[] = "/tmp/parley-deepgram-XXXXXX";
    if (mkdtemp(tmpl) == nullptr) throw std::runtime_error("fake deepgram: no temporary dir");
    dir_ = tmpl;
    run(dir() + "/make_cert.sh " + dir_.string());
    run(dir() + "/npm_install.sh");
    proc_ = std::make_unique<test::child_process>(
        std::vector<std::string>{"node", dir() + "/fake_deepgram.mjs"},
        std::map<std::string, std::string>{{"FAKE_DEEPGRAM_KEY", (dir_ / "key.pem").string()},
                                           {"FAKE_DEEPGRAM_CERT", ca_file()},
                                           {"FAKE_DEEPGRAM_API_KEY", key_}});
    const auto listening = proc_->wait_event("listening", std::chrono::seconds(30));
    if (listening.is_null()) throw std::runtime_error("fake deepgram: did not start");
    port_ = listening["port"].get<int>();
  }
  ~fake_deepgram() {
    proc_.reset();
    std::filesystem::remove_all(dir_);
  }
  fake_deepgram(const fake_deepgram&) = delete;
  fake_deepgram& operator=(const fake_deepgram&) = delete;

  std::string base_url() const { return "wss://127.0.0.1:" + std::to_string(port_) + "/v1"; }
  std::string ca_file() const { return (dir_ / "cert.pem").string(); }
  const std::string& api_key() const { return key_; }

  void set_transcript(const std::string& text) { command({{"cmd", "transcript"}, {"text", text}}); }
  // normal | refuse (401) | die (1011 after `after` audio messages) | stall (no final result)
  void set_mode(const std::string& mode, int after = 0) {
    command({{"cmd", "mode"}, {"mode", mode}, {"after", after}});
  }

  // The first `name` event from event number `from` on; null JSON after `limit`.
  nlohmann::json wait_event(const std::string& name, std::chrono::milliseconds limit,
                            std::size_t from = 0) const {
    return proc_->wait_event(name, limit, from);
  }
  std::size_t event_count() const { return proc_->count(); }

 private:
  static std::string dir() {
    const char* src = std::getenv("PARLEY_SOURCE_DIR");
    return std::string(src != nullptr ? src : ".") + "/tests/fakes/deepgram";
  }
  static void run(const std::string& cmd) {
    if (std::system(cmd.c_str()) != 0)
      throw std::runtime_error("fake deepgram: " + cmd + " failed");
  }
  void command(const nlohmann::json& c) {
    const auto from = proc_->count();
    proc_->send(c);
    if (proc_->wait_event("ok", std::chrono::seconds(10), from).is_null())
      throw std::runtime_error("fake deepgram: no answer to " + c.dump());
  }

  std::string key_;
  std::filesystem::path dir_;
  std::unique_ptr<test::child_process> proc_;
  int port_ = 0;
};

}  // namespace parley::fakes
