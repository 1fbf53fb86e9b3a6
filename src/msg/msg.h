/* Handshake messages and extensions ⇄ plain structs (RFC 8446 §4).
 * Pure functions: decoders read only through the bounds-checked reader and
 * leave spans pointing into the caller's buffer (zero-copy); encoders append
 * a whole handshake message, 4-byte header included, to a writer.
 *
 * A decode fails as a whole: truncation, trailing bytes and bad inner
 * lengths are WARD_ERR_DECODE; a duplicated extension is
 * WARD_ERR_ILLEGAL_PARAMETER; pre_shared_key not last in a ClientHello is
 * WARD_ERR_ILLEGAL_PARAMETER. Unknown extensions are skipped (and allowed)
 * in ClientHello; in ServerHello/HRR only the known ones are accepted
 * (others: WARD_ERR_UNSUPPORTED_EXTENSION).
 *
 * TLS 1.2 (RFC 5246 §7.4) shares ClientHello, ServerHello and Finished with
 * TLS 1.3 and adds Certificate without per-entry extensions,
 * ServerKeyExchange (ECDHE only, RFC 8422 §5.4), ServerHelloDone,
 * ClientKeyExchange and HelloRequest. */
#ifndef WARD_MSG_H
#define WARD_MSG_H

#include <stddef.h>
#include <stdint.h>

#include "base/bytes.h"
#include "base/result.h"

/* HandshakeType */
enum {
    HS_HELLO_REQUEST = 0,      /* TLS 1.2 */
    HS_CLIENT_HELLO = 1,
    HS_SERVER_HELLO = 2,
    HS_NEW_SESSION_TICKET = 4,
    HS_END_OF_EARLY_DATA = 5,
    HS_ENCRYPTED_EXTENSIONS = 8,
    HS_CERTIFICATE = 11,
    HS_SERVER_KEY_EXCHANGE = 12, /* TLS 1.2 */
    HS_CERTIFICATE_REQUEST = 13,
    HS_SERVER_HELLO_DONE = 14, /* TLS 1.2 */
    HS_CERTIFICATE_VERIFY = 15,
    HS_CLIENT_KEY_EXCHANGE = 16, /* TLS 1.2 */
    HS_FINISHED = 20,
    HS_CERTIFICATE_STATUS = 22, /* TLS 1.2, RFC 6066 §8 */
    HS_KEY_UPDATE = 24,
    HS_MESSAGE_HASH = 254
};

/* ExtensionType */
enum {
    EXT_SERVER_NAME = 0,
    EXT_STATUS_REQUEST = 5,
    EXT_SUPPORTED_GROUPS = 10,
    EXT_EC_POINT_FORMATS = 11,
    EXT_SIGNATURE_ALGORITHMS = 13,
    EXT_ALPN = 16,
    EXT_PADDING = 21,
    EXT_EXTENDED_MASTER_SECRET = 23,
    EXT_RECORD_SIZE_LIMIT = 28,
    EXT_SESSION_TICKET = 35,
    EXT_PRE_SHARED_KEY = 41,
    EXT_EARLY_DATA = 42,
    EXT_SUPPORTED_VERSIONS = 43,
    EXT_COOKIE = 44,
    EXT_PSK_KEY_EXCHANGE_MODES = 45,
    EXT_CERTIFICATE_AUTHORITIES = 47,
    EXT_POST_HANDSHAKE_AUTH = 49,
    EXT_SIGNATURE_ALGORITHMS_CERT = 50,
    EXT_KEY_SHARE = 51,
    EXT_RENEGOTIATION_INFO = 0xff01
};

/* Versions older than WARD_TLS12, met only in legacy_version fields and
 * the record layer's (RFC 8446 §4.1.2, §5.1, D.5). */
enum { MSG_VERSION_SSL30 = 0x0300, MSG_VERSION_TLS10 = 0x0301 };

/* The special ServerHello.random of a HelloRetryRequest (RFC 8446 §4.1.3). */
extern const uint8_t MSG_HRR_RANDOM[32];

/* One handshake message header: type(1) length(3). */
#define MSG_HEADER_LEN 4

