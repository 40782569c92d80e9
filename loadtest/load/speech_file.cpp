#include "loadtest/load/speech_file.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <iterator>
#include <stdexcept>

#include "loadtest/client/speech.hpp"

namespace parley::load {
namespace {

std::uint32_t le32(const std::vector<char>& b, std::size_t at) {
  std::uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(b[at + i]);
  return v;
}

std::uint16_t le16(const std::vector<char>& b, std::size_t at) {
  return static_cast<std::uint16_t>(static_cast<unsigned char>(b[at]) |
                                    (static_cast<unsigned char>(b[at + 1]) << 8));
}

bool ends_with(const std::string& s, const std::string& tail) {
  return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

// Walks the RIFF chunks: fmt must say PCM, 1 channel, 16 kHz, 16 bits.
std::vector<std::int16_t> parse_wav(const std::vector<char>& b, const std::string& path) {
  auto fail = [&](const std::string& why) { throw std::runtime_error(path + ": " + why); };
  if (b.size() < 12 || std::string(b.data(), 4) != "RIFF" || std::string(b.data() + 8, 4) != "WAVE")
    fail("not a RIFF/WAVE file");
  bool fmt_ok = false;
  for (std::size_t at = 12; at + 8 <= b.size();) {
    const std::string id(b.data() + at, 4);
    const std::size_t size = le32(b, at + 4), body = at + 8;
    if (body + size > b.size() && id != "data") fail("truncated chunk '" + id + "'");
    if (id == "fmt ") {
      if (size < 16) fail("short fmt chunk");
      const auto format = le16(b, body), channels = le16(b, body + 2), bits = le16(b, body + 14);
      const auto rate = le32(b, body + 4);
      if (format != 1 || channels != 1 || rate != 16000 || bits != 16)
        fail("need 16 kHz mono 16-bit PCM, got format " + std::to_string(format) + ", " +
             std::to_string(channels) + " channel(s), " + std::to_string(rate) + " Hz, " +
             std::to_string(bits) + " bits");
      fmt_ok = true;
    } else if (id == "data") {
      if (!fmt_ok) fail("data before fmt");
      const std::size_t n = std::min(size, b.size() - body) / 2;
      std::vector<std::int16_t> pcm(n);
      for (std::size_t i = 0; i < n; ++i) pcm[i] = static_cast<std::int16_t>(le16(b, body + 2 * i));
      return pcm;
    }
    at = body + size + (size & 1);  // chunks are padded to even sizes
  }
  fail("no data chunk");
  return {};
}

std::vector<double> frame_rms(const std::vector<std::int16_t>& pcm, std::size_t frame) {
  std::vector<double> rms;
  for (std::size_t i = 0; i + frame <= pcm.size(); i += frame) {
    double sum = 0;
    for (std::size_t k = i; k < i + frame; ++k) sum += static_cast<double>(pcm[k]) * pcm[k];
    rms.push_back(std::sqrt(sum / static_cast<double>(frame)));
  }
  return rms;
}

}  // namespace

std::vector<std::int16_t> trim_trailing_silence(std::vector<std::int16_t> pcm) {
  constexpr std::size_t frame = 320;  // 20 ms at 16 kHz
  const auto rms = frame_rms(pcm, frame);
  if (rms.empty()) return pcm;
  auto sorted = rms;
  std::sort(sorted.begin(), sorted.end());
  const double floor = sorted[sorted.size() / 10];  // the quietest tenth is the room
  const double threshold = std::max(floor * std::pow(10.0, 15.0 / 20.0), sorted.back() * 0.02);
  std::size_t last = rms.size();
  while (last > 0 && rms[last - 1] < threshold) --last;
  if (last == 0) return pcm;  // nothing stands out: keep it all
  pcm.resize(last * frame);
  return pcm;
}

std::vector<std::int16_t> read_speech_16k(const std::string& path) {
  std::vector<std::int16_t> pcm;
  if (ends_with(path, ".wav") || ends_with(path, ".WAV")) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("cannot read " + path);
    const std::vector<char> b((std::istreambuf_iterator<char>(in)),
                              std::istreambuf_iterator<char>());
    pcm = parse_wav(b, path);
  } else {
    pcm = client::read_raw16(path);
  }
  if (pcm.size() < 1600) throw std::runtime_error(path + ": less than 0.1 s of audio");
  return pcm;
}

}  // namespace parley::load
