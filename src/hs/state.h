/* The handshake's state (hs_ctx, embedded in ward_conn as c->hs) and the
 * narrow interface through which it reaches the connection (hs_out): the
 * handshake never sees the record layer, the byte queues or the key log. */
#ifndef WARD_HS_STATE_H
#define WARD_HS_STATE_H

#include <stddef.h>
#include <stdint.h>

#include "base/byteq.h"
#include "base/errbox.h"
#include "base/result.h"
#include "crypto/crypto.h"
#include "hs/config.h"
#include "hs/keysched.h"
#include "hs/resume.h"
#include "ward/trace.h"
#include "ward/ward.h"

/* A resumable session (client side; public as ward_session). */
struct ward_session {
    resume_state st;
    uint64_t received_ms;        /* wall clock, for the ticket age (§4.2.11.1) */
    uint8_t session_id[32];      /* TLS 1.2 session ID (0: none) */
    size_t session_id_len;
    uint8_t ticket[RESUME_MAX_TICKET]; /* TLS 1.3 or RFC 5077 ticket (0: none) */
    size_t ticket_len;
};

/* Handshake states: the message awaited, as hs/table.c's driver sets it
 * from the connection's kind and its place in the kind's sequence. */
typedef enum {
    ST_CLIENT_START = 0,
    ST_CLIENT_WAIT_SH,
    ST_CLIENT_WAIT_EE,
    ST_CLIENT_WAIT_CERT,
    ST_CLIENT_WAIT_CV,
    ST_CLIENT_WAIT_FINISHED,
    ST_SERVER_WAIT_CH,
    ST_SERVER_WAIT_CH2,
    ST_SERVER_WAIT_FINISHED,
    ST_SERVER_WAIT_EOED,      /* 0-RTT accepted: early data, then EndOfEarlyData */
    /* TLS 1.2 (RFC 5246 §7.3) */
    ST_CLIENT12_WAIT_CERT,
    ST_CLIENT12_WAIT_SKE,
    ST_CLIENT12_WAIT_SHD,
    ST_CLIENT12_WAIT_CCS,
    ST_CLIENT12_WAIT_FINISHED,
    ST_SERVER12_WAIT_CKE,
    ST_SERVER12_WAIT_CCS,
    ST_SERVER12_WAIT_FINISHED,
    /* client certificates (hs/client_auth.c) */
    ST_SERVER_WAIT_CERT,      /* TLS 1.3: client Certificate */
    ST_SERVER_WAIT_CV,        /* TLS 1.3: client CertificateVerify */
    ST_SERVER12_WAIT_CERT,    /* TLS 1.2: client Certificate before ClientKeyExchange */
    ST_SERVER12_WAIT_CV,      /* TLS 1.2: CertificateVerify after ClientKeyExchange */
    ST_CONNECTED,
    ST_FAILED
} hs_state;

/* The handshake's kind (hs/table.c): what the handlers learn, as flags;
 * each kind has its message sequence. */
enum {
    HK_TLS12 = 1u << 0,       /* TLS 1.2 was chosen */
    HK_HRR = 1u << 1,         /* a HelloRetryRequest (§4.1.4) */
    HK_RESUMED = 1u << 2,     /* a PSK (1.3) / an abbreviated handshake (1.2) */
    HK_CLIENT_AUTH = 1u << 3, /* the server asked for a client certificate */
    HK_CLIENT_CERT = 1u << 4, /* the client's Certificate was not empty */
    HK_OCSP_STATUS = 1u << 5, /* 1.2 ServerHello acknowledged status_request */
    HK_RSA_KX = 1u << 6,      /* 1.2 RSA key transport: no ServerKeyExchange */
    HK_EARLY_DATA = 1u << 7,  /* 0-RTT accepted: EndOfEarlyData comes */
    HK_PHA = 1u << 8          /* server: a post-handshake CertificateRequest is open */
};

/* What the handshake asks of the connection (conn/conn.c implements it). */
/* emit()'s type for the compatibility change_cipher_spec record (RFC 8446
 * D.4): unprotected whatever the write keys, no key-limit check. */
