/* TLS 1.2 record protection (RFC 5246 §6.2.3.3, RFC 5288 AES-GCM, RFC 7905
 * ChaCha20-Poly1305) in the record layer:
 *  - known answers made by two independent code paths: libcrypto's own
 *    TLS 1.2 record mode (EVP_CTRL_AEAD_TLS1_AAD, the path libssl uses:
 *    it builds the nonce and writes the explicit nonce itself), and plain
 *    EVP AEAD calls with the nonce and AAD built here from the RFCs; plus
 *    two records hard-coded from Python's `cryptography`;
 *  - round trips for the three AEADs and every content type, sequence
 *    numbers and the explicit nonce, in-place sealing;
 *  - refusals: tampering, replay, short records, oversized records and
 *    plaintexts, empty handshake/alert records, rec_dir_peek limits. */
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "record/record.h"
#include "testutil.h"

static const uint8_t KEY[32] = {0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07,
                                0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f,
                                0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17,
                                0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f};
/* GCM: the 4-byte salt; ChaCha20: the 12-byte write IV. */
static const uint8_t IV[12] = {0xca, 0xfe, 0xba, 0xbe, 0xde, 0xad, 0xbe, 0xef,
                               0x01, 0x23, 0x45, 0x67};

static const aead_alg ALL[] = {AEAD_AES_128_GCM, AEAD_AES_256_GCM, AEAD_CHACHA20_POLY1305};

static int is_gcm(aead_alg a) { return a != AEAD_CHACHA20_POLY1305; }
static size_t xlen(aead_alg a) { return is_gcm(a) ? 8 : 0; }

static const char *cipher_name(aead_alg a)
{
    switch (a) {
    case AEAD_AES_128_GCM: return "AES-128-GCM";
    case AEAD_AES_256_GCM: return "AES-256-GCM";
    case AEAD_CHACHA20_POLY1305: return "ChaCha20-Poly1305";
    }
    return "?";
}

static void install12(rec_dir *d, aead_alg a, int encrypt)
{
    rec_dir_init(d);
    CHECK_OK(rec_dir_install12(d, a, KEY, IV, encrypt));
}

static void put_be64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (56 - 8 * i));
}

/* ---- reference 1: libcrypto's TLS 1.2 record mode ----
 * The cipher is given the full 12-byte fixed IV (GCM: salt || the first
 * explicit nonce, which libcrypto then writes into the record and
 * increments per record; ChaCha20: the write IV, XORed by libcrypto with
 * the sequence number it reads from the AAD) and, per record, the 13-byte
 * AAD. Returns the record length. */
typedef struct {
    EVP_CIPHER_CTX *ctx;
    aead_alg alg;
} tls_ref;

static void tls_ref_init(tls_ref *t, aead_alg a, int enc)
{
    EVP_CIPHER *c = EVP_CIPHER_fetch(NULL, cipher_name(a), NULL);
    t->alg = a;
    t->ctx = EVP_CIPHER_CTX_new();
    uint8_t fixed[12] = {0};
    memcpy(fixed, IV, is_gcm(a) ? 4 : 12); /* GCM: first explicit nonce 0 */
    CHECK(c && t->ctx && EVP_CipherInit_ex(t->ctx, c, NULL, KEY, NULL, enc) == 1);
    CHECK(EVP_CIPHER_CTX_ctrl(t->ctx, EVP_CTRL_AEAD_SET_IV_FIXED, is_gcm(a) ? -1 : 12, fixed) ==
          1);
    EVP_CIPHER_free(c);
}

