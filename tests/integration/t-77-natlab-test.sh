#!/bin/bash
# t-77-natlab-test: natlab test finds the topologies with an [expect]
# section under a directory (recursively, sorted; the others left out),
# runs them side by side under lab names of their own (every file here
# names the same lab), prints a line per scenario and the counts, and
# for a failure the failed expectation with its measured value and where
# its files are; exit 1.  --junit writes JUnit XML (read back with
# xmllint), --tap TAP version 13 (read back with perl's TAP::Parser).
# Bad input is exit 2 with nothing run; a kernel without nftables makes
# every scenario fail for the environment: exit 3.  SIGINT stops the
# suite: exit 130, no lab left, the rest not started.
# Oracles: the topologies' own numbers (clients x connections), the
# namespaces seen with ip while the suite runs, xmllint, TAP::Parser.
. "$(dirname "$0")/lib.sh"
require_root

# scenario FILE NAME CONNS EXPECT: a one-client lab called NAME (every
# scenario here the same) making CONNS connections, with EXPECT as its
# [expect] line (none if empty).
scenario() {
	local f=$1 name=$2 conns=$3 expect=$4 tmp

	mkdir -p "$(dirname "$f")"
	tmp=$(topo_lab "$name" <<END
[clients]
count = 1
[traffic]
conns = $conns
interval = 100ms
END
) && mv "$tmp" "$f" || return 1
	[ -n "$expect" ] && printf '[expect]\n%s\n' "$expect" >>"$f"
	return 0
}

# watch_labs FILE: until killed, write to FILE the largest number of
# natlab test's switch namespaces (nt<pid>-<n>-sw) seen at once.
watch_labs() {
	local most=0 n

	while :; do
		n=$(ip netns list 2>/dev/null | awk '{ print $1 }' |
			grep -Ec '^nt[0-9]+-[0-9]+-sw$')
		[ "$n" -gt "$most" ] && most=$n && echo "$most" >"$1"
		sleep 0.05
	done
}

# suite_labs PID N: the lab names natlab test PID gives its N scenarios,
# taken down by cleanup whatever happens.
suite_labs() {
	local i

	for i in $(seq 1 "$2"); do
		T_LABS="$T_LABS nt$1-$i"
	done
}

# two_labs_up PID: wait (up to 10 s) until natlab test PID has its first
# two labs' switches; check that it has.
two_labs_up() {
	local i=0

	until [ -e "/run/netns/nt$1-1-sw" ] && [ -e "/run/netns/nt$1-2-sw" ]; do
		[ $i -ge 100 ] && break
		sleep 0.1
		i=$((i + 1))
	done
	expect_true "two labs running before SIGINT" \
		test -e "/run/netns/nt$1-1-sw" -a -e "/run/netns/nt$1-2-sw"
}

d=$T_TMP/suite
sub="$d/sub&<\"x\">"	# what XML must escape, in the JUnit file's attributes
scenario "$d/a-pass.topo" same 4 "clients.attempts == 4"
scenario "$d/b-fail.topo" same 6 "clients.attempts == 999"
scenario "$d/c-none.topo" same 3 ""
scenario "$sub/d-pass.topo" same 5 "clients.failed == 0"

# ---- two at a time, JUnit ----
out=$T_TMP/out
echo 0 >"$T_TMP/most"
watch_labs "$T_TMP/most" &
wpid=$!
T_PIDS="$T_PIDS $wpid"
"$NATLAB" test --jobs 2 --junit "$T_TMP/j.xml" --out "$out" "$d" \
	>"$T_TMP/t.out" 2>"$T_TMP/t.err" &
tpid=$!
suite_labs "$tpid" 3
bg_wait "$tpid"
stop_pid "$wpid"
OUT=$(cat "$T_TMP/t.out")
expect_rc "one failed: exit 1" 1
expect_eq "the scenarios with [expect], found and sorted, each once" \
	"$d/a-pass.topo $d/b-fail.topo $sub/d-pass.topo" \
	"$(printf '%s\n' "$OUT" | awk '/^(ok|FAIL) / { print $2 }' | LC_ALL=C sort | paste -sd' ')"
