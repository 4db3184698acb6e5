#!/bin/bash
# t-03-flags: the nat = masquerade flags and nat.ports of a gateway reach
# the kernel exactly as written (read back with nft list ruleset), and a
# connection through the port-range gateway is mapped to a port in range
# (the conntrack reply tuple's destination port).
. "$(dirname "$0")/lib.sh"
require_root

new_lab LAB
topo=$(topo_file <<END
[lab]
name = $LAB

[network l1]
subnet = 10.1.0.0/24
[network l2]
subnet = 10.2.0.0/24
[network l3]
subnet = 10.3.0.0/24
[network l4]
subnet = 10.4.0.0/24
[network l5]
subnet = 10.5.0.0/24
[network wan]
subnet = 198.51.100.0/24

[gateway g1]
inside = l1
outside = wan
nat = masquerade random

[gateway g2]
inside = l2
outside = wan
nat = fully-random masquerade

[gateway g3]
inside = l3
outside = wan
nat = masquerade persistent

[gateway g4]
inside = l4
outside = wan
nat = masquerade fully-random persistent

[gateway g5]
inside = l5
outside = wan
nat = masquerade
nat.ports = 20000-20099

[server srv]
network = wan
address = 198.51.100.80

[client c1]
network = l5
END
)

run "$NATLAB" up "$topo"
expect_rc "natlab up" 0 || finish

# masq_rules GW: each masquerade rule as "[PROTO] masquerade ARGS".
masq_rules() {
	nsx "$LAB" "$1" nft list ruleset |
		sed -n 's/.*oifname "wan" \(meta l4proto \([a-z]*\) \)\{0,1\}counter packets [0-9]* bytes [0-9]* \(masquerade.*\)$/\2 \3/p' |
		sed 's/^ //'
}

expect_eq "g1 rule" "masquerade random" "$(masq_rules g1)"
expect_eq "g2 rule" "masquerade fully-random" "$(masq_rules g2)"
expect_eq "g3 rule" "masquerade persistent" "$(masq_rules g3)"
expect_eq "g4 rule" "masquerade fully-random,persistent" "$(masq_rules g4)"
expect_eq "g5 rules: ports for tcp and udp, plain for the rest" \
	"tcp masquerade to :20000-20099
udp masquerade to :20000-20099
masquerade" "$(masq_rules g5)"

# The listing above prints the same for a range the kernel honours and
# one it ignores: a range takes NF_NAT_RANGE_PROTO_SPECIFIED (0x2) in the
# masq expression's flags, as nft itself sets it.
expect_eq "g5: both ranged masq expressions carry flags 0x2 (PROTO_SPECIFIED)" 2 \
	"$(nsx "$LAB" g5 nft --debug=netlink list ruleset 2>&1 |
		grep -c 'masq proto_min reg [0-9]* proto_max reg [0-9]* flags 0x2 ')"

# Three connections through g5: each mapped into 20000-20099.
for i in 1 2 3; do
	tcp_listen "$LAB" srv 700$i || fail "nc server in srv"
	run tcp_send "$LAB" c1 198.51.100.80 700$i "conn $i"
	expect_rc "c1 connects to srv:700$i through g5" 0
	tcp_done "$LAB" srv 700$i
	read -r _ _ sport _ _ rdst _ rdport <<<"$(ct_tuples "$LAB" g5 tcp 700$i)"
	expect_eq "conn $i: reply goes to g5's outside address" \
		"$(addr_of "$LAB" g5 wan)" "$rdst"
	if in_range "$rdport" 20000 20099; then
		pass "conn $i: client port $sport mapped to $rdport, in 20000-20099"
	else
		fail "conn $i: mapped port in range" "20000-20099" "${rdport:-no conntrack entry}"
	fi
	peer=$(tcp_peer "$LAB" srv 700$i)
	expect_eq "conn $i: the server saw the mapped port" "$rdport" "${peer#* }"
done

finish
