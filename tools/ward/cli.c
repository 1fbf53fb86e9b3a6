/* Option parsing and printing shared by the ward commands. */
#include "cli.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

int cli_quiet = 0;

__attribute__((format(printf, 2, 0)))
static void vline(const char *prefix, const char *fmt, va_list ap)
{
    char line[2048];
    int n = snprintf(line, sizeof line, "ward: %s", prefix);
    if (n < 0)
        return;
    int m = vsnprintf(line + n, sizeof line - (size_t)n, fmt, ap);
    if (m < 0)
        return;
    size_t len = (size_t)n + (size_t)m;
    if (len > sizeof line - 2)
        len = sizeof line - 2;
    line[len++] = '\n';
    const char *p = line;
    while (len > 0) {
        ssize_t w = write(STDERR_FILENO, p, len);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return;
        p += w;
        len -= (size_t)w;
    }
}

void cli_info(const char *fmt, ...)
{
    if (cli_quiet)
        return;
    va_list ap;
    va_start(ap, fmt);
    vline("", fmt, ap);
    va_end(ap);
}

void cli_log(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vline("", fmt, ap);
    va_end(ap);
}

/* cli_capture_begin: this thread's error messages go to a buffer. */
static _Thread_local char *capture_buf;
static _Thread_local size_t capture_cap;

void cli_capture_begin(char *buf, size_t cap)
{
    capture_buf = cap ? buf : NULL;
    capture_cap = cap;
    if (capture_buf)
        capture_buf[0] = '\0';
}

void cli_capture_end(void)
{
    capture_buf = NULL;
    capture_cap = 0;
}

/* 1 if the message was captured (the first one is kept, later ones are
 * consequences of it). */
__attribute__((format(printf, 1, 0)))
static int captured(const char *fmt, va_list ap)
{
    if (!capture_buf)
        return 0;
    if (capture_buf[0] == '\0')
        vsnprintf(capture_buf, capture_cap, fmt, ap);
    return 1;
}

void cli_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    if (!captured(fmt, ap)) {
        va_end(ap);
        va_start(ap, fmt);
        vline("error: ", fmt, ap);
    }
    va_end(ap);
}

void cli_usage_error(const char *cmd, const char *fmt, ...)
{
    va_list cap;
    va_start(cap, fmt);
    int was_captured = captured(fmt, cap);
    va_end(cap);
    if (was_captured)
        return;
    char prefix[64];
    snprintf(prefix, sizeof prefix, "%s: ", cmd);
    va_list ap;
    va_start(ap, fmt);
    vline(prefix, fmt, ap);
    va_end(ap);
    fprintf(stderr, "Try 'ward %s --help'.\n", cmd);
}

/* ---- options ---- */

int cli_opt_flag(const char *arg, const char *name, const char *shortname)
{
    return strcmp(arg, name) == 0 || (shortname && strcmp(arg, shortname) == 0);
}

const char *cli_opt_value(const char *cmd, int argc, char **argv, int *i, const char *name,
                          const char *shortname, int *bad)
{
    const char *a = argv[*i];
    size_t nl = strlen(name);
    if (strncmp(a, name, nl) == 0 && a[nl] == '=')
        return a + nl + 1;
    if (strcmp(a, name) != 0 && !(shortname && strcmp(a, shortname) == 0))
        return NULL;
    if (*i + 1 >= argc) {
        cli_usage_error(cmd, "option %s needs a value", a);
        *bad = 1;
        return NULL;
    }
    *i += 1;
    return argv[*i];
}

int cli_common_flag(const char *arg, void (*usage)(FILE *out))
{
    if (cli_opt_flag(arg, "--help", "-h")) {
        usage(stdout);
        exit(EXIT_OK);
    }
    if (!cli_opt_flag(arg, "--quiet", "-q"))
        return 0;
    cli_quiet = 1;
    return 1;
}

int cli_simple_opt_take(const char *cmd, int argc, char **argv, int *i, const cli_simple_opt *tab,
                        size_t n)
{
    for (size_t k = 0; k < n; k++) {
        if (!tab[k].value) {
            if (!cli_opt_flag(argv[*i], tab[k].name, tab[k].shortname))
                continue;
            *tab[k].flag = 1;
            return 1;
        }
        int bad = 0;
        const char *v = cli_opt_value(cmd, argc, argv, i, tab[k].name, tab[k].shortname, &bad);
        if (bad)
            return -1;
        if (v) {
            *tab[k].value = v;
            return 1;
        }
    }
    return 0;
}

