/* Post-quantum hybrids between a ward client and a ward server in memory:
 * the default negotiates X25519MLKEM768; SecP256r1MLKEM768 on request; a
 * server without the hybrids takes the client's x25519 share with no extra
 * round trip; a client offering only a hybrid share gets a retry. The
 * groups for CNSA 2.0 deployments, SecP384r1MLKEM1024, MLKEM1024 and
 * secp521r1, on request, first try and after a retry; secp521r1 in TLS
 * 1.2 too. */
#include <string.h>

#include "selftalk.h"
#include "testutil.h"
#include "ward/ward.h"

static uint8_t pin[32];

static ward_config *server(const uint16_t *groups, size_t n)
{
    ward_config *s = ward_config_new_server();
    CHECK(ward_config_use_ephemeral_cert(s, "localhost", pin) == WARD_OK);
    if (n)
        CHECK(ward_config_set_groups(s, groups, n) == WARD_OK);
    return s;
}

static ward_config *client(const uint16_t *groups, size_t n)
{
    ward_config *c = ward_config_new_client();
    ward_config_set_pin_sha256(c, pin);
    if (n)
        CHECK(ward_config_set_groups(c, groups, n) == WARD_OK);
    return c;
}

/* Handshake, one message each way; returns the negotiated group. */
static uint16_t run(ward_config *cc, ward_config *sc, int *hrr)
{
    ward_conn *c = ward_conn_new(cc, "localhost"), *s = ward_conn_new(sc, NULL);
    CHECK_CODE(selftalk_pump(c, s), WARD_OK);
    CHECK(ward_conn_group(c) == ward_conn_group(s));
    const char msg[] = "post-quantum hello";
    uint8_t buf[64];
    size_t n = 0;
    CHECK(ward_conn_write(c, (const uint8_t *)msg, sizeof msg) == WARD_OK);
    CHECK(selftalk_pump(c, s) == WARD_OK);
    CHECK(ward_conn_read(s, buf, sizeof buf, &n) == WARD_OK && n == sizeof msg);
    CHECK(ward_conn_write(s, buf, n) == WARD_OK);
    CHECK(selftalk_pump(c, s) == WARD_OK);
    CHECK(ward_conn_read(c, buf, sizeof buf, &n) == WARD_OK && n == sizeof msg &&
          memcmp(buf, msg, n) == 0);
    uint16_t g = ward_conn_group(c);
    *hrr = ward_conn_did_hrr(c);
    ward_conn_free(c);
    ward_conn_free(s);
    return g;
}

/* The CNSA 2.0 groups, each alone on both sides (first try, the client
 * shares it), and each as the server's only group against a client that
 * lists it but shares x25519 (one retry). */
static void test_cnsa_groups(void)
{
    const uint16_t groups[] = {WARD_GROUP_SECP384R1MLKEM1024, WARD_GROUP_MLKEM1024,
                               WARD_GROUP_SECP521R1};
    int hrr;
    for (size_t i = 0; i < sizeof groups / sizeof groups[0]; i++) {
        const uint16_t g = groups[i];
        ward_config *sc = server(&g, 1), *cc = client(&g, 1);
        CHECK(run(cc, sc, &hrr) == g);
        CHECK(!hrr);
        ward_config_free(cc);

        const uint16_t offered[] = {WARD_GROUP_X25519, g};
        const uint16_t share[] = {WARD_GROUP_X25519};
        cc = client(offered, 2);
        CHECK(ward_config_set_key_share_groups(cc, share, 1) == WARD_OK);
        CHECK(run(cc, sc, &hrr) == g);
        CHECK(hrr);
        ward_config_free(cc);
        ward_config_free(sc);
        printf("%s: first try and after HelloRetryRequest\n", ward_group_name(g));
    }

    /* The three largest shares in one ClientHello (1665 + 1568 + 1216
     * bytes of keys, about 4.6 KB in all): the server takes the first. */
    const uint16_t big[] = {WARD_GROUP_SECP384R1MLKEM1024, WARD_GROUP_MLKEM1024,
                            WARD_GROUP_X25519MLKEM768};
    ward_config *bs = server(big, 3), *bc = client(big, 3);
    CHECK(ward_config_set_key_share_groups(bc, big, 3) == WARD_OK);
    CHECK(run(bc, bs, &hrr) == WARD_GROUP_SECP384R1MLKEM1024);
    CHECK(!hrr);
    ward_config_free(bc);
    ward_config_free(bs);

    /* secp521r1 in TLS 1.2 (ECDHE); the ML-KEM groups are passed over. The
     * client lists P-256 too, last: in TLS 1.2 its groups also bound the
     * curve of the server's ECDSA certificate (RFC 8422 §4). */
    const uint16_t tls12[] = {WARD_GROUP_MLKEM1024, WARD_GROUP_SECP384R1MLKEM1024,
                              WARD_GROUP_SECP521R1, WARD_GROUP_SECP256R1};
    ward_config *sc = server(tls12, 3), *cc = client(tls12, 4);
    CHECK(ward_config_set_versions(cc, WARD_TLS12, WARD_TLS12) == WARD_OK);
    CHECK(run(cc, sc, &hrr) == WARD_GROUP_SECP521R1);
    ward_config_free(cc);
    ward_config_free(sc);
}

