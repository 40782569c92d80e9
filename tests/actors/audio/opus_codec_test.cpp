#include "actors/audio/opus_codec.hpp"
#include "actors/audio/resampler.hpp"
#include "tests/actors/audio/audio_test_util.hpp"

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cmath>
#include <random>
#include <stdexcept>

using namespace parley::audio;
using namespace parley::audio::test;

namespace {

// Encodes x (a whole number of frames) and decodes it again, frame by frame.
pcm round_trip(const pcm& x, opus_encoder& enc, opus_decoder& dec, std::size_t* bytes = nullptr) {
  pcm y;
  for (std::size_t i = 0; i + opus_frame_samples <= x.size(); i += opus_frame_samples) {
    auto packet = enc.encode(x.data() + i, opus_frame_samples);
    BOOST_REQUIRE_MESSAGE(packet.ok(), packet.error);
    if (bytes != nullptr) *bytes += packet.packet.size();
    auto frame = dec.decode(packet.packet);
    BOOST_REQUIRE_MESSAGE(frame.ok(), frame.error);
    BOOST_REQUIRE_EQUAL(frame.pcm.size(), opus_frame_samples);
    y.insert(y.end(), frame.pcm.begin(), frame.pcm.end());
  }
  return y;
}

pcm whole_frames(pcm x) {
  x.resize(x.size() / opus_frame_samples * opus_frame_samples);
  return x;
}

pcm goforward_48k() {
  upsampler_16k_to_48k up;
  return whole_frames(up.process(load_raw(goforward_path)));
}

void require_decode_error(opus_decoder& dec, const std::vector<std::uint8_t>& packet) {
  auto res = dec.decode(packet);
  BOOST_TEST(!res.ok());
  BOOST_TEST(!res.error.empty());
  BOOST_TEST(res.pcm.empty());
}

}  // namespace

BOOST_AUTO_TEST_SUITE(opus_codec)

// A 1 kHz tone survives almost unchanged (measured 0.9996 at 32 kbps). The lag
// is searched over one period around the encoder's lookahead only: a sine
// correlates with itself at every period.
BOOST_AUTO_TEST_CASE(sine_round_trip_correlates) {
  opus_encoder enc;
  opus_decoder dec;
  const pcm x = sine(1000.0, 10000.0, opus_sample_rate, opus_sample_rate);
  const pcm y = round_trip(x, enc, dec);
  BOOST_REQUIRE_EQUAL(y.size(), x.size());
  const int la = enc.lookahead_samples();
  double best = -1.0;
  for (int lag = la - 24; lag <= la + 24; ++lag)
    best = std::max(best, correlation(x, y, lag, 0, x.size() - 1000));
  BOOST_TEST_MESSAGE("sine correlation " << best << ", lookahead " << la);
  BOOST_TEST(best > 0.99);
}

// Real speech through the codec. Measured: correlation 0.817-0.833 for 16-64
// kbps and complexity 0-10, at lag 310 (lookahead 312). The gap to 1 is the
// VOIP mode's high-pass: with a 100 Hz high-pass on both sides it is 0.94.
// Misaligned by one frame the same signals give 0.02, so 0.75 separates a
// working codec path from a broken one (wrong rate, order, lost frames).
BOOST_AUTO_TEST_CASE(speech_round_trip_correlates) {
  opus_encoder enc;
  opus_decoder dec;
  const pcm x = goforward_48k();
  std::size_t bytes = 0;
  const pcm y = round_trip(x, enc, dec, &bytes);
  // +-150 samples around the lookahead: wide enough to see the peak move.
  const int la = enc.lookahead_samples();
  const auto best = find_best_lag(x, y, la - 150, la + 150, 0, x.size() - 2000);
  const double kbps = static_cast<double>(bytes) * 8.0 / (static_cast<double>(x.size()) / 48.0);
  BOOST_TEST_MESSAGE("speech correlation " << best.corr << " at lag " << best.lag << ", " << kbps
                                           << " kbps");
  BOOST_TEST(std::abs(best.lag - la) <= 3);
  BOOST_TEST(best.corr > 0.75);
  BOOST_TEST(correlation(x, y, best.lag + 960, 0, x.size() - 2000) < 0.2);
  BOOST_TEST(kbps > 20.0);
  BOOST_TEST(kbps < 40.0);
}

