/* witness.c: the witness as a command step: pins the audit key, runs
 * the core judgement (client/core/witness.c) on the Welcome, stores the
 * accepted checkpoint, and tells people loudly what a refusal means. */
#include "client/cmd/witness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/array.h"
#include "common/hearth.h"
#include "common/i18n.h"
#include "client/core/replica_meta.h"
#include "client/core/replica_recovery.h"
#include "common/i18n.h"

/* ---------------------------------------------------------- the refusal */

static void describe(const char *label, const Hearth__Checkpoint *cp)
{
	char head[2 * AUDIT_HASH_LEN + 1] = "(none)", when[64];

	if (!cp) {
		fprintf(stderr, _("hearth:   %-16s none\n"), label);
		return;
	}
	if (cp->head_hash.len == AUDIT_HASH_LEN)
		audit_hex(cp->head_hash.data, AUDIT_HASH_LEN, head);
	witness_time(cp->time, when, sizeof(when));
	fprintf(stderr, _("hearth:   %-16s size %llu, head %s, signed %s\n"), label,
	        (unsigned long long)cp->size, head, when);
}

/* The loud part: several lines, both checkpoints, what it means and what
 * to do, so a secretary who sees it knows this is not a network hiccup. */
static int refuse(cli *c, const char *cmd, const Hearth__Checkpoint *old, const Hearth__Checkpoint *now,
                  const char *what, const char *meaning)
{
	fprintf(stderr, _("hearth: %s: REFUSED: the server's audit log cannot be trusted\n"), cmd);
	fprintf(stderr, "hearth:   %s\n", what);
	describe(_("accepted before:"), old);
	describe(_("presented now:"), now);
	fprintf(stderr, "hearth:   %s\n", meaning);
	fprintf(stderr, _("hearth:   Nothing more was sent to or taken from the server. Report this to the\n"
	                "hearth:   committee's administrator and keep %s/replica as it is: it holds the\n"
	                "hearth:   checkpoint that proves what the server showed before.\n"),
	        c->prof.home);
	return EXIT_WITNESS;
}

/* What to do about a server that seems restored from an older copy. The
 * replica's copy is the evidence and may hold the only copy of what the
 * server acknowledged since, so nothing here touches it. */
static void restored_advice(cli *c)
{
	fprintf(stderr,
	        _("hearth:   The server seems restored from an older copy of its store: it no longer\n"
	        "hearth:   holds changes it acknowledged to this replica. This replica keeps them all\n"
	        "hearth:   (see 'hearth list'); do not delete %s/replica or run 'hearth init' again.\n"
	        "hearth:   The committee's administrator must bring the server back to its latest\n"
	        "hearth:   copy (hearthd restore from the newest backup), or follow the committee's\n"
	        "hearth:   recovery procedure before this replica syncs again.\n"),
	        c->prof.home);
}

/* ---------------------------------------------------------- what was seen */

/* The links a judgement verified, kept once it is accepted, so that a
 * later restore notice can be checked against what this replica saw. */
typedef struct seen_buf {
	replica_seen *v;
	size_t n, cap;
	int oom;
} seen_buf;

static void seen_add(void *arg, uint64_t seq, const uint8_t leaf[AUDIT_HASH_LEN], const uint8_t hash[AUDIT_HASH_LEN])
{
	seen_buf *b = arg;

	if (array_grow(&b->v, &b->cap, b->n, sizeof(*b->v), 256) != 0) {
		b->oom = 1;
		return;
	}
	b->v[b->n].seq = seq;
	memcpy(b->v[b->n].hash, hash, AUDIT_HASH_LEN);
	b->v[b->n].has_leaf = leaf != NULL;
	if (leaf)
		memcpy(b->v[b->n].leaf, leaf, AUDIT_HASH_LEN);
	else
		memset(b->v[b->n].leaf, 0, AUDIT_HASH_LEN);
	b->n++;
}

