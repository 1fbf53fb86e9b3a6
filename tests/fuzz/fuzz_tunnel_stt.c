/* libFuzzer target: ward tunnel's STARTTLS adaptor (tools/ward/tunnel_stt*.c).
 *
 * Input: byte 0 picks the protocol (bits 0-2: smtp, lmtp, imap, pop3, ftp,
 * nntp, sieve, and pop3 again), the mode (bit 3: client mode) and, in
 * server mode, whether phase 1 is skipped with a well-behaved client's
 * upgrade (bit 4), so that most inputs reach the relay. Then records:
 * [flags][length][bytes]: fed to phase 1 while the dialogue runs, then to
 * the relay's filter in the direction of flags bit 0.
 *
 * Besides what the sanitizers catch, the relay must not depend on how the
 * stream is cut: a second adaptor is fed every record one byte at a time,
 * and both must give the same bytes and fail at the same record. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tunnel_stt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const ward_app apps[8] = {WARD_APP_SMTP, WARD_APP_LMTP, WARD_APP_IMAP,
                                 WARD_APP_POP3, WARD_APP_FTP,  WARD_APP_NNTP,
                                 WARD_APP_SIEVE, WARD_APP_POP3};

static const char *upgrade_cmd(ward_app app)
{
    switch (app) {
    case WARD_APP_SMTP:
        return "EHLO c\r\nSTARTTLS\r\n";
    case WARD_APP_LMTP:
        return "LHLO c\r\nSTARTTLS\r\n";
    case WARD_APP_IMAP:
        return "a STARTTLS\r\n";
    case WARD_APP_POP3:
        return "STLS\r\n";
    case WARD_APP_FTP:
        return "AUTH TLS\r\n";
    default:
        return "STARTTLS\r\n";
    }
}

static void drain(tunnel_stt *s)
{
    const uint8_t *p;
    tunnel_stt_output_done(s, tunnel_stt_output(s, &p));
}

/* Phase 1 with bytes p, n: 1 once relaying, 0 still in the dialogue, -1 over. */
static int phase1(tunnel_stt *s, const uint8_t *p, size_t n, tunnel_buf *to_client)
{
    tunnel_stt_recv(s, p, n);
    drain(s);
    if (tunnel_stt_state(s) == WARD_STARTTLS_UPGRADE) {
        tunnel_stt_secured(s);
        drain(s);
    }
    switch (tunnel_stt_state(s)) {
    case WARD_STARTTLS_DONE:
        return tunnel_stt_start_relay(s, to_client) == 0 ? 1 : -1;
    case WARD_STARTTLS_WAITING:
        return 0;
    default:
        return -1;
    }
}

typedef struct {
    tunnel_stt *s;
    tunnel_buf out[2][2]; /* [dir][0 fwd, 1 back] */
    int failed;
} side;

static void relay(side *x, int dir, const uint8_t *p, size_t n, size_t step)
{
    for (size_t at = 0; at < n && !x->failed; at += step) {
        size_t k = n - at < step ? n - at : step;
        if (tunnel_stt_filter(x->s, dir, p + at, k, &x->out[dir][0], &x->out[dir][1]) != 0) {
            x->failed = 1;
            if (tunnel_stt_error_message(x->s)[0] == 0)
                abort(); /* a failure must say why */
        }
    }
}

static int same(const tunnel_buf *a, const tunnel_buf *b)
{
    size_t n = tunnel_buf_unread(a);
    return n == tunnel_buf_unread(b) && (n == 0 || memcmp(a->p + a->off, b->p + b->off, n) == 0);
}

static void show(const char *what, const tunnel_buf *b)
{
    fprintf(stderr, "%s: [", what);
    for (size_t i = b->off; i < b->len; i++)
        fprintf(stderr, b->p[i] >= 0x20 && b->p[i] < 0x7f ? "%c" : "\\x%02x", b->p[i]);
    fprintf(stderr, "]\n");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char err[256];
    if (size < 1)
        return 0;
    ward_app app = apps[data[0] & 7];
    int client = data[0] & 8, skip = !client && (data[0] & 16);
    side x[2];
    memset(x, 0, sizeof x);
    tunnel_buf greet = {0};
    int stage = 0;
    for (int i = 0; i < 2; i++) {
        x[i].s = client ? tunnel_stt_new_client(app, "example.org", err, sizeof err)
                        : tunnel_stt_new_server(app, "example.org", err, sizeof err);
        if (!x[i].s)
            abort();
        drain(x[i].s);
        if (skip) {
            const char *c = upgrade_cmd(app);
            stage = phase1(x[i].s, (const uint8_t *)c, strlen(c), &greet);
            if (stage != 1)
                abort(); /* a well-behaved client must get through */
        }
    }
    size_t at = 1;
    while (at + 2 <= size && stage >= 0) {
        int dir = data[at] & 1;
        size_t n = data[at + 1];
        at += 2;
        if (n > size - at)
            n = size - at;
        if (stage == 0) {
            stage = phase1(x[0].s, data + at, n, &greet);
            int other = phase1(x[1].s, data + at, n, &greet);
            if (other != stage)
                abort();
        } else {
            relay(&x[0], dir, data + at, n, n ? n : 1);
            relay(&x[1], dir, data + at, n, 1);
            if (x[0].failed != x[1].failed)
                abort();
            for (int d = 0; d < 2; d++)
                for (int k = 0; k < 2; k++)
                    if (!same(&x[0].out[d][k], &x[1].out[d][k])) {
                        show("whole", &x[0].out[d][k]);
                        show("bytewise", &x[1].out[d][k]);
                        fprintf(stderr, "record at %zu, dir %d, out %d\n", at - 2, d, k);
                        abort(); /* the cut changed what was relayed */
                    }
            if (x[0].failed)
                break;
        }
        at += n;
    }
    for (int i = 0; i < 2; i++) {
        tunnel_stt_free(x[i].s);
        for (int d = 0; d < 2; d++)
            for (int k = 0; k < 2; k++)
                tunnel_buf_free(&x[i].out[d][k]);
    }
    tunnel_buf_free(&greet);
    return 0;
}
