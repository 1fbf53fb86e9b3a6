/* LDAP's StartTLS messages (RFC 4511 §4.14.1, §4.12, §4.2 of the
 * LDAPMessage envelope), encoded and decoded with the strict reader of
 * ber.c:
 *
 *   LDAPMessage ::= SEQUENCE { messageID INTEGER (0..2^31-1),
 *                              protocolOp CHOICE {...}, controls [0] OPTIONAL }
 *   ExtendedRequest ::= [APPLICATION 23] SEQUENCE {
 *        requestName [0] LDAPOID, requestValue [1] OCTET STRING OPTIONAL }
 *   ExtendedResponse ::= [APPLICATION 24] SEQUENCE {
 *        resultCode ENUMERATED, matchedDN LDAPDN, diagnosticMessage LDAPString,
 *        referral [3] OPTIONAL, responseName [10] OPTIONAL,
 *        responseValue [11] OPTIONAL } */
#include <string.h>

#include "starttls/binproto.h"

#define TAG_SEQUENCE 0x30
#define TAG_INTEGER 0x02
#define TAG_ENUMERATED 0x0a
#define TAG_OCTETS 0x04
#define TAG_EXT_REQ 0x77    /* [APPLICATION 23], constructed */
#define TAG_EXT_RESP 0x78   /* [APPLICATION 24], constructed */
#define TAG_REQ_NAME 0x80   /* [0] */
#define TAG_REQ_VALUE 0x81  /* [1] */
#define TAG_CONTROLS 0xa0   /* [0], constructed */
#define TAG_REFERRAL 0xa3   /* [3], constructed */
#define TAG_RESP_NAME 0x8a  /* [10] */
#define TAG_RESP_VALUE 0x8b /* [11] */

/* Append tag, length (short form, or 0x81 / 0x82) and value at out + *o. */
static int put_tlv(uint8_t *out, size_t cap, size_t *o, uint8_t tag, const void *v, size_t len)
{
    size_t hdr = len < 0x80 ? 2 : len < 0x100 ? 3 : 4;
    if (len > 0xffff || cap - *o < hdr + len)
        return 0;
    uint8_t *q = out + *o;
    q[0] = tag;
    if (hdr == 2) {
        q[1] = (uint8_t)len;
    } else if (hdr == 3) {
        q[1] = 0x81;
        q[2] = (uint8_t)len;
    } else {
        q[1] = 0x82;
        q[2] = (uint8_t)(len >> 8);
        q[3] = (uint8_t)len;
    }
    if (len)
        memcpy(q + hdr, v, len);
    *o += hdr + len;
    return 1;
}

