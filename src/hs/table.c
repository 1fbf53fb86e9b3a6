/* The handshake as data: for each kind of handshake (HK_* flags, which the
 * handlers record as they learn them) the sequence of messages, each with
 * its sender. The connection keeps its kind and its place; the message
 * expected next is read from the table, and only the driver here moves
 * the place and sets c->state. Handlers decode and act.
 *
 * One array holds the sequences of all kinds: a step belongs to the kinds
 * with all of its `need` flags and none of its `skip` flags. Steps the
 * peer sends are awaited; our own are passed over (the handler of the
 * message before them sent them). A step can be optional: it may be left
 * out, and when it comes it sets a kind flag (CertificateRequest); when
 * it is left out its `absent` action runs (a missing CertificateStatus). */
#include <stdio.h>
#include <string.h>

#include "hs/hs.h"
#include "hs/identity.h"
#include "hs/psk.h"
#include "hs/resume12.h"

enum { FROM_CLIENT = 1, FROM_SERVER = 2, FROM_EITHER = 3 };
enum { STEP_OPTIONAL = 1, STEP_CCS = 2 };

typedef wres (*hs_handler)(hs_ctx *c, span body, span full);

typedef struct {
    uint8_t from;              /* its sender */
    uint8_t type;              /* HS_*; a change_cipher_spec record with STEP_CCS */
    uint8_t flags;             /* STEP_* */
    unsigned need, skip;       /* the kinds it belongs to */
    unsigned sets;             /* optional: the kind flag it sets when it comes */
    hs_handler handle;         /* the receiver's */
    wres (*absent)(hs_ctx *c); /* optional: run when the next one comes instead */
    hs_state wait;             /* c->state while it is awaited */
    const char *name;
} hs_step;

typedef struct {
    const hs_step *steps;
    size_t n;
} hs_seq;

static WARD_MUST_CHECK wres on_new_session_ticket13(hs_ctx *c, span body, span full)
{
    (void)full;
    return hs_client_on_new_session_ticket(c, body);
}

/* RFC 5746: ward never renegotiates; it says so and goes on. */
static WARD_MUST_CHECK wres on_renegotiation(hs_ctx *c, span body, span full)
{
    (void)body;
    (void)full;
    return hs12_refuse_renegotiation(c);
}

static WARD_MUST_CHECK wres on_ccs12(hs_ctx *c, span body, span full)
{
    (void)body;
    (void)full;
    return hs12_install(c, 0);
}

#define NOT12 HK_TLS12
#define FULL12 HK_RESUMED
/* TLS 1.3 (RFC 8446 §2, §4.1.4, §4.3.2, §4.5) and TLS 1.2 (RFC 5246 §7.3,
 * RFC 6066 §8, RFC 5077 §3.1), full and resumed, in one order. */
