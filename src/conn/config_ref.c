/* Reference-counted configurations (issue #18): a server swaps its
 * certificate by making a new configuration and dropping its reference to
 * the old one, which lives on until the last connection made from it is
 * freed. The count is atomic: connections of one configuration may be
 * made and freed on different threads. */
#include <stdatomic.h>

#include "conn/internal.h"
#include "hs/config.h"

ward_config *ward_config_ref(ward_config *cfg)
{
    if (cfg)
        atomic_fetch_add_explicit(&cfg->refs, 1, memory_order_relaxed);
    return cfg;
}

/* acq_rel: whatever a thread did with the configuration happens before
 * the thread that drops the last reference frees it. */
int config_drop_ref(ward_config *cfg)
{
    return atomic_fetch_sub_explicit(&cfg->refs, 1, memory_order_acq_rel) == 1;
}

void config_hold(const ward_config *cfg)
{
    /* The configuration was made non-const by its creator: the count is
     * the one field a connection changes. */
    ward_config_ref((ward_config *)(uintptr_t)cfg);
}

void config_release(const ward_config *cfg)
{
    ward_config_free((ward_config *)(uintptr_t)cfg);
}
