#!/usr/bin/env bash
# Issue #18, the external session cache: two swap_server processes
# (tests/embed/swap_server.c --store DIR --tls12, tickets off) share a
# directory of sessions keyed by hex session ID (ward_config_set_session_store).
# openssl s_client -tls1_2 -sess_out against the first, -sess_in against the
# second: "Reused", and the second server says its store lookup hit. A
# garbled entry is refused (full handshake) and removed by ward.
source "$(dirname "$0")/lib.sh"
: "${SWAP_SERVER:?set SWAP_SERVER to the swap_server test helper}"
need openssl
[ -x "$SWAP_SERVER" ] || fail "swap_server not found at '$SWAP_SERVER'"

cd "$WORK"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
    -subj "/CN=localhost" -keyout srv.key -out srv.crt 2>/dev/null || fail "openssl req"
mkdir store

start() { # NAME
    "$SWAP_SERVER" "$1.port" srv.crt srv.key --store store --tls12 >"$1.out" 2>"$1.log" &
    PIDS+=("$!")
    eval "${1}_PID=$!"
    local i
    for ((i = 0; i < 100; i++)); do [ -s "$1.port" ] && break; sleep 0.05; done
    [ -s "$1.port" ] || fail "swap_server $1 wrote no port: $(cat "$1.log")"
}
start one
start two

sc() { # NAME SERVER [options]
    local name=$1 port
    port=$(cat "$2.port")
    shift 2
    # stdin open a second after the line: time for the echo to come back
    { echo "hello-$name"; sleep 1; } | timeout 20 openssl s_client -connect "127.0.0.1:$port" \
        -tls1_2 -no_ticket -servername localhost "$@" >"$name.out" 2>"$name.log" || true
    assert_contains "$name.out" "hello-$name" "$name (echo)"
}

sc first one -sess_out sess.pem
assert_contains first.out "New, " "the first connection"
[ "$(ls store | wc -l)" = 1 ] || fail "the store should hold one session: $(ls store)"
id=$(ls store)
[ "${#id}" = 64 ] || fail "the store's file should be named by a 32-byte hex ID: $id"
[ "$(stat -c %a "store/$id")" = 600 ] || fail "the session file should be private"
grep -qi "Session-ID: $id" first.out || fail "the file is not named by the session ID s_client got"
ok "a full TLS 1.2 handshake with server one put its session in the shared store"

sc second two -sess_in sess.pem
assert_contains second.out "Reused, TLSv1.2" "the second connection"
assert_contains two.out "store lookup hit" "server two's output"
ok "server two resumed server one's session from the store (s_client: Reused)"

# Garble the entry: a full handshake, and the entry is gone.
printf 'garbage' >"store/$id"
sc third two -sess_in sess.pem
assert_contains third.out "New, " "the third connection"
assert_not_contains third.out "Reused" "the third connection"
[ ! -e "store/$id" ] || fail "ward should have removed the garbled entry"
ok "a garbled store entry is refused (full handshake) and removed"

for n in one two; do
    eval "pid=\$${n}_PID"
    kill -TERM "$pid"
    rc=0
    wait "$pid" || rc=$?
    [ "$rc" = 0 ] || fail "swap_server $n exited $rc: $(tail -n 20 "$n.log")"
    assert_not_contains "$n.log" "ERROR: " "server $n's stderr (sanitizer reports)"
done
ok "both servers exited cleanly"
done_all
