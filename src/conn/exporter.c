/* Keying material exporters: secrets for an application protocol, bound
 * to this connection, that both ends compute alike (channel bindings,
 * EAP-TLS keys, ...).
 *   TLS 1.3 (RFC 8446 §7.5): HKDF-Expand-Label(Derive-Secret(
 *       exporter_master_secret, label, ""), "exporter", Hash(context), L)
 *   TLS 1.2 (RFC 5705 §4): PRF(master_secret, label, client_random +
 *       server_random [+ uint16 context length + context])[0..L)
 * A bad argument or the wrong state is refused without touching the
 * connection: an exporter call is local and never sends an alert. */
#include <string.h>

#include "base/mem.h"
#include "conn/internal.h"
#include "crypto/tls12.h"

#define EXPORTER_MAX_LABEL 249 /* 255 minus the "tls13 " HKDF-Expand-Label prefix */

/* RFC 5705 §4: labels the TLS 1.2 PRF already uses may not be exported
 * under, lest the output repeat a secret of the connection. */
static int reserved_label12(const char *label)
{
    static const char *const reserved[] = {"client finished", "server finished",
                                           "master secret", "key expansion",
                                           "extended master secret"};
    for (size_t i = 0; i < WARD_ARRAY_LEN(reserved); i++)
        if (strcmp(label, reserved[i]) == 0)
            return 1;
    return 0;
}

static WARD_MUST_CHECK wres export13(const ward_conn *c, const char *label, const uint8_t *ctx,
                                     size_t ctx_len, uint8_t *out, size_t out_len)
{
    uint8_t empty_hash[CRYPTO_MAX_HASH], ctx_hash[CRYPTO_MAX_HASH], secret[CRYPTO_MAX_HASH];
    ENSURE(c->hs.has_exp_master, WARD_ERR_INTERNAL);
    GUARD(crypto_hash_oneshot(c->hs.hash, NULL, 0, empty_hash));
    GUARD(crypto_hash_oneshot(c->hs.hash, ctx, ctx_len, ctx_hash));
    GUARD(crypto_hkdf_expand_label(c->hs.hash, c->hs.exp_master, label, empty_hash, c->hs.hlen, secret,
                                   c->hs.hlen));
    wres r = crypto_hkdf_expand_label(c->hs.hash, secret, "exporter", ctx_hash, c->hs.hlen, out,
                                      out_len);
    ward_zeroize(secret, sizeof secret);
    return r;
}

static WARD_MUST_CHECK wres export12(const ward_conn *c, const char *label, const uint8_t *ctx,
                                     size_t ctx_len, int use_context, uint8_t *out, size_t out_len)
{
    /* seed = client_random + server_random [+ uint16 length + context] */
    uint8_t seed[CRYPTO_TLS12_PRF_MAX_SEED];
    wr w = wr_of(seed, sizeof seed);
    wr_bytes(&w, c->is_server ? c->hs.peer_random : c->hs.random, 32);
    wr_bytes(&w, c->is_server ? c->hs.random : c->hs.peer_random, 32);
    if (use_context) {
        wr_u16(&w, (uint16_t)ctx_len);
        wr_bytes(&w, ctx, ctx_len);
    }
    GUARD(wr_status(&w));
    return crypto_tls12_prf(c->hs.hash, c->hs.master, sizeof c->hs.master, label, seed, w.len, NULL, 0,
                            out, out_len);
}

ward_err ward_conn_export_keying_material(ward_conn *c, const char *label, size_t label_len,
                                          const uint8_t *ctx, size_t ctx_len, int use_context,
                                          uint8_t *out, size_t out_len)
{
    if (!c || c->hs.state != ST_CONNECTED)
        return WARD_ERR_STATE;
    /* RFC 7627 §5.4: no exporter over a master secret that does not bind
     * the handshake (a TLS 1.2 peer without EMS, ward_config_allow_no_ems). */
    if (c->hs.version == WARD_TLS12 && !c->hs.ems)
        return WARD_ERR_STATE;
    if (!label || label_len == 0 || label_len > EXPORTER_MAX_LABEL ||
        memchr(label, '\0', label_len) || !out || out_len == 0 ||
        (ctx_len > 0 && !ctx) || (!use_context && ctx_len > 0))
        return WARD_ERR_CONFIG;
    if (!use_context)
        ctx = NULL;
    char name[EXPORTER_MAX_LABEL + 1];
    memcpy(name, label, label_len);
    name[label_len] = '\0';

    wres r;
    if (c->hs.version == WARD_TLS13) {
        /* HKDF-Expand yields at most 255 hash lengths. */
        if (out_len > 255 * c->hs.hlen)
            return WARD_ERR_CONFIG;
        r = export13(c, name, ctx, ctx_len, out, out_len);
    } else {
        /* The PRF seed holds the label, both randoms and the context. */
        size_t seed = label_len + 64 + (use_context ? 2 + ctx_len : 0);
        if (seed > CRYPTO_TLS12_PRF_MAX_SEED || reserved_label12(name))
            return WARD_ERR_CONFIG;
        r = export12(c, name, ctx, ctx_len, use_context, out, out_len);
    }
    if (!wres_is_ok(r)) {
        ward_zeroize(out, out_len);
        return r.code;
    }
    return WARD_OK;
}