static size_t tls_ref_seal(tls_ref *t, uint64_t seq, uint8_t type, const uint8_t *pt,
                           size_t ptlen, uint8_t *out)
{
    size_t xn = xlen(t->alg), body = xn + ptlen + 16;
    /* As libssl does it, the length given includes the explicit nonce
     * (libcrypto takes it back out before authenticating). */
    uint8_t aad[13];
    put_be64(aad, seq);
    aad[8] = type;
    aad[9] = 3;
    aad[10] = 3;
    aad[11] = (uint8_t)((xn + ptlen) >> 8);
    aad[12] = (uint8_t)(xn + ptlen);
    int tag = EVP_CIPHER_CTX_ctrl(t->ctx, EVP_CTRL_AEAD_TLS1_AAD, 13, aad);
    if (tag != 16)
        fprintf(stderr, "TLS1_AAD gave %d\n", tag);
    CHECK(tag == 16);
    out[0] = type;
    out[1] = 3;
    out[2] = 3;
    out[3] = (uint8_t)(body >> 8);
    out[4] = (uint8_t)body;
    memcpy(out + 5 + xn, pt, ptlen);
    CHECK(EVP_Cipher(t->ctx, out + 5, out + 5, (unsigned)body) == (int)body);
    return 5 + body;
}

/* Decrypt a record with libcrypto's TLS mode: the AAD carries the record
 * length, which libcrypto corrects for explicit nonce and tag. Returns the
 * plaintext length, or -1 when it does not authenticate. */
static int tls_ref_open(tls_ref *t, uint64_t seq, uint8_t *rec, size_t reclen, uint8_t *pt)
{
    size_t xn = xlen(t->alg), body = reclen - 5;
    uint8_t aad[13];
    put_be64(aad, seq);
    memcpy(aad + 8, rec, 5);
    if (EVP_CIPHER_CTX_ctrl(t->ctx, EVP_CTRL_AEAD_TLS1_AAD, 13, aad) != 16)
        return -1;
    /* Success is a positive count (GCM gives the whole body, ChaCha20 the
     * plaintext); failure to authenticate is <= 0. */
    if (EVP_Cipher(t->ctx, rec + 5, rec + 5, (unsigned)body) <= 0)
        return -1;
    size_t n = body - xn - 16;
    memcpy(pt, rec + 5 + xn, n);
    return (int)n;
}

static void tls_ref_free(tls_ref *t) { EVP_CIPHER_CTX_free(t->ctx); }

/* ---- reference 2: plain AEAD, nonce and AAD from the RFCs ----
 * Can build what rec_seal never would (any explicit nonce, any length,
 * empty handshake records, over 2^14). */
static size_t raw_seal(aead_alg a, uint64_t seq, uint64_t explicit_nonce, uint8_t type,
                       const uint8_t *pt, size_t ptlen, uint8_t *out)
{
    size_t xn = xlen(a), body = xn + ptlen + 16;
    uint8_t nonce[12], aad[13];
    if (is_gcm(a)) {
        memcpy(nonce, IV, 4); /* RFC 5288 §3: salt || nonce_explicit */
        put_be64(nonce + 4, explicit_nonce);
    } else {
        memcpy(nonce, IV, 12); /* RFC 7905 §2: IV ^ 0000 || seq */
        for (int i = 0; i < 8; i++)
            nonce[4 + i] ^= (uint8_t)(seq >> (56 - 8 * i));
    }
    put_be64(aad, seq);
    aad[8] = type;
    aad[9] = 3;
    aad[10] = 3;
    aad[11] = (uint8_t)(ptlen >> 8);
    aad[12] = (uint8_t)ptlen;

    out[0] = type;
    out[1] = 3;
    out[2] = 3;
    out[3] = (uint8_t)(body >> 8);
    out[4] = (uint8_t)body;
    if (xn)
        put_be64(out + 5, explicit_nonce);
    EVP_CIPHER *c = EVP_CIPHER_fetch(NULL, cipher_name(a), NULL);
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    int l1 = 0, l2 = 0, l0 = 0;
    int ok = c && ctx && EVP_EncryptInit_ex2(ctx, c, KEY, nonce, NULL) == 1 &&
             EVP_EncryptUpdate(ctx, NULL, &l0, aad, 13) == 1 &&
             EVP_EncryptUpdate(ctx, out + 5 + xn, &l1, pt, (int)ptlen) == 1 &&
             EVP_EncryptFinal_ex(ctx, out + 5 + xn + l1, &l2) == 1 &&
             (size_t)(l1 + l2) == ptlen &&
             EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, 16, out + 5 + xn + ptlen) == 1;
    CHECK(ok);
    EVP_CIPHER_CTX_free(ctx);
    EVP_CIPHER_free(c);
    return 5 + body;
}

