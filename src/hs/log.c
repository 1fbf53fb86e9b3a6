/* The application's log callback (ward_config_set_log): the few things
 * the library has to say that no call returns. */
#include <stdarg.h>
#include <stdio.h>

#include "hs/config.h"

void ward_config_set_log(ward_config *cfg, ward_log_fn fn, void *arg)
{
    cfg->log_fn = fn;
    cfg->log_arg = fn ? arg : NULL;
}

void config_log(const ward_config *cfg, int level, const char *fmt, ...)
{
    if (!cfg || !cfg->log_fn)
        return;
    char line[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    cfg->log_fn(cfg->log_arg, level, line);
}
