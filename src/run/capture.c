/* capture.c - every SYN of a run, seen on the lab's switch. */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/filter.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "lib/log.h"
#include "lib/netns.h"
#include "lib/pkt.h"
#include "lib/psock.h"
#include "lab/lab.h"
#include "lib/util.h"
#include "run/capture.h"
#include "run/capture_bpf.h"

/*
 * Theory of operation.  The lab's switch namespace sees every frame a
 * node sends or receives, on the node's switch-side veth: frames from the
 * node arrive there, frames to the node leave there (PACKET_OUTGOING).
 * One packet socket there, filtered in the kernel to the clients' SYNs,
 * the SYNs reaching the server and the server's SYN-ACKs, RSTs and pure
 * ACKs (capture_bpf.c), gives the run an independent view of the wire:
 * each SYN as it leaves its client, as it reaches the server, and what
 * the server answered: SYN-ACK, an ACK (the SYN met a TIME_WAIT socket
 * and failed PAWS), a RST, or nothing.  NAT rewrites addresses and ports
 * but not sequence numbers, so the ISN ties the two ends together.  A
 * target balancer's servers each have a server's port (counted apart);
 * its own ports are left out as a gateway's are.
 *
 * A thread reads the socket's ring (TPACKET_V3, a block at a time) and
 * keeps one struct cap_syn per ISN, in an array sized for the attempts
 * the run plans, found by ISN through an open-addressing index (3/4 full
 * at most); results are read after capture_stop(), which trades the
 * index for one sorted by client and port.
 */

#define CAP_SNAP     160
#define CAP_TWACK_MS 1000 /* an ACK this soon after an unanswered SYN */
/* The ring: the kernel fills a block and hands it over when it is full
 * or CAP_BLOCK_MS after its first frame, so the thread wakes per block,
 * not per packet. */
#define CAP_BLOCK_SIZE (1u << 20)
#define CAP_BLOCKS     4
#define CAP_BLOCK_MS   20

/* Transmissions 2 .. CAP_TX_MAX of a retransmitted SYN. */
struct cap_more {
	uint32_t tx_us[CAP_TX_MAX - 1];
	uint32_t answers; /* CAP_ANS_BITS per transmission */
};

#define CAP_ANS_BITS 3
#define CAP_ANS_MASK ((1u << CAP_ANS_BITS) - 1)
#define CAP_RX_MAX   15 /* arrivals counted (cap_syn.rx) */

/* The last SYN that reached a server from an external port. */
struct cap_port {
	uint32_t syn; /* syns index + 1, 0: none yet */
	uint32_t us;  /* when it arrived */
};

/* A server the traffic reaches (the target, a balancer's server): its
 * node, address, and SYNs in and answers out. */
struct cap_server {
	int node;
	uint32_t addr;
	struct cap_totals tot;
};

struct capture {
	const struct topo *t;
	int fd;
	uint8_t *ring; /* TPACKET_V3 blocks, mapped from the kernel */
	size_t ring_len;
	unsigned int nblocks, block_size, cur;
	pthread_t tid;
	volatile int stop;
	uint64_t t0_ns;
	int64_t real_minus_mono_ns;
	/* ifindex (in the switch) -> client node + 1, or -1 - K: server K */
	int *port_role;
	int nport_role;
	struct cap_server *srv; /* the servers the traffic reaches */
	int nsrv;
	uint8_t *server_port; /* 65536 flags: the ports they serve */
	/* connections */
	struct cap_syn *syns;
	uint32_t nsyns, syns_cap;
	uint32_t *index; /* open addressing: isn -> syns index + 1 */
	uint32_t index_cap;
	struct cap_more *more; /* of retransmitted SYNs */
	uint32_t nmore, more_cap;
	struct cap_port *by_port; /* by external port */
	uint8_t *port_srv;	  /* by_port's server, when several */
	struct cap_totals tot;
	uint32_t *sorted; /* by (client, sport, first tx), after stop */
};

static uint32_t cap_hash(uint32_t x)
{
	x ^= x >> 16;
	x *= 0x7feb352d;
	x ^= x >> 15;
	x *= 0x846ca68b;
	return x ^ (x >> 16);
}

