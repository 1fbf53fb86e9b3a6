/* Golden tests of the handshake trace (issue #17; tests/trace/README.md).
 *
 * Each case runs a handshake in memory (no network) with everything that
 * could vary fixed: both ends draw their randomness from seeded generators
 * (ward_config_set_random), the clock stands at 2030-01-01 and moves only
 * when the driver carries a flight across (ward_config_set_clock), and the
 * certificates are the checked-in ones of tests/trace/certs. The client's
 * trace (and for some cases the server's) is rendered by the tool's sink in
 * every form -- text, text with --explain, JSON lines, SVG -- and compared
 * byte for byte with tests/trace/golden/<case>[.server][.explain].<ext>;
 * a difference prints `diff -u` and fails. WARD_GOLDEN_UPDATE=1 writes the
 * files instead. Everything is run twice: the two runs must agree byte for
 * byte (a trace that is not deterministic cannot have a golden file).
 * The refused cases must also end with the alert and its reason in all
 * three forms, checked here explicitly, not only through the files.
 *
 * usage: trace_golden TESTS_TRACE_DIR (tests/trace of the source tree) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../tools/ward/trace.h"
#include "selftalk.h"
#include "testutil.h"
#include "ward/trace.h"
#include "ward/ward.h"

#define HOST "trace.ward.test"
#define FIXED_UNIX_S 1893456000ull /* 2030-01-01T00:00:00Z */
#define FLIGHT_MS 7                /* the clock's step per flight carried */

static const char *dir;   /* tests/trace */
static char tmpdir[256];  /* the SVG files while they are written */

/* ---- providers: a seeded generator and a clock that moves per flight ---- */

typedef struct {
    uint64_t s;
} det_rng;

static uint64_t splitmix64(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static int det_draw(void *arg, uint8_t *out, size_t len)
{
    det_rng *r = arg;
    for (size_t i = 0; i < len; i += 8) {
        uint64_t v = splitmix64(&r->s);
        for (size_t j = 0; j < 8 && i + j < len; j++)
            out[i + j] = (uint8_t)(v >> (8 * j));
    }
    return 0;
}

typedef struct {
    uint64_t elapsed_ms;
} det_clock;

static uint64_t det_clock_read(void *arg, int which)
{
    const det_clock *c = arg;
    if (which == WARD_CLOCK_MONOTONIC)
        return 5000000 + c->elapsed_ms;
    return FIXED_UNIX_S * 1000 + c->elapsed_ms;
}

/* ---- the trace outputs of one connection side ---- */

enum { F_TEXT, F_EXPLAIN, F_JSON, F_SVG, F_N };
static const char *const f_suffix[F_N] = {".txt", ".explain.txt", ".json", ".svg"};

typedef struct {
    trace_sink *sink[F_N];  /* NULL: that form is not kept for this side */
    char *buf[F_N];         /* TEXT, JSON: open_memstream */
    size_t len[F_N];
    FILE *mem[F_N];
    char svg_path[300];
    int active;             /* events pass only while set (not in a first,
                             * untraced handshake) */
} side_trace;

static void fan_out(void *arg, const ward_trace_event *ev)
{
    side_trace *t = arg;
    if (!t->active)
        return;
    for (int f = 0; f < F_N; f++)
        if (t->sink[f])
            trace_sink_event(t->sink[f], ev);
}

static void side_open(side_trace *t, const char *tag, int explain)
{
    memset(t, 0, sizeof *t);
    for (int f = 0; f < F_N; f++) {
        if (f == F_EXPLAIN && !explain)
            continue;
        trace_opts o = {0};
        o.format = f == F_JSON ? TRACE_JSON : f == F_SVG ? TRACE_SVG : TRACE_TEXT;
        o.explain = f == F_EXPLAIN;
        o.color = 0;
        if (f == F_SVG) {
            snprintf(t->svg_path, sizeof t->svg_path, "%s/%s.svg", tmpdir, tag);
            o.svg_path = t->svg_path;
        } else {
            t->mem[f] = open_memstream(&t->buf[f], &t->len[f]);
            if (!t->mem[f])
                abort();
            o.out = t->mem[f];
        }
        t->sink[f] = trace_sink_new(&o);
        if (!t->sink[f])
            abort();
    }
}

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *p = NULL;
    size_t cap = 0, n = 0;
    for (;;) {
        if (n + 4096 + 1 > cap) {
            cap = cap ? cap * 2 : 8192;
            char *q = realloc(p, cap);
            if (!q)
                abort();
            p = q;
        }
        size_t got = fread(p + n, 1, cap - n - 1, f);
        n += got;
        if (got == 0)
            break;
    }
    fclose(f);
    p[n] = 0;
    *len = n;
    return p;
}

