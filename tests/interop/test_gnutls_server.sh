#!/usr/bin/env bash
# ward client against `gnutls-serv --echo` restricted to TLS 1.3: every
# suite x group with ECDSA P-256, RSA-2048 and Ed25519 certificates, a
# forced HelloRetryRequest, KeyUpdate mid-stream, 1 MiB each way.
. "$(dirname "$0")/lib.sh"
need gnutls-serv
make_pki
cd "$WORK"

declare -A GT_CIPHER=([TLS_AES_128_GCM_SHA256]=AES-128-GCM [TLS_AES_256_GCM_SHA384]=AES-256-GCM
    [TLS_CHACHA20_POLY1305_SHA256]=CHACHA20-POLY1305)
declare -A GT_GROUP=([x25519]=GROUP-X25519 [secp256r1]=GROUP-SECP256R1 [secp384r1]=GROUP-SECP384R1)
declare -A SIGSCHEME=([ecdsa]=ecdsa_secp256r1_sha256 [rsa]=rsa_pss_rsae_sha256 [ed25519]=ed25519)
TLS13="NORMAL:-VERS-ALL:+VERS-TLS1.3"

gserv() { # gserv NAME CERTKIND PRIORITY
    start_gnutls_server "$1" --echo --crlf --x509certfile "$PKI/$2-chain.pem" \
        --x509keyfile "$PKI/$2.key" --priority "$3"
}

client() { # client LOG ARGS...
    local logf=$1
    shift
    ward_client "$logf" --cafile "$PKI/ca.pem" --servername localhost "$@" "127.0.0.1:$SERVER_PORT"
}

expect_echo() { # expect_echo LOG IN WHAT
    [ "$CLIENT_RC" -eq 0 ] || fail "$3: ward client exited $CLIENT_RC: $(cat "$1")"
    assert_contains "$1" "ward: verified: chain"
    assert_same "$2" "$WORK/client.out" "$3"
}

printf 'gnutls, hello\n' >line.txt

# 1. the server restricts suite and group (the client offers all three groups).
for suite in "${SUITES[@]}"; do
    for group in "${GROUPS_WARD[@]}"; do
        gserv "srv-$suite-$group" ecdsa "$TLS13:-CIPHER-ALL:+${GT_CIPHER[$suite]}:-GROUP-ALL:+${GT_GROUP[$group]}"
        CLIENT_IN=line.txt client "s-$suite-$group.log" --groups x25519,secp256r1,secp384r1
        expect_echo "s-$suite-$group.log" line.txt "server-restricted $suite $group"
        assert_contains "s-$suite-$group.log" "ward: TLS 1.3, $suite, group $group, signature ecdsa_secp256r1_sha256"
        stop "$SERVER_PID"
    done
done
ok "server-restricted suites x groups (9 handshakes)"

# 2. each certificate type, the client restricting suite and group.
for kind in "${CERT_KINDS[@]}"; do
    gserv "srv-$kind" "$kind" "$TLS13"
    for suite in "${SUITES[@]}"; do
        for group in "${GROUPS_WARD[@]}"; do
            name="c-$kind-$suite-$group"
            CLIENT_IN=line.txt client "$name.log" --suites "$suite" --groups "$group"
            expect_echo "$name.log" line.txt "$kind $suite $group"
            assert_contains "$name.log" "ward: TLS 1.3, $suite, group $group, signature ${SIGSCHEME[$kind]}"
        done
    done
    stop "$SERVER_PID"
    ok "$kind certificate: 3 suites x 3 groups"
done

# 3. HelloRetryRequest: a key share for x25519 only; the server wants P-384.
gserv srv-hrr ecdsa "$TLS13:-GROUP-ALL:+GROUP-SECP384R1"
CLIENT_IN=line.txt client hrr.log --groups x25519,secp384r1 --key-share-groups x25519
expect_echo hrr.log line.txt "HelloRetryRequest"
assert_contains hrr.log "HelloRetryRequest: yes"
assert_contains hrr.log "group secp384r1"
stop "$SERVER_PID"
ok "HelloRetryRequest to secp384r1"

# 4. KeyUpdate mid-stream (gnutls answers the request with its own) and
#    1 MiB each way, through the echo server.
# gnutls-serv --echo echoes text (it stops at a NUL byte): base64 lines.
make_text ku.bin 262144
make_text big.bin 1048576
gserv srv-data rsa "$TLS13"
CLIENT_IN=ku.bin client ku.log --key-update
expect_echo ku.log ku.bin "KeyUpdate mid-stream"
assert_contains ku.log "sent KeyUpdate"
assert_contains ku.log "KeyUpdates received: 1"
ok "KeyUpdate mid-stream, 256 KiB echoed intact, gnutls updated too"
CLIENT_IN=big.bin client big.log
expect_echo big.log big.bin "1 MiB each way"
ok "1 MiB each way"
stop "$SERVER_PID"

done_all
