#include "runtime/server/config.hpp"

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <sstream>
#include <tuple>

#include "runtime/common/cores.hpp"

namespace parley::runtime {
namespace {

struct variable {
  const char* name;
  const char* fallback;
  const char* help;
};

// The single list behind parsing and --help, so the two cannot drift apart.
const variable variables[] = {
    {"PARLEY_ENV", "dev", "dev|staging|prod: presets for log level, limits and chaos"},
    {"PARLEY_VOICE_ADDR", "0.0.0.0:8080", "HOST:PORT of the voice WebSocket and web page"},
    {"PARLEY_OPS_ADDR", "127.0.0.1:9090", "HOST:PORT of the ops HTTP endpoint (port 0: any)"},
    {"PARLEY_OPS_TOKEN", "", "bearer token for mutating ops routes (secret)"},
    {"SENTRY_DSN", "",
     "Sentry DSN (https://KEY@HOST/PROJECT): error log lines become events (secret)"},
    {"PARLEY_CHAOS", "0", "1 enables chaos routes such as POST /actors/{id}/kill; refused in prod"},
    {"PARLEY_LOG_LEVEL", "(preset)", "debug|info|warn|error; dev: debug, staging/prod: info"},
    {"PARLEY_MAX_SESSIONS", "(preset)", "voice sessions held at once; dev 200, staging/prod 1000"},
    {"PARLEY_DRAIN_SECONDS", "20", "on SIGTERM, how long replies in progress may finish"},
    {"PARLEY_SCHEDULER_THREADS", "0",
     "actor scheduler threads; 0: one per usable core (CPU affinity and cgroup quota), at least 4"},
    {"PARLEY_MEMORY_TRIM_SECONDS", "10",
     "give freed heap memory back to the system this often (malloc_trim); 0: never"},
    {"PARLEY_RESTART_MAX", "5", "restart intensity: restarts a supervisor allows per period"},
    {"PARLEY_RESTART_PERIOD_SECONDS", "10", "restart intensity: the period in seconds"},
    {"PARLEY_VOICE_TOKEN", "", "token voice clients must present (token= or Bearer) (secret)"},
    {"PARLEY_ALLOWED_ORIGINS", "", "comma-separated browser origins allowed; empty: any"},
    {"PARLEY_TRUSTED_PROXIES", "",
     "comma-separated proxy addresses whose X-Forwarded-For names the client (per-address limit)"},
    {"PARLEY_TLS_CERT", "", "PEM certificate chain: serve wss:// and https://"},
    {"PARLEY_TLS_KEY", "", "PEM private key for PARLEY_TLS_CERT"},
    {"PARLEY_MAX_MESSAGE_BYTES", "65536", "largest WebSocket message accepted"},
    {"PARLEY_MAX_PER_ADDRESS", "100", "voice connections one client address may hold"},
    {"PARLEY_SILENCE_MS", "300", "end of turn: this much silence after speech"},
    {"PARLEY_SILENCE_MIN_MS", "150",
     "end of turn: the silence after a request the agent understands whole (at most "
     "PARLEY_SILENCE_MS)"},
    {"PARLEY_SILENCE_MAX_MS", "900",
     "end of turn: the silence after words that leave a sentence unfinished (and, um, the; at "
     "least PARLEY_SILENCE_MS)"},
    {"PARLEY_HELLO_TIMEOUT_MS", "10000", "a voice connection must say hello within this"},
    {"PARLEY_PING_MS", "10000", "voice heartbeat; closed after 3 intervals with no message/pong"},
    {"PARLEY_STT_DEADLINE_MS", "10000", "watchdog: end of speech to transcript"},
    {"PARLEY_AGENT_DEADLINE_MS", "30000", "watchdog: transcript to the whole reply"},
    {"PARLEY_TTS_DEADLINE_MS", "15000", "watchdog: between two sentences' audio"},
    {"PARLEY_STT", "pocketsphinx",
     "speech recognition: pocketsphinx|null|openai (an OpenAI-compatible server)|deepgram "
     "(Deepgram live streaming); the remote ones with pocketsphinx as fallback"},
    {"PARLEY_STT_DECODERS", "0",
     "pocketsphinx decoders shared by all sessions (~93 MB each); 0: one per usable core "
     "(CPU affinity and cgroup quota), at most 8"},
    {"PARLEY_STT_URL", "https://api.openai.com/v1",
     "PARLEY_STT=openai: OpenAI-compatible base URL ending in /v1; deepgram: a wss:// URL "
     "ending in /v1, by default wss://api.deepgram.com/v1"},
    {"PARLEY_STT_KEY", "", "API key for PARLEY_STT=openai or deepgram; empty: none sent (secret)"},
    {"PARLEY_STT_MODEL", "whisper-1",
     "transcription model for PARLEY_STT=openai; deepgram: by default nova-3"},
    {"PARLEY_STT_LANGUAGE", "", "ISO-639-1 language hint for PARLEY_STT=openai; empty: detected"},
    {"PARLEY_STT_TIMEOUT_MS", "3000",
     "PARLEY_STT=openai: a whole call, then pocketsphinx answers; below PARLEY_STT_DEADLINE_MS"
     " (deepgram: end of speech to the final text)"},
    {"PARLEY_STT_ENDPOINTING_MS", "300",
     "PARLEY_STT=deepgram: silence after which Deepgram says the speech ended (speech_final); "
     "that ends the turn at once"},
    {"PARLEY_STT_CA_FILE", "",
     "PEM file trusted for the STT provider's certificate; empty: system"},
    {"PARLEY_STT_ON_FAILURE", "fallback",
     "remote speech recognition failing or its breaker open: fallback (pocketsphinx answers) or "
     "apologise (the turn fails; the user is told)"},
    {"PARLEY_TTS", "flite",
     "speech synthesis: flite|espeak|null|openai|elevenlabs (a remote voice, flite as fallback)"},
    {"PARLEY_TTS_URL", "(provider's)",
     "PARLEY_TTS=openai: base URL ending in /v1 (https://api.openai.com/v1); elevenlabs: "
     "https://api.elevenlabs.io"},
    {"PARLEY_TTS_KEY", "",
     "API key for PARLEY_TTS=openai (Bearer; empty: none sent) or elevenlabs (secret)"},
    {"PARLEY_TTS_MODEL", "(provider's)",
     "speech model: openai gpt-4o-mini-tts, elevenlabs eleven_flash_v2_5"},
    {"PARLEY_TTS_VOICE", "(provider's)",
     "voice: openai alloy, elevenlabs a voice id (21m00Tcm4TlvDq8ikWAM)"},
    {"PARLEY_TTS_TIMEOUT_MS", "10000",
     "remote tts: one sentence at most, then flite speaks it; below PARLEY_TTS_DEADLINE_MS"},
    {"PARLEY_TTS_ON_FAILURE", "fallback",
     "remote speech failing or its breaker open: fallback (flite speaks) or apologise (the reply "
     "fails; the user is told)"},
    {"PARLEY_AGENT", "commands", "the agent: commands (built-in)|openai|echo"},
    {"PARLEY_AGENT_URL", "https://api.openai.com/v1", "OpenAI-compatible base URL ending in /v1"},
    {"PARLEY_AGENT_MODEL", "gpt-4o-mini", "chat model for PARLEY_AGENT=openai"},
    {"PARLEY_AGENT_KEY", "", "API key for PARLEY_AGENT=openai (secret)"},
    {"PARLEY_AGENT_SYSTEM_PROMPT", "", "system prompt for PARLEY_AGENT=openai; empty: built-in"},
    {"PARLEY_REFLEX", "auto",
     "a short acknowledgement while the agent is slow: on|off|auto (on for PARLEY_AGENT=openai)"},
    {"PARLEY_REFLEX_DELAY_MS", "300",
     "reflex: played when no reply audio started this long after the end of a turn"},
    {"PARLEY_REFLEX_MAX_MS", "1500", "reflex: acknowledgements longer than this are not used"},
    {"PARLEY_REFLEX_GAP_MS", "200", "reflex: silence between it and the reply"},
    {"DISCORD_TOKEN", "", "Discord bot token: Parley joins Discord when set (secret)"},
    {"DISCORD_TOKEN_FILE", "", "a file holding the Discord bot token (e.g. a mounted secret)"},
    {"DISCORD_CLIENT_ID", "", "the application id, for register-commands and the invite URL"},
    {"DISCORD_GUILD_ID", "", "register-commands: register in this guild only (instant)"},
    {"PARLEY_DISCORD_SHARD", "0/1", "i/n: this instance serves shard i of n"},
    {"PARLEY_DISCORD_EMPTY_LEAVE_SECONDS", "60", "leave a voice channel empty this long"},
    {"PARLEY_DISCORD_GATEWAY_URL", "wss://gateway.discord.gg", "Discord's gateway (tests: a fake)"},
    {"PARLEY_DISCORD_API_URL", "https://discord.com/api/v10", "Discord's REST API (tests: a fake)"},
    {"PARLEY_DISCORD_CA_FILE", "", "PEM file trusted for Discord's certificates; empty: system"},
};

std::vector<std::string> split_list(const std::string& s) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= s.size()) {
    auto end = s.find(',', start);
    if (end == std::string::npos) end = s.size();
    auto item = s.substr(start, end - start);
    item.erase(0, item.find_first_not_of(' '));
    item.erase(item.find_last_not_of(' ') + 1);
    if (!item.empty()) out.push_back(item);
    start = end + 1;
  }
  return out;
}

