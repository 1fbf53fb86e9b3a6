#!/usr/bin/env bash
# Weak and misused certificates against OpenSSL, TLS 1.3 and 1.2, both
# roles (issue #13: RFC 8446 §4.4.2.4, RFC 9155, RFC 6151, RFC 5280
# §4.2.1.3). Certificates are made here with the openssl CLI under the
# test CA:
#  1. `openssl s_server` (security level 0, so it will present them) ->
#     `ward client`: a leaf under an RSA-1024 intermediate
#     (insufficient_security, 71), an RSA leaf whose keyUsage is
#     keyEncipherment only, used to sign (unsupported_certificate, 43); the
#     ward client names the certificate and the reason, and s_server
#     reports the alert. A leaf signed with SHA-1 comes from gnutls-serv
#     (s_server will not send a chain outside the client's
#     signature_algorithms_cert, which has no SHA-1); gnutls-serv says only
#     that a fatal alert came (the unit test pins it: bad_certificate).
#  2. `openssl s_client -cert` -> `ward server --verify-client`: a SHA-1
#     client certificate (bad_certificate) and a client certificate
#     without digitalSignature (unsupported_certificate); the server logs
#     why and serves nothing.
. "$(dirname "$0")/lib.sh"
need openssl gnutls-serv
make_pki
cd "$PKI"
export OPENSSL_CONF="$PKI/openssl.cnf"

# sign NAME KEYKIND ISSUER DIGEST EXTENSIONS: a certificate NAME.pem for the
# new key NAME.key (CN=localhost), issued by ISSUER.pem/.key.
sign() {
    local name=$1 kind=$2 issuer=$3 md=$4 ext=$5
    case $kind in
    rsa1024) openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:1024 -out "$name.key" 2>/dev/null ;;
    rsa) openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$name.key" 2>/dev/null ;;
    ecdsa) openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$name.key" 2>/dev/null ;;
    esac
    local cn=localhost
    [ "${ext%%:*}" = ca ] && cn="ward weak intermediate"
    openssl req -new -key "$name.key" -subj "/CN=$cn" -out "$name.csr"
    printf '%b' "${ext#*:}" >"$name.ext"
    openssl x509 -req -in "$name.csr" -CA "$issuer.pem" -CAkey "$issuer.key" -CAcreateserial \
        -days 2 "-$md" -extfile "$name.ext" -out "$name.pem" 2>"$name.x509.log" ||
        fail "openssl x509 for $name: $(cat "$name.x509.log")"
}
LEAF='leaf:basicConstraints=critical,CA:FALSE\nextendedKeyUsage=serverAuth,clientAuth\nsubjectAltName=DNS:localhost\n'
sign sha1 ecdsa ca sha1 "$LEAF"
cat sha1.pem ca.pem >sha1-chain.pem
sign weakca rsa1024 ca sha256 'ca:basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n'
sign underweak ecdsa weakca sha256 "$LEAF"
cat weakca.pem ca.pem >underweak-rest.pem
sign enconly rsa ca sha256 "${LEAF}keyUsage=critical,keyEncipherment\n"

sign noclientsig rsa ca sha256 "${LEAF}keyUsage=critical,keyEncipherment,keyAgreement\n"
openssl x509 -in sha1.pem -noout -text | grep -q "ecdsa-with-SHA1" || fail "sha1.pem is not SHA-1 signed"
ok "certificates made: SHA-1 leaf, RSA-1024 intermediate, keyUsage-restricted leaves"
cd "$WORK"

# ---- 1. openssl s_server -> ward client ----
# refused_by_client VERSION NAME CERT CHAIN KEY MESSAGE ALERTNAME ALERTNUM
refused_by_client() {
    local v=$1 name=$2 cert=$3 chain=$4 key=$5 msg=$6 aname=$7 anum=$8
    start_openssl_server "s-$name$v" -cert "$PKI/$cert" -cert_chain "$PKI/$chain" \
        -key "$PKI/$key" -cipher 'DEFAULT@SECLEVEL=0' "$v" -naccept 1
    ward_client "c-$name$v.log" --cafile "$PKI/ca.pem" --servername localhost \
        "127.0.0.1:$SERVER_PORT"
    [ "$CLIENT_RC" -ne 0 ] || fail "ward client $v accepted $name: $(cat "c-$name$v.log")"
    assert_contains "c-$name$v.log" "ward: error: $msg"
    assert_not_contains "c-$name$v.log" "ward: TLS"
    wait_line "$SERVER_LOG" "alert $aname.*alert number $anum" "$SERVER_PID" 5 >/dev/null ||
        fail "s_server did not report alert $aname ($anum): $(tail -n 5 "$SERVER_LOG")"
    ok "$v: ward client refuses $name; s_server got alert $aname ($anum)"
    stop "$SERVER_PID"
}
for v in -tls1_3 -tls1_2; do
    refused_by_client "$v" rsa1024-intermediate underweak.pem underweak-rest.pem underweak.key \
        "certificate refused (subject CN=ward weak intermediate): its 1024-bit RSA key is too small (ward requires at least 2048 bits)" \
        "insufficient security" 71
