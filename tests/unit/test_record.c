/* The record layer (RFC 8446 §5): known answers from the RFC 8448-style
 * traces in tests/vectors/rfc8448-traces.txt §3 (this copy of the
 * traces is draft-ietf-tls-tls13-vectors-latest; its secrets differ from
 * the published RFC 8448), round trips for every AEAD, the limits and
 * refusals, and handshake message reassembly. */
#include <stdlib.h>
#include <string.h>

#include "record/record.h"
#include "testutil.h"

/* ---- vectors, copied from the trace file, §3 "Simple 1-RTT Handshake" ---- */

/* {server} derive secret "tls13 s hs traffic": expanded */
static const char SHS[] =
    "3031e9c2c26ecc154bc36826e87feeff8f4547df52596747b2dcabf92b18fb59";
/* {server} derive write traffic keys for handshake data */
static const char SHS_KEY[] =
    "4d15c00e47317fe99c714f8ebd92c4d1";
static const char SHS_IV[] =
    "18223084735f2f2d8588caaa";
/* {server} send handshake record (ServerHello, unprotected) */
static const char SH[] =
    "0200005603031274991495cf425857262dde2299342c315afba9b64a87d55251"
    "5614e01b045d00130100002e00330024001d0020c7bb6bdfc26350b929a08a41"
    "a76ddac210b096868d960c4845987dc3a7fa650a002b00020304";
static const char SH_REC[] =
    "160303005a0200005603031274991495cf425857262dde2299342c315afba9b6"
    "4a87d552515614e01b045d00130100002e00330024001d0020c7bb6bdfc26350"
    "b929a08a41a76ddac210b096868d960c4845987dc3a7fa650a002b00020304";
/* {server} send handshake record: EE, Certificate, CertificateVerify, Finished */
static const char FLIGHT[] =
    "080000240022000a00140012001d00170018001901000101010201030104001c"
    "00024001000000000b0001b9000001b50001b0308201ac30820115a003020102"
    "020102300d06092a864886f70d01010b0500300e310c300a0603550403130372"
    "7361301e170d3136303733303031323335395a170d3236303733303031323335"
    "395a300e310c300a0603550403130372736130819f300d06092a864886f70d01"
    "0101050003818d0030818902818100b4bb498f8279303d980836399b36c6988c"
    "0c68de55e1bdb826d3901a2461eafd2de49a91d015abbc9a95137ace6c1af19e"
    "aa6af98c7ced43120998e187a80ee0ccb0524b1b018c3e0b63264d449a6d38e2"
    "2a5fda430846748030530ef0461c8ca9d9efbfae8ea6d1d03e2bd193eff0ab9a"
    "8002c47428a6d35a8d88d79f7f1e3f0203010001a31a301830090603551d1304"
    "023000300b0603551d0f0404030205a0300d06092a864886f70d01010b050003"
    "81810085aad2a0e5b9276b908c65f73a7267170618a54c5f8a7b337d2df7a594"
    "365417f2eae8f8a58c8f8172f9319cf36b7fd6c55b80f21a03015156726096fd"
    "335e5e67f2dbf102702e608ccae6bec1fc63a42a99be5c3eb7107c3c54e9b9eb"
    "2bd5203b1c3b84e0a8b2f759409ba3eac9d91d402dcc0cc8f8961229ac9187b4"
    "2b4de100000f00008408040080ace0af8e87d7c63cc9dbe7dcc12ff83bd55df0"
    "ccda9bf4e5a0f70100d9bc4d25aa684fd9d347642c942222526e163e3b0fba31"
    "2b10e9b67eb0ac9c2be5fef490f81d7827e3bc12fa027ab439e71cc8459c14b9"
    "4a8f3506ec44547d6c23e19cc7f9d5e0d1f595108fc240f5b0842c485a321487"
    "c4950377a52e917294715567cd140000204c92b1b256d861a1830167827d3e28"
    "8d1a76f03484e9ec886d4ff66149cbec2f";
static const char FLIGHT_REC[] =
    "17030302a2d86231e399eee4544f58e5c9ff1d0def3baa470ae2ed0b127c5dd4"
    "71715673cef74b51fecac0d9d347ce9f43efe772ad20efddfa5b9a3911760311"
    "279599832e856ceba25bdc8071f97228277985b96f4e2b520f48b129bd3f9bb8"
    "e0ba5ad5cb2513b7d9157fab22fbd5862a8631a194b4ece8e31dade9e6d019d5"
    "714833de181192b427a10fe4e929f637d55c3ecf0182191dee94df0cdeed15dc"
    "c6f114c5abdcc0626356cfe4dcf011022c0e6a2431d688bbc829fa495bcb0e74"
    "56636b153c9c79a4f8cb083164c5f555ac78b8844a25d8c7b3f40d7226f53e6b"
    "6f0976989c70a327b6e7bf5316a20b8de99e25ab7d5e2faba2f53ef8f3713995"
    "023e678859cde121cf548625d61fe840f0c5749fc65c984c543a139a3185091a"
    "eb9eaca24d269a31501cc506bdf9b620994c8dc4bdc977afd9e971fad42eb1c9"
    "d05545fc37164a123233e370bb6afef2cbf7df710c95a4e20982cca1ebfc67a6"
    "ebb82e8ee5910a69ec085598ab497365c408aca90d13feea1d773af9899f9e37"
    "b74189f711ea08a960810c449c141ab4ee2d4958021050e1bc4347fbfddb90e9"
    "24752f1df76ed1ce7c0038ce1193b0e72e056c3e330914cbe656b80bbebf0359"
    "bf301e06901974baad55765f186c7b1c1304e1101181629351682a0a96e2a844"
    "2cd65234d55f4dcdc585c3a729aab205590a53a9ce9e4b0e1218f0952cc2806b"
    "5f46c59d88a172dac37c9f37afb91cea61665324b06d3ce79d7465d323ca9cb4"
    "ccd8d8adf21eefde6a24f36fe7e022139285de95dd6283e106773d11d07d9bf2"
    "7ca9e9953a0c23730b159ff8aa0086d74e0ba5557257c2f308a55ff54c9c4854"
    "7886f979fa841b8c2d6cd7a14ef642dda832badba34a3554fcd4092d8de04e43"
    "2ccbdaa4eac28f922a29bd00a7d26f5072a3fa2da1a228394a26a805dee09042"
    "2794fb1476cff0";