/* 1 if ward recognizes the extension type (the types named above). RFC
 * 8446 §4.2: a recognized extension in a message that does not allow it is
 * illegal_parameter; an unknown one in a server's answer is
 * unsupported_extension (the client could not have offered it). */
int msg_ext_recognized(uint16_t type);

/* ---- helpers over decoded lists ---- */
/* 1 if the big-endian u16 list (even length, already validated) holds v. */
int msg_u16_list_has(span list, uint16_t v);
/* Find the key share for group in a ClientHello key_share list (already
 * validated); 1 and *pub set if present. */
int msg_key_share_find(span entries, uint16_t group, span *pub);

/* ---- ClientHello ---- */
/* The largest ClientHello body RFC 8446 §4.1.2 allows, from its fields'
 * limits: legacy_version (2) + random (32) + legacy_session_id<0..32>
 * (1 + 32) + cipher_suites<2..2^16-2> (2 + 65534) +
 * legacy_compression_methods<1..2^8-1> (1 + 255) + extensions<8..2^16-1>
 * (2 + 65535) = 131396 bytes. OpenSSL and GnuTLS take one this large
 * (long suite and signature_algorithms lists do it), so a server accepts
 * it even when its other handshake messages are held to less. */
#define MSG_CLIENT_HELLO_MAX (2 + 32 + (1 + 32) + (2 + 65534) + (1 + 255) + (2 + 65535))
typedef struct {
    uint16_t legacy_version;
    uint8_t random[32];
    uint8_t session_id[32];
    uint8_t session_id_len;
    span cipher_suites;        /* u16 list, even length, non-empty */
    span compression_methods;  /* u8 list, non-empty */

    /* Each has_* is set when the extension was present; the span is its
     * inner list without the list's own length prefix, already validated
     * (well-formed entries, non-empty where the RFC requires). */
    int has_supported_versions;
    span supported_versions;   /* u16 list */
    int has_supported_groups;
    span supported_groups;     /* u16 list */
    int has_key_share;
    span key_shares;           /* KeyShareEntry list: group(2) len(2) key */
    int has_signature_algorithms;
    span signature_algorithms; /* u16 list */
    int has_signature_algorithms_cert;
    span signature_algorithms_cert;
    int has_server_name;
    span server_name;          /* the host_name bytes (first host_name entry) */
    int has_alpn;
    span alpn;                 /* ProtocolNameList body: (len8 name)+ */
    int has_cookie;
    span cookie;
    int has_psk_modes;
    span psk_modes;            /* u8 list */
    int has_pre_shared_key;
    span pre_shared_key;       /* the extension data, for msg_decode_psk_offer */
    int has_early_data;
    int has_record_size_limit;
    uint16_t record_size_limit; /* must be >= 64 else ILLEGAL_PARAMETER */
    int has_renegotiation_info;
    int has_post_handshake_auth;
    /* TLS 1.2 extensions */
    int has_extended_master_secret; /* RFC 7627: empty (else DECODE) */
    int has_ec_point_formats;
    span ec_point_formats;     /* RFC 8422 §5.1.2: u8 list, non-empty */
    span renegotiation_info;   /* RFC 5746: the renegotiated_connection bytes */
    int has_session_ticket;
    span session_ticket;       /* RFC 5077: the ticket (empty: asks for one) */
    span extensions;           /* the whole extensions block, raw (its entries,
                                * without the u16 length; msg_ext_walk takes it) */
    int has_status_request;    /* RFC 6066 §8 status_request of type ocsp(1) */
} msg_client_hello;
/* body: the message without its 4-byte header. */
WARD_MUST_CHECK wres msg_decode_client_hello(span body, msg_client_hello *ch);

typedef struct {
    uint16_t group;
    const uint8_t *pub;
    size_t len;
} msg_key_share;

