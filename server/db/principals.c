/* principals.c: the branches, the principals that have connected and the
 * revoked-certificate table, as stored in LMDB (storage only: who may ask
 * for what is api/authz.c's business). */
#include "server/db/principals.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/sha.h>

#include "common/hearth.h"
#include "common/utf8.h"
#include "server/db/audit_log.h"

int principals_valid_branch_id(const char *id)
{
	size_t n = strlen(id);
	if (n == 0 || n > STORE_BRANCH_MAX)
		return 0;
	for (size_t i = 0; i < n; i++) {
		char ch = id[i];
		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '.' ||
		      ch == '_' || ch == '-'))
			return 0;
	}
	return 1;
}

int principals_branch_exists(store *s, MDB_txn *txn, const char *branch)
{
	MDB_val k = { strlen(branch), (void *)branch }, v;
	return k.mv_size > 0 && mdb_get(txn, s->branches, &k, &v) == 0;
}

int principals_branch_name(store *s, MDB_txn *txn, const char *id, char *name, size_t cap)
{
	MDB_val k = { strlen(id), (void *)id }, v;
	Hearth__Branch *b;
	int rc;

	name[0] = '\0';
	if (k.mv_size == 0)
		return 0;
	rc = mdb_get(txn, s->branches, &k, &v);
	if (rc == MDB_NOTFOUND)
		return 0;
	if (rc != 0)
		return store_err(rc);
	if ((b = hearth__branch__unpack(NULL, v.mv_size, v.mv_data)) == NULL)
		return HEARTH_ECORRUPT;
	snprintf(name, cap, "%s", b->name);
	hearth__branch__free_unpacked(b, NULL);
	return 0;
}

int principals_branch_names(store *s, MDB_txn *txn, char *out, size_t cap)
{
	MDB_cursor *c = NULL;
	MDB_val k, v;
	size_t used = 0;
	int rc, mrc;

	out[0] = '\0';
	if ((rc = store_err(mdb_cursor_open(txn, s->branches, &c))) != 0)
		return rc;
	for (mrc = mdb_cursor_get(c, &k, &v, MDB_FIRST); mrc == 0; mrc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		Hearth__Branch *b = hearth__branch__unpack(NULL, v.mv_size, v.mv_data);
		int n;
		if (!b)
			continue;
		n = snprintf(out + used, cap - used, "%s%s%s%s%s", used ? ", " : "", b->id,
		             b->name[0] ? " (" : "", b->name, b->name[0] ? ")" : "");
		hearth__branch__free_unpacked(b, NULL);
		if (n < 0 || (size_t)n >= cap - used) {
			/* Cut on a whole entry: the ellipsis replaces what did not fit. */
			out[used] = '\0';
			if (cap - used > 6)
				snprintf(out + used, cap - used, ", …");
			break;
		}
		used += (size_t)n;
	}
	mdb_cursor_close(c);
	if (!out[0])
		snprintf(out, cap, "none");
	return mrc == 0 || mrc == MDB_NOTFOUND ? 0 : store_err(mrc);
}

struct tree_node {
	char id[STORE_BRANCH_MAX + 1];
	char parent[STORE_BRANCH_MAX + 1];
	int in;
};

