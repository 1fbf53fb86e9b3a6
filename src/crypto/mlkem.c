/* ML-KEM-768 and ML-KEM-1024, as specified in FIPS 203 (August 2024).
 * Algorithm numbers in the comments are the standard's.
 *
 * Parameter sets (§8). The two differ only in the module rank k (3 or 4)
 * and the ciphertext compression (du, dv) = (10, 4) or (11, 5); η1 = η2 = 2
 * in both. The code below is one implementation over k: loops run to the
 * set's k, arrays are sized for k = 4, and the polynomial arithmetic, the
 * NTT and the hashes do not depend on k at all.
 *
 * Representation. A polynomial is 256 coefficients, each a uint16_t kept
 * fully reduced in [0, q). Products go through Barrett reduction (a
 * multiplication and a shift: no division anywhere, on secrets or not), and
 * "subtract q if at least q" is done with a mask, never a branch. Clarity
 * over speed: there are no lazy reductions, no Montgomery domain and no
 * vector code, so every intermediate value is the standard's own and can be
 * compared with the C2SP step-by-step vectors.
 *
 * Constant time. What depends on secrets (d, z, m, the decapsulation key, the
 * decrypted message) only flows through arithmetic, shifts and masks. The
 * public inputs may steer control flow: the rejection sampling of the matrix
 * (from ρ, which is published in ek), the encapsulation-key modulus check,
 * the lengths. Decaps compares the re-encryption with the ciphertext over
 * all its bytes and picks the key with a mask (implicit rejection).
 *
 * Hashes. H = SHA3-256, G = SHA3-512, J = SHAKE-256 (32 bytes), PRF =
 * SHAKE-256, XOF = SHAKE-128, all through EVP with the algorithm objects
 * fetched once per process (fetch.c). OpenSSL 3.0 can squeeze a SHAKE only
 * once (EVP_DigestSqueeze came in 3.3), so SampleNTT asks for a fixed length
 * and, in the rare case that is not enough, hashes again for a longer output
 * of which the first part is the same (see sample_ntt). */
#include "crypto/mlkem.h"

#include <string.h>

#include "base/mem.h"
#include "crypto/crypto_int.h"

/* Constant-time validation under valgrind (tests/unit/test_mlkem_ct.c): the
 * test marks secrets "undefined" and valgrind reports any branch on them. A
 * value that the algorithm itself publishes although it is derived from a
 * secret (ρ: it is part of ek) is declassified where it is made, so the
 * rejection sampling on it is not reported. Outside valgrind this is a
 * handful of instructions that do nothing. */
#if defined(__has_include)
#if __has_include(<valgrind/memcheck.h>)
#include <valgrind/memcheck.h>
#define MLKEM_DECLASSIFY(p, n) ((void)VALGRIND_MAKE_MEM_DEFINED((p), (n)))
#endif
#endif
#ifndef MLKEM_DECLASSIFY
#define MLKEM_DECLASSIFY(p, n) ((void)(p), (void)(n))
#endif

/* ---- parameters (§8) ---- */
#define Q 3329
#define N 256
#define KMAX 4 /* ML-KEM-1024; arrays are sized for it */
#define ETA1 2
#define ETA2 2

#define POLY_BYTES 384               /* ByteEncode12 of one polynomial */
#define PRF_BYTES (64 * ETA1)        /* 128; η1 = η2 = 2 in both sets */

_Static_assert(ETA1 == 2 && ETA2 == 2, "sample_cbd is written for η = 2");

/* One parameter set, and the sizes that follow from it. */
typedef struct {
    unsigned k, du, dv;
    size_t vec;    /* k·384: ByteEncode12 of t̂ or ŝ */
    size_t c1;     /* k·32·du */
    size_t ek, dk, ct;
    /* offsets in dk = dkPKE || ek || H(ek) || z (Algorithm 16) */
    size_t dk_ek, dk_h, dk_z;
} mlkem_params;

#define PARAMS(K_, DU_, DV_)                                                                  \
    {                                                                                         \
        K_, DU_, DV_, K_ * POLY_BYTES, K_ * 32 * DU_, K_ * POLY_BYTES + 32,                   \
            2 * K_ * POLY_BYTES + 96, 32 * (K_ * DU_ + DV_), K_ * POLY_BYTES,                 \
            2 * K_ * POLY_BYTES + 32, 2 * K_ * POLY_BYTES + 64                                \
    }
static const mlkem_params PARAMS_768 = PARAMS(3, 10, 4);
static const mlkem_params PARAMS_1024 = PARAMS(4, 11, 5);

_Static_assert(MLKEM768_EK_BYTES == 3 * POLY_BYTES + 32, "ek size");
_Static_assert(MLKEM768_DK_BYTES == 2 * 3 * POLY_BYTES + 96, "dk size");
_Static_assert(MLKEM768_CT_BYTES == 32 * (3 * 10 + 4), "ct size");
_Static_assert(MLKEM1024_EK_BYTES == 4 * POLY_BYTES + 32, "ek size");
_Static_assert(MLKEM1024_DK_BYTES == 2 * 4 * POLY_BYTES + 96, "dk size");
_Static_assert(MLKEM1024_CT_BYTES == 32 * (4 * 11 + 5), "ct size");
_Static_assert(MLKEM_MAX_CT_BYTES == MLKEM1024_CT_BYTES, "largest set");

