/* The C side of the corpus recorder (record_corpus.py).
 *
 *   fuzz_peer server VARIANT PORT   accept one TCP connection on 127.0.0.1
 *                                   and serve it with fuzz_server's
 *                                   configuration VARIANT
 *   fuzz_peer client VARIANT PORT   connect to 127.0.0.1:PORT with
 *                                   fuzz_client's configuration VARIANT
 *   fuzz_peer gen OUTDIR            write in-memory seeds: ward<->ward
 *                                   flights for fuzz_server/fuzz_client,
 *                                   sealed records for fuzz_record_open,
 *                                   encoded messages for fuzz_msg_decoders
 *
 * Because the configurations are deterministic (fuzz_common.h), what a real
 * peer sends to them replays in the fuzzers through the whole handshake.
 * After the handshake the peer sends a line, reads for a moment and closes. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>

#include "fuzz_common.h"
#include "fuzz_record_keys.h"
#include "msg/msg.h"
#include "record/record.h"

static int send_all(int fd, ward_conn *c)
{
    size_t n;
    const uint8_t *p = ward_conn_output(c, &n);
    while (n > 0) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w <= 0)
            return 0;
        ward_conn_output_done(c, (size_t)w);
        p = ward_conn_output(c, &n);
    }
    return 1;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Drive c over fd: handshake, one line out, read until the peer closes or
 * a quiet second passes, then close_notify. */
static int run_tcp(ward_conn *c, int fd)
{
    int said = 0, ok = 1;
    double quiet_since = now_s();
    uint8_t buf[16384];
    for (;;) {
        if (!send_all(fd, c))
            break;
        if (ward_conn_state(c) == WARD_STATE_FAILED) {
            fprintf(stderr, "fuzz_peer: %s\n", ward_conn_error_message(c));
            ok = 0;
            break;
        }
        if (ward_conn_state(c) == WARD_STATE_ESTABLISHED && !said) {
            said = 1;
            static const char line[] = "GET / HTTP/1.0\r\n\r\n";
            (void)ward_conn_write(c, (const uint8_t *)line, sizeof line - 1);
            quiet_since = now_s();
            continue;
        }
        if (ward_conn_peer_closed(c))
            break;
        struct pollfd pfd = {fd, POLLIN, 0};
        int pr = poll(&pfd, 1, 200);
        if (pr == 0) {
            if (now_s() - quiet_since > (said ? 1.0 : 10.0))
                break;
            continue;
        }
        ssize_t r = recv(fd, buf, sizeof buf, 0);
        if (r <= 0)
            break;
        quiet_since = now_s();
        (void)ward_conn_recv(c, buf, (size_t)r);
        size_t n;
        while (ward_conn_read(c, buf, sizeof buf, &n) == WARD_OK && n > 0)
            ;
    }
    (void)ward_conn_close(c);
    (void)send_all(fd, c);
    fprintf(stderr, "fuzz_peer: version %04x suite %04x state %d\n", ward_conn_version(c),
            ward_conn_suite(c), ward_conn_state(c));
    return ok && said;
}

static int tcp(int server, int port)
{
    struct sockaddr_in a = {0};
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t)port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        return -1;
    if (!server) {
        for (int i = 0; i < 50; i++) {
            if (connect(fd, (struct sockaddr *)&a, sizeof a) == 0)
                return fd;
            struct timespec ts = {0, 100000000};
            nanosleep(&ts, NULL);
        }
        return -1;
    }
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(fd, (struct sockaddr *)&a, sizeof a) != 0 || listen(fd, 1) != 0)
        return -1;
    printf("listening\n");
    fflush(stdout);
    int c = accept(fd, NULL, NULL);
    close(fd);
    return c;
}

/* ---- in-memory seeds ---- */
static const char *outdir;

static void put(const char *target, const char *name, const uint8_t *p, size_t n)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", outdir, target);
    mkdir(path, 0755);
    snprintf(path, sizeof path, "%s/%s/%s", outdir, target, name);
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(p, 1, n, f) != n) {
        perror(path);
        exit(1);
    }
    fclose(f);
}

/* A growing framed stream: variant byte, then u16-framed chunks. */
typedef struct {
    uint8_t buf[1 << 17];
    size_t len;
} stream;

