// parley-turn-end-bench: when the end of turn comes, with a fixed silence
// window and with the window fitted to the words, on a set of utterances
// made with flite: some with a pause inside (the person is not done), some
// said straight through. Each is fed as the pipeline feeds it: 20 ms frames
// into the production VAD, the speech into pocketsphinx through
// stt::recognition (a partial every 250 ms), each new partial shaped by the
// session's end_of_turn rules and the command agent. Message hops and
// decode time are not in these numbers: they are the same for both policies.
//   usage: parley-turn-end-bench [--usual MS] [--complete MS] [--unfinished MS] [--write DIR]
// --write keeps each utterance as DIR/N.raw (16 kHz s16le), for parley-load --audio.

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include "actors/agent/command_agent.hpp"
#include "actors/audio/resampler.hpp"
#include "actors/audio/voice_activity.hpp"
#include "actors/session/end_of_turn.hpp"
#include "actors/stt/pocketsphinx_engine.hpp"
#include "actors/stt/recognition.hpp"
#include "actors/tts/flite_engine.hpp"

namespace {

using namespace parley;
using namespace std::chrono_literals;
using pcm = std::vector<std::int16_t>;

// Spoken parts with the silence (ms) after each but the last.
struct utterance {
  std::vector<std::string> parts;
  std::vector<int> pauses_ms;
};

// Pauses a person makes mid-sentence: after a word that cannot end it, after
// a complete-sounding phrase, and none at all.
const std::vector<utterance> the_set = {
    {{"Turn on the", "kitchen light."}, {600}},
    {{"What is the weather in", "Paris?"}, {500}},
    {{"My number is five five", "one two three."}, {700}},
    {{"I would like a pizza and", "a salad."}, {600}},
    {{"Set an alarm for", "seven thirty."}, {500}},
    {{"Tell me about", "the moon."}, {600}},
    {{"Um", "what time is it?"}, {500}},
    {{"Repeat after me", "hello world."}, {500}},
    {{"Go forward", "ten meters."}, {450}},
    {{"What time is it", "in Tokyo?"}, {250}},
    {{"What time is it?"}, {}},
    {{"What day is it?"}, {}},
    {{"Status."}, {}},
    {{"Help."}, {}},
    {{"What can you do?"}, {}},
    {{"Go forward ten meters."}, {}},
};

pcm speak(tts::flite_engine& flite, const std::string& text) {
  pcm out;
  flite.synthesize(text, [&](const int16_t* s, size_t n) {
    out.insert(out.end(), s, s + n);
    return true;
  });
  if (flite.sample_rate() == audio::vad_sample_rate) return out;
  audio::linear_resampler to16k(flite.sample_rate(), audio::vad_sample_rate);
  return to16k.process(out);
}

// The joined audio and where its last part's speech ends (samples).
struct recording {
  pcm audio;
  std::size_t speech_end = 0;
};

// Flite pads each part with a little silence: the speech is what lies
// between the first and the last sample above -50 dBFS.
bool loud(std::int16_t s) {
  return std::abs(s) > 100;
}

recording record(tts::flite_engine& flite, const utterance& u) {
  recording r;
  r.audio.assign(16000 / 2, 0);
  for (std::size_t i = 0; i < u.parts.size(); ++i) {
    const auto part = speak(flite, u.parts[i]);
    const auto begin = std::find_if(part.begin(), part.end(), loud);
    const auto end = std::find_if(part.rbegin(), part.rend(), loud).base();
    if (begin < end) r.audio.insert(r.audio.end(), begin, end);
    r.speech_end = r.audio.size();
    if (i < u.pauses_ms.size()) r.audio.insert(r.audio.end(), 16 * u.pauses_ms[i], 0);
  }
  r.audio.insert(r.audio.end(), 16000 * 2, 0);
  return r;
}

struct policy {
  const char* name;
  session::end_of_turn_settings bounds;
};

struct outcome {
  int turns = 0;           // speech_ended events
  bool cut_off = false;    // one came before the speech ended
  double latency_ms = -1;  // from the end of speech to the event that followed it
};

outcome run(stt::recognizer_pool& pool, const agent::command_agent& agent, const recording& r,
            const policy& p, std::chrono::milliseconds usual) {
  audio::vad_config vc;
  vc.silence_window = usual;
  audio::voice_activity_detector vad(vc);
  const auto judge = [&agent](std::string_view w) { return agent.shape(w); };
  std::optional<stt::recognition> heard;
  std::size_t offset = 0;
  outcome o;
  const auto ended = [&](std::size_t at) {
    ++o.turns;
    if (std::getenv("TURN_END_VERBOSE") != nullptr)
      std::fprintf(stderr, "%s %.2f s: ended (speech ends %.2f s)\n", p.name,
                   static_cast<double>(at) / 16000.0, static_cast<double>(r.speech_end) / 16000.0);
    if (at < r.speech_end)
      o.cut_off = true;
    else if (o.latency_ms < 0)
      o.latency_ms = static_cast<double>(at - r.speech_end) / 16.0;
    if (heard) heard->finish();
    heard.reset();
  };
  for (std::size_t at = 0; at + audio::vad_frame_samples <= r.audio.size();
       at += audio::vad_frame_samples) {
    const auto* frame = r.audio.data() + at;
    const auto ev = vad.feed(frame, audio::vad_frame_samples);
    const auto now = at + audio::vad_frame_samples;
    if (ev == audio::vad_event::speech_ended) {
      ended(now);
      continue;
    }
    if (ev == audio::vad_event::speech_started) {
      heard.emplace();
      heard->ensure_recognizer(pool, 10s);
      const auto pre = vad.take_preroll();
      offset = 0;
      heard->hear(offset, pre.data(), pre.size());
      offset = pre.size();
      continue;
    }
    if (!vad.in_speech()) continue;
    const auto partial = heard->hear(offset, frame, audio::vad_frame_samples);
    offset += audio::vad_frame_samples;
    if (!partial) continue;
    if (std::getenv("TURN_END_VERBOSE") != nullptr)
      std::fprintf(stderr, "%s %.2f s: %s\n", p.name, static_cast<double>(now) / 16000.0,
                   partial->text.c_str());
    const auto window =
        session::silence_for(session::shape_of(partial->text, judge), p.bounds, usual);
    if (vad.set_silence_window(window) == audio::vad_event::speech_ended) ended(now);
  }
  return o;
}

double median(std::vector<double> v) {
  if (v.empty()) return -1;
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

const char* text_flag(int argc, char** argv, const char* name) {
  for (int i = 1; i + 1 < argc; ++i)
    if (std::strcmp(argv[i], name) == 0) return argv[i + 1];
  return nullptr;
}

void write_raw(const std::string& path, const pcm& x) {
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(x.data()),
            static_cast<std::streamsize>(x.size() * sizeof(std::int16_t)));
}

long flag(int argc, char** argv, const char* name, long fallback) {
  for (int i = 1; i + 1 < argc; ++i)
    if (std::strcmp(argv[i], name) == 0) return std::strtol(argv[i + 1], nullptr, 10);
  return fallback;
}

}  // namespace

