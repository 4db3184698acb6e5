/* lablb.c - a balancer in a lab: its rules sent when the lab is built,
 * its per-server connection counts read back for status and runs. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <libmnl/libmnl.h>

#include "lab/lab.h"
#include "lab/lab_int.h"
#include "lib/log.h"
#include "lib/netlink.h"
#include "lib/netns.h"
#include "lib/nft.h"
#include "lib/nftlb.h"
#include "lib/util.h"

/*
 * The rules are built by lib/nftlb.c from the topology's balancer and
 * sent like a gateway's masquerade: one batch, a kernel error shown with
 * the rule that caused it and the file:line of the balancer's servers.
 * The counts are the counters of its per-server rules, found by their
 * comments with one rule dump in the balancer's namespace: nothing but
 * the namespace is needed, so status reads them without the topology.
 */

_Static_assert(TOPO_LB_SERVERS_MAX == NFTLB_SERVERS_MAX &&
		       TOPO_PORTS_MAX == NFTLB_PORTS_MAX &&
		       TOPO_NODE_MAX < NFTLB_NAME_MAX,
	       "a topology's balancer fits the rule builder");

int lab_balancer_rules(const struct topo *t, const struct topo_node *n)
{
	struct nftlb_server servers[TOPO_LB_SERVERS_MAX];
	struct nftlb lb = {
		.vip = n->ifs[0].addr,
		.ports = n->svc.ports,
		.nports = n->svc.nports,
		.servers = servers,
		.nservers = n->lb.nservers,
		.schedule = n->lb.schedule == TOPO_LB_HASH ? NFTLB_HASH
							   : NFTLB_ROUND_ROBIN,
		.seed = n->lb.seed,
		.snat_addr = n->lb.mode == TOPO_LB_FULLNAT ? n->ifs[1].addr : 0,
	};
	struct nft_batch *nb;
	char why[512] = "";
	int i, err;

	for (i = 0; i < n->lb.nservers; i++) {
		const struct topo_node *s = &t->nodes[n->lb.servers[i]];

		servers[i].addr = s->ifs[0].addr;
		servers[i].name = s->name;
	}
	nb = nft_batch_new();
	if (!nb)
		return -ENOMEM;
	err = nftlb_rules(nb, &lb);
	if (!err)
		err = nft_batch_send(nb, NULL, why, sizeof(why));
	if (err)
		fprintf(stderr, "%s:%d: balancer %s: %s\n", t->file, n->lb.line,
			n->name,
			err == -ENOMEM || !why[0] ? strerror(-err) : why);
	nft_batch_free(nb);
	return err;
}

/* Where the dump's rules go. */
struct lb_counts {
	struct nftlb_count *out;
	int max, n;
};

static int lab_lb_count_cb(const struct nlmsghdr *nlh, void *data)
{
	struct lb_counts *c = data;
	struct nftlb_count one;
	int ret = nftlb_counts_parse(nlh, &one);

	if (ret < 0)
		return MNL_CB_ERROR;
	if (ret && c->n < c->max)
		c->out[c->n++] = one;
	return MNL_CB_OK;
}

int lab_balancer_counts(const char *lab, const char *node,
			struct nftlb_count *out, int max)
{
	uint8_t buf[MNL_SOCKET_BUFFER_SIZE];
	struct lb_counts c = {.out = out, .max = max};
	struct netlink nl;
	size_t len;
	int err;

	err = netns_enter_node(lab, node);
	if (err)
		return err;
	err = netlink_open(&nl, NETLINK_NETFILTER);
	if (!err) {
		len = nftlb_counts_req(buf, netlink_next_seq(&nl));
		err = len ? netlink_talk(&nl, buf, len, 1, lab_lb_count_cb, &c)
			  : -ENOMEM;
		netlink_close(&nl);
	}
	netns_leave();
	/* A namespace without the balancer's table has no counts. */
	if (err == -ENOENT)
		return 0;
	if (err)
		log_errno(err, "balancer %s: its counters", node);
	return err ? err : c.n;
}
