#!/usr/bin/env bash
# TLS 1.2 against OpenSSL, both directions: ward client -> `openssl s_server
# -tls1_2` and `openssl s_client -tls1_2` -> ward server. Every TLS 1.2
# suite x group, the ECDHE_ECDSA suites with the ECDSA P-256 certificate and
# the ECDHE_RSA suites with the RSA-2048 one (3 x 3 x 2 per direction); in
# each connection the suite, the group and the Extended Master Secret are
# checked on both sides and 1 MiB goes each way, compared byte for byte.
# Then the --www page and --key-update (a notice: TLS 1.2 has no KeyUpdate).
. "$(dirname "$0")/lib.sh"
need openssl
make_pki
cd "$WORK"

declare -A OSSL_GROUP=([x25519]=X25519 [secp256r1]=P-256 [secp384r1]=P-384)
# how `s_server -trace` names the group in the ServerKeyExchange
declare -A TRACE_GROUP=([x25519]="ecdh_x25519 (29)" [secp256r1]="secp256r1 (P-256) (23)"
    [secp384r1]="secp384r1 (P-384) (24)")
# how s_client names it ("Server Temp Key: ...")
declare -A TEMP_KEY=([x25519]="X25519, 253 bits" [secp256r1]="ECDH, prime256v1, 256 bits"
    [secp384r1]="ECDH, secp384r1, 384 bits")
# what signs the ServerKeyExchange: both peers put these first for the key
declare -A SIGSCHEME=([ecdsa]=ecdsa_secp256r1_sha256 [rsa]=rsa_pss_rsae_sha256)
declare -A KIND_SUITES=([ecdsa]="${SUITES12_ECDSA[*]}" [rsa]="${SUITES12_RSA[*]}")
MIB=1048576

make_random up.bin "$MIB"
make_random down.bin "$MIB"

# trace_block FILE MESSAGE: the lines of one handshake message in an
# `s_server -trace` file, from "MESSAGE, Length=" to the next record.
trace_block() {
    awk -v m="$2, Length=" 'index($0, m) { f = 1 } f && /^(Sent|Received) Record/ { f = 0 } f' "$1"
}

# ---- 1. ward client -> openssl s_server -tls1_2 ----
# s_server restricts the suite (-cipher) and the group (-groups); the ward
# client offers its defaults (TLS 1.2 and 1.3, every suite and group).
# s_server sends down.bin (its stdin, through the FIFO) and writes what it
# receives (up.bin) to its stdout; the client's stdin stays open until all
# of down.bin came back, then it closes with close_notify.
to_sserver() { # to_sserver KIND SUITE GROUP
    local kind=$1 suite=$2 group=$3 name="s-$1-$2-$3" what="$1 $2 $3"
    start_openssl_server "$name" -tls1_2 -quiet -naccept 1 -trace -msgfile "$WORK/$name.trace" \
        -cert "$PKI/$kind.pem" -key "$PKI/$kind.key" \
        -cipher "${OSSL_CIPHER12[$suite]}" -groups "${OSSL_GROUP[$group]}"
    openssl_server_send down.bin
    ward_client_until "$name.log" "$name.down" up.bin "$MIB" --cafile "$PKI/ca.pem" \
        --servername localhost "127.0.0.1:$SERVER_PORT"
    [ "$CLIENT_RC" -eq 0 ] || fail "$what: ward client exited $CLIENT_RC: $(cat "$name.log")"
    wait_exit "$SERVER_PID" 20 || fail "$what: s_server did not end cleanly"
    # ward's side
    assert_contains "$name.log" \
        "ward: TLS 1.2, $suite, group $group, signature ${SIGSCHEME[$kind]}, extended master secret"
    assert_contains "$name.log" "ward: verified: chain"
    assert_contains "$name.log" "closed by the server (close_notify)"
    # s_server's side: its ServerHello and ServerKeyExchange
    trace_block "$name.trace" ServerHello >"$name.sh"
    assert_contains "$name.sh" "server_version=0x303 (TLS 1.2)" "s_server's ServerHello ($what)"
    assert_contains "$name.sh" "} $suite" "s_server's ServerHello ($what)"
    assert_contains "$name.sh" "extension_type=extended_master_secret(23)" "s_server's ServerHello ($what)"
    trace_block "$name.trace" ServerKeyExchange >"$name.ske"
    assert_contains "$name.ske" "named_curve: ${TRACE_GROUP[$group]}" "s_server's ServerKeyExchange ($what)"
    assert_contains "$name.ske" "Signature Algorithm: ${SIGSCHEME[$kind]}" \
        "s_server's ServerKeyExchange ($what)"
    # the data, both ways
    assert_same up.bin "$SERVER_OUT" "$what: 1 MiB ward -> s_server"
    assert_same down.bin "$name.down" "$what: 1 MiB s_server -> ward"
}

