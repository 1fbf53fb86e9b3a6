#!/usr/bin/env bash
# TLS 1.2 peers without the Extended Master Secret (RFC 7627), both
# directions, with GnuTLS (%NO_SESSION_HASH; OpenSSL 3.0's s_server has no
# switch to turn EMS off):
#   gnutls-cli -> ward server: refused by default (handshake_failure);
#     accepted with --allow-no-ems (data echoed), and `gnutls-cli --resume`
#     gets a new session the second time (no session ID, no ticket);
#   ward client -> gnutls-serv: refused by default; connects with
#     --allow-no-ems, saves no session for --sess-out, and --export is
#     refused (RFC 7627 §5.4).
. "$(dirname "$0")/lib.sh"
need gnutls-serv gnutls-cli
make_pki
cd "$WORK"

NO_EMS="NORMAL:-VERS-TLS1.3:%NO_SESSION_HASH"
printf 'no ems here\n' >line.txt

# gcli_noems NAME [ARGS...]: gnutls-cli without EMS against the ward server
# on $SERVER_PORT, line.txt in, output in NAME.out / NAME.log; sets GCLI_RC.
gcli_noems() {
    local name=$1
    shift
    GCLI_RC=0
    timeout 30 gnutls-cli --x509cafile "$PKI/ca.pem" --sni-hostname localhost \
        --verify-hostname localhost --priority "$NO_EMS" --logfile "$name.log" "$@" \
        -p "$SERVER_PORT" 127.0.0.1 <line.txt >"$name.out" 2>"$name.err" || GCLI_RC=$?
}

# ---- 1. gnutls-cli without EMS -> ward server, default: refused ----
start_ward_server strict --cert "$PKI/ecdsa-chain.pem" --key "$PKI/ecdsa.key" --max-connections 1
gcli_noems refused
[ "$GCLI_RC" -ne 0 ] || fail "gnutls-cli without EMS was accepted by default: $(cat refused.log)"
assert_contains refused.log "Received alert [40]: Handshake failed" "gnutls-cli (default ward server)"
assert_not_contains refused.out "no ems here" "gnutls-cli (default ward server)"
if wait_exit "$SERVER_PID" 20; then
    fail "ward server reported success for a client without EMS"
fi
assert_contains "$SERVER_LOG" \
    "handshake failed: client does not support the Extended Master Secret (RFC 7627), which ward requires"
assert_not_contains "$SERVER_LOG" "bytes in"
ok "gnutls-cli without EMS -> ward server: handshake_failure by default"

# ---- 2. with --allow-no-ems: connects, echoes, never resumes ----
start_ward_server lax --cert "$PKI/ecdsa-chain.pem" --key "$PKI/ecdsa.key" --allow-no-ems \
    --max-connections 2
gcli_noems resume --resume --verbose
[ "$GCLI_RC" -eq 0 ] || fail "gnutls-cli without EMS -> ward --allow-no-ems exited $GCLI_RC: $(cat resume.log resume.err)"
assert_contains resume.out "no ems here" "gnutls-cli (echo)"
assert_contains resume.log "- Connecting again- trying to resume previous session" "gnutls-cli"
assert_contains resume.log "- Resume Handshake was completed" "gnutls-cli"
assert_not_contains resume.log "This is a resumed session" "gnutls-cli --resume"
assert_not_contains resume.log "extended master secret" "gnutls-cli"
# ward handed out no session ID (and no ticket) to resume by
assert_not_contains resume.log "- Session ID:" "gnutls-cli"
wait_exit "$SERVER_PID" 20 || fail "ward server --allow-no-ems did not end cleanly: $(cat "$SERVER_LOG")"
[ "$(count "$SERVER_LOG" ", no extended master secret")" -eq 2 ] ||
    fail "ward server did not log two connections without EMS: $(cat "$SERVER_LOG")"
[ "$(count "$SERVER_LOG" "resumed: no")" -eq 2 ] ||
    fail "ward server did not log two full handshakes: $(cat "$SERVER_LOG")"