expect_match "a-pass: ok, with its seconds" "^ok +$d/a-pass.topo +[0-9]+\.[0-9]s$" "$OUT"
expect_match "b-fail: FAIL with exit 1" "^FAIL +$d/b-fail.topo +[0-9]+\.[0-9]s \(exit 1\)$" "$OUT"
expect_match "b-fail: the failed expectation and its measured value (1 x 6)" \
	"^ +FAIL +line [0-9]+ +clients.attempts == 999 +measured 6$" "$OUT"
expect_match "b-fail: where its files are" \
	"json: $out/b-fail/run.json  pcap: $out/b-fail/pcap  svg: $out/b-fail/run.svg" "$OUT"
expect_match "the counts" "^2 passed, 1 failed$" "$OUT"
expect_eq "two labs ran side by side" 2 "$(cat "$T_TMP/most")"
for s in a-pass b-fail d-pass; do
	for f in run.json run.svg out.txt err.txt pcap; do
		expect_true "$s: $f is in its directory" test -s "$out/$s/$f" -o -d "$out/$s/$f"
	done
done
expect_eq "a-pass's run measured its own topology (4 attempts)" 4 \
	"$(jmetric "$out/a-pass/run.json" clients.attempts)"
for i in 1 2 3; do
	expect_gone "nt$tpid-$i"
done

j=$T_TMP/j.xml
if command -v xmllint >/dev/null; then
	expect_true "JUnit: well-formed XML (with & < > \" in a path)" \
		xmllint --noout "$j"
	expect_eq "JUnit: the path read back" "$sub/d-pass.topo" \
		"$(xmllint --xpath 'string(//testcase[@name="d-pass"]/@file)' "$j")"
	x() { xmllint --xpath "$1" "$j" 2>/dev/null; }
	expect_eq "JUnit: three testcases" 3 "$(x 'count(/testsuites/testsuite/testcase)')"
	expect_eq "JUnit: testsuite tests=3" 3 "$(x 'string(/testsuites/testsuite/@tests)')"
	expect_eq "JUnit: testsuite failures=1" 1 "$(x 'string(/testsuites/testsuite/@failures)')"
	expect_eq "JUnit: testsuite errors=0" 0 "$(x 'string(/testsuites/testsuite/@errors)')"
	expect_eq "JUnit: the failure is b-fail's" b-fail \
		"$(x 'string(//testcase[failure]/@name)')"
	expect_match "JUnit: its message, with the failed expectation" \
		"^1 of 1 expectations failed: FAIL line [0-9]+ clients.attempts == 999 measured 6$" \
		"$(x 'string(//failure/@message)')"
	expect_match "JUnit: its text has the measured value" "measured 6" \
		"$(x 'string(//failure)')"
	expect_eq "JUnit: every testcase has a name, a classname and a time" 3 \
		"$(x 'count(//testcase[@name and @classname and number(@time) >= 0])')"
	expect_eq "JUnit: the suite has a time and a timestamp" true \
		"$(x 'boolean(/testsuites/testsuite[number(@time) > 0 and @timestamp])')"
else
	echo "no xmllint: the JUnit file is not checked"
fi

# ---- TAP, one at a time ----
echo 0 >"$T_TMP/most"
watch_labs "$T_TMP/most" &
wpid=$!
T_PIDS="$T_PIDS $wpid"
"$NATLAB" test --jobs 1 --tap "$d/b-fail.topo" "$d/a-pass.topo" \
	>"$T_TMP/tap.out" 2>"$T_TMP/tap.err" &
