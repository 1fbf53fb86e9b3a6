/* The floors: what libcrypto alone needs for the work a TLS library does,
 * with every algorithm object fetched and every key loaded beforehand and
 * every context reused, so a floor is the least a TLS stack built on
 * libcrypto could spend. A measure's overhead is measured - floor.
 *
 * Handshake floor: the primitives of one TLS 1.3 server handshake with an
 * ECDSA P-256 certificate and x25519 (no PSK, no HRR):
 *   - x25519: one keygen (and reading our public share), importing the
 *     client's share, one derive;
 *   - ECDSA P-256: one sign (SHA-256 of the 130-byte CertificateVerify
 *     content, then the signature);
 *   - key schedule: 3 HKDF-Extract, 16 HKDF-Expand-Label (derived x2,
 *     c/s handshake and application traffic secrets, 2 finished keys, key
 *     and iv for 4 traffic directions) and the 2 Finished HMACs, SHA-256;
 *   - transcript: 1.5 KB through SHA-256 with 4 snapshots (copy + final);
 *   - AEAD: 4 traffic keys installed, 1 KB sealed (the server's encrypted
 *     flight) and 53 bytes opened (the client's Finished), AES-128-GCM.
 * Bulk floor: EVP AEAD over one record of the given size, AAD 5 bytes,
 * tag 16, a new nonce per record; seal for send, open for receive. */
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "bench.h"

static EVP_MD *sha256;
static EVP_MAC_CTX *hmac;  /* digest set once; each HMAC only re-keys */
static EVP_CIPHER *ciphers[SUITE_KINDS];
static EVP_PKEY_CTX *x25519_gen;
static EVP_PKEY_CTX *ecdsa_sign; /* the leaf's key, sign_init done once */
static uint8_t peer_share[32];

int floor_init(void)
{
    sha256 = EVP_MD_fetch(NULL, "SHA256", NULL);
    ciphers[SUITE_AES128GCM] = EVP_CIPHER_fetch(NULL, "AES-128-GCM", NULL);
    ciphers[SUITE_AES256GCM] = EVP_CIPHER_fetch(NULL, "AES-256-GCM", NULL);
    ciphers[SUITE_CHACHA20] = EVP_CIPHER_fetch(NULL, "ChaCha20-Poly1305", NULL);
    EVP_MAC *mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
    hmac = mac ? EVP_MAC_CTX_new(mac) : NULL;
    EVP_MAC_free(mac);
    OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, "SHA256", 0),
                           OSSL_PARAM_construct_end()};
    static const uint8_t k[32];
    return sha256 && ciphers[0] && ciphers[1] && ciphers[2] && hmac &&
           EVP_MAC_init(hmac, k, sizeof k, params) == 1;
}

static int setup_handshake(const bench_pki *pki)
{
    if (ecdsa_sign)
        return 1;
    FILE *f = fopen(pki->key[CERT_ECDSA], "r");
    EVP_PKEY *key = f ? PEM_read_PrivateKey(f, NULL, NULL, NULL) : NULL;
    if (f)
        fclose(f);
    x25519_gen = EVP_PKEY_CTX_new_from_name(NULL, "X25519", NULL);
    EVP_PKEY *peer = NULL;
    size_t len = sizeof peer_share;
    int ok = key && x25519_gen && EVP_PKEY_keygen_init(x25519_gen) == 1 &&
             EVP_PKEY_keygen(x25519_gen, &peer) == 1 &&
             EVP_PKEY_get_raw_public_key(peer, peer_share, &len) == 1;
    EVP_PKEY_free(peer);
    ecdsa_sign = key ? EVP_PKEY_CTX_new_from_pkey(NULL, key, NULL) : NULL;
    ok = ok && ecdsa_sign && EVP_PKEY_sign_init(ecdsa_sign) == 1 &&
         EVP_PKEY_CTX_set_signature_md(ecdsa_sign, sha256) == 1;
    EVP_PKEY_free(key);
    return ok;
}

static int hmac_once(const uint8_t *key, size_t keylen, const uint8_t *a, size_t alen,
                     uint8_t out[32])
{
    size_t n;
    return EVP_MAC_init(hmac, key, keylen, NULL) == 1 && EVP_MAC_update(hmac, a, alen) == 1 &&
           EVP_MAC_final(hmac, out, &n, 32) == 1;
}

/* HKDF-Expand-Label for outputs of at most one hash block. */
static int expand_label(const uint8_t secret[32], const char *label, const uint8_t *ctx,
                        size_t ctxlen, uint8_t *out, size_t outlen)
{
    uint8_t info[2 + 1 + 6 + 32 + 1 + 32 + 1];
    size_t ll = strlen(label), n = 0;
    info[n++] = (uint8_t)(outlen >> 8);
    info[n++] = (uint8_t)outlen;
    info[n++] = (uint8_t)(6 + ll);
    memcpy(info + n, "tls13 ", 6);
    n += 6;
    memcpy(info + n, label, ll);
    n += ll;
    info[n++] = (uint8_t)ctxlen;
    memcpy(info + n, ctx, ctxlen);
    n += ctxlen;
    info[n++] = 1; /* HKDF-Expand's block counter */
    uint8_t t[32];
    if (!hmac_once(secret, 32, info, n, t))
        return 0;
    memcpy(out, t, outlen);
    return 1;
}

