#!/usr/bin/env bash
# long-functions.sh DIR MAX: list the functions in DIR's .c files (and its
# subdirectories') longer than MAX lines, longest first; exit 1 if any.
#
# A function is counted the way our code is laid out: its opening brace
# alone on a line at column 0, its closing brace alone at column 0, the
# name before the first "(" of the signature above the brace. Its length is
# the lines from the first line of the signature to the closing brace.
# Braces inside the body are indented, so nothing in between is mistaken
# for the end.
set -euo pipefail
if [ $# -ne 2 ] || ! [ -d "$1" ] || ! [[ "$2" =~ ^[0-9]+$ ]]; then
    echo "usage: $0 DIR MAX" >&2
    exit 2
fi
dir=$1 max=$2

mapfile -t files < <(find "$dir" -name '*.c' -type f | LC_ALL=C sort)
[ ${#files[@]} -gt 0 ] || { echo "long-functions: no .c files in $dir" >&2; exit 2; }

awk -v max="$max" '
FNR == 1 { sig = 0; inbody = 0 }
# The signature starts at a line at column 0 that is not a brace, comment,
# preprocessor line or blank; a blank or ";"-ended line ends a candidate.
!inbody && /^[A-Za-z_]/ && !/;[ \t]*$/ { if (!sig) { sig = FNR; text = "" } text = text " " $0; next }
!inbody && sig && /^[ \t]+[^ \t]/ && !/^\{/ { text = text " " $0; next }
!inbody && /^\{[ \t]*$/ && sig {
    inbody = 1; start = sig
    name = text; sub(/\(.*/, "", name); n = split(name, w, /[ \t*]+/); name = w[n]
    next
}
!inbody { sig = 0; next }
inbody && /^\}/ {
    len = FNR - start + 1
    if (len > max) printf "%d\t%s:%d\t%s\n", len, FILENAME, start, name
    inbody = 0; sig = 0
}
' "${files[@]}" | sort -t$'\t' -k1,1nr >"${TMPDIR:-/tmp}/long-functions.$$" || true

out="${TMPDIR:-/tmp}/long-functions.$$"
trap 'rm -f "$out"' EXIT
if [ -s "$out" ]; then
    echo "functions longer than $max lines in $dir (lines, where, name):"
    cat "$out"
    exit 1
fi
echo "no function in $dir is longer than $max lines (${#files[@]} files)"
