/* audit_verify.c: recomputing the audit chain from the entries this
 * principal may read and checking the server's signed checkpoints
 * against it, for `hearth audit verify` and the 校验 page. */
#include "client/core/audit_verify.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client/core/audit_text.h"
#include "client/core/witness.h"
#include "common/envelope.h"
#include "common/hearth.h"
#include "common/i18n.h"

/* The chain as this client recomputed it: hash[i] is the hash of entry
 * i+1; leaf[i] (branch principals only) the server's leaf of entry i+1. */
typedef struct chain {
	uint8_t (*hash)[AUDIT_HASH_LEN];
	uint8_t (*leaf)[AUDIT_HASH_LEN];
	uint64_t n, cap;
	int with_leaves;
	uint64_t bad_seq;
	char why[300];
	uint64_t own;       /* entries read and checked (branch: its own) */
} chain;

static int chain_push(chain *ch, const uint8_t hash[AUDIT_HASH_LEN], const uint8_t *leaf)
{
	if (ch->n == ch->cap) {
		uint64_t cap = ch->cap ? ch->cap * 2 : 4096;
		void *h = realloc(ch->hash, cap * AUDIT_HASH_LEN);
		if (!h)
			return HEARTH_ENOMEM;
		ch->hash = h;
		if (ch->with_leaves) {
			void *l = realloc(ch->leaf, cap * AUDIT_HASH_LEN);
			if (!l)
				return HEARTH_ENOMEM;
			ch->leaf = l;
		}
		ch->cap = cap;
	}
	memcpy(ch->hash[ch->n], hash, AUDIT_HASH_LEN);
	if (ch->with_leaves && leaf)
		memcpy(ch->leaf[ch->n], leaf, AUDIT_HASH_LEN);
	ch->n++;
	return 0;
}

static const uint8_t *chain_at(const chain *ch, uint64_t size)
{
	static const uint8_t zero[AUDIT_HASH_LEN];
	return size == 0 ? zero : ch->hash[size - 1];
}

/* An entry that names a record revision (a create) stands only when the
 * server found that revision's bytes matching the digest the chain holds:
 * otherwise the revision was altered (1, with why). */
static int revision_damaged(const Hearth__AuditEntry *e, char *why, size_t cap)
{
	const char *problem = audq_revision_problem(e);

	if (!problem)
		return 0;
	snprintf(why, cap, "%s", problem);
	return 1;
}

/* Admin and auditor: every entry, in order, each checked against the one
 * before it. */
static int verify_entry(void *arg, const Hearth__AuditEntry *e)
{
	chain *ch = arg;
	char why[300];

	if (e->seq != ch->n + 1) {
		ch->bad_seq = ch->n + 1;
		snprintf(ch->why, sizeof(ch->why), _("it is missing (the server sent entry %llu next)"),
		         (unsigned long long)e->seq);
		return 1;
	}
	if (audit_check_entry(e, chain_at(ch, ch->n), why, sizeof(why)) != 0 || revision_damaged(e, why, sizeof(why))) {
		ch->bad_seq = e->seq;
		snprintf(ch->why, sizeof(ch->why), "%s", why);
		return 1;
	}
	ch->own++;
	return chain_push(ch, e->hash.data, NULL) ? -1 : 0;
}

/* Branch principals: the links first (every entry's leaf and hash), then
 * their own entries checked against them. */
static int verify_link(void *arg, uint64_t seq, const uint8_t leaf[AUDIT_HASH_LEN],
                       const uint8_t hash[AUDIT_HASH_LEN])
{
	chain *ch = arg;
	uint8_t h[AUDIT_HASH_LEN];

	audit_link(chain_at(ch, ch->n), leaf, h);
	if (memcmp(h, hash, AUDIT_HASH_LEN) != 0) {
		ch->bad_seq = seq;
		snprintf(ch->why, sizeof(ch->why), "%s",
		         _("its link hash is not SHA-256(previous hash || its leaf)"));
		return 1;
	}
	return chain_push(ch, h, leaf) ? -1 : 0;
}

