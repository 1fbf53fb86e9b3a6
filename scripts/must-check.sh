#!/usr/bin/env bash
# must-check.sh: every function that returns a wres carries WARD_MUST_CHECK
# (src/base/result.h: warn_unused_result), so the compiler refuses a result
# dropped by mistake; a result dropped on purpose goes through wres_ignore().
#
#   scripts/must-check.sh [--fix] [PATH...]      (default: src include tools)
#
# Lists each declaration or definition of a wres function that lacks the
# attribute, as FILE:LINE: name, and exits 1 if there is any. A definition
# is covered by a prototype that has it (in a header for an external
# function, earlier in its file for a static one). --fix inserts
# "WARD_MUST_CHECK " before "wres" on each such line (realigning the
# parameter lines below it) and then lists what is left (nothing, unless a
# declaration is written in a shape it does not know). Function pointers
# are not checked: the attribute does not apply to them.
set -euo pipefail
cd "$(dirname "$0")/.."

fix=0
if [ "${1:-}" = --fix ]; then
    fix=1
    shift
fi
[ $# -gt 0 ] || set -- src include tools

exec python3 - "$fix" "$@" <<'EOF'
import os, re, sys

fix = sys.argv[1] == "1"
roots = sys.argv[2:]
ATTR = "WARD_MUST_CHECK"

def files_under(paths):
    out = []
    for p in paths:
        if os.path.isfile(p):
            out.append(p)
        for d, _, names in os.walk(p):
            out += [os.path.join(d, n) for n in names if n.endswith((".c", ".h"))]
    return sorted(set(out))

def blank_comments(s):
    """The text with comments and the insides of strings and character
    literals turned into spaces (newlines kept): offsets and line numbers
    still match."""
    out, i, n = list(s), 0, len(s)
    while i < n:
        c = s[i]
        if s.startswith("/*", i):
            j = s.find("*/", i + 2)
            j = n if j < 0 else j + 2
            a, b = i, j
        elif s.startswith("//", i):
            j = s.find("\n", i)
            j = n if j < 0 else j
            a, b = i, j
        elif c in "\"'":
            j = i + 1
            while j < n and s[j] != c and s[j] != "\n":
                j += 2 if s[j] == "\\" else 1
            j = min(j + 1, n)
            a, b = i + 1, j - 1
        else:
            i += 1
            continue
        for k in range(a, b):
            if out[k] != "\n":
                out[k] = " "
        i = j
    return "".join(out)

# A declaration or definition at the start of a line: specifiers, "wres",
# the name, "(".
DECL = re.compile(r"(?m)^([ \t]*)((?:(?:static|inline|extern|" + ATTR +
                  r"|__attribute__\s*\(\([^)]*\)\))[ \t]+)*)wres[ \t]+(\w+)[ \t]*\(")

def scan(path):
    text = open(path, encoding="utf-8").read()
    code = blank_comments(text)
    found = []
    for m in DECL.finditer(code):
        # the matching ")" and what follows it: "{" definition, ";" prototype
        depth, j = 1, m.end()
        while j < len(code) and depth:
            depth += {"(": 1, ")": -1}.get(code[j], 0)
            j += 1
        rest = code[j:].lstrip()
        if not rest or rest[0] not in "{;":
            continue
        line = code.count("\n", 0, m.start()) + 1
        specs = m.group(2).split()
        prev = code[:m.start()].rstrip().rsplit("\n", 1)[-1].strip()
        found.append({
            "file": path, "line": line, "name": m.group(3),
            "static": "static" in specs, "defn": rest[0] == "{",
            "attr": ATTR in m.group(2) or prev.endswith(ATTR),
            "start": m.start(), "wres_at": m.start() + len(m.group(1)) + len(m.group(2)),
            "close": j,
        })
    return text, found

def missing(paths, all_headers):
    """Entries of the files in paths that lack the attribute."""
    covered_ext = set()
    for h in all_headers:
        for d in scan(h)[1]:
            if d["attr"] and not d["static"]:
                covered_ext.add(d["name"])
    out = {}
    for f in paths:
        text, decls = scan(f)
        covered_static = set()
        for d in decls:
            if d["attr"] and d["static"] and not d["defn"]:
                covered_static.add(d["name"])
            if d["attr"]:
                continue
            if d["defn"] and (d["name"] in (covered_static if d["static"] else covered_ext)):
                continue
            out.setdefault(f, (text, []))[1].append(d)
    return out

WIDTH = 100

def split_params(text, code, lo, hi):
    """The parameters between offsets lo and hi (inside the parentheses),
    split at the commas outside nested parentheses."""
    out, depth, start = [], 0, lo
    for k in range(lo, hi):
        ch = code[k]
        depth += {"(": 1, ")": -1}.get(ch, 0)
        if ch == "," and depth == 0:
            out.append(text[start:k])
            start = k + 1
    out.append(text[start:hi])
    return [" ".join(p.split()) for p in out]

def add_one(text, d):
    """Insert the attribute before "wres" of entry d; keep the parameter
    lines aligned under the "(" and within WIDTH columns, re-flowing them
    (and opening a one-line body) only when they no longer fit."""
    ins = ATTR + " "
    at = d["wres_at"]
    text = text[:at] + ins + text[at:]
    code = blank_comments(text)
    line_start = text.rfind("\n", 0, at) + 1
    paren = code.index("(", at)
    close, depth = paren + 1, 1
    while depth:
        depth += {"(": 1, ")": -1}.get(code[close], 0)
        close += 1
    eol = text.find("\n", close)
    eol = len(text) if eol < 0 else eol
    col = paren - line_start + 1
    sig = text[line_start:eol].split("\n")
    for k in range(1, len(sig)):  # aligned parameter lines move along
        if len(sig[k]) - len(sig[k].lstrip(" ")) == col - len(ins):
            sig[k] = " " * len(ins) + sig[k]
    if max(len(l) for l in sig) <= WIDTH:
        return text[:line_start] + "\n".join(sig) + text[eol:]
    if "/*" in text[paren:close] or "//" in text[paren:close]:
        return text[:line_start] + "\n".join(sig) + text[eol:]  # leave it to a person
    tail = text[close:eol]
    body = re.fullmatch(r"\s*\{(.*)\}\s*", tail)
    params = split_params(text, code, paren + 1, close - 1)
    lines, cur = [], text[line_start:paren + 1]
    for i, p in enumerate(params):
        piece = p + ("," if i < len(params) - 1 else ")")
        sep = "" if cur.endswith("(") else " "
        last = i == len(params) - 1
        room = WIDTH - (len(tail) if last and not body else 0)
        if len(cur) + len(sep) + len(piece) <= room or cur.endswith("("):
            cur += sep + piece
        else:
            lines.append(cur)
            cur = " " * col + piece
    if body and len(cur) + len(tail) > WIDTH:
        lines.append(cur)
        lines += ["{", "    " + body.group(1).strip(), "}"]
    else:
        lines.append(cur + tail)
    return text[:line_start] + "\n".join(lines) + text[eol:]

def add_attr(text, entries):
    for d in sorted(entries, key=lambda d: d["start"], reverse=True):
        text = add_one(text, d)
    return text

repo_headers = files_under(["src", "include"])
paths = files_under(roots)
todo = missing(paths, repo_headers)
if fix and todo:
    for f, (text, entries) in todo.items():
        new = add_attr(text, entries)
        with open(f, "w", encoding="utf-8") as fh:
            fh.write(new)
        for d in entries:
            print(f"fixed {f}:{d['line']}: {d['name']}")
    todo = missing(paths, files_under(["src", "include"]))
    long_lines = [(f, i + 1) for f in paths
                  for i, l in enumerate(open(f, encoding="utf-8").read().split("\n"))
                  if len(l) > WIDTH and ATTR in l]
    for f, n in long_lines:
        print(f"note: {f}:{n}: longer than {WIDTH} columns, wrap it by hand")
n = 0
for f, (_, entries) in sorted(todo.items()):
    for d in entries:
        kind = "definition" if d["defn"] else "declaration"
        print(f"{f}:{d['line']}: {d['name']}: {kind} of a wres function without {ATTR}")
        n += 1
if n:
    print(f"must-check: {n} without {ATTR}" + ("" if fix else " (scripts/must-check.sh --fix adds it)"))
    sys.exit(1)
print("must-check: every wres function carries " + ATTR)
EOF
