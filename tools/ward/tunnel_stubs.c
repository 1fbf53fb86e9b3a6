/* Stand-ins until the branch s3-tstt (tunnel_stt.c) lands: no STARTTLS.
 * Deleted once the real module is merged. */
#include "tunnel.h"
#include "tunnel_stt.h"

#include <stdlib.h>
#include <string.h>

/* ---- STARTTLS: not available until tunnel_stt.c lands ---- */
int tunnel_buf_append(tunnel_buf *b, const uint8_t *p, size_t n)
{
    if (b->off == b->len)
        b->off = b->len = 0;
    if (b->cap - b->len < n) {
        if (b->off) {
            memmove(b->p, b->p + b->off, b->len - b->off);
            b->len -= b->off;
            b->off = 0;
        }
        if (b->cap - b->len < n) {
            size_t nc = b->len + n < 4096 ? 4096 : (b->len + n) * 2;
            uint8_t *np = realloc(b->p, nc);
            if (!np)
                return -1;
            b->p = np;
            b->cap = nc;
        }
    }
    memcpy(b->p + b->len, p, n);
    b->len += n;
    return 0;
}

void tunnel_buf_consume(tunnel_buf *b, size_t n)
{
    b->off += n;
    if (b->off >= b->len)
        b->off = b->len = 0;
}

size_t tunnel_buf_unread(const tunnel_buf *b) { return b->len - b->off; }

void tunnel_buf_free(tunnel_buf *b)
{
    free(b->p);
    memset(b, 0, sizeof *b);
}

tunnel_stt *tunnel_stt_new_server(ward_app app, const char *server_name, char *err,
                                  size_t errcap)
{
    (void)app;
    (void)server_name;
    snprintf(err, errcap, "STARTTLS is not available yet");
    return NULL;
}

tunnel_stt *tunnel_stt_new_client(ward_app app, const char *host, char *err, size_t errcap)
{
    return tunnel_stt_new_server(app, host, err, errcap);
}

void tunnel_stt_free(tunnel_stt *s) { (void)s; }
ward_err tunnel_stt_recv(tunnel_stt *s, const uint8_t *p, size_t n)
{
    (void)s, (void)p, (void)n;
    return WARD_ERR_STATE;
}
size_t tunnel_stt_output(tunnel_stt *s, const uint8_t **p)
{
    (void)s;
    *p = NULL;
    return 0;
}
void tunnel_stt_output_done(tunnel_stt *s, size_t n) { (void)s, (void)n; }
ward_starttls_state tunnel_stt_state(const tunnel_stt *s)
{
    (void)s;
    return WARD_STARTTLS_FAILED;
}
ward_err tunnel_stt_secured(tunnel_stt *s)
{
    (void)s;
    return WARD_ERR_STATE;
}
const char *tunnel_stt_error_message(const tunnel_stt *s)
{
    (void)s;
    return "STARTTLS is not available yet";
}
int tunnel_stt_start_relay(tunnel_stt *s, tunnel_buf *to_client)
{
    (void)s, (void)to_client;
    return 0;
}
int tunnel_stt_filter(tunnel_stt *s, int dir, const uint8_t *in, size_t n, tunnel_buf *fwd,
                      tunnel_buf *back)
{
    (void)s, (void)dir, (void)back;
    return tunnel_buf_append(fwd, in, n);
}
