#!/usr/bin/env bash
# Client certificates (mutual TLS) against GnuTLS, TLS 1.3 and 1.2, both
# directions:
#  1. `gnutls-cli --x509certfile --x509keyfile` -> `ward server
#     --verify-client CA --www`: ECDSA, RSA and Ed25519 client certificates
#     are accepted and the server shows the subject; none gets
#     certificate_required (116) in 1.3, handshake_failure (40) in 1.2;
#     another CA's certificate gets unknown_ca (48), as gnutls-cli reports.
#  2. `ward client --cert --key` -> `gnutls-serv --require-client-cert
#     --verify-client-cert --x509cafile CA`: gnutls-serv finds the
#     certificate trusted and prints its subject and the client's
#     signature; another CA's certificate is refused ("Error in the
#     certificate"; GnuTLS sends access_denied, 49) and the ward client says
#     the server refused it; none is certificate_required in 1.3.
#  3. gnutls-cli --post-handshake-auth against ward server
#     --verify-client-post-handshake (TLS 1.3).
. "$(dirname "$0")/lib.sh"
need gnutls-cli gnutls-serv
make_pki
cd "$WORK"

VERSIONS=(1.3 1.2)
declare -A GT_PRIO=([1.3]="NORMAL:-VERS-ALL:+VERS-TLS1.3" [1.2]="NORMAL:-VERS-ALL:+VERS-TLS1.2")
declare -A GT_DESC=([1.3]="(TLS1.3-X.509)" [1.2]="(TLS1.2-X.509)")
declare -A WARD_VER=([1.3]=--tls1.3 [1.2]=--tls1.2)
# how gnutls-serv names the client's signature, by key and version (ward takes the
# server's preference: GnuTLS lists rsa_pkcs1_sha256 first in TLS 1.2)
declare -A GT_CLIENT_SIG=([1.3-ecdsa]=ECDSA-SECP256R1-SHA256 [1.2-ecdsa]=ECDSA-SHA256
    [1.3-rsa]=RSA-PSS-RSAE-SHA256 [1.2-rsa]=RSA-SHA256
    [1.3-ed25519]=EdDSA-Ed25519 [1.2-ed25519]=EdDSA-Ed25519)

# ---- 1. gnutls-cli -> ward server --verify-client ----
# gcli NAME VERSION ARGS...: one GET; stdin stays open a moment so that the
# answer (or the server's alert, which comes after the client's Finished in
# TLS 1.3) arrives. Sets GCLI_RC; details in NAME.log, the page in NAME.out.
gcli() {
    local name=$1 v=$2
    shift 2
    GCLI_RC=0
    { printf 'GET / HTTP/1.0\r\n\r\n'; sleep 2; } |
        timeout 30 gnutls-cli --x509cafile "$PKI/ca.pem" --sni-hostname localhost \
            --verify-hostname localhost --priority "${GT_PRIO[$v]}" --logfile "$name.log" \
            "$@" -p "$SERVER_PORT" 127.0.0.1 >"$name.out" 2>"$name.err" || GCLI_RC=$?
    touch "$name.log"
}

start_ward_server ward-require --cert "$PKI/ecdsa.pem" --key "$PKI/ecdsa.key" \
    --verify-client "$PKI/ca.pem" --www
for v in "${VERSIONS[@]}"; do
    for kind in "${CERT_KINDS[@]}"; do
        name="c-$v-$kind"
        gcli "$name" "$v" --x509certfile "$PKI/client-$kind.pem" --x509keyfile "$PKI/client-$kind.key"
        [ "$GCLI_RC" -eq 0 ] || fail "TLS $v $kind: gnutls-cli exited $GCLI_RC: $(cat "$name.log" "$name.err")"
        assert_contains "$name.log" "${GT_DESC[$v]}" "gnutls-cli (TLS $v, $kind)"
        assert_contains "$name.out" "<th>client certificate</th><td>CN=ward client $kind (issuer CN=ward test CA)</td>" \
            "the --www page (TLS $v, $kind)"
        assert_contains "$SERVER_LOG" "client: CN=ward client $kind (issuer CN=ward test CA)" \
            "the ward server's log (TLS $v, $kind)"
        ok "TLS $v: gnutls-cli with a $kind client certificate: accepted, subject logged and shown"
    done

    name="c-$v-none"
    gcli "$name" "$v"
    [ "$GCLI_RC" -ne 0 ] || fail "TLS $v: gnutls-cli without a certificate succeeded"
    if [ "$v" = 1.3 ]; then
        assert_contains "$name.log" "Received alert [116]" "gnutls-cli without a certificate"
    else
        assert_contains "$name.log" "Received alert [40]" "gnutls-cli without a certificate"
    fi
    assert_not_contains "$name.out" "200 OK" "gnutls-cli without a certificate"
    ok "TLS $v: gnutls-cli without a certificate refused ($([ "$v" = 1.3 ] && echo 116 || echo 40))"

    name="c-$v-unknown"
    gcli "$name" "$v" --x509certfile "$PKI/client-unknown.pem" --x509keyfile "$PKI/client-unknown.key"
    [ "$GCLI_RC" -ne 0 ] || fail "TLS $v: gnutls-cli with another CA's certificate succeeded"
    assert_contains "$name.log" "Received alert [48]: CA is unknown" "gnutls-cli, another CA"
    ok "TLS $v: a client certificate from another CA: unknown_ca (48)"
