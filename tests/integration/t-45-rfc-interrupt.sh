#!/bin/bash
# t-45-rfc-interrupt: SIGTERM to natlab rfc while its labs run (the rfc
# profile holds its lab for seconds: the REQ-4 watch) ends it with 130
# and removes every lab, the keeper's included; a second run beside a
# first one does not clash (each names its labs after its pid).
. "$(dirname "$0")/lib.sh"
require_root

"$NATLAB" rfc --profile rfc --profile masquerade >"$T_TMP/a.out" 2>"$T_TMP/a.err" &
A=$!
T_PIDS="$T_PIDS $A"
"$NATLAB" rfc --profile rfc >"$T_TMP/b.out" 2>"$T_TMP/b.err" &
B=$!
T_PIDS="$T_PIDS $B"

# Wait until A's rfc lab is running, then stop A.
i=0
while [ $i -lt 50 ] && ! [ -e "/run/natlab/rfc-rfc-$A.state" ]; do
	sleep 0.1
	i=$((i + 1))
done
expect_true "A's lab rfc-rfc-$A exists" test -e "/run/natlab/rfc-rfc-$A.state"
sleep 1
kill -TERM "$A"
bg_wait "$A"
expect_eq "A ends with 130 when stopped" 130 "$RC"
expect_match "A says so" "interrupted" "$(cat "$T_TMP/a.err")"
expect_gone "rfc-rfc-$A"
expect_gone "rfc-masquerade-$A"

bg_wait "$B"
expect_eq "B, beside it, ran to the end" 0 "$RC"
expect_match "B's report" "^REQ-8 +hairpinning .* meets$" "$(cat "$T_TMP/b.out")"
expect_gone "rfc-rfc-$B"

finish
