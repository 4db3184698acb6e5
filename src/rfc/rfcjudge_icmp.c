/* rfcjudge_icmp.c - natlab rfc's judgement of the ICMP rows (RFC 5508). */
#include "rfc/rfc_int.h"

void rfc_judge_icmp(const struct rfc_evidence *ev,
		    struct rfc_row rows[RFC_NREQ])
{
	(void)ev;
	(void)rows;
}