static void stream_chunk(stream *s, const uint8_t *p, size_t n)
{
    while (n > 0) {
        size_t k = n > 65535 ? 65535 : n;
        if (s->len + 2 + k > sizeof s->buf)
            return;
        s->buf[s->len++] = (uint8_t)(k >> 8);
        s->buf[s->len++] = (uint8_t)k;
        memcpy(s->buf + s->len, p, k);
        s->len += k;
        p += k;
        n -= k;
    }
}

static size_t move(ward_conn *from, ward_conn *to, stream *log)
{
    size_t n;
    const uint8_t *p = ward_conn_output(from, &n);
    if (n == 0)
        return 0;
    stream_chunk(log, p, n);
    (void)ward_conn_recv(to, p, n);
    ward_conn_output_done(from, n);
    return n;
}

static void pump(ward_conn *c, ward_conn *s, stream *cs, stream *ss)
{
    for (int i = 0; i < 32; i++) {
        size_t a = move(c, s, cs);
        size_t b = move(s, c, ss);
        uint8_t buf[256];
        size_t n;
        while (ward_conn_read(c, buf, sizeof buf, &n) == WARD_OK && n > 0)
            ;
        while (ward_conn_read(s, buf, sizeof buf, &n) == WARD_OK && n > 0)
            ;
        if (a == 0 && b == 0)
            break;
    }
}

static void gen_selftalk(void)
{
    ward_config *scfg[FZ_SERVER_VARIANTS], *ccfg[FZ_CLIENT_VARIANTS];
    for (unsigned v = 0; v < FZ_SERVER_VARIANTS; v++)
        scfg[v] = fz_server_config(v);
    for (unsigned v = 0; v < FZ_CLIENT_VARIANTS; v++)
        ccfg[v] = fz_client_config(v);
    static stream cs, ss;
    for (unsigned sv = 0; sv < FZ_SERVER_VARIANTS; sv++)
        for (unsigned cv = 0; cv < FZ_CLIENT_VARIANTS; cv++) {
            ward_conn *c = fz_conn_new(ccfg[cv], "localhost");
            ward_conn *s = fz_conn_new(scfg[sv], NULL);
            cs.len = ss.len = 0;
            cs.buf[cs.len++] = (uint8_t)sv;
            ss.buf[ss.len++] = (uint8_t)cv;
            pump(c, s, &cs, &ss);
            int up = ward_conn_state(c) == WARD_STATE_ESTABLISHED &&
                     ward_conn_state(s) == WARD_STATE_ESTABLISHED;
            if (up) {
                (void)ward_conn_write(c, (const uint8_t *)"hello server", 12);
                (void)ward_conn_write(s, (const uint8_t *)"hello client", 12);
                pump(c, s, &cs, &ss);
                if (ward_conn_version(c) == WARD_TLS13) {
                    (void)ward_conn_key_update(c, 1);
                    pump(c, s, &cs, &ss);
                    (void)ward_conn_key_update(s, 0);
                    pump(c, s, &cs, &ss);
                }
                (void)ward_conn_close(s);
                (void)ward_conn_close(c);
                pump(c, s, &cs, &ss);
            }
            char name[64];
            snprintf(name, sizeof name, "ward-s%u-c%u%s", sv, cv, up ? "" : "-failed");
            put("fuzz_server", name, cs.buf, cs.len);
            put("fuzz_client", name, ss.buf, ss.len);
            fprintf(stderr, "gen: server variant %u, client variant %u: %s (%04x)\n", sv, cv,
                    up ? "up" : ward_conn_error_message(c), ward_conn_version(c));
            ward_conn_free(c);
            ward_conn_free(s);
        }
    for (unsigned v = 0; v < FZ_SERVER_VARIANTS; v++)
        ward_config_free(scfg[v]);
    for (unsigned v = 0; v < FZ_CLIENT_VARIANTS; v++)
        ward_config_free(ccfg[v]);
}

