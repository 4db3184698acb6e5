#!/bin/bash
# t-23-legacy-models: a SYN without timestamps meets a fresh per-peer entry.
# c1 (host clock) makes a connection the server closes first, so the
# emulated tcp_tw_recycle server remembers c1's TSval for the NAT's
# address.  Then c2 (tsclock = off: no timestamp option in its SYNs)
# connects:
#   model 4.4    (tcp_metrics, tcp_peer_is_proven) drops it: a SYN without
#                timestamps from a fresh peer is refused;
#   model 2.6.32 (inet_peer) looks the peer up only for a SYN with a
#                timestamp: it passes.
# c3 (host clock 60 s behind c1) is dropped by both models, which shows
# the entry c2 met was there and fresh in both.  (Its SYNs stay older than
# the entry for as long as the 60 s PAWS window keeps it fresh, so a slow
# machine cannot let a retransmission through.)  The two models key the
# entry differently ((local, remote) vs remote address) but every client
# shares the NAT's address, so all three meet the same entry.  The drops
# must equal the server's own count (SYNs in - SYN-ACKs out).
. "$(dirname "$0")/lib.sh"
require_root

# snap LAB: "SYNS_IN SYNS_WITH_TIMESTAMPS PAWS_DROPS" in SNAP.
snap() {
	engine_sync "$1"
	SNAP="$(nft_packets "$1" srv '"syn_in"') $(nft_packets "$1" srv '"syn_ts_in"') $(engine_stat "$1" srv paws_drops)"
}

# model MODEL C2_EXPECTED
model() {
	local m=$1 want=$2 lab topo srv syn synack drops

	echo "--- legacy.model = $m"
	new_lab lab
	topo=$(topo_legacy_lab "$lab" 1 1 "$m" 60s "m$m" <<END
[clients]
count = 3
[client c2]
tsclock = off
[client c3]
ts_offset = -60s
END
)
	run "$NATLAB" up "$topo"
	expect_rc "$m: natlab up" 0 || return
	srv=$(addr_of "$lab" srv wan)
	expect_match "$m: engine serves srv with model $m" "legacy ${m//./\\.}\$" \
		"$(engine_line "$lab" srv)"
	expect_eq "$m: c2 runs tcp_timestamps = 0" 0 \
		"$(nsx "$lab" c2 sysctl -n net.ipv4.tcp_timestamps)"
	expect_eq "$m: the engine keeps no clock for c2" "" "$(engine_line "$lab" c2)"
	run probe_counters "$lab" srv syn_in syn_ts_in synack_out
	expect_rc "$m: counting table in srv" 0 || return
	probe_server "$lab" srv 80 --close server || { fail "$m: server"; return; }

	probe_client "$lab" c1 "$srv" 80 --timeout 5 --close server
	expect_eq "$m: c1 connects, the server closes first ($PROBE_MS ms)" ok "$PROBE_RES"
	engine_sync "$lab"
	expect_eq "$m: the server remembered c1's TSval" 1 "$(engine_stat "$lab" srv remembered)"

	snap "$lab"
	read -r s0 t0 d0 <<<"$SNAP"
	probe_client "$lab" c2 "$srv" 80 --timeout 5 --close server
	expect_eq "$m: c2 without timestamps ($PROBE_MS ms)" "$want" "$PROBE_RES"
	snap "$lab"
	read -r s1 t1 d1 <<<"$SNAP"
	echo "$m: c2 sent $((s1 - s0)) SYNs, $((t1 - t0)) with timestamps; $((d1 - d0)) dropped"
	expect_eq "$m: none of c2's SYNs carried a timestamp" 0 "$((t1 - t0))"
	if [ "$want" = ok ]; then
		expect_eq "$m: c2 needed one SYN" 1 "$((s1 - s0))"
		expect_eq "$m: none of c2's SYNs was dropped" 0 "$((d1 - d0))"
	else
		if [ "$((s1 - s0))" -ge 2 ]; then
			pass "$m: c2 retransmitted its SYN ($((s1 - s0)) SYNs)"
		else
			fail "$m: c2 retransmitted its SYN" ">= 2 SYNs" "$((s1 - s0))"
		fi
		expect_eq "$m: every SYN of c2 was dropped" "$((s1 - s0))" "$((d1 - d0))"
	fi
	probe_client "$lab" c3 "$srv" 80 --timeout 5 --close server
	expect_eq "$m: c3 with an older clock is dropped ($PROBE_MS ms)" timeout "$PROBE_RES"
	probe_client "$lab" c1 "$srv" 80 --timeout 5 --close server
	expect_eq "$m: c1 still connects ($PROBE_MS ms)" ok "$PROBE_RES"

	engine_sync "$lab"
	syn=$(nft_packets "$lab" srv '"syn_in"')
	synack=$(nft_packets "$lab" srv '"synack_out"')
	drops=$(engine_stat "$lab" srv paws_drops)
	echo "$m: $syn SYNs in ($(nft_packets "$lab" srv '"syn_ts_in"') with timestamps), $synack SYN-ACKs out, paws_drops $drops"
	expect_eq "$m: paws_drops = SYNs in - SYN-ACKs out" "$((syn - synack))" "$drops"
	if [ "$want" = ok ]; then
		expect_eq "$m: SYN-ACKs for c1, c2, c1" 3 "$synack"
	else
		expect_eq "$m: SYN-ACKs for c1, c1" 2 "$synack"
	fi
	[ "$T_FAILED" -gt 0 ] && dump_engine "$lab"
	stop_pid "$PROBE_PID"
	run "$NATLAB" down "$lab"
	expect_rc "$m: natlab down" 0
	expect_gone "$lab"
}

model 4.4 timeout
model 2.6.32 ok

finish
