#!/usr/bin/env bash
# The C examples (examples/c) as a user builds them (issue 18): install the
# build into a temporary prefix, build all three programs four ways against
# it (pkg-config shared and --static with examples/c/Makefile,
# find_package(ward) ward::ward and ward::ward_static with
# examples/c/CMakeLists.txt) and run each build:
# - https_get fetches a page from `openssl s_server -WWW` (test CA);
# - echo_server (epoll, client certificates required) echoes four
#   concurrent `openssl s_client`s with client certificates, one of them
#   1 MiB, one 12 MiB to a reader that stalls (the server must wait to
#   write: back-pressure), and refuses a client without a certificate and one whose
#   certificate another CA signed; SIGTERM ends it with its summary;
# - memory_transport runs on its own and checks its own result.
# Shared builds load the prefix's libward.so.0 (ldd); static ones need no
# libward.so. test_install.sh checks the installation itself.
#
# Needs WARD_BUILD_DIR (set by ctest). In a sanitized build the examples
# are built with the same compiler and -fsanitize flags.
. "$(dirname "$0")/lib.sh"
: "${WARD_BUILD_DIR:?set WARD_BUILD_DIR to the build directory}"
need openssl cmake make pkg-config ldd readelf
make_pki

SRC=$(cd "$WARD_TESTS/.." && pwd)
EXAMPLES="https_get echo_server memory_transport"
cache() { sed -n "s/^$1:[A-Z]*=//p" "$WARD_BUILD_DIR/CMakeCache.txt"; }
CC=$(cache CMAKE_C_COMPILER)
export CC
EX_FLAGS=""
if [ "$(cache WARD_SANITIZE)" = ON ]; then
    EX_FLAGS="-fsanitize=address,undefined -fno-omit-frame-pointer"
    log "sanitized build: examples built with $CC $EX_FLAGS"
fi

# ---- install ----
PREFIX="$WORK/prefix"
cmake --install "$WARD_BUILD_DIR" --prefix "$PREFIX" >"$WORK/install.log" 2>&1 ||
    fail "cmake --install: $(tail -n 5 "$WORK/install.log")"
PC=$(find "$PREFIX" -name ward.pc -path '*/pkgconfig/*')
[ -n "$PC" ] || fail "no ward.pc installed"
LIBDIR=$(dirname "$(dirname "$PC")")
export PKG_CONFIG_PATH="$LIBDIR/pkgconfig"

