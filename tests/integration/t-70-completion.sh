#!/bin/bash
# t-70-completion: the bash completion (completion/natlab.bash), sourced
# with bash-completion's helpers, and its COMPREPLY for typed lines
# checked against what is true outside the script: the commands and
# options of natlab's usage text, the files in a directory, a lab that
# is up and its namespaces in `ip netns list`, the profiles natlab's own
# error message names, and the keys of the topology's sections.
. "$(dirname "$0")/lib.sh"
require_root

BC=/usr/share/bash-completion/bash_completion
[ -r "$BC" ] || skip "bash-completion is not installed"
# shellcheck disable=SC1090
. "$BC"
# shellcheck disable=SC1091
. "$TOP/completion/natlab.bash"
# compopt works only inside a completion bash itself started; here a
# no-op.
compopt() { :; }

# comp LINE: complete LINE (the cursor at its end) as bash would, with
# words split at blanks and '=' as readline splits them; the candidates,
# sorted, one a line, in REPLY_TEXT.
comp() {
	local line=$1 w

	COMP_WORDS=()
	for w in $(printf '%s' "$line" | sed 's/=/ = /g'); do
		COMP_WORDS+=("$w")
	done
	case $line in *' ' | *=) COMP_WORDS+=("") ;; esac
	COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
	COMP_LINE=$line
	COMP_POINT=${#line}
	COMPREPLY=()
	_natlab "$NATLAB" "${COMP_WORDS[COMP_CWORD]}" \
		"${COMP_WORDS[COMP_CWORD - 1]}"
	REPLY_TEXT=$(printf '%s\n' "${COMPREPLY[@]}" | sed '/^$/d' | sort -u)
}

sorted() {
	tr ' ' '\n' | sed '/^$/d' | sort -u
}