/* Split a comma-separated list into trimmed, non-empty items; calls
 * fn(item) for each. Returns -1 if fn fails or the list is empty or too long. */
typedef int (*item_fn)(const char *cmd, const char *what, const char *item, void *out);

static int split_list(const char *cmd, const char *what, const char *arg, item_fn fn,
                      void *out, size_t *count)
{
    char *copy = strdup(arg);
    if (!copy) {
        cli_error("out of memory");
        return -1;
    }
    int rc = 0;
    size_t n = 0;
    char *save = NULL;
    for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        while (isspace((unsigned char)*tok))
            tok++;
        size_t l = strlen(tok);
        while (l > 0 && isspace((unsigned char)tok[l - 1]))
            tok[--l] = '\0';
        if (l == 0)
            continue;
        if (n >= CLI_MAX_LIST) {
            cli_usage_error(cmd, "too many %s (at most %d)", what, CLI_MAX_LIST);
            rc = -1;
            break;
        }
        if (fn(cmd, what, tok, out) != 0) {
            rc = -1;
            break;
        }
        n++;
    }
    if (rc == 0 && n == 0) {
        cli_usage_error(cmd, "empty list of %s", what);
        rc = -1;
    }
    free(copy);
    *count = n;
    return rc;
}

static int parse_hex_u16(const char *s, uint16_t *v)
{
    if (!(s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) || !s[2])
        return -1;
    char *end = NULL;
    errno = 0;
    unsigned long x = strtoul(s + 2, &end, 16);
    if (errno || *end || x > 0xffff)
        return -1;
    *v = (uint16_t)x;
    return 0;
}

static const struct {
    const char *name;
    uint16_t id;
} group_names[] = {
    {"x25519", WARD_GROUP_X25519},
    {"secp256r1", WARD_GROUP_SECP256R1},
    {"P-256", WARD_GROUP_SECP256R1},
    {"P256", WARD_GROUP_SECP256R1},
    {"prime256v1", WARD_GROUP_SECP256R1},
    {"secp384r1", WARD_GROUP_SECP384R1},
    {"P-384", WARD_GROUP_SECP384R1},
    {"P384", WARD_GROUP_SECP384R1},
    {"secp521r1", WARD_GROUP_SECP521R1},
    {"P-521", WARD_GROUP_SECP521R1},
    {"P521", WARD_GROUP_SECP521R1},
    {"X25519MLKEM768", WARD_GROUP_X25519MLKEM768},
    {"SecP256r1MLKEM768", WARD_GROUP_SECP256R1MLKEM768},
    {"SecP384r1MLKEM1024", WARD_GROUP_SECP384R1MLKEM1024},
    {"MLKEM1024", WARD_GROUP_MLKEM1024},
    {"ML-KEM-1024", WARD_GROUP_MLKEM1024},
};

static const struct {
    const char *name;
    uint16_t id;
} suite_names[] = {
    {"TLS_AES_128_GCM_SHA256", WARD_TLS_AES_128_GCM_SHA256},
    {"TLS_AES_256_GCM_SHA384", WARD_TLS_AES_256_GCM_SHA384},
    {"TLS_CHACHA20_POLY1305_SHA256", WARD_TLS_CHACHA20_POLY1305_SHA256},
    {"TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", WARD_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256},
    {"TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", WARD_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384},
    {"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", WARD_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256},
    {"TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", WARD_TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384},
    {"TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
     WARD_TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256},
    {"TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
     WARD_TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256},
    {"TLS_RSA_WITH_AES_128_GCM_SHA256", WARD_TLS_RSA_WITH_AES_128_GCM_SHA256},
    {"TLS_RSA_WITH_AES_256_GCM_SHA384", WARD_TLS_RSA_WITH_AES_256_GCM_SHA384},
};

static int add_u16(cli_u16_list *l, uint16_t v)
{
    l->v[l->n++] = v;
    return 0;
}

static int group_item(const char *cmd, const char *what, const char *item, void *out)
{
    uint16_t v;
    for (size_t i = 0; i < sizeof group_names / sizeof group_names[0]; i++)
        if (strcasecmp(item, group_names[i].name) == 0)
            return add_u16(out, group_names[i].id);
    if (parse_hex_u16(item, &v) == 0)
        return add_u16(out, v);
    cli_usage_error(cmd, "unknown group '%s' (known: X25519MLKEM768, SecP256r1MLKEM768, "
                         "SecP384r1MLKEM1024, MLKEM1024, x25519, secp256r1 (P-256), "
                         "secp384r1 (P-384), secp521r1 (P-521), or a code like 0x001d)",
                    item);
    return -1;
}