/* {server} derive secret "tls13 c ap traffic" / "tls13 s ap traffic" */
static const char CAP[] =
    "2dca43b0ae13af89e9533d39b65dd25cc22df9e7afcaf082a76895a4da353b50";
static const char SAP[] =
    "49033ff303eef5739d1376cb6d27ebd695733f3c3f617e7fc76d02a6fac6277f";
/* {server} derive write traffic keys for application data */
static const char SAP_KEY[] =
    "bbe6b3fc9c068c6fb331eca8aa919bfd";
static const char SAP_IV[] =
    "8057dc46846821a1bea306e0";
/* {client} derive write traffic keys for application data */
static const char CAP_KEY[] =
    "d92b3e9a88ea7fe2ed69aa9c8b629e91";
static const char CAP_IV[] =
    "37a828161ead2b6813ad0b13";
/* {server} send handshake record: NewSessionTicket (server app seq 0) */
static const char NST[] =
    "040000c90000001e933d093202000000b2f35edae4e60404d6f40fa17f000000"
    "008393d163fb4f5f105fe2056caeb32ac7007070045931026db07d58dd58090d"
    "629af59ecb7fba353d5d9653a708fbcf0f515c1b82db6b08977179dfc684d22f"
    "cf7bd5c12222ab63ffd9d2bc46176d144ae98ad93416894822ac5064065f9299"
    "5a6f052fa3a731703657817ea7a8de73148661768f7f62098fb45c0a9dde04a9"
    "cf1aa4206f13dd055df3ed5fa681bbf876e362ad9c0a68d2b5266c79aa806cbf"
    "e6113b0008002a000400000400";
static const char NST_REC[] =
    "17030300dec047d7b25ebbc316ebeef66485649f1a3a6c1918b035c183ebde6b"
    "d30c2b97f4935e329714bb08af9c6d96da3c604443c0dbbeab8beecd90af0c3d"
    "bc53ea1c49deeb688f45f0f9e8cceec68ebbadd3a4425938acd99dca9ead9b6f"
    "6a297a9aa0d9ab910745f6732527817fd4134ac5e99cd6255e2388c89f83646e"
    "0e5fbe4044aa5a55a3530ca98ff56eb6b1dc685e5660a75a822efae533daed34"
    "745608aa9829ba84de3e7c4acfc8094e39d2af817421e55c3aa5d0e1de43c408"
    "bac9322599ef4e57dfd08a7af0d1186c96e6ac299bd07f5ee5b056831964cb80"
    "768ce5";
/* {client,server} send application_data record: the same 50 bytes; the
 * server's goes out with sequence number 1, after the NewSessionTicket. */
static const char APP[] =
    "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
    "202122232425262728292a2b2c2d2e2f3031";
static const char C_APP_REC[] =
    "17030300436f75483d5af74e8419fadfd21404a9b5eba36b5170c504366f2da8"
    "ddc2bd7bfcaf3cbee33d8c0172f0f8485a1fa52d1364257cf5c509eaf35c3918"
    "9b5278b5861b019f";
static const char S_APP_REC[] =
    "1703030043cc8a45078c6c81b7461ff5624f6312aa44c3c101eb700e6248042f"
    "40baca0d988fefd11e945d27c7c364b5068580571908646e59a85e12690df143"
    "671095b3c93d705c";

/* ---- helpers ---- */

static uint8_t *hex(const char *h, size_t *n)
{
    size_t cap = strlen(h) / 2 + 1;
    uint8_t *out = malloc(cap);
    long got = hex_decode(h, out, cap);
    if (got < 0)
        abort();
    *n = (size_t)got;
    return out;
}

static void install_ok(rec_dir *d, aead_alg aead, hash_alg hash, const uint8_t *secret,
                       int encrypt)
{
    rec_dir_init(d);
    CHECK_OK(rec_dir_install(d, aead, hash, secret, encrypt));
}

static void install_hex(rec_dir *d, const char *secret_hex, int encrypt)
{
    size_t n;
    uint8_t *secret = hex(secret_hex, &n);
    CHECK(n == 32);
    install_ok(d, AEAD_AES_128_GCM, HASH_SHA256, secret, encrypt);
    free(secret);
}

/* Seal payload (hex) and compare with the trace's complete record, then
 * open that record and get the payload back. */
