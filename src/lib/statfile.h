/* statfile.h - a lab's files under /run/natlab: where each lives, and the
 * counter files one process rewrites and others read. */
#ifndef NATLAB_STATFILE_H
#define NATLAB_STATFILE_H

#include <stddef.h>
#include <stdio.h>

/*
 * Every file a lab owns is /run/natlab/<lab>.<kind> (tmpfs: gone with a
 * reboot, as the namespaces are).  The kinds:
 *   state     what the lab made (lab/state.c), and "lock" beside it
 *   engine    the packet engine's counters (engine/engine.c)
 *   keeper    the full-cone keepers' counters (engine/keeper.c)
 *   timeline  what the legacy servers remembered and dropped, and when
 *   log       the background processes' stderr
 *   metrics   a matrix cell's metrics (the cell's own lab name)
 *
 * A counter file is lines of "key value" words: its writer's own line
 * first ("engine pid 12 queue xt-NFQUEUE ..."), then one line per node
 * ("node c1 seen 12 rewritten 12 ...").  The writer replaces the whole
 * file each time (a temporary file renamed over it), so a reader sees
 * the old file or the new one, never half of one.
 */
#define STATFILE_DIR "/run/natlab"

/* Longest path statfile_path() makes, with room for ".tmp". */
#define STATFILE_PATH_MAX 320

/**
 * statfile_path() - "/run/natlab/<lab>.<kind>" into @buf
 * @len: size of @buf; a longer path is cut short
 */
void statfile_path(const char *lab, const char *kind, char *buf, size_t len);

/* A counter file being written. */
struct statfile {
	FILE *f;
	char path[STATFILE_PATH_MAX];
	char tmp[STATFILE_PATH_MAX + 8];
};

/**
 * statfile_begin() - start writing the lab's KIND file anew
 * Return: the stream to write the lines to (also in @sf->f), or NULL if
 * the temporary file cannot be made (then statfile_commit() is a no-op).
 */
FILE *statfile_begin(struct statfile *sf, const char *lab, const char *kind);

/* statfile_commit() - close the stream and put the file in place of the
 * old one; on a failed write the old one stays and the new is removed. */
void statfile_commit(struct statfile *sf);

/**
 * statfile_field() - the word after KEY in a line of "key value" words,
 * KEY matched as a whole word; "" if absent
 */
void statfile_field(const char *line, const char *key, char *buf, size_t len);

/**
 * statfile_get() - KEY's value in one line of the lab's KIND file
 * @node: the line "node NODE ..."; NULL: the writer's own line, the one
 *        that starts with KIND
 * Return: 0, or -ENOENT (no file, no such line or key; @buf is "").
 */
int statfile_get(const char *lab, const char *kind, const char *node,
		 const char *key, char *buf, size_t len);

#endif