/* The set's parameters, or NULL for a value that is not a set. */
static const mlkem_params *params_of(mlkem_set set)
{
    switch (set) {
    case MLKEM_768: return &PARAMS_768;
    case MLKEM_1024: return &PARAMS_1024;
    }
    return NULL;
}

size_t mlkem_ek_bytes(mlkem_set set) { return params_of(set) ? params_of(set)->ek : 0; }
size_t mlkem_dk_bytes(mlkem_set set) { return params_of(set) ? params_of(set)->dk : 0; }
size_t mlkem_ct_bytes(mlkem_set set) { return params_of(set) ? params_of(set)->ct : 0; }

typedef struct {
    uint16_t c[N]; /* in [0, q) */
} poly;

/* ζ^BitRev7(i) mod q for i = 0..127, ζ = 17 (the NTT's twiddle factors,
 * Algorithms 9 and 10). */
static const uint16_t ZETAS[128] = {
       1, 1729, 2580, 3289, 2642,  630, 1897,  848, 1062, 1919,  193,  797,
    2786, 3260,  569, 1746,  296, 2447, 1339, 1476, 3046,   56, 2240, 1333,
    1426, 2094,  535, 2882, 2393, 2879, 1974,  821,  289,  331, 3253, 1756,
    1197, 2304, 2277, 2055,  650, 1977, 2513,  632, 2865,   33, 1320, 1915,
    2319, 1435,  807,  452, 1438, 2868, 1534, 2402, 2647, 2617, 1481,  648,
    2474, 3110, 1227,  910,   17, 2761,  583, 2649, 1637,  723, 2288, 1100,
    1409, 2662, 3281,  233,  756, 2156, 3015, 3050, 1703, 1651, 2789, 1789,
    1847,  952, 1461, 2687,  939, 2308, 2437, 2388,  733, 2337,  268,  641,
    1584, 2298, 2037, 3220,  375, 2549, 2090, 1645, 1063,  319, 2773,  757,
    2099,  561, 2466, 2594, 2804, 1092,  403, 1026, 1143, 2150, 2775,  886,
    1722, 1212, 1874, 1029, 2110, 2935,  885, 2154,
};

/* ζ^(2·BitRev7(i)+1) mod q for i = 0..127 (BaseCaseMultiply, Algorithm 11). */
static const uint16_t GAMMAS[128] = {
      17, 3312, 2761,  568,  583, 2746, 2649,  680, 1637, 1692,  723, 2606,
    2288, 1041, 1100, 2229, 1409, 1920, 2662,  667, 3281,   48,  233, 3096,
     756, 2573, 2156, 1173, 3015,  314, 3050,  279, 1703, 1626, 1651, 1678,
    2789,  540, 1789, 1540, 1847, 1482,  952, 2377, 1461, 1868, 2687,  642,
     939, 2390, 2308, 1021, 2437,  892, 2388,  941,  733, 2596, 2337,  992,
     268, 3061,  641, 2688, 1584, 1745, 2298, 1031, 2037, 1292, 3220,  109,
     375, 2954, 2549,  780, 2090, 1239, 1645, 1684, 1063, 2266,  319, 3010,
    2773,  556,  757, 2572, 2099, 1230,  561, 2768, 2466,  863, 2594,  735,
    2804,  525, 1092, 2237,  403, 2926, 1026, 2303, 1143, 2186, 2150, 1179,
    2775,  554,  886, 2443, 1722, 1607, 1212, 2117, 1874, 1455, 1029, 2300,
    2110, 1219, 2935,  394,  885, 2444, 2154, 1175,
};

#define INV128 3303 /* 128^-1 mod q, the final scaling of Algorithm 10 */

/* ---- field arithmetic in Z_q, branch-free ---- */

/* The compiler cannot see through this, so a mask stays a mask and is not
 * turned back into a branch. */
static uint32_t value_barrier(uint32_t x)
{
    __asm__("" : "+r"(x));
    return x;
}

/* a mod q for a < 2q. */
static uint16_t fe_reduce_once(uint32_t a)
{
    uint32_t x = a - Q;                /* wraps (top bit set) when a < q */
    x += (0u - (x >> 31)) & Q;          /* add q back exactly then */
    return (uint16_t)x;
}

/* Barrett: for a < 2^24, floor(a * 5039 / 2^24) (5039 = floor(2^24 / q))
 * is floor(a / q) or one less, since the estimate's error a * (2^24/q -
 * 5039) / 2^24 stays below 1. */
static uint32_t barrett_quotient(uint32_t a) { return (uint32_t)(((uint64_t)a * 5039) >> 24); }

/* a mod q for a < 2^24 (every product of two field elements is < q^2 < 2^24). */
static uint16_t fe_reduce(uint32_t a) { return fe_reduce_once(a - barrett_quotient(a) * Q); }

/* floor(a / q) for a < 2^24, without a division instruction (KyberSlash):
 * the Barrett estimate, plus one where the remainder is still >= q. */
static uint32_t div_q(uint32_t a)
{
    uint32_t quot = barrett_quotient(a);
    uint32_t rem = a - quot * Q;        /* in [0, 2q) */
    return quot + ((Q - 1 - rem) >> 31); /* +1 exactly when rem >= q */
}

