/* ward: TLS 1.3 in C. The whole public API.
 *
 * A ward_config is built once, then shared read-only by any number of
 * connections and threads. A ward_conn is a sans-I/O engine: hand it the
 * bytes that arrived from the peer, take the bytes it wants sent, write
 * plaintext in and read plaintext out. The ward_fd_* functions drive an
 * engine over a socket for the common case. */
#ifndef WARD_WARD_H
#define WARD_WARD_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "ward/version.h"

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define WARD_API __attribute__((visibility("default")))
#else
#define WARD_API
#endif

/* Every failure has one code, mapped to exactly one alert (ward_err_alert). */
typedef enum {
    WARD_OK = 0,
    /* not failures: the fd adapter in non-blocking mode */
    WARD_WANT_READ,
    WARD_WANT_WRITE,
    /* the peer sent close_notify: no more data will come */
    WARD_CLOSED,

    /* protocol errors, each with its alert */
    WARD_ERR_DECODE,             /* decode_error (50) */
    WARD_ERR_ILLEGAL_PARAMETER,  /* illegal_parameter (47) */
    WARD_ERR_UNEXPECTED_MESSAGE, /* unexpected_message (10) */
    WARD_ERR_BAD_RECORD_MAC,     /* bad_record_mac (20) */
    WARD_ERR_RECORD_OVERFLOW,    /* record_overflow (22) */
    WARD_ERR_HANDSHAKE_FAILURE,  /* handshake_failure (40) */
    WARD_ERR_DECRYPT_ERROR,      /* decrypt_error (51) */
    WARD_ERR_PROTOCOL_VERSION,   /* protocol_version (70) */
    WARD_ERR_INSUFFICIENT_SECURITY, /* insufficient_security (71) */
    WARD_ERR_MISSING_EXTENSION,  /* missing_extension (109) */
    WARD_ERR_UNSUPPORTED_EXTENSION, /* unsupported_extension (110) */
    WARD_ERR_UNRECOGNIZED_NAME,  /* unrecognized_name (112) */
    WARD_ERR_NO_APPLICATION_PROTOCOL, /* no_application_protocol (120) */
    WARD_ERR_INAPPROPRIATE_FALLBACK, /* inappropriate_fallback (86) */

    /* certificate verification, each with its alert */
    WARD_ERR_BAD_CERTIFICATE,    /* bad_certificate (42) */
    WARD_ERR_UNSUPPORTED_CERTIFICATE, /* unsupported_certificate (43) */
    WARD_ERR_CERT_EXPIRED,       /* certificate_expired (45) */
    WARD_ERR_CERT_NOT_YET_VALID, /* bad_certificate (42) */
    WARD_ERR_CERT_UNKNOWN,       /* certificate_unknown (46) */
    WARD_ERR_UNKNOWN_CA,         /* unknown_ca (48): unknown issuer */
    WARD_ERR_SELF_SIGNED,        /* unknown_ca (48): self-signed, not pinned */
    WARD_ERR_HOSTNAME_MISMATCH,  /* bad_certificate (42) */
    WARD_ERR_PIN_MISMATCH,       /* bad_certificate (42) */
    /* TLS 1.3 server: a client certificate was required and none came */
    WARD_ERR_CERTIFICATE_REQUIRED, /* certificate_required (116) */
    WARD_ERR_CERT_REVOKED,       /* certificate_revoked (44): OCSP says revoked */
    WARD_ERR_BAD_CERT_STATUS,    /* bad_certificate_status_response (113) */

    /* local conditions */
    WARD_ERR_INTERNAL,           /* internal_error (80) */
    WARD_ERR_NOMEM,              /* internal_error (80) */
    WARD_ERR_CONFIG,             /* no alert: bad configuration or file */
    WARD_ERR_IO,                 /* no alert: socket error */
    WARD_ERR_TRUNCATED,          /* no alert: peer closed without close_notify */
    WARD_ERR_PEER_ALERT,         /* no alert: the peer sent a fatal alert */
    WARD_ERR_STATE,              /* no alert: API used in the wrong state */
    WARD_ERR_TIMEOUT,            /* no alert: handshake took too long */
    /* the plaintext dialogue before TLS (ward/starttls.h); no alert */
    WARD_ERR_STARTTLS_REFUSED,   /* the peer does not offer or refused the upgrade */
    WARD_ERR_STARTTLS_PROTOCOL,  /* the peer broke the application protocol */
    WARD_ERR_STARTTLS_INJECTION, /* bytes after the line that starts TLS */
    WARD_ERR__COUNT
} ward_err;

/* The alert a failure sends (RFC 8446 §6), or -1 when none is sent. */
WARD_API int ward_err_alert(ward_err e);
/* A short fixed description of the code. */
WARD_API const char *ward_err_str(ward_err e);
/* The name of a TLS alert number ("handshake_failure"). */
WARD_API const char *ward_alert_name(int alert);

/* The version of the library loaded ("0.1.0"); WARD_VERSION_STRING is the
 * version of the headers compiled against (ward/version.h). */
WARD_API const char *ward_version(void);

/* ---- identifiers (IANA values) ---- */
#define WARD_TLS13 0x0304
#define WARD_TLS12 0x0303

#define WARD_TLS_AES_128_GCM_SHA256 0x1301
#define WARD_TLS_AES_256_GCM_SHA384 0x1302
#define WARD_TLS_CHACHA20_POLY1305_SHA256 0x1303

/* TLS 1.2 suites (RFC 5289, RFC 7905, RFC 5288) */
#define WARD_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 0xc02b
#define WARD_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384 0xc02c
#define WARD_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 0xc02f
#define WARD_TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384 0xc030
#define WARD_TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256 0xcca8
#define WARD_TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256 0xcca9
/* RSA key transport: no forward secrecy; off unless enabled explicitly. */
#define WARD_TLS_RSA_WITH_AES_128_GCM_SHA256 0x009c
#define WARD_TLS_RSA_WITH_AES_256_GCM_SHA384 0x009d

#define WARD_GROUP_SECP256R1 0x0017
#define WARD_GROUP_SECP384R1 0x0018
#define WARD_GROUP_SECP521R1 0x0019
#define WARD_GROUP_X25519 0x001d
/* Post-quantum hybrids (draft-ietf-tls-ecdhe-mlkem), TLS 1.3 only. */
#define WARD_GROUP_X25519MLKEM768 0x11ec
#define WARD_GROUP_SECP256R1MLKEM768 0x11eb
#define WARD_GROUP_SECP384R1MLKEM1024 0x11ed
/* ML-KEM-1024 alone (draft-connolly-tls-mlkem-key-agreement), TLS 1.3
 * only: for deployments that want no classical part (CNSA 2.0). */
