#!/bin/bash
# t-67-run-many: the reports of a run of many clients.  300 clients with
# random host clocks behind one NAT, one connection each, 5 ms apart, to a
# server with the emulated tcp_tw_recycle (PAWS window 2 s), each client
# giving up after one SYN retry: about half of the clients lose SYNs.  Past 32 clients the table summarises them (the
# "300 clients:" line, the distributions) and shows the 10 worst; the
# JSON still holds every client and every connection, the CSV a row per
# connection, and the SVG is well-formed (xmllint) and in aggregate mode.
# Independent counts: the SYNs reaching the server in the server's pcap
# (tcpdump) equal the JSON's srv.syn_in and the SYN transmissions its
# connections list as reaching the server; the worst client shown is one with the most drops in the
# JSON's per-connection answers.  A second run of the same lab without
# the legacy server, with --clients all, prints every client's row once.
. "$(dirname "$0")/lib.sh"
require_root
command -v xmllint >/dev/null || skip "xmllint is not installed (libxml2-utils)"

N=300
TRAFFIC="[server srv]
listen = 80
close = server
[clients]
conns = 1
[traffic]
interval = 5ms
order = round-robin
max = 40s"
new_lab LAB
legacy=$(topo_legacy_lab "$LAB" 1 1 4.4 2s legacy <<END
[network lan]
subnet = 10.0.0.0/16
[clients]
count = $N
ts_offset = random
seed = 7
$TRAFFIC
END
)
topo=$(big_topo "$LAB" $N <<END
$TRAFFIC
END
)
J=$T_TMP/run.json
C=$T_TMP/run.csv
S=$T_TMP/run.svg
P=$T_TMP/pcap
mkdir -p "$P"

run "$NATLAB" run -n "$LAB" --json "$J" --csv "$C" --svg "$S" --pcap "$P" "$legacy"
expect_rc "natlab run, $N clients" 0
expect_gone "$LAB"
table=$OUT
echo "$table" | head -n 8

# The table: the summary and the 10 worst, not a row per client.
expect_match "the summary's headline" "^$N clients: [0-9]+ with SYNs dropped silently, [0-9]+ without; " "$table"
expect_match "the distributions' header" "^PER CLIENT +MIN +P50 +P90 +P99 +MAX$" "$table"
expect_match "the connect times of every established connection" "^connect, [0-9]+ conns " "$table"
expect_match "the worst clients' heading" "^the 10 clients with the most SYNs dropped" "$table"
expect_eq "10 client rows" 10 "$(printf '%s\n' "$table" | grep -cE '^c[0-9]+ ')"
expect_eq "the row of all clients" 1 "$(printf '%s\n' "$table" | grep -cE '^all ')"

# The JSON keeps every client and connection.
expect_valid "JSON: the report of $N clients against its schema" "$J"
expect_eq "JSON: $N client nodes" $N "$(jget "$J" "sum(n['kind'] == 'client' for n in d['nodes'])")"
expect_eq "JSON: $N connections, one per client" "$N $N" \
	"$(jget "$J" "'%d %d' % (len(d['connections']), len(set(c['client'] for c in d['connections'])))")"
expect_eq "JSON: every client's metrics" $N "$(jget "$J" "sum(k.endswith('.syn_dropped') and k[0] == 'c' and k[1].isdigit() for k in d['metrics'])")"
expect_eq "CSV: a row per connection" $((N + 1)) "$(wc -l <"$C")"

# The pcap against the report.
[ -s "$P/srv-wan.pcap" ] || { fail "pcap of the server written" "$P/srv-wan.pcap" "$(ls -l "$P" 2>&1)"; finish; }
p_syn=$(pcap_val "$(pcap_counts "$P/srv-wan.pcap" 198.51.100.2 80)" syn_in)
echo "pcap of srv: $p_syn SYNs in"
expect_eq "SYNs in the pcap = the transmissions of every connection's syns[] that reached the server" "$p_syn" \
	"$(jget "$J" "sum(s['answer'] != 'lost' for c in d['connections'] for s in c.get('syns', []))")"
expect_eq "SYNs in the pcap = srv.syn_in" "$p_syn" "$(jmetric "$J" srv.syn_in)"
if in_range "$(jmetric "$J" srv.syn_dropped)" 1 100000; then
	pass "some SYNs were dropped ($(jmetric "$J" srv.syn_dropped))"
else
	fail "some SYNs were dropped" "> 0" "$(jmetric "$J" srv.syn_dropped)"
fi
# The first worst row: a client with the most unanswered SYNs in the
# JSON's per-connection answers (the capture's, not the metrics').
most=$(jget "$J" "max(sum(s['answer'] == 'none' for s in c.get('syns', [])) for c in d['connections'])")
first=$(printf '%s\n' "$table" | grep -E '^c[0-9]+ ' | head -n 1 | awk '{ print $1 }')
expect_eq "the first worst client, $first, lost the most SYNs ($most)" "$most" \
	"$(jget "$J" "sum(s['answer'] == 'none' for c in d['connections'] if c['client'] == '$first' for s in c.get('syns', []))")"

# The picture: well formed, in aggregate, no lane per client.
if xmllint --noout "$S" 2>"$T_TMP/xmllint.err"; then
	pass "the SVG is well-formed XML"
else
	fail "the SVG is well-formed XML" "xmllint: no error" "$(head -n 5 "$T_TMP/xmllint.err")"
fi
svg=$(cat "$S")
expect_match "SVG: in aggregate" "in aggregate: more clients than a lane each fits" "$svg"
expect_match "SVG: SYNs over time by answer" "<g id='syns-by-time'>" "$svg"
expect_match "SVG: answered = SYN-ACKs in the report" "answered $(jmetric "$J" srv.synack_out), " "$svg"
expect_match "SVG: clients by drops" "<g id='clients-by-drops'>" "$svg"
expect_match "SVG: connections by connect time, those established" "\\): $(jmetric "$J" clients.established) connections</text>" "$svg"
expect_no_match "SVG: no lane per client" "<text x='10' y='[0-9]+'>c1</text>" "$svg"

# --clients all: every client's row, once each, after the summary.
new_lab LAB2
run "$NATLAB" run -n "$LAB2" --clients all "$topo"
expect_rc "natlab run --clients all" 0
expect_gone "$LAB2"
expect_match "--clients all: the summary too" "^$N clients: " "$OUT"
expect_eq "--clients all: c1..c$N, once each" "$(seq 1 $N | sed 's/^/c/' | sort)" \
	"$(printf '%s\n' "$OUT" | grep -E '^c[0-9]+ ' | awk '{ print $1 }' | sort)"
run "$NATLAB" run -n "$LAB2" --clients none "$topo"
expect_rc "--clients none: refused" 2
expect_match "--clients none: why" "expected all, auto or a number" "$ERR"
expect_gone "$LAB2"

finish
