/* The TLS options `ward client` and `ward server` share: parsed once here,
 * settled and applied to a ward_config the same way for both. */
#include "cli.h"

int cli_tls_opt(const char *cmd, int argc, char **argv, int *i, cli_tls_opts *t)
{
    int r = cli_version_opt(cmd, argc, argv, i, &t->ver);
    if (r == 0)
        r = cli_trace_opt(cmd, argc, argv, i, &t->trace);
    if (r != 0)
        return r;
    const char *v;
    int bad = 0;
    if ((v = cli_opt_value(cmd, argc, argv, i, "--alpn", NULL, &bad))) {
        if (cli_parse_alpn(cmd, v, &t->alpn) != 0)
            return -1;
    } else if (!bad && (v = cli_opt_value(cmd, argc, argv, i, "--groups", NULL, &bad))) {
        if (cli_parse_groups(cmd, v, &t->groups) != 0)
            return -1;
        t->have_groups = 1;
    } else if (!bad && (v = cli_opt_value(cmd, argc, argv, i, "--suites", NULL, &bad))) {
        if (cli_parse_suites(cmd, v, &t->suites) != 0)
            return -1;
        t->have_suites = 1;
    } else if (!bad && (v = cli_opt_value(cmd, argc, argv, i, "--keylog", NULL, &bad))) {
        t->keylog = v;
    } else if (!bad && (v = cli_opt_value(cmd, argc, argv, i, "--export", NULL, &bad))) {
        if (cli_parse_export(cmd, v, &t->export) != 0)
            return -1;
    } else {
        return bad ? -1 : 0;
    }
    return 1;
}

int cli_tls_settle(const char *cmd, cli_tls_opts *t)
{
    if (cli_trace_settle(cmd, &t->trace) != 0)
        return -1;
    return cli_versions_settle(cmd, &t->ver, t->have_suites ? &t->suites : NULL,
                               t->have_groups ? &t->groups : NULL, &t->min_version,
                               &t->max_version);
}

int cli_tls_apply(ward_config *cfg, const cli_tls_opts *t)
{
    return cli_config_apply_tls(cfg, &t->ver, t->min_version, t->max_version, &t->alpn,
                                t->have_groups ? &t->groups : NULL,
                                t->have_suites ? &t->suites : NULL);
}

void cli_tls_free(cli_tls_opts *t)
{
    cli_str_list_free(&t->alpn);
}
