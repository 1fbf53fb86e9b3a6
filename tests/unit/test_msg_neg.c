/* The codec on malformed input: every failure has the right code, no
 * decode reads outside its input (run under ASan), and a failed decode
 * leaves its output untouched. */
#include <stdlib.h>
#include <string.h>

#include "msg/msg.h"
#include "testutil.h"
#include "trace.h"

/* ---- building bodies ---- */

typedef struct {
    uint8_t b[4096];
    size_t len;
} buf;

static void put_hex(buf *o, const char *hex)
{
    long n = hex_decode(hex, o->b + o->len, sizeof o->b - o->len);
    if (n < 0) {
        fprintf(stderr, "bad hex in test: %s\n", hex);
        abort();
    }
    o->len += (size_t)n;
}

static void put_u16(buf *o, size_t v)
{
    o->b[o->len++] = (uint8_t)(v >> 8);
    o->b[o->len++] = (uint8_t)v;
}

/* legacy_version, zero random, session id, one suite, null compression,
 * then the extension entries (hex) in a block. */
static buf client_hello(const char *exts)
{
    buf o = {.len = 0};
    put_hex(&o, "0303");
    memset(o.b + o.len, 0, 32);
    o.len += 32;
    put_hex(&o, "00 0002 1301 01 00");
    buf e = {.len = 0};
    put_hex(&e, exts);
    put_u16(&o, e.len);
    memcpy(o.b + o.len, e.b, e.len);
    o.len += e.len;
    return o;
}

static buf server_hello(int hrr, const char *exts)
{
    buf o = {.len = 0};
    put_hex(&o, "0303");
    if (hrr)
        memcpy(o.b + o.len, MSG_HRR_RANDOM, 32);
    else
        memset(o.b + o.len, 0x11, 32);
    o.len += 32;
    put_hex(&o, "00 1301 00");
    buf e = {.len = 0};
    put_hex(&e, exts);
    put_u16(&o, e.len);
    memcpy(o.b + o.len, e.b, e.len);
    o.len += e.len;
    return o;
}

static buf extensions_block(const char *exts)
{
    buf e = {.len = 0}, o = {.len = 0};
    put_hex(&e, exts);
    put_u16(&o, e.len);
    memcpy(o.b + o.len, e.b, e.len);
    o.len += e.len;
    return o;
}

/* Decode from an exactly-sized heap copy, so ASan sees any overread. */
typedef wres (*decode_fn)(span body, void *out);

static wres on_heap(decode_fn fn, const uint8_t *p, size_t n, void *out)
{
    uint8_t *copy = malloc(n ? n : 1);
    if (n)
        memcpy(copy, p, n);
    wres r = fn(span_of(copy, n), out);
    free(copy);
    return r;
}

static wres dec_ch(span s, void *o) { return msg_decode_client_hello(s, o); }
static wres dec_sh(span s, void *o) { return msg_decode_server_hello(s, o); }
static wres dec_ee(span s, void *o) { return msg_decode_encrypted_extensions(s, o); }
static wres dec_cert(span s, void *o) { return msg_decode_certificate(s, o); }
static wres dec_cv(span s, void *o) { return msg_decode_certificate_verify(s, o); }
static wres dec_nst(span s, void *o) { return msg_decode_new_session_ticket(s, o); }
static wres dec_fin(span s, void *o) { return msg_decode_finished(s, 32, o); }

typedef struct {
    const char *exts;
    ward_err want;
} ext_case;

/* ---- ClientHello ---- */

