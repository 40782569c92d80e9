// Whatever arrives on a Discord voice UDP socket — RTP or not, truncated,
// oversized, with a lying extension — is opened to Opus or refused with a
// reason, never read out of bounds; IP discovery answers likewise. The same
// bytes read as a run of sequence numbers keep the jitter buffer honest:
// every frame it accepted comes out exactly once.

#include <cstdint>
#include <cstdlib>
#include <string>

#include "actors/transport/discord/ip_discovery.hpp"
#include "actors/transport/discord/jitter_buffer.hpp"
#include "actors/transport/discord/transport_cipher.hpp"

namespace {

void open_with_both(const std::uint8_t* data, std::size_t size) {
  using namespace parley::discord;
  static const secret_key key{};
  static auto aes = make_cipher(aes_gcm_mode, key);
  static auto xchacha = make_cipher(xchacha_mode, key);
  for (auto* c : {aes.get(), xchacha.get()}) {
    std::string why;
    if (!open_voice_packet(*c, data, size, nullptr, &why) && why.empty()) std::abort();
  }
  // A packet sealed from the same bytes always opens again.
  if (size >= rtp_header_size) {
    const bytes header(data, data + rtp_header_size);
    const bytes payload(data + rtp_header_size, data + size);
    auto sealed = aes->seal(header, payload, 1);
    if ((data[0] >> 6) == 2 && (data[0] & 0x1F) == 0 && sealed.size() <= max_voice_packet &&
        !open_voice_packet(*aes, sealed.data(), sealed.size()))
      std::abort();
  }
}

void reorder(const std::uint8_t* data, std::size_t size) {
  using namespace parley::discord;
  jitter_buffer b(3, 250);
  std::size_t accepted = 0, out = 0;
  for (std::size_t i = 0; i + 1 < size; i += 2) {
    const auto seq = static_cast<std::uint16_t>((data[i] << 8) | data[i + 1]);
    if (b.push({seq, 0, {}}) == jitter_buffer::verdict::accepted) ++accepted;
    out += b.pop().size();
  }
  out += b.drain().size();
  if (out != accepted || b.held() != 0) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  open_with_both(data, size);
  (void)parley::discord::read_ip_discovery(data, size);
  reorder(data, size);
  return 0;
}
