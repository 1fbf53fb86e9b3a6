/* The text renderer (tools/ward/trace_text*.c) on input made to break it:
 * a ClientHello with 64 suites (GREASE among them), a 250-byte server
 * name, eight 60-byte ALPN names and key shares; a plaintext line and an
 * alert reason carrying terminal escapes. Every line stays within 79
 * columns, no control byte reaches the terminal, GREASE is named, and
 * --explain and the summary appear. */
#define _GNU_SOURCE /* open_memstream */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "../../tools/ward/trace.h"
#include "ward/trace.h"

typedef struct {
    uint8_t b[8192];
    size_t n;
} buf;

static void u8(buf *b, unsigned v) { b->b[b->n++] = (uint8_t)v; }
static void u16(buf *b, unsigned v) { u8(b, v >> 8); u8(b, v & 0xff); }
/* set a 2-byte length at off to what follows it */
static void len16(buf *b, size_t off) { size_t l = b->n - off - 2; b->b[off] = (uint8_t)(l >> 8); b->b[off + 1] = (uint8_t)l; }

static size_t ext_begin(buf *b, unsigned type)
{
    u16(b, type);
    u16(b, 0);
    return b->n - 2;
}

static void extensions(buf *b)
{
    size_t e = ext_begin(b, 0), l; /* server_name */
    l = b->n; u16(b, 0); u8(b, 0); u16(b, 250);
    for (int i = 0; i < 250; i++)
        u8(b, 'a' + i % 26);
    len16(b, l);
    len16(b, e);
    e = ext_begin(b, 16); /* ALPN */
    l = b->n; u16(b, 0);
    for (int i = 0; i < 8; i++) {
        u8(b, 60);
        for (int j = 0; j < 60; j++)
            u8(b, 'p');
    }
    len16(b, l);
    len16(b, e);
    e = ext_begin(b, 43); /* supported_versions */
    u8(b, 6); u16(b, 0x3a3a); u16(b, 0x0304); u16(b, 0x0303);
    len16(b, e);
    e = ext_begin(b, 10); /* supported_groups */
    l = b->n; u16(b, 0); u16(b, 0x2a2a); u16(b, 0x11ec); u16(b, 29); u16(b, 23);
    len16(b, l);
    len16(b, e);
    e = ext_begin(b, 51); /* key_share */
    l = b->n; u16(b, 0);
    u16(b, 0x2a2a); u16(b, 1); u8(b, 0);
    u16(b, 29); u16(b, 32);
    for (int i = 0; i < 32; i++)
        u8(b, 9);
    len16(b, l);
    len16(b, e);
    e = ext_begin(b, 13); /* signature_algorithms */
    l = b->n; u16(b, 0); u16(b, 0x0403); u16(b, 0x0804); u16(b, 0x0807);
    len16(b, l);
    len16(b, e);
}

static void client_hello(buf *b)
{
    u8(b, 1);
    u8(b, 0); u16(b, 0); /* length, set below */
    u16(b, 0x0303);
    for (int i = 0; i < 32; i++)
        u8(b, i);
    u8(b, 32);
    for (int i = 0; i < 32; i++)
        u8(b, 0xee);
    size_t s = b->n;
    u16(b, 0);
    u16(b, 0x0a0a);
    for (unsigned i = 0; i < 63; i++)
        u16(b, 0x1301 + i % 3);
    len16(b, s);
    u8(b, 1); u8(b, 0);
    size_t x = b->n;
    u16(b, 0);
    extensions(b);
    len16(b, x);
    size_t body = b->n - 4;
    b->b[1] = (uint8_t)(body >> 16); b->b[2] = (uint8_t)(body >> 8); b->b[3] = (uint8_t)body;
}

static void check_lines(const char *out)
{
    size_t col = 0, lines = 0;
    for (const char *p = out; *p; p++) {
        unsigned char c = (unsigned char)*p;
        if (c == '\n') {
            CHECK(col <= 79);
            col = 0;
            lines++;
            continue;
        }
        CHECK(c >= 0x20 && c < 0x7f); /* no escape, no control byte */
        col++;
    }
    CHECK(lines > 20);
}

int main(void)
{
    buf ch = {.n = 0};
    client_hello(&ch);
    ward_trace_event ev;
    memset(&ev, 0, sizeof ev);
    ev.kind = WARD_TRACE_MESSAGE;
    ev.sent = 1;
    ev.msg_type = 1;
    ev.data = ch.b;
    ev.len = ch.n;
    ward_trace_msg m;
    CHECK_CODE(ward_trace_decode(&ev, &m), WARD_OK);

    char *out = NULL;
    size_t outlen = 0;
    FILE *f = open_memstream(&out, &outlen);
    trace_opts o = {.format = TRACE_TEXT, .explain = 1, .color = 0, .out = f};
    trace_sink *s = trace_sink_new(&o);
    trace_sink_plaintext(s, 1, "220 \x1b[31mred\x1b[0m \x07 ok", 1);
    trace_sink_event(s, &ev);
    ward_trace_event al;
    memset(&al, 0, sizeof al);
    al.kind = WARD_TRACE_ALERT;
    al.from_server = 1;
    al.alert_level = 2;
    al.alert = WARD_ALERT_HANDSHAKE_FAILURE;
    al.reason = "no \x1b]0;title\x07 common suite, and a reason long enough to need wrapping "
                "across more than one line of the eighty columns";
    trace_sink_event(s, &al);
    CHECK(trace_sink_finish(s) == 0);
    trace_sink_free(s);
    fclose(f);
    check_lines(out);
    CHECK(strstr(out, "GREASE(0x0a0a)") != NULL);
    CHECK(strstr(out, "GREASE(0x2a2a) (1 bytes)") != NULL);
    CHECK(strstr(out, "ClientHello ---") != NULL);
    CHECK(strstr(out, "| Negotiate algorithms") != NULL);
    CHECK(strstr(out, "?[31mred?[0m") != NULL);
    CHECK(strstr(out, "Alert fatal handshake_failure") != NULL);
    CHECK(strstr(out, "Failed: fatal alert handshake_failure from the server") != NULL);
    if (getenv("TRACE_TEXT_SHOW"))
        fputs(out, stderr);
    free(out);
    return test_report();
}
