/* libFuzzer target, differential: ward's x25519 public keys (x25519_base.c,
 * a fixed-base multiplication of its own) against libcrypto's ladder. The
 * input's first 32 bytes are the private key (shorter inputs are padded
 * with zeros); any difference aborts. The random tests cover typical keys;
 * this one lets coverage feedback steer into the digit patterns (runs of
 * 8 and carries through the signed recoding) that random keys rarely hit. */
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "crypto/x25519_base.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t priv[32] = {0}, ours[32], theirs[32];
    memcpy(priv, data, size < 32 ? size : 32);
    x25519_public_from_private(ours, priv);
    EVP_PKEY *k = EVP_PKEY_new_raw_private_key_ex(NULL, "X25519", NULL, priv, 32);
    size_t len = sizeof theirs;
    if (!k || EVP_PKEY_get_raw_public_key(k, theirs, &len) != 1 || len != 32)
        abort(); /* libcrypto takes any 32 bytes */
    EVP_PKEY_free(k);
    if (memcmp(ours, theirs, 32) != 0)
        abort();
    return 0;
}
