/* tsclock.bpf.c - host clocks in the kernel: a tc program that maps the
 * TSval a client sends and the TSecr it receives, as the engine does. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/pkt_cls.h>

#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#include "engine/tsbpf_abi.h"
#include "engine/tsmath.h"
#include "lib/tcpwire.h"

/*
 * Theory of operation.  The loader (tsbpf.c) attaches tsclock_egress and
 * tsclock_ingress to both directions of a host-clock client's own
 * interfaces, inside its namespace, through tcx links that the engine
 * holds: when the engine's process ends, for any reason, the links and
 * the rewriting end with it.  For an IPv4 TCP packet whose client
 * address is in the map, the program walks the TCP options exactly as
 * pkt_parse() does (a malformed list leaves the packet alone) and, if
 * there is a timestamp option, maps TSval on the way out and unmaps
 * TSecr of an ACK on the way in, with the arithmetic of tsmath.h that
 * the engine compiles too.
 *
 * Checksums: bpf_l4_csum_replace() changes the TCP checksum field by the
 * difference of the old and new 32-bit words.  On a packet whose checksum
 * the stack has not finished (CHECKSUM_PARTIAL) it leaves the field
 * alone, since the field then holds only the pseudo-header sum and the
 * options will be summed later; on CHECKSUM_COMPLETE the sum of the whole
 * packet does not change (data and field move by opposite amounts), so
 * skb->csum stays right.  A GSO packet is rewritten once: every segment
 * copies its TCP header, option included.
 */

/* ip_summed of a packet whose checksum the device or stack will finish. */
#define CSUM_PARTIAL 3

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1); /* the loader sets the number of clients */
	__type(key, __u32);
	__type(value, struct tsbpf_client);
} clients SEC(".maps");

/* Enough of struct sk_buff to read ip_summed (CO-RE finds the rest). */
struct sk_buff {
	__u8 ip_summed : 2;
} __attribute__((preserve_access_index));

extern void *bpf_cast_to_kern_ctx(void *obj) __ksym;

static __always_inline __u32 get32(const __u8 *b, __u32 i)
{
	return (__u32)b[i & 63] << 24 | (__u32)b[(i + 1) & 63] << 16 |
	       (__u32)b[(i + 2) & 63] << 8 | b[(i + 3) & 63];
}

/* The walk over a packet's TCP options, one option per step. */
struct opt_walk {
	__u8 opt[64]; /* the option space, zero beyond len */
	__u32 len;
	__u32 i;
	int ts; /* offset of the last TS option; -1 none, -2 malformed */
};

/*
 * One step of the option list of pkt_parse(): EOL ends it, NOP is one
 * byte, every other option has a length >= 2 that fits, and MSS, window
 * scale, SACK permitted and timestamps have their fixed lengths.  Every
 * step takes at least one byte, so TCP_OPT_MAX steps cover the list.
 * Return: 0 to go on, 1 to stop (bpf_loop()'s convention).
 */
static long opt_step(__u32 n, void *arg)
{
	struct opt_walk *w = arg;
	__u32 i = w->i;
	__u8 kind, olen;

	if (i >= w->len)
		return 1;
	kind = w->opt[i & 63];
	if (kind == OPT_EOL)
		return 1;
	if (kind == OPT_NOP) {
		w->i = i + 1;
		return 0;
	}
	olen = w->opt[(i + 1) & 63];
	if (w->len - i < 2 || olen < 2 || olen > w->len - i ||
	    (kind == OPT_MSS && olen != 4) || (kind == OPT_WS && olen != 3) ||
	    (kind == OPT_SACK_PERM && olen != 2) ||
	    (kind == OPT_TS && olen != 10)) {
		w->ts = -2;
		return 1;
	}
	if (kind == OPT_TS)
		w->ts = (int)i;
	w->i = i + olen;
	return 0;
}

/*
 * Replace the 32-bit field at @off (from the TCP header) and fix the
 * checksum.  bpf_l4_csum_replace() sums its words as if they started on
 * the 16-bit grid; at an odd offset the field's bytes are the other
 * halves of their words, and swapping the bytes of every word swaps the
 * one's complement sum (RFC 1071, 2(B)), so the byte-reversed words give
 * the right difference.
 */
static __always_inline int put_field(struct __sk_buff *skb, __u32 l4, __u32 off,
				     __u32 old, __u32 new)
{
	__u32 from = bpf_htonl(old), to = bpf_htonl(new);
	int err;

	/* The store first: if it fails the packet is as it was.  Once it
	 * succeeded the header is writable and the offset valid, which is
	 * all the checksum update can fail on. */
	err = bpf_skb_store_bytes(skb, l4 + off, &to, sizeof(to), 0);
	if (err)
		return err;
	if (off & 1)
		return bpf_l4_csum_replace(skb, l4 + TCP_CSUM_OFF,
					   __builtin_bswap32(from),
					   __builtin_bswap32(to), sizeof(to));
	return bpf_l4_csum_replace(skb, l4 + TCP_CSUM_OFF, from, to,
				   sizeof(to));
}

