#pragma once
// Opus at the project's wire format: 48 kHz, mono, 20 ms frames.
// libopus stays behind a pimpl so that including this header stays cheap.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace parley::audio {

constexpr int opus_sample_rate = 48000;
constexpr std::size_t opus_frame_samples = 960;  // 20 ms at 48 kHz
// Larger inputs are refused before libopus sees them. A 20 ms packet is at most
// 1276 bytes; 4000 is libopus' recommended encoder buffer size.
constexpr std::size_t opus_max_packet_bytes = 4000;
// libopus: a packet of this many bytes or fewer carries no audio (DTX);
// decoding it only extrapolates the last frame.
constexpr std::size_t opus_dtx_packet_bytes = 2;
// A packet a DTX encoder sends for silence (an empty one is not a packet).
constexpr bool is_dtx_packet(std::size_t size) {
  return size > 0 && size <= opus_dtx_packet_bytes;
}

struct decode_result {
  std::vector<std::int16_t> pcm;  // 48 kHz mono; empty when !ok()
  std::string error;              // empty on success
  bool ok() const { return error.empty(); }
};

struct encode_result {
  std::vector<std::uint8_t> packet;  // one Opus packet; empty when !ok()
  std::string error;                 // empty on success
  bool ok() const { return error.empty(); }
};

// Not thread-safe: one decoder per stream, used by one actor.
class opus_decoder {
 public:
  // Output at `sample_rate` (8, 12, 16, 24 or 48 kHz). Decoding straight to
  // 16 kHz for the recogniser costs a fraction of 48 kHz plus a resampler:
  // speech packets are SILK, which is 16 kHz inside libopus. Throws
  // std::runtime_error for another rate or if libopus cannot allocate.
  explicit opus_decoder(int sample_rate = opus_sample_rate);
  ~opus_decoder();
  opus_decoder(opus_decoder&&) noexcept;
  opus_decoder& operator=(opus_decoder&&) noexcept;  // moved-from: only destroy or assign
  opus_decoder(const opus_decoder&) = delete;
  opus_decoder& operator=(const opus_decoder&) = delete;

  // Decodes one packet. A 20 ms packet yields 960 samples at 48 kHz (320 at
  // 16 kHz); other valid Opus durations (2.5 to 120 ms) yield their own length. Empty, oversized
  // and malformed packets give an error; the decoder stays usable afterwards.
  // A DTX packet (opus_dtx_packet_bytes or fewer) yields silence of its
  // duration without running the decoder.
  decode_result decode(const std::uint8_t* data, std::size_t size);
  decode_result decode(const std::vector<std::uint8_t>& packet) {
    return decode(packet.data(), packet.size());
  }

  // Packet-loss concealment: 20 ms that continue the last decoded audio.
  decode_result decode_lost();

  // Forgets the decoder's history, e.g. at a stream discontinuity.
  void reset();

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

struct encoder_config {
  int bitrate = 32000;  // bits per second
  int complexity = 9;   // 0 (cheapest) .. 10 (best)
  // The input's rate (8, 12, 16, 24 or 48 kHz). The packets decode at any
  // rate; 16 kHz input (the speech engines' own rate) skips an upsampler
  // and keeps the encoder in its cheaper wideband SILK mode.
  int sample_rate = opus_sample_rate;
  // Discontinuous transmission: in silence, 1-byte packets (see
  // opus_dtx_packet_bytes) with a refresh every 400 ms.
  bool dtx = false;
};

// Not thread-safe: one encoder per outgoing stream.
class opus_encoder {
 public:
  // Throws std::invalid_argument for a config libopus refuses.
  explicit opus_encoder(encoder_config config = {});
  ~opus_encoder();
  opus_encoder(opus_encoder&&) noexcept;
  opus_encoder& operator=(opus_encoder&&) noexcept;  // moved-from: only destroy or assign
  opus_encoder(const opus_encoder&) = delete;
  opus_encoder& operator=(const opus_encoder&) = delete;

  // Encodes exactly frame_samples() samples (20 ms at the input rate) into
  // one packet; any other count is an error.
  encode_result encode(const std::int16_t* pcm, std::size_t samples);
  encode_result encode(const std::vector<std::int16_t>& pcm) {
    return encode(pcm.data(), pcm.size());
  }

  std::size_t frame_samples() const;

  // Samples of delay the encoder adds: decoded audio lags the input by this.
  int lookahead_samples() const;

  void reset();

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace parley::audio
