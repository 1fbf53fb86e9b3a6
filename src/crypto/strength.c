/* What ward accepts as strong enough, in one place: the size of every
 * key it is shown (the peer's leaf, whether verified, pinned or not
 * checked; every certificate of a verified chain; its own keys) and the
 * hash a certificate's signature may use. */
#include <string.h>

#include <openssl/objects.h>
#include <openssl/x509v3.h>

#include "crypto/crypto_int.h"

static int is_rsa(const EVP_PKEY *pkey)
{
    return EVP_PKEY_is_a(pkey, "RSA") || EVP_PKEY_is_a(pkey, "RSA-PSS");
}

/* RSA and DSA under 2048 bits and elliptic curves under 224 bits give
 * less than 112 bits of security (NIST SP 800-57 part 1 §5.6.1, the
 * floor of RFC 9155's and today's browsers' policy). Ed25519 and Ed448
 * have one size each, both above it. */
int crypto_pkey_weak(const EVP_PKEY *pkey, char *why, size_t cap)
{
    const char *alg;
    int min;
    if (!pkey) {
        crypto_msgf(why, cap, "its public key cannot be read");
        return 1;
    }
    if (is_rsa(pkey)) {
        alg = "RSA";
        min = 2048;
    } else if (EVP_PKEY_is_a(pkey, "DSA")) {
        alg = "DSA";
        min = 2048;
    } else if (EVP_PKEY_is_a(pkey, "EC")) {
        alg = "EC";
        min = 224;
    } else {
        return 0;
    }
    int bits = EVP_PKEY_get_bits(pkey);
    if (bits >= min)
        return 0;
    crypto_msgf(why, cap, "its %d-bit %s key is too small (ward requires at least %d bits)", bits,
                alg, min);
    return 1;
}

/* RFC 8446 §4.4.2.4: a signature using MD5 MUST be refused (RFC 6151:
 * collisions are practical); SHA-1 is refused as RFC 9155 deprecates it
 * (chosen-prefix collisions, SHAttered). The same for MD4, MD2 and the
 * MD5+SHA-1 concatenation. */
int crypto_x509_weak_signature(const X509 *x, char *why, size_t cap)
{
    int md = NID_undef;
    if (X509_get_signature_info((X509 *)x, &md, NULL, NULL, NULL) != 1) {
        ERR_clear_error();
        md = X509_get_signature_nid(x); /* unknown: report the algorithm */
        crypto_msgf(why, cap, "its signature algorithm (%s) is not supported",
                    OBJ_nid2sn(md) ? OBJ_nid2sn(md) : "?");
        return 1;
    }
    const char *name = md == NID_md5 || md == NID_md5_sha1 ? "MD5"
                       : md == NID_sha1                    ? "SHA-1"
                       : md == NID_md4                     ? "MD4"
                       : md == NID_md2                     ? "MD2"
                                                           : NULL;
    if (!name)
        return 0;
    crypto_msgf(why, cap, "it is signed with %s, which ward refuses (%s)", name,
                md == NID_sha1 ? "RFC 9155" : "RFC 6151");
    return 1;
}

wres crypto_key_check_strength(const crypto_key *k, int allow_weak_rsa, char *why, size_t cap)
{
    crypto_msgf(why, cap, "%s", "");
    if (!k || !k->pkey)
        return wres_err(WARD_ERR_INTERNAL);
    const EVP_PKEY *pkey = k->pkey;
    if (allow_weak_rsa && is_rsa(pkey))
        return wres_ok(); /* tests only: RFC 8448's trace has a 1024-bit key */
    if (crypto_pkey_weak(pkey, why, cap))
        return wres_err(WARD_ERR_INSUFFICIENT_SECURITY);
    return wres_ok();
}
