/* ward tunnel's configuration (tools/ward/tunnel_config*.c): every example
 * file loads, each bad input is refused at its exact FILE:LINE with a word
 * of the reason, the one-service flags, and the ward_configs built from
 * real (generated) certificates. */
#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testpki.h"
#include "testutil.h"
#include "tunnel.h"

static int parse(const char *text, tunnel_config *c, char *err, size_t cap)
{
    return tunnel_config_parse_buffer("t.conf", (const uint8_t *)text, strlen(text), c, err,
                                      cap);
}

/* A good service to build bad ones around. */
#define SVC "[s]\naccept = 127.0.0.1:9001\nconnect = 127.0.0.1:143\nmode = tls-accept\n" \
            "cert = c.pem\nkey = k.pem\n"
#define CLI "[c]\naccept = 127.0.0.1:9002\nconnect = imap.example.org:993\n" \
            "mode = tls-connect\ncafile = ca.pem\n"

static void examples(void)
{
    const char *data = getenv("WARD_TEST_DATA");
    /* WARD_TEST_DATA is SOURCE/tests/data: the examples are SOURCE/examples */
    char dir[1024];
    snprintf(dir, sizeof dir, "%s", data ? data : "tests/data");
    size_t dl = strlen(dir);
    if (dl >= 10 && strcmp(dir + dl - 10, "tests/data") == 0)
        dir[dl - 10] = '\0';
    else
        snprintf(dir + dl, sizeof dir - dl, "/../..");
    snprintf(dir + strlen(dir), sizeof dir - strlen(dir), "%sexamples",
             dir[0] && dir[strlen(dir) - 1] != '/' ? "/" : "");
    DIR *d = opendir(dir);
    CHECK(d != NULL);
    if (!d)
        return;
    int files = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        size_t n = strlen(e->d_name);
        if (n < 6 || strcmp(e->d_name + n - 5, ".conf") != 0)
            continue;
        char path[2048], err[1024] = "";
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        tunnel_config c;
        int rc = tunnel_config_load(path, &c, err, sizeof err);
        if (rc != 0)
            fprintf(stderr, "%s: %s\n", e->d_name, err);
        CHECK(rc == 0 && c.n_svc >= 1 && strcmp(c.path, path) == 0);
        files++;
        tunnel_config_free(&c);
    }
    closedir(d);
    CHECK(files >= 7);

    tunnel_config c;
    char path[2048], err[1024];
    snprintf(path, sizeof path, "%s/imaps.conf", dir);
    CHECK(tunnel_config_load(path, &c, err, sizeof err) == 0);
    CHECK(c.n_svc == 1 && c.svc[0].mode == TUNNEL_TLS_ACCEPT && c.svc[0].n_accept == 2);
    CHECK(strcmp(c.svc[0].connect, "127.0.0.1:143") == 0 && c.svc[0].idle_timeout_s == 1800);
    CHECK(c.svc[0].n_identities == 1 && c.svc[0].alpn.n == 1);
    CHECK(c.svc[0].handshake_timeout_s == 10 && c.svc[0].max_connections == 10000);
    tunnel_config_free(&c);
    snprintf(path, sizeof path, "%s/submission.conf", dir);
    CHECK(tunnel_config_load(path, &c, err, sizeof err) == 0);
    CHECK(c.svc[0].starttls == WARD_APP_SMTP && c.svc[0].server_name &&
          strcmp(c.svc[0].server_name, "mail.example.org") == 0);
    tunnel_config_free(&c);
    snprintf(path, sizeof path, "%s/client.conf", dir);
    CHECK(tunnel_config_load(path, &c, err, sizeof err) == 0);
    CHECK(c.n_svc == 3 && c.svc[0].mode == TUNNEL_TLS_CONNECT);
    CHECK(c.svc[0].servername && strcmp(c.svc[0].servername, "imap.example.org") == 0);
    CHECK(c.svc[2].have_pin && c.svc[2].servername == NULL && c.svc[2].pin[0] == 0x0f);
    tunnel_config_free(&c);
    snprintf(path, sizeof path, "%s/https.conf", dir);
    CHECK(tunnel_config_load(path, &c, err, sizeof err) == 0);
    CHECK(c.svc[0].n_identities == 2 && c.svc[0].ticket_keys != NULL);
    tunnel_config_free(&c);
}

