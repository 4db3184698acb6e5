/* test_topo.c - topology parser: grammar, validation, addressing, routes,
 * engine options. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "topo/topo.h"
#include "topo_test.h"
#include "unit.h"

static struct topo t;

/* Parse text as "t.topo"; the previous model is freed first. */
static int parse(const char *text)
{
	return topo_test_parse(&t, text);
}

static uint32_t ipv4(unsigned a, unsigned b, unsigned c, unsigned d)
{
	return (uint32_t)a << 24 | b << 16 | c << 8 | d;
}

static const struct topo_node *node(const char *name)
{
	int i = topo_find_node(&t, name);

	CU_ASSERT_FATAL(i >= 0);
	return &t.nodes[i];
}

static const struct topo_kv *kv(const struct topo_kv *v, int n, int i)
{
	CU_ASSERT_FATAL(i < n);
	return &v[i];
}

/* Lines 1-6 of most tests. */
#define BASE                                                                   \
	"[lab]\n"		     /* 1 */                                   \
	"name = t\n"		     /* 2 */                                   \
	"[network lan]\n"	     /* 3 */                                   \
	"subnet = 10.0.0.0/24\n"     /* 4 */                                   \
	"[network wan]\n"	     /* 5 */                                   \
	"subnet = 198.51.100.0/24\n" /* 6 */

/* Lines 7-9: a gateway between them. */
#define GW                                                                     \
	"[gateway gw]\n"  /* 7 */                                              \
	"inside = lan\n"  /* 8 */                                              \
	"outside = wan\n" /* 9 */

static const char full[] = "; natlab test lab\n"		     /* 1 */
			   "[lab]\n"				     /* 2 */
			   "name = recycle   # the lab\n"	     /* 3 */
			   "\n"					     /* 4 */
			   "[network lan]\n"			     /* 5 */
			   "subnet = 10.0.0.0/24\n"		     /* 6 */
			   "[network mid]\n"			     /* 7 */
			   "subnet = 100.64.0.0/29\n"		     /* 8 */
			   "[network wan]\n"			     /* 9 */
			   "subnet = 198.51.100.0/24\n"		     /* 10 */
			   "[gateway home]\n"			     /* 11 */
			   "inside = lan\n"			     /* 12 */
			   "outside = mid\n"			     /* 13 */
			   "nat = persistent masquerade random\n"    /* 14 */
			   "nat.ports = 20000-20099\n"		     /* 15 */
			   "conntrack.tcp_timeout_time_wait = 120\n" /* 16 */
			   "[gateway carrier]\n"		     /* 17 */
			   "inside = mid\n"			     /* 18 */
			   "outside = wan\n"			     /* 19 */
			   "outside.address = 198.51.100.254\n"	     /* 20 */
			   "nat = none\n"			     /* 21 */
			   "sysctl.net.ipv4.ip_forward = 1\n"	     /* 22 */
			   "[server srv]\n"			     /* 23 */
			   "network = wan\n"			     /* 24 */
			   "address = 198.51.100.80\n"		     /* 25 */
			   "sysctl.net.ipv4.tcp_timestamps = 1\n"    /* 26 */
			   "[client c2]\n"			     /* 27 */
			   "address = 10.0.0.50\n"		     /* 28 */
			   "sysctl.net.ipv4.tcp_tw_reuse = 0\n"	     /* 29 */
			   "sysctl.net.core.somaxconn = 512\n"	     /* 30 */
			   "[clients]\n"			     /* 31 */
			   "count = 3\n"			     /* 32 */
			   "network = lan\n"			     /* 33 */
			   "sysctl.net.ipv4.tcp_tw_reuse = 1\n"	     /* 34 */
			   "sysctl.net.ipv4.tcp_timestamps = 1\n"    /* 35 */
			   "[client extra]\n"			     /* 36 */
			   "sysctl.net.ipv4.tcp_timestamps = 0\n";   /* 37 */

static void test_full_model(void)
{
	static const char *const order[] = {"home", "carrier", "srv",  "c1",
					    "c2",   "c3",      "extra"};
	const struct topo_node *n;
	int i;

	CHECK_OK(full);
	CU_ASSERT_STRING_EQUAL(t.file, "t.topo");
	CU_ASSERT_STRING_EQUAL(t.name, "recycle");
	CU_ASSERT_EQUAL(t.name_line, 3);
	CU_ASSERT_EQUAL(t.nerrs, 0);

	CU_ASSERT_EQUAL_FATAL(t.nnets, 3);
	CU_ASSERT_STRING_EQUAL(t.nets[1].name, "mid");
	CU_ASSERT_EQUAL(t.nets[1].addr, ipv4(100, 64, 0, 0));
	CU_ASSERT_EQUAL(t.nets[1].prefix, 29);
	CU_ASSERT_EQUAL(t.nets[1].line, 7);
	CU_ASSERT_EQUAL(topo_find_net(&t, "wan"), 2);

	CU_ASSERT_EQUAL_FATAL(t.nnodes, 7);
	for (i = 0; i < 7; i++)
		CU_ASSERT_STRING_EQUAL(t.nodes[i].name, order[i]);

	n = node("home");
	CU_ASSERT_EQUAL(n->kind, TOPO_GATEWAY);
	CU_ASSERT_EQUAL(n->line, 11);
	CU_ASSERT_EQUAL(n->nifs, 2);
	CU_ASSERT_EQUAL(n->ifs[0].net, 0);
	CU_ASSERT_EQUAL(n->ifs[0].addr, ipv4(10, 0, 0, 1));
	CU_ASSERT_EQUAL(n->ifs[1].net, 1);
	CU_ASSERT_EQUAL(n->ifs[1].addr, ipv4(100, 64, 0, 2));
	CU_ASSERT_EQUAL(n->via, 1);
	CU_ASSERT_EQUAL(n->nat.mode, TOPO_NAT_MASQUERADE);
	CU_ASSERT_EQUAL(n->nat.flags, TOPO_NAT_RANDOM | TOPO_NAT_PERSISTENT);
	CU_ASSERT_EQUAL(n->nat.port_min, 20000);
	CU_ASSERT_EQUAL(n->nat.port_max, 20099);
	CU_ASSERT_EQUAL(n->nat.line, 14);
	CU_ASSERT_EQUAL_FATAL(n->nconntrack, 1);
	CU_ASSERT_STRING_EQUAL(n->conntrack[0].key, "tcp_timeout_time_wait");
	CU_ASSERT_STRING_EQUAL(n->conntrack[0].value, "120");
	CU_ASSERT_EQUAL(n->conntrack[0].line, 16);
	CU_ASSERT_EQUAL(n->nsysctls, 0);

	n = node("carrier");
	CU_ASSERT_EQUAL(n->ifs[0].net, 1);
	CU_ASSERT_EQUAL(n->ifs[0].addr, ipv4(100, 64, 0, 1));
	CU_ASSERT_EQUAL(n->ifs[0].line, 17);
	CU_ASSERT_EQUAL(n->ifs[1].net, 2);
	CU_ASSERT_EQUAL(n->ifs[1].addr, ipv4(198, 51, 100, 254));
	CU_ASSERT_EQUAL(n->ifs[1].line, 20);
	CU_ASSERT_EQUAL(n->via, -1);
	CU_ASSERT_EQUAL(n->nat.mode, TOPO_NAT_NONE);
	CU_ASSERT_EQUAL(n->nat.flags, 0);
	CU_ASSERT_EQUAL(n->nconntrack, 0);
	CU_ASSERT_EQUAL_FATAL(n->nsysctls, 1);
	CU_ASSERT_STRING_EQUAL(n->sysctls[0].key, "net.ipv4.ip_forward");
	CU_ASSERT_STRING_EQUAL(n->sysctls[0].value, "1");
	CU_ASSERT_EQUAL(n->sysctls[0].line, 22);

	n = node("srv");
	CU_ASSERT_EQUAL(n->kind, TOPO_SERVER);
	CU_ASSERT_EQUAL(n->nifs, 1);
	CU_ASSERT_EQUAL(n->ifs[0].net, 2);
	CU_ASSERT_EQUAL(n->ifs[0].addr, ipv4(198, 51, 100, 80));
	CU_ASSERT_EQUAL(n->via, -1);
	CU_ASSERT_EQUAL(n->nat.mode, TOPO_NAT_NONE);

	/* generated clients: the [clients] line, inherited sysctls */
	n = node("c1");
	CU_ASSERT_EQUAL(n->kind, TOPO_CLIENT);
	CU_ASSERT_EQUAL(n->line, 31);
	CU_ASSERT_EQUAL(n->ifs[0].net, 0);
	CU_ASSERT_EQUAL(n->ifs[0].addr, ipv4(10, 0, 0, 2));
	CU_ASSERT_EQUAL(n->ifs[0].line, 31);
	CU_ASSERT_EQUAL(n->via, 0);
	CU_ASSERT_EQUAL_FATAL(n->nsysctls, 2);
	CU_ASSERT_STRING_EQUAL(n->sysctls[0].key, "net.ipv4.tcp_tw_reuse");
	CU_ASSERT_STRING_EQUAL(n->sysctls[0].value, "1");
	CU_ASSERT_STRING_EQUAL(n->sysctls[1].value, "1");

	/* c2: its own section (before [clients]) overrides one sysctl,
	 * inherits the other, adds a third */
	n = node("c2");
	CU_ASSERT_EQUAL(n->line, 31);
	CU_ASSERT_EQUAL(n->ifs[0].addr, ipv4(10, 0, 0, 50));
	CU_ASSERT_EQUAL(n->ifs[0].line, 28);
	CU_ASSERT_EQUAL(n->via, 0);
	CU_ASSERT_EQUAL_FATAL(n->nsysctls, 3);
	CU_ASSERT_STRING_EQUAL(kv(n->sysctls, 3, 0)->key,
			       "net.ipv4.tcp_tw_reuse");
	CU_ASSERT_STRING_EQUAL(kv(n->sysctls, 3, 0)->value, "0");
	CU_ASSERT_EQUAL(kv(n->sysctls, 3, 0)->line, 29);
	CU_ASSERT_STRING_EQUAL(kv(n->sysctls, 3, 1)->key,
			       "net.ipv4.tcp_timestamps");
	CU_ASSERT_STRING_EQUAL(kv(n->sysctls, 3, 1)->value, "1");
	CU_ASSERT_EQUAL(kv(n->sysctls, 3, 1)->line, 35);
	CU_ASSERT_STRING_EQUAL(kv(n->sysctls, 3, 2)->key, "net.core.somaxconn");
	CU_ASSERT_STRING_EQUAL(kv(n->sysctls, 3, 2)->value, "512");

	n = node("c3");
	CU_ASSERT_EQUAL(n->ifs[0].addr, ipv4(10, 0, 0, 3));

	/* an extra client inherits network and sysctls from [clients] */
	n = node("extra");
	CU_ASSERT_EQUAL(n->kind, TOPO_CLIENT);
	CU_ASSERT_EQUAL(n->line, 36);
	CU_ASSERT_EQUAL(n->ifs[0].net, 0);
	CU_ASSERT_EQUAL(n->ifs[0].addr, ipv4(10, 0, 0, 4));
	CU_ASSERT_EQUAL(n->via, 0);
	CU_ASSERT_EQUAL_FATAL(n->nsysctls, 2);
	CU_ASSERT_STRING_EQUAL(n->sysctls[0].value, "1");
	CU_ASSERT_STRING_EQUAL(n->sysctls[1].key, "net.ipv4.tcp_timestamps");
	CU_ASSERT_STRING_EQUAL(n->sysctls[1].value, "0");
	CU_ASSERT_EQUAL(n->sysctls[1].line, 37);
}

