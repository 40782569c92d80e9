#include "actors/tts/null_tts_engine.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <vector>

namespace parley::tts {

namespace {
constexpr double pi = 3.14159265358979323846;
}  // namespace

null_engine::null_engine(null_tts_config config) : config_(config) {
  if (config_.sample_rate <= 0 || config_.duration.count() < 0) {
    throw std::invalid_argument("null tts: sample rate must be positive, duration not negative");
  }
}

bool null_engine::synthesize(const std::string& /*sentence*/,
                             const std::function<bool(const int16_t*, size_t)>& sink) {
  const auto rate = static_cast<std::size_t>(config_.sample_rate);
  const std::size_t total = rate * static_cast<std::size_t>(config_.duration.count()) / 1000;
  const std::size_t chunk = std::max<std::size_t>(1, rate / 50);  // 20 ms
  const double step = 2.0 * pi * config_.frequency_hz / config_.sample_rate;
  std::vector<int16_t> buffer(chunk);
  for (std::size_t at = 0; at < total; at += chunk) {
    const std::size_t n = std::min(chunk, total - at);
    for (std::size_t i = 0; i < n; ++i) {
      buffer[i] = static_cast<int16_t>(config_.amplitude * std::sin(step * (at + i)));
    }
    if (!sink(buffer.data(), n)) return false;
  }
  return true;
}

}  // namespace parley::tts
