#include "loadtest/load/options.hpp"

#include <cctype>
#include <functional>
#include <map>
#include <stdexcept>
#include <type_traits>

namespace parley::load {
namespace {

using setter = std::function<void(options&, const std::string&)>;

double to_number(const std::string& flag, const std::string& v, double lo, double hi) {
  std::size_t used = 0;
  double d = 0;
  try {
    d = std::stod(v, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used == 0 || used != v.size())
    throw std::invalid_argument(flag + " expects a number, got '" + v + "'");
  if (d < lo || d > hi)
    throw std::invalid_argument(flag + " must be between " + std::to_string(lo) + " and " +
                                std::to_string(hi) + ", got " + v);
  return d;
}

int to_int(const std::string& flag, const std::string& v, int lo, int hi) {
  const double d = to_number(flag, v, lo, hi);
  if (d != static_cast<double>(static_cast<int>(d)))
    throw std::invalid_argument(flag + " expects a whole number, got '" + v + "'");
  return static_cast<int>(d);
}

template <class T>
setter number(T options::*field, double lo, double hi, const char* flag) {
  return [=](options& o, const std::string& v) {
    if constexpr (std::is_same_v<T, int>)
      o.*field = to_int(flag, v, static_cast<int>(lo), static_cast<int>(hi));
    else
      o.*field = static_cast<T>(to_number(flag, v, lo, hi));
  };
}

setter text(std::string options::*field) {
  return [=](options& o, const std::string& v) { o.*field = v; };
}

const std::map<std::string, setter>& setters() {
  static const std::map<std::string, setter> table = {
      {"--url", text(&options::url)},
      {"--write-packets", text(&options::write_packets)},
      {"--token", text(&options::token)},
      {"--sessions", number(&options::sessions, 1, 100000, "--sessions")},
      {"--duration", number(&options::duration_s, 0.1, 86400, "--duration")},
      {"--ramp-up", number(&options::ramp_up_s, 0, 86400, "--ramp-up")},
      {"--spike-at", number(&options::spike_at_s, 0, 86400, "--spike-at")},
      {"--spike-sessions", number(&options::spike_sessions, 0, 100000, "--spike-sessions")},
      {"--think-ms", number(&options::think_ms, 0, 600000, "--think-ms")},
      {"--think-jitter-ms", number(&options::think_jitter_ms, 0, 600000, "--think-jitter-ms")},
      {"--turn-timeout", number(&options::turn_timeout_s, 0.1, 3600, "--turn-timeout")},
      {"--connect-timeout", number(&options::connect_timeout_s, 0.1, 600, "--connect-timeout")},
      {"--sessions-per-guild",
       number(&options::sessions_per_guild, 1, 100000, "--sessions-per-guild")},
      {"--guilds", number(&options::guilds, 1, 100000, "--guilds")},
      {"--guild-prefix", text(&options::guild_prefix)},
      {"--audio", text(&options::audio)},
      {"--out", text(&options::out)},
      {"--html", text(&options::html)},
      {"--io-threads", number(&options::io_threads, 1, 64, "--io-threads")},
      {"--pacers", number(&options::pacers, 1, 64, "--pacers")},
      {"--seed", number(&options::seed, 0, 1e15, "--seed")},
  };
  return table;
}

bool valid_name_part(const std::string& s) {
  for (char c : s)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-'))
      return false;
  return !s.empty() && s.size() <= 40;  // room for the run id and index in 64 chars
}

void check(options& o, bool guilds_set, bool spg_set) {
  if (guilds_set && spg_set)
    throw std::invalid_argument("use either --guilds or --sessions-per-guild, not both");
  if (o.url.rfind("ws://", 0) != 0)
    throw std::invalid_argument("--url must start with ws:// (got '" + o.url + "')");
  if (!valid_name_part(o.guild_prefix))
    throw std::invalid_argument("--guild-prefix: 1-40 characters of A-Z a-z 0-9 _ . -");
  if (o.spike_sessions > 0 && o.spike_at_s < 0)
    throw std::invalid_argument("--spike-sessions needs --spike-at");
  if (o.ramp_up_s >= o.duration_s)
    throw std::invalid_argument("--ramp-up must be shorter than --duration");
  if (o.spike_at_s >= o.duration_s)
    throw std::invalid_argument("--spike-at must be within --duration");
  if (o.think_jitter_ms > o.think_ms)
    throw std::invalid_argument("--think-jitter-ms cannot exceed --think-ms");
  if (o.html.empty()) {
    const auto dot = o.out.rfind(".json");
    o.html = (dot != std::string::npos && dot + 5 == o.out.size() ? o.out.substr(0, dot) : o.out) +
             ".html";
  }
}

}  // namespace

std::variant<options, help_requested, bad_flags> parse_options(
    const std::vector<std::string>& args) {
  options o;
  bool guilds_set = false, spg_set = false;
  try {
    for (std::size_t i = 0; i < args.size(); ++i) {
      std::string flag = args[i], value;
      if (flag == "-h" || flag == "--help") return help_requested{};
      if (flag == "--quiet" || flag == "-q") {
        o.quiet = true;
        continue;
      }
      if (flag == "--idle") {
        o.idle = true;
        continue;
      }
      if (flag == "--dtx") {
        o.dtx = true;
        continue;
      }
      const auto eq = flag.find('=');
      const bool inline_value = eq != std::string::npos;
      if (inline_value) {
        value = flag.substr(eq + 1);
        flag = flag.substr(0, eq);
      }
      auto it = setters().find(flag);
      if (it == setters().end()) throw std::invalid_argument("unknown flag '" + flag + "'");
      if (!inline_value) {
        if (i + 1 >= args.size()) throw std::invalid_argument(flag + " needs a value");
        value = args[++i];
      }
      it->second(o, value);
      guilds_set |= flag == "--guilds";
      spg_set |= flag == "--sessions-per-guild";
    }
    check(o, guilds_set, spg_set);
  } catch (const std::invalid_argument& e) {
    return bad_flags{e.what()};
  }
  return o;
}

std::string usage() {
  return R"(parley-load: simulated speakers against Parley's voice WebSocket.

usage: parley-load [flags]
  --url URL               ws://HOST:PORT/v1/voice (default ws://127.0.0.1:8080/v1/voice)
  --token T               voice token (sent as ?token=T)
  --sessions N            simulated speakers (default 10)
  --duration S            seconds of load; turns in flight then finish (default 30)
  --ramp-up S             connect the sessions evenly over S seconds (default 0)
  --spike-at S            at S seconds, connect --spike-sessions more at once
  --spike-sessions M      size of the spike (default 0)
  --think-ms MS           silence between a reply and the next turn (default 1000)
  --think-jitter-ms MS    think time varies by up to +-MS (default 500)
  --turn-timeout S        a turn without a complete reply after S s is an error (default 15)
  --connect-timeout S     handshake and ready within S s (default 10)
  --sessions-per-guild K  K speakers share each guild (default 1)
  --guilds G              or: spread the sessions over G guilds
  --guild-prefix P        guild names start with P (default load)
  --audio FILE            16 kHz mono 16-bit speech: raw s16le or .wav
                          (default /usr/share/pocketsphinx/test/data/goforward.raw)
  --out FILE              JSON report (default report.json)
  --html FILE             HTML report (default: --out with .html)
  --io-threads N          WebSocket I/O threads (default 1)
  --pacers N              20 ms pacing threads (default 1)
  --seed N                random seed for think times (default: random)
  --quiet                 no progress line
  --idle                  join and keep the microphone open, never speak
  --dtx                   send silence as a DTX encoder does (1-byte packets, a
                          refresh every 400 ms), as Discord and WebRTC usedtx do
  --write-packets FILE    write the speech and silence Opus packets as JSON
                          ({"speech": [hex...], "silence": [hex...]}) and exit
Exit status: 0 when the run completed (see the report for errors), 1 when no
session connected, 2 on bad flags or unreadable audio.
)";
}

}  // namespace parley::load
