/* Handshake internals shared by the client and server state machines. */
#ifndef WARD_HS_HS_H
#define WARD_HS_HS_H

#include "conn/internal.h"
#include "msg/msg.h"

int hs_list_has(const uint16_t *list, size_t n, uint16_t v);
/* The ML-KEM groups (the hybrids and MLKEM1024) exist in TLS 1.3 only. */
int hs_group_is_pq(uint16_t group);
WARD_MUST_CHECK wres hs_cv_content(ward_conn *c, int server_signs, uint8_t *out, size_t cap,
                                   size_t *len);
WARD_MUST_CHECK wres hs_derive_hs_secrets(ward_conn *c, const uint8_t *shared, size_t len);
WARD_MUST_CHECK wres hs_derive_app_secrets(ward_conn *c);
WARD_MUST_CHECK wres hs_finished_for(ward_conn *c, int server_side, uint8_t *out);
WARD_MUST_CHECK wres hs_check_finished(ward_conn *c, int server_side, span body);
WARD_MUST_CHECK wres hs_send_finished(ward_conn *c, int server_side);
/* A fresh key pair for group (or the test hook's fixed private key). */
WARD_MUST_CHECK wres hs_keygen(ward_conn *c, crypto_kex *k, uint16_t group, uint8_t *pub,
                               size_t cap, size_t *publen);
/* Our Hello random (or the test hook's). */
WARD_MUST_CHECK wres hs_make_random(ward_conn *c);

/* tls12.c */
/* rsa_pkcs1_sha256/384/512: TLS 1.2 ServerKeyExchange only. */
int hs_pkcs1_scheme(uint16_t scheme);
int hs_suite_enabled(const ward_config *cfg, uint16_t code, uint16_t version);
WARD_MUST_CHECK wres hs12_derive_keys(ward_conn *c, const uint8_t *pms, size_t pms_len);
WARD_MUST_CHECK wres hs12_derive_key_block(ward_conn *c);
WARD_MUST_CHECK wres hs12_install(ward_conn *c, int write);
WARD_MUST_CHECK wres hs12_send_finished(ward_conn *c);
WARD_MUST_CHECK wres hs12_check_finished(ward_conn *c, span body);
WARD_MUST_CHECK wres hs12_send_ccs_and_keys(ward_conn *c);
WARD_MUST_CHECK wres hs12_refuse_renegotiation(ward_conn *c);

/* peer_cert.c: the peer's leaf key under ward's size rule; role is
 * "server" or "client", for the message. */
WARD_MUST_CHECK wres hs_peer_key_strength(ward_conn *c, const char *role);
/* The peer's keyUsage for what its key does here (unsupported_certificate
 * otherwise): the server's by version and suite, a client's for signing. */
WARD_MUST_CHECK wres hs_client_check_server_usage(ward_conn *c);
WARD_MUST_CHECK wres hs_server_check_client_usage(ward_conn *c);

/* client.c */
WARD_MUST_CHECK wres hs_client_verify_chain(ward_conn *c);
WARD_MUST_CHECK wres hs_client_take_chain(ward_conn *c, const msg_certificate *m, span full);
WARD_MUST_CHECK wres hs_client_check_alpn(ward_conn *c, span alpn);
WARD_MUST_CHECK wres hs_client_start_transcript(ward_conn *c);
/* client12.c */
WARD_MUST_CHECK wres hs_client12_on_server_hello(ward_conn *c, const msg_server_hello *sh,
                                                 span full);
WARD_MUST_CHECK wres hs_client12_on_certificate(ward_conn *c, span body, span full);
WARD_MUST_CHECK wres hs_client12_on_server_key_exchange(ward_conn *c, span body, span full);
WARD_MUST_CHECK wres hs_client12_on_certificate_request(ward_conn *c, span body, span full);
WARD_MUST_CHECK wres hs_client12_on_server_hello_done(ward_conn *c, span body, span full);
WARD_MUST_CHECK wres hs_client12_on_finished(ward_conn *c, span body, span full);
/* server12.c */
WARD_MUST_CHECK wres hs_server12_on_client_hello(ward_conn *c, const msg_client_hello *ch,
                                                 span full);
WARD_MUST_CHECK wres hs_server12_on_client_key_exchange(ward_conn *c, span body, span full);
WARD_MUST_CHECK wres hs_server12_on_finished(ward_conn *c, span body, span full);
/* server.c */
WARD_MUST_CHECK wres hs_server_take_name(ward_conn *c, const msg_client_hello *ch);
WARD_MUST_CHECK wres hs_server_choose_alpn(ward_conn *c, const msg_client_hello *ch, span *alpn);

