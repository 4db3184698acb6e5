/* capture_bpf.h - the capture's classic BPF program: which frames of the
 * lab's switch are copied to the capture. */
#ifndef NATLAB_CAPTURE_BPF_H
#define NATLAB_CAPTURE_BPF_H

#include <linux/filter.h>
#include <stdint.h>

#define CAPTURE_BPF_MAX	 64 /* instructions, at most */
#define CAPTURE_BPF_SKIP 16 /* refused ports the program can hold */
#define CAPTURE_BPF_SRV	 16 /* servers' ports the program can hold */

/**
 * capture_bpf_build() - the filter for a lab's switch
 * @code:  room for CAPTURE_BPF_MAX instructions
 * @srv:   the switch ports of the servers the traffic reaches (the
 *         target, or a balancer's servers); @nsrv of them, 1 to
 *         CAPTURE_BPF_SRV (more are ignored)
 * @skip:  ports whose frames are refused (the gateways' and balancers');
 *         @nskip of them, at most CAPTURE_BPF_SKIP (more are ignored)
 * @range_first, @range_n: ports refused too, by range: [first, first +
 *         n), none if @range_n is 0 (the links between a network's
 *         bridges, lab_switch_joins())
 * @snap:  what the program returns for a frame it keeps: the bytes
 *         copied of it
 *
 * The program runs on a cooked packet socket (SOCK_DGRAM), where a frame
 * starts at its network header.  It keeps first fragments of IPv4 TCP
 * segments only: on a server's port, SYNs without ACK going to the
 * server, and SYN-ACKs, RSTs and pure ACKs (the flags exactly ACK) coming
 * from it; on a refused port nothing; on any other port, which must be a
 * client's, SYNs without ACK coming from the client.  Nothing here talks
 * to the kernel: the caller attaches the program (SO_ATTACH_FILTER).
 * Return: the number of instructions in @code.
 */
int capture_bpf_build(struct sock_filter *code, const int *srv, int nsrv,
		      const int *skip, int nskip, int range_first, int range_n,
		      uint32_t snap);

#endif
