#include "actors/transport/discord/mls/key_schedule.hpp"

namespace parley::mls {

namespace {

void check_size(const bytes& secret, const char* what) {
  if (secret.size() != hash_size) {
    throw error(std::string("key schedule: ") + what + " must be " + std::to_string(hash_size) +
                " bytes, got " + std::to_string(secret.size()));
  }
}

}  // namespace

bytes zero_secret() {
  return bytes(hash_size, 0);
}

welcome_key derive_welcome_key(const bytes& welcome_secret) {
  return {expand_with_label(welcome_secret, "key", {}, aead_key_size),
          expand_with_label(welcome_secret, "nonce", {}, aead_nonce_size)};
}

epoch_secrets epoch_secrets::derive(const bytes& init_secret, const bytes& commit_secret,
                                    const bytes& psk_secret, const bytes& group_context) {
  check_size(init_secret, "init_secret");
  check_size(commit_secret, "commit_secret");
  const auto joiner_prk = hkdf_extract(init_secret, commit_secret);
  return from_joiner(expand_with_label(joiner_prk, "joiner", group_context, hash_size), psk_secret,
                     group_context);
}

epoch_secrets epoch_secrets::from_joiner(const bytes& joiner_secret, const bytes& psk_secret,
                                         const bytes& group_context) {
  check_size(joiner_secret, "joiner_secret");
  check_size(psk_secret, "psk_secret");
  const auto member_prk = hkdf_extract(joiner_secret, psk_secret);
  const auto epoch_secret = expand_with_label(member_prk, "epoch", group_context, hash_size);

  epoch_secrets s;
  s.joiner_secret = joiner_secret;
  s.welcome_secret = derive_secret(member_prk, "welcome");
  s.sender_data_secret = derive_secret(epoch_secret, "sender data");
  s.encryption_secret = derive_secret(epoch_secret, "encryption");
  s.exporter_secret = derive_secret(epoch_secret, "exporter");
  s.external_secret = derive_secret(epoch_secret, "external");
  s.confirmation_key = derive_secret(epoch_secret, "confirm");
  s.membership_key = derive_secret(epoch_secret, "membership");
  s.resumption_psk = derive_secret(epoch_secret, "resumption");
  s.epoch_authenticator = derive_secret(epoch_secret, "authentication");
  s.init_secret = derive_secret(epoch_secret, "init");
  return s;
}

bytes epoch_secrets::exporter(const std::string& label, const bytes& context,
                              std::size_t length) const {
  const auto label_secret = derive_secret(exporter_secret, label);
  return expand_with_label(label_secret, "exported", hash(context), length);
}

hpke_key_pair epoch_secrets::external_key_pair() const {
  return derive_hpke_key(external_secret);
}

}  // namespace parley::mls
