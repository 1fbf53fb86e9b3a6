/* The STARTTLS adaptor's insides (private to tools/ward/tunnel_stt*.c).
 *
 * tunnel_stt.c       the object, phase 1 (the library's dialogue), the
 *                    client mode's greeting, the relay's entry point;
 * tunnel_stt_scan.c  the relay's line scanner, shared by every protocol:
 *                    it finds line ends with memchr, hands a protocol's
 *                    handler only the start of each line (the whole line
 *                    when the handler asks for it), passes literals and
 *                    long lines through untouched; plus small helpers;
 * tunnel_stt_mail.c  SMTP / LMTP and POP3 handlers;
 * tunnel_stt_imap.c  IMAP and ManageSieve handlers (literals);
 * tunnel_stt_news.c  NNTP and FTP handlers. */
#ifndef WARD_TOOL_TUNNEL_STT_INT_H
#define WARD_TOOL_TUNNEL_STT_INT_H

#include <stddef.h>
#include <stdint.h>

#include "tunnel_stt.h"

/* The longest line the relay holds to look at as a whole (no capability
 * line is longer); a longer line passes through as it comes. */
#ifndef TSTT_LINE_MAX /* the fuzz target makes it small, to reach long lines */
#define TSTT_LINE_MAX 4096
#endif
/* Bytes of a passed-through line's end kept to spot an IMAP literal. */
#define TSTT_TAIL_MAX 32
/* Client mode: the server's greeting replayed to the plaintext client. */
#define TSTT_GREET_MAX 16384
#define TSTT_MSG_MAX 512
/* Server mode: what the client may send before the backend has greeted
 * (held, then given to the backend right behind its greeting). */
#define TSTT_EARLY_MAX 16384
/* Commands outstanding (runs of one kind) before the relay gives up. */
#define TSTT_QUEUE_MAX 4096

/* Scanner modes of one direction. */
enum { TM_LINE = 0, TM_PASS, TM_RAW };

/* Handler verdicts. */
enum {
    TV_PASS = 0, /* the line goes on unchanged (if incomplete, so does its rest) */
    TV_HOLD,     /* incomplete: keep it until it is whole (bounded) */
    TV_DONE,     /* complete: the handler emitted what replaces it (or nothing) */
    TV_FAIL,     /* the connection must end (s->msg says why) */
};

typedef struct {
    int mode;
    uint64_t raw_left; /* TM_RAW: bytes left of a literal / BDAT chunk */
    int after_raw;     /* the mode once the raw bytes are through */
    uint8_t *part;     /* a held partial line (TSTT_LINE_MAX bytes), or NULL */
    size_t part_len;
    uint8_t tail[TSTT_TAIL_MAX]; /* TM_PASS: the line's last bytes */
    size_t tail_len;
} tstt_dir;

/* Runs of outstanding commands of one kind (POP3, NNTP, ManageSieve). */
typedef struct {
    uint8_t kind;
    uint32_t count;
} tstt_run;

typedef struct {
    tstt_run *r;
    size_t n, cap;
} tstt_queue;

/* The scan of one tunnel_stt_filter call. */
typedef struct tstt_scan tstt_scan;

/* A protocol's relay: its line handler per direction, and whether its
 * lines can end in a literal "{n}" / "{n+}" (IMAP, ManageSieve). */
typedef struct {
    int (*line)(tunnel_stt *s, tstt_scan *c, int dir, const uint8_t *p, size_t n,
                int complete, int full);
    int literals;
} tstt_proto;

struct tunnel_stt {
    ward_app app;
    int server;
    ward_starttls *d; /* phase 1; freed when the relay starts */
    ward_starttls_state state; /* once d is gone */
    const tstt_proto *proto;
    char msg[TSTT_MSG_MAX];

    /* client mode: the server's greeting */
    uint8_t *greet;
    size_t greet_len;
    int capture, greet_over;

