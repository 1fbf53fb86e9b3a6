/* X25519 public keys, RFC 7748 §6.1: X25519(k, 9), by a fixed-base
 * multiplication on the birationally equivalent Edwards curve.
 *
 * Why ward has this at all: libcrypto 3.0 computes an X25519 public key
 * with the same Montgomery ladder as a shared secret, so a key share cost
 * as much as the key exchange itself, and every TLS 1.3 handshake (full or
 * resumed, either side) makes one. With the base point fixed, multiples of
 * it can be tabulated once, and k·B becomes 64 table additions and 4
 * doublings, about a third of the ladder's work. The shared secret (a
 * variable point) stays with libcrypto.
 *
 * The method (the one of the Ed25519 papers): write the clamped scalar in
 * 64 signed base-16 digits e[i] in [-8, 8], so that
 *   k·B = Σ e[i]·16^i·B = 16·Σ_{i odd} e[i]·256^((i-1)/2)·B + Σ_{i even} e[i]·256^(i/2)·B,
 * and look up e[i]·256^j·B in a table of j·... multiples 1..8 of 256^j·B
 * (negated for negative digits). The Montgomery u of the result is
 * (1 + y)/(1 - y) = (Z + Y)/(Z - Y); it does not depend on x, so the sign
 * of the base point's x does not matter.
 *
 * Constant time in the scalar: every table entry is read for every digit
 * and chosen by masks, the digits are computed without branches, and the
 * field arithmetic has no data-dependent branch or index. The table is
 * public (computed from B at first use, variable time, under pthread_once).
 *
 * Field elements mod p = 2^255 - 19 are five 51-bit limbs. Every operation
 * returns limbs below 2^52, which keeps products and sums inside the
 * 128-bit accumulators (5 · 19 · 2^52 · 2^52 < 2^112). */
#include "crypto/x25519_base.h"

#include <pthread.h>
#include <string.h>

#include "base/mem.h"

#ifndef WARD_HAVE_X25519_BASE
void x25519_base_init(void) {}
#else

typedef unsigned __int128 u128;

#define MASK51 ((UINT64_C(1) << 51) - 1)

typedef struct {
    uint64_t v[5];
} fe;

/* ---- field arithmetic mod 2^255 - 19 ---- */

static void fe_small(fe *r, uint64_t x)
{
    memset(r, 0, sizeof *r);
    r->v[0] = x;
}

/* Limbs back under 2^51 (limb 0 a little more): the carry out of the top
 * limb re-enters at the bottom times 19, since 2^255 = 19 (mod p). */
static void fe_carry(fe *r)
{
    uint64_t c;
    for (int i = 0; i < 4; i++) {
        c = r->v[i] >> 51;
        r->v[i] &= MASK51;
        r->v[i + 1] += c;
    }
    c = r->v[4] >> 51;
    r->v[4] &= MASK51;
    r->v[0] += 19 * c;
}

static void fe_add(fe *r, const fe *a, const fe *b)
{
    for (int i = 0; i < 5; i++)
        r->v[i] = a->v[i] + b->v[i];
    fe_carry(r);
}

/* a - b + 4p: no limb goes negative while b's limbs are below 2^53 - 76. */
static void fe_sub(fe *r, const fe *a, const fe *b)
{
    static const uint64_t four_p[5] = {
        (UINT64_C(1) << 53) - 76, (UINT64_C(1) << 53) - 4, (UINT64_C(1) << 53) - 4,
        (UINT64_C(1) << 53) - 4, (UINT64_C(1) << 53) - 4};
    for (int i = 0; i < 5; i++)
        r->v[i] = a->v[i] + four_p[i] - b->v[i];
    fe_carry(r);
}

/* r = t mod p from five 128-bit column sums (each below 2^113). */
static inline __attribute__((always_inline)) void fe_reduce_wide(fe *r, u128 t0, u128 t1, u128 t2, u128 t3, u128 t4)
{
    t1 += t0 >> 51;
    t2 += t1 >> 51;
    t3 += t2 >> 51;
    t4 += t3 >> 51;
    u128 low = ((u128)((uint64_t)t0 & MASK51)) + (t4 >> 51) * 19;
    r->v[0] = (uint64_t)low & MASK51;
    r->v[1] = ((uint64_t)t1 & MASK51) + (uint64_t)(low >> 51);
    r->v[2] = (uint64_t)t2 & MASK51;
    r->v[3] = (uint64_t)t3 & MASK51;
    r->v[4] = (uint64_t)t4 & MASK51;
}

