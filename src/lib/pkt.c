/* pkt.c - IPv4/TCP packets: parsing, TCP options, timestamp rewriting. */
#include <errno.h>
#include <string.h>

#include "lib/pkt.h"
#include "lib/tcpwire.h"

/*
 * Theory of operation
 *
 * Packets come from NFQUEUE with no alignment promise, so every
 * multi-byte field is read and written byte by byte in network order;
 * nothing here casts a pointer into the buffer.
 *
 * Checksums are one's complement sums of big-endian 16-bit words, built
 * by byte arithmetic, so the code is the same on any host; only long runs
 * (a payload) are summed a machine word at a time (sum_wide()).  The words of
 * the TCP checksum start at the TCP header: a byte at an even offset from
 * it is the high half of its word, a byte at an odd offset the low half.
 *
 * Checksum convention: pkt_tcp_csum() and pkt_ip_csum() return the
 * checksum in host order; the field holds it in network order, so
 * storing htons(value) (or value >> 8, then value & 0xff) is correct.
 * Both, and the incremental update of pkt_set_ts() unless the field it
 * starts from holds 0xffff, write a zero checksum as 0x0000, never as
 * 0xffff (RFC 1624, section 3), so a packet gets the same bits whichever
 * way its checksum was made.
 */

/* Runs shorter than this are summed byte by byte (the TS option, headers). */
#define SUM_WIDE_MIN 64

static uint16_t get16(const uint8_t *b)
{
	return (uint16_t)(b[0] << 8 | b[1]);
}

static uint32_t get32(const uint8_t *b)
{
	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 |
	       (uint32_t)b[2] << 8 | b[3];
}

static void put16(uint8_t *b, uint16_t v)
{
	b[0] = v >> 8;
	b[1] = v & 0xff;
}

static void put32(uint8_t *b, uint32_t v)
{
	b[0] = v >> 24;
	b[1] = (v >> 16) & 0xff;
	b[2] = (v >> 8) & 0xff;
	b[3] = v & 0xff;
}

/* fold() - reduce an unfolded sum to 16 bits with end-around carries. */
static uint16_t fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

/*
 * sum_wide() - the one's complement sum of @n bytes (a multiple of 8) that
 * start on the word grid, folded to 16 bits
 *
 * For a packet's payload (a GSO packet's is up to 64 KiB): eight bytes
 * per step, loaded in the host's byte order.  Swapping the bytes of every
 * word swaps the bytes of their one's complement sum (RFC 1071, section
 * 2(B)), so on a little-endian host the folded sum is swapped back once.
 */
static uint32_t sum_wide(const uint8_t *b, size_t n)
{
	uint64_t acc = 0;
	uint16_t r;
	size_t i;

	for (i = 0; i < n; i += 8) {
		uint64_t w;

		memcpy(&w, b + i, sizeof(w));
		acc += (w & 0xffffffff) + (w >> 32);
	}
	acc = (acc & 0xffffffff) + (acc >> 32);
	acc = (acc & 0xffffffff) + (acc >> 32);
	r = fold((uint32_t)acc);
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	r = (uint16_t)(r << 8 | r >> 8);
#endif
	return r;
}

/*
 * sum_bytes() - add n bytes to a one's complement sum, unfolded
 * @odd: the first byte sits at an odd offset of the 16-bit word grid, so
 *       it is a low half
 *
 * The missing half of a word cut at either end counts as zero.  A 32-bit
 * accumulator cannot overflow: IPv4 packets are at most 65535 bytes.
 */
static uint32_t sum_bytes(uint32_t sum, const uint8_t *b, size_t n, int odd)
{
	size_t i = 0, wide;

	if (odd && n) {
		sum += b[0];
		i = 1;
	}
	wide = (n - i) & ~(size_t)7;
	if (wide >= SUM_WIDE_MIN) {
		sum += sum_wide(b + i, wide);
		i += wide;
	}
	for (; i + 1 < n; i += 2)
		sum += (uint32_t)b[i] << 8 | b[i + 1];
	if (i < n)
		sum += (uint32_t)b[i] << 8;
	return sum;
}

/* tcp_len() - bytes of the TCP segment (header and payload) in @p. */
static size_t tcp_len(const struct pkt *p)
{
	return p->thl + p->payload;
}

/*
 * tcp_sum() - unfolded sum of the pseudo-header and the TCP segment,
 * with the checksum field counted as zero unless @with_field.
 */
