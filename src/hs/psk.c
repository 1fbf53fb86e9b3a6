/* TLS 1.3 resumption and 0-RTT (RFC 8446 §2.2, §2.3, §4.2.10, §4.2.11,
 * §4.6.1, §8), both roles:
 *
 *   client: ClientHello + pre_shared_key(ticket, binder) [+ early_data,
 *           0-RTT records under client_early_traffic_secret]
 *   server: open the ticket, check the binder in constant time, answer
 *           with pre_shared_key, skip Certificate/CertificateVerify;
 *           accept the early data only once per ticket (single-use
 *           register), in its age window, for the same suite and ALPN.
 *   after the handshake the server sends NewSessionTickets; the client
 *   turns each into a ward_session. */
#include <stdlib.h>
#include <string.h>

#include "base/mem.h"
#include "base/byteq.h"
#include "hs/hs.h"
#include "hs/psk.h"
#include "hs/suites.h"
#include "msg/msg.h"

#define AGE_WINDOW_MS 10000 /* §8.3: how far the client's ticket age may be off */
#define EARLY_SKIP_DEFAULT 16384

static uint64_t now_s(const hs_ctx *c) { return (uint64_t)ward_time_s(&c->cfg->prov); }
static uint64_t now_ms(const hs_ctx *c)
{
    return ward_time_ms(&c->cfg->prov, WARD_CLOCK_REALTIME);
}

/* binder_key = Derive-Secret(Early Secret, "res binder", "") and the
 * binder = HMAC(finished_key(binder_key), Transcript-Hash(truncated CH)). */
static WARD_MUST_CHECK wres compute_binder(hash_alg hash, const uint8_t *psk, size_t psk_len,
                                           const uint8_t *truncated_hash, uint8_t *out)
{
    keysched ks;
    uint8_t empty[CRYPTO_MAX_HASH], binder_key[CRYPTO_MAX_HASH];
    GUARD(ks_init_psk(&ks, hash, psk, psk_len));
    wres r = crypto_hash_oneshot(hash, NULL, 0, empty);
    if (wres_is_ok(r))
        r = ks_derive(&ks, "res binder", empty, binder_key);
    if (wres_is_ok(r))
        r = ks_finished(hash, binder_key, truncated_hash, out);
    ks_wipe(&ks);
    ward_zeroize(binder_key, sizeof binder_key);
    return r;
}

/* The transcript hash over what came before plus the truncated hello: on
 * a first hello there is nothing before; after a HelloRetryRequest, the
 * message_hash and the retry (§4.2.11.2). */
static WARD_MUST_CHECK wres truncated_hash(hs_ctx *c, hash_alg hash, const uint8_t *msg, size_t len,
                                           uint8_t *out)
{
    if (c->transcript_on)
        return crypto_hash_peek_with(&c->transcript, msg, len, out);
    return crypto_hash_oneshot(hash, msg, len, out);
}

/* ---- client ---- */

static const suite_info *offer_suite(const hs_ctx *c)
{
    const ward_session *s = c->offer;
    if (!s || s->st.version != WARD_TLS13 || !s->ticket_len)
        return NULL;
    return suite_lookup(s->st.suite);
}

int hs_client_psk_offerable(const hs_ctx *c)
{
    const ward_session *s = c->offer;
    const suite_info *si = offer_suite(c);
    if (!si || !hs_suite_enabled(c->cfg, s->st.suite, WARD_TLS13))
        return 0;
    uint64_t now = now_ms(c);
    if (now < s->received_ms || now - s->received_ms >= (uint64_t)s->st.lifetime * 1000)
        return 0; /* §4.6.1: not past its lifetime */
    /* A session belongs to the server it came from. */
    return strcmp(s->st.server_name, c->server_name) == 0;
}

