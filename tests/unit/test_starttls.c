/* STARTTLS: the scheme table and the dialogues (src/starttls/). */
#include <string.h>

#include "starttls/dialogue.h"
#include "testutil.h"
#include "ward/starttls.h"

static void scheme_table(void)
{
    const ward_scheme *s = ward_scheme_find("IMAPS");
    CHECK(s && s->port == 993 && s->app == WARD_APP_IMAP && s->implicit_tls == 1);
    CHECK(s && strcmp(s->alpn, "imap") == 0);
    s = ward_scheme_find("submission");
    CHECK(s && s->port == 587 && s->app == WARD_APP_SMTP && s->implicit_tls == 0);
    s = ward_scheme_find("submissions");
    CHECK(s && s->port == 465 && s->implicit_tls == 1);
    s = ward_scheme_find("postgresql");
    CHECK(s && s->port == 5432 && s->app == WARD_APP_POSTGRES);
    s = ward_scheme_find("xmpp-server");
    CHECK(s && s->port == 5269 && s->app == WARD_APP_XMPP_SERVER);
    CHECK(ward_scheme_find("gopher") == NULL);
    CHECK(ward_scheme_find("") == NULL);
    CHECK(ward_scheme_find(NULL) == NULL);
    size_t n = 0;
    const ward_scheme *t = ward_scheme_table(&n);
    CHECK(n == 23);
    for (size_t i = 0; i < n; i++) {
        CHECK(ward_scheme_find(t[i].scheme) == &t[i]);
        CHECK(t[i].port != 0 && t[i].app != WARD_APP_NONE);
    }
    const struct {
        const char *name;
        uint16_t port;
        int implicit;
    } want[] = {{"https", 443, 1}, {"imaps", 993, 1}, {"pop3s", 995, 1}, {"nntps", 563, 1},
                {"ftps", 990, 1},  {"smtps", 465, 1}, {"ldaps", 636, 1}, {"xmpps", 5223, 1},
                {"smtp", 25, 0},   {"lmtp", 24, 0},   {"imap", 143, 0},  {"pop3", 110, 0},
                {"nntp", 119, 0},  {"ftp", 21, 0},    {"sieve", 4190, 0}, {"xmpp", 5222, 0},
                {"ldap", 389, 0},  {"postgres", 5432, 0}, {"mysql", 3306, 0}};
    for (size_t i = 0; i < WARD_ARRAY_LEN(want); i++) {
        s = ward_scheme_find(want[i].name);
        CHECK(s && s->port == want[i].port && s->implicit_tls == want[i].implicit);
    }
}

static void app_names(void)
{
    for (int a = WARD_APP_NONE + 1; a < WARD_APP__COUNT; a++) {
        const char *name = ward_app_name((ward_app)a);
        CHECK(name != NULL);
        CHECK(name && ward_app_from_name(name) == (ward_app)a);
    }
    CHECK(ward_app_from_name("Submission") == WARD_APP_SMTP);
    CHECK(ward_app_from_name("XMPP-Server") == WARD_APP_XMPP_SERVER);
    CHECK(ward_app_from_name("gopher") == WARD_APP_NONE);
    CHECK(ward_app_from_name(NULL) == WARD_APP_NONE);
    CHECK(ward_app_name(WARD_APP__COUNT) == NULL);
    CHECK(strcmp(ward_app_name(WARD_APP_SIEVE), "sieve") == 0);
}

/* Protocols without a dialogue (HTTP, NONE, out of range) are a
 * configuration error, never a crash. */
static void no_dialogue(void)
{
    ward_starttls *d = (ward_starttls *)1;
    ward_starttls_params p = {.app = WARD_APP_HTTP};
    CHECK_CODE(ward_starttls_new(&p, &d), WARD_ERR_CONFIG);
    CHECK(d == NULL);
    p.app = WARD_APP_NONE;
    CHECK_CODE(ward_starttls_new(&p, &d), WARD_ERR_CONFIG);
    p.app = WARD_APP__COUNT;
    p.server = 1;
    CHECK_CODE(ward_starttls_new(&p, &d), WARD_ERR_CONFIG);
    CHECK_CODE(ward_starttls_new(NULL, &d), WARD_ERR_CONFIG);
    CHECK(ward_starttls_get_state(NULL) == WARD_STARTTLS_FAILED);
    CHECK_CODE(ward_starttls_secured(NULL), WARD_ERR_STATE);
}

int main(void)
{
    no_dialogue();
    scheme_table();
    app_names();
    return test_report();
}
