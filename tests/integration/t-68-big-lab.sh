#!/bin/bash
# t-68-big-lab: a network of more than a bridge's 1,023 ports.  1,200
# clients behind one gateway: check accepts it and refuses a network too
# big for the switch at its count line; up builds the network as two
# bridges (iproute2 counts their ports), every client reaches the server
# through the gateway, from both bridges, without one ARP request (the
# neighbour entries are permanent on both sides); a short run of one
# connection per client (with per-client clocks, on the default bpf path)
# reports every SYN once, checked against tcpdump's reading of the
# server's capture; down and the run leave nothing, and the host
# namespace is unchanged.
. "$(dirname "$0")/lib.sh"
require_root

N=1200
before=$("$TOP/tests/integration/host-snapshot")

new_lab LAB
big() {	# big LAB COUNT: the lab's topology with COUNT clients
	topo_file big <<END
[lab]
name = $1
[network lan]
subnet = 10.64.0.0/16
[network wan]
subnet = 198.51.100.0/24
[gateway gw]
inside = lan
outside = wan
nat = masquerade
[server srv]
network = wan
close = server
[clients]
count = $2
network = lan
tsclock = host
ts_offset = random 100s
[traffic]
order = random
rate = 600
conns = 1
linger = 500ms
END
}
topo=$(big "$LAB" $N)

# ---- check ----
run "$NATLAB" check "$topo"
expect_rc "check: $N clients on one network" 0
toobig=$(big "$LAB" 24000)
run "$NATLAB" check "$toobig"
expect_rc "check: 24,000 clients and a gateway on one network" 2
expect_match "check: says so at the count line" \
	"$toobig:15: network lan: 24001 interfaces, a network holds at most 24000" \
	"$ERR"

# ---- up: the switch, seen with iproute2 ----
run "$NATLAB" up "$topo"
expect_rc "up" 0 || finish
expect_eq "namespaces: switch, gateway, server and $N clients" $((N + 3)) \
	"$(lab_netns "$LAB" | grep -c .)"
ports() {	# ports BRIDGE: ports enslaved to it in the switch
	nsx "$LAB" sw bridge link show | grep -c " master $1 "
}
# gw-in and c1..c999 on lan, with lan.1's link; c1000..c1200 on lan.1
expect_eq "bridge lan: 1,000 interfaces and the link to lan.1" 1001 "$(ports lan)"
expect_eq "bridge lan.1: the other 201 and its end of the link" 202 "$(ports lan.1)"
expect_eq "lan.1's link: a veth pair inside the switch" "lan.1-a@lan.1-b" \
	"$(nsx "$LAB" sw ip -o link show lan.1-a | awk -F': ' '{ print $2 }')"
srv=$(addr_of "$LAB" srv wan)
gwin=$(addr_of "$LAB" gw lan)
# tcpdump on the gateway's switch port: every ARP frame of the pings
bg_nsx "$LAB" sw tcpdump -l -n -i gw-in arp >"$T_TMP/arp.txt" 2>"$T_TMP/arp.err"
dump=$BG_PID
sleep 1
for c in c1 c999 c1200; do
	ping_ok "$LAB" $c "$srv"
	expect_rc "$c reaches the server through the gateway" 0
done
expect_match "c1200: a permanent neighbour entry for its gateway" \
	"$gwin dev lan lladdr .* PERMANENT" "$(nsx "$LAB" c1200 ip neigh show)"
expect_eq "gw: $N permanent entries on its inside, none resolved by ARP" \
	"$N 0" "$(nsx "$LAB" gw ip neigh show dev lan |
		awk '/PERMANENT/ { p++ } !/PERMANENT/ { o++ } END { print p + 0, o + 0 }')"
stop_pid "$dump"
expect_match "tcpdump ran on gw-in" "listening on gw-in" "$(cat "$T_TMP/arp.err")"
expect_eq "no ARP frame crossed the gateway's port (tcpdump)" 0 \
	"$(grep -c . "$T_TMP/arp.txt")"
run "$NATLAB" down "$LAB"
expect_rc "down" 0
expect_gone "$LAB"

# ---- a short run, against tcpdump ----
J=$T_TMP/run.json
P=$T_TMP/pcap
run "$NATLAB" run -n "$LAB" --json "$J" --pcap "$P" "$topo"
expect_rc "run" 0
expect_gone "$LAB"
[ -s "$J" ] || { fail "JSON report written" "$J" "missing"; finish; }
pc=$(pcap_counts "$P/srv-wan.pcap" "$srv" 80)
echo "pcap of srv:" $pc
p_syn=$(pcap_val "$pc" syn_in)
p_synack=$(pcap_val "$pc" synack_out)
expect_eq "every client made its connection" $N "$(jmetric "$J" clients.established)"
expect_eq "pcap: a SYN-ACK per connection" $N "$p_synack"
expect_eq "srv.syn_in = SYNs in the pcap" "$p_syn" "$(jmetric "$J" srv.syn_in)"
expect_eq "clients.attempts + clients.syn_retrans = SYNs in the pcap" "$p_syn" \
	"$(jget "$J" "d['metrics']['clients.attempts'] + d['metrics']['clients.syn_retrans']")"
expect_eq "syns[]: each SYN at the server seen once, from both bridges" "$p_syn" \
	"$(jget "$J" "sum(s['answer'] != 'lost' for c in d['connections'] for s in c['syns'])")"
expect_eq "syns[]: the clients on lan.1 are in it" 201 \
	"$(jget "$J" "len({c['client'] for c in d['connections'] if int(c['client'][1:]) >= 1000 and c.get('syns')})")"
expect_eq "clock path" bpf "$(jget "$J" "d['engine_clock_path']")"

after=$("$TOP/tests/integration/host-snapshot")
expect_eq "host namespace unchanged" "$before" "$after"

finish
