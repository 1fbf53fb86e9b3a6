#!/usr/bin/env bash
# Issue #16: `ward tunnel --tls-connect` (client mode): plaintext clients
# reach TLS servers through the tunnel, which verifies the server's
# certificate (the test PKI's CA, name "localhost").
#   IMAPS       Dovecot's implicit-TLS port (servers.sh: start_dovecot):
#               Python's imaplib.IMAP4 in plaintext logs in, lists,
#               selects INBOX and finds the message put there first.
#   IMAP        Dovecot's STARTTLS port with --starttls imap: the same.
#   POP3        Dovecot's STLS port with --starttls pop3: poplib logs in.
#   pinned      Dovecot's IMAPS port, trusted by --pin (its key's hash)
#               instead of --cafile: the same session.
#   submission  Postfix's port-587 listener, STARTTLS required before MAIL
#               (start_postfix), with --starttls smtp: smtplib.SMTP in
#               plaintext sends a message, found delivered in the maildir.
# The servers must log each session as TLS. Then the refusals: the tunnel
# does not start in client mode without --cafile or --pin (exit status 2
# or 1, the reason on stderr, no listener), and a server whose certificate
# does not verify for --servername (wrong.example) gets no relayed
# session: the client is closed, the tunnel's line says handshake-failed
# with the reason, and Dovecot sees no login; the same for a wrong --pin.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/servers.sh"
source "$(dirname "$0")/tunnel_lib.sh"

need dovecot postfix openssl python3
make_pki
cd "$WORK"
T0=$SECONDS
# Python's clients close after the server's last reply without reading
# what follows (the tunnel's FIN after the server's close_notify): the
# tunnel may log that as client-reset.
TUNNEL_ENDS='closed|client-reset'

start_dovecot
start_postfix
SUBJECT="ward-tunnel-client-$RANDOM$RANDOM"
deliver_lmtp "$DOVECOT_LMTP" "$SUBJECT"
maildir_has "$DOVECOT_MAIL" "$SUBJECT" >/dev/null || fail "the LMTP message is not in $DOVECOT_MAIL/new"

tunnel_client imaps-c "$DOVECOT_IMAPS"
tunnel_client imap-c "$DOVECOT_IMAP" --starttls imap
tunnel_client pop3-c "$DOVECOT_POP3" --starttls pop3
tunnel_client sub-c "$POSTFIX_SUBMISSION" --starttls smtp
tunnel_client wrongname "$DOVECOT_IMAPS" --servername wrong.example
# trust by key instead of by CA: --pin with the SHA-256 of Dovecot's
# SubjectPublicKeyInfo, no --cafile, no --servername
PIN=sha256:$(openssl x509 -in "$PKI/ecdsa.pem" -pubkey -noout | openssl pkey -pubin -outform der |
    openssl dgst -sha256 -binary | od -An -v -tx1 | tr -d ' \n')
start_tunnel pinned --accept 127.0.0.1:0 --connect "127.0.0.1:$DOVECOT_IMAPS" --tls-connect --pin "$PIN"
# a pin of another key: the handshake must fail
start_tunnel wrongpin --accept 127.0.0.1:0 --connect "127.0.0.1:$DOVECOT_IMAPS" --tls-connect \
    --pin "sha256:$(printf '%064d' 0)"

cat >clients.py <<'PY'
import imaplib, poplib, smtplib, sys

mode, port, user, password = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
HOST = "127.0.0.1"

def need(cond, what):
    if not cond:
        sys.exit("FAIL: " + what)

if mode == "imap":
    m = imaplib.IMAP4(HOST, port, timeout=15)  # plaintext: the tunnel does TLS
    need(m.welcome.startswith(b"* OK"), "greeting: %r" % m.welcome)
    need("STARTTLS" not in m.capabilities, "the plaintext client is offered STARTTLS: %r" % (m.capabilities,))
    typ, _ = m.login(user, password)
    need(typ == "OK", "LOGIN")
    typ, boxes = m.list()
    need(typ == "OK" and any(b"INBOX" in b for b in boxes), "LIST: %r" % (boxes,))
    typ, n = m.select("INBOX")
    need(typ == "OK" and int(n[0]) >= 1, "SELECT: %r" % (n,))
    typ, data = m.search(None, "SUBJECT", sys.argv[5])
    need(typ == "OK" and data[0].split(), "SEARCH SUBJECT %s: %r" % (sys.argv[5], data))
    m.logout()
    print("imap ok", int(n[0]))
