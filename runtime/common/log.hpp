#pragma once
// Structured logging: one JSON object per line on stdout. Values registered
// as secrets are replaced before a line is written, wherever they appear.

#include <chrono>
#include <cstdio>
#include <functional>
#include <initializer_list>
#include <string>
#include <utility>
#include <vector>

#include <optional>

namespace parley::runtime {

enum class log_level { debug, info, warn, error };
std::string to_string(log_level l);
std::optional<log_level> parse_log_level(const std::string& s);

}  // namespace parley::runtime

namespace parley::log {

using field = std::pair<const char*, std::string>;
using fields = std::initializer_list<field>;

void set_level(runtime::log_level level);
bool enabled(runtime::log_level level);
// Lines go to `out` (stdout by default); tests point it at a temporary file.
void set_output(std::FILE* out);
// Any later line containing `secret` has it replaced by "[redacted]".
void add_secret(const std::string& secret);

// Identical info/warn lines (component and message) past `per_second` in a
// second are dropped, and the next written one carries "suppressed": N.
// Default 20; `clock` replaces the steady clock (tests). Errors and debug
// lines are never dropped.
void set_rate_limit(std::size_t per_second,
                    std::function<std::chrono::steady_clock::time_point()> clock = {});

// Error lines, redacted, also go to `hook` (e.g. the error reporter); it is
// called on the logging thread and must not block. Empty: none.
void set_error_hook(std::function<void(const std::string& json_line)> hook);

void write(runtime::log_level level, const char* component, const std::string& message,
           const std::vector<field>& extra = {});

inline void debug(const char* c, const std::string& m, fields f = {}) {
  write(runtime::log_level::debug, c, m, f);
}
inline void info(const char* c, const std::string& m, fields f = {}) {
  write(runtime::log_level::info, c, m, f);
}
inline void warn(const char* c, const std::string& m, fields f = {}) {
  write(runtime::log_level::warn, c, m, f);
}
inline void error(const char* c, const std::string& m, fields f = {}) {
  write(runtime::log_level::error, c, m, f);
}

}  // namespace parley::log
