/* libFuzzer target: every handshake-message decoder of src/msg. The first
 * byte selects the decoder (FZ_DEC_*, modulo the count); the rest is the
 * message body (without its 4-byte header), copied to a buffer of exactly
 * its size so that a read past it is caught. Every span a decoder returns
 * is read in full, so a span pointing outside the input is caught too. */
#include <stdlib.h>
#include <string.h>

#include "msg/msg.h"
#include "fuzz_touch.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum {
    FZ_DEC_CLIENT_HELLO = 0,
    FZ_DEC_SERVER_HELLO,
    FZ_DEC_ENCRYPTED_EXTENSIONS,
    FZ_DEC_CERTIFICATE13,
    FZ_DEC_CERTIFICATE12,
    FZ_DEC_CERTIFICATE_VERIFY,
    FZ_DEC_FINISHED,          /* 12, 32 or 48 bytes by the length */
    FZ_DEC_KEY_UPDATE,
    FZ_DEC_NEW_SESSION_TICKET,
    FZ_DEC_SERVER_KEY_EXCHANGE,
    FZ_DEC_CKE_ECDHE,
    FZ_DEC_CKE_RSA,
    FZ_DEC_EMPTY,
    FZ_DEC_U16_LIST,
    FZ_DEC_ALPN_LIST,
    FZ_DEC_EXT_WALK,
    FZ_DEC_CERTIFICATE_STATUS, /* TLS 1.2 CertificateStatus (RFC 6066 §8) */
    FZ_DEC_COUNT
};

static wres count_ext(void *ctx, uint16_t type, rd *r, int is_last)
{
    (void)type;
    (void)is_last;
    (*(size_t *)ctx)++;
    span s = rd_rest(r);
    touch(s);
    return wres_ok();
}

static void client_hello(span b)
{
    msg_client_hello ch;
    if (!wres_is_ok(msg_decode_client_hello(b, &ch)))
        return;
    touch(ch.cipher_suites);
    touch(ch.compression_methods);
    touch(ch.supported_versions);
    touch(ch.supported_groups);
    touch(ch.key_shares);
    touch(ch.signature_algorithms);
    touch(ch.signature_algorithms_cert);
    touch(ch.server_name);
    touch(ch.alpn);
    touch(ch.cookie);
    touch(ch.psk_modes);
    touch(ch.ec_point_formats);
    touch(ch.renegotiation_info);
    touch(ch.session_ticket);
    touch(ch.extensions);
    if (ch.cipher_suites.len % 2 || ch.cipher_suites.len == 0 || ch.session_id_len > 32)
        abort(); /* msg.h promises these */
    (void)msg_u16_list_has(ch.cipher_suites, 0x1301);
    if (ch.has_supported_versions)
        (void)msg_u16_list_has(ch.supported_versions, 0x0304);
    if (ch.has_key_share) {
        span pub;
        if (msg_key_share_find(ch.key_shares, 0x001d, &pub))
            touch(pub);
        if (msg_key_share_find(ch.key_shares, 0x0017, &pub))
            touch(pub);
    }
    if (ch.has_alpn)
        (void)msg_alpn_list_has(ch.alpn, (const uint8_t *)"h2", 2);
    size_t n = 0;
    (void)msg_ext_walk(ch.extensions, count_ext, &n);
}

static void server_hello(span b)
{
    msg_server_hello sh;
    if (!wres_is_ok(msg_decode_server_hello(b, &sh)))
        return;
    touch(sh.key_share);
    touch(sh.cookie);
    touch(sh.renegotiation_info);
    touch(sh.ec_point_formats);
    touch(sh.alpn);
    if (sh.session_id_len > 32)
        abort();
}

