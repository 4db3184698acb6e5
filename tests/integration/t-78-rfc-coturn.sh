#!/bin/bash
# t-78-rfc-coturn: natlab rfc's RFC 4787 verdicts on UDP mapping (REQ-1),
# filtering (REQ-8) and hairpinning (REQ-9) for its five profiles,
# against a classifier natlab did not write: coturn's
# turnutils_natdiscovery, which tells a NAT's mapping and filtering
# behaviour as RFC 5780 describes (and tries hairpinning) with binding
# requests to a STUN server of two addresses.
#
# One lab per profile, side by side, each topo/rfc.topo with gw's nat
# line set as natlab rfc sets it; s1 gets a second address on wan and
# runs turnserver (STUN only) on both; c1 runs natdiscovery against it:
# mapping from a fresh port, and again from a port that c2 already holds
# at the gateway towards one of the server's addresses; hairpinning and
# filtering from ports c1 has mapped.
# Each answer is checked against the gateway's conntrack entries of the
# same probes, so that a misread STUN answer cannot pass for a verdict,
# and then against natlab rfc --rfc 4787 on the same profiles, run
# meanwhile in labs of its own.
#
# What natdiscovery does (coturn 4.6): mapping, three binding requests
# from one local port, to ADDR:3478, ALT:3478 and ALT:3479; the same
# external address and port for the first two is endpoint-independent,
# for the last two address-dependent, else address-and-port-dependent.
# Filtering, from a fresh port: a request asking for the answer from
# ALT:3479, then one asking for it from ADDR:3479; the first answered is
# endpoint-independent, the second address-dependent, neither (3 s each)
# address-and-port-dependent.  Hairpinning: a second socket sends a
# request to the first one's external address and port.
#
# Three probes cannot tell every mapping apart.  With the port held,
# masquerade answers "address-dependent": c1's port is kept towards
# ADDR:3478, changed towards ALT:3478 (c2 has it there), and the changed
# port is used again towards ALT:3479, because Linux first tries the
# mapping its bysource table holds for that internal address and port,
# the newest one (get_unique_tuple(), find_appropriate_src(),
# nf_nat_core.c), whatever the destination's address.  A fourth probe,
# to ADDR:3479, gets the changed port too, not the one ADDR:3478 got.
. "$(dirname "$0")/lib.sh"
require_root
for prog in turnserver turnutils_natdiscovery; do
	command -v "$prog" >/dev/null ||
		skip "$prog is missing: coturn is not installed (scripts/setup)"
done

PROFILES="masquerade random fully-random persistent rfc"
# s1's second address: in wan (203.0.113.0/24), far above the lowest
# free addresses the lab gives its nodes (.1 to .3), checked unused.
ALT=203.0.113.250

# profile_nat P: the gateway's nat value for profile P, as natlab rfc
# sets it (src/rfc/rfc.c, profiles[]).
profile_nat() {
	case $1 in
	masquerade | rfc) echo "$1" ;;
	*) echo "masquerade $1" ;;
	esac
}

# stun_addr LAB TAG SECTION WHAT: the port of the last "WHAT addr"
# line (Local, UDP reflexive) natdiscovery printed in SECTION (Mapping,
# Filtering) of its run TAG in c1.
stun_addr() {
	awk -v s="$3" -v w="$4 addr" '
	/^-= / { in_s = index($0, "-= " s " ") == 1; next }
	in_s && index($0, w) { n = split($NF, a, ":"); port = a[n] }
	END { print port }' "$T_TMP/natdisc-$1-c1-$2.out"
}

# The checks below read natdiscovery's probes from the gateway's
# conntrack entries, one "osrc odst osport odport rsrc rdst rsport
# rdport" line each (ct_tuples), dumped once per lab into the file CT,
# and judge them as natdiscovery judges its answers.

