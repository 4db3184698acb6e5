/* nft.c - nftables batches: building one up, sending it, reading the acks. */

/*
 * Theory of operation
 *
 * A batch is one buffer of netlink messages: NFNL_MSG_BATCH_BEGIN, the
 * nf_tables requests, NFNL_MSG_BATCH_END; the kernel applies all of it
 * as one transaction or none of it.  Builders let libnftnl write each
 * request at the tail of a libmnl batch (mnl_nlmsg_batch); batch_commit()
 * accepts it and records a description under its sequence number.  The
 * builders themselves, the rulesets, are in nftrules.c.  Only
 * nft_batch_send() does I/O, so unit tests parse the bytes back as root
 * or not.
 *
 * libnftnl writes a message without knowing how much room is left, so the
 * buffer keeps NFT_MSG_MAX bytes of headroom past the libmnl limit, and
 * batch_commit() checks the size, growing the buffer up to NFT_BATCH_MAX,
 * before a message becomes part of the batch.  Room for BATCH_END is
 * reserved at every step, so ending a batch cannot fail.
 *
 * Every request carries NLM_F_ACK.  The kernel queues the acks in order
 * once the whole batch is processed (nfnetlink_rcv_batch(): a failing
 * batch reports every failure; we show the first).  A commit that fails
 * after every request was accepted is acked against BATCH_BEGIN.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <linux/netlink.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nf_tables.h>

#include <libmnl/libmnl.h>
#include <libnftnl/common.h>

#include "lib/log.h"
#include "lib/nft.h"
#include "lib/nft_int.h"

/* The buffer starts at NFT_BATCH_MIN and doubles up to NFT_BATCH_MAX;
 * one gateway's ruleset takes about 2 KiB. */
#define NFT_BATCH_MIN (8 * 1024)
#define NFT_BATCH_MAX (64 * 1024)
/* Headroom past the limit: more than any one message we build (a rule
 * of eight expressions is under 600 bytes). */
#define NFT_MSG_MAX (4 * 1024)
/* BATCH_END: a header and a struct nfgenmsg. */
#define NFT_END_LEN MNL_ALIGN(MNL_NLMSG_HDRLEN + sizeof(struct nfgenmsg))
/* Receive buffer: MNL_SOCKET_BUFFER_SIZE is min(page size, 8 KiB); 8 KiB
 * also holds an error ack quoting a request, should NETLINK_CAP_ACK be
 * missing. */
#define NFT_RECV_SIZE (8 * 1024)
/* Socket receive queue per pending ack: an skb's truesize, with room. */
#define NFT_ACK_ROOM 2048
/* Acks are queued before sendto() returns; this only bounds the wait
 * should a kernel never answer. */
#define NFT_ACK_TIMEOUT_S 5

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

	buf = calloc(1, cap + NFT_MSG_MAX);
	if (!buf)
		return -ENOMEM;
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
		int n = b->desc_cap ? b->desc_cap * 2 : 8;
		char **d = realloc(b->desc, (size_t)n * sizeof(*d));

		if (!d)
			return -ENOMEM;
		b->desc = d;
		b->desc_cap = n;
	}
	copy = strdup(desc);
	if (!copy)
		return -ENOMEM;
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

	b = calloc(1, sizeof(*b));
	if (!b)
		return NULL;
	b->cap = NFT_BATCH_MIN;
	b->buf = calloc(1, b->cap + NFT_MSG_MAX);
	if (!b->buf)
		goto fail;
	b->mb = mnl_nlmsg_batch_start(b->buf, b->cap);
	if (!b->mb)
		goto fail;
	/* Sequence numbers need only be unique on a socket, and each send
	 * opens its own: fixed ones keep the bytes reproducible. */
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
	return b->desc[seq - b->seq0 - 1];
}

static int extack_attr(const struct nlattr *attr, void *data)
{
	const char **msg = data;

	if (mnl_attr_get_type(attr) == NLMSGERR_ATTR_MSG &&
	    mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) == 0)
		*msg = mnl_attr_get_str(attr);
	return MNL_CB_OK;
}

/* The kernel's error text in an ack (NETLINK_EXT_ACK), or NULL. */
static const char *extack_msg(const struct nlmsghdr *nlh)
{
	const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);
	size_t off = sizeof(*e);
	const char *msg = NULL;

	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return NULL;
	/* Without NLM_F_CAPPED the request is quoted before the TLVs. */
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED) &&
	    e->msg.nlmsg_len > MNL_NLMSG_HDRLEN)
		off += MNL_ALIGN(e->msg.nlmsg_len - MNL_NLMSG_HDRLEN);
	if (off >= mnl_nlmsg_get_payload_len(nlh))
		return NULL;
	mnl_attr_parse(nlh, (unsigned int)off, extack_attr, &msg);
	return msg;
}

