#pragma once
// Real recordings for the STT tests.

#include "actors/stt/recognizer.hpp"

#include <algorithm>
#include <cstdint>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>
#include <vector>

namespace parley::stt::test {

// Debian's pocketsphinx-testdata: a man saying "go forward ten meters", 16 kHz s16le mono.
inline const char* const goforward_path = "/usr/share/pocketsphinx/test/data/goforward.raw";
inline const char* const goforward_text = "go forward ten meters";
constexpr std::size_t samples_per_chunk = 320;  // 20 ms at 16 kHz

inline std::vector<int16_t> read_raw(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot open " + path);
  std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::vector<int16_t> pcm(bytes.size() / 2);
  for (std::size_t i = 0; i < pcm.size(); ++i) {
    const auto lo = static_cast<uint8_t>(bytes[2 * i]);
    const auto hi = static_cast<uint8_t>(bytes[2 * i + 1]);
    pcm[i] = static_cast<int16_t>(static_cast<uint16_t>(lo | (hi << 8)));
  }
  return pcm;
}

// Feeds [from, to) in 20 ms chunks, as the audio stream does while the user speaks.
inline void feed_chunks(recognizer& rec, const std::vector<int16_t>& pcm, std::size_t from,
                        std::size_t to) {
  for (std::size_t at = from; at < to; at += samples_per_chunk) {
    rec.feed(pcm.data() + at, std::min(samples_per_chunk, to - at));
  }
}

inline std::string transcribe(recognizer& rec, const std::vector<int16_t>& pcm) {
  rec.begin();
  feed_chunks(rec, pcm, 0, pcm.size());
  return rec.finish();
}

}  // namespace parley::stt::test
