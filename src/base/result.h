/* Result type and the two macros every layer uses.
 * A wres is a struct, so it cannot be mistaken for an int or silently
 * dropped (warn_unused_result on every function returning it, static ones
 * too: scripts/must-check.sh lists any without it). */
#ifndef WARD_BASE_RESULT_H
#define WARD_BASE_RESULT_H

#include "ward/ward.h"

typedef struct {
    ward_err code;
} wres;

#define WARD_MUST_CHECK __attribute__((warn_unused_result))

static inline WARD_MUST_CHECK wres wres_ok(void) { return (wres){WARD_OK}; }
static inline WARD_MUST_CHECK wres wres_err(ward_err e) { return (wres){e}; }
static inline int wres_is_ok(wres r) { return r.code == WARD_OK; }
/* A result dropped on purpose: wres_ignore(f(...)), with a comment that
 * says why. A cast to void does not silence warn_unused_result in GCC. */
static inline void wres_ignore(wres r) { (void)r; }

/* Propagate a failure upward; the happy path reads straight down. */
#define GUARD(expr)                         \
    do {                                    \
        wres guard_r_ = (expr);             \
        if (guard_r_.code != WARD_OK)       \
            return guard_r_;                \
    } while (0)

/* Fail with ERR when COND does not hold. */
#define ENSURE(cond, err)                   \
    do {                                    \
        if (!(cond))                        \
            return wres_err(err);           \
    } while (0)

#define WARD_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

#endif
