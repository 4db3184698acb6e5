/* topo.h - the lab model: INI-style topology files, parsed and validated. */
#ifndef NATLAB_TOPO_H
#define NATLAB_TOPO_H

#include <stddef.h>
#include <stdint.h>

/*
 * Name limits.  Namespaces are named "<lab>-<node>", and the lab's switch
 * namespace (which holds one bridge per network) "<lab>-sw", so node names
 * may not contain '-' (that keeps "<lab>-<node>" unambiguous across labs)
 * and "sw" is reserved.  A network's name is also the name of the
 * interface that attaches a node to it, so it must fit IFNAMSIZ - 1.
 * Switch-side veth ends are named "<node>", "<node>-in"/"<node>-out"
 * for gateways or "<node>-fe"/"<node>-be" for balancers, hence the node
 * limit of 15 - 4 characters.
 */
#define TOPO_LAB_MAX  24
#define TOPO_NODE_MAX 11
#define TOPO_NET_MAX  15

enum topo_kind {
	TOPO_CLIENT,
	TOPO_GATEWAY,
	TOPO_SERVER,
	TOPO_BALANCER, /* an L4 load balancer: a virtual address, DNATed */
};

/* A key = value pair kept with its source line. */
struct topo_kv {
	char *key;
	char *value;
	int line;
};

/*
 * A network is a tree of bridges in the lab's switch: the kernel gives a
 * bridge at most 1023 ports (numbers 1 to BR_MAX_PORTS - 1, 1024; 0 is
 * not used, find_portno()), so natlab puts at most
 * TOPO_BRIDGE_PORTS nodes' interfaces on each, and joins the network's
 * further bridges to its first one, whose ports then hold at most
 * TOPO_BRIDGE_PORTS interfaces and TOPO_BRIDGES_MAX - 1 links.
 */
#define TOPO_BRIDGE_PORTS 1000
#define TOPO_BRIDGES_MAX  24
#define TOPO_NET_IFS_MAX  (TOPO_BRIDGE_PORTS * TOPO_BRIDGES_MAX)

struct topo_net {
	char name[TOPO_NET_MAX + 1];
	uint32_t addr; /* network address, host byte order */
	int prefix;    /* 8..30 */
	int line;      /* line of its [network NAME] header */
};

enum topo_nat_mode {
	TOPO_NAT_NONE,	     /* plain router */
	TOPO_NAT_MASQUERADE, /* masquerade on the outside interface */
	TOPO_NAT_RFC,	     /* masquerade + full-cone keeper (nat = rfc) */
};

/* The transitory conntrack timeouts a nat = rfc gateway gets unless the
 * file sets them: RFC 5382 REQ-5's 4 minutes. */
#define TOPO_RFC_TRANSITORY_S 240
#define TOPO_RFC_UDP_S	      300 /* udp_timeout(_stream) */
#define TOPO_RFC_ICMP_S	      60  /* icmp_timeout */

/* Masquerade flags, as nftables names them. */
#define TOPO_NAT_RANDOM	      0x1u
#define TOPO_NAT_FULLY_RANDOM 0x2u
#define TOPO_NAT_PERSISTENT   0x4u

struct topo_nat {
	enum topo_nat_mode mode;
	unsigned int flags;	     /* TOPO_NAT_* */
	uint16_t port_min, port_max; /* both 0: any port */
	int line;
};

/* One interface of a node: the network it sits on and its address. */
struct topo_iface {
	int net;       /* index into topo.nets */
	uint32_t addr; /* host byte order; always set after a good parse */
	int line;      /* line that set the address, or the node's line */
};

/* A client's TCP timestamp clock. */
enum topo_tsclock {
	TOPO_TS_KERNEL, /* per-connection: the kernel's own random offsets */
	TOPO_TS_HOST, /* one clock per host (client or server), set by natlab */
	TOPO_TS_OFF,  /* tcp_timestamps = 0 */
};

struct topo_clock {
	enum topo_tsclock mode;
	int64_t offset_ms;	/* added to every TSval (1 tick = 1 ms) */
	int random;		/* offset drawn from the lab seed */
	int64_t random_span_ms; /* ... in [0, span), 0: the whole clock */
	int32_t skew_ppm;	/* rate skew, parts per million */
	int line;		/* line of tsclock (or the node's) */
};

