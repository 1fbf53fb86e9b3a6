#!/usr/bin/env bash
# run.sh MLKEM_VECTORS [COUNT]: ward's ML-KEM against @noble/post-quantum
# (ctest xcheck_mlkem_noble). Fails, never skips, when node or the package
# is missing: scripts/install-deps.sh test installs both.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
vectors=${1:?usage: run.sh MLKEM_VECTORS [COUNT]}
count=${2:-25}
command -v node >/dev/null 2>&1 ||
    { echo "xcheck: FAIL: node is not installed (scripts/install-deps.sh test)" >&2; exit 1; }
[ -f "$here/node_modules/@noble/post-quantum/ml-kem.js" ] ||
    { echo "xcheck: FAIL: @noble/post-quantum is not installed in $here/node_modules (scripts/install-deps.sh test)" >&2; exit 1; }
out=$(mktemp "${TMPDIR:-/tmp}/ward-xcheck.XXXXXX")
trap 'rm -f "$out"' EXIT
"$vectors" "$count" >"$out"
node "$here/xcheck.mjs" "$count" <"$out"
