/* PostgreSQL: the SSLRequest and its one-byte answer (PostgreSQL
 * documentation, "Frontend/Backend Protocol", 55.2.10 SSL Session
 * Encryption, and the SSLRequest message format).
 *
 * The client speaks first: Int32 length 8, Int32 code 80877103. The server
 * answers one byte, 'S' (go ahead with TLS) or 'N' (no TLS); a server that
 * predates SSL support answers an ErrorResponse ('E'). Nothing may follow
 * the 'S' before the TLS handshake: a byte that does was written by someone
 * on the path (CVE-2021-23222 for libpq, CVE-2021-23214 for the server,
 * which buffered the client's bytes after the SSLRequest). */
#include <string.h>

#include "starttls/binproto.h"
#include "starttls/dialogue.h"

static void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static uint32_t get32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

void stt_pg_request(uint8_t out[STT_PG_REQUEST_LEN], uint32_t code)
{
    put32(out, STT_PG_REQUEST_LEN);
    put32(out + 4, code);
}

int stt_pg_request_parse(const uint8_t *p, size_t n, uint32_t *len, uint32_t *code)
{
    if (n < 8)
        return 0;
    *len = get32(p);
    *code = get32(p + 4);
    return 1;
}

/* The text of an ErrorResponse: protocol 3 ('E', Int32 length, fields of a
 * type byte and a C string, a zero byte) quoting its 'M' (message) field;
 * protocol 2 ('E' and one C string). Returns the bytes the message takes,
 * 0 when more are needed, -1 when it cannot be one. *text, *tlen: what to
 * quote. */
long stt_pg_error_text(const uint8_t *p, size_t n, const uint8_t **text, size_t *tlen)
{
    if (n < 2)
        return 0;
    if (p[1] != 0) { /* protocol 2: a C string */
        const uint8_t *z = memchr(p + 1, 0, n - 1);
        if (!z)
            return n - 1 > STT_LINE_MAX ? -1 : 0;
        *text = p + 1;
        *tlen = (size_t)(z - p - 1);
        return (long)(z - p) + 1;
    }
    if (n < 5)
        return 0;
    uint32_t len = get32(p + 1);
    if (len < 5 || len > STT_LINE_MAX)
        return -1;
    if (n < (size_t)len + 1)
        return 0;
    const uint8_t *f = p + 5, *end = p + 1 + len;
    *text = p + 5;
    *tlen = len - 4;
    while (f < end && *f != 0) { /* find the 'M' field */
        const uint8_t *z = memchr(f + 1, 0, (size_t)(end - f - 1));
        if (!z)
            return -1;
        if (*f == 'M') {
            *text = f + 1;
            *tlen = (size_t)(z - f - 1);
        }
        f = z + 1;
    }
    return (long)len + 1;
}

/* ---- the client half ---- */
static WARD_MUST_CHECK wres client_start(ward_starttls *d)
{
    uint8_t req[STT_PG_REQUEST_LEN];
    stt_pg_request(req, STT_PG_SSL_CODE);
    stt_log(d, 0, "SSLRequest (length 8, code 80877103)", 36);
    return stt_send(d, req, sizeof req);
}

static WARD_MUST_CHECK wres client_error(ward_starttls *d, const uint8_t *p, size_t n)
{
    const uint8_t *text = NULL;
    size_t tlen = 0;
    char q[STT_QUOTE_CAP];
    long used = stt_pg_error_text(p, n, &text, &tlen);
    if (used == 0)
        return wres_ok(); /* wait for the rest */
    if (used < 0)
        return stt_fail(d, WARD_ERR_STARTTLS_PROTOCOL,
                        "the server answered the SSLRequest with a malformed ErrorResponse: "
                        "\"%s\"",
                        stt_quote(q, sizeof q, p, n));
    stt_consume(d, (size_t)used);
    stt_log(d, 1, "ErrorResponse", 13);
    return stt_fail(d, WARD_ERR_STARTTLS_PROTOCOL,
                    "the server answered the SSLRequest with an error (a server without "
                    "SSL support?): \"%s\"",
                    stt_quote(q, sizeof q, text, tlen));
}

static WARD_MUST_CHECK wres client_input(ward_starttls *d)
{
    const uint8_t *p;
    size_t n = stt_peek(d, &p);
    char q[STT_QUOTE_CAP];
    switch (p[0]) {
    case 'S':
        stt_consume(d, 1);
        stt_log(d, 1, "S (TLS accepted)", 16);
        return stt_upgrade(d, "the server's 'S' answer to the SSLRequest");
    case 'N':
        stt_consume(d, 1);
        stt_log(d, 1, "N (TLS refused)", 15);
        return stt_fail(d, WARD_ERR_STARTTLS_REFUSED,
                        "the server does not offer TLS: it answered 'N' to the SSLRequest");
    case 'E':
        return client_error(d, p, n);
    default:
        return stt_fail(d, WARD_ERR_STARTTLS_PROTOCOL,
                        "the server answered the SSLRequest with neither 'S' nor 'N': \"%s\"",
                        stt_quote(q, sizeof q, p, n));
    }
}

const stt_ops stt_postgres_client = {
    .app = WARD_APP_POSTGRES,
    .server = 0,
    .start = client_start,
    .on_input = client_input,
    .on_secured = NULL, /* the startup message is the application's */
};

/* ---- the server half ---- */
static WARD_MUST_CHECK wres server_input(ward_starttls *d)
{
    const uint8_t *p;
    size_t n = stt_peek(d, &p);
    uint32_t len, code;
    char q[STT_QUOTE_CAP];
    if (!stt_pg_request_parse(p, n, &len, &code))
        return wres_ok();
    if (len == STT_PG_REQUEST_LEN && code == STT_PG_GSSENC_CODE &&
        d->commands++ < STT_COMMANDS_MAX) {
        /* libpq with gssencmode=prefer asks for GSSAPI first: say no, and
         * it sends the SSLRequest next. */
        stt_consume(d, STT_PG_REQUEST_LEN);
        stt_log(d, 1, "GSSENCRequest", 13);
        stt_log(d, 0, "N (no GSSAPI encryption)", 24);
        return stt_send(d, "N", 1);
    }
    if (len != STT_PG_REQUEST_LEN || code != STT_PG_SSL_CODE)
        return stt_fail(d, WARD_ERR_STARTTLS_PROTOCOL,
                        "the client did not send an SSLRequest (length %u, code %u): \"%s\"",
                        (unsigned)len, (unsigned)code, stt_quote(q, sizeof q, p, n));
    stt_consume(d, STT_PG_REQUEST_LEN);
    stt_log(d, 1, "SSLRequest (length 8, code 80877103)", 36);
    /* Upgrade first: a request with bytes behind it gets no 'S'. */
    GUARD(stt_upgrade(d, "the client's SSLRequest"));
    stt_log(d, 0, "S (TLS accepted)", 16);
    return stt_send(d, "S", 1);
}

const stt_ops stt_postgres_server = {
    .app = WARD_APP_POSTGRES,
    .server = 1,
    .start = NULL, /* the client speaks first */
    .on_input = server_input,
    .on_secured = NULL,
};
