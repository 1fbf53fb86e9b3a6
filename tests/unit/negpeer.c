#include "negpeer.h"

#include <stdio.h>
#include <string.h>

#include "msg/msg.h"
#include "testutil.h"

int neg_cases, neg_failed;

static void on_secret(void *arg, const char *label, const uint8_t *secret, size_t len)
{
    neg_capture *cap = arg;
    if (len > 48)
        return;
    if (cap->n == 16) { /* keep the newest: drop the oldest */
        memmove(&cap->s[0], &cap->s[1], 15 * sizeof cap->s[0]);
        cap->n = 15;
    }
    snprintf(cap->s[cap->n].label, sizeof cap->s[cap->n].label, "%s", label);
    memcpy(cap->s[cap->n].secret, secret, len);
    cap->s[cap->n].len = len;
    cap->n++;
}

void neg_capture_init(neg_capture *cap)
{
    memset(cap, 0, sizeof *cap);
    cap->hooks.on_secret = on_secret;
    cap->hooks.arg = cap;
}

const uint8_t *neg_secret(const neg_capture *cap, const char *label)
{
    for (size_t i = cap->n; i-- > 0;)
        if (!strcmp(cap->s[i].label, label))
            return cap->s[i].secret;
    return NULL;
}

ward_config *neg_server_config(neg_capture *cap, uint16_t min, uint16_t max)
{
    ward_config *cfg = ward_config_new_server();
    uint8_t pin[32];
    if (cap)
        ward_config_set_test_hooks(cfg, &cap->hooks);
    /* No tickets: the crafted flights expect the handshake messages alone
     * (test_resume12/13 cover tickets). */
    if (ward_config_use_ephemeral_cert(cfg, "localhost", pin) != WARD_OK ||
        ward_config_set_versions(cfg, min, max) != WARD_OK ||
        ward_config_set_tickets(cfg, 0, 7200) != WARD_OK)
        fprintf(stderr, "neg_server_config failed\n");
    return cfg;
}

ward_config *neg_client_config(neg_capture *cap, uint16_t min, uint16_t max)
{
    ward_config *cfg = ward_config_new_client();
    if (cap)
        ward_config_set_test_hooks(cfg, &cap->hooks);
    ward_config_set_insecure_no_verify(cfg, 1);
    if (ward_config_set_versions(cfg, min, max) != WARD_OK)
        fprintf(stderr, "neg_client_config failed\n");
    return cfg;
}

void neg_put(neg_buf *o, const void *p, size_t n)
{
    if (o->len + n > sizeof o->b) {
        fprintf(stderr, "neg_put: buffer full\n");
        return;
    }
    if (n)
        memcpy(o->b + o->len, p, n);
    o->len += n;
}

void neg_record(neg_buf *o, uint8_t type, const uint8_t *p, size_t n)
{
    uint8_t h[5] = {type, 3, 3, (uint8_t)(n >> 8), (uint8_t)n};
    neg_put(o, h, 5);
    neg_put(o, p, n);
}

void neg_records(neg_buf *o, uint8_t type, const uint8_t *p, size_t n)
{
    do {
        size_t chunk = n < REC_MAX_PLAINTEXT ? n : REC_MAX_PLAINTEXT;
        neg_record(o, type, p, chunk);
        p += chunk;
        n -= chunk;
    } while (n > 0);
}

void neg_hs(neg_buf *o, uint8_t type, const uint8_t *body, size_t n)
{
    uint8_t h[4] = {type, (uint8_t)(n >> 16), (uint8_t)(n >> 8), (uint8_t)n};
    neg_put(o, h, 4);
    neg_put(o, body, n);
}

void neg_seal(neg_buf *o, rec_dir *d, uint8_t type, const uint8_t *p, size_t n, size_t pad)
{
    size_t need = rec_sealed_len(d, n, pad), got;
    if (o->len + need > sizeof o->b || !wres_is_ok(rec_seal(d, type, p, n, pad, o->b + o->len,
                                                            need, &got))) {
        fprintf(stderr, "neg_seal failed\n");
        return;
    }
    o->len += got;
}

static int suite_algs(uint16_t suite, aead_alg *a, hash_alg *h)
{
    switch (suite) {
    case WARD_TLS_AES_128_GCM_SHA256: *a = AEAD_AES_128_GCM; *h = HASH_SHA256; return 1;
    case WARD_TLS_AES_256_GCM_SHA384: *a = AEAD_AES_256_GCM; *h = HASH_SHA384; return 1;
    case WARD_TLS_CHACHA20_POLY1305_SHA256: *a = AEAD_CHACHA20_POLY1305; *h = HASH_SHA256; return 1;
    default: return 0;
    }
}

