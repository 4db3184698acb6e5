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
 * Counters go to the lab's "keeper" counter file (lib/statfile.h) every
 * second and at exit: per gateway, events, mappings, conflicts, lost,
 * active, held, icmp_sent, punched and hold_overflow.
 * Return: 0 on a clean stop, -errno on failure.
 */
int keeper_run(const struct topo *t, int ready_fd);

#endif
