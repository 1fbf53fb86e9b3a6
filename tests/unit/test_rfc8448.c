/* RFC 8448 (draft-ietf-tls-tls13-vectors) reproduced byte for byte.
 *
 * With the trace's private keys and randoms fixed through the test hooks,
 * a ward server fed the trace's client records must write exactly the
 * trace's server records, and a ward client fed the server's records must
 * write exactly the client's; every traffic secret must match. RSA-PSS
 * signing is randomized, so the trace's CertificateVerify signature is
 * replayed; the trace's 1024-bit RSA key is accepted only through the
 * test-only allow_weak_rsa hook. §3 (1-RTT), §4 (resumed 0-RTT, from §3's
 * ticket) and §5 (HelloRetryRequest). */
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hs/test_hooks.h"
#include "crypto/crypto.h"
#include "testutil.h"
#include "trace.h"
#include "ward/ward.h"

#define BLOB 4096

typedef struct {
    uint8_t b[BLOB];
    long n;
} blob;

static blob get(int section, const char *after, int after_nth, const char *label, int nth)
{
    blob x;
    x.n = trace_get(section, after, after_nth, label, nth, x.b, sizeof x.b);
    if (x.n < 0) {
        fprintf(stderr, "trace §%d: no '%s' #%d after '%s'\n", section, label, nth,
                after ? after : "(start)");
        exit(1);
    }
    return x;
}

static blob record(int section, int nth) { return get(section, NULL, 0, "complete record", nth); }

/* ---- the trace's server identity, written as PEM files ---- */
static char cert_path[64], key_path[64];

/* §2 lists the RSA key as "name:  hex..." lines without an octet count;
 * read them straight from the file. */
static BIGNUM *bn_from_trace(const char *name)
{
    const char *dir = getenv("WARD_VECTORS");
    char path[512], line[256], hex[2048] = "";
    snprintf(path, sizeof path, "%s/rfc8448-traces.txt", dir ? dir : "/work/shared/vectors");
    FILE *f = fopen(path, "r");
    if (!f)
        return NULL;
    int in_key = 0;
    char want[64];
    snprintf(want, sizeof want, "   %s:", name);
    while (fgets(line, sizeof line, f)) {
        if (!in_key && strncmp(line, want, strlen(want)) == 0) {
            in_key = 1;
            strncat(hex, strchr(line, ':') + 1, sizeof hex - strlen(hex) - 1);
        } else if (in_key) {
            if (strchr(line, ':') || line[0] != ' ' || strspn(line, " \n") == strlen(line))
                break;
            strncat(hex, line, sizeof hex - strlen(hex) - 1);
        }
    }
    fclose(f);
    uint8_t bytes[512];
    long n = hex_decode(hex, bytes, sizeof bytes);
    return n > 0 ? BN_bin2bn(bytes, (int)n, NULL) : NULL;
}

static int write_identity(const blob *certificate_msg)
{
    /* Certificate: type(1) len(3) ctx(1) list(3) cert_len(3) DER ... */
    const uint8_t *der = certificate_msg->b + 11;
    long der_len = (certificate_msg->b[8] << 16) | (certificate_msg->b[9] << 8) |
                   certificate_msg->b[10];
    X509 *x = d2i_X509(NULL, &der, der_len);
    OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
    const char *names[] = {"modulus (public)", "public exponent", "private exponent", "prime1",
                           "prime2", "exponent1", "exponent2", "coefficient"};
    const char *keys[] = {OSSL_PKEY_PARAM_RSA_N, OSSL_PKEY_PARAM_RSA_E,
                          OSSL_PKEY_PARAM_RSA_D, OSSL_PKEY_PARAM_RSA_FACTOR1,
                          OSSL_PKEY_PARAM_RSA_FACTOR2, OSSL_PKEY_PARAM_RSA_EXPONENT1,
                          OSSL_PKEY_PARAM_RSA_EXPONENT2, OSSL_PKEY_PARAM_RSA_COEFFICIENT1};
    BIGNUM *bn[8];
    for (int i = 0; i < 8; i++) {
        bn[i] = bn_from_trace(names[i]);
        OSSL_PARAM_BLD_push_BN(bld, keys[i], bn[i]);
    }
    OSSL_PARAM *params = OSSL_PARAM_BLD_to_param(bld);
    EVP_PKEY_CTX *pctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);
    EVP_PKEY *pkey = NULL;
    int ok = x && pctx && EVP_PKEY_fromdata_init(pctx) == 1 &&
             EVP_PKEY_fromdata(pctx, &pkey, EVP_PKEY_KEYPAIR, params) == 1;
    strcpy(cert_path, "/tmp/ward-rfc8448-cert-XXXXXX");
    strcpy(key_path, "/tmp/ward-rfc8448-key-XXXXXX");
    int cfd = mkstemp(cert_path), kfd = mkstemp(key_path);
    FILE *cf = fdopen(cfd, "w"), *kf = fdopen(kfd, "w");
    ok = ok && PEM_write_X509(cf, x) == 1 &&
         PEM_write_PrivateKey(kf, pkey, NULL, NULL, 0, NULL, NULL) == 1;
    fclose(cf);
    fclose(kf);
    for (int i = 0; i < 8; i++)
        BN_free(bn[i]);
    OSSL_PARAM_free(params);
    OSSL_PARAM_BLD_free(bld);
    EVP_PKEY_CTX_free(pctx);
    EVP_PKEY_free(pkey);
    X509_free(x);
    return ok;
}

