/* Error codes → alerts (RFC 8446 §6.2) and fixed descriptions. */
#include "ward/ward.h"

#include <stddef.h>

static const struct {
    int alert;
    const char *text;
} err_table[WARD_ERR__COUNT] = {
    [WARD_OK] = {-1, "success"},
    [WARD_WANT_READ] = {-1, "waiting for input"},
    [WARD_WANT_WRITE] = {-1, "waiting to write"},
    [WARD_CLOSED] = {-1, "the peer closed the connection (close_notify)"},
    [WARD_ERR_DECODE] = {50, "malformed message"},
    [WARD_ERR_ILLEGAL_PARAMETER] = {47, "illegal parameter"},
    [WARD_ERR_UNEXPECTED_MESSAGE] = {10, "unexpected message"},
    [WARD_ERR_BAD_RECORD_MAC] = {20, "record failed authentication"},
    [WARD_ERR_RECORD_OVERFLOW] = {22, "record too large"},
    [WARD_ERR_HANDSHAKE_FAILURE] = {40, "no acceptable parameters in common"},
    [WARD_ERR_DECRYPT_ERROR] = {51, "signature or Finished check failed"},
    [WARD_ERR_PROTOCOL_VERSION] = {70, "no TLS version in common"},
    [WARD_ERR_INSUFFICIENT_SECURITY] = {71, "peer offered only weak parameters"},
    [WARD_ERR_MISSING_EXTENSION] = {109, "required extension missing"},
    [WARD_ERR_UNSUPPORTED_EXTENSION] = {110, "extension not allowed here"},
    [WARD_ERR_UNRECOGNIZED_NAME] = {112, "server name not recognized"},
    [WARD_ERR_NO_APPLICATION_PROTOCOL] = {120, "no application protocol in common"},
    [WARD_ERR_INAPPROPRIATE_FALLBACK] = {86, "client fell back to a lower version than both support"},
    [WARD_ERR_BAD_CERTIFICATE] = {42, "bad certificate"},
    [WARD_ERR_UNSUPPORTED_CERTIFICATE] = {43, "unsupported certificate"},
    [WARD_ERR_CERT_EXPIRED] = {45, "certificate has expired"},
    [WARD_ERR_CERT_NOT_YET_VALID] = {42, "certificate is not yet valid"},
    [WARD_ERR_CERT_UNKNOWN] = {46, "certificate could not be verified"},
    [WARD_ERR_UNKNOWN_CA] = {48, "certificate issuer is not trusted"},
    [WARD_ERR_SELF_SIGNED] = {48, "certificate is self-signed and not pinned"},
    [WARD_ERR_HOSTNAME_MISMATCH] = {42, "certificate does not match the host name"},
    [WARD_ERR_PIN_MISMATCH] = {42, "certificate key does not match the pin"},
    [WARD_ERR_CERTIFICATE_REQUIRED] = {116, "a client certificate is required"},
    [WARD_ERR_CERT_REVOKED] = {44, "certificate has been revoked"},
    [WARD_ERR_BAD_CERT_STATUS] = {113, "bad OCSP certificate status response"},
    [WARD_ERR_INTERNAL] = {80, "internal error"},
    [WARD_ERR_NOMEM] = {80, "out of memory"},
    [WARD_ERR_CONFIG] = {-1, "configuration error"},
    [WARD_ERR_IO] = {-1, "I/O error"},
    [WARD_ERR_TRUNCATED] = {-1, "connection closed without close_notify"},
    [WARD_ERR_PEER_ALERT] = {-1, "the peer sent a fatal alert"},
    [WARD_ERR_STATE] = {-1, "call not allowed in this connection state"},
    [WARD_ERR_TIMEOUT] = {-1, "timed out"},
    [WARD_ERR_STARTTLS_REFUSED] = {-1, "the server does not offer or refused STARTTLS"},
    [WARD_ERR_STARTTLS_PROTOCOL] = {-1, "the peer broke the application protocol before TLS"},
    [WARD_ERR_STARTTLS_INJECTION] =
        {-1, "plaintext arrived after the command that starts TLS (command injection)"},
};