static void test_servers_only(void)
{
	CHECK_OK(BASE "[server a]\n"
		      "network = wan\n"
		      "[server b]\n"
		      "network = lan\n");
	CU_ASSERT_EQUAL_FATAL(t.nnodes, 2);
	CU_ASSERT_EQUAL(t.nodes[0].via, -1);
	CU_ASSERT_EQUAL(t.nodes[0].ifs[0].addr, ipv4(198, 51, 100, 1));
	CU_ASSERT_EQUAL(t.nodes[1].ifs[0].addr, ipv4(10, 0, 0, 1));
}

static void test_default_nat(void)
{
	CHECK_OK(BASE GW);
	CU_ASSERT_EQUAL(t.nodes[0].nat.mode, TOPO_NAT_MASQUERADE);
	CU_ASSERT_EQUAL(t.nodes[0].nat.flags, 0);
	CU_ASSERT_EQUAL(t.nodes[0].nat.port_min, 0);
	CU_ASSERT_EQUAL(t.nodes[0].nat.port_max, 0);
	CU_ASSERT_EQUAL(t.nodes[0].nat.line, 7);
}

static void test_comments(void)
{
	parse("# leading comment\n"	     /* 1 */
	      "   ; indented comment\n"	     /* 2 */
	      "[lab]   ; header comment\n"   /* 3 */
	      "\t name\t=\tt   # trailing\n" /* 4 */
	      "[network lan] # x\n"	     /* 5 */
	      "subnet = 10.0.0.0/24;no\n"    /* 6: ';' must follow a blank */
	      "[server s]\n"
	      "network = lan\n");
	CU_ASSERT_STRING_EQUAL(t.name, "t");
	CU_ASSERT_EQUAL(t.name_line, 4);
	CU_ASSERT_EQUAL_FATAL(t.nerrs, 1);
	CHECK_ERR(6, "invalid subnet '10.0.0.0/24;no'");
}

static void test_inline_comments(void)
{
	CHECK_OK(BASE "[server s]\n"			       /* 7 */
		      "network = wan ; the public side\n"      /* 8 */
		      "sysctl.net.x.a = 1;2#3 ; comment\n"     /* 9 */
		      "   # indented\n"			       /* 10 */
		      "sysctl.net.x.b = v#w\t# tab before\n"); /* 11 */
	CU_ASSERT_EQUAL_FATAL(t.nodes[0].nsysctls, 2);
	CU_ASSERT_STRING_EQUAL(t.nodes[0].sysctls[0].value, "1;2#3");
	CU_ASSERT_STRING_EQUAL(t.nodes[0].sysctls[1].value, "v#w");
	CU_ASSERT_EQUAL(t.nodes[0].sysctls[1].line, 11);
}

static void test_crlf_and_no_nul(void)
{
	static const char text[] = "[lab]\r\nname = t\r\n\r\n"
				   "[network lan]\r\nsubnet = 10.0.0.0/24\r\n"
				   "[server s]\r\nnetwork = lan\r\n"
				   "this line is past the length";
	int err;

	topo_free(&t);
	err = topo_parse_buf(&t, "t.topo", text,
			     strlen(text) -
				     strlen("this line is past the length"));
	if (err)
		topo_print_errors(&t);
	CU_ASSERT_EQUAL(err, 0);
	CU_ASSERT_STRING_EQUAL(t.name, "t");
}

static void test_not_key_value(void)
{
	CU_ASSERT_EQUAL(parse(BASE "[server s]\n" /* 7 */
				   "network = wan\n"
				   "hello world\n" /* 9 */
				   "= 5\n"	   /* 10 */
				   "[lab\n"),	   /* 11 */
			-EINVAL);
	CHECK_ERR(9, "expected 'key = value' or '[section]'");
	CHECK_ERR(10, "expected 'key = value' or '[section]'");
	CHECK_ERR(11, "expected 'key = value' or '[section]'");
	CU_ASSERT_EQUAL(t.nerrs, 3);
	CU_ASSERT_EQUAL(t.nnodes, 0);
}

static void test_key_before_section(void)
{
	parse("name = t\n" BASE);
	CHECK_ERR(1, "key 'name' before the first [section]");
	CU_ASSERT_EQUAL(t.nerrs, 2); /* and no nodes */
}

static void test_unknown_section(void)
{
	parse(BASE "[foo]\n"	  /* 7 */
		   "bar = 1\n"	  /* 8: skipped with its section */
		   "[server s]\n" /* 9 */
		   "network = lan\n");
	CHECK_ERR(7, "unknown section [foo]");
	CU_ASSERT_EQUAL(t.nerrs, 1);
}

static void test_once_sections(void)
{
	parse(BASE "[lab]\n"	     /* 7 */
		   "name = u\n"	     /* 8 */
		   "[clients]\n"     /* 9 */
		   "count = 1\n"     /* 10 */
		   "network = lan\n" /* 11 */
		   "[clients]\n"     /* 12 */
		   "count = 2\n");   /* 13 */
	CHECK_ERR(7, "duplicate section [lab] (first at line 1)");
	CHECK_ERR(12, "duplicate section [clients] (first at line 9)");
	CU_ASSERT_EQUAL(t.nerrs, 2);
}

static void test_section_names(void)
{
	parse(BASE "[network]\n"    /* 7 */
		   "[lab x]\n"	    /* 8 */
		   "[server a b]\n" /* 9 */
		   "[server s]\n"   /* 10 */
		   "network = lan\n");
	CHECK_ERR(7, "section [network] needs a name");
	CHECK_ERR(8, "section [lab] takes no name");
	CHECK_ERR(9, "one word for the name");
	CU_ASSERT_EQUAL(t.nerrs, 3);
}

static void test_duplicate_key(void)
{
	parse(BASE GW "inside = wan\n"); /* 10 */
	CHECK_ERR(10, "duplicate key 'inside' (first at line 8)");
	CU_ASSERT_EQUAL(t.nerrs, 1);
}

static void test_unknown_key(void)
{
	parse(BASE GW "colour = red\n"	/* 10 */
		      "sysctl. = 1\n"); /* 11 */
	CHECK_ERR(10, "unknown key 'colour' in [gateway gw]");
	CHECK_ERR(11, "unknown key 'sysctl.' in [gateway gw]");
	CU_ASSERT_EQUAL(t.nerrs, 2);
}

static void test_empty_value(void)
{
	parse(BASE "[server s]\n" /* 7 */
		   "network =\n"  /* 8 */
		   "address = ; nothing\n");
	CHECK_ERR(8, "empty value for 'network'");
	CHECK_ERR(9, "empty value for 'address'");
	CU_ASSERT_EQUAL(t.nerrs, 2); /* not also "missing 'network'" */
}

static void test_lab_section(void)
{
	parse("[network lan]\n"
	      "subnet = 10.0.0.0/24\n"
	      "[server s]\n"
	      "network = lan\n");
	CHECK_ERR(1, "missing [lab] section");
	CU_ASSERT_STRING_EQUAL(t.errs[0], "t.topo:1: missing [lab] section");

	parse("[network lan]\n"
	      "subnet = 10.0.0.0/24\n"
	      "[lab]\n" /* 3 */
	      "[server s]\n"
	      "network = lan\n");
	CHECK_ERR(3, "[lab]: missing 'name'");

	parse("[lab]\nname = Bad!\n[network lan]\nsubnet = 10.0.0.0/24\n");
	CHECK_ERR(2, "invalid lab name 'Bad!'");
}

static void test_clock_path(void)
{
	static const char base[] = "[lab]\n"
				   "name = l\n"
				   "%s"
				   "[network lan]\n"
				   "subnet = 10.0.0.0/24\n"
				   "[server s]\n"
				   "network = lan\n";
	char text[256];

	snprintf(text, sizeof(text), base, "");
	CHECK_OK(text);
	CU_ASSERT_EQUAL(t.clock_path, TOPO_CLOCK_BPF);
	snprintf(text, sizeof(text), base, "clock_path = nfqueue\n");
	CHECK_OK(text);
	CU_ASSERT_EQUAL(t.clock_path, TOPO_CLOCK_NFQUEUE);
	snprintf(text, sizeof(text), base, "clock_path = bpf\n");
	CHECK_OK(text);
	CU_ASSERT_EQUAL(t.clock_path, TOPO_CLOCK_BPF);
	snprintf(text, sizeof(text), base, "clock_path = ebpf\n");
	parse(text);
	CHECK_ERR(3, "clock_path: expected bpf or nfqueue");
}

