/* STARTTLS dialogues of the binary and XML protocols (src/starttls/
 * postgres.c, mysql.c, ldap.c, ber.c, xmpp.c): their encoders and decoders
 * against byte-exact captures built from the specifications, each client
 * half against its server half in memory, refusals, malformed and
 * oversized input, and injection. */
#include <stdlib.h>
#include <string.h>

#include "starttls/binproto.h"
#include "starttls/dialogue.h"
#include "testutil.h"
#include "ward/starttls.h"

static ward_starttls *new_half(ward_app app, int server, const char *host)
{
    ward_starttls *d = NULL;
    ward_starttls_params p = {.app = app, .server = server, .host = host};
    CHECK_CODE(ward_starttls_new(&p, &d), WARD_OK);
    if (!d)
        abort();
    return d;
}

/* Take everything d wants sent into buf (cap bytes); returns the count. */
static size_t drain(ward_starttls *d, uint8_t *buf, size_t cap)
{
    const uint8_t *p;
    size_t n = ward_starttls_output(d, &p);
    if (n > cap)
        n = cap;
    memcpy(buf, p, n);
    ward_starttls_output_done(d, n);
    return n;
}

/* Feed bytes one at a time (the worst split a socket can make); stops at
 * the first error, which it returns. */
static ward_err feed_bytewise(ward_starttls *d, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        ward_err e = ward_starttls_recv(d, p + i, 1);
        if (e != WARD_OK)
            return e;
    }
    return WARD_OK;
}

static ward_err feed_str(ward_starttls *d, const char *s)
{
    return feed_bytewise(d, (const uint8_t *)s, strlen(s));
}

/* Move bytes both ways until neither side has anything to send. */
static void pump(ward_starttls *a, ward_starttls *b)
{
    uint8_t buf[STT_OUT_MAX];
    for (int round = 0; round < 16; round++) {
        size_t n1 = drain(a, buf, sizeof buf);
        if (n1 && ward_starttls_get_state(b) == WARD_STARTTLS_WAITING)
            (void)feed_bytewise(b, buf, n1);
        size_t n2 = drain(b, buf, sizeof buf);
        if (n2 && ward_starttls_get_state(a) == WARD_STARTTLS_WAITING)
            (void)feed_bytewise(a, buf, n2);
        if (!n1 && !n2)
            return;
    }
}

static int msg_has(const ward_starttls *d, const char *want)
{
    const char *m = ward_starttls_error_message(d);
    if (strstr(m, want))
        return 1;
    fprintf(stderr, "  message \"%s\" lacks \"%s\"\n", m, want);
    return 0;
}

/* Both halves upgrade, then both are done after TLS. */
static void check_pair_upgrades(ward_starttls *c, ward_starttls *s)
{
    pump(c, s);
    CHECK(ward_starttls_get_state(c) == WARD_STARTTLS_UPGRADE);
    CHECK(ward_starttls_get_state(s) == WARD_STARTTLS_UPGRADE);
    const uint8_t *p;
    CHECK(ward_starttls_output(c, &p) == 0);
    CHECK(ward_starttls_output(s, &p) == 0);
    CHECK_CODE(ward_starttls_secured(c), WARD_OK);
    CHECK_CODE(ward_starttls_secured(s), WARD_OK);
    CHECK(ward_starttls_get_state(c) == WARD_STARTTLS_DONE);
    CHECK(ward_starttls_get_state(s) == WARD_STARTTLS_DONE);
}

/* ---------------- PostgreSQL ---------------- */
static const uint8_t pg_sslrequest[8] = {0x00, 0x00, 0x00, 0x08, 0x04, 0xd2, 0x16, 0x2f};

