/* The providers of a configuration (ward_config_set_clock,
 * ward_config_set_random) and the one place ward reads the time. The
 * random half is drawn in crypto/rand.c (crypto_random_from), since its
 * default is libcrypto's DRBG. */
#ifndef WARD_BASE_CLOCK_H
#define WARD_BASE_CLOCK_H

#include <stdint.h>
#include <time.h>

#include "ward/ward.h"

typedef struct {
    ward_clock_fn clock; /* NULL: the system clocks */
    void *clock_arg;
    ward_random_fn random; /* NULL: libcrypto's DRBG */
    void *random_arg;
} ward_providers;

/* Milliseconds on clock which (WARD_CLOCK_REALTIME or _MONOTONIC). p may
 * be NULL: the system clocks. */
uint64_t ward_time_ms(const ward_providers *p, int which);
/* The wall clock in whole seconds since the epoch (certificates, tickets). */
time_t ward_time_s(const ward_providers *p);

#endif
