# lib.sh - helpers shared by the namespace integration tests (sourced).
#
# The shape follows the kernel's netfilter selftests: every lab a test
# makes has a name unique to that test process (new_lab), `trap cleanup
# EXIT` takes down exactly those labs and stops exactly the processes the
# test started (by PID), and a failed check prints what was expected, what
# was seen, and the ruleset and conntrack table of every gateway of the
# test's labs.  A test ends with `finish`; `skip REASON` exits 77.
#
# Rules every test keeps: traffic only between namespaces of its own labs,
# addresses only from 10/8, 100.64/10, 198.51.100/24 and 203.0.113/24, and
# nothing of the host namespace changed.

set -u

TOP=$(cd "$(dirname "$0")/../.." && pwd)
NATLAB=${NATLAB:-$TOP/natlab}
TEST=$(basename "$0" .sh)

T_LABS=""   # labs named by new_lab, taken down on exit
T_PIDS=""   # background processes started by this test, not yet reaped
T_NETNS=""  # namespaces the test made itself with ip netns add
T_SEQ=0
T_FAILED=0
T_TMP=$(mktemp -d "${TMPDIR:-/tmp}/natlab-$TEST.XXXXXX") || exit 1

# ---- life cycle ----

# alive PID: the process exists and is not a zombie.
alive() {
	local st

	st=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1)
	[ -n "$st" ] && [ "$st" != Z ]
}

