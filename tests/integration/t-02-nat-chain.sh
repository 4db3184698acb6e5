#!/bin/bash
# t-02-nat-chain: double NAT.  Clients sit behind a home gateway whose
# outside is a carrier network (100.64.0.0/24), itself behind a carrier
# gateway facing the server.  The server sees the carrier's outside
# address; the carrier's conntrack shows the home gateway's outside
# address as the original source; the home gateway's shows the client.
. "$(dirname "$0")/lib.sh"
require_root

new_lab LAB
topo=$(topo_file <<END
[lab]
name = $LAB

[network lan]
subnet = 10.0.0.0/24

[network isp]
subnet = 100.64.0.0/24

[network wan]
subnet = 198.51.100.0/24

[gateway home]
inside = lan
outside = isp
outside.address = 100.64.0.20
nat = masquerade

[gateway cgn]
inside = isp
outside = wan
outside.address = 198.51.100.1
nat = masquerade

[server srv]
network = wan
address = 198.51.100.80

[clients]
count = 2
network = lan
END
)

run "$NATLAB" up "$topo"
expect_rc "natlab up" 0 || finish
c2=$(addr_of "$LAB" c2 lan)

expect_true "c2 pings the server through both gateways" \
	ping_ok "$LAB" c2 198.51.100.80

tcp_listen "$LAB" srv 9000 || fail "nc server in srv"
run tcp_send "$LAB" c2 198.51.100.80 9000 "two NATs away"
expect_rc "c2 connects to srv:9000" 0
tcp_done "$LAB" srv 9000
expect_eq "the server received the line" "two NATs away" "$(tcp_got "$LAB" srv 9000)"
peer=$(tcp_peer "$LAB" srv 9000)
expect_eq "the server saw the carrier's outside address" 198.51.100.1 "${peer% *}"

read -r osrc _ _ _ _ rdst _ <<<"$(ct_tuples "$LAB" home tcp 9000)"
expect_eq "home conntrack: original source is the client" "$c2" "$osrc"
expect_eq "home conntrack: reply goes to home's outside address" 100.64.0.20 "$rdst"

read -r osrc _ _ _ _ rdst _ <<<"$(ct_tuples "$LAB" cgn tcp 9000)"
expect_eq "carrier conntrack: original source is home's outside address" \
	100.64.0.20 "$osrc"
expect_eq "carrier conntrack: reply goes to the carrier's outside address" \
	198.51.100.1 "$rdst"

for gw in home cgn; do
	n=$(nft_packets "$LAB" $gw masquerade)
	if [ "$n" -gt 0 ]; then
		pass "$gw masquerade counter is $n packets"
	else
		fail "$gw masquerade counter" "> 0 packets" "$n"
	fi
done

finish