# ---- build: NAME KIND (pc, pc-static, cmake, cmake-static) into $WORK/NAME ----
build_examples() {
    local name=$1 kind=$2 dir="$WORK/$1" static
    mkdir -p "$dir"
    case $kind in
    pc | pc-static)
        cp "$SRC"/examples/c/*.c "$SRC/examples/c/Makefile" "$dir/"
        static=""
        [ "$kind" = pc-static ] && static=STATIC=1
        (cd "$dir" && CFLAGS="-O1 -g -Wall -Wextra -Werror $EX_FLAGS" LDFLAGS="$EX_FLAGS" \
            make $static) >"$WORK/$name-build.log" 2>&1 ||
            fail "$name: make failed: $(tail -n 10 "$WORK/$name-build.log")"
        ;;
    cmake | cmake-static)
        static=OFF
        [ "$kind" = cmake-static ] && static=ON
        CFLAGS="$EX_FLAGS" LDFLAGS="$EX_FLAGS" cmake -S "$SRC/examples/c" -B "$dir" \
            -DCMAKE_PREFIX_PATH="$PREFIX" -DWARD_STATIC=$static \
            -DCMAKE_C_FLAGS_INIT="-Wall -Wextra -Werror" \
            >"$WORK/$name-build.log" 2>&1 &&
            cmake --build "$dir" -j1 >>"$WORK/$name-build.log" 2>&1 ||
            fail "$name: cmake build failed: $(tail -n 10 "$WORK/$name-build.log")"
        ;;
    esac
}

# check_linkage BIN shared|static
check_linkage() {
    local bin=$1
    if [ "$2" = shared ]; then
        readelf -d "$bin" | grep -q 'NEEDED.*\[libward\.so\.0\]' || fail "$bin: libward.so.0 not NEEDED"
        ldd "$bin" >"$WORK/ldd.log" 2>&1 || true
        grep -q "libward\.so\.0 => $LIBDIR/libward\.so\.0 " "$WORK/ldd.log" ||
            fail "$bin: libward.so.0 does not resolve to the prefix: $(grep libward "$WORK/ldd.log")"
    else
        if readelf -d "$bin" | grep -q 'NEEDED.*libward'; then
            fail "$bin: the static build needs libward.so"
        fi
        readelf -d "$bin" | grep -q 'NEEDED.*libcrypto' || fail "$bin: libcrypto not linked"
    fi
}

# ---- the peers' data ----
mkdir -p "$WORK/www"
make_text "$WORK/www/page.txt" 30000
make_random "$WORK/small.bin" 3000
make_text "$WORK/text.txt" 20000
make_random "$WORK/big.bin" 1048576
make_random "$WORK/huge.bin" $((12 << 20)) # more than the loopback socket buffers hold
printf 'hello from a client without the right certificate\n' >"$WORK/line.txt"
cd "$WORK/www" || fail "no $WORK/www" # -WWW serves files from its working directory
start_openssl_server www -WWW -cert "$PKI/ecdsa.pem" -key "$PKI/ecdsa.key"
WWW_PORT=$SERVER_PORT
cd "$WORK" || fail "no $WORK"

run_https_get() {
    local name=$1 rc=0
    timeout 30 "$WORK/$name/https_get" localhost "$WWW_PORT" "$PKI/ca.pem" /page.txt \
        >"$WORK/$name-get.out" 2>"$WORK/$name-get.log" || rc=$?
    [ "$rc" -eq 0 ] || fail "$name: https_get exited $rc: $(cat "$WORK/$name-get.log")"
    assert_same "$WORK/www/page.txt" "$WORK/$name-get.out" "$name: https_get body"
}

run_memory_transport() {
    local name=$1 rc=0
    timeout 60 "$WORK/$name/memory_transport" >"$WORK/$name-mem.out" 2>"$WORK/$name-mem.log" || rc=$?
    [ "$rc" -eq 0 ] || fail "$name: memory_transport exited $rc: $(cat "$WORK/$name-mem.log")"
    [ "$(tail -n 1 "$WORK/$name-mem.out")" = "memory_transport: ok" ] ||
        fail "$name: memory_transport did not end with 'ok': $(cat "$WORK/$name-mem.out")"
    assert_contains "$WORK/$name-mem.out" "100000 bytes echoed intact"
    assert_contains "$WORK/$name-mem.out" "server authenticated: 1"
}

# echo_client OUT IN PORT ARGS...: s_client sends IN and keeps its stdin
# open until as much came back (or 60 s), then ends it: -no_ign_eof (after
# -quiet, which sets -ign_eof) makes s_client send close_notify at EOF.
# With SLOW_READER=1 what comes back waits 2 s in a pipe first: s_client
# blocks on its stdout and stops reading, the socket fills and the server
# must wait (WARD_WANT_WRITE) and stop reading that client meanwhile.
echo_client() {
    local out=$1 in=$2 port=$3 delay=0
    shift 3
    [ "${SLOW_READER:-0}" = 1 ] && delay=2
    : >"$out"
    { cat "$in"; wait_size "$out" "$(stat -c %s "$in")" 60 || true; } |
        timeout 90 openssl s_client -nocommands -quiet -no_ign_eof -connect "127.0.0.1:$port" \
            -servername localhost -CAfile "$PKI/ca.pem" -verify_return_error "$@" 2>"$out.err" |
        { sleep "$delay"; cat; } >"$out"
}

# refused_client NAME PORT N ARGS...: s_client with ARGS sends a line and
# waits until the server logged its Nth refusal (or 15 s). The line must
# not come back.
refused_client() {
    local name=$1 port=$2 n=$3 i
    shift 3
    : >"$WORK/$name.out"
    {
        cat "$WORK/line.txt"
        for ((i = 0; i < 300; i++)); do
            [ "$(count "$ECHO_LOG" ' refused: ')" -ge "$n" ] && break
            sleep 0.05
        done
    } | timeout 30 openssl s_client -nocommands -quiet -no_ign_eof -connect "127.0.0.1:$port" \
        -servername localhost -CAfile "$PKI/ca.pem" "$@" >"$WORK/$name.out" 2>"$WORK/$name.err" || true
    assert_not_contains "$WORK/$name.out" "hello from a client" "$name: s_client output"
    [ "$(count "$ECHO_LOG" ' refused: ')" -ge "$n" ] ||
        fail "$name: echo_server did not refuse the client: $(tail -n 5 "$ECHO_LOG")"
}

run_echo_server() {
    local name=$1 pid line port p1 p2 p3 p4 rc=0 kind
    ECHO_LOG="$WORK/$name-echo.log"
    : >"$ECHO_LOG"
    "$WORK/$name/echo_server" 0 "$PKI/ecdsa.pem" "$PKI/ecdsa.key" "$PKI/ca.pem" \
        </dev/null >/dev/null 2>"$ECHO_LOG" &
    pid=$!
    PIDS+=("$pid")
    line=$(wait_line "$ECHO_LOG" 'listening on 127\.0\.0\.1:[0-9]+' "$pid" 15) ||
        fail "$name: echo_server did not start: $(tail -n 5 "$ECHO_LOG")"
    port=${line##*:}
    # three clients at once, each with its certificate; the big one tests
    # the non-blocking writes (the socket fills: WANT_WRITE, back-pressure)
    echo_client "$WORK/$name-e1.out" "$WORK/big.bin" "$port" \
        -cert "$PKI/client-ecdsa.pem" -key "$PKI/client-ecdsa.key" &
    p1=$!
    echo_client "$WORK/$name-e2.out" "$WORK/small.bin" "$port" \
        -cert "$PKI/client-rsa.pem" -key "$PKI/client-rsa.key" &
    p2=$!
    echo_client "$WORK/$name-e3.out" "$WORK/text.txt" "$port" -tls1_2 \
        -cert "$PKI/client-ed25519.pem" -key "$PKI/client-ed25519.key" &
    p3=$!
    SLOW_READER=1 echo_client "$WORK/$name-e4.out" "$WORK/huge.bin" "$port" \
        -cert "$PKI/client-ecdsa.pem" -key "$PKI/client-ecdsa.key" &
    p4=$!
    PIDS+=("$p1" "$p2" "$p3" "$p4")
    wait_exit "$p1" 100 || rc=$?
    [ "$rc" -eq 0 ] || fail "$name: s_client (1 MiB, ECDSA) exited $rc: $(tail -n 3 "$WORK/$name-e1.out.err")"
    wait_exit "$p2" 100 || rc=$?
    [ "$rc" -eq 0 ] || fail "$name: s_client (RSA) exited $rc: $(tail -n 3 "$WORK/$name-e2.out.err")"
    wait_exit "$p3" 100 || rc=$?
    [ "$rc" -eq 0 ] || fail "$name: s_client (TLS 1.2, Ed25519) exited $rc: $(tail -n 3 "$WORK/$name-e3.out.err")"
    wait_exit "$p4" 100 || rc=$?
    [ "$rc" -eq 0 ] || fail "$name: s_client (12 MiB, slow reader) exited $rc: $(tail -n 3 "$WORK/$name-e4.out.err")"
    assert_same "$WORK/big.bin" "$WORK/$name-e1.out" "$name: echo of 1 MiB"
    assert_same "$WORK/huge.bin" "$WORK/$name-e4.out" "$name: echo of 12 MiB to a slow reader"
    assert_same "$WORK/small.bin" "$WORK/$name-e2.out" "$name: echo (RSA client)"
    assert_same "$WORK/text.txt" "$WORK/$name-e3.out" "$name: echo (TLS 1.2 client)"
    for kind in ecdsa rsa ed25519; do
        assert_contains "$ECHO_LOG" "ward client $kind (authenticated: 1)" "$name: echo_server log"
    done
    # no certificate, then one from a CA the server does not trust
    refused_client "$name-nocert" "$port" 1
    refused_client "$name-othercert" "$port" 2 \
        -cert "$PKI/client-unknown.pem" -key "$PKI/client-unknown.key"
    kill -TERM "$pid"
    rc=0
    wait_exit "$pid" 15 || rc=$?
    [ "$rc" -eq 0 ] || fail "$name: echo_server exited $rc after SIGTERM: $(tail -n 5 "$ECHO_LOG")"
    assert_contains "$ECHO_LOG" "echo_server: served 4, refused 2," "$name: echo_server summary"
    grep -qE 'waited to write [1-9][0-9]* times' "$ECHO_LOG" ||
        fail "$name: echo_server never waited to write (no back-pressure seen): $(tail -n 1 "$ECHO_LOG")"
}

for spec in pc:pc:shared pc-static:pc-static:static cmake:cmake:shared \
    cmake-static:cmake-static:static; do
    IFS=: read -r name kind link <<<"$spec"
    build_examples "$name" "$kind"
    for ex in $EXAMPLES; do
        [ -x "$WORK/$name/$ex" ] || fail "$name: no $ex built"
        check_linkage "$WORK/$name/$ex" "$link"
    done
    run_https_get "$name"
    run_memory_transport "$name"
    run_echo_server "$name"
    ok "$name ($kind, $link): https_get fetched $(stat -c %s "$WORK/www/page.txt") bytes;" \
        "echo_server echoed 4 clients (1 MiB, 12 MiB slow reader, TLS 1.2), refused 2 ($(grep -o 'waited to write [0-9]* times' "$ECHO_LOG"));" \
        "memory_transport ok"
done

done_all
