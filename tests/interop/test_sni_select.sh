#!/usr/bin/env bash
# SNI certificate selection (RFC 6066 §3): ward server with a default
# identity (localhost) and two more (a.test, ECDSA; *.b.test, RSA) presents
# the certificate that matches the name `openssl s_client -servername` and
# `gnutls-cli` ask for, in TLS 1.3 and 1.2; an unknown name or no name gets
# the default; --sni-strict refuses them with alert unrecognized_name (112).
. "$(dirname "$0")/lib.sh"
need openssl gnutls-cli
make_pki
cd "$WORK"

# leaf_for NAME KIND SAN: a leaf for SAN signed by the test CA.
leaf_for() {
    local name=$1 kind=$2 san=$3
    case $kind in
    ecdsa) openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$name.key" 2>/dev/null ;;
    rsa) openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$name.key" 2>/dev/null ;;
    esac
    openssl req -new -key "$name.key" -subj "/CN=$name" -out "$name.csr" 2>/dev/null
    printf 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\nsubjectAltName=%s\n' \
        "$san" >"$name.ext"
    openssl x509 -req -in "$name.csr" -CA "$PKI/ca.pem" -CAkey "$PKI/ca.key" -CAcreateserial \
        -days 2 -sha256 -extfile "$name.ext" -out "$name.pem" 2>/dev/null
    cat "$name.pem" "$PKI/ca.pem" >"$name-chain.pem"
}
leaf_for a.test ecdsa DNS:a.test
leaf_for wild.b.test rsa 'DNS:*.b.test'

IDS=(--cert "$PKI/ecdsa-chain.pem" --key "$PKI/ecdsa.key"
    --cert a.test-chain.pem --key a.test.key
    --cert wild.b.test-chain.pem --key wild.b.test.key)

# sclient NAME VERSION [SERVERNAME]: one s_client handshake; output in NAME.out.
sclient() {
    local name=$1 ver=$2 sni=${3:-}
    local args=(-connect "127.0.0.1:$SERVER_PORT" -CAfile "$PKI/ca.pem" "$ver")
    if [ -n "$sni" ]; then args+=(-servername "$sni"); else args+=(-noservername); fi
    SCLIENT_RC=0
    timeout 30 openssl s_client "${args[@]}" </dev/null >"$name.out" 2>&1 || SCLIENT_RC=$?
}

start_ward_server sni "${IDS[@]}"
for ver in -tls1_3 -tls1_2; do
    sclient "a$ver" "$ver" a.test
    assert_contains "a$ver.out" "subject=CN = a.test" "s_client $ver -servername a.test"
    assert_contains "a$ver.out" "Verify return code: 0 (ok)"
    ok "$ver: a.test gets the a.test certificate (verified)"
    sclient "b$ver" "$ver" www.B.test
    assert_contains "b$ver.out" "subject=CN = wild.b.test" "s_client $ver -servername www.B.test"
    assert_contains "b$ver.out" "Verify return code: 0 (ok)"
    ok "$ver: www.B.test gets the *.b.test certificate (wildcard, case-insensitive)"
    sclient "two$ver" "$ver" x.y.b.test
    assert_contains "two$ver.out" "subject=CN = localhost" "s_client $ver -servername x.y.b.test"
    ok "$ver: x.y.b.test (two labels under the wildcard) gets the default"
    sclient "unknown$ver" "$ver" unknown.test
    assert_contains "unknown$ver.out" "subject=CN = localhost" "s_client $ver -servername unknown.test"
    ok "$ver: an unknown name gets the default certificate"
    sclient "none$ver" "$ver"
    assert_contains "none$ver.out" "subject=CN = localhost" "s_client $ver -noservername"
    ok "$ver: no server_name gets the default certificate"
done
# the RSA identity also serves a TLS 1.2 ECDHE_RSA-only client, and the
# ECDSA one an ECDHE_ECDSA-only client
sclient rsa12 -tls1_2 www.b.test
grep -q "subject=CN = wild.b.test" rsa12.out && grep -q "ECDHE-RSA" rsa12.out ||
    fail "TLS 1.2 to www.b.test: $(grep -E 'subject=|Cipher' rsa12.out)"
ok "TLS 1.2: the RSA identity negotiates an ECDHE_RSA suite"

# gnutls-cli checks the name itself
for prio in "NORMAL:-VERS-ALL:+VERS-TLS1.3" "NORMAL:-VERS-ALL:+VERS-TLS1.2"; do
    rc=0
    timeout 30 gnutls-cli --x509cafile "$PKI/ca.pem" --priority "$prio" -p "$SERVER_PORT" \
        --sni-hostname a.test --verify-hostname a.test 127.0.0.1 </dev/null >gnutls.out 2>&1 || rc=$?
    [ "$rc" -eq 0 ] || fail "gnutls-cli ($prio) to a.test failed: $(tail -n 5 gnutls.out)"
    assert_contains gnutls.out "Handshake was completed"
    assert_contains gnutls.out "CN=a.test"
    ok "gnutls-cli ($prio): a.test verified"
done
stop "$SERVER_PID"

# strict: unknown name and no name are refused with unrecognized_name
start_ward_server strict "${IDS[@]}" --sni-strict
for ver in -tls1_3 -tls1_2; do
    sclient "sa$ver" "$ver" a.test
    assert_contains "sa$ver.out" "subject=CN = a.test"
    sclient "su$ver" "$ver" unknown.test
    [ "$SCLIENT_RC" -ne 0 ] || fail "strict: s_client $ver to unknown.test succeeded"
    assert_contains "su$ver.out" "alert number 112" "s_client $ver -servername unknown.test (strict)"
    sclient "sn$ver" "$ver"
    assert_contains "sn$ver.out" "alert number 112" "s_client $ver -noservername (strict)"
    ok "$ver strict: a.test served, unknown and missing names get alert 112"
done
assert_contains "$SERVER_LOG" "which no certificate of this server matches (strict SNI)"
ok "the server log says why"
done_all
