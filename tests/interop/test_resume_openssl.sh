#!/usr/bin/env bash
# Session resumption between ward and OpenSSL:
#  a. ward client --sess-out / --sess-in against `openssl s_server`: the
#     second connection is resumed on both sides; a corrupt or missing
#     --sess-in file is an error, never a silent full handshake;
#  b. `openssl s_client -sess_out` / `-sess_in` against ward server;
#  c. ticket keys rotating through --ticket-keys files: a ticket under the
#     previous key still resumes, once its key is gone a full handshake
#     follows, without an error; a key file that changes under a running
#     server is picked up.
# TLS 1.3 and TLS 1.2 (tickets, and session IDs without tickets).
. "$(dirname "$0")/lib.sh"
need openssl
make_pki
cd "$WORK"

VERSIONS=(1.3 1.2)
declare -A OSSL_VER=([1.3]=-tls1_3 [1.2]=-tls1_2)
declare -A OSSL_NAME=([1.3]=TLSv1.3 [1.2]=TLSv1.2)

printf 'resume me\n' >line.txt

client() { # client LOG ARGS...: ward client verifying the test PKI
    local logf=$1
    shift
    ward_client "$logf" --cafile "$PKI/ca.pem" --servername localhost "$@" "127.0.0.1:$SERVER_PORT"
}

# sc NAME ARGS...: s_client against the ward echo server, until the echo
# (and with it the session tickets) came back (lib.sh).
sc() { s_client_echo 'resume me' "$1" "$SERVER_PORT" "${@:2}"; }

