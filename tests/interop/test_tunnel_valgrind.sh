#!/usr/bin/env bash
# ward tunnel under valgrind's memcheck (issue #16: "valgrind memcheck over
# the relay suites"), with the flags the project's other valgrind runs use
# (tests/interop/valgrind-ward.sh): any invalid access, use of uninitialised
# memory or definite/indirect leak makes the tunnel exit 99 at the end.
# Scenario, smaller than the load test (memcheck is ~30x slower):
#  - 20 concurrent connections relayed to the echo backend, 64 KiB each way
#    each, every byte compared; then a second round of 20;
#  - a peer stalled mid-handshake, freed by --handshake-timeout 2;
#  - a peer that sends garbage instead of a ClientHello;
#  - 10 clients killed mid-transfer;
#  - SIGTERM: the tunnel drains and exits, and valgrind's verdict is its
#    exit status (0 expected; 99 on any error or leak);
#  - a second tunnel whose backend refuses, then SIGTERM, same verdict;
#  - a third with --starttls smtp before a scripted SMTP backend: a client
#    that pipelines MAIL FROM behind STARTTLS (refused), then smtplib's
#    real STARTTLS session, then SIGTERM, same verdict.
source "$(dirname "$0")/lib.sh"
source "$WARD_TESTS/tunnel_load/tunnel_lib.sh"
need valgrind python3 openssl
make_pki
PEERS="$WARD_TESTS/tunnel_load/fault_peers.py"

WARD_REAL=$WARD
WARD="$WORK/ward-vg"
cat >"$WARD" <<EOF
#!/usr/bin/env bash
exec valgrind --leak-check=full --show-leak-kinds=definite,indirect \\
    --errors-for-leak-kinds=definite,indirect --error-exitcode=99 \\
    --log-file="$WORK/valgrind-%p.txt" "$WARD_REAL" "\$@"
EOF
chmod +x "$WARD"

# valgrind's verdict on a tunnel: SIGTERM, wait, exit status 0 and no
# error in its log
vg_verdict() { # NAME
    kill -TERM "$TUNNEL_PID"
    local rc=0
    wait_exit "$TUNNEL_PID" 120 || rc=$?
    # not -q: the summary shows memcheck really ran
    if [ "$rc" -ne 0 ] || ! grep -q 'ERROR SUMMARY: 0 errors' "$WORK"/valgrind-*.txt ||
        grep -q 'definitely lost: [1-9]\|indirectly lost: [1-9]\|Invalid ' "$WORK"/valgrind-*.txt; then
        cat "$WORK"/valgrind-*.txt >&2 || true
        fail "$1: the tunnel under memcheck exited $rc (99: memcheck found errors or leaks)"
    fi
    ok "$1: memcheck clean (exit 0, $(grep -ho 'ERROR SUMMARY: [0-9]* errors' "$WORK"/valgrind-*.txt | head -n 1), $(grep -ho 'definitely lost: [0-9,]* bytes' "$WORK"/valgrind-*.txt | head -n 1 || echo 'All heap blocks were freed'))"
}

start_echo_backend backend
tunnel_server_args "$BACKEND_PORT" --handshake-timeout 2 --workers 2
start_tunnel tunnel "${TUNNEL_ARGS[@]}"
for r in 1 2; do
    load -n 20 --echo 65536 --ramp 10 --timeout 240 2>"$WORK/relay$r.log" ||
        fail "relay round $r under memcheck: $(tail -n 8 "$WORK/relay$r.log")"
    ok "relay round $r: $(tail -n 1 "$WORK/relay$r.log" | sed 's/^tunnel_load: //')"
done

out=$(python3 "$PEERS" stall "$TUNNEL_PORT" 15) || fail "stalled peer: $out"
ok "stalled peer: $out s"
out=$(python3 "$PEERS" garbage "$TUNNEL_PORT" 15) || fail "garbage peer: $out"
ok "garbage peer: $out s"

fd0=$(fd_count "$TUNNEL_PID")
load_bg /dev/null "$WORK/vanish.log" -n 10 --echo 100000000 --pace-ms 50 --ramp 10 --timeout 240
lpid=$LOAD_PID
for ((i = 0; i < 600; i++)); do
    [ "$(fd_count "$TUNNEL_PID")" -ge $((fd0 + 20)) ] && break
    sleep 0.05
done
sleep 1
kill -KILL "$lpid"
wait "$lpid" 2>/dev/null || true
n=$(wait_fds "$TUNNEL_PID" "$fd0" 60) || fail "after the clients vanished the tunnel has $n fds, baseline $fd0"
ok "10 clients killed mid-transfer: tunnel fds back to $fd0"
vg_verdict "relay, stall, garbage, vanish"

DEAD_PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
rm -f "$WORK"/valgrind-*.txt
tunnel_server_args "$DEAD_PORT"
start_tunnel refused "${TUNNEL_ARGS[@]}"
rc=0
load -n 3 --echo 1000 --timeout 60 2>"$WORK/refused.log" || rc=$?
[ "$rc" -ne 0 ] || fail "the load client succeeded with no backend"
ok "backend refuses: the clients are closed"
vg_verdict "backend refused"

REC="$WORK/smtp-rec"
mkdir -p "$REC"
python3 "$PEERS" smtp-backend "$REC" >"$WORK/smtp-backend.port" 2>"$WORK/smtp-backend.log" &
PIDS+=("$!")
wait_size "$WORK/smtp-backend.port" 2 10 || fail "the scripted SMTP backend did not start"
sleep 0.2
rm -f "$WORK"/valgrind-*.txt
tunnel_server_args "$(head -n 1 "$WORK/smtp-backend.port")" --starttls smtp
start_tunnel smtp "${TUNNEL_ARGS[@]}"
timeout 60 python3 "$PEERS" smtp-pipelined "$TUNNEL_PORT" >"$WORK/pipelined.out" 2>&1 ||
    fail "pipelined client: $(tail -n 5 "$WORK/pipelined.out")"
assert_contains "$TUNNEL_LOG" "end=injection"
ok "STARTTLS with pipelined plaintext refused under memcheck"
timeout 60 python3 "$PEERS" smtp-good "$TUNNEL_PORT" "$PKI/ca.pem" >"$WORK/good.out" 2>&1 ||
    fail "smtplib STARTTLS through the tunnel: $(tail -n 5 "$WORK/good.out")"
ok "smtplib's STARTTLS session relayed under memcheck"
vg_verdict "STARTTLS smtp"
done_all
