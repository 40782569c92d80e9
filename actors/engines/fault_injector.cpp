#include "actors/engines/fault_injector.hpp"

#include <stdexcept>
#include <thread>

namespace parley::engines {

std::optional<fault> parse_fault(const std::string& s) {
  if (s == "throw") return fault::raise;
  if (s == "hang") return fault::hang;
  if (s == "slow") return fault::slow;
  return std::nullopt;
}

void fault_injector::arm(const std::string& stage, armed_fault f, int count) {
  std::lock_guard<std::mutex> g(mutex_);
  armed_[stage] = {f, count};
}

armed_fault fault_injector::take(const std::string& stage) {
  std::lock_guard<std::mutex> g(mutex_);
  auto it = armed_.find(stage);
  if (it == armed_.end() || it->second.second <= 0) return {};
  --it->second.second;
  return it->second.first;
}

void fault_injector::apply(const armed_fault& f) {
  switch (f.kind) {
    case fault::none:
      return;
    case fault::raise:
      throw std::runtime_error("injected fault");
    case fault::hang:  // a stuck engine call
    case fault::slow:  // a slow one (e.g. a remote model thinking)
      std::this_thread::sleep_for(f.hang);
      return;
  }
}

}  // namespace parley::engines