static void test_lab_names(void)
{
	char longname[TOPO_LAB_MAX + 2];

	CU_ASSERT_TRUE(topo_valid_lab_name("recycle"));
	CU_ASSERT_TRUE(topo_valid_lab_name("0lab_a-b"));
	CU_ASSERT_FALSE(topo_valid_lab_name(""));
	CU_ASSERT_FALSE(topo_valid_lab_name("-x"));
	CU_ASSERT_FALSE(topo_valid_lab_name("Lab"));
	CU_ASSERT_FALSE(topo_valid_lab_name("a.b"));
	memset(longname, 'a', sizeof(longname));
	longname[TOPO_LAB_MAX] = '\0';
	CU_ASSERT_TRUE(topo_valid_lab_name(longname));
	longname[TOPO_LAB_MAX] = 'a';
	longname[TOPO_LAB_MAX + 1] = '\0';
	CU_ASSERT_FALSE(topo_valid_lab_name(longname));

	CHECK_OK(BASE GW);
	CU_ASSERT_EQUAL(topo_set_name(&t, "other-lab"), 0);
	CU_ASSERT_STRING_EQUAL(t.name, "other-lab");
	CU_ASSERT_EQUAL(topo_set_name(&t, "No"), -EINVAL);
	CU_ASSERT_STRING_EQUAL(t.name, "other-lab");
}

static void test_subnet_errors(void)
{
	parse("[lab]\nname = t\n"
	      "[network a]\n"
	      "subnet = 10.0.0.1/24\n" /* 4 */
	      "[network b]\n"
	      "subnet = 10.1.0.0/31\n" /* 6 */
	      "[network c]\n"
	      "subnet = 10.2.0/24\n" /* 8 */
	      "[network d]\n"
	      "subnet = 10.3.0.0\n" /* 10 */
	      "[network e]\n"	    /* 11 */
	      "[server s]\nnetwork = a\n");
	CHECK_ERR(4, "subnet 10.0.0.1/24 has host bits set; did you mean "
		     "10.0.0.0/24?");
	CHECK_ERR(6, "prefix length must be 8..30");
	CHECK_ERR(8, "invalid subnet '10.2.0/24'");
	CHECK_ERR(10, "invalid subnet '10.3.0.0'");
	CHECK_ERR(11, "network 'e': missing 'subnet'");
	CU_ASSERT_EQUAL(t.nerrs, 5);
}

static void test_network_names(void)
{
	parse("[lab]\nname = t\n"
	      "[network Lan]\nsubnet = 10.0.0.0/24\n"		   /* 3 */
	      "[network lo]\nsubnet = 10.1.0.0/24\n"		   /* 5 */
	      "[network abcdefghijklmnop]\nsubnet = 10.2.0.0/24\n" /* 7 */
	      "[network abcdefghijklmno]\nsubnet = 10.3.0.0/24\n"  /* 9 */
	      "[network abcdefghijklmno]\nsubnet = 10.4.0.0/24\n"  /* 11 */
	      "[server s]\nnetwork = abcdefghijklmno\n");
	CHECK_ERR(3, "invalid network name 'Lan'");
	CHECK_ERR(5, "invalid network name 'lo'");
	CHECK_ERR(7, "invalid network name 'abcdefghijklmnop'");
	CHECK_ERR(11, "duplicate network 'abcdefghijklmno' (first at line 9)");
	CU_ASSERT_EQUAL(t.nerrs, 4);
}

static void test_overlapping_subnets(void)
{
	parse("[lab]\nname = t\n"
	      "[network big]\n" /* 3 */
	      "subnet = 10.0.0.0/16\n"
	      "[network other]\n" /* 5 */
	      "subnet = 192.168.0.0/24\n"
	      "[network small]\n" /* 7 */
	      "subnet = 10.0.5.0/24\n"
	      "[server s]\nnetwork = other\n");
	CHECK_ERR(7, "subnet 10.0.5.0/24 of network 'small' overlaps network "
		     "'big' (10.0.0.0/16, line 3)");
	CU_ASSERT_EQUAL(t.nerrs, 1);
}

static void test_node_names(void)
{
	parse(BASE "[server sw]\nnetwork = lan\n"		  /* 7 */
		   "[server Srv]\nnetwork = lan\n"		  /* 9 */
		   "[gateway a-b]\ninside = lan\noutside = wan\n" /* 11 */
		   "[client abcdefghijkl]\nnetwork = lan\n"	  /* 14 */
		   "[client abcdefghijk]\nnetwork = lan\n");	  /* 16: fine */
	CHECK_ERR(7, "invalid node name 'sw'");
	CHECK_ERR(9, "invalid node name 'Srv'");
	CHECK_ERR(11, "invalid node name 'a-b'");
	CHECK_ERR(14, "invalid node name 'abcdefghijkl'");
	CU_ASSERT_EQUAL(t.nerrs, 4);
}

static void test_duplicate_nodes(void)
{
	parse(BASE GW "[server gw]\n" /* 10 */
		      "network = wan\n"
		      "[client gw]\n" /* 12 */
		      "network = lan\n");
	CHECK_ERR(10, "duplicate node 'gw' (first at line 7)");
	CHECK_ERR(12, "duplicate node 'gw' (first at line 7)");
	CU_ASSERT_EQUAL(t.nerrs, 2);
}

static void test_generated_name_clash(void)
{
	parse(BASE "[server c2]\n" /* 7 */
		   "network = wan\n"
		   "[clients]\n" /* 9 */
		   "count = 3\n"
		   "network = lan\n"
		   "[gateway c3]\n" /* 12 */
		   "inside = lan\n"
		   "outside = wan\n");
	CHECK_ERR(9, "duplicate node 'c2' (first at line 7)");
	CHECK_ERR(12, "duplicate node 'c3' (first at line 9)");
	CU_ASSERT_EQUAL(t.nerrs, 2);
}

static void test_gateway_networks(void)
{
	parse(BASE "[gateway g]\n" /* 7 */
		   "inside = lan\n"
		   "[gateway h]\n" /* 9 */
		   "inside = wan\n"
		   "outside = wan\n" /* 11 */
		   "[server s]\nnetwork = wan\n");
	CHECK_ERR(7, "gateway 'g': missing 'outside'");
	CHECK_ERR(11, "gateway 'h': inside and outside are the same network "
		      "'wan'");
	CU_ASSERT_EQUAL(t.nerrs, 2);
}

static void test_nat_values(void)
{
	parse(BASE GW "nat = masquerade random fully-random\n" /* 10 */
		      "[gateway g2]\ninside = lan\noutside = wan\n"
		      "nat = masquerade fancy\n" /* 14 */
		      "[gateway g3]\ninside = lan\noutside = wan\n"
		      "nat = none random\n" /* 18 */
		      "[gateway g4]\ninside = lan\noutside = wan\n"
		      "nat = random\n" /* 22 */
		      "[gateway g5]\ninside = lan\noutside = wan\n"
		      "nat = persistent masquerade persistent\n"); /* 26 */
	CHECK_ERR(10, "'random' and 'fully-random' exclude each other");
	CHECK_ERR(14, "nat: unknown word 'fancy'");
	CHECK_ERR(18, "nat: 'none' takes no other words");
	CHECK_ERR(22, "nat: expected 'masquerade");
	CHECK_ERR(26, "nat: repeated word 'persistent'");
	CU_ASSERT_EQUAL(t.nerrs, 5);

	CHECK_OK(BASE GW "nat =   fully-random   masquerade\n");
	CU_ASSERT_EQUAL(t.nodes[0].nat.mode, TOPO_NAT_MASQUERADE);
	CU_ASSERT_EQUAL(t.nodes[0].nat.flags, TOPO_NAT_FULLY_RANDOM);
}

/* The value of KEY in a list, or NULL. */
static const char *kv_value(const struct topo_kv *v, int n, const char *key)
{
	int i;

	for (i = 0; i < n; i++)
		if (!strcmp(v[i].key, key))
			return v[i].value;
	return NULL;
}

static void test_nat_rfc(void)
{
	static const char *const transitory[] = {
		"syn_sent", "syn_recv",	 "fin_wait", "close_wait",
		"last_ack", "time_wait", "close",
	};
	const struct topo_node *n;
	char key[64];
	size_t i;

	parse(BASE GW "nat = rfc random\n" /* 10 */
		      "[gateway g2]\ninside = lan\noutside = wan\n"
		      "nat = masquerade rfc\n"); /* 14 */
	CHECK_ERR(10, "nat: 'rfc' takes no other words");
	CHECK_ERR(14, "nat: 'rfc' takes no other words");
	CU_ASSERT_EQUAL(t.nerrs, 2);

	CHECK_OK(BASE GW
		 "nat = rfc\n"					 /* 10 */
		 "conntrack.tcp_timeout_close = 10\n"		 /* 11 */
		 "sysctl.net.ipv4.conf.all.send_redirects = 1\n" /* 12 */
		 "[gateway g2]\ninside = lan\noutside = wan\n");
	n = node("gw");
	CU_ASSERT_EQUAL(n->nat.mode, TOPO_NAT_RFC);
	CU_ASSERT_EQUAL(n->nat.flags, 0);
	CU_ASSERT_TRUE(topo_needs_keeper(&t));
	/* 4 minutes where the file says nothing; the file's value wins */
	for (i = 0; i < sizeof(transitory) / sizeof(transitory[0]); i++) {
		snprintf(key, sizeof(key), "tcp_timeout_%s", transitory[i]);
		CU_ASSERT_STRING_EQUAL(
			kv_value(n->conntrack, n->nconntrack, key),
			i == 6 ? "10" : "240");
	}
	/* and UDP's 5 minutes, ICMP's 60 s */
	CU_ASSERT_STRING_EQUAL(
		kv_value(n->conntrack, n->nconntrack, "udp_timeout"), "300");
	CU_ASSERT_STRING_EQUAL(
		kv_value(n->conntrack, n->nconntrack, "icmp_timeout"), "60");
	CU_ASSERT_EQUAL(n->nconntrack, 10);
	CU_ASSERT_PTR_NULL(kv_value(n->conntrack, n->nconntrack,
				    "tcp_timeout_established"));
	CU_ASSERT_STRING_EQUAL(kv_value(n->sysctls, n->nsysctls,
					"net.ipv4.conf.all.send_redirects"),
			       "1");
	CU_ASSERT_STRING_EQUAL(kv_value(n->sysctls, n->nsysctls,
					"net.ipv4.conf.lan.send_redirects"),
			       "0");
	/* a masquerade gateway beside it gets none of this */
	n = node("g2");
	CU_ASSERT_EQUAL(n->nat.mode, TOPO_NAT_MASQUERADE);
	CU_ASSERT_EQUAL(n->nconntrack, 0);
	CU_ASSERT_EQUAL(n->nsysctls, 0);

	CHECK_OK(BASE GW "nat = masquerade\n");
	CU_ASSERT_FALSE(topo_needs_keeper(&t));
}

