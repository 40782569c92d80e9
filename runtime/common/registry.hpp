#pragma once
// The actor registry: what is alive, of which kind, under which parent, in
// which state. Supervisors write it; the ops endpoint reads snapshots. It
// holds no CAF types so readers need not include CAF.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace parley::runtime {

using actor_id = std::uint64_t;  // the registry's id, stable across restarts of a slot
using labels = std::map<std::string, std::string>;

enum class actor_state { starting, running, restarting, stopping };
std::string to_string(actor_state s);

struct actor_info {
  actor_id id = 0;
  actor_id parent = 0;  // 0: a root
  std::string kind;
  labels tags;
  actor_state state = actor_state::starting;
  std::chrono::steady_clock::time_point started;  // of the current incarnation
  std::uint32_t restarts = 0;
  std::string last_exit;  // empty until the slot has exited once
  // Set while the slot has no running incarnation (starting, or between
  // incarnations): since when. Readiness reads it.
  std::optional<std::chrono::steady_clock::time_point> unavailable_since;
  // How long the last incarnation took from its start to running.
  std::chrono::steady_clock::duration startup{};
};

enum class kill_result { killed, no_such_actor, between_incarnations };

class actor_registry {
 public:
  using kill_fn = std::function<void()>;

  actor_id add(std::string kind, actor_id parent, labels tags);
  void remove(actor_id id);
  // A new incarnation of the slot: state starting, start time reset, and the
  // way to kill it.
  void bind(actor_id id, kill_fn kill);
  void set_state(actor_id id, actor_state state);
  void record_exit(actor_id id, const std::string& reason, bool restarting);
  // A label the actor itself keeps current (e.g. a voice call's DAVE epoch
  // and privacy code), shown with the others on the ops endpoint.
  void set_label(actor_id id, const std::string& key, const std::string& value);

  std::vector<actor_info> snapshot() const;
  std::optional<actor_info> find(actor_id id) const;
  std::size_t count() const;
  // Sends the kill outside the lock. A slot waiting to be restarted has
  // nothing to kill.
  kill_result kill(actor_id id) const;

  // Blocks until `pred(snapshot)` holds or the timeout passes; wakes on every
  // change, so tests wait on events instead of sleeping.
  bool wait_until(const std::function<bool(const std::vector<actor_info>&)>& pred,
                  std::chrono::milliseconds timeout) const;

  // Counts the changes so far. A reader that saw version v waits for the
  // next one with wait_for_change(v, ...): the ops console's stream sends
  // what changed instead of polling the whole tree.
  std::uint64_t version() const;
  // The version once it differs from `seen`, or `seen` after the timeout.
  std::uint64_t wait_for_change(std::uint64_t seen, std::chrono::milliseconds timeout) const;

 private:
  struct entry {
    actor_info info;
    kill_fn kill;
  };
  void changed();
  static std::string slot_key(const actor_info& info);

  mutable std::mutex mutex_;
  mutable std::condition_variable cv_;
  std::map<actor_id, entry> entries_;
  actor_id next_id_ = 1;
  std::uint64_t version_ = 0;
  // A restarted supervisor adds its children anew; a named child (an engine
  // host, a supervisor) keeps the start-up time its predecessor took, so a
  // reload that takes as long as the first load is not taken for stuck.
  std::map<std::string, std::chrono::steady_clock::duration> known_startup_;
};

}  // namespace parley::runtime
