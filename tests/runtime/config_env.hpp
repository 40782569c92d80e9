#pragma once
// load_config over a map instead of the process environment, for the
// config tests.

#include <map>
#include <optional>
#include <string>

#include "runtime/server/config.hpp"

namespace parley::test {

inline runtime::config_result load(std::map<std::string, std::string> env) {
  return runtime::load_config([env](const std::string& k) -> std::optional<std::string> {
    auto it = env.find(k);
    if (it == env.end()) return std::nullopt;
    return it->second;
  });
}

inline bool has_error(const runtime::config_result& r, const std::string& needle) {
  for (auto& e : r.errors)
    if (e.find(needle) != std::string::npos) return true;
  return false;
}

}  // namespace parley::test
