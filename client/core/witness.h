/* witness.h: every client is a witness of the server's audit log: it keeps
 * the last signed checkpoint it accepted and, on each connect, checks that
 * the log only grew since (DESIGN section 6). witness.c judges; the
 * command side (client/cmd/witness.c) pins the key, stores the checkpoint
 * and tells people what a refusal means.
 *
 * Nothing here prints or keeps state. */
#ifndef HEARTH_CORE_WITNESS_H
#define HEARTH_CORE_WITNESS_H

#include <stddef.h>
#include <stdint.h>

#include "common/audit.h"
#include "client/core/session.h"

/* Reads a PEM Ed25519 public key (e.g. certs/dev/audit-ed25519.pub) into
 * its raw 32 bytes. Returns 0 or HEARTH_EINVAL/HEARTH_EIO with err set. */
int witness_load_pubkey(const char *path, uint8_t out[AUDIT_KEY_LEN], char *err, size_t errlen);

/* Called for each audit link in order; returns 0 to go on, anything else
 * stops the walk and is returned by it. */
typedef int (*witness_link_fn)(void *ctx, uint64_t seq, const uint8_t leaf[AUDIT_HASH_LEN],
                               const uint8_t hash[AUDIT_HASH_LEN]);

/* Walks the server's audit links (from, to] page by page (AuditProof),
 * checking that their sequence numbers follow each other, and calls fn for
 * each. Returns 0; fn's non-zero value; HEARTH_EPROTO with err set when the
 * server answered something else or an Error (then *server_code holds its
 * ErrorCode, else 0); a negative code with s->error set when the
 * connection failed. */
int witness_links(session *s, uint64_t from, uint64_t to, witness_link_fn fn, void *ctx,
                  int *server_code, char *err, size_t errlen);

/* Where witness_judge gets the links of a grown log: a function with
 * witness_links' contract, src its first argument. */
typedef int (*witness_proof_fn)(void *src, uint64_t from, uint64_t to, witness_link_fn fn, void *ctx,
                                int *server_code, char *err, size_t errlen);

/* witness_links as a witness_proof_fn (src is the session *). */
int witness_session_proof(void *session_, uint64_t from, uint64_t to, witness_link_fn fn, void *ctx,
                          int *server_code, char *err, size_t errlen);

/* What witness_judge found. Everything but WITNESS_OK refuses the server. */
typedef enum witness_verdict {
	WITNESS_OK = 0,          /* the log only grew (or is the one accepted before) */
	WITNESS_NO_CHECKPOINT,   /* the server presented no checkpoint */
	WITNESS_FORGED,          /* the checkpoint's signature does not verify with the key */
	WITNESS_NO_HEAD,         /* a non-empty log without a head hash */
	WITNESS_SHRANK,          /* fewer entries than accepted before */
	WITNESS_REWRITTEN,       /* as many entries as before, another head */
	WITNESS_DIVERGED,        /* it grew, but its chain does not continue the accepted head */
	WITNESS_UNPROVEN,        /* the server cannot give the links of its own checkpoint */
	WITNESS_PROOF_FAILED,    /* the proof was malformed or answered otherwise (not a refusal
	                          * of trust: a protocol failure) */
	WITNESS_LOST,            /* the connection failed while fetching the proof */
	WITNESS_BEHIND,          /* the server's pull cursor is behind the one this replica
	                          * reached: it forgot changes it had handed out (restored from
	                          * an older copy) */
	WITNESS_RESTORED,        /* the log is shorter or other, but a valid restore notice
	                          * names a prefix of what this replica saw and the log grew
	                          * from there: accept it once and recover (witness_judge_restored) */
	WITNESS_NOTICE_FORGED,   /* a restore notice whose signature does not verify with the key */
	WITNESS_NOTICE_USED,     /* a restore notice this replica accepted before (a replay) */
	WITNESS_NOTICE_NOT_PREFIX, /* the notice's checkpoint is not one this replica saw */
} witness_verdict;

