/* ward_conn_use_identity: the connection's side of the ClientHello
 * callback (the handshake keeps the reference, hs/hello_cb.c). */
#include "conn/internal.h"
#include "hs/identity.h"

ward_err ward_conn_use_identity(ward_conn *c, ward_identity *id)
{
    if (!c)
        return WARD_ERR_STATE;
    return hs_use_identity(&c->hs, id);
}
