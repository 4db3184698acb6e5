/* test_synhold.c - unsolicited SYNs: parsed, held, punched, answered. */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <arpa/inet.h>

#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_log.h>

#include <libmnl/libmnl.h>

#include "engine/synhold.h"
#include "unit.h"

/* An IPv4 TCP segment from 203.0.113.2:SPORT to 203.0.113.1:DPORT with
 * the given flags; IHL words of IP header (options zero). */
static size_t segment(uint8_t *p, int ihl, uint16_t sport, uint16_t dport,
		      uint8_t flags)
{
	size_t n = (size_t)ihl * 4 + 20;

	memset(p, 0, n);
	p[0] = (uint8_t)(0x40 | ihl);
	p[2] = (uint8_t)(n >> 8);
	p[3] = (uint8_t)n;
	p[8] = 64;
	p[9] = IPPROTO_TCP;
	p[12] = 203, p[13] = 0, p[14] = 113, p[15] = 2;
	p[16] = 203, p[17] = 0, p[18] = 113, p[19] = 1;
	p += ihl * 4;
	p[0] = (uint8_t)(sport >> 8), p[1] = (uint8_t)sport;
	p[2] = (uint8_t)(dport >> 8), p[3] = (uint8_t)dport;
	p[4] = 0x11, p[5] = 0x22, p[6] = 0x33, p[7] = 0x44; /* seq */
	p[12] = 5 << 4;
	p[13] = flags;
	return n;
}

static void test_parse(void)
{
	uint8_t pkt[80];
	struct synhold_syn s;
	size_t n;

	n = segment(pkt, 5, 5401, 40401, 0x02);
	CU_ASSERT_EQUAL_FATAL(synhold_parse(pkt, n, &s), 0);
	CU_ASSERT_EQUAL(s.src, 0xcb007102u);
	CU_ASSERT_EQUAL(s.sport, 5401);
	CU_ASSERT_EQUAL(s.dport, 40401);
	/* the quote: the IP header and the first 8 bytes of TCP */
	CU_ASSERT_EQUAL(s.qlen, 28);
	CU_ASSERT_EQUAL(memcmp(s.quote, pkt, 28), 0);

	/* IP options: the quote grows with the header */
	n = segment(pkt, 15, 5401, 40401, 0x02);
	CU_ASSERT_EQUAL_FATAL(synhold_parse(pkt, n, &s), 0);
	CU_ASSERT_EQUAL(s.qlen, 68);
	CU_ASSERT_EQUAL(s.sport, 5401);

	/* not a bare SYN, not TCP, not IPv4, a fragment, truncated */
	n = segment(pkt, 5, 1, 2, 0x12);
	CU_ASSERT_EQUAL(synhold_parse(pkt, n, &s), -EINVAL);
	n = segment(pkt, 5, 1, 2, 0x10);
	CU_ASSERT_EQUAL(synhold_parse(pkt, n, &s), -EINVAL);
	n = segment(pkt, 5, 1, 2, 0x02);
	pkt[9] = IPPROTO_UDP;
	CU_ASSERT_EQUAL(synhold_parse(pkt, n, &s), -EINVAL);
	pkt[9] = IPPROTO_TCP;
	pkt[0] = 0x65;
	CU_ASSERT_EQUAL(synhold_parse(pkt, n, &s), -EINVAL);
	pkt[0] = 0x45;
	pkt[7] = 1; /* fragment offset 8 */
	CU_ASSERT_EQUAL(synhold_parse(pkt, n, &s), -EINVAL);
	pkt[7] = 0;
	CU_ASSERT_EQUAL(synhold_parse(pkt, 33, &s), -EINVAL);
	CU_ASSERT_EQUAL(synhold_parse(pkt, 34, &s), 0);
	pkt[0] = 0x44; /* IHL below 5 */
	CU_ASSERT_EQUAL(synhold_parse(pkt, n, &s), -EINVAL);
}

static struct synhold h;

static struct synhold_syn syn(uint32_t src, uint16_t sport, uint16_t dport)
{
	uint8_t pkt[40];
	struct synhold_syn s;

	segment(pkt, 5, sport, dport, 0x02);
	synhold_parse(pkt, sizeof(pkt), &s);
	s.src = src;
	return s;
}

