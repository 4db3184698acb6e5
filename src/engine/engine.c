/* engine.c - the packet engine: client clocks, legacy server, faults. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <net/if.h>

#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink_queue.h>

#include "engine/engine.h"
#include "engine/legacy.h"
#include "engine/tsbpf.h"
#include "engine/tsmath.h"
#include "lib/diag.h"
#include "lib/heap.h"
#include "lib/log.h"
#include "lib/netns.h"
#include "lib/nfq.h"
#include "lib/nft.h"
#include "lib/pkt.h"
#include "lib/statfile.h"
#include "lib/sysctl.h"
#include "lib/util.h"

/*
 * Theory of operation.  natlab's nftables rules hand the engine the TCP
 * packets it needs in each namespace (NFQUEUE 0 of that namespace): every
 * TCP packet of a client whose clock natlab keeps, the SYNs, FINs and
 * RSTs of a server with the emulated tcp_tw_recycle, and every TCP packet
 * of a node named by a fault.  One thread serves all of them with epoll.
 *
 * Clocks.  A "host" clock client runs tcp_timestamps = 2 (no per-
 * connection offset), so its kernel's TSval is its own uptime clock in
 * milliseconds.  The engine maps every TSval it sends through
 * g(x) = x + offset + x * skew / 10^6 and every TSecr it receives back
 * through the inverse (tsmath.h), so the client's connections share one
 * clock that differs from its neighbours' as real hosts' clocks do, and
 * its own stack never sees the difference.
 *
 * The legacy server.  legacy.c holds the model; the engine feeds it the
 * server's SYNs (and drops those it rejects: silently, as the old kernels
 * did), its FINs and RSTs, reads each connection's RTO with sock_diag
 * when the server sends its FIN, and, when the model says the server
 * entered TIME_WAIT with timestamps, ends the kernel's own TIME_WAIT
 * socket after 3.5 x RTO with SOCK_DESTROY, as tcp_tw_recycle did.
 *
 * Faults drop a chosen packet, or hold its verdict for a while (the
 * kernel keeps a queued packet until it gets one).
 *
 * The fast path.  Queueing costs a trip through this thread and the
 * kernel's re-injection for every packet, so a host-clock client with no
 * fault on it has its clock kept in the kernel instead ([lab] clock_path =
 * bpf, the default): a tc program (tsclock.bpf.c, loaded by tsbpf.c) on
 * its interfaces does the same mapping, and the engine only owns the
 * program, holds its links and copies its counters to the stats file.
 * Clients with faults need the engine's eyes on every packet and keep
 * NFQUEUE, as does a lab whose program cannot load or whose host-clock
 * clients share an address (the program's map is keyed by it).
 */

#define ENG_QUEUE	   0
#define ENG_CHAIN_IN	   "engine_in"
#define ENG_CHAIN_OUT	   "engine_out"
#define ENG_STATS_EVERY_MS 1000
/* TCP_RTO_MIN, 200 ms, when a connection's RTO could not be read. */
#define ENG_RTO_DEFAULT_US 200000
#define ENG_MAX_EVENTS	   64

enum eng_timer_kind {
	TIMER_TW_END,  /* end a kernel TIME_WAIT socket (tcp_tw_recycle) */
	TIMER_RELEASE, /* let a delayed packet go */
};

struct eng_node;

struct eng_timer {
	uint64_t at_ms;
	enum eng_timer_kind kind;
	struct eng_node *node;
	struct tuple tuple; /* TIMER_TW_END */
	uint32_t id;	    /* TIMER_RELEASE */
	uint8_t *data;	    /* its rewritten bytes, or NULL */
	size_t len;
};

/* Per-connection facts the engine needs beyond the legacy model. */
struct eng_conn {
	struct tuple_slot slot; /* its 4-tuple */
	uint32_t isn;		/* faults: the SYN's sequence number */
	uint32_t index;		/* faults: the node's Nth connection */
	long rto_us;  /* legacy: RTO read when the server sent its FIN */
	int peer_fin; /* faults: the peer's FIN was seen */
};

struct eng_fault {
	const struct topo_fault *f;
	uint32_t seen; /* matching packets so far */
};

