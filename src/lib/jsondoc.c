/* jsondoc.c - natlab's JSON documents through jansson: values from C
 * numbers and strings, documents written whole or as a stream. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/jsondoc.h"
#include "lib/util.h"

/*
 * Every JSON file natlab writes is written by jansson, which quotes and
 * escapes strings and formats numbers; these helpers are the few
 * decisions natlab adds.  A builder of a tree sets members with
 * jsondoc_set() and checks one error at the end instead of every call:
 * jansson returns NULL when an allocation fails, and a NULL value (or
 * parent) makes the set fail and is counted.
 *
 * A run's report is too large for a tree: 10,000 clients make 180,000
 * metrics and 30,000 connections, and as one tree jansson took ten times
 * the time of the whole report written as text, and twice the memory
 * (scripts/bench-report).  It is written as a stream instead: natlab
 * frames the top-level object and its lists, and jansson writes each
 * key and each item, built and freed one at a time.
 */

json_t *jsondoc_num(double v)
{
	if (!isfinite(v))
		return json_null();
	if (v == floor(v) && fabs(v) < 1e15)
		return json_integer((json_int_t)v);
	return json_real(v);
}

size_t jsondoc_exact(double v)
{
	char buf[32];
	int p;

	if (!isfinite(v) || v == floor(v))
		return JSON_REAL_PRECISION(17); /* written whole */
	for (p = 15; p < 17; p++) {
		snprintf(buf, sizeof(buf), "%.*g", p, v);
		if (strtod(buf, NULL) == v)
			break;
	}
	return JSON_REAL_PRECISION(p);
}

json_t *jsondoc_str(const char *s)
{
	json_t *v = json_string(s);
	char *copy;
	size_t i;

	if (v)
		return v;
	/* Not UTF-8 (or memory ran out): the ASCII of it. */
	copy = xstrdup(s);
	for (i = 0; copy[i]; i++)
		if ((unsigned char)copy[i] >= 0x80)
			copy[i] = '?';
	v = json_string(copy);
	free(copy);
	return v;
}

void jsondoc_set(json_t *obj, const char *key, json_t *v, int *err)
{
	if (json_object_set_new(obj, key, v))
		*err = -ENOMEM;
}

void jsondoc_append(json_t *arr, json_t *v, int *err)
{
	if (json_array_append_new(arr, v))
		*err = -ENOMEM;
}

int jsondoc_write(FILE *f, const json_t *doc, size_t flags)
{
	if (json_dumpf(doc, f, flags) || fputc('\n', f) == EOF || ferror(f))
		return -EIO;
	return 0;
}

/* ---- a stream ---- */

static void put(struct jsondoc_stream *s, const char *text)
{
	if (!s->err && fputs(text, s->f) == EOF)
		s->err = -EIO;
}

/* Write @v, and drop its reference. */
static void put_value(struct jsondoc_stream *s, json_t *v, size_t flags)
{
	size_t n;

	if (!v) {
		if (!s->err)
			s->err = -ENOMEM;
		return;
	}
	flags |= JSON_ENCODE_ANY;
	n = s->err ? 0 : json_dumpb(v, s->buf, sizeof(s->buf), flags);
	/* through the buffer: jansson writes to a file a few bytes a call */
	if (n && n <= sizeof(s->buf)) {
		if (fwrite(s->buf, 1, n, s->f) != n)
			s->err = -EIO;
	} else if (!s->err && json_dumpf(v, s->f, flags)) {
		s->err = -EIO;
	}
	json_decref(v);
}

static void put_key(struct jsondoc_stream *s, const char *key)
{
	put_value(s, jsondoc_str(key), 0);
	put(s, ": ");
}

void jsondoc_begin(struct jsondoc_stream *s, FILE *f)
{
	*s = (struct jsondoc_stream){.f = f, .items = -1};
	put(s, "{");
}

void jsondoc_member(struct jsondoc_stream *s, const char *key, json_t *v,
		    size_t flags)
{
	put(s, s->members++ ? ",\n  " : "\n  ");
	put_key(s, key);
	put_value(s, v, flags);
}

void jsondoc_list(struct jsondoc_stream *s, const char *key, int object)
{
	put(s, s->members++ ? ",\n  " : "\n  ");
	put_key(s, key);
	put(s, object ? "{" : "[");
	s->close = object ? '}' : ']';
	s->items = 0;
}

void jsondoc_item(struct jsondoc_stream *s, const char *key, json_t *v,
		  size_t flags)
{
	put(s, s->items++ ? ",\n    " : "\n    ");
	if (key)
		put_key(s, key);
	put_value(s, v, flags);
}

void jsondoc_list_end(struct jsondoc_stream *s)
{
	char end[] = {'\n', ' ', ' ', s->close, '\0'};

	put(s, s->items ? end : end + 3);
	s->items = -1;
}

int jsondoc_end(struct jsondoc_stream *s)
{
	put(s, s->members ? "\n}\n" : "}\n");
	if (!s->err && ferror(s->f))
		s->err = -EIO;
	return s->err;
}