static void good_inputs(void)
{
    tunnel_config c;
    char err[1024] = "";
    /* comments, CRLF, inline comments, global workers, several services,
     * wildcards of both families on one port, port 0 twice */
    const char *text = "# a comment\r\n; another\r\nworkers = 3\r\n\r\n"
                       "[a]\r\naccept = 0.0.0.0:993   # IPv4\r\naccept = [::]:993 ; IPv6\r\n"
                       "connect = 127.0.0.1:143\r\nmode = tls-accept\r\n"
                       "cert = a.pem\r\nkey = a.key\r\ncert = b.pem\r\nkey = b.key\r\n"
                       "sni-strict = yes\r\nstarttls = imap\r\nserver-name = m.example\r\n"
                       "verify-client-optional = ca.pem\r\nhandshake-timeout = 5\r\n"
                       "[b]\naccept = 127.0.0.1:0\nconnect = 127.0.0.1:25\nmode = tls-connect\n"
                       "servername = mx.example\npin = sha256:" 
                       "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff\n"
                       "starttls = smtp\nalpn = smtp, x\ngroups = x25519\n"
                       "suites = TLS_AES_128_GCM_SHA256\nmin-version = 1.3\n"
                       "[c]\naccept = 127.0.0.1:0\nconnect = 127.0.0.1:25\nmode = tls-connect\n"
                       "cafile = ca.pem\nservername = 127.0.0.1\n";
    int rc = parse(text, &c, err, sizeof err);
    if (rc != 0)
        fprintf(stderr, "good_inputs: %s\n", err);
    CHECK(rc == 0 && c.n_svc == 3 && c.workers == 3);
    tunnel_service *a = &c.svc[0], *b = &c.svc[1];
    CHECK(strcmp(a->name, "a") == 0 && a->line == 5 && a->n_accept == 2);
    CHECK(strcmp(a->accept[0], "0.0.0.0:993") == 0 && strcmp(a->accept[1], "[::]:993") == 0);
    CHECK(a->n_identities == 2 && strcmp(a->cert[1], "b.pem") == 0 && a->sni_strict == 1);
    CHECK(a->starttls == WARD_APP_IMAP && a->client_verify == WARD_CLIENT_CERT_OPTIONAL);
    CHECK(a->handshake_timeout_s == 5 && a->idle_timeout_s == 300);
    CHECK(b->mode == TUNNEL_TLS_CONNECT && b->have_pin && b->pin[1] == 0x11);
    CHECK(b->alpn.n == 2 && strcmp(b->alpn.v[1], "x") == 0 && b->groups.n == 1);
    CHECK(b->have_suites && b->ver.min == WARD_TLS13);
    CHECK(strcmp(b->servername, "mx.example") == 0 && b->starttls == WARD_APP_SMTP);
    tunnel_config_free(&c);
    tunnel_config_free(&c); /* twice is harmless */
}

