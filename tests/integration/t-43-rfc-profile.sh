#!/bin/bash
# t-43-rfc-profile: the rfc profile (masquerade + the full-cone keeper,
# transitory timeouts of 4 minutes, unsolicited SYNs held 6 s) meets what
# the plain masquerade beside it does not: endpoint-independent mapping
# and filtering, 6 s of silence towards an unsolicited SYN and then ICMP
# port unreachable (and hole punching), transitory timeouts, hairpinning
# with the peer's external address and port, state kept after a RST.
# The keeper saw events, lost none, held the unsolicited SYNs and
# answered one; nothing is left behind, the keeper included.
. "$(dirname "$0")/lib.sh"
require_root

J=$T_TMP/rfc.json
run "$NATLAB" rfc --profile masquerade --profile rfc --json "$J"
expect_rc "natlab rfc --profile masquerade --profile rfc" 0 || finish

for id in REQ-1 REQ-2 REQ-3 REQ-4 REQ-5/established REQ-5/transitory REQ-6 \
	REQ-7 REQ-8 REQ-9 REQ-10 7857/tracking 7857/transitory 7857/rst \
	7857/overlapping 7857/randomisation; do
	expect_eq "rfc: $id" "meets" "$(rfc_verdict "$J" "$id" rfc)"
done
for id in REQ-1 REQ-3 REQ-4 REQ-5/transitory REQ-8 7857/rst; do
	expect_eq "masquerade beside it: $id" "does not meet" \
		"$(rfc_verdict "$J" "$id" masquerade)"
done
# Linux has no way for a host to ask for port parity (no PCP).
expect_eq "rfc: 7857/parity" "does not meet" "$(rfc_verdict "$J" 7857/parity rfc)"

expect_eq "REQ-3: another host reached c1" 1 "$(rfc_datum "$J" REQ-3 rfc from_other_host)"
expect_eq "REQ-3: another port of s1 reached c1" 1 "$(rfc_datum "$J" REQ-3 rfc from_other_port)"
ans=$(rfc_datum "$J" REQ-4 rfc answer_us)
if in_range "$ans" 6000000 6500000; then
	pass "REQ-4: answered after $ans us, not before 6 s"
else
	fail "REQ-4: the answer to the unsolicited SYN" "6000000..6500000 us" "$ans"
fi
expect_match "REQ-4: the answer was ICMP port unreachable" "ICMP 3/3 from 203\.0\.113\.1 after" \
	"$(rfc_evidence "$J" REQ-4 rfc)"
expect_eq "REQ-4: hole punching connected" 1 "$(rfc_datum "$J" REQ-4 rfc hole_punching)"
expect_eq "REQ-8: hairpinned" 1 "$(rfc_datum "$J" REQ-8 rfc hairpin)"
expect_eq "REQ-8a: c1 saw c2 at its external port 40802" 40802 \
	"$(rfc_datum "$J" REQ-8 rfc seen_port)"
expect_eq "REQ-1: c1's busy port kept one mapping" \
	"$(rfc_datum "$J" REQ-1 rfc busy_s1_port)" "$(rfc_datum "$J" REQ-1 rfc busy_s2_port)"
expect_eq "REQ-5: transitory sysctls at 240 s" 240 \
	"$(rfc_datum "$J" REQ-5/transitory rfc least_s)"
left=$(rfc_datum "$J" 7857/rst rfc entry_s)
if in_range "$left" 238 240; then
	pass "after a RST the entry had $left s left"
else
	fail "CLOSE entry after a RST" "238..240 s" "$left"
fi
exp=$(rfc_datum "$J" 7857/rst rfc expiry_ms)
if in_range "$exp" 1700 3500; then
	pass "the scaled CLOSE entry (2 s) went after $exp ms"
else
	fail "scaled CLOSE expiry" "1700..3500 ms" "$exp"
fi

events=$(jget "$J" "[p for p in d['profiles'] if p['name'] == 'rfc'][0]['keeper']['events']")
lost=$(jget "$J" "[p for p in d['profiles'] if p['name'] == 'rfc'][0]['keeper']['lost']")
maps=$(jget "$J" "[p for p in d['profiles'] if p['name'] == 'rfc'][0]['keeper']['mappings']")
if [ -n "$events" ] && [ "$events" -gt 100 ] && [ "$maps" -gt 100 ]; then
	pass "keeper: $events conntrack events, $maps mappings"
else
	fail "keeper activity" "> 100 events and mappings" "$events events, $maps mappings"
fi
expect_eq "keeper: no events lost" 0 "$lost"
kp() { jget "$J" "[p for p in d['profiles'] if p['name'] == 'rfc'][0]['keeper']['$1']"; }
expect_true "keeper: held the unsolicited SYNs ($(kp held))" [ "$(kp held)" -ge 2 ]
# Two nobody punched: REQ-4's, and s2's TCP SYN to c1's UDP mapping
# (RFC 7857 section 6), which is unsolicited for TCP.
expect_eq "keeper: answered the two nobody punched" 2 "$(kp icmp)"
expect_eq "keeper: dropped the hole-punching SYN silently" 1 "$(kp punched)"
expect_match "the profile says what it is" \
	'full-cone keeper' "$(jget "$J" "d['profiles'][1]['nat']")"

for i in 0 1; do
	expect_gone "$(jget "$J" "d['profiles'][$i]['lab']")"
done

finish
