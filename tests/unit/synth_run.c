/* synth_run.c - a synthetic run of many clients for the unit tests and
 * the report benchmark: a lab's topology, the generator's records, a
 * capture fed frame by frame, and the run's metrics. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/util.h"
#include "run/capture.h"
#include "run/counters.h"
#include "run/run_metrics.h"
#include "synth_run.h"

/*
 * The records are in the generator's round-robin order (every client's
 * first attempt, then every client's second, ...), 100 us apart.  A SYN
 * the server drops is retransmitted after the kernel's 1 s initial RTO,
 * doubled each time.  The capture sees each transmission leave its
 * client, reach the server from the gateway's outside address (a port
 * of its own per connection), and the last one answered by a SYN-ACK.
 */

#define SYNTH_PORT 80

int synth_run_drops(int clients, int i, int k)
{
	if (i == clients / 2)
		return 4;
	return i % 10 == 3 ? 1 + (i / 10 + k) % 3 : 0;
}

static void wr16(uint8_t *b, uint32_t v)
{
	b[0] = (uint8_t)(v >> 8);
	b[1] = (uint8_t)v;
}

static void wr32(uint8_t *b, uint32_t v)
{
	wr16(b, v >> 16);
	wr16(b + 2, v & 0xffff);
}

/* One IPv4/TCP segment without options, fed to the capture. */
static void synth_feed(struct capture *c, int role, int to_node,
		       const uint32_t addr[2], const uint16_t port[2],
		       const uint32_t seq_ack[2], uint8_t flags, uint32_t now)
{
	uint8_t b[40] = {0x45};

	wr16(b + 2, sizeof(b));
	b[8] = 64;
	b[9] = 6;
	wr32(b + 12, addr[0]);
	wr32(b + 16, addr[1]);
	wr16(b + 20, port[0]);
	wr16(b + 22, port[1]);
	wr32(b + 24, seq_ack[0]);
	wr32(b + 28, seq_ack[1]);
	b[32] = 5 << 4;
	b[33] = flags;
	capture_feed(c, role, to_node, b, sizeof(b), now);
}

/* Record @j, connection @k of client node @node (the @i-th client), and
 * its frames: @drops transmissions unanswered, then one answered. */
static void synth_conn(struct synth_run *s, uint32_t j, int node, int k,
		       int drops)
{
	const struct topo *t = &s->t;
	struct tr_rec *r = &s->recs[j];
	uint32_t srv = t->nodes[t->traffic.server].ifs[0].addr;
	uint32_t gw = t->nodes[0].ifs[1].addr, isn = j * 2654435761u + 1;
	uint16_t ext = (uint16_t)(1024 + j % 60000), sport = 20000 + k;
	uint32_t tx = 0, rto = 1000000;
	int x;

	r->start_us = j * 100 + 1000;
	r->client = (uint16_t)node;
	r->seq = (uint32_t)k;
	r->sport = sport;
	r->outcome = TR_OK;
	r->flags = TR_F_CONNECTED | TR_F_STARTED;
	r->syn_retrans = (uint8_t)drops;
	for (x = 0; x <= drops; x++, rto *= 2) {
		uint32_t now = r->start_us + 100 + tx;

		synth_feed(s->cap, node + 1, 0,
			   (uint32_t[2]){t->nodes[node].ifs[0].addr, srv},
			   (uint16_t[2]){sport, SYNTH_PORT},
			   (uint32_t[2]){isn, 0}, 0x02, now);
		synth_feed(s->cap, -1, 1, (uint32_t[2]){gw, srv},
			   (uint16_t[2]){ext, SYNTH_PORT},
			   (uint32_t[2]){isn, 0}, 0x02, now + 200);
		if (x == drops)
			synth_feed(s->cap, -1, 0, (uint32_t[2]){srv, gw},
				   (uint16_t[2]){SYNTH_PORT, ext},
				   (uint32_t[2]){j, isn + 1}, 0x12, now + 300);
		else
			tx += rto;
	}
	r->connect_us = tx + 500 + (j % 7) * 50;
	r->end_us = r->start_us + r->connect_us + 1000;
}

static int synth_topo(struct synth_run *s, int clients, int conns)
{
	char text[512];
	int err;

	snprintf(text, sizeof(text),
		 "[lab]\nname = synth\n"
		 "[network lan]\nsubnet = 10.0.0.0/16\n"
		 "[network wan]\nsubnet = 198.51.100.0/24\n"
		 "[gateway gw]\ninside = lan\noutside = wan\n"
		 "nat = masquerade\n"
		 "[server srv]\nnetwork = wan\nlisten = %d\n"
		 "[clients]\ncount = %d\nnetwork = lan\n"
		 "[traffic]\nconns = %d\n",
		 SYNTH_PORT, clients, conns);
	err = topo_parse_buf(&s->t, "synth.topo", text, strlen(text));
	if (err)
		topo_print_errors(&s->t);
	return err;
}

int synth_run_make(struct synth_run *s, int clients, int conns)
{
	int first, i, k, err;
	uint32_t j = 0;

	memset(s, 0, sizeof(*s));
	err = synth_topo(s, clients, conns);
	if (err)
		return err;
	first = s->t.nnodes - clients; /* gateways, servers, then clients */
	s->recs = xcalloc((size_t)clients * conns, sizeof(*s->recs));
	s->cap = capture_open(&s->t, 0);
	for (k = 0; k < conns; k++)
		for (i = 0; i < clients; i++, j++)
			synth_conn(s, j, first + i, k,
				   synth_run_drops(clients, i, k));
	capture_stop(s->cap);
	s->d.t = &s->t;
	s->d.topo_path = "synth.topo";
	s->d.recs = s->recs;
	s->d.nrecs = j;
	s->d.cap = s->cap;
	return 0;
}

void synth_run_metrics(struct synth_run *s)
{
	struct counters *zero = xcalloc(s->t.nnodes, sizeof(*zero));
	struct run_server_in *servers;
	struct run_measured in;

	metrics_free(&s->d.m);
	servers = xcalloc(s->t.nnodes, sizeof(*servers));
	in = (struct run_measured){
		.before = zero, .after = zero, .servers = servers};
	run_metrics_compute(&s->d, &in);
	free(zero);
	free(servers);
}

void synth_run_free(struct synth_run *s)
{
	metrics_free(&s->d.m);
	capture_free(s->cap);
	free(s->recs);
	topo_free(&s->t);
	memset(s, 0, sizeof(*s));
}
