#!/bin/bash
# t-31-run-oracle-timewait: the NAT reuses a 5-tuple that the server still
# holds in TIME_WAIT, on this kernel (no emulated tcp_tw_recycle).
#
# Two clients behind one NAT, each with its own host clock (c2's 1000 s
# behind c1's), both binding source port 40000; the gateway masquerades
# to ports 40000-40001 and forgets a connection 1 s after it entered
# TIME_WAIT (conntrack.tcp_timeout_time_wait = 1).  The server closes
# first, so it is the server that holds each connection in TIME_WAIT
# (60 s).  Not nat.ports = 40000-40000: with a one-port range the
# kernel's NAT keeps the port without asking whether it is taken
# (get_unique_tuple()), so the insert of c2's entry clashes with c1's
# expired one until conntrack's garbage collector removes it, up to a
# minute later; with two ports it asks, and the lookup drops the expired
# entry.
#
#   0 s    c1 connects: NAT port 40000; the server closes; TIME_WAIT at
#          the server for 198.51.100.1:40000, with c1's TSval.
#   1.5 s  c2 connects: the gateway's entry of c1's connection has
#          expired, so the NAT maps c2 to 40000 as well.  The SYN meets
#          the server's TIME_WAIT socket; its TSval is older than the one
#          that socket holds (PAWS): the server answers with a bare ACK
#          and counts TcpExtPAWSTimewait.  c2 answers the ACK with a RST,
#          which kills the TIME_WAIT socket, and retransmits its SYN right
#          away (2 jiffies: tcp_rcv_synsent_state_process() re-arms the
#          retransmit timer with TCP_TIMEOUT_MIN when an ACK in SYN-SENT
#          has the wrong number); that SYN gets a SYN-ACK.
#   5 s    c2 connects once more, and c1 0.2 s later: no PAWS rejection
#          whichever NAT port each gets, since c2's clock is newer than
#          its own and c1's is newer than c2's.  c2 goes first because a
#          connection here ends within a millisecond, and the gateway's
#          NAT may then give the next SYN towards the server the same
#          port, although the old entry is still in its 1 s TIME_WAIT
#          (seen: c2 on 40000 0.4 ms after c1's connection on it).  Had
#          c1 gone first, c2's SYN could meet c1's newer timestamp in the
#          server's TIME_WAIT: a second PAWS rejection.
#
# The report's srv.paws_timewait must be exactly 1, equal to the pure ACKs
# from the server to an unanswered SYN in the server's pcap (tcpdump),
# and to the "twack" answers in the per-connection syns[].
. "$(dirname "$0")/lib.sh"
require_root

new_lab LAB
topo=$(topo_nat_lab "$LAB" <<END
[gateway gw]
nat.ports = 40000-40001
conntrack.tcp_timeout_time_wait = 1
[server srv]
listen = 80
close = server
sysctl.net.ipv4.tcp_timestamps = 1
[clients]
tsclock = host
sport = 40000
conns = 2
[client c1]
ts_offset = 0s
interval = 5200ms
[client c2]
ts_offset = -1000s
start = 1500ms
interval = 3500ms
[traffic]
order = parallel
max = 20s
[expect]
srv.paws_timewait == 1
clients.failed == 0
END
)
J=$T_TMP/run.json
P=$T_TMP/pcap

run "$NATLAB" run -n "$LAB" --json "$J" --pcap "$P" "$topo"
expect_rc "natlab run" 0
expect_gone "$LAB"
[ -s "$J" ] || { fail "JSON report written" "$J" "missing"; finish; }
[ -s "$P/srv-wan.pcap" ] || { fail "pcap of the server written" "$P/srv-wan.pcap" "$(ls -l "$P" 2>&1)"; finish; }

pc=$(pcap_counts "$P/srv-wan.pcap" 198.51.100.2 80)
echo "pcap of srv:" $pc
p_syn=$(pcap_val "$pc" syn_in)
p_synack=$(pcap_val "$pc" synack_out)
p_twack=$(pcap_val "$pc" twack)