static uint16_t fe_add(uint16_t a, uint16_t b) { return fe_reduce_once((uint32_t)a + b); }
static uint16_t fe_sub(uint16_t a, uint16_t b) { return fe_reduce_once((uint32_t)a + Q - b); }
static uint16_t fe_mul(uint16_t a, uint16_t b) { return fe_reduce((uint32_t)a * b); }

/* Compress_d (§4.2.1): round(2^d / q * x) mod 2^d. With q odd there is no
 * tie, so the rounding is floor((2^d x + (q-1)/2) / q). */
static uint16_t compress(uint16_t x, unsigned d)
{
    return (uint16_t)(div_q(((uint32_t)x << d) + (Q - 1) / 2) & ((1u << d) - 1));
}

/* Decompress_d (§4.2.1): round(q / 2^d * y), ties up. */
static uint16_t decompress(uint16_t y, unsigned d)
{
    return (uint16_t)(((uint32_t)y * Q + (1u << (d - 1))) >> d);
}

/* ---- encoding (§4.2.1) ---- */

/* Algorithm 5 ByteEncode_d: 256 d-bit integers, little-endian bit order,
 * into 32·d bytes. */
static void byte_encode(uint8_t *out, const uint16_t *f, unsigned d)
{
    uint32_t acc = 0;
    unsigned bits = 0;
    for (size_t i = 0; i < N; i++) {
        acc |= (uint32_t)f[i] << bits;
        bits += d;
        while (bits >= 8) {
            *out++ = (uint8_t)acc;
            acc >>= 8;
            bits -= 8;
        }
    }
}

/* Algorithm 6 ByteDecode_d: 32·d bytes into 256 d-bit integers. For d = 12
 * the values are not yet reduced mod q; callers do that (or check it). */
static void byte_decode(uint16_t *f, const uint8_t *in, unsigned d)
{
    uint32_t acc = 0;
    unsigned bits = 0;
    for (size_t i = 0; i < N; i++) {
        while (bits < d) {
            acc |= (uint32_t)*in++ << bits;
            bits += 8;
        }
        f[i] = (uint16_t)(acc & ((1u << d) - 1));
        acc >>= d;
        bits -= d;
    }
}

/* ByteDecode12 followed by the reduction mod q (a 12-bit value is < 2q). */
static void poly_decode12(poly *f, const uint8_t in[POLY_BYTES])
{
    byte_decode(f->c, in, 12);
    for (size_t i = 0; i < N; i++)
        f->c[i] = fe_reduce_once(f->c[i]);
}

static void vec_encode12(uint8_t *out, const poly *v, size_t count)
{
    for (size_t i = 0; i < count; i++)
        byte_encode(out + i * POLY_BYTES, v[i].c, 12);
}

/* ---- the hash functions (§4.1), through EVP ---- */

typedef struct {
    EVP_MD_CTX *md;
    const crypto_algs *algs;
    const mlkem_params *p;
    int failed; /* sticky: some libcrypto call failed; the result is void */
    const mlkem_trace *trace;
} mlkem_ctx;

static WARD_MUST_CHECK wres ctx_init(mlkem_ctx *c, const mlkem_params *p, const mlkem_trace *trace)
{
    c->p = p;
    c->algs = crypto_algs_get();
    c->failed = 0;
    c->trace = trace;
    c->md = NULL;
    if (!c->algs->sha3_256 || !c->algs->sha3_512 || !c->algs->shake128 || !c->algs->shake256)
        return crypto_fail(WARD_ERR_INTERNAL);
    c->md = EVP_MD_CTX_new();
    if (!c->md)
        return crypto_fail(WARD_ERR_INTERNAL);
    return wres_ok();
}

/* Free the context; WARD_ERR_INTERNAL if anything failed on the way. */
static WARD_MUST_CHECK wres ctx_finish(mlkem_ctx *c)
{
    EVP_MD_CTX_free(c->md); /* the provider wipes the Keccak state */
    c->md = NULL;
    return c->failed ? crypto_fail(WARD_ERR_INTERNAL) : wres_ok();
}

/* out = md(a || b), outlen bytes (for the XOFs, any length). */
static void hash2(mlkem_ctx *c, const EVP_MD *md, int xof, const uint8_t *a, size_t alen,
                  const uint8_t *b, size_t blen, uint8_t *out, size_t outlen)
{
    if (c->failed || EVP_DigestInit_ex2(c->md, md, NULL) != 1 ||
        EVP_DigestUpdate(c->md, a, alen) != 1 || (blen && EVP_DigestUpdate(c->md, b, blen) != 1) ||
        (xof ? EVP_DigestFinalXOF(c->md, out, outlen) : EVP_DigestFinal_ex(c->md, out, NULL)) !=
            1) {
        c->failed = 1;
        memset(out, 0, outlen);
    }
}

/* H(s) = SHA3-256(s) */
static void hash_h(mlkem_ctx *c, const uint8_t *s, size_t n, uint8_t out[32])
{
    hash2(c, c->algs->sha3_256, 0, s, n, NULL, 0, out, 32);
}