tpid=$!
suite_labs "$tpid" 2
bg_wait "$tpid"
stop_pid "$wpid"
expect_rc "TAP: exit 1" 1
expect_eq "--jobs 1: never two labs at once" 1 "$(cat "$T_TMP/most")"
expect_eq "TAP: the version line first" "TAP version 13" "$(head -n 1 "$T_TMP/tap.out")"
tap=$(perl -MTAP::Parser -e '
	my $p = TAP::Parser->new({ tap => do { local $/; <STDIN> } });
	my @r;
	while (my $r = $p->next) {
		push @r, ($r->is_ok ? "ok" : "not-ok") . ":" . $r->description
			if $r->is_test;
	}
	print join(" ", @r), " plan=", $p->plan, " version=", $p->version,
		" errors=", scalar($p->parse_errors), "\n";
' <"$T_TMP/tap.out" 2>&1)
expect_eq "TAP: as TAP::Parser reads it" \
	"not-ok:- $d/b-fail.topo ok:- $d/a-pass.topo plan=1..2 version=13 errors=0" \
	"$(printf '%s\n' "$tap" | sed 's/ ([^)]*)//g')"

# ---- bad input: nothing runs ----
run "$NATLAB" test "$T_TMP/no-such-dir"
expect_rc "a missing path" 2
expect_match "a missing path: says so" "no-such-dir: No such file or directory" "$ERR"
run "$NATLAB" test "$d/c-none.topo"
expect_rc "no [expect] anywhere" 2
expect_match "no [expect]: says so" "no topology with an \[expect\] section" "$ERR"
printf '[router r1]\n' >"$sub/e-bad.topo"
run "$NATLAB" test "$d"
expect_rc "a bad topology among them" 2
expect_match "a bad topology: its file:line" "^$sub/e-bad.topo:1: " "$ERR"
expect_no_match "a bad topology: nothing ran" "^(ok|FAIL) " "$OUT"
rm "$sub/e-bad.topo"

# ---- a kernel without nftables: nothing can run ----
if shim=$(no_nft_shim); then
	nat=$T_TMP/nat
	mkdir -p "$nat"
	tmp=$(topo_nat_lab same </dev/null) && mv "$tmp" "$nat/n.topo"
	printf '[expect]\nclients.failed == 0\n' >>"$nat/n.topo"
	LD_PRELOAD=$shim "$NATLAB" test --out "$T_TMP/nout" "$nat" \
		>"$T_TMP/n.out" 2>"$T_TMP/n.err" &
	tpid=$!
	suite_labs "$tpid" 1
	bg_wait "$tpid"
	expect_rc "no nftables: exit 3" 3
	expect_match "no nftables: the scenario's line says why" \
		"this kernel has no nftables" "$(cat "$T_TMP/n.out")"
	expect_gone "nt$tpid-1"
fi

# ---- SIGINT ----
slow=$T_TMP/slow
for s in 1 2 3; do
	scenario "$slow/s$s.topo" same 100 "clients.failed == 0"
done
"$NATLAB" test --jobs 2 --junit "$T_TMP/i.xml" "$slow" \
	>"$T_TMP/i.out" 2>"$T_TMP/i.err" &
tpid=$!
suite_labs "$tpid" 3
two_labs_up "$tpid"
sleep 1
kill -INT "$tpid"
wait_end "$tpid" 15
expect_rc "SIGINT: exit 130" 130
if [ "$TOOK" -le 10 ]; then
	pass "SIGINT: ended within 10 s"
else
	fail "SIGINT: ends soon" "<= 10 s" "$TOOK s"
fi
for i in 1 2 3; do
	expect_gone "nt$tpid-$i"
done
expect_match "SIGINT: says what was not run" "interrupted: 1 of 3 scenarios not run" \
	"$(cat "$T_TMP/i.err")"
if command -v xmllint >/dev/null; then
	expect_eq "SIGINT: JUnit says one skipped" 1 \
		"$(xmllint --xpath 'string(/testsuites/testsuite/@skipped)' "$T_TMP/i.xml")"
fi

# Ctrl-C at a terminal: SIGINT to the whole process group, children too.
setsid "$NATLAB" test --jobs 2 "$slow" >"$T_TMP/g.out" 2>"$T_TMP/g.err" &
tpid=$!
suite_labs "$tpid" 3
two_labs_up "$tpid"
sleep 1
kill -INT -- "-$tpid"
wait_end "$tpid" 15
expect_rc "SIGINT to the group: exit 130" 130
for i in 1 2 3; do
	expect_gone "nt$tpid-$i"
done

finish
