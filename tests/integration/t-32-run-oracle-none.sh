#!/bin/bash
# t-32-run-oracle-none: a plain run, nothing to drop.  Four clients with
# the kernel's per-connection timestamp clocks behind one NAT, a server on
# this kernel (no emulated tcp_tw_recycle), 200 connections round-robin,
# 10 ms apart.  Every SYN must get its SYN-ACK: the report's SYNs in and
# SYN-ACKs out equal each other, the counts in the server's pcap (read
# with tcpdump) and the number of attempts; nothing dropped, every
# connection ok.  The CSV has one row per attempt and the SVG is
# well-formed XML.
. "$(dirname "$0")/lib.sh"
require_root

N=200
new_lab LAB
topo=$(topo_nat_lab "$LAB" <<END
[server srv]
listen = 80
close = server
[clients]
count = 4
tsclock = per-connection
[traffic]
conns = $((N / 4))
interval = 10ms
order = round-robin
max = 25s
[expect]
clients.attempts == $N
clients.established == $N
srv.syn_dropped == 0
END
)
J=$T_TMP/run.json
C=$T_TMP/run.csv
S=$T_TMP/run.svg
P=$T_TMP/pcap

run "$NATLAB" run -n "$LAB" --json "$J" --csv "$C" --svg "$S" --pcap "$P" "$topo"
expect_rc "natlab run" 0
expect_gone "$LAB"
for f in "$J" "$C" "$S" "$P/srv-wan.pcap" "$P/gw-wan.pcap"; do
	[ -s "$f" ] || fail "output written" "$f" "missing or empty"
done
[ "$T_FAILED" -gt 0 ] && finish

pc=$(pcap_counts "$P/srv-wan.pcap" 198.51.100.2 80)
echo "pcap of srv:" $pc
p_syn=$(pcap_val "$pc" syn_in)
p_synack=$(pcap_val "$pc" synack_out)

expect_eq "pcap: one SYN per attempt" "$N" "$p_syn"
expect_eq "pcap: one SYN-ACK per attempt" "$N" "$p_synack"
expect_eq "pcap: no pure ACK answered a SYN" 0 "$(pcap_val "$pc" twack)"
expect_eq "pcap: no RST to the server" 0 "$(pcap_val "$pc" rst_in)"
# The gateway's outside link carries the same SYNs.
gc=$(pcap_counts "$P/gw-wan.pcap" 198.51.100.2 80)
expect_eq "pcap of gw: the same SYNs" "$N" "$(pcap_val "$gc" syn_in)"

expect_eq "clients.attempts" "$N" "$(jmetric "$J" clients.attempts)"
expect_eq "srv.syn_in = SYNs in the pcap" "$p_syn" "$(jmetric "$J" srv.syn_in)"
expect_eq "srv.synack_out = SYN-ACKs in the pcap" "$p_synack" "$(jmetric "$J" srv.synack_out)"
expect_eq "srv.syn_dropped" 0 "$(jmetric "$J" srv.syn_dropped)"
expect_eq "srv.paws_passive" 0 "$(jmetric "$J" srv.paws_passive)"
expect_eq "srv.paws_timewait" 0 "$(jmetric "$J" srv.paws_timewait)"
expect_eq "srv.syn_dropped_other" 0 "$(jmetric "$J" srv.syn_dropped_other)"
expect_eq "srv.accepted" "$N" "$(jmetric "$J" srv.accepted)"
expect_eq "gw.mappings" "$N" "$(jmetric "$J" gw.mappings)"
expect_eq "gw.insert_failed" 0 "$(jmetric "$J" gw.insert_failed)"
for k in established first_syn_ok; do
	expect_eq "clients.$k" "$N" "$(jmetric "$J" clients.$k)"
done
for k in failed timeouts resets refused no_port syn_retrans; do
	expect_eq "clients.$k" 0 "$(jmetric "$J" clients.$k)"
done
for c in c1 c2 c3 c4; do
	expect_eq "$c.established" "$((N / 4))" "$(jmetric "$J" $c.established)"
done
expect_eq "connections in the report" "$N" "$(jget "$J" "len(d['connections'])")"
expect_eq "every connection ok, its one SYN answered by a SYN-ACK" "$N" \
	"$(jget "$J" "sum(c['outcome'] == 'ok' and [s['answer'] for s in c.get('syns', [])] == ['synack'] for c in d['connections'])")"
expect_eq "every client's seq 0..$((N / 4 - 1)) once" 1 \
	"$(jget "$J" "all(sorted(c['seq'] for c in d['connections'] if c['client'] == n) == list(range($N // 4)) for n in ('c1', 'c2', 'c3', 'c4'))")"
expect_eq "[expect]: 3 lines, all pass" "3 3" \
	"$(jget "$J" "'%d %d' % (len(d['expect']), sum(e['pass'] for e in d['expect']))")"

# The CSV: a header and one row per attempt, all of them ok.
csv=$(python3 - "$C" <<'PY'
import csv, sys
rows = list(csv.reader(open(sys.argv[1])))
head, body = rows[0], rows[1:]
want = ("client,seq,sport,start_ms,connect_ms,outcome,syn_retrans,"
        "ext_port,syns_sent,syns_dropped,syns_twack").split(",")
print("header", int(head == want))
print("rows", len(body))
print("widths", int(all(len(r) == len(head) for r in body)))
col = {k: i for i, k in enumerate(head)}
print("ok", sum(r[col["outcome"]] == "ok" and r[col["syns_sent"]] == "1"
                and r[col["syns_dropped"]] == "0" for r in body))
print("keys", len({(r[col["client"]], r[col["seq"]]) for r in body}))
PY
)
expect_eq "CSV header" 1 "$(pcap_val "$csv" header)"
expect_eq "CSV rows = attempts" "$N" "$(pcap_val "$csv" rows)"
expect_eq "CSV rows all as wide as the header" 1 "$(pcap_val "$csv" widths)"
expect_eq "CSV rows ok with one SYN, none dropped" "$N" "$(pcap_val "$csv" ok)"
expect_eq "CSV rows: distinct (client, seq)" "$N" "$(pcap_val "$csv" keys)"

# The SVG: well-formed XML, an <svg> root.
svg=$(python3 - "$S" <<'PY' 2>&1
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
print(root.tag)
PY
)
expect_eq "SVG parses as XML with an svg root" "{http://www.w3.org/2000/svg}svg" "$svg"
[ "$T_FAILED" -gt 0 ] && printf '%s\n' "$OUT" "$ERR"

finish
