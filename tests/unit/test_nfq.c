/* test_nfq.c - NFQUEUE messages built, walked with libmnl, parsed back. */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <arpa/inet.h>
#include <net/ethernet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <linux/netlink.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>
#include <linux/netfilter/nfnetlink_queue.h>

#include <libmnl/libmnl.h>

#include "lib/nfq.h"
#include "unit.h"

/*
 * The largest payload the kernel copies to us: copy_range is clamped to
 * NFQNL_MAX_COPY_RANGE, (0xffff - NLA_HDRLEN), so that the attribute
 * length still fits its u16 (net/netfilter/nfnetlink_queue.c).
 */
#define MAX_COPY (0xffff - MNL_ATTR_HDRLEN)
#define BUF_SIZE (NFQ_MSG_MIN + MAX_COPY)
#define POISON	 0xa5
#define NVERDICT 12

/* Each test first fills the buffer with POISON: builders must set every
 * header and structure field they send, reserved ones included. */
static uint8_t buf[BUF_SIZE] __attribute__((aligned(8)));

/* Packet bytes: an IPv4 version and header length, then a pattern. */
static uint8_t ip_packet[1500];

static uint16_t nfq_type(uint8_t msg)
{
	return (uint16_t)(NFNL_SUBSYS_QUEUE << 8 | msg);
}

static void *poisoned(void)
{
	memset(buf, POISON, sizeof(buf));
	return buf;
}

static const uint8_t *fill_packet(size_t len)
{
	size_t i;

	for (i = 0; i < len && i < sizeof(ip_packet); i++)
		ip_packet[i] = (uint8_t)(i * 7 + 3);
	ip_packet[0] = 0x45;
	return ip_packet;
}

/* The attributes of one message, indexed by type, each seen once. */
struct attrs {
	const struct nlattr *tb[NFQA_MAX + 1];
	int max;
	int n;
};

static int attr_cb(const struct nlattr *a, void *data)
{
	struct attrs *at = data;
	int type = mnl_attr_get_type(a);

	if (type > at->max || at->tb[type])
		return MNL_CB_ERROR;
	at->tb[type] = a;
	at->n++;
	return MNL_CB_OK;
}

/*
 * Parse a message's attributes, which must fill it to the last byte.
 * Their padding is not checked: libmnl 1.0.4 leaves it as it found it,
 * and the kernel never reads it.
 */
static void parse_attrs(const struct nlmsghdr *nlh, int max, struct attrs *at)
{
	size_t off = MNL_ALIGN(sizeof(struct nfgenmsg));
	const struct nlattr *a;
	int ret;

	memset(at, 0, sizeof(*at));
	at->max = max;
	ret = mnl_attr_parse(nlh, sizeof(struct nfgenmsg), attr_cb, at);
	CU_ASSERT_EQUAL_FATAL(ret, MNL_CB_OK);
	mnl_attr_for_each(a, nlh, sizeof(struct nfgenmsg))
	{
		off += MNL_ALIGN(a->nla_len);
	}
	CU_ASSERT_EQUAL(off, mnl_nlmsg_get_payload_len(nlh));
}

/* The netlink and nfnetlink headers every NFQUEUE request carries. */
static void check_hdr(const struct nlmsghdr *nlh, size_t len, uint8_t msg,
		      uint16_t flags, uint16_t queue)
{
	const struct nfgenmsg *g = mnl_nlmsg_get_payload(nlh);
	const uint8_t *res_id = (const uint8_t *)&g->res_id;

	CU_ASSERT_EQUAL(len % MNL_ALIGNTO, 0);
	CU_ASSERT_EQUAL_FATAL(nlh->nlmsg_len, len);
	CU_ASSERT_FATAL(mnl_nlmsg_ok(nlh, (int)len));
	CU_ASSERT_FATAL(mnl_nlmsg_get_payload_len(nlh) >= sizeof(*g));
	CU_ASSERT_EQUAL(nlh->nlmsg_type, nfq_type(msg));
	CU_ASSERT_EQUAL(nlh->nlmsg_flags, flags);
	CU_ASSERT_EQUAL(nlh->nlmsg_pid, 0);
	CU_ASSERT_EQUAL(g->nfgen_family, AF_UNSPEC);
	CU_ASSERT_EQUAL(g->version, NFNETLINK_V0);
	CU_ASSERT_EQUAL(g->res_id, htons(queue));
	CU_ASSERT_EQUAL(res_id[0], queue >> 8); /* network order */
	CU_ASSERT_EQUAL(res_id[1], queue & 0xff);
}

