/* The binary and XML STARTTLS dialogues' pure parts (private to
 * src/starttls/): encoders and decoders the dialogue files use and the
 * unit tests call directly. None of them keeps state or allocates; each
 * reads only the bytes it is given. */
#ifndef WARD_STARTTLS_BINPROTO_H
#define WARD_STARTTLS_BINPROTO_H

#include <stddef.h>
#include <stdint.h>

#include "base/result.h"

/* ---- PostgreSQL (postgres.c) ---- */
#define STT_PG_REQUEST_LEN 8
#define STT_PG_SSL_CODE 80877103u    /* 1234 << 16 | 5679 */
#define STT_PG_GSSENC_CODE 80877104u /* 1234 << 16 | 5680 */
/* Int32 8, Int32 code (network order). */
void stt_pg_request(uint8_t out[STT_PG_REQUEST_LEN], uint32_t code);
/* 1 and the two Int32 of a request when 8 bytes are there, else 0. */
int stt_pg_request_parse(const uint8_t *p, size_t n, uint32_t *len, uint32_t *code);
/* An ErrorResponse at p (p[0] == 'E'): its size (>0), 0 if incomplete, -1
 * if malformed; *text, *tlen the message to quote. */
long stt_pg_error_text(const uint8_t *p, size_t n, const uint8_t **text, size_t *tlen);

/* ---- MySQL / MariaDB (mysql.c) ---- */
/* Capability flags (MySQL "Capabilities Flags"). */
#define STT_MY_CLIENT_LONG_PASSWORD 0x00000001u
#define STT_MY_CLIENT_PROTOCOL_41 0x00000200u
#define STT_MY_CLIENT_SSL 0x00000800u
#define STT_MY_CLIENT_SECURE_CONNECTION 0x00008000u
/* What our SSL Request asks for (starttls.h tells the application). */
#define STT_MY_SSL_REQUEST_CAPS \
    (STT_MY_CLIENT_PROTOCOL_41 | STT_MY_CLIENT_SSL | STT_MY_CLIENT_SECURE_CONNECTION)
#define STT_MY_MAX_PACKET 0x01000000u /* 16 MiB */
#define STT_MY_CHARSET 45             /* utf8mb4_general_ci */
#define STT_MY_SSL_REQUEST_LEN 32     /* payload; 36 with the header */
/* Greetings are around 100 bytes; anything past this is not one. */
#define STT_MY_PACKET_MAX 1024

/* One packet: 3-byte little-endian payload length, 1-byte sequence. */
typedef struct {
    const uint8_t *payload;
    size_t len;
    uint8_t seq;
    size_t total; /* header and payload */
} stt_my_packet;
/* 1 and *pk when a whole packet is at p, 0 when more bytes are needed, -1
 * when its length passes max. */
int stt_my_packet_take(const uint8_t *p, size_t n, size_t max, stt_my_packet *pk);

typedef struct {
    uint8_t protocol;       /* 10 */
    char version[64];       /* the server version string, cut to fit */
    uint32_t connection_id;
    uint32_t caps;          /* lower and (when present) upper halves */
    uint8_t charset;
} stt_my_greeting;
/* Parse a HandshakeV10 payload (the fields up to the capability flags are
 * required; the rest is optional in protocol 10). WARD_ERR_DECODE when
 * it is not one; *why says what is wrong. */
WARD_MUST_CHECK wres stt_my_greeting_parse(const uint8_t *p, size_t n, stt_my_greeting *g,
                                           const char **why);
/* The SSL Request packet, header included (sequence 1): returns its size
 * (36) or 0 when cap is too small. */
size_t stt_my_ssl_request(uint8_t *out, size_t cap, uint32_t caps);
/* A greeting packet (sequence 0) with these capabilities: its size or 0. */
size_t stt_my_greeting_build(uint8_t *out, size_t cap, const char *version, uint32_t caps);

/* ---- LDAP's BER (ber.c) and messages (ldap.c) ---- */
#define STT_LDAP_STARTTLS_OID "1.3.6.1.4.1.1466.20037"
#define STT_LDAP_NOTICE_OID "1.3.6.1.4.1.1466.20036" /* RFC 4511 §4.4.1 */
/* LDAP messages we accept are no longer than this. */
#define STT_LDAP_MSG_MAX 4096

