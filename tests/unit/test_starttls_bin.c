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
    CHECK(drain(s, buf, sizeof buf) == 0); /* no 'S' */
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

    ward_starttls *c = new_half(WARD_APP_MYSQL, 0, NULL);
    s = new_half(WARD_APP_MYSQL, 1, NULL);
    check_pair_upgrades(c, s);
    ward_starttls_free(c);
    ward_starttls_free(s);
}

/* A real ClientHello, from a ward client: what a MySQL client sends right
 * behind its SSL Request. Returns its size (0 on failure). */
static size_t client_hello(uint8_t *buf, size_t cap)
{
    ward_config *cfg = ward_config_new_client();
    ward_conn *c = cfg ? ward_conn_new(cfg, "localhost") : NULL;
    size_t n = 0;
    const uint8_t *p = c ? ward_conn_output(c, &n) : NULL;
    CHECK(p && n > 5 && n <= cap && p[0] == 0x16);
    if (!p || n > cap)
        n = 0;
    else
        memcpy(buf, p, n);
    ward_conn_free(c);
    ward_config_free(cfg);
    return n;
}

/* The ClientHello came in the read that held the SSL Request: the server
 * half upgrades and hands it over, byte for byte, once. */
static void my_server_tls_follows(void)
{
    uint8_t in[4096], hello[4096];
    const uint8_t *p;
    size_t hn = client_hello(hello, sizeof hello);
    hex_decode(my_ssl_request_hex, in, sizeof in);
    memcpy(in + 36, hello, hn);

    ward_starttls *s = new_half(WARD_APP_MYSQL, 1, NULL);
    CHECK(ward_starttls_tls_bytes(s, &p) == 0 && p == NULL); /* WAITING: none */
    CHECK_CODE(ward_starttls_recv(s, in, 36 + hn), WARD_OK);
    CHECK(ward_starttls_get_state(s) == WARD_STARTTLS_UPGRADE);
    CHECK(ward_starttls_tls_bytes(s, &p) == hn);
    CHECK_MEM(p, hello, hn);
    CHECK(ward_starttls_tls_bytes(s, &p) == 0); /* handed over once */
    CHECK_CODE(ward_starttls_secured(s), WARD_OK);
    CHECK(ward_starttls_get_state(s) == WARD_STARTTLS_DONE);
    ward_starttls_free(s);

    /* Split: the request and 10 bytes of the hello, then the rest fed in
     * UPGRADE; the pieces join in order. */
    s = new_half(WARD_APP_MYSQL, 1, NULL);
    CHECK_CODE(ward_starttls_recv(s, in, 46), WARD_OK);
    CHECK_CODE(ward_starttls_recv(s, in + 46, hn - 10), WARD_OK);
    CHECK(ward_starttls_get_state(s) == WARD_STARTTLS_UPGRADE);
    CHECK(ward_starttls_tls_bytes(s, &p) == hn);
    CHECK_MEM(p, hello, hn);
    ward_starttls_free(s);

    /* Taken in two goes, as a caller that reads the socket in between. */
    s = new_half(WARD_APP_MYSQL, 1, NULL);
    CHECK_CODE(ward_starttls_recv(s, in, 40), WARD_OK);
    CHECK(ward_starttls_tls_bytes(s, &p) == 4);
    CHECK_MEM(p, hello, 4);
    CHECK_CODE(ward_starttls_recv(s, in + 40, hn - 4), WARD_OK);
    CHECK(ward_starttls_tls_bytes(s, &p) == hn - 4);
    CHECK_MEM(p, hello + 4, hn - 4);
    ward_starttls_free(s);

    /* Bounded: no more than the input buffer waits. */
    static uint8_t big[STT_IN_MAX + 64];
    memcpy(big, in, 36);
    s = new_half(WARD_APP_MYSQL, 1, NULL);
    CHECK_CODE(ward_starttls_recv(s, big, sizeof big), WARD_ERR_STARTTLS_PROTOCOL);
    CHECK(msg_has(s, "more than 16384 bytes of TLS before the handshake started"));
    ward_starttls_free(s);
}

/* The same trailing ClientHello behind any other upgrade, and behind the
 * MySQL greeting on the client half, is still injection, and nothing is
 * handed over as TLS. */