# usage_opts CMD: the options the usage text shows for CMD, from its
# lines and their continuation lines.
usage_opts() {
	"$NATLAB" --help | awk -v c="$1" '
		/^[^ ]/ { on = 0 }
		/^  [a-z]/ { on = ($1 == c) }
		on { print }' | grep -oE -- '(^| |\[)--?[a-z][a-z-]*' |
		tr -d '[ ' | sort -u
}

N="$NATLAB"

# ---- commands and options, against the usage text ----
comp "$N "
expect_eq "commands: the usage text's" \
	"$("$NATLAB" --help | sed -n 's/^  \([a-z][a-z]*\).*/\1/p' | sort -u)" \
	"$REPLY_TEXT"
comp "$N ma"
expect_eq "a command's start" "matrix" "$REPLY_TEXT"
comp "$N -v r"
expect_eq "after -v" "$(printf 'rfc\nrun')" "$REPLY_TEXT"
for c in up status run matrix rfc test; do
	comp "$N $c -"
	expect_eq "options of $c: the usage text's" "$(usage_opts "$c")" \
		"$REPLY_TEXT"
done
comp "$N run --clients "
expect_eq "run --clients" "$(printf 'all\nauto')" "$REPLY_TEXT"
comp "$N rfc --profile "
profiles=$("$NATLAB" rfc --profile nosuch 2>&1 |
	sed -n 's/.*the profiles are //p' | sed 's/,\| and / /g' | sorted)
expect_eq "rfc --profile: the profiles natlab's message names" \
	"$profiles" "$REPLY_TEXT"
comp "$N rfc --rfc "
rfcs=$("$NATLAB" rfc --rfc 1 2>&1 | grep -oE '[0-9]{4}' | sorted)
expect_eq "rfc --rfc: the RFCs natlab's message names" "$rfcs" "$REPLY_TEXT"
comp "$N rfc --rfc 5382,"
expect_eq "rfc --rfc after one: the others, appended" \
	"$(printf '5382,4787\n5382,5508\n5382,7857')" "$REPLY_TEXT"

# ---- topology files ----
d=$T_TMP/files
mkdir -p "$d/sub"
: >"$d/a.topo"
: >"$d/b.topo"
: >"$d/notes.txt"
for c in up run check rfc "matrix" "-v run"; do
	comp "$N $c $d/"
	expect_eq "$c: topology files and folders" \
		"$(printf '%s\n' "$d/a.topo" "$d/b.topo" "$d/sub")" "$REPLY_TEXT"
done
comp "$N run -n x --json $d/"
expect_match "run --json: any file" "notes\.txt" "$REPLY_TEXT"
comp "$N check $d/a.topo "
expect_eq "check takes one topology" "" "$REPLY_TEXT"

# ---- a lab that is up, and its nodes ----
new_lab LAB
topo=$(topo_nat_lab "$LAB" </dev/null)
run "$NATLAB" up "$topo"
expect_rc "up $LAB" 0 || finish
# The oracle: the lab's namespaces as iproute2 lists them.
nodes=$(lab_netns "$LAB" | sed "s/^$LAB-//" | sort)
expect_eq "the lab's namespaces (oracle)" \
	"$(printf '%s\n' c1 c2 gw srv sw)" "$nodes"
for c in down status exec; do
	comp "$N $c "
	expect_match "$c offers $LAB" "^$LAB\$" "$REPLY_TEXT"
done
comp "$N down $LAB"
expect_eq "down: the lab by its start" "$LAB" "$REPLY_TEXT"
comp "$N exec $LAB "
expect_eq "exec $LAB: its nodes, as ip netns list has them" "$nodes" \
	"$REPLY_TEXT"
comp "$N exec $LAB g"
expect_eq "exec $LAB g: gw" "gw" "$REPLY_TEXT"
comp "$N exec $LAB c1 "
expect_eq "exec LAB NODE: --" "--" "$REPLY_TEXT"
comp "$N exec $LAB c1 -- tcpdum"
expect_eq "exec LAB NODE --: a program" "tcpdump" "$REPLY_TEXT"
comp "$N exec nosuchlab "
expect_eq "exec of a lab that does not exist: no nodes" "" "$REPLY_TEXT"

# ---- matrix --axis: the keys of the topology's sections ----
comp "$N matrix $topo --axis "
for k in lab.clock_path= clients.count= traffic.order= lan.subnet= \
	wan.subnet= gw.nat= gw.sysctl. srv.legacy.tcp_tw_recycle= \
	srv.sysctl. c1.ts_offset= c2.tsclock=; do
	expect_match "--axis offers $k" "^${k//./\\.}\$" "$REPLY_TEXT"
done
expect_no_match "--axis: no key of a node the topology lacks" \
	'^(c3|s1|nosuch)\.' "$REPLY_TEXT"
expect_no_match "--axis: a server has no nat key" '^srv\.nat' "$REPLY_TEXT"
comp "$N matrix $topo -n m --axis srv.legacy."
expect_eq "--axis srv.legacy." "$(printf '%s\n' srv.legacy.model= \
	srv.legacy.paws_msl= srv.legacy.tcp_tw_recycle=)" "$REPLY_TEXT"
comp "$N matrix $topo --axis=srv.legacy.t"
expect_eq "--axis=KEY" "srv.legacy.tcp_tw_recycle=" "$REPLY_TEXT"
comp "$N matrix $topo --axis srv.legacy.tcp_tw_recycle="
expect_eq "no values offered" "" "$REPLY_TEXT"
comp "$N matrix --axis gw.nat"
expect_eq "no topology yet: the built-in one's keys" \
	"$(printf '%s\n' gw.nat.ports= gw.nat=)" "$REPLY_TEXT"
comp "$N matrix $topo --axis gw.nat=masquerade,rfc "
expect_eq "after the axis: nothing more to name (a topology is given)" \
	"" "$REPLY_TEXT"

# ---- a lab that is down is not offered ----
run "$NATLAB" down "$LAB"
expect_rc "down $LAB" 0
comp "$N exec "
expect_no_match "exec: $LAB no longer offered" "^$LAB\$" "$REPLY_TEXT"

finish