static void fe_mul(fe *r, const fe *a, const fe *b)
{
    const uint64_t *x = a->v, *y = b->v;
    uint64_t y1_19 = 19 * y[1], y2_19 = 19 * y[2], y3_19 = 19 * y[3], y4_19 = 19 * y[4];
    fe_reduce_wide(r,
                   (u128)x[0] * y[0] + (u128)x[1] * y4_19 + (u128)x[2] * y3_19 +
                       (u128)x[3] * y2_19 + (u128)x[4] * y1_19,
                   (u128)x[0] * y[1] + (u128)x[1] * y[0] + (u128)x[2] * y4_19 +
                       (u128)x[3] * y3_19 + (u128)x[4] * y2_19,
                   (u128)x[0] * y[2] + (u128)x[1] * y[1] + (u128)x[2] * y[0] +
                       (u128)x[3] * y4_19 + (u128)x[4] * y3_19,
                   (u128)x[0] * y[3] + (u128)x[1] * y[2] + (u128)x[2] * y[1] +
                       (u128)x[3] * y[0] + (u128)x[4] * y4_19,
                   (u128)x[0] * y[4] + (u128)x[1] * y[3] + (u128)x[2] * y[2] +
                       (u128)x[3] * y[1] + (u128)x[4] * y[0]);
}

/* fe_mul(r, a, a) with the symmetric products counted once (15, not 25). */
static void fe_sq(fe *r, const fe *a)
{
    const uint64_t *x = a->v;
    uint64_t d0 = 2 * x[0], d1 = 2 * x[1], d2 = 2 * x[2], d3 = 2 * x[3];
    uint64_t x3_19 = 19 * x[3], x4_19 = 19 * x[4];
    fe_reduce_wide(r, (u128)x[0] * x[0] + (u128)d1 * x4_19 + (u128)d2 * x3_19,
                   (u128)d0 * x[1] + (u128)d2 * x4_19 + (u128)x[3] * x3_19,
                   (u128)d0 * x[2] + (u128)x[1] * x[1] + (u128)d3 * x4_19,
                   (u128)d0 * x[3] + (u128)d1 * x[2] + (u128)x[4] * x4_19,
                   (u128)d0 * x[4] + (u128)d1 * x[3] + (u128)x[2] * x[2]);
}

static void fe_sq_times(fe *r, const fe *a, int n)
{
    fe_sq(r, a);
    for (int i = 1; i < n; i++)
        fe_sq(r, r);
}

/* a^(2^250 - 1), and a^11 in z11: the common trunk of the two power
 * chains below (the exponents are public, so the sequence is fixed). */
static void fe_pow_2_250_1(fe *r, fe *z11, const fe *a)
{
    fe z2, z9, t, z_5_0, z_10_0, z_20_0, z_50_0, z_100_0;
    fe_sq(&z2, a);                  /* 2 */
    fe_sq_times(&t, &z2, 2);        /* 8 */
    fe_mul(&z9, &t, a);             /* 9 */
    fe_mul(z11, &z9, &z2);          /* 11 */
    fe_sq(&t, z11);                 /* 22 */
    fe_mul(&z_5_0, &t, &z9);        /* 2^5 - 1 */
    fe_sq_times(&t, &z_5_0, 5);
    fe_mul(&z_10_0, &t, &z_5_0);    /* 2^10 - 1 */
    fe_sq_times(&t, &z_10_0, 10);
    fe_mul(&z_20_0, &t, &z_10_0);   /* 2^20 - 1 */
    fe_sq_times(&t, &z_20_0, 20);
    fe_mul(&t, &t, &z_20_0);        /* 2^40 - 1 */
    fe_sq_times(&t, &t, 10);
    fe_mul(&z_50_0, &t, &z_10_0);   /* 2^50 - 1 */
    fe_sq_times(&t, &z_50_0, 50);
    fe_mul(&z_100_0, &t, &z_50_0);  /* 2^100 - 1 */
    fe_sq_times(&t, &z_100_0, 100);
    fe_mul(&t, &t, &z_100_0);       /* 2^200 - 1 */
    fe_sq_times(&t, &t, 50);
    fe_mul(r, &t, &z_50_0);         /* 2^250 - 1 */
}

/* a^(p-2) = 1/a (Fermat): 2^255 - 21 = (2^250 - 1)·2^5 + 11. */
static void fe_invert(fe *r, const fe *a)
{
    fe t, z11;
    fe_pow_2_250_1(&t, &z11, a);
    fe_sq_times(&t, &t, 5);
    fe_mul(r, &t, &z11);
}

