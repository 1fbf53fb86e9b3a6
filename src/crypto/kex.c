/* (EC)DHE key exchange for TLS 1.3 key shares (RFC 8446 §4.2.8.2, §7.4):
 * x25519 (raw 32-byte keys, RFC 7748) and secp256r1 / secp384r1
 * (UncompressedPointRepresentation 0x04 || X || Y; the shared secret is
 * the X coordinate). */
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/param_build.h>

#include "base/mem.h"
#include "crypto/crypto_int.h"

typedef struct {
    uint16_t group;
    const char *name;  /* OpenSSL key type (x25519) or curve name (NIST) */
    int nid;           /* NID_undef for x25519 */
    size_t coord;      /* field element length: scalar, X and Y */
    size_t publen;     /* key_share length */
} kex_group;

static const kex_group kex_groups[] = {
    {WARD_GROUP_X25519, "X25519", NID_undef, 32, 32},
    {WARD_GROUP_SECP256R1, "P-256", NID_X9_62_prime256v1, 32, 65},
    {WARD_GROUP_SECP384R1, "P-384", NID_secp384r1, 48, 97},
};

static const kex_group *kex_group_find(uint16_t group)
{
    for (size_t i = 0; i < WARD_ARRAY_LEN(kex_groups); i++)
        if (kex_groups[i].group == group)
            return &kex_groups[i];
    return NULL;
}

int crypto_kex_supported(uint16_t group) { return kex_group_find(group) != NULL; }

static int is_x25519(const kex_group *g) { return g->nid == NID_undef; }

/* The key_share encoding of our public key. */
static wres kex_public(const kex_group *g, EVP_PKEY *pkey, uint8_t *pub, size_t pubcap,
                       size_t *publen)
{
    ENSURE(pubcap >= g->publen, WARD_ERR_INTERNAL);
    size_t len = pubcap;
    int ok = is_x25519(g)
                 ? EVP_PKEY_get_raw_public_key(pkey, pub, &len) == 1
                 : EVP_PKEY_get_octet_string_param(pkey, OSSL_PKEY_PARAM_PUB_KEY, pub, pubcap,
                                                   &len) == 1;
    if (!ok || len != g->publen || (!is_x25519(g) && pub[0] != 0x04))
        return crypto_fail(WARD_ERR_INTERNAL);
    *publen = len;
    return wres_ok();
}

/* Take ownership of pkey into k and write the public share. */
static wres kex_finish(crypto_kex *k, const kex_group *g, EVP_PKEY *pkey, uint8_t *pub,
                       size_t pubcap, size_t *publen)
{
    wres r = kex_public(g, pkey, pub, pubcap, publen);
    if (!wres_is_ok(r)) {
        EVP_PKEY_free(pkey);
        return r;
    }
    k->pkey = pkey;
    return wres_ok();
}

wres crypto_kex_keygen(crypto_kex *k, uint16_t group, uint8_t *pub, size_t pubcap,
                       size_t *publen)
{
    k->pkey = NULL;
    k->group = group;
    const kex_group *g = kex_group_find(group);
    ENSURE(g, WARD_ERR_INTERNAL);
    EVP_PKEY *pkey = is_x25519(g) ? EVP_PKEY_Q_keygen(NULL, NULL, "X25519")
                                  : EVP_PKEY_Q_keygen(NULL, NULL, "EC", g->name);
    if (!pkey)
        return crypto_fail(WARD_ERR_INTERNAL);
    return kex_finish(k, g, pkey, pub, pubcap, publen);
}

/* Import an EC key from its curve, public point and (optional) private
 * scalar. Import checks that the point is on the curve. */
static EVP_PKEY *ec_from_data(const kex_group *g, const uint8_t *pub, size_t publen,
                              const BIGNUM *priv)
{
    EVP_PKEY *pkey = NULL;
    OSSL_PARAM *params = NULL;
    OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
    int ok = bld && ctx &&
             OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, g->name, 0) &&
             OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, pub, publen) &&
             (!priv || OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, priv)) &&
             (params = OSSL_PARAM_BLD_to_param(bld)) != NULL &&
             EVP_PKEY_fromdata_init(ctx) == 1 &&
             EVP_PKEY_fromdata(ctx, &pkey, priv ? EVP_PKEY_KEYPAIR : EVP_PKEY_PUBLIC_KEY,
                               params) == 1;
    if (!ok) {
        EVP_PKEY_free(pkey);
        pkey = NULL;
    }
    OSSL_PARAM_free(params); /* clears the private scalar too */
    OSSL_PARAM_BLD_free(bld);
    EVP_PKEY_CTX_free(ctx);
    return pkey;
}

