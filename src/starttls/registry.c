/* Which ops run which protocol's half. A protocol that gains a dialogue
 * adds its line here (its ops are declared in dialogue.h); a NULL entry is
 * a half this version does not have: ward_starttls_new says
 * WARD_ERR_CONFIG. */
#include "starttls/dialogue.h"

static const stt_ops *const client_ops[WARD_APP__COUNT] = {
    [WARD_APP_SMTP] = &stt_smtp_client,
    [WARD_APP_LMTP] = &stt_lmtp_client,
    [WARD_APP_IMAP] = &stt_imap_client,
    [WARD_APP_POP3] = &stt_pop3_client,
    [WARD_APP_SIEVE] = &stt_sieve_client,
    [WARD_APP_FTP] = &stt_ftp_client,
    [WARD_APP_NNTP] = &stt_nntp_client,
    /* [WARD_APP_XMPP] = &stt_xmpp_client, */
    /* [WARD_APP_XMPP_SERVER] = &stt_xmpps2s_client, */
    /* [WARD_APP_LDAP] = &stt_ldap_client, */
    /* [WARD_APP_POSTGRES] = &stt_postgres_client, */
    /* [WARD_APP_MYSQL] = &stt_mysql_client, */
};

static const stt_ops *const server_ops[WARD_APP__COUNT] = {
    [WARD_APP_SMTP] = &stt_smtp_server,
    [WARD_APP_LMTP] = &stt_lmtp_server,
    [WARD_APP_IMAP] = &stt_imap_server,
    [WARD_APP_POP3] = &stt_pop3_server,
    [WARD_APP_SIEVE] = &stt_sieve_server,
    [WARD_APP_FTP] = &stt_ftp_server,
    [WARD_APP_NNTP] = &stt_nntp_server,
    /* [WARD_APP_XMPP] = &stt_xmpp_server, */
    /* [WARD_APP_XMPP_SERVER] = &stt_xmpps2s_server, */
    /* [WARD_APP_LDAP] = &stt_ldap_server, */
    /* [WARD_APP_POSTGRES] = &stt_postgres_server, */
    /* [WARD_APP_MYSQL] = &stt_mysql_server, */
};

const stt_ops *stt_ops_find(ward_app app, int server)
{
    if ((unsigned)app >= WARD_APP__COUNT)
        return NULL;
    return server ? server_ops[app] : client_ops[app];
}