static int verify_own(void *arg, const Hearth__AuditEntry *e)
{
	chain *ch = arg;
	uint8_t leaf[AUDIT_HASH_LEN];
	char why[300];

	if (e->seq > ch->n)
		return 1;   /* newer than the checkpoint the links were fetched for */
	if (audit_check_entry(e, chain_at(ch, e->seq - 1), why, sizeof(why)) != 0 ||
	    revision_damaged(e, why, sizeof(why))) {
		ch->bad_seq = e->seq;
		snprintf(ch->why, sizeof(ch->why), "%s", why);
		return 1;
	}
	if (audit_leaf(e, leaf) != 0)
		return -1;
	if (memcmp(leaf, ch->leaf[e->seq - 1], AUDIT_HASH_LEN) != 0) {
		ch->bad_seq = e->seq;
		snprintf(ch->why, sizeof(ch->why), "%s", _("its contents do not match the leaf in the chain"));
		return 1;
	}
	ch->own++;
	return 0;
}

/* Sends req and expects an answer of body want; a refusal goes to the
 * reader's hook and into out->err. */
static audit_verdict call(audit_reader *rd, Hearth__Envelope *req, Hearth__Envelope__BodyCase want,
                          const char *what, Hearth__Envelope **resp, audit_verify_result *out)
{
	*resp = NULL;
	if (session_call(rd->s, req, resp) != 0) {
		*resp = NULL;
		snprintf(out->err, sizeof(out->err), "%s", rd->s->error);
		return AUDIT_VERIFY_LOST;
	}
	if ((*resp)->body_case != want) {
		audit_read_refusal_text(what, *resp, out->err, sizeof(out->err));
		if (rd->refused)
			rd->refused(rd->arg, what, *resp);
		envelope_free(*resp, NULL);
		*resp = NULL;
		return AUDIT_VERIFY_REFUSED;
	}
	return AUDIT_VERIFY_OK;
}

static audit_verdict fresh_checkpoint(audit_reader *rd, Hearth__Envelope **resp, audit_verify_result *out)
{
	Hearth__Envelope req = HEARTH__ENVELOPE__INIT;
	Hearth__CheckpointRequest cr = HEARTH__CHECKPOINT_REQUEST__INIT;

	req.body_case = HEARTH__ENVELOPE__BODY_CHECKPOINT_REQUEST;
	req.checkpoint_request = &cr;
	return call(rd, &req, HEARTH__ENVELOPE__BODY_CHECKPOINT, N_("checkpoint request"), resp, out);
}

/* Checks one signed checkpoint against the recomputed chain. */
static int check_checkpoint(const chain *ch, const uint8_t key[AUDIT_KEY_LEN],
                            const Hearth__Checkpoint *cp, char *why, size_t cap)
{
	if (audit_verify_checkpoint(key, cp) != 0) {
		snprintf(why, cap, "%s", _("its signature does not verify with the server's audit key"));
		return -1;
	}
	if (cp->size > ch->n) {
		snprintf(why, cap, _("it claims %llu entries but the log has %llu"),
		         (unsigned long long)cp->size, (unsigned long long)ch->n);
		return -1;
	}
	if (cp->size && (cp->head_hash.len != AUDIT_HASH_LEN ||
	                 memcmp(cp->head_hash.data, chain_at(ch, cp->size), AUDIT_HASH_LEN) != 0)) {
		snprintf(why, cap, _("its head is not the chain's hash at entry %llu"),
		         (unsigned long long)cp->size);
		return -1;
	}
	return 0;
}