/* ---- secrets seen through the hook ---- */
typedef struct {
    uint8_t c_hs[32], s_hs[32], c_ap[32], s_ap[32], exp[32];
    int count;
    uint8_t c_early[32]; /* CLIENT_EARLY_TRAFFIC_SECRET (§4), not counted */
    int have_early;
} secrets;

static void on_secret(void *arg, const char *label, const uint8_t *s, size_t len)
{
    secrets *x = arg;
    uint8_t *dst = !strcmp(label, "CLIENT_HANDSHAKE_TRAFFIC_SECRET")   ? x->c_hs
                   : !strcmp(label, "SERVER_HANDSHAKE_TRAFFIC_SECRET") ? x->s_hs
                   : !strcmp(label, "CLIENT_TRAFFIC_SECRET_0")         ? x->c_ap
                   : !strcmp(label, "SERVER_TRAFFIC_SECRET_0")         ? x->s_ap
                   : !strcmp(label, "EXPORTER_SECRET")                 ? x->exp
                                                                       : NULL;
    if (!strcmp(label, "CLIENT_EARLY_TRAFFIC_SECRET") && len == 32) {
        memcpy(x->c_early, s, 32);
        x->have_early = 1;
    }
    if (dst && len == 32) {
        memcpy(dst, s, 32);
        x->count++;
    }
}

static void check_secrets(int section, const secrets *x)
{
    CHECK(x->count == 5);
    blob c_hs = get(section, "derive secret \"tls13 c hs traffic\"", 0, "expanded", 0);
    blob s_hs = get(section, "derive secret \"tls13 s hs traffic\"", 0, "expanded", 0);
    blob c_ap = get(section, "derive secret \"tls13 c ap traffic\"", 0, "expanded", 0);
    blob s_ap = get(section, "derive secret \"tls13 s ap traffic\"", 0, "expanded", 0);
    blob exp = get(section, "derive secret \"tls13 exp master\"", 0, "expanded", 0);
    CHECK_MEM(x->c_hs, c_hs.b, 32);
    CHECK_MEM(x->s_hs, s_hs.b, 32);
    CHECK_MEM(x->c_ap, c_ap.b, 32);
    CHECK_MEM(x->s_ap, s_ap.b, 32);
    CHECK_MEM(x->exp, exp.b, 32);
}

/* Take everything the engine wants to send. */
static blob output(ward_conn *c)
{
    blob x;
    size_t len;
    const uint8_t *p = ward_conn_output(c, &len);
    x.n = (long)(len < BLOB ? len : BLOB);
    memcpy(x.b, p, (size_t)x.n);
    ward_conn_output_done(c, len);
    return x;
}

static blob concat(blob a, blob b)
{
    memcpy(a.b + a.n, b.b, (size_t)b.n);
    a.n += b.n;
    return a;
}

#define CHECK_BLOB(got, want)                                                   \
    do {                                                                        \
        CHECK((got).n == (want).n);                                             \
        if ((got).n == (want).n)                                                \
            CHECK_MEM((got).b, (want).b, (size_t)(want).n);                     \
    } while (0)

static void feed(ward_conn *c, blob rec) { CHECK(ward_conn_recv(c, rec.b, (size_t)rec.n) == WARD_OK); }

