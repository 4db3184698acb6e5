/* engine_legacy.h - the pure steps of the engine's tcp_tw_recycle glue
 * (engine_legacy.c): a queued packet as the model sees it, and the RTO
 * the old stack would have used. */
#ifndef NATLAB_ENGINE_LEGACY_H
#define NATLAB_ENGINE_LEGACY_H

#include "engine/legacy.h"
#include "lib/diag.h"
#include "lib/pkt.h"

/**
 * engine_legacy_seg() - a parsed packet as a segment of the model
 * @p:   the packet
 * @out: 1 if the host sends it, 0 if it receives it
 * @s:   filled: the tuple with the host's end first, flags, sequence
 *       numbers, payload length and timestamps
 */
void engine_legacy_seg(const struct pkt *p, int out, struct legacy_seg *s);

/**
 * engine_legacy_rto_us() - the RTO tcp_time_wait() would read, from what
 * sock_diag shows of the socket now
 *
 * The packet the model is handed is held before the stack sees it; the
 * ACK that completes a close carries a TSecr whose RTT sample resets the
 * backoff (tcp_ack_update_rtt(), tcp_set_rto()) before tcp_time_wait()
 * reads icsk_rto.  So the RTO shown, halved once per backoff, is taken.
 * Return: microseconds, or -1 if the socket showed none.
 */
long engine_legacy_rto_us(const struct diag_sock *s);

#endif
