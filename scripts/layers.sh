#!/usr/bin/env bash
# layers.sh: the dependency graph between the folders of src/ (and tools/ward),
# checked against the layer order of docs/ARCHITECTURE.md: every arrow points
# down.  Lowest first:
#   base < crypto < record < msg < trace < hs < conn < io
#   starttls may use base only; tools/ward only the public API (include/ward).
#
#   scripts/layers.sh [BUILD_DIR]
#
# Without BUILD_DIR only #include lines are read: "conn/x.h" is folder conn,
# "x.h" the including file's own folder, "ward/..." the public API (allowed
# everywhere).  With BUILD_DIR the calls are read too, from the object files
# CMake left there (nm: a symbol undefined in a.o and defined in b.o is an
# arrow a -> b), at folder level and, inside src/hs and src/crypto, at file
# level, where no two files may depend on each other (no cycle).  The tool may
# only call what libward exports.
# Prints the graphs (arrows with counts); exits 1 after listing each violation.
set -euo pipefail
cd "$(dirname "$0")/.."

build=${1:-}
order="base crypto record msg trace hs conn io starttls tools"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
: >"$tmp/violations"

# rank and allowed targets of each folder, as an awk prelude.
awk_rules='
function setup() {
    n = split("base crypto record msg trace hs conn io", o, " ")
    for (i = 1; i <= n; i++) rank[o[i]] = i
}
# ok(a, b): may folder a use folder b?
function ok(a, b) {
    if (a == b) return 1
    if (a == "starttls") return b == "base"
    if (a == "tools") return b == "public"
    if (a == "public") return 0
    if (!(a in rank) || !(b in rank)) return 0
    return rank[b] < rank[a]
}'

