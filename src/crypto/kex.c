/* Key exchange for TLS 1.3 key shares (RFC 8446 §4.2.8.2, §7.4):
 * x25519 (raw 32-byte keys, RFC 7748) and secp256r1 / secp384r1 /
 * secp521r1 (UncompressedPointRepresentation 0x04 || X || Y; the shared
 * secret is the X coordinate); the post-quantum hybrids of
 * draft-ietf-tls-ecdhe-mlkem, X25519MLKEM768, SecP256r1MLKEM768 and
 * SecP384r1MLKEM1024, which put an ML-KEM key exchange beside x25519,
 * P-256 or P-384; and ML-KEM-1024 alone (MLKEM1024,
 * draft-connolly-tls-mlkem-key-agreement). crypto.h gives the layouts.
 * ML-KEM is libcrypto's own where it has one (OpenSSL 3.5 and later,
 * probed at run time in fetch.c) and ward's mlkem.c otherwise. */
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/param_build.h>
#include <openssl/rand.h>

#include "base/mem.h"
#include "crypto/crypto_int.h"
#include "crypto/mlkem.h"
#include "crypto/x25519_base.h"

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
    {WARD_GROUP_SECP521R1, "P-521", NID_secp521r1, 66, 133},
};

static const kex_group *kex_group_find(uint16_t group)
{
    for (size_t i = 0; i < WARD_ARRAY_LEN(kex_groups); i++)
        if (kex_groups[i].group == group)
            return &kex_groups[i];
    return NULL;
}

/* The ML-KEM groups: ML-KEM beside an ECDH group in the draft's order
 * (the hybrids), or alone. */
typedef struct {
    uint16_t group;
    uint16_t ecdh;  /* the kex_groups entry of the ECDH part; 0: none */
    int ecdh_first; /* SecP256r1MLKEM768, SecP384r1MLKEM1024: the ECDH part
                     * comes first in the client share, the server share
                     * and the secret (draft-ietf-tls-ecdhe-mlkem) */
    mlkem_set set;
} hybrid_group;

static const hybrid_group hybrid_groups[] = {
    {CRYPTO_GROUP_X25519MLKEM768, WARD_GROUP_X25519, 0, MLKEM_768},
    {CRYPTO_GROUP_SECP256R1MLKEM768, WARD_GROUP_SECP256R1, 1, MLKEM_768},
    {CRYPTO_GROUP_SECP384R1MLKEM1024, WARD_GROUP_SECP384R1, 1, MLKEM_1024},
    {CRYPTO_GROUP_MLKEM1024, 0, 0, MLKEM_1024},
};

static const hybrid_group *hybrid_find(uint16_t group)
{
    for (size_t i = 0; i < WARD_ARRAY_LEN(hybrid_groups); i++)
        if (hybrid_groups[i].group == group)
            return &hybrid_groups[i];
    return NULL;
}

int crypto_kex_supported(uint16_t group)
{
    return kex_group_find(group) != NULL || hybrid_find(group) != NULL;
}

static int is_x25519(const kex_group *g) { return g->nid == NID_undef; }

/* The key_share encoding of our public key. */
static WARD_MUST_CHECK wres kex_public(const kex_group *g, EVP_PKEY *pkey, uint8_t *pub,
                                       size_t pubcap, size_t *publen)
{
    ENSURE(pubcap >= g->publen, WARD_ERR_INTERNAL);
    /* x25519 too: its "pub" parameter is the raw key. Asked this way,
     * the provider writes straight into pub; EVP_PKEY_get_raw_public_key
     * exports through a parameter builder (ten allocations). */
    size_t len = pubcap;
    int ok =
        EVP_PKEY_get_octet_string_param(pkey, OSSL_PKEY_PARAM_PUB_KEY, pub, pubcap, &len) == 1;
    if (!ok || len != g->publen || (!is_x25519(g) && pub[0] != 0x04))
        return crypto_fail(WARD_ERR_INTERNAL);
    *publen = len;
    return wres_ok();
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

/* An x25519 key from OSSL_PARAMs, through the process's one fromdata
 * context (crypto_algs). */
static EVP_PKEY *x25519_from_params(OSSL_PARAM *params, int selection)
{
    EVP_PKEY_CTX *ctx = crypto_algs_get()->x25519_fromdata;
    EVP_PKEY *pkey = NULL;
    if (!ctx || EVP_PKEY_fromdata(ctx, &pkey, selection, params) != 1) {
        EVP_PKEY_free(pkey);
        pkey = NULL;
    }
    return pkey;
}

/* An x25519 key pair from its private key. The public half comes from
 * x25519_base.c and is handed to libcrypto with it: given the private key
 * alone, libcrypto would compute it with its ladder, which costs as much
 * as the key exchange. */
static EVP_PKEY *x25519_from_private(const uint8_t priv[32])
{
#ifdef WARD_HAVE_X25519_BASE
    uint8_t pub[32];
    x25519_public_from_private(pub, priv);
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PRIV_KEY, (void *)priv, 32),
        OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, pub, 32),
        OSSL_PARAM_construct_end()};
