#!/usr/bin/env bash
# The NSS key log and the keying material exporters against tools no one
# here wrote, TLS 1.3 and TLS 1.2:
#  1. a ward client and a ward server exchange a known line over 127.0.0.1
#     while the traffic is recorded (tcpdump on lo, and again through
#     pcap_relay.py, a relay that writes the pcap itself, which is what is
#     left where capturing on lo is not allowed); with ward's key log,
#     tshark decrypts the recording and shows the line both ways; without
#     it, tshark sees only encrypted application data. Both roles wrote the
#     same key log (the client through SSLKEYLOGFILE in the TLS 1.2 round).
#     Once more with a KeyUpdate each way (CLIENT/SERVER_TRAFFIC_SECRET_1).
#  2. `openssl s_client -keylogfile` against `ward server --keylog`, and
#     `ward client --keylog` against `openssl s_server -keylogfile`: the
#     same lines on both ends.
#  3. In the same connections, `-keymatexport LABEL -keymatexportlen 32`
#     on the OpenSSL end and `--export LABEL:32` on ward's print the same
#     keying material.
. "$(dirname "$0")/lib.sh"
need openssl tshark tcpdump python3
make_pki
cd "$WORK"
unset SSLKEYLOGFILE
: >empty.keylog

# Key log lines without OpenSSL's comment line, sorted.
keylog_lines() { grep -v '^#' "$1" | sort; }

# expect_keylog FILE VERSION [KEYUPDATE]: the labels a connection of
# VERSION logs (with KEYUPDATE, after one KeyUpdate each way).
expect_keylog() {
    local f=$1 v=$2 want
    if [ "$v" = 1.3 ] && [ -n "${3:-}" ]; then
        want="CLIENT_HANDSHAKE_TRAFFIC_SECRET CLIENT_TRAFFIC_SECRET_0 CLIENT_TRAFFIC_SECRET_1 EXPORTER_SECRET SERVER_HANDSHAKE_TRAFFIC_SECRET SERVER_TRAFFIC_SECRET_0 SERVER_TRAFFIC_SECRET_1"
    elif [ "$v" = 1.3 ]; then
        want="CLIENT_HANDSHAKE_TRAFFIC_SECRET CLIENT_TRAFFIC_SECRET_0 EXPORTER_SECRET SERVER_HANDSHAKE_TRAFFIC_SECRET SERVER_TRAFFIC_SECRET_0"
    else
        want="CLIENT_RANDOM"
    fi
    local got
    got=$(keylog_lines "$f" | awk '{print $1}' | sort | tr '\n' ' ' | sed 's/ $//')
    [ "$got" = "$want" ] || fail "$f: labels '$got', expected '$want'"
    # LABEL, 32 bytes of client random, a 32/48-byte secret, lower-case hex
    if keylog_lines "$f" | grep -qvE '^[A-Z_0-9]+ [0-9a-f]{64} ([0-9a-f]{64}|[0-9a-f]{96})$'; then
        fail "$f: a line is not in the NSS key log format: $(cat "$f")"
    fi
}

