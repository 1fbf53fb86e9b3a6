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
    [WARD_ERR_DECODE] = {WARD_ALERT_DECODE_ERROR, "malformed message"},
    [WARD_ERR_ILLEGAL_PARAMETER] = {WARD_ALERT_ILLEGAL_PARAMETER, "illegal parameter"},
    [WARD_ERR_UNEXPECTED_MESSAGE] = {WARD_ALERT_UNEXPECTED_MESSAGE, "unexpected message"},
    [WARD_ERR_BAD_RECORD_MAC] = {WARD_ALERT_BAD_RECORD_MAC, "record failed authentication"},
    [WARD_ERR_RECORD_OVERFLOW] = {WARD_ALERT_RECORD_OVERFLOW, "record too large"},
    [WARD_ERR_HANDSHAKE_FAILURE] =
        {WARD_ALERT_HANDSHAKE_FAILURE, "no acceptable parameters in common"},
    [WARD_ERR_DECRYPT_ERROR] = {WARD_ALERT_DECRYPT_ERROR, "signature or Finished check failed"},
    [WARD_ERR_PROTOCOL_VERSION] = {WARD_ALERT_PROTOCOL_VERSION, "no TLS version in common"},
    [WARD_ERR_INSUFFICIENT_SECURITY] =
        {WARD_ALERT_INSUFFICIENT_SECURITY, "peer offered only weak parameters"},
    [WARD_ERR_MISSING_EXTENSION] = {WARD_ALERT_MISSING_EXTENSION, "required extension missing"},
    [WARD_ERR_UNSUPPORTED_EXTENSION] =
        {WARD_ALERT_UNSUPPORTED_EXTENSION, "extension not allowed here"},
    [WARD_ERR_UNRECOGNIZED_NAME] = {WARD_ALERT_UNRECOGNIZED_NAME, "server name not recognized"},
    [WARD_ERR_NO_APPLICATION_PROTOCOL] =
        {WARD_ALERT_NO_APPLICATION_PROTOCOL, "no application protocol in common"},
    [WARD_ERR_INAPPROPRIATE_FALLBACK] =
        {WARD_ALERT_INAPPROPRIATE_FALLBACK, "client fell back to a lower version than both support"},
    [WARD_ERR_BAD_CERTIFICATE] = {WARD_ALERT_BAD_CERTIFICATE, "bad certificate"},
    [WARD_ERR_UNSUPPORTED_CERTIFICATE] =
        {WARD_ALERT_UNSUPPORTED_CERTIFICATE, "unsupported certificate"},
    [WARD_ERR_CERT_EXPIRED] = {WARD_ALERT_CERTIFICATE_EXPIRED, "certificate has expired"},
    [WARD_ERR_CERT_NOT_YET_VALID] = {WARD_ALERT_BAD_CERTIFICATE, "certificate is not yet valid"},
    [WARD_ERR_CERT_UNKNOWN] = {WARD_ALERT_CERTIFICATE_UNKNOWN, "certificate could not be verified"},
    [WARD_ERR_UNKNOWN_CA] = {WARD_ALERT_UNKNOWN_CA, "certificate issuer is not trusted"},
    [WARD_ERR_SELF_SIGNED] = {WARD_ALERT_UNKNOWN_CA, "certificate is self-signed and not pinned"},
    [WARD_ERR_HOSTNAME_MISMATCH] =
        {WARD_ALERT_BAD_CERTIFICATE, "certificate does not match the host name"},
    [WARD_ERR_PIN_MISMATCH] =
        {WARD_ALERT_BAD_CERTIFICATE, "certificate key does not match the pin"},
    [WARD_ERR_CERTIFICATE_REQUIRED] =
        {WARD_ALERT_CERTIFICATE_REQUIRED, "a client certificate is required"},
    [WARD_ERR_CERT_REVOKED] = {WARD_ALERT_CERTIFICATE_REVOKED, "certificate has been revoked"},
    [WARD_ERR_BAD_CERT_STATUS] =
        {WARD_ALERT_BAD_CERTIFICATE_STATUS_RESPONSE, "bad OCSP certificate status response"},
    [WARD_ERR_INTERNAL] = {WARD_ALERT_INTERNAL_ERROR, "internal error"},
    [WARD_ERR_NOMEM] = {WARD_ALERT_INTERNAL_ERROR, "out of memory"},
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
        return WARD_ALERT_INTERNAL_ERROR;
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
    case WARD_ALERT_CLOSE_NOTIFY: return "close_notify";
    case WARD_ALERT_UNEXPECTED_MESSAGE: return "unexpected_message";
    case WARD_ALERT_BAD_RECORD_MAC: return "bad_record_mac";
    case WARD_ALERT_RECORD_OVERFLOW: return "record_overflow";
    case WARD_ALERT_HANDSHAKE_FAILURE: return "handshake_failure";
    case WARD_ALERT_BAD_CERTIFICATE: return "bad_certificate";
    case WARD_ALERT_UNSUPPORTED_CERTIFICATE: return "unsupported_certificate";
    case WARD_ALERT_CERTIFICATE_REVOKED: return "certificate_revoked";
    case WARD_ALERT_CERTIFICATE_EXPIRED: return "certificate_expired";
    case WARD_ALERT_CERTIFICATE_UNKNOWN: return "certificate_unknown";
    case WARD_ALERT_ILLEGAL_PARAMETER: return "illegal_parameter";
    case WARD_ALERT_UNKNOWN_CA: return "unknown_ca";
    case WARD_ALERT_ACCESS_DENIED: return "access_denied";
    case WARD_ALERT_DECODE_ERROR: return "decode_error";
    case WARD_ALERT_DECRYPT_ERROR: return "decrypt_error";
    case WARD_ALERT_PROTOCOL_VERSION: return "protocol_version";
    case WARD_ALERT_INSUFFICIENT_SECURITY: return "insufficient_security";
    case WARD_ALERT_INTERNAL_ERROR: return "internal_error";
    case WARD_ALERT_INAPPROPRIATE_FALLBACK: return "inappropriate_fallback";
    case WARD_ALERT_NO_RENEGOTIATION: return "no_renegotiation";
    case WARD_ALERT_USER_CANCELED: return "user_canceled";
    case WARD_ALERT_MISSING_EXTENSION: return "missing_extension";
    case WARD_ALERT_UNSUPPORTED_EXTENSION: return "unsupported_extension";
    case WARD_ALERT_UNRECOGNIZED_NAME: return "unrecognized_name";
    case WARD_ALERT_BAD_CERTIFICATE_STATUS_RESPONSE: return "bad_certificate_status_response";
    case WARD_ALERT_UNKNOWN_PSK_IDENTITY: return "unknown_psk_identity";
    case WARD_ALERT_CERTIFICATE_REQUIRED: return "certificate_required";
    case WARD_ALERT_NO_APPLICATION_PROTOCOL: return "no_application_protocol";
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
    case WARD_SIG_ECDSA_SECP256R1_SHA256: return "ecdsa_secp256r1_sha256";
    case WARD_SIG_ECDSA_SECP384R1_SHA384: return "ecdsa_secp384r1_sha384";
    case WARD_SIG_RSA_PSS_RSAE_SHA256: return "rsa_pss_rsae_sha256";
    case WARD_SIG_RSA_PSS_RSAE_SHA384: return "rsa_pss_rsae_sha384";
    case WARD_SIG_RSA_PSS_RSAE_SHA512: return "rsa_pss_rsae_sha512";
    case WARD_SIG_ED25519: return "ed25519";
    case WARD_SIG_RSA_PSS_PSS_SHA256: return "rsa_pss_pss_sha256";
    case WARD_SIG_RSA_PSS_PSS_SHA384: return "rsa_pss_pss_sha384";
    case WARD_SIG_RSA_PSS_PSS_SHA512: return "rsa_pss_pss_sha512";
    case WARD_SIG_RSA_PKCS1_SHA256: return "rsa_pkcs1_sha256";
    case WARD_SIG_RSA_PKCS1_SHA384: return "rsa_pkcs1_sha384";
    case WARD_SIG_RSA_PKCS1_SHA512: return "rsa_pkcs1_sha512";
    default: return NULL;
    }
}
