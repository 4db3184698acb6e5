#!/bin/bash
# t-37-clock-paths: the same host-clock lab as t-20 (c1 offset 0; c2
# offset -10s and skew -50 ppm; the server runs tcp_timestamps = 2, so a
# SYN-ACK's TSval minus the SYN's is the offset the SYN was given) with
# [lab] clock_path = bpf and then = nfqueue.  Checksum offloads are off on
# the clients' and the server's interfaces, so every checksum is finished
# after the rewrite (in software, on the way out) and verified by the
# stack that receives it.  For each path:
# - the engine says which path it took, for the lab and for each client;
# - both connections complete; the capture at the server shows both SYNs
#   with correct checksums; TcpInCsumErrors and TcpExtPAWSEstab stay 0 at
#   the server and at both clients; the clients' counters of rewritten
#   packets are above 0;
# - SYN-ACK - SYN is 0..50 for c1, and for c2 10000 plus the skew's part
#   (50 ppm of the SYN-ACK's TSval), +0..50.
# Then the offsets of the two paths agree within 50 ticks (the time
# between the runs moves c2's skew part by far less), and nothing of
# either lab is left, nothing pinned under /sys/fs/bpf.
. "$(dirname "$0")/lib.sh"
require_root
command -v ethtool >/dev/null || skip "ethtool is not installed"

# one_path PATH: run the lab with that clock path; sets D1_<PATH>, D2_<PATH>.
one_path() {
	local path=$1 lab topo srv pkts nat1 nat2 v1 v2 a1 a2 d1 d2 e2 n c node

	new_lab lab
	topo=$(topo_clock_lab "$lab" 2 "$path" <<END
[lab]
clock_path = $path
[client c2]
ts_offset = -10s
ts_skew = -50ppm
END
)
	run "$NATLAB" up "$topo"
	expect_rc "$path: natlab up" 0 || return 1
	srv=$(addr_of "$lab" srv wan)
	engine_sync "$lab"
	expect_eq "$path: the engine names the lab's clock path" "$path" \
		"$(engine_field "$lab" clock_path)"
	for c in c1 c2; do
		expect_eq "$path: the engine names $c's clock path" "$path" \
			"$(engine_stat "$lab" $c clock_path)"
	done
	for node in c1:lan c2:lan srv:wan; do
		run nsx "$lab" "${node%:*}" ethtool -K "${node#*:}" tx off rx off
		expect_rc "$path: checksum offload off in ${node%:*}" 0
	done

	probe_server "$lab" srv 80 --close server --count 2 || return 1
	capture_start "$lab" srv wan 4 'tcp port 80 and tcp[tcpflags] & tcp-syn != 0' || return 1
	for c in c1 c2; do
		probe_client "$lab" $c "$srv" 80 --timeout 5
		expect_eq "$path: $c's connection completes" ok "$PROBE_RES"
	done
	pkts=$(capture_stop "$CAP")
	printf '%s\n' "$pkts" | sed 's/^/  /'
	expect_eq "$path: both SYNs arrive at the server with correct checksums" 2 \
		"$(printf '%s\n' "$pkts" | grep -F 'Flags [S],' | grep -c 'cksum 0x[0-9a-f]* (correct)')"

	nat1=$(ct_tuples "$lab" gw tcp 80 | awk -v a="$(addr_of "$lab" c1 lan)" '$1 == a { print $8; exit }')
	nat2=$(ct_tuples "$lab" gw tcp 80 | awk -v a="$(addr_of "$lab" c2 lan)" '$1 == a { print $8; exit }')
	# tsval FLAGS PORT: the TSval of the packet with those flags on the
	# connection whose port at the server's side is PORT.
	tsval() {
		printf '%s\n' "$pkts" | awk -v f="Flags [$1]," -v p="$2" '
			index($0, f) && match($0, /TS val [0-9]+/) {
				v = substr($0, RSTART + 7, RLENGTH - 7)
				n = split($2, s, "."); sp = s[n]
				n = split($4, d, "."); dp = d[n]; sub(":", "", dp)
				if ((sp == 80 ? dp : sp) == p) print v
			}'
	}
	v1=$(tsval S "$nat1")
	v2=$(tsval S "$nat2")
	a1=$(tsval S. "$nat1")
	a2=$(tsval S. "$nat2")
	if [ -z "$v1" ] || [ -z "$v2" ] || [ -z "$a1" ] || [ -z "$a2" ]; then
		fail "$path: a SYN and a SYN-ACK with timestamps for each client" \
			"TS val of both" "c1 ${v1:-none}/${a1:-none}, c2 ${v2:-none}/${a2:-none}"
		return 1
	fi
	d1=$(((a1 - v1) & 0xffffffff))
	d2=$(((a2 - v2) & 0xffffffff))
	e2=$((10000 + a2 * 50 / 1000000))
	echo "$path: SYN-ACK - SYN: c1 $d1, c2 $d2 (c2 expected $e2 +0..50)"
	in_range "$d1" 0 50 && pass "$path: c1's SYN carries the server's clock ($d1)" ||
		fail "$path: c1's SYN carries the server's clock" "0..50" "$d1"
	in_range "$d2" "$e2" $((e2 + 50)) && pass "$path: c2's SYN is 10 s and 50 ppm behind ($d2)" ||
		fail "$path: c2's SYN is 10 s and 50 ppm behind" "$e2..$((e2 + 50))" "$d2"
	eval "D1_$path=$d1 D2_$path=$d2"

	for node in srv c1 c2; do
		expect_eq "$path: $node: TcpInCsumErrors" 0 "$(nstat_val "$lab" $node TcpInCsumErrors)"
		expect_eq "$path: $node: TcpExtPAWSEstab" 0 "$(nstat_val "$lab" $node TcpExtPAWSEstab)"
	done
	engine_sync "$lab"
	for c in c1 c2; do
		n=$(engine_stat "$lab" $c rewritten)
		if [ "${n:-0}" -gt 0 ]; then
			pass "$path: $n packets of $c rewritten"
		else
			fail "$path: packets of $c rewritten" "> 0" "$(engine_line "$lab" $c)"
		fi
	done
	[ "$T_FAILED" -gt 0 ] && dump_engine "$lab"
	stop_pid "$PROBE_PID"
	run "$NATLAB" down "$lab"
	expect_rc "$path: natlab down" 0
	expect_gone "$lab"
	expect_eq "$path: nothing pinned under /sys/fs/bpf" "" \
		"$(ls -A /sys/fs/bpf 2>/dev/null | grep -F "$lab")"
}

one_path bpf
one_path nfqueue
if [ -n "${D1_bpf:-}" ] && [ -n "${D1_nfqueue:-}" ]; then
	for k in 1 2; do
		eval "b=\$D${k}_bpf q=\$D${k}_nfqueue"
		d=$((b - q))
		in_range "$d" -50 50 && pass "c$k: the paths agree (bpf $b, nfqueue $q)" ||
			fail "c$k: the paths agree" "within 50 ticks" "bpf $b, nfqueue $q"
	done
fi
finish