done
refused_by_client -tls1_3 enc-only enconly.pem ca.pem enconly.key \
    "server certificate refused (subject CN=localhost): its keyUsage does not allow digitalSignature, which TLS 1.3 needs to sign CertificateVerify (RFC 8446 4.4.2.2)" \
    "unsupported certificate" 43
refused_by_client -tls1_2 enc-only enconly.pem ca.pem enconly.key \
    "server certificate refused (subject CN=localhost): its keyUsage does not allow digitalSignature, which ECDHE needs to sign ServerKeyExchange (RFC 5246 7.4.2)" \
    "unsupported certificate" 43

declare -A GNUTLS_VER=([--tls1.3]=+VERS-TLS1.3 [--tls1.2]=+VERS-TLS1.2)
for v in --tls1.3 --tls1.2; do
    start_gnutls_server "g-sha1$v" --x509certfile "$PKI/sha1-chain.pem" \
        --x509keyfile "$PKI/sha1.key" --priority "NORMAL:-VERS-ALL:${GNUTLS_VER[$v]}"
    ward_client "c-sha1$v.log" "$v" --cafile "$PKI/ca.pem" --servername localhost \
        "127.0.0.1:$SERVER_PORT"
    [ "$CLIENT_RC" -ne 0 ] || fail "ward client $v accepted a SHA-1 leaf: $(cat "c-sha1$v.log")"
    assert_contains "c-sha1$v.log" \
        "ward: error: certificate refused (subject CN=localhost): it is signed with SHA-1, which ward refuses (RFC 9155)"
    assert_not_contains "c-sha1$v.log" "ward: TLS"
    wait_line "$SERVER_LOG" "A TLS fatal alert has been received" "$SERVER_PID" 5 >/dev/null ||
        fail "gnutls-serv got no fatal alert: $(tail -n 5 "$SERVER_LOG")"
    ok "$v: ward client refuses gnutls-serv's SHA-1 leaf; gnutls-serv got a fatal alert"
    stop "$SERVER_PID"
done

# ---- 2. openssl s_client -> ward server --verify-client ----
printf 'GET / HTTP/1.0\r\n\r\n' >get.txt
start_ward_server ward-mtls --cert "$PKI/ecdsa-chain.pem" --key "$PKI/ecdsa.key" \
    --verify-client "$PKI/ca.pem" --www
for v in -tls1_3 -tls1_2; do
    for c in sha1 noclientsig; do
        timeout 20 openssl s_client -connect "127.0.0.1:$SERVER_PORT" -servername localhost \
            -CAfile "$PKI/ca.pem" -ign_eof -quiet -cipher 'DEFAULT@SECLEVEL=0' "$v" \
            -cert "$PKI/$c.pem" -key "$PKI/$c.key" <get.txt >"m-$c$v.out" 2>&1 || true
        assert_not_contains "m-$c$v.out" "200 OK" "s_client $v with the $c certificate"
        if [ "$c" = sha1 ]; then
            assert_contains "m-$c$v.out" "SSL alert number 42" "s_client $v with a SHA-1 certificate"
        else
            assert_contains "m-$c$v.out" "SSL alert number 43" "s_client $v without digitalSignature"
        fi
    done
    ok "$v: ward server refuses a SHA-1 client certificate (42) and one without digitalSignature (43)"
done
assert_contains "$SERVER_LOG" "client certificate: certificate refused (subject CN=localhost): it is signed with SHA-1, which ward refuses (RFC 9155)"
assert_contains "$SERVER_LOG" "client certificate refused (subject CN=localhost): its keyUsage does not allow digitalSignature, which the client needs to sign CertificateVerify"
ok "the server's log names the certificate and the reason"
stop "$SERVER_PID"
done_all
