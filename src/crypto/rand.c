/* Randomness from the default DRBG. */
#include <limits.h>

#include <openssl/rand.h>

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
