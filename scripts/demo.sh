#!/usr/bin/env bash
# demo.sh: install what is missing, build, start `ward server` on 127.0.0.1
# with an ephemeral certificate, connect `ward client` to it with the pin
# the server printed, send a line, show what was negotiated and the echo.
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/install-deps.sh build
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build --target ward -j "$(nproc)" >/dev/null
WARD=$PWD/build/ward

work=$(mktemp -d)
server_pid=
cleanup() {
    [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT

echo "== ward server --listen 127.0.0.1:0 (ephemeral certificate)"
"$WARD" server --listen 127.0.0.1:0 2>"$work/server.log" </dev/null &
server_pid=$!
for _ in $(seq 100); do
    grep -q 'listening on' "$work/server.log" && break
    kill -0 "$server_pid" 2>/dev/null || { cat "$work/server.log"; exit 1; }
    sleep 0.1
done
cat "$work/server.log"
port=$(sed -n 's/^ward: listening on 127\.0\.0\.1:\([0-9]*\)$/\1/p' "$work/server.log")
pin=$(sed -n 's/^ward: ephemeral certificate for .*, pin \(sha256:[0-9a-f]*\)$/\1/p' "$work/server.log")
[ -n "$port" ] && [ -n "$pin" ] || { echo "demo: no port or pin from the server" >&2; exit 1; }

echo
echo "== echo 'hello, ward' | ward client --pin $pin 127.0.0.1:$port"
echo "hello, ward" | timeout 30 "$WARD" client --pin "$pin" "127.0.0.1:$port" 2>&1
echo
echo "== the server's log"
sleep 0.2
tail -n +3 "$work/server.log"
echo
echo "demo: done"
