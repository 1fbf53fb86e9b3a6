#!/usr/bin/env bash
# ward client URL / --starttls PROTO HOST[:PORT] (issue #15): the URL
# parser's errors, the scheme table's ports and ALPN, --showcerts,
# --check-expiry, and STARTTLS for SMTP and IMAP against a scripted Python
# server (tests/interop/stt_server.py; openssl s_server has no STARTTLS
# server side): the upgrade, a server that does not offer it, and a line
# injected behind the go-ahead.
source "$(dirname "$0")/lib.sh"
need openssl python3
make_pki

# usage_error ARG... EXPECTED: ward client ARG... exits 2 with EXPECTED.
usage_error() {
    local want=${*: -1} rc=0
    "$WARD" client "${@:1:$#-1}" </dev/null >/dev/null 2>"$WORK/usage.log" || rc=$?
    [ "$rc" -eq 2 ] || fail "ward client ${*:1:$#-1}: exit $rc, expected 2"
    grep -qxF -- "ward: client: $want" "$WORK/usage.log" ||
        fail "ward client ${*:1:$#-1}: no line 'ward: client: $want' in: $(cat "$WORK/usage.log")"
}
usage_error 'foo://host' "unknown scheme 'foo' in 'foo://host' (the schemes: ward help client)"
usage_error 'imaps://' "missing host in 'imaps://'"
usage_error 'imaps://:993/' "missing host in 'imaps://:993/'"
usage_error 'imaps://[::1' "missing ']' after the IPv6 address in 'imaps://[::1'"
usage_error 'imaps://[::1]x' "expected ':PORT' after ']' in 'imaps://[::1]x'"
usage_error 'smtp://mx:0' "bad port '0' in 'smtp://mx:0' (1 to 65535)"
usage_error 'smtp://mx:65536' "bad port '65536' in 'smtp://mx:65536' (1 to 65535)"
usage_error 'smtp://mx:25x' "bad port '25x' in 'smtp://mx:25x' (1 to 65535)"
usage_error 'imaps://user@mail' "user names in URLs are not supported: 'imaps://user@mail'"
usage_error --starttls smtp 'smtp://mx' "--starttls takes HOST[:PORT], not a URL: 'smtp://mx'"
usage_error --starttls imaps mail "--starttls: 'imaps' is implicit TLS, not STARTTLS: use imaps://mail"
usage_error --starttls gopher mail "--starttls: unknown protocol 'gopher' (the protocols: ward help client)"
usage_error --sess-in s.bin --early-data req.txt 'smtp://mx' "--early-data cannot be used with a STARTTLS scheme (smtp)"
usage_error --helo 'a b' 'smtp://mx' "--helo 'a b': only letters, digits and '-._[]:' (a domain or an address literal)"
usage_error --helo "x'y" 'xmpp-server://mx' "--helo 'x'y': only letters, digits and '-._[]:' (a domain or an address literal)"
usage_error --helo '' 'smtp://mx' "--helo needs a name of 1 to 255 characters"
usage_error --helo mx.test 'imap://mx' "--helo is for smtp, submission, lmtp and xmpp-server, not imap"
usage_error --helo mx.test 'mx' "--helo is for smtp, submission, lmtp and xmpp-server, not a bare HOST[:PORT]"
ok "URL and --starttls usage errors: exit 2, exact messages"

# The scheme's default port, seen in the refused connection to it (nothing
# listens on these ports on a test machine's loopback).
default_port() {
    local rc=0
    timeout 20 "$WARD" client "${@:1:$#-1}" </dev/null >/dev/null 2>"$WORK/port.log" || rc=$?
    [ "$rc" -eq 1 ] || fail "ward client ${*:1:$#-1}: exit $rc, expected 1"
    assert_contains "$WORK/port.log" "cannot connect to 127.0.0.1:${*: -1}:" "ward client ${*:1:$#-1}"
}
default_port 'imaps://127.0.0.1' 993
default_port 'pop3s://127.0.0.1/' 995
default_port 'https://127.0.0.1/index.html' 443
default_port 'smtp://127.0.0.1' 25
default_port 'submission://127.0.0.1' 587
default_port --starttls imap 127.0.0.1 143
default_port 127.0.0.1 443
ok "default ports: imaps 993, pop3s 995, https 443, smtp 25, submission 587, --starttls imap 143, bare host 443"

