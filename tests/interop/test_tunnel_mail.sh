#!/usr/bin/env bash
# Issue #16: mail through `ward tunnel` in server mode, the backends plain:
# Dovecot without TLS (servers.sh: start_dovecot_plain) and Postfix without
# TLS (start_postfix_plain). Real clients in front, each verifying the test
# PKI's CA for 127.0.0.1:
#   IMAPS       curl imaps:// (list the mailboxes, fetch the message),
#               Python imaplib IMAP4_SSL (login, list, select)
#   IMAP        --starttls imap: curl imap:// --ssl-reqd, imaplib IMAP4 +
#               starttls() (then login, list, select)
#   POP3S       poplib POP3_SSL (login, stat, list), on 127.0.0.1 and ::1;
#               curl pop3s:// (list, retrieve the message)
#   POP3 STLS   starttls = pop3: poplib POP3 + stls() (login, stat, list),
#               curl pop3:// --ssl-reqd (list)
#               (these two services from one --config file)
#   SMTP        --starttls smtp: curl smtp:// --ssl-reqd --upload-file, and
#               smtplib starttls() + sendmail; each message is found
#               delivered in the maildir.
# After the upgrade no client may see the upgrade offered again (smtplib's
# EHLO features, imaplib's and poplib's capabilities). For SMTP this is
# checked against a Postfix listener that itself offers STARTTLS in
# plaintext (POSTFIX_OFFERS): the tunnel must strip it. A long message whose
# body holds capability-like lines (STARTTLS, STLS, LOGINDISABLED) comes
# back byte for byte through the IMAP and POP3 STARTTLS tunnels.
# The backends must have seen plaintext: Dovecot logs no TLS login,
# Postfix no TLS session. Every connection's log line: TLS 1.3, bytes both
# ways, end=closed.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/servers.sh"
source "$(dirname "$0")/tunnel_lib.sh"

need dovecot postfix curl openssl python3
make_pki
cd "$WORK"
T0=$SECONDS

start_dovecot_plain
start_postfix_plain
SUBJECT="ward-tunnel-imap-$RANDOM$RANDOM"
deliver_lmtp "$DOVECOT_LMTP" "$SUBJECT"
maildir_has "$DOVECOT_MAIL" "$SUBJECT" >/dev/null || fail "the LMTP message is not in $DOVECOT_MAIL/new"
# A second message whose body looks like the capability lines the STARTTLS
# tunnels rewrite (and is long): it must come back byte for byte, the
# filters touching only the servers' own replies, never message content.
TRICKY="ward-tunnel-tricky-$RANDOM$RANDOM"
"$PY3" - "$DOVECOT_LMTP" "$TRICKY" "$TEST_USER" <<'PY' || fail "LMTP delivery of the tricky message failed"
import smtplib, sys
body = ("From: sender@ward.test\r\nTo: %s\r\nSubject: %s\r\n\r\n" % (sys.argv[3], sys.argv[2])
        + "* CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED AUTH=PLAIN\r\n"
        + "* OK [CAPABILITY IMAP4rev1 STARTTLS] ready\r\na OK [CAPABILITY IMAP4rev1 STARTTLS] done\r\n"
        + "STLS\r\nSTARTTLS\r\n250-STARTTLS\r\n AUTH TLS\r\n"
        + ("0123456789" * 7 + "\r\n") * 3000)
with smtplib.LMTP("127.0.0.1", int(sys.argv[1]), timeout=10) as s:
    s.sendmail("sender@ward.test", [sys.argv[3]], body)
PY
f=$(maildir_has "$DOVECOT_MAIL" "$TRICKY") || fail "the tricky message is not in $DOVECOT_MAIL/new"
# a copy: Dovecot moves the file to cur/ once a session has seen it
TRICKY_FILE="$WORK/tricky.eml"
cp "$f" "$TRICKY_FILE"

tunnel_server imaps "$DOVECOT_IMAP"
tunnel_server imap-stt "$DOVECOT_IMAP" --starttls imap
# POP3 from a configuration file (docs/tunnel.md): two services in one
# tunnel, POP3S on IPv4 and IPv6 loopback, POP3 STLS beside it.
cat >pop3.conf <<CONF
# POP3S and POP3 STLS in front of a plain Dovecot
[pop3s]
accept = 127.0.0.1:0
accept = [::1]:0
connect = 127.0.0.1:$DOVECOT_POP3
mode = tls-accept
cert = $PKI/ecdsa-chain.pem
key = $PKI/ecdsa.key