static void check_known_record(rec_dir *w, rec_dir *r, uint8_t type, const char *payload_hex,
                               const char *record_hex)
{
    size_t ptlen, reclen, outlen, total;
    uint8_t *pt = hex(payload_hex, &ptlen);
    uint8_t *want = hex(record_hex, &reclen);
    uint8_t out[REC_MAX_RECORD];

    CHECK(rec_sealed_len(w, ptlen, 0) == reclen);
    CHECK_OK(rec_seal(w, type, pt, ptlen, 0, out, sizeof out, &outlen));
    CHECK(outlen == reclen);
    CHECK_MEM(out, want, reclen);

    uint8_t got_type = 0;
    span payload = {0};
    CHECK_OK(rec_peek(want, reclen, &total));
    CHECK(total == reclen);
    CHECK_OK(rec_open(r, want, reclen, &got_type, &payload));
    CHECK(got_type == type);
    CHECK(payload.len == ptlen);
    CHECK(payload.p == want + REC_HEADER_LEN);
    if (payload.len == ptlen)
        CHECK_MEM(payload.p, pt, ptlen);
    free(pt);
    free(want);
}

/* Protect an inner plaintext exactly as given (content || type || pad),
 * which rec_seal would refuse to build, with w's key and sequence number.
 * The nonce is computed here independently of record.c (§5.3). */
static size_t seal_raw(rec_dir *w, const uint8_t *inner, size_t n, uint8_t *out)
{
    uint8_t nonce[CRYPTO_AEAD_NONCE];
    memcpy(nonce, w->iv, sizeof nonce);
    for (int i = 0; i < 8; i++)
        nonce[4 + i] ^= (uint8_t)(w->seq >> (56 - 8 * i));
    size_t ctlen = n + CRYPTO_AEAD_TAG;
    out[0] = CT_APPLICATION_DATA;
    out[1] = 0x03;
    out[2] = 0x03;
    out[3] = (uint8_t)(ctlen >> 8);
    out[4] = (uint8_t)ctlen;
    memcpy(out + REC_HEADER_LEN, inner, n);
    CHECK_OK(crypto_aead_seal(&w->aead, nonce, out, REC_HEADER_LEN, out + REC_HEADER_LEN, n,
                              out + REC_HEADER_LEN));
    w->seq++;
    return REC_HEADER_LEN + ctlen;
}

/* ---- known answers ---- */

/* The key stays inside the AEAD: check the derivation rec_dir_install
 * uses (§7.3), then the IV it keeps. */
static void check_traffic_keys(const char *secret_hex, const char *key_hex, const char *iv_hex)
{
    size_t n;
    uint8_t *secret = hex(secret_hex, &n);
    uint8_t *key = hex(key_hex, &n);
    uint8_t *iv = hex(iv_hex, &n);
    uint8_t got[16];
    rec_dir d;

    CHECK_OK(crypto_hkdf_expand_label(HASH_SHA256, secret, "key", NULL, 0, got, 16));
    CHECK_MEM(got, key, 16);
    install_ok(&d, AEAD_AES_128_GCM, HASH_SHA256, secret, 1);
    CHECK(d.protected_ == 1 && d.seq == 0 && d.wire_version == 0x0303);
    CHECK_MEM(d.iv, iv, 12);
    rec_dir_clear(&d);
    CHECK(d.protected_ == 0 && d.iv[0] == 0 && d.iv[11] == 0);
    free(secret);
    free(key);
    free(iv);
}

static void kat_key_schedule(void)
{
    check_traffic_keys(SHS, SHS_KEY, SHS_IV);
    check_traffic_keys(CAP, CAP_KEY, CAP_IV);
    check_traffic_keys(SAP, SAP_KEY, SAP_IV);
}

static void kat_plain_server_hello(void)
{
    rec_dir w, r;
    rec_dir_init(&w);
    rec_dir_init(&r);
    CHECK(w.wire_version == 0x0303);
    check_known_record(&w, &r, CT_HANDSHAKE, SH, SH_REC);
    CHECK(w.seq == 0 && r.seq == 0);
}

static void kat_handshake_flight(void)
{
    rec_dir w, r;
    install_hex(&w, SHS, 1);
    install_hex(&r, SHS, 0);
    check_known_record(&w, &r, CT_HANDSHAKE, FLIGHT, FLIGHT_REC);
    CHECK(w.seq == 1 && r.seq == 1);
    rec_dir_clear(&w);
    rec_dir_clear(&r);
}

static void kat_application_data(void)
{
    rec_dir w, r;

    install_hex(&w, CAP, 1);
    install_hex(&r, CAP, 0);
    check_known_record(&w, &r, CT_APPLICATION_DATA, APP, C_APP_REC);
    rec_dir_clear(&w);
    rec_dir_clear(&r);

    /* The server's application data follows its NewSessionTicket. */
    install_hex(&w, SAP, 1);
    install_hex(&r, SAP, 0);
    check_known_record(&w, &r, CT_HANDSHAKE, NST, NST_REC);
    check_known_record(&w, &r, CT_APPLICATION_DATA, APP, S_APP_REC);
    CHECK(w.seq == 2 && r.seq == 2);
    rec_dir_clear(&w);
    rec_dir_clear(&r);
}

/* The handshake keys replaced by the application keys in place (the same
 * AEAD, so the same context is rekeyed, no allocation): the RFC 8448
 * record must still come out byte for byte, and a record sealed under the
 * old key must no longer open. */