# stop_pid PID: TERM, up to 5 s grace, then KILL; reap it.
stop_pid() {
	local i=0

	kill -TERM "$1" 2>/dev/null
	while alive "$1" && [ $i -lt 50 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	alive "$1" && kill -KILL "$1" 2>/dev/null
	wait "$1" 2>/dev/null
	forget_pid "$1"
}

forget_pid() {
	local p keep=""

	for p in $T_PIDS; do
		[ "$p" = "$1" ] || keep="$keep $p"
	done
	T_PIDS=$keep
}

# wait_exec PID COMM: wait (up to 5 s) until PID runs the program COMM,
# e.g. until "ip netns exec" has entered the namespace and exec'd.
wait_exec() {
	local i=0

	while [ "$(cat "/proc/$1/comm" 2>/dev/null)" != "$2" ]; do
		[ $i -ge 50 ] && return 1
		sleep 0.1
		i=$((i + 1))
	done
}

# wait_end PID SECONDS: wait until PID has ended, at most SECONDS; then
# reap it (bg_wait: its status in RC).  TOOK: the seconds it took.
wait_end() {
	local i=0 t0=$SECONDS

	while alive "$1" && [ $i -lt $(($2 * 10)) ]; do
		sleep 0.1
		i=$((i + 1))
	done
	bg_wait "$1"
	TOOK=$((SECONDS - t0))
}

# bg_wait PID: wait for a background process of ours; its status in RC.
bg_wait() {
	wait "$1" 2>/dev/null	# no "Killed" job notice from the shell
	RC=$?
	forget_pid "$1"
}

cleanup() {
	local p lab ns

	trap - EXIT INT TERM
	for p in $T_PIDS; do
		stop_pid "$p"
	done
	for lab in $T_LABS; do
		"$NATLAB" down "$lab" >/dev/null 2>"$T_TMP/down.err" ||
			{ echo "cleanup: natlab down $lab failed:"; cat "$T_TMP/down.err"; }
	done
	for ns in $T_NETNS; do
		ip netns del "$ns" 2>/dev/null
	done
	# What natlab failed to remove is still this test's to remove: the
	# names carry this process's unique lab prefix.  Say so, and leave
	# the machine clean.
	for lab in $T_LABS; do
		for ns in /run/netns/"$lab"-*; do
			ns=${ns#/run/netns/}
			printf '%s\n' "$ns" | grep -Eq "^$lab-[a-z0-9_]+\$" || continue
			echo "cleanup: natlab left /run/netns/$ns; removing it"
			ip netns del "$ns" 2>/dev/null
		done
		rm -f "/run/natlab/$lab.state" "/run/natlab/$lab.lock"
	done
	rm -rf "$T_TMP"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# new_lab VAR: put a fresh lab name in VAR ("it<pid>x<n>"); the lab is
# taken down when the test exits, whatever happened.
new_lab() {
	T_SEQ=$((T_SEQ + 1))
	eval "$1=it$$x$T_SEQ"
	T_LABS="$T_LABS it$$x$T_SEQ"
}

# topo_file [STEM] < text: write a topology to a temporary file, print
# its path.
topo_file() {
	local f

	f=$(mktemp --suffix=.topo "$T_TMP/${1:-lab}.XXXXXX") || return 1
	cat >"$f"
	echo "$f"
}

finish() {
	if [ "$T_FAILED" -gt 0 ]; then
		if [ "$T_FAILED" -gt 1 ]; then
			echo "gateways at the end of the test:"
			dump_gateways
		fi
		echo "$TEST: $T_FAILED check(s) failed"
		exit 1
	fi
	exit 0
}

skip() {
	echo "SKIP: $*"
	exit 77
}

require_root() {
	[ "$(id -u)" -eq 0 ] || skip "needs root"
	[ -x "$NATLAB" ] || { echo "FAIL: $NATLAB is missing (run make)"; exit 1; }
}

# ---- running things ----

# run CMD...: run a command; RC, OUT and ERR hold its status and output.
run() {
	"$@" >"$T_TMP/run.out" 2>"$T_TMP/run.err"
	RC=$?
	OUT=$(cat "$T_TMP/run.out")
	ERR=$(cat "$T_TMP/run.err")
}

# nsx LAB NODE CMD...: run a command inside a node, with iproute2 (not
# natlab), so that the checks do not depend on the code under test.
nsx() {
	local ns=$1-$2

	shift 2
	ip netns exec "$ns" "$@"
}

# bg_nsx LAB NODE CMD...: start CMD inside a node in the background; its
# pid (the command's own, after ip netns exec) in BG_PID.  Redirections
# given to bg_nsx apply to CMD.
bg_nsx() {
	local ns=$1-$2

	shift 2
	ip netns exec "$ns" "$@" &
	BG_PID=$!
	T_PIDS="$T_PIDS $BG_PID"
}

# addr_of LAB NODE IFACE: the IPv4 address of a node's interface.
addr_of() {
	nsx "$1" "$2" ip -4 -o addr show dev "$3" 2>/dev/null |
		awk '{ sub("/.*", "", $4); print $4; exit }'
}

# ping_ok LAB NODE ADDR: a few echo requests get answered.
ping_ok() {
	nsx "$1" "$2" ping -q -c 2 -i 0.2 -W 2 "$3" >/dev/null 2>&1
}

# tcp_listen LAB NODE PORT: an nc server for one connection in a node;
# what it receives goes to tcp_got, the peer it saw to tcp_peer.
tcp_listen() {
	local f=$T_TMP/nc-$1-$2-$3 i=0

	bg_nsx "$1" "$2" nc -v -n -l -p "$3" >"$f.out" 2>"$f.err"
	echo "$BG_PID" >"$f.pid"
	while ! grep -q '^Listening on' "$f.err" 2>/dev/null; do
		[ $i -ge 50 ] && { echo "nc did not listen in $1-$2:"; cat "$f.err"; return 1; }
		sleep 0.1
		i=$((i + 1))
	done
}

# tcp_send LAB NODE ADDR PORT LINE: connect from a node, send a line.
tcp_send() {
	echo "$5" | nsx "$1" "$2" nc -N -w 5 "$3" "$4"
}

# tcp_done LAB NODE PORT: wait (up to 5 s) for the server to finish.
tcp_done() {
	local f=$T_TMP/nc-$1-$2-$3 pid i=0

	pid=$(cat "$f.pid")
	while alive "$pid" && [ $i -lt 50 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	stop_pid "$pid"
}

tcp_got() {
	cat "$T_TMP/nc-$1-$2-$3.out" 2>/dev/null
}

# tcp_peer LAB NODE PORT: "ADDR PORT" of the connection the server got.
tcp_peer() {
	sed -n 's/^Connection received on \([^ ]*\) \([0-9]*\).*/\1 \2/p' \
		"$T_TMP/nc-$1-$2-$3.err" 2>/dev/null
}

# ct_tuples LAB NODE PROTO [DPORT]: one line per conntrack entry of PROTO
# (whose original destination port is DPORT):
# "osrc odst osport odport rsrc rdst rsport rdport".
ct_tuples() {
	nsx "$1" "$2" conntrack -L -p "$3" ${4:+--orig-port-dst "$4"} 2>/dev/null |
		sed -n 's/.*src=\([^ ]*\) dst=\([^ ]*\) sport=\([0-9]*\) dport=\([0-9]*\) .*src=\([^ ]*\) dst=\([^ ]*\) sport=\([0-9]*\) dport=\([0-9]*\).*/\1 \2 \3 \4 \5 \6 \7 \8/p'
}

# nft_packets LAB NODE REGEX: packets of the counters on rule lines
# matching REGEX, summed.
nft_packets() {
	nsx "$1" "$2" nft list ruleset 2>/dev/null | grep -E -- "$3" |
		sed -n 's/.*counter packets \([0-9]*\) .*/\1/p' |
		awk '{ n += $1 } END { print n + 0 }'
}

# ---- topologies ----

# topo_merge FILE < OVERLAY: merge topology text into the topology file
# FILE.  A key of a section FILE has replaces that key's line, a new key
# goes at the end of its section; a section FILE lacks goes after FILE's
# last section of the same kind ([server plain] after the servers), else
# at the end, in OVERLAY's order.  Headers must be spelt as in FILE; blank
# lines of OVERLAY are dropped.
topo_merge() {
	awk -v base="$1" '
	function kind(h) { sub(/^\[ */, "", h); sub(/[] ].*/, "", h); return h }
	function key(l) { sub(/ *=.*/, "", l); return l }
	function section(i,  j, h, l, m) {
		h = head[i]
		print h
		for (j = 1; j <= bn[i]; j++) {
			l = bl[i, j]
			if ((h, key(l)) in okey) {
				m = okey[h, key(l)]
				l = ol[h, m]
				used[h, m] = 1
			}
			print l
		}
		for (m = 1; m <= on[h]; m++)
			if (!((h, m) in used))
				print ol[h, m]
	}
	function news(at,  j, s, m) {
		for (j = 1; j <= nn[at]; j++) {
			s = os[nw[at, j]]
			print s
			for (m = 1; m <= on[s]; m++)
				print ol[s, m]
		}
	}
	FILENAME == base {
		if (/^\[/) {
			head[++nb] = $0
			bsec[$0] = nb
			last[kind($0)] = nb
		} else {
			bl[nb, ++bn[nb]] = $0
		}
		next
	}
	/^[ \t]*$/ { next }
	/^\[/ {
		s = $0
		if (!(s in seen)) { seen[s] = 1; os[++no] = s }
		next
	}
	{ ol[s, ++on[s]] = $0; okey[s, key($0)] = on[s] }
	END {
		for (i = 1; i <= no; i++) {
			if (os[i] in bsec)
				continue
			k = kind(os[i])
			at = (k in last) ? last[k] : nb
			nw[at, ++nn[at]] = i
		}
		news(0)
		for (i = 1; i <= nb; i++) {
			section(i)
			news(i)
		}
	}' - "$1" >"$1.merged" && mv "$1.merged" "$1"
}

# topo_lab LAB [STEM] < OVERLAY: write the one-gateway lab, merged with
# OVERLAY (topo_merge; </dev/null adds nothing), to a temporary file and
# print its path.  The lab: gw (no nat line) between lan 10.0.0.0/24 and
# wan 198.51.100.0/24, the server srv on wan, two clients on lan.
topo_lab() {
	local f

	f=$(topo_file "${2:-lab}" <<END
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
) && topo_merge "$f" && echo "$f"
}

# topo_rfc_lab NAT [STEM]: natlab rfc's built-in lab (topo/rfc.topo: c1
# c2 behind gw, s1 s2 outside) with gw's nat line set to NAT, to a
# temporary file; prints its path (bring it up with up -n).
topo_rfc_lab() {
	local f

	f=$(topo_file "${2:-rfc}" <"$TOP/topo/rfc.topo") && topo_merge "$f" <<END && echo "$f"
[gateway gw]
nat = $1
END
}

# topo_nat_lab LAB [STEM] < OVERLAY: the one-gateway lab (topo_lab) with
# gw masquerading (nat = masquerade); merged with OVERLAY; prints the
# file's path.
topo_nat_lab() {
	local f

	f=$(topo_lab "$1" "${2:-lab}" <<END
[gateway gw]
nat = masquerade
END
) && topo_merge "$f" && echo "$f"
}

# topo_clock_lab LAB SRV_TS [STEM] < OVERLAY: the masquerading lab
# (topo_nat_lab) with clocks to rewrite: srv runs tcp_timestamps = SRV_TS,
# the clients have host clocks (tsclock = host, ts_offset = 0s); merged
# with OVERLAY; prints the file's path.
topo_clock_lab() {
	local f

	f=$(topo_nat_lab "$1" "${3:-lab}" <<END
[server srv]
sysctl.net.ipv4.tcp_timestamps = $2
[clients]
tsclock = host
ts_offset = 0s
END
) && topo_merge "$f" && echo "$f"
}

# topo_legacy_lab LAB TS RECYCLE MODEL PAWS_MSL [STEM] < OVERLAY: the clock
# lab (topo_clock_lab, srv's tcp_timestamps = TS) whose srv emulates the
# old kernels' tcp_tw_recycle (legacy.tcp_tw_recycle = RECYCLE,
# legacy.model = MODEL, legacy.paws_msl = PAWS_MSL) and whose clients
# give up a connect after one SYN retry; merged with OVERLAY; prints the
# file's path.
topo_legacy_lab() {
	local f

	f=$(topo_clock_lab "$1" "$2" "${6:-lab}" <<END
[server srv]
legacy.tcp_tw_recycle = $3
legacy.model = $4
legacy.paws_msl = $5
[clients]
sysctl.net.ipv4.tcp_syn_retries = 1
END
) && topo_merge "$f" && echo "$f"
}

# topo_sweep_lab LAB [STEM] < OVERLAY: the matrix tests' scenario (t-66,
# t-74): the legacy lab (topo_legacy_lab, timestamps and recycle on, model
# 4.4, PAWS window 3 s) with c2's clock 10 s behind c1's, a server that
# closes first, two connections per client 200 ms apart in turn, and a
# connect timeout shorter than the first SYN retransmission: with
# timestamps and recycle on, each of c2's two SYNs is dropped and its
# connect times out; merged with OVERLAY; prints the file's path.
topo_sweep_lab() {
	local f

	f=$(topo_legacy_lab "$1" 1 1 4.4 3s "${2:-lab}" <<END
[traffic]
conns = 2
interval = 200ms
order = round-robin
[server srv]
close = server
[client c2]
ts_offset = -10s
[clients]
connect_timeout = 500ms
END
) && topo_merge "$f" && echo "$f"
}

# ---- big labs, caught mid-build ----

# big_topo NAME CLIENTS: the one-gateway lab (topo_lab) with CLIENTS
# clients on a lan of 10.0.0.0/16.
big_topo() {
	topo_lab "$1" big <<END
[network lan]
subnet = 10.0.0.0/16
[clients]
count = $2
END
}

# wait_phase LAB PHASE PID: wait until the build of LAB by PID is in
# PHASE, judged from outside: "namespaces" once 50 of its namespaces
# exist, "links" once 20 veths exist in its switch.  Fails if PID ended
# first (or after 30 s).
wait_phase() {
	local n end=$((SECONDS + 30))

	while alive "$3" && [ $SECONDS -lt $end ]; do
		case $2 in
		namespaces)
			n=$(find /run/netns -maxdepth 1 -name "$1-*" | wc -l)
			[ "$n" -ge 50 ] && return 0
			;;
		links)
			n=$(ip netns exec "$1-sw" ip -o link show type veth 2>/dev/null | wc -l)
			[ "$n" -ge 20 ] && return 0
			;;
		esac
		sleep 0.01
	done
	return 1
}

# ---- what a lab leaves on the machine ----

lab_netns() {
	ip netns list 2>/dev/null | awk '{ print $1 }' | grep -E "^$1-[a-z0-9_]+\$"
}

# leftovers LAB: print everything of LAB still on the machine.
leftovers() {
	local f

	lab_netns "$1" | sed 's/^/namespace /'
	for f in /run/netns/"$1"-*; do
		[ -e "$f" ] || continue
		basename "$f" | grep -Eq "^$1-[a-z0-9_]+\$" && echo "file $f"
	done
	awk '{ print $5 }' /proc/self/mountinfo |
		grep -E "^/run/netns/$1-[a-z0-9_]+\$" | sed 's/^/mount /'
	for f in /run/natlab/"$1".state /run/natlab/"$1".lock; do
		[ -e "$f" ] && echo "file $f"
	done
	return 0
}

# ---- checks ----

# dump_gateways: the ruleset and conntrack table of every namespace of
# this test's labs that has a ruleset (the gateways).
dump_gateways() {
	local lab ns rs

	for lab in $T_LABS; do
		for ns in $(lab_netns "$lab"); do
			rs=$(ip netns exec "$ns" nft list ruleset 2>&1)
			[ -n "$rs" ] || continue
			echo "  --- $ns: nft list ruleset"
			printf '%s\n' "$rs" | sed 's/^/  /'
			echo "  --- $ns: conntrack -L"
			ip netns exec "$ns" conntrack -L 2>&1 | sed 's/^/  /'
		done
	done
}

pass() {
	echo "ok: $1"
}

# fail WHAT [EXPECTED SEEN]
fail() {
	T_FAILED=$((T_FAILED + 1))
	echo "FAIL: $1"
	if [ $# -ge 3 ]; then
		echo "  expected: $2"
		echo "  seen:     $3" | sed '2,$s/^/            /'
	fi
	# the first failure shows the gateways; finish shows them again
	[ "$T_FAILED" -eq 1 ] && dump_gateways
	return 1
}

# expect_eq WHAT EXPECTED SEEN
expect_eq() {
	if [ "$2" = "$3" ]; then pass "$1"; else fail "$1" "$2" "$3"; fi
}

# expect_rc WHAT EXPECTED: compare the RC of the last run; show its
# output when it differs.
expect_rc() {
	if [ "$RC" = "$2" ]; then
		pass "$1 (exit $RC)"
	else
		fail "$1" "exit $2" "exit $RC
stdout: $OUT
stderr: $ERR"
	fi
}

# expect_match WHAT ERE TEXT
expect_match() {
	if printf '%s\n' "$3" | grep -Eq -- "$2"; then
		pass "$1"
	else
		fail "$1" "a line matching /$2/" "$3"
	fi
}

# expect_no_match WHAT ERE TEXT
expect_no_match() {
	if printf '%s\n' "$3" | grep -Eq -- "$2"; then
		fail "$1" "no line matching /$2/" "$3"
	else
		pass "$1"
	fi
}

# expect_true WHAT CMD...: CMD succeeds.
expect_true() {
	local what=$1

	shift
	if "$@"; then pass "$what"; else fail "$what" "success of: $*" "failure"; fi
}

# expect_gone LAB: nothing of the lab is left (namespaces, their files
# and mounts under /run/netns, state and lock files).
expect_gone() {
	expect_eq "nothing of lab $1 is left" "" "$(leftovers "$1")"
}

# in_range N LO HI
in_range() {
	[ -n "$1" ] && [ "$1" -ge "$2" ] && [ "$1" -le "$3" ]
}

# ---- the packet engine, TCP probes, captures (t-2x tests) ----

PROBE=$TOP/tests/integration/tcpprobe.py

# probe_server LAB NODE PORT [ARGS...]: start tcpprobe's accept loop in a
# node (ARGS: --close MODE, --count N); its pid in PROBE_PID.  Waits until
# it listens.
probe_server() {
	local lab=$1 node=$2 port=$3 f i=0

	shift 3
	f=$T_TMP/probe-$lab-$node-$port
	bg_nsx "$lab" "$node" python3 "$PROBE" server --port "$port" "$@" \
		>"$f.out" 2>"$f.err"
	PROBE_PID=$BG_PID
	while ! grep -q '^listening' "$f.out" 2>/dev/null; do
		if [ $i -ge 50 ] || ! alive "$PROBE_PID"; then
			echo "tcpprobe server did not listen in $lab-$node:"
			cat "$f.out" "$f.err"
			return 1
		fi
		sleep 0.1
		i=$((i + 1))
	done
}

# probe_log LAB NODE PORT: what the probe server printed.
probe_log() {
	cat "$T_TMP/probe-$1-$2-$3.out" "$T_TMP/probe-$1-$2-$3.err" 2>/dev/null
}

# probe_counters LAB NODE COUNTER...: a table "probe" in a node that counts
# TCP packets of port 80 at priority -300, before anything of natlab sees
# them; read a counter with nft_packets LAB NODE '"COUNTER"'.  COUNTERs:
# syn_in (SYNs in), syn_ts_in (SYNs in with a timestamp option),
# synack_out (SYN-ACKs out), rst_out (RSTs out).
probe_counters() {
	local lab=$1 node=$2 c pre="" out=""

	shift 2
	for c in "$@"; do
		case $c in
		syn_in)
			pre="$pre tcp dport 80 tcp flags & (syn | ack) == syn counter comment \"$c\";" ;;
		syn_ts_in)
			pre="$pre tcp dport 80 tcp flags & (syn | ack) == syn tcp option timestamp exists counter comment \"$c\";" ;;
		synack_out)
			out="$out tcp sport 80 tcp flags & (syn | ack) == syn | ack counter comment \"$c\";" ;;
		rst_out)
			out="$out tcp sport 80 tcp flags & rst == rst counter comment \"$c\";" ;;
		*)
			echo "probe_counters: no counter $c" >&2
			return 1 ;;
		esac
	done
	{
		echo "table ip probe {"
		[ -n "$pre" ] && echo "chain pre { type filter hook prerouting priority -300; policy accept;$pre }"
		[ -n "$out" ] && echo "chain out { type filter hook output priority -300; policy accept;$out }"
		echo "}"
	} | nsx "$lab" "$node" nft -f -
}