static void test_nat_ports(void)
{
	parse(BASE GW "nat = none\n"		/* 10 */
		      "nat.ports = 1000-2000\n" /* 11 */
		      "[gateway g2]\ninside = lan\noutside = wan\n"
		      "nat.ports = 2000-1000\n" /* 15 */
		      "[gateway g3]\ninside = lan\noutside = wan\n"
		      "nat.ports = 0-100\n" /* 19 */
		      "[gateway g4]\ninside = lan\noutside = wan\n"
		      "nat.ports = 1000\n"); /* 23 */
	CHECK_ERR(11, "nat.ports needs nat = masquerade");
	CHECK_ERR(15, "nat.ports: 2000 is above 1000");
	CHECK_ERR(19, "nat.ports: expected MIN-MAX");
	CHECK_ERR(23, "nat.ports: expected MIN-MAX");
	CU_ASSERT_EQUAL(t.nerrs, 4);

	CHECK_OK(BASE GW "nat.ports = 1024-1024\n");
	CU_ASSERT_EQUAL(t.nodes[0].nat.port_min, 1024);
	CU_ASSERT_EQUAL(t.nodes[0].nat.port_max, 1024);
}

static void test_conntrack(void)
{
	parse(BASE GW "conntrack.tcp_timeout_bogus = 5\n" /* 10 */
		      "conntrack.max = 2147483648\n"	  /* 11 */
		      "conntrack.udp_timeout = -1\n"	  /* 12 */
		      "conntrack.tcp_loose = 0\n"	  /* 13 */
		      "conntrack.buckets = 007\n");	  /* 14 */
	CHECK_ERR(10, "conntrack.tcp_timeout_bogus: 'tcp_timeout_bogus' is "
		      "not a known conntrack setting");
	CHECK_ERR(11, "conntrack.max: expected an integer 0..2147483647");
	CHECK_ERR(12, "conntrack.udp_timeout: expected an integer");
	CU_ASSERT_EQUAL(t.nerrs, 3);

	CHECK_OK(BASE GW "conntrack.max = 2147483647\n"
			 "conntrack.buckets = 007\n"
			 "conntrack.helper = 0\n");
	CU_ASSERT_EQUAL_FATAL(t.nodes[0].nconntrack, 3);
	CU_ASSERT_STRING_EQUAL(t.nodes[0].conntrack[0].key, "max");
	CU_ASSERT_STRING_EQUAL(t.nodes[0].conntrack[0].value, "2147483647");
	CU_ASSERT_STRING_EQUAL(t.nodes[0].conntrack[1].value, "7");
	CU_ASSERT_EQUAL(t.nodes[0].conntrack[2].line, 12);
}

static void test_sysctl_names(void)
{
	parse(BASE "[server s]\nnetwork = wan\n"
		   "sysctl.kernel.x = 1\n"		   /* 9 */
		   "sysctl.net..x = 1\n"		   /* 10 */
		   "sysctl.net.ipv4.x/y = 1\n"		   /* 11 */
		   "sysctl.net.ipv4. = 1\n"		   /* 12 */
		   "sysctl.net.ipv4.a = x\001y\n"	   /* 13 */
		   "sysctl.net.ipv4.ok-Name_2 = a b c\n"); /* 14: fine */
	CHECK_ERR(9, "sysctl.kernel.x: only net.* sysctls are per-namespace");
	CHECK_ERR(10, "sysctl.net..x: not a sysctl name");
	CHECK_ERR(11, "sysctl.net.ipv4.x/y: not a sysctl name");
	CHECK_ERR(12, "sysctl.net.ipv4.: not a sysctl name");
	CHECK_ERR(13, "control character");
	CU_ASSERT_EQUAL(t.nerrs, 5);
}

static void test_clients_errors(void)
{
	parse(BASE "[clients]\n"     /* 7 */
		   "prefix = Host\n" /* 8 */
		   "[client x]\n"    /* 9 */
		   "address = 10.0.0.9\n");
	CHECK_ERR(7, "[clients]: missing 'count'");
	CHECK_ERR(7, "[clients]: missing 'network'");
	CHECK_ERR(8, "invalid prefix 'Host'");
	CHECK_ERR(9, "client 'x': missing 'network'");
	CU_ASSERT_EQUAL(t.nerrs, 4);

	parse(BASE "[clients]\ncount = 0\nnetwork = lan\n");
	CHECK_ERR(8, "count: expected a number 1..65534");
	parse(BASE "[clients]\ncount = 65535\nnetwork = lan\n");
	CHECK_ERR(8, "count: expected a number 1..65534");
}

static void test_client_name_length(void)
{
	parse(BASE "[clients]\n" /* 7 */
		   "network = lan\n"
		   "prefix = abcdefgh\n"
		   "count = 1000\n" /* 10 */
		   "[server s]\n"
		   "network = wan\n");
	CHECK_ERR(10, "client names abcdefgh1..abcdefgh1000 would be longer "
		      "than 11 characters");
	CU_ASSERT_EQUAL(t.nerrs, 1);

	CHECK_OK("[lab]\nname = t\n"
		 "[network big]\nsubnet = 10.0.0.0/16\n"
		 "[clients]\nnetwork = big\nprefix = abcdefgh\ncount = 999\n");
	CU_ASSERT_EQUAL_FATAL(t.nnodes, 999);
	CU_ASSERT_STRING_EQUAL(t.nodes[998].name, "abcdefgh999");
	CU_ASSERT_EQUAL(t.nodes[998].ifs[0].addr, ipv4(10, 0, 3, 231));
}

static void test_prefix_and_extras(void)
{
	CHECK_OK(BASE GW "[client host9]\n" /* 10: not generated: extra */
			 "[clients]\n"	    /* 11 */
			 "prefix = host\n"
			 "count = 2\n"
			 "network = lan\n"
			 "[client host02]\n" /* 15: leading zero, extra */
			 "network = wan\n");
	CU_ASSERT_EQUAL_FATAL(t.nnodes, 5);
	CU_ASSERT_STRING_EQUAL(t.nodes[1].name, "host1");
	CU_ASSERT_STRING_EQUAL(t.nodes[2].name, "host2");
	CU_ASSERT_STRING_EQUAL(t.nodes[3].name, "host9");
	CU_ASSERT_EQUAL(t.nodes[3].line, 10);
	CU_ASSERT_EQUAL(t.nodes[3].ifs[0].net, 0);
	CU_ASSERT_EQUAL(t.nodes[3].via, 0);
	CU_ASSERT_STRING_EQUAL(t.nodes[4].name, "host02");
	CU_ASSERT_EQUAL(t.nodes[4].ifs[0].net, 1);
	CU_ASSERT_EQUAL(t.nodes[4].via, -1);
}

static void test_dangling_references(void)
{
	parse(BASE "[gateway gw]\n"
		   "inside = lan\n"
		   "outside = nowhere\n" /* 9 */
		   "[server s]\n"
		   "network = wan\n"
		   "via = nogw\n" /* 12 */
		   "[client x]\n"
		   "network = lan\n"
		   "via = s\n"); /* 15 */
	CHECK_ERR(9, "unknown network 'nowhere'");
	CHECK_ERR(12, "via 'nogw': no such gateway");
	CHECK_ERR(15, "via 's': 's' is a server, not a gateway");
	CU_ASSERT_EQUAL(t.nerrs, 3);
}

static void test_address_checks(void)
{
	parse(BASE GW "inside.address = 10.0.1.5\n" /* 10 */
		      "[server a]\nnetwork = lan\n"
		      "address = 10.0.0.0\n" /* 13 */
		      "[server b]\nnetwork = lan\n"
		      "address = 10.0.0.255\n" /* 16 */
		      "[server c]\nnetwork = wan\n"
		      "address = 198.51.100.7\n" /* 19 */
		      "[server d]\nnetwork = wan\n"
		      "address = 198.51.100.7\n" /* 22 */
		      "[server e]\nnetwork = wan\n"
		      "address = 198.51.100\n"); /* 25 */
	CHECK_ERR(10, "address 10.0.1.5 is outside subnet lan (10.0.0.0/24)");
	CHECK_ERR(13, "address 10.0.0.0 is the network address of lan");
	CHECK_ERR(16, "address 10.0.0.255 is the broadcast address of lan");
	CHECK_ERR(22, "address 198.51.100.7 of 'd' is already used by 'c' "
		      "(line 19)");
	CHECK_ERR(25, "invalid address '198.51.100'");
	CU_ASSERT_EQUAL(t.nerrs, 5);
}

static void test_capacity(void)
{
	parse("[lab]\nname = t\n"
	      "[network lan]\nsubnet = 10.0.0.0/29\n"
	      "[network wan]\nsubnet = 198.51.100.0/24\n"
	      "[gateway gw]\ninside = lan\noutside = wan\n"
	      "[clients]\n" /* 10 */
	      "network = lan\n"
	      "count = 6\n"); /* 12 */
	CHECK_ERR(12, "network lan (10.0.0.0/29) holds 6 hosts, 7 needed");
	CU_ASSERT_EQUAL(t.nerrs, 1);

	CHECK_OK("[lab]\nname = t\n"
		 "[network lan]\nsubnet = 10.0.0.0/29\n"
		 "[network wan]\nsubnet = 198.51.100.0/24\n"
		 "[gateway gw]\ninside = lan\noutside = wan\n"
		 "[clients]\nnetwork = lan\ncount = 5\n");
	CU_ASSERT_EQUAL(node("c5")->ifs[0].addr, ipv4(10, 0, 0, 6));

	parse("[lab]\nname = t\n"
	      "[network lan]\nsubnet = 10.0.0.0/30\n"
	      "[server a]\nnetwork = lan\n"
	      "[server b]\nnetwork = lan\n"
	      "[server c]\nnetwork = lan\n"); /* 9 */
	CHECK_ERR(9, "network lan (10.0.0.0/30) holds 2 hosts, 3 needed");
}

