/* Names of TLS protocol numbers for the trace (ward/trace.h), from the IANA
 * "TLS Parameters" and "TLS Extensions" registries. Wider than what ward
 * speaks: a trace shows what a browser or an old server offers. Unknown
 * numbers have no name (NULL); RFC 8701's GREASE values are "GREASE". */
#include <stddef.h>

#include "ward/trace.h"

typedef struct {
    uint16_t code;
    const char *name;
} name_entry;

/* TLS Cipher Suites: TLS 1.3 (RFC 8446 B.4, RFC 8998, RFC 9150), the
 * TLS 1.2 AEAD and CBC suites browsers, OpenSSL and GnuTLS offer, and the
 * signalling values (RFC 5746 §3.3, RFC 7507). */
static const name_entry suites[] = {
    {0x0000, "TLS_NULL_WITH_NULL_NULL"},
    {0x0001, "TLS_RSA_WITH_NULL_MD5"},
    {0x0002, "TLS_RSA_WITH_NULL_SHA"},
    {0x0004, "TLS_RSA_WITH_RC4_128_MD5"},
    {0x0005, "TLS_RSA_WITH_RC4_128_SHA"},
    {0x000A, "TLS_RSA_WITH_3DES_EDE_CBC_SHA"},
    {0x0016, "TLS_DHE_RSA_WITH_3DES_EDE_CBC_SHA"},
    {0x002F, "TLS_RSA_WITH_AES_128_CBC_SHA"},
    {0x0032, "TLS_DHE_DSS_WITH_AES_128_CBC_SHA"},
    {0x0033, "TLS_DHE_RSA_WITH_AES_128_CBC_SHA"},
    {0x0035, "TLS_RSA_WITH_AES_256_CBC_SHA"},
    {0x0038, "TLS_DHE_DSS_WITH_AES_256_CBC_SHA"},
    {0x0039, "TLS_DHE_RSA_WITH_AES_256_CBC_SHA"},
    {0x003B, "TLS_RSA_WITH_NULL_SHA256"},
    {0x003C, "TLS_RSA_WITH_AES_128_CBC_SHA256"},
    {0x003D, "TLS_RSA_WITH_AES_256_CBC_SHA256"},
    {0x0040, "TLS_DHE_DSS_WITH_AES_128_CBC_SHA256"},
    {0x0041, "TLS_RSA_WITH_CAMELLIA_128_CBC_SHA"},
    {0x0045, "TLS_DHE_RSA_WITH_CAMELLIA_128_CBC_SHA"},
    {0x0067, "TLS_DHE_RSA_WITH_AES_128_CBC_SHA256"},
    {0x006A, "TLS_DHE_DSS_WITH_AES_256_CBC_SHA256"},
    {0x006B, "TLS_DHE_RSA_WITH_AES_256_CBC_SHA256"},
    {0x0084, "TLS_RSA_WITH_CAMELLIA_256_CBC_SHA"},
    {0x0088, "TLS_DHE_RSA_WITH_CAMELLIA_256_CBC_SHA"},
    {0x008C, "TLS_PSK_WITH_AES_128_CBC_SHA"},
    {0x008D, "TLS_PSK_WITH_AES_256_CBC_SHA"},
    {0x009C, "TLS_RSA_WITH_AES_128_GCM_SHA256"},
    {0x009D, "TLS_RSA_WITH_AES_256_GCM_SHA384"},
    {0x009E, "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256"},
    {0x009F, "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384"},
    {0x00A2, "TLS_DHE_DSS_WITH_AES_128_GCM_SHA256"},
    {0x00A3, "TLS_DHE_DSS_WITH_AES_256_GCM_SHA384"},
    {0x00A8, "TLS_PSK_WITH_AES_128_GCM_SHA256"},
    {0x00A9, "TLS_PSK_WITH_AES_256_GCM_SHA384"},
    {0x00AA, "TLS_DHE_PSK_WITH_AES_128_GCM_SHA256"},
    {0x00AB, "TLS_DHE_PSK_WITH_AES_256_GCM_SHA384"},
    {0x00AE, "TLS_PSK_WITH_AES_128_CBC_SHA256"},
    {0x00AF, "TLS_PSK_WITH_AES_256_CBC_SHA384"},
    {0x00C6, "TLS_SM4_GCM_SM3"},
    {0x00C7, "TLS_SM4_CCM_SM3"},
    {0x00FF, "TLS_EMPTY_RENEGOTIATION_INFO_SCSV"},
    {0x1301, "TLS_AES_128_GCM_SHA256"},
    {0x1302, "TLS_AES_256_GCM_SHA384"},
    {0x1303, "TLS_CHACHA20_POLY1305_SHA256"},
    {0x1304, "TLS_AES_128_CCM_SHA256"},
    {0x1305, "TLS_AES_128_CCM_8_SHA256"},
    {0x5600, "TLS_FALLBACK_SCSV"},
    {0xC007, "TLS_ECDHE_ECDSA_WITH_RC4_128_SHA"},
    {0xC008, "TLS_ECDHE_ECDSA_WITH_3DES_EDE_CBC_SHA"},
    {0xC009, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA"},
    {0xC00A, "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA"},
    {0xC011, "TLS_ECDHE_RSA_WITH_RC4_128_SHA"},
    {0xC012, "TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA"},
    {0xC013, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA"},
    {0xC014, "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA"},
    {0xC023, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256"},
    {0xC024, "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384"},
    {0xC027, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256"},
    {0xC028, "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384"},
    {0xC02B, "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"},
    {0xC02C, "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384"},
    {0xC02F, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"},
    {0xC030, "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"},
    {0xC035, "TLS_ECDHE_PSK_WITH_AES_128_CBC_SHA"},
    {0xC036, "TLS_ECDHE_PSK_WITH_AES_256_CBC_SHA"},
    {0xC09C, "TLS_RSA_WITH_AES_128_CCM"},
    {0xC09D, "TLS_RSA_WITH_AES_256_CCM"},
    {0xC09E, "TLS_DHE_RSA_WITH_AES_128_CCM"},
    {0xC09F, "TLS_DHE_RSA_WITH_AES_256_CCM"},
    {0xC0A0, "TLS_RSA_WITH_AES_128_CCM_8"},
    {0xC0A1, "TLS_RSA_WITH_AES_256_CCM_8"},
    {0xC0A2, "TLS_DHE_RSA_WITH_AES_128_CCM_8"},
    {0xC0A3, "TLS_DHE_RSA_WITH_AES_256_CCM_8"},
    {0xC0AC, "TLS_ECDHE_ECDSA_WITH_AES_128_CCM"},
    {0xC0AD, "TLS_ECDHE_ECDSA_WITH_AES_256_CCM"},
    {0xC0AE, "TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8"},
    {0xC0AF, "TLS_ECDHE_ECDSA_WITH_AES_256_CCM_8"},
    {0xC0B4, "TLS_SHA256_SHA256"},
    {0xC0B5, "TLS_SHA384_SHA384"},
    {0xCCA8, "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256"},
    {0xCCA9, "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256"},
    {0xCCAA, "TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256"},
    {0xCCAB, "TLS_PSK_WITH_CHACHA20_POLY1305_SHA256"},
    {0xCCAC, "TLS_ECDHE_PSK_WITH_CHACHA20_POLY1305_SHA256"},
    {0xCCAD, "TLS_DHE_PSK_WITH_CHACHA20_POLY1305_SHA256"},
    {0xCCAE, "TLS_RSA_PSK_WITH_CHACHA20_POLY1305_SHA256"},
    {0xD001, "TLS_ECDHE_PSK_WITH_AES_128_GCM_SHA256"},
    {0xD002, "TLS_ECDHE_PSK_WITH_AES_256_GCM_SHA384"},
};

/* TLS Supported Groups (RFC 8422 §5.1.1, RFC 7919, RFC 8446 §4.2.7, RFC
 * 8734, draft-ietf-tls-ecdhe-mlkem, draft-ietf-tls-mlkem; 0x6399 is
 * Chrome's pre-standard hybrid, draft-tls-westerbaan-xyber768d00). */
static const name_entry groups[] = {
    {1, "sect163k1"},         {2, "sect163r1"},         {3, "sect163r2"},
    {4, "sect193r1"},         {5, "sect193r2"},         {6, "sect233k1"},
    {7, "sect233r1"},         {8, "sect239k1"},         {9, "sect283k1"},
    {10, "sect283r1"},        {11, "sect409k1"},        {12, "sect409r1"},
    {13, "sect571k1"},        {14, "sect571r1"},        {15, "secp160k1"},
    {16, "secp160r1"},        {17, "secp160r2"},        {18, "secp192k1"},
    {19, "secp192r1"},        {20, "secp224k1"},        {21, "secp224r1"},
    {22, "secp256k1"},        {23, "secp256r1"},        {24, "secp384r1"},
    {25, "secp521r1"},        {26, "brainpoolP256r1"},  {27, "brainpoolP384r1"},
    {28, "brainpoolP512r1"},  {29, "x25519"},           {30, "x448"},
    {31, "brainpoolP256r1tls13"}, {32, "brainpoolP384r1tls13"},
    {33, "brainpoolP512r1tls13"}, {41, "curveSM2"},
    {256, "ffdhe2048"},       {257, "ffdhe3072"},       {258, "ffdhe4096"},
    {259, "ffdhe6144"},       {260, "ffdhe8192"},
    {0x0200, "MLKEM512"},     {0x0201, "MLKEM768"},     {0x0202, "MLKEM1024"},
    {0x11EB, "SecP256r1MLKEM768"}, {0x11EC, "X25519MLKEM768"},
    {0x11ED, "SecP384r1MLKEM1024"},
    {0x6399, "X25519Kyber768Draft00"},
    {0xFF01, "arbitrary_explicit_prime_curves"},
    {0xFF02, "arbitrary_explicit_char2_curves"},
};

/* TLS SignatureScheme (RFC 8446 §4.2.3 and B.3.1.3, RFC 8734 for
 * brainpool, RFC 8998 for SM2, draft-ietf-tls-mldsa). */
static const name_entry sigschemes[] = {
    {0x0201, "rsa_pkcs1_sha1"},
    {0x0202, "dsa_sha1_RESERVED"},
    {0x0203, "ecdsa_sha1"},
    {0x0401, "rsa_pkcs1_sha256"},
    {0x0402, "dsa_sha256_RESERVED"},
    {0x0403, "ecdsa_secp256r1_sha256"},
    {0x0501, "rsa_pkcs1_sha384"},
    {0x0502, "dsa_sha384_RESERVED"},
    {0x0503, "ecdsa_secp384r1_sha384"},
    {0x0601, "rsa_pkcs1_sha512"},
    {0x0602, "dsa_sha512_RESERVED"},
    {0x0603, "ecdsa_secp521r1_sha512"},
    {0x0708, "sm2sig_sm3"},
    {0x0804, "rsa_pss_rsae_sha256"},
    {0x0805, "rsa_pss_rsae_sha384"},
    {0x0806, "rsa_pss_rsae_sha512"},
    {0x0807, "ed25519"},
    {0x0808, "ed448"},
    {0x0809, "rsa_pss_pss_sha256"},
    {0x080A, "rsa_pss_pss_sha384"},
    {0x080B, "rsa_pss_pss_sha512"},
    {0x081A, "ecdsa_brainpoolP256r1tls13_sha256"},
    {0x081B, "ecdsa_brainpoolP384r1tls13_sha384"},
    {0x081C, "ecdsa_brainpoolP512r1tls13_sha512"},
    {0x0904, "mldsa44"},
    {0x0905, "mldsa65"},
    {0x0906, "mldsa87"},
};

/* TLS ExtensionType Values, plus three long-deployed unregistered ones:
 * next_protocol_negotiation (0x3374) and Chrome's application_settings
 * (ALPS, 17513 old and 17613 new codepoint). */
static const name_entry extensions[] = {
    {0, "server_name"},
    {1, "max_fragment_length"},
    {2, "client_certificate_url"},
    {3, "trusted_ca_keys"},
    {4, "truncated_hmac"},
    {5, "status_request"},
    {6, "user_mapping"},
    {7, "client_authz"},
    {8, "server_authz"},
    {9, "cert_type"},
    {10, "supported_groups"},
    {11, "ec_point_formats"},
    {12, "srp"},
    {13, "signature_algorithms"},
    {14, "use_srtp"},
    {15, "heartbeat"},
    {16, "application_layer_protocol_negotiation"},
    {17, "status_request_v2"},
    {18, "signed_certificate_timestamp"},
    {19, "client_certificate_type"},
    {20, "server_certificate_type"},
    {21, "padding"},
    {22, "encrypt_then_mac"},
    {23, "extended_master_secret"},
    {24, "token_binding"},
    {25, "cached_info"},
    {26, "tls_lts"},
    {27, "compress_certificate"},
    {28, "record_size_limit"},
    {29, "pwd_protect"},
    {30, "pwd_clear"},
    {31, "password_salt"},
    {32, "ticket_pinning"},
    {33, "tls_cert_with_extern_psk"},
    {34, "delegated_credential"},
    {35, "session_ticket"},
    {36, "TLMSP"},
    {37, "TLMSP_proxying"},
    {38, "TLMSP_delegate"},
    {39, "supported_ekt_ciphers"},
    {41, "pre_shared_key"},
    {42, "early_data"},
    {43, "supported_versions"},
    {44, "cookie"},
    {45, "psk_key_exchange_modes"},
    {47, "certificate_authorities"},
    {48, "oid_filters"},
    {49, "post_handshake_auth"},
    {50, "signature_algorithms_cert"},
    {51, "key_share"},
    {52, "transparency_info"},
    {53, "connection_id (deprecated)"},
    {54, "connection_id"},
    {55, "external_id_hash"},
    {56, "external_session_id"},
    {57, "quic_transport_parameters"},
    {58, "ticket_request"},
    {59, "dnssec_chain"},
    {60, "sequence_number_encryption_algorithms"},
    {61, "rrc"},
    {62, "tls_flags"},
    {13172, "next_protocol_negotiation"},
    {17513, "application_settings"},
    {17613, "application_settings"},
    {64768, "ech_outer_extensions"},
    {65037, "encrypted_client_hello"},
    {65281, "renegotiation_info"},
};

static const name_entry versions[] = {
    {0x0300, "SSL 3.0"}, {0x0301, "TLS 1.0"}, {0x0302, "TLS 1.1"},
    {0x0303, "TLS 1.2"}, {0x0304, "TLS 1.3"},
    {0xFEFF, "DTLS 1.0"}, {0xFEFD, "DTLS 1.2"}, {0xFEFC, "DTLS 1.3"},
};

/* TLS HandshakeType (RFC 8446 §4, RFC 5246 §7.4, RFC 6066, RFC 8879). */
static const name_entry handshakes[] = {
    {0, "HelloRequest"},        {1, "ClientHello"},
    {2, "ServerHello"},         {3, "HelloVerifyRequest"},
    {4, "NewSessionTicket"},    {5, "EndOfEarlyData"},
    {8, "EncryptedExtensions"}, {11, "Certificate"},
    {12, "ServerKeyExchange"},  {13, "CertificateRequest"},
    {14, "ServerHelloDone"},    {15, "CertificateVerify"},
    {16, "ClientKeyExchange"},  {20, "Finished"},
    {21, "CertificateURL"},     {22, "CertificateStatus"},
    {23, "SupplementalData"},   {24, "KeyUpdate"},
    {25, "CompressedCertificate"}, {254, "message_hash"},
};

/* TLS PskKeyExchangeMode (RFC 8446 §4.2.9). */
static const name_entry psk_modes[] = {{0, "psk_ke"}, {1, "psk_dhe_ke"}};

int ward_is_grease(uint16_t code)
{
    /* RFC 8701 §2: 0x0A0A, 0x1A1A, ..., 0xFAFA: both bytes equal, each ?A. */
    return (code & 0x0F0F) == 0x0A0A && (code >> 8) == (code & 0xFF);
}

static const char *find(const name_entry *t, size_t n, uint16_t code)
{
    for (size_t i = 0; i < n; i++)
        if (t[i].code == code)
            return t[i].name;
    return NULL;
}

#define FIND(t, code) find((t), sizeof(t) / sizeof((t)[0]), (code))

const char *ward_trace_name(ward_name_kind kind, uint16_t code)
{
    /* GREASE appears in every u16 list a client sends (RFC 8701 §2). */
    int greasable = kind == WARD_NAME_SUITE || kind == WARD_NAME_GROUP ||
                    kind == WARD_NAME_SIGSCHEME || kind == WARD_NAME_EXTENSION ||
                    kind == WARD_NAME_VERSION;
    if (greasable && ward_is_grease(code))
        return "GREASE";
    switch (kind) {
    case WARD_NAME_SUITE: return FIND(suites, code);
    case WARD_NAME_GROUP: return FIND(groups, code);
    case WARD_NAME_SIGSCHEME: return FIND(sigschemes, code);
    case WARD_NAME_EXTENSION: return FIND(extensions, code);
    case WARD_NAME_VERSION: return FIND(versions, code);
    case WARD_NAME_HANDSHAKE: return FIND(handshakes, code);
    case WARD_NAME_PSK_MODE: return FIND(psk_modes, code);
    default: return NULL;
    }
}

/* ward_trace_protection_name is the engine's (src/conn/trace.c), next to
 * the protections it reports. */