[pop3-stls]
accept = 127.0.0.1:0        ; the tunnel speaks POP3 up to STLS
connect = 127.0.0.1:$DOVECOT_POP3
mode = tls-accept
starttls = pop3
cert = $PKI/ecdsa-chain.pem
key = $PKI/ecdsa.key
CONF
start_tunnel_config pop3 pop3.conf pop3s pop3-stls
POP3_LOG=$TUNNEL_LOG
POP3S_PORT=$(tunnel_port "$POP3_LOG" pop3s)
POP3S_PORT6=$(tunnel_port "$POP3_LOG" pop3s 6)
POP3_STT_PORT=$(tunnel_port "$POP3_LOG" pop3-stls)
tunnel_server smtp-stt "$POSTFIX_SMTP" --starttls smtp
tunnel_server smtp-offers "$POSTFIX_OFFERS" --starttls smtp

# The Python clients, one mode each; they fail (exit 1, with the reason)
# on anything unexpected.
cat >clients.py <<'PY'
import imaplib, os, poplib, smtplib, ssl, sys

mode, port, user, password, ca = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
ctx = ssl.create_default_context(cafile=ca)  # verifies 127.0.0.1 (the leaf's IP SAN)
HOST = os.environ.get("CLIENT_HOST", "127.0.0.1")  # the leaf also holds ::1

def need(cond, what):
    if not cond:
        sys.exit("FAIL: " + what)

def imap_session(m):
    need("STARTTLS" not in m.capabilities, "IMAP capabilities after TLS offer STARTTLS: %r" % (m.capabilities,))
    need("LOGINDISABLED" not in m.capabilities, "IMAP capabilities after TLS say LOGINDISABLED")
    typ, _ = m.login(user, password)
    need(typ == "OK", "LOGIN")
    typ, boxes = m.list()
    need(typ == "OK" and any(b'INBOX' in b for b in boxes), "LIST: %r" % (boxes,))
    typ, n = m.select("INBOX")
    need(typ == "OK" and int(n[0]) >= 1, "SELECT INBOX: %r" % (n,))
    m.logout()
    print("imap ok: %s messages" % int(n[0]))

def pop_session(p):
    capa = p.capa()
    need("STLS" not in capa, "POP3 CAPA after TLS offers STLS: %r" % (capa,))
    p.user(user)
    p.pass_(password)
    count, _ = p.stat()
    resp, listing, _ = p.list()
    need(count >= 1 and len(listing) == count, "STAT %d, LIST %r" % (count, listing))
    p.quit()
    print("pop3 ok: %d messages" % count)

def smtp_session(s, subject):
    s.ehlo("client.ward.test")
    need(s.has_extn("starttls"), "EHLO before TLS does not offer STARTTLS: %r" % (s.esmtp_features,))
    s.starttls(context=ctx)
    s.ehlo("client.ward.test")
    need(not s.has_extn("starttls"), "EHLO after TLS offers STARTTLS again: %r" % (s.esmtp_features,))
    msg = "From: sender@example.org\r\nTo: %s@ward.test\r\nSubject: %s\r\n\r\nsent through ward tunnel\r\n" % (user, subject)
    refused = s.sendmail("sender@example.org", ["%s@ward.test" % user], msg)
    need(not refused, "recipients refused: %r" % (refused,))
    s.quit()
    print("smtp ok")

if mode == "imaps":
    imap_session(imaplib.IMAP4_SSL(HOST, port, ssl_context=ctx, timeout=15))
elif mode == "imap":
    m = imaplib.IMAP4(HOST, port, timeout=15)
    need("STARTTLS" in m.capabilities, "IMAP capabilities before TLS lack STARTTLS: %r" % (m.capabilities,))
    m.starttls(ssl_context=ctx)
    imap_session(m)
elif mode == "pop3s":
    pop_session(poplib.POP3_SSL(HOST, port, context=ctx, timeout=15))
elif mode == "pop3":
    p = poplib.POP3(HOST, port, timeout=15)
    need("STLS" in p.capa(), "POP3 CAPA before TLS lacks STLS")
    p.stls(context=ctx)
    pop_session(p)
elif mode == "smtp":
    smtp_session(smtplib.SMTP(HOST, port, timeout=15), sys.argv[6])