static void test_hold(void)
{
	struct synhold_syn a = syn(1, 10, 100), b = syn(2, 20, 200), out;

	memset(&h, 0, sizeof(h));
	CU_ASSERT_EQUAL(synhold_next_due(&h, 0), -1);
	CU_ASSERT_EQUAL(synhold_add(&h, &a, 1000), 1);
	/* a retransmission keeps the first arrival's deadline */
	CU_ASSERT_EQUAL(synhold_add(&h, &a, 2000), 0);
	CU_ASSERT_EQUAL(synhold_add(&h, &b, 1500), 1);
	CU_ASSERT_EQUAL(h.c.held, 2);
	CU_ASSERT_EQUAL(synhold_next_due(&h, 1000), SYNHOLD_MS);
	CU_ASSERT_EQUAL(synhold_next_due(&h, 6999), 1);
	CU_ASSERT_EQUAL(synhold_take_due(&h, 6999, &out), 0);
	/* due at exactly 6 s, not before */
	CU_ASSERT_EQUAL(synhold_next_due(&h, 7000), 0);
	CU_ASSERT_EQUAL_FATAL(synhold_take_due(&h, 7000, &out), 1);
	CU_ASSERT_EQUAL(out.src, 1);
	CU_ASSERT_EQUAL(out.sport, 10);
	CU_ASSERT_EQUAL(out.dport, 100);
	CU_ASSERT_EQUAL(synhold_take_due(&h, 7000, &out), 0);
	CU_ASSERT_EQUAL(synhold_next_due(&h, 7000), 500);
	CU_ASSERT_EQUAL(h.c.icmp_sent, 1);

	/* an outbound SYN for b's connection: dropped silently; another
	 * port or source punches nothing */
	CU_ASSERT_EQUAL(synhold_punch(&h, 2, 20, 201), 0);
	CU_ASSERT_EQUAL(synhold_punch(&h, 2, 21, 200), 0);
	CU_ASSERT_EQUAL(synhold_punch(&h, 3, 20, 200), 0);
	CU_ASSERT_EQUAL(synhold_punch(&h, 2, 20, 200), 1);
	CU_ASSERT_EQUAL(synhold_punch(&h, 2, 20, 200), 0);
	CU_ASSERT_EQUAL(h.c.punched, 1);
	CU_ASSERT_EQUAL(synhold_next_due(&h, 8000), -1);
	CU_ASSERT_EQUAL(synhold_take_due(&h, 99999, &out), 0);
	CU_ASSERT_EQUAL(h.c.icmp_sent, 1);
}

static void test_overflow(void)
{
	struct synhold_syn s;
	int i;

	memset(&h, 0, sizeof(h));
	for (i = 0; i < SYNHOLD_MAX; i++) {
		s = syn((uint32_t)i, 1, 2);
		CU_ASSERT_EQUAL(synhold_add(&h, &s, 0), 1);
	}
	s = syn(99999, 1, 2);
	CU_ASSERT_EQUAL(synhold_add(&h, &s, 0), -ENOSPC);
	CU_ASSERT_EQUAL(h.c.overflow, 1);
	CU_ASSERT_EQUAL(h.c.held, SYNHOLD_MAX);
	/* a retransmission of one held is not an overflow */
	s = syn(7, 1, 2);
	CU_ASSERT_EQUAL(synhold_add(&h, &s, 0), 0);
	CU_ASSERT_EQUAL(h.c.overflow, 1);
	for (i = 0; i < SYNHOLD_MAX; i++)
		CU_ASSERT_EQUAL(synhold_take_due(&h, SYNHOLD_MS, &s), 1);
	CU_ASSERT_EQUAL(h.n, 0);
}

/* The Internet checksum of a whole message, its own field included:
 * 0xffff folded means correct. */
