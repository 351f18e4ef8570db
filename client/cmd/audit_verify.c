/* audit_verify.c: `hearth audit verify`: recomputes the audit chain from
 * the entries this principal may read and checks the server's signed
 * checkpoints against it. */
#include "client/cmd/audit_verify.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client/cmd/audit_query.h"
#include "client/cmd/witness.h"
#include "common/audit.h"
#include "common/hearth.h"
#include "common/i18n.h"

/* ---------------------------------------------------------- audit verify */

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
	const char *cmd;
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
	if (audit_check_entry(e, chain_at(ch, ch->n), why, sizeof(why)) != 0) {
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
		snprintf(ch->why, sizeof(ch->why),
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
	if (audit_check_entry(e, chain_at(ch, e->seq - 1), why, sizeof(why)) != 0) {
		ch->bad_seq = e->seq;
		snprintf(ch->why, sizeof(ch->why), "%s", why);
		return 1;
	}
	if (audit_leaf(e, leaf) != 0)
		return -1;
	if (memcmp(leaf, ch->leaf[e->seq - 1], AUDIT_HASH_LEN) != 0) {
		ch->bad_seq = e->seq;
		snprintf(ch->why, sizeof(ch->why), _("its contents do not match the leaf in the chain"));
		return 1;
	}
	ch->own++;
	return 0;
}

static int fresh_checkpoint(audq_conn *x, Hearth__Envelope **resp)
{
	Hearth__Envelope req = HEARTH__ENVELOPE__INIT;
	Hearth__CheckpointRequest cr = HEARTH__CHECKPOINT_REQUEST__INIT;
	int rc;

	req.body_case = HEARTH__ENVELOPE__BODY_CHECKPOINT_REQUEST;
	req.checkpoint_request = &cr;
	if (session_call(&x->s, &req, resp) != 0)
		return audq_lost(x);
	if ((*resp)->body_case != HEARTH__ENVELOPE__BODY_CHECKPOINT) {
		rc = audq_refused(x, "checkpoint request", *resp);
		envelope_free(*resp, NULL);
		*resp = NULL;
		return rc;
	}
	return EXIT_OK;
}

/* Checks one signed checkpoint against the recomputed chain. */
static int check_checkpoint(const chain *ch, const uint8_t key[AUDIT_KEY_LEN],
                            const Hearth__Checkpoint *cp, char *why, size_t cap)
{
	if (audit_verify_checkpoint(key, cp) != 0) {
		snprintf(why, cap, _("its signature does not verify with the server's audit key"));
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
static int verify_checkpoints(audq_conn *x, const chain *ch, const uint8_t key[AUDIT_KEY_LEN], uint64_t *count)
{
	uint64_t after = 0;
	char why[300];

	*count = 0;
	for (;;) {
		Hearth__Envelope req = HEARTH__ENVELOPE__INIT, *resp = NULL;
		Hearth__CheckpointsRequest cr = HEARTH__CHECKPOINTS_REQUEST__INIT;
		const Hearth__CheckpointsPage *pg;
		int more;

		cr.after_size = after;
		cr.limit = QUERY_PAGE_MAX;
		req.body_case = HEARTH__ENVELOPE__BODY_CHECKPOINTS_REQUEST;
		req.checkpoints_request = &cr;
		if (session_call(&x->s, &req, &resp) != 0)
			return audq_lost(x);
		if (resp->body_case != HEARTH__ENVELOPE__BODY_CHECKPOINTS_PAGE) {
			int rc = audq_refused(x, "list of checkpoints", resp);
			envelope_free(resp, NULL);
			return rc;
		}
		pg = resp->checkpoints_page;
		for (size_t i = 0; i < pg->n_checkpoints; i++) {
			const Hearth__Checkpoint *cp = pg->checkpoints[i];
			/* Signed after our walk through the entries: not ours to judge yet. */
			if (cp->size > ch->n)
				continue;
			if (check_checkpoint(ch, key, cp, why, sizeof(why)) != 0) {
				char t[64];
				witness_time(cp->time, t, sizeof(t));
				printf(_("audit verify: checkpoint at size %llu (signed %s) is damaged: %s\n"),
				       (unsigned long long)cp->size, t, why);
				envelope_free(resp, NULL);
				return EXIT_FAIL;
			}
			(*count)++;
			if (cp->size > after)
				after = cp->size;
		}
		more = pg->more && pg->n_checkpoints > 0;
		envelope_free(resp, NULL);
		if (!more)
			return EXIT_OK;
	}
}

int audit_verify(cli *c, int argc, char **argv)
{
	Hearth__AuditQuery q = HEARTH__AUDIT_QUERY__INIT;
	Hearth__Envelope *cpr = NULL;
	const Hearth__Checkpoint *cp;
	const Hearth__Principal *p;
	uint8_t key[AUDIT_KEY_LEN];
	chain ch;
	audq_conn x;
	char why[300], head[2 * AUDIT_HASH_LEN + 1];
	uint64_t ncp = 0;
	int rc, branch;

	memset(&ch, 0, sizeof(ch));
	if (argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		printf(_("usage: hearth audit verify\n\n"
		       "Checks the server's audit log: reads every entry, recomputes each leaf\n"
		       "(SHA-256 of the canonical bytes) and the hash chain, compares the result with\n"
		       "a freshly signed checkpoint, and checks the signature and head of every\n"
		       "checkpoint the server has signed. Names the first damaged entry and exits 1.\n"
		       "Admin and auditor certificates read every entry; a branch certificate can\n"
		       "verify every link of the chain but the contents of its own branch's entries\n"
		       "only.\n"));
		return EXIT_OK;
	}
	if (argc > 1) {
		cli_error(_("audit verify: unexpected argument \"%s\""), argv[1]);
		return EXIT_USAGE;
	}
	rc = audq_conn_open(&x, c, "audit verify");
	if (rc != EXIT_OK)
		goto fail;
	p = x.s.welcome->principal;
	memcpy(key, x.s.welcome->audit_public_key.data, AUDIT_KEY_LEN);   /* the witness checked it */
	branch = p->role == HEARTH__ROLE__ROLE_BRANCH;
	if ((rc = fresh_checkpoint(&x, &cpr)) != EXIT_OK)
		goto fail;
	cp = cpr->checkpoint;
	q.limit = QUERY_PAGE_MAX;
	if (branch) {
		int code = 0;
		char err[600];
		ch.with_leaves = 1;
		rc = witness_links(&x.s, 0, cp->size, verify_link, &ch, &code, err, sizeof(err));
		if (rc < 0 && rc != HEARTH_EPROTO) {
			rc = audq_lost(&x);
			goto fail;
		}
		if (rc == HEARTH_EPROTO) {
			cli_error(_("audit verify: %s"), err);
			rc = EXIT_FAIL;
			goto fail;
		}
		if (rc == 0)
			rc = audq_each_entry(&x, &q, verify_own, &ch, NULL);
		else
			rc = rc < 0 ? EXIT_FAIL : EXIT_OK;
	} else {
		/* Read on past the checkpoint if the log grew meanwhile: every
		 * entry the server shows us must chain. */
		rc = audq_each_entry(&x, &q, verify_entry, &ch, NULL);
	}
	if (rc != EXIT_OK)
		goto fail;
	if (ch.bad_seq) {
		printf(_("audit verify: entry %llu is damaged: %s\n"), (unsigned long long)ch.bad_seq, ch.why);
		rc = EXIT_FAIL;
		goto fail;
	}
	if (check_checkpoint(&ch, key, cp, why, sizeof(why)) != 0) {
		printf(_("audit verify: the server's current checkpoint (size %llu) is damaged: %s\n"),
		       (unsigned long long)cp->size, why);
		rc = EXIT_FAIL;
		goto fail;
	}
	ncp = 1;
	if (!branch) {
		uint64_t stored;
		if ((rc = verify_checkpoints(&x, &ch, key, &stored)) != EXIT_OK)
			goto fail;
		ncp += stored;
	}
	audit_hex(chain_at(&ch, branch ? cp->size : ch.n), AUDIT_HASH_LEN, head);
	if (branch)
		printf(_("audit verify: %llu entries, head %s, %llu checkpoints: OK\n"
		       "(a branch certificate checks every link of the chain, and the contents of its own "
		       "branch's %llu entries; admin or auditor can check every entry's contents)\n"),
		       (unsigned long long)cp->size, head, (unsigned long long)ncp,
		       (unsigned long long)ch.own);
	else
		printf(_("audit verify: %llu entries, head %s, %llu checkpoints: OK\n"),
		       (unsigned long long)ch.n, head, (unsigned long long)ncp);
	rc = EXIT_OK;
fail:
	envelope_free(cpr, NULL);
	free(ch.hash);
	free(ch.leaf);
	audq_conn_close(&x);
	return rc;
}

