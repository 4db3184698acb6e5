#!/bin/bash
# t-06-kill9-clean: natlab up killed with SIGKILL mid-build (once while
# it makes namespaces, once while it makes links) leaves labs that status
# reports as crashed and that clean removes completely, while a healthy
# lab up at the same time is left alone and keeps working.  clean with no
# crashed lab left reports 0 and exits 0.
. "$(dirname "$0")/lib.sh"
require_root

new_lab OK
ok_topo=$(topo_lab "$OK" </dev/null)
run "$NATLAB" up "$ok_topo"
expect_rc "up of the healthy lab $OK" 0 || finish
ok_ino=$(stat -L -c %i "/run/netns/$OK-c1")

# crash PHASE: SIGKILL an up while it is in PHASE; the lab's name in CRASHED.
crash() {
	local clients pid

	for clients in 800 2000 4000; do
		new_lab CRASHED
		"$NATLAB" up "$(big_topo "$CRASHED" $clients)" >/dev/null 2>&1 &
		pid=$!
		T_PIDS="$T_PIDS $pid"
		wait_phase "$CRASHED" "$1" "$pid" && kill -KILL "$pid"
		bg_wait "$pid"
		[ "$RC" -eq 137 ] && return 0
		echo "note: up of $clients clients ended (exit $RC) before SIGKILL; again, larger"
		"$NATLAB" down "$CRASHED" >/dev/null
	done
	fail "SIGKILL arrived while making $1" "a build still running" "every build finished first"
	finish
}

CRASHED=""
crashed=""
for phase in namespaces links; do
	crash $phase
	crashed="$crashed $CRASHED"
	[ -n "$(lab_netns "$CRASHED")" ] ||
		fail "the build killed while making $phase left namespaces" "some" "none"
	run "$NATLAB" status "$CRASHED"
	expect_match "status $CRASHED says it crashed (killed while making $phase)" \
		"^crashed: natlab pid [0-9]+ died" "$OUT"
done

run "$NATLAB" status
for lab in $crashed; do
	expect_match "the lab list marks $lab as crashed" "^$lab .*\(crashed\)\$" "$OUT"
done
expect_no_match "the lab list does not mark $OK as crashed" "^$OK .*crashed" "$OUT"

# clean removes every crashed lab on the machine: if some other crashed
# lab is there, running it would remove what this test did not make.
others=$(printf '%s\n' "$OUT" | awk '/\(crashed\)$/ { print $1 }' |
	grep -v -x -F "$(echo "${crashed# }" | tr ' ' '\n')")
[ -z "$others" ] || skip "crashed labs not made by this test are present: $others"

run "$NATLAB" clean
expect_rc "natlab clean" 0
for lab in $crashed; do
	expect_match "clean reports $lab" "^cleaning lab $lab " "$OUT"
done
expect_no_match "clean leaves $OK alone" "$OK" "$OUT"
expect_match "clean counts two labs" "^2 crashed labs cleaned\$" "$OUT"
for lab in $crashed; do
	expect_gone "$lab"
done

run "$NATLAB" status "$OK"
expect_match "$OK is still up" "^lab $OK: up, 4 nodes, 5/5 namespaces present" "$OUT"
expect_eq "$OK's c1 is still the same namespace" "$ok_ino" "$(stat -L -c %i "/run/netns/$OK-c1")"
expect_true "$OK still works: c1 pings srv" ping_ok "$OK" c1 "$(addr_of "$OK" srv wan)"
run "$NATLAB" down "$OK"
expect_rc "down $OK" 0
expect_gone "$OK"

run "$NATLAB" clean
expect_rc "clean with nothing crashed" 0
expect_eq "clean with nothing crashed says so" "0 crashed labs cleaned" "$OUT"

finish
