#!/bin/bash
# t-26-engine-dead: the packet engine dies (kill -9 of the pid the state
# file records) under a lab whose client has a host clock (ts_offset -10s;
# the server runs tcp_timestamps = 2, so a SYN-ACK's TSval minus the
# SYN's shows the offset the SYN was given: 10000 rewritten, ~0 not).
# - engine.fail_open = 0 (the default): nobody listens on the queue, so the
#   client's packets are dropped: its connect times out and no SYN reaches
#   the server (counted by a table of this test in srv); `natlab status`
#   still works and says the engine is dead; `natlab down` removes
#   everything.
# - engine.fail_open = 1: connections pass, unmodified (offset 0 on the
#   wire).
# Both on each clock path: bpf (the engine's tc links go with it; with
# fail_open = 0 its guard filter drops what the links no longer pass) and
# nfqueue (nobody reads the queue).
. "$(dirname "$0")/lib.sh"
require_root

topo_for() { # topo_for LAB FAIL_OPEN CLOCK_PATH
	topo_clock_lab "$1" 2 "fo$2$3" <<END
[lab]
engine.fail_open = $2
clock_path = $3
[clients]
count = 1
ts_offset = -10s
sysctl.net.ipv4.tcp_syn_retries = 1
END
}

# kill_engine LAB: SIGKILL the lab's engine, wait until it is gone (reaped
# by its parent, init); its pid in EPID.
kill_engine() {
	local i=0

	EPID=$(engine_pid "$1")
	if [ -z "$EPID" ] || ! alive "$EPID"; then
		fail "$1: the state file names a live engine" "a live pid" "'$EPID'"
		return 1
	fi
	expect_eq "$1: pid $EPID is natlab's engine" "$(basename "$NATLAB" | cut -c1-15)" \
		"$(cat "/proc/$EPID/comm" 2>/dev/null)"
	kill -KILL "$EPID"
	# until it is reaped, not only a zombie: then it is dead by any count
	while [ -e "/proc/$EPID" ] && [ $i -lt 50 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	if [ -e "/proc/$EPID" ]; then
		fail "$1: the engine died after kill -9" "gone" "pid $EPID still in /proc"
		return 1
	fi
	pass "$1: engine pid $EPID killed with SIGKILL"
}

# offset_seen LAB: SYN-ACK TSval - SYN TSval of the one connection in the
# capture $CAP (which is stopped), or "none".
offset_seen() {
	capture_stop "$CAP" 2 | awk '
		match($0, /TS val [0-9]+/) {
			v = substr($0, RSTART + 7, RLENGTH - 7)
			if (index($0, "Flags [S],")) s = v
			if (index($0, "Flags [S.],")) a = v
		}
		END {
			if (s == "" || a == "") { print "none"; exit }
			d = (a - s) % 4294967296
			if (d < 0) d += 4294967296
			if (d >= 2147483648) d -= 4294967296
			print d
		}'
}

# conn_engine_up LAB SRV WHAT: with the engine running, a probe server in
# srv and one connection of c1's to it (at SRV), captured: it completes,
# and its SYN left with c1's -10 s clock.  WHAT heads the checks' names.
conn_engine_up() {
	local lab=$1 srv=$2 what=$3 d

	probe_server "$lab" srv 80 --close server || finish
	capture_start "$lab" srv wan 2 'tcp port 80 and tcp[tcpflags] & tcp-syn != 0' || finish
	probe_client "$lab" c1 "$srv" 80 --timeout 5
	expect_eq "$what: c1 connects while the engine runs" ok "$PROBE_RES"
	d=$(offset_seen)
	if in_range "$d" 10000 10050; then
		pass "$what: c1's SYN left with its -10 s clock (SYN-ACK - SYN = $d)"
	else
		fail "$what: c1's SYN left with its -10 s clock" "10000..10050" "$d"
	fi
}

# one_path PATH: fail closed, then fail open, on that clock path.
one_path() {
	local path=$1 srv d syn0

	# ---- fail closed ----
	new_lab LA
	run "$NATLAB" up "$(topo_for "$LA" 0 "$path")"
	expect_rc "$path, fail_open 0: natlab up" 0 || finish
	srv=$(addr_of "$LA" srv wan)
	run probe_counters "$LA" srv syn_in
	expect_rc "counting table in srv" 0
	conn_engine_up "$LA" "$srv" "$path, fail_open 0"

	kill_engine "$LA" || finish
	syn0=$(nft_packets "$LA" srv '"syn_in"')
	probe_client "$LA" c1 "$srv" 80 --timeout 5 --count 2
	expect_eq "$path, fail_open 0: c1's connections fail once the engine is dead" \
		"fail timeout|fail timeout|ok=0 fail=2" \
		"$(printf '%s\n' "$OUT" | awk '{ print $1 ($2 ~ /^[a-z]/ ? " " $2 : "") }' | paste -sd '|')"
	expect_eq "$path, fail_open 0: none of c1's SYNs reached the server" "$syn0" \
		"$(nft_packets "$LA" srv '"syn_in"')"
	expect_eq "$path, fail_open 0: the server got one connection in all" 1 \
		"$(probe_log "$LA" srv 80 | grep -c '^conn ')"

	run "$NATLAB" status "$LA"
	expect_rc "$path, fail_open 0: natlab status with a dead engine" 0
	expect_match "$path: status says the engine is dead" "^engine: pid $EPID, DEAD" "$OUT"
	expect_match "$path: status still lists the nodes" "^c1 +client +lan 10\.0\.0\.2/24" "$OUT"

	# The probe server is still running in srv: down stops it too.
	run "$NATLAB" down "$LA"
	expect_rc "$path, fail_open 0: natlab down" 0
	expect_gone "$LA"
	if alive "$PROBE_PID"; then
		fail "$path, fail_open 0: down stopped the server left in srv" "pid $PROBE_PID gone" "alive"
		stop_pid "$PROBE_PID"
	else
		pass "$path, fail_open 0: down stopped the server left in srv"
		bg_wait "$PROBE_PID"
	fi
	expect_eq "$path, fail_open 0: engine counter file removed" "" \
		"$(ls "/run/natlab/$LA.engine" "/run/natlab/$LA.log" 2>/dev/null)"

	# ---- fail open ----
	new_lab LB
	run "$NATLAB" up "$(topo_for "$LB" 1 "$path")"
	expect_rc "$path, fail_open 1: natlab up" 0 || finish
	srv=$(addr_of "$LB" srv wan)
	conn_engine_up "$LB" "$srv" "$path, fail_open 1"

	kill_engine "$LB" || finish
	capture_start "$LB" srv wan 2 'tcp port 80 and tcp[tcpflags] & tcp-syn != 0' || finish
	probe_client "$LB" c1 "$srv" 80 --timeout 5 --count 2
	expect_eq "$path, fail_open 1: c1's connections pass with the engine dead" "ok=2 fail=0" \
		"$(printf '%s\n' "$OUT" | tail -n 1)"
	d=$(offset_seen)
	if in_range "$d" 0 50; then
		pass "$path, fail_open 1: ... unmodified: the SYN carries the kernel's clock (SYN-ACK - SYN = $d)"
	else
		fail "$path, fail_open 1: ... unmodified" "SYN-ACK - SYN in 0..50" "$d"
	fi
	run "$NATLAB" status "$LB"
	expect_match "$path, fail_open 1: status says the engine is dead" "^engine: pid $EPID, DEAD" "$OUT"
	stop_pid "$PROBE_PID"
	run "$NATLAB" down "$LB"
	expect_rc "$path, fail_open 1: natlab down" 0
	expect_gone "$LB"
}

one_path bpf
one_path nfqueue
finish
