#!/usr/bin/env bash
# install-deps.sh [build|test|bench]: install what ward needs from Debian's
# packages, only what is missing (checked with dpkg -s). "build": the
# compiler, CMake, OpenSSL headers. "test": also the interop peers (among them the
# mail, FTP, news, LDAP, XMPP and database servers of the STARTTLS tests) and the
# sanitizer toolchain, libsodium (linked beside libward.a by test_install),
# the 32-bit build's compiler support, i386 libcrypto and qemu-user to run
# its unit tests (a machine without __int128; the i386 architecture is
# added to dpkg when missing), the GnuTLS headers CI's benchmark smoke run
# builds with, doxygen and groff (test_doc, test_install check the docs),
# and Node.js with the npm package the ML-KEM cross-check runs
# (tests/pq-xcheck: @noble/post-quantum at the version its package-lock.json
# pins, installed with `npm ci` into tests/pq-xcheck/node_modules). "bench": the GnuTLS headers the benchmark links,
# valgrind for its instruction counts, and for the tunnel's benchmark
# (bench/tunnel/run.sh) stunnel4, HAProxy, wrk and nginx. Runs apt-get update once, and only when something
# is missing. Needs root (or sudo) only then.
set -euo pipefail

what=${1:-build}
pkgs=(build-essential cmake libssl-dev pkg-config)
case $what in
build) ;;
test) pkgs+=(openssl gnutls-bin clang valgrind python3 python3-jsonschema curl chromium tshark tcpdump
    libgnutls28-dev nodejs nginx
    dovecot-imapd dovecot-pop3d dovecot-managesieved dovecot-lmtpd postfix vsftpd inn2
    postgresql mariadb-server slapd ldap-utils xxd prosody libsodium-dev doxygen groff-base
    gcc-multilib libssl-dev:i386 qemu-user) ;;
bench) pkgs+=(libgnutls28-dev valgrind stunnel4 haproxy wrk nginx openssl python3) ;;
*)
    echo "usage: $0 [build|test|bench]" >&2
    exit 2
    ;;
esac

if ! command -v dpkg >/dev/null 2>&1 || ! command -v apt-get >/dev/null 2>&1; then
    echo "install-deps: not a Debian-like system; install by hand: ${pkgs[*]}" >&2
    exit 0
fi

# npm ships with some Node.js builds and is Debian's own package otherwise:
# ask for the package only where there is no npm at all.
if [ "$what" = test ] && ! command -v npm >/dev/null 2>&1; then
    pkgs+=(npm)
fi

# The npm packages of the test mode, after the Debian ones.
npm_deps() {
    [ "$what" = test ] || return 0
    local dir
    dir="$(cd "$(dirname "$0")/.." && pwd)/tests/pq-xcheck"
    if [ -f "$dir/node_modules/@noble/post-quantum/package.json" ] &&
        [ "$dir/node_modules/.package-lock.json" -nt "$dir/package-lock.json" ]; then
        echo "install-deps: npm packages present ($dir)"
        return 0
    fi
    echo "install-deps: npm ci in $dir"
    npm ci --prefix "$dir" --no-audit --no-fund
}

# inn2's post-installation script fails when the host name has no domain
# (innconfval cannot make Message-IDs): if that is what stopped apt-get,
# give inn.conf a domain and finish the configuration. The STARTTLS tests
# run nnrpd from a private inn.conf, so the name only has to be valid.
inn2_domain() {
    # only an inn2 unpacked but left unconfigured; any other failure stands
    dpkg-query -W -f='${Status}' inn2 2>/dev/null | grep -qE 'half-configured|unpacked' || return 1
    [ -f /etc/news/inn.conf ] || return 1
    if ! grep -qE '^domain:[[:space:]]*[^[:space:]]' /etc/news/inn.conf; then
        echo "install-deps: inn2: setting 'domain: localdomain' in /etc/news/inn.conf"
        "${sudo[@]}" sed -i 's/^#[[:space:]]*domain:.*/domain: localdomain/' /etc/news/inn.conf
    fi
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive dpkg --configure -a
}

missing=()
for p in "${pkgs[@]}"; do
    dpkg -s "$p" 2>/dev/null | grep -q '^Status: install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
    echo "install-deps: all present (${pkgs[*]})"
    npm_deps
    exit 0
fi

sudo=()
if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 || {
        echo "install-deps: missing ${missing[*]}; run as root or install sudo" >&2
        exit 1
    }
    sudo=(sudo)
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# Packages of another architecture (libssl-dev:i386) need it in dpkg first.
for p in "${missing[@]}"; do
    case $p in
    *:i386)
        dpkg --print-foreign-architectures | grep -qx i386 ||
            "${sudo[@]}" dpkg --add-architecture i386
        ;;
    esac
done
# env: sudo drops the environment, and wireshark-common (tshark) asks a
# debconf question unless the frontend is non-interactive.
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}" ||
    inn2_domain
npm_deps
