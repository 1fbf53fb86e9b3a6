/* resume_state ⇄ bytes: the plaintext of our tickets and of saved
 * sessions. A format byte first, so a change of layout is refused, not
 * misread. */
#include <string.h>

#include "base/mem.h"
#include "hs/resume.h"

#define RESUME_STATE_FORMAT 1

static WARD_MUST_CHECK wres write_str8(wr *w, const char *s)
{
    size_t n = strlen(s);
    ENSURE(n <= 255, WARD_ERR_INTERNAL);
    wr_block b = wr_open(w, 1);
    wr_bytes(w, s, n);
    return wr_close(w, b);
}

static WARD_MUST_CHECK wres read_str8(rd *r, char *out) /* out: 256 bytes */
{
    rd b;
    GUARD(rd_block8(r, &b));
    size_t n = rd_left(&b);
    GUARD(rd_copy(&b, (uint8_t *)out, n));
    out[n] = '\0';
    ENSURE(strlen(out) == n, WARD_ERR_DECODE); /* no NUL inside */
    return wres_ok();
}

wres resume_state_encode(wr *w, const resume_state *s)
{
    ENSURE(s->secret_len >= 32 && s->secret_len <= RESUME_MAX_SECRET, WARD_ERR_INTERNAL);
    wr_u8(w, RESUME_STATE_FORMAT);
    wr_u16(w, s->version);
    wr_u16(w, s->suite);
    wr_u64(w, s->created);
    wr_u32(w, s->lifetime);
    wr_u32(w, s->age_add);
    wr_u32(w, s->max_early_data);
    wr_u8(w, (uint8_t)(s->ems != 0));
    wr_block b = wr_open(w, 1);
    wr_bytes(w, s->secret, s->secret_len);
    GUARD(wr_close(w, b));
    GUARD(write_str8(w, s->alpn));
    return write_str8(w, s->server_name);
}

wres resume_state_decode(rd *r, resume_state *out)
{
    resume_state s;
    memset(&s, 0, sizeof s);
    uint8_t format, ems;
    uint32_t hi, lo;
    GUARD(rd_u8(r, &format));
    ENSURE(format == RESUME_STATE_FORMAT, WARD_ERR_DECODE);
    GUARD(rd_u16(r, &s.version));
    GUARD(rd_u16(r, &s.suite));
    GUARD(rd_u32(r, &hi));
    GUARD(rd_u32(r, &lo));
    s.created = (uint64_t)hi << 32 | lo;
    GUARD(rd_u32(r, &s.lifetime));
    GUARD(rd_u32(r, &s.age_add));
    GUARD(rd_u32(r, &s.max_early_data));
    GUARD(rd_u8(r, &ems));
    ENSURE(ems <= 1, WARD_ERR_DECODE);
    s.ems = ems;
    rd b;
    GUARD(rd_block8(r, &b));
    s.secret_len = rd_left(&b);
    ENSURE(s.secret_len >= 32 && s.secret_len <= RESUME_MAX_SECRET, WARD_ERR_DECODE);
    GUARD(rd_copy(&b, s.secret, s.secret_len));
    GUARD(read_str8(r, s.alpn));
    GUARD(read_str8(r, s.server_name));
    *out = s;
    ward_zeroize(&s, sizeof s);
    return wres_ok();
}

int resume_state_expired(const resume_state *s, uint64_t now)
{
    return now + 1 < s->created || now >= s->created + s->lifetime;
}
