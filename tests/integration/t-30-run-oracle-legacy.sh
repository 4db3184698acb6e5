#!/bin/bash
# t-30-run-oracle-legacy: natlab run's server numbers against an
# independent count.  A server with the emulated tcp_tw_recycle (model
# 4.4, PAWS window 3 s) closes first; c1's clock leads, c2's is 10 s
# behind.  c1 connects every 300 ms, so the server always holds a fresh
# TSval of c1's for the NAT's address, and every SYN of c2 (two per
# attempt: connect_timeout 1.5 s, half a second from both its SYNs) is dropped silently.  c2's attempts
# (0.2 s to 1.7 s, 500 ms apart) all time out by 3.7 s, while c1's last
# close (2.7 s) is still within the window: no connection of c2 is ever
# accepted, 18 SYNs reach the server and 10 are answered.
#
# The run writes its JSON report and, with --pcap, a libpcap file of the
# server's interface; tcpdump reads it here.  The server's SYNs in,
# SYN-ACKs out and silent drops in the report must equal the counts in
# that file, and the answers listed per connection (syns[], from natlab's
# own capture on the switch) must add up to the same totals.  No SYN of
# this scenario meets a TIME_WAIT socket: no TIME_WAIT ACK anywhere.
. "$(dirname "$0")/lib.sh"
require_root

new_lab LAB
topo=$(topo_nat_lab "$LAB" <<END
[server srv]
listen = 80
close = server
sysctl.net.ipv4.tcp_timestamps = 1
legacy.tcp_tw_recycle = 1
legacy.model = 4.4
legacy.paws_msl = 3s
[clients]
tsclock = host
[client c1]
ts_offset = 0s
conns = 10
interval = 300ms
[client c2]
ts_offset = -10s
conns = 4
start = 200ms
interval = 500ms
connect_timeout = 1500ms
[traffic]
order = parallel
max = 20s
[expect]
srv.paws_passive == 8
c1.first_syn_ok == 10
c2.timeouts == 4
END
)
J=$T_TMP/run.json
P=$T_TMP/pcap

run "$NATLAB" run -n "$LAB" --json "$J" --pcap "$P" "$topo"
expect_rc "natlab run" 0
expect_gone "$LAB"
[ -s "$J" ] || { fail "JSON report written" "$J" "missing"; finish; }
expect_eq "schema" "natlab-run/1" "$(jget "$J" "d['schema']")"
expect_eq "lab name in the report" "$LAB" "$(jget "$J" "d['lab']")"
expect_valid "the report against docs/schemas/natlab-run.schema.json" "$J"
[ -s "$P/srv-wan.pcap" ] || { fail "pcap of the server written" "$P/srv-wan.pcap" "$(ls -l "$P" 2>&1)"; finish; }

pc=$(pcap_counts "$P/srv-wan.pcap" 198.51.100.2 80)
p_syn=$(pcap_val "$pc" syn_in)
p_synack=$(pcap_val "$pc" synack_out)
p_twack=$(pcap_val "$pc" twack)
echo "pcap of srv:" $pc

# The scenario itself, exactly: 10 + 4 * 2 SYNs, 10 answered.
expect_eq "pcap: SYNs arriving at the server" 18 "$p_syn"
expect_eq "pcap: SYN-ACKs leaving the server" 10 "$p_synack"
expect_eq "pcap: no pure ACK answered a SYN" 0 "$p_twack"

# The report against the pcap.
expect_eq "srv.syn_in = SYNs in the pcap" "$p_syn" "$(jmetric "$J" srv.syn_in)"
expect_eq "srv.synack_out = SYN-ACKs in the pcap" "$p_synack" "$(jmetric "$J" srv.synack_out)"
expect_eq "srv.syn_dropped = SYNs - SYN-ACKs" "$((p_syn - p_synack))" "$(jmetric "$J" srv.syn_dropped)"
expect_eq "srv.paws_passive = SYNs - SYN-ACKs" "$((p_syn - p_synack))" "$(jmetric "$J" srv.paws_passive)"
expect_eq "srv.syn_dropped_other" 0 "$(jmetric "$J" srv.syn_dropped_other)"
expect_eq "srv.paws_timewait" 0 "$(jmetric "$J" srv.paws_timewait)"
expect_eq "srv.accepted = SYN-ACKs in the pcap" "$p_synack" "$(jmetric "$J" srv.accepted)"
# SYNs the clients sent (first ones and retransmissions) all arrived.
expect_eq "clients.attempts + clients.syn_retrans = SYNs in the pcap" "$p_syn" \
	"$(jget "$J" "d['metrics']['clients.attempts'] + d['metrics']['clients.syn_retrans']")"

# The per-connection answers add up to the same totals.
answers() {	# answers WHAT: how many SYN transmissions got that answer
	jget "$J" "sum(s['answer'] == '$1' for c in d['connections'] for s in c.get('syns', []))"
}
expect_eq "every connection has its syns[]" 14 \
	"$(jget "$J" "sum('syns' in c for c in d['connections'])")"
expect_eq "syns[]: transmissions that reached the server = SYNs in the pcap" "$p_syn" \
	"$(jget "$J" "sum(s['answer'] != 'lost' for c in d['connections'] for s in c['syns'])")"
expect_eq "syns[]: answered by a SYN-ACK = SYN-ACKs in the pcap" "$p_synack" "$(answers synack)"
expect_eq "syns[]: answered by nothing = SYNs - SYN-ACKs" "$((p_syn - p_synack))" "$(answers none)"
expect_eq "syns[]: TIME_WAIT ACKs" 0 "$(answers twack)"
expect_eq "syns[]: RSTs" 0 "$(answers rst)"
expect_eq "syns[]: lost on the way" 0 "$(answers lost)"
expect_eq "c2's connections: every SYN dropped, [none, none] each" 4 \
	"$(jget "$J" "sum([s['answer'] for s in c['syns']] == ['none', 'none'] for c in d['connections'] if c['client'] == 'c2')")"
expect_eq "c1's connections: [synack] each" 10 \
	"$(jget "$J" "sum([s['answer'] for s in c['syns']] == ['synack'] for c in d['connections'] if c['client'] == 'c1')")"

# The client side and the [expect] section.
expect_eq "c1.established" 10 "$(jmetric "$J" c1.established)"
expect_eq "c2.established" 0 "$(jmetric "$J" c2.established)"
expect_eq "c2.timeouts" 4 "$(jmetric "$J" c2.timeouts)"
expect_eq "c2.syn_retrans" 4 "$(jmetric "$J" c2.syn_retrans)"
expect_eq "[expect]: 3 lines, all pass" "3 3" \
	"$(jget "$J" "'%d %d' % (len(d['expect']), sum(e['pass'] for e in d['expect']))")"
[ "$T_FAILED" -gt 0 ] && { printf '%s\n' "$OUT" "$ERR"; tcpdump -nr "$P/srv-wan.pcap" 2>/dev/null | grep -F 'Flags [S' | head -n 40; }

finish
