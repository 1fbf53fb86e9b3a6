/* Keying material exporters between a ward client and a ward server in
 * memory, TLS 1.3 (RFC 8446 §7.5) and TLS 1.2 (RFC 5705): both sides get
 * the same bytes; the label, the context and its presence each change
 * them; the values equal an independent computation with OpenSSL's KDFs
 * from the connection's secrets, full and resumed handshakes; bad arguments and early calls are
 * refused without harming the connection. */
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conn/internal.h"
#include "selftalk.h"
#include "testpki.h"
#include "testutil.h"
#include "ward/ward.h"

static char cert[64], key[64];
static uint8_t pin[32];

typedef struct {
    ward_config *cc, *sc;
    ward_conn *c, *s;
} pair;

static int connect_pair(pair *p, uint16_t version, uint16_t suite)
{
    memset(p, 0, sizeof *p);
    p->sc = ward_config_new_server();
    CHECK(ward_config_set_cert_files(p->sc, cert, key) == WARD_OK);
    p->cc = ward_config_new_client();
    CHECK(ward_config_set_pin_sha256(p->cc, pin) == WARD_OK);
    CHECK(ward_config_set_versions(p->cc, version, version) == WARD_OK);
    CHECK(ward_config_set_suites(p->cc, &suite, 1) == WARD_OK);
    p->c = ward_conn_new(p->cc, "localhost");
    p->s = ward_conn_new(p->sc, NULL);
    /* Not yet: the handshake has not started on the server. */
    uint8_t out[16];
    CHECK(ward_conn_export_keying_material(p->s, "x", 1, NULL, 0, 0, out, sizeof out) ==
          WARD_ERR_STATE);
    CHECK(ward_conn_export_keying_material(p->c, "x", 1, NULL, 0, 0, out, sizeof out) ==
          WARD_ERR_STATE);
    return selftalk_pump(p->c, p->s) == WARD_OK &&
           ward_conn_state(p->c) == WARD_STATE_ESTABLISHED && ward_conn_version(p->c) == version &&
           ward_conn_suite(p->c) == suite;
}

static void unpair(pair *p)
{
    ward_conn_free(p->c);
    ward_conn_free(p->s);
    ward_config_free(p->cc);
    ward_config_free(p->sc);
}

/* Export on both sides; 1 if both succeeded with the same bytes. */
static int both(pair *p, const char *label, const char *ctx, int use_ctx, uint8_t *out,
                size_t len)
{
    uint8_t other[512];
    size_t cl = ctx ? strlen(ctx) : 0;
    if (len > sizeof other)
        return 0;
    ward_err a = ward_conn_export_keying_material(p->c, label, strlen(label),
                                                  (const uint8_t *)ctx, cl, use_ctx, out, len);
    ward_err b = ward_conn_export_keying_material(p->s, label, strlen(label),
                                                  (const uint8_t *)ctx, cl, use_ctx, other, len);
    return a == WARD_OK && b == WARD_OK && memcmp(out, other, len) == 0;
}

static const EVP_MD *md_of(const ward_conn *c)
{
    return c->hs.hlen == 48 ? EVP_sha384() : EVP_sha256();
}