static const ext_case ch_cases[] = {
    /* the shapes that decode */
    {"002b 0003 02 0304", WARD_OK},
    {"fafa 0003 010203", WARD_OK},                      /* unknown: skipped */
    {"002b 0003 02 0304 0029 0000", WARD_OK},           /* psk last */
    {"0033 0002 0000", WARD_OK},                        /* empty share list */
    {"0000 0006 0004 00 0001 61", WARD_OK},
    {"0010 0005 0003 02 6832", WARD_OK},
    {"001c 0002 0040", WARD_OK},
    {"0031 0000 002a 0000 ff01 0001 00", WARD_OK},
    /* duplicates and order */
    {"002b 0003 02 0304 002b 0003 02 0304", WARD_ERR_ILLEGAL_PARAMETER},
    {"fafa 0000 fafb 0000 fafa 0000", WARD_ERR_ILLEGAL_PARAMETER},
    {"0029 0000 002b 0003 02 0304", WARD_ERR_ILLEGAL_PARAMETER},
    /* supported_versions */
    {"002b 0002 01 03", WARD_ERR_DECODE},
    {"002b 0001 00", WARD_ERR_DECODE},
    {"002b 0003 03 0304", WARD_ERR_DECODE},
    {"002b 0004 02 0304 00", WARD_ERR_DECODE},
    /* u16 lists */
    {"000a 0005 0003 001d 00", WARD_ERR_DECODE},
    {"000a 0002 0000", WARD_ERR_DECODE},
    {"000d 0005 0003 0403 05", WARD_ERR_DECODE},
    {"0032 0002 0000", WARD_ERR_DECODE},
    /* key_share */
    {"0033 0006 0004 001d 0000", WARD_ERR_DECODE},
    {"0033 0005 0003 001d 00", WARD_ERR_DECODE},
    {"0033 0007 0005 001d 0002 aa", WARD_ERR_DECODE},
    /* server_name */
    {"0000 0005 0003 00 0000", WARD_ERR_DECODE},
    {"0000 0002 0000", WARD_ERR_DECODE},
    {"0000 0000", WARD_ERR_DECODE},
    {"0000 0006 0004 00 0002 61", WARD_ERR_DECODE},
    /* alpn, cookie, psk modes, early_data, post_handshake_auth */
    {"0010 0003 0001 00", WARD_ERR_DECODE},
    {"0010 0002 0000", WARD_ERR_DECODE},
    {"0010 0004 0002 02 68", WARD_ERR_DECODE},
    {"002c 0002 0000", WARD_ERR_DECODE},
    {"002d 0001 00", WARD_ERR_DECODE},
    {"002a 0001 00", WARD_ERR_DECODE},
    {"0031 0001 00", WARD_ERR_DECODE},
    /* record_size_limit */
    {"001c 0002 003f", WARD_ERR_ILLEGAL_PARAMETER},
    {"001c 0003 004000", WARD_ERR_DECODE},
    {"001c 0001 40", WARD_ERR_DECODE},
    /* the block itself */
    {"002b 0009 02 0304", WARD_ERR_DECODE},
    {"00", WARD_ERR_DECODE},
    {"002b", WARD_ERR_DECODE},
};

static void client_hello_extensions(void)
{
    for (size_t i = 0; i < WARD_ARRAY_LEN(ch_cases); i++) {
        buf b = client_hello(ch_cases[i].exts);
        msg_client_hello ch;
        wres r = on_heap(dec_ch, b.b, b.len, &ch);
        if (r.code != ch_cases[i].want)
            fprintf(stderr, "client hello case %zu: %s\n", i, ch_cases[i].exts);
        CHECK_CODE(r.code, ch_cases[i].want);
    }
}

static void client_hello_fields(void)
{
    msg_client_hello ch;
    buf b = client_hello("0000 000b 0009 01 0002 7878 00 0001 61"); /* other type first */
    CHECK_OK(msg_decode_client_hello(span_of(b.b, b.len), &ch));
    CHECK(ch.has_server_name && ch.server_name.len == 1 && ch.server_name.p[0] == 'a');

    b = client_hello("0010 000a 0008 02 6832 04 74657374");
    CHECK_OK(msg_decode_client_hello(span_of(b.b, b.len), &ch));
    CHECK(ch.has_alpn && msg_alpn_list_has(ch.alpn, (const uint8_t *)"test", 4));
    CHECK(msg_alpn_list_has(ch.alpn, (const uint8_t *)"h2", 2));
    CHECK(!msg_alpn_list_has(ch.alpn, (const uint8_t *)"h", 1));

}

