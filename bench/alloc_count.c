/* Heap accounting for the whole process.
 *
 * The bench executable defines malloc, calloc, realloc, free and the
 * aligned variants itself; the dynamic linker resolves every library's
 * calls (libward, libcrypto, libssl, libgnutls, nettle, gmp, libc's own
 * strdup/fopen...) to these, so every library is counted the same way.
 * Each forwards to glibc's real allocator (__libc_*), and the size of a
 * block is read back with malloc_usable_size, so no header is added and a
 * block's accounting is exact on free.
 *
 * Bytes and calls are charged to alloc_side, which the bench sets around
 * every library call (client or server). The bench is single-threaded;
 * the counters are plain. */
#include <errno.h>
#include <malloc.h>
#include <stdint.h>
#include <stdlib.h>

#include "bench.h"

extern void *__libc_malloc(size_t size);
extern void *__libc_calloc(size_t n, size_t size);
extern void *__libc_realloc(void *p, size_t size);
extern void __libc_free(void *p);
extern void *__libc_memalign(size_t align, size_t size);

int alloc_side = SIDE_NONE;
static alloc_stats stats;

static void charge(void *p)
{
    if (!p)
        return;
    int s = alloc_side;
    stats.live[s] += (long long)malloc_usable_size(p);
    stats.mallocs[s]++;
    if (stats.live[s] > stats.peak[s])
        stats.peak[s] = stats.live[s];
}

static void release(void *p)
{
    if (p)
        stats.live[alloc_side] -= (long long)malloc_usable_size(p);
}

void alloc_snapshot(alloc_stats *out) { *out = stats; }

void alloc_reset_peaks(void)
{
    for (int s = 0; s < SIDE_COUNT; s++)
        stats.peak[s] = stats.live[s];
}

void *malloc(size_t size)
{
    void *p = __libc_malloc(size);
    charge(p);
    return p;
}

void *calloc(size_t n, size_t size)
{
    void *p = __libc_calloc(n, size);
    charge(p);
    return p;
}

void free(void *p)
{
    release(p);
    __libc_free(p);
}

void *realloc(void *old, size_t size)
{
    if (!old)
        return malloc(size);
    if (size == 0) {
        free(old);
        return NULL;
    }
    size_t before = malloc_usable_size(old);
    void *p = __libc_realloc(old, size);
    if (!p)
        return NULL;
    /* Counted as one allocation: a realloc may move and copy the block. */
    int s = alloc_side;
    stats.live[s] += (long long)malloc_usable_size(p) - (long long)before;
    stats.mallocs[s]++;
    if (stats.live[s] > stats.peak[s])
        stats.peak[s] = stats.live[s];
    return p;
}

void *reallocarray(void *old, size_t n, size_t size)
{
    if (size && n > SIZE_MAX / size) {
        errno = ENOMEM;
        return NULL;
    }
    return realloc(old, n * size);
}

void *memalign(size_t align, size_t size)
{
    void *p = __libc_memalign(align, size);
    charge(p);
    return p;
}

void *aligned_alloc(size_t align, size_t size) { return memalign(align, size); }

int posix_memalign(void **out, size_t align, size_t size)
{
    if (align < sizeof(void *) || (align & (align - 1)) != 0)
        return EINVAL;
    void *p = memalign(align, size);
    if (!p)
        return ENOMEM;
    *out = p;
    return 0;
}

void *valloc(size_t size) { return memalign(4096, size); }

void *pvalloc(size_t size) { return memalign(4096, (size + 4095) & ~(size_t)4095); }
