#!/bin/bash
# t-74-matrix-svg: natlab matrix --svg draws the sweep it reports.  A real
# 2 x 2 matrix writes an SVG that xmllint accepts, with one mark (a rect
# of class "cell") per cell and metric column, each naming its cell and
# metric and carrying the value the matrix's JSON has for them (the JSON
# is the oracle), and every axis value as a label, in each metric's heat
# map; a one-axis matrix draws a bar per cell and metric.  A --svg path
# that cannot be written exits 2 before any lab is built and leaves no
# --json file; --plan refuses --svg.  No lab is left.
#
# The scenario is t-66's (topo_sweep_lab): c2's clock 10 s behind c1's
# behind one NAT, a server that closes first and emulates
# tcp_tw_recycle; with timestamps and recycle on, c2's SYNs are dropped.
. "$(dirname "$0")/lib.sh"
require_root
command -v xmllint >/dev/null || skip "xmllint (libxml2-utils) is not installed"
command -v jq >/dev/null || skip "jq is not installed"

new_lab M2
new_lab M1
new_lab BAD
T_LABS="$T_LABS $M2-1 $M2-2 $M2-3 $M2-4 $M1-1 $M1-2 $BAD-1 $BAD-2"
METRICS=clients.attempts,srv.syn_dropped,clients.failed,clients.connect_p99

topo=$(topo_sweep_lab "$M2" </dev/null)

# svg_count SVG XPATH: how many nodes XPATH selects (SVG's elements are
# in the SVG namespace: name them with local-name()).
svg_count() {
	xmllint --xpath "count($2)" "$1" 2>/dev/null
}

CELL="//*[local-name()='rect'][@class='cell']"
LABEL="//*[local-name()='text'][@class='ax val']"

# check_svg SVG JSON: every cell and metric column of JSON has its one
# mark in SVG, with its value; every axis value is a label of its axis,
# once in each metric's panel.
check_svg() {
	local svg=$1 json=$2 ncells nmetrics cell m want got bad=""

	ncells=$(jq '.cells | length' "$json")
	nmetrics=$(tr , '\n' <<<"$METRICS" | wc -l)
	expect_eq "$svg: a mark per cell and metric ($ncells x $nmetrics)" \
		$((ncells * nmetrics)) "$(svg_count "$svg" "$CELL")"
	for cell in $(jq -r '.cells[].name' "$json"); do
		for m in $(tr , ' ' <<<"$METRICS"); do
			want=$(jq -r --arg c "$cell" --arg m "$m" \
				'.cells[] | select(.name == $c) | .metrics[$m]' "$json")
			got=$(xmllint --xpath "string($CELL[@data-cell='$cell'][@data-metric='$m']/@data-value)" "$svg")
			awk -v a="$want" -v b="$got" 'BEGIN {
				d = a - b; if (d < 0) d = -d
				exit !(b != "" && d <= 1e-9 * (a < 0 ? -a : a) + 1e-12) }' ||
				bad="$bad $cell/$m: JSON $want, SVG '$got';"
		done
	done
	expect_eq "$svg: each mark's value is the JSON's" "" "$bad"
	bad=""
	for key in $(jq -r '.axes[]' "$json"); do
		for v in $(jq -r --arg k "$key" '[.cells[].values[$k]] | unique | .[]' "$json"); do
			got=$(svg_count "$svg" "$LABEL[@data-axis='$key'][text()='$v']")
			[ "$got" = "$nmetrics" ] || bad="$bad $key=$v: $got labels;"
		done
	done
	expect_eq "$svg: each axis value labelled once a metric" "" "$bad"
}

# 1. Two axes: a heat map per metric.
run "$NATLAB" matrix -n "$M2" "$topo" --axis srv.legacy.tcp_tw_recycle=0,1 \
	--axis srv.sysctl.net.ipv4.tcp_timestamps=0,1 --metric "$METRICS" \
	--json "$T_TMP/m2.json" --svg "$T_TMP/m2.svg"
expect_rc "the 2 x 2 matrix" 0
expect_eq "the JSON has 4 cells" 4 "$(jq '.cells | length' "$T_TMP/m2.json")"
expect_eq "xmllint accepts the SVG" "" "$(xmllint --noout "$T_TMP/m2.svg" 2>&1)"
check_svg "$T_TMP/m2.svg" "$T_TMP/m2.json"
expect_eq "the recycle+timestamps cell's drops, 2, are in its mark's title" 1 \
	"$(svg_count "$T_TMP/m2.svg" "//*[local-name()='title'][contains(text(), '$M2-4: srv.legacy.tcp_tw_recycle=1, srv.sysctl.net.ipv4.tcp_timestamps=1: srv.syn_dropped 2')]")"
expect_match "the head names the rows' and the columns' axes" \
	"rows: srv.legacy.tcp_tw_recycle .*columns: srv.sysctl.net.ipv4.tcp_timestamps" \
	"$(cat "$T_TMP/m2.svg")"

# 2. One axis: bars.
run "$NATLAB" matrix -n "$M1" "$topo" --axis srv.legacy.tcp_tw_recycle=0,1 \
	--metric "$METRICS" --json "$T_TMP/m1.json" --svg "$T_TMP/m1.svg"
expect_rc "the one-axis matrix" 0
expect_eq "xmllint accepts its SVG" "" "$(xmllint --noout "$T_TMP/m1.svg" 2>&1)"
check_svg "$T_TMP/m1.svg" "$T_TMP/m1.json"
expect_match "a bar per value" "a bar per value of srv.legacy.tcp_tw_recycle" \
	"$(cat "$T_TMP/m1.svg")"

# 3. Bad input: nothing built or left.
run "$NATLAB" matrix -n "$BAD" "$topo" --axis srv.legacy.tcp_tw_recycle=0,1 \
	--json "$T_TMP/bad.json" --svg "$T_TMP/no/such/dir/m.svg"
expect_rc "an --svg path that cannot be written" 2
expect_match "the error names it" "cannot write $T_TMP/no/such/dir/m.svg" "$ERR"
expect_eq "the --json file made before it is removed" "" "$(ls "$T_TMP/bad.json" 2>/dev/null)"
run "$NATLAB" matrix -n "$BAD" "$topo" --axis srv.legacy.tcp_tw_recycle=0,1 \
	--svg "$T_TMP/p.svg" --plan "$T_TMP/plan"
expect_rc "--plan with --svg" 2
expect_eq "no plan written" "" "$(ls -d "$T_TMP/plan" "$T_TMP/p.svg" 2>/dev/null)"

for lab in $T_LABS; do
	expect_gone "$lab"
done
finish
