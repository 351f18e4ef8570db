/* audit_verify.h: the audit chain verification of `hearth audit verify`
 * and of the 校验 page of `hearth ui` (audit_verify.c): reads every entry
 * this principal may read over a witnessed session, recomputes each leaf
 * and the hash chain, and checks a freshly signed checkpoint and (admin,
 * auditor) every checkpoint the server ever signed against it.
 *
 * Nothing here prints. The result says what was found in words the
 * caller shows as they are. */
#ifndef HEARTH_CORE_AUDIT_VERIFY_H
#define HEARTH_CORE_AUDIT_VERIFY_H

#include <stddef.h>
#include <stdint.h>

#include "client/core/audit_read.h"
#include "common/audit.h"

/* What the verification found. */
typedef enum audit_verdict {
	AUDIT_VERIFY_OK = 0,            /* every entry read chains, every checkpoint verifies */
	AUDIT_VERIFY_ENTRY_DAMAGED,     /* entry bad_seq is missing or does not chain: why */
	AUDIT_VERIFY_HEAD_DAMAGED,      /* the fresh checkpoint (cp_size) does not match: why */
	AUDIT_VERIFY_CHECKPOINT_DAMAGED,/* a stored checkpoint (cp_size, cp_time) does not: why */
	AUDIT_VERIFY_LOST,              /* the connection failed: err */
	AUDIT_VERIFY_REFUSED,           /* the server refused a request: err (and the
	                                 * reader's refused hook was told) */
	AUDIT_VERIFY_FAILED,            /* the server broke the protocol, or out of memory: err */
} audit_verdict;

typedef struct audit_verify_result {
	audit_verdict verdict;
	int branch;                 /* a branch principal: links of all, contents of its own */
	uint64_t entries;           /* entries in the chain checked */
	uint64_t own;               /* entries whose contents were checked */
	uint64_t checkpoints;       /* checkpoints verified */
	char head[2 * AUDIT_HASH_LEN + 1];  /* the chain's head, hex ("" when not OK) */
	uint64_t bad_seq;           /* ENTRY_DAMAGED */
	uint64_t cp_size;           /* HEAD_DAMAGED, CHECKPOINT_DAMAGED */
	int64_t cp_time;            /* CHECKPOINT_DAMAGED: when it was signed (ms) */
	char why[300];              /* the damage, in words */
	char err[1200];             /* LOST, REFUSED, FAILED */
} audit_verify_result;

/* Verifies the log over rd's session (its Welcome's principal and audit
 * key, which the witness checked). Fills *out; returns its verdict. */
audit_verdict audit_verify_run(audit_reader *rd, audit_verify_result *out);

/* The result in one sentence (without a command's prefix):
 * "N entries, head H, M checkpoints: OK", "entry N is damaged: …", …
 * For a branch principal an OK says what it could check. */
void audit_verify_sentence(const audit_verify_result *r, char *out, size_t cap);

#endif