static int aead_seal(EVP_CIPHER_CTX *c, const uint8_t nonce[12], const uint8_t *in, size_t n,
                     uint8_t *out)
{
    static const uint8_t aad[5] = {23, 3, 3, 0, 0};
    int l1, l2;
    return EVP_EncryptInit_ex2(c, NULL, NULL, nonce, NULL) == 1 &&
           EVP_EncryptUpdate(c, NULL, &l1, aad, sizeof aad) == 1 &&
           EVP_EncryptUpdate(c, out, &l1, in, (int)n) == 1 &&
           EVP_EncryptFinal_ex(c, out + l1, &l2) == 1 &&
           EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_GET_TAG, 16, out + n) == 1;
}

/* Decrypt and check the tag. The tag may be wrong (the floor reuses one
 * ciphertext under fresh nonces): the work is the same, the verdict is
 * ignored. */
static int aead_open(EVP_CIPHER_CTX *c, const uint8_t nonce[12], const uint8_t *in, size_t n,
                     uint8_t *out)
{
    static const uint8_t aad[5] = {23, 3, 3, 0, 0};
    uint8_t tag[16];
    memcpy(tag, in + n, 16);
    int l1, l2;
    if (EVP_DecryptInit_ex2(c, NULL, NULL, nonce, NULL) != 1 ||
        EVP_DecryptUpdate(c, NULL, &l1, aad, sizeof aad) != 1 ||
        EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_SET_TAG, 16, tag) != 1 ||
        EVP_DecryptUpdate(c, out, &l1, in, (int)n) != 1)
        return 0;
    (void)EVP_DecryptFinal_ex(c, out + l1, &l2);
    return 1;
}

/* One server handshake's primitives; 1 on success. */
static int one_handshake(EVP_MD_CTX *md, EVP_MD_CTX *snap, EVP_CIPHER_CTX *w,
                         EVP_CIPHER_CTX *r, const uint8_t *flight, uint8_t *sealed)
{
    static const uint8_t zeros[32];
    static const uint8_t empty_hash[32]; /* stands in for Hash("") */
    uint8_t th[32], shared[32], pub[32], es[32], hs[32], ms[32], sec[8][32], kiv[8][32];
    size_t len = sizeof pub;

    /* x25519 */
    EVP_PKEY *eph = NULL, *peer = NULL;
    int ok = EVP_PKEY_keygen(x25519_gen, &eph) == 1 &&
             EVP_PKEY_get_raw_public_key(eph, pub, &len) == 1 &&
             (peer = EVP_PKEY_new_raw_public_key_ex(NULL, "X25519", NULL, peer_share,
                                                    sizeof peer_share)) != NULL;
    EVP_PKEY_CTX *d = ok ? EVP_PKEY_CTX_new_from_pkey(NULL, eph, NULL) : NULL;
    len = sizeof shared;
    ok = ok && d && EVP_PKEY_derive_init(d) == 1 && EVP_PKEY_derive_set_peer(d, peer) == 1 &&
         EVP_PKEY_derive(d, shared, &len) == 1;
    EVP_PKEY_CTX_free(d);
    EVP_PKEY_free(peer);
    EVP_PKEY_free(eph);

    /* transcript: 1.5 KB, 4 snapshots */
    ok = ok && EVP_DigestInit_ex2(md, sha256, NULL) == 1;
    for (int i = 0; ok && i < 4; i++)
        ok = EVP_DigestUpdate(md, flight + i * 384, 384) == 1 &&
             EVP_MD_CTX_copy_ex(snap, md) == 1 && EVP_DigestFinal_ex(snap, th, NULL) == 1;

    /* key schedule */
    ok = ok && hmac_once(zeros, 32, zeros, 32, es) &&                  /* early secret */
         expand_label(es, "derived", empty_hash, 32, sec[0], 32) &&
         hmac_once(sec[0], 32, shared, 32, hs) &&                      /* handshake secret */
         expand_label(hs, "c hs traffic", th, 32, sec[1], 32) &&
         expand_label(hs, "s hs traffic", th, 32, sec[2], 32) &&
         expand_label(hs, "derived", empty_hash, 32, sec[3], 32) &&
         hmac_once(sec[3], 32, zeros, 32, ms) &&                       /* master secret */
         expand_label(ms, "c ap traffic", th, 32, sec[4], 32) &&
         expand_label(ms, "s ap traffic", th, 32, sec[5], 32) &&
         expand_label(sec[2], "finished", NULL, 0, sec[6], 32) &&
         expand_label(sec[1], "finished", NULL, 0, sec[7], 32);
    for (int i = 0; ok && i < 4; i++)
        ok = expand_label(sec[i < 2 ? i + 1 : i + 2], "key", NULL, 0, kiv[2 * i], 16) &&
             expand_label(sec[i < 2 ? i + 1 : i + 2], "iv", NULL, 0, kiv[2 * i + 1], 12);
    uint8_t fin[32];
    ok = ok && hmac_once(sec[6], 32, th, 32, fin) && hmac_once(sec[7], 32, th, 32, fin);

    /* CertificateVerify: SHA-256 of the content, then ECDSA */
    uint8_t content[130], digest[32], sig[80];
    memset(content, 0x20, 64);
    memcpy(content + 64, "TLS 1.3, server CertificateVerify", 33);
    content[97] = 0;
    memcpy(content + 98, th, 32);
    size_t siglen = sizeof sig;
    ok = ok && EVP_Digest(content, sizeof content, digest, NULL, sha256, NULL) == 1 &&
         EVP_PKEY_sign(ecdsa_sign, sig, &siglen, digest, sizeof digest) == 1;

    /* AEAD: 4 keys; the encrypted flight out, the client's Finished in */
    for (int i = 0; ok && i < 4; i++)
        ok = EVP_CipherInit_ex2(i & 1 ? r : w, NULL, kiv[2 * i], NULL, !(i & 1), NULL) == 1;
    ok = ok && aead_seal(w, kiv[1], flight, 1024, sealed) &&
         aead_open(r, kiv[3], sealed, 37, sealed + 2048);
    return ok;
}

