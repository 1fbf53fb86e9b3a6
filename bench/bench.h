/* ward_bench: ward beside OpenSSL and GnuTLS, side by side in one run.
 *
 * One thread; a client and a server of the same library in one process,
 * talking over an in-memory transport. Each library sits behind the same
 * small adapter (bench_lib). Every library call is made between
 * side_enter() and side_leave(), which accumulate the time spent on that
 * side (client or server) and attribute heap use to it. */
#ifndef WARD_BENCH_H
#define WARD_BENCH_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* ---- sides: who is running when a clock ticks or a byte is allocated ---- */
enum { SIDE_NONE = 0, SIDE_CLIENT = 1, SIDE_SERVER = 2, SIDE_COUNT = 3 };

/* ---- heap accounting (alloc_count.c: malloc & co. interposed) ---- */
typedef struct {
    long long live[SIDE_COUNT];  /* bytes currently allocated, by side */
    long long peak[SIDE_COUNT];  /* largest live[] since alloc_reset_peaks */
    unsigned long long mallocs[SIDE_COUNT]; /* allocations (malloc, calloc, growing realloc...) */
} alloc_stats;

/* The side that new allocations and frees are charged to. */
extern int alloc_side;
/* A snapshot of the counters. */
void alloc_snapshot(alloc_stats *out);
/* peak[s] = live[s] for every side. */
void alloc_reset_peaks(void);

/* ---- clocks ----
 * bench_now: the clock every library call is timed with: CLOCK_MONOTONIC,
 * or with --cpu-clock CLOCK_THREAD_CPUTIME_ID (this thread's CPU time: on
 * a machine shared with other work, time spent descheduled is not counted;
 * each reading costs a system call, about 0.2-0.8 us, instead of ~30 ns).
 * bench_wall: how long a run lasts (always CLOCK_MONOTONIC). */
extern clockid_t bench_clock;
/* What an empty side_enter/side_leave interval measures: the clock's own
 * cost (one reading's worth; bench_calibrate_timer). Each interval has it
 * subtracted, so a library timed in many short intervals is not charged
 * the clock's system calls (the floors are timed in one interval). */
extern double bench_timer_cost;
double bench_calibrate_timer(void);

static inline double bench_read(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static inline double bench_now(void) { return bench_read(bench_clock); }
static inline double bench_wall(void) { return bench_read(CLOCK_MONOTONIC); }

/* Seconds spent inside library calls, per side. */
typedef struct {
    double sec[SIDE_COUNT];
    double t0;
    int side;
} bench_times;

/* Instruction counting of one side (ward_bench --instr ... --side S under
 * valgrind --tool=callgrind --collect-atstart=no): collection is toggled
 * on around that side's calls only. SIDE_NONE (the default): no toggling. */
extern int instr_side;
#if defined(__has_include)
#if __has_include(<valgrind/callgrind.h>)
#include <valgrind/callgrind.h>
#define BENCH_TOGGLE_COLLECT() CALLGRIND_TOGGLE_COLLECT
#endif
#endif
#ifndef BENCH_TOGGLE_COLLECT
#define BENCH_TOGGLE_COLLECT() ((void)0)
#endif

static inline void side_enter(bench_times *t, int side)
{
    alloc_side = side;
    t->side = side;
    if (side == instr_side)
        BENCH_TOGGLE_COLLECT();
    t->t0 = bench_now();
}

static inline void side_leave(bench_times *t)
{
    t->sec[t->side] += bench_now() - t->t0 - bench_timer_cost;
    if (t->side == instr_side)
        BENCH_TOGGLE_COLLECT();
    alloc_side = SIDE_NONE;
}

/* ---- the shared PKI (pki.c): CA -> leaf, written as PEM to a temp dir ---- */
enum { CERT_ECDSA = 0, CERT_RSA = 1, CERT_KINDS = 2 };

typedef struct {
    char dir[256];
    char ca[CERT_KINDS][300];    /* trust anchor (PEM) for each chain */
    char chain[CERT_KINDS][300]; /* the server's chain, leaf first (PEM) */
    char key[CERT_KINDS][300];   /* the leaf's private key (PKCS#8 PEM) */
    int keep;                    /* a directory given by the user: never removed */
} bench_pki;

/* Write the chains whose bit (1 << CERT_*) is set in kinds, into a new
 * temporary directory, or into dir when it is not NULL (kept: see
 * pki_use). */
int pki_create(bench_pki *pki, unsigned kinds, const char *dir);
/* Use the chains pki_create wrote into dir before (nothing is removed). */
int pki_use(bench_pki *pki, const char *dir);
void pki_remove(const bench_pki *pki);

/* ---- what a connection pair is configured for ---- */
enum { SUITE_AES128GCM = 0, SUITE_AES256GCM = 1, SUITE_CHACHA20 = 2, SUITE_KINDS = 3 };

typedef struct {
    int tls12;        /* 0: TLS 1.3 only; 1: TLS 1.2 only */
    int cert;         /* CERT_ECDSA or CERT_RSA */
    int suite;        /* SUITE_* */
    int tickets;      /* 1: tickets on (resumption measures); 0: off */
    const bench_pki *pki;
    int hybrid;       /* 1: X25519MLKEM768 instead of x25519 (TLS 1.3; ward only so far) */
} bench_setup;

#define BENCH_HOST "localhost"

/* ---- a library adapter ----
 * ctx_new builds the client and server configurations (outside any timed
 * region) and returns NULL when the library cannot do what the setup asks
 * (the measure then shows null for it). A pair is a connected client and
 * server; connect() runs a full handshake, resume() a resumed one (using a
 * session the ctx obtained in ctx_new). All library calls made by connect,
 * resume, transfer and close go through side_enter/side_leave on t. */
typedef struct bench_lib {
    const char *name;
    void *(*ctx_new)(const bench_setup *s);
    void (*ctx_free)(void *ctx);
    /* A full handshake, object creation included; NULL on failure. */
    void *(*connect)(void *ctx, bench_times *t);
    /* A resumed handshake; the function is NULL while the library has no
     * resumption (adding it is writing this one function). */
    void *(*resume)(void *ctx, bench_times *t);
    /* Send total bytes client -> server in writes of wlen bytes, reading
     * them on the server as they come; client time is the sender's, server
     * time the receiver's. Returns 1 when every byte arrived intact. */
    int (*transfer)(void *pair, const uint8_t *src, size_t wlen, size_t total,
                    bench_times *t);
    /* Free both ends (timed). */
    void (*close)(void *pair, bench_times *t);
    /* What was negotiated, for the sanity line at start. */
    void (*describe)(void *pair, char *buf, size_t cap);
} bench_lib;

extern const bench_lib bench_lib_ward;
extern const bench_lib bench_lib_openssl;
extern const bench_lib bench_lib_gnutls;

const char *bench_openssl_version(void);
const char *bench_gnutls_version(void);

/* ---- the floors (floor.c): libcrypto alone, no TLS ---- */
/* The primitives of one TLS 1.3 ECDSA-P256 x25519 server handshake;
 * returns seconds per handshake (measured over about `seconds`). */
double floor_server_handshake(const bench_pki *pki, double seconds);
/* Raw AEAD over records of len bytes (AAD 5, tag 16, new nonce per record);
 * decrypt = 0: seal, 1: open. Returns MB/s (10^6 bytes). */
double floor_aead_MBps(int suite, size_t len, int decrypt, double seconds);
int floor_init(void);
/* count server handshakes' primitives (for callgrind); 1 on success. */
int floor_handshakes(const bench_pki *pki, long count);

#endif
