#!/usr/bin/env bash
# bench/tunnel/run.sh WARD TUNNEL_LOAD [OUT.json]
#
# ward tunnel beside stunnel4 and HAProxy in one run (issue #16,
# "Benchmark"); `make bench-tunnel` builds what it needs and runs it.
# Not a test: it times things, and a machine's absolute numbers are noise,
# so the headline is each proxy's own CPU per unit of work and its resident
# memory, and the table gives ratios.
#
# The same for all three:
#  - backend: nginx from Debian (private config in a temp dir), one worker,
#    serving a 1 KiB and a 1 MiB file over plain HTTP on 127.0.0.1;
#  - certificate: ECDSA P-256 leaf from a P-256 CA made here with openssl;
#  - TLS 1.3 only (each proxy is told so; checked with openssl s_client);
#  - one worker thread (ward --workers 1, HAProxy nbthread 1; stunnel has a
#    thread per connection), the proxy pinned to CPU 0 with taskset, wrk,
#    nginx and the load client pinned to CPU 1 (2-core machine);
#  - HAProxy in mode tcp (a tunnel: no HTTP parsing), stunnel with its
#    defaults but debug level 3.
# Measures, per proxy:
#  conn_cpu_us   CPU per new TLS connection: wrk -t2 -c32 -d10s
#                -H 'Connection: close' on /1k; the proxy's utime+stime
#                (/proc/PID/stat, all threads, plus any child process)
#                over the run divided by the requests wrk completed
#                (each a new connection, a full handshake: wrk does not
#                resume sessions).
#  mib_cpu_us    CPU per MiB relayed on kept-alive connections: wrk -t2 -c8
#                -d10s on /1m; CPU divided by MiB of responses.
#  idle_kb_N     RSS per idle established TLS connection at N connections
#                (1,000 and IDLE_BIG, default 9,500): tunnel_load -n N
#                --idle (ward client, x25519), VmRSS (summed over the
#                proxy's processes) once all N are up minus VmRSS before
#                the first of these runs, / N.
#                Not 10,000: the hard limit on open files here is 20,000
#                and a proxy holds two descriptors per connection.
#  p99_ms        p99 latency of a 1 KiB request at half the peak rate. The
#                peak: wrk -t2 -c32 -d10s on /1k, kept alive. Debian's wrk
#                has no -R (fixed rate), so the rate is set by the number of
#                connections instead: wrk -t1 -c C --latency for C = 1, 2,
#                4, 8, 16, the first C whose rate reaches half the peak
#                gives the p99 (and its rate, as a fraction of the peak).
#                Since that C differs between proxies, also the p99 with
#                4 connections for all (p99_ms_c4).
#  soak_kb       with SOAK=SECONDS (e.g. 300): memory over a soak at full
#                load, wrk -t2 -c32 -H 'Connection: close' on /1k for that
#                long, VmRSS sampled every 10 s: the sample after the first
#                fifth (warm), the last and the highest. Flat means last is
#                within a few percent of warm.
# Output: a table to stdout, all numbers in OUT.json (default
# ./bench-tunnel.json). Environment: DURATION (10s), IDLE_BIG (9500),
# PROXIES ("ward haproxy stunnel"), SOAK (0: off).
set -euo pipefail

WARD=$(readlink -f "${1:?usage: run.sh WARD TUNNEL_LOAD [OUT.json]}")
LOAD=$(readlink -f "${2:?usage: run.sh WARD TUNNEL_LOAD [OUT.json]}")
OUT=${3:-bench-tunnel.json}
DURATION=${DURATION:-10s}
IDLE_BIG=${IDLE_BIG:-9500}
PROXIES=${PROXIES:-ward haproxy stunnel}
TCK=$(getconf CLK_TCK)

for p in nginx wrk haproxy stunnel4 openssl taskset python3; do
    command -v "$p" >/dev/null 2>&1 ||
        { echo "run.sh: '$p' is missing (scripts/install-deps.sh bench)" >&2; exit 1; }
done
ulimit -n "$(ulimit -Hn)"

DIR=$(mktemp -d "${TMPDIR:-/tmp}/ward-bench-tunnel.XXXXXX")
chmod 755 "$DIR" # nginx's worker (www-data) reads the files
PIDS=()
cleanup() {
    local p
    for p in "${PIDS[@]+"${PIDS[@]}"}"; do kill "$p" 2>/dev/null || true; done
    for p in "${PIDS[@]+"${PIDS[@]}"}"; do wait "$p" 2>/dev/null || true; done
    [ -n "${KEEP:-}" ] && echo "run.sh: kept $DIR" >&2 || rm -rf "$DIR"
}
trap cleanup EXIT
say() { echo "run.sh: $*" >&2; }

