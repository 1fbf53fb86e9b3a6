# shellcheck shell=bash
# shellcheck disable=SC2034 # the ports and paths set here are the tests'
# Real servers as test peers for STARTTLS and implicit TLS (issue #15):
# Dovecot, Postfix, vsftpd, INN's nnrpd, PostgreSQL, MariaDB, OpenLDAP's
# slapd and Prosody, each started by the test from a private configuration
# in $WORK, listening on free loopback ports, and stopped by lib.sh's trap
# whatever happens. Sourced after lib.sh and make_pki.
#
# Each start_* function writes its configuration under $WORK/NAME, picks
# its ports, starts the server, waits (bounded) until every port answers,
# registers the server's process for the cleanup and sets NAME_PORT_*
# variables. The servers log to $WORK/NAME.log, which lib.sh shows when a
# test fails.

# lib.sh's cleanup kills what is in PIDS. Servers that detach a master of
# their own (Postfix) are stopped first by the commands in SERVER_STOPS,
# run in reverse order, each bounded.
SERVER_STOPS=()
eval "_lib_cleanup() $(declare -f cleanup | tail -n +2)"
cleanup() {
    local rc=$? i
    # the test is ending with status rc: a failing stop must neither end
    # this function early (set -e) nor be reported (the ERR trap)
    trap - ERR
    set +e
    for ((i = ${#SERVER_STOPS[@]} - 1; i >= 0; i--)); do
        eval "${SERVER_STOPS[i]}" || true
    done
    (exit "$rc") # lib.sh's cleanup reads the status from $?
    _lib_cleanup
}

# stop_pid PID: end a process this test started but is not the parent of
# (a daemon's master), and wait (bounded, 10 s) until it is gone.
stop_pid() {
    local pid=$1 i
    kill "$pid" 2>/dev/null || return 0
    for ((i = 0; i < 200; i++)); do
        kill -0 "$pid" 2>/dev/null || return 0
        sleep 0.05
    done
    kill -KILL "$pid" 2>/dev/null || true
}

TEST_USER=ward
TEST_PASS=wardpass
# nnrpd is not on PATH (the inn2 package keeps INN's programs together)
NNRPD=/usr/lib/news/bin/nnrpd

# free_ports N: N distinct free TCP ports on 127.0.0.1, one a line. The
# kernel picks them (bind to port 0) and they are released at once: a
# server that must be told its ports in a configuration file cannot bind
# port 0 itself. The window in which another program could take one is
# small, and a taken port makes the server fail to start, loudly.
free_ports() {
    python3 - "$1" <<'PY'
import socket, sys
socks = []
for _ in range(int(sys.argv[1])):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind(("127.0.0.1", 0))
    socks.append(s)
for s in socks:
    print(s.getsockname()[1])
PY
}

# port_answers PORT: something accepts connections on 127.0.0.1:PORT.
port_answers() {
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# wait_ports PID LOG SECONDS PORT...: until every PORT accepts connections,
# while PID (the server, or its master) lives.
wait_ports() {
    local pid=$1 logf=$2 secs=$3 i p
    shift 3
    for p in "$@"; do
        for ((i = 0; ; i++)); do
            port_answers "$p" && break
            kill -0 "$pid" 2>/dev/null ||
                fail "server (pid $pid) exited before port $p answered: $(tail -n 5 "$logf" 2>/dev/null)"
            [ "$i" -lt $((secs * 20)) ] ||
                fail "port $p did not answer within ${secs}s: $(tail -n 5 "$logf" 2>/dev/null)"
            sleep 0.05
        done
    done
}

# The work directory must be traversable by the unprivileged users the
# servers drop to (dovenull, nobody, postfix, ftp, news, postgres, mysql);
# its contents keep their own modes.
#
# The servers are started as root (Postfix's master, Dovecot's, vsftpd's
# listener and nnrpd bind, then drop to their own users): without root
# the test fails here, saying so, rather than half-start a server.
open_work() {
    [ "$(id -u)" -eq 0 ] ||
        fail "the STARTTLS server fixtures run Dovecot, Postfix, vsftpd, nnrpd, PostgreSQL and MariaDB, which need root (run as root, as CI does)"
    chmod 711 "$WORK"
}

# ---- Dovecot ----
# start_dovecot: one Dovecot (IMAP, POP3, ManageSieve, LMTP) from
# $WORK/dovecot/dovecot.conf, run in the foreground by the test. Sets
# DOVECOT_PID, DOVECOT_LOG, DOVECOT_MAIL (the test user's maildir) and the
# ports DOVECOT_IMAP (STARTTLS), DOVECOT_IMAPS, DOVECOT_POP3 (STLS),
# DOVECOT_POP3S, DOVECOT_SIEVE (STARTTLS), DOVECOT_LMTP (STARTTLS). The
# user $TEST_USER/$TEST_PASS maps to uid nobody: Dovecot refuses mail
# processes as root.
start_dovecot() {
    local ports
    open_work
    mapfile -t ports < <(free_ports 6)
    DOVECOT_IMAP=${ports[0]} DOVECOT_IMAPS=${ports[1]} DOVECOT_POP3=${ports[2]}
    DOVECOT_POP3S=${ports[3]} DOVECOT_SIEVE=${ports[4]} DOVECOT_LMTP=${ports[5]}
    _dovecot_run _dovecot_conf "${ports[@]}"
}

# _dovecot_run CONF_FN PORT...: the test user, its maildir and the daemon
# with the configuration CONF_FN writes (the DOVECOT_* ports already set);
# returns once every PORT answers.
_dovecot_run() {
    local d="$WORK/dovecot" conf=$1
    shift
    mkdir -p "$d/run" "$d/state" "$WORK/mail"
    chown nobody:nogroup "$WORK/mail"
    DOVECOT_LOG="$WORK/dovecot.log"
    DOVECOT_MAIL="$WORK/mail/$TEST_USER/Maildir"
    printf '%s:{PLAIN}%s:65534:65534::%s::\n' "$TEST_USER" "$TEST_PASS" \
        "$WORK/mail/$TEST_USER" >"$d/users"
    "$conf" >"$d/dovecot.conf"
    : >"$DOVECOT_LOG"
    dovecot -F -c "$d/dovecot.conf" </dev/null >>"$DOVECOT_LOG" 2>&1 &
    DOVECOT_PID=$!
    PIDS+=("$DOVECOT_PID")
    wait_ports "$DOVECOT_PID" "$DOVECOT_LOG" 20 "$@"
}

# The part of both configurations about the one test user: its password
# file, its maildir, the uids Dovecot may run its mail processes as.
_dovecot_users_conf() {
    local d="$WORK/dovecot"
    cat <<CONF
auth_mechanisms = plain login
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%n $d/users
}
userdb {
  driver = passwd-file
  args = username_format=%n $d/users
}
mail_location = maildir:~/Maildir
first_valid_uid = 1000
last_valid_uid = 0
lmtp_save_to_detail_mailbox = no
CONF
}

# The whole configuration in one file, none of /etc/dovecot: the paths
# under $WORK, the test PKI's leaf, a passwd-file with the one user.
_dovecot_conf() {
    local d="$WORK/dovecot"
    cat <<CONF
instance_name = ward-$$
base_dir = $d/run
state_dir = $d/state
log_path = $DOVECOT_LOG
protocols = imap pop3 sieve lmtp
listen = 127.0.0.1
ssl = yes
ssl_cert = <$PKI/ecdsa-chain.pem
ssl_key = <$PKI/ecdsa.key
ssl_min_protocol = TLSv1.2
CONF
    _dovecot_users_conf
    cat <<CONF
service imap-login {
  inet_listener imap {
    port = $DOVECOT_IMAP
  }
  inet_listener imaps {
    port = $DOVECOT_IMAPS
    ssl = yes
  }
}
service pop3-login {
  inet_listener pop3 {
    port = $DOVECOT_POP3
  }
  inet_listener pop3s {
    port = $DOVECOT_POP3S
    ssl = yes
  }
}
service managesieve-login {
  inet_listener sieve {
    port = $DOVECOT_SIEVE
  }
}
service lmtp {
  inet_listener lmtp {
    address = 127.0.0.1
    port = $DOVECOT_LMTP
  }
}
protocol sieve {
}
plugin {
  sieve = file:~/sieve;active=~/.dovecot.sieve
}
CONF
}

# ---- Postfix ----
# start_postfix: a private Postfix instance (postfix -c $WORK/postfix
# start-fg) with three smtpd listeners: POSTFIX_SMTP (port-25 style,
# STARTTLS offered), POSTFIX_SUBMISSION (port-587 style, STARTTLS required
# before MAIL), POSTFIX_SMTPS (port-465 style, implicit TLS) and
# POSTFIX_NOTLS, which offers no STARTTLS (for the refusal: a client must
# not go on in plaintext). Mail to
# $TEST_USER@ward.test goes by the virtual(8) agent to the maildir
# $POSTFIX_MAIL (new/ holds the delivered messages). Sets POSTFIX_PID,
# POSTFIX_LOG.
start_postfix() {
    local d="$WORK/postfix" ports
    open_work
    mkdir -p "$d/etc" "$d/queue" "$d/data" "$WORK/vmail"
    chown postfix:postfix "$d/data"
    chown nobody:nogroup "$WORK/vmail"
    mapfile -t ports < <(free_ports 4)
    POSTFIX_SMTP=${ports[0]} POSTFIX_SUBMISSION=${ports[1]} POSTFIX_SMTPS=${ports[2]}
    POSTFIX_NOTLS=${ports[3]}
    POSTFIX_LOG="$WORK/postfix.log"
    POSTFIX_MAIL="$WORK/vmail/$TEST_USER"
    printf '%s@ward.test %s/\n' "$TEST_USER" "$TEST_USER" >"$d/etc/vmailbox"
    _postfix_main >"$d/etc/main.cf"
    _postfix_master >"$d/etc/master.cf"
    # Postfix ignores configuration files modified within the last second
    # (they may be half written): date them in the past.
    touch -d '-2 seconds' "$d/etc/main.cf" "$d/etc/master.cf" "$d/etc/vmailbox"
    : >"$POSTFIX_LOG"
    postfix -c "$d/etc" start-fg </dev/null >>"$WORK/postfix-master.log" 2>&1 &
    POSTFIX_PID=$!
    PIDS+=("$POSTFIX_PID")
    wait_ports "$POSTFIX_PID" "$WORK/postfix-master.log" 20 "${ports[@]}"
    # start-fg leaves master(8) in a process of its own: stop that one
    # (it stops its children), read from the pid file it writes.
    POSTFIX_MASTER=$(tr -d ' \n' <"$d/queue/pid/master.pid")
    [[ $POSTFIX_MASTER =~ ^[0-9]+$ ]] || fail "postfix: no master pid in $d/queue/pid/master.pid"
    SERVER_STOPS+=("stop_pid $POSTFIX_MASTER")
}

_postfix_main() {
    local d="$WORK/postfix"
    cat <<CONF
compatibility_level = 3.6
queue_directory = $d/queue
data_directory = $d/data
mail_owner = postfix
setgid_group = postdrop
maillog_file = $POSTFIX_LOG
maillog_file_prefixes = $WORK
myhostname = localhost.ward.test
mydomain = ward.test
myorigin = \$myhostname
mydestination =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
alias_maps =
alias_database =
relay_domains =
local_recipient_maps =
smtputf8_enable = no
biff = no
virtual_mailbox_domains = ward.test
virtual_mailbox_base = $WORK/vmail
virtual_mailbox_maps = texthash:$d/etc/vmailbox
virtual_uid_maps = static:65534
virtual_gid_maps = static:65534
smtpd_tls_chain_files = $PKI/ecdsa.key, $PKI/ecdsa-chain.pem
smtpd_tls_security_level = may
smtpd_tls_loglevel = 1
CONF
}

# No chroot (column 5 "n"): the queue lives in the work directory.
_postfix_master() {
    cat <<CONF
127.0.0.1:$POSTFIX_SMTP inet n - n - - smtpd
127.0.0.1:$POSTFIX_SUBMISSION inet n - n - - smtpd
  -o smtpd_tls_security_level=encrypt
127.0.0.1:$POSTFIX_SMTPS inet n - n - - smtpd
  -o smtpd_tls_wrappermode=yes
127.0.0.1:$POSTFIX_NOTLS inet n - n - - smtpd
  -o smtpd_tls_security_level=none
pickup unix n - n 60 1 pickup
cleanup unix n - n - 0 cleanup
qmgr unix n - n 300 1 qmgr
tlsmgr unix - - n 1000? 1 tlsmgr
rewrite unix - - n - - trivial-rewrite
bounce unix - - n - 0 bounce
defer unix - - n - 0 bounce
trace unix - - n - 0 bounce
verify unix - - n - 1 verify
flush unix n - n 1000? 0 flush
proxymap unix - - n - - proxymap
smtp unix - - n - - smtp
relay unix - - n - - smtp
error unix - - n - - error
retry unix - - n - - error
discard unix - - n - - discard
local unix - n n - - local
virtual unix - n n - - virtual
anvil unix - - n - 1 anvil
scache unix - - n - 1 scache
postlog unix-dgram n - n - 1 postlogd
CONF
}

# ---- vsftpd ----
# start_vsftpd: two vsftpd processes in the foreground from
# $WORK/vsftpd-{explicit,implicit}.conf: VSFTPD_FTP (explicit FTPS, AUTH
# TLS, RFC 4217) and VSFTPD_FTPS (implicit FTPS). Anonymous login (user
# "anonymous" or "ftp", any password) over TLS, into $WORK/ftp, read only.
# Sets VSFTPD_PIDS (both), VSFTPD_LOG.
start_vsftpd() {
    local ports
    open_work
    mkdir -p "$WORK/ftp" "$WORK/vsftpd-empty"
    chmod 755 "$WORK/ftp" "$WORK/vsftpd-empty"
    echo "ward interop" >"$WORK/ftp/README"
    mapfile -t ports < <(free_ports 2)
    VSFTPD_FTP=${ports[0]} VSFTPD_FTPS=${ports[1]}
    VSFTPD_LOG="$WORK/vsftpd.log"
    : >"$VSFTPD_LOG"
    _vsftpd_conf "$VSFTPD_FTP" NO >"$WORK/vsftpd-explicit.conf"
    _vsftpd_conf "$VSFTPD_FTPS" YES >"$WORK/vsftpd-implicit.conf"
    VSFTPD_PIDS=()
    local kind
    for kind in explicit implicit; do
        vsftpd "$WORK/vsftpd-$kind.conf" </dev/null >>"$VSFTPD_LOG" 2>&1 &
        VSFTPD_PIDS+=("$!")
        PIDS+=("$!")
    done
    wait_ports "${VSFTPD_PIDS[0]}" "$VSFTPD_LOG" 20 "$VSFTPD_FTP"
    wait_ports "${VSFTPD_PIDS[1]}" "$VSFTPD_LOG" 20 "$VSFTPD_FTPS"
}

# _vsftpd_conf PORT IMPLICIT: vsftpd.conf(5). ssl_ciphers: vsftpd's own
# default is DES-CBC3-SHA alone, which no current client offers.
_vsftpd_conf() {
    cat <<CONF
listen=YES
listen_ipv6=NO
listen_address=127.0.0.1
listen_port=$1
background=NO
run_as_launching_user=NO
anonymous_enable=YES
anon_root=$WORK/ftp
local_enable=NO
write_enable=NO
secure_chroot_dir=$WORK/vsftpd-empty
pasv_enable=YES
pasv_address=127.0.0.1
seccomp_sandbox=NO
xferlog_enable=YES
vsftpd_log_file=$VSFTPD_LOG
dual_log_enable=YES
log_ftp_protocol=YES
ssl_enable=YES
implicit_ssl=$2
allow_anon_ssl=YES
force_anon_logins_ssl=YES
force_anon_data_ssl=YES
require_ssl_reuse=NO
ssl_ciphers=HIGH
rsa_cert_file=$PKI/rsa-chain.pem
rsa_private_key_file=$PKI/rsa.key
CONF
}

# ---- INN (nnrpd) ----
# start_nnrpd: two nnrpd daemons (nnrpd -D -f, no innd) from a private
# inn.conf ($WORK/inn/etc/inn.conf, given by INNCONF) whose paths all lead
# into $WORK/inn: NNRPD_NNTP (STARTTLS, RFC 4642) and NNRPD_NNTPS (-S,
# implicit TLS). The group list is a copy of the one the inn2 package
# installs (control, junk, ...) with its empty history, enough for nnrpd to
# answer 200 rather than 400. Sets NNRPD_PIDS, NNRPD_LOG.
start_nnrpd() {
    local d="$WORK/inn" ports
    open_work
    mkdir -p "$d/etc" "$d/db" "$d/run" "$d/log" "$d/spool/overview" \
        "$d/spool/articles" "$d/spool/incoming/tmp" "$d/spool/outgoing" "$d/spool/archive"
    cp -a /var/lib/news/. "$d/db/"
    cp /etc/news/storage.conf /etc/news/readers.conf "$d/etc/"
    # nnrpd drops to the news user before it reads the key
    install -o news -g news -m 0400 "$PKI/ecdsa.key" "$d/etc/key.pem"
    cp "$PKI/ecdsa-chain.pem" "$d/etc/cert.pem"
    _inn_conf >"$d/etc/inn.conf"
    chown -R news:news "$d"
    # nnrpd answers "400 NNTP server unavailable" until it can open the
    # overview (tradindexed: group.index): build it from the active file
    # as the news user (-x: leave the history alone; -O: the overview).
    runuser -u news -- env INNCONF="$d/etc/inn.conf" /usr/lib/news/bin/makehistory -O -x \
        >"$WORK/makehistory.log" 2>&1 || fail "makehistory failed: $(tail -n 5 "$WORK/makehistory.log")"
    [ -s "$d/spool/overview/group.index" ] || fail "makehistory made no overview index"
    mapfile -t ports < <(free_ports 2)
    NNRPD_NNTP=${ports[0]} NNRPD_NNTPS=${ports[1]}
    NNRPD_LOG="$WORK/nnrpd.log"
    : >"$NNRPD_LOG"
    NNRPD_PIDS=()
    INNCONF="$d/etc/inn.conf" "$NNRPD" -D -f -n -b 127.0.0.1 -p "$NNRPD_NNTP" \
        </dev/null >>"$NNRPD_LOG" 2>&1 &
    NNRPD_PIDS+=("$!")
    INNCONF="$d/etc/inn.conf" "$NNRPD" -D -f -n -S -b 127.0.0.1 -p "$NNRPD_NNTPS" \
        </dev/null >>"$NNRPD_LOG" 2>&1 &
    NNRPD_PIDS+=("$!")
    PIDS+=("${NNRPD_PIDS[@]}")
    wait_ports "${NNRPD_PIDS[0]}" "$NNRPD_LOG" 20 "$NNRPD_NNTP"
    wait_ports "${NNRPD_PIDS[1]}" "$NNRPD_LOG" 20 "$NNRPD_NNTPS"
}

# The package's inn.conf without its paths and TLS settings, then ours.
_inn_conf() {
    local d="$WORK/inn"
    # no load limit: nnrpd answers "400 load at N, try later" above 16, which
    # a shared test machine running suites side by side can reach
    grep -vE '^(path[a-z]+|tls[a-z]+|domain|port|bindaddress|nnrpdloadlimit):' /etc/news/inn.conf
    cat <<CONF
domain: ward.test
nnrpdloadlimit: 0
pathnews: /usr/lib/news
pathbin: /usr/lib/news/bin
pathcontrol: /usr/lib/news/bin/control
pathfilter: /etc/news/filter
pathhttp: $d/http
pathetc: $d/etc
pathdb: $d/db
pathrun: $d/run
pathlog: $d/log
pathspool: $d/spool
patharticles: $d/spool/articles
pathoverview: $d/spool/overview
pathincoming: $d/spool/incoming
pathtmp: $d/spool/incoming/tmp
pathoutgoing: $d/spool/outgoing
patharchive: $d/spool/archive
tlscafile: $PKI/ca.pem
tlscertfile: $d/etc/cert.pem
tlskeyfile: $d/etc/key.pem
CONF
}

# ---- the clients ----
# client_cmd CLIENT SCHEME PORT: sets CMD to the command line of CLIENT
# ("openssl": openssl s_client, the fixtures' own check; "ward": ward
# client) for SCHEME (imap, imaps, pop3, pop3s, sieve, lmtp, smtp,
# submission, smtps, ftp, ftps, nntp, nntps) on 127.0.0.1:PORT, verifying
# the test PKI's leaf for "localhost".
client_cmd() {
    local client=$1 scheme=$2 port=$3 starttls=""
    case $scheme in
    imap | pop3 | sieve | lmtp | smtp | ftp | nntp) starttls=$scheme ;;
    submission) starttls=smtp ;;
    imaps | pop3s | smtps | ftps | nntps) ;;
    *) fail "client_cmd: unknown scheme '$scheme'" ;;
    esac
    case $client in
    openssl)
        CMD=(openssl s_client -quiet -verify_return_error -CAfile "$PKI/ca.pem"
            -servername localhost -connect "127.0.0.1:$port")
        [ -z "$starttls" ] || CMD+=(-starttls "$starttls")
        ;;
    ward)
        CMD=("$WARD" client --cafile "$PKI/ca.pem" --servername localhost
            "$scheme://127.0.0.1:$port")
        ;;
    *) fail "client_cmd: unknown client '$client'" ;;
    esac
}

