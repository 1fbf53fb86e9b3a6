#!/usr/bin/env bash
# Issue #15: SMTP with STARTTLS (RFC 3207) and implicit TLS (RFC 8314)
# against Postfix. One private Postfix (tests/interop/servers.sh) listens
# as port 25 does (STARTTLS offered), as port 587 does (STARTTLS required:
# checked here, MAIL before it is refused with 530) and as port 465 does
# (TLS at once). A message sent on each is found delivered in the test
# user's maildir, and Postfix's log shows each session over TLS with the
# test PKI's leaf. On a fourth port without STARTTLS, ward refuses to go
# on in plaintext.
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

# ward on a port without STARTTLS: it must stop after the EHLO reply,
# saying so and quoting it, and send none of the mail in plaintext (RFC
# 3207 section 4.1: a client that requires TLS does not go on without it).
ward_refused() {
    local name=ward-notls token="notls-$RANDOM$RANDOM"
    crlf_lines "$name" "EHLO client.ward.test" "MAIL FROM:<$token@example.org>" \
        "RCPT TO:<$TEST_USER@ward.test>" "DATA" "Subject: $token" "" "must not be sent" "." "QUIT"
    CONV_RC=0
    timeout 30 "$WARD" client --cafile "$PKI/ca.pem" --servername localhost \
        "smtp://127.0.0.1:$POSTFIX_NOTLS" <"$name.in" >"$name.out" 2>"$name.err" || CONV_RC=$?
    [ "$CONV_RC" -eq 1 ] || fail "$name: ward exited $CONV_RC, expected 1: $(tail -n 2 "$name.err")"
    assert_contains "$name.err" 'ward: error: the server does not offer STARTTLS (its EHLO reply: "250-localhost.ward.test / 250-PIPELINING' "$name"
    [ ! -s "$name.out" ] || fail "$name: ward wrote the server's plaintext to stdout: $(head -c 200 "$name.out")"
    # Postfix logs the session's end: EHLO was its only command
    wait_line "$POSTFIX_LOG" 'disconnect from localhost\[127\.0\.0\.1\] ehlo=1 commands=1$' \
        "$POSTFIX_MASTER" 10 >/dev/null ||
        fail "$name: Postfix did not log a session of EHLO alone: $(tail -n 3 "$POSTFIX_LOG")"
    assert_not_contains "$POSTFIX_LOG" "$token" "$name: Postfix's log"
    ok "ward: smtp without STARTTLS (port $POSTFIX_NOTLS) refused after EHLO, nothing sent in plaintext"
}

# The whole session piped in at once, QUIT included, stdin ending at
# once (the usual `printf ... | ward client URL`): Postfix answers QUIT
# and closes, and ward must still end with Postfix's close_notify, not a
# reset.
ward_piped() {
    local name=ward-piped token="ward-piped-$RANDOM$RANDOM" f
    crlf_lines "$name" "EHLO client.ward.test" "MAIL FROM:<sender@example.org>" \
        "RCPT TO:<$TEST_USER@ward.test>" "DATA" "Subject: $token" "" "piped" "." "QUIT"
    CONV_RC=0
    timeout 30 "$WARD" client --cafile "$PKI/ca.pem" --servername localhost \
        "smtp://127.0.0.1:$POSTFIX_SMTP" <"$name.in" >"$name.out" 2>"$name.err" || CONV_RC=$?
    [ "$CONV_RC" -eq 0 ] || fail "$name: ward exited $CONV_RC: $(tail -n 2 "$name.err" | tr '\n' '|')"
    assert_contains "$name.out" "221 2.0.0 Bye" "$name"
    assert_contains "$name.err" "ward: closed by the server (close_notify)" "$name"
    f=$(delivered "$token") || fail "$name: the message '$token' is not in $POSTFIX_MAIL/new"
    ok "ward: smtp with stdin piped and ended at once delivered '$token', ended by Postfix's close_notify"
}

refuses_plaintext
ward_refused
ward_piped
CLIENTS=(openssl ward)
for client in "${CLIENTS[@]}"; do
    send_mail "$client" smtp "$POSTFIX_SMTP"
    send_mail "$client" submission "$POSTFIX_SUBMISSION"
    send_mail "$client" smtps "$POSTFIX_SMTPS"
done
done_all
