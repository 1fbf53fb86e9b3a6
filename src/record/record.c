/* The TLS 1.3 record layer (RFC 8446 §5): framing, and protection of
 * records with the AEAD of the current traffic keys (§5.2-§5.4). Opening
 * and sealing work in the caller's buffers and never allocate.
 *
 * A direction switched to TLS 1.2 (rec_dir_install12) protects records the
 * TLS 1.2 way instead (RFC 5246 §6.2.3.3): the real content type outside,
 * no inner type or padding, the sequence number, type, version and length
 * in the additional data, and for AES-GCM an 8-byte explicit nonce in front
 * of the ciphertext (RFC 5288); ChaCha20-Poly1305 builds its nonce like
 * TLS 1.3 (RFC 7905). */
#include "record/record.h"

#include <string.h>

#include "base/mem.h"

#define LEGACY_VERSION 0x0303   /* legacy_record_version of protected records */
#define SEQ_LIMIT UINT64_MAX    /* a sequence number we refuse to use (§5.3) */

void rec_dir_init(rec_dir *d)
{
    memset(d, 0, sizeof *d);
    d->wire_version = LEGACY_VERSION;
    d->max_inner = REC_MAX_PLAINTEXT + 1;
}

void rec_dir_set_max_inner(rec_dir *d, size_t max_inner)
{
    d->max_inner = max_inner < REC_MAX_PLAINTEXT + 1 ? max_inner : REC_MAX_PLAINTEXT + 1;
}

uint64_t rec_dir_key_limit(const rec_dir *d)
{
    if (!d->protected_ || d->aead.alg == AEAD_CHACHA20_POLY1305)
        return UINT64_MAX;
    return REC_GCM_MAX_RECORDS;
}

/* ---- keys (§7.3) ---- */

/* The direction's AEAD keyed with key. A direction already protected by
 * the same algorithm is rekeyed in place: the handshake-to-application
 * switch and every KeyUpdate then cost no allocation. Otherwise a new
 * context, and the old keys go only once it is ready. A failed rekey
 * leaves the direction protected with no context, so it seals and opens
 * nothing (fail closed; the caller fails the connection). */
static WARD_MUST_CHECK wres dir_set_key(rec_dir *d, aead_alg aead, const uint8_t *key, int encrypt)
{
    crypto_aead *a = &d->aead;
    if (d->protected_ && a->ctx && a->alg == aead && a->encrypt == (encrypt ? 1 : 0))
        return crypto_aead_rekey(a, key);
    crypto_aead fresh;
    memset(&fresh, 0, sizeof fresh);
    GUARD(crypto_aead_init(&fresh, aead, key, encrypt));
    rec_dir_clear(d);
    d->aead = fresh;
    return wres_ok();
}

wres rec_dir_install(rec_dir *d, aead_alg aead, hash_alg hash, const uint8_t *secret,
                     int encrypt)
{
    static const uint8_t no_context[1] = {0};
    uint8_t key[CRYPTO_MAX_KEY];
    uint8_t iv[CRYPTO_AEAD_NONCE];

    wres r = crypto_hkdf_expand_label(hash, secret, "key", no_context, 0, key,
                                      aead_key_len(aead));
    if (wres_is_ok(r))
        r = crypto_hkdf_expand_label(hash, secret, "iv", no_context, 0, iv, sizeof iv);
    if (wres_is_ok(r))
        r = dir_set_key(d, aead, key, encrypt);
    ward_zeroize(key, sizeof key);
    if (!wres_is_ok(r)) {
        ward_zeroize(iv, sizeof iv);
        return r;
    }
    memcpy(d->iv, iv, sizeof iv);
    ward_zeroize(iv, sizeof iv);
    d->seq = 0;
    d->protected_ = 1;
    d->tls12 = 0;
    d->explicit_nonce = 0;
    return wres_ok();
}

/* RFC 5246 §6.2.3.3 / RFC 5288 §3: the GCM nonce is salt(4) ||
 * nonce_explicit(8). Keeping iv = salt || 8 zeros lets make_nonce build the
 * sending nonce with nonce_explicit = the sequence number. RFC 7905 §2:
 * ChaCha20-Poly1305 uses the 12-byte write IV XOR the padded sequence
 * number, exactly like TLS 1.3. */
