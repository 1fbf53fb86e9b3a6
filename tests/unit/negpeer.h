/* Crafted peers for the negative tests (test_neg_*.c): capture traffic
 * secrets, build and protect records, take a real ward peer's flight apart
 * and put a mutated one together, and check the exact alert a failed
 * connection sent (decrypting it where it is protected). */
#ifndef WARD_TEST_NEGPEER_H
#define WARD_TEST_NEGPEER_H

#include <stddef.h>
#include <stdint.h>

#include "conn/internal.h"
#include "msg/msg.h"
#include "record/record.h"
#include "ward/ward.h"

/* ---- secrets via the test hook ---- */
typedef struct {
    struct {
        char label[40];
        uint8_t secret[48];
        size_t len;
    } s[16];
    size_t n;
    ward_test_hooks hooks;
} neg_capture;
/* Sets cap->hooks.on_secret; give &cap->hooks to ward_config_set_test_hooks. */
void neg_capture_init(neg_capture *cap);
/* The last secret reported with this label, or NULL. */
const uint8_t *neg_secret(const neg_capture *cap, const char *label);

/* A server (ephemeral P-256 cert) and a client (verification off), each
 * reporting secrets to cap (may be NULL); versions min..max. */
ward_config *neg_server_config(neg_capture *cap, uint16_t min, uint16_t max);
ward_config *neg_client_config(neg_capture *cap, uint16_t min, uint16_t max);

/* A TLS 1.3 ClientHello as a plain client sends it: a fixed random and
 * 32-byte session ID, the three TLS 1.3 suites, x25519 and P-256, one
 * x25519 share (pub, kept in *share), SNI "localhost", signature schemes
 * 0x0403 0x0804 0x0807, psk_dhe_ke. Tests change fields from there. */
void neg_ch13_defaults(msg_client_hello_params *p, msg_key_share *share, const uint8_t *pub,
                       size_t pub_len);

/* ---- bytes ---- */
typedef struct {
    /* room for the largest ClientHello (128 KiB, msg.h) in records */
    uint8_t b[2 * 65536 + 4096];
    size_t len;
} neg_buf;
void neg_put(neg_buf *o, const void *p, size_t n);
/* A plaintext record of type (version 0x0303) around p. */
void neg_record(neg_buf *o, uint8_t type, const uint8_t *p, size_t n);
/* p in plaintext records of type of at most 2^14 bytes each. */
void neg_records(neg_buf *o, uint8_t type, const uint8_t *p, size_t n);
/* A handshake message: type, u24 length, body. */
void neg_hs(neg_buf *o, uint8_t type, const uint8_t *body, size_t n);
/* A TLS 1.3 protected record (inner type, pad zeros) with d (encrypting). */
void neg_seal(neg_buf *o, rec_dir *d, uint8_t type, const uint8_t *p, size_t n, size_t pad);
/* A TLS 1.3 protected record sealed by hand, without rec_seal's limits:
 * inner = content || inner_type || pad zeros (inner_type < 0: none, the
 * content is all there is), under the key and IV derived from secret, at
 * sequence number seq. */
void neg_seal_raw(neg_buf *o, uint16_t suite, const uint8_t *secret, uint64_t seq,
                  const uint8_t *content, size_t n, int inner_type, size_t pad);
/* Install a TLS 1.3 direction for the suite from a secret. */
int neg_dir(rec_dir *d, uint16_t suite, const uint8_t *secret, int encrypt);

/* Move all of a's output to b; returns b's result. */
ward_err neg_move(ward_conn *a, ward_conn *b);
/* Take all of c's output into o (and mark it sent). */
void neg_take(ward_conn *c, neg_buf *o);
/* A new ward client ("localhost") and server; the client's hello goes to
 * the server and the server's answer into o. 0 if the server refused. */
int neg_first_flight(ward_conn **c, ward_conn **s, ward_config *client, ward_config *server,
                     neg_buf *o);

/* ---- a flight taken apart ---- */
#define NEG_MAX_MSGS 12
typedef struct {
    uint8_t type;
    uint8_t body[4096];
    size_t len;
} neg_msg;
typedef struct {
    neg_msg m[NEG_MAX_MSGS];
    size_t n;
} neg_msgs;
/* Handshake messages in records [from, to) of out (plaintext ones as they
 * are; protected TLS 1.3 ones opened with secret, skipped if NULL). */
int neg_split(const uint8_t *out, size_t len, uint16_t suite, const uint8_t *secret,
              neg_msgs *msgs);
/* The messages, concatenated, as handshake bytes. */
void neg_join(const neg_msgs *msgs, neg_buf *o);

/* A ward TLS 1.2 server's first flight (ServerHello, Certificate,
 * ServerKeyExchange, ServerHelloDone) to a ward client, split for a test
 * to change before the client sees it. */
typedef struct {
    ward_conn *c, *s;
    neg_msgs m;
} neg_flight12;
/* 1 when the server answered the client's hello with those four messages. */
int neg_flight12_start(neg_flight12 *f, ward_config *client, ward_config *server);
/* The (changed) messages as one handshake record, to the client. */
ward_err neg_flight12_send(neg_flight12 *f);
void neg_flight12_end(neg_flight12 *f);
/* The first record of out of this type: its bytes (header included). */
int neg_first_record(const uint8_t *out, size_t len, uint8_t type, neg_buf *rec);
/* Insert raw extension bytes at the end of the extension block of a
 * ClientHello (1) or ServerHello (2) body and fix its length. */
int neg_hello_add_ext(neg_msg *m, const uint8_t *ext, size_t n);

/* ---- verdicts ---- */
/* The last alert record c wrote: *level and *desc; decrypted with c's own
 * write keys (from cap's secrets) when it is protected. Returns 1 when
 * found; *desc = -2 when it is TLS 1.2-protected (not decrypted). */
int neg_last_alert(ward_conn *c, const neg_capture *cap, int *level, int *desc);
/* A case ended as it must: recv gave want, the last record is the fatal
 * alert want maps to (none for WARD_ERR_PEER_ALERT), the connection is
 * dead (state FAILED, writes refused, more input refused). Prints the case
 * name on failure; returns 1 when all held. */
int neg_expect(const char *name, ward_conn *c, const neg_capture *cap, ward_err got,
               ward_err want);
extern int neg_cases, neg_failed;

#endif
