/* The peer's chain after the handshake (ward_config_keep_peer_chain,
 * ward_conn_peer_chain_len, ward_conn_peer_cert_der) and what
 * ward_cert_info_from_der says of a certificate: key type and size, SAN,
 * validity as numbers. Both versions; with the flag off only the leaf
 * stays (the intermediates go when the handshake ends). */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "selftalk.h"
#include "testpki.h"
#include "testutil.h"
#include "ward/ward.h"

static void one(uint16_t v, int keep)
{
    char chain[64], key[64], root[64];
    testpki_chain_spec spec = {.inter_kind = "rsa2048"};
    CHECK(testpki_chain(&spec, chain, key, root));
    ward_config *cc = ward_config_new_client(), *sc = ward_config_new_server();
    CHECK(ward_config_set_versions(cc, v, v) == WARD_OK);
    CHECK(ward_config_set_versions(sc, v, v) == WARD_OK);
    CHECK(ward_config_set_cafile(cc, root) == WARD_OK);
    CHECK(ward_config_set_cert_files(sc, chain, key) == WARD_OK);
    if (keep)
        ward_config_keep_peer_chain(cc, 1);
    ward_conn *c = ward_conn_new(cc, "localhost"), *s = ward_conn_new(sc, NULL);
    (void)selftalk_pump(c, s);
    CHECK(ward_conn_state(c) == WARD_STATE_ESTABLISHED);
    CHECK(ward_conn_peer_chain_len(c) == (keep ? 2u : 1u));

    const uint8_t *der = NULL;
    size_t len = 0;
    ward_cert_info leaf, inter, via_conn;
    CHECK_CODE(ward_conn_peer_cert_der(c, 0, &der, &len), WARD_OK);
    CHECK_CODE(ward_cert_info_from_der(der, len, &leaf), WARD_OK);
    CHECK(strcmp(leaf.key_type, "EC P-256") == 0 && leaf.key_bits == 256);
    CHECK(strstr(leaf.san, "DNS:localhost") != NULL && strstr(leaf.san, "IP:127.0.0.1") != NULL);
    time_t now = time(NULL);
    CHECK(leaf.not_before_time <= (int64_t)now && leaf.not_after_time > (int64_t)now);
    CHECK_CODE(ward_conn_peer_cert_info(c, &via_conn), WARD_OK);
    CHECK(memcmp(&via_conn, &leaf, sizeof leaf) == 0);
    if (keep) {
        CHECK_CODE(ward_conn_peer_cert_der(c, 1, &der, &len), WARD_OK);
        CHECK_CODE(ward_cert_info_from_der(der, len, &inter), WARD_OK);
        CHECK(strcmp(inter.key_type, "RSA") == 0 && inter.key_bits == 2048);
        CHECK(strcmp(inter.subject, leaf.issuer) == 0);
        CHECK(inter.san[0] == '\0');
    }
    CHECK_CODE(ward_conn_peer_cert_der(c, keep ? 2 : 1, &der, &len), WARD_ERR_STATE);
    /* The server's own view is unchanged: no client certificate. */
    CHECK(ward_conn_peer_chain_len(s) == 0);

    ward_conn_free(c);
    ward_conn_free(s);
    ward_config_free(cc);
    ward_config_free(sc);
    unlink(chain);
    unlink(key);
    unlink(root);
}

static void not_a_certificate(void)
{
    static const uint8_t junk[] = {0x30, 0x03, 0x02, 0x01, 0x01};
    ward_cert_info ci;
    CHECK_CODE(ward_cert_info_from_der(junk, sizeof junk, &ci), WARD_ERR_BAD_CERTIFICATE);
    CHECK_CODE(ward_cert_info_from_der(NULL, 0, &ci), WARD_ERR_BAD_CERTIFICATE);
}

int main(void)
{
    one(WARD_TLS13, 0);
    one(WARD_TLS13, 1);
    one(WARD_TLS12, 0);
    one(WARD_TLS12, 1);
    not_a_certificate();
    return test_report();
}