static void certificate(span b, int tls12)
{
    msg_certificate m;
    wres r = tls12 ? msg_decode_certificate12(b, &m) : msg_decode_certificate(b, &m);
    if (!wres_is_ok(r))
        return;
    if (m.n > MSG_MAX_CERTS)
        abort();
    touch(m.request_context);
    for (size_t i = 0; i < m.n; i++) {
        if (m.certs[i].len == 0)
            abort(); /* each entry is non-empty */
        touch(m.certs[i]);
    }
    if (m.has_leaf_ocsp) /* TLS 1.3: the leaf entry's staple (RFC 8446 §4.4.2.1) */
        touch(m.leaf_ocsp);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    size_t len = size - 1;
    uint8_t *buf = malloc(len ? len : 1);
    if (!buf)
        return 0;
    memcpy(buf, data + 1, len);
    span b = span_of(buf, len);
    switch (data[0] % FZ_DEC_COUNT) {
    case FZ_DEC_CLIENT_HELLO: client_hello(b); break;
    case FZ_DEC_SERVER_HELLO: server_hello(b); break;
    case FZ_DEC_ENCRYPTED_EXTENSIONS: {
        msg_encrypted_extensions ee;
        if (wres_is_ok(msg_decode_encrypted_extensions(b, &ee))) {
            touch(ee.alpn);
            touch(ee.supported_groups);
        }
        break;
    }
    case FZ_DEC_CERTIFICATE13: certificate(b, 0); break;
    case FZ_DEC_CERTIFICATE12: certificate(b, 1); break;
    case FZ_DEC_CERTIFICATE_VERIFY: {
        msg_certificate_verify cv;
        if (wres_is_ok(msg_decode_certificate_verify(b, &cv))) {
            if (cv.signature.len == 0)
                abort();
            touch(cv.signature);
        }
        break;
    }
    case FZ_DEC_FINISHED: {
        static const size_t lens[] = {12, 32, 48};
        for (size_t i = 0; i < 3; i++) {
            span vd;
            if (wres_is_ok(msg_decode_finished(b, lens[i], &vd))) {
                if (vd.len != lens[i])
                    abort();
                touch(vd);
            }
        }
        break;
    }
    case FZ_DEC_KEY_UPDATE: {
        int req = -1;
        if (wres_is_ok(msg_decode_key_update(b, &req)) && req != 0 && req != 1)
            abort();
        break;
    }
    case FZ_DEC_NEW_SESSION_TICKET: {
        msg_new_session_ticket t;
        if (wres_is_ok(msg_decode_new_session_ticket(b, &t))) {
            touch(t.nonce);
            touch(t.ticket);
        }
        break;
    }
    case FZ_DEC_SERVER_KEY_EXCHANGE: {
        msg_server_key_exchange ske;
        if (wres_is_ok(msg_decode_server_key_exchange(b, &ske))) {
            touch(ske.public_key);
            touch(ske.params);
            touch(ske.signature);
        }
        break;
    }
    case FZ_DEC_CKE_ECDHE: {
        span p;
        if (wres_is_ok(msg_decode_client_key_exchange_ecdhe(b, &p)))
            touch(p);
        break;
    }
    case FZ_DEC_CKE_RSA: {
        span p;
        if (wres_is_ok(msg_decode_client_key_exchange_rsa(b, &p)))
            touch(p);
        break;
    }
    case FZ_DEC_EMPTY: (void)msg_decode_empty(b); break;
    case FZ_DEC_U16_LIST: {
        for (uint8_t w = 1; w <= 2; w++) {
            rd r = rd_span(b);
            span list;
            if (wres_is_ok(msg_read_u16_list(&r, w, &list)))
                touch(list);
        }
        break;
    }
    case FZ_DEC_ALPN_LIST: {
        rd r = rd_span(b);
        span list;
        size_t count;
        if (wres_is_ok(msg_read_alpn_list(&r, &list, &count))) {
            touch(list);
            (void)msg_alpn_list_has(list, (const uint8_t *)"http/1.1", 8);
        }
        break;
    }
    case FZ_DEC_EXT_WALK: {
        size_t n = 0; /* any number of entries, each at least its 4-byte header */
        if (wres_is_ok(msg_ext_walk(b, count_ext, &n)) && n > b.len / 4)
            abort();
        break;
    }
    case FZ_DEC_CERTIFICATE_STATUS: {
        span ocsp;
        if (wres_is_ok(msg_decode_certificate_status(b, &ocsp)))
            touch(ocsp);
        break;
    }
    }
    free(buf);
    return 0;
}