typedef struct {
    uint8_t random[32];
    const uint8_t *session_id;
    size_t session_id_len;     /* 0 or 32 */
    const uint16_t *suites;
    size_t n_suites;
    const char *server_name;   /* NULL: omit (IP literals are never sent) */
    int renegotiation_info;    /* send an empty renegotiation_info */
    const uint16_t *groups;
    size_t n_groups;
    int session_ticket;        /* send an empty session_ticket extension */
    const msg_key_share *shares;
    size_t n_shares;
    const uint16_t *versions;
    size_t n_versions;
    const uint16_t *sig_algs;
    size_t n_sig_algs;
    const uint16_t *sig_algs_cert; /* n == 0: omit */
    size_t n_sig_algs_cert;
    const char *const *alpn;   /* n == 0: omit */
    size_t n_alpn;
    const uint8_t *cookie;     /* len 0: omit */
    size_t cookie_len;
    int psk_dhe_ke;            /* send psk_key_exchange_modes [psk_dhe_ke] */
    int psk_ke;                /* ... and psk_ke too (opt-in, no forward secrecy) */
    /* pre_shared_key (§4.2.11), last: one identity; the binder is written as
     * psk_binder_len zeros at the very end of the message, for the caller
     * to fill in. identity_len 0: omit. */
    const uint8_t *psk_identity;
    size_t psk_identity_len;
    uint32_t psk_obfuscated_age;
    size_t psk_binder_len;
    int early_data;            /* send an empty early_data (§4.2.10) */
    const uint8_t *session_ticket_data; /* RFC 5077 ticket to resume (len 0: none) */
    size_t session_ticket_len;
    uint16_t record_size_limit; /* 0: omit */
    int pad_to_512;            /* RFC 7685 padding: a message of 256..511 bytes grows to 512 */
    /* TLS 1.2 (zero: off) */
    int extended_master_secret; /* send an empty extended_master_secret (RFC 7627) */
    int ec_point_formats;      /* send ec_point_formats [uncompressed] (RFC 8422) */
    int status_request;        /* send status_request for OCSP (RFC 6066 §8), after
                                * ec_point_formats, before padding */
    int post_handshake_auth;   /* send an empty post_handshake_auth (RFC 8446 §4.2.6) */
} msg_client_hello_params;
/* Extension order (fixed, so RFC 8448's traces are reproduced byte for
 * byte): server_name, renegotiation_info, supported_groups, session_ticket,
 * key_share, early_data, supported_versions, signature_algorithms,
 * signature_algorithms_cert, alpn, cookie, psk_key_exchange_modes,
 * record_size_limit, extended_master_secret, ec_point_formats, padding,
 * pre_shared_key.
 * legacy_version 0x0303, compression [0]. */
WARD_MUST_CHECK wres msg_encode_client_hello(wr *w, const msg_client_hello_params *p);

/* ---- ServerHello and HelloRetryRequest ---- */
typedef struct {
    uint16_t legacy_version;
    uint8_t random[32];
    int is_hrr;                /* random == MSG_HRR_RANDOM */
    uint8_t session_id[32];
    uint8_t session_id_len;
    uint16_t cipher_suite;
    uint8_t compression;
    int has_supported_versions;
    uint16_t selected_version;
    int has_key_share;
    uint16_t key_share_group;  /* ServerHello: the share's group; HRR: selected_group */
    span key_share;            /* ServerHello only: the server's public key */
    int has_cookie;            /* HRR only */
    span cookie;
    int has_pre_shared_key;
    uint16_t selected_identity;
    /* TLS 1.2 ServerHello only (no supported_versions, not an HRR): */
    int has_extended_master_secret; /* RFC 7627: empty */
    int has_renegotiation_info;
    span renegotiation_info;   /* RFC 5746: renegotiated_connection bytes */
    int has_ec_point_formats;
    span ec_point_formats;     /* RFC 8422 §5.2: u8 list, non-empty (whether it
                                * holds uncompressed(0) is the handshake's call) */
    int has_alpn;
    span alpn;                 /* the one name (RFC 7301 §3.1) */
    int has_server_name;       /* RFC 6066 §3: empty */
    int has_session_ticket;    /* RFC 5077 §3.2: empty */
    int has_record_size_limit; /* RFC 8449 (a client may offer it to a 1.2 server) */
    uint16_t record_size_limit; /* >= 64 else ILLEGAL_PARAMETER */
    int has_status_request;    /* TLS 1.2, RFC 6066 §8: empty */
} msg_server_hello;
/* A ServerHello with supported_versions, or an HRR, follows RFC 8446:
 * key_share, pre_shared_key (ServerHello), cookie (HRR), supported_versions;
 * any other extension is WARD_ERR_UNSUPPORTED_EXTENSION.
 * A ServerHello without supported_versions is TLS 1.2 (RFC 5246 §7.4.1.4):
 * renegotiation_info, extended_master_secret, ec_point_formats, alpn,
 * server_name, session_ticket and record_size_limit are parsed and validated
 * (malformed: WARD_ERR_DECODE; ALPN with other than one name:
 * WARD_ERR_ILLEGAL_PARAMETER); any other type, 1.3-only ones included, is
 * WARD_ERR_UNSUPPORTED_EXTENSION. Whether each was offered is the
 * handshake's check. The version fields themselves are not judged here. */
