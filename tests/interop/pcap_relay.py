#!/usr/bin/env python3
"""A TCP relay that records what it carries as a pcap file.

For tests/interop/test_keylog_tshark.sh where capturing on the loopback
interface is not allowed (no root, no CAP_NET_RAW): it listens on
127.0.0.1 (port 0: the kernel picks), prints "relay listening on PORT",
accepts one connection, connects to the target and copies bytes both ways
until both sides are done. Each chunk becomes one packet with synthetic
Ethernet, IPv4 and TCP headers (a three-way handshake first, FINs at the
end, sequence and acknowledgement numbers that add up), so that tshark
reassembles the stream as if it had been captured.

usage: pcap_relay.py TARGET_PORT OUT.pcap
"""
import select
import socket
import struct
import sys
import time

CLIENT = ("10.0.0.1", 40000)


class Pcap:
    def __init__(self, path, server_port):
        self.f = open(path, "wb")
        # classic pcap, microsecond timestamps, LINKTYPE_ETHERNET
        self.f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        self.server = ("10.0.0.2", server_port)
        self.seq = {0: 1000, 1: 5000}  # 0: client -> server, 1: server -> client

    def packet(self, direction, flags, payload=b""):
        src, dst = (CLIENT, self.server) if direction == 0 else (self.server, CLIENT)
        seq, ack = self.seq[direction], self.seq[1 - direction]
        tcp = struct.pack("!HHIIBBHHH", src[1], dst[1], seq, ack if flags & 0x10 else 0,
                          5 << 4, flags, 65535, 0, 0)
        total = 20 + len(tcp) + len(payload)
        ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, total, 0, 0x4000, 64, 6, 0,
                         socket.inet_aton(src[0]), socket.inet_aton(dst[0]))
        eth = bytes.fromhex("020000000002" "020000000001" "0800")
        frame = eth + ip + tcp + payload
        t = time.time()
        self.f.write(struct.pack("<IIII", int(t), int((t % 1) * 1e6), len(frame), len(frame)))
        self.f.write(frame)
        # SYN and FIN take one sequence number, data its length
        self.seq[direction] = (seq + len(payload) + (1 if flags & 0x03 else 0)) & 0xFFFFFFFF

    def data(self, direction, payload):
        for i in range(0, len(payload), 1400):
            self.packet(direction, 0x18, payload[i:i + 1400])  # PSH, ACK

    def close(self):
        self.f.close()


def main():
    target_port, out = int(sys.argv[1]), sys.argv[2]
    lsock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    lsock.bind(("127.0.0.1", 0))
    lsock.listen(1)
    print("relay listening on %d" % lsock.getsockname()[1], flush=True)
    lsock.settimeout(60)
    client, _ = lsock.accept()
    server = socket.create_connection(("127.0.0.1", target_port), timeout=10)
    pcap = Pcap(out, target_port)
    pcap.packet(0, 0x02)  # SYN
    pcap.packet(1, 0x12)  # SYN, ACK
    pcap.packet(0, 0x10)  # ACK
    ends = {client: (server, 0), server: (client, 1)}
    open_in = {client, server}
    deadline = time.time() + 120
    while open_in and time.time() < deadline:
        ready, _, _ = select.select(list(open_in), [], [], 1)
        for s in ready:
            other, direction = ends[s]
            try:
                chunk = s.recv(65536)
            except OSError:
                chunk = b""
            if chunk:
                pcap.data(direction, chunk)
                other.sendall(chunk)
            else:
                pcap.packet(direction, 0x11)  # FIN, ACK
                open_in.discard(s)
                try:
                    other.shutdown(socket.SHUT_WR)
                except OSError:
                    pass
    pcap.close()
    client.close()
    server.close()


if __name__ == "__main__":
    main()
