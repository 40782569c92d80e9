#pragma once
// The one place between Opus and transport encryption where a per-frame
// end-to-end encryptor plugs in: DAVE (Discord's E2EE) encrypts each Opus
// frame per sender before the RTP packet is sealed, and decrypts each
// received one after it is opened. Until DAVE is spoken (protocol version 0)
// frames pass through unchanged.

#include <optional>
#include <string>

#include "actors/transport/discord/rtp_packet.hpp"

namespace parley::discord {

class media_transform {
 public:
  virtual ~media_transform() = default;
  virtual bytes outgoing(bytes opus) = 0;
  // Nullopt when a received frame cannot be decrypted (counted, dropped).
  virtual std::optional<bytes> incoming(const std::string& user, bytes frame) = 0;
};

class passthrough_media final : public media_transform {
 public:
  bytes outgoing(bytes opus) override { return opus; }
  std::optional<bytes> incoming(const std::string&, bytes frame) override { return frame; }
};

}  // namespace parley::discord