static const uint16_t trace_sigalgs[] = {0x0403, 0x0503, 0x0603, 0x0203, 0x0804,
                                         0x0805, 0x0806, 0x0401, 0x0501, 0x0601,
                                         0x0201, 0x0402, 0x0502, 0x0602, 0x0202};
static const uint16_t groups_s3[] = {0x001d, 0x0017, 0x0018, 0x0019, 0x0100,
                                     0x0101, 0x0102, 0x0103, 0x0104};
static const uint16_t groups_s5[] = {0x001d, 0x0017, 0x0018};
static const uint16_t trace_suites[] = {0x1301, 0x1303, 0x1302};

/* A server configured as the trace's: its key, certificate, randomness. */
static ward_config *trace_server(ward_test_hooks *h, const blob *sh, const blob *ee,
                                 const blob *cv, const ward_test_kex_private *kp)
{
    h->random = sh->b + 6;
    h->kex_private = kp;
    h->n_kex_private = 1;
    h->cv_signature = cv->b + 8;
    h->cv_signature_len = (size_t)cv->n - 8;
    h->allow_weak_rsa = 1;
    h->ee_groups_raw = ee->b + 12;
    h->ee_groups_raw_len = (size_t)((ee->b[10] << 8) | ee->b[11]);
    ward_config *cfg = ward_config_new_server();
    ward_config_set_test_hooks(cfg, h);
    /* The traces' server sends no ticket before close (test_resume13 covers tickets). */
    CHECK(ward_config_set_tickets(cfg, 0, 7200) == WARD_OK);
    CHECK_CODE(ward_config_set_cert_files(cfg, cert_path, key_path), WARD_OK);
    return cfg;
}

static ward_config *trace_client(ward_test_hooks *h, const blob *ch, const uint16_t *groups,
                                 size_t n_groups, const ward_test_kex_private *kp, size_t n_kp,
                                 const uint8_t *pin)
{
    h->random = ch->b + 6;
    h->kex_private = kp;
    h->n_kex_private = n_kp;
    h->allow_weak_rsa = 1;
    h->advertise_groups = groups;
    h->n_advertise_groups = n_groups;
    h->advertise_sigalgs = trace_sigalgs;
    h->n_advertise_sigalgs = WARD_ARRAY_LEN(trace_sigalgs);
    h->record_size_limit = 0x4001;
    h->now = 1537000000; /* September 2018: inside the certificate's validity */
    ward_config *cfg = ward_config_new_client();
    ward_config_set_test_hooks(cfg, h);
    ward_config_set_middlebox_compat(cfg, 0);
    CHECK(ward_config_set_ocsp(cfg, WARD_OCSP_OFF) == WARD_OK); /* the trace has no status_request */
    CHECK(ward_config_set_versions(cfg, WARD_TLS13, WARD_TLS13) == WARD_OK);
    const uint16_t classical[] = {WARD_GROUP_X25519, WARD_GROUP_SECP256R1, WARD_GROUP_SECP384R1};
    CHECK(ward_config_set_groups(cfg, classical, 3) == WARD_OK); /* the trace's key share */
    CHECK(ward_config_set_suites(cfg, trace_suites, 3) == WARD_OK);
    ward_config_set_pin_sha256(cfg, pin);
    return cfg;
}

static void pin_of(const blob *certificate_msg, uint8_t pin[32])
{
    wres r = crypto_cert_spki_sha256(certificate_msg->b + 11, (size_t)certificate_msg->n - 13, pin);
    CHECK_OK(r);
}