/* A ClientHello body around n empty extensions of types first, first+1,
 * ...; with dup, the last one repeats the first type. On the heap, sized
 * exactly. */
static uint8_t *many_ext_hello(size_t n, uint16_t first, int dup, size_t *len)
{
    size_t fixed = 2 + 32 + 1 + 4 + 2;
    *len = fixed + 2 + 4 * n;
    uint8_t *b = calloc(1, *len);
    static const uint8_t head[] = {0x00, 0x02, 0x13, 0x01, 0x01, 0x00};
    b[0] = 3;
    b[1] = 3;
    memcpy(b + 35, head, sizeof head);
    b[fixed] = (uint8_t)((4 * n) >> 8);
    b[fixed + 1] = (uint8_t)(4 * n);
    for (size_t i = 0; i < n; i++) {
        uint16_t t = (uint16_t)(dup && i == n - 1 ? first : first + i);
        b[fixed + 2 + 4 * i] = (uint8_t)(t >> 8);
        b[fixed + 3 + 4 * i] = (uint8_t)t;
    }
    return b;
}

/* RFC 8446 §9.3: a server MUST ignore unrecognized extensions, however
 * many; §4.2: a type twice is illegal_parameter wherever it comes. */
static void client_hello_many_extensions(void)
{
    static const struct {
        size_t n;
        uint16_t first;
        int dup;
        ward_err want;
    } cases[] = {
        {64, 0x7000, 0, WARD_OK},
        {65, 0x7000, 0, WARD_OK},   /* was decode_error with a 64-entry cap */
        {300, 0x7000, 0, WARD_OK},
        {16383, 0x8000, 0, WARD_OK}, /* the most a 2^16-1 byte block holds */
        {65, 0x7000, 1, WARD_ERR_ILLEGAL_PARAMETER},
        {300, 0x7000, 1, WARD_ERR_ILLEGAL_PARAMETER},
        {16383, 0x8000, 1, WARD_ERR_ILLEGAL_PARAMETER},
        {2, 0xfffe, 0, WARD_OK},     /* types up to 0xffff */
        {2, 0xffff, 1, WARD_ERR_ILLEGAL_PARAMETER},
    };
    for (size_t i = 0; i < WARD_ARRAY_LEN(cases); i++) {
        size_t len;
        uint8_t *b = many_ext_hello(cases[i].n, cases[i].first, cases[i].dup, &len);
        msg_client_hello ch;
        wres r = on_heap(dec_ch, b, len, &ch);
        if (r.code != cases[i].want)
            fprintf(stderr, "many extensions case %zu: %zu (dup %d)\n", i, cases[i].n,
                    cases[i].dup);
        CHECK_CODE(r.code, cases[i].want);
        free(b);
    }
}

/* The fixed part: session id, suites, compression. */
static void client_hello_fixed(void)
{
    static const struct {
        const char *hex;
        ward_err want;
    } cases[] = {
        {"00 0002 1301 01 00", WARD_OK}, /* no extensions at all */
        {"20 " "0000000000000000000000000000000000000000000000000000000000000000"
         " 0002 1301 01 00 0000",
         WARD_OK},
        {"21 " "0000000000000000000000000000000000000000000000000000000000000000"
         "00 0002 1301 01 00 0000",
         WARD_ERR_DECODE},
        {"00 0003 1301 00 01 00 0000", WARD_ERR_DECODE}, /* odd suites */
        {"00 0000 01 00 0000", WARD_ERR_DECODE},         /* no suites */
        {"00 0002 1301 00 0000", WARD_ERR_DECODE},       /* no compression */
        {"00 0002 1301 01 00 00", WARD_ERR_DECODE},      /* half a length */
        {"00 0002 1301 01 00 0000 00", WARD_ERR_DECODE}, /* trailing */
    };
    for (size_t i = 0; i < WARD_ARRAY_LEN(cases); i++) {
        buf b = {.len = 0};
        put_hex(&b, "0303");
        memset(b.b + b.len, 0, 32);
        b.len += 32;
        put_hex(&b, cases[i].hex);
        msg_client_hello ch;
        CHECK_CODE(on_heap(dec_ch, b.b, b.len, &ch).code, cases[i].want);
    }
}

