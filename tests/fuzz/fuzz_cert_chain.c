/* libFuzzer target: certificate chains as received. Input: certificates,
 * each behind a u16 big-endian length (a length past the end takes the
 * rest), leaf first, at most 10. Each certificate goes through
 * crypto_key_from_cert, crypto_cert_describe, crypto_cert_spki_sha256 and
 * crypto_cert_check_time; the chain through crypto_chain_verify against the
 * fixed test CA in tests/fuzz/pki (so chains made from it verify). */
#include <stdlib.h>
#include <string.h>

#include "crypto/crypto.h"

#ifndef WARD_FUZZ_CA
#error "WARD_FUZZ_CA: path of the test CA (tests/fuzz/pki/ca.pem)"
#endif

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static crypto_trust trust;
static volatile uint8_t sink;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    if (!wres_is_ok(crypto_trust_load(&trust, WARD_FUZZ_CA)))
        abort();
    return 0;
}

static void one(const uint8_t *der, size_t len)
{
    crypto_key k = {0};
    if (wres_is_ok(crypto_key_from_cert(&k, der, len))) {
        sink ^= (uint8_t)crypto_key_bits(&k);
        static const uint16_t schemes[] = {0x0403, 0x0503, 0x0804, 0x0807, 0x0809};
        for (size_t i = 0; i < 5; i++)
            sink ^= (uint8_t)crypto_key_can_sign_tls13(&k, schemes[i]);
        static const uint8_t msg[8] = "message";
        uint8_t sig[64] = {0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01};
        (void)crypto_verify(&k, 0x0403, msg, sizeof msg, sig, 8);
        crypto_key_free(&k);
    }
    crypto_cert_text t;
    if (wres_is_ok(crypto_cert_describe(der, len, &t))) {
        if (!memchr(t.subject, 0, sizeof t.subject) || !memchr(t.issuer, 0, sizeof t.issuer) ||
            !memchr(t.not_before, 0, sizeof t.not_before) ||
            !memchr(t.not_after, 0, sizeof t.not_after))
            abort(); /* every text field must be terminated */
    }
    uint8_t pin[32];
    (void)crypto_cert_spki_sha256(der, len, pin);
    char msgbuf[256] = "";
    (void)crypto_cert_check_time(der, len, 1800000000, msgbuf, sizeof msgbuf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t *copies[CRYPTO_MAX_CHAIN];
    span certs[CRYPTO_MAX_CHAIN];
    size_t n = 0;
    while (size > 0 && n < CRYPTO_MAX_CHAIN) {
        size_t len = size;
        if (size >= 2) {
            len = (size_t)data[0] << 8 | data[1];
            data += 2;
            size -= 2;
            if (len > size)
                len = size;
        } else {
            len = size;
        }
        /* exact-size copies so that any overread is caught */
        copies[n] = malloc(len ? len : 1);
        if (!copies[n])
            break;
        memcpy(copies[n], data, len);
        certs[n] = span_of(copies[n], len);
        data += len;
        size -= len;
        n++;
    }
    for (size_t i = 0; i < n; i++)
        one(certs[i].p, certs[i].len);
    char msgbuf[256] = "";
    if (n > 0) {
        (void)crypto_chain_verify(&trust, certs, n, "localhost", 1800000000, msgbuf,
                                  sizeof msgbuf);
        (void)crypto_chain_verify(&trust, certs, n, "127.0.0.1", 1800000000, msgbuf,
                                  sizeof msgbuf);
        (void)crypto_chain_verify(&trust, certs, n, NULL, 0, msgbuf, sizeof msgbuf);
        if (!memchr(msgbuf, 0, sizeof msgbuf))
            abort();
    }
    for (size_t i = 0; i < n; i++)
        free(copies[i]);
    return 0;
}
