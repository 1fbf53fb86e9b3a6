/* TLS 1.3 record layer (RFC 8446 §5), and TLS 1.2 record protection with
 * AEAD suites (RFC 5246 §6.2.3.3, RFC 5288, RFC 7905): framing, protection,
 * limits, and reassembly of handshake messages. Knows nothing of message
 * semantics. */
#ifndef WARD_RECORD_H
#define WARD_RECORD_H

#include <stddef.h>
#include <stdint.h>

#include "base/bytes.h"
#include "base/result.h"
#include "crypto/crypto.h"

enum {
    CT_CHANGE_CIPHER_SPEC = 20,
    CT_ALERT = 21,
    CT_HANDSHAKE = 22,
    CT_APPLICATION_DATA = 23
};

/* AlertLevel (RFC 8446 §6); the descriptions are WARD_ALERT_* (ward.h). */
enum { ALERT_WARNING = 1, ALERT_FATAL = 2 };

#define REC_HEADER_LEN 5
#define REC_MAX_PLAINTEXT 16384                /* 2^14 */
#define REC_MAX_CIPHERTEXT (16384 + 256)       /* 2^14 + 256 */
#define REC_MAX_RECORD (REC_HEADER_LEN + REC_MAX_CIPHERTEXT)
/* TLS 1.2 allows TLSCiphertext fragments up to 2^14 + 2048 (RFC 5246
 * §6.2.3): input buffers of a connection that may speak TLS 1.2 need
 * REC_MAX_RECORD12 bytes. */
#define REC_MAX_CIPHERTEXT12 (16384 + 2048)
#define REC_MAX_RECORD12 (REC_HEADER_LEN + REC_MAX_CIPHERTEXT12)
#define REC_EXPLICIT_NONCE12 8 /* AES-GCM record_iv_length (RFC 5288 §3) */

/* One direction of protection. Unprotected until rec_dir_install or
 * rec_dir_install12. */
typedef struct {
    crypto_aead aead;
    uint8_t iv[CRYPTO_AEAD_NONCE]; /* TLS 1.2 AES-GCM: salt(4) || 8 zeros */
    uint64_t seq;
    int protected_;
    uint16_t wire_version;   /* legacy_record_version written (0x0303; 0x0301 for a first ClientHello) */
    int tls12;               /* 1 once rec_dir_install12 was used (until rec_dir_clear/install) */
    size_t explicit_nonce;   /* TLS 1.2: bytes of explicit nonce per record (8 for GCM, 0 for ChaCha20) */
    /* Reading direction: the largest TLSInnerPlaintext (content, type and
     * padding) accepted, 2^14 + 1 unless a smaller record_size_limit was
     * advertised (RFC 8449 §4); 0 is 2^14 + 1. Kept across installs, like
     * wire_version. */
    size_t max_inner;
} rec_dir;

/* RFC 8446 §5.5: an AES-GCM key protects at most 2^24.5 full-size records
 * (floor(2^24 * sqrt(2))); ChaCha20-Poly1305's limit is past what a
 * sequence number counts. */
#define REC_GCM_MAX_RECORDS 23726566u

void rec_dir_init(rec_dir *d);
/* Derive key and IV from a traffic secret (§7.3) and reset the sequence
 * number. encrypt: 1 for the sending direction. */
WARD_MUST_CHECK wres rec_dir_install(rec_dir *d, aead_alg aead, hash_alg hash,
                                     const uint8_t *secret, int encrypt);
/* Switch a direction to TLS 1.2 protection (RFC 5246 §6.2.3.3 with RFC
 * 5288 AES-GCM: 4-byte implicit salt + 8-byte explicit nonce carried in the
 * record, which ward sets to the sequence number; RFC 7905
 * ChaCha20-Poly1305: 12-byte IV XOR sequence number, no explicit nonce).
 * key is aead_key_len(aead) bytes; iv is 4 bytes for GCM, 12 for ChaCha20
 * (the client/server_write_IV of the key block). Resets the sequence
 * number. encrypt: 1 for the sending direction. */
WARD_MUST_CHECK wres rec_dir_install12(rec_dir *d, aead_alg aead, const uint8_t *key,
                                       const uint8_t *iv, int encrypt);
/* Wipe keys (and leave TLS 1.2 mode). */
void rec_dir_clear(rec_dir *d);
/* The records d may protect or open under one key (RFC 8446 §5.5):
 * REC_GCM_MAX_RECORDS for AES-GCM, UINT64_MAX otherwise (unprotected or
 * ChaCha20-Poly1305: only sequence number exhaustion stops it). */
uint64_t rec_dir_key_limit(const rec_dir *d);
/* Reading direction: accept TLSInnerPlaintext up to max_inner bytes (RFC
 * 8449 §4: the record_size_limit this side advertised; at most 2^14 + 1). */
void rec_dir_set_max_inner(rec_dir *d, size_t max_inner);

/* Look at buffered input. *total = 0: the header or body is not complete
 * yet. Otherwise *total = header + length of the first record. A length
 * over 2^14+256 is WARD_ERR_RECORD_OVERFLOW at once (no need to buffer it);
 * an unknown content type is WARD_ERR_UNEXPECTED_MESSAGE. */