static void pg_client(void)
{
    uint8_t buf[64];
    ward_starttls *c = new_half(WARD_APP_POSTGRES, 0, NULL);
    /* It speaks first: the SSLRequest at once, byte for byte. */
    CHECK(drain(c, buf, sizeof buf) == 8);
    CHECK_MEM(buf, pg_sslrequest, 8);
    CHECK_CODE(feed_str(c, "S"), WARD_OK);
    CHECK(ward_starttls_get_state(c) == WARD_STARTTLS_UPGRADE);
    CHECK_CODE(ward_starttls_secured(c), WARD_OK);
    CHECK(ward_starttls_get_state(c) == WARD_STARTTLS_DONE);
    ward_starttls_free(c);

    /* 'N': refused. */
    c = new_half(WARD_APP_POSTGRES, 0, NULL);
    CHECK_CODE(feed_str(c, "N"), WARD_ERR_STARTTLS_REFUSED);
    CHECK(strcmp(ward_starttls_error_message(c),
                 "the server does not offer TLS: it answered 'N' to the SSLRequest") == 0);
    ward_starttls_free(c);

    /* CVE-2021-23222: bytes after the 'S' in the same read, or a read after. */
    c = new_half(WARD_APP_POSTGRES, 0, NULL);
    CHECK_CODE(ward_starttls_recv(c, (const uint8_t *)"SE\0\0\0\x05", 6),
               WARD_ERR_STARTTLS_INJECTION);
    CHECK(msg_has(c, "5 bytes came after the server's 'S' answer to the SSLRequest"));
    CHECK(msg_has(c, "\"E\\x00\\x00\\x00\\x05\""));
    ward_starttls_free(c);
    c = new_half(WARD_APP_POSTGRES, 0, NULL);
    CHECK_CODE(feed_str(c, "SX"), WARD_ERR_STARTTLS_INJECTION);
    CHECK(ward_starttls_get_state(c) == WARD_STARTTLS_FAILED);
    ward_starttls_free(c);

    /* Anything else: the protocol is broken, quoted. */
    c = new_half(WARD_APP_POSTGRES, 0, NULL);
    CHECK_CODE(feed_str(c, "HTTP/1.1 400"), WARD_ERR_STARTTLS_PROTOCOL);
    CHECK(strcmp(ward_starttls_error_message(c),
                 "the server answered the SSLRequest with neither 'S' nor 'N': \"H\"") == 0);
    ward_starttls_free(c);
}

static void pg_error_response(void)
{
    /* Protocol 3 ErrorResponse: S FATAL, C 0A000, M text. */
    static const uint8_t e3[] = "E\0\0\0\x29" "SFATAL\0" "C0A000\0"
                                "Munsupported frontend\0" "\0";
    ward_starttls *c = new_half(WARD_APP_POSTGRES, 0, NULL);
    CHECK_CODE(feed_bytewise(c, e3, sizeof e3 - 1), WARD_ERR_STARTTLS_PROTOCOL);
    CHECK(strcmp(ward_starttls_error_message(c),
                 "the server answered the SSLRequest with an error (a server without SSL "
                 "support?): \"unsupported frontend\"") == 0);
    ward_starttls_free(c);
    /* Protocol 2: 'E' and a C string. */
    c = new_half(WARD_APP_POSTGRES, 0, NULL);
    CHECK_CODE(feed_bytewise(c, (const uint8_t *)"EFATAL: no\n", 12), WARD_ERR_STARTTLS_PROTOCOL);
    CHECK(msg_has(c, "with an error (a server without SSL support?): \"FATAL: no\\x0a\""));
    ward_starttls_free(c);
    /* A length that cannot be: malformed, at once. */
    c = new_half(WARD_APP_POSTGRES, 0, NULL);
    CHECK_CODE(feed_bytewise(c, (const uint8_t *)"E\0\xff\xff\xff", 5),
               WARD_ERR_STARTTLS_PROTOCOL);
    CHECK(msg_has(c, "with a malformed ErrorResponse"));
    ward_starttls_free(c);
    /* A field without its terminator inside the length. */
    const uint8_t *t;
    size_t tl;
    CHECK(stt_pg_error_text((const uint8_t *)"E\0\0\0\x07Mab", 9, &t, &tl) == -1);
    CHECK(stt_pg_error_text((const uint8_t *)"E\0\0\0\x07Ma\0\0", 9, &t, &tl) == 8);
    CHECK(tl == 1 && t[0] == 'a');
    CHECK(stt_pg_error_text((const uint8_t *)"E\0\0", 3, &t, &tl) == 0);
    /* A protocol 2 string that never ends is bounded. */
    uint8_t big[STT_LINE_MAX + 8];
    memset(big, 'a', sizeof big);
    big[0] = 'E';
    CHECK(stt_pg_error_text(big, sizeof big, &t, &tl) == -1);
}