wres rec_dir_install12(rec_dir *d, aead_alg aead, const uint8_t *key, const uint8_t *iv,
                       int encrypt)
{
    size_t ivlen, explicit_len;
    switch (aead) {
    case AEAD_AES_128_GCM:
    case AEAD_AES_256_GCM:
        ivlen = 4;
        explicit_len = REC_EXPLICIT_NONCE12;
        break;
    case AEAD_CHACHA20_POLY1305:
        ivlen = CRYPTO_AEAD_NONCE;
        explicit_len = 0;
        break;
    default:
        return wres_err(WARD_ERR_INTERNAL);
    }
    ENSURE(key && iv, WARD_ERR_INTERNAL);
    GUARD(dir_set_key(d, aead, key, encrypt));
    memset(d->iv, 0, sizeof d->iv);
    memcpy(d->iv, iv, ivlen);
    d->seq = 0;
    d->protected_ = 1;
    d->tls12 = 1;
    d->explicit_nonce = explicit_len;
    return wres_ok();
}

/* Drops the keys; wire_version is kept, it is not a secret. */
void rec_dir_clear(rec_dir *d)
{
    if (d->protected_)
        crypto_aead_free(&d->aead);
    memset(&d->aead, 0, sizeof d->aead);
    ward_zeroize(d->iv, sizeof d->iv);
    d->seq = 0;
    d->protected_ = 0;
    d->tls12 = 0;
    d->explicit_nonce = 0;
}

/* §5.3: the 64-bit sequence number, big-endian and left-padded to the IV
 * length, XORed with the IV. */
static void make_nonce(const rec_dir *d, uint8_t nonce[CRYPTO_AEAD_NONCE])
{
    memcpy(nonce, d->iv, CRYPTO_AEAD_NONCE);
    for (int i = 0; i < 8; i++)
        nonce[CRYPTO_AEAD_NONCE - 1 - i] ^= (uint8_t)(d->seq >> (8 * i));
}

static void put_header(uint8_t *out, uint8_t type, uint16_t version, size_t length)
{
    out[0] = type;
    out[1] = (uint8_t)(version >> 8);
    out[2] = (uint8_t)version;
    out[3] = (uint8_t)(length >> 8);
    out[4] = (uint8_t)length;
}

/* ---- framing (§5.1) ---- */

static int known_type(uint8_t type)
{
    return type >= CT_CHANGE_CIPHER_SPEC && type <= CT_APPLICATION_DATA;
}

typedef struct {
    uint8_t type;
    uint16_t version;
    uint16_t length;
} rec_header;

/* legacy_record_version is read and ignored (§5.1: "MUST be ignored for
 * all purposes"), except that TLS 1.2 authenticates it in the AAD;
 * SSLv2-style junk shows up as an unknown type. */
static WARD_MUST_CHECK wres read_header(const uint8_t *buf, size_t max_length, rec_header *h)
{
    rd r = rd_of(buf, REC_HEADER_LEN);
    GUARD(rd_u8(&r, &h->type));
    GUARD(rd_u16(&r, &h->version));
    GUARD(rd_u16(&r, &h->length));
    ENSURE(known_type(h->type), WARD_ERR_UNEXPECTED_MESSAGE);
    ENSURE(h->length <= max_length, WARD_ERR_RECORD_OVERFLOW);
    return wres_ok();
}

/* The largest record body a direction accepts: 2^14 + 256 in TLS 1.3
 * (§5.2), 2^14 + 2048 once TLS 1.2 protection is on (RFC 5246 §6.2.3). */
static size_t max_ciphertext(const rec_dir *d)
{
    return d && d->tls12 ? REC_MAX_CIPHERTEXT12 : REC_MAX_CIPHERTEXT;
}

static WARD_MUST_CHECK wres peek(size_t max_length, const uint8_t *buf, size_t len, size_t *total)
{
    rec_header h;
    *total = 0;
    if (len < REC_HEADER_LEN)
        return wres_ok();
    GUARD(read_header(buf, max_length, &h));
    if (len - REC_HEADER_LEN >= h.length)
        *total = REC_HEADER_LEN + (size_t)h.length;
    return wres_ok();
}

wres rec_peek(const uint8_t *buf, size_t len, size_t *total)
{
    return peek(REC_MAX_CIPHERTEXT, buf, len, total);
}

wres rec_dir_peek(const rec_dir *d, const uint8_t *buf, size_t len, size_t *total)
{
    return peek(max_ciphertext(d), buf, len, total);
}

/* ---- open ---- */

/* §5.4: handshake and alert records never carry an empty content. */
static WARD_MUST_CHECK wres check_content(uint8_t type, size_t len)
{
    if (len == 0 && (type == CT_HANDSHAKE || type == CT_ALERT))
        return wres_err(WARD_ERR_UNEXPECTED_MESSAGE);
    return wres_ok();
}

