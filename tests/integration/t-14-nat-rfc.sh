#!/bin/bash
# t-14-nat-rfc: a gateway with nat = rfc, built by natlab up, beside one
# with plain masquerade.  The rfc gateway gets its full-cone rules and
# keeper process (status shows it), transitory conntrack timeouts of
# 240 s and no redirects, a value the file sets winning; then c1 maps a
# port by connecting to s1 while listening on it, and s2 -- which c1
# never contacted -- connects to that external port: it reaches c1
# behind the rfc gateway (endpoint-independent filtering), and not
# behind masquerade.  down stops the keeper and removes its file.
# Bad nat lines are refused with file:line.
. "$(dirname "$0")/lib.sh"
require_root

EXT=203.0.113.1
PORT=41000

lab_topo() { # LAB NAT [EXTRA LINE]
	topo_file <<END
[lab]
name = $1
[network lan]
subnet = 10.0.0.0/24
[network wan]
subnet = 203.0.113.0/24
[gateway gw]
inside = lan
outside = wan
nat = $2
${3:-}
[server s1]
network = wan
[server s2]
network = wan
[clients]
count = 1
network = lan
END
}

# ---- bad input ----
new_lab BAD
for bad in "rfc persistent" "masquerade rfc" "rfc rfc"; do
	f=$(lab_topo "$BAD" "$bad")
	run "$NATLAB" up "$f"
	expect_rc "nat = $bad refused" 2
	expect_match "nat = $bad: error names file:line" "$f:10: " "$ERR"
done
expect_gone "$BAD"

# ---- two labs ----
new_lab R
new_lab M
run "$NATLAB" up "$(lab_topo "$R" rfc "conntrack.tcp_timeout_close = 30")"
expect_rc "natlab up (nat = rfc)" 0 || finish
run "$NATLAB" up "$(lab_topo "$M" masquerade)"
expect_rc "natlab up (masquerade)" 0 || finish

kpid=$(awk '$1 == "pid" && $4 == "keeper" { print $2; exit }' \
	"/run/natlab/$R.state" 2>/dev/null)
expect_true "the rfc lab records a keeper process" [ -n "$kpid" ]
expect_true "the keeper runs" alive "${kpid:-0}"
run "$NATLAB" status "$R"
expect_match "status shows the keeper" "full-cone keeper: pid $kpid, running" "$OUT"
expect_eq "no keeper in the masquerade lab" "" \
	"$(awk '$1 == "pid" && $4 == "keeper"' "/run/natlab/$M.state")"

ct() { nsx "$1" gw sysctl -n "net.netfilter.nf_conntrack_tcp_timeout_$2"; }
expect_eq "rfc: syn_sent timeout" 240 "$(ct "$R" syn_sent)"
expect_eq "rfc: time_wait timeout" 240 "$(ct "$R" time_wait)"
expect_eq "rfc: close timeout as the file set it" 30 "$(ct "$R" close)"
expect_eq "masquerade: syn_sent timeout left alone" 120 "$(ct "$M" syn_sent)"
expect_eq "rfc: no redirects on lan" 0 \
	"$(nsx "$R" gw sysctl -n net.ipv4.conf.lan.send_redirects)"
expect_match "rfc: the full-cone maps are in the gateway" "map rfc_eif" \
	"$(nsx "$R" gw nft list ruleset)"

# c1 listens on PORT and, from the same port, connects to s1:80 (which
# maps it); then waits up to 5 s for anyone else to connect.
c1_script='
import socket, sys
def sock():
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    s.bind(("0.0.0.0", int(sys.argv[2])))
    return s
l = sock(); l.listen(4)
c = sock(); c.settimeout(3); c.connect((sys.argv[1], 80)); c.sendall(b"map\n")
print("mapped", flush=True)
l.settimeout(5)
try:
    a, peer = l.accept()
    a.settimeout(3)
    print("got", peer[0], a.recv(64).decode().strip(), flush=True)
except socket.timeout:
    print("nobody", flush=True)
'

reach() { # LAB: what c1 got from s2
	local s1 out i=0

	s1=$(addr_of "$1" s1 wan)
	tcp_listen "$1" s1 80 || return
	bg_nsx "$1" c1 python3 -c "$c1_script" "$s1" "$PORT" >"$T_TMP/c1-$1.out" 2>&1
	while ! grep -q mapped "$T_TMP/c1-$1.out" && [ $i -lt 50 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	# Give a keeper its moment to learn the mapping from the event.
	sleep 0.3
	echo from-s2 | nsx "$1" s2 nc -N -w 3 "$EXT" "$PORT" >/dev/null 2>&1
	bg_wait "$BG_PID"
	out=$(grep -v mapped "$T_TMP/c1-$1.out")
	tcp_done "$1" s1 80
	echo "$out"
}

expect_eq "rfc: s2 reached c1 at its mapping" \
	"got $(addr_of "$R" s2 wan) from-s2" "$(reach "$R")"
expect_eq "masquerade: s2 did not reach c1" "nobody" "$(reach "$M")"

sleep 1.1 # the keeper rewrites its counters every second
mappings=$(awk '$1 == "node" && $2 == "gw" { for (i = 3; i < NF; i += 2) if ($i == "mappings") print $(i + 1) }' \
	"/run/natlab/$R.keeper" 2>/dev/null)
expect_true "the keeper installed c1's mapping (mappings $mappings)" \
	[ "${mappings:-0}" -ge 1 ]

run "$NATLAB" down "$R"
expect_rc "natlab down" 0
if alive "${kpid:-0}"; then
	fail "the keeper is gone" "no process $kpid" "$(cat "/proc/$kpid/stat")"
else
	pass "the keeper is gone"
fi
expect_true "its counter file is gone" [ ! -e "/run/natlab/$R.keeper" ]
expect_gone "$R"
finish
