#!/bin/bash
# t-05-signal: SIGINT or SIGTERM while a large lab is being built makes
# natlab roll back and exit 130, leaving nothing behind.  The signal is
# sent while namespaces are being made and again while links are; if the
# build wins the race (exit 0) the round is taken down and repeated with
# a larger lab.
. "$(dirname "$0")/lib.sh"
require_root

for round in "INT namespaces" "TERM namespaces" "INT links"; do
	read -r sig phase <<<"$round"
	caught=0
	for clients in 800 2000 4000; do
		new_lab LAB
		topo=$(big_topo "$LAB" $clients)
		"$NATLAB" up "$topo" >"$T_TMP/up.out" 2>"$T_TMP/up.err" &
		pid=$!
		T_PIDS="$T_PIDS $pid"
		wait_phase "$LAB" "$phase" "$pid" && kill -"$sig" "$pid" 2>/dev/null
		bg_wait "$pid"
		if [ "$RC" -eq 0 ]; then
			echo "note: $clients clients were up before SIG$sig; again, larger"
			"$NATLAB" down "$LAB" >/dev/null
			continue
		fi
		caught=1
		expect_eq "SIG$sig while making $phase ($clients clients): exit status" 130 "$RC"
		expect_match "it says it was interrupted" "interrupted" "$(cat "$T_TMP/up.err")"
		expect_gone "$LAB"
		break
	done
	[ $caught = 1 ] || fail "SIG$sig arrived during a build" "a build still making $phase" "every build finished first"
done

finish