/* RFC 8446 §7.5 with OpenSSL's HKDF (expand only) and hand-built labels. */
static int kat13(const ward_conn *c, const char *label, const uint8_t *ctx, size_t ctx_len,
                 uint8_t *out, size_t len)
{
    const EVP_MD *md = md_of(c);
    size_t hl = c->hs.hlen;
    uint8_t empty[64], ctxh[64], secret[64];
    unsigned int dl;
    if (!EVP_Digest("", 0, empty, &dl, md, NULL) || !EVP_Digest(ctx, ctx_len, ctxh, &dl, md, NULL))
        return 0;
    EVP_KDF *kdf = EVP_KDF_fetch(NULL, "HKDF", NULL);
    int ok = 0;
    for (int step = 0; step < 2; step++) {
        /* HkdfLabel: uint16 length, opaque label<7..255>, opaque context<0..255> */
        uint8_t info[2 + 1 + 255 + 1 + 64];
        const char *l = step == 0 ? label : "exporter";
        size_t ll = strlen(l), olen = step == 0 ? hl : len, n = 0;
        info[n++] = (uint8_t)(olen >> 8);
        info[n++] = (uint8_t)olen;
        info[n++] = (uint8_t)(6 + ll);
        memcpy(info + n, "tls13 ", 6);
        memcpy(info + n + 6, l, ll);
        n += 6 + ll;
        info[n++] = (uint8_t)hl;
        memcpy(info + n, step == 0 ? empty : ctxh, hl);
        n += hl;
        int mode = EVP_KDF_HKDF_MODE_EXPAND_ONLY;
        OSSL_PARAM params[] = {
            OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, (char *)EVP_MD_get0_name(md),
                                             0),
            OSSL_PARAM_construct_int(OSSL_KDF_PARAM_MODE, &mode),
            OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY,
                                              step == 0 ? (void *)c->hs.exp_master : secret, hl),
            OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, info, n),
            OSSL_PARAM_construct_end()};
        EVP_KDF_CTX *k = EVP_KDF_CTX_new(kdf);
        ok = k && EVP_KDF_derive(k, step == 0 ? secret : out, olen, params) > 0;
        EVP_KDF_CTX_free(k);
        if (!ok)
            break;
    }
    EVP_KDF_free(kdf);
    return ok;
}

/* RFC 5705 with OpenSSL's TLS1-PRF. */
static int kat12(const ward_conn *c, const char *label, const uint8_t *ctx, size_t ctx_len,
                 int use_ctx, uint8_t *out, size_t len)
{
    uint8_t seed[512];
    size_t n = strlen(label);
    memcpy(seed, label, n);
    memcpy(seed + n, c->hs.random, 32); /* the client's own random */
    memcpy(seed + n + 32, c->hs.peer_random, 32);
    n += 64;
    if (use_ctx) {
        seed[n++] = (uint8_t)(ctx_len >> 8);
        seed[n++] = (uint8_t)ctx_len;
        memcpy(seed + n, ctx, ctx_len);
        n += ctx_len;
    }
    EVP_KDF *kdf = EVP_KDF_fetch(NULL, "TLS1-PRF", NULL);
    EVP_KDF_CTX *k = EVP_KDF_CTX_new(kdf);
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST,
                                         (char *)EVP_MD_get0_name(md_of(c)), 0),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SECRET, (void *)c->hs.master, 48),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SEED, seed, n),
        OSSL_PARAM_construct_end()};
    int ok = k && EVP_KDF_derive(k, out, len, params) > 0;
    EVP_KDF_CTX_free(k);
    EVP_KDF_free(kdf);
    return ok;
}

