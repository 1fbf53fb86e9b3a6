#!/usr/bin/env bash
# Post-quantum hybrid key exchange over loopback sockets.
#
#  1. ward client <-> ward server: X25519MLKEM768 by default, SecP256r1MLKEM768
#     when both ask for it, each also reached through a HelloRetryRequest.
#  2. ward client -> `openssl s_server -tls1_3` and `gnutls-serv` (OpenSSL 3.0
#     and GnuTLS 3.7 know neither hybrid): the default ClientHello (hybrid
#     share first, an x25519 share beside it) completes with x25519 and no
#     HelloRetryRequest; a ClientHello whose only share is the hybrid costs
#     exactly the one retry RFC 8446 4.1.4 requires.
#  3. `openssl s_client -tls1_3` and `gnutls-cli` -> a default ward server:
#     x25519, no HelloRetryRequest (ward does not trade a round trip for
#     the hybrid a client did not offer).
#  4. Size: a ClientHello with three shares (both hybrids and x25519, ~2.7 KB)
#     against both peers; the ClientHello goes out as one record; the same
#     ClientHello cut into small TCP writes by a relay (as a real network
#     with a 1500-byte MTU does to any hybrid ClientHello); and ward server
#     reassembling a ClientHello that s_client splits across two records.
. "$(dirname "$0")/lib.sh"
need openssl gnutls-serv gnutls-cli python3
make_pki
cd "$WORK"
T0=$SECONDS

TLS13="NORMAL:-VERS-ALL:+VERS-TLS1.3"
BIG_GROUPS=X25519MLKEM768,SecP256r1MLKEM768,x25519

printf 'post-quantum hello\n' >line.txt
printf '\nolleh mutnauq-tsop\n' >line.rev # s_server -rev: each line reversed

client() { # client LOG ARGS...: ward client verifying the test PKI, sends line.txt
    local logf=$1
    shift
    CLIENT_IN=line.txt ward_client "$logf" --cafile "$PKI/ca.pem" --servername localhost \
        "$@" "127.0.0.1:$SERVER_PORT"
}

# expect_client LOG GROUP HRR WHAT: the handshake completed with GROUP,
# "HelloRetryRequest: HRR", and the server's answer came back.
expect_client() {
    [ "$CLIENT_RC" -eq 0 ] || fail "$4: ward client exited $CLIENT_RC: $(cat "$1")"
    assert_contains "$1" "ward: verified: chain" "$4 (client)"
    grep -qE "^ward: TLS 1\.3, TLS_[A-Z0-9_]+, group $2, signature " "$1" ||
        fail "$4: the client did not negotiate $2: $(grep '^ward: TLS' "$1" || cat "$1")"
    grep -qx "ward: HelloRetryRequest: $3" "$1" ||
        fail "$4: expected 'HelloRetryRequest: $3': $(grep HelloRetryRequest "$1" || cat "$1")"
}

# Lines of a ward server log about completed handshakes: one per connection,
# "ward: ADDR TLS 1.3 SUITE GROUP, signature S, HRR yes|no, ALPN A, SNI N".
SEEN_HS=0
# expect_server_hs GROUP HRR WHAT: the ward server logged exactly one new
# handshake since the last call, with GROUP and "HRR HRR".
expect_server_hs() {
    local lines n line
    lines=$(grep -E '^ward: [^ ]+ TLS 1\.[23] ' "$SERVER_LOG" || true)
    n=$(printf '%s' "$lines" | grep -c . || true)
    [ "$n" -eq $((SEEN_HS + 1)) ] ||
        fail "$3: the ward server logged $((n - SEEN_HS)) new handshakes, expected 1: $(tail -n 5 "$SERVER_LOG")"
    SEEN_HS=$n
    line=$(printf '%s\n' "$lines" | tail -n 1)
    case $line in
    *" TLS 1.3 TLS_"*" $1, signature "*", HRR $2, "*) ;;
    *) fail "$3: ward server log says '$line', expected group $1 and HRR $2" ;;
    esac
}

