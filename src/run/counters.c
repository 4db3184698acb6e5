/* counters.c - a node's kernel counters: TcpExt, conntrack, TCP states;
 * a balancer's connections per server. */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lab/lab.h"
#include "lib/ct.h"
#include "lib/diag.h"
#include "lib/netlink.h"
#include "lib/netns.h"
#include "lib/util.h"
#include "run/counters.h"

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

/* The TcpExt and Tcp counters a run reads, and where each goes. */
static const struct {
	const char *section, *field;
	size_t off;
} counters_tcp[] = {
	{"TcpExt", "PAWSTimewait", offsetof(struct counters, paws_timewait)},
	{"TcpExt", "PAWSEstab", offsetof(struct counters, paws_estab)},
	{"TcpExt", "ListenOverflows",
	 offsetof(struct counters, listen_overflows)},
	{"TcpExt", "ListenDrops", offsetof(struct counters, listen_drops)},
	{"TcpExt", "TCPTimeWaitOverflow",
	 offsetof(struct counters, tw_overflow)},
	{"TcpExt", "TWRecycled", offsetof(struct counters, tw_recycled)},
	{"TcpExt", "TCPChallengeACK",
	 offsetof(struct counters, challenge_acks)},
	{"Tcp", "InCsumErrors", offsetof(struct counters, in_csum_errors)},
	{"Tcp", "EstabResets", offsetof(struct counters, estab_resets)},
};

/* The TcpExt and Tcp counters of the namespace this thread is in: TcpExt
 * in /proc/net/netstat, Tcp in /proc/net/snmp. */
static void counters_netstat(struct counters *p)
{
	char *netstat = NULL, *snmp = NULL;
	size_t len, i;
	uint64_t v;

	if (util_read_whole("/proc/thread-self/net/netstat", &netstat, &len))
		netstat = NULL;
	if (util_read_whole("/proc/thread-self/net/snmp", &snmp, &len))
		snmp = NULL;
	for (i = 0; i < ARRAY_SIZE(counters_tcp); i++) {
		const char *text =
			strcmp(counters_tcp[i].section, "Tcp") ? netstat : snmp;

		if (text && !counters_field(text, counters_tcp[i].section,
					    counters_tcp[i].field, &v))
			*(uint64_t *)((char *)p + counters_tcp[i].off) = v;
	}
	free(netstat);
	free(snmp);
}

/* /proc/net/stat/nf_conntrack: a header, then one line of hex fields per
 * CPU; the columns are named in the header. */
static void counters_conntrack(struct counters *p)
{
	char buf[8192], *line, *save = NULL, *hdr;
	int col_if = -1, col_drop = -1, col_clash = -1, col_inv = -1, i;
	long live = ct_count();

	/* Live entries: the kernel's own count includes expired ones until
	 * its garbage collector runs.  0 if conntrack cannot be read. */
	p->ct_count = live > 0 ? (uint64_t)live : 0;
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
	struct netlink dn;
	int err;

	memset(p, 0, sizeof(*p));
	err = netns_enter_node(lab, node);
	if (err)
		return err;
	counters_netstat(p);
	counters_conntrack(p);
	if (!diag_open(&dn)) {
		diag_count(&dn, p->tcp_states);
		netlink_close(&dn);
	}
	return netns_leave();
}

int counters_balancer(const struct topo *t, int b, struct counters *p)
{
	const struct topo_node *n = &t->nodes[b];
	struct nftlb_count c[NFTLB_SERVERS_MAX];
	int got, i, k;

	got = lab_balancer_counts(t->name, n->name, c, NFTLB_SERVERS_MAX);
	for (i = 0; i < got; i++)
		for (k = 0; k < n->lb.nservers; k++)
			if (!strcmp(c[i].name, t->nodes[n->lb.servers[k]].name))
				p->lb_conns[k] = c[i].conns;
	return got < 0 ? got : 0;
}