static void exporters(uint16_t version, uint16_t suite)
{
    pair p;
    CHECK(connect_pair(&p, version, suite));
    int v13 = version == WARD_TLS13;
    uint8_t a[64], b[64], c[64], d[64], e[64], want[64];

    CHECK(both(&p, "EXPERIMENTAL-ward-a", NULL, 0, a, 32));
    CHECK(both(&p, "EXPERIMENTAL-ward-b", NULL, 0, b, 32));
    CHECK(memcmp(a, b, 32) != 0); /* the label matters */
    CHECK(both(&p, "EXPERIMENTAL-ward-a", "context one", 1, c, 32));
    CHECK(both(&p, "EXPERIMENTAL-ward-a", "context two", 1, d, 32));
    CHECK(memcmp(c, d, 32) != 0); /* the context matters */
    CHECK(memcmp(a, c, 32) != 0); /* a context vs none */
    CHECK(both(&p, "EXPERIMENTAL-ward-a", "", 1, e, 32));
    /* TLS 1.3: no context is an empty context (§7.5); TLS 1.2: it is not
     * (RFC 5705 §4: the length is in the seed only with a context). */
    CHECK(v13 ? memcmp(a, e, 32) == 0 : memcmp(a, e, 32) != 0);
    /* A shorter output is a prefix in TLS 1.2 (the PRF is a stream) but
     * not in TLS 1.3 (the length is in the HkdfLabel). */
    uint8_t s16[16];
    CHECK(both(&p, "EXPERIMENTAL-ward-a", NULL, 0, s16, 16));
    CHECK(v13 ? memcmp(s16, a, 16) != 0 : memcmp(s16, a, 16) == 0);
    /* A long output and a long context. */
    uint8_t big[500];
    CHECK(both(&p, "EXPERIMENTAL-ward-a", NULL, 0, big, sizeof big));

    /* Against OpenSSL's KDFs, from the client's view of the secrets. */
    if (v13) {
        CHECK(kat13(p.c, "EXPERIMENTAL-ward-a", NULL, 0, want, 32) && !memcmp(want, a, 32));
        CHECK(kat13(p.c, "EXPERIMENTAL-ward-a", (const uint8_t *)"context one", 11, want, 32) &&
              !memcmp(want, c, 32));
    } else {
        CHECK(kat12(p.c, "EXPERIMENTAL-ward-a", NULL, 0, 0, want, 32) && !memcmp(want, a, 32));
        CHECK(kat12(p.c, "EXPERIMENTAL-ward-a", (const uint8_t *)"context one", 11, 1, want,
                    32) &&
              !memcmp(want, c, 32));
        CHECK(kat12(p.c, "EXPERIMENTAL-ward-a", (const uint8_t *)"", 0, 1, want, 32) &&
              !memcmp(want, e, 32));
    }

    /* Refused arguments; the connection goes on. */
    ward_conn *x = p.c;
    CHECK_CODE(ward_conn_export_keying_material(x, "", 0, NULL, 0, 0, a, 32), WARD_ERR_CONFIG);
    CHECK_CODE(ward_conn_export_keying_material(x, "a\0b", 3, NULL, 0, 0, a, 32),
               WARD_ERR_CONFIG);
    CHECK_CODE(ward_conn_export_keying_material(x, "abc", 3, NULL, 0, 0, a, 0), WARD_ERR_CONFIG);
    CHECK_CODE(ward_conn_export_keying_material(x, "abc", 3, NULL, 5, 1, a, 32),
               WARD_ERR_CONFIG);
    CHECK_CODE(ward_conn_export_keying_material(x, "abc", 3, (const uint8_t *)"abc", 3, 0, a, 32),
               WARD_ERR_CONFIG);
    char longlabel[300];
    memset(longlabel, 'l', sizeof longlabel);
    CHECK_CODE(ward_conn_export_keying_material(x, longlabel, 250, NULL, 0, 0, a, 32),
               WARD_ERR_CONFIG);
    CHECK_CODE(ward_conn_export_keying_material(x, longlabel, 249, NULL, 0, 0, a, 32),
               v13 ? WARD_OK : WARD_ERR_CONFIG);
    CHECK_CODE(ward_conn_export_keying_material(x, "master secret", 13, NULL, 0, 0, a, 32),
               v13 ? WARD_OK : WARD_ERR_CONFIG);
    CHECK_CODE(ward_conn_export_keying_material(x, "key expansion", 13, NULL, 0, 0, a, 32),
               v13 ? WARD_OK : WARD_ERR_CONFIG);
    if (v13) {
        static uint8_t huge[255 * 48 + 1];
        size_t max = 255 * p.c->hs.hlen;
        CHECK_CODE(ward_conn_export_keying_material(x, "abc", 3, NULL, 0, 0, huge, max), WARD_OK);
        CHECK_CODE(ward_conn_export_keying_material(x, "abc", 3, NULL, 0, 0, huge, max + 1),
                   WARD_ERR_CONFIG);
        /* A long context is hashed: any length works. */
        static uint8_t ctx[70000];
        CHECK_CODE(ward_conn_export_keying_material(x, "abc", 3, ctx, sizeof ctx, 1, a, 32),
                   WARD_OK);
    } else {
        /* label + context up to 190 bytes */
        uint8_t ctx[200] = {0};
        CHECK_CODE(ward_conn_export_keying_material(x, "abc", 3, ctx, 187, 1, a, 32), WARD_OK);
        CHECK_CODE(ward_conn_export_keying_material(x, "abc", 3, ctx, 188, 1, a, 32),
                   WARD_ERR_CONFIG);
    }
    CHECK(ward_conn_error(p.c) == WARD_OK);
    const char msg[] = "still fine";
    uint8_t buf[32];
    size_t n = 0;
    CHECK(ward_conn_write(p.c, (const uint8_t *)msg, sizeof msg) == WARD_OK);
    CHECK(selftalk_pump(p.c, p.s) == WARD_OK);
    CHECK(ward_conn_read(p.s, buf, sizeof buf, &n) == WARD_OK && n == sizeof msg);

    /* Two connections never share exported values. */
    pair q;
    CHECK(connect_pair(&q, version, suite));
    CHECK(both(&q, "EXPERIMENTAL-ward-a", NULL, 0, b, 32));
    CHECK(memcmp(a, b, 32) != 0);
    unpair(&q);

    /* After close_notify the secret is still there; after a failure not. */
    CHECK(ward_conn_close(p.c) == WARD_OK);
    CHECK(selftalk_pump(p.c, p.s) == WARD_OK);
    CHECK(both(&p, "EXPERIMENTAL-ward-a", NULL, 0, b, 32));
    unpair(&p);
}

