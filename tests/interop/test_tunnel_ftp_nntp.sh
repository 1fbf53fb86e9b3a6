#!/usr/bin/env bash
# Issue #16: FTP and NNTP through `ward tunnel` in server mode, the
# backends plain.
#   FTP   vsftpd without TLS (servers.sh: start_vsftpd_plain) behind
#         --starttls ftp. Python's ftplib FTP_TLS: auth() (AUTH TLS,
#         RFC 4217), anonymous login, pwd(), nlst(), retrlines('LIST') and a
#         RETR, the data connections in the clear, straight to vsftpd:
#         the tunnel carries the control connection only, answers PBSZ and
#         refuses PROT P with 536 (so prot_p() must raise error_perm 536),
#         and must not offer AUTH TLS again in FEAT after the upgrade. curl
#         --ftp-ssl-control (control only) gets a file; curl --ssl-reqd,
#         which wants PROT P, fails on the 536.
#   NNTP  INN's nnrpd without TLS settings (start_nnrpd_plain) behind
#         --starttls nntp: nntplib NNTP + starttls() (RFC 4642), then
#         CAPABILITIES (no STARTTLS: nnrpd itself still lists it in
#         plaintext, checked first, so the tunnel must strip it) and LIST
#         answered with nnrpd's groups; and an implicit NNTPS tunnel with
#         nntplib NNTP_SSL.
# Every connection's log line: TLS 1.3, bytes both ways, an orderly end.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/servers.sh"
source "$(dirname "$0")/tunnel_lib.sh"

need vsftpd curl openssl python3 runuser
[ -x "$NNRPD" ] || fail "nnrpd not found at $NNRPD (the inn2 package; scripts/install-deps.sh test)"
make_pki
cd "$WORK"
T0=$SECONDS
# Python's clients close after the server's last reply without reading the
# tunnel's close_notify: their kernel may answer it with a reset.
TUNNEL_ENDS='closed|client-reset'

start_vsftpd_plain
start_nnrpd_plain
tunnel_server ftp-stt "$VSFTPD_FTP" --starttls ftp
tunnel_server nntp-stt "$NNRPD_NNTP" --starttls nntp
tunnel_server nntps "$NNRPD_NNTP"

cat >clients.py <<'PY'
import ftplib, ssl, sys, warnings
warnings.simplefilter("ignore", DeprecationWarning)
import nntplib

mode, port, ca = sys.argv[1], int(sys.argv[2]), sys.argv[3]
ctx = ssl.create_default_context(cafile=ca)  # verifies 127.0.0.1 (the leaf's IP SAN)
HOST = "127.0.0.1"

def need(cond, what):
    if not cond:
        sys.exit("FAIL: " + what)

def ftp():
    f = ftplib.FTP_TLS(context=ctx, timeout=15)
    welcome = f.connect(HOST, port)
    need(welcome.startswith("220"), "greeting: %r" % welcome)
    feat = f.sendcmd("FEAT")
    need("AUTH TLS" in feat, "FEAT before the upgrade does not offer AUTH TLS: %r" % feat)
    resp = f.auth()
    need(resp.startswith("234"), "AUTH TLS: %r" % resp)
    need(isinstance(f.sock, ssl.SSLSocket), "control connection not TLS after auth()")
    print("tls:", f.sock.version())
    f.login()  # anonymous
    feat = f.sendcmd("FEAT")
    need("AUTH TLS" not in feat, "FEAT after the upgrade offers AUTH TLS again: %r" % feat)
    need(f.pwd() == "/", "PWD")
    names = f.nlst()
    need("README" in names, "NLST: %r" % (names,))
    lines = []
    f.retrlines("LIST", lines.append)
    need(any(l.endswith(" README") for l in lines), "LIST: %r" % (lines,))
    data = []
    f.retrbinary("RETR README", data.append)
    need(b"".join(data) == b"ward interop\n", "RETR README: %r" % (data,))
    # data connections are not tunnelled: PROT P must be refused with 536
    try:
        f.prot_p()
        sys.exit("FAIL: prot_p() was accepted")
    except ftplib.error_perm as e:
        need(str(e).startswith("536"), "PROT P refused, but not with 536: %s" % e)
        print("prot_p refused:", e)
    need(f.nlst() == names, "NLST after the refused PROT P")  # still in the clear
    f.quit()
    print("ftp ok", names)

def nntp_after_tls(n, what):
    caps = n.getcapabilities()
    need("STARTTLS" not in caps, "%s: CAPABILITIES after TLS offer STARTTLS: %r" % (what, sorted(caps)))
    need("READER" in caps, "%s: CAPABILITIES lack READER: %r" % (what, sorted(caps)))
    resp, groups = n.list()
    need(resp.startswith("215") and len(groups) >= 1, "%s: LIST: %r" % (what, resp))
    names = sorted(g.group for g in groups)
    n.quit()
    print(what, "ok", len(names), " ".join(names))

if mode == "ftp":
    ftp()
elif mode == "nntp":
    n = nntplib.NNTP(HOST, port, timeout=15)
    need(n.getwelcome().startswith("20"), "greeting: %r" % n.getwelcome())
    need("STARTTLS" in n.getcapabilities(), "CAPABILITIES before TLS lack STARTTLS")
    n.starttls(context=ctx)
    need(isinstance(n.sock, ssl.SSLSocket), "not TLS after starttls()")
    nntp_after_tls(n, "nntp-starttls")
