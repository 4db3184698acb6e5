#!/bin/bash
# t-20-clock-offset: two clients with host clocks (ts_offset 0s and -10s)
# reach a plain server, and the TSvals the server sees are 10000 ticks
# (1 tick = 1 ms) apart.  Checked on a capture of the SYNs and SYN-ACKs in
# the server's namespace (tcpdump -nv), two ways:
# - between the clients: c1's SYN TSval minus c2's, less the time between
#   the two SYNs on the wire (they are sent together, a few ms apart), is
#   10000 +- 50;
# - within each connection: the server runs tcp_timestamps = 2 (its TSval
#   is its uptime clock in ms, the clock the clients' kernels use too), so
#   its SYN-ACK's TSval minus the SYN's is 0..50 for c1 and
#   10000..10050 for c2.
# The connections complete, the SYNs arrive with correct checksums, the
# server's TcpInCsumErrors stays 0, and the engine counts rewrites for
# both clients.
. "$(dirname "$0")/lib.sh"
require_root

new_lab LAB
topo=$(topo_clock_lab "$LAB" 2 <<END
[client c2]
ts_offset = -10s
END
)

run "$NATLAB" up "$topo"
expect_rc "natlab up" 0 || finish
srv=$(addr_of "$LAB" srv wan)
[ -n "$(engine_pid "$LAB")" ] || fail "the state file records an engine" "a pid line" "$(cat "/run/natlab/$LAB.state")"
expect_match "engine: c1 has a host clock, offset 0" "clock host offset 0 " "$(engine_line "$LAB" c1)"
expect_match "engine: c2 has a host clock, offset -10000 (mod 2^32)" \
	"clock host offset $((4294967296 - 10000)) " "$(engine_line "$LAB" c2)"

csum0=$(nstat_val "$LAB" srv TcpInCsumErrors)
probe_server "$LAB" srv 80 --close server --count 2 || finish
# SYNs and SYN-ACKs of both connections: four packets.
capture_start "$LAB" srv wan 4 'tcp port 80 and tcp[tcpflags] & tcp-syn != 0' || finish

nsx "$LAB" c1 python3 "$PROBE" client --host "$srv" --port 80 --timeout 5 \
	>"$T_TMP/c1.out" 2>&1 &
p1=$!
T_PIDS="$T_PIDS $p1"
nsx "$LAB" c2 python3 "$PROBE" client --host "$srv" --port 80 --timeout 5 \
	>"$T_TMP/c2.out" 2>&1 &
p2=$!
T_PIDS="$T_PIDS $p2"
bg_wait "$p1"
expect_eq "c1's connection completes" "ok=1 fail=0" "$(tail -n 1 "$T_TMP/c1.out")"
bg_wait "$p2"
expect_eq "c2's connection completes" "ok=1 fail=0" "$(tail -n 1 "$T_TMP/c2.out")"

pkts=$(capture_stop "$CAP")
echo "capture at srv:"
printf '%s\n' "$pkts" | sed 's/^/  /'
gw=$(addr_of "$LAB" gw wan)

# ts FLAGS: "TIME TSVAL PORT" of each packet with those flags; PORT is
# the client side's port (the source of a SYN, the destination of a
# SYN-ACK), as the server sees it.
ts() {
	printf '%s\n' "$pkts" | awk -v f="Flags [$1]," '
		index($0, f) && match($0, /TS val [0-9]+/) {
			v = substr($0, RSTART + 7, RLENGTH - 7)
			n = split($2, s, "."); sp = s[n]
			n = split($4, d, "."); dp = d[n]; sub(":", "", dp)
			print $1, v, (sp == 80 ? dp : sp)
		}'
}
syns=$(ts S)
synacks=$(ts S.)
expect_eq "captured two SYNs" 2 "$(printf '%s\n' "$syns" | grep -c .)"
expect_eq "captured two SYN-ACKs" 2 "$(printf '%s\n' "$synacks" | grep -c .)"
# Only arriving packets: the server's own SYN-ACKs are captured before
# their checksum is finished (CHECKSUM_PARTIAL), so tcpdump calls them
# incorrect.  The same holds for the SYNs when the clocks are kept by the
# tc program (clock_path bpf): it leaves a partial checksum partial, as
# the client's stack made it, and nothing on the way finishes it.  The
# NFQUEUE path hands back finished checksums.  t-37 checks the BPF path's
# checksums with offloads off, so that every one is finished and verified.
engine_sync "$LAB"
if [ "$(engine_field "$LAB" clock_path)" = bpf ]; then
	expect_eq "both SYNs arrive at the server with unfinished checksums" 2 \
		"$(printf '%s\n' "$pkts" | grep -F 'Flags [S],' | grep -c 'cksum 0x[0-9a-f]* (incorrect')"
	for c in c1 c2; do
		n=$(engine_stat "$LAB" $c csum_partial)
		if [ "${n:-0}" -gt 0 ]; then
			pass "the program saw $n packets of $c with CHECKSUM_PARTIAL"
		else
			fail "the program saw packets of $c with CHECKSUM_PARTIAL" "> 0" "${n:-missing}"
		fi
	done