struct eng_stats {
	uint64_t seen, rewritten, csum_partial, gso, malformed, truncated;
	uint64_t paws_drops, fault_drops, delayed, tw_shortened, tw_gone;
	uint64_t overruns;
};

struct eng_node {
	struct engine *e;
	const struct topo_node *tn;
	char ns[NETNS_NAME_MAX];
	struct nfq *q;
	int nsfd;
	int held; /* verdicts held back (delays) */
	/* clock */
	int clock;
	int bpf;       /* kept by the tc program, not queued */
	uint32_t addr; /* the client's address (host order): the map's key */
	uint32_t offset;
	int32_t skew_ppm;
	/* legacy server */
	struct legacy *lg;
	int native; /* the kernel has tcp_tw_recycle: set, not emulated */
	int diagfd;
	int server_ts;
	/* faults */
	struct eng_fault *faults;
	int nfaults;
	struct tuple_table conns; /* struct eng_conn */
	uint32_t next_index;
	int queue_stats_fd; /* /proc/net/netfilter/nfnetlink_queue there */
	struct eng_stats st;
};

struct engine {
	const struct topo *t;
	struct eng_node *nodes;
	int nnodes;
	int epfd;
	struct nfq_io *io;  /* buffers of every queue */
	struct heap timers; /* struct eng_timer, soonest first */
	uint64_t start_ms;
	int compat;	   /* the xtables NFQUEUE target was needed */
	struct tsbpf *bpf; /* the clock program, if any client uses it */
	FILE *timeline;	   /* what the legacy servers remember, and when */
};

/* CLOCK_MONOTONIC in ms: also a client's TCP clock (tcp_clock_ms()). */
static uint64_t eng_now_ms(void)
{
	return util_now_ns() / 1000000;
}

uint32_t engine_clock_offset(const struct topo_clock *c)
{
	return (uint32_t)(uint64_t)c->offset_ms;
}

/* ---- clocks ---- */

/* ---- timers ---- */

static int timer_before(const void *a, const void *b, void *ctx)
{
	(void)ctx;
	return ((const struct eng_timer *)a)->at_ms <
	       ((const struct eng_timer *)b)->at_ms;
}

/* When the soonest timer is due (UINT64_MAX: none). */
static uint64_t timer_next(const struct engine *e)
{
	const struct eng_timer *tm = heap_top(&e->timers);

	return tm ? tm->at_ms : UINT64_MAX;
}

/* ---- connections ---- */

/* Find (or with create, make) a connection; NULL if absent.  The table
 * lives as long as the node: connections are never stale. */
static struct eng_conn *conn_get(struct eng_node *n, const struct tuple *t,
				 int create)
{
	struct eng_conn *c = tuple_table_find(&n->conns, t);

	if (!c && create)
		c = tuple_table_insert(&n->conns, t, 0);
	return c;
}

/* ---- packets ---- */

static void pkt_tuple(const struct pkt *p, int out, struct tuple *t)
{
	t->laddr = out ? p->saddr : p->daddr;
	t->raddr = out ? p->daddr : p->saddr;
	t->lport = out ? p->sport : p->dport;
	t->rport = out ? p->dport : p->sport;
}

static int fault_kind_matches(enum topo_fault_packet k, const struct pkt *p,
			      const struct eng_conn *c)
{
	uint8_t f = p->flags;
	int pure_ack =
		(f & (PKT_SYN | PKT_FIN | PKT_RST | PKT_ACK)) == PKT_ACK &&
		!p->payload;

	switch (k) {
	case TOPO_PKT_ANY:
		return 1;
	case TOPO_PKT_SYN:
		return (f & (PKT_SYN | PKT_ACK)) == PKT_SYN;
	case TOPO_PKT_SYNACK:
		return (f & (PKT_SYN | PKT_ACK)) == (PKT_SYN | PKT_ACK);
	case TOPO_PKT_ACK:
		return pure_ack;
	case TOPO_PKT_DATA:
		return p->payload > 0;
	case TOPO_PKT_FIN:
		return !!(f & PKT_FIN);
	case TOPO_PKT_RST:
		return !!(f & PKT_RST);
	case TOPO_PKT_FINAL_ACK:
		return pure_ack && c && c->peer_fin;
	}
	return 0;
}

