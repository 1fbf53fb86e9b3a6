#!/usr/bin/env bash
# OCSP stapling (RFC 6066 §8, RFC 8446 §4.4.2.1, RFC 6960) in both TLS
# versions, with responses made by `openssl ocsp` from the test CA's index:
#   ward server --ocsp → `openssl s_client -status` sees a good response;
#   openssl s_server -status_file → ward client prints "OCSP: good", fails
#   on a revoked certificate (alert certificate_revoked) and on a response
#   about another certificate, and with --ocsp-require when none is stapled;
#   ward ⇄ ward; gnutls-serv --ocsp-response → ward client; the server
#   re-reads a replaced response file; --ocsp-require with --pin or
#   --insecure is refused before connecting (the revoked staple it would
#   not read); a response without nextUpdate and --ocsp-max-age.
. "$(dirname "$0")/lib.sh"
need openssl gnutls-serv
make_pki
cd "$PKI"
export OPENSSL_CONF="$PKI/openssl.cnf"

# A delegated responder (RFC 6960 §4.2.2.2) and a leaf to revoke.
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out responder.key 2>/dev/null
openssl req -new -key responder.key -subj "/CN=ward test OCSP responder" -out responder.csr
printf 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=OCSPSigning\n' >responder.ext
openssl x509 -req -in responder.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 -sha256 \
    -extfile responder.ext -out responder.pem 2>/dev/null
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out revoked.key 2>/dev/null
openssl req -new -key revoked.key -subj /CN=localhost -out revoked.csr
openssl ca -batch -notext -cert ca.pem -keyfile ca.key -in revoked.csr -out revoked.pem \
    -extensions leaf_local -days 2 2>revoked.ca.log
cat revoked.pem ca.pem >revoked-chain.pem
openssl ca -revoke revoked.pem -cert ca.pem -keyfile ca.key -crl_reason keyCompromise 2>>revoked.ca.log
grep -q '^R' db/index.txt || fail "openssl ca -revoke left no R line in index.txt"

# respond CERT SIGNER KEY OUT: a response about CERT from the CA's index.
respond() {
    openssl ocsp -index db/index.txt -CA ca.pem -issuer ca.pem -cert "$1" -rsigner "$2" \
        -rkey "$3" -respout "$4" -ndays 1 >"$4.log" 2>&1 || fail "openssl ocsp: $(cat "$4.log")"
}
respond ecdsa.pem responder.pem responder.key good.der
respond ecdsa.pem ca.pem ca.key good-by-ca.der
respond revoked.pem responder.pem responder.key revoked.der
respond rsa.pem responder.pem responder.key other.der
# no -ndays: a response without nextUpdate
openssl ocsp -index db/index.txt -CA ca.pem -issuer ca.pem -cert ecdsa.pem -rsigner responder.pem \
    -rkey responder.key -respout nonext.der >nonext.log 2>&1 || fail "openssl ocsp: $(cat nonext.log)"
openssl ocsp -respin nonext.der -resp_text -noverify 2>/dev/null | grep -q "Next Update" &&
    fail "nonext.der has a nextUpdate"
REVOKED_PIN=$(openssl x509 -in revoked.pem -pubkey -noout | openssl pkey -pubin -outform DER |
    openssl dgst -sha256 -r | cut -d' ' -f1)
openssl ocsp -respin revoked.der -resp_text -noverify 2>/dev/null | grep -q "Cert Status: revoked" ||
    fail "revoked.der does not say revoked"
ok "CA, responder, good and revoked responses made with openssl ocsp"
cd "$WORK"

# ---- ward server → openssl s_client -status ----
cp "$PKI/good.der" staple.der
start_ward_server ocsp --cert "$PKI/ecdsa-chain.pem" --key "$PKI/ecdsa.key" --ocsp staple.der
sclient_status() { # NAME VERSION
    SCLIENT_RC=0
    timeout 30 openssl s_client -connect "127.0.0.1:$SERVER_PORT" -CAfile "$PKI/ca.pem" \
        -servername localhost -status "$2" </dev/null >"$1.out" 2>&1 || SCLIENT_RC=$?
}
for ver in -tls1_3 -tls1_2; do
    sclient_status "st$ver" "$ver"
    assert_contains "st$ver.out" "OCSP Response Status: successful" "s_client -status $ver"
    assert_contains "st$ver.out" "Cert Status: good" "s_client -status $ver"
    assert_contains "st$ver.out" "Responder Id: CN = ward test OCSP responder"
    ok "$ver: s_client -status sees ward's staple: successful, good"
