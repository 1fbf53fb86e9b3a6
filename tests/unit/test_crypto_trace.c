/* Known answers from the TLS 1.3 example handshakes in
 * tests/vectors/rfc8448-traces.txt (the "TLS 1.3 Traces" draft):
 * §3 "Simple 1-RTT Handshake" for the key schedule, transcript hash,
 * x25519, record protection and the RSA-PSS CertificateVerify, and the
 * P-256 shares of §5 "HelloRetryRequest". The hex below is copied from
 * that file. */
#include <string.h>

#include "crypto/crypto.h"
#include "testutil.h"

/* clang-format off */
static const char CLIENT_PRIV[] =
    "70a1a8f491e82d530542c6d7a8dcd8cfa9e31f59bb336b550b13bfe199f542c5";

static const char CLIENT_PUB[] =
    "4cfdfcd178b784bf328cae793b136f2aedce005ff183d7bb1495207236647037";

static const char SERVER_PRIV[] =
    "5aa93ea18f4c5e4a39856f573af4ec1503bad0d5cdabaffc26c1ab4c361f86c8";

static const char SERVER_PUB[] =
    "c7bb6bdfc26350b929a08a41a76ddac210b096868d960c4845987dc3a7fa650a";

static const char EARLY_SECRET[] =
    "33ad0a1c607ec03b09e6cd9893680ce210adf300aa1f2660e1b22e10f170f92a";

static const char DERIVED[] =
    "6f2615a108c702c5678f54fc9dbab69716c076189c48250cebeac3576c3611ba";

static const char ECDHE[] =
    "1bea3fdfd25f94033804b68997a55d1931dc51124ad7f6e28959bb4672e3bd13";

static const char HS_SECRET[] =
    "f2c66e28ed535dfb8721b7145ca51c8bc058514f79aa881d0d32cbe1341a2e45";

static const char HS_HASH[] =
    "3d35f3eba0aabf5d9661236e3b5bb938fdc32f409cc27c55499e1f0baa3abd8f";

static const char C_HS_TRAFFIC[] =
    "d7c28b57a857e961b5bf3e1d7b18d02757c4f97acb66a23372e5a7f3d0a71e07";

static const char S_HS_TRAFFIC[] =
    "3031e9c2c26ecc154bc36826e87feeff8f4547df52596747b2dcabf92b18fb59";

static const char MASTER_DERIVED[] =
    "6aac276f77177e737a1fe91dcf0d2ec9cb4fcead8690703a15348b5e5220cafa";

static const char MASTER_SECRET[] =
    "a12970d9b27a3d59b6ecc1530d284073bd745ddc68d994e7a6ee70881b3d6da6";

static const char S_HS_KEY[] =
    "4d15c00e47317fe99c714f8ebd92c4d1";

static const char S_HS_IV[] =
    "18223084735f2f2d8588caaa";

static const char S_FINISHED_KEY[] =
    "2456e4d4c3cc526cad20c011327277e2b8834df514fa50db921101293cc627a8";

static const char S_FINISHED[] =
    "4c92b1b256d861a1830167827d3e288d1a76f03484e9ec886d4ff66149cbec2f";

static const char P256_CLIENT_PRIV[] =
    "137b20ef0ca19c55dc62fcb087dbdcde1503cbea087e99f6894c85efad647e4d";

static const char P256_CLIENT_PUB[] =
    "04a8d6b4fc93bfb595d867814c45689f74708a33714a9340fe795d7958ef47fd"
    "56039baa382032f78d4c4bca4f24f65560b53b1c076be41bcc099856758545a8"
    "98";

static const char P256_SERVER_PUB[] =
    "045d8b37a392a9a1ffc6edddd6a17292dd97e65d56585f78ee7ee926c59e00ea"
    "e233d108a2779fb1f09c29c47709da29592e13054f9d53c1d58d806b36da0a23"
    "37";

