#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Dumps that span many messages: exact when the table stays still,
flagged NLM_F_DUMP_INTR when it changes between two parts.  Needs
rserpool.ko loaded and CAP_NET_ADMIN.  TAP output."""

import os
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from rsp_nl import *  # noqa: E402,F403

N = 3000
rsp = Rsp()
other = Rsp()
results = []


def check(name, ok, why=""):
    results.append((name, None if ok else why))


def ids(replies):
    out = []
    for _, msg, _ in replies:
        for kind, data in parse_attrs(msg):
            if kind == A["PE_ID"]:
                out.append(struct.unpack("=I", data)[0])
    return out


def main():
    rsp.request("FLUSH")
    for i in range(N):
        rsp.request("PE_NEW", *pe_attrs(handle=b"d%d" % (i % 3), pe_id=i,
                                         addr="10.1.%d.%d" % (i // 250,
                                                             i % 250 + 1)))

    quiet = rsp.dump("PE_GET")
    datagrams = rsp.datagrams
    got = ids(quiet)
    check(f"a dump of {N} PEs holds each once", sorted(got) == list(range(N)),
          f"{len(got)} PEs, {len(set(got))} distinct")
    check("nothing changed, so no part is flagged NLM_F_DUMP_INTR",
          not any(f & NLM_F_DUMP_INTR for _, _, f in quiet))

    check("the dump needed more than one message", datagrams > 2,
          f"{datagrams} datagrams")

    def change():
        other.request("PE_NEW", *pe_attrs(handle=b"d0", pe_id=N,
                                          addr="10.9.9.9"))
    busy = rsp.dump("PE_GET", between=change)
    check("a change between two parts sets NLM_F_DUMP_INTR",
          any(f & NLM_F_DUMP_INTR for _, _, f in busy))

    one = rsp.dump("PE_GET", attr(A["POOL_HANDLE"], b"d1"))
    check("a dump of one pool has just its PEs",
          sorted(ids(one)) == [i for i in range(N) if i % 3 == 1],
          f"{len(ids(one))} PEs")

    pools = rsp.dump("POOL_GET")
    check("a pool dump lists the three pools", len(pools) == 3,
          f"{len(pools)} pools")
    rsp.request("FLUSH")

    print("TAP version 13")
    print(f"1..{len(results)}")
    for i, (name, problem) in enumerate(results, 1):
        print(f"not ok {i} - {name}: {problem}" if problem else
              f"ok {i} - {name}")
    return 1 if any(p for _, p in results) else 0


if __name__ == "__main__":
    sys.exit(main())
