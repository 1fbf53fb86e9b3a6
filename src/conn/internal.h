/* The engine's internal state, shared by src/conn (records, alerts,
 * application data, the public API) and src/hs (the handshake state
 * machines). Nothing here is public. */
#ifndef WARD_CONN_INTERNAL_H
#define WARD_CONN_INTERNAL_H

#include <pthread.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "base/bytes.h"
#include "base/result.h"
#include "conn/test_hooks.h"
#include "crypto/crypto.h"
#include "hs/keysched.h"
#include "hs/resume.h"
#include "record/record.h"
#include "ward/ward.h"

#define WARD_MAX_SUITES 16
#define WARD_MAX_GROUPS 5
#define WARD_MAX_KEY_SHARES 3
#define WARD_MAX_ECDH_PUB 133 /* TLS 1.2 ServerKeyExchange: classical groups only */
#define WARD_MAX_SIGALGS 16
#define WARD_MAX_ALPN_WIRE 256        /* ProtocolNameList body */
#define WARD_MAX_NAME 255

/* A server's OCSP response file, reloaded when it changes (hs/identity.c). */
typedef struct ocsp_staple ocsp_staple;

/* A server identity besides the default one (cfg->chain, cfg->key), chosen
 * by the client's server_name (hs/identity.c). */
typedef struct ward_identity {
    crypto_chain chain;
    crypto_key key;
    crypto_cert leaf;        /* parsed once, for name matching */
    ocsp_staple *ocsp;       /* NULL: none */
} ward_identity;

struct ward_config {
    int is_server;
    uint16_t suites[WARD_MAX_SUITES];
    size_t n_suites;
    uint16_t min_version, max_version;
    int rsa_key_transport;
    int allow_no_ems; /* TLS 1.2: accept a peer without RFC 7627 (opt-in) */
    uint16_t groups[WARD_MAX_GROUPS];
    size_t n_groups;
    uint16_t key_share_groups[WARD_MAX_KEY_SHARES];
    size_t n_key_share_groups;
    uint16_t sigalgs[WARD_MAX_SIGALGS];       /* for CertificateVerify */
    size_t n_sigalgs;
    uint16_t sigalgs_cert[WARD_MAX_SIGALGS];  /* for certificate chains */
    size_t n_sigalgs_cert;
    uint8_t alpn[WARD_MAX_ALPN_WIRE];         /* (len8 name)+ */
    size_t alpn_len;
    int middlebox_compat;
    int force_hrr;

    /* our identity */
    int has_cert;
    crypto_chain chain;
    crypto_key key;

    /* peer verification */
    int insecure_no_verify;
    int keep_peer_chain; /* ward_config_keep_peer_chain */
    /* The chain is verified with no host name: a named opt-out
     * (ward_config_set_skip_hostname_check); without it a client with
     * neither a server name nor a pin refuses to start. */
    int skip_hostname_check;
    /* Trust anchors: a --cafile at configuration time, or the system store
     * loaded on first use (most clients that set a cafile never need it). */
    int has_trust;
    crypto_trust trust;
    pthread_mutex_t trust_lock;
    int trust_tried;
    int has_pin;
    uint8_t pin[32];

    ward_limits limits;
    const ward_test_hooks *hooks;

    /* server: client certificates (hs/client_auth.c) */
    int client_verify;            /* WARD_CLIENT_CERT_* */
    int has_client_trust;
    crypto_trust client_trust;    /* CAs for client certificates */
    uint8_t *client_ca_names;     /* certificate_authorities body: (u16 len, DER Name)* */
    size_t client_ca_names_len;
    int post_handshake_auth;      /* client: offer it (TLS 1.3 §4.6.2) */
    /* server identities by name and OCSP stapling (hs/identity.c) */
    crypto_cert default_leaf; /* cfg->chain's leaf, parsed, for name matching */
    ocsp_staple *default_ocsp;
    ward_identity extra_ids[WARD_MAX_EXTRA_IDENTITIES];
    size_t n_extra_ids;
    int sni_strict;
    int ocsp_mode;           /* client: WARD_OCSP_* */
    uint32_t ocsp_max_age;   /* client: seconds a staple without nextUpdate lives */