/* Keeps the links and the accepted checkpoint's own head. Losing them
 * only weakens a later recovery (that replica then cannot vouch for a
 * notice), so a failure is told, not fatal. */
static void seen_keep(replica *r, seen_buf *b, const Hearth__Checkpoint *cp, const char *cmd)
{
	if (cp && cp->size && cp->head_hash.len == AUDIT_HASH_LEN)
		seen_add(b, cp->size, NULL, cp->head_hash.data);
	if (b->oom || replica_seen_put(r, b->v, b->n) != 0)
		cli_error(_("%s: cannot keep the witnessed audit links in the replica; a later restore "
		            "notice may not be accepted by this replica"), cmd);
	free(b->v);
	memset(b, 0, sizeof(*b));
}

static int seen_hash(void *arg, uint64_t seq, uint8_t hash[AUDIT_HASH_LEN])
{
	return replica_seen_get(arg, seq, hash) != 0;
}

/* ---------------------------------------------------------- the check */

/* Which key must sign: the profile's when it names one, else the one this
 * replica pinned, else (first use) the one the server presents. *pin_now
 * says the key is new to the replica and must be stored on success. */
static int pinned_key(cli *c, session *s, replica *r, const char *cmd, const Hearth__Checkpoint *old,
                      uint8_t key[AUDIT_KEY_LEN], int *pin_now)
{
	const Hearth__Welcome *w = s->welcome;
	uint8_t *stored = NULL, prof_key[AUDIT_KEY_LEN];
	size_t n = 0;
	char err[1200];
	int rc, have_prof = 0;

	*pin_now = 0;
	if (c->prof.audit_key[0]) {
		if (witness_load_pubkey(c->prof.audit_key, prof_key, err, sizeof(err)) != 0) {
			cli_error(_("%s: %s (named as audit_key in the profile)"), cmd, err);
			return EXIT_USAGE;
		}
		have_prof = 1;
	}
	rc = replica_meta_get_bytes(r, "audit_key", &stored, &n);
	if (rc != 0 && rc != HEARTH_ENOTFOUND) {
		cli_error(_("%s: cannot read the pinned audit key from the replica: %s"), cmd, _(hearth_strerror(rc)));
		return EXIT_FAIL;
	}
	if (rc == 0 && n != AUDIT_KEY_LEN) {
		free(stored);
		cli_error(_("%s: the audit key pinned in %s/replica is damaged (%zu bytes)"), cmd, c->prof.home, n);
		return EXIT_FAIL;
	}
	if (stored && have_prof && memcmp(stored, prof_key, AUDIT_KEY_LEN) != 0) {
		free(stored);
		return refuse(c, cmd, old, w->checkpoint,
		              _("the audit key named in the profile is not the key this replica pinned earlier."),
		              _("Either the profile was changed to trust another key, or the replica was made "
		              "against another server. Check which key the committee published."));
	}
	if (have_prof)
		memcpy(key, prof_key, AUDIT_KEY_LEN);
	else if (stored)
		memcpy(key, stored, AUDIT_KEY_LEN);
	else if (w->audit_public_key.len == AUDIT_KEY_LEN)
		memcpy(key, w->audit_public_key.data, AUDIT_KEY_LEN);
	*pin_now = stored == NULL;
	free(stored);
	if (w->audit_public_key.len != AUDIT_KEY_LEN) {
		if (!have_prof && *pin_now)
			return refuse(c, cmd, old, w->checkpoint,
			              _("the server presents no audit key (Welcome.audit_public_key is empty)."),
			              _("A hearth server signs every checkpoint of its audit log; one that does not "
			              "cannot be witnessed. Is this a hearth server of protocol 1.1 or later?"));
		return refuse(c, cmd, old, w->checkpoint,
		              _("the server no longer presents its audit key (Welcome.audit_public_key is empty)."),
		              _("A server that stops signing its audit log may be hiding changes to it."));
	}
	if (memcmp(w->audit_public_key.data, key, AUDIT_KEY_LEN) != 0) {
		char want[2 * AUDIT_KEY_LEN + 1], got[2 * AUDIT_KEY_LEN + 1], what[400];
		audit_hex(key, AUDIT_KEY_LEN, want);
		audit_hex(w->audit_public_key.data, AUDIT_KEY_LEN, got);
		snprintf(what, sizeof(what),
		         _("the server signs its checkpoints with another key:\n"
		         "hearth:   pinned key:       %s%s\n"
		         "hearth:   presented key:    %s"),
		         want, have_prof ? _(" (from the profile)") : "", got);
		return refuse(c, cmd, old, w->checkpoint, what,
		              _("Checkpoints signed by another key prove nothing about the log this replica "
		              "witnessed: this may be another server posing as ours, or a key replaced to "
		              "forge checkpoints. If the committee really changed the key, it will say so "
		              "and give the new public key ('hearth init --audit-key')."));
	}
	return EXIT_OK;
}

