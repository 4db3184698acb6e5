#!/bin/bash
# t-35-curl-nginx: real programs in a lab.  nginx runs in the server's
# namespace (natlab exec), with a configuration of this test's own (all
# its files in the test's temporary directory, keepalive_timeout 0 so that
# it closes each connection; gzip without chunking, so that a page has no
# length and only nginx's close ends it, and curl cannot close first);
# curl fetches a page from each of two clients with host clocks behind the
# NAT.  Both get 200 and the page; nginx logs the gateway's outside
# address as the peer, and the server holds every connection in TIME_WAIT
# (it closed first), towards that address; the clients hold none.
#
# nginx and curl are Debian packages (nginx-light, curl); when missing
# they are installed with apt-get, as scripts/setup does.
. "$(dirname "$0")/lib.sh"
require_root

# install_web: apt-get install nginx-light and curl (after an apt-get
# update if the first try fails).  The package must not start an nginx
# in the host's namespace: without a policy-rc.d (Debian's way to say
# "start no service now") one that refuses is in place for the install.
install_web() {
	local policy=/usr/sbin/policy-rc.d made=0 rc

	if [ ! -e "$policy" ]; then
		printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod 755 "$policy" && made=1
	fi
	export DEBIAN_FRONTEND=noninteractive
	apt-get install -y -qq nginx-light curl >"$T_TMP/apt.log" 2>&1 ||
		{ apt-get update -qq >>"$T_TMP/apt.log" 2>&1 &&
		  apt-get install -y -qq nginx-light curl >>"$T_TMP/apt.log" 2>&1; }
	rc=$?
	[ $made = 1 ] && rm -f "$policy"
	return $rc
}

if ! command -v nginx >/dev/null || ! command -v curl >/dev/null; then
	echo "installing nginx-light and curl"
	install_web ||
		skip "nginx-light/curl missing and apt-get install failed: $(tail -n 3 "$T_TMP/apt.log" | tr '\n' ' ')"
	command -v nginx >/dev/null && command -v curl >/dev/null ||
		skip "nginx or curl still missing after apt-get install"
fi

new_lab LAB
topo=$(topo_nat_lab "$LAB" <<END
[server srv]
sysctl.net.ipv4.tcp_timestamps = 1
[clients]
tsclock = host
[client c2]
ts_offset = -10s
END
)
run "$NATLAB" up "$topo"
expect_rc "natlab up" 0 || finish
srv=$(addr_of "$LAB" srv wan)
gw=$(addr_of "$LAB" gw wan)
expect_eq "server address" 198.51.100.2 "$srv"
expect_eq "gateway's outside address" 198.51.100.1 "$gw"

D=$T_TMP/nginx
mkdir -p "$D/www"
echo "natlab page $LAB" >"$D/www/index.html"
cat >"$D/nginx.conf" <<END
user root;
daemon on;
worker_processes 1;
pid $D/nginx.pid;
error_log $D/error.log;
events {
	worker_connections 64;
}
http {
	access_log $D/access.log;
	keepalive_timeout 0;
	gzip on;
	gzip_min_length 1;
	chunked_transfer_encoding off;
	client_body_temp_path $D/body;
	proxy_temp_path $D/proxy;
	fastcgi_temp_path $D/fastcgi;
	uwsgi_temp_path $D/uwsgi;
	scgi_temp_path $D/scgi;
	server {
		listen 80;
		root $D/www;
	}
}
END

run "$NATLAB" exec "$LAB" srv -- nginx -p "$D" -e "$D/error.log" -c "$D/nginx.conf"
expect_rc "nginx starts in srv" 0 || { cat "$D/error.log" 2>/dev/null; finish; }
NGX=""
i=0
while [ -z "$NGX" ] && [ $i -lt 50 ]; do
	NGX=$(cat "$D/nginx.pid" 2>/dev/null)
	[ -n "$NGX" ] || sleep 0.1
	i=$((i + 1))
done
[ -n "$NGX" ] && alive "$NGX" ||
	{ fail "nginx master runs" "a pid in $D/nginx.pid" "'$NGX'"; cat "$D/error.log" 2>/dev/null; finish; }
T_PIDS="$T_PIDS $NGX"	# stopped by cleanup if the test ends early
expect_eq "nginx runs in srv's network namespace" \
	"$(stat -L -c %i "/run/netns/$LAB-srv")" "$(stat -L -c %i "/proc/$NGX/ns/net")"
expect_match "nginx listens on port 80 in srv" ":80 " "$(nsx "$LAB" srv ss -Hltn)"
expect_eq "nothing listens on port 80 in c1" "" "$(nsx "$LAB" c1 ss -Hltn '( sport = :80 )')"

for c in c1 c2; do
	run "$NATLAB" exec "$LAB" $c -- curl -s --compressed -m 5 -o /dev/null -w '%{http_code}' "http://$srv/"
	expect_rc "$c: curl" 0
	expect_eq "$c: HTTP status" 200 "$OUT"
done
run "$NATLAB" exec "$LAB" c1 -- curl -s --compressed -m 5 "http://$srv/index.html"
expect_eq "c1: the page" "natlab page $LAB" "$OUT"

# nginx saw the NAT's address, three times.
peers=$(awk '{ print $1 }' "$D/access.log" 2>/dev/null | sort | uniq -c | awk '{ print $1, $2 }')
expect_eq "access log: 3 requests, all from the gateway's address" "3 $gw" "$peers"

# The server closed first: its TIME_WAIT sockets face the gateway.
# curl is done once it sent its FIN: give the FIN a moment to get there.
i=0
while tw=$(nsx "$LAB" srv ss -Htan state time-wait) &&
	[ "$(printf '%s\n' "$tw" | grep -c .)" -lt 3 ] && [ $i -lt 30 ]; do
	sleep 0.1
	i=$((i + 1))
done
expect_eq "srv: three connections in TIME_WAIT" 3 "$(printf '%s\n' "$tw" | grep -c .)"
expect_eq "srv: each from $srv:80 to the gateway's $gw" 3 \
	"$(printf '%s\n' "$tw" | awk -v s="$srv:80" -v g="$gw" '$(NF - 1) == s && index($NF, g ":") == 1' | grep -c .)"
for c in c1 c2; do
	expect_eq "$c: no connection in TIME_WAIT (it closed second)" "" \
		"$(nsx "$LAB" $c ss -Htan state time-wait)"
done

# Stop nginx by the pid from its pid file.
kill -TERM "$NGX"
i=0
while alive "$NGX" && [ $i -lt 50 ]; do
	sleep 0.1
	i=$((i + 1))
done
if alive "$NGX"; then
	fail "nginx stops on SIGTERM" "gone within 5 s" "pid $NGX alive"
else
	pass "nginx (pid $NGX) stopped"
	forget_pid "$NGX"
fi
expect_eq "no process left in srv" "" "$(ip netns pids "$LAB-srv")"

run "$NATLAB" down "$LAB"
expect_rc "natlab down" 0
expect_gone "$LAB"

finish