/* A resumed connection exports too, the same on both sides, and not what
 * the connection it resumed exported (TLS 1.2 keeps the master secret but
 * has new randoms; TLS 1.3 a new key schedule). */
static void resumed(uint16_t version, uint16_t suite)
{
    pair p;
    CHECK(connect_pair(&p, version, suite));
    uint8_t b0;
    size_t n;
    (void)ward_conn_read(p.c, &b0, 0, &n); /* take the tickets */
    ward_session *sess = ward_conn_get_session(p.c);
    CHECK(sess != NULL);
    uint8_t first[32], again[32], want[32];
    CHECK(both(&p, "EXPERIMENTAL-ward-a", "ctx", 1, first, sizeof first));
    ward_conn_free(p.c);
    ward_conn_free(p.s);
    p.c = ward_conn_new_resuming(p.cc, "localhost", sess, NULL, 0);
    p.s = ward_conn_new(p.sc, NULL);
    CHECK(selftalk_pump(p.c, p.s) == WARD_OK);
    CHECK(ward_conn_resumed(p.c) && ward_conn_resumed(p.s));
    CHECK(both(&p, "EXPERIMENTAL-ward-a", "ctx", 1, again, sizeof again));
    CHECK(memcmp(first, again, sizeof first) != 0);
    if (version == WARD_TLS13)
        CHECK(kat13(p.c, "EXPERIMENTAL-ward-a", (const uint8_t *)"ctx", 3, want, 32) &&
              !memcmp(want, again, 32));
    else
        CHECK(kat12(p.c, "EXPERIMENTAL-ward-a", (const uint8_t *)"ctx", 3, 1, want, 32) &&
              !memcmp(want, again, 32));
    ward_session_free(sess);
    unpair(&p);
}

static void after_failure(void)
{
    pair p;
    CHECK(connect_pair(&p, WARD_TLS13, WARD_TLS_AES_128_GCM_SHA256));
    /* A record with a broken tag kills the server. */
    uint8_t junk[40] = {23, 3, 3, 0, 35};
    CHECK(ward_conn_recv(p.s, junk, sizeof junk) != WARD_OK);
    uint8_t out[16];
    CHECK_CODE(ward_conn_export_keying_material(p.s, "x", 1, NULL, 0, 0, out, sizeof out),
               WARD_ERR_STATE);
    unpair(&p);
}

int main(void)
{
    if (!testpki_self_signed("p256", cert, key, pin)) {
        fprintf(stderr, "cannot make a test certificate\n");
        return 1;
    }
    exporters(WARD_TLS13, WARD_TLS_AES_128_GCM_SHA256);
    exporters(WARD_TLS13, WARD_TLS_AES_256_GCM_SHA384);
    exporters(WARD_TLS13, WARD_TLS_CHACHA20_POLY1305_SHA256);
    exporters(WARD_TLS12, WARD_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256);
    exporters(WARD_TLS12, WARD_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384);
    resumed(WARD_TLS13, WARD_TLS_AES_128_GCM_SHA256);
    resumed(WARD_TLS12, WARD_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256);
    after_failure();
    unlink(cert);
    unlink(key);
    return test_report();
}
