#pragma once
// The transport contract: what every transport (the WebSocket voice port,
// Discord, the in-process test transport) gives the core and what it gets
// back. A transport runs one *member* actor per person in a room; the core
// never knows which transport that is.
//
// Transport -> core
//   1. Find the room: (find_child_atom, "sessions") to the transport's
//      supervisor, then (find_or_start_atom, guild) to the sessions
//      supervisor -> the guild_session (messages/supervision.hpp).
//   2. (join_atom, user, member, resume, received) to the guild_session ->
//      the member's resume token. `resume` is empty on a first join; a
//      member that comes back (a new connection of a client whose last one
//      died, or a rejoin after a session restart) passes its token and how
//      many events and reply packets it received under it, and is sent the
//      rest first (errors are not counted). A second join as the same user
//      replaces the first member (it gets `replaced`). The member monitors
//      the session: when it dies, the member joins its replacement the same
//      way (the room and its turns survive).
//   3. audio_frame{seq, opus}: every Opus packet (20 ms, 48 kHz, mono) the
//      person sends, numbered from 1 in arrival order, to the audio_stream
//      the session names with stream_atom. The member keeps each frame until
//      a frames_done covers it, and sends those kept again, in order, to
//      every new audio_stream it is given (a restarted stream or session).
//      Silence packets (DTX) that come while the person is not speaking (by
//      the room's speech_started / speech_ended for them) are neither sent
//      nor kept: (skip_atom, seq) tells the stream to move past them, before
//      the next frame or as soon as the person's speech_started arrives.
//   4. (text_turn_atom, user, text) to the guild_session: a typed turn.
//   5. (leave_atom, user) to the guild_session when the person leaves.
//
// Core -> member
//   - (stream_atom, audio_stream): where frames go from now on.
//   - frames_done{seq}: frames up to seq are held by the core; forget them.
//   - session_event: what happens in the room (messages/session_events.hpp).
//   - reply_audio{opus}: one 20 ms Opus packet of the reply, already paced on
//     the session's playout clock: the transport sends it on at once.

#include <caf/atom.hpp>
#include <caf/meta/type_name.hpp>
#include <cstdint>
#include <vector>

#include "messages/session_events.hpp"

namespace parley::messages {

using bytes = std::vector<std::uint8_t>;

using join_atom = caf::atom_constant<caf::atom("join")>;
using leave_atom = caf::atom_constant<caf::atom("leave")>;
using stream_atom = caf::atom_constant<caf::atom("stream")>;
using text_turn_atom = caf::atom_constant<caf::atom("textturn")>;

/// One Opus packet from a speaker, numbered by the transport.
struct audio_frame {
  std::uint64_t seq = 0;
  bytes opus;
};
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, audio_frame& x) {
  return f(caf::meta::type_name("audio_frame"), x.seq, x.opus);
}

/// Frames up to and including `seq` are done with; the transport drops them.
struct frames_done {
  std::uint64_t seq = 0;
};
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, frames_done& x) {
  return f(caf::meta::type_name("frames_done"), x.seq);
}

/// One Opus packet of reply audio for the member, on the playout clock.
struct reply_audio {
  bytes opus;
};
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, reply_audio& x) {
  return f(caf::meta::type_name("reply_audio"), x.opus);
}

}  // namespace parley::messages
