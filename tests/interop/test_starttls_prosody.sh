#!/usr/bin/env bash
# Issue #15: XMPP's STARTTLS (RFC 6120 section 5) against Prosody, the XMPP
# server people run (tests/interop/servers.sh: start_prosody), which
# requires TLS on its client port. ward client xmpp:// must show the
# dialogue (Prosody's stream features offering <starttls> with
# <required/>, ward's <starttls/>, Prosody's <proceed/>), verify the test
# PKI's leaf, and the stream header sent over TLS must get Prosody's
# features for an encrypted stream: the SASL mechanisms, which Prosody
# withholds before TLS. xmpps:// (direct TLS, XEP-0368) the same without
# a plaintext dialogue.
#
#
# Server-to-server (xmpp-server://, RFC 6120 with jabber:server) against
# PROSODY_S2S, where Prosody requires TLS too: ward client --helo
# example.net sends the stream header from='example.net' (Prosody closes a
# stream from 'localhost', the default, with "Attempt to connect from a
# host we serve": checked as well), upgrades, verifies the leaf for
# "localhost", and the header it relays over TLS gets Prosody's features
# for an encrypted s2s stream: dialback, no <starttls> any more.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/servers.sh"

need prosody runuser openssl python3
make_pki
start_prosody
cd "$WORK"

HEADER="<?xml version='1.0'?><stream:stream to='localhost' version='1.0' xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'>"

# xmpp_session NAME SCHEME PORT: ward client opens the stream over TLS and
# closes it once the features came (or 20 s passed).
xmpp_session() {
    local name=$1 i
    CLIENT_RC=0
    {
        printf '%s' "$HEADER"
        for ((i = 0; i < 400; i++)); do
            grep -q '</stream:features>' "$name.out" 2>/dev/null && break
            sleep 0.05
        done
        printf '</stream:stream>'
        sleep 1
    } | timeout 30 "$WARD" client --cafile "$PKI/ca.pem" --servername localhost \
        "$2://127.0.0.1:$3" >"$name.out" 2>"$name.err" || CLIENT_RC=$?
    [ "$CLIENT_RC" -eq 0 ] || fail "$name: ward client exited $CLIENT_RC: $(tail -n 3 "$name.err" | tr '\n' '|')"
    grep -qx 'ward: verified: chain' "$name.err" ||
        fail "$name: ward did not report a verified chain: $(tail -n 3 "$name.err" | tr '\n' '|')"
    assert_contains "$name.out" "<mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>" "$name: features over TLS"
    assert_contains "$name.out" "<mechanism>PLAIN</mechanism>" "$name: features over TLS"
    assert_contains "$name.out" "from='localhost'" "$name: Prosody's stream header over TLS"
}

xmpp_session c2s xmpp "$PROSODY_C2S"
grep -qxF "ward: S: <starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'>" c2s.err ||
    fail "c2s: Prosody's plaintext features offered no <starttls>: $(grep '^ward: [CS]: ' c2s.err | tr '\n' '|')"
grep -qxF "ward: S: <required/>" c2s.err || fail "c2s: Prosody did not mark STARTTLS required"
grep -qxF "ward: C: <starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>" c2s.err ||
    fail "c2s: ward sent no <starttls/>: $(grep '^ward: [CS]: ' c2s.err | tr '\n' '|')"
grep -qF "ward: S: <proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>" c2s.err ||
    fail "c2s: Prosody did not answer <proceed/>: $(grep '^ward: [CS]: ' c2s.err | tr '\n' '|')"
if grep '^ward: S: ' c2s.err | grep -q mechanism; then
    fail "c2s: Prosody offered SASL before TLS (the test expects c2s_require_encryption)"
fi
ok "ward xmpp://: STARTTLS required, <starttls/> answered <proceed/>, chain verified, SASL offered over TLS only"

xmpp_session c2s-tls xmpps "$PROSODY_C2S_TLS"
if grep -q '^ward: [CS]: ' c2s-tls.err; then
    fail "c2s-tls: ward printed a plaintext dialogue on the direct-TLS port"
