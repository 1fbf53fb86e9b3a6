#!/usr/bin/env bash
# ward server with an ephemeral certificate + ward client with its pin:
# the echoed line comes back; a wrong pin and no trust at all both fail
# with a message that says why.
. "$(dirname "$0")/lib.sh"
need

start_ward_server demo
[ -n "$SERVER_PIN" ] || fail "ward server printed no pin for its ephemeral certificate"
ok "server listening on 127.0.0.1:$SERVER_PORT with pin $SERVER_PIN"
MAIN_LOG=$SERVER_LOG

# 1. the pin: the line comes back, the negotiated parameters are shown.
echo "hello from the ward demo test" >"$WORK/line.txt"
CLIENT_IN="$WORK/line.txt" ward_client "$WORK/pin.log" --pin "$SERVER_PIN" "127.0.0.1:$SERVER_PORT"
[ "$CLIENT_RC" -eq 0 ] || fail "client with the right pin exited $CLIENT_RC: $(cat "$WORK/pin.log")"
assert_same "$WORK/line.txt" "$WORK/client.out" "echo through ward server"
assert_contains "$WORK/pin.log" "ward: connected to 127.0.0.1:$SERVER_PORT"
assert_contains "$WORK/pin.log" "ward: TLS 1.3, TLS_"
assert_contains "$WORK/pin.log" "HelloRetryRequest: no"
assert_contains "$WORK/pin.log" "ward: verified: pin"
assert_contains "$WORK/pin.log" "peer certificate: subject"
ok "echo with the pin"

# 2. a wrong pin fails, naming the pin.
wrong="sha256:$(printf '%064d' 0)"
CLIENT_IN="$WORK/line.txt" ward_client "$WORK/wrongpin.log" --pin "$wrong" "127.0.0.1:$SERVER_PORT"
[ "$CLIENT_RC" -eq 1 ] || fail "client with a wrong pin exited $CLIENT_RC (expected 1)"
assert_contains "$WORK/wrongpin.log" "ward: error:"
assert_contains "$WORK/wrongpin.log" "pin"
[ ! -s "$WORK/client.out" ] || fail "client with a wrong pin printed data"
ok "wrong pin refused: $(grep 'ward: error' "$WORK/wrongpin.log")"

# 3. no pin and no cafile: the system store does not know the key.
CLIENT_IN="$WORK/line.txt" ward_client "$WORK/nopin.log" --servername localhost "127.0.0.1:$SERVER_PORT"
[ "$CLIENT_RC" -eq 1 ] || fail "client without a pin exited $CLIENT_RC (expected 1)"
assert_contains "$WORK/nopin.log" "self-signed"
ok "no pin refused: $(grep 'ward: error' "$WORK/nopin.log")"

# 4. --insecure connects and says so.
CLIENT_IN="$WORK/line.txt" ward_client "$WORK/insecure.log" --insecure "127.0.0.1:$SERVER_PORT"
[ "$CLIENT_RC" -eq 0 ] || fail "client --insecure exited $CLIENT_RC: $(cat "$WORK/insecure.log")"
assert_same "$WORK/line.txt" "$WORK/client.out" "echo with --insecure"
assert_contains "$WORK/insecure.log" "not verified (--insecure)"
ok "--insecure"

# 5. IPv6 loopback, when the machine has it.
if [ -r /proc/net/if_inet6 ] && grep -q '^0\{31\}1 ' /proc/net/if_inet6; then
    start_ward_server demo6 --listen '[::1]:0'
    CLIENT_IN="$WORK/line.txt" ward_client "$WORK/v6.log" --pin "$SERVER_PIN" "[::1]:$SERVER_PORT"
    [ "$CLIENT_RC" -eq 0 ] || fail "client over IPv6 exited $CLIENT_RC: $(cat "$WORK/v6.log")"
    assert_same "$WORK/line.txt" "$WORK/client.out" "echo over IPv6"
    assert_contains "$WORK/v6.log" "connected to [::1]:$SERVER_PORT"
    ok "IPv6 [::1]"
else
    log "no IPv6 loopback on this machine; IPv6 case not run"
fi

# 6. the server logged one line per connection.
assert_contains "$MAIN_LOG" "handshake failed"
assert_contains "$MAIN_LOG" " TLS 1.3 TLS_AES_128_GCM_SHA256 x25519"
ok "server log"

# 7. usage errors exit 2.
rc=0; "$WARD" client >/dev/null 2>&1 || rc=$?
[ "$rc" -eq 2 ] || fail "'ward client' without a host exited $rc (expected 2)"
rc=0; "$WARD" server --no-such-option >/dev/null 2>&1 || rc=$?
[ "$rc" -eq 2 ] || fail "'ward server --no-such-option' exited $rc (expected 2)"
rc=0; "$WARD" client --pin sha256:1234 127.0.0.1:1 >/dev/null 2>&1 || rc=$?
[ "$rc" -eq 2 ] || fail "a short pin exited $rc (expected 2)"
"$WARD" client --help | grep -q -- '--key-share-groups' || fail "client --help misses options"
"$WARD" server --help | grep -q -- '--max-connections' || fail "server --help misses options"
ok "usage errors and --help"

done_all
