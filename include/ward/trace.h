/* ward/trace.h: watching a handshake happen (ward trace, --trace).
 *
 * A configuration given a trace function (ward_config_set_trace) reports,
 * for every connection made from it, each handshake message sent or
 * received, the change_cipher_spec records, which keys came into use for
 * which direction, the secrets the key schedule derived (by name; their
 * values only when a key log is configured too), the certificate verdict,
 * alerts with their reason, and the handshake's end. Without a trace
 * function the engine pays one branch per event.
 *
 * Events are reported as they happen, from inside the ward_conn_* call
 * that made them happen; their pointers are valid during the call only.
 * ward_trace_decode turns a message event into its fields. */
#ifndef WARD_TRACE_H
#define WARD_TRACE_H

#include "ward/ward.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
    WARD_TRACE_MESSAGE = 1, /* a handshake message, sent or received */
    WARD_TRACE_CCS,         /* a change_cipher_spec record, sent or received */
    WARD_TRACE_KEYS,        /* new keys protect one direction from now on */
    WARD_TRACE_SECRET,      /* the key schedule derived a secret */
    WARD_TRACE_ALERT,       /* an alert, sent or received */
    WARD_TRACE_VERIFY,      /* the verdict on the peer's certificate chain */
    WARD_TRACE_DONE,        /* the handshake completed */
    WARD_TRACE_PLAINTEXT    /* a plaintext protocol line (STARTTLS); made by
                             * applications, never by the engine */
} ward_trace_kind;

/* Which keys protect a record: TLS 1.3's epochs (RFC 8446 §7.1) and TLS
 * 1.2's key block (RFC 5246 §6.3). */
typedef enum {
    WARD_PROT_NONE = 0,     /* plaintext */
    WARD_PROT_EARLY,        /* client_early_traffic_secret (0-RTT) */
    WARD_PROT_HANDSHAKE,    /* [sender]_handshake_traffic_secret */
    WARD_PROT_APPLICATION,  /* [sender]_application_traffic_secret_0 */
    WARD_PROT_UPDATED,      /* an application secret after a KeyUpdate */
    WARD_PROT_TLS12         /* TLS 1.2: the key block from the master secret */
} ward_trace_protection;
/* "none", "early", "handshake", "application", "updated", "tls12". */
WARD_API const char *ward_trace_protection_name(int protection);

typedef struct ward_trace_event {
    ward_trace_kind kind;
    const ward_conn *conn;    /* the connection it happened on */
    uint64_t ms;              /* since ward_conn_new, by the configuration's
                               * clock (ward_config_set_clock) */
    int sent;                 /* 1: this end sent it (MESSAGE, CCS, ALERT);
                               * KEYS: our write direction, 0: our read */
    int from_server;          /* 1: the server sent it (MESSAGE, CCS, ALERT,
                               * PLAINTEXT); KEYS: the server's writing */
    int protection;           /* MESSAGE, CCS, ALERT: the keys it travels
                               * under; KEYS: the keys now in use */
    uint8_t msg_type;         /* MESSAGE: the handshake type (1 ClientHello) */
    const uint8_t *data;      /* MESSAGE: the whole message, its 4-byte
                               * header included; SECRET: the secret's value
                               * when the configuration has a key log, else
                               * NULL; PLAINTEXT: the line, without CRLF */
    size_t len;
    const char *name;         /* SECRET: its key-log label
                               * ("CLIENT_HANDSHAKE_TRAFFIC_SECRET") */
    uint16_t version;         /* the version negotiated so far (0 before it
                               * is known) */
    uint16_t suite;           /* the cipher suite so far (0 before) */
    int is_server;            /* the role of this end */
    int alert_level;          /* ALERT: 1 warning, 2 fatal */
    int alert;                /* ALERT: the description (WARD_ALERT_*) */
    int ok;                   /* VERIFY: 1 verified; DONE: 1 resumed */
    const char *reason;       /* VERIFY refused, a fatal ALERT sent: why
                               * (ward_conn_error_msg's text); else NULL */
} ward_trace_event;

typedef void (*ward_trace_fn)(void *arg, const ward_trace_event *ev);
/* Report every connection's events to fn (NULL: stop). */
WARD_API void ward_config_set_trace(ward_config *cfg, ward_trace_fn fn, void *arg);

/* ---- a message's fields ---- */
#define WARD_TRACE_MAX_ITEMS 64   /* list entries kept; n_* counts them all */
#define WARD_TRACE_MAX_SHARES 8
#define WARD_TRACE_MAX_ALPN 8
#define WARD_TRACE_MAX_CERTS 10

typedef struct {
    uint16_t group;
    size_t len;               /* the key's length in bytes */
} ward_trace_share;

/* What a handshake message says; which fields are filled depends on the
 * type (docs/trace-schema.md lists them per message). Lists hold at most
 * WARD_TRACE_MAX_ITEMS entries, in the order on the wire; n_* counts every
 * entry, kept or not. */