wres hs_client_psk_fill(hs_ctx *c, msg_client_hello_params *p, int first)
{
    if (!hs_client_psk_offerable(c))
        return wres_ok();
    const ward_session *s = c->offer;
    const suite_info *si = offer_suite(c);
    /* After a retry the transcript hash is fixed: a PSK of another hash
     * cannot be used (§4.1.4). */
    if (!first && hash_len(si->hash) != c->hlen)
        return wres_ok();
    if (!first && c->psk_len == 0)
        return wres_ok(); /* not offered the first time either */
    uint64_t age = now_ms(c) - s->received_ms;
    p->psk_identity = s->ticket;
    p->psk_identity_len = s->ticket_len;
    p->psk_obfuscated_age = (uint32_t)(age + s->st.age_add);
    p->psk_binder_len = hash_len(si->hash);
    p->psk_ke = c->cfg->psk_ke;
    memcpy(c->psk, s->st.secret, s->st.secret_len);
    c->psk_len = s->st.secret_len;
    /* §4.2.10: early data in the first hello only, within the ticket's
     * allowance, and only as a whole. */
    if (first && c->early_out_len && s->st.max_early_data &&
        c->early_out_len <= s->st.max_early_data)
        p->early_data = 1;
    return wres_ok();
}

wres hs_client_psk_bind(hs_ctx *c, uint8_t *msg, size_t len)
{
    const suite_info *si = offer_suite(c);
    ENSURE(si, WARD_ERR_INTERNAL);
    size_t hlen = hash_len(si->hash);
    ENSURE(len > 3 + hlen, WARD_ERR_INTERNAL);
    uint8_t th[CRYPTO_MAX_HASH];
    /* The binders list (u16 length, u8 length, binder) ends the message. */
    GUARD(truncated_hash(c, si->hash, msg, len - (3 + hlen), th));
    return compute_binder(si->hash, c->psk, c->psk_len, th, msg + len - hlen);
}

/* After the first ClientHello: client_early_traffic_secret over it, then
 * the early data under it (§4.2.10, §7.1). */
wres hs_client_send_early_data(hs_ctx *c, const uint8_t *ch, size_t ch_len)
{
    const suite_info *si = offer_suite(c);
    ENSURE(si, WARD_ERR_INTERNAL);
    keysched ks;
    uint8_t th[CRYPTO_MAX_HASH];
    GUARD(crypto_hash_oneshot(si->hash, ch, ch_len, th));
    GUARD(ks_init_psk(&ks, si->hash, c->psk, c->psk_len));
    wres r = ks_derive(&ks, "c e traffic", th, c->c_early);
    ks_wipe(&ks);
    GUARD(r);
    c->hlen = hash_len(si->hash); /* for the key log */
    hs_report_secret(c, "CLIENT_EARLY_TRAFFIC_SECRET", c->c_early);
    if (c->session_id_len) /* D.4: the compatibility CCS goes before the early data */
        GUARD(hs_send_ccs(c));
    hs_keys k = {.write = 1, .aead = si->aead, .hash = si->hash, .secret = c->c_early,
                 .protection = WARD_PROT_EARLY};
    GUARD(c->out.ops->set_keys(c->out.ctx, &k));
    c->early_status = WARD_EARLY_REJECTED; /* until the server says otherwise */
    GUARD(hs_emit(c, CT_APPLICATION_DATA, c->early_out, c->early_out_len));
    return wres_ok();
}

/* ServerHello: did the server take our PSK (§4.2.11)? */
wres hs_client_psk_on_server_hello(hs_ctx *c, const msg_server_hello *sh)
{
    if (!sh->has_pre_shared_key) {
        ward_zeroize(c->psk, sizeof c->psk);
        c->psk_len = 0;
        return wres_ok();
    }
    const suite_info *si = offer_suite(c);
    if (!c->psk_len || !si)
        return hs_fail(c, WARD_ERR_UNSUPPORTED_EXTENSION,
                         "server accepted a pre_shared_key that ward did not offer");
    if (sh->selected_identity != 0)
        return hs_fail(c, WARD_ERR_ILLEGAL_PARAMETER,
                         "server selected PSK identity %u; ward offered one", sh->selected_identity);
    const suite_info *chosen = suite_lookup(sh->cipher_suite);
    if (!chosen || chosen->hash != si->hash)
        return hs_fail(c, WARD_ERR_ILLEGAL_PARAMETER,
                         "server resumed with a cipher suite of another hash than the ticket's");
    if (!sh->has_key_share && !c->cfg->psk_ke)
        return hs_fail(c, WARD_ERR_MISSING_EXTENSION,
                         "server resumed without a key share (psk_ke), which ward did not offer");
    c->resumed = 1;
    c->hs_kind |= HK_RESUMED;
    return wres_ok();
}

void hs_notify_session(hs_ctx *c, ward_session *s)
{
    ward_session_free(c->latest);
    c->latest = s;
    if (c->cfg->session_cb)
        c->cfg->session_cb(c->cfg->session_cb_arg, s);
}

