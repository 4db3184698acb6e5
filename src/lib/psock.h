/* psock.h - packet sockets: every frame of an interface, or of all, as
 * the IP packets they carry. */
#ifndef NATLAB_PSOCK_H
#define NATLAB_PSOCK_H

#include <stdint.h>

/**
 * psock_open() - an AF_PACKET socket of the current network namespace,
 * cooked (SOCK_DGRAM: frames without their link-layer header)
 * @proto:  ETH_P_ALL, ETH_P_IP, ... (host order)
 * @ifname: the interface to bind it to; NULL: every interface
 * @flags:  more socket type flags (SOCK_NONBLOCK); SOCK_CLOEXEC is set
 * Return: the fd, -ENODEV if there is no such interface, or -errno.
 */
int psock_open(uint16_t proto, const char *ifname, int flags);

#endif