/* The canonical 32-byte little-endian encoding (fully reduced). */
static void fe_tobytes(uint8_t out[32], const fe *a)
{
    fe h = *a;
    fe_carry(&h);
    fe_carry(&h); /* now h < 2^255 + small < 2p */
    /* q = 1 exactly when h >= p, i.e. when h + 19 reaches 2^255. */
    uint64_t q = (h.v[0] + 19) >> 51;
    for (int i = 1; i < 5; i++)
        q = (h.v[i] + q) >> 51;
    h.v[0] += 19 * q;
    for (int i = 0; i < 4; i++) {
        h.v[i + 1] += h.v[i] >> 51;
        h.v[i] &= MASK51;
    }
    h.v[4] &= MASK51; /* drops the 2^255 that q·p took away */
    uint64_t w[4] = {h.v[0] | h.v[1] << 51, h.v[1] >> 13 | h.v[2] << 38,
                     h.v[2] >> 26 | h.v[3] << 25, h.v[3] >> 39 | h.v[4] << 12};
    for (int i = 0; i < 4; i++)
        for (int j = 0; j < 8; j++)
            out[8 * i + j] = (uint8_t)(w[i] >> (8 * j));
    ward_zeroize(&h, sizeof h);
}

/* r = b ? a : r, for b in {0, 1}, without a branch. */
static void fe_cmov(fe *r, const fe *a, uint64_t b)
{
    uint64_t mask = 0 - b;
    for (int i = 0; i < 5; i++)
        r->v[i] ^= mask & (r->v[i] ^ a->v[i]);
}

static int fe_equal_public(const fe *a, const fe *b)
{
    uint8_t x[32], y[32];
    fe_tobytes(x, a);
    fe_tobytes(y, b);
    return memcmp(x, y, 32) == 0;
}

/* ---- Edwards curve -x^2 + y^2 = 1 + d·x^2·y^2 (RFC 7748 §4.1) ---- */

/* Extended coordinates: x = X/Z, y = Y/Z, x·y = T/Z. */
typedef struct {
    fe X, Y, Z, T;
} ge;

/* An affine point ready to add: y + x, y - x, 2·d·x·y. */
typedef struct {
    fe ypx, ymx, xy2d;
} ge_niels;

static void ge_identity(ge *p)
{
    fe_small(&p->X, 0);
    fe_small(&p->Y, 1);
    fe_small(&p->Z, 1);
    fe_small(&p->T, 0);
}

/* r = p + q, q affine ("madd-2008-hwcd-3", a = -1). */
static void ge_add_niels(ge *r, const ge *p, const ge_niels *q)
{
    fe a, b, c, d, e, f, g, h;
    fe_sub(&a, &p->Y, &p->X);
    fe_mul(&a, &a, &q->ymx);
    fe_add(&b, &p->Y, &p->X);
    fe_mul(&b, &b, &q->ypx);
    fe_mul(&c, &p->T, &q->xy2d);
    fe_add(&d, &p->Z, &p->Z);
    fe_sub(&e, &b, &a);
    fe_sub(&f, &d, &c);
    fe_add(&g, &d, &c);
    fe_add(&h, &b, &a);
    fe_mul(&r->X, &e, &f);
    fe_mul(&r->Y, &g, &h);
    fe_mul(&r->T, &e, &h);
    fe_mul(&r->Z, &f, &g);
}

/* r = 2·p ("dbl-2008-hwcd", a = -1). */
static void ge_double(ge *r, const ge *p)
{
    fe a, b, c, e, f, g, h, t;
    fe_sq(&a, &p->X);
    fe_sq(&b, &p->Y);
    fe_sq(&c, &p->Z);
    fe_add(&c, &c, &c);
    fe_add(&t, &p->X, &p->Y);
    fe_sq(&e, &t);
    fe_sub(&e, &e, &a);
    fe_sub(&e, &e, &b);      /* E = 2·X·Y */
    fe_sub(&g, &b, &a);      /* G = B - A */
    fe_sub(&f, &g, &c);      /* F = G - C */
    fe_add(&h, &a, &b);
    fe_small(&t, 0);
    fe_sub(&h, &t, &h);      /* H = -A - B */
    fe_mul(&r->X, &e, &f);
    fe_mul(&r->Y, &g, &h);
    fe_mul(&r->T, &e, &h);
    fe_mul(&r->Z, &f, &g);
}