#define WARD_GROUP_MLKEM1024 0x0202

/* Signature schemes (RFC 8446 §4.2.3). In TLS 1.2 the same code points
 * are the (hash, signature) pairs of RFC 5246 §7.4.1.4.1; ecdsa_*_sha*
 * there means any curve (WARD_SIG_ECDSA_SHA512 is TLS 1.2 only). */
#define WARD_SIG_RSA_PKCS1_SHA256 0x0401
#define WARD_SIG_RSA_PKCS1_SHA384 0x0501
#define WARD_SIG_RSA_PKCS1_SHA512 0x0601
#define WARD_SIG_ECDSA_SECP256R1_SHA256 0x0403
#define WARD_SIG_ECDSA_SECP384R1_SHA384 0x0503
#define WARD_SIG_ECDSA_SHA512 0x0603
#define WARD_SIG_RSA_PSS_RSAE_SHA256 0x0804
#define WARD_SIG_RSA_PSS_RSAE_SHA384 0x0805
#define WARD_SIG_RSA_PSS_RSAE_SHA512 0x0806
#define WARD_SIG_ED25519 0x0807
#define WARD_SIG_RSA_PSS_PSS_SHA256 0x0809
#define WARD_SIG_RSA_PSS_PSS_SHA384 0x080a
#define WARD_SIG_RSA_PSS_PSS_SHA512 0x080b

/* Alert descriptions (RFC 8446 §6; RFC 5246 §7.2 for no_renegotiation):
 * what ward_conn_peer_alert returns and ward_alert_name names. */
#define WARD_ALERT_CLOSE_NOTIFY 0
#define WARD_ALERT_UNEXPECTED_MESSAGE 10
#define WARD_ALERT_BAD_RECORD_MAC 20
#define WARD_ALERT_RECORD_OVERFLOW 22
#define WARD_ALERT_HANDSHAKE_FAILURE 40
#define WARD_ALERT_BAD_CERTIFICATE 42
#define WARD_ALERT_UNSUPPORTED_CERTIFICATE 43
#define WARD_ALERT_CERTIFICATE_REVOKED 44
#define WARD_ALERT_CERTIFICATE_EXPIRED 45
#define WARD_ALERT_CERTIFICATE_UNKNOWN 46
#define WARD_ALERT_ILLEGAL_PARAMETER 47
#define WARD_ALERT_UNKNOWN_CA 48
#define WARD_ALERT_ACCESS_DENIED 49
#define WARD_ALERT_DECODE_ERROR 50
#define WARD_ALERT_DECRYPT_ERROR 51
#define WARD_ALERT_PROTOCOL_VERSION 70
#define WARD_ALERT_INSUFFICIENT_SECURITY 71
#define WARD_ALERT_INTERNAL_ERROR 80
#define WARD_ALERT_INAPPROPRIATE_FALLBACK 86
#define WARD_ALERT_USER_CANCELED 90
#define WARD_ALERT_NO_RENEGOTIATION 100
#define WARD_ALERT_MISSING_EXTENSION 109
#define WARD_ALERT_UNSUPPORTED_EXTENSION 110
#define WARD_ALERT_UNRECOGNIZED_NAME 112
#define WARD_ALERT_BAD_CERTIFICATE_STATUS_RESPONSE 113
#define WARD_ALERT_UNKNOWN_PSK_IDENTITY 115
#define WARD_ALERT_CERTIFICATE_REQUIRED 116
#define WARD_ALERT_NO_APPLICATION_PROTOCOL 120

WARD_API const char *ward_suite_name(uint16_t suite);
WARD_API const char *ward_group_name(uint16_t group);
WARD_API const char *ward_sigscheme_name(uint16_t scheme);

/* ---- configuration ---- */
typedef struct ward_config ward_config;

WARD_API ward_config *ward_config_new_client(void);
WARD_API ward_config *ward_config_new_server(void);
/* Drops a reference (ward_config_ref): freed when the last goes, which may
 * be after this call, when connections made from it still live. */
WARD_API void ward_config_free(ward_config *cfg);

/* Certificate chain (PEM, leaf first) and private key (PEM). */
WARD_API ward_err ward_config_set_cert_files(ward_config *cfg, const char *chain_pem,
                                             const char *key_pem);
/* Make an ephemeral self-signed ECDSA P-256 certificate for NAME; the
 * SHA-256 of its SubjectPublicKeyInfo goes to spki_sha256 (the pin). */
WARD_API ward_err ward_config_use_ephemeral_cert(ward_config *cfg, const char *name,
                                                 uint8_t spki_sha256[32]);
/* Trust anchors: a PEM file, or NULL for the system trust store (default). */
WARD_API ward_err ward_config_set_cafile(ward_config *cfg, const char *cafile);
/* Accept exactly the peer key whose SPKI hashes to this (any issuer, still
 * checked for validity period). */
WARD_API ward_err ward_config_set_pin_sha256(ward_config *cfg, const uint8_t spki_sha256[32]);
/* Explicit, named opt-out of certificate verification (testing only). */
WARD_API void ward_config_set_insecure_no_verify(ward_config *cfg, int on);
/* Keep the peer's whole certificate chain after the handshake
 * (ward_conn_peer_cert_der), not only its leaf; off by default: the
 * intermediates cost an idle connection a few KB each. */
WARD_API void ward_config_keep_peer_chain(ward_config *cfg, int on);
/* Client: verify the chain against the trust anchors without checking
 * whom it names (any server with a certificate from a trusted CA is
 * accepted), when ward_conn_new is given no server name. A named opt-out:
 * without it, or a pin, or insecure_no_verify, a client connection with
 * no server name fails at once with WARD_ERR_CONFIG, before sending
 * anything. ward_conn_peer_authenticated then says 0. */
WARD_API void ward_config_set_skip_hostname_check(ward_config *cfg, int on);
/* ALPN protocols, most preferred first. */
WARD_API ward_err ward_config_set_alpn(ward_config *cfg, const char *const *protos, size_t n);
/* Preference lists (IANA codes). Unknown or unsupported codes are refused. */
WARD_API ward_err ward_config_set_suites(ward_config *cfg, const uint16_t *suites, size_t n);
WARD_API ward_err ward_config_set_groups(ward_config *cfg, const uint16_t *groups, size_t n);
/* Client: which groups get a key share in the first ClientHello (at most
 * 3; default X25519MLKEM768 and x25519, so that servers without the hybrid
 * need no extra round trip). The others are reachable by HelloRetryRequest. */