/* A big-endian u32 attribute, in host order. */
static uint32_t be32_attr(const struct nlattr *a)
{
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	CU_ASSERT_EQUAL_FATAL(mnl_attr_get_payload_len(a), sizeof(uint32_t));
	return ntohl(mnl_attr_get_u32(a));
}

static const uint16_t queues[] = {0, 1, 0x1234, 0xff00, 0xffff};

static void check_bind(uint16_t queue, uint32_t seq)
{
	size_t len = nfq_build_bind(poisoned(), queue, seq);
	const struct nlmsghdr *nlh = (void *)buf;
	const struct nfqnl_msg_config_cmd *cmd;
	struct attrs at;

	CU_ASSERT(len <= NFQ_MSG_MIN);
	check_hdr(nlh, len, NFQNL_MSG_CONFIG, NLM_F_REQUEST | NLM_F_ACK, queue);
	CU_ASSERT_EQUAL(nlh->nlmsg_seq, seq);
	parse_attrs(nlh, NFQA_CFG_MAX, &at);
	CU_ASSERT_EQUAL(at.n, 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(at.tb[NFQA_CFG_CMD]);
	CU_ASSERT_EQUAL_FATAL(mnl_attr_get_payload_len(at.tb[NFQA_CFG_CMD]),
			      sizeof(*cmd));
	cmd = mnl_attr_get_payload(at.tb[NFQA_CFG_CMD]);
	CU_ASSERT_EQUAL(cmd->command, NFQNL_CFG_CMD_BIND);
	CU_ASSERT_EQUAL(cmd->_pad, 0);
	CU_ASSERT_EQUAL(cmd->pf, htons(AF_INET));
}

static void test_bind(void)
{
	static const uint32_t seqs[] = {0, 1, 0xdeadbeef};
	size_t i, j;

	for (i = 0; i < sizeof(queues) / sizeof(queues[0]); i++)
		for (j = 0; j < sizeof(seqs) / sizeof(seqs[0]); j++)
			check_bind(queues[i], seqs[j]);
}

static void check_params(uint16_t queue, uint32_t maxlen, int fail_open,
			 uint32_t seq)
{
	const struct nlmsghdr *nlh = (void *)buf;
	const struct nfqnl_msg_config_params *params;
	uint32_t mask, flags;
	struct attrs at;
	size_t len;

	len = nfq_build_params(poisoned(), queue, maxlen, fail_open, seq);

	CU_ASSERT(len <= NFQ_MSG_MIN);
	check_hdr(nlh, len, NFQNL_MSG_CONFIG, NLM_F_REQUEST | NLM_F_ACK, queue);
	CU_ASSERT_EQUAL(nlh->nlmsg_seq, seq);
	parse_attrs(nlh, NFQA_CFG_MAX, &at);
	CU_ASSERT_EQUAL(at.n, 4);
	/* Parameters only: the queue was bound by an earlier message. */
	CU_ASSERT_PTR_NULL(at.tb[NFQA_CFG_CMD]);

	CU_ASSERT_PTR_NOT_NULL_FATAL(at.tb[NFQA_CFG_PARAMS]);
	CU_ASSERT_EQUAL_FATAL(mnl_attr_get_payload_len(at.tb[NFQA_CFG_PARAMS]),
			      sizeof(*params));
	params = mnl_attr_get_payload(at.tb[NFQA_CFG_PARAMS]);
	CU_ASSERT_EQUAL(params->copy_range, htonl(0xffff));
	CU_ASSERT_EQUAL(params->copy_mode, NFQNL_COPY_PACKET);

	CU_ASSERT_EQUAL(be32_attr(at.tb[NFQA_CFG_QUEUE_MAXLEN]), maxlen);

	/* The kernel refuses FLAGS without MASK, and flags >= F_MAX. */
	mask = be32_attr(at.tb[NFQA_CFG_MASK]);
	flags = be32_attr(at.tb[NFQA_CFG_FLAGS]);
	CU_ASSERT(mask & NFQA_CFG_F_GSO);
	CU_ASSERT(mask & NFQA_CFG_F_FAIL_OPEN);
	CU_ASSERT_EQUAL(flags & ~mask, 0);
	CU_ASSERT(flags < NFQA_CFG_F_MAX);
	CU_ASSERT(flags & NFQA_CFG_F_GSO);
	CU_ASSERT_EQUAL(!!(flags & NFQA_CFG_F_FAIL_OPEN), !!fail_open);
}

static void test_params(void)
{
	static const uint32_t maxlens[] = {0, 1, 1024, 0x01020304, UINT32_MAX};
	size_t i;

	for (i = 0; i < sizeof(maxlens) / sizeof(maxlens[0]); i++)
		check_params(queues[i], maxlens[i], 0, (uint32_t)i + 2);
}

static void test_params_fail_open(void)
{
	check_params(0, 4096, 1, 2);
	check_params(0xffff, 1, 1, 0xffffffff);
	check_params(7, 4096, 2, 2); /* any non-zero value means yes */
}

/* One verdict message: header, verdict, and the payload if given. */
static void check_verdict(const struct nlmsghdr *nlh, size_t len,
			  uint16_t queue, uint32_t id, int verdict,
			  const void *data, size_t dlen)
{
	const struct nfqnl_msg_verdict_hdr *vh;
	const uint8_t *raw;
	struct attrs at;

	/* No ack: errors still come back as NLMSG_ERROR. */
	check_hdr(nlh, len, NFQNL_MSG_VERDICT, NLM_F_REQUEST, queue);
	parse_attrs(nlh, NFQA_MAX, &at);
	CU_ASSERT_EQUAL(at.n, data ? 2 : 1);

	CU_ASSERT_PTR_NOT_NULL_FATAL(at.tb[NFQA_VERDICT_HDR]);
	CU_ASSERT_EQUAL_FATAL(mnl_attr_get_payload_len(at.tb[NFQA_VERDICT_HDR]),
			      sizeof(*vh));
	vh = mnl_attr_get_payload(at.tb[NFQA_VERDICT_HDR]);
	CU_ASSERT_EQUAL(vh->verdict, htonl((uint32_t)verdict));
	CU_ASSERT_EQUAL(vh->id, htonl(id));
	raw = (const uint8_t *)&vh->id;
	CU_ASSERT_EQUAL(raw[0], id >> 24);
	CU_ASSERT_EQUAL(raw[3], id & 0xff);

	if (!data) {
		CU_ASSERT_PTR_NULL(at.tb[NFQA_PAYLOAD]);
		return;
	}
	CU_ASSERT_PTR_NOT_NULL_FATAL(at.tb[NFQA_PAYLOAD]);
	CU_ASSERT_EQUAL_FATAL(mnl_attr_get_payload_len(at.tb[NFQA_PAYLOAD]),
			      dlen);
	CU_ASSERT(memcmp(mnl_attr_get_payload(at.tb[NFQA_PAYLOAD]), data,
			 dlen) == 0);
}

static void test_verdict_values(void)
{
	/* nfq.h keeps its own copies of the kernel's verdicts. */
	CU_ASSERT_EQUAL(NFQ_ACCEPT, NF_ACCEPT);
	CU_ASSERT_EQUAL(NFQ_DROP, NF_DROP);
}

static void test_verdict(void)
{
	static const uint32_t ids[] = {0, 1, 0x01020304, UINT32_MAX};
	static const int verdicts[] = {NFQ_ACCEPT, NFQ_DROP};
	size_t i, j, len;

	for (i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		for (j = 0; j < 2; j++) {
			len = nfq_build_verdict(poisoned(), queues[i], ids[i],
						verdicts[j], NULL, 0);
			CU_ASSERT(len <= NFQ_MSG_MIN);
			check_verdict((void *)buf, len, queues[i], ids[i],
				      verdicts[j], NULL, 0);
		}
	}
	/* A length without data is no payload. */
	check_verdict((void *)buf,
		      nfq_build_verdict(poisoned(), 3, 9, NFQ_ACCEPT, NULL, 60),
		      3, 9, NFQ_ACCEPT, NULL, 0);
}

/* Every payload length modulo the alignment, and the largest one. */
static void test_verdict_payload(void)
{
	static const size_t lens[] = {1, 2, 3, 4, 5, 20, 41, 1500};
	const uint8_t *pkt = fill_packet(sizeof(ip_packet));
	static uint8_t big[MAX_COPY];
	size_t i, len;

	for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		len = nfq_build_verdict(poisoned(), 1, (uint32_t)i + 100,
					NFQ_ACCEPT, pkt, lens[i]);
		CU_ASSERT(len <= NFQ_MSG_MIN + lens[i]);
		check_verdict((void *)buf, len, 1, (uint32_t)i + 100,
			      NFQ_ACCEPT, pkt, lens[i]);
	}

	for (i = 0; i < sizeof(big); i++)
		big[i] = (uint8_t)(i ^ (i >> 8));
	len = nfq_build_verdict(poisoned(), 0xffff, 0xfffffffe, NFQ_DROP, big,
				sizeof(big));
	CU_ASSERT(len <= NFQ_MSG_MIN + sizeof(big));
	check_verdict((void *)buf, len, 0xffff, 0xfffffffe, NFQ_DROP, big,
		      sizeof(big));
}

