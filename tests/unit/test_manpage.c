/* test_manpage.c - natlab.topo.5 against the parser: every section, key
 * and metric the parser accepts is documented, and nothing else is. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/util.h"
#include "topo/topo.h"
#include "unit.h"

/*
 * The oracle is the parser's own tables (topo_keys_each()), not a reading
 * of its source.  The page is mdoc(7), and the test reads it by the
 * convention the page keeps: a section is a subsection titled as its
 * header is written ("[gateway NAME]", "[lab]"), and its keys are the
 * items of the first level of lists in that subsection whose line begins
 * with Cm, one or more keys each ("It Cm inside , outside No = ...").  A
 * key that takes any suffix is written with its dot, as the parser's
 * table has it ("It Cm sysctl.\& Ns Ar PATH").  The zero-width "\&" that
 * keeps mdoc from reading a trailing dot or bracket as punctuation is
 * cut before a line is read.  Lists nested in an item (the values of a
 * key) and items not led by Cm are not keys.  The metrics of [expect]
 * are the Li words of the items of the subsection "Metrics", an item per
 * kind ("It client"), against topo_metrics_each().  Run from the top of
 * the tree, as make unit and scripts/check do.
 */

#define PAGE	     "man/natlab.topo.5"
#define PAIRS_MAX    512
#define SECT_LEN     16
#define KEY_LEN	     48
#define RAW_KEY	     "" /* the one entry of a section without keys */
#define MACRO_MAX    3	/* mdoc macro names: Cm, Ar, No, ... */
#define LINE_MAX_LEN 512

/* A section and one of its keys, from the parser or from the page. */
struct pair {
	char sect[SECT_LEN];
	int named;
	char key[KEY_LEN];
};

struct pairs {
	struct pair v[PAIRS_MAX];
	int n;
};

static void pairs_add(struct pairs *ps, const char *sect, int named,
		      const char *key)
{
	struct pair *p;

	CU_ASSERT_FATAL(ps->n < PAIRS_MAX);
	p = &ps->v[ps->n++];
	snprintf(p->sect, sizeof(p->sect), "%s", sect);
	p->named = named;
	snprintf(p->key, sizeof(p->key), "%s", key ? key : RAW_KEY);
}

static void parser_pair(const char *sect, int named, const char *key, void *arg)
{
	pairs_add(arg, sect, named, key);
}

static void parser_metric(const char *kind, const char *name, void *arg)
{
	pairs_add(arg, kind, 0, name);
}

/* A section of @ps named @sect (any key), or NULL. */
static const struct pair *pairs_sect(const struct pairs *ps, const char *sect)
{
	int i;

	for (i = 0; i < ps->n; i++)
		if (!strcmp(ps->v[i].sect, sect))
			return &ps->v[i];
	return NULL;
}

static int pairs_has(const struct pairs *ps, const struct pair *p)
{
	int i;

	for (i = 0; i < ps->n; i++)
		if (!strcmp(ps->v[i].sect, p->sect) &&
		    ps->v[i].named == p->named && !strcmp(ps->v[i].key, p->key))
			return 1;
	return 0;
}

static int is_macro(const char *w)
{
	size_t n = strlen(w);

	return n >= 2 && n <= MACRO_MAX && isupper((unsigned char)w[0]) &&
	       islower((unsigned char)w[1]);
}

/* Cut the zero-width escapes "\&" that keep mdoc from reading a key's
 * trailing dot or a title's bracket as punctuation. */
static void unescape(char *s)
{
	char *at;

	for (at = strstr(s, "\\&"); at; at = strstr(at, "\\&"))
		memmove(at, at + 2, strlen(at + 2) + 1);
}

/* "[gateway NAME]" or "[lab]", quotes allowed: the kind into @sect and
 * whether it is named.  Return: 1 for a section title, else 0. */