WARD_API ward_err ward_config_set_key_share_groups(ward_config *cfg, const uint16_t *groups,
                                                   size_t n);
/* Protocol versions to accept, WARD_TLS12 or WARD_TLS13 (default both).
 * Older versions are never offered nor accepted (RFC 8996). */
WARD_API ward_err ward_config_set_versions(ward_config *cfg, uint16_t min, uint16_t max);
/* Explicit opt-in to TLS 1.2 RSA key transport (TLS_RSA_WITH_AES_*_GCM):
 * no forward secrecy. Adds those suites at the end of the preference list. */
WARD_API void ward_config_set_rsa_key_transport(ward_config *cfg, int on);
/* TLS 1.2: accept a peer without the Extended Master Secret (RFC 7627), off
 * by default. Without it the master secret is not bound to the handshake
 * (the "triple handshake" attack: a man in the middle can make two
 * connections share one master secret), so ward refuses such peers unless
 * this is on. For old clients and servers that lack it (OpenSSL 1.0.2,
 * LibreSSL, older Java and Windows). A connection made without EMS is never
 * resumed (no ticket or session ID is issued, accepted, saved or offered) and
 * exports no keying material (RFC 7627 §5.4); ward_conn_used_ems tells. */
WARD_API void ward_config_allow_no_ems(ward_config *cfg, int on);
/* Middlebox compatibility mode (RFC 8446 D.4); on by default. */
WARD_API void ward_config_set_middlebox_compat(ward_config *cfg, int on);
/* Server: always answer the first ClientHello with a HelloRetryRequest
 * carrying a cookie (forces the 2-round-trip path; useful in tests). */
WARD_API void ward_config_set_force_hrr(ward_config *cfg, int on);

/* Server: ask clients for a certificate (mutual TLS). mode is one of the
 * WARD_CLIENT_CERT_* values; cafile (PEM) holds the CAs client certificates
 * must chain to (the server's own trust store for clients, separate from
 * ward_config_set_cafile). A presented certificate must verify (chain,
 * validity period, and an extendedKeyUsage, if present, must allow
 * clientAuth); no host name is checked. NONE needs no cafile (NULL).
 * OPTIONAL and REQUIRE turn resumption off on this configuration: a
 * resumed handshake carries no client certificate. */
enum {
    WARD_CLIENT_CERT_NONE = 0,     /* do not ask (default) */
    WARD_CLIENT_CERT_OPTIONAL = 1, /* ask; a client without one is accepted */
    WARD_CLIENT_CERT_REQUIRE = 2,  /* ask; a client without one is refused */
    /* not in the handshake: only when ward_conn_request_client_cert asks
     * (TLS 1.3 post-handshake authentication); then one is required */
    WARD_CLIENT_CERT_POST_HANDSHAKE = 3
};
WARD_API ward_err ward_config_set_client_verify(ward_config *cfg, int mode, const char *cafile);
/* Client: offer post-handshake authentication (RFC 8446 §4.6.2, TLS 1.3):
 * the server may then ask for the configured certificate at any time
 * after the handshake (ward answers on its own). Off by default. */
WARD_API void ward_config_set_post_handshake_auth(ward_config *cfg, int on);
/* ---- server identities by name (SNI, RFC 6066 §3) ----
 * Server: another certificate chain and key besides the default one
 * (ward_config_set_cert_files / ward_config_use_ephemeral_cert), at most
 * WARD_MAX_EXTRA_IDENTITIES. For each ClientHello the server takes the first
 * identity, the default one first, then the added ones in order, whose
 * leaf certificate matches the client's server_name (the same RFC 6125 rule
 * a ward client verifies with: DNS subjectAltNames, a "*." wildcard for
 * exactly one left-most label, case-insensitive; IP literals only against
 * iPAddress names) and whose key can sign for the client; with no server_name
 * or no match, the default identity. */
#define WARD_MAX_EXTRA_IDENTITIES 8
WARD_API ward_err ward_config_add_cert_files(ward_config *cfg, const char *chain_pem,
                                             const char *key_pem);
/* Server: refuse (alert unrecognized_name) a client whose server_name
 * matches no identity, or that sends none, instead of using the default. */
WARD_API void ward_config_set_sni_strict(ward_config *cfg, int on);

/* ---- OCSP stapling (RFC 6066 §8, RFC 8446 §4.4.2.1, RFC 6960) ----
 * Server: a DER OCSPResponse file to staple for the default identity, sent
 * to clients that ask (status_request). The file is re-read when its mtime
 * changes (checked at most once a second); a file that no longer loads
 * leaves the previous response in use. */
WARD_API ward_err ward_config_set_ocsp_file(ward_config *cfg, const char *der_path);
/* The same for one identity: 0 is the default, 1.. the added ones in the
 * order of ward_config_add_cert_files. */
WARD_API ward_err ward_config_set_ocsp_file_for(ward_config *cfg, size_t index,
                                                const char *der_path);
/* Server: re-read the OCSP files that changed, now (with the same once a
 * second limit). Handshakes do this themselves; a server that forks a
 * process per connection calls it in the parent before each fork, so the
 * children start from the current response. Thread-safe. */
WARD_API void ward_config_refresh_ocsp(const ward_config *cfg);
/* Client: what to do about the server's OCSP staple. WARD_OCSP_REQUEST (the
 * default) asks for one and, when one comes, checks it (signed by the
 * issuer or its delegated responder, about this certificate, current,
 * "good"); a revoked certificate fails with WARD_ERR_CERT_REVOKED, a bad
 * response with WARD_ERR_BAD_CERT_STATUS. A server without a staple costs
 * nothing. WARD_OCSP_REQUIRE also fails when no staple comes. Staples are
 * checked against the trust anchors, so not with a pin or
 * insecure_no_verify: a staple is then not looked at, and WARD_OCSP_REQUIRE
 * is refused (WARD_ERR_CONFIG from this call when the pin or the opt-out is
 * already set, else from the connection before it sends anything). */
enum { WARD_OCSP_OFF = 0, WARD_OCSP_REQUEST = 1, WARD_OCSP_REQUIRE = 2 };
WARD_API ward_err ward_config_set_ocsp(ward_config *cfg, int mode);
/* Client: how long after its thisUpdate a staple without nextUpdate is
 * accepted (RFC 6960 §4.2.2.1 leaves it to local policy), in seconds;
 * default WARD_OCSP_DEFAULT_MAX_AGE (7 days). An older one fails with
 * WARD_ERR_BAD_CERT_STATUS. 0 or a server configuration: WARD_ERR_CONFIG. */
