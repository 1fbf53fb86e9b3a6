/* trace_json_fields.c: a decoded handshake message's "fields" object,
 * per type (docs/trace-schema.md). Lists keep the wire order; members are
 * present only when they apply. Never prints key shares, signatures or
 * Finished bytes: only their lengths. */
#include <string.h>
#include "trace_jsonw.h"

static void num(FILE *f, int *first, const char *k, unsigned long long v)
{
    jw_key(f, first, k);
    fprintf(f, "%llu", v);
}

static void boolean(FILE *f, int *first, const char *k, int v)
{
    jw_key(f, first, k);
    fputs(v ? "true" : "false", f);
}

static void code(FILE *f, int *first, const char *k, ward_name_kind kind, uint16_t v)
{
    jw_key(f, first, k);
    jw_code(f, kind, v);
}

static void codes(FILE *f, int *first, const char *k, ward_name_kind kind, const uint16_t *v,
                  size_t n)
{
    jw_key(f, first, k);
    jw_code_list(f, kind, v, n);
}

static void alpn(FILE *f, int *first, const ward_trace_msg *m)
{
    if (!m->n_alpn)
        return;
    jw_key(f, first, "alpn");
    fputc('[', f);
    for (size_t i = 0; i < m->n_alpn && i < WARD_TRACE_MAX_ALPN; i++) {
        if (i)
            fputc(',', f);
        jw_str(f, m->alpn[i], strnlen(m->alpn[i], sizeof m->alpn[i]));
    }
    fputc(']', f);
}

static void share(FILE *f, const ward_trace_share *s)
{
    fputs("{\"group\":", f);
    jw_code(f, WARD_NAME_GROUP, s->group);
    fprintf(f, ",\"length\":%zu}", s->len);
}

static void hello_common(FILE *f, int *first, const ward_trace_msg *m)
{
    code(f, first, "legacy_version", WARD_NAME_VERSION, m->legacy_version);
    jw_key(f, first, "random");
    jw_hex(f, m->random, 32);
    jw_key(f, first, "session_id");
    jw_hex(f, m->session_id, m->session_id_len <= 32 ? m->session_id_len : 32);
}

static void client_hello(FILE *f, int *first, const ward_trace_msg *m)
{
    hello_common(f, first, m);
    codes(f, first, "cipher_suites", WARD_NAME_SUITE, m->suites, m->n_suites);
    if (m->n_versions)
        codes(f, first, "supported_versions", WARD_NAME_VERSION, m->versions, m->n_versions);
    if (m->n_groups)
        codes(f, first, "supported_groups", WARD_NAME_GROUP, m->groups, m->n_groups);
    if (m->n_shares) {
        jw_key(f, first, "key_shares");
        fputc('[', f);
        for (size_t i = 0; i < m->n_shares && i < WARD_TRACE_MAX_SHARES; i++) {
            if (i)
                fputc(',', f);
            share(f, &m->shares[i]);
        }
        fputc(']', f);
    }
    if (m->n_sigalgs)
        codes(f, first, "signature_algorithms", WARD_NAME_SIGSCHEME, m->sigalgs, m->n_sigalgs);
    if (m->server_name[0]) {
        jw_key(f, first, "server_name");
        jw_str(f, m->server_name, strnlen(m->server_name, sizeof m->server_name));
    }
    alpn(f, first, m);
    if (m->psk_identities)
        num(f, first, "psk_identities", m->psk_identities);
    if (m->n_psk_modes) {
        uint16_t v[4];
        size_t n = m->n_psk_modes < 4 ? m->n_psk_modes : 4;
        for (size_t i = 0; i < n; i++)
            v[i] = m->psk_modes[i];
        codes(f, first, "psk_modes", WARD_NAME_PSK_MODE, v, n);
    }
    if (m->early_data)
        boolean(f, first, "early_data", 1);
    if (m->cookie_len)
        num(f, first, "cookie_length", m->cookie_len);
}

static void server_hello(FILE *f, int *first, const ward_trace_msg *m)
{
    hello_common(f, first, m);
    code(f, first, "cipher_suite", WARD_NAME_SUITE, m->suite);
    code(f, first, "selected_version", WARD_NAME_VERSION, m->version);
    if (m->hrr) {
        code(f, first, "selected_group", WARD_NAME_GROUP, m->group);
        if (m->cookie_len)
            num(f, first, "cookie_length", m->cookie_len);
    } else if (m->n_shares) {
        jw_key(f, first, "key_share");
        share(f, &m->shares[0]);
    }
    if (m->psk_selected >= 0)
        num(f, first, "psk_selected", (unsigned long long)m->psk_selected);
    if (m->downgrade) {
        jw_key(f, first, "downgrade");
        jw_cstr(f, m->downgrade == 12 ? "TLS 1.2" : "TLS 1.1 or below");
    }
    alpn(f, first, m);
}