/* ---- known answers ---- */

static void kat(aead_alg a)
{
    /* application data; a Finished (type 20, length 12: "\014" is octal
     * 0x0c); a warning close_notify. */
    static const uint8_t msgs[][40] = {"GET / HTTP/1.1\r\nHost: example\r\n\r\n",
                                       "\x14\x00\x00\0140123456789ab", "\x01\x00"};
    static const uint8_t types[] = {CT_APPLICATION_DATA, CT_HANDSHAKE, CT_ALERT};
    static const size_t lens[] = {35, 16, 2};
    rec_dir w, r;
    install12(&w, a, 1);
    install12(&r, a, 0);
    CHECK(w.tls12 == 1 && w.protected_ == 1 && w.seq == 0 && w.explicit_nonce == xlen(a));
    tls_ref ref_enc, ref_dec;
    tls_ref_init(&ref_enc, a, 1);
    tls_ref_init(&ref_dec, a, 0);

    for (size_t i = 0; i < 3; i++) {
        uint8_t got[128], want[128], want2[128], pt[128];
        size_t glen = 0;
        size_t wlen = tls_ref_seal(&ref_enc, i, types[i], msgs[i], lens[i], want);
        size_t w2len = raw_seal(a, i, i, types[i], msgs[i], lens[i], want2);
        CHECK(wlen == w2len);
        CHECK_MEM(want2, want, wlen); /* the two references agree */

        CHECK(rec_sealed_len(&w, lens[i], 7) == wlen);
        CHECK_OK(rec_seal(&w, types[i], msgs[i], lens[i], 7, got, sizeof got, &glen));
        CHECK(glen == wlen);
        CHECK_MEM(got, want, wlen);
        /* Outer type is the real type; the explicit nonce is the sequence number. */
        CHECK(got[0] == types[i] && got[1] == 3 && got[2] == 3);
        if (is_gcm(a)) {
            uint8_t seqb[8];
            put_be64(seqb, i);
            CHECK_MEM(got + 5, seqb, 8);
        }

        /* libcrypto's TLS mode opens ward's record... */
        uint8_t copy[128];
        memcpy(copy, got, glen);
        CHECK(tls_ref_open(&ref_dec, i, copy, glen, pt) == (int)lens[i]);
        CHECK_MEM(pt, msgs[i], lens[i]);
        memcpy(copy, got, glen);
        copy[glen - 1] ^= 1; /* and the reference does check the tag */
        CHECK(tls_ref_open(&ref_dec, i, copy, glen, pt) == -1);
        /* ...and ward opens libcrypto's. */
        uint8_t type = 0;
        span p = {0};
        CHECK_OK(rec_open(&r, want, wlen, &type, &p));
        CHECK(type == types[i] && p.len == lens[i]);
        CHECK(p.p == want + 5 + xlen(a));
        if (p.len == lens[i])
            CHECK_MEM(p.p, msgs[i], lens[i]);
    }
    CHECK(w.seq == 3 && r.seq == 3);
    tls_ref_free(&ref_enc);
    tls_ref_free(&ref_dec);
    rec_dir_clear(&w);
    rec_dir_clear(&r);
    CHECK(w.tls12 == 0 && w.protected_ == 0 && w.explicit_nonce == 0);
}

/* Fixed records, written out once as regression anchors, computed with
 * Python's `cryptography` AEADs (AESGCM, ChaCha20Poly1305) from RFC 5246
 * §6.2.3.3, RFC 5288 §3 and RFC 7905 §2 by hand:
 *   AES-128-GCM, seq 0, application_data "hello";
 *   ChaCha20-Poly1305, seq 7, handshake "hello". */
