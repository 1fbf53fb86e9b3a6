/* NSS key log (the SSLKEYLOGFILE format): one line per secret,
 *     LABEL <ClientHello.random, hex> <secret, hex>
 * for tools such as Wireshark that decrypt a capture with it. Opt-in only:
 * nothing is formatted unless the configuration names a callback or a file.
 * The secret on the line is as sensitive as the traffic it protects, so
 * every buffer that held it is wiped. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "base/mem.h"
#include "conn/internal.h"

/* A label of up to 48 characters (the longest, "CLIENT_HANDSHAKE_TRAFFIC_
 * SECRET", has 31), the random (32 bytes) and a secret of up to 48 bytes
 * (SHA-384, or the TLS 1.2 master secret), in hex. */
#define KEYLOG_MAX_LABEL 48
#define KEYLOG_MAX_SECRET 48
#define KEYLOG_LINE_MAX (KEYLOG_MAX_LABEL + 1 + 64 + 1 + 2 * KEYLOG_MAX_SECRET + 1)

/* The sink behind ward_config_set_keylog_file. */
struct keylog_file {
    int fd;
    pthread_mutex_t lock;
};

static void hex(char *out, const uint8_t *in, size_t n)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[in[i] >> 4];
        out[2 * i + 1] = digits[in[i] & 15];
    }
    out[2 * n] = '\0';
}

void keylog_write(ward_conn *c, const char *label, const uint8_t *secret, size_t len)
{
    const ward_config *cfg = c->cfg;
    if (!cfg->keylog_fn || len > KEYLOG_MAX_SECRET)
        return;
    /* The ClientHello random names the connection in either role. */
    const uint8_t *client_random = c->is_server ? c->hs.peer_random : c->hs.random;
    char line[KEYLOG_LINE_MAX];
    size_t ll = strlen(label);
    if (ll > KEYLOG_MAX_LABEL)
        return;
    memcpy(line, label, ll);
    line[ll] = ' ';
    hex(line + ll + 1, client_random, 32);
    line[ll + 65] = ' ';
    hex(line + ll + 66, secret, len);
    cfg->keylog_fn(cfg->keylog_arg, line);
    ward_zeroize(line, sizeof line);
}

void keylog_traffic_update(ward_conn *c, int client_secret, const uint8_t *secret)
{
    unsigned *gen = client_secret ? &c->c_ap_gen : &c->s_ap_gen;
    char label[48];
    ++*gen;
    snprintf(label, sizeof label, "%s_TRAFFIC_SECRET_%u", client_secret ? "CLIENT" : "SERVER",
             *gen);
    conn_report_secret_len(c, label, secret, c->hs.hlen);
}

static void close_file(struct keylog_file *f)
{
    if (!f)
        return;
    close(f->fd);
    pthread_mutex_destroy(&f->lock);
    free(f);
}

/* One writev per line on an O_APPEND descriptor: lines from threads (the
 * lock) and from forked processes (append writes) never interleave, and
 * nothing waits in a buffer. A failed write is dropped: the key log must
 * never stop a connection. */
static void file_line(void *arg, const char *line)
{
    struct keylog_file *f = arg;
    struct iovec iov[2] = {{(void *)line, strlen(line)}, {(void *)"\n", 1}};
    pthread_mutex_lock(&f->lock);
    int i = 0;
    while (i < 2) {
        ssize_t n = writev(f->fd, iov + i, 2 - i);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        size_t got = (size_t)n;
        while (i < 2 && got >= iov[i].iov_len)
            got -= iov[i++].iov_len;
        if (i < 2) {
            iov[i].iov_base = (char *)iov[i].iov_base + got;
            iov[i].iov_len -= got;
        }
    }
    pthread_mutex_unlock(&f->lock);
}

void config_keylog_free(ward_config *cfg)
{
    close_file(cfg->keylog_file);
    cfg->keylog_file = NULL;
    cfg->keylog_fn = NULL;
    cfg->keylog_arg = NULL;
}

void ward_config_set_keylog(ward_config *cfg, ward_keylog_fn fn, void *arg)
{
    config_keylog_free(cfg);
    cfg->keylog_fn = fn;
    cfg->keylog_arg = fn ? arg : NULL;
}

ward_err ward_config_set_keylog_file(ward_config *cfg, const char *path)
{
    config_keylog_free(cfg);
    if (!path)
        return WARD_OK;
    struct keylog_file *f = calloc(1, sizeof *f);
    if (!f)
        return WARD_ERR_NOMEM;
    f->fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOCTTY, 0600);
    if (f->fd < 0) {
        int saved = errno;
        free(f);
        errno = saved;
        return WARD_ERR_CONFIG;
    }
    if (pthread_mutex_init(&f->lock, NULL) != 0) {
        close(f->fd);
        free(f);
        return WARD_ERR_NOMEM;
    }
    cfg->keylog_file = f;
    cfg->keylog_fn = file_line;
    cfg->keylog_arg = f;
    return WARD_OK;
}