# converse NAME MARKER LAST CLIENT SCHEME PORT: CLIENT (see client_cmd)
# sends the lines of file NAME.in, then, once what came back (NAME.out)
# holds MARKER (or 20 s passed), the line LAST (the protocol's QUIT). The
# server answers it and closes, and the client ends on that (at most 20 s
# more; 30 s in all): its input stays open until then, as a person's
# would, so that the client does not close first and race the server.
# stderr in NAME.err; sets CONV_RC.
converse() {
    local name=$1 marker=$2 last=$3 fd cpid i
    shift 3
    client_cmd "$@"
    : >"$name.out"
    rm -f "$name.fifo"
    mkfifo "$name.fifo"
    timeout 30 "${CMD[@]}" <"$name.fifo" >"$name.out" 2>"$name.err" &
    cpid=$!
    PIDS+=("$cpid")
    # read-write: opening does not wait for the reader, and the client
    # sees end of input only when this side closes
    exec {fd}<>"$name.fifo"
    cat "$name.in" >&"$fd"
    _wait_text "$name.out" "$marker" 20
    printf '%s\r\n' "$last" >&"$fd"
    for ((i = 0; i < 400; i++)); do
        kill -0 "$cpid" 2>/dev/null || break
        sleep 0.05
    done
    exec {fd}>&-
    CONV_RC=0
    wait "$cpid" || CONV_RC=$?
    [ "$1" != ward ] || ward_checks "$name" "$2"
}

