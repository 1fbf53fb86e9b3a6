/* Server identities by SNI (RFC 6066 §3): the name-matching table (RFC
 * 6125 §6.4.3), selection among identities in a ward ⇄ ward handshake in
 * memory (both versions), the key-type fit in TLS 1.2, strict mode's
 * unrecognized_name, and the configuration errors. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "crypto/crypto.h"
#include "selftalk.h"
#include "testpki.h"
#include "testutil.h"
#include "ward/ward.h"

typedef struct {
    char cert[64], key[64];
} files;

static int make(files *f, const char *kind, const char *cn, const char *san)
{
    return testpki_self_signed_names(kind, cn, san, f->cert, f->key);
}

static void unlink_files(files *f)
{
    unlink(f->cert);
    unlink(f->key);
}

/* ---- the matching rule ---- */

static int matches(const char *cert_pem, const char *name)
{
    crypto_chain ch = {0};
    crypto_cert c = {0};
    int m = -1;
    if (wres_is_ok(crypto_chain_load_pem_file(&ch, cert_pem)) &&
        wres_is_ok(crypto_cert_parse(&c, ch.der[0], ch.len[0])))
        m = crypto_cert_matches_name(&c, name);
    crypto_cert_free(&c);
    crypto_chain_free(&ch);
    return m;
}

static void matching_table(void)
{
    files f, cnonly, ipwild;
    CHECK(make(&f, "p256", "ignored.test",
               "DNS:*.example.com,DNS:exact.test,DNS:a*.partial.test,IP:192.0.2.1"));
    CHECK(make(&cnonly, "p256", "cn.test", NULL));
    CHECK(make(&ipwild, "p256", "ipwild", "DNS:*.0.2.1"));
    static const struct {
        const char *name;
        int want;
    } table[] = {
        {"exact.test", 1},        {"EXACT.Test", 1},       /* case-insensitive */
        {"a.example.com", 1},     {"WWW.Example.COM", 1},  /* wildcard: one label */
        {"example.com", 0},       {"a.b.example.com", 0},  /* not zero, not two labels */
        {"exact.test.", 0},       {"xexact.test", 0},
        {"other.test", 0},        {"ab.partial.test", 0},  /* no partial wildcards */
        {"192.0.2.1", 1},         {"192.0.2.2", 0},        /* IP literal: iPAddress SAN */
        {"ignored.test", 0},      {"", 0},                 /* CN ignored when SANs exist */
    };
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
        int got = matches(f.cert, table[i].name);
        if (got != table[i].want)
            fprintf(stderr, "name '%s': got %d, want %d\n", table[i].name, got, table[i].want);
        CHECK(got == table[i].want);
    }
    CHECK(matches(cnonly.cert, "cn.test") == 1); /* no SAN at all: the CN, as clients do */
    CHECK(matches(cnonly.cert, "CN.TEST") == 1);
    CHECK(matches(ipwild.cert, "1.0.2.1") == 0);  /* never a wildcard on an IP literal */
    CHECK(matches(ipwild.cert, "x.0.2.1") == 1);  /* (while a DNS name may match it) */
    unlink_files(&f);
    unlink_files(&cnonly);
    unlink_files(&ipwild);
}

/* ---- selection in a handshake ---- */

static files def, a_test, b_wild, dual_rsa, dual_ec;

static ward_config *server_cfg(int strict)
{
    ward_config *s = ward_config_new_server();
    CHECK(ward_config_set_cert_files(s, def.cert, def.key) == WARD_OK);
    CHECK(ward_config_add_cert_files(s, a_test.cert, a_test.key) == WARD_OK);
    CHECK(ward_config_add_cert_files(s, b_wild.cert, b_wild.key) == WARD_OK);
    CHECK(ward_config_add_cert_files(s, dual_rsa.cert, dual_rsa.key) == WARD_OK);
    CHECK(ward_config_add_cert_files(s, dual_ec.cert, dual_ec.key) == WARD_OK);
    ward_config_set_sni_strict(s, strict);
    return s;
}

/* Connect with SNI name (NULL: none); the subject the client saw in
 * subject (empty on failure). Returns the client's error. */
static ward_err connect(ward_config *scfg, uint16_t version, const uint16_t *suite,
                        const char *name, char *subject, size_t cap, ward_err *server_err)
{
    ward_config *ccfg = ward_config_new_client();
    ward_config_set_insecure_no_verify(ccfg, 1);
    CHECK(ward_config_set_versions(ccfg, version, version) == WARD_OK);
    if (suite)
        CHECK(ward_config_set_suites(ccfg, suite, 1) == WARD_OK);
    /* An IP-literal server_name is not sent (RFC 6066 §3): use a name. */
    ward_conn *c = ward_conn_new(ccfg, name), *s = ward_conn_new(scfg, NULL);
    (void)selftalk_pump(c, s);
    ward_cert_info ci;
    subject[0] = '\0';
    if (ward_conn_state(c) == WARD_STATE_ESTABLISHED && ward_conn_peer_cert_info(c, &ci) == WARD_OK)
        snprintf(subject, cap, "%s", ci.subject);
    ward_err e = ward_conn_error(c);
    if (server_err)
        *server_err = ward_conn_error(s);
    if (e != WARD_OK && server_err && *server_err == WARD_OK)
        fprintf(stderr, "client: %s\n", ward_conn_error_message(c));
    ward_conn_free(c);
    ward_conn_free(s);
    ward_config_free(ccfg);
    return e;
}