static const hs_step handshake[] = {
    {FROM_CLIENT, HS_CLIENT_HELLO, 0, 0, 0, 0, hs_server_on_client_hello, NULL,
     ST_SERVER_WAIT_CH, "ClientHello"},
    {FROM_SERVER, HS_SERVER_HELLO, 0, HK_HRR, 0, 0, hs_client_on_server_hello, NULL,
     ST_CLIENT_WAIT_SH, "HelloRetryRequest"},
    {FROM_CLIENT, HS_CLIENT_HELLO, 0, HK_HRR, 0, 0, hs_server_on_client_hello, NULL,
     ST_SERVER_WAIT_CH2, "ClientHello"},
    {FROM_SERVER, HS_SERVER_HELLO, 0, 0, 0, 0, hs_client_on_server_hello, NULL,
     ST_CLIENT_WAIT_SH, "ServerHello"},
    /* TLS 1.3 */
    {FROM_SERVER, HS_ENCRYPTED_EXTENSIONS, 0, 0, NOT12, 0, hs_client_on_encrypted_extensions,
     NULL, ST_CLIENT_WAIT_EE, "EncryptedExtensions"},
    {FROM_SERVER, HS_CERTIFICATE_REQUEST, STEP_OPTIONAL, 0, NOT12 | HK_RESUMED, HK_CLIENT_AUTH,
     hs_client_on_certificate_request, NULL, ST_CLIENT_WAIT_CERT, "CertificateRequest"},
    {FROM_SERVER, HS_CERTIFICATE, 0, 0, NOT12 | HK_RESUMED, 0, hs_client_on_certificate, NULL,
     ST_CLIENT_WAIT_CERT, "Certificate"},
    {FROM_SERVER, HS_CERTIFICATE_VERIFY, 0, 0, NOT12 | HK_RESUMED, 0,
     hs_client_on_certificate_verify, NULL, ST_CLIENT_WAIT_CV, "CertificateVerify"},
    {FROM_SERVER, HS_FINISHED, 0, 0, NOT12, 0, hs_client_on_finished, NULL,
     ST_CLIENT_WAIT_FINISHED, "Finished"},
    {FROM_CLIENT, HS_END_OF_EARLY_DATA, 0, HK_EARLY_DATA, NOT12, 0,
     hs_server_on_end_of_early_data, NULL, ST_SERVER_WAIT_EOED, "EndOfEarlyData"},
    {FROM_CLIENT, HS_CERTIFICATE, 0, HK_CLIENT_AUTH, NOT12, 0, hs_server_on_client_certificate,
     NULL, ST_SERVER_WAIT_CERT, "Certificate"},
    {FROM_CLIENT, HS_CERTIFICATE_VERIFY, 0, HK_CLIENT_CERT, NOT12, 0,
     hs_server_on_client_certificate_verify, NULL, ST_SERVER_WAIT_CV, "CertificateVerify"},
    {FROM_CLIENT, HS_FINISHED, 0, 0, NOT12, 0, hs_server_on_finished, NULL,
     ST_SERVER_WAIT_FINISHED, "Finished"},
    /* TLS 1.2, full handshake */
    {FROM_SERVER, HS_CERTIFICATE, 0, HK_TLS12, FULL12, 0, hs_client12_on_certificate, NULL,
     ST_CLIENT12_WAIT_CERT, "Certificate"},
    {FROM_SERVER, HS_CERTIFICATE_STATUS, STEP_OPTIONAL, HK_TLS12 | HK_OCSP_STATUS, FULL12, 0,
     hs_client12_on_certificate_status, hs_ocsp_client12_unstapled, ST_CLIENT12_WAIT_CERT,
     "CertificateStatus"},
    {FROM_SERVER, HS_SERVER_KEY_EXCHANGE, 0, HK_TLS12, FULL12 | HK_RSA_KX, 0,
     hs_client12_on_server_key_exchange, NULL, ST_CLIENT12_WAIT_SKE, "ServerKeyExchange"},
    {FROM_SERVER, HS_CERTIFICATE_REQUEST, STEP_OPTIONAL, HK_TLS12, FULL12, HK_CLIENT_AUTH,
     hs_client12_on_certificate_request, NULL, ST_CLIENT12_WAIT_SHD, "CertificateRequest"},
    {FROM_SERVER, HS_SERVER_HELLO_DONE, 0, HK_TLS12, FULL12, 0, hs_client12_on_server_hello_done,
     NULL, ST_CLIENT12_WAIT_SHD, "ServerHelloDone"},
    {FROM_CLIENT, HS_CERTIFICATE, 0, HK_TLS12 | HK_CLIENT_AUTH, FULL12, 0,
     hs_server12_on_client_certificate, NULL, ST_SERVER12_WAIT_CERT, "Certificate"},
    {FROM_CLIENT, HS_CLIENT_KEY_EXCHANGE, 0, HK_TLS12, FULL12, 0,
     hs_server12_on_client_key_exchange, NULL, ST_SERVER12_WAIT_CKE, "ClientKeyExchange"},
    {FROM_CLIENT, HS_CERTIFICATE_VERIFY, 0, HK_TLS12 | HK_CLIENT_CERT, FULL12, 0,
     hs_server12_on_client_certificate_verify, NULL, ST_SERVER12_WAIT_CV, "CertificateVerify"},
    {FROM_CLIENT, 0, STEP_CCS, HK_TLS12, FULL12, 0, on_ccs12, NULL, ST_SERVER12_WAIT_CCS,
     "ChangeCipherSpec"},
    {FROM_CLIENT, HS_FINISHED, 0, HK_TLS12, FULL12, 0, hs_server12_on_finished, NULL,
     ST_SERVER12_WAIT_FINISHED, "Finished"},
    /* TLS 1.2, the server's last flight (its first after ServerHello when resumed) */
    {FROM_SERVER, HS_NEW_SESSION_TICKET, STEP_OPTIONAL, HK_TLS12, 0, 0,
     hs_client12_on_new_session_ticket, NULL, ST_CLIENT12_WAIT_CCS, "NewSessionTicket"},
    {FROM_SERVER, 0, STEP_CCS, HK_TLS12, 0, 0, on_ccs12, NULL, ST_CLIENT12_WAIT_CCS,
     "ChangeCipherSpec"},
    {FROM_SERVER, HS_FINISHED, 0, HK_TLS12, 0, 0, hs_client12_on_finished, NULL,
     ST_CLIENT12_WAIT_FINISHED, "Finished"},
    /* TLS 1.2, abbreviated: the client ends it */
    {FROM_CLIENT, 0, STEP_CCS, HK_TLS12 | HK_RESUMED, 0, 0, on_ccs12, NULL, ST_SERVER12_WAIT_CCS,
     "ChangeCipherSpec"},
    {FROM_CLIENT, HS_FINISHED, 0, HK_TLS12 | HK_RESUMED, 0, 0, hs_server12_on_finished, NULL,
     ST_SERVER12_WAIT_FINISHED, "Finished"},
};