static const char FIXED_GCM[] =
    "170303001d0000000000000000dac74760622e014f01227ea451b7f59885d2ec39a5";
static const char FIXED_CHACHA[] = "1603030015045cb352401b13812c46956ce93032e56df0702e5d";

static void fixed_one(aead_alg a, uint64_t seq, uint8_t type, const char *want_hex)
{
    uint8_t want[64], got[64];
    long wlen = hex_decode(want_hex, want, sizeof want);
    size_t glen = 0;
    rec_dir w, r;
    install12(&w, a, 1);
    install12(&r, a, 0);
    w.seq = r.seq = seq;
    CHECK_OK(rec_seal(&w, type, (const uint8_t *)"hello", 5, 0, got, sizeof got, &glen));
    CHECK(wlen > 0 && glen == (size_t)wlen);
    CHECK_MEM(got, want, glen);
    uint8_t t = 0;
    span p = {0};
    CHECK_OK(rec_open(&r, want, (size_t)wlen, &t, &p));
    CHECK(t == type && p.len == 5);
    rec_dir_clear(&w);
    rec_dir_clear(&r);
}

static void kat_fixed(void)
{
    fixed_one(AEAD_AES_128_GCM, 0, CT_APPLICATION_DATA, FIXED_GCM);
    fixed_one(AEAD_CHACHA20_POLY1305, 7, CT_HANDSHAKE, FIXED_CHACHA);
}

/* ---- round trips ---- */

static void round_trips(aead_alg a)
{
    rec_dir w, r;
    install12(&w, a, 1);
    install12(&r, a, 0);
    static uint8_t pt[REC_MAX_PLAINTEXT], buf[REC_MAX_RECORD12];
    for (size_t i = 0; i < sizeof pt; i++)
        pt[i] = (uint8_t)(i * 13);

    size_t sizes[] = {0, 1, 15, 16, 17, 100, 1000, REC_MAX_PLAINTEXT - 1, REC_MAX_PLAINTEXT};
    uint8_t types[] = {CT_APPLICATION_DATA, CT_HANDSHAKE, CT_ALERT};
    uint64_t seq = 0;
    for (size_t t = 0; t < 3; t++) {
        for (size_t i = 0; i < WARD_ARRAY_LEN(sizes); i++) {
            if (sizes[i] == 0 && types[t] != CT_APPLICATION_DATA)
                continue; /* empty handshake/alert cannot be sealed */
            size_t len = 0, total = 0;
            CHECK_OK(rec_seal(&w, types[t], pt, sizes[i], 0, buf, sizeof buf, &len));
            CHECK(len == rec_sealed_len(&w, sizes[i], 0));
            CHECK(len == REC_HEADER_LEN + xlen(a) + sizes[i] + CRYPTO_AEAD_TAG);
            seq++;
            CHECK(w.seq == seq);
            CHECK_OK(rec_dir_peek(&r, buf, len, &total));
            CHECK(total == len);
            uint8_t type = 0;
            span p = {0};
            CHECK_OK(rec_open(&r, buf, len, &type, &p));
            CHECK(r.seq == seq);
            CHECK(type == types[t] && p.len == sizes[i]);
            if (p.len == sizes[i])
                CHECK_MEM(p.p, pt, sizes[i]);
        }
    }

    /* Sealing in place: the plaintext already sits after the header. */
    static const uint8_t msg[] = "in place, the explicit nonce shifts it";
    size_t len = 0;
    memcpy(buf + REC_HEADER_LEN, msg, sizeof msg);
    CHECK_OK(rec_seal(&w, CT_APPLICATION_DATA, buf + REC_HEADER_LEN, sizeof msg, 0, buf,
                      sizeof buf, &len));
    uint8_t type = 0;
    span p = {0};
    CHECK_OK(rec_open(&r, buf, len, &type, &p));
    CHECK(p.len == sizeof msg);
    if (p.len == sizeof msg)
        CHECK_MEM(p.p, msg, sizeof msg);

    /* Empty application data may come as (NULL, 0). */
    CHECK_OK(rec_seal(&w, CT_APPLICATION_DATA, NULL, 0, 0, buf, sizeof buf, &len));
    CHECK(len == REC_HEADER_LEN + xlen(a) + CRYPTO_AEAD_TAG);
    CHECK_OK(rec_open(&r, buf, len, &type, &p));
    CHECK(type == CT_APPLICATION_DATA && p.len == 0);

    /* Output too small: internal error, nothing consumed. */
    uint64_t before = w.seq;
    CHECK_CODE(rec_seal(&w, CT_APPLICATION_DATA, msg, sizeof msg, 0, buf,
                        rec_sealed_len(&w, sizeof msg, 0) - 1, &len).code,
               WARD_ERR_INTERNAL);
    CHECK(w.seq == before);

    /* change_cipher_spec is never protected, in either direction. */
    static const uint8_t ccs[1] = {1};
    CHECK_OK(rec_seal(&w, CT_CHANGE_CIPHER_SPEC, ccs, 1, 0, buf, sizeof buf, &len));
    static const uint8_t ccs_rec[6] = {20, 3, 3, 0, 1, 1};
    CHECK(len == 6);
    CHECK_MEM(buf, ccs_rec, 6);
    CHECK(w.seq == before);
    CHECK_OK(rec_open(&r, buf, len, &type, &p));
    CHECK(type == CT_CHANGE_CIPHER_SPEC && p.len == 1 && r.seq == before);

    rec_dir_clear(&w);
    rec_dir_clear(&r);
}

