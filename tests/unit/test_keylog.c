/* The NSS key log: a ward client and a ward server in memory write the
 * same lines (TLS 1.3, with a HelloRetryRequest, after KeyUpdates, and
 * TLS 1.2; full and resumed handshakes, 0-RTT), each line names the ClientHello random and carries the secret
 * the engine derived, nothing is logged unless asked, and the file sink
 * appends with mode 0600 and whole lines from many threads. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conn/internal.h"
#include "selftalk.h"
#include "testpki.h"
#include "testutil.h"
#include "ward/ward.h"

static char cert[64], key[64];
static uint8_t pin[32];

#define MAX_LINES 16
typedef struct {
    char line[MAX_LINES][256];
    size_t n;
    int overflow;
} lines;

static void collect(void *arg, const char *line)
{
    lines *l = arg;
    if (l->n == MAX_LINES || strlen(line) >= sizeof l->line[0]) {
        l->overflow = 1;
        return;
    }
    strcpy(l->line[l->n++], line);
}

/* The secrets the test hook saw, to compare with the lines. */
typedef struct {
    char label[MAX_LINES][48];
    uint8_t secret[MAX_LINES][48];
    size_t len[MAX_LINES];
    size_t n;
} hooked;

static void on_secret(void *arg, const char *label, const uint8_t *secret, size_t len)
{
    hooked *h = arg;
    if (h->n == MAX_LINES || len > 48)
        return;
    snprintf(h->label[h->n], sizeof h->label[0], "%s", label);
    memcpy(h->secret[h->n], secret, len);
    h->len[h->n++] = len;
}

static void to_hex(const uint8_t *p, size_t n, char *out)
{
    for (size_t i = 0; i < n; i++)
        sprintf(out + 2 * i, "%02x", p[i]);
    out[2 * n] = '\0';
}

static int cmp_str(const void *a, const void *b) { return strcmp(a, b); }

/* Both sides' lines, sorted, must be equal. */
static int same_lines(lines *a, lines *b)
{
    if (a->n != b->n || a->overflow || b->overflow)
        return 0;
    qsort(a->line, a->n, sizeof a->line[0], cmp_str);
    qsort(b->line, b->n, sizeof b->line[0], cmp_str);
    for (size_t i = 0; i < a->n; i++)
        if (strcmp(a->line[i], b->line[i]) != 0)
            return 0;
    return 1;
}

static int has_label(const lines *l, const char *label)
{
    size_t n = strlen(label);
    for (size_t i = 0; i < l->n; i++)
        if (strncmp(l->line[i], label, n) == 0 && l->line[i][n] == ' ')
            return 1;
    return 0;
}

/* Every line: LABEL, the client's random, and the secret the hook saw
 * under that label, in lower-case hex. */
static void check_lines_match(const lines *l, const hooked *h, const uint8_t client_random[32])
{
    char rnd[65];
    to_hex(client_random, 32, rnd);
    CHECK(l->n == h->n);
    for (size_t i = 0; i < l->n && i < h->n; i++) {
        char want[256], sec[97];
        to_hex(h->secret[i], h->len[i], sec);
        snprintf(want, sizeof want, "%s %s %s", h->label[i], rnd, sec);
        if (strcmp(l->line[i], want) != 0) {
            fprintf(stderr, "line %zu: %s\n  want: %s\n", i, l->line[i], want);
            CHECK(0);
        }
    }
}

typedef struct {
    lines cl, sl;
    hooked ch, sh;
    ward_test_hooks chooks, shooks;
    ward_config *cc, *sc;
    ward_conn *c, *s;
} run;