// The speech engines' own rate goes straight in: 320 samples a frame, and the
// packets still decode at the wire rate (960 samples) as well as at 16 kHz.
BOOST_AUTO_TEST_CASE(speech_encoded_at_16k_round_trips) {
  opus_encoder enc({24000, 5, 16000});
  BOOST_TEST(enc.frame_samples() == 320u);
  BOOST_TEST(!enc.encode(pcm(opus_frame_samples, 0)).ok());
  pcm x = load_raw(goforward_path);
  x.resize(x.size() / 320 * 320);
  opus_decoder dec16(16000);
  opus_decoder dec48;
  pcm y;
  for (std::size_t i = 0; i < x.size(); i += 320) {
    auto packet = enc.encode(x.data() + i, 320);
    BOOST_REQUIRE_MESSAGE(packet.ok(), packet.error);
    auto wide = dec48.decode(packet.packet);
    BOOST_REQUIRE(wide.ok());
    BOOST_REQUIRE_EQUAL(wide.pcm.size(), opus_frame_samples);
    auto frame = dec16.decode(packet.packet);
    BOOST_REQUIRE(frame.ok());
    BOOST_REQUIRE_EQUAL(frame.pcm.size(), 320u);
    y.insert(y.end(), frame.pcm.begin(), frame.pcm.end());
  }
  const int la = enc.lookahead_samples();
  const auto best = find_best_lag(x, y, la - 50, la + 50, 0, x.size() - 700);
  BOOST_TEST_MESSAGE("16 kHz speech correlation " << best.corr << " at lag " << best.lag
                                                  << ", lookahead " << la);
  BOOST_TEST(std::abs(best.lag - la) <= 2);
  BOOST_TEST(best.corr > 0.75);
  BOOST_CHECK_THROW(opus_encoder({24000, 5, 44100}), std::invalid_argument);
}

// A DTX encoder in silence sends 1-byte packets; they decode to silence of a
// whole frame, and the speech after them decodes as before.
BOOST_AUTO_TEST_CASE(dtx_packets_decode_to_silence) {
  encoder_config cfg;
  cfg.dtx = true;
  opus_encoder enc(cfg);
  opus_decoder dec(16000);
  const pcm zeros(opus_frame_samples, 0);
  std::size_t dtx = 0;
  for (int i = 0; i < 50; ++i) {
    auto p = enc.encode(zeros);
    BOOST_REQUIRE(p.ok());
    auto d = dec.decode(p.packet);
    BOOST_REQUIRE_MESSAGE(d.ok(), d.error);
    BOOST_REQUIRE_EQUAL(d.pcm.size(), 320u);
    if (p.packet.size() > opus_dtx_packet_bytes) continue;
    ++dtx;
    BOOST_TEST(std::all_of(d.pcm.begin(), d.pcm.end(), [](std::int16_t v) { return v == 0; }));
  }
  BOOST_TEST_MESSAGE(dtx << " of 50 silent frames were DTX packets");
  BOOST_TEST(dtx >= 30u);
  const pcm x = goforward_48k();
  double energy = 0;
  for (std::size_t i = 0; i + opus_frame_samples <= x.size(); i += opus_frame_samples)
    for (auto v : dec.decode(enc.encode(x.data() + i, opus_frame_samples).packet).pcm)
      energy += double(v) * v;
  BOOST_TEST(energy > 0.0);
  // One byte that is no packet (code 3 needs a frame count) is still an error.
  require_decode_error(dec, {0x03});
}

