/* engine_legacy.h - the pure steps of the engine's legacy-server glue
 * (engine_legacy.c): which packet tells the model what, and when a
 * shortened TIME_WAIT ends. */
#ifndef NATLAB_ENGINE_LEGACY_H
#define NATLAB_ENGINE_LEGACY_H

#include <stdint.h>

#include "lib/pkt.h"

/* What a packet of a legacy server means to its model (legacy.c). */
enum eng_legacy_step {
	ENG_LEGACY_NONE,    /* nothing the model follows: it passes */
	ENG_LEGACY_SYN,	    /* a SYN to the server: judged, maybe dropped */
	ENG_LEGACY_RST,	    /* a RST either way: no TIME_WAIT, forget it */
	ENG_LEGACY_FIN_OUT, /* the server's FIN: its RTO is read now */
	ENG_LEGACY_FIN_IN,  /* the client's FIN: may end in TIME_WAIT */
};

/**
 * engine_legacy_step() - what a packet of a legacy server is to the model
 * @p:   the packet
 * @out: 1 if the server sends it, 0 if it receives it
 *
 * In this order: a SYN without ACK that the server receives, a RST either
 * way, a FIN either way; anything else is ENG_LEGACY_NONE.
 * Return: the step.
 */
enum eng_legacy_step engine_legacy_step(const struct pkt *p, int out);

/**
 * engine_legacy_tw_end_ms() - when a TIME_WAIT the model shortens ends
 * @now_ms: when the server entered TIME_WAIT
 * @rto_us: the connection's RTO in microseconds, read when the server sent
 *          its FIN; 0 or below if it could not be read (TCP_RTO_MIN,
 *          200 ms, is taken)
 *
 * tcp_time_wait() with tcp_tw_recycle keeps the socket for
 * (icsk_rto << 2) - (icsk_rto >> 1): 3.5 x RTO (Linux 2.6.32-4.11).
 * Return: @now_ms + 3.5 x RTO, rounded up to a whole millisecond (of an
 * odd RTO, 3.5 x RTO is first truncated to a whole microsecond).
 */
uint64_t engine_legacy_tw_end_ms(uint64_t now_ms, long rto_us);

#endif
