/* connloop.c - the baseline for bench-traffic: a plain blocking loop of
 * connect, request, response, close, as a benchmark writer would do it
 * without natlab.  Usage: connloop ADDR PORT COUNT REQ RESP */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct sockaddr_in sa = {.sin_family = AF_INET};
	int n, i, ok = 0, req, resp;
	char buf[65536] = {0};
	struct timespec a, b;

	if (argc != 6)
		return 2;
	inet_pton(AF_INET, argv[1], &sa.sin_addr);
	sa.sin_port = htons((unsigned short)atoi(argv[2]));
	n = atoi(argv[3]);
	req = atoi(argv[4]);
	resp = atoi(argv[5]);
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (i = 0; i < n; i++) {
		int fd = socket(AF_INET, SOCK_STREAM, 0), got = 0;
		ssize_t r;

		if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
			if (fd >= 0)
				close(fd);
			continue;
		}
		if (write(fd, buf, (size_t)req) != req) {
			close(fd);
			continue;
		}
		while (got < resp && (r = read(fd, buf, sizeof(buf))) > 0)
			got += (int)r;
		/* The server closes first: wait for its FIN. */
		while (read(fd, buf, sizeof(buf)) > 0)
			;
		close(fd);
		ok += got >= resp;
	}
	clock_gettime(CLOCK_MONOTONIC, &b);
	printf("%d %.6f\n", ok,
	       (double)(b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) / 1e9);
	return 0;
}
