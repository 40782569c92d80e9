#include "tests/actors/audio/audio_test_util.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <iterator>
#include <random>
#include <stdexcept>

namespace parley::audio::test {

namespace {
constexpr double pi = 3.14159265358979323846;

std::int16_t saturate(double v) {
  return static_cast<std::int16_t>(std::clamp(std::lround(v), -32768L, 32767L));
}
}  // namespace

pcm load_raw(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot open " + path);
  std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  pcm out(bytes.size() / 2);
  for (std::size_t i = 0; i < out.size(); ++i) {
    auto lo = static_cast<unsigned char>(bytes[2 * i]);
    auto hi = static_cast<unsigned char>(bytes[2 * i + 1]);
    out[i] = static_cast<std::int16_t>(static_cast<std::uint16_t>(lo | (hi << 8)));
  }
  return out;
}

pcm sine(double freq_hz, double amplitude, int rate, std::size_t samples) {
  pcm out(samples);
  for (std::size_t i = 0; i < samples; ++i)
    out[i] = saturate(amplitude * std::sin(2.0 * pi * freq_hz * static_cast<double>(i) / rate));
  return out;
}

pcm noise(double rms, std::size_t samples, unsigned seed) {
  std::mt19937 gen(seed);
  std::normal_distribution<double> dist(0.0, rms);
  pcm out(samples);
  for (auto& s : out) s = saturate(dist(gen));
  return out;
}

pcm silence(std::size_t samples) {
  return pcm(samples, 0);
}

pcm concat(const std::vector<pcm>& parts) {
  pcm out;
  for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

pcm mix(const pcm& a, const pcm& b) {
  pcm out(a.size());
  for (std::size_t i = 0; i < a.size(); ++i)
    out[i] = saturate(static_cast<double>(a[i]) + (b.empty() ? 0 : b[i % b.size()]));
  return out;
}

pcm scale(const pcm& x, double gain) {
  pcm out(x.size());
  std::transform(x.begin(), x.end(), out.begin(),
                 [gain](std::int16_t s) { return saturate(s * gain); });
  return out;
}

double rms(const pcm& x) {
  double sum = 0.0;
  for (auto s : x) sum += static_cast<double>(s) * s;
  return x.empty() ? 0.0 : std::sqrt(sum / static_cast<double>(x.size()));
}

double tone_amplitude(const pcm& x, double freq_hz, int rate, std::size_t begin, std::size_t end) {
  double re = 0.0;
  double im = 0.0;
  for (std::size_t i = begin; i < end; ++i) {
    const double ph = 2.0 * pi * freq_hz * static_cast<double>(i) / rate;
    re += x[i] * std::cos(ph);
    im += x[i] * std::sin(ph);
  }
  return 2.0 * std::hypot(re, im) / static_cast<double>(end - begin);
}

double correlation(const pcm& a, const pcm& b, std::ptrdiff_t lag, std::size_t begin,
                   std::size_t end) {
  double ab = 0.0;
  double aa = 0.0;
  double bb = 0.0;
  for (std::size_t i = begin; i < end; ++i) {
    const auto j = static_cast<std::ptrdiff_t>(i) + lag;
    if (j < 0 || j >= static_cast<std::ptrdiff_t>(b.size())) continue;
    const double x = a[i];
    const double y = b[static_cast<std::size_t>(j)];
    ab += x * y;
    aa += x * x;
    bb += y * y;
  }
  return aa > 0.0 && bb > 0.0 ? ab / std::sqrt(aa * bb) : 0.0;
}

best_lag find_best_lag(const pcm& a, const pcm& b, std::ptrdiff_t min_lag, std::ptrdiff_t max_lag,
                       std::size_t begin, std::size_t end) {
  best_lag best;
  for (std::ptrdiff_t lag = min_lag; lag <= max_lag; ++lag) {
    const double c = correlation(a, b, lag, begin, end);
    if (c > best.corr) best = {lag, c};
  }
  return best;
}

}  // namespace parley::audio::test
