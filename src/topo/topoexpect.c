/* topoexpect.c - [expect] lines: METRIC OP VALUE read and kept, and the
 * metric names they may use. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/util.h"
#include "topo/topo.h"
#include "topo/topo_int.h"

/*
 * An [expect] section is not "key = value": topo.c hands each body line
 * to topoexpect_line(), which checks its shape, operator and number and
 * keeps it.  Whether METRIC names a node of the lab, and a metric of that
 * node's kind, is checked by topores.c once every node is known, since
 * [expect] may come before the nodes it names.
 */

int topoexpect_line(struct parser *p, const char *text, int line)
{
	char metric[64], op[4], value[48], extra[2];
	struct topo_expect *e;
	enum topo_cmp cmp;
	double v = 0;
	char *end;

	if (sscanf(text, "%63s %3s %47s %1s", metric, op, value, extra) != 3) {
		topo_perr(p, line,
			  "expected 'METRIC OP VALUE', e.g. 'c1.failed == 0'");
		return -EINVAL;
	}
	for (cmp = TOPO_EQ; cmp <= TOPO_GE; cmp++)
		if (!strcmp(op, topo_cmp_name(cmp)))
			break;
	if (cmp > TOPO_GE) {
		topo_perr(p, line,
			  "unknown operator '%s': use == != < <= > >=", op);
		return -EINVAL;
	}
	errno = 0;
	v = strtod(value, &end);
	/* Plain decimals only: strtod() would take nan, inf and hex. */
	if (end == value || errno ||
	    strspn(value, "-0123456789.") != (size_t)(end - value) ||
	    value[0] == '+' ||
	    (*end && strcmp(end, "ms") && strcmp(end, "s"))) {
		topo_perr(p, line, "'%s' is not a number or a duration (ms, s)",
			  value);
		return -EINVAL;
	}
	p->expects = topo_grow(p->expects, p->nexpects, &p->expects_cap,
			       sizeof(*p->expects));
	e = &p->expects[p->nexpects];
	memset(e, 0, sizeof(*e));
	e->duration = *end != '\0';
	e->value = !strcmp(end, "s") ? v * 1000.0 : v;
	if (strlen(metric) >= sizeof(e->metric)) {
		topo_perr(p, line, "metric name '%s' is too long", metric);
		return -EINVAL;
	}
	strcpy(e->metric, metric);
	e->op = cmp;
	e->line = line;
	snprintf(e->text, sizeof(e->text), "%s %s %s", metric, op, value);
	p->nexpects++;
	return 0;
}

/* The metric names of the README's "Metrics" table: a contract for
 * [expect], the JSON output and matrix, so a name added here belongs
 * there too. */
static const char client_metrics[] =
	" attempts established failed timeouts resets refused no_port"
	" first_syn_ok syn_retrans connect_p50 connect_p99 connect_max"
	" connect_avg timewait fin_wait2 estab_resets syn_dropped syn_twack ";
static const char server_metrics[] =
	" syn_in synack_out syn_dropped paws_passive paws_timewait"
	" listen_drops listen_overflows timewait tw_shortened accepted"
	" syn_dropped_other tw_overflow paws_estab fin_wait2 resets"
	" twack_out challenge_acks estab_resets ";
static const char gateway_metrics[] =
	" mappings port_reuse insert_failed conntrack ct_invalid ";
/* of a client or a server with legacy.tcp_tw_recycle (a client's
 * tw_shortened too), and the two "clients." sums of them */
static const char legacy_metrics[] =
	" remembered remembered_at_ack tw_rearmed syn_spared pressure_drops"
	" seeded tw_shortened ";
static const char legacy_sums[] = " tw_shortened seeded ";
/* and conns.SERVER for each of its servers */
static const char balancer_metrics[] =
	" conns insert_failed conntrack ct_invalid ";

int topo_metric_known(int kind, const char *name)
{
	const char *list = kind == TOPO_GATEWAY	   ? gateway_metrics
			   : kind == TOPO_SERVER   ? server_metrics
			   : kind == TOPO_BALANCER ? balancer_metrics
						   : client_metrics;
	char *word;
	int found;

	if (!*name || strchr(name, ' '))
		return 0;
	if (kind == TOPO_BALANCER && !strncmp(name, "conns.", 6))
		return name[6] != '\0';
	word = topo_strf(" %s ", name);
	found = strstr(list, word) != NULL ||
		((kind == TOPO_CLIENT || kind == TOPO_SERVER) &&
		 strstr(legacy_metrics, word) != NULL) ||
		(kind == -1 && strstr(legacy_sums, word) != NULL);
	free(word);
	return found;
}

/* Each name of @list (names between spaces) to @fn, after @prefix. */
static void metrics_list(const char *kind, const char *list, const char *prefix,
			 void (*fn)(const char *kind, const char *name,
				    void *arg),
			 void *arg)
{
	char name[48];
	size_t n;

	for (list += strspn(list, " "); *list; list += strspn(list, " ")) {
		n = strcspn(list, " ");
		snprintf(name, sizeof(name), "%s%.*s", prefix, (int)n, list);
		fn(kind, name, arg);
		list += n;
	}
}

void topo_metrics_each(void (*fn)(const char *kind, const char *name,
				  void *arg),
		       void *arg)
{
	metrics_list("client", client_metrics, "", fn, arg);
	metrics_list("server", server_metrics, "", fn, arg);
	metrics_list("gateway", gateway_metrics, "", fn, arg);
	metrics_list("balancer", balancer_metrics, "", fn, arg);
	fn("balancer", "conns.", arg);
	metrics_list("legacy", legacy_metrics, "", fn, arg);
	metrics_list("legacy", legacy_sums, "clients.", fn, arg);
}

const char *topo_cmp_name(enum topo_cmp op)
{
	static const char *const names[] = {"==", "!=", "<", "<=", ">", ">="};

	return names[op];
}
