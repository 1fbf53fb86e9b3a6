/* Prints ward's ML-KEM results for fixed seeds, for xcheck.mjs to compare
 * with an independent FIPS 203 implementation (@noble/post-quantum).
 *
 *   mlkem_vectors COUNT
 *
 * For each parameter set (768, then 1024) and each i < COUNT, one line of
 * space-separated fields, byte strings in hex:
 *
 *   SET d z m ek dk ct ss badct rej
 *
 * d, z, m: the seeds (KeyGen_internal's d and z, Encaps_internal's m),
 * SHAKE-128("ward pq-xcheck" || SET (2 bytes, big endian) || i (4 bytes))
 * cut into three, except that case 0 has all-zero seeds and case 1 all-0xff;
 * ek, dk: ML-KEM.KeyGen_internal(d, z); ct, ss: ML-KEM.Encaps_internal(ek,
 * m); badct: ct with one bit flipped (byte i mod |ct|, bit i mod 8); rej:
 * ML-KEM.Decaps(dk, badct), the implicit-rejection key J(z || badct).
 * The program also checks Decaps(dk, ct) == ss itself. Exit status 0, or 1
 * with a message on stderr. */
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/mlkem.h"

static void put_hex(const uint8_t *p, size_t n)
{
    putchar(' ');
    for (size_t i = 0; i < n; i++)
        printf("%02x", p[i]);
}

static int seeds(unsigned set, unsigned i, uint8_t out[96])
{
    if (i < 2) {
        memset(out, i == 0 ? 0x00 : 0xff, 96);
        return 1;
    }
    static const char label[] = "ward pq-xcheck";
    uint8_t tail[6] = {(uint8_t)(set >> 8), (uint8_t)set, (uint8_t)(i >> 24), (uint8_t)(i >> 16),
                       (uint8_t)(i >> 8), (uint8_t)i};
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    int ok = md && EVP_DigestInit_ex(md, EVP_shake128(), NULL) == 1 &&
             EVP_DigestUpdate(md, label, sizeof label - 1) == 1 &&
             EVP_DigestUpdate(md, tail, sizeof tail) == 1 &&
             EVP_DigestFinalXOF(md, out, 96) == 1;
    EVP_MD_CTX_free(md);
    return ok;
}

static int one_case(mlkem_set set, unsigned bits, unsigned i)
{
    static uint8_t ek[MLKEM_MAX_EK_BYTES], dk[MLKEM_MAX_DK_BYTES], ct[MLKEM_MAX_CT_BYTES];
    static uint8_t bad[MLKEM_MAX_CT_BYTES];
    const size_t eklen = mlkem_ek_bytes(set), dklen = mlkem_dk_bytes(set);
    const size_t ctlen = mlkem_ct_bytes(set);
    uint8_t s[96], ss[32], ss2[32], rej[32];
    if (!seeds(bits, i, s) || !wres_is_ok(mlkem_keygen_internal(set, s, s + 32, ek, dk)) ||
        !wres_is_ok(mlkem_encaps_internal(set, ek, s + 64, ct, ss)) ||
        !wres_is_ok(mlkem_decaps(set, dk, ct, ss2))) {
        fprintf(stderr, "mlkem_vectors: ML-KEM-%u case %u: ward failed\n", bits, i);
        return 0;
    }
    if (memcmp(ss, ss2, 32) != 0) {
        fprintf(stderr, "mlkem_vectors: ML-KEM-%u case %u: Decaps(Encaps) differs\n", bits, i);
        return 0;
    }
    memcpy(bad, ct, ctlen);
    bad[i % ctlen] ^= (uint8_t)(1u << (i % 8));
    if (!wres_is_ok(mlkem_decaps(set, dk, bad, rej))) {
        fprintf(stderr, "mlkem_vectors: ML-KEM-%u case %u: Decaps(bad) failed\n", bits, i);
        return 0;
    }
    printf("%u", bits);
    put_hex(s, 32);
    put_hex(s + 32, 32);
    put_hex(s + 64, 32);
    put_hex(ek, eklen);
    put_hex(dk, dklen);
    put_hex(ct, ctlen);
    put_hex(ss, 32);
    put_hex(bad, ctlen);
    put_hex(rej, 32);
    putchar('\n');
    return 1;
}

int main(int argc, char **argv)
{
    long count = argc == 2 ? strtol(argv[1], NULL, 10) : 0;
    if (count < 1 || count > 100000) {
        fprintf(stderr, "usage: mlkem_vectors COUNT (1..100000)\n");
        return 1;
    }
    const struct {
        mlkem_set set;
        unsigned bits;
    } sets[] = {{MLKEM_768, 768}, {MLKEM_1024, 1024}};
    for (size_t k = 0; k < 2; k++)
        for (unsigned i = 0; i < (unsigned)count; i++)
            if (!one_case(sets[k].set, sets[k].bits, i))
                return 1;
    return fflush(stdout) == 0 ? 0 : 1;
}
