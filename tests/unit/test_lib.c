/* test_lib.c - the shared mechanisms of src/lib: the tuple table, the
 * heap, the one netlink talk, counter files, child jobs, the ICMP error
 * builder, and the topology patcher. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include <libmnl/libmnl.h>

#include "lib/hash.h"
#include "lib/heap.h"
#include "lib/jobs.h"
#include "lib/nameidx.h"
#include "lib/netlink.h"
#include "lib/pkt.h"
#include "lib/statfile.h"
#include "lib/tuple.h"
#include "lib/util.h"
#include "topo/topo_patch.h"
#include "topo_test.h"
#include "unit.h"

/* ---- hash ---- */

/* splitmix64's published first outputs from seed 0 (state += golden,
 * then the finaliser). */
static void test_splitmix_known(void)
{
	CU_ASSERT_EQUAL(hash_splitmix(0), 0xe220a8397b1dcdafull);
	CU_ASSERT_EQUAL(hash_splitmix(HASH_GOLDEN), 0x6e789e6aa1b965f4ull);
	CU_ASSERT_EQUAL(hash_mix64(0), 0);
}

/* ---- tuple table ---- */

struct elem {
	struct tuple_slot slot;
	uint64_t born;
	uint32_t value;
};

/* Stale once 100 time units old. */
static int elem_stale(const void *ctx, const void *e, uint64_t now)
{
	(void)ctx;
	return now - ((const struct elem *)e)->born >= 100;
}

static struct tuple tup(uint32_t i)
{
	struct tuple t = {0x0a000000 + i, 0xc0000201, (uint16_t)(1024 + i), 80};

	return t;
}

/* Against a plain array as the oracle: inserts, lookups, removals with
 * backward shifts, and growth, over many keys. */
static void test_tuple_table_oracle(void)
{
	enum { N = 20000 };
	static uint8_t present[N];
	struct tuple_table t;
	uint64_t x = 1;
	uint32_t i, k;

	memset(present, 0, sizeof(present));
	tuple_table_init(&t, sizeof(struct elem), NULL, NULL);
	CU_ASSERT_PTR_NULL(tuple_table_find(&t, &(struct tuple){0}));
	for (i = 0; i < 200000; i++) {
		struct tuple key;
		struct elem *e;

		x = hash_splitmix(x);
		k = (uint32_t)(x % N);
		key = tup(k);
		e = tuple_table_lookup(&t, &key, 0);
		CU_ASSERT_EQUAL_FATAL(!!e, present[k]);
		if (e) {
			CU_ASSERT_EQUAL(e->value, k);
			CU_ASSERT(tuple_eq(&e->slot.key, &key));
			if (x & 0x100) {
				tuple_table_remove(&t, e);
				present[k] = 0;
			}
		} else {
			e = tuple_table_insert(&t, &key, 0);
			CU_ASSERT_EQUAL(e->value, 0); /* zeroed */
			e->value = k;
			present[k] = 1;
		}
	}
	for (k = 0, i = 0; k < N; k++) {
		struct tuple key = tup(k);

		i += present[k];
		CU_ASSERT_EQUAL(!!tuple_table_find(&t, &key), present[k]);
	}
	CU_ASSERT_EQUAL(tuple_table_count(&t), i);
	tuple_table_free(&t);
}

