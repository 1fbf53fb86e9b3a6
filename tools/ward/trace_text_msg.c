/* trace_text_msg.c: what matters in each handshake message, under its
 * arrow. Lengths only for key shares, signatures, ciphertexts and
 * Finished; randoms and session IDs in hex. */
#include <string.h>
#include <time.h>
#include "trace_text_int.h"

static void hex_groups(tt_list *l, const uint8_t *p, size_t n)
{
    /* 8 bytes an item: a 32-byte random wraps cleanly in either column */
    for (size_t i = 0; i < n; i += 8) {
        char b[17];
        size_t k = n - i < 8 ? n - i : 8;
        for (size_t j = 0; j < k; j++)
            snprintf(b + 2 * j, 3, "%02x", p[i + j]);
        if (l->len)
            l->buf[l->len++] = ' ';
        memcpy(l->buf + l->len, b, 2 * k);
        l->len += 2 * k;
        l->buf[l->len] = 0;
    }
}

static void random_field(trace_text *t, int in, const uint8_t r[32], int tls12)
{
    tt_list l = {.len = 0};
    hex_groups(&l, r, 32);
    tt_list_field(t, in, "random", &l);
    if (!tls12)
        return;
    /* RFC 5246 §7.4.1.2: gmt_unix_time; RFC 8446 §4.1.2 asks for none */
    uint32_t g = (uint32_t)r[0] << 24 | (uint32_t)r[1] << 16 | (uint32_t)r[2] << 8 | r[3];
    time_t now = time(NULL);
    long long d = (long long)g - (long long)now;
    if (d > -366LL * 86400 && d < 366LL * 86400) {
        time_t tt = (time_t)g;
        struct tm tm;
        char b[32];
        gmtime_r(&tt, &tm);
        strftime(b, sizeof b, "%Y-%m-%d %H:%M:%S UTC", &tm);
        tt_fieldf(t, in, "clock", "first 4 bytes look like a clock: %s", b);
    } else
        tt_field(t, in, "clock", "first 4 bytes are not a clock (random)");
}

static void session_id(trace_text *t, int in, const ward_trace_msg *m)
{
    tt_list l = {.len = 0};
    size_t n = m->session_id_len <= 32 ? m->session_id_len : 32;
    hex_groups(&l, m->session_id, n);
    if (!n)
        tt_list_add(&l, "empty");
    tt_list_field(t, in, "session id", &l);
}

static void alpn_field(trace_text *t, int in, const char *label, const ward_trace_msg *m)
{
    tt_list l = {.len = 0};
    for (size_t i = 0; i < m->n_alpn && i < WARD_TRACE_MAX_ALPN; i++) {
        char b[65];
        snprintf(b, sizeof b, "%.64s", m->alpn[i]);
        tt_list_add(&l, b);
    }
    if (m->n_alpn)
        tt_list_field(t, in, label, &l);
}

static int offers(const uint16_t *v, size_t n, uint16_t x)
{
    for (size_t i = 0; i < n && i < WARD_TRACE_MAX_ITEMS; i++)
        if (v[i] == x)
            return 1;
    return 0;
}

static void codes_field(trace_text *t, int in, const char *label, ward_name_kind k,
                        const uint16_t *v, size_t n)
{
    tt_list l = {.len = 0};
    tt_codes(&l, k, v, n);
    if (n)
        tt_list_field(t, in, label, &l);
}

static void client_hello(trace_text *t, int in, const ward_trace_msg *m)
{
    char b[96];
    t->offered13 = offers(m->versions, m->n_versions, WARD_TLS13);
    if (m->n_versions)
        codes_field(t, in, "versions", WARD_NAME_VERSION, m->versions, m->n_versions);
    else
        tt_field(t, in, "version", tt_name(WARD_NAME_VERSION, m->legacy_version, b, sizeof b));
    random_field(t, in, m->random, !t->offered13);
    session_id(t, in, m);
    codes_field(t, in, "suites", WARD_NAME_SUITE, m->suites, m->n_suites);
    codes_field(t, in, "groups", WARD_NAME_GROUP, m->groups, m->n_groups);
    tt_list l = {.len = 0};
    for (size_t i = 0; i < m->n_shares && i < WARD_TRACE_MAX_SHARES; i++)
        tt_list_addf(&l, "%s (%zu bytes)", tt_name(WARD_NAME_GROUP, m->shares[i].group, b,
                                                    sizeof b), m->shares[i].len);
    if (m->n_shares)
        tt_list_field(t, in, "key shares", &l);
    codes_field(t, in, "signatures", WARD_NAME_SIGSCHEME, m->sigalgs, m->n_sigalgs);
    if (m->server_name[0])
        tt_fieldf(t, in, "server name", "%.255s", m->server_name);
    alpn_field(t, in, "ALPN", m);
    if (m->psk_identities) {
        tt_list p = {.len = 0};
        for (size_t i = 0; i < m->n_psk_modes && i < 4; i++)
            tt_list_add(&p, tt_name(WARD_NAME_PSK_MODE, m->psk_modes[i], b, sizeof b));
        tt_fieldf(t, in, "PSK", "%zu identit%s offered, modes %s", m->psk_identities,
                  m->psk_identities == 1 ? "y" : "ies", p.len ? p.buf : "none");
    }
    if (m->early_data)
        tt_field(t, in, "0-RTT", "early data follows");
    if (m->cookie_len)
        tt_fieldf(t, in, "cookie", "%zu bytes (echoed from the HelloRetryRequest)", m->cookie_len);
    codes_field(t, in, "extensions", WARD_NAME_EXTENSION, m->extensions, m->n_extensions);
}