enum topo_legacy_model {
	TOPO_LEGACY_4_4,    /* tcp_metrics, Linux 4.4-4.11 */
	TOPO_LEGACY_2_6_32, /* inet_peer, Linux 2.6.32 */
};

/* The emulated tcp_tw_recycle of a server. */
struct topo_legacy {
	int recycle;
	enum topo_legacy_model model;
	uint32_t paws_msl_ms; /* TCP_PAWS_MSL, 60000 unless shortened */
	int line;	      /* line of legacy.tcp_tw_recycle */
};

/* Who closes a connection first. */
enum topo_close {
	TOPO_CLOSE_SERVER, /* the server, after its response */
	TOPO_CLOSE_CLIENT, /* the client, after reading the response */
	TOPO_CLOSE_RST,	   /* the client, with a RST (SO_LINGER {1, 0}) */
};

#define TOPO_PORTS_MAX 64

/* What a server runs: the built-in server on these ports. */
struct topo_service {
	uint16_t ports[TOPO_PORTS_MAX];
	int nports;
	enum topo_close close;
	uint32_t backlog;
	uint32_t request, response; /* bytes */
};

/* A client's share of the traffic. */
struct topo_load {
	uint32_t conns;	      /* connections to open */
	uint32_t interval_ms; /* between its attempts (order = parallel) */
	uint32_t start_ms;    /* delay before its first attempt */
	uint32_t concurrency; /* at most this many open at once, 0: any */
	uint16_t sport_min, sport_max; /* 0: ephemeral */
	uint32_t connect_timeout_ms;   /* 0: the kernel's SYN retries */
	uint32_t hold_ms; /* keep the socket open this long after the
			     exchange (and the server's FIN) before closing;
			     a hold that outlasts the traffic lasts until
			     the run has read its end counters */
};

#define TOPO_LB_SERVERS_MAX 16

enum topo_lb_mode {
	TOPO_LB_DNAT,	 /* destination NAT only: servers route back via it */
	TOPO_LB_FULLNAT, /* and source NAT to its backend address */
};

enum topo_lb_schedule {
	TOPO_LB_ROUND_ROBIN, /* numgen inc mod N */
	TOPO_LB_HASH,	     /* jhash ip saddr . tcp sport mod N */
};

/* A balancer's real servers and how it spreads connections over them. */
struct topo_balancer {
	enum topo_lb_mode mode;
	enum topo_lb_schedule schedule;
	int servers[TOPO_LB_SERVERS_MAX]; /* node indices, as listed */
	int nservers;
	uint32_t seed; /* of the hash, drawn from the lab's seed */
	int line;      /* the servers line */
};

struct topo_node {
	char name[TOPO_NODE_MAX + 1];
	enum topo_kind kind;
	int line; /* its [section] header, or the [clients] line for c1..cN */
	/* client/server: ifs[0]; gateway: ifs[0] inside, ifs[1] outside;
	 * balancer: ifs[0] frontend (the virtual address), ifs[1] backend */
	struct topo_iface ifs[2];
	int nifs;
	/* node index of the router for the default route, -1 for none */
	int via;
	struct topo_kv *sysctls; /* key without "sysctl.": "net.ipv4.x" */
	int nsysctls;
	/* gateway only: key without "conntrack.", e.g. "tcp_timeout_close" */
	struct topo_kv *conntrack;
	int nconntrack;
	struct topo_nat nat;	   /* gateway only */
	struct topo_clock clock;   /* clients and servers */
	struct topo_legacy legacy; /* servers and clients */
	struct topo_load load;	   /* client only */
	/* server; balancer: the ports of its virtual address and the
	 * service of its servers (their first's) */
	struct topo_service svc;
	struct topo_balancer lb; /* balancer only */
};

enum topo_order {
	TOPO_ORDER_ROUND_ROBIN, /* c1, c2, ..., cN, c1, ... one at a time */
	TOPO_ORDER_RANDOM,	/* the same attempts, shuffled by the seed */
	TOPO_ORDER_PARALLEL,	/* every client on its own schedule */
};