#else
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PRIV_KEY, (void *)priv, 32),
        OSSL_PARAM_construct_end()};
#endif
    return x25519_from_params(params, EVP_PKEY_KEYPAIR);
}

/* A fresh x25519 key pair, the private key from the private DRBG (as
 * libcrypto's own key generation takes it). */
static EVP_PKEY *x25519_fresh(void)
{
    uint8_t priv[32];
    EVP_PKEY *pkey = RAND_priv_bytes(priv, sizeof priv) == 1 ? x25519_from_private(priv) : NULL;
    ward_zeroize(priv, sizeof priv);
    return pkey;
}

/* An (EC)DH key pair, fresh (priv NULL) or from the given private key,
 * and its key_share encoding in pub. */
static WARD_MUST_CHECK wres ecdh_key(const kex_group *g, const uint8_t *priv, size_t privlen,
                                     EVP_PKEY **out, uint8_t *pub, size_t pubcap, size_t *publen)
{
    EVP_PKEY *pkey;
    if (priv) {
        ENSURE(privlen == g->coord, WARD_ERR_INTERNAL);
        pkey = is_x25519(g) ? x25519_from_private(priv) : ec_from_private(g, priv, privlen);
    } else {
        pkey = is_x25519(g) ? x25519_fresh() : EVP_PKEY_Q_keygen(NULL, NULL, "EC", g->name);
    }
    if (!pkey)
        return crypto_fail(WARD_ERR_INTERNAL);
    wres r = kex_public(g, pkey, pub, pubcap, publen);
    if (!wres_is_ok(r)) {
        EVP_PKEY_free(pkey);
        return r;
    }
    *out = pkey;
    return wres_ok();
}

/* The peer's share as a key, or NULL when it is not a valid share. */
static EVP_PKEY *kex_peer_key(const kex_group *g, const uint8_t *peer, size_t peerlen)
{
    if (!peer || peerlen != g->publen)
        return NULL;
    if (is_x25519(g)) {
        OSSL_PARAM params[] = {
            OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, (void *)peer, peerlen),
            OSSL_PARAM_construct_end()};
        return x25519_from_params(params, EVP_PKEY_PUBLIC_KEY);
    }
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

/* (EC)DH of our key with the peer's share; an invalid share is
 * WARD_ERR_ILLEGAL_PARAMETER. secret gets g->coord bytes. */
