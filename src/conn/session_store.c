/* ward_config_set_session_store: the application's session cache for
 * TLS 1.2 session IDs (src/hs/session_store.c does the work). */
#include <string.h>

#include "conn/internal.h"
#include "hs/config.h"

ward_err ward_config_set_session_store(ward_config *cfg, const ward_session_store *st)
{
    if (!cfg || !cfg->is_server)
        return WARD_ERR_CONFIG; /* a client has no session cache to replace */
    if (!st) { /* back to the configuration's own cache */
        memset(&cfg->store, 0, sizeof cfg->store);
        cfg->has_store = 0;
        return WARD_OK;
    }
    if (!st->store || !st->lookup)
        return WARD_ERR_CONFIG; /* remove may be NULL; the other two may not */
    cfg->store = *st;
    cfg->has_store = 1;
    return WARD_OK;
}
