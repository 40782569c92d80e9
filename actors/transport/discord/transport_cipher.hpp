#pragma once
// Discord's transport encryption of voice packets, one interface for the two
// modes Discord still accepts (the voice docs): aead_aes256_gcm_rtpsize
// (OpenSSL; preferred when the server offers it) and
// aead_xchacha20_poly1305_rtpsize (libsodium; every client must have it).
// The nonce is a 32-bit counter sent after the ciphertext and zero-padded to
// the cipher's nonce size.

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "actors/transport/discord/rtp_packet.hpp"

namespace parley::discord {

using secret_key = std::array<std::uint8_t, 32>;

class transport_cipher {
 public:
  virtual ~transport_cipher() = default;
  // A whole packet: `header` in the clear, `payload` sealed, `nonce` after.
  virtual bytes seal(const bytes& header, const bytes& payload, std::uint32_t nonce) = 0;
  // The plaintext after the clear header (extension body included), or
  // nullopt when the tag does not verify.
  virtual std::optional<bytes> open(const rtp_parts& p) = 0;
  virtual const char* mode() const = 0;
};

constexpr const char* aes_gcm_mode = "aead_aes256_gcm_rtpsize";
constexpr const char* xchacha_mode = "aead_xchacha20_poly1305_rtpsize";

// The mode Parley selects from what the server offers: AES-GCM first, then
// XChaCha20; nullopt when neither is offered.
std::optional<std::string> choose_mode(const std::vector<std::string>& offered);

// Nullptr for a mode Parley does not speak.
std::unique_ptr<transport_cipher> make_cipher(const std::string& mode, const secret_key& key);

// Opens a received packet to its Opus payload: split, decrypt, strip the
// extension. Nullopt with `error` for anything that is not one.
std::optional<bytes> open_voice_packet(transport_cipher& cipher, const std::uint8_t* data,
                                       std::size_t size, rtp_header* header = nullptr,
                                       std::string* error = nullptr);

}  // namespace parley::discord
