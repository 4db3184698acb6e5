#!/bin/bash
# t-08-side-by-side: two labs built from one topology file under
# different names (-n) run at once with the same addresses and do not
# see each other's traffic; an up under a name in use fails (exit 2)
# without touching that lab; and a namespace the user made that clashes
# with a lab's node makes up fail without removing the user's namespace.
. "$(dirname "$0")/lib.sh"
require_root

new_lab A
new_lab B
new_lab C
new_lab F	# the file's own name, never used (down on exit if it were)
topo=$(topo_lab "$F" <<END
[server srv]
address = 198.51.100.80
END
)

for lab in $A $B; do
	run "$NATLAB" up -n "$lab" "$topo"
	expect_rc "up -n $lab" 0 || finish
done
a_ino=$(stat -L -c %i "/run/netns/$A-c1")

# Same server address in both labs: each client must reach its own.
for lab in $A $B; do
	tcp_listen "$lab" srv 8000 || fail "nc server in $lab-srv"
done
for lab in $A $B; do
	run tcp_send "$lab" c1 198.51.100.80 8000 "from $lab"
	expect_rc "$lab: c1 connects to 198.51.100.80:8000" 0
done
for lab in $A $B; do
	tcp_done "$lab" srv 8000
	expect_eq "$lab: its server got only its own client's line" \
		"from $lab" "$(tcp_got "$lab" srv 8000)"
	n=$(ct_tuples "$lab" gw tcp 8000 | wc -l)
	expect_eq "$lab: its gateway tracked exactly one connection" 1 "$n"
done

# Traffic in A only: B's counter stays where it was.
b_before=$(nft_packets "$B" gw masquerade)
expect_true "$A: c2 pings srv" ping_ok "$A" c2 198.51.100.80
expect_eq "$B: gateway counter unchanged by $A's ping" "$b_before" \
	"$(nft_packets "$B" gw masquerade)"

# A name in use.
run "$NATLAB" up -n "$A" "$topo"
expect_rc "up -n $A while $A is up" 2
run "$NATLAB" status "$A"
expect_match "$A is still up with all namespaces" \
	"^lab $A: up, 4 nodes, 5/5 namespaces present" "$OUT"
expect_eq "$A's c1 is the same namespace as before" "$a_ino" \
	"$(stat -L -c %i "/run/netns/$A-c1")"
expect_true "$A still works: c1 pings srv" ping_ok "$A" c1 198.51.100.80

# A namespace of the user's with a lab node's name.
ip netns add "$C-c1" || fail "ip netns add $C-c1"
T_NETNS="$T_NETNS $C-c1"
user_ino=$(stat -L -c %i "/run/netns/$C-c1")
run "$NATLAB" up -n "$C" "$topo"
expect_rc "up -n $C with the user's $C-c1 present" 2
expect_match "it names the clash" "$C-c1" "$ERR"
expect_eq "the user's $C-c1 is still there, the same namespace" "$user_ino" \
	"$(stat -L -c %i "/run/netns/$C-c1" 2>&1)"
expect_eq "nothing else of $C exists" "namespace $C-c1
file /run/netns/$C-c1
mount /run/netns/$C-c1" "$(leftovers "$C")"
ip netns del "$C-c1"
expect_gone "$C"

for lab in $A $B; do
	run "$NATLAB" down "$lab"
	expect_rc "down $lab" 0
	expect_gone "$lab"
done

finish