/* Return: 0 none, 1 drop, 2 delay (with *delay_ms). */
static int fault_check(struct eng_node *n, const struct pkt *p, int out,
		       uint32_t *delay_ms)
{
	struct eng_conn *c = NULL;
	struct tuple t;
	int i;

	pkt_tuple(p, out, &t);
	/* Connections are numbered in the order the node opens or accepts
	 * them: by the first SYN seen either way. */
	if ((p->flags & (PKT_SYN | PKT_ACK)) == PKT_SYN) {
		c = conn_get(n, &t, 1);
		/* A SYN with a new ISN on a 4-tuple seen before is a new
		 * connection (the port was reused); a retransmitted SYN
		 * has the same ISN. */
		if (!c->index || c->isn != p->seq) {
			c->index = ++n->next_index;
			c->isn = p->seq;
			c->peer_fin = 0;
		}
	} else {
		c = conn_get(n, &t, 0);
	}
	if (c && !out && (p->flags & PKT_FIN))
		c->peer_fin = 1;
	for (i = 0; i < n->nfaults; i++) {
		struct eng_fault *ef = &n->faults[i];
		const struct topo_fault *f = ef->f;

		if (f->out != out || ef->seen >= f->nth)
			continue;
		if (f->conn && (!c || c->index != f->conn))
			continue;
		if (!fault_kind_matches(f->packet, p, c))
			continue;
		if (++ef->seen != f->nth)
			continue;
		log_info("fault %s: %s %s packet of %s", f->name,
			 f->drop ? "dropping" : "delaying",
			 topo_fault_packet_name(f->packet), n->tn->name);
		*delay_ms = f->delay_ms;
		return f->drop ? 1 : 2;
	}
	return 0;
}

/* The legacy server's part.  Return: 1 if the packet must be dropped. */
static int legacy_packet(struct engine *e, struct eng_node *n,
			 const struct pkt *p, int out)
{
	uint64_t now = eng_now_ms();
	struct tuple t;
	struct eng_conn *c;
	int ts = p->has_ts && n->server_ts, r;

	pkt_tuple(p, out, &t);
	if (!out && (p->flags & (PKT_SYN | PKT_ACK)) == PKT_SYN) {
		/* The old kernels parsed a SYN's timestamp only with
		 * tcp_timestamps on (tcp_parse_options). */
		if (legacy_judge_syn(n->lg, t.laddr, t.raddr, t.lport, t.rport,
				     ts, p->tsval, now) == LEGACY_DROP_PAWS) {
			n->st.paws_drops++;
			if (e->timeline)
				fprintf(e->timeline, "drop %llu %s %u %u %u\n",
					(unsigned long long)now, n->tn->name,
					t.raddr, t.rport, p->tsval);
			return 1;
		}
		return 0;
	}
	if (p->flags & PKT_RST) {
		legacy_segment(n->lg, LEGACY_RST, t.laddr, t.raddr, t.lport,
			       t.rport, 0, 0, 0, 0, now);
		return 0;
	}
	if (!(p->flags & PKT_FIN))
		return 0;
	if (out) {
		c = conn_get(n, &t, 1);
		c->rto_us = diag_rto(n->diagfd, &t);
		legacy_segment(n->lg, LEGACY_FIN_OUT, t.laddr, t.raddr, t.lport,
			       t.rport, 0, 0, p->seq + (uint32_t)p->payload + 1,
			       0, now);
		return 0;
	}
	r = legacy_segment(n->lg, LEGACY_FIN_IN, t.laddr, t.raddr, t.lport,
			   t.rport, ts, p->tsval, 0, p->ack, now);
	if (r == 1 && e->timeline) {
		uint32_t cached;
		uint64_t stamp;

		/* The entry as it is now (the update rule may have kept the
		 * older value): a step of the picture's remembered line. */
		if (legacy_peer(n->lg, t.laddr, t.raddr, now, &cached, &stamp))
			fprintf(e->timeline, "remember %llu %s %u %u %u\n",
				(unsigned long long)now, n->tn->name, t.raddr,
				cached, p->tsval);
	}
	if (r == 1) {
		struct eng_timer tm = {
			.kind = TIMER_TW_END, .node = n, .tuple = t};
		long rto;

		c = conn_get(n, &t, 0);
		rto = c && c->rto_us > 0 ? c->rto_us : ENG_RTO_DEFAULT_US;
		/* tcp_time_wait(): rto = (icsk_rto << 2) - (icsk_rto >> 1),
		 * 3.5 x RTO, Linux 2.6.32-4.11 with tcp_tw_recycle. */
		tm.at_ms = now + (uint64_t)(rto * 7 / 2 + 999) / 1000;
		heap_push(&e->timers, &tm);
	}
	return 0;
}