# ---- certificate: a P-256 CA and a P-256 leaf for localhost ----
make_cert() {
    cd "$DIR"
    openssl ecparam -name prime256v1 -genkey -noout -out ca.key 2>/dev/null
    openssl req -x509 -new -key ca.key -subj /CN=bench-ca -days 2 -out ca.pem \
        -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign 2>/dev/null
    openssl ecparam -name prime256v1 -genkey -noout -out leaf.key 2>/dev/null
    openssl req -new -key leaf.key -subj /CN=localhost -out leaf.csr 2>/dev/null
    printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\nbasicConstraints=critical,CA:FALSE\n' >leaf.ext
    openssl x509 -req -in leaf.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 \
        -extfile leaf.ext -out leaf.pem 2>/dev/null
    cat leaf.pem ca.pem >chain.pem
    cat leaf.key chain.pem >haproxy.pem
    cd - >/dev/null
}

# ---- backend: nginx ----
start_nginx() {
    mkdir -p "$DIR/www" "$DIR/nginx"
    head -c 1024 /dev/urandom >"$DIR/www/1k"
    head -c 1048576 /dev/urandom >"$DIR/www/1m"
    cat >"$DIR/nginx/nginx.conf" <<EOF
worker_processes 1;
worker_rlimit_nofile 20000;
pid $DIR/nginx/nginx.pid;
error_log $DIR/nginx/error.log;
events { worker_connections 19000; }
http {
    access_log off;
    client_body_temp_path $DIR/nginx/body;
    proxy_temp_path $DIR/nginx/proxy;
    fastcgi_temp_path $DIR/nginx/fastcgi;
    uwsgi_temp_path $DIR/nginx/uwsgi;
    scgi_temp_path $DIR/nginx/scgi;
    keepalive_requests 1000000;
    keepalive_timeout 600s;
    client_header_timeout 600s;
    sendfile on;
    server {
        listen 127.0.0.1:0;
        root $DIR/www;
        default_type application/octet-stream;
    }
}
EOF
    # nginx cannot listen on port 0 and say where: pick a free port first
    NGINX_PORT=$(free_port)
    sed -i "s/listen 127.0.0.1:0;/listen 127.0.0.1:$NGINX_PORT;/" "$DIR/nginx/nginx.conf"
    taskset -c 1 nginx -p "$DIR/nginx" -c "$DIR/nginx/nginx.conf" -g 'daemon off;' \
        2>"$DIR/nginx/stderr" &
    PIDS+=("$!")
    wait_http "http://127.0.0.1:$NGINX_PORT/1k" || { cat "$DIR/nginx/stderr" >&2; exit 1; }
}

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

wait_http() { # URL: until it answers (10 s)
    local i
    for ((i = 0; i < 100; i++)); do
        python3 - "$1" <<'EOF' 2>/dev/null && return 0
import ssl, sys, urllib.request
ctx = ssl._create_unverified_context()
urllib.request.urlopen(sys.argv[1], context=ctx, timeout=2).read()
EOF
        sleep 0.1
    done
    return 1
}

# ---- the three proxies, each on CPU 0, TLS 1.3 only ----
start_ward() {
    taskset -c 0 "$WARD" tunnel --accept 127.0.0.1:0 --connect "127.0.0.1:$NGINX_PORT" \
        --tls-accept --cert "$DIR/chain.pem" --key "$DIR/leaf.key" --workers 1 \
        --max-connections 20000 --idle-timeout 600 2>"$DIR/ward.log" &
    PROXY_PID=$!
    PIDS+=("$PROXY_PID")
    local i
    for ((i = 0; i < 100; i++)); do
        PROXY_PORT=$(sed -n 's/^ward: tunnel .* listening on .*:\([0-9]*\)$/\1/p' "$DIR/ward.log" | head -n 1)
        [ -n "$PROXY_PORT" ] && return 0
        sleep 0.1
    done
    cat "$DIR/ward.log" >&2
    return 1
}

