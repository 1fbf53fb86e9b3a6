/* Shared by fuzz_starttls_client and fuzz_starttls_server: one STARTTLS
 * dialogue half fed the input.
 *
 * Input framing:
 *   byte 0     the protocol: ward_app 1.. modulo WARD_APP__COUNT (a
 *              protocol without this half ends the run at once)
 *   byte 1     the chunk size less one (1..256)
 *   then       the peer's bytes, handed to ward_starttls_recv in chunks of
 *              that size. Whenever the dialogue is in UPGRADE it is told
 *              the TLS handshake is done (ward_starttls_secured), so the
 *              rest of the input plays the part spoken over TLS
 *              (first, the bytes it hands over as TLS are taken: only
 *              the MySQL server half may have any).
 * The output is drained and the log read after each chunk. Whatever the bytes, the dialogue
 * must be in one of its four states, failed exactly when its error is set,
 * with a message then; anything else aborts. */
#ifndef WARD_FUZZ_STARTTLS_H
#define WARD_FUZZ_STARTTLS_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ward/starttls.h"

static void fz_stt_check(const ward_starttls *d)
{
    ward_starttls_state st = ward_starttls_get_state(d);
    ward_err e = ward_starttls_error(d);
    if (st != WARD_STARTTLS_WAITING && st != WARD_STARTTLS_UPGRADE &&
        st != WARD_STARTTLS_DONE && st != WARD_STARTTLS_FAILED)
        abort();
    if ((st == WARD_STARTTLS_FAILED) != (e != WARD_OK))
        abort();
    if (st == WARD_STARTTLS_FAILED &&
        (e < WARD_ERR_STARTTLS_REFUSED || e > WARD_ERR_STARTTLS_INJECTION) &&
        e != WARD_ERR_INTERNAL)
        abort();
    if (st == WARD_STARTTLS_FAILED && ward_starttls_error_message(d)[0] == 0)
        abort();
}

/* Read every logged byte: ASan checks the text is real. */
static void fz_stt_log(void *arg, int from_peer, const char *text, size_t len)
{
    volatile char sink = 0;
    for (size_t i = 0; i < len; i++)
        sink ^= text[i];
    (void)sink;
    (void)arg;
    if (from_peer != 0 && from_peer != 1)
        abort();
}

static void fz_stt_drain(ward_starttls *d)
{
    const uint8_t *p;
    size_t n = ward_starttls_output(d, &p);
    volatile uint8_t sink = 0;
    for (size_t i = 0; i < n; i++)
        sink ^= p[i]; /* touch every byte: ASan checks the span is real */
    (void)sink;
    ward_starttls_output_done(d, n);
}

/* The bytes behind the upgrade handed over as TLS: only by the MySQL
 * server half, and real (ASan checks the span). */
static void fz_stt_tls_bytes(ward_starttls *d, ward_app app, int server)
{
    const uint8_t *p;
    size_t n = ward_starttls_tls_bytes(d, &p);
    if (n > 0 && (app != WARD_APP_MYSQL || !server || !p))
        abort();
    volatile uint8_t sink = 0;
    for (size_t i = 0; i < n; i++)
        sink ^= p[i];
    (void)sink;
}

static int fz_stt_run(const uint8_t *data, size_t size, int server)
{
    if (size < 2)
        return 0;
    ward_starttls_params params = {.app = (ward_app)(1 + data[0] % (WARD_APP__COUNT - 1)),
                                   .server = server,
                                   .host = "example.com"}; /* XMPP needs its to= */
    size_t chunk = (size_t)data[1] + 1;
    ward_starttls *d = NULL;
    if (ward_starttls_new(&params, &d) != WARD_OK)
        return 0;
    ward_starttls_set_log(d, fz_stt_log, NULL);
    data += 2;
    size -= 2;
    fz_stt_drain(d);
    while (size > 0 && ward_starttls_get_state(d) == WARD_STARTTLS_WAITING) {
        size_t n = size < chunk ? size : chunk;
        ward_err e = ward_starttls_recv(d, data, n);
        if (e != ward_starttls_error(d))
            abort();
        data += n;
        size -= n;
        fz_stt_check(d);
        fz_stt_drain(d);
        if (ward_starttls_get_state(d) == WARD_STARTTLS_UPGRADE) {
            fz_stt_tls_bytes(d, params.app, server);
            if (ward_starttls_secured(d) != ward_starttls_error(d))
                abort();
            fz_stt_check(d);
            fz_stt_drain(d);
        }
    }
    fz_stt_check(d);
    ward_starttls_free(d);
    return 0;
}

#endif
