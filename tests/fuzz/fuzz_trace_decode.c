/* libFuzzer target: ward_trace_decode (src/trace) and the names of what it
 * finds. Input: byte 0 the handshake type; byte 1 the event's context:
 * bits 0-1 the version (none, 1.2, 1.3, 1.1), bits 2-3 the suite (none,
 * TLS_AES_128_GCM_SHA256, an ECDHE suite, an RSA key-transport suite),
 * bit 4 "raw": the rest carries its own 4-byte header (else one is
 * written for it). The message is copied to a buffer of exactly its size,
 * so a read past it is caught; every field is then read, strings to their
 * end, and every code named. Seeds (tests/fuzz/corpus/fuzz_trace_decode):
 * fuzz_msg_decoders' messages with their type and context, a browser's
 * ClientHello, CertificateRequests of 1.3 and 1.2. */
#include <stdlib.h>
#include <string.h>

#include "ward/trace.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static volatile size_t sink;

static void name_all(ward_name_kind kind, const uint16_t *v, size_t n)
{
    for (size_t i = 0; i < n && i < WARD_TRACE_MAX_ITEMS; i++) {
        const char *s = ward_trace_name(kind, v[i]);
        sink += s ? strlen(s) : 0;
    }
}

static void read_certs(const ward_trace_msg *m)
{
    for (size_t i = 0; i < m->n_certs && i < WARD_TRACE_MAX_CERTS; i++) {
        const ward_cert_info *c = &m->certs[i];
        sink += strlen(c->subject) + strlen(c->issuer) + strlen(c->not_before) +
                strlen(c->not_after) + strlen(c->key_type) + strlen(c->san) + c->key_bits;
    }
}

static void read_all(const ward_trace_msg *m)
{
    name_all(WARD_NAME_SUITE, m->suites, m->n_suites);
    name_all(WARD_NAME_VERSION, m->versions, m->n_versions);
    name_all(WARD_NAME_GROUP, m->groups, m->n_groups);
    name_all(WARD_NAME_SIGSCHEME, m->sigalgs, m->n_sigalgs);
    name_all(WARD_NAME_EXTENSION, m->extensions, m->n_extensions);
    for (size_t i = 0; i < m->n_shares && i < WARD_TRACE_MAX_SHARES; i++)
        sink += m->shares[i].len + (ward_trace_name(WARD_NAME_GROUP, m->shares[i].group) != NULL);
    for (size_t i = 0; i < m->n_alpn && i < WARD_TRACE_MAX_ALPN; i++)
        sink += strlen(m->alpn[i]);
    for (size_t i = 0; i < m->n_psk_modes && i < sizeof m->psk_modes; i++)
        sink += ward_trace_name(WARD_NAME_PSK_MODE, m->psk_modes[i]) != NULL;
    sink += strlen(m->server_name) + m->session_id_len + m->cookie_len + m->key_len +
            m->signature_len + m->ticket_len + m->ocsp_len + m->verify_data_len;
    read_certs(m);
    const char *h = ward_trace_name(WARD_NAME_HANDSHAKE, m->type);
    sink += h ? strlen(h) : 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const uint16_t versions[4] = {0, 0x0303, 0x0304, 0x0302};
    static const uint16_t suites[4] = {0, 0x1301, 0xc02f, 0x009c};
    if (size < 2)
        return 0;
    int raw = data[1] & 0x10;
    size_t body = size - 2, len = raw ? body : body + 4;
    uint8_t *msg = malloc(len ? len : 1);
    if (!msg)
        return 0;
    if (raw) {
        memcpy(msg, data + 2, body);
    } else {
        msg[0] = data[0];
        msg[1] = (uint8_t)(body >> 16), msg[2] = (uint8_t)(body >> 8), msg[3] = (uint8_t)body;
        memcpy(msg + 4, data + 2, body);
    }
    ward_trace_event ev;
    memset(&ev, 0, sizeof ev);
    ev.kind = WARD_TRACE_MESSAGE;
    ev.msg_type = data[0];
    ev.data = msg;
    ev.len = len;
    ev.version = versions[data[1] & 3];
    ev.suite = suites[(data[1] >> 2) & 3];
    ward_trace_msg m;
    ward_err e = ward_trace_decode(&ev, &m);
    if (m.type != data[0] || (e != WARD_OK && e != WARD_ERR_DECODE))
        abort();
    read_all(&m);
    free(msg);
    return 0;
}