int principals_subtree(store *s, MDB_txn *txn, const char *root, store_scope *out, int *edits)
{
	MDB_cursor *c = NULL;
	MDB_val k, v;
	struct tree_node *nodes = NULL, *grown;
	size_t n = 0, cap = 0, i;
	int rc = 0, mrc, changed, root_seen = 0;
	uint8_t md[32], joined[STORE_SCOPE_MAX * (STORE_BRANCH_MAX + 1)];
	size_t used = 0;

	memset(out, 0, sizeof(*out));
	if (edits)
		*edits = 0;
	if ((rc = store_err(mdb_cursor_open(txn, s->branches, &c))) != 0)
		return rc;
	for (mrc = mdb_cursor_get(c, &k, &v, MDB_FIRST); mrc == 0; mrc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		Hearth__Branch *b = hearth__branch__unpack(NULL, v.mv_size, v.mv_data);
		if (!b)
			continue;
		if (n == cap) {
			cap = cap ? 2 * cap : 64;
			if ((grown = realloc(nodes, cap * sizeof(*nodes))) == NULL) {
				hearth__branch__free_unpacked(b, NULL);
				rc = HEARTH_ENOMEM;
				goto fail;
			}
			nodes = grown;
		}
		snprintf(nodes[n].id, sizeof(nodes[n].id), "%s", b->id);
		snprintf(nodes[n].parent, sizeof(nodes[n].parent), "%s", b->parent ? b->parent : "");
		nodes[n].in = strcmp(b->id, root) == 0;
		if (nodes[n].in) {
			root_seen = 1;
			if (edits)
				*edits = b->general_edits;
		}
		hearth__branch__free_unpacked(b, NULL);
		n++;
	}
	if (mrc != MDB_NOTFOUND) {
		rc = store_err(mrc);
		goto fail;
	}
	/* Grow the set from the root down; each pass adds at least one level,
	 * so n passes bound it even for a (refused at write) parent cycle. */
	for (size_t pass = 0; pass < n; pass++) {
		changed = 0;
		for (i = 0; i < n; i++) {
			if (nodes[i].in || !nodes[i].parent[0])
				continue;
			for (size_t j = 0; j < n; j++) {
				if (nodes[j].in && strcmp(nodes[j].id, nodes[i].parent) == 0) {
					nodes[i].in = changed = 1;
					break;
				}
			}
		}
		if (!changed)
			break;
	}
	/* A general branch not (yet) in the table still reads its own id. */
	if (!root_seen)
		snprintf(out->ids[out->n++], sizeof(out->ids[0]), "%s", root);
	for (i = 0; i < n; i++) {
		if (!nodes[i].in)
			continue;
		if (out->n == STORE_SCOPE_MAX) {
			rc = HEARTH_ETOOBIG;
			goto fail;
		}
		snprintf(out->ids[out->n++], sizeof(out->ids[0]), "%s", nodes[i].id);
	}
	for (i = 0; i < out->n; i++) {
		size_t l = strlen(out->ids[i]) + 1;
		memcpy(joined + used, out->ids[i], l);
		used += l;
	}
	SHA256(joined, used, md);
	for (i = 0; i < 8; i++)
		snprintf(out->tag + 2 * i, 3, "%02x", md[i]);
fail:
	free(nodes);
	mdb_cursor_close(c);
	return rc;
}

static int put_message(MDB_txn *txn, MDB_dbi dbi, const char *key, const ProtobufCMessage *m)
{
	size_t len = protobuf_c_message_get_packed_size(m);
	uint8_t *buf = malloc(len ? len : 1);
	MDB_val k = { strlen(key), (void *)key }, v;
	int rc;

	if (!buf)
		return HEARTH_ENOMEM;
	protobuf_c_message_pack(m, buf);
	v.mv_size = len;
	v.mv_data = buf;
	rc = store_err(mdb_put(txn, dbi, &k, &v, 0));
	free(buf);
	return rc;
}