/* Verdicts packed into one send buffer the way nfq_verdict() does. */
static void test_verdict_batch(void)
{
	const uint8_t *pkt = fill_packet(sizeof(ip_packet));
	const struct nlmsghdr *nlh;
	size_t off = 0, dlen[NVERDICT];
	int i, rem, n = 0;

	poisoned();
	for (i = 0; i < NVERDICT; i++) {
		const void *data = i % 3 ? pkt : NULL;

		dlen[i] = (size_t)(i * 13 % 61);
		CU_ASSERT_EQUAL(off % MNL_ALIGNTO, 0);
		off += MNL_ALIGN(nfq_build_verdict(buf + off, 5, 1000 + i,
						   i & 1, data, dlen[i]));
		CU_ASSERT_FATAL(off < sizeof(buf));
	}

	rem = (int)off;
	for (nlh = (void *)buf; mnl_nlmsg_ok(nlh, rem);
	     nlh = mnl_nlmsg_next(nlh, &rem)) {
		CU_ASSERT_FATAL(n < NVERDICT);
		check_verdict(nlh, nlh->nlmsg_len, 5, 1000 + (uint32_t)n, n & 1,
			      n % 3 ? pkt : NULL, dlen[n]);
		n++;
	}
	CU_ASSERT_EQUAL(n, NVERDICT);
	CU_ASSERT_EQUAL(rem, 0); /* no trailing bytes */
}

