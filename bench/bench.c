/* ward_bench: ward beside OpenSSL and GnuTLS, side by side in one run.
 *
 *   ward_bench [--rounds N] [--seconds S] [--cpu-clock] [JSON_PATH]
 *       every measure, the libraries interleaved (ward, openssl, gnutls,
 *       ward, ...) over N rounds of about S seconds per library per
 *       measure; prints a table (median and min per library, the floor, the
 *       ratios ward/OpenSSL and ward/GnuTLS) and writes JSON (default
 *       build/bench.json). Library calls are timed with CLOCK_MONOTONIC, or
 *       with --cpu-clock the thread's CPU time (for a busy, shared machine).
 *   ward_bench --instr NAME --lib ward|openssl|gnutls --count N
 *       N handshakes of one library only, inside bench_instr_run (for
 *       valgrind --tool=callgrind --toggle-collect=bench_instr_run).
 *       NAME: tls13_full_ecdsa, tls13_full_rsa2048, tls12_full_ecdsa,
 *       tls13_resumed, tls12_resumed; or bulk_SUITE_SIZE (e.g.
 *       bulk_aes128gcm_16k): N records of that size, client -> server,
 *       over one established connection.
 *
 * Client and server run in this one thread over in-memory transports; the
 * time of each side is the sum of the time spent in its own library calls
 * (bench.h: side_enter/side_leave). Configurations, keys and certificates
 * are loaded before any clock runs. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "bench.h"

#ifndef WARD_BENCH_VERSION
#define WARD_BENCH_VERSION "unknown"
#endif

#define NLIB 3
#define MAX_ROUNDS 32

static const bench_lib *const libs[NLIB] = {&bench_lib_ward, &bench_lib_openssl,
                                            &bench_lib_gnutls};

/* ---- measures (the JSON contract: names and units) ---- */

typedef struct {
    const char *name;
    const char *unit;
    double v[NLIB][MAX_ROUNDS];
    int n[NLIB];
    double floor[MAX_ROUNDS];
    int nfloor;
} measure;

enum {
    M_T13_ECDSA_S, M_T13_ECDSA_C, M_T13_RSA_S, M_T13_RSA_C,
    M_T12_ECDSA_S, M_T13_RES_S, M_T12_RES_S, M_T13_PQ_S, M_T13_PQ_C,
    M_BULK, /* 12 entries: suite x {16k, 1400} x {send, recv} */
    M_HEAP = M_BULK + SUITE_KINDS * 2 * 2,
    M_HEAP_PEAK = M_HEAP, M_HEAP_PEAK_C, M_HEAP_PEAK_S,
    M_HEAP_IDLE, M_HEAP_IDLE_C, M_HEAP_IDLE_S,
    M_MALLOCS, M_MALLOCS_C, M_MALLOCS_S,
    M_COUNT
};

static measure measures[M_COUNT];
static char bulk_names[SUITE_KINDS * 4][64];

static const char *const suite_tags[SUITE_KINDS] = {"aes128gcm", "aes256gcm", "chacha20poly1305"};
static const size_t bulk_sizes[2] = {16384, 1400};
static const char *const size_tags[2] = {"16k", "1400"};

static int bulk_index(int suite, int size, int recv)
{
    return M_BULK + (suite * 2 + size) * 2 + recv;
}