/* client.c */
WARD_MUST_CHECK wres hs_client_on_server_hello(ward_conn *c, span body, span full);
WARD_MUST_CHECK wres hs_client_on_encrypted_extensions(ward_conn *c, span body, span full);
WARD_MUST_CHECK wres hs_client_on_certificate_request(ward_conn *c, span body, span full);
WARD_MUST_CHECK wres hs_client_on_certificate(ward_conn *c, span body, span full);
WARD_MUST_CHECK wres hs_client_on_certificate_verify(ward_conn *c, span body, span full);
WARD_MUST_CHECK wres hs_client_on_finished(ward_conn *c, span body, span full);
/* server.c */
WARD_MUST_CHECK wres hs_server_on_client_hello(ward_conn *c, span body, span full);
WARD_MUST_CHECK wres hs_server_on_finished(ward_conn *c, span body, span full);

/* client_auth.c: client certificates (mutual TLS), both versions, both roles */
/* TLS 1.2 keeps the handshake messages for CertificateVerify when a client
 * certificate may be involved (called from transcript_start / _add). */
void hs_client_auth_transcript_start(ward_conn *c);
WARD_MUST_CHECK wres hs_client_auth_keep(ward_conn *c, const uint8_t *msg, size_t len);
/* Server: room a CertificateRequest needs, and writing it into a flight
 * (nothing when the configuration does not ask for client certificates). */
size_t hs_server_cert_request_size(const ward_conn *c);
WARD_MUST_CHECK wres hs_server_write_cert_request13(ward_conn *c, wr *w);
WARD_MUST_CHECK wres hs_server_write_cert_request12(ward_conn *c, wr *w);
WARD_MUST_CHECK wres hs_server_on_client_certificate(ward_conn *c, span body, span full);
WARD_MUST_CHECK wres hs_server_on_client_certificate_verify(ward_conn *c, span body, span full);
WARD_MUST_CHECK wres hs_server12_on_client_certificate(ward_conn *c, span body, span full);
WARD_MUST_CHECK wres hs_server12_on_client_certificate_verify(ward_conn *c, span body,
                                                             span full);
/* Client: a CertificateRequest (TLS 1.3 §4.3.2 / TLS 1.2 §7.4.4) picks the
 * scheme we will sign with; then our Certificate [and CertificateVerify]. */
WARD_MUST_CHECK wres hs_client_on_cert_request13(ward_conn *c, span body, span full);
WARD_MUST_CHECK wres hs_client_on_cert_request12(ward_conn *c, span body, span full);
WARD_MUST_CHECK wres hs_client_send_certificate13(ward_conn *c);
WARD_MUST_CHECK wres hs_client_send_certificate12(ward_conn *c);
WARD_MUST_CHECK wres hs_client_send_certificate_verify12(ward_conn *c);
/* §4.6.2 post-handshake authentication: the client answers a request;
 * the server takes the answer (hs_table_pha_begin opened it). */
WARD_MUST_CHECK wres hs_client_on_pha_request(ward_conn *c, span body, span full);
WARD_MUST_CHECK wres hs_server_on_pha_certificate(ward_conn *c, span body, span full);
WARD_MUST_CHECK wres hs_server_on_pha_certificate_verify(ward_conn *c, span body, span full);
WARD_MUST_CHECK wres hs_server_on_pha_finished(ward_conn *c, span body, span full);

/* common.c: the peer's KeyUpdate (§4.6.3) */
WARD_MUST_CHECK wres hs_on_key_update(ward_conn *c, span body, span full);

/* table.c: the handshake as data (kinds, sequences) and its driver */
/* The peer's TLS 1.2 change_cipher_spec, when the sequence has it next. */
WARD_MUST_CHECK wres hs_take_ccs(ward_conn *c);
/* The server sent a post-handshake CertificateRequest; one is open. */
void hs_table_pha_begin(ward_conn *c);
int hs_table_pha_open(const ward_conn *c);
/* A kind's sequence as text (the post-handshake authentication one with
 * pha): "C ClientHello, S ServerHello, ...", "?" after an optional
 * message; returns the length it needs. */
size_t hs_table_describe(unsigned kind, int pha, char *out, size_t cap);

#endif