# ct_mapping CT C1 PORT SRV ALT: the external ports of C1's PORT towards
# SRV:3478, ALT:3478 and ALT:3479 (the reply tuples' destination ports;
# natdiscovery sends to ALT:3479 only when the first two differ).
ct_mapping() {
	awk -v c="$2" -v p="$3" -v s="$4" -v a="$5" '
	$1 == c && $3 == p { ext[$2 ":" $4] = $8 }
	END {
		x = ext[s ":3478"]; y = ext[a ":3478"]; z = ext[a ":3479"]
		if (x == "" || y == "") print "incomplete"
		else if (x == y) print "endpoint-independent"
		else if (z == "") print "incomplete"
		else if (y == z) print "address-dependent"
		else print "address-and-port-dependent"
	}' "$1"
}

# ct_filtering CT C1 EXT SRV ALT: which of the answers from ALT:3479 and
# SRV:3479 to the external port EXT went on to C1 (an entry whose reply
# comes from C1); one that stopped at the gateway has an entry whose
# reply comes from the gateway itself, or none if a rule dropped it.
ct_filtering() {
	[ -n "$3" ] || { echo "no external port"; return; }
	awk -v c="$2" -v e="$3" -v s="$4" -v a="$5" '
	$4 == e && $3 == 3479 && $5 == c { fwd[$1] = 1 }
	END {
		if (fwd[a]) print "endpoint-independent"
		else if (fwd[s]) print "address-dependent"
		else print "address-and-port-dependent"
	}' "$1"
}

# ct_hairpin CT C1 EXT: did the datagram from C1's second socket to the
# external port EXT of its first one go back in to C1 (yes), or stop at
# the gateway (no)?
ct_hairpin() {
	[ -n "$3" ] || { echo "no external port"; return; }
	awk -v c="$2" -v e="$3" '
	$4 == e && $1 == c && $5 == c { y = 1 } END { print y ? "yes" : "no" }' "$1"
}

declare -A LAB UP DISC SRV C1 C2
t0=$SECONDS

# The five labs, built side by side.
for p in $PROFILES; do
	LAB[$p]=ct$$-$p
	T_LABS="$T_LABS ${LAB[$p]}"
	topo=$(topo_rfc_lab "$(profile_nat "$p")" "$p") || finish
	"$NATLAB" up -n "${LAB[$p]}" "$topo" >"$T_TMP/up-$p.out" 2>&1 &
	UP[$p]=$!
	T_PIDS="$T_PIDS $!"
done
for p in $PROFILES; do
	bg_wait "${UP[$p]}"
	expect_eq "$p: natlab up (nat = $(profile_nat "$p"))" 0 "$RC" ||
		{ cat "$T_TMP/up-$p.out"; finish; }
done

# A STUN server of two addresses in each lab's s1.
for p in $PROFILES; do
	lab=${LAB[$p]}
	used=$(for ns in $(lab_netns "$lab"); do
		ip -n "$ns" -4 -o addr show; done | grep -F " $ALT/")
	expect_eq "$p: no node of the lab has $ALT" "" "$used" || finish
	SRV[$p]=$(addr_of "$lab" s1 wan)
	C1[$p]=$(addr_of "$lab" c1 lan)
	C2[$p]=$(addr_of "$lab" c2 lan)
	nsx "$lab" s1 ip addr add "$ALT/24" dev wan ||
		{ fail "$p: ip addr add $ALT/24 in s1"; finish; }
	stun_server "$lab" s1 "${SRV[$p]}" "$ALT" ||
		{ fail "$p: turnserver in s1 on ${SRV[$p]} and $ALT"; finish; }
done
up_s=$((SECONDS - t0))