/* Tells people what a verdict means; returns the exit code. */
static int report(cli *c, session *s, const char *cmd, const Hearth__Checkpoint *old,
                  const Hearth__Checkpoint *now, witness_verdict v, const witness_detail *d)
{
	char what[1400];

	switch (v) {
	case WITNESS_OK: return EXIT_OK;
	case WITNESS_NO_CHECKPOINT:
		return refuse(c, cmd, old, NULL, _("the server presented no audit checkpoint in its Welcome."),
		              _("A hearth server always presents its latest signed checkpoint; without one "
		              "nothing shows that its audit log is the one this replica witnessed."));
	case WITNESS_FORGED:
		return refuse(c, cmd, old, now, _("the presented checkpoint's signature does not verify with the "
		                                "pinned audit key (a forged checkpoint)."),
		              _("Someone other than the server's audit key produced this checkpoint: the log it "
		              "describes cannot be trusted."));
	case WITNESS_NO_HEAD:
		return refuse(c, cmd, old, now, _("the presented checkpoint has no head hash."),
		              _("A checkpoint without a head describes no log."));
	case WITNESS_SHRANK:
		snprintf(what, sizeof(what),
		         _("the audit log shrank: the server now holds %llu entries, fewer than the %llu "
		         "this replica saw."),
		         (unsigned long long)now->size, (unsigned long long)old->size);
		refuse(c, cmd, old, now, what,
		       _("Entries were removed from the audit log, or the server's store was rolled back "
		       "to an older copy: changes made after that copy may be lost or hidden."));
		restored_advice(c);
		return EXIT_WITNESS;
	case WITNESS_REWRITTEN:
		return refuse(c, cmd, old, now,
		              _("the audit log was rewritten: same number of entries, different head."),
		              _("At least one entry this replica witnessed has been changed since: the history "
		              "the server shows is not the one it showed before."));
	case WITNESS_DIVERGED:
		if (d->diverged)
			snprintf(what, sizeof(what),
			         _("the audit log was rewritten: it grew, but from entry %llu on its chain "
			         "does not continue the head this replica accepted."),
			         (unsigned long long)d->diverged);
		else
			snprintf(what, sizeof(what),
			         _("the audit log was rewritten: its entries %llu to %llu do not lead from the "
			         "head this replica accepted to the presented head."),
			         (unsigned long long)old->size + 1, (unsigned long long)now->size);
		return refuse(c, cmd, old, now, what,
		              _("The first entries of the log are no longer the ones this replica witnessed: "
		              "they were changed, or the store was rolled back to an older copy and has "
		              "grown again since."));
	case WITNESS_UNPROVEN:
		snprintf(what, sizeof(what), _("the server cannot prove its own checkpoint: %s."), d->err);
		return refuse(c, cmd, old, now, what,
		              _("A server that signs a checkpoint it cannot back with links is not telling "
		              "the truth about its audit log."));
	case WITNESS_PROOF_FAILED:
		cli_error("%s: %s", cmd, d->err);
		return EXIT_FAIL;
	case WITNESS_LOST:
		cli_error("%s: %s", cmd, s->error);
		return session_exit_code(s) ? session_exit_code(s) : EXIT_CONNECT;
	case WITNESS_BEHIND: /* witness_check_cursor's verdict: told there */
		break;
	case WITNESS_RESTORED: return EXIT_OK;
	case WITNESS_NOTICE_FORGED:
		refuse(c, cmd, old, now, _("the audit log is shorter or other than the one this replica saw, and the "
		                           "server's restore notice is not signed by the pinned audit key."),
		       _("A restore notice lets a replica accept a restored server only when the server's own "
		         "audit key signed it; this one may be forged. Nothing was re-pushed."));
		restored_advice(c);
		return EXIT_WITNESS;
	case WITNESS_NOTICE_USED:
		refuse(c, cmd, old, now, _("the audit log is shorter or other than the one this replica saw, and the "
		                           "server presents a restore notice this replica already used."),
		       _("Each restore notice is accepted once: a server that shows it again was rolled back "
		         "after the recovery, or the notice is replayed. Nothing was re-pushed."));
		restored_advice(c);
		return EXIT_WITNESS;
	case WITNESS_NOTICE_NOT_PREFIX:
		refuse(c, cmd, old, now, _("the audit log is shorter or other than the one this replica saw, and the "
		                           "server's restore notice names a checkpoint this replica never saw."),
		       _("A restored server can only be accepted when it was restored to a log this replica "
		         "witnessed; this replica cannot vouch for that one. Nothing was re-pushed."));
		restored_advice(c);
		return EXIT_WITNESS;
	}
	return EXIT_FAIL;
}

