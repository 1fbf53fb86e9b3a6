/* The post-quantum groups in crypto_kex: the hybrids of
 * draft-ietf-tls-ecdhe-mlkem, X25519MLKEM768 (0x11ec), SecP256r1MLKEM768
 * (0x11eb) and SecP384r1MLKEM1024 (0x11ed), and ML-KEM-1024 alone
 * (MLKEM1024, 0x0202, draft-connolly-tls-mlkem-key-agreement).
 *   - client keygen → server respond → client derive agree on the secret;
 *   - the share sizes and the order of the parts (ML-KEM first for x25519,
 *     ECDH first for P-256 and P-384), checked piece by piece against the
 *     plain groups and mlkem.c, and as a whole against a known answer
 *     computed with independent code (noble-post-quantum ML-KEM, final
 *     FIPS 203, and noble-curves x25519 / P-256 / P-384, concatenated per
 *     the drafts);
 *   - truncated, oversized and invalid shares: illegal_parameter.
 * Also crypto_kex_respond for the (EC)DH groups, secp521r1 among them. */
#include <string.h>

#include "crypto/crypto.h"
#include "crypto/mlkem.h"
#include "testutil.h"
#include "ward/ward.h"

typedef struct {
    uint16_t group;
    uint16_t ecdh; /* 0: ML-KEM alone */
    int ecdh_first;
    size_t ecdh_pub, coord; /* the ECDH share and secret lengths (0, 0: none) */
    mlkem_set set;
    size_t client_len, server_len, secret_len;
    /* known answer: client priv = 0x11*coord || d = 0x22*32 || z = 0x33*32,
     * server priv = 0x44*coord || m = 0x55*32 */
    const char *client_sha256, *server_sha256, *secret;
} hybrid;