for v in "${VERSIONS[@]}"; do
    # ---- a. ward client against openssl s_server ----
    # (not -rev: only the full output says "Reused session-id"; s_server
    # writes what it receives to stdout)
    start_openssl_server "srv-$v" "${OSSL_VER[$v]}" -cert "$PKI/ecdsa.pem" -key "$PKI/ecdsa.key"
    # an older, world-readable file in the way is replaced by a private one
    printf 'old\n' >"sess-$v.bin"
    chmod 644 "sess-$v.bin"
    CLIENT_IN=line.txt client "a1-$v.log" --sess-out "sess-$v.bin"
    [ "$CLIENT_RC" -eq 0 ] || fail "$v first connection: ward client exited $CLIENT_RC: $(cat "a1-$v.log")"
    assert_contains "a1-$v.log" "ward: resumed: no"
    assert_contains "a1-$v.log" "ward: session saved to sess-$v.bin (TLS $v)"
    [ -s "sess-$v.bin" ] || fail "$v: --sess-out wrote nothing"
    [ "$(stat -c %a "sess-$v.bin")" = 600 ] || fail "$v: --sess-out file has mode $(stat -c %a "sess-$v.bin"), not 600"
    [ ! -e "sess-$v.bin.tmp" ] || fail "$v: --sess-out left sess-$v.bin.tmp behind"
    ok "TLS $v: ward client saved the session from s_server (mode 600)"

    CLIENT_IN=line.txt client "a2-$v.log" --sess-in "sess-$v.bin"
    [ "$CLIENT_RC" -eq 0 ] || fail "$v resumption: ward client exited $CLIENT_RC: $(cat "a2-$v.log")"
    assert_contains "a2-$v.log" "ward: TLS $v,"
    assert_contains "a2-$v.log" "ward: resumed: yes"
    assert_contains "a2-$v.log" "ward: peer certificate: none"
    assert_contains "a2-$v.log" "ward: verified: by the resumed session"
    [ "$(count "$SERVER_OUT" "resume me")" = 2 ] || fail "$v resumption: s_server did not get the data"
    [ "$(count "$SERVER_OUT" "Reused session-id")" = 1 ] ||
        fail "$v: s_server should report exactly one reused session: $(grep -E 'Reused|CIPHER' "$SERVER_OUT")"
    ok "TLS $v: ward client --sess-in resumed with s_server (s_server: Reused session-id)"

    # a corrupt or a missing file: an error, and no connection at all
    conns=$(count "$SERVER_OUT" "CIPHER is")
    cp "sess-$v.bin" "bad-$v.bin"
    printf '\x01\x02garbage' | dd of="bad-$v.bin" bs=1 seek=3 conv=notrunc 2>/dev/null
    CLIENT_IN=line.txt client "bad-$v.log" --sess-in "bad-$v.bin"
    [ "$CLIENT_RC" -eq 1 ] || fail "$v corrupt --sess-in: exit $CLIENT_RC, expected 1: $(cat "bad-$v.log")"
    assert_contains "bad-$v.log" "is not a saved session"
    CLIENT_IN=line.txt client "missing-$v.log" --sess-in "missing-$v.bin"
    [ "$CLIENT_RC" -eq 1 ] || fail "$v missing --sess-in: exit $CLIENT_RC, expected 1"
    assert_contains "missing-$v.log" "cannot read --sess-in missing-$v.bin: No such file"
    sleep 0.3
    [ "$(count "$SERVER_OUT" "CIPHER is")" = "$conns" ] ||
        fail "$v: a bad --sess-in file still led to a handshake"
    ok "TLS $v: corrupt or missing --sess-in is an error, not a full handshake"
    stop "$SERVER_PID"

    # ---- b. openssl s_client against ward server ----
    start_ward_server "ward-$v" --cert "$PKI/ecdsa.pem" --key "$PKI/ecdsa.key"
    sc "b1-$v" "${OSSL_VER[$v]}" -sess_out "sess-$v.pem"
    assert_contains "b1-$v.out" "New, ${OSSL_NAME[$v]}"
    [ -s "sess-$v.pem" ] || fail "$v: s_client -sess_out wrote nothing"
    sc "b2-$v" "${OSSL_VER[$v]}" -sess_in "sess-$v.pem"
    assert_contains "b2-$v.out" "Reused, ${OSSL_NAME[$v]}"
    sleep 0.3
    [ "$(count "$SERVER_LOG" "resumed: yes")" = 1 ] || fail "$v: ward server should log one resumed connection"
    [ "$(count "$SERVER_LOG" "resumed: no")" = 1 ] || fail "$v: ward server should log one full handshake"
    assert_not_contains "$SERVER_LOG" "failed"
    ok "TLS $v: s_client -sess_in resumed with ward server (Reused, ${OSSL_NAME[$v]}; server logs resumed)"
    # with --tickets 0 there is no ticket to resume with
    stop "$SERVER_PID"
    if [ "$v" = 1.3 ]; then
        start_ward_server "ward-notix-$v" --cert "$PKI/ecdsa.pem" --key "$PKI/ecdsa.key" --tickets 0
        sc "b3-$v" "${OSSL_VER[$v]}" -sess_out "notix-$v.pem"
        assert_not_contains "b3-$v.out" "Post-Handshake New Session Ticket"
        stop "$SERVER_PID"
        ok "TLS $v: ward server --tickets 0 hands out no ticket"
    fi

    # ---- c. ticket keys rotating through files ----
    k1=$(openssl rand -hex 48)
    k2=$(openssl rand -hex 48)
    k3=$(openssl rand -hex 48)
    printf '%s\n' "$k1" >keys1.txt
    printf '%s\n%s\n' "$k2" "$k1" >keys21.txt
    printf '# rotated twice\n%s\n%s\n' "$k3" "$k2" >keys32.txt
    start_ward_server "ward-k1-$v" --cert "$PKI/ecdsa.pem" --key "$PKI/ecdsa.key" --ticket-keys keys1.txt
    sc "c1-$v" "${OSSL_VER[$v]}" -sess_out "k1-$v.pem"
    assert_contains "c1-$v.out" "New, ${OSSL_NAME[$v]}"
    stop "$SERVER_PID"
    start_ward_server "ward-k21-$v" --cert "$PKI/ecdsa.pem" --key "$PKI/ecdsa.key" --ticket-keys keys21.txt
    sc "c2-$v" "${OSSL_VER[$v]}" -sess_in "k1-$v.pem"
    assert_contains "c2-$v.out" "Reused, ${OSSL_NAME[$v]}"
    stop "$SERVER_PID"
    assert_contains "$SERVER_LOG" "resumed: yes"
    ok "TLS $v: a ticket under the previous key (file [K2,K1]) still resumes"
    start_ward_server "ward-k32-$v" --cert "$PKI/ecdsa.pem" --key "$PKI/ecdsa.key" --ticket-keys keys32.txt
    sc "c3-$v" "${OSSL_VER[$v]}" -sess_in "k1-$v.pem"
    assert_contains "c3-$v.out" "New, ${OSSL_NAME[$v]}"
    assert_not_contains "c3-$v.err" ":error:"
    sleep 0.3
    assert_contains "$SERVER_LOG" "resumed: no"
    assert_not_contains "$SERVER_LOG" "failed"
    ok "TLS $v: a ticket whose key is gone (file [K3,K2]) gives a full handshake, no error"
    # the same server, its key file rewritten to [K1]: picked up within a second
    sc "c4-$v" "${OSSL_VER[$v]}" -sess_out "k3-$v.pem"
    cp keys1.txt keys.new && mv keys.new keys32.txt
    sleep 1.5
    sc "c5-$v" "${OSSL_VER[$v]}" -sess_in "k1-$v.pem"
    assert_contains "c5-$v.out" "Reused, ${OSSL_NAME[$v]}"
    sc "c6-$v" "${OSSL_VER[$v]}" -sess_in "k3-$v.pem"
    assert_contains "c6-$v.out" "New, ${OSSL_NAME[$v]}"
    stop "$SERVER_PID"
    ok "TLS $v: a changed --ticket-keys file is picked up by the running server"

    # without --ticket-keys: keys made at start-up, shared by every connection
    start_ward_server "ward-auto-$v" --cert "$PKI/ecdsa.pem" --key "$PKI/ecdsa.key"
    sc "d1-$v" "${OSSL_VER[$v]}" -sess_out "auto-$v.pem"
    for i in 2 3; do
        sc "d$i-$v" "${OSSL_VER[$v]}" -sess_in "auto-$v.pem"
        assert_contains "d$i-$v.out" "Reused, ${OSSL_NAME[$v]}"
    done
    stop "$SERVER_PID"
    ok "TLS $v: generated ticket keys work across ward server's connections"
