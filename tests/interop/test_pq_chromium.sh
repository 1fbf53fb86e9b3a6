#!/usr/bin/env bash
# A real browser: Debian's Chromium, headless, fetches the page of
# `ward server --www` and negotiates X25519MLKEM768. Chromium offers it
# first by default (post-quantum key agreement has been on by default since
# Chrome 124, as X25519MLKEM768 since 131; no flag is needed, and in the
# Chromium 15x of Debian 12 the old `--disable-features=PostQuantumKyber`
# switch no longer changes anything). The page ward serves and ward's own
# log line must both name the group.
#
# Control: the same fetch from a ward server limited to `--groups
# x25519,secp256r1` must say x25519, so the assertion can fail.
#
# Chromium is trusted with exactly the server's key
# (--ignore-certificate-errors-spki-list), not with every certificate.
# One Chromium start takes about 2 s; the test starts it twice.
. "$(dirname "$0")/lib.sh"
command -v chromium >/dev/null 2>&1 ||
    fail "chromium is not installed: this test needs Debian's package 'chromium' (scripts/install-deps.sh test installs it)"
need chromium
cd "$WORK"
T0=$SECONDS
log "$(chromium --version 2>/dev/null || echo 'chromium --version failed')"

# Chromium writes under $HOME (NSS database, crash reports, dconf): keep it
# all in the work directory.
mkdir -p home

# spki_b64 sha256:HEX: the pin in the form Chromium takes (base64 of the hash).
spki_b64() {
    local hex=${1#sha256:}
    # shellcheck disable=SC2059 # the format is the point: \xHH escapes
    printf "$(printf '%s' "$hex" | sed 's/../\\x&/g')" | base64 -w 0
}

# fetch NAME: Chromium headless loads https://127.0.0.1:$SERVER_PORT/ with a
# fresh profile, trusting the key $SERVER_PIN only, and writes the DOM to
# NAME.html (its stderr to chromium-NAME.log).
fetch() {
    local name=$1 rc=0 t=$SECONDS
    HOME="$WORK/home" XDG_CONFIG_HOME="$WORK/home/.config" XDG_CACHE_HOME="$WORK/home/.cache" \
        timeout -k 5 60 chromium --headless=new --no-sandbox --disable-gpu --disable-quic \
        --no-first-run --disable-background-networking --disable-component-update --disable-sync \
        --user-data-dir="$WORK/profile-$name" \
        --ignore-certificate-errors-spki-list="$(spki_b64 "$SERVER_PIN")" \
        --dump-dom "https://127.0.0.1:$SERVER_PORT/" \
        >"$name.html" 2>"chromium-$name.log" </dev/null || rc=$?
    [ "$rc" -eq 0 ] ||
        fail "$name: chromium exited $rc$([ "$rc" -eq 124 ] && echo ' (timed out after 60 s)'): $(grep -v dbus "chromium-$name.log" | tail -n 5)"
    grep -q '<h1>ward: your connection</h1>' "$name.html" ||
        fail "$name: Chromium did not get ward's page: $(grep -i 'fail\|err_' "chromium-$name.log" | tail -n 3)"
    log "$name: Chromium fetch took $((SECONDS - t)) s"
}

# page_row FILE KEY VALUE: the page's table has the row KEY = VALUE.
page_row() {
    grep -qF "<tr><th>$2</th><td>$3</td></tr>" "$1" || {
        local got
        got=$(grep -o "<tr><th>$2</th><td>[^<]*</td>" "$1" | sed 's/.*<td>//; s/<\/td>$//' || true)
        fail "$1: '$2' is '${got:-missing}', expected '$3'"
    }
}

# server_lines GROUP WHAT: ward logged at least one completed handshake,
# all of them TLS 1.3 with GROUP and no HelloRetryRequest (Chromium may open
# a second connection, for /favicon.ico or ahead of need).
server_lines() {
    local lines
    lines=$(grep -E '^ward: [^ ]+ TLS 1\.[23] ' "$SERVER_LOG" || true)
    [ -n "$lines" ] || fail "$2: ward server logged no handshake: $(tail -n 5 "$SERVER_LOG")"
    printf '%s\n' "$lines" | grep -vqE " TLS 1\.3 TLS_[A-Z0-9_]+ $1, signature [^ ]+, HRR no, " &&
        fail "$2: ward server logged another kind of handshake: $(printf '%s\n' "$lines" |
            grep -vE " TLS 1\.3 TLS_[A-Z0-9_]+ $1, signature [^ ]+, HRR no, " | head -n 1)"
    assert_not_contains "$SERVER_LOG" "handshake failed" "$2: ward server log"
}

# 1. default ward server: Chromium offers X25519MLKEM768 with a key share,
#    ward prefers it.
start_ward_server www-default --www
[ -n "$SERVER_PIN" ] || fail "ward server printed no pin for its ephemeral certificate"
fetch pq
page_row pq.html protocol "TLS 1.3"
page_row pq.html group X25519MLKEM768
page_row pq.html HelloRetryRequest no
page_row pq.html request "GET / HTTP/1.1"
server_lines X25519MLKEM768 "Chromium -> ward default"
stop "$SERVER_PID"
ok "Chromium -> ward server --www: page and log say X25519MLKEM768, TLS 1.3, no HelloRetryRequest"

# 2. control: the hybrid switched off on ward's side; Chromium's x25519
#    share is used, still without a retry.
start_ward_server www-classic --www --groups x25519,secp256r1
fetch classic
page_row classic.html protocol "TLS 1.3"
page_row classic.html group x25519
page_row classic.html HelloRetryRequest no
server_lines x25519 "Chromium -> ward --groups x25519,secp256r1"
stop "$SERVER_PID"
ok "control: ward server --groups x25519,secp256r1 -> page and log say x25519"

log "run time $((SECONDS - T0)) s"
done_all
