/* A few checks for the unit-test programs. Each failed check prints where
 * it failed; main ends with test_report(), which prints "N passed, N failed"
 * and returns the exit status. */
#ifndef WARD_TESTUTIL_H
#define WARD_TESTUTIL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

extern int test_passed, test_failed;

#define CHECK(cond)                                                            \
    do {                                                                       \
        if (cond) {                                                            \
            test_passed++;                                                     \
        } else {                                                               \
            test_failed++;                                                     \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
        }                                                                      \
    } while (0)

/* Check a wres / ward_err value against an expected code. */
#define CHECK_CODE(expr, want)                                                 \
    do {                                                                       \
        int got_ = (int)(expr);                                                \
        if (got_ == (int)(want)) {                                             \
            test_passed++;                                                     \
        } else {                                                               \
            test_failed++;                                                     \
            fprintf(stderr, "%s:%d: %s gave %d (%s), want %d (%s)\n", __FILE__, __LINE__, \
                    #expr, got_, ward_err_str((ward_err)got_), (int)(want),     \
                    ward_err_str((ward_err)(want)));                           \
        }                                                                      \
    } while (0)
#define CHECK_OK(r) CHECK_CODE((r).code, WARD_OK)

#define CHECK_MEM(a, b, n) check_mem(__FILE__, __LINE__, #a, (a), (b), (n))
void check_mem(const char *file, int line, const char *what, const void *a, const void *b,
               size_t n);

/* Parse hex (whitespace ignored) into out; returns the byte count or -1. */
long hex_decode(const char *hex, uint8_t *out, size_t cap);
int test_report(void);

#endif
