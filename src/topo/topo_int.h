/* topo_int.h - what topo.c, topokeys.c, topoexpect.c and topores.c
 * share: parse state, key tables, helpers. */
#ifndef NATLAB_TOPO_INT_H
#define NATLAB_TOPO_INT_H

#include <stddef.h>
#include <stdint.h>

#include "topo/topo.h"

#define GNAME (TOPO_NODE_MAX + 1) /* bytes per name in parser.gnames */

#define LOWER  "abcdefghijklmnopqrstuvwxyz"
#define DIGITS "0123456789"

/* A name used as a reference (network or gateway), and where. */
struct pref {
	char *name; /* NULL: not given */
	int line;
	int looked; /* idx is valid; an unknown name was reported */
	int idx;
};

struct plb; /* what a [balancer] adds, topolb.c */

/* A [gateway], [server], [balancer], [client] or [clients] section as
 * written. */
struct pnode {
	char *name;
	enum topo_kind kind;
	int line;
	int dup;  /* named like a generated client defined before it */
	int over; /* [client cK] for the generated client cK */
	struct pref net[2], via;
	uint32_t addr[2];
	int addr_line[2]; /* 0: automatic */
	struct topo_kv *sysctls, *conntrack;
	int nsysctls, nconntrack;
	struct topo_nat nat;
	int ports_line;
	/* engine options, checked and normalised when read (opt_apply()
	 * turns them into typed fields): tsclock, ts_offset, ... */
	struct topo_kv *opts;
	int nopts;
	struct plb *lb; /* a balancer's servers, mode, schedule */
};

/* A [fault NAME] section as written. */
struct pfault {
	struct topo_fault f;
	struct pref node;
	int has_action, delay_line;
};

struct perr;	  /* a recorded error, topo.c */
struct sect_kind; /* a kind of section, topo.c */

/* A node being resolved, in its final order (topores.c, topolb.c). */
struct rnode {
	const char *name;
	enum topo_kind kind;
	int line;	   /* its section, or [clients] */
	int gen;	   /* K for the generated client cK, else 0 */
	struct pnode *sec; /* its own section, if any */
	struct pref *net[2], *via;
	int nifs;
	int ni[2]; /* index into t->nets, -1 if unresolved */
	uint32_t addr[2];
	int aline[2]; /* line of an explicit address, else 0 */
	int via_idx;
};

/* The state of one parse, and of its resolution in topores.c. */
struct parser {
	struct topo *t;
	const struct sect_kind *kind; /* section being read, NULL if none */
	int skip;		      /* in the body of a rejected header */
	void *cur;		      /* what the section fills */
	char *label, *what;	      /* "[gateway gw]", "gateway 'gw'" */
	int sect_line;
	int first[16];	      /* header line of each once-only kind */
	struct topo_kv *seen; /* keys of this section (value unused) */
	int nseen, seen_cap, nets_cap;

	struct pnode **secs; /* gateways, servers, clients, file order */
	int nsecs, secs_cap;
	struct pnode tmpl; /* [clients] */
	int lab_line, clients_line, count_line, prefix_bad;
	unsigned long count;
	char *prefix;

	int ngen;	    /* clients made by [clients] */
	char *gnames;	    /* their names, GNAME bytes each, from 1 */
	char *glabel;	    /* "c1..c3" */
	char *gdup;	    /* gdup[K]: cK clashes with an earlier node */
	struct pnode **gov; /* gov[K]: the [client cK] section */
	struct rnode *rn;   /* gateways, balancers, servers, clients */
	int nrn, ngw;
	int nrouters; /* gateways and balancers: the first of rn */
	struct perr *errs;
	int nerrs, errs_cap;
	struct pfault *faults;
	int nfaults, faults_cap;
	int seed_set;
	struct pnode traffic; /* [traffic]: defaults for every client */
	char *traffic_server; /* [traffic] server = NAME */
	int traffic_server_line, rate_line;
	struct topo_expect *expects;
	int nexpects, expects_cap;
};

/* A key of a section, and the handler that checks and keeps its value. */
struct key_def {
	const char *name; /* a key, or a prefix ending in '.' */
	/* p->cur is what the section fills; report errors, return 0 or -EINVAL */
	int (*fn)(struct parser *p, const char *key, const char *val, int line,
		  int arg);
	int arg;
};

/* The most key tables a section takes. */
#define SECT_KEY_TABLES 4

/**
 * topo_kind_keys() - the keys a section kind takes
 * @kind: the section's kind, as in its header ("server", "clients")
 *
 * Return: its SECT_KEY_TABLES tables (unused ones NULL), or NULL for no
 * such kind.
 */
const struct key_def *const *topo_kind_keys(const char *kind);