# An explicit port against openssl s_server, with the scheme's ALPN (the
# server takes the one it is offered) and a path that is ignored.
start_openssl_server alpn -cert "$PKI/ecdsa.pem" -key "$PKI/ecdsa.key" -cert_chain "$PKI/ca.pem" \
    -alpn http/1.1,imap -naccept 4
for url in "https://localhost:$SERVER_PORT/some/path?q=1" "imaps://localhost:$SERVER_PORT"; do
    ward_client "$WORK/alpn.log" --cafile "$PKI/ca.pem" "$url"
    [ "$CLIENT_RC" -eq 0 ] || fail "ward client $url: exit $CLIENT_RC: $(cat "$WORK/alpn.log")"
    want=$([ "${url%%:*}" = https ] && echo http/1.1 || echo imap)
    assert_contains "$WORK/alpn.log" "ward: ALPN $want" "ward client $url"
    assert_contains "$WORK/alpn.log" "verified: chain" "ward client $url"
done
ok "https://localhost:PORT/path offers http/1.1, imaps://localhost:PORT offers imap; verified against the URL's host"

# --showcerts: a line and the PEM of each certificate, leaf first.
ward_client "$WORK/show.log" --cafile "$PKI/ca.pem" --showcerts -q "https://localhost:$SERVER_PORT/"
[ "$CLIENT_RC" -eq 0 ] || fail "--showcerts: exit $CLIENT_RC: $(cat "$WORK/show.log")"
out="$WORK/client.out"
[ "$(grep -c '^-----BEGIN CERTIFICATE-----$' "$out")" -eq 2 ] || fail "--showcerts: not 2 PEM blocks"
grep -qxE 'certificate 0: subject CN=localhost; issuer CN=ward test CA; valid [0-9-]+ [0-9:]+ UTC to [0-9-]+ [0-9:]+ UTC; key EC P-256 256 bits; SAN DNS:localhost, IP:127.0.0.1, IP:::1' "$out" ||
    fail "--showcerts: leaf summary line wrong: $(grep '^certificate 0' "$out")"
grep -qxE 'certificate 1: subject CN=ward test CA; issuer CN=ward test CA; .*; key EC P-256 256 bits; SAN none' "$out" ||
    fail "--showcerts: CA summary line wrong: $(grep '^certificate 1' "$out")"
awk '/^-----BEGIN/{n++} n==1' "$out" | sed '/^-----END/q' >"$WORK/c0.pem"
awk '/^-----BEGIN/{n++} n==2' "$out" | sed '/^-----END/q' >"$WORK/c1.pem"
cmp -s <(openssl x509 -outform DER -in "$WORK/c0.pem") <(openssl x509 -outform DER -in "$PKI/ecdsa.pem") ||
    fail "--showcerts: certificate 0 is not the server's leaf"
cmp -s <(openssl x509 -outform DER -in "$WORK/c1.pem") <(openssl x509 -outform DER -in "$PKI/ca.pem") ||
    fail "--showcerts: certificate 1 is not the CA"
ok "--showcerts: two PEM blocks that openssl x509 reads back as the leaf and the CA, summary lines with names, validity, key, SAN"
stop "$SERVER_PID"

# An IPv6 literal in a URL: connected over ::1, verified against IP:::1.
start_ward_server v6 --listen '[::1]:0' --cert "$PKI/ecdsa-chain.pem" --key "$PKI/ecdsa.key"
printf 'over v6\n' >"$WORK/v6.in"
CLIENT_IN="$WORK/v6.in" ward_client "$WORK/v6.client" --cafile "$PKI/ca.pem" "https://[::1]:$SERVER_PORT/x"
[ "$CLIENT_RC" -eq 0 ] || fail "https://[::1]:PORT/: exit $CLIENT_RC: $(cat "$WORK/v6.client")"
assert_contains "$WORK/v6.client" "ward: connected to [::1]:$SERVER_PORT"
assert_contains "$WORK/v6.client" "verified: chain"
assert_same "$WORK/v6.in" "$WORK/client.out" "https://[::1]:PORT/ echo"
ok "https://[::1]:PORT/x: IPv6 literal, certificate verified against ::1, echo intact"
stop "$SERVER_PID"