done
# without -status, no staple is sent
timeout 30 openssl s_client -connect "127.0.0.1:$SERVER_PORT" -CAfile "$PKI/ca.pem" \
    </dev/null >nostatus.out 2>&1 || true
assert_contains nostatus.out "Verify return code: 0"
assert_not_contains nostatus.out "OCSP response:"
ok "no staple for a client that did not ask"

# reload: a replaced file is stapled on a later connection
sleep 1.2
cp "$PKI/good-by-ca.der" staple.der.new
mv staple.der.new staple.der
sleep 1.2
sclient_status reload -tls1_3
assert_contains reload.out "Responder Id: CN = ward test CA" "after replacing the file"
ok "the replaced response file is stapled on the next connection"
# a broken file keeps the previous response
sleep 1.2
printf 'not DER' >staple.der.new
mv staple.der.new staple.der
sleep 1.2
sclient_status broken -tls1_2
assert_contains broken.out "Responder Id: CN = ward test CA" "after breaking the file"
assert_contains broken.out "Cert Status: good"
ok "a file that no longer loads leaves the previous response in use"
cp "$PKI/good.der" staple.der

# ---- ward client ⇄ ward server ----
for ver in --tls1.3 --tls1.2; do
    ward_client "ww$ver.log" "$ver" --ocsp-require --cafile "$PKI/ca.pem" --servername localhost \
        "127.0.0.1:$SERVER_PORT"
    [ "$CLIENT_RC" -eq 0 ] || fail "ward client $ver: $(cat "ww$ver.log")"
    assert_contains "ww$ver.log" "ward: OCSP: good"
    ok "$ver: ward client verifies ward server's staple"
done
stop "$SERVER_PID"

