/* The application's part in verifying the peer (issue #18): its verify
 * callback (applied in hs/verify_cb.c) and a client's verify name. */
#include <string.h>

#include "conn/internal.h"
#include "hs/config.h"

void ward_config_set_verify_callback(ward_config *cfg, ward_verify_fn fn, void *arg)
{
    cfg->verify_fn = fn;
    cfg->verify_arg = fn ? arg : NULL;
}

/* Used by hs_client_verify_chain (hs/client_common.c), so it must be set
 * before the server's Certificate is taken: after, it would change
 * nothing that was checked. */
ward_err ward_conn_set_verify_name(ward_conn *c, const char *name)
{
    if (!c || c->is_server || c->hs.peer_chain.n > 0 || c->hs.state == ST_CONNECTED ||
        c->hs.state == ST_FAILED)
        return WARD_ERR_STATE;
    size_t n = name ? strlen(name) : 0;
    if (n > WARD_MAX_NAME)
        return WARD_ERR_CONFIG;
    memcpy(c->hs.verify_name, name ? name : "", n + 1);
    return WARD_OK;
}