assert_not_contains "$SERVER_LOG" "resumed: yes"
assert_contains "$SERVER_LOG" "12 bytes in, 12 bytes out"
ok "gnutls-cli without EMS -> ward server --allow-no-ems: echoed, --resume gets a new session"

# ---- 3. ward client -> gnutls-serv without EMS ----
start_gnutls_server srv --echo --x509certfile "$PKI/rsa-chain.pem" --x509keyfile "$PKI/rsa.key" \
    --priority "$NO_EMS"
CLIENT_IN=line.txt CLIENT_OUT=strict.out ward_client strict.log --cafile "$PKI/ca.pem" \
    --servername localhost "127.0.0.1:$SERVER_PORT"
[ "$CLIENT_RC" -eq 1 ] || fail "ward client against gnutls-serv without EMS exited $CLIENT_RC (expected 1)"
assert_contains strict.log \
    "ward: error: server does not support the Extended Master Secret (RFC 7627), which ward requires"
[ ! -s strict.out ] || fail "ward client delivered data from a refused server"
ok "ward client -> gnutls-serv without EMS: refused by default"

CLIENT_IN=line.txt CLIENT_OUT=lax.out ward_client lax.log --cafile "$PKI/ca.pem" \
    --servername localhost --allow-no-ems --sess-out sess.bin "127.0.0.1:$SERVER_PORT"
[ "$CLIENT_RC" -eq 0 ] || fail "ward client --allow-no-ems exited $CLIENT_RC: $(cat lax.log)"
assert_contains lax.log ", no extended master secret"
assert_contains lax.log "resumed: no"
assert_contains lax.log "note: no extended master secret: a TLS 1.2 session without it is never resumed"
assert_contains lax.out "no ems here" "ward client --allow-no-ems (echo)"
[ ! -e sess.bin ] || fail "ward client saved a session made without EMS (--sess-out sess.bin)"
ok "ward client --allow-no-ems -> gnutls-serv without EMS: echoed, no session saved"

# An EMS session from a server with EMS is not offered to, nor resumed by, a
# hello answered without EMS: a full handshake.
stop "$SERVER_PID"
start_gnutls_server srv-ems --echo --x509certfile "$PKI/rsa-chain.pem" --x509keyfile "$PKI/rsa.key" \
    --priority "NORMAL:-VERS-TLS1.3"
CLIENT_IN=line.txt CLIENT_OUT=ems.out ward_client ems.log --cafile "$PKI/ca.pem" \
    --servername localhost --sess-out ems.sess "127.0.0.1:$SERVER_PORT"
[ "$CLIENT_RC" -eq 0 ] && [ -s ems.sess ] || fail "ward client saved no EMS session: $(cat ems.log)"
stop "$SERVER_PID"
start_gnutls_server srv2 --echo --x509certfile "$PKI/rsa-chain.pem" --x509keyfile "$PKI/rsa.key" \
    --priority "$NO_EMS"
CLIENT_IN=line.txt CLIENT_OUT=again.out ward_client again.log --cafile "$PKI/ca.pem" \
    --servername localhost --allow-no-ems --sess-in ems.sess "127.0.0.1:$SERVER_PORT"
[ "$CLIENT_RC" -eq 0 ] || fail "ward client --allow-no-ems --sess-in exited $CLIENT_RC: $(cat again.log)"
assert_contains again.log "resumed: no"
assert_contains again.log ", no extended master secret"
ok "ward client --allow-no-ems --sess-in: a full handshake without EMS, not resumed"

CLIENT_IN=line.txt CLIENT_OUT=export.out ward_client export.log --cafile "$PKI/ca.pem" \
    --servername localhost --allow-no-ems --export EXPERIMENTAL-ward:32 "127.0.0.1:$SERVER_PORT"
[ "$CLIENT_RC" -eq 1 ] || fail "ward client --export without EMS exited $CLIENT_RC (expected 1): $(cat export.log)"
assert_contains export.log \
    "ward: error: --export EXPERIMENTAL-ward:32: refused: this TLS 1.2 connection has no extended master secret"
assert_not_contains export.log "exported:"
stop "$SERVER_PID"
ok "ward client --allow-no-ems --export: refused (RFC 7627 §5.4)"

done_all