int neg_dir(rec_dir *d, uint16_t suite, const uint8_t *secret, int encrypt)
{
    aead_alg a;
    hash_alg h;
    rec_dir_init(d);
    return secret && suite_algs(suite, &a, &h) && wres_is_ok(rec_dir_install(d, a, h, secret, encrypt));
}

void neg_seal_raw(neg_buf *o, uint16_t suite, const uint8_t *secret, uint64_t seq,
                  const uint8_t *content, size_t n, int inner_type, size_t pad)
{
    aead_alg a;
    hash_alg h;
    uint8_t key[32], iv[12], nonce[12];
    static uint8_t inner[REC_MAX_CIPHERTEXT + 1024], ct[REC_MAX_CIPHERTEXT + 1024];
    size_t ilen = 0;
    if (!suite_algs(suite, &a, &h) || n + 1 + pad > sizeof inner - 16 ||
        !wres_is_ok(crypto_hkdf_expand_label(h, secret, "key", NULL, 0, key, aead_key_len(a))) ||
        !wres_is_ok(crypto_hkdf_expand_label(h, secret, "iv", NULL, 0, iv, 12))) {
        fprintf(stderr, "neg_seal_raw: bad arguments\n");
        return;
    }
    if (n)
        memcpy(inner, content, n);
    ilen = n;
    if (inner_type >= 0)
        inner[ilen++] = (uint8_t)inner_type;
    memset(inner + ilen, 0, pad);
    ilen += pad;
    memcpy(nonce, iv, 12);
    for (int i = 0; i < 8; i++)
        nonce[11 - i] ^= (uint8_t)(seq >> (8 * i));
    size_t clen = ilen + CRYPTO_AEAD_TAG;
    uint8_t hdr[5] = {CT_APPLICATION_DATA, 3, 3, (uint8_t)(clen >> 8), (uint8_t)clen};
    crypto_aead ctx;
    if (!wres_is_ok(crypto_aead_init(&ctx, a, key, 1)) ||
        !wres_is_ok(crypto_aead_seal(&ctx, nonce, hdr, 5, inner, ilen, ct))) {
        fprintf(stderr, "neg_seal_raw: seal failed\n");
        return;
    }
    crypto_aead_free(&ctx);
    neg_put(o, hdr, 5);
    neg_put(o, ct, clen);
}

ward_err neg_move(ward_conn *a, ward_conn *b)
{
    size_t n;
    const uint8_t *p = ward_conn_output(a, &n);
    if (n == 0)
        return WARD_OK;
    ward_err e = ward_conn_recv(b, p, n);
    ward_conn_output_done(a, n);
    return e;
}

void neg_take(ward_conn *c, neg_buf *o)
{
    size_t n;
    const uint8_t *p = ward_conn_output(c, &n);
    o->len = 0;
    if (n)
        neg_put(o, p, n);
    ward_conn_output_done(c, n);
}

int neg_split(const uint8_t *out, size_t len, uint16_t suite, const uint8_t *secret,
              neg_msgs *msgs)
{
    static uint8_t hs[sizeof ((neg_buf *)0)->b];
    size_t hlen = 0, off = 0;
    rec_dir d;
    int have_keys = neg_dir(&d, suite, secret, 0);
    msgs->n = 0;
    while (off + 5 <= len) {
        size_t rl = (size_t)out[off + 3] << 8 | out[off + 4];
        if (off + 5 + rl > len)
            break;
        uint8_t rec[REC_MAX_RECORD12];
        if (rl > sizeof rec - 5 || hlen + rl > sizeof hs)
            break; /* not a flight a test takes apart */
        memcpy(rec, out + off, 5 + rl);
        off += 5 + rl;
        if (rec[0] == CT_HANDSHAKE) {
            memcpy(hs + hlen, rec + 5, rl);
            hlen += rl;
        } else if (rec[0] == CT_APPLICATION_DATA && have_keys) {
            uint8_t type;
            span p;
            if (!wres_is_ok(rec_open(&d, rec, 5 + rl, &type, &p)))
                break;
            if (type == CT_HANDSHAKE) {
                memcpy(hs + hlen, p.p, p.len);
                hlen += p.len;
            }
        }
    }
    if (have_keys)
        rec_dir_clear(&d);
    for (size_t i = 0; i + 4 <= hlen && msgs->n < NEG_MAX_MSGS;) {
        size_t ml = (size_t)hs[i + 1] << 16 | (size_t)hs[i + 2] << 8 | hs[i + 3];
        if (i + 4 + ml > hlen || ml > sizeof msgs->m[0].body)
            return 0;
        msgs->m[msgs->n].type = hs[i];
        memcpy(msgs->m[msgs->n].body, hs + i + 4, ml);
        msgs->m[msgs->n].len = ml;
        msgs->n++;
        i += 4 + ml;
    }
    return msgs->n > 0;
}