int principals_put_branch(store *s, MDB_txn *txn, const principals_write *w, const Hearth__BranchPut *bp,
                          principals_result *res)
{
	Hearth__Branch *in = bp->branch;
	Hearth__Branch out = HEARTH__BRANCH__INIT;
	Hearth__Branch *old = NULL;
	MDB_val k, v;
	char detail[400];
	int exists, rc;

	if (!in || !principals_valid_branch_id(in->id)) {
		res->refused = HEARTH__ERROR_CODE__ERR_INVALID;
		snprintf(res->why, sizeof(res->why),
		         "branch id \"%s\" must be 1-63 characters of A-Z a-z 0-9 . _ -", in ? in->id : "");
		return 0;
	}
	if ((in->name && (strlen(in->name) > 200 || !utf8_valid(in->name, strlen(in->name)))) ||
	    (in->secretary && (strlen(in->secretary) > 100 || !utf8_valid(in->secretary, strlen(in->secretary))))) {
		res->refused = HEARTH__ERROR_CODE__ERR_INVALID;
		snprintf(res->why, sizeof(res->why), "branch name or secretary is not valid UTF-8 text of a sensible length");
		return 0;
	}
	if (in->parent && in->parent[0] && (!strcmp(in->parent, in->id) || !principals_branch_exists(s, txn, in->parent))) {
		res->refused = HEARTH__ERROR_CODE__ERR_INVALID;
		snprintf(res->why, sizeof(res->why), "parent branch %s does not exist", in->parent);
		return 0;
	}
	if (in->parent && in->parent[0]) {
		/* The tree stays a tree: walking up from the new parent must not
		 * come back to this branch (bounded by the branch count). */
		char up[STORE_BRANCH_MAX + 1];
		snprintf(up, sizeof(up), "%s", in->parent);
		for (int steps = 0; up[0] && steps < 100000; steps++) {
			Hearth__Branch *pb;
			if (!strcmp(up, in->id)) {
				res->refused = HEARTH__ERROR_CODE__ERR_INVALID;
				snprintf(res->why, sizeof(res->why),
				         "parent branch %s is below branch %s: the tree would loop", in->parent, in->id);
				return 0;
			}
			k.mv_size = strlen(up);
			k.mv_data = up;
			if ((rc = mdb_get(txn, s->branches, &k, &v)) != 0)
				break;
			if ((pb = hearth__branch__unpack(NULL, v.mv_size, v.mv_data)) == NULL)
				break;
			snprintf(up, sizeof(up), "%s", pb->parent ? pb->parent : "");
			hearth__branch__free_unpacked(pb, NULL);
		}
	}
	k.mv_size = strlen(in->id);
	k.mv_data = in->id;
	rc = mdb_get(txn, s->branches, &k, &v);
	exists = rc == 0;
	if (rc && rc != MDB_NOTFOUND)
		return store_err(rc);
	if (bp->create && exists) {
		res->refused = HEARTH__ERROR_CODE__ERR_CONFLICT;
		snprintf(res->why, sizeof(res->why), "branch %s already exists; use rename to change it", in->id);
		return 0;
	}
	if (!bp->create && !exists) {
		res->refused = HEARTH__ERROR_CODE__ERR_NOT_FOUND;
		snprintf(res->why, sizeof(res->why), "branch %s does not exist; add it first", in->id);
		return 0;
	}
	if (exists)
		old = hearth__branch__unpack(NULL, v.mv_size, v.mv_data);
	if (bp->create && (!in->name || !in->name[0])) {
		res->refused = HEARTH__ERROR_CODE__ERR_INVALID;
		snprintf(res->why, sizeof(res->why), "a new branch needs a name");
		return 0;
	}
	out.id = in->id;
	out.name = in->name && in->name[0] ? in->name : old ? old->name : "";
	out.parent = in->parent && in->parent[0] ? in->parent : old ? old->parent : "";
	out.secretary = in->secretary && in->secretary[0] ? in->secretary : old ? old->secretary : "";
	out.general_edits = bp->set_general_edits == 1 ? 1 : bp->set_general_edits == 2 ? 0 : old ? old->general_edits : 0;
	out.created_at = old ? old->created_at : w->now;
	out.updated_at = w->now;
	rc = put_message(txn, s->branches, in->id, &out.base);
	if (rc == 0) {
		snprintf(detail, sizeof(detail), "%s%s%s name=%s parent=%s secretary=%s general_edits=%s",
		         bp->create ? "added" : "changed", old ? " from name=" : "", old ? old->name : "", out.name,
		         out.parent, out.secretary, out.general_edits ? "on" : "off");
		rc = audit_event(s, txn, &(audit_event_args){
			.who = w->who, .action = bp->create ? "branch.add" : "branch.update", .branch = in->id,
			.detail = detail, .peer = w->peer });
	}
	if (rc == 0) {
		res->packed_len = hearth__branch__get_packed_size(&out);
		res->packed = malloc(res->packed_len ? res->packed_len : 1);
		if (!res->packed)
			rc = HEARTH_ENOMEM;
		else
			hearth__branch__pack(&out, res->packed);
	}
	if (old)
		hearth__branch__free_unpacked(old, NULL);
	return rc;
}

