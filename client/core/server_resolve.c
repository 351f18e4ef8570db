/* server_resolve.c: settles a conflict the replica does not hold: the
 * conflict from the server's queue, its record from a pull of its branch,
 * the resolving op pushed in one request. */
#include "client/core/server_resolve.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client/core/server_conflicts.h"
#include "common/hearth.h"
#include "common/i18n.h"
#include "common/merge.h"
#include "common/record.h"

/* The one open conflict of q that text names (as replica_get_conflict
 * reads it: a full id, a unique prefix of at least 4 digits, the last
 * 12). Returns it (borrowed from q), or NULL with *matches 0 or more. */
static const Hearth__Conflict *pick(const server_conflicts *q, const char *text, size_t *matches)
{
	const Hearth__Conflict *found = NULL;
	char want[UUID_TEXT_LEN + 1], id[UUID_TEXT_LEN + 1];
	size_t len = strlen(text);

	*matches = 0;
	if (len < 4 || len > UUID_TEXT_LEN)
		return NULL;
	for (size_t i = 0; i <= len; i++)
		want[i] = (char)tolower((unsigned char)text[i]);
	for (size_t i = 0; i < q->n; i++) {
		const Hearth__Conflict *c = q->conflicts[i];
		if (c->id.len != UUID_LEN)
			continue;
		uuid_format(c->id.data, id);
		if (!strncmp(id, want, len) || (len == 12 && !strcmp(id + UUID_TEXT_LEN - 12, want))) {
			found = c;
			(*matches)++;
		}
	}
	return *matches == 1 ? found : NULL;
}

/* The latest copy of record id in branch's feed, by pulling it from the
 * start (the feed holds each record once, at its latest revision). *out
 * (the caller frees it with hearth__record__free_unpacked) or NULL when
 * the feed has no such record. Returns 0 or a negative code with err. */
static int pull_record(session *s, const char *branch, const uint8_t id[UUID_LEN], Hearth__Record **out,
                       char *err, size_t cap)
{
	Hearth__PullRequest pr = HEARTH__PULL_REQUEST__INIT;
	uint64_t cursor = 0;

	*out = NULL;
	pr.branch_id = (char *)branch;
	pr.limit = 1000;
	for (size_t page = 0; page < SERVER_RESOLVE_PULL_PAGES; page++) {
		Hearth__Envelope req = HEARTH__ENVELOPE__INIT, *resp = NULL;
		Hearth__PullResponse *p;
		int more;

		pr.cursor = cursor;
		req.body_case = HEARTH__ENVELOPE__BODY_PULL;
		req.pull = &pr;
		if (session_call(s, &req, &resp) != 0) {
			snprintf(err, cap, "%s", s->error);
			return HEARTH_EPROTO;
		}
		if (resp->body_case != HEARTH__ENVELOPE__BODY_PULL_RESULT || !resp->pull_result) {
			snprintf(err, cap, _("the server refused to read branch %s: %s"), branch,
			         resp->body_case == HEARTH__ENVELOPE__BODY_ERROR && resp->error ? resp->error->message : "?");
			envelope_free(resp, NULL);
			return HEARTH_EINVAL;
		}
		p = resp->pull_result;
		for (size_t i = 0; i < p->n_records; i++) {
			Hearth__Record *rec = p->records[i];
			if (rec->id.len == UUID_LEN && !memcmp(rec->id.data, id, UUID_LEN)) {
				if (*out)
					hearth__record__free_unpacked(*out, NULL);
				*out = rec;
				p->records[i] = NULL;
			}
		}
		/* The envelope's free must skip the record kept above. */
		{
			size_t kept = 0;
			for (size_t i = 0; i < p->n_records; i++)
				if (p->records[i])
					p->records[kept++] = p->records[i];
			p->n_records = kept;
		}
		more = p->more && p->cursor > cursor;
		cursor = p->cursor;
		envelope_free(resp, NULL);
		if (!more)
			return 0;
	}
	snprintf(err, cap, _("branch %s's records went on past %d pages"), branch, SERVER_RESOLVE_PULL_PAGES);
	return HEARTH_EPROTO;
}

/* Pushes op; 0 when it was applied or merged, else err says why. */
static int push_op(session *s, const Hearth__Op *op, char *err, size_t cap)
{
	Hearth__Envelope req = HEARTH__ENVELOPE__INIT, *resp = NULL;
	Hearth__PushRequest pr = HEARTH__PUSH_REQUEST__INIT;
	Hearth__Op *ops[1] = { (Hearth__Op *)op };
	const Hearth__OpResult *res;
	int rc = 0;

	pr.ops = ops;
	pr.n_ops = 1;
	req.body_case = HEARTH__ENVELOPE__BODY_PUSH;
	req.push = &pr;
	if (session_call(s, &req, &resp) != 0) {
		snprintf(err, cap, "%s", s->error);
		return HEARTH_EPROTO;
	}
	if (resp->body_case != HEARTH__ENVELOPE__BODY_PUSH_RESULT || !resp->push_result ||
	    resp->push_result->n_results != 1) {
		snprintf(err, cap, _("the server refused the resolution: %s"),
		         resp->body_case == HEARTH__ENVELOPE__BODY_ERROR && resp->error ? resp->error->message : "?");
		envelope_free(resp, NULL);
		return HEARTH_EINVAL;
	}
	res = resp->push_result->results[0];
	if (res->status == HEARTH__OP_STATUS__OP_CONFLICT) {
		snprintf(err, cap, "%s", _("the record changed on the server meanwhile and the resolution conflicts "
		                           "again; list the queue and resolve the new conflict"));
		rc = HEARTH_EINVAL;
	} else if (res->status != HEARTH__OP_STATUS__OP_APPLIED && res->status != HEARTH__OP_STATUS__OP_MERGED &&
	           res->status != HEARTH__OP_STATUS__OP_DUPLICATE) {
		snprintf(err, cap, _("the server refused the resolution: %s"),
		         res->error && res->error->message ? res->error->message : "?");
		rc = HEARTH_EINVAL;
	}
	envelope_free(resp, NULL);
	return rc;
}