#define HS_EMIT_COMPAT_CCS 0
typedef struct hs_keys {
    int write;               /* our direction, else the peer's */
    aead_alg aead;
    hash_alg hash;
    const uint8_t *secret;   /* TLS 1.3: keys and IV derived from the secret */
    const uint8_t *key, *iv; /* TLS 1.2 (secret NULL); all NULL: no protection */
    int protection;          /* WARD_PROT_*: which keys, for the trace */
} hs_keys;
typedef enum {
    HS_TUNE_WIRE_VERSION,    /* legacy_record_version of what we send next */
    HS_TUNE_SEND_LIMIT,      /* largest plaintext we send (record_size_limit) */
    HS_TUNE_READ_LIMIT       /* largest TLSInnerPlaintext the peer may send */
} hs_tune;
typedef enum {
    HS_EV_SECRET,            /* a derived secret under its NSS key-log label */
    HS_EV_CLIENT_TRAFFIC_UPDATE, /* KeyUpdate: the new client/server */
    HS_EV_SERVER_TRAFFIC_UPDATE, /* application traffic secret (hlen bytes) */
    HS_EV_APP_READ,          /* the read keys now protect application data */
    HS_EV_VERIFIED           /* the peer's chain was verified (the trace) */
} hs_event_kind;
typedef struct hs_out_ops {
    /* Seal (with the current write keys, after the key-limit check) and
     * queue data of one content type. */
    WARD_MUST_CHECK wres (*emit)(void *ctx, uint8_t type, const uint8_t *data, size_t len);
    WARD_MUST_CHECK wres (*set_keys)(void *ctx, const hs_keys *k);
    void (*tune)(void *ctx, hs_tune what, size_t value);
    void (*event)(void *ctx, hs_event_kind kind, const char *label, const uint8_t *data,
                  size_t len);
} hs_out_ops;
typedef struct hs_out {
    const hs_out_ops *ops;
    void *ctx;
} hs_out;

/* The handshake's state. The parts only one role or one version uses are
 * grouped in anonymous members, so that a field's name does not change. */
