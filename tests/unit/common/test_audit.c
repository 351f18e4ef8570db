/* test_audit.c: the audit chain of common/audit.c: leaves and links chain
 * entries so a changed entry is found (and is the first bad one named),
 * and checkpoints sign and verify with Ed25519 (a bad signature, a changed
 * head or size fails). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/evp.h>

#include "common/audit.h"
#include "common/hearth.h"

#define N 6

typedef struct chain {
	Hearth__AuditEntry e[N];
	uint8_t prev[N][AUDIT_HASH_LEN];
	uint8_t hash[N][AUDIT_HASH_LEN];
	char detail[N][32];
} chain;

/* Builds entries 1..N linked as the server appends them. */
static void build(chain *c)
{
	uint8_t prev[AUDIT_HASH_LEN] = { 0 }, leaf[AUDIT_HASH_LEN];

	memset(c, 0, sizeof(*c));
	for (int i = 0; i < N; i++) {
		Hearth__AuditEntry *e = &c->e[i];
		hearth__audit_entry__init(e);
		e->seq = (uint64_t)i + 1;
		e->time = 1767225600000LL + i;
		e->action = "record.update";
		e->actor_name = "一支部书记";
		e->branch_id = "b1";
		snprintf(c->detail[i], sizeof(c->detail[i]), "change %d", i + 1);
		e->detail = c->detail[i];
		assert_int_equal(audit_leaf(e, leaf), 0);
		memcpy(c->prev[i], prev, AUDIT_HASH_LEN);
		audit_link(prev, leaf, c->hash[i]);
		e->prev_hash.data = c->prev[i];
		e->prev_hash.len = AUDIT_HASH_LEN;
		e->hash.data = c->hash[i];
		e->hash.len = AUDIT_HASH_LEN;
		memcpy(prev, c->hash[i], AUDIT_HASH_LEN);
	}
}

/* Walks the chain as a verifier does; returns the seq of the first entry
 * that does not check (0 when all do). */
static uint64_t first_bad(const chain *c)
{
	uint8_t prev[AUDIT_HASH_LEN] = { 0 };
	char why[200];

	for (int i = 0; i < N; i++) {
		if (audit_check_entry(&c->e[i], prev, why, sizeof(why)) != 0)
			return c->e[i].seq;
		memcpy(prev, c->e[i].hash.data, AUDIT_HASH_LEN);
	}
	return 0;
}

static void test_good_chain_verifies(void **state)
{
	chain c;
	(void)state;
	build(&c);
	assert_int_equal(first_bad(&c), 0);
}

static void test_changed_entry_is_first_bad(void **state)
{
	chain c;
	(void)state;
	build(&c);
	c.e[3].detail = "change 4, rewritten";
	assert_int_equal(first_bad(&c), 4);
}

static void test_changed_link_is_first_bad(void **state)
{
	chain c;
	(void)state;
	build(&c);
	c.hash[1][0] ^= 1;
	/* Entry 2 no longer hashes to what it says. */
	assert_int_equal(first_bad(&c), 2);
}

static void test_leaf_ignores_chain_fields(void **state)
{
	chain c;
	uint8_t a[AUDIT_HASH_LEN], b[AUDIT_HASH_LEN];
	(void)state;
	build(&c);
	assert_int_equal(audit_leaf(&c.e[2], a), 0);
	c.e[2].hash.len = 0;
	c.e[2].prev_hash.len = 0;
	assert_int_equal(audit_leaf(&c.e[2], b), 0);
	assert_memory_equal(a, b, AUDIT_HASH_LEN);
}

static EVP_PKEY *key_or_skip(void)
{
	const char *certs = getenv("HEARTH_CERTS");
	char path[1024], err[256];
	EVP_PKEY *k;

	snprintf(path, sizeof(path), "%s/audit-ed25519.key", certs && *certs ? certs : "certs/dev");
	k = audit_load_key(path, err, sizeof(err));
	if (!k)
		k = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	assert_non_null(k);
	return k;
}

static void test_checkpoint_signs_and_verifies(void **state)
{
	EVP_PKEY *key = key_or_skip();
	uint8_t pub[AUDIT_KEY_LEN], head[AUDIT_HASH_LEN];
	Hearth__Checkpoint cp = HEARTH__CHECKPOINT__INIT;
	chain c;

	(void)state;
	build(&c);
	memcpy(head, c.hash[N - 1], AUDIT_HASH_LEN);
	assert_int_equal(audit_public_key(key, pub), 0);
	cp.size = N;
	cp.head_hash.data = head;
	cp.head_hash.len = AUDIT_HASH_LEN;
	cp.time = 1767225600999LL;
	assert_int_equal(audit_sign_checkpoint(key, &cp), 0);
	assert_int_equal(cp.signature.len, AUDIT_SIG_LEN);
	assert_int_equal(audit_verify_checkpoint(pub, &cp), 0);

	/* A bad signature fails. */
	cp.signature.data[10] ^= 0x40;
	assert_int_equal(audit_verify_checkpoint(pub, &cp), HEARTH_EAUTH);
	cp.signature.data[10] ^= 0x40;
	/* So does a checkpoint that claims another head, size or time. */
	head[0] ^= 1;
	assert_int_equal(audit_verify_checkpoint(pub, &cp), HEARTH_EAUTH);
	head[0] ^= 1;
	cp.size = N + 1;
	assert_int_equal(audit_verify_checkpoint(pub, &cp), HEARTH_EAUTH);
	cp.size = N;
	cp.time++;
	assert_int_equal(audit_verify_checkpoint(pub, &cp), HEARTH_EAUTH);
	cp.time--;
	/* And another key. */
	{
		EVP_PKEY *other = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
		uint8_t opub[AUDIT_KEY_LEN];
		assert_non_null(other);
		assert_int_equal(audit_public_key(other, opub), 0);
		assert_int_equal(audit_verify_checkpoint(opub, &cp), HEARTH_EAUTH);
		EVP_PKEY_free(other);
	}
	assert_int_equal(audit_verify_checkpoint(pub, &cp), 0);
	free(cp.signature.data);
	EVP_PKEY_free(key);
}

static void test_checkpoint_message_layout(void **state)
{
	uint8_t head[AUDIT_HASH_LEN], msg[128];
	size_t n;
	static const char tag[] = "hearth-checkpoint-v1";

	(void)state;
	memset(head, 0xab, sizeof(head));
	n = audit_checkpoint_message(0x0102030405060708ull, head, 0x1112131415161718ll, msg);
	assert_int_equal(n, sizeof(tag) + 8 + AUDIT_HASH_LEN + 8);
	assert_memory_equal(msg, tag, sizeof(tag));
	assert_int_equal(msg[sizeof(tag)], 0x01);
	assert_int_equal(msg[sizeof(tag) + 7], 0x08);
	assert_memory_equal(msg + sizeof(tag) + 8, head, AUDIT_HASH_LEN);
	assert_int_equal(msg[n - 1], 0x18);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good_chain_verifies),
		cmocka_unit_test(test_changed_entry_is_first_bad),
		cmocka_unit_test(test_changed_link_is_first_bad),
		cmocka_unit_test(test_leaf_ignores_chain_fields),
		cmocka_unit_test(test_checkpoint_signs_and_verifies),
		cmocka_unit_test(test_checkpoint_message_layout),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
