#!/usr/bin/env bash
# Client certificates (mutual TLS) against OpenSSL, TLS 1.3 and 1.2, both
# directions:
#  1. `openssl s_client -cert -key` -> `ward server --verify-client CA --www`:
#     ECDSA, RSA and Ed25519 client certificates are accepted and the server
#     logs and shows the client's subject; no certificate is
#     certificate_required (116) in 1.3 and handshake_failure (40) in 1.2; a
#     certificate from another CA is unknown_ca (48); a certificate whose
#     extendedKeyUsage lacks clientAuth is bad_certificate (42);
#     --verify-client-optional accepts a client without one.
#  2. `ward client --cert --key` -> `openssl s_server -Verify 1 -CAfile CA`:
#     s_server verifies the chain ("verify return:1") and prints the
#     client's subject; a certificate from another CA gets unknown_ca; none
#     gets certificate_required in 1.3, and the ward client says so.
. "$(dirname "$0")/lib.sh"
need openssl
make_pki
cd "$WORK"

VERSIONS=(1.3 1.2)
declare -A OSSL_VER=([1.3]=-tls1_3 [1.2]=-tls1_2)
declare -A WARD_VER=([1.3]=--tls1.3 [1.2]=--tls1.2)
printf 'GET / HTTP/1.0\r\n\r\n' >get.txt

# ---- 1. openssl s_client -> ward server --verify-client ----
# s_client NAME VERSION ARGS...: one GET to the ward server, -ign_eof so that
# it reads until the server closes (or sends its alert). Output in NAME.out.
s_client() {
    local name=$1 v=$2
    shift 2
    timeout 20 openssl s_client -connect "127.0.0.1:$SERVER_PORT" -servername localhost \
        -CAfile "$PKI/ca.pem" -verify_return_error -ign_eof -quiet "${OSSL_VER[$v]}" "$@" \
        <get.txt >"$name.out" 2>&1 || true
}

start_ward_server ward-require --cert "$PKI/ecdsa.pem" --key "$PKI/ecdsa.key" \
    --verify-client "$PKI/ca.pem" --www
for v in "${VERSIONS[@]}"; do
    for kind in "${CERT_KINDS[@]}"; do
        name="c-$v-$kind"
        s_client "$name" "$v" -cert "$PKI/client-$kind.pem" -key "$PKI/client-$kind.key"
        assert_contains "$name.out" "HTTP/1.0 200 OK" "s_client's answer (TLS $v, $kind)"
        assert_contains "$name.out" "<th>client certificate</th><td>CN=ward client $kind (issuer CN=ward test CA)</td>" \
            "the --www page (TLS $v, $kind)"
        # logged right after the handshake, before the page went out
        assert_contains "$SERVER_LOG" "client: CN=ward client $kind (issuer CN=ward test CA)" \
            "the ward server's log (TLS $v, $kind)"
        ok "TLS $v: s_client with a $kind client certificate: accepted, subject logged and shown"
    done

    name="c-$v-none"
    s_client "$name" "$v"
    if [ "$v" = 1.3 ]; then
        assert_contains "$name.out" "alert certificate required" "s_client without a certificate"
        assert_contains "$name.out" "SSL alert number 116" "s_client without a certificate"
    else
        assert_contains "$name.out" "alert handshake failure" "s_client without a certificate"
        assert_contains "$name.out" "SSL alert number 40" "s_client without a certificate"
    fi
    assert_not_contains "$name.out" "200 OK" "s_client without a certificate"
    ok "TLS $v: s_client without a certificate refused ($([ "$v" = 1.3 ] && echo certificate_required || echo handshake_failure))"

    name="c-$v-unknown"
    s_client "$name" "$v" -cert "$PKI/client-unknown.pem" -key "$PKI/client-unknown.key"
    assert_contains "$name.out" "alert unknown ca" "s_client with another CA's certificate"
    assert_contains "$name.out" "SSL alert number 48" "s_client with another CA's certificate"
    assert_not_contains "$name.out" "200 OK" "s_client with another CA's certificate"
    ok "TLS $v: a client certificate from another CA: unknown_ca"

    name="c-$v-serverauth"
    s_client "$name" "$v" -cert "$PKI/ecdsa.pem" -key "$PKI/ecdsa.key"
    assert_contains "$name.out" "alert bad certificate" "s_client with a serverAuth-only certificate"
    assert_contains "$name.out" "SSL alert number 42" "s_client with a serverAuth-only certificate"
    ok "TLS $v: a certificate whose extendedKeyUsage lacks clientAuth: bad_certificate"
