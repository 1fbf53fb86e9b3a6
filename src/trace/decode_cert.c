/* EncryptedExtensions, Certificate and CertificateRequest for the trace
 * (RFC 8446 §4.3, §4.4.2; RFC 5246 §7.4.2, §7.4.4). */
#include <stdio.h>
#include <string.h>

#include "crypto/crypto.h"
#include "msg/msg.h"
#include "trace/decode.h"

wres trace_encrypted_extensions(span body, ward_trace_msg *m)
{
    msg_encrypted_extensions ee;
    rd r = rd_span(body), exts;
    GUARD(msg_decode_encrypted_extensions(body, &ee));
    GUARD(rd_block16(&r, &exts));
    if (ee.has_alpn) {
        trace_copy_text(m->alpn[0], sizeof m->alpn[0], ee.alpn);
        m->n_alpn = 1;
    }
    trace_take_u16s(ee.supported_groups, m->groups, &m->n_groups);
    m->early_data = ee.has_early_data;
    return trace_take_extensions(rd_rest(&exts), m);
}

/* The public ward_cert_info_from_der lives here, below conn/, so that the
 * connection (ward_conn_peer_cert_info) and the trace fill it one way. */
ward_err ward_cert_info_from_der(const uint8_t *der, size_t len, ward_cert_info *info)
{
    crypto_cert_text t;
    crypto_cert_more m;
    if (!der || !info)
        return WARD_ERR_BAD_CERTIFICATE;
    wres r = crypto_cert_describe(der, len, &t);
    if (wres_is_ok(r))
        r = crypto_cert_details(der, len, &m);
    if (!wres_is_ok(r))
        return r.code;
    memset(info, 0, sizeof *info);
    snprintf(info->subject, sizeof info->subject, "%s", t.subject);
    snprintf(info->issuer, sizeof info->issuer, "%s", t.issuer);
    snprintf(info->not_before, sizeof info->not_before, "%s", t.not_before);
    snprintf(info->not_after, sizeof info->not_after, "%s", t.not_after);
    snprintf(info->key_type, sizeof info->key_type, "%s", m.key_type);
    snprintf(info->san, sizeof info->san, "%s", m.san);
    info->key_bits = m.key_bits;
    info->not_before_time = m.not_before;
    info->not_after_time = m.not_after;
    snprintf(info->serial, sizeof info->serial, "%s", m.serial);
    r = crypto_cert_spki_sha256(der, len, info->spki_sha256);
    return r.code;
}

/* For display only: a certificate the crypto layer cannot read keeps an
 * empty entry, the message itself decoded. */
static void describe(span der, ward_cert_info *info)
{
    if (ward_cert_info_from_der(der.p, der.len, info) != WARD_OK)
        memset(info, 0, sizeof *info);
}

wres trace_certificate(span body, uint16_t version, ward_trace_msg *m)
{
    msg_certificate c;
    wres r = wres_err(WARD_ERR_DECODE);
    if (version == WARD_TLS13 || version == 0)
        r = msg_decode_certificate(body, &c);
    if (!wres_is_ok(r) && version != WARD_TLS13)
        r = msg_decode_certificate12(body, &c);
    GUARD(r);
    m->context_len = c.request_context.len;
    m->ocsp = c.has_leaf_ocsp;
    m->n_certs = c.n;
    for (size_t i = 0; i < c.n && i < WARD_TRACE_MAX_CERTS; i++)
        describe(c.certs[i], &m->certs[i]);
    return wres_ok();
}

/* §4.3.2: certificate_request_context<0..2^8-1>, extensions<2..2^16-1>;
 * the signature_algorithms extension carries the schemes. */
static WARD_MUST_CHECK wres cr_extension(void *ctx, uint16_t type, rd *d, int is_last)
{
    (void)is_last;
    ward_trace_msg *m = ctx;
    if (m->n_extensions < WARD_TRACE_MAX_ITEMS)
        m->extensions[m->n_extensions] = type;
    m->n_extensions++;
    if (type == EXT_SIGNATURE_ALGORITHMS) {
        span list;
        GUARD(msg_read_u16_list(d, 2, &list));
        trace_take_u16s(list, m->sigalgs, &m->n_sigalgs);
        return wres_ok();
    }
    (void)rd_rest(d);
    return wres_ok();
}

static WARD_MUST_CHECK wres certificate_request13(span body, ward_trace_msg *m)
{
    rd r = rd_span(body), ctx, exts;
    GUARD(rd_block8(&r, &ctx));
    GUARD(rd_block16(&r, &exts));
    GUARD(rd_expect_end(&r));
    m->context_len = rd_left(&ctx);
    return msg_ext_walk(rd_rest(&exts), cr_extension, m);
}

/* RFC 5246 §7.4.4: certificate_types<1..2^8-1>,
 * supported_signature_algorithms<2..2^16-2>, certificate_authorities. */
static WARD_MUST_CHECK wres certificate_request12(span body, ward_trace_msg *m)
{
    rd r = rd_span(body), types, authorities;
    span schemes;
    GUARD(rd_block8(&r, &types));
    ENSURE(rd_left(&types) > 0, WARD_ERR_DECODE);
    GUARD(msg_read_u16_list(&r, 2, &schemes));
    GUARD(rd_block16(&r, &authorities));
    GUARD(rd_expect_end(&r));
    trace_take_u16s(schemes, m->sigalgs, &m->n_sigalgs);
    return wres_ok();
}

wres trace_certificate_request(span body, uint16_t version, ward_trace_msg *m)
{
    wres r = wres_err(WARD_ERR_DECODE);
    if (version == WARD_TLS13 || version == 0)
        r = certificate_request13(body, m);
    if (!wres_is_ok(r) && version != WARD_TLS13) {
        m->n_extensions = m->n_sigalgs = m->context_len = 0;
        r = certificate_request12(body, m);
    }
    return r;
}
