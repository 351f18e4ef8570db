/* test_witness.c: the witness (client/core/witness.c) accepts an audit log
 * that only grew and refuses one that shrank or was rewritten, judged on
 * checkpoints signed with the dev audit key and links built with
 * common/audit.c; no server, no session. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "client/core/witness.h"
#include "common/audit.h"
#include "common/hearth.h"

#define CHAIN_MAX 16

/* A log of n entries: leaf[i] and hash[i] for i = 1..n, hash[0] zero. */
typedef struct chain {
	uint8_t leaf[CHAIN_MAX + 1][AUDIT_HASH_LEN];
	uint8_t hash[CHAIN_MAX + 1][AUDIT_HASH_LEN];
	uint64_t n;
	int calls;        /* how often the witness asked for links */
	int fail_rc;      /* non-zero: the proof fails with this */
	int fail_code;    /* and this server ErrorCode */
} chain;

static EVP_PKEY *key;
static uint8_t pub[AUDIT_KEY_LEN];

/* Entry i's leaf is i repeated, or, from `from` on, i ^ 0x5a: a log whose
 * entries from `from` differ. */
static void chain_build(chain *c, uint64_t n, uint64_t from)
{
	memset(c, 0, sizeof(*c));
	c->n = n;
	for (uint64_t i = 1; i <= n; i++) {
		memset(c->leaf[i], (int)(from && i >= from ? i ^ 0x5a : i), AUDIT_HASH_LEN);
		audit_link(c->hash[i - 1], c->leaf[i], c->hash[i]);
	}
}

/* The signed checkpoint of c's first size entries (free with cp_free). */
static Hearth__Checkpoint *cp_make(const chain *c, uint64_t size)
{
	Hearth__Checkpoint *cp = calloc(1, sizeof(*cp));
	assert_non_null(cp);
	hearth__checkpoint__init(cp);
	cp->size = size;
	cp->time = 1700000000000 + (int64_t)size;
	cp->head_hash.len = AUDIT_HASH_LEN;
	cp->head_hash.data = malloc(AUDIT_HASH_LEN);
	assert_non_null(cp->head_hash.data);
	memcpy(cp->head_hash.data, c->hash[size], AUDIT_HASH_LEN);
	assert_int_equal(audit_sign_checkpoint(key, cp), 0);
	return cp;
}

static void cp_free(Hearth__Checkpoint *cp)
{
	if (!cp)
		return;
	free(cp->head_hash.data);
	free(cp->signature.data);
	free(cp);
}

/* The server's side of the proof: c's links (from, to]. */
static int proof(void *src, uint64_t from, uint64_t to, witness_link_fn fn, void *ctx, int *server_code,
                 char *err, size_t errlen)
{
	chain *c = src;
	int rc;

	c->calls++;
	*server_code = 0;
	if (c->fail_rc) {
		*server_code = c->fail_code;
		snprintf(err, errlen, "proof failed");
		return c->fail_rc;
	}
	for (uint64_t seq = from + 1; seq <= to && seq <= c->n; seq++) {
		if ((rc = fn(ctx, seq, c->leaf[seq], c->hash[seq])) != 0)
			return rc;
	}
	return 0;
}

static witness_verdict judge(chain *server, const Hearth__Checkpoint *old, const Hearth__Checkpoint *now,
                             witness_detail *d)
{
	witness_judge_opts o = { .key = pub, .proof = proof, .src = server };
	return witness_judge(&o, old, now, d);
}

static int setup(void **state)
{
	const char *certs = getenv("HEARTH_CERTS");
	char path[1024], err[256];
	(void)state;

	assert_non_null(certs);
	snprintf(path, sizeof(path), "%s/audit-ed25519.key", certs);
	key = audit_load_key(path, err, sizeof(err));
	if (!key)
		fail_msg("%s", err);
	assert_int_equal(audit_public_key(key, pub), 0);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	EVP_PKEY_free(key);
	return 0;
}

static void test_witness_accepts_growth(void **state)
{
	chain c;
	witness_detail d;
	Hearth__Checkpoint *old, *now;
	(void)state;

	chain_build(&c, 9, 0);
	old = cp_make(&c, 4);
	now = cp_make(&c, 9);
	assert_int_equal(judge(&c, old, now, &d), WITNESS_OK);
	assert_int_equal(c.calls, 1);
	/* The same checkpoint again: nothing to prove. */
	assert_int_equal(judge(&c, now, now, &d), WITNESS_OK);
	assert_int_equal(c.calls, 1);
	/* First use: any validly signed checkpoint. */
	assert_int_equal(judge(&c, NULL, old, &d), WITNESS_OK);
	cp_free(old);
	cp_free(now);
}

static void test_witness_refuses_shrunk_log(void **state)
{
	chain c;
	witness_detail d;
	Hearth__Checkpoint *old, *now;
	(void)state;

	chain_build(&c, 9, 0);
	old = cp_make(&c, 9);
	now = cp_make(&c, 4);
	assert_int_equal(judge(&c, old, now, &d), WITNESS_SHRANK);
	assert_int_equal(c.calls, 0);
	cp_free(old);
	cp_free(now);
}

