#!/bin/bash
# t-60-recycle-ack-gap: the old kernels wrote the per-peer timestamp when an
# orphaned socket's FIN was acked, not only when the peer's FIN came.
#
# The server (emulated tcp_tw_recycle, both models) closes first and its
# program closes the socket at once (orphaned).  c1 acks the server's FIN
# but keeps its own end open for 4 s (CLOSE_WAIT, no FIN).  In that gap
# c2, whose clock is 60 s behind c1's, connects: the old kernels had
# written c1's timestamp for the NAT's address at the ACK
# (tcp_rcv_state_process(), FIN_WAIT1 -> tcp_time_wait(TCP_FIN_WAIT2)), so
# c2's SYNs are dropped and it times out.  The contrast: a server that only
# shut its side down (shutdown(SHUT_WR), the socket still held, a full
# FIN_WAIT2 socket) writes nothing until c1's FIN, and c2 gets in.
#
# Oracle: nft counters in the server's namespace (SYNs in and SYN-ACKs out
# on port 80) and the clients' own results; natlab's counters are only
# compared with them.
. "$(dirname "$0")/lib.sh"
require_root

# gap MODEL SERVER_CLOSE C2_WANT
gap() {
	local m=$1 close=$2 want=$3 lab topo srv syn synack drops

	echo "--- legacy.model = $m, server --close $close"
	new_lab lab
	topo=$(topo_legacy_lab "$lab" 1 1 "$m" 60s "g$m" <<END
[client c2]
ts_offset = -60s
END
)
	run "$NATLAB" up "$topo"
	expect_rc "$m/$close: natlab up" 0 || return
	srv=$(addr_of "$lab" srv wan)
	run probe_counters "$lab" srv syn_in synack_out
	expect_rc "$m/$close: counting table in srv" 0 || return
	probe_server "$lab" srv 80 --close "$close" --timeout 10 || {
		fail "$m/$close: server"
		return
	}
	# c1: the server's FIN is acked at once by c1's kernel; c1 holds.
	bg_nsx "$lab" c1 python3 "$PROBE" client --host "$srv" --port 80 \
		--close server --hold 4 --timeout 10 >"$T_TMP/c1-$lab.out" 2>&1
	local c1=$BG_PID i=0 cw=0
	while [ $i -lt 30 ]; do
		cw=$(nsx "$lab" c1 ss -Htan state close-wait '( dport = :80 )' | grep -c .)
		[ "$cw" -gt 0 ] && break
		sleep 0.1
		i=$((i + 1))
	done
	expect_eq "$m/$close: c1's end is open (CLOSE_WAIT) while it holds" 1 "$cw"
	probe_client "$lab" c2 "$srv" 80 --timeout 5 --close server
	expect_eq "$m/$close: c2, 60 s behind, in the gap ($PROBE_MS ms)" \
		"$want" "$PROBE_RES"
	wait "$c1" 2>/dev/null
	forget_pid "$c1"
	expect_match "$m/$close: c1 was served" "^ok " \
		"$(head -n 1 "$T_TMP/c1-$lab.out")"
	engine_sync "$lab"
	syn=$(nft_packets "$lab" srv '"syn_in"')
	synack=$(nft_packets "$lab" srv '"synack_out"')
	drops=$(engine_stat "$lab" srv paws_drops)
	echo "$m/$close: $syn SYNs in, $synack SYN-ACKs out, paws_drops $drops," \
		"remembered_at_ack $(engine_stat "$lab" srv remembered_at_ack)"
	expect_eq "$m/$close: paws_drops = SYNs in - SYN-ACKs out" \
		"$((syn - synack))" "$drops"
	if [ "$want" = ok ]; then
		expect_eq "$m/$close: SYN-ACKs for c1 and c2" 2 "$synack"
		expect_eq "$m/$close: nothing written at the ACK" 0 \
			"$(engine_stat "$lab" srv remembered_at_ack)"
	else
		expect_eq "$m/$close: a SYN-ACK for c1 only" 1 "$synack"
		if [ "$drops" -ge 2 ] && [ "$drops" = "$((syn - 1))" ]; then
			pass "$m/$close: every SYN of c2 was dropped ($drops)"
		else
			fail "$m/$close: every SYN of c2 was dropped" \
				">= 2, = SYNs in - 1 ($((syn - 1)))" "$drops"
		fi
		expect_eq "$m/$close: the entry was written at the ACK" 1 \
			"$(engine_stat "$lab" srv remembered_at_ack)"
	fi
	[ "$T_FAILED" -gt 0 ] && dump_engine "$lab"
	stop_pid "$PROBE_PID"
	run "$NATLAB" down "$lab"
	expect_rc "$m/$close: natlab down" 0
	expect_gone "$lab"
}

gap 4.4 server timeout
gap 2.6.32 server timeout
gap 4.4 shutdown ok

finish
