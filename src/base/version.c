/* The library's own version, fixed when it was built: a program compiled
 * against one set of headers can ask which libward.so it actually loaded. */
#include "ward/ward.h"

const char *ward_version(void)
{
    return WARD_VERSION_STRING;
}
