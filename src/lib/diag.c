/* diag.c - TCP sockets of a namespace over sock_diag: look up, count, end. */
#include <arpa/inet.h>
#include <errno.h>
#include <stddef.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <libmnl/libmnl.h>
#include <linux/inet_diag.h>
#include <linux/sock_diag.h>

#include "lib/diag.h"

#define DIAG_BUF (32 * 1024)

size_t diag_build_req(void *buf, uint16_t type, uint16_t flags, uint32_t states,
		      const struct tuple *t)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct inet_diag_req_v2 *r;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	nlh->nlmsg_seq = 1;
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

int diag_open(void)
{
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);

	return fd < 0 ? -errno : fd;
}

/* Send a request and read the answer into buf.  Return: bytes or -errno;
 * an NLMSG_ERROR answer becomes its error. */
static ssize_t diag_ask(int fd, const void *req, size_t len, void *buf)
{
	struct sockaddr_nl nl = {.nl_family = AF_NETLINK};
	const struct nlmsghdr *h = buf;
	ssize_t n;

	if (sendto(fd, req, len, 0, (struct sockaddr *)&nl, sizeof(nl)) < 0)
		return -errno;
	n = recv(fd, buf, DIAG_BUF, 0);
	if (n < 0)
		return -errno;
	if (n >= (ssize_t)sizeof(*h) && h->nlmsg_type == NLMSG_ERROR) {
		const struct nlmsgerr *e = mnl_nlmsg_get_payload(h);

		return e->error;
	}
	return n;
}

long diag_rto(int fd, const struct tuple *t)
{
	char req[256], buf[DIAG_BUF];
	const struct nlmsghdr *h = (const struct nlmsghdr *)buf;
	const struct nlattr *a;
	size_t len = diag_build_req(req, SOCK_DIAG_BY_FAMILY, 0, ~0u, t);
	ssize_t n = diag_ask(fd, req, len, buf);

	if (n < 0)
		return (long)n;
	if (h->nlmsg_type != SOCK_DIAG_BY_FAMILY)
		return -EPROTO;
	mnl_attr_for_each(a, h, sizeof(struct inet_diag_msg))
	{
		if (mnl_attr_get_type(a) == INET_DIAG_INFO &&
		    mnl_attr_get_payload_len(a) >=
			    offsetof(struct tcp_info, tcpi_ato)) {
			const struct tcp_info *ti = mnl_attr_get_payload(a);

			return (long)ti->tcpi_rto;
		}
	}
	return -ENODATA;
}

int diag_destroy(int fd, const struct tuple *t)
{
	char req[256], buf[DIAG_BUF];
	size_t len = diag_build_req(req, SOCK_DESTROY, NLM_F_ACK, ~0u, t);
	ssize_t n = diag_ask(fd, req, len, buf);

	return n < 0 ? (int)n : 0;
}

int diag_count(int fd, unsigned int counts[12])
{
	char req[256], buf[DIAG_BUF];
	struct sockaddr_nl nl = {.nl_family = AF_NETLINK};
	size_t len =
		diag_build_req(req, SOCK_DIAG_BY_FAMILY, NLM_F_DUMP, ~0u, NULL);
	int total = 0;

	memset(counts, 0, 12 * sizeof(counts[0]));
	if (sendto(fd, req, len, 0, (struct sockaddr *)&nl, sizeof(nl)) < 0)
		return -errno;
	for (;;) {
		const struct nlmsghdr *h = (const struct nlmsghdr *)buf;
		ssize_t n = recv(fd, buf, sizeof(buf), 0);
		int rem;

		if (n < 0)
			return -errno;
		rem = (int)n;
		for (; mnl_nlmsg_ok(h, rem); h = mnl_nlmsg_next(h, &rem)) {
			const struct inet_diag_msg *m;

			if (h->nlmsg_type == NLMSG_DONE)
				return total;
			if (h->nlmsg_type == NLMSG_ERROR)
				return -EPROTO;
			m = mnl_nlmsg_get_payload(h);
			if (m->idiag_state < 12)
				counts[m->idiag_state]++;
			total++;
		}
	}
}
