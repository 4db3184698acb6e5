/* srvloop.c - the baseline's server: accept, read the request, write the
 * response, close first.  Usage: srvloop PORT REQ RESP */
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct sockaddr_in sa = {.sin_family = AF_INET};
	int l = socket(AF_INET, SOCK_STREAM, 0), one = 1, req, resp;
	char buf[65536] = {0};

	if (argc != 4)
		return 2;
	sa.sin_port = htons((unsigned short)atoi(argv[1]));
	req = atoi(argv[2]);
	resp = atoi(argv[3]);
	setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(l, (struct sockaddr *)&sa, sizeof(sa)) || listen(l, 4096))
		return 1;
	for (;;) {
		int fd = accept(l, NULL, NULL), got = 0;
		ssize_t r;

		if (fd < 0)
			continue;
		while (got < req && (r = read(fd, buf, sizeof(buf))) > 0)
			got += (int)r;
		if (write(fd, buf, (size_t)resp) < 0) {
			close(fd);
			continue;
		}
		close(fd);
	}
}
