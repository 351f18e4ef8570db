/* witness.c: checks on every connect that the server's signed audit log
 * only grew since the checkpoint this replica accepted last.
 *
 * Why a client can do this at all: a checkpoint is (size, head, time)
 * signed with the server's Ed25519 key, and head is the last link of a hash
 * chain, hash(n) = SHA-256(hash(n-1) || leaf(n)). Given the head we
 * accepted at size m and the leaves m+1..n, we recompute hash(n) ourselves;
 * only a log whose first m entries are exactly the ones we saw can produce
 * the new head. Leaves reveal nothing of the entries, so a branch replica
 * can witness other branches' entries without reading them. */
#include "client/core/witness.h"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/hearth.h"

#define PROOF_PAGE_MAX 10000

void witness_time(int64_t ms, char *out, size_t cap)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;
	if (ms <= 0 || !localtime_r(&t, &tm) || !strftime(out, cap, "%Y-%m-%d %H:%M:%S", &tm))
		snprintf(out, cap, "(no time)");
}

int witness_load_pubkey(const char *path, uint8_t out[AUDIT_KEY_LEN], char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	EVP_PKEY *k = NULL;
	size_t n = AUDIT_KEY_LEN;
	int rc = HEARTH_EINVAL;

	if (!f) {
		snprintf(err, errlen, "cannot read the audit public key %s: %m", path);
		return HEARTH_EIO;
	}
	k = PEM_read_PUBKEY(f, NULL, NULL, NULL);
	fclose(f);
	if (!k) {
		snprintf(err, errlen, "%s is not a PEM public key (expected the server's audit key, e.g. "
		                      "certs/dev/audit-ed25519.pub)", path);
		goto fail;
	}
	if (EVP_PKEY_get_id(k) != EVP_PKEY_ED25519 || EVP_PKEY_get_raw_public_key(k, out, &n) != 1 ||
	    n != AUDIT_KEY_LEN) {
		snprintf(err, errlen, "%s is not an Ed25519 public key", path);
		goto fail;
	}
	rc = 0;
fail:
	EVP_PKEY_free(k);
	return rc;
}

/* ---------------------------------------------------------- the refusal */

static void describe(const char *label, const Hearth__Checkpoint *cp)
{
	char head[2 * AUDIT_HASH_LEN + 1] = "(none)", when[64];

	if (!cp) {
		fprintf(stderr, "hearth:   %-16s none\n", label);
		return;
	}
	if (cp->head_hash.len == AUDIT_HASH_LEN)
		audit_hex(cp->head_hash.data, AUDIT_HASH_LEN, head);
	witness_time(cp->time, when, sizeof(when));
	fprintf(stderr, "hearth:   %-16s size %llu, head %s, signed %s\n", label,
	        (unsigned long long)cp->size, head, when);
}

/* The loud part: several lines, both checkpoints, what it means and what
 * to do, so a secretary who sees it knows this is not a network hiccup. */
static int refuse(cli *c, const char *cmd, const Hearth__Checkpoint *old, const Hearth__Checkpoint *now,
                  const char *what, const char *meaning)
{
	fprintf(stderr, "hearth: %s: REFUSED: the server's audit log cannot be trusted\n", cmd);
	fprintf(stderr, "hearth:   %s\n", what);
	describe("accepted before:", old);
	describe("presented now:", now);
	fprintf(stderr, "hearth:   %s\n", meaning);
	fprintf(stderr, "hearth:   Nothing was sent to or taken from the server. Report this to the\n"
	                "hearth:   committee's administrator and keep %s/replica as it is: it holds the\n"
	                "hearth:   checkpoint that proves what the server showed before.\n",
	        c->prof.home);
	return EXIT_WITNESS;
}

/* ---------------------------------------------------------- links */