static int eng_packet(struct nfq *q, struct nfq_packet *np, void *arg)
{
	struct eng_node *n = arg;
	int out = np->hook == NF_INET_LOCAL_OUT, act = 0;
	uint32_t delay_ms = 0;
	struct pkt p;

	n->st.seen++;
	if (np->truncated) {
		/* Rewriting a truncated copy would cut the packet short. */
		n->st.truncated++;
		return nfq_verdict(q, np->id, NFQ_ACCEPT, NULL, 0);
	}
	if (pkt_parse(&p, np->data, np->len)) {
		n->st.malformed++;
		return nfq_verdict(q, np->id, NFQ_ACCEPT, NULL, 0);
	}
	if (n->nfaults)
		act = fault_check(n, &p, out, &delay_ms);
	if (act == 1) {
		n->st.fault_drops++;
		return nfq_verdict(q, np->id, NFQ_DROP, NULL, 0);
	}
	if (n->lg && legacy_packet(n->e, n, &p, out))
		return nfq_verdict(q, np->id, NFQ_DROP, NULL, 0);
	if (n->clock && p.has_ts) {
		uint32_t tsval = p.tsval, tsecr = p.tsecr;
		int partial = !!(np->skbinfo & NFQA_SKB_CSUMNOTREADY);

		if (out)
			tsval = tsmath_map(tsval, n->offset, n->skew_ppm);
		else if (p.flags & PKT_ACK)
			tsecr = tsmath_unmap(
				tsecr, n->offset, n->skew_ppm,
				n->skew_ppm ? (uint32_t)eng_now_ms() : 0);
		/* A verdict with new bytes leaves the packet CHECKSUM_NONE
		 * (nfqnl_mangle()), so one whose checksum the stack had not
		 * finished yet (CHECKSUM_PARTIAL: the field holds only the
		 * pseudo-header sum) must leave with a complete one. */
		pkt_set_ts(&p, tsval, tsecr, partial);
		if (partial)
			pkt_fix_tcp_csum(&p);
		n->st.rewritten++;
		n->st.csum_partial += partial;
		n->st.gso += !!(np->skbinfo & NFQA_SKB_GSO);
		if (act != 2)
			return nfq_verdict(q, np->id, NFQ_ACCEPT, np->data,
					   np->len);
	}
	if (act == 2) {
		struct eng_timer tm = {
			.at_ms = eng_now_ms() + delay_ms,
			.kind = TIMER_RELEASE,
			.node = n,
			.id = np->id,
		};

		if (n->clock && p.has_ts) {
			tm.data = xcalloc(1, np->len);
			memcpy(tm.data, np->data, np->len);
			tm.len = np->len;
		}
		heap_push(&n->e->timers, &tm);
		n->st.delayed++;
		n->held++;
		return 0;
	}
	return nfq_verdict(q, np->id, NFQ_ACCEPT, NULL, 0);
}

static void eng_timer_fire(struct engine *e, struct eng_timer *tm)
{
	struct eng_node *n = tm->node;
	int err;

	(void)e;
	switch (tm->kind) {
	case TIMER_TW_END:
		err = diag_destroy(n->diagfd, &tm->tuple);
		if (!err)
			n->st.tw_shortened++;
		else
			n->st.tw_gone++; /* ended already (RST, reuse) */
		legacy_tw_end(n->lg, tm->tuple.laddr, tm->tuple.raddr,
			      tm->tuple.lport, tm->tuple.rport);
		break;
	case TIMER_RELEASE:
		nfq_verdict(n->q, tm->id, NFQ_ACCEPT, tm->data, tm->len);
		nfq_flush(n->q);
		free(tm->data);
		n->held--;
		break;
	}
}

