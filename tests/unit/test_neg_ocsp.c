/* A crafted TLS 1.2 server against a ward client, around OCSP stapling
 * (RFC 6066 §8): status_request in ServerHello when the client did not
 * offer it, CertificateStatus when the ServerHello did not acknowledge it,
 * malformed, repeated or misplaced CertificateStatus, and a required
 * staple that does not come. Each case checks the exact error and alert.
 * (TLS 1.3 staples: test_cert_status for the codec, test_ocsp_staple for
 * the checks.) */
#include <string.h>

#include "msg/msg.h"
#include <unistd.h>

#include "negpeer.h"
#include "testpki.h"
#include "testutil.h"

#define EXPECT(c, got, want) neg_expect(__func__, c, NULL, got, want)

static ward_config *scfg, *ccfg_off, *ccfg_req, *ccfg_require;

typedef neg_flight12 flight; /* SH, Certificate, SKE, SHD (+ what a case inserts) */

enum { SH = 0, CERT, SKE, SHD };

static int start(flight *f, ward_config *ccfg) { return neg_flight12_start(f, ccfg, scfg); }
static void end(flight *f) { neg_flight12_end(f); }
static ward_err send(flight *f) { return neg_flight12_send(f); }

static void ack(flight *f)
{
    static const uint8_t ext[] = {0x00, 0x05, 0x00, 0x00};
    CHECK(neg_hello_add_ext(&f->m.m[SH], ext, sizeof ext));
}

/* Insert a CertificateStatus (body hex) before message index at. */
static void insert_status(flight *f, size_t at, const char *hex)
{
    CHECK(f->m.n < NEG_MAX_MSGS);
    memmove(&f->m.m[at + 1], &f->m.m[at], (f->m.n - at) * sizeof f->m.m[0]);
    f->m.n++;
    neg_msg *m = &f->m.m[at];
    m->type = HS_CERTIFICATE_STATUS;
    long n = hex_decode(hex, m->body, sizeof m->body);
    CHECK(n >= 0);
    m->len = n < 0 ? 0 : (size_t)n;
}

static void acked_no_status_is_fine(void)
{
    flight f;
    CHECK(start(&f, ccfg_req));
    ack(&f);
    neg_cases++;
    CHECK_CODE(send(&f), WARD_OK); /* §8: the server may still send none */
    end(&f);
}

static void ack_not_offered(void)
{
    flight f;
    CHECK(start(&f, ccfg_off));
    ack(&f);
    EXPECT(f.c, send(&f), WARD_ERR_UNSUPPORTED_EXTENSION);
    end(&f);
}

static void ack_not_empty(void)
{
    flight f;
    CHECK(start(&f, ccfg_req));
    static const uint8_t ext[] = {0x00, 0x05, 0x00, 0x01, 0x01};
    CHECK(neg_hello_add_ext(&f.m.m[SH], ext, sizeof ext));
    EXPECT(f.c, send(&f), WARD_ERR_DECODE);
    end(&f);
}

static void status_without_ack(void)
{
    flight f;
    CHECK(start(&f, ccfg_req));
    insert_status(&f, SKE, "01 000002 3000");
    EXPECT(f.c, send(&f), WARD_ERR_UNEXPECTED_MESSAGE);
    end(&f);
}

static void status_wrong_type(void)
{
    flight f;
    CHECK(start(&f, ccfg_req));
    ack(&f);
    insert_status(&f, SKE, "02 000002 3000");
    EXPECT(f.c, send(&f), WARD_ERR_ILLEGAL_PARAMETER);
    end(&f);
}

static void status_truncated(void)
{
    flight f;
    CHECK(start(&f, ccfg_req));
    ack(&f);
    insert_status(&f, SKE, "01 000005 3000");
    EXPECT(f.c, send(&f), WARD_ERR_DECODE);
    end(&f);
}

static void status_empty_response(void)
{
    flight f;
    CHECK(start(&f, ccfg_req));
    ack(&f);
    insert_status(&f, SKE, "01 000000");
    EXPECT(f.c, send(&f), WARD_ERR_DECODE);
    end(&f);
}

static void status_twice(void)
{
    flight f;
    CHECK(start(&f, ccfg_req));
    ack(&f);
    insert_status(&f, SKE, "01 000002 3000"); /* not checked: verification is off */
    insert_status(&f, SKE, "01 000002 3000");
    EXPECT(f.c, send(&f), WARD_ERR_UNEXPECTED_MESSAGE);
    end(&f);
}

static void status_after_ske(void)
{
    flight f;
    CHECK(start(&f, ccfg_req));
    ack(&f);
    insert_status(&f, SHD, "01 000002 3000");
    EXPECT(f.c, send(&f), WARD_ERR_UNEXPECTED_MESSAGE);
    end(&f);
}

static void required_but_acked_and_absent(void)
{
    flight f;
    CHECK(start(&f, ccfg_require));
    ack(&f);
    EXPECT(f.c, send(&f), WARD_ERR_BAD_CERT_STATUS);
    CHECK(strstr(ward_conn_error_message(f.c), "no OCSP staple") != NULL);
    end(&f);
}

static void required_not_acked(void)
{
    flight f;
    CHECK(start(&f, ccfg_require));
    EXPECT(f.c, send(&f), WARD_ERR_BAD_CERT_STATUS);
    end(&f);
}

int main(void)
{
    /* WARD_OCSP_REQUIRE needs a verified chain (a staple is checked
     * against the trust anchors): the server's self-signed certificate is
     * the requiring client's trust anchor. */
    char cert[64], key[64];
    uint8_t pin[32];
    CHECK(testpki_self_signed("p256", cert, key, pin));
    scfg = neg_server_config(NULL, WARD_TLS12, WARD_TLS12);
    CHECK_CODE(ward_config_set_cert_files(scfg, cert, key), WARD_OK);
    ccfg_off = neg_client_config(NULL, WARD_TLS12, WARD_TLS12);
    ccfg_req = neg_client_config(NULL, WARD_TLS12, WARD_TLS12);
    ccfg_require = neg_client_config(NULL, WARD_TLS12, WARD_TLS12);
    ward_config_set_insecure_no_verify(ccfg_require, 0);
    CHECK_CODE(ward_config_set_cafile(ccfg_require, cert), WARD_OK);
    CHECK_CODE(ward_config_set_ocsp(ccfg_off, WARD_OCSP_OFF), WARD_OK);
    CHECK_CODE(ward_config_set_ocsp(ccfg_require, WARD_OCSP_REQUIRE), WARD_OK);
    unlink(cert);
    unlink(key);

    acked_no_status_is_fine();
    ack_not_offered();
    ack_not_empty();
    status_without_ack();
    status_wrong_type();
    status_truncated();
    status_empty_response();
    status_twice();
    status_after_ske();
    required_but_acked_and_absent();
    required_not_acked();

    ward_config_free(scfg);
    ward_config_free(ccfg_off);
    ward_config_free(ccfg_req);
    ward_config_free(ccfg_require);
    CHECK(neg_failed == 0);
    fprintf(stderr, "%d crafted cases\n", neg_cases);
    return test_report();
}
