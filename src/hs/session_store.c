/* The server's external session cache (issue #18): TLS 1.2 session IDs
 * (RFC 5246 §7.4.1.2) resumed across processes or machines through the
 * application's callbacks. ward serializes what its own cache would keep
 * (version byte + resume_state encoding); the application keeps bytes. */
#include <string.h>

#include "base/mem.h"
#include "hs/session_store.h"

wres session_store_put(const ward_config *cfg, const uint8_t *id, size_t id_len,
                       const resume_state *s)
{
    uint8_t buf[1 + RESUME_MAX_STATE];
    wr w = wr_of(buf, sizeof buf);
    wr_u8(&w, SESSION_STORE_FORMAT);
    wres r = resume_state_encode(&w, s);
    if (wres_is_ok(r))
        r = wr_status(&w);
    /* A store that cannot keep it only costs a later full handshake. */
    if (wres_is_ok(r))
        (void)cfg->store.store(cfg->store.arg, id, id_len, buf, w.len);
    ward_zeroize(buf, sizeof buf);
    return r;
}

void session_store_remove(const ward_config *cfg, const uint8_t *id, size_t id_len)
{
    if (cfg->store.remove)
        cfg->store.remove(cfg->store.arg, id, id_len);
}

int session_store_get(const ward_config *cfg, const uint8_t *id, size_t id_len, uint64_t now,
                      resume_state *s)
{
    uint8_t buf[1 + RESUME_MAX_STATE];
    size_t n = cfg->store.lookup(cfg->store.arg, id, id_len, buf, sizeof buf);
    if (n == 0)
        return 0;
    /* The store's bytes are checked like any input: a length beyond our
     * buffer, another format or trailing bytes is no session. */
    int ok = n <= sizeof buf && buf[0] == SESSION_STORE_FORMAT;
    if (ok) {
        rd r = rd_of(buf + 1, n - 1);
        ok = wres_is_ok(resume_state_decode(&r, s)) && rd_left(&r) == 0 &&
             !resume_state_expired(s, now);
    }
    ward_zeroize(buf, sizeof buf);
    if (!ok) {
        ward_zeroize(s, sizeof *s);
        session_store_remove(cfg, id, id_len);
    }
    return ok;
}
