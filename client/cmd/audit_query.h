/* audit_query.h: what the audit commands share (audit_query.c): the
 * connection through the witness, paging through AuditQuery answers,
 * parsing their arguments and describing entries for people and JSON.
 *
 * Functions returning int return an exit code from cli.h after printing
 * why, unless their comment says otherwise; strings they return malloc'd
 * belong to the caller. */
#ifndef HEARTH_CMD_AUDIT_QUERY_H
#define HEARTH_CMD_AUDIT_QUERY_H

#include <stddef.h>
#include <stdint.h>

#include "client/cmd/cli.h"
#include "client/core/audit_read.h"
#include "client/core/audit_text.h"
#include "client/core/member_lookup.h"
#include "client/core/replica.h"
#include "client/core/session.h"
#include "client/ui/output.h"
#include "common/record.h"
#include "common/uuid.h"

#define QUERY_PAGE_MAX AUDIT_READ_PAGE_MAX

typedef struct audq_conn {
	cli *c;
	replica r;
	session s;
	int r_open, s_open;
	const char *cmd;
	member_namer names;   /* references by name, over r while it is open */
} audq_conn;

/* Calls fn for every entry matching q from q->after_seq on, page by page,
 * until fn returns non-zero or the server has no more. The entry is valid
 * only during the call. */
typedef audit_entry_fn audq_entry_fn;

/* Resolves RECORD: a unique prefix among the replica's records, any full
 * id (the auditor may ask about records its replica does not hold), or a
 * member's name, unique in the replica (several are listed to choose
 * from). Returns an EXIT_* code, having said what was wrong. */
int audq_record_arg(replica *r, const char *cmd, const char *text, uint8_t id[UUID_LEN]);

/* Profile, replica, session, witness: in that order, released in reverse
 * by conn_close whatever happened. */
int audq_conn_open(audq_conn *x, cli *c, const char *cmd);

void audq_conn_close(audq_conn *x);

int audq_lost(audq_conn *x);

int audq_refused(audq_conn *x, const char *what, const Hearth__Envelope *resp);

/* A core reader (client/core/audit_read.h) over x's session whose
 * refusals are printed as audq_refused prints them. */
void audq_reader(audq_conn *x, audit_reader *rd);

/* One AuditQuery page. *resp is the caller's (envelope_free). */
int audq_query(audq_conn *x, Hearth__AuditQuery *q, Hearth__Envelope **resp);

/* Calls fn for each entry matching q, page by page, in q's order (after_seq
 * ascending, or newest_first below before_seq), until fn returns non-zero
 * (then *more_left = 1; negative is a failure) or the log ends. q's page
 * position moves on as entries arrive. Returns an EXIT_* code. */
int audq_each_entry(audq_conn *x, Hearth__AuditQuery *q, audq_entry_fn fn, void *ctx, int *more_left);

void audq_json_bytes(out_json *j, const char *key, const ProtobufCBinaryData *b);

/* Every field of an entry as one JSON object. With chain, also "leaf" and
 * "canonical" (base64 of the canonical bytes), so an outside tool can
 * recompute leaf = SHA-256(canonical) and hash = SHA-256(prev_hash || leaf). */
int audq_json_entry(out_json *j, const Hearth__AuditEntry *e, int chain);

#endif
