/* nft.c - nftables batches: building one up, sending it, reading the acks. */

/*
 * Theory of operation
 *
 * A batch is one buffer of netlink messages: NFNL_MSG_BATCH_BEGIN, the
 * nf_tables requests, NFNL_MSG_BATCH_END; the kernel applies all of it
 * as one transaction or none of it.  Builders let libnftnl write each
 * request at the tail of a libmnl batch (mnl_nlmsg_batch); batch_commit()
 * accepts it and records a description under its sequence number.  The
 * builders themselves, the rulesets, are in nftrules.c and nftcone.c,
 * made of the blocks of nftbuild.c; none of them does I/O.  Only this
 * file talks to the kernel, through netlink_talk()
 * (netlink.c): nft_batch_send() and the one query, nft_fullcone_has(); so
 * unit tests parse the built bytes back as root or not.
 *
 * libnftnl writes a message without knowing how much room is left, so the
 * buffer keeps NFT_MSG_MAX bytes of headroom past the libmnl limit, and
 * batch_commit() checks the size, growing the buffer up to NFT_BATCH_MAX,
 * before a message becomes part of the batch.  Room for BATCH_END is
 * reserved at every step, so ending a batch cannot fail.
 *
 * Every request carries NLM_F_ACK.  The kernel queues the acks once the
 * whole batch is processed (nfnetlink_rcv_batch(): a failing batch
 * reports every failure; we show the first).  A commit that fails after
 * every request was accepted is acked against BATCH_BEGIN.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/netlink.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nf_tables.h>

#include <libmnl/libmnl.h>
#include <libnftnl/common.h>

#include "lib/log.h"
#include "lib/netlink.h"
#include "lib/nft.h"
#include "lib/nft_int.h"
#include "lib/util.h"

/* The buffer starts at NFT_BATCH_MIN and doubles up to NFT_BATCH_MAX;
 * one gateway's ruleset takes about 2 KiB. */
#define NFT_BATCH_MIN (8 * 1024)
#define NFT_BATCH_MAX (64 * 1024)
/* Headroom past the limit: more than any one message we build (a rule
 * of eight expressions is under 600 bytes). */
#define NFT_MSG_MAX (4 * 1024)
/* BATCH_END: a header and a struct nfgenmsg. */
#define NFT_END_LEN MNL_ALIGN(MNL_NLMSG_HDRLEN + sizeof(struct nfgenmsg))

struct nft_batch {
	char *buf;		    /* cap + NFT_MSG_MAX bytes */
	size_t cap;		    /* limit handed to libmnl */
	struct mnl_nlmsg_batch *mb; /* BEGIN and accepted messages */
	uint32_t seq0;		    /* sequence number of BATCH_BEGIN */
	char **desc;		    /* desc[i]: message seq0 + 1 + i */
	int count;		    /* messages between BEGIN and END */
	int desc_cap;
	bool ended;
	bool sent;
};

/* Make libmnl's batch cover the first len bytes of its buffer again.
 * They hold whole messages within the limit, so every step succeeds,
 * and as mnl_nlmsg_batch_next() never overflowed, reset keeps BEGIN. */
static void batch_rewind(struct mnl_nlmsg_batch *mb, size_t len)
{
	mnl_nlmsg_batch_reset(mb);
	while (mnl_nlmsg_batch_size(mb) < len)
		if (!mnl_nlmsg_batch_next(mb))
			break;
}

/* Move to a buffer of twice the capacity, pending message included. */
static int batch_grow(struct nft_batch *b)
{
	size_t cap = b->cap * 2 > NFT_BATCH_MAX ? NFT_BATCH_MAX : b->cap * 2;
	struct mnl_nlmsg_batch *mb;
	char *buf;

	buf = xcalloc(1, cap + NFT_MSG_MAX);
	memcpy(buf, b->buf, b->cap + NFT_MSG_MAX);
	mb = mnl_nlmsg_batch_start(buf, cap);
	if (!mb) {
		free(buf);
		return -ENOMEM;
	}
	batch_rewind(mb, mnl_nlmsg_batch_size(b->mb));
	mnl_nlmsg_batch_stop(b->mb);
	free(b->buf);
	b->buf = buf;
	b->cap = cap;
	b->mb = mb;
	return 0;
}

static uint32_t batch_seq(const struct nft_batch *b)
{
	return b->seq0 + 1 + (uint32_t)b->count;
}

struct nlmsghdr *batch_hdr(struct nft_batch *b, uint16_t type, uint16_t flags)
{
	return nftnl_nlmsg_build_hdr(mnl_nlmsg_batch_current(b->mb), type,
				     NFPROTO_IPV4, flags | NLM_F_ACK,
				     batch_seq(b));
}

int batch_commit(struct nft_batch *b, const char *desc)
{
	const struct nlmsghdr *nlh = mnl_nlmsg_batch_current(b->mb);
	size_t need = mnl_nlmsg_batch_size(b->mb) + nlh->nlmsg_len;
	char *copy;
	int err;

	if (nlh->nlmsg_len > NFT_MSG_MAX) {
		/* The headroom was overrun: the heap is no longer sane. */
		log_err("nft: %u-byte message overran the batch buffer",
			nlh->nlmsg_len);
		abort();
	}
	while (need + NFT_END_LEN > b->cap) {
		if (b->cap >= NFT_BATCH_MAX)
			return -ENOSPC;
		err = batch_grow(b);
		if (err)
			return err;
	}
	if (b->count == b->desc_cap) {
		b->desc_cap = b->desc_cap ? b->desc_cap * 2 : 8;
		b->desc = xrealloc(b->desc, (size_t)b->desc_cap,
				   sizeof(*b->desc));
	}
	copy = xstrdup(desc);
	mnl_nlmsg_batch_next(b->mb);
	b->desc[b->count++] = copy;
	return 0;
}

