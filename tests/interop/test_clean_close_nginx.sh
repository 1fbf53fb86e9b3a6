#!/usr/bin/env bash
# A server that closes after answering (nginx, HTTP/1.0): the ward client
# must get the whole page and the server's close_notify, and exit 0, every
# time. Before the fix ward sent its own close_notify at the end of stdin;
# nginx closed with it unread, its kernel sent a reset, and the reset
# destroyed nginx's close_notify ("connection closed without
# close_notify", about one run in three).
# nginx runs in the foreground, one process, from a private configuration
# in the test's directory, on a port the kernel picks; TLS 1.2 and TLS 1.3.
source "$(dirname "$0")/lib.sh"
need nginx openssl python3
make_pki

RUNS=50
DOC="$WORK/www"
mkdir -p "$DOC"
make_text "$DOC/index.html" 20000

# free_port: a loopback port the kernel just gave out and took back (nginx
# cannot listen on port 0); start_nginx tries again if it was taken since.
free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# start_nginx NAME PROTOCOL: sets SERVER_PID, SERVER_PORT.
start_nginx() {
    local try
    for try in 1 2 3 4 5; do
        start_nginx_on "$@" "$(free_port)" && return 0
    done
    fail "nginx ($2) did not start: $(tail -n 5 "$SERVER_LOG")"
}

start_nginx_on() {
    local name=$1 proto=$2 port=$3 dir="$WORK/$1"
    mkdir -p "$dir"
    cat >"$dir/nginx.conf" <<CONF
daemon off;
master_process off;
worker_processes 1;
pid $dir/nginx.pid;
error_log $dir/error.log info;
events { worker_connections 64; }
http {
    access_log off;
    client_body_temp_path $dir/body;
    proxy_temp_path $dir/proxy;
    fastcgi_temp_path $dir/fastcgi;
    uwsgi_temp_path $dir/uwsgi;
    scgi_temp_path $dir/scgi;
    server {
        listen 127.0.0.1:$port ssl;
        ssl_certificate $PKI/ecdsa-chain.pem;
        ssl_certificate_key $PKI/ecdsa.key;
        ssl_protocols $proto;
        root $DOC;
    }
}
CONF
    SERVER_LOG="$WORK/$name.log"
    nginx -p "$dir" -c "$dir/nginx.conf" -e "$dir/error.log" >"$SERVER_LOG" 2>&1 &
    SERVER_PID=$!
    PIDS+=("$SERVER_PID")
    SERVER_PORT=$(wait_port "$SERVER_PID" 15) || {
        stop "$SERVER_PID"
        return 1
    }
    [ "$SERVER_PORT" = "$port" ] || fail "nginx listens on $SERVER_PORT, not $port"
}

size=$(stat -c %s "$DOC/index.html")
for proto in TLSv1.2 TLSv1.3; do
    start_nginx "nginx-$proto" "$proto"
    for ((i = 1; i <= RUNS; i++)); do
        rc=0
        printf 'GET /index.html HTTP/1.0\r\nHost: localhost\r\n\r\n' |
            timeout 20 "$WARD" client --cafile "$PKI/ca.pem" "localhost:$SERVER_PORT" \
                >"$WORK/page.out" 2>"$WORK/client.log" || rc=$?
        [ "$rc" -eq 0 ] || fail "$proto run $i: exit $rc: $(grep 'error' "$WORK/client.log")"
        head -n 1 "$WORK/page.out" | grep -q '^HTTP/1.1 200 OK' ||
            fail "$proto run $i: no 200 status line"
        tail -c "$size" "$WORK/page.out" | cmp -s - "$DOC/index.html" ||
            fail "$proto run $i: the page differs from index.html"
        assert_contains "$WORK/client.log" "closed by the server (close_notify)"
    done
    ok "$proto: $RUNS runs of printf | ward client, each exit 0 with the whole page and nginx's close_notify"
    stop "$SERVER_PID"
done
done_all
