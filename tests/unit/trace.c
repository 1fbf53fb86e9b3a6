/* Reader for the RFC 8448 traces: see trace.h. */
#include "trace.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The file, split into NUL-terminated lines. Loaded once per test program. */
static char *text;
static char **lines;
static size_t n_lines;

static char *read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = NULL;
    size_t len = 0, cap = 0, got;
    do {
        if (cap - len < 4096) {
            cap = cap ? 2 * cap : 1 << 16;
            char *nb = realloc(buf, cap + 1);
            if (!nb) {
                free(buf);
                fclose(f);
                return NULL;
            }
            buf = nb;
        }
        got = fread(buf + len, 1, cap - len, f);
        len += got;
    } while (got > 0);
    fclose(f);
    buf[len] = '\0';
    return buf;
}

static int split_lines(char *t)
{
    size_t n = 1;
    for (char *p = t; *p; p++)
        n += *p == '\n';
    lines = malloc(n * sizeof *lines);
    if (!lines)
        return -1;
    n_lines = 0;
    for (char *p = t; p;) {
        lines[n_lines++] = p;
        p = strchr(p, '\n');
        if (p)
            *p++ = '\0';
    }
    return 0;
}

int trace_load(void)
{
    if (lines)
        return 0;
    const char *dir = getenv("WARD_VECTORS");
    char path[1024];
    snprintf(path, sizeof path, "%s/rfc8448-traces.txt",
             dir && *dir ? dir : "tests/vectors");
    text = read_file(path);
    if (!text) {
        fprintf(stderr, "trace: cannot read %s\n", path);
        return -1;
    }
    if (split_lines(text) != 0) {
        free(text);
        text = NULL;
        return -1;
    }
    return 0;
}

/* ---- line classes ---- */

static int is_blank(const char *l)
{
    for (; *l; l++)
        if (!isspace((unsigned char)*l))
            return 0;
    return 1;
}

/* Page-break furniture: footer, header and the blank / form-feed lines
 * around them. */
static int is_noise(const char *l)
{
    return is_blank(l) || strncmp(l, "Thomson", 7) == 0 || strncmp(l, "Internet-Draft", 14) == 0;
}

/* A section heading starts in column 0: "5.  HelloRetryRequest". */
static int heading_number(const char *l)
{
    if (!isdigit((unsigned char)l[0]))
        return -1;
    char *end;
    long n = strtol(l, &end, 10);
    return strncmp(end, ".  ", 3) == 0 ? (int)n : -1;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = (char)tolower((unsigned char)c);
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Parse "xx xx xx" (pairs separated by spaces). Appends to out while there
 * is room and counts every byte in *n. Returns the number of pairs, or -1 if
 * something other than pairs is on the line. */
static long parse_hex(const char *s, uint8_t *out, size_t cap, size_t *n)
{
    long pairs = 0;
    for (;;) {
        while (*s == ' ' || *s == '\t')
            s++;
        if (*s == '\0')
            return pairs;
        int hi = hexval(s[0]), lo = hi < 0 ? -1 : hexval(s[1]);
        if (lo < 0 || (s[2] != '\0' && !isspace((unsigned char)s[2])))
            return -1;
        if (*n < cap)
            out[*n] = (uint8_t)(hi << 4 | lo);
        (*n)++;
        pairs++;
        s += 2;
    }
}

/* A label line: "<label> (N octets):  <hex or "(empty)">". On a match sets
 * *octets and *rest (the text after the colon). */
static int label_line(const char *l, const char *label, long *octets, const char **rest)
{
    const char *tail = strstr(l, " octets):");
    if (!tail)
        return 0;
    const char *open = tail;
    while (open > l && isdigit((unsigned char)open[-1]))
        open--;
    if (open == tail || open - l < 2 || open[-1] != '(' || open[-2] != ' ')
        return 0;
    const char *start = l;
    while (*start == ' ')
        start++;
    char text_buf[256];
    if (open - 2 < start || (size_t)(open - 2 - start) >= sizeof text_buf)
        return 0;
    size_t label_len = (size_t)(open - 2 - start);
    memcpy(text_buf, start, label_len);
    text_buf[label_len] = '\0';
    if (!strstr(text_buf, label))
        return 0;
    *octets = strtol(open, NULL, 10);
    *rest = tail + strlen(" octets):");
    return 1;
}

/* Read the blob whose label is on line i: its first bytes follow the label,
 * the rest are on indented hex lines, possibly across a page break. */
static long read_blob(size_t i, size_t end, long octets, const char *rest, uint8_t *out,
                      size_t cap)
{
    size_t n = 0;
    while (*rest == ' ')
        rest++;
    if (strcmp(rest, "(empty)") != 0 && parse_hex(rest, out, cap, &n) < 0)
        return -1;
    for (size_t j = i + 1; j < end; j++) {
        if (is_noise(lines[j]))
            continue;
        if (lines[j][0] != ' ' || parse_hex(lines[j], out, cap, &n) <= 0)
            break;
    }
    if ((long)n != octets) {
        fprintf(stderr, "trace: line %zu: read %zu bytes, label says %ld\n", i + 1, n, octets);
        return -1;
    }
    if (n > cap) {
        fprintf(stderr, "trace: line %zu: %zu bytes do not fit in %zu\n", i + 1, n, cap);
        return -1;
    }
    return (long)n;
}

/* [*begin, *end) of the section's lines; 0 if found. */
static int find_section(int section, size_t *begin, size_t *end)
{
    size_t i = 0;
    while (i < n_lines && heading_number(lines[i]) != section)
        i++;
    if (i == n_lines)
        return -1;
    *begin = i + 1;
    for (i = i + 1; i < n_lines && heading_number(lines[i]) < 0; i++)
        ;
    *end = i;
    return 0;
}

long trace_get(int section, const char *after, int after_nth, const char *label, int nth,
               uint8_t *out, size_t cap)
{
    size_t i, end;
    if (trace_load() != 0 || find_section(section, &i, &end) != 0)
        return -1;
    if (after) {
        int seen = 0;
        while (i < end && !(strstr(lines[i], after) && seen++ == after_nth))
            i++;
        if (i == end)
            return -1;
        i++;
    }
    for (int seen = 0; i < end; i++) {
        long octets;
        const char *rest;
        if (label_line(lines[i], label, &octets, &rest) && seen++ == nth)
            return read_blob(i, end, octets, rest, out, cap);
    }
    return -1;
}