# natdiscovery in each lab's c1, side by side, four runs: mapping from a
# fresh port; mapping again from c1's port HELD while c2 holds a mapping
# of that same port towards ALT:3478 (as natlab rfc's TCP REQ-1 does),
# where keeping the port is not possible for every destination;
# hairpinning and filtering from ports that c1 mapped towards SRV:3478
# just before, as natlab rfc's REQ-8 and REQ-9 map them first.  (From a
# fresh port, the hairpinned request follows the mapping's first answer
# within a millisecond, which can be before the rfc profile's keeper has
# learnt the mapping from its conntrack event: seen in 1 run of 8 on a
# loaded machine while the UDP maps were being written, in none of 27
# since, 15 of them beside three busy loops.)  The ports are below the
# ephemeral ones (32768 and up), so that no other socket has them.
# natlab rfc on the same five profiles, RFC 4787 only, meanwhile: its
# labs are its own.
J=$T_TMP/rfc.json
# shellcheck disable=SC2046,SC2086
"$NATLAB" rfc $(printf -- '--profile %s ' $PROFILES) --rfc 4787 --json "$J" \
	>"$T_TMP/rfc.out" 2>&1 &
RFC_PID=$!
T_PIDS="$T_PIDS $RFC_PID"

HELD=20000
HAIRP=20001
FILTP=20002
TAGS="map held hair filt"
for p in $PROFILES; do
	lab=${LAB[$p]}
	udp_send "$lab" c2 "$HELD" "$ALT" 3478
	udp_send "$lab" c1 "$HAIRP" "${SRV[$p]}" 3478
	udp_send "$lab" c1 "$FILTP" "${SRV[$p]}" 3478
	held=$(ct_tuples "$lab" gw udp 3478 |
		awk -v a="${C2[$p]}" -v p="$HELD" -v d="$ALT" \
			'$1 == a && $2 == d && $3 == p { print $8 }')
	# random and fully-random give c2 another external port: nothing
	# is held from c1 then, and nothing needs to be.
	if [ -n "$held" ]; then
		pass "$p: c2's $HELD towards $ALT:3478 is external port $held"
	else
		fail "$p: c2's mapping of $HELD towards $ALT:3478" "an entry" "none"
	fi
done
for p in $PROFILES; do
	lab=${LAB[$p]}
	srv=${SRV[$p]}
	stun_discover "$lab" c1 map "$srv" -m
	DISC[$p/map]=$BG_PID
	stun_discover "$lab" c1 held "$srv" -m -L "${C1[$p]}" -l "$HELD"
	DISC[$p/held]=$BG_PID
	stun_discover "$lab" c1 hair "$srv" -H -L "${C1[$p]}" -l "$HAIRP"
	DISC[$p/hair]=$BG_PID
	stun_discover "$lab" c1 filt "$srv" -f -L "${C1[$p]}" -l "$FILTP"
	DISC[$p/filt]=$BG_PID
done
for p in $PROFILES; do
	for t in $TAGS; do
		bg_wait "${DISC[$p/$t]}"
		expect_eq "$p: natdiscovery ($t) ran" 0 "$RC"
	done
done
disc_s=$((SECONDS - t0 - up_s))

declare -A MAP HMAP FILT HAIR
for p in $PROFILES; do
	MAP[$p]=$(stun_class "${LAB[$p]}" c1 map mapping)
	HMAP[$p]=$(stun_class "${LAB[$p]}" c1 held mapping)
	FILT[$p]=$(stun_class "${LAB[$p]}" c1 filt filtering)
	HAIR[$p]=$(stun_class "${LAB[$p]}" c1 hair hairpinning)
	for v in "${MAP[$p]}" "${HMAP[$p]}" "${FILT[$p]}"; do
		[ -n "$v" ] && continue
		fail "$p: natdiscovery gave a classification" "one" "none"
		for t in $TAGS; do
			stun_log "${LAB[$p]}" c1 "$t"
		done
		break
	done
done

