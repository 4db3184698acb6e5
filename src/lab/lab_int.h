/* lab_int.h - what lab.c and labview.c share: processes in namespaces. */
#ifndef NATLAB_LAB_INT_H
#define NATLAB_LAB_INT_H

#include <stddef.h>
#include <sys/types.h>

/**
 * lab_ino_cmp() - qsort()/bsearch() order of nsfs inode numbers
 * @a: pointer to an unsigned long
 * @b: pointer to an unsigned long
 *
 * Return: -1, 0 or 1 as *@a is below, equal to or above *@b.
 */
int lab_ino_cmp(const void *a, const void *b);

/**
 * lab_find_procs() - processes living in some network namespaces
 * @inos: nsfs inode numbers of the namespaces, sorted by lab_ino_cmp()
 * @n:    number of @inos
 * @out:  set to a malloc'd array of pids (NULL if none); caller frees
 *
 * Scans /proc; the calling process itself is never listed.
 * Return: number of pids in *@out, or -errno if /proc cannot be read.
 */
int lab_find_procs(const unsigned long *inos, int n, pid_t **out);

#endif
