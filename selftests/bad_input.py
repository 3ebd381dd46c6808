#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Every attribute refused the way the uapi header says: the errno, the
extack message or the attribute it points at, and a table left unchanged.
Needs rserpool.ko loaded and CAP_NET_ADMIN.  TAP output."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from rsp_nl import *  # noqa: E402,F403

E = errno
rsp = Rsp()
results = []


def snapshot():
    return sorted(msg for _, msg, _ in rsp.dump("PE_GET"))


def without(attrs, kind):
    return [a for a in attrs if int.from_bytes(a[2:4], "little") & 0x3fff
            != kind]


def case(name, cmd, attrs, want_errno, want_msg=None, point_at=None,
         flags=0):
    """point_at: index in attrs of the attribute the extack must name."""
    before = snapshot()
    problem = None
    try:
        rsp.request(cmd, *attrs, flags=flags)
        problem = "accepted"
    except NetlinkError as e:
        if e.errno != want_errno:
            problem = f"errno {E.errorcode.get(e.errno)} ({e.msg!r}), " \
                      f"want {E.errorcode[want_errno]}"
        elif want_msg and want_msg not in e.msg:
            problem = f"message {e.msg!r} lacks {want_msg!r}"
        elif point_at is not None:
            want_off = 20 + sum(len(a) for a in attrs[:point_at])
            if e.offset != want_off:
                problem = f"extack offset {e.offset}, want {want_off}"
        elif not e.msg:
            problem = "no extack message"
    if not problem and snapshot() != before:
        problem = "the table changed"
    results.append((name, problem))


def ids(handle):
    """The PE IDs of pool @handle in the table, sorted."""
    out = []
    for _, msg, _ in rsp.dump("PE_GET", attr(A["POOL_HANDLE"], handle)):
        a = dict(parse_attrs(msg))
        out.append(int.from_bytes(a[A["PE_ID"]], "little"))
    return sorted(out)


def batch():
    """PE_NEW with RSP_A_PE nests puts them in order; the first that fails
    ends it, pointed at, with those before it put."""
    pes = [nest(A["PE"], *pe_attrs(handle=b"batch", pe_id=i))
           for i in (10, 11, 12)]
    rsp.request("PE_NEW", *pes)
    results.append(("three PEs in one request, a nest each",
                    None if ids(b"batch") == [10, 11, 12]
                    else f"pool batch holds {ids(b'batch')}"))
    pes = [nest(A["PE"], *pe_attrs(handle=b"batch", pe_id=20)),
           nest(A["PE"], *pe_attrs(handle=b"batch", pe_id=21,
                                   policy=0x40000001, load=1)),
           nest(A["PE"], *pe_attrs(handle=b"batch", pe_id=22))]
    problem = "accepted"
    try:
        rsp.request("PE_NEW", *pes)
    except NetlinkError as e:
        want_off = 20 + len(pes[0])
        problem = None
        if e.errno != E.EINVAL or "inconsistent pooling policy" not in e.msg:
            problem = f"errno {e.errno} ({e.msg!r})"
        elif e.offset != want_off:
            problem = f"extack offset {e.offset}, want {want_off}"
        elif ids(b"batch") != [10, 11, 12, 20]:
            problem = f"pool batch holds {ids(b'batch')}"
    results.append(("the second of three nests inconsistent: the first "
                    "put, it and the third not, the extack at it", problem))
    ev = Rsp()
    ev.subscribe()
    rsp.request("PE_NEW", attr(A["REPLACE"], b""), attr(A["QUIET"], b""),
                *[nest(A["PE"], *pe_attrs(handle=b"batch", pe_id=i,
                                          port=9)) for i in (10, 30)])
    # Not quiet: its event is the first the listener gets.
    rsp.request("PE_NEW", nest(A["PE"], *pe_attrs(handle=b"batch",
                                                   pe_id=40)))
    events = [(cmd, int.from_bytes(dict(parse_attrs(msg))[A["PE_ID"]],
                                   "little"))
              for cmd, _, msg in ev.events_read(3, timeout=1.0)]
    ports = {}
    for _, msg, _ in rsp.dump("PE_GET", attr(A["POOL_HANDLE"], b"batch")):
        a = dict(parse_attrs(msg))
        ports[int.from_bytes(a[A["PE_ID"]], "little")] = \
            int.from_bytes(a[A["PE_PORT"]], "little")
    results.append(("replace and quiet at the top apply to every nest",
                    None if ports == {10: 9, 11: 7, 12: 7, 20: 7, 30: 9,
                                      40: 7} and
                    events == [(CMD["PE_NEW"], 40)]
                    else f"ports {ports}, events {events}"))
    rsp.request("FLUSH")
    rsp.request("PE_NEW", *pe_attrs(handle=b"pool", pe_id=1))


