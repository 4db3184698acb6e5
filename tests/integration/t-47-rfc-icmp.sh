#!/bin/bash
# t-47-rfc-icmp: natlab rfc's RFC 5508 rows for masquerade and rfc,
# checked against what the test finds on its own, without natlab's code:
# the conntrack ICMP timeout of a fresh namespace (Linux's default) and of
# an rfc gateway, and probes made by a small python3 raw-socket oracle in
# two labs of the same topology (nat = masquerade and nat = rfc): echo
# identifiers seen by the servers, an error with a bad quoted IP checksum,
# an error from inside about no mapping, a hairpinned datagram, TTL 1.
# Each natlab verdict must follow from the oracle's finding.
. "$(dirname "$0")/lib.sh"
require_root

J=$T_TMP/rfc.json
run "$NATLAB" rfc --rfc 5508 --profile masquerade --profile rfc --json "$J"
expect_rc "natlab rfc --rfc 5508 --profile masquerade --profile rfc" 0 || finish

# The report read once (python3 starts slowly on a busy machine): one
# line per verdict, datum and lab.
TAB=$(python3 - "$J" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
for p in d["profiles"]:
    print("lab %s %s" % (p["name"], p["lab"]))
for r in d["requirements"].values():
    for prof, res in r["results"].items():
        print("v %s %s %s" % (prof, r["id"], res["verdict"]))
        for k, v in res.get("data", {}).items():
            print("d %s %s %s %d" % (prof, r["id"], k, v))
PY
)
# verdict PROFILE ID, datum PROFILE ID KEY: from the report
verdict() {
	printf '%s\n' "$TAB" | awk -v p="$1" -v id="$2" \
		'$1 == "v" && $2 == p && $3 == id { sub(/^v [^ ]+ [^ ]+ /, ""); print }'
}
datum() {
	printf '%s\n' "$TAB" | awk -v p="$1" -v id="$2" -v k="$3" \
		'$1 == "d" && $2 == p && $3 == id && $4 == k { print $5 }'
}

# ---- REQ-2: Linux's default, read in a namespace of the test's own ----
NS=t47$$
ip netns add "$NS" || finish
T_NETNS="$T_NETNS $NS"
# conntrack's per-namespace sysctls appear once the module is loaded,
# which the run above needed
def=$(ip netns exec "$NS" sysctl -n net.netfilter.nf_conntrack_icmp_timeout)
ip netns del "$NS"
T_NETNS=${T_NETNS% $NS}
expect_eq "REQ-2: masquerade's icmp_timeout is Linux's default" "$def" \
	"$(datum masquerade 5508/REQ-2 icmp_timeout_s)"
if [ "$def" -ge 60 ]; then want=meets; else want="does not meet"; fi
expect_eq "REQ-2: masquerade with the default of $def s" "$want" \
	"$(verdict masquerade 5508/REQ-2)"

# ---- the oracle: raw sockets in a lab's namespaces, set with setns(2) ----
oracle() {
	python3 - "$1" <<'PY'
import ctypes, os, select, socket, struct, subprocess, sys, time

lab = sys.argv[1]
libc = ctypes.CDLL(None, use_errno=True)
home = os.open("/proc/self/ns/net", os.O_RDONLY)

def addr(node):
    out = subprocess.run(["ip", "-n", lab + "-" + node, "-4", "-o", "addr"],
                         capture_output=True, text=True).stdout
    return [l.split()[3].split("/")[0] for l in out.splitlines()
            if " lo " not in l]

def sock(node, *args):
    fd = os.open("/run/netns/%s-%s" % (lab, node), os.O_RDONLY)
    if libc.setns(fd, 0x40000000):
        sys.exit("setns %s: errno %d" % (node, ctypes.get_errno()))
    s = socket.socket(*args)
    libc.setns(home, 0x40000000)
    os.close(fd)
    return s

def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff

def icmp(t, c, rest, body=b""):
    m = struct.pack("!BBH", t, c, 0) + rest + body
    return m[:2] + struct.pack("!H", csum(m)) + m[4:]

def udp_quote(src, sport, dst, dport, bad_ip=False):
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 29, 0, 0x4000, 64, 17, 0,
                     socket.inet_aton(src), socket.inet_aton(dst))
    c = csum(ip) ^ (0x5a5a if bad_ip else 0)
    ip = ip[:10] + struct.pack("!H", c) + ip[12:]
    return ip + struct.pack("!HHHH", sport, dport, 9, 0)