for kind in ecdsa rsa; do
    for suite in ${KIND_SUITES[$kind]}; do
        for group in "${GROUPS_WARD[@]}"; do
            to_sserver "$kind" "$suite" "$group"
        done
    done
    ok "ward client -> s_server -tls1_2, $kind certificate: 3 suites x 3 groups, EMS, 1 MiB each way"
done

# ---- 2. openssl s_client -tls1_2 -> ward server (echo) ----
# s_client prints the session (cipher, temp key, EMS) on stdout before the
# data (sclient_session splits the two).

# from_sclient NAME WHAT SUITE GROUP KIND ARGS...: s_client sends up.bin
# through the echo server; checks its view of the connection and the echo.
from_sclient() {
    local name=$1 what=$2 suite=$3 group=$4 kind=$5
    shift 5
    sclient_session "$name" up.bin -tls1_2 -CAfile "$PKI/ca.pem" -servername localhost \
        -verify_return_error -verify_hostname localhost -connect "127.0.0.1:$SERVER_PORT" \
        -cipher "${OSSL_CIPHER12[$suite]}" "$@"
    [ "$SCLIENT_RC" -eq 0 ] || fail "$what: s_client exited $SCLIENT_RC: $(cat "$name.err")"
    [ "$(tail -c 4 "$name.session")" = "---" ] || fail "$what: s_client printed no session"
    assert_contains "$name.session" "New, TLSv1.2, Cipher is ${OSSL_CIPHER12[$suite]}" "s_client ($what)"
    assert_contains "$name.session" "Protocol  : TLSv1.2" "s_client ($what)"
    assert_contains "$name.session" "Server Temp Key: ${TEMP_KEY[$group]}" "s_client ($what)"
    assert_contains "$name.session" "Extended master secret: yes" "s_client ($what)"
    assert_contains "$name.session" "Verify return code: 0 (ok)" "s_client ($what)"
    assert_same up.bin "$name.data" "$what: 1 MiB each way through ward's echo"
    # ward's side (the line is logged by the connection's child at handshake)
    assert_contains "$SERVER_LOG" \
        "TLS 1.2 $suite $group, signature ${SIGSCHEME[$kind]}, HRR no, ALPN none, SNI localhost, extended master secret"
}

# RSA certificate: one server with its defaults; s_client restricts the
# suite and the group.
start_ward_server ward-rsa --cert "$PKI/rsa-chain.pem" --key "$PKI/rsa.key" --max-connections 9
for suite in "${SUITES12_RSA[@]}"; do
    for group in "${GROUPS_WARD[@]}"; do
        from_sclient "c-rsa-$suite-$group" "rsa $suite $group" "$suite" "$group" rsa \
            -groups "${OSSL_GROUP[$group]}"
    done
done
wait_exit "$SERVER_PID" 20 || fail "ward server (RSA) did not end cleanly: $(cat "$SERVER_LOG")"
[ "$(grep -c "$MIB bytes in, $MIB bytes out" "$SERVER_LOG")" -eq 9 ] ||
    fail "ward server (RSA) did not log 9 connections of 1 MiB each way: $(cat "$SERVER_LOG")"
ok "s_client -tls1_2 -> ward server, rsa certificate: 3 suites x 3 groups (client-restricted), EMS, 1 MiB each way"