/* After the handshake, at any time (RFC 8446 §4.6, RFC 5746 §4.2/§4.4). */
static const hs_step post_any[] = {
    {FROM_EITHER, HS_KEY_UPDATE, STEP_OPTIONAL, 0, NOT12, 0, hs_on_key_update, NULL,
     ST_CONNECTED, "KeyUpdate"},
    {FROM_SERVER, HS_NEW_SESSION_TICKET, STEP_OPTIONAL, 0, NOT12, 0, on_new_session_ticket13,
     NULL, ST_CONNECTED, "NewSessionTicket"},
    {FROM_SERVER, HS_CERTIFICATE_REQUEST, STEP_OPTIONAL, 0, NOT12, 0, hs_client_on_pha_request,
     NULL, ST_CONNECTED, "CertificateRequest"},
    {FROM_SERVER, HS_HELLO_REQUEST, STEP_OPTIONAL, HK_TLS12, 0, 0, on_renegotiation, NULL,
     ST_CONNECTED, "HelloRequest"},
    {FROM_CLIENT, HS_CLIENT_HELLO, STEP_OPTIONAL, HK_TLS12, 0, 0, on_renegotiation, NULL,
     ST_CONNECTED, "ClientHello"},
};

/* §4.6.2: post-handshake authentication, which the server opens
 * (ward_conn_request_client_cert: HK_PHA, then the place after its
 * CertificateRequest) and the client's Finished closes. */
static const hs_step post_pha[] = {
    {FROM_SERVER, HS_CERTIFICATE_REQUEST, 0, HK_PHA, 0, 0, NULL, NULL, ST_CONNECTED,
     "CertificateRequest"},
    {FROM_CLIENT, HS_CERTIFICATE, 0, HK_PHA, 0, 0, hs_server_on_pha_certificate, NULL,
     ST_CONNECTED, "Certificate"},
    {FROM_CLIENT, HS_CERTIFICATE_VERIFY, 0, HK_PHA | HK_CLIENT_CERT, 0, 0,
     hs_server_on_pha_certificate_verify, NULL, ST_CONNECTED, "CertificateVerify"},
    {FROM_CLIENT, HS_FINISHED, 0, HK_PHA, 0, 0, hs_server_on_pha_finished, NULL, ST_CONNECTED,
     "Finished"},
};

static const hs_seq seq_handshake = {handshake, WARD_ARRAY_LEN(handshake)};
static const hs_seq seq_post_any = {post_any, WARD_ARRAY_LEN(post_any)};
static const hs_seq seq_post_pha = {post_pha, WARD_ARRAY_LEN(post_pha)};

static int in_kind(const hs_step *s, unsigned kind)
{
    return (kind & s->need) == s->need && !(kind & s->skip);
}

static int from_peer(const hs_ctx *c, const hs_step *s)
{
    return (s->from & (c->is_server ? FROM_CLIENT : FROM_SERVER)) != 0;
}

static int step_is(const hs_step *s, int ccs, uint8_t type)
{
    return ccs ? (s->flags & STEP_CCS) != 0 : !(s->flags & STEP_CCS) && s->type == type;
}

/* The step at or after pos that takes this message (SIZE_MAX: none); the
 * search stops at the first step of the kind that may not be left out,
 * whose name *expect gets (NULL: the sequence ends, or it is our turn). */
