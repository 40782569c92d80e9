#include "actors/transport/discord/rtp_packet.hpp"

namespace parley::discord {

const bytes opus_silence = {0xF8, 0xFF, 0xFE};

namespace {

std::uint16_t be16(const std::uint8_t* p) {
  return static_cast<std::uint16_t>((p[0] << 8) | p[1]);
}

std::uint32_t be32(const std::uint8_t* p) {
  return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) |
         std::uint32_t{p[3]};
}

void put32(bytes& out, std::uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<std::uint8_t>(v >> shift));
}

std::nullopt_t fail(std::string* error, const char* why) {
  if (error != nullptr) *error = why;
  return std::nullopt;
}

}  // namespace

std::optional<rtp_parts> split_rtp(const std::uint8_t* data, std::size_t size, std::string* error) {
  if (size > max_voice_packet) return fail(error, "packet larger than 1500 bytes");
  if (size < rtp_header_size) return fail(error, "shorter than an RTP header");
  if ((data[0] >> 6) != 2) return fail(error, "not RTP version 2");
  rtp_parts p;
  auto& h = p.header;
  h.has_extension = (data[0] & 0x10) != 0;
  h.payload_type = data[1] & 0x7F;
  h.sequence = be16(data + 2);
  h.timestamp = be32(data + 4);
  h.ssrc = be32(data + 8);
  const std::size_t csrcs = data[0] & 0x0F;
  h.clear_size = rtp_header_size + 4 * csrcs + (h.has_extension ? 4 : 0);
  if (size < h.clear_size + aead_tag_size + nonce_counter_size)
    return fail(error, "too short for its header, a tag and a nonce");
  if (h.has_extension) h.extension_words = be16(data + h.clear_size - 2);
  p.aad = data;
  p.aad_size = h.clear_size;
  p.sealed = data + h.clear_size;
  p.sealed_size = size - h.clear_size - nonce_counter_size;
  p.nonce = be32(data + size - nonce_counter_size);
  return p;
}

bytes make_rtp_header(std::uint16_t sequence, std::uint32_t timestamp, std::uint32_t ssrc) {
  bytes h = {0x80, opus_payload_type, static_cast<std::uint8_t>(sequence >> 8),
             static_cast<std::uint8_t>(sequence & 0xFF)};
  h.reserve(rtp_header_size);
  put32(h, timestamp);
  put32(h, ssrc);
  return h;
}

std::optional<bytes> strip_extension(const rtp_header& h, bytes plain) {
  const std::size_t body = std::size_t{h.extension_words} * 4;
  if (body > plain.size()) return std::nullopt;
  plain.erase(plain.begin(), plain.begin() + static_cast<std::ptrdiff_t>(body));
  return plain;
}

}  // namespace parley::discord
