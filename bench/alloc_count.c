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
 * every library call (client or server). A block's bytes come off the side
 * that was charged for them, whichever side frees it: ward parks emptied
 * queue buffers per thread for the next connection, and here both sides
 * run on one thread, so the server's buffer can end up freed on the
 * client's turn. The bench is single-threaded; the counters are plain. */
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

/* The side charged for each live block: an open-addressing table keyed by
 * address, linear probing, deletion by backward shift. When it is full a
 * block goes unrecorded and its free is charged to alloc_side. */
#define OWNER_BITS 20
#define OWNER_SLOTS (1u << OWNER_BITS)
static struct {
    uintptr_t p;
    unsigned char side;
} owners[OWNER_SLOTS];
static size_t owners_used;

static size_t owner_home(uintptr_t p)
{
    return (size_t)(((uint64_t)(p >> 4) * 0x9E3779B97F4A7C15ull) >> (64 - OWNER_BITS));
}

static void owner_put(void *p, int side)
{
    if (owners_used >= OWNER_SLOTS / 4 * 3)
        return;
    uintptr_t k = (uintptr_t)p;
    size_t i = owner_home(k);
    while (owners[i].p && owners[i].p != k)
        i = (i + 1) & (OWNER_SLOTS - 1);
    if (!owners[i].p)
        owners_used++;
    owners[i].p = k;
    owners[i].side = (unsigned char)side;
}

/* The side charged for p, forgotten; alloc_side when unknown. */
static int owner_take(void *p)
{
    uintptr_t k = (uintptr_t)p;
    size_t i = owner_home(k);
    while (owners[i].p && owners[i].p != k)
        i = (i + 1) & (OWNER_SLOTS - 1);
    if (!owners[i].p)
        return alloc_side;
    int side = owners[i].side;
    owners_used--;
    /* Backward shift: move later entries of the run into the hole when
     * their home does not lie (cyclically) between the hole and them. */
    size_t hole = i, j = i;
    for (;;) {
        j = (j + 1) & (OWNER_SLOTS - 1);
        if (!owners[j].p)
            break;
        size_t home = owner_home(owners[j].p);
        if (((j - home) & (OWNER_SLOTS - 1)) >= ((j - hole) & (OWNER_SLOTS - 1))) {
            owners[hole] = owners[j];
            hole = j;
        }
    }
    owners[hole].p = 0;
    return side;
}

static void charge(void *p)
{
    if (!p)
        return;
    int s = alloc_side;
    stats.live[s] += (long long)malloc_usable_size(p);
    stats.mallocs[s]++;
    if (stats.live[s] > stats.peak[s])
        stats.peak[s] = stats.live[s];
    owner_put(p, s);
}

static void release(void *p)
{
    if (p) {
        size_t n = malloc_usable_size(p);
        stats.live[owner_take(p)] -= (long long)n;
    }
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
    /* Counted as one allocation, charged to the side that reallocates: a
     * realloc may move and copy the block. */
    stats.live[owner_take(old)] -= (long long)before;
    charge(p);
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