static void setup(run *r, uint16_t version, int hrr)
{
    memset(r, 0, sizeof *r);
    r->sc = ward_config_new_server();
    CHECK(ward_config_set_cert_files(r->sc, cert, key) == WARD_OK);
    CHECK(ward_config_set_versions(r->sc, version, version) == WARD_OK);
    ward_config_set_force_hrr(r->sc, hrr);
    r->cc = ward_config_new_client();
    CHECK(ward_config_set_pin_sha256(r->cc, pin) == WARD_OK);
    CHECK(ward_config_set_versions(r->cc, version, version) == WARD_OK);
    r->chooks.on_secret = on_secret;
    r->chooks.arg = &r->ch;
    r->shooks.on_secret = on_secret;
    r->shooks.arg = &r->sh;
    ward_config_set_test_hooks(r->cc, &r->chooks);
    ward_config_set_test_hooks(r->sc, &r->shooks);
    ward_config_set_keylog(r->cc, collect, &r->cl);
    ward_config_set_keylog(r->sc, collect, &r->sl);
}

static int connect_run(run *r)
{
    r->c = ward_conn_new(r->cc, "localhost");
    r->s = ward_conn_new(r->sc, NULL);
    return selftalk_pump(r->c, r->s) == WARD_OK &&
           ward_conn_state(r->c) == WARD_STATE_ESTABLISHED &&
           ward_conn_state(r->s) == WARD_STATE_ESTABLISHED;
}

static void teardown(run *r)
{
    ward_conn_free(r->c);
    ward_conn_free(r->s);
    ward_config_free(r->cc);
    ward_config_free(r->sc);
}

static void tls13(int hrr)
{
    run r;
    setup(&r, WARD_TLS13, hrr);
    CHECK(connect_run(&r));
    CHECK(ward_conn_did_hrr(r.c) == hrr);
    CHECK(r.cl.n == 5);
    check_lines_match(&r.cl, &r.ch, r.c->hs.random);
    check_lines_match(&r.sl, &r.sh, r.c->hs.random);
    static const char *const labels[] = {"CLIENT_HANDSHAKE_TRAFFIC_SECRET",
                                         "SERVER_HANDSHAKE_TRAFFIC_SECRET",
                                         "CLIENT_TRAFFIC_SECRET_0", "SERVER_TRAFFIC_SECRET_0",
                                         "EXPORTER_SECRET"};
    for (size_t i = 0; i < 5; i++)
        CHECK(has_label(&r.cl, labels[i]));
    CHECK(same_lines(&r.cl, &r.sl));
    teardown(&r);
}

static void tls13_key_update(void)
{
    run r;
    setup(&r, WARD_TLS13, 0);
    CHECK(connect_run(&r));
    /* Client updates and asks the server to; then the server once more. */
    CHECK(ward_conn_key_update(r.c, 1) == WARD_OK);
    CHECK(selftalk_pump(r.c, r.s) == WARD_OK);
    CHECK(ward_conn_key_update(r.s, 0) == WARD_OK);
    CHECK(selftalk_pump(r.c, r.s) == WARD_OK);
    const char msg[] = "after two server updates";
    uint8_t buf[64];
    size_t n = 0;
    CHECK(ward_conn_write(r.s, (const uint8_t *)msg, sizeof msg) == WARD_OK);
    CHECK(selftalk_pump(r.c, r.s) == WARD_OK);
    CHECK(ward_conn_read(r.c, buf, sizeof buf, &n) == WARD_OK && n == sizeof msg);
    CHECK(r.cl.n == 8);
    CHECK(has_label(&r.cl, "CLIENT_TRAFFIC_SECRET_1"));
    CHECK(has_label(&r.cl, "SERVER_TRAFFIC_SECRET_1"));
    CHECK(has_label(&r.cl, "SERVER_TRAFFIC_SECRET_2"));
    CHECK(!has_label(&r.cl, "CLIENT_TRAFFIC_SECRET_2"));
    check_lines_match(&r.cl, &r.ch, r.c->hs.random);
    check_lines_match(&r.sl, &r.sh, r.c->hs.random);
    CHECK(same_lines(&r.cl, &r.sl));
    teardown(&r);
}

