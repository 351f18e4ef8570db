/* witness.c: judges whether the server's signed audit log only grew since
 * the checkpoint this replica accepted last (no printing: cmd/witness.c
 * tells people what a refusal means).
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
#include "common/i18n.h"

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
		snprintf(err, errlen, _("cannot read the audit public key %s: %m"), path);
		return HEARTH_EIO;
	}
	k = PEM_read_PUBKEY(f, NULL, NULL, NULL);
	fclose(f);
	if (!k) {
		snprintf(err, errlen, _("%s is not a PEM public key (expected the server's audit key, e.g. "
		                      "certs/dev/audit-ed25519.pub)"), path);
		goto fail;
	}
	if (EVP_PKEY_get_id(k) != EVP_PKEY_ED25519 || EVP_PKEY_get_raw_public_key(k, out, &n) != 1 ||
	    n != AUDIT_KEY_LEN) {
		snprintf(err, errlen, _("%s is not an Ed25519 public key"), path);
		goto fail;
	}
	rc = 0;
fail:
	EVP_PKEY_free(k);
	return rc;
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
			snprintf(err, errlen, _("the server refused the audit proof from %llu to %llu: %s"),
			         (unsigned long long)at, (unsigned long long)to, resp->error->message);
			envelope_free(resp, NULL);
			return HEARTH_EPROTO;
		}
		if (resp->body_case != HEARTH__ENVELOPE__BODY_AUDIT_PROOF) {
			snprintf(err, errlen, _("the server answered the audit proof request with %s"),
			         envelope_body_name(resp));
			envelope_free(resp, NULL);
			return HEARTH_EPROTO;
		}
		p = resp->audit_proof;
		/* A page must move forward and stay within what was asked: a
		 * server that loops or pads would otherwise keep us here. */
		if (p->n_links == 0 || p->n_links > PROOF_PAGE_MAX) {
			snprintf(err, errlen, _("the server sent %zu audit links for (%llu, %llu]"), p->n_links,
			         (unsigned long long)at, (unsigned long long)to);
			envelope_free(resp, NULL);
			return HEARTH_EPROTO;
		}
		for (size_t i = 0; i < p->n_links; i++) {
			const Hearth__AuditLink *l = p->links[i];
			if (l->seq != at + 1 || l->seq > to || l->leaf.len != AUDIT_HASH_LEN ||
			    l->hash.len != AUDIT_HASH_LEN) {
				snprintf(err, errlen,
				         _("the server sent a malformed audit link (seq %llu where %llu was due)"),
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
			snprintf(err, errlen, _("the server's audit proof stopped at %llu of %llu"),
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
	const witness_judge_opts *o;
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
	if (x->o->seen)
		x->o->seen(x->o->seen_arg, seq, leaf, x->head);
	return 0;
}

int witness_session_proof(void *session_, uint64_t from, uint64_t to, witness_link_fn fn, void *ctx,
                          int *server_code, char *err, size_t errlen)
{
	return witness_links(session_, from, to, fn, ctx, server_code, err, errlen);
}

/* ---------------------------------------------------------- the judgement */

static int same_head(const Hearth__Checkpoint *a, const Hearth__Checkpoint *b)
{
	return a->head_hash.len == b->head_hash.len &&
	       (a->head_hash.len == 0 || !memcmp(a->head_hash.data, b->head_hash.data, a->head_hash.len));
}

/* The log grew from old to now: recompute the chain from our head over
 * the server's leaves; it must pass through the server's own hashes and end
 * at the presented head. */
static witness_verdict judge_growth(const witness_judge_opts *o, const Hearth__Checkpoint *old,
                                    const Hearth__Checkpoint *now, witness_detail *d)
{
	extend_ctx x;
	int code = 0, rc;

	memset(&x, 0, sizeof(x));
	x.o = o;
	if (old->head_hash.len == AUDIT_HASH_LEN)
		memcpy(x.head, old->head_hash.data, AUDIT_HASH_LEN);
	rc = o->proof(o->src, old->size, now->size, extend, &x, &code, d->err, sizeof(d->err));
	if (rc == 1 || (rc == 0 && memcmp(x.head, now->head_hash.data, AUDIT_HASH_LEN) != 0)) {
		d->diverged = x.diverged;
		return WITNESS_DIVERGED;
	}
	if (rc == HEARTH_EPROTO && (code == HEARTH__ERROR_CODE__ERR_INVALID ||
	                            code == HEARTH__ERROR_CODE__ERR_NOT_FOUND))
		return WITNESS_UNPROVEN;
	if (rc == HEARTH_EPROTO)
		return WITNESS_PROOF_FAILED;
	if (rc != 0) {
		d->rc = rc;
		return WITNESS_LOST;
	}
	return WITNESS_OK;
}

witness_verdict witness_judge(const witness_judge_opts *o, const Hearth__Checkpoint *old,
                              const Hearth__Checkpoint *now, witness_detail *d)
{
	memset(d, 0, sizeof(*d));
	if (!now)
		return WITNESS_NO_CHECKPOINT;
	if (audit_verify_checkpoint(o->key, now) != 0)
		return WITNESS_FORGED;
	if (now->size && now->head_hash.len != AUDIT_HASH_LEN)
		return WITNESS_NO_HEAD;
	if (!old)
		return WITNESS_OK;
	if (now->size < old->size)
		return WITNESS_SHRANK;
	if (now->size == old->size)
		return same_head(old, now) ? WITNESS_OK : WITNESS_REWRITTEN;
	return judge_growth(o, old, now, d);
}

witness_verdict witness_judge_restored(const witness_judge_opts *o, const witness_notice_opts *n,
                                       const Hearth__Checkpoint *old, const Hearth__Checkpoint *now,
                                       witness_detail *d)
{
	const Hearth__RestoreNotice *rn = n->notice;
	Hearth__Checkpoint at = HEARTH__CHECKPOINT__INIT;
	uint8_t saw[AUDIT_HASH_LEN];
	witness_verdict v = witness_judge(o, old, now, d);

	if (!rn || (v != WITNESS_SHRANK && v != WITNESS_REWRITTEN && v != WITNESS_DIVERGED))
		return v;
	if (audit_verify_notice(o->key, rn) != 0)
		return WITNESS_NOTICE_FORGED;
	if (n->used)
		return WITNESS_NOTICE_USED;
	/* Only a log this replica saw can be restored to: its head at the
	 * notice's size must be the one the notice names. */
	if (rn->audit_size > old->size || n->seen_hash(n->seen_arg, rn->audit_size, saw) != 0 ||
	    memcmp(saw, rn->audit_head.data, AUDIT_HASH_LEN) != 0)
		return WITNESS_NOTICE_NOT_PREFIX;
	/* From there the restored log must only have grown. */
	at.size = rn->audit_size;
	at.head_hash = rn->audit_head;
	v = witness_judge(o, &at, now, d);
	return v == WITNESS_OK ? WITNESS_RESTORED : v;
}

witness_verdict witness_judge_push(const witness_judge_opts *o, const Hearth__Checkpoint *pinned,
                                   const Hearth__Checkpoint *now, witness_detail *d)
{
	memset(d, 0, sizeof(*d));
	if (!now)
		return WITNESS_OK;
	return witness_judge(o, pinned, now, d);
}

witness_verdict witness_judge_cursor(uint64_t ours, uint64_t theirs)
{
	return theirs < ours ? WITNESS_BEHIND : WITNESS_OK;
}