WARD_MUST_CHECK wres msg_decode_server_hello(span body, msg_server_hello *sh);

typedef struct {
    uint8_t random[32];        /* ignored for HRR (MSG_HRR_RANDOM is used) */
    const uint8_t *session_id; /* echo of the client's legacy_session_id */
    size_t session_id_len;
    uint16_t cipher_suite;
    int is_hrr;
    uint16_t key_share_group;  /* 0: omit key_share (HRR asking only for a cookie) */
    const uint8_t *key_share;  /* ServerHello only */
    size_t key_share_len;
    const uint8_t *cookie;     /* HRR only; len 0: omit */
    size_t cookie_len;
    int has_psk;               /* ServerHello only: pre_shared_key accepted */
    uint16_t psk_identity;     /* its selected_identity */
} msg_server_hello_params;
/* Extension order (RFC 8448's): pre_shared_key, key_share, cookie, supported_versions (0x0304). */
WARD_MUST_CHECK wres msg_encode_server_hello(wr *w, const msg_server_hello_params *p);

/* A TLS 1.2 ServerHello (RFC 5246 §7.4.1.3). */
typedef struct {
    uint8_t random[32];
    const uint8_t *session_id; size_t session_id_len; /* 0..32 */
    uint16_t cipher_suite;
    int renegotiation_info;              /* send renegotiation_info with empty renegotiated_connection */
    int extended_master_secret;
    int ec_point_formats;                /* send [uncompressed] */
    const uint8_t *alpn; size_t alpn_len; /* selected protocol (1..255 bytes); 0: omit */
    int server_name_ack;
    int session_ticket;                  /* send an empty session_ticket (RFC 5077 §3.2) */
    int status_request;                  /* send an empty status_request (RFC 6066 §8), last */
} msg_server_hello12_params;
/* legacy version 0x0303, compression 0. Extension order: renegotiation_info,
 * extended_master_secret, ec_point_formats, alpn, server_name,
 * session_ticket; with none of them the extensions block is omitted. */
WARD_MUST_CHECK wres msg_encode_server_hello12(wr *w, const msg_server_hello12_params *p);

/* ---- EncryptedExtensions ---- */
typedef struct {
    int has_server_name;       /* empty server_name acknowledgment */
    int has_alpn;
    span alpn;                 /* exactly one protocol name (the bytes) */
    int has_supported_groups;
    span supported_groups;
    int has_record_size_limit;
    uint16_t record_size_limit;
    int has_early_data;
} msg_encrypted_extensions;
/* Extensions not allowed in EE (key_share, supported_versions, cookie,
 * pre_shared_key, signature_algorithms, ...): WARD_ERR_UNSUPPORTED_EXTENSION
 * per §4.2 / illegal_parameter: use WARD_ERR_UNSUPPORTED_EXTENSION. */
WARD_MUST_CHECK wres msg_decode_encrypted_extensions(span body, msg_encrypted_extensions *ee);