/* ---- ServerHello / HRR ---- */

static const struct {
    int hrr;
    const char *exts;
    ward_err want;
} sh_cases[] = {
    {0, "0033 0006 001d 0002 aabb 002b 0002 0304 0029 0002 0000", WARD_OK},
    {1, "0033 0002 0017 002c 0003 0001 aa 002b 0002 0304", WARD_OK},
    {0, "ff01 0001 00 000b 0002 0100", WARD_OK}, /* TLS 1.2: left to the version check */
    {0, "002b 0002 0304 002c 0003 0001 aa", WARD_ERR_ILLEGAL_PARAMETER},
    {0, "002b 0002 0304 0000 0000", WARD_ERR_ILLEGAL_PARAMETER},
    {0, "ff01 0001 00 002b 0002 0304", WARD_ERR_ILLEGAL_PARAMETER},
    {1, "fafa 0000", WARD_ERR_UNSUPPORTED_EXTENSION},
    {1, "002b 0002 0304 0029 0002 0000", WARD_ERR_ILLEGAL_PARAMETER},
    {0, "002b 0002 0304 002b 0002 0304", WARD_ERR_ILLEGAL_PARAMETER},
    {0, "002b 0003 030400", WARD_ERR_DECODE},
    {0, "0033 0004 001d 0000", WARD_ERR_DECODE},  /* empty key */
    {0, "0033 0002 001d", WARD_ERR_DECODE},
    {1, "0033 0004 0017 0000", WARD_ERR_DECODE},  /* HRR: group only */
    {1, "002c 0002 0000", WARD_ERR_DECODE},       /* empty cookie */
    {0, "0029 0001 00", WARD_ERR_DECODE},
};

static void server_hello_extensions(void)
{
    for (size_t i = 0; i < WARD_ARRAY_LEN(sh_cases); i++) {
        buf b = server_hello(sh_cases[i].hrr, sh_cases[i].exts);
        msg_server_hello sh;
        wres r = on_heap(dec_sh, b.b, b.len, &sh);
        if (r.code != sh_cases[i].want)
            fprintf(stderr, "server hello case %zu: %s\n", i, sh_cases[i].exts);
        CHECK_CODE(r.code, sh_cases[i].want);
        if (wres_is_ok(r))
            CHECK(sh.is_hrr == sh_cases[i].hrr);
    }
    msg_server_hello sh;
    buf b = server_hello(0, "0033 0006 001d 0002 aabb 002b 0002 0304 0029 0002 0007");
    CHECK_OK(msg_decode_server_hello(span_of(b.b, b.len), &sh));
    CHECK(sh.has_pre_shared_key && sh.selected_identity == 7);
    CHECK(sh.key_share.len == 2 && sh.key_share.p[1] == 0xbb);

    /* legacy_compression_method must be 0 (§4.1.3). */
    b = server_hello(0, "002b 0002 0304");
    b.b[37] = 1;
    CHECK_CODE(msg_decode_server_hello(span_of(b.b, b.len), &sh).code,
               WARD_ERR_ILLEGAL_PARAMETER);
    /* A 33-byte session id. */
    b = server_hello(0, "");
    b.b[34] = 33;
    CHECK_CODE(msg_decode_server_hello(span_of(b.b, b.len), &sh).code, WARD_ERR_DECODE);
}

