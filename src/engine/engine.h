/* engine.h - the packet engine: client clocks, legacy server, faults. */
#ifndef NATLAB_ENGINE_H
#define NATLAB_ENGINE_H

#include <stdint.h>

#include "topo/topo.h"

/**
 * engine_run() - serve a lab's queues until SIGTERM or SIGINT
 * @t:        the lab's topology (the lab is up)
 * @ready_fd: after setting up every queue, "ok\n" or an error line is
 *            written here and the fd closed (-1: none)
 *
 * Installs the engine's nftables rules in the namespaces that need them,
 * binds their queues and runs one event loop over all of them.  Counters
 * go to the lab's "engine" counter file (lib/statfile.h) every second and
 * at exit.
 * Return: 0 on a clean stop, -errno on failure.
 */
int engine_run(const struct topo *t, int ready_fd);

/* The offset a host clock adds, as a 32-bit tick count. */
uint32_t engine_clock_offset(const struct topo_clock *c);

#endif