typedef struct {
    const uint8_t *groups_raw; /* raw u16 list bytes to advertise; len 0: omit */
    size_t groups_raw_len;
    uint16_t record_size_limit; /* 0: omit */
    int server_name_ack;
    const uint8_t *alpn;       /* selected protocol; len 0: omit */
    size_t alpn_len;
    int early_data;            /* early data accepted */
} msg_encrypted_extensions_params;
/* Extension order: supported_groups, record_size_limit, server_name, alpn, early_data. */
WARD_MUST_CHECK wres msg_encode_encrypted_extensions(wr *w,
                                                     const msg_encrypted_extensions_params *p);

/* ---- Certificate ---- */
#define MSG_MAX_CERTS 10
typedef struct {
    span request_context;
    size_t n;
    span certs[MSG_MAX_CERTS]; /* DER cert_data, each non-empty */
    /* TLS 1.3 (RFC 8446 §4.4.2.1): the leaf entry's status_request, a
     * CertificateStatus of type ocsp; the DER OCSPResponse. */
    int has_leaf_ocsp;
    span leaf_ocsp;
} msg_certificate;
/* More than MSG_MAX_CERTS entries: WARD_ERR_BAD_CERTIFICATE. Per-entry
 * extensions are validated as a block and otherwise ignored. */
WARD_MUST_CHECK wres msg_decode_certificate(span body, msg_certificate *c);
WARD_MUST_CHECK wres msg_encode_certificate(wr *w, const uint8_t *const *der,
                                            const size_t *len, size_t n);
/* TLS 1.2 (RFC 5246 §7.4.2): certificate_list<0..2^24-1> of
 * ASN.1Cert<1..2^24-1>, no context, no per-entry extensions.
 * request_context is left empty. Same limits as above. */
WARD_MUST_CHECK wres msg_decode_certificate12(span body, msg_certificate *c);
WARD_MUST_CHECK wres msg_encode_certificate12(wr *w, const uint8_t *const *der,
                                              const size_t *len, size_t n);

/* TLS 1.3 Certificate with an OCSP response (ocsp_len > 0) in the leaf
 * entry's status_request extension (RFC 8446 §4.4.2.1). */
WARD_MUST_CHECK wres msg_encode_certificate_ocsp(wr *w, const uint8_t *const *der,
                                                 const size_t *len, size_t n,
                                                 const uint8_t *ocsp, size_t ocsp_len);

/* ---- OCSP status (RFC 6066 §8, msg/cert_status.c) ---- */
/* CertificateStatusRequest in a ClientHello's status_request: type(1), and
 * for ocsp(1) responder_id_list<0..2^16-1> request_extensions<0..2^16-1>.
 * Other status types are skipped (*is_ocsp = 0). Bad framing: DECODE. */
WARD_MUST_CHECK wres msg_read_status_request(rd *d, int *is_ocsp);
/* The extension a client sends: ocsp, no responder ids, no extensions. */
WARD_MUST_CHECK wres msg_write_status_request_ext(wr *w);
/* CertificateStatus body: status_type ocsp(1), OCSPResponse<1..2^24-1>.
 * Another type: WARD_ERR_ILLEGAL_PARAMETER; empty response, truncation,
 * trailing bytes: WARD_ERR_DECODE. *ocsp points into the input. */
WARD_MUST_CHECK wres msg_read_cert_status(rd *d, span *ocsp);
WARD_MUST_CHECK wres msg_decode_certificate_status(span body, span *ocsp);
/* The CertificateStatus body alone (for the TLS 1.3 entry extension). */
WARD_MUST_CHECK wres msg_write_cert_status(wr *w, const uint8_t *ocsp, size_t len);
/* The TLS 1.2 handshake message (type 22). */
WARD_MUST_CHECK wres msg_encode_certificate_status(wr *w, const uint8_t *ocsp, size_t len);

/* ---- ServerKeyExchange, ECDHE only (RFC 8422 §5.4) ---- */
typedef struct {
    uint16_t group;
    span public_key;           /* ECPoint point<1..2^8-1> */
    span params;               /* the raw ServerECDHParams bytes (curve_type..public),
                                * which the signature covers */
    uint16_t scheme;           /* SignatureAndHashAlgorithm as a u16 scheme */
    span signature;            /* non-empty */
} msg_server_key_exchange;
/* curve_type other than named_curve(3): WARD_ERR_ILLEGAL_PARAMETER; empty
 * point or signature, truncation, trailing bytes: WARD_ERR_DECODE. */
