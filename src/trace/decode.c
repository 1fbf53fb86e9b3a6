/* ward_trace_decode: a handshake message event's fields (ward/trace.h).
 * Every message goes through the same msg/ parser the handshake uses, so
 * what does not decode here is what the handshake would refuse; the
 * families with many fields have their own files (decode_hello.c,
 * decode_cert.c). */
#include <string.h>

#include "msg/msg.h"
#include "trace/decode.h"

static WARD_MUST_CHECK wres certificate_verify(span body, ward_trace_msg *m)
{
    msg_certificate_verify cv;
    GUARD(msg_decode_certificate_verify(body, &cv));
    m->scheme = cv.scheme;
    m->signature_len = cv.signature.len;
    return wres_ok();
}

static WARD_MUST_CHECK wres server_key_exchange(span body, ward_trace_msg *m)
{
    msg_server_key_exchange ske;
    GUARD(msg_decode_server_key_exchange(body, &ske));
    m->group = ske.group;
    m->key_len = ske.public_key.len;
    m->scheme = ske.scheme;
    m->signature_len = ske.signature.len;
    return wres_ok();
}

/* RFC 5246 §7.4.7: the body's shape follows the suite's key exchange: RSA
 * key transport (TLS_RSA_WITH_*) sends EncryptedPreMasterSecret<0..2^16-1>,
 * ECDHE (RFC 8422 §5.7) ECPoint<1..2^8-1>. A suite not yet known (0) or
 * unnamed: ECDHE, else the RSA form. */
static int suite_is_rsa_kx(uint16_t suite)
{
    const char *name = ward_trace_name(WARD_NAME_SUITE, suite);
    return name && strncmp(name, "TLS_RSA_WITH_", 13) == 0;
}

static WARD_MUST_CHECK wres client_key_exchange(span body, uint16_t suite, ward_trace_msg *m)
{
    span key;
    wres r = wres_err(WARD_ERR_DECODE);
    m->rsa_kx = suite_is_rsa_kx(suite);
    if (!m->rsa_kx)
        r = msg_decode_client_key_exchange_ecdhe(body, &key);
    if (!wres_is_ok(r) && (m->rsa_kx || !ward_trace_name(WARD_NAME_SUITE, suite))) {
        r = msg_decode_client_key_exchange_rsa(body, &key);
        m->rsa_kx = wres_is_ok(r);
    }
    GUARD(r);
    m->key_len = key.len;
    return wres_ok();
}

static WARD_MUST_CHECK wres new_session_ticket(span body, uint16_t version, ward_trace_msg *m)
{
    msg_new_session_ticket t;
    span ticket;
    wres r = wres_err(WARD_ERR_DECODE);
    if (version == WARD_TLS13 || version == 0)
        r = msg_decode_new_session_ticket(body, &t);
    if (wres_is_ok(r)) {
        m->lifetime = t.lifetime;
        m->ticket_len = t.ticket.len;
        m->early_data = t.has_early_data;
        m->max_early_data = t.max_early_data;
        return r;
    }
    if (version == WARD_TLS13)
        return r;
    /* RFC 5077 §3.3: lifetime_hint, ticket. */
    GUARD(msg_decode_new_session_ticket12(body, &m->lifetime, &ticket));
    m->ticket_len = ticket.len;
    return wres_ok();
}

static WARD_MUST_CHECK wres small_message(const ward_trace_event *ev, span body, ward_trace_msg *m)
{
    span s;
    switch (ev->msg_type) {
    case HS_FINISHED:
        /* The length follows the suite's hash (RFC 8446 §4.4.4) or is 12
         * (RFC 5246 §7.4.9): the trace takes what came. */
        GUARD(msg_decode_finished(body, body.len, &s));
        m->verify_data_len = s.len;
        return wres_ok();
    case HS_KEY_UPDATE:
        return msg_decode_key_update(body, &m->request_update);
    case HS_CERTIFICATE_STATUS:
        GUARD(msg_decode_certificate_status(body, &s));
        m->ocsp_len = s.len;
        return wres_ok();
    case HS_HELLO_REQUEST:
    case HS_SERVER_HELLO_DONE:
    case HS_END_OF_EARLY_DATA:
        return msg_decode_empty(body);
    default:
        /* A type without fields to show (CompressedCertificate, ...). */
        return wres_ok();
    }
}

static WARD_MUST_CHECK wres decode_body(const ward_trace_event *ev, span body, ward_trace_msg *m)
{
    switch (ev->msg_type) {
    case HS_CLIENT_HELLO: return trace_client_hello(body, m);
    case HS_SERVER_HELLO: return trace_server_hello(body, m);
    case HS_ENCRYPTED_EXTENSIONS: return trace_encrypted_extensions(body, m);
    case HS_CERTIFICATE: return trace_certificate(body, ev->version, m);
    case HS_CERTIFICATE_REQUEST: return trace_certificate_request(body, ev->version, m);
    case HS_CERTIFICATE_VERIFY: return certificate_verify(body, m);
    case HS_SERVER_KEY_EXCHANGE: return server_key_exchange(body, m);
    case HS_CLIENT_KEY_EXCHANGE: return client_key_exchange(body, ev->suite, m);
    case HS_NEW_SESSION_TICKET: return new_session_ticket(body, ev->version, m);
    default: return small_message(ev, body, m);
    }
}

/* The 4-byte header (RFC 8446 §4): type(1) length(3), the length exactly
 * what follows. */
static WARD_MUST_CHECK wres split_header(const ward_trace_event *ev, span *body)
{
    rd r = rd_of(ev->data, ev->data ? ev->len : 0);
    uint8_t type;
    uint32_t len;
    GUARD(rd_u8(&r, &type));
    GUARD(rd_u24(&r, &len));
    ENSURE(type == ev->msg_type && len == rd_left(&r), WARD_ERR_DECODE);
    *body = rd_rest(&r);
    return wres_ok();
}

ward_err ward_trace_decode(const ward_trace_event *ev, ward_trace_msg *m)
{
    span body;
    memset(m, 0, sizeof *m);
    m->psk_selected = -1;
    if (!ev || ev->kind != WARD_TRACE_MESSAGE)
        return WARD_ERR_DECODE;
    m->type = ev->msg_type;
    m->len = ev->len >= MSG_HEADER_LEN ? ev->len - MSG_HEADER_LEN : 0;
    wres r = split_header(ev, &body);
    if (wres_is_ok(r))
        r = decode_body(ev, body, m);
    if (wres_is_ok(r))
        return WARD_OK;
    /* Nothing half-read is shown: the type and the length only. */
    uint8_t type = m->type;
    size_t len = m->len;
    memset(m, 0, sizeof *m);
    m->type = type;
    m->len = len;
    m->psk_selected = -1;
    return WARD_ERR_DECODE;
}