class reader {
 public:
  explicit reader(const env_lookup& lookup) : lookup_(lookup) {}

  std::optional<std::string> get(const std::string& name) const {
    auto v = lookup_(name);
    if (v && v->empty()) return std::nullopt;
    return v;
  }

  void fail(const std::string& name, const std::string& value, const std::string& expected) {
    errors_.push_back(name + "=\"" + value + "\" is invalid: expected " + expected);
  }

  template <class T>
  void number(const std::string& name, T& out, long long lo, long long hi) {
    auto v = get(name);
    if (!v) return;
    char* end = nullptr;
    errno = 0;
    long long n = std::strtoll(v->c_str(), &end, 10);
    if (errno != 0 || end == v->c_str() || *end != '\0' || n < lo || n > hi) {
      fail(name, *v, "an integer from " + std::to_string(lo) + " to " + std::to_string(hi));
      return;
    }
    out = static_cast<T>(n);
  }

  void choice(const std::string& name, std::string& out, const std::vector<std::string>& allowed) {
    auto v = get(name);
    if (!v) return;
    for (const auto& a : allowed)
      if (*v == a) {
        out = *v;
        return;
      }
    std::string list;
    for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
    fail(name, *v, "one of " + list);
  }

  void address(const std::string& name, endpoint& out) {
    auto v = get(name);
    if (!v) return;
    if (auto ep = parse_endpoint(*v)) {
      out = *ep;
    } else {
      fail(name, *v, "HOST:PORT with a port from 0 to 65535");
    }
  }

