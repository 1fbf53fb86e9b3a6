#!/usr/bin/env bash
# `ward server` against floods, and --www in one record:
#   - beyond --max-per-source, connections from 127.0.0.1 are closed at once
#     (a log line each) and make no child; likewise beyond --max-children;
#   - a client dribbling its ClientHello one byte a second is cut at the
#     --handshake-timeout deadline (absolute: the bytes do not extend it);
#   - a --www request dribbled a byte at a time is cut at --request-timeout;
#   - the --www answer (header and body) comes in one TLS record: a single
#     SSL_read (Python's recv) after the request gets all of it, TLS 1.3 and
#     1.2, as with `openssl s_server -www`.
. "$(dirname "$0")/lib.sh"
need python3
make_pki
cd "$WORK"

cat >flood.py <<'EOF'
# flood.py PORT SERVER_PID N: open N connections (one byte each, the start
# of a TLS record) and hold them; print how many the server closed at once
# and how many children it has meanwhile (from /proc).
import os, socket, sys, time
port, server, n = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
socks = []
for _ in range(n):
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    s.sendall(b"\x16")
    socks.append(s)
    time.sleep(0.05)
time.sleep(1.0)
closed = 0
for s in socks:
    s.settimeout(0.2)
    try:
        if s.recv(16) == b"":
            closed += 1
    except socket.timeout:
        pass
    except OSError:
        closed += 1
children = 0
for pid in os.listdir("/proc"):
    if pid.isdigit():
        try:
            with open("/proc/%s/stat" % pid) as f:
                stat = f.read()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == server:
            children += 1
print("closed=%d children=%d" % (closed, children))
EOF

cat >dribble.py <<'EOF'
# dribble.py PORT: send the start of a TLS handshake record one byte a
# second (a 512-byte ClientHello announced, never finished) for up to 15 s;
# print after how many whole seconds the server closed the connection.
import socket, sys, time
port = int(sys.argv[1])
s = socket.create_connection(("127.0.0.1", port), timeout=5)
start = time.monotonic()
data = b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + b"\x00" * 32
for b in data:
    try:
        s.sendall(bytes([b]))
        s.settimeout(1.0)
        if s.recv(16) == b"":
            break
    except socket.timeout:
        pass
    except OSError:
        break
    if time.monotonic() - start > 15:
        print("still open after 15 s")
        sys.exit(0)
print("closed after %d s" % int(time.monotonic() - start))
EOF

cat >www.py <<'EOF'
# www.py PORT CA MODE [VERSION]: TLS to the ward server (verified against CA).
#   one:     send a whole GET; ONE recv (one record); print what came.
#   dribble: send a request line, then one header byte every 0.5 s; print
#            after how many whole seconds the server closed, and what came.
import socket, ssl, sys, time
port, ca, mode = int(sys.argv[1]), sys.argv[2], sys.argv[3]
ctx = ssl.create_default_context(cafile=ca)
if len(sys.argv) > 4 and sys.argv[4] == "1.2":
    ctx.maximum_version = ssl.TLSVersion.TLSv1_2
raw = socket.create_connection(("127.0.0.1", port), timeout=10)
s = ctx.wrap_socket(raw, server_hostname="localhost")
if mode == "one":
    s.sendall(b"GET / HTTP/1.0\r\nHost: localhost\r\n\r\n")
    sys.stdout.buffer.write(s.recv(16384))
    sys.exit(0)
s.sendall(b"GET / HTTP/1.0\r\n")
start, got = time.monotonic(), b""
s.settimeout(0.5)
while time.monotonic() - start < 15:
    try:
        s.sendall(b"X")
        d = s.recv(16384)
        if d == b"":
            break
        got += d
    except socket.timeout:
        pass
    except (OSError, ssl.SSLError):
        break
print("closed after %d s, %d bytes back" % (int(time.monotonic() - start), len(got)))
EOF

CERT=(--cert "$PKI/ecdsa-chain.pem" --key "$PKI/ecdsa.key")

# ---- 1. per-source cap ----
start_ward_server per-source "${CERT[@]}" --max-per-source 4 --max-children 100 \
    --handshake-timeout 30
