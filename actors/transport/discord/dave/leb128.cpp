#include "actors/transport/discord/dave/leb128.hpp"

namespace parley::dave {

namespace {
constexpr std::uint8_t continuation = 0x80;
constexpr std::uint8_t payload_bits = 0x7F;
constexpr unsigned group_bits = 7;
}  // namespace

std::size_t leb128_size(std::uint64_t value) {
  std::size_t size = 1;
  while (value >= continuation) {
    value >>= group_bits;
    ++size;
  }
  return size;
}

void write_leb128(std::uint64_t value, std::vector<std::uint8_t>& out) {
  while (value >= continuation) {
    out.push_back(static_cast<std::uint8_t>(continuation | (value & payload_bits)));
    value >>= group_bits;
  }
  out.push_back(static_cast<std::uint8_t>(value));
}

std::optional<std::uint64_t> read_leb128(const std::uint8_t*& at, const std::uint8_t* end) {
  std::uint64_t value = 0;
  const std::uint8_t* p = at;
  for (unsigned shift = 0; p != end && shift < 64; shift += group_bits) {
    const std::uint8_t byte = *p++;
    const std::uint64_t group = byte & payload_bits;
    // The tenth byte holds bit 63 only; anything above it would be lost.
    if (shift == 63 && group > 1) return std::nullopt;
    value |= group << shift;
    if ((byte & continuation) == 0) {
      at = p;
      return value;
    }
  }
  return std::nullopt;
}

}  // namespace parley::dave
