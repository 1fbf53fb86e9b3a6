#!/usr/bin/env python3
"""Check a `ward trace --trace=json` output (issue #17) against the schema
and against what the server said it negotiated.

usage: trace_check.py --schema docs/trace-schema.json --trace T.json
           [--peer openssl|gnutls --peer-log LOG --subject RFC2253]
           [--refused [--text T.txt]] [--schema-only]

Every line must parse as JSON and validate against the schema (draft
2020-12, python3-jsonschema). A completed handshake: the "done" event's
version, cipher suite and group, and the leaf's subject in the Certificate
message, must equal what the peer printed (openssl s_server -trace, or
gnutls-serv's connection summary) and --subject. A refused one (--refused):
no "done" event, and the last event is a fatal alert with its reason.
Prints what it compared; exits 1 on the first disagreement."""
import argparse
import json
import re
import sys

import jsonschema


def die(msg):
    print("trace_check: FAIL: " + msg, file=sys.stderr)
    sys.exit(1)


def load_events(path, schema):
    validator = jsonschema.Draft202012Validator(schema)
    events = []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                die(f"{path}:{n}: an empty line")
            try:
                ev = json.loads(line)
            except ValueError as e:
                die(f"{path}:{n}: not JSON ({e}): {line.strip()}")
            errors = sorted(validator.iter_errors(ev), key=lambda e: list(e.path))
            if errors:
                die(f"{path}:{n}: does not match the schema: {errors[0].message} "
                    f"at {'/'.join(map(str, errors[0].path))}: {line.strip()}")
            events.append(ev)
    if not events:
        die(f"{path}: no events")
    print(f"trace_check: {len(events)} lines parse and match the schema")
    return events


# ---- what the peers printed ----

def openssl_peer(log):
    """From `openssl s_server -trace`: the ServerHello it sent (version,
    suite, TLS 1.3 key share), the ServerKeyExchange's curve (1.2), the
    leaf's subject in the Certificate it sent, and 'CIPHER is'."""
    # (a name may carry an alias: "NamedGroup: secp384r1 (P-384) (24)")
    text = open(log, encoding="utf-8", errors="replace").read()
    sent = [b for b in re.split(r"^(?=(?:Sent|Received) Record$)", text, flags=re.M)
            if b.startswith("Sent Record")]
    def block(msg):  # the last record sent holding this message (after an HRR,
        # which openssl's trace shows as a ServerHello too, the real one)
        return next((b for b in reversed(sent) if re.search(r"^\s+" + msg + r", Length=", b, re.M)),
                    None)
    sh = block("ServerHello")
    if not sh:
        die(f"{log}: no ServerHello sent")
    cs = re.search(r"cipher_suite \{0x([0-9A-Fa-f]{2}), 0x([0-9A-Fa-f]{2})\}", sh)
    if not cs:
        die(f"{log}: no cipher_suite in the ServerHello")
    suite = int(cs.group(1) + cs.group(2), 16)
    sv = re.search(r"supported_versions\(43\), length=2\n\s+TLS [0-9.]+ \((\d+)\)", sh)
    version = int(sv.group(1)) if sv else int(re.search(r"server_version=0x([0-9a-f]+)", sh).group(1), 16)
    g = re.search(r"key_share\(51\)[^\n]*\n\s+NamedGroup: [^\n]*\((\d+)\)$", sh, re.M)
    if not g:
        g = re.search(r"named_curve: [^\n]*\((\d+)\)$", block("ServerKeyExchange") or "", re.M)
    group = int(g.group(1)) if g else None
    subj = re.search(r"^\s+Subject: (.*)$", block("Certificate") or "", re.M)
    subject = subj.group(1).strip() if subj else None
    ciph = re.search(r"^CIPHER is (\S+)", text, re.M)
    return {"version": version, "suite": suite, "group": group, "subject": subject,
            "cipher_name": ciph.group(1) if ciph else None}


GNUTLS_GROUP = {"X25519": 0x1d, "SECP256R1": 0x17, "SECP384R1": 0x18, "SECP521R1": 0x19}
GNUTLS_VERSION = {"TLS1.3": 0x0304, "TLS1.2": 0x0303}
GNUTLS_SUITE13 = {"AES-128-GCM": 0x1301, "AES-256-GCM": 0x1302, "CHACHA20-POLY1305": 0x1303}
GNUTLS_SUITE12 = {("ECDHE-RSA", "AES-128-GCM"): 0xc02f, ("ECDHE-RSA", "AES-256-GCM"): 0xc030,
                  ("ECDHE-RSA", "CHACHA20-POLY1305"): 0xcca8,
                  ("ECDHE-ECDSA", "AES-128-GCM"): 0xc02b, ("ECDHE-ECDSA", "AES-256-GCM"): 0xc02c,
                  ("ECDHE-ECDSA", "CHACHA20-POLY1305"): 0xcca9,
                  ("RSA", "AES-128-GCM"): 0x009c, ("RSA", "AES-256-GCM"): 0x009d}


