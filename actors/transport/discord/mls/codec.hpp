#pragma once
// The TLS presentation language as MLS uses it (RFC 9420 §2.1): big-endian
// integers, variable-length vectors with a QUIC-style varint length, and
// optional values. Decoding is strict: every length is checked against what
// is left before it is read, non-minimal varints are refused, and a value
// must use its whole input. Any violation throws mls::error, which the
// caller at the edge turns into a logged rejection of that one message.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace parley::mls {

// Frees a buffer only after overwriting it (OPENSSL_cleanse): MLS buffers
// hold private keys and epoch secrets, so every one is wiped, not only the
// ones someone remembered to mark.
void wipe(void* data, std::size_t size);

template <class T>
struct wiping_allocator {
  using value_type = T;
  wiping_allocator() = default;
  template <class U>
  wiping_allocator(const wiping_allocator<U>&) {}  // NOLINT(google-explicit-constructor)
  T* allocate(std::size_t n) { return std::allocator<T>{}.allocate(n); }
  void deallocate(T* p, std::size_t n) {
    wipe(p, n * sizeof(T));
    std::allocator<T>{}.deallocate(p, n);
  }
  template <class U>
  bool operator==(const wiping_allocator<U>&) const {
    return true;
  }
  template <class U>
  bool operator!=(const wiping_allocator<U>&) const {
    return false;
  }
};

using bytes = std::vector<std::uint8_t, wiping_allocator<std::uint8_t>>;

// Every MLS failure (malformed input, a bad signature, a wrong epoch) is
// one of these: the message it came from is rejected, nothing else.
class error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class tls_writer {
 public:
  void u8(std::uint8_t v) { out_.push_back(v); }
  void u16(std::uint16_t v);
  void u32(std::uint32_t v);
  void u64(std::uint64_t v);
  void varint(std::uint64_t v);
  // opaque data<V>: varint length, then the bytes.
  void opaque(const bytes& v);
  void raw(const bytes& v) { out_.insert(out_.end(), v.begin(), v.end()); }
  // A vector<V> of structs: `write_items` writes the items into a nested
  // writer; its length prefixes them.
  template <class F>
  void vector(F&& write_items) {
    tls_writer inner;
    write_items(inner);
    opaque(inner.out_);
  }
  const bytes& data() const { return out_; }
  bytes take() { return std::move(out_); }

 private:
  bytes out_;
};

class tls_reader {
 public:
  tls_reader(const std::uint8_t* data, std::size_t size) : at_(data), end_(data + size) {}
  explicit tls_reader(const bytes& data) : tls_reader(data.data(), data.size()) {}

  std::uint8_t u8();
  std::uint16_t u16();
  std::uint32_t u32();
  std::uint64_t u64();
  std::uint64_t varint();
  bytes opaque();
  bytes raw(std::size_t n);
  // A vector<V> of structs: a reader over exactly its bytes; call
  // `read_item` until it is empty.
  template <class F>
  void vector(F&& read_item) {
    auto n = length();
    tls_reader inner(at_, n);
    at_ += n;
    while (!inner.empty()) read_item(inner);
  }
  // optional<T>: a presence byte of 0 or 1.
  bool present();
  bool empty() const { return at_ == end_; }
  std::size_t left() const { return static_cast<std::size_t>(end_ - at_); }
  // The input must be used up: trailing bytes are an error.
  void finish() const;
  const std::uint8_t* position() const { return at_; }

 private:
  std::size_t length();
  void need(std::size_t n) const;

  const std::uint8_t* at_;
  const std::uint8_t* end_;
};

// Decodes a whole value with `read(tls_reader&)`, refusing trailing bytes.
template <class T, class F>
T decode_all(const bytes& data, F&& read) {
  tls_reader r(data);
  T value = read(r);
  r.finish();
  return value;
}

}  // namespace parley::mls