#define WARD_OCSP_DEFAULT_MAX_AGE (7u * 24 * 3600)
WARD_API ward_err ward_config_set_ocsp_max_age(ward_config *cfg, uint32_t seconds);

/* Limits against abuse. Every field has a safe default (ward_config_get_limits).
 * A server's ClientHello is the exception to both handshake limits: it may
 * be as large as RFC 8446 §4.1.2 allows (131396 bytes; long suite and
 * signature lists make such hellos, and other stacks take them), and its
 * bytes do not count towards max_handshake_bytes.
 *
 * KeyUpdates need no limit: each ends its record, and the answers to a
 * peer's update requests are coalesced (at most one per application data
 * record sent), so a peer that asks without end costs per record what any
 * record costs. */
typedef struct {
    size_t max_handshake_message;       /* one handshake message, bytes (default 65536) */
    size_t max_handshake_bytes;         /* all handshake messages until connected (262144) */
    unsigned max_empty_records;         /* consecutive zero-length records (32) */
    unsigned max_warning_alerts;        /* TLS 1.2 warning alerts per connection (8) */
    unsigned handshake_timeout_ms;      /* ward_fd_handshake, 0 = none (30000) */
} ward_limits;
WARD_API void ward_config_get_limits(const ward_config *cfg, ward_limits *limits);
/* Zero fields are refused (use the defaults instead), except the timeout. */
WARD_API ward_err ward_config_set_limits(ward_config *cfg, const ward_limits *limits);

/* NSS key log (SSLKEYLOGFILE format): every secret a connection derives,
 * as a line "LABEL <ClientHello.random hex> <secret hex>" (no newline), so
 * that a tool such as Wireshark can decrypt a capture. Labels: TLS 1.3
 * CLIENT_HANDSHAKE_TRAFFIC_SECRET, SERVER_HANDSHAKE_TRAFFIC_SECRET,
 * CLIENT_TRAFFIC_SECRET_0, SERVER_TRAFFIC_SECRET_0, EXPORTER_SECRET and,
 * after KeyUpdates, CLIENT_/SERVER_TRAFFIC_SECRET_N; TLS 1.2 CLIENT_RANDOM
 * (the master secret). Whoever reads these lines can decrypt the traffic:
 * off by default, for debugging only. The callback may be called from any
 * thread that drives a connection of this configuration; fn NULL turns the
 * log off. */
typedef void (*ward_keylog_fn)(void *arg, const char *line);
WARD_API void ward_config_set_keylog(ward_config *cfg, ward_keylog_fn fn, void *arg);
/* The same into a file: opened now for appending (created with mode 0600),
 * one write per line, safe across threads and forked processes; closed by
 * ward_config_free. path NULL turns the log off. WARD_ERR_CONFIG if the
 * file cannot be opened (errno says why). */
WARD_API ward_err ward_config_set_keylog_file(ward_config *cfg, const char *path);

/* Providers: where every connection of this configuration reads the time
 * and draws its randomness. Every read of the clock by ward (certificate
 * and OCSP validity, ticket lifetimes and ages, 0-RTT age checks, ticket
 * key rotation, the fd adapter's timeouts) and every random byte ward draws
 * itself (Hello randoms, session IDs, ticket age_add, nonces and keys, HRR
 * cookies, key-share private keys and ML-KEM seeds, the RSA key-transport
 * fallback secret) comes from them, so that a test can replay a recorded
 * handshake or fix the time. Signing nonces (RSA-PSS salts, ECDSA k) stay
 * with libcrypto: a replayed source there would leak the signing key.
 * Set them before the configuration is used; fn NULL restores the default
 * (the system clock; libcrypto's DRBG). The callbacks may be called from any
 * thread that drives a connection of this configuration. */
#define WARD_CLOCK_REALTIME 0  /* milliseconds since the Unix epoch */
#define WARD_CLOCK_MONOTONIC 1 /* milliseconds from an arbitrary origin */
typedef uint64_t (*ward_clock_fn)(void *arg, int which);
WARD_API void ward_config_set_clock(ward_config *cfg, ward_clock_fn fn, void *arg);
/* Fill out with len random bytes; 0 on success. Any other return fails
 * the handshake closed with WARD_ERR_INTERNAL ("the random source failed"),
 * before anything that needed the bytes is sent. A server's generated
 * ticket key then comes from the source when the first ticket is sealed:
 * processes forked before that do not share it (set ticket keys to share
 * them, ward_config_set_ticket_keys). */
typedef int (*ward_random_fn)(void *arg, uint8_t *out, size_t len);
WARD_API void ward_config_set_random(ward_config *cfg, ward_random_fn fn, void *arg);

/* ---- the engine ---- */
typedef struct ward_conn ward_conn;

/* server_name: for a client, the name to send in SNI and check in the
 * certificate (a DNS name or an IP literal); NULL for a server. */
WARD_API ward_conn *ward_conn_new(const ward_config *cfg, const char *server_name);
WARD_API void ward_conn_free(ward_conn *c);

/* Bytes that arrived from the peer. All of them are taken (the engine
 * buffers partial records). Returns the first fatal error, after which the
 * connection is dead and its output holds the alert to send. */
WARD_API ward_err ward_conn_recv(ward_conn *c, const uint8_t *data, size_t len);
/* Bytes to send to the peer: a view valid until the next call on c (never
 * NULL; *len == 0 when there is nothing to send). */
WARD_API const uint8_t *ward_conn_output(ward_conn *c, size_t *len);
/* Mark n bytes of the output as sent. */
WARD_API void ward_conn_output_done(ward_conn *c, size_t n);
/* Plaintext from the peer: copies up to cap bytes, sets *n. WARD_OK with
 * *n == 0 means none yet; WARD_CLOSED after close_notify. */
WARD_API ward_err ward_conn_read(ward_conn *c, uint8_t *buf, size_t cap, size_t *n);
/* Plaintext from the peer without the copy: a view of all that has been
 * decrypted so far, valid until the next call on c (never NULL; *len == 0
 * when none). Mark what was used with ward_conn_read_done. When the view
 * is empty, ward_conn_read says whether more can come (WARD_CLOSED, an
 * error). Early data is never in this view (ward_conn_read_early_data). */
WARD_API const uint8_t *ward_conn_read_view(ward_conn *c, size_t *len);
/* Mark n bytes of the view as read (more than it holds: all of it). */
WARD_API void ward_conn_read_done(ward_conn *c, size_t n);
/* Plaintext to send; only once the handshake is done. Takes it all. */
WARD_API ward_err ward_conn_write(ward_conn *c, const uint8_t *buf, size_t len);
/* Queue close_notify. */
WARD_API ward_err ward_conn_close(ward_conn *c);
/* Send a KeyUpdate; request_peer asks the peer to update too. */
WARD_API ward_err ward_conn_key_update(ward_conn *c, int request_peer);

