/* json.c - a small JSON reader: text into a tree of values. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/json.h"
#include "lib/util.h"

/*
 * Theory of operation.  natlab writes its reports as JSON, and a sweep
 * run elsewhere reads them back (a plan's manifest, each cell's run), so
 * it needs a reader, but only for files of a few megabytes: a recursive
 * descent over the grammar of RFC 8259 into a tree, each object's and
 * array's values in one array of kids.  A file that is not exactly one
 * JSON value is refused with the byte where it went wrong, so that a run
 * cut off half way through its report is told from a complete one.
 */

#define JSON_DEPTH_MAX 64

struct jp {
	const char *s;
	size_t len, i;
	int depth;
	char *err;
	size_t errlen;
};

static int jp_fail(struct jp *p, const char *what)
{
	if (p->err && p->errlen)
		snprintf(p->err, p->errlen, "%s at byte %zu", what, p->i);
	return -EINVAL;
}

static void jp_ws(struct jp *p)
{
	while (p->i < p->len && (p->s[p->i] == ' ' || p->s[p->i] == '\t' ||
				 p->s[p->i] == '\n' || p->s[p->i] == '\r'))
		p->i++;
}

static int jp_peek(const struct jp *p)
{
	return p->i < p->len ? (unsigned char)p->s[p->i] : -1;
}

/* Four hex digits after "\u". */
static int jp_hex4(struct jp *p, unsigned int *cp)
{
	unsigned int v = 0;
	int k;

	for (k = 0; k < 4; k++) {
		int c = jp_peek(p);

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= (unsigned int)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v |= (unsigned int)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v |= (unsigned int)(c - 'A' + 10);
		else
			return jp_fail(p, "bad \\u escape");
		p->i++;
	}
	*cp = v;
	return 0;
}

