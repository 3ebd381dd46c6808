#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""ASAP over TCP, written from RFC 5352/5354 by hand, to test rserpoold
from the outside (rsplib speaks ASAP over SCTP only).

usage: [ASAP_PORT=N] asap_tcp.py [--sctp] HOST PORT COMMAND ARG...
  --sctp: over SCTP instead (a one-to-one association, PPID 11 for ASAP
  and 12 for the enrp-* commands), to test what TCP cannot show
  ASAP_PORT: the PEs carry an ASAP transport, TCP at that port and ADDR
  pe HANDLE ID ADDR [POLICY [WORDS...]]
        register a TCP PE (port 7) and stay: answer keep-alives, print
        "registered" (or "rejected 0xCAUSE" and exit 1); SIGTERM
        deregisters it and prints "deregistered"
  reg HANDLE ID ADDR [POLICY [WORDS...]]
        register once and exit: "registered" or "rejected 0xCAUSE"
  resolve HANDLE [ITEMS]
        the PE IDs of a handle resolution, or "error 0xCAUSE"
  many HANDLE N ADDR
        register PEs 1000..1000+N-1 over one connection, deregister the
        odd ones, print "registered N deregistered M", then stay as pe
        does until SIGTERM (closing the connection)
  bulk HANDLE N ADDR [POOLS]
        register N PEs (IDs 1000...) with a life of an hour, spread over
        POOLS pools HANDLE-0, HANDLE-1... (one pool HANDLE if not given),
        print "registered N" (with " rejected M causes C,..." if some
        were refused), then stay as pe does
  flood HANDLE N
        N handle resolutions at once; prints how many were answered
        (until none comes for 1.5 s)
  garbage
        malformed and unknown messages, then a resolution of "none":
        prints what the registrar answered to that last one
  enrp-unknown ID
        (to ENRP's port) a registrar with server ID ID: a presence, then
        unknown ENRP message and parameter types (discard; discard and
        report; stop and report; skip and report), then a list request:
        prints the ENRP errors in order, as ASAP's "unknown" does, and
        "list" for the list response
  enrp-self ID
        (to ENRP's port) a registrar with server ID ID that sends
        INIT_TAKEOVER and TAKEOVER_SERVER of itself, then a list
        request: prints "ack" for an INIT_TAKEOVER_ACK and "list" for
        the list response, in order
  enrp-moved ID HANDLE PEID ADDR
        (to ENRP's port) a registrar with server ID ID that says, in a
        handle update, it is home of PE PEID of HANDLE (TCP port 7 at
        ADDR); a list request then: prints "moved" at its answer, and
        sends presences until SIGTERM
  enrp-table ID ADDR HANDLE:PEID...
        (to ENRP's port) a registrar with server ID ID, home of the PEs
        given (TCP port 7 at ADDR, round robin): presences with their
        checksum, and the whole table in one response when asked; prints
        "read" each time it was asked, and stays until SIGTERM
  enrp-reread ID [WAIT]
        (to ENRP's port) a registrar with server ID ID that asks for the
        whole table, leaves after the first response and comes back to
        ask again: prints "again" if the second read starts where the
        first did (and there was more to read), or the first PE of each.
        With WAIT it stays instead, sending presences, and asks again
        WAIT seconds later
  hold N SECONDS
        open N connections, print "connected N", keep them SECONDS
  unknown
        unknown message and parameter types, each action of RFC 5354
        (discard, report; stop, skip, each with or without report),
        then a resolution of "none": prints every answer, in order, as
        "error:CAUSE:TYPE" (the type of what the error carries) or
        "resolution:CAUSE"
"""
import os
import signal
import socket
import struct
import sys
import time

REG, DEREG, REG_RESP, DEREG_RESP, RESOLVE, RESOLVE_RESP = 1, 2, 3, 4, 5, 6
KA, KA_ACK = 7, 8
ERROR = 0x0e
P_IPV4, P_TCP, P_POLICY, P_HANDLE, P_PE, P_ERROR, P_PE_ID = 1, 5, 8, 9, 10, 12, 14
P_HRO = 0x803f
POLICIES = {"rr": 1, "wrr": 2, "random": 3, "wrand": 4, "priority": 5,
            "lu": 6}


def tlv(t, v):
    pad = (4 - len(v) % 4) % 4
    return struct.pack("!HH", t, 4 + len(v)) + v + b"\0" * pad


def msg(t, body, flags=0):
    pad = (4 - len(body) % 4) % 4
    return struct.pack("!BBH", t, flags, 4 + len(body)) + body + b"\0" * pad


def params(b):
    out = []
    while len(b) >= 4:
        t, n = struct.unpack("!HH", b[:4])
        if n < 4 or n > len(b):
            break
        out.append((t, b[4:n]))
        b = b[(n + 3) & ~3:]
    return out


# ENRP messages and its checksum parameter.  Every ENRP message opens
# with the sender's and the receiver's server IDs.
PRESENCE, TABLE_REQ, TABLE_RESP, UPDATE = 1, 2, 3, 4
LIST_REQ, LIST_RESP, ENRP_ERROR = 5, 6, 0x0a
INIT_TAKEOVER, TAKEOVER_ACK, TAKEOVER_SERVER = 7, 8, 9
P_CHECKSUM = 0x0f


def enrp_ids(me):
    return struct.pack("!II", me, 0)


def presence_msg(me, csum, extra=b""):
    return msg(PRESENCE, enrp_ids(me) +
               tlv(P_CHECKSUM, struct.pack("!H", csum)) + extra)


def pe_param(pid, addr, policy, words, life=60000, home=0):
    transport = tlv(P_TCP, struct.pack("!HH", 7, 0) +
                    tlv(P_IPV4, socket.inet_aton(addr)))
    pol = tlv(P_POLICY, struct.pack("!I", POLICIES[policy]) +
              b"".join(struct.pack("!I", w) for w in words))
    # $ASAP_PORT: with an ASAP transport, TCP at that port and ADDR
    asap = os.environ.get("ASAP_PORT")
    if asap:
        pol += tlv(P_TCP, struct.pack("!HH", int(asap), 0) +
                   tlv(P_IPV4, socket.inet_aton(addr)))
    return tlv(P_PE, struct.pack("!IIi", pid, home, life) + transport + pol)


def pe_checksum(pes):
    """The PE checksum (RFC 5353) of [(handle, PE ID)]: each handle (an
    odd one padded with a zero byte) and PE ID as 16-bit words, summed
    as RFC 1071 does, inverted."""
    s = 0
    for h, pid in pes:
        h += b"\0" * (len(h) % 2)
        s += sum(struct.unpack("!%dH" % (len(h) // 2), h)) + \
            (pid >> 16) + (pid & 0xffff)
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


SCTP_SNDRCV = 1
MSG_NOTIFICATION = 0x8000


class Link:
    def __init__(self, host, port, ppid=0):
        """Over TCP, or over SCTP with messages of PPID @ppid."""
        self.ppid = ppid
        if ppid:
            self.s = socket.socket(socket.AF_INET, socket.SOCK_STREAM,
                                   socket.IPPROTO_SCTP)
            self.s.settimeout(5)
            self.s.connect((host, port))
        else:
            self.s = socket.create_connection((host, port), timeout=5)
        self.buf = b""

    def send(self, m):
        if not self.ppid:
            self.s.sendall(m)
            return
        # struct sctp_sndrcvinfo: stream, ssn, flags, ppid (as on the
        # wire), context, ttl, tsn, cumtsn, assoc_id
        info = struct.pack("=HHHxxIIIIIi", 0, 0, 0, socket.htonl(self.ppid),
                           0, 0, 0, 0, 0)
        self.s.sendmsg([m], [(socket.IPPROTO_SCTP, SCTP_SNDRCV, info)])

    def read(self):
        while True:
            d, _, flags, _ = self.s.recvmsg(65536)
            if not flags & MSG_NOTIFICATION:
                return d

    def recv_raw(self):
        """The next message: (type, flags, body)."""
        while True:
            if len(self.buf) >= 4:
                t, f, n = struct.unpack("!BBH", self.buf[:4])
                padded = (n + 3) & ~3
                if len(self.buf) >= padded:
                    body = self.buf[4:n]
                    self.buf = self.buf[padded:]
                    return t, f, body
            d = self.read()
            if not d:
                raise EOFError("registrar closed the connection")
            self.buf += d

    def recv(self):
        """The next ASAP message: (type, flags, parameters)."""
        t, f, body = self.recv_raw()
        if t == KA:
            body = body[4:]     # the server ID comes first
        return t, f, params(body)

    def wait(self, want):
        while True:
            t, f, p = self.recv()
            if t == KA:
                self.ack(p)
            elif t == want:
                return f, p

    def ack(self, p):
        body = b"".join(tlv(t, v) for t, v in p if t in (P_HANDLE, P_PE_ID))
        self.send(msg(KA_ACK, body))


def cause(p):
    for t, v in p:
        if t == P_ERROR and len(v) >= 2:
            return "0x%x" % struct.unpack("!H", v[:2])[0]
    return "none"


def register(link, handle, pid, addr, policy, words):
    link.send(msg(REG, tlv(P_HANDLE, handle) +
                  pe_param(pid, addr, policy, words)))
    f, p = link.wait(REG_RESP)
    if f & 1:
        print("rejected " + cause(p))
        return False
    print("registered", flush=True)
    return True


def resolve(link, handle, items=None):
    body = tlv(P_HANDLE, handle)
    if items:
        body += tlv(P_HRO, struct.pack("!I", items))
    link.send(msg(RESOLVE, body))
    _, p = link.wait(RESOLVE_RESP)
    ids = [struct.unpack("!I", v[:4])[0] for t, v in p if t == P_PE]
    return " ".join(str(i) for i in ids) if ids else "error " + cause(p)


def stay(link):
    """Answers keep-alives until SIGTERM."""
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    link.s.settimeout(0.2)
    while not stop:
        try:
            t, _, p = link.recv()
            if t == KA:
                link.ack(p)
        except socket.timeout:
            pass
    link.s.settimeout(5)


def peer_stay(link, presence, answer):
    """As a peer registrar: @presence every 0.4 s, and answer(type) for
    each message that comes, until SIGTERM."""
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    link.s.settimeout(0.2)
    sent = time.monotonic()
    while not stop:
        if time.monotonic() - sent > 0.4:
            link.send(presence)
            sent = time.monotonic()
        try:
            t = link.recv_raw()[0]
        except socket.timeout:
            continue
        answer(t)


def main():
    argv = sys.argv[1:]
    sctp = argv[0] == "--sctp"
    if sctp:
        argv = argv[1:]
    host, port, cmd, args = argv[0], int(argv[1]), argv[2], argv[3:]
    if cmd == "hold":
        conns = [socket.create_connection((host, port), timeout=5)
                 for _ in range(int(args[0]))]
        print("connected %d" % len(conns), flush=True)
        time.sleep(float(args[1]))
        return
    ppid = (12 if cmd.startswith("enrp-") else 11) if sctp else 0
    link = Link(host, port, ppid)
    if cmd in ("pe", "reg"):
        handle, pid, addr = args[0].encode(), int(args[1]), args[2]
        policy = args[3] if len(args) > 3 else "rr"
        words = [int(w) for w in args[4:]]
        if not register(link, handle, pid, addr, policy, words):
            sys.exit(1)
        if cmd == "reg":
            return
        stay(link)
        link.send(msg(DEREG, tlv(P_HANDLE, handle) +
                      tlv(P_PE_ID, struct.pack("!I", pid))))
        f, p = link.wait(DEREG_RESP)
        print("deregistered" if not f & 1 else "refused " + cause(p))
    elif cmd == "many":
        handle, count, addr = args[0].encode(), int(args[1]), args[2]
        for pid in range(1000, 1000 + count):
            link.send(msg(REG, tlv(P_HANDLE, handle) +
                          pe_param(pid, addr, "rr", [])))
        ok = sum(1 for _ in range(count)
                 if not link.wait(REG_RESP)[0] & 1)
        odd = range(1001, 1000 + count, 2)
        for pid in odd:
            link.send(msg(DEREG, tlv(P_HANDLE, handle) +
                          tlv(P_PE_ID, struct.pack("!I", pid))))
        gone = sum(1 for _ in odd if not link.wait(DEREG_RESP)[0] & 1)
        print("registered %d deregistered %d" % (ok, gone), flush=True)
        stay(link)
    elif cmd == "bulk":
        count, addr = int(args[1]), args[2]
        pools = int(args[3]) if len(args) > 3 else 0
        window = 256                # answers read while the next are sent
        answers = []
        for i in range(count):
            handle = args[0] + ("-%d" % (i % pools) if pools else "")
            link.send(msg(REG, tlv(P_HANDLE, handle.encode()) +
                          pe_param(1000 + i, addr, "rr", [], 3600000)))
            if i >= window:
                answers.append(link.wait(REG_RESP))
        for _ in range(min(count, window)):
            answers.append(link.wait(REG_RESP))
        refused = [cause(p) for f, p in answers if f & 1]
        line = "registered %d" % (count - len(refused))
        if refused:
            line += " rejected %d causes %s" % (
                len(refused), ",".join(sorted(set(refused))))
        print(line, flush=True)
        stay(link)
    elif cmd == "flood":
        req = msg(RESOLVE, tlv(P_HANDLE, args[0].encode()))
        link.send(req * int(args[1]))
        link.s.settimeout(1.5)
        answered = 0
        try:
            while True:
                if link.recv()[0] == RESOLVE_RESP:
                    answered += 1
        except socket.timeout:
            pass
        print(answered)
    elif cmd == "resolve":
        print(resolve(link, args[0].encode(),
                      int(args[1]) if len(args) > 1 else None))
    elif cmd == "garbage":
        # A registration whose PE parameter runs past its message, an
        # unknown message type, a parameter shorter than its header, a
        # resolution without a handle: all dropped, the link stays.
        link.send(msg(REG, tlv(P_HANDLE, b"x") +
                      struct.pack("!HH", P_PE, 200) + b"\0" * 8))
        link.send(msg(0x7f, b""))
        link.send(msg(RESOLVE, struct.pack("!HH", P_HANDLE, 2)))
        link.send(msg(RESOLVE, b""))
        print(resolve(link, b"none"))
    elif cmd == "enrp-unknown":
        me = int(args[0], 0)
        ids = enrp_ids(me)
        link.send(presence_msg(me, 0xffff))
        link.send(msg(0x0b, ids))                       # discard
        link.send(msg(0x4b, ids + tlv(P_HANDLE, b"x")))  # discard, report
        link.send(presence_msg(me, 0xffff, tlv(0x4123, b"")))
        link.send(presence_msg(me, 0xffff, tlv(0xc123, b"")))
        link.send(msg(LIST_REQ, ids))
        got = []
        while not got or got[-1] != "list":
            t, _, body = link.recv_raw()
            if t == ENRP_ERROR:
                v = [v for pt, v in params(body[8:]) if pt == P_ERROR][0]
                c, _ = struct.unpack("!HH", v[:4])
                got.append("error:0x%x:0x%x" % (c, struct.unpack(
                    "!B" if c == 2 else "!H", v[4:5] if c == 2
                    else v[4:6])[0]))
            elif t == LIST_RESP:
                got.append("list")
        print(" ".join(got))
    elif cmd == "enrp-self":
        # A peer that says it takes itself over, then that it took
        # itself over: nonsense, not to be acted on.  The link stays.
        me = int(args[0], 0)
        ids = enrp_ids(me)
        link.send(presence_msg(me, 0xffff))
        for t in (INIT_TAKEOVER, TAKEOVER_SERVER):
            link.send(msg(t, ids + struct.pack("!I", me)))
        link.send(msg(LIST_REQ, ids))
        got = []
        while not got or got[-1] != "list":
            t = link.recv_raw()[0]
            got.append({LIST_RESP: "list", TAKEOVER_ACK: "ack"}.get(t))
        print(" ".join(g for g in got if g))
    elif cmd == "enrp-table":
        me, ids = int(args[0], 0), enrp_ids(int(args[0], 0))
        pes = [(h.encode(), int(i)) for h, i in
               (a.split(":") for a in args[2:])]
        table = b"".join(tlv(P_HANDLE, h) +
                         pe_param(i, args[1], "rr", [], home=me)
                         for h, i in pes)
        presence = presence_msg(me, pe_checksum(pes))
        link.send(presence)
        link.send(msg(LIST_REQ, ids))

        def answer(t):
            if t == TABLE_REQ:
                link.send(msg(TABLE_RESP, ids + table))
                print("read", flush=True)
        peer_stay(link, presence, answer)
    elif cmd == "enrp-moved":
        me, pid = int(args[0], 0), int(args[2])
        ids = enrp_ids(me)
        mine = tlv(P_HANDLE, args[1].encode()) + \
            pe_param(pid, args[3], "rr", [], home=me)
        presence = presence_msg(me, pe_checksum([(args[1].encode(), pid)]))
        link.send(presence)
        link.send(msg(UPDATE, ids + struct.pack("!HH", 0, 0) + mine))
        link.send(msg(LIST_REQ, ids))

        def answer(t):
            if t == TABLE_REQ:      # a new peer's table is read
                link.send(msg(TABLE_RESP, ids + mine))
            elif t == LIST_RESP:
                print("moved", flush=True)
        peer_stay(link, presence, answer)
    elif cmd == "enrp-reread":
        me = int(args[0], 0)
        wait = float(args[1]) if len(args) > 1 else 0
        firsts = []
        for _ in range(2):
            if firsts and wait:
                end = time.time() + wait
                while time.time() < end:
                    link.send(presence_msg(me, 0xffff))
                    time.sleep(0.5)
            elif firsts:
                link = Link(host, port, ppid)
            link.send(presence_msg(me, 0xffff))
            link.send(msg(TABLE_REQ, enrp_ids(me)))
            t = None
            while t != TABLE_RESP:
                t, f, body = link.recv_raw()
            ps = params(body[8:])
            h = [v for pt, v in ps if pt == P_HANDLE][0]
            pid = struct.unpack("!I", [v for pt, v in ps if pt == P_PE][0][:4])
            firsts.append("%s/%d%s" % (h.decode(), pid[0],
                                       " (more)" if f & 2 else ""))
            if not wait:
                link.s.close()
        print("again" if firsts[0] == firsts[1] and "more" in firsts[0]
              else " then ".join(firsts))
    elif cmd == "unknown":
        res = tlv(P_HANDLE, b"none")
        link.send(msg(0x3f, b""))                       # discard
        # discard, report; its body well formed, as decoders of the
        # error (Wireshark) parse the message it carries
        link.send(msg(0x7f, tlv(P_HANDLE, b"x")))
        link.send(msg(RESOLVE, res + tlv(0x0123, b"")))  # stop
        link.send(msg(RESOLVE, res + tlv(0x4123, b"")))  # stop, report
        link.send(msg(RESOLVE, res + tlv(0x8123, b"")))  # skip
        link.send(msg(RESOLVE, res + tlv(0xc123, b"")))  # skip, report
        link.send(msg(RESOLVE, res))
        got = []
        while len(got) < 6:
            t, _, p = link.recv()
            if t == ERROR:
                v = [v for pt, v in p if pt == P_ERROR][0]
                c, _ = struct.unpack("!HH", v[:4])
                got.append("error:0x%x:0x%x" % (c, struct.unpack(
                    "!B" if c == 2 else "!H", v[4:5] if c == 2
                    else v[4:6])[0]))
            elif t == RESOLVE_RESP:
                got.append("resolution:" + cause(p))
        print(" ".join(got))
    else:
        sys.exit("unknown command " + cmd)


if __name__ == "__main__":
    main()
