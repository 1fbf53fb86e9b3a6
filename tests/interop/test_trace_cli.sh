#!/usr/bin/env bash
# ward trace and --trace (issue #17), the tool's side, against ward server
# on 127.0.0.1:
#   text: arrows and names, no line over 80 columns, no ANSI into a file,
#     ANSI with --color=always (still 80 columns without the escapes);
#   json: every line parses and validates against docs/trace-schema.json
#     (python3-jsonschema), and the schema refuses a wrong member type;
#   --explain: the TLS 1.3, TLS 1.2 ECDHE and TLS 1.2 RSA key transport texts;
#   a refused handshake (wrong host name): exit 1, the trace ends with the
#     alert and its reason, in text and JSON;
#   ward server --trace --trace-out: one trace per connection, appended;
#   smtp:// (STARTTLS, stt_testserver): the dialogue's lines as plaintext
#     events before the ClientHello, on one clock;
#   --trace=svg writes a file; the usage errors.
# The golden traces and real-server interop are test_trace_*'s elsewhere.
. "$(dirname "$0")/lib.sh"
need python3
python3 -c 'import jsonschema' 2>/dev/null ||
    fail "python3-jsonschema is not installed (scripts/install-deps.sh test)"
SCHEMA="$WARD_TESTS/../docs/trace-schema.json"
[ -f "$SCHEMA" ] || fail "no $SCHEMA"
make_pki
cd "$WORK"

# validate FILE...: every line is JSON valid under the schema
cat >validate.py <<'PY'
import json, sys, jsonschema
schema = json.load(open(sys.argv[1]))
jsonschema.Draft202012Validator.check_schema(schema)
v = jsonschema.Draft202012Validator(schema)
n = 0
for f in sys.argv[2:]:
    for i, line in enumerate(open(f, encoding="ascii"), 1):
        err = next(iter(v.iter_errors(json.loads(line))), None)
        if err is not None:
            sys.exit(f"{f}:{i}: {err.message}")
        n += 1
if n == 0:
    sys.exit("no JSON lines")
print(n)
PY
validate() { python3 validate.py "$SCHEMA" "$@" >validate.out 2>&1 || fail "schema: $(cat validate.out)"; }
# fits FILE WHAT: no line over 80 columns once ANSI colours are taken out
fits() {
    local long
    long=$(sed 's/\x1b\[[0-9;]*m//g' "$1" | awk 'length > 80' | head -n 3)
    [ -z "$long" ] || fail "$2: lines over 80 columns: $long"
}
# flat FILE: FILE.flat, its words on one line (explanations wrap anywhere)
flat() { tr '\n' ' ' <"$1" | tr -s ' ' >"$1.flat"; }
has_ansi() { grep -q $'\x1b\\[' "$1"; }
# trace NAME ARGS...: ward trace to NAME.out (stdout) and NAME.err; sets RC
trace() {
    local name=$1
    shift
    RC=0
    timeout 30 "$WARD" trace --cafile "$PKI/ca.pem" --servername localhost "$@" \
        "127.0.0.1:$SERVER_PORT" >"$name.out" 2>"$name.err" </dev/null || RC=$?
}

# ---- TLS 1.3 ----
start_ward_server s13 --cert "$PKI/ecdsa-chain.pem" --key "$PKI/ecdsa.key"
trace t13
[ "$RC" -eq 0 ] || fail "ward trace (1.3) exited $RC: $(cat t13.err)"
for want in "ClientHello ----" "---->" "<----" "---- ServerHello" "[handshake keys]" \
    "EncryptedExtensions" "Certificate" "CertificateVerify" "Finished" \
    "[0] subject: CN=localhost" "certificate chain verified" "key shares: X25519MLKEM768" \
    "Summary: TLS 1.3, TLS_AES_128_GCM_SHA256"; do
    assert_contains t13.out "$want" "ward trace (1.3)"