# ECDSA certificate: in TLS 1.2 the client's supported_groups also governs
# the curve of the server's ECDSA key (RFC 8422 §5.1), so OpenSSL's client
# must offer P-256 with the group under test; the ward server restricts
# the group (a server per group), s_client the suite.
for group in "${GROUPS_WARD[@]}"; do
    start_ward_server "ward-ecdsa-$group" --cert "$PKI/ecdsa-chain.pem" --key "$PKI/ecdsa.key" \
        --groups "$group" --max-connections 3
    for suite in "${SUITES12_ECDSA[@]}"; do
        from_sclient "c-ecdsa-$suite-$group" "ecdsa $suite $group" "$suite" "$group" ecdsa \
            -groups "$(printf '%s\n' "${OSSL_GROUP[$group]}" P-256 | uniq | paste -sd:)"
    done
    wait_exit "$SERVER_PID" 20 || fail "ward server (ECDSA, $group) did not end cleanly: $(cat "$SERVER_LOG")"
    [ "$(grep -c "$MIB bytes in, $MIB bytes out" "$SERVER_LOG")" -eq 3 ] ||
        fail "ward server (ECDSA, $group) did not log 3 connections of 1 MiB each way"
done
ok "s_client -tls1_2 -> ward server, ecdsa certificate: 3 suites x 3 groups (server-restricted), EMS, 1 MiB each way"

# ---- 3. the --www page over TLS 1.2: version and EMS ----
start_ward_server ward-www --cert "$PKI/ecdsa.pem" --key "$PKI/ecdsa.key" --www --max-connections 1
printf 'GET / HTTP/1.0\r\nHost: localhost\r\n\r\n' >get.txt
rc=0
timeout 30 openssl s_client -brief -nocommands -ign_eof -tls1_2 -CAfile "$PKI/ca.pem" -servername localhost \
    -verify_return_error -cipher ECDHE-ECDSA-CHACHA20-POLY1305 \
    -connect "127.0.0.1:$SERVER_PORT" <get.txt >www.out 2>www.log || rc=$?
[ "$rc" -eq 0 ] || fail "s_client -tls1_2 against --www exited $rc: $(cat www.log)"
assert_contains www.out "HTTP/1.0 200 OK"
assert_contains www.out "<th>protocol</th><td>TLS 1.2</td>"
assert_contains www.out "<td>TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256</td>"
assert_contains www.out "<th>extended master secret</th><td>yes"
wait_exit "$SERVER_PID" 20 || fail "ward server --www did not end cleanly: $(cat "$SERVER_LOG")"
ok "--www page over TLS 1.2 shows the version and the EMS"

# ---- 4. --key-update over TLS 1.2: a notice, and the data still flows ----
printf 'no key update here\n' >line.txt
start_ward_server ward-ku --cert "$PKI/rsa.pem" --key "$PKI/rsa.key" --key-update --max-connections 1
{ cat line.txt; wait_size ku-s.out "$(stat -c %s line.txt)" 20 || true; } |
    timeout 30 openssl s_client -brief -nocommands -tls1_2 -CAfile "$PKI/ca.pem" -servername localhost \
        -verify_return_error -connect "127.0.0.1:$SERVER_PORT" >ku-s.out 2>ku-s.log || true
assert_same line.txt ku-s.out "ward server --key-update over TLS 1.2: echo"
wait_exit "$SERVER_PID" 20 || fail "ward server --key-update (TLS 1.2) did not end cleanly: $(cat "$SERVER_LOG")"
assert_contains "$SERVER_LOG" "notice: TLS 1.2 has no KeyUpdate"
assert_not_contains "$SERVER_LOG" "sent KeyUpdate"
start_openssl_server srv-ku -tls1_2 -rev -naccept 1 -cert "$PKI/ecdsa.pem" -key "$PKI/ecdsa.key"
CLIENT_IN=line.txt ward_client ku-c.log --cafile "$PKI/ca.pem" --servername localhost --key-update \
    "127.0.0.1:$SERVER_PORT"
[ "$CLIENT_RC" -eq 0 ] || fail "ward client --key-update against s_server -tls1_2 exited $CLIENT_RC: $(cat ku-c.log)"
assert_contains ku-c.log "ward: TLS 1.2, "
assert_contains ku-c.log "notice: TLS 1.2 has no KeyUpdate (a TLS 1.3 message); --key-update is ignored"
assert_not_contains ku-c.log "sent KeyUpdate"
grep -q 'ereh etadpu yek on' "$WORK/client.out" || fail "ward client --key-update (TLS 1.2): no reversed line"
stop "$SERVER_PID"
ok "--key-update over TLS 1.2: a notice on both sides, data intact"

done_all