static void pg_server(void)
{
    uint8_t buf[64];
    ward_starttls *s = new_half(WARD_APP_POSTGRES, 1, NULL);
    CHECK(drain(s, buf, sizeof buf) == 0); /* the client speaks first */
    CHECK_CODE(feed_bytewise(s, pg_sslrequest, 8), WARD_OK);
    CHECK(ward_starttls_get_state(s) == WARD_STARTTLS_UPGRADE);
    CHECK(drain(s, buf, sizeof buf) == 1 && buf[0] == 'S');
    ward_starttls_free(s);

    /* GSSENCRequest first (libpq gssencmode=prefer): 'N', then the SSLRequest. */
    s = new_half(WARD_APP_POSTGRES, 1, NULL);
    uint8_t gss[8];
    stt_pg_request(gss, STT_PG_GSSENC_CODE);
    CHECK_CODE(ward_starttls_recv(s, gss, 8), WARD_OK);
    CHECK(drain(s, buf, sizeof buf) == 1 && buf[0] == 'N');
    CHECK_CODE(ward_starttls_recv(s, pg_sslrequest, 8), WARD_OK);
    CHECK(drain(s, buf, sizeof buf) == 1 && buf[0] == 'S');
    CHECK(ward_starttls_get_state(s) == WARD_STARTTLS_UPGRADE);
    ward_starttls_free(s);

    /* CVE-2021-23214: the client's bytes after the SSLRequest, same read. */
    s = new_half(WARD_APP_POSTGRES, 1, NULL);
    uint8_t inj[12];
    memcpy(inj, pg_sslrequest, 8);
    memcpy(inj + 8, "\0\0\0\x09", 4);
    CHECK_CODE(ward_starttls_recv(s, inj, sizeof inj), WARD_ERR_STARTTLS_INJECTION);
    CHECK(msg_has(s, "4 bytes came after the client's SSLRequest"));
    ward_starttls_free(s);

    /* A startup message without the SSLRequest. */
    s = new_half(WARD_APP_POSTGRES, 1, NULL);
    CHECK_CODE(ward_starttls_recv(s, (const uint8_t *)"\0\0\0\x29\0\x03\0\0user", 12),
               WARD_ERR_STARTTLS_PROTOCOL);
    CHECK(msg_has(s, "the client did not send an SSLRequest (length 41, code 196608)"));
    ward_starttls_free(s);

    ward_starttls *c = new_half(WARD_APP_POSTGRES, 0, NULL);
    s = new_half(WARD_APP_POSTGRES, 1, NULL);
    check_pair_upgrades(c, s);
    ward_starttls_free(c);
    ward_starttls_free(s);
}

/* ---------------- MySQL ---------------- */
/* A MySQL 8.0 greeting as the Connection Phase documentation lays it out:
 * protocol 10, "8.0.36", connection id 9, scramble part 1, filler,
 * capabilities 0xdfff (lower, CLIENT_SSL set), charset 0xff, status 2,
 * capabilities upper 0xdfff, auth data length 21, 10 reserved bytes,
 * scramble part 2 (12 + NUL), "caching_sha2_password". */
static const char my_greeting_hex[] =
    "4a0000000a382e302e3336000900000001020304050607080"
    "0ffdfff0200ffdf15000000000000000000000a0b0c0d0e0f"
    "1011121314150063616368696e675f736861325f70617373"
    "776f726400";

/* The SSL Request we send: length 32, sequence 1, caps 0x00008a00, max
 * packet 16 MiB, charset 45, 23 zero bytes. */
static const char my_ssl_request_hex[] = "20000001008a0000000000012d"
                                         "0000000000000000000000000000000000000000000000";