int main(void)
{
    int hrr;
    /* Defaults on both sides: the hybrid, first try. */
    ward_config *sc = server(NULL, 0), *cc = client(NULL, 0);
    CHECK(run(cc, sc, &hrr) == WARD_GROUP_X25519MLKEM768);
    CHECK(!hrr);
    ward_config_free(cc);
    ward_config_free(sc);

    /* SecP256r1MLKEM768 when both ask for it. */
    const uint16_t p256pq[] = {WARD_GROUP_SECP256R1MLKEM768};
    sc = server(p256pq, 1);
    cc = client(p256pq, 1);
    CHECK(run(cc, sc, &hrr) == WARD_GROUP_SECP256R1MLKEM768);
    CHECK(!hrr);
    ward_config_free(cc);

    /* A default client against a server with SecP256r1MLKEM768 only: the
     * client did not send that share but supports it → one retry. */
    cc = client(NULL, 0);
    const uint16_t both[] = {WARD_GROUP_X25519MLKEM768, WARD_GROUP_SECP256R1MLKEM768,
                             WARD_GROUP_X25519};
    CHECK(ward_config_set_groups(cc, both, 3) == WARD_OK);
    CHECK(run(cc, sc, &hrr) == WARD_GROUP_SECP256R1MLKEM768);
    CHECK(hrr);
    ward_config_free(cc);
    ward_config_free(sc);

    /* A server without the hybrids: the client's x25519 share, no retry. */
    const uint16_t classical[] = {WARD_GROUP_X25519, WARD_GROUP_SECP256R1};
    sc = server(classical, 2);
    cc = client(NULL, 0);
    CHECK(run(cc, sc, &hrr) == WARD_GROUP_X25519);
    CHECK(!hrr);
    ward_config_free(cc);

    /* A client that shares only the hybrid: the server asks for x25519. */
    cc = client(NULL, 0);
    const uint16_t only_pq[] = {WARD_GROUP_X25519MLKEM768};
    CHECK(ward_config_set_key_share_groups(cc, only_pq, 1) == WARD_OK);
    CHECK(run(cc, sc, &hrr) == WARD_GROUP_X25519);
    CHECK(hrr);
    ward_config_free(cc);
    ward_config_free(sc);

    /* TLS 1.2 never uses a hybrid, even when both list it first. */
    sc = server(NULL, 0);
    cc = client(NULL, 0);
    CHECK(ward_config_set_versions(cc, WARD_TLS12, WARD_TLS12) == WARD_OK);
    CHECK(run(cc, sc, &hrr) == WARD_GROUP_X25519);
    ward_config_free(cc);
    ward_config_free(sc);

    test_cnsa_groups();
    return test_report();
}
