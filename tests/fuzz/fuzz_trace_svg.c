/* libFuzzer target: the SVG renderer (tools/ward/trace_svg.c), which the
 * `ward server --www` page runs over whatever a visitor's client sends.
 * Input as fuzz_trace_decode's (whose seeds it shares): byte 0 the
 * handshake type, byte 1 the context (bits 0-1 version, bits 2-3 suite,
 * bit 4 "raw": the rest has its own 4-byte header). The message becomes a
 * MESSAGE event, sent by the client when it is a ClientHello (so it is
 * also laid out), else by the server; the same bytes are also a plaintext
 * line, an alert's and a refused verdict's reason, and a DONE event's
 * group and ALPN. The drawing must come out as printable ASCII and
 * newlines only (every peer byte escaped), opening with <svg and closing
 * with </svg>. */
#define _GNU_SOURCE /* open_memstream */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trace.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The message with its header, in a buffer of exactly its size. */
static uint8_t *message(const uint8_t *data, size_t size, size_t *len)
{
    int raw = data[1] & 0x10;
    size_t body = size - 2;
    *len = raw ? body : body + 4;
    uint8_t *msg = malloc(*len ? *len : 1);
    if (!msg)
        return NULL;
    if (raw) {
        memcpy(msg, data + 2, body);
    } else {
        msg[0] = data[0];
        msg[1] = (uint8_t)(body >> 16), msg[2] = (uint8_t)(body >> 8), msg[3] = (uint8_t)body;
        memcpy(msg + 4, data + 2, body);
    }
    return msg;
}

static void check(const char *svg, size_t len)
{
    if (len < 14 || strncmp(svg, "<svg ", 5) != 0 || strcmp(svg + len - 7, "</svg>\n") != 0)
        abort();
    for (size_t i = 0; i < len; i++)
        if (!((svg[i] >= 0x20 && svg[i] < 0x7f) || svg[i] == '\n'))
            abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const uint16_t versions[4] = {0, 0x0303, 0x0304, 0x0302};
    static const uint16_t suites[4] = {0, 0x1301, 0xc02f, 0x009c};
    if (size < 2)
        return 0;
    size_t len;
    uint8_t *msg = message(data, size, &len);
    char *text = malloc(size - 1);
    if (!msg || !text) {
        free(msg);
        free(text);
        return 0;
    }
    memcpy(text, data + 2, size - 2);
    text[size - 2] = '\0';
    trace_item it[5];
    memset(it, 0, sizeof it);
    for (int i = 0; i < 5; i++) {
        it[i].ev.version = versions[data[1] & 3];
        it[i].ev.suite = suites[(data[1] >> 2) & 3];
        it[i].ev.ms = (uint64_t)i * 7;
        it[i].ev.protection = (data[1] >> 5) & 7; /* 6 and 7: out of range */
    }
    it[0].ev.kind = WARD_TRACE_MESSAGE;
    it[0].ev.msg_type = data[0];
    it[0].ev.from_server = data[0] != 1;
    it[0].data = msg;
    it[0].ev.len = len;
    it[1].ev.kind = WARD_TRACE_PLAINTEXT;
    it[1].data = (uint8_t *)text;
    it[1].ev.len = size - 2;
    it[2].ev.kind = WARD_TRACE_VERIFY;
    it[2].ev.reason = text;
    it[3].ev.kind = WARD_TRACE_DONE;
    it[3].data = msg;
    it[3].ev.len = len;
    it[4].ev.kind = WARD_TRACE_ALERT;
    it[4].ev.alert = data[0];
    it[4].ev.alert_level = 2;
    it[4].ev.reason = text;
    for (int i = 0; i < 5; i++)
        it[i].ev.data = it[i].data;
    char *svg = NULL;
    size_t sl = 0;
    FILE *f = open_memstream(&svg, &sl);
    if (f) {
        if (trace_svg_write(f, it, 5) != 0)
            abort();
        fclose(f);
        check(svg, sl);
    }
    free(svg);
    free(msg);
    free(text);
    return 0;
}
