/* test_conflict_queue.c: the index of open conflicts
 * (server/db/conflict_queue.c): pages list every open conflict of a scope
 * once, oldest first (created_at, seq, id) across branches; a closed one
 * leaves the index and the counts; conflict_queue_ensure makes the index
 * of a store from before it, once; sensitive values are stand-ins unless
 * revealed; a page stops at its limit and at CONFLICT_QUEUE_BYTES; a bad
 * limit is refused. A real LMDB store in a temporary directory. */
#define _XOPEN_SOURCE 700
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ftw.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "common/hearth.h"
#include "server/db/conflict_queue.h"
#include "server/db/store.h"

typedef struct fixture {
	char dir[512];
	store s;
} fixture;

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb, (void)flag, (void)ftw;
	return remove(path);
}

static void open_fixture(fixture *f)
{
	const char *base = getenv("HEARTH_TEST_TMP");
	char err[512];

	memset(f, 0, sizeof(*f));
	if (!base || !*base)
		base = "/tmp";
	mkdir(base, 0700);
	snprintf(f->dir, sizeof(f->dir), "%s/cqueue-XXXXXX", base);
	assert_non_null(mkdtemp(f->dir));
	assert_int_equal(store_open(&f->s, f->dir, 256ull << 20, err, sizeof(err)), 0);
}

