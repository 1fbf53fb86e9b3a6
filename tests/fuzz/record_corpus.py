#!/usr/bin/env python3
"""Record seed corpora for the fuzz targets from real handshakes.

Every session runs through a TCP relay on 127.0.0.1 that logs the bytes
each side sends, socket read by socket read:

  real clients (openssl s_client, gnutls-cli) -> relay -> fuzz_peer server
      what the clients send seeds fuzz_server;
  fuzz_peer client -> relay -> real servers (openssl s_server, gnutls-serv)
      what the servers send seeds fuzz_client.

fuzz_peer runs the fuzzers' exact deterministic ward configurations
(fuzz_common.h), so each recorded flight replays in the fuzzer through the
whole handshake. Each session is stored twice: as the socket reads ("flights")
and one record per chunk ("records"). Plaintext records seed
fuzz_record_open, plaintext handshake messages fuzz_msg_decoders, and the
TLS 1.2 certificate chains fuzz_cert_chain. `fuzz_peer gen` adds ward<->ward
sessions and generated seeds.

usage: record_corpus.py BUILD_FUZZ_DIR [OUT_DIR]
  BUILD_FUZZ_DIR: the WARD_FUZZ=ON build (holds tests/fuzz/fuzz_peer)
  OUT_DIR: default tests/fuzz/corpus next to this script
Only the Python standard library is used.
"""
import hashlib
import os
import select
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
PKI = os.path.join(HERE, "pki")


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


class Relay(threading.Thread):
    """Accept one connection on listen_port, connect to upstream_port, and
    forward both ways, logging (direction, bytes) per socket read."""

    def __init__(self, upstream_port):
        super().__init__(daemon=True)
        self.port = free_port()
        self.upstream = upstream_port
        self.log = []  # ("c2s" | "s2c", bytes)
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", self.port))
        self.sock.listen(1)

    def run(self):
        self.sock.settimeout(20)
        try:
            a, _ = self.sock.accept()
        except OSError:
            return
        b = None
        for _ in range(100):
            try:
                b = socket.create_connection(("127.0.0.1", self.upstream))
                break
            except OSError:
                time.sleep(0.1)
        if b is None:
            a.close()
            return
        peers = {a: (b, "c2s"), b: (a, "s2c")}
        open_ = {a, b}
        deadline = time.time() + 20
        while open_ and time.time() < deadline:
            r, _, _ = select.select(list(open_), [], [], 0.5)
            for s in r:
                try:
                    data = s.recv(65536)
                except OSError:
                    data = b""
                other, d = peers[s]
                if not data:
                    open_.discard(s)
                    try:
                        other.shutdown(socket.SHUT_WR)
                    except OSError:
                        pass
                    continue
                self.log.append((d, data))
                try:
                    other.sendall(data)
                except OSError:
                    pass
        a.close()
        b.close()


def run_client(cmd, data=b"GET / HTTP/1.0\r\n\r\n"):
    p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL)
    time.sleep(0.7)
    try:
        p.stdin.write(data)
        p.stdin.flush()
        time.sleep(0.8)
        p.stdin.close()
    except OSError:
        pass
    try:
        p.wait(timeout=5)
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()


def stop(p):
    if p.poll() is None:
        p.terminate()
        try:
            p.wait(timeout=3)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()


def records(stream):
    """Split a byte stream into TLS records (the tail, if partial, too)."""
    out, i = [], 0
    while i < len(stream):
        if len(stream) - i < 5:
            out.append(stream[i:])
            break
        n = int.from_bytes(stream[i + 3:i + 5], "big")
        out.append(stream[i:i + 5 + n])
        i += 5 + n
    return out


def frame(variant, chunks):
    b = bytearray([variant])
    for c in chunks:
        while c:
            k = c[:65535]
            b += len(k).to_bytes(2, "big") + k
            c = c[65535:]
    return bytes(b)


class Corpus:
    def __init__(self, out):
        self.out = out
        self.seen = set()

    def put(self, target, name, data):
        h = hashlib.sha1(data).hexdigest()
        if (target, h) in self.seen:
            return
        self.seen.add((target, h))
        d = os.path.join(self.out, target)
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, name), "wb") as f:
            f.write(data)


# handshake type -> fuzz_msg_decoders selector
DECODER = {1: 0, 2: 1, 11: 4, 12: 9, 14: 12, 16: 10, 20: 6}


def plaintext_messages(stream):
    """Handshake messages from the unprotected records at the start."""
    buf = bytearray()
    for rec in records(stream):
        if len(rec) < 5 or rec[0] != 22:
            break
        buf += rec[5:]
    msgs, i = [], 0
    while len(buf) - i >= 4:
        n = int.from_bytes(buf[i + 1:i + 4], "big")
        if len(buf) - i - 4 < n:
            break
        msgs.append((buf[i], bytes(buf[i + 4:i + 4 + n])))
        i += 4 + n
    return msgs


