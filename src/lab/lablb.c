/* lablb.c - a balancer in a lab: its rules sent when the lab is built,
 * its per-server connection counts read back for status and runs. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "lab/lab.h"
#include "lab/lab_int.h"
#include "lib/log.h"
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

int lab_balancer_counts(const char *lab, const char *node,
			struct nftlb_count *out, int max)
{
	int n = netns_enter_node(lab, node);

	if (n)
		return n;
	n = nftlb_counts(out, max);
	netns_leave();
	if (n < 0)
		log_errno(n, "balancer %s: its counters", node);
	return n;
}
