/* The handshake's policy: what a configuration (ward_config, set through
 * the public setters in conn/config.c) asks of every handshake. */
#ifndef WARD_HS_CONFIG_H
#define WARD_HS_CONFIG_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "base/clock.h"
#include "crypto/crypto.h"
#include "hs/resume.h"
#include "hs/test_hooks.h"
#include "ward/trace.h"
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
    int refs;                /* ward_identity_new_files objects (hs/hello_cb.c);
                              * 0 for the configuration's own */
} ward_identity;

struct ward_config {
    /* References: the application's and one per connection made from it
     * (ward_config_ref, ward_conn_new); freed when the last one goes. */
    atomic_uint refs;
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
    ward_providers prov; /* clock and random source (conn/providers.c) */
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
    /* server callbacks (hs/hello_cb.c) */
    ward_client_hello_fn hello_fn;
    void *hello_arg;
    ward_alpn_select_fn alpn_select_fn;
    void *alpn_select_arg;
    int ocsp_mode;           /* client: WARD_OCSP_* */
    uint32_t ocsp_max_age;   /* client: seconds a staple without nextUpdate lives */

    /* resumption (src/hs/psk.c, resume*.c; src/conn/session.c) */
    unsigned tickets;            /* server: NewSessionTickets per full handshake */
    uint32_t ticket_lifetime;    /* seconds */
    uint32_t max_early_data;     /* server: 0-RTT bytes accepted (0: none) */
    int psk_ke;                  /* psk_ke allowed (opt-in) */
    resume_store *resume;        /* server: ticket keys, replay register, 1.2 cache */
    ward_session_store store;    /* server: external TLS 1.2 session cache (hs/session_store.c) */
    int has_store;
    ward_session_fn session_cb;  /* client: a new session arrived */
    void *session_cb_arg;

    /* NSS key log (conn/keylog.c): off unless the application asks. */
    ward_keylog_fn keylog_fn;
    void *keylog_arg;
    struct keylog_file *keylog_file; /* owned: ward_config_set_keylog_file */
    /* The handshake trace (ward/trace.h, conn/trace.c): off unless asked. */
    ward_trace_fn trace_fn;
    void *trace_arg;

    /* issue #18: CRLs checked after a server's chain verifies (crypto/crl.c),
     * and the last setter's failure, for a person (hs/config_error.c). */
    crypto_crls crls;
    char err_msg[320];
    /* The application's verify callback (hs/verify_cb.c): NULL if none. */
    ward_verify_fn verify_fn;
    void *verify_arg;
    /* The application's log (hs/log.c): NULL if none. */
    ward_log_fn log_fn;
    void *log_arg;
};

/* hs/config_error.c: record why a setter failed (printf-style) and
 * return code; check that a file to load exists and is readable. */
ward_err config_fail(ward_config *cfg, ward_err code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
ward_err config_check_file(ward_config *cfg, const char *path, const char *what);

/* One line to the configuration's log callback, if any (hs/log.c). */
void config_log(const ward_config *cfg, int level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* The configuration's trust anchors (NULL if none could be loaded). The
 * configuration is logically const: only the lazy load writes, under a lock. */
const crypto_trust *config_trust(ward_config *cfg);
/* An identity of ours (chain, key) checked and its key given the leaf's
 * keyUsage: WARD_ERR_CONFIG (key not the leaf's),
 * WARD_ERR_INSUFFICIENT_SECURITY (too small), WARD_ERR_UNSUPPORTED_CERTIFICATE
 * (keyUsage allows nothing ward can do); the reason in cfg's message. */
ward_err config_check_own_key(ward_config *cfg, const crypto_chain *chain, crypto_key *key);

/* Server: whether the handshake itself carries a CertificateRequest
 * (post-handshake authentication asks later, in TLS 1.3 only). */
static inline int config_asks_in_handshake(const ward_config *cfg)
{
    return cfg->client_verify == WARD_CLIENT_CERT_OPTIONAL ||
           cfg->client_verify == WARD_CLIENT_CERT_REQUIRE;
}

#endif
