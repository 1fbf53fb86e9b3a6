/* hs/table.c: the message sequence of each handshake kind, as the table
 * gives it (the handshakes themselves are the selftalk, negative and
 * interop tests). */
#include <string.h>

#include "conn/internal.h"
#include "hs/hs.h"
#include "testutil.h"

static void expect(unsigned kind, int post_pha, const char *want)
{
    char got[1024];
    size_t n = hs_table_describe(kind, post_pha, got, sizeof got);
    CHECK(n < sizeof got);
    if (strcmp(got, want) != 0) {
        fprintf(stderr, "kind 0x%x:\n got  %s\n want %s\n", kind, got, want);
        CHECK(0);
    } else {
        CHECK(1);
    }
}

#define CH13 "C ClientHello, S ServerHello, S EncryptedExtensions"
#define SAUTH13 ", S CertificateRequest?, S Certificate, S CertificateVerify, S Finished"

static void tls13(void)
{
    expect(0, 0, CH13 SAUTH13 ", C Finished");
    expect(HK_HRR, 0,
           "C ClientHello, S HelloRetryRequest, C ClientHello, S ServerHello, "
           "S EncryptedExtensions" SAUTH13 ", C Finished");
    expect(HK_RESUMED, 0, CH13 ", S Finished, C Finished");
    expect(HK_RESUMED | HK_EARLY_DATA, 0, CH13 ", S Finished, C EndOfEarlyData, C Finished");
    expect(HK_CLIENT_AUTH, 0, CH13 SAUTH13 ", C Certificate, C Finished");
    expect(HK_CLIENT_AUTH | HK_CLIENT_CERT, 0,
           CH13 SAUTH13 ", C Certificate, C CertificateVerify, C Finished");
}

#define CH12 "C ClientHello, S ServerHello, S Certificate"
#define END12 ", S NewSessionTicket?, S ChangeCipherSpec, S Finished"

static void tls12(void)
{
    expect(HK_TLS12, 0,
           CH12 ", S ServerKeyExchange, S CertificateRequest?, S ServerHelloDone, "
                "C ClientKeyExchange, C ChangeCipherSpec, C Finished" END12);
    expect(HK_TLS12 | HK_OCSP_STATUS, 0,
           CH12 ", S CertificateStatus?, S ServerKeyExchange, S CertificateRequest?, "
                "S ServerHelloDone, C ClientKeyExchange, C ChangeCipherSpec, C Finished" END12);
    expect(HK_TLS12 | HK_RSA_KX, 0,
           CH12 ", S CertificateRequest?, S ServerHelloDone, C ClientKeyExchange, "
                "C ChangeCipherSpec, C Finished" END12);
    expect(HK_TLS12 | HK_CLIENT_AUTH | HK_CLIENT_CERT, 0,
           CH12 ", S ServerKeyExchange, S CertificateRequest?, S ServerHelloDone, "
                "C Certificate, C ClientKeyExchange, C CertificateVerify, C ChangeCipherSpec, "
                "C Finished" END12);
    expect(HK_TLS12 | HK_RESUMED, 0,
           "C ClientHello, S ServerHello" END12 ", C ChangeCipherSpec, C Finished");
}

static void post_handshake_auth(void)
{
    expect(HK_PHA, 1, "S CertificateRequest, C Certificate, C Finished");
    expect(HK_PHA | HK_CLIENT_CERT, 1,
           "S CertificateRequest, C Certificate, C CertificateVerify, C Finished");
    expect(0, 1, "");
}

int main(void)
{
    tls13();
    tls12();
    post_handshake_auth();
    return test_report();
}
