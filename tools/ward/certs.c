/* The peer's certificate chain for a person: --showcerts prints it (a
 * summary line and the PEM of each, RFC 7468 §2: base64 in lines of 64),
 * --check-expiry holds it to a number of days. */
#include "certs.h"

#include <string.h>
#include <time.h>
#include <unistd.h>

#define DAY_SECONDS 86400LL

/* RFC 4648 §4 base64 of der, 64 characters a line (RFC 7468 §2). */
static void pem_write(FILE *out, const uint8_t *der, size_t len)
{
    static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t col = 0;
    fputs("-----BEGIN CERTIFICATE-----\n", out);
    for (size_t i = 0; i < len; i += 3) {
        uint32_t v = (uint32_t)der[i] << 16;
        if (i + 1 < len)
            v |= (uint32_t)der[i + 1] << 8;
        if (i + 2 < len)
            v |= der[i + 2];
        char q[4] = {b64[(v >> 18) & 63], b64[(v >> 12) & 63],
                     i + 1 < len ? b64[(v >> 6) & 63] : '=', i + 2 < len ? b64[v & 63] : '='};
        fwrite(q, 1, 4, out);
        col += 4;
        if (col == 64) {
            fputc('\n', out);
            col = 0;
        }
    }
    if (col)
        fputc('\n', out);
    fputs("-----END CERTIFICATE-----\n", out);
}

/* One certificate of the chain, decoded, for a visit: returns 0 to go on. */
typedef int (*cert_visit)(void *arg, size_t i, const uint8_t *der, size_t len,
                          const ward_cert_info *ci);

/* Each certificate of the chain, leaf first, decoded and handed to visit;
 * the first nonzero return of visit ends the walk and is returned. A
 * certificate that cannot be read: an error naming opt, and fail. */
static int each_cert(const ward_conn *c, const char *opt, int fail, cert_visit visit, void *arg)
{
    size_t n = ward_conn_peer_chain_len(c);
    for (size_t i = 0; i < n; i++) {
        const uint8_t *der;
        size_t len;
        ward_cert_info ci;
        ward_err e = ward_conn_peer_cert_der(c, i, &der, &len);
        if (e == WARD_OK)
            e = ward_cert_info_from_der(der, len, &ci);
        if (e != WARD_OK) {
            cli_error("%s: certificate %zu: %s", opt, i, ward_err_str(e));
            return fail;
        }
        int r = visit(arg, i, der, len, &ci);
        if (r != 0)
            return r;
    }
    return 0;
}

static int show_one(void *arg, size_t i, const uint8_t *der, size_t len, const ward_cert_info *ci)
{
    (void)arg;
    printf("certificate %zu: subject %s; issuer %s; valid %s to %s; key %s %u bits; SAN %s\n", i,
           ci->subject, ci->issuer, ci->not_before, ci->not_after, ci->key_type, ci->key_bits,
           ci->san[0] ? ci->san : "none");
    pem_write(stdout, der, len);
    return 0;
}

int certs_show(const ward_conn *c)
{
    if (ward_conn_peer_chain_len(c) == 0) {
        cli_info("--showcerts: no certificate in this handshake (a resumed session)");
        return 0;
    }
    if (each_cert(c, "--showcerts", -1, show_one, NULL) != 0)
        return -1;
    if (fflush(stdout) != 0) {
        cli_error("cannot write to stdout");
        return -1;
    }
    return 0;
}

typedef struct {
    long long now, limit;
    unsigned long days;
} expiry;

static int expiry_one(void *arg, size_t i, const uint8_t *der, size_t len,
                      const ward_cert_info *ci)
{
    const expiry *x = arg;
    (void)der;
    (void)len;
    if ((long long)ci->not_after_time >= x->limit)
        return 0;
    double left = (double)((long long)ci->not_after_time - x->now) / (double)DAY_SECONDS;
    cli_error("certificate %zu (subject %s) expires %s, in %.1f days: sooner than "
              "--check-expiry %lu",
              i, ci->subject, ci->not_after, left, x->days);
    return EXIT_EXPIRY;
}

int certs_check_expiry(const ward_conn *c, unsigned long days)
{
    size_t n = ward_conn_peer_chain_len(c);
    if (n == 0) {
        cli_error("--check-expiry: no certificate in this handshake (a resumed session): "
                  "nothing to check");
        return EXIT_FAIL;
    }
    expiry x = {.now = (long long)time(NULL), .days = days};
    x.limit = x.now + (long long)days * DAY_SECONDS;
    int r = each_cert(c, "--check-expiry", EXIT_FAIL, expiry_one, &x);
    if (r != 0)
        return r;
    cli_info("--check-expiry %lu: no certificate of the %zu expires sooner", days, n);
    return EXIT_OK;
}