# probe_client LAB NODE HOST PORT [ARGS...]: run tcpprobe's client in a
# node; its lines in OUT, its status in RC.  PROBE_RES is the first
# connection's result word ("ok", or the fail reason), PROBE_MS its
# connect latency in whole milliseconds.
probe_client() {
	local lab=$1 node=$2 host=$3 port=$4

	shift 4
	run nsx "$lab" "$node" python3 "$PROBE" client --host "$host" \
		--port "$port" "$@"
	set -- $(printf '%s\n' "$OUT" | head -n 1)
	case ${1:-} in
	ok) PROBE_RES=ok PROBE_MS=${2%.*} ;;
	fail) PROBE_RES=${2:-?} PROBE_MS=${3%.*} ;;
	*) PROBE_RES="none: ${ERR:-no output}" PROBE_MS=-1 ;;
	esac
}

# engine_pid LAB: the engine's pid from the lab's state file.
engine_pid() {
	awk '$1 == "pid" && $4 == "engine" { print $2; exit }' \
		"/run/natlab/$1.state" 2>/dev/null
}

# engine_sync LAB: wait (up to 3 s) until the engine has rewritten its
# counter file, so that it counts every packet handled before the call.
engine_sync() {
	local f=/run/natlab/$1.engine up0 up i=0

	up0=$(awk '$1 == "engine" { print $5 }' "$f" 2>/dev/null)
	while [ $i -lt 30 ]; do
		sleep 0.1
		up=$(awk '$1 == "engine" { print $5 }' "$f" 2>/dev/null)
		[ -n "$up" ] && [ "$up" != "${up0:-}" ] && return 0
		i=$((i + 1))
	done
	echo "engine of $1 did not rewrite $f within 3 s"
	return 1
}