done
[ "$(grep -c -- '--> *$' t13.out)" -ge 2 ] || fail "fewer than two client arrows"
fits t13.out "ward trace (1.3)"
! has_ansi t13.out || fail "ANSI colours in a trace written to a file"
ok "1.3 text: arrows, names, keys labels, chain, summary; 80 columns, no ANSI into a file"

trace t13c --color=always
[ "$RC" -eq 0 ] || fail "ward trace --color=always exited $RC"
has_ansi t13c.out || fail "--color=always: no ANSI colours"
fits t13c.out "--color=always"
trace t13n --color=never
! has_ansi t13n.out || fail "--color=never has ANSI colours"
ok "--color=always colours (80 columns without the escapes), --color=never does not"

trace j13 --trace=json
[ "$RC" -eq 0 ] || fail "ward trace --trace=json exited $RC: $(cat j13.err)"
validate j13.out
n=$(cat validate.out)
assert_contains j13.out '"event":"done","ms":'
assert_contains j13.out '"version":{"code":772,"name":"TLS 1.3"}'
assert_contains j13.out '"type":"CertificateVerify"'
# the schema is strict: a wrong member type or a stray member fails
printf '%s\n' '{"event":"verify","ms":1,"from":"client","local":true,"ok":"yes"}' >wrong1.json
printf '%s\n' '{"event":"ccs","ms":1,"from":"client","local":true,"protection":"none","x":1}' >wrong2.json
for w in wrong1.json wrong2.json; do
    python3 validate.py "$SCHEMA" "$w" >/dev/null 2>&1 && fail "the schema accepts $w"
done
ok "1.3 json: $n lines, each valid under docs/trace-schema.json (which refuses wrong types)"

trace e13 --explain
[ "$RC" -eq 0 ] || fail "ward trace --explain (1.3) exited $RC"
flat e13.out
assert_contains e13.out.flat "to agree on keys in one round trip"
assert_contains e13.out.flat "Authenticate the server: it signs the transcript hash"
assert_contains e13.out.flat "derive the handshake keys"
fits e13.out "--explain (1.3)"
ok "--explain, TLS 1.3: negotiate / authenticate / agree texts"

# ---- TLS 1.2 ECDHE ----
trace e12 --tls1.2 --explain
[ "$RC" -eq 0 ] || fail "ward trace --tls1.2 --explain exited $RC: $(cat e12.err)"
flat e12.out
assert_contains e12.out "ServerKeyExchange"
assert_contains e12.out "ServerHelloDone"
assert_contains e12.out.flat "an ephemeral ECDHE public key, signed together with both randoms"
assert_contains e12.out.flat "the client's ephemeral ECDHE public key"
assert_contains e12.out "clock: first 4 bytes"
assert_contains e12.out.flat "downgrade: sentinel DOWNGRD"
assert_contains e12.out.flat "Summary: TLS 1.2, TLS_ECDHE_ECDSA_"
assert_not_contains e12.out.flat "agree on keys in one round trip"
fits e12.out "--explain (1.2 ECDHE)"
ok "--explain, TLS 1.2 ECDHE: ServerKeyExchange texts, clock check, downgrade sentinel"
stop "$SERVER_PID"

# ---- TLS 1.2 RSA key transport ----
start_ward_server srsa --cert "$PKI/rsa-chain.pem" --key "$PKI/rsa.key" --rsa-kx
trace e12r --tls1.2 --rsa-kx --suites TLS_RSA_WITH_AES_128_GCM_SHA256 --explain
[ "$RC" -eq 0 ] || fail "ward trace --rsa-kx --explain exited $RC: $(cat e12r.err)"
flat e12r.out
assert_contains e12r.out.flat "RSA: encrypted premaster secret, 256 bytes"
assert_contains e12r.out.flat "the client encrypts a 48-byte premaster secret with the"
assert_contains e12r.out.flat "this is where RSA key transport authenticates the"
assert_contains e12r.out.flat "RSA key transport, ALPN none"
assert_not_contains e12r.out "ServerKeyExchange"
fits e12r.out "--explain (1.2 RSA)"
trace j12r --tls1.2 --rsa-kx --suites TLS_RSA_WITH_AES_128_GCM_SHA256 --trace=json
validate j12r.out
assert_contains j12r.out '"fields":{"kind":"rsa","key_length":256}'
grep '"event":"done"' j12r.out | grep -q '"group"' && fail "RSA key transport: done has a group"
ok "--explain, TLS 1.2 RSA key transport: its own texts; json done without a group"
stop "$SERVER_PID"

