#!/usr/bin/env bash
# The key exchange groups for CNSA 2.0 deployments over loopback sockets.
#
#  1. secp521r1 (0x0019) against real peers, both roles, TLS 1.3 and 1.2:
#     ward server <- `openssl s_client -groups P-521` and
#     `gnutls-cli ... +GROUP-SECP521R1`; ward client -> `openssl s_server
#     -groups P-521` and `gnutls-serv ... +GROUP-SECP521R1`; and a
#     HelloRetryRequest from an x25519 share to P-521 on each side.
#  2. SecP384r1MLKEM1024 (0x11ed) and MLKEM1024 (0x0202), ward <-> ward
#     through the tool (OpenSSL 3.0 and GnuTLS 3.7 know neither): by their
#     --groups names, first try and through a HelloRetryRequest; a client
#     that offers them to openssl s_server falls back to the classical
#     group the server has; the names P-521, secp521r1 and ML-KEM-1024 are
#     accepted, and a TLS 1.2-only client with only ML-KEM groups is a
#     usage error.
. "$(dirname "$0")/lib.sh"
need openssl gnutls-serv gnutls-cli
make_pki
cd "$WORK"

printf 'cnsa says hello\n' >line.txt
printf '\nolleh syas asnc\n' >line.rev # s_server -rev: each line reversed

client() { # client LOG ARGS...: ward client verifying the test PKI, sends line.txt
    local logf=$1
    shift
    CLIENT_IN=line.txt ward_client "$logf" --cafile "$PKI/ca.pem" --servername localhost \
        "$@" "127.0.0.1:$SERVER_PORT"
}

# expect_client LOG VERSION GROUP HRR WHAT: ward client completed TLS VERSION
# with GROUP and "HelloRetryRequest: HRR" (TLS 1.3 only).
expect_client() {
    [ "$CLIENT_RC" -eq 0 ] || fail "$5: ward client exited $CLIENT_RC: $(cat "$1")"
    assert_contains "$1" "ward: verified: chain" "$5 (client)"
    grep -qE "^ward: TLS $2, TLS_[A-Z0-9_]+, group $3, signature " "$1" ||
        fail "$5: the client did not negotiate TLS $2 with $3: $(grep '^ward: TLS' "$1" || cat "$1")"
    [ "$2" = 1.2 ] || grep -qx "ward: HelloRetryRequest: $4" "$1" ||
        fail "$5: expected 'HelloRetryRequest: $4': $(grep HelloRetryRequest "$1" || cat "$1")"
}

# expect_server LINE WHAT: the ward server logs a handshake line with LINE
# (its forked child may write it just after the peer saw the echo).
expect_server() {
    wait_line "$SERVER_LOG" "^ward: [^ ]+ TLS 1\.[23] .*$1" "$SERVER_PID" 10 >/dev/null ||
        fail "$2: the ward server did not log '$1': $(tail -n 5 "$SERVER_LOG")"
}

# sclient NAME ARGS...: openssl s_client -brief sends line.txt to the ward
# echo server and waits for it to come back; NAME.out, NAME.log.
sclient() {
    local name=$1 n
    shift
    n=$(stat -c %s line.txt)
    : >"$name.out"
    SCLIENT_RC=0
    { cat line.txt; wait_size "$name.out" "$n" 30 || true; } |
        timeout 60 openssl s_client -brief -nocommands -CAfile "$PKI/ca.pem" \
            -servername localhost -verify_return_error -verify_hostname localhost \
            -connect "127.0.0.1:$SERVER_PORT" "$@" >"$name.out" 2>"$name.log" || SCLIENT_RC=$?
    [ "$SCLIENT_RC" -eq 0 ] || fail "$name: s_client exited $SCLIENT_RC: $(cat "$name.log")"
    assert_same line.txt "$name.out" "$name: echo"
}

# gcli NAME PRIORITY: gnutls-cli sends line.txt and waits for the echo.
gcli() {
    local name=$1 prio=$2 n rc=0
    n=$(stat -c %s line.txt)
    : >"$name.out"
    { cat line.txt; wait_size "$name.out" "$n" 30 || true; } |
        timeout 60 gnutls-cli --x509cafile "$PKI/ca.pem" --sni-hostname localhost \
            --verify-hostname localhost --priority "$prio" --logfile "$name.log" \
            -p "$SERVER_PORT" 127.0.0.1 >"$name.out" 2>"$name.err" || rc=$?
    [ "$rc" -eq 0 ] || fail "$name: gnutls-cli exited $rc: $(tail -n 5 "$name.err")"
    assert_same line.txt "$name.out" "$name: echo"
}

TLS13="NORMAL:-VERS-ALL:+VERS-TLS1.3"
TLS12="NORMAL:-VERS-ALL:+VERS-TLS1.2"

# ---- 1. secp521r1 against OpenSSL and GnuTLS ----

start_ward_server ward-p521 --cert "$PKI/ecdsa.pem" --key "$PKI/ecdsa.key" --groups P-521
sclient o13 -tls1_3 -groups P-521
assert_contains o13.log "Server Temp Key: ECDH, secp521r1"
expect_server "secp521r1, signature ecdsa_secp256r1_sha256, HRR no" "s_client TLS 1.3 P-521"
sclient o13-hrr -tls1_3 -groups X25519:P-521
assert_contains o13-hrr.log "Server Temp Key: ECDH, secp521r1"
expect_server "secp521r1, signature ecdsa_secp256r1_sha256, HRR yes" "s_client HRR to P-521"
# TLS 1.2: the client's groups bound the certificate's curve too (RFC 8422 §4).
sclient o12 -tls1_2 -groups P-521:P-256
assert_contains o12.log "Server Temp Key: ECDH, secp521r1"
expect_server "TLS_ECDHE_ECDSA_[A-Z0-9_]+ secp521r1, .*extended master secret" \
    "s_client TLS 1.2 P-521"