static void my_codec(void)
{
    uint8_t g[128], want[64], out[64];
    long gn = hex_decode(my_greeting_hex, g, sizeof g);
    CHECK(gn == 78);
    stt_my_packet pk;
    CHECK(stt_my_packet_take(g, (size_t)gn, STT_MY_PACKET_MAX, &pk) == 1);
    CHECK(pk.len == 74 && pk.seq == 0 && pk.total == 78);
    CHECK(stt_my_packet_take(g, 77, STT_MY_PACKET_MAX, &pk) == 0);
    CHECK(stt_my_packet_take(g, 3, STT_MY_PACKET_MAX, &pk) == 0);
    CHECK(stt_my_packet_take((const uint8_t *)"\x01\x04\0\0", 4, STT_MY_PACKET_MAX, &pk) == -1);
    stt_my_greeting gr;
    const char *why;
    CHECK_OK(stt_my_greeting_parse(g + 4, 74, &gr, &why));
    CHECK(strcmp(gr.version, "8.0.36") == 0 && gr.connection_id == 9);
    CHECK(gr.caps == 0xdfffdfff && gr.charset == 0xff);
    /* Protocol 10 without the optional part: lower capabilities only. */
    CHECK_OK(stt_my_greeting_parse(g + 4, 1 + 7 + 15, &gr, &why));
    CHECK(gr.caps == 0xdfff);
    CHECK_CODE(stt_my_greeting_parse(g + 4, 1 + 7 + 14, &gr, &why).code, WARD_ERR_DECODE);
    CHECK(strcmp(why, "it ends before its capability flags") == 0);
    CHECK_CODE(stt_my_greeting_parse((const uint8_t *)"\x0a" "abc", 4, &gr, &why).code,
               WARD_ERR_DECODE);
    CHECK(strcmp(why, "its server version is not terminated") == 0);
    CHECK_CODE(stt_my_greeting_parse((const uint8_t *)"\x09", 1, &gr, &why).code,
               WARD_ERR_DECODE);
    CHECK_CODE(stt_my_greeting_parse(g, 0, &gr, &why).code, WARD_ERR_DECODE);

    long wn = hex_decode(my_ssl_request_hex, want, sizeof want);
    CHECK(wn == 36);
    CHECK(stt_my_ssl_request(out, sizeof out, STT_MY_SSL_REQUEST_CAPS) == 36);
    CHECK_MEM(out, want, 36);
    CHECK(stt_my_ssl_request(out, 35, STT_MY_SSL_REQUEST_CAPS) == 0);

    /* Our own greeting parses back. */
    size_t n = stt_my_greeting_build(out, sizeof out, "8.0.0-ward", STT_MY_SSL_REQUEST_CAPS);
    CHECK(n > 4 && stt_my_packet_take(out, n, STT_MY_PACKET_MAX, &pk) == 1 && pk.total == n);
    CHECK_OK(stt_my_greeting_parse(out + 4, n - 4, &gr, &why));
    CHECK(gr.caps == STT_MY_SSL_REQUEST_CAPS && strcmp(gr.version, "8.0.0-ward") == 0);
}

static void my_client(void)
{
    uint8_t g[128], buf[64], want[64];
    long gn = hex_decode(my_greeting_hex, g, sizeof g);
    hex_decode(my_ssl_request_hex, want, sizeof want);
    ward_starttls *c = new_half(WARD_APP_MYSQL, 0, NULL);
    CHECK(drain(c, buf, sizeof buf) == 0); /* the server speaks first */
    CHECK_CODE(feed_bytewise(c, g, (size_t)gn), WARD_OK);
    CHECK(ward_starttls_get_state(c) == WARD_STARTTLS_UPGRADE);
    CHECK(drain(c, buf, sizeof buf) == 36);
    CHECK_MEM(buf, want, 36);
    CHECK_CODE(ward_starttls_secured(c), WARD_OK);
    CHECK(ward_starttls_get_state(c) == WARD_STARTTLS_DONE);
    ward_starttls_free(c);

    /* Without CLIENT_SSL (lower byte 1 of the capabilities: 0xdf -> 0xd7). */
    g[4 + 1 + 7 + 4 + 8 + 1 + 1] = 0xd7;
    c = new_half(WARD_APP_MYSQL, 0, NULL);
    CHECK_CODE(feed_bytewise(c, g, (size_t)gn), WARD_ERR_STARTTLS_REFUSED);
    CHECK(strcmp(ward_starttls_error_message(c),
                 "the server does not offer TLS (server \"8.0.36\", capabilities 0xdfffd7ff "
                 "without CLIENT_SSL)") == 0);
    CHECK(drain(c, buf, sizeof buf) == 0);
    ward_starttls_free(c);
    g[4 + 1 + 7 + 4 + 8 + 1 + 1] = 0xdf;

    /* A byte after the greeting, same read: injection, and no SSL Request
     * leaves (it is queued but the dialogue failed). */
    uint8_t inj[128];
    memcpy(inj, g, (size_t)gn);
    inj[gn] = 0x07;
    c = new_half(WARD_APP_MYSQL, 0, NULL);
    CHECK_CODE(ward_starttls_recv(c, inj, (size_t)gn + 1), WARD_ERR_STARTTLS_INJECTION);
    CHECK(msg_has(c, "1 byte came after the server's greeting and our SSL Request"));
    ward_starttls_free(c);
    /* ... or in a later read. */
    c = new_half(WARD_APP_MYSQL, 0, NULL);
    CHECK_CODE(ward_starttls_recv(c, g, (size_t)gn), WARD_OK);
    CHECK_CODE(ward_starttls_recv(c, inj + gn, 1), WARD_ERR_STARTTLS_INJECTION);
    ward_starttls_free(c);
}