int principals_revoke(store *s, MDB_txn *txn, const principals_write *w, const Hearth__RevokeRequest *rq,
                      principals_result *res)
{
	Hearth__PrincipalInfo *pi = NULL, fresh = HEARTH__PRINCIPAL_INFO__INIT;
	MDB_val k, v;
	char detail[400];
	int rc;
	size_t n = strlen(rq->fingerprint);

	if (n != 64 || strspn(rq->fingerprint, "0123456789abcdef") != 64) {
		res->refused = HEARTH__ERROR_CODE__ERR_INVALID;
		snprintf(res->why, sizeof(res->why),
		         "fingerprint must be 64 lower-case hex digits, as 'hearth whoami' prints it");
		return 0;
	}
	if (!rq->reason || !rq->reason[0] || strlen(rq->reason) > 300 || !utf8_valid(rq->reason, strlen(rq->reason))) {
		res->refused = HEARTH__ERROR_CODE__ERR_INVALID;
		snprintf(res->why, sizeof(res->why), "a revocation needs a reason (at most 300 bytes of text)");
		return 0;
	}
	k.mv_size = 64;
	k.mv_data = rq->fingerprint;
	rc = mdb_get(txn, s->principals, &k, &v);
	if (rc == 0)
		pi = hearth__principal_info__unpack(NULL, v.mv_size, v.mv_data);
	else if (rc != MDB_NOTFOUND)
		return store_err(rc);
	if (pi && pi->revoked) {
		res->refused = HEARTH__ERROR_CODE__ERR_CONFLICT;
		snprintf(res->why, sizeof(res->why), "certificate %.16s… was already revoked", rq->fingerprint);
		hearth__principal_info__free_unpacked(pi, NULL);
		return 0;
	}
	/* A certificate may be revoked before it ever connected. */
	fresh.fingerprint = rq->fingerprint;
	if (pi) {
		fresh.name = pi->name;
		fresh.role = pi->role;
		fresh.branch_id = pi->branch_id;
		fresh.first_seen = pi->first_seen;
		fresh.last_seen = pi->last_seen;
		fresh.logins = pi->logins;
	}
	fresh.revoked = 1;
	fresh.revoked_reason = rq->reason;
	fresh.revoked_at = w->now;
	fresh.revoked_by = (char *)w->who->name;
	rc = put_message(txn, s->principals, rq->fingerprint, &fresh.base);
	if (rc == 0) {
		snprintf(detail, sizeof(detail), "revoked %s (%s, branch %s): %s", rq->fingerprint,
		         fresh.name ? fresh.name : "never connected", fresh.branch_id ? fresh.branch_id : "", rq->reason);
		rc = audit_event(s, txn, &(audit_event_args){
			.who = w->who, .action = "revoke", .branch = fresh.branch_id ? fresh.branch_id : "",
			.detail = detail, .peer = w->peer });
	}
	if (rc == 0) {
		res->packed_len = hearth__principal_info__get_packed_size(&fresh);
		res->packed = malloc(res->packed_len ? res->packed_len : 1);
		if (!res->packed)
			rc = HEARTH_ENOMEM;
		else
			hearth__principal_info__pack(&fresh, res->packed);
	}
	if (pi)
		hearth__principal_info__free_unpacked(pi, NULL);
	return rc;
}

int principals_seen(store *s, MDB_txn *txn, const actor *who, int64_t now)
{
	Hearth__PrincipalInfo *pi = NULL, p = HEARTH__PRINCIPAL_INFO__INIT;
	MDB_val k = { strlen(who->fingerprint), (void *)who->fingerprint }, v;
	int rc;

	if (k.mv_size == 0)
		return 0;
	rc = mdb_get(txn, s->principals, &k, &v);
	if (rc == 0)
		pi = hearth__principal_info__unpack(NULL, v.mv_size, v.mv_data);
	else if (rc != MDB_NOTFOUND)
		return store_err(rc);
	if (pi)
		p = *pi;
	p.fingerprint = (char *)who->fingerprint;
	p.name = (char *)who->name;
	p.role = who->role;
	p.branch_id = (char *)who->branch;
	if (!p.first_seen)
		p.first_seen = now;
	p.last_seen = now;
	p.logins++;
	p.base.n_unknown_fields = 0;
	p.base.unknown_fields = NULL;
	rc = put_message(txn, s->principals, who->fingerprint, &p.base);
	if (pi)
		hearth__principal_info__free_unpacked(pi, NULL);
	return rc;
}

