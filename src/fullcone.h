/* fullcone.h - the full-cone keeper: conntrack events -> nftables maps. */
#ifndef NATLAB_FULLCONE_H
#define NATLAB_FULLCONE_H

#include <stdint.h>

#include "rfc.h"

struct fullcone;

/**
 * fullcone_start() - start the keeper of a gateway; return once it
 * listens to conntrack events
 * @nsfd:   the gateway's namespace (the keeper's thread stays in it)
 * @ext:    the gateway's outside address
 * @net:    its inside network, @mask that network's netmask (host order)
 * @out:    the running keeper
 * Return: 0 or -errno (-ETIMEDOUT: it did not listen within 3 s).
 */
int fullcone_start(int nsfd, uint32_t ext, uint32_t net, uint32_t mask,
		   struct fullcone **out);

/**
 * fullcone_wait() - wait up to @ms until the keeper has installed a
 * mapping of @addr:@port
 * Return: 0, or -ETIMEDOUT.
 */
int fullcone_wait(struct fullcone *k, uint32_t addr, uint16_t port, int ms);

/**
 * fullcone_stop() - stop the keeper, keep its counters in @e as evidence
 * and free it
 */
void fullcone_stop(struct fullcone *k, struct rfc_evidence *e);

#endif
