/* jsondoc.h - natlab's JSON documents through jansson: values from C
 * numbers and strings, documents written whole or as a stream. */
#ifndef NATLAB_JSONDOC_H
#define NATLAB_JSONDOC_H

#include <stdio.h>

#include <jansson.h>

/* The precision of numbers with a fraction: 17 significant digits give
 * every double back exactly (a metric read back by natlab matrix
 * --collect is the run's); 15 hold milliseconds that are whole
 * microseconds exactly, and keep them short. */
#define JSONDOC_EXACT	 JSON_REAL_PRECISION(17)
#define JSONDOC_MICROSEC JSON_REAL_PRECISION(15)

/**
 * jsondoc_num() - a number: an integer when @v is whole (below 1e15), a
 * real otherwise, null when it is not finite (JSON has no NaN or infinity)
 * Return: a new reference, or NULL if memory ran out.
 */
json_t *jsondoc_num(double v);

/**
 * jsondoc_exact() - jansson's flag for the fewest significant digits (15,
 * 16 or 17) that give @v back exactly: "0.55", not "0.55000000000000004"
 */
size_t jsondoc_exact(double v);

/**
 * jsondoc_str() - a string; bytes of @s that are not UTF-8 (a path given
 * on the command line may have any) are written as '?'
 * Return: a new reference, or NULL if memory ran out.
 */
json_t *jsondoc_str(const char *s);

/**
 * jsondoc_set() - set member @key of object @obj to @v, whose reference it
 * takes (also on failure, and @obj may be NULL)
 * @err: set to -ENOMEM if @obj or @v is NULL (a failed allocation) or the
 *       member cannot be set; left as it is otherwise
 */
void jsondoc_set(json_t *obj, const char *key, json_t *v, int *err);

/* jsondoc_append() - append @v to array @arr, as jsondoc_set(). */
void jsondoc_append(json_t *arr, json_t *v, int *err);

/**
 * jsondoc_write() - write @doc to @f with jansson's @flags, and a newline
 * Return: 0, or -EIO if it could not be written (a write error on @f, or
 * memory ran out).
 */
int jsondoc_write(FILE *f, const json_t *doc, size_t flags);

/*
 * A stream: an object written member by member, for a document too large
 * to hold as one tree.  Its lists (arrays, or objects of many members)
 * have an item a line.  Every call takes the reference of the value it
 * is given, and does nothing once something failed; jsondoc_end() says
 * what.
 */
struct jsondoc_stream {
	FILE *f;
	int members;	/* of the document, so far */
	int items;	/* of the open list so far; -1: none is open */
	char close;	/* the open list's closing bracket */
	int err;	/* the first failure: -ENOMEM or -EIO */
	char buf[2048]; /* an item's text */
};

/* jsondoc_begin() - start the document on @f. */
void jsondoc_begin(struct jsondoc_stream *s, FILE *f);

/* jsondoc_member() - the document's member @key, @v written with jansson's
 * @flags on its line. */
void jsondoc_member(struct jsondoc_stream *s, const char *key, json_t *v,
		    size_t flags);

/* jsondoc_list() - open the document's member @key as a list: an object
 * if @object, else an array. */
void jsondoc_list(struct jsondoc_stream *s, const char *key, int object);

/* jsondoc_item() - an item of the open list: @v, named @key in an object
 * (NULL in an array), written with @flags on a line of its own. */
void jsondoc_item(struct jsondoc_stream *s, const char *key, json_t *v,
		  size_t flags);

/* jsondoc_list_end() - close the open list. */
void jsondoc_list_end(struct jsondoc_stream *s);

/**
 * jsondoc_end() - close the document, and a newline
 * Return: 0, -ENOMEM if a value was NULL (memory ran out), or -EIO if the
 * file had a write error.
 */
int jsondoc_end(struct jsondoc_stream *s);

#endif
