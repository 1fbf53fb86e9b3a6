#!/usr/bin/env bash
# TLS 1.3 0-RTT early data between ward and OpenSSL:
#  a. `openssl s_client -sess_in -early_data` against ward server
#     --max-early-data: accepted, echoed, logged as replayable;
#  b. the exact bytes of that 0-RTT first flight (ClientHello + early
#     data, recorded by a relay) replayed to the same ward server on a new
#     connection: the early data must not be accepted a second time;
#  c. ward client --sess-in --early-data against `openssl s_server
#     -early_data`: accepted; with the same session again (s_server's
#     tickets are single-use) rejected, and then sent after the handshake,
#     so the server gets the data once per connection either way;
#  d. ward client against ward server: the same, and the echo intact; a
#     TLS 1.2 session (no 0-RTT) sends the data after the handshake.
. "$(dirname "$0")/lib.sh"
need openssl python3
make_pki
cd "$WORK"

# The server reports early data it refused (a replay) as "rejected"
# (WARD_EARLY_REJECTED), distinct from none offered.
SERVER_EARLY_REJECTED=1

printf 'GET /early HTTP/1.0\r\n\r\n' >early.txt
printf 'after the handshake\n' >line.txt
cat early.txt line.txt >both.txt
early_len=$(stat -c %s early.txt)

# sc NAME ARGS...: s_client sends line.txt (after any -early_data) to the
# ward echo server (or SC_PORT) and waits for its echo (lib.sh).
sc() { s_client_echo 'after the handshake' "$1" "${SC_PORT:-$SERVER_PORT}" -tls1_3 "${@:2}"; }

# The relay: forwards one connection to the server and records the
# client's first flight (everything it sends before it hears back) in
# FLIGHT. The server's answer is held back until the client has been quiet
# for 0.3 s, so the 0-RTT records are all in the flight, and nothing after
# it (EndOfEarlyData and Finished come only after the server's answer).
cat >relay.py <<'EOF'
import socket, sys, select, time
upstream_port, port_file, flight_file = int(sys.argv[1]), sys.argv[2], sys.argv[3]
ls = socket.socket()
ls.bind(("127.0.0.1", 0))
ls.listen(1)
open(port_file + ".tmp", "w").write(str(ls.getsockname()[1]))
import os
os.rename(port_file + ".tmp", port_file)
ls.settimeout(30)
cl, _ = ls.accept()
up = socket.create_connection(("127.0.0.1", upstream_port), timeout=10)
flight, held, recording, last = b"", b"", True, None
deadline = time.time() + 60
open_c, open_u = True, True
while (open_c or open_u) and time.time() < deadline:
    r, _, _ = select.select([s for s, o in ((cl, open_c), (up, open_u)) if o], [], [], 0.05)
    if cl in r:
        d = cl.recv(65536)
        if not d:
            open_c = False
            up.shutdown(socket.SHUT_WR)
        else:
            if recording:
                flight += d
                last = time.time()
            up.sendall(d)
    if up in r:
        d = up.recv(65536)
        if not d:
            open_u = False
            if held:
                cl.sendall(held)
                held = b""
            cl.shutdown(socket.SHUT_WR)
        elif recording:
            held += d
        else:
            cl.sendall(d)
    if recording and last is not None and time.time() - last > 0.3:
        recording = False
        open(flight_file, "wb").write(flight)
        if held:
            cl.sendall(held)
            held = b""
if recording:
    open(flight_file, "wb").write(flight)
EOF

# The replayer: sends FLIGHT on a new connection, reads what comes back
# for up to 3 s, then closes.
cat >replay.py <<'EOF'
import socket, sys, time
port, flight_file = int(sys.argv[1]), sys.argv[2]
s = socket.create_connection(("127.0.0.1", port), timeout=10)
s.sendall(open(flight_file, "rb").read())
s.settimeout(0.5)
got, end = 0, time.time() + 3
while time.time() < end:
    try:
        d = s.recv(65536)
    except socket.timeout:
        continue
    except OSError:
        break
    if not d:
        break
    got += len(d)
s.close()
print("replay: sent %d bytes, got %d back" % (len(open(flight_file, "rb").read()), got))
EOF

# ---- a. s_client 0-RTT to ward server, through the recording relay ----
start_ward_server ward-early --cert "$PKI/ecdsa.pem" --key "$PKI/ecdsa.key" --max-early-data 16384
sc a1 -sess_out sess.pem
assert_contains a1.out "Max Early Data: 16384"
timeout 70 python3 relay.py "$SERVER_PORT" relay.port flight.bin 2>relay.log &
RELAY_PID=$!
PIDS+=("$RELAY_PID")
for ((i = 0; i < 200; i++)); do [ -s relay.port ] && break; sleep 0.05; done
[ -s relay.port ] || fail "the relay did not start: $(cat relay.log)"
t0=$(date +%s)
SC_PORT=$(cat relay.port) sc a2 -sess_in sess.pem -early_data early.txt
wait_exit "$RELAY_PID" 20 || true
assert_contains a2.out "Reused, TLSv1.3"
assert_contains a2.out "Early data was accepted"
# the echo: the early data, then the line
grep -qF 'GET /early HTTP/1.0' a2.out || fail "the early data did not come back"
sleep 0.3
[ "$(count "$SERVER_LOG" "early data: $early_len bytes (replayable)")" = 1 ] ||
    fail "ward server should log one connection with $early_len bytes of early data"
