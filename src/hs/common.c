/* What both handshake roles share: suite parameters, key installation,
 * CertificateVerify content, KeyUpdate (the table is hs/table.c). */
#include <string.h>

#include "base/mem.h"
#include "hs/identity.h"
#include "hs/hs.h"
#include "hs/hs.h"
#include "hs/psk.h"
#include "hs/resume12.h"
#include "hs/suites.h"
#include "msg/msg.h"

wres hs_set_suite(hs_ctx *c, uint16_t suite)
{
    const suite_info *si = suite_lookup(suite);
    ENSURE(si, WARD_ERR_ILLEGAL_PARAMETER);
    c->aead = si->aead;
    c->hash = si->hash;
    c->suite = suite;
    c->hlen = hash_len(c->hash);
    return wres_ok();
}

static WARD_MUST_CHECK wres install(hs_ctx *c, int write, const uint8_t *secret, int protection)
{
    hs_keys k = {.write = write, .aead = c->aead, .hash = c->hash, .secret = secret,
                 .protection = protection};
    return c->out.ops->set_keys(c->out.ctx, &k);
}

/* Which keys a traffic secret makes (for the trace): the secrets are
 * fields of c, so the pointer says (a KeyUpdate installs its own way). */
wres hs_install_keys(hs_ctx *c, int write, const uint8_t *secret)
{
    int protection = secret == c->c_early                     ? WARD_PROT_EARLY
                     : secret == c->c_hs || secret == c->s_hs ? WARD_PROT_HANDSHAKE
                                                              : WARD_PROT_APPLICATION;
    return install(c, write, secret, protection);
}

int hs_list_has(const uint16_t *list, size_t n, uint16_t v)
{
    for (size_t i = 0; i < n; i++)
        if (list[i] == v)
            return 1;
    return 0;
}

int hs_group_is_pq(uint16_t group)
{
    return group == WARD_GROUP_X25519MLKEM768 || group == WARD_GROUP_SECP256R1MLKEM768 ||
           group == WARD_GROUP_SECP384R1MLKEM1024 || group == WARD_GROUP_MLKEM1024;
}

/* §4.4.3: 64 spaces, the context string, a zero byte, the transcript hash. */
wres hs_cv_content(hs_ctx *c, int server_signs, uint8_t *out, size_t cap, size_t *len)
{
    static const char server_ctx[] = "TLS 1.3, server CertificateVerify";
    static const char client_ctx[] = "TLS 1.3, client CertificateVerify";
    const char *ctx = server_signs ? server_ctx : client_ctx;
    uint8_t h[CRYPTO_MAX_HASH];
    GUARD(transcript_hash(c, h));
    wr w = wr_of(out, cap);
    uint8_t *spaces = wr_reserve(&w, 64);
    if (spaces)
        memset(spaces, 0x20, 64);
    wr_bytes(&w, ctx, strlen(ctx) + 1);
    wr_bytes(&w, h, c->hlen);
    GUARD(wr_status(&w));
    *len = w.len;
    return wres_ok();
}

/* Derive this side's or the peer's traffic secrets after the server's
 * Finished (§7.1): master secret, then both application secrets. */
wres hs_derive_app_secrets(hs_ctx *c)
{
    uint8_t h[CRYPTO_MAX_HASH], exp[CRYPTO_MAX_HASH];
    GUARD(transcript_hash(c, h));
    memcpy(c->finished_hash, h, c->hlen);
    GUARD(ks_advance(&c->ks, NULL, 0));
    GUARD(ks_derive(&c->ks, "c ap traffic", h, c->c_ap));
    GUARD(ks_derive(&c->ks, "s ap traffic", h, c->s_ap));
    GUARD(ks_derive(&c->ks, "exp master", h, exp));
    hs_report_secret(c, "CLIENT_TRAFFIC_SECRET_0", c->c_ap);
    hs_report_secret(c, "SERVER_TRAFFIC_SECRET_0", c->s_ap);
    hs_report_secret(c, "EXPORTER_SECRET", exp);
    /* Kept for the exporter (§7.5); ward_conn_free wipes it. */
    memcpy(c->exp_master, exp, c->hlen);
    c->has_exp_master = 1;
    ward_zeroize(exp, sizeof exp);
    return wres_ok();
}

/* Handshake Secret from the (EC)DHE shared secret, and both handshake
 * traffic secrets over ClientHello..ServerHello. */
wres hs_derive_hs_secrets(hs_ctx *c, const uint8_t *shared, size_t shared_len)
{
    uint8_t h[CRYPTO_MAX_HASH];
    if (c->resumed) /* §7.1: the Early Secret from the PSK */
        GUARD(ks_init_psk(&c->ks, c->hash, c->psk, c->psk_len));
    else
        GUARD(ks_init(&c->ks, c->hash));
    GUARD(ks_advance(&c->ks, shared, shared_len)); /* NULL (psk_ke): zeros */
    GUARD(transcript_hash(c, h));
    GUARD(ks_derive(&c->ks, "c hs traffic", h, c->c_hs));
    GUARD(ks_derive(&c->ks, "s hs traffic", h, c->s_hs));
    hs_report_secret(c, "CLIENT_HANDSHAKE_TRAFFIC_SECRET", c->c_hs);
    hs_report_secret(c, "SERVER_HANDSHAKE_TRAFFIC_SECRET", c->s_hs);
    return wres_ok();
}