/* The index's first slot for @isn: the hash scaled to the table's
 * size, which need not be a power of two. */
static uint32_t cap_slot(const struct capture *c, uint32_t isn)
{
	return (uint32_t)(((uint64_t)cap_hash(isn) * c->index_cap) >> 32);
}

static uint32_t cap_next_slot(const struct capture *c, uint32_t h)
{
	return h + 1 == c->index_cap ? 0 : h + 1;
}

static void cap_index_put(struct capture *c, uint32_t isn, uint32_t i)
{
	uint32_t h;

	for (h = cap_slot(c, isn); c->index[h]; h = cap_next_slot(c, h))
		;
	c->index[h] = i + 1;
}

static struct cap_syn *cap_find(struct capture *c, uint32_t isn)
{
	uint32_t h;

	if (!c->index_cap)
		return NULL;
	for (h = cap_slot(c, isn); c->index[h]; h = cap_next_slot(c, h))
		if (c->syns[c->index[h] - 1].isn == isn)
			return &c->syns[c->index[h] - 1];
	return NULL;
}

/* Room for @n connections, and an index that is 3/4 full with them.
 * Pages of either are only touched as SYNs come. */
static void cap_reserve(struct capture *c, uint32_t n)
{
	uint32_t i;

	c->syns_cap = n;
	c->syns = xrealloc(c->syns, c->syns_cap, sizeof(*c->syns));
	c->index_cap = (uint32_t)((uint64_t)n * 4 / 3 + 1);
	free(c->index);
	c->index = xcalloc(c->index_cap, sizeof(*c->index));
	for (i = 0; i < c->nsyns; i++)
		cap_index_put(c, c->syns[i].isn, i);
}

static struct cap_syn *cap_new(struct capture *c, uint32_t isn)
{
	struct cap_syn *s;

	/* More connections than planned (SYNs of other programs): half as
	 * many again. */
	if (c->nsyns == c->syns_cap)
		cap_reserve(c, c->syns_cap + c->syns_cap / 2 + 64);
	s = &c->syns[c->nsyns];
	memset(s, 0, sizeof(*s));
	s->isn = isn;
	s->client = UINT16_MAX;
	cap_index_put(c, isn, c->nsyns++);
	return s;
}

/* The later transmissions' entry of @s, made if @make. */
static struct cap_more *cap_more(struct capture *c, struct cap_syn *s, int make)
{
	uint32_t i = s->more >> CAP_ANS_BITS;

	if (i)
		return &c->more[i - 1];
	if (!make)
		return NULL;
	if (c->nmore == c->more_cap) {
		c->more_cap = c->more_cap ? c->more_cap * 2 : 64;
		c->more = xrealloc(c->more, c->more_cap, sizeof(*c->more));
	}
	memset(&c->more[c->nmore], 0, sizeof(*c->more));
	s->more |= ++c->nmore << CAP_ANS_BITS;
	return &c->more[c->nmore - 1];
}

static const struct cap_more *cap_more_of(const struct capture *c,
					  const struct cap_syn *s)
{
	uint32_t i = s->more >> CAP_ANS_BITS;

	return i ? &c->more[i - 1] : NULL;
}

uint32_t capture_tx_us(const struct capture *c, const struct cap_syn *s, int k)
{
	const struct cap_more *m;

	if (!k)
		return s->tx_us;
	m = cap_more_of(c, s);
	return m && k < CAP_TX_MAX ? m->tx_us[k - 1] : 0;
}

enum cap_answer capture_answer(const struct capture *c, const struct cap_syn *s,
			       int k)
{
	const struct cap_more *m;

	if (!k)
		return (enum cap_answer)(s->more & CAP_ANS_MASK);
	m = cap_more_of(c, s);
	if (!m || k >= CAP_TX_MAX)
		return CAP_NONE;
	return (enum cap_answer)(m->answers >> (CAP_ANS_BITS * (k - 1)) &
				 CAP_ANS_MASK);
}

static void cap_set_tx(struct capture *c, struct cap_syn *s, int k, uint32_t us)
{
	if (!k)
		s->tx_us = us;
	else
		cap_more(c, s, 1)->tx_us[k - 1] = us;
}

