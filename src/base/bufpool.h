/* Queue buffers parked per thread between connections' bursts. */
#ifndef WARD_BASE_BUFPOOL_H
#define WARD_BASE_BUFPOOL_H

#include <stddef.h>
#include <stdint.h>

/* A parked buffer of at least min bytes (its size in *cap), or NULL. */
uint8_t *bufpool_take(size_t min, size_t *cap);
/* Hand back a buffer that no longer holds anything secret (wiped, or only
 * ever wire bytes): parked for the next taker on this thread, or freed. */
void bufpool_give(uint8_t *buf, size_t cap);

#endif
