/* ward_config_set_clock, ward_config_set_random: the configuration's
 * providers (base/clock.h). Everything that reads the time or draws
 * randomness asks cfg->prov; nothing else is consulted. */
#include "conn/internal.h"

void ward_config_set_clock(ward_config *cfg, ward_clock_fn fn, void *arg)
{
    if (!cfg)
        return;
    cfg->prov.clock = fn;
    cfg->prov.clock_arg = fn ? arg : NULL;
    if (cfg->resume)
        resume_store_set_providers(cfg->resume, &cfg->prov);
}

void ward_config_set_random(ward_config *cfg, ward_random_fn fn, void *arg)
{
    if (!cfg)
        return;
    cfg->prov.random = fn;
    cfg->prov.random_arg = fn ? arg : NULL;
    /* The server's first ticket key was drawn when the configuration was
     * made; draw it again from the new source. */
    if (cfg->resume)
        resume_store_set_providers(cfg->resume, &cfg->prov);
}