/* Each bad input: the exact location and a word of the message. */
static void bad_inputs(void)
{
    static char big_line[5000], many[8192];
    memset(big_line, 0, sizeof big_line);
    memcpy(big_line, "[a]\naccept = ", 13);
    memset(big_line + 13, 'x', 4200);
    size_t m = 0;
    for (int i = 0; i < 65; i++)
        m += (size_t)snprintf(many + m, sizeof many - m,
                              "[s%d]\naccept = 127.0.0.1:0\nconnect = 127.0.0.1:1\n"
                              "mode = tls-accept\ncert = c\nkey = k\n", i);
    const struct {
        const char *text, *where, *word;
    } cases[] = {
        {SVC "bogus = 1\n", "t.conf:7:", "unknown key 'bogus'"},
        {SVC "handshake-timeout = soon\n", "t.conf:7:", "handshake-timeout = soon"},
        {SVC "handshake-timeout = 0\n", "t.conf:7:", "from 1 to 3600"},
        {SVC "idle-timeout = -5\n", "t.conf:7:", "idle-timeout"},
        {SVC "max-connections = 0\n", "t.conf:7:", "max-connections"},
        {SVC "[s]\n", "t.conf:7:", "duplicate section [s] (first on line 1)"},
        {"accept = 127.0.0.1:1\n" SVC, "t.conf:1:", "outside a section"},
        {"[s]\nconnect = 127.0.0.1:1\nmode = tls-accept\ncert = c\nkey = k\n", "t.conf:1:",
         "no accept"},
        {"[s]\naccept = 127.0.0.1:1\nmode = tls-accept\ncert = c\nkey = k\n", "t.conf:1:",
         "no connect"},
        {"\n\n[s]\naccept = 127.0.0.1:1\nconnect = 127.0.0.1:2\n", "t.conf:3:", "no mode"},
        {SVC "[t]\naccept = 127.0.0.1:2\n[u]\n", "t.conf:7:", "no connect"},
        {big_line, "t.conf:2:", "longer than 4096"},
        {SVC "cert = d.pem\n", "t.conf:7:", "cert d.pem has no key"},
        {SVC "key = e.pem\n", "t.conf:7:", "key e.pem has no cert"},
        {"[s]\naccept = 127.0.0.1:1\nconnect = 127.0.0.1:2\nmode = tls-accept\n", "t.conf:1:",
         "needs cert and key"},
        {CLI "cert = c.pem\n", "t.conf:6:", "cert is for mode = tls-accept"},
        {SVC "cafile = ca.pem\n", "t.conf:7:", "cafile is for mode = tls-connect"},
        {SVC "servername = x\n", "t.conf:7:", "servername is for"},
        {"[c]\naccept = 127.0.0.1:9\nconnect = x.example:993\nmode = tls-connect\n",
         "t.conf:1:", "needs cafile"},
        {"[c]\naccept = 127.0.0.1:9\nconnect = 192.0.2.1:993\nmode = tls-connect\n"
         "cafile = ca.pem\n", "t.conf:3:", "give servername"},
        {SVC "starttls = xmpp\n", "t.conf:7:", "server half"},
        {SVC "starttls = http\n", "t.conf:7:", "not a STARTTLS protocol"},
        {SVC "starttls = gopher\n", "t.conf:7:", "starttls = gopher"},
        {SVC "server-name = mail.example\n", "t.conf:7:", "needs starttls"},
        {SVC "mode = tls-connect\n", "t.conf:7:", "exclude each other"},
        {SVC "mode = tls-both\n", "t.conf:7:", "expected tls-accept"},
        {SVC "sni-strict = maybe\n", "t.conf:7:", "yes or no"},
        {SVC "verify-client = a\nverify-client-optional = b\n", "t.conf:8:", "exclude"},
        {SVC "connect = 127.0.0.1:1\n", "t.conf:7:", "given twice (first on line 3)"},
        {SVC "accept = 127.0.0.1\n", "t.conf:7:", "no port"},
        {SVC "accept = [::1:5\n", "t.conf:7:", "missing ']'"},
        {SVC "connect2 = x\n", "t.conf:7:", "unknown key"},
        {SVC "alpn = ,\n", "t.conf:7:", "empty list"},
        {SVC "groups = x448\n", "t.conf:7:", "unknown group"},
        {SVC "suites = TLS_NULL\n", "t.conf:7:", "unknown cipher suite"},
        {SVC "pin = sha256:00\n", "t.conf:7:", "pin = sha256:00"},
        {SVC "min-version = 1.1\n", "t.conf:7:", "RFC 8996"},
        {SVC "max-version = 1.2\nmin-version = 1.3\n", "t.conf:8:", "newer than"},
        {SVC "min-version = 1.3\nsuites = TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256\n", "t.conf:8:",
         "only TLS 1.2"},
        {SVC "[t]\naccept = 127.0.0.1:9001\nconnect = 127.0.0.1:1\nmode = tls-accept\n"
             "cert = c\nkey = k\n",
         "t.conf:8:", "[s] (line 1) listens there too"},
        {SVC "[t]\naccept = 0.0.0.0:9001\nconnect = 127.0.0.1:1\nmode = tls-accept\n"
             "cert = c\nkey = k\n",
         "t.conf:8:", "listens there too"},
        {SVC "accept = [::]:7\naccept = [0::0]:7\n", "t.conf:8:", "the same address"},
        {SVC "[t]\naccept = 127.0.0.1:5\nconnect = 127.0.0.1:0\n", "t.conf:9:", "port 0"},
        {SVC "ticket-keys = t.key\nverify-client = ca.pem\n", "t.conf:7:", "no tickets"},
        {SVC "workers = 2\n", "t.conf:7:", "workers is global"},
        {"workers = 1\nworkers = 2\n" SVC, "t.conf:2:", "workers given twice"},
        {"workers = many\n" SVC, "t.conf:1:", "workers = many"},
        {"[s\n", "t.conf:1:", "[NAME]"},
        {"[]\n", "t.conf:1:", "section name"},
        {"[a b]\n", "t.conf:1:", "section name 'a b'"},
        {SVC "just words\n", "t.conf:7:", "expected 'key = value'"},
        {SVC " = 5\n", "t.conf:7:", "key is missing"},
        {SVC "alpn =\n", "t.conf:7:", "alpn needs a value"},
        {"", "t.conf:1:", "no service"},
        {"# only a comment\n\n", "t.conf:2:", "no service"},
        {many, "t.conf:385:", "more than 64"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        tunnel_config c;
        char err[1024] = "";
        int rc = parse(cases[i].text, &c, err, sizeof err);
        int ok = rc == -1 && strncmp(err, cases[i].where, strlen(cases[i].where)) == 0 &&
                 strstr(err, cases[i].word) != NULL;
        if (!ok)
            fprintf(stderr, "bad input %zu: want %s ...%s..., got rc %d: %s\n", i,
                    cases[i].where, cases[i].word, rc, err);
        CHECK(ok);
        CHECK(c.n_svc == 0 && c.path == NULL); /* freed and zeroed on failure */
    }
    /* too many accept addresses: the 9th */
    char text[2048];
    size_t n = (size_t)snprintf(text, sizeof text, "[s]\n");
    for (int i = 0; i < 9; i++)
        n += (size_t)snprintf(text + n, sizeof text - n, "accept = 127.0.0.1:%d\n", 100 + i);
    tunnel_config c;
    char err[1024];
    CHECK(parse(text, &c, err, sizeof err) == -1 && strstr(err, "t.conf:10:") &&
          strstr(err, "at most 8"));
    /* a NUL byte, and a file over 1 MiB */
    const uint8_t nul[] = "[s]\nacc\0ept = 1\n";
    CHECK(tunnel_config_parse_buffer("t.conf", nul, sizeof nul - 1, &c, err, sizeof err) == -1 &&
          strncmp(err, "t.conf:2:", 9) == 0 && strstr(err, "NUL"));
    size_t bign = 1024 * 1024 + 1;
    uint8_t *big = malloc(bign);
    memset(big, '\n', bign);
    CHECK(tunnel_config_parse_buffer("t.conf", big, bign, &c, err, sizeof err) == -1 &&
          strstr(err, "larger than"));
    free(big);
    CHECK(tunnel_config_load("/nonexistent/t.conf", &c, err, sizeof err) == -1 &&
          strstr(err, "/nonexistent/t.conf:1:") && strstr(err, "No such file"));
}

static int args(tunnel_config *c, char *err, size_t cap, ...)
{
    char *argv[64];
    int argc = 0;
    va_list ap;
    va_start(ap, cap);
    for (char *a; argc < 63 && (a = va_arg(ap, char *));)
        argv[argc++] = a;
    va_end(ap);
    argv[argc] = NULL;
    return tunnel_config_from_args(argc, argv, c, err, cap);
}

static void flags(void)
{
    tunnel_config c;
    char err[1024] = "";
    int rc = args(&c, err, sizeof err, "--accept", "0.0.0.0:993", "--accept=[::]:993",
                  "--connect", "127.0.0.1:143", "--tls-accept", "--cert", "a.pem", "--key",
                  "a.key", "--cert", "b.pem", "--key", "b.key", "--sni-strict", "--starttls",
                  "imap", "--alpn", "imap", "--tls1.3", "--workers", "2", "--idle-timeout",
                  "60", "--max-connections", "5", "--ticket-keys", "t.key", NULL);
    if (rc)
        fprintf(stderr, "flags: %s\n", err);
    CHECK(rc == 0 && c.n_svc == 1 && c.workers == 2 && c.path == NULL);
    CHECK(strcmp(c.svc[0].name, "tunnel") == 0 && c.svc[0].n_accept == 2);
    CHECK(c.svc[0].n_identities == 2 && c.svc[0].sni_strict && c.svc[0].ver.exact == WARD_TLS13);
    CHECK(c.svc[0].idle_timeout_s == 60 && c.svc[0].max_connections == 5);
    CHECK(c.svc[0].starttls == WARD_APP_IMAP && strcmp(c.svc[0].ticket_keys, "t.key") == 0);
    tunnel_config_free(&c);
    rc = args(&c, err, sizeof err, "--accept", "127.0.0.1:1143", "--connect",
              "imap.example.org:993", "--tls-connect", "--cafile", "ca.pem", NULL);
    CHECK(rc == 0 && strcmp(c.svc[0].servername, "imap.example.org") == 0);
    tunnel_config_free(&c);

#define BAD(word, ...)                                                             \
    do {                                                                           \
        int r_ = args(&c, err, sizeof err, __VA_ARGS__, NULL);                     \
        if (r_ != -1 || !strstr(err, word))                                        \
            fprintf(stderr, "flags: want ...%s..., got %d: %s\n", word, r_, err);  \
        CHECK(r_ == -1 && strstr(err, word));                                      \
    } while (0)
#define A "--accept", "127.0.0.1:1", "--connect", "127.0.0.1:2"
    BAD("unknown option '--bogus'", A, "--tls-accept", "--bogus", "1");
    BAD("unknown option '--mode'", A, "--mode", "tls-accept");
    BAD("option --cert needs a value", A, "--tls-accept", "--cert");
    BAD("unexpected argument 'x'", A, "x");
    BAD("give --tls-accept", A);
    BAD("--tls-accept and --tls-connect exclude", A, "--tls-accept", "--tls-connect");
    BAD("--cert is for --tls-accept", A, "--tls-connect", "--cafile", "x", "--servername", "n",
        "--cert", "c", "--key", "k");
    BAD("--verify-client is for --tls-accept", A, "--tls-connect", "--pin",
        "sha256:00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff",
        "--verify-client", "ca");
    BAD("--pin is for --tls-connect", A, "--tls-accept", "--cert", "c", "--key", "k", "--pin",
        "sha256:00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff");
    BAD("needs --cafile", A, "--tls-connect");
    BAD("give --servername", A, "--tls-connect", "--cafile", "ca");
    BAD("--cert c2 has no --key", A, "--tls-accept", "--cert", "c", "--key", "k", "--cert", "c2");
    BAD("--connect given twice", A, "--connect", "127.0.0.1:3", "--tls-accept");
    BAD("no --accept", "--connect", "127.0.0.1:2", "--tls-accept", "--cert", "c", "--key", "k");
    BAD("--starttls xmpp: in server mode", A, "--tls-accept", "--cert", "c", "--key", "k",
        "--starttls", "xmpp");
    BAD("--handshake-timeout 0", A, "--handshake-timeout", "0");
    BAD("--workers", A, "--workers", "x");
    BAD("--tls1.2 and --tls1.3 exclude", A, "--tls1.2", "--tls1.3");
    BAD("the same address", A, "--accept", "127.0.0.1:1", "--tls-accept", "--cert", "c",
        "--key", "k");
    /* client mode: a protocol with a client half only (xmpp is fine) */
    rc = args(&c, err, sizeof err, A, "--tls-connect", "--pin",
              "sha256:00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff",
              "--starttls", "xmpp", NULL);
    CHECK(rc == 0 && c.svc[0].starttls == WARD_APP_XMPP && c.svc[0].servername == NULL);
    tunnel_config_free(&c);
}

static int write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    fputs(text, f);
    return fclose(f);
}

