#!/usr/bin/env bash
# Issue #15: NNTP with STARTTLS (RFC 4642) and implicit TLS (NNTPS, port
# 563 style) against INN's reader daemon nnrpd, two of them run from a
# private inn.conf (tests/interop/servers.sh). After the upgrade the
# client asks CAPABILITIES and LIST: the server answers both, lists the
# groups of the fixture's active file, and no longer offers STARTTLS (RFC
# 4642 section 2.2.2: not once TLS is on), which it does in plaintext
# (checked first).
#
# The clients: openssl s_client checks the fixture itself, ward client is
# what the test is about.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/servers.sh"

need openssl python3 runuser
[ -x "$NNRPD" ] || fail "nnrpd not found at $NNRPD (the inn2 package; scripts/install-deps.sh test)"
make_pki
start_nnrpd
cd "$WORK"

offers_starttls() {
    local out="$WORK/plain-nntp.out"
    exec 3<>"/dev/tcp/127.0.0.1/$NNRPD_NNTP"
    printf 'CAPABILITIES\r\nQUIT\r\n' >&3
    timeout 10 cat <&3 >"$out" || true
    exec 3<&-
    assert_contains "$out" "200 " "NNTP greeting in plaintext"
    grep -qx $'STARTTLS\r' "$out" || fail "nntp in plaintext: CAPABILITIES does not offer STARTTLS: $(head -c 400 "$out")"
    ok "nntp (port $NNRPD_NNTP) offers STARTTLS in plaintext"
}

nntp_session() { # CLIENT SCHEME PORT
    local name="$1-$2"
    crlf_lines "$name" "CAPABILITIES" "LIST"
    converse "$name" "local.test " QUIT "$1" "$2" "$3"
    assert_contains "$name.out" "101 Capability list:" "$name: CAPABILITIES"
    assert_contains "$name.out" "READER" "$name: CAPABILITIES"
    if grep -qx $'STARTTLS\r' "$name.out"; then
        fail "$name: STARTTLS still offered over TLS"
    fi
    assert_contains "$name.out" '215 Newsgroups in form "group high low status"' "$name: LIST"
    assert_contains "$name.out" "local.test 0000000000 0000000001 y" "$name: LIST"
    ok "$1: $2 (port $3) answered CAPABILITIES and LIST over TLS"
}

offers_starttls
CLIENTS=(openssl ward)
for client in "${CLIENTS[@]}"; do
    nntp_session "$client" nntp "$NNRPD_NNTP"
    nntp_session "$client" nntps "$NNRPD_NNTPS"
done
done_all
