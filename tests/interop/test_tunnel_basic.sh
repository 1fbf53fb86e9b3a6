#!/usr/bin/env bash
# ward tunnel, the basics, fast (< 20 s):
# - server mode: `ward client` → ward tunnel --tls-accept → a plaintext echo
#   backend (python3): 300 KB each way, bytes compared; the log line says
#   TLS 1.3, the SNI, the byte counts and end=closed;
# - client mode: a plaintext python3 client → ward tunnel --tls-connect
#   (--cafile, --servername) → `ward server` (echo): bytes compared;
# - faults: garbage instead of a ClientHello (handshake-failed), a peer that
#   stalls mid-handshake (timeout-handshake), a backend that refuses
#   (backend-refused), the connection limit (limit); SIGTERM exits 0.
. "$(dirname "$0")/lib.sh"
need python3
make_pki
cd "$WORK"

# A plaintext echo backend; prints its port, half-closes after the peer's EOF.
cat >echo.py <<'PY'
import socket, threading
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(64)
print(s.getsockname()[1], flush=True)
def serve(c):
    while True:
        d = c.recv(65536)
        if not d:
            break
        c.sendall(d)
    c.shutdown(socket.SHUT_WR)
    c.close()
while True:
    c, _ = s.accept()
    threading.Thread(target=serve, args=(c,), daemon=True).start()
PY
python3 echo.py >echo.port 2>echo.log &
PIDS+=($!)
wait_size echo.port 2 10 || fail "the echo backend did not start"
ECHO_PORT=$(head -n 1 echo.port)

# start_tunnel NAME ARGS...: sets TUN_PID, TUN_PORT, TUN_LOG.
start_tunnel() {
    TUN_LOG="$WORK/$1.log"
    shift
    "$WARD" tunnel "$@" 2>"$TUN_LOG" </dev/null &
    TUN_PID=$!
    PIDS+=("$TUN_PID")
    local line
    line=$(wait_line "$TUN_LOG" '^ward: tunnel .* listening on ' "$TUN_PID" 10) ||
        fail "ward tunnel $* did not start: $(tail -n 5 "$TUN_LOG")"
    TUN_PORT=${line##*:}
}

# ---- server mode ----
start_tunnel server --accept 127.0.0.1:0 --connect "127.0.0.1:$ECHO_PORT" --tls-accept \
    --cert "$PKI/ecdsa-chain.pem" --key "$PKI/ecdsa.key" --handshake-timeout 1 --workers 2
make_random in.bin 300000
timeout 10 "$WARD" client "127.0.0.1:$TUN_PORT" --cafile "$PKI/ca.pem" --servername localhost -q <in.bin >out.bin 2>client.log ||
    fail "ward client through the tunnel: $(tail -n 3 client.log)"
assert_same in.bin out.bin "server mode, ward client → tunnel → echo"
ok "server mode: 300000 bytes each way through the tunnel"
line=$(wait_line "$TUN_LOG" ' end=' "$TUN_PID" 5) || fail "no log line for the connection"
for want in "sni=localhost" "version=1.3" "in=300000" "out=300000" "end=closed"; do
    case $line in *"$want"*) ;; *) fail "log line lacks '$want': $line" ;; esac
done
ok "logged: ${line#ward: }"

# garbage instead of a ClientHello: an alert and a close, logged
python3 - "$TUN_PORT" >garbage.out <<'PY'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5)
s.sendall(b"GET / HTTP/1.0\r\n\r\n")
got = b""
while True:
    d = s.recv(4096)
    if not d:
        break
    got += d
print("alert" if got[:1] == b"\x15" else "no alert", len(got))
PY
assert_contains garbage.out "alert" "the garbage peer's answer"
wait_line "$TUN_LOG" 'end=handshake-failed' "$TUN_PID" 5 >/dev/null ||
    fail "no handshake-failed line: $(tail -n 2 "$TUN_LOG")"
ok "garbage instead of a ClientHello: alert, close, end=handshake-failed"

# a peer that stalls after connecting: the 1 s handshake timeout frees it
python3 - "$TUN_PORT" >stall.out <<'PY'
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=6)
t = time.time()
print("closed" if s.recv(10) == b"" else "data", round(time.time() - t))
PY
assert_contains stall.out "closed" "the stalled peer"
wait_line "$TUN_LOG" 'end=timeout-handshake' "$TUN_PID" 5 >/dev/null ||
    fail "no timeout-handshake line: $(tail -n 2 "$TUN_LOG")"
ok "a stalled handshake is closed by the timeout ($(cat stall.out))"
kill -TERM "$TUN_PID"
wait_exit "$TUN_PID" 10 || fail "the tunnel did not exit 0 after SIGTERM"
ok "SIGTERM: exit 0"

# ---- a backend that refuses; the connection limit ----
python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' >dead.port
start_tunnel refused --accept 127.0.0.1:0 --connect "127.0.0.1:$(cat dead.port)" --tls-accept \
    --cert "$PKI/ecdsa-chain.pem" --key "$PKI/ecdsa.key"
timeout 10 "$WARD" client "127.0.0.1:$TUN_PORT" --cafile "$PKI/ca.pem" -q </dev/null >/dev/null 2>refused.log || true
wait_line "$TUN_LOG" 'end=backend-refused' "$TUN_PID" 5 >/dev/null ||
    fail "no backend-refused line: $(tail -n 2 "$TUN_LOG")"