assert_contains "$SERVER_LOG" "$((early_len + $(stat -c %s line.txt))) bytes in"
ok "s_client 0-RTT accepted by ward server, echoed, logged as replayable"

# ---- b. the same first flight again: no early data the second time ----
[ -s flight.bin ] || fail "the relay recorded no first flight"
[ "$(stat -c %s flight.bin)" -gt "$early_len" ] || fail "the recorded flight is too short to hold the early data"
# within the ticket-age window (10 s), so that only the single-use
# register can refuse it
[ $(($(date +%s) - t0)) -le 8 ] || fail "the replay comes too late to test the single-use register"
timeout 20 python3 replay.py "$SERVER_PORT" flight.bin >replay.log 2>&1 || fail "replay failed: $(cat replay.log)"
# the replayed connection cannot finish (no Finished from the replayer);
# its log line says what became of its early data
wait_line "$SERVER_LOG" 'handshake failed' "$SERVER_PID" 15 >/dev/null ||
    fail "ward server did not log the replayed connection: $(tail -n 5 "$SERVER_LOG")"
grep -F 'handshake failed' "$SERVER_LOG" >replayed.line
assert_not_contains replayed.line "accepted" "the replayed connection's log line"
[ "$(count "$SERVER_LOG" "bytes (replayable)")" = 1 ] || fail "ward server took early data a second time"
if [ "$SERVER_EARLY_REJECTED" = 1 ]; then
    assert_contains replayed.line "early data rejected" "the replayed connection's log line"
fi
ok "a replayed 0-RTT ClientHello: ward server does not take its early data again"
# and a fresh 0-RTT connection with a new ticket still works afterwards
sc a3 -sess_out sess2.pem
sc a4 -sess_in sess2.pem -early_data early.txt
assert_contains a4.out "Early data was accepted"
[ "$(count "$SERVER_LOG" "bytes (replayable)")" = 2 ] || fail "a fresh ticket's early data was not taken"
ok "a fresh ticket's 0-RTT still accepted after the replay"
# without --max-early-data, the server skips the early data and s_client resends it
stop "$SERVER_PID"
start_ward_server ward-noearly --cert "$PKI/ecdsa.pem" --key "$PKI/ecdsa.key"
sc a5 -sess_out sess3.pem
assert_contains a5.out "Max Early Data: 0"
stop "$SERVER_PID"
ok "without --max-early-data, ward server's tickets allow no 0-RTT"

# --www: a request in the early data is answered like any other
start_ward_server ward-www --cert "$PKI/ecdsa.pem" --key "$PKI/ecdsa.key" --www --max-early-data 16384
printf 'GET /first HTTP/1.0\r\n\r\n' >get.txt
timeout 30 openssl s_client -nocommands -ign_eof -tls1_3 -CAfile "$PKI/ca.pem" -servername localhost \
    -verify_return_error -sess_out www.pem -connect "127.0.0.1:$SERVER_PORT" <get.txt >www1.out 2>www1.err ||
    fail "s_client against --www exited: $(tail -n 5 www1.err)"
assert_contains www1.out "<th>resumed</th><td>no</td>"
timeout 30 openssl s_client -nocommands -ign_eof -tls1_3 -CAfile "$PKI/ca.pem" -servername localhost \
    -verify_return_error -sess_in www.pem -early_data early.txt -connect "127.0.0.1:$SERVER_PORT" \
    </dev/null >www2.out 2>www2.err || fail "s_client 0-RTT against --www exited: $(tail -n 5 www2.err)"
assert_contains www2.out "Early data was accepted"
assert_contains www2.out "HTTP/1.0 200 OK"
assert_contains www2.out "<th>request</th><td>GET /early HTTP/1.0</td>"
assert_contains www2.out "<th>resumed</th><td>yes</td>"
assert_contains www2.out "<th>early data (0-RTT)</th><td>accepted (replayable)</td>"
stop "$SERVER_PID"
ok "--www answers a request that came as early data"