static ward_session *section3(void)
{
    blob ch = get(3, NULL, 0, "ClientHello", 0), sh = get(3, NULL, 0, "ServerHello", 0);
    blob ee = get(3, NULL, 0, "EncryptedExtensions", 0), cert = get(3, NULL, 0, "Certificate", 0);
    blob cv = get(3, NULL, 0, "CertificateVerify", 0);
    blob cpriv = get(3, NULL, 0, "private key", 0), spriv = get(3, NULL, 0, "private key", 1);
    CHECK(write_identity(&cert));
    uint8_t pin[32];
    pin_of(&cert, pin);

    /* The server. */
    secrets ssec = {0};
    ward_test_hooks sh_hooks = {0};
    sh_hooks.on_secret = on_secret;
    sh_hooks.arg = &ssec;
    ward_test_kex_private skp = {0x001d, spriv.b, (size_t)spriv.n};
    ward_config *scfg = trace_server(&sh_hooks, &sh, &ee, &cv, &skp);
    ward_conn *s = ward_conn_new(scfg, NULL);
    feed(s, record(3, 0));
    CHECK_BLOB(output(s), concat(record(3, 1), record(3, 2)));
    feed(s, record(3, 3));
    CHECK(ward_conn_state(s) == WARD_STATE_ESTABLISHED);
    check_secrets(3, &ssec);
    feed(s, record(3, 5));
    uint8_t buf[64];
    size_t n;
    CHECK(ward_conn_read(s, buf, sizeof buf, &n) == WARD_OK && n == 50);
    CHECK(buf[0] == 0 && buf[49] == 49);
    ward_conn_free(s);
    ward_config_free(scfg);

    /* The client. */
    secrets csec = {0};
    ward_test_hooks c_hooks = {0};
    c_hooks.on_secret = on_secret;
    c_hooks.arg = &csec;
    c_hooks.session_ticket_ext = 1;
    ward_test_kex_private ckp = {0x001d, cpriv.b, (size_t)cpriv.n};
    ward_config *ccfg = trace_client(&c_hooks, &ch, groups_s3, WARD_ARRAY_LEN(groups_s3), &ckp, 1, pin);
    ward_conn *c = ward_conn_new(ccfg, "server");
    CHECK_BLOB(output(c), record(3, 0));
    feed(c, record(3, 1));
    feed(c, record(3, 2));
    if (ward_conn_error(c) != WARD_OK)
        fprintf(stderr, "client: %s\n", ward_conn_error_message(c));
    CHECK_BLOB(output(c), record(3, 3));
    CHECK(ward_conn_state(c) == WARD_STATE_ESTABLISHED);
    check_secrets(3, &csec);
    feed(c, record(3, 4)); /* NewSessionTicket */
    feed(c, record(3, 6)); /* the server's application data */
    CHECK(ward_conn_read(c, buf, sizeof buf, &n) == WARD_OK && n == 50);
    blob app = get(3, "{client}  send application_data record", 0, "payload", 0);
    CHECK(ward_conn_write(c, app.b, (size_t)app.n) == WARD_OK);
    CHECK_BLOB(output(c), record(3, 5));
    CHECK(ward_conn_close(c) == WARD_OK);
    CHECK_BLOB(output(c), record(3, 7));
    /* The ticket it got, for §4. */
    ward_session *session = ward_conn_get_session(c);
    ward_conn_free(c);
    ward_config_free(ccfg);
    return session;
}

