/* A test peer on the public API (tests/interop/test_embed_verify.sh): a
 * client with a verify callback that refuses a server certificate whose
 * subject holds a chosen text, with access_denied (49), and keeps ward's
 * verdict for any other; optionally a verify name apart from the SNI name.
 *   verify_client PORT SNI CAFILE [--refuse TEXT] [--verify-name NAME]
 * Prints what the callback saw and the outcome; exits 0 if the handshake
 * completed, 1 if it failed, 2 on a usage or setup error. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ward/ward.h"

static int refuse_subject(void *arg, const ward_conn *c, ward_err verdict,
                          const uint8_t *const *chain, const size_t *lens, size_t n)
{
    const char *refuse = arg;
    ward_cert_info info;
    (void)c;
    if (n == 0 || ward_cert_info_from_der(chain[0], lens[0], &info) != WARD_OK)
        return WARD_ALERT_BAD_CERTIFICATE;
    printf("callback: subject \"%s\", %zu certificate(s), verdict %s\n", info.subject, n,
           ward_err_str(verdict));
    if (refuse && strstr(info.subject, refuse)) {
        printf("callback: refusing with access_denied\n");
        return WARD_ALERT_ACCESS_DENIED;
    }
    return WARD_VERIFY_DEFAULT;
}

static int connect_local(const char *port)
{
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(port))};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
        perror("connect");
        if (fd >= 0)
            close(fd);
        return -1;
    }
    return fd;
}

int main(int argc, char **argv)
{
    const char *refuse = NULL, *vname = NULL;
    if (argc < 4)
        goto usage;
    for (int i = 4; i < argc; i++) {
        if (strcmp(argv[i], "--refuse") == 0 && i + 1 < argc)
            refuse = argv[++i];
        else if (strcmp(argv[i], "--verify-name") == 0 && i + 1 < argc)
            vname = argv[++i];
        else
            goto usage;
    }
    ward_config *cfg = ward_config_new_client();
    if (!cfg || ward_config_set_cafile(cfg, argv[3]) != WARD_OK) {
        fprintf(stderr, "verify_client: cannot load %s\n", argv[3]);
        return 2;
    }
    ward_config_set_verify_callback(cfg, refuse_subject, (void *)refuse);
    ward_conn *c = ward_conn_new(cfg, argv[2]);
    int fd = connect_local(argv[1]);
    if (!c || fd < 0)
        return 2;
    if (vname && ward_conn_set_verify_name(c, vname) != WARD_OK) {
        fprintf(stderr, "verify_client: ward_conn_set_verify_name failed\n");
        return 2;
    }
    ward_err e = ward_fd_handshake(c, fd);
    if (e == WARD_OK) {
        printf("handshake: ok\n");
        (void)ward_fd_close(c, fd);
    } else {
        printf("handshake: failed: %s: %s\n", ward_err_str(e), ward_conn_error_message(c));
    }
    close(fd);
    ward_conn_free(c);
    ward_config_free(cfg);
    return e == WARD_OK ? 0 : 1;
usage:
    fprintf(stderr, "usage: verify_client PORT SNI CAFILE [--refuse TEXT] [--verify-name NAME]\n");
    return 2;
}
