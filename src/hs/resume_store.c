/* The server's resumption store: ticket keys, the 0-RTT single-use
 * register and the TLS 1.2 session cache, behind one lock (a
 * configuration is shared by threads).
 *
 * Ticket = key_name(16) || nonce(12) || AES-256-GCM(state) || tag(16),
 * with the key name as additional data. The nonce is random: 96 bits make
 * a collision negligible over a key's lifetime (it rotates).
 *
 * The store lives in shared anonymous memory with a process-shared lock,
 * made with the configuration: a server that forks a child per connection
 * (ward server does) keeps one set of keys, one replay register and one
 * session cache across its children. Pages are only touched when used. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/mem.h"
#include "crypto/crypto.h"
#include "hs/resume.h"

#define NAME_LEN 16
#define KEY_LEN 32
#define NONCE_LEN 12
#define TAG_LEN 16
#define REPLAY_SLOTS 4096

typedef struct {
    uint8_t name[NAME_LEN];
    uint8_t key[KEY_LEN];
} ticket_key;

typedef struct {
    uint8_t id[32];    /* SHA-256 of what was used */
    uint64_t expires;
} replay_slot;

typedef struct {
    uint8_t id[32];
    size_t id_len;
    uint64_t added;    /* order of insertion, for eviction */
    resume_state st;
} cache_slot;

struct resume_store {
    pthread_mutex_t lock;
    ticket_key cur, prev;
    int have_cur, have_prev;
    int fixed;                 /* keys given by the application: never rotated here */
    uint64_t cur_since;
    char *key_file;
    struct timespec key_file_mtime;
    uint64_t key_file_checked;
    replay_slot replay[REPLAY_SLOTS];
    cache_slot *cache;         /* shared mapping of cache_cap slots */
    size_t cache_cap, cache_n;
    uint64_t cache_clock;
    pid_t owner;               /* the process that made it: only it wipes it */
    ward_providers prov;       /* the configuration's clock and random source */
};

static uint64_t now_s(const resume_store *rs) { return (uint64_t)ward_time_s(&rs->prov); }

static void *shared_alloc(size_t n)
{
    void *p = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    return p == MAP_FAILED ? NULL : p;
}

static void shared_free(void *p, size_t n, int wipe)
{
    if (!p)
        return;
    if (wipe)
        ward_zeroize(p, n);
    munmap(p, n);
}

static int cache_map(resume_store *rs, size_t entries)
{
    rs->cache = entries ? shared_alloc(entries * sizeof *rs->cache) : NULL;
    rs->cache_cap = rs->cache ? entries : 0;
    rs->cache_n = 0;
    return !entries || rs->cache;
}

resume_store *resume_store_new(void)
{
    resume_store *rs = shared_alloc(sizeof *rs); /* zeroed */
    if (!rs)
        return NULL;
    pthread_mutexattr_t attr;
    pthread_mutexattr_init(&attr);
    pthread_mutexattr_setpshared(&attr, PTHREAD_PROCESS_SHARED);
    pthread_mutex_init(&rs->lock, &attr);
    pthread_mutexattr_destroy(&attr);
    /* A first key now, so that children forked later share it. */
    if (!cache_map(rs, 1024) ||
        !wres_is_ok(crypto_random_from(&rs->prov, (uint8_t *)&rs->cur, sizeof rs->cur))) {
        resume_store_free(rs);
        return NULL;
    }
    rs->have_cur = 1;
    rs->cur_since = now_s(rs);
    rs->owner = getpid();
    return rs;
}

void resume_store_set_providers(resume_store *rs, const ward_providers *p)
{
    pthread_mutex_lock(&rs->lock);
    /* A generated key comes from the source in use: the one drawn from
     * libcrypto's DRBG at creation is dropped, and the first ticket sealed
     * draws one from the new source (refresh_keys). */
    if (!rs->fixed && crypto_random_is_custom(p) && !crypto_random_is_custom(&rs->prov)) {
        ward_zeroize(&rs->cur, sizeof rs->cur);
        rs->have_cur = 0;
    }
    rs->prov = *p;
    pthread_mutex_unlock(&rs->lock);
}

