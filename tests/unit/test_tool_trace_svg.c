/* The SVG renderer (tools/ward/trace_svg.c): an in-memory TLS 1.3 and 1.2
 * handshake traced into a sink per end draws one arrow per message, each
 * from its sender's lifeline, Finished both ways; the same events give the
 * same bytes; text from the peer is escaped for XML (the five specials,
 * bytes outside printable ASCII as \xHH), a message that does not decode
 * is drawn as malformed, and an alert is a red arrow with its reason. */
#define _GNU_SOURCE /* open_memstream */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "selftalk.h"
#include "testutil.h"
#include "../../tools/ward/trace.h" /* not tests/unit/trace.h */
#include "ward/trace.h"
#include "ward/ward.h"

/* items as SVG, in a malloc'd string. */
static char *render(const trace_item *items, size_t n)
{
    char *s = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&s, &len);
    if (!f)
        return NULL;
    CHECK(trace_svg_write(f, items, n) == 0);
    fclose(f);
    return s;
}

static size_t count(const char *hay, const char *needle)
{
    size_t n = 0;
    for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
        n++;
    return n;
}

/* The arrow data-msg=name drawn from x1 (170 client, 730 server). */
static int arrow_from(const char *svg, const char *name, int x1)
{
    char want[128];
    snprintf(want, sizeof want, "<g class=\"arrow\" data-msg=\"%s\">", name);
    for (const char *p = svg; (p = strstr(p, want)); p += strlen(want)) {
        const char *line = strstr(p, "<line x1=\"");
        if (line && atoi(line + 10) == x1)
            return 1;
    }
    return 0;
}

static void handshake(uint16_t version)
{
    uint8_t pin[32];
    ward_config *sc = ward_config_new_server(), *cc = ward_config_new_client();
    CHECK(ward_config_use_ephemeral_cert(sc, "localhost", pin) == WARD_OK);
    ward_config_set_pin_sha256(cc, pin);
    CHECK(ward_config_set_versions(cc, version, version) == WARD_OK);
    trace_opts o = {.format = TRACE_SVG};
    trace_sink *cs = trace_sink_new(&o), *ss = trace_sink_new(&o);
    ward_config_set_trace(cc, trace_sink_event, cs);
    ward_config_set_trace(sc, trace_sink_event, ss);
    ward_conn *c = ward_conn_new(cc, "localhost"), *s = ward_conn_new(sc, NULL);
    CHECK(selftalk_pump(c, s) == WARD_OK);
    const trace_item *items;
    for (int server = 0; server < 2; server++) {
        size_t n = trace_sink_items(server ? ss : cs, &items);
        char *a = render(items, n), *b = render(items, n);
        CHECK(a && b && strcmp(a, b) == 0); /* deterministic */
        CHECK(a && strncmp(a, "<svg xmlns=\"http://www.w3.org/2000/svg\"", 39) == 0);
        CHECK(a && strcmp(a + strlen(a) - 7, "</svg>\n") == 0);
        CHECK(a && arrow_from(a, "ClientHello", 170) && arrow_from(a, "ServerHello", 730));
        CHECK(a && arrow_from(a, "Certificate", 730) && arrow_from(a, "Finished", 730));
        CHECK(a && arrow_from(a, "Finished", 170) && count(a, "data-msg=\"Finished\"") == 2);
        if (version == WARD_TLS13) {
            CHECK(a && arrow_from(a, "EncryptedExtensions", 730) &&
                  arrow_from(a, "CertificateVerify", 730));
            CHECK(a && strstr(a, "compatibility only") && !strstr(a, "new keys follow"));
        } else {
            CHECK(a && arrow_from(a, "ServerKeyExchange", 730) &&
                  arrow_from(a, "ClientKeyExchange", 170) && strstr(a, "TLS 1.2 keys"));
            CHECK(a && !strstr(a, "compatibility only") && count(a, "new keys follow") == 2);
        }
        CHECK(a && strstr(a, "data-layout=\"ClientHello\"") && strstr(a, "handshake complete"));
        CHECK(a && !strstr(a, "malformed"));
        free(a);
        free(b);
    }
    ward_conn_free(c);
    ward_conn_free(s);
    trace_sink_free(cs);
    trace_sink_free(ss);
    ward_config_free(cc);
    ward_config_free(sc);
}

/* Hostile text: a plaintext line and an alert's reason with XML specials
 * and bytes that are not printable ASCII; a ServerHello cut short. */
static void escaping(void)
{
    static uint8_t line[] = "250 <script>&\"'\x01\xff";
    static uint8_t cut[] = {2, 0, 0, 3, 3, 3, 0};
    trace_item it[3];
    memset(it, 0, sizeof it);
    it[0].ev.kind = WARD_TRACE_PLAINTEXT;
    it[0].ev.from_server = 1;
    it[0].data = line;
    it[0].ev.data = line;
    it[0].ev.len = sizeof line - 1;
    it[1].ev.kind = WARD_TRACE_MESSAGE;
    it[1].ev.msg_type = 2;
    it[1].data = cut;
    it[1].ev.data = cut;
    it[1].ev.len = sizeof cut;
    it[2].ev.kind = WARD_TRACE_ALERT;
    it[2].ev.alert_level = 2;
    it[2].ev.alert = WARD_ALERT_BAD_CERTIFICATE;
    it[2].ev.sent = 1;
    it[2].ev.reason = "name <b>evil</b> & co";
    char *a = render(it, 3);
    CHECK(a && strstr(a, "250 &lt;script&gt;&amp;&quot;&apos;\\x01\\xFF"));
    CHECK(a && !strstr(a, "<script") && !strstr(a, "<b>"));
    CHECK(a && strstr(a, "name &lt;b&gt;evil&lt;/b&gt; &amp; co"));
    CHECK(a && strstr(a, "<g class=\"arrow alert\" data-msg=\"Alert\">"));
    CHECK(a && strstr(a, "Alert: bad_certificate") && strstr(a, "url(#wt-r)"));
    CHECK(a && strstr(a, "malformed: 3 B that do not decode"));
    CHECK(a && strstr(a, "did not complete"));
    for (const char *p = a; p && *p; p++) /* nothing but printable ASCII and newlines */
        if (!((*p >= 0x20 && *p < 0x7f) || *p == '\n')) {
            CHECK(0);
            break;
        }
    free(a);
}

int main(void)
{
    handshake(WARD_TLS13);
    handshake(WARD_TLS12);
    escaping();
    return test_report();
}
