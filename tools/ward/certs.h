/* `ward client --showcerts` and `--check-expiry DAYS`: the peer's chain
 * as the server sent it (ward_config_keep_peer_chain). */
#ifndef WARD_TOOL_CERTS_H
#define WARD_TOOL_CERTS_H

#include "cli.h"

/* On stdout, before any data: per certificate a summary line, then its
 * PEM. 0, or -1 after an error message. */
int certs_show(const ward_conn *c);
/* EXIT_OK if no certificate of the chain expires within `days` days of
 * now; EXIT_EXPIRY after naming the first that does; EXIT_FAIL when there
 * is no chain to check (a resumed connection). */
int certs_check_expiry(const ward_conn *c, unsigned long days);

#endif
