// P-256 keys as MLS carries them (32-byte scalars, 65-byte uncompressed
// points) turned into EVP_PKEYs and back. Points from the wire are checked
// to lie on the curve before any use: an invalid-curve point would leak the
// private key through ECDH.

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/obj_mac.h>
#include <openssl/param_build.h>

#include "actors/transport/discord/mls/crypto_detail.hpp"

namespace parley::mls::detail {

namespace {

struct group_deleter {
  void operator()(EC_GROUP* p) const { EC_GROUP_free(p); }
};
struct point_deleter {
  void operator()(EC_POINT* p) const { EC_POINT_free(p); }
};
struct bn_deleter {
  void operator()(BIGNUM* p) const { BN_clear_free(p); }
};
struct bn_ctx_deleter {
  void operator()(BN_CTX* p) const { BN_CTX_free(p); }
};
struct param_bld_deleter {
  void operator()(OSSL_PARAM_BLD* p) const { OSSL_PARAM_BLD_free(p); }
};
struct params_deleter {
  void operator()(OSSL_PARAM* p) const { OSSL_PARAM_free(p); }
};
using group_ptr = std::unique_ptr<EC_GROUP, group_deleter>;
using point_ptr = std::unique_ptr<EC_POINT, point_deleter>;
using bn_ptr = std::unique_ptr<BIGNUM, bn_deleter>;
using bn_ctx_ptr = std::unique_ptr<BN_CTX, bn_ctx_deleter>;
using param_bld_ptr = std::unique_ptr<OSSL_PARAM_BLD, param_bld_deleter>;
using params_ptr = std::unique_ptr<OSSL_PARAM, params_deleter>;

const char* const curve_name = "prime256v1";

group_ptr p256() {
  group_ptr g(EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1));
  if (!g) fail("P-256: no group");
  return g;
}

// The scalar as a BIGNUM in secure memory, range-checked.
bn_ptr scalar_bn(const bytes& scalar, const EC_GROUP* group) {
  if (scalar.size() != scalar_size) {
    throw error("P-256 private key: expected 32 bytes, got " + std::to_string(scalar.size()));
  }
  bn_ptr d(BN_secure_new());
  if (!d || !BN_bin2bn(scalar.data(), static_cast<int>(scalar.size()), d.get())) {
    fail("P-256 private key: bignum");
  }
  if (BN_is_zero(d.get()) || BN_cmp(d.get(), EC_GROUP_get0_order(group)) >= 0) {
    throw error("P-256 private key: scalar out of range");
  }
  return d;
}

point_ptr decode_point(const bytes& point, const EC_GROUP* group, BN_CTX* ctx) {
  if (point.size() != point_size || point[0] != 0x04) {
    throw error("P-256 public key: not a 65-byte uncompressed point");
  }
  point_ptr p(EC_POINT_new(group));
  if (!p) fail("P-256 public key: allocation");
  if (EC_POINT_oct2point(group, p.get(), point.data(), point.size(), ctx) != 1) {
    ERR_clear_error();
    throw error("P-256 public key: not a point on the curve");
  }
  // P-256 has cofactor 1, so a finite point on the curve is in the group.
  if (EC_POINT_is_on_curve(group, p.get(), ctx) != 1 || EC_POINT_is_at_infinity(group, p.get())) {
    ERR_clear_error();
    throw error("P-256 public key: not a point on the curve");
  }
  return p;
}

bytes encode_point(const EC_GROUP* group, const EC_POINT* p, BN_CTX* ctx) {
  bytes out(point_size);
  if (EC_POINT_point2oct(group, p, POINT_CONVERSION_UNCOMPRESSED, out.data(), out.size(), ctx) !=
      point_size) {
    fail("P-256 public key: encoding");
  }
  return out;
}

// Builds the EVP_PKEY from the checked parts; `d` is null for a public key.
pkey_ptr pkey_from(const BIGNUM* d, const bytes& point) {
  param_bld_ptr bld(OSSL_PARAM_BLD_new());
  if (!bld ||
      !OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, curve_name, 0) ||
      !OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(),
                                        point.size()) ||
      (d != nullptr && !OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_PRIV_KEY, d))) {
    fail("P-256 key: parameters");
  }
  params_ptr params(OSSL_PARAM_BLD_to_param(bld.get()));
  pkey_ctx_ptr ctx(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr));
  if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1) fail("P-256 key: context");
  EVP_PKEY* raw = nullptr;
  const int selection = d != nullptr ? EVP_PKEY_KEYPAIR : EVP_PKEY_PUBLIC_KEY;
  if (EVP_PKEY_fromdata(ctx.get(), &raw, selection, params.get()) != 1) fail("P-256 key: import");
  return pkey_ptr(raw);
}

}  // namespace