start_haproxy() {
    PROXY_PORT=$(free_port)
    cat >"$DIR/haproxy.cfg" <<EOF
global
    maxconn 9900
    nbthread 1
    ssl-default-bind-options ssl-min-ver TLSv1.3
defaults
    mode tcp
    timeout connect 5s
    timeout client 600s
    timeout server 600s
frontend tls
    bind 127.0.0.1:$PROXY_PORT ssl crt $DIR/haproxy.pem
    default_backend web
backend web
    server nginx 127.0.0.1:$NGINX_PORT
EOF
    taskset -c 0 haproxy -db -f "$DIR/haproxy.cfg" >"$DIR/haproxy.log" 2>&1 &
    PROXY_PID=$!
    PIDS+=("$PROXY_PID")
}

start_stunnel() {
    PROXY_PORT=$(free_port)
    cat >"$DIR/stunnel.conf" <<EOF
foreground = yes
pid =
debug = 3
output = $DIR/stunnel.log
[tls]
accept = 127.0.0.1:$PROXY_PORT
connect = 127.0.0.1:$NGINX_PORT
cert = $DIR/chain.pem
key = $DIR/leaf.key
sslVersionMin = TLSv1.3
EOF
    taskset -c 0 stunnel4 "$DIR/stunnel.conf" >"$DIR/stunnel.stderr" 2>&1 &
    PROXY_PID=$!
    PIDS+=("$PROXY_PID")
}

# ---- what is read from /proc ----
tree() { # PID and its descendants
    local p=$1 c
    echo "$p"
    for c in $(pgrep -P "$p" 2>/dev/null); do tree "$c"; done
}
cpu_ticks() { # utime+stime of the tree (threads included), and reaped children
    local u s
    read -r u s < <(cpu_split "$1")
    echo $((u + s))
}
cpu_split() { # "USER SYSTEM" ticks of the tree
    local p u=0 s=0 a b
    for p in $(tree "$1"); do
        read -r a b < <(sed 's/.*) //' "/proc/$p/stat" 2>/dev/null |
            awk '{ print $12 + $14, $13 + $15 }') || { a=0 b=0; }
        u=$((u + ${a:-0})) s=$((s + ${b:-0}))
    done
    echo "$u $s"
}
rss_kb() {
    local p sum=0 r
    for p in $(tree "$1"); do
        r=$(awk '$1 == "VmRSS:" { print $2 }' "/proc/$p/status" 2>/dev/null) || r=0
        sum=$((sum + ${r:-0}))
    done
    echo "$sum"
}

# wrk ARGS...: runs wrk on CPU 1; sets REQS, RATE, P99_MS from its output
run_wrk() {
    taskset -c 1 wrk "$@" >"$DIR/wrk.out" 2>&1 || { cat "$DIR/wrk.out" >&2; return 1; }
    REQS=$(awk '/requests in/ { print $1 }' "$DIR/wrk.out")
    RATE=$(awk '/^Requests\/sec:/ { print $2 }' "$DIR/wrk.out")
    P99_MS=$(awk '$1 == "99%" { v = $2; u = v; sub(/[0-9.]+/, "", u); sub(/[a-z]+$/, "", v);
        f = (u == "us") ? 0.001 : (u == "ms") ? 1 : (u == "s") ? 1000 : (u == "m") ? 60000 : 1;
        printf "%.3f", v * f }' "$DIR/wrk.out")
    local errs
    errs=$(awk '/Non-2xx|Socket errors/' "$DIR/wrk.out")
    [ -z "$errs" ] || say "wrk $*: $errs"
}

# soak_rss URL: "WARM LAST MAX" VmRSS in kB over SOAK seconds at full load
soak_rss() {
    local url=$1 pid i n=$((SOAK / 10)) samples=()
    taskset -c 1 wrk -t2 -c32 -d"${SOAK}s" -H 'Connection: close' "$url/1k" >"$DIR/soak.out" 2>&1 &
    pid=$!
    for ((i = 0; i < n; i++)); do
        sleep 10
        samples+=("$(rss_kb "$PROXY_PID")")
    done
    wait "$pid" || true
    local warm=${samples[$((n / 5))]} last=${samples[$((n - 1))]} max=0 v
    for v in "${samples[@]}"; do ((v > max)) && max=$v; done
    echo "$warm $last $max"
}