static void build(void)
{
    char cert[64], key[64], cert2[64], key2[64], conf[] = "/tmp/ward_tcfg_XXXXXX";
    char tk[] = "/tmp/ward_tcfg_tk_XXXXXX", text[2048], err[1024] = "";
    uint8_t pin[32];
    CHECK(testpki_self_signed("p256", cert, key, pin) == 1);
    CHECK(testpki_self_signed_names("p256", "b.test", "DNS:b.test", cert2, key2) == 1);
    int fd = mkstemp(conf), tfd = mkstemp(tk);
    CHECK(fd >= 0 && tfd >= 0);
    close(fd);
    close(tfd);
    CHECK(write_text(tk, "0123456789abcdef0123456789abcdef0123456789abcdef"
                         "0123456789abcdef0123456789abcdef0123456789abcdef\n") == 0);
    snprintf(text, sizeof text,
             "[s]\naccept = 127.0.0.1:0\nconnect = 127.0.0.1:143\nmode = tls-accept\n"
             "cert = %s\nkey = %s\ncert = %s\nkey = %s\nticket-keys = %s\n"
             "alpn = imap\ngroups = x25519, secp256r1\n"
             "[m]\naccept = 127.0.0.1:0\nconnect = 127.0.0.1:143\nmode = tls-accept\n"
             "cert = %s\nkey = %s\nverify-client = %s\nstarttls = imap\n"
             "[c]\naccept = 127.0.0.1:0\nconnect = 127.0.0.1:993\nmode = tls-connect\n"
             "cafile = %s\nservername = localhost\nmin-version = 1.3\n",
             cert, key, cert2, key2, tk, cert, key, cert, cert);
    CHECK(write_text(conf, text) == 0);
    tunnel_config c;
    int rc = tunnel_config_load(conf, &c, err, sizeof err);
    if (rc == 0)
        rc = tunnel_config_build(&c, err, sizeof err);
    if (rc)
        fprintf(stderr, "build: %s\n", err);
    CHECK(rc == 0 && c.n_svc == 3 && c.svc[0].cfg && c.svc[1].cfg && c.svc[2].cfg);
    tunnel_config_free(&c);

    /* a missing file: the key, the path, the system's reason, the section line */
    snprintf(text, sizeof text,
             "\n[s]\naccept = 127.0.0.1:0\nconnect = 127.0.0.1:143\nmode = tls-accept\n"
             "cert = /nonexistent/x.pem\nkey = %s\n", key);
    CHECK(write_text(conf, text) == 0);
    CHECK(tunnel_config_load(conf, &c, err, sizeof err) == 0);
    rc = tunnel_config_build(&c, err, sizeof err);
    char want[256];
    snprintf(want, sizeof want, "%s:2: [s]: cert /nonexistent/x.pem: cannot read: No such file",
             conf);
    if (rc != -1 || strncmp(err, want, strlen(want)) != 0)
        fprintf(stderr, "build: want %s, got %s\n", want, err);
    CHECK(rc == -1 && strncmp(err, want, strlen(want)) == 0);
    tunnel_config_free(&c);

    /* a certificate with another key: refused by the library, both named */
    snprintf(text, sizeof text,
             "[s]\naccept = 127.0.0.1:0\nconnect = 127.0.0.1:143\nmode = tls-accept\n"
             "cert = %s\nkey = %s\n", cert, key2);
    CHECK(write_text(conf, text) == 0);
    CHECK(tunnel_config_load(conf, &c, err, sizeof err) == 0);
    CHECK(tunnel_config_build(&c, err, sizeof err) == -1 && strstr(err, ":1: [s]: cert ") &&
          strstr(err, key2));
    tunnel_config_free(&c);

    /* bad ticket keys, a CA file that is not PEM, an unresolvable address */
    CHECK(write_text(tk, "not hex\n") == 0);
    snprintf(text, sizeof text,
             "[s]\naccept = 127.0.0.1:0\nconnect = 127.0.0.1:143\nmode = tls-accept\n"
             "cert = %s\nkey = %s\nticket-keys = %s\n", cert, key, tk);
    CHECK(write_text(conf, text) == 0);
    CHECK(tunnel_config_load(conf, &c, err, sizeof err) == 0);
    CHECK(tunnel_config_build(&c, err, sizeof err) == -1 && strstr(err, "ticket-keys"));
    tunnel_config_free(&c);
    snprintf(text, sizeof text,
             "[c]\naccept = 127.0.0.1:0\nconnect = 127.0.0.1:993\nmode = tls-connect\n"
             "cafile = %s\nservername = localhost\n", tk);
    CHECK(write_text(conf, text) == 0);
    CHECK(tunnel_config_load(conf, &c, err, sizeof err) == 0);
    CHECK(tunnel_config_build(&c, err, sizeof err) == -1 && strstr(err, "cafile"));
    tunnel_config_free(&c);
    CHECK(write_text(conf, "[s]\naccept = 127.0.0.1:0\nconnect = no-such-host.invalid:143\n"
                           "mode = tls-connect\ncafile = x\n") == 0);
    CHECK(tunnel_config_load(conf, &c, err, sizeof err) == 0);
    CHECK(tunnel_config_build(&c, err, sizeof err) == -1 && strstr(err, "cannot resolve"));
    tunnel_config_free(&c);

    /* the flags: messages without a file location */
    rc = args(&c, err, sizeof err, "--accept", "127.0.0.1:0", "--connect", "127.0.0.1:1",
              "--tls-accept", "--cert", cert, "--key", key, NULL);
    CHECK(rc == 0 && tunnel_config_build(&c, err, sizeof err) == 0 && c.svc[0].cfg);
    tunnel_config_free(&c);
    rc = args(&c, err, sizeof err, "--accept", "127.0.0.1:0", "--connect", "127.0.0.1:1",
              "--tls-accept", "--cert", "/nonexistent/c", "--key", key, NULL);
    CHECK(rc == 0 && tunnel_config_build(&c, err, sizeof err) == -1 &&
          strncmp(err, "--cert /nonexistent/c: cannot read", 34) == 0);
    tunnel_config_free(&c);
    unlink(conf);
    unlink(tk);
    unlink(cert);
    unlink(key);
    unlink(cert2);
    unlink(key2);
}

int main(void)
{
    examples();
    good_inputs();
    bad_inputs();
    flags();
    build();
    CHECK(strstr(tunnel_config_help, "--accept") && strstr(tunnel_config_help, "[NAME]"));
    return test_report();
}