# ward_checks NAME SCHEME: what ward client must have done besides the
# session's content: verified the chain, shown its dialogue (ward_dialogue),
# and ended well: status 0, or, where the test sets WARD_END_ERROR (a
# server that closes without close_notify), that exact error.
ward_checks() {
    local name=$1
    grep -qx 'ward: verified: chain' "$name.err" ||
        fail "$name: ward did not report a verified chain: $(tail -n 3 "$name.err" | tr '\n' '|')"
    ward_dialogue "$name" "$2"
    if [ -n "${WARD_END_ERROR:-}" ]; then
        [ "$CONV_RC" -ne 0 ] || fail "$name: ward exited 0, expected the error '$WARD_END_ERROR'"
        grep -qxF "ward: error: $WARD_END_ERROR" "$name.err" ||
            fail "$name: ward's error is not '$WARD_END_ERROR': $(tail -n 2 "$name.err" | tr '\n' '|')"
    else
        [ "$CONV_RC" -eq 0 ] ||
            fail "$name: ward client exited $CONV_RC: $(tail -n 3 "$name.err" | tr '\n' '|')"
    fi
}

# ward_dialogue NAME SCHEME: ward client printed its plaintext dialogue on
# stderr ("ward: C: ..." for its lines, "ward: S: ..." for the server's):
# for a STARTTLS scheme it must show the command that starts TLS; for an
# implicit-TLS scheme there is no plaintext dialogue at all.
ward_dialogue() {
    local name=$1 scheme=$2 cmd
    case $scheme in
    pop3) cmd=STLS ;;
    ftp) cmd="AUTH TLS" ;;
    imap | sieve | lmtp | smtp | submission | nntp) cmd=STARTTLS ;;
    *) cmd="" ;;
    esac
    if [ -n "$cmd" ]; then
        grep -qE "^ward: C: (\S+ )?\"?$cmd\"?\s*$" "$name.err" ||
            fail "$name: ward's dialogue on stderr has no '$cmd' line: $(grep '^ward: [CS]: ' "$name.err" | head -n 12 | tr '\n' '|')"
        grep -q '^ward: S: ' "$name.err" ||
            fail "$name: ward printed none of the server's plaintext lines"
    elif grep -q '^ward: [CS]: ' "$name.err"; then
        fail "$name: ward printed a plaintext dialogue on an implicit-TLS port: $(grep -m1 '^ward: [CS]: ' "$name.err")"
    fi
}

