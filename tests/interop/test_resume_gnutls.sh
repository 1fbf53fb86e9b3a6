#!/usr/bin/env bash
# Session resumption between ward and GnuTLS:
#  a. `gnutls-cli --resume` against ward server: the second connection is
#     resumed ("*** This is a resumed session"; ward logs "resumed: yes"),
#     and with --earlydata its 0-RTT data is accepted and echoed;
#  b. ward client --sess-out / --sess-in against `gnutls-serv --echo`
#     (tickets are on by default): resumed on both sides, and with
#     gnutls-serv --earlydata, ward's 0-RTT data accepted (gnutls-serv
#     does not echo early data: the client's word is what can be checked).
# TLS 1.3 and TLS 1.2.
. "$(dirname "$0")/lib.sh"
need gnutls-cli gnutls-serv
make_pki
cd "$WORK"

VERSIONS=(1.3 1.2)
declare -A GT_PRIO=([1.3]="NORMAL:-VERS-ALL:+VERS-TLS1.3" [1.2]="NORMAL:-VERS-ALL:+VERS-TLS1.2")
declare -A GT_NAME=([1.3]="TLS1.3" [1.2]="TLS1.2")

printf 'gnutls resumes\n' >line.txt
printf 'early from gnutls-cli\n' >early.txt
cat early.txt line.txt >both.txt

# gcli NAME PRIORITY ARGS...: gnutls-cli --resume (a full handshake, then a
# second connection resuming it) sends line.txt on the second connection
# and keeps its stdin open until it came back. Data in NAME.out, the
# connection details in NAME.log.
gcli() {
    local name=$1 prio=$2 i
    shift 2
    : >"$name.out"
    GCLI_RC=0
    {
        cat line.txt
        for ((i = 0; i < 400; i++)); do
            grep -qF 'gnutls resumes' "$name.out" 2>/dev/null && break
            sleep 0.05
        done
    } | timeout 60 gnutls-cli --resume --x509cafile "$PKI/ca.pem" --sni-hostname localhost \
        --verify-hostname localhost --priority "$prio" --logfile "$name.log" "$@" \
        -p "$SERVER_PORT" 127.0.0.1 >"$name.out" 2>"$name.err" || GCLI_RC=$?
    [ "$GCLI_RC" -eq 0 ] || fail "$name: gnutls-cli exited $GCLI_RC: $(cat "$name.log" "$name.err")"
}

client() { # client LOG ARGS...
    local logf=$1
    shift
    ward_client "$logf" --cafile "$PKI/ca.pem" --servername localhost "$@" "127.0.0.1:$SERVER_PORT"
}

for v in "${VERSIONS[@]}"; do
    # ---- a. gnutls-cli --resume against ward server ----
    start_ward_server "ward-$v" --cert "$PKI/ecdsa.pem" --key "$PKI/ecdsa.key"
    gcli "a-$v" "${GT_PRIO[$v]}"
    assert_contains "a-$v.log" "(${GT_NAME[$v]}-"
    assert_contains "a-$v.log" "*** This is a resumed session"
    assert_same line.txt "a-$v.out" "$v: the echo on the resumed connection"
    sleep 0.3
    [ "$(count "$SERVER_LOG" "resumed: yes")" = 1 ] || fail "$v: ward server should log one resumed connection"
    [ "$(count "$SERVER_LOG" "resumed: no")" = 1 ] || fail "$v: ward server should log one full handshake"
    stop "$SERVER_PID"
    ok "TLS $v: gnutls-cli --resume resumed with ward server (both sides say so)"

    # ---- b. ward client against gnutls-serv ----
    start_gnutls_server "gsrv-$v" --echo --x509certfile "$PKI/ecdsa-chain.pem" \
        --x509keyfile "$PKI/ecdsa.key" --priority "${GT_PRIO[$v]}"
    rm -f "sess-$v.bin"
    CLIENT_IN=line.txt client "b1-$v.log" --sess-out "sess-$v.bin"
    [ "$CLIENT_RC" -eq 0 ] || fail "$v: ward client (full handshake) exited $CLIENT_RC: $(cat "b1-$v.log")"
    assert_contains "b1-$v.log" "ward: resumed: no"
    assert_contains "b1-$v.log" "session saved to sess-$v.bin (TLS $v)"
    CLIENT_IN=line.txt client "b2-$v.log" --sess-in "sess-$v.bin"
    [ "$CLIENT_RC" -eq 0 ] || fail "$v: ward client (resuming) exited $CLIENT_RC: $(cat "b2-$v.log")"
    assert_contains "b2-$v.log" "ward: TLS $v,"
    assert_contains "b2-$v.log" "ward: resumed: yes"
    assert_same line.txt client.out "$v: the echo on the resumed connection"
    sleep 0.3
    [ "$(count "$SERVER_OUT" "*** This is a resumed session")" = 1 ] ||
        fail "$v: gnutls-serv should report one resumed session"
    stop "$SERVER_PID"
    ok "TLS $v: ward client --sess-in resumed with gnutls-serv (both sides say so)"
done

# ---- 0-RTT (TLS 1.3) ----
start_ward_server ward-early --cert "$PKI/ecdsa.pem" --key "$PKI/ecdsa.key" --max-early-data 16384
gcli early "${GT_PRIO[1.3]}" --earlydata=early.txt
assert_contains early.log "*** This is a resumed session"
assert_same both.txt early.out "gnutls-cli 0-RTT: early data and the line, echoed"
sleep 0.3
assert_contains "$SERVER_LOG" "early data: $(stat -c %s early.txt) bytes (replayable)"
stop "$SERVER_PID"
ok "gnutls-cli --earlydata: 0-RTT accepted by ward server and echoed"

start_gnutls_server gsrv-early --echo --earlydata --x509certfile "$PKI/ecdsa-chain.pem" \
    --x509keyfile "$PKI/ecdsa.key" --priority "${GT_PRIO[1.3]}"
CLIENT_IN=line.txt client e1.log --sess-out early.bin
[ "$CLIENT_RC" -eq 0 ] || fail "ward client (full handshake) exited $CLIENT_RC: $(cat e1.log)"
CLIENT_IN=line.txt client e2.log --sess-in early.bin --early-data early.txt
[ "$CLIENT_RC" -eq 0 ] || fail "ward client (0-RTT) exited $CLIENT_RC: $(cat e2.log)"
assert_contains e2.log "ward: resumed: yes"
assert_contains e2.log "early data: accepted ($(stat -c %s early.txt) bytes)"
# (gnutls-serv --echo takes early data but does not echo it)
assert_same line.txt client.out "ward 0-RTT to gnutls-serv: the line after the early data, echoed"
stop "$SERVER_PID"
ok "ward client --early-data: 0-RTT accepted by gnutls-serv --earlydata"

done_all
