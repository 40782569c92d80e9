// parley-load: many simulated speakers against Parley's voice WebSocket; see
// usage() in options.cpp and docs/protocol.md.

#include <cstdio>
#include <exception>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "loadtest/client/speech.hpp"
#include "loadtest/load/options.hpp"
#include "loadtest/load/report.hpp"
#include "loadtest/load/runner.hpp"

namespace {

std::string hex(const parley::client::bytes& b) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (auto c : b) {
    out += digits[c >> 4];
    out += digits[c & 15];
  }
  return out;
}

void write_packets(const parley::load::options& opts) {
  nlohmann::json j{{"frame_ms", 20}, {"silence", nlohmann::json::array()}};
  for (const auto& p : parley::client::silence_packets(opts.dtx)) j["silence"].push_back(hex(p));
  for (const auto& p : parley::load::speech_packets(opts)) j["speech"].push_back(hex(p));
  std::ofstream out(opts.write_packets);
  if (!(out << j.dump() << "\n")) throw std::runtime_error("cannot write " + opts.write_packets);
}

}  // namespace

int main(int argc, char** argv) {
  using namespace parley::load;
  const auto parsed = parse_options(std::vector<std::string>(argv + 1, argv + argc));
  if (std::holds_alternative<help_requested>(parsed)) {
    std::cout << usage();
    return 0;
  }
  if (const auto* bad = std::get_if<bad_flags>(&parsed)) {
    std::cerr << "parley-load: " << bad->message << "\n(see parley-load --help)\n";
    return 2;
  }
  const auto& opts = std::get<options>(parsed);
  run_outcome run;
  try {
    if (!opts.write_packets.empty()) {
      write_packets(opts);
      return 0;
    }
    run = run_load(opts);
  } catch (const std::exception& e) {
    std::cerr << "parley-load: " << e.what() << "\n";
    return 2;
  }
  const auto report = json_report(opts, run);
  try {
    write_file(opts.out, report.dump(2) + "\n");
    write_file(opts.html, html_report(report));
  } catch (const std::exception& e) {
    std::cerr << "parley-load: " << e.what() << "\n";
    return 2;
  }
  const auto& t = run.totals;
  std::fprintf(stderr,
               "parley-load: %zu/%d sessions, %zu turns answered, latency p50 %.0f ms p95 %.0f "
               "ms p99 %.0f ms (server p50 %.1f ms p99 %.1f ms), %zu errors; wrote %s and %s\n",
               t.connected, run.sessions_requested, t.answered, t.latency.p50, t.latency.p95,
               t.latency.p99, t.server.p50, t.server.p99, report["total_errors"].get<std::size_t>(),
               opts.out.c_str(), opts.html.c_str());
  if (t.connected == 0) {
    std::cerr << "parley-load: no session connected\n";
    return 1;
  }
  return 0;
}
