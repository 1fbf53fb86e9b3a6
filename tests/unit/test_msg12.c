/* The codec's TLS 1.2 messages (RFC 5246 §7.4, RFC 8422, RFC 7627,
 * RFC 5746, RFC 5077): round trips, real messages captured from OpenSSL 3.0
 * (`openssl s_server -tls1_2` / `s_client -msg`) written out field by field,
 * and malformed input (truncated at every length, trailing bytes, bad
 * inner lengths, duplicates, extensions not allowed). Every negative
 * decode reads from an exactly-sized heap copy so ASan sees any overread. */
#include <stdlib.h>
#include <string.h>

#include "msg/msg.h"
#include "testutil.h"

/* ---- helpers ---- */

typedef wres (*decode_fn)(span body, void *out);

/* Decode from an exactly-sized heap copy; only the code is kept (the
 * output's spans die with the copy). */
static ward_err on_heap(decode_fn fn, const uint8_t *p, size_t n)
{
    union {
        msg_client_hello ch;
        msg_server_hello sh;
        msg_certificate cert;
        msg_server_key_exchange ske;
        span s;
    } out;
    uint8_t *copy = malloc(n ? n : 1);
    if (!copy)
        abort();
    if (n)
        memcpy(copy, p, n);
    wres r = fn(span_of(copy, n), &out);
    free(copy);
    return r.code;
}

/* Every strict prefix of msg fails with WARD_ERR_DECODE, except a prefix
 * of ok_len bytes (a message whose optional tail is absent), which decodes. */
#define NO_OK_PREFIX ((size_t)-1)
static void truncations(const char *what, decode_fn fn, const uint8_t *msg, size_t n,
                        size_t ok_len)
{
    for (size_t cut = 0; cut < n; cut++) {
        ward_err want = cut == ok_len ? WARD_OK : WARD_ERR_DECODE;
        ward_err got = on_heap(fn, msg, cut);
        if (got != want)
            fprintf(stderr, "%s cut at %zu of %zu\n", what, cut, n);
        CHECK_CODE(got, want);
    }
}

/* msg followed by one extra byte fails with WARD_ERR_DECODE. */
static void trailing(const char *what, decode_fn fn, const uint8_t *msg, size_t n)
{
    uint8_t b[1024];
    if (n + 1 > sizeof b)
        abort();
    memcpy(b, msg, n);
    b[n] = 0;
    ward_err got = on_heap(fn, b, n + 1);
    if (got != WARD_ERR_DECODE)
        fprintf(stderr, "%s with a trailing byte\n", what);
    CHECK_CODE(got, WARD_ERR_DECODE);
}

static int span_eq(span s, const uint8_t *p, size_t n)
{
    return s.len == n && (n == 0 || memcmp(s.p, p, n) == 0);
}

static int span_hex(span s, const char *hex)
{
    uint8_t want[512];
    long n = hex_decode(hex, want, sizeof want);
    return n >= 0 && span_eq(s, want, (size_t)n);
}

/* The handshake header of an encoded message: type and a u24 length that
 * matches the rest. */
static int header_ok(const uint8_t *m, size_t len, uint8_t type)
{
    return len >= MSG_HEADER_LEN && m[0] == type &&
           ((size_t)m[1] << 16 | (size_t)m[2] << 8 | m[3]) == len - MSG_HEADER_LEN;
}

