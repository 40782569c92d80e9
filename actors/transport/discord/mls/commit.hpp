#pragma once
// Commit and UpdatePath (RFC 9420 §12.4, §7.6).

#include <optional>
#include <vector>

#include "actors/transport/discord/mls/codec.hpp"
#include "actors/transport/discord/mls/crypto.hpp"
#include "actors/transport/discord/mls/leaf_node.hpp"
#include "actors/transport/discord/mls/proposal.hpp"

namespace parley::mls {

struct update_path_node {
  bytes encryption_key;
  std::vector<hpke_ciphertext> encrypted_path_secret;

  void encode(tls_writer& w) const;
  static update_path_node decode(tls_reader& r);
};

struct update_path {
  mls::leaf_node leaf_node;
  std::vector<update_path_node> nodes;

  void encode(tls_writer& w) const;
  static update_path decode(tls_reader& r);
};

struct commit {
  std::vector<proposal_or_ref> proposals;
  std::optional<update_path> path;

  void encode(tls_writer& w) const;
  static commit decode(tls_reader& r);
};

}  // namespace parley::mls