static const hybrid hybrids[] = {
    {CRYPTO_GROUP_X25519MLKEM768, WARD_GROUP_X25519, 0, 32, 32, MLKEM_768, 1216, 1120, 64,
     "93e6ddbf09f0a46e40d02fcf672faf0f01310fa04de44eccf3516d7457705d0f",
     "ffa9f94b2ec7f9aefcb0b99bee2bb9fd5eae27e63eb08e3a48d9492eef8d5ba7",
     "8832bb9d6c96dcbcc4d80259866c11daf1dfdc4533cb7315d5e1945f0a1f9e26"
     "b21afd23cc289c5c693adc6d9c7198657e590320fa4dd7a0aaf606e441a2ea46"},
    {CRYPTO_GROUP_SECP256R1MLKEM768, WARD_GROUP_SECP256R1, 1, 65, 32, MLKEM_768, 1249, 1153,
     64,
     "1e19f5abfceec30b14e3e9b5010abcad20624e6985ce40b60a3bf77d2033f137",
     "03719a5b7d274f23b8a00ef9fa55e0f79c7dc6f91bd2a46cbd67980733dee923",
     "e2307aa1e29d7f77cc93c8e0dd3785b47ce4380e007108fbe76cef8a56bb6112"
     "8832bb9d6c96dcbcc4d80259866c11daf1dfdc4533cb7315d5e1945f0a1f9e26"},
    {CRYPTO_GROUP_SECP384R1MLKEM1024, WARD_GROUP_SECP384R1, 1, 97, 48, MLKEM_1024, 1665, 1665,
     80, "379c73e270dcff84d208407c015822132cbe38b9835545ffa186719d51d481a5",
     "7de14e466bc11946b0c7cf19a18ea64b761c2dc4501fdeb2e451fcb442da0122",
     "3f6c5b34bce08f1bcf20011a51ed3c48bd04ab9b023c2a003caed6821b2d635d"
     "ff035279f2d88dedd13a748f56ac6c99"
     "e8737ba44ad1dfa6497f8427f411142bbe9c112af23b6ef4c8f06314a509f386"},
    {CRYPTO_GROUP_MLKEM1024, 0, 0, 0, 0, MLKEM_1024, 1568, 1568, 32,
     "be1b3740975af6e6ec31bbe961cef908a998b2d3d60390bada18d214b3a11d3d",
     "5650cb93fdee4ebe13d57e2ecfb91fcb2a6250210b8d687f2148738e166ac338",
     "e8737ba44ad1dfa6497f8427f411142bbe9c112af23b6ef4c8f06314a509f386"},
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
    CHECK(n1 == h->secret_len);
    CHECK_OK(crypto_kex_derive(&c, spub, sl, s2, sizeof s2, &n2));
    CHECK(n2 == h->secret_len);
    CHECK_MEM(s2, s1, h->secret_len);
    const size_t eklen = mlkem_ek_bytes(h->set), ctlen = mlkem_ct_bytes(h->set);

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
    if (h->ecdh)
        CHECK_CODE(crypto_kex_respond(h->group, cpub, h->ecdh_pub, NULL, 0, out, sizeof out,
                                      &ol, s3, sizeof s3, &n3).code,
                   WARD_ERR_ILLEGAL_PARAMETER); /* the ECDH part alone */
    else /* a key of the other set */
        CHECK_CODE(crypto_kex_respond(h->group, cpub, MLKEM768_EK_BYTES, NULL, 0, out,
                                      sizeof out, &ol, s3, sizeof s3, &n3).code,
                   WARD_ERR_ILLEGAL_PARAMETER);

    /* Server side: the encapsulation key fails the modulus check (the
     * first coefficient set to 4095 >= q). */
    size_t ek_at = h->ecdh_first ? h->ecdh_pub : 0;
    size_t ecdh_at = h->ecdh_first ? 0 : eklen;
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
    } else if (h->ecdh) {
        bad[ecdh_at] = 0x02;
        CHECK_CODE(crypto_kex_respond(h->group, bad, cl, NULL, 0, out, sizeof out, &ol, s3,
                                      sizeof s3, &n3).code,
                   WARD_ERR_ILLEGAL_PARAMETER);
        bad[ecdh_at] = 0x04;
        bad[ecdh_at + h->ecdh_pub - 1] ^= 1;
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
    if (h->ecdh)
        CHECK_CODE(crypto_kex_derive(&c, spub, ctlen, s3, sizeof s3, &n3).code,
                   WARD_ERR_ILLEGAL_PARAMETER); /* the ciphertext alone */
    else /* a ciphertext of the other set */
        CHECK_CODE(crypto_kex_derive(&c, spub, MLKEM768_CT_BYTES, s3, sizeof s3, &n3).code,
                   WARD_ERR_ILLEGAL_PARAMETER);

    /* Client side: the ECDH half invalid. */
    size_t sct_at = h->ecdh_first ? h->ecdh_pub : 0;
    size_t secdh_at = h->ecdh_first ? 0 : ctlen;
    memcpy(bad, spub, sl);
    if (h->ecdh == WARD_GROUP_X25519) {
        memset(bad + secdh_at, 0, 32);
    } else if (h->ecdh) {
        bad[secdh_at + h->ecdh_pub - 1] ^= 1;
    }
    if (h->ecdh)
        CHECK_CODE(crypto_kex_derive(&c, bad, sl, s3, sizeof s3, &n3).code,
                   WARD_ERR_ILLEGAL_PARAMETER);

    /* Client side: a corrupted ciphertext is not an error (implicit
     * rejection): the ML-KEM half differs, the ECDH half stays. */
    memcpy(bad, spub, sl);
    bad[sct_at + 100] ^= 0x40;
    CHECK_OK(crypto_kex_derive(&c, bad, sl, s3, sizeof s3, &n3));
    CHECK(n3 == h->secret_len);
    size_t kem_at = h->ecdh_first ? h->coord : 0, ecdh_ss_at = h->ecdh_first ? 0 : 32;
    CHECK(memcmp(s3 + kem_at, s1 + kem_at, 32) != 0);
    CHECK_MEM(s3 + ecdh_ss_at, s1 + ecdh_ss_at, h->coord);

    /* Buffers too small: internal errors, not the peer's fault. */
    CHECK_CODE(crypto_kex_derive(&c, spub, sl, s3, h->secret_len - 1, &n3).code,
               WARD_ERR_INTERNAL);
    CHECK_CODE(crypto_kex_respond(h->group, cpub, cl, NULL, 0, out, h->server_len - 1, &ol, s3,
                                  sizeof s3, &n3).code,
               WARD_ERR_INTERNAL);
    CHECK_CODE(crypto_kex_respond(h->group, cpub, cl, NULL, 0, out, sizeof out, &ol, s3,
                                  h->secret_len - 1, &n3).code,
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
    const size_t co = h->coord, slen = h->secret_len;
    uint8_t cpriv[48 + 64], spriv[48 + 32];
    fill(cpriv, 0x11, co);
    fill(cpriv + co, 0x22, 32);
    fill(cpriv + co + 32, 0x33, 32);
    fill(spriv, 0x44, co);
    fill(spriv + co, 0x55, 32);

    uint8_t cpub[PUB], spub[PUB], s1[SEC], s2[SEC], digest[32], want[SEC];
    size_t cl = 0, sl = 0, n1 = 0, n2 = 0;
    crypto_kex c = {0};
    CHECK_OK(crypto_kex_from_private(&c, h->group, cpriv, co + 64, cpub, sizeof cpub, &cl));
    CHECK(cl == h->client_len);
    CHECK_OK(crypto_kex_respond(h->group, cpub, cl, spriv, co + 32, spub, sizeof spub, &sl, s1,
                                sizeof s1, &n1));
    CHECK(sl == h->server_len && n1 == slen);
    CHECK_OK(crypto_kex_derive(&c, spub, sl, s2, sizeof s2, &n2));
    CHECK(n2 == slen);
    CHECK_MEM(s2, s1, slen);

    CHECK_OK(crypto_sha256(cpub, cl, digest));
    CHECK(hex_decode(h->client_sha256, want, 32) == 32);
    CHECK_MEM(digest, want, 32);
    CHECK_OK(crypto_sha256(spub, sl, digest));
    CHECK(hex_decode(h->server_sha256, want, 32) == 32);
    CHECK_MEM(digest, want, 32);
    CHECK(hex_decode(h->secret, want, slen) == (long)slen);
    CHECK_MEM(s1, want, slen);

    /* Piece by piece, from ward's own parts. */
    static uint8_t ek[MLKEM_MAX_EK_BYTES], dk[MLKEM_MAX_DK_BYTES], ct[MLKEM_MAX_CT_BYTES];
    const size_t eklen = mlkem_ek_bytes(h->set), ctlen = mlkem_ct_bytes(h->set);
    uint8_t kss[32], epub_c[PUB], epub_s[PUB], ess[SEC];
    size_t el = 0, el2 = 0, en = 0;
    CHECK_OK(mlkem_keygen_internal(h->set, cpriv + co, cpriv + co + 32, ek, dk));
    CHECK_OK(mlkem_encaps_internal(h->set, ek, spriv + co, ct, kss));
    if (h->ecdh) {
        crypto_kex ec = {0};
        CHECK_OK(crypto_kex_from_private(&ec, h->ecdh, cpriv, co, epub_c, sizeof epub_c, &el));
        CHECK(el == h->ecdh_pub);
        CHECK_OK(crypto_kex_respond(h->ecdh, epub_c, el, spriv, co, epub_s, sizeof epub_s, &el2,
                                    ess, sizeof ess, &en));
        CHECK(el2 == h->ecdh_pub && en == co);
        crypto_kex_free(&ec);
    }
    if (!h->ecdh) {
        CHECK_MEM(cpub, ek, eklen);
        CHECK_MEM(spub, ct, ctlen);
        CHECK_MEM(s1, kss, 32);
    } else if (h->ecdh_first) {
        CHECK_MEM(cpub, epub_c, el);
        CHECK_MEM(cpub + el, ek, eklen);
        CHECK_MEM(spub, epub_s, el);
        CHECK_MEM(spub + el, ct, ctlen);
        CHECK_MEM(s1, ess, co);
        CHECK_MEM(s1 + co, kss, 32);
    } else {
        CHECK_MEM(cpub, ek, eklen);
        CHECK_MEM(cpub + eklen, epub_c, el);
        CHECK_MEM(spub, ct, ctlen);
        CHECK_MEM(spub + ctlen, epub_s, el);
        CHECK_MEM(s1, kss, 32);
        CHECK_MEM(s1 + 32, ess, co);
    }

    /* Wrong private-key lengths are the caller's bug. */
    crypto_kex bad = {0};
    CHECK_CODE(crypto_kex_from_private(&bad, h->group, cpriv, co + 32, cpub, sizeof cpub, &cl)
                   .code,
               WARD_ERR_INTERNAL);
    CHECK_CODE(crypto_kex_respond(h->group, cpub, cl, spriv, co + 64, spub, sizeof spub, &sl,
                                  s1, sizeof s1, &n1).code,
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
    CHECK(CRYPTO_MAX_KEX_PUB >= 1665);
    CHECK(CRYPTO_MAX_KEX_SECRET >= 80);
    CHECK(!crypto_kex_supported(0x0201)); /* MLKEM768 alone: not offered */
    CHECK(!crypto_kex_supported(0x0200)); /* MLKEM512: not offered */
    for (size_t i = 0; i < WARD_ARRAY_LEN(hybrids); i++) {
        test_roundtrip(&hybrids[i]);
        test_known_answer(&hybrids[i]);
    }
    test_respond_ecdh(WARD_GROUP_X25519, 32, 32);
    test_respond_ecdh(WARD_GROUP_SECP256R1, 65, 32);
    test_respond_ecdh(WARD_GROUP_SECP384R1, 97, 48);
    test_respond_ecdh(WARD_GROUP_SECP521R1, 133, 66);
    return test_report();
}
