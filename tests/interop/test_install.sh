#!/usr/bin/env bash
# libward as an installed product (issue 18, "Install and find"): install
# the build into a temporary prefix, then build examples/c/https_get four
# ways against it (pkg-config shared and --static, find_package(ward)
# ward::ward and ward::ward_static) and fetch a page through each from
# `openssl s_server -WWW`. Also: the SONAME and its links, the shared
# builds load the prefix's libward.so, the static ones need none, and the
# tool, ward.pc, the headers and the library all say the one version
# written in CMakeLists.txt's project(). Symbol hygiene: the installed
# libraries define no global name but ward_*, and a program linking the
# archive beside libsodium gets libsodium's crypto_sign and ward's both. The man pages:
# installed, no groff warning, every option of `ward CMD --help` in
# ward.1 and every WARD_API function in libward.3.
#
# Needs WARD_BUILD_DIR (set by ctest). Writes only in its work directory
# (cmake --install itself leaves install_manifest.txt in the build tree).
# In a sanitized build (WARD_SANITIZE=ON in the build's cache) the examples
# are built with the same compiler and -fsanitize flags, since an ASan
# libward needs the ASan runtime in the program.
. "$(dirname "$0")/lib.sh"
: "${WARD_BUILD_DIR:?set WARD_BUILD_DIR to the build directory}"
need openssl cmake make pkg-config ldd readelf nm groff
make_pki

SRC=$(cd "$WARD_TESTS/.." && pwd)
VERSION=$(sed -n 's/^project(ward VERSION \([0-9][0-9.]*\).*/\1/p' "$SRC/CMakeLists.txt")
[ -n "$VERSION" ] || fail "no version in project() of $SRC/CMakeLists.txt"
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
for f in include/ward/ward.h include/ward/starttls.h include/ward/version.h bin/ward; do
    [ -f "$PREFIX/$f" ] || fail "$f not installed"
done
for f in libward.a libward.so "cmake/ward/wardConfig.cmake" \
    "cmake/ward/wardConfigVersion.cmake" "cmake/ward/wardTargets.cmake"; do
    [ -e "$LIBDIR/$f" ] || fail "${LIBDIR#"$PREFIX/"}/$f not installed"
done
ok "installed: libraries, headers, ward.pc, CMake package, tool (libdir ${LIBDIR#"$PREFIX/"})"
[ "$(readlink "$LIBDIR/libward.so")" = libward.so.0 ] || fail "libward.so does not link to libward.so.0"
[ "$(readlink "$LIBDIR/libward.so.0")" = "libward.so.$VERSION" ] ||
    fail "libward.so.0 does not link to libward.so.$VERSION"
readelf -d "$LIBDIR/libward.so.$VERSION" | grep -q 'SONAME.*\[libward\.so\.0\]' ||
    fail "libward.so.$VERSION has no SONAME libward.so.0"
ok "SONAME libward.so.0, links libward.so -> .so.0 -> .so.$VERSION"

# ---- the manual pages: installed, clean, complete ----
MAN1=$(find "$PREFIX" -path '*/man1/ward.1')
MAN3=$(find "$PREFIX" -path '*/man3/libward.3')
{ [ -n "$MAN1" ] && [ -n "$MAN3" ]; } || fail "man pages not installed (ward.1: '$MAN1', libward.3: '$MAN3')"
for page in "$MAN1" "$MAN3"; do
    groff -man -Tutf8 -ww -z "$page" >"$WORK/groff.log" 2>&1 || fail "groff ${page##*/}: $(cat "$WORK/groff.log")"
    [ ! -s "$WORK/groff.log" ] || fail "groff -ww warns on ${page##*/}: $(head -n 5 "$WORK/groff.log")"
done
grep -q "^\.TH WARD 1 [0-9-]* \"ward $VERSION\"" "$MAN1" || fail "ward.1's .TH line does not say ward $VERSION"
grep -q "^\.TH LIBWARD 3 [0-9-]* \"ward $VERSION\"" "$MAN3" || fail "libward.3's .TH line does not say ward $VERSION"
# every option `ward CMD --help` prints is in ward.1 (roff writes - as \-)
sed 's/\\-/-/g' "$MAN1" >"$WORK/ward.1.txt"
n_opts=0
for cmd in client server tunnel trace; do
    "$PREFIX/bin/ward" "$cmd" --help >"$WORK/help-$cmd.txt" || fail "ward $cmd --help failed"
    for opt in $(grep -oE -- '--[a-z0-9][a-z0-9.-]*[a-z0-9]' "$WORK/help-$cmd.txt" | sort -u); do
        grep -qE -- "${opt//./\\.}([^a-z0-9.-]|\$)" "$WORK/ward.1.txt" ||
            fail "ward $cmd --help prints $opt, man/ward.1 does not have it"
        n_opts=$((n_opts + 1))
    done