WARD_MUST_CHECK wres msg_decode_server_key_exchange(span body, msg_server_key_exchange *ske);
/* Writes the params part only into w (no handshake header): for signing
 * before the message exists. publen 1..255. */
WARD_MUST_CHECK wres msg_encode_ecdh_params(wr *w, uint16_t group, const uint8_t *pub,
                                            size_t publen);
/* The whole message: header + params + scheme + signature (non-empty). */
WARD_MUST_CHECK wres msg_encode_server_key_exchange(wr *w, const uint8_t *params,
                                                    size_t params_len, uint16_t scheme,
                                                    const uint8_t *sig, size_t siglen);

/* ---- ClientKeyExchange (RFC 5246 §7.4.7) ---- */
/* ECDHE (RFC 8422 §5.7): ECPoint ecdh_Yc<1..2^8-1>; empty: WARD_ERR_DECODE. */
WARD_MUST_CHECK wres msg_decode_client_key_exchange_ecdhe(span body, span *point);
/* RSA (§7.4.7.1): EncryptedPreMasterSecret opaque<0..2^16-1>. An empty or
 * wrong-sized ciphertext decodes: judging it is RSA decryption's job (with
 * implicit rejection), not the codec's. */
WARD_MUST_CHECK wres msg_decode_client_key_exchange_rsa(span body, span *encrypted_pms);
WARD_MUST_CHECK wres msg_encode_client_key_exchange_ecdhe(wr *w, const uint8_t *point,
                                                          size_t len); /* 1..255 */
WARD_MUST_CHECK wres msg_encode_client_key_exchange_rsa(wr *w, const uint8_t *enc,
                                                        size_t len); /* 1..65535 */

/* ---- ServerHelloDone and HelloRequest (TLS 1.2): empty bodies ---- */
/* WARD_ERR_DECODE unless body is empty. */
WARD_MUST_CHECK wres msg_decode_empty(span body);
WARD_MUST_CHECK wres msg_encode_server_hello_done(wr *w);

/* ---- CertificateVerify ---- */
typedef struct {
    uint16_t scheme;
    span signature;            /* non-empty */
} msg_certificate_verify;
WARD_MUST_CHECK wres msg_decode_certificate_verify(span body, msg_certificate_verify *cv);
WARD_MUST_CHECK wres msg_encode_certificate_verify(wr *w, uint16_t scheme, const uint8_t *sig,
                                                   size_t siglen);

/* ---- Finished ---- */
/* verify_data must be exactly hash_len bytes: otherwise WARD_ERR_DECODE.
 * TLS 1.2 (RFC 5246 §7.4.9): hash_len is verify_data_length, 12. */
WARD_MUST_CHECK wres msg_decode_finished(span body, size_t hash_len, span *verify_data);
WARD_MUST_CHECK wres msg_encode_finished(wr *w, const uint8_t *verify_data, size_t len);

/* ---- KeyUpdate ---- */
/* request_update must be 0 or 1: otherwise WARD_ERR_ILLEGAL_PARAMETER. */
WARD_MUST_CHECK wres msg_decode_key_update(span body, int *request_update);
WARD_MUST_CHECK wres msg_encode_key_update(wr *w, int request_update);

/* ---- pre_shared_key in a ClientHello (RFC 8446 §4.2.11) ---- */
#define MSG_MAX_PSK_IDENTITIES 8
typedef struct {
    size_t n;                  /* identities, 1..MSG_MAX_PSK_IDENTITIES */
    span identity[MSG_MAX_PSK_IDENTITIES];
    uint32_t obfuscated_age[MSG_MAX_PSK_IDENTITIES];
    span binder[MSG_MAX_PSK_IDENTITIES];
    size_t binders_len;        /* the binders list with its u16 length: what
                                * the truncated ClientHello leaves out */
} msg_psk_offer;
/* Empty lists, an empty identity, a binder under 32 bytes or a count
 * mismatch: WARD_ERR_DECODE; more identities than ward looks at:
 * WARD_ERR_ILLEGAL_PARAMETER. */
