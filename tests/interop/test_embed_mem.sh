#!/usr/bin/env bash
# Identities and trust given to libward from memory (issue #18), against
# openssl: tests/embed/embed_mem.c serves a chain + key loaded from memory
# (PEM, DER PKCS#8, an EVP_PKEY) to `openssl s_client`, which verifies it
# with the test CA; the same program as a client trusts the CA from memory
# or from a hashed CA directory against `openssl s_server`, and refuses a
# server certificate a loaded CRL revokes (s_server sees certificate_revoked).
# The tool prints the configuration error texts.
. "$(dirname "$0")/lib.sh"
need openssl
EMBED="${WARD_BUILD_DIR:?}/embed_mem"
[ -x "$EMBED" ] || fail "no test helper $EMBED (cmake --build: target embed_mem)"
make_pki
cd "$WORK"

# embed_server NAME MODE CHAIN KEY: start it, read its port.
embed_server() {
    "$EMBED" server "$2" "$3" "$4" >"$1.srv.log" 2>&1 &
    SERVER_PID=$!
    PIDS+=("$SERVER_PID")
    SERVER_PORT=$(wait_line "$1.srv.log" '^PORT [0-9]+' "$SERVER_PID" 15 | cut -d' ' -f2) ||
        fail "$1: embed_mem server did not start: $(cat "$1.srv.log")"
}

# 1. A server whose identity came from memory, verified by s_client.
openssl x509 -in "$PKI/rsa.pem" -outform DER -out rsa.der
openssl pkcs8 -topk8 -nocrypt -in "$PKI/rsa.key" -outform DER -out rsa.p8.der
for spec in "pem ecdsa-chain.pem ecdsa.key" "der rsa.der rsa.p8.der" "pkey ed25519-chain.pem ed25519.key"; do
    set -- $spec
    chain=$2 key=$3
    [ -f "$chain" ] || chain="$PKI/$chain"
    [ -f "$key" ] || key="$PKI/$key"
    embed_server "srv-$1" "$1" "$chain" "$key"
    timeout 30 openssl s_client -connect "127.0.0.1:$SERVER_PORT" -servername localhost \
        -CAfile "$PKI/ca.pem" -verify_return_error -ign_eof </dev/null >"sc-$1.log" 2>&1 || true
    assert_contains "sc-$1.log" "Verify return code: 0 (ok)" "$1: s_client verified"
    assert_contains "sc-$1.log" "hello from memory" "$1: data from the server"
    wait_exit "$SERVER_PID" 20 || fail "$1: embed_mem server: $(cat "srv-$1.srv.log")"
    assert_contains "srv-$1.srv.log" "SERVED OK" "$1: server side"
done
ok "identities from memory (PEM chain, DER + DER PKCS#8 key, EVP_PKEY) verified by s_client"

# 2. Trust from memory and from a hashed CA directory, against s_server.
mkdir cadir
cp "$PKI/other-ca.pem" "$PKI/ca.pem" cadir/
openssl rehash cadir 2>/dev/null || fail "openssl rehash failed"
start_openssl_server srv-trust -tls1_3 -www -cert "$PKI/rsa.pem" -key "$PKI/rsa.key"
for how in "ca-mem $PKI/ca.pem" "cadir cadir"; do
    set -- $how
    timeout 30 "$EMBED" client "$SERVER_PORT" localhost "$1" "$2" >"cl-$1.log" 2>&1 ||
        fail "$1: client refused: $(cat "cl-$1.log")"
    assert_contains "cl-$1.log" "OK HTTP/1.0 200" "$1: page from s_server"
done
timeout 30 "$EMBED" client "$SERVER_PORT" localhost ca-mem "$PKI/other-ca.pem" >cl-other.log 2>&1 &&
    fail "a server of an unknown CA was accepted"
assert_contains cl-other.log "FAIL" "unknown CA refused"
stop "$SERVER_PID"
ok "anchors from memory and from a CA directory"

# 3. A CRL revoking the server's certificate.
(cd "$PKI" && openssl ca -config openssl.cnf -cert ca.pem -keyfile ca.key -revoke ecdsa.pem \
    && openssl ca -config openssl.cnf -cert ca.pem -keyfile ca.key -gencrl -crldays 7 \
        -out "$WORK/crl.pem") >crl-make.log 2>&1 || fail "making the CRL: $(cat crl-make.log)"
openssl crl -in crl.pem -outform DER -out crl.der
start_openssl_server srv-revoked -tls1_3 -www -msg -msgfile "$WORK/srv-revoked.msg" \
    -cert "$PKI/ecdsa.pem" -key "$PKI/ecdsa.key"
for crl in crl.pem crl.der; do
    timeout 30 "$EMBED" client "$SERVER_PORT" localhost ca-mem "$PKI/ca.pem" "$crl" >"cl-$crl.log" 2>&1 &&
        fail "$crl: a revoked certificate was accepted"
    assert_contains "cl-$crl.log" "alert=44" "$crl: certificate_revoked"
    assert_contains "cl-$crl.log" "certificate revoked by its issuer's CRL" "$crl: the reason"
done
grep -Eqi "certificate.revoked" srv-revoked.msg srv-revoked.log ||
    fail "s_server did not see certificate_revoked: $(tail -n 5 srv-revoked.log)"
stop "$SERVER_PID"
start_openssl_server srv-notrevoked -tls1_3 -www -cert "$PKI/rsa.pem" -key "$PKI/rsa.key"
timeout 30 "$EMBED" client "$SERVER_PORT" localhost ca-mem "$PKI/ca.pem" crl.pem >cl-notrevoked.log 2>&1 ||
    fail "a certificate the CRL does not list was refused: $(cat cl-notrevoked.log)"
# a CRL in the CA's name but signed by another key: a configuration error
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out fake.key 2>/dev/null
openssl req -new -x509 -key fake.key -subj "/CN=ward test CA" -days 2 -out fake-ca.pem \
    -config "$PKI/openssl.cnf" 2>/dev/null
(cd "$PKI" && openssl ca -config openssl.cnf -cert "$WORK/fake-ca.pem" -keyfile "$WORK/fake.key" \
    -gencrl -crldays 7 -out "$WORK/badcrl.pem") >>crl-make.log 2>&1 || fail "making the bad CRL"
timeout 30 "$EMBED" client "$SERVER_PORT" localhost ca-mem "$PKI/ca.pem" badcrl.pem >cl-badcrl.log 2>&1 &&
    fail "a CRL with a bad signature was accepted"
assert_contains cl-badcrl.log "does not verify under that issuer's key" "bad CRL named"
stop "$SERVER_PID"
ok "CRL (PEM and DER): revoked refused with certificate_revoked, others pass, bad CRL named"

# 4. The tool says what is wrong with its configuration.
timeout 20 "$WARD" client --cafile "$WORK/missing.pem" "127.0.0.1:1" >tool1.log 2>&1 || true
assert_contains tool1.log "no such file: $WORK/missing.pem" "missing --cafile"
timeout 20 "$WARD" server --listen 127.0.0.1:0 --cert "$PKI/ecdsa.pem" --key "$PKI/rsa.key" \
    >tool2.log 2>&1 || true
assert_contains tool2.log "the key does not match the certificate" "mismatched --key"
ok "tool prints the configuration error texts"
done_all