/* Finish every sink: the texts' summary lines, the SVG file (read back). */
static void side_finish(side_trace *t)
{
    for (int f = 0; f < F_N; f++) {
        if (!t->sink[f])
            continue;
        CHECK(trace_sink_finish(t->sink[f]) == 0);
        trace_sink_free(t->sink[f]);
        t->sink[f] = NULL;
        if (f == F_SVG) {
            t->buf[f] = read_file(t->svg_path, &t->len[f]);
            CHECK(t->buf[f] != NULL);
            unlink(t->svg_path);
        } else {
            fclose(t->mem[f]);
            t->mem[f] = NULL;
        }
    }
}

static void side_free(side_trace *t)
{
    for (int f = 0; f < F_N; f++)
        free(t->buf[f]);
    memset(t, 0, sizeof *t);
}

/* ---- the cases ---- */

typedef enum {
    K_TLS13,         /* 1-RTT, ALPN */
    K_HRR,           /* the client's only key share is not the server's group */
    K_RESUMED,       /* a ticket from a first (untraced) handshake, 0-RTT data */
    K_TLS12_ECDHE,   /* ECDHE-RSA */
    K_TLS12_RSA,     /* RSA key transport: the textbook's four-way handshake */
    K_WRONG_HOST,    /* the certificate names another host */
    K_UNTRUSTED,     /* the client trusts another CA */
    K_NO_SUITE       /* client and server share no cipher suite */
} kind;

typedef struct {
    const char *name;
    kind k;
    int explain;    /* also a text --explain golden */
    int server_too; /* also the server's trace */
    int refused;    /* the handshake must fail, the trace end with an alert */
} gcase;

static const gcase cases[] = {
    {"tls13", K_TLS13, 1, 1, 0},
    {"tls13_hrr", K_HRR, 0, 0, 0},
    {"tls13_resumed_0rtt", K_RESUMED, 0, 0, 0},
    {"tls12_ecdhe", K_TLS12_ECDHE, 0, 0, 0},
    {"tls12_rsa", K_TLS12_RSA, 1, 0, 0},
    {"wrong_host", K_WRONG_HOST, 0, 0, 1},
    {"untrusted_ca", K_UNTRUSTED, 0, 0, 1},
    {"no_common_suite", K_NO_SUITE, 0, 1, 1},
};
#define N_CASES (sizeof cases / sizeof cases[0])

/* The outputs of one run of every case: [case][0 client, 1 server][form]. */
typedef struct {
    char *buf[N_CASES][2][F_N];
    size_t len[N_CASES][2][F_N];
} run_out;

/* What the last event of a side was (the refused cases end with an alert). */
typedef struct {
    side_trace t;
    int last_kind, alert, alert_sent;
    char reason[512];
} watched;

static void watch(void *arg, const ward_trace_event *ev)
{
    watched *w = arg;
    if (!w->t.active)
        return;
    fan_out(&w->t, ev);
    w->last_kind = ev->kind;
    if (ev->kind == WARD_TRACE_ALERT) {
        w->alert = ev->alert;
        w->alert_sent = ev->sent;
        snprintf(w->reason, sizeof w->reason, "%s", ev->reason ? ev->reason : "");
    }
}

/* The path of a file in certs/ (two may be in use at once). */
static const char *cert(const char *file)
{
    static char path[2][512];
    static int next;
    char *p = path[next++ % 2];
    snprintf(p, sizeof path[0], "%s/certs/%s", dir, file);
    return p;
}

