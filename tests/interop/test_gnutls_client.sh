#!/usr/bin/env bash
# `gnutls-cli` restricted to TLS 1.3 against ward server --cert/--key: every
# suite x group with ECDSA P-256, RSA-2048 and Ed25519 certificates, a
# HelloRetryRequest, a KeyUpdate from the server, 1 MiB each way.
. "$(dirname "$0")/lib.sh"
need gnutls-cli
make_pki
cd "$WORK"

declare -A GT_CIPHER=([TLS_AES_128_GCM_SHA256]=AES-128-GCM [TLS_AES_256_GCM_SHA384]=AES-256-GCM
    [TLS_CHACHA20_POLY1305_SHA256]=CHACHA20-POLY1305)
declare -A GT_GROUP=([x25519]=X25519 [secp256r1]=SECP256R1 [secp384r1]=SECP384R1)
declare -A GT_SIG=([ecdsa]=ECDSA-SECP256R1-SHA256 [rsa]=RSA-PSS-RSAE-SHA256 [ed25519]=EdDSA-Ed25519)
TLS13="NORMAL:-VERS-ALL:+VERS-TLS1.3"

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


# gcli NAME IN PRIORITY: gnutls-cli sends file IN and keeps its stdin open
# until as many bytes came back, then closes. Data in NAME.out, the
# connection details in NAME.log.
gcli() {
    local name=$1 in=$2 prio=$3 n
    n=$(stat -c %s "$in")
    : >"$name.out"
    GCLI_RC=0
    { feed "$in" "$name.out"; wait_size "$name.out" "$n" 60 || true; } |
        timeout 90 gnutls-cli --x509cafile "$PKI/ca.pem" --sni-hostname localhost \
            --verify-hostname localhost --priority "$prio" --logfile "$name.log" \
            -p "$SERVER_PORT" 127.0.0.1 >"$name.out" 2>"$name.err" || GCLI_RC=$?
}

expect_gcli_ok() { # NAME IN WHAT
    [ "$GCLI_RC" -eq 0 ] || fail "$3: gnutls-cli exited $GCLI_RC: $(cat "$1.log" "$1.err")"
    assert_contains "$1.log" "Handshake was completed"
    assert_contains "$1.log" "(TLS1.3-X.509)"
    assert_same "$2" "$1.out" "$3: echo"
}

printf 'gnutls-cli says hello\n' >line.txt

# 1. every certificate type x suite x group, restricted on the client.
for kind in "${CERT_KINDS[@]}"; do
    start_ward_server "ward-$kind" --cert "$PKI/$kind-chain.pem" --key "$PKI/$kind.key"
    for suite in "${SUITES[@]}"; do
        for group in "${GROUPS_WARD[@]}"; do
            name="c-$kind-$suite-$group"
            gcli "$name" line.txt \
                "$TLS13:-CIPHER-ALL:+${GT_CIPHER[$suite]}:-GROUP-ALL:+GROUP-${GT_GROUP[$group]}"
            expect_gcli_ok "$name" line.txt "$kind $suite $group"
            assert_contains "$name.log" \
                "(TLS1.3-X.509)-(ECDHE-${GT_GROUP[$group]})-(${GT_SIG[$kind]})-(${GT_CIPHER[$suite]})"
        done
    done
    assert_not_contains "$SERVER_LOG" "handshake failed"
    assert_not_contains "$SERVER_LOG" "error:"
    stop "$SERVER_PID"
    ok "$kind certificate: 3 suites x 3 groups"
done

# 2. HelloRetryRequest: ward server accepts secp384r1 only; gnutls-cli
#    offers x25519 and secp256r1 first.
start_ward_server ward-hrr --cert "$PKI/ecdsa.pem" --key "$PKI/ecdsa.key" --groups secp384r1
gcli hrr line.txt "$TLS13:-GROUP-ALL:+GROUP-X25519:+GROUP-SECP256R1:+GROUP-SECP384R1"
expect_gcli_ok hrr line.txt "HelloRetryRequest"
assert_contains hrr.log "(ECDHE-SECP384R1)"
assert_contains "$SERVER_LOG" "secp384r1, signature ecdsa_secp256r1_sha256, HRR yes"
stop "$SERVER_PID"
ok "HelloRetryRequest to secp384r1"

# 3. --force-hrr (a cookie in the HelloRetryRequest).
start_ward_server ward-fhrr --cert "$PKI/rsa.pem" --key "$PKI/rsa.key" --force-hrr
gcli fhrr line.txt "$TLS13"
expect_gcli_ok fhrr line.txt "--force-hrr"
assert_contains "$SERVER_LOG" "HRR yes"
stop "$SERVER_PID"
ok "--force-hrr"

# 4. KeyUpdate from the server, answered by gnutls-cli; data intact.
make_random ku.bin 262144
start_ward_server ward-ku --cert "$PKI/ecdsa.pem" --key "$PKI/ecdsa.key" --key-update \
    --max-connections 1
FEED_SPLIT=16384 gcli ku ku.bin "$TLS13"
expect_gcli_ok ku ku.bin "KeyUpdate"
wait_exit "$SERVER_PID" 20 || fail "ward server (KeyUpdate) did not end cleanly: $(cat "$SERVER_LOG")"
assert_contains "$SERVER_LOG" "sent KeyUpdate"
assert_contains "$SERVER_LOG" "262144 bytes in, 262144 bytes out, KeyUpdates received: 1"
ok "KeyUpdate from ward server, answered by gnutls-cli, 256 KiB intact"

# 5. 1 MiB each way through the echo server.
make_random big.bin 1048576
start_ward_server ward-big --cert "$PKI/ed25519.pem" --key "$PKI/ed25519.key" --max-connections 1
gcli big big.bin "$TLS13"
expect_gcli_ok big big.bin "1 MiB echo"
wait_exit "$SERVER_PID" 20 || fail "ward server (1 MiB) did not end cleanly: $(cat "$SERVER_LOG")"
assert_contains "$SERVER_LOG" "1048576 bytes in, 1048576 bytes out"
ok "1 MiB each way"

done_all
