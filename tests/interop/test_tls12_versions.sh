#!/usr/bin/env bash
# Version negotiation between TLS 1.2 and 1.3, against OpenSSL and between
# ward's own client and server:
#   a default ward client (1.2 and 1.3) -> `openssl s_server -tls1_2`: TLS 1.2;
#   `openssl s_client -tls1_1` / `-tls1` -> ward server: protocol_version;
#   `openssl s_client -tls1_2 -fallback_scsv` -> a default ward server (which
#     can do 1.3): inappropriate_fallback; -> ward server --tls1.2: accepted;
#   ward client --tls1.3 -> s_server -tls1_2 (and --tls1.2 -> s_server
#     -tls1_3): protocol_version, a message that says what to change;
#   ward server --tls1.3 / --tls1.2 / --max-version 1.2 against s_client
#     -tls1_2 / -tls1_3 / default: the right version or protocol_version;
#   the TLS 1.3 downgrade sentinel (RFC 8446 §4.1.3) in a default ward
#     server's TLS 1.2 ServerHello, and not in a --tls1.2 one's;
#   ward client <-> ward server with the version options on either side;
#   the version options' usage errors.
. "$(dirname "$0")/lib.sh"
need openssl
make_pki
cd "$WORK"

printf 'which version?\n' >line.txt
SENTINEL12=444F574E47524401 # "DOWNGRD" 01

client() { # client LOG ARGS...: ward client verifying the test PKI, stdin line.txt
    local logf=$1
    shift
    CLIENT_IN=line.txt ward_client "$logf" --cafile "$PKI/ca.pem" --servername localhost "$@" \
        "127.0.0.1:$SERVER_PORT"
}

# sclient NAME ARGS...: s_client -brief sends line.txt and waits for the echo
# (at most 10 s, less if s_client fails); SCLIENT_RC, NAME.out (data),
# NAME.log (stderr).
sclient() {
    local name=$1
    shift
    : >"$name.out"
    : >"$name.log"
    SCLIENT_RC=0
    { cat line.txt; echo_wait "$name.out" "$name.log"; } |
        timeout 30 openssl s_client -brief -nocommands -CAfile "$PKI/ca.pem" -servername localhost \
            -connect "127.0.0.1:$SERVER_PORT" "$@" >"$name.out" 2>"$name.log" || SCLIENT_RC=$?
}

# echo_wait OUT ERR: until OUT holds line.txt's size, or s_client has ended
# (DONE or an error on ERR), at most 10 s.
echo_wait() {
    local i want
    want=$(stat -c %s line.txt)
    for ((i = 0; i < 200; i++)); do
        [ "$(stat -c %s "$1")" -ge "$want" ] && return 0
        grep -qE -- '^DONE$|:error:' "$2" 2>/dev/null && return 0
        sleep 0.05
    done
    return 0
}

# server_logged REGEX: wait (bounded) for the ward server's log to match;
# a refused connection is logged by its child, maybe after the peer ended.
server_logged() {
    wait_line "$SERVER_LOG" "$1" "$SERVER_PID" 5 >/dev/null ||
        fail "the ward server's log has no line matching '$1': $(cat "$SERVER_LOG")"
}

# ---- 1. a default ward client -> s_server -tls1_2: TLS 1.2 ----
start_openssl_server srv12 -tls1_2 -rev -naccept 1 -trace -msgfile "$WORK/srv12.trace" \
    -cert "$PKI/ecdsa.pem" -key "$PKI/ecdsa.key"
client c-default.log
[ "$CLIENT_RC" -eq 0 ] || fail "default ward client -> s_server -tls1_2 exited $CLIENT_RC: $(cat c-default.log)"
assert_contains c-default.log "ward: TLS 1.2, TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, group x25519"
assert_contains c-default.log ", extended master secret"
grep -q '?noisrev hcihw' client.out || fail "default ward client -> s_server -tls1_2: no reversed line"
# the client offered both versions
assert_contains srv12.trace "TLS 1.3 (772)" "s_server's trace of the ClientHello"
assert_contains srv12.trace "TLS 1.2 (771)" "s_server's trace of the ClientHello"
assert_contains srv12.trace "server_version=0x303 (TLS 1.2)" "s_server's trace of the ServerHello"
stop "$SERVER_PID"
ok "default ward client (TLS 1.2 and 1.3) -> s_server -tls1_2: TLS 1.2"