elif mode == "integrity":  # FETCH and RETR of the tricky message, vs the maildir
    disk = open(sys.argv[7], "rb").read().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
    m = imaplib.IMAP4(HOST, port, timeout=15)
    m.starttls(ssl_context=ctx)
    m.login(user, password)
    m.select("INBOX")
    typ, uids = m.search(None, "SUBJECT", disk.split(b"Subject: ")[1].split(b"\r\n")[0].decode())
    typ, data = m.fetch(uids[0].split()[-1], "(RFC822)")
    need(data[0][1] == disk, "IMAP FETCH through the tunnel differs from the maildir (%d vs %d bytes)" % (len(data[0][1]), len(disk)))
    m.logout()
    p = poplib.POP3(HOST, int(sys.argv[6]), timeout=15)
    p.stls(context=ctx)
    p.user(user)
    p.pass_(password)
    count, _ = p.stat()
    resp, lines, _ = p.retr(count)  # the last one delivered
    got = b"\r\n".join(lines) + b"\r\n"
    need(got == disk, "POP3 RETR through the tunnel differs from the maildir (%d vs %d bytes)" % (len(got), len(disk)))
    p.quit()
    print("integrity ok", len(disk))
elif mode == "imap-plain-login":  # LOGIN without STARTTLS: must be refused
    m = imaplib.IMAP4(HOST, port, timeout=15)
    try:
        m.login(user, password)
        sys.exit("FAIL: LOGIN accepted in plaintext")
    except (imaplib.IMAP4.error, imaplib.IMAP4.abort) as e:
        print("refused:", e)
elif mode == "smtp-plain-mail":  # MAIL without STARTTLS: must be refused
    s = smtplib.SMTP(HOST, port, timeout=15)
    s.ehlo("client.ward.test")
    try:
        code, resp = s.mail("sender@example.org")
    except smtplib.SMTPServerDisconnected as e:
        code, resp = 0, str(e).encode()
    need(code != 250, "MAIL FROM accepted in plaintext")
    print("refused:", code, resp.decode(errors="replace"))
else:
    sys.exit("unknown mode " + mode)
PY

# py NAME MODE PORT [ARG]: run one Python client (bounded), output in NAME.out.
py() {
    local name=$1 rc=0
    shift
    timeout 30 "$PY3" clients.py "$1" "$2" "$TEST_USER" "$TEST_PASS" "$PKI/ca.pem" "${@:3}" \
        >"$name.out" 2>&1 || rc=$?
    [ "$rc" -eq 0 ] || fail "$name: python $1 exited $rc: $(tail -n 3 "$name.out" | tr '\n' '|')"
}

# curl_mail NAME URL ARGS...: curl --ssl-reqd through a tunnel, the body in
# NAME.out, verbose output in NAME.err.
curl_mail() {
    local name=$1 url=$2 rc=0
    shift 2
    timeout 30 curl -sS -v --ssl-reqd --cacert "$PKI/ca.pem" -u "$TEST_USER:$TEST_PASS" "$@" \
        "$url" >"$name.out" 2>"$name.err" || rc=$?
    [ "$rc" -eq 0 ] || fail "$name: curl exited $rc: $(grep -E '^(\* |curl:)' "$name.err" | tail -n 4 | tr '\n' '|')"
    assert_contains "$name.err" "SSL connection using TLSv1.3" "$name: curl's TLS"
}

# tunnel_lines_ok NAME N: the tunnel NAME logged N connections, each good.
tunnel_lines_ok() {
    local var logf line
    var=$(printf '%s' "$1" | tr 'a-z-' 'A-Z_')_LOG
    logf=${!var}
    wait_tunnel_lines "$logf" "$2"
    while read -r line; do
        check_tunnel_line "$line" "$1"
    done < <(tunnel_conn_lines "$logf")
    [ "$(tunnel_conn_lines "$logf" | wc -l)" -eq "$2" ] ||
        fail "$1: $(tunnel_conn_lines "$logf" | wc -l) connection lines, expected $2"
}

# The clients close once they have the server's last reply (LOGOUT, QUIT),
# without reading the tunnel's close_notify that follows it: data unread
# at close makes their kernel answer with a reset, which the tunnel logs as
# client-reset (a race: seen with smtplib). The session itself is checked
# by the client's own result.
TUNNEL_ENDS='closed|client-reset'