/* A forked child that frees its copy of the configuration only unmaps:
 * the store is still its parent's and its siblings'. */
void resume_store_free(resume_store *rs)
{
    if (!rs)
        return;
    int owner = rs->owner == getpid();
    if (owner)
        pthread_mutex_destroy(&rs->lock);
    free(rs->key_file);
    shared_free(rs->cache, rs->cache_cap * sizeof *rs->cache, owner);
    shared_free(rs, sizeof *rs, owner);
}

static void install_keys(resume_store *rs, const uint8_t *keys, size_t len)
{
    memcpy(&rs->cur, keys, RESUME_TICKET_KEY_LEN);
    rs->have_cur = 1;
    rs->have_prev = len == 2 * RESUME_TICKET_KEY_LEN;
    if (rs->have_prev)
        memcpy(&rs->prev, keys + RESUME_TICKET_KEY_LEN, RESUME_TICKET_KEY_LEN);
    else
        ward_zeroize(&rs->prev, sizeof rs->prev);
    rs->cur_since = now_s(rs);
}

wres resume_store_set_keys(resume_store *rs, const uint8_t *keys, size_t len)
{
    ENSURE(len == RESUME_TICKET_KEY_LEN || len == 2 * RESUME_TICKET_KEY_LEN, WARD_ERR_CONFIG);
    pthread_mutex_lock(&rs->lock);
    install_keys(rs, keys, len);
    rs->fixed = 1;
    pthread_mutex_unlock(&rs->lock);
    return wres_ok();
}

static int hexval(int ch)
{
    if (ch >= '0' && ch <= '9')
        return ch - '0';
    if (ch >= 'a' && ch <= 'f')
        return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F')
        return ch - 'A' + 10;
    return -1;
}

/* One or two lines of 96 hex digits; blank lines and '#' comments skipped. */
static WARD_MUST_CHECK wres read_key_file(const char *path, uint8_t *keys, size_t *len)
{
    FILE *f = fopen(path, "r");
    ENSURE(f, WARD_ERR_CONFIG);
    char line[256];
    size_t n = 0;
    wres r = wres_ok();
    while (wres_is_ok(r) && fgets(line, sizeof line, f)) {
        size_t l = strcspn(line, "\r\n");
        line[l] = '\0';
        if (l == 0 || line[0] == '#')
            continue;
        if (l != 2 * RESUME_TICKET_KEY_LEN || n == 2) {
            r = wres_err(WARD_ERR_CONFIG);
            break;
        }
        for (size_t i = 0; i < RESUME_TICKET_KEY_LEN; i++) {
            int hi = hexval(line[2 * i]), lo = hexval(line[2 * i + 1]);
            if (hi < 0 || lo < 0) {
                r = wres_err(WARD_ERR_CONFIG);
                break;
            }
            keys[n * RESUME_TICKET_KEY_LEN + i] = (uint8_t)(hi << 4 | lo);
        }
        n++;
    }
    ward_zeroize(line, sizeof line);
    fclose(f);
    GUARD(r);
    ENSURE(n >= 1, WARD_ERR_CONFIG);
    *len = n * RESUME_TICKET_KEY_LEN;
    return wres_ok();
}

wres resume_store_set_key_file(resume_store *rs, const char *path)
{
    uint8_t keys[2 * RESUME_TICKET_KEY_LEN];
    size_t len;
    struct stat st;
    ENSURE(stat(path, &st) == 0, WARD_ERR_CONFIG);
    wres r = read_key_file(path, keys, &len);
    if (wres_is_ok(r)) {
        char *copy = strdup(path);
        pthread_mutex_lock(&rs->lock);
        install_keys(rs, keys, len);
        rs->fixed = 1;
        free(rs->key_file);
        rs->key_file = copy;
        rs->key_file_mtime = st.st_mtim;
        rs->key_file_checked = now_s(rs);
        pthread_mutex_unlock(&rs->lock);
        if (!copy)
            r = wres_err(WARD_ERR_NOMEM);
    }
    ward_zeroize(keys, sizeof keys);
    return r;
}

