#!/bin/bash
# t-41-rfc-masquerade: natlab rfc against Linux's masquerade with its
# defaults: the verdicts the suite must reach (REQ-5 transitory, REQ-8
# hairpinning and the others Linux misses), each carrying its evidence,
# cross-checked where a plain tool can: the gateway's transitory sysctls
# and its RST to an unsolicited SYN, read in a lab of the same topology
# with iproute2 and nc.  Nothing of the run is left behind.
. "$(dirname "$0")/lib.sh"
require_root

J=$T_TMP/rfc.json
run "$NATLAB" rfc --profile masquerade --json "$J"
expect_rc "natlab rfc --profile masquerade" 0 || finish

for id in REQ-1 REQ-3 REQ-4 REQ-5/transitory REQ-8 7857/rst 7857/parity; do
	expect_eq "masquerade: $id" "does not meet" "$(rfc_verdict "$J" "$id" masquerade)"
done
for id in REQ-2 REQ-5/established REQ-6 REQ-7 REQ-9 REQ-10 7857/tracking \
	7857/overlapping 7857/randomisation; do
	expect_eq "masquerade: $id" "meets" "$(rfc_verdict "$J" "$id" masquerade)"
done
expect_eq "masquerade: 7857/transitory" "configurable" \
	"$(rfc_verdict "$J" 7857/transitory masquerade)"
expect_eq "masquerade: 7857/app (one external address)" "not applicable" \
	"$(rfc_verdict "$J" 7857/app masquerade)"

# The evidence behind them, in the table and in the data.
expect_match "table: REQ-8 refused by a RST" \
	"203\.0\.113\.1:40801: refused by a RST" "$(printf '%s\n' "$OUT" | tr -s ' \n' ' ')"
expect_match "table: the scaling is stated" "4 min scaled 1:120" \
	"$(printf '%s\n' "$OUT" | tr -s ' \n' ' ')"
expect_eq "REQ-8: c2 did not reach c1" 0 "$(rfc_datum "$J" REQ-8 masquerade hairpin)"
expect_eq "REQ-3: no other host gets in" 0 \
	"$(rfc_datum "$J" REQ-3 masquerade from_other_host)"
expect_eq "randomisation: c1's 50 free ports preserved" 50 \
	"$(rfc_datum "$J" 7857/randomisation masquerade c1_preserved)"
expect_eq "randomisation: c2's 50 taken ports all changed" 0 \
	"$(rfc_datum "$J" 7857/randomisation masquerade c2_preserved)"
exp=$(rfc_datum "$J" REQ-5/transitory masquerade expiry_ms)
if in_range "$exp" 1700 3500; then
	pass "REQ-5: a 2 s TIME_WAIT entry went after $exp ms"
else
	fail "REQ-5: expiry of the 2 s TIME_WAIT entry" "1700..3500 ms" "$exp"
fi
least=$(rfc_datum "$J" REQ-5/transitory masquerade least_s)
rst_left=$(rfc_datum "$J" 7857/rst masquerade entry_s)

# Independent: the same topology's gateway, read with iproute2.
new_lab LAB
run "$NATLAB" up -n "$LAB" "$TOP/topo/rfc.topo"
expect_rc "natlab up topo/rfc.topo" 0 || finish
min=999999
for t in syn_sent syn_recv fin_wait close_wait last_ack time_wait; do
	v=$(nsx "$LAB" gw cat /proc/sys/net/netfilter/nf_conntrack_tcp_timeout_$t)
	[ "$v" -lt "$min" ] && min=$v
done
expect_eq "the least transitory sysctl, as iproute2 reads it" "$min" "$least"
expect_eq "tcp_timeout_close, as iproute2 reads it" \
	"$(nsx "$LAB" gw cat /proc/sys/net/netfilter/nf_conntrack_tcp_timeout_close)" \
	"$rst_left"
# REQ-4 with nc: the gateway's own TCP refuses at once.
run nsx "$LAB" s1 nc -v -z -n -w 3 203.0.113.1 40401
expect_match "nc from s1 to an unmapped external port: refused" \
	"refused" "$ERR"

# Nothing of natlab rfc's lab is left.
rlab=$(jget "$J" "d['profiles'][0]['lab']")
expect_match "the run's lab was named rfc-masquerade-PID" '^rfc-masquerade-[0-9]+$' "$rlab"
expect_gone "$rlab"

finish