  std::vector<std::string> take_errors() { return std::move(errors_); }

 private:
  const env_lookup& lookup_;
  std::vector<std::string> errors_;
};

void apply_preset(config& c) {
  c.level = c.env == environment::dev ? log_level::debug : log_level::info;
  c.max_sessions = c.env == environment::dev ? 200 : 1000;
}

void load_voice(reader& r, config& c) {
  c.voice_token = r.get("PARLEY_VOICE_TOKEN").value_or("");
  c.sentry_dsn = r.get("SENTRY_DSN").value_or("");
  c.allowed_origins = split_list(r.get("PARLEY_ALLOWED_ORIGINS").value_or(""));
  c.trusted_proxies = split_list(r.get("PARLEY_TRUSTED_PROXIES").value_or(""));
  c.tls_cert = r.get("PARLEY_TLS_CERT").value_or("");
  c.tls_key = r.get("PARLEY_TLS_KEY").value_or("");
  if (c.tls_cert.empty() != c.tls_key.empty())
    r.fail("PARLEY_TLS_CERT", c.tls_cert, "PARLEY_TLS_CERT and PARLEY_TLS_KEY set together");
  r.number("PARLEY_MAX_MESSAGE_BYTES", c.max_message_bytes, 1024, 16 * 1024 * 1024);
  r.number("PARLEY_MAX_PER_ADDRESS", c.max_per_address, 1, 100000);
  long long silence = c.silence_window.count();
  r.number("PARLEY_SILENCE_MS", silence, 60, 5000);
  c.silence_window = std::chrono::milliseconds(silence);
  long long shortest = c.end_of_turn.complete.count();
  long long longest = c.end_of_turn.unfinished.count();
  // Each bound applies only on its side of PARLEY_SILENCE_MS: equal to it, no adapting.
  r.number("PARLEY_SILENCE_MIN_MS", shortest, 60, 5000);
  r.number("PARLEY_SILENCE_MAX_MS", longest, 60, 5000);
  c.end_of_turn = {std::chrono::milliseconds(shortest), std::chrono::milliseconds(longest)};
  for (auto [name, out] : {std::pair{"PARLEY_HELLO_TIMEOUT_MS", &c.hello_timeout},
                           std::pair{"PARLEY_PING_MS", &c.ping_interval},
                           std::pair{"PARLEY_STT_DEADLINE_MS", &c.stt_deadline},
                           std::pair{"PARLEY_AGENT_DEADLINE_MS", &c.agent_deadline},
                           std::pair{"PARLEY_TTS_DEADLINE_MS", &c.tts_deadline}}) {
    long long ms = out->count();
    r.number(name, ms, 100, 600000);
    *out = std::chrono::milliseconds(ms);
  }
}

