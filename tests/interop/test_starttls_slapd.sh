#!/usr/bin/env bash
# Issue #15: LDAP's StartTLS extended operation (RFC 4511 section 4.14) and
# LDAPS against OpenLDAP's slapd (tests/interop/servers.sh: start_slapd).
# ldapsearch -ZZ checks the fixture; then ward client ldap://: the
# StartTLS request and its success response on stderr, the test PKI's leaf
# verified, and over TLS a simple BindRequest (BER bytes written here) for
# the rootdn answered with resultCode 0, a wrong password with 49
# (invalidCredentials): slapd really read the request from ward's TLS
# stream. ward client ldaps:// does the same bind over implicit TLS.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/servers.sh"

need slapd ldapsearch xxd openssl python3
make_pki
start_slapd
cd "$WORK"

LDAPTLS_CACERT="$PKI/ca.pem" timeout 20 ldapsearch -ZZ -x -H "ldap://127.0.0.1:$SLAPD_LDAP" \
    -D "$SLAPD_ROOTDN" -w "$SLAPD_ROOTPW" -b "" -s base namingContexts >ldapsearch.out 2>&1 ||
    fail "ldapsearch -ZZ (the fixture's check) failed: $(tail -n 3 ldapsearch.out)"
assert_contains ldapsearch.out "namingContexts: dc=example,dc=org" "ldapsearch -ZZ"
ok "fixture: ldapsearch -ZZ bound as the rootdn over StartTLS"

# bind_request ID PASSWORD: an LDAPMessage with a simple BindRequest
# (version 3, name $SLAPD_ROOTDN), short-form BER lengths only.
bind_request() {
    local dn=$SLAPD_ROOTDN pw=$2 op
    op=$(printf '02010304%02x%s80%02x%s' ${#dn} "$(printf '%s' "$dn" | xxd -p | tr -d '\n')" \
        ${#pw} "$(printf '%s' "$pw" | xxd -p | tr -d '\n')")
    printf '0201%02x60%02x%s' "$1" $((${#op} / 2)) "$op" |
        { read -r body; printf '30%02x%s' $((${#body} / 2)) "$body"; } | xxd -r -p
}
# An UnbindRequest: slapd closes the connection on it.
unbind_request() { printf '300502010%x4200' "$1" | xxd -r -p; }

# ldap_bind NAME SCHEME PORT PASSWORD RESULT: ward client binds over TLS
# and the BindResponse (messageID 2) carries resultCode RESULT.
ldap_bind() {
    local name=$1 scheme=$2 port=$3 hex
    # the unbind only once the answer had time to come: slapd runs
    # operations in threads and drops what is pending on an unbind
    CLIENT_RC=0
    { bind_request 2 "$4"; sleep 1; unbind_request 3; } |
        timeout 30 "$WARD" client --cafile "$PKI/ca.pem" --servername localhost \
            "$scheme://127.0.0.1:$port" >"$name.out" 2>"$name.err" || CLIENT_RC=$?
    [ "$CLIENT_RC" -eq 0 ] || fail "$name: ward client exited $CLIENT_RC: $(tail -n 3 "$name.err" | tr '\n' '|')"
    grep -qx 'ward: verified: chain' "$name.err" || fail "$name: no verified chain: $(tail -n 3 "$name.err" | tr '\n' '|')"
    hex=$(xxd -p "$name.out" | tr -d '\n')
    # BindResponse: [APPLICATION 1] { resultCode ENUMERATED, matchedDN, diagnosticMessage }
    [[ $hex =~ ^30[0-9a-f]{2}020102610[0-9a-f]0a01$5 ]] ||
        fail "$name: no BindResponse with resultCode 0x$5 for messageID 2: '$hex'"
}

# ldap_dialogue NAME: ward printed the StartTLS request and slapd's success.
ldap_dialogue() {
    grep -q '^ward: C: ExtendedRequest StartTLS (1.3.6.1.4.1.1466.20037)' "$1.err" ||
        fail "$1: ward's dialogue has no StartTLS request: $(grep '^ward: [CS]: ' "$1.err" | tr '\n' '|')"
    grep -q '^ward: S: ExtendedResponse messageID 1, resultCode 0 (success)' "$1.err" ||
        fail "$1: ward's dialogue has no successful ExtendedResponse: $(grep '^ward: [CS]: ' "$1.err" | tr '\n' '|')"
}

ldap_bind ldap-bind ldap "$SLAPD_LDAP" "$SLAPD_ROOTPW" 00
ldap_dialogue ldap-bind
ok "ward ldap://: StartTLS succeeded, chain verified, the rootdn's bind answered resultCode 0"
ldap_bind ldap-badpw ldap "$SLAPD_LDAP" wrong-password 31
ldap_dialogue ldap-badpw
ok "ward ldap://: a wrong password's bind over StartTLS answered resultCode 49 (invalidCredentials)"
ldap_bind ldaps-bind ldaps "$SLAPD_LDAPS" "$SLAPD_ROOTPW" 00
grep -q '^ward: [CS]: ' ldaps-bind.err && fail "ldaps-bind: ward printed a plaintext dialogue on the LDAPS port"
ok "ward ldaps://: implicit TLS, chain verified, the rootdn's bind answered resultCode 0"
done_all
