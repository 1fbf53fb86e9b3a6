/* ward_session: what a client keeps to resume (RFC 8446 §4.6.1; RFC 5077;
 * RFC 5246 §7.4.1.2): made by the handshake, copied, encoded and freed
 * through the public API. */
#include <stdlib.h>
#include <string.h>

#include "base/bytes.h"
#include "base/mem.h"
#include "hs/state.h"

static const uint8_t session_magic[8] = {'W', 'A', 'R', 'D', 'S', 'E', 'S', '1'};

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

static WARD_MUST_CHECK wres session_decode(rd *r, ward_session *s)
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