static void cap_set_answer(struct capture *c, struct cap_syn *s, int k,
			   enum cap_answer a)
{
	struct cap_more *m;
	int sh = CAP_ANS_BITS * (k - 1);

	if (!k) {
		s->more = (s->more & ~CAP_ANS_MASK) | (uint32_t)a;
		return;
	}
	m = cap_more(c, s, 1);
	m->answers = (m->answers & ~(CAP_ANS_MASK << sh)) | (uint32_t)a << sh;
}

static int cap_nrx(const struct cap_syn *s)
{
	return s->rx & CAP_RX_MAX;
}

static int cap_last_rx(const struct cap_syn *s)
{
	return s->rx >> 4;
}

/* The entry of the connection with ISN @isn, made if it is new. */
static struct cap_syn *cap_get(struct capture *c, uint32_t isn)
{
	struct cap_syn *s = cap_find(c, isn);

	return s ? s : cap_new(c, isn);
}

/* A SYN leaving client node @client (one transmission more). */
static void cap_client_syn(struct capture *c, int client, const struct pkt *p,
			   uint32_t now)
{
	struct cap_syn *s;

	c->tot.syn_from_clients++;
	s = cap_get(c, p->seq);
	s->client = (uint16_t)client;
	s->sport = p->sport;
	if (!s->ntx)
		s->tsval = p->has_ts ? p->tsval : 0;
	if (s->ntx < CAP_TX_MAX) {
		cap_set_tx(c, s, s->ntx, now);
		/* Until it is seen at the server. */
		cap_set_answer(c, s, s->ntx, CAP_LOST);
	}
	if (s->ntx < UINT8_MAX)
		s->ntx++;
}

/* Which transmission of @s an arrival at the server at @now is: the last
 * that left the client before it (some may have been lost on the way);
 * with no client side seen, the count of arrivals (@nrx so far). */
static int cap_arrival_tx(const struct capture *c, const struct cap_syn *s,
			  int nrx, uint32_t now)
{
	int last;

	if (!s->ntx)
		return nrx < CAP_TX_MAX ? nrx : CAP_TX_MAX - 1;
	last = s->ntx < CAP_TX_MAX ? s->ntx - 1 : CAP_TX_MAX - 1;
	while (last > 0 && capture_tx_us(c, s, last) > now)
		last--;
	return last;
}

/* A SYN reaching server @k on one of its ports: unanswered so far, and
 * the latest SYN of its external port. */
static void cap_server_syn(struct capture *c, int k, const struct pkt *p,
			   uint32_t now)
{
	struct cap_port *port = &c->by_port[p->sport];
	struct cap_syn *s;
	int nrx, last;

	c->tot.syn_in++;
	c->srv[k].tot.syn_in++;
	s = cap_get(c, p->seq);
	nrx = cap_nrx(s);
	if (!nrx) {
		c->tot.ext_ports++;
		if (port->syn && c->syns[port->syn - 1].isn != s->isn)
			c->tot.ext_port_reuse++;
	}
	s->ext_port = p->sport;
	last = cap_arrival_tx(c, s, nrx, now);
	cap_set_answer(c, s, last, CAP_NONE);
	if (nrx < CAP_RX_MAX)
		nrx++;
	s->rx = (uint8_t)(nrx | last << 4);
	port->syn = (uint32_t)(s - c->syns) + 1;
	port->us = now;
	if (c->port_srv)
		c->port_srv[p->sport] = (uint8_t)k;
}

/* What server @k sent from one of its ports: a SYN-ACK answers the SYN
 * whose ISN it acknowledges; an ACK or RST right after an unanswered SYN
 * that reached it on the same external port answers that SYN. */
