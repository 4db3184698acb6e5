/* nfq.c - NFQUEUE over libmnl: bind a queue, read packets, send verdicts. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <libmnl/libmnl.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_queue.h>

#include "lib/netlink.h"
#include "lib/nfq.h"

/*
 * Theory of operation.  Each packet the kernel queues arrives as its own
 * netlink message; we read them without blocking, up to NFQ_RX_SLOTS in
 * one recvmmsg(), let the caller decide, and collect the verdicts in one
 * buffer that goes to the kernel in one sendmsg() when the socket is
 * empty (nfnetlink handles every message of a datagram).  Then we read
 * again: a verdict re-injects its packet inside that sendmsg(), and the
 * packets it brings (the peer's answer, queued on its way in) are often
 * waiting already, with no need to ask epoll.  Verdicts ask for no ack:
 * an error still comes back as NLMSG_ERROR and is counted.
 *
 * The buffers belong to a struct nfq_io that all the queues served by one
 * thread share, so a lab of many nodes does not cost a megabyte per
 * queue.  Each receive slot holds the largest packet the kernel can hand
 * us: a GSO packet of up to 64 KiB plus the message around it (pages of a
 * slot that only small packets reach are never touched).
 */
#define NFQ_COPY_RANGE 0xffff
#define NFQ_RX_SIZE    (NFQ_COPY_RANGE + 4096)
#define NFQ_RX_SLOTS   16
/* Packets nfq_recv() handles before it gives the caller back its loop
 * (other queues, timers). */
#define NFQ_MAX_PACKETS 1024
#define NFQ_TX_SIZE	(256 * 1024)
#define NFQ_RCVBUF	(32 * 1024 * 1024)
/* A netlink datagram may not pass the socket's send buffer (sendmsg()
 * fails with EMSGSIZE past sk_sndbuf - 32): we force one of NFQ_SNDBUF
 * and flush batches at NFQ_TX_FLUSH, which fits even the default one
 * (net.core.wmem_default, 208 KiB) should forcing fail. */
#define NFQ_SNDBUF   (1024 * 1024)
#define NFQ_TX_FLUSH (128 * 1024)

struct nfq_io {
	uint8_t *rx; /* NFQ_RX_SLOTS slots of NFQ_RX_SIZE */
	struct iovec iov[NFQ_RX_SLOTS];
	struct mmsghdr msgs[NFQ_RX_SLOTS];
	uint8_t *tx;
	size_t txlen;
	struct nfq *txq; /* the queue whose verdicts tx holds */
};

struct nfq {
	struct netlink nl;
	struct nfq_io *io;
	uint16_t queue;
	uint64_t errors; /* NLMSG_ERROR replies to our verdicts */
};

static struct nlmsghdr *nfq_hdr(void *buf, uint8_t type, uint16_t queue,
				uint16_t flags, uint32_t seq)
{
	return netlink_nfnl_hdr(buf, NFNL_SUBSYS_QUEUE, type, flags, seq,
				AF_UNSPEC, queue);
}

size_t nfq_build_bind(void *buf, uint16_t queue, uint32_t seq)
{
	struct nlmsghdr *nlh =
		nfq_hdr(buf, NFQNL_MSG_CONFIG, queue, NLM_F_ACK, seq);
	struct nfqnl_msg_config_cmd cmd = {
		.command = NFQNL_CFG_CMD_BIND,
		.pf = htons(AF_INET),
	};

	mnl_attr_put(nlh, NFQA_CFG_CMD, sizeof(cmd), &cmd);
	return nlh->nlmsg_len;
}

size_t nfq_build_params(void *buf, uint16_t queue, uint32_t maxlen,
			int fail_open, uint32_t seq)
{
	struct nlmsghdr *nlh =
		nfq_hdr(buf, NFQNL_MSG_CONFIG, queue, NLM_F_ACK, seq);
	struct nfqnl_msg_config_params params = {
		.copy_range = htonl(NFQ_COPY_RANGE),
		.copy_mode = NFQNL_COPY_PACKET,
	};
	uint32_t mask = NFQA_CFG_F_GSO | NFQA_CFG_F_FAIL_OPEN;
	uint32_t flags =
		NFQA_CFG_F_GSO | (fail_open ? NFQA_CFG_F_FAIL_OPEN : 0);

	mnl_attr_put(nlh, NFQA_CFG_PARAMS, sizeof(params), &params);
	mnl_attr_put_u32(nlh, NFQA_CFG_QUEUE_MAXLEN, htonl(maxlen));
	mnl_attr_put_u32(nlh, NFQA_CFG_MASK, htonl(mask));
	mnl_attr_put_u32(nlh, NFQA_CFG_FLAGS, htonl(flags));
	return nlh->nlmsg_len;
}

