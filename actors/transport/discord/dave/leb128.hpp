#pragma once
// ULEB128 (unsigned little-endian base 128), the variable-length integer
// DAVE's media frame footer uses for the nonce and the unencrypted ranges
// (the whitepaper's "ULEB128 Encoding"): seven bits a byte, low group
// first, the top bit set on every byte but the last.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

namespace parley::dave {

// A 64-bit value never needs more than ten bytes.
constexpr std::size_t leb128_max_size = 10;

std::size_t leb128_size(std::uint64_t value);

// Appends the minimal encoding of `value`.
void write_leb128(std::uint64_t value, std::vector<std::uint8_t>& out);

// Reads one value from [at, end) and moves `at` past it. Nullopt (with `at`
// unchanged) when the input ends inside the value or the value does not fit
// in 64 bits. Padded encodings (a redundant 0x80 group) are accepted as
// libdave accepts them: they change nothing a frame authenticates.
std::optional<std::uint64_t> read_leb128(const std::uint8_t*& at, const std::uint8_t* end);

}  // namespace parley::dave
