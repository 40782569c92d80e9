#pragma once
// Messages inside the Discord transport: from its sockets' I/O threads to
// the voice connection, and between the connection and its members.

#include <caf/atom.hpp>

namespace parley::discord {

// I/O threads -> voice connection, tagged with the socket's generation so
// a replaced socket's late events are ignored.
using vws_text_atom = caf::atom_constant<caf::atom("dvwstext")>;
using vws_closed_atom = caf::atom_constant<caf::atom("dvwsclose")>;
using vws_binary_atom = caf::atom_constant<caf::atom("dvwsbin")>;
using vudp_atom = caf::atom_constant<caf::atom("dvudp")>;
// The connection's own timers.
using vbeat_atom = caf::atom_constant<caf::atom("dvbeat")>;
using vtick_atom = caf::atom_constant<caf::atom("dvtick")>;
using vreconnect_atom = caf::atom_constant<caf::atom("dvrecon")>;
// Gateway -> voice connection: the voice server changed (a region move, a
// channel move): connect there, keeping the members and their turns.
using vmove_atom = caf::atom_constant<caf::atom("dvmove")>;
// Connection -> member: one of the person's Opus frames, in order.
using member_frame_atom = caf::atom_constant<caf::atom("dmframe")>;
// Member -> connection: one reply packet, already paced by the session.
using member_reply_atom = caf::atom_constant<caf::atom("dmreply")>;
// Member -> connection: how long the person's last turn took to answer
// (end of speech to the first audio), in milliseconds.
using member_latency_atom = caf::atom_constant<caf::atom("dmlatency")>;

}  // namespace parley::discord
