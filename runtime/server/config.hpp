#pragma once
// Process configuration, read from PARLEY_* environment variables and
// validated once at start: every bad value yields one clear message.

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "actors/engines/engine_catalog.hpp"
#include "actors/session/guild_session.hpp"
#include "actors/transport/discord/discord_settings.hpp"
#include "actors/transport/websocket/voice_gateway.hpp"
#include "runtime/common/log.hpp"

namespace parley::runtime {

enum class environment { dev, staging, prod };

struct endpoint {
  std::string host;
  std::uint16_t port = 0;
  std::string to_string() const { return host + ":" + std::to_string(port); }
};

// Each default is the component's own (its settings struct), stated there once.
struct config {
  environment env = environment::dev;
  endpoint voice_addr{"0.0.0.0", 8080};
  endpoint ops_addr{"127.0.0.1", 9090};
  std::string ops_token;
  bool chaos = false;
  log_level level = log_level::info;
  std::size_t max_sessions = transport::gateway_settings{}.max_sessions;
  std::chrono::seconds drain_timeout{20};
  std::size_t scheduler_threads = 0;             // 0: one per core
  std::chrono::milliseconds memory_trim{10000};  // 0: never
  std::size_t restart_max = 5;                   // restart intensity: at most this many ...
  std::chrono::seconds restart_period{10};       // ... restarts within this period

  // The voice port.
  std::string voice_token;  // empty: no token needed
  std::vector<std::string> allowed_origins;
  std::vector<std::string> trusted_proxies;
  std::string tls_cert, tls_key;
  std::size_t max_message_bytes = transport::listener_config{}.max_message_bytes;
  std::size_t max_per_address = transport::gateway_settings{}.max_per_address;
  std::chrono::milliseconds silence_window = audio::vad_config{}.silence_window;
  session::end_of_turn_settings end_of_turn;  // the silence window's bounds
  std::chrono::milliseconds hello_timeout = transport::gateway_settings{}.hello_timeout;
  std::string sentry_dsn;  // SENTRY_DSN: error reports go there when set
  // 3 unanswered: the peer is gone
  std::chrono::milliseconds ping_interval = transport::listener_config{}.ping_interval;
  // Watchdog deadlines for a turn's jobs.
  std::chrono::milliseconds stt_deadline = session::session_settings{}.stt_deadline;
  std::chrono::milliseconds agent_deadline = session::session_settings{}.agent_deadline;
  std::chrono::milliseconds tts_deadline = session::session_settings{}.tts_deadline;

  // Engines.
  std::string stt = engines::engine_settings{}.stt;
  std::size_t stt_decoders = engines::engine_settings{}.stt_decoders;
  std::string stt_url = stt::openai_stt_config{}.base_url;  // PARLEY_STT=openai
  std::string stt_key;
  std::string stt_model = stt::openai_stt_config{}.model;
  std::string stt_language;
  std::chrono::milliseconds stt_timeout = stt::openai_stt_config{}.total_timeout;
  std::chrono::milliseconds stt_endpointing = stt::deepgram_stt_config{}.endpointing;  // deepgram
  std::string stt_ca_file;  // PEM trusted for the STT provider; empty: the system's store
  std::string stt_on_failure = "fallback";  // fallback | apologise
  std::string tts = engines::engine_settings{}.tts;
  // PARLEY_TTS=openai|elevenlabs. Unset url, model and voice take the chosen
  // provider's defaults (its tts config struct), filled in by load_config.
  std::string tts_url, tts_key, tts_model, tts_voice;
  std::chrono::milliseconds tts_timeout = tts::remote_tts_limits{}.total;
  std::string tts_on_failure = "fallback";  // fallback | apologise
  std::string agent = engines::engine_settings{}.agent;
  std::string agent_url = agent::openai_config{}.base_url;
  std::string agent_model = agent::openai_config{}.model;
  std::string agent_key;
  std::string agent_system_prompt;  // empty: the built-in one
  // The reflex lane: PARLEY_REFLEX as given, and the settings with it resolved.
  std::string reflex_mode = "auto";
  session::reflex_settings reflex;

  // Discord: on when a bot token is given.
  discord::discord_settings discord;
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
std::optional<endpoint> parse_endpoint(const std::string& s);

}  // namespace parley::runtime
