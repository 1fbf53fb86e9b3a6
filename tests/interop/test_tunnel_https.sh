#!/usr/bin/env bash
# Issue #16: HTTPS through `ward tunnel` in server mode, with nginx from
# Debian as the plain HTTP backend (servers.sh: start_nginx_plain) and
# real clients in front: curl (--ssl-reqd, verifying the test PKI's CA),
# over TLS 1.3 and TLS 1.2, and Chromium headless. The tunnel offers ALPN
# http/1.1 only: both clients offer h2 first, and must end up speaking
# HTTP/1.1 (nginx's plain port speaks nothing else, so a wrong choice
# fails the fetch). Each connection's log line is checked: version, ALPN,
# and the bytes each way, equal to what nginx logged it received and sent
# (the backend's own count of the plaintext). Also: SNI choosing the
# second of two certificates, and a TLS 1.3 resumption (openssl s_client
# -sess_out / -sess_in) logged resumed=yes; and HTTP/2 (ALPN h2) through a
# second tunnel to nginx's h2c port, 8 streams multiplexed on one connection.
#
# Chromium is trusted with exactly the tunnel's key
# (--ignore-certificate-errors-spki-list), as in test_pq_chromium.sh.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/servers.sh"
source "$(dirname "$0")/tunnel_lib.sh"

need nginx curl openssl python3 chromium
make_pki
cd "$WORK"
T0=$SECONDS

mkdir -p www home
TOKEN="ward-tunnel-page-$RANDOM$RANDOM"
printf '<!DOCTYPE html>\n<html><head><title>t</title></head><body><h1>%s</h1></body></html>\n' \
    "$TOKEN" >www/index.html
make_random www/big.bin 1048576
start_nginx_plain "$WORK/www"
# two identities: the test PKI's localhost leaf (the default) and its
# wrong.example leaf, which the client's SNI picks
tunnel_server https "$NGINX_PORT" --alpn http/1.1 \
    --cert "$PKI/wronghost.pem" --key "$PKI/wronghost.key"
LINES=0

# backend_counts: "REQUEST_LENGTH BYTES_SENT" of nginx's last request.
backend_counts() {
    tail -n 1 "$NGINX_ACCESS" | awk '{ print $1, $2 }'
}

# curl_fetch NAME PATH ARGS...: curl through the tunnel into NAME.body,
# verbose output in NAME.err; the file must come back byte-identical, the
# negotiation must be as the tunnel allows, and the tunnel's line must
# count exactly the bytes nginx logged.
curl_fetch() {
    local name=$1 path=$2 rc=0 line want_in want_out
    shift 2
    timeout 30 curl -sS -v --ssl-reqd --cacert "$PKI/ca.pem" "$@" \
        -o "$name.body" "https://127.0.0.1:$TUNNEL_PORT$path" 2>"$name.err" || rc=$?
    [ "$rc" -eq 0 ] || fail "$name: curl exited $rc: $(grep -E '^(\* |curl:)' "$name.err" | tail -n 4 | tr '\n' '|')"
    assert_same "www$path" "$name.body" "$name: $path through the tunnel"
    assert_contains "$name.err" "ALPN: server accepted http/1.1" "$name: curl's ALPN"
    assert_contains "$name.err" "< HTTP/1.1 200 OK" "$name: status"
    LINES=$((LINES + 1))
    wait_tunnel_lines "$TUNNEL_LOG" "$LINES"
    line=$(tunnel_last_line "$TUNNEL_LOG")
    check_tunnel_line "$line" "$name" "$VERSION"
    [ "$(tunnel_field "$line" alpn)" = http/1.1 ] || fail "$name: the log line's ALPN is not http/1.1: $line"
    read -r want_in want_out < <(backend_counts)
    [ "$(tunnel_field "$line" in)" = "$want_in" ] && [ "$(tunnel_field "$line" out)" = "$want_out" ] ||
        fail "$name: the tunnel counted in=$(tunnel_field "$line" in) out=$(tunnel_field "$line" out), nginx received $want_in and sent $want_out: $line"
}

VERSION='1\.3'
curl_fetch curl13 /big.bin --tlsv1.3
assert_contains curl13.err "SSL connection using TLSv1.3" "curl13: version"
ok "curl --ssl-reqd TLS 1.3: 1 MiB byte-identical through the tunnel, ALPN http/1.1, log line version=1.3 alpn=http/1.1 in/out = nginx's counts"

