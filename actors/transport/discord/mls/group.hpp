#pragma once
// One member's view of an MLS group (RFC 9420 §11, §12): creating it alone,
// joining it from a Welcome, caching proposals, making a commit (and the
// Welcome for the members it adds), and taking in commits from others.
//
// Every operation that takes input from the network either succeeds whole
// or throws mls::error with the reason and leaves the group as it was: the
// next state is built on copies and swapped in at the end.
//
// Our own commit does not take effect when it is made. DAVE's gateway
// picks one commit per epoch and announces it; only then does the
// committer move on (apply_pending_commit, or handle_commit with the
// announced message, which recognizes our own). Until then the group stays
// in its epoch and keeps the proposals, so a competing commit can still be
// processed.

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "actors/transport/discord/mls/codec.hpp"
#include "actors/transport/discord/mls/framing.hpp"
#include "actors/transport/discord/mls/key_schedule.hpp"
#include "actors/transport/discord/mls/psk.hpp"
#include "actors/transport/discord/mls/ratchet_tree.hpp"
#include "actors/transport/discord/mls/treekem.hpp"

namespace parley::mls {

// The private halves behind one KeyPackage; they never leave the member.
struct key_package_secrets {
  bytes signature_private_key;
  bytes encryption_private_key;  // the leaf's HPKE key, kept as a member
  bytes init_private_key;        // opens the Welcome's GroupSecrets
};

struct member_key_package {
  key_package package;
  key_package_secrets secrets;
};

// A basic credential's identity for a 64-bit user id: 8 bytes big-endian
// (DAVE: the Discord user snowflake).
bytes user_id_identity(std::uint64_t user_id);
// The user id an identity carries; nullopt unless it is exactly 8 bytes.
std::optional<std::uint64_t> identity_user_id(const bytes& identity);

// The capabilities DAVE's members announce: version 1.0, cipher suite 2,
// basic credentials, no extensions or proposals beyond the defaults.
mls::capabilities default_capabilities();

// A signed KeyPackage with a basic credential for `identity`, fresh HPKE
// init and leaf keys, and the given signature key (a fresh one when
// absent); the lifetime is the widest, as DAVE's gateway requires.
member_key_package create_key_package(
    const bytes& identity, const std::optional<bytes>& signature_private_key = std::nullopt);

// The external_senders group context extension (type 5), and the senders
// in a list (empty without the extension).
extension external_senders_extension(const std::vector<external_sender>& senders);
std::vector<external_sender> external_senders_of(const extension_list& extensions);

struct group_member {
  std::uint32_t leaf_index = 0;
  mls::credential credential;
  bytes signature_key;
};

// What commit() produces: the PublicMessage to send and, when the commit
// adds members, the Welcome for them.
struct commit_output {
  mls_message commit;
  std::optional<mls_message> welcome;
};

struct commit_options {
  // An UpdatePath even when the proposals do not require one (§12.4).
  bool force_path = false;
  // The ratchet_tree extension in the Welcome's GroupInfo; DAVE requires it.
  bool inline_tree = true;
};

enum class commit_effect {
  applied,  // the group is in the next epoch
  removed,  // the commit removes us: the group is over for this member
};

// External PSKs by their id (psk_id of type external).
using external_psks = std::map<bytes, bytes>;

// The first steps of joining (§12.4.3.1), on their own for checking a
// Welcome: the GroupSecrets meant for `package`, opened with its init key,
// the psk_secret of the PSKs they name (external ones only) and the
// GroupInfo they decrypt. Nothing in the GroupInfo is verified yet.
struct opened_welcome {
  group_secrets secrets;
  bytes psk_secret;
  group_info info;
};
opened_welcome open_welcome(const welcome& message, const key_package& package,
                            const bytes& init_private_key, const external_psks& psks = {});

class group {
 public:
  // §11: a group of one at epoch 0, `self` its leaf 0.
  static group create(bytes group_id, const member_key_package& self, extension_list extensions);
  // §12.4.3.1: joins from the Welcome for `self.package`. The ratchet tree
  // comes from the GroupInfo's ratchet_tree extension unless given here.
  static group join(const welcome& message, const member_key_package& self,
                    const std::optional<tree_nodes>& tree = std::nullopt, external_psks psks = {});

