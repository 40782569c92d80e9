#pragma once
// Voice activity and end-of-turn detection on 16 kHz mono PCM.
//
// Energy against an adaptive noise floor, so the same settings work for quiet
// and loud speakers and for quiet and noisy rooms. A run of voiced frames must
// last min_speech before speech starts (clicks and pops do not count); speech
// ends once silence_window has passed with no voiced frame (end of turn).

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <vector>

namespace parley::audio {

constexpr int vad_sample_rate = 16000;
constexpr std::size_t vad_frame_samples = 320;  // 20 ms at 16 kHz

struct vad_config {
  // Silence after the last voiced frame that ends the turn.
  std::chrono::milliseconds silence_window{300};
  // Voiced audio needed, without a break, before speech is declared.
  std::chrono::milliseconds min_speech{100};
  // Audio kept from before speech_started, for take_preroll(). Keep it longer
  // than min_speech, or the onset is lost.
  std::chrono::milliseconds preroll{300};
  // A longer utterance is cut (speech_ended, then a new start if still voiced)
  // so that one utterance stays bounded. Zero disables the cut.
  std::chrono::milliseconds max_utterance{30000};
  // A frame is voiced when its energy exceeds the noise floor by start_margin_db
  // (outside speech) or keep_margin_db (inside speech: holds soft word endings).
  double start_margin_db = 15.0;
  double keep_margin_db = 9.0;
  // The floor never goes below this (dBFS): after digital silence, ordinary
  // microphone noise must not look like speech.
  double min_floor_db = -65.0;
  // How fast the floor follows the room. It falls quickly (a quieter room is
  // believed at once), follows sub-threshold energy within ~0.25 s, and creeps
  // up under loud audio so a lasting noise step is eventually absorbed.
  std::chrono::milliseconds floor_fall_time{50};
  std::chrono::milliseconds floor_follow_time{250};
  double floor_rise_db_per_s = 4.0;
};

enum class vad_event { none, speech_started, speech_ended };

// Keeps the most recent `capacity` of audio (oldest dropped first).
class preroll_buffer {
 public:
  explicit preroll_buffer(std::chrono::milliseconds capacity, int sample_rate = vad_sample_rate);

  void push(const std::int16_t* samples, std::size_t n);
  // The buffered audio, oldest first; the buffer is empty afterwards.
  std::vector<std::int16_t> take();
  void clear() { samples_.clear(); }
  std::size_t size() const { return samples_.size(); }
  std::size_t capacity() const { return capacity_; }

 private:
  std::size_t capacity_;
  std::deque<std::int16_t> samples_;
};

// Not thread-safe; one per speaker. Usage per 20 ms frame:
//   auto ev = vad.feed(frame, n);
//   if (ev == vad_event::speech_started) send(vad.take_preroll());  // includes `frame`
//   else if (vad.in_speech() || ev == vad_event::speech_ended) send(frame);
class voice_activity_detector {
 public:
  explicit voice_activity_detector(vad_config config = {});

  // Feeds the next frame (any length; 320 samples = 20 ms is the intended use).
  vad_event feed(const std::int16_t* frame, std::size_t n);
  vad_event feed(const std::vector<std::int16_t>& frame) {
    return feed(frame.data(), frame.size());
  }

  bool in_speech() const { return in_speech_; }

  // The silence that ends the current utterance, from now until it ends
  // (each utterance starts with config.silence_window): what was said so far
  // may show it is complete, or that more is coming. Returns speech_ended
  // when the silence heard already reaches the new window. Inside a pause a
  // window longer than the configured one is only shortened below it.
  vad_event set_silence_window(std::chrono::milliseconds window);
  std::chrono::milliseconds silence_window() const { return window_; }

  // The audio of the last config.preroll up to and including the frame that
  // made feed() return speech_started. Audio is buffered only outside speech.
  std::vector<std::int16_t> take_preroll() { return preroll_.take(); }

  // Times on the stream's own clock: audio fed so far, from 0.
  std::chrono::microseconds position() const;
  // Start of the first voiced frame of the current (or last) utterance.
  std::chrono::microseconds speech_start_time() const;
  // End of the last voiced frame of the last finished utterance.
  std::chrono::microseconds speech_end_time() const;
  // The current noise-floor estimate (dBFS), for diagnostics and metrics.
  double noise_floor_db() const { return floor_db_; }

  // Back to the initial state (floor forgotten, preroll emptied).
  void reset();

 private:
  bool voiced(double energy_db) const;
  void update_floor(double energy_db, bool is_voiced, std::size_t n);
  vad_event step(bool is_voiced, std::size_t n);

  vad_config config_;
  std::chrono::milliseconds window_;  // of the current utterance
  preroll_buffer preroll_;
  bool floor_known_ = false;
  double floor_db_ = 0.0;
  bool in_speech_ = false;
  std::int64_t fed_ = 0;          // samples fed so far
  std::int64_t run_start_ = -1;   // first sample of the current voiced run, -1 if none
  std::int64_t last_voiced_ = 0;  // end (exclusive) of the last voiced frame
  std::int64_t speech_start_ = 0;
  std::int64_t speech_end_ = 0;
};

}  // namespace parley::audio
