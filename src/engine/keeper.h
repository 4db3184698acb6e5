/* keeper.h - the full-cone keepers of a lab's nat = rfc gateways. */
#ifndef NATLAB_KEEPER_H
#define NATLAB_KEEPER_H

#include <stddef.h>

#include "topo/topo.h"

/**
 * keeper_run() - keep the full-cone maps of every nat = rfc gateway of a
 * lab that is up, until SIGTERM or SIGINT
 * @t:        the lab's topology
 * @ready_fd: once every keeper listens to conntrack events, "ok\n" or an
 *            error line is written here and the fd closed (-1: none)
 *
 * One thread per gateway, in that gateway's namespace (fullcone.c).
 * Counters go to the lab's keeper file every second and at exit.
 * Return: 0 on a clean stop, -errno on failure.
 */
int keeper_run(const struct topo *t, int ready_fd);

/* Where the keepers of a lab keep their counters. */
void keeper_stats_path(const char *lab, char *buf, size_t len);

/**
 * keeper_stats_get() - KEY ("events", "mappings", "conflicts", "lost",
 * "active") of gateway NODE in a lab's keeper file
 * Return: 0, or -ENOENT (no file, no such line or key; buf is "").
 */
int keeper_stats_get(const char *lab, const char *node, const char *key,
		     char *buf, size_t len);

#endif
