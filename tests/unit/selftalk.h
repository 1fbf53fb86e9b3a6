/* Run a ward client against a ward server in memory (no network). */
#ifndef WARD_TEST_SELFTALK_H
#define WARD_TEST_SELFTALK_H

#include "ward/ward.h"

/* Move bytes between the two until neither has anything to say. Returns
 * the first error either engine reported (WARD_OK if none). */
ward_err selftalk_pump(ward_conn *client, ward_conn *server);
/* Move bytes from one engine to the other; returns the receiver's result. */
ward_err selftalk_move(ward_conn *from, ward_conn *to, size_t *moved);

#endif