static void define_measures(void)
{
    static const struct {
        int id;
        const char *name, *unit;
    } fixed[] = {
        {M_T13_ECDSA_S, "tls13_full_ecdsa_server_hs_per_s", "hs/s"},
        {M_T13_ECDSA_C, "tls13_full_ecdsa_client_hs_per_s", "hs/s"},
        {M_T13_RSA_S, "tls13_full_rsa2048_server_hs_per_s", "hs/s"},
        {M_T13_RSA_C, "tls13_full_rsa2048_client_hs_per_s", "hs/s"},
        {M_T12_ECDSA_S, "tls12_full_ecdsa_server_hs_per_s", "hs/s"},
        {M_T13_RES_S, "tls13_resumed_server_hs_per_s", "hs/s"},
        {M_T12_RES_S, "tls12_resumed_server_hs_per_s", "hs/s"},
        {M_T13_PQ_S, "tls13_full_ecdsa_x25519mlkem768_server_hs_per_s", "hs/s"},
        {M_T13_PQ_C, "tls13_full_ecdsa_x25519mlkem768_client_hs_per_s", "hs/s"},
        {M_HEAP_PEAK, "heap_bytes_handshake_peak", "bytes"},
        {M_HEAP_PEAK_C, "heap_bytes_handshake_peak_client", "bytes"},
        {M_HEAP_PEAK_S, "heap_bytes_handshake_peak_server", "bytes"},
        {M_HEAP_IDLE, "heap_bytes_established_idle", "bytes"},
        {M_HEAP_IDLE_C, "heap_bytes_established_idle_client", "bytes"},
        {M_HEAP_IDLE_S, "heap_bytes_established_idle_server", "bytes"},
        {M_MALLOCS, "mallocs_per_full_handshake", "allocs"},
        {M_MALLOCS_C, "mallocs_per_full_handshake_client", "allocs"},
        {M_MALLOCS_S, "mallocs_per_full_handshake_server", "allocs"},
    };
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++) {
        measures[fixed[i].id].name = fixed[i].name;
        measures[fixed[i].id].unit = fixed[i].unit;
    }
    for (int s = 0; s < SUITE_KINDS; s++)
        for (int z = 0; z < 2; z++)
            for (int r = 0; r < 2; r++) {
                int id = bulk_index(s, z, r);
                char *name = bulk_names[id - M_BULK];
                snprintf(name, sizeof bulk_names[0], "bulk_%s_%s_%s_MBps", suite_tags[s],
                         size_tags[z], r ? "recv" : "send");
                measures[id].name = name;
                measures[id].unit = "MB/s";
            }
}

static void record(int m, int lib, double v)
{
    measure *x = &measures[m];
    if (x->n[lib] < MAX_ROUNDS)
        x->v[lib][x->n[lib]++] = v;
}

