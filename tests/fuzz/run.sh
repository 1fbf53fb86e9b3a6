#!/usr/bin/env bash
# Replay or run the libFuzzer targets.
#
#   tests/fuzz/run.sh replay [SECONDS]          replay every corpus once (-runs=0)
#   tests/fuzz/run.sh fuzz SECONDS [--merge] [TARGET...]
#       run each target for SECONDS (-max_total_time), one after another;
#       with --merge, inputs that add coverage are merged (-merge=1) into
#       tests/fuzz/corpus/<target>/ (otherwise they stay in a scratch dir)
#
# Environment: WARD_FUZZ_BUILD, the WARD_FUZZ=ON build directory (default
# build-fuzz in the repository). Crash inputs land in
# $WARD_FUZZ_BUILD/fuzz-artifacts/; the script exits 1 if any target
# crashed or a replay failed. A crash input, once minimized
# (TARGET -minimize_crash=1 -runs=10000 FILE), goes into the target's corpus
# as a regression input.
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${WARD_FUZZ_BUILD:-$root/build-fuzz}
bin=$build/tests/fuzz
corpus=$here/corpus
all="fuzz_record_open fuzz_msg_decoders fuzz_cert_chain fuzz_server fuzz_client fuzz_session fuzz_x25519 fuzz_mlkem fuzz_starttls_client fuzz_starttls_server fuzz_tunnel_config fuzz_tunnel_stt fuzz_trace_decode fuzz_trace_svg fuzz_config_mem"
mode=${1:-}
secs=${2:-60}
[ $# -ge 2 ] && shift 2 || shift $#
merge=0
targets=""
for a in "$@"; do
    case $a in
    --merge) merge=1 ;;
    *) targets="$targets $a" ;;
    esac
done
targets=${targets:-$all}
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
status=0
for t in $targets; do
    [ -x "$bin/$t" ] || { echo "run.sh: $bin/$t missing (build with -DWARD_FUZZ=ON)"; exit 2; }
done
case $mode in
replay)
    for t in $targets; do
        n=$(ls "$corpus/$t" | wc -l)
        if "$bin/$t" -runs=0 "$corpus/$t" >"$build/replay-$t.log" 2>&1; then
            echo "replay $t: $n inputs ok ($(grep -o 'cov: [0-9]* ft: [0-9]*' "$build/replay-$t.log" | tail -1))"
        else
            echo "replay $t: FAILED"; tail -40 "$build/replay-$t.log"; status=1
        fi
    done
    ;;
fuzz)
    art=$build/fuzz-artifacts
    mkdir -p "$art"
    for t in $targets; do
        work=$(mktemp -d "$build/fuzz-work-$t.XXXXXX")
        log=$build/fuzz-$t.log
        "$bin/$t" -max_total_time="$secs" -print_final_stats=1 -timeout=10 -rss_limit_mb=2048 \
            -artifact_prefix="$art/$t-" "$work" "$corpus/$t" >"$log" 2>&1
        rc=$?
        runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$')
        cov=$(grep -o 'cov: [0-9]* ft: [0-9]*' "$log" | tail -1)
        if [ $rc -ne 0 ]; then
            echo "fuzz $t: CRASH after ${runs:-?} runs; see $log and $art/"
            grep -m1 -A25 'ERROR\|runtime error\|deadly signal' "$log"
            status=1
        else
            echo "fuzz $t: ${secs}s, ${runs:-?} runs, $cov, new inputs: $(ls "$work" | wc -l)"
        fi
        if [ $merge = 1 ]; then
            "$bin/$t" -merge=1 "$corpus/$t" "$work" >"$build/merge-$t.log" 2>&1 &&
                echo "  merged into $corpus/$t ($(ls "$corpus/$t" | wc -l) files)"
        fi
        rm -rf "$work"
    done
    ;;
*)
    sed -n 2,16p "$0"; exit 2 ;;
esac
exit $status
