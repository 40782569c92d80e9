#include "actors/audio/voice_activity.hpp"
#include "tests/actors/audio/audio_test_util.hpp"

#include <boost/test/unit_test.hpp>

#include <string>

using namespace parley::audio;
using namespace parley::audio::test;
using namespace std::chrono_literals;

namespace {

// Where the speech in goforward.raw is, read off its 20 ms energy profile: the
// recording's own noise sits near -57 dBFS; "go" starts with the first frame
// 20 dB above it (0.50 s), "meters" ends with the last frame 10 dB above it
// (2.38 s). These are properties of the data, not outputs of the detector.
constexpr double true_onset_s = 0.50;
constexpr double true_end_s = 2.38;
constexpr double pad_s = 1.0;
// The recording's noise level, for padding with matching noise.
constexpr double file_noise_rms = 46.0;  // ~-57 dBFS

struct event_at {
  vad_event what;
  double at_s;      // stream position when feed() returned it
  double marked_s;  // speech_start_time() or speech_end_time() at that moment
};

std::vector<event_at> run(const pcm& x, vad_config config = {}, std::size_t frame = 320) {
  voice_activity_detector vad(config);
  std::vector<event_at> events;
  for (std::size_t i = 0; i + frame <= x.size(); i += frame) {
    const auto ev = vad.feed(x.data() + i, frame);
    const double at = static_cast<double>(vad.position().count()) / 1e6;
    if (ev == vad_event::speech_started)
      events.push_back({ev, at, static_cast<double>(vad.speech_start_time().count()) / 1e6});
    else if (ev == vad_event::speech_ended)
      events.push_back({ev, at, static_cast<double>(vad.speech_end_time().count()) / 1e6});
  }
  return events;
}

std::size_t samples(double seconds) {
  return static_cast<std::size_t>(seconds * 16000.0);
}

pcm padded_goforward() {
  return concat({silence(samples(pad_s)), load_raw(goforward_path), silence(samples(pad_s))});
}

// Noise of the recording's own level under the whole signal, padding included.
pcm with_noise(const pcm& x) {
  return mix(x, noise(file_noise_rms, x.size(), 7));
}

// One utterance whose times match the true speech in the padded recording.
void check_one_utterance(const std::vector<event_at>& ev, vad_config config = {}) {
  BOOST_REQUIRE_EQUAL(ev.size(), 2u);
  BOOST_REQUIRE(ev[0].what == vad_event::speech_started);
  BOOST_REQUIRE(ev[1].what == vad_event::speech_ended);
  const double onset = pad_s + true_onset_s;
  const double end = pad_s + true_end_s;
  const double min_speech = static_cast<double>(config.min_speech.count()) / 1000.0;
  const double window = static_cast<double>(config.silence_window.count()) / 1000.0;
  BOOST_TEST_MESSAGE("onset " << ev[0].marked_s << " (started at " << ev[0].at_s << "), end "
                              << ev[1].marked_s << " (ended at " << ev[1].at_s << ")");
  BOOST_TEST(std::abs(ev[0].marked_s - onset) <= 0.06);
  // Declared once min_speech of voice has been heard, not later.
  BOOST_TEST(ev[0].at_s >= onset + min_speech - 0.021);
  BOOST_TEST(ev[0].at_s <= onset + min_speech + 0.061);
  BOOST_TEST(std::abs(ev[1].marked_s - end) <= 0.1);
  // End of turn: the silence window after the last voiced frame, to the frame.
  BOOST_TEST(std::abs(ev[1].at_s - ev[1].marked_s - window) <= 0.021);
  BOOST_TEST(std::abs(ev[1].at_s - (end + window)) <= 0.12);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(voice_activity)

BOOST_AUTO_TEST_CASE(speech_padded_with_digital_silence) {
  check_one_utterance(run(padded_goforward()));
}

BOOST_AUTO_TEST_CASE(speech_in_low_level_noise) {
  check_one_utterance(run(with_noise(padded_goforward())));
}

// The floor adapts: 12 dB quieter and 12 dB louder (noise scaled with it, as a
// quieter or louder microphone would) give the same utterance.
BOOST_AUTO_TEST_CASE(quiet_and_loud_recordings) {
  for (double gain : {0.25, 4.0}) {
    BOOST_TEST_CONTEXT("gain " << gain) {
      check_one_utterance(run(scale(with_noise(padded_goforward()), gain)));
    }
  }
}

// 10 and 30 ms frames find the same onset. The end can come later: with 10 ms
// frames the recording's faint tail (6-8 dB above its noise, 2.40-2.66 s)
// sometimes counts as voice, measured +0.27 s after digital silence.
BOOST_AUTO_TEST_CASE(frame_size_does_not_matter_much) {
  for (std::size_t frame : {std::size_t{160}, std::size_t{480}}) {
    for (const pcm& x : {padded_goforward(), with_noise(padded_goforward())}) {
      BOOST_TEST_CONTEXT("frame " << frame) {
        const auto ev = run(x, {}, frame);
        BOOST_REQUIRE_EQUAL(ev.size(), 2u);
        BOOST_TEST(std::abs(ev[0].marked_s - (pad_s + true_onset_s)) <= 0.06);
        BOOST_TEST(ev[1].marked_s >= pad_s + true_end_s - 0.1);
        BOOST_TEST(ev[1].marked_s <= pad_s + true_end_s + 0.3);
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(silence_and_noise_alone_report_nothing) {
  BOOST_TEST(run(silence(samples(5.0))).empty());
  BOOST_TEST(run(noise(file_noise_rms, samples(5.0), 3)).empty());
  BOOST_TEST(run(noise(1000.0, samples(5.0), 4)).empty());  // loud (-30 dBFS) steady noise
}

// Clicks shorter than min_speech are not speech.
BOOST_AUTO_TEST_CASE(clicks_are_ignored) {
  pcm x = noise(file_noise_rms, samples(5.0), 5);
  for (std::size_t at = samples(0.5); at + 160 < x.size(); at += samples(0.5))
    for (std::size_t k = 0; k < 160; ++k)  // 10 ms at -0 dBFS
      x[at + k] = static_cast<std::int16_t>(k % 2 == 0 ? 20000 : -20000);
  BOOST_TEST(run(x).empty());
  vad_config eager;
  eager.min_speech = 0ms;  // the control: without the minimum they count
  BOOST_TEST(!run(x, eager).empty());
}

BOOST_AUTO_TEST_CASE(silence_window_sets_end_of_turn) {
  const pcm x = padded_goforward();
  vad_config short_window;
  short_window.silence_window = 300ms;
  vad_config long_window;
  long_window.silence_window = 800ms;
  const auto a = run(x, short_window);
  const auto b = run(x, long_window);
  check_one_utterance(a, short_window);
  check_one_utterance(b, long_window);
  BOOST_TEST(std::abs(b[0].at_s - a[0].at_s) < 0.001);
  BOOST_TEST(std::abs((b[1].at_s - a[1].at_s) - 0.5) <= 0.021);
}

// A pause shorter than the window does not split the turn; a longer one does.
BOOST_AUTO_TEST_CASE(pause_longer_than_window_splits_turns) {
  const pcm go = load_raw(goforward_path);
  const pcm x =
      concat({silence(samples(1.0)), go, silence(samples(0.4)), go, silence(samples(1.0))});
  vad_config one_turn;
  one_turn.silence_window = 1000ms;
  BOOST_TEST(run(x, one_turn).size() == 2u);
  // 0.4 s of silence plus the recording's quiet tail and head exceeds 300 ms.
  BOOST_TEST(run(x).size() == 4u);
}

// The window set inside an utterance holds for it: a longer one keeps a
// pause inside the turn, and the next utterance starts with the configured one.
BOOST_AUTO_TEST_CASE(a_longer_window_set_in_speech_holds_a_pause_for_that_utterance_only) {
  const pcm go = load_raw(goforward_path);
  const pcm x = concat({silence(samples(1.0)), go, silence(samples(0.4)), go, silence(samples(1.0)),
                        go, silence(samples(0.4)), go, silence(samples(1.0))});
  voice_activity_detector vad;
  std::vector<vad_event> events;
  for (std::size_t i = 0; i + 320 <= x.size(); i += 320) {
    const auto ev = vad.feed(x.data() + i, 320);
    if (ev == vad_event::none) continue;
    events.push_back(ev);
    // Only the first utterance is told to wait.
    if (events.size() == 1) BOOST_TEST((vad.set_silence_window(1000ms) == vad_event::none));
    if (ev == vad_event::speech_started)
      BOOST_TEST((vad.silence_window() == (events.size() == 1 ? 1000ms : 300ms)));
  }
  // One turn for the first pair, two for the second.
  BOOST_TEST(events.size() == 6u);
}

// A shorter window when the silence heard already reaches it ends the
// utterance at once, at the end of its last voiced frame.
BOOST_AUTO_TEST_CASE(a_shorter_window_reached_already_ends_the_utterance_at_once) {
  const pcm x =
      concat({silence(samples(pad_s)), load_raw(goforward_path), silence(samples(pad_s))});
  voice_activity_detector vad;
  std::size_t fed = 0;
  for (; fed + 320 <= x.size() && !vad.in_speech(); fed += 320) vad.feed(x.data() + fed, 320);
  // Into the trailing silence, 200 ms past the true end: not yet 300 ms.
  const auto until = samples(pad_s + true_end_s + 0.2);
  for (; fed + 320 <= until; fed += 320)
    BOOST_TEST((vad.feed(x.data() + fed, 320) == vad_event::none));
  BOOST_TEST(vad.in_speech());
  BOOST_TEST((vad.set_silence_window(250ms) == vad_event::none));
  BOOST_TEST((vad.set_silence_window(150ms) == vad_event::speech_ended));
  BOOST_TEST(!vad.in_speech());
  const double end = static_cast<double>(vad.speech_end_time().count()) / 1e6;
  BOOST_TEST(std::abs(end - (pad_s + true_end_s)) <= 0.1);
  // Outside speech a window changes nothing.
  BOOST_TEST((vad.set_silence_window(60ms) == vad_event::none));
}

// A window lengthened in a pause is not brought back to the usual one until
// the voice is back: words the recogniser finds in the silence are guesses.
BOOST_AUTO_TEST_CASE(in_a_pause_a_lengthened_window_is_not_shortened) {
  const pcm x =
      concat({silence(samples(pad_s)), load_raw(goforward_path), silence(samples(pad_s))});
  voice_activity_detector vad;
  std::size_t fed = 0;
  for (; fed + 320 <= x.size() && !vad.in_speech(); fed += 320) vad.feed(x.data() + fed, 320);
  BOOST_TEST((vad.set_silence_window(900ms) == vad_event::none));
  const auto until = samples(pad_s + true_end_s + 0.4);
  for (; fed + 320 <= until; fed += 320)
    BOOST_TEST((vad.feed(x.data() + fed, 320) == vad_event::none));
  BOOST_TEST((vad.set_silence_window(300ms) == vad_event::none));
  BOOST_TEST((vad.silence_window() == 900ms));
  BOOST_TEST(vad.in_speech());
  // A whole request (a window below the usual one) still ends it.
  BOOST_TEST((vad.set_silence_window(150ms) == vad_event::speech_ended));
  BOOST_TEST((vad.set_silence_window(60ms) == vad_event::none));
}

BOOST_AUTO_TEST_CASE(preroll_holds_the_onset) {
  const pcm x = padded_goforward();
  voice_activity_detector vad;
  for (std::size_t i = 0; i + 320 <= x.size(); i += 320) {
    if (vad.feed(x.data() + i, 320) != vad_event::speech_started) continue;
    const auto pre = vad.take_preroll();
    // 300 ms ending with the frame just fed, sample for sample.
    BOOST_REQUIRE_EQUAL(pre.size(), samples(0.3));
    const std::size_t end = i + 320;
    BOOST_TEST(std::equal(pre.begin(), pre.end(), x.begin() + static_cast<long>(end - pre.size())));
    const auto onset = static_cast<std::size_t>(vad.speech_start_time().count() * 16 / 1000);
    BOOST_TEST(end - pre.size() <= onset, "the onset is not in the preroll");
    BOOST_TEST(vad.take_preroll().empty());
    return;
  }
  BOOST_FAIL("speech never started");
}

// A lasting 30 dB jump of steady noise is first taken for speech, then absorbed
// into the floor: one bounded false utterance, then quiet again.
BOOST_AUTO_TEST_CASE(noise_step_is_absorbed) {
  const pcm x = concat({noise(10.0, samples(2.0), 8), noise(320.0, samples(10.0), 9)});
  const auto ev = run(x);
  BOOST_REQUIRE_EQUAL(ev.size(), 2u);
  BOOST_TEST_MESSAGE("false utterance " << ev[0].marked_s << " - " << ev[1].marked_s);
  BOOST_TEST(ev[1].at_s < 2.0 + 6.0);
}

BOOST_AUTO_TEST_CASE(max_utterance_bounds_continuous_sound) {
  const pcm x = concat(
      {silence(samples(1.0)), sine(300.0, 5000.0, 16000, samples(3.0)), silence(samples(1.0))});
  vad_config config;
  config.max_utterance = 1000ms;
  const auto ev = run(x, config);
  BOOST_REQUIRE(ev.size() >= 4u);
  BOOST_REQUIRE(ev.size() % 2 == 0);
  for (std::size_t k = 0; k < ev.size(); k += 2) {
    BOOST_TEST(
        (ev[k].what == vad_event::speech_started && ev[k + 1].what == vad_event::speech_ended));
    BOOST_TEST(ev[k + 1].marked_s - ev[k].marked_s <= 1.0 + 1e-9);
  }
}

BOOST_AUTO_TEST_CASE(preroll_buffer_keeps_the_newest_audio) {
  preroll_buffer buf(10ms);  // 160 samples at 16 kHz
  BOOST_TEST(buf.capacity() == 160u);
  pcm ramp(400);
  for (std::size_t i = 0; i < ramp.size(); ++i) ramp[i] = static_cast<std::int16_t>(i);
  buf.push(ramp.data(), 100);
  buf.push(ramp.data() + 100, 100);  // 200 pushed: the oldest 40 are gone
  auto got = buf.take();
  BOOST_TEST(got == pcm(ramp.begin() + 40, ramp.begin() + 200));
  BOOST_TEST(buf.size() == 0u);
  buf.push(ramp.data(), ramp.size());  // one push longer than the capacity
  BOOST_TEST(buf.take() == pcm(ramp.end() - 160, ramp.end()));
}

BOOST_AUTO_TEST_CASE(reset_starts_over) {
  const pcm x = padded_goforward();
  voice_activity_detector vad;
  for (std::size_t i = 0; i < samples(2.0); i += 320) vad.feed(x.data() + i, 320);
  BOOST_REQUIRE(vad.in_speech());
  vad.reset();
  BOOST_TEST(!vad.in_speech());
  BOOST_TEST(vad.position().count() == 0);
  BOOST_TEST(vad.take_preroll().empty());
}

BOOST_AUTO_TEST_SUITE_END()
