/* progress.h - one line on a terminal that says how far long work is. */
#ifndef NATLAB_PROGRESS_H
#define NATLAB_PROGRESS_H

#include <stddef.h>
#include <stdint.h>

/* Set by the global -q option: no progress line at all. */
extern int progress_quiet;

/* Nothing is drawn during the first second: work that ends sooner needs
 * no line, and a run of a few connections draws none. */
#define PROGRESS_DELAY_MS 1000
/* How often those who wait look at the count (and the clock). */
#define PROGRESS_TICK_MS 250

struct progress {
	const char *name; /* "matrix" */
	const char *unit; /* "cells" */
	uint64_t done, total;
	uint64_t t0_ns, drawn_ns; /* CLOCK_MONOTONIC; drawn: 0 if never */
	uint64_t drawn_s;	  /* the elapsed seconds drawn last */
	int width;		  /* the terminal's columns */
	int on;			  /* stderr is a terminal and not -q */
};

/**
 * progress_start() - begin the progress of @total steps of @unit, the
 * line "NAME: DONE of TOTAL UNIT, ..." on stderr if it is a terminal
 * (isatty) and progress_quiet is not set; nothing is drawn yet
 * @name, @unit: kept, not copied
 */
void progress_start(struct progress *p, const char *name, const char *unit,
		    uint64_t total);

/**
 * progress_update() - @done steps are done: redraw the line in place if
 * it is on, PROGRESS_DELAY_MS have passed since the start, and the count
 * or the elapsed seconds changed since the last drawing (so a caller may
 * call it as often as it likes).  NULL is allowed.
 */
void progress_update(struct progress *p, uint64_t done);

/* progress_end() - the line's last state ("in" the elapsed time, no
 * estimate) and a newline, if a line was drawn; NULL is allowed. */
void progress_end(struct progress *p);

/* progress_clear() - take the line off the terminal for a message (the
 * next update draws it again); log.c calls it before every message. */
void progress_clear(void);

/* progress_inherit() - in a child process just made by one that draws
 * @p (NULL: none): if @p is on, every progress_clear() of the child
 * clears the terminal's line, which the parent may have drawn since. */
void progress_inherit(const struct progress *p);

/**
 * progress_format() - the line's text, without a terminal: "NAME: DONE
 * of TOTAL UNIT, ELAPSED elapsed, about LEFT left" (LEFT from the pace
 * so far; "estimating" before the first step, nothing once every step
 * is done), or with @final "NAME: DONE of TOTAL UNIT in ELAPSED"; cut
 * to p->width - 1 characters so that it never wraps (a wrapped line
 * cannot be redrawn in place)
 * Return: its length.
 */
size_t progress_format(char *buf, size_t len, const struct progress *p,
		       uint64_t elapsed_ms, int final);

/**
 * progress_duration() - @ms as "7s", "4m05s" or "2h10m" (under a
 * second: "0s")
 * Return: its length.
 */
size_t progress_duration(char *buf, size_t len, uint64_t ms);

/* progress_left_ms() - what is left of @total steps after @done took
 * @elapsed_ms, at the same pace; 0 if @done is 0 or not less than
 * @total. */
uint64_t progress_left_ms(uint64_t done, uint64_t total, uint64_t elapsed_ms);

#endif
