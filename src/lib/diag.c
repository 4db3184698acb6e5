/* diag.c - TCP sockets of a namespace over sock_diag: look up, count, end. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>

#include <libmnl/libmnl.h>
#include <linux/inet_diag.h>
#include <linux/sock_diag.h>

#include "lib/diag.h"
#include "lib/netlink.h"

/*
 * Every request goes through netlink_talk(): an exact lookup or a
 * SOCK_DESTROY is one request and its answer (or an error: ENOENT when
 * no socket has the tuple), a count is a dump.  The kernel looks a tuple
 * up from its own side, so the request's source is the local end.
 */

/* TCP_NEW_SYN_RECV, the state of a request socket in the kernel's hash
 * (Linux 4.4 on); a dump asked for TCP_SYN_RECV includes them. */
#define DIAG_TCPF_SYN_RECV (1u << TCP_SYN_RECV)

size_t diag_build_req(void *buf, uint32_t seq, uint16_t type, uint16_t flags,
		      uint32_t states, const struct tuple *t)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct inet_diag_req_v2 *r;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	nlh->nlmsg_seq = seq;
	r = mnl_nlmsg_put_extra_header(nlh, sizeof(*r));
	r->sdiag_family = AF_INET;
	r->sdiag_protocol = IPPROTO_TCP;
	r->idiag_states = states;
	r->id.idiag_cookie[0] = INET_DIAG_NOCOOKIE;
	r->id.idiag_cookie[1] = INET_DIAG_NOCOOKIE;
	if (t) {
		r->idiag_ext = 1 << (INET_DIAG_INFO - 1);
		r->id.idiag_src[0] = htonl(t->laddr);
		r->id.idiag_dst[0] = htonl(t->raddr);
		r->id.idiag_sport = htons(t->lport);
		r->id.idiag_dport = htons(t->rport);
	}
	return nlh->nlmsg_len;
}

int diag_open(struct netlink *nl)
{
	return netlink_open(nl, NETLINK_SOCK_DIAG);
}

/* One answer of an exact lookup into a struct diag_sock. */
static int get_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct inet_diag_msg *m = mnl_nlmsg_get_payload(nlh);
	struct diag_sock *s = data;
	const struct nlattr *a;

	if (nlh->nlmsg_type != SOCK_DIAG_BY_FAMILY ||
	    mnl_nlmsg_get_payload_len(nlh) < sizeof(*m))
		return MNL_CB_ERROR;
	s->state = m->idiag_state;
	s->inode = m->idiag_inode;
	s->rqueue = m->idiag_rqueue;
	s->wqueue = m->idiag_wqueue;
	mnl_attr_for_each(a, nlh, sizeof(*m))
	{
		if (mnl_attr_get_type(a) == INET_DIAG_INFO &&
		    mnl_attr_get_payload_len(a) >=
			    offsetof(struct tcp_info, tcpi_ato)) {
			const struct tcp_info *ti = mnl_attr_get_payload(a);

			s->rto_us = (long)ti->tcpi_rto;
			s->backoff = ti->tcpi_backoff;
		}
	}
	return MNL_CB_OK;
}

int diag_get(struct netlink *nl, const struct tuple *t, struct diag_sock *s)
{
	char req[MNL_SOCKET_BUFFER_SIZE];
	size_t len = diag_build_req(req, netlink_next_seq(nl),
				    SOCK_DIAG_BY_FAMILY, NLM_F_ACK, ~0u, t);

	memset(s, 0, sizeof(*s));
	s->state = -1;
	s->rto_us = -1;
	/* An exact lookup answers with the socket or an error, then its
	 * ack: NLM_F_ACK makes the end of the talk the same either way. */
	return netlink_talk(nl, req, len, 1, get_cb, s);
}

long diag_rto(struct netlink *nl, const struct tuple *t)
{
	struct diag_sock s;
	int err = diag_get(nl, t, &s);

	if (err)
		return err;
	return s.rto_us >= 0 ? s.rto_us : -ENODATA;
}

int diag_destroy(struct netlink *nl, const struct tuple *t)
{
	char req[MNL_SOCKET_BUFFER_SIZE];
	size_t len = diag_build_req(req, netlink_next_seq(nl), SOCK_DESTROY,
				    NLM_F_ACK, ~0u, t);

	return netlink_talk(nl, req, len, 1, NULL, NULL);
}

static int count_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct inet_diag_msg *m = mnl_nlmsg_get_payload(nlh);
	unsigned int *counts = data;

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*m))
		return MNL_CB_ERROR;
	if (m->idiag_state < 12)
		counts[m->idiag_state]++;
	counts[0]++; /* the total, returned apart */
	return MNL_CB_OK;
}

int diag_count(struct netlink *nl, unsigned int counts[12])
{
	char req[MNL_SOCKET_BUFFER_SIZE];
	size_t len = diag_build_req(req, netlink_next_seq(nl),
				    SOCK_DIAG_BY_FAMILY, NLM_F_DUMP, ~0u, NULL);
	int err, total;

	memset(counts, 0, 12 * sizeof(counts[0]));
	err = netlink_talk(nl, req, len, 1, count_cb, counts);
	total = (int)counts[0];
	counts[0] = 0;
	return err ? err : total;
}

struct requests {
	uint32_t laddr;
	uint16_t lport;
	int n;
};

static int requests_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct inet_diag_msg *m = mnl_nlmsg_get_payload(nlh);
	struct requests *r = data;

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*m))
		return MNL_CB_ERROR;
	if (m->idiag_state == TCP_SYN_RECV &&
	    ntohs(m->id.idiag_sport) == r->lport &&
	    (!r->laddr || ntohl(m->id.idiag_src[0]) == r->laddr))
		r->n++;
	return MNL_CB_OK;
}

int diag_requests(struct netlink *nl, uint32_t laddr, uint16_t lport)
{
	char req[MNL_SOCKET_BUFFER_SIZE];
	struct requests r = {laddr, lport, 0};
	size_t len =
		diag_build_req(req, netlink_next_seq(nl), SOCK_DIAG_BY_FAMILY,
			       NLM_F_DUMP, DIAG_TCPF_SYN_RECV, NULL);
	int err = netlink_talk(nl, req, len, 1, requests_cb, &r);

	return err ? err : r.n;
}