# ---- IMAPS ----
curl_mail curl-imaps "imaps://127.0.0.1:$IMAPS_PORT/"
assert_contains curl-imaps.out '* LIST (\HasNoChildren) "." INBOX' "curl imaps:// list"
curl_mail curl-imaps-fetch "imaps://127.0.0.1:$IMAPS_PORT/INBOX;UID=1"
assert_contains curl-imaps-fetch.out "Subject: $SUBJECT" "curl imaps:// fetch"
py imaplib-ssl imaps "$IMAPS_PORT"
tunnel_lines_ok imaps 3
ok "IMAPS: curl listed INBOX and fetched the message, imaplib IMAP4_SSL logged in, listed, selected"

# ---- IMAP STARTTLS ----
curl_mail curl-imap "imap://127.0.0.1:$IMAP_STT_PORT/"
assert_contains curl-imap.out '* LIST (\HasNoChildren) "." INBOX' "curl imap:// --ssl-reqd list"
assert_contains curl-imap.err "STARTTLS" "curl imap:// dialogue"
py imaplib-stt imap "$IMAP_STT_PORT"
tunnel_lines_ok imap-stt 2
ok "IMAP STARTTLS: curl --ssl-reqd listed INBOX; imaplib starttls(), no STARTTLS/LOGINDISABLED after it, login, list, select"

# ---- POP3S and POP3 STLS ----
# svc_lines_ok SERVICE N: the config tunnel's SERVICE logged N good lines.
svc_lines_ok() {
    local line i
    for ((i = 0; i < 200; i++)); do
        [ "$(tunnel_svc_lines "$POP3_LOG" "$1" | wc -l)" -ge "$2" ] && break
        sleep 0.05
    done
    [ "$(tunnel_svc_lines "$POP3_LOG" "$1" | wc -l)" -eq "$2" ] ||
        fail "$1: $(tunnel_svc_lines "$POP3_LOG" "$1" | wc -l) connection lines, expected $2: $(tail -n 3 "$POP3_LOG")"
    while read -r line; do
        check_tunnel_line "$line" "$1"
    done < <(tunnel_svc_lines "$POP3_LOG" "$1")
}
py poplib-ssl pop3s "$POP3S_PORT"
CLIENT_HOST=::1 py poplib-ssl6 pop3s "$POP3S_PORT6"
curl_mail curl-pop3s "pop3s://127.0.0.1:$POP3S_PORT/"
grep -qE '^1 [0-9]+' curl-pop3s.out || fail "curl pop3s:// LIST: $(head -c 200 curl-pop3s.out)"
curl_mail curl-pop3s-retr "pop3s://127.0.0.1:$POP3S_PORT/1"
assert_contains curl-pop3s-retr.out "Subject: $SUBJECT" "curl pop3s:// RETR"
svc_lines_ok pop3s 4
tunnel_svc_lines "$POP3_LOG" pop3s | grep -qF ' [::1]:' ||
    fail "pop3s: no connection line names an IPv6 peer: $(tunnel_svc_lines "$POP3_LOG" pop3s | tail -n 1)"
py poplib-stt pop3 "$POP3_STT_PORT"
curl_mail curl-pop3 "pop3://127.0.0.1:$POP3_STT_PORT/"
grep -qE '^1 [0-9]+' curl-pop3.out || fail "curl pop3:// --ssl-reqd LIST: $(head -c 200 curl-pop3.out)"
assert_contains curl-pop3.err "STLS" "curl pop3:// dialogue"
svc_lines_ok pop3-stls 2
ok "POP3S (127.0.0.1 and ::1) and POP3 STLS from one --config tunnel: poplib logged in, STAT and LIST, no STLS in CAPA after stls(); curl pop3s:// listed and retrieved, curl pop3:// --ssl-reqd listed"

# The tricky message through both STARTTLS tunnels (IMAP FETCH, POP3 RETR)
py integrity integrity "$IMAP_STT_PORT" "$POP3_STT_PORT" "$TRICKY_FILE"
wait_tunnel_lines "$IMAP_STT_LOG" 3
svc_lines_ok pop3-stls 3
ok "a $(stat -c %s "$TRICKY_FILE")-byte message with capability-like lines came back byte for byte through the IMAP and POP3 STARTTLS tunnels"

# A client that does not upgrade gets nothing relayed (the tunnel is the
# server until STARTTLS): LOGIN refused, no login reaches Dovecot, and the
# tunnel's line shows no TLS.
py imap-plain imap-plain-login "$IMAP_STT_PORT"
wait_tunnel_lines "$IMAP_STT_LOG" 4
[ "$(tunnel_field "$(tunnel_last_line "$IMAP_STT_LOG")" version)" = - ] ||
    fail "imap-stt: the refused plaintext session's line shows TLS: $(tunnel_last_line "$IMAP_STT_LOG")"