static const char P256_ECDHE[] =
    "3188db87f5fedb1a049be816be7d60a83315246fbb7c3f5eafbe534a5ccd32b9";

static const char CLIENT_HELLO[] =
    "010000c003036660261ff947cea49cce6cfad687f457cf1b14531ba14131a0e8"
    "f309a1d0b9c4000006130113031302010000910000000b000900000673657276"
    "6572ff01000100000a00140012001d0017001800190100010101020103010400"
    "230000003300260024001d00204cfdfcd178b784bf328cae793b136f2aedce00"
    "5ff183d7bb1495207236647037002b0003020304000d0020001e040305030603"
    "020308040805080604010501060102010402050206020202002d00020101001c"
    "00024001";

static const char SERVER_HELLO[] =
    "0200005603031274991495cf425857262dde2299342c315afba9b64a87d55251"
    "5614e01b045d00130100002e00330024001d0020c7bb6bdfc26350b929a08a41"
    "a76ddac210b096868d960c4845987dc3a7fa650a002b00020304";

static const char ENCRYPTED_EXTENSIONS[] =
    "080000240022000a00140012001d00170018001901000101010201030104001c"
    "0002400100000000";

static const char CERTIFICATE[] =
    "0b0001b9000001b50001b0308201ac30820115a003020102020102300d06092a"
    "864886f70d01010b0500300e310c300a06035504031303727361301e170d3136"
    "303733303031323335395a170d3236303733303031323335395a300e310c300a"
    "0603550403130372736130819f300d06092a864886f70d010101050003818d00"
    "30818902818100b4bb498f8279303d980836399b36c6988c0c68de55e1bdb826"
    "d3901a2461eafd2de49a91d015abbc9a95137ace6c1af19eaa6af98c7ced4312"
    "0998e187a80ee0ccb0524b1b018c3e0b63264d449a6d38e22a5fda4308467480"
    "30530ef0461c8ca9d9efbfae8ea6d1d03e2bd193eff0ab9a8002c47428a6d35a"
    "8d88d79f7f1e3f0203010001a31a301830090603551d1304023000300b060355"
    "1d0f0404030205a0300d06092a864886f70d01010b05000381810085aad2a0e5"
    "b9276b908c65f73a7267170618a54c5f8a7b337d2df7a594365417f2eae8f8a5"
    "8c8f8172f9319cf36b7fd6c55b80f21a03015156726096fd335e5e67f2dbf102"
    "702e608ccae6bec1fc63a42a99be5c3eb7107c3c54e9b9eb2bd5203b1c3b84e0"
    "a8b2f759409ba3eac9d91d402dcc0cc8f8961229ac9187b42b4de10000";

static const char CERTIFICATE_VERIFY[] =
    "0f00008408040080ace0af8e87d7c63cc9dbe7dcc12ff83bd55df0ccda9bf4e5"
    "a0f70100d9bc4d25aa684fd9d347642c942222526e163e3b0fba312b10e9b67e"
    "b0ac9c2be5fef490f81d7827e3bc12fa027ab439e71cc8459c14b94a8f3506ec"
    "44547d6c23e19cc7f9d5e0d1f595108fc240f5b0842c485a321487c4950377a5"
    "2e917294715567cd";

static const char HS_PAYLOAD[] =
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

static const char HS_RECORD[] =
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
/* clang-format on */

/* Decode a constant; the size is checked against what the trace says. */
static size_t unhex(const char *hex, uint8_t *out, size_t cap)
{
    long n = hex_decode(hex, out, cap);
    CHECK(n >= 0);
    return n < 0 ? 0 : (size_t)n;
}

static void check_hex(const uint8_t *got, const char *want_hex, size_t n)
{
    uint8_t want[1024];
    CHECK(unhex(want_hex, want, sizeof want) == n);
    CHECK_MEM(got, want, n);
}

