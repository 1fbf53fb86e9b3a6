#!/usr/bin/env bash
# `openssl s_client -tls1_3` against ward server --cert/--key: every suite x
# group with ECDSA P-256, RSA-2048 and Ed25519 certificates, a forced
# HelloRetryRequest, the --www page, a KeyUpdate from the server, 1 MiB
# each way through the echo server.
. "$(dirname "$0")/lib.sh"
need openssl
make_pki
cd "$WORK"

declare -A OSSL_GROUP=([x25519]=X25519 [secp256r1]=P-256 [secp384r1]=P-384)
declare -A TEMP_KEY=([x25519]="X25519" [secp256r1]="ECDH, prime256v1" [secp384r1]="ECDH, secp384r1")
declare -A PEER_SIG=([ecdsa]="ECDSA" [rsa]="RSA-PSS" [ed25519]="Ed25519")

# feed IN OUT: cat IN; with FEED_SPLIT=N, first N bytes, then (once they are
# echoed into OUT and the peer has had a moment to process what followed
# them, e.g. a KeyUpdate) the rest, so that the peer has data to write after
# the KeyUpdate and must answer it first (RFC 8446, 4.6.3).
feed() {
    if [ -n "${FEED_SPLIT:-}" ]; then
        head -c "$FEED_SPLIT" "$1"
        wait_size "$2" "$FEED_SPLIT" 30 || true
        sleep 0.5
        tail -c +"$((FEED_SPLIT + 1))" "$1"
    else
        cat "$1"
    fi
}


# sclient NAME IN ARGS...: s_client sends file IN and keeps its stdin open
# until as many bytes came back (echo server), then closes with
# close_notify. Output in NAME.out, connection details (-brief) in NAME.log.
sclient() {
    local name=$1 in=$2 n
    shift 2
    n=$(stat -c %s "$in")
    : >"$name.out"
    SCLIENT_RC=0
    { feed "$in" "$name.out"; wait_size "$name.out" "$n" 60 || true; } |
        timeout 90 openssl s_client -brief -nocommands -tls1_3 -CAfile "$PKI/ca.pem" -servername localhost \
            -verify_return_error -verify_hostname localhost \
            -connect "127.0.0.1:$SERVER_PORT" "$@" >"$name.out" 2>"$name.log" || SCLIENT_RC=$?
}

expect_sclient_ok() { # NAME IN WHAT
    [ "$SCLIENT_RC" -eq 0 ] || fail "$3: s_client exited $SCLIENT_RC: $(cat "$1.log")"
    assert_contains "$1.log" "Verification: OK"
    assert_contains "$1.log" "Protocol version: TLSv1.3"
    assert_same "$2" "$1.out" "$3: echo"
}

printf 'openssl says hello\n' >line.txt

# 1. every certificate type x suite x group, restricted on the client.
for kind in "${CERT_KINDS[@]}"; do
    start_ward_server "ward-$kind" --cert "$PKI/$kind-chain.pem" --key "$PKI/$kind.key"
    for suite in "${SUITES[@]}"; do
        for group in "${GROUPS_WARD[@]}"; do
            name="c-$kind-$suite-$group"
            sclient "$name" line.txt -ciphersuites "$suite" -groups "${OSSL_GROUP[$group]}"
            expect_sclient_ok "$name" line.txt "$kind $suite $group"
            assert_contains "$name.log" "Ciphersuite: $suite"
            assert_contains "$name.log" "Server Temp Key: ${TEMP_KEY[$group]}"
            assert_contains "$name.log" "Signature type: ${PEER_SIG[$kind]}"
        done
    done
    assert_not_contains "$SERVER_LOG" "handshake failed"
    stop "$SERVER_PID"
    ok "$kind certificate: 3 suites x 3 groups"
done

# 2. the server restricts (ward picks from what s_client offers).
for suite in "${SUITES[@]}"; do
    start_ward_server "ward-s-$suite" --cert "$PKI/ecdsa.pem" --key "$PKI/ecdsa.key" \
        --suites "$suite" --max-connections 1
    sclient "s-$suite" line.txt
    expect_sclient_ok "s-$suite" line.txt "server-restricted $suite"
    assert_contains "s-$suite.log" "Ciphersuite: $suite"
    wait_exit "$SERVER_PID" 20 || fail "ward server --max-connections 1 did not exit cleanly"
done
ok "server-restricted suites"

