/* capture_bpf.c - the capture's classic BPF program: which frames of the
 * lab's switch are copied to the capture. */
#include <linux/if_ether.h>
#include <linux/if_packet.h>

#include "run/capture_bpf.h"

/*
 * Theory of operation.  Classic BPF, on the network header (SOCK_DGRAM),
 * built for the lab: only what the analysis uses gets copied to the
 * capture.  On a server's port: SYNs going to it; SYN-ACKs, RSTs and
 * pure ACKs coming from it.  On any other port, which must be a client's
 * (the gateways' and balancers' ports are refused first): SYNs coming
 * from it.  Every frame crosses two ports of the switch, so filtering by
 * port also halves the copies.
 *
 * The program is emitted in order with the jumps to its two ends (drop,
 * keep) left at 0, then bpf_patch() points them there once the ends'
 * places are known.  The program is 8 + nsrv + nskip + 18 instructions
 * long, 2 more with a range of refused ports, at most 60:
 * CAPTURE_BPF_MAX holds it.
 */

/*
 * Patch the forward jumps left at 0: a conditional jump whose target
 * fields are both 0 and is not "fall through" by design goes to drop
 * (jf of the IPv4/TCP/fragment checks, jt of a JSET among them and of a
 * refused port) or to keep (jt of the flag checks).  The port dispatch
 * to the servers' part, at @j_srv and the @nsrv - 1 after it, has its own
 * target already.
 */
static void bpf_patch(struct sock_filter *code, int j_srv, int nsrv, int nskip,
		      int drop_at, int keep_at)
{
	int i, j_skip = j_srv + nsrv;

	for (i = 0; i < drop_at; i++) {
		struct sock_filter *c = &code[i];

		if (BPF_CLASS(c->code) != BPF_JMP)
			continue;
		if (i >= j_srv && i < j_skip) {
			continue;
		} else if (c->jt == 0 && c->jf == 0 && i >= j_skip &&
			   i < j_skip + nskip) {
			c->jt = (uint8_t)(drop_at - i - 1); /* refused port */
		} else if (c->jt == 0 && c->jf == 0 && i < j_srv) {
			/* the IPv4/TCP/fragment checks */
			if (BPF_OP(c->code) == BPF_JSET)
				c->jt = (uint8_t)(drop_at - i - 1);
			else
				c->jf = (uint8_t)(drop_at - i - 1);
		} else if (c->jt == 0 && c->jf == 0) {
			c->jt = (uint8_t)(keep_at - i - 1);
		}
	}
}

int capture_bpf_build(struct sock_filter *code, const int *srv, int nsrv,
		      const int *skip, int nskip, int range_first, int range_n,
		      uint32_t snap)
{
	int n = 0, i, drop_at, keep_at, j_srv, j_range = -1;

	if (nskip > CAPTURE_BPF_SKIP)
		nskip = CAPTURE_BPF_SKIP;
	if (nsrv > CAPTURE_BPF_SRV)
		nsrv = CAPTURE_BPF_SRV;
#define EMIT(c) (code[n++] = (struct sock_filter)c)
	/* IPv4, TCP, first fragment; X = IP header length. */
	EMIT(BPF_STMT(BPF_LD | BPF_H | BPF_ABS, SKF_AD_OFF + SKF_AD_PROTOCOL));
	EMIT(BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ETH_P_IP, 0, 0)); /* ->drop */
	EMIT(BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 9));
	EMIT(BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 6, 0, 0)); /* ->drop */
	EMIT(BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 6));
	EMIT(BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, 0x1fff, 0, 0)); /* drop */
	EMIT(BPF_STMT(BPF_LDX | BPF_B | BPF_MSH, 0));
	/* Which port? */
	EMIT(BPF_STMT(BPF_LD | BPF_W | BPF_ABS, SKF_AD_OFF + SKF_AD_IFINDEX));
	j_srv = n;
	for (i = 0; i < nsrv; i++)
		EMIT(BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (uint32_t)srv[i], 0,
			      0));
	for (i = 0; i < nskip; i++)
		EMIT(BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (uint32_t)skip[i], 0,
			      0)); /* ->drop */
	if (range_n > 0) {	   /* first <= ifindex < first + n: ->drop */
		EMIT(BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, (uint32_t)range_first,
			      0, 1));
		j_range = n;
		/* jf set once drop_at is known; not 0 meanwhile, so that
		 * bpf_patch() leaves it alone */
		EMIT(BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K,
			      (uint32_t)(range_first + range_n), 0, 1));
	}
	/* A client's port: SYN (no ACK) from the client. */
	EMIT(BPF_STMT(BPF_LD | BPF_W | BPF_ABS, SKF_AD_OFF + SKF_AD_PKTTYPE));
	EMIT(BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, PACKET_OUTGOING, 0, 1));
	EMIT(BPF_STMT(BPF_RET | BPF_K, 0));
	EMIT(BPF_STMT(BPF_LD | BPF_B | BPF_IND, 13));
	EMIT(BPF_STMT(BPF_ALU | BPF_AND | BPF_K, 0x12));
	EMIT(BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0x02, 0, 0)); /* ->keep */
	EMIT(BPF_STMT(BPF_RET | BPF_K, 0));
	/* A server's port. */
	for (i = j_srv; i < j_srv + nsrv; i++)
		code[i].jt = (uint8_t)(n - i - 1);
	EMIT(BPF_STMT(BPF_LD | BPF_W | BPF_ABS, SKF_AD_OFF + SKF_AD_PKTTYPE));
	EMIT(BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, PACKET_OUTGOING, 0, 4));
	/* to the server: SYN without ACK */
	EMIT(BPF_STMT(BPF_LD | BPF_B | BPF_IND, 13));
	EMIT(BPF_STMT(BPF_ALU | BPF_AND | BPF_K, 0x12));
	EMIT(BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0x02, 0, 0)); /* ->keep */
	EMIT(BPF_STMT(BPF_RET | BPF_K, 0));
	/* from the server: SYN or RST set, or exactly ACK */
	EMIT(BPF_STMT(BPF_LD | BPF_B | BPF_IND, 13));
	EMIT(BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, 0x06, 0, 0)); /* ->keep */
	EMIT(BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0x10, 0, 0));	/* ->keep */
	drop_at = n;
	EMIT(BPF_STMT(BPF_RET | BPF_K, 0));
	keep_at = n;
	EMIT(BPF_STMT(BPF_RET | BPF_K, snap));
#undef EMIT
	bpf_patch(code, j_srv, nsrv, nskip, drop_at, keep_at);
	if (j_range >= 0)
		code[j_range].jf = (uint8_t)(drop_at - j_range - 1);
	return n;
}