# one proxy, every measure; results appended to $DIR/results.tsv
measure() {
    local name=$1 t0 t1 url
    "start_$name"
    url="https://127.0.0.1:$PROXY_PORT"
    wait_http "$url/1k" || { say "$name did not come up"; return 1; }
    local ver
    ver=$(echo | timeout 10 openssl s_client -connect "127.0.0.1:$PROXY_PORT" -servername localhost \
        -CAfile "$DIR/ca.pem" 2>/dev/null | awk '/^New, / { print $2 }')
    say "$name (pid $PROXY_PID, port $PROXY_PORT): $ver"
    [ "$ver" = "TLSv1.3," ] || { say "$name did not negotiate TLS 1.3"; return 1; }

    # CPU per new TLS connection
    local u0 s0 u1 s1
    read -r u0 s0 < <(cpu_split "$PROXY_PID")
    run_wrk -t2 -c32 -d"$DURATION" -H 'Connection: close' "$url/1k"
    read -r u1 s1 < <(cpu_split "$PROXY_PID")
    t0=$((u0 + s0)) t1=$((u1 + s1))
    local conn_us conn_sys
    conn_us=$(awk -v c=$((t1 - t0)) -v n="$REQS" -v h="$TCK" 'BEGIN { printf "%.1f", c / h * 1e6 / n }')
    conn_sys=$(awk -v c=$((s1 - s0)) -v n="$REQS" -v h="$TCK" 'BEGIN { printf "%.1f", c / h * 1e6 / n }')
    say "$name: $REQS new connections, $((u1 - u0)) user + $((s1 - s0)) system ticks: $conn_us us CPU each ($conn_sys us of it in the kernel)"
    local conn_rate=$RATE

    # CPU per MiB relayed, kept alive
    t0=$(cpu_ticks "$PROXY_PID")
    run_wrk -t2 -c8 -d"$DURATION" "$url/1m"
    t1=$(cpu_ticks "$PROXY_PID")
    local mib_us
    mib_us=$(awk -v c=$((t1 - t0)) -v n="$REQS" -v h="$TCK" 'BEGIN { printf "%.1f", c / h * 1e6 / n }')
    say "$name: $REQS MiB relayed, $((t1 - t0)) ticks: $mib_us us CPU per MiB"

    local soak="null"
    if [ "${SOAK:-0}" -ge 20 ]; then
        local warm last max
        read -r warm last max < <(soak_rss "$url")
        soak="$warm/$last/$max"
        say "$name: soak ${SOAK}s at full load: VmRSS warm $warm kB, last $last kB, max $max kB"
    fi

    # p99 at half the peak rate (kept alive; see the header)
    run_wrk -t2 -c32 -d"$DURATION" "$url/1k"
    local peak=$RATE c p99="" at_rate="" at_c=""
    for c in 1 2 4 8 16; do
        run_wrk -t1 -c"$c" -d5s --latency "$url/1k"
        p99=$P99_MS at_rate=$RATE at_c=$c
        awk -v r="$RATE" -v p="$peak" 'BEGIN { exit !(r >= p / 2) }' && break
    done
    say "$name: peak $peak req/s (c32); p99 $p99 ms at $at_rate req/s (c$at_c)"
    # and at the same concurrency for all: closed-loop wrk with 4 connections
    run_wrk -t1 -c4 -d5s --latency "$url/1k"
    local p99c4=$P99_MS
    say "$name: p99 $p99c4 ms at $RATE req/s (c4)"

    # RSS per idle connection
    # one baseline for both counts: the second run would otherwise reuse
    # what the allocator kept from the first and look cheaper than it is
    local n idle=() r0 r1 per
    sleep 1
    r0=$(rss_kb "$PROXY_PID")
    for n in 1000 "$IDLE_BIG"; do
        per="null"
        taskset -c 1 "$LOAD" --connect "127.0.0.1:$PROXY_PORT" --cafile "$DIR/ca.pem" \
            --servername localhost -n "$n" --ramp 64 --timeout 300 --idle 0 \
            >"$DIR/idle.out" 2>"$DIR/idle.err" &
        local lpid=$! i
        for ((i = 0; i < 3000; i++)); do
            grep -q '^ready' "$DIR/idle.out" && break
            kill -0 "$lpid" 2>/dev/null || break
            sleep 0.1
        done
        sleep 2
        r1=$(rss_kb "$PROXY_PID")
        if grep -q "^ready $n\$" "$DIR/idle.out" && kill -0 "$lpid" 2>/dev/null; then
            per=$(awk -v a="$r0" -v b="$r1" -v n="$n" 'BEGIN { printf "%.2f", (b - a) * 1.024 / n }')
            say "$name: $n idle connections: VmRSS $r0 -> $r1 kB: $per KB each"
        else
            say "$name: $n idle connections failed: $(tail -n 3 "$DIR/idle.err")"
        fi
        kill -TERM "$lpid" 2>/dev/null || true
        wait "$lpid" 2>/dev/null || true
        idle+=("$per")
        sleep 2
    done
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$conn_us" "$mib_us" "${idle[0]}" \
        "${idle[1]}" "$p99" "$at_rate" "$peak" "$at_c" "$conn_rate" "$conn_sys" "$p99c4" "$soak" >>"$DIR/results.tsv"
    kill "$PROXY_PID"
    wait "$PROXY_PID" 2>/dev/null || true
}

