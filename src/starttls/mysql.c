/* MySQL / MariaDB: the server's greeting (Protocol::HandshakeV10), then the
 * client's SSL Request packet (Protocol::SSLRequest), then TLS at once: the
 * server does not answer the SSL Request (MySQL Client/Server Protocol,
 * "Connection Phase" and "SSL Handshake").
 *
 * Packets: a 3-byte little-endian payload length, a 1-byte sequence id,
 * the payload. The greeting is sequence 0, the SSL Request sequence 1; the
 * application's HandshakeResponse that follows over TLS is sequence 2.
 * Any byte of the server's after its greeting and before the handshake
 * was not sent by the server we are about to authenticate: the client half
 * refuses it as injection. The server half cannot: its client sends its
 * ClientHello right behind the SSL Request, often in the same segment, so
 * the bytes behind the request are handed over as the start of the TLS
 * stream (ward_starttls_tls_bytes); the TLS engine, not the application,
 * reads them, so nobody on the path can make them count as protected. */
#include <stdio.h>
#include <string.h>

#include "base/bytes.h"
#include "starttls/binproto.h"
#include "starttls/dialogue.h"

int stt_my_packet_take(const uint8_t *p, size_t n, size_t max, stt_my_packet *pk)
{
    if (n < 4)
        return 0;
    size_t len = (size_t)p[0] | (size_t)p[1] << 8 | (size_t)p[2] << 16;
    if (len > max)
        return -1;
    if (n < 4 + len)
        return 0;
    pk->payload = p + 4;
    pk->len = len;
    pk->seq = p[3];
    pk->total = 4 + len;
    return 1;
}

static uint32_t le16(const uint8_t *p) { return (uint32_t)p[0] | (uint32_t)p[1] << 8; }

static uint32_t le32(const uint8_t *p) { return le16(p) | le16(p + 2) << 16; }

wres stt_my_greeting_parse(const uint8_t *p, size_t n, stt_my_greeting *g, const char **why)
{
    memset(g, 0, sizeof *g);
    *why = "it is empty";
    ENSURE(n >= 1, WARD_ERR_DECODE);
    g->protocol = p[0];
    *why = "its protocol version is not 10";
    ENSURE(g->protocol == 10, WARD_ERR_DECODE);
    const uint8_t *z = memchr(p + 1, 0, n - 1);
    *why = "its server version is not terminated";
    ENSURE(z != NULL, WARD_ERR_DECODE);
    size_t vlen = (size_t)(z - p - 1), i = 1 + vlen + 1;
    size_t keep = vlen < sizeof g->version - 1 ? vlen : sizeof g->version - 1;
    memcpy(g->version, p + 1, keep);
    /* connection id 4, auth-plugin-data-part-1 8, filler 1, caps lower 2 */
    *why = "it ends before its capability flags";
    ENSURE(n - i >= 15, WARD_ERR_DECODE);
    g->connection_id = le32(p + i);
    *why = "its filler byte is not zero";
    ENSURE(p[i + 12] == 0, WARD_ERR_DECODE);
    g->caps = le16(p + i + 13);
    i += 15;
    if (n - i >= 5) { /* charset 1, status 2, caps upper 2 */
        g->charset = p[i];
        g->caps |= le16(p + i + 3) << 16;
    }
    *why = NULL;
    return wres_ok();
}

size_t stt_my_ssl_request(uint8_t *out, size_t cap, uint32_t caps)
{
    wr w = wr_of(out, cap);
    wr_u8(&w, STT_MY_SSL_REQUEST_LEN);
    wr_u8(&w, 0);
    wr_u8(&w, 0);
    wr_u8(&w, 1); /* sequence 1: the greeting was 0 */
    uint8_t *c = wr_reserve(&w, 8);
    if (c) {
        for (int k = 0; k < 4; k++) {
            c[k] = (uint8_t)(caps >> (8 * k));
            c[4 + k] = (uint8_t)(STT_MY_MAX_PACKET >> (8 * k));
        }
    }
    wr_u8(&w, STT_MY_CHARSET);
    wr_zeros(&w, 23);
    return wres_is_ok(wr_status(&w)) ? w.len : 0;
}

