/* Parsed peer certificates, kept per trust store.
 *
 * OpenSSL 3 parses a certificate expensively: decoding its public key goes
 * through the provider decoder machinery, and a two-certificate chain took
 * some 1,300 allocations, four fifths of a client's whole handshake. A
 * client mostly meets the same few servers again, so the certificates it
 * parsed are kept, keyed by the SHA-256 of their DER, and handed out as new
 * references. Only the parsing is saved: every handshake still verifies the
 * chain (signatures, validity at this moment, names, purpose) from scratch.
 *
 * A parsed X509 is a pure function of its DER, and libcrypto lets threads
 * share one (the lazily computed extension flags are under its own lock).
 * The cache holds CERT_CACHE_SLOTS certificates and replaces the least
 * recently used; its lock is held only to look up and to insert, never
 * while parsing. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/crypto_int.h"

#define CERT_CACHE_SLOTS 16

typedef struct {
    uint8_t hash[32];
    X509 *x; /* NULL: empty slot */
    uint64_t used;
} cert_slot;

struct cert_cache {
    pthread_mutex_t lock;
    uint64_t clock;
    cert_slot slots[CERT_CACHE_SLOTS];
};

cert_cache *cert_cache_new(void)
{
    cert_cache *c = calloc(1, sizeof *c);
    if (c && pthread_mutex_init(&c->lock, NULL) != 0) {
        free(c);
        return NULL;
    }
    return c;
}

void cert_cache_free(cert_cache *c)
{
    if (!c)
        return;
    for (int i = 0; i < CERT_CACHE_SLOTS; i++)
        X509_free(c->slots[i].x);
    pthread_mutex_destroy(&c->lock);
    free(c);
}

/* A new reference to the cached certificate with this hash, or NULL. */
static X509 *cache_find(cert_cache *c, const uint8_t hash[32])
{
    X509 *found = NULL;
    pthread_mutex_lock(&c->lock);
    for (int i = 0; i < CERT_CACHE_SLOTS; i++) {
        cert_slot *s = &c->slots[i];
        if (s->x && memcmp(s->hash, hash, 32) == 0) {
            if (X509_up_ref(s->x) == 1) {
                found = s->x;
                s->used = ++c->clock;
            }
            break;
        }
    }
    pthread_mutex_unlock(&c->lock);
    return found;
}

/* Keep x (a reference is taken) in an empty or the least recently used
 * slot, unless another thread has just added the same certificate. */
static void cache_add(cert_cache *c, const uint8_t hash[32], X509 *x)
{
    pthread_mutex_lock(&c->lock);
    cert_slot *victim = &c->slots[0];
    int present = 0;
    for (int i = 0; i < CERT_CACHE_SLOTS && !present; i++) {
        cert_slot *s = &c->slots[i];
        if (s->x && memcmp(s->hash, hash, 32) == 0)
            present = 1;
        else if (!s->x || (victim->x && s->used < victim->used))
            victim = s;
    }
    if (!present && X509_up_ref(x) == 1) {
        X509_free(victim->x);
        memcpy(victim->hash, hash, 32);
        victim->x = x;
        victim->used = ++c->clock;
    }
    pthread_mutex_unlock(&c->lock);
}

X509 *cert_cache_parse(cert_cache *c, const uint8_t *der, size_t len)
{
    uint8_t hash[32];
    if (!c || !wres_is_ok(crypto_sha256(der, len, hash)))
        return crypto_x509_parse(der, len);
    X509 *x = cache_find(c, hash);
    if (x)
        return x;
    x = crypto_x509_parse(der, len);
    if (x)
        cache_add(c, hash, x);
    return x;
}