static WARD_MUST_CHECK wres open_plain(const rec_header *h, uint8_t *body, uint8_t *type,
                                       span *payload)
{
    /* Application data is always protected (§5.1). */
    ENSURE(h->type != CT_APPLICATION_DATA, WARD_ERR_UNEXPECTED_MESSAGE);
    ENSURE(h->length <= REC_MAX_PLAINTEXT, WARD_ERR_RECORD_OVERFLOW);
    GUARD(check_content(h->type, h->length));
    *type = h->type;
    *payload = span_of(body, h->length);
    return wres_ok();
}

/* Returns 0 when every byte is zero (no content type: unexpected_message). */
static int find_inner_type(const uint8_t *p, size_t n, size_t *pos)
{
    /* §5.4: the content type is the last non-zero byte; only zero padding
     * follows it. Scan back from the end, a word at a time over the
     * padding: the work is proportional to the padding, not to the record
     * (the padding length is what the sender chose to hide behind; §5.4's
     * implementation note accepts that it shows in timing). */
    size_t i = n;
    while (i >= 8) {
        uint64_t w;
        memcpy(&w, p + i - 8, 8);
        if (w)
            break;
        i -= 8;
    }
    while (i > 0 && p[i - 1] == 0)
        i--;
    if (i == 0)
        return 0;
    *pos = i - 1;
    return 1;
}

/* body: where the plaintext goes (rec + 5 to open in place). */
static WARD_MUST_CHECK wres open_protected(rec_dir *d, const uint8_t *rec, const rec_header *h,
                                           uint8_t *body, uint8_t *type, span *payload)
{
    uint8_t nonce[CRYPTO_AEAD_NONCE];

    /* Only CCS travels in the clear once keys are in (§5). */
    ENSURE(h->type == CT_APPLICATION_DATA, WARD_ERR_UNEXPECTED_MESSAGE);
    /* Too short to hold a tag and an inner type: it cannot authenticate. */
    ENSURE(h->length >= CRYPTO_AEAD_TAG + 1, WARD_ERR_BAD_RECORD_MAC);
    ENSURE(d->seq != SEQ_LIMIT, WARD_ERR_INTERNAL);

    /* The AAD is the record header as received (§5.2). */
    make_nonce(d, nonce);
    GUARD(crypto_aead_open(&d->aead, nonce, rec, REC_HEADER_LEN, rec + REC_HEADER_LEN, h->length,
                           body));
    d->seq++;

    /* §5.4: padding does not lift the size limit, "the full encoded
     * TLSInnerPlaintext MUST NOT exceed 2^14 + 1 octets"; RFC 8449 §4: in
     * TLS 1.3 an advertised record_size_limit bounds the same thing. Both
     * are record_overflow. Checked on the authenticated record, so a
     * forged one is still bad_record_mac. */
    size_t inner_len = (size_t)h->length - CRYPTO_AEAD_TAG, pos;
    size_t max_inner = d->max_inner ? d->max_inner : REC_MAX_PLAINTEXT + 1; /* 0: not set */
    ENSURE(inner_len <= max_inner, WARD_ERR_RECORD_OVERFLOW);
    ENSURE(find_inner_type(body, inner_len, &pos), WARD_ERR_UNEXPECTED_MESSAGE);
    ENSURE(pos <= REC_MAX_PLAINTEXT, WARD_ERR_RECORD_OVERFLOW);
    /* An encrypted change_cipher_spec (or any other type) is not a thing
     * TLS 1.3 sends: unexpected record type (§5). */
    uint8_t inner = body[pos];
    ENSURE(inner == CT_ALERT || inner == CT_HANDSHAKE || inner == CT_APPLICATION_DATA,
           WARD_ERR_UNEXPECTED_MESSAGE);
    GUARD(check_content(inner, pos));
    *type = inner;
    *payload = span_of(body, pos);
    return wres_ok();
}

/* RFC 5246 §6.2.3.3:
 *   additional_data = seq_num + TLSCompressed.type +
 *                     TLSCompressed.version + TLSCompressed.length;
 * the length being that of the plaintext. */
#define AAD12_LEN 13
static void make_aad12(uint64_t seq, uint8_t type, uint16_t version, size_t ptlen,
                       uint8_t aad[AAD12_LEN])
{
    for (int i = 0; i < 8; i++)
        aad[i] = (uint8_t)(seq >> (56 - 8 * i));
    put_header(aad + 8, type, version, ptlen);
}

