#!/bin/bash
# t-13-exec-status: natlab exec runs a program inside a node (it sees the
# node's interfaces and address), passes its exit status through, and
# fails for a node or lab that does not exist; status lists every node
# with its addresses.
. "$(dirname "$0")/lib.sh"
require_root

new_lab LAB
topo=$(topo_lab "$LAB" <<END
[server srv]
address = 198.51.100.80
END
)

run "$NATLAB" up "$topo"
expect_rc "up" 0 || finish

run "$NATLAB" exec "$LAB" c1 -- ip -o addr
expect_rc "exec c1 -- ip -o addr" 0
expect_match "c1 sees its address on lan" "^[0-9]+: lan +inet 10\.0\.0\.2/24 " "$OUT"
run "$NATLAB" exec "$LAB" c1 -- ip -o link
expect_eq "c1 has lo and lan, nothing of the host's" "lo lan" \
	"$(printf '%s\n' "$OUT" | awk -F': ' '{ sub("@.*", "", $2); printf "%s%s", s, $2; s = " " }')"
run "$NATLAB" exec "$LAB" c1 -- ip -o addr
expect_eq "exec output equals ip netns exec's" "$(nsx "$LAB" c1 ip -o addr)" "$OUT"

run "$NATLAB" exec "$LAB" srv -- cat /sys/class/net/wan/operstate
expect_eq "exec srv: /sys shows the node's own interfaces" up "$OUT"

run "$NATLAB" exec "$LAB" c1 -- sh -c 'exit 7'
expect_rc "exit status passes through" 7
run "$NATLAB" exec "$LAB" c2 -- ping -q -c 1 -W 2 198.51.100.80
expect_rc "exec c2 -- ping srv" 0

run "$NATLAB" exec "$LAB" nosuch -- true
if [ "$RC" -ne 0 ]; then pass "exec into a missing node fails (exit $RC)"; else fail "exec into a missing node fails" "non-zero" "exit 0"; fi
new_lab NOLAB
run "$NATLAB" exec "$NOLAB" c1 -- true
if [ "$RC" -ne 0 ]; then pass "exec into a missing lab fails (exit $RC)"; else fail "exec into a missing lab fails" "non-zero" "exit 0"; fi

run "$NATLAB" status "$LAB"
expect_rc "status" 0
expect_match "status: lab is up" "^lab $LAB: up, 4 nodes, 5/5 namespaces present" "$OUT"
expect_match "status: gw with both addresses" \
	"^gw +gateway +lan 10\.0\.0\.1/24 up .*wan 198\.51\.100\.1/24 up" "$OUT"
expect_match "status: srv" "^srv +server +wan 198\.51\.100\.80/24 up" "$OUT"
expect_match "status: c1" "^c1 +client +lan 10\.0\.0\.2/24 up" "$OUT"
expect_match "status: c2" "^c2 +client +lan 10\.0\.0\.3/24 up" "$OUT"

run "$NATLAB" status
expect_match "the lab list shows $LAB up" "^$LAB +up +4 nodes" "$OUT"

finish
