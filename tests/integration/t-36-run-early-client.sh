#!/bin/bash
# t-36-run-early-client: a client whose traffic ends early must not cost
# the others their server.  The built-in server listens once per worker
# thread of the generator (SO_REUSEPORT), and the kernel spreads incoming
# connections over those sockets by a hash of the 4-tuple.  c1 makes one
# connection at the start; c2 makes 20, from 0.5 s on, by then c1 is long
# done.  Every connection of c2 must be accepted, answered and closed:
# all 21 ok, srv.accepted 21, within the run's limit of 6 s.
#
# With one CPU the generator has a single worker and the question does
# not arise: skipped.
. "$(dirname "$0")/lib.sh"
require_root
[ "$(getconf _NPROCESSORS_ONLN)" -ge 2 ] || skip "one CPU: the generator runs a single worker"

new_lab LAB
topo=$(topo_lab "$LAB" <<END
[server srv]
listen = 80
close = server
[client c1]
conns = 1
[client c2]
conns = 20
start = 500ms
interval = 20ms
[traffic]
order = parallel
max = 6s
END
)
J=$T_TMP/run.json
t0=$SECONDS
run "$NATLAB" run -n "$LAB" --json "$J" "$topo"
took=$((SECONDS - t0))
expect_rc "natlab run" 0
expect_gone "$LAB"
expect_eq "outcomes of the 21 connections" "ok=21" \
	"$(jget "$J" "' '.join('%s=%d' % (o, n) for o, n in sorted(__import__('collections').Counter(c['outcome'] for c in d['connections']).items()))")"
expect_eq "clients.established" 21 "$(jmetric "$J" clients.established)"
expect_eq "clients.failed" 0 "$(jmetric "$J" clients.failed)"
expect_eq "srv.synack_out" 21 "$(jmetric "$J" srv.synack_out)"
expect_eq "srv.accepted" 21 "$(jmetric "$J" srv.accepted)"
if [ "$took" -le 4 ]; then
	pass "the run took $took s (not the 6 s limit)"
else
	fail "the run ends when its traffic does" "<= 4 s" "$took s"
fi
[ "$T_FAILED" -gt 0 ] && printf '%s\n' "$OUT" "$ERR"

finish
