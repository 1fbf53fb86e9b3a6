/* The flight builder (hs/flight.c): a flight that fits the stack buffer
 * and one that must move to the heap (a chain of large certificates) both
 * reach the connection byte for byte as built, in records of at most 2^14
 * bytes, and both are in the transcript exactly once. An encoder that
 * writes two messages between hs_msg_begin and hs_msg_end is refused. */
#include <string.h>

#include "conn/internal.h"
#include "hs/flight.h"
#include "hs/hs.h"
#include "msg/msg.h"
#include "testutil.h"

/* Records of the plaintext (no keys yet) output: their payloads joined. */
static size_t unwrap_records(ward_conn *c, uint8_t *out, size_t cap)
{
    size_t n, got = 0;
    const uint8_t *p = ward_conn_output(c, &n);
    for (size_t i = 0; i + 5 <= n;) {
        size_t len = (size_t)p[i + 3] << 8 | p[i + 4];
        CHECK(p[i] == CT_HANDSHAKE && len <= 16384 && i + 5 + len <= n);
        if (got + len > cap || i + 5 + len > n)
            break;
        memcpy(out + got, p + i + 5, len);
        got += len;
        i += 5 + len;
    }
    ward_conn_output_done(c, n);
    return got;
}

static void one_flight(size_t cert_len, size_t n_certs)
{
    static uint8_t certs[4][20000], built[90000], sent[90000];
    const uint8_t *der[4];
    size_t len[4];
    for (size_t i = 0; i < n_certs; i++) {
        memset(certs[i], (int)(0x30 + i), cert_len);
        der[i] = certs[i];
        len[i] = cert_len;
    }
    ward_config *cfg = ward_config_new_server();
    ward_conn *c = ward_conn_new(cfg, NULL);
    CHECK(c != NULL);
    CHECK_OK(transcript_start(&c->hs, HASH_SHA256));

    hs_flight f;
    hs_flight_init(&f, &c->hs);
    CHECK_OK(hs_msg_end(&f, msg_encode_certificate(hs_msg_begin(&f), der, len, n_certs)));
    uint8_t vd[32] = {1, 2, 3};
    CHECK_OK(hs_msg_end(&f, msg_encode_finished(hs_msg_begin(&f), vd, sizeof vd)));
    size_t total = f.w.len;
    CHECK(total <= sizeof built);
    memcpy(built, f.w.buf, total);
    int on_heap = f.w.buf != f.inline_buf;
    CHECK(on_heap == (total > HS_FLIGHT_INLINE));
    CHECK_OK(hs_flight_send(&f));
    hs_flight_free(&f);

    CHECK(unwrap_records(c, sent, sizeof sent) == total);
    CHECK_MEM(sent, built, total);
    uint8_t want[32], got[32];
    CHECK_OK(crypto_hash_oneshot(HASH_SHA256, built, total, want));
    CHECK_OK(transcript_hash(&c->hs, got));
    CHECK_MEM(got, want, 32);
    fprintf(stderr, "flight of %zu bytes (%s): sent and hashed once\n", total,
            on_heap ? "heap" : "stack");
    ward_conn_free(c);
    ward_config_free(cfg);
}

/* Two messages where one was announced: the length check refuses it. */
static wres two_messages(wr *w)
{
    uint8_t vd[32] = {0};
    GUARD(msg_encode_finished(w, vd, sizeof vd));
    return msg_encode_finished(w, vd, sizeof vd);
}

int main(void)
{
    one_flight(500, 2);    /* about 1 KB: the stack buffer */
    one_flight(15000, 4);  /* about 60 KB: the heap, grown twice */
    ward_config *cfg = ward_config_new_server();
    ward_conn *c = ward_conn_new(cfg, NULL);
    CHECK_OK(transcript_start(&c->hs, HASH_SHA256));
    hs_flight f;
    hs_flight_init(&f, &c->hs);
    CHECK_CODE(hs_msg_end(&f, two_messages(hs_msg_begin(&f))).code, WARD_ERR_INTERNAL);
    hs_flight_free(&f);
    ward_conn_free(c);
    ward_config_free(cfg);
    return test_report();
}
