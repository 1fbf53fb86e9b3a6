/* The log callback (ward_config_set_log): INFO once per completed
 * handshake on each side, ERROR once with the error message for a
 * connection that fails, nothing with no callback set. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "selftalk.h"
#include "testpki.h"
#include "testutil.h"
#include "ward/ward.h"

typedef struct {
    int n[5];
    char last[5][512];
} logged;

static void on_log(void *arg, int level, const char *msg)
{
    logged *l = arg;
    if (level < 1 || level > 4)
        return;
    l->n[level]++;
    snprintf(l->last[level], sizeof l->last[level], "%s", msg);
}

static int refuse(void *arg, const ward_conn *c, ward_err verdict, const uint8_t *const *chain,
                  const size_t *lens, size_t n)
{
    (void)arg, (void)c, (void)verdict, (void)chain, (void)lens, (void)n;
    return WARD_ALERT_ACCESS_DENIED;
}

static char chain[64], key[64], root[64];

static void one(uint16_t v, int fail)
{
    ward_config *cc = ward_config_new_client(), *sc = ward_config_new_server();
    CHECK(ward_config_set_versions(cc, v, v) == WARD_OK);
    CHECK(ward_config_set_versions(sc, v, v) == WARD_OK);
    CHECK(ward_config_set_cafile(cc, root) == WARD_OK);
    CHECK(ward_config_set_cert_files(sc, chain, key) == WARD_OK);
    logged lc = {0}, ls = {0};
    ward_config_set_log(cc, on_log, &lc);
    ward_config_set_log(sc, on_log, &ls);
    if (fail)
        ward_config_set_verify_callback(cc, refuse, NULL);
    ward_conn *c = ward_conn_new(cc, "localhost"), *s = ward_conn_new(sc, NULL);
    (void)selftalk_pump(c, s);
    if (!fail) {
        CHECK(lc.n[WARD_LOG_INFO] == 1 && ls.n[WARD_LOG_INFO] == 1);
        CHECK(lc.n[WARD_LOG_ERROR] == 0 && ls.n[WARD_LOG_ERROR] == 0);
        const char *want = v == WARD_TLS13 ? "TLS 1.3" : "TLS 1.2";
        CHECK(strstr(lc.last[WARD_LOG_INFO], "client handshake done") != NULL);
        CHECK(strstr(lc.last[WARD_LOG_INFO], want) != NULL);
        CHECK(strstr(lc.last[WARD_LOG_INFO], ward_suite_name(ward_conn_suite(c))) != NULL);
        CHECK(strstr(ls.last[WARD_LOG_INFO], "server name localhost") != NULL);
    } else {
        CHECK(lc.n[WARD_LOG_ERROR] == 1 && lc.n[WARD_LOG_INFO] == 0);
        CHECK(strstr(lc.last[WARD_LOG_ERROR], ward_conn_error_message(c)) != NULL);
        CHECK(ls.n[WARD_LOG_ERROR] == 1); /* the server: the alert it received */
        CHECK(strstr(ls.last[WARD_LOG_ERROR], "access_denied") != NULL);
        /* Driving a failed connection again logs nothing more. */
        (void)selftalk_pump(c, s);
        CHECK(lc.n[WARD_LOG_ERROR] == 1 && ls.n[WARD_LOG_ERROR] == 1);
    }
    ward_conn_free(c);
    ward_conn_free(s);
    ward_config_free(cc);
    ward_config_free(sc);
}

int main(void)
{
    testpki_chain_spec spec = {0};
    CHECK(testpki_chain(&spec, chain, key, root));
    one(WARD_TLS13, 0);
    one(WARD_TLS12, 0);
    one(WARD_TLS13, 1);
    one(WARD_TLS12, 1);
    unlink(chain);
    unlink(key);
    unlink(root);
    return test_report();
}