void batch_undo(struct nft_batch *b, size_t len, int count)
{
	while (b->count > count)
		free(b->desc[--b->count]);
	batch_rewind(b->mb, len);
}

bool batch_ended(const struct nft_batch *b)
{
	return b->ended;
}

struct nft_batch *nft_batch_new(void)
{
	struct nft_batch *b;

	b = xcalloc(1, sizeof(*b));
	b->cap = NFT_BATCH_MIN;
	b->buf = xcalloc(1, b->cap + NFT_MSG_MAX);
	b->mb = mnl_nlmsg_batch_start(b->buf, b->cap);
	if (!b->mb)
		goto fail;
	/* Sequence numbers need only be unique among the answers a socket
	 * has not read yet, and every send reads all of its batch's:
	 * fixed ones keep the bytes reproducible. */
	b->seq0 = 1;
	nftnl_batch_begin(mnl_nlmsg_batch_current(b->mb), b->seq0);
	mnl_nlmsg_batch_next(b->mb);
	return b;
fail:
	free(b->buf);
	free(b);
	errno = ENOMEM;
	return NULL;
}

void nft_batch_free(struct nft_batch *b)
{
	if (!b)
		return;
	while (b->count > 0)
		free(b->desc[--b->count]);
	free(b->desc);
	if (b->mb)
		mnl_nlmsg_batch_stop(b->mb);
	free(b->buf);
	free(b);
}

void nft_batch_end(struct nft_batch *b)
{
	if (b->ended)
		return;
	/* batch_commit() kept NFT_END_LEN bytes free below the limit. */
	nftnl_batch_end(mnl_nlmsg_batch_current(b->mb), batch_seq(b));
	mnl_nlmsg_batch_next(b->mb);
	b->ended = true;
}

const void *nft_batch_data(const struct nft_batch *b)
{
	return b->buf;
}

size_t nft_batch_len(const struct nft_batch *b)
{
	return mnl_nlmsg_batch_size(b->mb);
}

int nft_batch_count(const struct nft_batch *b)
{
	return b->count;
}

const char *nft_batch_desc(const struct nft_batch *b, int i)
{
	return i >= 0 && i < b->count ? b->desc[i] : NULL;
}

static void __attribute__((format(printf, 3, 4)))
set_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || !errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* What the message with this sequence number asked for. */
static const char *seq_desc(const struct nft_batch *b, uint32_t seq)
{
	if (seq == b->seq0)
		return "nftables batch";
	if (seq == batch_seq(b))
		return "end of nftables batch";
	if (seq > b->seq0 && seq < batch_seq(b))
		return b->desc[seq - b->seq0 - 1];
	return "nftables batch";
}

int nft_batch_send(struct nft_batch *b, struct netlink *nl, char *err,
		   size_t errlen)
{
	struct netlink own = {0};
	int ret;

	set_err(err, errlen, "%s", "");
	if (b->sent) {
		set_err(err, errlen, "nftables batch was already sent");
		return -EALREADY;
	}
	nft_batch_end(b);
	b->sent = true;
	if (!b->count)
		return 0;
	if (!nl) {
		ret = netlink_open(&own, NETLINK_NETFILTER);
		if (ret) {
			/* socket()'s answer when nfnetlink is not there */
			set_err(err, errlen, "netfilter netlink socket: %s%s",
				strerror(-ret),
				ret == -EPROTONOSUPPORT
					? " (this kernel has no nftables: "
					  "modprobe nf_tables, or a kernel "
					  "with CONFIG_NF_TABLES)"
					: "");
			return ret;
		}
		nl = &own;
	}
	/* The default wmem (208 KiB) always takes NFT_BATCH_MAX. */
	ret = netlink_talk(nl, nft_batch_data(b), nft_batch_len(b), b->count,
			   NULL, NULL);
	if (ret && nl->err_seq)
		set_err(err, errlen, "%s: %s%s%s", seq_desc(b, nl->err_seq),
			strerror(-ret), nl->msg[0] ? ": " : "", nl->msg);
	else if (ret)
		set_err(err, errlen, "nftables batch: %s%s%s", strerror(-ret),
			nl->msg[0] ? ": " : "", nl->msg);
	netlink_close(&own);
	return ret;
}

static int has_cb(const struct nlmsghdr *nlh, void *data)
{
	if ((nlh->nlmsg_type & 0xff) == NFT_MSG_NEWSETELEM)
		*(int *)data = 1;
	return MNL_CB_OK;
}

int nft_fullcone_has(uint8_t proto, uint32_t int_addr, uint16_t int_port)
{
	uint8_t buf[MNL_SOCKET_BUFFER_SIZE];
	struct netlink nl;
	int found = 0, err;
	size_t len;

	err = netlink_open(&nl, NETLINK_NETFILTER);
	if (err)
		return err;
	len = nft_fullcone_has_req(buf, netlink_next_seq(&nl), proto, int_addr,
				   int_port);
	/* The element, then the ack; or ENOENT: no such key. */
	err = len ? netlink_talk(&nl, buf, len, 1, has_cb, &found) : -ENOMEM;
	netlink_close(&nl);
	if (err == -ENOENT)
		return 0;
	return err ? err : found;
}