ok "IMAP STARTTLS tunnel: LOGIN before STARTTLS refused ($(sed -n 's/^refused: //p' imap-plain.out | head -c 80))"

# Dovecot saw only plaintext logins, one per IMAP/POP3 session above.
n=$(grep -cE "(imap|pop3)-login: Info: Login: user=<$TEST_USER>, method=PLAIN" "$DOVECOT_LOG" || true)
[ "$n" -eq 13 ] || fail "Dovecot logged $n logins, expected 13 (curl 6, imaplib 3, poplib 4)"
assert_not_contains "$DOVECOT_LOG" ", TLS" "Dovecot's log (the backend must see plaintext)"
ok "Dovecot (ssl = no) logged 13 plaintext logins (none from the refused LOGIN), none over TLS"

# ---- SMTP STARTTLS ----
TOKEN="ward-tunnel-curl-$RANDOM$RANDOM"
# the body: lines like the replies the SMTP filter rewrites, and 200 KB
{
    printf 'sent by curl through ward tunnel\nSTARTTLS\n250-STARTTLS\n250 STARTTLS\n220 not a greeting\n'
    for ((i = 0; i < 100; i++)); do head -c 1500 /dev/urandom | base64 -w 76; done
} >body.txt
{
    printf 'From: sender@example.org\r\nTo: %s@ward.test\r\nSubject: %s\r\n\r\n' "$TEST_USER" "$TOKEN"
    sed 's/$/\r/' body.txt
} >msg.txt
curl_mail curl-smtp "smtp://127.0.0.1:$SMTP_STT_PORT" --mail-from sender@example.org \
    --mail-rcpt "$TEST_USER@ward.test" --upload-file msg.txt
f=$(maildir_has "$POSTFIX_MAIL" "$TOKEN") || fail "curl smtp://: '$TOKEN' is not in $POSTFIX_MAIL/new"
tail -c "$(stat -c %s body.txt)" "$f" | cmp -s - body.txt ||
    fail "curl smtp://: the delivered body differs from the one sent ($f)"
ok "curl smtp:// --ssl-reqd delivered '$TOKEN' through the tunnel, its $(stat -c %s body.txt)-byte body intact ($(basename "$f"))"
for tun in smtp-stt smtp-offers; do
    var=$(printf '%s' "$tun" | tr 'a-z-' 'A-Z_')_PORT
    TOKEN="ward-tunnel-smtplib-$tun-$RANDOM$RANDOM"
    py "smtplib-$tun" smtp "${!var}" "$TOKEN"
    f=$(maildir_has "$POSTFIX_MAIL" "$TOKEN") || fail "smtplib via $tun: '$TOKEN' is not in $POSTFIX_MAIL/new"
    ok "smtplib via $tun: STARTTLS offered before, not after the upgrade; '$TOKEN' delivered"
done
tunnel_lines_ok smtp-stt 2
tunnel_lines_ok smtp-offers 1
# MAIL before STARTTLS: refused by the tunnel, nothing reaches Postfix
py smtp-plain smtp-plain-mail "$SMTP_STT_PORT"
wait_tunnel_lines "$SMTP_STT_LOG" 3
[ "$(tunnel_field "$(tunnel_last_line "$SMTP_STT_LOG")" version)" = - ] ||
    fail "smtp-stt: the refused plaintext session's line shows TLS: $(tunnel_last_line "$SMTP_STT_LOG")"
ok "SMTP STARTTLS tunnel: MAIL before STARTTLS refused ($(sed -n 's/^refused: //p' smtp-plain.out | head -c 80))"
# the offering listener really offers STARTTLS in plaintext, or the check
# above proves nothing
exec 3<>"/dev/tcp/127.0.0.1/$POSTFIX_OFFERS"
printf 'EHLO client.ward.test\r\nQUIT\r\n' >&3
timeout 10 cat <&3 >offers-plain.out || true
exec 3<&-
assert_contains offers-plain.out "250-STARTTLS" "Postfix's offering listener in plaintext"
if grep -qE 'TLS connection established' "$POSTFIX_LOG"; then
    fail "Postfix logged a TLS session: the backend must see plaintext: $(grep -m1 'TLS connection established' "$POSTFIX_LOG")"
fi
ok "Postfix offers STARTTLS on POSTFIX_OFFERS, the tunnel hid it after the upgrade, and Postfix saw only plaintext"

stop_tunnels
log "run time $((SECONDS - T0)) s"
done_all
