#include "loadtest/load/runner.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <ctime>
#include <memory>
#include <random>
#include <thread>

#include "loadtest/client/speech.hpp"
#include "loadtest/load/session_driver.hpp"
#include "loadtest/load/speech_file.hpp"

namespace parley::load {
namespace {

using namespace std::chrono;
// Each pacer visits a quarter of its sessions every 5 ms, so their packets
// leave spread over the 20 ms frame instead of in one burst.
constexpr int buckets = 4;
constexpr milliseconds bucket_period{5};

std::string utc_now() {
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

// Every connection is a descriptor; 1000 sessions need more than the usual 1024.
void raise_fd_limit() {
  rlimit r{};
  if (getrlimit(RLIMIT_NOFILE, &r) == 0 && r.rlim_cur < r.rlim_max) {
    r.rlim_cur = r.rlim_max;
    setrlimit(RLIMIT_NOFILE, &r);
  }
}

std::string with_query(const options& o, const std::string& guild, const std::string& user) {
  std::string url = o.url + (o.url.find('?') == std::string::npos ? "?" : "&");
  url += "guild=" + guild + "&user=" + user;
  if (!o.token.empty()) url += "&token=" + o.token;
  return url;
}

std::string guild_of(const options& o, const std::string& run_id, int i) {
  const int g = o.guilds > 0 ? i % o.guilds : i / o.sessions_per_guild;
  return o.guild_prefix + "-" + run_id + "-g" + std::to_string(g);
}

clock::time_point connect_time(const run_setup& s, int i) {
  const auto& o = s.opts;
  if (i >= o.sessions)  // the spike: all at once
    return s.start + duration_cast<clock::duration>(duration<double>(o.spike_at_s));
  const double offset = o.sessions > 1 ? o.ramp_up_s * i / o.sessions : 0;
  return s.start + duration_cast<clock::duration>(duration<double>(offset));
}

void pace(std::vector<session_driver*> mine, run_stats& stats) {
  auto tick = clock::now();
  for (std::size_t round = 0;; ++round) {
    const auto now = clock::now();
    stats.pacer_late(duration<double, std::milli>(now - tick).count());
    const auto bucket = round % buckets;
    bool all_done = true;
    for (std::size_t i = 0; i < mine.size(); ++i) {
      if (i % buckets == bucket) mine[i]->step(now);
      all_done = all_done && mine[i]->done();
    }
    if (all_done) return;
    tick += bucket_period;
    if (tick < clock::now() - bucket_period * buckets) tick = clock::now();  // hopelessly late
    std::this_thread::sleep_until(tick);
  }
}

void show_progress(const run_setup& s, int total, bool final_line) {
  static const bool tty = isatty(STDERR_FILENO) != 0;
  const auto p = s.stats->snapshot();
  const double t = duration<double>(clock::now() - s.start).count();
  std::fprintf(stderr,
               "%s[%5.1fs/%gs] connected %zu/%d | answered %zu | p50 %.0f ms p95 %.0f ms | "
               "errors %zu   %s",
               tty ? "\r" : "", t, s.opts.duration_s, p.connected, total, p.answered, p.latency.p50,
               p.latency.p95, p.errors, tty && !final_line ? "" : "\n");
  std::fflush(stderr);
}

std::string random_id(std::mt19937_64& rng) {
  static const char* hex = "0123456789abcdef";
  std::string id;
  for (int i = 0; i < 6; ++i) id += hex[rng() % 16];
  return id;
}

struct fleet {
  std::vector<std::unique_ptr<client::client_pool>> pools;
  std::vector<std::unique_ptr<session_driver>> sessions;
  std::vector<std::vector<session_driver*>> shares;  // one per pacer
};

void build_fleet(fleet& f, const run_setup& setup, run_outcome& out, std::mt19937_64& rng) {
  const auto& opts = setup.opts;
  f.pools.reserve(static_cast<std::size_t>(opts.io_threads));
  for (int i = 0; i < opts.io_threads; ++i)
    f.pools.push_back(std::make_unique<client::client_pool>());
  f.sessions.reserve(static_cast<std::size_t>(out.sessions_requested));
  f.shares.resize(static_cast<std::size_t>(opts.pacers));
  for (int i = 0; i < out.sessions_requested; ++i) {
    const auto user = "u" + std::to_string(i);
    auto& pool = *f.pools[static_cast<std::size_t>(i % opts.io_threads)];
    f.sessions.push_back(std::make_unique<session_driver>(
        setup, pool, with_query(opts, guild_of(opts, out.run_id, i), user), user,
        connect_time(setup, i), rng()));
    f.shares[static_cast<std::size_t>(i % opts.pacers)].push_back(f.sessions.back().get());
  }
}

// Runs the pacers until every session is done; the progress line meanwhile.
void drive(fleet& f, const run_setup& setup, int total) {
  std::atomic<std::size_t> running{f.shares.size()};
  std::vector<std::thread> pacers;
  pacers.reserve(f.shares.size());
  for (auto& share : f.shares)
    pacers.emplace_back([&running, &setup, share] {
      pace(share, *setup.stats);
      --running;
    });
  auto last = clock::now();
  while (running > 0) {
    std::this_thread::sleep_for(milliseconds(100));
    if (!setup.opts.quiet && clock::now() - last >= seconds(1)) {
      last = clock::now();
      show_progress(setup, total, false);
    }
  }
  for (auto& t : pacers) t.join();
}

}  // namespace

std::vector<client::bytes> speech_packets(const options& opts) {
  return client::encode_speech(trim_trailing_silence(read_speech_16k(opts.audio)));
}

run_outcome run_load(const options& opts) {
  raise_fd_limit();
  run_stats stats;
  run_setup setup;
  setup.opts = opts;
  const auto pcm = read_speech_16k(opts.audio);
  const auto spoken = trim_trailing_silence(pcm);
  setup.speech = client::encode_speech(spoken);  // as speech_packets()
  setup.silence = client::silence_packets(opts.dtx);
  setup.stats = &stats;

  run_outcome out;
  out.seed = opts.seed != 0 ? opts.seed : std::random_device{}();
  std::mt19937_64 rng(out.seed);
  out.run_id = random_id(rng);
  out.sessions_requested = opts.total_sessions();
  out.speech_packets = setup.speech.size();
  out.trimmed_ms = static_cast<double>(pcm.size() - spoken.size()) / 16.0;
  out.started_utc = utc_now();

  fleet f;
  setup.start = clock::now() + milliseconds(50);
  setup.deadline = setup.start + duration_cast<clock::duration>(duration<double>(opts.duration_s));
  build_fleet(f, setup, out, rng);
  drive(f, setup, out.sessions_requested);
  out.duration_s = duration<double>(clock::now() - setup.start).count();
  if (!opts.quiet) show_progress(setup, out.sessions_requested, true);
  f.sessions.clear();  // closes what is still open, before the pools stop
  f.pools.clear();
  out.totals = stats.collect();
  return out;
}

}  // namespace parley::load
