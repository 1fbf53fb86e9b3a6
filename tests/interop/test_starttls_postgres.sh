#!/usr/bin/env bash
# Issue #15: PostgreSQL's SSLRequest against a real PostgreSQL 15
# (tests/interop/servers.sh: start_postgres, two clusters made by initdb).
#
# ssl=on: ward client postgres://127.0.0.1:PORT sends the SSLRequest, the
# server answers 'S', the handshake completes and the chain verifies; then
# a StartupMessage (protocol 3.0, user and database "postgres") piped on
# ward's stdin reaches the server over TLS, and its answer (trust
# authentication: AuthenticationOk, an 'R' message, then ParameterStatus
# ... ReadyForQuery) comes back on stdout. A Terminate ('X') ends the
# session. The server's log must show the connection authorized with SSL.
#
# ssl=off: the server answers 'N'; ward exits 1 saying so and sends
# nothing after the SSLRequest (no StartupMessage in plaintext: the server
# logs none, and would log "connection authorized" for one).
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/servers.sh"

need python3 setpriv
[ -x "$PG_BIN/postgres" ] ||
    fail "PostgreSQL 15 is not installed at $PG_BIN (scripts/install-deps.sh test installs postgresql)"
make_pki
start_postgres
cd "$WORK"

# StartupMessage: Int32 length (41, 0x29, itself included), Int32 196608
# (protocol 3.0), then "user\0postgres\0database\0postgres\0\0";
# Terminate: 'X', Int32 4.
startup() {
    printf '\x00\x00\x00\x29\x00\x03\x00\x00user\0postgres\0database\0postgres\0\0'
    printf 'X\x00\x00\x00\x04'
}
startup >startup.bin
[ "$(wc -c <startup.bin)" -eq 46 ] || fail "the StartupMessage is $(wc -c <startup.bin) bytes, not 41 + 5"

# with TLS
CLIENT_IN=startup.bin CLIENT_OUT=tls.out ward_client tls.err --cafile "$PKI/ca.pem" \
    --servername localhost "postgres://127.0.0.1:$PG_PORT"
[ "$CLIENT_RC" -eq 0 ] || fail "ward client exited $CLIENT_RC: $(tail -n 3 tls.err | tr '\n' '|')"
assert_contains tls.err "ward: C: SSLRequest" "the dialogue"
grep -q "^ward: S: S" tls.err || fail "ward did not show the server's 'S': $(grep '^ward: [CS]' tls.err | tr '\n' '|')"
grep -qx 'ward: verified: chain' tls.err || fail "ward did not report a verified chain"
ok "postgres (port $PG_PORT): SSLRequest answered 'S', handshake done, chain verified"
[ "$(head -c 1 tls.out)" = R ] ||
    fail "the server's first message is not 'R' (authentication): $(od -An -c tls.out | head -n 2)"
# AuthenticationOk: 'R', length 8, code 0; ReadyForQuery: 'Z', length 5, 'I'
[ "$(head -c 9 tls.out | od -An -tx1 | tr -d ' \n')" = 520000000800000000 ] ||
    fail "the first message is not AuthenticationOk: $(head -c 9 tls.out | od -An -tx1)"
grep -qa 'server_version' tls.out || fail "no ParameterStatus server_version in the answer"
ok "over TLS the StartupMessage got AuthenticationOk, ParameterStatus and more ($(wc -c <tls.out) bytes)"
_wait_text "$PG_LOG" "connection authorized: user=postgres database=postgres SSL enabled" 5
assert_contains "$PG_LOG" "connection authorized: user=postgres database=postgres SSL enabled" "server log"
ok "the server logged the session as authorized with SSL"

# without TLS: 'N', and nothing after the SSLRequest
CLIENT_IN=startup.bin CLIENT_OUT=notls.out ward_client notls.err --cafile "$PKI/ca.pem" \
    --servername localhost "postgres://127.0.0.1:$PG_NOTLS"
[ "$CLIENT_RC" -eq 1 ] || fail "ward client exited $CLIENT_RC against ssl=off, not 1"
assert_contains notls.err "the server does not offer TLS: it answered 'N' to the SSLRequest" "refusal"
[ ! -s notls.out ] || fail "ward printed server data on stdout after 'N': $(od -An -c notls.out | head -n 2)"
sleep 0.5
n=$(grep -c "connection authorized" "$PG_LOG" || true)
[ "$n" -eq 1 ] || fail "the server logged $n authorized connections, not 1: ward sent a StartupMessage in plaintext?"
ok "postgres ssl=off (port $PG_NOTLS): ward exits 1 on 'N' and sends nothing in plaintext"
done_all