static void test_allocation_order(void)
{
	static const char text[] = BASE "[server s1]\n" /* 7 */
					"network = lan\n"
					"[clients]\n" /* 9 */
					"count = 3\n"
					"network = lan\n"
					"[client c2]\n"
					"address = 10.0.0.1\n" /* 13 */
					"[gateway gw]\n"       /* 14 */
					"inside = lan\n"
					"outside = wan\n"
					"[client late]\n"
					"network = lan\n"
					"[server s2]\n"
					"network = lan\n"
					"address = 10.0.0.3\n";
	/* gw takes the lowest free host (.1 is c2's), then node order */
	static const char *const names[] = {"gw", "s1", "s2",  "c1",
					    "c2", "c3", "late"};
	static const unsigned int host[] = {2, 4, 3, 5, 1, 6, 7};
	uint32_t first[7];
	int i, round;

	for (round = 0; round < 2; round++) {
		CHECK_OK(text);
		CU_ASSERT_EQUAL_FATAL(t.nnodes, 7);
		CU_ASSERT_EQUAL(t.nodes[0].ifs[1].addr, ipv4(198, 51, 100, 1));
		for (i = 0; i < 7; i++) {
			CU_ASSERT_STRING_EQUAL(t.nodes[i].name, names[i]);
			CU_ASSERT_EQUAL(t.nodes[i].ifs[0].addr,
					ipv4(10, 0, 0, host[i]));
			if (!round)
				first[i] = t.nodes[i].ifs[0].addr;
			else
				CU_ASSERT_EQUAL(t.nodes[i].ifs[0].addr,
						first[i]);
		}
	}
}

static void test_gateway_inside_first(void)
{
	/* the gateway section comes last, yet takes .1 */
	CHECK_OK(BASE "[clients]\ncount = 2\nnetwork = lan\n" GW);
	CU_ASSERT_EQUAL(node("gw")->ifs[0].addr, ipv4(10, 0, 0, 1));
	CU_ASSERT_EQUAL(node("c1")->ifs[0].addr, ipv4(10, 0, 0, 2));
	CU_ASSERT_EQUAL(node("c2")->ifs[0].addr, ipv4(10, 0, 0, 3));
	CU_ASSERT_EQUAL(node("c1")->via, topo_find_node(&t, "gw"));
}

static void test_via_wrong_network(void)
{
	parse("[lab]\nname = t\n"
	      "[network lan]\nsubnet = 10.0.0.0/24\n"
	      "[network mid]\nsubnet = 10.1.0.0/24\n"
	      "[network wan]\nsubnet = 10.2.0.0/24\n"
	      "[gateway home]\ninside = lan\noutside = mid\n" /* 9 */
	      "[gateway carrier]\ninside = mid\noutside = wan\n"
	      "[server s]\n" /* 15 */
	      "network = wan\n"
	      "via = home\n"); /* 17 */
	CHECK_ERR(17, "via 'home': gateway 'home' is not on network 'wan' "
		      "(its inside network is 'lan')");
	CU_ASSERT_EQUAL(t.nerrs, 1);
}

static void test_explicit_via(void)
{
	CHECK_OK("[lab]\nname = t\n"
		 "[network lan]\nsubnet = 10.0.0.0/24\n"
		 "[network wan]\nsubnet = 10.2.0.0/24\n"
		 "[gateway a]\ninside = lan\noutside = wan\n"
		 "[gateway b]\ninside = lan\noutside = wan\n"
		 "[clients]\ncount = 2\nnetwork = lan\nvia = b\n"
		 "[client c1]\nvia = a\n");
	CU_ASSERT_EQUAL(node("c1")->via, 0);
	CU_ASSERT_EQUAL(node("c2")->via, 1);
}

static void test_ambiguous_route(void)
{
	parse("[lab]\nname = t\n"
	      "[network lan]\nsubnet = 10.0.0.0/24\n"
	      "[network wan]\nsubnet = 10.2.0.0/24\n"
	      "[gateway a]\ninside = lan\noutside = wan\n"
	      "[gateway b]\ninside = lan\noutside = wan\n"
	      "[clients]\n" /* 13 */
	      "count = 40\n"
	      "network = lan\n"
	      "[server s]\n" /* 16 */
	      "network = lan\n");
	CHECK_ERR(13, "ambiguous default route for 'c1..c40': gateways a and "
		      "b both serve lan; set 'via'");
	CHECK_ERR(16, "ambiguous default route for 's'");
	CU_ASSERT_EQUAL(t.nerrs, 2);
}

static void test_via_self_and_loops(void)
{
	parse("[lab]\nname = t\n"
	      "[network a]\nsubnet = 10.0.0.0/24\n"
	      "[network b]\nsubnet = 10.1.0.0/24\n"
	      "[gateway g1]\n" /* 7 */
	      "inside = a\n"
	      "outside = b\n"
	      "[gateway g2]\n" /* 10 */
	      "inside = b\n"
	      "outside = a\n");
	CHECK_ERR(7, "routing loop through gateways g1 -> g2 -> g1");
	CU_ASSERT_EQUAL(t.nerrs, 1);

	parse(BASE GW "via = gw\n"); /* 10 */
	CHECK_ERR(10, "gateway 'gw' cannot route via itself");
	CU_ASSERT_EQUAL(t.nerrs, 1);
}

static void test_empty_labs(void)
{
	CU_ASSERT_EQUAL(parse(""), -EINVAL);
	CHECK_ERR(1, "missing [lab] section");
	CHECK_ERR(1, "no [network] section");
	CHECK_ERR(1, "no nodes");
	CU_ASSERT_EQUAL(t.nerrs, 3);

	parse(BASE);
	CHECK_ERR(1, "no nodes");
	CU_ASSERT_EQUAL(t.nerrs, 1);
}

static void test_all_errors_at_once(void)
{
	CU_ASSERT_EQUAL(
		parse(BASE "[server s]\n" /* 7 */
			   "network = lan\n"
			   "adress = 10.0.0.9\n" /* 9 */
			   "[client x]\n"
			   "network = nolan\n" /* 11 */
			   "[gateway g]\n"
			   "inside = lan\n"
			   "outside = wan\n"
			   "nat = masquerade random fully-random\n"), /* 15 */
		-EINVAL);
	CU_ASSERT_EQUAL_FATAL(t.nerrs, 3);
	CU_ASSERT_STRING_EQUAL(t.errs[0],
			       "t.topo:9: unknown key 'adress' in [server s]");
	CU_ASSERT_STRING_EQUAL(t.errs[1], "t.topo:11: unknown network 'nolan'");
	CHECK_ERR(15, "exclude each other");
	CU_ASSERT_EQUAL(t.nnodes, 0);
	CU_ASSERT_EQUAL(t.nnets, 0);
}

static void test_errors_sorted(void)
{
	/* found in the order of lines 1, 12, 9 */
	parse("[network lan]\n" /* 1 */
	      "subnet = 10.0.0.0/24\n"
	      "[clients]\n" /* 3 */
	      "count = 2\n"
	      "network = lan\n"
	      "[client x]\n"
	      "network = lan\n"
	      "address = 10.0.0.1\n"
	      "via = 5\n" /* 9 */
	      "[gateway g]\n"
	      "inside = lan\n"
	      "outside = lan\n"); /* 12 */
	CU_ASSERT_EQUAL_FATAL(t.nerrs, 3);
	CU_ASSERT_STRING_EQUAL(t.errs[0], "t.topo:1: missing [lab] section");
	CU_ASSERT_NSTRING_EQUAL(t.errs[1], "t.topo:9: via '5'", 17);
	CU_ASSERT_NSTRING_EQUAL(t.errs[2], "t.topo:12: gateway 'g'", 22);
}

static void test_shared_errors_once(void)
{
	parse(BASE "[network ext]\n"
		   "subnet = 203.0.113.0/24\n"
		   "[gateway gw]\ninside = lan\noutside = wan\n"
		   "[gateway up]\ninside = wan\noutside = ext\n"
		   "[clients]\n"
		   "count = 50\n"
		   "network = lan\n"
		   "via = up\n" /* 18 */
		   "[client c7]\n"
		   "address = 10.0.0.77\n"
		   "[client extra]\n");
	CHECK_ERR(18, "via 'up': gateway 'up' is not on network 'lan' (its "
		      "inside network is 'wan')");
	CU_ASSERT_EQUAL(t.nerrs, 1);
}

static void test_parse_file(void)
{
	char path[] = "/tmp/natlab-topo-XXXXXX";
	FILE *f;
	int fd;

	topo_free(&t);
	CU_ASSERT_EQUAL(topo_parse_file(&t, "/nonexistent/x.topo"), -ENOENT);
	CU_ASSERT_EQUAL_FATAL(t.nerrs, 1);
	CU_ASSERT_STRING_EQUAL(
		t.errs[0],
		"/nonexistent/x.topo: cannot read the topology: No such "
		"file or directory");
	CU_ASSERT_STRING_EQUAL(t.file, "/nonexistent/x.topo");

	fd = mkstemp(path);
	CU_ASSERT_FATAL(fd >= 0);
	f = fdopen(fd, "w");
	CU_ASSERT_FATAL(f != NULL);
	fputs(BASE GW "bogus\n", f);
	fclose(f);
	topo_free(&t);
	CU_ASSERT_EQUAL(topo_parse_file(&t, path), -EINVAL);
	CU_ASSERT_STRING_EQUAL(t.file, path);
	CU_ASSERT_EQUAL_FATAL(t.nerrs, 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(t.errs[0], ":10: expected"));
	CU_ASSERT_NSTRING_EQUAL(t.errs[0], path, strlen(path));
	unlink(path);
}

/* Engine options become typed fields: a server's own, and a client's
 * merged from [traffic], then [clients], then its own [client] section,
 * the later winning.  The oracle is the text itself. */