/* [traffic]: how the clients' attempts are ordered, and where to. */
struct topo_traffic {
	int present; /* the file has a [traffic] section */
	enum topo_order order;
	uint32_t interval_us; /* between attempts in the global order */
	int server;	      /* node index of the target: a server or a
				 balancer */
	uint16_t port;	      /* its port; 0: each attempt the next of
				    the server's listen ports */
	uint32_t max_ms;      /* stop waiting after this, 0: no limit */
	uint32_t linger_ms;   /* after the traffic, wait this long before
				    reading the end counters */
};

enum topo_cmp {
	TOPO_EQ,
	TOPO_NE,
	TOPO_LT,
	TOPO_LE,
	TOPO_GT,
	TOPO_GE,
};

/* One [expect] line: METRIC OP VALUE (durations in milliseconds). */
struct topo_expect {
	char metric[48];
	enum topo_cmp op;
	double value;
	int duration;  /* the value had a unit */
	char text[96]; /* as written, for reports */
	int line;
};

/* Packet faults the engine injects: which packet, and what happens. */
enum topo_fault_packet {
	TOPO_PKT_ANY,
	TOPO_PKT_SYN, /* SYN without ACK */
	TOPO_PKT_SYNACK,
	TOPO_PKT_ACK,  /* a pure ACK (no SYN, FIN, RST, no data) */
	TOPO_PKT_DATA, /* carries payload */
	TOPO_PKT_FIN,
	TOPO_PKT_RST,
	TOPO_PKT_FINAL_ACK, /* the pure ACK of the peer's FIN */
};

struct topo_fault {
	char name[TOPO_NODE_MAX + 1];
	int node; /* node index */
	int out;  /* 1: packets the node sends, 0: it receives */
	enum topo_fault_packet packet;
	uint32_t conn; /* the node's Nth connection (1-based), 0: any */
	uint32_t nth;  /* the Nth matching packet (1-based) */
	int drop;      /* 1: drop, 0: delay */
	uint32_t delay_ms;
	int line;
};

/* How host clocks are kept ([lab] clock_path). */
enum topo_clock_path {
	TOPO_CLOCK_BPF,	    /* a tc program in the client's namespace */
	TOPO_CLOCK_NFQUEUE, /* the engine, through NFQUEUE */
};

struct topo {
	char *file; /* name shown in "file:line: message" */
	char name[TOPO_LAB_MAX + 1];
	int name_line;
	struct topo_net *nets;
	int nnets;
	struct topo_node *nodes; /* gateways, servers, then clients */
	int nnodes;
	struct topo_fault *faults;
	int nfaults;
	struct topo_traffic traffic;
	struct topo_expect *expects;
	int nexpects;
	uint64_t seed;			 /* [clients] seed: random offsets */
	int fail_open;			 /* [lab] engine.fail_open */
	uint32_t queue_len;		 /* [lab] engine.queue_len */
	enum topo_clock_path clock_path; /* [lab] clock_path */
	char **errs; /* "file:line: message" strings, in line order */
	int nerrs;
};

/**
 * topo_parse_buf() - parse and validate a topology held in memory
 * @t:    zeroed model to fill
 * @file: name to use in error messages
 * @buf:  text, need not be NUL-terminated
 * @len:  its length
 *
 * Every problem found is appended to t->errs as "file:line: message";
 * parsing goes on after an error so that one run reports them all.
 * Return: 0 if the topology is valid, -EINVAL if t->nerrs > 0.
 */
int topo_parse_buf(struct topo *t, const char *file, const char *buf,
		   size_t len);

/**
 * topo_parse_file() - read a file and topo_parse_buf() it
 * Return: 0, -EINVAL (errors in t->errs), or -errno if it can't be read
 * (then t->errs holds "file: cannot read the topology: strerror").
 */
int topo_parse_file(struct topo *t, const char *path);

/* Print t->errs to stderr, one per line: the first ten, then how many
 * more there are. */
void topo_print_errors(const struct topo *t);

/**
 * topo_set_name() - override the lab name (natlab --name)
 * Return: 0 or -EINVAL if the name is not a valid lab name.
 */
