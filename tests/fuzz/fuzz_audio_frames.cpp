// The path every client audio packet takes before it reaches a recogniser:
// Opus decode to 16 kHz (with concealment on errors), voice activity.
// Input: packets, each a 2-byte little-endian length and that many bytes.

#include <cstdint>
#include <cstdlib>

#include "actors/audio/opus_codec.hpp"
#include "actors/audio/voice_activity.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace parley::audio;
  opus_decoder decoder(16000);
  voice_activity_detector vad;
  std::size_t at = 0;
  while (at + 2 <= size) {
    const std::size_t n = std::min<std::size_t>(data[at] | (data[at + 1] << 8), size - at - 2);
    at += 2;
    auto decoded = decoder.decode(data + at, n);
    at += n;
    if (!decoded.ok()) decoded = decoder.decode_lost();
    // Opus frames last 2.5 to 120 ms; nothing longer may come out.
    if (decoded.pcm.empty() || decoded.pcm.size() > 1920) std::abort();
    if (vad.feed(decoded.pcm) == vad_event::speech_started && vad.take_preroll().empty())
      std::abort();
  }
  return 0;
}