static ward_config *client_config(const gcase *gc, det_rng *rng, det_clock *clk)
{
    ward_config *cc = ward_config_new_client();
    CHECK_CODE(ward_config_set_cafile(cc, cert(gc->k == K_UNTRUSTED ? "other-ca.pem" : "ca.pem")),
               WARD_OK);
    ward_config_set_random(cc, det_draw, rng);
    ward_config_set_clock(cc, det_clock_read, clk);
    static const char *const alpn[] = {"h2", "http/1.1"};
    static const uint16_t groups[] = {WARD_GROUP_X25519, WARD_GROUP_SECP256R1};
    static const uint16_t x25519[] = {WARD_GROUP_X25519};
    static const uint16_t aes128[] = {WARD_TLS_AES_128_GCM_SHA256};
    static const uint16_t rsa_kx[] = {WARD_TLS_RSA_WITH_AES_128_GCM_SHA256};
    switch (gc->k) {
    case K_TLS13:
    case K_TLS12_ECDHE:
        CHECK_CODE(ward_config_set_alpn(cc, alpn, 2), WARD_OK);
        break;
    case K_HRR:
        CHECK_CODE(ward_config_set_groups(cc, groups, 2), WARD_OK);
        CHECK_CODE(ward_config_set_key_share_groups(cc, x25519, 1), WARD_OK);
        break;
    case K_TLS12_RSA:
        ward_config_set_rsa_key_transport(cc, 1);
        CHECK_CODE(ward_config_set_suites(cc, rsa_kx, 1), WARD_OK);
        break;
    case K_NO_SUITE:
        CHECK_CODE(ward_config_set_suites(cc, aes128, 1), WARD_OK);
        break;
    default:
        break;
    }
    if (gc->k == K_TLS12_ECDHE || gc->k == K_TLS12_RSA)
        CHECK_CODE(ward_config_set_versions(cc, WARD_TLS12, WARD_TLS12), WARD_OK);
    return cc;
}

static ward_config *server_config(const gcase *gc, det_rng *rng, det_clock *clk)
{
    ward_config *sc = ward_config_new_server();
    int tls12 = gc->k == K_TLS12_ECDHE || gc->k == K_TLS12_RSA;
    CHECK_CODE(ward_config_set_cert_files(sc, cert(tls12 ? "rsa.pem" : "ed25519.pem"),
                                          cert(tls12 ? "rsa.key" : "ed25519.key")),
               WARD_OK);
    ward_config_set_random(sc, det_draw, rng);
    ward_config_set_clock(sc, det_clock_read, clk);
    static const char *const alpn[] = {"http/1.1"};
    static const uint16_t p256[] = {WARD_GROUP_SECP256R1};
    static const uint16_t aes256[] = {WARD_TLS_AES_256_GCM_SHA384};
    switch (gc->k) {
    case K_TLS13:
    case K_TLS12_ECDHE:
        CHECK_CODE(ward_config_set_alpn(sc, alpn, 1), WARD_OK);
        break;
    case K_HRR:
        CHECK_CODE(ward_config_set_groups(sc, p256, 1), WARD_OK);
        break;
    case K_RESUMED:
        CHECK_CODE(ward_config_set_max_early_data(sc, 4096), WARD_OK);
        break;
    case K_TLS12_RSA:
        ward_config_set_rsa_key_transport(sc, 1);
        break;
    case K_NO_SUITE:
        CHECK_CODE(ward_config_set_suites(sc, aes256, 1), WARD_OK);
        break;
    default:
        break;
    }
    return sc;
}

/* Carry what `from` has to say to `to`: one flight on the wire, so the
 * clock moves on by FLIGHT_MS first. */
static ward_err carry(ward_conn *from, ward_conn *to, det_clock *clk, size_t *moved)
{
    size_t len;
    const uint8_t *p = ward_conn_output(from, &len);
    *moved = len;
    if (len == 0)
        return WARD_OK;
    clk->elapsed_ms += FLIGHT_MS;
    ward_err e = ward_conn_recv(to, p, len);
    ward_conn_output_done(from, len);
    return e;
}

static void pump(ward_conn *c, ward_conn *s, det_clock *clk)
{
    for (int round = 0; round < 64; round++) {
        size_t a, b;
        carry(c, s, clk, &a);
        carry(s, c, clk, &b);
        if (a == 0 && b == 0)
            return;
    }
    CHECK(!"the handshake did not settle in 64 rounds");
}

