// The audio of a voice connection, both ways: frames in through the rate
// limit and the jitter buffer to the person's member (held while their
// SSRC is unnamed, silence while they pause), reply audio out as RTP with
// speaking on and trailing silence.

#include <algorithm>

#include "actors/transport/discord/udp_link.hpp"
#include "actors/transport/discord/voice_connection_state.hpp"
#include "actors/transport/discord/voice_member.hpp"
#include "actors/transport/discord/voice_messages.hpp"

namespace parley::discord {

namespace {

using clock = std::chrono::steady_clock;

void ensure_ticking(connection_actor* self) {
  if (self->state.ticking) return;
  self->state.ticking = true;
  self->delayed_send(self, frame_time, vtick_atom::value);
}

caf::actor member_for(connection_actor* self, const std::string& user) {
  auto& st = self->state;
  auto it = st.member_ids.find(user);
  if (it == st.member_ids.end()) {
    const auto& j = st.session().join();
    const auto id = st.members->add(voice_member_spec({j.guild_id, j.channel_id, user, st.cfg.tree,
                                                       caf::actor_cast<caf::actor>(self)}),
                                    false);
    it = st.member_ids.emplace(user, id).first;
  }
  return st.members->handle(it->second);
}

void to_member(connection_actor* self, const std::string& user, bytes opus) {
  if (auto m = member_for(self, user)) self->send(m, member_frame_atom::value, std::move(opus));
}

void release(connection_actor* self, speaker& s, bool all) {
  const auto lost_before = s.buffer.lost();
  auto frames = all ? s.buffer.drain() : s.buffer.pop();
  count(self->state.counters().lost, self->state.metrics().packets_lost,
        s.buffer.lost() - lost_before);
  for (auto& f : frames) to_member(self, s.user, std::move(f.opus));
}

// One packet into the channel: RTP, DAVE's end-to-end encryption, transport
// encryption. A frame DAVE cannot encrypt yet (the call's group is still
// forming) is not sent, and counted.
void send_packet(connection_actor* self, bytes opus) {
  auto& st = self->state;
  auto& mem = st.mem();
  const auto header = make_rtp_header(mem.rtp_seq++, mem.rtp_timestamp, *st.session().ssrc());
  mem.rtp_timestamp += 960;  // 20 ms at 48 kHz
  auto frame = dave_outgoing(self, std::move(opus));
  if (!frame) return count(st.counters().unencryptable, st.metrics().dave_unencryptable);
  if (mem.udp->send(st.cipher->seal(header, *frame, ++mem.nonce)))
    count(st.counters().packets_out, st.metrics().packets_out);
}

}  // namespace

// A frame from a known speaker: the media transform, the rate limit, the
// jitter buffer, and on to the person's member.
void accept_frame(connection_actor* self, const rtp_header& h, const std::string& user,
                  bytes opus) {
  auto& st = self->state;
  auto& s = st.speakers[h.ssrc];
  const auto now = clock::now();
  // The rate limit comes first: a flood costs no decryption.
  if (!s.within_rate(now)) return count(st.counters().flooded, st.metrics().packets_flooded);
  auto frame = dave_incoming(self, user, std::move(opus));
  if (!frame) return count(st.counters().decrypt_failures, st.metrics().decrypt_failures);
  count(st.counters().packets_in, st.metrics().packets_in);
  s.user = user;
  s.last_packet = now;
  s.silence_left = static_cast<int>(st.cfg.silence_fill / frame_time);
  s.buffer.push({h.sequence, h.timestamp, std::move(*frame)});
  release(self, s, false);
  ensure_ticking(self);
}

// Audio can overtake the speaking event that names its SSRC (UDP and the
// WebSocket race): the first second of it waits for the name rather than
// being lost. Beyond that, or from too many unnamed SSRCs, it is dropped.
constexpr std::size_t max_unmapped_frames = 50;
constexpr std::size_t max_unmapped_ssrcs = 8;

void hold_unmapped(connection_actor* self, const rtp_header& h, bytes opus) {
  auto& st = self->state;
  auto it = st.unmapped.find(h.ssrc);
  if (it == st.unmapped.end() && st.unmapped.size() >= max_unmapped_ssrcs)
    return void(++st.counters().unknown_ssrc);
  auto& held = st.unmapped[h.ssrc];
  if (held.size() >= max_unmapped_frames) return void(++st.counters().unknown_ssrc);
  held.emplace_back(h, std::move(opus));
}

void release_unmapped(connection_actor* self, std::uint32_t ssrc) {
  auto& st = self->state;
  auto it = st.unmapped.find(ssrc);
  const auto user = st.session().user_of(ssrc);
  if (it == st.unmapped.end() || !user) return;
  auto held = std::move(it->second);
  st.unmapped.erase(it);
  for (auto& [h, opus] : held) accept_frame(self, h, *user, std::move(opus));
}

void send_reply(connection_actor* self, bytes opus) {
  auto& st = self->state;
  if (!st.cipher || !st.mem().udp || !st.session().ssrc()) return;
  if (!st.speaking) {
    send_ws(self, st.session().speaking(true));
    st.speaking = true;
  }
  send_packet(self, std::move(opus));
  st.last_reply = clock::now();
  st.trailing_silence = trailing_silence_frames;
  ensure_ticking(self);
}

// Every 20 ms while someone is speaking or pausing, or the reply is ending:
// a speaker's held frames go out once they paused, then silence while the
// core waits for the end of the turn; after the reply, five silence frames
// and speaking off.
void tick(connection_actor* self) {
  auto& st = self->state;
  const auto now = clock::now();
  bool busy = false;
  for (auto& [ssrc, s] : st.speakers) {
    if (now - s.last_packet < st.cfg.quiet_after) {
      busy = true;
      continue;
    }
    if (s.buffer.held() > 0) release(self, s, true);
    if (s.silence_left > 0) {
      --s.silence_left;
      to_member(self, s.user, opus_silence);
      busy = true;
    }
  }
  if (st.speaking && now - st.last_reply >= st.cfg.quiet_after) {
    if (st.trailing_silence > 0 && st.cipher) {
      --st.trailing_silence;
      send_packet(self, opus_silence);
    } else {
      send_ws(self, st.session().speaking(false));
      st.speaking = false;
    }
  }
  busy |= st.speaking;
  st.ticking = busy;
  if (busy) self->delayed_send(self, frame_time, vtick_atom::value);
}

void voice_counters::turn_answered(std::chrono::milliseconds latency) {
  std::lock_guard<std::mutex> g(mutex_);
  last_turns_.push_back(latency);
  if (last_turns_.size() > 5) last_turns_.pop_front();
}

std::vector<std::chrono::milliseconds> voice_counters::last_turns() const {
  std::lock_guard<std::mutex> g(mutex_);
  return {last_turns_.begin(), last_turns_.end()};
}

void voice_counters::set_dave(dave_status s) {
  std::lock_guard<std::mutex> g(mutex_);
  dave_ = std::move(s);
}

dave_status voice_counters::dave() const {
  std::lock_guard<std::mutex> g(mutex_);
  return dave_;
}

}  // namespace parley::discord
