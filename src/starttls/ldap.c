/* LDAP StartTLS (RFC 4511 §4.14): the client sends the ExtendedRequest
 * named 1.3.6.1.4.1.1466.20037 and the server answers an ExtendedResponse;
 * resultCode success means TLS starts at once (§4.14.2), anything else is
 * a refusal the client reports with the server's diagnosticMessage.
 *
 * The client speaks first. Our request is messageID 1; the answer must
 * carry it too, except a Notice of Disconnection (§4.4.1, messageID 0),
 * which is how a server says it will not talk to us at all. */
#include <stdio.h>
#include <string.h>

#include "starttls/binproto.h"
#include "starttls/dialogue.h"

#define LDAP_MSGID 1

/* The next whole LDAPMessage in the input: 1 and *size, 0 to wait, or the
 * dialogue failed (returned through *r). */
static int take_message(ward_starttls *d, const uint8_t **p, size_t *size, wres *r,
                        const char *who)
{
    size_t n = stt_peek(d, p);
    char q[STT_QUOTE_CAP];
    long got = n > 0 && (*p)[0] != 0x30 ? -1 : stt_ber_size(*p, n, STT_LDAP_MSG_MAX);
    *r = wres_ok();
    if (got == -2)
        *r = stt_fail(d, WARD_ERR_STARTTLS_PROTOCOL,
                      "%s LDAP message is longer than %d bytes: \"%s\"", who, STT_LDAP_MSG_MAX,
                      stt_quote(q, sizeof q, *p, n));
    else if (got < 0)
        *r = stt_fail(d, WARD_ERR_STARTTLS_PROTOCOL,
                      "%s bytes are not an LDAP message (a BER SEQUENCE): \"%s\"", who,
                      stt_quote(q, sizeof q, *p, n));
    else if (got > 0 && (size_t)got <= n) {
        *size = (size_t)got;
        return 1;
    }
    return 0; /* failed, or more bytes are needed */
}

/* ---- the client half ---- */
static WARD_MUST_CHECK wres client_start(ward_starttls *d)
{
    uint8_t req[64];
    size_t n = stt_ldap_request(req, sizeof req, LDAP_MSGID);
    ENSURE(n > 0, WARD_ERR_INTERNAL);
    static const char text[] = "ExtendedRequest StartTLS (1.3.6.1.4.1.1466.20037), messageID 1";
    stt_log(d, 0, text, sizeof text - 1);
    return stt_send(d, req, n);
}

static WARD_MUST_CHECK wres client_result(ward_starttls *d, const stt_ldap_result *r)
{
    char q[STT_QUOTE_CAP], line[STT_QUOTE_CAP + 80];
    stt_quote(q, sizeof q, r->diag, r->diag_len);
    int n = snprintf(line, sizeof line, "ExtendedResponse messageID %u, resultCode %u (%s) \"%s\"",
                     (unsigned)r->msgid, (unsigned)r->code, stt_ldap_result_name(r->code), q);
    stt_log(d, 1, line, n > 0 && (size_t)n < sizeof line ? (size_t)n : sizeof line - 1);
    if (r->msgid == 0) /* RFC 4511 §4.4.1 */
        return stt_fail(d, WARD_ERR_STARTTLS_REFUSED,
                        "the server sent a notice of disconnection: resultCode %u (%s): \"%s\"",
                        (unsigned)r->code, stt_ldap_result_name(r->code), q);
    if (r->msgid != LDAP_MSGID)
        return stt_fail(d, WARD_ERR_STARTTLS_PROTOCOL,
                        "the server answered messageID %u, not our StartTLS request's %d",
                        (unsigned)r->msgid, LDAP_MSGID);
    if (r->code != 0)
        return stt_fail(d, WARD_ERR_STARTTLS_REFUSED,
                        "the server refused StartTLS: resultCode %u (%s): \"%s\"",
                        (unsigned)r->code, stt_ldap_result_name(r->code), q);
    const size_t olen = strlen(STT_LDAP_STARTTLS_OID);
    if (r->name && (r->name_len != olen || memcmp(r->name, STT_LDAP_STARTTLS_OID, olen) != 0))
        return stt_fail(d, WARD_ERR_STARTTLS_PROTOCOL,
                        "the server's success names another operation: responseName \"%s\"",
                        stt_quote(q, sizeof q, r->name, r->name_len));
    return stt_upgrade(d, "the server's StartTLS success response");
}

static WARD_MUST_CHECK wres client_input(ward_starttls *d)
{
    const uint8_t *p;
    size_t size;
    wres r;
    if (!take_message(d, &p, &size, &r, "the server's"))
        return r;
    stt_ldap_result res;
    const char *why = NULL;
    char q[STT_QUOTE_CAP];
    if (!wres_is_ok(stt_ldap_response_parse(p, size, &res, &why)))
        return stt_fail(d, WARD_ERR_STARTTLS_PROTOCOL,
                        "the server's answer is a malformed LDAP message (%s): \"%s\"", why,
                        stt_quote(q, sizeof q, p, size));
    if (res.op != 0x78)
        return stt_fail(d, WARD_ERR_STARTTLS_PROTOCOL,
                        "the server answered with an LDAP operation of tag 0x%02x, not an "
                        "ExtendedResponse (0x78)",
                        res.op);
    stt_consume(d, size);
    return client_result(d, &res);
}

const stt_ops stt_ldap_client = {
    .app = WARD_APP_LDAP,
    .server = 0,
    .start = client_start,
    .on_input = client_input,
    .on_secured = NULL, /* the bind and the rest are the application's */
};

/* ---- the server half ---- */
static WARD_MUST_CHECK wres server_input(ward_starttls *d)
{
    const uint8_t *p, *name;
    size_t size, name_len;
    uint32_t msgid;
    wres r;
    if (!take_message(d, &p, &size, &r, "the client's"))
        return r;
    const char *why = NULL;
    char q[STT_QUOTE_CAP];
    if (!wres_is_ok(stt_ldap_request_parse(p, size, &msgid, &name, &name_len, &why)))
        return stt_fail(d, WARD_ERR_STARTTLS_PROTOCOL,
                        "the client's first LDAP message is not a StartTLS request (%s): \"%s\"",
                        why, stt_quote(q, sizeof q, p, size));
    const size_t olen = strlen(STT_LDAP_STARTTLS_OID);
    if (name_len != olen || memcmp(name, STT_LDAP_STARTTLS_OID, olen) != 0)
        return stt_fail(d, WARD_ERR_STARTTLS_PROTOCOL,
                        "the client asked for another extended operation: \"%s\"",
                        stt_quote(q, sizeof q, name, name_len));
    stt_consume(d, size);
    static const char in[] = "ExtendedRequest StartTLS (1.3.6.1.4.1.1466.20037)";
    stt_log(d, 1, in, sizeof in - 1);
    uint8_t resp[128];
    size_t n = stt_ldap_response(resp, sizeof resp, msgid, 0, "", STT_LDAP_STARTTLS_OID);
    ENSURE(n > 0, WARD_ERR_INTERNAL);
    static const char out[] = "ExtendedResponse resultCode 0 (success)";
    /* Upgrade first: a request with bytes behind it gets no success. */
    GUARD(stt_upgrade(d, "the client's StartTLS request"));
    stt_log(d, 0, out, sizeof out - 1);
    return stt_send(d, resp, n);
}

const stt_ops stt_ldap_server = {
    .app = WARD_APP_LDAP,
    .server = 1,
    .start = NULL, /* the client speaks first */
    .on_input = server_input,
    .on_secured = NULL,
};
