// parley-codec-bench: what one 20 ms frame costs in each Opus step the server
// takes, on real speech. CPU time of this thread, so a busy machine slows the
// figures less than wall time would; compare rows of one run, not runs.
//   usage: parley-codec-bench [--speech FILE.raw] [--repeat N]

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <functional>
#include <string>
#include <vector>

#include "actors/audio/opus_codec.hpp"
#include "actors/audio/resampler.hpp"
#include "actors/audio/voice_activity.hpp"
#include "loadtest/client/speech.hpp"

namespace {

using namespace parley;
using pcm = std::vector<std::int16_t>;
using packets = std::vector<std::vector<std::uint8_t>>;

double thread_cpu_us() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e6 + static_cast<double>(ts.tv_nsec) / 1e3;
}

struct row {
  std::string step;
  std::vector<double> us;  // per frame
  double bytes = 0;        // mean packet size, encoders only
};

// Times `frame(i)` for every frame index, `repeat` times over.
row measure(const std::string& step, std::size_t frames, int repeat,
            const std::function<void(std::size_t)>& frame) {
  row r{step, {}, 0};
  r.us.reserve(frames * static_cast<std::size_t>(repeat));
  for (int k = 0; k < repeat; ++k)
    for (std::size_t i = 0; i < frames; ++i) {
      const double t0 = thread_cpu_us();
      frame(i);
      r.us.push_back(thread_cpu_us() - t0);
    }
  return r;
}

double percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  return v[static_cast<std::size_t>(p * static_cast<double>(v.size() - 1))];
}

pcm whole_frames(pcm x, std::size_t n) {
  x.resize(x.size() / n * n);
  return x;
}

row encode_row(const std::string& step, const pcm& x, audio::encoder_config cfg, int repeat) {
  audio::opus_encoder enc(cfg);
  const auto n = enc.frame_samples();
  double bytes = 0;
  auto r = measure(step, x.size() / n, repeat, [&](std::size_t i) {
    bytes += static_cast<double>(enc.encode(x.data() + i * n, n).packet.size());
  });
  r.bytes = bytes / static_cast<double>(r.us.size());
  return r;
}

row decode_row(const std::string& step, const packets& in, int rate, int repeat) {
  audio::opus_decoder dec(rate);
  return measure(step, in.size(), repeat, [&](std::size_t i) { (void)dec.decode(in[i]); });
}

void print(const std::vector<row>& rows) {
  std::printf("| step | frames | p50 us | p99 us | mean us | mean packet bytes |\n");
  std::printf("| --- | ---: | ---: | ---: | ---: | ---: |\n");
  for (const auto& r : rows) {
    double sum = 0;
    for (double u : r.us) sum += u;
    std::printf("| %s | %zu | %.1f | %.1f | %.1f | %s |\n", r.step.c_str(), r.us.size(),
                percentile(r.us, 0.5), percentile(r.us, 0.99),
                sum / static_cast<double>(r.us.size()),
                r.bytes > 0 ? std::to_string(std::lround(r.bytes)).c_str() : "");
  }
}

}  // namespace

int main(int argc, char** argv) {
  std::string speech = "/usr/share/pocketsphinx/test/data/goforward.raw";
  int repeat = 20;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--speech") == 0) speech = argv[i + 1];
    if (std::strcmp(argv[i], "--repeat") == 0) repeat = std::max(1, std::atoi(argv[i + 1]));
  }
  const pcm x16 = whole_frames(client::read_raw16(speech), 320);
  const pcm x48 = whole_frames(audio::upsampler_16k_to_48k().process(x16), 960);
  const packets wire = client::encode_speech(x16);  // what clients send
  const auto cycle = client::silence_packets(false);
  const auto dtx_cycle = client::silence_packets(true);
  packets silence, dtx;
  for (std::size_t i = 0; i < wire.size(); ++i) {
    silence.push_back(cycle[i % cycle.size()]);
    dtx.push_back(dtx_cycle[i % dtx_cycle.size()]);
  }

  std::vector<row> rows;
  rows.push_back(decode_row("decode speech to 48 kHz", wire, 48000, repeat));
  rows.push_back(decode_row("decode speech to 16 kHz (audio_stream)", wire, 16000, repeat));
  rows.push_back(decode_row("decode silence to 16 kHz", silence, 16000, repeat));
  rows.push_back(decode_row("decode DTX silence to 16 kHz", dtx, 16000, repeat));
  audio::voice_activity_detector vad;
  rows.push_back(measure("VAD, one 16 kHz frame", x16.size() / 320, repeat,
                         [&](std::size_t i) { (void)vad.feed(x16.data() + i * 320, 320); }));
  audio::upsampler_16k_to_48k up;
  rows.push_back(measure("upsample 16 -> 48 kHz", x16.size() / 320, repeat,
                         [&](std::size_t i) { (void)up.process(x16.data() + i * 320, 320); }));
  rows.push_back(encode_row("encode 48 kHz, 32 kbps, complexity 9", x48, {32000, 9}, repeat));
  rows.push_back(encode_row("encode 48 kHz, 32 kbps, complexity 5", x48, {32000, 5}, repeat));
  rows.push_back(
      encode_row("encode 16 kHz, 24 kbps, complexity 5", x16, {24000, 5, 16000}, repeat));
  rows.push_back(
      encode_row("encode 16 kHz, 24 kbps, complexity 2", x16, {24000, 2, 16000}, repeat));
  rows.push_back(
      encode_row("encode 16 kHz, 24 kbps, complexity 0", x16, {24000, 0, 16000}, repeat));
  std::printf("Speech: %s (%zu frames), %d passes; CPU time of one thread per 20 ms frame.\n\n",
              speech.c_str(), x16.size() / 320, repeat);
  print(rows);
  return 0;
}
