/* memory_transport: libward's engine over a transport of your own.
 *
 *   memory_transport
 *
 * A ward_conn does no I/O. Whatever carries the bytes (a socket in your
 * own event loop, a pipe, a serial line, a QUIC-less datagram scheme, a
 * test) does three things with it:
 *
 *   - bytes that arrived from the peer:   ward_conn_recv(c, data, len)
 *   - bytes the engine wants sent:        p = ward_conn_output(c, &len);
 *                                         send what the transport takes;
 *                                         ward_conn_output_done(c, sent)
 *   - plaintext:                          ward_conn_write / ward_conn_read
 *
 * Here the transport is an in-process "wire": two small byte queues, one
 * per direction, each holding at most WIRE_CAP bytes, so that sends are
 * partial as on a real, full socket. A client and a server talk over it in
 * one thread: a handshake (the server's certificate is pinned, nothing is
 * read from disk), 100000 bytes echoed back, then close_notify both ways.
 * The program checks its own result: exit status 0 and a last line
 * "memory_transport: ok" when everything came back intact. */
#include <ward/ward.h>

#include <stdio.h>
#include <string.h>

#define WIRE_CAP 1000 /* smaller than a record: every flight goes in pieces */
#define MSG_LEN 100000

/* One direction of the wire: a FIFO of at most WIRE_CAP bytes. */
struct wire {
    uint8_t data[WIRE_CAP];
    size_t len;
};

/* The transport's "send": takes what fits, says how much. */
static size_t wire_put(struct wire *w, const uint8_t *p, size_t n)
{
    if (n > WIRE_CAP - w->len)
        n = WIRE_CAP - w->len;
    memcpy(w->data + w->len, p, n);
    w->len += n;
    return n;
}

/* Everything the engine wants sent goes on the wire, as far as it fits;
 * what does not fit stays in the engine's queue for the next call. */
static void send_output(ward_conn *c, struct wire *out)
{
    size_t len;
    const uint8_t *p = ward_conn_output(c, &len);
    ward_conn_output_done(c, wire_put(out, p, len));
}

/* Everything on the wire goes into the engine (it takes all of it). */
static ward_err deliver(struct wire *in, ward_conn *c)
{
    if (in->len == 0)
        return WARD_OK;
    ward_err e = ward_conn_recv(c, in->data, in->len);
    in->len = 0;
    return e;
}

/* One turn of the "event loop": each side sends, then receives. Returns
 * the first fatal error of either side. */
static ward_err turn(ward_conn *client, ward_conn *server, struct wire *c2s, struct wire *s2c)
{
    send_output(client, c2s);
    send_output(server, s2c);
    ward_err e = deliver(c2s, server);
    ward_err e2 = deliver(s2c, client);
    return e != WARD_OK ? e : e2;
}

/* The server's application: echo whatever plaintext arrived, without a
 * copy (the read view), and answer close_notify with its own, once
 * (*closed remembers). */
static ward_err server_app(ward_conn *server, int *closed)
{
    size_t len;
    const uint8_t *p = ward_conn_read_view(server, &len);
    if (len > 0) {
        ward_err e = ward_conn_write(server, p, len);
        ward_conn_read_done(server, len);
        return e;
    }
    if (ward_conn_peer_closed(server) && !*closed) {
        *closed = 1;
        return ward_conn_close(server);
    }
    return WARD_OK;
}

static int fail(const char *what, ward_conn *c, ward_err e)
{
    if (e == WARD_OK) { /* the loop went round too often */
        fprintf(stderr, "memory_transport: %s: no progress\n", what);
        return 1;
    }
    fprintf(stderr, "memory_transport: %s: %s (%s)\n", what, ward_err_str(e),
            c ? ward_conn_error_message(c) : "");
    return 1;
}

static int run(ward_conn *client, ward_conn *server)
{
    static uint8_t msg[MSG_LEN], back[MSG_LEN];
    struct wire c2s = {.len = 0}, s2c = {.len = 0};
    size_t got = 0, turns = 0;
    int server_closed = 0;
    ward_err e;

    /* the handshake: turn the loop until both sides are established */
    while (ward_conn_state(client) == WARD_STATE_HANDSHAKING ||
           ward_conn_state(server) == WARD_STATE_HANDSHAKING) {
        if ((e = turn(client, server, &c2s, &s2c)) != WARD_OK || ++turns > 1000)
            return fail("handshake", ward_conn_error(client) ? client : server, e);
    }
    printf("memory_transport: handshake done in %zu turns, %s, server authenticated: %d\n",
           turns, ward_suite_name(ward_conn_suite(client)), ward_conn_peer_authenticated(client));

    for (size_t i = 0; i < MSG_LEN; i++)
        msg[i] = (uint8_t)(i * 7 + i / 251);
    if ((e = ward_conn_write(client, msg, MSG_LEN)) != WARD_OK) /* queued, all of it */
        return fail("write", client, e);
    while (got < MSG_LEN) {
        size_t n;
        if ((e = turn(client, server, &c2s, &s2c)) != WARD_OK || ++turns > 100000)
            return fail("transfer", client, e);
        if ((e = server_app(server, &server_closed)) != WARD_OK)
            return fail("echo", server, e);
        if ((e = ward_conn_read(client, back + got, MSG_LEN - got, &n)) != WARD_OK)
            return fail("read", client, e);
        got += n;
    }
    if (memcmp(msg, back, MSG_LEN) != 0) {
        fprintf(stderr, "memory_transport: the echo differs from what was sent\n");
        return 1;
    }
    printf("memory_transport: %d bytes echoed intact\n", MSG_LEN);

    /* close_notify from the client; the server answers with its own */
    ward_conn_close(client);
    for (;;) {
        size_t n;
        uint8_t b[16];
        if ((e = turn(client, server, &c2s, &s2c)) != WARD_OK || ++turns > 100100)
            return fail("close", client, e);
        if ((e = server_app(server, &server_closed)) != WARD_OK)
            return fail("close", server, e);
        if ((e = ward_conn_read(client, b, sizeof b, &n)) == WARD_CLOSED)
            break;
        if (e != WARD_OK || n != 0)
            return fail("close: data after close_notify", client, e);
    }
    printf("memory_transport: closed by close_notify both ways after %zu turns\n", turns);
    return 0;
}

int main(void)
{
    uint8_t pin[32];
    int rc = 1;
    ward_config *scfg = ward_config_new_server(), *ccfg = ward_config_new_client();
    ward_conn *client = NULL, *server = NULL;
    if (scfg == NULL || ccfg == NULL)
        goto out;
    /* the server: a fresh self-signed certificate; the client: its pin */
    ward_err e = ward_config_use_ephemeral_cert(scfg, "memory.test", pin);
    if (e == WARD_OK)
        e = ward_config_set_pin_sha256(ccfg, pin);
    if (e != WARD_OK) {
        fprintf(stderr, "memory_transport: configuration: %s\n", ward_err_str(e));
        goto out;
    }
    client = ward_conn_new(ccfg, "memory.test");
    server = ward_conn_new(scfg, NULL);
    if (client == NULL || server == NULL)
        goto out;
    rc = run(client, server);
    if (rc == 0)
        printf("memory_transport: ok\n");
out:
    ward_conn_free(client);
    ward_conn_free(server);
    ward_config_free(ccfg);
    ward_config_free(scfg);
    return rc;
}
