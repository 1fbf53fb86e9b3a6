/* Randomness: the default DRBG, or the configuration's source. */
#include <limits.h>

#include <openssl/rand.h>

#include "base/mem.h"
#include "crypto/crypto_int.h"

wres crypto_random(uint8_t *out, size_t n)
{
    ENSURE(out || n == 0, WARD_ERR_INTERNAL);
    while (n > 0) {
        int chunk = n > INT_MAX ? INT_MAX : (int)n;
        if (RAND_bytes(out, chunk) != 1)
            return crypto_fail(WARD_ERR_INTERNAL);
        out += chunk;
        n -= (size_t)chunk;
    }
    return wres_ok();
}

wres crypto_random_from(const ward_providers *p, uint8_t *out, size_t n)
{
    if (!crypto_random_is_custom(p))
        return crypto_random(out, n);
    ENSURE(out || n == 0, WARD_ERR_INTERNAL);
    if (n == 0)
        return wres_ok();
    if (p->random(p->random_arg, out, n) != 0) {
        ward_zeroize(out, n); /* nothing half-drawn is used */
        return wres_err(WARD_ERR_INTERNAL);
    }
    return wres_ok();
}

int crypto_random_is_custom(const ward_providers *p) { return p && p->random; }