done
assert_contains "$SERVER_LOG" "the client sent no certificate, and this server requires one"
assert_contains "$SERVER_LOG" "client certificate (subject CN=ward client unknown, issuer CN=ward other CA) is not issued by a CA trusted for clients"
assert_contains "$SERVER_LOG" "unsuitable certificate purpose"
ok "the ward server's log says why each client was refused"
stop "$SERVER_PID"

start_ward_server ward-optional --cert "$PKI/ecdsa.pem" --key "$PKI/ecdsa.key" \
    --verify-client-optional "$PKI/ca.pem" --www
for v in "${VERSIONS[@]}"; do
    name="o-$v-none"
    s_client "$name" "$v"
    assert_contains "$name.out" "HTTP/1.0 200 OK" "s_client without a certificate, optional"
    assert_contains "$name.out" "<th>client certificate</th><td>none</td>" "the --www page, optional"
    name="o-$v-rsa"
    s_client "$name" "$v" -cert "$PKI/client-rsa.pem" -key "$PKI/client-rsa.key"
    assert_contains "$name.out" "<th>client certificate</th><td>CN=ward client rsa (issuer CN=ward test CA)</td>"
    name="o-$v-unknown"
    s_client "$name" "$v" -cert "$PKI/client-unknown.pem" -key "$PKI/client-unknown.key"
    assert_contains "$name.out" "SSL alert number 48" "optional, another CA's certificate"
    ok "TLS $v: --verify-client-optional: no certificate accepted, a good one shown, a bad one refused"
done
assert_contains "$SERVER_LOG" "client: none"
stop "$SERVER_PID"

# ---- 2. ward client --cert --key -> openssl s_server -Verify 1 ----
for v in "${VERSIONS[@]}"; do
    for kind in "${CERT_KINDS[@]}"; do
        name="s-$v-$kind"
        echo "mtls-ping-$v-$kind" >"$name.in"
        start_openssl_server "$name" -naccept 1 "${OSSL_VER[$v]}" -cert "$PKI/ecdsa.pem" \
            -key "$PKI/ecdsa.key" -Verify 1 -verify_return_error -CAfile "$PKI/ca.pem"
        CLIENT_IN="$name.in" ward_client "$name.client.log" "${WARD_VER[$v]}" \
            --cafile "$PKI/ca.pem" --cert "$PKI/client-$kind.pem" --key "$PKI/client-$kind.key" \
            "localhost:$SERVER_PORT"
        [ "$CLIENT_RC" -eq 0 ] || fail "TLS $v $kind: ward client exited $CLIENT_RC: $(cat "$name.client.log")"
        wait_exit "$SERVER_PID" 20 || fail "TLS $v $kind: s_server did not end"
        assert_contains "$SERVER_OUT" "subject=CN = ward client $kind" "s_server's output (TLS $v, $kind)"
        assert_contains "$SERVER_OUT" "issuer=CN = ward test CA" "s_server's output (TLS $v, $kind)"
        assert_contains "$SERVER_OUT" "mtls-ping-$v-$kind" "what s_server received (TLS $v, $kind)"
        grep -A1 -F "depth=0 CN = ward client $kind" "$SERVER_LOG" | grep -q "verify return:1" ||
            fail "TLS $v $kind: s_server did not verify the client certificate: $(cat "$SERVER_LOG")"
        assert_contains "$name.client.log" "ward: TLS $v," "the ward client (TLS $v, $kind)"
        ok "TLS $v: ward client with a $kind certificate: s_server verified it (verify return:1)"
    done

    name="s-$v-unknown"
    start_openssl_server "$name" -naccept 1 "${OSSL_VER[$v]}" -cert "$PKI/ecdsa.pem" \
        -key "$PKI/ecdsa.key" -Verify 1 -verify_return_error -CAfile "$PKI/ca.pem"
    echo ping >"$name.in"
    CLIENT_IN="$name.in" ward_client "$name.client.log" "${WARD_VER[$v]}" --cafile "$PKI/ca.pem" \
        --cert "$PKI/client-unknown.pem" --key "$PKI/client-unknown.key" "localhost:$SERVER_PORT"
    [ "$CLIENT_RC" -eq 1 ] || fail "TLS $v: ward client with another CA's certificate exited $CLIENT_RC"
    assert_contains "$name.client.log" "peer sent alert unknown_ca (48)" "ward client, another CA"
    assert_contains "$name.client.log" "the server refused the client certificate" "ward client, another CA"
    stop "$SERVER_PID"
    ok "TLS $v: s_server refuses a client certificate from another CA with unknown_ca; ward says so"

    name="s-$v-none"
    start_openssl_server "$name" -naccept 1 "${OSSL_VER[$v]}" -cert "$PKI/ecdsa.pem" \
        -key "$PKI/ecdsa.key" -Verify 1 -verify_return_error -CAfile "$PKI/ca.pem"
    echo ping >"$name.in"
    CLIENT_IN="$name.in" ward_client "$name.client.log" "${WARD_VER[$v]}" --cafile "$PKI/ca.pem" \
        "localhost:$SERVER_PORT"
    [ "$CLIENT_RC" -eq 1 ] || fail "TLS $v: ward client without a certificate exited $CLIENT_RC"
    if [ "$v" = 1.3 ]; then
        assert_contains "$name.client.log" "peer sent alert certificate_required (116)"
        assert_contains "$name.client.log" "the server requires a client certificate"
    else
        assert_contains "$name.client.log" "peer sent alert handshake_failure (40)"
        assert_contains "$name.client.log" "it may require a client certificate"
    fi
    stop "$SERVER_PID"
    ok "TLS $v: s_server -Verify refuses a client without a certificate; ward says so"
