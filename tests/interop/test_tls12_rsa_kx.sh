#!/usr/bin/env bash
# TLS 1.2 RSA key transport (TLS_RSA_WITH_AES_128/256_GCM_*, no forward
# secrecy) is off unless asked for with --rsa-kx:
#   openssl s_client -tls1_2 -cipher AES128-GCM-SHA256 / AES256-GCM-SHA384
#     -> ward server --rsa-kx (RSA certificate): works, 1 MiB each way;
#     a client that can do ECDHE still gets ECDHE from it;
#   the same clients -> ward server without --rsa-kx, or with --rsa-kx but
#     an ECDSA certificate: refused (handshake_failure);
#   ward client --rsa-kx [--tls1.2 --suites TLS_RSA_...] -> openssl s_server
#     -tls1_2 -cipher AES128-GCM-SHA256 / AES256-GCM-SHA384: works, 1 MiB
#     each way; without --rsa-kx: fails with a message that names --rsa-kx;
#   the options' own checks (usage errors, --help).
. "$(dirname "$0")/lib.sh"
need openssl
make_pki
cd "$WORK"

MIB=1048576
make_random up.bin "$MIB"
make_random down.bin "$MIB"
printf 'rsa key transport\n' >line.txt

# trace_block FILE MESSAGE: one handshake message of an `-trace` file.
trace_block() {
    awk -v m="$2, Length=" 'index($0, m) { f = 1 } f && /^(Sent|Received) Record/ { f = 0 } f' "$1"
}

# ---- 1. s_client -> ward server --rsa-kx (RSA certificate) ----
start_ward_server ward-rsakx --cert "$PKI/rsa-chain.pem" --key "$PKI/rsa.key" --rsa-kx \
    --max-connections 3
for suite in "${SUITES12_RSA_KX[@]}"; do
    name="c-$suite"
    sclient_session "$name" up.bin -tls1_2 -CAfile "$PKI/ca.pem" -servername localhost \
        -verify_return_error -verify_hostname localhost -connect "127.0.0.1:$SERVER_PORT" \
        -cipher "${OSSL_CIPHER12[$suite]}"
    [ "$SCLIENT_RC" -eq 0 ] || fail "s_client $suite -> ward server --rsa-kx exited $SCLIENT_RC: $(cat "$name.err")"
    assert_contains "$name.session" "New, TLSv1.2, Cipher is ${OSSL_CIPHER12[$suite]}" "s_client ($suite)"
    assert_contains "$name.session" "Extended master secret: yes" "s_client ($suite)"
    assert_contains "$name.session" "Verify return code: 0 (ok)" "s_client ($suite)"
    # RSA key transport: no ephemeral key
    assert_not_contains "$name.session" "Server Temp Key" "s_client ($suite)"
    assert_same up.bin "$name.data" "$suite: 1 MiB each way through ward's echo"
    assert_contains "$SERVER_LOG" \
        "TLS 1.2 $suite none (RSA key transport, no forward secrecy), signature none, HRR no, ALPN none, SNI localhost, extended master secret"
    ok "s_client -tls1_2 -cipher ${OSSL_CIPHER12[$suite]} -> ward server --rsa-kx: $suite, EMS, 1 MiB each way"
done
# a client that offers ECDHE too gets ECDHE: the RSA suites come last
sclient_session c-default line.txt -tls1_2 -CAfile "$PKI/ca.pem" -servername localhost \
    -verify_return_error -connect "127.0.0.1:$SERVER_PORT"
[ "$SCLIENT_RC" -eq 0 ] || fail "s_client (default suites) -> ward server --rsa-kx exited $SCLIENT_RC: $(cat c-default.err)"
assert_contains c-default.session "Cipher is ECDHE-RSA-" "s_client (default suites)"
assert_contains c-default.session "Server Temp Key: X25519" "s_client (default suites)"
assert_same line.txt c-default.data "s_client (default suites) -> ward server --rsa-kx: echo"
wait_exit "$SERVER_PID" 20 || fail "ward server --rsa-kx did not end cleanly: $(cat "$SERVER_LOG")"
ok "s_client offering ECDHE and RSA -> ward server --rsa-kx: ECDHE is chosen"

# ---- 2. refused without --rsa-kx, or without an RSA key ----
refused() { # refused WHAT ARGS...: s_client -tls1_2 with each RSA suite is refused
    local what=$1 suite rc
    shift
    start_ward_server "ward-$what" "$@"
    for suite in "${SUITES12_RSA_KX[@]}"; do
        rc=0
        timeout 20 openssl s_client -brief -tls1_2 -CAfile "$PKI/ca.pem" -servername localhost \
            -cipher "${OSSL_CIPHER12[$suite]}" -connect "127.0.0.1:$SERVER_PORT" \
            <line.txt >"refused-$what-$suite.out" 2>"refused-$what-$suite.log" || rc=$?
        [ "$rc" -ne 0 ] || fail "$what: s_client with only $suite was accepted"
        assert_contains "refused-$what-$suite.log" "alert handshake failure" "s_client ($what, $suite)"
        assert_not_contains "refused-$what-$suite.out" "rsa key transport" "s_client ($what, $suite)"
    done
    # each refusal is logged by the connection's child, maybe after s_client ended
    local i
    for ((i = 0; i < 100; i++)); do
        [ "$(grep -c "handshake failed: no TLS 1.2 cipher suite, group and signature scheme in common" \
            "$SERVER_LOG")" -eq 2 ] && break
        sleep 0.05
    done
    [ "$i" -lt 100 ] || fail "$what: ward server does not log 2 refusals: $(cat "$SERVER_LOG")"
    stop "$SERVER_PID"
}
refused no-rsa-kx --cert "$PKI/rsa-chain.pem" --key "$PKI/rsa.key"
ok "s_client -tls1_2 with only RSA key transport -> ward server without --rsa-kx: handshake_failure (2 suites)"
refused ecdsa-key --cert "$PKI/ecdsa-chain.pem" --key "$PKI/ecdsa.key" --rsa-kx
ok "s_client -tls1_2 with only RSA key transport -> ward server --rsa-kx with an ECDSA key: handshake_failure (2 suites)"