/* ---- sequence numbers and the explicit nonce ---- */

static void sequence(aead_alg a)
{
    rec_dir w, r;
    install12(&w, a, 1);
    install12(&r, a, 0);
    const uint64_t start = 0x0102030405060708ull;
    w.seq = start;
    r.seq = start;
    uint8_t buf[128], want[128];
    size_t len = 0;
    for (uint64_t i = 0; i < 3; i++) {
        CHECK_OK(rec_seal(&w, CT_APPLICATION_DATA, (const uint8_t *)"abc", 3, 0, buf,
                          sizeof buf, &len));
        size_t wlen = raw_seal(a, start + i, start + i, CT_APPLICATION_DATA,
                               (const uint8_t *)"abc", 3, want);
        CHECK(len == wlen);
        CHECK_MEM(buf, want, len);
        if (is_gcm(a)) {
            uint8_t seqb[8];
            put_be64(seqb, start + i);
            CHECK_MEM(buf + 5, seqb, 8);
        }
        uint8_t type;
        span p;
        CHECK_OK(rec_open(&r, buf, len, &type, &p));
    }
    CHECK(w.seq == start + 3 && r.seq == start + 3);

    /* The last sequence number is never used. */
    w.seq = UINT64_MAX;
    CHECK_CODE(rec_seal(&w, CT_APPLICATION_DATA, (const uint8_t *)"abc", 3, 0, buf, sizeof buf,
                        &len).code,
               WARD_ERR_INTERNAL);

    /* A record sealed for another sequence number (replayed, reordered,
     * dropped) does not open. */
    rec_dir_clear(&w);
    rec_dir_clear(&r);
    install12(&w, a, 1);
    install12(&r, a, 0);
    uint8_t rec0[64], rec1[64];
    size_t l0 = 0, l1 = 0;
    CHECK_OK(rec_seal(&w, CT_APPLICATION_DATA, (const uint8_t *)"zero", 4, 0, rec0, sizeof rec0,
                      &l0));
    CHECK_OK(rec_seal(&w, CT_APPLICATION_DATA, (const uint8_t *)"one", 3, 0, rec1, sizeof rec1,
                      &l1));
    uint8_t type;
    span p;
    CHECK_CODE(rec_open(&r, rec1, l1, &type, &p).code, WARD_ERR_BAD_RECORD_MAC);

    /* GCM: the peer chooses the explicit nonce; any value opens as long as
     * the AAD's sequence number is right (RFC 5288 §3). */
    if (is_gcm(a)) {
        rec_dir r2;
        install12(&r2, a, 0);
        size_t n = raw_seal(a, 0, 0xfeedfacecafebeefull, CT_HANDSHAKE, (const uint8_t *)"hs", 2,
                            buf);
        CHECK_OK(rec_open(&r2, buf, n, &type, &p));
        CHECK(type == CT_HANDSHAKE && p.len == 2 && r2.seq == 1);
        rec_dir_clear(&r2);
    }
    rec_dir_clear(&w);
    rec_dir_clear(&r);
}

