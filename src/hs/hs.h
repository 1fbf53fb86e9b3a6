/* Handshake internals shared by the client and server state machines. */
#ifndef WARD_HS_HS_H
#define WARD_HS_HS_H

#include "hs/state.h"
#include "msg/msg.h"
#include "record/record.h"

struct hs_flight; /* hs/flight.h */

/* ---- transcript (src/hs/transcript.c) ---- */
WARD_MUST_CHECK wres transcript_start(hs_ctx *c, hash_alg hash);
WARD_MUST_CHECK wres transcript_add(hs_ctx *c, const uint8_t *msg, size_t len);
WARD_MUST_CHECK wres transcript_hash(hs_ctx *c, uint8_t *out);
/* Replace the transcript so far with message_hash(Hash(...)) (§4.4.1). */
WARD_MUST_CHECK wres transcript_collapse_for_hrr(hs_ctx *c);

/* Install traffic keys for a direction from a secret. */
WARD_MUST_CHECK wres hs_install_keys(hs_ctx *c, int write, const uint8_t *secret);
/* Key material from the suite. */
WARD_MUST_CHECK wres hs_set_suite(hs_ctx *c, uint16_t suite);
/* Client certificates (hs/client_auth.c): what only the handshake needed;
 * at the end of the handshake, keeping the transcript for post-handshake
 * authentication; and everything, with the connection. */
void hs_client_auth_done(hs_ctx *c);
void hs_client_auth_handshake_done(hs_ctx *c);
void hs_client_auth_free(hs_ctx *c);

int hs_list_has(const uint16_t *list, size_t n, uint16_t v);
/* The ML-KEM groups (the hybrids and MLKEM1024) exist in TLS 1.3 only. */
int hs_group_is_pq(uint16_t group);
WARD_MUST_CHECK wres hs_cv_content(hs_ctx *c, int server_signs, uint8_t *out, size_t cap,
                                   size_t *len);
WARD_MUST_CHECK wres hs_derive_hs_secrets(hs_ctx *c, const uint8_t *shared, size_t len);
WARD_MUST_CHECK wres hs_derive_app_secrets(hs_ctx *c);
WARD_MUST_CHECK wres hs_finished_for(hs_ctx *c, int server_side, uint8_t *out);
WARD_MUST_CHECK wres hs_check_finished(hs_ctx *c, int server_side, span body);
/* A fresh key pair for group, its private key from the configuration's
 * random source (crypto_kex_keygen_from). */
WARD_MUST_CHECK wres hs_keygen(hs_ctx *c, crypto_kex *k, uint16_t group, uint8_t *pub,
                               size_t cap, size_t *publen);
/* Our Hello random. */
WARD_MUST_CHECK wres hs_make_random(hs_ctx *c);
/* n bytes from the configuration's random source; a failure fails the
 * connection (WARD_ERR_INTERNAL, "the random source failed"). */
WARD_MUST_CHECK wres hs_random(hs_ctx *c, uint8_t *out, size_t n);
/* r from a key-share operation that drew a private key for group: a
 * WARD_ERR_INTERNAL with a source of the configuration's own fails the
 * connection with the source's text; anything else is returned as it is. */
WARD_MUST_CHECK wres hs_random_failed(hs_ctx *c, wres r, uint16_t group);

/* test_hooks.c: the handshake's only reads of the test hooks
 * (hs/test_hooks.h); each answers "no" for a configuration without them. */
int hooks_allow_weak_rsa(const ward_config *cfg);
int hooks_no_ems(const ward_config *cfg);
uint16_t hooks_record_size_limit(const ward_config *cfg); /* 0: none */
void hooks_client_hello(const ward_config *cfg, msg_client_hello_params *p);
void hooks_encrypted_extensions(const ward_config *cfg, msg_encrypted_extensions_params *ee);
/* 1 and out filled: the hook's HelloRetryRequest cookie. */
int hooks_hrr_cookie(const ward_config *cfg, uint8_t *out, size_t cap, size_t *len);
/* *used 1 and sig filled: a recorded CertificateVerify signature to replay. */
WARD_MUST_CHECK wres hooks_cv_signature(const ward_config *cfg, uint8_t *sig, size_t cap,
                                        size_t *len, int *used);
/* 1 and *st filled: the hook's ticket, taken as one of ours (RFC 8448 §4). */
int hooks_ticket(const hs_ctx *c, span id, uint64_t now, resume_state *st);

/* tls12.c */
/* rsa_pkcs1_sha256/384/512: TLS 1.2 ServerKeyExchange only. */
int hs_pkcs1_scheme(uint16_t scheme);
int hs_suite_enabled(const ward_config *cfg, uint16_t code, uint16_t version);
WARD_MUST_CHECK wres hs12_derive_keys(hs_ctx *c, const uint8_t *pms, size_t pms_len);
WARD_MUST_CHECK wres hs12_derive_key_block(hs_ctx *c);
WARD_MUST_CHECK wres hs12_install(hs_ctx *c, int write);
WARD_MUST_CHECK wres hs12_send_finished(hs_ctx *c);
WARD_MUST_CHECK wres hs12_check_finished(hs_ctx *c, span body);
WARD_MUST_CHECK wres hs12_send_ccs_and_keys(hs_ctx *c);
WARD_MUST_CHECK wres hs12_refuse_renegotiation(hs_ctx *c);

/* peer_cert.c: the peer's leaf key under ward's size rule; role is
 * "server" or "client", for the message. */
WARD_MUST_CHECK wres hs_peer_key_strength(hs_ctx *c, const char *role);
/* The peer's keyUsage for what its key does here (unsupported_certificate
 * otherwise): the server's by version and suite, a client's for signing. */
