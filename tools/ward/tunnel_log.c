/* ward tunnel: the one line each connection leaves when it ends.
 *
 *   ward: tunnel SERVICE PEER sni=NAME version=1.3 suite=NAME group=NAME
 *         alpn=X resumed=yes|no in=BYTES out=BYTES ms=DURATION
 *         time=START end=REASON[: DETAIL]
 *
 * (one line; "-" where there is nothing to say). in: plaintext bytes from
 * the client, out: to the client; time: when the connection was accepted,
 * UTC. Always printed, -q or not: it is the tunnel's record. */
#include "tunnel_int.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

/* Peer-chosen text (SNI) and engine messages, kept to printable ASCII so a
 * log line stays one line. */
static void clean(const char *in, char *out, size_t cap)
{
    size_t k = 0;
    for (; in && *in && k + 1 < cap; in++)
        out[k++] = (*in >= 0x21 && *in <= 0x7e) || *in == ' ' ? *in : '?';
    if (k == 0 && cap > 1)
        out[k++] = '-';
    out[k] = '\0';
}

static void start_time(long long ms_ago, char *out, size_t cap)
{
    time_t t = time(NULL) - (time_t)(ms_ago / 1000);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, cap, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

void tunnel_log_conn(const tunnel_log_rec *r)
{
    char sni[128], alpn[64], detail[256], sbuf[48], gbuf[48], when[32];
    const char *version = "-", *resumed = "no", *suite = "-", *group = "-";
    clean(r->sni, sni, sizeof sni);
    clean(NULL, alpn, sizeof alpn);
    const ward_conn *t = r->tls;
    if (t && ward_conn_version(t)) {
        version = cli_version_short(ward_conn_version(t));
        if (ward_conn_suite(t))
            suite = cli_suite(ward_conn_suite(t), sbuf, sizeof sbuf);
        if (ward_conn_group(t))
            group = cli_group(ward_conn_group(t), gbuf, sizeof gbuf);
        clean(ward_conn_alpn(t), alpn, sizeof alpn);
        resumed = ward_conn_resumed(t) ? "yes" : "no";
    }
    detail[0] = '\0';
    if (r->detail && *r->detail) {
        detail[0] = ':';
        detail[1] = ' ';
        clean(r->detail, detail + 2, sizeof detail - 2);
    }
    start_time(r->ms, when, sizeof when);
    cli_log("tunnel %s %s sni=%s version=%s suite=%s group=%s alpn=%s resumed=%s in=%llu "
            "out=%llu ms=%lld time=%s end=%s%s",
            r->service, r->peer, sni, version, suite, group, alpn, resumed, r->in, r->out, r->ms,
            when, r->end, detail);
}
