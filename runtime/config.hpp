#pragma once
// Process configuration, read from PARLEY_* environment variables and
// validated once at start: every bad value yields one clear message.

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace parley::runtime {

enum class environment { dev, staging, prod };
enum class log_level { debug, info, warn, error };

struct endpoint {
  std::string host;
  std::uint16_t port = 0;
  std::string to_string() const { return host + ":" + std::to_string(port); }
};

struct config {
  environment env = environment::dev;
  endpoint voice_addr{"0.0.0.0", 8080};
  endpoint ops_addr{"127.0.0.1", 9090};
  std::string ops_token;
  bool chaos = false;
  log_level level = log_level::info;
  std::size_t max_sessions = 200;
  std::chrono::seconds drain_timeout{20};
  std::size_t scheduler_threads = 0;        // 0: one per core
  std::size_t restart_max = 5;              // restart intensity: at most this many ...
  std::chrono::seconds restart_period{10};  // ... restarts within this period

  // The voice port.
  std::string voice_token;  // empty: no token needed
  std::vector<std::string> allowed_origins;
  std::vector<std::string> trusted_proxies;
  std::string tls_cert, tls_key;
  std::size_t max_message_bytes = 64 * 1024;
  std::size_t max_per_address = 100;
  std::chrono::milliseconds silence_window{300};
  std::chrono::milliseconds hello_timeout{10000};
  std::string sentry_dsn;                          // SENTRY_DSN: error reports go there when set
  std::chrono::milliseconds ping_interval{10000};  // 3 unanswered: the peer is gone
  // Watchdog deadlines for a turn's jobs.
  std::chrono::milliseconds stt_deadline{10000};
  std::chrono::milliseconds agent_deadline{30000};
  std::chrono::milliseconds tts_deadline{15000};

  // Engines.
  std::string stt = "pocketsphinx";
  std::size_t stt_decoders = 2;
  std::string tts = "flite";
  std::string agent = "commands";
  std::string agent_url = "https://api.openai.com/v1";
  std::string agent_model = "gpt-4o-mini";
  std::string agent_key;
  std::string agent_system_prompt;  // empty: the built-in one
};

// Looks a variable up; returns nullopt when unset. Tests pass a map.
using env_lookup = std::function<std::optional<std::string>(const std::string&)>;

struct config_result {
  config value;
  std::vector<std::string> errors;  // one line per bad value; empty when valid
};

config_result load_config(const env_lookup& lookup);
env_lookup process_environment();

// Every variable with its default and meaning, for `parleyd --help`.
std::string config_help();

std::string to_string(environment e);
std::string to_string(log_level l);
std::optional<log_level> parse_log_level(const std::string& s);
std::optional<endpoint> parse_endpoint(const std::string& s);

}  // namespace parley::runtime
