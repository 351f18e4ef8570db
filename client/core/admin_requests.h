/* admin_requests.h: the committee console's requests to the server and the
 * checks of what an admin types for them (admin_requests.c), shared by
 * `hearth admin branch|principals|revoke` and the admin pages of `hearth ui`.
 *
 * Nothing here prints. The server authorizes every request (a branch
 * certificate gets FORBIDDEN, which it audits); these functions only send,
 * wait and say what came back. */
#ifndef HEARTH_CORE_ADMIN_REQUESTS_H
#define HEARTH_CORE_ADMIN_REQUESTS_H

#include <stddef.h>

#include "client/core/replica.h"
#include "client/core/session.h"

#define ADMIN_BRANCH_ID_MAX 63     /* ids travel in certificate URIs */
#define ADMIN_BRANCH_NAME_MAX 128
#define ADMIN_SECRETARY_MAX 64
#define ADMIN_REASON_MAX 300       /* the server's limit on a revocation's reason */
#define ADMIN_FINGERPRINT_PREFIX_MIN 8

/* Whether s is a branch id: letters, digits, '.', '_', '-', 1 to
 * ADMIN_BRANCH_ID_MAX characters. */
int admin_branch_id_valid(const char *s);

/* Whether s is one line of UTF-8 text of at most max bytes (and not empty
 * when required). Returns 0, or HEARTH_EINVAL with why (naming label) in
 * why[cap]. */
int admin_text_check(const char *label, const char *s, size_t max, int required, char *why, size_t cap);

/* A fingerprint as people paste it (hex, with or without colons) into
 * lower-case hex in out. Returns its length, 0 when it is not hex. */
size_t admin_fingerprint_normalize(const char *in, char out[65]);

/* Finds the one principal of l whose fingerprint starts with prefix
 * (normalized, at least ADMIN_FINGERPRINT_PREFIX_MIN digits). Returns it
 * (borrowed from l) and sets *matches to 1; NULL with *matches 0 (none) or
 * the number that start so (ambiguous). */
const Hearth__PrincipalInfo *admin_principal_by_prefix(const Hearth__PrincipalsList *l, const char *prefix,
                                                       size_t *matches);

/* How an admin request ended. */
typedef enum admin_outcome {
	ADMIN_ANSWERED = 0,   /* *resp holds the wanted answer (envelope_free it) */
	ADMIN_REFUSED,        /* the server answered an Error or another body: why holds its message */
	ADMIN_LOST,           /* the connection failed: why holds s->error */
} admin_outcome;

/* Sends req on s and waits for a response whose body is want. */
admin_outcome admin_request(session *s, Hearth__Envelope *req, Hearth__Envelope__BodyCase want,
                            Hearth__Envelope **resp, char *why, size_t cap);

/* BranchListRequest -> BranchList. */
admin_outcome admin_request_branches(session *s, Hearth__Envelope **resp, char *why, size_t cap);

/* BranchListRequest{directory} -> BranchList: id, name and parent of
 * every branch, which any principal may ask for (a general branch's
 * figures name its subtree from it). */
admin_outcome admin_request_directory(session *s, Hearth__Envelope **resp, char *why, size_t cap);

/* PrincipalsRequest -> PrincipalsList. */
admin_outcome admin_request_principals(session *s, Hearth__Envelope **resp, char *why, size_t cap);

/* Whether the general-branch certificates of a 党总支 may edit the records
 * of the branches below it (BranchPut.set_general_edits). */
typedef enum admin_general_edits {
	ADMIN_GENERAL_EDITS_KEEP = 0,
	ADMIN_GENERAL_EDITS_ALLOW = 1,
	ADMIN_GENERAL_EDITS_FORBID = 2,
} admin_general_edits;

/* A branch to store: create it (it must not exist), or replace the whole
 * branch (it must exist); b is borrowed for the call. */
typedef struct admin_branch_put_args {
	const Hearth__Branch *b;
	int create;
	admin_general_edits edits;
} admin_branch_put_args;

/* BranchPut -> BranchPutResult. */
admin_outcome admin_request_branch_put(session *s, const admin_branch_put_args *a, Hearth__Envelope **resp,
                                       char *why, size_t cap);

/* RevokeRequest for the full fingerprint fp with reason -> RevokeResult. */
admin_outcome admin_request_revoke(session *s, const char *fp, const char *reason, Hearth__Envelope **resp,
                                   char *why, size_t cap);

/* The last branch list an admin fetched, kept in the replica (meta key
 * admin.branches) so figures can name branches offline. remember returns
 * 0 or a negative HEARTH_E* code; recall returns the list (the caller's:
 * hearth__branch_list__free_unpacked) or NULL when none was kept. */
int admin_branches_remember(replica *r, const Hearth__BranchList *l);
Hearth__BranchList *admin_branches_recall(replica *r);

#endif
