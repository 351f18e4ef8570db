/* audit_read.h: reading the server's audit log over an open session
 * (audit_read.c): one AuditQuery page, or every matching entry page by
 * page in the query's order, checking that the server moves on. Shared by
 * `hearth audit …` (client/cmd) and the auditor's pages of `hearth ui`
 * (client/ui). Nothing here prints; the session is the caller's and must
 * have passed the witness (client/cmd/witness.h) before it is read.
 *
 * The caller's buffers: err is always NUL-terminated; entries handed to a
 * callback are valid only during the call. */
#ifndef HEARTH_CORE_AUDIT_READ_H
#define HEARTH_CORE_AUDIT_READ_H

#include <stddef.h>
#include <stdint.h>

#include "client/core/replica.h"
#include "client/core/session.h"

#define AUDIT_READ_PAGE_MAX 1000     /* the server's cap on AuditQuery.limit */

/* How a read ended. */
typedef enum audit_read_result {
	AUDIT_READ_OK = 0,       /* the log ended, or the callback stopped it (> 0) */
	AUDIT_READ_LOST,         /* the connection failed: s->error says why */
	AUDIT_READ_REFUSED,      /* the server answered with an Error or another body:
	                          * the refused hook was told, err says it in words */
	AUDIT_READ_BROKEN,       /* the server sent entries out of order or did not
	                          * move on: err says how */
	AUDIT_READ_FAILED,       /* the callback returned a negative value */
} audit_read_result;

/* An open session and who hears of a refusal. */
typedef struct audit_reader {
	session *s;              /* borrowed, open, witnessed */
	/* NULL, or told of a refusal before the read returns AUDIT_READ_REFUSED;
	 * what is a msgid (N_("audit query")), resp borrowed for the call. */
	void (*refused)(void *arg, const char *what, const Hearth__Envelope *resp);
	void *arg;
	char err[1200];          /* one sentence, localized, when the result is not OK */
} audit_reader;

/* Calls fn for every entry matching q, in q's order (after_seq ascending,
 * or newest_first below before_seq). A non-zero return of fn stops the
 * walk: positive is a normal stop, negative a failure. */
typedef int (*audit_entry_fn)(void *ctx, const Hearth__AuditEntry *e);

/* One AuditQuery page. On AUDIT_READ_OK *resp is the caller's
 * (envelope_free) and holds an AuditPage; otherwise *resp is NULL. */
audit_read_result audit_read_page(audit_reader *rd, Hearth__AuditQuery *q, Hearth__Envelope **resp);

/* Walks the entries matching q page by page, until fn returns non-zero
 * (then *more_left = 1, when more_left is not NULL) or the log ends. q's
 * page position (after_seq, or before_seq when newest_first) moves on as
 * entries arrive, so calling again with q continues the list. */
audit_read_result audit_read_each(audit_reader *rd, Hearth__AuditQuery *q, audit_entry_fn fn, void *ctx,
                                  int *more_left);

/* Resolves what a person typed for the record an audit query is about: a
 * unique id prefix among the replica's records, any full id (an auditor
 * may ask about records its replica does not hold), or a member's name,
 * unique in the replica (member_lookup_record). Returns 0, or
 * HEARTH_ENOTFOUND / HEARTH_EINVAL (ambiguous, or not a name) / another
 * negative code from the replica, with err set to one sentence. */
int audit_record_arg(replica *r, const char *text, uint8_t id[16], char *err, size_t cap);

/* A refusal's sentence: "the server refused the WHAT: REASON" in the
 * reader's language (the server's reason localized where it is known). */
void audit_read_refusal_text(const char *what, const Hearth__Envelope *resp, char *out, size_t cap);

#endif
