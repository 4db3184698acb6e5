/* rfc_int.h - what the natlab rfc modules share: test ports, the suite. */
#ifndef NATLAB_RFC_INT_H
#define NATLAB_RFC_INT_H

#include <signal.h>
#include <stdint.h>

#include "rfc.h"
#include "topo.h"

/* Ports of the tests: clients bind these, so that every test's
 * connections are its own and port preservation can be seen. */
#define SRV_PORT     80
#define P_EIM	     40101
#define P_EIM2	     40102
#define P_SEQ	     40201
#define P_SIM	     40202
#define Q_SIM	     5202 /* s1's port in the simultaneous open */
#define P_FILT	     40301
#define Q_FILT_S2    45301
#define Q_FILT_S1    45302
#define P_UNSOL	     40401 /* an external port nobody mapped */
#define Q_UNSOL	     5401
#define P_PUNCH	     40402
#define Q_PUNCH	     5402
#define P_EST	     40501
#define P_RST	     40502
#define P_TWS	     40503
#define P_CLS	     40504
#define P_ALG	     40601
#define P_OVL	     40701
#define P_HP	     40801
#define P_HP_C2	     40802
#define P_UDP	     40901
#define P_PCP	     40902
#define P_ICMP	     41001
#define P_OLAP	     41101
#define P_PORTS	     42000
#define UDP_CLOSED   9	  /* discard: nobody listens in the servers */
#define PCP_PORT     5351 /* RFC 6887 */
#define ICMP_UNREACH 3
#define ICMP_PORT    3

/* Waits.  The lab's wire is a bridge: answers take microseconds. */
#define WAIT_CONNECT_MS 1000
#define WAIT_ACCEPT_MS	1000
#define UNSOL_WINDOW_MS 6500 /* > RFC_UNSOLICITED_MS */
#define PUNCH_DELAY_MS	300
#define SCALED_S	2 /* the transitory timers while watching expiry */
#define SCALE		(RFC_TRANSITORY_MIN / SCALED_S)

/* The ALG probes' well-known ports and their protocols, rfc.c. */
extern const uint16_t rfc_alg_ports[4];
extern const char *const rfc_alg_names[4];

/* The transitory timers the rfc profile sets to 4 minutes, rfc.c. */
extern const enum rfc_timer rfc_transitory[7];

/* Set by a signal: every wait of the suite ends early, rfc.c. */
extern volatile sig_atomic_t rfc_stop;

/* ---- the suite: one profile's lab, as the tests see it ---- */

struct mnl_socket;

/* The roles of the suite's nodes. */
enum { N_GW, N_C1, N_C2, N_S1, N_S2, N_NODES };

struct fullcone;

struct suite {
	const struct topo *t;
	struct rfc_evidence *ev;
	int node[N_NODES]; /* topology node index */
	int nsfd[N_NODES];
	uint32_t addr[N_NODES]; /* gw: its outside address */
	const char *c1_if;	/* c1's interface, for the capture */
	struct mnl_socket *ct;	/* ctnetlink in the gateway */
	uint32_t ct_seq;
	int keeper; /* the gateway is nat = rfc: its keeper is running */
	int l_s1, l_s2, l_alg[4];
	int unsol_fd; /* REQ-4's probe while it is watched */
	uint64_t unsol_t0;
};

/* ---- rfcprobe.c: the tests, run inside the lab's namespaces ---- */

/**
 * rfcprobe_sleep_ms() - sleep, but return early when the run is being
 * stopped
 * Return: 0, or -EINTR if rfc_stop was set.
 */
int rfcprobe_sleep_ms(int ms);

/**
 * rfcprobe_open() - the suite's standing sockets: ctnetlink in the
 * gateway, the servers' listeners
 * @s: a suite whose nodes, namespaces and addresses are set
 * Return: 0 or -errno.
 */
int rfcprobe_open(struct suite *s);

/**
 * rfcprobe_close() - close every socket and namespace of @s (idempotent,
 * safe on a half-opened suite)
 */
void rfcprobe_close(struct suite *s);

/**
 * rfcprobe_run() - every test, in an order that keeps the long waits
 * together: the REQ-4 watch runs while the timer tests wait for entries
 * to expire
 * Return: 0 or -errno (-EINTR when stopped).
 */
int rfcprobe_run(struct suite *s);

#endif