/* RFC 8446 §7.1 Derive-Secret with an explicit transcript hash. */
static void derive_secret(const uint8_t *secret, const char *label, const uint8_t *hash,
                          uint8_t out[32])
{
    CHECK_OK(crypto_hkdf_expand_label(HASH_SHA256, secret, label, hash, 32, out, 32));
}

static void key_schedule(void)
{
    uint8_t zeros[32] = {0}, empty_hash[32], early[32], derived[32], ikm[32], hs[32];
    uint8_t hs_hash[32], c_hs[32], s_hs[32], mderived[32], master[32];

    CHECK_OK(crypto_hkdf_extract(HASH_SHA256, NULL, 0, zeros, 32, early));
    check_hex(early, EARLY_SECRET, 32);

    CHECK_OK(crypto_sha256(NULL, 0, empty_hash));
    derive_secret(early, "derived", empty_hash, derived);
    check_hex(derived, DERIVED, 32);

    CHECK(unhex(ECDHE, ikm, sizeof ikm) == 32);
    CHECK_OK(crypto_hkdf_extract(HASH_SHA256, derived, 32, ikm, 32, hs));
    check_hex(hs, HS_SECRET, 32);

    CHECK(unhex(HS_HASH, hs_hash, sizeof hs_hash) == 32);
    derive_secret(hs, "c hs traffic", hs_hash, c_hs);
    check_hex(c_hs, C_HS_TRAFFIC, 32);
    derive_secret(hs, "s hs traffic", hs_hash, s_hs);
    check_hex(s_hs, S_HS_TRAFFIC, 32);

    derive_secret(hs, "derived", empty_hash, mderived);
    check_hex(mderived, MASTER_DERIVED, 32);
    CHECK_OK(crypto_hkdf_extract(HASH_SHA256, mderived, 32, zeros, 32, master));
    check_hex(master, MASTER_SECRET, 32);
}

/* §7.3 traffic key and IV, and the Finished key (§4.4.4). */
static void traffic_keys(void)
{
    uint8_t s_hs[32], key[16], iv[12], fin[32];
    CHECK(unhex(S_HS_TRAFFIC, s_hs, sizeof s_hs) == 32);
    CHECK_OK(crypto_hkdf_expand_label(HASH_SHA256, s_hs, "key", NULL, 0, key, 16));
    check_hex(key, S_HS_KEY, 16);
    CHECK_OK(crypto_hkdf_expand_label(HASH_SHA256, s_hs, "iv", NULL, 0, iv, 12));
    check_hex(iv, S_HS_IV, 12);
    CHECK_OK(crypto_hkdf_expand_label(HASH_SHA256, s_hs, "finished", NULL, 0, fin, 32));
    check_hex(fin, S_FINISHED_KEY, 32);

    /* In place, as a KeyUpdate would use it: same answer. */
    uint8_t inplace[32];
    memcpy(inplace, s_hs, 32);
    CHECK_OK(crypto_hkdf_expand_label(HASH_SHA256, inplace, "finished", NULL, 0, inplace, 32));
    CHECK_MEM(inplace, fin, 32);
}

static size_t add_msg(crypto_hash *h, const char *hex, uint8_t *buf, size_t cap)
{
    size_t n = unhex(hex, buf, cap);
    CHECK_OK(crypto_hash_update(h, buf, n));
    return n;
}

