/* A growable byte queue for the engine's input, output and plaintext. */
#ifndef WARD_BASE_BYTEQ_H
#define WARD_BASE_BYTEQ_H

#include <stddef.h>
#include <stdint.h>

#include "base/result.h"

/* A growable byte queue: data lives in [off, len). Bytes up to the high
 * water mark are wiped when the buffer goes, unless the queue only ever
 * holds what goes on the wire anyway (the output: records as sent). */
typedef struct {
    uint8_t *buf;
    size_t off, len, cap;
    size_t hwm;
    int wire_only;
} byteq;

static inline size_t byteq_size(const byteq *q) { return q->len - q->off; }
static inline const uint8_t *byteq_data(const byteq *q)
{
    return q->buf ? q->buf + q->off : NULL;
}
/* Make room for n more bytes at the end; returns where to write them. */
uint8_t *byteq_reserve(byteq *q, size_t n);
WARD_MUST_CHECK wres byteq_append(byteq *q, const uint8_t *p, size_t n);
/* Count n bytes written at byteq_reserve's pointer as queued. */
static inline void byteq_commit(byteq *q, size_t n)
{
    q->len += n;
    if (q->len > q->hwm)
        q->hwm = q->len;
}
void byteq_consume(byteq *q, size_t n);
void byteq_free(byteq *q);
/* Give the buffer back when nothing is queued: an idle connection holds no
 * buffers (one allocation per burst instead of 4+ KiB per idle queue). */
static inline void byteq_release_if_empty(byteq *q)
{
    if (q->buf && q->off == q->len)
        byteq_free(q);
}

#endif
