#!/usr/bin/env bash
# TLS 1.2 against GnuTLS, both directions: ward client -> `gnutls-serv
# --echo` and `gnutls-cli` -> ward server, both pinned to TLS 1.2 by their
# priority string. Every TLS 1.2 suite x group, the ECDHE_ECDSA suites with
# the ECDSA P-256 certificate and the ECDHE_RSA suites with the RSA-2048
# one (3 x 3 x 2 per direction); in each connection the suite, the group
# and the Extended Master Secret are checked on both sides and 1 MiB goes
# each way. Then: a peer without the Extended Master Secret is refused, in
# both directions (ward requires it, RFC 7627 §5.2/§5.3).
. "$(dirname "$0")/lib.sh"
need gnutls-serv gnutls-cli
make_pki
cd "$WORK"

TLS12="NORMAL:-VERS-ALL:+VERS-TLS1.2"
declare -A GT_CIPHER=(
    [TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256]=AES-128-GCM
    [TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384]=AES-256-GCM
    [TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256]=CHACHA20-POLY1305
    [TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256]=AES-128-GCM
    [TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384]=AES-256-GCM
    [TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256]=CHACHA20-POLY1305)
declare -A GT_KX=([ecdsa]=ECDHE-ECDSA [rsa]=ECDHE-RSA)
declare -A GT_GROUP=([x25519]=X25519 [secp256r1]=SECP256R1 [secp384r1]=SECP384R1)
declare -A KIND_SUITES=([ecdsa]="${SUITES12_ECDSA[*]}" [rsa]="${SUITES12_RSA[*]}")
# The signature on the ServerKeyExchange: the server takes the client's
# first scheme its key can make. ward's client lists RSA-PSS before
# PKCS#1 v1.5; GnuTLS's client in TLS 1.2 the other way round.
declare -A SIG_WARD_CLIENT=([ecdsa]=ecdsa_secp256r1_sha256 [rsa]=rsa_pss_rsae_sha256)
declare -A GT_SIG_WARD_CLIENT=([ecdsa]=ECDSA-SHA256 [rsa]=RSA-PSS-RSAE-SHA256)
declare -A SIG_GNUTLS_CLIENT=([ecdsa]=ecdsa_secp256r1_sha256 [rsa]=rsa_pkcs1_sha256)
declare -A GT_SIG_GNUTLS_CLIENT=([ecdsa]=ECDSA-SHA256 [rsa]=RSA-SHA256)
MIB=1048576

# prio KIND SUITE GROUP: TLS 1.2 only, exactly this suite and group.
prio() {
    printf '%s:-KX-ALL:+%s:-CIPHER-ALL:+%s:-GROUP-ALL:+GROUP-%s' "$TLS12" "${GT_KX[$1]}" \
        "${GT_CIPHER[$2]}" "${GT_GROUP[$3]}"
}

# ---- 1. ward client -> gnutls-serv --echo ----
# gnutls-serv restricts suite and group; the ward client offers its
# defaults (TLS 1.2 and 1.3, every suite and group). gnutls-serv --echo
# echoes text only (it stops at a NUL byte): 1 MiB of base64 lines.
make_text up.txt "$MIB"
for kind in ecdsa rsa; do
    for suite in ${KIND_SUITES[$kind]}; do
        for group in "${GROUPS_WARD[@]}"; do
            name="s-$kind-$suite-$group"
            what="ward client -> gnutls-serv, $kind $suite $group"
            start_gnutls_server "srv-$name" --echo --crlf --x509certfile "$PKI/$kind-chain.pem" \
                --x509keyfile "$PKI/$kind.key" --priority "$(prio "$kind" "$suite" "$group")"
            CLIENT_IN=up.txt CLIENT_OUT="$name.echo" ward_client "$name.log" --cafile "$PKI/ca.pem" \
                --servername localhost "127.0.0.1:$SERVER_PORT"
            [ "$CLIENT_RC" -eq 0 ] || fail "$what: ward client exited $CLIENT_RC: $(cat "$name.log")"
            stop "$SERVER_PID"
            assert_contains "$name.log" \
                "ward: TLS 1.2, $suite, group $group, signature ${SIG_WARD_CLIENT[$kind]}, extended master secret"
            assert_contains "$name.log" "ward: verified: chain"
            assert_contains "$SERVER_OUT" \
                "- Description: (TLS1.2-X.509)-(ECDHE-${GT_GROUP[$group]})-(${GT_SIG_WARD_CLIENT[$kind]})-(${GT_CIPHER[$suite]})" \
                "gnutls-serv ($what)"
            assert_contains "$SERVER_OUT" "- Key Exchange: ${GT_KX[$kind]}" "gnutls-serv ($what)"
            assert_contains "$SERVER_OUT" "- Options: extended master secret" "gnutls-serv ($what)"
            assert_same up.txt "$name.echo" "$what: 1 MiB each way"
        done
    done
    ok "ward client -> gnutls-serv (TLS 1.2), $kind certificate: 3 suites x 3 groups, EMS, 1 MiB each way"
done

