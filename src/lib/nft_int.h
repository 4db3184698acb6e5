/* nft_int.h - what nft.c (batches) lends nftrules.c (the rulesets). */
#ifndef NATLAB_NFT_INT_H
#define NATLAB_NFT_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/netlink.h>

#include "lib/nft.h"

/**
 * batch_hdr() - start the next request at the tail of a batch
 * @b:     batch, not ended
 * @type:  NFT_MSG_* (nfnetlink subsystem nf_tables)
 * @flags: NLM_F_* besides NLM_F_ACK, which every request carries
 *
 * Writes the netlink and nfgenmsg headers (family ip, the next sequence
 * number) for libnftnl to fill in; the message is not part of the batch
 * until batch_commit().
 * Return: the header.
 */
struct nlmsghdr *batch_hdr(struct nft_batch *b, uint16_t type, uint16_t flags);

/**
 * batch_commit() - accept the message just built at the tail of a batch
 * @b:    batch
 * @desc: what it does, for errors (copied)
 *
 * Grows the buffer as needed, up to its limit, keeping room for BATCH_END.
 * Return: 0, -ENOSPC (batch full) or -ENOMEM; on error the message is not
 * part of the batch.
 */
int batch_commit(struct nft_batch *b, const char *desc);

/**
 * batch_undo() - drop the messages after the first @count
 * @b:     batch
 * @len:   nft_batch_len() when there were @count messages
 * @count: nft_batch_count() then
 *
 * For a builder that fails part way: take nft_batch_len() and
 * nft_batch_count() before it starts, undo to them on failure.
 */
void batch_undo(struct nft_batch *b, size_t len, int count);

/**
 * batch_ended() - whether BATCH_END was written (nft_batch_end(),
 * nft_batch_send()): no more requests can be added
 * Return: true if ended.
 */
bool batch_ended(const struct nft_batch *b);

#endif
