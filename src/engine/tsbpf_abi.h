/* tsbpf_abi.h - what the tc clock program and its loader share. */
#ifndef NATLAB_TSBPF_ABI_H
#define NATLAB_TSBPF_ABI_H

#include <linux/types.h>

/*
 * One entry of the program's map, keyed by a host-clock client's IPv4
 * address in network byte order (the source of what it sends, the
 * destination of what it receives).  The loader writes offset and
 * skew_ppm before the program is attached; the program only adds to the
 * counters, atomically, from any CPU.
 */
struct tsbpf_client {
	__u32 offset;	    /* engine_clock_offset(): added to every TSval */
	__s32 skew_ppm;	    /* rate skew, -100000..100000 (topology limits) */
	__u64 seen;	    /* IPv4 TCP packets of the client, both ways */
	__u64 rewritten;    /* of those, with a timestamp option */
	__u64 csum_partial; /* rewritten with CHECKSUM_PARTIAL */
	__u64 gso;	    /* rewritten GSO packets */
	__u64 malformed;    /* left alone: bad lengths, a failed write */
};

#endif