/* G(a || b) = SHA3-512(a || b), split by the caller into two 32-byte halves. */
static void hash_g(mlkem_ctx *c, const uint8_t *a, size_t alen, const uint8_t *b, size_t blen,
                   uint8_t out[64])
{
    hash2(c, c->algs->sha3_512, 0, a, alen, b, blen, out, 64);
}

/* J(z || c) = SHAKE256(z || c, 8·32) */
static void hash_j(mlkem_ctx *c, const uint8_t z[32], const uint8_t *ct, uint8_t out[32])
{
    hash2(c, c->algs->shake256, 1, z, 32, ct, c->p->ct, out, 32);
}

/* PRF_η(s, b) = SHAKE256(s || b, 8·64·η) */
static void prf(mlkem_ctx *c, const uint8_t s[32], uint8_t b, uint8_t out[PRF_BYTES])
{
    hash2(c, c->algs->shake256, 1, s, 32, &b, 1, out, PRF_BYTES);
}

/* ---- tracing (tests only) ---- */

static void trace_bytes(const mlkem_ctx *c, const char *label, const uint8_t *p, size_t n)
{
    if (c->trace && c->trace->bytes)
        c->trace->bytes(c->trace->ctx, label, p, n);
}

static void trace_coeffs(const mlkem_ctx *c, const char *label, const poly *f)
{
    if (c->trace && c->trace->coeffs)
        c->trace->coeffs(c->trace->ctx, label, f->c, N);
}

/* count polynomials (a vector, or a matrix row by row) in ByteEncode12. */
static void trace_polys(const mlkem_ctx *c, const char *label, const poly *v, size_t count)
{
    if (!c->trace || !c->trace->bytes)
        return;
    uint8_t buf[KMAX * KMAX * POLY_BYTES];
    vec_encode12(buf, v, count);
    c->trace->bytes(c->trace->ctx, label, buf, count * POLY_BYTES);
}

/* ---- sampling (§4.2.2) ---- */

#define XOF_BLOCK 168 /* SHAKE-128 rate */
#define XOF_FIRST (3 * XOF_BLOCK)
#define XOF_MAX (8 * XOF_BLOCK)

/* Algorithm 7 SampleNTT: rejection sampling of an NTT representation from
 * XOF(ρ || j || i). ρ is public, so this may (and does) take variable time.
 *
 * 504 bytes are almost always enough (256 coefficients from 336 candidates
 * with acceptance 3329/4096 fail with probability about 1%); then the XOF
 * is run again for 1344 bytes, whose first 504 are the same, and sampling
 * goes on where it stopped. 1344 bytes give 896 candidates: running short
 * of 256 accepted ones has probability below 2^-500, and would be reported
 * as an internal error rather than looping. */
static void sample_ntt(mlkem_ctx *c, poly *a, const uint8_t rho[32], uint8_t j, uint8_t i)
{
    uint8_t seed[34], buf[XOF_MAX];
    memcpy(seed, rho, 32);
    seed[32] = j;
    seed[33] = i;

    size_t have = XOF_FIRST, pos = 0, n = 0;
    hash2(c, c->algs->shake128, 1, seed, sizeof seed, NULL, 0, buf, have);
    for (;;) {
        while (n < N && pos + 3 <= have) {
            uint16_t d1 = (uint16_t)(buf[pos] | ((buf[pos + 1] & 0x0f) << 8));
            uint16_t d2 = (uint16_t)((buf[pos + 1] >> 4) | (buf[pos + 2] << 4));
            pos += 3;
            if (d1 < Q)
                a->c[n++] = d1;
            if (d2 < Q && n < N)
                a->c[n++] = d2;
        }
        if (n == N || c->failed)
            break;
        if (have == XOF_MAX) {
            c->failed = 1;
            break;
        }
        have = XOF_MAX;
        hash2(c, c->algs->shake128, 1, seed, sizeof seed, NULL, 0, buf, have);
    }
    if (c->failed)
        memset(a, 0, sizeof *a);
}

/* Algorithm 8 SamplePolyCBD_η for η = 2: coefficient i is
 * (b[4i] + b[4i+1]) - (b[4i+2] + b[4i+3]) over the bits of the 128 bytes. */
static void sample_cbd(poly *f, const uint8_t b[PRF_BYTES])
{
    for (size_t i = 0; i < N; i++) {
        unsigned bits = (unsigned)(b[i / 2] >> (4 * (i & 1)));
        uint16_t x = (uint16_t)((bits & 1) + ((bits >> 1) & 1));
        uint16_t y = (uint16_t)(((bits >> 2) & 1) + ((bits >> 3) & 1));
        f->c[i] = fe_sub(x, y);
    }
}

/* The matrix Â (Algorithm 13 steps 3-7, Algorithm 14 steps 4-8):
 * a[i*k + j] = Â[i, j] = SampleNTT(ρ || j || i). */
static void gen_matrix(mlkem_ctx *c, poly a[KMAX * KMAX], const uint8_t rho[32])
{
    const unsigned k = c->p->k;
    for (unsigned i = 0; i < k; i++)
        for (unsigned j = 0; j < k; j++)
            sample_ntt(c, &a[i * k + j], rho, (uint8_t)j, (uint8_t)i);
}