VERSION='1\.2'
curl_fetch curl12 /index.html --tlsv1.2 --tls-max 1.2
assert_contains curl12.err "SSL connection using TLSv1.2" "curl12: version"
ok "curl --ssl-reqd TLS 1.2: the page byte-identical, log line version=1.2, in/out = nginx's counts"

# SNI: curl asks for wrong.example (resolved to 127.0.0.1) and verifies
# that name, which only the second certificate holds.
VERSION='1\.3'
rc=0
timeout 30 curl -sS -v --ssl-reqd --cacert "$PKI/ca.pem" --resolve "wrong.example:$TUNNEL_PORT:127.0.0.1" \
    -o sni.body "https://wrong.example:$TUNNEL_PORT/index.html" 2>sni.err || rc=$?
[ "$rc" -eq 0 ] || fail "sni: curl exited $rc: $(grep -E '^(\* |curl:)' sni.err | tail -n 4 | tr '\n' '|')"
assert_same www/index.html sni.body "sni: the page"
assert_contains sni.err "subject: CN=wrong.example" "sni: the certificate curl got"
LINES=$((LINES + 1))
wait_tunnel_lines "$TUNNEL_LOG" "$LINES"
line=$(tunnel_last_line "$TUNNEL_LOG")
check_tunnel_line "$line" sni
[ "$(tunnel_field "$line" sni)" = wrong.example ] || fail "sni: the log line's sni is not wrong.example: $line"
ok "SNI wrong.example: the tunnel chose the second certificate (curl verified it), log line sni=wrong.example"

# Resumption: openssl s_client saves the session (a TLS 1.3 ticket from
# the tunnel) and resumes it on a second connection; both fetch the page.
for run in 1 2; do
    sess=(-sess_out sess.pem)
    [ "$run" -eq 2 ] && sess=(-sess_in sess.pem)
    { printf 'GET /index.html HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n'; sleep 2; } |
        timeout 20 openssl s_client -CAfile "$PKI/ca.pem" -verify_return_error -servername localhost \
            -alpn http/1.1 -connect "127.0.0.1:$TUNNEL_PORT" "${sess[@]}" >"resume$run.out" 2>&1 || true
    grep -qF "<h1>$TOKEN</h1>" "resume$run.out" || fail "resume run $run: no page: $(grep -iE 'error|alert' "resume$run.out" | head -n 3)"
    LINES=$((LINES + 1))
    wait_tunnel_lines "$TUNNEL_LOG" "$LINES"
done
assert_contains resume2.out "Reused, TLSv1.3" "openssl s_client -sess_in"
line=$(tunnel_last_line "$TUNNEL_LOG")
check_tunnel_line "$line" resumption
[ "$(tunnel_field "$line" resumed)" = yes ] || fail "resumption: the log line does not say resumed=yes: $line"
ok "resumption: s_client resumed its ticket through the tunnel (Reused, TLSv1.3), log line resumed=yes"

# A client offering h2 alone: no protocol in common, and the tunnel must
# say so (RFC 7301 section 3.2: the no_application_protocol alert) rather
# than relay h2 to an HTTP/1.1 backend; nginx sees no request.
reqs=$(wc -l <"$NGINX_ACCESS")
printf 'GET /index.html HTTP/1.0\r\n\r\n' | timeout 20 openssl s_client -alpn h2 \
    -CAfile "$PKI/ca.pem" -connect "127.0.0.1:$TUNNEL_PORT" >h2only.out 2>&1 || true
assert_contains h2only.out "no application protocol" "openssl s_client -alpn h2"
LINES=$((LINES + 1))
wait_tunnel_lines "$TUNNEL_LOG" "$LINES"
line=$(tunnel_last_line "$TUNNEL_LOG")
[[ $(tunnel_field "$line" end) == handshake-failed* ]] && [[ $line == *ALPN* ]] ||
    fail "h2 only: the tunnel's line does not say the handshake failed on ALPN: $line"
[ "$(wc -l <"$NGINX_ACCESS")" -eq "$reqs" ] || fail "h2 only: nginx received a request"
ok "a client offering h2 only: no_application_protocol alert, end=handshake-failed (ALPN) logged, nothing reached nginx"