static int sect_title(const char *title, char *sect, int *named)
{
	char kind[SECT_LEN + 1], rest[16];
	int n;

	while (*title == ' ' || *title == '"')
		title++;
	if (*title != '[')
		return 0;
	n = sscanf(title + 1, "%16[a-z] %15[^]\"]", kind, rest);
	if (n < 1 || strlen(kind) >= SECT_LEN)
		return 0;
	strcpy(sect, kind);
	*named = n == 2 && !strcmp(rest, "NAME");
	return 1;
}

/* The words of @line from byte @skip up to the next macro, delimiters
 * skipped, each added to @ps for @sect: "It Cm a , b No = ..." gives a
 * and b. */
static void line_words(struct pairs *ps, const char *sect, int named,
		       char *line, size_t skip)
{
	char *w, *save = NULL;

	for (w = strtok_r(line + skip, " \t", &save); w && !is_macro(w);
	     w = strtok_r(NULL, " \t", &save))
		if (strspn(w, ",|.;:()") != strlen(w))
			pairs_add(ps, sect, named, w);
}

/* Copy the line at *@s into @line (LINE_MAX_LEN bytes), "\&" cut, and
 * move *@s past it.  Return: 0 at the end of the text, else 1. */
static int page_line(const char **s, char *line)
{
	size_t n = strcspn(*s, "\n");

	if (!**s)
		return 0;
	snprintf(line, LINE_MAX_LEN, "%.*s", (int)n, *s);
	unescape(line);
	*s += n + ((*s)[n] == '\n');
	return 1;
}

/* Read the page's sections and keys from @text; a section without keys
 * gets the one pair RAW_KEY, as the parser's tables give it. */
static void page_pairs(const char *text, struct pairs *ps)
{
	static struct pairs secs;
	char line[LINE_MAX_LEN], sect[SECT_LEN] = "";
	int i, named = 0, depth = 0;

	ps->n = secs.n = 0;
	while (page_line(&text, line)) {
		if (!strncmp(line, ".Sh", 3) || !strncmp(line, ".Ss", 3)) {
			sect[0] = '\0';
			depth = 0;
			if (!strncmp(line, ".Ss", 3) &&
			    sect_title(line + 3, sect, &named))
				pairs_add(&secs, sect, named, NULL);
		} else if (!strncmp(line, ".Bl", 3)) {
			depth++;
		} else if (!strncmp(line, ".El", 3)) {
			depth--;
		} else if (sect[0] && depth == 1 &&
			   !strncmp(line, ".It Cm ", 7)) {
			line_words(ps, sect, named, line, strlen(".It Cm "));
		}
	}
	for (i = 0; i < secs.n; i++)
		if (!pairs_sect(ps, secs.v[i].sect))
			pairs_add(ps, secs.v[i].sect, secs.v[i].named, NULL);
}

/* Read the metrics of the page's subsection "Metrics" from @text. */
static void page_metrics(const char *text, struct pairs *ps)
{
	char line[LINE_MAX_LEN], kind[SECT_LEN] = "";
	int in = 0;

	ps->n = 0;
	while (page_line(&text, line)) {
		if (!strncmp(line, ".Sh", 3) || !strncmp(line, ".Ss", 3))
			in = !strcmp(line, ".Ss Metrics");
		else if (in && !strncmp(line, ".It ", 4))
			snprintf(kind, sizeof(kind), "%.*s",
				 (int)sizeof(kind) - 1, line + 4);
		else if (in && kind[0] && !strncmp(line, ".Li ", 4))
			line_words(ps, kind, 0, line, strlen(".Li "));
	}
}

/* Add to @bad the pairs of @a that @b lacks, each printed unless @quiet
 * as "PAGE: [SECTION] key 'KEY': WHY" or, for @noun "metric", "PAGE: KIND
 * metric 'NAME': WHY" (the first on a line of its own, after CUnit's test
 * name). */
static void pairs_missing(const struct pairs *a, const struct pairs *b,
			  const char *noun, const char *why, int quiet,
			  int *bad)
{
	int i, key = !strcmp(noun, "key");
	const struct pair *p;

	for (i = 0; i < a->n; i++) {
		p = &a->v[i];
		if (pairs_has(b, p))
			continue;
		if (!quiet)
			fprintf(stderr, "%s%s: %s%s%s%s %s '%s': %s\n",
				*bad ? "" : "\n", PAGE, key ? "[" : "", p->sect,
				p->named ? " NAME" : "", key ? "]" : "", noun,
				p->key[0] ? p->key : "(none)", why);
		(*bad)++;
	}
}

