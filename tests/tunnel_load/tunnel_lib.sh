# shellcheck shell=bash
# Helpers for the tunnel's load, fault and valgrind tests
# (tests/interop/test_tunnel_*.sh), sourced after tests/interop/lib.sh.
#
# Environment (set by ctest): TUNNEL_LOAD = the load client
# (tests/tunnel_load/tunnel_load.c), ECHO_BACKEND = the plain echo backend.

: "${TUNNEL_LOAD:?set TUNNEL_LOAD to the tunnel_load binary}"
: "${ECHO_BACKEND:?set ECHO_BACKEND to the echo_backend binary}"
[ -x "$TUNNEL_LOAD" ] || fail "tunnel_load not found at '$TUNNEL_LOAD'"
[ -x "$ECHO_BACKEND" ] || fail "echo_backend not found at '$ECHO_BACKEND'"

# Every process started from here may open as many files as the hard limit
# allows: 1,000 relayed connections are 2,000 descriptors in the tunnel.
ulimit -n "$(ulimit -Hn)"

# start_echo_backend NAME: sets BACKEND_PID, BACKEND_PORT, BACKEND_LOG.
start_echo_backend() {
    BACKEND_LOG="$WORK/$1.log"
    "$ECHO_BACKEND" 2>"$BACKEND_LOG" </dev/null &
    BACKEND_PID=$!
    PIDS+=("$BACKEND_PID")
    local line
    line=$(wait_line "$BACKEND_LOG" 'echo_backend listening on ' "$BACKEND_PID" 10) ||
        fail "echo_backend did not start: $(tail -n 3 "$BACKEND_LOG")"
    BACKEND_PORT=${line##*:}
}

# start_tunnel NAME ARGS...: `ward tunnel ARGS` with stderr in NAME.log;
# waits for its first "listening on" line. Sets TUNNEL_PID, TUNNEL_PORT
# (the first listener's), TUNNEL_LOG.
start_tunnel() {
    TUNNEL_LOG="$WORK/$1.log"
    shift
    : >"$TUNNEL_LOG"
    "$WARD" tunnel "$@" 2>"$TUNNEL_LOG" >/dev/null </dev/null &
    TUNNEL_PID=$!
    PIDS+=("$TUNNEL_PID")
    local line
    line=$(wait_line "$TUNNEL_LOG" 'ward: tunnel .* listening on ' "$TUNNEL_PID" 60) ||
        fail "ward tunnel ($*) did not start: $(tail -n 5 "$TUNNEL_LOG")"
    TUNNEL_PORT=${line##*:}
}

# tunnel_server_args BACKEND_PORT [MORE...]: the flags of a server-mode
# tunnel in front of 127.0.0.1:BACKEND_PORT with the test PKI's ECDSA leaf.
tunnel_server_args() {
    local port=$1
    shift
    TUNNEL_ARGS=(--accept 127.0.0.1:0 --connect "127.0.0.1:$port" --tls-accept
        --cert "$PKI/ecdsa-chain.pem" --key "$PKI/ecdsa.key" "$@")
}

# load ARGS...: the load client against the tunnel, with the test CA.
load() {
    "$TUNNEL_LOAD" --connect "127.0.0.1:$TUNNEL_PORT" --cafile "$PKI/ca.pem" \
        --servername localhost "$@"
}

# load_bg OUT ERR ARGS...: the same in the background; sets LOAD_PID (the
# client's own pid, so that a signal reaches it and not a subshell).
load_bg() {
    local out=$1 err=$2
    shift 2
    "$TUNNEL_LOAD" --connect "127.0.0.1:$TUNNEL_PORT" --cafile "$PKI/ca.pem" \
        --servername localhost "$@" >"$out" 2>"$err" &
    LOAD_PID=$!
    PIDS+=("$LOAD_PID")
}

fd_count() { find "/proc/$1/fd" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l; }
rss_kb() { awk '$1 == "VmRSS:" { print $2 }' "/proc/$1/status"; }
hwm_kb() { awk '$1 == "VmHWM:" { print $2 }' "/proc/$1/status"; }

# wait_fds PID MAX [SECONDS]: wait until PID has at most MAX open fds;
# prints the last count, returns 1 if it never got there.
wait_fds() {
    local pid=$1 max=$2 secs=${3:-10} i n
    for ((i = 0; i < secs * 20; i++)); do
        n=$(fd_count "$pid")
        if [ "$n" -le "$max" ]; then
            echo "$n"
            return 0
        fi
        sleep 0.05
    done
    echo "$n"
    return 1
}

# wait_count FILE TEXT N [SECONDS]: wait until FILE has N lines with TEXT.
wait_count() {
    local file=$1 text=$2 n=$3 secs=${4:-10} i
    for ((i = 0; i < secs * 20; i++)); do
        [ "$(count "$file" "$text")" -ge "$n" ] && return 0
        sleep 0.05
    done
    return 1
}

# The per-connection log lines of the tunnel (one per ended connection).
end_lines() { count "$TUNNEL_LOG" ' end='; }
