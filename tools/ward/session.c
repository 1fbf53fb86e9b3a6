/* Saved sessions for `ward client --sess-out F` / `--sess-in F`: the file
 * holds one ward_session_encode blob. It carries the resumption secret,
 * so it is written with mode 0600, to F.tmp first and then renamed over F:
 * a reader never sees half a session, and a crash leaves the old one. */
#define _GNU_SOURCE /* O_NOFOLLOW, explicit_bzero */
#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Far more than a session takes (a ticket of at most a few KB and its state). */
#define SESSION_FILE_MAX 65536

__attribute__((format(printf, 3, 4)))
static void say(char *err, size_t cap, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, cap, fmt, ap);
    va_end(ap);
}

int cli_session_save(const ward_session *s, const char *path, char *err, size_t errcap)
{
    static uint8_t buf[SESSION_FILE_MAX];
    size_t len = 0;
    ward_err e = ward_session_encode(s, buf, sizeof buf, &len);
    if (e != WARD_OK) {
        say(err, errcap, "cannot encode the session: %s", ward_err_str(e));
        return -1;
    }
    size_t pl = strlen(path);
    char *tmp = malloc(pl + 5);
    if (!tmp) {
        explicit_bzero(buf, len);
        say(err, errcap, "out of memory");
        return -1;
    }
    memcpy(tmp, path, pl);
    memcpy(tmp + pl, ".tmp", 5);
    /* A stale F.tmp (an earlier run that died) goes; O_EXCL then makes
     * sure the file written is a new one with our mode, not a link. */
    if (unlink(tmp) != 0 && errno != ENOENT) {
        say(err, errcap, "cannot replace %s: %s", tmp, strerror(errno));
        goto fail;
    }
    int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) {
        say(err, errcap, "cannot create %s: %s", tmp, strerror(errno));
        goto fail;
    }
    int bad = cli_write_all(fd, buf, len) != 0 || fsync(fd) != 0;
    int saved = errno;
    if (close(fd) != 0 && !bad) {
        bad = 1;
        saved = errno;
    }
    if (bad) {
        say(err, errcap, "cannot write %s: %s", tmp, strerror(saved));
        (void)unlink(tmp);
        goto fail;
    }
    if (rename(tmp, path) != 0) {
        say(err, errcap, "cannot rename %s to %s: %s", tmp, path, strerror(errno));
        (void)unlink(tmp);
        goto fail;
    }
    free(tmp);
    explicit_bzero(buf, len);
    return 0;
fail:
    free(tmp);
    explicit_bzero(buf, len);
    return -1;
}

ward_session *cli_session_load(const char *path, char *err, size_t errcap)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        say(err, errcap, "cannot read --sess-in %s: %s", path, strerror(errno));
        return NULL;
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size > SESSION_FILE_MAX) {
        say(err, errcap, "--sess-in %s is not a saved session (not a regular file of at most %d bytes)",
            path, SESSION_FILE_MAX);
        close(fd);
        return NULL;
    }
    static uint8_t buf[SESSION_FILE_MAX];
    size_t n = 0;
    for (;;) {
        ssize_t r = read(fd, buf + n, sizeof buf - n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            say(err, errcap, "cannot read --sess-in %s: %s", path, strerror(errno));
            close(fd);
            explicit_bzero(buf, n);
            return NULL;
        }
        if (r == 0 || (n += (size_t)r) == sizeof buf)
            break;
    }
    close(fd);
    ward_session *s = n ? ward_session_decode(buf, n) : NULL;
    explicit_bzero(buf, n);
    if (!s)
        say(err, errcap,
            "--sess-in %s is not a saved session (empty, corrupt, or written by another ward "
            "version); delete it, or save a new one with --sess-out",
            path);
    return s;
}

int cli_read_small_file(const char *path, size_t max, uint8_t **data, size_t *len, char *err,
                        size_t errcap)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        say(err, errcap, "cannot read %s: %s", path, strerror(errno));
        return -1;
    }
    uint8_t *buf = malloc(max + 1);
    if (!buf) {
        close(fd);
        say(err, errcap, "out of memory");
        return -1;
    }
    size_t n = 0;
    for (;;) {
        ssize_t r = read(fd, buf + n, max + 1 - n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            say(err, errcap, "cannot read %s: %s", path, strerror(errno));
            close(fd);
            free(buf);
            return -1;
        }
        if (r == 0 || (n += (size_t)r) == max + 1)
            break;
    }
    close(fd);
    if (n > max) {
        say(err, errcap, "%s is larger than %zu bytes", path, max);
        free(buf);
        return -1;
    }
    *data = buf;
    *len = n;
    return 0;
}
