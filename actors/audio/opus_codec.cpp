#include "actors/audio/opus_codec.hpp"

#include <opus.h>

#include <stdexcept>

namespace parley::audio {

namespace {

// The longest packet Opus allows is 120 ms.
constexpr int max_decoded_samples = opus_sample_rate / 1000 * 120;

std::string opus_error(const char* what, int code) {
  return std::string(what) + ": " + opus_strerror(code);
}

}  // namespace

struct opus_decoder::impl {
  OpusDecoder* dec = nullptr;
  int sample_rate = opus_sample_rate;
  std::size_t frame_samples = opus_frame_samples;  // 20 ms at the output rate
  // Room for the longest packet; results are copied out at their real length.
  std::vector<opus_int16> scratch = std::vector<opus_int16>(max_decoded_samples);
  ~impl() { opus_decoder_destroy(dec); }
};

opus_decoder::opus_decoder(int sample_rate) : impl_(std::make_unique<impl>()) {
  int err = OPUS_OK;
  impl_->dec = opus_decoder_create(sample_rate, 1, &err);
  impl_->sample_rate = sample_rate;
  impl_->frame_samples = static_cast<std::size_t>(sample_rate / 50);
  if (err != OPUS_OK || impl_->dec == nullptr)
    throw std::runtime_error(opus_error("opus_decoder_create", err));
}

opus_decoder::~opus_decoder() = default;
opus_decoder::opus_decoder(opus_decoder&&) noexcept = default;
opus_decoder& opus_decoder::operator=(opus_decoder&&) noexcept = default;

decode_result opus_decoder::decode(const std::uint8_t* data, std::size_t size) {
  decode_result res;
  // An empty packet would make libopus run concealment: loss is explicit here.
  if (data == nullptr || size == 0) {
    res.error = "empty opus packet";
    return res;
  }
  if (size > opus_max_packet_bytes) {
    res.error = "opus packet too large: " + std::to_string(size) + " bytes";
    return res;
  }
  // DTX: the sender had nothing to say. libopus would extrapolate the last
  // frame at the cost of decoding speech; silence is what it stands for, and
  // silent speakers are most of a server's streams.
  if (size <= opus_dtx_packet_bytes) {
    const unsigned char* frames[48];
    opus_int16 sizes[48];
    const int count =
        opus_packet_parse(data, static_cast<opus_int32>(size), nullptr, frames, sizes, nullptr);
    if (count > 0) {
      const int per_frame = opus_packet_get_samples_per_frame(data, impl_->sample_rate);
      res.pcm.assign(static_cast<std::size_t>(count) * static_cast<std::size_t>(per_frame), 0);
      return res;
    }
  }
  auto& buf = impl_->scratch;
  int n = opus_decode(impl_->dec, data, static_cast<opus_int32>(size), buf.data(),
                      max_decoded_samples, 0);
  if (n < 0) {
    res.error = opus_error("opus_decode", n);
    return res;
  }
  res.pcm.assign(buf.begin(), buf.begin() + n);
  return res;
}

decode_result opus_decoder::decode_lost() {
  decode_result res;
  res.pcm.resize(impl_->frame_samples);
  int n = opus_decode(impl_->dec, nullptr, 0, res.pcm.data(),
                      static_cast<int>(impl_->frame_samples), 0);
  if (n < 0) {
    res.pcm.clear();
    res.error = opus_error("opus_decode (concealment)", n);
    return res;
  }
  res.pcm.resize(static_cast<std::size_t>(n));
  return res;
}

void opus_decoder::reset() {
  opus_decoder_ctl(impl_->dec, OPUS_RESET_STATE);
}

struct opus_encoder::impl {
  OpusEncoder* enc = nullptr;
  std::size_t frame_samples = opus_frame_samples;
  // Room for the largest packet; each packet is copied out at its own size.
  std::vector<unsigned char> scratch = std::vector<unsigned char>(opus_max_packet_bytes);
  ~impl() { opus_encoder_destroy(enc); }
};

opus_encoder::opus_encoder(encoder_config config) : impl_(std::make_unique<impl>()) {
  int err = OPUS_OK;
  impl_->enc = opus_encoder_create(config.sample_rate, 1, OPUS_APPLICATION_VOIP, &err);
  if (err == OPUS_BAD_ARG) throw std::invalid_argument(opus_error("opus sample rate", err));
  if (err != OPUS_OK || impl_->enc == nullptr)
    throw std::runtime_error(opus_error("opus_encoder_create", err));
  impl_->frame_samples = static_cast<std::size_t>(config.sample_rate / 50);
  err = opus_encoder_ctl(impl_->enc, OPUS_SET_BITRATE(config.bitrate));
  if (err != OPUS_OK) throw std::invalid_argument(opus_error("opus bitrate", err));
  err = opus_encoder_ctl(impl_->enc, OPUS_SET_COMPLEXITY(config.complexity));
  if (err != OPUS_OK) throw std::invalid_argument(opus_error("opus complexity", err));
  // Everything this server encodes is speech.
  opus_encoder_ctl(impl_->enc, OPUS_SET_SIGNAL(OPUS_SIGNAL_VOICE));
  if (config.dtx) opus_encoder_ctl(impl_->enc, OPUS_SET_DTX(1));
}

opus_encoder::~opus_encoder() = default;
opus_encoder::opus_encoder(opus_encoder&&) noexcept = default;
opus_encoder& opus_encoder::operator=(opus_encoder&&) noexcept = default;

encode_result opus_encoder::encode(const std::int16_t* pcm, std::size_t samples) {
  encode_result res;
  if (pcm == nullptr || samples != impl_->frame_samples) {
    res.error = "opus_encode needs " + std::to_string(impl_->frame_samples) + " samples, got " +
                std::to_string(samples);
    return res;
  }
  auto& buf = impl_->scratch;
  const opus_int32 n = opus_encode(impl_->enc, pcm, static_cast<int>(samples), buf.data(),
                                   static_cast<opus_int32>(buf.size()));
  if (n < 0) {
    res.error = opus_error("opus_encode", n);
    return res;
  }
  // Not resize() of a 4000-byte vector: its capacity would stay, and reply
  // packets kept for resuming members held 4 KB each for ~60 bytes of audio
  // (a soak grew by ~1 MB a minute per speaker until the resume log was full).
  res.packet.assign(buf.begin(), buf.begin() + n);
  return res;
}

std::size_t opus_encoder::frame_samples() const {
  return impl_->frame_samples;
}

int opus_encoder::lookahead_samples() const {
  opus_int32 lookahead = 0;
  opus_encoder_ctl(impl_->enc, OPUS_GET_LOOKAHEAD(&lookahead));
  return lookahead;
}

void opus_encoder::reset() {
  opus_encoder_ctl(impl_->enc, OPUS_RESET_STATE);
}

}  // namespace parley::audio
