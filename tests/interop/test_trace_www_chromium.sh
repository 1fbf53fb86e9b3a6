#!/usr/bin/env bash
# Issue #17: a person points a browser at `ward server --www` and sees their
# own handshake drawn as the textbook draws it. Chromium headless loads the
# page (as in test_pq_chromium.sh: trusted with exactly the server's key);
# the DOM must hold the inline SVG with one arrow (a <g class="arrow"
# data-msg=NAME>) per message of a full TLS 1.3 handshake, each drawn in the
# right direction, Finished both ways, and name X25519MLKEM768 (Chromium's
# post-quantum key share) in the diagram and the ClientHello's layout, with
# Chromium's GREASE values marked as GREASE. Then a screenshot of the page
# is kept as an artifact: ${WARD_ARTIFACT_DIR:-$WARD_BUILD_DIR/artifacts}/
# trace-www.png (its path is printed), checked to be a PNG of the window's
# size. `--tickets 0`: every connection Chromium opens is a full handshake,
# so the page never shows a resumption instead. Last, `--trace=svg
# --trace-out` of ward client and of ward server --www (whose page must
# still draw the handshake) must each write well-formed SVG (python3's
# minidom parses it) with the handshake's arrows.
. "$(dirname "$0")/lib.sh"
command -v chromium >/dev/null 2>&1 ||
    fail "chromium is not installed: this test needs Debian's package 'chromium' (scripts/install-deps.sh test installs it)"
need chromium python3
ARTIFACTS=${WARD_ARTIFACT_DIR:-${WARD_BUILD_DIR:-$PWD}/artifacts}
mkdir -p "$ARTIFACTS"
cd "$WORK"
mkdir -p home