def cert12_chain(body):
    """u16-framed DER certificates of a TLS 1.2 Certificate body."""
    out, i = bytearray(), 3
    while i + 3 <= len(body):
        n = int.from_bytes(body[i:i + 3], "big")
        der = body[i + 3:i + 3 + n]
        out += len(der).to_bytes(2, "big") + der
        i += 3 + n
    return bytes(out)


def store_session(corpus, name, log, target, variant, direction):
    stream_chunks = [d for (dr, d) in log if dr == direction]
    if not stream_chunks:
        print("  %s: nothing recorded" % name)
        return
    stream = b"".join(stream_chunks)
    corpus.put(target, name + "-flights", frame(variant, stream_chunks))
    corpus.put(target, name + "-records", frame(variant, records(stream)))
    first = records(stream)[0]
    corpus.put("fuzz_record_open", name + "-first", b"\x00" + first)
    for t, body in plaintext_messages(stream):
        if t in DECODER:
            sel = DECODER[t]
            if t == 16 and len(body) > 0 and body[0] + 1 != len(body):
                sel = 11  # RSA key transport
            corpus.put("fuzz_msg_decoders", "%s-hs%d" % (name, t), bytes([sel]) + body)
            if t == 11 and sel == 4:
                corpus.put("fuzz_cert_chain", name + "-chain", cert12_chain(body))
    print("  %s: %d reads, %d bytes, %d records" % (name, len(stream_chunks), len(stream),
                                                    len(records(stream))))


