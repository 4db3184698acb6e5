#!/bin/bash
# t-66-matrix-plan: a sweep planned with natlab matrix --plan, run by GNU
# parallel (through its ssh login file, with the local host ":" only: no
# ssh), and collected with --collect, prints the table a local natlab
# matrix of the same axes prints: same columns, same rows, the same
# values where the scenario is deterministic (attempts, drops, failures,
# each cell's result), the same metrics in the JSON.  A plan refuses a
# non-empty directory and a bad axis (exit 2, nothing written).  With one
# report removed and one cut short, --collect still prints every row,
# names the missing and the failed cell on stderr and in its JSON, and
# exits 3.  No lab is left.
#
# The scenario: c2's clock 10 s behind c1's behind one NAT, a server that
# closes first and emulates tcp_tw_recycle, a connect timeout shorter
# than the first SYN retransmission: with timestamps and recycle on, each
# of c2's two SYNs is dropped and its connect times out (2 drops, 2
# failures, the [expect] line fails); in every other cell nothing is
# dropped.
. "$(dirname "$0")/lib.sh"
require_root
command -v parallel >/dev/null || skip "GNU parallel is not installed"

new_lab LOC
new_lab PLN
for k in 1 2 3 4; do
	T_LABS="$T_LABS $LOC-$k $PLN-$k"
done
PLAN=$T_TMP/plan
AXES="--axis srv.legacy.tcp_tw_recycle=0,1 --axis srv.sysctl.net.ipv4.tcp_timestamps=0,1"
METRICS=clients.attempts,srv.syn_dropped,srv.paws_passive,clients.failed,clients.connect_p99

topo=$(topo_sweep_lab "$LOC" <<END
[expect]
clients.failed == 0
END
)

# cut_p99 CSV: the CSV without its connect_p99 column (timing, not
# deterministic).
cut_p99() {
	awk -F, -v OFS=, '{ $7 = ""; print }' "$1"
}

# 1. The local matrix, for reference.
# shellcheck disable=SC2086
run "$NATLAB" matrix -n "$LOC" "$topo" $AXES --metric "$METRICS" \
	--json "$T_TMP/local.json" --csv "$T_TMP/local.csv"
expect_rc "local matrix: one cell's expectation fails" 1
LOCAL_OUT=$OUT
expect_valid "local matrix: its JSON against docs/schemas/" "$T_TMP/local.json"
expect_eq "local matrix: the recycle+timestamps cell drops c2's 2 SYNs" \
	"1,1,4,2,2,2,expect-failed" "$(cut_p99 "$T_TMP/local.csv" | sed -n 5p | sed 's/,,/,/')"

# 2. Bad input: nothing written.
# shellcheck disable=SC2086
run "$NATLAB" matrix -n "$PLN" "$topo" --axis srv.legacy.tcp_tw_recycle=0,7 \
	--plan "$PLAN"
expect_rc "a plan with a bad axis value is refused" 2
expect_match "the error names the bad value" "tcp_tw_recycle: expected 0 or 1" "$ERR"
expect_eq "nothing is written" "" "$(find "$T_TMP" -maxdepth 1 -name 'plan*')"
mkdir "$T_TMP/full" && touch "$T_TMP/full/x"
# shellcheck disable=SC2086
run "$NATLAB" matrix -n "$PLN" "$topo" $AXES --plan "$T_TMP/full"
expect_rc "a plan into a non-empty directory is refused" 2
expect_eq "the directory is left as it was" "x" "$(ls "$T_TMP/full")"

# 3. The plan.
# shellcheck disable=SC2086
run "$NATLAB" matrix -n "$PLN" "$topo" $AXES --metric "$METRICS" --plan "$PLAN"
expect_rc "the plan is written" 0
expect_eq "one job per cell" 4 "$(wc -l <"$PLAN/jobs")"
expect_eq "job 3 is a plain natlab run, relative to the plan" \
	"natlab run --json results/$PLN-3.json --exit-status results/$PLN-3.status cells/$PLN-3.topo" \
	"$(sed -n 3p "$PLAN/jobs")"
expect_match "cell 3 has its own lab name" "^name = $PLN-3\$" "$(cat "$PLAN/cells/$PLN-3.topo")"
expect_valid "the manifest against docs/schemas/" "$PLAN/plan.json"
run "$NATLAB" check "$PLAN/cells/$PLN-4.topo"
expect_rc "a cell's file checks on its own" 0

