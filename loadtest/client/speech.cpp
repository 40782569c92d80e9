#include "loadtest/client/speech.hpp"

#include <fstream>
#include <stdexcept>
#include <thread>

#include "actors/audio/opus_codec.hpp"
#include "actors/audio/resampler.hpp"

namespace parley::client {

std::vector<std::int16_t> read_raw16(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::vector<char> raw((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::vector<std::int16_t> pcm(raw.size() / 2);
  for (std::size_t i = 0; i < pcm.size(); ++i)
    pcm[i] = static_cast<std::int16_t>(static_cast<unsigned char>(raw[2 * i]) |
                                       (static_cast<unsigned char>(raw[2 * i + 1]) << 8));
  return pcm;
}

std::vector<bytes> encode_speech(const std::vector<std::int16_t>& pcm16k) {
  auto pcm48 = audio::upsampler_16k_to_48k().process(pcm16k);
  const auto n = audio::opus_frame_samples;
  pcm48.resize((pcm48.size() + n - 1) / n * n);
  audio::opus_encoder enc;
  std::vector<bytes> out;
  for (std::size_t i = 0; i < pcm48.size(); i += n) {
    auto r = enc.encode(pcm48.data() + i, n);
    if (!r.ok()) throw std::runtime_error("opus encode failed: " + r.error);
    out.push_back(std::move(r.packet));
  }
  return out;
}

bytes silence_packet() {
  static const bytes packet = [] {
    audio::opus_encoder enc;
    std::vector<std::int16_t> zeros(audio::opus_frame_samples, 0);
    return enc.encode(zeros).packet;
  }();
  return packet;
}

std::vector<bytes> silence_packets(bool dtx) {
  audio::encoder_config cfg;
  cfg.dtx = dtx;
  audio::opus_encoder enc(cfg);
  const std::vector<std::int16_t> zeros(audio::opus_frame_samples, 0);
  // Past the encoder's start-up frames (DTX begins after 200 ms), one
  // whole refresh period of DTX: 21 frames, then it repeats.
  std::vector<bytes> cycle;
  for (int i = 0; i < 30 + 21; ++i) {
    auto p = enc.encode(zeros).packet;
    if (i >= 30) cycle.push_back(std::move(p));
  }
  return cycle;
}

void stream_paced(voice_connection& c, const std::vector<bytes>& packets, clock::time_point start) {
  auto next = start;
  for (const auto& p : packets) {
    std::this_thread::sleep_until(next);  // real-time pacing, as a microphone would
    c.send_opus(p);
    next += std::chrono::milliseconds(20);
  }
}

}  // namespace parley::client