enum {
    WARD_STATE_HANDSHAKING = 0,
    WARD_STATE_ESTABLISHED = 1,
    WARD_STATE_CLOSED = 2, /* close_notify sent or received */
    WARD_STATE_FAILED = 3
};
WARD_API int ward_conn_state(const ward_conn *c);
/* 1 if plaintext is waiting to be read. */
WARD_API int ward_conn_readable(const ward_conn *c);
WARD_API int ward_conn_peer_closed(const ward_conn *c);
/* The error that ended the connection (WARD_OK while it is alive). */
WARD_API ward_err ward_conn_error(const ward_conn *c);
/* What failed, in words a person can act on. */
WARD_API const char *ward_conn_error_message(const ward_conn *c);
/* When the peer ended the connection with an alert (ward_conn_error gives
 * WARD_ERR_PEER_ALERT): that alert's description number (RFC 8446 §6, e.g.
 * 40 for handshake_failure; 0 for a close_notify before the handshake was
 * done; ward_alert_name names it). -1 when the peer sent no such alert.
 * Warnings that do not end the connection and a close_notify after the
 * handshake (ward_conn_peer_closed) are not reported here. */
WARD_API int ward_conn_peer_alert(const ward_conn *c);

/* ---- what was negotiated ---- */
WARD_API uint16_t ward_conn_version(const ward_conn *c);
WARD_API uint16_t ward_conn_suite(const ward_conn *c);
WARD_API uint16_t ward_conn_group(const ward_conn *c);
WARD_API uint16_t ward_conn_sigscheme(const ward_conn *c);
/* Negotiated ALPN protocol or NULL. */
WARD_API const char *ward_conn_alpn(const ward_conn *c);
/* Server: the name the client asked for, or NULL. */
WARD_API const char *ward_conn_server_name(const ward_conn *c);
WARD_API int ward_conn_did_hrr(const ward_conn *c);
/* TLS 1.2: 1 if the Extended Master Secret (RFC 7627) was used (always,
 * unless the peer lacked it and ward_config_allow_no_ems was on). */
WARD_API int ward_conn_used_ems(const ward_conn *c);
/* Number of KeyUpdates received from the peer. */
WARD_API unsigned ward_conn_key_updates_received(const ward_conn *c);

/* Client: WARD_OCSP_STATUS_GOOD once a stapled OCSP response has been
 * verified ("good"), else WARD_OCSP_STATUS_NONE (none asked for, none sent,
 * or not checked). */
enum { WARD_OCSP_STATUS_NONE = 0, WARD_OCSP_STATUS_GOOD = 1 };
WARD_API int ward_conn_ocsp_status(const ward_conn *c);

typedef struct {
    char subject[256];
    char issuer[256];
    char not_before[64]; /* "2026-01-01 00:00:00 UTC" */
    char not_after[64];
    uint8_t spki_sha256[32];
    char key_type[32];       /* "RSA", "RSA-PSS", "EC P-256", "Ed25519", ... */
    unsigned key_bits;       /* the key's size in bits */
    char san[512];           /* subjectAltName: "DNS:a, DNS:b, IP:::1,
                                URI:https://x/, email:a@b", cut with "..."
                                when longer; "" when none */
    int64_t not_before_time; /* the validity period, seconds since 1970 UTC */
    int64_t not_after_time;
    /* Added in 0.1.0 after the fields above (docs/ABI.md): the serial
     * number as colon-separated upper-case hex bytes, "01:AB:CD" ("-"
     * first if negative; a longer one than 26 bytes cut with "..."). */
    char serial[80];
} ward_cert_info;
/* The peer's leaf certificate, once received. */
WARD_API ward_err ward_conn_peer_cert_info(const ward_conn *c, ward_cert_info *info);
/* Any certificate, from its DER: WARD_ERR_BAD_CERTIFICATE if it does not
 * parse (no verification: for display). */
WARD_API ward_err ward_cert_info_from_der(const uint8_t *der, size_t len, ward_cert_info *info);
/* The peer's certificate chain as it sent it (leaf first). After the
 * handshake only the leaf is kept (the intermediates go, to keep an idle
 * connection small), unless the configuration asked to keep the chain
 * (ward_config_keep_peer_chain). A resumed connection has none. */
WARD_API size_t ward_conn_peer_chain_len(const ward_conn *c);
/* Certificate i (0 = the leaf) as DER, valid while c lives;
 * WARD_ERR_STATE when there is no such certificate. */
WARD_API ward_err ward_conn_peer_cert_der(const ward_conn *c, size_t i, const uint8_t **der,
                                          size_t *len);
/* 1 once the peer proved it holds the key of a verified certificate (a
 * client: the server, by the chain and the server name, or by the pin; a
 * server: a client certificate, mutual TLS). 0 until the handshake is
 * done, with insecure_no_verify, and with skip_hostname_check (the chain
 * was verified, but not that it names this server).
 * On a resumed connection no certificate is exchanged. A client says 1
 * when its configuration authenticates servers as above: the server was
 * authenticated by the full handshake that made the session, under the
 * configuration in use then. ward offers a session only to the server
 * name it was made for, but does not record how that handshake
 * authenticated the server: an application that moves sessions between
 * configurations must not move them from a non-verifying one to a
 * verifying one. A server says 0 after a resumed handshake (a server
 * that asks for client certificates in the handshake does not resume),
 * until a post-handshake authentication (ward_conn_request_client_cert)
 * succeeds on it. */
WARD_API int ward_conn_peer_authenticated(const ward_conn *c);
/* Server, TLS 1.3, after the handshake: ask the client for a certificate
 * now (post-handshake authentication, RFC 8446 §4.6.2), under the
 * configuration's client verification (ward_config_set_client_verify).
 * The CertificateRequest is queued as output; the answer arrives with the
 * peer's data, after which ward_conn_peer_authenticated says 1 (a refusal
 * or a bad certificate ends the connection). WARD_ERR_STATE when the
 * client did not offer it, the connection is not TLS 1.3 and established,
 * a request is already pending, or the server verifies no clients. */
WARD_API ward_err ward_conn_request_client_cert(ward_conn *c);

/* ---- sessions: resumption and 0-RTT (RFC 8446 §2.2, §2.3; RFC 5077) ---- */
/* A session a client may resume: a TLS 1.3 ticket with its PSK, or a TLS
 * 1.2 session ID or ticket with its master secret. It holds secrets: keep
 * saved sessions private (ward_session_encode output included). */
