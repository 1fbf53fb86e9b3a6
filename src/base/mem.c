#include "base/mem.h"

#include <stdlib.h>
#include <string.h>

void ward_zeroize(void *p, size_t n)
{
    if (!p || !n)
        return;
    /* A volatile function pointer keeps the compiler from removing the wipe
     * of memory that is about to be freed or go out of scope. */
    static void *(*const volatile wipe)(void *, int, size_t) = memset;
    wipe(p, 0, n);
}

int ward_ct_equal(const void *a, const void *b, size_t n)
{
    const volatile uint8_t *x = a, *y = b;
    uint8_t d = 0;
    for (size_t i = 0; i < n; i++)
        d |= (uint8_t)(x[i] ^ y[i]);
    return (int)(1 & ((d - 1) >> 8));
}

void *ward_alloc(size_t n) { return calloc(1, n ? n : 1); }

void ward_free_secret(void *p, size_t n)
{
    if (!p)
        return;
    ward_zeroize(p, n);
    free(p);
}
