#!/bin/bash
# t-33-run-expect-exit: natlab run's exit status follows its [expect]
# section.  Failing expectations: exit 1, each failing line printed as
# FAIL with its line number and measured value, the passing ones as PASS,
# and "N of M expectations failed".  All passing: exit 0.  An [expect]
# line naming a metric that does not exist: exit 2 with file:line, before
# anything is built (no namespace of the lab appears at any time while it
# runs).  A --json path that cannot be written: exit 2, nothing built.
. "$(dirname "$0")/lib.sh"
require_root

# topo NAME EXPECT-LINES...: one client, three connections.
topo() {
	local name=$1 l

	shift
	{
		cat <<END
[lab]
name = $name
[network lan]
subnet = 10.0.0.0/24
[network wan]
subnet = 198.51.100.0/24
[gateway gw]
inside = lan
outside = wan
[server srv]
network = wan
listen = 80
close = server
[clients]
count = 1
network = lan
[traffic]
conns = 3
interval = 20ms
max = 10s
[expect]
END
		for l in "$@"; do printf '%s\n' "$l"; done
	} | topo_file "$name"
}

# watch_start LAB: record, every 5 ms, any namespace or state file of LAB
# that exists; watch_stop prints what was seen.
watch_start() {
	WATCH=$T_TMP/watch-$1
	: >"$WATCH"
	(
		while :; do
			ls /run/netns 2>/dev/null | grep -E "^$1-" >>"$WATCH"
			[ -e "/run/natlab/$1.state" ] && echo "state file" >>"$WATCH"
			sleep 0.005
		done
	) &
	WATCH_PID=$!
	T_PIDS="$T_PIDS $WATCH_PID"
	sleep 0.05
}
watch_stop() {
	stop_pid "$WATCH_PID"
	sort -u "$WATCH"
}

# 1. Expectations that fail (lines 22-26 of the file).
new_lab LAB
t=$(topo "$LAB" \
	"clients.attempts == 3" \
	"c1.established == 4" \
	"srv.syn_in < 1" \
	"c1.connect_max < 2s" \
	"gw.mappings != 3")
run "$NATLAB" run "$t"
expect_rc "run with failing expectations" 1
expect_match "PASS line 22 with its value" \
	"^  PASS  line 22 +clients\.attempts == 3 +measured 3\$" "$OUT"
expect_match "FAIL line 23 with its value" \
	"^  FAIL  line 23 +c1\.established == 4 +measured 3\$" "$OUT"
expect_match "FAIL line 24 with its value" \
	"^  FAIL  line 24 +srv\.syn_in < 1 +measured 3\$" "$OUT"
expect_match "PASS line 25, a duration in ms" \
	"^  PASS  line 25 +c1\.connect_max < 2s +measured [0-9.]+ms\$" "$OUT"
expect_match "FAIL line 26 with its value" \
	"^  FAIL  line 26 +gw\.mappings != 3 +measured 3\$" "$OUT"
expect_match "the count of failures" "^3 of 5 expectations failed\$" "$OUT"
expect_eq "FAIL lines" 3 "$(printf '%s\n' "$OUT" | grep -c '^  FAIL ')"
expect_gone "$LAB"

# 2. All pass.
new_lab LAB
t=$(topo "$LAB" \
	"clients.attempts == 3" \
	"c1.established == 3" \
	"srv.syn_in == 3" \
	"srv.syn_dropped == 0" \
	"c1.connect_max < 2s")
watch_start "$LAB"
run "$NATLAB" run "$t"
seen=$(watch_stop)
expect_rc "run with passing expectations" 0
# The watch sees a lab that is built (so that it can fail below).
expect_match "the watch saw $LAB-srv while the run lasted" "^$LAB-srv\$" "$seen"
expect_match "the count of failures" "^0 of 5 expectations failed\$" "$OUT"
expect_no_match "no FAIL line" "^  FAIL " "$OUT"
expect_eq "PASS lines" 5 "$(printf '%s\n' "$OUT" | grep -c '^  PASS ')"
expect_gone "$LAB"

# 3. An unknown metric: rejected before anything exists.
new_lab LAB
t=$(topo "$LAB" \
	"clients.attempts == 3" \
	"srv.no_such_metric == 0")
watch_start "$LAB"
run "$NATLAB" run "$t"
seen=$(watch_stop)
expect_rc "run with an unknown metric" 2
expect_match "the error names the file and line 23" "^$t:23: .*no_such_metric" "$ERR"
expect_eq "nothing printed on stdout" "" "$OUT"
expect_eq "no namespace or state file of $LAB at any time" "" "$seen"
expect_gone "$LAB"
run "$NATLAB" check "$t"
expect_rc "check finds the unknown metric too" 2
expect_match "check: file and line 23" "^$t:23: .*no_such_metric" "$ERR"

# 4. An unwritable --json path: rejected before anything exists.
new_lab LAB
t=$(topo "$LAB" "clients.attempts == 3")
watch_start "$LAB"
run "$NATLAB" run --json /proc/nonexistent/x.json "$t"
seen=$(watch_stop)
expect_rc "run with an unwritable --json" 2
expect_match "the error names the path" "/proc/nonexistent/x\.json" "$ERR"
expect_eq "no namespace or state file of $LAB at any time" "" "$seen"
expect_gone "$LAB"
[ -e /proc/nonexistent/x.json ] && fail "no file made" "none" "/proc/nonexistent/x.json"

finish