int main(int argc, char** argv) {
  const std::chrono::milliseconds usual(flag(argc, argv, "--usual", 300));
  const policy fixed{"fixed", {usual, usual}};
  const policy fitted{"fitted to the words",
                      {std::chrono::milliseconds(flag(argc, argv, "--complete", 150)),
                       std::chrono::milliseconds(flag(argc, argv, "--unfinished", 900))}};
  tts::flite_engine flite;
  stt::pocketsphinx_engine engine(stt::pocketsphinx_config{});
  stt::recognizer_pool pool(engine, 1);
  const agent::command_agent agent;

  std::printf("| utterance | pause | fixed %lld ms: turns, latency | fitted: turns, latency |\n",
              static_cast<long long>(usual.count()));
  std::printf("|---|---|---|---|\n");
  const char* write_dir = text_flag(argc, argv, "--write");
  int written = 0;
  std::vector<double> latency[2];
  std::vector<double> straight[2];  // said without a pause
  int cut[2] = {0, 0};
  int paused = 0;
  for (const auto& u : the_set) {
    const auto r = record(flite, u);
    if (write_dir != nullptr)
      write_raw(std::string(write_dir) + "/" + std::to_string(++written) + ".raw", r.audio);
    std::string said;
    for (const auto& part : u.parts) said += (said.empty() ? "" : " … ") + part;
    const std::string pause = u.pauses_ms.empty() ? "–" : std::to_string(u.pauses_ms[0]) + " ms";
    std::string cells;
    for (int i = 0; i < 2; ++i) {
      const auto o = run(pool, agent, r, i == 0 ? fixed : fitted, usual);
      if (o.cut_off) ++cut[i];
      if (o.latency_ms >= 0) latency[i].push_back(o.latency_ms);
      if (o.latency_ms >= 0 && u.pauses_ms.empty()) straight[i].push_back(o.latency_ms);
      char cell[64];
      std::snprintf(cell, sizeof cell, " %d%s, %.0f ms |", o.turns, o.cut_off ? " (cut off)" : "",
                    o.latency_ms);
      cells += cell;
    }
    std::printf("| %s | %s |%s\n", said.c_str(), pause.c_str(), cells.c_str());
    paused += u.pauses_ms.empty() ? 0 : 1;
  }
  std::printf(
      "\n| policy | paused utterances cut off | median latency after the last word: all | "
      "said straight through |\n|---|---|---|---|\n");
  for (int i = 0; i < 2; ++i)
    std::printf("| %s | %d of %d | %.0f ms | %.0f ms |\n", i == 0 ? fixed.name : fitted.name,
                cut[i], paused, median(latency[i]), median(straight[i]));
  return 0;
}