/* A first handshake, untraced, for a session to resume with 0-RTT. */
static ward_session *first_session(ward_config *cc, ward_config *sc, det_clock *clk)
{
    ward_conn *c = ward_conn_new(cc, HOST), *s = ward_conn_new(sc, NULL);
    pump(c, s, clk);
    CHECK(ward_conn_state(c) == WARD_STATE_ESTABLISHED);
    ward_session *sess = ward_conn_get_session(c);
    CHECK(sess != NULL && ward_session_max_early_data(sess) > 0);
    ward_conn_free(c);
    ward_conn_free(s);
    return sess;
}

/* ---- what a refused handshake's trace must say, in every form ---- */

/* s without whitespace (text wraps, JSON may space, SVG splits lines). */
static char *squeeze(const char *s, size_t len)
{
    char *o = malloc(len + 1);
    if (!o)
        abort();
    size_t n = 0;
    for (size_t i = 0; i < len; i++)
        if (s[i] != ' ' && s[i] != '\n' && s[i] != '\t' && s[i] != '\r')
            o[n++] = s[i];
    o[n] = 0;
    return o;
}

/* The characters of an SVG: tags dropped, the five entities undone. */
static char *svg_chars(const char *s, size_t len)
{
    static const char *const ent[][2] = {{"&amp;", "&"}, {"&lt;", "<"}, {"&gt;", ">"},
                                        {"&quot;", "\""}, {"&apos;", "'"}, {"&#39;", "'"}};
    char *o = malloc(len + 1);
    if (!o)
        abort();
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '<') {
            while (i < len && s[i] != '>')
                i++;
            o[n++] = ' ';
            continue;
        }
        size_t e = 0;
        for (; e < sizeof ent / sizeof ent[0]; e++)
            if (strncmp(s + i, ent[e][0], strlen(ent[e][0])) == 0)
                break;
        if (e < sizeof ent / sizeof ent[0]) {
            o[n++] = ent[e][1][0];
            i += strlen(ent[e][0]) - 1;
        } else {
            o[n++] = s[i];
        }
    }
    o[n] = 0;
    char *q = squeeze(o, n);
    free(o);
    return q;
}

/* "reason" as a JSON string body (quotes and backslashes escaped). */
static void json_escape(const char *s, char *out, size_t cap)
{
    size_t n = 0;
    for (; *s && n + 3 < cap; s++) {
        if (*s == '"' || *s == '\\')
            out[n++] = '\\';
        out[n++] = *s;
    }
    out[n] = 0;
}

static int has(const char *hay, const char *needle)
{
    char *n = squeeze(needle, strlen(needle));
    int r = strstr(hay, n) != NULL;
    free(n);
    return r;
}

static void refusal_text(const char *who, const char *text, size_t len, const char *alert,
                         const char *reason)
{
    char *t = squeeze(text, len);
    CHECK(has(t, alert));
    CHECK(has(t, reason));
    /* it ends there: no message arrow after the alert */
    const char *last = NULL, *p = t;
    char *a = squeeze(alert, strlen(alert));
    while ((p = strstr(p, a)) != NULL)
        last = p++;
    CHECK(last && !strstr(last, "-->") && !strstr(last, "<--"));
    if (!has(t, alert) || !has(t, reason))
        fprintf(stderr, "%s: the text does not end with alert %s and reason \"%s\"\n", who, alert,
                reason);
    free(a);
    free(t);
}

static void refusal_json(const char *who, const char *json, size_t len, const char *alert,
                         const char *reason)
{
    /* the last line is the alert */
    size_t end = len;
    while (end > 0 && json[end - 1] == '\n')
        end--;
    size_t start = end;
    while (start > 0 && json[start - 1] != '\n')
        start--;
    char *line = squeeze(json + start, end - start);
    char want[700], esc[600];
    json_escape(reason, esc, sizeof esc);
    int ok_event = has(line, "\"event\":\"alert\"");
    snprintf(want, sizeof want, "\"%s\"", alert);
    int ok_alert = has(line, want);
    snprintf(want, sizeof want, "\"reason\":\"%s\"", esc);
    int ok_reason = !*reason || has(line, want);
    CHECK(ok_event && ok_alert && ok_reason);
    if (!(ok_event && ok_alert && ok_reason))
        fprintf(stderr, "%s: the JSON's last line is not alert %s with reason \"%s\": %s\n", who,
                alert, reason, line);
    free(line);
}