static uint16_t fold(const uint8_t *p, size_t n)
{
	uint32_t sum = 0;
	size_t i;

	for (i = 0; i + 1 < n; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (n & 1)
		sum += (uint32_t)p[n - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

static void test_icmp(void)
{
	uint8_t pkt[80], msg[8 + SYNHOLD_QUOTE_MAX];
	struct synhold_syn s;
	size_t n;
	int ihl;

	for (ihl = 5; ihl <= 15; ihl++) {
		n = segment(pkt, ihl, 5401, 40401, 0x02);
		CU_ASSERT_EQUAL_FATAL(synhold_parse(pkt, n, &s), 0);
		n = synhold_icmp(&s, msg, sizeof(msg));
		CU_ASSERT_EQUAL(n, 8 + (size_t)ihl * 4 + 8);
		CU_ASSERT_EQUAL(msg[0], 3);
		CU_ASSERT_EQUAL(msg[1], 3);
		CU_ASSERT_EQUAL(msg[4] | msg[5] | msg[6] | msg[7], 0);
		CU_ASSERT_EQUAL(memcmp(msg + 8, pkt, (size_t)ihl * 4 + 8), 0);
		CU_ASSERT_EQUAL(fold(msg, n), 0xffff);
	}
	CU_ASSERT_EQUAL(synhold_icmp(&s, msg, 8 + s.qlen - 1), 0);
}

static int attr_cb(const struct nlattr *a, void *data)
{
	const struct nlattr **tb = data;

	if (mnl_attr_get_type(a) <= NFULA_CFG_FLAGS)
		tb[mnl_attr_get_type(a)] = a;
	return MNL_CB_OK;
}

static void test_nflog_config(void)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	const struct nlattr *tb[NFULA_CFG_FLAGS + 1];
	const struct nfulnl_msg_config_cmd *cmd;
	const struct nfulnl_msg_config_mode *mode;
	const struct nlmsghdr *nlh;
	const struct nfgenmsg *g;
	int len = (int)synhold_nflog_config(buf, 7), k = 0;

	for (nlh = (const struct nlmsghdr *)buf; mnl_nlmsg_ok(nlh, len);
	     nlh = mnl_nlmsg_next(nlh, &len), k++) {
		CU_ASSERT_EQUAL(nlh->nlmsg_type,
				(NFNL_SUBSYS_ULOG << 8) | NFULNL_MSG_CONFIG);
		CU_ASSERT_TRUE(nlh->nlmsg_flags & NLM_F_ACK);
		CU_ASSERT_EQUAL(nlh->nlmsg_seq, 7u + (unsigned)k);
		g = mnl_nlmsg_get_payload(nlh);
		CU_ASSERT_EQUAL(ntohs(g->res_id), SYNHOLD_GROUP);
		memset(tb, 0, sizeof(tb));
		CU_ASSERT_EQUAL(mnl_attr_parse(nlh, sizeof(*g), attr_cb, tb),
				MNL_CB_OK);
		if (k == 0) {
			CU_ASSERT_PTR_NOT_NULL_FATAL(tb[NFULA_CFG_CMD]);
			cmd = mnl_attr_get_payload(tb[NFULA_CFG_CMD]);
			CU_ASSERT_EQUAL(cmd->command, NFULNL_CFG_CMD_BIND);
		} else {
			CU_ASSERT_PTR_NOT_NULL_FATAL(tb[NFULA_CFG_MODE]);
			mode = mnl_attr_get_payload(tb[NFULA_CFG_MODE]);
			CU_ASSERT_EQUAL(mode->copy_mode, NFULNL_COPY_PACKET);
			CU_ASSERT_TRUE(ntohl(mode->copy_range) >=
				       SYNHOLD_QUOTE_MAX);
			CU_ASSERT_PTR_NOT_NULL_FATAL(tb[NFULA_CFG_QTHRESH]);
			CU_ASSERT_EQUAL(
				ntohl(mnl_attr_get_u32(tb[NFULA_CFG_QTHRESH])),
				1);
		}
	}
	CU_ASSERT_EQUAL(k, 2);
	CU_ASSERT_EQUAL(len, 0);
}

static void test_nflog_payload(void)
{
	char buf[512];
	uint8_t pkt[40];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct nfgenmsg *g;
	const uint8_t *data;
	size_t len;

	segment(pkt, 5, 5401, 40401, 0x02);
	nlh->nlmsg_type = (NFNL_SUBSYS_ULOG << 8) | NFULNL_MSG_PACKET;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->res_id = htons(SYNHOLD_GROUP);
	mnl_attr_put_u16(nlh, NFULA_HWTYPE, 1);
	mnl_attr_put(nlh, NFULA_PAYLOAD, sizeof(pkt), pkt);
	mnl_attr_put_strz(nlh, NFULA_PREFIX, "x");
	CU_ASSERT_EQUAL_FATAL(synhold_nflog_payload(nlh, &data, &len), 0);
	CU_ASSERT_EQUAL(len, sizeof(pkt));
	CU_ASSERT_EQUAL(memcmp(data, pkt, sizeof(pkt)), 0);

	/* no payload; not a packet message */
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = (NFNL_SUBSYS_ULOG << 8) | NFULNL_MSG_PACKET;
	mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	mnl_attr_put_u16(nlh, NFULA_HWTYPE, 1);
	CU_ASSERT_EQUAL(synhold_nflog_payload(nlh, &data, &len), -EINVAL);
	nlh->nlmsg_type = (NFNL_SUBSYS_ULOG << 8) | NFULNL_MSG_CONFIG;
	CU_ASSERT_EQUAL(synhold_nflog_payload(nlh, &data, &len), -EINVAL);
}

static const struct unit_test tests[] = {
	{"parse a SYN", test_parse},
	{"hold, punch, answer when due", test_hold},
	{"a full table", test_overflow},
	{"ICMP port unreachable", test_icmp},
	{"NFLOG configuration", test_nflog_config},
	{"NFLOG packet payload", test_nflog_payload},
	{0},
};

UNIT_SUITE("synhold", tests)
