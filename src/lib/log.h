/* log.h - messages to stderr: one format, printf-checked. */
#ifndef NATLAB_LOG_H
#define NATLAB_LOG_H

extern int log_verbose;

/**
 * log_err() - print "natlab: " + message + newline on stderr
 * log_errno() - the same, followed by ": strerror(-err)"
 * log_warn(), log_info(), log_debug() - warning, progress, debug lines;
 * log_info() and log_debug() print only when log_verbose is high enough.
 */
void log_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_errno(int err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
