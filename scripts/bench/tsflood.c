/* tsflood.c - the load for bench-engine's capacity line: small TCP
 * segments carrying a timestamp option, sent from a raw socket as fast as
 * sendmmsg() goes, so that a host-clock client's engine queue never runs
 * dry.  Nothing answers them: the benchmark drops each one right after
 * the engine has rewritten it.
 * Usage: tsflood SRC DST SECONDS    prints: sent N failed N */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BATCH	64
#define PAYLOAD 64
#define HDRS	(20 + 32) /* IPv4, TCP with NOP NOP TS */
#define PKT	(HDRS + PAYLOAD)

static uint16_t csum_fold(uint32_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

static uint32_t sum16(const uint8_t *b, size_t n, uint32_t s)
{
	size_t i;

	for (i = 0; i + 1 < n; i += 2)
		s += (uint32_t)b[i] << 8 | b[i + 1];
	if (n & 1)
		s += (uint32_t)b[n - 1] << 8;
	return s;
}

static void put32(uint8_t *b, uint32_t v)
{
	b[0] = v >> 24;
	b[1] = v >> 16;
	b[2] = v >> 8;
	b[3] = v;
}

/* Segment @i of a stream: ports and TSval move so that no two are alike. */
static void build(uint8_t *p, uint32_t src, uint32_t dst, uint32_t i)
{
	uint8_t *th = p + 20;
	uint32_t s;
	uint16_t c;

	memset(p, 0, PKT);
	p[0] = 0x45;
	p[2] = PKT >> 8;
	p[3] = PKT & 0xff;
	p[8] = 64;
	p[9] = IPPROTO_TCP;
	put32(p + 12, src);
	put32(p + 16, dst);
	th[0] = 0x9c;
	th[1] = (uint8_t)(0x40 + (i & 0x3f)); /* ports 40000-40063 */
	th[2] = 0x14;
	th[3] = 0x51; /* 5201 */
	put32(th + 4, i * PAYLOAD);
	put32(th + 8, 1);
	th[12] = (32 / 4) << 4;
	th[13] = 0x18; /* PSH, ACK */
	th[14] = 0xff;
	th[15] = 0xff;
	th[20] = 1;
	th[21] = 1;
	th[22] = 8;
	th[23] = 10;
	put32(th + 24, 1000000 + i);
	put32(th + 28, 7);
	s = (src >> 16) + (src & 0xffff) + (dst >> 16) + (dst & 0xffff);
	s += IPPROTO_TCP + PKT - 20;
	c = csum_fold(sum16(th, PKT - 20, s));
	th[16] = c >> 8;
	th[17] = c & 0xff;
}

int main(int argc, char **argv)
{
	static uint8_t pkts[BATCH][PKT];
	struct mmsghdr msgs[BATCH];
	struct iovec iov[BATCH];
	struct sockaddr_in sa = {.sin_family = AF_INET};
	unsigned long long sent = 0, failed = 0;
	struct in_addr src;
	struct timespec now, end;
	uint32_t seq = 0;
	int fd, i;

	if (argc != 4 || inet_pton(AF_INET, argv[1], &src) != 1 ||
	    inet_pton(AF_INET, argv[2], &sa.sin_addr) != 1)
		return 2;
	fd = socket(AF_INET, SOCK_RAW, IPPROTO_RAW);
	if (fd < 0) {
		perror("tsflood: raw socket");
		return 1;
	}
	memset(msgs, 0, sizeof(msgs));
	for (i = 0; i < BATCH; i++) {
		iov[i].iov_base = pkts[i];
		iov[i].iov_len = PKT;
		msgs[i].msg_hdr.msg_name = &sa;
		msgs[i].msg_hdr.msg_namelen = sizeof(sa);
		msgs[i].msg_hdr.msg_iov = &iov[i];
		msgs[i].msg_hdr.msg_iovlen = 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &end);
	end.tv_sec += atoi(argv[3]);
	do {
		int n;

		for (i = 0; i < BATCH; i++)
			build(pkts[i], ntohl(src.s_addr),
			      ntohl(sa.sin_addr.s_addr), seq++);
		n = sendmmsg(fd, msgs, BATCH, 0);
		/* A full queue refuses a packet (EPERM) and ends the call
		 * there: count it and go on. */
		if (n < BATCH)
			failed++;
		sent += n > 0 ? (unsigned)n : 0;
		clock_gettime(CLOCK_MONOTONIC, &now);
	} while (now.tv_sec < end.tv_sec ||
		 (now.tv_sec == end.tv_sec && now.tv_nsec < end.tv_nsec));
	printf("sent %llu failed %llu\n", sent, failed);
	return 0;
}