done
[ "$n_opts" -gt 80 ] || fail "only $n_opts options found in the help texts"
"$PREFIX/bin/ward" --help | grep -qE -- '^  --version ' || fail "ward --help does not list --version"
# every public function is named in libward.3
n_fns=0
for fn in $(sed -n 's/^WARD_API [^(]*[ *]\(ward_[a-z0-9_]*\)(.*/\1/p' \
    "$PREFIX/include/ward/ward.h" "$PREFIX/include/ward/starttls.h" "$PREFIX/include/ward/trace.h"); do
    grep -qE "(^|[^a-z0-9_])$fn([^a-z0-9_]|\$)" "$MAN3" || fail "libward.3 does not name $fn (ward.h declares it)"
    n_fns=$((n_fns + 1))
done
[ "$n_fns" -gt 80 ] || fail "only $n_fns WARD_API functions found in the headers"
ok "man pages: ward.1 and libward.3 installed, no groff warning, version $VERSION, $n_opts --help options in ward.1, $n_fns functions in libward.3"

# ---- only ward_* exported (docs/ABI.md) ----
# nm -g: global symbols; the shared library's version node (WARD_0, an
# absolute symbol) is not a function or object.
stray=$(nm -g --defined-only "$LIBDIR/libward.a" | awk 'NF == 3 && $3 !~ /^ward_/ {print $3}')
[ -z "$stray" ] || fail "libward.a exports non-ward_ names: $(echo "$stray" | head -n 5 | tr '\n' ' ')"
stray=$(nm -D --defined-only "$LIBDIR/libward.so.$VERSION" |
    awk 'NF == 3 && $2 != "A" && $3 !~ /^ward_/ {print $3}')
[ -z "$stray" ] || fail "libward.so exports non-ward_ names: $(echo "$stray" | head -n 5 | tr '\n' ' ')"
n_exported=$(nm -D --defined-only "$LIBDIR/libward.so.$VERSION" | grep -c ' ward_[a-z0-9_]*@@WARD_0$')
[ "$n_exported" -gt 50 ] || fail "libward.so: only $n_exported ward_* symbols under version WARD_0"
ok "only ward_* global in libward.a and libward.so ($n_exported symbols, version node WARD_0)"

# libsodium has a crypto_sign too: each program's call must reach its own.
$CC -Wall -Wextra -Werror $EX_FLAGS -I"$PREFIX/include" "$SRC/tests/install/sodium_beside_ward.c" \
    -o "$WORK/sodium_beside_ward" -L"$LIBDIR" -Wl,-Bstatic -lward -Wl,-Bdynamic -lsodium \
    $(PKG_CONFIG_PATH="$LIBDIR/pkgconfig" pkg-config --static --libs-only-l ward | sed 's/-lward//') $EX_FLAGS \
    >"$WORK/sodium-build.log" 2>&1 || fail "sodium_beside_ward: build failed: $(tail -n 5 "$WORK/sodium-build.log")"
"$WORK/sodium_beside_ward" >"$WORK/sodium.out" 2>&1 ||
    fail "libward.a beside libsodium: $(cat "$WORK/sodium.out")"
assert_contains "$WORK/sodium.out" "libsodium crypto_sign ok; ward handshake ok"
ok "libward.a beside libsodium: both crypto_sign calls reach their own library"

# ---- one version everywhere ----
tool_version=$("$PREFIX/bin/ward" --version)
[ "$tool_version" = "ward $VERSION" ] || fail "ward --version says '$tool_version', not 'ward $VERSION'"
export PKG_CONFIG_PATH="$LIBDIR/pkgconfig"
pc_version=$(pkg-config --modversion ward)
[ "$pc_version" = "$VERSION" ] || fail "pkg-config --modversion ward says '$pc_version', not $VERSION"
grep -q "^#define WARD_VERSION_STRING \"$VERSION\"" "$PREFIX/include/ward/version.h" ||
    fail "installed version.h does not define WARD_VERSION_STRING \"$VERSION\""
ok "version $VERSION: ward --version, pkg-config --modversion, version.h"
pkg-config --static --libs ward | grep -q -- '-lcrypto' ||
    fail "pkg-config --static --libs ward lacks -lcrypto: $(pkg-config --static --libs ward)"