done

# TLS 1.2 resumption by session ID (no ticket), both ways: ward server's
# session cache must be shared by its forked connections.
start_ward_server ward-sid --cert "$PKI/ecdsa.pem" --key "$PKI/ecdsa.key"
sc sid1 -tls1_2 -no_ticket -sess_out sid.pem
assert_contains sid1.out "New, TLSv1.2"
sc sid2 -tls1_2 -no_ticket -sess_in sid.pem
assert_contains sid2.out "Reused, TLSv1.2"
stop "$SERVER_PID"
ok "TLS 1.2: s_client -no_ticket resumed by session ID with ward server"
# and the ward client resuming by session ID (s_server -no_ticket)
start_openssl_server srv-sid -tls1_2 -no_ticket -cert "$PKI/ecdsa.pem" -key "$PKI/ecdsa.key"
CLIENT_IN=line.txt client sid1.log --sess-out sid.bin
[ "$CLIENT_RC" -eq 0 ] || fail "session ID: ward client exited $CLIENT_RC: $(cat sid1.log)"
assert_contains sid1.log "session saved to sid.bin (TLS 1.2)"
CLIENT_IN=line.txt client sid2.log --sess-in sid.bin
[ "$CLIENT_RC" -eq 0 ] || fail "session ID: ward client (resuming) exited $CLIENT_RC: $(cat sid2.log)"
assert_contains sid2.log "ward: resumed: yes"
[ "$(count "$SERVER_OUT" "Reused session-id")" = 1 ] || fail "session ID: s_server did not reuse the session"
stop "$SERVER_PID"
ok "TLS 1.2: ward client resumed by session ID with s_server -no_ticket"

# bad usage and bad key files
rc=0
"$WARD" client --early-data line.txt 127.0.0.1:1 2>usage.log || rc=$?
[ "$rc" -eq 2 ] || fail "--early-data without --sess-in: exit $rc, expected 2"
assert_contains usage.log "--early-data needs --sess-in"
printf 'not hex\n' >badkeys.txt
rc=0
timeout 10 "$WARD" server --listen 127.0.0.1:0 --ticket-keys badkeys.txt 2>badkeys.log || rc=$?
[ "$rc" -eq 1 ] || fail "a bad --ticket-keys file: exit $rc, expected 1"
assert_contains badkeys.log "96 hex digits"
rc=0
"$WARD" server --tickets 17 2>tickets.log || rc=$?
[ "$rc" -eq 2 ] || fail "--tickets 17: exit $rc, expected 2"
ok "usage errors: --early-data without --sess-in, a bad key file, --tickets 17"

done_all