/* pub = priv * G, uncompressed. priv must be in [1, n-1]. */
static int ec_public_from_scalar(const kex_group *g, const BIGNUM *priv, uint8_t *pub)
{
    EC_GROUP *grp = EC_GROUP_new_by_curve_name(g->nid);
    EC_POINT *pt = grp ? EC_POINT_new(grp) : NULL;
    int ok = pt && !BN_is_zero(priv) && BN_cmp(priv, EC_GROUP_get0_order(grp)) < 0 &&
             EC_POINT_mul(grp, pt, priv, NULL, NULL, NULL) == 1 &&
             EC_POINT_point2oct(grp, pt, POINT_CONVERSION_UNCOMPRESSED, pub, g->publen, NULL) ==
                 g->publen;
    EC_POINT_free(pt);
    EC_GROUP_free(grp);
    return ok;
}

static EVP_PKEY *ec_from_private(const kex_group *g, const uint8_t *priv, size_t privlen)
{
    uint8_t pub[CRYPTO_MAX_KEX_PUB];
    BIGNUM *d = BN_secure_new();
    EVP_PKEY *pkey = NULL;
    if (d && BN_bin2bn(priv, (int)privlen, d) && ec_public_from_scalar(g, d, pub))
        pkey = ec_from_data(g, pub, g->publen, d);
    BN_clear_free(d);
    return pkey;
}

wres crypto_kex_from_private(crypto_kex *k, uint16_t group, const uint8_t *priv,
                             size_t privlen, uint8_t *pub, size_t pubcap, size_t *publen)
{
    k->pkey = NULL;
    k->group = group;
    const kex_group *g = kex_group_find(group);
    ENSURE(g && priv && privlen == g->coord, WARD_ERR_INTERNAL);
    EVP_PKEY *pkey = is_x25519(g)
                         ? EVP_PKEY_new_raw_private_key_ex(NULL, "X25519", NULL, priv, privlen)
                         : ec_from_private(g, priv, privlen);
    if (!pkey)
        return crypto_fail(WARD_ERR_INTERNAL);
    return kex_finish(k, g, pkey, pub, pubcap, publen);
}

/* The peer's share as a key, or NULL when it is not a valid share. */
static EVP_PKEY *kex_peer_key(const kex_group *g, const uint8_t *peer, size_t peerlen)
{
    if (!peer || peerlen != g->publen)
        return NULL;
    if (is_x25519(g))
        return EVP_PKEY_new_raw_public_key_ex(NULL, "X25519", NULL, peer, peerlen);
    if (peer[0] != 0x04) /* TLS 1.3 allows only the uncompressed form */
        return NULL;
    return ec_from_data(g, peer, peerlen, NULL);
}

static int all_zero(const uint8_t *p, size_t n)
{
    uint8_t acc = 0;
    for (size_t i = 0; i < n; i++)
        acc |= p[i];
    return acc == 0;
}

wres crypto_kex_derive(const crypto_kex *k, const uint8_t *peer, size_t peerlen,
                       uint8_t *secret, size_t seccap, size_t *seclen)
{
    const kex_group *g = kex_group_find(k->group);
    ENSURE(g && k->pkey && seccap >= g->coord, WARD_ERR_INTERNAL);
    EVP_PKEY *peerkey = kex_peer_key(g, peer, peerlen);
    if (!peerkey)
        return crypto_fail(WARD_ERR_ILLEGAL_PARAMETER);

    ward_err err = WARD_ERR_INTERNAL;
    size_t len = seccap;
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(NULL, k->pkey, NULL);
    if (!ctx || EVP_PKEY_derive_init(ctx) != 1)
        goto out;
    /* validate_peer = 1: a public-key check of the peer point (NIST). */
    if (EVP_PKEY_derive_set_peer_ex(ctx, peerkey, 1) != 1) {
        err = WARD_ERR_ILLEGAL_PARAMETER;
        goto out;
    }
    /* For x25519, OpenSSL refuses an all-zero result (RFC 7748 §6.1,
     * RFC 8446 §7.4.2): a low-order peer point, so the peer's fault. */
    if (EVP_PKEY_derive(ctx, secret, &len) != 1) {
        err = is_x25519(g) ? WARD_ERR_ILLEGAL_PARAMETER : WARD_ERR_INTERNAL;
        goto out;
    }
    if (len != g->coord || all_zero(secret, len)) {
        ward_zeroize(secret, seccap);
        err = len != g->coord ? WARD_ERR_INTERNAL : WARD_ERR_ILLEGAL_PARAMETER;
        goto out;
    }
    *seclen = len;
    err = WARD_OK;
out:
    EVP_PKEY_CTX_free(ctx);
    EVP_PKEY_free(peerkey);
    return err == WARD_OK ? wres_ok() : crypto_fail(err);
}

void crypto_kex_free(crypto_kex *k)
{
    if (!k)
        return;
    EVP_PKEY_free(k->pkey); /* key material is cleared on free */
    k->pkey = NULL;
}
