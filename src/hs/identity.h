/* Server identities chosen by name (RFC 6066 §3) and OCSP staples
 * (RFC 6066 §8): the configuration side (hs/identity_files.c) and the
 * handshake side (hs/identity.c, hs/ocsp_check.c). */
#ifndef WARD_HS_IDENTITY_H
#define WARD_HS_IDENTITY_H

#include "hs/state.h"
#include "msg/msg.h"

/* ---- hs/identity_files.c ---- */
/* A copy of the current response (malloc'd; *der NULL when there is
 * none), re-reading the file first if it changed (checked at most once a
 * second; a file that fails to load leaves the previous response). */
WARD_MUST_CHECK wres ocsp_staple_copy(const ward_config *cfg, ocsp_staple *s, uint8_t **der,
                                      size_t *len);
/* The default identity changed: parse its leaf again for name matching. */
void identity_default_changed(ward_config *cfg);
/* Free what the identities hold (ward_config_free). */
void identity_config_free(ward_config *cfg);

/* ---- hs/identity.c (server) ---- */
/* The chosen identity's chain, key and staple (the default until chosen). */
const crypto_chain *hs_id_chain(const hs_ctx *c);
const crypto_key *hs_id_key(const hs_ctx *c);
/* Whether the handshake could use this key with this ClientHello. */
typedef int (*hs_key_fits)(const hs_ctx *c, const crypto_key *key,
                           const msg_client_hello *ch);
/* Choose c->id by the ClientHello's server_name: the first identity
 * (default first) whose certificate matches it and whose key fits; one
 * that matches without fitting when none fits (the caller then reports
 * why); the default with no name or no match, unless the configuration is
 * strict (WARD_ERR_UNRECOGNIZED_NAME). */
WARD_MUST_CHECK wres hs_identity_select(hs_ctx *c, const msg_client_hello *ch,
                                        hs_key_fits fits);
/* The staple to send for the chosen identity when the client asked for
 * one (malloc'd copy, or NULL/0). */
WARD_MUST_CHECK wres hs_identity_staple(hs_ctx *c, const msg_client_hello *ch,
                                        uint8_t **der, size_t *len);

/* The ClientHello's host_name as a C string into out (WARD_MAX_NAME + 1
 * bytes); 0 when absent or not a plausible host name. */
int hs_sni_name(const msg_client_hello *ch, char *out);

/* ---- hs/hello_cb.c (server callbacks, issue #18) ---- */
/* An ALPN ProtocolNameList as NUL-terminated names (one allocation). */
typedef struct alpn_list {
    const char **names;
    size_t *lens;
    size_t n;
} alpn_list;
WARD_MUST_CHECK wres alpn_list_make(span body, alpn_list *l);
void alpn_list_free(alpn_list *l);
/* Run the ClientHello callback, if any, on a first ClientHello once the
 * version is known: it may choose c->cb_id, or refuse (c->refuse_alert). */
WARD_MUST_CHECK wres hs_server_hello_callback(hs_ctx *c, const msg_client_hello *ch,
                                              uint16_t version);
/* ward_conn_use_identity: WARD_ERR_STATE outside the callback. */
ward_err hs_use_identity(hs_ctx *c, ward_identity *id);
/* The ALPN selection callback's choice (the client sent ALPN). */
WARD_MUST_CHECK wres hs_server_alpn_callback(hs_ctx *c, const msg_client_hello *ch, span *alpn);

/* ---- hs/ocsp_check.c (client) ---- */
/* TLS 1.3: after the server's chain is verified, the leaf's staple (NULL
 * when there is none). */
WARD_MUST_CHECK wres hs_ocsp_client_check(hs_ctx *c, const span *staple);
/* Before the ClientHello: WARD_OCSP_REQUIRE with a pin or without
 * verification is WARD_ERR_CONFIG (the staple could not be checked). */
WARD_MUST_CHECK wres hs_ocsp_client_check_config(hs_ctx *c);
/* TLS 1.2: the ServerHello's status_request (HK_OCSP_STATUS: the table lets
 * CertificateStatus follow Certificate), then the check once Certificate is
 * in when no staple can come. */
WARD_MUST_CHECK wres hs_ocsp_client12_on_server_hello(hs_ctx *c, const msg_server_hello *sh);
WARD_MUST_CHECK wres hs_ocsp_client12_after_certificate(hs_ctx *c);
WARD_MUST_CHECK wres hs_client12_on_certificate_status(hs_ctx *c, span body, span full);
/* CertificateStatus left out (it is optional, RFC 6066 §8): a staple that
 * was required is missing. */
WARD_MUST_CHECK wres hs_ocsp_client12_unstapled(hs_ctx *c);

#endif
