/* A connection's sessions and early data (the ward_session object is
 * hs/session.c), and the resumption settings of a configuration. */
#include <stdlib.h>
#include <string.h>

#include "base/mem.h"
#include "base/byteq.h"
#include "conn/internal.h"
#include "hs/resume.h"

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