WARD_MUST_CHECK wres hs_client_check_server_usage(hs_ctx *c);
WARD_MUST_CHECK wres hs_server_check_client_usage(hs_ctx *c);

/* client.c */
WARD_MUST_CHECK wres hs_client_verify_chain(hs_ctx *c);
WARD_MUST_CHECK wres hs_client_take_chain(hs_ctx *c, const msg_certificate *m, span full);
WARD_MUST_CHECK wres hs_client_check_alpn(hs_ctx *c, span alpn);
WARD_MUST_CHECK wres hs_client_start_transcript(hs_ctx *c);
/* client12.c */
WARD_MUST_CHECK wres hs_client12_on_server_hello(hs_ctx *c, const msg_server_hello *sh,
                                                 span full);
WARD_MUST_CHECK wres hs_client12_on_certificate(hs_ctx *c, span body, span full);
WARD_MUST_CHECK wres hs_client12_on_server_key_exchange(hs_ctx *c, span body, span full);
WARD_MUST_CHECK wres hs_client12_on_server_hello_done(hs_ctx *c, span body, span full);
WARD_MUST_CHECK wres hs_client12_on_finished(hs_ctx *c, span body, span full);
/* server12.c */
WARD_MUST_CHECK wres hs_server12_on_client_hello(hs_ctx *c, const msg_client_hello *ch,
                                                 span full);
WARD_MUST_CHECK wres hs_server12_on_client_key_exchange(hs_ctx *c, span body, span full);
WARD_MUST_CHECK wres hs_server12_on_finished(hs_ctx *c, span body, span full);
/* server_ext.c */
WARD_MUST_CHECK wres hs_server_take_name(hs_ctx *c, const msg_client_hello *ch);
WARD_MUST_CHECK wres hs_server_choose_alpn(hs_ctx *c, const msg_client_hello *ch, span *alpn);

/* client.c */
WARD_MUST_CHECK wres hs_client_on_server_hello(hs_ctx *c, span body, span full);
WARD_MUST_CHECK wres hs_client_on_encrypted_extensions(hs_ctx *c, span body, span full);
WARD_MUST_CHECK wres hs_client_on_certificate(hs_ctx *c, span body, span full);
WARD_MUST_CHECK wres hs_client_on_certificate_verify(hs_ctx *c, span body, span full);
WARD_MUST_CHECK wres hs_client_on_finished(hs_ctx *c, span body, span full);
/* server.c */
WARD_MUST_CHECK wres hs_server_on_client_hello(hs_ctx *c, span body, span full);
WARD_MUST_CHECK wres hs_server_on_finished(hs_ctx *c, span body, span full);

/* client_auth.c: client certificates (mutual TLS), both versions, both roles */
/* Server: room a CertificateRequest needs, and writing it into a flight
 * (nothing when the configuration does not ask for client certificates). */
size_t hs_server_cert_request_size(const hs_ctx *c);
WARD_MUST_CHECK wres hs_server_write_cert_request13(hs_ctx *c, wr *w);
WARD_MUST_CHECK wres hs_server_write_cert_request12(hs_ctx *c, wr *w);
WARD_MUST_CHECK wres hs_server_on_client_certificate(hs_ctx *c, span body, span full);
WARD_MUST_CHECK wres hs_server_on_client_certificate_verify(hs_ctx *c, span body, span full);
WARD_MUST_CHECK wres hs_server12_on_client_certificate(hs_ctx *c, span body, span full);
WARD_MUST_CHECK wres hs_server12_on_client_certificate_verify(hs_ctx *c, span body,
                                                             span full);
/* Client: a CertificateRequest (TLS 1.3 §4.3.2 / TLS 1.2 §7.4.4) picks the
 * scheme we will sign with; then our Certificate [and CertificateVerify]. */
WARD_MUST_CHECK wres hs_client_on_certificate_request(hs_ctx *c, span body, span full);
WARD_MUST_CHECK wres hs_client12_on_certificate_request(hs_ctx *c, span body, span full);
WARD_MUST_CHECK wres hs_client_send_certificate13(hs_ctx *c, struct hs_flight *f);
WARD_MUST_CHECK wres hs_client_send_certificate12(hs_ctx *c, struct hs_flight *f);
WARD_MUST_CHECK wres hs_client_send_certificate_verify12(hs_ctx *c, struct hs_flight *f);
/* §4.6.2 post-handshake authentication: the client answers a request;
 * the server asks (hs_request_client_cert) and takes the answer. */
WARD_MUST_CHECK wres hs_client_on_pha_request(hs_ctx *c, span body, span full);
ward_err hs_server_send_pha_request(hs_ctx *c);
WARD_MUST_CHECK wres hs_server_on_pha_certificate(hs_ctx *c, span body, span full);
WARD_MUST_CHECK wres hs_server_on_pha_certificate_verify(hs_ctx *c, span body, span full);
WARD_MUST_CHECK wres hs_server_on_pha_finished(hs_ctx *c, span body, span full);

/* common.c: the peer's KeyUpdate (§4.6.3) */
WARD_MUST_CHECK wres hs_on_key_update(hs_ctx *c, span body, span full);

/* table.c: the handshake as data (kinds, sequences) and its driver */
/* A kind's sequence as text (the post-handshake authentication one with
 * pha): "C ClientHello, S ServerHello, ...", "?" after an optional
 * message; returns the length it needs. */
size_t hs_table_describe(unsigned kind, int pha, char *out, size_t cap);

#endif
