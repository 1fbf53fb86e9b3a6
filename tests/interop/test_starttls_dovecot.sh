#!/usr/bin/env bash
# Issue #15: STARTTLS and implicit TLS against Dovecot, the IMAP/POP3
# server people run. One private Dovecot (tests/interop/servers.sh) serves
# IMAP (STARTTLS, RFC 9051 / RFC 2595) and IMAPS, POP3 (STLS, RFC 2595)
# and POP3S, ManageSieve (STARTTLS, RFC 5804) and LMTP (STARTTLS over
# RFC 2033). For each client the test delivers a message over LMTP and
# finds it in the maildir, then finds it again over IMAP and POP3, logs in
# to ManageSieve and stores a script. Every session verifies the test
# PKI's leaf for "localhost", and Dovecot's log must show each login made
# over TLS.
#
# The clients: openssl s_client checks the fixture itself, ward client is
# what the test is about.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/servers.sh"

need dovecot openssl python3 runuser
make_pki
start_dovecot
cd "$WORK"
DELIVERED=0

# logins CLIENT: how many logins over TLS Dovecot has logged so far for
# PROTO's login process.
logins() {
    grep -cE "^.* $1-login: Info: Login: user=<$TEST_USER>, method=PLAIN, .*, TLS, " \
        "$DOVECOT_LOG" || true
}

# expect_login PROTO BEFORE WHAT: one more TLS login than BEFORE.
expect_login() {
    local n i
    for ((i = 0; i < 40; i++)); do # Dovecot logs asynchronously
        n=$(logins "$1")
        [ "$n" -gt "$2" ] && break
        sleep 0.05
    done
    [ "$n" -eq $(($2 + 1)) ] || fail "$3: Dovecot logged $n TLS logins for $1, expected $(($2 + 1))"
}

lmtp_deliver() { # CLIENT
    local name="$1-lmtp" token="ward-lmtp-$1-$RANDOM$RANDOM" i f=""
    crlf_lines "$name" "LHLO client.ward.test" "MAIL FROM:<sender@ward.test>" \
        "RCPT TO:<$TEST_USER>" "DATA" "From: sender@ward.test" "To: $TEST_USER" \
        "Subject: $token" "" "delivered over LMTP with STARTTLS" "."
    converse "$name" " Saved" QUIT "$1" lmtp "$DOVECOT_LMTP"
    assert_contains "$name.out" "250 2.1.5 OK" "$name: RCPT TO"
    for ((i = 0; i < 100; i++)); do
        f=$(grep -lF -- "Subject: $token" "$DOVECOT_MAIL"/new/* 2>/dev/null | head -n 1 || true)
        [ -n "$f" ] && break
        sleep 0.05
    done
    [ -n "$f" ] || fail "$name: the message '$token' is not in $DOVECOT_MAIL/new"
    DELIVERED=$((DELIVERED + 1))
    ok "$1: LMTP STARTTLS delivered '$token' to the maildir ($(basename "$f"))"
}

imap_session() { # CLIENT SCHEME PORT
    local name="$1-$2" before
    before=$(logins imap)
    crlf_lines "$name" "a LOGIN $TEST_USER $TEST_PASS" 'b LIST "" "*"' "c SELECT INBOX"
    converse "$name" "c OK" "d LOGOUT" "$1" "$2" "$3"
    assert_contains "$name.out" "a OK " "$name: LOGIN"
    assert_contains "$name.out" '* LIST (\HasNoChildren) "." INBOX' "$name: LIST"
    assert_contains "$name.out" "* $DELIVERED EXISTS" "$name: SELECT"
    assert_contains "$name.out" "c OK [READ-WRITE] Select completed" "$name: SELECT"
    expect_login imap "$before" "$name"
    ok "$1: $2 logged in, listed INBOX and found its $DELIVERED message(s)"
}

pop3_session() { # CLIENT SCHEME PORT
    local name="$1-$2" before
    before=$(logins pop3)
    crlf_lines "$name" "USER $TEST_USER" "PASS $TEST_PASS" "STAT" "LIST"
    converse "$name" "+OK $DELIVERED messages:" QUIT "$1" "$2" "$3"
    assert_contains "$name.out" "+OK Logged in." "$name: PASS"
    grep -qE "^\\+OK $DELIVERED [0-9]+" "$name.out" ||
        fail "$name: STAT did not say $DELIVERED messages: $(head -c 300 "$name.out")"
    assert_contains "$name.out" "+OK $DELIVERED messages:" "$name: LIST"
    expect_login pop3 "$before" "$name"
    ok "$1: $2 logged in, STAT and LIST count $DELIVERED message(s)"
}

sieve_session() { # CLIENT
    local name="$1-sieve" before auth script="ward-$1"
    before=$(logins managesieve)
    auth=$(printf '\0%s\0%s' "$TEST_USER" "$TEST_PASS" | base64 -w 0)
    # PUTSCRIPT with a non-synchronizing literal (RFC 5804 section 4:
    # "{7+}"): the 7 bytes "keep;" CRLF, then the command's own CRLF.
    crlf_lines "$name" "AUTHENTICATE \"PLAIN\" \"$auth\"" "PUTSCRIPT \"$script\" {7+}" \
        "keep;" "" "LISTSCRIPTS"
    converse "$name" 'OK "Listscripts completed."' LOGOUT "$1" sieve "$DOVECOT_SIEVE"
    assert_contains "$name.out" 'OK "Logged in."' "$name: AUTHENTICATE"
    assert_contains "$name.out" 'OK "PUTSCRIPT completed."' "$name: PUTSCRIPT"
    assert_contains "$name.out" "\"$script\"" "$name: LISTSCRIPTS"
    expect_login managesieve "$before" "$name"
    ok "$1: ManageSieve STARTTLS logged in, stored '$script' and listed it"
}

CLIENTS=(openssl ward)
for client in "${CLIENTS[@]}"; do
    lmtp_deliver "$client"
    imap_session "$client" imap "$DOVECOT_IMAP"
    imap_session "$client" imaps "$DOVECOT_IMAPS"
    pop3_session "$client" pop3 "$DOVECOT_POP3"
    pop3_session "$client" pop3s "$DOVECOT_POP3S"
    sieve_session "$client"
done
done_all
