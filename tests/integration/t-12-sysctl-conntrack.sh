#!/bin/bash
# t-12-sysctl-conntrack: per-node sysctls and per-gateway conntrack
# settings land in the right namespace (read back from /proc/sys inside
# it), a [client cK] value overrides the [clients] one, and the host's own
# values stay as they were.
. "$(dirname "$0")/lib.sh"
require_root

# sysctl_in LAB NODE KEY: a sysctl read inside a node (/proc/sys of the
# reader's network namespace).
sysctl_in() {
	nsx "$1" "$2" cat "/proc/sys/$(echo "$3" | tr . /)" 2>&1
}

host_ts=$(cat /proc/sys/net/ipv4/tcp_timestamps)
host_syn=$(cat /proc/sys/net/ipv4/tcp_syn_retries)
host_tw=$(cat /proc/sys/net/netfilter/nf_conntrack_tcp_timeout_time_wait 2>/dev/null)

new_lab LAB
topo=$(topo_lab "$LAB" <<END
[gateway gw]
conntrack.tcp_timeout_time_wait = 7
conntrack.udp_timeout = 11
[server srv]
sysctl.net.ipv4.tcp_timestamps = 0
[clients]
count = 3
sysctl.net.ipv4.tcp_syn_retries = 2
[client c2]
sysctl.net.ipv4.tcp_syn_retries = 4
END
)

run "$NATLAB" up "$topo"
expect_rc "up" 0 || finish

expect_eq "srv: tcp_timestamps" 0 "$(sysctl_in "$LAB" srv net.ipv4.tcp_timestamps)"
expect_eq "c1: tcp_syn_retries from [clients]" 2 "$(sysctl_in "$LAB" c1 net.ipv4.tcp_syn_retries)"
expect_eq "c2: tcp_syn_retries from [client c2]" 4 "$(sysctl_in "$LAB" c2 net.ipv4.tcp_syn_retries)"
expect_eq "c3: tcp_syn_retries from [clients]" 2 "$(sysctl_in "$LAB" c3 net.ipv4.tcp_syn_retries)"
expect_eq "gw: nf_conntrack_tcp_timeout_time_wait" 7 \
	"$(sysctl_in "$LAB" gw net.netfilter.nf_conntrack_tcp_timeout_time_wait)"
expect_eq "gw: nf_conntrack_udp_timeout" 11 \
	"$(sysctl_in "$LAB" gw net.netfilter.nf_conntrack_udp_timeout)"
expect_eq "gw: ip_forward" 1 "$(sysctl_in "$LAB" gw net.ipv4.ip_forward)"

# The setting is live: a closed connection's entry in the gateway times
# out of TIME_WAIT within 7 s, not the default 120.
srv=$(addr_of "$LAB" srv wan)
tcp_listen "$LAB" srv 8012 || fail "nc server in srv"
run tcp_send "$LAB" c1 "$srv" 8012 "hi"
expect_rc "c1 connects to srv" 0
tcp_done "$LAB" srv 8012
for _ in 1 2 3 4 5 6 7 8 9 10; do	# the last ACK may still be on its way
	left=$(nsx "$LAB" gw conntrack -L -p tcp --orig-port-dst 8012 2>/dev/null |
		awk '/TIME_WAIT/ { print $3 }')
	[ -n "$left" ] && break
	sleep 0.1
done
if in_range "$left" 0 7; then
	pass "gw: TIME_WAIT entry expires in $left s (<= 7)"
else
	fail "gw: TIME_WAIT entry timeout" "0..7 s" "${left:-no TIME_WAIT entry}"
fi

expect_eq "host tcp_timestamps unchanged" "$host_ts" "$(cat /proc/sys/net/ipv4/tcp_timestamps)"
expect_eq "host tcp_syn_retries unchanged" "$host_syn" "$(cat /proc/sys/net/ipv4/tcp_syn_retries)"
expect_eq "host nf_conntrack_tcp_timeout_time_wait unchanged" "$host_tw" \
	"$(cat /proc/sys/net/netfilter/nf_conntrack_tcp_timeout_time_wait 2>/dev/null)"

finish
