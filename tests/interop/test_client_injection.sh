#!/usr/bin/env bash
# Issue #15, the client half of every line protocol against a real socket:
# a server that pipelines plaintext right behind its go-ahead (the
# command-injection flaw of CVE-2011-0411) makes ward client fail before
# the TLS handshake: exit 1, the error names the bytes and the go-ahead
# they came after, and none of them reach stdout. The same bytes sent
# late, in a segment of their own after ward's ClientHello, fail the
# handshake ("did not speak TLS", and a hint that names the injection). The server is
# tests/interop/stt_server.py PROTO inject, which sends its go-ahead and
# the injected line in one send. (smtp and imap are also in
# test_client_url.sh, with the success and refusal cases.)
source "$(dirname "$0")/lib.sh"
need python3
make_pki

# start_stt PROTO MODE: stt_server.py PROTO MODE (inject, inject-late);
# sets STT_PID, STT_PORT, STT_LOG.
start_stt() {
    STT_LOG="$WORK/$1-$2.log"
    python3 "$WARD_TESTS/interop/stt_server.py" "$1" "$2" "$PKI/ecdsa.pem" "$PKI/ecdsa.key" \
        >"$WORK/$1-$2.port" 2>"$STT_LOG" &
    STT_PID=$!
    PIDS+=("$STT_PID")
    STT_PORT=$(wait_line "$WORK/$1-$2.port" '^[0-9]+$' "$STT_PID" 15) ||
        fail "stt_server.py $1 $2 did not start: $(cat "$STT_LOG")"
}

# run_client NAME PROTO: ward client PROTO://localhost:STT_PORT, stdin a
# line, expecting exit 1 and nothing on stdout.
run_client() {
    local helo=()
    [ "$2" != xmpp-server ] || helo=(--helo peer.ward.test)
    printf 'a1 NOOP\r\n' >"$WORK/in.txt"
    CLIENT_IN="$WORK/in.txt" ward_client "$WORK/$1.client" --cafile "$PKI/ca.pem" \
        "${helo[@]}" "$2://localhost:$STT_PORT"
    [ "$CLIENT_RC" -eq 1 ] || fail "$1: exit $CLIENT_RC, expected 1: $(tail -n 3 "$WORK/$1.client")"
    [ ! -s "$WORK/client.out" ] || fail "$1: something went to stdout: $(head -c 200 "$WORK/client.out")"
    assert_not_contains "$WORK/$1.client" "ward: TLS 1." "$1: no completed handshake"
}

# PROTO|the go-ahead as the error names it|the injected bytes as quoted
# (stt_server.py's INJECT_SCRIPTS)
CASES=(
    "smtp|the server's 220 go-ahead|250 injected\\x0d\\x0a"
    "lmtp|the server's 220 go-ahead|250 2.1.0 injected\\x0d\\x0a"
    "imap|the server's tagged OK to STARTTLS|* OK injected\\x0d\\x0a"
    "pop3|the server's +OK to STLS|+OK injected\\x0d\\x0a"
    "sieve|the server's OK to STARTTLS|OK \\x22injected\\x22\\x0d\\x0a"
    "ftp|the server's 234 go-ahead|230 injected\\x0d\\x0a"
    "nntp|the server's 382 go-ahead|211 injected\\x0d\\x0a"
    "xmpp|the server's <proceed/>|<success xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>"
    "xmpp-server|the server's <proceed/>|<db:result from='localhost' to='localhost' type='valid'/>"
)

for c in "${CASES[@]}"; do
    IFS='|' read -r proto what quoted <<<"$c"
    inj=$(printf '%b' "$quoted" | tr -d '\r\n')
    injected_bytes=$(printf '%b' "$quoted" | wc -c)
    start_stt "$proto" inject
    run_client "$proto" "$proto"
    want="ward: error: $injected_bytes bytes came after $what, before the TLS handshake (command injection?): \"$quoted\""
    grep -qxF -- "$want" "$WORK/$proto.client" ||
        fail "$proto: not the injection error '$want': $(grep 'error' "$WORK/$proto.client")"
    # the injected text shows only inside the error, never as a line of the dialogue
    if grep -v '^ward: error: ' "$WORK/$proto.client" | grep -qF -- "$inj"; then
        fail "$proto: the injected bytes were shown outside the error"
    fi
    case $proto in
    smtp | imap) assert_contains "$STT_LOG" "STARTTLS" "$proto: the server's log" ;;
    *) assert_contains "$STT_LOG" "stt_server: sent the go-ahead and" "$proto: the server's script" ;;
    esac
    wait_exit "$STT_PID" 15 || fail "$proto: stt_server.py did not finish: $(cat "$STT_LOG")"
    ok "$proto: $injected_bytes bytes behind $what: exit 1, the injection named, no handshake, nothing on stdout"

    # The same bytes 0.3 s later, on their own, when ward has sent its
    # ClientHello: they reach the engine as the server's first "record".
    start_stt "$proto" inject-late
    run_client "$proto-late" "$proto"
    shown=$(printf '%b' "$quoted" | tr '\r\n' '..' | head -c 32)
    grep -qxF -- "ward: error: the peer did not speak TLS (it sent \"$shown\"): wrong port, or a service that needs STARTTLS first?" \
        "$WORK/$proto-late.client" || fail "$proto-late: $(grep 'error' "$WORK/$proto-late.client")"
    assert_contains "$WORK/$proto-late.client" "ward: hint: the server agreed to STARTTLS, then sent plaintext instead of its TLS handshake" "$proto-late"
    wait_exit "$STT_PID" 15 || fail "$proto-late: stt_server.py did not finish: $(cat "$STT_LOG")"
    ok "$proto: the same bytes sent late: exit 1, 'did not speak TLS' and the STARTTLS hint, nothing on stdout"
done
done_all