int witness_links(session *s, uint64_t from, uint64_t to, witness_link_fn fn, void *ctx,
                  int *server_code, char *err, size_t errlen)
{
	uint64_t at = from;
	int rc;

	*server_code = 0;
	while (at < to) {
		Hearth__Envelope req = HEARTH__ENVELOPE__INIT, *resp = NULL;
		Hearth__AuditProofRequest pr = HEARTH__AUDIT_PROOF_REQUEST__INIT;
		const Hearth__AuditProof *p;

		pr.from_size = at;
		pr.to_size = to;
		req.body_case = HEARTH__ENVELOPE__BODY_AUDIT_PROOF_REQUEST;
		req.audit_proof_request = &pr;
		if ((rc = session_call(s, &req, &resp)) != 0)
			return rc;
		if (resp->body_case == HEARTH__ENVELOPE__BODY_ERROR) {
			*server_code = resp->error->code;
			snprintf(err, errlen, "the server refused the audit proof from %llu to %llu: %s",
			         (unsigned long long)at, (unsigned long long)to, resp->error->message);
			envelope_free(resp, NULL);
			return HEARTH_EPROTO;
		}
		if (resp->body_case != HEARTH__ENVELOPE__BODY_AUDIT_PROOF) {
			snprintf(err, errlen, "the server answered the audit proof request with %s",
			         envelope_body_name(resp));
			envelope_free(resp, NULL);
			return HEARTH_EPROTO;
		}
		p = resp->audit_proof;
		/* A page must move forward and stay within what was asked: a
		 * server that loops or pads would otherwise keep us here. */
		if (p->n_links == 0 || p->n_links > PROOF_PAGE_MAX) {
			snprintf(err, errlen, "the server sent %zu audit links for (%llu, %llu]", p->n_links,
			         (unsigned long long)at, (unsigned long long)to);
			envelope_free(resp, NULL);
			return HEARTH_EPROTO;
		}
		for (size_t i = 0; i < p->n_links; i++) {
			const Hearth__AuditLink *l = p->links[i];
			if (l->seq != at + 1 || l->seq > to || l->leaf.len != AUDIT_HASH_LEN ||
			    l->hash.len != AUDIT_HASH_LEN) {
				snprintf(err, errlen,
				         "the server sent a malformed audit link (seq %llu where %llu was due)",
				         (unsigned long long)l->seq, (unsigned long long)(at + 1));
				envelope_free(resp, NULL);
				return HEARTH_EPROTO;
			}
			if ((rc = fn(ctx, l->seq, l->leaf.data, l->hash.data)) != 0) {
				envelope_free(resp, NULL);
				return rc;
			}
			at = l->seq;
		}
		if (!p->more && at < to) {
			snprintf(err, errlen, "the server's audit proof stopped at %llu of %llu",
			         (unsigned long long)at, (unsigned long long)to);
			envelope_free(resp, NULL);
			return HEARTH_EPROTO;
		}
		envelope_free(resp, NULL);
	}
	return 0;
}

typedef struct extend_ctx {
	uint8_t head[AUDIT_HASH_LEN];
	uint64_t diverged;       /* first seq whose server hash differs from ours, 0: none */
} extend_ctx;

/* Extends our accepted head by one leaf; the server's own hash for that
 * link must be the same, or its chain does not continue ours. */
static int extend(void *arg, uint64_t seq, const uint8_t leaf[AUDIT_HASH_LEN],
                  const uint8_t hash[AUDIT_HASH_LEN])
{
	extend_ctx *x = arg;
	audit_link(x->head, leaf, x->head);
	if (memcmp(x->head, hash, AUDIT_HASH_LEN) != 0) {
		x->diverged = seq;
		return 1;
	}
	return 0;
}

/* ---------------------------------------------------------- the check */

static int same_head(const Hearth__Checkpoint *a, const Hearth__Checkpoint *b)
{
	return a->head_hash.len == b->head_hash.len &&
	       (a->head_hash.len == 0 || !memcmp(a->head_hash.data, b->head_hash.data, a->head_hash.len));
}

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
			cli_error("%s: %s (named as audit_key in the profile)", cmd, err);
			return EXIT_USAGE;
		}
		have_prof = 1;
	}
	rc = replica_meta_get_bytes(r, "audit_key", &stored, &n);
	if (rc != 0 && rc != HEARTH_ENOTFOUND) {
		cli_error("%s: cannot read the pinned audit key from the replica: %s", cmd, hearth_strerror(rc));
		return EXIT_FAIL;
	}
	if (rc == 0 && n != AUDIT_KEY_LEN) {
		free(stored);
		cli_error("%s: the audit key pinned in %s/replica is damaged (%zu bytes)", cmd, c->prof.home, n);
		return EXIT_FAIL;
	}
	if (stored && have_prof && memcmp(stored, prof_key, AUDIT_KEY_LEN) != 0) {
		free(stored);
		return refuse(c, cmd, old, w->checkpoint,
		              "the audit key named in the profile is not the key this replica pinned earlier.",
		              "Either the profile was changed to trust another key, or the replica was made "
		              "against another server. Check which key the committee published.");
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
			              "the server presents no audit key (Welcome.audit_public_key is empty).",
			              "A hearth server signs every checkpoint of its audit log; one that does not "
			              "cannot be witnessed. Is this a hearth server of protocol 1.1 or later?");
		return refuse(c, cmd, old, w->checkpoint,
		              "the server no longer presents its audit key (Welcome.audit_public_key is empty).",
		              "A server that stops signing its audit log may be hiding changes to it.");
	}
	if (memcmp(w->audit_public_key.data, key, AUDIT_KEY_LEN) != 0) {
		char want[2 * AUDIT_KEY_LEN + 1], got[2 * AUDIT_KEY_LEN + 1], what[400];
		audit_hex(key, AUDIT_KEY_LEN, want);
		audit_hex(w->audit_public_key.data, AUDIT_KEY_LEN, got);
		snprintf(what, sizeof(what),
		         "the server signs its checkpoints with another key:\n"
		         "hearth:   pinned key:       %s%s\n"
		         "hearth:   presented key:    %s",
		         want, have_prof ? " (from the profile)" : "", got);
		return refuse(c, cmd, old, w->checkpoint, what,
		              "Checkpoints signed by another key prove nothing about the log this replica "
		              "witnessed: this may be another server posing as ours, or a key replaced to "
		              "forge checkpoints. If the committee really changed the key, it will say so "
		              "and give the new public key ('hearth init --audit-key').");
	}
	return EXIT_OK;
}

