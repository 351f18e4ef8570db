/* admin_requests.c: the console's requests (branches, principals,
 * revocation) and the checks of what an admin types for them. */
#include "client/core/admin_requests.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client/core/replica_meta.h"
#include "common/hearth.h"
#include "common/i18n.h"
#include "common/utf8.h"

int admin_branch_id_valid(const char *s)
{
	size_t n = strlen(s);
	return n > 0 && n <= ADMIN_BRANCH_ID_MAX &&
	       strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") == n;
}

int admin_text_check(const char *label, const char *s, size_t max, int required, char *why, size_t cap)
{
	size_t n = strlen(s);

	if (required && n == 0) {
		snprintf(why, cap, _("%s must not be empty"), label);
		return HEARTH_EINVAL;
	}
	if (n > max) {
		snprintf(why, cap, _("%s is %zu bytes long; the limit is %zu"), label, n, max);
		return HEARTH_EINVAL;
	}
	if (!utf8_valid(s, n) || strpbrk(s, "\r\n\t")) {
		snprintf(why, cap, _("%s must be one line of UTF-8 text"), label);
		return HEARTH_EINVAL;
	}
	return 0;
}

size_t admin_fingerprint_normalize(const char *in, char out[65])
{
	size_t n = 0;

	for (; *in; in++) {
		if (*in == ':')
			continue;
		if (!isxdigit((unsigned char)*in) || n == 64)
			return 0;
		out[n++] = (char)tolower((unsigned char)*in);
	}
	out[n] = '\0';
	return n;
}

const Hearth__PrincipalInfo *admin_principal_by_prefix(const Hearth__PrincipalsList *l, const char *prefix,
                                                       size_t *matches)
{
	const Hearth__PrincipalInfo *match = NULL;
	size_t len = strlen(prefix);

	*matches = 0;
	for (size_t i = 0; l && i < l->n_principals; i++)
		if (!strncmp(l->principals[i]->fingerprint, prefix, len)) {
			match = l->principals[i];
			(*matches)++;
		}
	return *matches == 1 ? match : NULL;
}

admin_outcome admin_request(session *s, Hearth__Envelope *req, Hearth__Envelope__BodyCase want,
                            Hearth__Envelope **resp, char *why, size_t cap)
{
	Hearth__Envelope *r = NULL;

	*resp = NULL;
	why[0] = '\0';
	if (session_call(s, req, &r) != 0) {
		snprintf(why, cap, "%s", s->error);
		return ADMIN_LOST;
	}
	if (r->body_case != want) {
		if (r->body_case == HEARTH__ENVELOPE__BODY_ERROR && r->error && r->error->message)
			snprintf(why, cap, "%s", r->error->message);
		else
			snprintf(why, cap, _("the server answered something else than was asked"));
		envelope_free(r, NULL);
		return ADMIN_REFUSED;
	}
	*resp = r;
	return ADMIN_ANSWERED;
}

admin_outcome admin_request_branches(session *s, Hearth__Envelope **resp, char *why, size_t cap)
{
	Hearth__Envelope req = HEARTH__ENVELOPE__INIT;
	Hearth__BranchListRequest blr = HEARTH__BRANCH_LIST_REQUEST__INIT;

	req.body_case = HEARTH__ENVELOPE__BODY_BRANCH_LIST_REQUEST;
	req.branch_list_request = &blr;
	return admin_request(s, &req, HEARTH__ENVELOPE__BODY_BRANCH_LIST, resp, why, cap);
}

admin_outcome admin_request_directory(session *s, Hearth__Envelope **resp, char *why, size_t cap)
{
	Hearth__Envelope req = HEARTH__ENVELOPE__INIT;
	Hearth__BranchListRequest blr = HEARTH__BRANCH_LIST_REQUEST__INIT;

	blr.directory = 1;
	req.body_case = HEARTH__ENVELOPE__BODY_BRANCH_LIST_REQUEST;
	req.branch_list_request = &blr;
	return admin_request(s, &req, HEARTH__ENVELOPE__BODY_BRANCH_LIST, resp, why, cap);
}

admin_outcome admin_request_principals(session *s, Hearth__Envelope **resp, char *why, size_t cap)
{
	Hearth__Envelope req = HEARTH__ENVELOPE__INIT;
	Hearth__PrincipalsRequest pr = HEARTH__PRINCIPALS_REQUEST__INIT;

	req.body_case = HEARTH__ENVELOPE__BODY_PRINCIPALS_REQUEST;
	req.principals_request = &pr;
	return admin_request(s, &req, HEARTH__ENVELOPE__BODY_PRINCIPALS_LIST, resp, why, cap);
}

admin_outcome admin_request_branch_put(session *s, const admin_branch_put_args *a, Hearth__Envelope **resp,
                                       char *why, size_t cap)
{
	Hearth__Envelope req = HEARTH__ENVELOPE__INIT;
	Hearth__BranchPut put = HEARTH__BRANCH_PUT__INIT;

	put.branch = (Hearth__Branch *)a->b;
	put.create = a->create;
	put.set_general_edits = (uint32_t)a->edits;
	req.body_case = HEARTH__ENVELOPE__BODY_BRANCH_PUT;
	req.branch_put = &put;
	return admin_request(s, &req, HEARTH__ENVELOPE__BODY_BRANCH_PUT_RESULT, resp, why, cap);
}

admin_outcome admin_request_revoke(session *s, const char *fp, const char *reason, Hearth__Envelope **resp,
                                   char *why, size_t cap)
{
	Hearth__Envelope req = HEARTH__ENVELOPE__INIT;
	Hearth__RevokeRequest rv = HEARTH__REVOKE_REQUEST__INIT;

	rv.fingerprint = (char *)fp;
	rv.reason = (char *)reason;
	req.body_case = HEARTH__ENVELOPE__BODY_REVOKE;
	req.revoke = &rv;
	return admin_request(s, &req, HEARTH__ENVELOPE__BODY_REVOKE_RESULT, resp, why, cap);
}

#define META_BRANCHES "admin.branches"

int admin_branches_remember(replica *r, const Hearth__BranchList *l)
{
	size_t n = hearth__branch_list__get_packed_size(l);
	uint8_t *buf = malloc(n ? n : 1);
	int rc;

	if (!buf)
		return HEARTH_ENOMEM;
	hearth__branch_list__pack(l, buf);
	rc = replica_meta_set_bytes(r, META_BRANCHES, buf, n);
	free(buf);
	return rc;
}

Hearth__BranchList *admin_branches_recall(replica *r)
{
	Hearth__BranchList *l = NULL;
	uint8_t *cached = NULL;
	size_t len = 0;

	if (replica_meta_get_bytes(r, META_BRANCHES, &cached, &len) == 0) {
		l = hearth__branch_list__unpack(NULL, len, cached);
		free(cached);
	}
	return l;
}
