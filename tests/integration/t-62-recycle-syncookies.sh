#!/bin/bash
# t-62-recycle-syncookies: a SYN answered with a syncookie never met the
# tcp_tw_recycle check.  In both old kernels want_cookie is decided first
# (4.4 tcp_conn_request(), 2.6.32 tcp_v4_conn_request()): with
# tcp_syncookies = 1 and the listener's SYN queue full, the SYN gets a
# cookie SYN-ACK and the per-peer check is skipped.
#
# c3 fills the server's SYN queue (listen backlog 4) with bare SYNs from a
# raw socket whose SYN-ACKs it drops (so its stack sends no RST and the
# requests stay).  c1 then connects (by cookie) and the server closes
# first, writing c1's timestamp for the NAT's address.  c2, 60 s behind,
# connects while the queue is still full: the emulation leaves its SYN to
# the kernel, which answers with a cookie, and c2 gets in.  In a second
# lab, the same without the full queue: c2 is refused.
#
# Oracle: the server kernel's own TcpExt SyncookiesSent and nft counters
# of SYN-ACKs in its namespace; natlab's counters are only compared.
. "$(dirname "$0")/lib.sh"
require_root

# cookies FLOOD C2_WANT
cookies() {
	local flood=$1 want=$2 lab topo srv c3 sent0 sent1 synack

	echo "--- SYN queue full: $flood"
	new_lab lab
	topo=$(topo_legacy_lab "$lab" 1 1 4.4 60s "q$flood" <<END
[server srv]
sysctl.net.ipv4.tcp_syncookies = 1
[clients]
count = 3
[client c2]
ts_offset = -60s
[client c3]
tsclock = off
END
)
	run "$NATLAB" up "$topo"
	expect_rc "$flood: natlab up" 0 || return
	srv=$(addr_of "$lab" srv wan)
	c3=$(addr_of "$lab" c3 lan)
	run probe_counters "$lab" srv synack_out
	expect_rc "$flood: counting table in srv" 0 || return
	run nsx "$lab" c3 nft -f - <<'END'
table ip probe {
	chain in {
		type filter hook input priority -300; policy accept;
		tcp sport 80 tcp flags & (syn | ack) == syn | ack drop
	}
}
END
	expect_rc "$flood: c3 keeps its SYN-ACKs from its stack" 0 || return
	probe_server "$lab" srv 80 --close server --backlog 4 || {
		fail "$flood: server"
		return
	}
	if [ "$flood" = yes ]; then
		run nsx "$lab" c3 python3 "$PROBE" synflood --host "$srv" \
			--port 80 --src "$c3" --count 6
		expect_rc "$flood: c3 sent its SYNs" 0
		sleep 0.3
		# Full at 4 requests by the old kernels' test (qlen >=
		# backlog), at 5 by this kernel's (qlen > backlog).
		local q
		q=$(nsx "$lab" srv ss -Htan state syn-recv '( sport = :80 )' | grep -c .)
		if [ "$q" -ge 4 ]; then
			pass "$flood: srv's SYN queue is full ($q requests, backlog 4)"
		else
			fail "$flood: srv's SYN queue is full" ">= 4 requests" "$q"
		fi
	fi
	sent0=$(nstat_val "$lab" srv TcpExtSyncookiesSent)
	probe_client "$lab" c1 "$srv" 80 --timeout 5 --close server
	expect_eq "$flood: c1 connects, the server closes first" ok "$PROBE_RES"
	engine_sync "$lab"
	expect_eq "$flood: the server remembered c1's timestamp" 1 \
		"$(engine_stat "$lab" srv remembered)"
	probe_client "$lab" c2 "$srv" 80 --timeout 5 --close server
	expect_eq "$flood: c2, 60 s behind ($PROBE_MS ms)" "$want" "$PROBE_RES"
	sent1=$(nstat_val "$lab" srv TcpExtSyncookiesSent)
	synack=$(nft_packets "$lab" srv '"synack_out"')
	echo "$flood: SyncookiesSent $sent0 -> $sent1, SYN-ACKs out $synack"
	engine_sync "$lab"
	if [ "$flood" = yes ]; then
		expect_eq "$flood: cookies for c1 and c2 (the kernel's count)" 2 \
			"$((sent1 - sent0))"
		expect_eq "$flood: c2's SYN was spared, not dropped" 0 \
			"$(engine_stat "$lab" srv paws_drops)"
		expect_eq "$flood: the engine counts it spared" 1 \
			"$(engine_stat "$lab" srv syn_spared)"
	else
		expect_eq "$flood: no cookies" 0 "$((sent1 - sent0))"
		expect_eq "$flood: a SYN-ACK for c1 only" 1 "$synack"
		local d
		d=$(engine_stat "$lab" srv paws_drops)
		if [ "$d" -ge 2 ]; then
			pass "$flood: every SYN of c2 dropped ($d)"
		else
			fail "$flood: every SYN of c2 dropped" ">= 2" "$d"
		fi
	fi
	[ "$T_FAILED" -gt 0 ] && dump_engine "$lab"
	stop_pid "$PROBE_PID"
	run "$NATLAB" down "$lab"
	expect_rc "$flood: natlab down" 0
	expect_gone "$lab"
}

cookies yes ok
cookies no timeout

finish
