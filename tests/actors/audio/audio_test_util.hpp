#pragma once
// Signal helpers shared by the audio tests.

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace parley::audio::test {

using pcm = std::vector<std::int16_t>;

// "go forward ten meters", real speech, 16 kHz s16le mono (pocketsphinx-testdata).
constexpr const char* goforward_path = "/usr/share/pocketsphinx/test/data/goforward.raw";
pcm load_raw(const std::string& path);

pcm sine(double freq_hz, double amplitude, int rate, std::size_t samples);
// Gaussian noise with the given RMS, from a fixed seed (reproducible).
pcm noise(double rms, std::size_t samples, unsigned seed);
pcm silence(std::size_t samples);
pcm concat(const std::vector<pcm>& parts);
// Sample-wise a + b, saturated; b is repeated/truncated to a's length.
pcm mix(const pcm& a, const pcm& b);
pcm scale(const pcm& x, double gain);
double rms(const pcm& x);

// Amplitude of the freq_hz component of x[begin, end) (projection on sin/cos).
double tone_amplitude(const pcm& x, double freq_hz, int rate, std::size_t begin, std::size_t end);

// Normalised correlation of a[i] with b[i + lag] over a's range [begin, end).
double correlation(const pcm& a, const pcm& b, std::ptrdiff_t lag, std::size_t begin,
                   std::size_t end);

struct best_lag {
  std::ptrdiff_t lag = 0;
  double corr = -1.0;
};
// The lag in [min_lag, max_lag] with the highest correlation.
best_lag find_best_lag(const pcm& a, const pcm& b, std::ptrdiff_t min_lag, std::ptrdiff_t max_lag,
                       std::size_t begin, std::size_t end);

}  // namespace parley::audio::test
