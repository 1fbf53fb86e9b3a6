/* libFuzzer target: ML-KEM-768 and ML-KEM-1024 (src/crypto/mlkem.c) on
 * inputs the fuzzer chooses, with properties checked, not just crashes.
 *
 * Byte 0 picks the parameter set (bit 0: 768 or 1024) and the mode (bit 1).
 *
 * Mode 0, decapsulation of a tampered ciphertext: the next 96 bytes are d,
 * z and m (zero-padded); the key pair comes from (d, z), the ciphertext
 * from Encaps(ek, m), and the rest of the input is XORed into the
 * ciphertext from its start. Decaps must give the encapsulated key when
 * nothing changed, and otherwise the implicit-rejection key J(z || c'),
 * computed here with libcrypto's SHAKE-256: a changed ciphertext that
 * still decapsulated to a real key would be a second valid encryption,
 * which must not be findable.
 *
 * Mode 1, encapsulation to a chosen key: the rest of the input is ek
 * (zero-padded, truncated). Encaps must refuse it with illegal_parameter
 * exactly when some 12-bit coefficient is >= q (FIPS 203 §7.2), decided
 * here independently of mlkem.c's decoder. */
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "crypto/mlkem.h"
#include "ward/ward.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t ek[MLKEM_MAX_EK_BYTES], dk[MLKEM_MAX_DK_BYTES], ct[MLKEM_MAX_CT_BYTES];

/* J(z || c) = SHAKE-256(z || c), 32 bytes. */
static void implicit_key(const uint8_t z[32], const uint8_t *c, size_t n, uint8_t out[32])
{
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    if (!md || EVP_DigestInit_ex(md, EVP_shake256(), NULL) != 1 ||
        EVP_DigestUpdate(md, z, 32) != 1 || EVP_DigestUpdate(md, c, n) != 1 ||
        EVP_DigestFinalXOF(md, out, 32) != 1)
        abort();
    EVP_MD_CTX_free(md);
}

static void decaps_tampered(mlkem_set set, const uint8_t *in, size_t n)
{
    uint8_t seeds[96] = {0}, ss[32], got[32], want[32];
    size_t used = n < 96 ? n : 96;
    memcpy(seeds, in, used);
    in += used;
    n -= used;
    const size_t ctlen = mlkem_ct_bytes(set);
    if (!wres_is_ok(mlkem_keygen_internal(set, seeds, seeds + 32, ek, dk)) ||
        !wres_is_ok(mlkem_encaps_internal(set, ek, seeds + 64, ct, ss)))
        abort();
    uint8_t changed = 0;
    for (size_t i = 0; i < n && i < ctlen; i++) {
        ct[i] ^= in[i];
        changed |= in[i];
    }
    if (!wres_is_ok(mlkem_decaps(set, dk, ct, got)))
        abort();
    if (changed)
        implicit_key(seeds + 32, ct, ctlen, want);
    else
        memcpy(want, ss, 32);
    if (memcmp(got, want, 32) != 0)
        abort();
}

/* 1 if every 12-bit little-endian value in the first 384k bytes is < q. */
static int reduced(const uint8_t *key, size_t polys)
{
    for (size_t i = 0; i + 3 <= polys * 384; i += 3) {
        unsigned a = key[i] | (unsigned)(key[i + 1] & 0x0f) << 8;
        unsigned b = (unsigned)(key[i + 1] >> 4) | (unsigned)key[i + 2] << 4;
        if (a >= 3329 || b >= 3329)
            return 0;
    }
    return 1;
}

static void encaps_chosen(mlkem_set set, const uint8_t *in, size_t n)
{
    const size_t eklen = mlkem_ek_bytes(set);
    uint8_t m[32] = {7}, ss[32];
    memset(ek, 0, eklen);
    memcpy(ek, in, n < eklen ? n : eklen);
    const int valid = reduced(ek, (size_t)set);
    wres r = mlkem_encaps_internal(set, ek, m, ct, ss);
    if (valid != mlkem_ek_valid(set, ek) ||
        (valid ? !wres_is_ok(r) : r.code != WARD_ERR_ILLEGAL_PARAMETER))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    const mlkem_set set = data[0] & 1 ? MLKEM_1024 : MLKEM_768;
    if (data[0] & 2)
        encaps_chosen(set, data + 1, size - 1);
    else
        decaps_tampered(set, data + 1, size - 1);
    return 0;
}