static void tls12(void)
{
    run r;
    setup(&r, WARD_TLS12, 0);
    CHECK(connect_run(&r));
    CHECK(ward_conn_version(r.c) == WARD_TLS12);
    CHECK(r.cl.n == 1 && r.sl.n == 1);
    CHECK(has_label(&r.cl, "CLIENT_RANDOM"));
    /* "CLIENT_RANDOM " + 64 + " " + 96 hex digits of the master secret */
    CHECK(strlen(r.cl.line[0]) == 14 + 64 + 1 + 96);
    check_lines_match(&r.cl, &r.ch, r.c->hs.random);
    check_lines_match(&r.sl, &r.sh, r.c->hs.random);
    CHECK(same_lines(&r.cl, &r.sl));
    teardown(&r);
}

/* Resumed connections: TLS 1.3 with 0-RTT (CLIENT_EARLY_TRAFFIC_SECRET
 * too) and without, TLS 1.2 (CLIENT_RANDOM with the resumed master
 * secret, under the new ClientHello random). */
static void resumed(uint16_t version, int early)
{
    run r;
    setup(&r, version, 0);
    if (early)
        CHECK(ward_config_set_max_early_data(r.sc, 1024) == WARD_OK);
    CHECK(connect_run(&r));
    uint8_t b;
    size_t n;
    (void)ward_conn_read(r.c, &b, 0, &n); /* take the tickets */
    ward_session *sess = ward_conn_get_session(r.c);
    CHECK(sess != NULL);
    char full_secret[97] = "";
    if (version == WARD_TLS12 && r.cl.n == 1 && strlen(r.cl.line[0]) == 14 + 65 + 96)
        memcpy(full_secret, r.cl.line[0] + 14 + 65, 97);
    ward_conn_free(r.c);
    ward_conn_free(r.s);
    memset(&r.cl, 0, sizeof r.cl);
    memset(&r.sl, 0, sizeof r.sl);
    memset(&r.ch, 0, sizeof r.ch);
    memset(&r.sh, 0, sizeof r.sh);

    static const uint8_t zero_rtt[] = "early bytes";
    r.c = ward_conn_new_resuming(r.cc, "localhost", sess, early ? zero_rtt : NULL,
                                 early ? sizeof zero_rtt : 0);
    r.s = ward_conn_new(r.sc, NULL);
    CHECK(selftalk_pump(r.c, r.s) == WARD_OK);
    CHECK(ward_conn_state(r.c) == WARD_STATE_ESTABLISHED);
    CHECK(ward_conn_resumed(r.c) && ward_conn_resumed(r.s));
    if (early)
        CHECK(ward_conn_early_data_status(r.c) == WARD_EARLY_ACCEPTED);
    check_lines_match(&r.cl, &r.ch, r.c->hs.random);
    check_lines_match(&r.sl, &r.sh, r.c->hs.random);
    if (version == WARD_TLS13) {
        CHECK(r.cl.n == (early ? 6u : 5u));
        CHECK(has_label(&r.cl, "CLIENT_EARLY_TRAFFIC_SECRET") == early);
        CHECK(has_label(&r.cl, "CLIENT_TRAFFIC_SECRET_0"));
    } else {
        CHECK(r.cl.n == 1 && has_label(&r.cl, "CLIENT_RANDOM"));
        /* the same master secret as the full handshake */
        CHECK(r.cl.n == 1 && strcmp(r.cl.line[0] + 14 + 65, full_secret) == 0);
    }
    CHECK(same_lines(&r.cl, &r.sl));
    ward_session_free(sess);
    teardown(&r);
}

/* Nothing by default, and NULL turns the log off again. */
static void opt_in(void)
{
    run r;
    setup(&r, WARD_TLS13, 0);
    ward_config_set_keylog(r.cc, NULL, &r.cl);
    ward_config_set_keylog_file(r.sc, NULL);
    CHECK(connect_run(&r));
    CHECK(r.cl.n == 0 && r.sl.n == 0);
    CHECK(r.ch.n == 5); /* the test hook still sees every secret */
    teardown(&r);
}