/* ---- EncryptedExtensions ---- */

static const ext_case ee_cases[] = {
    {"0000 0000 0010 0005 0003 02 6832 002a 0000 fafa 0001 00", WARD_OK},
    {"0000 0001 00", WARD_ERR_DECODE},
    {"0010 0008 0006 02 6832 02 6833", WARD_ERR_ILLEGAL_PARAMETER},
    {"0010 0002 0000", WARD_ERR_DECODE},
    {"0010 0003 0001 00", WARD_ERR_DECODE},
    {"0033 0002 001d", WARD_ERR_ILLEGAL_PARAMETER},
    {"002b 0002 0304", WARD_ERR_ILLEGAL_PARAMETER},
    {"002c 0003 0001 aa", WARD_ERR_ILLEGAL_PARAMETER},
    {"0029 0002 0000", WARD_ERR_ILLEGAL_PARAMETER},
    {"000d 0004 0002 0403", WARD_ERR_ILLEGAL_PARAMETER},
    {"002d 0002 0101", WARD_ERR_ILLEGAL_PARAMETER},
    {"001c 0002 000a", WARD_ERR_ILLEGAL_PARAMETER},
    {"002a 0004 00000400", WARD_ERR_DECODE},
    {"000a 0003 0001 00", WARD_ERR_DECODE},
    {"0000 0000 0000 0000", WARD_ERR_ILLEGAL_PARAMETER},
};

static void encrypted_extensions(void)
{
    for (size_t i = 0; i < WARD_ARRAY_LEN(ee_cases); i++) {
        buf b = extensions_block(ee_cases[i].exts);
        msg_encrypted_extensions ee;
        wres r = on_heap(dec_ee, b.b, b.len, &ee);
        if (r.code != ee_cases[i].want)
            fprintf(stderr, "encrypted extensions case %zu: %s\n", i, ee_cases[i].exts);
        CHECK_CODE(r.code, ee_cases[i].want);
    }
    msg_encrypted_extensions ee;
    buf b = extensions_block(ee_cases[0].exts);
    CHECK_OK(msg_decode_encrypted_extensions(span_of(b.b, b.len), &ee));
    CHECK(ee.has_alpn && ee.alpn.len == 2 && memcmp(ee.alpn.p, "h2", 2) == 0);
    CHECK(ee.has_server_name && ee.has_early_data && !ee.has_record_size_limit);
    b.b[b.len++] = 0;
    CHECK_CODE(msg_decode_encrypted_extensions(span_of(b.b, b.len), &ee).code, WARD_ERR_DECODE);
}

/* ---- Certificate, CertificateVerify, Finished, KeyUpdate, ticket ---- */

/* n entries of a 1-byte certificate. */
static buf certificate_list(int n, const char *entry)
{
    buf e = {.len = 0};
    for (int i = 0; i < n; i++)
        put_hex(&e, entry);
    buf o = {.len = 0};
    put_hex(&o, "00");
    o.b[o.len++] = (uint8_t)(e.len >> 16);
    put_u16(&o, e.len & 0xffff);
    memcpy(o.b + o.len, e.b, e.len);
    o.len += e.len;
    return o;
}

