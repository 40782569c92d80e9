#pragma once
// Collects what a TTS engine delivers and measures it.

#include "actors/tts/synthesizer.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

namespace parley::tts::test {

struct capture {
  std::vector<int16_t> samples;
  std::size_t chunks = 0;
  bool result = false;
  double first_chunk_ms = -1;  // from the call to the first chunk
  double total_ms = 0;
};

// Runs one synthesis; `keep_going(chunks so far)` decides the sink's answer.
template <typename Continue>
capture run(tts_engine& engine, const std::string& sentence, Continue keep_going) {
  using clock_type = std::chrono::steady_clock;
  capture out;
  const auto start = clock_type::now();
  out.result = engine.synthesize(sentence, [&](const int16_t* pcm, size_t n) {
    if (out.chunks++ == 0) {
      out.first_chunk_ms =
          std::chrono::duration<double, std::milli>(clock_type::now() - start).count();
    }
    out.samples.insert(out.samples.end(), pcm, pcm + n);
    return keep_going(out.chunks);
  });
  out.total_ms = std::chrono::duration<double, std::milli>(clock_type::now() - start).count();
  return out;
}

inline capture run(tts_engine& engine, const std::string& sentence) {
  return run(engine, sentence, [](std::size_t) { return true; });
}

inline double rms(const std::vector<int16_t>& pcm) {
  if (pcm.empty()) return 0;
  double sum = 0;
  for (auto s : pcm) sum += static_cast<double>(s) * s;
  return std::sqrt(sum / pcm.size());
}

// Share of 20 ms frames louder than -40 dBFS: speech has many, silence none.
inline double voiced_share(const std::vector<int16_t>& pcm, int rate) {
  const std::size_t frame = static_cast<std::size_t>(rate) / 50;
  std::size_t frames = 0;
  std::size_t loud = 0;
  for (std::size_t at = 0; at + frame <= pcm.size(); at += frame, ++frames) {
    const std::vector<int16_t> part(pcm.begin() + at, pcm.begin() + at + frame);
    if (rms(part) > 328) ++loud;  // 32768 * 10^(-40/20)
  }
  return frames == 0 ? 0 : static_cast<double>(loud) / frames;
}

// Loudness per 50 ms frame.
inline std::vector<double> envelope(const std::vector<int16_t>& pcm, int rate) {
  const std::size_t frame = static_cast<std::size_t>(rate) / 20;
  std::vector<double> out;
  for (std::size_t at = 0; at + frame <= pcm.size(); at += frame) {
    out.push_back(rms(std::vector<int16_t>(pcm.begin() + at, pcm.begin() + at + frame)));
  }
  return out;
}

// Relative distance between the loudness contours of two recordings.
inline double envelope_distance(const std::vector<int16_t>& a, const std::vector<int16_t>& b,
                                int rate) {
  const auto ea = envelope(a, rate);
  const auto eb = envelope(b, rate);
  double diff = 0;
  double norm = 0;
  for (std::size_t i = 0; i < std::min(ea.size(), eb.size()); ++i) {
    diff += (ea[i] - eb[i]) * (ea[i] - eb[i]);
    norm += ea[i] * ea[i];
  }
  return norm > 0 ? std::sqrt(diff / norm) : 1.0;
}

// Both engines draw noise excitation from rand() (and espeak-ng varies pauses by a few ms),
// so two runs of one sentence are not bit-identical. The same words still give the same
// length (within 2 %) and loudness contour. Measured on 50 ms frames: same sentence up to
// 0.03 (flite) / 0.12 (espeak-ng); a sentence with two words changed 0.5-0.7.
inline bool same_speech(const std::vector<int16_t>& a, const std::vector<int16_t>& b, int rate,
                        double tolerance) {
  const double la = static_cast<double>(a.size());
  const double lb = static_cast<double>(b.size());
  if (a.empty() || b.empty() || std::abs(la - lb) > 0.02 * std::max(la, lb)) return false;
  return envelope_distance(a, b, rate) < tolerance;
}

inline double seconds(const capture& c, int rate) {
  return static_cast<double>(c.samples.size()) / rate;
}

}  // namespace parley::tts::test
