#!/bin/bash
# t-64-recycle-client: tcp_tw_recycle on the side that connects.
#
# A client that closes first keeps its TIME_WAIT 3.5 x RTO instead of 60 s
# when the connection used timestamps (tcp_time_wait(), recycle_ok) and
# the full 60 s when it did not: with a server that has timestamps off,
# turning recycle on at the client changes nothing.  A client without it
# keeps 60 s either way.  ss in each client's namespace is the oracle.
#
# On connect, 2.6.32 seeded ts_recent from the peer's entry when it was at
# most 60 s old (tcp_v4_connect()), so its SYN echoes that timestamp as
# TSecr; 4.4's lookup keyed the socket before it had its destination and
# never found the entry (tcp_fetch_timewait_stamp()): its SYN echoes 0.
# A capture in each client's namespace is the oracle.
. "$(dirname "$0")/lib.sh"
require_root

new_lab LAB
topo=$(topo_nat_lab "$LAB" <<END
[server srv]
sysctl.net.ipv4.tcp_timestamps = 1
[server nots]
network = wan
sysctl.net.ipv4.tcp_timestamps = 0
[clients]
count = 4
sysctl.net.ipv4.tcp_timestamps = 1
legacy.tcp_tw_recycle = 1
legacy.model = 4.4
[client c2]
legacy.tcp_tw_recycle = 0
[client c3]
legacy.model = 2.6.32
END
)

run "$NATLAB" up "$topo"
expect_rc "natlab up" 0 || finish
srv=$(addr_of "$LAB" srv wan)
nots=$(addr_of "$LAB" nots wan)
expect_match "the engine serves c1 with model 4.4" "legacy 4\.4\$" "$(engine_line "$LAB" c1)"
expect_eq "the engine does not serve c2" "" "$(engine_line "$LAB" c2)"
probe_server "$LAB" srv 80 --close client || finish
srv_pid=$PROBE_PID
probe_server "$LAB" nots 80 --close client || finish

# tw_after NODE PEER MS: TIME_WAIT sockets of NODE towards PEER:80 MS ms
# after the close.
tw_after() {
	sleep "$(awk -v m="$3" 'BEGIN { print m / 1000 }')"
	nsx "$LAB" "$1" ss -Htan state time-wait "( dport = :80 and dst $2 )" | grep -c .
}

probe_client "$LAB" c1 "$srv" 80 --timeout 5 --close client
expect_eq "c1 closes first to srv" ok "$PROBE_RES"
expect_eq "c1 (recycle, timestamps): its TIME_WAIT is gone after 1.5 s" 0 \
	"$(tw_after c1 "$srv" 1500)"

probe_client "$LAB" c1 "$nots" 80 --timeout 5 --close client
expect_eq "c1 closes first to nots" ok "$PROBE_RES"
expect_eq "c1 (recycle, the server without timestamps): still in TIME_WAIT after 3 s" 1 \
	"$(tw_after c1 "$nots" 3000)"

probe_client "$LAB" c2 "$srv" 80 --timeout 5 --close client
expect_eq "c2 closes first to srv" ok "$PROBE_RES"
expect_eq "c2 (no recycle): still in TIME_WAIT after 3 s" 1 "$(tw_after c2 "$srv" 3000)"

# Seeding: a second connection to srv from c3 (2.6.32) and from c4 (4.4).
for c in c3 c4; do
	probe_client "$LAB" "$c" "$srv" 80 --timeout 5 --close client
	expect_eq "$c closes first to srv" ok "$PROBE_RES"
	sleep 1.2 # its shortened TIME_WAIT ends, the entry stays
	capture_start "$LAB" "$c" lan 4 "tcp dst port 80 and tcp[tcpflags] & (tcp-syn|tcp-ack) == tcp-syn" || finish
	probe_client "$LAB" "$c" "$srv" 80 --timeout 5 --close client
	expect_eq "$c connects again" ok "$PROBE_RES"
	syn=$(capture_stop "$CAP" 1 | head -n 1)
	echo "$c's second SYN: $syn"
	ecr=$(printf '%s\n' "$syn" | sed -n 's/.*TS val [0-9]* ecr \([0-9]*\).*/\1/p')
	if [ "$c" = c3 ]; then
		if [ -n "$ecr" ] && [ "$ecr" != 0 ]; then
			pass "c3 (2.6.32): its SYN echoes the remembered timestamp (ecr $ecr)"
		else
			fail "c3 (2.6.32): its SYN echoes the remembered timestamp" \
				"ecr != 0" "ecr ${ecr:-none}"
		fi
	else
		expect_eq "c4 (4.4): its SYN echoes 0 (no seeding for IPv4)" 0 "${ecr:-none}"
	fi
done
engine_sync "$LAB"
expect_eq "c3's model seeded one SYN" 1 "$(engine_stat "$LAB" c3 seeded)"
expect_eq "c4's model seeded none" 0 "$(engine_stat "$LAB" c4 seeded)"
[ "$T_FAILED" -gt 0 ] && dump_engine "$LAB"
stop_pid "$srv_pid"
stop_pid "$PROBE_PID"
run "$NATLAB" down "$LAB"
expect_rc "natlab down" 0
expect_gone "$LAB"

finish