# ---- 2. older versions, and the fallback SCSV, against a default ward server ----
start_ward_server ward-default --cert "$PKI/rsa-chain.pem" --key "$PKI/rsa.key"
for old in tls1_1 tls1; do
    # OpenSSL 3 only sends TLS 1.0/1.1 at security level 0
    sclient "old-$old" "-$old" -cipher 'DEFAULT@SECLEVEL=0'
    [ "$SCLIENT_RC" -ne 0 ] || fail "s_client -$old was accepted"
    assert_contains "old-$old.log" "alert protocol version" "s_client -$old"
done
server_logged "handshake failed: client offers no version ward accepts \(TLS 1.2 and 1.3; SSL 3.0, TLS 1.0 and 1.1 are refused, RFC 8996\)"
ok "s_client -tls1_1 and -tls1 -> ward server: protocol_version, 'no version ward accepts' logged"

sclient fallback -tls1_2 -fallback_scsv
[ "$SCLIENT_RC" -ne 0 ] || fail "s_client -tls1_2 -fallback_scsv was accepted by a ward server that can do TLS 1.3"
assert_contains fallback.log "alert inappropriate fallback" "s_client -fallback_scsv"
server_logged "handshake failed: client signalled a fallback \(TLS_FALLBACK_SCSV\)"
ok "s_client -tls1_2 -fallback_scsv -> default ward server: inappropriate_fallback"

# the downgrade sentinel: a server that can do 1.3 marks its 1.2 ServerHello
sclient sentinel -tls1_2 -trace
[ "$SCLIENT_RC" -eq 0 ] || fail "s_client -tls1_2 -> default ward server exited $SCLIENT_RC: $(cat sentinel.log)"
grep -A6 'ServerHello, Length' sentinel.out | grep -q "random_bytes (len=28): [0-9A-F]*$SENTINEL12\$" ||
    fail "a default ward server's TLS 1.2 ServerHello lacks the downgrade sentinel (RFC 8446 §4.1.3)"
stop "$SERVER_PID"
ok "default ward server: TLS 1.2 ServerHello.random ends with the downgrade sentinel DOWNGRD 01"

start_ward_server ward-12 --cert "$PKI/rsa-chain.pem" --key "$PKI/rsa.key" --tls1.2
sclient fallback12 -tls1_2 -fallback_scsv -trace
[ "$SCLIENT_RC" -eq 0 ] || fail "s_client -tls1_2 -fallback_scsv -> ward server --tls1.2 exited $SCLIENT_RC: $(cat fallback12.log)"
assert_contains fallback12.log "Protocol version: TLSv1.2"
assert_contains fallback12.out "ServerHello, Length" "s_client -trace"
if grep -A6 'ServerHello, Length' fallback12.out | grep -q "random_bytes (len=28): [0-9A-F]*$SENTINEL12\$"; then
    fail "a TLS 1.2-only ward server put the TLS 1.3 downgrade sentinel in its ServerHello"
fi
sclient only13 -tls1_3
[ "$SCLIENT_RC" -ne 0 ] || fail "s_client -tls1_3 was accepted by ward server --tls1.2"
assert_contains only13.log "alert protocol version" "s_client -tls1_3 -> ward server --tls1.2"
server_logged "handshake failed: client offers no version ward accepts"
sclient any12 # s_client's default: 1.3 and 1.2
[ "$SCLIENT_RC" -eq 0 ] || fail "s_client -> ward server --tls1.2 exited $SCLIENT_RC: $(cat any12.log)"
assert_contains any12.log "Protocol version: TLSv1.2"
stop "$SERVER_PID"
ok "ward server --tls1.2: s_client -tls1_2 -fallback_scsv accepted (no sentinel), -tls1_3 refused, default -> TLS 1.2"