/*
 * Compare the page's text with the parser's tables and metrics.
 * Return: how many differences, each printed unless @quiet.
 */
static int page_check(const char *text, int quiet)
{
	static struct pairs parser, page;
	int bad = 0;

	parser.n = 0;
	topo_keys_each(parser_pair, &parser);
	page_pairs(text, &page);
	pairs_missing(&parser, &page, "key",
		      "the parser takes it, the page lacks it", quiet, &bad);
	pairs_missing(&page, &parser, "key",
		      "in the page, the parser refuses it", quiet, &bad);
	parser.n = 0;
	topo_metrics_each(parser_metric, &parser);
	page_metrics(text, &page);
	pairs_missing(&parser, &page, "metric",
		      "[expect] takes it, the Metrics list lacks it", quiet,
		      &bad);
	pairs_missing(&page, &parser, "metric",
		      "in the Metrics list, [expect] refuses it", quiet, &bad);
	return bad;
}

static char *page_read(void)
{
	char *text = NULL;
	size_t len;

	if (util_read_whole(PAGE, &text, &len))
		fprintf(stderr,
			"\n%s: cannot read it (run from the top of "
			"the tree)\n",
			PAGE);
	return text;
}

static void test_page_matches_parser(void)
{
	char *text = page_read();

	CU_ASSERT_FATAL(text != NULL);
	CU_ASSERT_EQUAL(page_check(text, 0), 0);
	free(text);
}

/* @text with its first line that starts with @prefix replaced by @repl,
 * or cut if @repl is NULL: the page made wrong.  Return: new memory, a
 * copy of @text if no line starts with @prefix. */
static char *page_edit(const char *text, const char *prefix, const char *repl)
{
	const char *at = text, *eol;
	char *out;

	while (at && strncmp(at, prefix, strlen(prefix))) {
		at = strchr(at, '\n');
		at = at ? at + 1 : NULL;
	}
	if (!at) /* the page changed: the edit's check then fails */
		return xstrdup(text);
	eol = strchr(at, '\n');
	eol = eol ? eol + 1 : at + strlen(at);
	out = xcalloc(strlen(text) + (repl ? strlen(repl) : 0) + 2, 1);
	memcpy(out, text, (size_t)(at - text));
	sprintf(out + (at - text), "%s%s%s", repl ? repl : "", repl ? "\n" : "",
		eol);
	return out;
}

/* The check fails when the page loses a key or a metric, gains one,
 * writes a named section without its NAME or files metrics under
 * another kind: it can fail. */
static void test_check_catches_mistakes(void)
{
	static const struct {
		const char *prefix, *repl;
	} edits[] = {
		{".It Cm nat.ports", NULL},
		{".It Cm sysctl.", NULL},
		{".It Cm nat.ports", ".It Cm nat.ports , no_such_key"},
		{".Ss [fault NAME]", ".Ss [fault]"},
		{".Ss [expect]", NULL},
		{".Li mappings , port_reuse", ".Li port_reuse"},
		{".Li mappings , port_reuse", ".Li mappings , no_such_metric"},
		{".It legacy", ".It server"},
	};
	char *text = page_read(), *bad;
	size_t i;

	CU_ASSERT_FATAL(text != NULL);
	for (i = 0; i < ARRAY_SIZE(edits); i++) {
		bad = page_edit(text, edits[i].prefix, edits[i].repl);
		CU_ASSERT(page_check(bad, 1) > 0);
		free(bad);
	}
	free(text);
}

static const struct unit_test tests[] = {
	{"natlab.topo.5 has every section, key and metric, and no other",
	 test_page_matches_parser},
	{"the check catches a key or metric missing, extra or misplaced",
	 test_check_catches_mistakes},
	{NULL, NULL},
};

UNIT_SUITE("manpage", tests)