static int suite_item(const char *cmd, const char *what, const char *item, void *out)
{
    uint16_t v;
    for (size_t i = 0; i < sizeof suite_names / sizeof suite_names[0]; i++)
        if (strcasecmp(item, suite_names[i].name) == 0)
            return add_u16(out, suite_names[i].id);
    if (parse_hex_u16(item, &v) == 0)
        return add_u16(out, v);
    cli_usage_error(cmd, "unknown cipher suite '%s' (known: the IANA names of the TLS 1.3 "
                         "suites and of the TLS 1.2 ECDHE and RSA AES-GCM / ChaCha20 suites, "
                         "e.g. TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256)", item);
    return -1;
}

int cli_parse_groups(const char *cmd, const char *arg, cli_u16_list *out)
{
    out->n = 0;
    size_t n;
    return split_list(cmd, "groups", arg, group_item, out, &n);
}

int cli_parse_suites(const char *cmd, const char *arg, cli_u16_list *out)
{
    out->n = 0;
    size_t n;
    return split_list(cmd, "cipher suites", arg, suite_item, out, &n);
}

static int alpn_item(const char *cmd, const char *what, const char *item, void *out)
{
    cli_str_list *l = out;
    if (strlen(item) > 255) {
        cli_usage_error(cmd, "ALPN protocol name too long (at most 255 bytes)");
        return -1;
    }
    l->v[l->n++] = item;
    return 0;
}