_wait_text() { # FILE TEXT SECONDS
    local i
    for ((i = 0; i < $3 * 20; i++)); do
        grep -qF -- "$2" "$1" 2>/dev/null && return 0
        sleep 0.05
    done
    return 0
}

# crlf_lines NAME LINE...: file NAME.in with the LINEs, each ending CRLF.
crlf_lines() {
    local name=$1
    shift
    printf '%s\r\n' "$@" >"$name.in"
}

# ---- PostgreSQL ----
# start_postgres: two PostgreSQL 15 postmasters in the foreground, each its
# own cluster made by initdb (trust authentication, superuser "postgres"):
# PG_PORT with ssl=on (the test PKI's leaf) and PG_NOTLS with ssl=off,
# which answers an SSLRequest with 'N'. PostgreSQL refuses to run as root:
# both run as the postgres user (setpriv, which execs: the process in PIDS
# is the postmaster), with the key owned by postgres, mode 0600. Sets
# PG_PIDS, PG_LOG.
PG_BIN=/usr/lib/postgresql/15/bin
# not a function: "cmd &" of a function forks a subshell, and $! would be
# that shell, not the postmaster the cleanup must stop
AS_POSTGRES=(setpriv --reuid postgres --regid postgres --init-groups --)
start_postgres() {
    local d="$WORK/pg" ports
    open_work
    mkdir -p "$d/sock"
    install -o postgres -g postgres -m 0600 "$PKI/ecdsa.key" "$d/key.pem"
    install -o postgres -g postgres -m 0644 "$PKI/ecdsa-chain.pem" "$d/cert.pem"
    chown -R postgres:postgres "$d"
    mapfile -t ports < <(free_ports 2)
    PG_PORT=${ports[0]} PG_NOTLS=${ports[1]}
    PG_LOG="$WORK/postgres.log"
    : >"$PG_LOG"
    PG_PIDS=()
    # one cluster, copied for the second server (-N: no fsync, a throwaway)
    "${AS_POSTGRES[@]}" "$PG_BIN/initdb" -N -D "$d/tls" -A trust -U postgres \
        >"$WORK/initdb.log" 2>&1 || fail "initdb failed: $(tail -n 5 "$WORK/initdb.log")"
    cp -a "$d/tls" "$d/notls"
    "${AS_POSTGRES[@]}" "$PG_BIN/postgres" -D "$d/tls" -k "$d/sock" -c listen_addresses=127.0.0.1 \
        -c port="$PG_PORT" -c log_connections=on -c ssl=on -c ssl_cert_file="$d/cert.pem" -c ssl_key_file="$d/key.pem" \
        </dev/null >>"$PG_LOG" 2>&1 &
    PG_PIDS+=("$!")
    "${AS_POSTGRES[@]}" "$PG_BIN/postgres" -D "$d/notls" -k "$d/sock" -c listen_addresses=127.0.0.1 \
        -c port="$PG_NOTLS" -c log_connections=on -c ssl=off </dev/null >>"$PG_LOG" 2>&1 &
    PG_PIDS+=("$!")
    PIDS+=("${PG_PIDS[@]}")
    # SIGINT: fast shutdown (SIGTERM, lib.sh's, waits for the clients)
    SERVER_STOPS+=("kill -INT ${PG_PIDS[*]} 2>/dev/null")
    wait_ports "${PG_PIDS[0]}" "$PG_LOG" 20 "$PG_PORT"
    wait_ports "${PG_PIDS[1]}" "$PG_LOG" 20 "$PG_NOTLS"
}