# new_ward_server NAME ARGS...: a ward server with the test PKI's ECDSA certificate.
new_ward_server() {
    local name=$1
    shift
    start_ward_server "$name" --cert "$PKI/ecdsa.pem" --key "$PKI/ecdsa.key" "$@"
    SEEN_HS=0
}

# ---- 1. ward <-> ward ----

new_ward_server ward-default
client ww-default.log
expect_client ww-default.log X25519MLKEM768 no "ward default <-> ward default"
assert_same line.txt client.out "echo, X25519MLKEM768"
expect_server_hs X25519MLKEM768 no "ward default <-> ward default"
ok "ward <-> ward by default: X25519MLKEM768, no HelloRetryRequest, echo intact"

# the client prefers the hybrid but shares only x25519: the server takes
# x25519 rather than spend a round trip on the hybrid.
client ww-x25519share.log --key-share-groups x25519
expect_client ww-x25519share.log x25519 no "ward client sharing x25519 only"
assert_same line.txt client.out "echo, x25519 share"
expect_server_hs x25519 no "ward client sharing x25519 only"
ok "a client sharing only x25519 gets x25519 at once (no retry for the hybrid)"
DEFAULT_LOG=$SERVER_LOG DEFAULT_PORT=$SERVER_PORT DEFAULT_PID=$SERVER_PID

new_ward_server ward-p256mlkem --groups SecP256r1MLKEM768
client ww-p256mlkem.log --groups SecP256r1MLKEM768
expect_client ww-p256mlkem.log SecP256r1MLKEM768 no "SecP256r1MLKEM768 on both"
assert_same line.txt client.out "echo, SecP256r1MLKEM768"
expect_server_hs SecP256r1MLKEM768 no "SecP256r1MLKEM768 on both"
ok "--groups SecP256r1MLKEM768 on both: SecP256r1MLKEM768, echo intact"

# HelloRetryRequest to SecP256r1MLKEM768: the first ClientHello shares x25519 only.
client ww-p256mlkem-hrr.log --groups x25519,SecP256r1MLKEM768
expect_client ww-p256mlkem-hrr.log SecP256r1MLKEM768 yes "HRR to SecP256r1MLKEM768"
assert_same line.txt client.out "echo, SecP256r1MLKEM768 after HRR"
expect_server_hs SecP256r1MLKEM768 yes "HRR to SecP256r1MLKEM768"
stop "$SERVER_PID"
ok "HelloRetryRequest from an x25519 share to SecP256r1MLKEM768"

new_ward_server ward-xmlkem-only --groups X25519MLKEM768
client ww-xmlkem-hrr.log --key-share-groups x25519
expect_client ww-xmlkem-hrr.log X25519MLKEM768 yes "HRR to X25519MLKEM768"
assert_same line.txt client.out "echo, X25519MLKEM768 after HRR"
expect_server_hs X25519MLKEM768 yes "HRR to X25519MLKEM768"
stop "$SERVER_PID"
ok "HelloRetryRequest from an x25519 share to X25519MLKEM768"

# ---- 2. ward client -> peers without the hybrids ----

# ch_facts MSGFILE: "RECORDS LENGTH" for the first ClientHello in an
# `openssl s_server -msg` log: how many records it came in and its length.
ch_facts() {
    awk '/^<<< .*RecordHeader/ { r++ }
         /^<<< .*Handshake \[length [0-9a-f]+\], ClientHello$/ {
             match($0, /length [0-9a-f]+/); print r, substr($0, RSTART + 7, RLENGTH - 7); exit }' "$1"
}