int cli_parse_alpn(const char *cmd, const char *arg, cli_str_list *out)
{
    cli_str_list_free(out);
    /* The items must outlive the call: parse a private copy whose
     * pointers stay valid, by splitting it in place. */
    out->buf = strdup(arg);
    if (!out->buf) {
        cli_error("out of memory");
        return -1;
    }
    size_t n = 0;
    char *save = NULL;
    for (char *tok = strtok_r(out->buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        while (isspace((unsigned char)*tok))
            tok++;
        size_t l = strlen(tok);
        while (l > 0 && isspace((unsigned char)tok[l - 1]))
            tok[--l] = '\0';
        if (l == 0)
            continue;
        if (n >= CLI_MAX_LIST) {
            cli_usage_error(cmd, "too many ALPN protocols (at most %d)", CLI_MAX_LIST);
            return -1;
        }
        if (alpn_item(cmd, "ALPN protocols", tok, out) != 0)
            return -1;
        n++;
    }
    if (n == 0) {
        cli_usage_error(cmd, "empty list of ALPN protocols");
        return -1;
    }
    return 0;
}

void cli_str_list_free(cli_str_list *l)
{
    free(l->buf);
    l->buf = NULL;
    l->n = 0;
}

static int hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

int cli_parse_pin(const char *cmd, const char *arg, uint8_t pin[32])
{
    const char *p = arg;
    if (strncasecmp(p, "sha256:", 7) != 0) {
        cli_usage_error(cmd, "--pin expects sha256:<64 hex digits>, got '%s'", arg);
        return -1;
    }
    p += 7;
    size_t n = 0;
    int hi = -1;
    for (; *p; p++) {
        if (*p == ':' || *p == ' ')
            continue;
        int v = hexval((unsigned char)*p);
        if (v < 0 || n >= 32) {
            cli_usage_error(cmd, "--pin expects sha256:<64 hex digits>, got '%s'", arg);
            return -1;
        }
        if (hi < 0) {
            hi = v;
        } else {
            pin[n++] = (uint8_t)(hi << 4 | v);
            hi = -1;
        }
    }
    if (n != 32 || hi >= 0) {
        cli_usage_error(cmd, "--pin expects sha256:<64 hex digits>, got '%s'", arg);
        return -1;
    }
    return 0;
}

static int valid_port(const char *s)
{
    if (!*s || strlen(s) > 5)
        return 0;
    for (const char *q = s; *q; q++)
        if (!isdigit((unsigned char)*q))
            return 0;
    return atoi(s) <= 65535;
}

int cli_parse_hostport(const char *cmd, const char *arg, char *host, size_t hostcap,
                       const char *default_port, char *port, size_t portcap)
{
    const char *h = arg, *pt = NULL;
    size_t hl;
    if (arg[0] == '[') {
        const char *close = strchr(arg, ']');
        if (!close) {
            cli_usage_error(cmd, "bad address '%s': missing ']'", arg);
            return -1;
        }
        h = arg + 1;
        hl = (size_t)(close - h);
        if (close[1] == ':')
            pt = close + 2;
        else if (close[1] != '\0') {
            cli_usage_error(cmd, "bad address '%s': expected [ADDR]:PORT", arg);
            return -1;
        }
    } else {
        const char *colon = strchr(arg, ':');
        if (colon && strchr(colon + 1, ':')) {
            /* a bare IPv6 literal, no port */
            hl = strlen(arg);
        } else if (colon) {
            hl = (size_t)(colon - arg);
            pt = colon + 1;
        } else {
            hl = strlen(arg);
        }
    }
    if (hl == 0 || hl >= hostcap) {
        cli_usage_error(cmd, "bad address '%s': missing or too long host", arg);
        return -1;
    }
    memcpy(host, h, hl);
    host[hl] = '\0';
    if (!pt)
        pt = default_port;
    if (!valid_port(pt) || strlen(pt) >= portcap) {
        cli_usage_error(cmd, "bad port '%s' in '%s'", pt, arg);
        return -1;
    }
    snprintf(port, portcap, "%s", pt);
    return 0;
}

int cli_parse_uint(const char *cmd, const char *opt, const char *arg, unsigned long max,
                   unsigned long *out)
{
    char *end = NULL;
    errno = 0;
    unsigned long v = strtoul(arg, &end, 10);
    if (errno || !*arg || *end || arg[0] == '-' || v > max) {
        cli_usage_error(cmd, "%s expects a number from 0 to %lu, got '%s'", opt, max, arg);
        return -1;
    }
    *out = v;
    return 0;
}

/* ---- names ---- */

const char *cli_version_name(uint16_t version)
{
    switch (version) {
    case WARD_TLS13: return "TLS 1.3";
    case WARD_TLS12: return "TLS 1.2";
    default: return "unknown TLS version";
    }
}

static const char *or_code(const char *name, uint16_t v, char *buf, size_t cap)
{
    if (name)
        return name;
    snprintf(buf, cap, "unknown (0x%04x)", v);
    return buf;
}

const char *cli_suite(uint16_t suite, char *buf, size_t cap)
{
    return or_code(ward_suite_name(suite), suite, buf, cap);
}

const char *cli_group(uint16_t group, char *buf, size_t cap)
{
    if (group == 0) {
        snprintf(buf, cap, "none");
        return buf;
    }
    return or_code(ward_group_name(group), group, buf, cap);
}

const char *cli_sigscheme(uint16_t scheme, char *buf, size_t cap)
{
    if (scheme == 0) {
        snprintf(buf, cap, "none");
        return buf;
    }
    return or_code(ward_sigscheme_name(scheme), scheme, buf, cap);
}

void cli_hex(const uint8_t *in, size_t n, char *out)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[in[i] >> 4];
        out[2 * i + 1] = digits[in[i] & 15];
    }
    out[2 * n] = '\0';
}

int cli_suite_is_rsa_kx(uint16_t suite)
{
    return suite == WARD_TLS_RSA_WITH_AES_128_GCM_SHA256 ||
           suite == WARD_TLS_RSA_WITH_AES_256_GCM_SHA384;
}

const char *cli_conn_group(const ward_conn *c, char *buf, size_t cap)
{
    if (ward_conn_version(c) == WARD_TLS12 && cli_suite_is_rsa_kx(ward_conn_suite(c))) {
        snprintf(buf, cap, "none (RSA key transport, no forward secrecy)");
        return buf;
    }
    return cli_group(ward_conn_group(c), buf, cap);
}

const char *cli_ems_note(const ward_conn *c)
{
    if (ward_conn_version(c) != WARD_TLS12)
        return "";
    return ward_conn_used_ems(c) ? ", extended master secret" : ", no extended master secret";
}

/* ---- protocol versions ---- */