# ---- a refused handshake: the wrong host name ----
start_ward_server sbad --cert "$PKI/ecdsa-chain.pem" --key "$PKI/ecdsa.key"
RC=0
timeout 30 "$WARD" trace --cafile "$PKI/ca.pem" --servername wrong.example \
    "127.0.0.1:$SERVER_PORT" >bad.out 2>bad.err </dev/null || RC=$?
[ "$RC" -eq 1 ] || fail "ward trace (wrong host) exited $RC, not 1"
assert_contains bad.out "certificate REFUSED"
assert_contains bad.out "Alert fatal bad_certificate"
tail -n 2 bad.out | grep -q "Failed: fatal alert bad_certificate from the client: certificate" ||
    fail "the text trace does not end with the alert and its reason: $(tail -n 3 bad.out)"
assert_contains bad.out "does not match host 'wrong.example'"
fits bad.out "refused (text)"
RC=0
timeout 30 "$WARD" trace --trace=json --cafile "$PKI/ca.pem" --servername wrong.example \
    "127.0.0.1:$SERVER_PORT" >bad.json 2>bad.err </dev/null || RC=$?
[ "$RC" -eq 1 ] || fail "ward trace --trace=json (wrong host) exited $RC, not 1"
validate bad.json
tail -n 1 bad.json | grep -q '"event":"alert".*"level":"fatal","description":{"code":42,"name":"bad_certificate"},"reason":"certificate for .* does not match host' ||
    fail "the json trace does not end with the alert and its reason: $(tail -n 1 bad.json)"
grep -q '"event":"verify".*"ok":false,"reason":' bad.json || fail "no refused verify event"
ok "wrong host: exit 1, text and json end with the fatal alert and its reason"
stop "$SERVER_PID"

# ---- ward server --trace, ward client --trace, svg ----
start_ward_server strace --cert "$PKI/ecdsa-chain.pem" --key "$PKI/ecdsa.key" \
    --trace --explain --trace-out "$WORK/server-trace.txt" --max-connections 2
printf 'hello\n' >hello.txt
for v in --tls1.3 --tls1.2; do
    RC=0
    timeout 30 "$WARD" client -q "$v" --cafile "$PKI/ca.pem" --servername localhost --trace \
        "127.0.0.1:$SERVER_PORT" <hello.txt >client.out 2>client-trace.txt || RC=$?
    [ "$RC" -eq 0 ] || fail "ward client $v --trace exited $RC: $(tail -n 5 client-trace.txt)"
    assert_same hello.txt client.out "ward client $v --trace"
    assert_contains client-trace.txt "ClientHello ----"
    assert_contains client-trace.txt "Summary: TLS 1.$([ "$v" = --tls1.3 ] && echo 3 || echo 2)"
done
wait_exit "$SERVER_PID" 20 || fail "ward server --trace did not end cleanly: $(tail "$SERVER_LOG")"
[ "$(grep -c '^Summary: ' server-trace.txt)" -eq 2 ] ||
    fail "server-trace.txt does not hold two traces: $(grep -c '^Summary: ' server-trace.txt)"
[ "$(grep -c 'ClientHello ---' server-trace.txt)" -eq 2 ] || fail "server trace: not two ClientHellos"
assert_contains server-trace.txt "| Authenticate the server: its certificate chain"
fits server-trace.txt "ward server --trace"
ok "ward server --trace --explain --trace-out: both connections' traces appended; client --trace on stderr"