size_t stt_my_greeting_build(uint8_t *out, size_t cap, const char *version, uint32_t caps)
{
    /* The scramble is fixed: this half only starts TLS; an application
     * that authenticates over it must send its own AuthSwitchRequest. */
    static const uint8_t scramble[21] = "ward-starttls-000000";
    wr w = wr_of(out, cap);
    uint8_t *hdr = wr_reserve(&w, 4);
    wr_u8(&w, 10);
    wr_bytes(&w, version, strlen(version) + 1);
    wr_bytes(&w, "\x01\0\0\0", 4); /* connection id */
    wr_bytes(&w, scramble, 8);
    wr_u8(&w, 0);
    wr_u8(&w, (uint8_t)caps);
    wr_u8(&w, (uint8_t)(caps >> 8));
    wr_u8(&w, STT_MY_CHARSET);
    wr_bytes(&w, "\x02\0", 2); /* status: autocommit */
    wr_u8(&w, (uint8_t)(caps >> 16));
    wr_u8(&w, (uint8_t)(caps >> 24));
    wr_u8(&w, 21); /* auth-plugin-data length: 8 + 12 + NUL */
    wr_zeros(&w, 10);
    wr_bytes(&w, scramble + 8, 12);
    wr_u8(&w, 0);
    if (!hdr || !wres_is_ok(wr_status(&w)))
        return 0;
    size_t len = w.len - 4;
    hdr[0] = (uint8_t)len;
    hdr[1] = (uint8_t)(len >> 8);
    hdr[2] = (uint8_t)(len >> 16);
    hdr[3] = 0;
    return w.len;
}

/* ---- the client half ---- */
/* The server sent an ERR packet (0xff, error code, message) instead of its
 * greeting: "Host ... is not allowed to connect", "Too many connections". */
static WARD_MUST_CHECK wres client_err_packet(ward_starttls *d, const stt_my_packet *pk)
{
    char q[STT_QUOTE_CAP];
    unsigned code = pk->len >= 3 ? (unsigned)le16(pk->payload + 1) : 0;
    size_t skip = pk->len >= 3 ? 3 : pk->len;
    if (pk->len >= 9 && pk->payload[3] == '#')
        skip = 9; /* '#' and the SQL state */
    stt_log(d, 1, "ERR packet", 10);
    return stt_fail(d, WARD_ERR_STARTTLS_REFUSED,
                    "the server refused the connection: error %u: \"%s\"",
                    code, stt_quote(q, sizeof q, pk->payload + skip, pk->len - skip));
}

static WARD_MUST_CHECK wres client_greeting(ward_starttls *d, const stt_my_packet *pk)
{
    stt_my_greeting g;
    const char *why = NULL;
    char q[STT_QUOTE_CAP], line[160];
    if (!wres_is_ok(stt_my_greeting_parse(pk->payload, pk->len, &g, &why)))
        return stt_fail(d, WARD_ERR_STARTTLS_PROTOCOL,
                        "the server's greeting is not a MySQL handshake (%s): \"%s\"", why,
                        stt_quote(q, sizeof q, pk->payload, pk->len));
    int ln = snprintf(line, sizeof line,
                      "greeting: protocol 10, server \"%s\", capabilities 0x%08x",
                      stt_quote(q, sizeof q, (const uint8_t *)g.version, strlen(g.version)),
                      (unsigned)g.caps);
    stt_log(d, 1, line, ln > 0 && (size_t)ln < sizeof line ? (size_t)ln : sizeof line - 1);
    if (!(g.caps & STT_MY_CLIENT_SSL))
        return stt_fail(d, WARD_ERR_STARTTLS_REFUSED,
                        "the server does not offer TLS (server \"%s\", capabilities 0x%08x "
                        "without CLIENT_SSL)",
                        q, (unsigned)g.caps);
    if (!(g.caps & STT_MY_CLIENT_PROTOCOL_41))
        return stt_fail(d, WARD_ERR_STARTTLS_REFUSED,
                        "the server does not speak protocol 4.1 (server \"%s\")", q);
    uint8_t req[40];
    size_t n = stt_my_ssl_request(req, sizeof req, STT_MY_SSL_REQUEST_CAPS);
    ENSURE(n > 0, WARD_ERR_INTERNAL);
    stt_log(d, 0, "SSL Request (sequence 1, capabilities 0x00008a00)", 49);
    GUARD(stt_send(d, req, n));
    return stt_upgrade(d, "the server's greeting and our SSL Request");
}