# ---- MariaDB ----
# start_mariadb: two MariaDB 10.11 servers (mariadbd --no-defaults, in the
# foreground), each its own data directory made by mariadb-install-db:
# MARIA_PORT with TLS (the test PKI's leaf: the greeting offers CLIENT_SSL)
# and MARIA_NOTLS with --skip-ssl (no CLIENT_SSL). root@localhost has an
# empty password (--auth-root-authentication-method=normal). mariadbd is
# started as root and drops to the mysql user itself (--user), so the
# process in PIDS is the server; the key is owned by mysql, mode 0600.
# Small InnoDB redo logs: the default 96 MiB would be written twice for
# nothing. Sets MARIA_PIDS, MARIA_LOG.
MARIA_OPTS=(--innodb-log-file-size=4M --innodb-buffer-pool-size=16M
    --bind-address=127.0.0.1 --skip-log-bin)
start_mariadb() {
    local d="$WORK/maria" ports kind
    open_work
    mkdir -p "$d/run"
    install -o mysql -g mysql -m 0600 "$PKI/ecdsa.key" "$d/key.pem"
    install -o mysql -g mysql -m 0644 "$PKI/ecdsa-chain.pem" "$d/cert.pem"
    mapfile -t ports < <(free_ports 2)
    MARIA_PORT=${ports[0]} MARIA_NOTLS=${ports[1]}
    MARIA_LOG="$WORK/mariadb.log"
    : >"$MARIA_LOG"
    for kind in tls notls; do
        mariadb-install-db --no-defaults --datadir="$d/$kind" --user=mysql \
            --auth-root-authentication-method=normal --skip-test-db \
            --innodb-log-file-size=4M >>"$WORK/mariadb-install.log" 2>&1 ||
            fail "mariadb-install-db failed: $(tail -n 5 "$WORK/mariadb-install.log")"
    done
    chown -R mysql:mysql "$d"
    MARIA_PIDS=()
    mariadbd --no-defaults --datadir="$d/tls" --socket="$d/run/tls.sock" --pid-file="$d/run/tls.pid" \
        --port="$MARIA_PORT" "${MARIA_OPTS[@]}" --user=mysql \
        --ssl-cert="$d/cert.pem" --ssl-key="$d/key.pem" --ssl-ca="$PKI/ca.pem" \
        </dev/null >>"$MARIA_LOG" 2>&1 &
    MARIA_PIDS+=("$!")
    mariadbd --no-defaults --datadir="$d/notls" --socket="$d/run/notls.sock" --pid-file="$d/run/notls.pid" \
        --port="$MARIA_NOTLS" "${MARIA_OPTS[@]}" --user=mysql --skip-ssl \
        </dev/null >>"$MARIA_LOG" 2>&1 &
    MARIA_PIDS+=("$!")
    PIDS+=("${MARIA_PIDS[@]}")
    # a SIGTERM that reaches mariadbd while it starts is lost (seen: the
    # server then never ends): stop_pid's bounded wait ends in SIGKILL
    SERVER_STOPS+=("stop_pid ${MARIA_PIDS[0]}" "stop_pid ${MARIA_PIDS[1]}")
    wait_ports "${MARIA_PIDS[0]}" "$MARIA_LOG" 30 "$MARIA_PORT"
    wait_ports "${MARIA_PIDS[1]}" "$MARIA_LOG" 30 "$MARIA_NOTLS"
}

