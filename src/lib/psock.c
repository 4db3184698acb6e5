/* psock.c - packet sockets: every frame of an interface, or of all, as
 * the IP packets they carry. */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/if_packet.h>

#include "lib/psock.h"

int psock_open(uint16_t proto, const char *ifname, int flags)
{
	struct sockaddr_ll sll;
	int fd, err;

	fd = socket(AF_PACKET, SOCK_DGRAM | SOCK_CLOEXEC | flags, htons(proto));
	if (fd < 0)
		return -errno;
	if (!ifname)
		return fd;
	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_protocol = htons(proto);
	sll.sll_ifindex = (int)if_nametoindex(ifname);
	if (!sll.sll_ifindex) {
		close(fd);
		return -ENODEV;
	}
	if (bind(fd, (struct sockaddr *)&sll, sizeof(sll)) < 0) {
		err = -errno;
		close(fd);
		return err;
	}
	return fd;
}