/* The table: multiples[j][m] = (m + 1)·256^j·B, j < 32, m < 8. */
static ge_niels multiples[32][8];
static fe curve_2d;
static pthread_once_t table_once = PTHREAD_ONCE_INIT;

/* The niels form of p, given 1/Z. */
static void ge_to_niels(ge_niels *n, const ge *p, const fe *zinv)
{
    fe x, y, xy;
    fe_mul(&x, &p->X, zinv);
    fe_mul(&y, &p->Y, zinv);
    fe_add(&n->ypx, &y, &x);
    fe_sub(&n->ymx, &y, &x);
    fe_mul(&xy, &x, &y);
    fe_mul(&n->xy2d, &xy, &curve_2d);
}

/* a^((p + 3)/8) = a^(2^252 - 2) = a^(((2^250 - 1)·2 + 1)·2), for the
 * square root below (public data). */
static void fe_pow_p38(fe *r, const fe *a)
{
    fe t, z11;
    fe_pow_2_250_1(&t, &z11, a);
    fe_sq(&t, &t);
    fe_mul(&t, &t, a);
    fe_sq(r, &t);
}

/* B: y = 4/5 (RFC 7748 §4.1), x from the curve equation,
 * x^2 = (y^2 - 1) / (d·y^2 + 1), d = -121665/121666. */
static void base_point(ge *b)
{
    fe one, y, y2, u, v, d, x2, x, check, sqrt_m1, t;
    fe_small(&one, 1);
    fe_small(&t, 5);
    fe_invert(&t, &t);
    fe_small(&y, 4);
    fe_mul(&y, &y, &t);
    fe_small(&t, 121666);
    fe_invert(&t, &t);
    fe_small(&d, 121665);
    fe_mul(&d, &d, &t);
    fe_small(&t, 0);
    fe_sub(&d, &t, &d);
    fe_add(&curve_2d, &d, &d);

    fe_sq(&y2, &y);
    fe_sub(&u, &y2, &one);
    fe_mul(&v, &d, &y2);
    fe_add(&v, &v, &one);
    fe_invert(&t, &v);
    fe_mul(&x2, &u, &t);
    /* A square root of x2: x2^((p+3)/8), times sqrt(-1) = 2^((p-1)/4)
     * when that squares to -x2 instead (p = 5 mod 8). */
    fe_pow_p38(&x, &x2);
    fe_sq(&check, &x);
    if (!fe_equal_public(&check, &x2)) {
        /* sqrt(-1) = 2^((p-1)/4) = (2^((p+3)/8))^2 / 2 */
        fe_small(&t, 2);
        fe_pow_p38(&sqrt_m1, &t);
        fe_sq(&sqrt_m1, &sqrt_m1);
        fe_small(&t, 2);
        fe_invert(&t, &t);
        fe_mul(&sqrt_m1, &sqrt_m1, &t);
        fe_mul(&x, &x, &sqrt_m1);
    }
    b->X = x;
    b->Y = y;
    fe_small(&b->Z, 1);
    fe_mul(&b->T, &x, &y);
}

/* Row j holds 1..8 times P = 256^j·B. P is kept affine (one inversion a
 * row); the row's eight points have their Z inverted together
 * (Montgomery's trick: one inversion, three multiplications a point). */
static void make_table(void)
{
    ge p, row[8];
    fe prefix[8], one;
    fe_small(&one, 1);
    base_point(&p);
    for (int j = 0; j < 32; j++) {
        ge_niels pn;
        ge_to_niels(&pn, &p, &one);
        row[0] = p;
        for (int m = 1; m < 8; m++)
            ge_add_niels(&row[m], &row[m - 1], &pn);
        prefix[0] = row[0].Z;
        for (int m = 1; m < 8; m++)
            fe_mul(&prefix[m], &prefix[m - 1], &row[m].Z);
        fe inv, zinv;
        fe_invert(&inv, &prefix[7]);
        for (int m = 7; m > 0; m--) {
            fe_mul(&zinv, &inv, &prefix[m - 1]); /* 1/Z_m */
            fe_mul(&inv, &inv, &row[m].Z);       /* 1/(Z_0 ... Z_{m-1}) */
            ge_to_niels(&multiples[j][m], &row[m], &zinv);
        }
        ge_to_niels(&multiples[j][0], &row[0], &inv);
        for (int k = 0; k < 8; k++) /* P = 256·P, made affine again */
            ge_double(&p, &p);
        fe_invert(&zinv, &p.Z);
        fe_mul(&p.X, &p.X, &zinv);
        fe_mul(&p.Y, &p.Y, &zinv);
        p.Z = one;
        fe_mul(&p.T, &p.X, &p.Y);
    }
}

