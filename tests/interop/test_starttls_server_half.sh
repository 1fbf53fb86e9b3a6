#!/usr/bin/env bash
# Issue #15: the server half of every STARTTLS dialogue, driven by real
# client libraries. stt_testserver (tests/starttls_server/, built on
# libward's public API only) runs the server half of ward_starttls, then
# TLS on the same socket, then a minimal responder. Python's smtplib,
# imaplib, poplib, ftplib.FTP_TLS and nntplib upgrade with STARTTLS,
# verify "localhost" against the test CA and finish their sessions over
# TLS 1.3; openssl s_client -starttls does the same for lmtp, sieve,
# xmpp, xmpp-server, ldap, postgres and mysql. Then command injection
# (CVE-2011-0411): a client that pipelines a command behind its STARTTLS
# gets no go-ahead, the connection is closed and the server names the
# injection, for smtp, lmtp, imap, pop3, ftp, nntp and sieve.
source "$(dirname "$0")/lib.sh"

: "${STT_TESTSERVER:?set STT_TESTSERVER to the stt_testserver binary}"
PY=/usr/bin/python3
CLIENTS="$WARD_TESTS/interop/stt_clients.py"
need openssl "$PY"
[ -x "$STT_TESTSERVER" ] || fail "stt_testserver not found at '$STT_TESTSERVER'"
make_pki
cd "$WORK"

# start_stt PROTO: a test server for PROTO; sets STT_PID, STT_PORT, STT_LOG.
start_stt() {
    local i
    STT_LOG="$WORK/stt-$1.log"
    rm -f "$WORK/$1.port"
    "$STT_TESTSERVER" "$1" "$WORK/$1.port" "$PKI/ecdsa-chain.pem" "$PKI/ecdsa.key" \
        </dev/null >/dev/null 2>"$STT_LOG" &
    STT_PID=$!
    PIDS+=("$STT_PID")
    for ((i = 0; i < 200; i++)); do
        [ -s "$WORK/$1.port" ] && break
        kill -0 "$STT_PID" 2>/dev/null || fail "stt_testserver $1 exited: $(cat "$STT_LOG")"
        sleep 0.05
    done
    STT_PORT=$(cat "$WORK/$1.port") || fail "stt_testserver $1 wrote no port"
}

# lib_session PROTO: Python's client library for PROTO against the server.
lib_session() {
    local out="$WORK/$1-lib.out" go
    timeout 30 "$PY" -W error::DeprecationWarning:__main__ "$CLIENTS" lib "$1" "$STT_PORT" \
        "$PKI/ca.pem" >"$out" 2>"$WORK/$1-lib.log" ||
        fail "$1: the Python client failed: $(tail -n 5 "$WORK/$1-lib.log")"
    case $1 in
    smtp) go=220 ;; imap) go=OK ;; pop3) go=+OK ;; ftp) go=234 ;; nntp) go=382 ;;
    esac
    assert_contains "$out" "$1: go-ahead $go version TLSv1.3" "$1: the Python client"
    wait_line "$STT_LOG" "TLS up .* for $1" "$STT_PID" 5 >/dev/null ||
        fail "$1: the server did not log its TLS session"
    ok "$1: Python's client upgraded ($go), verified localhost over TLSv1.3 and quit"
}

# sclient_starttls PROTO: openssl s_client -starttls PROTO completes the
# handshake, verifying localhost, and closes when its stdin ends.
sclient_starttls() {
    local out="$WORK/$1-sclient.out" rc=0
    timeout 30 openssl s_client -starttls "$1" -connect "127.0.0.1:$STT_PORT" \
        -CAfile "$PKI/ca.pem" -verify_return_error -servername localhost \
        </dev/null >"$out" 2>"$WORK/$1-sclient.log" || rc=$?
    [ "$rc" -eq 0 ] || fail "$1: s_client exited $rc: $(tail -n 5 "$WORK/$1-sclient.log")"
    assert_contains "$out" "Verify return code: 0 (ok)" "$1: s_client"
    assert_contains "$out" "New, TLSv1.3, Cipher is" "$1: s_client"
    wait_line "$STT_LOG" "TLS up .* for $1" "$STT_PID" 5 >/dev/null ||
        fail "$1: the server did not log its TLS session"
    ok "$1: openssl s_client -starttls $1 verified localhost over TLSv1.3"
}

# inject PROTO: a command pipelined behind the one that starts TLS.
inject() {
    local out="$WORK/$1-inject.out"
    timeout 30 "$PY" "$CLIENTS" inject "$1" "$STT_PORT" >"$out" 2>"$WORK/$1-inject.log" ||
        fail "$1: the injecting client failed: $(tail -n 5 "$WORK/$1-inject.log")"
    assert_contains "$out" ": '', closed True" "$1: no go-ahead after the pipelined STARTTLS"
    wait_line "$STT_LOG" "dialogue failed .*injection" "$STT_PID" 5 >/dev/null ||
        fail "$1: the server did not name the injection: $(tail -n 3 "$STT_LOG")"
    ok "$1: $(grep -m1 -o 'dialogue failed .*' "$STT_LOG" | cut -c1-110)"
}

for proto in smtp imap pop3 ftp nntp; do
    start_stt "$proto"
    lib_session "$proto"
    inject "$proto"
    stop "$STT_PID"
done
for proto in lmtp sieve xmpp xmpp-server ldap postgres mysql; do
    start_stt "$proto"
    sclient_starttls "$proto"
    case $proto in lmtp | sieve) inject "$proto" ;; esac
    stop "$STT_PID"
done
done_all
