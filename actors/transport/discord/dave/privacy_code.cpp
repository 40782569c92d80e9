#include "actors/transport/discord/dave/privacy_code.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <array>

namespace parley::dave {

namespace {

constexpr std::size_t max_group_size = 8;  // a group's bytes fit a uint64
constexpr std::size_t privacy_code_digits = 30;
constexpr std::size_t verification_code_digits = 45;
constexpr std::size_t code_group = 5;

constexpr std::array<std::uint8_t, 16> fingerprint_salt = {
    0x24, 0xca, 0xb1, 0x7a, 0x7a, 0xf8, 0xec, 0x2b, 0x82, 0xb4, 0x12, 0xb9, 0x2d, 0xab, 0x19, 0x2e};
constexpr std::uint64_t scrypt_n = 16384;
constexpr std::uint64_t scrypt_r = 8;
constexpr std::uint64_t scrypt_p = 2;
constexpr std::uint64_t scrypt_max_memory = 32 * 1024 * 1024;
constexpr std::size_t fingerprint_size = 64;

}  // namespace

std::string displayable_code(const mls::bytes& data, std::size_t length, std::size_t group_size) {
  if (group_size == 0 || group_size > max_group_size)
    throw mls::error("dave: displayable code group size must be 1 to 8");
  if (length % group_size != 0)
    throw mls::error("dave: displayable code length is not a multiple of its group size");
  if (data.size() < length) throw mls::error("dave: too little data for the displayable code");

  std::uint64_t modulus = 1;
  for (std::size_t i = 0; i < group_size; ++i) modulus *= 10;
  std::string code;
  for (std::size_t at = 0; at < length; at += group_size) {
    std::uint64_t value = 0;
    for (std::size_t j = 0; j < group_size; ++j) value = (value << 8) | data[at + j];
    auto digits = std::to_string(value % modulus);
    code += std::string(group_size - digits.size(), '0') + digits;
  }
  return code;
}

std::string voice_privacy_code(const mls::bytes& epoch_authenticator) {
  return displayable_code(epoch_authenticator, privacy_code_digits, code_group);
}

mls::bytes key_fingerprint(std::uint16_t version, const mls::bytes& public_key,
                           std::uint64_t user_id) {
  if (version != 0) throw mls::error("dave: unsupported fingerprint version");
  if (public_key.empty()) throw mls::error("dave: empty key to fingerprint");
  mls::tls_writer w;
  w.u16(version);
  w.raw(public_key);
  w.u64(user_id);
  return w.take();
}

mls::bytes pairwise_fingerprint(std::uint16_t version, const mls::bytes& local_key,
                                std::uint64_t local_user, const mls::bytes& remote_key,
                                std::uint64_t remote_user) {
  auto a = key_fingerprint(version, local_key, local_user);
  auto b = key_fingerprint(version, remote_key, remote_user);
  // Unsigned lexicographic order, a shorter prefix first.
  if (std::lexicographical_compare(b.begin(), b.end(), a.begin(), a.end())) std::swap(a, b);
  a.insert(a.end(), b.begin(), b.end());

  mls::bytes out(fingerprint_size);
  if (EVP_PBE_scrypt(reinterpret_cast<const char*>(a.data()), a.size(), fingerprint_salt.data(),
                     fingerprint_salt.size(), scrypt_n, scrypt_r, scrypt_p, scrypt_max_memory,
                     out.data(), out.size()) != 1)
    throw mls::error("dave: scrypt failed");
  return out;
}

std::string verification_code(const mls::bytes& fingerprint) {
  return displayable_code(fingerprint, verification_code_digits, code_group);
}

}  // namespace parley::dave