/* Append code point @cp as UTF-8 to @out (room for 4 more bytes). */
static size_t utf8_put(char *out, unsigned int cp)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xc0 | cp >> 6);
		out[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xe0 | cp >> 12);
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		out[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | cp >> 18);
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	out[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/* A "\u" escape, with its low surrogate if it is a high one. */
static int jp_unicode(struct jp *p, unsigned int *cp)
{
	unsigned int lo;

	if (jp_hex4(p, cp))
		return -EINVAL;
	if (*cp >= 0xdc00 && *cp <= 0xdfff)
		return jp_fail(p, "lone low surrogate");
	if (*cp < 0xd800 || *cp > 0xdbff)
		return *cp ? 0 : jp_fail(p, "NUL in a string");
	if (p->i + 2 > p->len || p->s[p->i] != '\\' || p->s[p->i + 1] != 'u')
		return jp_fail(p, "lone high surrogate");
	p->i += 2;
	if (jp_hex4(p, &lo))
		return -EINVAL;
	if (lo < 0xdc00 || lo > 0xdfff)
		return jp_fail(p, "lone high surrogate");
	*cp = 0x10000 + ((*cp - 0xd800) << 10) + (lo - 0xdc00);
	return 0;
}

/* One escape after the backslash, appended to @out. */
static int jp_escape(struct jp *p, char *out, size_t *n)
{
	static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
	const char *e;
	unsigned int cp;
	int c = jp_peek(p);

	if (c == 'u') {
		p->i++;
		if (jp_unicode(p, &cp))
			return -EINVAL;
		*n += utf8_put(out + *n, cp);
		return 0;
	}
	e = c > 0 ? strchr(from, c) : NULL;
	if (!e)
		return jp_fail(p, "bad escape");
	out[(*n)++] = to[e - from];
	p->i++;
	return 0;
}

/* A string, at its opening quote; *out is new memory. */
static int jp_string(struct jp *p, char **out)
{
	size_t start = ++p->i, n = 0;
	char *buf;
	int c;

	/* Unescaped text is never longer than its source. */
	while (p->i < p->len && p->s[p->i] != '"')
		p->i += p->s[p->i] == '\\' ? 2 : 1;
	buf = xcalloc(1, p->i - start + 4);
	p->i = start;
	while ((c = jp_peek(p)) != '"') {
		if (c < 0x20) {
			free(buf);
			return jp_fail(p, c < 0 ? "unterminated string"
						: "control character in a "
						  "string");
		}
		if (c != '\\') {
			buf[n++] = (char)c;
			p->i++;
			continue;
		}
		p->i++;
		if (jp_escape(p, buf, &n)) {
			free(buf);
			return -EINVAL;
		}
	}
	p->i++;
	buf[n] = '\0';
	*out = buf;
	return 0;
}

static int jp_digits(struct jp *p)
{
	size_t from = p->i;

	while (jp_peek(p) >= '0' && jp_peek(p) <= '9')
		p->i++;
	return p->i > from ? 0 : -1;
}

/* A number: the grammar checked here, the value from strtod(). */
static int jp_number(struct jp *p, double *v)
{
	size_t start = p->i;
	char buf[64];

	if (jp_peek(p) == '-')
		p->i++;
	if (jp_peek(p) == '0')
		p->i++;
	else if (jp_digits(p))
		return jp_fail(p, "unexpected character");
	if (jp_peek(p) == '.') {
		p->i++;
		if (jp_digits(p))
			return jp_fail(p, "bad number");
	}
	if (jp_peek(p) == 'e' || jp_peek(p) == 'E') {
		p->i++;
		if (jp_peek(p) == '+' || jp_peek(p) == '-')
			p->i++;
		if (jp_digits(p))
			return jp_fail(p, "bad number");
	}
	if (p->i - start >= sizeof(buf))
		return jp_fail(p, "number too long");
	memcpy(buf, p->s + start, p->i - start);
	buf[p->i - start] = '\0';
	*v = strtod(buf, NULL);
	return 0;
}

static int jp_value(struct jp *p, struct json *v);

/* The items of an array or the members of an object, after the opening
 * bracket, up to @close. */
static int jp_kids(struct jp *p, struct json *v, char close)
{
	int cap = 0;

	jp_ws(p);
	if (jp_peek(p) == close) {
		p->i++;
		return 0;
	}
	for (;;) {
		struct json kid = {0};

		jp_ws(p);
		if (close == '}') {
			if (jp_peek(p) != '"')
				return jp_fail(p, "expected a member name");
			if (jp_string(p, &kid.key))
				return -EINVAL;
			jp_ws(p);
			if (jp_peek(p) != ':') {
				free(kid.key);
				return jp_fail(p, "expected ':'");
			}
			p->i++;
		}
		if (v->n == cap) {
			cap = cap ? cap * 2 : 8;
			v->kids = xrealloc(v->kids, cap, sizeof(*v->kids));
		}
		v->kids[v->n] = kid;
		if (jp_value(p, &v->kids[v->n++]))
			return -EINVAL;
		jp_ws(p);
		if (jp_peek(p) == close) {
			p->i++;
			return 0;
		}
		if (jp_peek(p) != ',')
			return jp_fail(p, close == '}' ? "expected ',' or '}'"
						       : "expected ',' or ']'");
		p->i++;
	}
}

static int jp_word(struct jp *p, const char *word)
{
	size_t n = strlen(word);

	if (p->len - p->i < n || strncmp(p->s + p->i, word, n))
		return jp_fail(p, "unexpected character");
	p->i += n;
	return 0;
}

/* One value into @v (whose key is already set). */
static int jp_value(struct jp *p, struct json *v)
{
	int c, err;

	jp_ws(p);
	c = jp_peek(p);
	if (c == '{' || c == '[') {
		if (++p->depth > JSON_DEPTH_MAX)
			return jp_fail(p, "nested too deep");
		p->i++;
		v->type = c == '{' ? JSON_OBJ : JSON_ARR;
		err = jp_kids(p, v, c == '{' ? '}' : ']');
		p->depth--;
		return err;
	}
	if (c == '"') {
		v->type = JSON_STR;
		return jp_string(p, &v->str);
	}
	if (c == 't' || c == 'f') {
		v->type = JSON_BOOL;
		v->boolean = c == 't';
		return jp_word(p, c == 't' ? "true" : "false");
	}
	if (c == 'n')
		return jp_word(p, "null");
	if (c < 0)
		return jp_fail(p, "unexpected end");
	v->type = JSON_NUM;
	return jp_number(p, &v->num);
}

int json_parse(const char *text, size_t len, struct json *out, char *err,
	       size_t errlen)
{
	struct jp p = {.s = text, .len = len, .err = err, .errlen = errlen};
	int rc;

	memset(out, 0, sizeof(*out));
	rc = jp_value(&p, out);
	if (!rc) {
		jp_ws(&p);
		if (p.i < p.len)
			rc = jp_fail(&p, "text after the value");
	}
	if (rc)
		json_free(out);
	return rc;
}

const struct json *json_get(const struct json *obj, const char *key)
{
	int k;

	if (obj->type != JSON_OBJ)
		return NULL;
	for (k = 0; k < obj->n; k++)
		if (!strcmp(obj->kids[k].key, key))
			return &obj->kids[k];
	return NULL;
}

const char *json_get_str(const struct json *obj, const char *key)
{
	const struct json *v = json_get(obj, key);

	return v && v->type == JSON_STR ? v->str : NULL;
}

void json_free(struct json *j)
{
	int k;

	for (k = 0; k < j->n; k++)
		json_free(&j->kids[k]);
	free(j->kids);
	free(j->key);
	free(j->str);
	memset(j, 0, sizeof(*j));
}
