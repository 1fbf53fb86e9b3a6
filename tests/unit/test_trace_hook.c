/* The engine's trace hook (ward/trace.h): each end reports its messages in
 * order with the keys they travel under, the keys coming into use, the
 * secrets by name (by value only with a key log), the verdict on the
 * chain, alerts with the reason, and the end of the handshake once. */
#include <stdio.h>
#include <string.h>

#include "selftalk.h"
#include "testutil.h"
#include "ward/trace.h"
#include "ward/ward.h"

/* One end's events, as a line of short words: "s1/none" is a ClientHello
 * sent in the clear, "r8/handshake" an EncryptedExtensions received under
 * handshake keys, "kw:handshake" our write keys changing. */
typedef struct {
    char seq[2048];
    int secrets, secret_values, verified, refused, done;
    char reason[320];
} events;

static void add(events *e, const char *word)
{
    size_t n = strlen(e->seq);
    snprintf(e->seq + n, sizeof e->seq - n, "%s%s", n ? " " : "", word);
}

static void on_event(void *arg, const ward_trace_event *ev)
{
    events *e = arg;
    char w[64];
    const char *prot = ward_trace_protection_name(ev->protection);
    switch (ev->kind) {
    case WARD_TRACE_MESSAGE:
        CHECK(ev->len >= 4 && ev->data[0] == ev->msg_type);
        snprintf(w, sizeof w, "%c%u/%s", ev->sent ? 's' : 'r', ev->msg_type, prot);
        add(e, w);
        break;
    case WARD_TRACE_CCS: add(e, ev->sent ? "ccs-s" : "ccs-r"); break;
    case WARD_TRACE_KEYS:
        snprintf(w, sizeof w, "k%c:%s", ev->sent ? 'w' : 'r', prot);
        add(e, w);
        break;
    case WARD_TRACE_SECRET:
        e->secrets++;
        e->secret_values += ev->data != NULL;
        break;
    case WARD_TRACE_ALERT:
        snprintf(w, sizeof w, "alert-%c%d", ev->sent ? 's' : 'r', ev->alert);
        add(e, w);
        if (ev->reason)
            snprintf(e->reason, sizeof e->reason, "%s", ev->reason);
        break;
    case WARD_TRACE_VERIFY: ev->ok ? e->verified++ : e->refused++; break;
    case WARD_TRACE_DONE: e->done++; break;
    default: CHECK(0);
    }
}

static void keylog(void *arg, const char *line) { (void)arg, (void)line; }

static ward_config *server_cfg;
static uint8_t pin[32];

static void run(uint16_t version, int with_keylog, const char *host, events *ce, events *se)
{
    ward_config *cc = ward_config_new_client();
    ward_config_set_pin_sha256(cc, pin);
    CHECK(ward_config_set_versions(cc, version, version) == WARD_OK);
    ward_config_set_trace(cc, on_event, ce);
    ward_config_set_trace(server_cfg, on_event, se);
    if (with_keylog)
        ward_config_set_keylog(cc, keylog, NULL);
    memset(ce, 0, sizeof *ce);
    memset(se, 0, sizeof *se);
    ward_conn *c = ward_conn_new(cc, host), *s = ward_conn_new(server_cfg, NULL);
    (void)selftalk_pump(c, s);
    ward_conn_free(c);
    ward_conn_free(s);
    ward_config_free(cc);
}

static void tls13(void)
{
    events ce, se;
    run(WARD_TLS13, 0, "localhost", &ce, &se);
    printf("client: %s\nserver: %s\n", ce.seq, se.seq);
    /* RFC 8446 §2 with the middlebox-compatibility CCS (D.4), the two
     * NewSessionTickets after the server's Finished. */
    CHECK(strcmp(ce.seq, "s1/none r2/none kr:handshake ccs-s kw:handshake ccs-r r8/handshake "
                         "r11/handshake r15/handshake r20/handshake kr:application "
                         "s20/handshake kw:application r4/application r4/application") == 0);
    CHECK(strcmp(se.seq, "r1/none s2/none ccs-s kw:handshake kr:handshake s8/handshake "
                         "s11/handshake s15/handshake s20/handshake kw:application ccs-r "
                         "r20/handshake kr:application s4/application s4/application") == 0);
    CHECK(strstr(ce.seq, "r8/handshake r11/handshake r15/handshake r20/handshake") != NULL);
    CHECK(strstr(ce.seq, "s20/handshake") != NULL);
    CHECK(strstr(se.seq, "r1/none") == se.seq);
    CHECK(strstr(se.seq, "s2/none") != NULL);
    CHECK(strstr(se.seq, "s8/handshake s11/handshake s15/handshake s20/handshake") != NULL);
    CHECK(strstr(se.seq, "r20/handshake") != NULL);
    CHECK(ce.verified == 1 && ce.refused == 0 && ce.done == 1 && se.done == 1);
    CHECK(ce.secrets >= 4 && ce.secret_values == 0); /* names only, no key log */
}

static void tls13_keylog(void)
{
    events ce, se;
    run(WARD_TLS13, 1, "localhost", &ce, &se);
    CHECK(ce.secrets >= 4 && ce.secret_values == ce.secrets);
    CHECK(se.secret_values == 0); /* the server's configuration has none */
}

static void tls12(void)
{
    events ce, se;
    run(WARD_TLS12, 0, "localhost", &ce, &se);
    printf("client 1.2: %s\nserver 1.2: %s\n", ce.seq, se.seq);
    CHECK(strstr(ce.seq, "s1/none r2/none r11/none r12/none r14/none s16/none ccs-s kw:tls12 "
                         "s20/tls12") == ce.seq);
    CHECK(strstr(ce.seq, "ccs-r kr:tls12 r20/tls12") != NULL);
    CHECK(strstr(se.seq, "ccs-r kr:tls12 r20/tls12") != NULL);
    CHECK(ce.done == 1 && se.done == 1 && ce.verified == 1);
}

/* A pin that does not match: the verdict says no, with the reason, and the client's
 * fatal alert carries it too. */
static void refused(void)
{
    events ce, se;
    /* a pin that does not match */
    uint8_t keep[32];
    memcpy(keep, pin, 32);
    pin[0] ^= 1;
    run(WARD_TLS13, 0, "localhost", &ce, &se);
    memcpy(pin, keep, 32);
    printf("refused: %s (%s)\n", ce.seq, ce.reason);
    CHECK(ce.refused == 1 && ce.verified == 0 && ce.done == 0);
    CHECK(strstr(ce.seq, "alert-s") != NULL && strstr(ce.reason, "pin") != NULL);
    CHECK(strstr(se.seq, "alert-r") != NULL && se.done == 0);
}

int main(void)
{
    server_cfg = ward_config_new_server();
    CHECK(ward_config_use_ephemeral_cert(server_cfg, "localhost", pin) == WARD_OK);
    tls13();
    tls13_keylog();
    tls12();
    refused();
    ward_config_free(server_cfg);
    return test_report();
}
