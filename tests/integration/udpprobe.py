#!/usr/bin/env python3
"""udpprobe - RFC 4787 filtering and hairpinning of one gateway, measured
with plain sockets in the lab's namespaces, apart from natlab's own code.

    python3 udpprobe.py LAB GW_EXT_ADDR

LAB's nodes c1, c2 (inside), s1, s2 (outside) are entered by their
namespaces /run/netns/LAB-NODE with setns(2); a socket made there stays
there.  Prints one JSON object:

  filtering  "endpoint-independent", "address-dependent" or
             "address-and-port-dependent": which of s1:3478 (the peer),
             s1:3479 and s2:3478 reached c1's mapping towards s1:3478
  hairpin    c2's datagram to c1's external address and port reached c1
  hairpin_from_external  and c1 saw it from c2's external address and port
  mapping    c1's external port towards s1 (as s1 saw it)

A gateway with nat = rfc learns a mapping from conntrack events, a
moment after its first datagram: the probe waits SETTLE seconds after
making a mapping before anyone else uses it.
"""
import ctypes
import json
import os
import socket
import sys
import time

CLONE_NEWNET = 0x40000000
SETTLE = 0.2
libc = ctypes.CDLL("libc.so.6", use_errno=True)
LAB = sys.argv[1]
EXT = sys.argv[2]


def enter(node):
    fd = os.open(f"/run/netns/{LAB}-{node}", os.O_RDONLY)
    try:
        if libc.setns(fd, CLONE_NEWNET) != 0:
            raise OSError(ctypes.get_errno(), f"setns {node}")
    finally:
        os.close(fd)


def udp(node, port):
    """A UDP socket of node bound to port; the caller's namespace is
    changed for good, which does not matter: every socket is made here."""
    enter(node)
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("0.0.0.0", port))
    s.settimeout(0.5)
    return s


def addr(node):
    enter(node)
    with os.popen("ip -4 -o addr show scope global") as p:
        return p.read().split()[3].split("/")[0]


def got(s):
    try:
        return s.recvfrom(2048)[1]
    except socket.timeout:
        return None


s1a, s2a = addr("s1"), addr("s2")
srv = {"s1": udp("s1", 3478), "s1b": udp("s1", 3479), "s2": udp("s2", 3478)}

# filtering: c1's mapping towards s1:3478, then each server sends to it
c1 = udp("c1", 47001)
c1.sendto(b"map", (s1a, 3478))
m = got(srv["s1"])
out = {"mapping": m[1] if m else None}
time.sleep(SETTLE)
came = {}
for name in ("s1", "s1b", "s2"):
    srv[name].sendto(b"in", (EXT, m[1]))
    came[name] = got(c1) is not None
if not came["s1"]:
    out["filtering"] = None
elif came["s2"]:
    out["filtering"] = "endpoint-independent"
elif came["s1b"]:
    out["filtering"] = "address-dependent"
else:
    out["filtering"] = "address-and-port-dependent"

# hairpinning: c1 and c2 map a port each towards s1; c2 sends to c1's
hc1, hc2 = udp("c1", 47002), udp("c2", 47003)
hc1.sendto(b"a", (s1a, 3478))
m1 = got(srv["s1"])
hc2.sendto(b"b", (s1a, 3478))
m2 = got(srv["s1"])
time.sleep(SETTLE)
hc2.sendto(b"hairpin", (EXT, m1[1]))
seen = got(hc1)
out["hairpin"] = seen is not None
out["hairpin_from_external"] = seen == (EXT, m2[1]) if seen else False
print(json.dumps(out))
