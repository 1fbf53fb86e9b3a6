#!/usr/bin/env python3
"""A tiny scripted STARTTLS server for tests/interop/test_client_url.sh.

One connection: the plaintext dialogue of SMTP (RFC 3207) or IMAP
(RFC 9051 §6.2.1), then TLS on the same socket (Python's ssl, server
side), the protocol's post-TLS step, and one application exchange
(SMTP: QUIT -> 221; IMAP: LOGOUT -> BYE), then close_notify and close.

Modes: ok; refuse (the server does not offer STARTTLS); inject (a line
pipelined behind the go-ahead, CVE-2011-0411).
Prints the port on its first line of stdout; logs to stderr what it saw.
"""
import socket
import ssl
import sys


def readline(f):
    line = f.readline(4096)
    sys.stderr.write("stt_server: got %r\n" % line)
    return line


def smtp_plain(conn, f, mode):
    conn.sendall(b"220 mx.test ESMTP stt_server\r\n")
    readline(f)  # EHLO
    if mode == "refuse":
        conn.sendall(b"250-mx.test hello\r\n250-PIPELINING\r\n250 8BITMIME\r\n")
        readline(f)  # the client's QUIT, or EOF
        return False
    conn.sendall(b"250-mx.test hello\r\n250-PIPELINING\r\n250 STARTTLS\r\n")
    readline(f)  # STARTTLS
    if mode == "inject":
        conn.sendall(b"220 2.0.0 Ready to start TLS\r\n250 injected\r\n")
        readline(f)
        return False
    conn.sendall(b"220 2.0.0 Ready to start TLS\r\n")
    return True


def smtp_tls(t, f):
    readline(f)  # the second EHLO (RFC 3207 §4.2)
    t.sendall(b"250-mx.test hello again\r\n250 8BITMIME\r\n")
    readline(f)  # QUIT
    t.sendall(b"221 2.0.0 Bye\r\n")


def imap_plain(conn, f, mode):
    caps = b"IMAP4rev1 LOGINDISABLED" if mode == "refuse" else b"IMAP4rev1 STARTTLS LOGINDISABLED"
    conn.sendall(b"* OK stt_server IMAP ready\r\n")
    while True:
        line = readline(f)
        if not line:
            return False
        parts = line.split()
        tag, cmd = parts[0], parts[1].upper() if len(parts) > 1 else b""
        if cmd == b"CAPABILITY":
            conn.sendall(b"* CAPABILITY " + caps + b"\r\n" + tag + b" OK done\r\n")
        elif cmd == b"STARTTLS" and mode != "refuse":
            extra = b"* OK injected\r\n" if mode == "inject" else b""
            conn.sendall(tag + b" OK Begin TLS negotiation now\r\n" + extra)
            return mode == "ok"
        else:
            conn.sendall(tag + b" BAD unexpected\r\n")
            if cmd == b"LOGOUT":
                return False


def imap_tls(t, f):
    while True:
        line = readline(f)
        if not line:
            return
        parts = line.split()
        tag, cmd = parts[0], parts[1].upper() if len(parts) > 1 else b""
        if cmd == b"CAPABILITY":
            t.sendall(b"* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\n" + tag + b" OK done\r\n")
        elif cmd == b"LOGOUT":
            t.sendall(b"* BYE stt_server logging out\r\n" + tag + b" OK LOGOUT done\r\n")
            return
        else:
            t.sendall(tag + b" BAD unexpected\r\n")


def main():
    proto, mode, cert, key = sys.argv[1:5]
    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("127.0.0.1", 0))
    ls.listen(1)
    print(ls.getsockname()[1], flush=True)
    conn, _ = ls.accept()
    conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    f = conn.makefile("rb", buffering=0)
    plain, secure = (smtp_plain, smtp_tls) if proto == "smtp" else (imap_plain, imap_tls)
    if not plain(conn, f, mode):
        conn.close()
        return
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    t = ctx.wrap_socket(conn, server_side=True)
    tf = t.makefile("rb", buffering=0)
    secure(t, tf)
    t.unwrap().close()


if __name__ == "__main__":
    main()
