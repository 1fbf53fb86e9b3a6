/* Zeroizing memory and constant-time comparison. */
#ifndef WARD_BASE_MEM_H
#define WARD_BASE_MEM_H

#include <stddef.h>
#include <stdint.h>

/* Wipe memory in a way the compiler may not elide. */
void ward_zeroize(void *p, size_t n);
/* 1 if equal, 0 if not; time depends only on n. */
int ward_ct_equal(const void *a, const void *b, size_t n);
/* calloc / free that wipe on free (size must be the allocated size). */
void *ward_alloc(size_t n);
void ward_free_secret(void *p, size_t n);

#endif