/* ---- refusals ---- */

static wres open_fresh(aead_alg a, uint8_t *rec, size_t len, uint8_t *type, span *p)
{
    rec_dir r;
    install12(&r, a, 0);
    wres res = rec_open(&r, rec, len, type, p);
    rec_dir_clear(&r);
    return res;
}

static void tamper(aead_alg a)
{
    uint8_t good[128], rec[128], type;
    span p;
    size_t len = raw_seal(a, 0, 0, CT_APPLICATION_DATA, (const uint8_t *)"attack at dawn", 14,
                          good);
    memcpy(rec, good, len);
    CHECK_OK(open_fresh(a, rec, len, &type, &p));

    /* Every byte of the record after the length is authenticated, and so
     * are the type and version of the header (through the AAD). */
    for (size_t i = 0; i < len; i++) {
        if (i == 3 || i == 4)
            continue; /* the length frames the record */
        memcpy(rec, good, len);
        rec[i] ^= (i == 0) ? (CT_APPLICATION_DATA ^ CT_HANDSHAKE) : 0x01;
        wres res = open_fresh(a, rec, len, &type, &p);
        if (res.code != WARD_ERR_BAD_RECORD_MAC)
            fprintf(stderr, "tampered byte %zu\n", i);
        CHECK_CODE(res.code, WARD_ERR_BAD_RECORD_MAC);
    }
    /* Truncated by one byte (length fixed up). */
    memcpy(rec, good, len);
    rec[4]--;
    CHECK_CODE(open_fresh(a, rec, len - 1, &type, &p).code, WARD_ERR_BAD_RECORD_MAC);

    /* Too short for explicit nonce + tag: bad_record_mac without decrypting. */
    size_t min = xlen(a) + CRYPTO_AEAD_TAG;
    memset(rec, 0, sizeof rec);
    rec[0] = CT_APPLICATION_DATA;
    rec[1] = rec[2] = 3;
    rec[4] = (uint8_t)(min - 1);
    CHECK_CODE(open_fresh(a, rec, 5 + min - 1, &type, &p).code, WARD_ERR_BAD_RECORD_MAC);
    rec[4] = 0;
    CHECK_CODE(open_fresh(a, rec, 5, &type, &p).code, WARD_ERR_BAD_RECORD_MAC);
    /* Exactly nonce + tag but forged: bad_record_mac. */
    rec[4] = (uint8_t)min;
    CHECK_CODE(open_fresh(a, rec, 5 + min, &type, &p).code, WARD_ERR_BAD_RECORD_MAC);
    /* Exactly nonce + tag, genuine: empty application data is fine... */
    len = raw_seal(a, 0, 0, CT_APPLICATION_DATA, NULL, 0, rec);
    CHECK(len == 5 + min);
    CHECK_OK(open_fresh(a, rec, len, &type, &p));
    CHECK(type == CT_APPLICATION_DATA && p.len == 0);
    /* ...empty handshake or alert is unexpected_message. */
    len = raw_seal(a, 0, 0, CT_HANDSHAKE, NULL, 0, rec);
    CHECK_CODE(open_fresh(a, rec, len, &type, &p).code, WARD_ERR_UNEXPECTED_MESSAGE);
    len = raw_seal(a, 0, 0, CT_ALERT, NULL, 0, rec);
    CHECK_CODE(open_fresh(a, rec, len, &type, &p).code, WARD_ERR_UNEXPECTED_MESSAGE);

    /* A TLS 1.3-style record (inner type, AAD = header) does not open. */
    rec_dir w13;
    rec_dir_init(&w13);
    uint8_t secret[32] = {1};
    CHECK_OK(rec_dir_install(&w13, a, HASH_SHA256, secret, 1));
    CHECK_OK(rec_seal(&w13, CT_APPLICATION_DATA, (const uint8_t *)"x", 1, 0, rec, sizeof rec,
                      &len));
    CHECK_CODE(open_fresh(a, rec, len, &type, &p).code, WARD_ERR_BAD_RECORD_MAC);
    /* And rec_dir_install after rec_dir_install12 is back to TLS 1.3. */
    rec_dir d;
    install12(&d, a, 1);
    CHECK(d.tls12 == 1);
    CHECK_OK(rec_dir_install(&d, a, HASH_SHA256, secret, 1));
    CHECK(d.tls12 == 0 && d.explicit_nonce == 0 && d.protected_ == 1);
    rec_dir_clear(&d);
    rec_dir_clear(&w13);
}