static size_t count_lines(const char *path, int *well_formed)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return 0;
    char buf[512];
    size_t n = 0;
    *well_formed = 1;
    while (fgets(buf, sizeof buf, f)) {
        size_t l = strlen(buf);
        const char *sp1 = strchr(buf, ' ');
        const char *sp2 = sp1 ? strchr(sp1 + 1, ' ') : NULL;
        if (l == 0 || buf[l - 1] != '\n' || !sp2 || sp2 - sp1 != 65 ||
            (l - 1 - (size_t)(sp2 + 1 - buf)) % 32 != 0)
            *well_formed = 0;
        n++;
    }
    fclose(f);
    return n;
}

typedef struct {
    ward_config *cc, *sc;
    int ok;
} worker;

static void *work(void *arg)
{
    worker *w = arg;
    w->ok = 1;
    for (int i = 0; i < 5; i++) {
        ward_conn *c = ward_conn_new(w->cc, "localhost");
        ward_conn *s = ward_conn_new(w->sc, NULL);
        if (selftalk_pump(c, s) != WARD_OK || ward_conn_state(c) != WARD_STATE_ESTABLISHED)
            w->ok = 0;
        ward_conn_free(c);
        ward_conn_free(s);
    }
    return NULL;
}

static void file_sink(void)
{
    char path[] = "/tmp/ward_keylog_XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    close(fd);
    unlink(path); /* let ward create it, to see its mode */

    ward_config *cc = ward_config_new_client();
    ward_config *sc = ward_config_new_server();
    CHECK(ward_config_set_cert_files(sc, cert, key) == WARD_OK);
    CHECK(ward_config_set_pin_sha256(cc, pin) == WARD_OK);
    CHECK(ward_config_set_keylog_file(cc, path) == WARD_OK);
    CHECK(ward_config_set_keylog_file(sc, path) == WARD_OK);
    struct stat st;
    CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600);

    /* Four threads share both configurations: 4 x 5 TLS 1.3 connections,
     * 5 lines from each side. */
    worker w[4];
    pthread_t t[4];
    for (int i = 0; i < 4; i++) {
        w[i].cc = cc;
        w[i].sc = sc;
        CHECK(pthread_create(&t[i], NULL, work, &w[i]) == 0);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(t[i], NULL);
        CHECK(w[i].ok);
    }
    ward_config_free(cc); /* closes the file */
    ward_config_free(sc);
    int good = 0;
    CHECK(count_lines(path, &good) == 4 * 5 * 5 * 2);
    CHECK(good);

    /* A second configuration appends instead of truncating. */
    cc = ward_config_new_client();
    sc = ward_config_new_server();
    CHECK(ward_config_set_cert_files(sc, cert, key) == WARD_OK);
    CHECK(ward_config_set_pin_sha256(cc, pin) == WARD_OK);
    CHECK(ward_config_set_versions(cc, WARD_TLS12, WARD_TLS12) == WARD_OK);
    CHECK(ward_config_set_keylog_file(cc, path) == WARD_OK);
    worker one = {cc, sc, 0};
    work(&one);
    CHECK(one.ok);
    ward_config_free(cc);
    ward_config_free(sc);
    CHECK(count_lines(path, &good) == 4 * 5 * 5 * 2 + 5);
    CHECK(good);
    unlink(path);

    /* A file that cannot be opened is a configuration error. */
    cc = ward_config_new_client();
    CHECK(ward_config_set_keylog_file(cc, "/nonexistent-dir/keylog") == WARD_ERR_CONFIG);
    ward_config_free(cc);
}

int main(void)
{
    if (!testpki_self_signed("p256", cert, key, pin)) {
        fprintf(stderr, "cannot make a test certificate\n");
        return 1;
    }
    tls13(0);
    tls13(1);
    tls13_key_update();
    tls12();
    resumed(WARD_TLS13, 0);
    resumed(WARD_TLS13, 1);
    resumed(WARD_TLS12, 0);
    opt_in();
    file_sink();
    unlink(cert);
    unlink(key);
    return test_report();
}