static void close_fixture(fixture *f)
{
	store_close(&f->s);
	nftw(f->dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* A string field's encoding (tag, length, bytes) into out; its length. */
static size_t string_field(uint8_t *out, uint32_t field, const char *text)
{
	size_t n = 0, len = strlen(text);
	uint32_t key = field << 3 | 2;

	do {
		out[n++] = (uint8_t)((key & 0x7f) | (key > 0x7f ? 0x80 : 0));
		key >>= 7;
	} while (key);
	do {
		out[n++] = (uint8_t)((len & 0x7f) | (len > 0x7f ? 0x80 : 0));
		len >>= 7;
	} while (len);
	memcpy(out + n, text, strlen(text));
	return n + strlen(text);
}

/* Conflict n: in branch, opened at `at`, with sequence seq; one field
 * (number, values as given, already encoded) when vlen. */
typedef struct spec {
	int n;
	const char *branch;
	int64_t at;
	uint64_t seq;
	Hearth__Kind kind;
	uint32_t field;
	const uint8_t *server_value, *op_value;
	size_t server_len, op_len;
} spec;

static void conflict_id(int n, uint8_t id[16])
{
	memset(id, 0, 16);
	id[6] = 0x70;
	id[14] = (uint8_t)(n >> 8);
	id[15] = (uint8_t)n;
}

/* Stores the conflict of sp, open or resolved, as write_conflict does:
 * the conflict and (unless without_index) its index entry in one
 * transaction. A resolved one is first stored open, then closed. */
static void put_conflict(fixture *f, const spec *sp, int open, int without_index)
{
	Hearth__Conflict c = HEARTH__CONFLICT__INIT;
	Hearth__ConflictField cf = HEARTH__CONFLICT_FIELD__INIT, *cfp = &cf;
	uint8_t id[16], *buf;
	size_t len;
	MDB_txn *txn;
	MDB_val k = { 16, id }, v;

	conflict_id(sp->n, id);
	c.id.data = id;
	c.id.len = 16;
	c.record_id.data = id;
	c.record_id.len = 16;
	c.kind = sp->kind ? sp->kind : HEARTH__KIND__KIND_MEMBER;
	c.branch_id = (char *)sp->branch;
	c.state = HEARTH__CONFLICT_STATE__CONFLICT_OPEN;
	c.seq = sp->seq;
	c.created_at = sp->at;
	c.server_by = "甲";
	c.op_by = "乙";
	if (sp->field) {
		cf.field = sp->field;
		cf.server_value.data = (uint8_t *)sp->server_value;
		cf.server_value.len = sp->server_len;
		cf.op_value.data = (uint8_t *)sp->op_value;
		cf.op_value.len = sp->op_len;
		c.fields = &cfp;
		c.n_fields = 1;
	}
	for (int step = 0; step < (open ? 1 : 2); step++) {
		uint64_t old = 0;
		if (step == 1) {
			c.state = HEARTH__CONFLICT_STATE__CONFLICT_RESOLVED;
			old = c.seq;
			c.seq = sp->seq + 1000;
		}
		len = hearth__conflict__get_packed_size(&c);
		buf = malloc(len);
		assert_non_null(buf);
		hearth__conflict__pack(&c, buf);
		v.mv_size = len;
		v.mv_data = buf;
		assert_int_equal(mdb_txn_begin(f->s.env, NULL, 0, &txn), 0);
		assert_int_equal(mdb_put(txn, f->s.conflicts, &k, &v, 0), 0);
		if (!without_index)
			assert_int_equal(conflict_queue_track(&f->s, txn, &c, old), 0);
		assert_int_equal(mdb_txn_commit(txn), 0);
		free(buf);
	}
}

/* Every page of sc with the given limit: the conflicts' numbers (id[15])
 * in order into got (at most cap), the count; *total the last open_total. */
static size_t list_all(fixture *f, const store_scope *sc, uint32_t limit, int *got, size_t cap, uint64_t *total,
                       size_t *pages)
{
	uint8_t after[CONFLICT_QUEUE_CURSOR];
	int has_after = 0;
	size_t n = 0;

	*pages = 0;
	for (int guard = 0; guard < 1000; guard++) {
		conflict_queue_page p;
		MDB_txn *txn;

		assert_int_equal(mdb_txn_begin(f->s.env, NULL, MDB_RDONLY, &txn), 0);
		assert_int_equal(conflict_queue_read(&f->s, txn,
		                                     &(conflict_queue_args){ .scope = sc, .after = has_after ? after : NULL,
		                                                             .limit = limit },
		                                     &p),
		                 0);
		mdb_txn_abort(txn);
		(*pages)++;
		*total = p.open_total;
		for (size_t i = 0; i < p.n; i++) {
			assert_true(n < cap);
			got[n++] = p.conflicts[i]->id.data[15] | p.conflicts[i]->id.data[14] << 8;
		}
		has_after = p.has_next;
		memcpy(after, p.next, sizeof(after));
		conflict_queue_page_free(&p);
		if (!has_after)
			return n;
	}
	fail_msg("the pages never ended");
	return n;
}

static const spec specs[] = {
	{ .n = 1, .branch = "b2", .at = 1000, .seq = 10 },
	{ .n = 2, .branch = "b1", .at = 1000, .seq = 11 },   /* same ms: seq decides */
	{ .n = 3, .branch = "b1", .at = 900, .seq = 12 },    /* older though written later */
	{ .n = 4, .branch = "b3", .at = 2000, .seq = 13 },
	{ .n = 5, .branch = "b2", .at = 3000, .seq = 14 },
	{ .n = 6, .branch = "b1", .at = -5, .seq = 15 },     /* a clock before 1970 sorts first */
	{ .n = 7, .branch = "b3", .at = 3000, .seq = 16 },
};
static const int order_all[] = { 6, 3, 1, 2, 4, 5, 7 };

static void put_specs(fixture *f, int without_index)
{
	for (size_t i = 0; i < HEARTH_ARRAY_LEN(specs); i++)
		put_conflict(f, &specs[i], 1, without_index);
}

static void check_order(const int *got, size_t n, const int *want, size_t nwant)
{
	assert_int_equal(n, nwant);
	for (size_t i = 0; i < n; i++)
		if (got[i] != want[i])
			fail_msg("position %zu: conflict %d, expected %d", i, got[i], want[i]);
}

/* Every limit from 1 to past the count gives every conflict once, in
 * queue order, and the pages the limit implies. */
static void test_order_and_paging(void **state)
{
	fixture f;
	store_scope all = { .all = 1 };
	int got[32];
	uint64_t total;
	size_t n, pages;

	(void)state;
	open_fixture(&f);
	put_specs(&f, 0);
	for (uint32_t limit = 1; limit <= 8; limit++) {
		n = list_all(&f, &all, limit, got, 32, &total, &pages);
		check_order(got, n, order_all, HEARTH_ARRAY_LEN(order_all));
		assert_int_equal(total, 7);
		assert_int_equal(pages, (7 + limit - 1) / limit);
	}
	close_fixture(&f);
}

/* A scope of branches merges their runs in the same order; one branch
 * lists its own; the totals are the scope's. */
static void test_scopes(void **state)
{
	fixture f;
	store_scope two = { .n = 2 }, one = { .n = 1 }, none = { .n = 1 };
	static const int want_two[] = { 6, 3, 1, 2, 5 }, want_one[] = { 4, 7 };
	int got[32];
	uint64_t total;
	size_t n, pages;

	(void)state;
	snprintf(two.ids[0], sizeof(two.ids[0]), "b2");
	snprintf(two.ids[1], sizeof(two.ids[1]), "b1");
	snprintf(one.ids[0], sizeof(one.ids[0]), "b3");
	snprintf(none.ids[0], sizeof(none.ids[0]), "b9");
	open_fixture(&f);
	put_specs(&f, 0);
	n = list_all(&f, &two, 2, got, 32, &total, &pages);
	check_order(got, n, want_two, HEARTH_ARRAY_LEN(want_two));
	assert_int_equal(total, 5);
	n = list_all(&f, &one, 500, got, 32, &total, &pages);
	check_order(got, n, want_one, HEARTH_ARRAY_LEN(want_one));
	assert_int_equal(total, 2);
	assert_int_equal(pages, 1);
	n = list_all(&f, &none, 500, got, 32, &total, &pages);
	assert_int_equal(n, 0);
	assert_int_equal(total, 0);
	close_fixture(&f);
}

/* A resolved conflict leaves the queue and the counts. */
static void test_close_leaves(void **state)
{
	fixture f;
	store_scope all = { .all = 1 }, b1 = { .n = 1 };
	static const int want[] = { 6, 1, 2, 4, 5, 7 };
	int got[32];
	uint64_t total;
	size_t n, pages;

	(void)state;
	snprintf(b1.ids[0], sizeof(b1.ids[0]), "b1");
	open_fixture(&f);
	put_specs(&f, 0);
	put_conflict(&f, &specs[2], 0, 0);   /* conflict 3 resolved */
	n = list_all(&f, &all, 3, got, 32, &total, &pages);
	check_order(got, n, want, HEARTH_ARRAY_LEN(want));
	assert_int_equal(total, 6);
	n = list_all(&f, &b1, 3, got, 32, &total, &pages);
	assert_int_equal(n, 2);
	assert_int_equal(total, 2);
	close_fixture(&f);
}

/* A store from before the index: ensure makes it from the stored
 * conflicts (open ones only), once. */
static void test_ensure_builds_once(void **state)
{
	fixture f;
	store_scope all = { .all = 1 };
	static const spec closed = { .n = 9, .branch = "b1", .at = 1, .seq = 20 };
	int got[32], built = -1;
	uint64_t total;
	size_t n, pages;
	MDB_txn *txn;

	(void)state;
	open_fixture(&f);
	put_specs(&f, 1);
	put_conflict(&f, &closed, 0, 1);
	n = list_all(&f, &all, 500, got, 32, &total, &pages);
	assert_int_equal(n, 0);   /* nothing indexed yet */
	assert_int_equal(mdb_txn_begin(f.s.env, NULL, 0, &txn), 0);
	assert_int_equal(conflict_queue_ensure(&f.s, txn, &built), 0);
	assert_int_equal(built, 1);
	assert_int_equal(mdb_txn_commit(txn), 0);
	n = list_all(&f, &all, 2, got, 32, &total, &pages);
	check_order(got, n, order_all, HEARTH_ARRAY_LEN(order_all));
	assert_int_equal(total, 7);
	assert_int_equal(mdb_txn_begin(f.s.env, NULL, 0, &txn), 0);
	assert_int_equal(conflict_queue_ensure(&f.s, txn, &built), 0);
	assert_int_equal(built, 0);
	assert_int_equal(mdb_txn_commit(txn), 0);
	close_fixture(&f);
}

static Hearth__Conflict *first(fixture *f, int reveal, conflict_queue_page *p)
{
	store_scope all = { .all = 1 };
	MDB_txn *txn;

	assert_int_equal(mdb_txn_begin(f->s.env, NULL, MDB_RDONLY, &txn), 0);
	assert_int_equal(conflict_queue_read(&f->s, txn, &(conflict_queue_args){ .scope = &all, .limit = 10, .reveal = reveal }, p), 0);
	mdb_txn_abort(txn);
	assert_int_equal(p->n, 1);
	assert_int_equal(p->masked, !reveal);
	return p->conflicts[0];
}

/* Sensitive text becomes its stand-in, a sensitive amount a zero that
 * is still there; revealed, both are as stored; the revealed fields are
 * named. */
static void test_masking(void **state)
{
	fixture f;
	uint8_t sv[64], ov[64], want[64], money[3] = { 5 << 3, 0x90, 0x01 }, zero[2] = { 5 << 3, 0 };
	size_t sl = string_field(sv, 5, "110101199001011237"), ol = string_field(ov, 5, "44030519900101301X"), wl;
	conflict_queue_page p;
	Hearth__Conflict *c;
	const char *names[4];

	(void)state;
	open_fixture(&f);
	put_conflict(&f, &(spec){ .n = 1, .branch = "b1", .at = 1, .seq = 1, .field = 5, .server_value = sv,
	                          .server_len = sl, .op_value = ov, .op_len = ol },
	             1, 0);
	c = first(&f, 0, &p);
	wl = string_field(want, 5, "100000000000000007");
	assert_int_equal(c->fields[0]->server_value.len, wl);
	assert_memory_equal(c->fields[0]->server_value.data, want, wl);
	wl = string_field(want, 5, "40000000000000000X");
	assert_memory_equal(c->fields[0]->op_value.data, want, wl);
	assert_int_equal(conflict_queue_revealed_fields(c, names, 4), 1);
	assert_string_equal(names[0], "id_card");
	conflict_queue_page_free(&p);
	c = first(&f, 1, &p);
	assert_memory_equal(c->fields[0]->server_value.data, sv, sl);
	assert_memory_equal(c->fields[0]->op_value.data, ov, ol);
	conflict_queue_page_free(&p);
	close_fixture(&f);

	/* 家庭人均月收入 (hardship field 5, money): 144 fen becomes 0, kept. */
	open_fixture(&f);
	put_conflict(&f, &(spec){ .n = 1, .branch = "b1", .at = 1, .seq = 1, .kind = HEARTH__KIND__KIND_HARDSHIP,
	                          .field = 5, .server_value = money, .server_len = 3 },
	             1, 0);
	c = first(&f, 0, &p);
	assert_int_equal(c->fields[0]->server_value.len, 2);
	assert_memory_equal(c->fields[0]->server_value.data, zero, 2);
	assert_int_equal(c->fields[0]->op_value.len, 0);   /* empty stays empty */
	conflict_queue_page_free(&p);
	close_fixture(&f);
}

/* A page stops before CONFLICT_QUEUE_BYTES, and the next one goes on. */
static void test_byte_budget(void **state)
{
	fixture f;
	store_scope all = { .all = 1 };
	static char text[30001];
	static uint8_t big[30100];
	size_t bl, n, pages;
	int got[64];
	uint64_t total;

	(void)state;
	memset(text, 'x', sizeof(text) - 1);
	bl = string_field(big, 999, text);   /* a field of no rule: not sensitive */
	open_fixture(&f);
	for (int i = 1; i <= 60; i++)
		put_conflict(&f, &(spec){ .n = i, .branch = "b1", .at = i, .seq = (uint64_t)i, .field = 999,
		                          .server_value = big, .server_len = bl },
		             1, 0);
	n = list_all(&f, &all, 500, got, 64, &total, &pages);
	assert_int_equal(n, 60);
	assert_int_equal(pages, 2);   /* 60 x 30 kB is past 1 MiB */
	for (int i = 0; i < 60; i++)
		assert_int_equal(got[i], i + 1);
	close_fixture(&f);
}

static void test_bad_limit(void **state)
{
	fixture f;
	store_scope all = { .all = 1 };
	conflict_queue_page p;
	MDB_txn *txn;

	(void)state;
	open_fixture(&f);
	assert_int_equal(mdb_txn_begin(f.s.env, NULL, MDB_RDONLY, &txn), 0);
	assert_int_equal(conflict_queue_read(&f.s, txn, &(conflict_queue_args){ .scope = &all, .limit = 0 }, &p),
	                 HEARTH_EINVAL);
	assert_int_equal(conflict_queue_read(&f.s, txn,
	                                     &(conflict_queue_args){ .scope = &all, .limit = CONFLICT_QUEUE_LIMIT + 1 }, &p),
	                 HEARTH_EINVAL);
	mdb_txn_abort(txn);
	close_fixture(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_order_and_paging),
		cmocka_unit_test(test_scopes),
		cmocka_unit_test(test_close_leaves),
		cmocka_unit_test(test_ensure_builds_once),
		cmocka_unit_test(test_masking),
		cmocka_unit_test(test_byte_budget),
		cmocka_unit_test(test_bad_limit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