int server_resolve_keep(const server_resolve_args *a, char cid[UUID_TEXT_LEN + 1], char *err, size_t cap)
{
	server_conflicts q;
	const Hearth__Conflict *c;
	Hearth__Record *rec = NULL, orec;
	Hearth__Op op = HEARTH__OP__INIT;
	uint8_t *before = NULL, *after = NULL, op_id[UUID_LEN];
	size_t before_len = 0, after_len = 0, matches, n_diff = 0, nf = 0;
	uint32_t *diff = NULL, *fields = NULL;
	int rc, del = 0;

	snprintf(cid, UUID_TEXT_LEN + 1, "?");
	rc = server_conflicts_fetch(a->s, &(server_conflicts_opts){ 0 }, &q);
	if (rc != SERVER_CONFLICTS_DONE) {
		snprintf(err, cap, _("cannot read the server's conflict queue: %s"),
		         rc == SERVER_CONFLICTS_LOST ? (q.error[0] ? q.error : a->s->error)
		         : rc == SERVER_CONFLICTS_OLD_SERVER ? _("the server is an older hearthd")
		         : q.refusal && q.refusal->body_case == HEARTH__ENVELOPE__BODY_ERROR ? q.refusal->error->message
		         : _(hearth_strerror(rc < 0 ? rc : HEARTH_EPROTO)));
		server_conflicts_free(&q);
		return rc == SERVER_CONFLICTS_LOST ? HEARTH_EPROTO : HEARTH_EINVAL;
	}
	if (!(c = pick(&q, a->conflict, &matches))) {
		snprintf(err, cap, matches ? _("\"%s\" names %zu open conflicts on the server; give more digits")
		                           : _("the server has no open conflict \"%s\""), a->conflict, matches);
		server_conflicts_free(&q);
		return matches ? HEARTH_EINVAL : HEARTH_ENOTFOUND;
	}
	uuid_format(c->id.data, cid);
	if (c->record_id.len != UUID_LEN || !kind_find(c->kind)) {
		snprintf(err, cap, _("conflict %s is about a kind of record this hearth does not know; upgrade hearth"),
		         cid);
		rc = HEARTH_EINVAL;
		goto fail;
	}
	if ((rc = pull_record(a->s, c->branch_id, c->record_id.data, &rec, err, cap)) != 0)
		goto fail;
	if (!rec) {
		snprintf(err, cap, _("the record of conflict %s is not in branch %s on the server"), cid, c->branch_id);
		rc = HEARTH_ENOTFOUND;
		goto fail;
	}
	/* changed = the conflict's fields and whatever else the resolution
	 * makes differ from the server copy, as replica_resolve sends. */
	if ((rc = record_pack_body(rec, &before, &before_len)) != 0 && rec->body_case)
		goto fail_build;
	if ((rc = resolve_keep_build(c, rec, (a->side == RESOLVE_KEEP_MINE) == resolve_mine_is_op(a->r, c), &del, err,
	                             cap)) != 0)
		goto fail;
	if ((rc = record_pack_body(rec, &after, &after_len)) != 0 && rec->body_case)
		goto fail_build;
	if ((rc = merge_diff(before, before_len, after, after_len, &diff, &n_diff)) != 0)
		goto fail_build;
	if (!(fields = calloc(c->n_fields + n_diff + 1, sizeof(*fields)))) {
		rc = HEARTH_ENOMEM;
		goto fail_build;
	}
	for (size_t i = 0; i < c->n_fields; i++)
		fields[nf++] = c->fields[i]->field;
	for (size_t i = 0; i < n_diff; i++) {
		int seen = 0;
		for (size_t j = 0; j < nf; j++)
			seen |= fields[j] == diff[i];
		if (!seen)
			fields[nf++] = diff[i];
	}
	if ((rc = uuid_v7(op_id)) != 0) {
		snprintf(err, cap, "%s", _("cannot make an op id: no randomness available"));
		goto fail;
	}
	/* The op's record carries the body; the server assigns the rest. */
	orec = *rec;
	orec.rev = 0;
	orec.seq = 0;
	orec.deleted = 0;
	orec.updated_at = 0;
	orec.updated_by = (char *)protobuf_c_empty_string;
	orec.updated_by_name = (char *)protobuf_c_empty_string;
	orec.updated_replica.len = 0;
	orec.updated_replica.data = NULL;
	op.op_id.len = UUID_LEN;
	op.op_id.data = op_id;
	op.record = &orec;
	op.base_rev = rec->rev;
	op.changed_fields = fields;
	op.n_changed_fields = nf;
	op.delete_ = del;
	op.resolves = c->id;
	op.made_at = session_now_ms();
	rc = push_op(a->s, &op, err, cap);
	goto fail;
fail_build:
	snprintf(err, cap, _("cannot build the resolution: %s"), _(hearth_strerror(rc)));
fail:
	free(fields);
	free(diff);
	free(after);
	free(before);
	if (rec)
		hearth__record__free_unpacked(rec, NULL);
	server_conflicts_free(&q);
	return rc;
}
