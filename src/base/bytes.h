/* Bounds-checked reader and writer over byte spans.
 *
 * Every byte from the peer goes through a reader. Opening a length-prefixed
 * block yields a sub-reader that the caller must consume exactly
 * (rd_expect_end); trailing bytes are a decode_error. Reads past the end
 * fail with WARD_ERR_DECODE and never touch memory outside the span.
 *
 * The writer appends into caller memory; opening a block reserves its length
 * prefix and closing it fills the length in. Overflow of the capacity is
 * sticky: every later write fails, and wr_close reports it. */
#ifndef WARD_BASE_BYTES_H
#define WARD_BASE_BYTES_H

#include <stddef.h>
#include <stdint.h>

#include "base/result.h"

typedef struct {
    const uint8_t *p;
    size_t len;
} span;

static inline span span_of(const uint8_t *p, size_t len) { return (span){p, len}; }

/* ---- reader ---- */
typedef struct {
    const uint8_t *p;
    size_t left;
} rd;

static inline rd rd_of(const uint8_t *p, size_t len) { return (rd){p, len}; }
static inline rd rd_span(span s) { return (rd){s.p, s.len}; }
static inline size_t rd_left(const rd *r) { return r->left; }

WARD_MUST_CHECK wres rd_u8(rd *r, uint8_t *out);
WARD_MUST_CHECK wres rd_u16(rd *r, uint16_t *out);
WARD_MUST_CHECK wres rd_u24(rd *r, uint32_t *out);
WARD_MUST_CHECK wres rd_u32(rd *r, uint32_t *out);
/* Copy exactly n bytes out. */
WARD_MUST_CHECK wres rd_copy(rd *r, uint8_t *out, size_t n);
/* Borrow n bytes (zero-copy view into the input). */
WARD_MUST_CHECK wres rd_bytes(rd *r, size_t n, span *out);
/* Open a block prefixed with a 1, 2 or 3 byte length. */
WARD_MUST_CHECK wres rd_block8(rd *r, rd *sub);
WARD_MUST_CHECK wres rd_block16(rd *r, rd *sub);
WARD_MUST_CHECK wres rd_block24(rd *r, rd *sub);
/* Everything left, as a span; leaves the reader empty. */
span rd_rest(rd *r);
/* WARD_ERR_DECODE unless the reader was consumed exactly. */
WARD_MUST_CHECK wres rd_expect_end(const rd *r);

/* ---- writer ---- */
typedef struct wr {
    uint8_t *buf;
    size_t cap;
    size_t len;
    int overflow; /* sticky */
    /* A writer that owns its buffer may enlarge it (buf and cap) to hold
     * need more bytes; NULL: the capacity is fixed. */
    void (*grow)(struct wr *w, size_t need);
} wr;

#define WR_MAX_DEPTH 8
typedef struct {
    size_t at;     /* offset of the length prefix */
    uint8_t width; /* 1, 2 or 3 */
} wr_block;

static inline wr wr_of(uint8_t *buf, size_t cap) { return (wr){buf, cap, 0, 0, NULL}; }

void wr_u8(wr *w, uint8_t v);
void wr_u16(wr *w, uint16_t v);
void wr_u24(wr *w, uint32_t v);
void wr_u32(wr *w, uint32_t v);
void wr_u64(wr *w, uint64_t v);
void wr_bytes(wr *w, const void *p, size_t n);
void wr_zeros(wr *w, size_t n);
/* Reserve n bytes and return a pointer to them (NULL on overflow). */
uint8_t *wr_reserve(wr *w, size_t n);
/* Open a block with a width-byte length prefix; close fills it in.
 * Closing fails (WARD_ERR_INTERNAL) when the block is too long for its
 * prefix or the writer overflowed. */
wr_block wr_open(wr *w, uint8_t width);
WARD_MUST_CHECK wres wr_close(wr *w, wr_block b);
/* WARD_ERR_INTERNAL if any write overflowed. */
WARD_MUST_CHECK wres wr_status(const wr *w);

#endif