static void cap_server_answer(struct capture *c, int k, const struct pkt *p,
			      uint32_t now)
{
	const struct cap_port *port = &c->by_port[p->dport];
	struct cap_syn *s;

	if ((p->flags & (PKT_SYN | PKT_ACK)) == (PKT_SYN | PKT_ACK)) {
		c->tot.synack_out++;
		c->srv[k].tot.synack_out++;
		s = cap_find(c, p->ack - 1);
		if (s && cap_nrx(s))
			cap_set_answer(c, s, cap_last_rx(s), CAP_SYNACK);
		return;
	}
	if (!port->syn || (c->port_srv && c->port_srv[p->dport] != k) ||
	    now - port->us > CAP_TWACK_MS * 1000)
		return;
	s = &c->syns[port->syn - 1];
	if (!cap_nrx(s) || capture_answer(c, s, cap_last_rx(s)) != CAP_NONE)
		return;
	if (p->flags & PKT_RST) {
		cap_set_answer(c, s, cap_last_rx(s), CAP_RST);
		c->tot.rst_out++;
		c->srv[k].tot.rst_out++;
	} else if (p->flags == PKT_ACK && !p->payload) {
		cap_set_answer(c, s, cap_last_rx(s), CAP_TWACK);
		c->tot.twack_out++;
		c->srv[k].tot.twack_out++;
	}
}

/* One frame seen on a switch port of @role (client node index + 1, -1 -
 * K server K, 0 any other); @to_node: leaving the switch towards the
 * node. */
static void cap_frame(struct capture *c, int role, int to_node, uint8_t *data,
		      size_t len, uint32_t now)
{
	struct pkt p;
	uint8_t syn;
	int k = -1 - role;

	c->tot.frames++;
	if (!role || (role < 0 && k >= c->nsrv) || pkt_parse(&p, data, len))
		return;
	syn = p.flags & (PKT_SYN | PKT_ACK);
	if (role > 0) {
		/* A client's port: its SYNs as they leave it. */
		if (!to_node && syn == PKT_SYN)
			cap_client_syn(c, role - 1, &p, now);
		return;
	}
	/* A server's port. */
	if (to_node && syn == PKT_SYN && p.daddr == c->srv[k].addr &&
	    c->server_port[p.dport]) {
		cap_server_syn(c, k, &p, now);
		return;
	}
	if (!to_node && p.saddr == c->srv[k].addr && c->server_port[p.sport])
		cap_server_answer(c, k, &p, now);
}

/* Walk every block the kernel has handed over, then give them back. */
static void cap_read(struct capture *c)
{
	for (;;) {
		struct tpacket_block_desc *bd =
			(struct tpacket_block_desc *)(c->ring +
						      (size_t)c->cur *
							      c->block_size);
		struct tpacket3_hdr *h;
		uint32_t i, n;

		if (!(__atomic_load_n(&bd->hdr.bh1.block_status,
				      __ATOMIC_ACQUIRE) &
		      TP_STATUS_USER))
			return;
		n = bd->hdr.bh1.num_pkts;
		h = (struct tpacket3_hdr *)((uint8_t *)bd +
					    bd->hdr.bh1.offset_to_first_pkt);
		for (i = 0; i < n; i++) {
			struct sockaddr_ll *sll =
				(struct sockaddr_ll *)((uint8_t *)h +
						       TPACKET_ALIGN(
							       sizeof(*h)));
			uint8_t *data = (uint8_t *)h + h->tp_net;
			uint64_t ns = (uint64_t)h->tp_sec * 1000000000ull +
				      h->tp_nsec -
				      (uint64_t)c->real_minus_mono_ns;
			uint8_t buf[CAP_SNAP];
			size_t len = h->tp_snaplen - (h->tp_net - h->tp_mac);

			/* The IP header says how long the packet was; the
			 * snap length only cut the payload. */
			if (len > sizeof(buf))
				len = sizeof(buf);
			memcpy(buf, data, len);
			if (len >= 20 && (size_t)(buf[2] << 8 | buf[3]) > len) {
				buf[2] = (uint8_t)(len >> 8);
				buf[3] = (uint8_t)len;
			}
			cap_frame(c,
				  sll->sll_ifindex < c->nport_role
					  ? c->port_role[sll->sll_ifindex]
					  : 0,
				  sll->sll_pkttype == PACKET_OUTGOING, buf, len,
				  ns > c->t0_ns
					  ? (uint32_t)((ns - c->t0_ns) / 1000)
					  : 0);
			h = (struct tpacket3_hdr *)((uint8_t *)h +
						    h->tp_next_offset);
		}
		__atomic_store_n(&bd->hdr.bh1.block_status, TP_STATUS_KERNEL,
				 __ATOMIC_RELEASE);
		c->cur = (c->cur + 1) % c->nblocks;
	}
}

