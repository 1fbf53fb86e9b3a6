#!/usr/bin/env bash
# Instructions per handshake for ward, OpenSSL and GnuTLS, counted by
# callgrind, per side. ward_bench --instr runs COUNT handshakes (object
# creation and free included) after two uncounted warm-up handshakes;
# with --side, callgrind collects only inside that side's library calls
# (callgrind client requests toggle collection around them; valgrind runs
# with --collect-atstart=no). client + server = the whole handshake.
# Instruction counts do not depend on the load of the machine, unlike the
# timings of ward_bench. The "floor" is the libcrypto primitives of one
# TLS 1.3 ECDSA-P256 x25519 server handshake (bench/floor.c).
#
# usage: bench/instr.sh [WARD_BENCH] [COUNT]
#   WARD_BENCH  the ward_bench executable (default build-bench/bench/ward_bench)
#   COUNT       handshakes per library and side (default 50)
# environment:
#   WORKLOADS     default "tls13_full_ecdsa tls13_full_rsa2048"; also
#                 tls12_full_ecdsa tls13_resumed tls12_resumed, and
#                 bulk_aes128gcm_16k ... (COUNT records; "per handshake"
#                 then reads "per record")
#   CALLGRIND_DIR where the callgrind files stay, for callgrind_annotate
#                 (default: callgrind/ next to WARD_BENCH)
set -euo pipefail

bin=${1:-build-bench/bench/ward_bench}
count=${2:-50}
workloads=${WORKLOADS:-"tls13_full_ecdsa tls13_full_rsa2048"}
libs="ward openssl gnutls"

if [[ ! -x $bin ]]; then
    echo "instr.sh: $bin is not an executable (build the ward_bench target)" >&2
    exit 2
fi
if ! command -v valgrind >/dev/null; then
    echo "instr.sh: valgrind is not installed" >&2
    exit 2
fi
outdir=${CALLGRIND_DIR:-$(dirname "$bin")/callgrind}
mkdir -p "$outdir"

# One PKI for every run, made natively (RSA key generation under valgrind
# would take a minute).
pki="$outdir/pki"
rm -rf "$pki"
mkdir -p "$pki"
"$bin" --make-pki "$pki"

# Collected instructions of one callgrind output file.
total_of() {
    awk '/^(totals|summary):/ { print $2; exit }' "$1"
}

# instructions per unit for workload $1, library $2, side $3; "null" when
# the library cannot run it (yet).
count_one() {
    local out="$outdir/$1.$2.$3.out"
    rm -f "$out"
    if valgrind --tool=callgrind --collect-atstart=no --callgrind-out-file="$out" \
        "$bin" --pki "$pki" --instr "$1" --lib "$2" --side "$3" --count "$count" \
        >"$outdir/$1.$2.$3.log" 2>&1 && [[ -s $out ]]; then
        echo $(( $(total_of "$out") / count ))
    else
        echo null
    fi
}

ratio() {
    if [[ $1 != null && $2 != null && $2 -gt 0 ]]; then
        awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'
    else
        printf -- '-'
    fi
}

row() { # label side ward openssl gnutls floor
    printf '%-20s %-7s %14s %14s %14s %12s %8s %8s\n' "$1" "$2" "$3" "$4" "$5" "$6" \
        "$(ratio "$3" "$4")" "$(ratio "$3" "$5")"
}

floor=$(count_one floor_server_hs ward server)

printf '%-20s %-7s %14s %14s %14s %12s %8s %8s\n' "instructions" side ward openssl gnutls \
    floor w/ossl w/gnutls
for w in $workloads; do
    declare -A n=()
    for lib in $libs; do
        for side in server client; do
            n[$lib.$side]=$(count_one "$w" "$lib" "$side")
        done
        if [[ ${n[$lib.server]} != null && ${n[$lib.client]} != null ]]; then
            n[$lib.total]=$(( n[$lib.server] + n[$lib.client] ))
        else
            n[$lib.total]=null
        fi
    done
    for side in server client total; do
        f=-
        [[ $w == tls13_full_ecdsa && $side == server ]] && f=$floor
        row "$w" "$side" "${n[ward.$side]}" "${n[openssl.$side]}" "${n[gnutls.$side]}" "$f"
    done
    unset n
done
echo
echo "per handshake ($count handshakes per library and side; bulk_*: per record, the"
echo "client sends and the server receives). callgrind files: $outdir"
echo "top functions: callgrind_annotate --inclusive=yes $outdir/tls13_full_ecdsa.ward.server.out"