/* A stale element is gone on lookup, and swept out before growth. */
static void test_tuple_table_stale(void)
{
	struct tuple_table t;
	struct tuple key = tup(1);
	struct elem *e;
	uint32_t i;

	tuple_table_init(&t, sizeof(struct elem), elem_stale, NULL);
	e = tuple_table_insert(&t, &key, 0);
	e->born = 0;
	CU_ASSERT_PTR_NOT_NULL(tuple_table_lookup(&t, &key, 99));
	CU_ASSERT_PTR_NOT_NULL(tuple_table_find(&t, &key));
	CU_ASSERT_PTR_NULL(tuple_table_lookup(&t, &key, 100));
	CU_ASSERT_EQUAL(tuple_table_count(&t), 0);
	/* 1000 elements born at 0, then 1000 more at 500: the first ones
	 * are stale by then and swept, so the table holds 1000. */
	for (i = 0; i < 1000; i++) {
		key = tup(i);
		e = tuple_table_insert(&t, &key, 0);
		e->born = 0;
	}
	for (i = 1000; i < 2000; i++) {
		key = tup(i);
		e = tuple_table_insert(&t, &key, 500);
		e->born = 500;
	}
	CU_ASSERT(tuple_table_count(&t) <= 1000 + 1000 / 2);
	for (i = 1000; i < 2000; i++) {
		key = tup(i);
		CU_ASSERT_PTR_NOT_NULL(tuple_table_lookup(&t, &key, 500));
	}
	tuple_table_free(&t);
}

/* ---- heap ---- */

struct item {
	uint32_t at, id;
};

static int item_before(const void *a, const void *b, void *ctx)
{
	const struct item *x = a, *y = b;

	(void)ctx;
	return x->at != y->at ? x->at < y->at : x->id < y->id;
}

static int item_cmp(const void *a, const void *b)
{
	return item_before(a, b, NULL) ? -1 : item_before(b, a, NULL);
}

/* Random pushes and pops come out in the order qsort gives. */
static void test_heap_order(void)
{
	enum { N = 5000 };
	static struct item all[N];
	struct heap h;
	struct item it;
	uint64_t x = 7;
	int i;

	heap_init(&h, sizeof(struct item), item_before, NULL);
	CU_ASSERT_PTR_NULL(heap_top(&h));
	for (i = 0; i < N; i++) {
		x = hash_splitmix(x);
		all[i].at = (uint32_t)(x % 1000);
		all[i].id = (uint32_t)i;
		heap_push(&h, &all[i]);
	}
	qsort(all, N, sizeof(all[0]), item_cmp);
	for (i = 0; i < N; i++) {
		CU_ASSERT_EQUAL_FATAL(heap_count(&h), N - i);
		CU_ASSERT_EQUAL(((const struct item *)heap_top(&h))->id,
				all[i].id);
		heap_pop(&h, &it);
		CU_ASSERT_EQUAL(it.at, all[i].at);
		CU_ASSERT_EQUAL(it.id, all[i].id);
	}
	CU_ASSERT_EQUAL(heap_count(&h), 0);
	heap_free(&h);
}

/* ---- netlink ---- */

struct links {
	int n, lo;
};

static int links_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);
	struct links *l = data;

	if (nlh->nlmsg_type != RTM_NEWLINK)
		return MNL_CB_ERROR;
	l->n++;
	l->lo += ifi->ifi_index == 1;
	return MNL_CB_OK;
}

static size_t getlink(char *buf, struct netlink *nl, uint16_t flags,
		      int ifindex)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifinfomsg *ifi;

	nlh->nlmsg_type = RTM_GETLINK;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	nlh->nlmsg_seq = netlink_next_seq(nl);
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = ifindex;
	return nlh->nlmsg_len;
}

/* A dump of this process's own namespace (read only, no privilege): its
 * loopback among the links, every object through the callback, then
 * NLMSG_DONE ends the talk. */
static void test_netlink_dump(void)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct links l = {0};
	struct netlink nl;
	size_t len;

	CU_ASSERT_EQUAL_FATAL(netlink_open(&nl, NETLINK_ROUTE), 0);
	len = getlink(buf, &nl, NLM_F_DUMP, 0);
	CU_ASSERT_EQUAL(netlink_talk(&nl, buf, len, 1, links_cb, &l), 0);
	CU_ASSERT(l.n >= 1);
	CU_ASSERT_EQUAL(l.lo, 1);
	/* A second talk on the same socket takes a new sequence number. */
	len = getlink(buf, &nl, NLM_F_ACK, 1);
	l.n = 0;
	CU_ASSERT_EQUAL(netlink_talk(&nl, buf, len, 1, links_cb, &l), 0);
	CU_ASSERT_EQUAL(l.n, 1);
	netlink_close(&nl);
	netlink_close(&nl); /* idempotent */
}