static void limits(aead_alg a)
{
    static uint8_t pt[REC_MAX_PLAINTEXT + 2048], rec[REC_MAX_RECORD12 + 16];
    uint8_t type;
    span p;
    size_t total;
    memset(pt, 'x', sizeof pt);

    /* Plaintext 2^14 opens; 2^14 + 1 (genuine, authenticated) is record_overflow. */
    size_t len = raw_seal(a, 0, 0, CT_APPLICATION_DATA, pt, REC_MAX_PLAINTEXT, rec);
    CHECK_OK(open_fresh(a, rec, len, &type, &p));
    CHECK(p.len == REC_MAX_PLAINTEXT);
    len = raw_seal(a, 0, 0, CT_APPLICATION_DATA, pt, REC_MAX_PLAINTEXT + 1, rec);
    CHECK_CODE(open_fresh(a, rec, len, &type, &p).code, WARD_ERR_RECORD_OVERFLOW);
    len = raw_seal(a, 0, 0, CT_HANDSHAKE, pt, REC_MAX_PLAINTEXT + 100, rec);
    CHECK_CODE(open_fresh(a, rec, len, &type, &p).code, WARD_ERR_RECORD_OVERFLOW);

    /* TLSCiphertext up to 2^14 + 2048: accepted by rec_dir_peek on a TLS 1.2
     * direction (then the plaintext is too long); one more is overflow at
     * once. */
    rec_dir r;
    install12(&r, a, 0);
    size_t max_pt = REC_MAX_CIPHERTEXT12 - xlen(a) - CRYPTO_AEAD_TAG;
    len = raw_seal(a, 0, 0, CT_APPLICATION_DATA, pt, max_pt, rec);
    CHECK(len == REC_MAX_RECORD12);
    CHECK_OK(rec_dir_peek(&r, rec, len, &total));
    CHECK(total == len);
    CHECK_OK(rec_dir_peek(&r, rec, len - 1, &total));
    CHECK(total == 0); /* incomplete */
    CHECK_CODE(rec_open(&r, rec, len, &type, &p).code, WARD_ERR_RECORD_OVERFLOW);
    /* The old entry point and a TLS 1.3 direction keep 2^14 + 256. */
    CHECK_CODE(rec_peek(rec, len, &total).code, WARD_ERR_RECORD_OVERFLOW);
    rec_dir r13;
    rec_dir_init(&r13);
    CHECK_CODE(rec_dir_peek(&r13, rec, len, &total).code, WARD_ERR_RECORD_OVERFLOW);
    CHECK_CODE(rec_dir_peek(NULL, rec, len, &total).code, WARD_ERR_RECORD_OVERFLOW);
    rec[3] = (uint8_t)((REC_MAX_CIPHERTEXT12 + 1) >> 8);
    rec[4] = (uint8_t)(REC_MAX_CIPHERTEXT12 + 1);
    CHECK_CODE(rec_dir_peek(&r, rec, 5, &total).code, WARD_ERR_RECORD_OVERFLOW);
    CHECK_CODE(rec_open(&r, rec, REC_MAX_RECORD12 + 1, &type, &p).code,
               WARD_ERR_RECORD_OVERFLOW);
    /* Unknown content type: unexpected_message, as in TLS 1.3. */
    rec[0] = 24;
    CHECK_CODE(rec_dir_peek(&r, rec, 5, &total).code, WARD_ERR_UNEXPECTED_MESSAGE);

    /* rec_seal refuses more than 2^14 of plaintext. */
    rec_dir w;
    install12(&w, a, 1);
    CHECK_CODE(rec_seal(&w, CT_APPLICATION_DATA, pt, REC_MAX_PLAINTEXT + 1, 0, rec, sizeof rec,
                        &len).code,
               WARD_ERR_INTERNAL);
    /* ...and an empty handshake or alert record. */
    CHECK_CODE(rec_seal(&w, CT_HANDSHAKE, pt, 0, 0, rec, sizeof rec, &len).code,
               WARD_ERR_INTERNAL);
    CHECK(w.seq == 0);
    /* pad is ignored: the same length with or without. */
    CHECK(rec_sealed_len(&w, 100, 200) == rec_sealed_len(&w, 100, 0));
    CHECK_OK(rec_seal(&w, CT_APPLICATION_DATA, pt, 100, 200, rec, sizeof rec, &len));
    CHECK(len == REC_HEADER_LEN + xlen(a) + 100 + CRYPTO_AEAD_TAG);
    rec_dir_clear(&w);
    rec_dir_clear(&r);
}

