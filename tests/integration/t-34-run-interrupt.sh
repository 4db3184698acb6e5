#!/bin/bash
# t-34-run-interrupt: a long natlab run (2000 connections, 10 ms apart:
# 20 s) stopped half way.  SIGINT 1.5 s after it started: exit 130 within
# a few seconds, long before the traffic would have ended, and nothing of
# the lab left (namespaces, their files and mounts, state and lock files,
# the packet engine).  SIGKILL: status reports the lab as crashed while it
# was running, and clean removes all of it.
. "$(dirname "$0")/lib.sh"
require_root

# long_topo NAME: the one-gateway lab (topo_lab) with two clients with
# host clocks (so the lab has an engine), 1000 connections each,
# round-robin every 10 ms.
long_topo() {
	topo_lab "$1" long <<END
[server srv]
listen = 80
close = server
[clients]
tsclock = host
[client c2]
ts_offset = -5s
[traffic]
conns = 1000
interval = 10ms
order = round-robin
END
}

# start_run LAB: natlab run of the long topology in the background; its
# pid in RUN_PID.  Waits (up to 10 s) until the lab is running with its
# engine; the engine's pid in EPID.
start_run() {
	local i=0

	"$NATLAB" run -n "$1" --json "$T_TMP/$1.json" "$(long_topo "$1")" \
		>"$T_TMP/$1.out" 2>"$T_TMP/$1.err" &
	RUN_PID=$!
	T_PIDS="$T_PIDS $RUN_PID"
	EPID=""
	until grep -q '^phase running' "/run/natlab/$1.state" 2>/dev/null; do
		if [ $i -ge 100 ] || ! alive "$RUN_PID"; then
			fail "run of $1 reaches phase running" "running" \
				"$(cat "/run/natlab/$1.state" "$T_TMP/$1.err" 2>&1)"
			return 1
		fi
		sleep 0.1
		i=$((i + 1))
	done
	EPID=$(engine_pid "$1")
	[ -n "$EPID" ] && alive "$EPID" ||
		{ fail "the run of $1 has a live engine" "a pid" "'$EPID'"; return 1; }
	pass "run of $1 is running, engine pid $EPID"
}

# settle PID: wait (up to 5 s) until PID is gone.
settle() {
	local i=0

	while alive "$1" && [ $i -lt 50 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	! alive "$1"
}

# 1. SIGINT at 1.5 s.
new_lab LAB
start_run "$LAB" || finish
sleep 1.5
kill -INT "$RUN_PID"
t0=$SECONDS
i=0
while alive "$RUN_PID" && [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
bg_wait "$RUN_PID"
took=$((SECONDS - t0))
expect_eq "SIGINT: exit status" 130 "$RC"
if [ "$took" -le 5 ]; then
	pass "SIGINT: natlab ended ${took} s after the signal"
else
	fail "SIGINT: natlab ends soon" "<= 5 s" "$took s"
fi
expect_no_match "SIGINT: no report table" "^CLIENT " "$(cat "$T_TMP/$LAB.out")"
expect_gone "$LAB"
expect_true "SIGINT: the engine (pid $EPID) is gone" settle "$EPID"

# 2. SIGKILL at 1.5 s.
new_lab LAB
start_run "$LAB" || finish
sleep 1.5
kill -KILL "$RUN_PID"
bg_wait "$RUN_PID"
expect_eq "SIGKILL: exit status" 137 "$RC"
alive "$EPID" && echo "note: the engine (pid $EPID) outlived natlab; clean must stop it"
run "$NATLAB" status "$LAB"
expect_rc "status of the killed run's lab" 0
expect_match "status says it crashed while running" \
	"^crashed: natlab pid $RUN_PID died while the lab was running" "$OUT"
run "$NATLAB" status
expect_match "the lab list marks $LAB as crashed" "^$LAB +running .*\(crashed\)\$" "$OUT"

# clean removes every crashed lab on the machine: if a crashed lab not
# made by this test is there, running it would remove what is not ours.
others=$(printf '%s\n' "$OUT" | awk '/\(crashed\)$/ { print $1 }' | grep -v -x -F "$LAB")
if [ -n "$others" ]; then
	"$NATLAB" down "$LAB" >/dev/null 2>&1
	skip "crashed labs not made by this test are present: $others"
fi
run "$NATLAB" clean
expect_rc "natlab clean" 0
expect_match "clean reports the lab" "^cleaning lab $LAB \(running when natlab pid $RUN_PID died\)" "$OUT"
expect_gone "$LAB"
expect_true "SIGKILL: the engine (pid $EPID) is gone after clean" settle "$EPID"
run "$NATLAB" status "$LAB"
expect_rc "status of the cleaned lab" 2
expect_match "status: no such lab" "no lab named $LAB" "$ERR"

finish