# ossl_case NAME GROUP HRR WHAT CLIENT-ARGS...: a fresh one-shot s_server
# (default groups: X25519, P-256, ... and no hybrid), the ward client with
# CLIENT-ARGS; checks the group, the retry and the reversed line, and how
# many ClientHellos s_server saw (2 with a retry). Sets CH_RECORDS, CH_LEN
# for the first ClientHello.
ossl_case() {
    local name=$1 group=$2 hrr=$3 what=$4 want_ch=1 chs facts
    shift 4
    [ "$hrr" = yes ] && want_ch=2
    start_openssl_server "srv-$name" -tls1_3 -rev -naccept 1 -msg -msgfile "$WORK/srv-$name.msg" \
        -cert "$PKI/ecdsa.pem" -key "$PKI/ecdsa.key"
    client "$name.log" "$@"
    expect_client "$name.log" "$group" "$hrr" "$what"
    grep -q 'olleh mutnauq-tsop' client.out || fail "$what: no reversed line from s_server"
    wait_exit "$SERVER_PID" 20 || true
    chs=$(grep -c '^<<< .*, ClientHello$' "srv-$name.msg" || true)
    [ "$chs" -eq "$want_ch" ] || fail "$what: s_server received $chs ClientHellos, expected $want_ch"
    facts=$(ch_facts "srv-$name.msg")
    CH_RECORDS=${facts% *}
    CH_LEN=$((16#${facts#* }))
}

ossl_case ossl-default x25519 no "ward default -> s_server"
[ "$CH_RECORDS" -eq 1 ] || fail "ward's default ClientHello came in $CH_RECORDS records"
[ "$CH_LEN" -gt 1216 ] || fail "ward's default ClientHello is only $CH_LEN bytes: no hybrid share in it?"
ok "ward default -> openssl s_server: x25519, no HelloRetryRequest (ClientHello $CH_LEN bytes, 1 record)"

ossl_case ossl-hybridonly x25519 yes "ward hybrid-only share -> s_server" \
    --key-share-groups X25519MLKEM768
ok "ward sharing X25519MLKEM768 only -> openssl s_server: one HelloRetryRequest, then x25519"

ossl_case ossl-big x25519 no "ward 3 shares -> s_server" \
    --groups "$BIG_GROUPS" --key-share-groups "$BIG_GROUPS"
[ "$CH_RECORDS" -eq 1 ] || fail "ward's 3-share ClientHello came in $CH_RECORDS records"
[ "$CH_LEN" -gt 2500 ] || fail "ward's 3-share ClientHello is only $CH_LEN bytes"
ok "ward with 3 key shares -> openssl s_server: x25519, no retry (ClientHello $CH_LEN bytes, 1 record)"

start_gnutls_server gnutls --echo --crlf --x509certfile "$PKI/ecdsa-chain.pem" \
    --x509keyfile "$PKI/ecdsa.key" --priority "$TLS13"
GNUTLS_PORT=$SERVER_PORT GNUTLS_PID=$SERVER_PID GNUTLS_OUT=$SERVER_OUT
client gt-default.log
expect_client gt-default.log x25519 no "ward default -> gnutls-serv"
assert_same line.txt client.out "echo through gnutls-serv"
ok "ward default -> gnutls-serv: x25519, no HelloRetryRequest"

client gt-hybridonly.log --key-share-groups X25519MLKEM768
expect_client gt-hybridonly.log x25519 yes "ward hybrid-only share -> gnutls-serv"
assert_same line.txt client.out "echo through gnutls-serv after HRR"
ok "ward sharing X25519MLKEM768 only -> gnutls-serv: one HelloRetryRequest, then x25519"

client gt-big.log --groups "$BIG_GROUPS" --key-share-groups "$BIG_GROUPS"
expect_client gt-big.log x25519 no "ward 3 shares -> gnutls-serv"
assert_same line.txt client.out "echo through gnutls-serv, 3 shares"
n=$(grep -c 'Description: (TLS1.3-X.509)-(ECDHE-X25519)' "$GNUTLS_OUT" || true)
[ "$n" -eq 3 ] || fail "gnutls-serv reports $n TLS 1.3 X25519 handshakes, expected 3"
ok "ward with 3 key shares -> gnutls-serv: x25519, no retry"

# ---- 3. peers without the hybrids -> a default ward server ----

SERVER_LOG=$DEFAULT_LOG SERVER_PORT=$DEFAULT_PORT SERVER_PID=$DEFAULT_PID
SEEN_HS=$(grep -cE '^ward: [^ ]+ TLS 1\.[23] ' "$SERVER_LOG" || true)

# talk NAME CMD...: run CMD (bounded) with line.txt on its stdin, held open
# until the echo is back in NAME.out, so that the peer sees the whole
# exchange before its input ends; stderr to NAME.log. Sets TALK_RC.
talk() {
    local name=$1 n
    shift
    n=$(stat -c %s line.txt)
    : >"$name.out"
    TALK_RC=0
    # shellcheck disable=SC2094 # wait_size only watches the size of NAME.out
    { cat line.txt; wait_size "$name.out" "$n" 20 || true; } |
        timeout 30 "$@" >"$name.out" 2>"$name.log" || TALK_RC=$?
}

# -msg shows every handshake message s_client sent.
talk sc openssl s_client -brief -nocommands -tls1_3 -CAfile "$PKI/ca.pem" \
    -servername localhost -verify_return_error -verify_hostname localhost \
    -msg -msgfile "$WORK/sc.msg" -connect "127.0.0.1:$SERVER_PORT"
[ "$TALK_RC" -eq 0 ] || fail "s_client -> ward exited $TALK_RC: $(cat sc.log)"
assert_contains sc.log "Protocol version: TLSv1.3"
assert_contains sc.log "Verification: OK"
assert_contains sc.log "Server Temp Key: X25519"
assert_same line.txt sc.out "s_client echo"
n=$(grep -c '^>>> .*, ClientHello$' sc.msg || true)
[ "$n" -eq 1 ] || fail "s_client sent $n ClientHellos to ward, expected 1 (no HelloRetryRequest)"
expect_server_hs x25519 no "s_client -> ward default"
ok "openssl s_client -> ward default: x25519, one ClientHello, HRR no"

talk gc gnutls-cli --x509cafile "$PKI/ca.pem" --sni-hostname localhost \
    --verify-hostname localhost --priority "$TLS13" --logfile "$WORK/gc.info" \
    -p "$SERVER_PORT" 127.0.0.1
[ "$TALK_RC" -eq 0 ] || fail "gnutls-cli -> ward exited $TALK_RC: $(cat gc.info gc.log)"
assert_contains gc.info "Handshake was completed"
assert_contains gc.info "(TLS1.3-X.509)-(ECDHE-X25519)-"
assert_same line.txt gc.out "gnutls-cli echo"
expect_server_hs x25519 no "gnutls-cli -> ward default"
ok "gnutls-cli -> ward default: x25519, HRR no"

# ---- 4. a ClientHello in pieces ----

# A relay that passes the first 4 KiB from the client on in 96-byte writes,
# a few milliseconds apart (TCP_NODELAY), so the server reads the
# ClientHello in many parts; the rest, and everything the other way, as it
# comes. It prints its port, then per connection how many writes the first
# 4 KiB took.
cat >split_relay.py <<'EOF'
import socket, sys, threading, time
target = int(sys.argv[1])
ls = socket.socket()
ls.bind(("127.0.0.1", 0))
ls.listen(8)
print(ls.getsockname()[1], flush=True)

def pipe(src, dst, split):
    left, writes = (4096 if split else 0), 0
    try:
        while True:
            data = src.recv(65536)
            if not data:
                break
            while left > 0 and data:
                part, data = data[:96], data[96:]
                dst.sendall(part)
                left -= len(part)
                writes += 1
                time.sleep(0.003)
            if data:
                dst.sendall(data)
    except OSError:
        pass
    if split:
        print("split into %d writes" % writes, flush=True)
    for s in (dst, src):
        try:
            s.shutdown(socket.SHUT_WR if s is dst else socket.SHUT_RD)
        except OSError:
            pass

while True:
    c, _ = ls.accept()
    s = socket.create_connection(("127.0.0.1", target))
    for x in (c, s):
        x.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    threading.Thread(target=pipe, args=(c, s, True), daemon=True).start()
    threading.Thread(target=pipe, args=(s, c, False), daemon=True).start()
EOF

# start_relay NAME TARGET-PORT: sets RELAY_PORT, RELAY_LOG.
start_relay() {
    RELAY_LOG="$WORK/$1.log"
    python3 -u split_relay.py "$2" >"$RELAY_LOG" 2>&1 </dev/null &
    local pid=$!
    PIDS+=("$pid")
    RELAY_PORT=$(wait_line "$RELAY_LOG" '^[0-9]+$' "$pid" 15) ||
        fail "the splitting relay did not start: $(cat "$RELAY_LOG")"
}

# relay_client LOG TARGET-PORT ARGS...: the ward client through a relay to
# TARGET-PORT; sets RELAY_WRITES.
relay_client() {
    local logf=$1 port=$2 writes
    shift 2
    start_relay "relay-$logf" "$port"
    CLIENT_IN=line.txt ward_client "$logf" --cafile "$PKI/ca.pem" --servername localhost \
        "$@" "127.0.0.1:$RELAY_PORT"
    writes=$(wait_line "$RELAY_LOG" '^split into ' "$$" 10 | awk '{ print $3 }') || true
    [ "${writes:-0}" -ge 15 ] || fail "$logf: the relay did not cut the ClientHello up ($(cat "$RELAY_LOG"))"
    RELAY_WRITES=$writes
}

start_openssl_server srv-split -tls1_3 -rev -cert "$PKI/ecdsa.pem" -key "$PKI/ecdsa.key"
relay_client ossl-split.log "$SERVER_PORT" --groups "$BIG_GROUPS" --key-share-groups "$BIG_GROUPS"
expect_client ossl-split.log x25519 no "3-share ClientHello in pieces -> s_server"
grep -q 'olleh mutnauq-tsop' client.out || fail "3-share ClientHello in pieces -> s_server: no reversed line"
stop "$SERVER_PID"
ok "3-share ClientHello cut into $RELAY_WRITES TCP writes -> openssl s_server: completes"

relay_client gt-split.log "$GNUTLS_PORT" --groups "$BIG_GROUPS" --key-share-groups "$BIG_GROUPS"
expect_client gt-split.log x25519 no "3-share ClientHello in pieces -> gnutls-serv"
assert_same line.txt client.out "echo through gnutls-serv, ClientHello in pieces"
stop "$GNUTLS_PID"
ok "3-share ClientHello cut into $RELAY_WRITES TCP writes -> gnutls-serv: completes"

SERVER_LOG=$DEFAULT_LOG SERVER_PORT=$DEFAULT_PORT SERVER_PID=$DEFAULT_PID
relay_client ww-split.log "$DEFAULT_PORT"
expect_client ww-split.log X25519MLKEM768 no "default ClientHello in pieces -> ward server"
assert_same line.txt client.out "echo, ClientHello in pieces"
expect_server_hs X25519MLKEM768 no "default ClientHello in pieces -> ward server"
ok "ward's ClientHello cut into $RELAY_WRITES TCP writes -> ward server: X25519MLKEM768"

# s_client splits its ClientHello (padded out by a long ALPN list) across
# records of at most 512 bytes; ward server reassembles it.
alpn=$(for i in $(seq 1 40); do printf 'padding-protocol-%02d,' "$i"; done)http/1.1
talk scs openssl s_client -brief -nocommands -tls1_3 -CAfile "$PKI/ca.pem" \
    -servername localhost -verify_return_error -max_send_frag 512 -alpn "$alpn" \
    -msg -msgfile "$WORK/scs.msg" -connect "127.0.0.1:$SERVER_PORT"
[ "$TALK_RC" -eq 0 ] || fail "s_client -max_send_frag 512 -> ward exited $TALK_RC: $(cat scs.log)"
assert_same line.txt scs.out "s_client echo, ClientHello in 2 records"
n=$(awk '/^>>> .*RecordHeader/ { r++ } /^>>> .*, ClientHello$/ { print r; exit }' scs.msg)
[ "${n:-0}" -ge 2 ] || fail "s_client sent its ClientHello in ${n:-0} records, wanted at least 2"
expect_server_hs x25519 no "ClientHello across records -> ward server"
ok "a ClientHello split across $n records (s_client -max_send_frag 512) -> ward server"

assert_not_contains "$DEFAULT_LOG" "handshake failed"
assert_not_contains "$DEFAULT_LOG" "error:"
log "run time $((SECONDS - T0)) s"
done_all
