#!/usr/bin/env python3
"""Misbehaving peers for tests/interop/test_tunnel_faults.sh.

fault_peers.py stall PORT WAIT      half a real ClientHello, then silence;
                                    prints "closed after S" when the tunnel
                                    closes, exits 1 if it has not after WAIT s
fault_peers.py garbage PORT WAIT    bytes that are no TLS record; same report
fault_peers.py smtp-backend RECDIR  a scripted plaintext SMTP server on
                                    127.0.0.1:0 (port on stdout); appends
                                    every byte each connection sends to
                                    RECDIR/conn-N.txt
fault_peers.py smtp-pipelined PORT  plaintext client: reads the greeting,
                                    sends EHLO, STARTTLS and MAIL FROM in one
                                    segment, prints all it gets until closed
fault_peers.py smtp-good PORT CAFILE  smtplib: STARTTLS, EHLO, MAIL FROM,
                                    QUIT (the positive control)
"""
import os
import socket
import ssl
import sys
import threading
import time


def client_hello():
    """A real ClientHello (Python's ssl over a memory BIO), never sent whole."""
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    inc, out = ssl.MemoryBIO(), ssl.MemoryBIO()
    obj = ctx.wrap_bio(inc, out, server_hostname="localhost")
    try:
        obj.do_handshake()
    except ssl.SSLWantReadError:
        pass
    return out.read()


def wait_closed(sock, wait):
    """Seconds until the peer closed the connection, or None."""
    t0 = time.monotonic()
    sock.settimeout(0.2)
    while time.monotonic() - t0 < wait:
        try:
            data = sock.recv(4096)
        except socket.timeout:
            continue
        except (ConnectionResetError, BrokenPipeError):
            return time.monotonic() - t0
        if not data:
            return time.monotonic() - t0
    return None


def send_then_wait(port, payload, wait):
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    s.sendall(payload)
    t = wait_closed(s, wait)
    s.close()
    if t is None:
        print(f"still open after {wait} s")
        return 1
    print(f"closed after {t:.2f}")
    return 0


def smtp_backend(recdir):
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", 0))
    srv.listen(64)
    print(srv.getsockname()[1], flush=True)
    n = 0

    def serve(conn, path):
        with conn, open(path, "ab", buffering=0) as rec:
            f = conn.makefile("rb")
            conn.sendall(b"220 backend.test ESMTP scripted\r\n")
            for line in f:
                rec.write(line)
                cmd = line.strip().upper()
                if cmd.startswith(b"EHLO"):
                    conn.sendall(b"250-backend.test\r\n250-PIPELINING\r\n250 8BITMIME\r\n")
                elif cmd.startswith(b"QUIT"):
                    conn.sendall(b"221 bye\r\n")
                    return
                else:
                    conn.sendall(b"250 ok\r\n")

    while True:
        conn, _ = srv.accept()
        n += 1
        path = os.path.join(recdir, f"conn-{n}.txt")
        open(path, "ab").close()
        threading.Thread(target=serve, args=(conn, path), daemon=True).start()


def smtp_pipelined(port):
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    got = b""
    while b"\r\n" not in got:
        chunk = s.recv(4096)
        if not chunk:
            break
        got += chunk
    s.sendall(b"EHLO x\r\nSTARTTLS\r\nMAIL FROM:<a>\r\n")
    s.settimeout(10)
    try:
        while True:
            chunk = s.recv(4096)
            if not chunk:
                break
            got += chunk
    except (ConnectionResetError, socket.timeout) as e:
        got += f"\n[{type(e).__name__}]".encode()
    sys.stdout.write(got.decode("latin-1"))
    print("\n[closed]")
    return 0


def smtp_good(port, cafile):
    import smtplib

    ctx = ssl.create_default_context(cafile=cafile)
    with smtplib.SMTP("127.0.0.1", port, timeout=10) as c:
        c.ehlo("good")
        c.starttls(context=ctx)  # verified against the IP SAN 127.0.0.1
        c.ehlo("good")
        code, _ = c.mail("good@example.org")
        print("MAIL", code)
        return 0 if code == 250 else 1


def main(argv):
    cmd = argv[1]
    if cmd == "stall":
        hello = client_hello()
        return send_then_wait(int(argv[2]), hello[: len(hello) // 2], float(argv[3]))
    if cmd == "garbage":
        junk = b"GET / HTTP/1.1\r\nHost: x\r\n\r\n" + bytes(range(256)) * 4
        return send_then_wait(int(argv[2]), junk, float(argv[3]))
    if cmd == "smtp-backend":
        smtp_backend(argv[2])
        return 0
    if cmd == "smtp-pipelined":
        return smtp_pipelined(int(argv[2]))
    if cmd == "smtp-good":
        return smtp_good(int(argv[2]), argv[3])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