static void certificate(void)
{
    /* Per-entry extensions: signed_certificate_timestamp (18) stands for any
     * extension ward skips (status_request is parsed: test_cert_status). */
    msg_certificate c;
    buf b = certificate_list(MSG_MAX_CERTS, "000001 30 0000");
    CHECK_OK(on_heap(dec_cert, b.b, b.len, &c));
    CHECK(c.n == MSG_MAX_CERTS);
    b = certificate_list(MSG_MAX_CERTS + 1, "000001 30 0000");
    CHECK_CODE(on_heap(dec_cert, b.b, b.len, &c).code, WARD_ERR_BAD_CERTIFICATE);
    b = certificate_list(1, "000000 0000");
    CHECK_CODE(on_heap(dec_cert, b.b, b.len, &c).code, WARD_ERR_DECODE);
    b = certificate_list(1, "000001 30 0008 0012 0000 0012 0000");
    CHECK_CODE(on_heap(dec_cert, b.b, b.len, &c).code, WARD_ERR_ILLEGAL_PARAMETER);
    b = certificate_list(1, "000001 30 0004 0012 0000");
    CHECK_OK(on_heap(dec_cert, b.b, b.len, &c));
    b = certificate_list(1, "000001 30 0003 0012 00");
    CHECK_CODE(on_heap(dec_cert, b.b, b.len, &c).code, WARD_ERR_DECODE);
    b = certificate_list(0, "");
    CHECK_OK(on_heap(dec_cert, b.b, b.len, &c));
    CHECK(c.n == 0);
    b.b[b.len++] = 0;
    CHECK_CODE(on_heap(dec_cert, b.b, b.len, &c).code, WARD_ERR_DECODE);
}

static void certificate_verify(void)
{
    msg_certificate_verify cv;
    const uint8_t ok[] = {0x08, 0x04, 0x00, 0x01, 0xaa};
    CHECK_OK(on_heap(dec_cv, ok, sizeof ok, &cv));
    const uint8_t empty[] = {0x08, 0x04, 0x00, 0x00};
    CHECK_CODE(on_heap(dec_cv, empty, sizeof empty, &cv).code, WARD_ERR_DECODE);
    const uint8_t trailing[] = {0x08, 0x04, 0x00, 0x01, 0xaa, 0xbb};
    CHECK_CODE(on_heap(dec_cv, trailing, sizeof trailing, &cv).code, WARD_ERR_DECODE);
}

static void finished(void)
{
    uint8_t vd[48] = {0};
    span out;
    CHECK_OK(on_heap(dec_fin, vd, 32, &out));
    CHECK(out.len == 32);
    CHECK_CODE(on_heap(dec_fin, vd, 31, &out).code, WARD_ERR_DECODE);
    CHECK_CODE(on_heap(dec_fin, vd, 33, &out).code, WARD_ERR_DECODE);
    CHECK_CODE(on_heap(dec_fin, vd, 48, &out).code, WARD_ERR_DECODE);
    CHECK_CODE(msg_decode_finished(span_of(vd, 48), 48, &out).code, WARD_OK);
}

static void key_update(void)
{
    int req = 7;
    const uint8_t v[] = {0x00, 0x01, 0x02, 0xff};
    CHECK_OK(msg_decode_key_update(span_of(v, 1), &req));
    CHECK(req == 0);
    CHECK_OK(msg_decode_key_update(span_of(v + 1, 1), &req));
    CHECK(req == 1);
    CHECK_CODE(msg_decode_key_update(span_of(v + 2, 1), &req).code, WARD_ERR_ILLEGAL_PARAMETER);
    CHECK_CODE(msg_decode_key_update(span_of(v + 3, 1), &req).code, WARD_ERR_ILLEGAL_PARAMETER);
    CHECK_CODE(msg_decode_key_update(span_of(v, 0), &req).code, WARD_ERR_DECODE);
    CHECK_CODE(msg_decode_key_update(span_of(v, 2), &req).code, WARD_ERR_DECODE);
    CHECK(req == 1);
}

