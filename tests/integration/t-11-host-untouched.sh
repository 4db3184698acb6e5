#!/bin/bash
# t-11-host-untouched: while a lab is up and carries traffic, the host
# namespace has no new veth, no nftables table, no new route; every veth
# of the lab sits in a lab namespace, its peer in another one of the lab
# (a node's in the switch, the switch's in a node).
. "$(dirname "$0")/lib.sh"
require_root

host_state() {
	echo "== veth"
	ip -o link show type veth | sed 's/\\ */ /g'
	echo "== links"
	ip -o link | awk -F': ' '{ print $2 }' | sort
	echo "== nft tables"
	nft list tables
	echo "== routes"
	ip route show table all | sed 's/ expires [0-9]*sec//' | sort
}

new_lab LAB
topo=$(topo_lab "$LAB" </dev/null)

before=$(host_state)
run "$NATLAB" up "$topo"
expect_rc "up" 0 || finish
srv=$(addr_of "$LAB" srv wan)

# traffic while the host is looked at
bg_nsx "$LAB" c1 ping -q -c 30 -i 0.05 "$srv" >/dev/null
pinger=$BG_PID
tcp_listen "$LAB" srv 8022 || fail "nc server in srv"
run tcp_send "$LAB" c2 "$srv" 8022 "hello"
expect_rc "c2 connects to srv" 0
during=$(host_state)
bg_wait "$pinger"
expect_eq "c1's pings through the gateway were answered" 0 "$RC"

expect_eq "host links, veths, nft tables and routes unchanged while up" \
	"$before" "$during"
expect_no_match "no natlab table on the host" "natlab" "$(nft list tables)"

# Each node: one veth per interface, peer in the switch.  The switch: one
# veth per node interface, each peer in a node of this lab.
expected=0
for node in gw srv c1 c2; do
	[ $node = gw ] && n=2 || n=1
	expected=$((expected + n))
	links=$(nsx "$LAB" $node ip -o link show type veth)
	expect_eq "$node: veth count" "$n" "$(printf '%s\n' "$links" | grep -c .)"
	expect_eq "$node: every veth's peer is in $LAB-sw" "$n" \
		"$(printf '%s\n' "$links" | grep -c "link-netns $LAB-sw\$")"
done
links=$(nsx "$LAB" sw ip -o link show type veth)
expect_eq "sw: one veth per node interface" $expected "$(printf '%s\n' "$links" | grep -c .)"
expect_eq "sw: every veth's peer is in a node of $LAB" $expected \
	"$(printf '%s\n' "$links" | grep -Ec "link-netns $LAB-(gw|srv|c1|c2)\$")"

run "$NATLAB" down "$LAB"
expect_rc "down" 0
expect_eq "host state after down is as before" "$before" "$(host_state)"

finish
