/* ward tunnel's configuration: the file parser (tunnel_config_parse_buffer,
 * what tunnel_config_load does once the file is read) and, over the same
 * bytes cut at newlines into arguments, the one-service flags. Neither may
 * crash, leak or read out of bounds; each either accepts or fills err with
 * a "FILE:LINE: problem" message. Nothing is opened or resolved (that is
 * tunnel_config_build's). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tunnel.h"

#define MAX_ARGS 48

static void flags(const uint8_t *data, size_t size)
{
    if (size > 4096)
        return;
    char *copy = malloc(size + 1), *argv[MAX_ARGS + 1];
    if (!copy)
        return;
    memcpy(copy, data, size);
    copy[size] = '\0';
    int argc = 0;
    for (char *p = copy; argc < MAX_ARGS;) {
        argv[argc++] = p;
        char *nl = memchr(p, '\n', (size_t)(copy + size - p));
        if (!nl)
            break;
        *nl = '\0';
        p = nl + 1;
    }
    argv[argc] = NULL;
    tunnel_config c;
    char err[1024];
    if (tunnel_config_from_args(argc, argv, &c, err, sizeof err) == 0) {
        if (c.n_svc != 1 || !c.svc[0].connect || !c.svc[0].n_accept)
            abort();
        tunnel_config_free(&c);
    } else if (!err[0]) {
        abort();
    }
    free(copy);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    tunnel_config c;
    char err[1024];
    if (tunnel_config_parse_buffer("fuzz.conf", data, size, &c, err, sizeof err) == 0) {
        /* what the rest of the tunnel relies on */
        if (c.n_svc == 0 || c.n_svc > TUNNEL_MAX_SERVICES)
            abort();
        for (size_t i = 0; i < c.n_svc; i++)
            if (!c.svc[i].connect || !c.svc[i].n_accept || !c.svc[i].mode ||
                (c.svc[i].mode == TUNNEL_TLS_ACCEPT && !c.svc[i].n_identities))
                abort();
        tunnel_config_free(&c);
    } else if (strncmp(err, "fuzz.conf:", 10) != 0) {
        abort();
    }
    flags(data, size);
    return 0;
}
