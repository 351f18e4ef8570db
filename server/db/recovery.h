/* recovery.h: recovery mode of a server restored from an older backup
 * (issue 13 item 10): the signed restore notice, `hearthd recovery
 * start|end`, and writing the revisions replicas re-push.
 *
 * While the meta key "restore_notice" holds a packed RestoreNotice the
 * server is in recovery mode: Welcome presents the notice, so witnesses
 * accept the shorter log once, and RecoverRequests are answered. The
 * notice is made offline on the stopped store, right after `hearthd
 * restore`, so the first client that connects already sees it; the audit
 * log records when recovery started and ended. */
#ifndef HEARTHD_RECOVERY_H
#define HEARTHD_RECOVERY_H

#include <lmdb.h>
#include <stddef.h>
#include <stdint.h>

#include "common/wire.h"
#include "server/db/store.h"

#define RECOVERY_NOTICE_KEY "restore_notice"

/* `hearthd recovery start --data DIR --audit-key KEY` and `hearthd
 * recovery end --data DIR`. argv[0] is "recovery". Prints for people,
 * returns 0 done, 1 failed, 2 bad usage or refused. */
int recovery_main(int argc, char **argv);

/* The notice of the store in txn as a malloc'd copy of its packed bytes
 * (the caller frees *out). Returns 0, HEARTH_ENOTFOUND (not in recovery
 * mode; *out NULL) or a negative HEARTH_E* code. */
int recovery_notice_get(store *s, MDB_txn *txn, uint8_t **out, size_t *len);

/* What recovery_apply needs. Borrowed for the call. */
typedef struct recovery_args {
	const actor *who;               /* the principal that re-pushed it (with its replica) */
	const Hearth__Record *claimed;  /* the copy as the replica holds it */
	/* NULL, or the audit entry of that revision whose leaf the replica
	 * witnessed: the record must match it (id, revision, kind, branch,
	 * body digest), and the audit entry of the recovery says it did */
	const Hearth__AuditEntry *witnessed;
	int64_t now;
} recovery_args;

/* Writes one re-pushed record in the writer's txn when the server lacks
 * its revision: a new revision that keeps the claimed author, time and
 * revision number, audited as "record.recovered" naming the replica and
 * the principal. A record the server holds at that revision or later is
 * left alone (RECOVER_PRESENT); one outside the sender's branch, of no
 * known kind, with an invalid body or not matching its witnessed entry is
 * refused (RECOVER_REJECTED), as is every record when the server is not in
 * recovery mode. Appends the
 * RecoverResult as field 1 of a RecoverResponse to out. Returns 0 or a
 * negative HEARTH_E* code (the caller aborts txn). */
int recovery_apply(store *s, MDB_txn *txn, const recovery_args *a, wirebuf *out);

#endif