typedef struct hs_ctx {
    const ward_config *cfg;
    int is_server;
    hs_state state;          /* set by hs/table.c's driver only */
    unsigned hs_kind;        /* HK_* */
    size_t hs_pos, hs_post_pos; /* places in the sequences (hs/table.c) */
    errbox *err;             /* the connection's: hs_fail writes it */
    ward_conn *conn;         /* the connection, opaque: handed to callbacks */
    int refuse_alert;        /* > 0: the alert a callback refused with */
    hs_out out;

    hash_alg hash;
    size_t hlen;
    aead_alg aead;
    uint16_t version, suite, group, sigscheme;
    crypto_hash transcript;
    int transcript_on;
    uint8_t random[32];      /* our Hello random */
    uint8_t peer_random[32]; /* the peer's Hello random (TLS 1.2 needs both) */
    uint8_t session_id[32];
    size_t session_id_len;
    uint8_t cookie[1024];
    size_t cookie_len;
    uint16_t hrr_group;      /* group asked for in a HelloRetryRequest */
    int did_hrr;
    int ccs_sent;
    int peer_finished;       /* the peer's Finished arrived */
    int close_sent;          /* the connection sent close_notify: nothing more goes out */
    /* We sent a KeyUpdate(update_not_requested) and no application data
     * since: the peer's update requests are answered already (§4.6.3). */
    int ku_answered;
    unsigned key_updates_received;

    char server_name[WARD_MAX_NAME + 1];
    /* Client: the name the certificate is checked against when not the
     * SNI name (ward_conn_set_verify_name); "" : server_name. */
    char verify_name[WARD_MAX_NAME + 1];
    char alpn[256];
    crypto_chain peer_chain;
    crypto_key peer_key;
    int peer_authenticated;  /* the peer proved its verified certificate's key */
    uint8_t cert_request_ctx[255];
    size_t cert_request_ctx_len;
    /* TLS 1.2 CertificateVerify signs the handshake messages themselves
     * (RFC 5246 §7.4.8), which the running hash cannot give back: kept
     * only while a client certificate may be signed or checked. */
    uint8_t *hs_msgs;
    size_t hs_msgs_len, hs_msgs_cap;
    int hs_msgs_on;
    /* TLS 1.3 post-handshake authentication (§4.6.2), both roles */
    crypto_hash pha_base;    /* the transcript through the client's Finished */
    int pha_base_on;
    crypto_hash pha_hash;    /* base + this exchange's messages */
    int pha_hash_on;

    int resumed;             /* the handshake used a PSK / resumed a 1.2 session */
    int early_status;        /* WARD_EARLY_* */

    struct { /* TLS 1.3 only */
        keysched ks;
        uint8_t c_hs[CRYPTO_MAX_HASH], s_hs[CRYPTO_MAX_HASH];
        uint8_t c_ap[CRYPTO_MAX_HASH], s_ap[CRYPTO_MAX_HASH];
        uint8_t finished_hash[CRYPTO_MAX_HASH]; /* transcript through server Finished */
        uint8_t psk[RESUME_MAX_SECRET]; /* the PSK in use */
        size_t psk_len;
        uint8_t c_early[CRYPTO_MAX_HASH]; /* client_early_traffic_secret */
        uint8_t res_master[CRYPTO_MAX_HASH]; /* resumption_master_secret */
        int have_res_master;
        /* exporter_master_secret (§7.5), kept for
         * ward_conn_export_keying_material; wiped with the connection. */
        uint8_t exp_master[CRYPTO_MAX_HASH];
        int has_exp_master;
    };
    struct { /* TLS 1.2 only */
        uint8_t master[48];
        uint8_t key_block[2 * 32 + 2 * 12]; /* client key, server key, client IV, server IV */
        int ems;             /* Extended Master Secret in use */
        int ticket12_expected; /* ServerHello announced a NewSessionTicket */
    };

    union { /* one role's part: a server carries no client fields, nor the reverse */
        struct { /* client */
            crypto_kex kex[WARD_MAX_KEY_SHARES];    /* our key shares, until ServerHello */
            uint8_t *kex_pub[WARD_MAX_KEY_SHARES];  /* heap: a hybrid share is 1.2 KB */
            size_t kex_pub_len[WARD_MAX_KEY_SHARES];
            size_t n_kex;
            uint8_t *client_hello;   /* the first ClientHello, until the suite is known */
            size_t client_hello_len;
            int cert_requested;      /* a CertificateRequest arrived */
            int client_cert_sent;    /* our Certificate was not empty (a CertificateVerify follows) */
            uint16_t client_scheme;  /* the scheme to sign with, 0 = send an empty Certificate */
            int ocsp_acked;          /* the TLS 1.2 ServerHello had status_request */
            int ocsp_status;         /* WARD_OCSP_STATUS_* */
            ward_session *offer;     /* the session offered (a copy) */
            uint8_t *early_out;      /* 0-RTT bytes to send (a copy) */
            size_t early_out_len;
            ward_session *latest;    /* newest session received */
            struct { /* TLS 1.2 only */
                uint8_t peer_kex_pub[WARD_MAX_ECDH_PUB]; /* server's ECDHE share */
                size_t peer_kex_pub_len;
                int ticket12_offered;    /* session_ticket was in our hello (RFC 5077) */
                uint8_t *ticket12;       /* heap, until the session is handed out */
                size_t ticket12_len;
                uint32_t ticket12_lifetime;
            };
        };
        struct { /* server */
            const ward_identity *id; /* the identity chosen; NULL: the default */
            ward_identity *cb_id;    /* chosen by the ClientHello callback (a reference) */
            const ward_client_hello *cb_hello; /* set while that callback runs */
            int client_cert_pending; /* a client certificate awaits its CertificateVerify */
            int pha_offered;         /* the client sent post_handshake_auth */
            crypto_key pha_key;      /* the client's key until its CertificateVerify */
            uint16_t psk_identity;   /* the index accepted */
            uint32_t early_limit;    /* max_early_data_size of the accepted ticket */
            size_t early_received;
            int early_skipping;      /* skipping refused 0-RTT records (hs/psk.c) */
            size_t early_skip_left;  /* refused 0-RTT plaintext we may still skip */
            byteq early;             /* early data received (replayable) */
            unsigned tickets_sent;
            struct { /* TLS 1.2 only */
                uint16_t client_version; /* ClientHello.legacy_version (RSA kx check) */
                crypto_kex kex12;        /* our ECDHE key until ClientKeyExchange */
            };
        };
    };
} hs_ctx;

