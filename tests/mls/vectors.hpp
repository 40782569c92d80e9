#pragma once
// Loads one file of the MLS interoperability vectors (tests/mls/vectors/,
// cipher suite 2 entries only) and converts their hex fields.

#include <cstdlib>
#include <fstream>
#include <string>

#include <nlohmann/json.hpp>

#include "actors/transport/discord/mls/codec.hpp"

namespace parley::mls::test {

inline nlohmann::json load_vectors(const std::string& name) {
  const char* root = std::getenv("PARLEY_SOURCE_DIR");
  std::string path = std::string(root ? root : ".") + "/tests/mls/vectors/" + name + ".json";
  std::ifstream in(path);
  if (!in) throw std::runtime_error("no vector file " + path);
  return nlohmann::json::parse(in);
}

inline bytes from_hex(const std::string& hex) {
  if (hex.size() % 2 != 0) throw std::runtime_error("odd hex length");
  bytes out;
  out.reserve(hex.size() / 2);
  for (std::size_t i = 0; i < hex.size(); i += 2) {
    out.push_back(static_cast<std::uint8_t>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  }
  return out;
}

inline bytes hex_field(const nlohmann::json& j, const char* key) {
  return from_hex(j.at(key).get<std::string>());
}

inline std::string to_hex(const bytes& data) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (auto b : data) {
    out.push_back(digits[b >> 4]);
    out.push_back(digits[b & 15]);
  }
  return out;
}

}  // namespace parley::mls::test