static __always_inline int tsclock(struct __sk_buff *skb, int out)
{
	__u8 ip[20], th[TCP_HDR_MIN];
	struct opt_walk w;
	struct tsbpf_client *c;
	__u32 ihl, tot, thl, l4, key, tsval, tsecr;
	int ts, err = 0;

	if (skb->protocol != bpf_htons(ETH_P_IP))
		return TC_ACT_OK;
	if (bpf_skb_load_bytes(skb, ETH_HLEN, ip, sizeof(ip)))
		return TC_ACT_OK;
	if (ip[0] >> 4 != 4 || ip[9] != IP_PROTO_TCP)
		return TC_ACT_OK;
	if (((__u32)ip[6] << 8 | ip[7]) & IP_OFFMASK)
		return TC_ACT_OK;
	__builtin_memcpy(&key, out ? &ip[12] : &ip[16], sizeof(key));
	c = bpf_map_lookup_elem(&clients, &key);
	if (!c)
		return TC_ACT_OK;
	__sync_fetch_and_add(&c->seen, 1);

	ihl = (__u32)(ip[0] & 0x0f) * 4;
	tot = (__u32)ip[2] << 8 | ip[3];
	if (ihl < 20 || tot < ihl + TCP_HDR_MIN || tot > skb->len - ETH_HLEN)
		goto malformed;
	l4 = ETH_HLEN + ihl;
	if (bpf_skb_load_bytes(skb, l4, th, sizeof(th)))
		goto malformed;
	thl = (__u32)(th[12] >> 4) * 4;
	if (thl < TCP_HDR_MIN || thl > tot - ihl)
		goto malformed;
	if (thl == TCP_HDR_MIN)
		return TC_ACT_OK;
	__builtin_memset(&w, 0, sizeof(w));
	w.len = thl - TCP_HDR_MIN;
	w.ts = -1;
	if (bpf_skb_load_bytes(skb, l4 + TCP_HDR_MIN, w.opt, w.len))
		goto malformed;
	bpf_loop(TCP_OPT_MAX, opt_step, &w, 0);
	ts = w.ts;
	if (ts == -2)
		goto malformed;
	if (ts < 0)
		return TC_ACT_OK;

	tsval = get32(w.opt, (__u32)ts + 2);
	tsecr = get32(w.opt, (__u32)ts + 6);
	if (out)
		err = put_field(skb, l4, TCP_HDR_MIN + (__u32)ts + 2, tsval,
				tsmath_map(tsval, c->offset, c->skew_ppm));
	else if (th[13] & 0x10) /* ACK: TSecr holds a value */
		err = put_field(
			skb, l4, TCP_HDR_MIN + (__u32)ts + 6, tsecr,
			tsmath_unmap(tsecr, c->offset, c->skew_ppm,
				     c->skew_ppm ? (__u32)(bpf_ktime_get_ns() /
							   1000000)
						 : 0));
	if (err)
		goto malformed; /* left alone: the write failed */
	__sync_fetch_and_add(&c->rewritten, 1);
	if (skb->gso_size)
		__sync_fetch_and_add(&c->gso, 1);
	{
		struct sk_buff *k = bpf_cast_to_kern_ctx(skb);

		if (BPF_CORE_READ_BITFIELD(k, ip_summed) == CSUM_PARTIAL)
			__sync_fetch_and_add(&c->csum_partial, 1);
	}
	return TC_ACT_OK;
malformed:
	__sync_fetch_and_add(&c->malformed, 1);
	return TC_ACT_OK;
}

SEC("tc")
int tsclock_egress(struct __sk_buff *skb)
{
	return tsclock(skb, 1);
}

SEC("tc")
int tsclock_ingress(struct __sk_buff *skb)
{
	return tsclock(skb, 0);
}

/*
 * The guard, for engine.fail_open = 0: a classic tc filter that drops the
 * client's TCP packets.  It runs only when no rewriting program passed
 * the packet first, that is when the engine that owns the programs' links
 * is gone, so the client is cut off as an NFQUEUE with nobody listening
 * would cut it off.
 */
SEC("tc")
int tsclock_guard(struct __sk_buff *skb)
{
	__u8 proto;

	if (skb->protocol != bpf_htons(ETH_P_IP))
		return TC_ACT_OK;
	if (bpf_skb_load_bytes(skb, ETH_HLEN + 9, &proto, 1))
		return TC_ACT_OK;
	return proto == IP_PROTO_TCP ? TC_ACT_SHOT : TC_ACT_OK;
}