// The remote voices' settings default by provider.
void load_tts(reader& r, config& c) {
  r.choice("PARLEY_TTS", c.tts, {"flite", "espeak", "null", "openai", "elevenlabs"});
  const bool eleven = c.tts == "elevenlabs";
  const tts::openai_tts_config openai;
  const tts::elevenlabs_tts_config elevenlabs;
  c.tts_url = r.get("PARLEY_TTS_URL").value_or(eleven ? elevenlabs.base_url : openai.base_url);
  if (c.tts_url.rfind("http://", 0) != 0 && c.tts_url.rfind("https://", 0) != 0)
    r.fail("PARLEY_TTS_URL", c.tts_url, "an http:// or https:// URL");
  c.tts_key = r.get("PARLEY_TTS_KEY").value_or("");
  c.tts_model = r.get("PARLEY_TTS_MODEL").value_or(eleven ? elevenlabs.model : openai.model);
  c.tts_voice = r.get("PARLEY_TTS_VOICE").value_or(eleven ? elevenlabs.voice : openai.voice);
  long long ms = c.tts_timeout.count();
  r.number("PARLEY_TTS_TIMEOUT_MS", ms, 100, 600000);
  c.tts_timeout = std::chrono::milliseconds(ms);
  // flite speaks after the remote call gives up: both must fit the watchdog.
  if ((c.tts == "openai" || eleven) && c.tts_timeout >= c.tts_deadline)
    r.fail("PARLEY_TTS_TIMEOUT_MS", std::to_string(ms),
           "less than PARLEY_TTS_DEADLINE_MS (" + std::to_string(c.tts_deadline.count()) +
               "), so that the flite fallback still speaks in time");
  if (eleven && c.tts_key.empty())
    r.fail("PARLEY_TTS_KEY", "", "an ElevenLabs API key when PARLEY_TTS=elevenlabs");
  r.choice("PARLEY_TTS_ON_FAILURE", c.tts_on_failure, {"fallback", "apologise"});
}

void load_engines(reader& r, config& c) {
  r.choice("PARLEY_STT", c.stt, {"pocketsphinx", "null", "openai", "deepgram"});
  // Recognition is CPU-bound: a decoder per core the process may use.
  c.stt_decoders = 0;
  r.number("PARLEY_STT_DECODERS", c.stt_decoders, 0, 64);
  if (c.stt_decoders == 0) c.stt_decoders = std::min<std::size_t>(usable_cores(), 8);
  // Deepgram streams over a WebSocket: its own scheme and defaults.
  const bool deepgram = c.stt == "deepgram";
  const stt::deepgram_stt_config dg;
  c.stt_url = r.get("PARLEY_STT_URL").value_or(deepgram ? dg.base_url : c.stt_url);
  if (deepgram && c.stt_url.rfind("wss://", 0) != 0)
    r.fail("PARLEY_STT_URL", c.stt_url, "a wss:// URL ending in /v1 for PARLEY_STT=deepgram");
  if (!deepgram && c.stt_url.rfind("http://", 0) != 0 && c.stt_url.rfind("https://", 0) != 0)
    r.fail("PARLEY_STT_URL", c.stt_url, "an http:// or https:// URL ending in /v1");
  c.stt_key = r.get("PARLEY_STT_KEY").value_or("");
  c.stt_model = r.get("PARLEY_STT_MODEL").value_or(deepgram ? dg.model : c.stt_model);
  long long endpointing = c.stt_endpointing.count();
  r.number("PARLEY_STT_ENDPOINTING_MS", endpointing, 10, 5000);
  c.stt_endpointing = std::chrono::milliseconds(endpointing);
  c.stt_ca_file = r.get("PARLEY_STT_CA_FILE").value_or("");
  c.stt_language = r.get("PARLEY_STT_LANGUAGE").value_or("");
  long long stt_timeout = c.stt_timeout.count();
  r.number("PARLEY_STT_TIMEOUT_MS", stt_timeout, 100, 600000);
  c.stt_timeout = std::chrono::milliseconds(stt_timeout);
  // The fallback runs after the remote call gives up: both must fit the watchdog.
  if ((c.stt == "openai" || deepgram) && c.stt_timeout >= c.stt_deadline)
    r.fail("PARLEY_STT_TIMEOUT_MS", std::to_string(stt_timeout),
           "less than PARLEY_STT_DEADLINE_MS (" + std::to_string(c.stt_deadline.count()) +
               "), so that the pocketsphinx fallback still answers in time");
  r.choice("PARLEY_STT_ON_FAILURE", c.stt_on_failure, {"fallback", "apologise"});
  load_tts(r, c);
  r.choice("PARLEY_AGENT", c.agent, {"commands", "openai", "echo"});
  c.agent_url = r.get("PARLEY_AGENT_URL").value_or(c.agent_url);
  if (c.agent_url.rfind("http://", 0) != 0 && c.agent_url.rfind("https://", 0) != 0)
    r.fail("PARLEY_AGENT_URL", c.agent_url, "an http:// or https:// URL ending in /v1");
  c.agent_model = r.get("PARLEY_AGENT_MODEL").value_or(c.agent_model);
  c.agent_key = r.get("PARLEY_AGENT_KEY").value_or("");
  c.agent_system_prompt = r.get("PARLEY_AGENT_SYSTEM_PROMPT").value_or("");
}