spki_b64() {
    local hex=${1#sha256:}
    # shellcheck disable=SC2059 # the format is the point: \xHH escapes
    printf "$(printf '%s' "$hex" | sed 's/../\\x&/g')" | base64 -w 0
}

# chrome NAME ARGS...: Chromium headless with a fresh profile, trusting the
# key $SERVER_PIN only, on https://127.0.0.1:$SERVER_PORT/; stdout to
# NAME.out, stderr to chromium-NAME.log.
chrome() {
    local name=$1 rc=0
    shift
    HOME="$WORK/home" XDG_CONFIG_HOME="$WORK/home/.config" XDG_CACHE_HOME="$WORK/home/.cache" \
        timeout -k 5 60 chromium --headless=new --no-sandbox --disable-gpu --disable-quic \
        --no-first-run --disable-background-networking --disable-component-update --disable-sync \
        --user-data-dir="$WORK/profile-$name" \
        --ignore-certificate-errors-spki-list="$(spki_b64 "$SERVER_PIN")" \
        "$@" "https://127.0.0.1:$SERVER_PORT/" >"$name.out" 2>"chromium-$name.log" </dev/null || rc=$?
    [ "$rc" -eq 0 ] ||
        fail "$name: chromium exited $rc$([ "$rc" -eq 124 ] && echo ' (timed out after 60 s)'): $(grep -v dbus "chromium-$name.log" | tail -n 5)"
}

start_ward_server www --www --tickets 0
[ -n "$SERVER_PIN" ] || fail "ward server printed no pin for its ephemeral certificate"

# 1. the DOM: the page, then the diagram's arrows and names.
chrome dom --dump-dom
grep -q '<h1>ward: your connection</h1>' dom.out ||
    fail "Chromium did not get ward's page: $(grep -i 'fail\|err_' chromium-dom.log | tail -n 3)"
grep -qF '<tr><th>group</th><td>X25519MLKEM768</td></tr>' dom.out ||
    fail "the page's table does not say X25519MLKEM768: $(grep -o '<th>group</th><td>[^<]*' dom.out)"

# arrows.py DOM: one line per arrow in the <svg>: "NAME FROM" (FROM: client
# or server, read from the side its line starts on), then "layout" lines:
# the text of the ClientHello's layout; exits 1 without an <svg>.
cat >arrows.py <<'EOF'
import sys
from html.parser import HTMLParser

class P(HTMLParser):
    def __init__(self):
        super().__init__()
        self.svg = 0; self.arrow = None; self.layout = 0; self.text = None; self.out = []
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "svg":
            self.svg += 1
        elif tag == "g" and "arrow" in (a.get("class") or "").split():
            self.arrow = a.get("data-msg")
        elif tag == "g" and a.get("data-layout") == "ClientHello":
            self.layout = 1
        elif tag == "line" and self.arrow is not None:
            x1, x2 = float(a["x1"]), float(a["x2"])
            self.out.append("%s %s" % (self.arrow, "client" if x1 < x2 else "server"))
        elif tag == "text" and self.layout:
            self.text = ("g " if a.get("class") == "g" else "") 
    def handle_endtag(self, tag):
        if tag == "g":
            self.arrow = None
            if self.text is None:
                self.layout = 0
        if tag == "text":
            self.text = None
    def handle_data(self, d):
        if self.text is not None:
            self.out.append("layout " + self.text + d)

p = P()
p.feed(open(sys.argv[1], encoding="utf-8").read())
if not p.svg:
    sys.exit(1)
print("\n".join(p.out))
EOF
python3 arrows.py dom.out >arrows.txt || fail "the page has no <svg>"
grep -c '<svg' dom.out | grep -qx 1 || fail "the page has $(grep -c '<svg' dom.out) <svg> elements, expected one"
for want in "ClientHello client" "ServerHello server" "EncryptedExtensions server" \
    "Certificate server" "CertificateVerify server" "Finished server" "Finished client"; do
    grep -qx "$want" arrows.txt || fail "no arrow '$want' in the SVG; arrows: $(grep -v '^layout' arrows.txt | tr '\n' ',')"
done
n=$(grep -vc '^layout' arrows.txt)
[ "$(grep -c '^Finished ' arrows.txt)" -eq 2 ] || fail "expected 2 Finished arrows: $(tr '\n' ',' <arrows.txt)"
ok "the page's SVG has $n arrows: ClientHello -> ... <- Finished, Finished ->"

# X25519MLKEM768 inside the <svg> (not only in the table): on the arrows
# and in the ClientHello's key_share list; GREASE marked as GREASE.
sed -n '/<svg/,/<\/svg>/p' dom.out >svg.part
assert_contains svg.part "key share: X25519MLKEM768" "the ServerHello's details"
grep -qE '^layout 0x11EC X25519MLKEM768, [0-9]+ bytes$' arrows.txt ||
    fail "the ClientHello's layout lists no X25519MLKEM768 key share: $(grep -i 'mlkem' arrows.txt | head -n 3)"
grep -qE '^layout g 0x([0-9A-F])A\1A GREASE' arrows.txt ||
    fail "Chromium's GREASE values are not marked as GREASE in the layout"
ok "the SVG names X25519MLKEM768 (ServerHello, ClientHello key_share) and marks GREASE"

# 2. a screenshot of the whole page, kept.
chrome shot --window-size=1000,1900 --hide-scrollbars --screenshot="$WORK/trace-www.png"
[ -s trace-www.png ] || fail "chromium wrote no screenshot: $(tail -n 3 chromium-shot.log)"
size=$(python3 -c '
import struct, sys
b = open(sys.argv[1], "rb").read()
assert b[:8] == b"\x89PNG\r\n\x1a\n" and b[12:16] == b"IHDR", "not a PNG"
w, h = struct.unpack(">II", b[16:24])
print(w, h, len(b))' trace-www.png) || fail "trace-www.png is not a PNG"
read -r w h bytes <<<"$size"
if [ "$w" -ne 1000 ] || [ "$h" -ne 1900 ]; then
    fail "the screenshot is ${w}x$h, expected 1000x1900"
fi
[ "$bytes" -gt 30000 ] || fail "the screenshot has only $bytes bytes: a blank page?"
cp trace-www.png "$ARTIFACTS/trace-www.png"
log "screenshot kept: $ARTIFACTS/trace-www.png"
ok "screenshot ${w}x$h, $bytes bytes"

stop "$SERVER_PID"
assert_not_contains "$SERVER_LOG" "handshake failed" "ward server log"

# 3. --trace=svg --trace-out on both ends (the renderer through the sink),
#    the server in --www mode too: its page and its trace file both get the
#    events. Each file must be well-formed XML with the handshake's arrows.
start_ward_server svg --www --tickets 0 --max-connections 1 --trace=svg --trace-out "$WORK/server.svg"
printf 'GET / HTTP/1.0\r\nHost: localhost\r\n\r\n' |
    timeout 30 "$WARD" client --pin "$SERVER_PIN" --trace=svg --trace-out "$WORK/client.svg" \
        "127.0.0.1:$SERVER_PORT" >page.out 2>client.log ||
    fail "ward client --trace=svg failed: $(tail -n 3 client.log)"
wait_exit "$SERVER_PID" 20 ||
    fail "ward server --max-connections 1 did not end cleanly: $(tail -n 5 "$SERVER_LOG")"
cat >svgcheck.py <<'EOF'
import sys, xml.dom.minidom
d = xml.dom.minidom.parse(sys.argv[1])
svg = d.documentElement
assert svg.tagName == "svg" and svg.getAttribute("xmlns") == "http://www.w3.org/2000/svg", "not an <svg>"
print(" ".join(g.getAttribute("data-msg") for g in d.getElementsByTagName("g")
               if "arrow" in g.getAttribute("class").split()))
EOF
for f in client.svg server.svg; do
    arrows=$(python3 svgcheck.py "$f") || fail "$f is not well-formed SVG: $(head -c 300 "$f")"
    case "$arrows" in
    "ClientHello ServerHello EncryptedExtensions Certificate CertificateVerify Finished Finished"*) ;;
    *) fail "$f: arrows '$arrows'" ;;
    esac
done
grep -q '<g class="arrow" data-msg="CertificateVerify">' page.out ||
    fail "the --www page fetched with --trace on the server has no diagram: $(head -c 300 page.out)"
ok "--trace=svg --trace-out: client.svg and server.svg parse as SVG with the handshake's arrows; the --www page still has its diagram"
done_all
