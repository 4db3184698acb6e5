#!/bin/bash
# t-63-recycle-rearm: a segment with an ACK reaching a TIME_WAIT bucket
# re-arms it to the full TCP_TIMEWAIT_LEN (tcp_timewait_state_process()),
# the 3.5 x RTO of tcp_tw_recycle included.
#
# The server closes first; a fault drops its ACK of c1's FIN once, so c1
# (in LAST_ACK) sends its FIN again after its RTO, and that FIN reaches the
# server's TIME_WAIT.  The old kernels then kept the bucket 60 s: the
# emulation must not end it after 3.5 x RTO.  ss in the server's namespace
# shows the TIME_WAIT socket still there 2.5 s after the close (and its
# own timer in tens of seconds); the capture shows c1's FIN twice.  The
# same close without the fault (t-24) ends after about 0.7 s.
. "$(dirname "$0")/lib.sh"
require_root

new_lab LAB
topo=$(topo_nat_lab "$LAB" <<END
[server srv]
sysctl.net.ipv4.tcp_timestamps = 1
legacy.tcp_tw_recycle = 1
legacy.model = 4.4
[clients]
count = 1
[fault lose_ack]
node = srv
direction = out
packet = final-ack
action = drop
END
)

run "$NATLAB" up "$topo"
expect_rc "natlab up" 0 || finish
srv=$(addr_of "$LAB" srv wan)
probe_server "$LAB" srv 80 --close server || finish
capture_start "$LAB" srv wan 20 'tcp port 80 and tcp[tcpflags] & tcp-fin != 0' || finish

probe_client "$LAB" c1 "$srv" 80 --timeout 5 --close server
expect_eq "c1 connects, the server closes first" ok "$PROBE_RES"
sleep 2.5
tw=$(nsx "$LAB" srv ss -Htano state time-wait '( sport = :80 )')
echo "srv's TIME_WAIT 2.5 s after the close: $tw"
expect_eq "srv still holds its TIME_WAIT socket 2.5 s after the close" 1 \
	"$(printf '%s\n' "$tw" | grep -c .)"
expect_match "its timer runs in tens of seconds (re-armed to 60 s)" \
	"timer:\(timewait,([1-5][0-9]sec|[0-9.]+min)" "$tw"
pkts=$(capture_stop "$CAP" 1)
printf '%s\n' "$pkts" | sed 's/^/    /'
expect_eq "c1 sent its FIN twice (the server's ACK of the first was lost)" 2 \
	"$(printf '%s\n' "$pkts" | awk -v s="$srv.80:" '$4 == s' | grep -c 'Flags \[F')"
engine_sync "$LAB"
expect_eq "the fault dropped one ACK" 1 "$(engine_stat "$LAB" srv fault_drops)"
expect_eq "the engine ended no TIME_WAIT" 0 "$(engine_stat "$LAB" srv tw_shortened)"
expect_eq "the model saw the re-arm" 1 "$(engine_stat "$LAB" srv tw_rearmed)"
[ "$T_FAILED" -gt 0 ] && dump_engine "$LAB"
stop_pid "$PROBE_PID"
run "$NATLAB" down "$LAB"
expect_rc "natlab down" 0
expect_gone "$LAB"

finish