# 4. GNU parallel runs the jobs from the plan's directory, through its
# login file with the local host only.
echo "2/:" >"$T_TMP/hosts"
PATH=$(dirname "$NATLAB"):$PATH parallel --will-cite --sshloginfile "$T_TMP/hosts" \
	--workdir "$PLAN" --joblog "$T_TMP/joblog" <"$PLAN/jobs" >"$T_TMP/par.out" 2>&1
expect_eq "parallel: 3 runs exit 0 and the recycle+timestamps cell 1" "0 0 0 1" \
	"$(awk 'NR > 1 { print $7 }' "$T_TMP/joblog" | sort -n | xargs)"
expect_eq "each run recorded its exit status" "0 0 0 1" \
	"$(cat "$PLAN"/results/*.status | sort -n | xargs)"

# 5. Collected: the local table.
run "$NATLAB" matrix --collect "$PLAN" --json "$T_TMP/col.json" --csv "$T_TMP/col.csv"
expect_rc "collect: one cell's expectation fails, as locally" 1
expect_valid "each run's report and the collected JSON against docs/schemas/" \
	"$PLAN"/results/*.json "$T_TMP/col.json"
expect_eq "the same header and the same rows (but for p99's timing)" \
	"$(cut_p99 "$T_TMP/local.csv")" "$(cut_p99 "$T_TMP/col.csv")"
expect_eq "the printed table has the local one's header" \
	"$(printf '%s\n' "$LOCAL_OUT" | head -n 1)" "$(printf '%s\n' "$OUT" | head -n 1)"
expect_eq "and as many rows" "$(printf '%s\n' "$LOCAL_OUT" | wc -l)" \
	"$(printf '%s\n' "$OUT" | wc -l)"
expect_eq "the JSON files agree on values, results and metric names" "same" \
	"$(python3 - "$T_TMP/local.json" "$T_TMP/col.json" <<'PY'
import json, sys
a, b = (json.load(open(f)) for f in sys.argv[1:3])
det = ["clients.attempts", "srv.syn_dropped", "srv.paws_passive",
       "clients.failed", "c2.syn_dropped"]
diff = []
if a["axes"] != b["axes"]:
    diff.append("axes")
for x, y in zip(a["cells"], b["cells"]):
    if x["values"] != y["values"] or x["result"] != y["result"]:
        diff.append("cell " + y["name"])
    if set(x["metrics"]) != set(y["metrics"]):
        diff.append("metric names of " + y["name"])
    diff += [y["name"] + " " + m for m in det
             if x["metrics"][m] != y["metrics"][m]]
if len(a["cells"]) != len(b["cells"]) or b["missing"] or b["failed"]:
    diff.append("cells")
print(", ".join(diff) or "same")
PY
)"

# 6. One report removed, one cut short.
cp -r "$PLAN" "$T_TMP/plan2"
rm "$T_TMP/plan2/results/$PLN-2.json" "$T_TMP/plan2/results/$PLN-2.status"
head -c 200 "$PLAN/results/$PLN-3.json" >"$T_TMP/plan2/results/$PLN-3.json"
run "$NATLAB" matrix --collect "$T_TMP/plan2" --json "$T_TMP/col2.json"
expect_rc "collect with a missing and a failed cell" 3
expect_valid "its JSON, with missing and failed cells, against docs/schemas/" \
	"$T_TMP/col2.json"
expect_match "the missing cell is named" "matrix cell $PLN-2: missing" "$ERR"
expect_match "the failed cell is named" "matrix cell $PLN-3: failed: .* not valid JSON" "$ERR"
expect_eq "every row is still printed" 5 "$(printf '%s\n' "$OUT" | wc -l)"
expect_eq "the rows that exist are as before" \
	"$(sed -n '2p;5p' <<<"$(printf '%s\n' "$OUT" | awk '{ $7 = ""; print }')")" \
	"$(sed -n '2p;5p' <<<"$(printf '%s\n' "$LOCAL_OUT" | awk '{ $7 = ""; print }')")"
expect_match "the missing row says so" "^0 +1 +- +- +- +- +- +missing\$" "$OUT"
expect_match "the failed row says so" "^1 +0 +- +- +- +- +- +failed\$" "$OUT"
expect_eq "the JSON lists them" "['$PLN-2'] ['$PLN-3']" \
	"$(jget "$T_TMP/col2.json" "str(d['missing']) + ' ' + str(d['failed'])")"

for k in 1 2 3 4; do
	expect_gone "$LOC-$k"
	expect_gone "$PLN-$k"
done
finish