/* count polynomials from CBD_η(PRF_η(seed, nonce++)). */
static void sample_vec(mlkem_ctx *c, poly *v, size_t count, const uint8_t seed[32],
                       uint8_t *nonce)
{
    uint8_t buf[PRF_BYTES];
    for (size_t i = 0; i < count; i++) {
        prf(c, seed, (*nonce)++, buf);
        sample_cbd(&v[i], buf);
    }
    ward_zeroize(buf, sizeof buf);
}

/* ---- the NTT (§4.3) ---- */

/* Algorithm 9 NTT, in place. Layer l (1..7) has 2^(l-1) groups of
 * butterflies at distance len = 128 >> (l-1); the loops are counted with
 * shifts so that not even public loop bounds compile to a division. */
static void ntt(poly *f)
{
    size_t k = 1;
    for (unsigned layer = 1; layer <= 7; layer++) {
        size_t len = (size_t)N >> layer, groups = (size_t)1 << (layer - 1);
        for (size_t g = 0; g < groups; g++) {
            size_t start = 2 * len * g;
            uint16_t zeta = ZETAS[k++];
            for (size_t j = start; j < start + len; j++) {
                uint16_t t = fe_mul(zeta, f->c[j + len]);
                f->c[j + len] = fe_sub(f->c[j], t);
                f->c[j] = fe_add(f->c[j], t);
            }
        }
    }
}

/* Algorithm 10 NTT^-1, in place: the layers of Algorithm 9 backwards. */
static void ntt_inverse(poly *f)
{
    size_t k = 127;
    for (unsigned layer = 7; layer >= 1; layer--) {
        size_t len = (size_t)N >> layer, groups = (size_t)1 << (layer - 1);
        for (size_t g = 0; g < groups; g++) {
            size_t start = 2 * len * g;
            uint16_t zeta = ZETAS[k--];
            for (size_t j = start; j < start + len; j++) {
                uint16_t t = f->c[j];
                f->c[j] = fe_add(t, f->c[j + len]);
                f->c[j + len] = fe_mul(zeta, fe_sub(f->c[j + len], t));
            }
        }
    }
    for (size_t j = 0; j < N; j++)
        f->c[j] = fe_mul(f->c[j], INV128);
}

/* acc += f ×_T g: Algorithm 11 MultiplyNTTs, each pair by Algorithm 12
 * BaseCaseMultiply (a product in Z_q[X]/(X^2 - γ_i)). */
static void poly_mul_acc(poly *acc, const poly *f, const poly *g)
{
    for (size_t i = 0; i < N / 2; i++) {
        uint16_t a0 = f->c[2 * i], a1 = f->c[2 * i + 1];
        uint16_t b0 = g->c[2 * i], b1 = g->c[2 * i + 1];
        uint16_t c0 = fe_add(fe_mul(a0, b0), fe_mul(fe_mul(a1, b1), GAMMAS[i]));
        uint16_t c1 = fe_add(fe_mul(a0, b1), fe_mul(a1, b0));
        acc->c[2 * i] = fe_add(acc->c[2 * i], c0);
        acc->c[2 * i + 1] = fe_add(acc->c[2 * i + 1], c1);
    }
}

static void poly_add(poly *f, const poly *g)
{
    for (size_t i = 0; i < N; i++)
        f->c[i] = fe_add(f->c[i], g->c[i]);
}

static void poly_sub(poly *f, const poly *g)
{
    for (size_t i = 0; i < N; i++)
        f->c[i] = fe_sub(f->c[i], g->c[i]);
}

/* ---- K-PKE (§5) ---- */

/* Algorithm 13 K-PKE.KeyGen: ek = ByteEncode12(t̂) || ρ (384k + 32 bytes),
 * dk = ByteEncode12(ŝ) (384k bytes). */
static void kpke_keygen(mlkem_ctx *c, mlkem_variant variant, const uint8_t d[32], uint8_t *ek,
                        uint8_t *dk)
{
    const unsigned k = c->p->k;
    struct {
        uint8_t g[64];          /* ρ || σ */
        poly a[KMAX * KMAX];    /* Â */
        poly s[KMAX], e[KMAX];  /* s, then ŝ; e, then ê */
        poly t[KMAX];           /* t̂ */
    } w;
    memset(&w, 0, sizeof w);
    const uint8_t *rho = w.g, *sigma = w.g + 32;
    uint8_t nonce = 0;

    /* 1: (ρ, σ) = G(d || k); the draft standard had G(d). */
    const uint8_t kbyte = (uint8_t)k;
    hash_g(c, d, 32, &kbyte, variant == MLKEM_IPD ? 0 : 1, w.g);
    MLKEM_DECLASSIFY(w.g, 32); /* ρ becomes public: it is the end of ek */
    trace_bytes(c, "ρ", rho, 32);
    trace_bytes(c, "σ", sigma, 32);

    /* 3-7: Â */
    gen_matrix(c, w.a, rho);
    trace_coeffs(c, "A[0, 0]", &w.a[0]);
    trace_polys(c, "A", w.a, k * k);

    /* 8-15: s and e from CBD_η1 */
    sample_vec(c, w.s, k, sigma, &nonce);
    trace_coeffs(c, "s[0]", &w.s[0]);
    trace_polys(c, "s", w.s, k);
    sample_vec(c, w.e, k, sigma, &nonce);
    trace_polys(c, "e", w.e, k);

    /* 16-17: ŝ = NTT(s), ê = NTT(e) */
    for (size_t i = 0; i < k; i++) {
        ntt(&w.s[i]);
        ntt(&w.e[i]);
    }
    trace_coeffs(c, "NTT(s[0])", &w.s[0]);
    trace_polys(c, "dkPKE", w.s, k);
    trace_polys(c, "NTT(e)", w.e, k);

    /* 18: t̂ = Â ∘ ŝ + ê */
    for (size_t i = 0; i < k; i++) {
        w.t[i] = w.e[i];
        for (size_t j = 0; j < k; j++)
            poly_mul_acc(&w.t[i], &w.a[i * k + j], &w.s[j]);
    }
    trace_polys(c, "t", w.t, k);

    /* 19-20: ek = ByteEncode12(t̂) || ρ; dk = ByteEncode12(ŝ) */
    vec_encode12(ek, w.t, k);
    memcpy(ek + c->p->vec, rho, 32);
    vec_encode12(dk, w.s, k);
    trace_bytes(c, "ek", ek, c->p->ek);
    trace_bytes(c, "ekPKE", ek, c->p->ek);

    ward_zeroize(&w, sizeof w);
}

