#!/bin/bash
# t-27-bulk: bulk transfers through the NAT from a client whose host clock
# is far off (ts_offset = 2000000s) and slow (ts_skew = -50ppm), so that
# every segment's timestamps are rewritten, including the large GSO
# segments the stack hands over with a partial checksum
# (CHECKSUM_PARTIAL); once on each clock path ([lab] clock_path = bpf,
# then nfqueue).  iperf3 moves 200 MB each way (c1 -> srv, then srv -> c1
# with -R); both transfers must complete, the engine must survive them,
# the server must see no PAWS rejects (TcpExtPAWSEstab) and no checksum
# errors (TcpInCsumErrors), nor must the client, and the engine's
# csum_partial and gso counters show that the partial-checksum path was
# taken.  Prints "throughput: X Gbit/s" for each direction and path.
. "$(dirname "$0")/lib.sh"
require_root
command -v iperf3 >/dev/null || skip "iperf3 is not installed"

SIZE=200M
SIZE_BYTES=$((200 * 1024 * 1024))

# iperf_server: a one-shot iperf3 server in srv, listening.
iperf_server() {
	local i=0

	bg_nsx "$LAB" srv iperf3 -s -1 -p 5201 >"$T_TMP/iperf-s.out" 2>&1
	IPS=$BG_PID
	while [ -z "$(nsx "$LAB" srv ss -Hltn '( sport = :5201 )')" ]; do
		[ $i -ge 50 ] && { fail "iperf3 server listens in srv"; return 1; }
		sleep 0.1
		i=$((i + 1))
	done
}

# server_done: the iperf3 server ends by itself after one test (-1);
# wait up to 3 s for that, then stop it.
server_done() {
	local i=0

	while alive "$IPS" && [ $i -lt 30 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	stop_pid "$IPS"
}

# transfer WHAT [-R]: one iperf3 run of $SIZE; prints the throughput.
transfer() {
	local what=$1 res sent bytes bps secs

	shift
	iperf_server || return
	run nsx "$LAB" c1 timeout 14 iperf3 -c "$srv" -p 5201 -n $SIZE \
		--connect-timeout 3000 -J "$@"
	res=$(printf '%s\n' "$OUT" | python3 -c '
import json, sys
try:
    d = json.load(sys.stdin)
except ValueError:
    print("ERR no JSON report")
    sys.exit()
if "error" in d:
    print("ERR " + d["error"])
else:
    e = d.get("end", {})
    r, t = e.get("sum_received", {}), e.get("sum_sent", {})
    print(t.get("bytes", 0), r.get("bytes", 0),
          r.get("bits_per_second", 0), r.get("seconds", 0))')
	server_done
	if [ "$RC" != 0 ] || [ "${res#ERR}" != "$res" ]; then
		fail "$what: iperf3 completes" "exit 0, a report" \
			"exit $RC$([ "$RC" = 124 ] && echo ' (still running after 14 s)'); ${res:-no report}"
		return 1
	fi
	pass "$what: iperf3 completes"
	read -r sent bytes bps secs <<<"$res"
	if [ -n "${sent:-}" ] && [ "$sent" -ge "$SIZE_BYTES" ]; then
		pass "$what: the sender sent all $SIZE ($sent bytes)"
	else
		fail "$what: the sender sent all $SIZE" ">= $SIZE_BYTES bytes" "${sent:-?}"
	fi
	# The receiver's count may stop a little short: an iperf3 server
	# ends its count when the client says the test is over.
	if [ -n "${bytes:-}" ] && [ "$bytes" -ge $((SIZE_BYTES / 100 * 98)) ]; then
		pass "$what: the receiver counted at least 98% of it ($bytes bytes)"
	else
		fail "$what: the receiver counted at least 98% of it" \
			">= $((SIZE_BYTES / 100 * 98)) bytes" "${bytes:-?}"
	fi
	echo "throughput: $(awk -v b="$bps" 'BEGIN { printf "%.2f", b / 1e9 }') Gbit/s ($what, $SIZE in $(awk -v s="$secs" 'BEGIN { printf "%.2f", s }') s)"
}


# one_path PATH: the lab on that clock path, both transfers, the checks.
one_path() {
	local path=$1 srv epid

	new_lab LAB
	topo=$(topo_clock_lab "$LAB" 1 <<-END
	[lab]
	clock_path = $path
	[clients]
	count = 1
	ts_offset = 2000000s
	ts_skew = -50ppm
	END
	)

	run "$NATLAB" up "$topo"
	expect_rc "$path: natlab up" 0 || return 1
	srv=$(addr_of "$LAB" srv wan)
	epid=$(engine_pid "$LAB")
	expect_match "$path: engine: c1's clock is 2000000 s ahead, 50 ppm slow" "clock host offset 2000000000 skew_ppm -50 clock_path $path " \
		"$(engine_line "$LAB" c1)"
	for node in srv c1; do
		expect_eq "$path: $node: TcpInCsumErrors 0 before" 0 "$(nstat_val "$LAB" $node TcpInCsumErrors)"
		expect_eq "$path: $node: TcpExtPAWSEstab 0 before" 0 "$(nstat_val "$LAB" $node TcpExtPAWSEstab)"
	done

	transfer "$path: c1 -> srv"
	transfer "$path: srv -> c1" -R

	if [ -n "$epid" ] && alive "$epid"; then
		pass "$path: the engine (pid $epid) survived both transfers"
	else
		fail "$path: the engine survived both transfers" "pid $epid alive" \
			"dead; its log: $(cat "/run/natlab/$LAB.log" 2>/dev/null)"
	fi
	engine_sync "$LAB"
	echo "$path: engine, c1: $(engine_line "$LAB" c1 | awk '{
		for (i = 3; i < NF; i += 2)
			if ($i ~ /^(seen|rewritten|csum_partial|gso|overruns|queue_drops)$/)
				printf "%s %s ", $i, $(i + 1) }')"
	for k in csum_partial gso; do
		n=$(engine_stat "$LAB" c1 $k)
		if [ -n "$n" ] && [ "$n" -gt 0 ]; then
			pass "$path: engine: $k = $n (> 0)"
		else
			fail "$path: engine: $k > 0" "> 0" "${n:-missing}"
		fi
	done
	for node in srv c1; do
		expect_eq "$path: $node: TcpInCsumErrors" 0 "$(nstat_val "$LAB" $node TcpInCsumErrors)"
		expect_eq "$path: $node: TcpExtPAWSEstab" 0 "$(nstat_val "$LAB" $node TcpExtPAWSEstab)"
	done
	[ "$T_FAILED" -gt 0 ] && dump_engine "$LAB"
	run "$NATLAB" down "$LAB"
	expect_rc "$path: natlab down" 0
	expect_gone "$LAB"
}

one_path bpf
one_path nfqueue
finish