else
	expect_eq "both SYNs arrive at the server with correct checksums" 2 \
		"$(printf '%s\n' "$pkts" | grep -F 'Flags [S],' | grep -c 'cksum 0x[0-9a-f]* (correct)')"
fi
expect_eq "the server saw only the gateway's address" "" \
	"$(printf '%s\n' "$pkts" | awk '{ print $2, $4 }' | grep -v "$gw\." | grep -v '^$')"

# Which SYN is whose: the local port of the connection at each client
# (masquerade keeps it) is in its conntrack entry at the gateway.
port1=$(ct_tuples "$LAB" gw tcp 80 | awk -v a="$(addr_of "$LAB" c1 lan)" '$1 == a { print $3; exit }')
port2=$(ct_tuples "$LAB" gw tcp 80 | awk -v a="$(addr_of "$LAB" c2 lan)" '$1 == a { print $3; exit }')
nat1=$(ct_tuples "$LAB" gw tcp 80 | awk -v a="$(addr_of "$LAB" c1 lan)" '$1 == a { print $8; exit }')
nat2=$(ct_tuples "$LAB" gw tcp 80 | awk -v a="$(addr_of "$LAB" c2 lan)" '$1 == a { print $8; exit }')
echo "c1 port $port1 (at srv $nat1), c2 port $port2 (at srv $nat2)"

read -r t1 v1 _ <<<"$(printf '%s\n' "$syns" | awk -v p="$nat1" '$3 == p')"
read -r t2 v2 _ <<<"$(printf '%s\n' "$syns" | awk -v p="$nat2" '$3 == p')"
read -r _ a1 _ <<<"$(printf '%s\n' "$synacks" | awk -v p="$nat1" '$3 == p')"
read -r _ a2 _ <<<"$(printf '%s\n' "$synacks" | awk -v p="$nat2" '$3 == p')"
if [ -z "${v1:-}" ] || [ -z "${v2:-}" ] || [ -z "${a1:-}" ] || [ -z "${a2:-}" ]; then
	fail "a SYN and a SYN-ACK with timestamps for each client" \
		"TS val of both" "c1 syn ${v1:-none} synack ${a1:-none}, c2 syn ${v2:-none} synack ${a2:-none}"
	finish
fi

# Serial (mod 2^32) differences.
sdiff() {
	local d=$((($1 - $2) & 0xffffffff))

	[ $d -ge 2147483648 ] && d=$((d - 4294967296))
	echo $d
}
raw=$(sdiff "$v1" "$v2")
gap=$(awk -v a="$t1" -v b="$t2" 'BEGIN { printf "%d", (a - b) * 1000 }')
corr=$((raw - gap))
echo "c1 SYN TSval $v1, c2 SYN TSval $v2: difference $raw ticks, SYNs $gap ms apart"
if in_range "$corr" 9950 10050; then
	pass "c1's clock is 10000 +- 50 ticks ahead of c2's ($raw - $gap = $corr)"
else
	fail "c1's clock is 10000 +- 50 ticks ahead of c2's" "9950..10050" \
		"$corr (TSval difference $raw, SYNs $gap ms apart)"
fi
d1=$(sdiff "$a1" "$v1")
d2=$(sdiff "$a2" "$v2")
if in_range "$d1" 0 50; then
	pass "c1's SYN TSval is the server's clock (SYN-ACK - SYN = $d1)"
else
	fail "c1's SYN TSval is the server's clock" "SYN-ACK - SYN in 0..50" "$d1"
fi
if in_range "$d2" 10000 10050; then
	pass "c2's SYN TSval is the server's clock - 10 s (SYN-ACK - SYN = $d2)"
else
	fail "c2's SYN TSval is the server's clock - 10 s" "SYN-ACK - SYN in 10000..10050" "$d2"
fi

expect_eq "the server's TcpInCsumErrors stays $csum0" "$csum0" \
	"$(nstat_val "$LAB" srv TcpInCsumErrors)"
expect_eq "TcpInCsumErrors read as 0 before" 0 "$csum0"

engine_sync "$LAB"
for c in c1 c2; do
	n=$(engine_stat "$LAB" $c rewritten)
	if [ -n "$n" ] && [ "$n" -gt 0 ]; then
		pass "engine rewrote $n packets of $c"
	else
		fail "engine rewrote packets of $c" "rewritten > 0" "$(engine_line "$LAB" $c)"
	fi
	expect_eq "engine: no malformed or truncated packets of $c" "0 0" \
		"$(engine_stat "$LAB" $c malformed) $(engine_stat "$LAB" $c truncated)"
done
[ "$T_FAILED" -gt 0 ] && dump_engine "$LAB"

run "$NATLAB" down "$LAB"
expect_rc "natlab down" 0
expect_gone "$LAB"
expect_eq "engine file removed" "" "$(ls "/run/natlab/$LAB.engine" 2>/dev/null)"

finish
