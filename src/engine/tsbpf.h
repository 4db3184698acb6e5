/* tsbpf.h - the in-kernel clock path: load and attach the tc program. */
#ifndef NATLAB_TSBPF_H
#define NATLAB_TSBPF_H

#include <stddef.h>
#include <stdint.h>

#include "engine/tsbpf_abi.h"

struct tsbpf;

/**
 * tsbpf_open() - load the embedded tc program with room for @nclients
 * @out:     the loaded program and its map, on success
 * @why:     on failure, what went wrong (libbpf's or the kernel's words)
 * Return: 0 or -errno.  Nothing is attached yet, and nothing is pinned:
 * the program and map live as long as the caller's descriptors or an
 * attached filter.
 */
int tsbpf_open(struct tsbpf **out, uint32_t nclients, char *why, size_t whylen);

/**
 * tsbpf_add_client() - give the client with IPv4 address @addr (host
 * byte order) its clock
 * Return: 0, -EEXIST if the address has a clock already, or -errno.
 */
int tsbpf_add_client(struct tsbpf *b, uint32_t addr, uint32_t offset,
		     int32_t skew_ppm);

/**
 * tsbpf_attach() - attach the program to both directions of interface
 * @ifindex of the current network namespace (the caller has entered it)
 * @guard: also drop the client's TCP packets once the links are gone
 *         (engine.fail_open = 0)
 *
 * The links last until tsbpf_close() or the end of the process, and with
 * the interface; the guard lasts with the interface.
 * Return: 0 or -errno, with the reason in @why; on failure nothing of
 * this call stays attached (a clsact hook it added stays, empty).
 */
int tsbpf_attach(struct tsbpf *b, int ifindex, int guard, char *why,
		 size_t whylen);

/* A client's entry, counters included.  Return: 0 or -errno. */
int tsbpf_read(struct tsbpf *b, uint32_t addr, struct tsbpf_client *out);

/* Close the program and its map, and detach the links; a guard stays. */
void tsbpf_close(struct tsbpf *b);

#endif
