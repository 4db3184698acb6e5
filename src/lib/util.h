/* util.h - small helpers: allocation, numbers, IPv4 text, time. */
#ifndef NATLAB_UTIL_H
#define NATLAB_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <signal.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/*
 * The allocation policy, one for all of natlab: its own memory comes from
 * these three, which abort with a message when memory runs out.  A lab
 * tool that cannot get a few kilobytes has nothing sensible left to do,
 * and an unwind path for it in every caller would be code no test ever
 * runs.  So a function that allocates this way never returns NULL or
 * -ENOMEM for lack of memory, and no caller checks for it.  Memory that
 * libraries hand out (libnftnl, libmnl, libnl, libpcap, libbpf) is
 * checked where it is asked for and reported as -ENOMEM.
 */
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n, size_t size);
char *xstrdup(const char *s);

/**
 * util_parse_ulong() - parse a whole decimal string into [min, max]
 * Return: 0, -EINVAL if not a number, -ERANGE if out of range.
 */
int util_parse_ulong(const char *s, unsigned long min, unsigned long max,
		     unsigned long *out);

/**
 * util_parse_duration() - parse "[-]N<unit>" with unit ms, s, m or h
 * (N a whole number) into milliseconds
 * Return: 0, -EINVAL if malformed or without a unit, -ERANGE if |ms|
 * would pass 2^53.
 */
int util_parse_duration(const char *s, int64_t *ms);

/**
 * util_parse_ipv4() - parse dotted-quad text into a host-order address
 * Return: 0 or -EINVAL.
 */
int util_parse_ipv4(const char *s, uint32_t *addr);

/* Format a host-order IPv4 address into buf (at least 16 bytes). */
const char *util_ipv4_str(uint32_t addr, char *buf);

/*
 * The one stop flag of a natlab process: set by SIGINT, SIGTERM or SIGHUP
 * once util_catch_signals() (or util_daemon_signals()) ran, and checked by
 * every build step and long wait, which then unwind (-EINTR).
 */
extern volatile sig_atomic_t util_stop;

/* Catch SIGINT, SIGTERM and SIGHUP: they set util_stop (no SA_RESTART,
 * so that a blocking call returns EINTR). */
void util_catch_signals(void);

/* For a lab's background process (engine, keeper): SIGTERM and SIGINT set
 * util_stop (no SA_RESTART); SIGHUP and SIGPIPE are ignored, so that it
 * outlives the terminal that ran "natlab up" and a closed pipe. */
void util_daemon_signals(void);

/* Monotonic time in nanoseconds. */
uint64_t util_now_ns(void);

/**
 * util_write_file() - write a string to an existing file (e.g. a sysctl)
 * Return: 0 or -errno.
 */
int util_write_file(const char *path, const char *s);

/**
 * util_read_whole() - read a whole file into new memory (NUL-terminated)
 * Return: 0 or -errno.
 */
int util_read_whole(const char *path, char **buf, size_t *len);

/**
 * util_read_file() - read up to len-1 bytes of a file, NUL-terminated,
 * trailing newline removed.  Return: bytes read or -errno.
 */
int util_read_file(const char *path, char *buf, size_t len);

/**
 * util_notify() - write MSG to FD and close it (a child telling its
 * parent it is ready, or why not); FD < 0: nothing
 */
void util_notify(int fd, const char *msg);

#endif