/* A non-negative INTEGER / ENUMERATED in its shortest form (X.690 §8.3.2). */
static int put_uint(uint8_t *out, size_t cap, size_t *o, uint8_t tag, uint32_t v)
{
    uint8_t b[5] = {0, (uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v};
    size_t i = 0;
    while (i < 4 && b[i] == 0 && !(b[i + 1] & 0x80))
        i++;
    return put_tlv(out, cap, o, tag, b + i, 5 - i);
}

/* Wrap the LDAPMessage around op (a whole protocolOp TLV). */
static size_t put_message(uint8_t *out, size_t cap, uint32_t msgid, const uint8_t *op,
                          size_t oplen)
{
    uint8_t body[STT_LDAP_MSG_MAX];
    size_t b = 0, o = 0;
    if (!put_uint(body, sizeof body, &b, TAG_INTEGER, msgid) || sizeof body - b < oplen)
        return 0;
    memcpy(body + b, op, oplen);
    b += oplen;
    return put_tlv(out, cap, &o, TAG_SEQUENCE, body, b) ? o : 0;
}

size_t stt_ldap_request(uint8_t *out, size_t cap, uint32_t msgid)
{
    uint8_t name[64], op[64];
    size_t n = 0, o = 0;
    if (!put_tlv(name, sizeof name, &n, TAG_REQ_NAME, STT_LDAP_STARTTLS_OID,
                 strlen(STT_LDAP_STARTTLS_OID)) ||
        !put_tlv(op, sizeof op, &o, TAG_EXT_REQ, name, n))
        return 0;
    return put_message(out, cap, msgid, op, o);
}

size_t stt_ldap_response(uint8_t *out, size_t cap, uint32_t msgid, uint32_t code,
                         const char *diag, const char *name)
{
    uint8_t body[STT_LDAP_MSG_MAX / 2], op[STT_LDAP_MSG_MAX / 2];
    size_t b = 0, o = 0;
    if (!put_uint(body, sizeof body, &b, TAG_ENUMERATED, code) ||
        !put_tlv(body, sizeof body, &b, TAG_OCTETS, "", 0) ||
        !put_tlv(body, sizeof body, &b, TAG_OCTETS, diag, strlen(diag)) ||
        (name && !put_tlv(body, sizeof body, &b, TAG_RESP_NAME, name, strlen(name))) ||
        !put_tlv(op, sizeof op, &o, TAG_EXT_RESP, body, b))
        return 0;
    return put_message(out, cap, msgid, op, o);
}

/* The envelope: SEQUENCE { messageID, protocolOp, [0] controls OPTIONAL },
 * exactly n bytes. */
static WARD_MUST_CHECK wres parse_envelope(const uint8_t *p, size_t n, uint32_t *msgid, stt_tlv *op,
                                           const char **why)
{
    stt_ber top = {p, n}, in;
    stt_tlv seq, id, ctl;
    *why = "it is not a BER SEQUENCE of exactly its length";
    GUARD(stt_ber_next(&top, &seq));
    ENSURE(seq.tag == TAG_SEQUENCE && top.left == 0, WARD_ERR_DECODE);
    in = (stt_ber){seq.v, seq.len};
    *why = "its messageID is not an INTEGER from 0 to 2^31-1";
    GUARD(stt_ber_next(&in, &id));
    ENSURE(id.tag == TAG_INTEGER, WARD_ERR_DECODE);
    GUARD(stt_ber_uint(&id, msgid));
    *why = "its protocolOp is malformed";
    GUARD(stt_ber_next(&in, op));
    if (in.left > 0) {
        *why = "something other than controls follows its protocolOp";
        GUARD(stt_ber_next(&in, &ctl));
        ENSURE(ctl.tag == TAG_CONTROLS && in.left == 0, WARD_ERR_DECODE);
    }
    *why = NULL;
    return wres_ok();
}

/* The fields of an ExtendedResponse after diagnosticMessage: each at most
 * once, in the order referral [3], responseName [10], responseValue [11]. */
static WARD_MUST_CHECK wres parse_response_tail(stt_ber *in, stt_ldap_result *r, const char **why)
{
    stt_tlv t;
    int last = 0;
    *why = "its optional fields are unknown or out of order";
    while (in->left > 0) {
        GUARD(stt_ber_next(in, &t));
        int rank = t.tag == TAG_REFERRAL    ? 1
                   : t.tag == TAG_RESP_NAME  ? 2
                   : t.tag == TAG_RESP_VALUE ? 3
                                             : 0;
        ENSURE(rank > last, WARD_ERR_DECODE);
        last = rank;
        if (t.tag == TAG_RESP_NAME) {
            r->name = t.v;
            r->name_len = t.len;
        }
    }
    return wres_ok();
}

wres stt_ldap_response_parse(const uint8_t *p, size_t n, stt_ldap_result *r, const char **why)
{
    stt_tlv op, code, dn, diag;
    memset(r, 0, sizeof *r);
    GUARD(parse_envelope(p, n, &r->msgid, &op, why));
    r->op = op.tag;
    if (op.tag != TAG_EXT_RESP)
        return wres_ok(); /* the caller names what it got */
    stt_ber in = {op.v, op.len};
    *why = "its resultCode is not an ENUMERATED";
    GUARD(stt_ber_next(&in, &code));
    ENSURE(code.tag == TAG_ENUMERATED, WARD_ERR_DECODE);
    GUARD(stt_ber_uint(&code, &r->code));
    *why = "its matchedDN or diagnosticMessage is not an OCTET STRING";
    GUARD(stt_ber_next(&in, &dn));
    ENSURE(dn.tag == TAG_OCTETS, WARD_ERR_DECODE);
    GUARD(stt_ber_next(&in, &diag));
    ENSURE(diag.tag == TAG_OCTETS, WARD_ERR_DECODE);
    r->diag = diag.v;
    r->diag_len = diag.len;
    GUARD(parse_response_tail(&in, r, why));
    *why = NULL;
    return wres_ok();
}

wres stt_ldap_request_parse(const uint8_t *p, size_t n, uint32_t *msgid, const uint8_t **name,
                            size_t *name_len, const char **why)
{
    stt_tlv op, nm, val;
    GUARD(parse_envelope(p, n, msgid, &op, why));
    *why = "it is not an ExtendedRequest";
    ENSURE(op.tag == TAG_EXT_REQ, WARD_ERR_DECODE);
    stt_ber in = {op.v, op.len};
    *why = "its requestName is missing";
    GUARD(stt_ber_next(&in, &nm));
    ENSURE(nm.tag == TAG_REQ_NAME, WARD_ERR_DECODE);
    if (in.left > 0) {
        *why = "something other than a requestValue follows its requestName";
        GUARD(stt_ber_next(&in, &val));
        ENSURE(val.tag == TAG_REQ_VALUE && in.left == 0, WARD_ERR_DECODE);
    }
    *name = nm.v;
    *name_len = nm.len;
    *why = NULL;
    return wres_ok();
}

/* RFC 4511 §4.1.9 and Appendix A. */
const char *stt_ldap_result_name(uint32_t code)
{
    static const struct {
        uint32_t code;
        const char *name;
    } names[] = {
        {0, "success"}, {1, "operationsError"}, {2, "protocolError"},
        {3, "timeLimitExceeded"}, {4, "sizeLimitExceeded"}, {5, "compareFalse"},
        {6, "compareTrue"}, {7, "authMethodNotSupported"}, {8, "strongerAuthRequired"},
        {10, "referral"}, {11, "adminLimitExceeded"}, {12, "unavailableCriticalExtension"},
        {13, "confidentialityRequired"}, {14, "saslBindInProgress"}, {16, "noSuchAttribute"},
        {17, "undefinedAttributeType"}, {18, "inappropriateMatching"},
        {19, "constraintViolation"}, {20, "attributeOrValueExists"},
        {21, "invalidAttributeSyntax"}, {32, "noSuchObject"}, {33, "aliasProblem"},
        {34, "invalidDNSyntax"}, {36, "aliasDereferencingProblem"},
        {48, "inappropriateAuthentication"}, {49, "invalidCredentials"},
        {50, "insufficientAccessRights"}, {51, "busy"}, {52, "unavailable"},
        {53, "unwillingToPerform"}, {54, "loopDetect"}, {64, "namingViolation"},
        {65, "objectClassViolation"}, {66, "notAllowedOnNonLeaf"}, {67, "notAllowedOnRDN"},
        {68, "entryAlreadyExists"}, {69, "objectClassModsProhibited"},
        {71, "affectsMultipleDSAs"}, {80, "other"},
    };
    for (size_t i = 0; i < WARD_ARRAY_LEN(names); i++)
        if (names[i].code == code)
            return names[i].name;
    return "unknown";
}