ok "a refusing backend: the client is closed, end=backend-refused"
stop "$TUN_PID"

# ---- client mode ----
start_ward_server echo-server --cert "$PKI/ecdsa-chain.pem" --key "$PKI/ecdsa.key"
start_tunnel client --accept 127.0.0.1:0 --connect "127.0.0.1:$SERVER_PORT" --tls-connect \
    --cafile "$PKI/ca.pem" --servername localhost
python3 - "$TUN_PORT" in.bin >plain.out <<'PY'
import socket, sys, threading
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=10)
data = open(sys.argv[2], "rb").read()
got = bytearray()
def reader():
    while True:
        d = s.recv(65536)
        if not d:
            break
        got.extend(d)
t = threading.Thread(target=reader)
t.start()
s.sendall(data)
s.shutdown(socket.SHUT_WR)
t.join()
print("same" if bytes(got) == data else "differs %d/%d" % (len(got), len(data)))
PY
assert_contains plain.out "same" "client mode, plaintext client → tunnel → ward server"
line=$(wait_line "$TUN_LOG" ' end=' "$TUN_PID" 5) || fail "no log line in client mode"
for want in "sni=localhost" "version=1.3" "in=300000" "out=300000" "end=closed"; do
    case $line in *"$want"*) ;; *) fail "client-mode log line lacks '$want': $line" ;; esac
done
ok "client mode: 300000 bytes each way, the server verified (${line#ward: })"
stop "$TUN_PID"

# client mode against the wrong name: the handshake fails, the client is closed
start_tunnel wrong --accept 127.0.0.1:0 --connect "127.0.0.1:$SERVER_PORT" --tls-connect \
    --cafile "$PKI/ca.pem" --servername wrong.example
python3 - "$TUN_PORT" >wrong.out <<'PY'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5)
s.sendall(b"hello\n")
try:
    print("closed" if s.recv(10) == b"" else "data")
except ConnectionResetError:
    print("closed (reset: our hello was never read)")
PY
assert_contains wrong.out "closed"
wait_line "$TUN_LOG" 'end=handshake-failed' "$TUN_PID" 5 >/dev/null ||
    fail "no handshake-failed line for the wrong name: $(tail -n 2 "$TUN_LOG")"
ok "client mode verifies the name: $(grep -o 'end=.*' "$TUN_LOG" | head -n 1)"
stop "$TUN_PID"
# ---- --config, --check and SIGHUP ----
svc_conf() { # NAME: a server-mode service on any port in front of the echo backend
    printf '[%s]\naccept = 127.0.0.1:0\nconnect = 127.0.0.1:%s\nmode = tls-accept\ncert = %s\nkey = %s\n' \
        "$1" "$ECHO_PORT" "$PKI/ecdsa-chain.pem" "$PKI/ecdsa.key"
}
svc_conf one >t.conf
"$WARD" tunnel --config t.conf --check 2>check.log || fail "--check: $(cat check.log)"
assert_contains check.log "t.conf: ok (1 service)"
printf '[bad]\naccept = 127.0.0.1:0\nconnect = nowhere\n' >bad.conf
rc=0
"$WARD" tunnel --config bad.conf 2>bad.log || rc=$?
[ "$rc" -eq 1 ] || fail "a bad configuration exits $rc, not 1"
assert_contains bad.log "bad.conf:"
ok "--check says ok; a bad file: exit 1, $(head -n 1 bad.log)"
start_tunnel reload --config t.conf --workers 2
PORT1=$TUN_PORT
echo_once() { # PORT: one round trip through the tunnel (python3's ssl)
    timeout 10 python3 - "$1" "$PKI/ca.pem" <<'PY' 2>/dev/null
import socket, ssl, sys
ctx = ssl.create_default_context(cafile=sys.argv[2])
s = ctx.wrap_socket(socket.create_connection(("127.0.0.1", int(sys.argv[1]))),
                    server_hostname="localhost")
s.sendall(b"ping %s\n" % sys.argv[1].encode())
print(s.recv(100).decode(), end="")
PY
}
svc_conf two >>t.conf
kill -HUP "$TUN_PID"
line=$(wait_line "$TUN_LOG" '^ward: tunnel two listening on ' "$TUN_PID" 5) ||
    fail "SIGHUP did not add the second service: $(tail -n 3 "$TUN_LOG")"
PORT2=${line##*:}
[ "$(echo_once "$PORT2")" = "ping $PORT2" ] || fail "the new service does not relay"
[ "$(echo_once "$PORT1")" = "ping $PORT1" ] || fail "the kept service does not relay after SIGHUP"
echo 'not an ini line' >>t.conf
kill -HUP "$TUN_PID"
wait_line "$TUN_LOG" 'reload failed' "$TUN_PID" 5 >/dev/null || fail "a bad reload was not reported"
assert_contains "$TUN_LOG" "t.conf:13"
[ "$(echo_once "$PORT1")" = "ping $PORT1" ] || fail "a bad reload broke the running tunnel"
ok "SIGHUP adds a service, keeps the old listener; a bad file is reported and the old one stays"
kill -TERM "$TUN_PID"
wait_exit "$TUN_PID" 10 || fail "the reloaded tunnel did not exit 0 after SIGTERM"
done_all