# ---- 2. gnutls-cli -> ward server (echo) ----
# gnutls-cli restricts the suite; one ward server per certificate and group. gnutls-cli sends 1 MiB and keeps its stdin
# open until as much came back, then closes.
make_random up.bin "$MIB"
gcli() { # gcli NAME PRIORITY
    local name=$1 prio=$2
    : >"$name.out"
    GCLI_RC=0
    { cat up.bin; wait_size "$name.out" "$MIB" 60 || true; } |
        timeout 90 gnutls-cli --x509cafile "$PKI/ca.pem" --sni-hostname localhost \
            --verify-hostname localhost --priority "$prio" --logfile "$name.log" \
            -p "$SERVER_PORT" 127.0.0.1 >"$name.out" 2>"$name.err" || GCLI_RC=$?
}
# RFC 8422 §4: in TLS 1.2 the client's groups also bound the curve of an
# ECDSA certificate, so with the P-256 certificate gnutls-cli offers the
# group under test and P-256, and a ward server limited to the group under
# test picks it for the key exchange.
for kind in ecdsa rsa; do
    for group in "${GROUPS_WARD[@]}"; do
        start_ward_server "ward-$kind-$group" --cert "$PKI/$kind-chain.pem" \
            --key "$PKI/$kind.key" --groups "$group" --max-connections 3
        extra=""
        [ "$kind" = ecdsa ] && [ "$group" != secp256r1 ] && extra=":+GROUP-SECP256R1"
        for suite in ${KIND_SUITES[$kind]}; do
            name="c-$kind-$suite-$group"
            what="gnutls-cli -> ward server, $kind $suite $group"
            gcli "$name" "$(prio "$kind" "$suite" "$group")$extra"
            [ "$GCLI_RC" -eq 0 ] || fail "$what: gnutls-cli exited $GCLI_RC: $(cat "$name.log" "$name.err")"
            assert_contains "$name.log" "Handshake was completed" "gnutls-cli ($what)"
            assert_contains "$name.log" \
                "- Description: (TLS1.2-X.509)-(ECDHE-${GT_GROUP[$group]})-(${GT_SIG_GNUTLS_CLIENT[$kind]})-(${GT_CIPHER[$suite]})" \
                "gnutls-cli ($what)"
            assert_contains "$name.log" "- Options: extended master secret" "gnutls-cli ($what)"
            assert_same up.bin "$name.out" "$what: 1 MiB each way"
            assert_contains "$SERVER_LOG" \
                "TLS 1.2 $suite $group, signature ${SIG_GNUTLS_CLIENT[$kind]}, HRR no, ALPN none, SNI localhost, extended master secret"
        done
        wait_exit "$SERVER_PID" 20 || fail "ward server ($kind, $group) did not end cleanly: $(cat "$SERVER_LOG")"
        [ "$(grep -c "$MIB bytes in, $MIB bytes out" "$SERVER_LOG")" -eq 3 ] ||
            fail "ward server ($kind, $group) did not log 3 connections of 1 MiB each way: $(cat "$SERVER_LOG")"
    done
    ok "gnutls-cli (TLS 1.2) -> ward server, $kind certificate: 3 suites x 3 groups, EMS, 1 MiB each way"
done

# ---- 3. no Extended Master Secret: refused both ways ----
printf 'no ems\n' >line.txt
start_ward_server ward-noems --cert "$PKI/ecdsa-chain.pem" --key "$PKI/ecdsa.key" --max-connections 1
rc=0
timeout 30 gnutls-cli --x509cafile "$PKI/ca.pem" --sni-hostname localhost --verify-hostname localhost \
    --priority "$TLS12:%NO_SESSION_HASH" --logfile noems-c.log -p "$SERVER_PORT" 127.0.0.1 \
    <line.txt >noems-c.out 2>noems-c.err || rc=$?
[ "$rc" -ne 0 ] || fail "gnutls-cli without EMS was accepted: $(cat noems-c.log)"
assert_contains noems-c.log "Received alert [40]" "gnutls-cli without EMS"
if wait_exit "$SERVER_PID" 20; then
    fail "ward server reported success for a client without EMS"
fi
assert_contains "$SERVER_LOG" \
    "handshake failed: client does not support the Extended Master Secret (RFC 7627), which ward requires"
ok "gnutls-cli without the Extended Master Secret: handshake_failure from ward server"

start_gnutls_server srv-noems --echo --x509certfile "$PKI/rsa-chain.pem" --x509keyfile "$PKI/rsa.key" \
    --priority "$TLS12:%NO_SESSION_HASH"
CLIENT_IN=line.txt ward_client noems-s.log --cafile "$PKI/ca.pem" --servername localhost \
    "127.0.0.1:$SERVER_PORT"
[ "$CLIENT_RC" -eq 1 ] || fail "ward client against gnutls-serv without EMS exited $CLIENT_RC (expected 1)"
assert_contains noems-s.log \
    "ward: error: server does not support the Extended Master Secret (RFC 7627), which ward requires"
stop "$SERVER_PID"
ok "gnutls-serv without the Extended Master Secret: ward client refuses it"

done_all