    /* resumption (src/hs/psk.c, resume*.c; src/conn/session.c) */
    unsigned tickets;            /* server: NewSessionTickets per full handshake */
    uint32_t ticket_lifetime;    /* seconds */
    uint32_t max_early_data;     /* server: 0-RTT bytes accepted (0: none) */
    int psk_ke;                  /* psk_ke allowed (opt-in) */
    resume_store *resume;        /* server: ticket keys, replay register, 1.2 cache */
    ward_session_fn session_cb;  /* client: a new session arrived */
    void *session_cb_arg;

    /* NSS key log (conn/keylog.c): off unless the application asks. */
    ward_keylog_fn keylog_fn;
    void *keylog_arg;
    struct keylog_file *keylog_file; /* owned: ward_config_set_keylog_file */
};

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

/* A growable byte queue: data lives in [off, len). Bytes up to the high
 * water mark are wiped when the buffer goes, unless the queue only ever
 * holds what goes on the wire anyway (the output: records as sent). */
typedef struct {
    uint8_t *buf;
    size_t off, len, cap;
    size_t hwm;
    int wire_only;
} byteq;

struct ward_conn {
    const ward_config *cfg;
    int is_server;
    hs_state state;          /* set by hs/table.c's driver only (and ST_FAILED) */
    unsigned hs_kind;        /* HK_* */
    size_t hs_pos, hs_post_pos; /* places in the sequences (hs/table.c) */

    ward_err err;
    char errmsg[320];

    /* record layer */
    rec_dir rdir, wdir;
    int read_app_keys;       /* rdir holds application traffic keys */
    byteq in;                /* received bytes not yet processed */
    byteq out;               /* bytes to send */
    byteq app;               /* decrypted application data to read */
    hs_reasm reasm;
    size_t send_limit;       /* largest plaintext per record we send */

    /* handshake */
    hash_alg hash;
    size_t hlen;
    aead_alg aead;
    uint16_t version, suite, group, sigscheme;
    crypto_hash transcript;
    int transcript_on;
    keysched ks;
    uint8_t c_hs[CRYPTO_MAX_HASH], s_hs[CRYPTO_MAX_HASH];
    uint8_t c_ap[CRYPTO_MAX_HASH], s_ap[CRYPTO_MAX_HASH];
    uint8_t finished_hash[CRYPTO_MAX_HASH]; /* transcript through server Finished */

    crypto_kex kex[WARD_MAX_KEY_SHARES];    /* client: our key shares, until ServerHello */
    uint8_t *kex_pub[WARD_MAX_KEY_SHARES];  /* heap: a hybrid share is 1.2 KB */
    size_t kex_pub_len[WARD_MAX_KEY_SHARES];
    size_t n_kex;
    uint8_t random[32];      /* our Hello random */
    uint8_t peer_random[32]; /* the peer's Hello random (TLS 1.2 needs both) */
    uint16_t client_version; /* TLS 1.2 server: ClientHello.legacy_version (RSA kx check) */
    uint8_t session_id[32];
    size_t session_id_len;
    uint8_t *client_hello;   /* client: the first ClientHello, until the suite is known */
    size_t client_hello_len;
    uint8_t cookie[1024];
    size_t cookie_len;
    uint16_t hrr_group;      /* group asked for in a HelloRetryRequest */

    /* TLS 1.2 */
    uint8_t master[48];
    uint8_t key_block[2 * 32 + 2 * 12]; /* client key, server key, client IV, server IV */
    crypto_kex kex12;                   /* server: our ECDHE key until ClientKeyExchange */
    uint8_t peer_kex_pub[WARD_MAX_ECDH_PUB]; /* client: server's ECDHE share */
    size_t peer_kex_pub_len;
    int ems;                 /* Extended Master Secret in use */
    int keys_changed;        /* the message just handled changed read keys */
    int records_seen;        /* a well-formed record header has arrived */
    /* abuse accounting (ward_limits) */
    size_t hs_bytes;
    unsigned empty_records, warning_alerts;
    /* We sent a KeyUpdate(update_not_requested) and no application data
     * since: the peer's update requests are answered already (§4.6.3). */
    int ku_answered;
    uint64_t started_ms;     /* monotonic, for the handshake timeout */
    int did_hrr;
    int ccs_sent;
    int peer_finished;       /* the peer's Finished arrived */
    int cert_requested;      /* client: a CertificateRequest arrived */
    uint8_t cert_request_ctx[255];
    size_t cert_request_ctx_len;
    int close_sent, close_received;
    int peer_alert;          /* the description of the alert that ended it; -1: none */
    unsigned key_updates_received;

    char server_name[WARD_MAX_NAME + 1];
    char alpn[256];
    crypto_chain peer_chain;
    crypto_key peer_key;

