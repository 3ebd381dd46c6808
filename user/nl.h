/* SPDX-License-Identifier: GPL-2.0 */
#ifndef RSP_NL_H
#define RSP_NL_H

#include <signal.h>
#include <netlink/genl/genl.h>
#include <linux/rserpool.h>

struct rsp_nl {
	struct nl_sock *sk;
	int family;
	int group;			/* "events", after rsp_nl_subscribe() */
	/* The last error the kernel gave, with its extack. */
	int err;
	char msg[256];
	char attr[96];			/* e.g. RSP_A_PE_POLICY/RSP_POLICY_A_LOAD */
	int dump_intr;			/* a dump saw NLM_F_DUMP_INTR */
	int done;			/* the request's ACK, error or DONE came */
	/* The message being handed to a callback, unparsed (repeats). */
	struct nlattr *attrs;
	int attrlen;
	/* A dump read a part at a time: what was read, what is left. */
	uint8_t *dbuf;
	size_t doff, dlen;
	uint32_t dseq;
};

/* Called for each reply or event; tb is indexed by RSP_A_*. */
typedef int (*rsp_nl_cb)(struct nlattr **tb, int cmd, void *arg);

int rsp_nl_open(struct rsp_nl *nl);
void rsp_nl_close(struct rsp_nl *nl);
struct nl_msg *rsp_nl_msg(struct rsp_nl *nl, int cmd, int flags);
/*
 * The same with room for @size bytes, for requests known to fit: a page
 * (nlmsg_alloc()) cleared for each of a peer's 50 000 PEs costs more
 * than the rest of their messages' building.
 */
struct nl_msg *rsp_nl_msg_size(struct rsp_nl *nl, int cmd, int flags,
			       size_t size);
/*
 * A dump read a part at a time, on a socket of its own: start sends @msg
 * (and frees it); more calls @cb for the next answers until @cb returns 1
 * (that answer comes first at the next call) and returns 1 then, 0 at the
 * dump's end, or -errno.
 */
int rsp_nl_dump_start(struct rsp_nl *nl, struct nl_msg *msg);
int rsp_nl_dump_more(struct rsp_nl *nl, rsp_nl_cb cb, void *arg);
/* Sends @msg (and frees it), calls @cb for each answer; 0 or -errno. */
int rsp_nl_talk(struct rsp_nl *nl, struct nl_msg *msg, rsp_nl_cb cb,
		void *arg);
/*
 * Sends the @n requests that lie one after another in @buf (@len bytes,
 * sequence numbers from @first on: rsp_nl_seq()) in one write and waits
 * for their answers: @errs[i] is 0 or -errno for each.  Only the last
 * should ask for an ACK (the kernel answers the others only with an
 * error), which saves an answer a request.  nl's error and extack message
 * are those of the first request that failed.  0, or -errno if the batch
 * itself failed.
 */
int rsp_nl_batch(struct rsp_nl *nl, const void *buf, size_t len,
		 unsigned int n, uint32_t first, int *errs);
/*
 * For requests written by hand: the family, and @n sequence numbers one
 * after another (the first).
 */
uint16_t rsp_nl_family(const struct rsp_nl *nl);
uint32_t rsp_nl_seqs(struct rsp_nl *nl, unsigned int n);
/* Prints "PROGRAM: WHAT: strerror: kernel message (attribute)". */
void rsp_nl_perror(const struct rsp_nl *nl, const char *what);
int rsp_nl_subscribe(struct rsp_nl *nl);
/* Receives events until @cb returns non-zero or an error. */
int rsp_nl_listen(struct rsp_nl *nl, rsp_nl_cb cb, void *arg,
		  const sigset_t *sigs, volatile sig_atomic_t *stop);
/*
 * Handles the events queued on a subscribed socket without waiting (for
 * an event loop): 0, -ENOBUFS if some were lost, or another -errno.
 */
int rsp_nl_drain(struct rsp_nl *nl, rsp_nl_cb cb, void *arg);
/* Parses a nest whose inner types are RSP_*_A_* up to @max. */
int rsp_nl_nest(struct nlattr **tb, int max, struct nlattr *nest);

#endif
