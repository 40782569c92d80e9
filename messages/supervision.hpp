#pragma once
// What supervisors and their children say to each other.

#include <caf/atom.hpp>

namespace parley::messages {

/// A child announces it has finished starting: (ready_atom, registry id).
using ready_atom = caf::atom_constant<caf::atom("ready")>;
/// A supervisor's timer: restart the slot (restart_atom, registry id).
using restart_atom = caf::atom_constant<caf::atom("restart")>;
/// Dynamic supervisors: (start_child_atom, child_spec) -> registry id.
using start_child_atom = caf::atom_constant<caf::atom("startchild")>;
/// Dynamic supervisors: (stop_child_atom, registry id) stops it for good.
using stop_child_atom = caf::atom_constant<caf::atom("stopchild")>;
/// Dynamic supervisors: (find_or_start_atom, label, value, child_spec) -> the
/// current handle of the child whose label has that value, started if absent.
using find_or_start_atom = caf::atom_constant<caf::atom("findstart")>;
/// A supervisor's timer: the shutdown deadline of a child passed.
using deadline_atom = caf::atom_constant<caf::atom("deadline")>;

}  // namespace parley::messages