WARD_MUST_CHECK wres msg_decode_psk_offer(span ext, msg_psk_offer *o);

/* ---- NewSessionTicket (TLS 1.3, §4.6.1) ---- */
typedef struct {
    uint32_t lifetime;
    uint32_t age_add;
    span nonce;
    span ticket;               /* non-empty */
    int has_early_data;
    uint32_t max_early_data;
} msg_new_session_ticket;
WARD_MUST_CHECK wres msg_decode_new_session_ticket(span body, msg_new_session_ticket *t);
/* max_early_data 0: no early_data extension. */
WARD_MUST_CHECK wres msg_encode_new_session_ticket(wr *w, uint32_t lifetime, uint32_t age_add,
                                                   const uint8_t *nonce, size_t nonce_len,
                                                   const uint8_t *ticket, size_t ticket_len,
                                                   uint32_t max_early_data);
/* TLS 1.2 NewSessionTicket (RFC 5077 §3.3): lifetime_hint u32, ticket<0..2^16-1>. */
WARD_MUST_CHECK wres msg_decode_new_session_ticket12(span body, uint32_t *lifetime_hint,
                                                     span *ticket);
WARD_MUST_CHECK wres msg_encode_new_session_ticket12(wr *w, uint32_t lifetime_hint,
                                                     const uint8_t *ticket, size_t len);
/* EndOfEarlyData (§4.5): empty. */
WARD_MUST_CHECK wres msg_encode_end_of_early_data(wr *w);

/* ---- the transcript's synthetic message_hash (RFC 8446 §4.4.1) ---- */
/* Writes 254 00 00 hash_len || hash. */
WARD_MUST_CHECK wres msg_encode_message_hash(wr *w, const uint8_t *hash, size_t hash_len);

/* 1 if a validated ProtocolNameList body (msg_client_hello.alpn) holds the
 * protocol name (len bytes). */
int msg_alpn_list_has(span list, const uint8_t *name, size_t len);

/* ---- shared by the msg/ sources (and usable by hs/) ---- */
/* Walk the entries of one extension block (RFC 8446 §4.2): each entry is
 * type(2) len(2) data. fn is called once per extension with a reader over
 * its data, which fn must consume exactly (else WARD_ERR_DECODE); is_last
 * is 1 for the block's final entry. A type seen twice is
 * WARD_ERR_ILLEGAL_PARAMETER. Any number of entries that fits the block is
 * walked (RFC 8446 §9.3: unknown ones are ignored, not counted against the
 * peer), in time linear in the block. */
typedef wres (*msg_ext_fn)(void *ctx, uint16_t type, rd *data, int is_last);
WARD_MUST_CHECK wres msg_ext_walk(span entries, msg_ext_fn fn, void *ctx);

/* Read a non-empty, even-length u16 list behind a width-byte (1 or 2)
 * length prefix; *list is its body. */
WARD_MUST_CHECK wres msg_read_u16_list(rd *r, uint8_t width, span *list);
/* Read a ProtocolNameList (RFC 7301 §3.1): u16 length, then one or more
 * names, each u8 length >= 1. *list is the body, *count the names. */
WARD_MUST_CHECK wres msg_read_alpn_list(rd *r, span *list, size_t *count);

/* Writers: a handshake header (type, u24 length to be closed) and an
 * extension header (type, u16 length to be closed). */
static inline wr_block msg_hs_open(wr *w, uint8_t type)
{
    wr_u8(w, type);
    return wr_open(w, 3);
}
static inline wr_block msg_ext_open(wr *w, uint16_t type)
{
    wr_u16(w, type);
    return wr_open(w, 2);
}
/* n u16 values behind a width-byte length prefix. */
WARD_MUST_CHECK wres msg_write_u16_list(wr *w, uint8_t width, const uint16_t *v, size_t n);

#endif