static void test_witness_refuses_rewritten_log(void **state)
{
	chain seen, server;
	witness_detail d;
	Hearth__Checkpoint *old, *now;
	(void)state;

	/* Same size, another head: entry 3 was changed. */
	chain_build(&seen, 9, 0);
	chain_build(&server, 9, 3);
	old = cp_make(&seen, 6);
	now = cp_make(&server, 6);
	assert_int_equal(judge(&server, old, now, &d), WITNESS_REWRITTEN);
	cp_free(now);

	/* It grew since, but over a rewritten start: the first link after
	 * what we saw does not continue our head. */
	now = cp_make(&server, 9);
	assert_int_equal(judge(&server, old, now, &d), WITNESS_DIVERGED);
	assert_int_equal(d.diverged, 7);
	assert_int_equal(server.calls, 1);
	cp_free(old);
	cp_free(now);
}

static void test_witness_refuses_forged_and_unproven(void **state)
{
	chain c;
	witness_detail d;
	Hearth__Checkpoint *old, *now;
	(void)state;

	chain_build(&c, 9, 0);
	old = cp_make(&c, 4);
	now = cp_make(&c, 9);
	assert_int_equal(judge(&c, old, NULL, &d), WITNESS_NO_CHECKPOINT);
	now->signature.data[0] ^= 1;
	assert_int_equal(judge(&c, old, now, &d), WITNESS_FORGED);
	now->signature.data[0] ^= 1;

	c.fail_rc = HEARTH_EPROTO;
	c.fail_code = HEARTH__ERROR_CODE__ERR_NOT_FOUND;
	assert_int_equal(judge(&c, old, now, &d), WITNESS_UNPROVEN);
	assert_string_equal(d.err, "proof failed");
	c.fail_code = 0;
	assert_int_equal(judge(&c, old, now, &d), WITNESS_PROOF_FAILED);
	c.fail_rc = HEARTH_EIO;
	assert_int_equal(judge(&c, old, now, &d), WITNESS_LOST);
	assert_int_equal(d.rc, HEARTH_EIO);
	cp_free(old);
	cp_free(now);
}

static witness_verdict judge_push(chain *server, const Hearth__Checkpoint *pinned,
                                  const Hearth__Checkpoint *now, witness_detail *d)
{
	witness_judge_opts o = { .key = pub, .proof = proof, .src = server };
	return witness_judge_push(&o, pinned, now, d);
}

/* The rollback of issue 13: Welcome at 4 pinned, the push answers at 6 and
 * 9 grow it and are pinned; the restored server's Welcome at 4 (its copy
 * was made before the pushes) is then a shrunk log. */
static void test_witness_pins_push_checkpoints(void **state)
{
	chain c;
	witness_detail d;
	Hearth__Checkpoint *welcome, *push1, *push2;
	(void)state;

	chain_build(&c, 9, 0);
	welcome = cp_make(&c, 4);
	push1 = cp_make(&c, 6);
	push2 = cp_make(&c, 9);
	assert_int_equal(judge_push(&c, welcome, push1, &d), WITNESS_OK);
	assert_int_equal(c.calls, 1);
	assert_int_equal(judge_push(&c, push1, push2, &d), WITNESS_OK);
	assert_int_equal(c.calls, 2);
	/* The same commit's checkpoint shared by two pushes: nothing to prove. */
	assert_int_equal(judge_push(&c, push2, push2, &d), WITNESS_OK);
	assert_int_equal(c.calls, 2);
	/* A server before push receipts sends none: nothing to pin, no refusal. */
	assert_int_equal(judge_push(&c, push2, NULL, &d), WITNESS_OK);
	/* A push answer behind the pin, and the restored server's Welcome. */
	assert_int_equal(judge_push(&c, push2, push1, &d), WITNESS_SHRANK);
	assert_int_equal(judge(&c, push2, welcome, &d), WITNESS_SHRANK);
	/* A forged receipt is refused like a forged Welcome. */
	push2->signature.data[0] ^= 1;
	assert_int_equal(judge_push(&c, push1, push2, &d), WITNESS_FORGED);
	cp_free(welcome);
	cp_free(push1);
	cp_free(push2);
}

static void test_witness_cursor_never_goes_back(void **state)
{
	(void)state;
	assert_int_equal(witness_judge_cursor(7, 5), WITNESS_BEHIND);
	assert_int_equal(witness_judge_cursor(7, 7), WITNESS_OK);
	assert_int_equal(witness_judge_cursor(7, 9), WITNESS_OK);
	assert_int_equal(witness_judge_cursor(0, 0), WITNESS_OK);
}

/* ---------------------------------------------------------- restore notices */

/* What the replica saw: the chain's hash after each entry. */
static int seen_hash(void *arg, uint64_t seq, uint8_t hash[AUDIT_HASH_LEN])
{
	const chain *c = arg;
	if (seq > c->n)
		return 1;
	memcpy(hash, c->hash[seq], AUDIT_HASH_LEN);
	return 0;
}

