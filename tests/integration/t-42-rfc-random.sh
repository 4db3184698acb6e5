#!/bin/bash
# t-42-rfc-random: natlab rfc with the random and fully-random masquerade
# flags, side by side: port preservation is gone (the servers see none of
# the clients' 50 fresh source ports), so the mapping depends on the
# destination (REQ-1 does not meet) while the choice stays unpredictable
# (RFC 7857 randomisation meets); no port overloading either way.
. "$(dirname "$0")/lib.sh"
require_root

J=$T_TMP/rfc.json
run "$NATLAB" rfc --profile random --profile fully-random --json "$J"
expect_rc "natlab rfc --profile random --profile fully-random" 0 || finish
expect_match "the table has both columns side by side" \
	'^RFC 5382 \(TCP\) +ASKS +random +fully-random$' "$OUT"

for p in random fully-random; do
	expect_eq "$p: REQ-1 (mapping depends on the destination)" \
		"does not meet" "$(rfc_verdict "$J" REQ-1 "$p")"
	s1=$(rfc_datum "$J" REQ-1 "$p" s1_port)
	s2=$(rfc_datum "$J" REQ-1 "$p" s2_port)
	if [ -n "$s1" ] && [ "$s1" != "$s2" ] && [ "$s1" != 40101 ]; then
		pass "$p: c1:40101 seen as :$s1 by s1 and :$s2 by s2"
	else
		fail "$p: REQ-1 ports" "two different ports, not 40101" "$s1 $s2"
	fi
	pres=$(rfc_datum "$J" 7857/randomisation "$p" c1_preserved)
	if in_range "$pres" 0 1; then
		pass "$p: port preservation gone ($pres of 50 fresh ports kept)"
	else
		fail "$p: fresh ports kept" "0 (at most 1 by chance)" "$pres"
	fi
	expect_eq "$p: 7857 randomisation (ports randomised)" "meets" \
		"$(rfc_verdict "$J" 7857/randomisation "$p")"
	near=$(rfc_datum "$J" 7857/randomisation "$p" near_sequential)
	if in_range "$near" 0 24; then
		pass "$p: $near near-sequential steps in 99"
	else
		fail "$p: near-sequential steps" "0..24 (a quarter of 99)" "$near"
	fi
	expect_eq "$p: REQ-7" "meets" "$(rfc_verdict "$J" REQ-7 "$p")"
	expect_eq "$p: REQ-8" "does not meet" "$(rfc_verdict "$J" REQ-8 "$p")"
	expect_eq "$p: REQ-5/transitory" "does not meet" \
		"$(rfc_verdict "$J" REQ-5/transitory "$p")"
	expect_eq "$p: hole punching fails (no port to aim at)" 0 \
		"$(rfc_datum "$J" REQ-4 "$p" hole_punching)"
done

for i in 0 1; do
	expect_gone "$(jget "$J" "d['profiles'][$i]['lab']")"
done

finish
