/* engine_fault.c - the engine's faults: connections numbered, packets
 * matched, dropped or held back. */
#include <stdlib.h>
#include <string.h>

#include "engine/engine_fault.h"
#include "engine/engine_int.h"
#include "lib/log.h"
#include "lib/nfq.h"
#include "lib/util.h"

/*
 * A fault of the topology names the nth packet of a kind that a node sends
 * or receives, on any connection or on the node's nth one.  Matching it is
 * pure (engine_fault.h: the unit tests feed it built packets); the verdict
 * path (engine.c) then drops the packet, or hands it here to be delayed:
 * the kernel keeps a queued packet until it gets a verdict, so a verdict
 * held back on a timer delays the packet by that long.
 */

void engine_fault_init(struct eng_faults *fs, const struct topo *t, int node)
{
	int k;

	memset(fs, 0, sizeof(*fs));
	tuple_table_init(&fs->conns, sizeof(struct eng_fault_conn), NULL, NULL);
	for (k = 0; k < t->nfaults; k++)
		if (t->faults[k].node == node)
			fs->n++;
	if (!fs->n)
		return;
	fs->v = xcalloc(fs->n, sizeof(*fs->v));
	fs->n = 0;
	for (k = 0; k < t->nfaults; k++)
		if (t->faults[k].node == node)
			fs->v[fs->n++].f = &t->faults[k];
}

void engine_fault_free(struct eng_faults *fs)
{
	free(fs->v);
	fs->v = NULL;
	fs->n = 0;
	tuple_table_free(&fs->conns);
}

struct eng_fault_conn *engine_fault_conn(struct eng_faults *fs,
					 const struct tuple *t,
					 const struct pkt *p, int out)
{
	struct eng_fault_conn *c = tuple_table_find(&fs->conns, t);

	if ((p->flags & (PKT_SYN | PKT_ACK)) == PKT_SYN) {
		if (!c)
			c = tuple_table_insert(&fs->conns, t, 0);
		/* A SYN with a new ISN on a 4-tuple seen before is a new
		 * connection (the port was reused); a retransmitted SYN
		 * has the same ISN. */
		if (!c->index || c->isn != p->seq) {
			c->index = ++fs->next_index;
			c->isn = p->seq;
			c->peer_fin = 0;
		}
	}
	if (c && !out && (p->flags & PKT_FIN))
		c->peer_fin = 1;
	return c;
}

int engine_fault_kind(enum topo_fault_packet k, const struct pkt *p,
		      const struct eng_fault_conn *c)
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

const struct topo_fault *engine_fault_match(struct eng_faults *fs,
					    const struct tuple *t,
					    const struct pkt *p, int out)
{
	struct eng_fault_conn *c = engine_fault_conn(fs, t, p, out);
	int i;

	for (i = 0; i < fs->n; i++) {
		struct eng_fault *ef = &fs->v[i];
		const struct topo_fault *f = ef->f;

		if (f->out != out || ef->seen >= f->nth)
			continue;
		if (f->conn && (!c || c->index != f->conn))
			continue;
		if (!engine_fault_kind(f->packet, p, c))
			continue;
		if (++ef->seen == f->nth)
			return f;
	}
	return NULL;
}

const struct topo_fault *engine_fault_check(struct eng_node *n,
					    const struct tuple *t,
					    const struct pkt *p, int out)
{
	const struct topo_fault *f = engine_fault_match(&n->faults, t, p, out);

	if (f)
		log_info("fault %s: %s %s packet of %s", f->name,
			 f->drop ? "dropping" : "delaying",
			 topo_fault_packet_name(f->packet), n->tn->name);
	return f;
}

int engine_fault_delay(struct eng_node *n, const struct nfq_packet *np,
		       int rewritten, uint32_t delay_ms)
{
	struct eng_timer tm = {
		.at_ms = engine_now_ms() + delay_ms,
		.kind = ENG_TIMER_RELEASE,
		.node = n,
		.id = np->id,
	};

	if (rewritten) {
		tm.data = xcalloc(1, np->len);
		memcpy(tm.data, np->data, np->len);
		tm.len = np->len;
	}
	heap_push(&n->e->timers, &tm);
	n->st.delayed++;
	n->held++;
	return 0;
}

void engine_fault_release(struct eng_node *n, struct eng_timer *tm)
{
	nfq_verdict(n->q, tm->id, NFQ_ACCEPT, tm->data, tm->len);
	nfq_flush(n->q);
	free(tm->data);
	tm->data = NULL;
	n->held--;
}