const char cli_version_help[] =
    "Protocol versions (default: TLS 1.2 and 1.3, never older ones (RFC 8996);\n"
    "with --suites, only the versions that list has suites for):\n"
    "  --tls1.2               TLS 1.2 only\n"
    "  --tls1.3               TLS 1.3 only\n"
    "  --min-version V        the oldest version to accept: 1.2 or 1.3\n"
    "  --max-version V        the newest version to accept: 1.2 or 1.3\n"
    "  --rsa-kx               also allow the TLS 1.2 RSA key transport suites\n"
    "                         TLS_RSA_WITH_AES_128_GCM_SHA256 and\n"
    "                         TLS_RSA_WITH_AES_256_GCM_SHA384. They have NO forward\n"
    "                         secrecy: whoever obtains the server's private key later\n"
    "                         can decrypt every recorded session. For old peers only.\n"
    "  --allow-no-ems         accept a TLS 1.2 peer without the Extended Master Secret\n"
    "                         (RFC 7627; OpenSSL 1.0.2, LibreSSL, old Java/Windows).\n"
    "                         Its master secret is not bound to the handshake (triple\n"
    "                         handshake attack), so such a session is never resumed\n"
    "                         and exports no keying material. For old peers only.\n";

const char cli_suites_help[] =
    "  --suites LIST          cipher suites in preference order (IANA names):\n"
    "                         TLS 1.3: TLS_AES_128_GCM_SHA256, TLS_AES_256_GCM_SHA384,\n"
    "                           TLS_CHACHA20_POLY1305_SHA256\n"
    "                         TLS 1.2: TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,\n"
    "                           TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,\n"
    "                           TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,\n"
    "                           TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,\n"
    "                           TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,\n"
    "                           TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,\n"
    "                           and with --rsa-kx TLS_RSA_WITH_AES_128_GCM_SHA256,\n"
    "                           TLS_RSA_WITH_AES_256_GCM_SHA384\n";

const char *cli_version_short(uint16_t version)
{
    return version == WARD_TLS13 ? "1.3" : version == WARD_TLS12 ? "1.2" : "?";
}

static int parse_version(const char *cmd, const char *opt, const char *arg, uint16_t *out)
{
    const char *s = arg;
    if (strncasecmp(s, "tls", 3) == 0) {
        s += 3;
        if (*s == ' ' || *s == 'v' || *s == 'V')
            s++;
    }
    if (strcmp(s, "1.2") == 0) {
        *out = WARD_TLS12;
        return 0;
    }
    if (strcmp(s, "1.3") == 0) {
        *out = WARD_TLS13;
        return 0;
    }
    if (strcmp(s, "1.0") == 0 || strcmp(s, "1") == 0 || strcmp(s, "1.1") == 0 ||
        strncasecmp(arg, "ssl", 3) == 0)
        cli_usage_error(cmd, "%s %s: SSL 3.0, TLS 1.0 and TLS 1.1 are not supported "
                             "(deprecated by RFC 8996); use 1.2 or 1.3", opt, arg);
    else
        cli_usage_error(cmd, "%s expects 1.2 or 1.3, got '%s'", opt, arg);
    return -1;
}

int cli_version_opt(const char *cmd, int argc, char **argv, int *i, cli_versions *v)
{
    const char *a = argv[*i], *val;
    int bad = 0;
    uint16_t exact = 0;
    if (cli_opt_flag(a, "--tls1.2", NULL))
        exact = WARD_TLS12;
    else if (cli_opt_flag(a, "--tls1.3", NULL))
        exact = WARD_TLS13;
    if (exact) {
        if (v->exact && v->exact != exact) {
            cli_usage_error(cmd, "--tls1.2 and --tls1.3 exclude each other (for both, "
                                 "give neither: that is the default)");
            return -1;
        }
        v->exact = exact;
        return 1;
    }
    if (cli_opt_flag(a, "--rsa-kx", NULL)) {
        v->rsa_kx = 1;
        return 1;
    }
    if (cli_opt_flag(a, "--allow-no-ems", NULL)) {
        v->allow_no_ems = 1;
        return 1;
    }
    if ((val = cli_opt_value(cmd, argc, argv, i, "--min-version", NULL, &bad)))
        return parse_version(cmd, "--min-version", val, &v->min) == 0 ? 1 : -1;
    if (!bad && (val = cli_opt_value(cmd, argc, argv, i, "--max-version", NULL, &bad)))
        return parse_version(cmd, "--max-version", val, &v->max) == 0 ? 1 : -1;
    return bad ? -1 : 0;
}

