#!/bin/bash
# t-50-balancer: an L4 load balancer node.  Clients behind a masquerading
# gateway connect to the balancer's virtual address (VIP); it spreads
# the connections over two servers on its backend network by DNAT.
# Every claim is checked against what the servers themselves saw, not
# against natlab's counters:
#   - the spread and round robin: a probe server in each server node
#     logs every connection it accepts; connections made one at a time
#     go to s1, s2, s1, s2, ...; with the hash schedule both get some;
#   - whose address the servers see: the probes' accept() peer and the
#     servers' own sockets (ss): the gateway's outside address in mode
#     dnat (their replies go back through the balancer, their default
#     route), the balancer's backend address in mode fullnat;
#   - natlab status's connections per server equal the probes' counts;
#   - natlab run with the balancer as the target (servers with the
#     emulated tcp_tw_recycle, clients with clocks apart): each server's
#     metrics equal the counts of the pcap written in its own namespace
#     (tcpdump, not natlab), and the balancer's per-server connections
#     equal the connections each pcap shows;
#   - bad balancers are refused by check with FILE:LINE and exit 2, and
#     natlab down leaves nothing.
# shellcheck disable=SC2016 # '$a' in the cases is sed's "after the last line"
. "$(dirname "$0")/lib.sh"
require_root

VIP=198.51.100.10
GW_WAN=198.51.100.1
LB_DMZ=10.1.0.1

# lb_text NAME MODE SCHEDULE [EXTRA]: clients behind gw, a balancer on
# wan in front of s1 and s2 on dmz; EXTRA is appended.
lb_text() {
	cat <<END
[lab]
name = $1
[network lan]
subnet = 10.0.0.0/24
[network wan]
subnet = 198.51.100.0/24
[network dmz]
subnet = 10.1.0.0/24
[gateway gw]
inside = lan
outside = wan
nat = masquerade
[balancer lb]
frontend = wan
backend = dmz
address = $VIP
servers = s1, s2
mode = $2
schedule = $3
[server s1]
network = dmz
[server s2]
network = dmz
[clients]
count = 2
network = lan
${4:-}
END
}

# lb_topo NAME MODE SCHEDULE [EXTRA]: that topology in a file; its path.
lb_topo() {
	lb_text "$@" | topo_file lb
}

# conns LAB NODE: connections the node's probe server has accepted.
conns() {
	probe_log "$1" "$2" 80 | grep -c '^conn '
}

# wait_conns LAB N: until s1 and s2 together logged N (up to 3 s).
wait_conns() {
	local i=0

	while [ $(($(conns "$1" s1) + $(conns "$1" s2))) -lt "$2" ]; do
		[ $i -ge 30 ] && return 1
		sleep 0.1
		i=$((i + 1))
	done
}

# peers LAB NODE: the distinct peer addresses its probe server saw.
peers() {
	probe_log "$1" "$2" 80 | awk '/^conn / { print $2 }' | sort -u | xargs
}

# ss_peers LAB NODE: the distinct peer addresses of the node's own TCP
# sockets on port 80 (the server closes first: TIME_WAIT ones).
ss_peers() {
	nsx "$1" "$2" ss -Htan sport = :80 2>/dev/null |
		awk '$1 != "LISTEN" { sub(":[0-9]+$", "", $5); print $5 }' |
		sort -u | xargs
}

# ---- mode dnat, round robin: alternation, peers, routes, status ----

new_lab A
run "$NATLAB" up "$(lb_topo "$A" dnat round-robin)"
expect_rc "natlab up (dnat, round-robin)" 0 || finish
expect_eq "the VIP is on the balancer's frontend" "$VIP" "$(addr_of "$A" lb wan)"
expect_eq "the balancer's backend takes dmz's first address" "$LB_DMZ" \
	"$(addr_of "$A" lb dmz)"
expect_eq "dnat: s1's default route goes via the balancer" "$LB_DMZ" \
	"$(nsx "$A" s1 ip -4 route show default | awk '{ print $3 }')"
expect_eq "the balancer forwards" 1 \
	"$(nsx "$A" lb cat /proc/sys/net/ipv4/ip_forward)"

probe_server "$A" s1 80 || fail "probe server in s1"
probe_server "$A" s2 80 || fail "probe server in s2"
# One connection at a time; after each, whose log grew.
order="" p1=0 p2=0
for i in 1 2 3 4 5 6; do
	c=c$((i % 2 + 1))
	probe_client "$A" "$c" "$VIP" 80
	expect_eq "connection $i from $c to the VIP" ok "$PROBE_RES"
	wait_conns "$A" "$i" || fail "connection $i logged by a server"
	n1=$(conns "$A" s1)
	n2=$(conns "$A" s2)
	if [ "$n1" -gt "$p1" ]; then order="$order s1"; fi
	if [ "$n2" -gt "$p2" ]; then order="$order s2"; fi
	p1=$n1 p2=$n2
done
expect_eq "round robin: the servers take the connections in turn (numgen from 0)" \
	" s1 s2 s1 s2 s1 s2" "$order"
