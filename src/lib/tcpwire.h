/* tcpwire.h - IPv4 and TCP header constants, shared by the packet code
 * (pkt.c) and the tc clock program (engine/tsclock.bpf.c), which is
 * compiled for BPF and includes nothing of libc. */
#ifndef NATLAB_TCPWIRE_H
#define NATLAB_TCPWIRE_H

#define IP_PROTO_TCP 6
#define IP_PROTO_UDP 17
#define IP_OFFMASK   0x1fff /* a fragment's offset, in the flags field */

#define TCP_HDR_MIN  20 /* a header without options */
#define TCP_OPT_MAX  40 /* the most option bytes a header can hold */
#define TCP_CSUM_OFF 16 /* the checksum's offset in the header */

/* Option kinds (RFC 793, 7323, 2018) and the lengths they must have. */
#define OPT_EOL		  0
#define OPT_NOP		  1
#define OPT_MSS		  2
#define OPT_WS		  3
#define OPT_SACK_PERM	  4
#define OPT_TS		  8
#define OPT_MSS_LEN	  4
#define OPT_WS_LEN	  3
#define OPT_SACK_PERM_LEN 2
#define OPT_TS_LEN	  10

#endif
