/* Limits on key usage (RFC 8446 §5.5): an AES-GCM key protects at most
 * 2^24.5 full-size records. A TLS 1.3 connection renews its write key by
 * itself well before that (a KeyUpdate, update_not_requested, once a key
 * has protected 2^24 records: the same threshold for every AEAD, harmless
 * for ChaCha20-Poly1305 whose limit is out of reach). TLS 1.2 cannot renew
 * a key: its connection ends when the write key is used up. A peer that
 * sends past the limit under one key is refused. */
#include <inttypes.h>

#include "conn/internal.h"

/* Records under one write key before an automatic KeyUpdate. */
#define KEY_UPDATE_AFTER (UINT64_C(1) << 24)

static uint64_t key_update_after(const ward_conn *c)
{
    const ward_test_hooks *h = c->cfg->hooks;
    return h && h->key_update_after ? h->key_update_after : KEY_UPDATE_AFTER;
}

static uint64_t key_limit(const ward_conn *c, const rec_dir *d)
{
    const ward_test_hooks *h = c->cfg->hooks;
    if (d->protected_ && h && h->key_limit)
        return h->key_limit;
    return rec_dir_key_limit(d);
}

/* The last record a key may protect is kept for an alert, so that a
 * connection ended by this limit can still say so (and a peer counting
 * the same way never sees one record too many). */
wres conn_check_write_key(ward_conn *c, uint8_t type)
{
    rec_dir *d = &c->wdir;
    if (!d->protected_ || type == CT_CHANGE_CIPHER_SPEC)
        return wres_ok();
    /* Only in front of application data: a KeyUpdate is itself a
     * handshake record sealed through here. */
    if (!d->tls12 && type == CT_APPLICATION_DATA && c->hs.state == ST_CONNECTED &&
        d->seq >= key_update_after(c))
        GUARD(hs_send_key_update(&c->hs, 0));
    uint64_t limit = key_limit(c, d);
    if (d->seq < limit - 1 || (type == CT_ALERT && d->seq < limit))
        return wres_ok();
    if (d->tls12)
        return conn_fail(c, WARD_ERR_INTERNAL,
                         "the write key has protected %" PRIu64 " records, its usage limit "
                         "(RFC 8446 §5.5), and TLS 1.2 cannot change keys: open a new connection",
                         d->seq);
    return conn_fail(c, WARD_ERR_INTERNAL,
                     "the write key has protected %" PRIu64 " records, its usage limit "
                     "(RFC 8446 §5.5), before a KeyUpdate was possible",
                     d->seq);
}

/* Alert choice: the record is well formed and would authenticate; what is
 * wrong is that it was sent at all, the peer having had to renew its key
 * first (TLS 1.3) or stop (TLS 1.2). An inappropriate message is
 * unexpected_message (RFC 8446 §6.2). Not bad_record_mac (nothing failed
 * to deprotect: the key is simply not used again), not record_overflow
 * (about one record's size). The record is refused before it is opened. */
wres conn_check_read_key(ward_conn *c)
{
    const rec_dir *d = &c->rdir;
    if (!d->protected_ || d->seq < key_limit(c, d))
        return wres_ok();
    return conn_fail(c, WARD_ERR_UNEXPECTED_MESSAGE,
                     "peer sent more than %" PRIu64 " records under one key, the usage limit "
                     "(RFC 8446 §5.5); %s",
                     d->seq,
                     d->tls12 ? "TLS 1.2 cannot change keys: the peer had to reconnect"
                              : "the peer had to send a KeyUpdate first");
}