/* A refusal is the kernel's -errno, with the request it refused. */
static void test_netlink_error(void)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct netlink nl;
	uint32_t seq;
	size_t len;

	CU_ASSERT_EQUAL_FATAL(netlink_open(&nl, NETLINK_ROUTE), 0);
	len = getlink(buf, &nl, NLM_F_ACK, 0x7ffffff0);
	seq = nl.seq;
	CU_ASSERT_EQUAL(netlink_talk(&nl, buf, len, 1, NULL, NULL), -ENODEV);
	CU_ASSERT_EQUAL(nl.err_seq, seq);
	netlink_close(&nl);
}

/* ---- counter files ---- */

static void test_statfile_field(void)
{
	const char *line = "node c1 seen 12 rewritten 3 seen_x 9 final 1\n";
	char buf[16], path[STATFILE_PATH_MAX];

	statfile_path("lab1", "engine", path, sizeof(path));
	CU_ASSERT_STRING_EQUAL(path, "/run/natlab/lab1.engine");
	statfile_field(line, "seen", buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "12");
	statfile_field(line, "rewritten", buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "3");
	statfile_field(line, "seen_x", buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "9");
	statfile_field(line, "final", buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "1");
	statfile_field(line, "een", buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "");
	statfile_field(line, "node", buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, ""); /* the first word is no key */
	statfile_path("lab1", "engine", buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "/run/natlab/lab"); /* cut short */
}

/* ---- jobs ---- */

struct jobs_seen {
	int status[8], count;
};

static void job_start(int i, void *ctx)
{
	(void)ctx;
	_exit(10 + i);
}

static void job_done(int i, int status, void *ctx)
{
	struct jobs_seen *s = ctx;

	s->status[i] = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
	s->count++;
}

/* Eight children, two at a time: each ends once, with its own status. */
static void test_jobs(void)
{
	struct jobs_seen s = {{0}, 0};
	struct sigaction old[3];
	struct progress pg;
	int i;

	sigaction(SIGINT, NULL, &old[0]);
	sigaction(SIGTERM, NULL, &old[1]);
	sigaction(SIGHUP, NULL, &old[2]);
	CU_ASSERT_EQUAL(jobs_run(8, 2, job_start, job_done, &s, NULL), 8);
	CU_ASSERT_EQUAL(s.count, 8);
	for (i = 0; i < 8; i++)
		CU_ASSERT_EQUAL(s.status[i], 10 + i);
	/* With a progress line on, as on a terminal, the wait looks every
	 * tick instead: the same ends, and the line counts them (nothing is
	 * drawn in the first second). */
	memset(&s, 0, sizeof(s));
	progress_start(&pg, "jobs", "jobs", 8);
	pg.on = 1;
	CU_ASSERT_EQUAL(jobs_run(8, 3, job_start, job_done, &s, &pg), 8);
	CU_ASSERT_EQUAL(s.count, 8);
	for (i = 0; i < 8; i++)
		CU_ASSERT_EQUAL(s.status[i], 10 + i);
	CU_ASSERT_EQUAL(pg.done, 8u);
	CU_ASSERT_EQUAL(pg.drawn_ns, 0u);
	sigaction(SIGINT, &old[0], NULL);
	sigaction(SIGTERM, &old[1], NULL);
	sigaction(SIGHUP, &old[2], NULL);
}

/* ---- ICMP errors ---- */

/* Checked against RFC 1071 done by hand: the whole message sums to
 * 0xffff. */
static uint16_t sum16(const uint8_t *b, size_t n)
{
	uint32_t s = 0;
	size_t i;

	for (i = 0; i + 1 < n; i += 2)
		s += (uint32_t)b[i] << 8 | b[i + 1];
	if (n & 1)
		s += (uint32_t)b[n - 1] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)s;
}