# ---- 1. ward <-> ward, recorded, decrypted by tshark ----
decrypt_round() { # VERSION CAPTURE(tcpdump|relay) [key-update]
    local v=$1 how=$2 ku=${3:-} name="dec-$1-$2${3:+-$3}" cap_pid port connect_port
    local ku_opt=()
    # The client's KeyUpdate asks the server to update too: the echo comes
    # back under SERVER_TRAFFIC_SECRET_1.
    [ -n "$ku" ] && ku_opt=(--key-update)
    local plain
    plain="ward-keylog-plaintext-$v-$how-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
    printf '%s\n' "$plain" >"$name.in"
    start_ward_server "$name-server" "--tls$v" --keylog "$WORK/$name.server.keylog" \
        --max-connections 1
    port=$SERVER_PORT
    connect_port=$port
    if [ "$how" = tcpdump ]; then
        tcpdump -i lo -U --immediate-mode -n -s 0 -w "$name.pcap" "tcp port $port" 2>"$name.capture.log" &
        cap_pid=$!
        PIDS+=("$cap_pid")
        wait_line "$name.capture.log" 'listening on' "$cap_pid" 15 >/dev/null ||
            fail "tcpdump cannot capture on lo: $(cat "$name.capture.log")"
    else
        python3 "$WARD_TESTS/interop/pcap_relay.py" "$port" "$name.pcap" >"$name.capture.log" 2>&1 &
        cap_pid=$!
        PIDS+=("$cap_pid")
        local line
        line=$(wait_line "$name.capture.log" '^relay listening on ' "$cap_pid" 15) ||
            fail "pcap_relay.py did not start: $(cat "$name.capture.log")"
        connect_port=${line##* }
    fi

    # The TLS 1.2 client takes its key log from the environment.
    if [ "$v" = 1.2 ]; then
        export SSLKEYLOGFILE="$WORK/$name.client.keylog"
        CLIENT_IN="$name.in" CLIENT_OUT="$name.out" ward_client "$name.client.log" "--tls$v" \
            --pin "$SERVER_PIN" --servername localhost "127.0.0.1:$connect_port"
        unset SSLKEYLOGFILE
        assert_contains "$name.client.log" "(SSLKEYLOGFILE)"
    else
        CLIENT_IN="$name.in" CLIENT_OUT="$name.out" ward_client "$name.client.log" "--tls$v" \
            --pin "$SERVER_PIN" --servername localhost "${ku_opt[@]+"${ku_opt[@]}"}" \
            --keylog "$WORK/$name.client.keylog" "127.0.0.1:$connect_port"
    fi
    [ "$CLIENT_RC" -eq 0 ] || fail "$name: ward client exited $CLIENT_RC: $(cat "$name.client.log")"
    assert_contains "$name.client.log" "ward: TLS $v,"
    assert_same "$name.in" "$name.out" "$name: the echo"
    wait_exit "$SERVER_PID" 20 || fail "$name: ward server did not end cleanly"
    if [ "$how" = tcpdump ]; then
        sleep 1 # the last packets reach the file (each is written at once)
        kill -INT "$cap_pid" 2>/dev/null || true
        wait_exit "$cap_pid" 10 || fail "tcpdump did not stop: $(cat "$name.capture.log")"
    else
        wait_exit "$cap_pid" 20 || fail "pcap_relay.py failed: $(cat "$name.capture.log")"
    fi

    # Both roles logged the same lines.
    expect_keylog "$name.server.keylog" "$v" "$ku"
    keylog_lines "$name.server.keylog" >"$name.s.sorted"
    keylog_lines "$name.client.keylog" >"$name.c.sorted"
    cmp -s "$name.s.sorted" "$name.c.sorted" ||
        fail "$name: the client's and the server's key logs differ"
    [ "$(stat -c %a "$name.server.keylog")" = 600 ] || fail "$name: key log mode is not 0600"

    # The recording holds no plaintext; tshark sees encrypted records (the
    # outer type of a TLS 1.3 record is its opaque_type).
    if grep -aqF -- "$plain" "$name.pcap"; then
        fail "$name: the plaintext is in the capture unencrypted"
    fi
    local records
    records=$(tshark -r "$name.pcap" -d "tcp.port==$port,tls" -o tls.keylog_file:"$WORK/empty.keylog" \
        -Y 'tls.record.opaque_type == 23 || tls.record.content_type == 23' -T fields -e frame.number 2>"$name.tshark.err" | wc -l)
    [ "$records" -ge 2 ] || fail "$name: tshark found $records application data records: $(cat "$name.tshark.err")"

    # Without the key log, following the TLS stream shows nothing.
    tshark -r "$name.pcap" -d "tcp.port==$port,tls" -o tls.keylog_file:"$WORK/empty.keylog" \
        -q -z follow,tls,ascii,0 >"$name.nokey.txt" 2>>"$name.tshark.err"
    assert_not_contains "$name.nokey.txt" "$plain" "tshark without the key log ($name)"

    # With it (the client's is the same), the line appears twice: the
    # client's, then the echo.
    tshark -r "$name.pcap" -d "tcp.port==$port,tls" -o tls.keylog_file:"$WORK/$name.server.keylog" \
        -q -z follow,tls,ascii,0 >"$name.dec.txt" 2>>"$name.tshark.err"
    local seen
    seen=$(grep -cF -- "$plain" "$name.dec.txt" || true)
    [ "$seen" -eq 2 ] ||
        fail "$name: tshark with the key log shows the line $seen times, not 2: $(head -c 2000 "$name.dec.txt")"
    [ -z "$ku" ] || assert_contains "$name.client.log" "KeyUpdates received: 1"
    ok "TLS $v ($how${ku:+, $ku}): tshark decrypts with ward's key log (client = server lines), not without"
}

for v in 1.3 1.2; do
    for how in tcpdump relay; do
        decrypt_round "$v" "$how"
    done
done
decrypt_round 1.3 tcpdump key-update

# ---- 2 and 3. key log lines and exporters against OpenSSL ----
LABEL=EXPERIMENTAL-ward-interop

for v in 1.3 1.2; do
    ossl_v="-tls1_${v#1.}"

    # openssl s_client -> ward server
    name="sclient-$v"
    make_text "$name.in" 200
    start_ward_server "$name-server" --keylog "$WORK/$name.server.keylog" \
        --export "$LABEL:32" --max-connections 1
    # s_client's stdin stays open until it printed the keying material
    # (after the handshake), then its end of file makes s_client close.
    : >"$name.out"
    {
        cat "$name.in"
        wait_line "$name.out" 'Keying material: ' $$ 30 >/dev/null || true
    } | timeout 60 openssl s_client -nocommands -connect "127.0.0.1:$SERVER_PORT" "$ossl_v" \
        -keylogfile "$WORK/$name.client.keylog" -keymatexport "$LABEL" -keymatexportlen 32 \
        >"$name.out" 2>"$name.err" || fail "$name: s_client failed: $(tail -n 5 "$name.err")"
    wait_exit "$SERVER_PID" 20 || fail "$name: ward server did not end cleanly"
    assert_contains "$name.out" "New, TLSv$v, Cipher is" "s_client's session"
    expect_keylog "$name.server.keylog" "$v"
    diff <(keylog_lines "$name.client.keylog") <(keylog_lines "$name.server.keylog") >"$name.diff" ||
        fail "$name: s_client's and ward's key logs differ: $(cat "$name.diff")"
    theirs=$(sed -n 's/^ *Keying material: \([0-9A-Fa-f]*\)$/\1/p' "$name.out" | head -n 1 |
        tr 'A-F' 'a-f')
    ours=$(sed -n 's/^ward: .* exported: \([0-9a-f]*\)$/\1/p' "$SERVER_LOG" | head -n 1)
    [ ${#theirs} -eq 64 ] || fail "$name: s_client printed no keying material: $(cat "$name.out")"
    [ "$theirs" = "$ours" ] || fail "$name: exported '$ours' by ward, '$theirs' by s_client"
    ok "TLS $v: s_client -keylogfile = ward server --keylog; -keymatexport = --export ($ours)"

    # ward client -> openssl s_server
    name="sserver-$v"
    start_openssl_server "$name" "$ossl_v" -naccept 1 -cert "$PKI/ecdsa.pem" -key "$PKI/ecdsa.key" \
        -keylogfile "$WORK/$name.server.keylog" -keymatexport "$LABEL" -keymatexportlen 32
    CLIENT_IN=/dev/null ward_client "$name.client.log" --cafile "$PKI/ca.pem" \
        --servername localhost --keylog "$WORK/$name.client.keylog" --export "$LABEL:32" \
        "127.0.0.1:$SERVER_PORT"
    [ "$CLIENT_RC" -eq 0 ] || fail "$name: ward client exited $CLIENT_RC: $(cat "$name.client.log")"
    wait_exit "$SERVER_PID" 20 || true
    assert_contains "$name.client.log" "ward: TLS $v,"
    expect_keylog "$name.client.keylog" "$v"
    diff <(keylog_lines "$name.client.keylog") <(keylog_lines "$name.server.keylog") >"$name.diff" ||
        fail "$name: ward's and s_server's key logs differ: $(cat "$name.diff")"
    theirs=$(sed -n 's/^ *Keying material: \([0-9A-Fa-f]*\)$/\1/p' "$SERVER_OUT" | head -n 1 |
        tr 'A-F' 'a-f')
    ours=$(sed -n 's/^ward: exported: \([0-9a-f]*\)$/\1/p' "$name.client.log" | head -n 1)
    [ ${#theirs} -eq 64 ] || fail "$name: s_server printed no keying material: $(cat "$SERVER_OUT")"
    [ "$theirs" = "$ours" ] || fail "$name: exported '$ours' by ward, '$theirs' by s_server"
    ok "TLS $v: ward client --keylog = s_server -keylogfile; --export = -keymatexport ($ours)"
done

done_all
