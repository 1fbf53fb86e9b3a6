/* Test providers: a fixed clock and a scripted random source. */
#include <stdlib.h>
#include <string.h>

#include "providers.h"

uint64_t test_clock_read(void *arg, int which)
{
    const test_clock *c = arg;
    return which == WARD_CLOCK_MONOTONIC ? c->monotonic_ms : c->realtime_ms;
}

void test_clock_at(ward_config *cfg, test_clock *clk, uint64_t unix_seconds, uint64_t ms)
{
    clk->realtime_ms = unix_seconds * 1000 + ms;
    clk->monotonic_ms = 1000000;
    ward_config_set_clock(cfg, test_clock_read, clk);
}

void test_script_add(test_script *s, const uint8_t *p, size_t n)
{
    if (n > sizeof s->bytes - s->len)
        abort(); /* a test's script cannot be larger than this */
    memcpy(s->bytes + s->len, p, n);
    s->len += n;
}

int test_script_draw(void *arg, uint8_t *out, size_t len)
{
    test_script *s = arg;
    if (len > s->len - s->pos) {
        s->exhausted = 1;
        return -1;
    }
    memcpy(out, s->bytes + s->pos, len);
    s->pos += len;
    s->draws++;
    return 0;
}

int test_script_done(const test_script *s) { return s->pos == s->len && !s->exhausted; }

int test_random_fail(void *arg, uint8_t *out, size_t len)
{
    (void)out;
    (void)len;
    if (arg)
        (*(int *)arg)++;
    return -1;
}