static void kat_rekey_in_place(void)
{
    rec_dir w, r;
    install_hex(&w, SHS, 1);
    install_hex(&r, SHS, 0);
    uint8_t old_rec[64];
    size_t old_len;
    CHECK_OK(rec_seal(&w, CT_APPLICATION_DATA, (const uint8_t *)"x", 1, 0, old_rec,
                      sizeof old_rec, &old_len));
    void *wctx = w.aead.ctx, *rctx = r.aead.ctx;

    size_t n;
    uint8_t *secret = hex(CAP, &n);
    CHECK(n == 32);
    CHECK_OK(rec_dir_install(&w, AEAD_AES_128_GCM, HASH_SHA256, secret, 1));
    CHECK_OK(rec_dir_install(&r, AEAD_AES_128_GCM, HASH_SHA256, secret, 0));
    CHECK(w.aead.ctx == wctx && r.aead.ctx == rctx);
    CHECK(w.seq == 0 && r.seq == 0);
    check_known_record(&w, &r, CT_APPLICATION_DATA, APP, C_APP_REC);
    uint8_t type;
    span p;
    CHECK_CODE(rec_open(&r, old_rec, old_len, &type, &p).code, WARD_ERR_BAD_RECORD_MAC);

    /* Another AEAD takes a new context. */
    CHECK_OK(rec_dir_install(&w, AEAD_CHACHA20_POLY1305, HASH_SHA256, secret, 1));
    CHECK(w.aead.alg == AEAD_CHACHA20_POLY1305);
    free(secret);
    rec_dir_clear(&w);
    rec_dir_clear(&r);
}

/* ---- protected round trips ---- */

static void round_trip(aead_alg aead, hash_alg hash)
{
    uint8_t secret[48];
    for (size_t i = 0; i < sizeof secret; i++)
        secret[i] = (uint8_t)(0xa0 + i);
    rec_dir w, r;
    install_ok(&w, aead, hash, secret, 1);
    install_ok(&r, aead, hash, secret, 0);

    static const uint8_t msg1[] = "first record";
    static const uint8_t msg2[] = "second record";
    uint8_t rec1[256], rec2[256], copy[256];
    size_t len1, len2;
    CHECK_OK(rec_seal(&w, CT_APPLICATION_DATA, msg1, sizeof msg1, 10, rec1, sizeof rec1, &len1));
    CHECK(len1 == rec_sealed_len(&w, sizeof msg1, 10));
    CHECK(len1 == REC_HEADER_LEN + sizeof msg1 + 1 + 10 + CRYPTO_AEAD_TAG);
    CHECK(rec1[0] == CT_APPLICATION_DATA && rec1[1] == 0x03 && rec1[2] == 0x03);
    CHECK_OK(rec_seal(&w, CT_HANDSHAKE, msg2, sizeof msg2, 0, rec2, sizeof rec2, &len2));
    CHECK(w.seq == 2);

    uint8_t type;
    span p;
    /* The second record does not open with sequence number 0. */
    memcpy(copy, rec2, len2);
    CHECK_CODE(rec_open(&r, copy, len2, &type, &p).code, WARD_ERR_BAD_RECORD_MAC);
    CHECK(r.seq == 0);

    /* One flipped bit anywhere, header (AAD) included, fails. */
    memcpy(copy, rec1, len1);
    copy[REC_HEADER_LEN + 3] ^= 0x01;
    CHECK_CODE(rec_open(&r, copy, len1, &type, &p).code, WARD_ERR_BAD_RECORD_MAC);
    memcpy(copy, rec1, len1);
    copy[len1 - 1] ^= 0x80;
    CHECK_CODE(rec_open(&r, copy, len1, &type, &p).code, WARD_ERR_BAD_RECORD_MAC);
    memcpy(copy, rec1, len1);
    copy[2] ^= 0x01;
    CHECK_CODE(rec_open(&r, copy, len1, &type, &p).code, WARD_ERR_BAD_RECORD_MAC);

    CHECK_OK(rec_open(&r, rec1, len1, &type, &p));
    CHECK(type == CT_APPLICATION_DATA && p.len == sizeof msg1);
    if (p.len == sizeof msg1)
        CHECK_MEM(p.p, msg1, sizeof msg1);
    CHECK_OK(rec_open(&r, rec2, len2, &type, &p));
    CHECK(type == CT_HANDSHAKE && p.len == sizeof msg2);
    if (p.len == sizeof msg2)
        CHECK_MEM(p.p, msg2, sizeof msg2);
    CHECK(r.seq == 2);

    /* A new key (KeyUpdate) starts again at sequence number 0. */
    secret[0] ^= 1;
    CHECK_OK(rec_dir_install(&w, aead, hash, secret, 1));
    CHECK_OK(rec_dir_install(&r, aead, hash, secret, 0));
    CHECK(w.seq == 0 && r.seq == 0);
    CHECK_OK(rec_seal(&w, CT_ALERT, (const uint8_t *)"\x01\x00", 2, 0, rec1, sizeof rec1, &len1));
    CHECK_OK(rec_open(&r, rec1, len1, &type, &p));
    CHECK(type == CT_ALERT && p.len == 2);

    rec_dir_clear(&w);
    rec_dir_clear(&r);
}

static void round_trips(void)
{
    round_trip(AEAD_AES_128_GCM, HASH_SHA256);
    round_trip(AEAD_AES_256_GCM, HASH_SHA384);
    round_trip(AEAD_CHACHA20_POLY1305, HASH_SHA256);
}