WARD_MUST_CHECK wres rec_peek(const uint8_t *buf, size_t len, size_t *total);
/* rec_peek for the reading direction d: the same, but once d uses TLS 1.2
 * protection the length limit is 2^14 + 2048 (RFC 5246 §6.2.3). */
WARD_MUST_CHECK wres rec_dir_peek(const rec_dir *d, const uint8_t *buf, size_t len,
                                  size_t *total);

/* Open one complete record in place (rec points at its header).
 *  - change_cipher_spec records are returned as they are, never decrypted
 *    (the caller decides whether one is allowed, §5);
 *  - unprotected direction: other records must have length <= 2^14
 *    (else WARD_ERR_RECORD_OVERFLOW) and are returned as they are;
 *    application_data is WARD_ERR_UNEXPECTED_MESSAGE;
 *  - protected direction: the outer type must be application_data (else
 *    WARD_ERR_UNEXPECTED_MESSAGE); decrypt (WARD_ERR_BAD_RECORD_MAC),
 *    strip the zero padding, take the inner type (all zeros:
 *    WARD_ERR_UNEXPECTED_MESSAGE); TLSInnerPlaintext (padding included)
 *    over max_inner (2^14 + 1, §5.4; or the advertised record_size_limit,
 *    RFC 8449 §4), or content over 2^14: WARD_ERR_RECORD_OVERFLOW.
 *    Sequence number advances.
 * A zero-length payload of handshake or alert type is
 * WARD_ERR_UNEXPECTED_MESSAGE (§5.1, §5.4).
 * TLS 1.2 protected direction (rec_dir_install12): records up to 2^14 +
 * 2048 (else WARD_ERR_RECORD_OVERFLOW); alert, handshake and
 * application_data records are decrypted with AAD = seq_num || type ||
 * version (as received) || plaintext length (RFC 5246 §6.2.3.3); too short
 * for explicit nonce and tag, or failing authentication:
 * WARD_ERR_BAD_RECORD_MAC; plaintext over 2^14: WARD_ERR_RECORD_OVERFLOW.
 * There is no inner type or padding. */
WARD_MUST_CHECK wres rec_open(rec_dir *d, uint8_t *rec, size_t total, uint8_t *type,
                              span *payload);

/* The same for a TLS 1.3 protected direction, leaving rec as it is: the
 * plaintext goes to out (outcap >= the record's length). A change of
 * cipher spec is not expected here (WARD_ERR_UNEXPECTED_MESSAGE). */
WARD_MUST_CHECK wres rec_open_into(rec_dir *d, const uint8_t *rec, size_t total, uint8_t *out,
                                   size_t outcap, uint8_t *type, span *payload);

/* Bytes a sealed record of ptlen plaintext and pad zero bytes takes (TLS
 * 1.2: pad is ignored). */
size_t rec_sealed_len(const rec_dir *d, size_t ptlen, size_t pad);
/* Seal one record of at most 2^14 plaintext bytes into out. A protected
 * direction writes outer type application_data, inner type, pad zeros.
 * A TLS 1.2 protected direction writes the real type as the outer type,
 * version 0x0303, then explicit nonce (GCM: the sequence number) ||
 * ciphertext || tag; pad is ignored. Sequence number exhaustion:
 * WARD_ERR_INTERNAL. */
WARD_MUST_CHECK wres rec_seal(rec_dir *d, uint8_t type, const uint8_t *pt, size_t ptlen,
                              size_t pad, uint8_t *out, size_t outcap, size_t *outlen);

/* ---- handshake message reassembly ---- */
typedef struct {
    uint8_t *buf;
    size_t len;
    size_t cap;
    size_t max_message;   /* largest handshake body accepted */
    int has_big;          /* one message type may be larger: */
    uint8_t big_type;
    size_t big_max;       /* its largest body */
    size_t taken;         /* bytes of the message last returned, to drop */
} hs_reasm;

void hs_reasm_init(hs_reasm *r, size_t max_message);
/* Let messages of one type have bodies up to max (when over max_message);
 * max 0 takes the allowance back. */
void hs_reasm_allow(hs_reasm *r, uint8_t type, size_t max);
void hs_reasm_free(hs_reasm *r);
/* Append a handshake record's payload. A message whose declared length is
 * over max_message (or its type's allowance): WARD_ERR_DECODE (checked as soon as its header is in).
 * Allocation failure: WARD_ERR_NOMEM. */
WARD_MUST_CHECK wres hs_reasm_add(hs_reasm *r, const uint8_t *p, size_t n);
/* The next complete message, if any: *have = 1, type, body (without the
 * header) and full (with the header, for the transcript). The views stay
 * valid until hs_reasm_consume or hs_reasm_add. */
WARD_MUST_CHECK wres hs_reasm_next(hs_reasm *r, int *have, uint8_t *type, span *body,
                                   span *full);
/* Drop the message last returned by hs_reasm_next. */
void hs_reasm_consume(hs_reasm *r);
/* 1 if no partial message is buffered (a key change must happen on a
 * record boundary: §5.1). */
int hs_reasm_empty(const hs_reasm *r);

#endif