static void test_icmp_unreach(void)
{
	uint8_t quote[28], msg[64];
	size_t n;

	CU_ASSERT_EQUAL(
		pkt_ipv4_tcp_quote(quote, 0xc6336402, 5202, 0xc6336401, 40101),
		28);
	CU_ASSERT_EQUAL(quote[0], 0x45);
	CU_ASSERT_EQUAL(quote[9], 6);
	CU_ASSERT_EQUAL(sum16(quote, 20), 0xffff); /* IP header checksum */
	CU_ASSERT_EQUAL(quote[20] << 8 | quote[21], 5202);
	CU_ASSERT_EQUAL(quote[22] << 8 | quote[23], 40101);
	n = pkt_icmp_unreach(msg, sizeof(msg), quote, sizeof(quote));
	CU_ASSERT_EQUAL_FATAL(n, 36);
	CU_ASSERT_EQUAL(msg[0], 3);
	CU_ASSERT_EQUAL(msg[1], 3);
	CU_ASSERT_EQUAL(sum16(msg, n), 0xffff);
	CU_ASSERT_EQUAL(memcmp(msg + 8, quote, sizeof(quote)), 0);
	CU_ASSERT_EQUAL(pkt_icmp_unreach(msg, 35, quote, sizeof(quote)), 0);
}

/* ---- topology patches ---- */

static void test_topo_patch(void)
{
	const char *text = "[lab]\nname = x\n[server srv]\nnetwork = wan\n"
			   "legacy.tcp_tw_recycle = 0\n[clients]\ncount = 2\n";
	char *out;

	/* Replaced in its section, not in another. */
	out = topo_patch(text, "srv.legacy.tcp_tw_recycle", "1");
	CU_ASSERT_STRING_EQUAL(out, "[lab]\nname = x\n[server srv]\n"
				    "network = wan\n"
				    "legacy.tcp_tw_recycle = 1\n[clients]\n"
				    "count = 2\n");
	free(out);
	/* Added after the section's header. */
	out = topo_patch(text, "srv.sysctl.net.ipv4.tcp_timestamps", "0");
	CU_ASSERT_PTR_NOT_NULL_FATAL(out);
	CU_ASSERT(strstr(out, "[server srv]\nsysctl.net.ipv4.tcp_timestamps "
			      "= 0\nnetwork = wan\n") != NULL);
	free(out);
	/* A generated client gets a section of its own; [traffic] its. */
	out = topo_patch(text, "c2.ts_offset", "-10s");
	CU_ASSERT(strstr(out, "count = 2\n[client c2]\nts_offset = -10s\n") !=
		  NULL);
	free(out);
	out = topo_patch(text, "traffic.order", "random");
	CU_ASSERT(strstr(out, "\n[traffic]\norder = random\n") != NULL);
	free(out);
	/* A balancer's section is found like a server's. */
	out = topo_patch("[balancer lb]\nmode = dnat\n", "lb.mode", "fullnat");
	CU_ASSERT_STRING_EQUAL(out, "[balancer lb]\nmode = fullnat\n");
	free(out);
	/* No node part: refused. */
	errno = 0;
	CU_ASSERT_PTR_NULL(topo_patch(text, "nodot", "1"));
	CU_ASSERT_EQUAL(errno, EINVAL);
}

/* Every key topo_patch_keys() lists is one the parser takes where
 * topo_patch() writes it: set to a value, no "unknown key" error (a bad
 * value may be refused; that is the parser's business).  A key with a
 * suffix (sysctl.) gets one. */