/* The running transcript hash, peeked at twice, and the server Finished. */
static void transcript_and_finished(void)
{
    static uint8_t all[2048];
    size_t len = 0;
    uint8_t digest[32], oneshot[32], fin_key[32], verify_data[32];
    crypto_hash h = {0};
    CHECK_OK(crypto_hash_init(&h, HASH_SHA256));
    len += add_msg(&h, CLIENT_HELLO, all + len, sizeof all - len);
    len += add_msg(&h, SERVER_HELLO, all + len, sizeof all - len);
    CHECK_OK(crypto_hash_peek(&h, digest));
    check_hex(digest, HS_HASH, 32);
    CHECK_OK(crypto_sha256(all, len, oneshot));
    CHECK_MEM(oneshot, digest, 32);

    len += add_msg(&h, ENCRYPTED_EXTENSIONS, all + len, sizeof all - len);
    len += add_msg(&h, CERTIFICATE, all + len, sizeof all - len);
    len += add_msg(&h, CERTIFICATE_VERIFY, all + len, sizeof all - len);
    CHECK_OK(crypto_hash_peek(&h, digest));
    CHECK_OK(crypto_hash_oneshot(HASH_SHA256, all, len, oneshot));
    CHECK_MEM(oneshot, digest, 32);

    CHECK(unhex(S_FINISHED_KEY, fin_key, sizeof fin_key) == 32);
    CHECK_OK(crypto_hmac(HASH_SHA256, fin_key, 32, digest, 32, verify_data));
    check_hex(verify_data, S_FINISHED, 32);
    crypto_hash_free(&h);
    crypto_hash_free(&h); /* idempotent */
}

static void x25519_trace(void)
{
    uint8_t cpriv[32], spriv[32], pub[CRYPTO_MAX_KEX_PUB], ss1[32], ss2[32], peer[32];
    size_t publen = 0, n1 = 0, n2 = 0;
    crypto_kex c = {0}, s = {0};
    CHECK(unhex(CLIENT_PRIV, cpriv, 32) == 32 && unhex(SERVER_PRIV, spriv, 32) == 32);

    CHECK_OK(crypto_kex_from_private(&c, WARD_GROUP_X25519, cpriv, 32, pub, sizeof pub, &publen));
    CHECK(publen == 32);
    check_hex(pub, CLIENT_PUB, 32);
    CHECK_OK(crypto_kex_from_private(&s, WARD_GROUP_X25519, spriv, 32, pub, sizeof pub, &publen));
    check_hex(pub, SERVER_PUB, 32);

    CHECK(unhex(SERVER_PUB, peer, 32) == 32);
    CHECK_OK(crypto_kex_derive(&c, peer, 32, ss1, sizeof ss1, &n1));
    CHECK(unhex(CLIENT_PUB, peer, 32) == 32);
    CHECK_OK(crypto_kex_derive(&s, peer, 32, ss2, sizeof ss2, &n2));
    CHECK(n1 == 32 && n2 == 32);
    check_hex(ss1, ECDHE, 32);
    CHECK_MEM(ss2, ss1, 32);
    crypto_kex_free(&c);
    crypto_kex_free(&s);
}

static void p256_trace(void)
{
    uint8_t priv[32], pub[CRYPTO_MAX_KEX_PUB], peer[65], ss[CRYPTO_MAX_KEX_SECRET];
    size_t publen = 0, sslen = 0;
    crypto_kex c = {0};
    CHECK(unhex(P256_CLIENT_PRIV, priv, sizeof priv) == 32);
    CHECK_OK(crypto_kex_from_private(&c, WARD_GROUP_SECP256R1, priv, 32, pub, sizeof pub,
                                     &publen));
    CHECK(publen == 65);
    check_hex(pub, P256_CLIENT_PUB, 65);
    CHECK(unhex(P256_SERVER_PUB, peer, sizeof peer) == 65);
    CHECK_OK(crypto_kex_derive(&c, peer, 65, ss, sizeof ss, &sslen));
    CHECK(sslen == 32);
    check_hex(ss, P256_ECDHE, 32);
    crypto_kex_free(&c);
}

/* The server's first encrypted record: EE..Finished under the server
 * handshake key, sequence number 0 (so the nonce is the IV), AAD = the
 * record header, inner plaintext = payload || content type 22. */
