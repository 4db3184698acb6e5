/* rfc_icmp.h - what natlab rfc's ICMP tests (RFC 5508) measure. */
#ifndef NATLAB_RFC_ICMP_H
#define NATLAB_RFC_ICMP_H

#include <stdint.h>

struct rfc_icmp_ev {
	uint8_t ran;
};

#endif
