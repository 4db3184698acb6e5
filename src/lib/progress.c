/* progress.c - one line on a terminal that says how far long work is. */
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "lib/progress.h"
#include "lib/util.h"

/*
 * Theory of operation.  Long work (a matrix's cells, rfc's profiles, a
 * run's connections) counts its steps anyway; the progress line turns
 * the count into "3 of 8 cells, 1m02s elapsed, about 1m40s left" and
 * redraws it in place: a carriage return, the text, and "erase to end of
 * line" (ESC [ K), so a shorter line leaves nothing of a longer one.
 * The text is cut to the terminal's width, since a line that wraps
 * cannot be redrawn with a carriage return.  Only a terminal gets it: a
 * file or a pipe on stderr (a log, a test) sees no escape codes.  Those
 * who count call progress_update() as often as they like; it draws
 * when the text changes: at each new step and each second.  A child
 * process that writes to the same terminal (a matrix cell's messages)
 * clears the line before each message, since the parent may have drawn
 * it any time.
 */

int progress_quiet;

/* A line is on the terminal now (progress_clear() takes it off). */
static int progress_onscreen;
/* This process is a child of one that draws a line on the same
 * terminal (progress_inherit()): whether the line is there or not, it
 * cannot know. */
static int progress_below;

size_t progress_duration(char *buf, size_t len, uint64_t ms)
{
	uint64_t s = ms / 1000;
	int n;

	if (s < 60)
		n = snprintf(buf, len, "%us", (unsigned)s);
	else if (s < 3600)
		n = snprintf(buf, len, "%um%02us", (unsigned)(s / 60),
			     (unsigned)(s % 60));
	else
		n = snprintf(buf, len, "%uh%02um", (unsigned)(s / 3600),
			     (unsigned)(s / 60 % 60));
	if (n < 0 || !len)
		return 0;
	return (size_t)n < len ? (size_t)n : len - 1;
}

uint64_t progress_left_ms(uint64_t done, uint64_t total, uint64_t elapsed_ms)
{
	if (!done || done >= total)
		return 0;
	return (uint64_t)((double)elapsed_ms * (double)(total - done) /
			  (double)done);
}

size_t progress_format(char *buf, size_t len, const struct progress *p,
		       uint64_t elapsed_ms, int final)
{
	char el[16], left[16];
	size_t max = len;
	int n;

	if (!len)
		return 0;
	progress_duration(el, sizeof(el), elapsed_ms);
	progress_duration(left, sizeof(left),
			  progress_left_ms(p->done, p->total, elapsed_ms));
	if (final)
		n = snprintf(buf, len, "%s: %llu of %llu %s in %s", p->name,
			     (unsigned long long)p->done,
			     (unsigned long long)p->total, p->unit, el);
	else if (p->done >= p->total)
		n = snprintf(buf, len, "%s: %llu of %llu %s, %s elapsed",
			     p->name, (unsigned long long)p->done,
			     (unsigned long long)p->total, p->unit, el);
	else
		n = snprintf(buf, len,
			     "%s: %llu of %llu %s, %s elapsed, %s%s%s", p->name,
			     (unsigned long long)p->done,
			     (unsigned long long)p->total, p->unit, el,
			     p->done ? "about " : "estimating",
			     p->done ? left : "", p->done ? " left" : "");
	if (p->width > 1 && (size_t)p->width < max)
		max = (size_t)p->width;
	if (n < 0)
		n = 0;
	if ((size_t)n >= max) {
		n = (int)max - 1;
		buf[n] = '\0';
	}
	return (size_t)n;
}

void progress_start(struct progress *p, const char *name, const char *unit,
		    uint64_t total)
{
	struct winsize ws;

	memset(p, 0, sizeof(*p));
	p->name = name;
	p->unit = unit;
	p->total = total;
	p->t0_ns = util_now_ns();
	p->width = 80;
	p->on = !progress_quiet && isatty(STDERR_FILENO);
	if (p->on && !ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) && ws.ws_col)
		p->width = ws.ws_col;
}

/* Draw the line in place. */
static void progress_draw(struct progress *p, uint64_t now, int final)
{
	char line[256];

	progress_format(line, sizeof(line), p, (now - p->t0_ns) / 1000000,
			final);
	fprintf(stderr, "\r%s\033[K%s", line, final ? "\n" : "");
	fflush(stderr);
	p->drawn_ns = now;
	p->drawn_s = (now - p->t0_ns) / 1000000000ull;
	progress_onscreen = !final;
}

void progress_update(struct progress *p, uint64_t done)
{
	uint64_t now;

	if (!p || !p->on)
		return;
	now = util_now_ns();
	if (now - p->t0_ns < PROGRESS_DELAY_MS * 1000000ull) {
		p->done = done;
		return;
	}
	/* The text changes with the count and the elapsed seconds only. */
	if (done == p->done && progress_onscreen &&
	    (now - p->t0_ns) / 1000000000ull == p->drawn_s)
		return;
	p->done = done;
	progress_draw(p, now, 0);
}

void progress_end(struct progress *p)
{
	if (!p || !p->on || !p->drawn_ns)
		return;
	progress_draw(p, util_now_ns(), 1);
}

void progress_clear(void)
{
	if (!progress_onscreen && !progress_below)
		return;
	fputs("\r\033[K", stderr);
	progress_onscreen = 0;
}

void progress_inherit(const struct progress *p)
{
	progress_onscreen = 0;
	progress_below = p && p->on;
}
