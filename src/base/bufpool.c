/* Queue buffers parked per thread.
 *
 * A connection gives its queue buffers back as soon as they are empty, so
 * an idle connection holds none. Freeing and allocating 16-128 KiB for
 * every burst has a cost beyond malloc itself: glibc returns the top of
 * the heap to the kernel when such a block is freed (brk), and the next
 * burst faults the pages in again, zero-filled. Bulk transfer spent more
 * time there than in the copy of the plaintext. So the last two buffers
 * a thread gives back stay parked for the next taker, on any connection of
 * that thread. What is parked is already wiped (plaintext) or never was
 * secret (wire bytes). At most BUFPOOL_SLOTS buffers of at most
 * BUFPOOL_MAX_CAP bytes are kept per thread; they are freed when the
 * thread exits. */
#include "base/bufpool.h"

#include <pthread.h>
#include <stdlib.h>

#include "ward/ward.h"

#define BUFPOOL_SLOTS 2
#define BUFPOOL_MAX_CAP (256u * 1024u)

typedef struct {
    uint8_t *buf;
    size_t cap;
} parked;

static _Thread_local parked slots[BUFPOOL_SLOTS];
static pthread_key_t exit_key;
static int exit_key_ok;
static pthread_once_t exit_key_once = PTHREAD_ONCE_INIT;

/* At thread exit: free what the thread parked. */
static void release_thread(void *unused)
{
    (void)unused;
    for (int i = 0; i < BUFPOOL_SLOTS; i++) {
        free(slots[i].buf);
        slots[i] = (parked){0};
    }
}

static void make_exit_key(void)
{
    exit_key_ok = pthread_key_create(&exit_key, release_thread) == 0;
}

uint8_t *bufpool_take(size_t min, size_t *cap)
{
    int best = -1;
    for (int i = 0; i < BUFPOOL_SLOTS; i++)
        if (slots[i].buf && slots[i].cap >= min && (best < 0 || slots[i].cap < slots[best].cap))
            best = i;
    if (best < 0)
        return NULL;
    uint8_t *buf = slots[best].buf;
    *cap = slots[best].cap;
    slots[best] = (parked){0};
    return buf;
}

void bufpool_give(uint8_t *buf, size_t cap)
{
    if (!buf)
        return;
    pthread_once(&exit_key_once, make_exit_key);
    /* The key's value only makes the destructor run for this thread. */
    if (cap > BUFPOOL_MAX_CAP || !exit_key_ok ||
        (!pthread_getspecific(exit_key) && pthread_setspecific(exit_key, slots) != 0)) {
        free(buf);
        return;
    }
    /* An empty slot, else the smallest parked one if this one is bigger. */
    int to = -1;
    for (int i = 0; i < BUFPOOL_SLOTS; i++) {
        if (!slots[i].buf) {
            to = i;
            break;
        }
        if (slots[i].cap < cap && (to < 0 || slots[i].cap < slots[to].cap))
            to = i;
    }
    if (to < 0) {
        free(buf);
        return;
    }
    free(slots[to].buf);
    slots[to] = (parked){buf, cap};
}

/* The public call (ward.h): an event loop going idle frees what its thread
 * parked, so that a parked buffer does not hold the top of the heap (glibc
 * returns freed memory only from the top down). */
void ward_release_thread_buffers(void) { release_thread(NULL); }
