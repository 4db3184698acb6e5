#!/bin/bash
# t-01-nat-one: clients behind one masquerading gateway reach a server
# outside, and the server sees only the gateway's outside address.
# Proved three ways: the server's own view of the peer (nc -v), the
# gateway's conntrack reply tuple, and the masquerade rule's nft counter.
. "$(dirname "$0")/lib.sh"
require_root

new_lab LAB
topo=$(topo_nat_lab "$LAB" <<END
[clients]
count = 3
END
)

run "$NATLAB" up "$topo"
expect_rc "natlab up" 0 || finish

gw_out=$(addr_of "$LAB" gw wan)
srv=$(addr_of "$LAB" srv wan)
c1=$(addr_of "$LAB" c1 lan)
expect_eq "gateway outside address (first free of wan)" 198.51.100.1 "$gw_out"
expect_eq "server address (next free of wan)" 198.51.100.2 "$srv"
expect_eq "c1 address (after the gateway's .1)" 10.0.0.2 "$c1"

before=$(nft_packets "$LAB" gw masquerade)

expect_true "c1 pings the server through the gateway" ping_ok "$LAB" c1 "$srv"

tcp_listen "$LAB" srv 8080 || fail "nc server in srv"
run tcp_send "$LAB" c1 "$srv" 8080 "hello from c1"
expect_rc "c1 connects to srv:8080 with nc" 0
tcp_done "$LAB" srv 8080
expect_eq "the server received the line" "hello from c1" "$(tcp_got "$LAB" srv 8080)"

peer=$(tcp_peer "$LAB" srv 8080)
expect_eq "the server saw the gateway's outside address" "$gw_out" "${peer% *}"

# conntrack in the gateway: original src = c1, reply dst = gw outside.
ct=$(ct_tuples "$LAB" gw tcp 8080)
read -r osrc _ _ _ rsrc rdst _ rdport <<<"$ct"
expect_eq "conntrack original source is c1" "$c1" "$osrc"
expect_eq "conntrack reply source is the server" "$srv" "$rsrc"
expect_eq "conntrack reply destination is the gateway's outside address" \
	"$gw_out" "$rdst"
expect_eq "the server saw the NAT's port" "$rdport" "${peer#* }"

after=$(nft_packets "$LAB" gw masquerade)
if [ "$after" -gt "$before" ]; then
	pass "masquerade counter grew ($before -> $after packets)"
else
	fail "masquerade counter grew" "more than $before packets" "$after"
fi

finish
