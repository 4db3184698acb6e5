/* dump.h - pcap files of a run: the server's and gateways' outside links. */
#ifndef NATLAB_DUMP_H
#define NATLAB_DUMP_H

#include "topo/topo.h"

struct dump;

/**
 * dump_start() - capture, into DIR/<node>-<interface>.pcap, the target
 * server's interface and every gateway's outside interface
 * Return: NULL with errno set (and a message) on failure.
 */
struct dump *dump_start(const struct topo *t, const char *dir);

/* Stop capturing, flush and close the files; prints where they are. */
void dump_stop(struct dump *d);

#endif