static void record_protection(void)
{
    static uint8_t record[1024], inner[1024], buf[1024];
    uint8_t key[16], iv[12];
    CHECK(unhex(S_HS_KEY, key, 16) == 16 && unhex(S_HS_IV, iv, 12) == 12);
    size_t reclen = unhex(HS_RECORD, record, sizeof record);
    size_t n = unhex(HS_PAYLOAD, inner, sizeof inner);
    inner[n++] = 22;
    CHECK(reclen == 5 + n + CRYPTO_AEAD_TAG);

    crypto_aead seal = {0}, open = {0};
    CHECK_OK(crypto_aead_init(&seal, AEAD_AES_128_GCM, key, 1));
    CHECK_OK(crypto_aead_init(&open, AEAD_AES_128_GCM, key, 0));
    CHECK_OK(crypto_aead_seal(&seal, iv, record, 5, inner, n, buf));
    CHECK_MEM(buf, record + 5, n + CRYPTO_AEAD_TAG);

    memcpy(buf, record + 5, reclen - 5);
    CHECK_OK(crypto_aead_open(&open, iv, record, 5, buf, reclen - 5, buf));
    CHECK_MEM(buf, inner, n);
    crypto_aead_free(&seal);
    crypto_aead_free(&open);
}

/* The server's CertificateVerify (rsa_pss_rsae_sha256) over CH..Certificate,
 * checked with the public key of the certificate it sent (§4.4.3). */
static void certificate_verify(void)
{
    static uint8_t all[2048], cert_msg[1024], cv[256];
    size_t len = 0;
    len += unhex(CLIENT_HELLO, all + len, sizeof all - len);
    len += unhex(SERVER_HELLO, all + len, sizeof all - len);
    len += unhex(ENCRYPTED_EXTENSIONS, all + len, sizeof all - len);
    size_t cmlen = unhex(CERTIFICATE, cert_msg, sizeof cert_msg);
    memcpy(all + len, cert_msg, cmlen);
    len += cmlen;
    size_t cvlen = unhex(CERTIFICATE_VERIFY, cv, sizeof cv);

    /* Certificate: type(1) len(3) context<0>(1) list(3) cert_data<3> ... */
    size_t der_len = (size_t)cert_msg[8] << 16 | (size_t)cert_msg[9] << 8 | cert_msg[10];
    const uint8_t *der = cert_msg + 11;
    CHECK(der_len == 432);
    /* CertificateVerify: type(1) len(3) scheme(2) signature<2> */
    uint16_t scheme = (uint16_t)(cv[4] << 8 | cv[5]);
    size_t siglen = (size_t)cv[6] << 8 | cv[7];
    CHECK(scheme == 0x0804 && 8 + siglen == cvlen);

    uint8_t content[64 + 34 + 32];
    memset(content, 0x20, 64);
    memcpy(content + 64, "TLS 1.3, server CertificateVerify", 34); /* with the 0 byte */
    CHECK_OK(crypto_sha256(all, len, content + 98));

    crypto_key k = {0};
    CHECK_OK(crypto_key_from_cert(&k, der, der_len));
    CHECK(crypto_key_bits(&k) == 1024);
    CHECK(crypto_key_can_sign_tls13(&k, 0x0804));
    CHECK(!crypto_key_can_sign_tls13(&k, 0x0809));
    CHECK(!crypto_key_can_sign_tls13(&k, 0x0401));
    /* 1024-bit RSA is too small for PSS with SHA-512 (needs 130 bytes). */
    CHECK(!crypto_key_can_sign_tls13(&k, 0x0806));
    CHECK_OK(crypto_verify(&k, scheme, content, sizeof content, cv + 8, siglen));
    content[100] ^= 1;
    CHECK_CODE(crypto_verify(&k, scheme, content, sizeof content, cv + 8, siglen).code,
               WARD_ERR_DECRYPT_ERROR);
    CHECK_CODE(crypto_verify(&k, 0x0403, content, sizeof content, cv + 8, siglen).code,
               WARD_ERR_ILLEGAL_PARAMETER);
    crypto_key_free(&k);
}

int main(void)
{
    key_schedule();
    traffic_keys();
    transcript_and_finished();
    x25519_trace();
    p256_trace();
    record_protection();
    certificate_verify();
    return test_report();
}