/* Algorithm 14 K-PKE.Encrypt: ct (32·(du·k + dv) bytes) encrypting the
 * 32-byte m with randomness r. ek must have passed the modulus check. */
static void kpke_encrypt(mlkem_ctx *c, const uint8_t *ek, const uint8_t m[32],
                         const uint8_t r[32], uint8_t *ct)
{
    const unsigned k = c->p->k, du = c->p->du, dv = c->p->dv;
    struct {
        poly a[KMAX * KMAX];      /* Â */
        poly t[KMAX];             /* t̂ */
        poly y[KMAX], e1[KMAX];   /* y, then ŷ; e1 */
        poly e2, mu;
        poly u[KMAX], v;
        poly cu, cv;              /* compressed (for the trace and the encoding) */
    } w;
    memset(&w, 0, sizeof w);
    const uint8_t *rho = ek + c->p->vec;
    uint8_t nonce = 0;

    /* 2-3: t̂ = ByteDecode12(ek[0:384k]), ρ = ek[384k:384k+32] */
    for (size_t i = 0; i < k; i++)
        poly_decode12(&w.t[i], ek + i * POLY_BYTES);

    /* 4-8: Â (the trace shows Âᵀ, which is what is used below) */
    gen_matrix(c, w.a, rho);
    if (c->trace) {
        poly at[KMAX * KMAX];
        for (size_t i = 0; i < k; i++)
            for (size_t j = 0; j < k; j++)
                at[i * k + j] = w.a[j * k + i];
        trace_polys(c, "A^T", at, k * k);
    }

    /* 9-17: y from CBD_η1, e1 from CBD_η2, e2 from CBD_η2 */
    sample_vec(c, w.y, k, r, &nonce);
    trace_polys(c, "r", w.y, k);
    sample_vec(c, w.e1, k, r, &nonce);
    trace_polys(c, "e1", w.e1, k);
    sample_vec(c, &w.e2, 1, r, &nonce);
    trace_polys(c, "e2", &w.e2, 1);

    /* 18: ŷ = NTT(y) */
    for (size_t i = 0; i < k; i++)
        ntt(&w.y[i]);
    trace_polys(c, "NTT(r)", w.y, k);

    /* 19: u = NTT^-1(Âᵀ ∘ ŷ) + e1 */
    for (size_t i = 0; i < k; i++) {
        for (size_t j = 0; j < k; j++)
            poly_mul_acc(&w.u[i], &w.a[j * k + i], &w.y[j]);
        ntt_inverse(&w.u[i]);
        poly_add(&w.u[i], &w.e1[i]);
    }
    trace_polys(c, "u", w.u, k);
    trace_coeffs(c, "u[0]", &w.u[0]);

    /* 20: μ = Decompress1(ByteDecode1(m)) */
    byte_decode(w.mu.c, m, 1);
    for (size_t i = 0; i < N; i++)
        w.mu.c[i] = decompress(w.mu.c[i], 1);
    trace_polys(c, "μ", &w.mu, 1);

    /* 21: v = NTT^-1(t̂ᵀ ∘ ŷ) + e2 + μ */
    for (size_t j = 0; j < k; j++)
        poly_mul_acc(&w.v, &w.t[j], &w.y[j]);
    ntt_inverse(&w.v);
    poly_add(&w.v, &w.e2);
    poly_add(&w.v, &w.mu);
    trace_coeffs(c, "v", &w.v);

    /* 22: c1 = ByteEncode_du(Compress_du(u)) */
    for (size_t i = 0; i < k; i++) {
        for (size_t n = 0; n < N; n++)
            w.cu.c[n] = compress(w.u[i].c[n], du);
        if (i == 0)
            trace_coeffs(c, "compress(u[0])", &w.cu);
        byte_encode(ct + i * 32 * du, w.cu.c, du);
    }
    trace_bytes(c, "c1", ct, c->p->c1);

    /* 23: c2 = ByteEncode_dv(Compress_dv(v)) */
    for (size_t n = 0; n < N; n++)
        w.cv.c[n] = compress(w.v.c[n], dv);
    trace_coeffs(c, "compress(v)", &w.cv);
    byte_encode(ct + c->p->c1, w.cv.c, dv);
    trace_bytes(c, "c2", ct + c->p->c1, 32 * dv);

    ward_zeroize(&w, sizeof w);
}