static void new_session_ticket(void)
{
    static const struct {
        const char *hex;
        ward_err want;
    } cases[] = {
        {"0000001e 00000001 00 0001 aa 0000", WARD_OK},
        {"0000001e 00000001 02 0000 0001 aa 0008 002a 0004 00000400", WARD_OK},
        {"0000001e 00000001 00 0000 0000", WARD_ERR_DECODE},         /* empty ticket */
        {"0000001e 00000001 00 0001 aa 0007 002a 0003 000004", WARD_ERR_DECODE},
        {"0000001e 00000001 00 0001 aa 0008 fafa 0000 fafa 0000", WARD_ERR_ILLEGAL_PARAMETER},
        {"0000001e 00000001 00 0001 aa", WARD_ERR_DECODE},           /* no extensions */
        {"0000001e 00000001 00 0001 aa 0000 00", WARD_ERR_DECODE},
    };
    for (size_t i = 0; i < WARD_ARRAY_LEN(cases); i++) {
        buf b = {.len = 0};
        put_hex(&b, cases[i].hex);
        msg_new_session_ticket t;
        CHECK_CODE(on_heap(dec_nst, b.b, b.len, &t).code, cases[i].want);
        if (i == 1)
            CHECK(t.has_early_data && t.max_early_data == 0x400 && t.nonce.len == 2);
    }
}

/* ---- every truncation and one trailing byte of the RFC 8448 messages ---- */

typedef struct {
    const char *label;
    decode_fn fn;
    size_t hello_fixed; /* a hello cut right before its extensions decodes */
} trace_msg;

static void truncations(void)
{
    static const trace_msg msgs[] = {
        {"ClientHello", dec_ch, 2 + 32 + 1 + 8 + 2},
        {"ServerHello", dec_sh, 2 + 32 + 1 + 2 + 1},
        {"EncryptedExtensions", dec_ee, 0},
        {"Certificate", dec_cert, 0},
        {"CertificateVerify", dec_cv, 0},
        {"Finished", dec_fin, 0},
        {"NewSessionTicket", dec_nst, 0},
    };
    union {
        msg_client_hello ch;
        msg_server_hello sh;
        msg_encrypted_extensions ee;
        msg_certificate c;
        msg_certificate_verify cv;
        msg_new_session_ticket t;
        span fin;
    } out;
    for (size_t m = 0; m < WARD_ARRAY_LEN(msgs); m++) {
        uint8_t b[1024];
        long n = trace_get(3, NULL, 0, msgs[m].label, 0, b, sizeof b - 1);
        CHECK(n > MSG_HEADER_LEN);
        if (n <= MSG_HEADER_LEN)
            continue;
        const uint8_t *body = b + MSG_HEADER_LEN;
        size_t len = (size_t)n - MSG_HEADER_LEN;
        CHECK_OK(on_heap(msgs[m].fn, body, len, &out));
        int bad = 0;
        for (size_t cut = 0; cut < len; cut++) {
            wres r = on_heap(msgs[m].fn, body, cut, &out);
            int ok_expected = msgs[m].hello_fixed && cut == msgs[m].hello_fixed;
            if (wres_is_ok(r) != ok_expected) {
                fprintf(stderr, "%s cut at %zu: %s\n", msgs[m].label, cut,
                        ward_err_str(r.code));
                bad++;
            }
        }
        CHECK(bad == 0);
        b[n] = 0;
        CHECK_CODE(on_heap(msgs[m].fn, body, len + 1, &out).code, WARD_ERR_DECODE);
    }
}

/* Every single-byte change of the RFC 8448 messages decodes or fails
 * cleanly (the point is ASan/UBSan staying quiet); some must fail. */
static void byte_flips(void)
{
    static const struct {
        const char *label;
        decode_fn fn;
    } msgs[] = {
        {"ClientHello", dec_ch},      {"ServerHello", dec_sh}, {"EncryptedExtensions", dec_ee},
        {"Certificate", dec_cert},    {"CertificateVerify", dec_cv},
        {"NewSessionTicket", dec_nst},
    };
    union {
        msg_client_hello ch;
        msg_server_hello sh;
        msg_encrypted_extensions ee;
        msg_certificate c;
        msg_certificate_verify cv;
        msg_new_session_ticket t;
    } out;
    for (size_t m = 0; m < WARD_ARRAY_LEN(msgs); m++) {
        uint8_t b[1024];
        long n = trace_get(3, NULL, 0, msgs[m].label, 0, b, sizeof b);
        if (n <= MSG_HEADER_LEN)
            continue;
        size_t len = (size_t)n - MSG_HEADER_LEN, failed = 0;
        static const uint8_t xors[] = {0x01, 0x80, 0xff};
        for (size_t i = 0; i < len; i++) {
            for (size_t x = 0; x < sizeof xors; x++) {
                b[MSG_HEADER_LEN + i] ^= xors[x];
                failed += !wres_is_ok(on_heap(msgs[m].fn, b + MSG_HEADER_LEN, len, &out));
                b[MSG_HEADER_LEN + i] ^= xors[x];
            }
        }
        CHECK(failed > 0);
    }
}

