# shellcheck shell=bash
# Shared helpers for the interop tests (sourced, not run).
#
# Environment (set by ctest): WARD = the ward binary, WARD_TESTS = <repo>/tests,
# WARD_TEST_DATA = <repo>/tests/data. Every test runs over loopback only,
# starts its servers on ports they pick themselves (port 0) and reads the
# port back, kills what it started on exit, and bounds every wait.
#
# A missing peer program is a failure, never a skip: the test setup
# (scripts/test.sh) installs them.

set -euo pipefail

: "${WARD:?set WARD to the ward binary}"
: "${WARD_TESTS:=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"
: "${WARD_TEST_DATA:=$WARD_TESTS/data}"

TEST_NAME=$(basename "$0" .sh)
WORK=$(mktemp -d "${TMPDIR:-/tmp}/ward-$TEST_NAME.XXXXXX")
PIDS=()
CHECKS=0

cleanup() {
    local rc=$?
    local pid
    for pid in "${PIDS[@]+"${PIDS[@]}"}"; do
        kill "$pid" 2>/dev/null || true
    done
    for pid in "${PIDS[@]+"${PIDS[@]}"}"; do
        wait "$pid" 2>/dev/null || true
    done
    if [ "$rc" -ne 0 ] && [ -z "${KEEP_WORK:-}" ]; then
        echo "--- $TEST_NAME failed; logs in the work directory follow ---" >&2
        local f
        # the logs written last are the ones about the failure
        for f in $(ls -t "$WORK"/*.log 2>/dev/null | head -n 4); do
            echo "--- $f (last 30 lines)" >&2
            tail -n 30 "$f" >&2 || true
        done
    fi
    if [ -n "${KEEP_WORK:-}" ]; then
        echo "work directory kept: $WORK" >&2
    else
        rm -rf "$WORK"
    fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
# a command that fails outside an explicit check still says where
set -E
trap 'echo "$TEST_NAME: FAIL: status $? at line $LINENO: $BASH_COMMAND" >&2' ERR

log() { printf '%s: %s\n' "$TEST_NAME" "$*" >&2; }

fail() {
    printf '%s: FAIL: %s\n' "$TEST_NAME" "$*" >&2
    exit 1
}

ok() {
    CHECKS=$((CHECKS + 1))
    printf '%s: ok: %s\n' "$TEST_NAME" "$*" >&2
}

done_all() {
    printf '%s: PASS (%d checks)\n' "$TEST_NAME" "$CHECKS" >&2
}

# need PROG...: every program must exist.
need() {
    local p
    [ -x "$WARD" ] || fail "ward binary not found at '$WARD'"
    for p in "$@"; do
        command -v "$p" >/dev/null 2>&1 ||
            fail "required program '$p' is not installed (scripts/install-deps.sh installs the test peers)"
    done
}

# assert_contains FILE TEXT [WHAT]
assert_contains() {
    grep -qiF -- "$2" "$1" || {
        echo "--- $1:" >&2
        tail -n 40 "$1" >&2 || true
        fail "${3:-$1} does not contain '$2'"
    }
}

assert_not_contains() {
    if grep -qiF -- "$2" "$1"; then
        echo "--- $1:" >&2
        tail -n 40 "$1" >&2 || true
        fail "${3:-$1} contains '$2'"
    fi
}

# assert_same EXPECTED ACTUAL WHAT: byte-for-byte comparison.
assert_same() {
    cmp -s -- "$1" "$2" || {
        local a b
        a=$(stat -c %s "$1" 2>/dev/null || echo missing)
        b=$(stat -c %s "$2" 2>/dev/null || echo missing)
        fail "$3: output differs from what was sent (expected $a bytes, got $b)"
    }
}

# make_random FILE BYTES
make_random() {
    head -c "$2" /dev/urandom >"$1"
}

# make_text FILE BYTES: printable lines (base64), for peers that echo text
# only (gnutls-serv --echo stops at a NUL byte).
make_text() {
    head -c "$2" /dev/urandom >"$1.raw"
    base64 -w 76 "$1.raw" >"$1"
    truncate -s "$2" "$1"
    rm -f "$1.raw"
}

# listen_port PID: the TCP (IPv4 first, then IPv6) port that PID listens on,
# read from /proc, so that servers can bind port 0 and be found race-free.
listen_port() {
    local pid=$1 inodes ino table
    inodes=$(find "/proc/$pid/fd" -maxdepth 1 -type l -printf '%l\n' 2>/dev/null |
        sed -n 's/^socket:\[\([0-9]*\)\]$/\1/p')
    [ -n "$inodes" ] || return 1
    local hex
    for table in /proc/net/tcp /proc/net/tcp6; do
        [ -r "$table" ] || continue
        for ino in $inodes; do
            # columns: sl local_address rem_address st ... inode (10th);
            # state 0A is LISTEN, the port is the hex after the colon.
            hex=$(awk -v ino="$ino" '$4 == "0A" && $10 == ino {
                    n = split($2, a, ":"); print a[n]; exit }' "$table")
            if [ -n "$hex" ]; then
                echo $((16#$hex))
                return 0
            fi
        done
    done
    return 1
}

# wait_port PID [SECONDS]: wait until PID listens; prints the port.
wait_port() {
    local pid=$1 secs=${2:-10} i port
    for ((i = 0; i < secs * 20; i++)); do
        kill -0 "$pid" 2>/dev/null || return 1
        if port=$(listen_port "$pid"); then
            echo "$port"
            return 0
        fi
        sleep 0.05
    done
    return 1
}

# wait_line FILE REGEX PID [SECONDS]: wait until FILE has a line matching
# REGEX (extended) while PID is alive; prints the first match.
wait_line() {
    local file=$1 re=$2 pid=$3 secs=${4:-10} i
    for ((i = 0; i < secs * 20; i++)); do
        if grep -qE -- "$re" "$file" 2>/dev/null; then
            grep -m1 -E -- "$re" "$file"
            return 0
        fi
        kill -0 "$pid" 2>/dev/null || return 1
        sleep 0.05
    done
    return 1
}

# wait_size FILE BYTES [SECONDS]: wait until FILE holds at least BYTES.
wait_size() {
    local file=$1 want=$2 secs=${3:-30} i size
    for ((i = 0; i < secs * 20; i++)); do
        size=$(stat -c %s "$file" 2>/dev/null || echo 0)
        [ "$size" -ge "$want" ] && return 0
        sleep 0.05
    done
    return 1
}

# wait_exit PID [SECONDS]: wait for a background process; returns its status
# (124 if it had to be killed).
wait_exit() {
    local pid=$1 secs=${2:-30} i
    for ((i = 0; i < secs * 20; i++)); do
        if ! kill -0 "$pid" 2>/dev/null; then
            local rc=0
            wait "$pid" 2>/dev/null || rc=$?
            return "$rc"
        fi
        sleep 0.05
    done
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    return 124
}

# stop PID: end a server started by this test.
stop() {
    kill "$1" 2>/dev/null || true
    wait "$1" 2>/dev/null || true
}

# ---- ward server ----
# start_ward_server NAME ARGS...: runs `ward server --listen 127.0.0.1:0 ARGS`
# (a later --listen in ARGS wins), waits for its "listening on" line and sets
# SERVER_PID, SERVER_PORT, SERVER_LOG and, with an ephemeral certificate,
# SERVER_PIN ("sha256:<hex>").
start_ward_server() {
    local name=$1
    shift
    SERVER_LOG="$WORK/$name.log"
    : >"$SERVER_LOG"
    "$WARD" server --listen 127.0.0.1:0 "$@" 2>"$SERVER_LOG" >/dev/null </dev/null &
    SERVER_PID=$!
    PIDS+=("$SERVER_PID")
    local line
    line=$(wait_line "$SERVER_LOG" 'ward: listening on ' "$SERVER_PID" 15) ||
        fail "ward server ($*) did not start: $(tail -n 5 "$SERVER_LOG")"
    SERVER_PORT=${line##*:}
    SERVER_PIN=$(sed -n 's/^ward: ephemeral certificate for .*, pin \(sha256:[0-9a-f]\{64\}\)$/\1/p' \
        "$SERVER_LOG" | head -n 1)
}

# ---- openssl s_server ----
# start_openssl_server NAME ARGS...: `openssl s_server -accept 127.0.0.1:0
# ARGS` with its stdin held open (a FIFO opened read-write never reaches end
# of file, so s_server does not close the connection on its own). Sets
# SERVER_PID, SERVER_PORT, SERVER_LOG (stderr) and SERVER_OUT (stdout).
start_openssl_server() {
    local name=$1
    shift
    SERVER_LOG="$WORK/$name.log"
    SERVER_OUT="$WORK/$name.out"
    local fifo="$WORK/$name.stdin"
    rm -f "$fifo"
    mkfifo "$fifo"
    openssl s_server -accept 127.0.0.1:0 "$@" <>"$fifo" >"$SERVER_OUT" 2>"$SERVER_LOG" &
    SERVER_PID=$!
    PIDS+=("$SERVER_PID")
    SERVER_PORT=$(wait_port "$SERVER_PID" 15) ||
        fail "openssl s_server ($*) did not start: $(tail -n 5 "$SERVER_LOG")"
}

# ---- gnutls-serv ----
# start_gnutls_server NAME ARGS...: `gnutls-serv -p 0 ARGS`; the port is read
# from /proc (gnutls-serv does not print the one the kernel picked). Sets
# SERVER_PID, SERVER_PORT, SERVER_LOG, SERVER_OUT.
start_gnutls_server() {
    local name=$1
    shift
    SERVER_LOG="$WORK/$name.log"
    SERVER_OUT="$WORK/$name.out"
    gnutls-serv -p 0 "$@" </dev/null >"$SERVER_OUT" 2>"$SERVER_LOG" &
    SERVER_PID=$!
    PIDS+=("$SERVER_PID")
    SERVER_PORT=$(wait_port "$SERVER_PID" 15) ||
        fail "gnutls-serv ($*) did not start: $(tail -n 5 "$SERVER_LOG") $(tail -n 5 "$SERVER_OUT")"
}

# ---- the test PKI ----
# make_pki: runs mkcerts.sh into $WORK/pki and sets PKI.
make_pki() {
    PKI="$WORK/pki"
    bash "$WARD_TESTS/interop/mkcerts.sh" "$PKI" >"$WORK/mkcerts.log" 2>&1 ||
        fail "mkcerts.sh failed: $(tail -n 20 "$WORK/mkcerts.log")"
}

# ward_client LOG ARGS...: run the ward client with a bound, stdin from
# $CLIENT_IN (default /dev/null), stdout to $CLIENT_OUT (default
# $WORK/client.out); sets CLIENT_RC. Never fails by itself.
ward_client() {
    local logf=$1
    shift
    CLIENT_RC=0
    timeout 60 "$WARD" client "$@" <"${CLIENT_IN:-/dev/null}" >"${CLIENT_OUT:-$WORK/client.out}" \
        2>"$logf" || CLIENT_RC=$?
}

SUITES=(TLS_AES_128_GCM_SHA256 TLS_AES_256_GCM_SHA384 TLS_CHACHA20_POLY1305_SHA256)
GROUPS_WARD=(x25519 secp256r1 secp384r1)
CERT_KINDS=(ecdsa rsa ed25519)

# ---- TLS 1.2 (tests/interop/test_tls12_*.sh) ----
# The TLS 1.2 suites by the certificate key they need (ECDHE_ECDSA: an EC
# key, ECDHE_RSA: an RSA key), and the RSA key transport suites (no forward
# secrecy; ward only with --rsa-kx). IANA names, as ward prints them.
SUITES12_ECDSA=(TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384
    TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256)
SUITES12_RSA=(TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384
    TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256)
SUITES12_RSA_KX=(TLS_RSA_WITH_AES_128_GCM_SHA256 TLS_RSA_WITH_AES_256_GCM_SHA384)
# OpenSSL's names for them (openssl ciphers -stdname).
declare -A OSSL_CIPHER12=(
    [TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256]=ECDHE-ECDSA-AES128-GCM-SHA256
    [TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384]=ECDHE-ECDSA-AES256-GCM-SHA384
    [TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256]=ECDHE-ECDSA-CHACHA20-POLY1305
    [TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256]=ECDHE-RSA-AES128-GCM-SHA256
    [TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384]=ECDHE-RSA-AES256-GCM-SHA384
    [TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256]=ECDHE-RSA-CHACHA20-POLY1305
    [TLS_RSA_WITH_AES_128_GCM_SHA256]=AES128-GCM-SHA256
    [TLS_RSA_WITH_AES_256_GCM_SHA384]=AES256-GCM-SHA384
)

# openssl_server_send FILE: feed FILE, in the background, to the stdin of
# the s_server started last by start_openssl_server (its FIFO); s_server
# sends it to the client it serves.
openssl_server_send() {
    cat "$1" >"${SERVER_LOG%.log}.stdin" &
    PIDS+=("$!")
}

# ward_client_until LOG OUT IN SIZE ARGS...: the ward client sends file IN,
# writes what it receives to OUT and keeps its stdin open until OUT holds
# SIZE bytes (or 60 s passed), then closes with close_notify. Sets CLIENT_RC.
ward_client_until() {
    local logf=$1 out=$2 in=$3 size=$4
    shift 4
    CLIENT_RC=0
    : >"$out"
    { cat "$in"; wait_size "$out" "$size" 60 || true; } |
        timeout 90 "$WARD" client "$@" >"$out" 2>"$logf" || CLIENT_RC=$?
}

# sclient_session NAME IN ARGS...: `openssl s_client -nocommands ARGS`
# without -brief/-quiet, so that it prints the session (cipher, temp key,
# "Extended master secret: yes") on stdout before the data. It sends file
# IN to an echo server and keeps its stdin open until as many bytes came
# back after the printout (or it ended), then closes. Sets SCLIENT_RC and
# splits its stdout into NAME.session (the printout, ending with "---") and
# NAME.data (what came back); stderr in NAME.err. For TLS 1.2 (a TLS 1.3
# server's tickets would print more sessions amid the data).
sclient_session() {
    local name=$1 in=$2 size
    shift 2
    size=$(stat -c %s "$in")
    : >"$name.out"
    : >"$name.err"
    SCLIENT_RC=0
    { cat "$in"; _sclient_wait "$name.out" "$name.err" "$size"; } |
        timeout 90 openssl s_client -nocommands "$@" >"$name.out" 2>"$name.err" || SCLIENT_RC=$?
    local hdr
    hdr=$(_sclient_header_len "$name.out")
    head -c "$hdr" "$name.out" >"$name.session"
    tail -c +"$((hdr + 1))" "$name.out" >"$name.data"
}

# the length of the session printout at the start of s_client's stdout:
# up to the "---" line after "Extended master secret: ..." (0 if none).
_sclient_header_len() {
    local hit line
    hit=$(grep -a -b -o -m1 -- 'Extended master secret: [a-z]*' "$1" 2>/dev/null || true)
    if [ -z "$hit" ]; then
        echo 0
        return
    fi
    line=${hit#*:}
    echo $((${hit%%:*} + ${#line} + 5)) # the line's "\n", then "---\n"
}

_sclient_wait() { # OUT ERR SIZE
    local i hdr
    for ((i = 0; i < 60 * 20; i++)); do
        hdr=$(_sclient_header_len "$1")
        if [ "$hdr" -gt 0 ] && [ "$(stat -c %s "$1")" -ge $((hdr + $3)) ]; then
            return 0
        fi
        grep -qE -- '^DONE$|:error:' "$2" 2>/dev/null && return 0
        sleep 0.05
    done
    return 0
}

# count FILE TEXT: lines of FILE with TEXT (0 when none).
count() { grep -cF -- "$2" "$1" || true; }

# s_client_echo ECHO NAME PORT ARGS...: openssl s_client (full output, which
# names the session "New" or "Reused") sends line.txt to a ward echo server
# on 127.0.0.1:PORT and keeps its stdin open until ECHO has come back, so
# that the session tickets sent before it have arrived too. The test fails
# unless s_client exits 0 and NAME.out holds ECHO; stderr in NAME.err.
s_client_echo() {
    local echo=$1 name=$2 port=$3 i rc=0
    shift 3
    : >"$name.out"
    {
        cat line.txt
        for ((i = 0; i < 400; i++)); do
            grep -qF -- "$echo" "$name.out" 2>/dev/null && break
            sleep 0.05
        done
    } | timeout 40 openssl s_client -nocommands -CAfile "$PKI/ca.pem" -servername localhost \
        -verify_return_error -connect "127.0.0.1:$port" "$@" >"$name.out" 2>"$name.err" ||
        rc=$?
    [ "$rc" -eq 0 ] || fail "$name: s_client exited $rc: $(tail -n 5 "$name.err")"
    assert_contains "$name.out" "$echo" "$name: the echo"
}
