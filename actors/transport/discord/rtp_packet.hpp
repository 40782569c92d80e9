#pragma once
// Discord's voice packets: RTP (RFC 3550) with Opus as payload type 120,
// framed the "rtpsize" way (Discord's voice docs): the header — and, when
// the X bit is set, the 4-byte extension header but not its body — is
// authenticated in the clear; everything after it is encrypted; a 32-bit
// big-endian nonce counter follows the ciphertext.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace parley::discord {

using bytes = std::vector<std::uint8_t>;

constexpr std::uint8_t opus_payload_type = 0x78;
constexpr std::size_t rtp_header_size = 12;
constexpr std::size_t nonce_counter_size = 4;
constexpr std::size_t aead_tag_size = 16;
// Larger than any Opus packet Discord sends plus headers; anything bigger
// is refused before it is read.
constexpr std::size_t max_voice_packet = 1500;

struct rtp_header {
  std::uint16_t sequence = 0;
  std::uint32_t timestamp = 0;
  std::uint32_t ssrc = 0;
  std::uint8_t payload_type = opus_payload_type;
  bool has_extension = false;
  std::uint16_t extension_words = 0;         // the encrypted extension body, in 32-bit words
  std::size_t clear_size = rtp_header_size;  // bytes authenticated in the clear
};

// An encrypted packet split into its parts. `aad` is the clear part;
// `sealed` the ciphertext with its tag; `nonce` the 4-byte counter.
struct rtp_parts {
  rtp_header header;
  const std::uint8_t* aad = nullptr;
  std::size_t aad_size = 0;
  const std::uint8_t* sealed = nullptr;
  std::size_t sealed_size = 0;
  std::uint32_t nonce = 0;
};

// Splits a received packet; nullopt (and `error`) when it is not RTP
// version 2, is truncated or oversized, or too short for a tag and nonce.
std::optional<rtp_parts> split_rtp(const std::uint8_t* data, std::size_t size,
                                   std::string* error = nullptr);

// The 12-byte header Parley sends (no CSRCs, no extension).
bytes make_rtp_header(std::uint16_t sequence, std::uint32_t timestamp, std::uint32_t ssrc);

// After decryption: the Opus payload, past the extension body the rtpsize
// modes encrypt with it. Nullopt when the extension claims more than is there.
std::optional<bytes> strip_extension(const rtp_header& h, bytes plain);

// The 3-byte Opus frame of silence; five follow the last frame of speech.
extern const bytes opus_silence;

}  // namespace parley::discord