res=$(timeout 60 python3 flood.py "$SERVER_PORT" "$SERVER_PID" 10)
[ "$res" = "closed=6 children=4" ] ||
    fail "10 connections with --max-per-source 4: expected 6 closed at once and 4 children, got '$res'"
[ "$(count "$SERVER_LOG" "refused: 4 connections from 127.0.0.1 already open (--max-per-source 4)")" -eq 6 ] ||
    fail "ward server did not log 6 refusals: $(cat "$SERVER_LOG")"
stop "$SERVER_PID"
ok "--max-per-source 4: 6 of 10 connections from 127.0.0.1 closed at once, 4 children"

# ---- 2. global cap ----
start_ward_server children "${CERT[@]}" --max-children 3 --handshake-timeout 30
res=$(timeout 60 python3 flood.py "$SERVER_PORT" "$SERVER_PID" 5)
[ "$res" = "closed=2 children=3" ] ||
    fail "5 connections with --max-children 3: expected 2 closed at once and 3 children, got '$res'"
[ "$(count "$SERVER_LOG" "refused: 3 connections already open (--max-children 3)")" -eq 2 ] ||
    fail "ward server did not log 2 refusals: $(cat "$SERVER_LOG")"
stop "$SERVER_PID"
ok "--max-children 3: 2 of 5 connections closed at once, 3 children"

# ---- 3. a ClientHello a byte a second: cut at the handshake deadline ----
start_ward_server slow-hs "${CERT[@]}" --handshake-timeout 2 --max-connections 1
res=$(timeout 60 python3 dribble.py "$SERVER_PORT")
case "$res" in
"closed after 2 s" | "closed after 3 s") ;;
*) fail "a ClientHello dribbled a byte a second with --handshake-timeout 2: '$res'" ;;
esac
wait_exit "$SERVER_PID" 10 && fail "ward server reported success for a timed-out handshake"
assert_contains "$SERVER_LOG" "handshake failed: not complete within 2 seconds (--handshake-timeout), closing"
ok "a ClientHello a byte a second is cut at --handshake-timeout 2 ($res)"

# ---- 4. a --www request a byte at a time: cut at the request deadline ----
start_ward_server slow-req "${CERT[@]}" --www --request-timeout 2 --max-connections 1
res=$(timeout 60 python3 www.py "$SERVER_PORT" "$PKI/ca.pem" dribble)
case "$res" in
"closed after 2 s, 0 bytes back" | "closed after 3 s, 0 bytes back") ;;
*) fail "a --www request dribbled a byte every 0.5 s with --request-timeout 2: '$res'" ;;
esac
wait_exit "$SERVER_PID" 10 && fail "ward server reported success for a timed-out request"
assert_contains "$SERVER_LOG" "error: no complete request within 2 seconds (--request-timeout), closing"
ok "a --www request a byte at a time is cut at --request-timeout 2 ($res)"

# ---- 5. --www: the whole answer in one record ----
start_ward_server www "${CERT[@]}" --www --max-connections 2
for v in 1.3 1.2; do
    timeout 30 python3 www.py "$SERVER_PORT" "$PKI/ca.pem" one "$v" >"one-$v.http" ||
        fail "python TLS $v client against ward --www failed"
    assert_contains "one-$v.http" "HTTP/1.0 200 OK" "one record (TLS $v)"
    assert_contains "one-$v.http" "</body></html>" "one record (TLS $v)"
    want=$(sed -n 's/^Content-Length: \([0-9]*\)\r$/\1/p' "one-$v.http")
    body=$(($(stat -c %s "one-$v.http") - $(grep -b -m1 -a $'^\r$' "one-$v.http" | cut -d: -f1) - 2))
    [ -n "$want" ] && [ "$body" -eq "$want" ] ||
        fail "TLS $v: one record held $body body bytes, Content-Length says '$want'"
    assert_contains "one-$v.http" "<th>protocol</th><td>TLS $v</td>" "one record (TLS $v)"
done
wait_exit "$SERVER_PID" 20 || fail "ward server --www did not end cleanly: $(cat "$SERVER_LOG")"
ok "--www: header and body in one record (one recv), TLS 1.3 and 1.2"

done_all
