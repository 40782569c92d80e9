#pragma once
// The voice pipeline's vocabulary inside the core: what audio_streams,
// guild_sessions and the speech/agent jobs say to each other about a turn.
// What transports say to the core is in messages/transport.hpp.

#include <caf/atom.hpp>
#include <caf/meta/type_name.hpp>
#include <cstdint>
#include <string>
#include <vector>

#include "messages/transport.hpp"

namespace parley::messages {

using pcm = std::vector<std::int16_t>;
using turn_id = std::uint64_t;

// --- session -> audio_stream ------------------------------------------------

/// (skip_atom, seq) to an audio_stream: frames up to seq are not to be
/// heard. From the session to a restarted stream: it holds them already,
/// and replayed copies are ignored. From a member: silence it kept back
/// (transport/member/session_link.hpp), which is not loss.
using skip_atom = caf::atom_constant<caf::atom("skip")>;

// --- audio_stream -> session ------------------------------------------------

struct speech_start {
  std::string user;
  std::uint64_t first_seq = 0;
};
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, speech_start& x) {
  return f(caf::meta::type_name("speech_start"), x.user, x.first_seq);
}

/// Sent with high priority just before speech_start: a reply playing stops
/// now, ahead of the audio and ticks queued in front of it. (speech_start
/// itself keeps its place: the turn's audio must stay in order.)
struct barge_in {
  std::string user;
};
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, barge_in& x) {
  return f(caf::meta::type_name("barge_in"), x.user);
}

/// 16 kHz mono speech, in order, between speech_start and speech_end.
struct speech_audio {
  std::string user;
  pcm samples;
};
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, speech_audio& x) {
  return f(caf::meta::type_name("speech_audio"), x.user, x.samples);
}

struct speech_end {
  std::string user;
  std::uint64_t last_seq = 0;
  std::uint32_t silence_ms = 0;  // the silence that ended it (the utterance's window)
};
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, speech_end& x) {
  return f(caf::meta::type_name("speech_end"), x.user, x.last_seq, x.silence_ms);
}

/// Session -> audio_stream: the silence that ends the utterance that began
/// at `first_seq`, as its words so far suggest (complete, or more to come).
/// A window for an utterance already over is ignored.
struct silence_window {
  std::uint64_t first_seq = 0;
  std::uint32_t ms = 0;
};
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, silence_window& x) {
  return f(caf::meta::type_name("silence_window"), x.first_seq, x.ms);
}

/// A packet that would not decode: the stream goes on, the client is told.
struct bad_audio {
  std::string user;
  std::string reason;
};
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, bad_audio& x) {
  return f(caf::meta::type_name("bad_audio"), x.user, x.reason);
}

// --- stt_job ---------------------------------------------------------------

/// Session -> stt_job: more of the utterance; then finish_atom.
using finish_atom = caf::atom_constant<caf::atom("finish")>;

struct transcript {
  turn_id turn = 0;
  std::string text;
  bool final = false;
  bool speech_over = false;  // a partial: the engine heard the speaker stop
};
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, transcript& x) {
  return f(caf::meta::type_name("transcript"), x.turn, x.text, x.final, x.speech_over);
}

// --- agent_job and tts_job ---------------------------------------------------

/// One sentence of the agent's reply; `final` on the last (text may be empty).
struct reply_sentence {
  turn_id turn = 0;
  std::uint32_t index = 0;
  std::string text;
  bool final = false;
};
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, reply_sentence& x) {
  return f(caf::meta::type_name("reply_sentence"), x.turn, x.index, x.text, x.final);
}

/// tts_job -> session: Opus frames of one sentence, in pieces as they are
/// synthesised (the first piece is short, so the reply starts early).
struct sentence_audio {
  turn_id turn = 0;
  std::uint32_t index = 0;
  std::uint32_t first_frame = 0;  // of this piece, counted within the sentence
  std::vector<bytes> frames;
  bool sentence_done = false;  // the sentence's last piece
  bool final = false;          // the reply's last sentence
  double synth_seconds = 0;    // synthesis and encoding time of this piece
};
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, sentence_audio& x) {
  return f(caf::meta::type_name("sentence_audio"), x.turn, x.index, x.first_frame, x.frames,
           x.sentence_done, x.final, x.synth_seconds);
}

/// A job could not do its work; the session decides whether to retry.
struct job_failed {
  turn_id turn = 0;
  std::string stage;  // "stt", "agent", "tts"
  std::string reason;
  bool retry = true;  // whether running the job again can help
};
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, job_failed& x) {
  return f(caf::meta::type_name("job_failed"), x.turn, x.stage, x.reason, x.retry);
}

/// The session's deadline for a turn's job: (watchdog_atom, turn, stage, generation).
using watchdog_atom = caf::atom_constant<caf::atom("watchdog")>;

/// A restarted session checks whether anyone came back.
using empty_atom = caf::atom_constant<caf::atom("empty")>;

/// (dropped_atom, user, token): a dropped member's rejoin grace is over.
using dropped_atom = caf::atom_constant<caf::atom("dropped")>;

/// A restarted session stops waiting for members who did not come back.
using away_atom = caf::atom_constant<caf::atom("away")>;

/// The session's 20 ms playout clock.
using tick_atom = caf::atom_constant<caf::atom("tick")>;

/// (reflex_atom, turn): the reflex delay after the turn's end has passed.
using reflex_atom = caf::atom_constant<caf::atom("reflex")>;

/// The session's clock for showing what it is doing on the ops endpoint.
using activity_atom = caf::atom_constant<caf::atom("activity")>;

}  // namespace parley::messages

namespace parley::messages {

/// Listener thread -> voice_client: a text message, a binary message, the close.
using ws_text_atom = caf::atom_constant<caf::atom("wstext")>;
using ws_binary_atom = caf::atom_constant<caf::atom("wsbinary")>;
using ws_closed_atom = caf::atom_constant<caf::atom("wsclosed")>;
/// (ws_silence_atom, n): n DTX packets the listener kept back while the
/// person was quiet, in their place among the binary messages.
using ws_silence_atom = caf::atom_constant<caf::atom("wssilence")>;
/// Listener thread -> voice_gateway: (ws_open_atom, connection, guild, user):
/// start the connection's actor.
using ws_open_atom = caf::atom_constant<caf::atom("wsopen")>;
/// voice_client -> itself: the time to say hello is up.
using hello_deadline_atom = caf::atom_constant<caf::atom("hellodl")>;

}  // namespace parley::messages
