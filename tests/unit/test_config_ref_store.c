/* Issue #18 in memory: a connection outlives the application's reference
 * to its configuration (ward_config_ref / ward_config_free), and two
 * server configurations (two processes, in effect) resume each other's
 * TLS 1.2 sessions through one external session store; an entry the
 * store garbles is refused and removed. Run under ASan to see the freed
 * configuration is not touched. */
#include <stdlib.h>
#include <string.h>

#include "selftalk.h"
#include "testutil.h"
#include "ward/ward.h"

/* ---- a one-entry-per-slot store in memory ---- */
typedef struct {
    uint8_t id[32];
    size_t id_len;
    uint8_t data[2048];
    size_t len;
} slot;
typedef struct {
    slot s[8];
    int stores, lookups, removes;
} mem_store;

static slot *find(mem_store *m, const uint8_t *id, size_t id_len)
{
    for (size_t i = 0; i < 8; i++)
        if (m->s[i].id_len == id_len && memcmp(m->s[i].id, id, id_len) == 0)
            return &m->s[i];
    return NULL;
}

static int st_store(void *arg, const uint8_t *id, size_t id_len, const uint8_t *d, size_t len)
{
    mem_store *m = arg;
    static const uint8_t none[1];
    slot *e = find(m, none, 0); /* a free slot */
    m->stores++;
    if (!e || id_len > 32 || len > sizeof e->data)
        return -1;
    memcpy(e->id, id, id_len);
    e->id_len = id_len;
    memcpy(e->data, d, len);
    e->len = len;
    return 0;
}

static size_t st_lookup(void *arg, const uint8_t *id, size_t id_len, uint8_t *out, size_t cap)
{
    mem_store *m = arg;
    slot *e = find(m, id, id_len);
    m->lookups++;
    if (!e || e->len > cap)
        return 0;
    memcpy(out, e->data, e->len);
    return e->len;
}

static void st_remove(void *arg, const uint8_t *id, size_t id_len)
{
    mem_store *m = arg;
    slot *e = find(m, id, id_len);
    m->removes++;
    if (e)
        memset(e, 0, sizeof *e);
}

static void on_session(void *arg, const ward_session *s)
{
    ward_session **latest = arg;
    ward_session_free(*latest);
    *latest = ward_session_dup(s);
}

/* One TLS 1.2 connection to sv_cfg; 1 if it worked (data both ways). */
static int talk(ward_config *ccfg, ward_config *sv_cfg, const ward_session *s, int *resumed)
{
    ward_conn *cl = ward_conn_new_resuming(ccfg, "localhost", s, NULL, 0);
    ward_conn *sv = ward_conn_new(sv_cfg, NULL);
    uint8_t got[8];
    size_t n;
    int ok = selftalk_pump(cl, sv) == WARD_OK && ward_conn_version(sv) == WARD_TLS12 &&
             ward_conn_write(cl, (const uint8_t *)"hi", 2) == WARD_OK &&
             selftalk_pump(cl, sv) == WARD_OK &&
             ward_conn_read(sv, got, sizeof got, &n) == WARD_OK && n == 2;
    *resumed = ward_conn_resumed(sv) && ward_conn_resumed(cl);
    ward_conn_free(cl);
    ward_conn_free(sv);
    return ok;
}

static ward_config *server(const ward_session_store *st)
{
    ward_config *c = ward_config_new_server();
    uint8_t pin[32];
    CHECK(ward_config_use_ephemeral_cert(c, "localhost", pin) == WARD_OK);
    CHECK(ward_config_set_tickets(c, 0, 7200) == WARD_OK); /* session IDs only */
    CHECK(ward_config_set_session_store(c, st) == WARD_OK);
    return c;
}

static void shared_store(void)
{
    mem_store m;
    memset(&m, 0, sizeof m);
    ward_session_store st = {st_store, st_lookup, st_remove, &m};
    ward_config *a = server(&st), *b = server(&st);
    ward_session *latest = NULL;
    ward_config *ccfg = ward_config_new_client();
    ward_config_set_insecure_no_verify(ccfg, 1);
    ward_config_set_versions(ccfg, WARD_TLS12, WARD_TLS12);
    ward_config_set_session_callback(ccfg, on_session, &latest);
    int resumed;
    CHECK(talk(ccfg, a, NULL, &resumed) && !resumed);
    CHECK(m.stores == 1 && m.s[0].id_len == 32 && latest != NULL);
    ward_session *s = ward_session_dup(latest);
    /* (the first ClientHello may carry a random ID: a miss, counted) */
    int before = m.lookups;
    CHECK(talk(ccfg, b, s, &resumed) && resumed); /* the other server resumes it */
    CHECK(m.lookups == before + 1 && m.stores == 1);
    /* The store's bytes garbled: a full handshake, and the entry removed. */
    m.s[0].data[m.s[0].len - 1] ^= 0x40;
    m.s[0].len += 1;
    CHECK(talk(ccfg, a, s, &resumed) && !resumed);
    CHECK(m.removes == 1 && m.stores == 2);
    /* The store unset: the configuration's own cache, which is empty. */
    CHECK(ward_config_set_session_store(b, NULL) == WARD_OK);
    before = m.lookups;
    CHECK(talk(ccfg, b, s, &resumed) && !resumed);
    CHECK(m.lookups == before);
    ward_session_free(s);
    ward_session_free(latest);
    ward_config_free(ccfg);
    ward_config_free(a);
    ward_config_free(b);
}

static void setter_errors(void)
{
    mem_store m;
    ward_session_store st = {st_store, st_lookup, NULL, &m};
    ward_config *c = ward_config_new_client();
    CHECK_CODE(ward_config_set_session_store(c, &st), WARD_ERR_CONFIG);
    ward_config_free(c);
    c = ward_config_new_server();
    CHECK_CODE(ward_config_set_session_store(c, &st), WARD_OK); /* remove is optional */
    st.lookup = NULL;
    CHECK_CODE(ward_config_set_session_store(c, &st), WARD_ERR_CONFIG);
    ward_config_free(c);
}

/* Both configurations freed by the application mid-handshake: the
 * connections finish and talk, and free them at the end. */
static void outlives_config(void)
{
    CHECK(ward_config_ref(NULL) == NULL);
    ward_config *sc = ward_config_new_server(), *cc = ward_config_new_client();
    uint8_t pin[32];
    CHECK(ward_config_use_ephemeral_cert(sc, "localhost", pin) == WARD_OK);
    CHECK(ward_config_set_pin_sha256(cc, pin) == WARD_OK);
    CHECK(ward_config_ref(sc) == sc); /* two references: freed by the second free */
    ward_conn *cl = ward_conn_new(cc, "localhost");
    ward_conn *sv = ward_conn_new(sc, NULL);
    ward_config_free(sc);
    ward_config_free(sc);
    ward_config_free(cc);
    uint8_t got[8];
    size_t n;
    CHECK(selftalk_pump(cl, sv) == WARD_OK);
    CHECK(ward_conn_state(sv) == WARD_STATE_ESTABLISHED);
    CHECK(ward_conn_write(sv, (const uint8_t *)"yo", 2) == WARD_OK);
    CHECK(selftalk_pump(cl, sv) == WARD_OK);
    CHECK(ward_conn_read(cl, got, sizeof got, &n) == WARD_OK && n == 2 && memcmp(got, "yo", 2) == 0);
    ward_conn_free(cl);
    ward_conn_free(sv); /* the last reference: the server configuration goes */
}

int main(void)
{
    outlives_config();
    shared_store();
    setter_errors();
    return test_report();
}
