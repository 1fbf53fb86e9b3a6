#!/usr/bin/env bash
# ward client against `openssl s_server -tls1_3`: every suite x group with
# an ECDSA P-256, an RSA-2048 and an Ed25519 certificate, a forced
# HelloRetryRequest, ALPN, a KeyUpdate mid-stream, 1 MiB each way.
. "$(dirname "$0")/lib.sh"
need openssl
make_pki
cd "$WORK"

declare -A OSSL_GROUP=([x25519]=X25519 [secp256r1]=P-256 [secp384r1]=P-384)
declare -A SIGSCHEME=([ecdsa]=ecdsa_secp256r1_sha256 [rsa]=rsa_pss_rsae_sha256 [ed25519]=ed25519)

client() { # client LOG ARGS...: ward client verifying the test PKI
    local logf=$1
    shift
    ward_client "$logf" --cafile "$PKI/ca.pem" --servername localhost "$@" "127.0.0.1:$SERVER_PORT"
}

expect_ok() { # expect_ok LOG WHAT
    [ "$CLIENT_RC" -eq 0 ] || fail "$2: ward client exited $CLIENT_RC: $(cat "$1")"
    assert_contains "$1" "ward: verified: chain"
}

printf 'ward says hello\n' >line.txt
printf '\nolleh syas draw\n' >line.rev # s_server -rev: each line reversed

# 1. The server restricts the suite and the group (the client offers all):
#    the client must follow the server's choice, through a HelloRetryRequest
#    when its first key share is not the server's group.
for suite in "${SUITES[@]}"; do
    for group in "${GROUPS_WARD[@]}"; do
        start_openssl_server "srv-$suite-$group" -tls1_3 -rev -naccept 1 \
            -cert "$PKI/ecdsa.pem" -key "$PKI/ecdsa.key" \
            -ciphersuites "$suite" -groups "${OSSL_GROUP[$group]}"
        CLIENT_IN=line.txt client "s-$suite-$group.log" \
            --groups x25519,secp256r1,secp384r1
        expect_ok "s-$suite-$group.log" "server-restricted $suite $group"
        assert_contains "s-$suite-$group.log" "ward: TLS 1.3, $suite, group $group, signature ecdsa_secp256r1_sha256"
        grep -q 'olleh syas draw' client.out || fail "$suite $group: no reversed line from s_server"
        stop "$SERVER_PID"
    done
done
ok "server-restricted suites x groups (9 handshakes)"

# 2. The client restricts suite and group, for each certificate type.
for kind in "${CERT_KINDS[@]}"; do
    start_openssl_server "srv-$kind" -tls1_3 -rev -cert "$PKI/$kind.pem" -key "$PKI/$kind.key"
    for suite in "${SUITES[@]}"; do
        for group in "${GROUPS_WARD[@]}"; do
            CLIENT_IN=line.txt client "c-$kind-$suite-$group.log" --suites "$suite" --groups "$group"
            expect_ok "c-$kind-$suite-$group.log" "$kind $suite $group"
            assert_contains "c-$kind-$suite-$group.log" \
                "ward: TLS 1.3, $suite, group $group, signature ${SIGSCHEME[$kind]}"
            assert_contains "c-$kind-$suite-$group.log" "HelloRetryRequest: no"
            grep -q 'olleh syas draw' client.out || fail "$kind $suite $group: no reversed line"
        done
    done
    stop "$SERVER_PID"
    ok "$kind certificate: 3 suites x 3 groups"
done

# 3. Forced HelloRetryRequest: a key share for x25519 only, the server
#    accepts P-384 only.
start_openssl_server srv-hrr -tls1_3 -rev -naccept 1 -cert "$PKI/ecdsa.pem" -key "$PKI/ecdsa.key" \
    -groups P-384
CLIENT_IN=line.txt client hrr.log --groups x25519,secp384r1 --key-share-groups x25519
expect_ok hrr.log "HelloRetryRequest"
assert_contains hrr.log "HelloRetryRequest: yes"
assert_contains hrr.log "group secp384r1"
grep -q 'olleh syas draw' client.out || fail "HRR: no reversed line"
stop "$SERVER_PID"
ok "HelloRetryRequest to P-384"

# 4. ALPN, and middlebox compatibility off.
start_openssl_server srv-alpn -tls1_3 -rev -naccept 2 -cert "$PKI/ecdsa.pem" -key "$PKI/ecdsa.key" \
    -alpn h2
CLIENT_IN=line.txt client alpn.log --alpn http/1.1,h2
expect_ok alpn.log ALPN
assert_contains alpn.log "ward: ALPN h2"
CLIENT_IN=line.txt client nomb.log --no-middlebox-compat
expect_ok nomb.log "no middlebox compat"
grep -q 'olleh syas draw' client.out || fail "no middlebox compat: no reversed line"
stop "$SERVER_PID"
ok "ALPN and --no-middlebox-compat"

# 5. KeyUpdate mid-stream: 256 KiB go out in 16 KiB chunks, the KeyUpdate
#    after the first; s_server writes what it decrypts to stdout.
make_random ku.bin 262144
start_openssl_server srv-ku -tls1_3 -quiet -naccept 1 -msg -msgfile "$WORK/srv-ku.msg" \
    -cert "$PKI/ecdsa.pem" -key "$PKI/ecdsa.key"
CLIENT_IN=ku.bin client ku.log --key-update
expect_ok ku.log KeyUpdate
assert_contains ku.log "sent KeyUpdate"
wait_exit "$SERVER_PID" 20 || true
assert_same ku.bin "$SERVER_OUT" "data around a KeyUpdate (ward -> s_server)"
assert_contains srv-ku.msg "KeyUpdate"
ok "KeyUpdate mid-stream, 256 KiB intact"

# 6. 1 MiB ward -> s_server (written to s_server's stdout).
make_random up.bin 1048576
start_openssl_server srv-up -tls1_3 -quiet -naccept 1 -cert "$PKI/rsa.pem" -key "$PKI/rsa.key"
CLIENT_IN=up.bin client up.log
expect_ok up.log "1 MiB upload"
wait_exit "$SERVER_PID" 20 || true
assert_same up.bin "$SERVER_OUT" "1 MiB ward -> s_server"
ok "1 MiB ward -> s_server"

# 7. 1 MiB s_server -> ward: s_server -WWW serves files from its directory.
make_random down.bin 1048576
printf 'GET /down.bin HTTP/1.0\r\n\r\n' >get.txt
start_openssl_server srv-down -tls1_3 -WWW -naccept 1 -cert "$PKI/ed25519.pem" -key "$PKI/ed25519.key"
CLIENT_IN=get.txt CLIENT_OUT=down.out client down.log
expect_ok down.log "1 MiB download"
first=$(head -n 1 down.out)
case $first in "HTTP/1.0 200"*) ;; *) fail "s_server -WWW did not answer 200: $first" ;; esac
# the body is the last 1 MiB; what precedes it must be exactly the header
size=$(stat -c %s down.out)
hdr=$((size - 1048576))
[ "$hdr" -gt 0 ] || fail "1 MiB s_server -> ward: only $size bytes"
[ "$(head -c "$hdr" down.out | tail -c 4 | od -An -tx1 | tr -d ' \n')" = 0d0a0d0a ] ||
    fail "1 MiB s_server -> ward: $size bytes are not a header and 1 MiB"
tail -c 1048576 down.out >down.body
assert_same down.bin down.body "1 MiB s_server -> ward"
ok "1 MiB s_server -> ward"

done_all