void neg_join(const neg_msgs *msgs, neg_buf *o)
{
    for (size_t i = 0; i < msgs->n; i++)
        neg_hs(o, msgs->m[i].type, msgs->m[i].body, msgs->m[i].len);
}

int neg_first_record(const uint8_t *out, size_t len, uint8_t type, neg_buf *rec)
{
    size_t off = 0;
    while (off + 5 <= len) {
        size_t rl = (size_t)out[off + 3] << 8 | out[off + 4];
        if (out[off] == type) {
            rec->len = 0;
            neg_put(rec, out + off, 5 + rl);
            return 1;
        }
        off += 5 + rl;
    }
    return 0;
}

int neg_hello_add_ext(neg_msg *m, const uint8_t *ext, size_t n)
{
    size_t at = 2 + 32; /* legacy_version, random */
    if (at >= m->len)
        return 0;
    at += 1 + m->body[at]; /* session id */
    if (m->type == HS_CLIENT_HELLO) {
        at += 2 + ((size_t)m->body[at] << 8 | m->body[at + 1]); /* suites */
        at += 1 + m->body[at];                                  /* compression */
    } else {
        at += 2 + 1; /* suite, compression */
    }
    if (at + 2 > m->len || m->len + n > sizeof m->body)
        return 0;
    size_t el = (size_t)m->body[at] << 8 | m->body[at + 1];
    el += n;
    m->body[at] = (uint8_t)(el >> 8);
    m->body[at + 1] = (uint8_t)el;
    memcpy(m->body + m->len, ext, n);
    m->len += n;
    return 1;
}

int neg_last_alert(ward_conn *c, const neg_capture *cap, int *level, int *desc)
{
    size_t len, off = 0, last = (size_t)-1;
    const uint8_t *out = ward_conn_output(c, &len);
    while (off + 5 <= len) {
        size_t rl = (size_t)out[off + 3] << 8 | out[off + 4];
        if (off + 5 + rl > len)
            break;
        last = off;
        off += 5 + rl;
    }
    if (last == (size_t)-1)
        return 0;
    const uint8_t *r = out + last;
    size_t rl = (size_t)r[3] << 8 | r[4];
    if (r[0] == CT_ALERT && !c->wdir.protected_ && rl == 2) {
        *level = r[5];
        *desc = r[6];
        return 1;
    }
    if (r[0] == CT_ALERT && c->wdir.tls12) {
        *level = -2;
        *desc = -2;
        return 1;
    }
    if (r[0] != CT_APPLICATION_DATA || !c->wdir.protected_ || !cap)
        return 0;
    /* A TLS 1.3 protected record: the alert was sealed with c's current
     * write keys at sequence number seq - 1. Try c's secrets for its
     * direction. */
    const char *side = c->is_server ? "SERVER_" : "CLIENT_";
    for (size_t i = cap->n; i-- > 0;) {
        if (strncmp(cap->s[i].label, side, strlen(side)) != 0)
            continue;
        rec_dir d;
        if (!neg_dir(&d, c->hs.suite, cap->s[i].secret, 0))
            continue;
        d.seq = c->wdir.seq - 1;
        uint8_t copy[REC_MAX_RECORD];
        memcpy(copy, r, 5 + rl);
        uint8_t type;
        span p;
        wres ok = rec_open(&d, copy, 5 + rl, &type, &p);
        rec_dir_clear(&d);
        if (wres_is_ok(ok) && type == CT_ALERT && p.len == 2) {
            *level = p.p[0];
            *desc = p.p[1];
            return 1;
        }
    }
    return 0;
}

