#!/bin/bash
# t-40-rfc-default: "natlab rfc" with no argument runs every profile on
# the built-in lab side by side in well under 60 s, prints every
# requirement of RFC 4787, 5382, 5508 and 7857 grouped by RFC with one
# verdict column per profile, a summary per profile and RFC, and every
# requirement's evidence, and leaves nothing behind; --rfc selects; bad
# input exits 2 before any lab is built.
. "$(dirname "$0")/lib.sh"
require_root

J=$T_TMP/rfc.json
t0=$(date +%s%N)
run "$NATLAB" rfc --json "$J"
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
expect_rc "natlab rfc" 0 || finish
if [ "$ms" -lt 60000 ]; then
	pass "the default suite took $ms ms (< 60 s)"
else
	fail "the default suite's run time" "< 60000 ms" "$ms ms"
fi
for rfc in "4787 (UDP)" "5382 (TCP)" "5508 (ICMP)" "7857 (updates to the three)"; do
	expect_match "RFC $rfc: five columns, side by side" \
		"^RFC ${rfc//[()]/.} +ASKS +masquerade +random +fully-random +persistent +rfc\$" "$OUT"
done
nreq=$(jget "$J" "len(d['requirements'])")
expect_eq "a table row per requirement" "$nreq" \
	"$(printf '%s\n' "$OUT" | grep -cE '^(REQ-[0-9]+[a-z,]*|sec\. [0-9.]+) +[A-Za-z].* (MUST|MUST NOT|SHOULD|SHOULD NOT|RECOMMENDED|MAY) +(meets|does not meet|not applicable|configurable|not measured|not testable)')"
expect_eq "a summary line per profile and RFC" 20 \
	"$(printf '%s\n' "$OUT" | grep -cE '^  RFC (4787|5382|5508|7857), [a-z-]+: [0-9]+ of [0-9]+ met')"
expect_eq "the summary counts the JSON's meets (RFC 4787, rfc)" \
	"$(jget "$J" "d['profiles'][4]['summary']['4787']['meets']")" \
	"$(printf '%s\n' "$OUT" | sed -n 's/^  RFC 4787, rfc: \([0-9]*\) of.*/\1/p')"
expect_match "the suite prints its time" "^5 profiles side by side in [0-9.]+ s$" "$OUT"
expect_eq "JSON: five profiles ran" "True True True True True" \
	"$(jget "$J" "' '.join(str(p['ran']) for p in d['profiles'])")"
expect_eq "JSON: every verdict carries evidence" "$((nreq * 5))" \
	"$(jget "$J" "sum(len(v['evidence']) > 20 for r in d['requirements'].values() for v in r['results'].values())")"
expect_eq "JSON: nothing left unmeasured" 0 \
	"$(jget "$J" "sum(v['verdict'] == 'not measured' for r in d['requirements'].values() for v in r['results'].values())")"
expect_eq "JSON: each key names its RFC" 0 \
	"$(jget "$J" "sum(not k.startswith(r['rfc'] + '/') for k, r in d['requirements'].items())")"
expect_eq "schema" "natlab-rfc/2" "$(jget "$J" "d['schema']")"
expect_valid "JSON: valid against docs/schemas/natlab-rfc.schema.json" "$J"
for i in 0 1 2 3 4; do
	expect_gone "$(jget "$J" "d['profiles'][$i]['lab']")"
done
expect_no_match "no rfc lab is listed" "^rfc-.*-" "$("$NATLAB" status 2>&1)"

# Bad input: exit 2, and no lab built.
before=$(ip netns list | wc -l)
run "$NATLAB" rfc --profile full-cone
expect_rc "unknown profile" 2
expect_match "it names the profiles" "masquerade, random" "$ERR"
run "$NATLAB" rfc --profile rfc --profile rfc
expect_rc "a profile twice" 2
run "$NATLAB" rfc --rfc 4787,1918
expect_rc "an RFC natlab does not test" 2
expect_match "it names the RFCs" "4787 \(UDP\), 5382 \(TCP\), 5508 \(ICMP\) and 7857" "$ERR"
run "$NATLAB" rfc --json "$T_TMP/no/such/dir/x.json" --profile masquerade
expect_rc "an output that cannot be written" 2
topo=$(topo_file <<END
[lab]
name = x
[network lan]
subnet = 10.0.0.0/24
[network wan]
subnet = 198.51.100.0/24
[gateway gw]
inside = lan
outside = wan
[server s1]
network = wan
[clients]
count = 2
network = lan
END
)
run "$NATLAB" rfc "$topo"
expect_rc "a topology with one server" 2
expect_match "it says what is missing" "two servers on its outside network" "$ERR"
expect_eq "no namespace was made" "$before" "$(ip netns list | wc -l)"

# --rfc selects: only RFC 4787's rows, table and JSON.
J2=$T_TMP/udp.json
run "$NATLAB" rfc --rfc 4787 --profile masquerade --json "$J2"
expect_rc "--rfc 4787" 0
expect_no_match "no TCP table" "^RFC 5382" "$OUT"
expect_eq "JSON: only RFC 4787's keys" "4787" \
	"$(jget "$J2" "' '.join(sorted(set(r['rfc'] for r in d['requirements'].values())))")"
expect_valid "JSON of --rfc 4787: valid against its schema" "$J2"

finish