static void *cap_thread(void *arg)
{
	struct capture *c = arg;
	struct pollfd pfd = {.fd = c->fd, .events = POLLIN};

	while (!c->stop) {
		poll(&pfd, 1, 50);
		cap_read(c);
	}
	/* A block still being filled is handed over after CAP_BLOCK_MS. */
	usleep(CAP_BLOCK_MS * 2000);
	cap_read(c);
	return NULL;
}

static int cap_ring(struct capture *c)
{
	struct tpacket_req3 req = {
		.tp_block_size = CAP_BLOCK_SIZE,
		.tp_block_nr = CAP_BLOCKS,
		.tp_frame_size = 2048,
		.tp_frame_nr = CAP_BLOCK_SIZE / 2048 * CAP_BLOCKS,
		.tp_retire_blk_tov = CAP_BLOCK_MS,
	};
	int v = TPACKET_V3;

	if (setsockopt(c->fd, SOL_PACKET, PACKET_VERSION, &v, sizeof(v)) ||
	    setsockopt(c->fd, SOL_PACKET, PACKET_RX_RING, &req, sizeof(req)))
		return -errno;
	c->block_size = CAP_BLOCK_SIZE;
	c->nblocks = CAP_BLOCKS;
	c->ring_len = (size_t)CAP_BLOCK_SIZE * CAP_BLOCKS;
	c->ring = mmap(NULL, c->ring_len, PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_LOCKED, c->fd, 0);
	if (c->ring == MAP_FAILED) {
		c->ring = mmap(NULL, c->ring_len, PROT_READ | PROT_WRITE,
			       MAP_SHARED, c->fd, 0);
		if (c->ring == MAP_FAILED) {
			c->ring = NULL;
			return -errno;
		}
	}
	return 0;
}

struct capture *capture_open(const struct topo *t, uint64_t t0_ns)
{
	const struct topo_node *srv = &t->nodes[t->traffic.server];
	struct capture *c = xcalloc(1, sizeof(*c));
	uint64_t planned = 0;
	const int *nodes;
	int i;

	c->t = t;
	c->fd = -1;
	c->t0_ns = t0_ns;
	c->nsrv = topo_target_servers(t, &nodes);
	c->srv = xcalloc(c->nsrv ? c->nsrv : 1, sizeof(*c->srv));
	for (i = 0; i < c->nsrv; i++) {
		c->srv[i].node = nodes[i];
		c->srv[i].addr = t->nodes[nodes[i]].ifs[0].addr;
	}
	c->server_port = xcalloc(65536, 1);
	if (t->traffic.port)
		c->server_port[t->traffic.port] = 1;
	else
		for (i = 0; i < srv->svc.nports; i++)
			c->server_port[srv->svc.ports[i]] = 1;
	c->by_port = xcalloc(65536, sizeof(*c->by_port));
	if (c->nsrv > 1)
		c->port_srv = xcalloc(65536, 1);
	/* Every attempt the generator makes is one ISN. */
	for (i = 0; i < t->nnodes; i++)
		if (t->nodes[i].kind == TOPO_CLIENT)
			planned += t->nodes[i].load.conns;
	cap_reserve(c, planned < 1024	      ? 1024
		       : planned > (1u << 28) ? 1u << 28
					      : (uint32_t)planned);
	return c;
}

void capture_feed(struct capture *c, int role, int to_node, uint8_t *ip,
		  size_t len, uint32_t now_us)
{
	cap_frame(c, role, to_node, ip, len, now_us);
}

/* The index in c->srv of server node @node, or -1. */
static int cap_server_of(const struct capture *c, int node)
{
	int k = c->nsrv;

	while (--k >= 0 && c->srv[k].node != node)
		;
	return k;
}

/* Which switch port is whose: ifindex -> client node index + 1, or -1 -
 * K for server K's; other ports stay 0.  In the switch's namespace,
 * where a client's or server's switch-side port carries its name. */