elif mode == "nntps":
    n = nntplib.NNTP_SSL(HOST, port, ssl_context=ctx, timeout=15)
    need(n.getwelcome().startswith("20"), "greeting: %r" % n.getwelcome())
    nntp_after_tls_caps = n.getcapabilities()
    resp, groups = n.list()
    need(resp.startswith("215") and len(groups) >= 1, "nntps: LIST: %r" % resp)
    n.quit()
    print("nntps ok", len(groups), " ".join(sorted(g.group for g in groups)))
elif mode == "nntp-plain":  # the backend directly, in plaintext
    n = nntplib.NNTP(HOST, port, timeout=15)
    need("STARTTLS" in n.getcapabilities(), "nnrpd does not offer STARTTLS in plaintext")
    resp, groups = n.list()
    n.quit()
    print("plain ok", len(groups), " ".join(sorted(g.group for g in groups)))
else:
    sys.exit("unknown mode " + mode)
PY

py() { # NAME MODE PORT
    local rc=0
    timeout 30 "$PY3" clients.py "$2" "$3" "$PKI/ca.pem" >"$1.out" 2>&1 || rc=$?
    [ "$rc" -eq 0 ] || fail "$1: python $2 exited $rc: $(tail -n 3 "$1.out" | tr '\n' '|')"
}

lines_ok() { # LOG N WHAT
    local line
    wait_tunnel_lines "$1" "$2"
    while read -r line; do
        check_tunnel_line "$line" "$3"
    done < <(tunnel_conn_lines "$1")
}

# ---- FTP ----
py ftp ftp "$FTP_STT_PORT"
assert_contains ftp.out "tls: TLSv1.3" "ftplib's control connection"
assert_contains ftp.out "prot_p refused: 536" "ftplib prot_p()"
lines_ok "$FTP_STT_LOG" 1 "ftp"
grep -q 'OK DOWNLOAD: Client "127.0.0.1", "/README", 13 bytes' "$VSFTPD_LOG" ||
    fail "vsftpd logged no clear download of README: $(tail -n 3 "$VSFTPD_LOG")"
ok "FTP AUTH TLS via the tunnel: login, PWD, NLST, LIST, RETR in the clear; PROT P refused with 536; no AUTH TLS in FEAT after the upgrade"
# curl: --ftp-ssl-control (TLS on the control connection only, PROT C)
# gets the file; --ssl-reqd (which needs PROT P) must fail, not fall back
rc=0
timeout 30 curl -sS -v --ftp-ssl-control --cacert "$PKI/ca.pem" \
    "ftp://127.0.0.1:$FTP_STT_PORT/README" >curl-ftp.out 2>curl-ftp.err || rc=$?
[ "$rc" -eq 0 ] || fail "curl --ftp-ssl-control exited $rc: $(grep -E '^(\* |curl:|< )' curl-ftp.err | tail -n 4 | tr '\n' '|')"
[ "$(cat curl-ftp.out)" = "ward interop" ] || fail "curl --ftp-ssl-control: README is '$(head -c 100 curl-ftp.out)'"
assert_contains curl-ftp.err "SSL connection using TLSv1.3" "curl ftp:// control connection"
rc=0
timeout 30 curl -sS -v --ssl-reqd --cacert "$PKI/ca.pem" \
    "ftp://127.0.0.1:$FTP_STT_PORT/README" >curl-ftp-p.out 2>curl-ftp-p.err || rc=$?
[ "$rc" -ne 0 ] || fail "curl --ssl-reqd (PROT P) succeeded through a tunnel that carries no data connections"
assert_contains curl-ftp-p.err "< 536" "curl --ssl-reqd: the PROT P refusal"
lines_ok "$FTP_STT_LOG" 2 "ftp"
ok "curl ftp:// --ftp-ssl-control got README through the tunnel; curl --ssl-reqd fails on PROT P (536, exit $rc)"

# ---- NNTP ----
py nntp-plain nntp-plain "$NNRPD_NNTP"
want=$(sed -n 's/^plain ok //p' nntp-plain.out)
[ -n "$want" ] || fail "nnrpd listed no groups in plaintext"
py nntp-stt nntp "$NNTP_STT_PORT"
[ "$(sed -n 's/^nntp-starttls ok //p' nntp-stt.out)" = "$want" ] ||
    fail "nntplib starttls(): LIST through the tunnel differs from nnrpd's own ($want): $(cat nntp-stt.out)"
lines_ok "$NNTP_STT_LOG" 1 "nntp-stt"
ok "NNTP STARTTLS via the tunnel: nntplib starttls(), CAPABILITIES without STARTTLS (nnrpd offers it in plaintext), LIST = nnrpd's ($want)"
py nntps nntps "$NNTPS_PORT"
[ "$(sed -n 's/^nntps ok //p' nntps.out)" = "$want" ] ||
    fail "nntplib NNTP_SSL: LIST through the tunnel differs from nnrpd's own ($want): $(cat nntps.out)"
lines_ok "$NNTPS_LOG" 1 "nntps"
ok "NNTPS via the tunnel: nntplib NNTP_SSL, LIST = nnrpd's"

stop_tunnels
log "run time $((SECONDS - T0)) s"
done_all