static void test_engine_options(void)
{
	const struct topo_node *n;

	CHECK_OK(BASE GW "[server srv]\n"	       /* 10 */
			 "network = wan\n"	       /* 11 */
			 "listen = 80,8000-8002\n"     /* 12 */
			 "close = rst\n"	       /* 13 */
			 "backlog = 16\n"	       /* 14 */
			 "request = 100\n"	       /* 15 */
			 "response = 2000\n"	       /* 16 */
			 "legacy.tcp_tw_recycle = 1\n" /* 17 */
			 "legacy.model = 2.6.32\n"     /* 18 */
			 "legacy.paws_msl = 1500ms\n"  /* 19 */
			 "[server plain]\n"	       /* 20 */
			 "network = wan\n"	       /* 21 */
			 "[traffic]\n"		       /* 22 */
			 "hold = 2s\n"		       /* 23 */
			 "conns = 9\n"		       /* 24 */
			 "[clients]\n"		       /* 25 */
			 "count = 2\n"		       /* 26 */
			 "network = lan\n"	       /* 27 */
			 "conns = 3\n"		       /* 28 */
			 "interval = 250ms\n"	       /* 29 */
			 "tsclock = host\n"	       /* 30 */
			 "ts_offset = -10s\n"	       /* 31 */
			 "ts_skew = 50ppm\n"	       /* 32 */
			 "[client c2]\n"	       /* 33 */
			 "start = 1s\n"		       /* 34 */
			 "concurrency = 4\n"	       /* 35 */
			 "sport = 40000-40099\n"       /* 36 */
			 "connect_timeout = 3s\n"      /* 37 */
			 "tsclock = off\n");	       /* 38 */
	n = node("srv");
	CU_ASSERT_EQUAL_FATAL(n->svc.nports, 4);
	CU_ASSERT_EQUAL(n->svc.ports[0], 80);
	CU_ASSERT_EQUAL(n->svc.ports[1], 8000);
	CU_ASSERT_EQUAL(n->svc.ports[3], 8002);
	CU_ASSERT_EQUAL(n->svc.close, TOPO_CLOSE_RST);
	CU_ASSERT_EQUAL(n->svc.backlog, 16);
	CU_ASSERT_EQUAL(n->svc.request, 100);
	CU_ASSERT_EQUAL(n->svc.response, 2000);
	CU_ASSERT_EQUAL(n->legacy.recycle, 1);
	CU_ASSERT_EQUAL(n->legacy.line, 17);
	CU_ASSERT_EQUAL(n->legacy.model, TOPO_LEGACY_2_6_32);
	CU_ASSERT_EQUAL(n->legacy.paws_msl_ms, 1500);

	/* Nothing set: the built-in server's defaults, and the kernels'
	 * TCP_PAWS_MSL of 60 s. */
	n = node("plain");
	CU_ASSERT_EQUAL_FATAL(n->svc.nports, 1);
	CU_ASSERT_EQUAL(n->svc.ports[0], 80);
	CU_ASSERT_EQUAL(n->svc.close, TOPO_CLOSE_SERVER);
	CU_ASSERT_EQUAL(n->svc.backlog, 1024);
	CU_ASSERT_EQUAL(n->svc.request, 32);
	CU_ASSERT_EQUAL(n->svc.response, 64);
	CU_ASSERT_EQUAL(n->legacy.recycle, 0);
	CU_ASSERT_EQUAL(n->legacy.model, TOPO_LEGACY_4_4);
	CU_ASSERT_EQUAL(n->legacy.paws_msl_ms, 60000);

	n = node("c1");
	CU_ASSERT_EQUAL(n->load.conns, 3);
	CU_ASSERT_EQUAL(n->load.hold_ms, 2000);
	CU_ASSERT_EQUAL(n->load.interval_ms, 250);
	CU_ASSERT_EQUAL(n->load.start_ms, 0);
	CU_ASSERT_EQUAL(n->load.concurrency, 0);
	CU_ASSERT_EQUAL(n->load.sport_min, 0);
	CU_ASSERT_EQUAL(n->load.sport_max, 0);
	CU_ASSERT_EQUAL(n->load.connect_timeout_ms, 0);
	CU_ASSERT_EQUAL(n->clock.mode, TOPO_TS_HOST);
	CU_ASSERT_EQUAL(n->clock.line, 30);
	CU_ASSERT_EQUAL(n->clock.offset_ms, -10000);
	CU_ASSERT_EQUAL(n->clock.random, 0);
	CU_ASSERT_EQUAL(n->clock.skew_ppm, 50);

	n = node("c2");
	CU_ASSERT_EQUAL(n->load.conns, 3);
	CU_ASSERT_EQUAL(n->load.hold_ms, 2000);
	CU_ASSERT_EQUAL(n->load.interval_ms, 250);
	CU_ASSERT_EQUAL(n->load.start_ms, 1000);
	CU_ASSERT_EQUAL(n->load.concurrency, 4);
	CU_ASSERT_EQUAL(n->load.sport_min, 40000);
	CU_ASSERT_EQUAL(n->load.sport_max, 40099);
	CU_ASSERT_EQUAL(n->load.connect_timeout_ms, 3000);
	CU_ASSERT_EQUAL(n->clock.mode, TOPO_TS_OFF);
	CU_ASSERT_EQUAL(n->clock.line, 38);
	CU_ASSERT_EQUAL(n->clock.offset_ms, -10000);

	/* A client with no options at all: one connection, the kernel's
	 * own clock, reported at its section's line. */
	CHECK_OK(BASE GW "[client solo]\nnetwork = lan\n");
	n = node("solo");
	CU_ASSERT_EQUAL(n->load.conns, 1);
	CU_ASSERT_EQUAL(n->clock.mode, TOPO_TS_KERNEL);
	CU_ASSERT_EQUAL(n->clock.line, 10);
}

/* ts_offset = random: one offset per client from the lab's seed, over
 * the whole 32-bit clock, the same for the same seed. */
static void test_random_offsets(void)
{
	static const char text[] = BASE GW "[clients]\n"
					   "count = 3\n"
					   "network = lan\n"
					   "ts_offset = random\n"
					   "seed = %d\n";
	char buf[sizeof(text) + 16];
	int64_t first[3];
	int i;

	snprintf(buf, sizeof(buf), text, 7);
	CHECK_OK(buf);
	for (i = 0; i < 3; i++) {
		const struct topo_node *n = &t.nodes[1 + i];

		CU_ASSERT_EQUAL(n->clock.random, 1);
		CU_ASSERT(n->clock.offset_ms >= 0);
		CU_ASSERT(n->clock.offset_ms <= (int64_t)UINT32_MAX);
		first[i] = n->clock.offset_ms;
	}
	CU_ASSERT(first[0] != first[1] && first[1] != first[2] &&
		  first[0] != first[2]);
	CHECK_OK(buf);
	for (i = 0; i < 3; i++)
		CU_ASSERT_EQUAL(t.nodes[1 + i].clock.offset_ms, first[i]);
	snprintf(buf, sizeof(buf), text, 8);
	CHECK_OK(buf);
	CU_ASSERT(t.nodes[1].clock.offset_ms != first[0]);
}

/* ts_offset = random SPAN: offsets in [0, SPAN) ms, spread over it;
 * a span that is not a positive duration is refused at its line. */
static void test_random_span(void)
{
	int i, lo = 0, hi = 0;

	CHECK_OK(BASE GW "[clients]\n"
			 "count = 200\n"
			 "network = lan\n"
			 "ts_offset = random 50ms\n");
	for (i = 0; i < 200; i++) {
		const struct topo_node *n = &t.nodes[1 + i];

		CU_ASSERT_EQUAL(n->clock.random_span_ms, 50);
		CU_ASSERT(n->clock.offset_ms >= 0 && n->clock.offset_ms < 50);
		lo += n->clock.offset_ms < 10;
		hi += n->clock.offset_ms >= 40;
	}
	CU_ASSERT(lo > 10 && hi > 10); /* both ends reached */
	CU_ASSERT_NOT_EQUAL(topo_test_parse(&t,
					    BASE GW "[clients]\n"
						    "count = 2\n"
						    "network = lan\n"
						    "ts_offset = random 0s\n"),
			    0);
	CHECK_ERR(13, "ts_offset: expected");
	CU_ASSERT_NOT_EQUAL(topo_test_parse(&t,
					    BASE GW "[clients]\n"
						    "count = 2\n"
						    "network = lan\n"
						    "ts_offset = random x\n"),
			    0);
	CHECK_ERR(13, "ts_offset: expected");
}

/* A network holds TOPO_NET_IFS_MAX interfaces: one more is an error at
 * the count line (generated clients) or at the network's header; a
 * network of more than one bridge is laid out as such. */
static void test_net_size(void)
{
	char buf[512];
	int ifs;

	snprintf(buf, sizeof(buf),
		 "[lab]\nname = t\n[network lan]\nsubnet = 10.0.0.0/8\n"
		 "[network wan]\nsubnet = 198.51.100.0/24\n" GW
		 "[clients]\ncount = %d\nnetwork = lan\n",
		 TOPO_NET_IFS_MAX);
	CU_ASSERT_NOT_EQUAL(topo_test_parse(&t, buf), 0);
	CHECK_ERR(11, "network lan: 24001 interfaces, a network holds at "
		      "most 24000");
	snprintf(buf, sizeof(buf),
		 "[lab]\nname = t\n[network lan]\nsubnet = 10.0.0.0/8\n"
		 "[network wan]\nsubnet = 198.51.100.0/24\n" GW
		 "[clients]\ncount = %d\nnetwork = lan\n",
		 TOPO_NET_IFS_MAX - 1);
	CHECK_OK(buf);
	CU_ASSERT_EQUAL(topo_net_bridges(&t, 0, &ifs), TOPO_BRIDGES_MAX);
	CU_ASSERT_EQUAL(ifs, TOPO_NET_IFS_MAX);
	CU_ASSERT_EQUAL(topo_net_bridges(&t, 1, &ifs), 1);
	CU_ASSERT_EQUAL(ifs, 1);
	snprintf(buf, sizeof(buf),
		 "[lab]\nname = t\n[network lan]\nsubnet = 10.0.0.0/16\n"
		 "[network wan]\nsubnet = 198.51.100.0/24\n" GW
		 "[clients]\ncount = %d\nnetwork = lan\n",
		 TOPO_BRIDGE_PORTS);
	CHECK_OK(buf); /* 1,001 with the gateway: two bridges */
	CU_ASSERT_EQUAL(topo_net_bridges(&t, 0, NULL), 2);
}

/* A server keeps a host clock as a client does; the lab then needs the
 * engine, and a gateway still has no clock key. */
static void test_server_clock(void)
{
	CHECK_OK(BASE GW "[server srv]\n" /* 10 */
			 "network = wan\n"
			 "tsclock = host\n"
			 "ts_offset = -10s\n"
			 "ts_skew = 50ppm\n"
			 "[clients]\n" /* 15 */
			 "count = 1\n"
			 "network = lan\n");
	CU_ASSERT_EQUAL(t.nodes[1].kind, TOPO_SERVER);
	CU_ASSERT_EQUAL(t.nodes[1].clock.mode, TOPO_TS_HOST);
	CU_ASSERT_EQUAL(t.nodes[1].clock.offset_ms, -10000);
	CU_ASSERT_EQUAL(t.nodes[1].clock.skew_ppm, 50);
	CU_ASSERT_EQUAL(t.nodes[1].clock.line, 12);
	CU_ASSERT(topo_needs_engine(&t));
	CU_ASSERT_NOT_EQUAL(topo_test_parse(&t, BASE GW "tsclock = host\n"
							"[server srv]\n"
							"network = wan\n"),
			    0);
	CHECK_ERR(10, "tsclock");
}

