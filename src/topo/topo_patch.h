/* topo_patch.h - a topology's text with one key set: what a matrix cell
 * and an rfc profile change in a file before it is parsed. */
#ifndef NATLAB_TOPO_PATCH_H
#define NATLAB_TOPO_PATCH_H

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

#endif
