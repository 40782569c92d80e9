#pragma once
// Children a supervisor starts on request, one per key (a guild's session
// per guild). The set outlives any one incarnation of its supervisor: a
// restarted supervisor starts again every child its predecessor had, each
// from the same spec and so with whatever that spec keeps (a session's
// memory).
//
// last_incarnations: what each child of a supervisor last ran as, kept
// across the supervisor's restarts, so a new incarnation starts a child
// only once its predecessor's has ended (a killed supervisor's children
// die after it: two incarnations must not share a port or a memory).

#include <caf/actor_addr.hpp>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "runtime/common/supervisor.hpp"

namespace parley::runtime {

// Thread-safe: successive incarnations of a supervisor share it.
class on_demand_children {
 public:
  using factory = std::function<child_spec(const std::string& key)>;

  // Children are tagged `label`=key, so /actors shows the key.
  on_demand_children(std::string label, factory make);

  const std::string& label() const { return label_; }
  // The spec for `key`: made on first use, then the same one until forget.
  child_spec spec(const std::string& key);
  // The child of `key` ended for good: its spec, and what it keeps, go.
  void forget(const std::string& key);
  std::vector<std::string> keys() const;

 private:
  std::string label_;
  factory make_;
  mutable std::mutex mutex_;
  std::map<std::string, child_spec> specs_;
};

// Thread-safe: successive incarnations of a supervisor share it.
class last_incarnations {
 public:
  void set(const std::string& child, const caf::actor_addr& running);
  void erase(const std::string& child);
  caf::actor_addr get(const std::string& child) const;  // may have ended already

 private:
  mutable std::mutex mutex_;
  std::map<std::string, caf::actor_addr> last_;
};

}  // namespace parley::runtime
