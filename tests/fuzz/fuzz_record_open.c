/* libFuzzer target: the record layer's reading side. Input: a mode byte
 * (unprotected, TLS 1.3 AES-128/256-GCM or ChaCha20, TLS 1.2 GCM or
 * ChaCha20, with fixed keys: fuzz_record_keys.h), then a stream of records.
 * Each record is framed with rec_dir_peek, opened in place with rec_open, and
 * handshake payloads go through reassembly, as the engine does. */
#include <stdlib.h>

#include "fuzz_record_keys.h"
#include "record/record.h"
#include "fuzz_touch.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    rec_dir d;
    if (!fz_rec_setup(&d, data[0], 0))
        abort();
    size_t len = size - 1;
    uint8_t *buf = malloc(len ? len : 1);
    if (!buf)
        return 0;
    memcpy(buf, data + 1, len);
    hs_reasm reasm;
    hs_reasm_init(&reasm, 1 << 16);
    size_t off = 0;
    while (off < len) {
        size_t total;
        if (!wres_is_ok(rec_dir_peek(&d, buf + off, len - off, &total)) || total == 0)
            break;
        if (total > len - off)
            abort(); /* rec_dir_peek promised a record longer than the buffer */
        uint8_t type;
        span payload;
        wres r = rec_open(&d, buf + off, total, &type, &payload);
        off += total;
        if (!wres_is_ok(r))
            break;
        if (payload.len > REC_MAX_PLAINTEXT)
            abort(); /* rec_open must enforce 2^14 */
        touch(payload);
        if (type != CT_HANDSHAKE)
            continue;
        if (!wres_is_ok(hs_reasm_add(&reasm, payload.p, payload.len)))
            break;
        int have = 1, bad = 0;
        while (have) {
            uint8_t mtype;
            span body, full;
            if (!wres_is_ok(hs_reasm_next(&reasm, &have, &mtype, &body, &full))) {
                bad = 1;
                break;
            }
            if (have) {
                if (full.len != body.len + 4)
                    abort();
                touch(full);
                hs_reasm_consume(&reasm);
            }
        }
        if (bad)
            break;
    }
    hs_reasm_free(&reasm);
    rec_dir_clear(&d);
    free(buf);
    return 0;
}
