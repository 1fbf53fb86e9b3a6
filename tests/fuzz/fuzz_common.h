/* Shared by the fuzz targets and the corpus recorder (fuzz_peer): the
 * deterministic ward configurations the fuzzers drive, and the chunk
 * framing of their inputs.
 *
 * Determinism: every random choice ward makes is fixed through the test
 * hooks (Hello random, key-exchange private keys, HRR cookie), the client
 * turns middlebox compatibility off (its legacy_session_id would be
 * random) and the server signs with a fixed Ed25519 key (Ed25519 signatures
 * are deterministic). So the same peer bytes always meet the same ward
 * bytes, and a flight recorded from a real peer against these
 * configurations replays through Finished and beyond.
 *
 * Input framing of fuzz_server and fuzz_client:
 *   byte 0     variant (selects the configuration, modulo FZ_*_VARIANTS)
 *   then       chunks: u16 big-endian length, that many bytes; a length
 *              longer than what is left takes what is left.
 * Each chunk is handed to ward_conn_recv in one call. */
#ifndef WARD_FUZZ_COMMON_H
#define WARD_FUZZ_COMMON_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conn/internal.h"
#include "hs/test_hooks.h"
#include "ward/ward.h"

#define FZ_UNUSED __attribute__((unused))

/* A fixed Ed25519 identity for "localhost" (valid until 2126). */
static const char FZ_SERVER_KEY_PEM[] =
    "-----BEGIN PRIVATE KEY-----\n"
    "MC4CAQAwBQYDK2VwBCIEIGl4gfM5nCgyP8WcAdvtRdHbf2ewooKxoXPgtmAa9JQ6\n"
    "-----END PRIVATE KEY-----\n";
static const char FZ_SERVER_CERT_PEM[] =
    "-----BEGIN CERTIFICATE-----\n"
    "MIIBWDCCAQqgAwIBAgIUa2QAFUVYHoRa2Wz6HcOiWrgQYocwBQYDK2VwMBQxEjAQ\n"
    "BgNVBAMMCWxvY2FsaG9zdDAgFw0yNjExMjcwODEyNTRaGA8yMTI2MTEwMzA4MTI1\n"
    "NFowFDESMBAGA1UEAwwJbG9jYWxob3N0MCowBQYDK2VwAyEAAE/TciGbWXE6LPnd\n"
    "9TM7Gat5w6z7kMxDI8MNWtL+BPWjbDBqMB0GA1UdDgQWBBSgsNHrog4hWwvVatF7\n"
    "Sp/4sZAL0zAfBgNVHSMEGDAWgBSgsNHrog4hWwvVatF7Sp/4sZAL0zAaBgNVHREE\n"
    "EzARgglsb2NhbGhvc3SHBH8AAAEwDAYDVR0TAQH/BAIwADAFBgMrZXADQQAJQNu4\n"
    "Z+oz17tO4rY2YMpMhoNXS6oP3OoBeNS137w/HFuOlU9n/yw36tB2SISD2HRa4ViZ\n"
    "qEcX5INyrrzy6gsK\n"
    "-----END CERTIFICATE-----\n";

/* Fixed private keys (valid scalars for every group). */
static const uint8_t fz_priv_server[48] = {
    0x5a, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x08, 0x19, 0x2a, 0x3b, 0x4c, 0x5d, 0x6e, 0x7f,
    0x10, 0x21, 0x32, 0x43, 0x54, 0x65, 0x76, 0x07, 0x18, 0x29, 0x3a, 0x4b, 0x5c, 0x6d, 0x7e, 0x0f,
    0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x10};
static const uint8_t fz_priv_client[48] = {
    0x3c, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11, 0x7f, 0x6e, 0x5d, 0x4c, 0x3b, 0x2a, 0x19, 0x08,
    0x0f, 0x7e, 0x6d, 0x5c, 0x4b, 0x3a, 0x29, 0x18, 0x07, 0x76, 0x65, 0x54, 0x43, 0x32, 0x21, 0x10,
    0x10, 0x0f, 0x0e, 0x0d, 0x0c, 0x0b, 0x0a, 0x09, 0x08, 0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01};
static const uint8_t fz_random_server[32] = "ward fuzz server random 32 byte";
static const uint8_t fz_random_client[32] = "ward fuzz client random 32 byte";
static const uint8_t fz_cookie[16] = "ward-fuzz-cookie";

