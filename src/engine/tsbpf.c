/* tsbpf.c - the in-kernel clock path: load and attach the tc program. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "engine/tsbpf.h"
#include "lib/util.h"
#include "tsclock_bpf.h"

/*
 * The program (tsclock.bpf.c) is compiled at build time and embedded
 * here as bytes (tsclock_bpf.h), so the binary needs no file at run
 * time.  One loaded copy serves every host-clock client of a lab: the
 * program is not bound to a namespace, so the same descriptor is
 * attached to each client's interfaces, and one map, keyed by the
 * client's address, holds every clock and counter.
 *
 * The rewriting programs hang on tcx links (Linux 6.6), not on classic
 * filters, so that they live exactly as long as the engine's process: a
 * classic filter would keep rewriting after the engine died.  With
 * engine.fail_open = 0 a classic filter, the guard, sits behind them in
 * the clsact hook and drops the client's TCP packets; a packet reaches it
 * only if no link passed it, that is once the engine is gone.  The same
 * as an NFQUEUE that nobody reads.
 *
 * libbpf's messages are kept, not printed: the first of them is where a
 * load went wrong (the ones after it only say that the object failed),
 * and the caller decides whether that is an error or a fall-back worth
 * one line.
 */

#define TSBPF_PRIO   1
#define TSBPF_HANDLE 1
/* enum bpf_attach_type, Linux 6.6; older uapi headers lack the names. */
#define TSBPF_TCX_INGRESS 46
#define TSBPF_TCX_EGRESS  47

struct tsbpf {
	struct bpf_object *obj;
	int egress_fd, ingress_fd, guard_fd, map_fd;
	int *links; /* tcx links, closed (and so detached) at the end */
	int nlinks;
};

static char tsbpf_msg[512];

static int tsbpf_print(enum libbpf_print_level level, const char *fmt,
		       va_list ap)
{
	char line[512];
	size_t n;

	if (level == LIBBPF_DEBUG)
		return 0;
	vsnprintf(line, sizeof(line), fmt, ap);
	n = strlen(line);
	while (n && line[n - 1] == '\n')
		line[--n] = '\0';
	if (n && !tsbpf_msg[0])
		snprintf(tsbpf_msg, sizeof(tsbpf_msg), "%s", line);
	return 0;
}

int tsbpf_open(struct tsbpf **out, uint32_t nclients, char *why, size_t whylen)
{
	struct bpf_object_open_opts opts = {.sz = sizeof(opts),
					    .object_name = "tsclock"};
	struct bpf_program *eg, *in, *guard;
	struct bpf_map *map;
	struct tsbpf *b;
	int err;

	*out = NULL;
	tsbpf_msg[0] = '\0';
	libbpf_set_print(tsbpf_print);
	b = xcalloc(1, sizeof(*b));
	b->obj = bpf_object__open_mem(tsclock_bpf, tsclock_bpf_len, &opts);
	if (!b->obj) {
		err = -errno;
		snprintf(why, whylen, "opening the program: %s",
			 tsbpf_msg[0] ? tsbpf_msg : strerror(-err));
		goto out_free;
	}
	map = bpf_object__find_map_by_name(b->obj, "clients");
	eg = bpf_object__find_program_by_name(b->obj, "tsclock_egress");
	in = bpf_object__find_program_by_name(b->obj, "tsclock_ingress");
	guard = bpf_object__find_program_by_name(b->obj, "tsclock_guard");
	if (!map || !eg || !in || !guard) {
		err = -ENOENT;
		snprintf(why, whylen, "the embedded program lacks a part");
		goto out_close;
	}
	err = bpf_map__set_max_entries(map, nclients ? nclients : 1);
	if (!err)
		err = bpf_object__load(b->obj);
	if (err) {
		snprintf(why, whylen, "loading the program: %s",
			 tsbpf_msg[0] ? tsbpf_msg : strerror(-err));
		goto out_close;
	}
	b->map_fd = bpf_map__fd(map);
	b->egress_fd = bpf_program__fd(eg);
	b->ingress_fd = bpf_program__fd(in);
	b->guard_fd = bpf_program__fd(guard);
	*out = b;
	return 0;
out_close:
	bpf_object__close(b->obj);
out_free:
	free(b);
	return err;
}

