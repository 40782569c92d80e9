#include "actors/audio/resampler.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>

namespace parley::audio {

namespace {

constexpr double pi = 3.14159265358979323846;
constexpr double high_rate = 48000.0;

// Zeroth-order modified Bessel function, for the Kaiser window.
double bessel_i0(double x) {
  double sum = 1.0;
  double term = 1.0;
  for (int k = 1; k < 50 && term > 1e-12 * sum; ++k) {
    term *= (x / (2.0 * k)) * (x / (2.0 * k));
    sum += term;
  }
  return sum;
}

// Kaiser-windowed sinc lowpass with unit DC gain. beta 5.65 gives ~60 dB
// stopband; the tap count sets the transition width (Kaiser's formula).
std::vector<float> design_lowpass(std::size_t taps, double cutoff_hz, double beta) {
  std::vector<double> h(taps);
  const double mid = (static_cast<double>(taps) - 1.0) / 2.0;
  const double fc = cutoff_hz / high_rate;
  for (std::size_t i = 0; i < taps; ++i) {
    const double t = static_cast<double>(i) - mid;
    const double sinc = t == 0.0 ? 2.0 * fc : std::sin(2.0 * pi * fc * t) / (pi * t);
    const double r = t / mid;
    h[i] = sinc * bessel_i0(beta * std::sqrt(1.0 - r * r)) / bessel_i0(beta);
  }
  const double gain = std::accumulate(h.begin(), h.end(), 0.0);
  std::vector<float> out(taps);
  std::transform(h.begin(), h.end(), out.begin(),
                 [gain](double v) { return static_cast<float>(v / gain); });
  return out;
}

constexpr double kaiser_beta_60db = 5.65;
// 6.0-7.0 kHz transition at 48 kHz needs 175 taps for 60 dB.
constexpr std::size_t down_taps = 175;
constexpr double down_cutoff_hz = 6500.0;
// 7-9 kHz transition needs 87 taps; 90 splits into 3 phases of 30.
constexpr std::size_t up_taps = 90;
constexpr double up_cutoff_hz = 8000.0;
constexpr std::size_t up_factor = 3;
constexpr std::size_t up_phase_taps = up_taps / up_factor;

// Stored reversed so that each output is a forward dot product with history.
const std::vector<float>& down_filter() {
  static const std::vector<float> h = [] {
    auto v = design_lowpass(down_taps, down_cutoff_hz, kaiser_beta_60db);
    std::reverse(v.begin(), v.end());
    return v;
  }();
  return h;
}

// phases[p][i] multiplies input x[m - (phase_taps-1) + i] for output 3m + p;
// the factor 3 restores the gain lost by zero-stuffing.
const std::vector<std::vector<float>>& up_phases() {
  static const std::vector<std::vector<float>> phases = [] {
    auto h = design_lowpass(up_taps, up_cutoff_hz, kaiser_beta_60db);
    std::vector<std::vector<float>> out(up_factor, std::vector<float>(up_phase_taps));
    for (std::size_t p = 0; p < up_factor; ++p)
      for (std::size_t k = 0; k < up_phase_taps; ++k)
        out[p][up_phase_taps - 1 - k] = static_cast<float>(up_factor) * h[up_factor * k + p];
    return out;
  }();
  return phases;
}

// Four independent sums let the compiler use SIMD without -ffast-math.
float dot(const float* a, const float* b, std::size_t n) {
  float acc[4] = {0.0F, 0.0F, 0.0F, 0.0F};
  std::size_t i = 0;
  for (; i + 4 <= n; i += 4)
    for (std::size_t k = 0; k < 4; ++k) acc[k] += a[i + k] * b[i + k];
  for (; i < n; ++i) acc[0] += a[i] * b[i];
  return (acc[0] + acc[1]) + (acc[2] + acc[3]);
}

std::int16_t to_sample(float v) {
  const long r = std::lround(v);
  return static_cast<std::int16_t>(std::clamp(r, -32768L, 32767L));
}

void append(std::vector<float>& buf, const std::int16_t* in, std::size_t n) {
  buf.reserve(buf.size() + n);
  for (std::size_t i = 0; i < n; ++i) buf.push_back(static_cast<float>(in[i]));
}

// Keeps only the last `keep` elements.
void keep_tail(std::vector<float>& buf, std::size_t keep) {
  if (buf.size() > keep) buf.erase(buf.begin(), buf.end() - static_cast<std::ptrdiff_t>(keep));
}

}  // namespace

downsampler_48k_to_16k::downsampler_48k_to_16k() {
  reset();
}

void downsampler_48k_to_16k::reset() {
  history_.assign(down_taps - 1, 0.0F);
  next_ = down_taps - 1;
}

double downsampler_48k_to_16k::group_delay_samples() {
  return (static_cast<double>(down_taps) - 1.0) / 2.0 / 3.0;
}

std::vector<std::int16_t> downsampler_48k_to_16k::process(const std::int16_t* in, std::size_t n) {
  const auto& h = down_filter();
  append(history_, in, n);
  std::vector<std::int16_t> out;
  out.reserve(n / 3 + 1);
  // Only every third filter output is computed: decimation folded into the FIR.
  for (; next_ < history_.size(); next_ += 3)
    out.push_back(to_sample(dot(h.data(), &history_[next_ + 1 - down_taps], down_taps)));
  const std::size_t dropped = history_.size() - (down_taps - 1);
  keep_tail(history_, down_taps - 1);
  next_ -= dropped;
  return out;
}

upsampler_16k_to_48k::upsampler_16k_to_48k() {
  reset();
}

void upsampler_16k_to_48k::reset() {
  history_.assign(up_phase_taps - 1, 0.0F);
}

double upsampler_16k_to_48k::group_delay_samples() {
  return (static_cast<double>(up_taps) - 1.0) / 2.0;
}

std::vector<std::int16_t> upsampler_16k_to_48k::process(const std::int16_t* in, std::size_t n) {
  const auto& phases = up_phases();
  append(history_, in, n);
  std::vector<std::int16_t> out;
  out.reserve(up_factor * n);
  for (std::size_t m = 0; m < n; ++m) {
    const float* window = &history_[m];
    for (const auto& phase : phases)
      out.push_back(to_sample(dot(phase.data(), window, up_phase_taps)));
  }
  keep_tail(history_, up_phase_taps - 1);
  return out;
}

linear_resampler::linear_resampler(int in_rate, int out_rate) {
  if (in_rate <= 0 || out_rate <= 0)
    throw std::invalid_argument("linear_resampler: rates must be positive");
  const int g = std::gcd(in_rate, out_rate);
  in_step_ = in_rate / g;
  out_step_ = out_rate / g;
  reset();
}

void linear_resampler::reset() {
  pos_ = out_step_;  // the first output is the first input sample
  prev_ = 0.0F;
}

std::vector<std::int16_t> linear_resampler::process(const std::int16_t* in, std::size_t n) {
  std::vector<std::int16_t> out;
  if (n == 0) return out;
  const std::int64_t end = static_cast<std::int64_t>(n) * out_step_;
  if (pos_ <= end) out.reserve(static_cast<std::size_t>((end - pos_) / in_step_ + 1));
  // Index i in [0, n] of the "extended" chunk: 0 is prev_, i is in[i - 1].
  auto at = [&](std::int64_t i) { return i == 0 ? prev_ : static_cast<float>(in[i - 1]); };
  for (; pos_ <= end; pos_ += in_step_) {
    const std::int64_t i = pos_ / out_step_;
    const std::int64_t rem = pos_ % out_step_;
    if (rem == 0) {  // exactly on an input sample (and i + 1 may not exist yet)
      out.push_back(to_sample(at(i)));
      continue;
    }
    const float frac = static_cast<float>(rem) / static_cast<float>(out_step_);
    out.push_back(to_sample(at(i) + (at(i + 1) - at(i)) * frac));
  }
  pos_ -= end;
  prev_ = static_cast<float>(in[n - 1]);
  return out;
}

}  // namespace parley::audio