done
stop "$SERVER_PID"

# ---- 2. ward client -> gnutls-serv --require-client-cert ----
# gserv NAME VERSION: an echo server that requires a client certificate and
# verifies it against the test CA.
gserv() {
    start_gnutls_server "$1" --echo --crlf --x509certfile "$PKI/ecdsa-chain.pem" \
        --x509keyfile "$PKI/ecdsa.key" --x509cafile "$PKI/ca.pem" --require-client-cert \
        --verify-client-cert --priority "${GT_PRIO[$2]}"
}

for v in "${VERSIONS[@]}"; do
    for kind in "${CERT_KINDS[@]}"; do
        name="s-$v-$kind"
        printf 'mtls-ping-%s-%s\n' "$v" "$kind" >"$name.in"
        gserv "$name" "$v"
        CLIENT_IN="$name.in" ward_client "$name.client.log" "${WARD_VER[$v]}" \
            --cafile "$PKI/ca.pem" --servername localhost \
            --cert "$PKI/client-$kind.pem" --key "$PKI/client-$kind.key" "127.0.0.1:$SERVER_PORT"
        [ "$CLIENT_RC" -eq 0 ] || fail "TLS $v $kind: ward client exited $CLIENT_RC: $(cat "$name.client.log")"
        assert_same "$name.in" "$WORK/client.out" "TLS $v $kind: echo"
        stop "$SERVER_PID"
        assert_contains "$SERVER_OUT" "- Status: The certificate is trusted." "gnutls-serv (TLS $v, $kind)"
        assert_contains "$SERVER_OUT" "Subject: CN=ward client $kind" "gnutls-serv (TLS $v, $kind)"
        assert_contains "$SERVER_OUT" "- Client Signature: ${GT_CLIENT_SIG[$v-$kind]}" \
            "gnutls-serv (TLS $v, $kind)"
        assert_contains "$SERVER_OUT" "- Version: TLS$v" "gnutls-serv (TLS $v, $kind)"
        ok "TLS $v: ward client with a $kind certificate: gnutls-serv trusts it (${GT_CLIENT_SIG[$v-$kind]})"
    done

    name="s-$v-unknown"
    echo ping >"$name.in"
    gserv "$name" "$v"
    CLIENT_IN="$name.in" ward_client "$name.client.log" "${WARD_VER[$v]}" --cafile "$PKI/ca.pem" \
        --servername localhost --cert "$PKI/client-unknown.pem" --key "$PKI/client-unknown.key" \
        "127.0.0.1:$SERVER_PORT"
    [ "$CLIENT_RC" -eq 1 ] || fail "TLS $v: ward client with another CA's certificate exited $CLIENT_RC"
    # (its stdout, with the verification status, is not flushed on a failed handshake)
    wait_line "$SERVER_LOG" "Error in handshake: Error in the certificate" "$SERVER_PID" 10 >/dev/null ||
        fail "TLS $v: gnutls-serv did not refuse the certificate: $(tail -n 20 "$SERVER_LOG")"
    stop "$SERVER_PID"
    assert_contains "$name.client.log" "peer sent alert access_denied (49)" "ward client, another CA"
    assert_contains "$name.client.log" "the server refused the client certificate" "ward client, another CA"
    ok "TLS $v: gnutls-serv refuses a certificate from another CA (access_denied); ward says so"
done

name="s-1.3-none"
echo ping >"$name.in"
gserv "$name" 1.3
CLIENT_IN="$name.in" ward_client "$name.client.log" --tls1.3 --cafile "$PKI/ca.pem" \
    --servername localhost "127.0.0.1:$SERVER_PORT"
stop "$SERVER_PID"
[ "$CLIENT_RC" -eq 1 ] || fail "TLS 1.3: ward client without a certificate exited $CLIENT_RC"
assert_contains "$name.client.log" "peer sent alert certificate_required (116)"
assert_contains "$name.client.log" "the server requires a client certificate"
ok "TLS 1.3: gnutls-serv refuses a client without a certificate with certificate_required"

# post-handshake authentication (TLS 1.3): gnutls-cli --post-handshake-auth
start_ward_server ward-pha --cert "$PKI/ecdsa.pem" --key "$PKI/ecdsa.key" \
    --verify-client-post-handshake "$PKI/ca.pem" --www
gcli p-ed25519 1.3 --post-handshake-auth --x509certfile "$PKI/client-ed25519.pem" \
    --x509keyfile "$PKI/client-ed25519.key"
[ "$GCLI_RC" -eq 0 ] || fail "gnutls-cli --post-handshake-auth exited $GCLI_RC: $(cat p-ed25519.log p-ed25519.err)"
assert_contains p-ed25519.out "<th>client certificate</th><td>CN=ward client ed25519 (issuer CN=ward test CA)</td>" \
    "the --www page after post-handshake authentication"
assert_contains "$SERVER_LOG" "asked for a client certificate (post-handshake)"
stop "$SERVER_PID"
ok "gnutls-cli --post-handshake-auth: ward server authenticates it after the handshake"

done_all