static void refusal_svg(const char *who, const char *svg, size_t len, const char *alert,
                        const char *reason)
{
    char *t = svg_chars(svg, len);
    int ok = has(t, alert) && has(t, reason);
    CHECK(ok);
    if (!ok)
        fprintf(stderr, "%s: the SVG does not show alert %s and reason \"%s\"\n", who, alert,
                reason);
    free(t);
}

/* The side's last event was the alert; its reason is the connection's
 * error; every form shows both. A received alert carries no reason (the
 * peer keeps its own): then the alert itself is the reason given. */
static void check_refusal(const char *who, watched *w, const ward_conn *conn)
{
    CHECK(w->last_kind == WARD_TRACE_ALERT);
    if (w->alert_sent) {
        CHECK(w->alert == ward_err_alert(ward_conn_error(conn)));
        CHECK(*w->reason && strstr(ward_conn_error_message(conn), w->reason) != NULL);
    } else {
        CHECK(w->alert == ward_conn_peer_alert(conn));
    }
    const char *alert = ward_alert_name(w->alert);
    CHECK(alert != NULL);
    if (!alert)
        return;
    side_trace *t = &w->t;
    refusal_text(who, t->buf[F_TEXT], t->len[F_TEXT], alert, w->alert_sent ? w->reason : "");
    refusal_json(who, t->buf[F_JSON], t->len[F_JSON], alert, w->alert_sent ? w->reason : "");
    refusal_svg(who, t->buf[F_SVG], t->len[F_SVG], alert, w->alert_sent ? w->reason : "");
}

/* The handshake did what the case is about. */
static void check_outcome(const gcase *gc, const ward_conn *c)
{
    if (gc->refused) {
        CHECK(ward_conn_state(c) == WARD_STATE_FAILED);
        return;
    }
    CHECK(ward_conn_error(c) == WARD_OK);
    if (ward_conn_error(c) != WARD_OK)
        fprintf(stderr, "%s: %s\n", gc->name, ward_conn_error_message(c));
    int tls12 = gc->k == K_TLS12_ECDHE || gc->k == K_TLS12_RSA;
    CHECK(ward_conn_version(c) == (tls12 ? WARD_TLS12 : WARD_TLS13));
    CHECK(ward_conn_did_hrr(c) == (gc->k == K_HRR));
    CHECK(ward_conn_resumed(c) == (gc->k == K_RESUMED));
    if (gc->k == K_RESUMED)
        CHECK(ward_conn_early_data_status(c) == WARD_EARLY_ACCEPTED);
    if (gc->k == K_TLS12_RSA)
        CHECK(ward_conn_suite(c) == WARD_TLS_RSA_WITH_AES_128_GCM_SHA256);
    if (gc->k == K_HRR)
        CHECK(ward_conn_group(c) == WARD_GROUP_SECP256R1);
}

/* ---- one case ---- */

static void keep(run_out *out, size_t i, int side, side_trace *t)
{
    for (int f = 0; f < F_N; f++) {
        out->buf[i][side][f] = t->buf[f];
        out->len[i][side][f] = t->len[f];
        t->buf[f] = NULL;
    }
}

static void run_case(size_t i, run_out *out)
{
    const gcase *gc = &cases[i];
    det_rng crng = {0xc11e000 + i}, srng = {0x5e17e000 + i};
    det_clock clk = {0};
    ward_config *cc = client_config(gc, &crng, &clk), *sc = server_config(gc, &srng, &clk);
    static watched cw, sw;
    memset(&cw, 0, sizeof cw);
    memset(&sw, 0, sizeof sw);
    char tag[128];
    snprintf(tag, sizeof tag, "%s.client", gc->name);
    side_open(&cw.t, tag, gc->explain);
    ward_config_set_trace(cc, watch, &cw);
    if (gc->server_too) {
        snprintf(tag, sizeof tag, "%s.server", gc->name);
        side_open(&sw.t, tag, gc->explain);
        ward_config_set_trace(sc, watch, &sw);
    }
    ward_session *sess = gc->k == K_RESUMED ? first_session(cc, sc, &clk) : NULL;
    cw.t.active = sw.t.active = 1;

    static const char early[] = "GET / HTTP/1.1\r\nHost: " HOST "\r\n\r\n";
    const char *host = gc->k == K_WRONG_HOST ? "wrong.ward.test" : HOST;
    ward_conn *c = sess ? ward_conn_new_resuming(cc, host, sess, (const uint8_t *)early,
                                                 sizeof early - 1)
                        : ward_conn_new(cc, host);
    ward_conn *s = ward_conn_new(sc, NULL);
    pump(c, s, &clk);
    check_outcome(gc, c);
    if (!gc->refused) { /* as `ward trace` ends: close_notify */
        ward_conn_close(c);
        pump(c, s, &clk);
    }
    side_finish(&cw.t);
    if (gc->server_too)
        side_finish(&sw.t);
    if (gc->refused) {
        snprintf(tag, sizeof tag, "%s (client)", gc->name);
        check_refusal(tag, &cw, c);
        if (gc->server_too) {
            snprintf(tag, sizeof tag, "%s (server)", gc->name);
            check_refusal(tag, &sw, s);
        }
    }
    keep(out, i, 0, &cw.t);
    keep(out, i, 1, &sw.t);
    side_free(&cw.t);
    side_free(&sw.t);
    ward_conn_free(c);
    ward_conn_free(s);
    ward_session_free(sess);
    ward_config_free(cc);
    ward_config_free(sc);
}