/* A strict BER reader (X.690 §8.1): one-byte tags only, definite lengths
 * only, long-form lengths of at most 4 bytes. */
typedef struct {
    const uint8_t *p;
    size_t left;
} stt_ber;
typedef struct {
    uint8_t tag;
    const uint8_t *v;
    size_t len;
} stt_tlv;
/* Read one TLV: WARD_ERR_DECODE when malformed or running past the end. */
WARD_MUST_CHECK wres stt_ber_next(stt_ber *b, stt_tlv *t);
/* The size of the TLV at p: >0, 0 when more bytes are needed to know, -1
 * malformed, -2 longer than max. */
long stt_ber_size(const uint8_t *p, size_t n, size_t max);
/* A non-negative INTEGER / ENUMERATED of 1..4 content bytes. */
WARD_MUST_CHECK wres stt_ber_uint(const stt_tlv *t, uint32_t *v);

/* The StartTLS ExtendedRequest with this messageID: its size or 0. */
size_t stt_ldap_request(uint8_t *out, size_t cap, uint32_t msgid);
/* An ExtendedResponse: its size or 0. */
size_t stt_ldap_response(uint8_t *out, size_t cap, uint32_t msgid, uint32_t code,
                         const char *diag, const char *name);

typedef struct {
    uint32_t msgid;
    uint8_t op;       /* the protocolOp's tag (0x78 ExtendedResponse) */
    uint32_t code;    /* resultCode */
    const uint8_t *diag;
    size_t diag_len;
    const uint8_t *name; /* responseName, or NULL */
    size_t name_len;
} stt_ldap_result;
/* Parse one LDAPMessage holding an ExtendedResponse (RFC 4511 §4.12). */
WARD_MUST_CHECK wres stt_ldap_response_parse(const uint8_t *p, size_t n, stt_ldap_result *r,
                                             const char **why);
/* Parse one LDAPMessage holding an ExtendedRequest: its messageID and
 * requestName. */
WARD_MUST_CHECK wres stt_ldap_request_parse(const uint8_t *p, size_t n, uint32_t *msgid,
                                            const uint8_t **name, size_t *name_len,
                                            const char **why);
/* "protocolError" for 2, ...; "unknown" for codes RFC 4511 §4.1.9 does not
 * name. */
const char *stt_ldap_result_name(uint32_t code);

/* ---- XMPP's restricted XML (xml_scan.c) ---- */
/* Not an XML parser: a bounded scanner that cuts the stream into tags and
 * text, enough to find <stream:stream>, <stream:features>, <starttls/>,
 * <proceed/> and <failure/> (RFC 6120 §4, §5, §11). */
typedef struct {
    const uint8_t *p;
    size_t len;
} stt_xs;
#define STT_XML_ATTRS_MAX 16
typedef enum {
    STT_XML_TEXT = 1, /* character data up to the next '<' (or all there is) */
    STT_XML_DECL,     /* <?xml ...?> */
    STT_XML_START,    /* <name ...> */
    STT_XML_EMPTY,    /* <name .../> */
    STT_XML_END,      /* </name> */
} stt_xml_kind;
typedef struct {
    stt_xml_kind kind;
    stt_xs prefix, local; /* the name, split at its ':' (prefix empty if none) */
    size_t nattr;
    struct {
        stt_xs prefix, local, value; /* value without its quotes */
    } attr[STT_XML_ATTRS_MAX];
    stt_xs raw; /* the whole token */
} stt_xml_tok;
/* The next token at p: 1 (and *t; t->raw.len bytes to consume), 0 when more
 * bytes are needed, -1 when the bytes cannot be restricted XML (*why says
 * why) or a tag is longer than max. */
int stt_xml_next(const uint8_t *p, size_t n, size_t max, stt_xml_tok *t, const char **why);
/* 1 if s equals the C string z. */
int stt_xs_is(stt_xs s, const char *z);
/* The attribute [prefix:]local of t, or NULL. */
const stt_xs *stt_xml_attr(const stt_xml_tok *t, const char *prefix, const char *local);

#endif
