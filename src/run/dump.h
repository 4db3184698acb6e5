/* dump.h - pcap files of a run: the server's (or a balancer's and its
 * servers') and gateways' outside links. */
#ifndef NATLAB_DUMP_H
#define NATLAB_DUMP_H

#include "topo/topo.h"

struct dump;

/**
 * dump_start() - capture, into DIR/<node>-<interface>.pcap (DIR made if
 * need be), the target server's interface (a target balancer's frontend
 * and each of its servers' interface) and every gateway's outside
 * interface, the first 64 of them, from a thread of its own
 * Return: the dump, for dump_stop(); NULL with errno set on failure.  A
 * directory, libpcap handle or file that failed is also named in a
 * message.
 */
struct dump *dump_start(const struct topo *t, const char *dir);

/* dump_stop() - stop capturing, flush and close the files, print where
 * they are, and free @d; NULL is a no-op. */
void dump_stop(struct dump *d);

#endif
