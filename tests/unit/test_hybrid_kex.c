/* The post-quantum hybrid groups of draft-ietf-tls-ecdhe-mlkem in
 * crypto_kex: X25519MLKEM768 (0x11ec) and SecP256r1MLKEM768 (0x11eb).
 *   - client keygen → server respond → client derive agree on 64 bytes;
 *   - the share sizes and the order of the parts (ML-KEM first for x25519,
 *     ECDH first for P-256), checked piece by piece against the plain
 *     groups and mlkem768.c, and as a whole against a known answer computed
 *     with independent code (noble-post-quantum ML-KEM-768, final FIPS 203,
 *     and noble-curves x25519 / P-256, concatenated per the draft);
 *   - truncated, oversized and invalid shares: illegal_parameter.
 * Also crypto_kex_respond for the (EC)DH groups. */
#include <string.h>

#include "crypto/crypto.h"
#include "crypto/mlkem768.h"
#include "testutil.h"
#include "ward/ward.h"

typedef struct {
    uint16_t group;
    uint16_t ecdh;
    int ecdh_first;
    size_t ecdh_pub, client_len, server_len;
    /* known answer: client priv = 0x11*32 || d = 0x22*32 || z = 0x33*32,
     * server priv = 0x44*32 || m = 0x55*32 */
    const char *client_sha256, *server_sha256, *secret;
} hybrid;

static const hybrid hybrids[] = {
    {CRYPTO_GROUP_X25519MLKEM768, WARD_GROUP_X25519, 0, 32, 1216, 1120,
     "93e6ddbf09f0a46e40d02fcf672faf0f01310fa04de44eccf3516d7457705d0f",
     "ffa9f94b2ec7f9aefcb0b99bee2bb9fd5eae27e63eb08e3a48d9492eef8d5ba7",
     "8832bb9d6c96dcbcc4d80259866c11daf1dfdc4533cb7315d5e1945f0a1f9e26"
     "b21afd23cc289c5c693adc6d9c7198657e590320fa4dd7a0aaf606e441a2ea46"},
    {CRYPTO_GROUP_SECP256R1MLKEM768, WARD_GROUP_SECP256R1, 1, 65, 1249, 1153,
     "1e19f5abfceec30b14e3e9b5010abcad20624e6985ce40b60a3bf77d2033f137",
     "03719a5b7d274f23b8a00ef9fa55e0f79c7dc6f91bd2a46cbd67980733dee923",
     "e2307aa1e29d7f77cc93c8e0dd3785b47ce4380e007108fbe76cef8a56bb6112"
     "8832bb9d6c96dcbcc4d80259866c11daf1dfdc4533cb7315d5e1945f0a1f9e26"},
};

#define PUB CRYPTO_MAX_KEX_PUB
#define SEC CRYPTO_MAX_KEX_SECRET