# --check-expiry: a leaf that expires in 2 days.
openssl ecparam -name prime256v1 -genkey -noout -out "$WORK/soon.key" 2>/dev/null
openssl req -new -key "$WORK/soon.key" -subj /CN=localhost -out "$WORK/soon.csr" 2>/dev/null
printf 'subjectAltName=DNS:localhost\nbasicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n' >"$WORK/soon.ext"
openssl x509 -req -in "$WORK/soon.csr" -CA "$PKI/ca.pem" -CAkey "$PKI/ca.key" -CAcreateserial \
    -days 2 -extfile "$WORK/soon.ext" -out "$WORK/soon.pem" 2>/dev/null
start_openssl_server soon -cert "$WORK/soon.pem" -key "$WORK/soon.key" -cert_chain "$PKI/ca.pem"
ward_client "$WORK/exp30.log" --cafile "$PKI/ca.pem" --check-expiry 30 "localhost:$SERVER_PORT"
[ "$CLIENT_RC" -eq 3 ] || fail "--check-expiry 30: exit $CLIENT_RC, expected 3"
grep -qE '^ward: error: certificate 0 \(subject CN=localhost\) expires [0-9-]+ [0-9:]+ UTC, in (1\.9|2\.0) days: sooner than --check-expiry 30$' \
    "$WORK/exp30.log" || fail "--check-expiry 30: message: $(cat "$WORK/exp30.log")"
ward_client "$WORK/exp1.log" --cafile "$PKI/ca.pem" --check-expiry 1 "localhost:$SERVER_PORT"
[ "$CLIENT_RC" -eq 0 ] || fail "--check-expiry 1: exit $CLIENT_RC: $(cat "$WORK/exp1.log")"
assert_contains "$WORK/exp1.log" "--check-expiry 1: no certificate of the 2 expires sooner"
ok "--check-expiry: 30 days exits 3 naming the leaf and its date, 1 day exits 0"
stop "$SERVER_PID"