static void cap_port_roles(struct capture *c, const struct topo *t)
{
	int i;

	c->nport_role = 1;
	for (i = 0; i < t->nnodes; i++) {
		int k = cap_server_of(c, i);
		unsigned int ifi;

		if (t->nodes[i].kind != TOPO_CLIENT && k < 0)
			continue;
		ifi = if_nametoindex(t->nodes[i].name);
		if (!ifi)
			continue;
		if ((int)ifi >= c->nport_role) {
			c->port_role =
				xrealloc(c->port_role, ifi + 1, sizeof(int));
			memset(c->port_role + c->nport_role, 0,
			       (ifi + 1 - (unsigned int)c->nport_role) *
				       sizeof(int));
			c->nport_role = (int)ifi + 1;
		}
		c->port_role[ifi] = k >= 0 ? -1 - k : i + 1;
	}
}

/* The kernel filter for this lab (capture_bpf.h): the gateways' ports
 * (NAME-in, NAME-out), the balancers' (NAME-fe, NAME-be) and the links
 * between a network's bridges are refused, the servers' the traffic
 * reaches told apart.
 * Return: 0 or -errno. */
static int cap_lab_filter(struct capture *c, const struct topo *t)
{
	static const char *const ends[2][2] = {{"in", "out"}, {"fe", "be"}};
	struct sock_filter code[CAPTURE_BPF_MAX];
	int skip[CAPTURE_BPF_SKIP], srv[CAPTURE_BPF_SRV], nskip = 0, i;
	struct sock_fprog prog;
	int first, njoins = lab_switch_joins(t, &first);
	char port[32];

	for (i = 0; i < 2 * t->nnodes && nskip < CAPTURE_BPF_SKIP; i++) {
		const struct topo_node *n = &t->nodes[i / 2];

		if (topo_served(n->kind) < 0)
			continue;
		snprintf(port, sizeof(port), "%s-%s", n->name,
			 ends[n->kind == TOPO_BALANCER][i % 2]);
		skip[nskip++] = (int)if_nametoindex(port);
	}
	for (i = 0; i < c->nsrv && i < CAPTURE_BPF_SRV; i++)
		srv[i] = (int)if_nametoindex(t->nodes[c->srv[i].node].name);
	prog.filter = code;
	prog.len = (unsigned short)capture_bpf_build(code, srv, i, skip, nskip,
						     first, njoins, CAP_SNAP);
	if (setsockopt(c->fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog,
		       sizeof(prog)))
		return -errno;
	return 0;
}

/* The packet socket, opened in the lab's switch namespace with its ring,
 * the ports' roles and the filter; the thread is back in its own
 * namespace when this returns.  Return: 0 or -errno. */
static int cap_open_socket(struct capture *c, const struct topo *t)
{
	int err;

	err = netns_enter_node(t->name, NETNS_SWITCH);
	if (err)
		return err;
	/* ETH_P_ALL: a protocol-specific tap never sees what arrives on a
	 * bridge port, which the bridge consumes before protocol delivery
	 * (__netif_receive_skb_core()). */
	c->fd = psock_open(ETH_P_ALL, NULL, 0);
	if (c->fd < 0) {
		err = c->fd;
		goto out;
	}
	err = cap_ring(c);
	if (err)
		goto out;
	/* Switch-side names: the node's name for clients and servers. */
	cap_port_roles(c, t);
	err = cap_lab_filter(c, t);
out:
	netns_leave();
	return err;
}

/* The ring stamps frames with CLOCK_REALTIME; the run counts from a
 * CLOCK_MONOTONIC origin: the difference between the two, now. */
static int64_t cap_real_minus_mono(void)
{
	struct timespec rt;

	clock_gettime(CLOCK_REALTIME, &rt);
	return (int64_t)((uint64_t)rt.tv_sec * 1000000000ull +
			 (uint64_t)rt.tv_nsec) -
	       (int64_t)util_now_ns();
}

struct capture *capture_start(const struct topo *t, uint64_t t0_ns)
{
	struct capture *c = capture_open(t, t0_ns);
	int err;

