/* Test-only hooks: fix what is normally random, replay what is normally
 * randomized, and observe secrets, so that a test can reproduce a recorded
 * handshake (RFC 8448) byte for byte. Not part of the public API; a
 * configuration without hooks never consults any of this. */
#ifndef WARD_CONN_TEST_HOOKS_H
#define WARD_CONN_TEST_HOOKS_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "ward/ward.h"

typedef struct {
    uint16_t group;
    const uint8_t *priv;
    size_t len;
} ward_test_kex_private;

typedef struct {
    /* 32 bytes used as this side's Hello random. */
    const uint8_t *random;
    /* Private keys to use instead of generating them, by group. */
    const ward_test_kex_private *kex_private;
    size_t n_kex_private;
    /* Use this signature in CertificateVerify instead of signing (RSA-PSS
     * is randomized, so a trace's signature cannot be recomputed). */
    const uint8_t *cv_signature;
    size_t cv_signature_len;
    /* Accept RSA keys under 2048 bits (the trace's key is 1024-bit). */
    int allow_weak_rsa;
    /* Client: the supported_groups and signature_algorithms lists to
     * advertise (may name groups and schemes ward does not implement). */
    const uint16_t *advertise_groups;
    size_t n_advertise_groups;
    const uint16_t *advertise_sigalgs;
    size_t n_advertise_sigalgs;
    /* Client: send an empty session_ticket extension. */
    int session_ticket_ext;
    /* TLS 1.2, client: no extended_master_secret in the ClientHello;
     * server: none in the ServerHello (a peer without RFC 7627). */
    int no_ems;
    /* Client: send record_size_limit with this value (0: don't). */
    uint16_t record_size_limit;
    /* Server: advertise these raw supported_groups bytes in EE. */
    const uint8_t *ee_groups_raw;
    size_t ee_groups_raw_len;
    /* Server: the cookie to put in a HelloRetryRequest. */
    const uint8_t *hrr_cookie;
    size_t hrr_cookie_len;
    /* Certificate checks use this time instead of the clock (0: clock). */
    time_t now;
    /* Client: the ticket age to report (RFC 8448 §4: 5 ms) instead of the clock's. */
    int fix_ticket_age;
    uint32_t ticket_age_ms;
    /* Server: a ticket (identity bytes) to take as if it were ours, with
     * its PSK, ticket_age_add and max_early_data (the trace's ticket was
     * sealed under a key nobody has). */
    const uint8_t *ticket;
    size_t ticket_len;
    const uint8_t *ticket_psk;
    size_t ticket_psk_len;
    uint32_t ticket_age_add, ticket_max_early_data;
    /* Key usage limits (RFC 8446 §5.5; conn/key_limit.c), lowered so a
     * test reaches them. key_update_after: records a TLS 1.3 write key
     * protects before the connection sends a KeyUpdate by itself (0:
     * 2^24). key_limit: records a key may protect, read or write, whatever
     * the AEAD (0: the AEAD's own, 2^24.5 for AES-GCM). */
    uint64_t key_update_after;
    uint64_t key_limit;
    /* Every traffic secret as it is derived, with its NSS key-log label
     * (CLIENT_HANDSHAKE_TRAFFIC_SECRET, SERVER_HANDSHAKE_TRAFFIC_SECRET,
     * CLIENT_TRAFFIC_SECRET_0, SERVER_TRAFFIC_SECRET_0, EXPORTER_SECRET). */
    void (*on_secret)(void *arg, const char *label, const uint8_t *secret, size_t len);
    void *arg;
} ward_test_hooks;

/* The hooks are copied by pointer: they must outlive the configuration. */
void ward_config_set_test_hooks(ward_config *cfg, const ward_test_hooks *hooks);

#endif