# engine_stat LAB NODE FIELD: one counter of a node in the engine's file
# ("" if the node or field is not there).
engine_stat() {
	awk -v n="$2" -v k="$3" '$1 == "node" && $2 == n {
		for (i = 3; i < NF; i += 2) if ($i == k) { print $(i + 1); exit }
	}' "/run/natlab/$1.engine" 2>/dev/null
}

# engine_field LAB KEY: a field of the engine's own line in its file.
engine_field() {
	awk -v k="$2" '$1 == "engine" {
		for (i = 2; i < NF; i += 2) if ($i == k) { print $(i + 1); exit }
	}' "/run/natlab/$1.engine" 2>/dev/null
}

# engine_line LAB NODE: a node's whole line in the engine's file.
engine_line() {
	awk -v n="$2" '$1 == "node" && $2 == n' "/run/natlab/$1.engine" 2>/dev/null
}

# nstat_val LAB NODE NAME: a node's SNMP/netstat counter, absolute, zeros
# included; the shared nstat history file is neither read nor written.
nstat_val() {
	nsx "$1" "$2" nstat -asz "$3" 2>/dev/null |
		awk -v k="$3" '$1 == k { print $2; f = 1 } END { if (!f) print "" }'
}

# capture_start LAB NODE IFACE COUNT FILTER...: tcpdump -nv in a node in
# the background (at most COUNT packets, 30 s); the capture's name in CAP.
capture_start() {
	local lab=$1 node=$2 ifc=$3 count=$4 i=0

	shift 4
	T_SEQ=$((T_SEQ + 1))
	CAP=$T_TMP/cap$T_SEQ
	bg_nsx "$lab" "$node" timeout 30 tcpdump -l -n -v -tt -i "$ifc" \
		-c "$count" "$@" >"$CAP.out" 2>"$CAP.err"
	echo "$BG_PID" >"$CAP.pid"
	while ! grep -q 'listening on' "$CAP.err" 2>/dev/null; do
		if [ $i -ge 50 ]; then
			echo "tcpdump did not start in $lab-$node:"
			cat "$CAP.err"
			return 1
		fi
		sleep 0.1
		i=$((i + 1))
	done
}