static const ward_test_kex_private fz_kex_server[3] = {
    {WARD_GROUP_X25519, fz_priv_server, 32},
    {WARD_GROUP_SECP256R1, fz_priv_server, 32},
    {WARD_GROUP_SECP384R1, fz_priv_server, 48}};
static const ward_test_kex_private fz_kex_client[3] = {
    {WARD_GROUP_X25519, fz_priv_client, 32},
    {WARD_GROUP_SECP256R1, fz_priv_client, 32},
    {WARD_GROUP_SECP384R1, fz_priv_client, 48}};

static const ward_test_hooks fz_server_hooks = {
    .random = fz_random_server,
    .kex_private = fz_kex_server,
    .n_kex_private = 3,
    .hrr_cookie = fz_cookie,
    .hrr_cookie_len = sizeof fz_cookie,
    .now = 1800000000, /* 2027-01-15: fixed, so certificate checks never drift */
};
static const ward_test_hooks fz_client_hooks = {
    .random = fz_random_client,
    .kex_private = fz_kex_client,
    .n_kex_private = 3,
    .now = 1800000000,
};

/* Server variants: 0 default (1.2 + 1.3), 1 always HelloRetryRequest,
 * 2 ALPN h2/http1.1, 3 TLS 1.2 only with the RSA identity of
 * tests/fuzz/pki (ward refuses Ed25519 in TLS 1.2), PKCS#1 v1.5
 * signatures only (deterministic, unlike PSS) and RSA key transport on. */
#define FZ_SERVER_VARIANTS 4
/* Client variants: 0 default (1.2 + 1.3), 1 TLS 1.2 only, 2 TLS 1.3 only
 * with shares for all three groups and ALPN. */
#define FZ_CLIENT_VARIANTS 3

static const uint16_t fz_groups[3] = {WARD_GROUP_X25519, WARD_GROUP_SECP256R1,
                                      WARD_GROUP_SECP384R1};

static FZ_UNUSED int fz_write_file(char *path, const char *text)
{
    strcpy(path, "/tmp/ward-fuzz-XXXXXX");
    int fd = mkstemp(path);
    if (fd < 0)
        return 0;
    size_t n = strlen(text);
    int ok = write(fd, text, n) == (ssize_t)n;
    close(fd);
    return ok;
}

/* The server configuration of a variant (the identity is loaded each time
 * from the fixed PEM text; make them once and keep them). */
#ifndef WARD_FUZZ_PKI
#error "WARD_FUZZ_PKI: the directory tests/fuzz/pki"
#endif
static FZ_UNUSED ward_config *fz_server_config(unsigned variant)
{
    char cert[64], key[64];
    ward_config *cfg = ward_config_new_server();
    if (!cfg || !fz_write_file(cert, FZ_SERVER_CERT_PEM) || !fz_write_file(key, FZ_SERVER_KEY_PEM))
        abort();
    ward_config_set_test_hooks(cfg, &fz_server_hooks);
    /* Classical groups only: their private keys are fixed by the hooks (a
     * hybrid ML-KEM share would bring fresh randomness). */
    if (ward_config_set_groups(cfg, fz_groups, 3) != WARD_OK)
        abort();
    ward_err e = variant % FZ_SERVER_VARIANTS == 3
                     ? ward_config_set_cert_files(cfg, WARD_FUZZ_PKI "/leaf-rsa.pem",
                                                  WARD_FUZZ_PKI "/leaf-rsa.key")
                     : ward_config_set_cert_files(cfg, cert, key);
    unlink(cert);
    unlink(key);
    if (e != WARD_OK) {
        fprintf(stderr, "fuzz: server identity: %s\n", ward_err_str(e));
        abort();
    }
    static const char *const alpn[] = {"h2", "http/1.1"};
    switch (variant % FZ_SERVER_VARIANTS) {
    case 1: ward_config_set_force_hrr(cfg, 1); break;
    case 2:
        if (ward_config_set_alpn(cfg, alpn, 2) != WARD_OK)
            abort();
        break;
    case 3: {
        static const uint16_t no_pss[] = {0x0403, 0x0807};
        if (ward_config_set_versions(cfg, WARD_TLS12, WARD_TLS12) != WARD_OK)
            abort();
        ward_config_set_rsa_key_transport(cfg, 1);
        memcpy(cfg->sigalgs, no_pss, sizeof no_pss); /* internal: no API for it */
        cfg->n_sigalgs = 2;
        break;
    }
    default: break;
    }
    return cfg;
}