    /* relay */
    int relaying, failed;
    int passthru[2]; /* this direction is no longer lines (COMPRESS, client mode) */
    tstt_dir dir[2];
    int greeted;     /* the backend's greeting is through */
    tunnel_buf early; /* the client's bytes from before that */
    int code, multi; /* the backend's DDD reply being read (SMTP, FTP) */
    unsigned reply_lines; /* lines of it so far */
    uint8_t *held;   /* SMTP: the EHLO reply's last "250-" line, held */
    size_t held_len;
    int cwait;       /* SMTP DATA / NNTP POST sent: a go-ahead opens a body */
    int cbody;       /* the client is sending a "."-ended body */
    int bbody;       /* the backend is sending a "."-ended list: 1 any, 2 the
                        capability list (POP3 CAPA, NNTP CAPABILITIES) */
    int resp_kind;   /* ManageSieve: the kind of the response being read, -1
                        between responses */
    int post_due;    /* NNTP: the final reply to POST / IHAVE comes next */
    int feat_wait;   /* FTP: FEAT sent, its reply not yet through */
    tstt_queue q;
};

/* ---- the scanner (tunnel_stt_scan.c) ---- */
int tstt_scan_run(tunnel_stt *s, int dir, const uint8_t *in, size_t n, tunnel_buf *fwd,
                  tunnel_buf *back);
/* For handlers: bytes for the other side (after what passed before this
 * line), bytes for the sender. 0 or -1 (no memory). */
int tstt_emit(tstt_scan *c, const void *p, size_t n);
int tstt_answer(tstt_scan *c, const char *text);
/* The next raw bytes of this direction pass untouched (BDAT); then lines. */
void tstt_raw(tunnel_stt *s, int dir, uint64_t n);

/* The backend has just greeted: the client's bytes held till now go to it
 * (tunnel_stt.c). 0 or -1. */
int tstt_release_early(tunnel_stt *s, tunnel_buf *to_client, tunnel_buf *to_backend);

/* ---- helpers ---- */
int tstt_fail(tunnel_stt *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The line without its LF and the CR before it (an incomplete line: as it
 * is). A handler judging an incomplete line by its "DDD" code waits for 5
 * bytes: "DDD\r" is only a whole reply if an LF follows. */
size_t tstt_text_len(const uint8_t *p, size_t n);
/* p, n (a line's start) can still be word followed by a space or the end
 * of the line (case-insensitive): 1 yes, 0 no. */
int tstt_may_be(const uint8_t *p, size_t n, const char *word);
/* The whole line's text is word, optionally followed by spaces or, when
 * args, by a space and anything. */
int tstt_is(const uint8_t *p, size_t n, const char *word, int args);
int tstt_ci_eq(const uint8_t *a, const char *b, size_t n);
/* "DDD" then ' ', '-' or the end: *code, *more. 0 if not such a line. */
int tstt_code(const uint8_t *p, size_t n, int *code, int *more);
/* A line's text as a quotable C string (printable ASCII, the rest \xNN). */
const char *tstt_quote(char *out, size_t cap, const uint8_t *p, size_t n);
#define TSTT_QUOTE_CAP 820
/* A literal "{n}" / "{n+}" / "~{n}" at the end of text t, tn: 1 and *len. */
int tstt_literal(const uint8_t *t, size_t tn, uint64_t *len);

int tstt_q_push(tunnel_stt *s, uint8_t kind);
/* The oldest outstanding command's kind, taken off; dflt when none. */
int tstt_q_pop(tunnel_stt *s, int dflt);

/* A "."-ended body's line (RFC 5321 §4.5.2, RFC 1939 §3, RFC 3977 §3.1.1):
 * TV_PASS / TV_HOLD; *end 1 on the final "." line. */
int tstt_dot_line(const uint8_t *p, size_t n, int complete, int full, int *end);

/* ---- greetings (tunnel_stt_mail.c) ---- */
/* The backend's greeting: end the connection quoting it. TV_FAIL. */
int tstt_greeting_fail(tunnel_stt *s, const char *what, const uint8_t *p, size_t n);
/* TV_PASS when the line is whole, TV_HOLD, or TV_FAIL (too long). */
int tstt_greeting_whole(tunnel_stt *s, const uint8_t *p, size_t n, int complete, int full);
/* A DDD greeting (SMTP 220, FTP 220 after 120s, loose: RFC 959 §4.2). */
int tstt_ddd_greeting(tunnel_stt *s, const uint8_t *p, size_t n, int complete, int full,
                      int loose);

/* ---- the protocols ---- */
extern const tstt_proto tstt_smtp, tstt_pop3, tstt_imap, tstt_sieve, tstt_nntp, tstt_ftp;
/* IMAP: a line with STARTTLS / LOGINDISABLED taken out of its capability
 * list into out (cap >= n); returns the new length, or n if untouched. */
size_t tstt_imap_rewrite(const uint8_t *p, size_t n, uint8_t *out);

#endif
