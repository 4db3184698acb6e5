/* topo_test.h - parsing topologies in unit tests: "t.topo" from text. */
#ifndef NATLAB_TOPO_TEST_H
#define NATLAB_TOPO_TEST_H

#include "topo/topo.h"

/* Parse text as "t.topo" into *t; the previous model is freed first. */
int topo_test_parse(struct topo *t, const char *text);

/* Whether some error of *t reads "t.topo:LINE: ..." and contains phrase. */
int topo_test_has_err(const struct topo *t, int line, const char *phrase);

/*
 * For a suite file with a "static struct topo t": assert an error (and
 * show all of them when it is missing), or a clean parse.
 */
#define CHECK_ERR(line, phrase)                                                \
	do {                                                                   \
		int found_ = topo_test_has_err(&t, line, phrase);              \
		if (!found_)                                                   \
			topo_print_errors(&t);                                 \
		CU_ASSERT(found_);                                             \
	} while (0)

#define CHECK_OK(text)                                                         \
	do {                                                                   \
		int err_ = topo_test_parse(&t, text);                          \
		if (err_)                                                      \
			topo_print_errors(&t);                                 \
		CU_ASSERT_EQUAL_FATAL(err_, 0);                                \
	} while (0)

/* The start of a one-gateway lab named LAB: gw between lan 10.0.0.0/24
 * and wan 198.51.100.0/24, and the server srv on wan; a test goes on
 * with srv's keys and the clients. */
#define TOPO_TEST_ONE_GW(lab)                                                  \
	"[lab]\n"                                                              \
	"name = " lab "\n"                                                     \
	"[network lan]\n"                                                      \
	"subnet = 10.0.0.0/24\n"                                               \
	"[network wan]\n"                                                      \
	"subnet = 198.51.100.0/24\n"                                           \
	"[gateway gw]\n"                                                       \
	"inside = lan\n"                                                       \
	"outside = wan\n"                                                      \
	"[server srv]\n"                                                       \
	"network = wan\n"

#endif
