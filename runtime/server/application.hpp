#pragma once
// The parleyd process in one object: configuration, the actor system and
// its supervision tree, the registry, metrics, readiness and the ops
// endpoint. main() and the integration tests both drive it.

#include <caf/fwd.hpp>
#include <cstdint>
#include <memory>
#include <string>

#include "runtime/common/metrics.hpp"
#include "runtime/common/readiness.hpp"
#include "runtime/common/registry.hpp"
#include "runtime/server/config.hpp"

namespace parley::runtime {

class application {
 public:
  explicit application(config cfg);
  ~application();
  application(const application&) = delete;
  application& operator=(const application&) = delete;

  // Starts the tree and the ops endpoint; throws std::runtime_error when a
  // listener cannot bind.
  void start();
  // Blocks until stop() is called (by a signal or an escalation); returns the
  // exit code the process should end with.
  int wait();
  // Asks the process to end with `code`; the first call wins.
  void stop(int code, const std::string& why);
  // Drains, stops the tree and the listeners. Idempotent.
  void shutdown();

  std::uint16_t ops_port() const;
  std::uint16_t voice_port() const;  // known once /readyz is 200
  const config& settings() const;
  actor_registry& registry();
  readiness& ready();
  metrics& stats();
  // For transports living in the process (the test transport): the actor
  // system, and the root of the tree, through which any part is found.
  caf::actor_system& system();
  caf::actor root() const;

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace parley::runtime
