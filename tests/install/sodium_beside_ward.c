/* libward.a linked beside libsodium (issue 18, symbol hygiene): both have
 * a function called crypto_sign. The installed archive exports ward_*
 * only, so this program's crypto_sign is libsodium's, and ward's own
 * signing (its CertificateVerify below) still reaches ward's. Before the
 * archive was pre-linked, one of the two would have called the other's. */
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include <ward/ward.h>

static int sodium_round_trip(void)
{
    unsigned char pk[crypto_sign_PUBLICKEYBYTES], sk[crypto_sign_SECRETKEYBYTES];
    static const unsigned char msg[] = "signed by libsodium";
    unsigned char sm[sizeof msg + crypto_sign_BYTES], back[sizeof msg];
    unsigned long long smlen, backlen;
    if (sodium_init() < 0 || crypto_sign_keypair(pk, sk) != 0)
        return 0;
    if (crypto_sign(sm, &smlen, msg, sizeof msg, sk) != 0 || smlen != sizeof sm)
        return 0;
    if (crypto_sign_open(back, &backlen, sm, smlen, pk) != 0)
        return 0;
    return backlen == sizeof msg && memcmp(back, msg, sizeof msg) == 0;
}

/* Move what one side has to send into the other. */
static int shuttle(ward_conn *from, ward_conn *to)
{
    size_t n;
    const unsigned char *p = ward_conn_output(from, &n);
    if (n == 0)
        return 0;
    if (ward_conn_recv(to, p, n) != WARD_OK)
        return -1;
    ward_conn_output_done(from, n);
    return 1;
}

/* A TLS 1.3 handshake in memory: the server signs its CertificateVerify
 * with ward's crypto_sign, the client checks it against the pin. */
static int ward_handshake(void)
{
    unsigned char pin[32];
    ward_config *scfg = ward_config_new_server(), *ccfg = ward_config_new_client();
    int ok = 0;
    if (!scfg || !ccfg || ward_config_use_ephemeral_cert(scfg, "localhost", pin) != WARD_OK ||
        ward_config_set_pin_sha256(ccfg, pin) != WARD_OK)
        goto out;
    ward_conn *client = ward_conn_new(ccfg, "localhost"), *server = ward_conn_new(scfg, NULL);
    for (int i = 0; client && server && i < 20; i++) {
        if (shuttle(client, server) < 0 || shuttle(server, client) < 0)
            break;
        if (ward_conn_state(client) == WARD_STATE_ESTABLISHED &&
            ward_conn_state(server) == WARD_STATE_ESTABLISHED) {
            ok = 1;
            break;
        }
    }
    ward_conn_free(client);
    ward_conn_free(server);
out:
    ward_config_free(scfg);
    ward_config_free(ccfg);
    return ok;
}

int main(void)
{
    if (!sodium_round_trip()) {
        fprintf(stderr, "libsodium's crypto_sign failed: it is not the one called\n");
        return 1;
    }
    if (!ward_handshake()) {
        fprintf(stderr, "ward's handshake failed beside libsodium\n");
        return 1;
    }
    printf("libsodium crypto_sign ok; ward handshake ok\n");
    return 0;
}
