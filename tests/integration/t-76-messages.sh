#!/bin/bash
# t-76-messages: every error a user can meet says what happened and what
# to do, with main.c's exit status (2 bad input or usage, 3 environment),
# and builds nothing: not root; a kernel without nftables (an
# LD_PRELOAD library answers the netfilter netlink socket as such a
# kernel does); a lab name whose namespace something else made; a lab
# already up, being run, left by a natlab killed outright, or locked by
# another natlab (the test holds its lock file with flock(1)); no such
# lab; no such node; a topology that cannot be read, or is no topology;
# an output file that cannot be opened, or written; a bad option or
# command.  The oracles are the exit status, the words of the message,
# and the machine's namespaces and state files read with ip and ls.
. "$(dirname "$0")/lib.sh"
require_root

# A lab whose run is short: one client, three connections.
quick_lab() {
	topo_lab "$1" <<END
[clients]
count = 1
[traffic]
conns = 3
interval = 50ms
END
}

# ---- not root ----
new_lab L
pub=$(public_natlab) || { fail "a copy of natlab for nobody"; finish; }
for cmd in "up -n $L" "run -n $L" "test topo" "exec $L c1 -- true" "down $L"; do
	# shellcheck disable=SC2086 # the words of $cmd are the arguments
	as_nobody "$pub" $cmd
	word=${cmd%% *}
	expect_rc "not root: natlab $word" 3
	expect_match "not root: natlab $word says it needs root and how" \
		"^natlab: natlab $word needs root .*: run it as root, e.g. sudo natlab $word" "$ERR"
done
expect_gone "$L"

# ---- a kernel without nftables ----
new_lab L
if shim=$(no_nft_shim); then
	run env LD_PRELOAD="$shim" "$NATLAB" up "$(topo_nat_lab "$L" </dev/null)"
	expect_rc "no nftables: up is an environment error" 3
	expect_match "no nftables: the message names the feature and the fix" \
		"this kernel has no nftables: modprobe nf_tables, or a kernel with CONFIG_NF_TABLES" "$ERR"
	expect_match "no nftables: and where it was needed (file:line, node)" \
		"\.topo:[0-9]+: gateway gw: nat: " "$ERR"
	expect_gone "$L"
else
	echo "no C compiler: the missing-kernel-feature case is not checked"
fi

# ---- a namespace with the lab's name that no lab made ----
new_lab L
ip netns add "$L-sw" && T_NETNS="$T_NETNS $L-sw"
run "$NATLAB" up "$(topo_lab "$L" </dev/null)"
expect_rc "name taken: up" 2
expect_match "name taken: it says whose it is not and what to do" \
	"namespace $L-sw already exists and belongs to no natlab lab .*-n NAME.*ip netns del $L-sw" "$ERR"
expect_eq "name taken: the namespace is left alone" "$L-sw" \
	"$(ip netns list | awk '{ print $1 }' | grep -x "$L-sw")"
expect_eq "name taken: no other namespace of the lab" "" \
	"$(ip netns list | awk '{ print $1 }' | grep "^$L-" | grep -vx "$L-sw")"
expect_true "name taken: no state file" test ! -e "/run/natlab/$L.state"

# ---- a lab already up (the report: "is not lab natlab's") ----
new_lab L
topo=$(quick_lab "$L")
run "$NATLAB" up "$topo"
expect_rc "up" 0 || finish
before=$(lab_netns "$L" | sort)
for cmd in up run; do
	run "$NATLAB" "$cmd" "$topo"
	expect_rc "already up: $cmd" 2
	expect_match "already up: $cmd says the lab is up and what to do" \
		"^natlab: lab $L is already up \(natlab status $L\): take it down with natlab down $L, or give this one another name with -n NAME$" "$ERR"
	expect_no_match "already up: $cmd does not call the lab's namespace a stranger's" \
		"not lab|belongs to no" "$ERR"
done
expect_eq "already up: the lab's namespaces are untouched" "$before" "$(lab_netns "$L" | sort)"
expect_match "already up: status still says up" "^lab $L: up," "$("$NATLAB" status "$L")"

# ---- no such node, no such lab ----
run "$NATLAB" exec "$L" c1 -- "$T_TMP/no-such-program"
expect_rc "exec of a missing program" 2
expect_match "exec: says what it could not run, and where" \
	"^natlab: cannot run $T_TMP/no-such-program in lab $L's node c1: No such file or directory$" "$ERR"
run "$NATLAB" exec "$L" nosuch -- true
expect_rc "no such node: exec" 2
expect_match "no such node: it names the lab's nodes" \
	"^natlab: lab $L has no node nosuch; its nodes: gw, srv, c1$" "$ERR"
run "$NATLAB" down "$L"
expect_rc "down" 0
new_lab NONE
run "$NATLAB" exec "$NONE" c1 -- true
expect_rc "no such lab: exec" 2
expect_match "no such lab: exec says so and where to look" \
	"^natlab: no lab named $NONE \(natlab status lists the labs\)$" "$ERR"
run "$NATLAB" status "$NONE"
expect_rc "no such lab: status" 2
expect_match "no such lab: status says so" "^natlab: no lab named $NONE " "$ERR"
run "$NATLAB" down "$NONE"
expect_rc "no such lab: down is idempotent" 0
expect_match "no such lab: down says there was nothing" \
	"^no lab named $NONE: nothing to take down$" "$OUT"