/* The key tables of topokeys.c, each ending with a NULL name. */
extern const struct key_def topokeys_lab[];	/* [lab] */
extern const struct key_def topokeys_network[]; /* [network] */
extern const struct key_def topokeys_gateway[]; /* [gateway] */
extern const struct key_def topokeys_server[];	/* [server] */
extern const struct key_def topokeys_load[];	/* what a client does */
extern const struct key_def topokeys_client[];	/* what a client is */
extern const struct key_def topokeys_host[]; /* a client's or server's stack */
extern const struct key_def topokeys_address[]; /* only for one client */
extern const struct key_def topokeys_clients[]; /* [clients] */
extern const struct key_def topokeys_traffic[]; /* [traffic] */
extern const struct key_def topokeys_fault[];	/* [fault] */
/* [balancer]: its networks, addresses, ports and settings (topokeys.c);
 * its servers, mode and schedule (topolb.c) */
extern const struct key_def topokeys_balancer[];
extern const struct key_def topolb_keys[];

/**
 * topo_name_ok() - check a name against a length and character sets
 * @s:     the name
 * @max:   most characters allowed
 * @first: characters the first may be
 * @rest:  characters the others may be
 *
 * Return: nonzero if @s is 1..@max characters, the first from @first and
 * the others from @rest.
 */
int topo_name_ok(const char *s, size_t max, const char *first,
		 const char *rest);

/**
 * topo_trim() - cut leading and trailing whitespace
 * @s: the string; trailing whitespace is overwritten with NULs
 *
 * Return: the first character of @s that is not whitespace.
 */
char *topo_trim(char *s);

/**
 * topo_strf() - format a string into new memory
 * @fmt: printf format, followed by its arguments
 *
 * Return: the string, for free(); running out of memory aborts.
 */
char *topo_strf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/**
 * topo_grow() - make room for one more element of a growing array
 * @a:    the array (NULL when empty)
 * @n:    elements in use
 * @cap:  elements allocated, updated
 * @size: size of an element
 *
 * Doubles the allocation (from 8) when it is full; running out of memory
 * aborts.
 * Return: the array, moved or not.
 */
void *topo_grow(void *a, int n, int *cap, size_t size);

/**
 * topo_perr() - record "file:line: message" for the file being parsed
 * @p:    parse state; p->t->file names the file
 * @line: line the message is about
 * @fmt:  printf format of the message, followed by its arguments
 *
 * Messages are kept sorted by line, in the order recorded within a line;
 * a message already recorded for the same line is dropped.
 */
void topo_perr(struct parser *p, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/**
 * topo_kv_set() - set key to value in a list: replace the same key, or append
 * @v:     the list, reallocated as it grows
 * @n:     its length, updated
 * @key:   key, copied
 * @value: value, copied
 * @line:  line that set it
 */
void topo_kv_set(struct topo_kv **v, int *n, const char *key, const char *value,
		 int line);

/**
 * topoexpect_line() - read one line of [expect]: METRIC OP VALUE
 * @p:    parse state; a good line is appended to p->expects
 * @text: the line, comments removed
 * @line: its line number
 *
 * Whether METRIC names a node and one of its metrics is checked later,
 * by topores_resolve(), once every node is known.
 * Return: 0, or -EINVAL after recording what is wrong with the line.
 */
int topoexpect_line(struct parser *p, const char *text, int line);

/* The netmask of a prefix length 0..32, in host byte order. */
static inline uint32_t topo_mask(int prefix)
{
	return prefix ? 0xffffffffu << (32 - prefix) : 0;
}

/**
 * topores_resolve() - resolve and check a topology once its file is read
 * @p: parse state after the last line; errors found are added to it
 *
 * Checks that subnets do not overlap, names the generated clients,
 * resolves network and gateway names, allocates addresses and chooses
 * default routes.  p->t->nodes is filled only if p holds no error, from
 * here or from the parse.  What it allocates in p is freed with the rest
 * of the parse state, by topo.c.
 * Return: 0, or -EINVAL if p holds any error.
 */
int topores_resolve(struct parser *p);

/**
 * topolb_new() - what a [balancer] section adds to a node's: its servers,
 * mode and schedule, empty
 * Return: new memory (running out aborts), for topolb_free().
 */
struct plb *topolb_new(void);

/* topolb_free() - free what topolb_new() made; NULL is allowed. */
void topolb_free(struct plb *lb);

/**
 * topolb_resolve() - check every balancer once routes and the traffic's
 * target are known: its servers (each a server on its backend network,
 * listening on its ports, routing back through it in mode dnat), and,
 * for the target of the traffic, that the clients reach it and its
 * servers answer them alike
 * @p: parse state; errors found are added to it
 */
void topolb_resolve(struct parser *p);

/**
 * topolb_metric_known() - is NAME ("conns.s1", "conntrack") a metric of
 * balancer @b (index into p->rn)?
 * Return: nonzero if it is.
 */
int topolb_metric_known(const struct parser *p, int b, const char *name);

/**
 * topolb_build() - fill the balancers of p->t->nodes, whose other nodes
 * topores.c has built: servers, mode, schedule, seed, and the service
 * (ports and what its servers answer)
 * @p: parse state without errors
 */
void topolb_build(struct parser *p);

#endif