typedef struct {
    uint8_t b[1024];
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

static wres dec_ch(span s, void *o) { return msg_decode_client_hello(s, o); }
static wres dec_sh(span s, void *o) { return msg_decode_server_hello(s, o); }
static wres dec_cert12(span s, void *o) { return msg_decode_certificate12(s, o); }
static wres dec_ske(span s, void *o) { return msg_decode_server_key_exchange(s, o); }
static wres dec_cke_ecdhe(span s, void *o) { return msg_decode_client_key_exchange_ecdhe(s, o); }
static wres dec_cke_rsa(span s, void *o) { return msg_decode_client_key_exchange_rsa(s, o); }
static wres dec_empty(span s, void *o) { return msg_decode_empty(s); }
static wres dec_fin12(span s, void *o) { return msg_decode_finished(s, 12, o); }

/* ---- HandshakeType values (RFC 5246 §7.4) ---- */

static void handshake_types(void)
{
    CHECK(HS_HELLO_REQUEST == 0);
    CHECK(HS_SERVER_KEY_EXCHANGE == 12);
    CHECK(HS_SERVER_HELLO_DONE == 14);
    CHECK(HS_CLIENT_KEY_EXCHANGE == 16);
}

/* ---- ClientHello ---- */

/* OpenSSL 3.0's `s_client -tls1_2` ClientHello body (no handshake header).
 * It signals secure renegotiation with the SCSV (00ff) instead of the
 * extension. */
static const uint8_t openssl_ch[] = {
    0x03, 0x03,                                     /* client_version */
    0xb6, 0x77, 0xa0, 0x00, 0x60, 0x83, 0x43, 0xb0, /* random */
    0x2a, 0x41, 0xd2, 0x2e, 0xd0, 0xa5, 0x95, 0xe5,
    0x81, 0x2d, 0x98, 0xf7, 0x4e, 0x5d, 0x91, 0x32,
    0x81, 0x65, 0x12, 0x3a, 0x96, 0xdb, 0xee, 0x6d,
    0x00,                                           /* session_id: empty */
    0x00, 0x38,                                     /* cipher_suites: 28 */
    0xc0, 0x2c, 0xc0, 0x30, 0x00, 0x9f, 0xcc, 0xa9, 0xcc, 0xa8, 0xcc, 0xaa, 0xc0, 0x2b,
    0xc0, 0x2f, 0x00, 0x9e, 0xc0, 0x24, 0xc0, 0x28, 0x00, 0x6b, 0xc0, 0x23, 0xc0, 0x27,
    0x00, 0x67, 0xc0, 0x0a, 0xc0, 0x14, 0x00, 0x39, 0xc0, 0x09, 0xc0, 0x13, 0x00, 0x33,
    0x00, 0x9d, 0x00, 0x9c, 0x00, 0x3d, 0x00, 0x3c, 0x00, 0x35, 0x00, 0x2f, 0x00, 0xff,
    0x01, 0x00,                                     /* compression_methods: [null] */
    0x00, 0x52,                                     /* extensions: 82 bytes */
    0x00, 0x0b, 0x00, 0x04,                         /* ec_point_formats, 4 */
    0x03, 0x00, 0x01, 0x02,                         /*   list: 3 formats */
    0x00, 0x0a, 0x00, 0x0c,                         /* supported_groups, 12 */
    0x00, 0x0a, 0x00, 0x1d, 0x00, 0x17, 0x00, 0x1e, 0x00, 0x19, 0x00, 0x18,
    0x00, 0x23, 0x00, 0x00,                         /* session_ticket: empty */
    0x00, 0x16, 0x00, 0x00,                         /* encrypt_then_mac (unknown: skipped) */
    0x00, 0x17, 0x00, 0x00,                         /* extended_master_secret */
    0x00, 0x0d, 0x00, 0x2a,                         /* signature_algorithms, 42 */
    0x00, 0x28,                                     /*   list: 20 schemes */
    0x04, 0x03, 0x05, 0x03, 0x06, 0x03, 0x08, 0x07, 0x08, 0x08, 0x08, 0x09, 0x08, 0x0a,
    0x08, 0x0b, 0x08, 0x04, 0x08, 0x05, 0x08, 0x06, 0x04, 0x01, 0x05, 0x01, 0x06, 0x01,
    0x03, 0x03, 0x03, 0x01, 0x03, 0x02, 0x04, 0x02, 0x05, 0x02, 0x06, 0x02,
};
/* The prefix that ends after compression_methods: a hello with no
 * extensions at all, which is legal. */
#define OPENSSL_CH_NO_EXT (2 + 32 + 1 + 2 + 56 + 2)

static void client_hello_openssl(void)
{
    msg_client_hello ch;
    CHECK_OK(msg_decode_client_hello(span_of(openssl_ch, sizeof openssl_ch), &ch));
    CHECK(ch.legacy_version == 0x0303);
    CHECK(ch.session_id_len == 0);
    CHECK(ch.cipher_suites.len == 56 && msg_u16_list_has(ch.cipher_suites, 0xc02b));
    CHECK(msg_u16_list_has(ch.cipher_suites, 0x00ff)); /* the SCSV */
    CHECK(!ch.has_supported_versions && !ch.has_key_share);
    CHECK(ch.has_ec_point_formats && span_hex(ch.ec_point_formats, "00 01 02"));
    CHECK(ch.has_supported_groups && msg_u16_list_has(ch.supported_groups, 0x0017));
    CHECK(ch.has_session_ticket && ch.session_ticket.len == 0);
    CHECK(ch.has_extended_master_secret);
    CHECK(!ch.has_renegotiation_info && ch.renegotiation_info.len == 0);
    CHECK(ch.has_signature_algorithms && ch.signature_algorithms.len == 40);

    truncations("openssl ClientHello", dec_ch, openssl_ch, sizeof openssl_ch,
                OPENSSL_CH_NO_EXT);
    trailing("openssl ClientHello", dec_ch, openssl_ch, sizeof openssl_ch);
}

/* A ClientHello body: version, zero random, empty session id, one suite,
 * null compression, then the given extension entries in a block. */
static buf client_hello_with(const char *exts)
{
    buf o = {.len = 0}, e = {.len = 0};
    put_hex(&o, "0303");
    memset(o.b + o.len, 0, 32);
    o.len += 32;
    put_hex(&o, "00 0002 c02f 01 00");
    put_hex(&e, exts);
    o.b[o.len++] = (uint8_t)(e.len >> 8);
    o.b[o.len++] = (uint8_t)e.len;
    memcpy(o.b + o.len, e.b, e.len);
    o.len += e.len;
    return o;
}

static const struct {
    const char *exts;
    ward_err want;
} ch12_cases[] = {
    {"0017 0000", WARD_OK},                        /* extended_master_secret */
    {"000b 0002 01 00", WARD_OK},                  /* ec_point_formats [uncompressed] */
    {"ff01 0001 00", WARD_OK},                     /* renegotiation_info, initial */
    {"ff01 000d 0c 000102030405060708090a0b", WARD_OK}, /* renegotiating: 12 bytes */
    {"0023 0000", WARD_OK},                        /* session_ticket: asking */
    {"0023 0003 aabbcc", WARD_OK},                 /* session_ticket: a ticket */
    /* extended_master_secret with a body */
    {"0017 0001 00", WARD_ERR_DECODE},
    /* ec_point_formats: empty list, no list, inner length too long/short */
    {"000b 0001 00", WARD_ERR_DECODE},
    {"000b 0000", WARD_ERR_DECODE},
    {"000b 0002 02 00", WARD_ERR_DECODE},
    {"000b 0003 01 00 00", WARD_ERR_DECODE},
    /* renegotiation_info: no inner length, inner too long, bytes after it */
    {"ff01 0000", WARD_ERR_DECODE},
    {"ff01 0001 01", WARD_ERR_DECODE},
    {"ff01 0003 01 aa bb", WARD_ERR_DECODE},
    {"ff01 0002 00 00", WARD_ERR_DECODE},
    /* duplicates */
    {"0017 0000 0017 0000", WARD_ERR_ILLEGAL_PARAMETER},
    {"000b 0002 01 00 0017 0000 000b 0002 01 00", WARD_ERR_ILLEGAL_PARAMETER},
    {"ff01 0001 00 ff01 0001 00", WARD_ERR_ILLEGAL_PARAMETER},
};

static void client_hello_extensions(void)
{
    for (size_t i = 0; i < WARD_ARRAY_LEN(ch12_cases); i++) {
        buf b = client_hello_with(ch12_cases[i].exts);
        ward_err got = on_heap(dec_ch, b.b, b.len);
        if (got != ch12_cases[i].want)
            fprintf(stderr, "client hello case %zu: %s\n", i, ch12_cases[i].exts);
        CHECK_CODE(got, ch12_cases[i].want);
    }
    msg_client_hello ch;
    buf b = client_hello_with("ff01 000d 0c 000102030405060708090a0b 0023 0003 aabbcc");
    CHECK_OK(msg_decode_client_hello(span_of(b.b, b.len), &ch));
    CHECK(ch.has_renegotiation_info &&
          span_hex(ch.renegotiation_info, "000102030405060708090a0b"));
    CHECK(ch.has_session_ticket && span_hex(ch.session_ticket, "aabbcc"));
    CHECK(!ch.has_extended_master_secret && !ch.has_ec_point_formats);
}

/* The new encoder switches: extended_master_secret and ec_point_formats go
 * after everything else and before padding; off, nothing changes. */
static const uint16_t suites12[] = {0xc02f, 0xc02b};
static const uint16_t groups12[] = {0x001d, 0x0017};

static void client_hello_encode(void)
{
    uint8_t off[1024], on[1024];
    msg_client_hello_params p = {
        .suites = suites12, .n_suites = 2, .server_name = "example.com",
        .renegotiation_info = 1, .groups = groups12, .n_groups = 2, .session_ticket = 1,
    };
    memset(p.random, 0x5a, sizeof p.random);
    wr w0 = wr_of(off, sizeof off);
    CHECK_OK(msg_encode_client_hello(&w0, &p));
    p.extended_master_secret = 1;
    p.ec_point_formats = 1;
    wr w1 = wr_of(on, sizeof on);
    CHECK_OK(msg_encode_client_hello(&w1, &p));

    /* The same hello with 10 more bytes of extensions at its end. */
    static const uint8_t tail[] = {
        0x00, 0x17, 0x00, 0x00,             /* extended_master_secret */
        0x00, 0x0b, 0x00, 0x02, 0x01, 0x00, /* ec_point_formats [uncompressed] */
    };
    CHECK(w1.len == w0.len + sizeof tail);
    CHECK(header_ok(on, w1.len, HS_CLIENT_HELLO));
    /* header(4) version(2) random(32) session_id(1) suites(2+4)
     * compression(2), then the extensions' u16 length */
    const size_t ext_len_at = 4 + 2 + 32 + 1 + 2 + 4 + 2;
    if (w1.len == w0.len + sizeof tail) {
        CHECK_MEM(on + 4, off + 4, ext_len_at - 4);
        CHECK((size_t)(on[ext_len_at] << 8 | on[ext_len_at + 1]) ==
              (size_t)(off[ext_len_at] << 8 | off[ext_len_at + 1]) + sizeof tail);
        CHECK_MEM(on + ext_len_at + 2, off + ext_len_at + 2, w0.len - ext_len_at - 2);
        CHECK_MEM(on + w0.len, tail, sizeof tail);
    }

    msg_client_hello ch;
    CHECK_OK(msg_decode_client_hello(span_of(on + 4, w1.len - 4), &ch));
    CHECK(ch.has_extended_master_secret);
    CHECK(ch.has_ec_point_formats && span_hex(ch.ec_point_formats, "00"));
    CHECK(ch.has_renegotiation_info && ch.renegotiation_info.len == 0);
    CHECK(ch.has_session_ticket && ch.session_ticket.len == 0);
    CHECK(ch.has_server_name && span_eq(ch.server_name, (const uint8_t *)"example.com", 11));

    CHECK_OK(msg_decode_client_hello(span_of(off + 4, w0.len - 4), &ch));
    CHECK(!ch.has_extended_master_secret && !ch.has_ec_point_formats);

    /* With padding, the TLS 1.2 extensions still come before it: padding
     * (21) is the block's last entry and the hello is 512 bytes. */
    char name[201];
    memset(name, 'a', 200);
    name[200] = '\0';
    p.server_name = name;
    p.pad_to_512 = 1;
    wr w2 = wr_of(on, sizeof on);
    CHECK_OK(msg_encode_client_hello(&w2, &p));
    CHECK(w2.len == 512);
    CHECK_OK(msg_decode_client_hello(span_of(on + 4, w2.len - 4), &ch));
    CHECK(ch.has_extended_master_secret && ch.has_ec_point_formats);
    rd r = rd_span(ch.extensions);
    uint16_t type = 0, last = 0, prev = 0;
    while (rd_left(&r) > 0) {
        rd data;
        prev = last;
        if (!wres_is_ok(rd_u16(&r, &type)) || !wres_is_ok(rd_block16(&r, &data)))
            break;
        last = type;
    }
    CHECK(last == EXT_PADDING && prev == EXT_EC_POINT_FORMATS);
}

/* ---- ServerHello (TLS 1.2) ---- */

/* OpenSSL 3.0's `s_server -tls1_2 -alpn http/1.1` ServerHello body. */
static const uint8_t openssl_sh[] = {
    0x03, 0x03,                                     /* server_version */
    0x38, 0x31, 0x6e, 0x42, 0x6f, 0x93, 0xf7, 0xbc, /* random */
    0xf6, 0x61, 0xed, 0x7b, 0x89, 0xb1, 0x4b, 0x5c,
    0xfe, 0x0c, 0xbb, 0xa0, 0xca, 0x53, 0xf9, 0x12,
    0x52, 0x4d, 0x5c, 0x4e, 0x06, 0x7b, 0xd4, 0x43,
    0x00,                                           /* session_id: empty (tickets) */
    0xc0, 0x2c,                                     /* ECDHE_ECDSA_AES_256_GCM_SHA384 */
    0x00,                                           /* compression_method: null */
    0x00, 0x24,                                     /* extensions: 36 bytes */
    0xff, 0x01, 0x00, 0x01,                         /* renegotiation_info, 1 */
    0x00,                                           /*   renegotiated_connection: empty */
    0x00, 0x0b, 0x00, 0x04,                         /* ec_point_formats, 4 */
    0x03, 0x00, 0x01, 0x02,                         /*   list: 3 formats */
    0x00, 0x23, 0x00, 0x00,                         /* session_ticket: empty */
    0x00, 0x10, 0x00, 0x0b,                         /* alpn, 11 */
    0x00, 0x09,                                     /*   ProtocolNameList: 9 */
    0x08, 'h', 't', 't', 'p', '/', '1', '.', '1',   /*   "http/1.1" */
    0x00, 0x17, 0x00, 0x00,                         /* extended_master_secret */
};
#define SH_NO_EXT (2 + 32 + 1 + 2 + 1)

static void server_hello_openssl(void)
{
    msg_server_hello sh;
    CHECK_OK(msg_decode_server_hello(span_of(openssl_sh, sizeof openssl_sh), &sh));
    CHECK(sh.legacy_version == 0x0303 && !sh.is_hrr);
    CHECK(sh.random[0] == 0x38 && sh.random[31] == 0x43);
    CHECK(sh.session_id_len == 0);
    CHECK(sh.cipher_suite == 0xc02c && sh.compression == 0);
    CHECK(!sh.has_supported_versions && !sh.has_key_share && !sh.has_pre_shared_key);
    CHECK(sh.has_renegotiation_info && sh.renegotiation_info.len == 0);
    CHECK(sh.has_ec_point_formats && span_hex(sh.ec_point_formats, "00 01 02"));
    CHECK(sh.has_session_ticket);
    CHECK(sh.has_alpn && span_eq(sh.alpn, (const uint8_t *)"http/1.1", 8));
    CHECK(sh.has_extended_master_secret);
    CHECK(!sh.has_server_name && !sh.has_record_size_limit);

    truncations("openssl ServerHello", dec_sh, openssl_sh, sizeof openssl_sh, SH_NO_EXT);
    trailing("openssl ServerHello", dec_sh, openssl_sh, sizeof openssl_sh);

    /* Without any extensions block, or with an empty one. */
    CHECK_OK(msg_decode_server_hello(span_of(openssl_sh, SH_NO_EXT), &sh));
    CHECK(!sh.has_renegotiation_info && !sh.has_extended_master_secret && !sh.has_alpn);
    buf b = {.len = 0};
    memcpy(b.b, openssl_sh, SH_NO_EXT);
    b.len = SH_NO_EXT;
    put_hex(&b, "0000");
    CHECK_OK(msg_decode_server_hello(span_of(b.b, b.len), &sh));
}

/* A ServerHello body (zero random unless hrr) with these extension entries. */
static buf server_hello_with(int hrr, const char *exts)
{
    buf o = {.len = 0}, e = {.len = 0};
    put_hex(&o, "0303");
    if (hrr)
        memcpy(o.b + o.len, MSG_HRR_RANDOM, 32);
    else
        memset(o.b + o.len, 0x22, 32);
    o.len += 32;
    put_hex(&o, "00 c02f 00");
    put_hex(&e, exts);
    o.b[o.len++] = (uint8_t)(e.len >> 8);
    o.b[o.len++] = (uint8_t)e.len;
    memcpy(o.b + o.len, e.b, e.len);
    o.len += e.len;
    return o;
}

static const struct {
    int hrr;
    const char *exts;
    ward_err want;
} sh12_cases[] = {
    /* TLS 1.2 (no supported_versions): what decodes */
    {0, "ff01 0001 00 0017 0000 000b 0002 0100 0010 0005 0003 026832 0000 0000 0023 0000",
     WARD_OK},
    {0, "001c 0002 4000", WARD_OK},                     /* record_size_limit */
    {0, "ff01 000d 0c 000102030405060708090a0b", WARD_OK}, /* renegotiating */
    /* unknown or not TLS 1.2: unsupported_extension */
    {0, "fafa 0000", WARD_ERR_UNSUPPORTED_EXTENSION},
    {0, "ff01 0001 00 0016 0000", WARD_ERR_UNSUPPORTED_EXTENSION}, /* encrypt_then_mac */
    {0, "000a 0004 0002 001d", WARD_ERR_UNSUPPORTED_EXTENSION},    /* supported_groups */
    {0, "0033 0006 001d 0002 aabb", WARD_ERR_UNSUPPORTED_EXTENSION}, /* key_share */
    {0, "0029 0002 0000", WARD_ERR_UNSUPPORTED_EXTENSION},         /* pre_shared_key */
    {0, "000d 0004 0002 0403", WARD_ERR_UNSUPPORTED_EXTENSION},    /* signature_algorithms */
    /* duplicates */
    {0, "ff01 0001 00 ff01 0001 00", WARD_ERR_ILLEGAL_PARAMETER},
    {0, "0017 0000 000b 0002 0100 0017 0000", WARD_ERR_ILLEGAL_PARAMETER},
    /* malformed TLS 1.2 extensions */
    {0, "0017 0001 00", WARD_ERR_DECODE},               /* EMS with a body */
    {0, "ff01 0000", WARD_ERR_DECODE},                  /* reneg: no inner length */
    {0, "ff01 0001 01", WARD_ERR_DECODE},               /* reneg: inner too long */
    {0, "ff01 0002 00 00", WARD_ERR_DECODE},            /* reneg: byte after inner */
    {0, "ff01 0003 05 aabb", WARD_ERR_DECODE},
    {0, "000b 0001 00", WARD_ERR_DECODE},               /* point formats: empty list */
    {0, "000b 0002 02 00", WARD_ERR_DECODE},
    {0, "0010 0002 0000", WARD_ERR_DECODE},             /* alpn: empty list */
    {0, "0010 0003 0001 00", WARD_ERR_DECODE},          /* alpn: empty name */
    {0, "0010 0008 0006 02 6832 02 6833", WARD_ERR_ILLEGAL_PARAMETER}, /* two names */
    {0, "0000 0001 00", WARD_ERR_DECODE},               /* server_name ack with a body */
    {0, "0023 0002 aabb", WARD_ERR_DECODE},             /* session_ticket with a body */
    {0, "001c 0002 003f", WARD_ERR_ILLEGAL_PARAMETER},  /* record_size_limit < 64 */
    {0, "001c 0001 40", WARD_ERR_DECODE},
    /* TLS 1.3 (supported_versions anywhere, or an HRR): the TLS 1.2
     * extensions are not allowed, however well formed */
    {0, "0017 0000 002b 0002 0304 0033 0006 001d 0002 aabb", WARD_ERR_ILLEGAL_PARAMETER},
    {0, "ff01 0001 00 002b 0002 0304", WARD_ERR_ILLEGAL_PARAMETER},
    {0, "002b 0002 0304 000b 0002 0100", WARD_ERR_ILLEGAL_PARAMETER},
    {0, "002b 0002 0304 0017 0001 00", WARD_ERR_ILLEGAL_PARAMETER},
    {1, "002b 0002 0304 0017 0000", WARD_ERR_ILLEGAL_PARAMETER},
    {1, "ff01 0001 00", WARD_ERR_ILLEGAL_PARAMETER},
};

static void server_hello_extensions(void)
{
    for (size_t i = 0; i < WARD_ARRAY_LEN(sh12_cases); i++) {
        buf b = server_hello_with(sh12_cases[i].hrr, sh12_cases[i].exts);
        ward_err got = on_heap(dec_sh, b.b, b.len);
        if (got != sh12_cases[i].want)
            fprintf(stderr, "server hello case %zu: %s\n", i, sh12_cases[i].exts);
        CHECK_CODE(got, sh12_cases[i].want);
    }
    msg_server_hello sh;
    buf b = server_hello_with(0, sh12_cases[0].exts);
    CHECK_OK(msg_decode_server_hello(span_of(b.b, b.len), &sh));
    CHECK(sh.has_renegotiation_info && sh.has_extended_master_secret);
    CHECK(sh.has_ec_point_formats && span_hex(sh.ec_point_formats, "00"));
    CHECK(sh.has_alpn && span_hex(sh.alpn, "6832"));
    CHECK(sh.has_server_name && sh.has_session_ticket);
    b = server_hello_with(0, "001c 0002 4000 ff01 000d 0c 000102030405060708090a0b");
    CHECK_OK(msg_decode_server_hello(span_of(b.b, b.len), &sh));
    CHECK(sh.has_record_size_limit && sh.record_size_limit == 0x4000);
    CHECK(span_hex(sh.renegotiation_info, "000102030405060708090a0b"));
}

static void server_hello12_encode(void)
{
    static const uint8_t sid[32] = {1, 2, 3};
    msg_server_hello12_params p = {
        .session_id = sid, .session_id_len = sizeof sid, .cipher_suite = 0xc02f,
        .renegotiation_info = 1, .extended_master_secret = 1, .ec_point_formats = 1,
        .alpn = (const uint8_t *)"h2", .alpn_len = 2, .server_name_ack = 1,
        .session_ticket = 1,
    };
    memset(p.random, 0x77, sizeof p.random);
    uint8_t out[256];
    wr w = wr_of(out, sizeof out);
    CHECK_OK(msg_encode_server_hello12(&w, &p));

    buf want = {.len = 0};
    put_hex(&want, "02 000068");                 /* ServerHello, 104 */
    put_hex(&want, "0303");                      /* server_version */
    memset(want.b + want.len, 0x77, 32);         /* random */
    want.len += 32;
    put_hex(&want, "20 010203");                 /* session_id: 32 */
    want.len += 29;                              /*   (zeros; buf starts zeroed) */
    put_hex(&want, "c02f 00");                   /* suite, compression */
    put_hex(&want, "0020"                        /* extensions: 32 */
                   "ff01 0001 00"                /* renegotiation_info */
                   "0017 0000"                   /* extended_master_secret */
                   "000b 0002 01 00"             /* ec_point_formats */
                   "0010 0005 0003 02 6832"      /* alpn "h2" */
                   "0000 0000"                   /* server_name ack */
                   "0023 0000");                 /* session_ticket */
    CHECK(w.len == want.len);
    if (w.len == want.len)
        CHECK_MEM(out, want.b, w.len);
    CHECK(header_ok(out, w.len, HS_SERVER_HELLO));

    msg_server_hello sh;
    CHECK_OK(msg_decode_server_hello(span_of(out + 4, w.len - 4), &sh));
    CHECK(sh.cipher_suite == 0xc02f && sh.session_id_len == 32 && sh.session_id[2] == 3);
    CHECK(sh.random[0] == 0x77 && !sh.has_supported_versions);
    CHECK(sh.has_renegotiation_info && sh.renegotiation_info.len == 0);
    CHECK(sh.has_extended_master_secret && sh.has_ec_point_formats);
    CHECK(sh.has_alpn && span_hex(sh.alpn, "6832"));
    CHECK(sh.has_server_name && sh.has_session_ticket);

    /* Nothing to say: no extensions block at all. */
    msg_server_hello12_params bare = {.cipher_suite = 0xc02b};
    w = wr_of(out, sizeof out);
    CHECK_OK(msg_encode_server_hello12(&w, &bare));
    CHECK(w.len == MSG_HEADER_LEN + SH_NO_EXT);
    CHECK(header_ok(out, w.len, HS_SERVER_HELLO));
    CHECK_OK(msg_decode_server_hello(span_of(out + 4, w.len - 4), &sh));
    CHECK(sh.cipher_suite == 0xc02b && !sh.has_renegotiation_info);

    /* Each extension alone, in its place. */
    bare.extended_master_secret = 1;
    w = wr_of(out, sizeof out);
    CHECK_OK(msg_encode_server_hello12(&w, &bare));
    static const uint8_t ems_only[] = {0x00, 0x04, 0x00, 0x17, 0x00, 0x00};
    CHECK(w.len == MSG_HEADER_LEN + SH_NO_EXT + sizeof ems_only);
    CHECK_MEM(out + MSG_HEADER_LEN + SH_NO_EXT, ems_only, sizeof ems_only);

    /* Bad parameters and no room. */
    msg_server_hello12_params bad = p;
    bad.session_id_len = 33;
    w = wr_of(out, sizeof out);
    CHECK_CODE(msg_encode_server_hello12(&w, &bad).code, WARD_ERR_INTERNAL);
    bad = p;
    uint8_t long_name[256];
    memset(long_name, 'x', sizeof long_name);
    bad.alpn = long_name;
    bad.alpn_len = sizeof long_name;
    w = wr_of(out, sizeof out);
    CHECK_CODE(msg_encode_server_hello12(&w, &bad).code, WARD_ERR_INTERNAL);
    w = wr_of(out, 50);
    CHECK_CODE(msg_encode_server_hello12(&w, &p).code, WARD_ERR_INTERNAL);
}

/* ---- Certificate (TLS 1.2) ---- */

static const uint8_t cert12[] = {
    0x00, 0x00, 0x0c,                   /* certificate_list: 12 */
    0x00, 0x00, 0x03, 0x30, 0x01, 0xaa, /*   ASN.1Cert: 3 bytes */
    0x00, 0x00, 0x03, 0x30, 0x01, 0xbb, /*   ASN.1Cert: 3 bytes */
};

static void certificate12(void)
{
    msg_certificate c;
    CHECK_OK(msg_decode_certificate12(span_of(cert12, sizeof cert12), &c));
    CHECK(c.n == 2 && c.request_context.len == 0);
    CHECK(span_hex(c.certs[0], "3001aa") && span_hex(c.certs[1], "3001bb"));

    const uint8_t *der[2] = {cert12 + 6, cert12 + 12};
    const size_t len[2] = {3, 3};
    uint8_t out[64];
    wr w = wr_of(out, sizeof out);
    CHECK_OK(msg_encode_certificate12(&w, der, len, 2));
    CHECK(w.len == MSG_HEADER_LEN + sizeof cert12);
    CHECK(header_ok(out, w.len, HS_CERTIFICATE));
    CHECK_MEM(out + MSG_HEADER_LEN, cert12, sizeof cert12);

    /* An empty list (RFC 5246 §7.4.6: a client with no certificate). */
    w = wr_of(out, sizeof out);
    CHECK_OK(msg_encode_certificate12(&w, NULL, NULL, 0));
    static const uint8_t empty[] = {0x0b, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00};
    CHECK(w.len == sizeof empty);
    CHECK_MEM(out, empty, sizeof empty);
    CHECK_OK(msg_decode_certificate12(span_of(out + 4, 3), &c));
    CHECK(c.n == 0);

    truncations("Certificate12", dec_cert12, cert12, sizeof cert12, NO_OK_PREFIX);
    trailing("Certificate12", dec_cert12, cert12, sizeof cert12);

    /* An empty ASN.1Cert; a list whose length overruns its entries; the
     * TLS 1.3 shape (context byte + per-entry extensions). */
    static const uint8_t empty_cert[] = {0x00, 0x00, 0x03, 0x00, 0x00, 0x00};
    CHECK_CODE(on_heap(dec_cert12, empty_cert, sizeof empty_cert), WARD_ERR_DECODE);
    static const uint8_t overrun[] = {0x00, 0x00, 0x05, 0x00, 0x00, 0x03, 0x30, 0x01};
    CHECK_CODE(on_heap(dec_cert12, overrun, sizeof overrun), WARD_ERR_DECODE);
    static const uint8_t inner_long[] = {0x00, 0x00, 0x04, 0x00, 0x00, 0x02, 0x30};
    CHECK_CODE(on_heap(dec_cert12, inner_long, sizeof inner_long), WARD_ERR_DECODE);
    static const uint8_t tls13[] = {0x00, 0x00, 0x00, 0x08, 0x00, 0x00,
                                    0x03, 0x30, 0x01, 0xaa, 0x00, 0x00};
    CHECK_CODE(on_heap(dec_cert12, tls13, sizeof tls13), WARD_ERR_DECODE);

    /* More than MSG_MAX_CERTS. */
    buf many = {.len = 0};
    size_t body = (MSG_MAX_CERTS + 1) * 4;
    many.b[many.len++] = 0;
    many.b[many.len++] = (uint8_t)(body >> 8);
    many.b[many.len++] = (uint8_t)body;
    for (size_t i = 0; i < MSG_MAX_CERTS + 1; i++)
        put_hex(&many, "000001 30");
    CHECK_CODE(on_heap(dec_cert12, many.b, many.len), WARD_ERR_BAD_CERTIFICATE);
    many.len -= 4;
    body -= 4;
    many.b[1] = (uint8_t)(body >> 8);
    many.b[2] = (uint8_t)body;
    CHECK_CODE(on_heap(dec_cert12, many.b, many.len), WARD_OK);

    const size_t zero = 0;
    w = wr_of(out, sizeof out);
    CHECK_CODE(msg_encode_certificate12(&w, der, &zero, 1).code, WARD_ERR_INTERNAL);
}

/* ---- ServerKeyExchange (ECDHE) ---- */

/* OpenSSL 3.0's ServerKeyExchange body for ECDHE_ECDSA with x25519. */
static const uint8_t openssl_ske[] = {
    0x03,                                           /* curve_type: named_curve */
    0x00, 0x1d,                                     /* namedcurve: x25519 */
    0x20,                                           /* public: 32 */
    0x75, 0x2c, 0xa7, 0xed, 0xf4, 0x8a, 0x48, 0x33, 0x42, 0xc1, 0xe5, 0x40, 0x3c, 0x1c, 0xb5, 0x82,
    0xe0, 0xc0, 0xf9, 0xec, 0xaa, 0x7a, 0x9c, 0x56, 0x26, 0x7d, 0x6e, 0x55, 0x00, 0x40, 0x83, 0x6a,
    0x04, 0x03,                                     /* ecdsa_secp256r1_sha256 */
    0x00, 0x47,                                     /* signature: 71 */
    0x30, 0x45, 0x02, 0x20, 0x29, 0xb4, 0x79, 0xf3, 0x0e, 0xa9, 0x1b, 0x26, 0x0e, 0xb6, 0x1d, 0x39,
    0x71, 0x15, 0x7f, 0x65, 0x1f, 0x20, 0x38, 0xa8, 0xc9, 0xb8, 0x52, 0x30, 0x74, 0x55, 0x88, 0x3f,
    0xf7, 0x61, 0xcb, 0xd9, 0x02, 0x21, 0x00, 0xf7, 0x61, 0x44, 0xbb, 0x51, 0x18, 0x11, 0x17, 0x17,
    0xf3, 0x07, 0xe5, 0x88, 0x1d, 0x3a, 0x1d, 0x64, 0xcb, 0xd9, 0x08, 0x9e, 0x2e, 0xc0, 0x8c, 0x8f,
    0x71, 0xfc, 0x0c, 0x15, 0x20, 0x9c, 0x6e,
};
#define SKE_PARAMS_LEN (1 + 2 + 1 + 32)

static void server_key_exchange(void)
{
    msg_server_key_exchange ske;
    CHECK_OK(msg_decode_server_key_exchange(span_of(openssl_ske, sizeof openssl_ske), &ske));
    CHECK(ske.group == 0x001d);
    CHECK(span_eq(ske.public_key, openssl_ske + 4, 32));
    CHECK(span_eq(ske.params, openssl_ske, SKE_PARAMS_LEN)); /* the same bytes, in place */
    CHECK(ske.params.p == openssl_ske);
    CHECK(ske.scheme == 0x0403);
    CHECK(span_eq(ske.signature, openssl_ske + SKE_PARAMS_LEN + 4, 71));

    /* Re-encode in two steps (params to sign, then the message): the
     * same bytes OpenSSL sent. */
    uint8_t params[300], out[300];
    wr pw = wr_of(params, sizeof params);
    CHECK_OK(msg_encode_ecdh_params(&pw, ske.group, ske.public_key.p, ske.public_key.len));
    CHECK(pw.len == SKE_PARAMS_LEN);
    CHECK_MEM(params, openssl_ske, SKE_PARAMS_LEN);
    wr w = wr_of(out, sizeof out);
    CHECK_OK(msg_encode_server_key_exchange(&w, params, pw.len, ske.scheme, ske.signature.p,
                                            ske.signature.len));
    CHECK(w.len == MSG_HEADER_LEN + sizeof openssl_ske);
    CHECK(header_ok(out, w.len, HS_SERVER_KEY_EXCHANGE));
    CHECK_MEM(out + MSG_HEADER_LEN, openssl_ske, sizeof openssl_ske);

    truncations("ServerKeyExchange", dec_ske, openssl_ske, sizeof openssl_ske, NO_OK_PREFIX);
    trailing("ServerKeyExchange", dec_ske, openssl_ske, sizeof openssl_ske);

    /* curve_type explicit_prime(1), explicit_char2(2), or anything else. */
    uint8_t b[sizeof openssl_ske];
    static const uint8_t bad_types[] = {0, 1, 2, 4, 255};
    for (size_t i = 0; i < sizeof bad_types; i++) {
        memcpy(b, openssl_ske, sizeof b);
        b[0] = bad_types[i];
        CHECK_CODE(on_heap(dec_ske, b, sizeof b), WARD_ERR_ILLEGAL_PARAMETER);
    }
    /* An empty point; an empty signature; inner lengths that overrun. */
    static const uint8_t no_point[] = {0x03, 0x00, 0x17, 0x00, 0x04, 0x03, 0x00, 0x01, 0xaa};
    CHECK_CODE(on_heap(dec_ske, no_point, sizeof no_point), WARD_ERR_DECODE);
    static const uint8_t no_sig[] = {0x03, 0x00, 0x17, 0x01, 0x04, 0x04, 0x03, 0x00, 0x00};
    CHECK_CODE(on_heap(dec_ske, no_sig, sizeof no_sig), WARD_ERR_DECODE);
    static const uint8_t point_long[] = {0x03, 0x00, 0x17, 0x09, 0x04, 0x04, 0x03, 0x00, 0x01, 0xaa};
    CHECK_CODE(on_heap(dec_ske, point_long, sizeof point_long), WARD_ERR_DECODE);
    static const uint8_t sig_long[] = {0x03, 0x00, 0x17, 0x01, 0x04, 0x04, 0x03, 0x00, 0x02, 0xaa};
    CHECK_CODE(on_heap(dec_ske, sig_long, sizeof sig_long), WARD_ERR_DECODE);
    static const uint8_t minimal[] = {0x03, 0x00, 0x17, 0x01, 0x04, 0x04, 0x03, 0x00, 0x01, 0xaa};
    CHECK_CODE(on_heap(dec_ske, minimal, sizeof minimal), WARD_OK);

    /* Encoder limits. */
    uint8_t big[256];
    memset(big, 4, sizeof big);
    pw = wr_of(params, sizeof params);
    CHECK_CODE(msg_encode_ecdh_params(&pw, 0x0017, big, 0).code, WARD_ERR_INTERNAL);
    CHECK_CODE(msg_encode_ecdh_params(&pw, 0x0017, big, 256).code, WARD_ERR_INTERNAL);
    pw = wr_of(params, sizeof params);
    CHECK_OK(msg_encode_ecdh_params(&pw, 0x0017, big, 255));
    CHECK(pw.len == 259 && params[3] == 255);
    w = wr_of(out, sizeof out);
    CHECK_CODE(msg_encode_server_key_exchange(&w, params, 4, 0x0403, big, 0).code,
               WARD_ERR_INTERNAL);
    CHECK_CODE(msg_encode_server_key_exchange(&w, params, 0, 0x0403, big, 1).code,
               WARD_ERR_INTERNAL);
    w = wr_of(out, 20);
    CHECK_CODE(msg_encode_server_key_exchange(&w, openssl_ske, SKE_PARAMS_LEN, 0x0403, big, 8)
                   .code,
               WARD_ERR_INTERNAL);
}

/* ---- ServerHelloDone, HelloRequest ---- */

static void empty_messages(void)
{
    uint8_t out[8];
    wr w = wr_of(out, sizeof out);
    CHECK_OK(msg_encode_server_hello_done(&w));
    static const uint8_t shd[] = {0x0e, 0x00, 0x00, 0x00}; /* type 14, length 0 */
    CHECK(w.len == sizeof shd);
    CHECK_MEM(out, shd, sizeof shd);
    CHECK_OK(msg_decode_empty(span_of(out + 4, 0)));
    CHECK_CODE(on_heap(dec_empty, NULL, 0), WARD_OK);
    static const uint8_t one[] = {0x00};
    CHECK_CODE(on_heap(dec_empty, one, 1), WARD_ERR_DECODE);
    static const uint8_t some[] = {0x00, 0x00, 0x00, 0x00};
    CHECK_CODE(on_heap(dec_empty, some, sizeof some), WARD_ERR_DECODE);
    w = wr_of(out, 3);
    CHECK_CODE(msg_encode_server_hello_done(&w).code, WARD_ERR_INTERNAL);
}

/* ---- ClientKeyExchange ---- */

/* OpenSSL 3.0's ClientKeyExchange body for ECDHE with x25519. */
static const uint8_t openssl_cke[] = {
    0x20,                                           /* ecdh_Yc: 32 */
    0xc1, 0xc3, 0x8b, 0xcc, 0xfd, 0x98, 0x72, 0xa1, 0x7c, 0x58, 0xde, 0xa4, 0x85, 0x3b, 0x20, 0x7b,
    0xc3, 0x45, 0x19, 0x4e, 0x64, 0xa6, 0x78, 0x26, 0x3d, 0x1d, 0x96, 0x07, 0x4e, 0x40, 0xeb, 0x15,
};

static void client_key_exchange(void)
{
    span pt;
    CHECK_OK(msg_decode_client_key_exchange_ecdhe(span_of(openssl_cke, sizeof openssl_cke), &pt));
    CHECK(span_eq(pt, openssl_cke + 1, 32));
    uint8_t out[600];
    wr w = wr_of(out, sizeof out);
    CHECK_OK(msg_encode_client_key_exchange_ecdhe(&w, pt.p, pt.len));
    CHECK(w.len == MSG_HEADER_LEN + sizeof openssl_cke);
    CHECK(header_ok(out, w.len, HS_CLIENT_KEY_EXCHANGE));
    CHECK_MEM(out + MSG_HEADER_LEN, openssl_cke, sizeof openssl_cke);
    truncations("ClientKeyExchange ECDHE", dec_cke_ecdhe, openssl_cke, sizeof openssl_cke,
                NO_OK_PREFIX);
    trailing("ClientKeyExchange ECDHE", dec_cke_ecdhe, openssl_cke, sizeof openssl_cke);
    static const uint8_t no_point[] = {0x00};
    CHECK_CODE(on_heap(dec_cke_ecdhe, no_point, 1), WARD_ERR_DECODE);
    /* The RSA shape is not an ECDHE one. */
    static const uint8_t rsa_shape[] = {0x00, 0x02, 0xaa, 0xbb};
    CHECK_CODE(on_heap(dec_cke_ecdhe, rsa_shape, sizeof rsa_shape), WARD_ERR_DECODE);

    /* RSA: a 2048-bit ciphertext. */
    buf rsa = {.len = 0};
    put_hex(&rsa, "0100"); /* EncryptedPreMasterSecret: 256 */
    for (int i = 0; i < 256; i++)
        rsa.b[rsa.len++] = (uint8_t)i;
    span enc;
    CHECK_OK(msg_decode_client_key_exchange_rsa(span_of(rsa.b, rsa.len), &enc));
    CHECK(span_eq(enc, rsa.b + 2, 256));
    w = wr_of(out, sizeof out);
    CHECK_OK(msg_encode_client_key_exchange_rsa(&w, enc.p, enc.len));
    CHECK(w.len == MSG_HEADER_LEN + rsa.len);
    CHECK(header_ok(out, w.len, HS_CLIENT_KEY_EXCHANGE));
    CHECK_MEM(out + MSG_HEADER_LEN, rsa.b, rsa.len);
    truncations("ClientKeyExchange RSA", dec_cke_rsa, rsa.b, rsa.len, NO_OK_PREFIX);
    trailing("ClientKeyExchange RSA", dec_cke_rsa, rsa.b, rsa.len);
    /* An empty ciphertext is well formed (RSA decryption rejects it). */
    static const uint8_t rsa_empty[] = {0x00, 0x00};
    CHECK_CODE(on_heap(dec_cke_rsa, rsa_empty, sizeof rsa_empty), WARD_OK);

    /* Encoder limits. */
    w = wr_of(out, sizeof out);
    CHECK_CODE(msg_encode_client_key_exchange_ecdhe(&w, rsa.b, 0).code, WARD_ERR_INTERNAL);
    CHECK_CODE(msg_encode_client_key_exchange_ecdhe(&w, rsa.b, 256).code, WARD_ERR_INTERNAL);
    CHECK_CODE(msg_encode_client_key_exchange_rsa(&w, rsa.b, 0).code, WARD_ERR_INTERNAL);
    w = wr_of(out, 100);
    CHECK_CODE(msg_encode_client_key_exchange_rsa(&w, rsa.b, 256).code, WARD_ERR_INTERNAL);
}

/* ---- Finished (12 bytes of verify_data, RFC 5246 §7.4.9) ---- */

static void finished12(void)
{
    static const uint8_t vd[12] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
    uint8_t out[32];
    wr w = wr_of(out, sizeof out);
    CHECK_OK(msg_encode_finished(&w, vd, sizeof vd));
    static const uint8_t hdr[] = {0x14, 0x00, 0x00, 0x0c}; /* type 20, length 12 */
    CHECK(w.len == 16);
    CHECK_MEM(out, hdr, sizeof hdr);
    CHECK_MEM(out + 4, vd, sizeof vd);
    span got;
    CHECK_OK(msg_decode_finished(span_of(out + 4, 12), 12, &got));
    CHECK(span_eq(got, vd, sizeof vd));
    truncations("Finished12", dec_fin12, vd, sizeof vd, NO_OK_PREFIX);
    trailing("Finished12", dec_fin12, vd, sizeof vd);
}

int main(void)
{
    handshake_types();
    client_hello_openssl();
    client_hello_extensions();
    client_hello_encode();
    server_hello_openssl();
    server_hello_extensions();
    server_hello12_encode();
    certificate12();
    server_key_exchange();
    empty_messages();
    client_key_exchange();
    finished12();
    return test_report();
}