/* ---- set-up ---- */

/* The rules a node needs, in one batch; compat picks the xtables target. */
static int eng_rules(struct eng_node *n, int compat, int fail_open, char *why,
		     size_t whylen)
{
	struct nft_queue all = {
		.num = ENG_QUEUE, .bypass = fail_open, .compat = compat};
	struct nft_batch *b = nft_batch_new();
	int err, every = n->clock || n->nfaults;

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
		/* Legacy server only: SYNs in, FINs and RSTs both ways. */
		struct nft_queue syn = all, finrst = all;

		syn.chain = ENG_CHAIN_IN;
		syn.mask = PKT_SYN | PKT_ACK;
		syn.value = PKT_SYN;
		finrst.chain = ENG_CHAIN_IN;
		finrst.mask = PKT_FIN | PKT_RST;
		finrst.value = 0;
		finrst.neq = 1;
		err = nft_engine_queue(b, &syn);
		if (!err)
			err = nft_engine_queue(b, &finrst);
		finrst.chain = ENG_CHAIN_OUT;
		if (!err)
			err = nft_engine_queue(b, &finrst);
	}
	if (!err)
		err = nft_batch_send(b, NULL, why, whylen);
	else
		snprintf(why, whylen, "building rules: %s", strerror(-err));
	nft_batch_free(b);
	return err;
}

/* Attach the clock program to every interface of a client (the caller
 * has entered its namespace). */
static int eng_attach_bpf(struct engine *e, struct eng_node *n)
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

static int eng_setup_node(struct engine *e, struct eng_node *n)
{
	char why[512], val[16];
	int err;

	n->diagfd = -1;
	n->queue_stats_fd = -1;
	n->nsfd = netns_open(n->ns);
	if (n->nsfd < 0) {
		log_errno(n->nsfd, "engine: namespace %s", n->ns);
		return n->nsfd;
	}
	err = netns_enter(n->nsfd);
	if (err)
		return err;
	if (n->bpf) {
		err = eng_attach_bpf(e, n);
		if (!err)
			goto out;
		n->bpf = 0;
		err = 0;
	}
	/* A kernel older than 4.12 still has the real thing: use it, and
	 * say so, rather than emulate it. */
	if (n->lg &&
	    sysctl_get("net.ipv4.tcp_tw_recycle", val, sizeof(val)) == 0) {
		err = sysctl_set("net.ipv4.tcp_tw_recycle", "1");
		if (err) {
			log_errno(err, "engine: %s: tcp_tw_recycle", n->ns);
			goto out;
		}
		legacy_free(n->lg);
		n->lg = NULL;
		n->native = 1;
		log_info("engine: %s: using the kernel's own tcp_tw_recycle",
			 n->ns);
		if (!n->clock && !n->nfaults)
			goto out; /* nothing left to queue here */
	}
	/* Try the native queue expression first; without CONFIG_NFT_QUEUE
	 * the kernel refuses the whole batch and the xtables target
	 * through nft_compat does the same job. */
	err = e->compat ? -ENOENT
			: eng_rules(n, 0, e->t->fail_open, why, sizeof(why));
	if (err) {
		err = eng_rules(n, 1, e->t->fail_open, why, sizeof(why));
		if (!err && !e->compat) {
			e->compat = 1;
			log_info("engine: no nftables queue expression here; "
				 "using the xtables NFQUEUE target");
		}
	}
	if (err) {
		log_err("engine: %s: %s", n->ns, why);
		goto out;
	}
	n->q = nfq_open(e->io, ENG_QUEUE, e->t->queue_len, e->t->fail_open);
	if (!n->q) {
		err = -errno;
		log_errno(err, "engine: %s: cannot bind NFQUEUE %d", n->ns,
			  ENG_QUEUE);
		goto out;
	}
	n->queue_stats_fd = open("/proc/thread-self/net/netfilter/"
				 "nfnetlink_queue",
				 O_RDONLY | O_CLOEXEC);
	if (n->lg) {
		n->diagfd = diag_open();
		if (n->diagfd < 0) {
			err = n->diagfd;
			log_errno(err, "engine: %s: sock_diag", n->ns);
			goto out;
		}
		n->server_ts = sysctl_get("net.ipv4.tcp_timestamps", val,
					  sizeof(val)) == 0 &&
			       atoi(val) != 0;
	}
out:
	netns_leave();
	return err;
}

