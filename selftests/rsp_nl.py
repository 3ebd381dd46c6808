# SPDX-License-Identifier: GPL-2.0
"""A raw generic netlink client for the rserpool family, standard library
only, so that tests can send what rspctl would refuse to build."""

import errno
import os
import re
import socket
import struct

NETLINK_GENERIC = 16
GENL_ID_CTRL = 0x10
CTRL_CMD_GETFAMILY = 3
CTRL_ATTR_FAMILY_ID = 1
CTRL_ATTR_FAMILY_NAME = 2
CTRL_ATTR_MCAST_GROUPS, CTRL_ATTR_MCAST_GRP_NAME = 7, 1
CTRL_ATTR_MCAST_GRP_ID = 2
NETLINK_ADD_MEMBERSHIP = 1
NLM_F_REQUEST, NLM_F_ACK, NLM_F_DUMP = 1, 4, 0x300
NLM_F_DUMP_INTR = 0x10
NLMSG_ERROR, NLMSG_DONE = 2, 3
NLA_F_NESTED = 0x8000
NLMSGERR_ATTR_MSG, NLMSGERR_ATTR_OFFS = 1, 2
SOL_NETLINK, NETLINK_EXT_ACK = 270, 11

# The numbers come from include/uapi/linux/rserpool.h itself, so the tests
# cannot drift from the header.
UAPI = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..",
                    "include", "uapi", "linux", "rserpool.h")


def _enums(path):
    """Every enumerator of the header's enums, by name."""
    text = re.sub(r"/\*.*?\*/", "", open(path).read(), flags=re.S)
    names = {}
    for body in re.findall(r"enum\s+\w+\s*{(.*?)}", text, flags=re.S):
        nxt = 0
        for item in body.split(","):
            item = item.strip()
            if not item:
                continue
            name, _, val = item.partition("=")
            name, val = name.strip(), val.strip()
            if "-" in val:
                continue        # the FOO_MAX = __FOO_MAX - 1 aliases
            if val:
                nxt = int(val, 0)
            names[name] = nxt
            nxt += 1
    return names


def _defines(path):
    """The header's #defines that are numbers, by name (our own header:
    its values are numbers, sums and names defined before)."""
    names = {}
    for name, val in re.findall(r"^#define\s+(RSP_\w+)\s+([^/\n]+)",
                                open(path).read(), flags=re.M):
        try:
            v = eval(val, {"__builtins__": {}}, dict(names))
        except (NameError, SyntaxError):
            continue
        if isinstance(v, int):
            names[name] = v
    return names


def _group(names, prefix):
    return {k[len(prefix):]: v for k, v in names.items()
            if k.startswith(prefix) and not k.startswith("__")
            and not k.endswith("_MAX") and not k.endswith("UNSPEC")}


_E = _enums(UAPI)
CMD = _group(_E, "RSP_CMD_")
A = _group(_E, "RSP_A_")
POL = _group(_E, "RSP_POLICY_A_")
LIMIT = _group(_E, "RSP_LIMIT_A_")
STAT = _group(_E, "RSP_STAT_A_")
POLICY = {k: v for k, v in _group(_E, "RSP_POLICY_").items()
          if not k.startswith("A_")}
REASON = _group(_E, "RSP_REASON_")
ADDR_IPV4, ADDR_IPV6 = _E["RSP_ADDR_A_IPV4"], _E["RSP_ADDR_A_IPV6"]
DEF = _defines(UAPI)      # RSP_SO_SELECT, RSP_HANDLE_MAX, ...


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
        self.family = self.events = None
        for kind, data in parse_attrs(reply[0][1]):
            if kind == CTRL_ATTR_FAMILY_ID:
                self.family = struct.unpack("=H", data)[0]
            elif kind == CTRL_ATTR_MCAST_GROUPS:
                for _, grp in parse_attrs(data):
                    g = dict(parse_attrs(grp))
                    if g.get(CTRL_ATTR_MCAST_GRP_NAME) == b"events\0":
                        self.events = struct.unpack(
                            "=I", g[CTRL_ATTR_MCAST_GRP_ID])[0]

    def port(self):
        """The port ID the kernel gave this socket."""
        return self.sk.getsockname()[0]

    def subscribe(self):
        """From now on the socket also gets the "events" group."""
        self.sk.setsockopt(SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, self.events)

    def events_read(self, count, timeout=5.0):
        """[(cmd, nlmsg_pid, attrs bytes)]: the next @count events, or
        those that came within @timeout seconds."""
        out = []
        self.sk.settimeout(timeout)
        try:
            while len(out) < count:
                data = self.sk.recv(1 << 20)
                off = 0
                while off < len(data):
                    ln, _, _, _, pid = struct.unpack_from("=IHHII", data,
                                                          off)
                    out.append((data[off + 16], pid, data[off + 20:off + ln]))
                    off += (ln + 3) & ~3
        except socket.timeout:
            pass
        self.sk.settimeout(None)
        return out

    def pack(self, family, cmd, flags, payload):
        """One request, with the next sequence number."""
        self.seq += 1
        body = struct.pack("=BBH", cmd, 1, 0) + payload
        return struct.pack("=IHHII", 16 + len(body), family,
                           NLM_F_REQUEST | NLM_F_ACK | flags, self.seq,
                           0) + body

    def _talk(self, family, cmd, flags, payload, between=None):
        self.sk.send(self.pack(family, cmd, flags, payload))
        replies = []
        self.datagrams = 0      # how many parts the answer came in
        while True:
            if replies and between:
                between()       # after the first part of the answer
                between = None
            data = self.sk.recv(1 << 20)
            self.datagrams += 1
            off = 0
            while off < len(data):
                ln, kind, mflags, seq, _ = struct.unpack_from("=IHHII",
                                                              data, off)
                msg = data[off + 16:off + ln]
                off += (ln + 3) & ~3
                if kind == NLMSG_DONE:
                    # a dump that failed says so in DONE: errno, then TLVs
                    err = -struct.unpack_from("=i", msg)[0] if msg else 0
                    if err:
                        text = ""
                        for k, data in parse_attrs(msg[4:]):
                            if k == NLMSGERR_ATTR_MSG:
                                text = data.rstrip(b"\0").decode()
                        raise NetlinkError(err, text, None)
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

    def request(self, cmd, *attrs, flags=0, between=None):
        """Sends one command; the replies as [(cmd, attrs bytes, flags)].
        between() runs once the first part of the answer is in."""
        return self._talk(self.family, CMD[cmd], flags, b"".join(attrs),
                          between)

    def dump(self, cmd, *attrs, between=None):
        return self.request(cmd, *attrs, flags=NLM_F_DUMP, between=between)


def rsp_dump_request(rsp, cmd, *attrs):
    """The bytes of a dump request, for a test that reads the answer
    itself."""
    return rsp.pack(rsp.family, CMD[cmd], NLM_F_DUMP, b"".join(attrs))


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
           "STAT", "POLICY", "REASON", "ADDR_IPV4", "ADDR_IPV6",
           "NLM_F_DUMP_INTR", "rsp_dump_request", "DEF"]