# capture_stop CAP [WAIT]: let the capture end by itself (within WAIT
# seconds, default 2; then it is stopped); print its packets, one line
# each: "TIME SRC > DST: rest of the TCP line".
capture_stop() {
	local pid i=0 lim=$((${2:-2} * 10))

	pid=$(cat "$1.pid")
	while alive "$pid" && [ $i -lt $lim ]; do
		sleep 0.1
		i=$((i + 1))
	done
	stop_pid "$pid"
	awk '/^[0-9]+\.[0-9]+ IP / { t = $1; next }
	     t != "" && /^ / { sub(/^ +/, ""); print t, $0; t = "" }' "$1.out"
}

# dump_engine LAB: the engine's file and log, for failures.
dump_engine() {
	echo "  --- /run/natlab/$1.engine"
	sed 's/^/  /' "/run/natlab/$1.engine" 2>/dev/null
	echo "  --- /run/natlab/$1.log"
	tail -n 20 "/run/natlab/$1.log" 2>/dev/null | sed 's/^/  /'
}

# ---- natlab run: its JSON report and pcap files (t-3x tests) ----

# jget FILE EXPR: a Python expression over the JSON report in FILE (bound
# to d); prints its value, booleans as 1/0, nothing if FILE is no JSON.
jget() {
	python3 - "$1" "$2" <<'PY' 2>/dev/null
import json, sys
d = json.load(open(sys.argv[1]))
v = eval(sys.argv[2], {"d": d})
print(int(v) if isinstance(v, bool) else v)
PY
}