/* ---- the handshake's side of hs_out (src/hs/out.c) ---- */
/* Record a failure (first one wins) with a message for a person; returns
 * the code as a wres so a handler can `return hs_fail(...)`. */
wres hs_fail(hs_ctx *c, ward_err code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
WARD_MUST_CHECK wres hs_emit(hs_ctx *c, uint8_t type, const uint8_t *data, size_t len);
/* A handshake message: into the transcript, then sealed into records. */
WARD_MUST_CHECK wres hs_send_msg(hs_ctx *c, const uint8_t *msg, size_t len);
/* The compatibility change_cipher_spec record (RFC 8446 D.4), once. */
WARD_MUST_CHECK wres hs_send_ccs(hs_ctx *c);
/* Report a derived secret (c->hlen bytes, or len) to the test hook and the
 * key log, under its NSS key-log label. The one path for every secret. */
void hs_report_secret(hs_ctx *c, const char *label, const uint8_t *secret);
void hs_report_secret_len(hs_ctx *c, const char *label, const uint8_t *secret, size_t len);
void hs_event(hs_ctx *c, hs_event_kind kind, const uint8_t *data, size_t len);
/* ward's verdict r on the peer's chain put to the application's verify
 * callback, if any (hs/verify_cb.c): the result is the decision, to
 * report with hs_report_verdict. */
WARD_MUST_CHECK wres hs_verify_decide(hs_ctx *c, wres r);
/* The verdict on the peer's chain, r its result (the trace's VERIFY). */
void hs_report_verdict(hs_ctx *c, wres r);
void hs_tune_record(hs_ctx *c, hs_tune what, size_t value);
/* Wall-clock seconds (or the test hook's). */
time_t hs_now(const hs_ctx *c);

/* ---- entry points for the connection (src/hs) ---- */
/* A fresh state for a role; the caller then sets out, err and the rest. */
void hs_init(hs_ctx *c, const ward_config *cfg, errbox *err, hs_out out);
/* Everything the handshake still holds, by role. */
void hs_free(hs_ctx *c);
/* What only the handshake needed, once it is over. */
void hs_handshake_done(hs_ctx *c);
WARD_MUST_CHECK wres hs_client_start(hs_ctx *c);
/* hs/table.c: the first state (hs_init), the client's first flight
 * (hs_client_start) with the state after it, and the failed state. */
void hs_table_init(hs_ctx *c);
WARD_MUST_CHECK wres hs_begin(hs_ctx *c);
void hs_table_fail(hs_ctx *c);
/* Free the client's key shares (after ServerHello, or with the connection). */
void hs_client_drop_key_shares(hs_ctx *c);
/* One complete handshake message from the peer. */
WARD_MUST_CHECK wres hs_handle(hs_ctx *c, uint8_t type, span body, span full);
/* A change_cipher_spec record in TLS 1.2 (hs/table.c). */
WARD_MUST_CHECK wres hs12_on_ccs(hs_ctx *c, span payload);
/* Sending a KeyUpdate and the post-handshake messages. */
WARD_MUST_CHECK wres hs_send_key_update(hs_ctx *c, int request_peer);
/* Server: ask for a client certificate after the handshake (§4.6.2). */
ward_err hs_request_client_cert(hs_ctx *c);

#endif
