#!/bin/bash
# t-09-bad-input: every kind of bad topology is refused by check and by
# up with exit 2 and a "FILE:LINE:" message pointing at the faulty line,
# and up leaves nothing behind.  The faulty line of each case is marked
# "; <-- here"; the same file without the fault is valid.
# shellcheck disable=SC2016 # '$a' in the cases is sed's "after the last line"
. "$(dirname "$0")/lib.sh"
require_root

# base NAME: a valid topology; a case appends one section or edits it.
base() {
	cat <<END
[lab]
name = $1

[network lan]
subnet = 10.0.0.0/24

[network wan]
subnet = 198.51.100.0/24

[gateway gw]
inside = lan
outside = wan

[server srv]
network = wan

[clients]
count = 2
network = lan
END
}

new_lab L
run "$NATLAB" check "$(base "$L" | topo_file)"
expect_rc "the base topology is valid" 0
expect_match "check says so" "^configuration OK" "$OUT"

# bad_case WHAT SED-SCRIPT: apply SED-SCRIPT to the base topology.
bad_case() {
	local what=$1 topo line lab

	new_lab lab
	topo=$(base "$lab" | sed "$2" | topo_file bad)
	line=$(grep -n '; <-- here' "$topo" | cut -d: -f1)
	[ -n "$line" ] || { fail "$what: test case has no marked line"; return; }
	run "$NATLAB" check "$topo"
	expect_rc "$what: check" 2
	expect_match "$what: check blames $(basename "$topo"):$line" "^$topo:$line: " "$ERR"
	expect_no_match "$what: check does not say OK" "configuration OK" "$OUT"
	run "$NATLAB" up "$topo"
	expect_rc "$what: up" 2
	expect_match "$what: up blames $(basename "$topo"):$line" "^$topo:$line: " "$ERR"
	expect_gone "$lab"
}

bad_case "unknown section" \
	'$a [router r1] ; <-- here'
bad_case "unknown key" \
	'/^outside = wan/a colour = blue ; <-- here'
bad_case "duplicate node" \
	'$a [server gw] ; <-- here\nnetwork = wan'
# (reported at the later network's header, as the unit tests specify)
bad_case "overlapping subnets" \
	'$a [network dmz] ; <-- here\nsubnet = 10.0.0.128/25'
bad_case "address outside its subnet" \
	'/^network = wan/a address = 203.0.113.5 ; <-- here'
bad_case "too many clients for the subnet" \
	's#10.0.0.0/24#10.0.0.0/29#; s/^count = 2/count = 6 ; <-- here/'
bad_case "bad node name" \
	's/^\[server srv\]/[server web-1] ; <-- here/'
bad_case "bad network name" \
	's/^\[network wan\]/[network Wan] ; <-- here/; s/= wan/= Wan/'
bad_case "bad lab name" \
	's/^name = .*/name = Bad!Name ; <-- here/'
bad_case "missing required key" \
	's/^\[gateway gw\]/[gateway gw] ; <-- here/; /^outside = wan/d'
bad_case "inside equals outside" \
	's/^outside = wan/outside = lan ; <-- here/'
bad_case "dangling network reference" \
	's/^network = wan/network = dmz ; <-- here/'
bad_case "client count out of range" \
	's/^count = 2/count = 70000 ; <-- here/'
bad_case "prefix length out of range" \
	's#^subnet = 198.51.100.0/24#subnet = 198.51.100.0/31 ; <-- here#'
bad_case "port out of range" \
	'/^outside = wan/a nat.ports = 1024-70000 ; <-- here'

finish