/* Full-size records with maximal padding, and in-place sealing. */
static void full_size(void)
{
    static uint8_t pt[REC_MAX_PLAINTEXT], buf[REC_MAX_RECORD];
    uint8_t secret[32] = {7};
    rec_dir w, r;
    install_ok(&w, AEAD_CHACHA20_POLY1305, HASH_SHA256, secret, 1);
    install_ok(&r, AEAD_CHACHA20_POLY1305, HASH_SHA256, secret, 0);
    for (size_t i = 0; i < sizeof pt; i++)
        pt[i] = (uint8_t)(i * 7 + 1);

    size_t len, total;
    uint8_t type;
    span p;
    CHECK_OK(rec_seal(&w, CT_APPLICATION_DATA, pt, sizeof pt, 0, buf, sizeof buf, &len));
    CHECK_OK(rec_peek(buf, len, &total));
    CHECK(total == len);
    CHECK_OK(rec_open(&r, buf, len, &type, &p));
    CHECK(p.len == sizeof pt);
    CHECK_MEM(p.p, pt, sizeof pt);

    /* The inner plaintext may not exceed 2^14 + 1 (§5.4). */
    CHECK_CODE(rec_seal(&w, CT_APPLICATION_DATA, pt, 100, REC_MAX_PLAINTEXT - 99, buf,
                        sizeof buf, &len).code, WARD_ERR_INTERNAL);
    CHECK_CODE(rec_seal(&w, CT_APPLICATION_DATA, pt, sizeof pt + 1, 0, buf, sizeof buf,
                        &len).code, WARD_ERR_INTERNAL);
    CHECK_CODE(rec_seal(&w, CT_APPLICATION_DATA, pt, 10, 0, buf, 10 + 5 + 16, &len).code,
               WARD_ERR_INTERNAL);

    /* 100 bytes of content and all the padding allowed; sealed in place. */
    memcpy(buf + REC_HEADER_LEN, pt, 100);
    CHECK_OK(rec_seal(&w, CT_APPLICATION_DATA, buf + REC_HEADER_LEN, 100,
                      REC_MAX_PLAINTEXT - 100, buf, sizeof buf, &len));
    CHECK(len == REC_HEADER_LEN + REC_MAX_PLAINTEXT + 1 + CRYPTO_AEAD_TAG);
    CHECK_OK(rec_open(&r, buf, len, &type, &p));
    CHECK(type == CT_APPLICATION_DATA && p.len == 100);
    CHECK_MEM(p.p, pt, 100);

    /* Zero-length application data is allowed (§5.4), even padded. */
    CHECK_OK(rec_seal(&w, CT_APPLICATION_DATA, pt, 0, 5, buf, sizeof buf, &len));
    CHECK_OK(rec_open(&r, buf, len, &type, &p));
    CHECK(type == CT_APPLICATION_DATA && p.len == 0);
    rec_dir_clear(&w);
    rec_dir_clear(&r);
}

/* Inner plaintexts rec_seal would never build. */
static void bad_inner_plaintexts(void)
{
    static uint8_t inner[REC_MAX_PLAINTEXT + 2], rec[REC_MAX_RECORD];
    uint8_t secret[32] = {9};
    rec_dir w, r;
    uint8_t type;
    span p;
    size_t len;
    install_ok(&w, AEAD_AES_128_GCM, HASH_SHA256, secret, 1);
    install_ok(&r, AEAD_AES_128_GCM, HASH_SHA256, secret, 0);

    /* All zeros: no content type at all (§5.4). */
    memset(inner, 0, 8);
    len = seal_raw(&w, inner, 8, rec);
    CHECK_CODE(rec_open(&r, rec, len, &type, &p).code, WARD_ERR_UNEXPECTED_MESSAGE);

    /* Content of 2^14 + 1 bytes (§5.2). */
    memset(inner, 'x', REC_MAX_PLAINTEXT + 1);
    inner[REC_MAX_PLAINTEXT + 1] = CT_APPLICATION_DATA;
    len = seal_raw(&w, inner, REC_MAX_PLAINTEXT + 2, rec);
    CHECK_CODE(rec_open(&r, rec, len, &type, &p).code, WARD_ERR_RECORD_OVERFLOW);

    /* Empty handshake and alert content, with and without padding. */
    const uint8_t hs_empty[] = {CT_HANDSHAKE}, hs_padded[] = {CT_HANDSHAKE, 0, 0, 0};
    const uint8_t alert_empty[] = {CT_ALERT};
    len = seal_raw(&w, hs_empty, sizeof hs_empty, rec);
    CHECK_CODE(rec_open(&r, rec, len, &type, &p).code, WARD_ERR_UNEXPECTED_MESSAGE);
    len = seal_raw(&w, hs_padded, sizeof hs_padded, rec);
    CHECK_CODE(rec_open(&r, rec, len, &type, &p).code, WARD_ERR_UNEXPECTED_MESSAGE);
    len = seal_raw(&w, alert_empty, sizeof alert_empty, rec);
    CHECK_CODE(rec_open(&r, rec, len, &type, &p).code, WARD_ERR_UNEXPECTED_MESSAGE);

    /* An encrypted change_cipher_spec, and an unknown inner type. */
    const uint8_t ccs[] = {0x01, CT_CHANGE_CIPHER_SPEC}, odd[] = {'a', 0x42, 0};
    len = seal_raw(&w, ccs, sizeof ccs, rec);
    CHECK_CODE(rec_open(&r, rec, len, &type, &p).code, WARD_ERR_UNEXPECTED_MESSAGE);
    len = seal_raw(&w, odd, sizeof odd, rec);
    CHECK_CODE(rec_open(&r, rec, len, &type, &p).code, WARD_ERR_UNEXPECTED_MESSAGE);

    /* Sequence numbers stayed in step: a good record still opens. */
    const uint8_t good[] = {'o', 'k', CT_HANDSHAKE, 0, 0};
    len = seal_raw(&w, good, sizeof good, rec);
    CHECK_OK(rec_open(&r, rec, len, &type, &p));
    CHECK(type == CT_HANDSHAKE && p.len == 2 && p.p[0] == 'o');

    /* Too short to hold a tag and a type. */
    uint8_t tiny[REC_HEADER_LEN + CRYPTO_AEAD_TAG] = {CT_APPLICATION_DATA, 3, 3, 0,
                                                       CRYPTO_AEAD_TAG};
    CHECK_CODE(rec_open(&r, tiny, sizeof tiny, &type, &p).code, WARD_ERR_BAD_RECORD_MAC);
    rec_dir_clear(&w);
    rec_dir_clear(&r);
}