typedef struct ward_session ward_session;

/* Client: called each time the server hands out a resumable session (a
 * TLS 1.3 NewSessionTicket; a TLS 1.2 handshake's end). The session is
 * valid only during the call: ward_session_dup or encode it to keep it. */
typedef void (*ward_session_fn)(void *arg, const ward_session *session);
WARD_API void ward_config_set_session_callback(ward_config *cfg, ward_session_fn fn, void *arg);
/* Client: like ward_conn_new, offering to resume session (NULL: a full
 * handshake). When the session allows 0-RTT (TLS 1.3 ticket with
 * early_data) and early_len > 0, those bytes go out as early data in the
 * first flight; whether the server took them: ward_conn_early_data_status.
 * A session for another server name, or one that expired, is not offered. */
WARD_API ward_conn *ward_conn_new_resuming(const ward_config *cfg, const char *server_name,
                                           const ward_session *session,
                                           const uint8_t *early_data, size_t early_len);
/* The newest session this connection received (client), or NULL; free it. */
WARD_API ward_session *ward_conn_get_session(const ward_conn *c);
WARD_API ward_session *ward_session_dup(const ward_session *s);
WARD_API void ward_session_free(ward_session *s);
/* Serialize (for a file; see ward client --sess-out) and back. decode
 * returns NULL for anything malformed. */
WARD_API ward_err ward_session_encode(const ward_session *s, uint8_t *buf, size_t cap,
                                      size_t *len);
WARD_API ward_session *ward_session_decode(const uint8_t *buf, size_t len);
WARD_API uint16_t ward_session_version(const ward_session *s);
/* Bytes of early data the session allows (0: no 0-RTT). */
WARD_API uint32_t ward_session_max_early_data(const ward_session *s);

/* 1 if this connection was resumed (no certificate was exchanged). */
WARD_API int ward_conn_resumed(const ward_conn *c);
enum {
    WARD_EARLY_NONE = 0,     /* no early data was offered */
    WARD_EARLY_ACCEPTED = 1, /* the server took it */
    WARD_EARLY_REJECTED = 2  /* offered, refused: a client sends it again if it wants */
};
WARD_API int ward_conn_early_data_status(const ward_conn *c);
/* Server: the early data the client sent, once the handshake is done.
 * Early data can be REPLAYED by an attacker (RFC 8446 §8): act on it only
 * if doing so twice is harmless. It never comes out of ward_conn_read. */
WARD_API ward_err ward_conn_read_early_data(ward_conn *c, uint8_t *buf, size_t cap, size_t *n);

/* Server: TLS 1.3 tickets per full handshake (default 2; 0: none) and their
 * lifetime in seconds (default 7200, at most 604800). Also governs TLS 1.2
 * tickets (issued when count > 0). */
WARD_API ward_err ward_config_set_tickets(ward_config *cfg, unsigned count, uint32_t lifetime);
/* Server: ticket protection keys, 48 bytes each (16-byte name, 32-byte
 * AES-256-GCM key): current, then optionally previous (still accepted, no
 * longer used). Without this, a random key is made and rotated every
 * lifetime. A fleet that shares keys resumes each other's tickets. */
WARD_API ward_err ward_config_set_ticket_keys(ward_config *cfg, const uint8_t *keys, size_t len);
/* The same from a file of one or two lines of 96 hex digits (current,
 * previous), read now and again whenever it changes (checked once a second). */
WARD_API ward_err ward_config_set_ticket_key_file(ward_config *cfg, const char *path);
/* Server: accept up to this many bytes of 0-RTT data (default 0: none).
 * Each ticket is good for early data once (a replay falls back to 1-RTT). */
WARD_API ward_err ward_config_set_max_early_data(ward_config *cfg, uint32_t bytes);
/* Opt-in to psk_ke resumption: no fresh (EC)DHE, so no forward secrecy
 * for the resumed connection (RFC 8446 §4.2.9). Both roles. */
WARD_API void ward_config_set_psk_ke(ward_config *cfg, int on);
/* Server: TLS 1.2 session-ID cache size (default 1024; 0: off). */
WARD_API ward_err ward_config_set_session_cache(ward_config *cfg, size_t entries);

/* Keying material exporter, once the handshake is done: TLS 1.3 RFC 8446
 * §7.5, TLS 1.2 RFC 5705 (over the extended master secret). Both sides get
 * the same out_len bytes for the same label and context. use_context 0
 * means no context (in TLS 1.3 the same as an empty one; in TLS 1.2 not).
 * Limits: label 1..249 bytes without NUL; TLS 1.3 out_len up to 255 hash
 * lengths; TLS 1.2 label + context up to 190 bytes, and the labels RFC 5705
 * §4 reserves ("client finished", "server finished", "master secret",
 * "key expansion", "extended master secret") are refused. WARD_ERR_STATE
 * before the handshake is done, after a failure, or for a TLS 1.2
 * connection made without the Extended Master Secret (RFC 7627 §5.4: its
 * keys are not bound to the handshake), WARD_ERR_CONFIG for an
 * argument out of these limits; the connection goes on either way. */
WARD_API ward_err ward_conn_export_keying_material(ward_conn *c, const char *label,
                                                   size_t label_len, const uint8_t *ctx,
                                                   size_t ctx_len, int use_context,
                                                   uint8_t *out, size_t out_len);

/* Memory: connections hand their emptied queue buffers back to a cache of
 * the calling thread (at most two, up to 256 KiB each), so that bulk
 * transfer does not return and fault in the same pages at every burst.
 * A thread that goes idle (an event loop with no connection left) may free
 * that cache; until then a parked buffer can keep the heap above it from
 * going back to the system. The cache is freed anyway when the thread
 * exits. */
WARD_API void ward_release_thread_buffers(void);

/* ---- driving an engine over a file descriptor ---- */
/* In blocking mode these loop until done; on a non-blocking fd they return
 * WARD_WANT_READ / WARD_WANT_WRITE and are called again when ready. A
 * socket error is WARD_ERR_IO, and ward_conn_error_message says which call
 * failed and why (the connection is then over). */