void fail(const std::string& what) {
  const unsigned long code = ERR_get_error();
  ERR_clear_error();
  if (code == 0) throw error(what);
  std::string reason(256, '\0');
  ERR_error_string_n(code, reason.data(), reason.size());
  reason.resize(reason.find('\0'));
  throw error(what + " (" + reason + ")");
}

const std::uint8_t* data_of(const bytes& b) {
  static const std::uint8_t empty = 0;
  return b.empty() ? &empty : b.data();
}

bool valid_scalar(const bytes& scalar) {
  auto group = p256();
  try {
    scalar_bn(scalar, group.get());
  } catch (const error&) {
    return false;
  }
  return true;
}

bytes public_point_of(const bytes& scalar) {
  auto group = p256();
  auto d = scalar_bn(scalar, group.get());
  bn_ctx_ptr ctx(BN_CTX_secure_new());
  point_ptr p(EC_POINT_new(group.get()));
  if (!ctx || !p || EC_POINT_mul(group.get(), p.get(), d.get(), nullptr, nullptr, ctx.get()) != 1) {
    fail("P-256: public point");
  }
  return encode_point(group.get(), p.get(), ctx.get());
}

pkey_ptr private_key_from(const bytes& scalar) {
  auto group = p256();
  auto d = scalar_bn(scalar, group.get());
  return pkey_from(d.get(), public_point_of(scalar));
}

pkey_ptr public_key_from(const bytes& point) {
  auto group = p256();
  bn_ctx_ptr ctx(BN_CTX_new());
  if (!ctx) fail("P-256 public key: context");
  decode_point(point, group.get(), ctx.get());
  return pkey_from(nullptr, point);
}

void generate_p256(bytes& scalar, bytes& point) {
  pkey_ptr key(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", curve_name));
  if (!key) fail("P-256: key generation");
  BIGNUM* raw = nullptr;
  if (EVP_PKEY_get_bn_param(key.get(), OSSL_PKEY_PARAM_PRIV_KEY, &raw) != 1) {
    fail("P-256: reading the generated key");
  }
  bn_ptr d(raw);
  scalar.assign(scalar_size, 0);
  if (BN_bn2binpad(d.get(), scalar.data(), static_cast<int>(scalar.size())) != 32) {
    fail("P-256: encoding the generated key");
  }
  point = public_point_of(scalar);
}

bytes ecdh(const bytes& private_scalar, const bytes& peer_point) {
  auto own = private_key_from(private_scalar);
  auto peer = public_key_from(peer_point);
  pkey_ctx_ptr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, own.get(), nullptr));
  std::size_t size = 0;
  if (!ctx || EVP_PKEY_derive_init(ctx.get()) != 1 ||
      EVP_PKEY_derive_set_peer(ctx.get(), peer.get()) != 1 ||
      EVP_PKEY_derive(ctx.get(), nullptr, &size) != 1) {
    fail("ECDH: setup");
  }
  bytes secret(size);
  if (EVP_PKEY_derive(ctx.get(), secret.data(), &size) != 1 || size != scalar_size) {
    fail("ECDH: derive");
  }
  secret.resize(size);
  return secret;
}

}  // namespace parley::mls::detail
