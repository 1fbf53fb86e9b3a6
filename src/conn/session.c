/* ward_session: what a client keeps to resume (RFC 8446 §4.6.1; RFC 5077;
 * RFC 5246 §7.4.1.2), and the resumption settings of a configuration. */
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include "base/mem.h"
#include "base/byteq.h"
#include "conn/internal.h"
#include "hs/resume.h"

static const uint8_t session_magic[8] = {'W', 'A', 'R', 'D', 'S', 'E', 'S', '1'};

uint64_t session_now_ms(void);
uint64_t session_now_ms(void)
{
    struct timeval tv;
    gettimeofday(&tv, NULL);
    return (uint64_t)tv.tv_sec * 1000 + (uint64_t)tv.tv_usec / 1000;
}

ward_session *ward_session_dup(const ward_session *s)
{
    if (!s)
        return NULL;
    ward_session *d = malloc(sizeof *d);
    if (d)
        memcpy(d, s, sizeof *d);
    return d;
}

void ward_session_free(ward_session *s)
{
    if (s)
        ward_free_secret(s, sizeof *s);
}

uint16_t ward_session_version(const ward_session *s) { return s ? s->st.version : 0; }
uint32_t ward_session_max_early_data(const ward_session *s)
{
    return s && s->st.version == WARD_TLS13 ? s->st.max_early_data : 0;
}

ward_err ward_session_encode(const ward_session *s, uint8_t *buf, size_t cap, size_t *len)
{
    if (!s || !buf || !len)
        return WARD_ERR_STATE;
    wr w = wr_of(buf, cap);
    wr_bytes(&w, session_magic, sizeof session_magic);
    wres r = resume_state_encode(&w, &s->st);
    if (!wres_is_ok(r))
        return r.code;
    wr_u64(&w, s->received_ms);
    wr_block sid = wr_open(&w, 1);
    wr_bytes(&w, s->session_id, s->session_id_len);
    if (!wres_is_ok(r = wr_close(&w, sid)))
        return r.code;
    wr_block t = wr_open(&w, 2);
    wr_bytes(&w, s->ticket, s->ticket_len);
    if (!wres_is_ok(r = wr_close(&w, t)) || !wres_is_ok(r = wr_status(&w)))
        return r.code == WARD_ERR_INTERNAL ? WARD_ERR_CONFIG : r.code;
    *len = w.len;
    return WARD_OK;
}

static wres session_decode(rd *r, ward_session *s)
{
    uint8_t magic[sizeof session_magic];
    uint32_t hi, lo;
    GUARD(rd_copy(r, magic, sizeof magic));
    ENSURE(memcmp(magic, session_magic, sizeof magic) == 0, WARD_ERR_DECODE);
    GUARD(resume_state_decode(r, &s->st));
    ENSURE(s->st.version == WARD_TLS13 || s->st.version == WARD_TLS12, WARD_ERR_DECODE);
    GUARD(rd_u32(r, &hi));
    GUARD(rd_u32(r, &lo));
    s->received_ms = (uint64_t)hi << 32 | lo;
    rd sid, t;
    GUARD(rd_block8(r, &sid));
    ENSURE(rd_left(&sid) <= sizeof s->session_id, WARD_ERR_DECODE);
    s->session_id_len = rd_left(&sid);
    GUARD(rd_copy(&sid, s->session_id, s->session_id_len));
    GUARD(rd_block16(r, &t));
    ENSURE(rd_left(&t) <= sizeof s->ticket, WARD_ERR_DECODE);
    s->ticket_len = rd_left(&t);
    GUARD(rd_copy(&t, s->ticket, s->ticket_len));
    GUARD(rd_expect_end(r));
    /* something to resume with */
    ENSURE(s->ticket_len || (s->st.version == WARD_TLS12 && s->session_id_len), WARD_ERR_DECODE);
    return wres_ok();
}

ward_session *ward_session_decode(const uint8_t *buf, size_t len)
{
    if (!buf)
        return NULL;
    ward_session *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    rd r = rd_of(buf, len);
    if (!wres_is_ok(session_decode(&r, s))) {
        ward_session_free(s);
        return NULL;
    }
    return s;
}

ward_session *ward_conn_get_session(const ward_conn *c)
{
    return c->is_server ? NULL : ward_session_dup(c->hs.latest); /* a client's only */
}
int ward_conn_resumed(const ward_conn *c) { return c->hs.resumed; }
int ward_conn_early_data_status(const ward_conn *c) { return c->hs.early_status; }

ward_err ward_conn_read_early_data(ward_conn *c, uint8_t *buf, size_t cap, size_t *n)
{
    *n = 0;
    size_t have = c->is_server ? byteq_size(&c->hs.early) : 0; /* a server's only */
    if (have) {
        *n = have < cap ? have : cap;
        memcpy(buf, byteq_data(&c->hs.early), *n);
        byteq_consume(&c->hs.early, *n);
        byteq_release_if_empty(&c->hs.early);
    }
    return c->hs.state == ST_FAILED ? c->err.code : WARD_OK;
}

/* ---- configuration ---- */

void ward_config_set_session_callback(ward_config *cfg, ward_session_fn fn, void *arg)
{
    cfg->session_cb = fn;
    cfg->session_cb_arg = arg;
}

ward_err ward_config_set_tickets(ward_config *cfg, unsigned count, uint32_t lifetime)
{
    if (count > 16 || lifetime == 0 || lifetime > 604800) /* §4.6.1: at most 7 days */
        return WARD_ERR_CONFIG;
    cfg->tickets = count;
    cfg->ticket_lifetime = lifetime;
    return WARD_OK;
}

ward_err ward_config_set_ticket_keys(ward_config *cfg, const uint8_t *keys, size_t len)
{
    if (!cfg->resume || !keys)
        return WARD_ERR_CONFIG;
    return resume_store_set_keys(cfg->resume, keys, len).code;
}

ward_err ward_config_set_ticket_key_file(ward_config *cfg, const char *path)
{
    if (!cfg->resume || !path)
        return WARD_ERR_CONFIG;
    return resume_store_set_key_file(cfg->resume, path).code;
}

ward_err ward_config_set_max_early_data(ward_config *cfg, uint32_t bytes)
{
    if (!cfg->is_server)
        return WARD_ERR_CONFIG;
    cfg->max_early_data = bytes;
    return WARD_OK;
}

void ward_config_set_psk_ke(ward_config *cfg, int on) { cfg->psk_ke = on != 0; }

ward_err ward_config_set_session_cache(ward_config *cfg, size_t entries)
{
    if (!cfg->resume || entries > 1000000)
        return WARD_ERR_CONFIG;
    return resume_cache_set_size(cfg->resume, entries).code;
}
