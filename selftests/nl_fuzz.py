#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""rserpool.ko's two interfaces under random use at once, to find what
their targeted tests (bad_input.py, sockopt_test) do not: requests and
selections racing each other, and input no test thought of.

usage: nl_fuzz.py SECONDS [SEED]

Three processes for SECONDS: a writer sends generic netlink requests of
every command (PE_NEW only in the last second, under generous limits,
to leave PEs in the table), mostly well formed, their fields drawn from
small sets so that they meet (a few handles, PE IDs, homes, every
policy), some mangled (attribute types, lengths, nesting flags, bytes);
a reader dumps pools and PEs and resolves; and an unprivileged one
(user nobody) makes the socket options' selections, resolutions and
reports on TCP, UDP and SCTP sockets with random arguments and buffer
lengths.  Prints one line
"requests N accepted N refused N selections N" at the end.  Needs
rserpool.ko loaded and CAP_NET_ADMIN.
"""
import ctypes
import json
import os
import random
import socket
import struct
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from rsp_nl import *  # noqa: E402,F403
from rsp_nl import NLM_F_DUMP  # noqa: E402

HANDLES = [b"K1", b"K2", b"k-three", b"K1\0", b"x" * 64, b"y" * 65, b""]
IDS = [1, 2, 3, 7, 0, 0xffffffff]
HOMES = [0, 0x1111, 0x2222]
PROTOS = [6, 6, 132, 17, 136, 33, 0, 255]
POLICIES = list(POLICY.values()) + [0, 7, 0x40000009]
SO_SELECT, SO_RESOLVE, SO_PEER, SO_REPORT = (
    DEF["RSP_SO_" + k] for k in ("SELECT", "RESOLVE", "PEER", "REPORT"))
HANDLE_MAX = DEF["RSP_HANDLE_MAX"]


def addrs(r):
    out = []
    for _ in range(r.choice([0, 1, 1, 2, 3, 17])):
        if r.random() < 0.75:
            out.append(ipv4(r.choice(["10.0.0.1", "10.0.0.2", "0.0.0.0",
                                      "127.0.0.1", "224.0.0.9"])))
        else:
            out.append(attr(ADDR_IPV6, socket.inet_pton(
                socket.AF_INET6, r.choice(["::1", "2001:db8::7",
                                           "fe80::1", "::"]))))
    if r.random() < 0.05:
        out.append(attr(r.randrange(8), r.randbytes(r.randrange(20))))
    return nest(A["PE_ADDRS"], *out)


def policy(r):
    kinds = [u32(POL["TYPE"], r.choice(POLICIES))]
    for k in r.sample(sorted(POL), r.randrange(4)):
        if k != "TYPE":
            kinds.append(u32(POL[k], r.choice([0, 1, 50, 0xffffffff])))
    if r.random() < 0.05:
        kinds = kinds[1:]
    return nest(A["PE_POLICY"], *kinds)


def pe(r):
    """The attributes of a PE, now and then one left out or doubled."""
    out = [attr(A["POOL_HANDLE"], r.choice(HANDLES)),
           u32(A["PE_ID"], r.choice(IDS)),
           u8(A["PE_PROTO"], r.choice(PROTOS)),
           u16(A["PE_PORT"], r.choice([7, 7, 0, 65535])),
           addrs(r), policy(r)]
    if r.random() < 0.5:
        out.append(u32(A["PE_HOME"], r.choice(HOMES)))
    if r.random() < 0.3:
        out.append(u32(A["PE_LIFETIME"], r.choice([0, 1, 50, 60000])))
    if r.random() < 0.2:
        out.append(u8(A["PE_TRANSPORT_USE"], r.choice([0, 1, 2])))
    if r.random() < 0.2:
        out += [u16(A["PE_ASAP_PORT"], r.choice([0, 3863])),
                nest(A["PE_ASAP_ADDRS"], ipv4("10.0.0.3")),
                u8(A["PE_ASAP_PROTO"], r.choice([6, 132, 17]))]
    if r.random() < 0.1:
        del out[r.randrange(len(out))]
    if r.random() < 0.05:
        out.append(r.choice(out))
    return out


def request(r, only=None):
    """(command, attributes, flags) of one random request (of command
    @only if given)."""
    cmd = only or r.choice([
        "PE_NEW", "PE_NEW", "PE_NEW", "PE_SET", "PE_DEL", "PE_DEL",
        "PE_GET", "POOL_GET", "DEL_HOME", "FLUSH", "RESOLVE", "RESOLVE",
        "REPORT", "REPORT", "LIMITS_GET", "LIMITS_SET", "STATS_GET",
        "HOME_GET"])
    flags = 0
    if cmd in ("PE_NEW", "PE_SET"):
        if r.random() < 0.05:
            # a batch of many: dumps that take several parts
            base = 100 + 64 * r.randrange(8)
            a = [nest(A["PE"], *pe_attrs(b"K-many", i))
                 for i in range(base, base + 64)]
        elif r.random() < 0.3:
            a = [nest(A["PE"], *pe(r)) for _ in range(r.randrange(1, 5))]
        else:
            a = pe(r)
        if r.random() < 0.3:
            a.append(attr(A["REPLACE"], b""))
        if r.random() < 0.3:
            a.append(attr(A["QUIET"], b""))
    elif cmd in ("PE_DEL", "REPORT", "PE_GET"):
        a = [attr(A["POOL_HANDLE"], r.choice(HANDLES)),
             u32(A["PE_ID"], r.choice(IDS))]
        if cmd == "PE_GET" and r.random() < 0.5:
            a, flags = [], NLM_F_DUMP
    elif cmd in ("POOL_GET", "RESOLVE"):
        a = [attr(A["POOL_HANDLE"], r.choice(HANDLES))]
        if cmd == "RESOLVE" and r.random() < 0.6:
            a.append(u32(A["COUNT"], r.choice([0, 1, 3, 129, 100000])))
        if cmd == "POOL_GET" and r.random() < 0.5:
            a, flags = [], NLM_F_DUMP
    elif cmd in ("DEL_HOME", "HOME_GET"):
        a = [u32(A["PE_HOME"], r.choice(HOMES))]
    elif cmd == "LIMITS_SET":
        a = [nest(A["LIMITS"], *[u32(v, r.choice([0, 1, 5, 100, 1 << 20]))
                                 for v in r.sample(sorted(LIMIT.values()),
                                                   r.randrange(1, 3))])]
    elif cmd == "FLUSH" and r.random() < 0.95:
        cmd, a = "STATS_GET", []      # rarely: the table must fill up
    else:
        a = []
    return cmd, a, flags


def mangle(r, attrs):
    """Bytes of attributes changed: a type, a length, a nesting flag."""
    b = bytearray(b"".join(attrs))
    if not b:
        return bytes(r.randbytes(r.randrange(12)))
    k = r.random()
    i = 4 * r.randrange(len(b) // 4)
    if k < 0.3:
        b[i + 2] = r.randrange(40)
    elif k < 0.6:
        b[i:i + 2] = struct.pack("=H", r.choice([0, 3, 4, 5, 0xffff,
                                                 len(b) - i + 4]))
    elif k < 0.8:
        b[i + 3] ^= 0x80
    else:
        b[r.randrange(len(b))] = r.randrange(256)
    return bytes(b)


def writer(r, end):
    rsp = Rsp()
    n = ok = refused = 0
    filling = False
    while time.monotonic() < end:
        # The last second only adds, under generous limits: the table
        # is left with PEs in it.
        if not filling and time.monotonic() > end - 1:
            filling = True
            rsp.request("LIMITS_SET", nest(A["LIMITS"], *[
                u32(LIMIT[k], 1 << 16) for k in ("MAX_POOLS", "MAX_PES",
                                                  "MAX_POOL_PES")]))
        cmd, a, flags = request(r, "PE_NEW" if filling else None)
        n += 1
        if r.random() < 0.15:
            a = [mangle(r, a)]
        try:
            rsp.request(cmd, *a, flags=flags)
            ok += 1
        except NetlinkError:
            refused += 1
    return n, ok, refused


def reader(r, end):
    rsp = Rsp()
    n = 0
    while time.monotonic() < end:
        try:
            k = r.random()
            if k < 0.4:
                rsp.dump("PE_GET")
            elif k < 0.6:
                rsp.dump("POOL_GET")
            else:
                rsp.request("RESOLVE", attr(A["POOL_HANDLE"],
                                            r.choice(HANDLES[:3])),
                            u32(A["COUNT"], r.choice([1, 3, 128])))
            n += 1
        except NetlinkError:
            pass
    return n


def handle(r):
    h = r.choice(HANDLES)
    n = len(h) if r.random() < 0.95 else r.choice([0, 65, 0xffffffff])
    return struct.pack("=I", n) + h[:HANDLE_MAX].ljust(HANDLE_MAX, b"\0")


def so_call(libc, fd, level, set_, name, buf, n):
    ln = ctypes.c_uint32(n)
    if set_:
        return libc.setsockopt(fd, level, name, buf, n)
    return libc.getsockopt(fd, level, name, buf, ctypes.byref(ln))


def selector(r, end):
    """As user nobody: the socket options, on sockets of each kind."""
    os.setgroups([])
    os.setgid(65534)
    os.setuid(65534)
    libc = ctypes.CDLL(None, use_errno=True)
    socks = [socket.socket(socket.AF_INET, socket.SOCK_STREAM),
             socket.socket(socket.AF_INET6, socket.SOCK_STREAM),
             socket.socket(socket.AF_INET, socket.SOCK_DGRAM),
             socket.socket(socket.AF_INET, socket.SOCK_STREAM,
                           socket.IPPROTO_SCTP)]
    buf = ctypes.create_string_buffer(1 << 16)
    n = 0
    while time.monotonic() < end:
        s = r.choice(socks)
        level = socket.SOL_IP if s.family == socket.AF_INET else \
            r.choice([socket.SOL_IP, socket.IPPROTO_IPV6])
        op = r.choice(["select", "select", "resolve", "resolve", "peer",
                       "report"])
        h = handle(r)
        if op == "select":
            cnt = r.choice([0, 1, 2, 8, 9, 0xffffffff])
            data = h + struct.pack("=I", cnt) + b"".join(
                struct.pack("=I", r.choice(IDS)) for _ in range(8))
            name, set_ = SO_SELECT, False
        elif op == "resolve":
            data = h + struct.pack("=I", r.choice([0, 1, 3, 128, 129]))
            name, set_ = SO_RESOLVE, False
        elif op == "peer":
            data, name, set_ = h, SO_PEER, False
        else:
            data = h + struct.pack("=I", r.choice(IDS))
            name, set_ = SO_REPORT, True
        ctypes.memmove(buf, data, len(data))
        size = r.choice([len(data), len(data) + 4, 1 << 16, 4, 0,
                         r.randrange(1 << 16)])
        so_call(libc, s.fileno(), level, set_, name, buf, size)
        n += 1
    return n


def main():
    secs = float(sys.argv[1])
    seed = int(sys.argv[2]) if len(sys.argv) > 2 else 1
    end = time.monotonic() + secs
    pipes = []
    for k, work in enumerate((writer, reader, selector)):
        rd, wr = os.pipe()
        if os.fork() == 0:
            os.close(rd)
            out = work(random.Random(seed * 3 + k), end)
            os.write(wr, json.dumps(out).encode())
            os._exit(0)
        os.close(wr)
        pipes.append(rd)
    got = []
    for rd in pipes:
        got.append(json.loads(os.read(rd, 4096).decode() or "null"))
        os.wait()
    if None in got:
        sys.exit("a worker failed")
    (n, ok, refused), _, sel = got
    print("requests %d accepted %d refused %d selections %d" %
          (n, ok, refused, sel))


if __name__ == "__main__":
    main()