# jmetric FILE NAME: one metric of a run's JSON report ("" if missing).
jmetric() {
	jget "$1" "d['metrics'].get('$2', '')"
}

# pcap_counts FILE ADDR PORT: what a libpcap file (read with tcpdump -nr,
# not with natlab) shows of the TCP server at ADDR:PORT, one "key value"
# a line: syn_in (SYNs without ACK to it), synack_out, twack (pure ACKs
# from it to a peer port whose last SYN, less than 1 s before, got no
# SYN-ACK yet: a TIME_WAIT answering a SYN), rst_in (RSTs to it).
pcap_counts() {
	tcpdump -nr "$1" -tt 2>/dev/null | python3 -c '
import re, sys
srv, port = sys.argv[1], sys.argv[2]
pat = re.compile(r"^(\d+\.\d+) IP (\S+)\.(\d+) > (\S+)\.(\d+): "
                 r"Flags \[([^\]]*)\].*?length (\d+)")
n = dict(syn_in=0, synack_out=0, twack=0, rst_in=0)
pending = {}  # peer (addr, port) -> time of its unanswered SYN
for line in sys.stdin:
    m = pat.match(line)
    if not m:
        continue
    t, sa, sp, da, dp, fl, ln = m.groups()
    t, ln = float(t), int(ln)
    if (da, dp) == (srv, port):
        if "S" in fl and "." not in fl:
            n["syn_in"] += 1
            pending[(sa, sp)] = t
        if "R" in fl:
            n["rst_in"] += 1
    elif (sa, sp) == (srv, port):
        peer = (da, dp)
        if "S" in fl and "." in fl:
            n["synack_out"] += 1
            pending.pop(peer, None)
        elif fl == "." and ln == 0 and peer in pending:
            if t - pending.pop(peer) < 1.0:
                n["twack"] += 1
for k, v in n.items():
    print(k, v)
' "$2" "$3"
}