// Reply packets are kept for members who come back: each must hold its own
// bytes, not the encoder's 4000-byte worst case.
BOOST_AUTO_TEST_CASE(a_packet_holds_no_more_memory_than_its_bytes) {
  opus_encoder enc;
  const pcm x = goforward_48k();
  for (std::size_t i = 0; i + opus_frame_samples <= x.size(); i += opus_frame_samples) {
    const auto p = enc.encode(x.data() + i, opus_frame_samples);
    BOOST_REQUIRE(p.ok());
    BOOST_REQUIRE_LE(p.packet.capacity(), p.packet.size());
  }
}

BOOST_AUTO_TEST_CASE(bitrate_and_complexity_are_applied) {
  const pcm x = goforward_48k();
  std::size_t low = 0;
  std::size_t high = 0;
  opus_decoder dec;
  opus_encoder enc_low({12000, 2});
  round_trip(x, enc_low, dec, &low);
  opus_encoder enc_high({64000, 10});
  round_trip(x, enc_high, dec, &high);
  BOOST_TEST_MESSAGE("bytes at 12 kbps " << low << ", at 64 kbps " << high);
  BOOST_TEST(low * 3 < high);
  BOOST_CHECK_THROW(opus_encoder({32000, 11}), std::invalid_argument);
  BOOST_CHECK_THROW(opus_encoder({0, 9}), std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(encoder_refuses_wrong_frame_sizes) {
  opus_encoder enc;
  const pcm x = sine(440.0, 8000.0, opus_sample_rate, 2 * opus_frame_samples);
  for (std::size_t n :
       {std::size_t{0}, std::size_t{480}, std::size_t{959}, std::size_t{961}, std::size_t{1920}}) {
    auto res = enc.encode(x.data(), n);
    BOOST_TEST(!res.ok(), "accepted " << n << " samples");
    BOOST_TEST(res.packet.empty());
  }
  BOOST_TEST(!enc.encode(nullptr, opus_frame_samples).ok());
  BOOST_TEST(enc.encode(x.data(), opus_frame_samples).ok());
}

BOOST_AUTO_TEST_CASE(empty_oversized_and_malformed_packets_are_errors) {
  opus_decoder dec;
  require_decode_error(dec, {});
  BOOST_TEST(!dec.decode(nullptr, 10).ok());
  // A real packet padded past the limit is refused before libopus sees it.
  opus_encoder enc;
  auto packet = enc.encode(sine(440.0, 8000.0, opus_sample_rate, opus_frame_samples)).packet;
  packet.resize(opus_max_packet_bytes + 1, 0);
  require_decode_error(dec, packet);
  // Malformed per RFC 6716 section 3.4:
  require_decode_error(dec, {0x03});              // code 3 without its frame-count byte
  require_decode_error(dec, {0x01, 0xAA});        // code 1 (two equal frames) with odd length
  require_decode_error(dec, {0x0B, 0x00});        // code 3 with zero frames
  require_decode_error(dec, {0x0B, 0x3F, 0x00});  // code 3, 63 frames of 20 ms > 120 ms
  require_decode_error(dec, {0x02, 0xFF, 0x01});  // code 2, first frame longer than packet
}

// Arbitrary bytes must never crash the decoder or leave it unusable: each
// result is either an error or a valid Opus duration (multiple of 2.5 ms).
BOOST_AUTO_TEST_CASE(garbage_never_breaks_the_decoder) {
  opus_decoder dec;
  std::mt19937 gen(42);
  std::uniform_int_distribution<int> byte(0, 255);
  std::uniform_int_distribution<std::size_t> length(1, 1500);
  int errors = 0;
  for (int i = 0; i < 3000; ++i) {
    std::vector<std::uint8_t> junk(length(gen));
    for (auto& b : junk) b = static_cast<std::uint8_t>(byte(gen));
    auto res = dec.decode(junk);
    if (!res.ok()) {
      ++errors;
      continue;
    }
    BOOST_TEST(res.pcm.size() % 120 == 0);
    BOOST_TEST(res.pcm.size() >= 120);
    BOOST_TEST(res.pcm.size() <= 5760);
  }
  BOOST_TEST_MESSAGE(errors << " of 3000 random packets were rejected");
  BOOST_TEST(errors > 0);
  // Still decodes real audio correctly afterwards.
  opus_encoder enc;
  const pcm x = sine(1000.0, 10000.0, opus_sample_rate, opus_sample_rate / 2);
  const pcm y = round_trip(x, enc, dec);
  const int la = enc.lookahead_samples();
  double best = -1.0;
  for (int lag = la - 24; lag <= la + 24; ++lag)
    best = std::max(best, correlation(x, y, lag, 9600, x.size() - 1000));
  BOOST_TEST(best > 0.99);
}

// Concealment fills a lost frame with a fading continuation instead of a hole.
// Measured on a 440 Hz tone: the first concealed frame has ~36 % of the
// signal's RMS; a decoder that has heard nothing conceals with silence.
BOOST_AUTO_TEST_CASE(lost_packet_is_concealed) {
  opus_encoder enc;
  opus_decoder dec;
  const pcm x = sine(440.0, 10000.0, opus_sample_rate, 50 * opus_frame_samples);
  const double signal = rms(round_trip(x, enc, dec));
  auto lost = dec.decode_lost();
  BOOST_REQUIRE(lost.ok());
  BOOST_REQUIRE_EQUAL(lost.pcm.size(), opus_frame_samples);
  BOOST_TEST_MESSAGE("concealed frame RMS " << rms(lost.pcm) << ", signal RMS " << signal);
  BOOST_TEST(rms(lost.pcm) > 0.1 * signal);
  BOOST_TEST(rms(lost.pcm) < signal);
  opus_decoder fresh;
  auto nothing = fresh.decode_lost();
  BOOST_REQUIRE(nothing.ok());
  BOOST_TEST(nothing.pcm.size() == opus_frame_samples);
  BOOST_TEST(rms(nothing.pcm) < 1.0);
}

// What audio_stream does: decode straight to 16 kHz. A 20 ms packet gives
// 320 samples, a 1 kHz tone stays a 1 kHz tone, concealment is 20 ms too,
// and a rate libopus does not know is refused.
BOOST_AUTO_TEST_CASE(decoding_to_16_khz_keeps_the_tone_and_the_frame_length) {
  opus_encoder enc;
  opus_decoder dec(16000);
  const pcm x = sine(1000.0, 10000.0, opus_sample_rate, 25 * opus_frame_samples);
  pcm out;
  for (std::size_t at = 0; at < x.size(); at += opus_frame_samples) {
    auto d = dec.decode(enc.encode(x.data() + at, opus_frame_samples).packet);
    BOOST_REQUIRE(d.ok());
    BOOST_REQUIRE_EQUAL(d.pcm.size(), 320u);
    out.insert(out.end(), d.pcm.begin(), d.pcm.end());
  }
  const double tone = tone_amplitude(out, 1000.0, 16000, out.size() / 2, out.size());
  BOOST_TEST_MESSAGE("1 kHz amplitude at 16 kHz " << tone);
  BOOST_TEST(tone > 0.8 * 10000.0);
  BOOST_TEST(tone_amplitude(out, 3000.0, 16000, out.size() / 2, out.size()) < 0.05 * tone);
  BOOST_TEST(dec.decode_lost().pcm.size() == 320u);
  BOOST_CHECK_THROW(opus_decoder(44100), std::runtime_error);
}

BOOST_AUTO_TEST_CASE(moved_codecs_keep_working) {
  opus_encoder enc_a;
  opus_decoder dec_a;
  opus_encoder enc = std::move(enc_a);
  opus_decoder dec = std::move(dec_a);
  const pcm x = sine(1000.0, 10000.0, opus_sample_rate, 10 * opus_frame_samples);
  BOOST_TEST(round_trip(x, enc, dec).size() == x.size());
}

BOOST_AUTO_TEST_SUITE_END()
