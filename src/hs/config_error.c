/* What a configuration setter found wrong, for a person (issue #18):
 * "no such file: PATH", "the key does not match the certificate", ...
 * The last failing setter's text; ward_config_error_message reads it. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "hs/config.h"

ward_err config_fail(ward_config *cfg, ward_err code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cfg->err_msg, sizeof cfg->err_msg, fmt, ap);
    va_end(ap);
    return code;
}

/* A file the setter is about to read: missing or unreadable says so. */
ward_err config_check_file(ward_config *cfg, const char *path, const char *what)
{
    if (!path)
        return config_fail(cfg, WARD_ERR_CONFIG, "no %s file given", what);
    if (access(path, R_OK) == 0)
        return WARD_OK;
    if (errno == ENOENT)
        return config_fail(cfg, WARD_ERR_CONFIG, "no such file: %s", path);
    return config_fail(cfg, WARD_ERR_CONFIG, "cannot read %s: %s", path, strerror(errno));
}

const char *ward_config_error_message(const ward_config *cfg)
{
    return cfg ? cfg->err_msg : "";
}