fi
ok "ward xmpps://: direct TLS, chain verified, SASL offered"

S2S_FROM=example.net
S2S_HEADER="<?xml version='1.0'?><stream:stream from='$S2S_FROM' to='localhost' version='1.0' xmlns='jabber:server' xmlns:stream='http://etherx.jabber.org/streams'>"
s2s_rc=0
{
    printf '%s' "$S2S_HEADER"
    for ((i = 0; i < 400; i++)); do
        grep -q '</stream:features>' s2s.out 2>/dev/null && break
        sleep 0.05
    done
    printf '</stream:stream>'
    sleep 1
} | timeout 30 "$WARD" client --cafile "$PKI/ca.pem" --servername localhost --helo "$S2S_FROM" \
    --starttls xmpp-server "127.0.0.1:$PROSODY_S2S" >s2s.out 2>s2s.err || s2s_rc=$?
[ "$s2s_rc" -eq 0 ] || fail "s2s: ward client exited $s2s_rc: $(tail -n 3 s2s.err | tr '\n' '|')"
grep -qF "ward: C: <?xml version='1.0'?><stream:stream from='$S2S_FROM' to='localhost' version='1.0' xmlns='jabber:server'" s2s.err ||
    fail "s2s: ward's stream header is not from='$S2S_FROM': $(grep -m1 '^ward: C: ' s2s.err)"
grep -qxF "ward: S: <starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'>" s2s.err ||
    fail "s2s: Prosody's plaintext features offered no <starttls>: $(grep '^ward: [CS]: ' s2s.err | tr '\n' '|')"
grep -qxF "ward: S: <required/>" s2s.err || fail "s2s: Prosody did not mark STARTTLS required"
grep -qF "ward: S: <proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>" s2s.err ||
    fail "s2s: Prosody did not answer <proceed/>: $(grep '^ward: [CS]: ' s2s.err | tr '\n' '|')"
grep -qx 'ward: verified: chain' s2s.err ||
    fail "s2s: ward did not report a verified chain: $(tail -n 3 s2s.err | tr '\n' '|')"
assert_contains s2s.err "ward: peer certificate: subject CN=localhost, issuer CN=ward test CA" "s2s"
assert_contains s2s.out "to='$S2S_FROM'" "s2s: Prosody's stream header over TLS"
assert_contains s2s.out "<dialback xmlns='urn:xmpp:features:dialback'/>" "s2s: features over TLS"
assert_not_contains s2s.out "xmpp-tls" "s2s: features over TLS"
grep -qE "\ss2sin[0-9a-f]+\s+info\s+Stream encrypted \(TLSv1\.[23] " "$PROSODY_LOG" ||
    fail "s2s: Prosody did not log an encrypted s2s stream"
grep -qE "info\s+Incoming s2s stream $S2S_FROM->localhost closed" "$PROSODY_LOG" ||
    fail "s2s: Prosody did not log the stream from $S2S_FROM"
ok "ward --starttls xmpp-server --helo $S2S_FROM: from='$S2S_FROM', STARTTLS required, <proceed/>, chain verified for localhost, dialback offered over TLS"

# The default 'from' (localhost) is a host Prosody serves: refused, said.
s2s_rc=0
timeout 30 "$WARD" client --cafile "$PKI/ca.pem" --servername localhost \
    "xmpp-server://127.0.0.1:$PROSODY_S2S" </dev/null >s2s-local.out 2>s2s-local.err || s2s_rc=$?
[ "$s2s_rc" -eq 1 ] || fail "s2s from localhost: exit $s2s_rc, expected 1"
grep -q "^ward: error: the server sent a stream error: undefined-condition" s2s-local.err ||
    fail "s2s from localhost: $(tail -n 2 s2s-local.err | tr '\n' '|')"
[ ! -s s2s-local.out ] || fail "s2s from localhost: something went to stdout"
ok "xmpp-server:// without --helo: from='localhost', Prosody's stream error, exit 1"
done_all