static void tls_follows_elsewhere(void)
{
    uint8_t in[4096], hello[4096];
    const uint8_t *p;
    size_t hn = client_hello(hello, sizeof hello);
    static const struct {
        ward_app app;
        int server;
        const char *go;   /* the bytes that start TLS (hex for binary) */
        int hex;
        const char *what; /* the injection message names it */
    } cases[] = {
        {WARD_APP_POSTGRES, 1, "0000000804d2162f", 1, "came after the client's SSLRequest"},
        {WARD_APP_SMTP, 1, "STARTTLS\r\n", 0, "came after the client's STARTTLS command"},
        {WARD_APP_POP3, 1, "STLS\r\n", 0, "came after the client's STLS command"},
        {WARD_APP_FTP, 1, "AUTH TLS\r\n", 0, "came after the client's AUTH TLS command"},
        {WARD_APP_MYSQL, 0, my_greeting_hex, 1,
         "came after the server's greeting and our SSL Request"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t gn = cases[i].hex ? (size_t)hex_decode(cases[i].go, in, sizeof in)
                                 : strlen(cases[i].go);
        if (!cases[i].hex)
            memcpy(in, cases[i].go, gn);
        memcpy(in + gn, hello, hn);
        ward_starttls *d = new_half(cases[i].app, cases[i].server, NULL);
        CHECK_CODE(ward_starttls_recv(d, in, gn + hn), WARD_ERR_STARTTLS_INJECTION);
        CHECK(msg_has(d, cases[i].what));
        CHECK(ward_starttls_tls_bytes(d, &p) == 0);
        ward_starttls_free(d);
        /* ... and in a later read, in UPGRADE. */
        d = new_half(cases[i].app, cases[i].server, NULL);
        CHECK_CODE(ward_starttls_recv(d, in, gn), WARD_OK);
        CHECK(ward_starttls_get_state(d) == WARD_STARTTLS_UPGRADE);
        CHECK(ward_starttls_tls_bytes(d, &p) == 0);
        CHECK_CODE(ward_starttls_recv(d, hello, hn), WARD_ERR_STARTTLS_INJECTION);
        ward_starttls_free(d);
    }
}

/* ---------------- LDAP ---------------- */
/* RFC 4511 §4.14.1: SEQUENCE { 1, [APPLICATION 23] { [0] "1.3.6.1.4.1.1466.20037" } } */
static const char ldap_req_hex[] =
    "301d02010177188016312e332e362e312e342e312e313436362e3230303337";
/* slapd's success: resultCode 0, empty matchedDN and message, responseName. */
static const char ldap_ok_hex[] =
    "3024020101781f0a0100040004008a16312e332e362e312e342e312e313436362e3230303337";
/* Active Directory's style: every length long-form with four bytes. */
static const char ldap_ok_ad_hex[] = "30840000001002010178840000000"
                                     "70a010004000400";
/* protocolError, "unsupported extended operation". */
static const char ldap_refused_hex[] =
    "302a02010178250a01020400041e756e737570706f7274656420657874656e646564206f7065726174696f6e";
/* RFC 4511 §4.4.1 notice of disconnection: messageID 0, unavailable (52). */
static const char ldap_notice_hex[] =
    "303f020100783a0a01340400041b54686520736572766572206973207368757474696e6720646f776e8a16"
    "312e332e362e312e342e312e313436362e3230303336";

static size_t unhex(const char *hex, uint8_t *out, size_t cap)
{
    long n = hex_decode(hex, out, cap);
    CHECK(n > 0);
    return n > 0 ? (size_t)n : 0;
}

static void ber_reader(void)
{
    const size_t max = STT_LDAP_MSG_MAX;
    CHECK(stt_ber_size((const uint8_t *)"", 0, max) == 0);
    CHECK(stt_ber_size((const uint8_t *)"\x30", 1, max) == 0);
    CHECK(stt_ber_size((const uint8_t *)"\x30\x00", 2, max) == 2);
    CHECK(stt_ber_size((const uint8_t *)"\x30\x7f", 2, max) == 129);
    CHECK(stt_ber_size((const uint8_t *)"\x30\x81", 2, max) == 0);
    CHECK(stt_ber_size((const uint8_t *)"\x30\x81\x80", 3, max) == 131);
    CHECK(stt_ber_size((const uint8_t *)"\x30\x84\0\0", 4, max) == 0);
    CHECK(stt_ber_size((const uint8_t *)"\x30\x84\0\0\0\x05", 6, max) == 11);
    CHECK(stt_ber_size((const uint8_t *)"\x30\x80", 2, max) == -1);     /* indefinite */
    CHECK(stt_ber_size((const uint8_t *)"\x30\x85\0\0\0\0\x01", 7, max) == -1); /* 5 bytes */
    CHECK(stt_ber_size((const uint8_t *)"\x30\xff", 2, max) == -1);     /* reserved */
    CHECK(stt_ber_size((const uint8_t *)"\x3f\x01\x00", 3, max) == -1); /* high tag form */
    CHECK(stt_ber_size((const uint8_t *)"\x30\x84\xff\xff\xff\xff", 6, max) == -2);
    CHECK(stt_ber_size((const uint8_t *)"\x30\x82\x10\x00", 4, max) == -2);
    CHECK(stt_ber_size((const uint8_t *)"\x30\x82\x0f\xfc", 4, max) == 4096);

    stt_ber b = {(const uint8_t *)"\x04\x02" "ab\x02\x01", 6};
    stt_tlv t;
    CHECK_OK(stt_ber_next(&b, &t));
    CHECK(t.tag == 0x04 && t.len == 2 && memcmp(t.v, "ab", 2) == 0 && b.left == 2);
    CHECK_CODE(stt_ber_next(&b, &t).code, WARD_ERR_DECODE); /* runs past the end */
    b = (stt_ber){(const uint8_t *)"", 0};
    CHECK_CODE(stt_ber_next(&b, &t).code, WARD_ERR_DECODE);

    uint32_t v = 99;
    t = (stt_tlv){0x02, (const uint8_t *)"\x7f", 1};
    CHECK_OK(stt_ber_uint(&t, &v));
    CHECK(v == 127);
    t = (stt_tlv){0x02, (const uint8_t *)"\x00\x80", 2};
    CHECK_OK(stt_ber_uint(&t, &v));
    CHECK(v == 128);
    t = (stt_tlv){0x02, (const uint8_t *)"\x7f\xff\xff\xff", 4};
    CHECK_OK(stt_ber_uint(&t, &v));
    CHECK(v == 0x7fffffff);
    t = (stt_tlv){0x02, (const uint8_t *)"\x80", 1}; /* negative */
    CHECK_CODE(stt_ber_uint(&t, &v).code, WARD_ERR_DECODE);
    t = (stt_tlv){0x02, (const uint8_t *)"", 0};
    CHECK_CODE(stt_ber_uint(&t, &v).code, WARD_ERR_DECODE);
    t = (stt_tlv){0x02, (const uint8_t *)"\0\0\0\0\x01", 5};
    CHECK_CODE(stt_ber_uint(&t, &v).code, WARD_ERR_DECODE);
}

static void ldap_codec(void)
{
    uint8_t want[128], out[128];
    size_t n = unhex(ldap_req_hex, want, sizeof want);
    CHECK(stt_ldap_request(out, sizeof out, 1) == n);
    CHECK_MEM(out, want, n);
    CHECK(stt_ldap_request(out, 30, 1) == 0);
    n = unhex(ldap_ok_hex, want, sizeof want);
    CHECK(stt_ldap_response(out, sizeof out, 1, 0, "", STT_LDAP_STARTTLS_OID) == n);
    CHECK_MEM(out, want, n);
    /* messageID 128 needs a leading zero byte (X.690 §8.3.2). */
    CHECK(stt_ldap_request(out, sizeof out, 128) == 32 &&
          memcmp(out, "\x30\x1e\x02\x02\x00\x80", 6) == 0);

    stt_ldap_result r;
    const char *why;
    n = unhex(ldap_ok_ad_hex, want, sizeof want);
    CHECK_OK(stt_ldap_response_parse(want, n, &r, &why));
    CHECK(r.msgid == 1 && r.op == 0x78 && r.code == 0 && r.diag_len == 0 && r.name == NULL);
    n = unhex(ldap_refused_hex, want, sizeof want);
    CHECK_OK(stt_ldap_response_parse(want, n, &r, &why));
    CHECK(r.code == 2 && r.diag_len == 30 && memcmp(r.diag, "unsupported", 11) == 0);
    CHECK(strcmp(stt_ldap_result_name(2), "protocolError") == 0);
    CHECK(strcmp(stt_ldap_result_name(9), "unknown") == 0);
    /* One byte short of its length: not exactly a SEQUENCE. */
    CHECK_CODE(stt_ldap_response_parse(want, n - 1, &r, &why).code, WARD_ERR_DECODE);
    /* A trailing byte after the SEQUENCE. */
    want[n] = 0;
    CHECK_CODE(stt_ldap_response_parse(want, n + 1, &r, &why).code, WARD_ERR_DECODE);
    CHECK(strcmp(why, "it is not a BER SEQUENCE of exactly its length") == 0);

}

static void ldap_parse_cases(void)
{
    uint8_t want[128];
    stt_ldap_result r;
    const char *why;
    size_t n;
    /* Optional fields: controls after the op are fine; a responseName before
     * a referral, or twice, is not; nor is an unknown tag. */
    static const struct {
        const char *hex;
        ward_err want;
    } cases[] = {
        {"3010020101780a0a01000400040085000000a000", WARD_ERR_DECODE}, /* [5] in the op */
        {"300e02010178070a010004000400a000", WARD_OK},                /* controls */
        {"301002010178070a010004000400a0000400", WARD_ERR_DECODE},    /* then more */
        {"3011020101780c0a0100040004008a00a300", WARD_ERR_DECODE},    /* name, referral */
        {"3011020101780c0a0100040004008a008a00", WARD_ERR_DECODE},    /* name twice */
        {"3012020101780d0a010004000400a3008a008b00", WARD_OK},        /* all three */
        {"300c020101780702010004000400", WARD_ERR_DECODE},            /* INTEGER code */
        {"300c020101780704010004000400", WARD_ERR_DECODE},            /* code as string */
        {"300a02010178050a01000400", WARD_ERR_DECODE},                /* no diagnostic */
        {"300c040101780a0a01000400040000", WARD_ERR_DECODE},          /* id not INTEGER */
        {"300702010178070a0100", WARD_ERR_DECODE},                    /* op past its SEQ */
        {"300d0281010178070a010004000400", WARD_OK},                  /* long-form 1 */
    };
    for (size_t i = 0; i < WARD_ARRAY_LEN(cases); i++) {
        size_t m = unhex(cases[i].hex, want, sizeof want);
        wres rr = stt_ldap_response_parse(want, m, &r, &why);
        if (rr.code != cases[i].want)
            fprintf(stderr, "  case %zu (%s)\n", i, cases[i].hex);
        CHECK_CODE(rr.code, cases[i].want);
    }

    /* The request parser: with a requestValue; with something else after. */
    uint32_t id;
    const uint8_t *name;
    size_t nl;
    n = unhex("300a0201057705800178 8100", want, sizeof want);
    CHECK_OK(stt_ldap_request_parse(want, n, &id, &name, &nl, &why));
    CHECK(id == 5 && nl == 1 && name[0] == 'x');
    n = unhex("300a0201057705800178 0400", want, sizeof want);
    CHECK_CODE(stt_ldap_request_parse(want, n, &id, &name, &nl, &why).code, WARD_ERR_DECODE);
    n = unhex("300c020101600702010304000400", want, sizeof want); /* a BindRequest */
    CHECK_CODE(stt_ldap_request_parse(want, n, &id, &name, &nl, &why).code, WARD_ERR_DECODE);
    CHECK(strcmp(why, "it is not an ExtendedRequest") == 0);
}

static void ldap_client(void)
{
    uint8_t buf[128], msg[128];
    size_t n;
    ward_starttls *c = new_half(WARD_APP_LDAP, 0, NULL);
    /* The client speaks first: the request at once. */
    n = unhex(ldap_req_hex, msg, sizeof msg);
    CHECK(drain(c, buf, sizeof buf) == n);
    CHECK_MEM(buf, msg, n);
    n = unhex(ldap_ok_hex, msg, sizeof msg);
    CHECK_CODE(feed_bytewise(c, msg, n), WARD_OK);
    CHECK(ward_starttls_get_state(c) == WARD_STARTTLS_UPGRADE);
    CHECK_CODE(ward_starttls_secured(c), WARD_OK);
    CHECK(ward_starttls_get_state(c) == WARD_STARTTLS_DONE);
    ward_starttls_free(c);

    c = new_half(WARD_APP_LDAP, 0, NULL);
    n = unhex(ldap_ok_ad_hex, msg, sizeof msg);
    CHECK_CODE(feed_bytewise(c, msg, n), WARD_OK);
    CHECK(ward_starttls_get_state(c) == WARD_STARTTLS_UPGRADE);
    ward_starttls_free(c);

    c = new_half(WARD_APP_LDAP, 0, NULL);
    n = unhex(ldap_refused_hex, msg, sizeof msg);
    CHECK_CODE(feed_bytewise(c, msg, n), WARD_ERR_STARTTLS_REFUSED);
    CHECK(strcmp(ward_starttls_error_message(c),
                 "the server refused StartTLS: resultCode 2 (protocolError): \"unsupported "
                 "extended operation\"") == 0);
    ward_starttls_free(c);

    c = new_half(WARD_APP_LDAP, 0, NULL);
    n = unhex(ldap_notice_hex, msg, sizeof msg);
    CHECK_CODE(feed_bytewise(c, msg, n), WARD_ERR_STARTTLS_REFUSED);
    CHECK(strcmp(ward_starttls_error_message(c),
                 "the server sent a notice of disconnection: resultCode 52 (unavailable): "
                 "\"The server is shutting down\"") == 0);
    ward_starttls_free(c);

    /* Injection: a byte after the success, in the same read or the next. */
    c = new_half(WARD_APP_LDAP, 0, NULL);
    n = unhex(ldap_ok_hex, msg, sizeof msg);
    msg[n] = 0x30;
    CHECK_CODE(ward_starttls_recv(c, msg, n + 1), WARD_ERR_STARTTLS_INJECTION);
    CHECK(msg_has(c, "1 byte came after the server's StartTLS success response"));
    ward_starttls_free(c);
    c = new_half(WARD_APP_LDAP, 0, NULL);
    CHECK_CODE(ward_starttls_recv(c, msg, n), WARD_OK);
    CHECK_CODE(ward_starttls_recv(c, msg + n, 1), WARD_ERR_STARTTLS_INJECTION);
    ward_starttls_free(c);
}

static void ldap_client_bad(void)
{
    uint8_t msg[128];
    size_t n;
    static const struct {
        const char *hex;
        const char *msg;
    } cases[] = {
        /* another messageID */
        {"300c02010278070a010004000400", "the server answered messageID 2, not our StartTLS "
                                         "request's 1"},
        /* a BindResponse */
        {"300c02010161070a010004000400", "the server answered with an LDAP operation of tag "
                                         "0x61, not an ExtendedResponse (0x78)"},
        /* success naming another operation */
        {"3011020101780c0a0100040004008a03312e32", "the server's success names another "
                                                   "operation: responseName \"1.2\""},
        /* indefinite length */
        {"3080", "the server's bytes are not an LDAP message (a BER SEQUENCE): \"0\\x80\""},
        /* an HTTP server */
        {"485454502f", "the server's bytes are not an LDAP message (a BER SEQUENCE): \"H\""},
        /* too long */
        {"30821001", "the server's LDAP message is longer than 4096 bytes: \"0\\x82\\x10\\x01\""},
        /* malformed inside */
        {"300502010178000000", "the server's answer is a malformed LDAP message (its "
                               "resultCode is not an ENUMERATED): \"0\\x05\\x02\\x01\\x01x\\x00\""},
    };
    for (size_t i = 0; i < WARD_ARRAY_LEN(cases); i++) {
        ward_starttls *c = new_half(WARD_APP_LDAP, 0, NULL);
        n = unhex(cases[i].hex, msg, sizeof msg);
        ward_err e = feed_bytewise(c, msg, n);
        CHECK(e == WARD_ERR_STARTTLS_PROTOCOL);
        if (strcmp(ward_starttls_error_message(c), cases[i].msg) != 0)
            fprintf(stderr, "  case %zu: \"%s\"\n", i, ward_starttls_error_message(c));
        CHECK(strcmp(ward_starttls_error_message(c), cases[i].msg) == 0);
        ward_starttls_free(c);
    }
}

static void ldap_server(void)
{
    uint8_t buf[128], msg[128];
    size_t n = unhex(ldap_req_hex, msg, sizeof msg), m;
    ward_starttls *s = new_half(WARD_APP_LDAP, 1, NULL);
    CHECK(drain(s, buf, sizeof buf) == 0);
    CHECK_CODE(feed_bytewise(s, msg, n), WARD_OK);
    CHECK(ward_starttls_get_state(s) == WARD_STARTTLS_UPGRADE);
    m = drain(s, buf, sizeof buf);
    n = unhex(ldap_ok_hex, msg, sizeof msg);
    CHECK(m == n);
    CHECK_MEM(buf, msg, n);
    ward_starttls_free(s);

    /* A bind before StartTLS: refused, nothing sent. */
    s = new_half(WARD_APP_LDAP, 1, NULL);
    n = unhex("300c020101600702010304000400", msg, sizeof msg);
    CHECK_CODE(ward_starttls_recv(s, msg, n), WARD_ERR_STARTTLS_PROTOCOL);
    CHECK(msg_has(s, "the client's first LDAP message is not a StartTLS request (it is not an "
                     "ExtendedRequest)"));
    CHECK(drain(s, buf, sizeof buf) == 0);
    ward_starttls_free(s);
    /* Another extended operation (Who am I?, RFC 4532). */
    s = new_half(WARD_APP_LDAP, 1, NULL);
    n = unhex("301e0201017719801731" "2e332e362e312e342e312e343230332e312e31312e33", msg,
              sizeof msg);
    CHECK_CODE(ward_starttls_recv(s, msg, n), WARD_ERR_STARTTLS_PROTOCOL);
    CHECK(msg_has(s, "the client asked for another extended operation"));
    ward_starttls_free(s);
    /* The client's ClientHello behind its request: injection. */
    s = new_half(WARD_APP_LDAP, 1, NULL);
    n = unhex(ldap_req_hex, msg, sizeof msg);
    memcpy(msg + n, "\x16\x03\x01", 3);
    CHECK_CODE(ward_starttls_recv(s, msg, n + 3), WARD_ERR_STARTTLS_INJECTION);
    CHECK(drain(s, buf, sizeof buf) == 0); /* no success */
    ward_starttls_free(s);

    ward_starttls *c = new_half(WARD_APP_LDAP, 0, NULL);
    s = new_half(WARD_APP_LDAP, 1, NULL);
    check_pair_upgrades(c, s);
    ward_starttls_free(c);
    ward_starttls_free(s);
}

/* ---------------- XMPP ---------------- */
#define TLS_NS "urn:ietf:params:xml:ns:xmpp-tls"
#define STREAMS_NS "http://etherx.jabber.org/streams"

static void xml_scanner(void)
{
    stt_xml_tok t;
    const char *why;
    const char *in = "<stream:stream xmlns='jabber:client'\n  xmlns:stream = \"" STREAMS_NS
                     "\" id='a>b' version='1.0'>rest";
    CHECK(stt_xml_next((const uint8_t *)in, strlen(in), 4096, &t, &why) == 1);
    CHECK(t.kind == STT_XML_START && stt_xs_is(t.prefix, "stream") && stt_xs_is(t.local, "stream"));
    CHECK(t.nattr == 4 && t.raw.len == strlen(in) - 4);
    CHECK(stt_xs_is(t.attr[1].prefix, "xmlns") && stt_xs_is(t.attr[1].local, "stream"));
    CHECK(stt_xs_is(t.attr[1].value, STREAMS_NS));
    const stt_xs *v = stt_xml_attr(&t, "", "id");
    CHECK(v && stt_xs_is(*v, "a>b")); /* '>' inside a value does not end the tag */
    /* Every prefix of it is incomplete, never malformed. */
    for (size_t n = 0; n < strlen(in) - 4; n++)
        CHECK(stt_xml_next((const uint8_t *)in, n, 4096, &t, &why) == 0);

    static const struct {
        const char *in;
        int want;
        stt_xml_kind kind;
    } cases[] = {
        {"<required/>", 1, STT_XML_EMPTY},
        {"<required />", 1, STT_XML_EMPTY},
        {"</stream:features >", 1, STT_XML_END},
        {"<?xml version='1.0' encoding='UTF-8'?>", 1, STT_XML_DECL},
        {"  \r\n <a/>", 1, STT_XML_TEXT},
        {"<a b='1'c='2'/>", -1, 0},  /* no space between attributes */
        {"<a b='<'/>", -1, 0},       /* '<' in a value */
        {"<a b=1/>", -1, 0},         /* unquoted */
        {"<a b/>", -1, 0},
        {"<!-- hi -->", -1, 0},      /* RFC 6120 §11.1 */
        {"<!DOCTYPE x>", -1, 0},
        {"<?php echo 1 ?>", -1, 0},
        {"<>", -1, 0},
        {"</>", -1, 0},
        {"<:a/>", -1, 0},
        {"<a:/>", -1, 0},
        {"</a b>", -1, 0},
        {"<a b='1' 'c'/>", -1, 0},
        {"<a b='1", 0, 0},
        {"<", 0, 0},
    };
    for (size_t i = 0; i < WARD_ARRAY_LEN(cases); i++) {
        int r = stt_xml_next((const uint8_t *)cases[i].in, strlen(cases[i].in), 4096, &t, &why);
        if (r != cases[i].want)
            fprintf(stderr, "  case %zu (%s): %d\n", i, cases[i].in, r);
        CHECK(r == cases[i].want);
        if (r == 1)
            CHECK(t.kind == cases[i].kind);
    }
    CHECK(stt_xml_next((const uint8_t *)"<!-- x -->", 10, 4096, &t, &why) == -1);
    CHECK(strcmp(why, "comments, DTDs and CDATA are not allowed in XMPP (RFC 6120, section "
                      "11.1)") == 0);
}

static void xml_scanner_bounds(void)
{
    stt_xml_tok t;
    const char *why;
    /* Too many attributes; a tag longer than max. */
    char many[512] = "<a";
    for (int i = 0; i < STT_XML_ATTRS_MAX + 1; i++)
        snprintf(many + strlen(many), sizeof many - strlen(many), " a%d='x'", i);
    strcat(many, "/>");
    CHECK(stt_xml_next((const uint8_t *)many, strlen(many), 4096, &t, &why) == -1);
    CHECK(strcmp(why, "a tag has too many attributes") == 0);
    CHECK(stt_xml_next((const uint8_t *)many, strlen(many), 32, &t, &why) == -1);
    CHECK(strcmp(why, "a tag is too long") == 0);
    CHECK(stt_xml_next((const uint8_t *)many, 31, 32, &t, &why) == 0);
}

/* The reply of a Prosody-like server to a c2s stream header: its own
 * header (namespace declarations after other attributes), features with
 * STARTTLS required. */
static const char prosody_head[] =
    "<?xml version='1.0'?><stream:stream xmlns:stream='" STREAMS_NS "' xml:lang='en' "
    "id='8d1e2a6c-97a5-4b3e' from='example.com' version='1.0' xmlns='jabber:client'>";
static const char prosody_features[] =
    "<stream:features><starttls xmlns='" TLS_NS "'><required/></starttls></stream:features>";
static const char proceed_tag[] = "<proceed xmlns='" TLS_NS "'/>";

static const char c2s_open[] =
    "<?xml version='1.0'?><stream:stream to='example.com' version='1.0' xmlns='jabber:client' "
    "xmlns:stream='" STREAMS_NS "'>";
static const char starttls_tag[] = "<starttls xmlns='" TLS_NS "'/>";

/* A client that got the header and features and asked for STARTTLS. */
static ward_starttls *xmpp_asked(const char *head, const char *features)
{
    uint8_t buf[512];
    ward_starttls *c = new_half(WARD_APP_XMPP, 0, "example.com");
    CHECK(drain(c, buf, sizeof buf) == strlen(c2s_open));
    CHECK_MEM(buf, c2s_open, strlen(c2s_open));
    CHECK_CODE(feed_str(c, head), WARD_OK);
    CHECK(drain(c, buf, sizeof buf) == 0);
    CHECK_CODE(feed_str(c, features), WARD_OK);
    CHECK(ward_starttls_get_state(c) == WARD_STARTTLS_WAITING);
    size_t n = drain(c, buf, sizeof buf);
    CHECK(n == strlen(starttls_tag));
    CHECK_MEM(buf, starttls_tag, strlen(starttls_tag));
    return c;
}

static void xmpp_client(void)
{
    ward_starttls *c = xmpp_asked(prosody_head, prosody_features);
    CHECK_CODE(feed_str(c, proceed_tag), WARD_OK);
    CHECK(ward_starttls_get_state(c) == WARD_STARTTLS_UPGRADE);
    CHECK_CODE(ward_starttls_secured(c), WARD_OK);
    CHECK(ward_starttls_get_state(c) == WARD_STARTTLS_DONE);
    ward_starttls_free(c);

    /* Double quotes, white space, line breaks, other prefixes, the TLS
     * namespace declared on the stream, SASL mechanisms with text, a
     * whitespace keepalive, <proceed></proceed> as a start and end tag. */
    c = xmpp_asked("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<s:stream\n xmlns=\"jabber:client\""
                   " xmlns:s = \"" STREAMS_NS "\"\txmlns:t='" TLS_NS "' version=\"1.0\" >\n",
                   " <s:features>\n  <mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>"
                   "<mechanism>PLAIN</mechanism><mechanism>SCRAM-SHA-1</mechanism></mechanisms>"
                   "<t:starttls/>\n </s:features>\n");
    CHECK_CODE(feed_str(c, " <t:proceed></t:proceed>"), WARD_OK);
    CHECK(ward_starttls_get_state(c) == WARD_STARTTLS_UPGRADE);
    ward_starttls_free(c);

    /* <proceed> must end as </proceed>. */
    c = xmpp_asked(prosody_head, prosody_features);
    CHECK_CODE(feed_str(c, "<proceed xmlns='" TLS_NS "'></failure>"), WARD_ERR_STARTTLS_PROTOCOL);
    CHECK(strcmp(ward_starttls_error_message(c),
                 "the server's <proceed> has content or a wrong end tag") == 0);
    ward_starttls_free(c);

    /* A prefix declared on the element itself. */
    c = xmpp_asked(prosody_head, "<stream:features><x:starttls xmlns:x='" TLS_NS
                                 "'/></stream:features>");
    CHECK_CODE(feed_str(c, "<y:proceed xmlns:y='" TLS_NS "'/>"), WARD_OK);
    CHECK(ward_starttls_get_state(c) == WARD_STARTTLS_UPGRADE);
    ward_starttls_free(c);

    /* Injection: anything after <proceed/>, in its read or the next. */
    c = xmpp_asked(prosody_head, prosody_features);
    CHECK_CODE(ward_starttls_recv(c, (const uint8_t *)"<proceed xmlns='" TLS_NS "'/><iq/>",
                                  strlen(proceed_tag) + 5),
               WARD_ERR_STARTTLS_INJECTION);
    CHECK(strcmp(ward_starttls_error_message(c),
                 "5 bytes came after the server's <proceed/>, before the TLS handshake "
                 "(command injection?): \"<iq/>\"") == 0);
    ward_starttls_free(c);
    c = xmpp_asked(prosody_head, prosody_features);
    CHECK_CODE(feed_str(c, proceed_tag), WARD_OK);
    CHECK_CODE(feed_str(c, " "), WARD_ERR_STARTTLS_INJECTION);
    ward_starttls_free(c);
}

static void xmpp_client_refusals(void)
{
    ward_starttls *c = xmpp_asked(prosody_head, prosody_features);
    CHECK_CODE(feed_str(c, "<failure xmlns='" TLS_NS "'/></stream:stream>"),
               WARD_ERR_STARTTLS_REFUSED);
    CHECK(strcmp(ward_starttls_error_message(c),
                 "the server answered <failure/> to <starttls/>: \"<failure "
                 "xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>\"") == 0);
    ward_starttls_free(c);

    static const struct {
        const char *in;
        ward_err want;
        const char *msg;
    } cases[] = {
        {"<stream:features><mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><mechanism>"
         "PLAIN</mechanism></mechanisms><register xmlns='http://jabber.org/features/iq-register'"
         "/></stream:features>",
         WARD_ERR_STARTTLS_REFUSED,
         "the server does not offer STARTTLS (its stream features: mechanisms, register)"},
        {"<stream:features/>", WARD_ERR_STARTTLS_REFUSED,
         "the server does not offer STARTTLS (its stream features: none)"},
        /* <starttls/> in another namespace is not STARTTLS */
        {"<stream:features><starttls xmlns='urn:example'/></stream:features>",
         WARD_ERR_STARTTLS_REFUSED,
         "the server does not offer STARTTLS (its stream features: starttls)"},
        /* an undeclared prefix */
        {"<stream:features><q:starttls/></stream:features>", WARD_ERR_STARTTLS_REFUSED,
         "the server does not offer STARTTLS (its stream features: starttls)"},
        {"<stream:error><host-unknown xmlns='urn:ietf:params:xml:ns:xmpp-streams'/><text "
         "xmlns='urn:ietf:params:xml:ns:xmpp-streams'>no such host</text></stream:error>",
         WARD_ERR_STARTTLS_REFUSED,
         "the server sent a stream error: host-unknown \"no such host\""},
        /* the text first, with a language, spaces and a quote; then an
         * application-specific condition (RFC 6120 §4.9.4) */
        {"<stream:error xmlns:e='urn:ietf:params:xml:ns:xmpp-streams'><e:text xml:lang='en'> "
         "Server \"mx\" is shutting down </e:text><e:system-shutdown/><down xmlns='urn:x'/>"
         "</stream:error>",
         WARD_ERR_STARTTLS_REFUSED,
         "the server sent a stream error: \" Server \\x22mx\\x22 is shutting down \" / "
         "system-shutdown / down"},
        /* <text> in another namespace is a condition like any other */
        {"<stream:error><text xmlns='urn:x'>hi</text></stream:error>", WARD_ERR_STARTTLS_REFUSED,
         "the server sent a stream error: text"},
        {"<stream:error/>", WARD_ERR_STARTTLS_REFUSED,
         "the server sent a stream error: (no condition)"},
        {"</stream:stream>", WARD_ERR_STARTTLS_PROTOCOL,
         "the peer closed the stream (</stream:stream>)"},
        {"<features xmlns='jabber:client'/>", WARD_ERR_STARTTLS_PROTOCOL,
         "the server sent an unexpected element where <stream:features> was due: \"<features "
         "xmlns='jabber:client'/>\""},
        {"<!-- hello -->", WARD_ERR_STARTTLS_PROTOCOL,
         "the peer's XML is malformed (comments, DTDs and CDATA are not allowed in XMPP (RFC "
         "6120, section 11.1)): \"<!\""}, /* fed a byte at a time */
        {"hello", WARD_ERR_STARTTLS_PROTOCOL, "the peer sent text outside an element: \"h\""},
        {"<stream:features></stream:stream>", WARD_ERR_STARTTLS_PROTOCOL,
         "the server's <stream:features> ends with another end tag"},
    };
    for (size_t i = 0; i < WARD_ARRAY_LEN(cases); i++) {
        c = new_half(WARD_APP_XMPP, 0, "example.com");
        CHECK_CODE(feed_str(c, prosody_head), WARD_OK);
        ward_err e = feed_str(c, cases[i].in);
        if (e != cases[i].want || strcmp(ward_starttls_error_message(c), cases[i].msg) != 0)
            fprintf(stderr, "  case %zu: %d \"%s\"\n", i, (int)e, ward_starttls_error_message(c));
        CHECK(e == cases[i].want);
        CHECK(strcmp(ward_starttls_error_message(c), cases[i].msg) == 0);
        ward_starttls_free(c);
    }
}

static void xmpp_client_headers(void)
{
    static const struct {
        const char *in;
        ward_err want;
        const char *msg;
    } cases[] = {
        /* RFC 3920-less servers: no version, so no features and no STARTTLS */
        {"<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='" STREAMS_NS
         "' id='1'>",
         WARD_ERR_STARTTLS_REFUSED,
         "the server's stream header has no version='1.0': it predates XMPP 1.0 and STARTTLS: "
         "\"<stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'"
         " id='1'>\""},
        {"<stream:stream xmlns='jabber:server' xmlns:stream='" STREAMS_NS "' version='1.0'>",
         WARD_ERR_STARTTLS_PROTOCOL,
         "the server's stream header's default namespace is not 'jabber:client': \"<stream:stream"
         " xmlns='jabber:server' xmlns:stream='http://etherx.jabber.org/streams' version='1.0'>\""},
        {"<stream xmlns='jabber:client' version='1.0'>", WARD_ERR_STARTTLS_PROTOCOL,
         "the server's first element is not a stream header <stream:stream ...>: \"<stream "
         "xmlns='jabber:client' version='1.0'>\""},
        {"220 mail.example.com ESMTP\r\n", WARD_ERR_STARTTLS_PROTOCOL,
         "the peer sent text outside an element: \"2\""},
        {"<?xml version='1.0'?><?xml version='1.0'?>", WARD_ERR_STARTTLS_PROTOCOL,
         "the peer sent an XML declaration inside the stream"},
    };
    for (size_t i = 0; i < WARD_ARRAY_LEN(cases); i++) {
        ward_starttls *c = new_half(WARD_APP_XMPP, 0, "example.com");
        ward_err e = feed_str(c, cases[i].in);
        if (e != cases[i].want || strcmp(ward_starttls_error_message(c), cases[i].msg) != 0)
            fprintf(stderr, "  case %zu: %d \"%s\"\n", i, (int)e, ward_starttls_error_message(c));
        CHECK(e == cases[i].want);
        CHECK(strcmp(ward_starttls_error_message(c), cases[i].msg) == 0);
        ward_starttls_free(c);
    }
}

/* Tags, nesting and tag counts are bounded; text is not counted. */
static void xmpp_bounds(void)
{
    /* A tag that never ends is cut at STT_LINE_MAX. */
    ward_starttls *c = new_half(WARD_APP_XMPP, 0, "example.com");
    static char big[STT_LINE_MAX + 16];
    memset(big, 'a', sizeof big - 1);
    memcpy(big, "<stream:stream x='", 18);
    CHECK_CODE(ward_starttls_recv(c, (const uint8_t *)big, strlen(big)),
               WARD_ERR_STARTTLS_PROTOCOL);
    CHECK(msg_has(c, "the peer's XML is malformed (a tag is too long)"));
    ward_starttls_free(c);
    /* Nesting is bounded. */
    c = new_half(WARD_APP_XMPP, 0, "example.com");
    CHECK_CODE(feed_str(c, prosody_head), WARD_OK);
    CHECK_CODE(feed_str(c, "<stream:features><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a>"),
               WARD_ERR_STARTTLS_PROTOCOL);
    CHECK(msg_has(c, "the peer's XML nests deeper than 16"));
    ward_starttls_free(c);
    /* Pretty-printed features fed a byte at a time: text is not counted. */
    static char pretty[4096];
    strcpy(pretty, "<stream:features>");
    for (int i = 0; i < 100; i++)
        strcat(pretty, "\n      <x/>");
    strcat(pretty, "\n  <starttls xmlns='" TLS_NS "'>\n    <required/>\n  </starttls>\n"
                   "</stream:features>");
    c = new_half(WARD_APP_XMPP, 0, "example.com");
    CHECK_CODE(feed_str(c, prosody_head), WARD_OK);
    CHECK_CODE(feed_str(c, pretty), WARD_OK);
    CHECK(ward_starttls_get_state(c) == WARD_STARTTLS_WAITING);
    ward_starttls_free(c);
    /* But tags are bounded. */
    strcpy(pretty, "<stream:features>");
    for (int i = 0; i < 520; i++)
        strcat(pretty, "<x/>");
    c = new_half(WARD_APP_XMPP, 0, "example.com");
    CHECK_CODE(feed_str(c, prosody_head), WARD_OK);
    CHECK_CODE(feed_str(c, pretty), WARD_ERR_STARTTLS_PROTOCOL);
    CHECK(msg_has(c, "the peer sent more than 512 XML tags before TLS"));
    ward_starttls_free(c);
}

static void xmpp_params(void)
{
    /* A host that would break out of the attribute, or none. */
    ward_starttls *d = NULL;
    ward_starttls_params p = {.app = WARD_APP_XMPP, .host = "a'b"};
    CHECK_CODE(ward_starttls_new(&p, &d), WARD_ERR_CONFIG);
    p.host = NULL;
    CHECK_CODE(ward_starttls_new(&p, &d), WARD_ERR_CONFIG);
    p = (ward_starttls_params){.app = WARD_APP_XMPP, .server = 1, .server_name = "x<y"};
    CHECK_CODE(ward_starttls_new(&p, &d), WARD_ERR_CONFIG);
    CHECK(d == NULL);
}

static void xmpp_s2s(void)
{
    uint8_t buf[512];
    static const char want[] =
        "<?xml version='1.0'?><stream:stream from='a.example' to='b.example' version='1.0' "
        "xmlns='jabber:server' xmlns:stream='" STREAMS_NS "'>";
    ward_starttls *c = NULL;
    ward_starttls_params p = {.app = WARD_APP_XMPP_SERVER, .host = "b.example",
                              .helo_name = "a.example"};
    CHECK_CODE(ward_starttls_new(&p, &c), WARD_OK);
    if (!c)
        return;
    CHECK(drain(c, buf, sizeof buf) == strlen(want));
    CHECK_MEM(buf, want, strlen(want));
    /* A c2s header on the s2s port is wrong. */
    CHECK_CODE(feed_str(c, prosody_head), WARD_ERR_STARTTLS_PROTOCOL);
    CHECK(msg_has(c, "default namespace is not 'jabber:server'"));
    ward_starttls_free(c);

    ward_starttls *s = new_half(WARD_APP_XMPP_SERVER, 1, NULL);
    c = new_half(WARD_APP_XMPP_SERVER, 0, "b.example");
    check_pair_upgrades(c, s);
    ward_starttls_free(c);
    ward_starttls_free(s);
}

static void xmpp_server(void)
{
    uint8_t buf[1024];
    static const char want[] =
        "<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='" STREAMS_NS
        "' id='ward-starttls' from='localhost' version='1.0'><stream:features><starttls xmlns='"
        TLS_NS "'><required/></starttls></stream:features>";
    ward_starttls *s = new_half(WARD_APP_XMPP, 1, NULL);
    CHECK(drain(s, buf, sizeof buf) == 0); /* the client opens the stream */
    CHECK_CODE(feed_str(s, c2s_open), WARD_OK);
    CHECK(drain(s, buf, sizeof buf) == strlen(want));
    CHECK_MEM(buf, want, strlen(want));
    CHECK_CODE(feed_str(s, starttls_tag), WARD_OK);
    CHECK(ward_starttls_get_state(s) == WARD_STARTTLS_UPGRADE);
    CHECK(drain(s, buf, sizeof buf) == strlen(proceed_tag));
    CHECK_MEM(buf, proceed_tag, strlen(proceed_tag));
    ward_starttls_free(s);

    /* SASL before TLS: refused. */
    s = new_half(WARD_APP_XMPP, 1, NULL);
    CHECK_CODE(feed_str(s, c2s_open), WARD_OK);
    CHECK_CODE(feed_str(s, "<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'/>"),
               WARD_ERR_STARTTLS_PROTOCOL);
    CHECK(msg_has(s, "the client sent an element other than <starttls/> first"));
    ward_starttls_free(s);
    /* <starttls></starttls>, then the ClientHello too early: injection. */
    s = new_half(WARD_APP_XMPP, 1, NULL);
    CHECK_CODE(feed_str(s, c2s_open), WARD_OK);
    CHECK(drain(s, buf, sizeof buf) == strlen(want));
    CHECK_CODE(ward_starttls_recv(s, (const uint8_t *)"<starttls xmlns='" TLS_NS
                                                      "'></starttls>\x16\x03\x01",
                                  strlen(TLS_NS) + 33),
               WARD_ERR_STARTTLS_INJECTION);
    CHECK(msg_has(s, "3 bytes came after the client's <starttls/>"));
    CHECK(drain(s, buf, sizeof buf) == 0); /* no <proceed/> */
    ward_starttls_free(s);

    ward_starttls *c = new_half(WARD_APP_XMPP, 0, "example.com");
    s = new_half(WARD_APP_XMPP, 1, NULL);
    check_pair_upgrades(c, s);
    ward_starttls_free(c);
    ward_starttls_free(s);
}

/* ---------------- the log ---------------- */
static char log_text[2048];

static void log_collect(void *arg, int from_peer, const char *text, size_t len)
{
    (void)arg;
    size_t o = strlen(log_text);
    if (o + len + 4 < sizeof log_text)
        snprintf(log_text + o, sizeof log_text - o, "%c %.*s|", from_peer ? '<' : '>', (int)len,
                 text);
}

/* Binary messages are logged in words, the request queued by start()
 * included (replayed when the log is set). */
static void bin_log(void)
{
    uint8_t msg[128];
    ward_starttls *c = new_half(WARD_APP_LDAP, 0, NULL);
    log_text[0] = 0;
    ward_starttls_set_log(c, log_collect, NULL);
    size_t n = unhex(ldap_refused_hex, msg, sizeof msg);
    CHECK_CODE(ward_starttls_recv(c, msg, n), WARD_ERR_STARTTLS_REFUSED);
    CHECK(strcmp(log_text, "> ExtendedRequest StartTLS (1.3.6.1.4.1.1466.20037), messageID 1|"
                           "< ExtendedResponse messageID 1, resultCode 2 (protocolError) "
                           "\"unsupported extended operation\"|") == 0);
    ward_starttls_free(c);

    c = new_half(WARD_APP_MYSQL, 0, NULL);
    log_text[0] = 0;
    ward_starttls_set_log(c, log_collect, NULL);
    n = (size_t)hex_decode(my_greeting_hex, msg, sizeof msg);
    CHECK_CODE(ward_starttls_recv(c, msg, n), WARD_OK);
    CHECK(strcmp(log_text, "< greeting: protocol 10, server \"8.0.36\", capabilities 0xdfffdfff|"
                           "> SSL Request (sequence 1, capabilities 0x00008a00)|") == 0);
    ward_starttls_free(c);

    c = new_half(WARD_APP_POSTGRES, 0, NULL);
    log_text[0] = 0;
    ward_starttls_set_log(c, log_collect, NULL);
    CHECK_CODE(feed_str(c, "S"), WARD_OK);
    CHECK(strcmp(log_text, "> SSLRequest (length 8, code 80877103)|< S (TLS accepted)|") == 0);
    ward_starttls_free(c);
    if (test_failed)
        fprintf(stderr, "  log: %s\n", log_text);
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
    my_server_tls_follows();
    tls_follows_elsewhere();
    ber_reader();
    ldap_codec();
    ldap_parse_cases();
    ldap_client();
    ldap_client_bad();
    ldap_server();
    xml_scanner();
    xml_scanner_bounds();
    xmpp_client();
    xmpp_client_refusals();
    xmpp_client_headers();
    xmpp_bounds();
    xmpp_params();
    xmpp_s2s();
    xmpp_server();
    bin_log();
    return test_report();
}
