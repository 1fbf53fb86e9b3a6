/* TLS 1.2 peers without the Extended Master Secret (RFC 7627), played by a
 * test hook that leaves the extension out of the ClientHello or the
 * ServerHello: refused by default in both roles (handshake_failure, nothing
 * delivered); with ward_config_allow_no_ems the connection works, but no
 * session is saved, issued or resumed (§5.3) and the exporter refuses
 * (§5.4). */
#include <stdlib.h>
#include <string.h>

#include "hs/test_hooks.h"
#include "selftalk.h"
#include "testutil.h"
#include "ward/ward.h"

static uint8_t pin[32];
static const ward_test_hooks no_ems_hook = {.no_ems = 1};

static void on_session(void *arg, const ward_session *s)
{
    ward_session **latest = arg;
    ward_session_free(*latest);
    *latest = ward_session_dup(s);
}

static ward_config *server_cfg(int hook, int allow)
{
    ward_config *s = ward_config_new_server();
    CHECK(ward_config_use_ephemeral_cert(s, "localhost", pin) == WARD_OK);
    ward_config_allow_no_ems(s, allow);
    if (hook)
        ward_config_set_test_hooks(s, &no_ems_hook);
    return s;
}

static ward_config *client_cfg(int hook, int allow, ward_session **box)
{
    ward_config *c = ward_config_new_client();
    ward_config_set_pin_sha256(c, pin);
    CHECK(ward_config_set_versions(c, WARD_TLS12, WARD_TLS12) == WARD_OK);
    ward_config_set_session_callback(c, on_session, box);
    ward_config_allow_no_ems(c, allow);
    if (hook)
        ward_config_set_test_hooks(c, &no_ems_hook);
    return c;
}

typedef struct {
    ward_conn *c, *s;
    ward_err e;
} pair;

static pair run(ward_config *cc, ward_config *sc, const ward_session *offer)
{
    pair p;
    p.c = ward_conn_new_resuming(cc, "localhost", offer, NULL, 0);
    p.s = ward_conn_new(sc, NULL);
    p.e = selftalk_pump(p.c, p.s);
    return p;
}

static void unpair(pair *p)
{
    ward_conn_free(p->c);
    ward_conn_free(p->s);
}

/* The refusing side fails with handshake_failure naming RFC 7627; the
 * other hears the alert; neither delivers a byte. */
static void check_refused(pair *p, ward_conn *refuser, ward_conn *other, const char *who)
{
    uint8_t buf[16];
    size_t n = 0;
    CHECK_CODE(ward_conn_error(refuser), WARD_ERR_HANDSHAKE_FAILURE);
    CHECK(strstr(ward_conn_error_message(refuser), who) != NULL);
    CHECK(strstr(ward_conn_error_message(refuser),
                 "does not support the Extended Master Secret (RFC 7627)") != NULL);
    CHECK_CODE(ward_conn_error(other), WARD_ERR_PEER_ALERT);
    CHECK(strstr(ward_conn_error_message(other), "handshake_failure") != NULL);
    CHECK(ward_conn_state(p->c) != WARD_STATE_ESTABLISHED);
    CHECK(ward_conn_read(p->s, buf, sizeof buf, &n) != WARD_OK && n == 0);
    CHECK(ward_conn_read(p->c, buf, sizeof buf, &n) != WARD_OK && n == 0);
}

/* Connected without EMS: data both ways, no exporter on either side. */
static void check_no_ems_connection(pair *p)
{
    uint8_t got[8], out[32];
    size_t n = 0;
    CHECK_CODE(p->e, WARD_OK);
    CHECK(ward_conn_version(p->c) == WARD_TLS12 && ward_conn_version(p->s) == WARD_TLS12);
    CHECK(!ward_conn_used_ems(p->c) && !ward_conn_used_ems(p->s));
    CHECK(!ward_conn_resumed(p->c) && !ward_conn_resumed(p->s));
    CHECK(ward_conn_write(p->c, (const uint8_t *)"hi", 2) == WARD_OK);
    CHECK(selftalk_pump(p->c, p->s) == WARD_OK);
    CHECK(ward_conn_read(p->s, got, sizeof got, &n) == WARD_OK && n == 2 && memcmp(got, "hi", 2) == 0);
    memset(out, 0xaa, sizeof out);
    CHECK_CODE(ward_conn_export_keying_material(p->c, "EXPERIMENTAL-x", 14, NULL, 0, 0, out,
                                                sizeof out),
               WARD_ERR_STATE);
    CHECK_CODE(ward_conn_export_keying_material(p->s, "EXPERIMENTAL-x", 14, NULL, 0, 0, out,
                                                sizeof out),
               WARD_ERR_STATE);
    CHECK(ward_conn_state(p->c) == WARD_STATE_ESTABLISHED); /* the call is local */
}

/* A client without EMS: the server refuses unless allowed; allowed, it
 * issues nothing to resume by and never resumes an EMS session for it. */
static void client_without_ems(void)
{
    ward_session *latest = NULL;
    ward_config *strict = server_cfg(0, 0), *lax = server_cfg(0, 1);
    ward_config *old = client_cfg(1, 1, &latest), *modern = client_cfg(0, 0, &latest);

    pair p = run(old, strict, NULL);
    CHECK(p.e != WARD_OK);
    check_refused(&p, p.s, p.c, "client does not support");
    unpair(&p);

    p = run(old, lax, NULL);
    check_no_ems_connection(&p);
    CHECK(latest == NULL); /* no ticket, no session ID: nothing saved */
    unpair(&p);

    /* An EMS session (from a modern client) offered by a hello without
     * EMS: a full handshake (§5.3), still no EMS. */
    p = run(modern, lax, NULL);
    CHECK(p.e == WARD_OK && ward_conn_used_ems(p.s));
    unpair(&p);
    CHECK(latest != NULL);
    ward_session *s = ward_session_dup(latest);
    p = run(modern, lax, s); /* sanity: it resumes with EMS */
    CHECK(p.e == WARD_OK && ward_conn_resumed(p.s));
    unpair(&p);
    p = run(old, lax, s);
    check_no_ems_connection(&p);
    unpair(&p);

    ward_session_free(s);
    ward_session_free(latest);
    ward_config_free(strict);
    ward_config_free(lax);
    ward_config_free(old);
    ward_config_free(modern);
}

/* A server without EMS: the client refuses unless allowed; allowed, it
 * saves no session. */
static void server_without_ems(void)
{
    ward_session *latest = NULL;
    ward_config *old = server_cfg(1, 0);
    ward_config *strict = client_cfg(0, 0, &latest), *lax = client_cfg(0, 1, &latest);

    pair p = run(strict, old, NULL);
    CHECK(p.e != WARD_OK);
    check_refused(&p, p.c, p.s, "server does not support");
    unpair(&p);

    p = run(lax, old, NULL);
    check_no_ems_connection(&p);
    CHECK(latest == NULL);
    unpair(&p);

    ward_config_free(old);
    ward_config_free(strict);
    ward_config_free(lax);
}

int main(void)
{
    client_without_ems();
    server_without_ems();
    return test_report();
}