/* Random keys end to end, and every malformed share. */
static void test_roundtrip(const hybrid *h)
{
    uint8_t cpub[PUB], spub[PUB], out[PUB], bad[PUB + 1], s1[SEC], s2[SEC], s3[SEC];
    size_t cl = 0, sl = 0, ol = 0, n1 = 0, n2 = 0, n3 = 0;
    crypto_kex c = {0};
    CHECK(crypto_kex_supported(h->group));
    CHECK_OK(crypto_kex_keygen(&c, h->group, cpub, sizeof cpub, &cl));
    CHECK(cl == h->client_len);
    CHECK(c.kem != NULL);
    CHECK_OK(crypto_kex_respond(h->group, cpub, cl, NULL, 0, spub, sizeof spub, &sl, s1,
                                sizeof s1, &n1));
    CHECK(sl == h->server_len);
    CHECK(n1 == 64);
    CHECK_OK(crypto_kex_derive(&c, spub, sl, s2, sizeof s2, &n2));
    CHECK(n2 == 64);
    CHECK_MEM(s2, s1, 64);

    /* Server side: the client share truncated, oversized, missing. */
    CHECK_CODE(crypto_kex_respond(h->group, cpub, cl - 1, NULL, 0, out, sizeof out, &ol, s3,
                                  sizeof s3, &n3).code,
               WARD_ERR_ILLEGAL_PARAMETER);
    memcpy(bad, cpub, cl);
    bad[cl] = 0;
    CHECK_CODE(crypto_kex_respond(h->group, bad, cl + 1, NULL, 0, out, sizeof out, &ol, s3,
                                  sizeof s3, &n3).code,
               WARD_ERR_ILLEGAL_PARAMETER);
    CHECK_CODE(crypto_kex_respond(h->group, NULL, 0, NULL, 0, out, sizeof out, &ol, s3,
                                  sizeof s3, &n3).code,
               WARD_ERR_ILLEGAL_PARAMETER);
    CHECK_CODE(crypto_kex_respond(h->group, cpub, h->ecdh_pub, NULL, 0, out, sizeof out, &ol,
                                  s3, sizeof s3, &n3).code,
               WARD_ERR_ILLEGAL_PARAMETER); /* the ECDH part alone */

    /* Server side: the encapsulation key fails the modulus check (the
     * first coefficient set to 4095 >= q). */
    size_t ek_at = h->ecdh_first ? h->ecdh_pub : 0;
    size_t ecdh_at = h->ecdh_first ? 0 : MLKEM768_EK_BYTES;
    memcpy(bad, cpub, cl);
    bad[ek_at] = 0xff;
    bad[ek_at + 1] |= 0x0f;
    CHECK_CODE(crypto_kex_respond(h->group, bad, cl, NULL, 0, out, sizeof out, &ol, s3,
                                  sizeof s3, &n3).code,
               WARD_ERR_ILLEGAL_PARAMETER);

    /* Server side: the ECDH half invalid. x25519: the zero point (an
     * all-zero shared secret); P-256: compressed form, and off the curve. */
    memcpy(bad, cpub, cl);
    if (h->ecdh == WARD_GROUP_X25519) {
        memset(bad + ecdh_at, 0, 32);
        CHECK_CODE(crypto_kex_respond(h->group, bad, cl, NULL, 0, out, sizeof out, &ol, s3,
                                      sizeof s3, &n3).code,
                   WARD_ERR_ILLEGAL_PARAMETER);
    } else {
        bad[ecdh_at] = 0x02;
        CHECK_CODE(crypto_kex_respond(h->group, bad, cl, NULL, 0, out, sizeof out, &ol, s3,
                                      sizeof s3, &n3).code,
                   WARD_ERR_ILLEGAL_PARAMETER);
        bad[ecdh_at] = 0x04;
        bad[ecdh_at + 64] ^= 1;
        CHECK_CODE(crypto_kex_respond(h->group, bad, cl, NULL, 0, out, sizeof out, &ol, s3,
                                      sizeof s3, &n3).code,
                   WARD_ERR_ILLEGAL_PARAMETER);
    }

    /* Client side: the server share truncated, oversized, missing. */
    CHECK_CODE(crypto_kex_derive(&c, spub, sl - 1, s3, sizeof s3, &n3).code,
               WARD_ERR_ILLEGAL_PARAMETER);
    memcpy(bad, spub, sl);
    bad[sl] = 0;
    CHECK_CODE(crypto_kex_derive(&c, bad, sl + 1, s3, sizeof s3, &n3).code,
               WARD_ERR_ILLEGAL_PARAMETER);
    CHECK_CODE(crypto_kex_derive(&c, NULL, 0, s3, sizeof s3, &n3).code,
               WARD_ERR_ILLEGAL_PARAMETER);
    CHECK_CODE(crypto_kex_derive(&c, spub, MLKEM768_CT_BYTES, s3, sizeof s3, &n3).code,
               WARD_ERR_ILLEGAL_PARAMETER); /* the ciphertext alone */

    /* Client side: the ECDH half invalid. */
    size_t sct_at = h->ecdh_first ? h->ecdh_pub : 0;
    size_t secdh_at = h->ecdh_first ? 0 : MLKEM768_CT_BYTES;
    memcpy(bad, spub, sl);
    if (h->ecdh == WARD_GROUP_X25519) {
        memset(bad + secdh_at, 0, 32);
    } else {
        bad[secdh_at + 64] ^= 1;
    }
    CHECK_CODE(crypto_kex_derive(&c, bad, sl, s3, sizeof s3, &n3).code,
               WARD_ERR_ILLEGAL_PARAMETER);

    /* Client side: a corrupted ciphertext is not an error (implicit
     * rejection): the ML-KEM half differs, the ECDH half stays. */
    memcpy(bad, spub, sl);
    bad[sct_at + 100] ^= 0x40;
    CHECK_OK(crypto_kex_derive(&c, bad, sl, s3, sizeof s3, &n3));
    CHECK(n3 == 64);
    size_t kem_at = h->ecdh_first ? 32 : 0, ecdh_ss_at = h->ecdh_first ? 0 : 32;
    CHECK(memcmp(s3 + kem_at, s1 + kem_at, 32) != 0);
    CHECK_MEM(s3 + ecdh_ss_at, s1 + ecdh_ss_at, 32);

    /* Buffers too small: internal errors, not the peer's fault. */
    CHECK_CODE(crypto_kex_derive(&c, spub, sl, s3, 63, &n3).code, WARD_ERR_INTERNAL);
    CHECK_CODE(crypto_kex_respond(h->group, cpub, cl, NULL, 0, out, h->server_len - 1, &ol, s3,
                                  sizeof s3, &n3).code,
               WARD_ERR_INTERNAL);
    CHECK_CODE(crypto_kex_respond(h->group, cpub, cl, NULL, 0, out, sizeof out, &ol, s3, 63,
                                  &n3).code,
               WARD_ERR_INTERNAL);
    crypto_kex k2 = {0};
    CHECK_CODE(crypto_kex_keygen(&k2, h->group, bad, h->client_len - 1, &n3).code,
               WARD_ERR_INTERNAL);
    CHECK(k2.pkey == NULL && k2.kem == NULL);

    crypto_kex_free(&c);
    CHECK(c.pkey == NULL && c.kem == NULL);
    crypto_kex_free(&c); /* twice is harmless */
}

