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
/// Supervisors with on-demand children: (find_or_start_atom, key) -> the
/// current handle of the key's child, started if absent.
using find_or_start_atom = caf::atom_constant<caf::atom("findstart")>;
/// Any supervisor: (find_child_atom, name) -> the current handle of the
/// child named `name` (its `name` tag) among its children, or, when it has none, of its
/// ancestors' children. Waits while that child is between incarnations:
/// the tree is the way to reach a part of it, not a registry of names.
using find_child_atom = caf::atom_constant<caf::atom("findchild")>;
/// A supervisor's timer: the shutdown deadline of a child passed.
using deadline_atom = caf::atom_constant<caf::atom("deadline")>;

}  // namespace parley::messages