static void gen_records(void)
{
    static const char *const names[FZ_REC_MODES] = {"plain", "13-aes128", "13-aes256",
                                                    "13-chacha", "12-aes128", "12-aes256",
                                                    "12-chacha"};
    const uint8_t hs[] = {HS_FINISHED, 0, 0, 12, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
    const uint8_t alert[] = {2, 40};
    const uint8_t app[] = "application data";
    static uint8_t big[REC_MAX_PLAINTEXT];
    memset(big, 0x61, sizeof big);
    for (unsigned m = 0; m < FZ_REC_MODES; m++) {
        rec_dir d;
        if (!fz_rec_setup(&d, m, 1))
            exit(1);
        static uint8_t out[4 * REC_MAX_RECORD12];
        size_t len = 0, n;
        out[len++] = (uint8_t)m;
        /* a handshake message in two records, an alert, application data */
        if (!wres_is_ok(rec_seal(&d, CT_HANDSHAKE, hs, 6, m >= 1 && m <= 3 ? 3 : 0,
                                 out + len, sizeof out - len, &n)))
            exit(1);
        len += n;
        if (!wres_is_ok(rec_seal(&d, CT_HANDSHAKE, hs + 6, sizeof hs - 6, 0, out + len,
                                 sizeof out - len, &n)))
            exit(1);
        len += n;
        if (!wres_is_ok(rec_seal(&d, CT_ALERT, alert, 2, 0, out + len, sizeof out - len, &n)))
            exit(1);
        len += n;
        if (m != FZ_REC_PLAIN) {
            if (!wres_is_ok(rec_seal(&d, CT_APPLICATION_DATA, app, sizeof app - 1, 0,
                                     out + len, sizeof out - len, &n)))
                exit(1);
            len += n;
        }
        char name[64];
        snprintf(name, sizeof name, "gen-%s", names[m]);
        put("fuzz_record_open", name, out, len);
        /* one full-size record */
        rec_dir_clear(&d);
        if (!fz_rec_setup(&d, m, 1))
            exit(1);
        len = 0;
        out[len++] = (uint8_t)m;
        if (!wres_is_ok(rec_seal(&d, m ? CT_APPLICATION_DATA : CT_HANDSHAKE, big, sizeof big,
                                 0, out + len, sizeof out - len, &n)))
            exit(1);
        len += n;
        snprintf(name, sizeof name, "gen-%s-max", names[m]);
        put("fuzz_record_open", name, out, len);
        rec_dir_clear(&d);
    }
}

static void put_msg(const char *name, unsigned decoder, const uint8_t *msg, size_t len)
{
    /* drop the 4-byte handshake header: the decoders take the body */
    uint8_t buf[8192];
    if (len < 4 || len - 4 + 1 > sizeof buf)
        exit(1);
    buf[0] = (uint8_t)decoder;
    memcpy(buf + 1, msg + 4, len - 4);
    put("fuzz_msg_decoders", name, buf, len - 3);
}

static void gen_messages(void)
{
    uint8_t m[4096];
    wr w;
    /* EncryptedExtensions with everything */
    static const uint8_t groups[] = {0x00, 0x1d, 0x00, 0x17};
    msg_encrypted_extensions_params ee = {0};
    ee.groups_raw = groups;
    ee.groups_raw_len = sizeof groups;
    ee.record_size_limit = 16385;
    ee.server_name_ack = 1;
    ee.alpn = (const uint8_t *)"h2";
    ee.alpn_len = 2;
    ee.early_data = 1;
    w = wr_of(m, sizeof m);
    if (!wres_is_ok(msg_encode_encrypted_extensions(&w, &ee)))
        exit(1);
    put_msg("gen-ee", 2, m, w.len);
    /* Certificate 1.3 and 1.2 with two entries */
    static const uint8_t c1[] = {0x30, 0x03, 0x02, 0x01, 0x01}, c2[] = {0x30, 0x00};
    const uint8_t *ders[] = {c1, c2};
    size_t lens[] = {sizeof c1, sizeof c2};
    w = wr_of(m, sizeof m);
    if (!wres_is_ok(msg_encode_certificate(&w, ders, lens, 2)))
        exit(1);
    put_msg("gen-cert13", 3, m, w.len);
    w = wr_of(m, sizeof m);
    if (!wres_is_ok(msg_encode_certificate12(&w, ders, lens, 2)))
        exit(1);
    put_msg("gen-cert12", 4, m, w.len);
    static uint8_t sig[64];
    memset(sig, 0x5c, sizeof sig);
    w = wr_of(m, sizeof m);
    if (!wres_is_ok(msg_encode_certificate_verify(&w, 0x0807, sig, sizeof sig)))
        exit(1);
    put_msg("gen-cv", 5, m, w.len);
    w = wr_of(m, sizeof m);
    if (!wres_is_ok(msg_encode_finished(&w, sig, 32)))
        exit(1);
    put_msg("gen-finished32", 6, m, w.len);
    w = wr_of(m, sizeof m);
    if (!wres_is_ok(msg_encode_finished(&w, sig, 12)))
        exit(1);
    put_msg("gen-finished12", 6, m, w.len);
    w = wr_of(m, sizeof m);
    if (!wres_is_ok(msg_encode_key_update(&w, 1)))
        exit(1);
    put_msg("gen-keyupdate", 7, m, w.len);
    /* NewSessionTicket: lifetime, age_add, nonce<1>, ticket<2>, extensions
     * (early_data) */
    static const uint8_t nst[] = {4, 0, 0, 27, 0, 0, 0x1c, 0x20, 1, 2, 3, 4, 1, 0, 0, 4,
                                  't', 'i', 'c', 'k', 0, 8, 0, 42, 0, 4, 0, 0, 0x40, 0};
    put_msg("gen-nst", 8, nst, sizeof nst);
    static uint8_t pub[65];
    memset(pub, 0x04, sizeof pub);
    uint8_t params[128];
    w = wr_of(params, sizeof params);
    if (!wres_is_ok(msg_encode_ecdh_params(&w, 0x0017, pub, sizeof pub)))
        exit(1);
    size_t plen = w.len;
    w = wr_of(m, sizeof m);
    if (!wres_is_ok(msg_encode_server_key_exchange(&w, params, plen, 0x0403, sig, sizeof sig)))
        exit(1);
    put_msg("gen-ske", 9, m, w.len);
    w = wr_of(m, sizeof m);
    if (!wres_is_ok(msg_encode_client_key_exchange_ecdhe(&w, pub, 32)))
        exit(1);
    put_msg("gen-cke-ecdhe", 10, m, w.len);
    w = wr_of(m, sizeof m);
    if (!wres_is_ok(msg_encode_client_key_exchange_rsa(&w, sig, sizeof sig)))
        exit(1);
    put_msg("gen-cke-rsa", 11, m, w.len);
    static const uint8_t empty[] = {14, 0, 0, 0};
    put_msg("gen-empty", 12, empty, 4);
    static const uint8_t u16list[] = {0, 0, 0, 0, 0, 6, 0x04, 0x03, 0x08, 0x07, 0x08, 0x04};
    put_msg("gen-u16list", 13, u16list, sizeof u16list);
    static const uint8_t alpn[] = {0, 0, 0, 0, 0, 12, 2, 'h', '2', 8, 'h', 't', 't', 'p', '/', '1', '.', '1'};
    put_msg("gen-alpn", 14, alpn, sizeof alpn);
    static const uint8_t exts[] = {0, 0, 0, 0, 0, 0x2b, 0, 2, 3, 4, 0, 0x33, 0, 0, 0xff, 1, 0, 1, 0};
    put_msg("gen-extwalk", 15, exts, sizeof exts);
}

int main(int argc, char **argv)
{
    if (argc == 3 && !strcmp(argv[1], "gen")) {
        outdir = argv[2];
        mkdir(outdir, 0755);
        gen_selftalk();
        gen_records();
        gen_messages();
        return 0;
    }
    if (argc != 4 || (strcmp(argv[1], "server") && strcmp(argv[1], "client"))) {
        fprintf(stderr, "usage: fuzz_peer server|client VARIANT PORT | gen OUTDIR\n");
        return 2;
    }
    int is_server = !strcmp(argv[1], "server");
    unsigned variant = (unsigned)atoi(argv[2]);
    int fd = tcp(is_server, atoi(argv[3]));
    if (fd < 0) {
        perror("fuzz_peer: socket");
        return 1;
    }
    ward_config *cfg = is_server ? fz_server_config(variant) : fz_client_config(variant);
    ward_conn *c = fz_conn_new(cfg, is_server ? NULL : "localhost");
    int ok = run_tcp(c, fd);
    close(fd);
    ward_conn_free(c);
    ward_config_free(cfg);
    return ok ? 0 : 1;
}