static size_t find(const hs_ctx *c, const hs_seq *q, size_t pos, int ccs, uint8_t type,
                   const char **expect)
{
    *expect = NULL;
    for (size_t i = pos; i < q->n; i++) {
        const hs_step *s = &q->steps[i];
        if (!in_kind(s, c->hs_kind))
            continue;
        if (!from_peer(c, s) && (s->flags & STEP_OPTIONAL))
            continue;
        if (!from_peer(c, s))
            return SIZE_MAX;
        if (step_is(s, ccs, type))
            return i;
        if (!(s->flags & STEP_OPTIONAL)) {
            *expect = s->name;
            return SIZE_MAX;
        }
    }
    return SIZE_MAX;
}

/* Whether a step of the peer's remains in the sequence after pos. */
static int peer_step_left(const hs_ctx *c, const hs_seq *q, size_t pos)
{
    for (size_t i = pos; i < q->n; i++)
        if (in_kind(&q->steps[i], c->hs_kind) && from_peer(c, &q->steps[i]))
            return 1;
    return 0;
}

/* Past the steps of our own that follow (the handler sent them); returns
 * the state of the first step of the peer's that must come. */
static hs_state settle(const hs_ctx *c, const hs_seq *q, size_t *pos, hs_state end)
{
    size_t i = *pos;
    for (; i < q->n; i++) {
        const hs_step *s = &q->steps[i];
        if (!in_kind(s, c->hs_kind))
            continue;
        if (from_peer(c, s))
            break;
        *pos = i + 1;
    }
    for (; i < q->n; i++) {
        const hs_step *s = &q->steps[i];
        if (in_kind(s, c->hs_kind) && !(s->flags & STEP_OPTIONAL))
            return s->wait;
    }
    return end;
}

/* The message at step at (found from *pos): the optional ones left out
 * before it, the flag it sets, its handler; then the place after it, found
 * again under the kind the handler may have changed (a HelloRetryRequest
 * is a ServerHello the table meets earlier in the HRR kind). */
static WARD_MUST_CHECK wres take(hs_ctx *c, const hs_seq *q, size_t *pos, size_t at, span body,
                                 span full)
{
    const hs_step *s = &q->steps[at];
    for (size_t i = *pos; i < at; i++)
        if (in_kind(&q->steps[i], c->hs_kind) && q->steps[i].absent)
            GUARD(q->steps[i].absent(c));
    c->hs_kind |= s->sets;
    GUARD(s->handle(c, body, full));
    const char *expect;
    size_t again = find(c, q, *pos, (s->flags & STEP_CCS) != 0, s->type, &expect);
    *pos = (again == SIZE_MAX ? at : again) + 1;
    return wres_ok();
}

static WARD_MUST_CHECK wres handle_in_handshake(hs_ctx *c, int ccs, uint8_t type, span body,
                                                span full)
{
    const char *expect;
    size_t at = find(c, &seq_handshake, c->hs_pos, ccs, type, &expect);
    if (at == SIZE_MAX && ccs)
        return hs_fail(c, WARD_ERR_UNEXPECTED_MESSAGE, "unexpected change_cipher_spec");
    if (at == SIZE_MAX && !expect)
        return hs_fail(c, WARD_ERR_UNEXPECTED_MESSAGE, "handshake message %u not expected now",
                         type);
    if (at == SIZE_MAX)
        return hs_fail(c, WARD_ERR_UNEXPECTED_MESSAGE,
                         "unexpected handshake message %u (expected %s)", type, expect);
    GUARD(take(c, &seq_handshake, &c->hs_pos, at, body, full));
    c->state = settle(c, &seq_handshake, &c->hs_pos, ST_CONNECTED);
    return wres_ok();
}