    /* client certificates (hs/client_auth.c) */
    int peer_authenticated;  /* the peer proved its verified certificate's key */
    int client_cert_sent;    /* client: our Certificate was not empty (a CertificateVerify follows) */
    uint16_t client_scheme;  /* client: the scheme to sign with, 0 = send an empty Certificate */
    int client_cert_pending; /* server: a client certificate awaits its CertificateVerify */
    /* TLS 1.2 CertificateVerify signs the handshake messages themselves
     * (RFC 5246 §7.4.8), which the running hash cannot give back: kept
     * only while a client certificate may be signed or checked. */
    uint8_t *hs_msgs;
    size_t hs_msgs_len, hs_msgs_cap;
    int hs_msgs_on;
    /* TLS 1.3 post-handshake authentication (§4.6.2) */
    int pha_offered;         /* server: the client sent post_handshake_auth */
    crypto_hash pha_base;    /* the transcript through the client's Finished */
    int pha_base_on;
    crypto_hash pha_hash;    /* base + this exchange's messages */
    int pha_hash_on;
    crypto_key pha_key;      /* server: the client's key until its CertificateVerify */
    /* identities and OCSP (hs/identity.c, hs/ocsp_check.c) */
    const ward_identity *id; /* server: the identity chosen; NULL: the default */
    int ocsp_acked;          /* client: the TLS 1.2 ServerHello had status_request */
    int ocsp_status;         /* client: WARD_OCSP_STATUS_* */

    /* resumption and 0-RTT */
    ward_session *offer;     /* client: the session offered (a copy) */
    int resumed;             /* the handshake used a PSK / resumed a 1.2 session */
    int early_status;        /* WARD_EARLY_* */
    uint8_t *early_out;      /* client: 0-RTT bytes to send (a copy) */
    size_t early_out_len;
    uint8_t psk[RESUME_MAX_SECRET]; /* the PSK in use (1.3) */
    size_t psk_len;
    uint16_t psk_identity;   /* server: the index accepted */
    uint8_t c_early[CRYPTO_MAX_HASH]; /* client_early_traffic_secret */
    uint32_t early_limit;    /* server: max_early_data_size of the accepted ticket */
    size_t early_received;
    int early_skipping;      /* server: skipping refused 0-RTT records (hs/psk.c) */
    size_t early_skip_left;  /* server: refused 0-RTT plaintext we may still skip */
    byteq early;             /* server: early data received (replayable) */
    uint8_t res_master[CRYPTO_MAX_HASH]; /* resumption_master_secret */
    int have_res_master;
    unsigned tickets_sent;
    ward_session *latest;    /* client: newest session received */
    /* TLS 1.2 tickets (RFC 5077) */
    int ticket12_offered;    /* client: session_ticket was in our hello */
    int ticket12_expected;   /* ServerHello announced a NewSessionTicket */
    uint8_t *ticket12;       /* heap, until the session is handed out */
    size_t ticket12_len;
    uint32_t ticket12_lifetime;

    /* TLS 1.3 exporter_master_secret (§7.5), kept for
     * ward_conn_export_keying_material; wiped with the connection. */
    uint8_t exp_master[CRYPTO_MAX_HASH];
    int has_exp_master;
    /* N of the current application traffic secrets (§7.2), for the key log. */
    unsigned c_ap_gen, s_ap_gen;
};

/* ---- engine services used by the handshake (src/conn) ---- */
/* Record a failure (first one wins) with a message for a person; returns
 * the code as a wres so a handler can `return conn_fail(...)`. */