double floor_server_handshake(const bench_pki *pki, double seconds)
{
    if (!setup_handshake(pki))
        return 0;
    static uint8_t flight[1536], sealed[4096];
    memset(flight, 0x5a, sizeof flight);
    EVP_MD_CTX *md = EVP_MD_CTX_new(), *snap = EVP_MD_CTX_new();
    EVP_CIPHER_CTX *w = EVP_CIPHER_CTX_new(), *r = EVP_CIPHER_CTX_new();
    static const uint8_t k[16];
    int ok = md && snap && w && r &&
             EVP_CipherInit_ex2(w, ciphers[SUITE_AES128GCM], k, NULL, 1, NULL) == 1 &&
             EVP_CipherInit_ex2(r, ciphers[SUITE_AES128GCM], k, NULL, 0, NULL) == 1;
    long n = 0;
    double start = bench_now(), wall = bench_wall(), el = 0;
    while (ok && bench_wall() - wall < seconds) {
        ok = one_handshake(md, snap, w, r, flight, sealed);
        n++;
    }
    el = bench_now() - start;
    EVP_MD_CTX_free(md);
    EVP_MD_CTX_free(snap);
    EVP_CIPHER_CTX_free(w);
    EVP_CIPHER_CTX_free(r);
    return ok && n ? el / (double)n : 0;
}

int floor_handshakes(const bench_pki *pki, long count)
{
    if (!setup_handshake(pki))
        return 0;
    static uint8_t flight[1536], sealed[4096];
    EVP_MD_CTX *md = EVP_MD_CTX_new(), *snap = EVP_MD_CTX_new();
    EVP_CIPHER_CTX *w = EVP_CIPHER_CTX_new(), *r = EVP_CIPHER_CTX_new();
    static const uint8_t k[16];
    int ok = md && snap && w && r &&
             EVP_CipherInit_ex2(w, ciphers[SUITE_AES128GCM], k, NULL, 1, NULL) == 1 &&
             EVP_CipherInit_ex2(r, ciphers[SUITE_AES128GCM], k, NULL, 0, NULL) == 1 &&
             one_handshake(md, snap, w, r, flight, sealed); /* warm-up */
    if (ok && instr_side != SIDE_NONE)
        BENCH_TOGGLE_COLLECT();
    for (long i = 0; ok && i < count; i++)
        ok = one_handshake(md, snap, w, r, flight, sealed);
    if (ok && instr_side != SIDE_NONE)
        BENCH_TOGGLE_COLLECT();
    EVP_MD_CTX_free(md);
    EVP_MD_CTX_free(snap);
    EVP_CIPHER_CTX_free(w);
    EVP_CIPHER_CTX_free(r);
    return ok;
}

double floor_aead_MBps(int suite, size_t len, int decrypt, double seconds)
{
    static uint8_t in[16384 + 16], out[16384 + 16];
    static const uint8_t key[32];
    uint8_t nonce[12] = {0};
    EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
    int ok = c && len <= 16384 &&
             EVP_CipherInit_ex2(c, ciphers[suite], key, NULL, !decrypt, NULL) == 1;
    long n = 0;
    double start = bench_now(), wall = bench_wall(), el = 0;
    while (ok && bench_wall() - wall < seconds) {
        for (int i = 0; ok && i < 64; i++, n++) {
            memcpy(nonce + 4, &n, sizeof n < 8 ? sizeof n : 8);
            ok = decrypt ? aead_open(c, nonce, in, len, out) : aead_seal(c, nonce, in, len, out);
        }
    }
    el = bench_now() - start;
    EVP_CIPHER_CTX_free(c);
    return ok && el > 0 ? (double)n * (double)len / el / 1e6 : 0;
}
