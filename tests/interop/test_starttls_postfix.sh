#!/usr/bin/env bash
# Issue #15: SMTP with STARTTLS (RFC 3207) and implicit TLS (RFC 8314)
# against Postfix. One private Postfix (tests/interop/servers.sh) listens
# as port 25 does (STARTTLS offered), as port 587 does (STARTTLS required:
# checked here, MAIL before it is refused with 530) and as port 465 does
# (TLS at once). A message sent on each is found delivered in the test
# user's maildir, and Postfix's log shows each session over TLS with the
# test PKI's leaf.
#
# The clients: openssl s_client checks the fixture itself, ward client is
# what the test is about.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/servers.sh"

need postfix openssl python3
make_pki
start_postfix
cd "$WORK"

# delivered TOKEN: the maildir file holding a message with this Subject
# (bounded wait: the queue manager delivers asynchronously).
delivered() {
    local i f
    for ((i = 0; i < 200; i++)); do
        f=$(grep -lF -- "Subject: $1" "$POSTFIX_MAIL"/new/* 2>/dev/null | head -n 1 || true)
        [ -n "$f" ] && { echo "$f"; return 0; }
        sleep 0.05
    done
    return 1
}

# tls_sessions: Postfix's count of TLS sessions its smtpd set up.
tls_sessions() {
    grep -cE 'postfix/smtpd\[[0-9]+\]: Anonymous TLS connection established from localhost\[127\.0\.0\.1\]' \
        "$POSTFIX_LOG" || true
}

send_mail() { # CLIENT SCHEME PORT
    local name="$1-$2" token="ward-smtp-$1-$2-$RANDOM$RANDOM" f before i n
    before=$(tls_sessions)
    # after the upgrade the client says EHLO again (RFC 3207 section 4.2:
    # the server forgets what it learnt before TLS)
    crlf_lines "$name" "EHLO client.ward.test" "MAIL FROM:<sender@example.org>" \
        "RCPT TO:<$TEST_USER@ward.test>" "DATA" "From: sender@example.org" \
        "To: $TEST_USER@ward.test" "Subject: $token" "" "sent over $2" "."
    converse "$name" "250 2.0.0 Ok: queued as" QUIT "$1" "$2" "$3"
    assert_contains "$name.out" "250 2.1.5 Ok" "$name: RCPT TO"
    assert_contains "$name.out" "250 2.0.0 Ok: queued as" "$name: DATA"
    f=$(delivered "$token") || fail "$name: the message '$token' is not in $POSTFIX_MAIL/new"
    for ((i = 0; i < 40; i++)); do
        n=$(tls_sessions)
        [ "$n" -gt "$before" ] && break
        sleep 0.05
    done
    [ "$n" -eq $((before + 1)) ] ||
        fail "$name: Postfix logged $n TLS sessions, expected $((before + 1))"
    ok "$1: $2 (port $3) delivered '$token' over TLS ($(basename "$f"))"
}

# The submission port's policy, in plaintext: the fixture must refuse
# mail before STARTTLS, or the STARTTLS test on it proves nothing.
refuses_plaintext() {
    local out="$WORK/plain-submission.out"
    exec 3<>"/dev/tcp/127.0.0.1/$POSTFIX_SUBMISSION"
    printf 'EHLO client.ward.test\r\nMAIL FROM:<sender@example.org>\r\nQUIT\r\n' >&3
    timeout 10 cat <&3 >"$out" || true
    exec 3<&-
    assert_contains "$out" "530 5.7.0 Must issue a STARTTLS command first" "submission in plaintext"
    ok "submission (port $POSTFIX_SUBMISSION) refuses MAIL before STARTTLS"
}

refuses_plaintext
CLIENTS=(openssl ward)
for client in "${CLIENTS[@]}"; do
    send_mail "$client" smtp "$POSTFIX_SMTP"
    send_mail "$client" submission "$POSTFIX_SUBMISSION"
    send_mail "$client" smtps "$POSTFIX_SMTPS"
done
done_all