def main():
    rsp.request("FLUSH")
    rsp.request("PE_NEW", *pe_attrs(handle=b"pool", pe_id=1))
    good = pe_attrs(handle=b"pool", pe_id=2)

    for kind in ("POOL_HANDLE", "PE_ID", "PE_PROTO", "PE_PORT", "PE_ADDRS",
                 "PE_POLICY"):
        case(f"PE_NEW without {kind}", "PE_NEW", without(good, A[kind]),
             E.EINVAL, f"missing attribute RSP_A_{kind}")

    case("handle of 65 bytes", "PE_NEW",
         [attr(A["POOL_HANDLE"], b"x" * 65)] + good[1:], E.ERANGE,
         point_at=0)
    case("empty handle", "PE_NEW", [attr(A["POOL_HANDLE"], b"")] + good[1:],
         E.ERANGE, point_at=0)
    case("PE ID as u8", "PE_NEW", [good[0], u8(A["PE_ID"], 2)] + good[2:],
         E.EINVAL, point_at=1)
    case("port 0", "PE_NEW", good[:3] + [u16(A["PE_PORT"], 0)] + good[4:],
         E.ERANGE, point_at=3)
    case("unknown transport", "PE_NEW", pe_attrs(proto=99), E.EPROTONOSUPPORT,
         "RSP_A_PE_PROTO")
    case("transport use on TCP", "PE_NEW",
         good + [u8(A["PE_TRANSPORT_USE"], 1)], E.EINVAL,
         "only SCTP carries control")
    case("transport use 2 on SCTP", "PE_NEW",
         pe_attrs(handle=b"s", proto=132) + [u8(A["PE_TRANSPORT_USE"], 2)],
         E.ERANGE, point_at=6)
    case("two addresses on TCP", "PE_NEW",
         good[:4] + [nest(A["PE_ADDRS"], ipv4("10.0.0.1"), ipv4("10.0.0.2"))]
         + good[5:], E.EINVAL, "only SCTP PEs have more than one address")
    case("17 addresses on SCTP", "PE_NEW",
         pe_attrs(handle=b"s", proto=132)[:4] +
         [nest(A["PE_ADDRS"], *[ipv4(f"10.0.1.{i}") for i in range(1, 18)])]
         + good[5:], E.E2BIG, "more than RSP_ADDRS_MAX")
    case("address 0.0.0.0", "PE_NEW", pe_attrs(pe_id=2, addr="0.0.0.0"),
         E.EINVAL, "unspecified")
    case("address of 3 bytes", "PE_NEW",
         good[:4] + [nest(A["PE_ADDRS"], attr(ADDR_IPV4, b"\1\2\3"))] +
         good[5:], E.ERANGE, "binary attribute size out of range")
    case("no address", "PE_NEW", good[:4] + [nest(A["PE_ADDRS"])] + good[5:],
         E.EINVAL, "no address")
    case("nest without NLA_F_NESTED", "PE_NEW",
         good[:4] + [nest(A["PE_ADDRS"], ipv4("10.0.0.2"), flag=False)] +
         good[5:], E.EINVAL, "NLA_F_NESTED")
    case("unknown policy", "PE_NEW", pe_attrs(pe_id=2, policy=0x12345),
         E.EOPNOTSUPP, "unknown policy type")
    case("policy without type", "PE_NEW",
         good[:5] + [nest(A["PE_POLICY"], u32(POL["WEIGHT"], 1))], E.EINVAL,
         "missing RSP_POLICY_A_TYPE")
    case("least used without load", "PE_NEW",
         pe_attrs(handle=b"lu", policy=0x40000001), E.EINVAL,
         "parameter of this policy is missing")
    case("round robin with a weight", "PE_NEW",
         pe_attrs(handle=b"rr2", weight=3), E.EINVAL,
         "parameter not used by this policy")
    case("inconsistent policy", "PE_NEW",
         pe_attrs(pe_id=2, policy=0x40000001, load=1), E.EINVAL,
         "inconsistent pooling policy")
    case("inconsistent transport", "PE_NEW", pe_attrs(pe_id=2, proto=17),
         E.EPROTOTYPE, "inconsistent transport type")
    case("count on PE_NEW", "PE_NEW", good + [u32(A["COUNT"], 1)], E.EINVAL,
         "RSP_A_COUNT is not valid for this command", point_at=len(good))
    case("read-only attribute", "PE_NEW", good + [u32(A["PE_REPORTS"], 1)],
         E.EINVAL, point_at=len(good))
    case("unknown attribute 200", "PE_NEW", good + [u32(200, 1)], E.EINVAL,
         point_at=len(good))
    case("replace on PE_SET", "PE_SET",
         pe_attrs(pe_id=1) + [attr(A["REPLACE"], b"")], E.EINVAL,
         "RSP_A_REPLACE is not valid for this command", point_at=len(good))
    case("quiet on PE_DEL", "PE_DEL",
         [attr(A["POOL_HANDLE"], b"pool"), u32(A["PE_ID"], 1),
          attr(A["QUIET"], b"")], E.EINVAL,
         "RSP_A_QUIET is not valid for this command", point_at=2)
    case("replace flag with a payload", "PE_NEW",
         pe_attrs(pe_id=1) + [u32(A["REPLACE"], 1)], E.ERANGE,
         point_at=len(good))
    case("ASAP port without addresses", "PE_NEW",
         good + [u16(A["PE_ASAP_PORT"], 3863)], E.EINVAL,
         "RSP_A_PE_ASAP_PORT and RSP_A_PE_ASAP_ADDRS go together",
         point_at=len(good))
    case("ASAP addresses without a port", "PE_NEW",
         good + [nest(A["PE_ASAP_ADDRS"], ipv4("10.0.0.9"))], E.EINVAL,
         "go together", point_at=len(good))
    case("ASAP port 0", "PE_NEW",
         good + [u16(A["PE_ASAP_PORT"], 0),
                 nest(A["PE_ASAP_ADDRS"], ipv4("10.0.0.9"))], E.ERANGE,
         point_at=len(good))
    case("5 ASAP addresses", "PE_NEW",
         good + [u16(A["PE_ASAP_PORT"], 3863),
                 nest(A["PE_ASAP_ADDRS"],
                      *[ipv4(f"10.0.2.{i}") for i in range(1, 6)])],
         E.E2BIG, "more than RSP_ASAP_ADDRS_MAX")
    case("ASAP over UDP", "PE_NEW",
         good + [u16(A["PE_ASAP_PORT"], 3863),
                 nest(A["PE_ASAP_ADDRS"], ipv4("10.0.0.9")),
                 u8(A["PE_ASAP_PROTO"], 17)], E.EPROTONOSUPPORT,
         "RSP_A_PE_ASAP_PROTO: ASAP runs over SCTP or TCP",
         point_at=len(good) + 2)
    case("ASAP protocol without port and addresses", "PE_NEW",
         good + [u8(A["PE_ASAP_PROTO"], 6)], E.EINVAL, "go together",
         point_at=len(good))
    case("ASAP address 224.0.0.1", "PE_NEW",
         good + [u16(A["PE_ASAP_PORT"], 3863),
                 nest(A["PE_ASAP_ADDRS"], ipv4("224.0.0.1"))], E.EINVAL,
         "RSP_A_PE_ASAP_ADDRS: unspecified, broadcast or multicast")
    case("PE already there", "PE_NEW", pe_attrs(pe_id=1), E.EEXIST,
         "already registered")
    case("PE_SET of a missing PE", "PE_SET", pe_attrs(pe_id=9), E.ENOENT,
         "no such PE")
    case("PE_DEL in a missing pool", "PE_DEL",
         [attr(A["POOL_HANDLE"], b"nope"), u32(A["PE_ID"], 1)], E.ENOENT,
         "no such pool")
    case("PE_DEL of a missing PE", "PE_DEL",
         [attr(A["POOL_HANDLE"], b"pool"), u32(A["PE_ID"], 7)], E.ENOENT,
         "no such PE")
    case("PE_GET of a missing PE", "PE_GET",
         [attr(A["POOL_HANDLE"], b"pool"), u32(A["PE_ID"], 7)], E.ENOENT,
         "no such PE", point_at=1)
    case("REPORT of a missing PE", "REPORT",
         [attr(A["POOL_HANDLE"], b"pool"), u32(A["PE_ID"], 7)], E.ENOENT,
         "no such PE")
    case("RESOLVE of a missing pool", "RESOLVE",
         [attr(A["POOL_HANDLE"], b"nope")], E.ENOENT, "no such pool",
         point_at=0)
    case("RESOLVE count 0", "RESOLVE",
         [attr(A["POOL_HANDLE"], b"pool"), u32(A["COUNT"], 0)], E.ERANGE,
         point_at=1)
    case("RESOLVE count 257", "RESOLVE",
         [attr(A["POOL_HANDLE"], b"pool"), u32(A["COUNT"], 257)], E.ERANGE,
         point_at=1)
    case("RESOLVE without handle", "RESOLVE", [], E.EINVAL,
         "missing attribute RSP_A_POOL_HANDLE")
    case("DEL_HOME without home", "DEL_HOME", [], E.EINVAL,
         "missing attribute RSP_A_PE_HOME")
    case("HOME_GET without home", "HOME_GET", [], E.EINVAL,
         "missing attribute RSP_A_PE_HOME")
    case("HOME_GET with a pool handle", "HOME_GET",
         [u32(A["PE_HOME"], 7), attr(A["POOL_HANDLE"], b"pool")], E.EINVAL,
         "RSP_A_POOL_HANDLE is not valid for this command", point_at=1)
    case("LIMITS_SET threshold 0", "LIMITS_SET",
         [nest(A["LIMITS"], u32(LIMIT["REPORT_THRESHOLD"], 0))], E.ERANGE)
    case("LIMITS_SET max-pes 0", "LIMITS_SET",
         [nest(A["LIMITS"], u32(LIMIT["MAX_PES"], 0))], E.ERANGE)
    case("LIMITS_SET without limits", "LIMITS_SET", [], E.EINVAL,
         "missing attribute RSP_A_LIMITS")
    case("dump with a PE ID", "PE_GET", [u32(A["PE_ID"], 1)], E.EINVAL,
         "RSP_A_PE_ID is not valid for this command", flags=0x300)

    # Several PEs in one request, an RSP_A_PE nest each.
    case("PEs in nests and one at the top", "PE_NEW",
         [nest(A["PE"], *pe_attrs(pe_id=5))] + good, E.EINVAL,
         "PEs in nests, or one at the top, not both")
    case("PEs in nests and a port at the top", "PE_NEW",
         [nest(A["PE"], *pe_attrs(pe_id=5)), u16(A["PE_PORT"], 9)], E.EINVAL,
         "PEs in nests, or one at the top, not both")
    case("a nest without PE_ID", "PE_NEW",
         [nest(A["PE"], *without(pe_attrs(pe_id=5), A["PE_ID"]))], E.EINVAL,
         "missing attribute RSP_A_PE_ID", point_at=0)
    case("a count in a nest", "PE_NEW",
         [nest(A["PE"], *pe_attrs(pe_id=5), u32(A["COUNT"], 1))], E.EINVAL,
         "RSP_A_COUNT is not valid for this command")
    case("a nest in a nest", "PE_NEW",
         [nest(A["PE"], nest(A["PE"], *pe_attrs(pe_id=5)))], E.EINVAL,
         "RSP_A_PE is not valid for this command")
    batch()

    rsp.request("LIMITS_SET", nest(A["LIMITS"], u32(LIMIT["MAX_POOL_PES"], 1)))
    case("past max-pool-pes", "PE_NEW", good, E.ENOSPC, "max-pool-pes")
    rsp.request("LIMITS_SET", nest(A["LIMITS"], u32(LIMIT["MAX_POOLS"], 1),
                                   u32(LIMIT["MAX_POOL_PES"], 1 << 20)))
    case("past max-pools", "PE_NEW", pe_attrs(handle=b"other"), E.ENOSPC,
         "max-pools")
    rsp.request("LIMITS_SET", nest(A["LIMITS"], u32(LIMIT["MAX_POOLS"], 65536)))
    rsp.request("FLUSH")

    print("TAP version 13")
    print(f"1..{len(results)}")
    for i, (name, problem) in enumerate(results, 1):
        if problem:
            print(f"not ok {i} - {name}: {problem}")
        else:
            print(f"ok {i} - {name}")
    return 1 if any(p for _, p in results) else 0


if __name__ == "__main__":
    sys.exit(main())