# ---- OpenLDAP (slapd) ----
# start_slapd: one slapd in the foreground (-d 0) from $WORK/slapd/slapd.conf
# (no cn=config, none of /etc/ldap but the core schema): SLAPD_LDAP (StartTLS
# extended operation, RFC 4511 section 4.14) and SLAPD_LDAPS (implicit
# TLS), the test PKI's leaf, an mdb database dc=example,dc=org whose rootdn
# $SLAPD_ROOTDN binds with the password $SLAPD_ROOTPW. Runs as root (slapd
# binds and reads the key itself). Sets SLAPD_PID, SLAPD_LOG.
SLAPD_ROOTDN="cn=admin,dc=example,dc=org"
SLAPD_ROOTPW=wardsecret
start_slapd() {
    local d="$WORK/slapd" ports
    open_work
    mkdir -p "$d/db"
    mapfile -t ports < <(free_ports 2)
    SLAPD_LDAP=${ports[0]} SLAPD_LDAPS=${ports[1]}
    SLAPD_LOG="$WORK/slapd.log"
    cat >"$d/slapd.conf" <<CONF
modulepath /usr/lib/ldap
moduleload back_mdb
include /etc/ldap/schema/core.schema
pidfile $d/slapd.pid
argsfile $d/slapd.args
TLSCACertificateFile $PKI/ca.pem
TLSCertificateFile $PKI/ecdsa-chain.pem
TLSCertificateKeyFile $PKI/ecdsa.key
database mdb
maxsize 10485760
suffix "dc=example,dc=org"
rootdn "$SLAPD_ROOTDN"
rootpw $SLAPD_ROOTPW
directory $d/db
CONF
    : >"$SLAPD_LOG"
    slapd -d 0 -h "ldap://127.0.0.1:$SLAPD_LDAP/ ldaps://127.0.0.1:$SLAPD_LDAPS/" \
        -f "$d/slapd.conf" </dev/null >>"$SLAPD_LOG" 2>&1 &
    SLAPD_PID=$!
    PIDS+=("$SLAPD_PID")
    wait_ports "$SLAPD_PID" "$SLAPD_LOG" 20 "${ports[@]}"
}