int principals_preset_branches(store *s, char **specs, int n, char *err, size_t errlen)
{
	MDB_txn *txn;
	actor sys;
	int rc;

	if (n == 0)
		return 0;
	memset(&sys, 0, sizeof(sys));
	snprintf(sys.name, sizeof(sys.name), "hearthd");
	if ((rc = store_err(mdb_txn_begin(s->env, NULL, 0, &txn))) != 0) {
		snprintf(err, errlen, "cannot add branches: %s", hearth_strerror(rc));
		return rc;
	}
	for (int i = 0; i < n && rc == 0; i++) {
		char id[64];
		const char *eq = strchr(specs[i], '=');
		size_t il = eq ? (size_t)(eq - specs[i]) : strlen(specs[i]);
		Hearth__Branch b = HEARTH__BRANCH__INIT;
		if (il >= sizeof(id)) {
			snprintf(err, errlen, "--branch %s: id too long", specs[i]);
			rc = HEARTH_EINVAL;
			break;
		}
		memcpy(id, specs[i], il);
		id[il] = 0;
		if (!principals_valid_branch_id(id) || (eq && !utf8_valid(eq + 1, strlen(eq + 1)))) {
			snprintf(err, errlen, "--branch %s: expected ID=NAME with an id of A-Z a-z 0-9 . _ -", specs[i]);
			rc = HEARTH_EINVAL;
			break;
		}
		if (principals_branch_exists(s, txn, id))
			continue;
		b.id = id;
		b.name = (char *)(eq && eq[1] ? eq + 1 : id);
		b.created_at = b.updated_at = (int64_t)time(NULL) * 1000;
		rc = put_message(txn, s->branches, id, &b.base);
		if (rc == 0)
			rc = audit_event(s, txn, &(audit_event_args){
				.who = &sys, .action = "branch.add", .branch = id,
				.detail = "added at start-up (--branch)", .peer = "" });
	}
	if (rc == 0)
		rc = store_err(mdb_txn_commit(txn));
	else
		mdb_txn_abort(txn);
	if (rc && !err[0])
		snprintf(err, errlen, "cannot add branches: %s", hearth_strerror(rc));
	return rc;
}

int principals_revoked(store *s, const char *fingerprint, char *why, size_t whylen)
{
	MDB_txn *txn;
	MDB_val k = { strlen(fingerprint), (void *)fingerprint }, v;
	int rc, revoked = PRINCIPALS_NOT_REVOKED;

	if (mdb_txn_begin(s->env, NULL, MDB_RDONLY, &txn) != 0)
		return HEARTH_ESTORE;
	rc = mdb_get(txn, s->principals, &k, &v);
	if (rc != 0 && rc != MDB_NOTFOUND)
		revoked = store_err(rc);
	if (rc == 0) {
		Hearth__PrincipalInfo *pi = hearth__principal_info__unpack(NULL, v.mv_size, v.mv_data);
		/* A row that cannot be read proves nothing: the caller fails closed. */
		if (!pi)
			revoked = HEARTH_ECORRUPT;
		if (pi && pi->revoked) {
			time_t t = (time_t)(pi->revoked_at / 1000);
			struct tm tm;
			char date[32];
			localtime_r(&t, &tm);
			strftime(date, sizeof(date), "%Y-%m-%d %H:%M", &tm);
			snprintf(why, whylen, "this certificate was revoked on %s by %s: %s", date, pi->revoked_by,
			         pi->revoked_reason);
			revoked = PRINCIPALS_REVOKED;
		}
		if (pi)
			hearth__principal_info__free_unpacked(pi, NULL);
	}
	mdb_txn_abort(txn);
	return revoked;
}

