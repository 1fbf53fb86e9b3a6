#!/usr/bin/env bash
# ward client refuses bad certificates with exit status 1 and a message
# that says what is wrong: wrong host name, expired, not yet valid, unknown
# issuer, self-signed without a pin, pin mismatch. The bad certificates are
# served by ward server and by openssl s_server.
. "$(dirname "$0")/lib.sh"
need openssl
make_pki
cd "$WORK"

# expect_refusal NAME TEXT CLIENT-ARGS...: against $SERVER_PORT.
expect_refusal() {
    local name=$1 text=$2
    shift 2
    printf 'must not arrive\n' >in.txt
    CLIENT_IN=in.txt ward_client "$name.log" "$@" "127.0.0.1:$SERVER_PORT"
    [ "$CLIENT_RC" -eq 1 ] || fail "$name: ward client exited $CLIENT_RC (expected 1): $(cat "$name.log")"
    assert_contains "$name.log" "ward: error:"
    assert_contains "$name.log" "$text" "$name: the error message"
    [ ! -s "$WORK/client.out" ] || fail "$name: data arrived through a refused connection"
    assert_not_contains "$name.log" "ward: verified:"
    ok "$name: $(grep -m1 'ward: error:' "$name.log")"
}

trusted=(--cafile "$PKI/ca.pem" --servername localhost)

# cert KIND -> start servers; both ward server and s_server serve it.
for server in ward openssl; do
    serve() { # serve NAME
        if [ "$server" = ward ]; then
            start_ward_server "srv-$server-$1" --cert "$PKI/$1.pem" --key "$PKI/$1.key"
        else
            start_openssl_server "srv-$server-$1" -tls1_3 -rev -cert "$PKI/$1.pem" -key "$PKI/$1.key"
        fi
    }

    serve wronghost
    expect_refusal "$server-wronghost" "does not match" "${trusted[@]}"
    stop "$SERVER_PID"

    serve expired
    expect_refusal "$server-expired" "expired" "${trusted[@]}"
    stop "$SERVER_PID"

    serve notyet
    expect_refusal "$server-notyet" "not yet valid" "${trusted[@]}"
    stop "$SERVER_PID"

    serve unknown
    expect_refusal "$server-unknown" "not trusted" "${trusted[@]}"
    stop "$SERVER_PID"

    serve selfsigned
    expect_refusal "$server-selfsigned" "self-signed" "${trusted[@]}"
    stop "$SERVER_PID"

    serve ecdsa
    expect_refusal "$server-pin" "pin" --pin "sha256:$(printf '%064d' 0)" --servername localhost
    # and the positive control: the right CA works on the same server.
    printf 'control\n' >ctl.txt
    CLIENT_IN=ctl.txt ward_client "$server-control.log" "${trusted[@]}" "127.0.0.1:$SERVER_PORT"
    [ "$CLIENT_RC" -eq 0 ] || fail "$server-control: exited $CLIENT_RC: $(cat "$server-control.log")"
    assert_contains "$server-control.log" "verified: chain"
    # the system store does not know the test CA
    expect_refusal "$server-nocafile" "not trusted" --servername localhost
    stop "$SERVER_PID"
done

# the pin of the self-signed leaf is accepted, in spite of its issuer
pin=$(openssl x509 -in "$PKI/selfsigned.pem" -noout -pubkey | openssl pkey -pubin -outform DER |
    openssl dgst -sha256 -hex | sed 's/^.*= *//')
start_ward_server ward-selfpin --cert "$PKI/selfsigned.pem" --key "$PKI/selfsigned.key"
printf 'pinned\n' >pin.txt
CLIENT_IN=pin.txt ward_client selfpin.log --pin "sha256:$pin" --servername localhost "127.0.0.1:$SERVER_PORT"
[ "$CLIENT_RC" -eq 0 ] || fail "self-signed with its pin: exited $CLIENT_RC: $(cat selfpin.log)"
assert_same pin.txt "$WORK/client.out" "echo with a pinned self-signed certificate"
assert_contains selfpin.log "verified: pin"
ok "self-signed certificate accepted by its pin"

# a pinned but expired certificate is still refused (the pin does not
# override the validity period)
expired_pin=$(openssl x509 -in "$PKI/expired.pem" -noout -pubkey | openssl pkey -pubin -outform DER |
    openssl dgst -sha256 -hex | sed 's/^.*= *//')
start_ward_server ward-exppin --cert "$PKI/expired.pem" --key "$PKI/expired.key"
expect_refusal pinned-expired "expired" --pin "sha256:$expired_pin" --servername localhost

done_all
