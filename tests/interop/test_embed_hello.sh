#!/usr/bin/env bash
# The ClientHello callback (issue #18): tests/embed/sni_server serves 1,000
# names, each certificate loaded from disk the first time a client asks for
# it. `openssl s_client -servername nameK.test` (the first, the last and 20
# random names, TLS 1.3 and 1.2) gets the certificate for nameK.test, which
# verifies with the test CA and the name; an unknown name and no name are
# refused with unrecognized_name (112); the server loaded only the names
# asked for, each once. Its ALPN selection callback picks, leaves out or
# refuses (no_application_protocol, 120) the protocol, in both versions.
. "$(dirname "$0")/lib.sh"
need openssl shuf
SNI_SERVER="${WARD_BUILD_DIR:?set WARD_BUILD_DIR to the build directory}/sni_server"
[ -x "$SNI_SERVER" ] || fail "test helper not found at $SNI_SERVER"
cd "$WORK"
mkdir certs
timeout 120 "$SNI_SERVER" gen certs 1000 || fail "sni_server gen failed"
[ "$(ls certs/name*.test.pem | wc -l)" -eq 1000 ] || fail "expected 1000 certificates"
ok "1000 certificates for name1.test .. name1000.test under one CA"

"$SNI_SERVER" serve certs >server.out 2>server.log </dev/null &
SERVER_PID=$!
PIDS+=("$SERVER_PID")
line=$(wait_line server.out '^listening on ' "$SERVER_PID" 15) || fail "sni_server did not start"
PORT=${line##* }
CONNS=0

# sclient OUT VERSION [NAME [S_CLIENT ARGS...]]: one handshake, then wait for the server's
# "loaded N" line for it; sets SCLIENT_RC and LOADED.
sclient() {
    local out=$1 ver=$2 name=${3:-}
    shift 2
    [ $# -gt 0 ] && shift
    local args=(-connect "127.0.0.1:$PORT" -CAfile certs/ca.pem "$ver" "$@")
    if [ -n "$name" ]; then
        args+=(-servername "$name" -verify_hostname "$name" -verify_return_error)
    else
        args+=(-noservername)
    fi
    SCLIENT_RC=0
    timeout 30 openssl s_client "${args[@]}" </dev/null >"$out" 2>&1 || SCLIENT_RC=$?
    CONNS=$((CONNS + 1))
    local i
    for ((i = 0; i < 200; i++)); do
        [ "$(grep -c '^loaded ' server.out)" -ge "$CONNS" ] && break
        kill -0 "$SERVER_PID" 2>/dev/null || fail "sni_server died: $(tail -n 5 server.log)"
        sleep 0.05
    done
    LOADED=$(grep '^loaded ' server.out | tail -n 1 | cut -d' ' -f2)
    [ "$(grep -c '^loaded ' server.out)" -ge "$CONNS" ] || fail "sni_server did not finish connection $CONNS"
}

mapfile -t SAMPLE < <(shuf -i 2-999 -n 20)
NAMES=(1 1000 "${SAMPLE[@]}")
n=0
for k in "${NAMES[@]}"; do
    ver=-tls1_3
    [ $((n % 2)) -eq 1 ] && ver=-tls1_2
    sclient "name$k.out" "$ver" "name$k.test"
    [ "$SCLIENT_RC" -eq 0 ] || fail "s_client $ver -servername name$k.test: rc $SCLIENT_RC: $(tail -n 5 "name$k.out")"
    assert_contains "name$k.out" "subject=CN = name$k.test" "s_client $ver -servername name$k.test"
    assert_contains "name$k.out" "Verify return code: 0 (ok)"
    n=$((n + 1))
    [ "$LOADED" -eq "$n" ] || fail "after $n names the server loaded $LOADED identities"
done
ok "22 names (first, last, 20 random; TLS 1.3 and 1.2) each got their own certificate, verified"
ok "the server loaded exactly the 22 identities asked for, on demand"

sclient again.out -tls1_3 name1.test
assert_contains again.out "subject=CN = name1.test"
[ "$LOADED" -eq 22 ] || fail "name1.test asked again: loaded $LOADED, want 22 (cached)"
ok "a name asked again comes from the cache (still 22 loaded)"

# A HelloRetryRequest (an X448 share, which ward does not take): the
# identity chosen on the first ClientHello serves the second.
sclient hrr.out -tls1_3 name1000.test -groups X448:P-256
[ "$SCLIENT_RC" -eq 0 ] || fail "s_client after a HelloRetryRequest: $(tail -n 5 hrr.out)"
assert_contains hrr.out "subject=CN = name1000.test" "s_client -groups X448:P-256"
assert_contains hrr.out "Verify return code: 0 (ok)"
assert_contains hrr.out "Server Temp Key: ECDH, prime256v1" "s_client -groups X448:P-256 (HRR to P-256)"
[ "$LOADED" -eq 22 ] || fail "after the HRR handshake: loaded $LOADED, want 22"
ok "after a HelloRetryRequest the callback's identity still serves (P-256 share)"

for ver in -tls1_3 -tls1_2; do
    sclient "unknown$ver.out" "$ver" name1001.test
    [ "$SCLIENT_RC" -ne 0 ] || fail "s_client $ver to name1001.test succeeded"
    assert_contains "unknown$ver.out" "alert number 112" "s_client $ver -servername name1001.test"
    sclient "none$ver.out" "$ver"
    [ "$SCLIENT_RC" -ne 0 ] || fail "s_client $ver without a name succeeded"
    assert_contains "none$ver.out" "alert number 112" "s_client $ver -noservername"
    ok "$ver: an unknown name and no name are refused with unrecognized_name"
done
[ "$LOADED" -eq 22 ] || fail "refusals changed the count: $LOADED"

# The ALPN selection callback: the client's last protocol, none, refused.
for ver in -tls1_3 -tls1_2; do
    sclient "alpn$ver.out" "$ver" name5.test -alpn h2,http/1.1
    assert_contains "alpn$ver.out" "ALPN protocol: http/1.1" "s_client $ver -alpn h2,http/1.1"
    sclient "alpnnone$ver.out" "$ver" name5.test -alpn h2,none-please
    [ "$SCLIENT_RC" -eq 0 ] || fail "s_client $ver -alpn h2,none-please failed"
    assert_contains "alpnnone$ver.out" "No ALPN negotiated" "s_client $ver -alpn h2,none-please"
    sclient "alpnref$ver.out" "$ver" name5.test -alpn h2,refuse-me
    [ "$SCLIENT_RC" -ne 0 ] || fail "s_client $ver -alpn h2,refuse-me succeeded"
    assert_contains "alpnref$ver.out" "alert number 120" "s_client $ver -alpn h2,refuse-me"
    ok "$ver: the ALPN callback picks the client's last protocol, none, or refuses (120)"
done
assert_contains server.out "the ClientHello callback refused the client (alert unrecognized_name)"
ok "the server says why it refused"
done_all