/* Algorithm 15 K-PKE.Decrypt: the 32-byte message m from ct with
 * dk = ByteEncode12(ŝ). */
static void kpke_decrypt(mlkem_ctx *c, const uint8_t *dk, const uint8_t *ct, uint8_t m[32])
{
    const unsigned k = c->p->k, du = c->p->du, dv = c->p->dv;
    struct {
        poly u[KMAX], v, s[KMAX], w;
    } w;
    memset(&w, 0, sizeof w);

    /* 3: u' = Decompress_du(ByteDecode_du(c1)) */
    for (size_t i = 0; i < k; i++) {
        byte_decode(w.u[i].c, ct + i * 32 * du, du);
        for (size_t n = 0; n < N; n++)
            w.u[i].c[n] = decompress(w.u[i].c[n], du);
    }
    trace_polys(c, "uᵈ", w.u, k);

    /* 4: v' = Decompress_dv(ByteDecode_dv(c2)) */
    byte_decode(w.v.c, ct + c->p->c1, dv);
    for (size_t n = 0; n < N; n++)
        w.v.c[n] = decompress(w.v.c[n], dv);
    trace_polys(c, "vᵈ", &w.v, 1);

    /* 5: ŝ = ByteDecode12(dk) */
    for (size_t i = 0; i < k; i++)
        poly_decode12(&w.s[i], dk + i * POLY_BYTES);

    /* 6: w = v' - NTT^-1(ŝᵀ ∘ NTT(u')) */
    for (size_t i = 0; i < k; i++)
        ntt(&w.u[i]);
    trace_polys(c, "NTT(uᵈ)", w.u, k);
    for (size_t i = 0; i < k; i++)
        poly_mul_acc(&w.w, &w.s[i], &w.u[i]);
    ntt_inverse(&w.w);
    poly_sub(&w.v, &w.w);
    w.w = w.v;
    trace_polys(c, "w", &w.w, 1);

    /* 7: m = ByteEncode1(Compress1(w)) */
    for (size_t n = 0; n < N; n++)
        w.w.c[n] = compress(w.w.c[n], 1);
    byte_encode(m, w.w.c, 1);

    ward_zeroize(&w, sizeof w);
}

/* ---- ML-KEM (§6, §7) ---- */

/* §7.2 modulus check: ByteEncode12(ByteDecode12(ek)) == ek, that is,
 * every 12-bit value is already reduced. */
static int ek_valid(const mlkem_params *p, const uint8_t *ek)
{
    uint16_t f[N];
    for (size_t i = 0; i < p->k; i++) {
        byte_decode(f, ek + i * POLY_BYTES, 12);
        for (size_t n = 0; n < N; n++)
            if (f[n] >= Q)
                return 0;
    }
    return 1;
}

int mlkem_ek_valid(mlkem_set set, const uint8_t *ek)
{
    const mlkem_params *p = params_of(set);
    return p && ek_valid(p, ek);
}

/* Algorithm 16 ML-KEM.KeyGen_internal (Algorithm 13 inside). */
wres mlkem_keygen_traced(mlkem_set set, mlkem_variant variant, const uint8_t d[32],
                         const uint8_t z[32], uint8_t *ek, uint8_t *dk, const mlkem_trace *t)
{
    const mlkem_params *p = params_of(set);
    ENSURE(p && (variant == MLKEM_FINAL || variant == MLKEM_IPD), WARD_ERR_INTERNAL);
    mlkem_ctx c;
    GUARD(ctx_init(&c, p, t));
    trace_bytes(&c, "d", d, 32);

    /* 1: (ekPKE, dkPKE) = K-PKE.KeyGen(d); 2: ek = ekPKE */
    kpke_keygen(&c, variant, d, ek, dk);
    /* 3: dk = dkPKE || ek || H(ek) || z */
    memcpy(dk + p->dk_ek, ek, p->ek);
    hash_h(&c, ek, p->ek, dk + p->dk_h);
    memcpy(dk + p->dk_z, z, 32);
    trace_bytes(&c, "z", z, 32);
    trace_bytes(&c, "H(ek)", dk + p->dk_h, 32);
    trace_bytes(&c, "dk", dk, p->dk);

    wres r = ctx_finish(&c);
    if (!wres_is_ok(r)) {
        ward_zeroize(ek, p->ek);
        ward_zeroize(dk, p->dk);
    }
    return r;
}

