#include "base/errbox.h"

#include <stdio.h>

WARD_MUST_CHECK wres errbox_vset(errbox *b, ward_err code, const char *fmt, va_list ap)
{
    if (b->code == WARD_OK) {
        b->code = code;
        if (fmt)
            vsnprintf(b->msg, sizeof b->msg, fmt, ap);
    }
    return wres_err(code);
}
