/* rfcjudge_udp.c - natlab rfc's judgement of the UDP rows (RFC 4787). */
#include "rfc/rfc_int.h"

void rfc_judge_udp(const struct rfc_evidence *ev, struct rfc_row rows[RFC_NREQ])
{
	(void)ev;
	(void)rows;
}