static void install_refusals(void)
{
    rec_dir d;
    rec_dir_init(&d);
    CHECK_CODE(rec_dir_install12(&d, (aead_alg)7, KEY, IV, 1).code, WARD_ERR_INTERNAL);
    CHECK_CODE(rec_dir_install12(&d, AEAD_AES_128_GCM, NULL, IV, 1).code, WARD_ERR_INTERNAL);
    CHECK_CODE(rec_dir_install12(&d, AEAD_AES_128_GCM, KEY, NULL, 1).code, WARD_ERR_INTERNAL);
    CHECK(d.protected_ == 0 && d.tls12 == 0);
    /* GCM keeps salt || 8 zeros as its IV; ChaCha20 the whole write IV. */
    CHECK_OK(rec_dir_install12(&d, AEAD_AES_256_GCM, KEY, IV, 1));
    static const uint8_t gcm_iv[12] = {0xca, 0xfe, 0xba, 0xbe};
    CHECK_MEM(d.iv, gcm_iv, 12);
    CHECK_OK(rec_dir_install12(&d, AEAD_CHACHA20_POLY1305, KEY, IV, 1));
    CHECK_MEM(d.iv, IV, 12);
    CHECK(d.explicit_nonce == 0);
    rec_dir_clear(&d);

    /* Before keys, TLS 1.2 plaintext records are TLS 1.3's: unchanged. */
    rec_dir_init(&d);
    uint8_t rec[16] = {CT_HANDSHAKE, 3, 3, 0, 2, 0x0e, 0x00};
    uint8_t type;
    span p;
    CHECK_OK(rec_open(&d, rec, 7, &type, &p));
    CHECK(type == CT_HANDSHAKE && p.len == 2);
}

int main(void)
{
    kat_fixed();
    install_refusals();
    for (size_t i = 0; i < WARD_ARRAY_LEN(ALL); i++) {
        kat(ALL[i]);
        round_trips(ALL[i]);
        sequence(ALL[i]);
        tamper(ALL[i]);
        limits(ALL[i]);
    }
    return test_report();
}