/* Under the lock: pick up a changed key file (at most once a second; a
 * file that fails to parse leaves the keys as they were), or rotate a
 * generated key that has served its time. */
static WARD_MUST_CHECK wres refresh_keys(resume_store *rs, uint32_t rotate_after)
{
    uint64_t now = now_s(rs);
    if (rs->key_file && now != rs->key_file_checked) {
        struct stat st;
        rs->key_file_checked = now;
        if (stat(rs->key_file, &st) == 0 &&
            (st.st_mtim.tv_sec != rs->key_file_mtime.tv_sec ||
             st.st_mtim.tv_nsec != rs->key_file_mtime.tv_nsec)) {
            uint8_t keys[2 * RESUME_TICKET_KEY_LEN];
            size_t len;
            if (wres_is_ok(read_key_file(rs->key_file, keys, &len))) {
                install_keys(rs, keys, len);
                rs->key_file_mtime = st.st_mtim;
            }
            ward_zeroize(keys, sizeof keys);
        }
    }
    if (rs->fixed)
        return wres_ok();
    if (rs->have_cur && now - rs->cur_since < rotate_after)
        return wres_ok();
    if (rs->have_cur) {
        rs->prev = rs->cur;
        rs->have_prev = 1;
    }
    GUARD(crypto_random_from(&rs->prov, (uint8_t *)&rs->cur, sizeof rs->cur));
    rs->have_cur = 1;
    rs->cur_since = now;
    return wres_ok();
}

static WARD_MUST_CHECK wres gcm(const ticket_key *k, int encrypt, const uint8_t *nonce,
                                const uint8_t *in, size_t inlen, uint8_t *out)
{
    crypto_aead a;
    GUARD(crypto_aead_init(&a, AEAD_AES_256_GCM, k->key, encrypt));
    wres r = encrypt ? crypto_aead_seal(&a, nonce, k->name, NAME_LEN, in, inlen, out)
                     : crypto_aead_open(&a, nonce, k->name, NAME_LEN, in, inlen, out);
    crypto_aead_free(&a);
    return r;
}

wres resume_ticket_seal(resume_store *rs, const resume_state *s, uint32_t rotate_after,
                        uint8_t *out, size_t cap, size_t *len)
{
    uint8_t pt[RESUME_MAX_STATE];
    wr w = wr_of(pt, sizeof pt);
    GUARD(resume_state_encode(&w, s));
    wres r = wr_status(&w);
    if (wres_is_ok(r) && cap < NAME_LEN + NONCE_LEN + w.len + TAG_LEN)
        r = wres_err(WARD_ERR_INTERNAL);
    ticket_key k;
    if (wres_is_ok(r)) {
        pthread_mutex_lock(&rs->lock);
        r = refresh_keys(rs, rotate_after ? rotate_after : 1);
        k = rs->cur;
        pthread_mutex_unlock(&rs->lock);
    }
    if (wres_is_ok(r)) {
        memcpy(out, k.name, NAME_LEN);
        r = crypto_random_from(&rs->prov, out + NAME_LEN, NONCE_LEN);
    }
    if (wres_is_ok(r))
        r = gcm(&k, 1, out + NAME_LEN, pt, w.len, out + NAME_LEN + NONCE_LEN);
    if (wres_is_ok(r))
        *len = NAME_LEN + NONCE_LEN + w.len + TAG_LEN;
    ward_zeroize(pt, sizeof pt);
    ward_zeroize(&k, sizeof k);
    return r;
}

