/* netlink.c - one netlink socket and the one request/answer talk over it. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <arpa/inet.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netlink.h>

#include "lib/log.h"
#include "lib/netlink.h"

/*
 * Theory of operation
 *
 * A talk sends the caller's bytes in one datagram and reads replies until
 * @nreq requests are answered.  An answer is an NLMSG_ERROR (an ack when
 * its error is 0, a refusal otherwise) or an NLMSG_DONE; a refusal ends
 * the talk at once, since nfnetlink queues every answer of a batch before
 * the first reaches us and what follows a refusal says nothing new.  The
 * requests' sequence numbers run from the first message's to the last's,
 * so a reply with a number outside that range, or for another port, is
 * not ours: -EPROTO.  Sequence numbers come from netlink_next_seq(), one
 * counter per socket, so a socket kept for many talks (the keeper's)
 * never takes an old answer for a new one.
 *
 * The receive queue holds an answer for every request of a batch before
 * we read any: a large batch needs a larger queue than the default, which
 * netlink_talk() asks for (SO_RCVBUFFORCE needs CAP_NET_ADMIN, which
 * sending such requests needs anyway).
 */

/* Acks are queued before sendto() returns; this only bounds the wait
 * should a kernel never answer. */
#define NETLINK_TIMEOUT_S 5
/* Receive queue per pending answer: an skb's truesize, with room. */
#define NETLINK_ANSWER_ROOM 2048

int netlink_open(struct netlink *nl, int bus)
{
	struct timeval tv = {.tv_sec = NETLINK_TIMEOUT_S};
	socklen_t optlen = sizeof(nl->rcvbuf);
	int one = 1, fd, err;

	memset(nl, 0, sizeof(*nl));
	nl->sk = mnl_socket_open2(bus, SOCK_CLOEXEC);
	if (!nl->sk)
		return -errno;
	fd = mnl_socket_get_fd(nl->sk);
	/* Linux 4.12 / 4.3; without them errors still arrive, only less
	 * informative, so their absence is not fatal. */
	if (mnl_socket_setsockopt(nl->sk, NETLINK_EXT_ACK, &one, sizeof(one)))
		log_debug("netlink: NETLINK_EXT_ACK: %s", strerror(errno));
	if (mnl_socket_setsockopt(nl->sk, NETLINK_CAP_ACK, &one, sizeof(one)))
		log_debug("netlink: NETLINK_CAP_ACK: %s", strerror(errno));
	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) ||
	    getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &nl->rcvbuf, &optlen) ||
	    mnl_socket_bind(nl->sk, 0, MNL_SOCKET_AUTOPID) < 0) {
		err = -errno;
		mnl_socket_close(nl->sk);
		nl->sk = NULL;
		return err;
	}
	nl->portid = mnl_socket_get_portid(nl->sk);
	return 0;
}

void netlink_close(struct netlink *nl)
{
	if (nl->sk)
		mnl_socket_close(nl->sk);
	nl->sk = NULL;
}

uint32_t netlink_next_seq(struct netlink *nl)
{
	/* 0 is left out: some kernel paths send events with seq 0. */
	if (++nl->seq == 0)
		nl->seq = 1;
	return nl->seq;
}

int netlink_join(struct netlink *nl, unsigned int group)
{
	if (mnl_socket_setsockopt(nl->sk, NETLINK_ADD_MEMBERSHIP, &group,
				  sizeof(group)) < 0)
		return -errno;
	return 0;
}

struct nlmsghdr *netlink_nfnl_hdr(void *buf, uint8_t subsys, uint8_t type,
				  uint16_t flags, uint32_t seq, uint8_t family,
				  uint16_t res_id)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct nfgenmsg *g;

	nlh->nlmsg_type = (uint16_t)(subsys << 8 | type);
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	nlh->nlmsg_seq = seq;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->nfgen_family = family;
	g->version = NFNETLINK_V0;
	g->res_id = htons(res_id);
	return nlh;
}

int netlink_fd(const struct netlink *nl)
{
	return mnl_socket_get_fd(nl->sk);
}

static int extack_attr(const struct nlattr *attr, void *data)
{
	const char **msg = data;

	if (mnl_attr_get_type(attr) == NLMSGERR_ATTR_MSG &&
	    mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) == 0)
		*msg = mnl_attr_get_str(attr);
	return MNL_CB_OK;
}

/* The kernel's text in an error (NETLINK_EXT_ACK) into nl->msg. */
static void extack_keep(struct netlink *nl, const struct nlmsghdr *nlh)
{
	const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);
	size_t off = sizeof(*e);
	const char *msg = NULL;

	nl->msg[0] = '\0';
	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	/* Without NLM_F_CAPPED the request is quoted before the TLVs. */
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED) &&
	    e->msg.nlmsg_len > MNL_NLMSG_HDRLEN)
		off += MNL_ALIGN(e->msg.nlmsg_len - MNL_NLMSG_HDRLEN);
	if (off >= mnl_nlmsg_get_payload_len(nlh))
		return;
	mnl_attr_parse(nlh, (unsigned int)off, extack_attr, &msg);
	if (msg)
		snprintf(nl->msg, sizeof(nl->msg), "%s", msg);
}