/* ---- framing ---- */

static void peek(void)
{
    size_t total = 99;
    uint8_t buf[16] = {CT_HANDSHAKE, 0x03, 0x03, 0x00, 0x03, 1, 2, 3, CT_ALERT, 3, 3, 0, 2};

    CHECK_OK(rec_peek(buf, 0, &total));
    CHECK(total == 0);
    CHECK_OK(rec_peek(buf, 4, &total));
    CHECK(total == 0);
    CHECK_OK(rec_peek(buf, 7, &total));
    CHECK(total == 0);
    CHECK_OK(rec_peek(buf, 8, &total));
    CHECK(total == 8);
    /* Two records buffered: the first one's size. */
    CHECK_OK(rec_peek(buf, 13, &total));
    CHECK(total == 8);
    CHECK_OK(rec_peek(buf + 8, 5, &total));
    CHECK(total == 0);

    /* Any legacy_record_version is accepted. */
    uint8_t v[] = {CT_ALERT, 0x03, 0x01, 0x00, 0x00};
    CHECK_OK(rec_peek(v, sizeof v, &total));
    CHECK(total == 5);

    /* The largest length allowed waits for its body; one more is refused
     * from the header alone. */
    uint8_t big[] = {CT_APPLICATION_DATA, 3, 3, (REC_MAX_CIPHERTEXT >> 8),
                     (uint8_t)REC_MAX_CIPHERTEXT};
    CHECK_OK(rec_peek(big, sizeof big, &total));
    CHECK(total == 0);
    big[3] = (REC_MAX_CIPHERTEXT + 1) >> 8;
    big[4] = (uint8_t)(REC_MAX_CIPHERTEXT + 1);
    CHECK_CODE(rec_peek(big, sizeof big, &total).code, WARD_ERR_RECORD_OVERFLOW);

    /* Unknown content types, including an SSLv2-style hello. */
    uint8_t unknown[] = {24, 3, 3, 0, 1, 0};
    CHECK_CODE(rec_peek(unknown, sizeof unknown, &total).code, WARD_ERR_UNEXPECTED_MESSAGE);
    unknown[0] = 19;
    CHECK_CODE(rec_peek(unknown, sizeof unknown, &total).code, WARD_ERR_UNEXPECTED_MESSAGE);
    uint8_t sslv2[] = {0x80, 0x2e, 0x01, 0x03, 0x01, 0x00};
    CHECK_CODE(rec_peek(sslv2, sizeof sslv2, &total).code, WARD_ERR_UNEXPECTED_MESSAGE);
    CHECK(total == 0);
}