int topo_set_name(struct topo *t, const char *name);

/* Valid lab name: [a-z0-9][a-z0-9_-]*, at most TOPO_LAB_MAX. */
int topo_valid_lab_name(const char *name);

/* Find a node or network by name; return its index or -1. */
int topo_find_node(const struct topo *t, const char *name);
int topo_find_net(const struct topo *t, const char *name);

/* Does the lab need the packet engine (clocks, legacy servers, faults)? */
int topo_needs_engine(const struct topo *t);

/* topo_needs_keeper() - whether a gateway has nat = rfc (its full-cone
 * maps need a keeper process while the lab is up) */
int topo_needs_keeper(const struct topo *t);

/**
 * topo_metric_known() - is NAME a metric of that kind of node
 * (or of "clients", the sum over clients when kind is -1)?  A
 * balancer's "conns.SERVER" is known for any SERVER; that SERVER is one
 * of its servers is for the caller to check.
 */
int topo_metric_known(int kind, const char *name);

/**
 * topo_metrics_each() - every metric name [expect] accepts, by kind: the
 * oracle of the manual's test
 * @fn:  called once per name with its kind ("client", "server",
 *       "gateway", "balancer", or "legacy": those of a client or server
 *       with legacy.tcp_tw_recycle = 1, and their sums over the clients
 *       as "clients.NAME"), the name and @arg; a balancer's "conns."
 *       takes one of its servers' names after the dot
 * @arg: passed on to @fn
 */
void topo_metrics_each(void (*fn)(const char *kind, const char *name,
				  void *arg),
		       void *arg);

/* "==", "<", ... */
const char *topo_cmp_name(enum topo_cmp op);

/* Names for reports: "host", "4.4", "final-ack", ... */
const char *topo_tsclock_name(enum topo_tsclock mode);
const char *topo_legacy_model_name(enum topo_legacy_model model);
const char *topo_fault_packet_name(enum topo_fault_packet packet);

/* "client", "gateway", "server" or "balancer". */
const char *topo_kind_name(enum topo_kind kind);

/* "dnat", "fullnat"; "round-robin", "hash". */
const char *topo_lb_mode_name(enum topo_lb_mode mode);
const char *topo_lb_schedule_name(enum topo_lb_schedule schedule);

/**
 * topo_uplink() - the interface by which a node of @kind leaves for its
 * default route
 * Return: 1 (a gateway's outside), else 0 (a balancer's frontend, a
 * client's or server's only interface).
 */
int topo_uplink(enum topo_kind kind);

/**
 * topo_served() - the interface of a router on the network it routes
 * for: the nodes there take its address there as their default route
 * Return: 0 (a gateway's inside), 1 (a balancer's backend), or -1 for
 * a kind that routes for no network.
 */
int topo_served(enum topo_kind kind);

/**
 * topo_target_servers() - the servers a run's traffic reaches: the
 * [traffic] server, or each server of a balancer that is the target
 * @servers: set to their node indices, memory of @t
 * Return: how many (0 if the lab has no target).
 */
int topo_target_servers(const struct topo *t, const int **servers);

/**
 * topo_net_bridges() - the bridges network @net is built of
 * @ifs: set to the number of nodes' interfaces on it, if not NULL
 * Return: 1 up to TOPO_BRIDGES_MAX, one per TOPO_BRIDGE_PORTS interfaces.
 */
int topo_net_bridges(const struct topo *t, int net, int *ifs);

/**
 * topo_keys_each() - every section and key the parser accepts, in the
 * order of its tables: the oracle of the manual's test
 * @fn:  called once per key with the section's kind ("gateway"), whether
 *       it takes a NAME ([gateway NAME]), the key ("nat.ports"; a key
 *       that takes any suffix ends in '.', as "sysctl." does) and @arg;
 *       for a section whose lines are not "key = value" ([expect]), once
 *       with a NULL key
 * @arg: passed on to @fn
 */
void topo_keys_each(void (*fn)(const char *sect, int named, const char *key,
			       void *arg),
		    void *arg);

/* Free everything topo_parse_*() allocated; t may then be reused. */
void topo_free(struct topo *t);

#endif
