/* One client and one server configuration shared by four threads, each
 * running its own connections at the same time (DESIGN: a configuration
 * may be shared by any number of threads). What the threads share besides
 * the configurations: the process's algorithm objects and X25519 key
 * context (crypto/fetch.c), the fixed-base table (x25519_base.c), the
 * server's ticket keys and the trust store's certificate cache. A race in
 * any of them shows as a failed handshake (both sides must derive the same
 * secrets to pass Finished) or as data that does not come back intact. */
#include <pthread.h>
#include <string.h>

#include "selftalk.h"
#include "testutil.h"
#include "ward/ward.h"

#define THREADS 4
#define ROUNDS 40

static uint8_t pin[32];

typedef struct {
    const ward_config *client13, *client12, *server;
    int full, resumed, failed;
} worker;

/* Send 20,000 bytes client -> server and compare what the server reads. */
static int data_round_trip(ward_conn *c, ward_conn *s, unsigned seed)
{
    static const size_t len = 20000;
    uint8_t out[20000], in[20000];
    for (size_t i = 0; i < len; i++)
        out[i] = (uint8_t)(seed * 31 + i * 7);
    if (ward_conn_write(c, out, len) != WARD_OK || selftalk_pump(c, s) != WARD_OK)
        return 0;
    size_t got = 0, n = 0;
    while (got < len && ward_conn_read(s, in + got, len - got, &n) == WARD_OK && n > 0)
        got += n;
    return got == len && memcmp(in, out, len) == 0;
}

static int one_connection(worker *w, const ward_config *cc, ward_session **session,
                          unsigned seed)
{
    ward_conn *c = ward_conn_new_resuming(cc, "localhost", *session, NULL, 0);
    ward_conn *s = ward_conn_new(w->server, NULL);
    int ok = c && s && selftalk_pump(c, s) == WARD_OK &&
             ward_conn_state(c) == WARD_STATE_ESTABLISHED &&
             ward_conn_state(s) == WARD_STATE_ESTABLISHED && data_round_trip(c, s, seed);
    if (ok && ward_conn_resumed(c))
        w->resumed++;
    else if (ok)
        w->full++;
    ward_session *fresh = ok ? ward_conn_get_session(c) : NULL;
    if (fresh) {
        ward_session_free(*session);
        *session = fresh;
    }
    ward_conn_free(c);
    ward_conn_free(s);
    return ok;
}

/* Per round: TLS 1.3 and TLS 1.2, each full on even rounds and resumed
 * from the previous round's session on odd ones. */
static void *work(void *arg)
{
    worker *w = arg;
    ward_session *s13 = NULL, *s12 = NULL;
    for (unsigned i = 0; i < ROUNDS; i++) {
        if (i % 2 == 0) {
            ward_session_free(s13);
            ward_session_free(s12);
            s13 = s12 = NULL;
        }
        if (!one_connection(w, w->client13, &s13, i) || !one_connection(w, w->client12, &s12, i))
            w->failed++;
    }
    ward_session_free(s13);
    ward_session_free(s12);
    return NULL;
}

static ward_config *client_cfg(uint16_t version)
{
    ward_config *c = ward_config_new_client();
    CHECK(c && ward_config_set_pin_sha256(c, pin) == WARD_OK);
    CHECK(ward_config_set_versions(c, version, version) == WARD_OK);
    return c;
}

int main(void)
{
    ward_config *sc = ward_config_new_server();
    CHECK(sc && ward_config_use_ephemeral_cert(sc, "localhost", pin) == WARD_OK);
    ward_config *c13 = client_cfg(WARD_TLS13), *c12 = client_cfg(WARD_TLS12);

    worker w[THREADS];
    pthread_t t[THREADS];
    for (int i = 0; i < THREADS; i++) {
        w[i] = (worker){c13, c12, sc, 0, 0, 0};
        CHECK(pthread_create(&t[i], NULL, work, &w[i]) == 0);
    }
    for (int i = 0; i < THREADS; i++) {
        CHECK(pthread_join(t[i], NULL) == 0);
        CHECK(w[i].failed == 0);
        /* Half of each thread's connections resumed. */
        CHECK(w[i].full == ROUNDS && w[i].resumed == ROUNDS);
    }
    ward_config_free(c13);
    ward_config_free(c12);
    ward_config_free(sc);
    return test_report();
}