static void record_floor(int m, double v)
{
    measure *x = &measures[m];
    if (x->nfloor < MAX_ROUNDS)
        x->floor[x->nfloor++] = v;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(const double *v, int n)
{
    double s[MAX_ROUNDS];
    memcpy(s, v, (size_t)n * sizeof *v);
    qsort(s, (size_t)n, sizeof *s, cmp_double);
    return n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

static double minimum(const double *v, int n)
{
    double m = v[0];
    for (int i = 1; i < n; i++)
        m = v[i] < m ? v[i] : m;
    return m;
}

/* ---- workloads ---- */

/* A handshake workload: one configuration, full or resumed; fills the
 * server measure and (when >= 0) the client measure. */
typedef struct {
    const char *instr_name;
    bench_setup setup;
    int resumed;
    int m_server, m_client;
    void *ctx[NLIB];
} hs_work;

static hs_work hs_works[] = {
    {"tls13_full_ecdsa", {0, CERT_ECDSA, SUITE_AES128GCM, 0, NULL, 0}, 0, M_T13_ECDSA_S,
     M_T13_ECDSA_C, {0}},
    {"tls13_full_rsa2048", {0, CERT_RSA, SUITE_AES128GCM, 0, NULL, 0}, 0, M_T13_RSA_S, M_T13_RSA_C,
     {0}},
    {"tls12_full_ecdsa", {1, CERT_ECDSA, SUITE_AES128GCM, 0, NULL, 0}, 0, M_T12_ECDSA_S, -1, {0}},
    {"tls13_resumed", {0, CERT_ECDSA, SUITE_AES128GCM, 1, NULL, 0}, 1, M_T13_RES_S, -1, {0}},
    {"tls12_resumed", {1, CERT_ECDSA, SUITE_AES128GCM, 1, NULL, 0}, 1, M_T12_RES_S, -1, {0}},
    /* The post-quantum hybrid beside x25519 (OpenSSL 3.0 and GnuTLS 3.7 lack it). */
    {"tls13_full_ecdsa_pq", {0, CERT_ECDSA, SUITE_AES128GCM, 0, NULL, 1}, 0, M_T13_PQ_S,
     M_T13_PQ_C, {0}},
};
#define N_HS_WORKS (sizeof hs_works / sizeof hs_works[0])

/* Bulk contexts: TLS 1.3, ECDSA, one per suite. */
static void *bulk_ctx[SUITE_KINDS][NLIB];

static int lib_can(const bench_lib *lib, void *ctx, int resumed)
{
    return ctx && (!resumed || lib->resume);
}

/* What the bulk measures send. */
static uint8_t bulk_src[16384];

static void fill_src(void)
{
    for (size_t i = 0; i < sizeof bulk_src; i++)
        bulk_src[i] = (uint8_t)(i * 131 + 7);
}

/* Handshakes for about `seconds`; per-side handshakes/s. */
static int run_handshakes(const bench_lib *lib, void *ctx, int resumed, double seconds,
                          double *server, double *client)
{
    bench_times t = {0};
    long n = 0;
    double start = bench_wall();
    do {
        void *p = resumed ? lib->resume(ctx, &t) : lib->connect(ctx, &t);
        if (!p)
            return 0;
        lib->close(p, &t);
        n++;
    } while (bench_wall() - start < seconds);
    *server = (double)n / t.sec[SIDE_SERVER];
    *client = (double)n / t.sec[SIDE_CLIENT];
    return 1;
}

/* Bulk for about `seconds` over one established pair; MB/s per direction. */
static int run_bulk(const bench_lib *lib, void *ctx, size_t wlen, double seconds, double *send,
                    double *recv)
{
    const uint8_t *src = bulk_src;
    bench_times untimed = {0}, t = {0};
    void *p = lib->connect(ctx, &untimed);
    if (!p)
        return 0;
    size_t chunk = (65536 / wlen) * wlen * 16, bytes = 0;
    int ok = 1;
    double start = bench_wall();
    do {
        ok = lib->transfer(p, src, wlen, chunk, &t);
        bytes += chunk;
    } while (ok && bench_wall() - start < seconds);
    lib->close(p, &untimed);
    if (!ok) {
        fprintf(stderr, "%s: bulk transfer failed\n", lib->name);
        return 0;
    }
    *send = (double)bytes / 1e6 / t.sec[SIDE_CLIENT];
    *recv = (double)bytes / 1e6 / t.sec[SIDE_SERVER];
    return 1;
}

/* Heap of one connection pair (full TLS 1.3 ECDSA handshake), by side:
 * the peak during creation + handshake and what stays live once
 * established, both over the live bytes before; allocations made. */
static int run_heap(const bench_lib *lib, void *ctx, int lib_i)
{
    bench_times t = {0};
    for (int i = 0; i < 3; i++) { /* warm: lazily filled caches, fetches */
        void *p = lib->connect(ctx, &t);
        if (!p)
            return 0;
        lib->close(p, &t);
    }
    for (int i = 0; i < 3; i++) {
        alloc_stats a, b;
        alloc_snapshot(&a);
        alloc_reset_peaks();
        void *p = lib->connect(ctx, &t);
        alloc_snapshot(&b);
        if (!p)
            return 0;
        lib->close(p, &t);
        double peak_c = (double)(b.peak[SIDE_CLIENT] - a.live[SIDE_CLIENT]);
        double peak_s = (double)(b.peak[SIDE_SERVER] - a.live[SIDE_SERVER]);
        double idle_c = (double)(b.live[SIDE_CLIENT] - a.live[SIDE_CLIENT]);
        double idle_s = (double)(b.live[SIDE_SERVER] - a.live[SIDE_SERVER]);
        double mal_c = (double)(b.mallocs[SIDE_CLIENT] - a.mallocs[SIDE_CLIENT]);
        double mal_s = (double)(b.mallocs[SIDE_SERVER] - a.mallocs[SIDE_SERVER]);
        record(M_HEAP_PEAK, lib_i, peak_c + peak_s);
        record(M_HEAP_PEAK_C, lib_i, peak_c);
        record(M_HEAP_PEAK_S, lib_i, peak_s);
        record(M_HEAP_IDLE, lib_i, idle_c + idle_s);
        record(M_HEAP_IDLE_C, lib_i, idle_c);
        record(M_HEAP_IDLE_S, lib_i, idle_s);
        record(M_MALLOCS, lib_i, mal_c + mal_s);
        record(M_MALLOCS_C, lib_i, mal_c);
        record(M_MALLOCS_S, lib_i, mal_s);
    }
    return 1;
}

/* ---- output ---- */

static void cpu_model(char *out, size_t cap)
{
    snprintf(out, cap, "unknown");
    FILE *f = fopen("/proc/cpuinfo", "r");
    if (!f)
        return;
    char line[512];
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, "model name", 10) != 0)
            continue;
        char *v = strchr(line, ':');
        if (!v)
            break;
        v++;
        while (*v == ' ' || *v == '\t')
            v++;
        v[strcspn(v, "\n")] = '\0';
        snprintf(out, cap, "%s", v);
        break;
    }
    fclose(f);
}

