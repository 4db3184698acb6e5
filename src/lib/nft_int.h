/* nft_int.h - what the nft files share: nft.c's batches, nftbuild.c's
 * building blocks, for the rulesets of nftrules.c and nftcone.c. */
#ifndef NATLAB_NFT_INT_H
#define NATLAB_NFT_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/netlink.h>
#include <linux/netfilter/nf_tables.h>

#include "lib/nft.h"

struct nftnl_rule;
struct nftnl_set;

/* ---- nft.c: the batch ---- */

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

/* ---- nftbuild.c: table, chains, rules, common expressions ---- */

/*
 * The input chain of the rfc suite's rules: nft_syn_drop() makes it in a
 * server, nft_fullcone() in a gateway.
 */
#define NFT_RFC_IN "rfc_in"

/**
 * nftbuild_table() - add "table ip natlab" (NFT_TABLE) to a batch
 * @b: batch, not ended
 *
 * Creating a table that exists is no error, so every ruleset adds it.
 * Return: 0, or -ENOSPC or -ENOMEM from batch_commit() or libnftnl.
 */
int nftbuild_table(struct nft_batch *b);

/**
 * nftbuild_chain() - add a base chain of "table ip natlab" to a batch
 * @b:    batch, not ended
 * @name: the chain's name
 * @type: "filter" or "nat"
 * @hook: NF_INET_*
 * @prio: its priority (NF_IP_PRI_*)
 * @desc: what it is, for errors (copied)
 *
 * The chain's policy is accept: it only adds to what passes through.
 * Return: 0, -ENOSPC or -ENOMEM.
 */
int nftbuild_chain(struct nft_batch *b, const char *name, const char *type,
		   uint32_t hook, int32_t prio, const char *desc);

/**
 * nftbuild_rule() - a new, empty rule of a chain of "table ip natlab"
 * @chain: the chain's name
 *
 * Return: the rule, which nftbuild_rule_put() frees; NULL if libnftnl
 * ran out of memory.
 */
struct nftnl_rule *nftbuild_rule(const char *chain);

/**
 * nftbuild_rule_put() - append a rule to a batch, and free it
 * @b:    batch, not ended
 * @r:    rule from nftbuild_rule(), with its expressions
 * @err:  0, or the error met while adding them: then the rule is only
 *        freed, so a builder can hand over its rule whatever happened
 * @desc: what it is, for errors (copied)
 *
 * Return: @err if nonzero, else 0, -ENOSPC or -ENOMEM.
 */
int nftbuild_rule_put(struct nft_batch *b, struct nftnl_rule *r, int err,
		      const char *desc);

/**
 * nftbuild_set() - a new set (or map) of "table ip natlab"
 * @name:  its name ("__set%d", "__map%d": an anonymous one)
 * @id:    its id in the batch, which rules refer to it by
 * @flags: NFT_SET_* flags
 *
 * The caller sets its key (and data) types.
 * Return: the set, which nftbuild_set_put() frees; NULL if libnftnl ran
 * out of memory.
 */
struct nftnl_set *nftbuild_set(const char *name, uint32_t id, uint32_t flags);

/**
 * nftbuild_set_put() - append a set to a batch, and free it
 * @b, @err, @desc: as for nftbuild_rule_put()
 * @s:    set from nftbuild_set()
 *
 * Return: @err if nonzero, else 0, -ENOSPC or -ENOMEM.
 */
int nftbuild_set_put(struct nft_batch *b, struct nftnl_set *s, int err,
		     const char *desc);

/*
 * Expressions appended to a rule, one per part of a statement.  Each
 * returns 0, or -ENOMEM if libnftnl cannot allocate it.
 */

/* meta KEY (NFT_META_*) -> dreg */
int nftbuild_meta(struct nftnl_rule *r, uint32_t key, uint32_t dreg);

/* cmp OP (NFT_CMP_*) sreg, LEN bytes of data */
int nftbuild_cmp(struct nftnl_rule *r, uint32_t sreg, uint32_t op,
		 const void *data, uint32_t len);

