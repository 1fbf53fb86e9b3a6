/* ward: the command-line tool. A subcommand per file: client.c (and trace),
 * server.c, tunnel.c. */
#include "cli.h"
#include "tunnel.h"

#include <signal.h>
#include <string.h>

static void usage(FILE *out)
{
    fputs("Usage: ward COMMAND [options]\n"
          "\n"
          "Commands:\n"
          "  client HOST[:PORT]   connect over TLS 1.3 or 1.2 and relay stdin/stdout\n"
          "  client URL           the same for imaps://, smtp:// (STARTTLS), ... URLs\n"
          "  trace HOST[:PORT]|URL  make a handshake and draw it (text, JSON or SVG)\n"
          "  server               accept TLS 1.3 and 1.2 connections (echo, --www, --file)\n"
          "  tunnel               TLS in front of a plaintext service, or the reverse,\n"
          "                       with STARTTLS (--config FILE, or --accept/--connect)\n"
          "  help [COMMAND]       show help\n"
          "  --version            print the version of ward and exit\n"
          "\n"
          "Run 'ward COMMAND --help' for the options of a command.\n",
          out);
}

int main(int argc, char **argv)
{
    /* A closed socket or pipe is an error to report, not a signal to die of. */
    signal(SIGPIPE, SIG_IGN);
    if (argc < 2) {
        usage(stderr);
        return EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "client") == 0)
        return client_main(argc - 2, argv + 2);
    if (strcmp(cmd, "trace") == 0)
        return trace_main(argc - 2, argv + 2);
    if (strcmp(cmd, "server") == 0)
        return server_main(argc - 2, argv + 2);
    if (strcmp(cmd, "tunnel") == 0)
        return tunnel_main(argc - 2, argv + 2);
    if (strcmp(cmd, "help") == 0 || strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0) {
        if (argc > 2 && strcmp(argv[2], "client") == 0)
            client_usage(stdout);
        else if (argc > 2 && strcmp(argv[2], "trace") == 0)
            trace_usage(stdout);
        else if (argc > 2 && strcmp(argv[2], "server") == 0)
            server_usage(stdout);
        else if (argc > 2 && strcmp(argv[2], "tunnel") == 0)
            tunnel_usage(stdout);
        else
            usage(stdout);
        return EXIT_OK;
    }
    if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "version") == 0) {
        printf("ward %s\n", ward_version());
        return EXIT_OK;
    }
    fprintf(stderr, "ward: unknown command '%s'\n", cmd);
    usage(stderr);
    return EXIT_USAGE;
}