elif mode == "smtp":
    s = smtplib.SMTP(HOST, port, timeout=15)  # plaintext: the tunnel does STARTTLS
    s.ehlo("client.ward.test")
    need(not s.has_extn("starttls"), "the plaintext client is offered STARTTLS: %r" % (s.esmtp_features,))
    msg = "From: sender@example.org\r\nTo: %s@ward.test\r\nSubject: %s\r\n\r\nsent in plaintext to ward tunnel\r\n" % (user, sys.argv[5])
    refused = s.sendmail("sender@example.org", ["%s@ward.test" % user], msg)
    need(not refused, "refused: %r" % (refused,))
    s.quit()
    print("smtp ok")
elif mode == "pop3":
    p = poplib.POP3(HOST, port, timeout=15)  # plaintext: the tunnel does STLS
    need(p.getwelcome().startswith(b"+OK"), "greeting: %r" % p.getwelcome())
    need("STLS" not in p.capa(), "the plaintext client is offered STLS")
    p.user(user)
    p.pass_(password)
    count, _ = p.stat()
    need(count >= 1, "STAT: %d" % count)
    p.quit()
    print("pop3 ok", count)
elif mode == "imap-fail":
    try:
        m = imaplib.IMAP4(HOST, port, timeout=15)
    except (imaplib.IMAP4.abort, imaplib.IMAP4.error, OSError) as e:
        print("refused:", type(e).__name__, e)
        sys.exit(0)
    sys.exit("FAIL: a session through a tunnel whose server did not verify: %r" % m.welcome)
else:
    sys.exit("unknown mode " + mode)
PY

py() { # NAME MODE PORT [ARG]
    local name=$1 rc=0
    shift
    timeout 30 "$PY3" clients.py "$1" "$2" "$TEST_USER" "$TEST_PASS" "${@:3}" >"$name.out" 2>&1 || rc=$?
    [ "$rc" -eq 0 ] || fail "$name: python $1 exited $rc: $(tail -n 3 "$name.out" | tr '\n' '|')"
}

tls_logins() { # Dovecot's IMAP logins over TLS so far
    grep -cE "imap-login: Info: Login: user=<$TEST_USER>, method=PLAIN, .*, TLS" "$DOVECOT_LOG" || true
}

# ---- IMAPS and IMAP STARTTLS ----
py imaps imap "$IMAPS_C_PORT" "$SUBJECT"
wait_tunnel_lines "$IMAPS_C_LOG" 1
check_tunnel_line "$(tunnel_last_line "$IMAPS_C_LOG")" "imaps-c"
[ "$(tls_logins)" -eq 1 ] || fail "Dovecot logged $(tls_logins) TLS logins, expected 1"
ok "plaintext imaplib -> tunnel -> Dovecot IMAPS: login, list, select, the message found; Dovecot saw TLS"
py imap imap "$IMAP_C_PORT" "$SUBJECT"
wait_tunnel_lines "$IMAP_C_LOG" 1
check_tunnel_line "$(tunnel_last_line "$IMAP_C_LOG")" "imap-c"
[ "$(tls_logins)" -eq 2 ] || fail "Dovecot logged $(tls_logins) TLS logins, expected 2"
ok "plaintext imaplib -> tunnel --starttls imap -> Dovecot: the same, STARTTLS hidden from the client"

py pinned imap "$PINNED_PORT" "$SUBJECT"
wait_tunnel_lines "$PINNED_LOG" 1
check_tunnel_line "$(tunnel_last_line "$PINNED_LOG")" "pinned"
[ "$(tls_logins)" -eq 3 ] || fail "Dovecot logged $(tls_logins) TLS logins, expected 3"
ok "plaintext imaplib -> tunnel --pin (Dovecot's key) -> Dovecot IMAPS: login, list, select"