static int seen_nothing(void *arg, uint64_t seq, uint8_t hash[AUDIT_HASH_LEN])
{
	(void)arg, (void)seq, (void)hash;
	return 1;
}

/* A notice naming c's first size entries, signed with k. */
static Hearth__RestoreNotice *notice_make(EVP_PKEY *k, const chain *c, uint64_t size)
{
	Hearth__RestoreNotice *n = calloc(1, sizeof(*n));
	assert_non_null(n);
	hearth__restore_notice__init(n);
	n->id.len = AUDIT_NOTICE_ID_LEN;
	n->id.data = calloc(1, AUDIT_NOTICE_ID_LEN);
	n->id.data[0] = 7;
	n->audit_size = size;
	n->audit_head.len = AUDIT_HASH_LEN;
	n->audit_head.data = malloc(AUDIT_HASH_LEN);
	memcpy(n->audit_head.data, c->hash[size], AUDIT_HASH_LEN);
	n->change_seq = 40;
	n->time = 1700000000000;
	assert_int_equal(audit_sign_notice(k, n), 0);
	return n;
}

static void notice_free(Hearth__RestoreNotice *n)
{
	free(n->id.data);
	free(n->audit_head.data);
	free(n->signature.data);
	free(n);
}

static witness_verdict judge_notice(chain *server, chain *seen, const Hearth__RestoreNotice *n, int used,
                                    const Hearth__Checkpoint *old, const Hearth__Checkpoint *now)
{
	witness_judge_opts o = { .key = pub, .proof = proof, .src = server };
	witness_notice_opts no = { .notice = n, .used = used, .seen_hash = seen ? seen_hash : seen_nothing,
		                   .seen_arg = seen };
	witness_detail d;
	return witness_judge_restored(&o, &no, old, now, &d);
}

/* The replica saw 12 entries; the server was restored to the first 5 and
 * has written 3 new ones since. Only a notice signed by the pinned key,
 * new to the replica, naming a head it saw, lets it accept that log. */
static void test_witness_accepts_restore_notice_once(void **state)
{
	chain seen, server, other;
	Hearth__Checkpoint *old, *now, *grown;
	Hearth__RestoreNotice *n, *forged, *unseen, *early;
	EVP_PKEY *wrong = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	(void)state;

	assert_non_null(wrong);
	chain_build(&seen, 12, 0);
	chain_build(&server, 8, 6);   /* entries 1..5 as seen, 6..8 new */
	chain_build(&other, 12, 3);   /* a log that parts from the seen one at 3 */
	old = cp_make(&seen, 12);
	now = cp_make(&server, 8);
	n = notice_make(key, &seen, 5);
	forged = notice_make(wrong, &seen, 5);
	unseen = notice_make(key, &other, 5);

	assert_int_equal(judge_notice(&server, &seen, NULL, 0, old, now), WITNESS_SHRANK);
	assert_int_equal(judge_notice(&server, &seen, n, 0, old, now), WITNESS_RESTORED);
	assert_int_equal(judge_notice(&server, &seen, n, 1, old, now), WITNESS_NOTICE_USED);
	assert_int_equal(judge_notice(&server, &seen, forged, 0, old, now), WITNESS_NOTICE_FORGED);
	assert_int_equal(judge_notice(&server, &seen, unseen, 0, old, now), WITNESS_NOTICE_NOT_PREFIX);
	assert_int_equal(judge_notice(&server, NULL, n, 0, old, now), WITNESS_NOTICE_NOT_PREFIX);
	/* A notice changes nothing for a log that only grew. */
	grown = cp_make(&seen, 10);
	assert_int_equal(judge_notice(&seen, &seen, n, 1, grown, old), WITNESS_OK);
	/* The log after the notice's checkpoint must continue it: a server
	 * restored to 2 entries (where the logs still agree) is accepted, one
	 * that names 5 but holds another log from 3 on is not. */
	cp_free(now);
	now = cp_make(&other, 8);
	early = notice_make(key, &seen, 2);
	assert_int_equal(judge_notice(&other, &seen, early, 0, old, now), WITNESS_RESTORED);
	assert_int_equal(judge_notice(&other, &seen, n, 0, old, now), WITNESS_DIVERGED);
	cp_free(grown);
	notice_free(early);
	cp_free(old);
	cp_free(now);
	notice_free(n);
	notice_free(forged);
	notice_free(unseen);
	EVP_PKEY_free(wrong);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_witness_accepts_growth),
		cmocka_unit_test(test_witness_refuses_shrunk_log),
		cmocka_unit_test(test_witness_refuses_rewritten_log),
		cmocka_unit_test(test_witness_refuses_forged_and_unproven),
		cmocka_unit_test(test_witness_pins_push_checkpoints),
		cmocka_unit_test(test_witness_cursor_never_goes_back),
		cmocka_unit_test(test_witness_accepts_restore_notice_once),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