/* §4.6.1: PSK = HKDF-Expand-Label(resumption_master_secret, "resumption",
 * ticket_nonce, Hash.length). */
wres hs_client_on_new_session_ticket(hs_ctx *c, span body)
{
    msg_new_session_ticket t;
    GUARD(msg_decode_new_session_ticket(body, &t));
    if (t.lifetime > 604800)
        return hs_fail(c, WARD_ERR_ILLEGAL_PARAMETER,
                         "NewSessionTicket lifetime %u s exceeds 7 days", t.lifetime);
    if (t.lifetime == 0 || t.ticket.len > RESUME_MAX_TICKET || !c->have_res_master)
        return wres_ok(); /* §4.6.1: lifetime 0 means discard; too large to keep */
    ward_session *s = calloc(1, sizeof *s);
    ENSURE(s, WARD_ERR_NOMEM);
    wres r = crypto_hkdf_expand_label(c->hash, c->res_master, "resumption", t.nonce.p,
                                      t.nonce.len, s->st.secret, c->hlen);
    if (!wres_is_ok(r)) {
        ward_session_free(s);
        return r;
    }
    s->st.secret_len = c->hlen;
    s->st.version = WARD_TLS13;
    s->st.suite = c->suite;
    s->st.created = now_s(c);
    s->st.lifetime = t.lifetime;
    s->st.age_add = t.age_add;
    s->st.max_early_data = t.has_early_data ? t.max_early_data : 0;
    memcpy(s->st.alpn, c->alpn, sizeof s->st.alpn);
    memcpy(s->st.server_name, c->server_name, sizeof c->server_name);
    s->received_ms = now_ms(c);
    memcpy(s->ticket, t.ticket.p, t.ticket.len);
    s->ticket_len = t.ticket.len;
    hs_notify_session(c, s);
    return wres_ok();
}

/* resumption_master_secret over ClientHello..client Finished (§7.1); the
 * key schedule must still hold the Master Secret. */
wres hs_derive_res_master(hs_ctx *c)
{
    uint8_t h[CRYPTO_MAX_HASH];
    GUARD(transcript_hash(c, h));
    GUARD(ks_derive(&c->ks, "res master", h, c->res_master));
    c->have_res_master = 1;
    return wres_ok();
}

/* ---- server ---- */

static int mode_offered(const msg_client_hello *ch, uint8_t mode)
{
    for (size_t i = 0; i < ch->psk_modes.len; i++)
        if (ch->psk_modes.p[i] == mode)
            return 1;
    return 0;
}

/* 0-RTT only for the first identity, on a first hello, within the
 * ticket's terms, in the age window, and once (§4.2.10, §8). */
static int early_data_acceptable(hs_ctx *c, const msg_client_hello *ch, size_t index,
                                 const msg_psk_offer *o, const resume_state *st, int second)
{
    const ward_config *cfg = c->cfg;
    if (!ch->has_early_data || second || index != 0 || !cfg->max_early_data ||
        !st->max_early_data || st->suite != c->suite || strcmp(st->alpn, c->alpn) != 0)
        return 0;
    uint64_t now = now_s(c) * 1000;
    uint64_t expected = now > st->created * 1000 ? now - st->created * 1000 : 0;
    uint32_t client_age = o->obfuscated_age[0] - st->age_add;
    uint64_t diff = expected > client_age ? expected - client_age : client_age - expected;
    if (diff > AGE_WINDOW_MS + 1000) /* created is in whole seconds */
        return 0;
    return resume_first_use(cfg->resume, o->identity[0].p, o->identity[0].len,
                            st->created + st->lifetime + 1);
}