/* The range of sequence numbers the messages of a request carry. */
static void seq_range(const void *req, size_t len, uint32_t *lo, uint32_t *hi)
{
	const struct nlmsghdr *nlh = req;
	int rem = (int)len;

	*lo = *hi = nlh->nlmsg_seq;
	for (; mnl_nlmsg_ok(nlh, rem); nlh = mnl_nlmsg_next(nlh, &rem)) {
		if ((int32_t)(nlh->nlmsg_seq - *lo) < 0)
			*lo = nlh->nlmsg_seq;
		if ((int32_t)(nlh->nlmsg_seq - *hi) > 0)
			*hi = nlh->nlmsg_seq;
	}
}

/* Make room in the receive queue for @nreq answers. */
static int room_for(struct netlink *nl, int nreq)
{
	int want = nreq * NETLINK_ANSWER_ROOM, fd = netlink_fd(nl);

	if (want <= nl->rcvbuf)
		return 0;
	/* SO_RCVBUF is capped by rmem_max; FORCE is not. */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &want, sizeof(want)) &&
	    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &want, sizeof(want)))
		return -errno;
	nl->rcvbuf = want;
	return 0;
}

/*
 * One reply message.  Return: 1 if it answers a request, 0 if not (it
 * went to the callback, or an earlier request left it), or -errno (refusal, protocol error, the
 * callback's MNL_CB_ERROR); MNL_CB_STOP from the callback is -EINTR here,
 * for the caller to turn into a quiet end.
 */
static int reply_one(struct netlink *nl, const struct nlmsghdr *nlh,
		     uint32_t lo, uint32_t hi, mnl_cb_t cb, void *data)
{
	const struct nlmsgerr *e;
	int r;

	/* What an earlier request left queued when its talk ended on an
	 * error or a timeout: skipped, so the socket stays usable. */
	if (mnl_nlmsg_portid_ok(nlh, nl->portid) && nlh->nlmsg_seq &&
	    (int32_t)(nlh->nlmsg_seq - lo) < 0)
		return 0;
	if (!mnl_nlmsg_portid_ok(nlh, nl->portid) ||
	    (int32_t)(nlh->nlmsg_seq - lo) < 0 ||
	    (int32_t)(nlh->nlmsg_seq - hi) > 0) {
		snprintf(nl->msg, sizeof(nl->msg),
			 "netlink reply not ours (type %u, port %u, seq %u)",
			 nlh->nlmsg_type, nlh->nlmsg_pid, nlh->nlmsg_seq);
		return -EPROTO;
	}
	if (nlh->nlmsg_type == NLMSG_DONE)
		return 1;
	if (nlh->nlmsg_type != NLMSG_ERROR) {
		if (!cb)
			return 0;
		r = cb(nlh, data);
		return r == MNL_CB_ERROR  ? -EPROTO
		       : r == MNL_CB_STOP ? -EINTR
					  : 0;
	}
	e = mnl_nlmsg_get_payload(nlh);
	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*e)) || e->error > 0)
		return -EPROTO;
	if (e->error < 0) {
		nl->err_seq = nlh->nlmsg_seq;
		extack_keep(nl, nlh);
		return e->error;
	}
	return 1;
}

int netlink_talk(struct netlink *nl, const void *req, size_t len, int nreq,
		 mnl_cb_t cb, void *data)
{
	char buf[NETLINK_RECV_SIZE];
	int answered = 0, err;
	uint32_t lo, hi;
	ssize_t n;

	nl->err_seq = 0;
	nl->msg[0] = '\0';
	seq_range(req, len, &lo, &hi);
	err = room_for(nl, nreq);
	if (err)
		return err;
	n = mnl_socket_sendto(nl->sk, req, len);
	if (n < 0)
		return -errno;
	if ((size_t)n != len)
		return -EIO;
	while (answered < nreq) {
		const struct nlmsghdr *nlh = (const struct nlmsghdr *)buf;
		int rem;

		n = mnl_socket_recvfrom(nl->sk, buf, sizeof(buf));
		if (n < 0)
			return errno == EAGAIN ? -ETIMEDOUT : -errno;
		for (rem = (int)n; mnl_nlmsg_ok(nlh, rem);
		     nlh = mnl_nlmsg_next(nlh, &rem)) {
			err = reply_one(nl, nlh, lo, hi, cb, data);
			if (err == -EINTR)
				return 0;
			if (err < 0)
				return err;
			answered += err;
		}
	}
	return 0;
}

int netlink_recv(struct netlink *nl, mnl_cb_t cb, void *data)
{
	char buf[NETLINK_RECV_SIZE];
	const struct nlmsghdr *nlh = (const struct nlmsghdr *)buf;
	int rem, count = 0;
	ssize_t n;

	n = recv(netlink_fd(nl), buf, sizeof(buf), MSG_DONTWAIT);
	if (n < 0)
		return errno == EAGAIN || errno == EINTR ? 0 : -errno;
	for (rem = (int)n; mnl_nlmsg_ok(nlh, rem);
	     nlh = mnl_nlmsg_next(nlh, &rem)) {
		count++;
		if (cb(nlh, data) <= MNL_CB_STOP)
			break;
	}
	return count;
}
