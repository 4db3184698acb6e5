#!/bin/bash
# t-46-rfc-udp: natlab rfc's RFC 4787 verdicts against what the test
# measures itself.  The kernel's default UDP timeout, read in a namespace
# the test makes, decides REQ-5; udpprobe.py, plain sockets in labs the
# test brings up with the same nat lines as the masquerade and rfc
# profiles, measures the filtering (REQ-8) and hairpinning (REQ-9, 9a)
# that natlab must report; and the rfc profile's UDP timeouts are read
# from its gateway.
. "$(dirname "$0")/lib.sh"
require_root

# The default, in a namespace of our own.
ns=t46-$$
ip netns add "$ns" || fail "ip netns add $ns"
ip netns exec "$ns" modprobe -q nf_conntrack 2>/dev/null
dflt=$(ip netns exec "$ns" sysctl -n net.netfilter.nf_conntrack_udp_timeout)
ip netns del "$ns"

J=$T_TMP/rfc.json
t0=$(date +%s%N)
run "$NATLAB" rfc --rfc 4787 --profile masquerade --profile rfc --json "$J"
expect_rc "natlab rfc --rfc 4787" 0 || finish
pass "RFC 4787 for two profiles in $(( ($(date +%s%N) - t0) / 1000000 )) ms"

expect_eq "REQ-5 data: the gateway's udp_timeout is the kernel's default" \
	"$dflt" "$(rfc_datum "$J" 4787/REQ-5 masquerade udp_timeout_s)"
if [ "$dflt" -lt 120 ]; then want="does not meet"; else want=meets; fi
expect_eq "masquerade: REQ-5 with a default of $dflt s" "$want" \
	"$(rfc_verdict "$J" 4787/REQ-5 masquerade)"
expect_eq "rfc: REQ-5c (udp_timeout set to 300 s)" "meets" \
	"$(rfc_verdict "$J" 4787/REQ-5c rfc)"

# The same two gateways, probed by the test's own sockets.
for p in masquerade rfc; do
	new_lab L
	f=$(topo_rfc_lab "$p")
	run "$NATLAB" up -n "$L" "$f"
	expect_rc "up ($p)" 0 || continue
	ext=$(addr_of "$L" gw wan)
	[ "$p" = rfc ] && expect_eq "rfc: the gateway's udp_timeout_stream" 300 \
		"$(nsx "$L" gw sysctl -n net.netfilter.nf_conntrack_udp_timeout_stream)"
	probe=$(python3 "$(dirname "$0")/udpprobe.py" "$L" "$ext")
	echo "    udpprobe ($p): $probe"
	pf=$(printf '%s' "$probe" | python3 -c 'import json,sys; print(json.load(sys.stdin)["filtering"])')
	ph=$(printf '%s' "$probe" | python3 -c 'import json,sys; print(json.load(sys.stdin)["hairpin"])')
	px=$(printf '%s' "$probe" | python3 -c 'import json,sys; print(json.load(sys.stdin)["hairpin_from_external"])')
	expect_eq "$p: REQ-8's behaviour is what the probe saw" "$pf" \
		"$(rfc_behaviour "$J" 4787/REQ-8 "$p")"
	if [ "$ph" = True ]; then want=meets; else want="does not meet"; fi
	expect_eq "$p: REQ-9 (the probe's hairpin: $ph)" "$want" \
		"$(rfc_verdict "$J" 4787/REQ-9 "$p")"
	if [ "$px" = True ]; then want=meets; else want="does not meet"; fi
	expect_eq "$p: REQ-9a (the probe saw c2's external source: $px)" \
		"$want" "$(rfc_verdict "$J" 4787/REQ-9a "$p")"
	"$NATLAB" down "$L" >/dev/null 2>&1
	expect_gone "$L"
done
expect_eq "the two profiles differ in filtering" \
	"address-and-port-dependent endpoint-independent" \
	"$(rfc_behaviour "$J" 4787/REQ-8 masquerade) $(rfc_behaviour "$J" 4787/REQ-8 rfc)"

finish
