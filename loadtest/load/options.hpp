#pragma once
// parley-load's command line: what load to generate and where to report it.

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

namespace parley::load {

struct options {
  std::string url = "ws://127.0.0.1:8080/v1/voice";
  std::string token;
  int sessions = 10;
  double duration_s = 30;
  double ramp_up_s = 0;       // sessions connect spread evenly over this time
  double spike_at_s = -1;     // < 0: no spike
  int spike_sessions = 0;     // extra sessions that all connect at spike_at_s
  int think_ms = 1000;        // silence between a reply and the next turn
  int think_jitter_ms = 500;  // think time varies by up to this, either way
  double turn_timeout_s = 15;
  double connect_timeout_s = 10;
  int sessions_per_guild = 1;
  int guilds = 0;  // > 0: sessions spread round-robin over this many guilds
  std::string guild_prefix = "load";
  std::string audio = "/usr/share/pocketsphinx/test/data/goforward.raw";
  std::string out = "report.json";
  std::string html;  // default: out with .html instead of .json
  // Set: write the Opus packets a speaker would send (JSON, hex) here and
  // exit, so another tool can send the very same audio.
  std::string write_packets;
  int io_threads = 1;
  int pacers = 1;
  std::uint64_t seed = 0;  // 0: a random seed (reported)
  bool quiet = false;
  bool dtx = false;   // silence as a DTX encoder sends it (1-byte packets)
  bool idle = false;  // join and send silence, never speak (memory per idle session)

  int total_sessions() const { return sessions + (spike_at_s >= 0 ? spike_sessions : 0); }
};

struct help_requested {};
struct bad_flags {
  std::string message;
};

// Parses argv (without argv[0]) or says what is wrong with it.
std::variant<options, help_requested, bad_flags> parse_options(
    const std::vector<std::string>& args);

std::string usage();

}  // namespace parley::load
