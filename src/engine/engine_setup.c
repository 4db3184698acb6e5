/* engine_setup.c - the engine's set-up of each node: the clock program or
 * the queue rules, the kernel's own tcp_tw_recycle, the queue itself. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>

#include <net/if.h>

#include <linux/netfilter.h>

#include "engine/engine_int.h"
#include "engine/legacy.h"
#include "engine/tsbpf.h"
#include "lib/log.h"
#include "lib/netns.h"
#include "lib/nfq.h"
#include "lib/nft.h"
#include "lib/sysctl.h"

/*
 * Set-up runs once, before the loop: first the plan of which host-clock
 * clients keep their clock in the tc program (engine_setup_plan_bpf()),
 * then each node in its own namespace (engine_setup_node()), in named
 * steps: the program attached, else the kernel's own tcp_tw_recycle used
 * if it has one, the rules that queue what the node needs, the queue bound,
 * and what a legacy server needs (engine_legacy.c).
 */

#define ENG_QUEUE     0
#define ENG_CHAIN_IN  "engine_in"
#define ENG_CHAIN_OUT "engine_out"

/* The closing set's elements: twice TCP_TIMEWAIT_LEN, as long as a close
 * that ends in a re-armed TIME_WAIT goes on.  The set holds the closes of
 * that long (a lab of many clients makes many). */
#define ENG_CLOSING_TIMEOUT_MS 120000
#define ENG_CLOSING_SIZE       262144

/*
 * A legacy host's rules (no clock, no fault: those queue everything):
 * SYNs in (the listener's check) and, on a 2.6.32 client, out (the TSecr
 * it seeds); FINs and RSTs both ways; and every segment of a connection
 * once the host has sent its FIN (the closing set), for the close the
 * model follows.
 */
static int engine_setup_legacy_rules(struct nft_batch *b,
				     const struct eng_node *n,
				     const struct nft_queue *all)
{
	const struct nft_closing cl = {
		.in_chain = ENG_CHAIN_IN,
		.out_chain = ENG_CHAIN_OUT,
		.timeout_ms = ENG_CLOSING_TIMEOUT_MS,
		.size = ENG_CLOSING_SIZE,
	};
	struct nft_queue syn = *all, finrst = *all;
	int err;

	syn.mask = PKT_SYN | PKT_ACK;
	syn.value = PKT_SYN;
	finrst.mask = PKT_FIN | PKT_RST;
	finrst.neq = 1;
	err = nft_engine_closing_set(b, &cl);
	if (!err)
		err = nft_engine_closing_add(b, &cl);
	syn.chain = ENG_CHAIN_IN;
	if (!err)
		err = nft_engine_queue(b, &syn);
	syn.chain = ENG_CHAIN_OUT;
	if (!err && n->tn->legacy.model == TOPO_LEGACY_2_6_32 &&
	    n->tn->kind != TOPO_SERVER)
		err = nft_engine_queue(b, &syn);
	finrst.chain = ENG_CHAIN_IN;
	if (!err)
		err = nft_engine_queue(b, &finrst);
	finrst.chain = ENG_CHAIN_OUT;
	if (!err)
		err = nft_engine_queue(b, &finrst);
	if (!err)
		err = nft_engine_closing_queue(b, &cl, all);
	return err;
}

/* The rules a node needs, in one batch; compat picks the xtables target. */
static int engine_setup_rules(struct eng_node *n, int compat, int fail_open,
			      char *why, size_t whylen)
{
	struct nft_queue all = {
		.num = ENG_QUEUE, .bypass = fail_open, .compat = compat};
	struct nft_batch *b = nft_batch_new();
	int err, every = n->clock || n->faults.n;

	if (!b)
		return -ENOMEM;
	err = nft_engine_chain(b, ENG_CHAIN_IN, NF_INET_LOCAL_IN, 0);
	if (!err)
		err = nft_engine_chain(b, ENG_CHAIN_OUT, NF_INET_LOCAL_OUT, 0);
	if (!err && every) {
		all.chain = ENG_CHAIN_IN;
		err = nft_engine_queue(b, &all);
		all.chain = ENG_CHAIN_OUT;
		if (!err)
			err = nft_engine_queue(b, &all);
	} else if (!err) {
		err = engine_setup_legacy_rules(b, n, &all);
	}
	if (!err)
		err = nft_batch_send(b, NULL, why, whylen);
	else
		snprintf(why, whylen, "building rules: %s", strerror(-err));
	nft_batch_free(b);
	return err;
}

/* The node's queue rules: the native queue expression first; without
 * CONFIG_NFT_QUEUE the kernel refuses the whole batch and the xtables
 * target through nft_compat does the same job (then for every node). */
static int engine_setup_queue_rules(struct engine *e, struct eng_node *n)
{
	int fail_open = e->t->fail_open, err;
	char why[512];

	err = e->compat ? -ENOENT
			: engine_setup_rules(n, 0, fail_open, why, sizeof(why));
	if (err) {
		err = engine_setup_rules(n, 1, fail_open, why, sizeof(why));
		if (!err && !e->compat) {
			e->compat = 1;
			log_info("engine: no nftables queue expression here; "
				 "using the xtables NFQUEUE target");
		}
	}
	if (err)
		log_err("engine: %s: %s", n->ns, why);
	return err;
}

/* Bind the node's queue, and open its counters (drops) if it can. */
static int engine_setup_bind(struct engine *e, struct eng_node *n)
{
	int err;

	n->q = nfq_open(e->io, ENG_QUEUE, e->t->queue_len, e->t->fail_open);
	if (!n->q) {
		err = -errno;
		log_errno(err, "engine: %s: cannot bind NFQUEUE %d", n->ns,
			  ENG_QUEUE);
		return err;
	}
	n->queue_stats_fd = open("/proc/thread-self/net/netfilter/"
				 "nfnetlink_queue",
				 O_RDONLY | O_CLOEXEC);
	return 0;
}

