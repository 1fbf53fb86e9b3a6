#!/usr/bin/env bash
# Issue #15: FTP over TLS against vsftpd: explicit (AUTH TLS, RFC 4217) and
# implicit (port-990 style) FTPS, each its own vsftpd process from a private
# config (tests/interop/servers.sh). vsftpd is set to refuse anonymous
# logins without TLS (checked here in plaintext first), so a login that
# succeeds proves the session was upgraded. After the login the client
# asks PWD and the server answers.
#
# The clients: openssl s_client checks the fixture itself, ward client is
# what the test is about.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/servers.sh"

need vsftpd openssl python3
make_pki
start_vsftpd
cd "$WORK"

refuses_plaintext() {
    local out="$WORK/plain-ftp.out"
    exec 3<>"/dev/tcp/127.0.0.1/$VSFTPD_FTP"
    printf 'USER anonymous\r\nQUIT\r\n' >&3
    timeout 10 cat <&3 >"$out" || true
    exec 3<&-
    assert_contains "$out" "530 Anonymous sessions must use encryption." "FTP in plaintext"
    ok "ftp (port $VSFTPD_FTP) refuses an anonymous login before AUTH TLS"
}

ftp_session() { # CLIENT SCHEME PORT
    local name="$1-$2"
    # PBSZ 0 / PROT P (RFC 4217 section 9): a client may have sent them
    # already; the server accepts them again
    crlf_lines "$name" "PBSZ 0" "PROT P" "USER anonymous" "PASS ward@ward.test" "PWD"
    converse "$name" '257 "/" is the current directory' QUIT "$1" "$2" "$3"
    assert_contains "$name.out" "230 Login successful." "$name: login"
    assert_contains "$name.out" '257 "/" is the current directory' "$name: PWD"
    ok "$1: $2 (port $3) logged in over TLS and PWD answered"
}

refuses_plaintext
# vsftpd answers QUIT and closes the connection without close_notify:
# ward must say so (a truncation it cannot tell from an attack), not exit 0
WARD_END_ERROR="connection closed without close_notify"
CLIENTS=(openssl ward)
for client in "${CLIENTS[@]}"; do
    ftp_session "$client" ftp "$VSFTPD_FTP"
    ftp_session "$client" ftps "$VSFTPD_FTPS"
done
done_all