	err = cap_open_socket(c, t);
	if (err)
		goto fail;
	c->real_minus_mono_ns = cap_real_minus_mono();
	if (pthread_create(&c->tid, NULL, cap_thread, c)) {
		err = -EAGAIN;
		goto fail;
	}
	return c;
fail:
	if (c->ring)
		munmap(c->ring, c->ring_len);
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	c->ring = NULL;
	capture_free(c);
	errno = -err;
	return NULL;
}

static const struct capture *sort_cap;

static int cap_cmp(const void *a, const void *b)
{
	const struct cap_syn *x = &sort_cap->syns[*(const uint32_t *)a];
	const struct cap_syn *y = &sort_cap->syns[*(const uint32_t *)b];

	if (x->client != y->client)
		return x->client < y->client ? -1 : 1;
	if (x->sport != y->sport)
		return x->sport < y->sport ? -1 : 1;
	return x->tx_us < y->tx_us ? -1 : x->tx_us > y->tx_us;
}

void capture_stop(struct capture *c)
{
	struct tpacket_stats st;
	socklen_t len = sizeof(st);
	uint32_t i;

	if (c->fd >= 0) {
		c->stop = 1;
		pthread_join(c->tid, NULL);
		if (getsockopt(c->fd, SOL_PACKET, PACKET_STATISTICS, &st,
			       &len) == 0)
			c->tot.dropped = st.tp_drops;
		munmap(c->ring, c->ring_len);
		c->ring = NULL;
		close(c->fd);
		c->fd = -1;
	}
	/* Nothing more is looked up by ISN: the index makes room for the
	 * one by client port. */
	free(c->index);
	c->index = NULL;
	c->index_cap = 0;
	c->sorted = xcalloc(c->nsyns ? c->nsyns : 1, sizeof(*c->sorted));
	for (i = 0; i < c->nsyns; i++)
		c->sorted[i] = i;
	sort_cap = c;
	qsort(c->sorted, c->nsyns, sizeof(*c->sorted), cap_cmp);
}

void capture_free(struct capture *c)
{
	if (!c)
		return;
	free(c->syns);
	free(c->index);
	free(c->more);
	free(c->by_port);
	free(c->port_srv);
	free(c->server_port);
	free(c->srv);
	free(c->port_role);
	free(c->sorted);
	free(c);
}

const struct cap_syn *capture_syns(const struct capture *c, uint32_t *n)
{
	*n = c->nsyns;
	return c->syns;
}

void capture_totals(const struct capture *c, struct cap_totals *tot)
{
	*tot = c->tot;
}

void capture_server_totals(const struct capture *c, int node,
			   struct cap_totals *tot)
{
	int k = cap_server_of(c, node);

	memset(tot, 0, sizeof(*tot));
	if (k >= 0)
		*tot = c->srv[k].tot;
}

const struct cap_syn *capture_find(const struct capture *c, int client,
				   uint16_t sport, uint32_t start_us,
				   uint32_t end_us)
{
	const struct cap_syn *best = NULL;
	uint32_t lo = 0, hi = c->nsyns;
	int64_t best_d = INT64_MAX;

	/* First entry with (client, sport) >= the key. */
	while (lo < hi) {
		uint32_t mid = (lo + hi) / 2;
		const struct cap_syn *s = &c->syns[c->sorted[mid]];

		if (s->client < client ||
		    (s->client == client && s->sport < sport))
			lo = mid + 1;
		else
			hi = mid;
	}
	/* The capture's clock and the generator's differ by the time a SYN
	 * takes to reach the switch and by the two clocks' conversion:
	 * take the connection whose first SYN is closest to the start,
	 * among those that left before it ended. */
	for (; lo < c->nsyns; lo++) {
		const struct cap_syn *s = &c->syns[c->sorted[lo]];
		int64_t d;

		if (s->client != client || s->sport != sport)
			break;
		if (s->tx_us > end_us + 50000u)
			break; /* sorted by time: the rest are later */
		d = (int64_t)s->tx_us - (int64_t)start_us;
		if (d < 0)
			d = -d;
		if (d <= 50000 && d < best_d) {
			best = s;
			best_d = d;
		}
	}
	return best;
}
