#!/usr/bin/env bash
# `ward trace` against `gnutls-serv` (issue #17): TLS 1.3 (Ed25519 leaf)
# and TLS 1.2 (RSA leaf, ECDHE-RSA) traced as JSON lines. Every line must
# match docs/trace-schema.json, and the version, cipher suite and group in
# the trace must be what gnutls-serv printed for the connection ("- Version",
# "- Cipher", "- Key Exchange", "- Using curve"), the leaf's subject the one
# of the certificate it serves (trace_check.py).
. "$(dirname "$0")/lib.sh"
need gnutls-serv openssl python3
python3 -c 'import jsonschema' 2>/dev/null ||
    fail "python3-jsonschema is not installed (scripts/install-deps.sh test installs it)"
CERTS="$WARD_TESTS/trace/certs"
SCHEMA="$WARD_TESTS/../docs/trace-schema.json"
CHECK="$WARD_TESTS/interop/trace_check.py"
[ -f "$SCHEMA" ] || fail "no schema at $SCHEMA"
cd "$WORK"

subject_of() { openssl x509 -in "$1" -noout -subject -nameopt RFC2253 | sed 's/^subject= *//'; }

for v in 1.3 1.2; do
    case $v in
    1.3) prio="NORMAL:-VERS-ALL:+VERS-TLS1.3" kind=ed25519 ;;
    1.2) prio="NORMAL:-VERS-ALL:+VERS-TLS1.2" kind=rsa ;;
    esac
    start_gnutls_server "srv-$v" --echo --x509certfile "$CERTS/$kind.pem" \
        --x509keyfile "$CERTS/$kind.key" --priority "$prio"
    rc=0
    timeout 60 "$WARD" trace --trace=json --cafile "$CERTS/ca.pem" --servername localhost \
        "127.0.0.1:$SERVER_PORT" </dev/null >"tls$v.json" 2>"tls$v.log" || rc=$?
    [ "$rc" -eq 0 ] || fail "TLS $v: ward trace exited $rc: $(tail -n 5 "tls$v.log")"
    # gnutls-serv prints its summary of the connection once the handshake is done
    wait_line "$SERVER_OUT" '^- Cipher:' "$SERVER_PID" 10 >/dev/null ||
        fail "TLS $v: gnutls-serv printed no summary of the connection"
    wait_line "$SERVER_OUT" '^- Options:' "$SERVER_PID" 5 >/dev/null || true
    python3 "$CHECK" --schema "$SCHEMA" --trace "tls$v.json" --peer gnutls \
        --peer-log "$SERVER_OUT" --subject "$(subject_of "$CERTS/$kind.pem")" \
        >"tls$v.check.log" 2>&1 || {
        cat "tls$v.check.log" >&2
        fail "TLS $v: the trace does not agree with gnutls-serv (trace_check.py)"
    }
    cat "tls$v.check.log" >&2
    stop "$SERVER_PID"
    ok "TLS $v: the JSON trace matches the schema and what gnutls-serv negotiated"
done

done_all
