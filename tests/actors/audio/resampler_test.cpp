#include "actors/audio/resampler.hpp"
#include "tests/actors/audio/audio_test_util.hpp"

#include <boost/test/unit_test.hpp>

#include <cmath>
#include <stdexcept>

using namespace parley::audio;
using namespace parley::audio::test;

namespace {

template <class Resampler>
pcm run_in_chunks(Resampler& r, const pcm& x, std::size_t chunk) {
  pcm out;
  for (std::size_t i = 0; i < x.size(); i += chunk) {
    auto part = r.process(x.data() + i, std::min(chunk, x.size() - i));
    out.insert(out.end(), part.begin(), part.end());
  }
  return out;
}

double db(double ratio) {
  return 20.0 * std::log10(ratio + 1e-12);
}

constexpr double amplitude = 10000.0;

// Level (dB re input amplitude) of a tone after 48 -> 16 kHz, measured where it
// lands at 16 kHz (frequencies above 8 kHz alias to 16 kHz - f).
double downsampled_level(double freq_hz) {
  downsampler_48k_to_16k down;
  const pcm y = run_in_chunks(down, sine(freq_hz, amplitude, 48000, 48000), 960);
  const double landed = freq_hz <= 8000.0 ? freq_hz : 16000.0 - freq_hz;
  return db(tone_amplitude(y, landed, 16000, 1600, y.size()) / amplitude);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(resampler)

// Measured: 1 kHz 0.00 dB, 6 kHz -0.01 dB, 7 kHz -60.1 dB, 9-15 kHz <= -74 dB.
BOOST_AUTO_TEST_CASE(downsampler_keeps_speech_band_and_stops_the_rest) {
  BOOST_TEST(std::abs(downsampled_level(1000.0)) < 0.1);
  BOOST_TEST(std::abs(downsampled_level(5000.0)) < 0.1);
  BOOST_TEST(downsampled_level(7000.0) < -55.0);
  // Tones that would alias into the speech band.
  for (double f : {9000.0, 10000.0, 12000.0, 15000.0})
    BOOST_TEST(downsampled_level(f) < -65.0, f << " Hz leaks through");
}

BOOST_AUTO_TEST_CASE(downsampler_output_does_not_depend_on_chunking) {
  const pcm x = upsampler_16k_to_48k().process(load_raw(goforward_path));
  downsampler_48k_to_16k by_frame;
  const pcm ref = run_in_chunks(by_frame, x, 960);
  BOOST_TEST(ref.size() == x.size() / 3);
  for (std::size_t chunk : {std::size_t{1}, std::size_t{7}, std::size_t{4096}}) {
    downsampler_48k_to_16k d;
    const pcm y = run_in_chunks(d, x, chunk);
    BOOST_TEST(y == ref, "chunk size " << chunk);
  }
  // Output k is computed at input 3k: after 960 inputs the next output is due
  // at input 960, so 2 more give 1, the next 1 gives none, the one after 1.
  downsampler_48k_to_16k d;
  BOOST_TEST(d.process(x.data(), 960).size() == 320u);
  BOOST_TEST(d.process(x.data(), 2).size() == 1u);
  BOOST_TEST(d.process(x.data(), 1).empty());
  BOOST_TEST(d.process(x.data(), 1).size() == 1u);
}

// Measured: 1 kHz 0.00 dB; its images at 15 and 17 kHz -81.6 and -89.9 dB.
BOOST_AUTO_TEST_CASE(upsampler_keeps_tone_and_removes_images) {
  upsampler_16k_to_48k up;
  const pcm y = run_in_chunks(up, sine(1000.0, amplitude, 16000, 16000), 320);
  BOOST_REQUIRE_EQUAL(y.size(), 48000u);
  BOOST_TEST(std::abs(db(tone_amplitude(y, 1000.0, 48000, 4800, y.size()) / amplitude)) < 0.1);
  for (double image : {15000.0, 17000.0})
    BOOST_TEST(db(tone_amplitude(y, image, 48000, 4800, y.size()) / amplitude) < -70.0,
               "image at " << image << " Hz");
}

BOOST_AUTO_TEST_CASE(upsampler_output_does_not_depend_on_chunking) {
  const pcm x = load_raw(goforward_path);
  upsampler_16k_to_48k by_frame;
  const pcm ref = run_in_chunks(by_frame, x, 320);
  BOOST_TEST(ref.size() == 3 * x.size());
  for (std::size_t chunk : {std::size_t{1}, std::size_t{13}, std::size_t{5000}}) {
    upsampler_16k_to_48k u;
    BOOST_TEST(run_in_chunks(u, x, chunk) == ref, "chunk size " << chunk);
  }
}

// Up then down is nearly transparent for real speech (measured 0.996), with
// the delay the two filters declare.
BOOST_AUTO_TEST_CASE(up_then_down_preserves_speech) {
  const pcm x = load_raw(goforward_path);
  upsampler_16k_to_48k up;
  downsampler_48k_to_16k down;
  const pcm y = down.process(up.process(x));
  const double delay = upsampler_16k_to_48k::group_delay_samples() / 3.0 +
                       downsampler_48k_to_16k::group_delay_samples();
  const auto best = find_best_lag(x, y, 0, 200, 0, x.size() - 200);
  BOOST_TEST_MESSAGE("up+down correlation " << best.corr << " at lag " << best.lag << " (declared "
                                            << delay << ")");
  BOOST_TEST(std::abs(static_cast<double>(best.lag) - delay) <= 1.0);
  BOOST_TEST(best.corr > 0.99);
}

BOOST_AUTO_TEST_CASE(reset_forgets_history) {
  const pcm x = sine(1000.0, amplitude, 48000, 960);
  downsampler_48k_to_16k d;
  const pcm first = d.process(x);
  d.process(x);
  d.reset();
  BOOST_TEST(d.process(x) == first);
  upsampler_16k_to_48k u;
  const pcm up_first = u.process(x.data(), 320);
  u.process(x.data(), 320);
  u.reset();
  BOOST_TEST(u.process(x.data(), 320) == up_first);
}

// espeak-ng's 22.05 kHz to the wire rate: the right number of samples, the
// tone at the right frequency and level, independent of chunking.
BOOST_AUTO_TEST_CASE(linear_resampler_converts_22050_to_48000) {
  const pcm x = sine(1000.0, amplitude, 22050, 22050);
  linear_resampler whole(22050, 48000);
  const pcm ref = whole.process(x);
  // Outputs at t = k * 22050/48000 s up to the last input sample: 47998 for
  // one second; the rest of the second follows with the next input.
  BOOST_TEST(std::abs(static_cast<long>(ref.size()) - 48000L) <= 3);
  BOOST_TEST(std::abs(db(tone_amplitude(ref, 1000.0, 48000, 0, 48000 - 100) / amplitude)) < 0.5);
  for (std::size_t chunk : {std::size_t{1}, std::size_t{441}, std::size_t{1000}}) {
    linear_resampler r(22050, 48000);
    BOOST_TEST(run_in_chunks(r, x, chunk) == ref, "chunk size " << chunk);
  }
  linear_resampler same(16000, 16000);
  BOOST_TEST(same.process(x) == x);
  BOOST_CHECK_THROW(linear_resampler(0, 48000), std::invalid_argument);
  BOOST_CHECK_THROW(linear_resampler(22050, -1), std::invalid_argument);
}

BOOST_AUTO_TEST_SUITE_END()
