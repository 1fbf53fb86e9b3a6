/* Providers for tests (ward_config_set_clock, ward_config_set_random): a
 * clock that stands still and a random source that plays back a script of
 * bytes, in the order the engine draws them, and then fails. */
#ifndef WARD_TEST_PROVIDERS_H
#define WARD_TEST_PROVIDERS_H

#include <stddef.h>
#include <stdint.h>

#include "ward/ward.h"

typedef struct {
    uint64_t realtime_ms;  /* WARD_CLOCK_REALTIME */
    uint64_t monotonic_ms; /* WARD_CLOCK_MONOTONIC */
} test_clock;
/* A ward_clock_fn; arg is a test_clock. */
uint64_t test_clock_read(void *arg, int which);
/* Install a clock standing at unix_seconds (plus ms). */
void test_clock_at(ward_config *cfg, test_clock *clk, uint64_t unix_seconds, uint64_t ms);

#define TEST_SCRIPT_MAX 8192
typedef struct {
    uint8_t bytes[TEST_SCRIPT_MAX];
    size_t len, pos;
    size_t draws;  /* calls answered */
    int exhausted; /* a call asked for more than was left (and failed) */
} test_script;
/* Append n bytes to the script. */
void test_script_add(test_script *s, const uint8_t *p, size_t n);
/* A ward_random_fn; arg is a test_script. Gives the next len bytes; -1
 * when fewer are left. */
int test_script_draw(void *arg, uint8_t *out, size_t len);
/* 1 if every byte of the script was drawn and no draw asked for more. */
int test_script_done(const test_script *s);

/* A ward_random_fn that always fails (arg: a counter of calls, or NULL). */
int test_random_fail(void *arg, uint8_t *out, size_t len);

#endif
