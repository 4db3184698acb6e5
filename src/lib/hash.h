/* hash.h - splitmix64, the one 64-bit mixer behind natlab's hash tables
 * and its seeded choices. */
#ifndef NATLAB_HASH_H
#define NATLAB_HASH_H

#include <stdint.h>

/* The golden-ratio step of splitmix64's sequence. */
#define HASH_GOLDEN 0x9e3779b97f4a7c15ull

/*
 * hash_mix64() - splitmix64's finaliser (Steele, Lea and Flood, 2014):
 * every bit of the result depends on every bit of @x.
 */
static inline uint64_t hash_mix64(uint64_t x)
{
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

/*
 * hash_splitmix() - one step of splitmix64 from state @x: a well-mixed
 * value for a seed combined with an index, so that what is drawn for one
 * index does not change when others are added.
 */
static inline uint64_t hash_splitmix(uint64_t x)
{
	return hash_mix64(x + HASH_GOLDEN);
}

/* hash_str() - a string's hash: FNV-1a over its bytes, then mixed. */
static inline uint64_t hash_str(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ull;
	return hash_mix64(h);
}

#endif