static uint32_t tcp_sum(const struct pkt *p, int with_field)
{
	const uint8_t *th = p->data + p->ihl;
	size_t n = tcp_len(p);
	uint32_t sum;

	sum = (p->saddr >> 16) + (p->saddr & 0xffff);
	sum += (p->daddr >> 16) + (p->daddr & 0xffff);
	sum += IP_PROTO_TCP + (uint32_t)n;
	if (with_field)
		return sum_bytes(sum, th, n, 0);
	sum = sum_bytes(sum, th, TCP_CSUM_OFF, 0);
	return sum_bytes(sum, th + TCP_CSUM_OFF + 2, n - TCP_CSUM_OFF - 2, 0);
}

/*
 * parse_opts() - walk the TCP options of @q (thl set) into @q.
 * Return: 0, or -EINVAL for a malformed option list.
 */
static int parse_opts(struct pkt *q)
{
	const uint8_t *th = q->data + q->ihl;
	size_t i = TCP_HDR_MIN;
	size_t end = q->thl;

	while (i < end) {
		uint8_t kind = th[i];
		uint8_t olen;

		if (kind == OPT_EOL)
			break;
		if (kind == OPT_NOP) {
			i++;
			continue;
		}
		if (end - i < 2)
			return -EINVAL;
		olen = th[i + 1];
		if (olen < 2 || olen > end - i)
			return -EINVAL;
		switch (kind) {
		case OPT_MSS:
			if (olen != OPT_MSS_LEN)
				return -EINVAL;
			q->mss = get16(th + i + 2);
			break;
		case OPT_WS:
			if (olen != OPT_WS_LEN)
				return -EINVAL;
			/* Raw: the kernel clamps values above 14 itself. */
			q->wscale = th[i + 2];
			break;
		case OPT_SACK_PERM:
			if (olen != OPT_SACK_PERM_LEN)
				return -EINVAL;
			q->sack_ok = 1;
			break;
		case OPT_TS:
			if (olen != OPT_TS_LEN)
				return -EINVAL;
			q->has_ts = 1;
			q->tsval = get32(th + i + 2);
			q->tsecr = get32(th + i + 6);
			q->ts_off = q->ihl + i;
			break;
		default:
			break;
		}
		i += olen;
	}
	return 0;
}

/*
 * The packet is tot_len bytes; anything after it in the buffer is
 * ignored, and p->len still reports the whole buffer.  A first fragment
 * (MF set, offset 0) is parsed when its TCP header is complete; its
 * payload counts only the bytes of this fragment, so pkt_tcp_csum() is
 * meaningless for it, but pkt_set_ts() still updates its checksum right.
 * The IPv4 header checksum is not checked: the kernel already did.
 */
int pkt_parse(struct pkt *p, uint8_t *buf, size_t len)
{
	struct pkt q;
	size_t tot_len;
	uint16_t frag;
	const uint8_t *th;

	if (len < 1)
		return -EINVAL;
	if (buf[0] >> 4 != 4)
		return -EPROTONOSUPPORT;
	if (len < 20)
		return -EINVAL;
	q.data = buf;
	q.len = len;
	q.ihl = (size_t)(buf[0] & 0x0f) * 4;
	if (q.ihl < 20 || q.ihl > len)
		return -EINVAL;
	tot_len = get16(buf + 2);
	if (tot_len < q.ihl || tot_len > len)
		return -EINVAL;
	if (buf[9] != IP_PROTO_TCP)
		return -EPROTONOSUPPORT;
	frag = get16(buf + 6);
	if (frag & IP_OFFMASK)
		return -EPROTONOSUPPORT;

	if (tot_len - q.ihl < TCP_HDR_MIN)
		return -EINVAL;
	th = buf + q.ihl;
	q.thl = (size_t)(th[12] >> 4) * 4;
	if (q.thl < TCP_HDR_MIN || q.thl > tot_len - q.ihl)
		return -EINVAL;

	q.saddr = get32(buf + 12);
	q.daddr = get32(buf + 16);
	q.sport = get16(th);
	q.dport = get16(th + 2);
	q.seq = get32(th + 4);
	q.ack = get32(th + 8);
	q.flags = th[13];
	q.payload = tot_len - q.ihl - q.thl;
	q.has_ts = 0;
	q.tsval = 0;
	q.tsecr = 0;
	q.ts_off = 0;
	q.mss = 0;
	q.wscale = -1;
	q.sack_ok = 0;
	if (parse_opts(&q))
		return -EINVAL;
	*p = q;
	return 0;
}

/*
 * The 8 bytes of TSval and TSecr are summed as they lie on the header's
 * word grid, before and after the change: when they start at an odd
 * offset, the neighbouring bytes complete the first and last words, but
 * they do not change and so cancel out of ~m + m'.
 */
