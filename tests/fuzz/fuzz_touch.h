/* touch(): read every byte of a span a decoder handed back, so that a span
 * reaching outside the input is caught by ASan, into a volatile sink so the
 * reads are not optimized away. For the decoder-level fuzz targets. */
#ifndef WARD_FUZZ_TOUCH_H
#define WARD_FUZZ_TOUCH_H

#include <stdint.h>

#include "base/bytes.h"

static volatile uint8_t sink;

static void touch(span s)
{
    uint8_t x = 0;
    for (size_t i = 0; i < s.len; i++)
        x ^= s.p[i];
    sink ^= x;
}

#endif