/* Every checkpoint the server ever signed (admin and auditor only). */
static audit_verdict verify_checkpoints(audit_reader *rd, const chain *ch, const uint8_t key[AUDIT_KEY_LEN],
                                        audit_verify_result *out)
{
	uint64_t after = 0;

	for (;;) {
		Hearth__Envelope req = HEARTH__ENVELOPE__INIT, *resp = NULL;
		Hearth__CheckpointsRequest cr = HEARTH__CHECKPOINTS_REQUEST__INIT;
		const Hearth__CheckpointsPage *pg;
		audit_verdict v;
		int more;

		cr.after_size = after;
		cr.limit = AUDIT_READ_PAGE_MAX;
		req.body_case = HEARTH__ENVELOPE__BODY_CHECKPOINTS_REQUEST;
		req.checkpoints_request = &cr;
		if ((v = call(rd, &req, HEARTH__ENVELOPE__BODY_CHECKPOINTS_PAGE, N_("list of checkpoints"), &resp,
		              out)) != AUDIT_VERIFY_OK)
			return v;
		pg = resp->checkpoints_page;
		for (size_t i = 0; i < pg->n_checkpoints; i++) {
			const Hearth__Checkpoint *cp = pg->checkpoints[i];
			/* Signed after our walk through the entries: not ours to judge yet. */
			if (cp->size > ch->n)
				continue;
			if (check_checkpoint(ch, key, cp, out->why, sizeof(out->why)) != 0) {
				out->cp_size = cp->size;
				out->cp_time = cp->time;
				envelope_free(resp, NULL);
				return AUDIT_VERIFY_CHECKPOINT_DAMAGED;
			}
			out->checkpoints++;
			if (cp->size > after)
				after = cp->size;
		}
		more = pg->more && pg->n_checkpoints > 0;
		envelope_free(resp, NULL);
		if (!more)
			return AUDIT_VERIFY_OK;
	}
}

/* A core read's end as a verdict. */
static audit_verdict read_verdict(audit_reader *rd, audit_read_result res, audit_verify_result *out)
{
	switch (res) {
	case AUDIT_READ_OK: return AUDIT_VERIFY_OK;
	case AUDIT_READ_LOST:
		snprintf(out->err, sizeof(out->err), "%s", rd->err);
		return AUDIT_VERIFY_LOST;
	case AUDIT_READ_REFUSED:
		snprintf(out->err, sizeof(out->err), "%s", rd->err);
		return AUDIT_VERIFY_REFUSED;
	case AUDIT_READ_BROKEN:
		snprintf(out->err, sizeof(out->err), "%s", rd->err);
		return AUDIT_VERIFY_FAILED;
	case AUDIT_READ_FAILED: break;
	}
	snprintf(out->err, sizeof(out->err), "%s", _(hearth_strerror(HEARTH_ENOMEM)));
	return AUDIT_VERIFY_FAILED;
}

/* The walk through the entries: for a branch the links of the whole chain
 * up to the fresh checkpoint, then its own entries against them; for admin
 * and auditor every entry, read on past the checkpoint if the log grew
 * meanwhile (every entry the server shows must chain). */
static audit_verdict walk(audit_reader *rd, chain *ch, const Hearth__Checkpoint *cp, audit_verify_result *out)
{
	Hearth__AuditQuery q = HEARTH__AUDIT_QUERY__INIT;

	q.limit = AUDIT_READ_PAGE_MAX;
	if (out->branch) {
		int code = 0, rc;
		char err[600];

		ch->with_leaves = 1;
		rc = witness_links(rd->s, 0, cp->size, verify_link, ch, &code, err, sizeof(err));
		if (rc == HEARTH_EPROTO) {
			snprintf(out->err, sizeof(out->err), "%s", err);
			return AUDIT_VERIFY_FAILED;
		}
		if (rc < 0) {
			snprintf(out->err, sizeof(out->err), "%s", rd->s->error);
			return AUDIT_VERIFY_LOST;
		}
		if (rc > 0)
			return AUDIT_VERIFY_OK;   /* a link did not chain: bad_seq says which */
		return read_verdict(rd, audit_read_each(rd, &q, verify_own, ch, NULL), out);
	}
	return read_verdict(rd, audit_read_each(rd, &q, verify_entry, ch, NULL), out);
}