static void selection(void)
{
    ward_config *s = server_cfg(0);
    static const struct {
        const char *name, *subject;
    } table[] = {
        {"a.test", "CN=a.test"},          {"A.TEST", "CN=a.test"},
        {"www.b.test", "CN=b.wild"},      {"x.y.b.test", "CN=default"},
        {"localhost", "CN=default"},      {"unknown.test", "CN=default"},
        {NULL, "CN=default"},
    };
    const uint16_t versions[] = {WARD_TLS13, WARD_TLS12};
    for (size_t v = 0; v < 2; v++)
        for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
            char subject[256];
            CHECK_CODE(connect(s, versions[v], NULL, table[i].name, subject, sizeof subject, NULL),
                       WARD_OK);
            if (strcmp(subject, table[i].subject) != 0)
                fprintf(stderr, "0x%04x '%s': got '%s', want '%s'\n", versions[v],
                        table[i].name ? table[i].name : "(none)", subject, table[i].subject);
            CHECK(strcmp(subject, table[i].subject) == 0);
        }
    ward_config_free(s);
}

/* Two identities for one name, RSA first: a TLS 1.2 client that can only
 * do ECDHE_ECDSA gets the ECDSA one, an ECDHE_RSA one the RSA one. */
static void key_type_fit(void)
{
    ward_config *s = server_cfg(0);
    char subject[256];
    uint16_t ecdsa = WARD_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256;
    uint16_t rsa = WARD_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256;
    CHECK_CODE(connect(s, WARD_TLS12, &ecdsa, "dual.test", subject, sizeof subject, NULL), WARD_OK);
    CHECK(strcmp(subject, "CN=dual.ec") == 0);
    CHECK_CODE(connect(s, WARD_TLS12, &rsa, "dual.test", subject, sizeof subject, NULL), WARD_OK);
    CHECK(strcmp(subject, "CN=dual.rsa") == 0);
    ward_config_free(s);
}

static void strict(void)
{
    ward_config *s = server_cfg(1);
    char subject[256];
    ward_err se;
    for (int v = 0; v < 2; v++) {
        uint16_t ver = v ? WARD_TLS12 : WARD_TLS13;
        CHECK_CODE(connect(s, ver, NULL, "a.test", subject, sizeof subject, &se), WARD_OK);
        CHECK(strcmp(subject, "CN=a.test") == 0);
        CHECK_CODE(connect(s, ver, NULL, "unknown.test", subject, sizeof subject, &se),
                   WARD_ERR_PEER_ALERT);
        CHECK_CODE(se, WARD_ERR_UNRECOGNIZED_NAME);
        CHECK_CODE(connect(s, ver, NULL, NULL, subject, sizeof subject, &se), WARD_ERR_PEER_ALERT);
        CHECK_CODE(se, WARD_ERR_UNRECOGNIZED_NAME);
    }
    CHECK(ward_err_alert(WARD_ERR_UNRECOGNIZED_NAME) == 112);
    ward_config_free(s);
}

static void config_errors(void)
{
    ward_config *c = ward_config_new_client();
    CHECK_CODE(ward_config_add_cert_files(c, a_test.cert, a_test.key), WARD_ERR_CONFIG);
    CHECK_CODE(ward_config_set_ocsp(c, 3), WARD_ERR_CONFIG);
    CHECK_CODE(ward_config_set_ocsp(c, WARD_OCSP_REQUIRE), WARD_OK);
    ward_config_free(c);

    ward_config *s = ward_config_new_server();
    CHECK_CODE(ward_config_add_cert_files(s, a_test.cert, b_wild.key), WARD_ERR_CONFIG);
    CHECK_CODE(ward_config_add_cert_files(s, "/nonexistent.pem", a_test.key), WARD_ERR_CONFIG);
    for (int i = 0; i < WARD_MAX_EXTRA_IDENTITIES; i++)
        CHECK_CODE(ward_config_add_cert_files(s, a_test.cert, a_test.key), WARD_OK);
    CHECK_CODE(ward_config_add_cert_files(s, a_test.cert, a_test.key), WARD_ERR_CONFIG);
    /* not an OCSP response, and an index beyond the identities */
    CHECK_CODE(ward_config_set_ocsp_file(s, a_test.cert), WARD_ERR_CONFIG);
    CHECK_CODE(ward_config_set_ocsp_file(s, "/nonexistent.der"), WARD_ERR_CONFIG);
    CHECK_CODE(ward_config_set_ocsp_file_for(s, WARD_MAX_EXTRA_IDENTITIES + 1, a_test.cert),
               WARD_ERR_CONFIG);
    ward_config_refresh_ocsp(s); /* nothing configured: a no-op */
    ward_config_free(s);
}

int main(void)
{
    matching_table();
    CHECK(make(&def, "p256", "default", "DNS:localhost"));
    CHECK(make(&a_test, "p256", "a.test", "DNS:a.test"));
    CHECK(make(&b_wild, "p384", "b.wild", "DNS:*.b.test"));
    CHECK(make(&dual_rsa, "rsa2048", "dual.rsa", "DNS:dual.test"));
    CHECK(make(&dual_ec, "p256", "dual.ec", "DNS:dual.test"));
    selection();
    key_type_fit();
    strict();
    config_errors();
    unlink_files(&def);
    unlink_files(&a_test);
    unlink_files(&b_wild);
    unlink_files(&dual_rsa);
    unlink_files(&dual_ec);
    return test_report();
}
