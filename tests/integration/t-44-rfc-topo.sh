#!/bin/bash
# t-44-rfc-topo: natlab rfc on a topology file of its own: the gateway
# found by role whatever the names, the file's nat line tested as
# written (one column, "topo"), or overridden with --profile; a gateway
# with nat = none is refused unless a profile is given; nat = rfc in the
# file is the rfc gateway the lab builds.
. "$(dirname "$0")/lib.sh"
require_root

topo=$(topo_file <<END
[lab]
name = home
[network home]
subnet = 192.168.7.0/24
[network isp]
subnet = 100.64.0.0/24
[gateway router]
inside = home
outside = isp
nat = masquerade persistent
[server web1]
network = isp
[server web2]
network = isp
[clients]
count = 3
prefix = pc
network = home
END
)
J=$T_TMP/rfc.json
run "$NATLAB" rfc --json "$J" "$topo"
expect_rc "natlab rfc TOPO" 0 || finish
expect_eq "one column, the file as written" "topo" "$(jget "$J" "' '.join(p['name'] for p in d['profiles'])")"
expect_eq "its nat line" "masquerade persistent" "$(jget "$J" "d['profiles'][0]['nat']")"
expect_eq "roles found by position" "router pc1 pc2 web1 web2" \
	"$(jget "$J" "' '.join([d['gateway']] + d['clients'] + d['servers'])")"
expect_match "the table says who plays which role" \
	"gw is router, c1 pc1, c2 pc2, s1 web1 and s2 web2" "$(printf '%s\n' "$OUT" | tr -s ' \n' ' ')"
expect_eq "persistent masquerade: REQ-8" "does not meet" "$(rfc_verdict "$J" REQ-8 topo)"
expect_eq "persistent masquerade: REQ-9" "meets" "$(rfc_verdict "$J" REQ-9 topo)"
expect_match "the servers saw the gateway's address" "100\.64\.0\.1" \
	"$(rfc_evidence "$J" 7857/app topo)"
expect_gone "$(jget "$J" "d['profiles'][0]['lab']")"

sed -i 's/^nat = masquerade persistent$/nat = none/' "$topo"
run "$NATLAB" rfc "$topo"
expect_rc "nat = none, as written" 2
expect_match "it says why" "nat = none" "$ERR"
run "$NATLAB" rfc --profile rfc --json "$J" "$topo"
expect_rc "nat = none with --profile rfc" 0
expect_eq "rfc profile on this topology: REQ-3" "meets" "$(rfc_verdict "$J" REQ-3 rfc)"
expect_eq "rfc profile on this topology: REQ-8" "meets" "$(rfc_verdict "$J" REQ-8 rfc)"
expect_gone "$(jget "$J" "d['profiles'][0]['lab']")"

# nat = rfc in the file: the rfc gateway as the lab builds it, with a
# transitory timer the file sets below 4 minutes (a value the file sets
# wins over the profile's 240 s, and is judged).
sed -i 's/^nat = none$/nat = rfc\nconntrack.tcp_timeout_fin_wait = 60/' "$topo"
run "$NATLAB" rfc --json "$J" "$topo"
expect_rc "nat = rfc, as written" 0
expect_match "its nat line" "^rfc: masquerade \+ full-cone keeper" "$(jget "$J" "d['profiles'][0]['nat']")"
expect_eq "nat = rfc: REQ-3" "meets" "$(rfc_verdict "$J" REQ-3 topo)"
expect_eq "nat = rfc: REQ-8" "meets" "$(rfc_verdict "$J" REQ-8 topo)"
expect_eq "nat = rfc with fin_wait 60 s: REQ-5/transitory" "does not meet" \
	"$(rfc_verdict "$J" REQ-5/transitory topo)"
expect_true "the lab's keeper saw the suite's connections" \
	[ "$(jget "$J" "d['profiles'][0]['keeper']['mappings']")" -gt 0 ]
expect_gone "$(jget "$J" "d['profiles'][0]['lab']")"

finish