/*
 * Which clients keep their clock in the kernel: with clock_path = bpf,
 * every host-clock client without a fault on it, if the program loads and
 * each address takes one entry of its map (the key).  Otherwise all of
 * them go through NFQUEUE, and one line says why.
 */
static void eng_plan_bpf(struct engine *e)
{
	const struct topo *t = e->t;
	uint32_t nbpf = 0;
	char why[512];
	int i, err;

	if (t->clock_path != TOPO_CLOCK_BPF)
		return;
	for (i = 0; i < e->nnodes; i++) {
		struct eng_node *n = &e->nodes[i];

		n->bpf = n->clock && !n->nfaults && !n->lg;
		nbpf += (uint32_t)n->bpf;
	}
	if (!nbpf)
		return;
	err = tsbpf_open(&e->bpf, nbpf, why, sizeof(why));
	if (err) {
		log_warn("engine: the clock program cannot load (%s): every "
			 "clock of lab %s goes through NFQUEUE",
			 why, t->name);
		goto nfqueue;
	}
	for (i = 0; i < e->nnodes; i++) {
		struct eng_node *n = &e->nodes[i];

		if (!n->bpf)
			continue;
		err = tsbpf_add_client(e->bpf, n->addr, n->offset, n->skew_ppm);
		if (err == -EEXIST) {
			struct in_addr ia = {.s_addr = htonl(n->addr)};

			log_warn("engine: client %s shares the address %s, the "
				 "clock program's key, with another: every "
				 "clock of lab %s goes through NFQUEUE",
				 n->tn->name, inet_ntoa(ia), t->name);
			goto nfqueue;
		}
		if (err) {
			log_errno(err, "engine: the clock program's map");
			goto nfqueue;
		}
	}
	return;
nfqueue:
	tsbpf_close(e->bpf);
	e->bpf = NULL;
	for (i = 0; i < e->nnodes; i++)
		e->nodes[i].bpf = 0;
}

static int eng_init(struct engine *e, const struct topo *t)
{
	int i, k, err;

	memset(e, 0, sizeof(*e));
	heap_init(&e->timers, sizeof(struct eng_timer), timer_before, NULL);
	e->t = t;
	e->start_ms = eng_now_ms();
	e->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (e->epfd < 0)
		return -errno;
	e->io = nfq_io_new();
	if (!e->io)
		return -errno;
	e->nodes = xcalloc(t->nnodes, sizeof(*e->nodes));
	for (i = 0; i < t->nnodes; i++) {
		const struct topo_node *tn = &t->nodes[i];
		struct eng_node *n = &e->nodes[e->nnodes];

		n->e = e;
		n->tn = tn;
		n->diagfd = -1;
		n->queue_stats_fd = -1;
		n->nsfd = -1;
		n->clock = tn->clock.mode == TOPO_TS_HOST;
		n->offset = engine_clock_offset(&tn->clock);
		n->skew_ppm = tn->clock.skew_ppm;
		n->addr = tn->nifs ? tn->ifs[0].addr : 0;
		for (k = 0; k < t->nfaults; k++)
			if (t->faults[k].node == i)
				n->nfaults++;
		if (n->nfaults) {
			n->faults = xcalloc(n->nfaults, sizeof(*n->faults));
			n->nfaults = 0;
			for (k = 0; k < t->nfaults; k++)
				if (t->faults[k].node == i)
					n->faults[n->nfaults++].f =
						&t->faults[k];
		}
		if (tn->legacy.recycle) {
			struct legacy_cfg cfg = {
				.model = tn->legacy.model == TOPO_LEGACY_2_6_32
						 ? LEGACY_2_6_32
						 : LEGACY_4_4,
				.paws_msl_ms = tn->legacy.paws_msl_ms,
			};

			n->lg = legacy_new(&cfg);
			if (!n->lg)
				return -ENOMEM;
		}
		if (!n->clock && !n->lg && !n->nfaults)
			continue;
		tuple_table_init(&n->conns, sizeof(struct eng_conn), NULL,
				 NULL);
		netns_name(t->name, tn->name, n->ns, sizeof(n->ns));
		e->nnodes++;
	}
	eng_plan_bpf(e);
	for (i = 0; i < e->nnodes; i++) {
		err = eng_setup_node(e, &e->nodes[i]);
		if (err)
			return err;
	}
	for (i = 0; i < e->nnodes; i++) {
		struct epoll_event ev = {.events = EPOLLIN,
					 .data.ptr = &e->nodes[i]};

		if (!e->nodes[i].q)
			continue; /* a native tcp_tw_recycle, nothing queued */
		if (epoll_ctl(e->epfd, EPOLL_CTL_ADD, nfq_fd(e->nodes[i].q),
			      &ev) < 0)
			return -errno;
	}
	return 0;
}