  // A PublicMessage proposal for this epoch, from a member, an external
  // sender of the group or a new member; it is verified and cached.
  // Returns its ProposalRef. A proposal already cached is not cached twice.
  bytes handle_proposal(const mls_message& message);
  // Drops a cached proposal (DAVE's gateway revokes them); false when the
  // ref is not cached.
  bool revoke_proposal(const bytes& ref);
  std::size_t proposal_count() const { return proposals_.size(); }
  std::vector<bytes> proposal_refs() const;

  // Commits every cached proposal by reference, in the order received,
  // with an UpdatePath when one is required (any Update, Remove or
  // GroupContextExtensions, or no proposals) or asked for. The result is
  // kept as the pending commit (replacing any earlier one); the group
  // itself stays in its epoch.
  commit_output commit(const commit_options& options = {});
  bool has_pending_commit() const { return pending_.has_value(); }
  // Moves to the epoch of our pending commit (it was accepted).
  void apply_pending_commit();
  void discard_pending_commit() { pending_.reset(); }

  // A commit for this epoch (PublicMessage). If it is our pending commit
  // byte for byte, the pending state is applied; otherwise it is verified
  // (membership tag, signature, proposals by reference from the cache and
  // inline, the UpdatePath, the confirmation tag) and applied. Once it is
  // applied (or removes us) the cached proposals and any pending commit
  // are dropped; when it throws, nothing has changed.
  commit_effect handle_commit(const mls_message& message);

  void add_external_psk(const bytes& id, const bytes& secret);

  const bytes& group_id() const { return epoch_.context.group_id; }
  std::uint64_t epoch() const { return epoch_.context.epoch; }
  std::uint32_t own_leaf() const { return epoch_.own_leaf; }
  const group_context& context() const { return epoch_.context; }
  const extension_list& extensions() const { return epoch_.context.extensions; }
  const ratchet_tree& tree() const { return epoch_.tree; }
  const bytes& epoch_authenticator() const { return epoch_.secrets.epoch_authenticator; }
  // MLS-Exporter(label, context, size) (§8.5).
  bytes export_secret(const std::string& label, const bytes& context, std::size_t size) const;
  // The non-blank leaves in leaf order.
  std::vector<group_member> members() const;
  // After handle_commit returned removed.
  bool removed() const { return removed_; }

  // Everything one epoch is: replaced whole by a commit. Public only so
  // that the helpers in the group_*.cpp files can name it.
  struct epoch_state {
    group_context context;
    bytes interim_transcript_hash;
    ratchet_tree tree;
    treekem_private tree_keys;
    epoch_secrets secrets;
    std::uint32_t own_leaf = 0;
  };

  // A proposal as a commit uses it: who sent it matters for Updates.
  struct cached_proposal {
    bytes ref;  // empty for a proposal inline in a commit
    mls::proposal proposal;
    mls::sender sender;
  };

 private:
  struct pending_commit {
    bytes message;  // the encoded MLSMessage we sent
    epoch_state next;
  };

  group() = default;

  void check_usable() const;
  bytes signature_key_of(const sender& from, const mls::proposal* proposal) const;
  authenticated_content open(const mls_message& message) const;
  bytes resolve_psk(const psk_id& id) const;
  std::vector<psk_with_secret> resolve_psks(const std::vector<psk_id>& ids) const;
  std::vector<cached_proposal> resolve_commit_proposals(const mls::commit& content,
                                                        const sender& from) const;
  void enter(epoch_state next);

  epoch_state epoch_;
  bytes signature_private_key_;
  std::vector<cached_proposal> proposals_;
  std::optional<pending_commit> pending_;
  external_psks external_psks_;
  // This group's resumption PSKs of earlier epochs we were in (§8.6).
  std::map<std::uint64_t, bytes> resumption_psks_;
  bool removed_ = false;
};

}  // namespace parley::mls
