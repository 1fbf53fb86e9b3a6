/* Test helper for tests/interop/test_embed_mem.sh: identities and trust
 * given to libward from memory (issue #18), on the public API only.
 *   embed_mem server pem|der|pkey CHAIN KEY
 *       loads CHAIN/KEY into memory (DER files for der), serves one
 *       connection on 127.0.0.1 (the port printed first), sends a line.
 *   embed_mem client PORT HOST ca-mem|cadir CA [CRL]
 *       verifies the server with CA (a file read into memory, or a
 *       directory), optionally a CRL; sends an HTTP GET (the peer is
 *       `openssl s_server -www`) and prints "OK <line>" or
 *       "FAIL <err> alert=<n>: <message>". Exit 0 on OK, 1 on FAIL. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/pem.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ward/ward.h"

static uint8_t *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    uint8_t *buf = malloc(1 << 20);
    *len = buf ? fread(buf, 1, 1 << 20, f) : 0;
    fclose(f);
    return buf;
}

static int die_config(const char *what, ward_err e, const ward_config *cfg)
{
    printf("CONFIG %s: %s: %s\n", what, ward_err_str(e), ward_config_error_message(cfg));
    return 2;
}

static ward_err set_identity(ward_config *cfg, const char *mode, const char *chain,
                             const char *key)
{
    size_t clen = 0, klen = 0;
    uint8_t *c = slurp(chain, &clen);
    ward_err e = WARD_ERR_CONFIG;
    if (c && strcmp(mode, "pkey") == 0) {
        FILE *f = fopen(key, "r");
        EVP_PKEY *pk = f ? PEM_read_PrivateKey(f, NULL, NULL, NULL) : NULL;
        if (f)
            fclose(f);
        e = ward_config_set_cert_pkey(cfg, c, clen, pk);
        EVP_PKEY_free(pk); /* the configuration holds its own reference */
    } else if (c) {
        uint8_t *k = slurp(key, &klen);
        e = ward_config_set_cert_mem(cfg, c, clen, k, klen);
        free(k);
    }
    free(c);
    return e;
}

static int serve(int argc, char **argv)
{
    if (argc != 5)
        return 2;
    ward_config *cfg = ward_config_new_server();
    ward_err e = set_identity(cfg, argv[2], argv[3], argv[4]);
    if (e != WARD_OK)
        return die_config("identity", e, cfg);
    int ls = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t al = sizeof a;
    if (ls < 0 || bind(ls, (struct sockaddr *)&a, sizeof a) < 0 || listen(ls, 4) < 0 ||
        getsockname(ls, (struct sockaddr *)&a, &al) < 0)
        return 2;
    printf("PORT %d\n", ntohs(a.sin_port));
    fflush(stdout);
    int fd = accept(ls, NULL, NULL);
    ward_conn *c = ward_conn_new(cfg, NULL);
    e = ward_fd_handshake(c, fd);
    if (e == WARD_OK) {
        static const char line[] = "hello from memory\n";
        e = ward_fd_write(c, fd, (const uint8_t *)line, sizeof line - 1);
        if (e == WARD_OK)
            e = ward_fd_close(c, fd);
    }
    if (e == WARD_OK)
        printf("SERVED OK\n");
    else
        printf("FAIL %s\n", ward_err_str(e));
    ward_conn_free(c);
    close(fd);
    close(ls);
    ward_config_free(cfg);
    return e == WARD_OK ? 0 : 1;
}

static int client(int argc, char **argv)
{
    if (argc != 6 && argc != 7)
        return 2;
    ward_config *cfg = ward_config_new_client();
    ward_err e;
    if (strcmp(argv[4], "cadir") == 0) {
        e = ward_config_set_cadir(cfg, argv[5]);
    } else {
        size_t len = 0;
        uint8_t *ca = slurp(argv[5], &len);
        e = ward_config_add_ca_mem(cfg, ca, ca ? len : 0);
        free(ca);
    }
    if (e != WARD_OK)
        return die_config("ca", e, cfg);
    if (argc == 7 && (e = ward_config_add_crl_file(cfg, argv[6])) != WARD_OK)
        return die_config("crl", e, cfg);
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(argv[2])),
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof a) < 0)
        return 2;
    ward_conn *c = ward_conn_new(cfg, argv[3]);
    e = ward_fd_handshake(c, fd);
    char buf[256];
    size_t n = 0;
    static const char get[] = "GET / HTTP/1.0\r\n\r\n"; /* s_server -www answers it */
    if (e == WARD_OK)
        e = ward_fd_write(c, fd, (const uint8_t *)get, sizeof get - 1);
    if (e == WARD_OK)
        e = ward_fd_read(c, fd, (uint8_t *)buf, sizeof buf - 1, &n);
    buf[n] = 0;
    if (e == WARD_OK)
        printf("OK %s", buf);
    else
        printf("FAIL %s alert=%d: %s\n", ward_err_str(e), ward_err_alert(e),
               ward_conn_error_message(c));
    if (e == WARD_OK)
        ward_fd_close(c, fd);
    ward_conn_free(c);
    close(fd);
    ward_config_free(cfg);
    return e == WARD_OK ? 0 : 1;
}

int main(int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "server") == 0)
        return serve(argc, argv);
    if (argc >= 2 && strcmp(argv[1], "client") == 0)
        return client(argc, argv);
    fprintf(stderr, "usage: see the comment at the top of embed_mem.c\n");
    return 2;
}