static const char *range_text(uint16_t lo, uint16_t hi, char *buf, size_t cap)
{
    if (lo == hi)
        snprintf(buf, cap, "TLS %s", cli_version_short(lo));
    else
        snprintf(buf, cap, "TLS %s and %s", cli_version_short(lo), cli_version_short(hi));
    return buf;
}

/* The post-quantum groups (the ML-KEM hybrids and MLKEM1024): TLS 1.3 only. */
static int is_pq_group(uint16_t g)
{
    return g == WARD_GROUP_X25519MLKEM768 || g == WARD_GROUP_SECP256R1MLKEM768 ||
           g == WARD_GROUP_SECP384R1MLKEM1024 || g == WARD_GROUP_MLKEM1024;
}

int cli_versions_settle(const char *cmd, const cli_versions *v, const cli_u16_list *suites,
                        const cli_u16_list *groups, uint16_t *min, uint16_t *max)
{
    uint16_t lo = WARD_TLS12, hi = WARD_TLS13;
    char rb[32];
    if (v->exact && (v->min || v->max)) {
        cli_usage_error(cmd, "--tls%s sets both ends of the version range: leave out "
                             "--min-version and --max-version", cli_version_short(v->exact));
        return -1;
    }
    if (v->exact)
        lo = hi = v->exact;
    if (v->min)
        lo = v->min;
    if (v->max)
        hi = v->max;
    if (lo > hi) {
        cli_usage_error(cmd, "--min-version %s is newer than --max-version %s",
                        cli_version_short(lo), cli_version_short(hi));
        return -1;
    }
    if (v->allow_no_ems && lo > WARD_TLS12) {
        cli_usage_error(cmd, "--allow-no-ems is for TLS 1.2 (TLS 1.3 always binds the "
                             "handshake), but only TLS 1.3 is allowed");
        return -1;
    }
    if (v->rsa_kx && lo > WARD_TLS12) {
        cli_usage_error(cmd, "--rsa-kx is for TLS 1.2 (TLS 1.3 has no RSA key transport), "
                             "but only TLS 1.3 is allowed");
        return -1;
    }
    if (suites) {
        int has12 = 0, has13 = 0, has_rsa = 0;
        for (size_t i = 0; i < suites->n; i++) {
            uint16_t s = suites->v[i];
            char sb[48];
            if (cli_suite_is_rsa_kx(s) && !v->rsa_kx) {
                cli_usage_error(cmd, "%s is RSA key transport, which has no forward secrecy; "
                                     "add --rsa-kx to allow it",
                                cli_suite(s, sb, sizeof sb));
                return -1;
            }
            has_rsa |= cli_suite_is_rsa_kx(s);
            if ((s >> 8) == 0x13)
                has13 = 1;
            else
                has12 = 1;
        }
        uint16_t nlo = lo, nhi = hi;
        if (!has13 && nhi == WARD_TLS13)
            nhi = WARD_TLS12;
        if (!has12 && nlo == WARD_TLS12)
            nlo = WARD_TLS13;
        if (nlo > nhi) {
            cli_usage_error(cmd, "--suites lists only TLS %s cipher suites, but %s is asked for",
                            has13 ? "1.3" : "1.2", range_text(lo, hi, rb, sizeof rb));
            return -1;
        }
        if (v->rsa_kx && !has_rsa)
            cli_log("note: --rsa-kx has no effect: --suites lists no TLS_RSA_WITH_* suite");
        lo = nlo;
        hi = nhi;
    }
    if (groups && hi == WARD_TLS12 && !v->rsa_kx) {
        size_t pq = 0;
        for (size_t i = 0; i < groups->n; i++)
            pq += is_pq_group(groups->v[i]) != 0;
        if (pq == groups->n) {
            cli_usage_error(cmd, "--groups lists only post-quantum groups, which are "
                                 "TLS 1.3 only, but only TLS 1.2 is allowed");
            return -1;
        }
    }
    *min = lo;
    *max = hi;
    return 0;
}

ward_err cli_versions_apply(ward_config *cfg, const cli_versions *v, uint16_t min, uint16_t max,
                            const char **what)
{
    ward_err e = ward_config_set_versions(cfg, min, max);
    if (e != WARD_OK) {
        *what = v->exact ? (v->exact == WARD_TLS12 ? "--tls1.2" : "--tls1.3")
                         : "--min-version/--max-version";
        return e;
    }
    if (v->rsa_kx)
        ward_config_set_rsa_key_transport(cfg, 1);
    if (v->allow_no_ems)
        ward_config_allow_no_ems(cfg, 1);
    return WARD_OK;
}

