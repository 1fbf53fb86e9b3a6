/* cli_trace.c: the trace options (--trace, --trace-out, --explain,
 * --color) and a command's trace at run time (cli_trace.h). */
#include "cli_trace.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char cli_trace_help[] =
    "Handshake trace (README: 'Watching a handshake'):\n"
    "  --trace[=FORMAT]       draw the handshake: text (default; a two-column\n"
    "                         diagram, 80 columns), json (one object per event,\n"
    "                         docs/trace-schema.md) or svg (needs --trace-out)\n"
    "  --trace-out FILE       write the trace to FILE (default: stderr; for\n"
    "                         'ward trace' stdout; a server appends each\n"
    "                         connection's, svg: rewritten per connection);\n"
    "                         implies --trace\n"
    "  --explain              text: under each step, which objective it serves\n"
    "                         (negotiate, authenticate the server, agree on\n"
    "                         keys); implies --trace\n"
    "  --color=WHEN           colour the text trace: auto (a terminal, TERM not\n"
    "                         dumb, NO_COLOR unset), always, never (default auto)\n";

static int format_of(const char *cmd, const char *v)
{
    if (strcmp(v, "text") == 0)
        return TRACE_TEXT;
    if (strcmp(v, "json") == 0)
        return TRACE_JSON;
    if (strcmp(v, "svg") == 0)
        return TRACE_SVG;
    cli_usage_error(cmd, "--trace=%s: the formats are text, json and svg", v);
    return -1;
}

static int color_of(const char *cmd, const char *v)
{
    if (strcmp(v, "never") == 0)
        return 0;
    if (strcmp(v, "always") == 0)
        return 1;
    if (strcmp(v, "auto") == 0)
        return 2;
    cli_usage_error(cmd, "--color=%s: auto, always or never", v);
    return -1;
}

/* --trace and --color take their value only after '=' (a bare --trace
 * must not swallow the HOST that follows). */
int cli_trace_opt(const char *cmd, int argc, char **argv, int *i, cli_trace_opts *t)
{
    const char *a = argv[*i], *v;
    int bad = 0;
    if (strcmp(a, "--trace") == 0) {
        t->on = 1;
        t->format = t->format ? t->format : TRACE_TEXT;
    } else if (strncmp(a, "--trace=", 8) == 0) {
        if ((t->format = format_of(cmd, a + 8)) < 0)
            return -1;
        t->on = 1;
    } else if (strcmp(a, "--explain") == 0) {
        t->explain = 1;
    } else if (strcmp(a, "--color") == 0) {
        t->color = 1;
    } else if (strncmp(a, "--color=", 8) == 0) {
        if ((t->color = color_of(cmd, a + 8)) < 0)
            return -1;
        t->color_set = 1;
    } else if ((v = cli_opt_value(cmd, argc, argv, i, "--trace-out", NULL, &bad))) {
        if (!*v) {
            cli_usage_error(cmd, "--trace-out needs a file name");
            return -1;
        }
        t->out = v;
    } else {
        return bad ? -1 : 0;
    }
    if (strcmp(a, "--color") == 0)
        t->color_set = 1;
    return 1;
}

int cli_trace_settle(const char *cmd, cli_trace_opts *t)
{
    if (!t->color_set)
        t->color = 2;
    if (t->explain || t->out)
        t->on = 1;
    if (t->on && !t->format)
        t->format = TRACE_TEXT;
    if (t->on && t->format == TRACE_SVG && !t->out) {
        cli_usage_error(cmd, "--trace=svg needs --trace-out FILE");
        return -1;
    }
    if (t->explain && t->format != TRACE_TEXT) {
        cli_usage_error(cmd, "--explain is for the text trace, not --trace=%s",
                        t->format == TRACE_JSON ? "json" : "svg");
        return -1;
    }
    return 0;
}

/* auto: a terminal that is not "dumb", and NO_COLOR unset (no-color.org). */
static int want_color(const cli_trace_opts *o, FILE *f)
{
    if (o->color != 2)
        return o->color;
    const char *term = getenv("TERM");
    const char *nc = getenv("NO_COLOR");
    return f && isatty(fileno(f)) && term && *term && strcmp(term, "dumb") != 0 &&
           !(nc && *nc);
}

int cli_trace_open(cli_trace *ct, const cli_trace_opts *o, FILE *dflt, int append, int buffered)
{
    memset(ct, 0, sizeof *ct);
    ct->o = *o;
    if (!o->on)
        return 0;
    ct->buffered = buffered;
    ct->target = dflt;
    if (o->out && o->format != TRACE_SVG) {
        ct->target = fopen(o->out, append ? "a" : "w");
        if (!ct->target) {
            cli_error("--trace-out %s: %s", o->out, strerror(errno));
            return -1;
        }
        ct->own_target = 1;
    }
    ct->o.color = want_color(o, ct->target);
    return 0;
}

int cli_trace_begin(cli_trace *ct, ward_config *cfg)
{
    if (!ct->o.on)
        return 0;
    FILE *out = ct->target;
    if (ct->buffered && ct->o.format != TRACE_SVG) {
        ct->mem_f = open_memstream(&ct->mem, &ct->mem_len);
        if (!ct->mem_f) {
            cli_error("trace: out of memory");
            return -1;
        }
        out = ct->mem_f;
    }
    trace_opts to = {.format = (trace_format)ct->o.format, .explain = ct->o.explain,
                     .color = ct->o.color, .out = out, .svg_path = ct->o.out};
    ct->sink = trace_sink_new(&to);
    if (!ct->sink) {
        cli_error("trace: out of memory");
        return -1;
    }
    ct->t0 = cli_now_ms();
    ward_config_set_trace(cfg, trace_sink_event, ct->sink);
    return 0;
}

void cli_trace_conn_starts(cli_trace *ct)
{
    long long ms = cli_now_ms() - ct->t0;
    if (ct->sink)
        trace_sink_set_offset(ct->sink, (uint64_t)(ms > 0 ? ms : 0));
}

void cli_trace_plain(cli_trace *ct, int from_server, const char *text, size_t len)
{
    if (!ct->sink)
        return;
    while (len && (text[len - 1] == '\n' || text[len - 1] == '\r'))
        len--;
    char *line = malloc(len + 1);
    if (!line)
        return;
    memcpy(line, text, len);
    line[len] = 0;
    long long ms = cli_now_ms() - ct->t0;
    trace_sink_plaintext(ct->sink, from_server, line, (uint64_t)(ms > 0 ? ms : 0));
    free(line);
}

int cli_trace_end(cli_trace *ct)
{
    if (!ct->sink)
        return 0;
    int r = trace_sink_finish(ct->sink);
    trace_sink_free(ct->sink);
    ct->sink = NULL;
    if (ct->mem_f) {
        if (fclose(ct->mem_f) != 0)
            r = -1;
        ct->mem_f = NULL;
        /* one write: children appending to one file do not interleave */
        if (ct->mem_len && cli_write_all(fileno(ct->target), (const uint8_t *)ct->mem,
                                         ct->mem_len) != 0)
            r = -1;
        free(ct->mem);
        ct->mem = NULL;
        ct->mem_len = 0;
    } else if (ct->target && fflush(ct->target) != 0) {
        r = -1;
    }
    if (r != 0)
        cli_error("the trace could not be written%s%s", ct->o.out ? " to " : "",
                  ct->o.out ? ct->o.out : "");
    return r;
}

void cli_trace_close(cli_trace *ct)
{
    if (ct->sink)
        (void)cli_trace_end(ct);
    if (ct->own_target && ct->target)
        fclose(ct->target);
    ct->target = NULL;
    ct->own_target = 0;
}
