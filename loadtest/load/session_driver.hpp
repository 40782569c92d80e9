#pragma once
// One simulated speaker: connects, says hello, then turn after turn streams
// the recording as paced Opus followed by silence, and measures the reply.
// It never blocks: a pacing thread calls step() every 20 ms for many of them.

#include <cstdint>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "loadtest/client/voice_connection.hpp"
#include "loadtest/load/options.hpp"
#include "loadtest/load/stats.hpp"

namespace parley::load {

using client::clock;

// What every speaker shares; owned by the runner, read-only while it runs.
struct run_setup {
  options opts;
  std::vector<client::bytes> speech;   // the recording as 20 ms Opus packets
  std::vector<client::bytes> silence;  // repeated while not speaking
  clock::time_point start, deadline;
  run_stats* stats = nullptr;
};

class session_driver {
 public:
  session_driver(const run_setup& setup, client::client_pool& pool, std::string url,
                 std::string user, clock::time_point connect_at, std::uint64_t seed);

  // Sends what is due, reacts to what arrived; cheap when nothing happened.
  void step(clock::time_point now);
  bool done() const { return phase_ == phase::done; }

 private:
  enum class phase { waiting, connecting, greeting, idle, speaking, awaiting, closing, done };

  void try_connect(clock::time_point now);
  void poll(clock::time_point now);
  void on_event(const client::event& e, clock::time_point now);
  void on_turn_event(const std::string& type, const client::event& e, clock::time_point now);
  void send_due(clock::time_point now);
  void advance(clock::time_point now);
  void start_turn();
  void finish_turn(turn_outcome outcome, std::size_t reply_end, bool complete,
                   clock::time_point now);
  void begin_close(clock::time_point now);
  bool mine(const client::event& e) const;

  const run_setup& setup_;
  client::client_pool& pool_;
  std::string url_, user_;
  clock::time_point connect_at_;
  std::mt19937_64 rng_;
  std::unique_ptr<client::voice_connection> conn_;
  phase phase_ = phase::waiting;
  clock::time_point since_;  // entered the current phase (for timeouts)

  std::size_t events_seen_ = 0, audio_seen_ = 0;
  std::size_t audio_base_ = 0;  // absolute index of audio_times_[0]
  std::vector<clock::time_point> audio_times_;

  clock::time_point next_send_, next_turn_at_, last_speech_sent_;
  std::optional<clock::time_point> speech_ended_at_;  // of the turn awaited
  std::size_t speech_index_ = 0;
  std::size_t silence_index_ = 0;
  std::int64_t my_turn_ = -1;  // the server's id of the turn being answered
  std::set<std::int64_t> my_turns_;
  bool reply_started_ = false, reply_text_seen_ = false;
  std::size_t reply_start_ = 0;  // absolute audio index of the reply's first frame
};

}  // namespace parley::load