/* ---- goldens ---- */

static void golden_name(char *p, size_t cap, size_t i, int side, int f)
{
    snprintf(p, cap, "%s/golden/%s%s%s", dir, cases[i].name, side ? ".server" : "", f_suffix[f]);
}

static int write_file(const char *path, const char *buf, size_t len)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return -1;
    int ok = fwrite(buf, 1, len, f) == len;
    return fclose(f) == 0 && ok ? 0 : -1;
}

/* Compare one output with its golden file (or rewrite the file). */
static void golden(size_t i, int side, int f, const char *buf, size_t len, int update)
{
    char path[600];
    golden_name(path, sizeof path, i, side, f);
    if (update) {
        CHECK(write_file(path, buf, len) == 0);
        return;
    }
    size_t glen = 0;
    char *g = read_file(path, &glen);
    if (g && glen == len && memcmp(g, buf, len) == 0) {
        test_passed++;
        free(g);
        return;
    }
    test_failed++;
    if (!g) {
        fprintf(stderr, "%s: missing (WARD_GOLDEN_UPDATE=1 writes it)\n", path);
        return;
    }
    free(g);
    char got[600], cmd[1400];
    snprintf(got, sizeof got, "%s/got%s", tmpdir, f_suffix[f]);
    if (write_file(got, buf, len) != 0)
        abort();
    fprintf(stderr, "%s differs from the trace made now:\n", path);
    fflush(stderr);
    snprintf(cmd, sizeof cmd, "diff -u '%s' '%s' 1>&2", path, got);
    if (system(cmd) == -1)
        perror("diff");
    unlink(got);
}

int main(int argc, char **argv)
{
    dir = argc > 1 ? argv[1] : "tests/trace";
    const char *tmp = getenv("TMPDIR");
    snprintf(tmpdir, sizeof tmpdir, "%s/ward-golden.XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(tmpdir)) {
        perror(tmpdir);
        return 1;
    }
    const char *u = getenv("WARD_GOLDEN_UPDATE");
    int update = u && strcmp(u, "1") == 0;
    static run_out a, b;
    for (size_t i = 0; i < N_CASES; i++)
        run_case(i, &a);
    for (size_t i = 0; i < N_CASES; i++) /* the same again: deterministic? */
        run_case(i, &b);
    for (size_t i = 0; i < N_CASES; i++)
        for (int side = 0; side < 2; side++)
            for (int f = 0; f < F_N; f++) {
                if (!a.buf[i][side][f])
                    continue;
                int same = b.buf[i][side][f] && a.len[i][side][f] == b.len[i][side][f] &&
                           memcmp(a.buf[i][side][f], b.buf[i][side][f], a.len[i][side][f]) == 0;
                CHECK(same);
                if (!same)
                    fprintf(stderr, "%s%s%s: two runs gave different traces\n", cases[i].name,
                            side ? ".server" : "", f_suffix[f]);
                golden(i, side, f, a.buf[i][side][f], a.len[i][side][f], update);
                free(a.buf[i][side][f]);
                free(b.buf[i][side][f]);
            }
    rmdir(tmpdir);
    if (update)
        fprintf(stderr, "golden files written to %s/golden: review them (git diff)\n", dir);
    return test_report();
}
