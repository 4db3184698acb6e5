/* log.c - messages to stderr: one format, printf-checked. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "lib/log.h"
#include "lib/progress.h"

int log_verbose;

static void log_vprint(const char *prefix, int err, const char *fmt, va_list ap)
{
	char buf[1024];

	vsnprintf(buf, sizeof(buf), fmt, ap);
	/* A message on its own line, not after a progress line's text. */
	progress_clear();
	if (err)
		fprintf(stderr, "natlab: %s%s: %s\n", prefix, buf,
			strerror(err < 0 ? -err : err));
	else
		fprintf(stderr, "natlab: %s%s\n", prefix, buf);
}

void log_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vprint("", 0, fmt, ap);
	va_end(ap);
}

void log_errno(int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vprint("", err, fmt, ap);
	va_end(ap);
}

void log_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vprint("warning: ", 0, fmt, ap);
	va_end(ap);
}

void log_info(const char *fmt, ...)
{
	va_list ap;

	if (log_verbose < 1)
		return;
	va_start(ap, fmt);
	log_vprint("", 0, fmt, ap);
	va_end(ap);
}

void log_debug(const char *fmt, ...)
{
	va_list ap;

	if (log_verbose < 2)
		return;
	va_start(ap, fmt);
	log_vprint("debug: ", 0, fmt, ap);
	va_end(ap);
}
