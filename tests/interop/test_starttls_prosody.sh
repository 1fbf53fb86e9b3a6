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
# Not tested here: xmpp-server:// against PROSODY_S2S. ward client sends
# the s2s stream header from='localhost' (the dialogue's helo_name, which
# the CLI has no option to set), and Prosody closes a stream that claims
# to come from a host it serves itself ("Attempt to connect from a host
# we serve", undefined-condition) before it offers <starttls/>.
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
done_all
