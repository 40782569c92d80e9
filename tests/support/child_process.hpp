#pragma once
// A helper process for tests (a fake written in another language): started
// with extra environment, fed one line at a time on stdin, and its stdout
// read line by line as JSON events the test waits on.

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

namespace parley::test {

class child_process {
 public:
  using events = std::vector<nlohmann::json>;
  child_process(const std::vector<std::string>& argv,
                const std::map<std::string, std::string>& env);
  ~child_process();  // closes stdin, waits briefly, then kills
  child_process(const child_process&) = delete;
  child_process& operator=(const child_process&) = delete;

  void send(const nlohmann::json& command);
  // The first event (from `from` on) for which `match` holds, or null JSON
  // after `limit`.
  nlohmann::json wait_for(const std::function<bool(const nlohmann::json&)>& match,
                          std::chrono::milliseconds limit, std::size_t from = 0) const;
  nlohmann::json wait_event(const std::string& name, std::chrono::milliseconds limit,
                            std::size_t from = 0) const;
  events snapshot() const;
  std::size_t count() const;

 private:
  void read_lines();

  int pid_ = -1, in_ = -1, out_ = -1;
  std::thread reader_;
  mutable std::mutex mutex_;
  mutable std::condition_variable changed_;
  events events_;
};

}  // namespace parley::test