static void server_hello(trace_text *t, int in, const ward_trace_msg *m)
{
    char b[96], c[96];
    tt_fieldf(t, in, "version", "%s", tt_name(WARD_NAME_VERSION, m->version, b, sizeof b));
    if (!m->hrr)
        random_field(t, in, m->random, m->version == WARD_TLS12);
    if (m->downgrade)
        tt_fieldf(t, in, "downgrade", "sentinel DOWNGRD\\%d: the server can do better than %s",
                  m->downgrade == 12 ? 1 : 0, m->downgrade == 12 ? "TLS 1.2" : "TLS 1.1");
    session_id(t, in, m);
    tt_field(t, in, "suite", tt_name(WARD_NAME_SUITE, m->suite, b, sizeof b));
    if (m->hrr)
        tt_field(t, in, "wants group", tt_name(WARD_NAME_GROUP, m->group, b, sizeof b));
    else if (m->n_shares)
        tt_fieldf(t, in, "key share", "%s (%zu bytes)",
                  tt_name(WARD_NAME_GROUP, m->shares[0].group, c, sizeof c), m->shares[0].len);
    if (m->cookie_len)
        tt_fieldf(t, in, "cookie", "%zu bytes", m->cookie_len);
    if (m->psk_selected >= 0)
        tt_fieldf(t, in, "PSK", "identity %d accepted: resuming", m->psk_selected);
    alpn_field(t, in, "ALPN", m);
    codes_field(t, in, "extensions", WARD_NAME_EXTENSION, m->extensions, m->n_extensions);
}

/* "A .. B", each date kept whole on its line. */
static const char *period(const ward_cert_info *c, char *b, size_t cap)
{
    snprintf(b, cap, "%.63s .. %.63s", c->not_before, c->not_after);
    size_t a = strnlen(c->not_before, 63), n = strlen(b);
    for (size_t i = 0; i < n; i++)
        if (b[i] == ' ' && (i < a || i > a + 3))
            b[i] = '\x01';
    return b;
}

void tt_certificates(trace_text *t, int in, const ward_trace_msg *m)
{
    char b[160];
    if (!m->n_certs)
        tt_field(t, in, "chain", "empty (no certificate)");
    for (size_t i = 0; i < m->n_certs && i < WARD_TRACE_MAX_CERTS; i++) {
        const ward_cert_info *c = &m->certs[i];
        char lab[16];
        snprintf(lab, sizeof lab, "[%zu] subject", i);
        tt_field(t, in, lab, c->subject);
        tt_field(t, in + 4, "issuer", c->issuer);
        tt_field(t, in + 4, "valid", period(c, b, sizeof b));
        tt_fieldf(t, in + 4, "key", "%s, %u bits", c->key_type, c->key_bits);
        if (c->san[0])
            tt_field(t, in + 4, "SAN", c->san);
    }
    if (m->ocsp)
        tt_field(t, in, "OCSP", "a stapled response");
}

static void others(trace_text *t, int in, const ward_trace_msg *m)
{
    char b[96], c[96];
    switch (m->type) {
    case 4:
        tt_fieldf(t, in, "ticket", "%zu bytes, lifetime %u s", m->ticket_len, m->lifetime);
        if (m->early_data)
            tt_fieldf(t, in, "0-RTT", "up to %u bytes of early data", m->max_early_data);
        break;
    case 8:
        alpn_field(t, in, "ALPN", m);
        if (m->early_data)
            tt_field(t, in, "0-RTT", "early data accepted");
        codes_field(t, in, "extensions", WARD_NAME_EXTENSION, m->extensions, m->n_extensions);
        break;
    case 13:
        codes_field(t, in, "signatures", WARD_NAME_SIGSCHEME, m->sigalgs, m->n_sigalgs);
        break;
    case 15:
        tt_fieldf(t, in, "signature", "%s, %zu bytes",
                  tt_name(WARD_NAME_SIGSCHEME, m->scheme, b, sizeof b), m->signature_len);
        break;
    case 12:
        tt_fieldf(t, in, "ECDHE", "%s public key, %zu bytes",
                  tt_name(WARD_NAME_GROUP, m->group, b, sizeof b), m->key_len);
        tt_fieldf(t, in, "signature", "%s, %zu bytes",
                  tt_name(WARD_NAME_SIGSCHEME, m->scheme, c, sizeof c), m->signature_len);
        break;
    case 16:
        if (m->rsa_kx)
            tt_fieldf(t, in, "RSA", "encrypted premaster secret, %zu bytes", m->key_len);
        else
            tt_fieldf(t, in, "ECDHE", "client public key, %zu bytes", m->key_len);
        break;
    case 20:
        tt_fieldf(t, in, "verify_data", "%zu bytes", m->verify_data_len);
        break;
    case 24:
        tt_field(t, in, "update", m->request_update ? "requested from the peer too" : "this side");
        break;
    case 22:
        tt_fieldf(t, in, "OCSP", "response, %zu bytes", m->ocsp_len);
        break;
    }
}

void tt_message_details(trace_text *t, const ward_trace_event *ev, const ward_trace_msg *m)
{
    int in = ev->from_server ? TT_SERVER : TT_CLIENT;
    if (m->type == 1)
        client_hello(t, in, m);
    else if (m->type == 2)
        server_hello(t, in, m);
    else if (m->type == 11)
        tt_certificates(t, in, m);
    else
        others(t, in, m);
}