static WARD_MUST_CHECK wres ecdh_derive(const kex_group *g, EVP_PKEY *ours, const uint8_t *peer,
                                        size_t peerlen, uint8_t *secret, size_t seccap,
                                        size_t *seclen)
{
    ENSURE(ours && seccap >= g->coord, WARD_ERR_INTERNAL);
    EVP_PKEY *peerkey = kex_peer_key(g, peer, peerlen);
    if (!peerkey)
        return crypto_fail(WARD_ERR_ILLEGAL_PARAMETER);

    ward_err err = WARD_ERR_INTERNAL;
    size_t len = seccap;
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(NULL, ours, NULL);
    if (!ctx || EVP_PKEY_derive_init(ctx) != 1)
        goto out;
    /* validate_peer: a public-key check of the peer point, for the NIST
     * curves. Every 32-byte string is an x25519 public key (RFC 7748 §5);
     * the check there only costs a context, and the low-order points it
     * could not catch anyway are refused below by their all-zero result. */
    if (EVP_PKEY_derive_set_peer_ex(ctx, peerkey, !is_x25519(g)) != 1) {
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

/* ---- ML-KEM for the hybrids and MLKEM1024 ---- */

/* Our decapsulation key (crypto_kex.kem): libcrypto's key when libcrypto has
 * the set and the key is random, else ward's encoded dk. */
typedef struct {
    EVP_PKEY *native;
    mlkem_set set;
    uint8_t dk[MLKEM_MAX_DK_BYTES];
} kex_kem;

static void kem_free(kex_kem *m)
{
    if (!m)
        return;
    EVP_PKEY_free(m->native); /* libcrypto clears its key material */
    ward_free_secret(m, sizeof *m);
}

/* libcrypto's own ML-KEM (OpenSSL >= 3.5), used for random keys and
 * randomness when crypto_algs says it has the set. These calls exist in
 * 3.0 too (EVP_PKEY_encapsulate came with RSASVE), so one build serves
 * both. Each returns 1 on success. */
static int native_has(mlkem_set set)
{
    const crypto_algs *a = crypto_algs_get();
    return set == MLKEM_768 ? a->has_mlkem768 : a->has_mlkem1024;
}

static const char *native_name(mlkem_set set)
{
    return set == MLKEM_768 ? "ML-KEM-768" : "ML-KEM-1024";
}

static int native_keygen(kex_kem *m, uint8_t *ek)
{
    size_t len = 0, eklen = mlkem_ek_bytes(m->set);
    m->native = EVP_PKEY_Q_keygen(NULL, NULL, native_name(m->set));
    return m->native &&
           EVP_PKEY_get_octet_string_param(m->native, OSSL_PKEY_PARAM_PUB_KEY, ek, eklen,
                                           &len) == 1 &&
           len == eklen;
}

static int native_encaps(mlkem_set set, const uint8_t *ek, uint8_t *ct, uint8_t *ss)
{
    size_t ctlen = mlkem_ct_bytes(set), sslen = MLKEM_SS_BYTES;
    EVP_PKEY *peer =
        EVP_PKEY_new_raw_public_key_ex(NULL, native_name(set), NULL, ek, mlkem_ek_bytes(set));
    EVP_PKEY_CTX *ctx = peer ? EVP_PKEY_CTX_new_from_pkey(NULL, peer, NULL) : NULL;
    int ok = ctx && EVP_PKEY_encapsulate_init(ctx, NULL) == 1 &&
             EVP_PKEY_encapsulate(ctx, ct, &ctlen, ss, &sslen) == 1 &&
             ctlen == mlkem_ct_bytes(set) && sslen == MLKEM_SS_BYTES;
    EVP_PKEY_CTX_free(ctx);
    EVP_PKEY_free(peer);
    return ok;
}

static int native_decaps(const kex_kem *m, const uint8_t *ct, uint8_t *ss)
{
    size_t sslen = MLKEM_SS_BYTES;
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(NULL, m->native, NULL);
    int ok = ctx && EVP_PKEY_decapsulate_init(ctx, NULL) == 1 &&
             EVP_PKEY_decapsulate(ctx, ss, &sslen, ct, mlkem_ct_bytes(m->set)) == 1 &&
             sslen == MLKEM_SS_BYTES;
    EVP_PKEY_CTX_free(ctx);
    return ok;
}

static WARD_MUST_CHECK wres native_result(int ok)
{
    return ok ? wres_ok() : crypto_fail(WARD_ERR_INTERNAL);
}

/* ---- ML-KEM groups: client key generation, client derive, server respond ----
 * For MLKEM1024 there is no ECDH part: g is NULL, and the ECDH lengths are 0. */

static const kex_group *hybrid_ecdh(const hybrid_group *h)
{
    return h->ecdh ? kex_group_find(h->ecdh) : NULL;
}

static size_t ecdh_publen(const kex_group *g) { return g ? g->publen : 0; }
static size_t ecdh_coord(const kex_group *g) { return g ? g->coord : 0; }

/* priv: NULL, or the ECDH private key || d || z. */
static WARD_MUST_CHECK wres hybrid_keygen(crypto_kex *k, const hybrid_group *h, const uint8_t *priv,
                                          size_t privlen, uint8_t *pub, size_t pubcap,
                                          size_t *publen)
{
    const kex_group *g = hybrid_ecdh(h);
    const size_t eplen = ecdh_publen(g), coord = ecdh_coord(g);
    const size_t eklen = mlkem_ek_bytes(h->set), len = eplen + eklen;
    ENSURE(pubcap >= len, WARD_ERR_INTERNAL);
    ENSURE(!priv || privlen == coord + 64, WARD_ERR_INTERNAL);
    uint8_t *ek = pub + (h->ecdh_first ? eplen : 0);
    uint8_t *ecdh_pub = pub + (h->ecdh_first ? 0 : eklen);

    kex_kem *m = ward_alloc(sizeof *m);
    ENSURE(m, WARD_ERR_NOMEM);
    m->set = h->set;
    wres r;
    if (priv)
        r = mlkem_keygen_internal(h->set, priv + coord, priv + coord + 32, ek, m->dk);
    else if (native_has(h->set))
        r = native_result(native_keygen(m, ek));
    else
        r = mlkem_keygen(h->set, ek, m->dk);

    EVP_PKEY *pkey = NULL;
    size_t ecdh_len = 0;
    if (wres_is_ok(r) && g)
        r = ecdh_key(g, priv, priv ? coord : 0, &pkey, ecdh_pub, eplen, &ecdh_len);
    if (!wres_is_ok(r)) {
        kem_free(m);
        return r;
    }
    k->pkey = pkey;
    k->kem = m;
    *publen = len;
    return wres_ok();
}

/* Client: peer = the server share (ct and ECDH share in the group's order). */
static WARD_MUST_CHECK wres hybrid_derive(const crypto_kex *k, const hybrid_group *h,
                                          const uint8_t *peer, size_t peerlen, uint8_t *secret,
                                          size_t seccap, size_t *seclen)
{
    const kex_group *g = hybrid_ecdh(h);
    const size_t eplen = ecdh_publen(g), coord = ecdh_coord(g);
    const size_t ctlen = mlkem_ct_bytes(h->set), len = coord + MLKEM_SS_BYTES;
    const kex_kem *m = k->kem;
    ENSURE((k->pkey || !g) && m && m->set == h->set && seccap >= len, WARD_ERR_INTERNAL);
    /* The drafts: a ciphertext of the wrong length is illegal_parameter. */
    if (!peer || peerlen != eplen + ctlen)
        return crypto_fail(WARD_ERR_ILLEGAL_PARAMETER);
    const uint8_t *ct = peer + (h->ecdh_first ? eplen : 0);
    const uint8_t *ecdh_peer = peer + (h->ecdh_first ? 0 : ctlen);
    uint8_t *kem_ss = secret + (h->ecdh_first ? coord : 0);
    uint8_t *ecdh_ss = secret + (h->ecdh_first ? 0 : MLKEM_SS_BYTES);

    size_t ecdh_len = 0;
    wres r = g ? ecdh_derive(g, k->pkey, ecdh_peer, eplen, ecdh_ss, coord, &ecdh_len)
               : wres_ok();
    /* Decapsulation failing for any other reason is internal_error. */
    if (wres_is_ok(r))
        r = m->native ? native_result(native_decaps(m, ct, kem_ss))
                      : mlkem_decaps(h->set, m->dk, ct, kem_ss);
    if (!wres_is_ok(r)) {
        ward_zeroize(secret, len);
        return r;
    }
    *seclen = len;
    return wres_ok();
}

/* Server: peer = the client share; priv: NULL, or ECDH private key || m. */
static WARD_MUST_CHECK wres hybrid_respond(const hybrid_group *h, const uint8_t *peer,
                                           size_t peerlen, const uint8_t *priv, size_t privlen,
                                           uint8_t *pub, size_t pubcap, size_t *publen,
                                           uint8_t *secret, size_t seccap, size_t *seclen)
{
    const kex_group *g = hybrid_ecdh(h);
    const size_t eplen = ecdh_publen(g), coord = ecdh_coord(g);
    const size_t eklen = mlkem_ek_bytes(h->set), ctlen = mlkem_ct_bytes(h->set);
    const size_t plen = eplen + ctlen, slen = coord + MLKEM_SS_BYTES;
    ENSURE(pubcap >= plen && seccap >= slen, WARD_ERR_INTERNAL);
    ENSURE(!priv || privlen == coord + 32, WARD_ERR_INTERNAL);
    if (!peer || peerlen != eplen + eklen)
        return crypto_fail(WARD_ERR_ILLEGAL_PARAMETER);
    const uint8_t *ek = peer + (h->ecdh_first ? eplen : 0);
    const uint8_t *ecdh_peer = peer + (h->ecdh_first ? 0 : eklen);
    uint8_t *ct = pub + (h->ecdh_first ? eplen : 0);
    uint8_t *ecdh_pub = pub + (h->ecdh_first ? 0 : ctlen);
    uint8_t *kem_ss = secret + (h->ecdh_first ? coord : 0);
    uint8_t *ecdh_ss = secret + (h->ecdh_first ? 0 : MLKEM_SS_BYTES);

    /* FIPS 203 §7.2 encapsulation-key check (the drafts: illegal_parameter). */
    if (!mlkem_ek_valid(h->set, ek))
        return crypto_fail(WARD_ERR_ILLEGAL_PARAMETER);
    wres r;
    if (priv)
        r = mlkem_encaps_internal(h->set, ek, priv + coord, ct, kem_ss);
    else if (native_has(h->set))
        r = native_result(native_encaps(h->set, ek, ct, kem_ss));
    else
        r = mlkem_encaps(h->set, ek, ct, kem_ss);

    EVP_PKEY *pkey = NULL;
    size_t ecdh_publen_got = 0, ecdh_len = 0;
    if (wres_is_ok(r) && g)
        r = ecdh_key(g, priv, priv ? coord : 0, &pkey, ecdh_pub, eplen, &ecdh_publen_got);
    if (wres_is_ok(r) && g)
        r = ecdh_derive(g, pkey, ecdh_peer, eplen, ecdh_ss, coord, &ecdh_len);
    EVP_PKEY_free(pkey);
    if (!wres_is_ok(r)) {
        ward_zeroize(secret, slen);
        return r;
    }
    *publen = plen;
    *seclen = slen;
    return wres_ok();
}

/* ---- the API ---- */

wres crypto_kex_keygen(crypto_kex *k, uint16_t group, uint8_t *pub, size_t pubcap,
                       size_t *publen)
{
    k->pkey = NULL;
    k->kem = NULL;
    k->group = group;
    const hybrid_group *h = hybrid_find(group);
    if (h)
        return hybrid_keygen(k, h, NULL, 0, pub, pubcap, publen);
    const kex_group *g = kex_group_find(group);
    ENSURE(g, WARD_ERR_INTERNAL);
    EVP_PKEY *pkey = NULL;
    GUARD(ecdh_key(g, NULL, 0, &pkey, pub, pubcap, publen));
    k->pkey = pkey;
    return wres_ok();
}

wres crypto_kex_from_private(crypto_kex *k, uint16_t group, const uint8_t *priv,
                             size_t privlen, uint8_t *pub, size_t pubcap, size_t *publen)
{
    k->pkey = NULL;
    k->kem = NULL;
    k->group = group;
    ENSURE(priv, WARD_ERR_INTERNAL);
    const hybrid_group *h = hybrid_find(group);
    if (h)
        return hybrid_keygen(k, h, priv, privlen, pub, pubcap, publen);
    const kex_group *g = kex_group_find(group);
    ENSURE(g, WARD_ERR_INTERNAL);
    EVP_PKEY *pkey = NULL;
    GUARD(ecdh_key(g, priv, privlen, &pkey, pub, pubcap, publen));
    k->pkey = pkey;
    return wres_ok();
}

wres crypto_kex_derive(const crypto_kex *k, const uint8_t *peer, size_t peerlen,
                       uint8_t *secret, size_t seccap, size_t *seclen)
{
    const hybrid_group *h = hybrid_find(k->group);
    if (h)
        return hybrid_derive(k, h, peer, peerlen, secret, seccap, seclen);
    const kex_group *g = kex_group_find(k->group);
    ENSURE(g && k->pkey, WARD_ERR_INTERNAL);
    return ecdh_derive(g, k->pkey, peer, peerlen, secret, seccap, seclen);
}

wres crypto_kex_respond(uint16_t group, const uint8_t *peer, size_t peerlen,
                        const uint8_t *priv, size_t privlen, uint8_t *pub, size_t pubcap,
                        size_t *publen, uint8_t *secret, size_t seccap, size_t *seclen)
{
    const hybrid_group *h = hybrid_find(group);
    if (h)
        return hybrid_respond(h, peer, peerlen, priv, privlen, pub, pubcap, publen, secret,
                              seccap, seclen);
    const kex_group *g = kex_group_find(group);
    ENSURE(g, WARD_ERR_INTERNAL);
    EVP_PKEY *pkey = NULL;
    GUARD(ecdh_key(g, priv, privlen, &pkey, pub, pubcap, publen));
    wres r = ecdh_derive(g, pkey, peer, peerlen, secret, seccap, seclen);
    EVP_PKEY_free(pkey);
    return r;
}

/* ---- private keys from a configuration's random source ---- */

#define KEX_MAX_PRIV (66 + 64) /* P-521's scalar; hybrids: ECDH key || d || z */
#define SCALAR_TRIES 64        /* a source that fails this often is broken */

/* An (EC)DH private key from the source. x25519 takes any 32 bytes (RFC
 * 7748 §5 clamps them). A NIST scalar must be in [1, n-1]: a draw out of
 * range is drawn again (rejection sampling, FIPS 186-5 A.2.2), after the
 * bits above the order's length are cleared (P-521: 7 of the 528). */
static WARD_MUST_CHECK wres draw_ecdh_private(const kex_group *g, const ward_providers *p,
                                              uint8_t *out)
{
    if (is_x25519(g))
        return crypto_random_from(p, out, g->coord);
    EC_GROUP *grp = EC_GROUP_new_by_curve_name(g->nid);
    BIGNUM *d = BN_secure_new();
    wres r = grp && d ? wres_ok() : crypto_fail(WARD_ERR_NOMEM);
    int extra = grp ? (int)(g->coord * 8) - EC_GROUP_order_bits(grp) : 0;
    int found = 0;
    for (int i = 0; wres_is_ok(r) && !found && i < SCALAR_TRIES; i++) {
        r = crypto_random_from(p, out, g->coord);
        if (wres_is_ok(r) && extra > 0 && extra < 8)
            out[0] &= (uint8_t)(0xff >> extra);
        found = wres_is_ok(r) && BN_bin2bn(out, (int)g->coord, d) && !BN_is_zero(d) &&
                BN_cmp(d, EC_GROUP_get0_order(grp)) < 0;
    }
    if (wres_is_ok(r) && !found)
        r = crypto_fail(WARD_ERR_INTERNAL);
    BN_clear_free(d);
    EC_GROUP_free(grp);
    return r;
}

/* The private input of a key share: the ECDH key (if the group has one),
 * then kem_len bytes for ML-KEM (d || z for a key, m for encapsulation). */
static WARD_MUST_CHECK wres draw_private(uint16_t group, const ward_providers *p, size_t kem_len,
                                         uint8_t priv[KEX_MAX_PRIV], size_t *len)
{
    const hybrid_group *h = hybrid_find(group);
    const kex_group *g = h ? hybrid_ecdh(h) : kex_group_find(group);
    ENSURE(g || h, WARD_ERR_INTERNAL);
    const size_t coord = ecdh_coord(g);
    if (g)
        GUARD(draw_ecdh_private(g, p, priv));
    if (h)
        GUARD(crypto_random_from(p, priv + coord, kem_len));
    *len = coord + (h ? kem_len : 0);
    return wres_ok();
}

wres crypto_kex_keygen_from(crypto_kex *k, uint16_t group, const ward_providers *p,
                            uint8_t *pub, size_t pubcap, size_t *publen)
{
    if (!crypto_random_is_custom(p))
        return crypto_kex_keygen(k, group, pub, pubcap, publen);
    k->pkey = NULL;
    k->kem = NULL;
    k->group = group;
    uint8_t priv[KEX_MAX_PRIV];
    size_t len = 0;
    wres r = draw_private(group, p, 64, priv, &len);
    if (wres_is_ok(r))
        r = crypto_kex_from_private(k, group, priv, len, pub, pubcap, publen);
    ward_zeroize(priv, sizeof priv);
    return r;
}

wres crypto_kex_respond_from(uint16_t group, const uint8_t *peer, size_t peerlen,
                             const ward_providers *p, uint8_t *pub, size_t pubcap,
                             size_t *publen, uint8_t *secret, size_t seccap, size_t *seclen)
{
    if (!crypto_random_is_custom(p))
        return crypto_kex_respond(group, peer, peerlen, NULL, 0, pub, pubcap, publen, secret,
                                  seccap, seclen);
    uint8_t priv[KEX_MAX_PRIV];
    size_t len = 0;
    wres r = draw_private(group, p, 32, priv, &len);
    if (wres_is_ok(r))
        r = crypto_kex_respond(group, peer, peerlen, priv, len, pub, pubcap, publen, secret,
                               seccap, seclen);
    ward_zeroize(priv, sizeof priv);
    return r;
}

void crypto_kex_free(crypto_kex *k)
{
    if (!k)
        return;
    EVP_PKEY_free(k->pkey); /* key material is cleared on free */
    k->pkey = NULL;
    kem_free(k->kem);
    k->kem = NULL;
}