wres conn_fail(ward_conn *c, ward_err code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Send a handshake message: add it to the transcript and seal it (with the
 * current write keys) into records. */
WARD_MUST_CHECK wres conn_send_handshake(ward_conn *c, const uint8_t *msg, size_t len);
/* Seal data of one content type into as many records as needed. */
WARD_MUST_CHECK wres conn_send_records(ward_conn *c, uint8_t type, const uint8_t *data,
                                       size_t len);
/* Limits on key usage (RFC 8446 §5.5; src/conn/key_limit.c). Before
 * sealing a record of type: a TLS 1.3 KeyUpdate when the write key has
 * protected enough, or the end (WARD_ERR_INTERNAL) when it is used up and
 * cannot change. Before opening a protected record: the peer's key used
 * past its limit is WARD_ERR_UNEXPECTED_MESSAGE. */
WARD_MUST_CHECK wres conn_check_write_key(ward_conn *c, uint8_t type);
WARD_MUST_CHECK wres conn_check_read_key(ward_conn *c);
/* The compatibility change_cipher_spec record (RFC 8446 D.4), once. */
WARD_MUST_CHECK wres conn_send_ccs(ward_conn *c);
/* Report a derived secret (c->hlen bytes) to the test hook and the key
 * log, under its NSS key-log label. The one path for every secret. */
void conn_report_secret(ward_conn *c, const char *label, const uint8_t *secret);
/* The same for a secret of another length (TLS 1.2 CLIENT_RANDOM: 48). */
void conn_report_secret_len(ward_conn *c, const char *label, const uint8_t *secret,
                            size_t len);
/* ---- key log (src/conn/keylog.c) ---- */
/* One NSS key-log line to the configured callback, if any. */
void keylog_write(ward_conn *c, const char *label, const uint8_t *secret, size_t len);
/* After a KeyUpdate (§4.6.3): report the new client or server application
 * traffic secret as CLIENT_/SERVER_TRAFFIC_SECRET_N. */
void keylog_traffic_update(ward_conn *c, int client_secret, const uint8_t *secret);
/* Close a key-log file opened by ward_config_set_keylog_file. */
void config_keylog_free(ward_config *cfg);
time_t conn_now(const ward_conn *c);
/* The configuration's trust anchors (NULL if none could be loaded). The
 * configuration is logically const: only the lazy load writes, under a lock. */
const crypto_trust *config_trust(ward_config *cfg);
/* An identity of ours (chain, key) checked and its key given the leaf's
 * keyUsage: WARD_ERR_CONFIG (key not the leaf's),
 * WARD_ERR_INSUFFICIENT_SECURITY (too small), WARD_ERR_UNSUPPORTED_CERTIFICATE
 * (keyUsage allows nothing ward can do). */
ward_err config_check_own_key(const ward_config *cfg, const crypto_chain *chain, crypto_key *key);
uint64_t conn_monotonic_ms(void);
/* End the connection from outside the protocol (I/O adapter: timeout, the
 * peer hanging up); queues the alert the code maps to, if any. */
ward_err conn_abort(ward_conn *c, ward_err code, const char *msg);

/* ---- transcript (src/hs/transcript.c) ---- */
WARD_MUST_CHECK wres transcript_start(ward_conn *c, hash_alg hash);
WARD_MUST_CHECK wres transcript_add(ward_conn *c, const uint8_t *msg, size_t len);
WARD_MUST_CHECK wres transcript_hash(ward_conn *c, uint8_t *out);
/* Replace the transcript so far with message_hash(Hash(...)) (§4.4.1). */
WARD_MUST_CHECK wres transcript_collapse_for_hrr(ward_conn *c);

/* ---- handshake (src/hs) ---- */
WARD_MUST_CHECK wres hs_client_start(ward_conn *c);
/* hs/table.c: the first state of a new connection, and the client's
 * first flight (hs_client_start) with the state after it. */
void hs_table_init(ward_conn *c);
/* The connection failed: no message is awaited any more. */
void hs_table_fail(ward_conn *c);
WARD_MUST_CHECK wres hs_begin(ward_conn *c);
/* Free the client's key shares (after ServerHello, or with the connection). */
void hs_client_drop_key_shares(ward_conn *c);
/* One complete handshake message from the peer. */
WARD_MUST_CHECK wres hs_handle(ward_conn *c, uint8_t type, span body, span full);
/* Install traffic keys for a direction from a secret. */
WARD_MUST_CHECK wres hs_install_keys(ward_conn *c, int write, const uint8_t *secret);
/* Key material from the suite. */
WARD_MUST_CHECK wres hs_set_suite(ward_conn *c, uint16_t suite);
/* A change_cipher_spec record in TLS 1.2 (hs/tls12.c). */
WARD_MUST_CHECK wres hs12_on_ccs(ward_conn *c, span payload);
/* Sending a KeyUpdate and the post-handshake messages. */
WARD_MUST_CHECK wres hs_send_key_update(ward_conn *c, int request_peer);
/* Client certificates (hs/client_auth.c): what only the handshake needed;
 * at the end of the handshake, keeping the transcript for post-handshake
 * authentication; and everything, with the connection. */
void hs_client_auth_done(ward_conn *c);
void hs_client_auth_handshake_done(ward_conn *c);
void hs_client_auth_free(ward_conn *c);

#endif