done

# ---- 3. post-handshake authentication (TLS 1.3, RFC 8446 §4.6.2) ----
# s_client -enable_pha -> ward server --verify-client-post-handshake --www:
# the server asks after the handshake and answers the GET once the
# certificate came.
start_ward_server ward-pha --cert "$PKI/ecdsa.pem" --key "$PKI/ecdsa.key" \
    --verify-client-post-handshake "$PKI/ca.pem" --www
s_client p-rsa 1.3 -enable_pha -cert "$PKI/client-rsa.pem" -key "$PKI/client-rsa.key"
assert_contains p-rsa.out "<th>client certificate</th><td>CN=ward client rsa (issuer CN=ward test CA)</td>" \
    "the --www page after post-handshake authentication"
assert_contains "$SERVER_LOG" "asked for a client certificate (post-handshake)"
assert_contains "$SERVER_LOG" "client: CN=ward client rsa (issuer CN=ward test CA)"
ok "s_client -enable_pha: ward server authenticates it after the handshake"
s_client p-none 1.3 -enable_pha
assert_contains p-none.out "SSL alert number 116" "s_client -enable_pha without a certificate"
assert_not_contains p-none.out "200 OK" "s_client -enable_pha without a certificate"
ok "s_client -enable_pha without a certificate: certificate_required after the handshake"
s_client p-nopha 1.3 -cert "$PKI/client-rsa.pem" -key "$PKI/client-rsa.key"
assert_contains p-nopha.out "<th>client certificate</th><td>none</td>" "s_client without -enable_pha"
assert_contains "$SERVER_LOG" "client: none (it did not offer post-handshake authentication)"
ok "s_client without -enable_pha: not asked, and the page says none"
stop "$SERVER_PID"

# ward client --post-handshake-auth -> s_server, whose "c" command sends a
# CertificateRequest after the handshake.
start_openssl_server s-pha -naccept 1 -tls1_3 -cert "$PKI/ecdsa.pem" -key "$PKI/ecdsa.key" \
    -CAfile "$PKI/ca.pem" -verify_return_error
{ echo pha-ping; sleep 4; } | timeout 30 "$WARD" client --post-handshake-auth --tls1.3 \
    --cafile "$PKI/ca.pem" --cert "$PKI/client-ecdsa.pem" --key "$PKI/client-ecdsa.key" \
    "localhost:$SERVER_PORT" >s-pha.client.out 2>s-pha.client.log &
PHA_CLIENT=$!
PIDS+=("$PHA_CLIENT")
wait_line s-pha.client.log "ward: verified: chain" "$PHA_CLIENT" 15 >/dev/null ||
    fail "ward client did not connect to s_server: $(cat s-pha.client.log)"
wait_line "$SERVER_OUT" "pha-ping" "$SERVER_PID" 15 >/dev/null || fail "s_server got no data"
echo c >"$WORK/s-pha.stdin"
wait_line "$SERVER_LOG" "depth=0 CN = ward client ecdsa" "$SERVER_PID" 15 >/dev/null ||
    fail "s_server did not get the client certificate after the handshake: $(cat "$SERVER_LOG")"
wait_exit "$PHA_CLIENT" 30 || fail "ward client (post-handshake auth) failed: $(cat s-pha.client.log)"
grep -A1 -F "depth=0 CN = ward client ecdsa" "$SERVER_LOG" | grep -q "verify return:1" ||
    fail "s_server did not verify the post-handshake certificate: $(cat "$SERVER_LOG")"
stop "$SERVER_PID"
assert_not_contains "$SERVER_LOG" ":error:" "s_server after post-handshake authentication"
ok "ward client --post-handshake-auth: s_server's post-handshake CertificateRequest answered and verified"

done_all