def main():
    if len(sys.argv) < 2:
        print(__doc__)
        return 2
    build = os.path.abspath(sys.argv[1])
    out = os.path.abspath(sys.argv[2]) if len(sys.argv) > 2 else os.path.join(HERE, "corpus")
    peer = os.path.join(build, "tests", "fuzz", "fuzz_peer")
    corpus = Corpus(out)
    for d in ("fuzz_server", "fuzz_client", "fuzz_record_open", "fuzz_msg_decoders",
              "fuzz_cert_chain"):
        os.makedirs(os.path.join(out, d), exist_ok=True)
        for f in os.listdir(os.path.join(out, d)):
            corpus.seen.add((d, hashlib.sha1(open(os.path.join(out, d, f), "rb").read()).hexdigest()))

    ec_chain, ec_key = os.path.join(PKI, "chain-ec.pem"), os.path.join(PKI, "leaf-ec.key")
    rsa_cert, rsa_key = os.path.join(PKI, "leaf-rsa.pem"), os.path.join(PKI, "leaf-rsa.key")

    # ---- real clients against the fuzz_server configurations ----
    print("clients -> ward server (seeds for fuzz_server)")
    clients = [
        ("openssl13", ["openssl", "s_client", "-connect", "127.0.0.1:{p}", "-servername",
                       "localhost", "-tls1_3", "-quiet"], (0, 1, 2)),
        ("openssl13-alpn", ["openssl", "s_client", "-connect", "127.0.0.1:{p}", "-servername",
                            "localhost", "-tls1_3", "-alpn", "h2,http/1.1", "-quiet"], (2,)),
        ("openssl13-p384", ["openssl", "s_client", "-connect", "127.0.0.1:{p}", "-tls1_3",
                            "-groups", "P-384:P-256", "-quiet"], (0, 1)),
        ("openssl12", ["openssl", "s_client", "-connect", "127.0.0.1:{p}", "-servername",
                       "localhost", "-tls1_2", "-quiet"], (3,)),
        ("openssl12-rsakx", ["openssl", "s_client", "-connect", "127.0.0.1:{p}", "-tls1_2",
                             "-cipher", "AES128-GCM-SHA256", "-quiet"], (3,)),
        ("openssl12-chacha", ["openssl", "s_client", "-connect", "127.0.0.1:{p}", "-tls1_2",
                              "-cipher", "ECDHE-RSA-CHACHA20-POLY1305", "-quiet"], (3,)),
        ("gnutls13", ["gnutls-cli", "--insecure", "-p", "{p}", "127.0.0.1"], (0, 1, 2)),
        ("gnutls13-alpn", ["gnutls-cli", "--insecure", "--alpn", "h2", "-p", "{p}",
                           "localhost"], (2,)),
        ("gnutls12", ["gnutls-cli", "--insecure", "--priority",
                      "NORMAL:-VERS-ALL:+VERS-TLS1.2", "-p", "{p}", "127.0.0.1"], (3,)),
    ]
    for name, cmd, variants in clients:
        for v in variants:
            up = free_port()
            srv = subprocess.Popen([peer, "server", str(v), str(up)], stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE)
            srv.stdout.readline()  # "listening"
            relay = Relay(up)
            relay.start()
            run_client([a.replace("{p}", str(relay.port)) for a in cmd])
            relay.join(timeout=10)
            stop(srv)
            err = srv.stderr.read().decode(errors="replace").strip().splitlines()
            store_session(corpus, "%s-s%d" % (name, v), relay.log, "fuzz_server", v, "c2s")
            if err:
                print("    ward: " + err[-1])

    # ---- the fuzz_client configurations against real servers ----
    print("ward client -> servers (seeds for fuzz_client)")
    servers = [
        ("openssl-ec", ["openssl", "s_server", "-accept", "{p}", "-cert", ec_chain, "-key",
                        ec_key, "-naccept", "1", "-quiet"], (0, 1, 2)),
        ("openssl-rsa", ["openssl", "s_server", "-accept", "{p}", "-cert", rsa_cert, "-key",
                         rsa_key, "-naccept", "1", "-quiet"], (0, 1)),
        ("openssl-hrr", ["openssl", "s_server", "-accept", "{p}", "-cert", ec_chain, "-key",
                         ec_key, "-groups", "P-384", "-naccept", "1", "-quiet"], (0,)),
        ("openssl-alpn", ["openssl", "s_server", "-accept", "{p}", "-cert", ec_chain, "-key",
                          ec_key, "-alpn", "http/1.1", "-naccept", "1", "-quiet"], (2,)),
        ("openssl-chacha12", ["openssl", "s_server", "-accept", "{p}", "-cert", rsa_cert,
                              "-key", rsa_key, "-cipher", "ECDHE-RSA-CHACHA20-POLY1305",
                              "-naccept", "1", "-quiet"], (1,)),
        ("openssl-aes256", ["openssl", "s_server", "-accept", "{p}", "-cert", ec_chain, "-key",
                            ec_key, "-ciphersuites", "TLS_AES_256_GCM_SHA384",
                            "-cipher", "ECDHE-ECDSA-AES256-GCM-SHA384", "-naccept", "1",
                            "-quiet"], (0, 1)),
        ("gnutls-ec", ["gnutls-serv", "-p", "{p}", "--x509certfile", ec_chain,
                       "--x509keyfile", ec_key], (0, 1, 2)),
        ("gnutls-rsa", ["gnutls-serv", "-p", "{p}", "--x509certfile", rsa_cert,
                        "--x509keyfile", rsa_key], (0, 1)),
    ]
    for name, cmd, variants in servers:
        for v in variants:
            up = free_port()
            srv = subprocess.Popen([a.replace("{p}", str(up)) for a in cmd],
                                   stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL)
            time.sleep(0.5 if "gnutls" in name else 0.3)
            relay = Relay(up)
            relay.start()
            cl = subprocess.run([peer, "client", str(v), str(relay.port)],
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=30)
            relay.join(timeout=10)
            stop(srv)
            store_session(corpus, "%s-c%d" % (name, v), relay.log, "fuzz_client", v, "s2c")
            err = cl.stderr.decode(errors="replace").strip().splitlines()
            if err:
                print("    ward: " + " | ".join(err[-2:]))

    # ---- ward <-> ward and generated seeds ----
    print("ward <-> ward and generated seeds")
    tmp = tempfile.mkdtemp()
    subprocess.run([peer, "gen", tmp], check=True, stderr=subprocess.DEVNULL)
    for target in os.listdir(tmp):
        for f in sorted(os.listdir(os.path.join(tmp, target))):
            corpus.put(target, f, open(os.path.join(tmp, target, f), "rb").read())
    shutil.rmtree(tmp)

    # ---- certificate chains from the test PKI and the fuzz server ----
    def der(pem):
        return subprocess.run(["openssl", "x509", "-outform", "DER", "-in", pem],
                              capture_output=True, check=True).stdout

    def chain(*ders):
        return b"".join(len(d).to_bytes(2, "big") + d for d in ders)
    leaf_ec, inter = der(os.path.join(PKI, "leaf-ec.pem")), der(os.path.join(PKI, "int.pem"))
    leaf_rsa, ca = der(os.path.join(PKI, "leaf-rsa.pem")), der(os.path.join(PKI, "ca.pem"))
    corpus.put("fuzz_cert_chain", "pki-ec-int", chain(leaf_ec, inter))
    corpus.put("fuzz_cert_chain", "pki-ec-int-ca", chain(leaf_ec, inter, ca))
    corpus.put("fuzz_cert_chain", "pki-rsa", chain(leaf_rsa))
    corpus.put("fuzz_cert_chain", "pki-ec-missing-int", chain(leaf_ec))
    corpus.put("fuzz_cert_chain", "pki-wrong-order", chain(inter, leaf_ec))
    corpus.put("fuzz_cert_chain", "pki-leaf-truncated", chain(leaf_ec[:-40], inter))
    # the fuzz server's Ed25519 certificate (fuzz_common.h)
    import base64
    import re
    text = open(os.path.join(HERE, "fuzz_common.h")).read()
    m = re.search(r"FZ_SERVER_CERT_PEM\[\] =(.*?);", text, re.S)
    b64 = "".join(re.findall(r'"([A-Za-z0-9+/=]+)\\n"', m.group(1)))
    corpus.put("fuzz_cert_chain", "fuzz-server-ed25519", chain(base64.b64decode(b64)))
    total = sum(os.path.getsize(os.path.join(dp, f)) for dp, _, fs in os.walk(out) for f in fs)
    n = sum(len(fs) for _, _, fs in os.walk(out))
    print("corpus: %d files, %d bytes in %s" % (n, total, out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