start_ward_server ward-max12 --cert "$PKI/ecdsa-chain.pem" --key "$PKI/ecdsa.key" --max-version 1.2
sclient max12
[ "$SCLIENT_RC" -eq 0 ] || fail "s_client -> ward server --max-version 1.2 exited $SCLIENT_RC: $(cat max12.log)"
assert_contains max12.log "Protocol version: TLSv1.2"
stop "$SERVER_PID"
start_ward_server ward-13 --cert "$PKI/ecdsa-chain.pem" --key "$PKI/ecdsa.key" --tls1.3
sclient only12 -tls1_2
[ "$SCLIENT_RC" -ne 0 ] || fail "s_client -tls1_2 was accepted by ward server --tls1.3"
assert_contains only12.log "alert protocol version" "s_client -tls1_2 -> ward server --tls1.3"
server_logged "handshake failed: client offers no version ward accepts \(TLS 1.3 only"
sclient any13
[ "$SCLIENT_RC" -eq 0 ] || fail "s_client -> ward server --tls1.3 exited $SCLIENT_RC: $(cat any13.log)"
assert_contains any13.log "Protocol version: TLSv1.3"
stop "$SERVER_PID"
ok "ward server --max-version 1.2 -> TLS 1.2; --tls1.3 refuses s_client -tls1_2, takes TLS 1.3"

# ---- 3. a ward client limited to one version against a server of the other ----
start_openssl_server srv12b -tls1_2 -rev -naccept 1 -cert "$PKI/rsa.pem" -key "$PKI/rsa.key"
client c13.log --tls1.3
[ "$CLIENT_RC" -eq 1 ] || fail "ward client --tls1.3 -> s_server -tls1_2 exited $CLIENT_RC (expected 1)"
assert_contains c13.log "ward: error: peer sent alert protocol_version (70)"
assert_contains c13.log "hint: the server accepts none of the versions offered (TLS 1.3 only); it may speak TLS 1.2 only"
wait_exit "$SERVER_PID" 10 || true
assert_contains "$SERVER_LOG" "unsupported protocol" "s_server -tls1_2"
ok "ward client --tls1.3 -> s_server -tls1_2: fails with protocol_version and a hint"

start_openssl_server srv13 -tls1_3 -rev -naccept 1 -cert "$PKI/rsa.pem" -key "$PKI/rsa.key"
client c12.log --tls1.2
[ "$CLIENT_RC" -eq 1 ] || fail "ward client --tls1.2 -> s_server -tls1_3 exited $CLIENT_RC (expected 1)"
assert_contains c12.log "ward: error: peer sent alert protocol_version (70)"
assert_contains c12.log "it may speak TLS 1.3 only"
wait_exit "$SERVER_PID" 10 || true
ok "ward client --tls1.2 -> s_server -tls1_3: fails with protocol_version and a hint"

# a 1.3-capable s_server answers a --max-version 1.2 client with TLS 1.2
# and the sentinel, which such a client must not take for an attack
start_openssl_server srv-any -rev -naccept 1 -cert "$PKI/rsa.pem" -key "$PKI/rsa.key"
client cmax12.log --max-version 1.2
[ "$CLIENT_RC" -eq 0 ] || fail "ward client --max-version 1.2 -> s_server exited $CLIENT_RC: $(cat cmax12.log)"
assert_contains cmax12.log "ward: TLS 1.2, TLS_ECDHE_RSA_WITH_"
stop "$SERVER_PID"
ok "ward client --max-version 1.2 -> s_server (1.2 and 1.3): TLS 1.2"

