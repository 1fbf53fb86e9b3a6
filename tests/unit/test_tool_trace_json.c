/* The tool's trace sink and JSON writer (tools/ward/trace.c,
 * trace_json.c): JSON strings escape quotes, backslashes, control bytes
 * and every byte outside printable ASCII (peer text is not trusted UTF-8);
 * the sink keeps copies that outlive the event (data, name, reason), a
 * DONE item holds group and ALPN, plaintext lines take the sink's role,
 * and finish empties the list for the next connection. */
#define _GNU_SOURCE /* open_memstream */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "../../tools/ward/trace.h"
#include "ward/trace.h"

static char *json_of(const ward_trace_event *ev)
{
    char *s = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&s, &len);
    CHECK(f != NULL);
    trace_json_write(f, ev);
    fclose(f);
    return s;
}

static void escaping(void)
{
    static const char line[] = "a\"b\\c\x01\x1f\t\r\n\x7f\xc3\xa9 </x>";
    ward_trace_event ev;
    memset(&ev, 0, sizeof ev);
    ev.kind = WARD_TRACE_PLAINTEXT;
    ev.ms = 7;
    ev.from_server = 1;
    ev.data = (const uint8_t *)line;
    ev.len = sizeof line - 1;
    char *s = json_of(&ev);
    CHECK(strcmp(s, "{\"event\":\"plaintext\",\"ms\":7,\"from\":\"server\",\"local\":false,"
                    "\"line\":\"a\\\"b\\\\c\\u0001\\u001f\\t\\r\\n\\u007f\\u00c3\\u00a9 </x>\"}\n") ==
          0);
    for (const char *p = s; *p; p++)
        CHECK((unsigned char)*p < 0x80 && (*p >= 0x20 || *p == '\n'));
    free(s);
}

static void alert_and_verify(void)
{
    ward_trace_event ev;
    memset(&ev, 0, sizeof ev);
    ev.kind = WARD_TRACE_ALERT;
    ev.sent = 1;
    ev.alert_level = 2;
    ev.alert = WARD_ALERT_BAD_CERTIFICATE;
    ev.reason = "name \"x\" wrong";
    char *s = json_of(&ev);
    CHECK(strstr(s, "\"level\":\"fatal\",\"description\":{\"code\":42,\"name\":\"bad_certificate\"},"
                    "\"reason\":\"name \\\"x\\\" wrong\"}") != NULL);
    CHECK(strstr(s, "\"from\":\"client\",\"local\":true") != NULL);
    free(s);
    ev.kind = WARD_TRACE_VERIFY;
    ev.ok = 1;
    s = json_of(&ev);
    CHECK(strstr(s, "\"ok\":true}") != NULL); /* no reason when verified */
    free(s);
}

static void sink_copies(void)
{
    char *out = NULL;
    size_t outlen = 0;
    FILE *f = open_memstream(&out, &outlen);
    trace_opts o = {.format = TRACE_JSON, .out = f};
    trace_sink *s = trace_sink_new(&o);
    CHECK(s != NULL);
    char name[] = "CLIENT_RANDOM", reason[] = "why";
    uint8_t val[4] = {1, 2, 3, 4};
    ward_trace_event ev;
    memset(&ev, 0, sizeof ev);
    ev.kind = WARD_TRACE_SECRET;
    ev.name = name;
    ev.data = val;
    ev.len = sizeof val;
    ev.reason = reason;
    trace_sink_event(s, &ev);
    memset(name, 'X', sizeof name - 1); /* the event's memory dies with the call */
    memset(val, 0, sizeof val);
    memset(reason, 'Y', sizeof reason - 1);
    ev.kind = WARD_TRACE_DONE;
    ev.name = ev.reason = NULL;
    ev.data = NULL;
    ev.len = 0;
    ev.version = WARD_TLS13;
    ev.suite = 0x1301;
    trace_sink_event(s, &ev);
    trace_sink_set_server(s, 1);
    trace_sink_plaintext(s, 0, "EHLO x", 5);
    const trace_item *it;
    CHECK(trace_sink_items(s, &it) == 3);
    CHECK(strcmp(it[0].ev.name, "CLIENT_RANDOM") == 0 && strcmp(it[0].ev.reason, "why") == 0);
    CHECK(it[0].ev.data == it[0].data && it[0].ev.len == 4 && it[0].data[3] == 4);
    CHECK(it[0].ev.conn == NULL);
    CHECK(it[1].ev.len == 2 && trace_done_group(&it[1].ev) == 0); /* no conn: no group */
    CHECK(it[2].ev.kind == WARD_TRACE_PLAINTEXT && it[2].ev.ms == 5 && !it[2].ev.sent);
    CHECK(it[2].ev.len == 6 && memcmp(it[2].data, "EHLO x", 6) == 0);
    CHECK(trace_sink_finish(s) == 0);
    CHECK(trace_sink_items(s, &it) == 0);
    trace_sink_free(s);
    fclose(f);
    CHECK(strstr(out, "\"event\":\"secret\",\"ms\":0,\"from\":\"client\",\"local\":false,"
                      "\"name\":\"CLIENT_RANDOM\",\"value\":\"01020304\"}") != NULL);
    CHECK(strstr(out, "\"event\":\"done\"") != NULL && strstr(out, "\"resumed\":false}") != NULL);
    CHECK(strstr(out, "\"from\":\"client\",\"local\":false,\"line\":\"EHLO x\"}") != NULL);
    free(out);
}

int main(void)
{
    escaping();
    alert_and_verify();
    sink_copies();
    return test_report();
}
