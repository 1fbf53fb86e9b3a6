#!/usr/bin/env bash
# Issue #15: MySQL's SSL Request against a real MariaDB 10.11
# (tests/interop/servers.sh: start_mariadb, two servers).
#
# With TLS: ward client mysql://127.0.0.1:PORT reads the greeting
# (sequence 0, CLIENT_SSL offered), sends the SSL Request (sequence 1), the
# handshake completes and the chain verifies. Then, over TLS, a
# HandshakeResponse41 built here (sequence 2: capabilities PROTOCOL_41 |
# SSL | SECURE_CONNECTION as in ward's SSL Request, user root, an empty
# auth response: root@localhost has no password) piped on ward's stdin
# gets the server's OK packet (sequence 3, header byte 0x00) on stdout, and
# a COM_QUIT ends the session. The server's OK proves it parsed the
# response as part of the TLS-upgraded connection.
#
# Without TLS (--skip-ssl): the greeting lacks CLIENT_SSL; ward exits 1
# saying "the server does not offer TLS" and sends nothing (the server
# sees the connection end before any login: no OK, no error on stdout).
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/servers.sh"

need mariadbd mariadb-install-db python3
make_pki
start_mariadb
cd "$WORK"

# HandshakeResponse41, sequence 2: payload 38 bytes (0x26): capabilities
# 0x00008a00, max packet 16 MiB, charset 0x21 (utf8_general_ci), 23 zero
# bytes, "root\0", auth response length 0. Then COM_QUIT (sequence 0).
login() {
    printf '\x26\x00\x00\x02'
    printf '\x00\x8a\x00\x00\x00\x00\x00\x01\x21'
    head -c 23 /dev/zero
    printf 'root\0\x00'
    printf '\x01\x00\x00\x00\x01'
}
login >login.bin
[ "$(wc -c <login.bin)" -eq 47 ] || fail "the HandshakeResponse is $(wc -c <login.bin) bytes, not 4 + 38 + 5"

CLIENT_IN=login.bin CLIENT_OUT=tls.out ward_client tls.err --cafile "$PKI/ca.pem" \
    --servername localhost "mysql://127.0.0.1:$MARIA_PORT"
# MariaDB answers COM_QUIT by closing the connection without close_notify:
# ward must say so (a truncation it cannot tell from an attack), exit 1
[ "$CLIENT_RC" -eq 1 ] || fail "ward client exited $CLIENT_RC, expected 1: $(tail -n 3 tls.err | tr '\n' '|')"
assert_contains tls.err "ward: error: connection closed without close_notify" "the end"
grep -q '^ward: S: greeting: protocol 10, server ".*MariaDB.*", capabilities' tls.err ||
    fail "ward did not show MariaDB's greeting: $(grep '^ward: [CS]' tls.err | tr '\n' '|')"
assert_contains tls.err "ward: C: SSL Request (sequence 1, capabilities 0x00008a00)" "the dialogue"
grep -qx 'ward: verified: chain' tls.err || fail "ward did not report a verified chain"
ok "mariadb (port $MARIA_PORT): greeting with CLIENT_SSL, SSL Request, handshake done, chain verified"
# OK packet: payload length (3 bytes), sequence 3, header 0x00
ans=$(head -c 5 tls.out | od -An -tx1 | tr -d ' \n')
[ "${ans:6:4}" = 0300 ] ||
    fail "the answer to the HandshakeResponse is not an OK packet with sequence 3: $(od -An -tx1 tls.out | head -n 3)"
ok "over TLS the HandshakeResponse41 (user root, empty password) got the server's OK packet"

CLIENT_IN=login.bin CLIENT_OUT=notls.out ward_client notls.err --cafile "$PKI/ca.pem" \
    --servername localhost "mysql://127.0.0.1:$MARIA_NOTLS"
[ "$CLIENT_RC" -eq 1 ] || fail "ward client exited $CLIENT_RC against --skip-ssl, not 1"
assert_contains notls.err "the server does not offer TLS" "refusal"
[ ! -s notls.out ] || fail "ward printed server data on stdout: $(od -An -tx1 notls.out | head -n 2)"
! grep -q '^ward: C: ' notls.err || fail "ward sent something to a server without TLS: $(grep '^ward: C: ' notls.err)"
ok "mariadb --skip-ssl (port $MARIA_NOTLS): no CLIENT_SSL, ward exits 1 and sends nothing"
done_all