static void json_string(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch == '"' || ch == '\\')
            fprintf(f, "\\%c", ch);
        else if (ch < 0x20)
            fprintf(f, "\\u%04x", ch);
        else
            fputc(ch, f);
    }
    fputc('"', f);
}

static void json_number(FILE *f, int have, double v)
{
    if (have)
        fprintf(f, "%.6g", v);
    else
        fputs("null", f);
}

static int write_json(const char *path, const char *cpu, int rounds, double seconds)
{
    /* Make the parent directory (one level: "build/") when missing. */
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (slash && slash != dir) {
        *slash = '\0';
        if (mkdir(dir, 0777) != 0 && errno != EEXIST)
            fprintf(stderr, "cannot create %s: %s\n", dir, strerror(errno));
    }
    FILE *f = fopen(path, "w");
    if (!f) {
        fprintf(stderr, "cannot write %s: %s\n", path, strerror(errno));
        return 0;
    }
    fputs("{\n  \"cpu\": ", f);
    json_string(f, cpu);
    fputs(",\n  \"versions\": {\"ward\": ", f);
    json_string(f, WARD_BENCH_VERSION);
    fputs(", \"openssl\": ", f);
    json_string(f, bench_openssl_version());
    fputs(", \"gnutls\": ", f);
    json_string(f, bench_gnutls_version());
    fprintf(f,
            "},\n  \"rounds\": %d,\n  \"seconds_per_run\": %g,\n  \"clock\": \"%s\",\n"
            "  \"clock_reading_ns\": %.1f,\n  \"measures\": [\n",
            rounds, seconds, bench_clock == CLOCK_MONOTONIC ? "monotonic" : "thread_cputime",
            bench_timer_cost * 1e9);
    for (int m = 0; m < M_COUNT; m++) {
        const measure *x = &measures[m];
        fputs("    {\"name\": ", f);
        json_string(f, x->name);
        fputs(", \"unit\": ", f);
        json_string(f, x->unit);
        for (int l = 0; l < NLIB; l++) {
            fprintf(f, ", \"%s\": ", libs[l]->name);
            json_number(f, x->n[l] > 0, x->n[l] ? median(x->v[l], x->n[l]) : 0);
        }
        fputs(", \"floor\": ", f);
        json_number(f, x->nfloor > 0, x->nfloor ? median(x->floor, x->nfloor) : 0);
        fputs(", \"min\": {", f);
        for (int l = 0; l < NLIB; l++) {
            fprintf(f, "%s\"%s\": ", l ? ", " : "", libs[l]->name);
            json_number(f, x->n[l] > 0, x->n[l] ? minimum(x->v[l], x->n[l]) : 0);
        }
        fprintf(f, "}}%s\n", m + 1 < M_COUNT ? "," : "");
    }
    fputs("  ]\n}\n", f);
    return fclose(f) == 0;
}

static void fmt_value(char *out, size_t cap, double v)
{
    if (v >= 100)
        snprintf(out, cap, "%.0f", v);
    else
        snprintf(out, cap, "%.1f", v);
}

