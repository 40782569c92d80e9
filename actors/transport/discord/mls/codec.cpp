#include "actors/transport/discord/mls/codec.hpp"

#include <openssl/crypto.h>

namespace parley::mls {

void wipe(void* data, std::size_t size) {
  OPENSSL_cleanse(data, size);
}

namespace {

void put_be(bytes& out, std::uint64_t v, int size) {
  for (int i = size - 1; i >= 0; --i) out.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
}

}  // namespace

void tls_writer::u16(std::uint16_t v) {
  put_be(out_, v, 2);
}
void tls_writer::u32(std::uint32_t v) {
  put_be(out_, v, 4);
}
void tls_writer::u64(std::uint64_t v) {
  put_be(out_, v, 8);
}

void tls_writer::varint(std::uint64_t v) {
  // RFC 9420 §2.1.2: 1, 2 or 4 bytes with the length in the top two bits.
  if (v < 0x40) {
    put_be(out_, v, 1);
  } else if (v < 0x4000) {
    put_be(out_, v | 0x4000, 2);
  } else if (v < 0x40000000) {
    put_be(out_, v | 0x80000000, 4);
  } else {
    throw error("varint: value too large");
  }
}

void tls_writer::opaque(const bytes& v) {
  varint(v.size());
  raw(v);
}

void tls_reader::need(std::size_t n) const {
  if (left() < n)
    throw error("truncated: needs " + std::to_string(n) + " bytes, " + std::to_string(left()) +
                " left");
}

std::uint8_t tls_reader::u8() {
  need(1);
  return *at_++;
}

std::uint16_t tls_reader::u16() {
  need(2);
  auto v = static_cast<std::uint16_t>((at_[0] << 8) | at_[1]);
  at_ += 2;
  return v;
}

std::uint32_t tls_reader::u32() {
  need(4);
  std::uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v = (v << 8) | *at_++;
  return v;
}

std::uint64_t tls_reader::u64() {
  need(8);
  std::uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | *at_++;
  return v;
}

std::uint64_t tls_reader::varint() {
  need(1);
  const int prefix = *at_ >> 6;
  if (prefix == 3) throw error("varint: invalid length prefix");
  const std::size_t size = std::size_t{1} << prefix;
  need(size);
  std::uint64_t v = *at_++ & 0x3f;
  for (std::size_t i = 1; i < size; ++i) v = (v << 8) | *at_++;
  // A value written longer than it needs is refused (§2.1.2).
  if ((size == 2 && v < 0x40) || (size == 4 && v < 0x4000)) {
    throw error("varint: not minimally encoded");
  }
  return v;
}

std::size_t tls_reader::length() {
  auto n = varint();
  need(static_cast<std::size_t>(n));
  return static_cast<std::size_t>(n);
}

bytes tls_reader::opaque() {
  return raw(length());
}

bytes tls_reader::raw(std::size_t n) {
  need(n);
  bytes v(at_, at_ + n);
  at_ += n;
  return v;
}

bool tls_reader::present() {
  auto flag = u8();
  if (flag > 1) throw error("optional: presence byte is not 0 or 1");
  return flag == 1;
}

void tls_reader::finish() const {
  if (!empty()) throw error(std::to_string(left()) + " trailing bytes");
}

}  // namespace parley::mls