wres hs_server_psk_choose(hs_ctx *c, const msg_client_hello *ch, span full, int second,
                          int *psk_ke)
{
    const ward_config *cfg = c->cfg;
    *psk_ke = 0;
    if (ch->has_early_data && !second) /* refused unless accepted below */
        hs_server_reject_early(c);
    if (!ch->has_pre_shared_key || !cfg->resume)
        return wres_ok();
    if (!ch->has_psk_modes) /* §4.2.9 */
        return hs_fail(c, WARD_ERR_MISSING_EXTENSION,
                         "ClientHello offers a PSK without psk_key_exchange_modes");
    int use_ke = cfg->psk_ke && mode_offered(ch, 0);
    if (!use_ke && !mode_offered(ch, 1))
        return wres_ok(); /* no mode we do: a full handshake */
    msg_psk_offer o;
    wres r = msg_decode_psk_offer(ch->pre_shared_key, &o);
    if (!wres_is_ok(r))
        return hs_fail(c, r.code, "malformed pre_shared_key extension");
    ENSURE(full.len > o.binders_len, WARD_ERR_DECODE);

    resume_state st;
    size_t i;
    for (i = 0; i < o.n; i++) {
        if (!hooks_ticket(c, o.identity[i], now_s(c), &st) &&
            !resume_ticket_open(cfg->resume, o.identity[i].p, o.identity[i].len, &st))
            continue;
        const suite_info *si = suite_lookup(st.suite);
        if (st.version == WARD_TLS13 && si && si->hash == c->hash &&
            st.secret_len == c->hlen && !resume_state_expired(&st, now_s(c)) &&
            strcmp(st.server_name, c->server_name) == 0)
            break;
        ward_zeroize(&st, sizeof st);
    }
    if (i == o.n)
        return wres_ok(); /* nothing usable: a full handshake */

    /* §4.2.11.2: the binder proves the client knows the PSK. */
    uint8_t th[CRYPTO_MAX_HASH], want[CRYPTO_MAX_HASH];
    r = truncated_hash(c, c->hash, full.p, full.len - o.binders_len, th);
    if (wres_is_ok(r))
        r = compute_binder(c->hash, st.secret, st.secret_len, th, want);
    int ok = wres_is_ok(r) && o.binder[i].len == c->hlen &&
             ward_ct_equal(o.binder[i].p, want, c->hlen);
    ward_zeroize(want, sizeof want);
    if (!wres_is_ok(r)) {
        ward_zeroize(&st, sizeof st);
        return r;
    }
    if (!ok) {
        ward_zeroize(&st, sizeof st);
        return hs_fail(c, WARD_ERR_DECRYPT_ERROR, "PSK binder does not verify");
    }
    memcpy(c->psk, st.secret, st.secret_len);
    c->psk_len = st.secret_len;
    c->resumed = 1;
    c->hs_kind |= HK_RESUMED;
    c->psk_identity = (uint16_t)i;
    *psk_ke = use_ke;
    if (early_data_acceptable(c, ch, i, &o, &st, second)) {
        c->early_status = WARD_EARLY_ACCEPTED;
        c->hs_kind |= HK_EARLY_DATA;
        c->early_limit = cfg->max_early_data;
        c->early_skipping = 0;
        c->early_skip_left = 0;
    }
    ward_zeroize(&st, sizeof st);
    return wres_ok();
}

/* With the ClientHello in the transcript: client_early_traffic_secret. */
wres hs_server_early_secret(hs_ctx *c)
{
    keysched ks;
    uint8_t th[CRYPTO_MAX_HASH];
    GUARD(transcript_hash(c, th));
    GUARD(ks_init_psk(&ks, c->hash, c->psk, c->psk_len));
    wres r = ks_derive(&ks, "c e traffic", th, c->c_early);
    ks_wipe(&ks);
    GUARD(r);
    hs_report_secret(c, "CLIENT_EARLY_TRAFFIC_SECRET", c->c_early);
    return wres_ok();
}

wres hs_server_on_end_of_early_data(hs_ctx *c, span body, span full)
{
    GUARD(msg_decode_empty(body));
    GUARD(transcript_add(c, full.p, full.len));
    GUARD(hs_install_keys(c, 0, c->c_hs));
    ward_zeroize(c->c_early, sizeof c->c_early);
    return wres_ok();
}

void hs_server_reject_early(hs_ctx *c)
{
    c->early_status = WARD_EARLY_REJECTED;
    c->early_skipping = 1;
    c->early_skip_left = c->cfg->max_early_data ? c->cfg->max_early_data : EARLY_SKIP_DEFAULT;
}

