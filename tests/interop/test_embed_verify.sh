#!/usr/bin/env bash
# The verify callback and the verify name against real servers (issue #18):
# tests/embed/verify_client.c (the public API) against two `openssl
# s_server`s whose certificates (from one CA) differ in subject:
#  1. the callback refuses the one whose subject is "CN=refuse me" with
#     access_denied (49): the client fails saying the application refused,
#     and s_server reports that it received alert 49;
#  2. it keeps ward's verdict (success) for the other ("CN=b.test");
#  3. the verify name: s_server's certificate names b.test only while SNI
#     says a.test: without a verify name the handshake fails (hostname
#     mismatch); with --verify-name b.test it succeeds, and s_server saw
#     SNI a.test all the same.
. "$(dirname "$0")/lib.sh"
need openssl
: "${VERIFY_CLIENT:?set VERIFY_CLIENT to the verify_client test helper}"
[ -x "$VERIFY_CLIENT" ] || fail "verify_client not found at '$VERIFY_CLIENT'"
cd "$WORK"

# A CA and two leaves: "refuse me" (a.test), "b.test" (b.test).
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ca.key \
    -out ca.pem -days 2 -subj "/CN=embed verify CA" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign" \
    >mk.log 2>&1
leaf() { # NAME CN DNS
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$1.key" \
        -out "$1.pem" -days 2 -subj "/CN=$2" -CA ca.pem -CAkey ca.key \
        -addext "basicConstraints=critical,CA:FALSE" -addext "subjectAltName=DNS:$3" \
        -addext "extendedKeyUsage=serverAuth" >>mk.log 2>&1
}
leaf refused "refuse me" a.test
leaf accepted b.test b.test

# run NAME PORT SNI ARGS...: the client's output in c-NAME.out (apart from
# the servers' NAME.out), status in RC.
run() {
    local name=$1 port=$2 sni=$3
    shift 3
    RC=0
    timeout 20 "$VERIFY_CLIENT" "$port" "$sni" ca.pem "$@" >"c-$name.out" 2>&1 || RC=$?
}

# ---- 1. refused with the alert the callback chose ----
for v in -tls1_3 -tls1_2; do
    start_openssl_server "refused$v" -cert refused.pem -key refused.key "$v"
    run "refused$v" "$SERVER_PORT" a.test --refuse "refuse me"
    [ "$RC" -eq 1 ] || fail "$v: the refused handshake exited $RC (want 1): $(cat "c-refused$v.out")"
    assert_contains "c-refused$v.out" 'callback: subject "CN=refuse me", 1 certificate(s), verdict success' \
        "$v: what the callback saw"
    assert_contains "c-refused$v.out" "the application's verify callback refused the server's certificate (alert access_denied)" \
        "$v: the client's error"
    wait_line "$SERVER_LOG" "alert number 49" "$SERVER_PID" 10 >/dev/null ||
        fail "$v: s_server did not report alert 49: $(tail -n 5 "$SERVER_LOG")"
    assert_contains "$SERVER_LOG" "access denied" "$v: s_server's log"
    ok "$v: certificate CN=refuse me refused; s_server received access_denied (49)"
    kill "$SERVER_PID"
done

# ---- 2. the other certificate: ward's verdict kept (accepted) ----
start_openssl_server accepted -cert accepted.pem -key accepted.key


run accepted "$SERVER_PORT" b.test --refuse "refuse me"
[ "$RC" -eq 0 ] || fail "b.test refused: $(cat c-accepted.out)"
assert_contains c-accepted.out 'callback: subject "CN=b.test", 1 certificate(s), verdict success' \
    "what the callback saw for b.test"
assert_contains c-accepted.out "handshake: ok" "b.test"
ok "certificate CN=b.test accepted by the same callback"

# ---- 3. verify name apart from SNI ----
# s_server answers SNI a.test with the b.test certificate (-servername with
# a second certificate) and prints the name it received.
kill "$SERVER_PID"
start_openssl_server named -cert refused.pem -key refused.key -servername a.test \
    -cert2 accepted.pem -key2 accepted.key
run noname "$SERVER_PORT" a.test
[ "$RC" -eq 1 ] || fail "SNI a.test without a verify name exited $RC: $(cat c-noname.out)"
assert_contains c-noname.out 'callback: subject "CN=b.test"' "the certificate for SNI a.test"
assert_contains c-noname.out "verdict certificate does not match" "the verdict without a verify name"
ok "SNI a.test, certificate for b.test, no verify name: refused (hostname mismatch)"
run named "$SERVER_PORT" a.test --verify-name b.test
[ "$RC" -eq 0 ] || fail "verify name b.test refused: $(cat c-named.out)"
assert_contains c-named.out "handshake: ok" "SNI a.test, verify name b.test"
cat "$SERVER_OUT" "$SERVER_LOG" >named-server.txt
assert_contains named-server.txt 'Hostname in TLS extension: "a.test"' "the SNI s_server received"
ok "SNI a.test (as s_server saw), certificate for b.test, verify name b.test: accepted"
done_all
