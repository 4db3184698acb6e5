#!/bin/bash
# t-61-recycle-simultaneous: a simultaneous close ends in TIME_WAIT on the
# final ACK, and the emulated tcp_tw_recycle writes the per-peer entry and
# shortens that TIME_WAIT there, as tcp_rcv_state_process() (CLOSING ->
# tcp_time_wait()) did.
#
# The server closes first, but a fault holds its FIN for 150 ms on its way
# out (less than its RTO, so that it is not sent again meanwhile); c1
# closes 50 ms after it has the reply, so c1's FIN reaches the server
# while the server's own FIN is still unacked: CLOSING.  The held
# FIN then goes, c1 acks it, and that final ACK puts the server in
# TIME_WAIT.  The capture in the server's namespace shows the order (c1's
# FIN in before the server's FIN out); ss there shows the server's
# TIME_WAIT socket gone after about 3.5 x RTO instead of 60 s; and c2,
# whose clock is 60 s behind c1's, is then refused (its SYNs get no
# SYN-ACK, counted by nft in the server's namespace): the entry was
# written.
. "$(dirname "$0")/lib.sh"
require_root

new_lab LAB
topo=$(topo_legacy_lab "$LAB" 1 1 4.4 60s <<END
[client c2]
ts_offset = -60s
[fault hold_fin]
node = srv
direction = out
packet = fin
action = delay
delay = 150ms
END
)

run "$NATLAB" up "$topo"
expect_rc "natlab up" 0 || finish
srv=$(addr_of "$LAB" srv wan)
run probe_counters "$LAB" srv syn_in synack_out
expect_rc "counting table in srv" 0 || finish
probe_server "$LAB" srv 80 --close server || finish
capture_start "$LAB" srv wan 20 'tcp port 80 and tcp[tcpflags] & (tcp-fin|tcp-ack) != 0' || finish

probe_client "$LAB" c1 "$srv" 80 --timeout 5 --close now --hold 0.05
expect_eq "c1 is served and closes 50 ms later" ok "$PROBE_RES"
t0=$EPOCHREALTIME
sleep 0.2
pkts=$(capture_stop "$CAP" 1)
printf '%s\n' "$pkts" | sed 's/^/    /'
fin_in=$(printf '%s\n' "$pkts" | awk -v s="$srv.80:" '$4 == s && /Flags \[F/ { print NR; exit }')
fin_out=$(printf '%s\n' "$pkts" | awk -v s="$srv.80" '$2 == s && /Flags \[F/ { print NR; exit }')
if [ -n "$fin_in" ] && [ -n "$fin_out" ] && [ "$fin_in" -lt "$fin_out" ]; then
	pass "the FINs crossed: c1's reached srv before srv's left it"
else
	fail "the FINs crossed" "c1's FIN in before srv's FIN out" \
		"in at line ${fin_in:-none}, out at line ${fin_out:-none}"
fi

# The TIME_WAIT the final ACK started, cut short by the emulation.
gone=""
while :; do
	el=$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%d", (b - a) * 1000 }')
	n=$(nsx "$LAB" srv ss -Htan state time-wait '( sport = :80 )' | grep -c .)
	if [ "$n" = 0 ] && [ "$el" -gt 300 ]; then
		gone=$el
		break
	fi
	[ "$el" -gt 4000 ] && break
	sleep 0.05
done
if [ -n "$gone" ]; then
	pass "srv's TIME_WAIT after the simultaneous close is cut short ($gone ms)"
else
	fail "srv's TIME_WAIT after the simultaneous close is cut short" \
		"gone within 4 s" "still there: $(nsx "$LAB" srv ss -Htan state time-wait)"
fi

probe_client "$LAB" c2 "$srv" 80 --timeout 5 --close server
expect_eq "c2, 60 s behind, is refused: the final ACK wrote c1's timestamp ($PROBE_MS ms)" \
	timeout "$PROBE_RES"
engine_sync "$LAB"
syn=$(nft_packets "$LAB" srv '"syn_in"')
synack=$(nft_packets "$LAB" srv '"synack_out"')
expect_eq "nft: a SYN-ACK for c1 only" 1 "$synack"
expect_eq "paws_drops = SYNs in - SYN-ACKs out" "$((syn - synack))" \
	"$(engine_stat "$LAB" srv paws_drops)"
expect_eq "the engine held srv's FIN" 1 "$(engine_stat "$LAB" srv delayed)"
expect_eq "one TIME_WAIT shortened" 1 "$(engine_stat "$LAB" srv tw_shortened)"
[ "$T_FAILED" -gt 0 ] && dump_engine "$LAB"
stop_pid "$PROBE_PID"
run "$NATLAB" down "$LAB"
expect_rc "natlab down" 0
expect_gone "$LAB"

finish
