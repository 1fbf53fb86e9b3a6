#!/usr/bin/env bash
# The documentation that can be checked (issue 18, "Documentation"): the
# API reference Doxygen makes from the public headers (docs/Doxyfile,
# written to a temporary directory here, as `make doc` writes build/doc),
# and the first server of docs/getting-started.md, compiled from the page
# itself against the build tree and run against `ward client`; the example
# of man/libward.3 compiled. The man pages themselves are checked where they
# are installed (test_install.sh).
#
# Needs WARD_BUILD_DIR (set by ctest) for libward and ward/version.h.
. "$(dirname "$0")/lib.sh"
: "${WARD_BUILD_DIR:?set WARD_BUILD_DIR to the build directory}"
need doxygen cc
SRC=$(cd "$WARD_TESTS/.." && pwd)
cache() { sed -n "s/^$1:[A-Z]*=//p" "$WARD_BUILD_DIR/CMakeCache.txt"; }

# ---- the API reference ----
OUT="$WORK/doc"
mkdir -p "$OUT"
(cd "$SRC" && WARD_DOC_OUT="$OUT" WARD_DOC_VERSION=test doxygen docs/Doxyfile) \
    >"$WORK/doxygen.log" 2>&1 || fail "doxygen failed: $(tail -n 10 "$WORK/doxygen.log")"
HTML="$OUT/html"
for f in index.html ward_8h.html starttls_8h.html structward__cert__info.html; do
    [ -s "$HTML/$f" ] || fail "doxygen wrote no $f (in $HTML)"
done
for fn in ward_conn_new ward_fd_write ward_conn_recv ward_config_set_cafile; do
    grep -q "$fn" "$HTML/ward_8h.html" || fail "ward_8h.html does not name $fn"
done
grep -q ward_starttls_new "$HTML/starttls_8h.html" || fail "starttls_8h.html does not name ward_starttls_new"
# the headers' plain comments are read as documentation (INPUT_FILTER)
assert_contains "$HTML/ward_8h.html" "is a sans-I/O engine" "ward.h's file comment"
assert_contains "$HTML/ward_8h.html" "Bytes that arrived from the peer" "ward_conn_recv's comment"
# the main page is docs/getting-started.md
assert_contains "$HTML/index.html" "A first server" "the main page"
n_warn=$(grep -c 'warning:' "$WORK/doxygen.log" || true)
ok "doxygen: html/index.html, ward.h and starttls.h pages with their comments ($n_warn warnings)"
[ "$n_warn" -eq 0 ] || log "doxygen warnings: $(grep 'warning:' "$WORK/doxygen.log" | head -n 5)"

# ---- docs/getting-started.md's server, compiled from the page ----
awk '/<!-- echo_once.c:/ { f = 1; next }
     f && /^```c$/ { g = 1; next }
     g && /^```$/ { exit }
     g { print }' "$SRC/docs/getting-started.md" >"$WORK/echo_once.c"
[ "$(wc -l <"$WORK/echo_once.c")" -gt 20 ] || fail "no echo_once.c listing in docs/getting-started.md"
EX_FLAGS=""
[ "$(cache WARD_SANITIZE)" = ON ] && EX_FLAGS="-fsanitize=address,undefined -fno-omit-frame-pointer"
CC=$(cache CMAKE_C_COMPILER)
# shellcheck disable=SC2086 # EX_FLAGS is a list of flags
"$CC" -O1 -g -Wall -Wextra -Werror $EX_FLAGS -I"$SRC/include" -I"$WARD_BUILD_DIR/include" \
    "$WORK/echo_once.c" -o "$WORK/echo_once" -L"$WARD_BUILD_DIR" -lward \
    -Wl,-rpath,"$WARD_BUILD_DIR" $EX_FLAGS >"$WORK/cc.log" 2>&1 ||
    fail "echo_once.c from docs/getting-started.md does not build: $(tail -n 10 "$WORK/cc.log")"
ok "docs/getting-started.md: echo_once.c builds with -Wall -Wextra -Werror"

# ---- man/libward.3's example, compiled from the page ----
# the .EX block of EXAMPLES, roff's \e back to a backslash
awk '/^\.SH EXAMPLES/ { f = 1 }
     f && /^\.EX/ { g = 1; next }
     g && /^\.EE/ { exit }
     g { print }' "$SRC/man/libward.3" | sed 's/\\e/\\/g' >"$WORK/libward3_example.c"
grep -q ward_fd_handshake "$WORK/libward3_example.c" || fail "no example in man/libward.3"
# shellcheck disable=SC2086 # EX_FLAGS is a list of flags
"$CC" -std=c11 -Wall -Wextra -Werror $EX_FLAGS -I"$SRC/include" -I"$WARD_BUILD_DIR/include" \
    -c "$WORK/libward3_example.c" -o "$WORK/libward3_example.o" >"$WORK/cc3.log" 2>&1 ||
    fail "man/libward.3's example does not compile: $(tail -n 10 "$WORK/cc3.log")"
ok "man/libward.3: the example compiles with -std=c11 -Wall -Wextra -Werror"

make_pki
"$WORK/echo_once" 0 "$PKI/ecdsa.pem" "$PKI/ecdsa.key" >/dev/null 2>"$WORK/echo_once.log" &
ECHO_PID=$!
PIDS+=("$ECHO_PID")
line=$(wait_line "$WORK/echo_once.log" 'listening on 127\.0\.0\.1:[0-9]+' "$ECHO_PID" 15) ||
    fail "echo_once did not start: $(cat "$WORK/echo_once.log")"
port=${line##*:}
make_text "$WORK/in.txt" 3000
CLIENT_IN="$WORK/in.txt" ward_client "$WORK/client.log" --cafile "$PKI/ca.pem" \
    --servername localhost "127.0.0.1:$port"
[ "$CLIENT_RC" -eq 0 ] || fail "ward client against echo_once exited $CLIENT_RC: $(tail -n 5 "$WORK/client.log")"
assert_same "$WORK/in.txt" "$WORK/client.out" "echo_once's echo"
rc=0
wait_exit "$ECHO_PID" 15 || rc=$?
[ "$rc" -eq 0 ] || fail "echo_once exited $rc: $(cat "$WORK/echo_once.log")"
ok "echo_once echoed $(stat -c %s "$WORK/in.txt") bytes to ward client and exited 0"

done_all
