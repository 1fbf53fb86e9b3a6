/* A reader for the RFC 8448 example traces ($WARD_VECTORS/rfc8448-traces.txt,
 * default tests/vectors, from the source root). The file is RFC-style text: numbered
 * sections ("3.  Simple 1-RTT Handshake"), page breaks, and labeled hex
 * blobs such as
 *       ClientHello (196 octets):  01 00 00 c0 ...
 *          a4 9c ...
 * Shared by every test that checks against the traces. */
#ifndef WARD_TEST_TRACE_H
#define WARD_TEST_TRACE_H

#include <stddef.h>
#include <stdint.h>

/* Load the trace file once (later calls do nothing). 0 on success. */
int trace_load(void);

/* The nth (0-based) blob in section `section` (3, 5, ...) whose label (the
 * text before "(N octets):") contains `label` (e.g. "ClientHello",
 * "complete record", "private key"; case-sensitive), searching only after
 * the after_nth (0-based) line of the section that contains `after` (NULL:
 * from the section start; e.g. after = "{server}  send handshake record").
 * Copies the blob to out and returns its length; -1 if not found, if the
 * bytes read differ from the label's "(N octets)" count, or if N > cap.
 * Loads the file if trace_load was not called. */
long trace_get(int section, const char *after, int after_nth, const char *label, int nth,
               uint8_t *out, size_t cap);

#endif
