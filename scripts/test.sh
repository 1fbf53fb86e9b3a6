#!/usr/bin/env bash
# test.sh: everything CI runs. Installs what is missing (build tools and the
# interop peers), builds with warnings as errors, checks the shape of the
# code (scripts/layers.sh: every dependency points down; must-check.sh;
# long-functions.sh) and runs every test, then builds again with clang +
# AddressSanitizer/UBSan and runs every test there too, then a 32-bit build
# whose unit tests run under qemu-i386, then the fuzz targets. Exits
# non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."

jobs=$(nproc 2>/dev/null || echo 2)
step() { printf '\n==== %s\n' "$*"; }

step "dependencies"
./scripts/install-deps.sh test

step "build (gcc, -Werror) in build/"
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DWARD_WERROR=ON
cmake --build build -j "$jobs"

step "the layers: every arrow points down, no cycle between files of src/hs or src/crypto"
./scripts/layers.sh build

step "every function returning a wres is marked WARD_MUST_CHECK"
./scripts/must-check.sh src

step "no function in tools/ over 80 lines"
./scripts/long-functions.sh tools 80

step "tests in build/"
(cd build && ctest --output-on-failure -j "$((jobs * 2))")

step "benchmark: builds, and one short run writes every measure (nothing judged by time)"
cmake --build build --target ward_bench -j "$jobs"
./build/bench/ward_bench --rounds 1 --seconds 0.05 build/bench-smoke.json >build/bench-smoke.txt
python3 scripts/check-bench-json.py build/bench-smoke.json

step "build (clang, ASan + UBSan, -Werror) in build-asan/"
CC=clang cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DWARD_SANITIZE=ON -DWARD_WERROR=ON
cmake --build build-asan -j "$jobs"

step "tests in build-asan/"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:strict_string_checks=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
(cd build-asan && ctest --output-on-failure -j "$((jobs * 2))")

step "32-bit build (gcc -m32: no __int128) in build-m32/, its unit tests under qemu-i386"
unset ASAN_OPTIONS UBSAN_OPTIONS
cmake -S . -B build-m32 -DCMAKE_TOOLCHAIN_FILE=cmake/i386-linux-gnu.cmake \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo -DWARD_WERROR=ON
cmake --build build-m32 -j "$jobs"
(cd build-m32 && ctest --output-on-failure -j "$jobs" -R '^unit_')

step "fuzz targets (clang, libFuzzer + ASan + UBSan) in build-fuzz/"
CC=clang cmake -S . -B build-fuzz -DWARD_FUZZ=ON
cmake --build build-fuzz --target fuzz_all -j "$jobs"

step "fuzzing: replay every corpus, then each target for 30 s"
WARD_FUZZ_BUILD=build-fuzz tests/fuzz/run.sh replay
WARD_FUZZ_BUILD=build-fuzz tests/fuzz/run.sh fuzz 30

step "all tests passed (normal and sanitizer builds, fuzz corpora)"
