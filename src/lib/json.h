/* json.h - a small JSON reader: text into a tree of values. */
#ifndef NATLAB_JSON_H
#define NATLAB_JSON_H

#include <stddef.h>

enum json_type {
	JSON_NULL,
	JSON_BOOL,
	JSON_NUM,
	JSON_STR,
	JSON_ARR,
	JSON_OBJ,
};

/* One value.  An object's members and an array's items are its kids, in
 * the order of the text; a member carries its name in key. */
struct json {
	enum json_type type;
	char *key;	   /* a member's name, NULL in an array or at the top */
	char *str;	   /* JSON_STR: the text, unescaped (UTF-8) */
	double num;	   /* JSON_NUM */
	int boolean;	   /* JSON_BOOL */
	struct json *kids; /* JSON_ARR, JSON_OBJ: n values */
	int n;
};

/**
 * json_parse() - read one JSON value (RFC 8259) that is all of @text
 * @text: @len bytes, not necessarily NUL-terminated
 * @out: the tree, for json_free(); zeroed on failure
 * @err: what is wrong and at which byte, @errlen bytes (may be NULL)
 *
 * Nesting deeper than 64 levels and a NUL byte in a string are refused.
 * Return: 0, or -EINVAL if the text is not one valid JSON value.
 */
int json_parse(const char *text, size_t len, struct json *out, char *err,
	       size_t errlen);

/**
 * json_get() - the member @key of object @obj
 * Return: the first member of that name (owned by @obj), or NULL if there
 * is none or @obj is not an object.
 */
const struct json *json_get(const struct json *obj, const char *key);

/**
 * json_get_str() - the string member @key of object @obj
 * Return: its text (owned by @obj), or NULL if there is no such member or
 * it is not a string.
 */
const char *json_get_str(const struct json *obj, const char *key);

/* json_free() - free what json_parse() made; @j is then a zeroed null. */
void json_free(struct json *j);

#endif
