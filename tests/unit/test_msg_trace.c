/* The RFC 8448 trace reader used by the codec and handshake tests. */
#include <string.h>

#include "testutil.h"
#include "trace.h"
#include "ward/ward.h"

static void first_client_hello(void)
{
    uint8_t buf[1024];
    long n = trace_get(3, NULL, 0, "ClientHello", 0, buf, sizeof buf);
    CHECK(n == 196);
    const uint8_t head[] = {0x01, 0x00, 0x00, 0xc0, 0x03, 0x03, 0x66, 0x60};
    const uint8_t tail[] = {0x00, 0x1c, 0x00, 0x02, 0x40, 0x01};
    CHECK(n >= 8 && memcmp(buf, head, sizeof head) == 0);
    CHECK(n == 196 && memcmp(buf + 190, tail, sizeof tail) == 0);
}

/* §3's Certificate is split by a page break after its 244th byte. */
static void across_page_break(void)
{
    uint8_t buf[512];
    long n = trace_get(3, NULL, 0, "Certificate", 0, buf, sizeof buf);
    CHECK(n == 445);
    CHECK(n == 445 && buf[243] == 0x93 && buf[244] == 0xef && buf[245] == 0xf0);
    CHECK(n == 445 && buf[443] == 0x00 && buf[444] == 0x00);
}

static void nth_and_after(void)
{
    uint8_t a[64], b[64];
    /* Section 3's second "public key" is the server's... */
    long n1 = trace_get(3, NULL, 0, "public key", 1, a, sizeof a);
    /* ...which is also the first one after the server creates its pair. */
    long n2 = trace_get(3, "{server}  create an ephemeral", 0, "public key", 0, b, sizeof b);
    CHECK(n1 == 32 && n2 == 32);
    CHECK_MEM(a, b, 32);
    CHECK(a[0] == 0xc7 && a[31] == 0x0a);
    /* The HRR section's first ServerHello is the HelloRetryRequest. */
    uint8_t sh[256];
    CHECK(trace_get(5, NULL, 0, "ServerHello", 0, sh, sizeof sh) == 176);
    CHECK(sh[6] == 0xcf && sh[7] == 0x21);
    /* The second ClientHello of §5 has the 512-byte padded form. */
    uint8_t ch[600];
    CHECK(trace_get(5, "{client}  send handshake record", 0, "ClientHello", 0, ch,
                    sizeof ch) == 512);
}

static void empty_and_missing(void)
{
    uint8_t buf[64];
    /* "hash (0 octets):  (empty)" is the fifth hash of §3. */
    CHECK(trace_get(3, NULL, 0, "hash", 4, buf, sizeof buf) == 0);
    CHECK(trace_get(3, NULL, 0, "hash", 3, buf, sizeof buf) == 32);
    /* "after" counts matching lines. The 2nd "calculate finished" line
     * ("same as server") has no values under it, so the next "finished"
     * is the client's, as after the 3rd line. */
    uint8_t s0[32], s1[32], s2[32];
    CHECK(trace_get(3, "calculate finished", 0, "finished", 0, s0, sizeof s0) == 32);
    CHECK(trace_get(3, "calculate finished", 1, "finished", 0, s1, sizeof s1) == 32);
    CHECK(trace_get(3, "calculate finished", 2, "finished", 0, s2, sizeof s2) == 32);
    CHECK_MEM(s1, s2, 32);
    CHECK(s0[0] == 0x4c && s2[0] == 0x80);
    CHECK(trace_get(3, NULL, 0, "no such label", 0, buf, sizeof buf) == -1);
    CHECK(trace_get(42, NULL, 0, "ClientHello", 0, buf, sizeof buf) == -1);
    CHECK(trace_get(3, "no such line", 0, "ClientHello", 0, buf, sizeof buf) == -1);
    /* Too small a buffer is an error, never a truncated blob. */
    CHECK(trace_get(3, NULL, 0, "ClientHello", 0, buf, sizeof buf) == -1);
}

int main(void)
{
    CHECK(trace_load() == 0);
    CHECK(trace_load() == 0);
    first_client_hello();
    across_page_break();
    nth_and_after();
    empty_and_missing();
    return test_report();
}
