/* The tag scanner behind the XMPP dialogues: cuts the bytes into text,
 * <?xml?>, start, empty and end tags, and splits a tag into its name and
 * attributes (XML 1.0 §3.1, Namespaces in XML §3 for prefix:local).
 *
 * What RFC 6120 §11.1 forbids in XMPP is refused outright: comments,
 * processing instructions other than the XML declaration, DTDs, CDATA
 * (everything that starts "<!" or "<?" but "<?xml"). Attribute values may
 * be in either quote and may hold '>' (XML allows it), so the end of a tag
 * is looked for outside quotes. Entities are not expanded: the values we
 * compare (namespace names, version) never contain any. Every tag is
 * bounded by max; a token never reads outside p[0 .. n). */
#include <string.h>

#include "starttls/binproto.h"

int stt_xs_is(stt_xs s, const char *z)
{
    size_t n = strlen(z);
    return s.len == n && memcmp(s.p, z, n) == 0;
}

static int is_space(uint8_t c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

/* XML name characters, loosely: ASCII letters, digits, - _ . : and any
 * byte of a UTF-8 sequence. */
static int is_name(uint8_t c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '-' || c == '_' || c == '.' || c == ':' || c >= 0x80;
}

/* The offset of the '>' that ends the tag starting at p[0] == '<', outside
 * quotes; 0 if it is not in p[0 .. n). */
static size_t tag_end(const uint8_t *p, size_t n)
{
    uint8_t quote = 0;
    for (size_t i = 1; i < n; i++) {
        if (quote) {
            if (p[i] == quote)
                quote = 0;
        } else if (p[i] == '\'' || p[i] == '"') {
            quote = p[i];
        } else if (p[i] == '>') {
            return i;
        }
    }
    return 0;
}

/* A name at p[*i ..): split at the first ':'. 0 if there is none. */
static int take_name(const uint8_t *p, size_t end, size_t *i, stt_xs *prefix, stt_xs *local)
{
    size_t start = *i, colon = 0;
    while (*i < end && is_name(p[*i])) {
        if (p[*i] == ':' && !colon)
            colon = *i;
        (*i)++;
    }
    if (*i == start || p[start] == ':' || (colon && colon + 1 == *i))
        return 0;
    if (colon) {
        *prefix = (stt_xs){p + start, colon - start};
        *local = (stt_xs){p + colon + 1, *i - colon - 1};
    } else {
        *prefix = (stt_xs){p + start, 0};
        *local = (stt_xs){p + start, *i - start};
    }
    return 1;
}

static void skip_space(const uint8_t *p, size_t end, size_t *i)
{
    while (*i < end && is_space(p[*i]))
        (*i)++;
}

/* One attribute at p[*i ..): name S? = S? quoted value. */
static int take_attr(const uint8_t *p, size_t end, size_t *i, stt_xml_tok *t, const char **why)
{
    *why = "an attribute is malformed";
    if (t->nattr == STT_XML_ATTRS_MAX) {
        *why = "a tag has too many attributes";
        return 0;
    }
    stt_xs *a = &t->attr[t->nattr].prefix, *l = &t->attr[t->nattr].local;
    if (!take_name(p, end, i, a, l))
        return 0;
    skip_space(p, end, i);
    if (*i >= end || p[*i] != '=')
        return 0;
    (*i)++;
    skip_space(p, end, i);
    if (*i >= end || (p[*i] != '\'' && p[*i] != '"'))
        return 0;
    const uint8_t *close = memchr(p + *i + 1, p[*i], end - *i - 1);
    if (!close || memchr(p + *i + 1, '<', (size_t)(close - p - *i - 1)))
        return 0; /* '<' is never allowed in a value (XML 1.0 §3.1) */
    t->attr[t->nattr].value = (stt_xs){p + *i + 1, (size_t)(close - p - *i - 1)};
    *i = (size_t)(close - p) + 1;
    t->nattr++;
    return 1;
}

/* The inside of a start or empty tag: p[0] == '<', p[end] == '>'. */
static int parse_tag(const uint8_t *p, size_t end, stt_xml_tok *t, const char **why)
{
    size_t i = 1;
    *why = "a tag's name is malformed";
    if (!take_name(p, end, &i, &t->prefix, &t->local))
        return 0;
    t->kind = p[end - 1] == '/' ? STT_XML_EMPTY : STT_XML_START;
    size_t stop = t->kind == STT_XML_EMPTY ? end - 1 : end;
    for (;;) {
        size_t before = i;
        skip_space(p, stop, &i);
        if (i == stop)
            return 1;
        if (i == before) { /* attributes are separated by white space */
            *why = "a tag is malformed";
            return 0;
        }
        if (!take_attr(p, stop, &i, t, why))
            return 0;
    }
}

/* An end tag: </name S?> */
static int parse_end(const uint8_t *p, size_t end, stt_xml_tok *t, const char **why)
{
    size_t i = 2;
    *why = "an end tag is malformed";
    if (!take_name(p, end, &i, &t->prefix, &t->local))
        return 0;
    skip_space(p, end, &i);
    t->kind = STT_XML_END;
    return i == end;
}

/* <?xml ...?>: only the declaration; its attributes are not checked. */
static int parse_decl(const uint8_t *p, size_t end, stt_xml_tok *t, const char **why)
{
    *why = "processing instructions are not allowed in XMPP (RFC 6120, section 11.1)";
    if (end < 6 || memcmp(p, "<?xml", 5) != 0 || !is_space(p[5]) || p[end - 1] != '?')
        return 0;
    t->kind = STT_XML_DECL;
    return 1;
}

static int text_token(const uint8_t *p, size_t n, stt_xml_tok *t)
{
    const uint8_t *lt = memchr(p, '<', n);
    size_t len = lt ? (size_t)(lt - p) : n;
    t->kind = STT_XML_TEXT;
    t->raw = (stt_xs){p, len};
    return 1;
}

int stt_xml_next(const uint8_t *p, size_t n, size_t max, stt_xml_tok *t, const char **why)
{
    memset(t, 0, sizeof *t);
    *why = NULL;
    if (n == 0)
        return 0;
    if (p[0] != '<')
        return text_token(p, n, t);
    if (n < 2)
        return 0;
    if (p[1] == '!') {
        *why = "comments, DTDs and CDATA are not allowed in XMPP (RFC 6120, section 11.1)";
        return -1;
    }
    size_t scan = n < max ? n : max, end = tag_end(p, scan);
    if (end == 0) {
        *why = "a tag is too long";
        return n >= max ? -1 : 0;
    }
    int ok = p[1] == '?' ? parse_decl(p, end, t, why)
             : p[1] == '/' ? parse_end(p, end, t, why)
                           : parse_tag(p, end, t, why);
    if (!ok)
        return -1;
    t->raw = (stt_xs){p, end + 1};
    return 1;
}

const stt_xs *stt_xml_attr(const stt_xml_tok *t, const char *prefix, const char *local)
{
    for (size_t i = 0; i < t->nattr; i++)
        if (stt_xs_is(t->attr[i].prefix, prefix) && stt_xs_is(t->attr[i].local, local))
            return &t->attr[i].value;
    return NULL;
}