/* §4: the session from §3's NewSessionTicket, resumed with 0-RTT. */
static void section4(ward_session *s3)
{
    blob ch = get(4, NULL, 0, "ClientHello", 0), sh = get(4, NULL, 0, "ServerHello", 0);
    blob ee = get(4, NULL, 0, "EncryptedExtensions", 0);
    blob cpriv = get(4, NULL, 0, "private key", 0), spriv = get(4, NULL, 0, "private key", 1);
    blob early = get(4, "{client}  send application_data record", 0, "payload", 0);
    blob c_e = get(4, "derive secret \"tls13 c e traffic\"", 0, "expanded", 0);
    blob psk = get(3, "generate resumption secret \"tls13 resumption\"", 0, "expanded", 0);
    blob nst = get(3, NULL, 0, "NewSessionTicket", 0);
    uint8_t pin[32] = {0}; /* unused: a PSK handshake has no certificate */

    /* The client: CH with binder + the early data, then EOED + Finished. */
    secrets csec = {0};
    ward_test_hooks c_hooks = {0};
    c_hooks.on_secret = on_secret;
    c_hooks.arg = &csec;
    c_hooks.fix_ticket_age = 1;
    c_hooks.ticket_age_ms = 5; /* obfuscated 0x933d0937 - age_add 0x933d0932 */
    ward_test_kex_private ckp = {0x001d, cpriv.b, (size_t)cpriv.n};
    ward_config *ccfg = trace_client(&c_hooks, &ch, groups_s3, WARD_ARRAY_LEN(groups_s3), &ckp, 1, pin);
    CHECK(s3 && ward_session_max_early_data(s3) == 1024);
    ward_conn *c = ward_conn_new_resuming(ccfg, "server", s3, early.b, (size_t)early.n);
    CHECK_BLOB(output(c), concat(record(4, 0), record(4, 1)));
    feed(c, record(4, 2));
    feed(c, record(4, 3));
    if (ward_conn_error(c) != WARD_OK)
        fprintf(stderr, "client: %s\n", ward_conn_error_message(c));
    CHECK_BLOB(output(c), concat(record(4, 4), record(4, 5)));
    CHECK(ward_conn_state(c) == WARD_STATE_ESTABLISHED && ward_conn_resumed(c));
    CHECK(ward_conn_early_data_status(c) == WARD_EARLY_ACCEPTED);
    check_secrets(4, &csec);
    CHECK(csec.have_early);
    CHECK_MEM(csec.c_early, c_e.b, 32);
    blob app = get(4, "{client}  send application_data record", 1, "payload", 0);
    CHECK(ward_conn_write(c, app.b, (size_t)app.n) == WARD_OK);
    CHECK_BLOB(output(c), record(4, 6));
    CHECK(ward_conn_close(c) == WARD_OK);
    CHECK_BLOB(output(c), record(4, 8));
    ward_conn_free(c);
    ward_config_free(ccfg);

    /* The server: the trace's ticket stands for one of its own. */
    secrets ssec = {0};
    ward_test_hooks s_hooks = {0};
    s_hooks.on_secret = on_secret;
    s_hooks.arg = &ssec;
    s_hooks.random = sh.b + 6;
    ward_test_kex_private skp = {0x001d, spriv.b, (size_t)spriv.n};
    s_hooks.kex_private = &skp;
    s_hooks.n_kex_private = 1;
    s_hooks.ee_groups_raw = ee.b + 12;
    s_hooks.ee_groups_raw_len = (size_t)((ee.b[10] << 8) | ee.b[11]);
    s_hooks.now = 1537000000;
    s_hooks.allow_weak_rsa = 1;
    /* NewSessionTicket: type(1) len(3) lifetime(4) age_add(4) nonce(1+2) ticket(2+178) */
    s_hooks.ticket_age_add = (uint32_t)nst.b[8] << 24 | (uint32_t)nst.b[9] << 16 |
                             (uint32_t)nst.b[10] << 8 | nst.b[11];
    s_hooks.ticket_len = (size_t)(nst.b[15] << 8 | nst.b[16]);
    s_hooks.ticket = nst.b + 17;
    s_hooks.ticket_psk = psk.b;
    s_hooks.ticket_psk_len = (size_t)psk.n;
    s_hooks.ticket_max_early_data = 1024;
    ward_config *scfg = ward_config_new_server();
    ward_config_set_test_hooks(scfg, &s_hooks);
    CHECK(ward_config_set_tickets(scfg, 0, 7200) == WARD_OK);
    CHECK(ward_config_set_max_early_data(scfg, 1024) == WARD_OK);
    CHECK_CODE(ward_config_set_cert_files(scfg, cert_path, key_path), WARD_OK);
    const uint16_t x25519[] = {WARD_GROUP_X25519};
    CHECK(ward_config_set_groups(scfg, x25519, 1) == WARD_OK);
    CHECK(ward_config_set_suites(scfg, trace_suites, 3) == WARD_OK);
    ward_conn *s = ward_conn_new(scfg, NULL);
    feed(s, record(4, 0));
    feed(s, record(4, 1));
    if (ward_conn_error(s) != WARD_OK)
        fprintf(stderr, "server: %s\n", ward_conn_error_message(s));
    CHECK_BLOB(output(s), concat(record(4, 2), record(4, 3)));
    feed(s, record(4, 4));
    feed(s, record(4, 5));
    CHECK(ward_conn_state(s) == WARD_STATE_ESTABLISHED && ward_conn_resumed(s));
    CHECK(ward_conn_early_data_status(s) == WARD_EARLY_ACCEPTED);
    check_secrets(4, &ssec);
    CHECK(ssec.have_early);
    CHECK_MEM(ssec.c_early, c_e.b, 32);
    uint8_t buf[64];
    size_t n;
    CHECK(ward_conn_read_early_data(s, buf, sizeof buf, &n) == WARD_OK && n == 6 &&
          !memcmp(buf, "ABCDEF", 6));
    feed(s, record(4, 6));
    CHECK(ward_conn_read(s, buf, sizeof buf, &n) == WARD_OK && n == 50);
    blob sapp = get(4, "{server}  send application_data record", 0, "payload", 0);
    CHECK(ward_conn_write(s, sapp.b, (size_t)sapp.n) == WARD_OK);
    CHECK_BLOB(output(s), record(4, 7));
    ward_conn_free(s);
    ward_config_free(scfg);
}

