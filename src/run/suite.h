/* suite.h - natlab test: every scenario with expectations, side by side. */
#ifndef NATLAB_SUITE_H
#define NATLAB_SUITE_H

struct suite_opts {
	char **paths; /* topology files and directories */
	int npaths;
	int jobs;	   /* scenarios at once; 0: one per CPU */
	const char *junit; /* --junit FILE, or NULL */
	int tap;	   /* --tap: TAP version 13 on stdout */
	const char *out;   /* results directory; NULL: a new one in /tmp */
};

/**
 * suite_main() - run every topology with an [expect] section among
 * @o->paths (directories searched for *.topo, sorted), each as
 * "natlab run" of a lab of its own ("nt<pid>-<i>") in a child process,
 * at most @o->jobs at a time; a line (or a TAP line) per scenario as it
 * ends, then the counts; each scenario's run.json, pcap/, run.svg,
 * out.txt and err.txt in @o->out/<name>/
 *
 * Every topology is read before anything runs.
 * Return: 0; 1 if a scenario failed; -EINVAL for bad input (a path that
 * cannot be read, a topology with errors, none with expectations, a
 * --junit file that cannot be written); -EIO if none ran to its end
 * (each failed for an environment reason, or could not start); -EINTR
 * if interrupted (every lab started has been removed).
 */
int suite_main(const struct suite_opts *o);

#endif