start_ward_server ssvg --cert "$PKI/ecdsa-chain.pem" --key "$PKI/ecdsa.key"
trace svg --trace=svg --trace-out "$WORK/t.svg"
[ "$RC" -eq 0 ] || fail "ward trace --trace=svg exited $RC: $(cat svg.err)"
grep -q '<svg' t.svg || fail "--trace=svg wrote no <svg> element"
[ ! -s svg.out ] || fail "--trace=svg also wrote to stdout"
ok "--trace=svg --trace-out writes the picture"

# ---- STARTTLS: the plaintext dialogue in the trace ----
: "${STT_TESTSERVER:?set STT_TESTSERVER to the stt_testserver binary}"
[ -x "$STT_TESTSERVER" ] || fail "stt_testserver not found at '$STT_TESTSERVER'"
for fmt in text json; do
    rm -f smtp.port
    "$STT_TESTSERVER" smtp "$WORK/smtp.port" "$PKI/ecdsa-chain.pem" "$PKI/ecdsa.key" --once \
        </dev/null >/dev/null 2>"stt-$fmt.log" &
    STT_PID=$!
    PIDS+=("$STT_PID")
    for ((i = 0; i < 200; i++)); do
        [ -s smtp.port ] && break
        sleep 0.05
    done
    [ -s smtp.port ] || fail "stt_testserver wrote no port: $(cat "stt-$fmt.log")"
    RC=0
    timeout 30 "$WARD" trace --trace="$fmt" --cafile "$PKI/ca.pem" --servername localhost \
        "smtp://127.0.0.1:$(cat smtp.port)" >"smtp.$fmt" 2>"smtp-$fmt.err" </dev/null || RC=$?
    [ "$RC" -eq 0 ] || fail "ward trace --trace=$fmt smtp:// exited $RC: $(cat "smtp-$fmt.err")"
    stop "$STT_PID"
done
assert_contains smtp.text "C: STARTTLS"
assert_contains smtp.text "S: 220 "
[ "$(grep -n 'C: STARTTLS' smtp.text | cut -d: -f1)" -lt "$(grep -n 'ClientHello --' smtp.text | cut -d: -f1)" ] ||
    fail "the STARTTLS line does not come before the ClientHello"
fits smtp.text "smtp:// trace"
validate smtp.json
grep -q '"event":"plaintext","ms":[0-9]*,"from":"client","local":true,"line":"STARTTLS"}' smtp.json ||
    fail "no plaintext STARTTLS event in the json trace"
python3 - smtp.json <<'PY' || fail "the json trace's ms go backwards"
import json, sys
ms = [json.loads(l)["ms"] for l in open(sys.argv[1])]
# two clocks rounded to ms apiece: one step back of 1 ms is rounding
sys.exit(0 if all(b >= a - 1 for a, b in zip(ms, ms[1:])) else 1)
PY
ok "smtp:// STARTTLS: the dialogue's lines are plaintext events before the ClientHello, ms in order"

# ---- usage ----
for bad in "--trace=svg" "--trace=json --explain" "--trace=yaml" "--color=sometimes"; do
    RC=0
    # shellcheck disable=SC2086
    "$WARD" trace $bad 127.0.0.1:1 >usage.out 2>usage.err || RC=$?
    [ "$RC" -eq 2 ] || fail "ward trace $bad: exit $RC, not 2 (usage)"
done
"$WARD" trace --help >help.out
assert_contains help.out "Usage: ward trace"
for opt in --trace-out --explain --color; do
    assert_contains help.out "$opt"
    "$WARD" server --help | grep -qF -- "$opt" || fail "ward server --help lacks $opt"
done
ok "usage errors (svg without --trace-out, --explain with json, bad values) exit 2; --help lists the options"
done_all
