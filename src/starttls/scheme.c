/* The URL schemes: default ports (IANA service names registry), the
 * protocol spoken, implicit TLS or a STARTTLS dialogue, and the ALPN id
 * (IANA TLS ALPN registry, RFC 7301 §6) where one is registered. */
#include <ctype.h>
#include <stddef.h>

#include "starttls/dialogue.h"

static const char *const app_names[WARD_APP__COUNT] = {
    [WARD_APP_NONE] = "none",
    [WARD_APP_HTTP] = "http",
    [WARD_APP_SMTP] = "smtp",
    [WARD_APP_LMTP] = "lmtp",
    [WARD_APP_IMAP] = "imap",
    [WARD_APP_POP3] = "pop3",
    [WARD_APP_SIEVE] = "sieve",
    [WARD_APP_FTP] = "ftp",
    [WARD_APP_NNTP] = "nntp",
    [WARD_APP_XMPP] = "xmpp",
    [WARD_APP_XMPP_SERVER] = "xmpp-server",
    [WARD_APP_LDAP] = "ldap",
    [WARD_APP_POSTGRES] = "postgres",
    [WARD_APP_MYSQL] = "mysql",
};

static const ward_scheme schemes[] = {
    /* implicit TLS */
    {"https", 443, WARD_APP_HTTP, 1, "http/1.1"},
    {"imaps", 993, WARD_APP_IMAP, 1, "imap"},      /* RFC 8314 §7.2 */
    {"pop3s", 995, WARD_APP_POP3, 1, "pop3"},      /* RFC 8314 §7.2 */
    {"nntps", 563, WARD_APP_NNTP, 1, "nntp"},
    {"ftps", 990, WARD_APP_FTP, 1, "ftp"},
    {"smtps", 465, WARD_APP_SMTP, 1, NULL},        /* RFC 8314 §7.3 */
    {"submissions", 465, WARD_APP_SMTP, 1, NULL},
    {"ldaps", 636, WARD_APP_LDAP, 1, NULL},
    {"xmpps", 5223, WARD_APP_XMPP, 1, "xmpp-client"},
    /* STARTTLS */
    {"smtp", 25, WARD_APP_SMTP, 0, NULL},          /* RFC 3207 */
    {"submission", 587, WARD_APP_SMTP, 0, NULL},   /* RFC 6409 */
    {"lmtp", 24, WARD_APP_LMTP, 0, NULL},
    {"imap", 143, WARD_APP_IMAP, 0, "imap"},
    {"pop3", 110, WARD_APP_POP3, 0, "pop3"},
    {"nntp", 119, WARD_APP_NNTP, 0, "nntp"},
    {"ftp", 21, WARD_APP_FTP, 0, "ftp"},
    {"sieve", 4190, WARD_APP_SIEVE, 0, "managesieve"}, /* RFC 5804 §1.8 */
    {"xmpp", 5222, WARD_APP_XMPP, 0, "xmpp-client"},
    {"xmpp-server", 5269, WARD_APP_XMPP_SERVER, 0, "xmpp-server"},
    {"ldap", 389, WARD_APP_LDAP, 0, NULL},
    {"postgres", 5432, WARD_APP_POSTGRES, 0, "postgresql"},
    {"postgresql", 5432, WARD_APP_POSTGRES, 0, "postgresql"},
    {"mysql", 3306, WARD_APP_MYSQL, 0, NULL},
};

static int name_equal(const char *a, const char *b)
{
    for (; *a && *b; a++, b++)
        if (tolower((unsigned char)*a) != tolower((unsigned char)*b))
            return 0;
    return *a == *b;
}

const char *ward_app_name(ward_app app)
{
    if ((unsigned)app >= WARD_APP__COUNT)
        return NULL;
    return app_names[app];
}

ward_app ward_app_from_name(const char *name)
{
    if (!name)
        return WARD_APP_NONE;
    if (name_equal(name, "submission"))
        return WARD_APP_SMTP;
    for (int a = WARD_APP_NONE + 1; a < WARD_APP__COUNT; a++)
        if (name_equal(name, app_names[a]))
            return (ward_app)a;
    return WARD_APP_NONE;
}

const ward_scheme *ward_scheme_find(const char *scheme)
{
    if (!scheme)
        return NULL;
    for (size_t i = 0; i < WARD_ARRAY_LEN(schemes); i++)
        if (name_equal(scheme, schemes[i].scheme))
            return &schemes[i];
    return NULL;
}

const ward_scheme *ward_scheme_table(size_t *n)
{
    if (n)
        *n = WARD_ARRAY_LEN(schemes);
    return schemes;
}