# ---- reading (a): #include lines ----------------------------------------
# One line per include of another folder: from-folder to-folder file:line.
find src tools/ward include/ward -name '*.[ch]' | sort |
    xargs grep -Hn '^[[:space:]]*#[[:space:]]*include[[:space:]]*["<][a-z_0-9]*/' |
    awk -v order=" $order " '{
        split($0, p, ":"); f = p[1]; line = p[2]
        if (f ~ /^src\//) { from = substr(f, 5); sub(/\/.*/, "", from) }
        else if (f ~ /^tools\//) from = "tools"; else from = "public"
        to = $0; sub(/^[^"<]*["<]/, "", to); sub(/\/.*/, "", to)
        if (to == "ward" || to == from) next          # public API: allowed everywhere
        if (index(order, " " to " ") == 0) next         # <sys/x.h>, <openssl/x.h>
        print from, to, f ":" line
    }' >"$tmp/includes"

graph() { # $1 = title, stdin: "from to detail" lines; prints arrows, records violations
    local title=$1
    awk -v title="$title" -v vfile="$tmp/violations" "$awk_rules"'
    BEGIN { setup() }
    { k = $1 " -> " $2; cnt[k]++; if (!(k in ex)) ex[k] = $3; else if (cnt[k] <= 3) ex[k] = ex[k] ", " $3
      a[k] = $1; b[k] = $2 }
    END {
        printf "%s\n", title
        if (length(cnt) == 0) print "  (no arrows)"
        for (k in cnt) {
            bad = !ok(a[k], b[k])
            printf "  %-22s %5d%s\n", k, cnt[k], (bad ? "   <-- VIOLATION" : "") | "sort"
            if (bad) printf "%s: %s (%d): %s%s\n", title, k, cnt[k], ex[k], (cnt[k] > 3 ? ", ..." : "") >> vfile
        }
        close("sort")
    }'
}

graph "includes (folder graph)" <"$tmp/includes"

# ---- reading (b): calls, from the object files ----------------------------
if [ -n "$build" ]; then
    objs=$(find "$build" -path '*/ward_objects.dir/src/*.o' -o \
        -path '*/ward_toolcore.dir/tools/ward/*.o' -o \
        -path '*/ward.dir/tools/ward/*.o' | sort)
    if [ -z "$objs" ]; then
        echo "layers.sh: no object files of ward_objects under $build (build it first)" >&2
        exit 2
    fi
    # "object symbol D|U", object named by its source: src/hs/server.c
    # shellcheck disable=SC2086
    nm -A -g $objs | awk '{
        f = $1; sub(/:.*/, "", f); sub(/^.*\.dir\//, "", f); sub(/\.o$/, "", f)
        if ($2 == "U") print f, $3, "U"
        else if (NF == 3 && $2 ~ /^[TDBRCVWGS]$/) print f, $3, "D" }' >"$tmp/syms"
    # Every (user file, definer file, symbol) link.
    awk '$3 == "D" { def[$2] = $1; next } { use[NR] = $1 " " $2 }
         END { for (i in use) { split(use[i], u, " "); if (u[2] in def && def[u[2]] != u[1]) print u[1], def[u[2]], u[2] } }' \
        "$tmp/syms" "$tmp/syms" | sort -u >"$tmp/links"

    # Folder level.  The tool's arrows are judged by what libward exports.
    exported=$(find "$build" -maxdepth 1 -name 'libward.so*' -type f | head -1)
    if [ -n "$exported" ]; then nm -D --defined-only "$exported" | awk '{sub(/@.*/, "", $3); print $3}' | sort -u >"$tmp/exported"
    else : >"$tmp/exported"; fi
    awk 'FNR == NR { pub[$1] = 1; next }
         { fa = $1; fb = $2
           sub(/^src\//, "", fa); sub(/^tools\/ward\/.*/, "tools", fa); sub(/\/.*/, "", fa)
           sub(/^src\//, "", fb); sub(/^tools\/ward\/.*/, "tools", fb); sub(/\/.*/, "", fb)
           if (fa == fb) next
           if (fa == "tools") fb = ($3 in pub) ? "public" : fb "(unexported)"
           print fa, fb, $1 ":" $3 }' "$tmp/exported" "$tmp/links" >"$tmp/calls"
    [ -s "$tmp/exported" ] || echo "(no libward.so in $build: every call of the tool into src/ counts as a violation)"
    echo
    graph "calls (folder graph, $build)" <"$tmp/calls"

    # File level inside src/hs and src/crypto: arrows and cycles.
    for d in hs crypto; do
        awk -v d="src/$d/" 'index($1, d) == 1 && index($2, d) == 1 {
                a = substr($1, length(d) + 1); b = substr($2, length(d) + 1); print a, b, $3 }' \
            "$tmp/links" >"$tmp/files_$d"
        echo
        echo "calls between files of src/$d (from -> to: symbols)"
        awk '{ k = $1 " -> " $2; n[k]++; s[k] = n[k] == 1 ? $3 : s[k] " " $3 }
             END { for (k in n) printf "  %-40s %3d  %s\n", k, n[k], (n[k] > 4 ? "" : s[k]) | "sort"; close("sort") }' \
            "$tmp/files_$d"
        # Cycles: strongly connected parts of the file graph, from the
        # transitive closure (a few dozen files: cubic is nothing).
        awk -v d="$d" -v vfile="$tmp/violations" '
            { if (!($1 in id)) { id[$1] = ++n; name[n] = $1 }
              if (!($2 in id)) { id[$2] = ++n; name[n] = $2 }
              r[id[$1], id[$2]] = 1; e[id[$1], id[$2]] = e[id[$1], id[$2]] " " $3 }
            END {
                for (k = 1; k <= n; k++) for (i = 1; i <= n; i++) if (r[i, k])
                    for (j = 1; j <= n; j++) if (r[k, j]) r[i, j] = 1
                for (i = 1; i <= n; i++) {
                    if (done[i] || !r[i, i]) continue
                    m = ""
                    for (j = 1; j <= n; j++) if (r[i, j] && r[j, i]) { done[j] = 1; m = m " " name[j] }
                    pairs = ""
                    for (a = 1; a <= n; a++) for (b = a + 1; b <= n; b++)
                        if ((a, b) in e && (b, a) in e) pairs = pairs " " name[a] "<->" name[b]
                    printf "file cycle in src/%s (its arrows: the file graph above):%s\n  mutual pairs:%s\n", d, m, pairs >> vfile
                }
            }' "$tmp/files_$d"
    done
fi

echo
if [ -s "$tmp/violations" ]; then
    echo "VIOLATIONS ($(grep -c '^[^ ]' "$tmp/violations")):"
    sed 's/^/  /' "$tmp/violations"
    exit 1
fi
echo "layers: every arrow points down"