# ---- c. ward client 0-RTT to openssl s_server -early_data ----
start_openssl_server srv-early -tls1_3 -early_data -cert "$PKI/ecdsa.pem" -key "$PKI/ecdsa.key"
client() { # client LOG ARGS...
    local logf=$1
    shift
    ward_client "$logf" --cafile "$PKI/ca.pem" --servername localhost "$@" "127.0.0.1:$SERVER_PORT"
}
CLIENT_IN=line.txt client c1.log --sess-out sess.bin
[ "$CLIENT_RC" -eq 0 ] || fail "ward client (full handshake) exited $CLIENT_RC: $(cat c1.log)"
assert_contains c1.log "session saved to sess.bin"
cp sess.bin sess-again.bin
CLIENT_IN=line.txt client c2.log --sess-in sess.bin --early-data early.txt
[ "$CLIENT_RC" -eq 0 ] || fail "ward client (0-RTT) exited $CLIENT_RC: $(cat c2.log)"
assert_contains c2.log "resumed: yes"
assert_contains c2.log "early data: accepted ($early_len bytes)"
wait_line "$SERVER_OUT" 'Early data received' "$SERVER_PID" 10 >/dev/null ||
    fail "s_server did not report early data: $(tail -n 20 "$SERVER_OUT")"
ok "ward client 0-RTT accepted by s_server (Early data received)"
# s_server's tickets are single-use with 0-RTT on: the same session again
# gets its early data rejected; ward sends it after the handshake.
CLIENT_IN=line.txt client c3.log --sess-in sess-again.bin --early-data early.txt
[ "$CLIENT_RC" -eq 0 ] || fail "ward client (0-RTT again) exited $CLIENT_RC: $(cat c3.log)"
assert_contains c3.log "early data: rejected; sending the $early_len bytes after the handshake"
sleep 0.5
assert_contains "$SERVER_OUT" "Early data was rejected"
# s_server writes data as it comes: once per connection each
[ "$(count "$SERVER_OUT" "GET /early HTTP/1.0")" = 2 ] ||
    fail "s_server should have the early data twice (accepted once, resent once): $(count "$SERVER_OUT" "GET /early")"
[ "$(count "$SERVER_OUT" "after the handshake")" = 3 ] || fail "s_server did not get every line"
stop "$SERVER_PID"
ok "rejected early data is sent again after the handshake (s_server got it once per connection)"

# ---- d. ward client to ward server ----
start_ward_server ward-ww --cert "$PKI/ecdsa.pem" --key "$PKI/ecdsa.key" --max-early-data 1024
CLIENT_IN=line.txt client d1.log --sess-out wsess.bin
[ "$CLIENT_RC" -eq 0 ] || fail "ward client (full handshake) exited $CLIENT_RC: $(cat d1.log)"
CLIENT_IN=line.txt CLIENT_OUT=d2.out client d2.log --sess-in wsess.bin --early-data early.txt
[ "$CLIENT_RC" -eq 0 ] || fail "ward client (0-RTT) exited $CLIENT_RC: $(cat d2.log)"
assert_contains d2.log "early data: accepted ($early_len bytes)"
assert_same both.txt d2.out "0-RTT: early data and the line, echoed"
# the same ticket again: its 0-RTT was used; resumed, data sent after
CLIENT_IN=line.txt CLIENT_OUT=d3.out client d3.log --sess-in wsess.bin --early-data early.txt
[ "$CLIENT_RC" -eq 0 ] || fail "ward client (0-RTT again) exited $CLIENT_RC: $(cat d3.log)"
assert_contains d3.log "resumed: yes"
assert_contains d3.log "early data: rejected"
assert_same both.txt d3.out "rejected 0-RTT: early data resent and the line, echoed"
sleep 0.3
[ "$(count "$SERVER_LOG" "bytes (replayable)")" = 1 ] || fail "ward server took one ticket's early data twice"
# more than the server allows: not offered at all, sent after the handshake
head -c 2000 /dev/urandom | base64 -w 0 >big.txt
CLIENT_IN=/dev/null CLIENT_OUT=d4.out client d4.log --sess-in wsess.bin --early-data big.txt
[ "$CLIENT_RC" -eq 0 ] || fail "ward client (too much early data) exited $CLIENT_RC: $(cat d4.log)"
assert_contains d4.log "early data: not offered"
assert_same big.txt d4.out "early data over the limit, sent after the handshake"
stop "$SERVER_PID"
ok "ward client to ward server: accepted once, then rejected and resent; echo intact"
# a TLS 1.2 session has no 0-RTT: the data goes after the handshake
start_ward_server ward-12 --cert "$PKI/ecdsa.pem" --key "$PKI/ecdsa.key" --max-early-data 1024
CLIENT_IN=line.txt client e1.log --tls1.2 --sess-out sess12.bin
[ "$CLIENT_RC" -eq 0 ] || fail "ward client (TLS 1.2) exited $CLIENT_RC: $(cat e1.log)"
CLIENT_IN=line.txt CLIENT_OUT=e2.out client e2.log --tls1.2 --sess-in sess12.bin --early-data early.txt
[ "$CLIENT_RC" -eq 0 ] || fail "ward client (TLS 1.2, --early-data) exited $CLIENT_RC: $(cat e2.log)"
assert_contains e2.log "ward: resumed: yes"
assert_contains e2.log "early data: not offered ($early_len bytes; the session allows 0)"
assert_same both.txt e2.out "TLS 1.2 --early-data: sent after the handshake, echoed"
stop "$SERVER_PID"
ok "TLS 1.2 session with --early-data: resumed, the data sent after the handshake"

done_all