int witness_check(cli *c, session *s, replica *r, const char *cmd)
{
	const Hearth__Checkpoint *now = s->welcome->checkpoint;
	Hearth__Checkpoint *old = NULL;
	uint8_t key[AUDIT_KEY_LEN];
	char err[600], what[1400];
	int rc, pin_now = 0;

	rc = replica_checkpoint_get(r, &old);
	if (rc != 0 && rc != HEARTH_ENOTFOUND) {
		cli_error("%s: cannot read the accepted checkpoint from the replica: %s", cmd,
		          hearth_strerror(rc));
		return EXIT_FAIL;
	}
	if ((rc = pinned_key(c, s, r, cmd, old, key, &pin_now)) != EXIT_OK)
		goto done;
	if (!now) {
		rc = refuse(c, cmd, old, NULL, "the server presented no audit checkpoint in its Welcome.",
		            "A hearth server always presents its latest signed checkpoint; without one "
		            "nothing shows that its audit log is the one this replica witnessed.");
		goto done;
	}
	if (audit_verify_checkpoint(key, now) != 0) {
		rc = refuse(c, cmd, old, now, "the presented checkpoint's signature does not verify with the "
		                              "pinned audit key (a forged checkpoint).",
		            "Someone other than the server's audit key produced this checkpoint: the log it "
		            "describes cannot be trusted.");
		goto done;
	}
	if (now->size && now->head_hash.len != AUDIT_HASH_LEN) {
		rc = refuse(c, cmd, old, now, "the presented checkpoint has no head hash.",
		            "A checkpoint without a head describes no log.");
		goto done;
	}
	if (old && now->size < old->size) {
		snprintf(what, sizeof(what),
		         "the audit log shrank: the server now holds %llu entries, fewer than the %llu "
		         "this replica saw.",
		         (unsigned long long)now->size, (unsigned long long)old->size);
		rc = refuse(c, cmd, old, now, what,
		            "Entries were removed from the audit log, or the server's store was rolled back "
		            "to an older copy: changes made after that copy may be lost or hidden.");
		goto done;
	}
	if (old && now->size == old->size && !same_head(old, now)) {
		rc = refuse(c, cmd, old, now,
		            "the audit log was rewritten: same number of entries, different head.",
		            "At least one entry this replica witnessed has been changed since: the history "
		            "the server shows is not the one it showed before.");
		goto done;
	}
	if (old && now->size > old->size) {
		extend_ctx x;
		int code = 0;
		memset(&x, 0, sizeof(x));
		if (old->head_hash.len == AUDIT_HASH_LEN)
			memcpy(x.head, old->head_hash.data, AUDIT_HASH_LEN);
		rc = witness_links(s, old->size, now->size, extend, &x, &code, err, sizeof(err));
		if (rc == 1 || (rc == 0 && memcmp(x.head, now->head_hash.data, AUDIT_HASH_LEN) != 0)) {
			if (x.diverged)
				snprintf(what, sizeof(what),
				         "the audit log was rewritten: it grew, but from entry %llu on its chain "
				         "does not continue the head this replica accepted.",
				         (unsigned long long)x.diverged);
			else
				snprintf(what, sizeof(what),
				         "the audit log was rewritten: its entries %llu to %llu do not lead from the "
				         "head this replica accepted to the presented head.",
				         (unsigned long long)old->size + 1, (unsigned long long)now->size);
			rc = refuse(c, cmd, old, now, what,
			            "The first entries of the log are no longer the ones this replica witnessed: "
			            "they were changed, or the store was rolled back to an older copy and has "
			            "grown again since.");
			goto done;
		}
		if (rc == HEARTH_EPROTO && (code == HEARTH__ERROR_CODE__ERR_INVALID ||
		                            code == HEARTH__ERROR_CODE__ERR_NOT_FOUND)) {
			snprintf(what, sizeof(what), "the server cannot prove its own checkpoint: %s.", err);
			rc = refuse(c, cmd, old, now, what,
			            "A server that signs a checkpoint it cannot back with links is not telling "
			            "the truth about its audit log.");
			goto done;
		}
		if (rc == HEARTH_EPROTO) {
			cli_error("%s: %s", cmd, err);
			rc = EXIT_FAIL;
			goto done;
		}
		if (rc != 0) {
			cli_error("%s: %s", cmd, s->error);
			rc = session_exit_code(s) ? session_exit_code(s) : EXIT_CONNECT;
			goto done;
		}
	}
	if (pin_now && (rc = replica_meta_set_bytes(r, "audit_key", key, AUDIT_KEY_LEN)) != 0) {
		cli_error("%s: cannot pin the audit key in the replica: %s", cmd, hearth_strerror(rc));
		rc = EXIT_FAIL;
		goto done;
	}
	if ((rc = replica_checkpoint_put(r, now)) != 0) {
		cli_error("%s: cannot store the accepted checkpoint in the replica: %s", cmd,
		          hearth_strerror(rc));
		rc = EXIT_FAIL;
		goto done;
	}
	rc = EXIT_OK;
done:
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
