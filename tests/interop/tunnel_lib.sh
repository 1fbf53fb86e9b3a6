# shellcheck shell=bash
# Helpers for the `ward tunnel` interop tests (issue #16), sourced after
# lib.sh (and make_pki: the tunnels use the test PKI).
#
# Every tunnel listens on 127.0.0.1 port 0; its port is read from its
# "ward: tunnel SERVICE listening on ADDR" line on stderr. Its stderr is
# $WORK/NAME.log, where it writes one line per connection when the
# connection ends:
#   ward: tunnel SERVICE PEER sni=... version=... in=N out=N ... end=REASON
# The tunnel is stopped by lib.sh's trap (it is in PIDS).

# The Python clients: Debian's interpreter when there is one (a pyenv shim
# on PATH costs seconds per start on a loaded machine); its imaplib,
# poplib, smtplib, ftplib and nntplib (3.11: still there) are the clients.
PY3=$(command -v /usr/bin/python3 || command -v python3)

# TUNNEL_ENDS: the end= reasons check_tunnel_line accepts (a regex).
TUNNEL_ENDS=closed

# Every tunnel started, for stop_tunnels.
TUNNEL_PIDS=()
TUNNEL_LOGS=()

# start_tunnel NAME ARGS...: `ward tunnel ARGS`; waits (bounded, 15 s) for
# its first listening line. Sets TUNNEL_PID, TUNNEL_PORT, TUNNEL_LOG, and
# NAME_PORT / NAME_PID / NAME_LOG (NAME upper-cased, '-' as '_') so that a
# test can run several.
start_tunnel() {
    local name=$1 line var
    shift
    TUNNEL_LOG="$WORK/$name.log"
    : >"$TUNNEL_LOG"
    "$WARD" tunnel "$@" </dev/null >"$WORK/$name.stdout" 2>"$TUNNEL_LOG" &
    TUNNEL_PID=$!
    PIDS+=("$TUNNEL_PID")
    TUNNEL_PIDS+=("$TUNNEL_PID")
    TUNNEL_LOGS+=("$TUNNEL_LOG")
    line=$(wait_line "$TUNNEL_LOG" '^ward: tunnel [^ ]+ listening on ' "$TUNNEL_PID" 15) ||
        fail "$name: ward tunnel $* did not start: $(tail -n 5 "$TUNNEL_LOG" | tr '\n' '|')"
    TUNNEL_PORT=${line##*:}
    [[ $TUNNEL_PORT =~ ^[0-9]+$ ]] && [ "$TUNNEL_PORT" -gt 0 ] ||
        fail "$name: no port in the listening line '$line'"
    var=$(printf '%s' "$name" | tr 'a-z-' 'A-Z_')
    printf -v "${var}_PORT" '%s' "$TUNNEL_PORT"
    printf -v "${var}_PID" '%s' "$TUNNEL_PID"
    printf -v "${var}_LOG" '%s' "$TUNNEL_LOG"
}

# start_tunnel_config NAME FILE SERVICE...: `ward tunnel --config FILE`
# (stderr in $WORK/NAME.log); waits (bounded, 15 s) until each SERVICE has
# printed a listening line. Sets TUNNEL_PID, TUNNEL_LOG; read the ports with
# tunnel_port.
start_tunnel_config() {
    local name=$1 file=$2 svc
    shift 2
    TUNNEL_LOG="$WORK/$name.log"
    : >"$TUNNEL_LOG"
    "$WARD" tunnel --config "$file" </dev/null >"$WORK/$name.stdout" 2>"$TUNNEL_LOG" &
    TUNNEL_PID=$!
    PIDS+=("$TUNNEL_PID")
    TUNNEL_PIDS+=("$TUNNEL_PID")
    TUNNEL_LOGS+=("$TUNNEL_LOG")
    for svc in "$@"; do
        wait_line "$TUNNEL_LOG" "^ward: tunnel $svc listening on " "$TUNNEL_PID" 15 >/dev/null ||
            fail "$name: ward tunnel --config $file: no listener for $svc: $(tail -n 5 "$TUNNEL_LOG" | tr '\n' '|')"
    done
}

# tunnel_port LOG SERVICE [4|6]: the port SERVICE listens on, from its
# listening line for 127.0.0.1 (4, the default) or [::1] (6).
tunnel_port() {
    local host='127\.0\.0\.1' port
    [ "${3:-4}" = 6 ] && host='\[::1\]'
    port=$(sed -n "s/^ward: tunnel $2 listening on $host:\([0-9]*\)\$/\1/p" "$1" | head -n 1)
    [ -n "$port" ] || fail "$(basename "$1"): no IPv${3:-4} listening line for $2"
    echo "$port"
}

# tunnel_svc_lines LOG SERVICE: SERVICE's per-connection lines.
tunnel_svc_lines() {
    tunnel_conn_lines "$1" | grep -E "^ward: tunnel $2 " || true
}

# stop_tunnels: SIGTERM to every tunnel the test started; each must exit 0
# (it drains: every connection of the test has ended by now) within 40 s.
# Under tests/interop/valgrind-ward.sh a memory error or leak makes that 99.
stop_tunnels() {
    local i rc
    for i in "${!TUNNEL_PIDS[@]}"; do
        kill -TERM "${TUNNEL_PIDS[i]}" 2>/dev/null || true
    done
    for i in "${!TUNNEL_PIDS[@]}"; do
        rc=0
        wait_exit "${TUNNEL_PIDS[i]}" 40 || rc=$?
        [ "$rc" -eq 0 ] ||
            fail "$(basename "${TUNNEL_LOGS[i]}" .log): ward tunnel exited $rc after SIGTERM: $(tail -n 5 "${TUNNEL_LOGS[i]}" | tr '\n' '|')"
    done
    ok "${#TUNNEL_PIDS[@]} tunnel(s) stopped by SIGTERM, each exit 0"
}

# tunnel_server NAME BACKEND_PORT ARGS...: a server-mode tunnel (accept TLS
# with the test PKI's ECDSA leaf, forward plaintext to 127.0.0.1:PORT).
tunnel_server() {
    local name=$1 backend=$2
    shift 2
    start_tunnel "$name" --accept 127.0.0.1:0 --connect "127.0.0.1:$backend" \
        --tls-accept --cert "$PKI/ecdsa-chain.pem" --key "$PKI/ecdsa.key" "$@"
}

# tunnel_client NAME SERVER_PORT ARGS...: a client-mode tunnel (accept
# plaintext, connect with TLS to 127.0.0.1:PORT verifying the test PKI's
# leaf for "localhost", unless ARGS give a --servername).
tunnel_client() {
    local name=$1 server=$2 sn=(--servername localhost)
    shift 2
    [[ " $* " != *" --servername "* ]] || sn=()
    start_tunnel "$name" --accept 127.0.0.1:0 --connect "127.0.0.1:$server" \
        --tls-connect --cafile "$PKI/ca.pem" "${sn[@]}" "$@"
}

# tunnel_conn_lines LOG: the per-connection lines of a tunnel's log.
tunnel_conn_lines() {
    grep -E '^ward: tunnel [^ ]+ [^ ]+ .*end=' "$1" || true
}

# wait_tunnel_lines LOG N [SECONDS]: until LOG holds at least N
# per-connection lines (the tunnel writes one when a connection ends,
# after the client has gone). Fails after SECONDS (default 10).
wait_tunnel_lines() {
    local logf=$1 want=$2 secs=${3:-10} i n=0
    for ((i = 0; i < secs * 20; i++)); do
        n=$(tunnel_conn_lines "$logf" | wc -l)
        [ "$n" -ge "$want" ] && return 0
        sleep 0.05
    done
    fail "$(basename "$logf"): $n connection line(s) after ${secs}s, expected $want: $(tail -n 3 "$logf" | tr '\n' '|')"
}

# tunnel_field LINE KEY: the value of KEY=VALUE in a connection line
# (empty when missing).
tunnel_field() {
    printf '%s\n' "$1" | tr ' ' '\n' | sed -n "s/^$2=//p" | head -n 1
}

# tunnel_last_line LOG: the last per-connection line.
tunnel_last_line() {
    tunnel_conn_lines "$1" | tail -n 1
}

# check_tunnel_line LINE WHAT [VERSION]: a connection line of a session
# that went well: version=1.3 (or VERSION, a regex: "1\.2"), plaintext
# bytes counted both ways (in: from the client, out: to it), an end= in
# TUNNEL_ENDS (default: closed).
# Fails naming WHAT.
check_tunnel_line() {
    local line=$1 what=$2 want=${3:-1\\.3} v i o e
    [ -n "$line" ] || fail "$what: the tunnel logged no connection line"
    v=$(tunnel_field "$line" version)
    i=$(tunnel_field "$line" in)
    o=$(tunnel_field "$line" out)
    e=$(tunnel_field "$line" end)
    [[ $v =~ ^$want$ ]] || fail "$what: version '$v', expected $want: $line"
    [[ $i =~ ^[0-9]+$ ]] && [ "$i" -gt 0 ] || fail "$what: in='$i', expected a count > 0: $line"
    [[ $o =~ ^[0-9]+$ ]] && [ "$o" -gt 0 ] || fail "$what: out='$o', expected a count > 0: $line"
    [[ ${e%:} =~ ^($TUNNEL_ENDS)$ ]] || fail "$what: end=$e, expected $TUNNEL_ENDS: $line"
}

# spki_pin_b64 CERT: base64 of the SHA-256 of CERT's SubjectPublicKeyInfo
# (Chromium's --ignore-certificate-errors-spki-list form).
spki_pin_b64() {
    openssl x509 -in "$1" -pubkey -noout | openssl pkey -pubin -outform der |
        openssl dgst -sha256 -binary | base64 -w 0
}

# deliver_lmtp PORT SUBJECT: put one message for $TEST_USER in Dovecot's
# maildir over plaintext LMTP (Python's smtplib.LMTP), so that the mailbox
# the clients list is not empty.
deliver_lmtp() {
    "$PY3" - "$1" "$2" "$TEST_USER" <<'PY' || fail "LMTP delivery to 127.0.0.1:$1 failed"
import smtplib, sys
port, subject, user = int(sys.argv[1]), sys.argv[2], sys.argv[3]
msg = "From: sender@ward.test\r\nTo: %s\r\nSubject: %s\r\n\r\nfor the tunnel tests\r\n" % (user, subject)
with smtplib.LMTP("127.0.0.1", port, timeout=10) as s:
    s.sendmail("sender@ward.test", [user], msg)
PY
}

# maildir_has DIR SUBJECT: the file in DIR/new holding a message with this
# Subject (bounded wait, 10 s: delivery is asynchronous).
maildir_has() {
    local i f
    for ((i = 0; i < 200; i++)); do
        f=$(grep -lF -- "Subject: $2" "$1"/new/* 2>/dev/null | head -n 1 || true)
        [ -n "$f" ] && { echo "$f"; return 0; }
        sleep 0.05
    done
    return 1
}
