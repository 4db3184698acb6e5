#!/bin/bash
# t-65-recycle-vip: a client with the emulated tcp_tw_recycle (model
# 2.6.32) connects to a balancer's virtual address, served in turn by two
# servers whose host clocks are 10 s apart (claim C19).
#
# A capture in the client's namespace (tcpdump) is the oracle:
#   - the servers' clocks: each SYN-ACK's TSval minus its arrival time in
#     ms is constant per server, and the two servers' constants are 10 s
#     apart (a server keeps a host clock as a client does);
#   - seeding: after the first close, every SYN echoes a remembered
#     timestamp as TSecr (2.6.32's tcp_v4_connect());
#   - the seeds' claim, refuted: SYN-ACKs older than the TSecr their SYN
#     carried (web2's) are accepted: the client ACKs them, sends no RST,
#     and tcpprobe connects every time (tcp_rcv_synsent_state_process()
#     never checks a SYN-ACK's TSval against ts_recent).
. "$(dirname "$0")/lib.sh"
require_root

VIP=198.51.100.10
N=6

new_lab LAB
topo=$(topo_file <<END
[lab]
name = $LAB
[network wan]
subnet = 198.51.100.0/24
[network dmz]
subnet = 10.1.0.0/24
[balancer lb]
frontend = wan
backend = dmz
address = $VIP
servers = web1, web2
[server web1]
network = dmz
tsclock = host
ts_offset = 0s
[server web2]
network = dmz
tsclock = host
ts_offset = -10s
[clients]
count = 1
network = wan
legacy.tcp_tw_recycle = 1
legacy.model = 2.6.32
END
)

run "$NATLAB" up "$topo"
expect_rc "natlab up" 0 || finish
probe_server "$LAB" web1 80 --close client || finish
p1=$PROBE_PID
probe_server "$LAB" web2 80 --close client || finish
p2=$PROBE_PID

capture_start "$LAB" c1 wan $((3 * N)) \
	"tcp port 80 and (tcp[tcpflags] & (tcp-syn|tcp-rst) != 0 or (tcp[tcpflags] & (tcp-syn|tcp-ack|tcp-fin|tcp-push) == tcp-ack and tcp[4:4] == 0))" || finish
ok=0
for i in $(seq "$N"); do
	probe_client "$LAB" c1 "$VIP" 80 --timeout 5 --close client
	[ "$PROBE_RES" = ok ] && ok=$((ok + 1))
	sleep 1.2 # the shortened TIME_WAIT (3.5 x RTO) ends; the entry stays
done
pkts=$(capture_stop "$CAP" 2)
expect_eq "tcpprobe connected every time" "$N" "$ok"

# One line per SYN, SYN-ACK or RST: KIND TIME_MS TSVAL TSECR
lines=$(printf '%s\n' "$pkts" | awk '
	{ kind = "" }
	/Flags \[S\]/ { kind = "syn" }
	/Flags \[S\.\]/ { kind = "synack" }
	/Flags \[R/ { kind = "rst" }
	kind != "" {
		val = ecr = ""
		if (match($0, /TS val [0-9]+ ecr [0-9]+/)) {
			split(substr($0, RSTART, RLENGTH), f, " ")
			val = f[3]; ecr = f[5]
		}
		printf "%s %.0f %s %s\n", kind, $1 * 1000, val, ecr
	}')
echo "$lines"
expect_eq "SYNs in the capture" "$N" "$(printf '%s\n' "$lines" | grep -c '^syn ')"
expect_eq "SYN-ACKs in the capture" "$N" "$(printf '%s\n' "$lines" | grep -c '^synack ')"
expect_eq "RSTs from the client" 0 "$(printf '%s\n' "$lines" | grep -c '^rst ')"

# The two clocks: TSval - arrival (ms) per SYN-ACK, two clusters 10 s apart.
spread=$(printf '%s\n' "$lines" | awk '$1 == "synack" {
	d = $3 - $2; if (n++ == 0 || d < lo) lo = d; if (n == 1 || d > hi) hi = d
	} END { print hi - lo }')
if in_range "$spread" 9900 10100; then
	pass "the servers' SYN-ACK clocks are 10 s apart ($spread ms)"
else
	fail "the servers' SYN-ACK clocks are 10 s apart" "9900..10100 ms" "${spread:-none} ms"
fi

# Seeding, and SYN-ACKs older than the seed, accepted.
read -r seeded older <<<"$(printf '%s\n' "$lines" | awk '
	$1 == "syn" { ecr = $4; if (ecr != 0) s++ }
	$1 == "synack" && ecr != 0 && ($3 - ecr > 2147483647 || ($3 < ecr && ecr - $3 < 2147483648)) { o++ }
	END { print s + 0, o + 0 }')"
expect_eq "every SYN after the first echoes a remembered timestamp" $((N - 1)) "$seeded"
if [ "$older" -ge 2 ]; then
	pass "$older SYN-ACKs older than their SYN's TSecr, all accepted"
else
	fail "SYN-ACKs older than their SYN's TSecr" ">= 2" "$older"
fi
engine_sync "$LAB"
expect_eq "the engine seeded as many SYNs" $((N - 1)) "$(engine_stat "$LAB" c1 seeded)"

[ "$T_FAILED" -gt 0 ] && dump_engine "$LAB"
stop_pid "$p1"
stop_pid "$p2"
run "$NATLAB" down "$LAB"
expect_rc "natlab down" 0
expect_gone "$LAB"

finish