# ---- 3. ward client --rsa-kx -> openssl s_server -tls1_2 -cipher <RSA kx> ----
to_sserver() { # to_sserver NAME SUITE WARD-ARGS...: 1 MiB each way, checked on both sides
    local name=$1 suite=$2
    shift 2
    start_openssl_server "$name" -tls1_2 -quiet -naccept 1 -trace -msgfile "$WORK/$name.trace" \
        -cert "$PKI/rsa.pem" -key "$PKI/rsa.key" -cipher "${OSSL_CIPHER12[$suite]}"
    openssl_server_send down.bin
    ward_client_until "$name.log" "$name.down" up.bin "$MIB" --cafile "$PKI/ca.pem" \
        --servername localhost "$@" "127.0.0.1:$SERVER_PORT"
    [ "$CLIENT_RC" -eq 0 ] || fail "ward client $* -> s_server $suite exited $CLIENT_RC: $(cat "$name.log")"
    wait_exit "$SERVER_PID" 20 || fail "s_server ($suite) did not end cleanly"
    assert_contains "$name.log" \
        "ward: TLS 1.2, $suite, group none (RSA key transport, no forward secrecy), signature none, extended master secret"
    trace_block "$name.trace" ServerHello >"$name.sh"
    assert_contains "$name.sh" "} $suite" "s_server's ServerHello ($name)"
    assert_contains "$name.sh" "extension_type=extended_master_secret(23)" "s_server's ServerHello ($name)"
    assert_not_contains "$name.trace" "ServerKeyExchange" "s_server's trace ($name)"
    assert_contains "$name.trace" "ClientKeyExchange" "s_server's trace ($name)"
    assert_same up.bin "$SERVER_OUT" "$name: 1 MiB ward -> s_server"
    assert_same down.bin "$name.down" "$name: 1 MiB s_server -> ward"
}
for suite in "${SUITES12_RSA_KX[@]}"; do
    to_sserver "s-exact-$suite" "$suite" --rsa-kx --tls1.2 --suites "$suite"
    ok "ward client --rsa-kx --tls1.2 --suites $suite -> s_server -tls1_2: EMS, 1 MiB each way"
done
# --rsa-kx alone: ward's default list, with the RSA suites appended
to_sserver s-default TLS_RSA_WITH_AES_256_GCM_SHA384 --rsa-kx
ok "ward client --rsa-kx (default suites + RSA) -> s_server -tls1_2 -cipher AES256-GCM-SHA384"

# ---- 4. ward client without --rsa-kx -> that server: a clear failure ----
for suite in "${SUITES12_RSA_KX[@]}"; do
    start_openssl_server "s-no-$suite" -tls1_2 -quiet -naccept 1 -cert "$PKI/rsa.pem" -key "$PKI/rsa.key" \
        -cipher "${OSSL_CIPHER12[$suite]}"
    CLIENT_IN=line.txt ward_client "no-$suite.log" --cafile "$PKI/ca.pem" --servername localhost \
        "127.0.0.1:$SERVER_PORT"
    [ "$CLIENT_RC" -eq 1 ] || fail "ward client without --rsa-kx against s_server $suite exited $CLIENT_RC (expected 1)"
    assert_contains "no-$suite.log" "ward: error: peer sent alert handshake_failure (40)"
    assert_contains "no-$suite.log" "--rsa-kx allows that, without forward secrecy"
    wait_exit "$SERVER_PID" 20 || true
    assert_contains "$SERVER_LOG" "no shared cipher" "s_server ($suite)"
done
ok "ward client without --rsa-kx -> s_server with only RSA key transport: fails, the message names --rsa-kx (2 suites)"

# ---- 5. the options themselves ----
usage() { # usage LOG ARGS...: ward must refuse ARGS with status 2
    local logf=$1 rc=0
    shift
    timeout 10 "$WARD" "$@" </dev/null >/dev/null 2>"$logf" || rc=$?
    [ "$rc" -eq 2 ] || fail "ward $* exited $rc (expected 2): $(cat "$logf")"
}
usage u1.log client --suites TLS_RSA_WITH_AES_128_GCM_SHA256 127.0.0.1:1
assert_contains u1.log "TLS_RSA_WITH_AES_128_GCM_SHA256 is RSA key transport, which has no forward secrecy; add --rsa-kx"
usage u2.log server --suites TLS_RSA_WITH_AES_256_GCM_SHA384
assert_contains u2.log "add --rsa-kx to allow it"
usage u3.log client --rsa-kx --tls1.3 127.0.0.1:1
assert_contains u3.log "--rsa-kx is for TLS 1.2"
usage u4.log server --rsa-kx --min-version 1.3
assert_contains u4.log "--rsa-kx is for TLS 1.2"
"$WARD" client --help >help-client.txt
"$WARD" server --help >help-server.txt
assert_contains help-client.txt "--rsa-kx"
assert_contains help-client.txt "NO forward"
assert_contains help-server.txt "--rsa-kx"
assert_contains help-server.txt "NO forward"
ok "--rsa-kx: usage errors (RSA suite without it, with TLS 1.3 only) and --help"

done_all
