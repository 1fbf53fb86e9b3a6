#include "testutil.h"

#include <ctype.h>
#include <string.h>

#include "ward/ward.h"

int test_passed, test_failed;

void check_mem(const char *file, int line, const char *what, const void *a, const void *b,
               size_t n)
{
    if (memcmp(a, b, n) == 0) {
        test_passed++;
        return;
    }
    test_failed++;
    const uint8_t *x = a, *y = b;
    size_t i = 0;
    while (i < n && x[i] == y[i])
        i++;
    fprintf(stderr, "%s:%d: %s differs at byte %zu of %zu (got %02x, want %02x)\n", file, line,
            what, i, n, x[i], y[i]);
}

long hex_decode(const char *hex, uint8_t *out, size_t cap)
{
    size_t n = 0;
    int hi = -1;
    for (const char *p = hex; *p; p++) {
        if (isspace((unsigned char)*p))
            continue;
        if (!isxdigit((unsigned char)*p))
            return -1;
        int v = isdigit((unsigned char)*p) ? *p - '0' : (tolower((unsigned char)*p) - 'a' + 10);
        if (hi < 0) {
            hi = v;
        } else {
            if (n >= cap)
                return -1;
            out[n++] = (uint8_t)(hi << 4 | v);
            hi = -1;
        }
    }
    return hi < 0 ? (long)n : -1;
}

int test_report(void)
{
    printf("%d passed, %d failed\n", test_passed, test_failed);
    return test_failed ? 1 : 0;
}
