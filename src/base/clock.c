/* The one reader of time: the configuration's clock, or the system's. */
#include "base/clock.h"

static uint64_t system_ms(int which)
{
    struct timespec ts;
    if (clock_gettime(which == WARD_CLOCK_MONOTONIC ? CLOCK_MONOTONIC : CLOCK_REALTIME, &ts) != 0)
        return 0;
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

uint64_t ward_time_ms(const ward_providers *p, int which)
{
    if (p && p->clock)
        return p->clock(p->clock_arg, which);
    return system_ms(which);
}

time_t ward_time_s(const ward_providers *p)
{
    return (time_t)(ward_time_ms(p, WARD_CLOCK_REALTIME) / 1000);
}