# ---- Prosody ----
# start_prosody: one Prosody 0.12 in the foreground (daemonize = false)
# from $WORK/prosody/prosody.cfg.lua (prosody --config), run as the
# prosody user (Prosody refuses root), its data, pid file and log in
# $WORK: PROSODY_C2S (client-to-server, STARTTLS required:
# c2s_require_encryption), PROSODY_C2S_TLS (direct TLS, XEP-0368),
# PROSODY_S2S (server-to-server, STARTTLS required too:
# s2s_require_encryption; a peer must not claim to be "localhost", which
# Prosody serves: ward client --helo). One VirtualHost, "localhost", with the
# test PKI's leaf. Sets PROSODY_PID (the runuser that waits for Prosody),
# PROSODY_LOG.
start_prosody() {
    local d="$WORK/prosody" ports
    open_work
    mkdir -p "$d/data"
    # Prosody reads the key as the prosody user
    install -m 0400 "$PKI/ecdsa.key" "$d/key.pem"
    cp "$PKI/ecdsa-chain.pem" "$d/cert.pem"
    mapfile -t ports < <(free_ports 3)
    PROSODY_C2S=${ports[0]} PROSODY_C2S_TLS=${ports[1]} PROSODY_S2S=${ports[2]}
    PROSODY_LOG="$WORK/prosody.log"
    : >"$PROSODY_LOG"
    cat >"$d/prosody.cfg.lua" <<CONF
daemonize = false
pidfile = "$d/prosody.pid"
data_path = "$d/data"
log = { debug = "$PROSODY_LOG" }
interfaces = { "127.0.0.1" }
c2s_ports = { $PROSODY_C2S }
c2s_direct_tls_ports = { $PROSODY_C2S_TLS }
s2s_ports = { $PROSODY_S2S }
modules_enabled = { "tls", "saslauth", "disco", "dialback" }
c2s_require_encryption = true
s2s_require_encryption = true
authentication = "internal_hashed"
-- the direct-TLS port takes the global certificate, not the host's
ssl = { certificate = "$d/cert.pem", key = "$d/key.pem" }
VirtualHost "localhost"
    ssl = { certificate = "$d/cert.pem", key = "$d/key.pem" }
CONF
    chown -R prosody:prosody "$d" "$PROSODY_LOG"
    runuser -u prosody -- prosody --config "$d/prosody.cfg.lua" \
        </dev/null >>"$WORK/prosody-stdout.log" 2>&1 &
    PROSODY_PID=$!
    PIDS+=("$PROSODY_PID")
    wait_ports "$PROSODY_PID" "$PROSODY_LOG" 20 "${ports[@]}"
}

# ---- plaintext backends for `ward tunnel` (issue #16) ----
# The same servers without TLS, for a server-mode tunnel to front: the
# backend must see an ordinary plaintext session. Each variant sets the
# same variables as its TLS sibling where they apply.

# start_dovecot_plain: Dovecot with ssl = no and plaintext logins allowed
# (the tunnel connects from 127.0.0.1): DOVECOT_IMAP, DOVECOT_POP3 and
# DOVECOT_LMTP (to put a message in the mailbox), all plaintext. Sets
# DOVECOT_PID, DOVECOT_LOG, DOVECOT_MAIL.
start_dovecot_plain() {
    local ports
    open_work
    mapfile -t ports < <(free_ports 3)
    DOVECOT_IMAP=${ports[0]} DOVECOT_POP3=${ports[1]} DOVECOT_LMTP=${ports[2]}
    _dovecot_run _dovecot_plain_conf "${ports[@]}"
}

_dovecot_plain_conf() {
    local d="$WORK/dovecot"
    cat <<CONF
instance_name = ward-plain-$$
base_dir = $d/run
state_dir = $d/state
log_path = $DOVECOT_LOG
protocols = imap pop3 lmtp
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
CONF
    _dovecot_users_conf
    cat <<CONF
service imap-login {
  inet_listener imap {
    port = $DOVECOT_IMAP
  }
  inet_listener imaps {
    port = 0
  }
}
service pop3-login {
  inet_listener pop3 {
    port = $DOVECOT_POP3
  }
  inet_listener pop3s {
    port = 0
  }
}
service lmtp {
  inet_listener lmtp {
    address = 127.0.0.1
    port = $DOVECOT_LMTP
  }
}
CONF
}

# start_postfix_plain: a private Postfix (as start_postfix) whose smtpd
# listener POSTFIX_SMTP offers no STARTTLS, and POSTFIX_OFFERS, which
# offers it (port-25 style) but is reached in plaintext through a tunnel:
# the tunnel must hide that stale offer from its client after the
# upgrade. Mail to $TEST_USER@ward.test lands in $POSTFIX_MAIL/new. Sets
# POSTFIX_PID, POSTFIX_LOG.
start_postfix_plain() {
    local d="$WORK/postfix" ports
    open_work
    mkdir -p "$d/etc" "$d/queue" "$d/data" "$WORK/vmail"
    chown postfix:postfix "$d/data"
    chown nobody:nogroup "$WORK/vmail"
    mapfile -t ports < <(free_ports 2)
    POSTFIX_SMTP=${ports[0]} POSTFIX_OFFERS=${ports[1]}
    POSTFIX_LOG="$WORK/postfix.log"
    POSTFIX_MAIL="$WORK/vmail/$TEST_USER"
    printf '%s@ward.test %s/\n' "$TEST_USER" "$TEST_USER" >"$d/etc/vmailbox"
    # no TLS at all: the main.cf of start_postfix without its smtpd_tls_*
    _postfix_main | grep -v '^smtpd_tls_' >"$d/etc/main.cf"
    echo 'smtpd_tls_security_level = none' >>"$d/etc/main.cf"
    {
        echo "127.0.0.1:$POSTFIX_SMTP inet n - n - - smtpd"
        echo "127.0.0.1:$POSTFIX_OFFERS inet n - n - - smtpd"
        echo "  -o smtpd_tls_security_level=may"
        echo "  -o smtpd_tls_chain_files=$PKI/ecdsa.key,$PKI/ecdsa-chain.pem"
        # start_postfix's services without its listeners (whose ports
        # it reads: unset here)
        (
            POSTFIX_SUBMISSION=0 POSTFIX_SMTPS=0 POSTFIX_NOTLS=0
            _postfix_master
        ) | grep -vE '^(127\.0\.0\.1:|  -o )'
    } >"$d/etc/master.cf"
    touch -d '-2 seconds' "$d/etc/main.cf" "$d/etc/master.cf" "$d/etc/vmailbox"
    : >"$POSTFIX_LOG"
    postfix -c "$d/etc" start-fg </dev/null >>"$WORK/postfix-master.log" 2>&1 &
    POSTFIX_PID=$!
    PIDS+=("$POSTFIX_PID")
    wait_ports "$POSTFIX_PID" "$WORK/postfix-master.log" 20 "${ports[@]}"
    POSTFIX_MASTER=$(tr -d ' \n' <"$d/queue/pid/master.pid")
    [[ $POSTFIX_MASTER =~ ^[0-9]+$ ]] || fail "postfix: no master pid in $d/queue/pid/master.pid"
    SERVER_STOPS+=("stop_pid $POSTFIX_MASTER")
}