/* §4.2.10: the server "ignores early data by skipping all records with an
 * external content type of application_data ... up to the configured
 * max_early_data_size", and max_early_data_size counts "only Application
 * Data payload (i.e., plaintext but not padding or the inner content type
 * byte)". A record that does not open shows only its length, so each one
 * is charged the most plaintext it can hold: its ciphertext less the
 * least a TLS 1.3 record adds, the inner content type byte (§5.2) and the
 * AEAD tag, 16 bytes in every suite ward issues tickets for (a peer's
 * CCM_8 ticket has 8, which only lowers the charge). That is the exact
 * plaintext of a record without padding and never less than the plaintext
 * of a record under those suites, so a client that keeps to the limit and
 * does not pad its early data (no known client does) never trips it;
 * padding cannot be told from data, so it is charged as data, and no bound
 * short of none could allow unlimited padding. Records that hold no
 * plaintext at all cost nothing against the allowance, so they count
 * against the limit on empty records in a row instead. */
#define EARLY_MIN_OVERHEAD (REC_HEADER_LEN + 16 + 1)

wres hs_server_skip_early(hs_ctx *c, size_t total, unsigned *empty_records)
{
    size_t plaintext = total > EARLY_MIN_OVERHEAD ? total - EARLY_MIN_OVERHEAD : 0;
    if (plaintext == 0) {
        if (++*empty_records > c->cfg->limits.max_empty_records)
            return hs_fail(c, WARD_ERR_UNEXPECTED_MESSAGE,
                             "client sent more than %u empty early data records in a row",
                             c->cfg->limits.max_empty_records);
        return wres_ok();
    }
    *empty_records = 0;
    if (plaintext > c->early_skip_left)
        return hs_fail(c, WARD_ERR_UNEXPECTED_MESSAGE,
                         "client sent more refused early data than the %zu bytes allowed "
                         "(max_early_data)",
                         c->cfg->max_early_data ? (size_t)c->cfg->max_early_data
                                                : (size_t)EARLY_SKIP_DEFAULT);
    c->early_skip_left -= plaintext;
    return wres_ok();
}

/* Early data record while 0-RTT is accepted: kept apart, within limits. */
wres hs_server_take_early_data(hs_ctx *c, span payload)
{
    if (c->early_received + payload.len > c->early_limit)
        return hs_fail(c, WARD_ERR_UNEXPECTED_MESSAGE,
                         "client sent more than max_early_data_size (%u bytes) of early data",
                         c->early_limit);
    c->early_received += payload.len;
    return byteq_append(&c->early, payload.p, payload.len);
}

/* §4.6.1: tickets after the client's Finished, each with its own nonce
 * and so its own PSK. A resumed client needs one fresh ticket to go on
 * with, not a full set (§C.4: tickets are best used once). */
wres hs_server_send_tickets(hs_ctx *c)
{
    const ward_config *cfg = c->cfg;
    if (!cfg->resume || !c->have_res_master)
        return wres_ok();
    unsigned count = c->resumed && cfg->tickets ? 1 : cfg->tickets;
    for (unsigned n = 0; n < count; n++) {
        resume_state st;
        memset(&st, 0, sizeof st);
        uint8_t nonce[8];
        uint64_t counter = c->tickets_sent++;
        for (int b = 0; b < 8; b++)
            nonce[b] = (uint8_t)(counter >> (56 - 8 * b));
        st.version = WARD_TLS13;
        st.suite = c->suite;
        st.created = now_s(c);
        st.lifetime = cfg->ticket_lifetime;
        st.max_early_data = cfg->max_early_data;
        GUARD(hs_random(c, (uint8_t *)&st.age_add, sizeof st.age_add));
        GUARD(crypto_hkdf_expand_label(c->hash, c->res_master, "resumption", nonce, sizeof nonce,
                                       st.secret, c->hlen));
        st.secret_len = c->hlen;
        memcpy(st.alpn, c->alpn, sizeof st.alpn);
        memcpy(st.server_name, c->server_name, sizeof c->server_name);
        uint8_t ticket[RESUME_MAX_TICKET];
        size_t tlen;
        wres r = resume_ticket_seal(cfg->resume, &st, cfg->ticket_lifetime, ticket,
                                    sizeof ticket, &tlen);
        uint8_t msg[MSG_HEADER_LEN + 32 + RESUME_MAX_TICKET];
        wr w = wr_of(msg, sizeof msg);
        if (wres_is_ok(r))
            r = msg_encode_new_session_ticket(&w, st.lifetime, st.age_add, nonce, sizeof nonce,
                                              ticket, tlen, st.max_early_data);
        ward_zeroize(&st, sizeof st);
        GUARD(r);
        GUARD(hs_emit(c, CT_HANDSHAKE, msg, w.len));
    }
    return wres_ok();
}
