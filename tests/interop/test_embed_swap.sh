#!/usr/bin/env bash
# Issue #18, "a certificate swapped under live connections": swap_server
# (tests/embed/swap_server.c) echoes on one poll loop; on SIGHUP it loads a
# new certificate into a NEW configuration and drops its reference to the
# old one. openssl s_client connections made before the swap (TLS 1.3 and
# 1.2) still echo after it and saw the old certificate; a new one sees the
# new certificate. On SIGTERM the server frees everything and must exit 0
# (in the ASan build, LeakSanitizer fails it on a leak, ASan on a
# use-after-free of the old configuration).
source "$(dirname "$0")/lib.sh"
: "${SWAP_SERVER:?set SWAP_SERVER to the swap_server test helper}"
need openssl
[ -x "$SWAP_SERVER" ] || fail "swap_server not found at '$SWAP_SERVER'"

cd "$WORK"
mkcert() { # NAME CN
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
        -subj "/CN=$2" -addext "subjectAltName=DNS:localhost" \
        -keyout "$1.key" -out "$1.crt" 2>/dev/null || fail "openssl req $1"
}
mkcert old old-cert
mkcert new new-cert
cp old.crt live.crt
cp old.key live.key

"$SWAP_SERVER" port live.crt live.key >server.out 2>server.log &
SERVER=$!
PIDS+=("$SERVER")
for ((i = 0; i < 100; i++)); do [ -s port ] && break; sleep 0.05; done
[ -s port ] || fail "swap_server wrote no port: $(cat server.log)"
PORT=$(cat port)

# wait_for FILE TEXT: within 10 s.
wait_for() {
    local i
    for ((i = 0; i < 200; i++)); do
        grep -qF -- "$2" "$1" 2>/dev/null && return 0
        sleep 0.05
    done
    echo "--- $1:" >&2
    tail -n 30 "$1" >&2 || true
    fail "'$2' did not appear in $1"
}

# client NAME [s_client options]: a long-lived s_client fed from a fifo
# (fd kept open in this shell), output in NAME.out.
declare -A FD
client() {
    local name=$1 fd
    shift
    mkfifo "$name.in"
    openssl s_client -connect "127.0.0.1:$PORT" -servername localhost -nocommands \
        "$@" <"$name.in" >"$name.out" 2>"$name.log" &
    PIDS+=("$!")
    exec {fd}>"$name.in"
    FD[$name]=$fd
    wait_for "$name.out" "Verification"  # the handshake is over
}
say() { printf '%s\n' "$2" >&"${FD[$1]}"; }

client a13 -tls1_3
client a12 -tls1_2
say a13 "ping-a13-before"
say a12 "ping-a12-before"
wait_for a13.out "ping-a13-before"
wait_for a12.out "ping-a12-before"
grep -q '^subject=.*old-cert' a13.out || fail "a13 did not see the old certificate"
grep -q '^subject=.*old-cert' a12.out || fail "a12 did not see the old certificate"
ok "two connections (TLS 1.3, 1.2) echo, with the old certificate"

cp new.crt live.crt
cp new.key live.key
kill -HUP "$SERVER"
wait_for server.out "swapped"

say a13 "ping-a13-after"
say a12 "ping-a12-after"
wait_for a13.out "ping-a13-after"
wait_for a12.out "ping-a12-after"
ok "both connections made before the swap still echo after it"

client b13 -tls1_3
say b13 "ping-b13"
wait_for b13.out "ping-b13"
grep -q '^subject=.*new-cert' b13.out || fail "b13 did not see the new certificate"
assert_not_contains b13.out "old-cert" "b13's output"
ok "a connection made after the swap sees the new certificate and echoes"

# A second swap while a13/a12 (first configuration) and b13 (second) live:
# the second configuration now also lives only in its connection.
kill -HUP "$SERVER"
wait_for server.out "swapped"
[ "$(grep -c swapped server.out)" = 2 ] || fail "two swaps expected"
say b13 "ping-b13-again"
say a13 "ping-a13-again"
wait_for b13.out "ping-b13-again"
wait_for a13.out "ping-a13-again"
ok "connections of two replaced configurations still echo after a second swap"

for n in a13 a12 b13; do exec {FD[$n]}>&-; done
sleep 0.3
kill -TERM "$SERVER"
rc=0
wait "$SERVER" || rc=$?
[ "$rc" = 0 ] || fail "swap_server exited $rc: $(tail -n 20 server.log)"
assert_not_contains server.log "ERROR: " "swap_server's stderr (sanitizer reports)"
ok "swap_server freed every connection and configuration and exited 0"
done_all