# ---- the page the examples fetch ----
mkdir -p "$WORK/www"
make_text "$WORK/www/page.txt" 20000
cd "$WORK/www" || fail "no $WORK/www" # -WWW serves files from its working directory
start_openssl_server www -WWW -cert "$PKI/ecdsa.pem" -key "$PKI/ecdsa.key"
cd "$WORK" || fail "no $WORK"

# ---- the four builds ----
# build_example NAME KIND: KIND is pc, pc-static, cmake or cmake-static;
# leaves the program in $WORK/NAME/https_get.
build_example() {
    local name=$1 kind=$2 dir="$WORK/$1"
    mkdir -p "$dir"
    case $kind in
    pc | pc-static)
        cp "$SRC/examples/c/https_get.c" "$SRC/examples/c/Makefile" "$dir/"
        local static=""
        [ "$kind" = pc-static ] && static=STATIC=1
        (cd "$dir" && CFLAGS="-O1 -g -Wall -Wextra -Werror $EX_FLAGS" LDFLAGS="$EX_FLAGS" \
            make $static https_get) >"$WORK/$name-build.log" 2>&1 ||
            fail "$name: make failed: $(tail -n 10 "$WORK/$name-build.log")"
        ;;
    cmake | cmake-static)
        local static=OFF
        [ "$kind" = cmake-static ] && static=ON
        CFLAGS="$EX_FLAGS" LDFLAGS="$EX_FLAGS" cmake -S "$SRC/examples/c" -B "$dir" \
            -DCMAKE_PREFIX_PATH="$PREFIX" -DWARD_STATIC=$static \
            -DCMAKE_C_FLAGS_INIT="-Wall -Wextra -Werror" \
            >"$WORK/$name-build.log" 2>&1 &&
            cmake --build "$dir" -j1 --target https_get >>"$WORK/$name-build.log" 2>&1 ||
            fail "$name: cmake build failed: $(tail -n 10 "$WORK/$name-build.log")"
        ;;
    esac
    [ -x "$dir/https_get" ] || fail "$name: no https_get built"
}

# check_linkage NAME shared|static: a shared build loads the prefix's
# libward.so.0 (RPATH, no LD_LIBRARY_PATH); a static one needs none.
check_linkage() {
    local bin="$WORK/$1/https_get"
    if [ "$2" = shared ]; then
        readelf -d "$bin" | grep -q 'NEEDED.*\[libward\.so\.0\]' || fail "$1: libward.so.0 not NEEDED"
        ldd "$bin" >"$WORK/$1-ldd.log" 2>&1 || true
        grep -q "libward\.so\.0 => $LIBDIR/libward\.so\.0 " "$WORK/$1-ldd.log" ||
            fail "$1: libward.so.0 does not resolve to the prefix: $(grep libward "$WORK/$1-ldd.log")"
    else
        if readelf -d "$bin" | grep -q 'NEEDED.*libward'; then
            fail "$1: the static build needs libward.so"
        fi
        readelf -d "$bin" | grep -q 'NEEDED.*libcrypto' || fail "$1: libcrypto not linked"
    fi
}

# fetch NAME: GET /page.txt through the example; the body must be the file.
fetch() {
    local name=$1 rc=0
    timeout 30 "$WORK/$name/https_get" localhost "$SERVER_PORT" "$PKI/ca.pem" /page.txt \
        >"$WORK/$name.out" 2>"$WORK/$name.log" || rc=$?
    [ "$rc" -eq 0 ] || fail "$name: https_get exited $rc: $(cat "$WORK/$name.log")"
    assert_same "$WORK/www/page.txt" "$WORK/$name.out" "$name: body"
    assert_contains "$WORK/$name.log" "libward $VERSION (headers $VERSION)" "$name: version line"
}

for spec in pc:pc:shared pc-static:pc-static:static cmake:cmake:shared \
    cmake-static:cmake-static:static; do
    IFS=: read -r name kind link <<<"$spec"
    build_example "$name" "$kind"
    check_linkage "$name" "$link"
    fetch "$name"
    ok "$name ($kind): built, $link linkage, body of $(stat -c %s "$WORK/www/page.txt") bytes fetched"
done

# a wrong CA must fail the handshake, not print a page
rc=0
timeout 30 "$WORK/pc/https_get" localhost "$SERVER_PORT" "$PKI/other-ca.pem" /page.txt \
    >"$WORK/badca.out" 2>"$WORK/badca.log" || rc=$?
[ "$rc" -ne 0 ] || fail "https_get accepted a server its CA file does not vouch for"
[ ! -s "$WORK/badca.out" ] || fail "https_get printed a body with the wrong CA"
assert_contains "$WORK/badca.log" "handshake"
ok "https_get with the wrong CA: refused ($(tail -n 1 "$WORK/badca.log"))"

done_all
