#!/usr/bin/env bash
# `ward trace` against `openssl s_server` (issue #17): a TLS 1.3 handshake
# (Ed25519 leaf) and a TLS 1.2 one (RSA leaf) traced as JSON lines. Every
# line must match docs/trace-schema.json, and the version, cipher suite,
# group and leaf subject in the trace must be what s_server -trace shows it
# sent (trace_check.py). Then a refused handshake (the test CA not trusted)
# in text and JSON: exit status 1, the trace ends with the alert and why.
# The golden JSON traces of tests/trace/golden are checked against the
# schema here too.
. "$(dirname "$0")/lib.sh"
need openssl python3
python3 -c 'import jsonschema' 2>/dev/null ||
    fail "python3-jsonschema is not installed (scripts/install-deps.sh test installs it)"
CERTS="$WARD_TESTS/trace/certs"
SCHEMA="$WARD_TESTS/../docs/trace-schema.json"
CHECK="$WARD_TESTS/interop/trace_check.py"
[ -f "$SCHEMA" ] || fail "no schema at $SCHEMA"
cd "$WORK"

subject_of() { openssl x509 -in "$1" -noout -subject -nameopt RFC2253 | sed 's/^subject= *//'; }

# trace NAME FORMAT ARGS...: ward trace to NAME.FORMAT (stderr NAME.log)
# against the server started last; sets TRACE_RC.
trace() {
    local name=$1 fmt=$2
    shift 2
    TRACE_RC=0
    timeout 60 "$WARD" trace --trace="$fmt" --servername localhost "$@" "127.0.0.1:$SERVER_PORT" \
        </dev/null >"$name.$fmt" 2>"$name.log" || TRACE_RC=$?
}

# check NAME ARGS...: trace_check.py, its report in NAME.check.log
check() {
    local name=$1
    shift
    python3 "$CHECK" --schema "$SCHEMA" "$@" >"$name.check.log" 2>&1 || {
        cat "$name.check.log" >&2
        fail "$name: the trace does not agree (trace_check.py)"
    }
    cat "$name.check.log" >&2
}

# 0. The golden traces (tests/trace/golden, made in memory by trace_golden)
#    follow the schema too.
n=0
for f in "$WARD_TESTS"/trace/golden/*.json; do
    check "golden-$(basename "$f" .json)" --trace "$f" --schema-only
    n=$((n + 1))
done
[ "$n" -ge 10 ] || fail "only $n golden JSON traces in $WARD_TESTS/trace/golden"
ok "the $n golden JSON traces match the schema"

# 1. TLS 1.3 and TLS 1.2, completed: with s_server's defaults, and with a
#    suite and group it imposes (for 1.3 P-384, which takes a
#    HelloRetryRequest: the client's key shares are for other groups).
run=0
for spec in "1.3|-tls1_3|ed25519" \
    "1.3|-tls1_3 -ciphersuites TLS_AES_256_GCM_SHA384 -groups P-384|ed25519" \
    "1.2|-tls1_2|rsa" \
    "1.2|-tls1_2 -cipher ECDHE-RSA-CHACHA20-POLY1305 -groups P-256|rsa"; do
    IFS='|' read -r v flags kind <<<"$spec"
    run=$((run + 1))
    # shellcheck disable=SC2086 # flags are words
    start_openssl_server "srv-$run" $flags -trace -naccept 1 \
        -cert "$CERTS/$kind.pem" -key "$CERTS/$kind.key"
    trace "run$run" json --cafile "$CERTS/ca.pem"
    [ "$TRACE_RC" -eq 0 ] || fail "TLS $v ($flags): ward trace exited $TRACE_RC: $(tail -n 5 "run$run.log")"
    # s_server -naccept 1 ends after the connection: its output is whole
    wait_exit "$SERVER_PID" 20 || fail "TLS $v ($flags): s_server did not end after the connection"
    check "run$run" --trace "run$run.json" --peer openssl --peer-log "$SERVER_OUT" \
        --subject "$(subject_of "$CERTS/$kind.pem")"
    ok "TLS $v ($flags): the JSON trace matches the schema and what s_server negotiated"
done

# 2. Refused: without --cafile the test CA is unknown. Text and JSON.
start_openssl_server srv-refused -tls1_3 -naccept 2 \
    -cert "$CERTS/ed25519.pem" -key "$CERTS/ed25519.key"
trace refused json
[ "$TRACE_RC" -eq 1 ] || fail "refused (json): ward trace exited $TRACE_RC, want 1"
trace refused text
[ "$TRACE_RC" -eq 1 ] || fail "refused (text): ward trace exited $TRACE_RC, want 1"
check refused --trace refused.json --refused --text refused.text
ok "refused handshake: exit 1, text and JSON end with the alert and its reason"
stop "$SERVER_PID"

done_all
