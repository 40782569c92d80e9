// parleyd: configuration, signals, and the application's lifetime.

#include <pthread.h>
#include <signal.h>

#include <cstring>
#include <iostream>
#include <memory>
#include <thread>

#include "runtime/common/build_info.hpp"
#include "runtime/common/log.hpp"
#include "runtime/server/application.hpp"
#include "runtime/server/error_reporter.hpp"
#include "runtime/server/health_probe.hpp"
#include "runtime/server/register_commands.hpp"

namespace {

constexpr int exit_usage = 2;
constexpr int exit_start_failed = 1;

// Signals are taken by one thread with sigwait, so no handler runs on an
// arbitrary thread in the middle of an actor.
sigset_t stop_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  return set;
}

// With SENTRY_DSN, error log lines are also reported to Sentry; null when
// unset. A DSN that does not parse stops the start (exit 2).
std::unique_ptr<parley::runtime::error_reporter> error_reporting(const parley::runtime::config& c,
                                                                 bool& bad) {
  using namespace parley;
  bad = false;
  if (c.sentry_dsn.empty()) return nullptr;
  std::string why;
  auto dsn = runtime::parse_dsn(c.sentry_dsn, why);
  if (!dsn) {
    std::cerr << "parleyd: SENTRY_DSN is invalid: " << why << "\n";
    bad = true;
    return nullptr;
  }
  log::add_secret(dsn->public_key);
  auto r = std::make_unique<runtime::error_reporter>(
      *dsn, std::string("parley@") + build_info::version, runtime::to_string(c.env));
  log::set_error_hook([raw = r.get()](const std::string& line) { raw->report_log_line(line); });
  return r;
}

// --health [PATH]: exit 0 when this configuration's ops endpoint answers 200.
int health(int argc, char** argv) {
  using namespace parley;
  auto loaded = runtime::load_config(runtime::process_environment());
  if (!loaded.errors.empty()) {
    for (const auto& e : loaded.errors) std::cerr << "parleyd: " << e << "\n";
    return exit_usage;
  }
  const std::string path = argc > 2 ? argv[2] : "/livez";
  std::string why;
  if (runtime::probe_health(loaded.value.ops_addr, path, 2000, why)) return 0;
  std::cerr << "parleyd: unhealthy: " << why << "\n";
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace parley;
  if (argc >= 2 && std::strcmp(argv[1], "--health") == 0) return health(argc, argv);
  if (argc == 2 && std::strcmp(argv[1], "register-commands") == 0) {
    auto loaded = runtime::load_config(runtime::process_environment());
    for (const auto& e : loaded.errors) std::cerr << "parleyd: " << e << "\n";
    if (!loaded.errors.empty()) return exit_usage;
    return runtime::register_commands(loaded.value, std::cout, std::cerr);
  }
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--help") == 0 || std::strcmp(argv[i], "-h") == 0) {
      std::cout << runtime::config_help();
      return 0;
    }
    if (std::strcmp(argv[i], "--version") == 0) {
      std::cout << "parleyd " << build_info::version << " (" << build_info::revision << ", built "
                << build_info::build_time << ")\n";
      return 0;
    }
    std::cerr << "parleyd: unknown argument '" << argv[i] << "' (see --help)\n";
    return exit_usage;
  }
  auto loaded = runtime::load_config(runtime::process_environment());
  if (!loaded.errors.empty()) {
    for (const auto& e : loaded.errors) std::cerr << "parleyd: " << e << "\n";
    return exit_usage;
  }
  const sigset_t signals = stop_signals();
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);  // before any thread starts
  bool bad_dsn = false;
  auto reporter = error_reporting(loaded.value, bad_dsn);
  // Unhooked before the reporter goes, on every way out of main.
  struct unhook {
    ~unhook() { parley::log::set_error_hook(nullptr); }
  } unhook_at_exit;
  if (bad_dsn) return exit_usage;

  runtime::application app(loaded.value);
  try {
    app.start();
  } catch (const std::exception& e) {
    log::error("runtime", std::string("cannot start: ") + e.what());
    return exit_start_failed;
  }
  log::info("runtime", "parleyd started",
            {{"version", build_info::version}, {"env", runtime::to_string(loaded.value.env)}});
  std::thread([&app, signals] {
    int sig = 0;
    sigwait(&signals, &sig);
    app.stop(0, sig == SIGTERM ? "SIGTERM" : "SIGINT");
  }).detach();
  const int code = app.wait();
  app.shutdown();
  return code;
}
