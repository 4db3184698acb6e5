/* topo_test.c - parsing topologies in unit tests: "t.topo" from text. */
#include <stdio.h>
#include <string.h>

#include "topo_test.h"

int topo_test_parse(struct topo *t, const char *text)
{
	topo_free(t);
	return topo_parse_buf(t, "t.topo", text, strlen(text));
}

int topo_test_has_err(const struct topo *t, int line, const char *phrase)
{
	char prefix[32];
	size_t n;
	int i;

	n = (size_t)snprintf(prefix, sizeof(prefix), "t.topo:%d: ", line);
	for (i = 0; i < t->nerrs; i++)
		if (!strncmp(t->errs[i], prefix, n) &&
		    strstr(t->errs[i] + n, phrase))
			return 1;
	return 0;
}
