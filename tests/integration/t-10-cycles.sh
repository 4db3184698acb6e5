#!/bin/bash
# t-10-cycles: 100 up/down cycles of a small lab all succeed and leave
# nothing: no namespace, no file or mount under /run/netns, no state or
# lock file.  Leaks that one cycle hides (a mount, a lock) add up here.
. "$(dirname "$0")/lib.sh"
require_root

CYCLES=${CYCLES:-100}
new_lab LAB
topo=$(topo_lab "$LAB" </dev/null)

mounts_before=$(wc -l </proc/self/mountinfo)
i=0
while [ $i -lt "$CYCLES" ]; do
	i=$((i + 1))
	run "$NATLAB" up "$topo"
	[ "$RC" -eq 0 ] || { expect_rc "cycle $i: up" 0; break; }
	run "$NATLAB" down "$LAB"
	[ "$RC" -eq 0 ] || { expect_rc "cycle $i: down" 0; break; }
done
expect_eq "cycles completed" "$CYCLES" "$i"
expect_gone "$LAB"
# for the log only: other labs on the machine come and go
echo "mount table: $mounts_before lines before, $(wc -l </proc/self/mountinfo) after"

finish
