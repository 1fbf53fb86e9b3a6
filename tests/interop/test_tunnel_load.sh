#!/usr/bin/env bash
# ward tunnel under load (issue #16, "Load"): 1,000 concurrent TLS
# connections through one server-mode tunnel to a plain echo backend, 64 KiB
# each way each, every byte compared by the load client
# (tests/tunnel_load/tunnel_load.c: all 1,000 are established before any
# sends, so they are all live at once). Afterwards the tunnel's open fds are
# exactly what they were before the load, and its memory does not grow from
# one 1,000-connection round to the next.
#
# The memory bound, and why: the tunnel's RSS is taken after a warm-up
# round of 50 connections (base), after a first round of 1,000 (r1) and
# after a second round of 1,000 (r2).
#  - r2 - r1 <= 1,024 KB: the second round starts from the allocator state
#    the first left, so anything kept per connection (a leaked engine, a
#    buffer, a ticket) grows RSS by at least 1,000 x its size; 1 KB a
#    connection is far below any real per-connection allocation (a TLS
#    record buffer alone is 16 KB), and above page-granularity noise.
#  - r1 - base <= 4 MB (4 KB per connection of the peak, whose RSS is
#    about 10 MB above base): the tunnel gives freed heap back to the system
#    when a worker goes idle (malloc_trim), so RSS comes back near base;
#    glibc may still keep some pages of its per-thread arenas, hence not 0.
# The heap itself is checked for leaks by test_tunnel_valgrind.sh. In an
# AddressSanitizer build (build-asan) RSS says nothing (freed memory waits
# in ASan's quarantine), so there the two bounds are replaced, and said so,
# by LeakSanitizer: it checks the heap when the tunnel exits, and a leak
# makes the exit status non-zero, which the last check catches.
source "$(dirname "$0")/lib.sh"
source "$WARD_TESTS/tunnel_load/tunnel_lib.sh"
need openssl
make_pki

N=${TUNNEL_LOAD_N:-1000}
BYTES=65536

start_echo_backend backend
tunnel_server_args "$BACKEND_PORT"
start_tunnel tunnel "${TUNNEL_ARGS[@]}"
log "tunnel pid $TUNNEL_PID on port $TUNNEL_PORT, backend on $BACKEND_PORT"

# warm-up: threads, arenas, ticket keys exist before the baseline is taken
load -n 50 --echo "$BYTES" --timeout 60 2>"$WORK/warmup.log" ||
    fail "warm-up round failed: $(tail -n 5 "$WORK/warmup.log")"
wait_count "$TUNNEL_LOG" ' end=' 50 10 || fail "50 log lines after the warm-up, got $(end_lines)"
# settle: each worker gives its heap back at its first once-a-second tick
# with no connection (malloc_trim, tunnel_loop.c), so RSS is read 2.5 s
# after the last connection closed: two ticks of every worker
settled_rss() {
    sleep 2.5
    rss_kb "$TUNNEL_PID"
}

rss0=$(settled_rss)
fd0=$(fd_count "$TUNNEL_PID")
bfd0=$(fd_count "$BACKEND_PID")
log "baseline: $fd0 fds, VmRSS $rss0 kB (backend $bfd0 fds)"

round() { # NAME: one round of N connections, checked
    local name=$1 t0 t1
    t0=$(date +%s.%N)
    load -n "$N" --echo "$BYTES" --ramp 100 --timeout 150 2>"$WORK/$name.log" ||
        fail "$name: the load client failed: $(tail -n 12 "$WORK/$name.log")"
    t1=$(date +%s.%N)
    assert_contains "$WORK/$name.log" "$N of $N connections ok, 0 failed"
    ok "$name: $N concurrent connections, $BYTES bytes each way each, every byte compared ($(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }') s)"
}

round round1
peak=$(hwm_kb "$TUNNEL_PID")
wait_count "$TUNNEL_LOG" ' end=' $((50 + N)) 15 ||
    fail "one log line per connection: $((50 + N)) expected, $(end_lines) found"
ok "one log line per ended connection ($(end_lines))"
bad=$(grep ' end=' "$TUNNEL_LOG" | grep -vc ' end=closed$' || true)
[ "$bad" -eq 0 ] || fail "$bad connections did not end cleanly: $(grep ' end=' "$TUNNEL_LOG" | grep -v ' end=closed$' | head -n 3)"
ok "every connection ended with end=closed (close_notify and the backend's close)"
n=$(wait_fds "$TUNNEL_PID" "$fd0" 15) || fail "tunnel fds after the load: $n, before: $fd0"
ok "tunnel fds back to $fd0 after $N connections"
n=$(wait_fds "$BACKEND_PID" "$bfd0" 15) || fail "backend fds after the load: $n, before: $bfd0"
ok "every backend connection closed too (backend fds back to $bfd0)"
rss1=$(settled_rss)

round round2
wait_count "$TUNNEL_LOG" ' end=' $((50 + 2 * N)) 15 ||
    fail "one log line per connection: $((50 + 2 * N)) expected, $(end_lines) found"
n=$(wait_fds "$TUNNEL_PID" "$fd0" 15) || fail "tunnel fds after round 2: $n, before: $fd0"
ok "tunnel fds back to $fd0 after the second round"
rss2=$(settled_rss)
log "VmRSS: base $rss0 kB, peak $peak kB, after round 1 $rss1 kB, after round 2 $rss2 kB"
if grep -qa __asan_init "$WARD"; then
    log "AddressSanitizer build: no RSS bounds (quarantine); LeakSanitizer judges the heap at exit"
else
    [ $((rss2 - rss1)) -le 1024 ] ||
        fail "RSS grew by $((rss2 - rss1)) kB from round 1 to round 2 (bound 1024 kB): a per-connection leak"
    ok "RSS round 1 -> round 2: $((rss2 - rss1)) kB (bound 1024 kB, 1 KB per connection)"
    [ $((rss1 - rss0)) -le 4096 ] ||
        fail "RSS after the load is $((rss1 - rss0)) kB above the baseline (bound 4096 kB)"
    ok "RSS after the load: $((rss1 - rss0)) kB from the baseline (bound +4096 kB; peak was $((peak - rss0)) kB above)"
fi

kill -TERM "$TUNNEL_PID"
rc=0
wait_exit "$TUNNEL_PID" 20 || rc=$?
[ "$rc" -eq 0 ] || fail "the tunnel exited $rc on SIGTERM (in an ASan build: LeakSanitizer found a leak?)"
ok "the tunnel exits 0 on SIGTERM"
done_all