void pkt_set_ts(struct pkt *p, uint32_t tsval, uint32_t tsecr, int csum_partial)
{
	uint8_t *ts = p->data + p->ts_off + 2;
	uint8_t *csum = p->data + p->ihl + TCP_CSUM_OFF;
	int odd = (p->ts_off + 2 - p->ihl) & 1;
	uint32_t old_sum, sum;

	if (!p->has_ts)
		return;
	old_sum = sum_bytes(0, ts, 8, odd);
	put32(ts, tsval);
	put32(ts + 4, tsecr);
	p->tsval = tsval;
	p->tsecr = tsecr;
	if (csum_partial)
		return;

	/* RFC 1624, eqn. 3: HC' = ~(~HC + ~m + m') */
	sum = (uint16_t)~get16(csum);
	sum += (uint16_t)~fold(old_sum);
	sum = sum_bytes(sum, ts, 8, odd);
	put16(csum, (uint16_t)~fold(sum));
}

uint16_t pkt_tcp_csum(const struct pkt *p)
{
	return (uint16_t)~fold(tcp_sum(p, 0));
}

/* Right when everything, the field included, sums to 0xffff (-0). */
void pkt_fix_tcp_csum(struct pkt *p)
{
	uint16_t c = pkt_tcp_csum(p);
	uint8_t *f = p->data + p->ihl + 16;

	f[0] = (uint8_t)(c >> 8);
	f[1] = (uint8_t)c;
}

int pkt_tcp_csum_ok(const struct pkt *p)
{
	return fold(tcp_sum(p, 1)) == 0xffff;
}

/* @ihl is at least 20, as pkt_parse() checks. */
uint16_t pkt_csum(const void *buf, size_t len)
{
	return (uint16_t)~fold(sum_bytes(0, buf, len, 0));
}

uint16_t pkt_ip_csum(const uint8_t *iph, size_t ihl)
{
	uint32_t sum;

	sum = sum_bytes(0, iph, 10, 0);
	sum = sum_bytes(sum, iph + 12, ihl - 12, 0);
	return (uint16_t)~fold(sum);
}

size_t pkt_icmp_unreach(uint8_t *buf, size_t len, const void *quote,
			size_t qlen)
{
	size_t n = 8 + qlen;

	if (len < n)
		return 0;
	memset(buf, 0, 8);
	buf[0] = 3; /* destination unreachable */
	buf[1] = 3; /* port unreachable */
	memcpy(buf + 8, quote, qlen);
	put16(buf + 2, pkt_csum(buf, n));
	return n;
}

void pkt_ipv4_hdr(uint8_t buf[20], uint8_t proto, uint16_t total, uint16_t id,
		  uint16_t frag, uint32_t src, uint32_t dst)
{
	memset(buf, 0, 20);
	buf[0] = 0x45;	       /* version 4, 20-byte header */
	put16(buf + 2, total); /* total length */
	put16(buf + 4, id);    /* identification */
	put16(buf + 6, frag);  /* flags and fragment offset */
	buf[8] = 64;	       /* TTL */
	buf[9] = proto;	       /* protocol */
	put32(buf + 12, src);
	put32(buf + 16, dst);
	put16(buf + 10, pkt_ip_csum(buf, 20));
}

/* The IPv4 header of a quoted packet of @total bytes, DF, and the ports
 * of its transport header. */
static void quote_ports(uint8_t buf[28], uint8_t proto, uint16_t total,
			uint32_t src, uint16_t sport, uint32_t dst,
			uint16_t dport)
{
	memset(buf, 0, 28);
	pkt_ipv4_hdr(buf, proto, total, 0, 0x4000, src, dst);
	put16(buf + 20, sport);
	put16(buf + 22, dport);
}

size_t pkt_ipv4_tcp_quote(uint8_t buf[28], uint32_t src, uint16_t sport,
			  uint32_t dst, uint16_t dport)
{
	/* headers alone; sequence number 0 */
	quote_ports(buf, IP_PROTO_TCP, 40, src, sport, dst, dport);
	return 28;
}

size_t pkt_ipv4_udp_quote(uint8_t buf[28], uint32_t src, uint16_t sport,
			  uint32_t dst, uint16_t dport)
{
	/* one byte of payload; no UDP checksum (0: none, RFC 768) */
	quote_ports(buf, IP_PROTO_UDP, 29, src, sport, dst, dport);
	put16(buf + 24, 9);
	return 28;
}