typedef struct ward_trace_msg {
    uint8_t type;
    size_t len;               /* the body's length */

    /* ClientHello, ServerHello, HelloRetryRequest */
    uint16_t legacy_version;
    uint8_t random[32];
    uint8_t session_id[32];
    size_t session_id_len;
    uint16_t suites[WARD_TRACE_MAX_ITEMS];   /* ClientHello: offered */
    size_t n_suites;
    uint16_t suite;                          /* ServerHello: chosen */
    uint16_t versions[WARD_TRACE_MAX_ITEMS]; /* supported_versions offered */
    size_t n_versions;
    uint16_t version;         /* ServerHello: supported_versions, else legacy */
    uint16_t groups[WARD_TRACE_MAX_ITEMS];   /* supported_groups */
    size_t n_groups;
    ward_trace_share shares[WARD_TRACE_MAX_SHARES]; /* key_share entries;
                               * ServerHello: the one chosen; HRR: none */
    size_t n_shares;
    uint16_t group;           /* HRR: selected_group; ServerKeyExchange: the curve */
    uint16_t sigalgs[WARD_TRACE_MAX_ITEMS];  /* signature_algorithms */
    size_t n_sigalgs;
    uint16_t extensions[WARD_TRACE_MAX_ITEMS]; /* every extension's type */
    size_t n_extensions;
    char server_name[256];    /* SNI ("" none) */
    char alpn[WARD_TRACE_MAX_ALPN][64]; /* offered (ClientHello), chosen
                               * (ServerHello 1.2, EncryptedExtensions) */
    size_t n_alpn;
    int hrr;                  /* a HelloRetryRequest */
    size_t cookie_len;        /* HRR, ClientHello: the cookie (0 none) */
    int downgrade;            /* ServerHello random's last 8 bytes (RFC 8446
                               * §4.1.3): 12 "DOWNGRD\1", 11 "DOWNGRD\0", 0 */
    size_t psk_identities;    /* ClientHello pre_shared_key: identities */
    int psk_selected;         /* ServerHello: selected_identity, -1 none */
    uint8_t psk_modes[4];     /* psk_key_exchange_modes */
    size_t n_psk_modes;
    int early_data;           /* early_data present (ClientHello, EE, NST) */
    int ems;                  /* extended_master_secret present (1.2) */
    int status_request;       /* status_request present (OCSP asked for/acked) */
    int ticket_ext;           /* session_ticket present (RFC 5077) */

    /* Certificate (leaf first) */
    ward_cert_info certs[WARD_TRACE_MAX_CERTS];
    size_t n_certs;
    int ocsp;                 /* 1.3: the leaf carries an OCSP response */
    size_t context_len;       /* 1.3 certificate_request_context */

    /* CertificateVerify, ServerKeyExchange, CertificateRequest */
    uint16_t scheme;          /* the signature's scheme */
    size_t signature_len;
    /* ServerKeyExchange, ClientKeyExchange: the public key (ECDHE) or the
     * encrypted premaster secret (RSA key transport) */
    size_t key_len;
    int rsa_kx;               /* ClientKeyExchange: RSA key transport */
    /* Finished */
    size_t verify_data_len;
    /* NewSessionTicket */
    uint32_t lifetime;
    size_t ticket_len;
    uint32_t max_early_data;
    /* KeyUpdate */
    int request_update;
    /* CertificateStatus (1.2): the OCSP response's length */
    size_t ocsp_len;
} ward_trace_msg;

/* The fields of a WARD_TRACE_MESSAGE event's message. WARD_ERR_DECODE
 * (m->type and m->len still set) when it does not parse. */
WARD_API ward_err ward_trace_decode(const ward_trace_event *ev, ward_trace_msg *m);

/* Names of protocol numbers, wider than what ward itself speaks: the IANA
 * registry's name, "GREASE" for RFC 8701's reserved values, NULL when
 * unknown. */
typedef enum {
    WARD_NAME_SUITE = 1,
    WARD_NAME_GROUP,
    WARD_NAME_SIGSCHEME,
    WARD_NAME_EXTENSION,
    WARD_NAME_VERSION,        /* "TLS 1.3", "TLS 1.2", ... */
    WARD_NAME_HANDSHAKE,      /* "ClientHello", ..., "HelloRetryRequest" is
                               * not a type: ServerHello with m.hrr */
    WARD_NAME_PSK_MODE        /* "psk_ke", "psk_dhe_ke" */
} ward_name_kind;
WARD_API const char *ward_trace_name(ward_name_kind kind, uint16_t code);
/* 1 for RFC 8701's GREASE values (0x0A0A, 0x1A1A, ..., 0xFAFA). */
WARD_API int ward_is_grease(uint16_t code);

#ifdef __cplusplus
}
#endif

#endif