# pcap_val COUNTS KEY: one value of pcap_counts' output.
pcap_val() {
	printf '%s\n' "$1" | awk -v k="$2" '$1 == k { print $2 }'
}

# expect_valid WHAT FILE...: every FILE is valid against the schema in
# docs/schemas/ that its own "schema" member names (scripts/check-json).
expect_valid() {
	local what=$1 out

	shift
	if out=$("$TOP/scripts/check-json" "$@" 2>&1); then
		pass "$what"
	else
		fail "$what" "valid against docs/schemas/" "$out"
	fi
}

# ---- natlab rfc: its JSON report (t-4x tests) ----

# rfc_key ID: the JSON key of a requirement ("REQ-1" stands for RFC
# 5382's, as the TCP tests name them; others are given whole, e.g.
# "4787/REQ-8", "7857/rst").
rfc_key() {
	case $1 in
	REQ-*) printf '5382/%s' "$1" ;;
	*) printf '%s' "$1" ;;
	esac
}

# rfc_verdict JSON ID PROFILE: the verdict of one requirement for one
# profile.
rfc_verdict() {
	jget "$1" "d['requirements']['$(rfc_key "$2")']['results']['$3']['verdict']"
}

# rfc_datum JSON ID PROFILE KEY: one number of a requirement's evidence.
rfc_datum() {
	jget "$1" "d['requirements']['$(rfc_key "$2")']['results']['$3']['data']['$4']"
}

# rfc_evidence JSON ID PROFILE: the evidence text of one requirement for
# one profile.
rfc_evidence() {
	jget "$1" "d['requirements']['$(rfc_key "$2")']['results']['$3']['evidence']"
}

# rfc_behaviour JSON ID PROFILE: the behaviour a mapping or filtering row
# names ("endpoint-independent", ...).
rfc_behaviour() {
	jget "$1" "d['requirements']['$(rfc_key "$2")']['results']['$3'].get('behaviour', '')"
}

# ---- a kernel without a feature (t-76, t-77) ----

# no_nft_shim: build an LD_PRELOAD library under which socket() answers
# a netfilter netlink socket as a kernel without nfnetlink does
# (EPROTONOSUPPORT); print its path.  Fails if there is no C compiler.
no_nft_shim() {
	local so=$T_TMP/no-nft.so

	[ -e "$so" ] && { echo "$so"; return 0; }
	command -v cc >/dev/null || return 1
	cc -shared -fPIC -o "$so" -x c - -ldl <<'C' || return 1
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <linux/netlink.h>
#include <sys/socket.h>
int socket(int domain, int type, int protocol)
{
	static int (*real)(int, int, int);

	if (domain == AF_NETLINK && protocol == NETLINK_NETFILTER) {
		errno = EPROTONOSUPPORT;
		return -1;
	}
	if (!real)
		real = (int (*)(int, int, int))dlsym(RTLD_NEXT, "socket");
	return real(domain, type, protocol);
}
C
	echo "$so"
}