def rx(s, ms):
    """every ICMP message s got within ms: (src, type, code, id, quote)"""
    got, end = [], time.time() + ms / 1000
    while True:
        left = end - time.time()
        if left <= 0 or not select.select([s], [], [], left)[0]:
            return got
        b = s.recv(2048)
        h = (b[0] & 15) * 4
        got.append((socket.inet_ntoa(b[12:16]), b[h], b[h + 1],
                    struct.unpack("!H", b[h + 4:h + 6])[0], b[h + 8:]))

def udp(node, port):
    s = sock(node, socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("0.0.0.0", port))
    return s

ICMP = (socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
c1a, c2a, s1a, s2a = addr("c1")[0], addr("c2")[0], addr("s1")[0], addr("s2")[0]
gw = addr("gw")
gw_in = [a for a in gw if a.startswith("10.")][0]
ext = [a for a in gw if not a.startswith("10.")][0]
r = {n: sock(n, *ICMP) for n in ("c1", "c2", "s1", "s2")}

# REQ-1, REQ-1a: echo id 0x4701 to s1 and s2
for dst in (s1a, s2a):
    r["c1"].sendto(icmp(8, 0, struct.pack("!HH", 0x4701, 1), b"t47"), (dst, 0))
replies = [m for m in rx(r["c1"], 200) if m[1] == 0 and m[3] == 0x4701]
ids = [[m[3] for m in rx(r[n], 50) if m[1] == 8] for n in ("s1", "s2")]
print("echo_replies=%d" % len(replies))
print("id_s1=%s" % ("0x%04x" % ids[0][0] if ids[0] else "none"))
print("id_s2=%s" % ("0x%04x" % ids[1][0] if ids[1] else "none"))
# and with the identifier busy: c2 holds 0x4702 towards s2 first
echo2 = icmp(8, 0, struct.pack("!HH", 0x4702, 1), b"t47")
r["c2"].sendto(echo2, (s2a, 0))
rx(r["s2"], 100)
for dst in (s1a, s2a):
    r["c1"].sendto(echo2, (dst, 0))
ids = [[m[3] for m in rx(r[n], 100) if m[1] == 8] for n in ("s1", "s2")]
print("busy_s1=%s" % ("0x%04x" % ids[0][0] if ids[0] else "none"))
print("busy_s2=%s" % ("0x%04x" % ids[1][0] if ids[1] else "none"))

# c1's UDP mappings towards s1:44790, as s1 sees them
srv = udp("s1", 44790)
u3a, uhp = udp("c1", 44701), udp("c1", 44721)
u3a.setsockopt(socket.IPPROTO_IP, 11, 1)       # IP_RECVERR
for u in (u3a, uhp):
    u.sendto(b"x", (s1a, 44790))
mapped = {}
for _ in range(2):
    if select.select([srv], [], [], 0.3)[0]:
        _, (a, p) = srv.recvfrom(64)
        mapped[len(mapped)] = p
m3a, mhp = mapped.get(0), mapped.get(1)

# REQ-3a: an error with a bad quoted IP checksum about c1's mapping
if m3a:
    r["s1"].sendto(icmp(3, 3, b"\0" * 4, udp_quote(ext, m3a, s1a, 44790, True)),
                   (ext, 0))
    got = [m for m in rx(r["c1"], 200) if m[1] == 3]
    print("bad_inner_delivered=%d" % (1 if got else 0))

# REQ-5: c1's error about a datagram to a port it never mapped
r["c1"].sendto(icmp(3, 3, b"\0" * 4, udp_quote(s1a, 44790, c1a, 44709)),
               (s1a, 0))
leak = [m for m in rx(r["s1"], 200) if m[1] == 3]
print("unmapped_leaked=%d" % (1 if leak else 0))
print("unmapped_from=%s" % (leak[0][0] if leak else "none"))

# REQ-7: c2 to c1's mapping: does the datagram reach c1 at all?
if mhp:
    udp("c2", 44722).sendto(b"y", (ext, mhp))
    print("hairpin_at_c1=%d" % (1 if select.select([uhp], [], [], 0.3)[0] else 0))

# REQ-10: TTL 1 from c1
t = udp("c1", 44731)
t.setsockopt(socket.IPPROTO_IP, socket.IP_TTL, 1)
t.sendto(b"z", (s1a, 44790))
te = [m for m in rx(r["c1"], 200) if m[1] == 11]
print("ttl_from=%s" % (te[0][0] + (" (inside)" if te[0][0] == gw_in else "")
                       if te else "none"))
PY
}