static void print_table(void)
{
    printf("\n%-36s %-6s %-17s %-17s %-17s %-9s %-8s %-8s\n", "measure", "unit",
           "ward med (min)", "openssl med (min)", "gnutls med (min)", "floor", "w/ossl",
           "w/gnutls");
    for (int m = 0; m < M_COUNT; m++) {
        const measure *x = &measures[m];
        char cell[NLIB][48], fl[24] = "-", r1[16] = "-", r2[16] = "-";
        double med[NLIB];
        for (int l = 0; l < NLIB; l++) {
            if (x->n[l] == 0) {
                snprintf(cell[l], sizeof cell[l], "null");
                continue;
            }
            char a[20], b[20];
            med[l] = median(x->v[l], x->n[l]);
            fmt_value(a, sizeof a, med[l]);
            fmt_value(b, sizeof b, minimum(x->v[l], x->n[l]));
            snprintf(cell[l], sizeof cell[l], "%s (%s)", a, b);
        }
        if (x->nfloor)
            fmt_value(fl, sizeof fl, median(x->floor, x->nfloor));
        if (x->n[0] && x->n[1] && med[1] != 0)
            snprintf(r1, sizeof r1, "%.2f", med[0] / med[1]);
        if (x->n[0] && x->n[2] && med[2] != 0)
            snprintf(r2, sizeof r2, "%.2f", med[0] / med[2]);
        printf("%-36s %-6s %-17s %-17s %-17s %-9s %-8s %-8s\n", x->name, x->unit, cell[0],
               cell[1], cell[2], fl, r1, r2);
    }
    printf("\nhs/s per side = handshakes / seconds inside that side's library calls "
           "(object creation and free included).\n"
           "MB/s = 10^6 bytes of application data / seconds inside the sender's (send) or "
           "receiver's (recv) calls.\n"
           "floor: hs/s the libcrypto primitives alone allow (server side); bulk: raw EVP "
           "AEAD seal (send) or open (recv) per record.\n"
           "heap: bytes per connection pair side (client/server; unsuffixed = both), "
           "counted by interposing malloc & co. for the whole process.\n"
           "ratios: ward / other (hs/s, MB/s: above 1 is ward faster; bytes, allocs: above 1 "
           "is ward bigger).\n");
}

/* ---- modes ---- */

static int find_lib(const char *name)
{
    for (int l = 0; l < NLIB; l++)
        if (strcmp(libs[l]->name, name) == 0)
            return l;
    return -1;
}

int bench_instr_run(const bench_lib *lib, void *ctx, void *pair, int resumed, size_t wlen,
                    long count) __attribute__((noinline));

/* What callgrind counts (--toggle-collect=bench_instr_run): count
 * handshakes, or with a pair, count records of wlen bytes client -> server. */
int bench_instr_run(const bench_lib *lib, void *ctx, void *pair, int resumed, size_t wlen,
                    long count)
{
    bench_times t = {0};
    if (pair)
        return lib->transfer(pair, bulk_src, wlen, wlen * (size_t)count, &t);
    for (long i = 0; i < count; i++) {
        void *p = resumed ? lib->resume(ctx, &t) : lib->connect(ctx, &t);
        if (!p)
            return 0;
        lib->close(p, &t);
    }
    return 1;
}

int instr_side = SIDE_NONE;
clockid_t bench_clock = CLOCK_MONOTONIC;
double bench_timer_cost = 0;

/* The median of many empty intervals, read exactly as side_enter and
 * side_leave read them. */
double bench_calibrate_timer(void)
{
    enum { N = 2001 };
    static double d[N];
    for (int i = 0; i < N; i++) {
        double t0 = bench_now();
        d[i] = bench_now() - t0;
    }
    qsort(d, N, sizeof d[0], cmp_double);
    return d[N / 2];
}

/* --instr NAME: a handshake workload (hs_works[].instr_name),
 * bulk_SUITE_SIZE (bulk_aes128gcm_16k, bulk_chacha20poly1305_1400, ...)
 * or floor_server_hs (the handshake floor's primitives, libcrypto only).
 * side: SIDE_NONE (collect inside bench_instr_run) or the one side whose
 * calls are collected (valgrind --collect-atstart=no). */