# start_vsftpd_plain: one vsftpd in the foreground without TLS
# (ssl_enable=NO) on VSFTPD_FTP, anonymous and read only, into $WORK/ftp
# (which holds README). Passive data connections go straight to vsftpd on
# 127.0.0.1. Sets VSFTPD_PIDS, VSFTPD_LOG.
start_vsftpd_plain() {
    local ports
    open_work
    mkdir -p "$WORK/ftp" "$WORK/vsftpd-empty"
    chmod 755 "$WORK/ftp" "$WORK/vsftpd-empty"
    echo "ward interop" >"$WORK/ftp/README"
    mapfile -t ports < <(free_ports 1)
    VSFTPD_FTP=${ports[0]}
    VSFTPD_LOG="$WORK/vsftpd.log"
    : >"$VSFTPD_LOG"
    _vsftpd_conf "$VSFTPD_FTP" NO | grep -vE '^(ssl_|implicit_ssl|allow_anon_ssl|force_anon|require_ssl|rsa_)' \
        >"$WORK/vsftpd-plain.conf"
    echo "ssl_enable=NO" >>"$WORK/vsftpd-plain.conf"
    vsftpd "$WORK/vsftpd-plain.conf" </dev/null >>"$VSFTPD_LOG" 2>&1 &
    VSFTPD_PIDS=("$!")
    PIDS+=("$!")
    wait_ports "${VSFTPD_PIDS[0]}" "$VSFTPD_LOG" 20 "$VSFTPD_FTP"
}

# start_nnrpd_plain: one nnrpd (as start_nnrpd) from an inn.conf without
# any tls* setting, so that it offers no STARTTLS: NNRPD_NNTP, plaintext.
# Sets NNRPD_PIDS, NNRPD_LOG.
start_nnrpd_plain() {
    local d="$WORK/inn" ports
    open_work
    mkdir -p "$d/etc" "$d/db" "$d/run" "$d/log" "$d/spool/overview" \
        "$d/spool/articles" "$d/spool/incoming/tmp" "$d/spool/outgoing" "$d/spool/archive"
    cp -a /var/lib/news/. "$d/db/"
    cp /etc/news/storage.conf /etc/news/readers.conf "$d/etc/"
    _inn_conf | grep -vE '^tls' >"$d/etc/inn.conf"
    chown -R news:news "$d"
    runuser -u news -- env INNCONF="$d/etc/inn.conf" /usr/lib/news/bin/makehistory -O -x \
        >"$WORK/makehistory.log" 2>&1 || fail "makehistory failed: $(tail -n 5 "$WORK/makehistory.log")"
    [ -s "$d/spool/overview/group.index" ] || fail "makehistory made no overview index"
    mapfile -t ports < <(free_ports 1)
    NNRPD_NNTP=${ports[0]}
    NNRPD_LOG="$WORK/nnrpd.log"
    : >"$NNRPD_LOG"
    INNCONF="$d/etc/inn.conf" "$NNRPD" -D -f -n -b 127.0.0.1 -p "$NNRPD_NNTP" \
        </dev/null >>"$NNRPD_LOG" 2>&1 &
    NNRPD_PIDS=("$!")
    PIDS+=("${NNRPD_PIDS[@]}")
    wait_ports "${NNRPD_PIDS[0]}" "$NNRPD_LOG" 20 "$NNRPD_NNTP"
}

# start_nginx_plain DOCROOT: nginx from Debian in the foreground (one
# process, no master) serving DOCROOT over plain HTTP/1.1 on NGINX_PORT and
# HTTP/2 with prior knowledge (h2c, what a TLS terminator that negotiated
# ALPN h2 forwards) on NGINX_H2_PORT. Its
# access log, NGINX_ACCESS, has per request "REQUEST_LENGTH BYTES_SENT
# STATUS URI" (what the backend saw, to compare with the tunnel's byte
# counts). Sets NGINX_PID, NGINX_LOG.
start_nginx_plain() {
    local dir="$WORK/nginx" ports
    mkdir -p "$dir"
    mapfile -t ports < <(free_ports 2)
    NGINX_PORT=${ports[0]} NGINX_H2_PORT=${ports[1]}
    NGINX_LOG="$WORK/nginx.log"
    NGINX_ACCESS="$WORK/nginx-access.txt"
    : >"$NGINX_ACCESS"
    cat >"$dir/nginx.conf" <<CONF
daemon off;
master_process off;
worker_processes 1;
pid $dir/nginx.pid;
error_log $NGINX_LOG info;
events { worker_connections 256; }
http {
    log_format bytes '\$request_length \$bytes_sent \$status \$uri';
    access_log $NGINX_ACCESS bytes;
    client_body_temp_path $dir/body;
    proxy_temp_path $dir/proxy;
    fastcgi_temp_path $dir/fastcgi;
    uwsgi_temp_path $dir/uwsgi;
    scgi_temp_path $dir/scgi;
    types { text/html html; application/octet-stream bin; }
    server {
        listen 127.0.0.1:$NGINX_PORT;
        root $1;
    }
    server {
        listen 127.0.0.1:$NGINX_H2_PORT http2;
        root $1;
    }
}
CONF
    nginx -p "$dir" -c "$dir/nginx.conf" -e "$NGINX_LOG" >>"$NGINX_LOG" 2>&1 &
    NGINX_PID=$!
    PIDS+=("$NGINX_PID")
    wait_ports "$NGINX_PID" "$NGINX_LOG" 20 "${ports[@]}"
}