WARD_API ward_err ward_fd_handshake(ward_conn *c, int fd);
/* Reads plaintext; *n == 0 with WARD_CLOSED at close_notify. */
WARD_API ward_err ward_fd_read(ward_conn *c, int fd, uint8_t *buf, size_t cap, size_t *n);
/* Sends all of buf: WARD_OK once every byte has been written to fd.
 * On a non-blocking fd, WARD_WANT_WRITE means "part of buf was taken and
 * the socket is full": when fd is writable, call ward_fd_write again with
 * the SAME buf and len (as with SSL_write(3)); it goes on where it
 * stopped, and no byte is ever sent twice. Any other length before the
 * write completes is WARD_ERR_STATE. Plaintext is taken at most
 * WARD_FD_WRITE_CHUNK bytes at a time, so at most that much (sealed) waits
 * in the connection's queue: a slow reader holds back the writer. */
#define WARD_FD_WRITE_CHUNK 65536
WARD_API ward_err ward_fd_write(ward_conn *c, int fd, const uint8_t *buf, size_t len);
/* Push any queued output (after ward_conn_close or key update). */
WARD_API ward_err ward_fd_flush(ward_conn *c, int fd);
/* Send close_notify and flush. */
WARD_API ward_err ward_fd_close(ward_conn *c, int fd);

/* ---- ClientHello and ALPN selection callbacks (issue #18) ----
 * Server: the application sees each first ClientHello before ward decides
 * anything, and may choose the identity (certificate chain and key) to
 * present, or refuse the client with an alert. Names can be loaded lazily:
 * keep a cache of ward_identity objects per name, loading one on first use.
 * Both TLS 1.3 and TLS 1.2; not called again for the second ClientHello of
 * a HelloRetryRequest (the choice made for the first one stands). */
typedef struct ward_client_hello ward_client_hello;
/* The host name the client asked for (server_name, RFC 6066 §3), NUL
 * terminated; NULL when it sent none or one that is not a host name. */
WARD_API const char *ward_client_hello_server_name(const ward_client_hello *ch);
/* The ALPN protocols offered (RFC 7301), in the client's order: up to cap
 * NUL-terminated names into names (valid during the callback); returns how
 * many were offered (0: no ALPN extension), which may exceed cap. */
WARD_API size_t ward_client_hello_alpn(const ward_client_hello *ch, const char **names,
                                       size_t cap);
/* The highest version the client offers (WARD_TLS13 / WARD_TLS12, or the
 * legacy_version for an older client). */
WARD_API uint16_t ward_client_hello_max_version(const ward_client_hello *ch);
/* The version ward will use for this connection (WARD_TLS13 or WARD_TLS12). */
WARD_API uint16_t ward_client_hello_version(const ward_client_hello *ch);
/* The offered cipher suites, groups (supported_groups) and signature
 * schemes (signature_algorithms), as code points in the client's order: up
 * to cap into out; returns how many were offered (may exceed cap). */
WARD_API size_t ward_client_hello_suites(const ward_client_hello *ch, uint16_t *out, size_t cap);
WARD_API size_t ward_client_hello_groups(const ward_client_hello *ch, uint16_t *out, size_t cap);
WARD_API size_t ward_client_hello_sigalgs(const ward_client_hello *ch, uint16_t *out,
                                          size_t cap);
/* Returns WARD_OK (0) to go on, or an alert number (WARD_ALERT_*, > 0) to
 * refuse the client with that fatal alert (e.g. WARD_ALERT_UNRECOGNIZED_NAME);
 * the handshake then fails with the error of that alert (WARD_ERR_UNRECOGNIZED_NAME,
 * ...; WARD_ERR_HANDSHAKE_FAILURE for an alert with no error of its own). */
typedef int (*ward_client_hello_fn)(void *arg, ward_conn *c, const ward_client_hello *ch);
WARD_API void ward_config_set_client_hello_callback(ward_config *cfg, ward_client_hello_fn fn,
                                                    void *arg);
/* A server identity: a certificate chain and its key, reference counted
 * and immutable, so one object can serve any number of connections and
 * threads. Loaded from PEM files (the chain leaf first; the key must match
 * the leaf, be strong enough, and be allowed by its keyUsage); NULL on
 * failure with *err set (WARD_ERR_CONFIG: unreadable file, no certificate,
 * or a key that is not the leaf's; err may be NULL). OCSP stapling is not
 * available for these identities. */
typedef struct ward_identity ward_identity;
WARD_API ward_identity *ward_identity_new_files(const char *chain_pem, const char *key_pem,
                                                ward_err *err);
/* Take one more reference (returns id); ward_identity_free drops one and
 * frees the object with the last. NULL is ignored. */
WARD_API ward_identity *ward_identity_ref(ward_identity *id);
WARD_API void ward_identity_free(ward_identity *id);
/* During the ClientHello callback only: present id for this connection,
 * instead of the configured identities and their name matching (the
 * connection takes its own reference). The configuration then needs no
 * certificate of its own. WARD_ERR_STATE outside the callback. */
WARD_API ward_err ward_conn_use_identity(ward_conn *c, ward_identity *id);
/* Server: choose the ALPN protocol (RFC 7301) among those the client offers
 * (n NUL-terminated names, in its order; only called when it sends ALPN),
 * instead of the configured list. Return the index chosen, -1 to refuse the
 * client (alert no_application_protocol), -2 to go on without ALPN. Both
 * TLS 1.3 and TLS 1.2. */
typedef int (*ward_alpn_select_fn)(void *arg, ward_conn *c, const char *const *offered,
                                   size_t n);
WARD_API void ward_config_set_alpn_select(ward_config *cfg, ward_alpn_select_fn fn, void *arg);

/* ---- reference-counted configurations, external session cache (issue #18) ---- */
/* One more reference to cfg (returned; NULL stays NULL). ward_config_free
 * drops one and frees the configuration at the last. Every connection
 * holds a reference from ward_conn_new to ward_conn_free, so an
 * application may free its configuration (or replace it: a server swaps
 * its certificate by making a new configuration for new connections)
 * while connections made from it go on. The count is atomic; changing a
 * configuration while connections use it is still not allowed. */
WARD_API ward_config *ward_config_ref(ward_config *cfg);

/* Server: an external cache of TLS 1.2 sessions by session ID (RFC 5246
 * §7.4.1.2), shared by processes or machines, instead of the
 * configuration's own (ward_config_set_session_cache).
 *   store:  keep data (len bytes) under id (1..32 bytes); return 0 on
 *           success (a failure only costs a later full handshake).
 *   lookup: copy the data kept under id into out (cap bytes) and return its
 *           length; 0 if none. A length above cap is taken as none.
 *   remove: forget id (may be NULL); ward calls it for an entry it cannot
 *           use (expired, malformed).
 * The data is ward's own serialization and HOLDS THE SESSION'S MASTER
 * SECRET IN CLEAR: whoever reads it can decrypt the sessions resumed from
 * it. Keep it where only the server can read it and drop it after the
 * ticket lifetime (ward_config_set_tickets; ward refuses older entries).
 * The callbacks are called from the handshake, on the connection's
 * thread, and must be thread-safe if connections run on several threads.
 * TLS 1.3 resumption uses tickets only and is not affected. st NULL goes
 * back to the configuration's own cache. WARD_ERR_CONFIG for a client
 * configuration, or store or lookup NULL. */
