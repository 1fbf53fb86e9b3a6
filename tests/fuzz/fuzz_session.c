/* libFuzzer target: what resumption parses from outside. The first byte
 * selects (modulo the count):
 *   0  ward_session_decode: a saved session file (then encode it again and
 *      decode that: the round trip must give the same bytes)
 *   1  msg_decode_psk_offer: a ClientHello's pre_shared_key extension
 *   2  msg_decode_new_session_ticket12: RFC 5077's NewSessionTicket body
 *   3  resume_state_decode: a ticket's plaintext
 *   4  resume_ticket_open: a ticket as a client presents it, under fixed
 *      keys (authentication must reject it); and a state sealed from the
 *      input must open to the same state
 * The rest of the input is copied to a buffer of exactly its size, so a
 * read past it is caught. */
#include <stdlib.h>
#include <string.h>

#include "conn/internal.h"
#include "hs/resume.h"
#include "msg/msg.h"
#include "fuzz_touch.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static resume_store *store(void)
{
    static resume_store *rs;
    if (!rs) {
        uint8_t keys[96];
        for (size_t i = 0; i < sizeof keys; i++)
            keys[i] = (uint8_t)(i * 7 + 1);
        rs = resume_store_new();
        if (!rs || !wres_is_ok(resume_store_set_keys(rs, keys, sizeof keys)))
            abort();
    }
    return rs;
}

static void session_round_trip(const uint8_t *p, size_t n)
{
    ward_session *s = ward_session_decode(p, n);
    if (!s)
        return;
    uint8_t *buf = malloc(n + 64), *buf2 = malloc(n + 64);
    size_t len, len2;
    if (ward_session_encode(s, buf, n + 64, &len) != WARD_OK)
        abort();
    ward_session *again = ward_session_decode(buf, len);
    if (!again || ward_session_encode(again, buf2, n + 64, &len2) != WARD_OK || len2 != len ||
        memcmp(buf, buf2, len) != 0)
        abort();
    ward_session_free(again);
    ward_session_free(s);
    free(buf);
    free(buf2);
}

static void ticket(const uint8_t *p, size_t n)
{
    resume_state st;
    if (resume_ticket_open(store(), p, n, &st))
        abort(); /* nobody outside knows the keys */
    rd r = rd_of(p, n);
    if (!wres_is_ok(resume_state_decode(&r, &st)))
        return;
    uint8_t t[RESUME_MAX_TICKET];
    size_t tlen;
    resume_state back;
    if (!wres_is_ok(resume_ticket_seal(store(), &st, 3600, t, sizeof t, &tlen)) ||
        !resume_ticket_open(store(), t, tlen, &back) || back.secret_len != st.secret_len ||
        memcmp(back.secret, st.secret, st.secret_len) != 0 || back.suite != st.suite ||
        strcmp(back.alpn, st.alpn) != 0 || strcmp(back.server_name, st.server_name) != 0)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    uint8_t sel = data[0] % 5;
    size_t n = size - 1;
    uint8_t *p = malloc(n ? n : 1);
    memcpy(p, data + 1, n);
    switch (sel) {
    case 0:
        session_round_trip(p, n);
        break;
    case 1: {
        msg_psk_offer o;
        if (wres_is_ok(msg_decode_psk_offer(span_of(p, n), &o)))
            for (size_t i = 0; i < o.n; i++) {
                touch(o.identity[i]);
                touch(o.binder[i]);
            }
        break;
    }
    case 2: {
        uint32_t hint;
        span t;
        if (wres_is_ok(msg_decode_new_session_ticket12(span_of(p, n), &hint, &t)))
            touch(t);
        break;
    }
    case 3: {
        resume_state st;
        rd r = rd_of(p, n);
        (void)resume_state_decode(&r, &st);
        break;
    }
    default:
        ticket(p, n);
        break;
    }
    free(p);
    return 0;
}