int resume_ticket_open(resume_store *rs, const uint8_t *t, size_t len, resume_state *s)
{
    if (len < NAME_LEN + NONCE_LEN + TAG_LEN + 1 || len > NAME_LEN + NONCE_LEN + RESUME_MAX_STATE + TAG_LEN)
        return 0;
    ticket_key k;
    int found = 0;
    pthread_mutex_lock(&rs->lock);
    wres_ignore(refresh_keys(rs, UINT32_MAX)); /* a changed key file, no rotation */
    if (rs->have_cur && memcmp(t, rs->cur.name, NAME_LEN) == 0) {
        k = rs->cur;
        found = 1;
    } else if (rs->have_prev && memcmp(t, rs->prev.name, NAME_LEN) == 0) {
        k = rs->prev;
        found = 1;
    }
    pthread_mutex_unlock(&rs->lock);
    if (!found)
        return 0;
    uint8_t pt[RESUME_MAX_STATE];
    size_t ctlen = len - NAME_LEN - NONCE_LEN;
    int ok = wres_is_ok(gcm(&k, 0, t + NAME_LEN, t + NAME_LEN + NONCE_LEN, ctlen, pt));
    if (ok) {
        rd r = rd_of(pt, ctlen - TAG_LEN);
        ok = wres_is_ok(resume_state_decode(&r, s)) && rd_left(&r) == 0;
    }
    ward_zeroize(pt, sizeof pt);
    ward_zeroize(&k, sizeof k);
    return ok;
}

int resume_first_use(resume_store *rs, const uint8_t *id, size_t len, uint64_t expires)
{
    uint8_t h[32];
    if (!wres_is_ok(crypto_sha256(id, len, h)))
        return 0;
    uint64_t now = now_s(rs);
    int fresh = 0;
    pthread_mutex_lock(&rs->lock);
    {
        replay_slot *free_slot = NULL;
        fresh = 1;
        for (size_t i = 0; i < REPLAY_SLOTS; i++) {
            replay_slot *e = &rs->replay[i];
            if (e->expires <= now) {
                if (!free_slot)
                    free_slot = e;
                continue;
            }
            if (memcmp(e->id, h, 32) == 0)
                fresh = 0;
        }
        if (fresh && free_slot) {
            memcpy(free_slot->id, h, 32);
            free_slot->expires = expires;
        } else {
            fresh = 0; /* seen before, or no room to remember it: refuse */
        }
    }
    pthread_mutex_unlock(&rs->lock);
    return fresh;
}

wres resume_cache_set_size(resume_store *rs, size_t entries)
{
    pthread_mutex_lock(&rs->lock);
    shared_free(rs->cache, rs->cache_cap * sizeof *rs->cache, 1);
    int ok = cache_map(rs, entries);
    pthread_mutex_unlock(&rs->lock);
    return ok ? wres_ok() : wres_err(WARD_ERR_NOMEM);
}

int resume_cache_enabled(const resume_store *rs) { return rs->cache_cap > 0; }

wres resume_cache_put(resume_store *rs, const uint8_t *id, size_t id_len, const resume_state *s)
{
    ENSURE(id_len >= 1 && id_len <= 32, WARD_ERR_INTERNAL);
    wres r = wres_ok();
    pthread_mutex_lock(&rs->lock);
    if (rs->cache) {
        size_t at = rs->cache_n;
        if (rs->cache_n == rs->cache_cap) { /* full: replace the oldest */
            at = 0;
            for (size_t i = 1; i < rs->cache_n; i++)
                if (rs->cache[i].added < rs->cache[at].added)
                    at = i;
        } else {
            rs->cache_n++;
        }
        cache_slot *e = &rs->cache[at];
        memcpy(e->id, id, id_len);
        e->id_len = id_len;
        e->added = ++rs->cache_clock;
        e->st = *s;
    }
    pthread_mutex_unlock(&rs->lock);
    return r;
}

int resume_cache_get(resume_store *rs, const uint8_t *id, size_t id_len, uint64_t now,
                     resume_state *s)
{
    int found = 0;
    pthread_mutex_lock(&rs->lock);
    for (size_t i = 0; rs->cache && i < rs->cache_n && !found; i++) {
        cache_slot *e = &rs->cache[i];
        if (e->id_len == id_len && memcmp(e->id, id, id_len) == 0 &&
            !resume_state_expired(&e->st, now)) {
            *s = e->st;
            found = 1;
        }
    }
    pthread_mutex_unlock(&rs->lock);
    return found;
}