static void unprotected(void)
{
    rec_dir d;
    rec_dir_init(&d);
    uint8_t type;
    span p;

    uint8_t appdata[] = {CT_APPLICATION_DATA, 3, 3, 0, 1, 'x'};
    CHECK_CODE(rec_open(&d, appdata, sizeof appdata, &type, &p).code,
               WARD_ERR_UNEXPECTED_MESSAGE);
    uint8_t hs_empty[] = {CT_HANDSHAKE, 3, 3, 0, 0};
    CHECK_CODE(rec_open(&d, hs_empty, sizeof hs_empty, &type, &p).code,
               WARD_ERR_UNEXPECTED_MESSAGE);
    uint8_t alert_empty[] = {CT_ALERT, 3, 1, 0, 0};
    CHECK_CODE(rec_open(&d, alert_empty, sizeof alert_empty, &type, &p).code,
               WARD_ERR_UNEXPECTED_MESSAGE);
    uint8_t alert[] = {CT_ALERT, 3, 1, 0, 2, 2, 40};
    CHECK_OK(rec_open(&d, alert, sizeof alert, &type, &p));
    CHECK(type == CT_ALERT && p.len == 2 && p.p == alert + 5);

    /* A plaintext record may carry 2^14 bytes, not one more. */
    static uint8_t big[REC_HEADER_LEN + REC_MAX_PLAINTEXT + 1];
    size_t total;
    big[0] = CT_HANDSHAKE;
    big[1] = big[2] = 3;
    big[3] = (REC_MAX_PLAINTEXT + 1) >> 8;
    big[4] = (uint8_t)(REC_MAX_PLAINTEXT + 1);
    CHECK_OK(rec_peek(big, sizeof big, &total));
    CHECK(total == sizeof big);
    CHECK_CODE(rec_open(&d, big, sizeof big, &type, &p).code, WARD_ERR_RECORD_OVERFLOW);
    big[3] = REC_MAX_PLAINTEXT >> 8;
    big[4] = (uint8_t)REC_MAX_PLAINTEXT;
    CHECK_OK(rec_open(&d, big, sizeof big - 1, &type, &p));
    CHECK(p.len == REC_MAX_PLAINTEXT);
    /* total must match the header. */
    CHECK_CODE(rec_open(&d, big, sizeof big, &type, &p).code, WARD_ERR_INTERNAL);

    /* The first ClientHello goes out with legacy_record_version 0x0301. */
    uint8_t out[32];
    size_t len;
    d.wire_version = 0x0301;
    CHECK_OK(rec_seal(&d, CT_HANDSHAKE, (const uint8_t *)"\x01\x00\x00\x00", 4, 7, out,
                      sizeof out, &len));
    const uint8_t want[] = {CT_HANDSHAKE, 3, 1, 0, 4, 1, 0, 0, 0};
    CHECK(len == sizeof want && rec_sealed_len(&d, 4, 7) == sizeof want);
    CHECK_MEM(out, want, sizeof want);
    /* Never application data or empty handshake in the clear. */
    CHECK_CODE(rec_seal(&d, CT_APPLICATION_DATA, out, 1, 0, out, sizeof out, &len).code,
               WARD_ERR_INTERNAL);
    CHECK_CODE(rec_seal(&d, CT_HANDSHAKE, out, 0, 0, out, sizeof out, &len).code,
               WARD_ERR_INTERNAL);
    CHECK_CODE(rec_seal(&d, 0x42, out, 1, 0, out, sizeof out, &len).code, WARD_ERR_INTERNAL);
}

/* change_cipher_spec travels in the clear on either kind of direction. */
static void ccs_passes_through(void)
{
    uint8_t secret[32] = {3};
    rec_dir w, r;
    install_ok(&w, AEAD_AES_128_GCM, HASH_SHA256, secret, 1);
    install_ok(&r, AEAD_AES_128_GCM, HASH_SHA256, secret, 0);
    uint8_t type;
    span p;
    size_t len;

    uint8_t ccs[] = {CT_CHANGE_CIPHER_SPEC, 3, 3, 0, 1, 1};
    CHECK_OK(rec_open(&r, ccs, sizeof ccs, &type, &p));
    CHECK(type == CT_CHANGE_CIPHER_SPEC && p.len == 1 && p.p[0] == 1);
    CHECK(r.seq == 0);

    uint8_t out[64];
    CHECK_OK(rec_seal(&w, CT_CHANGE_CIPHER_SPEC, (const uint8_t *)"\x01", 1, 0, out,
                      sizeof out, &len));
    CHECK(len == sizeof ccs);
    CHECK_MEM(out, ccs, sizeof ccs);
    CHECK(w.seq == 0);

    /* Any other plaintext record on a protected direction is refused. */
    uint8_t hs[] = {CT_HANDSHAKE, 3, 3, 0, 1, 1};
    CHECK_CODE(rec_open(&r, hs, sizeof hs, &type, &p).code, WARD_ERR_UNEXPECTED_MESSAGE);
    uint8_t alert[] = {CT_ALERT, 3, 3, 0, 2, 2, 10};
    CHECK_CODE(rec_open(&r, alert, sizeof alert, &type, &p).code, WARD_ERR_UNEXPECTED_MESSAGE);
    rec_dir_clear(&w);
    rec_dir_clear(&r);
}

/* §5.3: a sequence number never wraps. */
static void sequence_exhaustion(void)
{
    uint8_t secret[32] = {5};
    rec_dir w, r;
    install_ok(&w, AEAD_AES_256_GCM, HASH_SHA256, secret, 1);
    install_ok(&r, AEAD_AES_256_GCM, HASH_SHA256, secret, 0);
    uint8_t out[64], type;
    size_t len;
    span p;

    /* The last usable number works, and both sides agree on the nonce. */
    w.seq = r.seq = UINT64_MAX - 1;
    CHECK_OK(rec_seal(&w, CT_APPLICATION_DATA, (const uint8_t *)"z", 1, 0, out, sizeof out, &len));
    CHECK_OK(rec_open(&r, out, len, &type, &p));
    CHECK(p.len == 1 && p.p[0] == 'z');
    CHECK(w.seq == UINT64_MAX && r.seq == UINT64_MAX);

    CHECK_CODE(rec_seal(&w, CT_APPLICATION_DATA, (const uint8_t *)"z", 1, 0, out, sizeof out,
                        &len).code, WARD_ERR_INTERNAL);
    w.seq = UINT64_MAX - 1;
    CHECK_OK(rec_seal(&w, CT_APPLICATION_DATA, (const uint8_t *)"z", 1, 0, out, sizeof out, &len));
    CHECK_CODE(rec_open(&r, out, len, &type, &p).code, WARD_ERR_INTERNAL);
    rec_dir_clear(&w);
    rec_dir_clear(&r);
}

/* ---- reassembly ---- */