int witness_check(cli *c, session *s, replica *r, const char *cmd)
{
	const Hearth__Checkpoint *now = s->welcome->checkpoint;
	const Hearth__RestoreNotice *notice = s->welcome->restore_notice;
	Hearth__Checkpoint *old = NULL;
	uint8_t key[AUDIT_KEY_LEN];
	seen_buf seen = { 0 };
	witness_judge_opts jo = { .key = key, .proof = witness_session_proof, .src = s, .seen = seen_add,
		                  .seen_arg = &seen };
	witness_notice_opts no = { .notice = notice, .seen_hash = seen_hash, .seen_arg = r };
	witness_detail d;
	witness_verdict v;
	int rc, pin_now = 0;

	rc = replica_checkpoint_get(r, &old);
	if (rc != 0 && rc != HEARTH_ENOTFOUND) {
		cli_error(_("%s: cannot read the accepted checkpoint from the replica: %s"), cmd,
		          _(hearth_strerror(rc)));
		return EXIT_FAIL;
	}
	if ((rc = pinned_key(c, s, r, cmd, old, key, &pin_now)) != EXIT_OK)
		goto done;
	if (notice && notice->id.len == AUDIT_NOTICE_ID_LEN &&
	    (no.used = replica_notice_used(r, notice->id.data)) < 0) {
		cli_error(_("%s: cannot read the restore notices this replica used: %s"), cmd,
		          hearth_strerror(no.used));
		rc = EXIT_FAIL;
		goto done;
	}
	v = witness_judge_restored(&jo, &no, old, now, &d);
	if ((rc = report(c, s, cmd, old, now, v, &d)) != EXIT_OK)
		goto done;
	if (v == WITNESS_RESTORED) {
		if ((rc = replica_recovery_accept(r, notice, now)) != 0) {
			cli_error(_("%s: cannot store the accepted restore notice in the replica: %s"), cmd,
			          hearth_strerror(rc));
			rc = EXIT_FAIL;
			goto done;
		}
		fprintf(stderr, _("hearth: %s: the server was restored from a backup (audit log at %llu entries, "
		                  "changes up to %llu) and presents a valid restore notice; this replica accepts "
		                  "it once and re-pushes what the server lost at the next 'hearth sync'\n"),
		        cmd, (unsigned long long)notice->audit_size, (unsigned long long)notice->change_seq);
		seen_keep(r, &seen, now, cmd);
		rc = EXIT_OK;
		goto done;
	}
	if (pin_now && (rc = replica_meta_set_bytes(r, "audit_key", key, AUDIT_KEY_LEN)) != 0) {
		cli_error(_("%s: cannot pin the audit key in the replica: %s"), cmd, _(hearth_strerror(rc)));
		rc = EXIT_FAIL;
		goto done;
	}
	if ((rc = replica_checkpoint_put(r, now)) != 0) {
		cli_error(_("%s: cannot store the accepted checkpoint in the replica: %s"), cmd,
		          _(hearth_strerror(rc)));
		rc = EXIT_FAIL;
		goto done;
	}
	seen_keep(r, &seen, now, cmd);
	rc = EXIT_OK;
done:
	free(seen.v);
	if (old)
		hearth__checkpoint__free_unpacked(old, NULL);
	return rc;
}