def gnutls_peer(log):
    """From gnutls-serv's summary of the connection: '- Version:',
    '- Cipher:', '- Key Exchange:' (1.2), ' - Using curve:'."""
    text = open(log, encoding="utf-8", errors="replace").read()
    def field(name):
        m = re.search(r"^\s*- " + re.escape(name) + r":\s*(\S+)", text, re.M)
        return m.group(1) if m else None
    vname, cipher, kx, curve = field("Version"), field("Cipher"), field("Key Exchange"), field("Using curve")
    if vname not in GNUTLS_VERSION or cipher is None:
        die(f"{log}: no '- Version:'/'- Cipher:' summary ({vname}, {cipher})")
    version = GNUTLS_VERSION[vname]
    if version == 0x0304:
        suite = GNUTLS_SUITE13.get(cipher)
    else:
        suite = GNUTLS_SUITE12.get((kx, cipher))
    if suite is None:
        die(f"{log}: a suite this checker does not know: {kx} {cipher}")
    group = GNUTLS_GROUP.get(curve) if curve else None
    if curve and group is None:
        die(f"{log}: a curve this checker does not know: {curve}")
    return {"version": version, "suite": suite, "group": group, "subject": None,
            "cipher_name": cipher}


def rdn_set(name):
    """'CN=a,O=b' (RFC 2253) or 'O = b, CN = a' (openssl's oneline) -> {CN=a, O=b}."""
    return {re.sub(r"\s*=\s*", "=", p.strip()) for p in re.split(r"\s*,\s*", name) if p.strip()}


def check_done(events, peer, subject):
    done = [e for e in events if e["event"] == "done"]
    if len(done) != 1:
        die(f"{len(done)} 'done' events, want 1")
    d = done[0]
    got = {"version": d["version"]["code"], "suite": d["cipher_suite"]["code"],
           "group": d["group"]["code"] if d.get("group") else None}
    names = {"version": d["version"], "suite": d["cipher_suite"], "group": d.get("group")}
    for k in ("version", "suite", "group"):
        if got[k] != peer[k]:
            die(f"{k}: the trace says {got[k]!r}, the server {peer[k]!r}")
        if got[k] is None:
            print(f"trace_check: {k}: none, as the server said")
        else:
            print(f"trace_check: {k} {got[k]:#06x} ({names[k]['name']}), as the server said")
    # openssl names TLS 1.3 suites as IANA does: the names agree too
    if peer["cipher_name"] and peer["cipher_name"].startswith("TLS_") \
            and peer["cipher_name"] != d["cipher_suite"]["name"]:
        die(f"suite name: trace {d['cipher_suite']['name']}, server {peer['cipher_name']}")
    certs = [e for e in events if e["event"] == "message" and e["type"] == "Certificate"
             and e["from"] == "server"]
    if len(certs) != 1:
        die(f"{len(certs)} server Certificate messages, want 1")
    leaf = certs[0]["fields"]["certificates"][0]["subject"]
    if rdn_set(leaf) != rdn_set(subject):
        die(f"leaf subject: trace {leaf!r}, certificate {subject!r}")
    if peer["subject"] is not None and rdn_set(leaf) != rdn_set(peer["subject"]):
        die(f"leaf subject: trace {leaf!r}, the server sent {peer['subject']!r}")
    print(f"trace_check: leaf subject {leaf!r} as the certificate (and the server) say")


def squeeze(t):
    return re.sub(r"\s+", "", t)


def check_refused(events, text_path):
    if any(e["event"] == "done" for e in events):
        die("a refused handshake has a 'done' event")
    last = events[-1]
    if last["event"] != "alert" or last["level"] != "fatal":
        die(f"the last event is not a fatal alert: {json.dumps(last)}")
    if not last.get("reason"):
        die(f"the closing alert has no reason: {json.dumps(last)}")
    name = last["description"]["name"]
    print(f"trace_check: ends with alert {name}: {last['reason']}")
    if not text_path:
        return
    # the text form of the same refusal: the alert's name and the reason
    # (squeezed: the text wraps at 80 columns), no message after them
    text = squeeze(open(text_path, encoding="utf-8").read())
    at = text.rfind(squeeze(name))
    if at < 0 or squeeze(last["reason"]) not in text:
        die(f"{text_path}: no alert {name} with reason {last['reason']!r}")
    if "-->" in text[at:] or "<--" in text[at:]:
        die(f"{text_path}: a message comes after the alert {name}")
    print(f"trace_check: the text ends with alert {name} and the reason too")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--schema", required=True)
    ap.add_argument("--trace", required=True)
    ap.add_argument("--peer", choices=("openssl", "gnutls"))
    ap.add_argument("--peer-log")
    ap.add_argument("--subject")
    ap.add_argument("--refused", action="store_true")
    ap.add_argument("--text", help="with --refused: the same refusal traced as text")
    ap.add_argument("--schema-only", action="store_true", help="only parse and validate")
    a = ap.parse_args()
    with open(a.schema, encoding="utf-8") as f:
        schema = json.load(f)
    jsonschema.Draft202012Validator.check_schema(schema)
    events = load_events(a.trace, schema)
    if a.schema_only:
        return
    if a.refused:
        check_refused(events, a.text)
        return
    if not (a.peer and a.peer_log and a.subject):
        die("--peer, --peer-log and --subject are needed for a completed handshake")
    peer = openssl_peer(a.peer_log) if a.peer == "openssl" else gnutls_peer(a.peer_log)
    check_done(events, peer, a.subject)


if __name__ == "__main__":
    main()
