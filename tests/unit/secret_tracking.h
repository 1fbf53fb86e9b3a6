/* Secret tracking for the constant-time tests (test_*_ct.c): valgrind's
 * memcheck treats memory marked "undefined" as a secret and reports any
 * branch or address that depends on it. SECRET marks, PUBLIC declassifies
 * (to compare results). Without valgrind's header, or not under valgrind,
 * the marks do nothing and the tests are ordinary known-answer tests. */
#ifndef WARD_TESTS_SECRET_TRACKING_H
#define WARD_TESTS_SECRET_TRACKING_H

#if defined(__has_include)
#if __has_include(<valgrind/memcheck.h>)
#include <valgrind/memcheck.h>
#define HAVE_MEMCHECK 1
#endif
#endif

#ifdef HAVE_MEMCHECK
#define SECRET(p, n) ((void)VALGRIND_MAKE_MEM_UNDEFINED((p), (n)))
#define PUBLIC(p, n) ((void)VALGRIND_MAKE_MEM_DEFINED((p), (n)))
#define UNDER_VALGRIND ((int)RUNNING_ON_VALGRIND)
#else
#define SECRET(p, n) ((void)(p), (void)(n))
#define PUBLIC(p, n) ((void)(p), (void)(n))
#define UNDER_VALGRIND 0
#endif

#endif