static int instr_mode(const char *name, const char *libname, long count, int side,
                      const char *pki_dir)
{
    int l = find_lib(libname), bulk_suite = -1, bulk_size = -1;
    hs_work *w = NULL;
    for (size_t i = 0; i < N_HS_WORKS; i++)
        if (strncmp(name, hs_works[i].instr_name, strlen(hs_works[i].instr_name)) == 0)
            w = &hs_works[i];
    for (int s = 0; s < SUITE_KINDS; s++)
        for (int z = 0; z < 2; z++) {
            char b[64];
            snprintf(b, sizeof b, "bulk_%s_%s", suite_tags[s], size_tags[z]);
            if (strcmp(name, b) == 0) {
                bulk_suite = s;
                bulk_size = z;
            }
        }
    int is_floor = strcmp(name, "floor_server_hs") == 0;
    if (l < 0 || (!w && bulk_suite < 0 && !is_floor)) {
        fprintf(stderr, "unknown --instr workload or --lib\n");
        return 2;
    }
    bench_setup bulk_setup = {0, CERT_ECDSA, bulk_suite, 0, NULL, 0};
    bench_setup *setup = w ? &w->setup : &bulk_setup;
    bench_pki pki;
    int have_pki = pki_dir ? pki_use(&pki, pki_dir) : pki_create(&pki, 1u << setup->cert, NULL);
    if (!have_pki) {
        fprintf(stderr, "cannot create or find the PKI%s%s\n", pki_dir ? " in " : "",
                pki_dir ? pki_dir : "");
        pki_remove(&pki);
        return 1;
    }
    if (is_floor) {
        instr_side = side;
        int ok = floor_init() && floor_handshakes(&pki, count);
        instr_side = SIDE_NONE;
        pki_remove(&pki);
        printf("floor_server_hs: %ld handshakes' primitives %s\n", count, ok ? "ok" : "FAILED");
        return ok ? 0 : 1;
    }
    setup->pki = &pki;
    int resumed = w ? w->resumed : 0;
    void *ctx = libs[l]->ctx_new(setup);
    if (!lib_can(libs[l], ctx, resumed)) {
        printf("%s %s: not supported\n", libs[l]->name, name);
        if (ctx)
            libs[l]->ctx_free(ctx);
        pki_remove(&pki);
        return 3;
    }
    fill_src();
    /* Warm-up outside bench_instr_run: one-time fetches and caches are not
     * a per-handshake cost. */
    int ok = 1;
    bench_times t = {0};
    for (int i = 0; ok && i < 2; i++) {
        void *p = resumed ? libs[l]->resume(ctx, &t) : libs[l]->connect(ctx, &t);
        ok = p != NULL;
        if (p)
            libs[l]->close(p, &t);
    }
    void *pair = NULL;
    size_t wlen = bulk_suite >= 0 ? bulk_sizes[bulk_size] : 0;
    if (ok && bulk_suite >= 0) {
        pair = libs[l]->connect(ctx, &t);
        ok = pair && libs[l]->transfer(pair, bulk_src, wlen, wlen * 64, &t); /* warm */
    }
    alloc_stats a, b;
    alloc_snapshot(&a);
    instr_side = side;
    ok = ok && bench_instr_run(libs[l], ctx, pair, resumed, wlen, count);
    instr_side = SIDE_NONE;
    alloc_snapshot(&b);
    if (pair)
        libs[l]->close(pair, &t);
    libs[l]->ctx_free(ctx);
    pki_remove(&pki);
    unsigned long long allocs = 0;
    for (int s = 0; s < SIDE_COUNT; s++)
        allocs += b.mallocs[s] - a.mallocs[s];
    printf("%s %s: %ld %s %s, %.1f allocations per %s\n", libs[l]->name, name, count,
           pair ? "records" : "handshakes", ok ? "ok" : "FAILED",
           count ? (double)allocs / (double)count : 0, pair ? "record" : "handshake");
    return ok ? 0 : 1;
}

static void usage(void)
{
    fprintf(stderr,
            "usage: ward_bench [--rounds N] [--seconds S] [--cpu-clock] [JSON_PATH]\n"
            "       ward_bench [--only handshakes|bulk] ...: one group of measures, the\n"
            "                  others null (a quick look; the full run is the reference)\n"
            "       ward_bench --make-pki DIR\n"
            "       ward_bench [--pki DIR] --instr NAME --lib ward|openssl|gnutls --count N\n"
            "                  [--side client|server]\n");
}