static void eng_fini(struct engine *e)
{
	int i;

	for (i = 0; i < heap_count(&e->timers); i++)
		free(((struct eng_timer *)heap_at(&e->timers, i))->data);
	heap_free(&e->timers);
	for (i = 0; i < e->nnodes; i++) {
		struct eng_node *n = &e->nodes[i];

		nfq_close(n->q);
		legacy_free(n->lg);
		if (n->diagfd >= 0)
			close(n->diagfd);
		if (n->queue_stats_fd >= 0)
			close(n->queue_stats_fd);
		if (n->nsfd >= 0)
			close(n->nsfd);
		free(n->faults);
		tuple_table_free(&n->conns);
	}
	free(e->nodes);
	tsbpf_close(e->bpf);
	nfq_io_free(e->io);
	if (e->epfd >= 0)
		close(e->epfd);
}

/* ---- counters ---- */

/* Packets the kernel dropped for want of room in queue 0 of a namespace:
 * queue_dropped + user_dropped of /proc/net/netfilter/nfnetlink_queue. */
static uint64_t eng_queue_drops(struct eng_node *n)
{
	unsigned long long qd = 0, ud = 0;
	unsigned int num;
	char buf[512];
	ssize_t len;

	if (n->queue_stats_fd < 0)
		return 0;
	len = pread(n->queue_stats_fd, buf, sizeof(buf) - 1, 0);
	if (len <= 0)
		return 0;
	buf[len] = '\0';
	if (sscanf(buf, "%u %*u %*u %*u %*u %llu %llu", &num, &qd, &ud) != 3)
		return 0;
	return qd + ud;
}

/* The counters of a client whose clock the program keeps. */
static void eng_bpf_stats(struct engine *e, struct eng_node *n)
{
	struct tsbpf_client c;

	if (tsbpf_read(e->bpf, n->addr, &c))
		return;
	n->st.seen = c.seen;
	n->st.rewritten = c.rewritten;
	n->st.csum_partial = c.csum_partial;
	n->st.gso = c.gso;
	n->st.malformed = c.malformed;
}

/* How the lab's clocks are kept: "bpf", "nfqueue", both, or "-". */
static const char *eng_clock_path(const struct engine *e)
{
	int i, bpf = 0, nfq = 0;

	for (i = 0; i < e->nnodes; i++) {
		bpf |= e->nodes[i].clock && e->nodes[i].bpf;
		nfq |= e->nodes[i].clock && !e->nodes[i].bpf;
	}
	if (bpf && nfq)
		return "bpf+nfqueue";
	return bpf ? "bpf" : nfq ? "nfqueue" : "-";
}