# HTTP/2: a second tunnel offering ALPN h2 in front of nginx's h2c port;
# curl multiplexes 8 downloads of the 1 MiB file on one connection.
HTTPS_LOG=$TUNNEL_LOG HTTPS_PORT=$TUNNEL_PORT
tunnel_server h2 "$NGINX_H2_PORT" --alpn h2
rc=0
timeout 40 curl -sS --http2 --parallel --parallel-max 8 --ssl-reqd --cacert "$PKI/ca.pem" \
    "https://127.0.0.1:$TUNNEL_PORT/big.bin?[1-8]" -o "h2-#1.body" 2>h2.err || rc=$?
[ "$rc" -eq 0 ] || fail "h2: curl --parallel exited $rc: $(tail -n 3 h2.err | tr '\n' '|')"
for i in 1 2 3 4 5 6 7 8; do
    assert_same www/big.bin "h2-$i.body" "h2 stream $i"
done
wait_tunnel_lines "$TUNNEL_LOG" 1
[ "$(tunnel_conn_lines "$TUNNEL_LOG" | wc -l)" -eq 1 ] ||
    fail "h2: $(tunnel_conn_lines "$TUNNEL_LOG" | wc -l) connections, expected the 8 streams on one"
line=$(tunnel_last_line "$TUNNEL_LOG")
check_tunnel_line "$line" h2
[ "$(tunnel_field "$line" alpn)" = h2 ] || fail "h2: the log line's ALPN is not h2: $line"
[ "$(tunnel_field "$line" out)" -gt $((8 * 1048576)) ] || fail "h2: out= below the 8 MiB sent: $line"
ok "HTTP/2: 8 multiplexed 1 MiB downloads byte-identical on one tunnelled connection (ALPN h2, nginx h2c behind)"
TUNNEL_LOG=$HTTPS_LOG TUNNEL_PORT=$HTTPS_PORT

# Chromium headless: a fresh profile, the tunnel's key pinned, the DOM
# dumped. It may open more than one connection (favicon, preconnect).
before=$(tunnel_conn_lines "$TUNNEL_LOG" | wc -l)
rc=0
t=$SECONDS
HOME="$WORK/home" XDG_CONFIG_HOME="$WORK/home/.config" XDG_CACHE_HOME="$WORK/home/.cache" \
    timeout -k 5 40 chromium --headless=new --no-sandbox --disable-gpu --disable-quic \
    --no-first-run --disable-background-networking --disable-component-update --disable-sync \
    --user-data-dir="$WORK/profile" \
    --ignore-certificate-errors-spki-list="$(spki_pin_b64 "$PKI/ecdsa.pem")" \
    --dump-dom "https://127.0.0.1:$TUNNEL_PORT/index.html" \
    >chromium.html 2>chromium.log </dev/null || rc=$?
[ "$rc" -eq 0 ] ||
    fail "chromium exited $rc$([ "$rc" -eq 124 ] && echo ' (timed out)'): $(grep -v dbus chromium.log | tail -n 5)"
grep -qF "<h1>$TOKEN</h1>" chromium.html ||
    fail "Chromium did not get the page through the tunnel: $(grep -i 'err_' chromium.log | tail -n 3)"
log "Chromium fetch took $((SECONDS - t)) s"
wait_tunnel_lines "$TUNNEL_LOG" $((before + 1))
grep -q ' 200 /index.html$' <(tail -n 3 "$NGINX_ACCESS") || fail "nginx logged no GET /index.html from Chromium"
n=0
while read -r line; do
    n=$((n + 1))
    [ "$(tunnel_field "$line" version)" = 1.3 ] || fail "Chromium's connection $n: not TLS 1.3: $line"
    # a connection Chromium opened ahead of need may end with no request
    a=$(tunnel_field "$line" alpn)
    [ "$a" = http/1.1 ] || fail "Chromium's connection $n: ALPN '$a', expected http/1.1: $line"
done < <(tunnel_conn_lines "$TUNNEL_LOG" | tail -n +$((before + 1)))
grep -q 'out=[1-9]' <(tunnel_conn_lines "$TUNNEL_LOG" | tail -n +$((before + 1))) ||
    fail "no Chromium connection carried a response: $(tunnel_conn_lines "$TUNNEL_LOG" | tail -n 2)"
ok "Chromium headless fetched the page through the tunnel ($n connection(s), TLS 1.3, ALPN http/1.1)"

[ "$(count "$TUNNEL_LOG" "end=handshake-failed")" -eq 1 ] ||
    fail "the tunnel logged a failed handshake besides the h2-only client's: $(grep 'end=handshake-failed' "$TUNNEL_LOG" | tail -n 2)"
stop_tunnels
log "run time $((SECONDS - T0)) s"
done_all
