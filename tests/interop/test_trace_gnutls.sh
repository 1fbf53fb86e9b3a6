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

# TLS 1.3 and 1.2 with gnutls' defaults, then with a suite and group it
# imposes (1.3: secp384r1, reached through a HelloRetryRequest).
T13="NORMAL:-VERS-ALL:+VERS-TLS1.3"
T12="NORMAL:-VERS-ALL:+VERS-TLS1.2"
run=0
for spec in "1.3|$T13|ed25519" "1.3|$T13:-CIPHER-ALL:+AES-256-GCM:-GROUP-ALL:+GROUP-SECP384R1|ed25519" \
    "1.2|$T12|rsa" "1.2|$T12:-CIPHER-ALL:+CHACHA20-POLY1305:-GROUP-ALL:+GROUP-SECP256R1|rsa"; do
    IFS='|' read -r v prio kind <<<"$spec"
    run=$((run + 1))
    start_gnutls_server "srv-$run" --echo --x509certfile "$CERTS/$kind.pem" \
        --x509keyfile "$CERTS/$kind.key" --priority "$prio"
    rc=0
    timeout 60 "$WARD" trace --trace=json --cafile "$CERTS/ca.pem" --servername localhost \
        "127.0.0.1:$SERVER_PORT" </dev/null >"run$run.json" 2>"run$run.log" || rc=$?
    [ "$rc" -eq 0 ] || fail "TLS $v: ward trace exited $rc: $(tail -n 5 "run$run.log")"
    # gnutls-serv prints its summary of the connection once the handshake is done
    wait_line "$SERVER_OUT" '^- Cipher:' "$SERVER_PID" 10 >/dev/null ||
        fail "TLS $v: gnutls-serv printed no summary of the connection"
    wait_line "$SERVER_OUT" '^- Options:' "$SERVER_PID" 5 >/dev/null || true
    python3 "$CHECK" --schema "$SCHEMA" --trace "run$run.json" --peer gnutls \
        --peer-log "$SERVER_OUT" --subject "$(subject_of "$CERTS/$kind.pem")" \
        >"run$run.check.log" 2>&1 || {
        cat "run$run.check.log" >&2
        fail "TLS $v: the trace does not agree with gnutls-serv (trace_check.py)"
    }
    cat "run$run.check.log" >&2
    stop "$SERVER_PID"
    ok "TLS $v ($prio): the JSON trace matches the schema and what gnutls-serv negotiated"
done

done_all