expect_eq "each server accepted 3 of the 6 (its own count)" "3 3" \
	"$(conns "$A" s1) $(conns "$A" s2)"
expect_eq "dnat: s1's accept() peer is the gateway's outside address" \
	"$GW_WAN" "$(peers "$A" s1)"
expect_eq "dnat: s2's accept() peer is the gateway's outside address" \
	"$GW_WAN" "$(peers "$A" s2)"
expect_eq "dnat: s1's own sockets (ss) have the gateway as peer" \
	"$GW_WAN" "$(ss_peers "$A" s1)"
run "$NATLAB" status "$A"
expect_rc "natlab status" 0
expect_match "status: the balancer's interfaces and its connections per server = the probes' counts" \
	"^lb +balancer +wan $VIP/24 up .*, dmz $LB_DMZ/24 up .*; connections s1 3, s2 3\$" \
	"$OUT"

run "$NATLAB" down "$A"
expect_rc "natlab down" 0
expect_gone "$A"

# ---- mode fullnat, hash: both servers used, the balancer as peer ----

new_lab B
run "$NATLAB" up "$(lb_topo "$B" fullnat hash)"
expect_rc "natlab up (fullnat, hash)" 0 || finish
probe_server "$B" s1 80 || fail "probe server in s1"
probe_server "$B" s2 80 || fail "probe server in s2"
probe_client "$B" c1 "$VIP" 80 --count 10
expect_eq "c1: 10 connections to the VIP" "ok=10 fail=0" "$(echo "$OUT" | tail -n 1)"
probe_client "$B" c2 "$VIP" 80 --count 10
expect_eq "c2: 10 connections to the VIP" "ok=10 fail=0" "$(echo "$OUT" | tail -n 1)"
wait_conns "$B" 20 || fail "20 connections logged by the servers"
n1=$(conns "$B" s1)
n2=$(conns "$B" s2)
expect_eq "hash: the servers accepted the 20 between them" 20 $((n1 + n2))
if [ "$n1" -gt 0 ] && [ "$n2" -gt 0 ]; then
	pass "hash over the gateway's ports: both servers got connections ($n1, $n2)"
else
	fail "hash: both servers got connections" "both > 0" "$n1 $n2"
fi
expect_eq "fullnat: s1's accept() peer is the balancer's backend address" \
	"$LB_DMZ" "$(peers "$B" s1)"
expect_eq "fullnat: s2's accept() peer is the balancer's backend address" \
	"$LB_DMZ" "$(peers "$B" s2)"
expect_eq "fullnat: s2's own sockets (ss) have the balancer as peer" \
	"$LB_DMZ" "$(ss_peers "$B" s2)"
run "$NATLAB" status "$B"
expect_match "status: connections per server = the probes' counts" \
	"; connections s1 $n1, s2 $n2\$" "$OUT"
run "$NATLAB" down "$B"
expect_rc "natlab down" 0
expect_gone "$B"

# ---- natlab run with the balancer as the target ----

