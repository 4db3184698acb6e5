#!/bin/bash
# t-40-rfc-default: "natlab rfc" with no argument runs every profile on
# the built-in lab side by side in well under 60 s, prints one verdict
# column per profile and every requirement's evidence, and leaves nothing
# behind; bad input exits 2 before any lab is built.
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
expect_match "five columns, side by side" \
	'^REQUIREMENT +ASKS +masquerade +random +fully-random +persistent +rfc$' "$OUT"
expect_eq "18 requirement rows" 18 \
	"$(printf '%s\n' "$OUT" | grep -cE '^(5382 REQ-[0-9]+|7857) +[A-Za-z].* (MUST|MUST NOT|SHOULD|MAY) +(meets|does not meet|not applicable|configurable|not measured)')"
expect_eq "JSON: five profiles ran" "True True True True True" \
	"$(jget "$J" "' '.join(str(p['ran']) for p in d['profiles'])")"
expect_eq "JSON: every verdict carries evidence" 90 \
	"$(jget "$J" "sum(len(v['evidence']) > 20 for r in d['requirements'] for v in r['results'].values())")"
expect_eq "JSON: nothing left unmeasured" 0 \
	"$(jget "$J" "sum(v['verdict'] == 'not measured' for r in d['requirements'] for v in r['results'].values())")"
expect_eq "schema" "natlab-rfc/1" "$(jget "$J" "d['schema']")"
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

finish
