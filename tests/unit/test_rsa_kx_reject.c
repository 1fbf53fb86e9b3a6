/* RSA key transport with implicit rejection (RFC 5246 §7.4.7.1): a
 * ClientKeyExchange with bad PKCS#1 padding, one with a wrong version in the
 * pre-master secret, and one that is well formed but carries a different
 * pre-master secret must fail identically: nothing at ClientKeyExchange or
 * ChangeCipherSpec, then bad_record_mac on the client's Finished. */
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "selftalk.h"
#include "testpki.h"
#include "testutil.h"
#include "ward/ward.h"

static char cert_path[64], key_path[64];
static uint8_t pin[32];
static EVP_PKEY *server_pub;

enum { GOOD, BAD_PADDING, WRONG_VERSION, OTHER_PMS };

static EVP_PKEY *load_pub(void)
{
    FILE *f = fopen(cert_path, "r");
    X509 *x = f ? PEM_read_X509(f, NULL, NULL, NULL) : NULL;
    if (f)
        fclose(f);
    EVP_PKEY *k = x ? X509_get_pubkey(x) : NULL;
    X509_free(x);
    return k;
}

static size_t rsa_encrypt(const uint8_t *in, size_t inlen, int padding, uint8_t *out)
{
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(server_pub, NULL);
    size_t outlen = 512;
    int ok = ctx && EVP_PKEY_encrypt_init(ctx) == 1 &&
             EVP_PKEY_CTX_set_rsa_padding(ctx, padding) == 1 &&
             EVP_PKEY_encrypt(ctx, out, &outlen, in, inlen) == 1;
    EVP_PKEY_CTX_free(ctx);
    return ok ? outlen : 0;
}

/* The encrypted pre-master secret for each case (256 bytes for RSA-2048). */
static size_t craft(int kind, uint8_t *out)
{
    uint8_t pms[48], block[256];
    memset(pms, 0x5a, sizeof pms);
    pms[0] = 3;
    pms[1] = kind == WRONG_VERSION ? 1 : 3;
    if (kind != BAD_PADDING)
        return rsa_encrypt(pms, sizeof pms, RSA_PKCS1_PADDING, out);
    /* 00 02 <nonzero padding> 00 <pms>, with the leading 02 replaced. */
    memset(block, 0xab, sizeof block);
    block[0] = 0x00;
    block[1] = 0x01;
    block[sizeof block - 49] = 0x00;
    memcpy(block + sizeof block - 48, pms, 48);
    return rsa_encrypt(block, sizeof block, RSA_NO_PADDING, out);
}

/* Find the ClientKeyExchange record in the client's second flight and
 * replace its encrypted pre-master with the crafted one (same length). */
static int replace_cke(uint8_t *flight, size_t len, int kind)
{
    for (size_t at = 0; at + 5 <= len;) {
        size_t rec = ((size_t)flight[at + 3] << 8 | flight[at + 4]) + 5;
        if (flight[at] == 22 && flight[at + 5] == 16) { /* handshake, ClientKeyExchange */
            uint8_t enc[512];
            size_t n = craft(kind, enc);
            size_t have = (size_t)flight[at + 9] << 8 | flight[at + 10];
            if (n != have)
                return 0;
            memcpy(flight + at + 11, enc, n);
            return 1;
        }
        at += rec;
    }
    return 0;
}

static void run_case(int kind)
{
    ward_config *sc = ward_config_new_server(), *cc = ward_config_new_client();
    CHECK(ward_config_set_cert_files(sc, cert_path, key_path) == WARD_OK);
    ward_config_set_rsa_key_transport(sc, 1);
    ward_config_set_rsa_key_transport(cc, 1);
    const uint16_t suite = WARD_TLS_RSA_WITH_AES_128_GCM_SHA256;
    CHECK(ward_config_set_suites(cc, &suite, 1) == WARD_OK);
    CHECK(ward_config_set_versions(cc, WARD_TLS12, WARD_TLS12) == WARD_OK);
    ward_config_set_pin_sha256(cc, pin);
    ward_conn *c = ward_conn_new(cc, "localhost"), *s = ward_conn_new(sc, NULL);
    size_t moved, n;
    CHECK(selftalk_move(c, s, &moved) == WARD_OK); /* ClientHello */
    CHECK(selftalk_move(s, c, &moved) == WARD_OK); /* ServerHello .. ServerHelloDone */

    /* The client's flight: ClientKeyExchange, ChangeCipherSpec, Finished. */
    const uint8_t *out = ward_conn_output(c, &n);
    uint8_t *flight = malloc(n);
    memcpy(flight, out, n);
    ward_conn_output_done(c, n);
    if (kind != GOOD)
        CHECK(replace_cke(flight, n, kind));

    /* Feed everything but the Finished record: no reaction yet. */
    size_t fin_at = 0;
    for (size_t at = 0; at + 5 <= n; at += ((size_t)flight[at + 3] << 8 | flight[at + 4]) + 5)
        fin_at = at;
    CHECK(ward_conn_recv(s, flight, fin_at) == WARD_OK);
    ward_conn_output(s, &moved);
    CHECK(moved == 0);
    CHECK(ward_conn_state(s) == WARD_STATE_HANDSHAKING);

    ward_err e = ward_conn_recv(s, flight + fin_at, n - fin_at);
    if (kind == GOOD) {
        CHECK(e == WARD_OK);
        CHECK(ward_conn_state(s) == WARD_STATE_ESTABLISHED);
    } else {
        CHECK_CODE(e, WARD_ERR_BAD_RECORD_MAC);
        const uint8_t *alert = ward_conn_output(s, &moved);
        CHECK(moved == 7 && alert[0] == 21 && alert[5] == 2 && alert[6] == 20);
    }
    free(flight);
    ward_conn_free(c);
    ward_conn_free(s);
    ward_config_free(cc);
    ward_config_free(sc);
}

int main(void)
{
    CHECK(testpki_self_signed("rsa2048", cert_path, key_path, pin));
    server_pub = load_pub();
    CHECK(server_pub != NULL);
    run_case(GOOD);
    run_case(BAD_PADDING);
    run_case(WRONG_VERSION);
    run_case(OTHER_PMS);
    EVP_PKEY_free(server_pub);
    unlink(cert_path);
    unlink(key_path);
    return test_report();
}
