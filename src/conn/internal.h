/* The connection's internal state (src/conn: records, alerts, application
 * data, the public API). The handshake's state is c->hs (hs/state.h),
 * which reaches the connection only through hs_out. Nothing here is public. */
#ifndef WARD_CONN_INTERNAL_H
#define WARD_CONN_INTERNAL_H

#include <pthread.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "base/byteq.h"
#include "base/bytes.h"
#include "base/errbox.h"
#include "base/result.h"
#include "hs/state.h"
#include "record/record.h"
#include "ward/ward.h"

struct ward_conn {
    const ward_config *cfg;
    int is_server;
    errbox err;

    /* record layer */
    rec_dir rdir, wdir;
    int read_app_keys;       /* rdir holds application traffic keys */
    int keys_changed;        /* the message just handled changed read keys */
    int records_seen;        /* a well-formed record header has arrived */
    byteq in;                /* received bytes not yet processed */
    byteq out;               /* bytes to send */
    byteq app;               /* decrypted application data to read */
    hs_reasm reasm;
    size_t send_limit;       /* largest plaintext per record we send */
    /* ward_fd_write interrupted by WARD_WANT_WRITE (src/io/fdio.c): the
     * length of the caller's buffer and how much of it was taken. */
    size_t fd_write_len, fd_write_done;

    /* abuse accounting (ward_limits) */
    size_t hs_bytes;
    unsigned empty_records, warning_alerts;
    uint64_t started_ms;     /* monotonic, for the handshake timeout */

    int close_sent, close_received;
    int peer_alert;          /* the description of the alert that ended it; -1: none */
    /* N of the current application traffic secrets (§7.2), for the key log. */
    unsigned c_ap_gen, s_ap_gen;
    /* The trace (conn/trace.c): the keys each direction is under, and
     * whether the handshake's end was reported. */
    uint8_t trace_wprot, trace_rprot, trace_done;
    uint8_t done_logged; /* the log callback was told the handshake completed */

    hs_ctx hs;               /* the handshake (hs/state.h) */
};

/* ---- the trace (src/conn/trace.c): one inline test when it is off ---- */
void trace_sent(ward_conn *c, const uint8_t *data, size_t len);
void trace_received(ward_conn *c, span full);
void trace_ccs(ward_conn *c, int sent);
void trace_keys(ward_conn *c, int write, int protection);
void trace_secret(ward_conn *c, const char *label, const uint8_t *secret, size_t len);
void trace_alert(ward_conn *c, int sent, uint8_t level, uint8_t desc);
void trace_verdict(ward_conn *c, int ok, const char *reason);
void trace_done(ward_conn *c);
#define CONN_TRACING(c) ((c)->cfg->trace_fn != NULL)
static inline void conn_trace_sent(ward_conn *c, const uint8_t *data, size_t len)
{
    if (CONN_TRACING(c))
        trace_sent(c, data, len);
}
static inline void conn_trace_received(ward_conn *c, span full)
{
    if (CONN_TRACING(c))
        trace_received(c, full);
}
static inline void conn_trace_ccs(ward_conn *c, int sent)
{
    if (CONN_TRACING(c))
        trace_ccs(c, sent);
}
/* Always remembers which keys protect the direction (for later events). */
static inline void conn_trace_keys(ward_conn *c, int write, int protection)
{
    *(write ? &c->trace_wprot : &c->trace_rprot) = (uint8_t)protection;
    if (CONN_TRACING(c))
        trace_keys(c, write, protection);
}
static inline void conn_trace_secret(ward_conn *c, const char *label, const uint8_t *secret,
                                     size_t len)
{
    if (CONN_TRACING(c))
        trace_secret(c, label, secret, len);
}
static inline void conn_trace_alert(ward_conn *c, int sent, uint8_t level, uint8_t desc)
{
    if (CONN_TRACING(c))
        trace_alert(c, sent, level, desc);
}
static inline void conn_trace_verdict(ward_conn *c, int ok, const char *reason)
{
    if (CONN_TRACING(c))
        trace_verdict(c, ok, reason);
}
static inline void conn_trace_done(ward_conn *c)
{
    if (CONN_TRACING(c))
        trace_done(c);
}

/* ---- connection services (src/conn) ---- */
/* Record a failure (first one wins) with a message for a person; returns
 * the code as a wres so a caller can `return conn_fail(...)`. */
wres conn_fail(ward_conn *c, ward_err code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Seal data of one content type into as many records as needed. */
WARD_MUST_CHECK wres conn_send_records(ward_conn *c, uint8_t type, const uint8_t *data,
                                       size_t len);
/* Limits on key usage (RFC 8446 §5.5; src/conn/key_limit.c). Before
 * sealing a record of type: a TLS 1.3 KeyUpdate when the write key has
 * protected enough, or the end (WARD_ERR_INTERNAL) when it is used up and
 * cannot change. Before opening a protected record: the peer's key used
 * past its limit is WARD_ERR_UNEXPECTED_MESSAGE. */
WARD_MUST_CHECK wres conn_check_write_key(ward_conn *c, uint8_t type);
WARD_MUST_CHECK wres conn_check_read_key(ward_conn *c);
/* The same for a secret of another length (TLS 1.2 CLIENT_RANDOM: 48). */
void conn_report_secret_len(ward_conn *c, const char *label, const uint8_t *secret,
                            size_t len);
/* ---- key log (src/conn/keylog.c) ---- */
/* One NSS key-log line to the configured callback, if any. */
void keylog_write(ward_conn *c, const char *label, const uint8_t *secret, size_t len);
/* After a KeyUpdate (§4.6.3): report the new client or server application
 * traffic secret as CLIENT_/SERVER_TRAFFIC_SECRET_N. */
void keylog_traffic_update(ward_conn *c, int client_secret, const uint8_t *secret);
/* Close a key-log file opened by ward_config_set_keylog_file. */
void config_keylog_free(ward_config *cfg);
/* Milliseconds since the connection started (the I/O adapter's handshake
 * timeout). */
uint64_t conn_elapsed_ms(const ward_conn *c);
/* End the connection from outside the protocol (I/O adapter: timeout, the
 * peer hanging up); queues the alert the code maps to, if any. */
ward_err conn_abort(ward_conn *c, ward_err code, const char *msg);

/* References to a configuration (conn/config_ref.c). A connection holds
 * one from ward_conn_new to ward_conn_free: the count is the one thing a
 * connection changes in the configuration it otherwise sees as const.
 * config_drop_ref says whether that was the last reference. */
void config_hold(const ward_config *cfg);
void config_release(const ward_config *cfg);
int config_drop_ref(ward_config *cfg);

#endif
