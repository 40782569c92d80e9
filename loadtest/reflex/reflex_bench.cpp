// parley-reflex-bench: time to first audio for one speaker, turn after
// turn, as the client sees it: from the last speech frame sent to the
// first audio packet received after it (a reflex's, when one plays),
// and to the first packet of the reply itself. Run it against a server
// whose agent is slow (bench_reflex.sh arms the fault), with and without
// PARLEY_REFLEX.
//   usage: parley-reflex-bench --url ws://127.0.0.1:8080/v1/voice [--rounds 10]
//          [--speech FILE.raw]
// Prints a line: rounds reflexes first_p50 first_p90 reply_p50 reply_p90 (ms).

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "loadtest/client/speech.hpp"
#include "loadtest/client/voice_connection.hpp"
#include "loadtest/load/speech_file.hpp"
#include "loadtest/load/stats.hpp"

namespace {

using namespace parley;
using namespace std::chrono_literals;
using ms = std::chrono::duration<double, std::milli>;

struct options {
  std::string url;
  int rounds = 10;
  std::string speech = "/usr/share/pocketsphinx/test/data/goforward.raw";
};

options parse(int argc, char** argv) {
  options o;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string k = argv[i], v = argv[i + 1];
    if (k == "--url")
      o.url = v;
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

struct round_result {
  double first_audio = 0, reply_audio = 0;
  bool reflex = false;
};

// One turn: the recording, then the microphone's silence until the reply ended.
round_result one_round(client::voice_connection& c, const std::vector<client::bytes>& speech,
                       std::atomic<bool>& talking, int r) {
  talking = true;
  client::stream_paced(c, speech, client::clock::now());
  const auto said = client::clock::now();  // the last speech frame is out
  talking = false;
  std::optional<client::event> started, reflex;
  const bool ended = c.wait_until(
      [&](const std::vector<client::event>& evs, std::size_t) {
        for (const auto& e : evs) {
          if (e.at < said) continue;
          if (e.type() == "reflex") reflex = e;
          if (e.type() == "audio_started") started = e;
          if (e.type() == "audio_ended") return true;
        }
        return false;
      },
      30s);
  if (!ended || !started) throw std::runtime_error("round " + std::to_string(r) + ": no reply");
  const auto audio = c.audio();
  round_result out;
  out.reflex = reflex.has_value();
  for (const auto& p : audio)
    if (p.at >= said) {
      out.first_audio = ms(p.at - said).count();
      break;
    }
  out.reply_audio = ms(audio.at(started->audio_index).at - said).count();
  return out;
}

}  // namespace

int main(int argc, char** argv) try {
  const auto o = parse(argc, argv);
  // The quiet tail trimmed, as parley-load does: "last speech frame" is the
  // end of the words.
  const auto speech =
      client::encode_speech(load::trim_trailing_silence(client::read_raw16(o.speech)));
  client::client_pool pool;
  const std::string url = o.url + (o.url.find('?') == std::string::npos ? "?" : "&") +
                          "guild=reflex-" + std::to_string(::getpid()) + "&user=speaker";
  auto c = pool.connect(url);
  if (!c->wait_open(10s)) throw std::runtime_error("cannot connect to " + url);
  c->send_hello();
  if (!c->wait_for("ready", 10s)) throw std::runtime_error("no ready from " + url);
  // A live microphone: silence at 50 frames a second between the turns.
  std::atomic<bool> talking{false}, done{false};
  std::thread mic([&] {
    auto next = client::clock::now();
    while (!done) {
      if (!talking) c->send_opus(client::silence_packet());
      next += 20ms;
      std::this_thread::sleep_until(next);
    }
  });
  std::vector<double> first, reply;
  int reflexes = 0;
  for (int r = 0; r < o.rounds; ++r) {
    const auto res = one_round(*c, speech, talking, r);
    first.push_back(res.first_audio);
    reply.push_back(res.reply_audio);
    reflexes += res.reflex ? 1 : 0;
  }
  done = true;
  mic.join();
  std::printf("%d %d %.0f %.0f %.0f %.0f\n", o.rounds, reflexes, load::percentile(first, 0.5),
              load::percentile(first, 0.9), load::percentile(reply, 0.5),
              load::percentile(reply, 0.9));
  return 0;
} catch (const std::exception& e) {
  std::fprintf(stderr, "parley-reflex-bench: %s\n", e.what());
  return 1;
}