/* What the kernel puts in a packet message (nfqnl_build_packet_message). */
struct kpkt {
	uint16_t queue;
	uint32_t id;
	uint8_t hook;
	size_t hdr_len; /* of NFQA_PACKET_HDR, 0 for the real size */
	int no_hdr, no_payload;
	uint32_t cap_len; /* 0: no NFQA_CAP_LEN */
	int has_skbinfo;
	uint32_t skbinfo;
	int unknown; /* add attributes a newer kernel might send */
	const uint8_t *data;
	size_t len;
};

static void put_unknown(struct nlmsghdr *nlh, uint16_t type)
{
	static const uint8_t junk[6] = {1, 2, 3, 4, 5, 6};

	mnl_attr_put(nlh, type, sizeof(junk), junk);
}

/* Same order as the kernel: header first, payload last. */
static size_t kernel_packet(void *at, const struct kpkt *k)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(at);
	struct nfqnl_msg_packet_hdr ph = {
		.packet_id = htonl(k->id),
		.hw_protocol = htons(ETHERTYPE_IP),
		.hook = k->hook,
	};
	struct nfgenmsg *g;
	struct nlattr *nest;

	nlh->nlmsg_type = nfq_type(NFQNL_MSG_PACKET);
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->nfgen_family = AF_INET;
	g->version = NFNETLINK_V0;
	g->res_id = htons(k->queue);

	if (k->unknown)
		put_unknown(nlh, NFQA_MAX + 1);
	if (!k->no_hdr)
		mnl_attr_put(nlh, NFQA_PACKET_HDR,
			     k->hdr_len ? k->hdr_len : sizeof(ph), &ph);
	mnl_attr_put_u32(nlh, NFQA_MARK, htonl(0x42));
	mnl_attr_put_u32(nlh, NFQA_IFINDEX_INDEV, htonl(2));
	nest = mnl_attr_nest_start(nlh, NFQA_CT);
	mnl_attr_put_u32(nlh, CTA_STATUS, htonl(8));
	mnl_attr_put_u32(nlh, CTA_ID, htonl(0x1234));
	mnl_attr_nest_end(nlh, nest);
	mnl_attr_put_u32(nlh, NFQA_CT_INFO, htonl(0));
	if (k->unknown)
		put_unknown(nlh, 0x3fff); /* the largest type there is */
	if (k->cap_len)
		mnl_attr_put_u32(nlh, NFQA_CAP_LEN, htonl(k->cap_len));
	if (k->has_skbinfo)
		mnl_attr_put_u32(nlh, NFQA_SKB_INFO, htonl(k->skbinfo));
	if (!k->no_payload)
		mnl_attr_put(nlh, NFQA_PAYLOAD, k->len, k->data);
	return nlh->nlmsg_len;
}