/* A kernel older than 4.12 still has the real tcp_tw_recycle: use it, and
 * say so, rather than emulate it (n->native; the model is freed). */
static int engine_setup_native(struct eng_node *n)
{
	char val[16];
	int err;

	if (sysctl_get("net.ipv4.tcp_tw_recycle", val, sizeof(val)))
		return 0;
	err = sysctl_set("net.ipv4.tcp_tw_recycle", "1");
	if (err) {
		log_errno(err, "engine: %s: tcp_tw_recycle", n->ns);
		return err;
	}
	engine_legacy_fini(n);
	n->native = 1;
	log_info("engine: %s: using the kernel's own tcp_tw_recycle", n->ns);
	return 0;
}

/* Attach the clock program to every interface of a client (the caller
 * has entered its namespace). */
static int engine_setup_attach_bpf(struct engine *e, struct eng_node *n)
{
	char why[256];
	int k, err = 0;

	for (k = 0; !err && k < n->tn->nifs; k++) {
		const char *ifname = e->t->nets[n->tn->ifs[k].net].name;
		int ifindex = (int)if_nametoindex(ifname);

		if (!ifindex) {
			err = -errno;
			snprintf(why, sizeof(why), "interface %s: %s", ifname,
				 strerror(errno));
			break;
		}
		err = tsbpf_attach(e->bpf, ifindex, !e->t->fail_open, why,
				   sizeof(why));
	}
	if (err)
		log_warn("engine: %s: cannot attach the clock program (%s); "
			 "its clock goes through NFQUEUE",
			 n->ns, why);
	return err;
}

/* One node, in its namespace.  A client whose program does not attach
 * falls back to the queue; a node left with nothing to queue (only the
 * kernel's own tcp_tw_recycle) gets no queue. */
static int engine_setup_node(struct engine *e, struct eng_node *n)
{
	int err = 0;

	n->nsfd = netns_open(n->ns);
	if (n->nsfd < 0) {
		log_errno(n->nsfd, "engine: namespace %s", n->ns);
		return n->nsfd;
	}
	err = netns_enter(n->nsfd);
	if (err)
		return err;
	if (n->bpf && !engine_setup_attach_bpf(e, n)) {
		/* its links need no descriptor of the namespace: with
		 * thousands of clients, two descriptors each are enough */
		close(n->nsfd);
		n->nsfd = -1;
		goto out;
	}
	n->bpf = 0;
	if (n->lg) {
		err = engine_setup_native(n);
		if (err || (n->native && !n->clock && !n->faults.n))
			goto out; /* nothing left to queue here */
	}
	err = engine_setup_queue_rules(e, n);
	if (!err)
		err = engine_setup_bind(e, n);
	if (!err && n->lg)
		err = engine_legacy_open(n);
out:
	netns_leave();
	return err;
}

/* Give up the program: every clock goes through NFQUEUE. */
static void engine_setup_no_bpf(struct engine *e)
{
	int i;

	tsbpf_close(e->bpf);
	e->bpf = NULL;
	for (i = 0; i < e->nnodes; i++)
		e->nodes[i].bpf = 0;
}

/* Give the program each of its clients' clocks.  Return: 0, or -errno
 * (logged) if one does not fit its map. */
static int engine_setup_bpf_clients(struct engine *e)
{
	char addr[16];
	int i, err;

	for (i = 0; i < e->nnodes; i++) {
		struct eng_node *n = &e->nodes[i];

		if (!n->bpf)
			continue;
		err = tsbpf_add_client(e->bpf, n->addr, n->offset, n->skew_ppm);
		if (err == -EEXIST) {
			log_warn("engine: client %s shares the address %s, the "
				 "clock program's key, with another: every "
				 "clock of lab %s goes through NFQUEUE",
				 n->tn->name, util_ipv4_str(n->addr, addr),
				 e->t->name);
			return err;
		}
		if (err) {
			log_errno(err, "engine: the clock program's map");
			return err;
		}
	}
	return 0;
}

/*
 * Which clients keep their clock in the kernel: with clock_path = bpf,
 * every host-clock client without a fault on it, if the program loads and
 * each address takes one entry of its map (the key).  Otherwise all of
 * them go through NFQUEUE, and one line says why.
 */
static void engine_setup_plan_bpf(struct engine *e)
{
	const struct topo *t = e->t;
	uint32_t nbpf = 0;
	char why[512];
	int i, err;

	if (t->clock_path != TOPO_CLOCK_BPF)
		return;
	for (i = 0; i < e->nnodes; i++) {
		struct eng_node *n = &e->nodes[i];

		n->bpf = n->clock && !n->faults.n && !n->lg;
		nbpf += (uint32_t)n->bpf;
	}
	if (!nbpf)
		return;
	err = tsbpf_open(&e->bpf, nbpf, why, sizeof(why));
	if (err) {
		log_warn("engine: the clock program cannot load (%s): every "
			 "clock of lab %s goes through NFQUEUE",
			 why, t->name);
		engine_setup_no_bpf(e);
		return;
	}
	if (engine_setup_bpf_clients(e))
		engine_setup_no_bpf(e);
}

int engine_setup(struct engine *e)
{
	int i, err;

	engine_setup_plan_bpf(e);
	for (i = 0; i < e->nnodes; i++) {
		err = engine_setup_node(e, &e->nodes[i]);
		if (err)
			return err;
	}
	return 0;
}