int witness_connect(cli *c, session *s, replica *r, const char *cmd)
{
	Hearth__Checkpoint *old = NULL;
	int rc;

	/* The Hello tells the server which checkpoint we hold; losing it only
	 * loses that hint, the check below reads it again. */
	(void)replica_checkpoint_get(r, &old);
	rc = session_open_witness(s, &c->prof, r->replica_id, old);
	if (old)
		hearth__checkpoint__free_unpacked(old, NULL);
	if (rc != 0) {
		cli_error("%s", s->error);
		return session_exit_code(s);
	}
	return witness_check(c, s, r, cmd);
}

int witness_pin_push(cli *c, session *s, replica *r, const Hearth__Checkpoint *cp, const char *cmd)
{
	Hearth__Checkpoint *old = NULL;
	uint8_t key[AUDIT_KEY_LEN];
	seen_buf seen = { 0 };
	witness_judge_opts jo = { .key = key, .proof = witness_session_proof, .src = s, .seen = seen_add,
		                  .seen_arg = &seen };
	witness_detail d;
	witness_verdict v;
	int rc, pin_now = 0;

	if (!cp)
		return EXIT_OK;
	rc = replica_checkpoint_get(r, &old);
	if (rc != 0 && rc != HEARTH_ENOTFOUND) {
		cli_error(_("%s: cannot read the accepted checkpoint from the replica: %s"), cmd,
		          _(hearth_strerror(rc)));
		return EXIT_FAIL;
	}
	/* The key the Welcome was checked against (witness_check pinned it). */
	if ((rc = pinned_key(c, s, r, cmd, old, key, &pin_now)) != EXIT_OK)
		goto done;
	v = witness_judge_push(&jo, old, cp, &d);
	if ((rc = report(c, s, cmd, old, cp, v, &d)) != EXIT_OK)
		goto done;
	if ((rc = replica_checkpoint_put(r, cp)) != 0) {
		cli_error(_("%s: cannot store the push's checkpoint in the replica: %s"), cmd, _(hearth_strerror(rc)));
		rc = EXIT_FAIL;
		goto done;
	}
	seen_keep(r, &seen, cp, cmd);
	rc = EXIT_OK;
done:
	free(seen.v);
	if (old)
		hearth__checkpoint__free_unpacked(old, NULL);
	return rc;
}

int witness_check_cursor(cli *c, uint64_t ours, uint64_t theirs, const char *cmd)
{
	if (witness_judge_cursor(ours, theirs) == WITNESS_OK)
		return EXIT_OK;
	fprintf(stderr, _("hearth: %s: REFUSED: the server is behind this replica\n"), cmd);
	fprintf(stderr, _("hearth:   its change cursor is %llu, but this replica already pulled up to %llu.\n"),
	        (unsigned long long)theirs, (unsigned long long)ours);
	fprintf(stderr, _("hearth:   A server's cursor only moves forward; nothing was re-pulled and nothing\n"
	                "hearth:   in this replica was dropped.\n"));
	restored_advice(c);
	return EXIT_WITNESS;
}
