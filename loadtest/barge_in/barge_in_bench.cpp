// parley-barge-in-bench: how fast a reply stops when someone speaks over it,
// in a busy room. N listeners share one guild and stream their microphones
// (silence, 50 frames a second each); one of them asks for a long reply;
// while it plays, another person says "go forward ten meters". Measured at
// the speaker's client, per round:
//   onset   first speech frame sent -> speech_started (the VAD needs some speech)
//   cut     speech_started -> interrupted (the queue in front of the barge-in)
//   total   first speech frame sent -> interrupted
//   usage: parley-barge-in-bench --url ws://127.0.0.1:8080/v1/voice
//          [--listeners 8] [--rounds 10] [--speech FILE.raw]

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "loadtest/client/speech.hpp"
#include "loadtest/client/voice_connection.hpp"

namespace {

using namespace parley;
using namespace std::chrono_literals;
using ms = std::chrono::duration<double, std::milli>;

struct options {
  std::string url;
  int listeners = 8;
  int rounds = 10;
  std::string speech = "/usr/share/pocketsphinx/test/data/goforward.raw";
};

options parse(int argc, char** argv) {
  options o;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string k = argv[i], v = argv[i + 1];
    if (k == "--url")
      o.url = v;
    else if (k == "--listeners")
      o.listeners = std::stoi(v);
    else if (k == "--rounds")
      o.rounds = std::stoi(v);
    else if (k == "--speech")
      o.speech = v;
    else
      throw std::runtime_error("unknown option " + k);
  }
  if (o.url.empty()) throw std::runtime_error("--url is required");
  return o;
}

std::string with(const std::string& url, const std::string& guild, const std::string& user) {
  return url + (url.find('?') == std::string::npos ? "?" : "&") + "guild=" + guild +
         "&user=" + user;
}

std::unique_ptr<client::voice_connection> join(client::client_pool& pool, const std::string& url) {
  auto c = pool.connect(url);
  if (!c->wait_open(10s)) throw std::runtime_error("cannot connect to " + url);
  c->send_hello();
  if (!c->wait_for("ready", 10s)) throw std::runtime_error("no ready from " + url);
  return c;
}

// The first event of `type` at or after `from` (by arrival).
std::optional<client::event> first(const client::voice_connection& c, const std::string& type,
                                   client::clock::time_point from) {
  for (const auto& e : c.events())
    if (e.type() == type && e.at >= from) return e;
  return std::nullopt;
}

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<std::size_t>(p * static_cast<double>(v.size())))];
}

}  // namespace

int main(int argc, char** argv) try {
  const auto o = parse(argc, argv);
  const auto speech = client::encode_speech(client::read_raw16(o.speech));
  client::client_pool pool;
  const std::string guild = "barge-" + std::to_string(::getpid());
  std::vector<std::unique_ptr<client::voice_connection>> room;
  room.reserve(static_cast<std::size_t>(o.listeners));
  for (int i = 0; i < o.listeners; ++i)
    room.push_back(join(pool, with(o.url, guild, "listener" + std::to_string(i))));
  auto speaker = join(pool, with(o.url, guild, "speaker"));

  // Every microphone in the room is live: silence at 50 frames a second.
  std::atomic<bool> talking{false}, done{false};
  std::thread mics([&] {
    auto next = client::clock::now();
    while (!done) {
      for (auto& c : room) c->send_opus(client::silence_packet());
      if (!talking) speaker->send_opus(client::silence_packet());
      next += 20ms;
      std::this_thread::sleep_until(next);
    }
  });

  std::vector<double> onset, cut, total;
  for (int r = 0; r < o.rounds; ++r) {
    const auto asked = client::clock::now();
    room[0]->send_json({{"type", "text"},
                        {"text",
                         "repeat after me the quick brown fox jumps over the lazy dog "
                         "and keeps on running far across the fields until night"}});
    // The reply is playing: a second of it has arrived.
    if (!room[0]->wait_until(
            [&](const std::vector<client::event>& evs, std::size_t audio) {
              for (const auto& e : evs)
                if (e.type() == "audio_started" && e.at >= asked)
                  return audio >= e.audio_index + 50;
              return false;
            },
            20s))
      throw std::runtime_error("round " + std::to_string(r) + ": no reply playing");
    talking = true;
    const auto spoke = client::clock::now();
    client::stream_paced(*speaker, speech, spoke);
    talking = false;
    if (!speaker->wait_until(
            [&](const std::vector<client::event>& evs, std::size_t) {
              for (const auto& e : evs)
                if (e.type() == "interrupted" && e.at >= spoke) return true;
              return false;
            },
            10s))
      throw std::runtime_error("round " + std::to_string(r) + ": no interrupted");
    const auto started = first(*speaker, "speech_started", spoke);
    const auto stopped = first(*speaker, "interrupted", spoke);
    onset.push_back(ms(started->at - spoke).count());
    cut.push_back(ms(stopped->at - started->at).count());
    total.push_back(ms(stopped->at - spoke).count());
    // Let the barge-in's own turn finish before the next round.
    speaker->wait_until(
        [&](const std::vector<client::event>& evs, std::size_t) {
          for (const auto& e : evs)
            if (e.type() == "audio_ended" && e.at >= spoke) return true;
          return false;
        },
        20s);
  }
  done = true;
  mics.join();
  std::printf("barge-in, %d listeners + 1 speaker in one guild, %d rounds (ms)\n", o.listeners,
              o.rounds);
  std::printf("| measure | p50 | p95 | max |\n| --- | ---: | ---: | ---: |\n");
  for (const auto& [name, v] : {std::pair<const char*, std::vector<double>&>{"onset", onset},
                                {"cut", cut},
                                {"total", total}})
    std::printf("| %s | %.1f | %.1f | %.1f |\n", name, percentile(v, 0.5), percentile(v, 0.95),
                *std::max_element(v.begin(), v.end()));
  return 0;
} catch (const std::exception& e) {
  std::fprintf(stderr, "parley-barge-in-bench: %s\n", e.what());
  return 1;
}
