#!/bin/bash
# t-22-legacy-contrast: the traffic of t-21 (c2 10 s behind c1, alternate
# connections, tcp_tw_recycle emulated, paws_msl 5 s) in three variants
# that each break one condition of the failure, so that no SYN is dropped:
#   ts0     the server runs tcp_timestamps = 0: its connections use no
#           timestamps, TIME_WAIT remembers nothing (and is not shortened);
#   norecy  legacy.tcp_tw_recycle = 0: no engine on the server at all,
#           only the clients' clocks;
#   cclose  the clients close first: the server is the passive closer
#           (LAST_ACK), enters no TIME_WAIT and remembers nothing.
# Every connection succeeds, and the server's own count (a table of this
# test: SYNs in, SYN-ACKs out) shows no SYN without an answer.
. "$(dirname "$0")/lib.sh"
require_root

# variant NAME TS RECYCLE CLOSE
variant() {
	local name=$1 ts=$2 recycle=$3 close=$4 lab topo srv i c n syn synack

	echo "--- variant $name: tcp_timestamps = $ts, legacy.tcp_tw_recycle = $recycle, close = $close"
	new_lab lab
	topo=$(topo_legacy_lab "$lab" "$ts" "$recycle" 4.4 5s "$name" <<END
[client c2]
ts_offset = -10s
END
)
	run "$NATLAB" up "$topo"
	expect_rc "$name: natlab up" 0 || return
	srv=$(addr_of "$lab" srv wan)
	run probe_counters "$lab" srv syn_in synack_out
	expect_rc "$name: counting table in srv" 0 || return
	probe_server "$lab" srv 80 --close "$close" || { fail "$name: server"; return; }

	n=0
	for i in 1 2 3; do
		for c in c2 c1; do
			n=$((n + 1))
			probe_client "$lab" $c "$srv" 80 --timeout 5 --close "$close"
			expect_eq "$name: $c connection $i succeeds ($PROBE_MS ms)" ok "$PROBE_RES"
		done
	done

	engine_sync "$lab"
	syn=$(nft_packets "$lab" srv '"syn_in"')
	synack=$(nft_packets "$lab" srv '"synack_out"')
	expect_eq "$name: one SYN per connection reached the server" "$n" "$syn"
	expect_eq "$name: every SYN got a SYN-ACK" "$syn" "$synack"
	for c in c1 c2; do
		expect_match "$name: $c's clock is still rewritten" \
			"rewritten [1-9][0-9]* .* clock host " "$(engine_line "$lab" $c)"
	done
	case $name in
	ts0)
		expect_eq "$name: engine paws_drops" 0 "$(engine_stat "$lab" srv paws_drops)"
		expect_eq "$name: the server entered TIME_WAIT each time" "$n" \
			"$(engine_stat "$lab" srv tw_entered)"
		expect_eq "$name: without timestamps nothing is remembered" 0 \
			"$(engine_stat "$lab" srv remembered)"
		expect_eq "$name: without timestamps TIME_WAIT is not shortened" 0 \
			"$(engine_stat "$lab" srv tw_shortened)"
		;;
	norecy)
		expect_eq "$name: the engine does not serve srv" "" "$(engine_line "$lab" srv)"
		expect_eq "$name: srv has no queue rules" "" \
			"$(nsx "$lab" srv nft list ruleset 2>/dev/null | grep -i queue)"
		;;
	cclose)
		expect_eq "$name: engine paws_drops" 0 "$(engine_stat "$lab" srv paws_drops)"
		expect_eq "$name: the passive closer enters no TIME_WAIT" 0 \
			"$(engine_stat "$lab" srv tw_entered)"
		expect_eq "$name: the passive closer remembers nothing" 0 \
			"$(engine_stat "$lab" srv remembered)"
		expect_eq "$name: the server holds no TIME_WAIT socket" "" \
			"$(nsx "$lab" srv ss -Htan state time-wait)"
		;;
	esac
	[ "$T_FAILED" -gt 0 ] && dump_engine "$lab"
	stop_pid "$PROBE_PID"
	run "$NATLAB" down "$lab"
	expect_rc "$name: natlab down" 0
	expect_gone "$lab"
}

variant ts0 0 1 server
variant norecy 1 0 server
variant cclose 1 1 client

finish
