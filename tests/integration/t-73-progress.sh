#!/bin/bash
# t-73-progress: long work says how far it is on a terminal, and only
# there.  Under a pseudo-terminal (script(1)), a two-cell natlab matrix
# (each cell's traffic 2 s long)
# draws "matrix: N of 2 cells, ... elapsed, ..." on stderr, each time
# after a carriage return and followed by "erase to end of line", and
# ends with "matrix: 2 of 2 cells in ..." and a newline; natlab rfc of one
# profile counts profiles, and a run whose traffic lasts over a second
# counts connections.  With stderr a file, or with -q on a terminal,
# stderr has none of it (no "N of M", no carriage return, no escape);
# the table on stdout is the same either way.  A run whose traffic ends
# within a second draws nothing.  A matrix interrupted on a terminal
# exits 130.  No lab is left.
. "$(dirname "$0")/lib.sh"
require_root
command -v script >/dev/null || skip "script (util-linux) is not installed"

CR=$'\r'
ESC=$'\033'

new_lab M1
new_lab M2
new_lab M3
new_lab M4
new_lab R1
new_lab R2
T_LABS="$T_LABS $M1-1 $M1-2 $M2-1 $M2-2 $M3-1 $M3-2 $M4-1 $M4-2"

topo=$(topo_nat_lab "$M1" <<END
[traffic]
conns = 2
interval = 100ms
END
)
long=$(topo_nat_lab "$R1" long <<END
[traffic]
conns = 4
interval = 600ms
END
)
AXIS="--axis srv.sysctl.net.ipv4.tcp_timestamps=0,1"
METRIC="--metric clients.attempts,clients.failed"

# on_tty OUT TTY CMD: run CMD (a shell line) with a pseudo-terminal as
# its stderr, its stdout into OUT; what reached the terminal in TTY, its
# exit status in RC.
on_tty() {
	script -qec "$3 >$1" /dev/null >"$2" </dev/null
	RC=$?
}

# 1. A matrix on a terminal.
# shellcheck disable=SC2086
on_tty "$T_TMP/m1.out" "$T_TMP/m1.tty" "$NATLAB matrix -n $M1 $long $AXIS $METRIC"
expect_rc "matrix on a terminal" 0
TTY=$(tr -d '\n' <"$T_TMP/m1.tty")
expect_match "it draws the count of cells, the time and an estimate" \
	"${CR}matrix: [01] of 2 cells, [0-9]+s elapsed, (estimating|about [0-9]+s left)${ESC}\[K" "$TTY"
expect_match "it ends with the last count and the time it took" \
	"${CR}matrix: 2 of 2 cells in [0-9]+s${ESC}\[K${CR}?\$" "$TTY"
expect_eq "the table on stdout: a header and two rows" 3 "$(wc -l <"$T_TMP/m1.out")"

# 2. The same matrix with stderr a file.
# shellcheck disable=SC2086
run "$NATLAB" matrix -n "$M2" "$long" $AXIS $METRIC
expect_rc "matrix, stderr a file" 0
expect_eq "stderr is empty" "" "$ERR"
expect_eq "the same table, but for the timing-free values" \
	"$(awk '{ print $1, $2, $3, $4 }' "$T_TMP/m1.out")" \
	"$(printf '%s\n' "$OUT" | awk '{ print $1, $2, $3, $4 }')"

# 3. -q on a terminal.
# shellcheck disable=SC2086
on_tty "$T_TMP/m3.out" "$T_TMP/m3.tty" "$NATLAB -q matrix -n $M3 $long $AXIS $METRIC"
expect_rc "matrix -q on a terminal" 0
expect_eq "-q: nothing on the terminal" "" "$(cat "$T_TMP/m3.tty")"
expect_eq "-q: the table on stdout" 3 "$(wc -l <"$T_TMP/m3.out")"

# 4. rfc of one profile on a terminal.
on_tty "$T_TMP/rfc.out" "$T_TMP/rfc.tty" "$NATLAB rfc --profile masquerade"
expect_rc "rfc on a terminal" 0
TTY=$(tr -d '\n' <"$T_TMP/rfc.tty")
expect_match "rfc counts profiles" "${CR}rfc: 0 of 1 profiles, [0-9]+s elapsed, estimating${ESC}\[K" "$TTY"
expect_match "rfc ends with the count and the time" "${CR}rfc: 1 of 1 profiles in [0-9]+s${ESC}\[K" "$TTY"

# 5. A run: traffic over two seconds draws; traffic within one does not.
on_tty "$T_TMP/r1.out" "$T_TMP/r1.tty" "$NATLAB run $long"
expect_rc "a run of 2 s of traffic on a terminal" 0
TTY=$(tr -d '\n' <"$T_TMP/r1.tty")
expect_match "the run counts connections" \
	"${CR}run: [0-8] of 8 connections, [0-9]+s elapsed, " "$TTY"
expect_match "and ends with all of them" "${CR}run: 8 of 8 connections in [0-9]+s${ESC}\[K" "$TTY"
on_tty "$T_TMP/r2.out" "$T_TMP/r2.tty" "$NATLAB run -n $R2 $topo"
expect_rc "a run of a few connections on a terminal" 0
expect_no_match "a run that ends within a second draws nothing" \
	"run: |${CR}|${ESC}" "$(cat "$T_TMP/r2.tty")"
run "$NATLAB" run "$long"
expect_rc "the long run, stderr a file" 0
expect_eq "its stderr is empty" "" "$ERR"

# 6. A matrix on a terminal interrupted: SIGINT to natlab alone (not the
# terminal's group) ends the wait between two redraws, is passed on to
# the cells, and every lab is removed.
script -qec "echo \$\$ >$T_TMP/m4.pid; exec $NATLAB matrix -n $M4 $long $AXIS $METRIC >$T_TMP/m4.out" \
	/dev/null >"$T_TMP/m4.tty" </dev/null &
spid=$!
T_PIDS="$T_PIDS $spid"
for _ in $(seq 50); do
	grep -q "matrix: " "$T_TMP/m4.tty" 2>/dev/null && break
	sleep 0.1
done
expect_match "the interrupted matrix had drawn its line" "matrix: 0 of 2 cells" \
	"$(tr '\r' '\n' <"$T_TMP/m4.tty")"
kill -INT "$(cat "$T_TMP/m4.pid")"
bg_wait "$spid"
expect_eq "interrupted on a terminal: exit 130" 130 "$RC"
expect_match "each cell says so, from the start of a cleared line" \
	"${CR}${ESC}\[Knatlab: interrupted: lab $M4-[12] removed" "$(cat "$T_TMP/m4.tty")"

for lab in $T_LABS; do
	expect_gone "$lab"
done
finish