static WARD_MUST_CHECK wres open_protected12(rec_dir *d, uint8_t *rec, const rec_header *h,
                                             uint8_t *type, span *payload)
{
    uint8_t nonce[CRYPTO_AEAD_NONCE];
    uint8_t aad[AAD12_LEN];
    uint8_t *body = rec + REC_HEADER_LEN;
    const size_t xn = d->explicit_nonce;

    /* CCS was let through before; alert, handshake and application data
     * are all protected. */
    ENSURE(h->type == CT_ALERT || h->type == CT_HANDSHAKE || h->type == CT_APPLICATION_DATA,
           WARD_ERR_UNEXPECTED_MESSAGE);
    ENSURE(h->length >= xn + CRYPTO_AEAD_TAG, WARD_ERR_BAD_RECORD_MAC);
    ENSURE(d->seq != SEQ_LIMIT, WARD_ERR_INTERNAL);

    /* GCM: salt || the explicit nonce the peer chose; ChaCha20: IV ^ seq. */
    if (xn) {
        memcpy(nonce, d->iv, CRYPTO_AEAD_NONCE - xn);
        memcpy(nonce + CRYPTO_AEAD_NONCE - xn, body, xn);
    } else {
        make_nonce(d, nonce);
    }
    size_t ptlen = (size_t)h->length - xn - CRYPTO_AEAD_TAG;
    /* The version in the AAD is the one in the header as received. */
    make_aad12(d->seq, h->type, h->version, ptlen, aad);
    uint8_t *ct = body + xn;
    GUARD(crypto_aead_open(&d->aead, nonce, aad, sizeof aad, ct, ptlen + CRYPTO_AEAD_TAG, ct));
    d->seq++;

    ENSURE(ptlen <= REC_MAX_PLAINTEXT, WARD_ERR_RECORD_OVERFLOW);
    GUARD(check_content(h->type, ptlen));
    *type = h->type;
    *payload = span_of(ct, ptlen);
    return wres_ok();
}

wres rec_open(rec_dir *d, uint8_t *rec, size_t total, uint8_t *type, span *payload)
{
    rec_header h;
    ENSURE(total >= REC_HEADER_LEN, WARD_ERR_INTERNAL);
    GUARD(read_header(rec, max_ciphertext(d), &h));
    ENSURE(total == REC_HEADER_LEN + (size_t)h.length, WARD_ERR_INTERNAL);

    /* change_cipher_spec is never protected; the caller judges it (§5). */
    if (h.type == CT_CHANGE_CIPHER_SPEC) {
        *type = h.type;
        *payload = span_of(rec + REC_HEADER_LEN, h.length);
        return wres_ok();
    }
    if (!d->protected_)
        return open_plain(&h, rec + REC_HEADER_LEN, type, payload);
    if (d->tls12)
        return open_protected12(d, rec, &h, type, payload);
    return open_protected(d, rec, &h, rec + REC_HEADER_LEN, type, payload);
}

wres rec_open_into(rec_dir *d, const uint8_t *rec, size_t total, uint8_t *out, size_t outcap,
                   uint8_t *type, span *payload)
{
    rec_header h;
    ENSURE(total >= REC_HEADER_LEN && d->protected_ && !d->tls12, WARD_ERR_INTERNAL);
    GUARD(read_header(rec, max_ciphertext(d), &h));
    ENSURE(total == REC_HEADER_LEN + (size_t)h.length && outcap >= h.length, WARD_ERR_INTERNAL);
    return open_protected(d, rec, &h, out, type, payload);
}

/* ---- seal ---- */

/* A CCS is written in the clear even on a protected direction (§5, D.4),
 * so for it this is an upper bound. */
size_t rec_sealed_len(const rec_dir *d, size_t ptlen, size_t pad)
{
    if (!d->protected_)
        return REC_HEADER_LEN + ptlen;
    if (d->tls12)
        return REC_HEADER_LEN + d->explicit_nonce + ptlen + CRYPTO_AEAD_TAG;
    return REC_HEADER_LEN + ptlen + 1 + pad + CRYPTO_AEAD_TAG;
}

/* pt may lie anywhere in out (memmove), e.g. already at out + 5. */
static WARD_MUST_CHECK wres seal_plain(uint16_t version, uint8_t type, const uint8_t *pt,
                                       size_t ptlen, uint8_t *out, size_t outcap, size_t *outlen)
{
    ENSURE(outcap >= REC_HEADER_LEN + ptlen, WARD_ERR_INTERNAL);
    if (ptlen) /* pt may be NULL when empty */
        memmove(out + REC_HEADER_LEN, pt, ptlen);
    put_header(out, type, version, ptlen);
    *outlen = REC_HEADER_LEN + ptlen;
    return wres_ok();
}