audit_verdict audit_verify_run(audit_reader *rd, audit_verify_result *out)
{
	const Hearth__Welcome *w = rd->s->welcome;
	Hearth__Envelope *cpr = NULL;
	const Hearth__Checkpoint *cp;
	uint8_t key[AUDIT_KEY_LEN];
	chain ch;
	audit_verdict v;

	memset(out, 0, sizeof(*out));
	memset(&ch, 0, sizeof(ch));
	if (!w || !w->principal || w->audit_public_key.len != AUDIT_KEY_LEN) {
		snprintf(out->err, sizeof(out->err), "%s", _("the server's welcome names no principal or audit key"));
		return out->verdict = AUDIT_VERIFY_FAILED;
	}
	memcpy(key, w->audit_public_key.data, AUDIT_KEY_LEN);   /* the witness checked it */
	out->branch = w->principal->role == HEARTH__ROLE__ROLE_BRANCH;
	if ((v = fresh_checkpoint(rd, &cpr, out)) != AUDIT_VERIFY_OK)
		goto done;
	cp = cpr->checkpoint;
	if ((v = walk(rd, &ch, cp, out)) != AUDIT_VERIFY_OK)
		goto done;
	if (ch.bad_seq) {
		out->bad_seq = ch.bad_seq;
		snprintf(out->why, sizeof(out->why), "%s", ch.why);
		v = AUDIT_VERIFY_ENTRY_DAMAGED;
		goto done;
	}
	if (check_checkpoint(&ch, key, cp, out->why, sizeof(out->why)) != 0) {
		out->cp_size = cp->size;
		v = AUDIT_VERIFY_HEAD_DAMAGED;
		goto done;
	}
	out->checkpoints = 1;
	if (!out->branch && (v = verify_checkpoints(rd, &ch, key, out)) != AUDIT_VERIFY_OK)
		goto done;
	out->entries = out->branch ? cp->size : ch.n;
	out->own = ch.own;
	audit_hex(chain_at(&ch, out->entries), AUDIT_HASH_LEN, out->head);
	v = AUDIT_VERIFY_OK;
done:
	envelope_free(cpr, NULL);
	free(ch.hash);
	free(ch.leaf);
	return out->verdict = v;
}

void audit_verify_sentence(const audit_verify_result *r, char *out, size_t cap)
{
	char t[64];

	switch (r->verdict) {
	case AUDIT_VERIFY_OK:
		if (r->branch)
			snprintf(out, cap,
			         _("%llu entries, head %s, %llu checkpoints: OK\n"
			           "(a branch certificate checks every link of the chain, and the contents of its own "
			           "branch's %llu entries; admin or auditor can check every entry's contents)"),
			         (unsigned long long)r->entries, r->head, (unsigned long long)r->checkpoints,
			         (unsigned long long)r->own);
		else
			snprintf(out, cap, _("%llu entries, head %s, %llu checkpoints: OK"),
			         (unsigned long long)r->entries, r->head, (unsigned long long)r->checkpoints);
		return;
	case AUDIT_VERIFY_ENTRY_DAMAGED:
		snprintf(out, cap, _("entry %llu is damaged: %s"), (unsigned long long)r->bad_seq, r->why);
		return;
	case AUDIT_VERIFY_HEAD_DAMAGED:
		snprintf(out, cap, _("the server's current checkpoint (size %llu) is damaged: %s"),
		         (unsigned long long)r->cp_size, r->why);
		return;
	case AUDIT_VERIFY_CHECKPOINT_DAMAGED:
		witness_time(r->cp_time, t, sizeof(t));
		snprintf(out, cap, _("checkpoint at size %llu (signed %s) is damaged: %s"),
		         (unsigned long long)r->cp_size, t, r->why);
		return;
	default:
		snprintf(out, cap, "%s", r->err);
		return;
	}
}
