#!/bin/bash
# t-04-rollback: an up that fails part way leaves nothing behind.  The
# failure is forced (NATLAB_FAIL_AFTER) at the first checkpoint, in the
# middle of veth creation, during configuration and at the very end, and
# comes for real from sysctls the kernel refuses; then no namespace, no
# /run/netns file or mount, no state or lock file of the lab remains.
. "$(dirname "$0")/lib.sh"
require_root

# lab_topo NAME [EXTRA LINE FOR srv]: the one-gateway lab (topo_lab): gw,
# srv, c1, c2 - four nodes.
lab_topo() {
	printf '[server srv]\n%s\n' "${2:-}" | topo_lab "$1"
}

# Checkpoints with N nodes: 1..N namespaces, N+1..2N veths, 2N+1..3N
# configuration, 3N+1 the end.
N=4
for step in 1 $((N + 2)) $((2 * N + 2)) $((3 * N + 1)); do
	new_lab LAB
	topo=$(lab_topo "$LAB")
	run env NATLAB_FAIL_AFTER=$step "$NATLAB" up "$topo"
	if [ "$RC" -ne 0 ]; then
		pass "up with NATLAB_FAIL_AFTER=$step fails (exit $RC)"
	else
		fail "up with NATLAB_FAIL_AFTER=$step fails" "non-zero exit" "exit 0: $OUT"
	fi
	expect_match "it says where it failed" "build step $step" "$ERR"
	expect_gone "$LAB"
done

# A big lab, whose namespaces may be made by several threads at once:
# fail in the middle of them.
new_lab LAB
run env NATLAB_FAIL_AFTER=150 "$NATLAB" up "$(big_topo "$LAB" 300)"
if [ "$RC" -ne 0 ]; then
	pass "300 clients, NATLAB_FAIL_AFTER=150: up fails (exit $RC)"
else
	fail "300 clients, NATLAB_FAIL_AFTER=150: up fails" "non-zero exit" "exit 0"
fi
expect_gone "$LAB"

# One step past the last checkpoint: the build completes, which shows
# that 3N+1 above really was the end.
new_lab LAB
topo=$(lab_topo "$LAB")
run env NATLAB_FAIL_AFTER=$((3 * N + 2)) "$NATLAB" up "$topo"
expect_rc "up with NATLAB_FAIL_AFTER=$((3 * N + 2)) (past the end) succeeds" 0
run "$NATLAB" down "$LAB"
expect_rc "down" 0
expect_gone "$LAB"

# Sysctls the kernel refuses: an unknown name, a value out of range.
for bad in "sysctl.net.ipv4.no_such_thing = 1" "sysctl.net.ipv4.tcp_syn_retries = 1000"; do
	new_lab LAB
	topo=$(lab_topo "$LAB" "$bad")
	line=$(grep -n -F "$bad" "$topo" | cut -d: -f1)
	run "$NATLAB" up "$topo"
	expect_rc "up with '$bad' is bad input" 2
	expect_match "the error names $topo:$line" "^$topo:$line: " "$ERR"
	expect_gone "$LAB"
done

finish