/* The options of witness_judge. */
typedef struct witness_judge_opts {
	const uint8_t *key;      /* AUDIT_KEY_LEN bytes: the key that must sign */
	witness_proof_fn proof;  /* fetches the links when the log grew */
	void *src;               /* proof's first argument */
	/* NULL, or told of every link verified while the log grew (entry
	 * seq's leaf and the chain's hash after it), so the caller can keep
	 * what it witnessed */
	void (*seen)(void *arg, uint64_t seq, const uint8_t leaf[AUDIT_HASH_LEN], const uint8_t hash[AUDIT_HASH_LEN]);
	void *seen_arg;
} witness_judge_opts;

/* Details of a verdict, filled by witness_judge. */
typedef struct witness_detail {
	uint64_t diverged;   /* WITNESS_DIVERGED: first seq whose hash differs, 0: only the end */
	int rc;              /* WITNESS_LOST: proof's negative return */
	char err[600];       /* WITNESS_UNPROVEN, WITNESS_PROOF_FAILED: proof's message */
} witness_detail;

/* Judges the presented checkpoint now (may be NULL) against the accepted
 * one old (NULL: first use, anything validly signed is accepted), asking
 * o->proof for the links only when the log grew. Borrows everything; keeps
 * nothing. Returns the verdict, with d filled as its comment says. */
witness_verdict witness_judge(const witness_judge_opts *o, const Hearth__Checkpoint *old,
                              const Hearth__Checkpoint *now, witness_detail *d);

/* What witness_judge_restored needs to weigh a restore notice. */
typedef struct witness_notice_opts {
	const Hearth__RestoreNotice *notice;  /* the Welcome's (NULL: none) */
	int used;                             /* this replica accepted it before */
	/* The chain's hash after entry seq as this replica verified it: 0, or
	 * nonzero when it never saw that link. */
	int (*seen_hash)(void *arg, uint64_t seq, uint8_t hash[AUDIT_HASH_LEN]);
	void *seen_arg;
} witness_notice_opts;

/* As witness_judge; but when the log shrank or was rewritten (SHRANK,
 * REWRITTEN, DIVERGED) and the server presents a restore notice, judges
 * the notice: it must verify with o->key (else WITNESS_NOTICE_FORGED), be
 * new to this replica (else WITNESS_NOTICE_USED), name a checkpoint no
 * larger than old whose head is the one this replica saw at that size (else
 * WITNESS_NOTICE_NOT_PREFIX), and now must extend that checkpoint (else
 * witness_judge's verdict for it). Then WITNESS_RESTORED: the caller
 * accepts now and recovers. Without a notice the verdict is witness_judge's. */
witness_verdict witness_judge_restored(const witness_judge_opts *o, const witness_notice_opts *n,
                                       const Hearth__Checkpoint *old, const Hearth__Checkpoint *now,
                                       witness_detail *d);

/* Judges the checkpoint of a push answer (may be NULL: a server before
 * push receipts, nothing to pin) against the pinned one: as witness_judge,
 * but a missing receipt is WITNESS_OK and not a refusal. The caller pins
 * now when the verdict is WITNESS_OK and now is not NULL. */
witness_verdict witness_judge_push(const witness_judge_opts *o, const Hearth__Checkpoint *pinned,
                                   const Hearth__Checkpoint *now, witness_detail *d);

/* Judges the server's pull cursor (theirs) against the replica's (ours):
 * WITNESS_BEHIND when the server is behind, else WITNESS_OK. A server only
 * ever moves its cursor forward, so the replica must not forget what it
 * pulled to match it (that would drop acknowledged records). */
witness_verdict witness_judge_cursor(uint64_t ours, uint64_t theirs);

/* The checkpoint's time as local "YYYY-MM-DD HH:MM:SS" into out ("(no
 * time)" for none). */
void witness_time(int64_t ms, char *out, size_t cap);

#endif