# ---- a lab being run, and one left by a natlab killed outright ----
new_lab L
"$NATLAB" run "$(topo_lab "$L" <<END
[clients]
count = 1
[traffic]
conns = 40
interval = 200ms
END
)" >/dev/null 2>&1 &
rpid=$!
T_PIDS="$T_PIDS $rpid"
i=0
until grep -q '^phase running' "/run/natlab/$L.state" 2>/dev/null; do
	[ $i -ge 100 ] && break
	sleep 0.1
	i=$((i + 1))
done
run "$NATLAB" up "$(topo_lab "$L" </dev/null)"
expect_rc "being run: up" 3
expect_match "being run: it names the natlab and what to do" \
	"^natlab: lab $L is being run by natlab pid $rpid: wait for it, or give this one another name with -n NAME$" "$ERR"
kill -KILL "$rpid"
bg_wait "$rpid"
run "$NATLAB" up "$(topo_lab "$L" </dev/null)"
expect_rc "left behind: up" 2
expect_match "left behind: it names the dead natlab and natlab clean" \
	"^natlab: lab $L was left behind by natlab pid $rpid, which died while the lab was running: natlab clean removes it$" "$ERR"
run "$NATLAB" down "$L"
expect_rc "left behind: down removes it" 0
expect_gone "$L"

# ---- a lab another natlab is changing (its lock held, with flock(1)) ----
new_lab L
mkdir -p /run/natlab
exec 9>"/run/natlab/$L.lock"
flock -n 9 || fail "the test holds the lab's lock"
run "$NATLAB" up "$(topo_lab "$L" </dev/null)"
expect_rc "locked: up" 3
expect_match "locked: up says so and what to do" \
	"^natlab: lab $L is being changed by another natlab right now: wait for it, or give this one another name with -n NAME$" "$ERR"
run "$NATLAB" down "$L"
expect_rc "locked: down" 3
expect_match "locked: down says so and what to do" \
	"^natlab: lab $L is being changed by another natlab right now: try again when it is done$" "$ERR"
exec 9>&-
expect_eq "locked: no namespace was made" "" "$(lab_netns "$L")"

# ---- topologies that cannot be read ----
new_lab L
run "$NATLAB" run -n "$L" "$T_TMP/no-such.topo"
expect_rc "missing topology" 2
expect_match "missing topology: says it cannot read it, and why" \
	"^$T_TMP/no-such.topo: cannot read the topology: No such file or directory$" "$ERR"
run "$NATLAB" up -n "$L" "$T_TMP"
expect_rc "a directory as topology" 2
expect_match "a directory: says so" "cannot read the topology: Is a directory$" "$ERR"
junk=$(seq 1 40 | topo_file junk)
run "$NATLAB" check "$junk"
expect_rc "no topology at all" 2
expect_eq "no topology: ten errors and a count, not one per line" 11 \
	"$(printf '%s\n' "$ERR" | wc -l)"
expect_match "no topology: the count" "^$junk: [0-9]+ more errors not shown$" "$ERR"
expect_gone "$L"

# ---- output files ----
topo=$(quick_lab "$L")
for opt in --json --csv --svg; do
	run "$NATLAB" run "$opt" "$T_TMP/no-dir/out" "$topo"
	expect_rc "$opt into a missing directory" 2
	expect_match "$opt: says which file and why" \
		"^natlab: cannot write $T_TMP/no-dir/out: No such file or directory$" "$ERR"
	expect_no_match "$opt: before any lab was built" "^CLIENT" "$OUT"
done
run "$NATLAB" run --pcap "$T_TMP/no-dir/pcap" "$topo"
expect_rc "--pcap into a missing directory" 2
expect_match "--pcap: says which and why" "pcap.*No such file or directory" "$ERR"
expect_gone "$L"
# a file that opens but takes no writing: the run ends, then says so
if (: >/proc/version) 2>/dev/null; then
	run "$NATLAB" run --svg /proc/version "$topo"
	expect_rc "--svg into a file that takes no writing" 3
	expect_match "--svg: says which file could not be written" \
		"^natlab: cannot write /proc/version: " "$ERR"
	expect_gone "$L"
fi

# ---- bad options and commands ----
run "$NATLAB" run --bogus
expect_rc "bad option" 2
expect_match "bad option: named by the command" "^natlab run: unrecognized option '--bogus'" "$ERR"
expect_match "bad option: the command's usage" "^  run \[-n NAME\]" "$ERR"
expect_no_match "bad option: not every command's usage" "^  matrix " "$ERR"
expect_match "bad option: where to find the rest" "natlab --help shows every command" "$ERR"
run "$NATLAB" test --jobs 0 topo
expect_rc "test --jobs 0" 2
expect_match "test --jobs 0: says what is allowed" "^natlab: --jobs 0: expected a number 1..1024$" "$ERR"
run "$NATLAB" matrix "$topo" --axis srv.legacy.tcp_tw_recycle=0,1 --jobs two
expect_rc "matrix --jobs two" 2
expect_match "matrix --jobs two: says what is allowed" "^natlab: --jobs two: expected a number 1..1024$" "$ERR"
run "$NATLAB" bogus
expect_rc "unknown command" 2
expect_match "unknown command: says so and where to look" \
	"^natlab: unknown command 'bogus' \(natlab --help lists the commands\)$" "$ERR"

finish