int neg_expect(const char *name, ward_conn *c, const neg_capture *cap, ward_err got,
               ward_err want)
{
    int ok = 1;
    neg_cases++;
    if (got != want) {
        fprintf(stderr, "%s: recv gave %s, want %s (%s)\n", name, ward_err_str(got),
                ward_err_str(want), ward_conn_error_message(c));
        ok = 0;
    }
    int alert = ward_err_alert(want), level = -1, desc = -1;
    int found = neg_last_alert(c, cap, &level, &desc);
    if (want == WARD_ERR_PEER_ALERT || alert < 0) {
        size_t n;
        (void)ward_conn_output(c, &n);
        if (found && desc >= 0 && level == 2) {
            fprintf(stderr, "%s: sent alert %d, want none\n", name, desc);
            ok = 0;
        }
    } else if (!found) {
        fprintf(stderr, "%s: no alert record found, want %s (%d)\n", name,
                ward_alert_name(alert), alert);
        ok = 0;
    } else if (desc != -2 && (level != 2 || desc != alert)) {
        fprintf(stderr, "%s: sent alert %d/%d (%s), want 2/%d (%s)\n", name, level, desc,
                ward_alert_name(desc), alert, ward_alert_name(alert));
        ok = 0;
    }
    if (ward_conn_state(c) != WARD_STATE_FAILED) {
        fprintf(stderr, "%s: state %d, want FAILED\n", name, ward_conn_state(c));
        ok = 0;
    }
    if (ward_conn_write(c, (const uint8_t *)"x", 1) == WARD_OK) {
        fprintf(stderr, "%s: write accepted after failure\n", name);
        ok = 0;
    }
    static const uint8_t more[] = {CT_HANDSHAKE, 3, 3, 0, 1, 0};
    if (ward_conn_recv(c, more, sizeof more) == WARD_OK) {
        fprintf(stderr, "%s: input accepted after failure\n", name);
        ok = 0;
    }
    if (ok)
        test_passed++;
    else {
        test_failed++;
        neg_failed++;
    }
    return ok;
}

int neg_first_flight(ward_conn **c, ward_conn **s, ward_config *client, ward_config *server,
                     neg_buf *o)
{
    *c = ward_conn_new(client, "localhost");
    *s = ward_conn_new(server, NULL);
    if (neg_move(*c, *s) != WARD_OK)
        return 0;
    neg_take(*s, o);
    return 1;
}

int neg_flight12_start(neg_flight12 *f, ward_config *client, ward_config *server)
{
    memset(f, 0, sizeof *f);
    static neg_buf out;
    if (!neg_first_flight(&f->c, &f->s, client, server, &out))
        return 0;
    return neg_split(out.b, out.len, 0, NULL, &f->m) && f->m.n == 4;
}

ward_err neg_flight12_send(neg_flight12 *f)
{
    static neg_buf hs, rec;
    hs.len = rec.len = 0;
    neg_join(&f->m, &hs);
    neg_record(&rec, CT_HANDSHAKE, hs.b, hs.len);
    return ward_conn_recv(f->c, rec.b, rec.len);
}

void neg_flight12_end(neg_flight12 *f)
{
    ward_conn_free(f->c);
    ward_conn_free(f->s);
}

void neg_ch13_defaults(msg_client_hello_params *p, msg_key_share *share, const uint8_t *pub,
                       size_t pub_len)
{
    static const uint16_t suites13[] = {0x1301, 0x1302, 0x1303};
    static const uint16_t groups[] = {WARD_GROUP_X25519, WARD_GROUP_SECP256R1};
    static const uint16_t v13[] = {0x0304};
    static const uint16_t sigs[] = {0x0403, 0x0804, 0x0807};
    static const uint8_t sid[32] = {1, 2, 3};
    memset(p, 0, sizeof *p);
    memset(p->random, 0x11, 32);
    p->session_id = sid;
    p->session_id_len = sizeof sid;
    p->suites = suites13;
    p->n_suites = WARD_ARRAY_LEN(suites13);
    p->server_name = "localhost";
    p->groups = groups;
    p->n_groups = WARD_ARRAY_LEN(groups);
    *share = (msg_key_share){WARD_GROUP_X25519, pub, pub_len};
    p->shares = share;
    p->n_shares = 1;
    p->versions = v13;
    p->n_versions = WARD_ARRAY_LEN(v13);
    p->sig_algs = sigs;
    p->n_sig_algs = WARD_ARRAY_LEN(sigs);
    p->psk_dhe_ke = 1;
}