/* Algorithm 17 ML-KEM.Encaps_internal, after the §7.2 input check. */
wres mlkem_encaps_traced(mlkem_set set, const uint8_t *ek, const uint8_t m[32], uint8_t *ct,
                         uint8_t ss[32], const mlkem_trace *t)
{
    const mlkem_params *p = params_of(set);
    ENSURE(p, WARD_ERR_INTERNAL);
    if (!ek_valid(p, ek))
        return crypto_fail(WARD_ERR_ILLEGAL_PARAMETER);
    mlkem_ctx c;
    GUARD(ctx_init(&c, p, t));
    uint8_t h[32], kr[64]; /* K || r */
    trace_bytes(&c, "m", m, 32);

    /* 1: (K, r) = G(m || H(ek)) */
    hash_h(&c, ek, p->ek, h);
    hash_g(&c, m, 32, h, 32, kr);
    trace_bytes(&c, "K", kr, 32);
    trace_bytes(&c, "r", kr + 32, 32);
    /* 2: c = K-PKE.Encrypt(ek, m, r) */
    kpke_encrypt(&c, ek, m, kr + 32, ct);
    trace_bytes(&c, "c", ct, p->ct);
    memcpy(ss, kr, 32);

    ward_zeroize(kr, sizeof kr);
    wres r = ctx_finish(&c);
    if (!wres_is_ok(r)) {
        ward_zeroize(ct, p->ct);
        ward_zeroize(ss, 32);
    }
    return r;
}

/* Algorithm 18 ML-KEM.Decaps_internal, after the §7.3 hash check. */
wres mlkem_decaps_traced(mlkem_set set, const uint8_t *dk, const uint8_t *ct, uint8_t ss[32],
                         const mlkem_trace *t)
{
    const mlkem_params *p = params_of(set);
    ENSURE(p, WARD_ERR_INTERNAL);
    mlkem_ctx c;
    GUARD(ctx_init(&c, p, t));
    struct {
        uint8_t m[32];   /* m' */
        uint8_t kr[64];  /* K' || r' */
        uint8_t kbar[32];
        uint8_t ct2[MLKEM_MAX_CT_BYTES]; /* c' */
    } w;
    /* 1-4: dkPKE, ekPKE, h, z are slices of dk */
    const uint8_t *dk_pke = dk, *ek_pke = dk + p->dk_ek, *h = dk + p->dk_h, *z = dk + p->dk_z;

    /* §7.3 hash check, on the public half of dk. */
    uint8_t hek[32];
    hash_h(&c, ek_pke, p->ek, hek);
    if (!c.failed && memcmp(hek, h, 32) != 0) {
        wres_ignore(ctx_finish(&c)); /* failing already: only the context is freed */
        return crypto_fail(WARD_ERR_INTERNAL);
    }

    /* 5: m' = K-PKE.Decrypt(dkPKE, c) */
    kpke_decrypt(&c, dk_pke, ct, w.m);
    /* 6: (K', r') = G(m' || h) */
    hash_g(&c, w.m, 32, h, 32, w.kr);
    /* 7: K̄ = J(z || c) */
    hash_j(&c, z, ct, w.kbar);
    trace_bytes(&c, "KBar", w.kbar, 32);
    /* 8: c' = K-PKE.Encrypt(ekPKE, m', r') */
    const mlkem_trace *saved = c.trace;
    c.trace = NULL; /* the re-encryption repeats Encaps' values */
    kpke_encrypt(&c, ek_pke, w.m, w.kr + 32, w.ct2);
    c.trace = saved;

    /* 9-11: K' unless c != c', then K̄; over all bytes, selected by a mask. */
    uint8_t diff = 0;
    for (size_t i = 0; i < p->ct; i++)
        diff |= (uint8_t)(ct[i] ^ w.ct2[i]);
    uint32_t equal = ((uint32_t)diff - 1) >> 31; /* 1 iff diff == 0 */
    uint8_t mask = (uint8_t)(0u - value_barrier(equal));
    for (size_t i = 0; i < 32; i++)
        ss[i] = (uint8_t)((w.kr[i] & mask) | (w.kbar[i] & (uint8_t)~mask));

    ward_zeroize(&w, sizeof w);
    wres r = ctx_finish(&c);
    if (!wres_is_ok(r))
        ward_zeroize(ss, 32);
    return r;
}

wres mlkem_keygen_internal(mlkem_set set, const uint8_t d[32], const uint8_t z[32], uint8_t *ek,
                           uint8_t *dk)
{
    return mlkem_keygen_traced(set, MLKEM_FINAL, d, z, ek, dk, NULL);
}

wres mlkem_encaps_internal(mlkem_set set, const uint8_t *ek, const uint8_t m[32], uint8_t *ct,
                           uint8_t ss[32])
{
    return mlkem_encaps_traced(set, ek, m, ct, ss, NULL);
}

wres mlkem_decaps(mlkem_set set, const uint8_t *dk, const uint8_t *ct, uint8_t ss[32])
{
    return mlkem_decaps_traced(set, dk, ct, ss, NULL);
}

/* Algorithm 19 ML-KEM.KeyGen */
wres mlkem_keygen(mlkem_set set, uint8_t *ek, uint8_t *dk)
{
    uint8_t dz[64];
    wres r = crypto_random(dz, sizeof dz);
    if (wres_is_ok(r))
        r = mlkem_keygen_internal(set, dz, dz + 32, ek, dk);
    ward_zeroize(dz, sizeof dz);
    return r;
}

/* Algorithm 20 ML-KEM.Encaps (the input check is in Encaps_internal). */
wres mlkem_encaps(mlkem_set set, const uint8_t *ek, uint8_t *ct, uint8_t ss[32])
{
    uint8_t m[32];
    wres r = crypto_random(m, sizeof m);
    if (wres_is_ok(r))
        r = mlkem_encaps_internal(set, ek, m, ct, ss);
    ward_zeroize(m, sizeof m);
    return r;
}