size_t nfq_build_verdict(void *buf, uint16_t queue, uint32_t id, int verdict,
			 const void *data, size_t len)
{
	struct nlmsghdr *nlh = nfq_hdr(buf, NFQNL_MSG_VERDICT, queue, 0, 0);
	struct nfqnl_msg_verdict_hdr vh = {
		.verdict = htonl((uint32_t)verdict),
		.id = htonl(id),
	};

	mnl_attr_put(nlh, NFQA_VERDICT_HDR, sizeof(vh), &vh);
	if (data)
		mnl_attr_put(nlh, NFQA_PAYLOAD, len, data);
	return nlh->nlmsg_len;
}

static int nfq_attr_cb(const struct nlattr *a, void *data)
{
	const struct nlattr **tb = data;
	int type = mnl_attr_get_type(a);

	if (mnl_attr_type_valid(a, NFQA_MAX) < 0)
		return MNL_CB_OK; /* newer kernel: skip what we don't know */
	if ((type == NFQA_SKB_INFO || type == NFQA_CAP_LEN) &&
	    mnl_attr_validate(a, MNL_TYPE_U32) < 0)
		return MNL_CB_ERROR;
	tb[type] = a;
	return MNL_CB_OK;
}

int nfq_parse_packet(const void *msg, size_t len, struct nfq_packet *p)
{
	const struct nlmsghdr *nlh = msg;
	const struct nlattr *tb[NFQA_MAX + 1] = {0};
	const struct nfqnl_msg_packet_hdr *ph;

	if (len < sizeof(*nlh) || nlh->nlmsg_len > len ||
	    nlh->nlmsg_type != ((NFNL_SUBSYS_QUEUE << 8) | NFQNL_MSG_PACKET))
		return -EINVAL;
	if (mnl_attr_parse(nlh, sizeof(struct nfgenmsg), nfq_attr_cb, tb) < 0)
		return -EINVAL;
	if (!tb[NFQA_PACKET_HDR] || !tb[NFQA_PAYLOAD] ||
	    mnl_attr_get_payload_len(tb[NFQA_PACKET_HDR]) < sizeof(*ph))
		return -EINVAL;
	ph = mnl_attr_get_payload(tb[NFQA_PACKET_HDR]);
	memset(p, 0, sizeof(*p));
	p->id = ntohl(ph->packet_id);
	p->hook = ph->hook;
	p->data = mnl_attr_get_payload(tb[NFQA_PAYLOAD]);
	p->len = mnl_attr_get_payload_len(tb[NFQA_PAYLOAD]);
	if (tb[NFQA_SKB_INFO])
		p->skbinfo = ntohl(mnl_attr_get_u32(tb[NFQA_SKB_INFO]));
	if (tb[NFQA_CAP_LEN])
		p->truncated =
			ntohl(mnl_attr_get_u32(tb[NFQA_CAP_LEN])) > p->len;
	return 0;
}

struct nfq_io *nfq_io_new(void)
{
	struct nfq_io *io = calloc(1, sizeof(*io));
	int i;

	if (!io)
		return NULL;
	io->rx = malloc((size_t)NFQ_RX_SLOTS * NFQ_RX_SIZE);
	io->tx = malloc(NFQ_TX_SIZE);
	if (!io->rx || !io->tx) {
		nfq_io_free(io);
		errno = ENOMEM;
		return NULL;
	}
	for (i = 0; i < NFQ_RX_SLOTS; i++) {
		io->iov[i].iov_base = io->rx + (size_t)i * NFQ_RX_SIZE;
		io->iov[i].iov_len = NFQ_RX_SIZE;
		io->msgs[i].msg_hdr.msg_iov = &io->iov[i];
		io->msgs[i].msg_hdr.msg_iovlen = 1;
	}
	return io;
}

void nfq_io_free(struct nfq_io *io)
{
	if (!io)
		return;
	free(io->rx);
	free(io->tx);
	free(io);
}

