#!/bin/bash
# t-07-down-idempotent: down works from a new process, twice in a row,
# by lab name or by topology file (the name read from the file), and
# even with a process running inside it; status of a lab that does not
# exist fails.
. "$(dirname "$0")/lib.sh"
require_root

new_lab LAB
topo=$(topo_lab "$LAB" </dev/null)

run "$NATLAB" up "$topo"
expect_rc "up" 0 || finish
run "$NATLAB" down "$LAB"
expect_rc "down $LAB" 0
expect_gone "$LAB"
run "$NATLAB" down "$LAB"
expect_rc "down $LAB again" 0
expect_gone "$LAB"

run "$NATLAB" up "$topo"
expect_rc "up again" 0
expect_eq "status sees it up" "lab $LAB: up" "$("$NATLAB" status "$LAB" | head -n 1 | cut -d, -f1)"
# a process living in the lab does not stop down: natlab ends it
bg_nsx "$LAB" srv sleep 60
sleeper=$BG_PID
wait_exec "$sleeper" sleep || fail "sleep started inside srv"
run "$NATLAB" down "$topo"
expect_rc "down by topology file" 0
if alive "$sleeper"; then
	fail "down ended the process inside srv" "pid $sleeper gone" "still running"
else
	pass "down ended the process inside srv"
fi
expect_match "down names the lab read from the file" "^lab $LAB is down$" "$OUT"
expect_gone "$LAB"
run "$NATLAB" down "$topo"
expect_rc "down by topology file again" 0

new_lab NEVER
run "$NATLAB" down "$NEVER"
expect_rc "down of a lab that never existed" 0

run "$NATLAB" status "$LAB"
if [ "$RC" -ne 0 ]; then
	pass "status of a missing lab fails (exit $RC)"
else
	fail "status of a missing lab fails" "non-zero exit" "exit 0: $OUT"
fi
expect_match "status says so" "no lab named $LAB" "$ERR"

finish