# Three clients whose clocks are apart (c2 10 s behind c1, c3 20 s
# ahead), the servers with the emulated tcp_tw_recycle: the balancer
# hands the clients' connections to both servers in turn, so each
# server remembers more than one clock behind the one NAT address and
# drops some SYNs, which the engine counts.
new_lab R
topo=$(lb_text "$R" dnat round-robin "[client c2]
ts_offset = -10s
[client c3]
ts_offset = 20s
[traffic]
server = lb
conns = 2
interval = 100ms
max = 20s" | sed 's/^network = dmz/&\nlegacy.tcp_tw_recycle = 1\nlegacy.paws_msl = 3s/
	s/^count = 2/count = 3\ntsclock = host/' | topo_file run)
J=$T_TMP/run.json
P=$T_TMP/pcap
run "$NATLAB" run -n "$R" --json "$J" --pcap "$P" "$topo"
expect_rc "natlab run, the balancer as the target" 0
expect_gone "$R"
expect_valid "the report, a balancer's node in it, against its schema" "$J"
expect_match "the report has a line for each server" "^server s2: SYNs in " "$OUT"
expect_match "and the balancer's line" \
	"^balancer lb \(dnat, round-robin\): connections s1 3, s2 3;" "$OUT"
expect_eq "JSON: the balancer's node" "balancer 198.51.100.10 10.1.0.1 dnat round-robin s1,s2" \
	"$(jget "$J" "[' '.join([n['kind'], n['address'], n['backend_address'], n['mode'], n['schedule'], ','.join(n['servers'])]) for n in d['nodes'] if n['name'] == 'lb'][0]")"
expect_eq "every attempt connected" "6 6" \
	"$(jmetric "$J" clients.attempts) $(jmetric "$J" clients.established)"

# pcap_conns FILE ADDR PORT: connections whose SYN the file shows
# reaching ADDR:PORT (distinct source port and initial sequence number).
pcap_conns() {
	tcpdump -nr "$1" -S 2>/dev/null |
		awk -v d="$2.$3:" '$5 == d && $7 == "[S]," { print $3, $9 }' |
		sort -u | wc -l
}

for s in s1 s2; do
	f=$P/$s-dmz.pcap
	[ -s "$f" ] || { fail "pcap of $s written" "$f" "$(ls -l "$P" 2>&1)"; continue; }
	addr=10.1.0.$((${s#s} + 1))
	pc=$(pcap_counts "$f" "$addr" 80)
	syn=$(pcap_val "$pc" syn_in)
	synack=$(pcap_val "$pc" synack_out)
	echo "pcap of $s:" $pc "connections $(pcap_conns "$f" "$addr" 80)"
	expect_eq "$s.syn_in = SYNs in $s's pcap" "$syn" "$(jmetric "$J" "$s.syn_in")"
	expect_eq "$s.synack_out = SYN-ACKs in $s's pcap" "$synack" \
		"$(jmetric "$J" "$s.synack_out")"
	expect_eq "$s.syn_dropped = SYNs - SYN-ACKs in $s's pcap" \
		"$((syn - synack))" "$(jmetric "$J" "$s.syn_dropped")"
	expect_eq "$s.paws_passive (the engine's) = SYNs - SYN-ACKs in $s's pcap" \
		"$((syn - synack))" "$(jmetric "$J" "$s.paws_passive")"
	expect_eq "$s.accepted = SYN-ACKs in $s's pcap" "$synack" \
		"$(jmetric "$J" "$s.accepted")"
	expect_eq "lb.conns.$s = connections in $s's pcap" \
		"$(pcap_conns "$f" "$addr" 80)" "$(jmetric "$J" "lb.conns.$s")"
	expect_eq "$s's pcap: every SYN from the gateway (dnat)" "" \
		"$(tcpdump -nr "$f" 2>/dev/null | awk -v d="$addr.80:" '$5 == d && $7 == "[S]," { print $3 }' | grep -v "^$GW_WAN\\." | head -n 3)"
done
expect_eq "every SYN the clients sent reached a server" \
	"$(jget "$J" "d['metrics']['clients.attempts'] + d['metrics']['clients.syn_retrans']")" \
	"$(jget "$J" "d['metrics']['s1.syn_in'] + d['metrics']['s2.syn_in']")"
[ "$T_FAILED" -gt 0 ] && printf '%s\n' "$OUT" "$ERR"

# ---- bad balancers: check refuses them, with FILE:LINE, exit 2 ----

# bad_case WHAT PHRASE SED-SCRIPT: the dnat lab with SED-SCRIPT applied;
# the faulty line is marked "; <-- here", and its message says PHRASE.
bad_case() {
	local what=$1 topo line lab

	new_lab lab
	topo=$(lb_text "$lab" dnat round-robin "[traffic]
server = lb" | sed "$3" | topo_file bad)
	line=$(grep -n '; <-- here' "$topo" | cut -d: -f1)
	[ -n "$line" ] || { fail "$what: test case has no marked line"; return; }
	run "$NATLAB" check "$topo"
	expect_rc "$what: check" 2
	expect_match "$what: check blames $(basename "$topo"):$line" \
		"^$topo:$line: .*$2" "$ERR"
	run "$NATLAB" up "$topo"
	expect_rc "$what: up" 2
	expect_gone "$lab"
}

new_lab G
run "$NATLAB" check "$(lb_topo "$G" dnat round-robin)"
expect_rc "the base topology is valid" 0
expect_match "check counts the balancer" "1 gateways, 1 balancers, 2 servers, 2 clients" "$OUT"

bad_case "no servers" "balancer 'lb': missing 'servers'" \
	'/^servers = /d; s/^\[balancer lb\]/[balancer lb] ; <-- here/'
bad_case "a server that is not a server node" "'c2' is a client, not a server" \
	's/^servers = s1, s2/servers = s1, c2 ; <-- here/'
bad_case "a server not on the backend network" \
	"server 's3' is on network 'wan', not on its backend network 'dmz'" \
	's/^servers = s1, s2/servers = s1, s2, s3 ; <-- here/; $a [server s3]\nnetwork = wan'
bad_case "a server listed twice" "'s1' is listed twice" \
	's/^servers = s1, s2/servers = s1, s2, s1 ; <-- here/'
bad_case "frontend is the backend" "frontend and backend are the same network" \
	's/^backend = dmz/backend = wan ; <-- here/'
bad_case "unknown mode" "mode: expected dnat or fullnat" \
	's/^mode = dnat/mode = nat64 ; <-- here/'
bad_case "unknown schedule" "schedule: expected round-robin or hash" \
	's/^schedule = round-robin/schedule = random ; <-- here/'
bad_case "not reachable from the clients" \
	"balancer 'lb' is not reachable from client 'c1..c2': its routes reach lan, wan, not the frontend network 'edge'" \
	's/^frontend = wan/frontend = edge/; s/^address = .*/address = 203.0.113.10/
	 s/^server = lb/server = lb ; <-- here/; $a [network edge]\nsubnet = 203.0.113.0/24'
bad_case "mode dnat, a server routing around it" \
	"server 's1' routes via 'g2', so its replies would not pass balancer 'lb'" \
	'0,/^network = dmz/s//network = dmz\nvia = g2 ; <-- here/; $a [gateway g2]\ninside = dmz\noutside = wan'

finish