make_cert
start_nginx
: >"$DIR/results.tsv"
for p in $PROXIES; do
    measure "$p" || say "$p: measurement failed"
done

python3 - "$DIR/results.tsv" "$OUT" "$IDLE_BIG" <<'EOF'
import json, sys
rows = {}
for line in open(sys.argv[1]):
    f = line.rstrip("\n").split("\t")
    num = lambda s: None if s in ("", "null") else float(s)
    rows[f[0]] = {"cpu_us_per_new_connection": num(f[1]), "cpu_us_per_mib": num(f[2]),
                  "rss_kb_per_idle_conn_1000": num(f[3]),
                  f"rss_kb_per_idle_conn_{sys.argv[3]}": num(f[4]),
                  "p99_ms_half_peak": num(f[5]), "p99_at_rate": num(f[6]),
                  "peak_rate_keepalive_1k": num(f[7]), "p99_connections": num(f[8]),
                  "new_connections_per_s": num(f[9]),
                  "cpu_us_per_new_connection_kernel": num(f[10]),
                  "p99_ms_c4": num(f[11]),
                  "soak_rss_kb_warm_last_max": None if f[12] == "null" else
                      [float(x) for x in f[12].split("/")]}
keys = [("cpu_us_per_new_connection", "CPU us / new TLS connection", "<= 0.5x HAProxy"),
        ("cpu_us_per_mib", "CPU us / MiB relayed (kept alive)", "<= 1x HAProxy"),
        ("rss_kb_per_idle_conn_1000", "RSS KB / idle conn @1000", "<= 10 KB"),
        (f"rss_kb_per_idle_conn_{sys.argv[3]}", f"RSS KB / idle conn @{sys.argv[3]}", "<= 10 KB"),
        ("p99_ms_half_peak", "p99 ms, 1 KiB, ~half peak rate", "beside the others"),
        ("p99_ms_c4", "p99 ms, 1 KiB, 4 connections", "beside the others")]
def ratio(a, b):
    return None if a is None or b is None or b == 0 else a / b
def fmt(v, d=2):
    return "n/a" if v is None else f"{v:.{d}f}"
w, h, s = rows.get("ward", {}), rows.get("haproxy", {}), rows.get("stunnel", {})
print(f"{'measure':36} {'ward':>9} {'haproxy':>9} {'stunnel':>9} {'w/hap':>7} {'w/stun':>7}  target")
out = {"proxies": rows, "ratios": {}}
for k, label, target in keys:
    rh, rs = ratio(w.get(k), h.get(k)), ratio(w.get(k), s.get(k))
    out["ratios"][k] = {"ward/haproxy": rh, "ward/stunnel": rs, "target": target}
    print(f"{label:36} {fmt(w.get(k), 1):>9} {fmt(h.get(k), 1):>9} {fmt(s.get(k), 1):>9} "
          f"{fmt(rh):>7} {fmt(rs):>7}  {target}")
for n, r in rows.items():
    print(f"  {n}: p99 taken at {fmt(r['p99_at_rate'], 0)} req/s with {fmt(r['p99_connections'], 0)} "
          f"connection(s), peak {fmt(r['peak_rate_keepalive_1k'], 0)} req/s; "
          f"{fmt(r['new_connections_per_s'], 0)} new connections/s at c32, "
          f"{fmt(r['cpu_us_per_new_connection_kernel'], 0)} us of each new connection's CPU in the kernel")
for n, r in rows.items():
    sk = r["soak_rss_kb_warm_last_max"]
    if sk:
        print(f"  {n}: soak at full load, VmRSS warm {sk[0]:.0f} kB, last {sk[1]:.0f} kB, "
              f"max {sk[2]:.0f} kB (last/warm {sk[1] / sk[0]:.3f})")
json.dump(out, open(sys.argv[2], "w"), indent=2)
print(f"(JSON: {sys.argv[2]})")
EOF