static WARD_MUST_CHECK wres client_input(ward_starttls *d)
{
    const uint8_t *p;
    size_t n = stt_peek(d, &p);
    stt_my_packet pk;
    char q[STT_QUOTE_CAP];
    int got = stt_my_packet_take(p, n, STT_MY_PACKET_MAX, &pk);
    if (got == 0)
        return wres_ok();
    if (got < 0)
        return stt_fail(d, WARD_ERR_STARTTLS_PROTOCOL,
                        "the server's first packet is longer than %d bytes (not a MySQL "
                        "greeting?): \"%s\"",
                        STT_MY_PACKET_MAX, stt_quote(q, sizeof q, p, n));
    stt_consume(d, pk.total);
    if (pk.len > 0 && pk.payload[0] == 0xff)
        return client_err_packet(d, &pk);
    if (pk.seq != 0)
        return stt_fail(d, WARD_ERR_STARTTLS_PROTOCOL,
                        "the server's greeting has sequence %u, not 0", (unsigned)pk.seq);
    return client_greeting(d, &pk);
}

const stt_ops stt_mysql_client = {
    .app = WARD_APP_MYSQL,
    .server = 0,
    .start = NULL, /* the server speaks first */
    .on_input = client_input,
    .on_secured = NULL, /* the HandshakeResponse (sequence 2) is the application's */
};

/* ---- the server half ---- */
static WARD_MUST_CHECK wres server_start(ward_starttls *d)
{
    uint8_t g[STT_MY_PACKET_MAX];
    const char *version = d->greeting[0] ? d->greeting : "8.0.0-ward";
    size_t n = stt_my_greeting_build(g, sizeof g, version,
                                     STT_MY_CLIENT_LONG_PASSWORD | STT_MY_SSL_REQUEST_CAPS);
    ENSURE(n > 0, WARD_ERR_CONFIG);
    stt_log(d, 0, "greeting: protocol 10, capabilities 0x00008a01 (CLIENT_SSL)", 59);
    return stt_send(d, g, n);
}

static WARD_MUST_CHECK wres server_input(ward_starttls *d)
{
    const uint8_t *p;
    size_t n = stt_peek(d, &p);
    stt_my_packet pk;
    char q[STT_QUOTE_CAP];
    int got = stt_my_packet_take(p, n, STT_MY_PACKET_MAX, &pk);
    if (got == 0)
        return wres_ok();
    if (got < 0 || pk.seq != 1 || pk.len < 4)
        return stt_fail(d, WARD_ERR_STARTTLS_PROTOCOL,
                        "the client's answer to the greeting is not a handshake packet: \"%s\"",
                        stt_quote(q, sizeof q, p, n));
    uint32_t caps = le32(pk.payload);
    if (!(caps & STT_MY_CLIENT_SSL))
        return stt_fail(d, WARD_ERR_STARTTLS_PROTOCOL,
                        "the client did not ask for TLS (capabilities 0x%08x without CLIENT_SSL)",
                        (unsigned)caps);
    if (pk.len != STT_MY_SSL_REQUEST_LEN)
        return stt_fail(d, WARD_ERR_STARTTLS_PROTOCOL,
                        "the client's SSL Request is %zu bytes long, not %d", pk.len,
                        STT_MY_SSL_REQUEST_LEN);
    stt_consume(d, pk.total);
    stt_log(d, 1, "SSL Request (sequence 1)", 24);
    /* No go-ahead follows: what the client sent behind its request is its
     * ClientHello, for the TLS engine (ward_starttls_tls_bytes). */
    return stt_upgrade_tls_follows(d, "the client's SSL Request");
}

const stt_ops stt_mysql_server = {
    .app = WARD_APP_MYSQL,
    .server = 1,
    .start = server_start,
    .on_input = server_input,
    .on_secured = NULL,
};
