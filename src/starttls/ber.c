/* A strict, bounded BER reader for the few LDAP messages of StartTLS
 * (RFC 4511 §5.1: LDAP uses BER with definite lengths only; X.690 §8.1.2
 * and §8.1.3 for tags and lengths).
 *
 * Accepted: one-byte tags (tag numbers up to 30, which is all LDAP uses);
 * short-form lengths and long-form lengths of 1 to 4 bytes (Active
 * Directory writes every length as 0x84 and four bytes, so leading zeros
 * are allowed). Refused: the high tag number form, the indefinite length
 * (0x80), the reserved 0xff, and anything that runs past its container. */
#include "starttls/binproto.h"

/* The length at p (n bytes available): *len and *hdr (its own size).
 * Returns 1, 0 when more bytes are needed, -1 when malformed. */
static int ber_len(const uint8_t *p, size_t n, size_t *len, size_t *hdr)
{
    if (n < 1)
        return 0;
    if (p[0] < 0x80) {
        *len = p[0];
        *hdr = 1;
        return 1;
    }
    size_t k = p[0] & 0x7f;
    if (k == 0 || k > 4) /* indefinite, or longer than we will ever accept */
        return -1;
    if (n < 1 + k)
        return 0;
    uint32_t v = 0;
    for (size_t i = 1; i <= k; i++)
        v = v << 8 | p[i];
    *len = v;
    *hdr = 1 + k;
    return 1;
}

long stt_ber_size(const uint8_t *p, size_t n, size_t max)
{
    if (n < 1)
        return 0;
    if ((p[0] & 0x1f) == 0x1f)
        return -1; /* high tag number form */
    size_t len, hdr;
    int got = ber_len(p + 1, n - 1, &len, &hdr);
    if (got <= 0)
        return got;
    if (len > max || 1 + hdr + len > max)
        return -2;
    return (long)(1 + hdr + len);
}

wres stt_ber_next(stt_ber *b, stt_tlv *t)
{
    long size = stt_ber_size(b->p, b->left, b->left);
    ENSURE(size > 0, WARD_ERR_DECODE); /* incomplete is malformed here */
    size_t len, hdr;
    if (ber_len(b->p + 1, b->left - 1, &len, &hdr) != 1)
        return wres_err(WARD_ERR_DECODE);
    t->tag = b->p[0];
    t->v = b->p + 1 + hdr;
    t->len = len;
    b->p += (size_t)size;
    b->left -= (size_t)size;
    return wres_ok();
}

wres stt_ber_uint(const stt_tlv *t, uint32_t *v)
{
    /* X.690 §8.3: two's complement; we take 0 .. 2^31-1 (RFC 4511's
     * MessageID and resultCode ranges), so at most 4 bytes, top bit clear. */
    ENSURE(t->len >= 1 && t->len <= 4, WARD_ERR_DECODE);
    ENSURE((t->v[0] & 0x80) == 0, WARD_ERR_DECODE);
    uint32_t x = 0;
    for (size_t i = 0; i < t->len; i++)
        x = x << 8 | t->v[i];
    *v = x;
    return wres_ok();
}
