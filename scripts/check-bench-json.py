#!/usr/bin/env python3
"""check-bench-json.py FILE: the benchmark's JSON keeps its contract.

CI runs ward_bench once, very briefly, and checks what it wrote: every
measure is there with its unit, each library that can do it has a positive
value, the floors are there where the benchmark promises one, and the
allocation counts add up. Nothing here looks at speed: a short run on a
shared machine says nothing about it.
"""
import json
import sys

HANDSHAKES = [
    "tls13_full_ecdsa_server_hs_per_s",
    "tls13_full_ecdsa_client_hs_per_s",
    "tls13_full_rsa2048_server_hs_per_s",
    "tls13_full_rsa2048_client_hs_per_s",
    "tls12_full_ecdsa_server_hs_per_s",
    "tls13_resumed_server_hs_per_s",
    "tls12_resumed_server_hs_per_s",
]
WARD_ONLY = [  # OpenSSL 3.0 and GnuTLS 3.7 have no X25519MLKEM768
    "tls13_full_ecdsa_x25519mlkem768_server_hs_per_s",
    "tls13_full_ecdsa_x25519mlkem768_client_hs_per_s",
]
HEAP = [
    "heap_bytes_handshake_peak",
    "heap_bytes_handshake_peak_client",
    "heap_bytes_handshake_peak_server",
    "heap_bytes_established_idle",
    "heap_bytes_established_idle_client",
    "heap_bytes_established_idle_server",
]
ALLOCS = [
    "mallocs_per_full_handshake",
    "mallocs_per_full_handshake_client",
    "mallocs_per_full_handshake_server",
]
BULK = [
    f"bulk_{suite}_{size}_{way}_MBps"
    for suite in ("aes128gcm", "aes256gcm", "chacha20poly1305")
    for size in ("16k", "1400")
    for way in ("send", "recv")
]
UNITS = {**{n: "hs/s" for n in HANDSHAKES + WARD_ONLY}, **{n: "bytes" for n in HEAP},
         **{n: "allocs" for n in ALLOCS}, **{n: "MB/s" for n in BULK}}
WITH_FLOOR = ["tls13_full_ecdsa_server_hs_per_s"] + BULK


def positive(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool) and v > 0


def main(path):
    with open(path) as f:
        doc = json.load(f)
    errors = []
    if not isinstance(doc.get("cpu"), str) or not doc["cpu"]:
        errors.append("no cpu")
    versions = doc.get("versions", {})
    for lib in ("ward", "openssl", "gnutls"):
        if not isinstance(versions.get(lib), str) or not versions[lib]:
            errors.append(f"no version for {lib}")
    measures = {m.get("name"): m for m in doc.get("measures", [])}
    for name, unit in UNITS.items():
        m = measures.get(name)
        if m is None:
            errors.append(f"{name}: missing")
            continue
        if m.get("unit") != unit:
            errors.append(f"{name}: unit {m.get('unit')!r}, expected {unit!r}")
        others = ("openssl", "gnutls") if name not in WARD_ONLY else ()
        for lib in ("ward",) + others:
            if not positive(m.get(lib)):
                errors.append(f"{name}: {lib} is {m.get(lib)!r}")
        if name in WITH_FLOOR and not positive(m.get("floor")):
            errors.append(f"{name}: floor is {m.get('floor')!r}")
    extra = set(measures) - set(UNITS)
    if extra:
        errors.append(f"measures nobody documented: {sorted(extra)}")
    if not errors:
        for lib in ("ward", "openssl", "gnutls"):
            total = measures["mallocs_per_full_handshake"][lib]
            parts = (measures["mallocs_per_full_handshake_client"][lib]
                     + measures["mallocs_per_full_handshake_server"][lib])
            if abs(total - parts) > 1:
                errors.append(f"{lib}: allocations {total} != client + server {parts}")
    for e in errors:
        print(f"check-bench-json: {path}: {e}", file=sys.stderr)
    if not errors:
        print(f"check-bench-json: {path}: {len(UNITS)} measures, all present and well formed")
    return 1 if errors else 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        print("usage: check-bench-json.py FILE", file=sys.stderr)
        sys.exit(2)
    sys.exit(main(sys.argv[1]))
