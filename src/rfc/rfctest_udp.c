/* rfctest_udp.c - natlab rfc's UDP tests (RFC 4787). */
#include "rfc/rfc_int.h"

int rfctest_udp(struct suite *s)
{
	(void)s;
	return 0;
}
