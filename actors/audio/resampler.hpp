#pragma once
// Streaming resamplers between the wire rate (48 kHz, Opus) and the engines'
// rates (16 kHz pocketsphinx/flite, 22.05 kHz espeak-ng). Each object keeps
// the filter history of one stream: feed chunks of any size in order, and the
// output is the same as if the whole signal had been fed at once.

#include <cstddef>
#include <cstdint>
#include <vector>

namespace parley::audio {

// 48 kHz -> 16 kHz. The lowpass passes 0-6 kHz (ripple < 0.1 dB) and stops
// 7 kHz and up (60 dB at 7 kHz, >= 67 dB from 7.5 kHz): pocketsphinx's 16 kHz
// models only look at 130-6800 Hz, and a stopband that low also keeps out
// everything that would alias into that band. Delay: group_delay_samples().
class downsampler_48k_to_16k {
 public:
  downsampler_48k_to_16k();

  // Output k is computed at input sample 3k (counted from the first input
  // since construction or reset), so chunks whose sizes are multiples of 3
  // give exactly n / 3 samples: 960 in -> 320 out.
  std::vector<std::int16_t> process(const std::int16_t* in, std::size_t n);
  std::vector<std::int16_t> process(const std::vector<std::int16_t>& in) {
    return process(in.data(), in.size());
  }

  // Output samples by which the filter delays the signal (at 16 kHz).
  static double group_delay_samples();

  void reset();

 private:
  std::vector<float> history_;  // last taps-1 inputs, then the new chunk
  std::size_t next_ = 0;        // index in history_ of the next output's newest input
};

// 16 kHz -> 48 kHz (x3): polyphase interpolation. The lowpass passes 0-7 kHz
// and suppresses the images (>= 9 kHz) by >= 60 dB.
class upsampler_16k_to_48k {
 public:
  upsampler_16k_to_48k();

  // Returns exactly 3 * n samples: 320 in -> 960 out.
  std::vector<std::int16_t> process(const std::int16_t* in, std::size_t n);
  std::vector<std::int16_t> process(const std::vector<std::int16_t>& in) {
    return process(in.data(), in.size());
  }

  // Output samples by which the filter delays the signal (at 48 kHz).
  static double group_delay_samples();

  void reset();

 private:
  std::vector<float> history_;  // last taps_per_phase-1 inputs, then the new chunk
};

// Linear interpolation for ratios with no small integer form (22050 -> 48000).
// No anti-alias filter: meant for upsampling; downsampling with it aliases.
class linear_resampler {
 public:
  // Throws std::invalid_argument unless both rates are positive.
  linear_resampler(int in_rate, int out_rate);

  std::vector<std::int16_t> process(const std::int16_t* in, std::size_t n);
  std::vector<std::int16_t> process(const std::vector<std::int16_t>& in) {
    return process(in.data(), in.size());
  }

  void reset();

 private:
  std::int64_t in_step_;   // in_rate / gcd
  std::int64_t out_step_;  // out_rate / gcd
  // Position of the next output, in units of 1/out_step_ input samples,
  // counted from prev_ (the last sample of the previous chunk) at 0.
  std::int64_t pos_;
  float prev_ = 0.0F;
};

}  // namespace parley::audio
