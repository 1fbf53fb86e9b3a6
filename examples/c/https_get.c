/* https_get: a blocking HTTPS GET on the installed libward.
 *
 *   https_get HOST PORT CAFILE PATH
 *
 * Connects to HOST:PORT, verifies the server's certificate against CAFILE
 * and HOST, sends "GET PATH HTTP/1.0" and prints the response body on
 * stdout. Exit status 0 for a 2xx answer ended by close_notify.
 *
 * Build against an installed ward: `make` (pkg-config) or CMake
 * (find_package(ward)), both in this directory. */
#include <ward/ward.h>

#include <netdb.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* A TCP connection to the first address of host:port that answers. */
static int tcp_connect(const char *host, const char *port)
{
    struct addrinfo hints = {0}, *res, *ai;
    hints.ai_socktype = SOCK_STREAM;
    int rc = getaddrinfo(host, port, &hints, &res);
    if (rc != 0) {
        fprintf(stderr, "https_get: %s: %s\n", host, gai_strerror(rc));
        return -1;
    }
    int fd = -1;
    for (ai = res; ai != NULL; ai = ai->ai_next) {
        fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
        if (fd < 0)
            continue;
        if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
            break;
        close(fd);
        fd = -1;
    }
    freeaddrinfo(res);
    if (fd < 0)
        perror("https_get: connect");
    return fd;
}

/* Reads the whole response; the header goes nowhere, the body to stdout.
 * Returns the HTTP status, or -1. */
static int read_response(ward_conn *c, int fd)
{
    char head[8192];
    size_t head_len = 0;
    int status = -1, in_body = 0;
    uint8_t buf[16384];
    size_t n;
    ward_err e;

    while ((e = ward_fd_read(c, fd, buf, sizeof buf, &n)) == WARD_OK) {
        size_t off = 0;
        while (!in_body && off < n) { /* byte by byte until "\r\n\r\n" */
            if (head_len == sizeof head - 1) {
                fprintf(stderr, "https_get: response header too long\n");
                return -1;
            }
            head[head_len++] = (char)buf[off++];
            head[head_len] = '\0';
            if (head_len >= 4 && memcmp(head + head_len - 4, "\r\n\r\n", 4) == 0) {
                in_body = 1;
                if (sscanf(head, "HTTP/%*d.%*d %d", &status) != 1)
                    status = -1;
            }
        }
        if (off < n)
            fwrite(buf + off, 1, n - off, stdout);
    }
    if (e != WARD_CLOSED) { /* close_notify is the only clean end */
        fprintf(stderr, "https_get: read: %s\n", ward_err_str(e));
        return -1;
    }
    return status;
}

int main(int argc, char **argv)
{
    if (argc != 5) {
        fprintf(stderr, "usage: https_get HOST PORT CAFILE PATH\n");
        return 2;
    }
    const char *host = argv[1], *port = argv[2], *cafile = argv[3], *path = argv[4];
    fprintf(stderr, "https_get: libward %s (headers %s)\n", ward_version(),
            WARD_VERSION_STRING);

    int rc = 1, fd = -1;
    ward_conn *c = NULL;
    ward_config *cfg = ward_config_new_client();
    if (cfg == NULL)
        return 1;
    ward_err e = ward_config_set_cafile(cfg, cafile);
    if (e != WARD_OK) {
        fprintf(stderr, "https_get: %s: %s\n", cafile, ward_err_str(e));
        goto out;
    }
    if ((fd = tcp_connect(host, port)) < 0)
        goto out;
    /* the name is sent in SNI and checked against the certificate */
    if ((c = ward_conn_new(cfg, host)) == NULL)
        goto out;
    if ((e = ward_fd_handshake(c, fd)) != WARD_OK) {
        fprintf(stderr, "https_get: handshake: %s\n", ward_err_str(e));
        goto out;
    }
    char req[2048];
    int len = snprintf(req, sizeof req, "GET %s HTTP/1.0\r\nHost: %s\r\n\r\n", path, host);
    if (len < 0 || (size_t)len >= sizeof req) {
        fprintf(stderr, "https_get: path too long\n");
        goto out;
    }
    if ((e = ward_fd_write(c, fd, (const uint8_t *)req, (size_t)len)) != WARD_OK) {
        fprintf(stderr, "https_get: write: %s\n", ward_err_str(e));
        goto out;
    }
    int status = read_response(c, fd);
    if (status >= 200 && status < 300) {
        rc = 0;
        ward_fd_close(c, fd); /* our close_notify; the peer may be gone */
    } else if (status > 0) {
        fprintf(stderr, "https_get: HTTP status %d\n", status);
    }
out:
    ward_conn_free(c);
    if (fd >= 0)
        close(fd);
    ward_config_free(cfg);
    return rc;
}