static int has_ext(const ward_trace_msg *m, uint16_t t)
{
    for (size_t i = 0; i < m->n_extensions && i < WARD_TRACE_MAX_ITEMS; i++)
        if (m->extensions[i] == t)
            return 1;
    return 0;
}

/* "DNS:a, IP:::1" -> ["DNS:a", "IP:::1"] */
static void san_list(FILE *f, const char *san)
{
    fputc('[', f);
    const char *p = san;
    int n = 0;
    while (*p) {
        const char *e = strstr(p, ", ");
        size_t l = e ? (size_t)(e - p) : strlen(p);
        if (l) {
            if (n++)
                fputc(',', f);
            jw_str(f, p, l);
        }
        p += l;
        if (e)
            p += 2;
    }
    fputc(']', f);
}

static void cert(FILE *f, const ward_cert_info *c)
{
    int first = 1;
    fputc('{', f);
    jw_key(f, &first, "subject");
    jw_cstr(f, c->subject);
    jw_key(f, &first, "issuer");
    jw_cstr(f, c->issuer);
    jw_key(f, &first, "not_before");
    jw_cstr(f, c->not_before);
    jw_key(f, &first, "not_after");
    jw_cstr(f, c->not_after);
    jw_key(f, &first, "key_type");
    jw_cstr(f, c->key_type);
    num(f, &first, "key_bits", c->key_bits);
    jw_key(f, &first, "san");
    san_list(f, c->san);
    fputc('}', f);
}

static void certificate(FILE *f, int *first, const ward_trace_msg *m)
{
    jw_key(f, first, "certificates");
    fputc('[', f);
    for (size_t i = 0; i < m->n_certs && i < WARD_TRACE_MAX_CERTS; i++) {
        if (i)
            fputc(',', f);
        cert(f, &m->certs[i]);
    }
    fputc(']', f);
    boolean(f, first, "ocsp", m->ocsp);
    num(f, first, "context_length", m->context_len);
}

static void others(FILE *f, int *first, const ward_trace_msg *m)
{
    switch (m->type) {
    case 4: /* NewSessionTicket */
        num(f, first, "lifetime", m->lifetime);
        num(f, first, "ticket_length", m->ticket_len);
        if (m->early_data)
            num(f, first, "max_early_data", m->max_early_data);
        break;
    case 8: /* EncryptedExtensions */
        alpn(f, first, m);
        boolean(f, first, "early_data", m->early_data);
        boolean(f, first, "server_name_ack", has_ext(m, 0));
        break;
    case 13: /* CertificateRequest */
        codes(f, first, "signature_algorithms", WARD_NAME_SIGSCHEME, m->sigalgs, m->n_sigalgs);
        num(f, first, "context_length", m->context_len);
        break;
    case 15: /* CertificateVerify */
        code(f, first, "scheme", WARD_NAME_SIGSCHEME, m->scheme);
        num(f, first, "signature_length", m->signature_len);
        break;
    case 12: /* ServerKeyExchange */
        code(f, first, "group", WARD_NAME_GROUP, m->group);
        num(f, first, "key_length", m->key_len);
        code(f, first, "scheme", WARD_NAME_SIGSCHEME, m->scheme);
        num(f, first, "signature_length", m->signature_len);
        break;
    case 16: /* ClientKeyExchange */
        jw_key(f, first, "kind");
        jw_cstr(f, m->rsa_kx ? "rsa" : "ecdhe");
        num(f, first, "key_length", m->key_len);
        break;
    case 20:
        num(f, first, "verify_data_length", m->verify_data_len);
        break;
    case 24:
        boolean(f, first, "request_update", m->request_update);
        break;
    case 22:
        num(f, first, "ocsp_length", m->ocsp_len);
        break;
    }
}

void jw_fields(FILE *f, const ward_trace_msg *m, int sent_by_server)
{
    (void)sent_by_server;
    int first = 1;
    fputc('{', f);
    if (m->type == 1)
        client_hello(f, &first, m);
    else if (m->type == 2)
        server_hello(f, &first, m);
    else if (m->type == 11)
        certificate(f, &first, m);
    else
        others(f, &first, m);
    if (m->type == 1 || m->type == 2 || m->type == 8)
        codes(f, &first, "extensions", WARD_NAME_EXTENSION, m->extensions, m->n_extensions);
    fputc('}', f);
}