static void section5(void)
{
    blob ch1 = get(5, NULL, 0, "ClientHello", 0);
    blob sh = get(5, NULL, 0, "ServerHello", 1), hrr = get(5, NULL, 0, "ServerHello", 0);
    blob ee = get(5, NULL, 0, "EncryptedExtensions", 0), cert = get(5, NULL, 0, "Certificate", 0);
    blob cv = get(5, NULL, 0, "CertificateVerify", 0);
    blob cx = get(5, NULL, 0, "private key", 0), cp = get(5, NULL, 0, "private key", 1);
    blob sp = get(5, NULL, 0, "private key", 2);
    uint8_t pin[32];
    pin_of(&cert, pin);
    /* HRR: type len(3) version(2) random(32) sid(1) suite(2) comp(1)
     * exts(2) key_share(2+2+2) cookie type(2) len(2) cookie_len(2) cookie */
    const uint8_t *cookie = hrr.b + 4 + 2 + 32 + 1 + 2 + 1 + 2 + 6 + 6;
    size_t cookie_len = (size_t)((hrr.b[4 + 2 + 32 + 1 + 2 + 1 + 2 + 6 + 4] << 8) |
                                 hrr.b[4 + 2 + 32 + 1 + 2 + 1 + 2 + 6 + 5]);

    secrets ssec = {0};
    ward_test_hooks sh_hooks = {0};
    sh_hooks.on_secret = on_secret;
    sh_hooks.arg = &ssec;
    sh_hooks.hrr_cookie = cookie;
    sh_hooks.hrr_cookie_len = cookie_len;
    ward_test_kex_private skp = {0x0017, sp.b, (size_t)sp.n};
    ward_config *scfg = trace_server(&sh_hooks, &sh, &ee, &cv, &skp);
    const uint16_t server_groups[] = {0x0017, 0x0018, 0x001d};
    CHECK(ward_config_set_groups(scfg, server_groups, 3) == WARD_OK);
    ward_config_set_force_hrr(scfg, 1);
    ward_conn *s = ward_conn_new(scfg, NULL);
    feed(s, record(5, 0));
    CHECK_BLOB(output(s), record(5, 1));
    feed(s, record(5, 2));
    CHECK_BLOB(output(s), concat(record(5, 3), record(5, 4)));
    feed(s, record(5, 5));
    CHECK(ward_conn_state(s) == WARD_STATE_ESTABLISHED);
    check_secrets(5, &ssec);
    CHECK(ward_conn_close(s) == WARD_OK);
    CHECK_BLOB(output(s), record(5, 7));
    ward_conn_free(s);
    ward_config_free(scfg);

    secrets csec = {0};
    ward_test_hooks c_hooks = {0};
    c_hooks.on_secret = on_secret;
    c_hooks.arg = &csec;
    ward_test_kex_private ckp[2] = {{0x001d, cx.b, (size_t)cx.n}, {0x0017, cp.b, (size_t)cp.n}};
    ward_config *ccfg = trace_client(&c_hooks, &ch1, groups_s5, 3, ckp, 2, pin);
    ward_conn *c = ward_conn_new(ccfg, "server");
    CHECK_BLOB(output(c), record(5, 0));
    feed(c, record(5, 1));
    CHECK_BLOB(output(c), record(5, 2));
    feed(c, record(5, 3));
    feed(c, record(5, 4));
    if (ward_conn_error(c) != WARD_OK)
        fprintf(stderr, "client: %s\n", ward_conn_error_message(c));
    CHECK_BLOB(output(c), record(5, 5));
    CHECK(ward_conn_state(c) == WARD_STATE_ESTABLISHED && ward_conn_did_hrr(c));
    check_secrets(5, &csec);
    CHECK(ward_conn_close(c) == WARD_OK);
    CHECK_BLOB(output(c), record(5, 6));
    ward_conn_free(c);
    ward_config_free(ccfg);
}

int main(void)
{
    if (trace_load() != 0) {
        fprintf(stderr, "cannot read the RFC 8448 traces (set WARD_VECTORS)\n");
        return 1;
    }
    ward_session *s3 = section3();
    section4(s3);
    ward_session_free(s3);
    section5();
    unlink(cert_path);
    unlink(key_path);
    return test_report();
}
