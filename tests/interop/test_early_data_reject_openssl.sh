#!/usr/bin/env bash
# Refused 0-RTT of the full allowance falls back to 1-RTT (RFC 8446 §4.2.10):
#  `openssl s_client -sess_in -early_data FILE` with FILE exactly ward
#  server's --max-early-data (1024 bytes):
#  a. the first use of the ticket: accepted and echoed;
#  b. the same ticket again, which ward's single-use register refuses: the
#     server skips the 1024 bytes it cannot read, the 1-RTT handshake
#     completes ("Early data was rejected"), and the data sent again after
#     the handshake is echoed. (A server that charged the skipped records
#     whole, header and tag included, aborted here with unexpected_message.)
#  c. ward client --early-data against the same server: the same, and the
#     client resends by itself.
. "$(dirname "$0")/lib.sh"
need openssl
make_pki
cd "$WORK"

LIMIT=1024
# exactly LIMIT bytes of early data, ending in a newline
head -c $((LIMIT - 1)) /dev/zero | tr '\0' 'e' >early.txt
echo >>early.txt
[ "$(stat -c %s early.txt)" = "$LIMIT" ] || fail "early.txt is not $LIMIT bytes"
printf 'after the handshake\n' >line.txt
cat early.txt line.txt >both.txt

# sc NAME ARGS...: s_client sends line.txt (after any -early_data) to the
# ward echo server and waits for its echo (lib.sh).
sc() { s_client_echo 'after the handshake' "$1" "$SERVER_PORT" -tls1_3 "${@:2}"; }

start_ward_server ward-early --cert "$PKI/ecdsa.pem" --key "$PKI/ecdsa.key" --max-early-data "$LIMIT"

# ---- a. the ticket's first use: accepted ----
sc a1 -sess_out sess.pem
assert_contains a1.out "Max Early Data: $LIMIT"
sc a2 -sess_in sess.pem -early_data early.txt
assert_contains a2.out "Reused, TLSv1.3"
assert_contains a2.out "Early data was accepted"
[ "$(count a2.out eeeeeeeeeeeeeeee)" = 1 ] || fail "the accepted early data did not come back once"
wait_line "$SERVER_LOG" "early data: $LIMIT bytes \\(replayable\\)" "$SERVER_PID" 10 >/dev/null ||
    fail "ward server did not take the $LIMIT bytes: $(tail -n 5 "$SERVER_LOG")"
ok "s_client 0-RTT of exactly --max-early-data ($LIMIT bytes): accepted"

# ---- b. the same ticket again: refused, skipped, 1-RTT ----
# s_client does not resend refused early data itself: what an application
# does, it sends the same bytes after the handshake (both.txt as its input).
mkdir b && cp both.txt b/line.txt && cp sess.pem b/
(cd b && sc b1 -sess_in sess.pem -early_data ../early.txt)
assert_contains b/b1.out "Reused, TLSv1.3"
assert_contains b/b1.out "Early data was rejected"
[ "$(count b/b1.out eeeeeeeeeeeeeeee)" = 1 ] || fail "the resent data did not come back once"
wait_line "$SERVER_LOG" "early data: rejected" "$SERVER_PID" 10 >/dev/null ||
    fail "ward server did not log the refused early data: $(tail -n 5 "$SERVER_LOG")"
assert_not_contains "$SERVER_LOG" "handshake failed" "ward server's log"
# a2 and b1 each brought LIMIT bytes and the line: once as early data,
# once resent in 1-RTT
n=$(stat -c %s both.txt)
for ((i = 0; i < 100; i++)); do
    [ "$(count "$SERVER_LOG" "closed: $n bytes in, $n bytes out")" = 2 ] && break
    sleep 0.1
done
[ "$(count "$SERVER_LOG" "closed: $n bytes in, $n bytes out")" = 2 ] ||
    fail "ward server should have echoed $n bytes on two connections: $(tail -n 8 "$SERVER_LOG")"
ok "the ticket again: $LIMIT bytes of refused early data skipped, 1-RTT completed, resent data echoed"

# ---- c. ward client, same server: refused, resent by the client ----
client() { # client LOG ARGS...
    local logf=$1
    shift
    ward_client "$logf" --cafile "$PKI/ca.pem" --servername localhost "$@" "127.0.0.1:$SERVER_PORT"
}
CLIENT_IN=line.txt client c1.log --sess-out wsess.bin
[ "$CLIENT_RC" -eq 0 ] || fail "ward client (full handshake) exited $CLIENT_RC: $(cat c1.log)"
cp wsess.bin wsess-again.bin
CLIENT_IN=line.txt CLIENT_OUT=c2.out client c2.log --sess-in wsess.bin --early-data early.txt
[ "$CLIENT_RC" -eq 0 ] || fail "ward client (0-RTT) exited $CLIENT_RC: $(cat c2.log)"
assert_contains c2.log "early data: accepted ($LIMIT bytes)"
CLIENT_IN=line.txt CLIENT_OUT=c3.out client c3.log --sess-in wsess-again.bin --early-data early.txt
[ "$CLIENT_RC" -eq 0 ] || fail "ward client (0-RTT again) exited $CLIENT_RC: $(cat c3.log)"
assert_contains c3.log "early data: rejected"
assert_same both.txt c3.out "refused 0-RTT of the full allowance: resent and echoed"
stop "$SERVER_PID"
assert_not_contains "$SERVER_LOG" "handshake failed" "ward server's log"
ok "ward client: $LIMIT bytes refused, the handshake completes, the data resent and echoed"

done_all