int cli_config_apply_tls(ward_config *cfg, const cli_versions *v, uint16_t min, uint16_t max,
                         const cli_str_list *alpn, const cli_u16_list *groups,
                         const cli_u16_list *suites)
{
    const char *what = "";
    ward_err e = cli_versions_apply(cfg, v, min, max, &what);
    if (e == WARD_OK && alpn && alpn->n &&
        (e = ward_config_set_alpn(cfg, (const char *const *)alpn->v, alpn->n)) != WARD_OK)
        what = "--alpn";
    if (e == WARD_OK && groups &&
        (e = ward_config_set_groups(cfg, groups->v, groups->n)) != WARD_OK)
        what = "--groups";
    if (e == WARD_OK && suites &&
        (e = ward_config_set_suites(cfg, suites->v, suites->n)) != WARD_OK)
        what = "--suites";
    if (e == WARD_OK)
        return 0;
    cli_error("%s: %s", what, ward_err_str(e));
    return -1;
}

/* ---- key log and exporters ---- */

const char cli_keylog_help[] =
    "Debugging:\n"
    "  --keylog FILE          append the session secrets to FILE in the NSS key log\n"
    "                         format (SSLKEYLOGFILE), e.g. for Wireshark; without\n"
    "                         --keylog the SSLKEYLOGFILE environment variable is used.\n"
    "                         Anyone who reads the file can decrypt the traffic.\n"
    "  --export LABEL:LEN     after the handshake, print LEN bytes (1 to 1024) of\n"
    "                         keying material exported under LABEL, without context\n"
    "                         (RFC 5705, RFC 8446 7.5), as \"exported: <hex>\"\n";

int cli_keylog_apply(ward_config *cfg, const char *path)
{
    const char *from = "--keylog";
    if (!path) {
        path = getenv("SSLKEYLOGFILE");
        from = "SSLKEYLOGFILE";
        if (!path || !*path)
            return 0;
    }
    ward_err e = ward_config_set_keylog_file(cfg, path);
    if (e != WARD_OK) {
        cli_error("%s %s: %s", from, path,
                  e == WARD_ERR_CONFIG ? strerror(errno) : ward_err_str(e));
        return -1;
    }
    cli_info("writing the session secrets to %s (%s); anyone who reads it can decrypt "
             "these connections", path, from);
    return 0;
}

int cli_parse_export(const char *cmd, const char *arg, cli_export *out)
{
    const char *colon = strrchr(arg, ':');
    size_t ll = colon ? (size_t)(colon - arg) : 0;
    unsigned long n = 0;
    char *end = NULL;
    if (colon) {
        errno = 0;
        n = strtoul(colon + 1, &end, 10);
    }
    if (!colon || ll == 0 || ll >= sizeof out->label || !colon[1] || errno || *end ||
        colon[1] == '-' || n < 1 || n > 1024) {
        cli_usage_error(cmd, "--export expects LABEL:LEN with LEN from 1 to 1024, got '%s'",
                        arg);
        return -1;
    }
    memcpy(out->label, arg, ll);
    out->label[ll] = '\0';
    out->len = n;
    out->set = 1;
    return 0;
}

static const char *export_error(const ward_conn *c, ward_err e)
{
    if (e == WARD_ERR_CONFIG)
        return "label or length not allowed for this TLS version";
    if (e == WARD_ERR_STATE && ward_conn_version(c) == WARD_TLS12 && !ward_conn_used_ems(c))
        return "refused: this TLS 1.2 connection has no extended master secret, so its keys "
               "are not bound to the handshake (RFC 7627 section 5.4)";
    return ward_err_str(e);
}

int cli_export_print(ward_conn *c, const cli_export *x, const char *prefix)
{
    if (!x->set)
        return 0;
    uint8_t out[1024];
    char hex[2 * sizeof out + 1];
    ward_err e = ward_conn_export_keying_material(c, x->label, strlen(x->label), NULL, 0, 0,
                                                  out, x->len);
    if (e != WARD_OK) {
        cli_error("%s--export %s:%zu: %s", prefix, x->label, x->len, export_error(c, e));
        return -1;
    }
    cli_hex(out, x->len, hex);
    cli_log("%sexported: %s", prefix, hex);
    return 0;
}

int cli_write_all(int fd, const uint8_t *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}
