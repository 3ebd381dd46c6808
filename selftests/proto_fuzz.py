#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Random ASAP and ENRP conversations with a registrar, to find states
that bad or odd input can drive it into (the codec's own fuzzer sees one
message at a time, never what they do together).

usage: proto_fuzz.py HOST SECONDS [SEED] [--sctp] [--mcast]

Several links at once to HOST's ASAP (3863) and ENRP (9901) ports, over
TCP (and SCTP with --sctp): messages of every type, mostly well formed,
their fields drawn from small sets so that they meet (a few server IDs,
the registrar's own among them, a few handles and PE IDs), some of them
mangled; links opened and closed at random; with --mcast ENRP messages
(presences mostly) to ENRP's multicast group too.  Whatever comes back
is read and dropped.  Prints "sent N messages" at the end; exits 1 if a
connection to a port is refused (the registrar is gone).
"""
import os
import random
import select
import socket
import struct
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import asap_tcp as a  # noqa: E402

PR_ID = 0x2222          # the registrar under test (its -i)
IDS = [0x7001, 0x7002, 0x7003, PR_ID, 0, 0xffffffff]
HANDLES = [b"F1", b"F1", b"F2", b"fuzz-pool-3", b"", b"x" * 40]
PE_IDS = [1, 2, 3, 0x10, 0xffffffff]
P_IPV6, P_SCTP, P_UDP = 2, 4, 6
P_SERVER_INFO, P_COOKIE, P_CHECKSUM = 0x0b, 0x0d, 0x0f


def addr(r):
    if r.random() < 0.8:
        return a.tlv(a.P_IPV4, socket.inet_aton(
            r.choice(["10.13.0.3", "10.13.0.3", "10.13.0.8", "127.0.0.1",
                      "0.0.0.0", "224.0.0.1"])))
    return a.tlv(P_IPV6, socket.inet_pton(
        socket.AF_INET6, r.choice(["::1", "fe80::1", "2001:db8::1"])))


def transport(r):
    t = r.choice([a.P_TCP, a.P_TCP, P_SCTP, P_SCTP, P_UDP, 3, 7])
    port = r.choice([7, 7, 0, 65535, 3863])
    n = 1 if t != P_SCTP else r.choice([0, 1, 1, 2, 3])
    service = struct.pack("!I", 5) if t == 3 else b""
    return a.tlv(t, struct.pack("!HH", port, r.choice([0, 0, 1, 2])) +
                 service + b"".join(addr(r) for _ in range(n)))


# Policies with their number of words (mostly right).
POLICY_WORDS = {1: 0, 2: 1, 3: 0, 4: 1, 5: 1, 0x40000001: 1, 0x40000002: 2,
                0x40000003: 2, 0x40000004: 1, 0xb0002001: 3, 0: 0, 99: 1}


def policy(r):
    kind = r.choice(list(POLICY_WORDS))
    n = POLICY_WORDS[kind] if r.random() < 0.9 else r.randrange(4)
    words = [r.choice([0, 1, 5, 0xffffffff]) for _ in range(n)]
    return a.tlv(a.P_POLICY, struct.pack("!I", kind) +
                 b"".join(struct.pack("!I", w) for w in words))


def pe(r):
    life = r.choice([0, 1, 500, 60000, 0x7fffffff, -1, -5])
    body = struct.pack("!IIi", r.choice(PE_IDS), r.choice(IDS), life)
    body += transport(r) + policy(r)
    if r.random() < 0.3:
        body += transport(r)
    return a.tlv(a.P_PE, body)


def handle(r):
    return a.tlv(a.P_HANDLE, r.choice(HANDLES))


def pe_id(r):
    return a.tlv(a.P_PE_ID, struct.pack("!I", r.choice(PE_IDS)))


def server_info(r):
    return a.tlv(P_SERVER_INFO, struct.pack("!I", r.choice(IDS)) +
                 a.tlv(P_SCTP, struct.pack("!HH", 9901, 0) + addr(r)))


def op_error(r):
    cause = r.choice([0, 1, 2, 3, 9, 0x100a, 0xffff])
    info = r.randbytes(r.randrange(8))
    return a.tlv(a.P_ERROR, struct.pack("!HH", cause, 4 + len(info)) + info)


def asap_msg(r):
    t = r.choice([1, 1, 2, 2, 5, 5, 7, 8, 8, 9, 9, 0x0a, 0x0b, 0x0c, 0x0d,
                  0x0e, 0x3f, 0x7f, 0xbf])
    if t == 1:
        body = handle(r) + pe(r)
    elif t in (2, 8, 9):
        body = handle(r) + pe_id(r)
    elif t == 5:
        body = handle(r)
        if r.random() < 0.5:
            body += a.tlv(a.P_HRO, struct.pack(
                "!I", r.choice([0, 1, 3, 0xffffffff])))
    elif t == 7:
        body = struct.pack("!I", r.choice(IDS)) + handle(r) + pe_id(r)
    elif t == 0x0a:
        body = struct.pack("!I", r.choice(IDS)) + transport(r)
    elif t in (0x0b, 0x0c):
        body = a.tlv(P_COOKIE, r.randbytes(r.randrange(16)))
    elif t == 0x0d:
        body = handle(r) + b"".join(pe(r) for _ in range(r.randrange(3)))
    else:
        body = op_error(r)
    return a.msg(t, body, r.choice([0, 0, 1, 2, 0xff]))


def enrp_msg(r, t=None):
    t = t or r.choice([1, 1, 1, 2, 3, 3, 4, 4, 4, 5, 6, 7, 8, 9, 0x0a, 0x0b,
                       0x4b])
    ids = struct.pack("!II", r.choice(IDS), r.choice(IDS))
    if t == 1:
        body = a.tlv(P_CHECKSUM, struct.pack("!H", r.randrange(65536)))
        if r.random() < 0.7:
            body += server_info(r)
    elif t == 3:
        body = b"".join(handle(r) + b"".join(pe(r) for _ in
                                             range(r.randrange(1, 3)))
                        for _ in range(r.randrange(3)))
    elif t == 4:
        body = struct.pack("!HH", r.choice([0, 0, 1, 1, 2]), 0) + \
            handle(r) + pe(r)
    elif t == 6:
        body = b"".join(server_info(r) for _ in range(r.randrange(3)))
    elif t in (7, 8, 9):
        body = struct.pack("!I", r.choice(IDS))
    elif t == 0x0a:
        body = op_error(r)
    else:
        body = b""
    return a.msg(t, ids + body, r.choice([0, 0, 0, 1, 2, 3, 0xff]))


def mangle(r, m):
    """Some bytes changed, the length field kept (or the link would only
    lose its framing), or the message cut short within its length."""
    b = bytearray(m)
    k = r.random()
    if k < 0.5 and len(b) > 4:
        for _ in range(r.randrange(1, 4)):
            b[r.randrange(4, len(b))] = r.randrange(256)
    elif k < 0.8 and len(b) > 8:
        # a parameter length somewhere: a word after the header
        i = 4 + 4 * r.randrange((len(b) - 4) // 4)
        b[i + 2:i + 4] = struct.pack("!H", r.choice([0, 3, 4, 5, 0xffff]))
    else:
        n = r.randrange(4, len(b) + 1)
        b = b[:n]
        b[2:4] = struct.pack("!H", n)
        b += b"\0" * ((4 - n % 4) % 4)
    return bytes(b)


class Link(a.Link):
    """asap_tcp's link that does not wait: what the registrar cannot take
    at once is not sent, what it sends is read and dropped."""
    def __init__(self, host, port, sctp):
        self.enrp = port == 9901
        super().__init__(host, port, (12 if self.enrp else 11) if sctp
                         else 0)
        self.s.setblocking(False)

    def send(self, m):
        try:
            super().send(m)
            return True
        except BlockingIOError:
            return True         # the registrar is slow: not our business
        except OSError:
            return False

    def drain(self):
        try:
            while self.s.recv(65536):
                pass
            return False        # closed by the registrar
        except BlockingIOError:
            return True
        except OSError:
            return False


class Group:
    """ENRP's multicast group (239.0.0.51:9901, as rsplib), sent to from
    the address that reaches HOST."""
    def __init__(self, host):
        u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        u.connect((host, 9))
        me = u.getsockname()[0]
        u.close()
        self.s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF,
                          socket.inet_aton(me))

    def send(self, m):
        try:
            self.s.sendto(m, ("239.0.0.51", 9901))
        except OSError:
            pass


def main():
    host, secs = sys.argv[1], float(sys.argv[2])
    seed = int(sys.argv[3]) if len(sys.argv) > 3 and \
        sys.argv[3].isdigit() else 1
    sctp = "--sctp" in sys.argv
    group = Group(host) if "--mcast" in sys.argv else None
    r = random.Random(seed)
    links, sent = [], 0
    end = time.monotonic() + secs
    while time.monotonic() < end:
        if len(links) < 2 or (len(links) < 8 and r.random() < 0.02):
            port = r.choice([3863, 9901])
            try:
                links.append(Link(host, port,
                                  sctp and r.random() < 0.5))
            except ConnectionRefusedError:
                print("refused at port %d" % port)
                sys.exit(1)
            except TimeoutError:
                pass            # a slow registrar (under a sanitizer)
            continue
        if group and r.random() < 0.05:
            # mostly presences, whose senders become peers
            group.send(enrp_msg(r, 1 if r.random() < 0.7 else None))
            sent += 1
            continue
        k = r.choice(links)
        if r.random() < 0.01:
            k.s.close()
            links.remove(k)
            continue
        m = enrp_msg(r) if k.enrp else asap_msg(r)
        if r.random() < 0.15:
            m = mangle(r, m)
        if not k.send(m) or not k.drain():
            k.s.close()
            links.remove(k)
            continue
        sent += 1
        if sent % 64 == 0:
            select.select([], [], [], 0.01)
    for k in links:
        k.s.close()
    print("sent %d messages" % sent)


if __name__ == "__main__":
    main()
