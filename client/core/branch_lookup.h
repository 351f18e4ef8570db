/* branch_lookup.h: a branch typed by id or by name (第一党支部), resolved
 * through the branch directory the replica keeps (sync stores the
 * directory of the replica's scope), and a branch's name for output. */
#ifndef HEARTH_BRANCH_LOOKUP_H
#define HEARTH_BRANCH_LOOKUP_H

#include <stddef.h>

#include "client/core/replica.h"

/* The replica meta key holding the packed BranchList of the scope. */
#define BRANCH_DIRECTORY_META "branches"

/* What branch_resolve decided. */
enum branch_lookup_result {
	BRANCH_LOOKUP_OK = 0,         /* id holds the branch id */
	BRANCH_LOOKUP_UNKNOWN = 1,    /* no branch of the directory has that id or name */
	BRANCH_LOOKUP_AMBIGUOUS = 2,  /* more than one branch has that name */
};

/* Resolves typed (an id, or a branch's full name) into id (cap bytes).
 * An id of the directory wins; else a name that exactly one branch has;
 * else typed goes on as an id when it has the shape of one (the scope
 * check or the server judges it). A replica without a directory (never
 * synced) takes typed as it is.
 * Returns an enum branch_lookup_result, with why (whycap bytes) naming
 * the candidates ("b001 第一党支部, b002 第二党支部") on UNKNOWN and
 * AMBIGUOUS, or a negative HEARTH_E* code. */
int branch_resolve(replica *r, const char *typed, char *id, size_t cap, char *why, size_t whycap);

/* The directory itself (ids, names and parents of every branch, as the
 * last sync stored it), unpacked: the caller frees it with
 * hearth__branch_list__free_unpacked. NULL with *rc 0 when the replica
 * has none (never synced), else *rc is 0 or a negative HEARTH_E* code. */
Hearth__BranchList *branch_directory(replica *r, int *rc);

/* The name of branch id from the directory into name (cap bytes; "" when
 * unknown). Returns 0 or a negative HEARTH_E* code. */
int branch_name_of(replica *r, const char *id, char *name, size_t cap);

#endif