static void reasm_byte_by_byte(void)
{
    size_t n;
    uint8_t *flight = hex(FLIGHT, &n);   /* EE, Certificate, CertificateVerify, Finished */
    static const uint8_t types[] = {8, 11, 15, 20};
    hs_reasm r;
    hs_reasm_init(&r, 1 << 16);
    CHECK(hs_reasm_empty(&r));

    size_t got = 0, at = 0;
    for (size_t i = 0; i < n; i++) {
        CHECK_OK(hs_reasm_add(&r, flight + i, 1));
        int have;
        uint8_t type;
        span body, full;
        CHECK_OK(hs_reasm_next(&r, &have, &type, &body, &full));
        if (!have)
            continue;
        CHECK(got < sizeof types && type == types[got]);
        CHECK(full.len == body.len + 4 && body.p == full.p + 4);
        CHECK(at + full.len == i + 1);
        CHECK_MEM(full.p, flight + at, full.len);
        at += full.len;
        got++;
        hs_reasm_consume(&r);
        CHECK(hs_reasm_empty(&r));
    }
    CHECK(got == 4 && at == n);
    hs_reasm_free(&r);
    free(flight);
}

static void reasm_three_in_one(void)
{
    const uint8_t in[] = {
        1, 0, 0, 2, 'a', 'b',    /* type 1, 2 bytes */
        2, 0, 0, 0,              /* type 2, empty */
        3, 0, 0, 3, 'x', 'y', 'z', /* type 3, 3 bytes */
        4, 0,                    /* start of a fourth */
    };
    hs_reasm r;
    hs_reasm_init(&r, 100);
    CHECK_OK(hs_reasm_add(&r, in, sizeof in));
    CHECK(!hs_reasm_empty(&r));

    int have;
    uint8_t type;
    span body, full;
    CHECK_OK(hs_reasm_next(&r, &have, &type, &body, &full));
    CHECK(have && type == 1 && body.len == 2 && memcmp(body.p, "ab", 2) == 0 && full.len == 6);
    /* Not consumed: the same message again. */
    CHECK_OK(hs_reasm_next(&r, &have, &type, &body, &full));
    CHECK(have && type == 1);
    hs_reasm_consume(&r);
    CHECK_OK(hs_reasm_next(&r, &have, &type, &body, &full));
    CHECK(have && type == 2 && body.len == 0 && full.len == 4);
    hs_reasm_consume(&r);
    CHECK_OK(hs_reasm_next(&r, &have, &type, &body, &full));
    CHECK(have && type == 3 && body.len == 3 && memcmp(body.p, "xyz", 3) == 0);
    hs_reasm_consume(&r);
    CHECK_OK(hs_reasm_next(&r, &have, &type, &body, &full));
    CHECK(!have);
    /* A partial message is still buffered: no key change here (§5.1). */
    CHECK(!hs_reasm_empty(&r));
    hs_reasm_consume(&r);
    CHECK(!hs_reasm_empty(&r));

    const uint8_t rest[] = {0, 1, '!'};
    CHECK_OK(hs_reasm_add(&r, rest, sizeof rest));
    CHECK_OK(hs_reasm_next(&r, &have, &type, &body, &full));
    CHECK(have && type == 4 && body.len == 1 && body.p[0] == '!');
    hs_reasm_consume(&r);
    CHECK(hs_reasm_empty(&r));
    hs_reasm_free(&r);
}

static void reasm_oversize(void)
{
    hs_reasm r;
    int have;
    uint8_t type;
    span body, full;

    /* Refused from the header alone, before the body arrives. */
    hs_reasm_init(&r, 1000);
    const uint8_t big[] = {11, 0x00, 0x03, 0xe9};   /* 1001 */
    CHECK_OK(hs_reasm_add(&r, big, 2));
    CHECK_CODE(hs_reasm_add(&r, big + 2, 2).code, WARD_ERR_DECODE);
    hs_reasm_free(&r);

    /* Also when it follows a complete message in the same add. */
    hs_reasm_init(&r, 1000);
    const uint8_t two[] = {20, 0, 0, 1, 0xff, 11, 0xff, 0xff, 0xff};
    CHECK_CODE(hs_reasm_add(&r, two, sizeof two).code, WARD_ERR_DECODE);
    hs_reasm_free(&r);

    /* Exactly the limit is fine, and may grow the buffer. */
    static uint8_t msg[4 + 1000];
    msg[0] = 11;
    msg[2] = 0x03;
    msg[3] = 0xe8;
    hs_reasm_init(&r, 1000);
    CHECK_OK(hs_reasm_add(&r, msg, 300));
    CHECK_OK(hs_reasm_next(&r, &have, &type, &body, &full));
    CHECK(!have);
    CHECK_OK(hs_reasm_add(&r, msg + 300, sizeof msg - 300));
    CHECK_OK(hs_reasm_next(&r, &have, &type, &body, &full));
    CHECK(have && type == 11 && body.len == 1000);
    hs_reasm_consume(&r);
    CHECK(hs_reasm_empty(&r));
    hs_reasm_free(&r);
    CHECK(r.buf == NULL && r.len == 0);
}

int main(void)
{
    kat_key_schedule();
    kat_plain_server_hello();
    kat_handshake_flight();
    kat_application_data();
    kat_rekey_in_place();
    round_trips();
    full_size();
    bad_inner_plaintexts();
    peek();
    unprotected();
    ccs_passes_through();
    sequence_exhaustion();
    reasm_byte_by_byte();
    reasm_three_in_one();
    reasm_oversize();
    return test_report();
}