# STARTTLS against stt_server.py PROTO MODE: sets STT_PID, STT_PORT.
start_stt() {
    local name=$1-$2
    python3 "$WARD_TESTS/interop/stt_server.py" "$1" "$2" "$PKI/ecdsa.pem" "$PKI/ecdsa.key" \
        >"$WORK/$name.port" 2>"$WORK/$name.log" &
    STT_PID=$!
    PIDS+=("$STT_PID")
    STT_PORT=$(wait_line "$WORK/$name.port" '^[0-9]+$' "$STT_PID" 15) ||
        fail "stt_server.py $1 $2 did not start: $(cat "$WORK/$name.log")"
}
for proto in smtp imap; do
    if [ $proto = smtp ]; then cmd='QUIT\r\n' answer='221 2.0.0 Bye'; else cmd='a1 LOGOUT\r\n' answer='* BYE stt_server logging out'; fi
    printf "$cmd" >"$WORK/in.txt"
    start_stt $proto ok
    CLIENT_IN="$WORK/in.txt" ward_client "$WORK/$proto-ok.client" --cafile "$PKI/ca.pem" \
        "$proto://localhost:$STT_PORT"
    [ "$CLIENT_RC" -eq 0 ] || fail "$proto STARTTLS: exit $CLIENT_RC: $(cat "$WORK/$proto-ok.client")"
    assert_contains "$WORK/client.out" "$answer" "$proto: the answer over TLS"
    assert_contains "$WORK/$proto-ok.client" "ward: S: " "$proto: the server's lines"
    assert_contains "$WORK/$proto-ok.client" "verified: chain"
    assert_contains "$WORK/$proto-ok.log" "STARTTLS" "$proto: the server"
    wait_exit "$STT_PID" 10 || fail "$proto: stt_server.py did not finish: $(cat "$WORK/$proto-ok.log")"
    ok "$proto://: plaintext dialogue, TLS on the same socket, the post-TLS step, then the relay ($answer)"

    start_stt $proto refuse
    ward_client "$WORK/$proto-refuse.client" --cafile "$PKI/ca.pem" --starttls $proto "localhost:$STT_PORT"
    [ "$CLIENT_RC" -eq 1 ] || fail "$proto refusal: exit $CLIENT_RC, expected 1"
    if [ $proto = smtp ]; then
        want='ward: error: the server does not offer STARTTLS (its EHLO reply: "250-mx.test hello / 250-PIPELINING / 250 8BITMIME")'
    else
        want='ward: error: the server does not offer STARTTLS (its CAPABILITY reply: "* CAPABILITY IMAP4rev1 LOGINDISABLED / a1 OK done")'
    fi
    grep -qxF -- "$want" "$WORK/$proto-refuse.client" || fail "$proto refusal: $(cat "$WORK/$proto-refuse.client")"
    [ ! -s "$WORK/client.out" ] || fail "$proto refusal: something went to stdout"
    ok "--starttls $proto against a server without STARTTLS: exit 1, its reply quoted, no plaintext fallback"

    start_stt $proto inject
    CLIENT_IN="$WORK/in.txt" ward_client "$WORK/$proto-inject.client" --cafile "$PKI/ca.pem" \
        "$proto://localhost:$STT_PORT"
    [ "$CLIENT_RC" -eq 1 ] || fail "$proto injection: exit $CLIENT_RC, expected 1"
    if [ $proto = smtp ]; then
        want="ward: error: 14 bytes came after the server's 220 go-ahead, before the TLS handshake (command injection?): \"250 injected\\x0d\\x0a\""
    else
        want="ward: error: 15 bytes came after the server's tagged OK to STARTTLS, before the TLS handshake (command injection?): \"* OK injected\\x0d\\x0a\""
    fi
    grep -qxF -- "$want" "$WORK/$proto-inject.client" || fail "$proto injection: $(cat "$WORK/$proto-inject.client")"
    [ ! -s "$WORK/client.out" ] || fail "$proto injection: something went to stdout"
    assert_not_contains "$WORK/$proto-inject.client" "TLS 1." "$proto injection: no handshake"
    ok "$proto: a line pipelined behind the go-ahead: exit 1, the injection named, no handshake, nothing on stdout"
done

# --helo NAME: the EHLO argument, before TLS and again after it (RFC 3207
# section 4.2), as the server received it.
printf 'QUIT\r\n' >"$WORK/in.txt"
start_stt smtp ok
CLIENT_IN="$WORK/in.txt" ward_client "$WORK/helo.client" --cafile "$PKI/ca.pem" \
    --helo client.ward.test "smtp://localhost:$STT_PORT"
[ "$CLIENT_RC" -eq 0 ] || fail "--helo: exit $CLIENT_RC: $(cat "$WORK/helo.client")"
wait_exit "$STT_PID" 10 || fail "--helo: stt_server.py did not finish: $(cat "$WORK/smtp-ok.log")"
[ "$(grep -cxF "stt_server: got b'EHLO client.ward.test\\r\\n'" "$WORK/smtp-ok.log")" -eq 2 ] ||
    fail "--helo: the server did not get 'EHLO client.ward.test' twice: $(grep EHLO "$WORK/smtp-ok.log" | tr '\n' '|')"
assert_not_contains "$WORK/smtp-ok.log" "EHLO localhost" "--helo"
assert_contains "$WORK/helo.client" "ward: C: EHLO client.ward.test" "--helo: the dialogue"
ok "--helo client.ward.test: the server got 'EHLO client.ward.test' before and after TLS"

# A reset after data is named as such, after the data went to stdout.
start_stt reset -
ward_client "$WORK/reset.client" --cafile "$PKI/ca.pem" "localhost:$STT_PORT"
[ "$CLIENT_RC" -eq 1 ] || fail "reset: exit $CLIENT_RC, expected 1"
grep -qxF 'ward: error: the server reset the connection after 23 bytes of data, without a close_notify (if it sent one, the reset destroyed it)' \
    "$WORK/reset.client" || fail "reset: $(cat "$WORK/reset.client")"
grep -qxF 'one line, then a reset' "$WORK/client.out" || fail "reset: the line did not reach stdout"
ok "a server that resets after a line: exit 1, 'the server reset the connection after 23 bytes', the line on stdout"
done_all