static void my_client_bad(void)
{
    /* ERR packet instead of a greeting (error 1130, pre-4.1 form). */
    static const uint8_t err[] = "\x1a\0\0\0\xff\x6a\x04Host 'x' is not allowed";
    ward_starttls *c = new_half(WARD_APP_MYSQL, 0, NULL);
    CHECK_CODE(feed_bytewise(c, err, 4 + 0x1a), WARD_ERR_STARTTLS_REFUSED);
    CHECK(strcmp(ward_starttls_error_message(c),
                 "the server refused the connection: error 1130: \"Host 'x' is not allowed\"") ==
          0);
    ward_starttls_free(c);
    /* Oversized first packet: refused at its header, not buffered. */
    c = new_half(WARD_APP_MYSQL, 0, NULL);
    CHECK_CODE(feed_bytewise(c, (const uint8_t *)"\xff\xff\xff\0", 4), WARD_ERR_STARTTLS_PROTOCOL);
    CHECK(msg_has(c, "the server's first packet is longer than 1024 bytes"));
    ward_starttls_free(c);
    /* Not protocol 10 (an SMTP server on the port). */
    c = new_half(WARD_APP_MYSQL, 0, NULL);
    CHECK_CODE(feed_str(c, "220 mx ESMTP\r\n"), WARD_ERR_STARTTLS_PROTOCOL);
    ward_starttls_free(c);
    c = new_half(WARD_APP_MYSQL, 0, NULL);
    CHECK_CODE(feed_bytewise(c, (const uint8_t *)"\x02\0\0\0\x09x", 6), WARD_ERR_STARTTLS_PROTOCOL);
    CHECK(strcmp(ward_starttls_error_message(c),
                 "the server's greeting is not a MySQL handshake (its protocol version is not "
                 "10): \"\\x09x\"") == 0);
    ward_starttls_free(c);
}

static void my_server(void)
{
    uint8_t buf[256], req[64];
    ward_starttls *s = new_half(WARD_APP_MYSQL, 1, NULL);
    CHECK(drain(s, buf, sizeof buf) > 40); /* the greeting at once */
    hex_decode(my_ssl_request_hex, req, sizeof req);
    CHECK_CODE(feed_bytewise(s, req, 36), WARD_OK);
    CHECK(ward_starttls_get_state(s) == WARD_STARTTLS_UPGRADE);
    ward_starttls_free(s);
    /* A HandshakeResponse without CLIENT_SSL. */
    s = new_half(WARD_APP_MYSQL, 1, NULL);
    req[5] = 0x82;
    CHECK_CODE(feed_bytewise(s, req, 36), WARD_ERR_STARTTLS_PROTOCOL);
    CHECK(strcmp(ward_starttls_error_message(s),
                 "the client did not ask for TLS (capabilities 0x00008200 without "
                 "CLIENT_SSL)") == 0);
    ward_starttls_free(s);
    req[5] = 0x8a;
    /* The client's ClientHello right behind the request: injection. */
    s = new_half(WARD_APP_MYSQL, 1, NULL);
    memcpy(req + 36, "\x16\x03\x01", 3);
    CHECK_CODE(ward_starttls_recv(s, req, 39), WARD_ERR_STARTTLS_INJECTION);
    ward_starttls_free(s);

    ward_starttls *c = new_half(WARD_APP_MYSQL, 0, NULL);
    s = new_half(WARD_APP_MYSQL, 1, NULL);
    check_pair_upgrades(c, s);
    ward_starttls_free(c);
    ward_starttls_free(s);
}

int main(void)
{
    pg_client();
    pg_error_response();
    pg_server();
    my_codec();
    my_client();
    my_client_bad();
    my_server();
    return test_report();
}