# ---- 4. ward <-> ward ----
# expect SERVER-ARGS | CLIENT-ARGS | RESULT: "TLS 1.x" or an error text
ww() {
    local sargs=$1 cargs=$2 want=$3 name
    name="ww-$(printf '%s_%s' "$sargs" "$cargs" | tr -c 'A-Za-z0-9._-' _)"
    # shellcheck disable=SC2086
    start_ward_server "$name-srv" --cert "$PKI/ecdsa-chain.pem" --key "$PKI/ecdsa.key" \
        --max-connections 1 $sargs
    # shellcheck disable=SC2086
    client "$name.log" $cargs
    case $want in
    "TLS 1."*)
        [ "$CLIENT_RC" -eq 0 ] || fail "ward server $sargs <- ward client $cargs exited $CLIENT_RC: $(cat "$name.log")"
        assert_contains "$name.log" "ward: $want, "
        assert_same line.txt "$WORK/client.out" "ward server $sargs <- ward client $cargs: echo"
        wait_exit "$SERVER_PID" 10 || fail "ward server $sargs did not end cleanly: $(cat "$SERVER_LOG")"
        ;;
    *)
        [ "$CLIENT_RC" -eq 1 ] || fail "ward server $sargs <- ward client $cargs exited $CLIENT_RC (expected 1)"
        assert_contains "$name.log" "$want"
        if wait_exit "$SERVER_PID" 10; then
            fail "ward server $sargs reported success for a refused client"
        fi
        ;;
    esac
}
ww "" "" "TLS 1.3"
ww "" "--tls1.2" "TLS 1.2"
ww "--tls1.2" "" "TLS 1.2"
ww "--max-version 1.2" "--min-version 1.2" "TLS 1.2"
ww "--min-version 1.3" "" "TLS 1.3"
ww "--tls1.3" "--tls1.2" "peer sent alert protocol_version (70)"
ww "--tls1.2" "--tls1.3" "peer sent alert protocol_version (70)"
ww "--suites TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256" "" "TLS 1.2"
ww "" "--suites TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384" "TLS 1.2"
ok "ward client <-> ward server: 9 version combinations (5 settle on a version, 2 refused, 2 through --suites)"

# ---- 5. usage errors ----
usage() { # usage LOG TEXT ARGS...: ward must refuse ARGS with status 2 and say TEXT
    local logf=$1 text=$2 rc=0
    shift 2
    timeout 10 "$WARD" "$@" </dev/null >/dev/null 2>"$logf" || rc=$?
    [ "$rc" -eq 2 ] || fail "ward $* exited $rc (expected 2): $(cat "$logf")"
    assert_contains "$logf" "$text"
}
usage u1.log "--tls1.2 and --tls1.3 exclude each other" client --tls1.2 --tls1.3 127.0.0.1:1
usage u2.log "leave out --min-version and --max-version" server --tls1.3 --max-version 1.3
usage u3.log "--min-version 1.3 is newer than --max-version 1.2" client --min-version 1.3 --max-version 1.2 127.0.0.1:1
usage u4.log "TLS 1.0 and TLS 1.1 are not supported" server --min-version 1.1
usage u5.log "--max-version expects 1.2 or 1.3, got '2.0'" client --max-version 2.0 127.0.0.1:1
usage u6.log "--suites lists only TLS 1.3 cipher suites, but TLS 1.2 is asked for" client --tls1.2 \
    --suites TLS_AES_128_GCM_SHA256 127.0.0.1:1
usage u7.log "--suites lists only TLS 1.2 cipher suites, but TLS 1.3 is asked for" server --tls1.3 \
    --suites TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256
usage u8.log "--groups lists only post-quantum groups, which are TLS 1.3 only" client --tls1.2 \
    --groups X25519MLKEM768 127.0.0.1:1
"$WARD" client --help >help-client.txt
"$WARD" server --help >help-server.txt
for opt in --tls1.2 --tls1.3 --min-version --max-version --rsa-kx TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256; do
    assert_contains help-client.txt "$opt" "ward client --help"
    assert_contains help-server.txt "$opt" "ward server --help"
done
ok "version options: 8 usage errors, --help on both commands"

done_all