static FZ_UNUSED ward_config *fz_client_config(unsigned variant)
{
    ward_config *cfg = ward_config_new_client();
    if (!cfg)
        abort();
    ward_config_set_test_hooks(cfg, &fz_client_hooks);
    ward_config_set_insecure_no_verify(cfg, 1);
    ward_config_set_middlebox_compat(cfg, 0);
    if (ward_config_set_groups(cfg, fz_groups, 3) != WARD_OK ||
        ward_config_set_key_share_groups(cfg, fz_groups, 1) != WARD_OK)
        abort();
    static const char *const alpn[] = {"h2", "http/1.1"};
    static const uint16_t all_groups[] = {WARD_GROUP_X25519, WARD_GROUP_SECP256R1,
                                          WARD_GROUP_SECP384R1};
    switch (variant % FZ_CLIENT_VARIANTS) {
    case 1:
        if (ward_config_set_versions(cfg, WARD_TLS12, WARD_TLS12) != WARD_OK)
            abort();
        break;
    case 2:
        if (ward_config_set_versions(cfg, WARD_TLS13, WARD_TLS13) != WARD_OK ||
            ward_config_set_key_share_groups(cfg, all_groups, 3) != WARD_OK ||
            ward_config_set_alpn(cfg, alpn, 2) != WARD_OK)
            abort();
        break;
    default: break;
    }
    return cfg;
}

/* Iterate the chunks of a framed input. */
typedef struct {
    const uint8_t *p;
    size_t left;
} fz_chunks;

static FZ_UNUSED int fz_next_chunk(fz_chunks *it, const uint8_t **chunk, size_t *len)
{
    if (it->left == 0)
        return 0;
    if (it->left < 2) {
        *chunk = it->p;
        *len = it->left;
        it->left = 0;
        return 1;
    }
    size_t n = (size_t)it->p[0] << 8 | it->p[1];
    it->p += 2;
    it->left -= 2;
    if (n > it->left)
        n = it->left;
    *chunk = it->p;
    *len = n;
    it->p += n;
    it->left -= n;
    return 1;
}

/* Feed every chunk of the input to c; after each, take its output and
 * plaintext, and once the connection is up, talk back a little (a write, a
 * KeyUpdate, a close) so that those paths see fuzzed state too. Stops at the
 * first fatal error, checking that a dead connection stays dead. */
static FZ_UNUSED void fz_drive(ward_conn *c, const uint8_t *data, size_t size)
{
    fz_chunks it = {data, size};
    const uint8_t *chunk;
    size_t len, n;
    uint8_t buf[4096];
    int wrote = 0;
    (void)ward_conn_output(c, &n);
    ward_conn_output_done(c, n);
    while (fz_next_chunk(&it, &chunk, &len)) {
        ward_err e = ward_conn_recv(c, chunk, len);
        (void)ward_conn_output(c, &n);
        ward_conn_output_done(c, n);
        while (ward_conn_read(c, buf, sizeof buf, &n) == WARD_OK && n > 0)
            ;
        if (e != WARD_OK && e != WARD_CLOSED) {
            if (getenv("WARD_FUZZ_VERBOSE"))
                fprintf(stderr, "fuzz: failed: %s\n", ward_conn_error_message(c));
            if (ward_conn_state(c) != WARD_STATE_FAILED)
                abort(); /* a fatal error must leave the connection dead */
            if (ward_conn_write(c, (const uint8_t *)"x", 1) == WARD_OK)
                abort();
            return;
        }
        if (e == WARD_CLOSED)
            return;
        if (ward_conn_state(c) == WARD_STATE_ESTABLISHED && wrote < 2) {
            if (wrote == 0)
                (void)ward_conn_write(c, (const uint8_t *)"ping\n", 5);
            else
                (void)ward_conn_key_update(c, 1);
            wrote++;
            (void)ward_conn_output(c, &n);
            ward_conn_output_done(c, n);
        }
    }
    if (getenv("WARD_FUZZ_VERBOSE"))
        fprintf(stderr, "fuzz: state %d version %04x suite %04x: %s\n", ward_conn_state(c),
                ward_conn_version(c), ward_conn_suite(c), ward_conn_error_message(c));
    (void)ward_conn_close(c);
    (void)ward_conn_output(c, &n);
    ward_conn_output_done(c, n);
}

#endif