static const struct kpkt base_pkt = {
	.queue = 3,
	.id = 0x01020304,
	.hook = NF_INET_LOCAL_IN,
	.data = ip_packet,
	.len = 60,
};

/* Parse and compare with what went in; the packet points into buf. */
static void check_packet(struct kpkt k, uint32_t skbinfo, int truncated)
{
	struct nfq_packet p;
	size_t len;

	k.data = fill_packet(k.len);
	len = kernel_packet(poisoned(), &k);
	memset(&p, 0xff, sizeof(p));
	CU_ASSERT_EQUAL_FATAL(nfq_parse_packet(buf, len, &p), 0);
	CU_ASSERT_EQUAL(p.id, k.id);
	CU_ASSERT_EQUAL(p.hook, k.hook);
	CU_ASSERT_EQUAL_FATAL(p.len, k.len);
	CU_ASSERT(p.data > buf && p.data + p.len <= buf + len);
	CU_ASSERT(memcmp(p.data, k.data, k.len) == 0);
	CU_ASSERT_EQUAL(p.skbinfo, skbinfo);
	CU_ASSERT_EQUAL(p.truncated, truncated);
}

static void test_parse_packet(void)
{
	struct kpkt k = base_pkt;

	check_packet(k, 0, 0);

	k.has_skbinfo = 1;
	k.skbinfo = NFQA_SKB_CSUMNOTREADY | NFQA_SKB_GSO;
	k.hook = NF_INET_LOCAL_OUT;
	k.id = UINT32_MAX;
	k.len = 41; /* not rounded up to the attribute padding */
	check_packet(k, NFQA_SKB_CSUMNOTREADY | NFQA_SKB_GSO, 0);

	k.skbinfo = NFQA_SKB_CSUM_NOTVERIFIED;
	k.hook = NF_INET_POST_ROUTING;
	k.id = 0;
	k.len = 1;
	check_packet(k, NFQA_SKB_CSUM_NOTVERIFIED, 0);
}

/* NFQA_CAP_LEN is the packet's real length when the copy is shorter. */
static void test_parse_truncated(void)
{
	struct kpkt k = base_pkt;

	k.len = 1500;
	k.cap_len = 1501;
	check_packet(k, 0, 1);
	k.cap_len = 65535;
	check_packet(k, 0, 1);
	k.cap_len = 1500; /* the kernel leaves it out, but equal is whole */
	check_packet(k, 0, 0);
	k.has_skbinfo = 1;
	k.skbinfo = NFQA_SKB_GSO;
	k.cap_len = 3000;
	check_packet(k, NFQA_SKB_GSO, 1);
}

static void test_parse_unknown_attr(void)
{
	struct kpkt k = base_pkt;

	k.unknown = 1;
	k.cap_len = 100;
	k.has_skbinfo = 1;
	k.skbinfo = NFQA_SKB_CSUMNOTREADY;
	check_packet(k, NFQA_SKB_CSUMNOTREADY, 1);
}

/* Several packets in one datagram, walked the way nfq_recv() does. */
static void test_parse_datagram(void)
{
	const struct nlmsghdr *nlh;
	struct kpkt k = base_pkt;
	struct nfq_packet p;
	size_t off = 0;
	int rem, n = 0;

	k.data = fill_packet(sizeof(ip_packet));
	poisoned();
	for (n = 0; n < 5; n++) {
		k.id = 100 + (uint32_t)n;
		k.len = 20 + (size_t)n;
		off += MNL_ALIGN(kernel_packet(buf + off, &k));
	}
	rem = (int)off;
	n = 0;
	for (nlh = (void *)buf; mnl_nlmsg_ok(nlh, rem);
	     nlh = mnl_nlmsg_next(nlh, &rem)) {
		CU_ASSERT_EQUAL_FATAL(nfq_parse_packet(nlh, nlh->nlmsg_len, &p),
				      0);
		CU_ASSERT_EQUAL(p.id, 100 + (uint32_t)n);
		CU_ASSERT_EQUAL(p.len, 20 + (size_t)n);
		CU_ASSERT(memcmp(p.data, k.data, p.len) == 0);
		n++;
	}
	CU_ASSERT_EQUAL(n, 5);
	CU_ASSERT_EQUAL(rem, 0);
}