// After load_engines: auto depends on the agent.
void load_reflex(reader& r, config& c) {
  r.choice("PARLEY_REFLEX", c.reflex_mode, {"auto", "on", "off"});
  c.reflex.on = c.reflex_mode == "on" || (c.reflex_mode == "auto" && c.agent == "openai");
  for (auto [name, out, hi] : {std::tuple{"PARLEY_REFLEX_DELAY_MS", &c.reflex.delay, 60000},
                               std::tuple{"PARLEY_REFLEX_MAX_MS", &c.reflex.longest, 10000},
                               std::tuple{"PARLEY_REFLEX_GAP_MS", &c.reflex.gap, 5000}}) {
    long long ms = out->count();
    r.number(name, ms, 0, hi);
    *out = std::chrono::milliseconds(ms);
  }
}

std::optional<std::string> read_secret_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) return std::nullopt;
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  text.erase(text.find_last_not_of(" \r\n\t") + 1);
  return text;
}

void load_discord(reader& r, config& c) {
  auto& d = c.discord;
  d.token = r.get("DISCORD_TOKEN").value_or("");
  if (auto file = r.get("DISCORD_TOKEN_FILE")) {
    if (auto t = read_secret_file(*file))
      d.token = *t;
    else
      r.fail("DISCORD_TOKEN_FILE", *file, "a readable file holding the bot token");
  }
  if (!d.token.empty()) log::add_secret(d.token);
  d.client_id = r.get("DISCORD_CLIENT_ID").value_or("");
  d.guild_id = r.get("DISCORD_GUILD_ID").value_or("");
  if (auto v = r.get("PARLEY_DISCORD_SHARD")) {
    if (auto s = discord::parse_shard(*v))
      d.shard = *s;
    else
      r.fail("PARLEY_DISCORD_SHARD", *v, "i/n with 0 <= i < n <= 4096");
  }
  long long empty = d.empty_leave.count();
  r.number("PARLEY_DISCORD_EMPTY_LEAVE_SECONDS", empty, 1, 86400);
  d.empty_leave = std::chrono::seconds(empty);
  d.gateway_url = r.get("PARLEY_DISCORD_GATEWAY_URL").value_or(d.gateway_url);
  if (d.gateway_url.rfind("wss://", 0) != 0)
    r.fail("PARLEY_DISCORD_GATEWAY_URL", d.gateway_url, "a wss:// URL");
  d.api_url = r.get("PARLEY_DISCORD_API_URL").value_or(d.api_url);
  if (d.api_url.rfind("https://", 0) != 0)
    r.fail("PARLEY_DISCORD_API_URL", d.api_url, "an https:// URL");
  d.ca_file = r.get("PARLEY_DISCORD_CA_FILE").value_or("");
  d.engines = c.stt + "/" + c.tts + "/" + c.agent;
}

}  // namespace

