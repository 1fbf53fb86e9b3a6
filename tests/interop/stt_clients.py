#!/usr/bin/python3
"""Client libraries against the server half of ward's STARTTLS dialogues,
for tests/interop/test_starttls_server_half.sh.

  stt_clients.py lib PROTO PORT CAFILE   Python's own client library
      (smtplib, imaplib, poplib, ftplib.FTP_TLS, nntplib) upgrades with
      STARTTLS, verifying "localhost" against CAFILE, says one command over
      TLS and quits. Prints "PROTO: go-ahead <reply> version <TLS version>".
  stt_clients.py inject PROTO PORT        a raw socket: the capability
      command, then the command that starts TLS with another command
      pipelined in the same send (CVE-2011-0411). Prints what came back
      after that send and whether the server closed the connection.
"""
import re
import socket
import ssl
import sys
import warnings


def lib_client(proto, port, cafile):
    ctx = ssl.create_default_context(cafile=cafile)
    host = "localhost"
    if proto == "smtp":
        import smtplib
        s = smtplib.SMTP(host, port, timeout=10)
        code, _ = s.starttls(context=ctx)
        version = s.sock.version()
        code2, _ = s.ehlo()
        assert code2 == 250, code2
        s.quit()
        return code, version
    if proto == "imap":
        import imaplib
        s = imaplib.IMAP4(host, port, timeout=10)
        typ, _ = s.starttls(ssl_context=ctx)
        version = s.sock.version()
        typ2, caps = s.capability()
        assert typ2 == "OK" and b"AUTH=PLAIN" in caps[0], caps
        s.logout()
        return typ, version
    if proto == "pop3":
        import poplib
        s = poplib.POP3(host, port, timeout=10)
        resp = s.stls(context=ctx)
        version = s.sock.version()
        caps = s.capa()
        assert "USER" in caps, caps
        s.quit()
        return resp.decode().split()[0], version
    if proto == "ftp":
        import ftplib
        s = ftplib.FTP_TLS(timeout=10, context=ctx)
        s.connect(host, port)
        resp = s.auth()
        version = s.sock.version()
        s.prot_p()
        assert s.pwd() == "/"
        s.quit()
        return resp.split()[0], version
    if proto == "nntp":
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            import nntplib
        s = nntplib.NNTP(host, port, timeout=10)
        s.starttls(context=ctx)
        version = s.sock.version()
        assert s.tls_on
        s.quit()
        return "382", version
    raise SystemExit("unknown protocol " + proto)


# PROTO: (the end of the greeting, the capability command, the end of its
# reply, the command that starts TLS, the command pipelined behind it)
INJECT = {
    "smtp": (rb"^220 .*\r\n", b"EHLO x", rb"^250 .*\r\n", b"STARTTLS", b"MAIL FROM:<a@b>"),
    "lmtp": (rb"^220 .*\r\n", b"LHLO x", rb"^250 .*\r\n", b"STARTTLS", b"MAIL FROM:<a@b>"),
    "imap": (rb"^\* OK .*\r\n", b"a CAPABILITY", rb"^a OK .*\r\n", b"b STARTTLS",
             b"c LOGIN u p"),
    "pop3": (rb"^\+OK .*\r\n", b"CAPA", rb"^\.\r\n", b"STLS", b"USER u"),
    "ftp": (rb"^220 .*\r\n", b"FEAT", rb"^211 .*\r\n", b"AUTH TLS", b"USER u"),
    "nntp": (rb"^20[01] .*\r\n", b"CAPABILITIES", rb"^\.\r\n", b"STARTTLS", b"GROUP x"),
    "sieve": (rb"^OK.*\r\n", b"CAPABILITY", rb"^OK.*\r\n", b"STARTTLS", b"LOGOUT"),
}


def read_until(sock, buf, pattern):
    while not re.search(pattern, buf, re.M):
        chunk = sock.recv(4096)
        if not chunk:
            raise SystemExit("the server closed early; got %r" % buf)
        buf += chunk
    return buf


def inject(proto, port):
    greet_end, cap, cap_end, start, extra = INJECT[proto]
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    read_until(sock, b"", greet_end)
    sock.sendall(cap + b"\r\n")
    read_until(sock, b"", cap_end)
    sock.sendall(start + b"\r\n" + extra + b"\r\n")  # one send, one segment
    after = b""
    closed = False
    try:
        while True:
            chunk = sock.recv(4096)
            if not chunk:
                closed = True
                break
            after += chunk
    except socket.timeout:
        pass
    print("%s: after %r: %r, closed %s" % (proto, start.decode(), after.decode(), closed))


if __name__ == "__main__":
    if sys.argv[1] == "lib":
        code, version = lib_client(sys.argv[2], int(sys.argv[3]), sys.argv[4])
        print("%s: go-ahead %s version %s" % (sys.argv[2], code, version))
    else:
        inject(sys.argv[2], int(sys.argv[3]))