static int parse(const struct kpkt *k)
{
	struct nfq_packet p;
	struct kpkt copy = *k;

	copy.data = fill_packet(copy.len);
	return nfq_parse_packet(buf, kernel_packet(poisoned(), &copy), &p);
}

static void test_parse_malformed(void)
{
	static const uint16_t bad_types[] = {
		NFNL_SUBSYS_QUEUE << 8 | NFQNL_MSG_VERDICT,
		NFNL_SUBSYS_QUEUE << 8 | NFQNL_MSG_CONFIG,
		NFNL_SUBSYS_ULOG << 8 | NFQNL_MSG_PACKET,
		NLMSG_ERROR,
		NLMSG_DONE,
	};
	struct nlmsghdr *nlh = (void *)buf;
	struct kpkt k = base_pkt;
	struct nfq_packet p;
	size_t len, i;

	fill_packet(k.len);
	CU_ASSERT_EQUAL(parse(&k), 0); /* the base case is fine */

	for (i = 0; i < sizeof(bad_types) / sizeof(bad_types[0]); i++) {
		len = kernel_packet(poisoned(), &k);
		nlh->nlmsg_type = bad_types[i];
		CU_ASSERT_EQUAL(nfq_parse_packet(buf, len, &p), -EINVAL);
	}

	k.no_hdr = 1;
	CU_ASSERT_EQUAL(parse(&k), -EINVAL);
	k = base_pkt;
	k.no_payload = 1;
	CU_ASSERT_EQUAL(parse(&k), -EINVAL);
	k = base_pkt;
	k.hdr_len = sizeof(struct nfqnl_msg_packet_hdr) - 1;
	CU_ASSERT_EQUAL(parse(&k), -EINVAL);
	k.hdr_len = 0;

	/* The message claims more than was read. */
	len = kernel_packet(poisoned(), &k);
	CU_ASSERT_EQUAL(nfq_parse_packet(buf, len - 1, &p), -EINVAL);
	CU_ASSERT_EQUAL(nfq_parse_packet(buf, len - MNL_ALIGNTO, &p), -EINVAL);
	CU_ASSERT_EQUAL(nfq_parse_packet(buf, sizeof(*nlh) - 1, &p), -EINVAL);
	CU_ASSERT_EQUAL(nfq_parse_packet(buf, 0, &p), -EINVAL);
	nlh->nlmsg_len = (uint32_t)len + 1;
	CU_ASSERT_EQUAL(nfq_parse_packet(buf, len, &p), -EINVAL);

	/* A payload attribute that runs past the end of the message. */
	len = kernel_packet(poisoned(), &k);
	((struct nlattr *)(buf + len - MNL_ALIGN(MNL_ATTR_HDRLEN + k.len)))
		->nla_len += 4;
	CU_ASSERT_EQUAL(nfq_parse_packet(buf, len, &p), -EINVAL);

	/* A header with nothing after it. */
	len = kernel_packet(poisoned(), &k);
	nlh->nlmsg_len = MNL_NLMSG_HDRLEN;
	CU_ASSERT_EQUAL(nfq_parse_packet(buf, len, &p), -EINVAL);
}

/* A 32-bit attribute with no room for its value is malformed, not read
 * past its end. */
static void test_parse_short_u32(void)
{
	struct kpkt k = base_pkt;
	struct nlmsghdr *nlh;
	struct nfq_packet p;
	size_t len;

	k.data = fill_packet(k.len);
	k.no_payload = 1;
	len = kernel_packet(poisoned(), &k);
	nlh = (struct nlmsghdr *)buf;
	mnl_attr_put(nlh, NFQA_SKB_INFO, 0, NULL);
	mnl_attr_put(nlh, NFQA_PAYLOAD, k.len, k.data);
	len = nlh->nlmsg_len;
	CU_ASSERT_EQUAL(nfq_parse_packet(buf, len, &p), -EINVAL);
}

static const struct unit_test tests[] = {
	{"bind", test_bind},
	{"params", test_params},
	{"params fail-open", test_params_fail_open},
	{"verdict values", test_verdict_values},
	{"verdict", test_verdict},
	{"verdict with payload", test_verdict_payload},
	{"verdicts back to back", test_verdict_batch},
	{"parse packet", test_parse_packet},
	{"parse truncated packet", test_parse_truncated},
	{"parse skips unknown attributes", test_parse_unknown_attr},
	{"parse a datagram of packets", test_parse_datagram},
	{"parse malformed", test_parse_malformed},
	{"parse a short 32-bit attribute", test_parse_short_u32},
	{0},
};

UNIT_SUITE("nfq", tests)