int main(int argc, char **argv)
{
    int rounds = 5, side = SIDE_NONE;
    double seconds = 1.0;
    const char *json = "build/bench.json", *instr = NULL, *libname = NULL;
    const char *pki_dir = NULL, *make_pki = NULL;
    long count = 50;
    int do_hs = 1, do_bulk = 1;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int more = i + 1 < argc;
        if (strcmp(a, "--rounds") == 0 && more)
            rounds = atoi(argv[++i]);
        else if (strcmp(a, "--seconds") == 0 && more)
            seconds = atof(argv[++i]);
        else if (strcmp(a, "--instr") == 0 && more)
            instr = argv[++i];
        else if (strcmp(a, "--lib") == 0 && more)
            libname = argv[++i];
        else if (strcmp(a, "--count") == 0 && more)
            count = atol(argv[++i]);
        else if (strcmp(a, "--cpu-clock") == 0)
            bench_clock = CLOCK_THREAD_CPUTIME_ID;
        else if (strcmp(a, "--pki") == 0 && more)
            pki_dir = argv[++i];
        else if (strcmp(a, "--only") == 0 && more) {
            const char *v = argv[++i];
            do_hs = strcmp(v, "handshakes") == 0;
            do_bulk = strcmp(v, "bulk") == 0;
            if (!do_hs && !do_bulk) {
                usage();
                return 2;
            }
        } else if (strcmp(a, "--make-pki") == 0 && more)
            make_pki = argv[++i];
        else if (strcmp(a, "--side") == 0 && more) {
            const char *v = argv[++i];
            side = strcmp(v, "client") == 0   ? SIDE_CLIENT
                   : strcmp(v, "server") == 0 ? SIDE_SERVER
                                              : -1;
            if (side < 0) {
                usage();
                return 2;
            }
        } else if (a[0] == '-') {
            usage();
            return 2;
        } else
            json = a;
    }
    if (rounds < 1 || rounds > MAX_ROUNDS || seconds <= 0 || count < 0) {
        usage();
        return 2;
    }
    if (make_pki) {
        bench_pki p;
        if (!pki_create(&p, (1u << CERT_KINDS) - 1, make_pki)) {
            fprintf(stderr, "cannot write the PKI into %s\n", make_pki);
            return 1;
        }
        return 0;
    }
    if (instr)
        return instr_mode(instr, libname ? libname : "ward", count, side, pki_dir);
    bench_pki pki;
    int have_pki = pki_dir ? pki_use(&pki, pki_dir)
                           : pki_create(&pki, (1u << CERT_KINDS) - 1, NULL);
    if (!have_pki || !floor_init()) {
        fprintf(stderr, "cannot create the PKI in a temporary directory\n");
        pki_remove(&pki);
        return 1;
    }
    fill_src();

    define_measures();
    bench_timer_cost = bench_calibrate_timer();
    char cpu[256];
    cpu_model(cpu, sizeof cpu);
    printf("ward_bench: ward %s, %s, GnuTLS %s\ncpu: %s\n%d rounds, ~%.2g s per library per "
           "measure, libraries interleaved; clock: %s (%.0f ns per reading, subtracted from "
           "each timed interval)\n\n",
           WARD_BENCH_VERSION, bench_openssl_version(), bench_gnutls_version(), cpu, rounds,
           seconds, bench_clock == CLOCK_MONOTONIC ? "CLOCK_MONOTONIC" : "CLOCK_THREAD_CPUTIME_ID",
           bench_timer_cost * 1e9);

    /* Every configuration is built (and the sessions for resumption
     * obtained) before any clock runs; one handshake per pair shows what
     * each library negotiated. */
    for (size_t w = 0; w < N_HS_WORKS; w++)
        for (int l = 0; l < NLIB; l++) {
            hs_works[w].setup.pki = &pki;
            hs_works[w].ctx[l] = libs[l]->ctx_new(&hs_works[w].setup);
        }
    for (int s = 0; s < SUITE_KINDS; s++)
        for (int l = 0; l < NLIB; l++) {
            bench_setup st = {0, CERT_ECDSA, s, 0, &pki, 0};
            bulk_ctx[s][l] = libs[l]->ctx_new(&st);
        }
    int failed = 0;
    for (size_t w = 0; w < N_HS_WORKS; w++)
        for (int l = 0; l < NLIB; l++) {
            const bench_lib *lib = libs[l];
            void *ctx = hs_works[w].ctx[l];
            if (!lib_can(lib, ctx, hs_works[w].resumed)) {
                printf("  %-20s %-8s not supported (null)\n", hs_works[w].instr_name, lib->name);
                continue;
            }
            bench_times t = {0};
            void *p = hs_works[w].resumed ? lib->resume(ctx, &t) : lib->connect(ctx, &t);
            char d[160] = "FAILED";
            if (p) {
                lib->describe(p, d, sizeof d);
                lib->close(p, &t);
            } else {
                failed = 1;
            }
            printf("  %-20s %-8s %s\n", hs_works[w].instr_name, lib->name, d);
        }
    for (int s = 1; s < SUITE_KINDS; s++)
        for (int l = 0; l < NLIB; l++) {
            bench_times t = {0};
            void *p = bulk_ctx[s][l] ? libs[l]->connect(bulk_ctx[s][l], &t) : NULL;
            char d[160] = "FAILED";
            if (p) {
                libs[l]->describe(p, d, sizeof d);
                libs[l]->close(p, &t);
            } else {
                failed = 1;
            }
            printf("  bulk_%-15s %-8s %s\n", suite_tags[s], libs[l]->name, d);
        }
    if (failed) {
        fprintf(stderr, "a library failed its first handshake: stopping\n");
        return 1;
    }

    /* Heap, one connection pair at a time. */
    for (int l = 0; l < NLIB; l++)
        if (!run_heap(libs[l], hs_works[0].ctx[l], l))
            failed = 1;

    double t_start = bench_wall();
    for (int r = 0; r < rounds && !failed; r++) {
        printf("round %d/%d ...", r + 1, rounds);
        fflush(stdout);
        for (size_t w = 0; do_hs && w < N_HS_WORKS && !failed; w++)
            for (int l = 0; l < NLIB; l++) {
                const bench_lib *lib = libs[l];
                hs_work *x = &hs_works[w];
                if (!lib_can(lib, x->ctx[l], x->resumed))
                    continue;
                double s, c;
                if (!run_handshakes(lib, x->ctx[l], x->resumed, seconds, &s, &c)) {
                    failed = 1;
                    break;
                }
                record(x->m_server, l, s);
                if (x->m_client >= 0)
                    record(x->m_client, l, c);
            }
        for (int s = 0; do_bulk && s < SUITE_KINDS && !failed; s++)
            for (int z = 0; z < 2 && !failed; z++)
                for (int l = 0; l < NLIB; l++) {
                    double snd, rcv;
                    if (!run_bulk(libs[l], bulk_ctx[s][l], bulk_sizes[z], seconds, &snd, &rcv)) {
                        failed = 1;
                        break;
                    }
                    record(bulk_index(s, z, 0), l, snd);
                    record(bulk_index(s, z, 1), l, rcv);
                }
        /* The floors, in the same rounds. */
        double hs = do_hs ? floor_server_handshake(&pki, seconds / 4) : 0;
        if (hs > 0)
            record_floor(M_T13_ECDSA_S, 1.0 / hs);
        for (int s = 0; do_bulk && s < SUITE_KINDS; s++)
            for (int z = 0; z < 2; z++)
                for (int dir = 0; dir < 2; dir++)
                    record_floor(bulk_index(s, z, dir),
                                 floor_aead_MBps(s, bulk_sizes[z], dir, seconds / 10));
        printf(" %.0f s\n", bench_wall() - t_start);
    }

    for (size_t w = 0; w < N_HS_WORKS; w++)
        for (int l = 0; l < NLIB; l++)
            if (hs_works[w].ctx[l])
                libs[l]->ctx_free(hs_works[w].ctx[l]);
    for (int s = 0; s < SUITE_KINDS; s++)
        for (int l = 0; l < NLIB; l++)
            if (bulk_ctx[s][l])
                libs[l]->ctx_free(bulk_ctx[s][l]);
    pki_remove(&pki);
    if (failed) {
        fprintf(stderr, "a run failed: no results written\n");
        return 1;
    }
    print_table();
    if (!write_json(json, cpu, rounds, seconds))
        return 1;
    printf("\nJSON: %s\n", json);
    return 0;
}
