/* counters.c - a node's kernel counters: TcpExt, conntrack, TCP states. */
#include <errno.h>
#include <sys/socket.h>

#include <libmnl/libmnl.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/diag.h"
#include "lib/netns.h"
#include "run/counters.h"
#include "lib/util.h"

int counters_field(const char *text, const char *section, const char *field,
		   uint64_t *v)
{
	size_t slen = strlen(section), flen = strlen(field);
	const char *names, *vals, *p, *q;
	int idx = 0;

	/* The names line and the values line both start "Section:". */
	for (names = text; names; names = strchr(names, '\n')) {
		if (*names == '\n')
			names++;
		if (!strncmp(names, section, slen) && names[slen] == ':')
			break;
	}
	if (!names)
		return -ENOENT;
	vals = strchr(names, '\n');
	if (!vals || strncmp(vals + 1, section, slen))
		return -ENOENT;
	vals += 1 + slen + 1;
	for (p = names + slen + 1; *p && *p != '\n';) {
		while (*p == ' ')
			p++;
		q = p;
		while (*q && *q != ' ' && *q != '\n')
			q++;
		if ((size_t)(q - p) == flen && !strncmp(p, field, flen)) {
			while (idx-- > 0) {
				while (*vals == ' ')
					vals++;
				while (*vals && *vals != ' ' && *vals != '\n')
					vals++;
			}
			*v = strtoull(vals, NULL, 10);
			return 0;
		}
		idx++;
		p = q;
	}
	return -ENOENT;
}

static void counters_netstat(struct counters *p)
{
	static char buf[16384];
	uint64_t v;

	if (util_read_file("/proc/thread-self/net/netstat", buf, sizeof(buf)) >
	    0) {
		if (!counters_field(buf, "TcpExt", "PAWSTimewait", &v))
			p->paws_timewait = v;
		if (!counters_field(buf, "TcpExt", "PAWSEstab", &v))
			p->paws_estab = v;
		if (!counters_field(buf, "TcpExt", "ListenOverflows", &v))
			p->listen_overflows = v;
		if (!counters_field(buf, "TcpExt", "ListenDrops", &v))
			p->listen_drops = v;
		if (!counters_field(buf, "TcpExt", "TCPTimeWaitOverflow", &v))
			p->tw_overflow = v;
		if (!counters_field(buf, "TcpExt", "TWRecycled", &v))
			p->tw_recycled = v;
		if (!counters_field(buf, "TcpExt", "TCPChallengeACK", &v))
			p->challenge_acks = v;
	}
	if (util_read_file("/proc/thread-self/net/snmp", buf, sizeof(buf)) >
	    0) {
		if (!counters_field(buf, "Tcp", "InCsumErrors", &v))
			p->in_csum_errors = v;
		if (!counters_field(buf, "Tcp", "EstabResets", &v))
			p->estab_resets = v;
	}
}

/* Live conntrack entries of the current namespace: a ctnetlink dump,
 * which leaves out entries that have expired but not yet been
 * collected.  0 if conntrack cannot be read. */
static uint64_t counters_ct_count(void)
{
	char buf[MNL_SOCKET_BUFFER_SIZE * 4];
	struct mnl_socket *nl;
	struct nlmsghdr *nlh;
	struct nfgenmsg *g;
	uint64_t n = 0;
	int done = 0;

	nl = mnl_socket_open2(NETLINK_NETFILTER, SOCK_CLOEXEC);
	if (!nl)
		return 0;
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0)
		goto out;
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = (NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_GET;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = 1;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->nfgen_family = AF_INET;
	g->version = NFNETLINK_V0;
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		goto out;
	while (!done) {
		ssize_t len = mnl_socket_recvfrom(nl, buf, sizeof(buf));
		const struct nlmsghdr *h = (const struct nlmsghdr *)buf;
		int rem = (int)len;

		if (len <= 0)
			break;
		for (; mnl_nlmsg_ok(h, rem); h = mnl_nlmsg_next(h, &rem)) {
			if (h->nlmsg_type == NLMSG_DONE ||
			    h->nlmsg_type == NLMSG_ERROR) {
				done = 1;
				break;
			}
			n++;
		}
	}
out:
	mnl_socket_close(nl);
	return n;
}

/* /proc/net/stat/nf_conntrack: a header, then one line of hex fields per
 * CPU; the columns are named in the header. */
static void counters_conntrack(struct counters *p)
{
	char buf[8192], *line, *save = NULL, *hdr;
	int col_if = -1, col_drop = -1, col_clash = -1, col_inv = -1, i;

	p->ct_count = counters_ct_count();
	if (util_read_file("/proc/thread-self/net/stat/nf_conntrack", buf,
			   sizeof(buf)) <= 0)
		return;
	hdr = strtok_r(buf, "\n", &save);
	if (!hdr)
		return;
	{
		char *tok, *s2 = NULL;

		for (i = 0, tok = strtok_r(hdr, " ", &s2); tok;
		     tok = strtok_r(NULL, " ", &s2), i++) {
			if (!strcmp(tok, "insert_failed"))
				col_if = i;
			else if (!strcmp(tok, "drop"))
				col_drop = i;
			else if (!strcmp(tok, "clashres"))
				col_clash = i;
			else if (!strcmp(tok, "invalid"))
				col_inv = i;
		}
	}
	while ((line = strtok_r(NULL, "\n", &save))) {
		char *tok, *s2 = NULL;

		for (i = 0, tok = strtok_r(line, " ", &s2); tok;
		     tok = strtok_r(NULL, " ", &s2), i++) {
			uint64_t v = strtoull(tok, NULL, 16);

			if (i == col_if)
				p->ct_insert_failed += v;
			else if (i == col_drop)
				p->ct_drop += v;
			else if (i == col_clash)
				p->ct_clashres += v;
			else if (i == col_inv)
				p->ct_invalid += v;
		}
	}
}

int counters_read(const char *lab, const char *node, struct counters *p)
{
	char ns[128];
	int fd, err, dfd;

	memset(p, 0, sizeof(*p));
	snprintf(ns, sizeof(ns), "%s-%s", lab, node);
	fd = netns_open(ns);
	if (fd < 0)
		return fd;
	err = netns_enter(fd);
	close(fd);
	if (err)
		return err;
	counters_netstat(p);
	counters_conntrack(p);
	dfd = diag_open();
	if (dfd >= 0) {
		diag_count(dfd, p->tcp_states);
		close(dfd);
	}
	return netns_leave();
}