/* counter: the kernel starts it at zero packets, zero bytes */
int nftbuild_counter(struct nftnl_rule *r);

/* immediate LEN bytes of data -> dreg */
int nftbuild_immediate(struct nftnl_rule *r, uint32_t dreg, const void *data,
		       uint32_t len);

/* immediate verdict (NF_DROP, ...) */
int nftbuild_verdict(struct nftnl_rule *r, int verdict);

/* payload load: LEN bytes at OFFSET of header BASE -> dreg */
int nftbuild_payload(struct nftnl_rule *r, uint32_t base, uint32_t offset,
		     uint32_t len, uint32_t dreg);

/* The same from the transport or the network header. */
#define nftbuild_th(r, off, len, dreg)                                         \
	nftbuild_payload(r, NFT_PAYLOAD_TRANSPORT_HEADER, off, len, dreg)
#define nftbuild_nh(r, off, len, dreg)                                         \
	nftbuild_payload(r, NFT_PAYLOAD_NETWORK_HEADER, off, len, dreg)

/* bitwise: reg = (reg & mask) ^ 0 over LEN bytes, at most 4 (mask in
 * register order, as the payload or ct expression left the value);
 * a longer LEN is refused with -ENOMEM */
int nftbuild_bitwise(struct nftnl_rule *r, uint32_t reg, const void *mask,
		     uint32_t len);

/* meta iifname/oifname (KEY NFT_META_IIFNAME or _OIFNAME) == NAME,
 * compared over the whole IFNAMSIZ; a longer NAME is cut */
int nftbuild_ifname(struct nftnl_rule *r, uint32_t key, const char *name);

/* meta l4proto PROTO (IPPROTO_*) */
int nftbuild_l4proto(struct nftnl_rule *r, uint8_t proto);

/* tcp flags & MASK OP VALUE, OP NFT_CMP_EQ or NFT_CMP_NEQ */
int nftbuild_tcp_flags(struct nftnl_rule *r, uint8_t mask, uint8_t value,
		       uint32_t op);

/* tcp flags syn / syn,ack: a SYN that is not a SYN-ACK */
int nftbuild_pure_syn(struct nftnl_rule *r);

/* lookup sreg in set NAME (created in this batch with ID); dreg 0: a
 * membership test only (allowed on a named map) */
int nftbuild_lookup(struct nftnl_rule *r, uint32_t sreg, const char *set,
		    uint32_t id, uint32_t dreg);

/* ct load KEY -> dreg */
int nftbuild_ct(struct nftnl_rule *r, uint32_t key, uint32_t dreg);

/* snat/dnat to the address in reg_addr [: the port in reg_proto], with
 * NF_NAT_RANGE_* flags (MAP_IPS always, PROTO_SPECIFIED with a port);
 * reg_proto 0: no port given */
int nftbuild_nat(struct nftnl_rule *r, uint32_t type, uint32_t reg_addr,
		 uint32_t reg_proto, uint32_t flags);

/* nftables' datatype numbers of set keys and map data, as nft lists them
 * (userspace only: the kernel keeps them for the listing), and its
 * concatenation of two: one type in 6 bits per field */
#define NFT_TYPE_IPADDR	      7
#define NFT_TYPE_INET_SERVICE 13
#define NFT_TYPE_CONCAT(a, b) (((a) << 6) | (b))

/* The set ids a batch gives the sets it makes (a rule refers to a set of
 * its own batch by id): unique within a batch; these rulesets' sets may
 * share one batch (the balancer's, sent in batches of their own, reuse 1
 * and 2). */
#define NFT_SET_ID_FC_EIM     1
#define NFT_SET_ID_FC_EIF     2
#define NFT_SET_ID_CLOSING    3
#define NFT_SET_ID_FC_EIM_UDP 4
#define NFT_SET_ID_FC_EIF_UDP 5

#endif
