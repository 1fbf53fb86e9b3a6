#!/usr/bin/env bash
# Issue #15: a clean end with a server that closes after answering, the
# Dovecot half (nginx: test_clean_close_nginx.sh). `printf 'a LOGOUT\r\n' |
# ward client imaps://...` and `printf 'QUIT\r\n' | ward client
# pop3s://...`, as a new user would type them: stdin ends at once, Dovecot
# answers (BYE / +OK), sends its close_notify and closes. ward must show
# the answer, read Dovecot's close_notify and exit 0, every time: before
# the fix its own early close_notify was unread when Dovecot closed, the
# kernel sent a reset, and the reset destroyed Dovecot's close_notify.
# 50 runs each of IMAPS and POP3S, TLS 1.3 and TLS 1.2 alternating. Every
# failure is counted and the count reported, not just the first.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/servers.sh"

need dovecot openssl python3
make_pki
start_dovecot
cd "$WORK"

RUNS=50
FAILS=0

# one_run SCHEME PORT INPUT ANSWER I: one printf | ward client; a failure
# is logged and counted (FAILS), the loop goes on.
one_run() {
    local scheme=$1 port=$2 input=$3 answer=$4 i=$5 ver rc=0 why=""
    ver=$([ $((i % 2)) -eq 1 ] && echo --tls1.3 || echo --tls1.2)
    printf '%b' "$input" |
        timeout 20 "$WARD" client "$ver" --cafile "$PKI/ca.pem" --servername localhost \
            "$scheme://127.0.0.1:$port" >"$scheme.out" 2>"$scheme.err" || rc=$?
    if [ "$rc" -ne 0 ]; then
        why="exit $rc: $(grep 'error' "$scheme.err" | head -n 2 | tr '\n' '|')"
    elif ! grep -qF -- "$answer" "$scheme.out"; then
        why="'$answer' not on stdout: $(head -c 200 "$scheme.out" | tr '\r\n' '  ')"
    elif ! grep -qF 'closed by the server (close_notify)' "$scheme.err"; then
        why="no close_notify from Dovecot: $(tail -n 2 "$scheme.err" | tr '\n' '|')"
    elif ! grep -qF "ward: TLS 1.${ver#--tls1.}" "$scheme.err"; then
        why="not TLS 1.${ver#--tls1.}: $(grep -m1 '^ward: TLS' "$scheme.err" || true)"
    fi
    if [ -n "$why" ]; then
        FAILS=$((FAILS + 1))
        log "$scheme run $i ($ver): $why"
    fi
}

# close_runs SCHEME PORT INPUT ANSWER
close_runs() {
    local before=$FAILS i
    for ((i = 1; i <= RUNS; i++)); do
        one_run "$@" "$i"
    done
    [ "$FAILS" -eq "$before" ] ||
        fail "$1: $((FAILS - before)) of $RUNS runs failed (see the lines above)"
    ok "$1: $RUNS runs of printf | ward client (TLS 1.3 and 1.2 alternating), each exit 0 with '$4' and Dovecot's close_notify"
}

close_runs imaps "$DOVECOT_IMAPS" 'a LOGOUT\r\n' '* BYE Logging out'
close_runs pop3s "$DOVECOT_POP3S" 'QUIT\r\n' '+OK Logging out'
done_all