/* ---- balancers ---- */

/* Lines 1-21: clients behind a gateway, a balancer's frontend on wan,
 * two servers on its backend dmz; the balancer's keys follow. */
#define LB_BASE                                                                \
	BASE GW "[network dmz]\n" /* 10 */                                     \
		"subnet = 10.1.0.0/24\n"                                       \
		"[server s1]\n" /* 12 */                                       \
		"network = dmz\n"                                              \
		"[server s2]\n" /* 14 */                                       \
		"network = dmz\n"                                              \
		"[clients]\n" /* 16 */                                         \
		"count = 2\n"                                                  \
		"network = lan\n"                                              \
		"[balancer lb]\n" /* 19 */                                     \
		"frontend = wan\n"                                             \
		"backend = dmz\n" /* 21 */

static void test_balancer_model(void)
{
	static const char *const order[] = {"gw", "lb", "s1", "s2", "c1", "c2"};
	const struct topo_node *n;
	const int *srv;
	int i;

	CHECK_OK(LB_BASE "servers = s1, s2\n" /* 22 */
			 "mode = fullnat\n"
			 "schedule = hash\n"
			 "conntrack.tcp_timeout_time_wait = 30\n");
	CU_ASSERT_EQUAL_FATAL(t.nnodes, 6);
	for (i = 0; i < 6; i++)
		CU_ASSERT_STRING_EQUAL(t.nodes[i].name, order[i]);
	n = node("lb");
	CU_ASSERT_EQUAL(n->kind, TOPO_BALANCER);
	CU_ASSERT_EQUAL(n->nifs, 2);
	/* the VIP after the gateway's outside; the backend takes .1 */
	CU_ASSERT_EQUAL(n->ifs[0].net, topo_find_net(&t, "wan"));
	CU_ASSERT_EQUAL(n->ifs[0].addr, ipv4(198, 51, 100, 2));
	CU_ASSERT_EQUAL(n->ifs[1].net, topo_find_net(&t, "dmz"));
	CU_ASSERT_EQUAL(n->ifs[1].addr, ipv4(10, 1, 0, 1));
	CU_ASSERT_EQUAL(n->via, -1);
	CU_ASSERT_EQUAL(n->lb.mode, TOPO_LB_FULLNAT);
	CU_ASSERT_EQUAL(n->lb.schedule, TOPO_LB_HASH);
	CU_ASSERT_EQUAL(n->lb.line, 22);
	CU_ASSERT_EQUAL_FATAL(n->lb.nservers, 2);
	CU_ASSERT_EQUAL(n->lb.servers[0], topo_find_node(&t, "s1"));
	CU_ASSERT_EQUAL(n->lb.servers[1], topo_find_node(&t, "s2"));
	CU_ASSERT_EQUAL(n->nconntrack, 1);
	/* the VIP's service is its first server's */
	CU_ASSERT_EQUAL(n->svc.nports, 1);
	CU_ASSERT_EQUAL(n->svc.ports[0], 80);
	CU_ASSERT_EQUAL(n->svc.response, 64);
	CU_ASSERT_EQUAL(node("s1")->ifs[0].addr, ipv4(10, 1, 0, 2));
	CU_ASSERT_EQUAL(node("s1")->via, topo_find_node(&t, "lb"));
	CU_ASSERT_EQUAL(node("s2")->via, topo_find_node(&t, "lb"));
	CU_ASSERT_EQUAL(node("c1")->via, topo_find_node(&t, "gw"));
	/* with a balancer, it is the default target */
	CU_ASSERT_EQUAL(t.traffic.server, topo_find_node(&t, "lb"));
	CU_ASSERT_EQUAL_FATAL(topo_target_servers(&t, &srv), 2);
	CU_ASSERT_EQUAL(srv[0], topo_find_node(&t, "s1"));
	CU_ASSERT_STRING_EQUAL(topo_kind_name(TOPO_BALANCER), "balancer");
	CU_ASSERT_STRING_EQUAL(topo_lb_mode_name(n->lb.mode), "fullnat");
	CU_ASSERT_STRING_EQUAL(topo_lb_schedule_name(n->lb.schedule), "hash");
	CU_ASSERT_EQUAL(topo_uplink(TOPO_GATEWAY), 1);
	CU_ASSERT_EQUAL(topo_uplink(TOPO_BALANCER), 0);
	CU_ASSERT_EQUAL(topo_served(TOPO_BALANCER), 1);
	CU_ASSERT_EQUAL(topo_served(TOPO_SERVER), -1);

	/* defaults, explicit addresses and ports, a plain server target */
	CHECK_OK(LB_BASE "servers = s2\n"
			 "address = 198.51.100.10\n"
			 "backend.address = 10.1.0.254\n"
			 "[traffic]\n"
			 "server = s1\n");
	n = node("lb");
	CU_ASSERT_EQUAL(n->ifs[0].addr, ipv4(198, 51, 100, 10));
	CU_ASSERT_EQUAL(n->ifs[1].addr, ipv4(10, 1, 0, 254));
	CU_ASSERT_EQUAL(n->lb.mode, TOPO_LB_DNAT);
	CU_ASSERT_EQUAL(n->lb.schedule, TOPO_LB_ROUND_ROBIN);
	CU_ASSERT_EQUAL(node("s1")->ifs[0].addr, ipv4(10, 1, 0, 1));
	CU_ASSERT_EQUAL(t.traffic.server, topo_find_node(&t, "s1"));
	CU_ASSERT_EQUAL(topo_target_servers(&t, &srv), 1);
	CU_ASSERT_EQUAL(*srv, topo_find_node(&t, "s1"));
}

static void test_balancer_listen(void)
{
	const struct topo_node *n;

	CHECK_OK(BASE GW "[network dmz]\nsubnet = 10.1.0.0/24\n"
			 "[server s1]\nnetwork = dmz\nlisten = 80, 8080\n"
			 "[server s2]\nnetwork = dmz\nlisten = 8080\n"
			 "[clients]\ncount = 2\nnetwork = lan\n"
			 "[balancer lb]\nfrontend = wan\nbackend = dmz\n"
			 "servers = s1, s2\nlisten = 8080\n");
	n = node("lb");
	CU_ASSERT_EQUAL(n->svc.nports, 1);
	CU_ASSERT_EQUAL(n->svc.ports[0], 8080);

	parse(LB_BASE "servers = s1, s2\n"
		      "listen = 80, 8080\n"); /* 23 */
	CHECK_ERR(23, "balancer 'lb': server 's1' does not listen on port "
		      "8080 of its virtual address");
	CHECK_ERR(23, "balancer 'lb': server 's2' does not listen on port "
		      "8080 of its virtual address");
	CU_ASSERT_EQUAL(t.nerrs, 2);
}

static void test_balancer_servers_errors(void)
{
	/* no servers */
	parse(LB_BASE);
	CHECK_ERR(19, "balancer 'lb': missing 'servers'");
	CU_ASSERT_EQUAL(t.nerrs, 1);
	parse(LB_BASE "servers = s1, ,s2\n"); /* 22 */
	CHECK_ERR(22, "servers: expected server names separated by commas");
	CU_ASSERT_EQUAL(t.nerrs, 1);

	/* a duplicate */
	parse(LB_BASE "servers = s1, s2, s1\n"); /* 22 */
	CHECK_ERR(22, "servers: 's1' is listed twice");
	CU_ASSERT_EQUAL(t.nerrs, 1);

	/* not a server, no such node, not on the backend network */
	parse(LB_BASE "servers = c1, s9, gw, s3, s1\n" /* 22 */
		      "[server s3]\n"
		      "network = wan\n");
	CHECK_ERR(22, "balancer 'lb': 'c1' is a client, not a server");
	CHECK_ERR(22, "balancer 'lb': no server 's9'");
	CHECK_ERR(22, "balancer 'lb': 'gw' is a gateway, not a server");
	CHECK_ERR(22, "balancer 'lb': server 's3' is on network 'wan', not "
		      "on its backend network 'dmz'");
	CU_ASSERT_EQUAL(t.nerrs, 4);

	/* more than TOPO_LB_SERVERS_MAX */
	parse(LB_BASE "servers = s1,s2,a3,a4,a5,a6,a7,a8,a9,a10,a11,a12,a13,"
		      "a14,a15,a16,a17\n"); /* 22 */
	CHECK_ERR(22, "servers: at most 16");
}

static void test_balancer_value_errors(void)
{
	/* frontend == backend, unknown mode and schedule, unknown key */
	parse(BASE GW "[server s1]\n" /* 10 */
		      "network = wan\n"
		      "[balancer lb]\n" /* 12 */
		      "frontend = wan\n"
		      "backend = wan\n" /* 14 */
		      "servers = s1\n"
		      "mode = snat\n" /* 16 */
		      "schedule = least-conn\n"
		      "nat = masquerade\n"); /* 18 */
	CHECK_ERR(14, "balancer 'lb': frontend and backend are the same "
		      "network 'wan'");
	CHECK_ERR(16, "mode: expected dnat or fullnat");
	CHECK_ERR(17, "schedule: expected round-robin or hash");
	CHECK_ERR(18, "unknown key 'nat' in [balancer lb]");
	CU_ASSERT_EQUAL(t.nerrs, 4);

	/* a fault acts on clients and servers only */
	parse(LB_BASE "servers = s1\n"
		      "[fault f]\n"
		      "node = lb\n" /* 24 */
		      "action = drop\n");
	CHECK_ERR(24, "fault 'f': 'lb' is a balancer; faults act on");
	CU_ASSERT_EQUAL(t.nerrs, 1);

	/* its metrics: conns.SERVER of its own servers only */
	parse(LB_BASE "servers = s1\n"
		      "[expect]\n"
		      "lb.conns.s1 > 0\n"
		      "lb.conns > 0\n"
		      "lb.conntrack >= 0\n"
		      "lb.conns.s2 > 0\n" /* 27 */
		      "lb.syn_in > 0\n"); /* 28 */
	CHECK_ERR(27, "metric 'lb.conns.s2': balancer has no metric "
		      "'conns.s2'");
	CHECK_ERR(28, "metric 'lb.syn_in': balancer has no metric 'syn_in'");
	CU_ASSERT_EQUAL(t.nerrs, 2);
}