# val KEY: a value the oracle printed
val() {
	printf '%s\n' "$ORC" | sed -n "s/^$1=//p"
}

for prof in masquerade rfc; do
	topo=$(topo_rfc_lab "$prof")
	new_lab LAB
	run "$NATLAB" up -n "$LAB" "$topo"
	expect_rc "$prof: natlab up of topo/rfc.topo" 0 || finish
	ORC=$(oracle "$LAB")
	[ -n "$ORC" ] || { fail "$prof: the oracle ran" "its findings" "nothing"; finish; }
	echo "$prof oracle: $(printf '%s ' $ORC)"
	v() { verdict "$prof" "5508/$1"; }

	if [ "$(val echo_replies)" = 2 ]; then want=meets; else want="does not meet"; fi
	expect_eq "$prof REQ-1: the oracle got $(val echo_replies) of 2 replies" "$want" "$(v REQ-1)"
	if [ "$(val id_s1)" = "$(val id_s2)" ] && [ "$(val busy_s1)" = "$(val busy_s2)" ]
	then want=meets; else want="does not meet"; fi
	expect_eq "$prof REQ-1a: ids $(val id_s1), $(val id_s2) at s1, s2; busy: $(val busy_s1), $(val busy_s2)" \
		"$want" "$(v REQ-1a)"
	if [ "$(val bad_inner_delivered)" = 1 ]; then want="does not meet"; else want=meets; fi
	expect_eq "$prof REQ-3a: bad quoted IP checksum delivered: $(val bad_inner_delivered)" \
		"$want" "$(v REQ-3a)"
	expect_eq "$prof REQ-5: error about no mapping reached s1 (from $(val unmapped_from))" \
		"$(val unmapped_leaked)" "$(datum "$prof" 5508/REQ-5 unmapped_leaked)"
	if [ "$(val unmapped_leaked)" = 1 ]; then
		expect_eq "$prof REQ-5: a leak is a miss" "does not meet" "$(v REQ-5)"
	fi
	expect_eq "$prof REQ-7: c2's datagram reached c1 through the gateway" \
		"$(val hairpin_at_c1)" "$(datum "$prof" 5508/REQ-7 at_c1)"
	if [ "$(val hairpin_at_c1)" = 0 ]; then
		expect_eq "$prof REQ-7: no hairpinning, no hairpinned error" \
			"does not meet" "$(v REQ-7)"
	fi
	case $(val ttl_from) in
	*"(inside)") want=meets ;;
	*) want="does not meet" ;;
	esac
	expect_eq "$prof REQ-10: time exceeded from $(val ttl_from)" "$want" "$(v REQ-10)"
	if [ "$prof" = rfc ]; then
		gwv=$(nsx "$LAB" gw sysctl -n net.netfilter.nf_conntrack_icmp_timeout)
		expect_eq "rfc REQ-2: the gateway's icmp_timeout, read with iproute2" "60" "$gwv"
		expect_eq "rfc REQ-2: natlab read the same" "$gwv" \
			"$(datum rfc 5508/REQ-2 icmp_timeout_s)"
		expect_eq "rfc REQ-2" meets "$(v REQ-2)"
	fi
	run "$NATLAB" down "$LAB"
done

# Nothing of natlab rfc's labs is left.
for prof in masquerade rfc; do
	expect_gone "$(printf '%s\n' "$TAB" | awk -v p=$prof '$1 == "lab" && $2 == p { print $3 }')"
done

finish