static void test_topo_patch_keys(void)
{
	const char *text = TOPO_TEST_ONE_GW("k") "[clients]\ncount = 2\n"
						 "network = lan\n";
	char *list = NULL, *line, *save = NULL, key[128], *out;
	struct topo t = {0};
	size_t len = 0;
	int i, n = 0;
	FILE *f;

	CU_ASSERT_EQUAL_FATAL(topo_test_parse(&t, text), 0);
	f = open_memstream(&list, &len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	topo_patch_keys(&t, f);
	fclose(f);
	CU_ASSERT(strstr(list, "\nsrv.legacy.tcp_tw_recycle\n") != NULL);
	CU_ASSERT(strstr(list, "\nc2.ts_offset\n") != NULL);
	CU_ASSERT(strstr(list, "\nlan.subnet\n") != NULL);
	CU_ASSERT(strstr(list, "\ngw.sysctl.\n") != NULL);
	CU_ASSERT(strstr(list, "\ntraffic.order\n") != NULL);
	CU_ASSERT(strstr(list, "\nsrv.nat\n") == NULL); /* a gateway's */
	for (line = strtok_r(list, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		snprintf(key, sizeof(key), "%s%s", line,
			 line[strlen(line) - 1] == '.' ? "net.ipv4.ip_forward"
						       : "");
		out = topo_patch(text, key, "1");
		CU_ASSERT_PTR_NOT_NULL_FATAL(out);
		topo_test_parse(&t, out);
		for (i = 0; i < t.nerrs; i++) {
			if (strstr(t.errs[i], "unknown key")) {
				printf("\n%s: %s\n", key, t.errs[i]);
				CU_FAIL("a listed key the parser does not know");
			}
		}
		free(out);
		n++;
	}
	CU_ASSERT(n > 60);
	topo_free(&t);
	free(list);
}

/* The name index against the array it indexes: every name found at its
 * position, absent ones at an empty slot, and the same after an element
 * is removed by moving the last one into its place and building again. */
static char nameidx_names[3000][16];

static const char *nameidx_get(const void *arr, uint32_t i)
{
	const char(*names)[16] = arr;

	return names[i];
}

static void test_nameidx(void)
{
	struct nameidx x = {0};
	uint32_t i, n = 3000;

	for (i = 0; i < n; i++)
		snprintf(nameidx_names[i], 16, "ns-%u", i * 7);
	nameidx_build(&x, n, n, nameidx_get, nameidx_names);
	CU_ASSERT(x.cap >= 2 * n);
	for (i = 0; i < n; i++)
		CU_ASSERT_EQUAL(
			x.slot[nameidx_slot(&x, nameidx_names[i], nameidx_get,
					    nameidx_names)],
			i + 1);
	CU_ASSERT_EQUAL(
		x.slot[nameidx_slot(&x, "ns-1", nameidx_get, nameidx_names)],
		0u);
	memcpy(nameidx_names[5], nameidx_names[--n], 16);
	nameidx_build(&x, n, n, nameidx_get, nameidx_names);
	CU_ASSERT_EQUAL(
		x.slot[nameidx_slot(&x, "ns-35", nameidx_get, nameidx_names)],
		0u);
	for (i = 0; i < n; i++)
		CU_ASSERT_EQUAL(
			x.slot[nameidx_slot(&x, nameidx_names[i], nameidx_get,
					    nameidx_names)],
			i + 1);
	nameidx_free(&x);
	CU_ASSERT_EQUAL(x.cap, 0u);
}

static const struct unit_test tests[] = {
	{"name index: against its array", test_nameidx},
	{"splitmix64: known values", test_splitmix_known},
	{"tuple table: against an array", test_tuple_table_oracle},
	{"tuple table: stale elements", test_tuple_table_stale},
	{"heap: order of random items", test_heap_order},
	{"netlink: a dump, then a GET on the same socket", test_netlink_dump},
	{"netlink: a refusal and its request", test_netlink_error},
	{"statfile: fields and paths", test_statfile_field},
	{"jobs: eight children, two at a time", test_jobs},
	{"ICMP port unreachable and its quote", test_icmp_unreach},
	{"topo_patch: replace, add, new sections", test_topo_patch},
	{"topo_patch_keys: every key listed is one the parser takes",
	 test_topo_patch_keys},
	{0},
};

UNIT_SUITE("lib", tests)