static void fill(uint8_t *p, uint8_t v, size_t n) { memset(p, v, n); }

/* Fixed keys: the parts in the draft's order, and the known answer. */
static void test_known_answer(const hybrid *h)
{
    uint8_t cpriv[96], spriv[64];
    fill(cpriv, 0x11, 32);
    fill(cpriv + 32, 0x22, 32);
    fill(cpriv + 64, 0x33, 32);
    fill(spriv, 0x44, 32);
    fill(spriv + 32, 0x55, 32);

    uint8_t cpub[PUB], spub[PUB], s1[SEC], s2[SEC], digest[32], want[64];
    size_t cl = 0, sl = 0, n1 = 0, n2 = 0;
    crypto_kex c = {0};
    CHECK_OK(crypto_kex_from_private(&c, h->group, cpriv, sizeof cpriv, cpub, sizeof cpub, &cl));
    CHECK(cl == h->client_len);
    CHECK_OK(crypto_kex_respond(h->group, cpub, cl, spriv, sizeof spriv, spub, sizeof spub, &sl,
                                s1, sizeof s1, &n1));
    CHECK(sl == h->server_len && n1 == 64);
    CHECK_OK(crypto_kex_derive(&c, spub, sl, s2, sizeof s2, &n2));
    CHECK(n2 == 64);
    CHECK_MEM(s2, s1, 64);

    CHECK_OK(crypto_sha256(cpub, cl, digest));
    CHECK(hex_decode(h->client_sha256, want, 32) == 32);
    CHECK_MEM(digest, want, 32);
    CHECK_OK(crypto_sha256(spub, sl, digest));
    CHECK(hex_decode(h->server_sha256, want, 32) == 32);
    CHECK_MEM(digest, want, 32);
    CHECK(hex_decode(h->secret, want, 64) == 64);
    CHECK_MEM(s1, want, 64);

    /* Piece by piece, from ward's own parts. */
    static uint8_t ek[MLKEM768_EK_BYTES], dk[MLKEM768_DK_BYTES], ct[MLKEM768_CT_BYTES];
    uint8_t kss[32], epub_c[PUB], epub_s[PUB], ess[SEC];
    size_t el = 0, el2 = 0, en = 0;
    CHECK_OK(mlkem768_keygen_internal(cpriv + 32, cpriv + 64, ek, dk));
    CHECK_OK(mlkem768_encaps_internal(ek, spriv + 32, ct, kss));
    crypto_kex ec = {0};
    CHECK_OK(crypto_kex_from_private(&ec, h->ecdh, cpriv, 32, epub_c, sizeof epub_c, &el));
    CHECK(el == h->ecdh_pub);
    CHECK_OK(crypto_kex_respond(h->ecdh, epub_c, el, spriv, 32, epub_s, sizeof epub_s, &el2, ess,
                                sizeof ess, &en));
    CHECK(el2 == h->ecdh_pub && en == 32);
    crypto_kex_free(&ec);
    if (h->ecdh_first) {
        CHECK_MEM(cpub, epub_c, el);
        CHECK_MEM(cpub + el, ek, sizeof ek);
        CHECK_MEM(spub, epub_s, el);
        CHECK_MEM(spub + el, ct, sizeof ct);
        CHECK_MEM(s1, ess, 32);
        CHECK_MEM(s1 + 32, kss, 32);
    } else {
        CHECK_MEM(cpub, ek, sizeof ek);
        CHECK_MEM(cpub + sizeof ek, epub_c, el);
        CHECK_MEM(spub, ct, sizeof ct);
        CHECK_MEM(spub + sizeof ct, epub_s, el);
        CHECK_MEM(s1, kss, 32);
        CHECK_MEM(s1 + 32, ess, 32);
    }

    /* Wrong private-key lengths are the caller's bug. */
    crypto_kex bad = {0};
    CHECK_CODE(crypto_kex_from_private(&bad, h->group, cpriv, 64, cpub, sizeof cpub, &cl).code,
               WARD_ERR_INTERNAL);
    CHECK_CODE(crypto_kex_respond(h->group, cpub, cl, spriv, 32, spub, sizeof spub, &sl, s1,
                                  sizeof s1, &n1).code,
               WARD_ERR_INTERNAL);
    crypto_kex_free(&c);
}