struct nfq *nfq_open(struct nfq_io *io, uint16_t queue, uint32_t maxlen,
		     int fail_open)
{
	int rcvbuf = NFQ_RCVBUF, sndbuf = NFQ_SNDBUF, err, fd;
	uint8_t req[NFQ_MSG_MIN];
	struct nfq *q;

	q = calloc(1, sizeof(*q));
	if (!q)
		return NULL;
	q->io = io;
	q->queue = queue;
	err = netlink_open(&q->nl, NETLINK_NETFILTER);
	if (err) {
		errno = -err;
		goto fail;
	}
	fd = netlink_fd(&q->nl);
	/* A burst must not overrun the socket: as root, force a buffer
	 * larger than net.core.rmem_max. */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf,
		       sizeof(rcvbuf)) < 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &sndbuf, sizeof(sndbuf));
	/* The config requests, each acked (netlink_talk()). */
	err = netlink_talk(&q->nl, req,
			   nfq_build_bind(req, queue, netlink_next_seq(&q->nl)),
			   1, NULL, NULL);
	if (!err)
		err = netlink_talk(&q->nl, req,
				   nfq_build_params(req, queue, maxlen,
						    fail_open,
						    netlink_next_seq(&q->nl)),
				   1, NULL, NULL);
	if (err) {
		errno = -err;
		goto fail;
	}
	return q;
fail:
	err = errno;
	nfq_close(q);
	errno = err;
	return NULL;
}

void nfq_close(struct nfq *q)
{
	if (!q)
		return;
	if (q->io && q->io->txq == q) {
		q->io->txq = NULL; /* its unsent verdicts die with it */
		q->io->txlen = 0;
	}
	netlink_close(&q->nl);
	free(q);
}

int nfq_fd(const struct nfq *q)
{
	return netlink_fd(&q->nl);
}

int nfq_verdict(struct nfq *q, uint32_t id, int verdict, const void *data,
		size_t len)
{
	size_t need = MNL_ALIGN(NFQ_MSG_MIN + (data ? len : 0));
	struct nfq_io *io = q->io;
	int err;

	/* An attribute's length is 16 bits. */
	if (need > NFQ_TX_SIZE || (data && len > 0xffff - MNL_ATTR_HDRLEN))
		return -EMSGSIZE;
	/* The buffer holds one queue's verdicts: they go to its socket. */
	if (io->txq && io->txq != q) {
		err = nfq_flush(io->txq);
		if (err)
			return err;
	}
	if (io->txlen + need > NFQ_TX_FLUSH) {
		err = nfq_flush(q);
		if (err)
			return err;
	}
	io->txq = q;
	io->txlen += MNL_ALIGN(nfq_build_verdict(io->tx + io->txlen, q->queue,
						 id, verdict, data, len));
	return 0;
}

int nfq_flush(struct nfq *q)
{
	struct nfq_io *io = q->io;
	ssize_t n;

	if (io->txq != q || !io->txlen)
		return 0;
	n = mnl_socket_sendto(q->nl.sk, io->tx, io->txlen);
	io->txlen = 0;
	io->txq = NULL;
	return n < 0 ? -errno : 0;
}

/* Hand every packet message of one datagram to @cb.
 * Return: packets handled, or the callback's -errno. */
static int nfq_walk(struct nfq *q, void *buf, size_t len, nfq_cb cb, void *arg)
{
	int rem = (int)len, count = 0, err;
	struct nlmsghdr *nlh;
	struct nfq_packet p;

	for (nlh = buf; mnl_nlmsg_ok(nlh, rem);
	     nlh = mnl_nlmsg_next(nlh, &rem)) {
		if (nlh->nlmsg_type == NLMSG_ERROR) {
			q->errors++;
			continue;
		}
		if (nfq_parse_packet(nlh, nlh->nlmsg_len, &p))
			continue;
		err = cb(q, &p, arg);
		if (err)
			return err;
		count++;
	}
	return count;
}

int nfq_recv(struct nfq *q, nfq_cb cb, void *arg, uint64_t *overruns)
{
	int fd = netlink_fd(&q->nl), count = 0, n, i, err;
	struct nfq_io *io = q->io;

	while (count < NFQ_MAX_PACKETS) {
		n = recvmmsg(fd, io->msgs, NFQ_RX_SLOTS, MSG_DONTWAIT, NULL);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == ENOBUFS) {
				(*overruns)++;
				continue;
			}
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				return -errno;
			if (io->txq != q)
				break; /* empty, and nothing sent since */
			err = nfq_flush(q);
			if (err)
				return err;
			continue;
		}
		for (i = 0; i < n; i++) {
			err = nfq_walk(q, io->iov[i].iov_base,
				       io->msgs[i].msg_len, cb, arg);
			if (err < 0)
				return err;
			count += err;
		}
		/* A full read means more are waiting: their verdicts can
		 * share the datagram. */
		if (n < NFQ_RX_SLOTS) {
			err = nfq_flush(q);
			if (err)
				return err;
		}
	}
	err = nfq_flush(q);
	return err ? err : count;
}
