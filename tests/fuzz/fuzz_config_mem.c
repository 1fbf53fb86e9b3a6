/* libFuzzer target: certificates, keys, CAs and the session store's
 * entries given to a configuration from memory (issue #18). The first byte
 * selects (modulo the count):
 *   0  ward_config_set_cert_mem: chain and key split at the second byte's
 *      share of the rest (PEM or DER, detected)
 *   1  ward_config_add_cert_mem: the same, as an extra identity
 *   2  ward_config_add_ca_mem: PEM (one or more) or DER
 *   3  ward_config_set_cert_mem with the fuzz PKI's key and the input as
 *      the chain, so a chain that parses meets the key check
 * The rest is copied to buffers of exactly their size, so a read past
 * them is caught. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ward/ward.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t *dup_exact(const uint8_t *p, size_t n)
{
    uint8_t *b = malloc(n ? n : 1);
    if (!b)
        abort();
    memcpy(b, p, n);
    return b;
}

static uint8_t *read_pki_key(size_t *len)
{
    static uint8_t buf[8192];
    static size_t n;
    if (!n) {
        FILE *f = fopen(WARD_FUZZ_PKI "/leaf-ec.key", "rb");
        if (!f)
            abort();
        n = fread(buf, 1, sizeof buf, f);
        fclose(f);
    }
    *len = n;
    return buf;
}

/* A refusal's message is read, as a user would (it must be a string). */
static void check(ward_config *cfg, ward_err e)
{
    const char *m = ward_config_error_message(cfg);
    if (e != WARD_OK && m && strlen(m) > 4096)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    unsigned which = data[0] % 4;
    size_t rest = size - 2, split = rest * data[1] / 255;
    const uint8_t *p = data + 2;
    ward_config *cfg = which == 2 ? ward_config_new_client() : ward_config_new_server();
    if (!cfg)
        return 0;
    uint8_t *a = dup_exact(p, split), *b = dup_exact(p + split, rest - split);
    uint8_t *all = dup_exact(p, rest);
    size_t klen;
    const uint8_t *key = read_pki_key(&klen);
    switch (which) {
    case 0: check(cfg, ward_config_set_cert_mem(cfg, a, split, b, rest - split)); break;
    case 1: check(cfg, ward_config_add_cert_mem(cfg, a, split, b, rest - split)); break;
    case 2: check(cfg, ward_config_add_ca_mem(cfg, all, rest)); break;
    case 3: check(cfg, ward_config_set_cert_mem(cfg, all, rest, key, klen)); break;
    }
    free(a);
    free(b);
    free(all);
    ward_config_free(cfg);
    return 0;
}
