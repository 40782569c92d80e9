#include "loadtest/load/session_driver.hpp"

#include <chrono>

namespace parley::load {
namespace {

using namespace std::chrono;
constexpr milliseconds frame{20};
constexpr int max_catch_up = 3;  // frames sent at once after the pacer ran late
constexpr seconds close_grace{2};

double ms_between(clock::time_point a, clock::time_point b) {
  return duration<double, std::milli>(b - a).count();
}

clock::duration secs(double s) {
  return duration_cast<clock::duration>(duration<double>(s));
}

// "503 busy" for a refused upgrade, else the socket's reason.
std::string describe_refusal(const client::voice_connection& c) {
  const int status = c.http_status();
  if (status == 0) return c.refusal().empty() ? "connection failed" : c.refusal();
  auto body = nlohmann::json::parse(c.refusal(), nullptr, false);
  std::string code = body.is_object() ? body.value("error", "") : "";
  return std::to_string(status) + (code.empty() ? "" : " " + code);
}

}  // namespace

session_driver::session_driver(const run_setup& setup, client::client_pool& pool, std::string url,
                               std::string user, clock::time_point connect_at, std::uint64_t seed)
    : setup_(setup),
      pool_(pool),
      url_(std::move(url)),
      user_(std::move(user)),
      connect_at_(connect_at),
      rng_(seed) {}

void session_driver::step(clock::time_point now) {
  switch (phase_) {
    case phase::done:
      return;
    case phase::waiting:
      if (now >= setup_.deadline) {
        phase_ = phase::done;
      } else if (now >= connect_at_) {
        conn_ = pool_.connect(url_);
        phase_ = phase::connecting;
        since_ = now;
      }
      return;
    case phase::connecting:
      try_connect(now);
      return;
    case phase::closing:
      if (conn_->closed() || now - since_ > close_grace) {
        if (conn_->closed()) setup_.stats->disconnected_cleanly();
        phase_ = phase::done;
      }
      return;
    default:
      break;
  }
  poll(now);
  if (phase_ == phase::done) return;
  advance(now);
  send_due(now);
}

void session_driver::try_connect(clock::time_point now) {
  if (conn_->wait_open(milliseconds(0))) {
    conn_->send_hello();
    phase_ = phase::greeting;
    since_ = now;
  } else if (conn_->wait_closed(milliseconds(0))) {
    setup_.stats->connect_error(describe_refusal(*conn_));
    phase_ = phase::done;
  } else if (now - since_ > secs(setup_.opts.connect_timeout_s)) {
    setup_.stats->connect_error("handshake timeout");
    phase_ = phase::done;
  }
}

void session_driver::poll(clock::time_point now) {
  // Events first, then audio: every frame an event counts is then in hand.
  auto events = conn_->events_since(events_seen_);
  events_seen_ += events.size();
  auto times = conn_->audio_times_since(audio_seen_);
  audio_seen_ += times.size();
  audio_times_.insert(audio_times_.end(), times.begin(), times.end());
  for (const auto& e : events) on_event(e, now);
  if (phase_ != phase::awaiting) {  // no reply of ours can be pending: forget old frames
    audio_times_.clear();
    audio_base_ = audio_seen_;
  }
  if (!events.empty() || !times.empty()) conn_->forget_before(events_seen_, audio_base_);
  if (conn_->closed()) {
    if (phase_ == phase::speaking || phase_ == phase::awaiting)
      finish_turn(turn_outcome::abandoned, 0, false, now);
    setup_.stats->disconnect_error(conn_->close_code());
    phase_ = phase::done;
  }
}

bool session_driver::mine(const client::event& e) const {
  const auto& b = e.body;
  return b.contains("turn") && b["turn"].is_number_integer() &&
         my_turns_.count(b["turn"].get<std::int64_t>()) > 0;
}

void session_driver::on_event(const client::event& e, clock::time_point now) {
  if (!e.body.is_object() || !e.body.contains("type") || !e.body["type"].is_string()) {
    setup_.stats->protocol_error("event without a type");
    return;
  }
  const auto type = e.type();
  if (type == "ready") {
    if (phase_ != phase::greeting) return setup_.stats->protocol_error("ready twice");
    if (e.body.value("sample_rate", 0) != 48000 || e.body.value("frame_ms", 0) != 20)
      setup_.stats->protocol_error("ready with another audio format");
    setup_.stats->connected();
    phase_ = phase::idle;
    next_send_ = now;
    // Speakers start out of step with each other, as people do.
    next_turn_at_ = setup_.opts.idle ? clock::time_point::max()
                                     : now + milliseconds(std::uniform_int_distribution<int>(
                                                 0, std::max(setup_.opts.think_ms, 20))(rng_));
  } else if (type == "speech_started") {
    if (e.body.value("user", "") == user_ &&
        (phase_ == phase::speaking || phase_ == phase::awaiting)) {
      my_turn_ = e.body.value("turn", std::int64_t{-1});
      my_turns_.insert(my_turn_);
    }
  } else if (type == "error") {
    // Errors about other members' turns reach every member; count them once.
    if (!e.body.contains("turn") || mine(e)) {
      setup_.stats->error_event(e.body.value("code", "unknown"));
      on_turn_event(type, e, now);
    }
  } else if (type == "audio_started" || type == "audio_ended" || type == "interrupted" ||
             type == "transcript" || type == "reply") {
    on_turn_event(type, e, now);
  } else if (type == "reflex") {
    // An acknowledgement before the reply: its frames come before the turn's
    // audio_started, so the reply's own frame count is untouched.
    if (mine(e)) setup_.stats->note("reflex");
  } else if (type == "speech_ended") {
    if (e.body.value("turn", std::int64_t{-2}) == my_turn_ && phase_ == phase::awaiting)
      speech_ended_at_ = e.at;
  } else {
    setup_.stats->protocol_error("unknown event " + type);
  }
}

// Events about the turn this speaker waits on.
void session_driver::on_turn_event(const std::string& type, const client::event& e,
                                   clock::time_point now) {
  if (e.body.value("turn", std::int64_t{-2}) != my_turn_) return;
  if (phase_ == phase::speaking && type == "audio_started") {
    // The server heard a pause in the recording longer than its silence
    // window and answered the first part; the rest is a turn of its own.
    setup_.stats->note("reply while still speaking");
    my_turn_ = -1;
    return;
  }
  if (phase_ != phase::awaiting) return;
  const auto& b = e.body;
  if (type == "audio_started") {
    reply_started_ = true;
    reply_start_ = e.audio_index;
  } else if (type == "audio_ended") {
    if (!reply_started_) {
      setup_.stats->protocol_error("audio_ended without audio_started");
      reply_start_ = e.audio_index;
    }
    const auto frames = b.value("frames", std::int64_t{-1});
    const auto got = static_cast<std::int64_t>(e.audio_index - reply_start_);
    finish_turn(turn_outcome::answered, e.audio_index, frames == got && got > 0, now);
  } else if (type == "interrupted") {
    finish_turn(turn_outcome::interrupted, e.audio_index, false, now);
  } else if (type == "transcript") {
    if (b.value("final", false) && b.value("text", "").empty())  // nothing understood
      finish_turn(turn_outcome::no_reply, e.audio_index, false, now);
  } else if (type == "reply") {
    if (!b.value("text", "").empty()) reply_text_seen_ = true;
    if (b.value("final", false) && !reply_text_seen_)  // the agent had nothing to say
      finish_turn(turn_outcome::no_reply, e.audio_index, false, now);
  } else if (type == "error" && b.value("code", "") == "tts_failed") {
    finish_turn(turn_outcome::failed, e.audio_index, false, now);  // no audio will come
  }
}

void session_driver::advance(clock::time_point now) {
  if (phase_ == phase::greeting && now - since_ > secs(setup_.opts.connect_timeout_s)) {
    setup_.stats->protocol_error("no ready after hello");
    begin_close(now);
  } else if (phase_ == phase::awaiting &&
             now - last_speech_sent_ > secs(setup_.opts.turn_timeout_s)) {
    finish_turn(turn_outcome::timed_out, audio_seen_, false, now);
  } else if (phase_ == phase::idle && now >= setup_.deadline) {
    begin_close(now);
  } else if (phase_ == phase::idle && now >= next_turn_at_) {
    start_turn();
  }
}

void session_driver::start_turn() {
  setup_.stats->turn_started();
  phase_ = phase::speaking;
  speech_index_ = 0;
  my_turn_ = -1;
  reply_started_ = reply_text_seen_ = false;
  speech_ended_at_.reset();
}

// One packet per 20 ms on an absolute schedule; after a late wake-up a few
// are sent at once, beyond that the schedule restarts (the server would
// otherwise see a burst).
void session_driver::send_due(clock::time_point now) {
  if (phase_ != phase::idle && phase_ != phase::speaking && phase_ != phase::awaiting) return;
  for (int n = 0; next_send_ <= now && n < max_catch_up; ++n) {
    if (phase_ == phase::speaking) {
      conn_->send_opus(setup_.speech[speech_index_++]);
      if (speech_index_ == setup_.speech.size()) {
        last_speech_sent_ = clock::now();
        phase_ = phase::awaiting;
      }
    } else {
      conn_->send_opus(setup_.silence[silence_index_++ % setup_.silence.size()]);
    }
    next_send_ += frame;
  }
  if (next_send_ <= now) next_send_ = now + frame;
}

void session_driver::finish_turn(turn_outcome outcome, std::size_t reply_end, bool complete,
                                 clock::time_point now) {
  turn_result r;
  r.outcome = outcome;
  r.complete = complete && outcome == turn_outcome::answered;
  if (reply_started_ && reply_end > reply_start_ && reply_start_ >= audio_base_ &&
      reply_end - audio_base_ <= audio_times_.size()) {
    const auto* t = audio_times_.data() + (reply_start_ - audio_base_);
    const auto n = reply_end - reply_start_;
    r.latency_ms = ms_between(last_speech_sent_, t[0]);
    if (speech_ended_at_) r.server_ms = ms_between(*speech_ended_at_, t[0]);
    r.reply_at_s = duration<double>(t[0] - setup_.start).count();
    for (std::size_t i = 1; i < n; ++i)
      r.jitter_ms.push_back(std::abs(ms_between(t[i - 1], t[i]) - 20.0));
  }
  setup_.stats->turn_finished(std::move(r));
  my_turn_ = -1;
  reply_started_ = false;
  phase_ = phase::idle;
  const int think = setup_.opts.think_ms, jitter = setup_.opts.think_jitter_ms;
  next_turn_at_ =
      now + milliseconds(think + std::uniform_int_distribution<int>(-jitter, jitter)(rng_));
}

void session_driver::begin_close(clock::time_point now) {
  conn_->close();
  phase_ = phase::closing;
  since_ = now;
}

}  // namespace parley::load
