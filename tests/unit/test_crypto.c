/* The crypto provider's primitives: HMAC (RFC 4231), HKDF (RFC 5869),
 * AEAD (RFC 8439 §2.8.2, GCM spec test case 16) and key exchange with
 * malformed peer shares. The TLS 1.3 trace answers are in
 * test_crypto_trace.c, signatures in test_crypto_sig.c, certificates in
 * test_crypto_x509.c. */
#include <string.h>

#include "crypto/crypto.h"
#include "testutil.h"

static size_t unhex(const char *hex, uint8_t *out, size_t cap)
{
    long n = hex_decode(hex, out, cap);
    CHECK(n >= 0);
    return n < 0 ? 0 : (size_t)n;
}

static void check_hex(const uint8_t *got, const char *want_hex, size_t n)
{
    uint8_t want[512];
    CHECK(unhex(want_hex, want, sizeof want) == n);
    CHECK_MEM(got, want, n);
}

/* ---- HMAC and HKDF ---- */

static void hmac_rfc4231(void)
{
    static const char data2[] = "what do ya want for nothing?";
    static const char data6[] = "Test Using Larger Than Block-Size Key - Hash Key First";
    uint8_t out[48], longkey[131];
    memset(longkey, 0xaa, sizeof longkey);

    /* Test case 2: a key shorter than the block. */
    CHECK_OK(crypto_hmac(HASH_SHA256, (const uint8_t *)"Jefe", 4, (const uint8_t *)data2,
                         strlen(data2), out));
    check_hex(out, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843", 32);
    CHECK_OK(crypto_hmac(HASH_SHA384, (const uint8_t *)"Jefe", 4, (const uint8_t *)data2,
                         strlen(data2), out));
    check_hex(out,
              "af45d2e376484031617f78d2b58a6b1b9c7ef464f5a01b47e42ec3736322445e"
              "8e2240ca5e69e2c78b3239ecfab21649",
              48);
    /* Test case 6: a key longer than the block is hashed first. */
    CHECK_OK(crypto_hmac(HASH_SHA256, longkey, sizeof longkey, (const uint8_t *)data6,
                         strlen(data6), out));
    check_hex(out, "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54", 32);
    CHECK_OK(crypto_hmac(HASH_SHA384, longkey, sizeof longkey, (const uint8_t *)data6,
                         strlen(data6), out));
    check_hex(out,
              "4ece084485813e9088d2c63a041bc5b44f9ef1012a2b588f3cd11f05033ac4c6"
              "0c2ef6ab4030fe8296248df163f44952",
              48);
}

static void hkdf_rfc5869(void)
{
    uint8_t ikm[22], salt[13], info[10], prk[32], okm[42];
    memset(ikm, 0x0b, sizeof ikm);
    for (size_t i = 0; i < sizeof salt; i++)
        salt[i] = (uint8_t)i;
    for (size_t i = 0; i < sizeof info; i++)
        info[i] = (uint8_t)(0xf0 + i);

    /* Test case 1 (SHA-256): two expand blocks, the second partial. */
    CHECK_OK(crypto_hkdf_extract(HASH_SHA256, salt, sizeof salt, ikm, sizeof ikm, prk));
    check_hex(prk, "077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5", 32);
    CHECK_OK(crypto_hkdf_expand(HASH_SHA256, prk, 32, info, sizeof info, okm, sizeof okm));
    check_hex(okm,
              "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf"
              "34007208d5b887185865",
              42);

    /* Test case 3: no salt (HashLen zeros) and no info. */
    CHECK_OK(crypto_hkdf_extract(HASH_SHA256, NULL, 0, ikm, sizeof ikm, prk));
    check_hex(prk, "19ef24a32c717b167f33a91d6f648bdf96596776afdb6377ac434c1c293ccb04", 32);
    CHECK_OK(crypto_hkdf_expand(HASH_SHA256, prk, 32, NULL, 0, okm, sizeof okm));
    check_hex(okm,
              "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d"
              "9d201395faa4b61a96c8",
              42);

    /* Longer than 255 blocks is refused. */
    static uint8_t big[255 * 32 + 1];
    CHECK_CODE(crypto_hkdf_expand(HASH_SHA256, prk, 32, NULL, 0, big, sizeof big).code,
               WARD_ERR_INTERNAL);
    CHECK_OK(crypto_hkdf_expand(HASH_SHA256, prk, 32, NULL, 0, big, sizeof big - 1));
}

/* HkdfLabel encoding limits (RFC 8446 §7.1): label<7..255>, context<0..255>. */
static void expand_label_limits(void)
{
    uint8_t secret[48] = {1}, out[48], ctx[256] = {0};
    char label[251];
    memset(label, 'a', sizeof label - 1);
    label[sizeof label - 1] = '\0'; /* 250 + "tls13 " = 256: too long */
    CHECK_CODE(crypto_hkdf_expand_label(HASH_SHA384, secret, label, NULL, 0, out, 48).code,
               WARD_ERR_INTERNAL);
    label[249] = '\0'; /* 249 + 6 = 255: fits */
    CHECK_OK(crypto_hkdf_expand_label(HASH_SHA384, secret, label, NULL, 0, out, 48));
    CHECK_CODE(crypto_hkdf_expand_label(HASH_SHA384, secret, "x", ctx, 256, out, 48).code,
               WARD_ERR_INTERNAL);
    CHECK_OK(crypto_hkdf_expand_label(HASH_SHA384, secret, "x", ctx, 255, out, 48));
}

static void hashes(void)
{
    CHECK(hash_len(HASH_SHA256) == 32 && hash_len(HASH_SHA384) == 48);
    uint8_t out[48];
    CHECK_OK(crypto_hash_oneshot(HASH_SHA384, (const uint8_t *)"abc", 3, out));
    check_hex(out,
              "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed"
              "8086072ba1e7cc2358baeca134c825a7",
              48);
    crypto_hash h = {0};
    crypto_hash_free(&h); /* safe on a zeroed struct */
    CHECK_CODE(crypto_hash_update(&h, out, 1).code, WARD_ERR_INTERNAL);
    CHECK_CODE(crypto_hash_init(&h, (hash_alg)7).code, WARD_ERR_INTERNAL);
}

static void randomness(void)
{
    uint8_t a[32] = {0}, b[32] = {0};
    CHECK_OK(crypto_random(a, sizeof a));
    CHECK_OK(crypto_random(b, sizeof b));
    CHECK(memcmp(a, b, sizeof a) != 0);
    CHECK_OK(crypto_random(NULL, 0));
}

/* ---- AEAD ---- */

/* RFC 8439 §2.8.2 and the GCM specification's test case 16 (AES-256). */
static void aead_known_answers(void)
{
    static const char lady[] = "Ladies and Gentlemen of the class of '99: If I could offer you "
                               "only one tip for the future, sunscreen would be it.";
    uint8_t key[32], nonce[12], aad[20], buf[160];
    crypto_aead a = {0};

    for (size_t i = 0; i < 32; i++)
        key[i] = (uint8_t)(0x80 + i);
    unhex("070000004041424344454647", nonce, 12);
    size_t aadlen = unhex("50515253c0c1c2c3c4c5c6c7", aad, sizeof aad);
    size_t n = strlen(lady);
    memcpy(buf, lady, n);
    CHECK_OK(crypto_aead_init(&a, AEAD_CHACHA20_POLY1305, key, 1));
    CHECK_OK(crypto_aead_seal(&a, nonce, aad, aadlen, buf, n, buf));
    check_hex(buf, "d31a8d34648e60db7b86afbc53ef7ec2a4aded51296e08fea9e2b5a736ee62d6", 32);
    check_hex(buf + n, "1ae10b594f09e26a7e902ecbd0600691", 16);
    crypto_aead_free(&a);

    uint8_t pt[60];
    unhex("feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308", key, 32);
    unhex("cafebabefacedbaddecaf888", nonce, 12);
    aadlen = unhex("feedfacedeadbeeffeedfacedeadbeefabaddad2", aad, sizeof aad);
    n = unhex("d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
              "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39",
              pt, sizeof pt);
    CHECK_OK(crypto_aead_init(&a, AEAD_AES_256_GCM, key, 1));
    CHECK_OK(crypto_aead_seal(&a, nonce, aad, aadlen, pt, n, buf));
    check_hex(buf, "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa", 32);
    check_hex(buf + n, "76fc6ece0f4e1768cddf8853bb2d551b", 16);
    crypto_aead_free(&a);
    crypto_aead_free(&a); /* idempotent */
}

/* Seal and open in place; every kind of tampering is bad_record_mac and
 * leaves no plaintext behind; the context keeps working afterwards. */
static void aead_round_trip(aead_alg alg)
{
    uint8_t key[32], nonce[12], aad[5] = {23, 3, 3, 0, 116}, msg[100], buf[116];
    CHECK(aead_key_len(alg) == (alg == AEAD_AES_128_GCM ? 16u : 32u));
    CHECK_OK(crypto_random(key, sizeof key));
    CHECK_OK(crypto_random(nonce, sizeof nonce));
    for (size_t i = 0; i < sizeof msg; i++)
        msg[i] = (uint8_t)i;

    crypto_aead s = {0}, o = {0};
    CHECK_OK(crypto_aead_init(&s, alg, key, 1));
    CHECK_OK(crypto_aead_init(&o, alg, key, 0));
    memcpy(buf, msg, sizeof msg);
    CHECK_OK(crypto_aead_seal(&s, nonce, aad, sizeof aad, buf, sizeof msg, buf));
    CHECK(memcmp(buf, msg, sizeof msg) != 0);

    uint8_t sealed[116], out[100];
    memcpy(sealed, buf, sizeof sealed);
    CHECK_OK(crypto_aead_open(&o, nonce, aad, sizeof aad, buf, sizeof buf, buf));
    CHECK_MEM(buf, msg, sizeof msg);

    memcpy(buf, sealed, sizeof buf);
    buf[sizeof buf - 1] ^= 0x01; /* tag */
    CHECK_CODE(crypto_aead_open(&o, nonce, aad, sizeof aad, buf, sizeof buf, out).code,
               WARD_ERR_BAD_RECORD_MAC);
    uint8_t zeros[100] = {0};
    CHECK_MEM(out, zeros, sizeof out);
    memcpy(buf, sealed, sizeof buf);
    buf[3] ^= 0x80; /* ciphertext */
    CHECK_CODE(crypto_aead_open(&o, nonce, aad, sizeof aad, buf, sizeof buf, out).code,
               WARD_ERR_BAD_RECORD_MAC);
    aad[4] ^= 1; /* additional data */
    CHECK_CODE(crypto_aead_open(&o, nonce, aad, sizeof aad, sealed, sizeof sealed, out).code,
               WARD_ERR_BAD_RECORD_MAC);
    aad[4] ^= 1;
    nonce[11] ^= 1; /* wrong sequence number */
    CHECK_CODE(crypto_aead_open(&o, nonce, aad, sizeof aad, sealed, sizeof sealed, out).code,
               WARD_ERR_BAD_RECORD_MAC);
    nonce[11] ^= 1;
    CHECK_CODE(crypto_aead_open(&o, nonce, aad, sizeof aad, sealed, 15, out).code,
               WARD_ERR_BAD_RECORD_MAC);
    CHECK_OK(crypto_aead_open(&o, nonce, aad, sizeof aad, sealed, sizeof sealed, out));
    CHECK_MEM(out, msg, sizeof msg);

    /* An empty plaintext is just a tag. */
    CHECK_OK(crypto_aead_seal(&s, nonce, NULL, 0, NULL, 0, buf));
    CHECK_OK(crypto_aead_open(&o, nonce, NULL, 0, buf, CRYPTO_AEAD_TAG, out));
    /* Wrong direction is a programming error, not a MAC failure. */
    CHECK_CODE(crypto_aead_seal(&o, nonce, aad, 5, msg, 10, buf).code, WARD_ERR_INTERNAL);
    crypto_aead_free(&s);
    crypto_aead_free(&o);
}

/* ---- key exchange ---- */

static void kex_pair(uint16_t group, size_t want_pub, size_t want_secret)
{
    uint8_t pa[CRYPTO_MAX_KEX_PUB], pb[CRYPTO_MAX_KEX_PUB];
    uint8_t sa[CRYPTO_MAX_KEX_SECRET], sb[CRYPTO_MAX_KEX_SECRET];
    size_t la = 0, lb = 0, na = 0, nb = 0;
    crypto_kex a = {0}, b = {0};
    CHECK(crypto_kex_supported(group));
    CHECK_OK(crypto_kex_keygen(&a, group, pa, sizeof pa, &la));
    CHECK_OK(crypto_kex_keygen(&b, group, pb, sizeof pb, &lb));
    CHECK(la == want_pub && lb == want_pub);
    CHECK(want_pub == 32 || pa[0] == 0x04);
    CHECK_OK(crypto_kex_derive(&a, pb, lb, sa, sizeof sa, &na));
    CHECK_OK(crypto_kex_derive(&b, pa, la, sb, sizeof sb, &nb));
    CHECK(na == want_secret && nb == want_secret);
    CHECK_MEM(sa, sb, want_secret);

    /* Malformed shares: wrong length, another group's size. */
    CHECK_CODE(crypto_kex_derive(&a, pb, lb - 1, sa, sizeof sa, &na).code,
               WARD_ERR_ILLEGAL_PARAMETER);
    CHECK_CODE(crypto_kex_derive(&a, pb, 0, sa, sizeof sa, &na).code,
               WARD_ERR_ILLEGAL_PARAMETER);
    if (want_pub != 32) {
        uint8_t bad[CRYPTO_MAX_KEX_PUB];
        memcpy(bad, pb, lb);
        bad[0] = 0x02; /* compressed form: not allowed in TLS 1.3 */
        CHECK_CODE(crypto_kex_derive(&a, bad, lb, sa, sizeof sa, &na).code,
                   WARD_ERR_ILLEGAL_PARAMETER);
        memcpy(bad, pb, lb);
        bad[lb - 1] ^= 0x01; /* Y changed: not on the curve */
        CHECK_CODE(crypto_kex_derive(&a, bad, lb, sa, sizeof sa, &na).code,
                   WARD_ERR_ILLEGAL_PARAMETER);
        memset(bad, 0, lb);
        bad[0] = 0x04; /* (0, 0) */
        CHECK_CODE(crypto_kex_derive(&a, bad, lb, sa, sizeof sa, &na).code,
                   WARD_ERR_ILLEGAL_PARAMETER);
    }
    crypto_kex_free(&a);
    crypto_kex_free(&b);
    crypto_kex_free(&b);
}

/* Low-order x25519 points give an all-zero secret (RFC 7748 §6.1). */
static void x25519_low_order(void)
{
    uint8_t pub[32], zero[32] = {0}, one[32] = {1}, ss[32];
    size_t publen, sslen;
    crypto_kex k = {0};
    CHECK_OK(crypto_kex_keygen(&k, WARD_GROUP_X25519, pub, sizeof pub, &publen));
    CHECK_CODE(crypto_kex_derive(&k, zero, 32, ss, sizeof ss, &sslen).code,
               WARD_ERR_ILLEGAL_PARAMETER);
    CHECK_CODE(crypto_kex_derive(&k, one, 32, ss, sizeof ss, &sslen).code,
               WARD_ERR_ILLEGAL_PARAMETER);
    uint8_t p256[65] = {0x04};
    CHECK_CODE(crypto_kex_derive(&k, p256, 65, ss, sizeof ss, &sslen).code,
               WARD_ERR_ILLEGAL_PARAMETER);
    crypto_kex_free(&k);
}

static void kex_misuse(void)
{
    uint8_t pub[CRYPTO_MAX_KEX_PUB], ss[CRYPTO_MAX_KEX_SECRET], priv[48] = {0};
    size_t publen, sslen;
    crypto_kex k = {0};
    CHECK(crypto_kex_supported(WARD_GROUP_SECP521R1));
    CHECK(!crypto_kex_supported(0x001e)); /* x448 */
    CHECK(!crypto_kex_supported(0x0016)); /* secp256k1 */
    CHECK_CODE(crypto_kex_keygen(&k, 0x001e, pub, sizeof pub, &publen).code, WARD_ERR_INTERNAL);
    CHECK_CODE(crypto_kex_keygen(&k, WARD_GROUP_SECP384R1, pub, 96, &publen).code,
               WARD_ERR_INTERNAL); /* no room for the share */
    CHECK(k.pkey == NULL);
    /* A zero NIST scalar is not a private key. */
    CHECK_CODE(crypto_kex_from_private(&k, WARD_GROUP_SECP384R1, priv, 48, pub, sizeof pub,
                                       &publen).code,
               WARD_ERR_INTERNAL);
    CHECK_CODE(crypto_kex_derive(&k, pub, 97, ss, sizeof ss, &sslen).code, WARD_ERR_INTERNAL);
    crypto_kex_free(&k);

    /* from_private on P-384 round-trips with a peer. */
    priv[47] = 7;
    crypto_kex a = {0}, b = {0};
    uint8_t pb[CRYPTO_MAX_KEX_PUB], s1[48], s2[48];
    size_t lb, n1, n2;
    CHECK_OK(crypto_kex_from_private(&a, WARD_GROUP_SECP384R1, priv, 48, pub, sizeof pub,
                                     &publen));
    CHECK(publen == 97);
    CHECK_OK(crypto_kex_keygen(&b, WARD_GROUP_SECP384R1, pb, sizeof pb, &lb));
    CHECK_OK(crypto_kex_derive(&a, pb, lb, s1, sizeof s1, &n1));
    CHECK_OK(crypto_kex_derive(&b, pub, publen, s2, sizeof s2, &n2));
    CHECK(n1 == 48 && n2 == 48);
    CHECK_MEM(s1, s2, 48);
    crypto_kex_free(&a);
    crypto_kex_free(&b);
}

int main(void)
{
    hmac_rfc4231();
    hkdf_rfc5869();
    expand_label_limits();
    hashes();
    randomness();
    aead_known_answers();
    aead_round_trip(AEAD_AES_128_GCM);
    aead_round_trip(AEAD_AES_256_GCM);
    aead_round_trip(AEAD_CHACHA20_POLY1305);
    kex_pair(WARD_GROUP_X25519, 32, 32);
    kex_pair(WARD_GROUP_SECP256R1, 65, 32);
    kex_pair(WARD_GROUP_SECP384R1, 97, 48);
    kex_pair(WARD_GROUP_SECP521R1, 133, 66);
    x25519_low_order();
    kex_misuse();
    return test_report();
}
