/* rfcwords.c - the words of natlab rfc's evidence: durations, timeouts,
 * addresses, how a probe ended, shared by the judges of every RFC. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "lib/util.h"
#include "rfc/rfc_int.h"

void rfc_tx(struct rfc_row *r, const char *fmt, ...)
{
	size_t used = strlen(r->evidence);
	va_list ap;

	if (used >= sizeof(r->evidence) - 1)
		return;
	va_start(ap, fmt);
	vsnprintf(r->evidence + used, sizeof(r->evidence) - used, fmt, ap);
	va_end(ap);
}

void rfc_datum(struct rfc_row *r, const char *key, int64_t value)
{
	if (r->ndata == RFC_DATA_MAX)
		return;
	snprintf(r->data[r->ndata].key, sizeof(r->data[0].key), "%s", key);
	r->data[r->ndata].value = value;
	r->ndata++;
}

/* A duration: "85 us", "0.4 ms", "2.04 s". */
const char *rfc_dur(uint32_t us, char *buf, size_t len)
{
	if (us < 1000)
		snprintf(buf, len, "%u us", us);
	else if (us < 1000000)
		snprintf(buf, len, "%.1f ms", us / 1000.0);
	else
		snprintf(buf, len, "%.2f s", us / 1e6);
	return buf;
}

/* A timeout in seconds, with a readable form when it is long. */
const char *rfc_secs(int32_t s, char *buf, size_t len)
{
	if (s < 0)
		snprintf(buf, len, "?");
	else if (s >= 86400 && s % 3600 == 0)
		snprintf(buf, len, "%d s (%d d %d h)", s, s / 86400,
			 s % 86400 / 3600);
	else if (s >= 3600)
		snprintf(buf, len, "%d s (%d h %d min)", s, s / 3600,
			 s % 3600 / 60);
	else
		snprintf(buf, len, "%d s", s);
	return buf;
}

const char *rfc_ip(uint32_t a, char *buf)
{
	return util_ipv4_str(a, buf);
}

/* How a probe ended, e.g. "refused by a RST after 85 us". */
const char *rfc_brief(const struct rfc_conn *c, char *buf, size_t len)
{
	char d[32], a[16];

	switch ((enum rfc_outcome)c->out) {
	case RFC_OUT_NOTRUN:
		snprintf(buf, len, "not run");
		break;
	case RFC_OUT_OK:
		snprintf(buf, len, "connected");
		break;
	case RFC_OUT_RST:
		snprintf(buf, len, "refused by a RST after %s",
			 rfc_dur(c->us, d, sizeof(d)));
		break;
	case RFC_OUT_ICMP:
		snprintf(buf, len, "ICMP %u/%u from %s after %s", c->icmp_type,
			 c->icmp_code, rfc_ip(c->icmp_from, a),
			 rfc_dur(c->us, d, sizeof(d)));
		break;
	case RFC_OUT_SILENT:
		snprintf(buf, len, "no answer in %s",
			 rfc_dur(c->us, d, sizeof(d)));
		break;
	case RFC_OUT_ERROR:
		snprintf(buf, len, "local error (%s)", strerror(c->err));
		break;
	}
	return buf;
}

int rfc_ok(const struct rfc_conn *c)
{
	return c->out == RFC_OUT_OK;
}

/* A probe that could not tell anything about the gateway. */
int rfc_broken(const struct rfc_conn *c)
{
	return c->out == RFC_OUT_NOTRUN || c->out == RFC_OUT_ERROR;
}
