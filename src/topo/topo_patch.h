/* topo_patch.h - a topology's text with one key set: what a matrix cell
 * and an rfc profile change in a file before it is parsed. */
#ifndef NATLAB_TOPO_PATCH_H
#define NATLAB_TOPO_PATCH_H

#include <stdio.h>

#include "topo/topo.h"

/**
 * topo_patch() - the topology text with KEY set to VALUE
 * @text: topology text; @key: NODE.KEY, clients.KEY, traffic.KEY or
 *        lab.KEY; @value: the value
 *
 * Replaces the key's line in the section it belongs to, or adds it
 * after the section's header; a generated client with no section of its
 * own gets "[client NAME]" at the end.
 * Return: new text (free()), or NULL if no section fits (errno EINVAL).
 */
char *topo_patch(const char *text, const char *key, const char *value);

/**
 * topo_patch_keys() - every key topo_patch() can set in @t, one a line:
 * lab.KEY, clients.KEY, traffic.KEY, then NAME.KEY for each network and
 * node (generated clients too), in the order of @t; a key that takes a
 * suffix (sysctl.) ends with its dot
 * @out: where to print them
 */
void topo_patch_keys(const struct topo *t, FILE *out);

#endif