# as_nobody CMD...: run CMD (with run) as the user nobody, no groups.
# NATLAB must be a path nobody can execute (public_natlab).
as_nobody() {
	run setpriv --reuid=nobody --regid=nogroup --clear-groups "$@"
}

# public_natlab: a copy of natlab that every user can run (run-all's
# copy lives in a directory of mode 0700); print its path.
public_natlab() {
	mkdir -p "$T_TMP/pub" && chmod 711 "$T_TMP" && chmod 755 "$T_TMP/pub" &&
		cp "$NATLAB" "$T_TMP/pub/natlab" && chmod 755 "$T_TMP/pub/natlab" &&
		echo "$T_TMP/pub/natlab"
}

# ---- RFC 5780 NAT discovery with coturn (t-78) ----

# udp_send LAB NODE SPORT ADDR PORT: one datagram from a node's port
# SPORT to ADDR:PORT, which makes a mapping at the node's gateway.
udp_send() {
	printf natlab | nsx "$1" "$2" nc -u -w 0 -p "$3" "$4" "$5"
}

# stun_server LAB NODE ADDR ALT: coturn's turnserver in a node, STUN only,
# listening on ADDR and ALT, ports 3478 and 3479 on each: the second
# address and port a CHANGE-REQUEST (RFC 5780) needs.  No configuration
# file, its log, pid file and SQLite database in T_TMP (nothing written
# under /var); its pid in STUN_PID.  Waits (up to 5 s) until it listens
# on ALT:3479, the last socket it opens.
stun_server() {
	local f=$T_TMP/stun-$1-$2 i=0

	bg_nsx "$1" "$2" turnserver -n --stun-only --no-cli --no-tls \
		--no-dtls --no-tcp -L "$3" -L "$4" --log-file "$f.log" \
		--simple-log --no-stdout-log --pidfile "$f.pid" --db "$f.db" \
		>"$f.out" 2>&1
	STUN_PID=$BG_PID
	while ! nsx "$1" "$2" ss -Hnlu "src $4:3479" 2>/dev/null | grep -q .; do
		if [ $i -ge 50 ] || ! alive "$STUN_PID"; then
			echo "turnserver did not listen on $4:3479 in $1-$2:"
			cat "$f.out" "$f.log" 2>/dev/null
			return 1
		fi
		sleep 0.1
		i=$((i + 1))
	done
}

# stun_discover LAB NODE TAG SERVER FLAG...: start coturn's
# turnutils_natdiscovery in a node in the background against the STUN
# server at SERVER:3478 with FLAGs (-H hairpinning, -m mapping, -f
# filtering; -L ADDR -l PORT a local address and port); its pid in
# BG_PID, its output for stun_class under TAG.  An answer not received
# is a 3 s timeout (fixed in natdiscovery): -f against a NAT that
# filters, or -H against one that does not hairpin, takes 6 s.
stun_discover() {
	local f=$T_TMP/natdisc-$1-$2-$3 lab=$1 node=$2 srv=$4

	shift 4
	bg_nsx "$lab" "$node" turnutils_natdiscovery "$@" "$srv" >"$f.out" 2>&1
}

# stun_class LAB NODE TAG WHAT: natdiscovery's answer (run under TAG)
# for WHAT, "mapping" or "filtering": endpoint-independent,
# address-dependent or address-and-port-dependent ("" if it gave none);
# "hairpinning": yes (the second socket's request reached the first
# socket through its mapping) or no.
stun_class() {
	local f=$T_TMP/natdisc-$1-$2-$3.out

	case $4 in
	mapping | filtering)
		sed -n "s/^NAT with \(.*\) ${4^} *!*\$/\1/p" "$f" |
			tr 'A-Z ' 'a-z-' ;;
	hairpinning)
		awk '/^-= Hairpinning/ { h = 1; next } /^-= / { h = 0 }
		     h && /^Received a request/ { y = 1 }
		     END { print y ? "yes" : "no" }' "$f" ;;
	esac
}

# stun_log LAB NODE TAG: what natdiscovery printed, for failures.
stun_log() {
	grep -v '^$' "$T_TMP/natdisc-$1-$2-$3.out" 2>/dev/null | sed 's/^/  /'
}