/* 1 if a == b (small non-negative values), without a branch. */
static uint64_t ct_eq(uint32_t a, uint32_t b) { return (uint64_t)(((a ^ b) - 1u) >> 31); }

/* t = digit·256^j·B for a digit in [-8, 8]: every entry is read, and
 * taken or not by a mask. */
static void select_multiple(ge_niels *t, int j, int8_t digit)
{
    uint64_t neg = (uint64_t)((uint8_t)digit >> 7);
    uint32_t abs = (uint32_t)(uint8_t)(digit - (int8_t)((-(int32_t)neg & digit) * 2));
    /* Start from the identity, (1, 1, 0). */
    uint64_t acc[15] = {1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0};
    for (uint32_t m = 0; m < 8; m++) {
        uint64_t mask = 0 - ct_eq(abs, m + 1);
        const uint64_t *e[3] = {multiples[j][m].ypx.v, multiples[j][m].ymx.v,
                                multiples[j][m].xy2d.v};
        for (int f = 0; f < 3; f++)
            for (int i = 0; i < 5; i++)
                acc[5 * f + i] ^= mask & (acc[5 * f + i] ^ e[f][i]);
    }
    /* -(x, y) = (-x, y): swap y + x and y - x, negate 2dxy. */
    uint64_t nmask = 0 - neg;
    for (int i = 0; i < 5; i++) {
        uint64_t d = nmask & (acc[i] ^ acc[5 + i]);
        t->ypx.v[i] = acc[i] ^ d;
        t->ymx.v[i] = acc[5 + i] ^ d;
        t->xy2d.v[i] = acc[10 + i];
    }
    fe zero, minus;
    fe_small(&zero, 0);
    fe_sub(&minus, &zero, &t->xy2d);
    fe_cmov(&t->xy2d, &minus, neg);
    ward_zeroize(acc, sizeof acc);
    ward_zeroize(&minus, sizeof minus);
}

void x25519_base_init(void) { pthread_once(&table_once, make_table); }

void x25519_public_from_private(uint8_t pub[32], const uint8_t priv[32])
{
    x25519_base_init();
    uint8_t k[32];
    memcpy(k, priv, 32);
    k[0] &= 248; /* RFC 7748 §5, decodeScalar25519 */
    k[31] &= 127;
    k[31] |= 64;

    /* 64 signed digits in [-8, 8): nibbles, then carries moved up. */
    int8_t e[64];
    for (int i = 0; i < 32; i++) {
        e[2 * i] = (int8_t)(k[i] & 15);
        e[2 * i + 1] = (int8_t)(k[i] >> 4);
    }
    int8_t carry = 0;
    for (int i = 0; i < 63; i++) {
        e[i] = (int8_t)(e[i] + carry);
        carry = (int8_t)((e[i] + 8) >> 4);
        e[i] = (int8_t)(e[i] - carry * 16);
    }
    e[63] = (int8_t)(e[63] + carry); /* at most 7 + 1: k < 2^255 */

    ge h;
    ge_niels t;
    ge_identity(&h);
    for (int i = 1; i < 64; i += 2) {
        select_multiple(&t, i / 2, e[i]);
        ge_add_niels(&h, &h, &t);
    }
    for (int i = 0; i < 4; i++)
        ge_double(&h, &h);
    for (int i = 0; i < 64; i += 2) {
        select_multiple(&t, i / 2, e[i]);
        ge_add_niels(&h, &h, &t);
    }

    /* u = (Z + Y) / (Z - Y); Z - Y != 0 since k·B is not the identity. */
    fe num, den;
    fe_add(&num, &h.Z, &h.Y);
    fe_sub(&den, &h.Z, &h.Y);
    fe_invert(&den, &den);
    fe_mul(&num, &num, &den);
    fe_tobytes(pub, &num);

    ward_zeroize(k, sizeof k);
    ward_zeroize(e, sizeof e);
    ward_zeroize(&h, sizeof h);
    ward_zeroize(&t, sizeof t);
    ward_zeroize(&num, sizeof num);
    ward_zeroize(&den, sizeof den);
}

#endif /* WARD_HAVE_X25519_BASE */