# ---- openssl s_server -status_file → ward client ----
for ver in --tls1.3 --tls1.2; do
    start_openssl_server "good$ver" -cert "$PKI/ecdsa.pem" -key "$PKI/ecdsa.key" \
        -cert_chain "$PKI/ca.pem" -status_file "$PKI/good.der"
    ward_client "c-good$ver.log" "$ver" --cafile "$PKI/ca.pem" --servername localhost \
        "127.0.0.1:$SERVER_PORT"
    [ "$CLIENT_RC" -eq 0 ] || fail "ward client $ver vs s_server -status_file: $(cat "c-good$ver.log")"
    assert_contains "c-good$ver.log" "ward: OCSP: good"
    ok "$ver: ward client checks s_server's staple: good"
    stop "$SERVER_PID"

    start_openssl_server "rev$ver" -cert "$PKI/revoked.pem" -key "$PKI/revoked.key" \
        -cert_chain "$PKI/ca.pem" -status_file "$PKI/revoked.der"
    ward_client "c-rev$ver.log" "$ver" --cafile "$PKI/ca.pem" --servername localhost \
        "127.0.0.1:$SERVER_PORT"
    [ "$CLIENT_RC" -ne 0 ] || fail "ward client $ver accepted a revoked certificate"
    assert_contains "c-rev$ver.log" "ward: error: the server's certificate has been revoked (at "
    assert_contains "c-rev$ver.log" "keyCompromise"
    wait_line "$SERVER_LOG" "alert certificate revoked.*alert number 44" "$SERVER_PID" 5 >/dev/null ||
        fail "s_server did not report alert certificate_revoked: $(tail -n 5 "$SERVER_LOG")"
    ok "$ver: revoked → ward client fails, s_server sees alert certificate_revoked"
    stop "$SERVER_PID"

    start_openssl_server "other$ver" -cert "$PKI/ecdsa.pem" -key "$PKI/ecdsa.key" \
        -cert_chain "$PKI/ca.pem" -status_file "$PKI/other.der"
    ward_client "c-other$ver.log" "$ver" --cafile "$PKI/ca.pem" --servername localhost \
        "127.0.0.1:$SERVER_PORT"
    [ "$CLIENT_RC" -ne 0 ] || fail "ward client $ver accepted a staple about another certificate"
    assert_contains "c-other$ver.log" "OCSP staple is not acceptable: it is about another certificate"
    wait_line "$SERVER_LOG" "alert number 113" "$SERVER_PID" 5 >/dev/null ||
        fail "s_server did not report alert bad_certificate_status_response: $(tail -n 5 "$SERVER_LOG")"
    ok "$ver: a staple about another certificate → bad_certificate_status_response"
    stop "$SERVER_PID"

    start_gnutls_server "gnutls$ver" --x509certfile "$PKI/ecdsa-chain.pem" \
        --x509keyfile "$PKI/ecdsa.key" --ocsp-response "$PKI/good-by-ca.der"
    ward_client "c-gnutls$ver.log" "$ver" --ocsp-require --cafile "$PKI/ca.pem" \
        --servername localhost "127.0.0.1:$SERVER_PORT"
    [ "$CLIENT_RC" -eq 0 ] || fail "ward client $ver vs gnutls-serv: $(cat "c-gnutls$ver.log")"
    assert_contains "c-gnutls$ver.log" "ward: OCSP: good"
    ok "$ver: ward client checks gnutls-serv's staple (signed by the CA itself): good"
    stop "$SERVER_PID"

    start_openssl_server "none$ver" -cert "$PKI/ecdsa.pem" -key "$PKI/ecdsa.key" \
        -cert_chain "$PKI/ca.pem"
    ward_client "c-none$ver.log" "$ver" --cafile "$PKI/ca.pem" --servername localhost \
        "127.0.0.1:$SERVER_PORT"
    [ "$CLIENT_RC" -eq 0 ] || fail "ward client $ver without a staple: $(cat "c-none$ver.log")"
    assert_not_contains "c-none$ver.log" "OCSP: good"
    ward_client "c-req$ver.log" "$ver" --ocsp-require --cafile "$PKI/ca.pem" --servername localhost \
        "127.0.0.1:$SERVER_PORT"
    [ "$CLIENT_RC" -ne 0 ] || fail "ward client $ver --ocsp-require accepted no staple"
    assert_contains "c-req$ver.log" "the server sent no OCSP staple"
    ok "$ver: no staple: fine by default, refused with --ocsp-require"
    stop "$SERVER_PID"

    # a staple without nextUpdate: accepted within --ocsp-max-age of its thisUpdate
    start_openssl_server "nonext$ver" -cert "$PKI/ecdsa.pem" -key "$PKI/ecdsa.key" \
        -cert_chain "$PKI/ca.pem" -status_file "$PKI/nonext.der"
    ward_client "c-nonext$ver.log" "$ver" --ocsp-require --ocsp-max-age 600 --cafile "$PKI/ca.pem" \
        --servername localhost "127.0.0.1:$SERVER_PORT"
    [ "$CLIENT_RC" -eq 0 ] || fail "ward client $ver, staple without nextUpdate: $(cat "c-nonext$ver.log")"
    assert_contains "c-nonext$ver.log" "ward: OCSP: good"
    ok "$ver: a fresh staple without nextUpdate is good within --ocsp-max-age"
    stop "$SERVER_PID"
done

# --ocsp-require with --pin or --insecure: the staple (revoked here) could
# not be checked against a trust anchor; refused before connecting.
start_openssl_server "pinrev" -cert "$PKI/revoked.pem" -key "$PKI/revoked.key" \
    -cert_chain "$PKI/ca.pem" -status_file "$PKI/revoked.der"
for how in "--pin sha256:$REVOKED_PIN" --insecure; do
    # shellcheck disable=SC2086 # two words for --pin
    ward_client c-unverifiable.log --ocsp-require $how --servername localhost \
        "127.0.0.1:$SERVER_PORT"
    [ "$CLIENT_RC" -eq 2 ] || fail "ward client --ocsp-require $how: exit $CLIENT_RC: $(cat c-unverifiable.log)"
    assert_contains c-unverifiable.log \
        "client: --ocsp-require needs a verified chain: it cannot be checked with ${how%% *}"
    assert_not_contains c-unverifiable.log "ward: TLS"
    ok "--ocsp-require ${how%% *} is refused before connecting (a revoked staple went unread)"
done
stop "$SERVER_PID"
ward_client c-age0.log --ocsp-max-age 0 --cafile "$PKI/ca.pem" localhost:1
[ "$CLIENT_RC" -eq 2 ] || fail "--ocsp-max-age 0: exit $CLIENT_RC"
assert_contains c-age0.log "client: --ocsp-max-age needs at least 1 second"
ok "--ocsp-max-age 0 is a usage error"
done_all
