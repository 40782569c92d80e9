#include "actors/tts/reflex_clips.hpp"

#include <exception>

#include "actors/audio/opus_codec.hpp"
#include "actors/audio/resampler.hpp"

namespace parley::tts {
namespace {

// The encoder settings tts_job uses (see there why), so a reflex sounds like
// the reply that follows it: the engine's own rate when Opus takes it,
// otherwise 16 kHz; 24 kbit/s at complexity 2.
bool opus_rate(int rate) {
  return rate == 8000 || rate == 12000 || rate == 16000 || rate == 24000 || rate == 48000;
}

std::vector<messages::bytes> say(tts_engine& engine, const std::string& phrase) {
  const int rate = engine.sample_rate();
  const int enc_rate = opus_rate(rate) ? rate : 16000;
  audio::opus_encoder enc(audio::encoder_config{24000, 2, enc_rate});
  audio::linear_resampler resample(rate, enc_rate);
  std::vector<std::int16_t> pcm;
  const bool ok = engine.synthesize(phrase, [&](const std::int16_t* s, std::size_t n) {
    if (rate == enc_rate) {
      pcm.insert(pcm.end(), s, s + n);
    } else {
      auto r = resample.process(s, n);
      pcm.insert(pcm.end(), r.begin(), r.end());
    }
    return true;
  });
  if (!ok || pcm.empty()) return {};
  const auto n = enc.frame_samples();
  pcm.resize((pcm.size() + n - 1) / n * n, 0);  // the tail padded with silence
  std::vector<messages::bytes> frames;
  for (std::size_t at = 0; at < pcm.size(); at += n) {
    auto r = enc.encode(pcm.data() + at, n);
    if (!r.ok()) return {};
    frames.push_back(std::move(r.packet));
  }
  return frames;
}

}  // namespace

std::shared_ptr<const reflex_clips> reflex_clips::make(tts_engine& engine,
                                                       const std::vector<std::string>& phrases) {
  std::vector<reflex_clip> clips;
  for (const auto& p : phrases) {
    std::vector<messages::bytes> frames;
    try {
      frames = say(engine, p);
    } catch (const std::exception&) {
      // A remote engine that is down now: the lane goes without this one.
    }
    if (!frames.empty()) clips.push_back({p, std::move(frames)});
  }
  return std::make_shared<const reflex_clips>(std::move(clips));
}

const reflex_clip* reflex_clips::next(std::size_t& cursor,
                                      std::chrono::milliseconds longest) const {
  for (std::size_t i = 0; i < clips_.size(); ++i) {
    const auto& c = clips_[(cursor + i) % clips_.size()];
    if (c.length() > longest) continue;
    cursor = (cursor + i + 1) % clips_.size();
    return &c;
  }
  return nullptr;
}

}  // namespace parley::tts