# natdiscovery read right: the same probes, judged from the gateway's
# conntrack entries.
for p in $PROFILES; do
	lab=${LAB[$p]}
	ct=$T_TMP/ct-$p
	ct_tuples "$lab" gw udp >"$ct"
	expect_eq "$p: mapping, as the gateway's conntrack shows it" \
		"$(ct_mapping "$ct" "${C1[$p]}" \
			"$(stun_addr "$lab" map Mapping Local)" "${SRV[$p]}" \
			"$ALT")" "${MAP[$p]}"
	expect_eq "$p: mapping, port held, as conntrack shows it" \
		"$(ct_mapping "$ct" "${C1[$p]}" "$HELD" "${SRV[$p]}" "$ALT")" \
		"${HMAP[$p]}"
	expect_eq "$p: filtering, as conntrack shows it" \
		"$(ct_filtering "$ct" "${C1[$p]}" \
			"$(stun_addr "$lab" filt Filtering "UDP reflexive")" \
			"${SRV[$p]}" "$ALT")" "${FILT[$p]}"
	expect_eq "$p: hairpinning, as conntrack shows it" \
		"$(ct_hairpin "$ct" "${C1[$p]}" \
			"$(stun_addr "$lab" hair Hairpinning "UDP reflexive")")" \
		"${HAIR[$p]}"
done

# The same profiles as natlab rfc measured them.  4787/REQ-1's behaviour
# is its mapping from a fresh port, and its verdict takes in a second
# test from a port c2 holds (held_s1_port, held_s2_port), as coturn's
# second mapping run does; 4787/REQ-9 is hairpinning on a mapped port.
bg_wait "$RFC_PID"
expect_eq "natlab rfc --rfc 4787 on the five profiles" 0 "$RC" ||
	{ cat "$T_TMP/rfc.out"; finish; }
# One line a profile, tab-separated (a python3 start is 1 s on a loaded
# machine): REQ-1's behaviour, verdict, held_s1_port and held_s2_port,
# REQ-8's behaviour, REQ-9's verdict.
jget "$J" "(lambda r: '\\n'.join('\\t'.join([p,
	r['4787/REQ-1']['results'][p].get('behaviour', ''),
	r['4787/REQ-1']['results'][p]['verdict'],
	str(r['4787/REQ-1']['results'][p]['data'].get('held_s1_port', '')),
	str(r['4787/REQ-1']['results'][p]['data'].get('held_s2_port', '')),
	r['4787/REQ-8']['results'][p].get('behaviour', ''),
	r['4787/REQ-9']['results'][p]['verdict']])
	for p in '$PROFILES'.split()))(d['requirements'])" >"$T_TMP/rfc.tsv"
while IFS=$'\t' read -r p b1 v1 h1 h2 b8 v9; do
	expect_eq "$p: mapping, natlab's 4787/REQ-1 as coturn's" "${MAP[$p]}" "$b1"
	[ -n "$h1" ] && [ "$h1" = "$h2" ] && held=endpoint-independent ||
		held="not endpoint-independent ($h1, $h2)"
	want=${HMAP[$p]}
	[ "$want" = endpoint-independent ] ||
		want="not endpoint-independent ($h1, $h2)"
	expect_eq "$p: mapping with the port held, natlab's 4787/REQ-1 as coturn's" \
		"$want" "$held"
	want="does not meet"
	[ "${MAP[$p]}" = endpoint-independent ] &&
		[ "${HMAP[$p]}" = endpoint-independent ] && want=meets
	expect_eq "$p: 4787/REQ-1's verdict as coturn's two mappings have it" \
		"$want" "$v1"
	expect_eq "$p: filtering, natlab's 4787/REQ-8 as coturn's" "${FILT[$p]}" "$b8"
	want="does not meet"
	[ "${HAIR[$p]}" = yes ] && want=meets
	expect_eq "$p: hairpinning, natlab's 4787/REQ-9 as coturn's" "$want" "$v9"
done <"$T_TMP/rfc.tsv"
expect_eq "natlab rfc's results for the five profiles" 5 \
	"$(grep -c . "$T_TMP/rfc.tsv")"

echo "coturn's classification (labs up in $up_s s, discovery $disc_s s, the test $((SECONDS - t0)) s):"
row() { printf '  %-13s %-27s %-27s %-27s %s\n' "$@"; }
row PROFILE MAPPING "MAPPING, PORT HELD" FILTERING HAIRPINNING
for p in $PROFILES; do
	row "$p" "${MAP[$p]}" "${HMAP[$p]}" "${FILT[$p]}" "${HAIR[$p]}"
done

finish