py pop3 pop3 "$POP3_C_PORT"
wait_tunnel_lines "$POP3_C_LOG" 1
check_tunnel_line "$(tunnel_last_line "$POP3_C_LOG")" "pop3-c"
grep -qE "pop3-login: Info: Login: user=<$TEST_USER>, method=PLAIN, .*, TLS" "$DOVECOT_LOG" ||
    fail "Dovecot logged no POP3 login over TLS"
ok "plaintext poplib -> tunnel --starttls pop3 -> Dovecot: login and STAT over STLS, STLS hidden from the client"

# ---- submission with STARTTLS required ----
TOKEN="ward-tunnel-sub-$RANDOM$RANDOM"
py smtp smtp "$SUB_C_PORT" "$TOKEN"
f=$(maildir_has "$POSTFIX_MAIL" "$TOKEN") || fail "submission: '$TOKEN' is not in $POSTFIX_MAIL/new"
wait_tunnel_lines "$SUB_C_LOG" 1
check_tunnel_line "$(tunnel_last_line "$SUB_C_LOG")" "sub-c"
grep -qE 'postfix/smtpd\[[0-9]+\]: Anonymous TLS connection established from localhost\[127\.0\.0\.1\]' \
    "$POSTFIX_LOG" || fail "Postfix logged no TLS session"
ok "plaintext smtplib -> tunnel --starttls smtp -> Postfix submission (STARTTLS required): '$TOKEN' delivered ($(basename "$f"))"

# ---- refusals ----
# no trust: the tunnel must not start (it would verify nothing)
rc=0
timeout 10 "$WARD" tunnel --accept 127.0.0.1:0 --connect "127.0.0.1:$DOVECOT_IMAPS" \
    --tls-connect --servername localhost </dev/null >notrust.out 2>notrust.err || rc=$?
[ "$rc" -ne 0 ] && [ "$rc" -ne 124 ] || fail "ward tunnel --tls-connect without --cafile/--pin: exit $rc, expected a refusal"
assert_not_contains notrust.err "listening on" "ward tunnel without --cafile/--pin"
grep -qiE 'cafile|pin' notrust.err || fail "the refusal does not name --cafile/--pin: $(head -n 3 notrust.err | tr '\n' '|')"
ok "ward tunnel --tls-connect without --cafile or --pin refuses to start (exit $rc: $(head -n 1 notrust.err))"

# a name the server's certificate does not hold
before=$(tls_logins)
py wrongname imap-fail "$WRONGNAME_PORT"
wait_tunnel_lines "$WRONGNAME_LOG" 1
line=$(tunnel_last_line "$WRONGNAME_LOG")
[[ $(tunnel_field "$line" end) == handshake-failed* ]] ||
    fail "wrong --servername: the tunnel's line does not say handshake-failed: $line"
reason=${line#*end=handshake-failed}
[ -n "${reason#: }" ] || fail "wrong --servername: no reason logged: $line"
[ "$(tls_logins)" -eq "$before" ] || fail "wrong --servername: Dovecot saw a login"
ok "wrong --servername: the client got no session, the tunnel logged handshake-failed${reason}"

# a pin that is not the server's key
before=$(tls_logins)
py wrongpin imap-fail "$WRONGPIN_PORT"
wait_tunnel_lines "$WRONGPIN_LOG" 1
line=$(tunnel_last_line "$WRONGPIN_LOG")
[[ $(tunnel_field "$line" end) == handshake-failed* ]] ||
    fail "wrong --pin: the tunnel's line does not say handshake-failed: $line"
[ "$(tls_logins)" -eq "$before" ] || fail "wrong --pin: Dovecot saw a login"
ok "wrong --pin: the client got no session, the tunnel logged handshake-failed${line#*end=handshake-failed}"

stop_tunnels
log "run time $((SECONDS - T0)) s"
done_all