/* The Finished a side sends or expects: HMAC over the transcript so far. */
wres hs_finished_for(hs_ctx *c, int server_side, uint8_t *out)
{
    uint8_t h[CRYPTO_MAX_HASH];
    GUARD(transcript_hash(c, h));
    return ks_finished(c->hash, server_side ? c->s_hs : c->c_hs, h, out);
}

wres hs_check_finished(hs_ctx *c, int server_side, span body)
{
    span got;
    uint8_t want[CRYPTO_MAX_HASH];
    GUARD(msg_decode_finished(body, c->hlen, &got));
    GUARD(hs_finished_for(c, server_side, want));
    int ok = ward_ct_equal(got.p, want, c->hlen);
    ward_zeroize(want, sizeof want);
    if (!ok)
        return hs_fail(c, WARD_ERR_DECRYPT_ERROR, "the peer's Finished does not verify");
    c->peer_finished = 1;
    return wres_ok();
}

/* §4.6.3: the sender moves to the next secret right after sending. */
wres hs_send_key_update(hs_ctx *c, int request_peer)
{
    uint8_t msg[MSG_HEADER_LEN + 1];
    wr w = wr_of(msg, sizeof msg);
    GUARD(msg_encode_key_update(&w, request_peer));
    GUARD(hs_emit(c, CT_HANDSHAKE, msg, w.len));
    uint8_t *mine = c->is_server ? c->s_ap : c->c_ap;
    GUARD(ks_update_traffic(c->hash, mine));
    hs_event(c, c->is_server ? HS_EV_SERVER_TRAFFIC_UPDATE : HS_EV_CLIENT_TRAFFIC_UPDATE, mine,
             c->hlen);
    GUARD(install(c, 1, mine, WARD_PROT_UPDATED));
    /* A request of our own is not an answer: if the peer's request
     * crosses it, the peer still gets one (§4.6.3). */
    c->ku_answered = !request_peer;
    return wres_ok();
}

/* §4.6.3: the receiver of update_requested "MUST send a KeyUpdate of its
 * own ... prior to sending its next Application Data record", and "an
 * implementation which receives multiple KeyUpdates while it is silent"
 * responds "with a single update". So a request is answered at once,
 * unless our last KeyUpdate (update_not_requested) has had no application
 * data after it: the peer's next data from us comes under a key no record
 * has used. A peer asking again and again therefore gets at most one
 * KeyUpdate per application data record we send, and each of its own must
 * end its record (§5.1, checked by the engine): its flood costs us a
 * bounded amount of work per record it sends, as any record does, and no
 * count per second that a conforming peer could trip. */
wres hs_on_key_update(hs_ctx *c, span body, span full)
{
    (void)full;
    int request;
    GUARD(msg_decode_key_update(body, &request));
    uint8_t *peer = c->is_server ? c->c_ap : c->s_ap;
    GUARD(ks_update_traffic(c->hash, peer));
    hs_event(c, c->is_server ? HS_EV_CLIENT_TRAFFIC_UPDATE : HS_EV_SERVER_TRAFFIC_UPDATE, peer,
             c->hlen);
    GUARD(install(c, 0, peer, WARD_PROT_UPDATED));
    c->key_updates_received++;
    /* Answer an update request, unless we are closing (§4.6.3). */
    if (request && !c->close_sent && !c->ku_answered)
        GUARD(hs_send_key_update(c, 0));
    return wres_ok();
}

/* The one way the handshake draws randomness: the configuration's source
 * (ward_config_set_random) or libcrypto's DRBG. Failing, it fails the
 * handshake closed before the bytes are used. */
wres hs_random(hs_ctx *c, uint8_t *out, size_t n)
{
    wres r = crypto_random_from(&c->cfg->prov, out, n);
    if (wres_is_ok(r))
        return r;
    return hs_fail(c, r.code, "%s",
                     crypto_random_is_custom(&c->cfg->prov)
                         ? "the random source failed (ward_config_set_random)"
                         : "the system's random generator failed");
}

wres hs_make_random(hs_ctx *c) { return hs_random(c, c->random, 32); }

/* A key failing to come from a source of the configuration's own is the
 * source's fault (a broken or exhausted source, or one that never gives a
 * scalar in range); from libcrypto, an internal error as before. */
wres hs_random_failed(hs_ctx *c, wres r, uint16_t group)
{
    if (wres_is_ok(r) || !crypto_random_is_custom(&c->cfg->prov) || r.code != WARD_ERR_INTERNAL)
        return r;
    return hs_fail(c, r.code,
                     "the random source failed (ward_config_set_random): no %s private key",
                     ward_group_name(group));
}

wres hs_keygen(hs_ctx *c, crypto_kex *k, uint16_t group, uint8_t *pub, size_t cap,
               size_t *publen)
{
    wres r = crypto_kex_keygen_from(k, group, &c->cfg->prov, pub, cap, publen);
    return hs_random_failed(c, r, group);
}
