#include "actors/audio/voice_activity.hpp"

#include <algorithm>
#include <cmath>

namespace parley::audio {

namespace {

using std::chrono::microseconds;

// Below any real signal; also what digital silence measures as.
constexpr double silence_db = -120.0;

std::int64_t to_samples(std::chrono::milliseconds d, int rate) {
  return static_cast<std::int64_t>(d.count()) * rate / 1000;
}

microseconds to_time(std::int64_t samples) {
  return microseconds(samples * 1000000 / vad_sample_rate);
}

// Mean power in dB relative to a full-scale square wave (dBFS).
double energy_db(const std::int16_t* frame, std::size_t n) {
  double sum = 0.0;
  for (std::size_t i = 0; i < n; ++i) sum += static_cast<double>(frame[i]) * frame[i];
  const double power = sum / static_cast<double>(n) / (32768.0 * 32768.0);
  return power > 0.0 ? std::max(10.0 * std::log10(power), silence_db) : silence_db;
}

// Fraction of the way an exponential follower with time constant tau moves in dt.
double smoothing(double dt_s, std::chrono::milliseconds tau) {
  if (tau.count() <= 0) return 1.0;
  return 1.0 - std::exp(-dt_s * 1000.0 / static_cast<double>(tau.count()));
}

}  // namespace

preroll_buffer::preroll_buffer(std::chrono::milliseconds capacity, int sample_rate)
    : capacity_(
          static_cast<std::size_t>(std::max<std::int64_t>(0, to_samples(capacity, sample_rate)))) {}

void preroll_buffer::push(const std::int16_t* samples, std::size_t n) {
  // Only the newest capacity_ samples of a long push can survive.
  const std::size_t skip = n > capacity_ ? n - capacity_ : 0;
  samples_.insert(samples_.end(), samples + skip, samples + n);
  if (samples_.size() > capacity_)
    samples_.erase(samples_.begin(),
                   samples_.begin() + static_cast<std::ptrdiff_t>(samples_.size() - capacity_));
}

std::vector<std::int16_t> preroll_buffer::take() {
  std::vector<std::int16_t> out(samples_.begin(), samples_.end());
  samples_.clear();
  return out;
}

voice_activity_detector::voice_activity_detector(vad_config config)
    : config_(config), window_(config.silence_window), preroll_(config.preroll) {}

void voice_activity_detector::reset() {
  *this = voice_activity_detector(config_);
}

microseconds voice_activity_detector::position() const {
  return to_time(fed_);
}
microseconds voice_activity_detector::speech_start_time() const {
  return to_time(speech_start_);
}
microseconds voice_activity_detector::speech_end_time() const {
  return to_time(speech_end_);
}

vad_event voice_activity_detector::feed(const std::int16_t* frame, std::size_t n) {
  if (frame == nullptr || n == 0) return vad_event::none;
  const double e = energy_db(frame, n);
  if (!floor_known_) {
    // The first frame is the best guess of the room; it falls fast if wrong.
    floor_db_ = std::max(e, config_.min_floor_db);
    floor_known_ = true;
  }
  const bool was_in_speech = in_speech_;
  const bool is_voiced = voiced(e);
  const vad_event ev = step(is_voiced, n);
  update_floor(e, is_voiced, n);
  if (!was_in_speech)
    preroll_.push(frame, n);
  else if (ev == vad_event::speech_ended)
    preroll_.clear();  // what it held is older than the utterance
  return ev;
}

bool voice_activity_detector::voiced(double energy_db) const {
  const double margin = in_speech_ ? config_.keep_margin_db : config_.start_margin_db;
  return energy_db >= floor_db_ + margin;
}

void voice_activity_detector::update_floor(double energy_db, bool is_voiced, std::size_t n) {
  const double dt = static_cast<double>(n) / vad_sample_rate;
  if (energy_db < floor_db_)
    floor_db_ += smoothing(dt, config_.floor_fall_time) * (energy_db - floor_db_);
  else if (!in_speech_ && !is_voiced)
    floor_db_ += smoothing(dt, config_.floor_follow_time) * (energy_db - floor_db_);
  else
    floor_db_ += std::min(config_.floor_rise_db_per_s * dt, energy_db - floor_db_);
  floor_db_ = std::max(floor_db_, config_.min_floor_db);
}

vad_event voice_activity_detector::set_silence_window(std::chrono::milliseconds window) {
  // Within a pause, a window the words lengthened is not brought back to the
  // usual one until the voice comes back: a word recognised in silence is
  // the recogniser's guess ("turn on the" heard as "turn on it"), not more
  // speech. A shorter window than the usual one (a whole request) still is.
  const auto usual = config_.silence_window;
  const bool in_pause = in_speech_ && fed_ > last_voiced_;
  if (in_pause && window_ > usual && window >= usual && window < window_) return vad_event::none;
  window_ = window;
  if (!in_speech_ || fed_ - last_voiced_ < to_samples(window_, vad_sample_rate))
    return vad_event::none;
  in_speech_ = false;
  speech_end_ = last_voiced_;
  preroll_.clear();
  return vad_event::speech_ended;
}

vad_event voice_activity_detector::step(bool is_voiced, std::size_t n) {
  const std::int64_t frame_start = fed_;
  fed_ += static_cast<std::int64_t>(n);
  if (!in_speech_) {
    if (!is_voiced) {
      run_start_ = -1;
      return vad_event::none;
    }
    if (run_start_ < 0) run_start_ = frame_start;
    last_voiced_ = fed_;
    if (fed_ - run_start_ < to_samples(config_.min_speech, vad_sample_rate)) return vad_event::none;
    in_speech_ = true;
    window_ = config_.silence_window;
    speech_start_ = run_start_;
    run_start_ = -1;
    return vad_event::speech_started;
  }
  if (is_voiced) last_voiced_ = fed_;
  const bool turn_over = fed_ - last_voiced_ >= to_samples(window_, vad_sample_rate);
  const bool too_long = config_.max_utterance.count() > 0 &&
                        fed_ - speech_start_ >= to_samples(config_.max_utterance, vad_sample_rate);
  if (!turn_over && !too_long) return vad_event::none;
  in_speech_ = false;
  speech_end_ = turn_over ? last_voiced_ : fed_;
  return vad_event::speech_ended;
}

}  // namespace parley::audio
