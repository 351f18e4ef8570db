/* authz.h: every role and branch rule of a request, in one place: who may
 * push, which branch a pull, digest or audit query may see, who may use
 * the admin console, list checkpoints or take a backup. A refusal is
 * answered FORBIDDEN (or INVALID for a malformed branch id) and audited
 * here. The one rule that needs the stored record (a branch certificate
 * writes only records of its own branch, an admin names the branch) is
 * applied per op inside the writer, in server/db/push.c check_branch. */
#ifndef HEARTHD_AUTHZ_H
#define HEARTHD_AUTHZ_H

#include <stdint.h>

#include "common/envelope.h"
#include "server/loop/connection.h"
#include "server/db/store.h"

/* What an authz check decided. */
enum authz_decision {
	AUTHZ_DENY = 0,                 /* c was answered (and the refusal audited) */
	AUTHZ_ALLOW = 1,
};

/* Each check below returns an authz_decision; on AUTHZ_DENY the request
 * has been answered and the caller stops. */

/* Console requests: changes need an admin certificate, reads admin or
 * auditor. */
enum authz_access { AUTHZ_READ, AUTHZ_WRITE };

/* Push: branch and admin certificates write; auditors read only. */
int authz_push(conn *c, uint64_t request_id);

/* The branch a pull or digest sees: a branch principal only its own;
 * admin and auditor any one branch, or all (*branch NULL) when none is
 * named. *branch points into c or asked (borrowed). */
int authz_scope(conn *c, uint64_t request_id, const char *asked, const char **branch);

/* The scope a pull or digest reads, into sc: a branch principal its own
 * branch; a general principal (党总支) the subtree below its branch, or one
 * branch of it when asked names one (a branch outside is refused FORBIDDEN
 * with the branches it may read, never answered empty); admin and auditor
 * the asked branch or all. sc->tag is set for a general's whole subtree. */
int authz_read_scope(conn *c, uint64_t request_id, const char *asked, store_scope *sc);

/* The subtree of a general principal's push and whether it may edit the
 * branches below its own, into who->subtree and who->subtree_edits
 * (cleared for other roles); push.c check_branch applies them per op. */
int authz_push_scope(conn *c, uint64_t request_id, actor *who);

/* Attachment content (issue 18): the scope in which a file's content may be
 * found, into sc. Reading (a download or a query) is what the principal
 * reads (authz_read_scope); an upload (AUTHZ_WRITE) also needs a role that
 * writes (authz_push). The file is then looked for only in sc: a record
 * of sc must name it, or it does not exist (server/db/chunks.c). */
int authz_content_scope(conn *c, uint64_t request_id, enum authz_access access, store_scope *sc);

/* What a branch list shows: when it asks for the directory, to any
 * principal AUTHZ_DIRECTORY (id, name and parent of every branch, so it
 * can type and show names, a transfer's receiver included; no secretary);
 * else AUTHZ_ALLOW, and authz_console decides. */
enum { AUTHZ_DIRECTORY = 2 };
int authz_branch_directory(const conn *c, const Hearth__BranchListRequest *rq);

/* The branch an audit review query is limited to: a branch principal's
 * own (pointing into c), NULL (all) for admin and auditor. */
const char *authz_audit_branch(const conn *c);

/* The admin console (branches, principals, revocation, status). */
int authz_console(conn *c, const Hearth__Envelope *env, enum authz_access access);

/* The committee's stats and report computed by the server
 * (CommitteeRequest), into sc: admin and auditor every branch (sc->all);
 * a general principal its subtree, every asked branch (n_asked of them,
 * each checked by the caller to be 1..63 bytes) inside it, else FORBIDDEN
 * naming the branch and the ones it may read; any other role is refused
 * as authz_console refuses it. */
int authz_committee(conn *c, const Hearth__Envelope *env, char *const *asked, size_t n_asked, store_scope *sc);

/* The conflict queue (ConflictQueueRequest) reads sc as a pull does
 * (authz_read_scope: admin and auditor every branch or the one asked, a
 * general its subtree or one branch of it); a branch certificate is
 * refused FORBIDDEN, since its replica holds its own conflicts. */
int authz_conflict_queue(conn *c, uint64_t request_id, const char *asked, store_scope *sc);
/* Listing the server's stored checkpoints: admins and auditors. */
int authz_checkpoints(conn *c, uint64_t request_id);

/* A backup holds every branch's records: admins only. */
int authz_backup(conn *c, uint64_t request_id);

#endif
