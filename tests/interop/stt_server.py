#!/usr/bin/env python3
"""A tiny scripted STARTTLS server for tests/interop/test_client_url.sh.

One connection: the plaintext dialogue of SMTP (RFC 3207) or IMAP
(RFC 9051 §6.2.1), then TLS on the same socket (Python's ssl, server
side), the protocol's post-TLS step, and one application exchange
(SMTP: QUIT -> 221; IMAP: LOGOUT -> BYE), then close_notify and close.

Modes: ok; refuse (the server does not offer STARTTLS); inject (a line
pipelined behind the go-ahead, CVE-2011-0411).
The other protocols with a client half (lmtp, pop3, sieve, ftp, nntp,
xmpp, xmpp-server) have the inject mode only (INJECT_SCRIPTS, which has
smtp and imap too): the
plaintext dialogue up to the go-ahead, sent in the same segment as a
line of the protocol that must never reach the client as protected data;
and inject-late, the same line sent on its own once the client has begun
its handshake.
Protocol "reset": implicit TLS; the server sends one line, waits, then
resets the connection (SO_LINGER 0) without a close_notify.
Prints the port on its first line of stdout; logs to stderr what it saw.
"""
import socket
import ssl
import struct
import sys
import time


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


XMPP_FEATURES = (b"<stream:features><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'>"
                 b"<required/></starttls></stream:features>")


def xmpp_header(ns):
    return (b"<?xml version='1.0'?><stream:stream xmlns='" + ns + b"' version='1.0' "
            b"from='localhost' id='stt1' xmlns:stream='http://etherx.jabber.org/streams'>")


# proto -> (greeting, [(what the client sends, the answer)...], injected):
# the greeting first (None: the client speaks first), then each client
# message, found by its start, gets its answer; the last answer is the
# go-ahead, and the injected bytes go in the same send.
INJECT_SCRIPTS = {
    "smtp": (b"220 mx.test ESMTP stt_server\r\n",
             [(b"EHLO ", b"250-mx.test hello\r\n250-PIPELINING\r\n250 STARTTLS\r\n"),
              (b"STARTTLS", b"220 2.0.0 Ready to start TLS\r\n")],
             b"250 injected\r\n"),
    "imap": (b"* OK stt_server IMAP ready\r\n",
             [(b"CAPABILITY", b"* CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED\r\n{tag} OK done\r\n"),
              (b"STARTTLS", b"{tag} OK Begin TLS negotiation now\r\n")],
             b"* OK injected\r\n"),
    "lmtp": (b"220 lmtp.test LMTP stt_server\r\n",
             [(b"LHLO ", b"250-lmtp.test\r\n250-PIPELINING\r\n250 STARTTLS\r\n"),
              (b"STARTTLS", b"220 2.0.0 Ready to start TLS\r\n")],
             b"250 2.1.0 injected\r\n"),
    "pop3": (b"+OK stt_server POP3 ready\r\n",
             [(b"CAPA", b"+OK Capability list follows\r\nSTLS\r\nUSER\r\n.\r\n"),
              (b"STLS", b"+OK Begin TLS negotiation\r\n")],
             b"+OK injected\r\n"),
    "sieve": (b'"IMPLEMENTATION" "stt_server"\r\n"SIEVE" "fileinto"\r\n"STARTTLS"\r\n'
              b'"VERSION" "1.0"\r\nOK "ready"\r\n',
              [(b"STARTTLS", b'OK "Begin TLS negotiation now."\r\n')],
              b'OK "injected"\r\n'),
    "ftp": (b"220 stt_server FTP ready\r\n",
            [(b"AUTH TLS", b"234 AUTH TLS successful\r\n")],
            b"230 injected\r\n"),
    "nntp": (b"200 stt_server NNTP ready\r\n",
             [(b"CAPABILITIES", b"101 Capability list:\r\nVERSION 2\r\nREADER\r\nSTARTTLS\r\n.\r\n"),
              (b"STARTTLS", b"382 Continue with TLS negotiation\r\n")],
             b"211 injected\r\n"),
    "xmpp": (None,
             [(b"<?xml", xmpp_header(b"jabber:client") + XMPP_FEATURES),
              (b"<starttls", b"<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>")],
             b"<success xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>"),
    "xmpp-server": (None,
                    [(b"<?xml", xmpp_header(b"jabber:server") + XMPP_FEATURES),
                     (b"<starttls", b"<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>")],
                    b"<db:result from='localhost' to='localhost' type='valid'/>"),
}


def read_message(conn, buf, start):
    """Bytes from conn until buf holds a message beginning with start,
    ended by a line end (the line protocols) or '>' (XMPP); returns the
    message and the rest of buf after it."""
    end = b">" if start.startswith(b"<") else b"\n"
    while True:
        i = buf.find(start)
        if i >= 0:
            j = buf.find(end, i + len(start))
            if j >= 0:
                sys.stderr.write("stt_server: got %r\n" % buf[:j + 1])
                return buf[:j + 1], buf[j + 1:]
        data = conn.recv(4096)
        if not data:
            raise EOFError("the client closed before sending %r" % start)
        buf += data


def scripted_inject(conn, proto, late):
    """late: the injected bytes go 0.3 s after the go-ahead, in a send of
    their own, when the client has begun its handshake."""
    greeting, steps, injected = INJECT_SCRIPTS[proto]
    if greeting:
        conn.sendall(greeting)
    buf = b""
    for n, (start, answer) in enumerate(steps):
        msg, buf = read_message(conn, buf, start)
        # IMAP: the answer's tag is the command's
        answer = answer.replace(b"{tag}", msg.split(b" ", 1)[0].strip())
        conn.sendall(answer + injected if n == len(steps) - 1 and not late else answer)
    if late:
        time.sleep(0.3)
        conn.sendall(injected)
    sys.stderr.write("stt_server: sent the go-ahead and %r\n" % injected)
    # the client must not go on: wait (bounded) for it to close
    conn.settimeout(10)
    try:
        while conn.recv(4096):
            pass
    except OSError:
        pass
    conn.close()


def reset_after_line(conn, cert, key):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    t = ctx.wrap_socket(conn, server_side=True)
    t.sendall(b"one line, then a reset\n")
    time.sleep(0.3)
    t.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    t.close()


def main():
    proto, mode, cert, key = sys.argv[1:5]
    if proto in INJECT_SCRIPTS and proto not in ("smtp", "imap") and mode not in ("inject", "inject-late"):
        sys.exit("stt_server: %s has only the inject and inject-late modes" % proto)
    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("127.0.0.1", 0))
    ls.listen(1)
    print(ls.getsockname()[1], flush=True)
    conn, _ = ls.accept()
    conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    f = conn.makefile("rb", buffering=0)
    if proto == "reset":
        reset_after_line(conn, cert, key)
        return
    # smtp and imap inject: the hand-written dialogues below (their ok and
    # refuse modes too); inject-late: the script, for every protocol
    if proto in INJECT_SCRIPTS and (mode == "inject-late" or proto not in ("smtp", "imap")):
        scripted_inject(conn, proto, mode == "inject-late")
        return
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