/* Check one reply: it must ack the next request, or fail one. */
static int ack_check(struct nft_batch *b, const struct nlmsghdr *nlh,
		     uint32_t portid, int *acked, char *err, size_t errlen)
{
	uint32_t want = b->seq0 + 1 + (uint32_t)*acked;
	uint32_t seq = nlh->nlmsg_seq;
	const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);
	const char *msg;

	if (!mnl_nlmsg_portid_ok(nlh, portid)) {
		set_err(err, errlen, "netlink reply for port %u, ours is %u",
			nlh->nlmsg_pid, portid);
		return -EPROTO;
	}
	if (nlh->nlmsg_type != NLMSG_ERROR ||
	    nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*e)) || seq < b->seq0 ||
	    seq > batch_seq(b)) {
		set_err(err, errlen,
			"unexpected netlink reply (type %u, sequence number "
			"%u, batch %u-%u)",
			nlh->nlmsg_type, seq, b->seq0, batch_seq(b));
		return -EPROTO;
	}
	if (e->error < 0) {
		msg = extack_msg(nlh);
		set_err(err, errlen, "%s: %s%s%s", seq_desc(b, seq),
			strerror(-e->error), msg ? ": " : "", msg ? msg : "");
		return e->error;
	}
	if (e->error > 0 || seq != want) {
		set_err(err, errlen, "%s: out-of-order ack (seq %u, error %d)",
			seq_desc(b, want), seq, e->error);
		return -EPROTO;
	}
	(*acked)++;
	return 0;
}

/* Read until every request is acked or one failed. */
static int ack_read(struct nft_batch *b, struct mnl_socket *nl, char *err,
		    size_t errlen)
{
	uint32_t portid = mnl_socket_get_portid(nl);
	char *buf = malloc(NFT_RECV_SIZE);
	const struct nlmsghdr *nlh;
	int acked = 0, ret = 0, len;
	ssize_t n;

	if (!buf)
		return -ENOMEM;
	while (acked < b->count) {
		n = mnl_socket_recvfrom(nl, buf, NFT_RECV_SIZE);
		if (n < 0) {
			ret = errno == EAGAIN ? -ETIMEDOUT : -errno;
			set_err(err, errlen, "%s: waiting for ack: %s",
				seq_desc(b, b->seq0 + 1 + (uint32_t)acked),
				strerror(-ret));
			break;
		}
		len = (int)n;
		for (nlh = (const struct nlmsghdr *)buf;
		     !ret && mnl_nlmsg_ok(nlh, len);
		     nlh = mnl_nlmsg_next(nlh, &len))
			ret = ack_check(b, nlh, portid, &acked, err, errlen);
		if (ret)
			break;
	}
	free(buf);
	return ret;
}

/* Error text, short acks, a bounded wait, and a receive queue that holds
 * an ack for every request of a large batch. */
static int sock_setup(struct mnl_socket *nl, int count)
{
	struct timeval tv = {.tv_sec = NFT_ACK_TIMEOUT_S};
	int fd = mnl_socket_get_fd(nl);
	int one = 1, want = count * NFT_ACK_ROOM, have;
	socklen_t len = sizeof(have);

	/* Linux 4.12 / 4.3; without them errors still arrive, only less
	 * informative, so their absence is not fatal. */
	if (mnl_socket_setsockopt(nl, NETLINK_EXT_ACK, &one, sizeof(one)))
		log_debug("nft: NETLINK_EXT_ACK: %s", strerror(errno));
	if (mnl_socket_setsockopt(nl, NETLINK_CAP_ACK, &one, sizeof(one)))
		log_debug("nft: NETLINK_CAP_ACK: %s", strerror(errno));
	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) ||
	    getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &have, &len))
		return -errno;
	/* SO_RCVBUF is capped by rmem_max; FORCE needs CAP_NET_ADMIN,
	 * which loading rules needs anyway. */
	if (want > have &&
	    setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &want, sizeof(want)) &&
	    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &want, sizeof(want)))
		return -errno;
	return 0;
}

int nft_batch_send(struct nft_batch *b, char *err, size_t errlen)
{
	struct mnl_socket *nl = NULL;
	const char *what = NULL;
	ssize_t n;
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

	nl = mnl_socket_open2(NETLINK_NETFILTER, SOCK_CLOEXEC);
	if (!nl) {
		ret = -errno;
		what = "netfilter netlink socket";
		goto out;
	}
	ret = sock_setup(nl, b->count);
	if (ret) {
		what = "netfilter netlink socket options";
		goto out;
	}
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		ret = -errno;
		what = "binding netfilter netlink socket";
		goto out;
	}
	/* The default wmem (208 KiB) always takes NFT_BATCH_MAX. */
	n = mnl_socket_sendto(nl, nft_batch_data(b), nft_batch_len(b));
	if (n < 0 || (size_t)n != nft_batch_len(b)) {
		ret = n < 0 ? -errno : -EIO;
		what = "sending nftables batch";
		goto out;
	}
	ret = ack_read(b, nl, err, errlen);
out:
	if (what)
		set_err(err, errlen, "%s: %s", what, strerror(-ret));
	if (nl)
		mnl_socket_close(nl);
	return ret;
}