gcli g13 "$TLS13:-GROUP-ALL:+GROUP-SECP521R1"
assert_contains g13.log "(ECDHE-SECP521R1)"
gcli g12 "$TLS12:-GROUP-ALL:+GROUP-SECP521R1:+GROUP-SECP256R1"
assert_contains g12.log "(ECDHE-SECP521R1)"
assert_not_contains "$SERVER_LOG" "handshake failed"
stop "$SERVER_PID"
ok "ward server --groups P-521 <- openssl s_client and gnutls-cli: TLS 1.3 (and HRR), TLS 1.2"

start_openssl_server osrv-p521 -tls1_3 -rev -naccept 2 -groups P-521 \
    -cert "$PKI/ecdsa.pem" -key "$PKI/ecdsa.key"
client c-o13.log --groups secp521r1
expect_client c-o13.log 1.3 secp521r1 no "ward client -> s_server P-521"
grep -q 'olleh syas asnc' client.out || fail "P-521: no reversed line from s_server"
client c-o13-hrr.log --groups x25519,secp521r1 --key-share-groups x25519
expect_client c-o13-hrr.log 1.3 secp521r1 yes "ward client -> s_server, HRR to P-521"
stop "$SERVER_PID"
start_openssl_server osrv12-p521 -tls1_2 -rev -naccept 1 -groups P-521 \
    -cert "$PKI/ecdsa.pem" -key "$PKI/ecdsa.key"
client c-o12.log --tls1.2 --groups secp521r1,secp256r1
expect_client c-o12.log 1.2 secp521r1 - "ward client TLS 1.2 -> s_server P-521"
stop "$SERVER_PID"

start_gnutls_server gsrv-p521 --echo --crlf --x509certfile "$PKI/ecdsa-chain.pem" \
    --x509keyfile "$PKI/ecdsa.key" --priority "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2:-GROUP-ALL:+GROUP-SECP521R1"
client c-g13.log --groups P521
expect_client c-g13.log 1.3 secp521r1 no "ward client -> gnutls-serv P-521"
assert_same line.txt client.out "gnutls-serv P-521: echo"
client c-g12.log --tls1.2 --groups secp521r1,P-256
expect_client c-g12.log 1.2 secp521r1 - "ward client TLS 1.2 -> gnutls-serv P-521"
stop "$SERVER_PID"
ok "ward client --groups secp521r1 -> openssl s_server and gnutls-serv: TLS 1.3 (and HRR), TLS 1.2"

# ---- 2. SecP384r1MLKEM1024 and MLKEM1024, ward <-> ward ----

for g in SecP384r1MLKEM1024 MLKEM1024; do
    start_ward_server "ward-$g" --cert "$PKI/ecdsa.pem" --key "$PKI/ecdsa.key" --groups "$g"
    client "w-$g.log" --groups "$g"
    expect_client "w-$g.log" 1.3 "$g" no "$g on both"
    assert_same line.txt client.out "$g: echo"
    expect_server "$g, signature ecdsa_secp256r1_sha256, HRR no" "$g on both"
    client "w-$g-hrr.log" --groups "x25519,$g" --key-share-groups x25519
    expect_client "w-$g-hrr.log" 1.3 "$g" yes "HRR to $g"
    assert_same line.txt client.out "$g after HRR: echo"
    expect_server "$g, signature ecdsa_secp256r1_sha256, HRR yes" "HRR to $g"
    stop "$SERVER_PID"
    ok "ward <-> ward with --groups $g: first try and after a HelloRetryRequest"
done

# The CNSA 2.0 list against a server that has only P-384 and P-521 of it:
# the first key share (SecP384r1MLKEM1024) is unknown to s_server, which
# asks for P-384.
start_openssl_server osrv-cnsa -tls1_3 -rev -naccept 1 -groups P-384:P-521 \
    -cert "$PKI/ecdsa.pem" -key "$PKI/ecdsa.key"
client c-cnsa.log --groups SecP384r1MLKEM1024,ML-KEM-1024,secp384r1,secp521r1
expect_client c-cnsa.log 1.3 secp384r1 yes "CNSA list -> s_server P-384:P-521"
stop "$SERVER_PID"
ok "the CNSA 2.0 group list against openssl s_server: a retry to P-384"

# A TLS 1.2-only client with only ML-KEM groups cannot work: usage error.
rc=0
"$WARD" client --tls1.2 --groups MLKEM1024,SecP384r1MLKEM1024 127.0.0.1:1 \
    </dev/null >/dev/null 2>u12.log || rc=$?
[ "$rc" -eq 2 ] || fail "TLS 1.2 with only ML-KEM groups: exit $rc, expected 2: $(cat u12.log)"
assert_contains u12.log "--groups lists only post-quantum groups, which are TLS 1.3 only"
ok "a TLS 1.2-only client listing only ML-KEM groups is a usage error"

done_all
