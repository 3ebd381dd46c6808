# SPDX-License-Identifier: GPL-2.0
"""A raw generic netlink client for the rserpool family, standard library
only, so that tests can send what rspctl would refuse to build."""

import errno
import os
import socket
import struct

NETLINK_GENERIC = 16
GENL_ID_CTRL = 0x10
CTRL_CMD_GETFAMILY = 3
CTRL_ATTR_FAMILY_ID = 1
CTRL_ATTR_FAMILY_NAME = 2
NLM_F_REQUEST, NLM_F_ACK, NLM_F_REPLACE, NLM_F_DUMP = 1, 4, 0x100, 0x300
NLMSG_ERROR, NLMSG_DONE = 2, 3
NLA_F_NESTED = 0x8000
NLMSGERR_ATTR_MSG, NLMSGERR_ATTR_OFFS = 1, 2
SOL_NETLINK, NETLINK_EXT_ACK = 270, 11

# include/uapi/linux/rserpool.h
CMD = dict(PE_NEW=1, PE_SET=2, PE_DEL=3, PE_GET=4, POOL_GET=5, DEL_HOME=6,
           FLUSH=7, RESOLVE=8, REPORT=9, LIMITS_GET=10, LIMITS_SET=11,
           STATS_GET=12)
A = dict(POOL_HANDLE=1, PE_ID=2, PE_HOME=3, PE_LIFETIME=4, PE_PROTO=5,
         PE_PORT=6, PE_TRANSPORT_USE=7, PE_ADDRS=8, PE_POLICY=9,
         PE_EXPIRES=10, PE_SELECTED=11, PE_REPORTS=12, PE_DEGRADATION=13,
         PE=14, POOL_POLICY=15, POOL_PROTO=16, POOL_PES=17, COUNT=21,
         REASON=22, LIMITS=23, STATS=24)
ADDR_IPV4, ADDR_IPV6 = 1, 2
POL = dict(TYPE=1, WEIGHT=2, PRIORITY=3, LOAD=4, LOAD_DEG=5, WEIGHT_DPF=6,
           LOAD_DPF=7, DISTANCE=8)
LIMIT = dict(MAX_POOLS=1, MAX_PES=2, MAX_POOL_PES=3, REPORT_THRESHOLD=4)


def attr(kind, data):
    """One attribute; kind may carry NLA_F_NESTED."""
    hdr = struct.pack("=HH", 4 + len(data), kind)
    pad = b"\0" * ((4 - len(data) % 4) % 4)
    return hdr + data + pad


def u8(kind, v):
    return attr(kind, struct.pack("=B", v))


def u16(kind, v):
    return attr(kind, struct.pack("=H", v))


def u32(kind, v):
    return attr(kind, struct.pack("=I", v))


def nest(kind, *inner, flag=True):
    return attr(kind | (NLA_F_NESTED if flag else 0), b"".join(inner))


def ipv4(text):
    return attr(ADDR_IPV4, socket.inet_pton(socket.AF_INET, text))


def parse_attrs(buf):
    """[(type, payload)] in order, repeats kept."""
    out, off = [], 0
    while off + 4 <= len(buf):
        ln, kind = struct.unpack_from("=HH", buf, off)
        if ln < 4:
            break
        out.append((kind & 0x3fff, buf[off + 4:off + ln]))
        off += (ln + 3) & ~3
    return out


class NetlinkError(Exception):
    def __init__(self, err, msg, offset):
        super().__init__(f"{os.strerror(err)}: {msg}")
        self.errno, self.msg, self.offset = err, msg, offset


class Rsp:
    def __init__(self):
        self.sk = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW,
                                NETLINK_GENERIC)
        self.sk.setsockopt(SOL_NETLINK, NETLINK_EXT_ACK, 1)
        self.sk.bind((0, 0))
        self.seq = 0
        reply = self._talk(GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 0,
                           attr(CTRL_ATTR_FAMILY_NAME, b"rserpool\0"))
        self.family = None
        for kind, data in parse_attrs(reply[0][1]):
            if kind == CTRL_ATTR_FAMILY_ID:
                self.family = struct.unpack("=H", data)[0]

    def _talk(self, family, cmd, flags, payload):
        self.seq += 1
        body = struct.pack("=BBH", cmd, 1, 0) + payload
        hdr = struct.pack("=IHHII", 16 + len(body), family,
                          NLM_F_REQUEST | NLM_F_ACK | flags, self.seq, 0)
        self.sk.send(hdr + body)
        replies = []
        while True:
            data = self.sk.recv(1 << 20)
            off = 0
            while off < len(data):
                ln, kind, mflags, seq, _ = struct.unpack_from("=IHHII",
                                                              data, off)
                msg = data[off + 16:off + ln]
                off += (ln + 3) & ~3
                if kind == NLMSG_DONE:
                    return replies
                if kind == NLMSG_ERROR:
                    err = -struct.unpack_from("=i", msg)[0]
                    if not err:
                        return replies
                    raise self._error(err, msg, mflags)
                replies.append((msg[0], msg[4:], mflags))

    @staticmethod
    def _error(err, msg, mflags):
        # nlmsgerr: error, then our request (whole unless capped), then TLVs
        req_len = struct.unpack_from("=I", msg, 4)[0]
        tlv = 4 + (16 if mflags & 0x100 else (req_len + 3) & ~3)
        text, offset = "", None
        for kind, data in parse_attrs(msg[tlv:]):
            if kind == NLMSGERR_ATTR_MSG:
                text = data.rstrip(b"\0").decode()
            elif kind == NLMSGERR_ATTR_OFFS:
                offset = struct.unpack("=I", data)[0]
        return NetlinkError(err, text, offset)

    def request(self, cmd, *attrs, flags=0):
        """Sends one command; the replies as [(cmd, attrs bytes, flags)]."""
        return self._talk(self.family, CMD[cmd], flags, b"".join(attrs))

    def dump(self, cmd, *attrs):
        return self.request(cmd, *attrs, flags=NLM_F_DUMP)


def pe_attrs(handle=b"pool", pe_id=1, proto=6, port=7, addr="10.0.0.1",
             policy=1, **params):
    """The attributes of a valid PE_NEW, to be varied by a test."""
    pol = [u32(POL["TYPE"], policy)]
    pol += [u32(POL[k.upper()], v) for k, v in params.items()]
    return [attr(A["POOL_HANDLE"], handle), u32(A["PE_ID"], pe_id),
            u8(A["PE_PROTO"], proto), u16(A["PE_PORT"], port),
            nest(A["PE_ADDRS"], ipv4(addr)), nest(A["PE_POLICY"], *pol)]


__all__ = ["Rsp", "NetlinkError", "attr", "u8", "u16", "u32", "nest", "ipv4",
           "pe_attrs", "parse_attrs", "A", "POL", "LIMIT", "CMD", "errno",
           "NLM_F_REPLACE"]