int ward_err_alert(ward_err e)
{
    if ((unsigned)e >= WARD_ERR__COUNT)
        return 80;
    return err_table[e].alert;
}

const char *ward_err_str(ward_err e)
{
    if ((unsigned)e >= WARD_ERR__COUNT)
        return "unknown error";
    return err_table[e].text;
}

const char *ward_alert_name(int alert)
{
    switch (alert) {
    case 0: return "close_notify";
    case 10: return "unexpected_message";
    case 20: return "bad_record_mac";
    case 22: return "record_overflow";
    case 40: return "handshake_failure";
    case 42: return "bad_certificate";
    case 43: return "unsupported_certificate";
    case 44: return "certificate_revoked";
    case 45: return "certificate_expired";
    case 46: return "certificate_unknown";
    case 47: return "illegal_parameter";
    case 48: return "unknown_ca";
    case 49: return "access_denied";
    case 50: return "decode_error";
    case 51: return "decrypt_error";
    case 70: return "protocol_version";
    case 71: return "insufficient_security";
    case 80: return "internal_error";
    case 86: return "inappropriate_fallback";
    case 100: return "no_renegotiation";
    case 90: return "user_canceled";
    case 109: return "missing_extension";
    case 110: return "unsupported_extension";
    case 112: return "unrecognized_name";
    case 113: return "bad_certificate_status_response";
    case 115: return "unknown_psk_identity";
    case 116: return "certificate_required";
    case 120: return "no_application_protocol";
    default: return "unknown_alert";
    }
}

const char *ward_suite_name(uint16_t suite)
{
    switch (suite) {
    case WARD_TLS_AES_128_GCM_SHA256: return "TLS_AES_128_GCM_SHA256";
    case WARD_TLS_AES_256_GCM_SHA384: return "TLS_AES_256_GCM_SHA384";
    case WARD_TLS_CHACHA20_POLY1305_SHA256: return "TLS_CHACHA20_POLY1305_SHA256";
    case WARD_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256:
        return "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256";
    case WARD_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384:
        return "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384";
    case WARD_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256:
        return "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256";
    case WARD_TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384:
        return "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384";
    case WARD_TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256:
        return "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256";
    case WARD_TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256:
        return "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256";
    case WARD_TLS_RSA_WITH_AES_128_GCM_SHA256: return "TLS_RSA_WITH_AES_128_GCM_SHA256";
    case WARD_TLS_RSA_WITH_AES_256_GCM_SHA384: return "TLS_RSA_WITH_AES_256_GCM_SHA384";
    default: return NULL;
    }
}

const char *ward_group_name(uint16_t group)
{
    switch (group) {
    case WARD_GROUP_X25519: return "x25519";
    case WARD_GROUP_SECP256R1: return "secp256r1";
    case WARD_GROUP_SECP384R1: return "secp384r1";
    case WARD_GROUP_SECP521R1: return "secp521r1";
    case WARD_GROUP_X25519MLKEM768: return "X25519MLKEM768";
    case WARD_GROUP_SECP256R1MLKEM768: return "SecP256r1MLKEM768";
    case WARD_GROUP_SECP384R1MLKEM1024: return "SecP384r1MLKEM1024";
    case WARD_GROUP_MLKEM1024: return "MLKEM1024";
    default: return NULL;
    }
}

const char *ward_sigscheme_name(uint16_t s)
{
    switch (s) {
    case 0x0403: return "ecdsa_secp256r1_sha256";
    case 0x0503: return "ecdsa_secp384r1_sha384";
    case 0x0804: return "rsa_pss_rsae_sha256";
    case 0x0805: return "rsa_pss_rsae_sha384";
    case 0x0806: return "rsa_pss_rsae_sha512";
    case 0x0807: return "ed25519";
    case 0x0809: return "rsa_pss_pss_sha256";
    case 0x080a: return "rsa_pss_pss_sha384";
    case 0x080b: return "rsa_pss_pss_sha512";
    case 0x0401: return "rsa_pkcs1_sha256";
    case 0x0501: return "rsa_pkcs1_sha384";
    case 0x0601: return "rsa_pkcs1_sha512";
    default: return NULL;
    }
}
