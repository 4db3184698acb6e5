#!/bin/bash
# t-75-json-schemas: the JSON files natlab writes against the schemas it
# publishes (docs/schemas/, checked with python3-jsonschema through
# scripts/check-json).  A short run behind one NAT whose server emulates
# tcp_tw_recycle (SYNs dropped, retransmitted, timed out) from a
# topology file whose name has a quote, a tab and a byte that is
# not UTF-8; a matrix of two cells; a plan of the same sweep, collected
# with one report missing and one cut short.  Each file is valid; a
# whole metric is an integer in the report and a connection's times are
# whole microseconds; the file name reads back with '?' for the byte.
# The check can fail: broken copies of the real files (a member missing,
# a wrong type, a value outside its enum, an unknown member) are
# refused, each with the place of its fault, and a report naming a
# format version nobody publishes is refused as unknown.  No lab is left.
. "$(dirname "$0")/lib.sh"
require_root
python3 -c 'import jsonschema' 2>/dev/null ||
	skip "python3-jsonschema is not installed (scripts/setup)"

new_lab LAB
new_lab MTX
new_lab PLN
T_LABS="$T_LABS $MTX-1 $MTX-2 $PLN-1 $PLN-2"
CHECK=$TOP/scripts/check-json

body=$(topo_legacy_lab "$LAB" 1 1 4.4 3s <<END
[traffic]
conns = 3
interval = 200ms
order = round-robin
max = 20s
[server srv]
listen = 80
close = server
[client c2]
ts_offset = -10s
[clients]
connect_timeout = 1500ms
[expect]
clients.attempts == 6
END
)
topo=$T_TMP/$(printf 'we"ird\tname\377.topo')
cp "$body" "$topo"

# 1. A run: its report.
J=$T_TMP/run.json
run "$NATLAB" run -n "$LAB" --json "$J" "$topo"
expect_rc "natlab run" 0
expect_gone "$LAB"
[ -s "$J" ] || { fail "JSON report written" "$J" "missing"; finish; }
expect_valid "the run's report is natlab-run/1 as docs/schemas/ says" "$J"
expect_eq "the topology's name, escaped, and '?' for the byte that is not UTF-8" \
	"$(printf 'we"ird\tname?.topo')" "$(jget "$J" "d['topology'].split('/')[-1]")"
expect_eq "a whole metric is an integer" "int int" \
	"$(jget "$J" "type(d['metrics']['clients.attempts']).__name__ + ' ' + type(d['metrics']['srv.syn_in']).__name__")"
expect_eq "connections' times are whole microseconds" 1 \
	"$(jget "$J" "all(abs(x * 1000 - round(x * 1000)) < 1e-6 for c in d['connections'] for x in [c['start_ms'], c['connect_ms']] + [s['t_ms'] for s in c.get('syns', [])])")"
expect_eq "SYNs were dropped (the report has its answers to check)" 1 \
	"$(jget "$J" "d['metrics']['srv.syn_dropped'] > 0")"

# 2. A matrix of two cells.
M=$T_TMP/matrix.json
run "$NATLAB" matrix -n "$MTX" "$body" --axis srv.legacy.tcp_tw_recycle=0,1 \
	--metric clients.attempts,srv.syn_dropped,clients.connect_p99 --json "$M"
expect_rc "natlab matrix, two cells" 0
[ -s "$M" ] || { fail "matrix JSON written" "$M" "missing"; finish; }
expect_valid "the matrix's JSON is natlab-matrix/1" "$M"
expect_eq "two cells, nothing missing or failed" "2 0 0" \
	"$(jget "$M" "'%d %d %d' % (len(d['cells']), len(d['missing']), len(d['failed']))")"

# 3. A plan of the same sweep, collected with cell 1's report cut short
# and cell 2's missing.
PLAN=$T_TMP/plan
run "$NATLAB" matrix -n "$PLN" "$body" --axis srv.legacy.tcp_tw_recycle=0,1 \
	--metric clients.attempts --plan "$PLAN"
expect_rc "the plan is written" 0
expect_valid "the plan's manifest is natlab-plan/1" "$PLAN/plan.json"
head -c 300 "$J" >"$PLAN/results/$PLN-1.json"
echo 0 >"$PLAN/results/$PLN-1.status"
run "$NATLAB" matrix --collect "$PLAN" --json "$T_TMP/col.json"
expect_rc "collect: a cell failed, one missing" 3
expect_valid "the collected matrix's JSON is natlab-matrix/1" "$T_TMP/col.json"
expect_eq "it names them" "['$PLN-2'] ['$PLN-1']" \
	"$(jget "$T_TMP/col.json" "str(d['missing']) + ' ' + str(d['failed'])")"

# 4. The check can fail.  break_copy SRC DST EXPR: DST is SRC with the
# Python statement EXPR applied to it (as d).
break_copy() {
	python3 - "$1" "$2" "$3" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
exec(sys.argv[3], {"d": d})
json.dump(d, open(sys.argv[2], "w"))
PY
}
# refused WHAT SRC EXPR PLACE: the broken copy fails the check, with
# the fault's place named (PLACE: an ERE of the fault's line after the
# file's name: its JSON path, ":", what is wrong).
refused() {
	local out rc

	break_copy "$2" "$T_TMP/bad.json" "$3"
	out=$("$CHECK" "$T_TMP/bad.json" 2>&1)
	rc=$?
	if [ $rc -eq 1 ] && printf '%s\n' "$out" | grep -qE -- ": $4"; then
		pass "refused: $1"
	else
		fail "refused: $1" "exit 1 and a fault at $4" "exit $rc: $out"
	fi
}
refused "a report without its connections" "$J" "del d['connections']" \
	"\\$: 'connections' is a required property"
refused "a metric that is a string" "$J" "d['metrics']['clients.attempts'] = '6'" \
	'\$\.metrics\.clients\.attempts:'
refused "an outcome nobody writes" "$J" "d['connections'][1]['outcome'] = 'maybe'" \
	'\$\.connections\[1\]\.outcome:'
refused "an answer nobody writes" "$J" \
	"[c for c in d['connections'] if 'syns' in c][0]['syns'][0]['answer'] = 'ok'" \
	'\$\.connections\[[0-9]+\]\.syns\[0\]\.answer:'
refused "a member nobody writes" "$J" "d['extra'] = 1" \
	"\\$: Additional properties are not allowed \\('extra'"
refused "a client's node without its clock" "$J" \
	"[n for n in d['nodes'] if n['kind'] == 'client'][0].pop('tsclock')" \
	"\\$\\.nodes\\[[0-9]+\\]: 'tsclock' is a required property"
refused "a matrix cell's result nobody writes" "$M" "d['cells'][0]['result'] = 'passed'" \
	'\$\.cells\[0\]\.result:'
refused "a matrix cell's status past 255" "$M" "d['cells'][1]['status'] = 256" \
	'\$\.cells\[1\]\.status:'
refused "a plan cell whose report is not under results/" "$PLAN/plan.json" \
	"d['cells'][0]['result'] = '/tmp/x.json'" '\$\.cells\[0\]\.result:'
break_copy "$J" "$T_TMP/v2.json" "d['schema'] = 'natlab-run/2'"
run "$CHECK" "$T_TMP/v2.json"
expect_rc "a report of a version docs/schemas/ does not describe" 2
expect_match "says which" "natlab-run/2, but docs/schemas/ describes natlab-run/1" "$OUT"

expect_gone "$MTX-1"
expect_gone "$MTX-2"
finish