# conn CLIENT SEQ EXPR: an expression over one connection (bound to c).
conn() {
	jget "$J" "[$3 for c in d['connections'] if c['client'] == '$1' and c['seq'] == $2][0]"
}

# The scenario, on the wire.
expect_eq "pcap: SYNs at the server (4 connections, one SYN repeated)" 5 "$p_syn"
expect_eq "pcap: SYN-ACKs" 4 "$p_synack"
expect_eq "pcap: pure ACKs answering a SYN" 1 "$p_twack"
expect_eq "pcap: RSTs to the server (c2's answer to the ACK)" 1 "$(pcap_val "$pc" rst_in)"
expect_eq "c1's first connection left the NAT from port 40000" 40000 "$(conn c1 0 "c.get('ext_port')")"
expect_eq "c2's first connection too (the same 5-tuple)" 40000 "$(conn c2 0 "c.get('ext_port')")"

# The report against the pcap.
expect_eq "srv.paws_timewait" 1 "$(jmetric "$J" srv.paws_timewait)"
expect_eq "srv.paws_timewait = TIME_WAIT ACKs in the pcap" "$p_twack" "$(jmetric "$J" srv.paws_timewait)"
expect_eq "srv.syn_in = SYNs in the pcap" "$p_syn" "$(jmetric "$J" srv.syn_in)"
expect_eq "srv.synack_out = SYN-ACKs in the pcap" "$p_synack" "$(jmetric "$J" srv.synack_out)"
expect_eq "srv.syn_dropped: an ACK is an answer" 0 "$(jmetric "$J" srv.syn_dropped)"
expect_eq "srv.paws_passive (no emulation here)" 0 "$(jmetric "$J" srv.paws_passive)"
expect_eq "srv.accepted" 4 "$(jmetric "$J" srv.accepted)"
expect_eq "syns[]: twack answers = srv.paws_timewait" "$(jmetric "$J" srv.paws_timewait)" \
	"$(jget "$J" "sum(s['answer'] == 'twack' for c in d['connections'] for s in c.get('syns', []))")"
expect_eq "syns[]: synack answers = SYN-ACKs in the pcap" "$p_synack" \
	"$(jget "$J" "sum(s['answer'] == 'synack' for c in d['connections'] for s in c.get('syns', []))")"
expect_eq "c2's first connection: [twack, synack]" "['twack', 'synack']" \
	"$(conn c2 0 "[s['answer'] for s in c['syns']]")"

# The client's side of it.
expect_eq "every connection ok" "ok ok ok ok" \
	"$(jget "$J" "' '.join(c['outcome'] for c in d['connections'])")"
expect_eq "c1.first_syn_ok" 2 "$(jmetric "$J" c1.first_syn_ok)"
expect_eq "c2.first_syn_ok (only the second connection)" 1 "$(jmetric "$J" c2.first_syn_ok)"
expect_eq "c2.syn_retrans" 1 "$(jmetric "$J" c2.syn_retrans)"
expect_eq "c2's first connection: one retransmission" 1 "$(conn c2 0 "c['syn_retrans']")"
# Not the 1 s RTO: the quick retransmission after the RST.
ms=$(conn c2 0 "int(c['connect_ms'])")
if in_range "$ms" 1 899; then
	pass "c2's first connect took $ms ms (quick retransmission, < 900 ms)"
else
	fail "c2's first connect: quick retransmission" "1..899 ms" "${ms:-?} ms"
fi
gap=$(conn c2 0 "int(c['syns'][1]['t_ms'] - c['syns'][0]['t_ms'])")
if in_range "$gap" 0 899; then
	pass "c2's second SYN left $gap ms after the first"
else
	fail "c2's second SYN: right after the RST" "0..899 ms" "${gap:-?} ms"
fi
expect_eq "[expect]: 2 lines, all pass" "2 2" \
	"$(jget "$J" "'%d %d' % (len(d['expect']), sum(e['pass'] for e in d['expect']))")"
[ "$T_FAILED" -gt 0 ] && { printf '%s\n' "$OUT" "$ERR"; tcpdump -nr "$P/srv-wan.pcap" 2>/dev/null | head -n 60; }

finish
