/* A failure recorded once, with a message for a person: the handshake
 * writes it (hs_fail), the connection reads it (ward_conn_error). */
#ifndef WARD_BASE_ERRBOX_H
#define WARD_BASE_ERRBOX_H

#include <stdarg.h>

#include "base/result.h"

typedef struct errbox {
    ward_err code;
    char msg[320];
    /* >0: the alert to send instead of the one code maps to (an
     * application's verify callback chose it); 0: code's own. */
    int alert;
} errbox;

/* The first failure wins; fmt NULL records the code only. Returns the
 * code as a wres so that a handler can `return hs_fail(...)`. */
wres errbox_vset(errbox *b, ward_err code, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));

#endif
