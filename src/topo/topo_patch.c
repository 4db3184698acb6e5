/* topo_patch.c - a topology's text with one key set: what a matrix cell
 * and an rfc profile change in a file before it is parsed. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "lib/util.h"
#include "topo/topo_int.h"
#include "topo/topo_patch.h"

/* Is the line the header WANT ("[ server  srv ]" is "server srv")?
 * Return: 1, 0 (another header), -1 (no header). */
static int header_is(const char *line, size_t len, const char *want)
{
	char buf[128];
	size_t i, n = 0;
	int space = 0;

	while (len && (*line == ' ' || *line == '\t')) {
		line++;
		len--;
	}
	while (len && (line[len - 1] == ' ' || line[len - 1] == '\t' ||
		       line[len - 1] == '\r'))
		len--;
	if (len < 2 || line[0] != '[' || line[len - 1] != ']')
		return -1;
	for (i = 1; i + 1 < len && n + 1 < sizeof(buf); i++) {
		if (line[i] == ' ' || line[i] == '\t') {
			space = n > 0;
			continue;
		}
		if (space)
			buf[n++] = ' ';
		space = 0;
		buf[n++] = line[i];
	}
	buf[n] = '\0';
	return !strcmp(buf, want);
}

/* Does the line set KEY (ignoring spaces)? */
static int line_sets(const char *line, size_t len, const char *key)
{
	size_t klen = strlen(key);

	while (len && (*line == ' ' || *line == '\t')) {
		line++;
		len--;
	}
	if (len <= klen || strncmp(line, key, klen))
		return 0;
	line += klen;
	len -= klen;
	while (len && (*line == ' ' || *line == '\t')) {
		line++;
		len--;
	}
	return len && *line == '=';
}

char *topo_patch(const char *text, const char *key, const char *value)
{
	static const char *const kinds[] = {"gateway", "server", "balancer",
					    "client", "network"};
	const char *dot = strchr(key, '.'), *rest, *p, *sect = NULL;
	const char *insert_at = NULL, *replace = NULL, *replace_end = NULL;
	char node[64], want[96];
	size_t i, total = strlen(text);
	char *out;
	int in = 0;

	if (!dot || (size_t)(dot - key) >= sizeof(node)) {
		errno = EINVAL;
		return NULL;
	}
	memcpy(node, key, (size_t)(dot - key));
	node[dot - key] = '\0';
	rest = dot + 1;
	for (p = text; p < text + total;) {
		const char *nl = memchr(p, '\n', (size_t)(text + total - p));
		size_t len = nl ? (size_t)(nl - p) : (size_t)(text + total - p);
		const char *next = nl ? nl + 1 : text + total;
		int h = -1;

		if (!strcmp(node, "clients") || !strcmp(node, "traffic") ||
		    !strcmp(node, "lab") || !strcmp(node, "expect")) {
			h = header_is(p, len, node);
		} else {
			for (i = 0; i < ARRAY_SIZE(kinds) && h != 1; i++) {
				snprintf(want, sizeof(want), "%s %s", kinds[i],
					 node);
				h = header_is(p, len, want);
			}
		}
		if (h == 1) {
			in = 1;
			sect = p;
			insert_at = next;
		} else if (h == 0) {
			in = 0;
		} else if (in && line_sets(p, len, rest)) {
			replace = p;
			replace_end = next;
		}
		p = next;
	}
	out = xcalloc(1, total + strlen(key) + strlen(value) + 64);
	if (replace) {
		size_t head = (size_t)(replace - text);

		memcpy(out, text, head);
		sprintf(out + head, "%s = %s\n%s", rest, value, replace_end);
	} else if (sect) {
		size_t head = (size_t)(insert_at - text);

		memcpy(out, text, head);
		if (head && out[head - 1] != '\n')
			out[head++] = '\n';
		sprintf(out + head, "%s = %s\n%s", rest, value, insert_at);
	} else {
		/* No section: [traffic] and the like get theirs, and so does
		 * a generated client (the caller checked that NODE is a node
		 * or one of those). */
		int single = !strcmp(node, "clients") ||
			     !strcmp(node, "traffic") || !strcmp(node, "lab");

		sprintf(out, "%s%s[%s%s]\n%s = %s\n", text,
			total && text[total - 1] != '\n' ? "\n" : "",
			single ? "" : "client ", node, rest, value);
	}
	return out;
}

/* Every key of a section of kind @kind, after "NAME.". */
static void keys_print(FILE *out, const char *name, const char *kind)
{
	const struct key_def *const *tabs = topo_kind_keys(kind);
	const struct key_def *k;
	int i;

	for (i = 0; tabs && i < SECT_KEY_TABLES; i++)
		for (k = tabs[i]; k && k->name; k++)
			fprintf(out, "%s.%s\n", name, k->name);
}

void topo_patch_keys(const struct topo *t, FILE *out)
{
	int i;

	keys_print(out, "lab", "lab");
	keys_print(out, "clients", "clients");
	keys_print(out, "traffic", "traffic");
	for (i = 0; i < t->nnets; i++)
		keys_print(out, t->nets[i].name, "network");
	for (i = 0; i < t->nnodes; i++)
		keys_print(out, t->nodes[i].name,
			   topo_kind_name(t->nodes[i].kind));
}