/* crypto_kex_respond for the (EC)DH groups. */
static void test_respond_ecdh(uint16_t group, size_t publen, size_t seclen)
{
    uint8_t cpub[PUB], spub[PUB], s1[SEC], s2[SEC];
    size_t cl = 0, sl = 0, n1 = 0, n2 = 0;
    crypto_kex c = {0};
    CHECK_OK(crypto_kex_keygen(&c, group, cpub, sizeof cpub, &cl));
    CHECK(c.kem == NULL);
    CHECK_OK(crypto_kex_respond(group, cpub, cl, NULL, 0, spub, sizeof spub, &sl, s1, sizeof s1,
                                &n1));
    CHECK(sl == publen && n1 == seclen);
    CHECK_OK(crypto_kex_derive(&c, spub, sl, s2, sizeof s2, &n2));
    CHECK(n2 == seclen);
    CHECK_MEM(s2, s1, seclen);
    CHECK_CODE(crypto_kex_respond(group, cpub, cl - 1, NULL, 0, spub, sizeof spub, &sl, s1,
                                  sizeof s1, &n1).code,
               WARD_ERR_ILLEGAL_PARAMETER);
    crypto_kex_free(&c);
}

int main(void)
{
    CHECK(CRYPTO_MAX_KEX_PUB >= 1249);
    CHECK(CRYPTO_MAX_KEX_SECRET >= 64);
    CHECK(!crypto_kex_supported(0x11ed)); /* SecP384r1MLKEM1024: not offered */
    for (size_t i = 0; i < WARD_ARRAY_LEN(hybrids); i++) {
        test_roundtrip(&hybrids[i]);
        test_known_answer(&hybrids[i]);
    }
    test_respond_ecdh(WARD_GROUP_X25519, 32, 32);
    test_respond_ecdh(WARD_GROUP_SECP256R1, 65, 32);
    test_respond_ecdh(WARD_GROUP_SECP384R1, 97, 48);
    return test_report();
}