std::string to_string(environment e) {
  switch (e) {
    case environment::dev:
      return "dev";
    case environment::staging:
      return "staging";
    case environment::prod:
      return "prod";
  }
  return "dev";
}

std::optional<endpoint> parse_endpoint(const std::string& s) {
  auto colon = s.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == s.size()) return std::nullopt;
  std::string host = s.substr(0, colon);
  if (host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  const std::string port = s.substr(colon + 1);
  if (port.size() > 5 || port.find_first_not_of("0123456789") != std::string::npos)
    return std::nullopt;
  const long n = std::stol(port);
  if (n > 65535 || host.empty()) return std::nullopt;
  return endpoint{host, static_cast<std::uint16_t>(n)};
}

config_result load_config(const env_lookup& lookup) {
  config c;
  reader r(lookup);
  if (auto v = r.get("PARLEY_ENV")) {
    if (*v == "dev")
      c.env = environment::dev;
    else if (*v == "staging")
      c.env = environment::staging;
    else if (*v == "prod")
      c.env = environment::prod;
    else
      r.fail("PARLEY_ENV", *v, "dev, staging or prod");
  }
  apply_preset(c);
  r.address("PARLEY_VOICE_ADDR", c.voice_addr);
  r.address("PARLEY_OPS_ADDR", c.ops_addr);
  c.ops_token = r.get("PARLEY_OPS_TOKEN").value_or("");
  if (auto v = r.get("PARLEY_CHAOS")) {
    if (*v == "1")
      c.chaos = true;
    else if (*v != "0")
      r.fail("PARLEY_CHAOS", *v, "0 or 1");
  }
  if (auto v = r.get("PARLEY_LOG_LEVEL")) {
    if (auto l = parse_log_level(*v))
      c.level = *l;
    else
      r.fail("PARLEY_LOG_LEVEL", *v, "debug, info, warn or error");
  }
  r.number("PARLEY_MAX_SESSIONS", c.max_sessions, 1, 100000);
  long long drain = c.drain_timeout.count();
  r.number("PARLEY_DRAIN_SECONDS", drain, 0, 3600);
  c.drain_timeout = std::chrono::seconds(drain);
  r.number("PARLEY_SCHEDULER_THREADS", c.scheduler_threads, 0, 256);
  long long trim = c.memory_trim.count() / 1000;
  r.number("PARLEY_MEMORY_TRIM_SECONDS", trim, 0, 3600);
  c.memory_trim = std::chrono::seconds(trim);
  r.number("PARLEY_RESTART_MAX", c.restart_max, 1, 10000);
  long long period = c.restart_period.count();
  r.number("PARLEY_RESTART_PERIOD_SECONDS", period, 1, 86400);
  c.restart_period = std::chrono::seconds(period);

  load_voice(r, c);
  load_engines(r, c);
  load_reflex(r, c);
  load_discord(r, c);
  auto errors = r.take_errors();
  if (c.chaos && c.env == environment::prod)
    errors.emplace_back("PARLEY_CHAOS=1 is refused when PARLEY_ENV=prod");
  if (c.chaos && c.ops_token.empty())
    errors.emplace_back("PARLEY_CHAOS=1 needs PARLEY_OPS_TOKEN: chaos routes are token-protected");
  return {c, std::move(errors)};
}

env_lookup process_environment() {
  return [](const std::string& name) -> std::optional<std::string> {
    if (const char* v = std::getenv(name.c_str())) return std::string(v);
    return std::nullopt;
  };
}

std::string config_help() {
  std::ostringstream out;
  out << "Usage: parleyd [--help] [--version] [--health [PATH]] [register-commands]\n\n"
         "--health asks the ops endpoint of this configuration for PATH (default\n"
         "/livez) and exits 0 on HTTP 200: the container's HEALTHCHECK.\n"
         "register-commands uploads the /voice slash command to Discord\n"
         "(DISCORD_TOKEN, DISCORD_CLIENT_ID, optional DISCORD_GUILD_ID) and prints\n"
         "the bot's invite URL.\n\n"
         "parleyd is configured through the environment:\n\n";
  for (const auto& v : variables) {
    out << "  " << v.name << "\n      " << v.help
        << " (default: " << (*v.fallback ? v.fallback : "unset") << ")\n";
  }
  return out.str();
}

}  // namespace parley::runtime