/* The ClientHello cut right before its extensions is a valid hello with no
 * extensions: nothing is reported present. */
static void hello_without_extensions(void)
{
    uint8_t b[256];
    long n = trace_get(3, NULL, 0, "ClientHello", 0, b, sizeof b);
    msg_client_hello ch;
    CHECK(n == 196);
    CHECK_OK(msg_decode_client_hello(span_of(b + 4, 45), &ch));
    CHECK(!ch.has_supported_versions && !ch.has_key_share && !ch.has_server_name);
    CHECK(ch.extensions.len == 0 && ch.cipher_suites.len == 6);
}

/* A failed decode leaves the output as it was. */
static void no_partial_output(void)
{
    buf b = client_hello("002b 0003 02 0304 000a 0001 00");
    msg_client_hello ch, before;
    memset(&ch, 0x5a, sizeof ch);
    before = ch;
    CHECK_CODE(msg_decode_client_hello(span_of(b.b, b.len), &ch).code, WARD_ERR_DECODE);
    CHECK(memcmp(&ch, &before, sizeof ch) == 0);

    b = server_hello(0, "002b 0002 0304 002c 0003 0001 aa");
    msg_server_hello sh, sh_before;
    memset(&sh, 0x5a, sizeof sh);
    sh_before = sh;
    CHECK_CODE(msg_decode_server_hello(span_of(b.b, b.len), &sh).code,
               WARD_ERR_ILLEGAL_PARAMETER);
    CHECK(memcmp(&sh, &sh_before, sizeof sh) == 0);
}

/* Encoders refuse parameters they cannot express. */
static void encoder_misuse(void)
{
    uint8_t out[512];
    wr w = wr_of(out, sizeof out);
    const uint16_t suite = 0x1301;
    msg_client_hello_params p = {.suites = &suite, .n_suites = 1, .session_id_len = 33};
    CHECK_CODE(msg_encode_client_hello(&w, &p).code, WARD_ERR_INTERNAL);
    const char *bad_alpn[] = {""};
    msg_client_hello_params q = {.suites = &suite, .n_suites = 1, .alpn = bad_alpn, .n_alpn = 1};
    CHECK_CODE(msg_encode_client_hello(&w, &q).code, WARD_ERR_INTERNAL);
    CHECK(w.len == 0);
    CHECK_CODE(msg_encode_key_update(&w, 2).code, WARD_ERR_INTERNAL);
    msg_server_hello_params s = {.cipher_suite = 0x1301, .cookie_len = 1,
                                 .cookie = (const uint8_t *)"x"};
    CHECK_CODE(msg_encode_server_hello(&w, &s).code, WARD_ERR_INTERNAL);
    CHECK_CODE(msg_encode_certificate_verify(&w, 0x0804, NULL, 0).code, WARD_ERR_INTERNAL);
}

int main(void)
{
    CHECK(trace_load() == 0);
    client_hello_extensions();
    client_hello_fields();
    client_hello_many_extensions();
    client_hello_fixed();
    server_hello_extensions();
    encrypted_extensions();
    certificate();
    certificate_verify();
    finished();
    key_update();
    new_session_ticket();
    truncations();
    byte_flips();
    hello_without_extensions();
    no_partial_output();
    encoder_misuse();
    return test_report();
}