static void test_balancer_route_errors(void)
{
	/* mode dnat: a server whose replies would bypass the balancer */
	parse(BASE GW "[network dmz]\nsubnet = 10.1.0.0/24\n"
		      "[gateway g2]\ninside = dmz\noutside = wan\n"
		      "[server s1]\nnetwork = dmz\nvia = lb\n"
		      "[server s2]\nnetwork = dmz\n"
		      "via = g2\n" /* 20 */
		      "[balancer lb]\nfrontend = wan\nbackend = dmz\n"
		      "servers = s1, s2\n");
	CHECK_ERR(20, "server 's2' routes via 'g2', so its replies would not "
		      "pass balancer 'lb' (mode dnat): route it via 'lb', or "
		      "use mode = fullnat");
	CU_ASSERT_EQUAL(t.nerrs, 1);
	/* fullnat: the replies go to the balancer's own address anyway */
	CHECK_OK(BASE GW "[network dmz]\nsubnet = 10.1.0.0/24\n"
			 "[gateway g2]\ninside = dmz\noutside = wan\n"
			 "[server s1]\nnetwork = dmz\nvia = lb\n"
			 "[server s2]\nnetwork = dmz\nvia = g2\n"
			 "[balancer lb]\nfrontend = wan\nbackend = dmz\n"
			 "servers = s1, s2\nmode = fullnat\n");
	CU_ASSERT_EQUAL(node("s2")->via, topo_find_node(&t, "g2"));

	/* two routers serve dmz */
	parse(BASE GW "[network dmz]\nsubnet = 10.1.0.0/24\n"
		      "[gateway g2]\ninside = dmz\noutside = wan\n"
		      "[server s1]\n" /* 15 */
		      "network = dmz\n"
		      "[balancer lb]\nfrontend = wan\nbackend = dmz\n"
		      "servers = s1\n");
	CHECK_ERR(15, "ambiguous default route for 's1': routers g2 and lb "
		      "both serve dmz; set 'via'");
	CU_ASSERT_EQUAL(t.nerrs, 1);

	/* via a balancer from another network; a balancer via itself */
	parse(LB_BASE "servers = s1\n"
		      "via = lb\n" /* 23 */
		      "[client x]\n"
		      "network = lan\n"
		      "via = lb\n"); /* 26 */
	CHECK_ERR(23, "balancer 'lb' cannot route via itself");
	CHECK_ERR(26, "via 'lb': balancer 'lb' is not on network 'lan' (its "
		      "backend network is 'dmz')");
	CU_ASSERT_EQUAL(t.nerrs, 2);

	/* a loop through a gateway and a balancer */
	parse("[lab]\nname = t\n"
	      "[network a]\nsubnet = 10.0.0.0/24\n"
	      "[network b]\nsubnet = 10.1.0.0/24\n"
	      "[gateway g]\n" /* 7 */
	      "inside = a\n"
	      "outside = b\n"
	      "[balancer lb]\nfrontend = a\nbackend = b\nservers = s\n"
	      "[server s]\nnetwork = b\n");
	CHECK_ERR(7, "routing loop through gateways and balancers g -> lb -> "
		     "g");
	CU_ASSERT_EQUAL(t.nerrs, 1);
}

static void test_balancer_target_errors(void)
{
	/* not reachable: the clients' routes end on isp */
	parse("[lab]\nname = t\n"
	      "[network lan]\nsubnet = 10.0.0.0/24\n"
	      "[network isp]\nsubnet = 100.64.0.0/24\n"
	      "[network wan]\nsubnet = 198.51.100.0/24\n"
	      "[network dmz]\nsubnet = 10.1.0.0/24\n"
	      "[gateway home]\ninside = lan\noutside = isp\n"
	      "[clients]\ncount = 3\nnetwork = lan\n"
	      "[server s1]\nnetwork = dmz\n"
	      "[balancer lb]\nfrontend = wan\nbackend = dmz\nservers = s1\n"
	      "[traffic]\n"
	      "server = lb\n"); /* 24 */
	CHECK_ERR(24, "balancer 'lb' is not reachable from client "
		      "'c1..c3': its routes reach lan, isp, not the frontend "
		      "network 'wan'");
	CU_ASSERT_EQUAL(t.nerrs, 1);
	/* the same lab with a carrier NAT between isp and wan is fine */
	CHECK_OK("[lab]\nname = t\n"
		 "[network lan]\nsubnet = 10.0.0.0/24\n"
		 "[network isp]\nsubnet = 100.64.0.0/24\n"
		 "[network wan]\nsubnet = 198.51.100.0/24\n"
		 "[network dmz]\nsubnet = 10.1.0.0/24\n"
		 "[gateway home]\ninside = lan\noutside = isp\n"
		 "[gateway carrier]\ninside = isp\noutside = wan\n"
		 "[clients]\ncount = 3\nnetwork = lan\n"
		 "[server s1]\nnetwork = dmz\n"
		 "[balancer lb]\nfrontend = wan\nbackend = dmz\nservers = s1\n"
		 "[traffic]\nserver = lb\n");

	/* the target's servers answer alike */
	parse(BASE GW "[network dmz]\nsubnet = 10.1.0.0/24\n"
		      "[server s1]\nnetwork = dmz\nresponse = 100\n"
		      "[server s2]\nnetwork = dmz\nclose = client\n"
		      "[clients]\ncount = 2\nnetwork = lan\n"
		      "[balancer lb]\nfrontend = wan\nbackend = dmz\n"
		      "servers = s1, s2\n"); /* 24 */
	CHECK_ERR(24, "balancer 'lb': servers 's1' and 's2' differ in 'close' "
		      "(server, client): the traffic's clients cannot tell "
		      "them apart");
	CHECK_ERR(24, "differ in 'response' (100, 64)");
	CU_ASSERT_EQUAL(t.nerrs, 2);
	/* ... which only matters to the balancer the traffic targets */
	CHECK_OK(BASE GW "[network dmz]\nsubnet = 10.1.0.0/24\n"
			 "[server s1]\nnetwork = dmz\nresponse = 100\n"
			 "[server s2]\nnetwork = dmz\nclose = client\n"
			 "[clients]\ncount = 2\nnetwork = lan\n"
			 "[balancer lb]\nfrontend = wan\nbackend = dmz\n"
			 "servers = s1, s2\n"
			 "[traffic]\nserver = s1\n");

	/* a target that is neither */
	parse(LB_BASE "servers = s1\n"
		      "[traffic]\n"
		      "server = gw\n"); /* 24 */
	CHECK_ERR(24, "server: no server or balancer 'gw'");
}

static void test_lookups_and_free(void)
{
	CHECK_OK(BASE GW "[server srv]\nnetwork = wan\n");
	CU_ASSERT_EQUAL(topo_find_node(&t, "srv"), 1);
	CU_ASSERT_EQUAL(topo_find_node(&t, "nobody"), -1);
	CU_ASSERT_EQUAL(topo_find_net(&t, "lan"), 0);
	CU_ASSERT_EQUAL(topo_find_net(&t, "lo"), -1);
	CU_ASSERT_STRING_EQUAL(topo_kind_name(TOPO_CLIENT), "client");
	CU_ASSERT_STRING_EQUAL(topo_kind_name(TOPO_GATEWAY), "gateway");
	CU_ASSERT_STRING_EQUAL(topo_kind_name(TOPO_SERVER), "server");
	topo_free(&t);
	CU_ASSERT_PTR_NULL(t.nodes);
	CU_ASSERT_PTR_NULL(t.file);
	CU_ASSERT_EQUAL(t.nnodes, 0);
	CU_ASSERT_EQUAL(t.name[0], '\0');
}

static const struct unit_test tests[] = {
	{"full model", test_full_model},
	{"servers only", test_servers_only},
	{"clock path", test_clock_path},
	{"default nat", test_default_nat},
	{"comments", test_comments},
	{"inline comments", test_inline_comments},
	{"crlf, buffer length", test_crlf_and_no_nul},
	{"not key = value", test_not_key_value},
	{"key before section", test_key_before_section},
	{"unknown section", test_unknown_section},
	{"once-only sections", test_once_sections},
	{"section names", test_section_names},
	{"duplicate key", test_duplicate_key},
	{"unknown key", test_unknown_key},
	{"empty value", test_empty_value},
	{"lab section", test_lab_section},
	{"lab names", test_lab_names},
	{"subnet errors", test_subnet_errors},
	{"network names", test_network_names},
	{"overlapping subnets", test_overlapping_subnets},
	{"node names", test_node_names},
	{"duplicate nodes", test_duplicate_nodes},
	{"generated name clash", test_generated_name_clash},
	{"gateway networks", test_gateway_networks},
	{"nat values", test_nat_values},
	{"nat = rfc", test_nat_rfc},
	{"nat ports", test_nat_ports},
	{"conntrack", test_conntrack},
	{"sysctl names", test_sysctl_names},
	{"clients errors", test_clients_errors},
	{"client name length", test_client_name_length},
	{"prefix and extra clients", test_prefix_and_extras},
	{"dangling references", test_dangling_references},
	{"address checks", test_address_checks},
	{"capacity", test_capacity},
	{"allocation order", test_allocation_order},
	{"gateway inside first", test_gateway_inside_first},
	{"via on wrong network", test_via_wrong_network},
	{"explicit via", test_explicit_via},
	{"ambiguous route", test_ambiguous_route},
	{"via self, loops", test_via_self_and_loops},
	{"empty labs", test_empty_labs},
	{"all errors at once", test_all_errors_at_once},
	{"errors sorted", test_errors_sorted},
	{"shared errors once", test_shared_errors_once},
	{"parse file", test_parse_file},
	{"engine options", test_engine_options},
	{"random clock offsets in a span", test_random_span},
	{"network sizes", test_net_size},
	{"random clock offsets", test_random_offsets},
	{"a server's host clock", test_server_clock},
	{"lookups and free", test_lookups_and_free},
	{"balancer model", test_balancer_model},
	{"balancer ports", test_balancer_listen},
	{"balancer servers errors", test_balancer_servers_errors},
	{"balancer value errors", test_balancer_value_errors},
	{"balancer route errors", test_balancer_route_errors},
	{"balancer target errors", test_balancer_target_errors},
	{NULL, NULL},
};

UNIT_SUITE("topo", tests)