typedef struct {
    int (*store)(void *arg, const uint8_t *id, size_t id_len, const uint8_t *data, size_t len);
    size_t (*lookup)(void *arg, const uint8_t *id, size_t id_len, uint8_t *out, size_t cap);
    void (*remove)(void *arg, const uint8_t *id, size_t id_len);
    void *arg;
} ward_session_store;
WARD_API ward_err ward_config_set_session_store(ward_config *cfg, const ward_session_store *st);

/* ---- identities and trust from memory, CA dir, CRLs (issue #18) ---- */
struct evp_pkey_st; /* OpenSSL's EVP_PKEY */
/* Like ward_config_set_cert_files, from memory: chain is PEM (leaf first,
 * intermediates after) or one DER certificate; key is PEM or DER (PKCS#8
 * or the traditional RSA/EC forms), detected; encrypted keys are refused.
 * The same checks (the key is the leaf's, its size, keyUsage); on failure
 * WARD_ERR_CONFIG (or the check's code), ward_config_error_message says
 * why, and the identity set before stays. The bytes are copied. */
WARD_API ward_err ward_config_set_cert_mem(ward_config *cfg, const uint8_t *chain,
                                           size_t chain_len, const uint8_t *key,
                                           size_t key_len);
/* An extra identity chosen by SNI, as ward_config_add_cert_files. */
WARD_API ward_err ward_config_add_cert_mem(ward_config *cfg, const uint8_t *chain,
                                           size_t chain_len, const uint8_t *key,
                                           size_t key_len);
/* The default identity with the application's own private key: the
 * configuration takes its own reference (EVP_PKEY_up_ref); the caller
 * keeps and frees theirs. */
WARD_API ward_err ward_config_set_cert_pkey(ward_config *cfg, const uint8_t *chain,
                                            size_t chain_len, struct evp_pkey_st *key);
/* Trust anchors to verify the peer with: PEM (one or more certificates)
 * or one DER certificate. Anchors from ward_config_set_cafile,
 * ward_config_add_ca_mem and ward_config_set_cadir all add up; once any is
 * set (even by a failing call) the system store is not used. */
WARD_API ward_err ward_config_add_ca_mem(ward_config *cfg, const uint8_t *ca, size_t len);
/* Every PEM certificate file of dir (e.g. /etc/ssl/certs; hashed links and
 * duplicates are harmless; other files are skipped). WARD_ERR_CONFIG when
 * dir is missing or holds no certificate. */
WARD_API ward_err ward_config_set_cadir(ward_config *cfg, const char *dir);
/* CRLs (RFC 5280 §5) from a file: PEM (one or more) or one DER. After the
 * peer's chain verifies, each of its certificates whose issuer has a CRL
 * loaded is looked up there: listed, the handshake fails with
 * WARD_ERR_CERT_REVOKED (alert certificate_revoked). A CRL of that issuer
 * whose signature does not verify under the issuer's key fails the
 * handshake with WARD_ERR_CONFIG (checked at use time, when the issuer is
 * known; ward_conn_error_message says so). The CRL's nextUpdate is not
 * enforced. */
WARD_API ward_err ward_config_add_crl_file(ward_config *cfg, const char *path);
/* Why the last failing ward_config_* setter failed, for a person ("no
 * such file: /etc/x.pem", "the key does not match the certificate"); ""
 * when none failed. Valid until the next setter call or ward_config_free. */
WARD_API const char *ward_config_error_message(const ward_config *cfg);

/* ---- verify callback, verify name, log callback (issue #18) ---- */
/* The application's word on the peer's certificate chain, after ward's own
 * verification: on a client the server's chain, on a server a client
 * certificate (an empty one, declined, is not shown). verdict is WARD_OK or
 * the error ward found (ward_conn_error_message says why); chain[i]/lens[i]
 * are the certificates as DER as the peer sent them (leaf first, n of
 * them), valid during the call. Return:
 *   WARD_VERIFY_ACCEPT (0): accept, even over a failed verdict (an explicit
 *     override; the peer then counts as authenticated, and its key is
 *     taken from the leaf);
 *   WARD_VERIFY_DEFAULT (-1): keep ward's verdict;
 *   a WARD_ALERT_* number (1..255): refuse, sending that fatal alert; the
 *     connection fails with WARD_ERR_BAD_CERTIFICATE and a message that
 *     says the application refused (and which alert).
 * Any other value refuses with internal_error. The trace reports this
 * decision as the verdict. c may be queried (ward_conn_peer_cert_info,
 * ward_conn_server_name, ...) but not driven from the callback. */
#define WARD_VERIFY_ACCEPT 0
#define WARD_VERIFY_DEFAULT (-1)
typedef int (*ward_verify_fn)(void *arg, const ward_conn *c, ward_err verdict,
                              const uint8_t *const *chain, const size_t *lens, size_t n);
/* fn NULL: none (ward's verdict alone). */
WARD_API void ward_config_set_verify_callback(ward_config *cfg, ward_verify_fn fn, void *arg);
/* Client: the name the server's certificate is checked against, instead of
 * the server name sent in SNI (a name of a connection made through an
 * address, or a front whose certificate names the backend). NULL or ""
 * goes back to the SNI name. Before the server's Certificate arrives;
 * WARD_ERR_STATE after, or on a server; WARD_ERR_CONFIG for a name longer
 * than 255 bytes. */
WARD_API ward_err ward_conn_set_verify_name(ward_conn *c, const char *name);

/* The log callback. */
/* What the library has to say that no call returns: ERROR, a connection's
 * failure (its error message, once per connection); WARN, a server's OCSP
 * response file that changed but could not be read again (the previous
 * response stays in use); INFO, a handshake completed (role, version,
 * suite, the server name). msg is valid during the call; fn may be called
 * from any thread that drives a connection of cfg. NULL: off (default). */
enum { WARD_LOG_ERROR = 1, WARD_LOG_WARN = 2, WARD_LOG_INFO = 3, WARD_LOG_DEBUG = 4 };
typedef void (*ward_log_fn)(void *arg, int level, const char *msg);
WARD_API void ward_config_set_log(ward_config *cfg, ward_log_fn fn, void *arg);

#ifdef __cplusplus
}
#endif
#endif