# 3. HelloRetryRequest: s_client sends a key share for X25519 only, ward
#    server accepts secp384r1 only.
start_ward_server ward-hrr --cert "$PKI/ecdsa.pem" --key "$PKI/ecdsa.key" --groups secp384r1
sclient hrr line.txt -groups X25519:P-384
expect_sclient_ok hrr line.txt "HelloRetryRequest"
assert_contains hrr.log "Server Temp Key: ECDH, secp384r1"
assert_contains "$SERVER_LOG" "secp384r1, signature ecdsa_secp256r1_sha256, HRR yes"
ok "HelloRetryRequest (x25519 share -> secp384r1)"
stop "$SERVER_PID"

# 4. --force-hrr: a HelloRetryRequest with a cookie even for a good share.
start_ward_server ward-fhrr --cert "$PKI/ecdsa.pem" --key "$PKI/ecdsa.key" --force-hrr
sclient fhrr line.txt
expect_sclient_ok fhrr line.txt "--force-hrr"
assert_contains "$SERVER_LOG" "HRR yes"
ok "--force-hrr"
stop "$SERVER_PID"

# 5. --www: the page describes the connection; ALPN is negotiated.
start_ward_server ward-www --cert "$PKI/rsa.pem" --key "$PKI/rsa.key" --www --alpn http/1.1
printf 'GET / HTTP/1.0\r\nHost: localhost\r\n\r\n' >get.txt
rc=0
timeout 30 openssl s_client -brief -nocommands -ign_eof -tls1_3 -CAfile "$PKI/ca.pem" -servername localhost \
    -verify_return_error -alpn http/1.1 -ciphersuites TLS_CHACHA20_POLY1305_SHA256 \
    -connect "127.0.0.1:$SERVER_PORT" <get.txt >www.out 2>www.log || rc=$?
[ "$rc" -eq 0 ] || fail "s_client against --www exited $rc: $(cat www.log)"
assert_contains www.out "HTTP/1.0 200 OK"
assert_contains www.out "TLS 1.3"
assert_contains www.out "TLS_CHACHA20_POLY1305_SHA256"
assert_contains www.out "<td>localhost</td>"
assert_contains www.out "<th>ALPN</th><td>http/1.1</td>"
assert_contains www.out "rsa_pss_rsae_sha256"
ok "--www page"
stop "$SERVER_PID"

# 6. KeyUpdate from the server after the first echoed chunk; s_client
#    answers with its own and the data keeps flowing.
make_random ku.bin 262144
start_ward_server ward-ku --cert "$PKI/ecdsa.pem" --key "$PKI/ecdsa.key" --key-update \
    --max-connections 1
FEED_SPLIT=16384 sclient ku ku.bin
expect_sclient_ok ku ku.bin "KeyUpdate"
wait_exit "$SERVER_PID" 20 || fail "ward server (KeyUpdate) did not end cleanly: $(cat "$SERVER_LOG")"
assert_contains "$SERVER_LOG" "sent KeyUpdate"
assert_contains "$SERVER_LOG" "262144 bytes in, 262144 bytes out, KeyUpdates received: 1"
ok "KeyUpdate from ward server, answered by s_client, 256 KiB intact"

# 7. 1 MiB each way through the echo server.
make_random big.bin 1048576
start_ward_server ward-big --cert "$PKI/ed25519.pem" --key "$PKI/ed25519.key" --max-connections 1
sclient big big.bin
expect_sclient_ok big big.bin "1 MiB echo"
wait_exit "$SERVER_PID" 20 || fail "ward server (1 MiB) did not end cleanly: $(cat "$SERVER_LOG")"
assert_contains "$SERVER_LOG" "1048576 bytes in, 1048576 bytes out"
ok "1 MiB each way"

# 8. --file: 1 MiB from the server, then close_notify.
start_ward_server ward-file --cert "$PKI/ecdsa.pem" --key "$PKI/ecdsa.key" --file big.bin \
    --max-connections 1
rc=0
timeout 30 openssl s_client -brief -nocommands -ign_eof -tls1_3 -CAfile "$PKI/ca.pem" -servername localhost \
    -verify_return_error -connect "127.0.0.1:$SERVER_PORT" </dev/null >file.out 2>file.log || rc=$?
[ "$rc" -eq 0 ] || fail "s_client against --file exited $rc: $(cat file.log)"
assert_same big.bin file.out "--file 1 MiB"
wait_exit "$SERVER_PID" 20 || fail "ward server --file did not end cleanly: $(cat "$SERVER_LOG")"
ok "--file 1 MiB"

done_all