static WARD_MUST_CHECK wres seal_protected(rec_dir *d, uint8_t type, const uint8_t *pt,
                                           size_t ptlen, size_t pad, uint8_t *out, size_t outcap,
                                           size_t *outlen)
{
    uint8_t nonce[CRYPTO_AEAD_NONCE];
    /* §5.4: content, type and padding together stay within 2^14 + 1. */
    ENSURE(pad <= REC_MAX_PLAINTEXT - ptlen, WARD_ERR_INTERNAL);
    size_t inner_len = ptlen + 1 + pad;
    size_t ct_len = inner_len + CRYPTO_AEAD_TAG;
    ENSURE(outcap >= REC_HEADER_LEN + ct_len, WARD_ERR_INTERNAL);
    ENSURE(d->seq != SEQ_LIMIT, WARD_ERR_INTERNAL);

    /* TLSInnerPlaintext: content || type || zeros (§5.2). The content is
     * encrypted from where it is; type and zeros are written after it. */
    uint8_t *body = out + REC_HEADER_LEN;
    uintptr_t p0 = (uintptr_t)pt, o0 = (uintptr_t)out;
    int apart = !ptlen || p0 + ptlen <= o0 || p0 >= o0 + REC_HEADER_LEN + ct_len;
    if (ptlen && !apart)
        memmove(body, pt, ptlen);
    body[ptlen] = type;
    memset(body + ptlen + 1, 0, pad);
    put_header(out, CT_APPLICATION_DATA, LEGACY_VERSION, ct_len);

    make_nonce(d, nonce);
    GUARD(crypto_aead_seal_parts(&d->aead, nonce, out, REC_HEADER_LEN, apart ? pt : body, ptlen,
                                 body + ptlen, 1 + pad, body));
    d->seq++;
    *outlen = REC_HEADER_LEN + ct_len;
    return wres_ok();
}

/* RFC 5246 §6.2.3.3: header || nonce_explicit || AEAD output. The
 * explicit nonce is the sequence number (RFC 5288 §3 allows that and it
 * never repeats under one key). */
static WARD_MUST_CHECK wres seal_protected12(rec_dir *d, uint8_t type, const uint8_t *pt,
                                             size_t ptlen, uint8_t *out, size_t outcap,
                                             size_t *outlen)
{
    uint8_t nonce[CRYPTO_AEAD_NONCE];
    uint8_t aad[AAD12_LEN];
    const size_t xn = d->explicit_nonce;
    size_t body_len = xn + ptlen + CRYPTO_AEAD_TAG;
    ENSURE(outcap >= REC_HEADER_LEN + body_len, WARD_ERR_INTERNAL);
    ENSURE(d->seq != SEQ_LIMIT, WARD_ERR_INTERNAL);

    /* Move the plaintext first: it may sit where header and nonce go. */
    uint8_t *ct = out + REC_HEADER_LEN + xn;
    if (ptlen) /* pt may be NULL when empty */
        memmove(ct, pt, ptlen);
    put_header(out, type, LEGACY_VERSION, body_len);
    make_nonce(d, nonce); /* GCM: salt || seq; ChaCha20: IV ^ seq */
    memcpy(out + REC_HEADER_LEN, nonce + CRYPTO_AEAD_NONCE - xn, xn);
    make_aad12(d->seq, type, LEGACY_VERSION, ptlen, aad);
    GUARD(crypto_aead_seal(&d->aead, nonce, aad, sizeof aad, ct, ptlen, ct));
    d->seq++;
    *outlen = REC_HEADER_LEN + body_len;
    return wres_ok();
}

wres rec_seal(rec_dir *d, uint8_t type, const uint8_t *pt, size_t ptlen, size_t pad,
              uint8_t *out, size_t outcap, size_t *outlen)
{
    *outlen = 0;
    ENSURE(known_type(type), WARD_ERR_INTERNAL);
    ENSURE(ptlen <= REC_MAX_PLAINTEXT, WARD_ERR_INTERNAL);
    ENSURE(wres_is_ok(check_content(type, ptlen)), WARD_ERR_INTERNAL);

    if (type == CT_CHANGE_CIPHER_SPEC && d->protected_)
        return seal_plain(LEGACY_VERSION, type, pt, ptlen, out, outcap, outlen);
    if (!d->protected_) {
        ENSURE(type != CT_APPLICATION_DATA, WARD_ERR_INTERNAL);
        return seal_plain(d->wire_version, type, pt, ptlen, out, outcap, outlen);
    }
    if (d->tls12)
        return seal_protected12(d, type, pt, ptlen, out, outcap, outlen);
    return seal_protected(d, type, pt, ptlen, pad, out, outcap, outlen);
}