static WARD_MUST_CHECK wres handle_post_handshake(hs_ctx *c, uint8_t type, span body, span full)
{
    const char *expect;
    size_t any = 0;
    size_t at = find(c, &seq_post_any, 0, 0, type, &expect);
    if (at != SIZE_MAX)
        return take(c, &seq_post_any, &any, at, body, full);
    if (c->hs_kind & HK_PHA) {
        at = find(c, &seq_post_pha, c->hs_post_pos, 0, type, &expect);
        if (at != SIZE_MAX) {
            GUARD(take(c, &seq_post_pha, &c->hs_post_pos, at, body, full));
            (void)settle(c, &seq_post_pha, &c->hs_post_pos, ST_CONNECTED);
            if (!peer_step_left(c, &seq_post_pha, c->hs_post_pos))
                c->hs_kind &= ~(unsigned)HK_PHA; /* done: the Finished came */
            return wres_ok();
        }
        for (size_t i = 0; i < seq_post_pha.n; i++)
            if (from_peer(c, &post_pha[i]) && post_pha[i].type == type)
                return hs_fail(c, WARD_ERR_UNEXPECTED_MESSAGE,
                                 "handshake message %u out of order in post-handshake "
                                 "authentication",
                                 type);
    }
    return hs_fail(c, WARD_ERR_UNEXPECTED_MESSAGE,
                     "unexpected handshake message %u after the handshake", type);
}

/* Server: the ClientHello random (after legacy_version, §4.1.2) names the
 * connection in the key log of either version; kept from the first
 * ClientHello, which the HelloRetryRequest flow does not change. A short
 * message is left for its handler to refuse. */
static void note_client_random(hs_ctx *c, span body)
{
    rd r = rd_span(body);
    span random;
    uint16_t legacy_version;
    if (wres_is_ok(rd_u16(&r, &legacy_version)) && wres_is_ok(rd_bytes(&r, 32, &random)))
        memcpy(c->peer_random, random.p, 32);
}

wres hs_handle(hs_ctx *c, uint8_t type, span body, span full)
{
    if (c->state == ST_CONNECTED)
        return handle_post_handshake(c, type, body, full);
    if (c->state == ST_SERVER_WAIT_CH && type == HS_CLIENT_HELLO)
        note_client_random(c, body);
    return handle_in_handshake(c, 0, type, body, full);
}

/* TLS 1.2: the peer's change_cipher_spec, a step of the sequence too,
 * expected exactly once, before its Finished. */
wres hs12_on_ccs(hs_ctx *c, span payload)
{
    span none = span_of(NULL, 0);
    if (payload.len != 1 || payload.p[0] != 1)
        return hs_fail(c, WARD_ERR_UNEXPECTED_MESSAGE, "malformed change_cipher_spec record");
    return handle_in_handshake(c, 1, 0, none, none);
}

void hs_table_init(hs_ctx *c)
{
    c->hs_kind = 0;
    c->hs_pos = 0;
    c->hs_post_pos = 0;
    c->state = c->is_server ? ST_SERVER_WAIT_CH : ST_CLIENT_START;
}

void hs_table_fail(hs_ctx *c)
{
    c->state = ST_FAILED;
}

wres hs_begin(hs_ctx *c)
{
    GUARD(hs_client_start(c));
    c->state = settle(c, &seq_handshake, &c->hs_pos, ST_CONNECTED);
    return wres_ok();
}

/* Server: a post-handshake CertificateRequest (§4.6.2), one open at a
 * time; the table then awaits the client's answer. */
ward_err hs_request_client_cert(hs_ctx *c)
{
    if (c->hs_kind & HK_PHA)
        return WARD_ERR_STATE;
    ward_err e = hs_server_send_pha_request(c);
    if (e != WARD_OK)
        return e;
    c->hs_kind = (c->hs_kind | HK_PHA) & ~(unsigned)HK_CLIENT_CERT;
    c->hs_post_pos = 0;
    (void)settle(c, &seq_post_pha, &c->hs_post_pos, ST_CONNECTED);
    return WARD_OK;
}

/* The sequence of a kind as text, "C ClientHello, S ServerHello, S
 * CertificateRequest?, ..." (? marks an optional message), for the tests
 * and for reading the table. */
size_t hs_table_describe(unsigned kind, int pha, char *out, size_t cap)
{
    const hs_seq *q = pha ? &seq_post_pha : &seq_handshake;
    size_t len = 0;
    if (cap)
        out[0] = '\0';
    for (size_t i = 0; i < q->n; i++) {
        const hs_step *s = &q->steps[i];
        if (!in_kind(s, kind))
            continue;
        int n = snprintf(out + len, len < cap ? cap - len : 0, "%s%s %s%s", len ? ", " : "",
                         s->from == FROM_CLIENT ? "C" : "S", s->name,
                         s->flags & STEP_OPTIONAL ? "?" : "");
        len += n > 0 ? (size_t)n : 0;
    }
    return len;
}