int tsbpf_add_client(struct tsbpf *b, uint32_t addr, uint32_t offset,
		     int32_t skew_ppm)
{
	struct tsbpf_client v = {.offset = offset, .skew_ppm = skew_ppm};
	uint32_t key = htonl(addr);

	if (bpf_map_update_elem(b->map_fd, &key, &v, BPF_NOEXIST) < 0)
		return -errno;
	return 0;
}

/* Take this module's guard filters off an interface, both ways (the
 * clsact hook stays: other filters may hang on it). */
static void tsbpf_unguard(int ifindex)
{
	struct bpf_tc_hook hook = {.sz = sizeof(hook),
				   .ifindex = ifindex,
				   .attach_point = BPF_TC_EGRESS};
	struct bpf_tc_opts tc = {.sz = sizeof(tc),
				 .handle = TSBPF_HANDLE,
				 .priority = TSBPF_PRIO};

	bpf_tc_detach(&hook, &tc);
	hook.attach_point = BPF_TC_INGRESS;
	bpf_tc_detach(&hook, &tc);
}

static int tsbpf_guard(struct tsbpf *b, int ifindex, char *why, size_t whylen)
{
	struct bpf_tc_hook hook = {.sz = sizeof(hook),
				   .ifindex = ifindex,
				   .attach_point =
					   BPF_TC_INGRESS | BPF_TC_EGRESS};
	struct bpf_tc_opts tc = {.sz = sizeof(tc),
				 .handle = TSBPF_HANDLE,
				 .priority = TSBPF_PRIO,
				 .prog_fd = b->guard_fd};
	int err;

	err = bpf_tc_hook_create(&hook);
	if (err && err != -EEXIST) {
		snprintf(why, whylen, "clsact on ifindex %d: %s", ifindex,
			 strerror(-err));
		return err;
	}
	hook.attach_point = BPF_TC_EGRESS;
	err = bpf_tc_attach(&hook, &tc);
	if (!err) {
		hook.attach_point = BPF_TC_INGRESS;
		tc.prog_id = 0;
		err = bpf_tc_attach(&hook, &tc);
	}
	if (err) {
		snprintf(why, whylen, "tc filter on ifindex %d: %s", ifindex,
			 strerror(-err));
		tsbpf_unguard(ifindex);
	}
	return err;
}

static int tsbpf_link(struct tsbpf *b, int prog_fd, int ifindex, int type,
		      char *why, size_t whylen)
{
	int fd = bpf_link_create(prog_fd, ifindex, type, NULL);

	if (fd < 0) {
		snprintf(why, whylen, "tcx link on ifindex %d: %s", ifindex,
			 strerror(-fd));
		return fd;
	}
	b->links = xrealloc(b->links, (size_t)b->nlinks + 1, sizeof(int));
	b->links[b->nlinks++] = fd;
	return 0;
}

int tsbpf_attach(struct tsbpf *b, int ifindex, int guard, char *why,
		 size_t whylen)
{
	int err = 0, nlinks = b->nlinks;

	if (guard)
		err = tsbpf_guard(b, ifindex, why, whylen);
	if (!err)
		err = tsbpf_link(b, b->egress_fd, ifindex, TSBPF_TCX_EGRESS,
				 why, whylen);
	if (!err)
		err = tsbpf_link(b, b->ingress_fd, ifindex, TSBPF_TCX_INGRESS,
				 why, whylen);
	if (!err)
		return 0;
	/* Undo, so that NFQUEUE can take the client over: a guard left
	 * behind would drop every packet. */
	while (b->nlinks > nlinks)
		close(b->links[--b->nlinks]);
	if (guard)
		tsbpf_unguard(ifindex);
	return err;
}

int tsbpf_read(struct tsbpf *b, uint32_t addr, struct tsbpf_client *out)
{
	uint32_t key = htonl(addr);

	if (bpf_map_lookup_elem(b->map_fd, &key, out) < 0)
		return -errno;
	return 0;
}

void tsbpf_close(struct tsbpf *b)
{
	int i;

	if (!b)
		return;
	for (i = 0; i < b->nlinks; i++)
		close(b->links[i]);
	free(b->links);
	bpf_object__close(b->obj);
	free(b);
}
