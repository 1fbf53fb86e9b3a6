/* What `ward client` connects to: a URL (scheme://host[:port][/path]),
 * `--starttls PROTO HOST[:PORT]`, or a bare HOST[:PORT] (implicit TLS,
 * port 443). The scheme comes from the library's table (ward_scheme_find):
 * it gives the default port, whether TLS starts at once or after a
 * plaintext dialogue, and the ALPN id to offer. */
#ifndef WARD_TOOL_URL_H
#define WARD_TOOL_URL_H

#include <stddef.h>

#include "ward/starttls.h"

typedef struct {
    const ward_scheme *scheme; /* NULL: a bare HOST[:PORT] */
    char host[256];            /* without the brackets of an IPv6 literal */
    char port[8];
} cli_target;

/* Parse `arg` for command `cmd`. starttls: the PROTO of --starttls, or
 * NULL. Returns 0, or -1 after a usage message (the caller exits 2). */
int cli_parse_target(const char *cmd, const char *arg, const char *starttls, cli_target *t);

#endif
