#!/bin/bash
# t-25-faults: packet faults of the engine, seen on the wire.
# (a) [fault] node = c1, packet = final-ack, action = drop, with the client
#     closing first: c1 sends its FIN, srv acks it and sends its own FIN,
#     c1's final ACK is dropped, so srv (in LAST_ACK) retransmits its FIN
#     and c1, now in TIME_WAIT, acks again.  A capture at srv shows two
#     FINs from srv for the first connection and one for the second (the
#     fault hits the first matching packet only: nth = 1); fault_drops = 1.
# (b) [fault] node = c1, packet = syn, action = delay, delay = 1500ms: the
#     first connect takes >= 1.4 s (the kernel does not send the SYN again
#     while its first copy is still held in the queue), the second is
#     fast; delayed = 1.
. "$(dirname "$0")/lib.sh"
require_root

# fault_lab LAB STEM < FAULT: the masquerading lab (topo_nat_lab) with
# one client, and the [fault] section given; prints the file's path.
fault_lab() {
	{
		cat <<END
[clients]
count = 1
END
		cat
	} | topo_nat_lab "$1" "$2"
}

# ---- (a) a dropped final ACK ----
new_lab LA
topo=$(fault_lab "$LA" finack <<END
[fault f]
node = c1
packet = final-ack
action = drop
END
)
run "$NATLAB" up "$topo"
expect_rc "(a) natlab up" 0 || finish
srv=$(addr_of "$LA" srv wan)
expect_match "(a) the engine serves c1 (no clock)" "clock - " "$(engine_line "$LA" c1)"
probe_server "$LA" srv 80 --close client || finish
capture_start "$LA" srv wan 40 'tcp port 80 and tcp[tcpflags] & (tcp-fin|tcp-syn) != 0' || finish

probe_client "$LA" c1 "$srv" 80 --timeout 5 --close client
expect_eq "(a) first connection (client closes first)" ok "$PROBE_RES"
# srv's FIN goes again after its RTO (>= 200 ms); c1 acks the copy.
sleep 1.5
probe_client "$LA" c1 "$srv" 80 --timeout 5 --close client
expect_eq "(a) second connection" ok "$PROBE_RES"
sleep 1.5
pkts=$(capture_stop "$CAP" 0)
echo "(a) SYNs and FINs at srv:"
printf '%s\n' "$pkts" | sed 's/^/  /'
# ports of the two connections, in order of their SYNs
ports=$(printf '%s\n' "$pkts" | awk 'index($0, "Flags [S],") { n = split($2, a, "."); print a[n] }')
p1=$(printf '%s\n' "$ports" | sed -n 1p)
p2=$(printf '%s\n' "$ports" | sed -n 2p)
srv_fins() { # srv_fins PORT: FINs srv sent on that connection
	printf '%s\n' "$pkts" | grep -F "$srv.80 > " | grep -E "\.$1: Flags \[F" | grep -c .
}
cl_fins() {
	printf '%s\n' "$pkts" | grep -E "\.$1 > $srv\.80: Flags \[F" | grep -c .
}
if [ -z "$p1" ] || [ -z "$p2" ]; then
	fail "(a) captured both connections' SYNs" "two SYNs" "$pkts"
else
	expect_eq "(a) c1 sent one FIN on the first connection" 1 "$(cl_fins "$p1")"
	n=$(srv_fins "$p1")
	if [ "$n" -ge 2 ]; then
		pass "(a) srv retransmitted its FIN on the first connection ($n FINs)"
	else
		fail "(a) srv retransmitted its FIN on the first connection" ">= 2 FINs" "$n"
	fi
	expect_eq "(a) srv sent one FIN on the second connection" 1 "$(srv_fins "$p2")"
fi
expect_eq "(a) srv holds no socket in LAST_ACK" "" \
	"$(nsx "$LA" srv ss -Htan state last-ack)"
engine_sync "$LA"
expect_eq "(a) engine fault_drops" 1 "$(engine_stat "$LA" c1 fault_drops)"
expect_eq "(a) engine delayed" 0 "$(engine_stat "$LA" c1 delayed)"
[ "$T_FAILED" -gt 0 ] && dump_engine "$LA"
stop_pid "$PROBE_PID"
run "$NATLAB" down "$LA"
expect_rc "(a) natlab down" 0

# ---- (b) a delayed SYN ----
new_lab LB
topo=$(fault_lab "$LB" delay <<END
[fault d]
node = c1
packet = syn
action = delay
delay = 1500ms
END
)
run "$NATLAB" up "$topo"
expect_rc "(b) natlab up" 0 || finish
srv=$(addr_of "$LB" srv wan)
probe_server "$LB" srv 80 --close server || finish
run probe_counters "$LB" srv syn_in
expect_rc "(b) counting table in srv" 0

probe_client "$LB" c1 "$srv" 80 --timeout 5 --count 2 --interval 0.2 --close server
expect_rc "(b) both connections succeed" 0
l1=$(printf '%s\n' "$OUT" | sed -n 1p)
l2=$(printf '%s\n' "$OUT" | sed -n 2p)
ms1=$(set -- $l1; echo "${2%.*}")
ms2=$(set -- $l2; echo "${2%.*}")
echo "(b) connect latencies: $ms1 ms, $ms2 ms"
if in_range "$ms1" 1400 2500; then
	pass "(b) the first connect waited for the delayed SYN ($ms1 ms)"
else
	fail "(b) the first connect waited for the delayed SYN" "1400..2500 ms" "$l1"
fi
if in_range "$ms2" 0 200; then
	pass "(b) the second connect is fast ($ms2 ms)"
else
	fail "(b) the second connect is fast" "0..200 ms" "$l2"
fi
engine_sync "$LB"
expect_eq "(b) engine delayed" 1 "$(engine_stat "$LB" c1 delayed)"
expect_eq "(b) engine fault_drops" 0 "$(engine_stat "$LB" c1 fault_drops)"
syn=$(nft_packets "$LB" srv '"syn_in"')
if in_range "$syn" 2 3; then
	pass "(b) SYNs at srv: $syn (one per connection, maybe one copy more)"
else
	fail "(b) SYNs at srv" "2..3" "$syn"
fi
[ "$T_FAILED" -gt 0 ] && dump_engine "$LB"

finish
