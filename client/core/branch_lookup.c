/* branch_lookup.c: branch ids and names through the replica's branch
 * directory (branch_lookup.h). */
#include "client/core/branch_lookup.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client/core/replica_meta.h"
#include "common/hearth.h"
#include "common/i18n.h"
#include "proto/hearth.pb-c.h"

/* The directory, unpacked (the caller frees it), or NULL with *rc 0 when
 * the replica has none. */
static Hearth__BranchList *directory(replica *r, int *rc)
{
	uint8_t *bytes = NULL;
	size_t len = 0;
	Hearth__BranchList *l;

	*rc = replica_meta_get_bytes(r, BRANCH_DIRECTORY_META, &bytes, &len);
	if (*rc == HEARTH_ENOTFOUND) {
		*rc = 0;
		return NULL;
	}
	if (*rc != 0)
		return NULL;
	l = hearth__branch_list__unpack(NULL, len, bytes);
	free(bytes);
	if (!l)
		*rc = HEARTH_ECORRUPT;
	return l;
}

Hearth__BranchList *branch_directory(replica *r, int *rc)
{
	return directory(r, rc);
}

/* "b001 第一党支部, b002 第二党支部" of the branches that pass (all when
 * name is NULL, else those called name). */
static void candidates(const Hearth__BranchList *l, const char *name, char *out, size_t cap)
{
	size_t used = 0;

	out[0] = '\0';
	for (size_t i = 0; i < l->n_branches && used < cap; i++) {
		const Hearth__Branch *b = l->branches[i];
		int n;
		if (name && strcmp(b->name, name) != 0)
			continue;
		n = snprintf(out + used, cap - used, "%s%s%s%s", used ? ", " : "", b->id, b->name[0] ? " " : "", b->name);
		if (n < 0)
			break;
		used += (size_t)n;
	}
}

/* Whether s has the shape of a branch id (1-63 of A-Z a-z 0-9 . _ -). */
static int looks_like_id(const char *s)
{
	size_t n = strlen(s);
	return n > 0 && n <= 63 &&
	       strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") == n;
}

int branch_resolve(replica *r, const char *typed, char *id, size_t cap, char *why, size_t whycap)
{
	Hearth__BranchList *l;
	const Hearth__Branch *hit = NULL;
	size_t named = 0;
	char list[2000];
	int rc;

	if (whycap)
		why[0] = '\0';
	l = directory(r, &rc);
	if (rc != 0)
		return rc;
	if (!l) {
		snprintf(id, cap, "%s", typed);
		return BRANCH_LOOKUP_OK;
	}
	for (size_t i = 0; i < l->n_branches; i++) {
		if (!strcmp(l->branches[i]->id, typed)) {
			hit = l->branches[i];
			named = 1;
			break;
		}
		if (!strcmp(l->branches[i]->name, typed)) {
			hit = l->branches[i];
			named++;
		}
	}
	if (named == 1) {
		snprintf(id, cap, "%s", hit->id);
		rc = BRANCH_LOOKUP_OK;
	} else if (named > 1) {
		candidates(l, typed, list, sizeof(list));
		snprintf(why, whycap, _("more than one branch is called %s: %s; give its id"), typed, list);
		rc = BRANCH_LOOKUP_AMBIGUOUS;
	} else if (looks_like_id(typed)) {
		/* An id the directory does not know (yet) goes on as typed: the
		 * scope check or the server says what is wrong with it. */
		snprintf(id, cap, "%s", typed);
		rc = BRANCH_LOOKUP_OK;
	} else {
		candidates(l, NULL, list, sizeof(list));
		snprintf(why, whycap, _("no branch has the id or name %s; this replica knows %s"), typed,
		         list[0] ? list : _("no branches"));
		rc = BRANCH_LOOKUP_UNKNOWN;
	}
	hearth__branch_list__free_unpacked(l, NULL);
	return rc;
}

int branch_name_of(replica *r, const char *id, char *name, size_t cap)
{
	Hearth__BranchList *l;
	int rc;

	if (cap)
		name[0] = '\0';
	l = directory(r, &rc);
	if (!l)
		return rc;
	for (size_t i = 0; i < l->n_branches; i++)
		if (!strcmp(l->branches[i]->id, id))
			snprintf(name, cap, "%s", l->branches[i]->name);
	hearth__branch_list__free_unpacked(l, NULL);
	return 0;
}