static void eng_write_stats(struct engine *e, int final)
{
	struct statfile sf;
	FILE *f;
	int i;

	f = statfile_begin(&sf, e->t->name, "engine");
	if (!f)
		return;
	fprintf(f,
		"engine pid %d uptime_ms %llu queue %s clock_path %s "
		"final %d\n",
		(int)getpid(), (unsigned long long)(eng_now_ms() - e->start_ms),
		e->compat ? "xt-NFQUEUE" : "nft-queue", eng_clock_path(e),
		final);
	for (i = 0; i < e->nnodes; i++) {
		struct eng_node *n = &e->nodes[i];
		struct legacy_stats ls = {0};

		if (n->lg)
			legacy_stats(n->lg, &ls);
		if (n->bpf)
			eng_bpf_stats(e, n);
		fprintf(f,
			"node %s seen %llu rewritten %llu csum_partial %llu "
			"gso %llu malformed %llu truncated %llu "
			"paws_drops %llu syn_checked %llu remembered %llu "
			"tw_entered %llu tw_shortened %llu tw_gone %llu "
			"fault_drops %llu delayed %llu overruns %llu "
			"queue_drops %llu clock %s offset %u skew_ppm %d "
			"clock_path %s legacy %s\n",
			n->tn->name, (unsigned long long)n->st.seen,
			(unsigned long long)n->st.rewritten,
			(unsigned long long)n->st.csum_partial,
			(unsigned long long)n->st.gso,
			(unsigned long long)n->st.malformed,
			(unsigned long long)n->st.truncated,
			(unsigned long long)n->st.paws_drops,
			(unsigned long long)ls.syn_checked,
			(unsigned long long)ls.remembered,
			(unsigned long long)ls.tw_entered,
			(unsigned long long)n->st.tw_shortened,
			(unsigned long long)n->st.tw_gone,
			(unsigned long long)n->st.fault_drops,
			(unsigned long long)n->st.delayed,
			(unsigned long long)n->st.overruns,
			(unsigned long long)eng_queue_drops(n),
			n->clock ? "host" : "-", n->offset, n->skew_ppm,
			!n->clock ? "-"
			: n->bpf  ? "bpf"
				  : "nfqueue",
			n->native ? "native"
			: n->lg	  ? topo_legacy_model_name(n->tn->legacy.model)
				  : "-");
	}
	statfile_commit(&sf);
}

/* ---- the loop ---- */

int engine_run(const struct topo *t, int ready_fd)
{
	struct epoll_event evs[ENG_MAX_EVENTS];
	uint64_t next_stats = 0;
	struct engine e;
	char msg[256];
	int err, i;

	util_daemon_signals();

	err = eng_init(&e, t);
	if (err) {
		snprintf(msg, sizeof(msg), "engine set-up failed: %s\n",
			 strerror(-err));
		util_notify(ready_fd, msg);
		eng_fini(&e);
		return err;
	}
	{
		char path[STATFILE_PATH_MAX];

		statfile_path(t->name, "timeline", path, sizeof(path));
		e.timeline = fopen(path, "we");
		if (e.timeline)
			setvbuf(e.timeline, NULL, _IOLBF, 0);
	}
	eng_write_stats(&e, 0);
	util_notify(ready_fd, "ok\n");

	while (!util_stop) {
		uint64_t now = eng_now_ms();
		int timeout = ENG_STATS_EVERY_MS, n;

		while (timer_next(&e) <= now) {
			struct eng_timer tm;

			heap_pop(&e.timers, &tm);
			eng_timer_fire(&e, &tm);
		}
		if (now >= next_stats) {
			eng_write_stats(&e, 0);
			next_stats = now + ENG_STATS_EVERY_MS;
		}
		if (timer_next(&e) - now < (uint64_t)timeout)
			timeout = (int)(timer_next(&e) - now);
		n = epoll_wait(e.epfd, evs, ENG_MAX_EVENTS, timeout);
		if (n < 0 && errno != EINTR) {
			err = -errno;
			break;
		}
		for (i = 0; i < n; i++) {
			struct eng_node *node = evs[i].data.ptr;

			err = nfq_recv(node->q, eng_packet, node,
				       &node->st.overruns);
			if (err < 0) {
				log_errno(err, "engine: %s: queue", node->ns);
				util_stop = 1;
				break;
			}
			err = 0;
		}
	}
	eng_write_stats(&e, 1);
	if (e.timeline)
		fclose(e.timeline);
	eng_fini(&e);
	return err;
}
