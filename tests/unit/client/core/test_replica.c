/* test_client_replica.c: the local replica keeps edits, push results, pull pages, conflicts and the cursor consistent, each in one transaction. */
#define _XOPEN_SOURCE 700
#include <ctype.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ftw.h>
#include <unistd.h>
#include <sys/wait.h>

#include <cmocka.h>
#include <openssl/sha.h>

#include "common/hearth.h"
#include "common/record.h"
#include "client/core/replica.h"
#include "client/core/replica_sync.h"
#include "client/core/replica_digest.h"
#include "client/core/replica_handle.h"
#include "client/core/replica_meta.h"
#include "client/core/replica_conflicts.h"
#include "client/core/replica_rejected.h"
#include "common/uuid.h"

typedef struct fixture {
	char dir[512];
	replica r;
} fixture;

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static int setup(void **state)
{
	fixture *f = calloc(1, sizeof(*f));
	const char *base = getenv("HEARTH_TEST_TMP");
	char err[512];

	assert_non_null(f);
	if (!base || !*base)
		base = "/tmp";
	mkdir(base, 0700);
	snprintf(f->dir, sizeof(f->dir), "%s/replica-XXXXXX", base);
	assert_non_null(mkdtemp(f->dir));
	assert_int_equal(replica_open(&f->r, f->dir, err, sizeof(err)), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	fixture *f = *state;
	replica_close(&f->r);
	nftw(f->dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	free(f);
	return 0;
}

/* A heap record (free with hearth__record__free_unpacked) of a member. */
static Hearth__Record *member(const uint8_t id[16], const char *branch, const char *name,
                              const char *phone, uint64_t rev, uint64_t seq)
{
	Hearth__Member m = HEARTH__MEMBER__INIT;
	Hearth__Record rec = HEARTH__RECORD__INIT;
	uint8_t buf[4096];
	size_t n;

	m.name = (char *)name;
	m.phone = (char *)phone;
	rec.id.data = (uint8_t *)id;
	rec.id.len = 16;
	rec.kind = HEARTH__KIND__KIND_MEMBER;
	rec.branch_id = (char *)branch;
	rec.rev = rev;
	rec.seq = seq;
	rec.updated_at = rev ? 1700000000000 + (int64_t)rev : 0;
	rec.body_case = HEARTH__RECORD__BODY_MEMBER;
	rec.member = &m;
	n = hearth__record__pack(&rec, buf);
	assert_true(n < sizeof(buf));
	return hearth__record__unpack(NULL, n, buf);
}

static void new_id(uint8_t id[16])
{
	assert_int_equal(uuid_v7(id), 0);
}

static void edit(fixture *f, const uint8_t id[16], const char *name, const char *phone, int create)
{
	Hearth__Record *rec = member(id, "b001", name, phone, 0, 0);
	char err[512] = "";
	int rc = replica_edit(&f->r, rec, create, err, sizeof(err));
	if (rc != 0)
		fail_msg("replica_edit: %s", err);
	hearth__record__free_unpacked(rec, NULL);
}

static uint64_t pending(fixture *f)
{
	replica_status st;
	assert_int_equal(replica_status_get(&f->r, &st), 0);
	return st.pending_ops;
}

/* Applies a pull page of the given records (server copies) and conflicts. */
static void pull(fixture *f, Hearth__Record **recs, size_t n, Hearth__Conflict **cs, size_t nc,
                 uint64_t cursor)
{
	Hearth__PullResponse page = HEARTH__PULL_RESPONSE__INIT;
	char err[512] = "";
	page.records = recs;
	page.n_records = n;
	page.conflicts = cs;
	page.n_conflicts = nc;
	page.cursor = cursor;
	if (replica_apply_pull(&f->r, &page, err, sizeof(err)) != 0)
		fail_msg("replica_apply_pull: %s", err);
}

static void expect_view(fixture *f, const uint8_t id[16], const char *name, const char *phone)
{
	Hearth__Record *v = NULL;
	assert_int_equal(replica_get(&f->r, id, &v), 0);
	assert_int_equal(v->body_case, HEARTH__RECORD__BODY_MEMBER);
	assert_string_equal(v->member->name, name);
	assert_string_equal(v->member->phone, phone);
	hearth__record__free_unpacked(v, NULL);
}

static int has_field(const Hearth__Op *op, uint32_t f)
{
	for (size_t i = 0; i < op->n_changed_fields; i++)
		if (op->changed_fields[i] == f)
			return 1;
	return 0;
}

static void test_client_edit_appends_op(void **state)
{
	fixture *f = *state;
	uint8_t id[16];
	Hearth__Op **ops;
	uint64_t *keys;
	size_t n;
	Hearth__Record *rec;
	char err[512];

	new_id(id);
	edit(f, id, "张三", "13800138000", 1);
	assert_int_equal(pending(f), 1);
	assert_int_equal(replica_next_batch(&f->r, 10, &ops, &keys, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(ops[0]->base_rev, 0);
	assert_int_equal(ops[0]->op_id.len, 16);
	assert_int_equal(ops[0]->n_changed_fields, 2);
	assert_true(has_field(ops[0], 1) && has_field(ops[0], 14));
	assert_memory_equal(ops[0]->record->id.data, id, 16);
	assert_int_equal(ops[0]->record->rev, 0);
	assert_string_equal(ops[0]->record->member->name, "张三");
	replica_ops_free(ops, keys, n);

	/* Creating it again, or an edit that changes nothing, is refused. */
	rec = member(id, "b001", "张三", "13800138000", 0, 0);
	assert_int_equal(replica_edit(&f->r, rec, 1, err, sizeof(err)), HEARTH_EEXIST);
	assert_int_equal(replica_edit(&f->r, rec, 0, err, sizeof(err)), HEARTH_EINVAL);
	assert_non_null(strstr(err, "nothing to change"));
	hearth__record__free_unpacked(rec, NULL);
	assert_int_equal(pending(f), 1);
	expect_view(f, id, "张三", "13800138000");
}

/* The generation moves with every write, by this handle or another, and
 * with nothing else: 首页's kept answer (web_api.c) is keyed on it. */
static void test_client_generation_moves_with_writes(void **state)
{
	fixture *f = *state;
	uint64_t g0, g1, g2, g3;
	uint8_t id[16];
	char err[512];
	replica other;

	assert_int_equal(replica_generation(&f->r, &g0), 0);
	assert_int_equal(replica_generation(&f->r, &g1), 0);
	assert_true(g0 == g1);
	/* Reading and opening again change nothing. */
	assert_int_equal(replica_open(&other, f->dir, err, sizeof(err)), 0);
	assert_int_equal(pending(f), 0);
	assert_int_equal(replica_generation(&other, &g1), 0);
	assert_true(g1 == g0);
	new_id(id);
	edit(f, id, "张三", "13800138000", 1);
	assert_int_equal(replica_generation(&f->r, &g2), 0);
	assert_true(g2 > g1);
	/* Another handle (as a CLI command beside hearth ui) sees it, and its
	 * own write moves it for this one. */
	assert_int_equal(replica_generation(&other, &g3), 0);
	assert_true(g3 == g2);
	assert_int_equal(replica_set_last_sync(&other, 1234), 0);
	replica_close(&other);
	assert_int_equal(replica_generation(&f->r, &g3), 0);
	assert_true(g3 > g2);
}

static void test_client_second_edit_waits_and_rebases(void **state)
{
	fixture *f = *state;
	uint8_t id[16];
	Hearth__Op **ops, **ops2;
	uint64_t *keys, *keys2;
	size_t n, n2;
	Hearth__OpResult res = HEARTH__OP_RESULT__INIT;
	Hearth__Record *stored;
	char err[512] = "";

	new_id(id);
	edit(f, id, "张三", "13800138000", 1);
	edit(f, id, "张三丰", "13800138000", 0);
	assert_int_equal(pending(f), 2);
	assert_int_equal(replica_next_batch(&f->r, 10, &ops, &keys, &n), 0);
	assert_int_equal(n, 1);  /* one op per record per batch */
	assert_string_equal(ops[0]->record->member->name, "张三");

	stored = member(id, "b001", "张三", "13800138000", 1, 7);
	res.op_id = ops[0]->op_id;
	res.status = HEARTH__OP_STATUS__OP_APPLIED;
	res.rev = 1;
	res.seq = 7;
	res.record = stored;
	if (replica_apply_result(&f->r, keys[0], ops[0], &res, err, sizeof(err)) != 0)
		fail_msg("apply_result: %s", err);
	replica_ops_free(ops, keys, n);
	hearth__record__free_unpacked(stored, NULL);

	assert_int_equal(pending(f), 1);
	assert_int_equal(replica_next_batch(&f->r, 10, &ops2, &keys2, &n2), 0);
	assert_int_equal(n2, 1);
	assert_int_equal(ops2[0]->base_rev, 1);
	assert_int_equal(ops2[0]->n_changed_fields, 1);
	assert_int_equal(ops2[0]->changed_fields[0], 1);
	replica_ops_free(ops2, keys2, n2);

	assert_int_equal(replica_get_server(&f->r, id, &stored), 0);
	assert_int_equal(stored->rev, 1);
	assert_string_equal(stored->member->name, "张三");
	hearth__record__free_unpacked(stored, NULL);
	expect_view(f, id, "张三丰", "13800138000");
}

static void test_client_applied_drops_local_copy(void **state)
{
	fixture *f = *state;
	uint8_t id[16];
	Hearth__Op **ops;
	uint64_t *keys;
	size_t n;
	Hearth__OpResult res = HEARTH__OP_RESULT__INIT;
	Hearth__Record *stored;
	char err[512] = "";
	uint8_t *exact;
	size_t exact_len;

	new_id(id);
	edit(f, id, "李四", "", 1);
	assert_int_equal(replica_next_batch(&f->r, 10, &ops, &keys, &n), 0);
	stored = member(id, "b001", "李四", "", 1, 3);
	stored->updated_by_name = "王书记";
	res.op_id = ops[0]->op_id;
	res.status = HEARTH__OP_STATUS__OP_MERGED;
	res.rev = 1;
	res.record = stored;
	assert_int_equal(replica_apply_result(&f->r, keys[0], ops[0], &res, err, sizeof(err)), 0);
	/* Applying the same result twice finds no op. */
	assert_int_equal(replica_apply_result(&f->r, keys[0], ops[0], &res, err, sizeof(err)),
	                 HEARTH_ENOTFOUND);
	replica_ops_free(ops, keys, n);
	assert_int_equal(pending(f), 0);

	/* The view is now the server copy, stored as the exact packed bytes. */
	exact_len = hearth__record__get_packed_size(stored);
	exact = malloc(exact_len);
	hearth__record__pack(stored, exact);
	stored->updated_by_name = (char *)protobuf_c_empty_string;
	hearth__record__free_unpacked(stored, NULL);
	assert_int_equal(replica_get(&f->r, id, &stored), 0);
	assert_string_equal(stored->updated_by_name, "王书记");
	assert_int_equal(hearth__record__get_packed_size(stored), exact_len);
	hearth__record__free_unpacked(stored, NULL);
	free(exact);
}

static void test_client_pull_rebases_local_view(void **state)
{
	fixture *f = *state;
	uint8_t id[16];
	Hearth__Record *s1, *s2;
	Hearth__Op **ops;
	uint64_t *keys;
	size_t n;

	new_id(id);
	s1 = member(id, "b001", "王五", "13900000000", 1, 10);
	pull(f, &s1, 1, NULL, 0, 10);
	expect_view(f, id, "王五", "13900000000");

	edit(f, id, "王五一", "13900000000", 0);  /* local: name */
	s2 = member(id, "b001", "王五", "13911111111", 2, 11);  /* server: phone */
	pull(f, &s2, 1, NULL, 0, 11);
	expect_view(f, id, "王五一", "13911111111");

	/* The pending op still says rev 1 and name only. */
	assert_int_equal(replica_next_batch(&f->r, 10, &ops, &keys, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(ops[0]->base_rev, 1);
	assert_int_equal(ops[0]->n_changed_fields, 1);
	assert_int_equal(ops[0]->changed_fields[0], 1);
	replica_ops_free(ops, keys, n);

	/* An older copy arriving late does not replace a newer one. */
	pull(f, &s1, 1, NULL, 0, 11);
	expect_view(f, id, "王五一", "13911111111");
	hearth__record__free_unpacked(s1, NULL);
	hearth__record__free_unpacked(s2, NULL);
}

/* A rejected op keeps what was typed (issue 13 item 1): the op and the
 * local copy stay, marked; the op is not sent again as it is; an edit
 * re-queues it as one op; a discard drops it on purpose. */
static void test_client_rejected_keeps_change(void **state)
{
	fixture *f = *state;
	uint8_t id[16], id2[16];
	Hearth__Record *s1, *gone = NULL;
	Hearth__Op **ops;
	uint64_t *keys;
	size_t n;
	Hearth__OpResult res = HEARTH__OP_RESULT__INIT;
	Hearth__Error e = HEARTH__ERROR__INIT;
	replica_rejected_item it;
	replica_status st;
	char err[512] = "";

	new_id(id);
	s1 = member(id, "b001", "赵六", "13900000000", 1, 5);
	pull(f, &s1, 1, NULL, 0, 5);
	hearth__record__free_unpacked(s1, NULL);
	edit(f, id, "赵六六", "13900000000", 0);
	new_id(id2);
	edit(f, id2, "孙七", "", 1);
	assert_int_equal(replica_next_batch(&f->r, 10, &ops, &keys, &n), 0);
	assert_int_equal(n, 2);
	e.code = HEARTH__ERROR_CODE__ERR_INVALID;
	e.message = "name is too long";
	e.field = "name";
	for (size_t i = 0; i < n; i++) {
		res.op_id = ops[i]->op_id;
		res.status = HEARTH__OP_STATUS__OP_REJECTED;
		res.error = &e;
		assert_int_equal(replica_apply_result(&f->r, keys[i], ops[i], &res, err, sizeof(err)), 0);
	}
	replica_ops_free(ops, keys, n);
	assert_int_equal(pending(f), 0);
	assert_int_equal(replica_status_get(&f->r, &st), 0);
	assert_int_equal(st.rejected, 2);
	assert_int_equal(st.rejected_ops, 2);
	expect_view(f, id, "赵六六", "13900000000");
	assert_int_equal(replica_get(&f->r, id2, &gone), 0);
	hearth__record__free_unpacked(gone, NULL);
	assert_int_equal(replica_rejected_get(&f->r, id, &it), 0);
	assert_string_equal(it.reason, "name is too long");
	assert_string_equal(it.field, "name");
	assert_int_equal(it.server_rev, 1);
	assert_int_equal(it.n_ops, 1);
	assert_int_equal(it.has_clash, 0);
	/* Not sent again as it is. */
	assert_int_equal(replica_next_batch(&f->r, 10, &ops, &keys, &n), 0);
	assert_int_equal(n, 0);
	replica_ops_free(ops, keys, n);
	/* An edit re-queues it as one op against the server copy. */
	edit(f, id, "赵六", "13911111111", 0);
	assert_int_equal(replica_rejected_get(&f->r, id, &it), HEARTH_ENOTFOUND);
	assert_int_equal(replica_next_batch(&f->r, 10, &ops, &keys, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(ops[0]->base_rev, 1);
	assert_int_equal(ops[0]->n_changed_fields, 1);
	replica_ops_free(ops, keys, n);
	/* A discard drops a rejected create on purpose: nothing is left. */
	assert_int_equal(replica_rejected_discard(&f->r, id2, &it, err, sizeof(err)), 0);
	assert_int_equal(it.server_rev, 0);
	assert_int_equal(replica_get(&f->r, id2, &gone), HEARTH_ENOTFOUND);
	assert_int_equal(replica_rejected_discard(&f->r, id2, &it, err, sizeof(err)), HEARTH_ENOTFOUND);
	assert_int_equal(replica_status_get(&f->r, &st), 0);
	assert_int_equal(st.rejected, 0);
	assert_int_equal(st.pending_ops, 1);
}

/* The server names the record a uniqueness clash is with only in its
 * message text; the record's own id there is not a clash. */
static void test_client_rejected_clash_id(void **state)
{
	uint8_t self[16], other[16], got[16];
	char self_t[UUID_TEXT_LEN + 1], other_t[UUID_TEXT_LEN + 1], msg[300];

	(void)state;
	new_id(self);
	new_id(other);
	uuid_format(self, self_t);
	uuid_format(other, other_t);
	snprintf(msg, sizeof(msg), "record %s: dues for member x in 2026-09 already exist (record %s)",
	         self_t, other_t);
	assert_int_equal(replica_rejected_clash(msg, self, got), 1);
	assert_memory_equal(got, other, 16);
	snprintf(msg, sizeof(msg), "record %s: members %s: no such member in branch b001", self_t, other_t);
	assert_int_equal(replica_rejected_clash(msg, self, got), 0);
	snprintf(msg, sizeof(msg), "(record %s)", self_t);
	assert_int_equal(replica_rejected_clash(msg, self, got), 0);
	assert_int_equal(replica_rejected_clash("(record 1234)", self, got), 0);
}

static Hearth__Conflict *conflict(const uint8_t cid[16], const uint8_t rid[16],
                                  Hearth__ConflictState state, uint64_t seq)
{
	Hearth__Conflict c = HEARTH__CONFLICT__INIT;
	Hearth__ConflictField cf = HEARTH__CONFLICT_FIELD__INIT, *cfp = &cf;
	uint8_t sv[] = { 0x0a, 3, 'a', 'b', 'c' }, ov[] = { 0x0a, 3, 'x', 'y', 'z' };
	uint8_t buf[1024];
	size_t n;

	c.id.data = (uint8_t *)cid;
	c.id.len = 16;
	c.record_id.data = (uint8_t *)rid;
	c.record_id.len = 16;
	c.kind = HEARTH__KIND__KIND_MEMBER;
	c.branch_id = "b001";
	c.state = state;
	c.seq = seq;
	c.created_at = 1700000000000 + (int64_t)seq;
	cf.field = 1;
	cf.name = "name";
	cf.server_value.data = sv;
	cf.server_value.len = sizeof(sv);
	cf.op_value.data = ov;
	cf.op_value.len = sizeof(ov);
	c.fields = &cfp;
	c.n_fields = 1;
	n = hearth__conflict__pack(&c, buf);
	return hearth__conflict__unpack(NULL, n, buf);
}

static int count_conflict(void *ctx, const Hearth__Conflict *c)
{
	(void)c;
	(*(int *)ctx)++;
	return 0;
}

static int n_conflicts(fixture *f)
{
	int n = 0;
	assert_int_equal(replica_each_conflict(&f->r, count_conflict, &n), 0);
	return n;
}

static void test_client_conflicts_stored_and_dropped(void **state)
{
	fixture *f = *state;
	uint8_t rid[16], cid[16];
	char text[UUID_TEXT_LEN + 1], err[512];
	Hearth__Conflict *open_c, *done_c, *got = NULL;
	Hearth__Record *s1;

	new_id(rid);
	new_id(cid);
	s1 = member(rid, "b001", "abc", "", 2, 20);
	open_c = conflict(cid, rid, HEARTH__CONFLICT_STATE__CONFLICT_OPEN, 21);
	pull(f, &s1, 1, &open_c, 1, 21);
	assert_int_equal(n_conflicts(f), 1);
	uuid_format(cid, text);
	text[13] = '\0';  /* a prefix */
	assert_int_equal(replica_get_conflict(&f->r, text, &got, err, sizeof(err)), 0);
	assert_memory_equal(got->id.data, cid, 16);
	assert_int_equal(got->n_fields, 1);
	hearth__conflict__free_unpacked(got, NULL);
	assert_int_equal(replica_get_conflict(&f->r, "ab", &got, err, sizeof(err)), HEARTH_EINVAL);

	done_c = conflict(cid, rid, HEARTH__CONFLICT_STATE__CONFLICT_RESOLVED, 22);
	pull(f, NULL, 0, &done_c, 1, 22);
	assert_int_equal(n_conflicts(f), 0);
	hearth__conflict__free_unpacked(open_c, NULL);
	hearth__conflict__free_unpacked(done_c, NULL);
	hearth__record__free_unpacked(s1, NULL);
}

/* A conflict of another branch than the replica's scope is not stored: it
 * would hold every sync at "open conflicts" (issue 12 item 14). */
static void test_client_foreign_conflict_ignored(void **state)
{
	fixture *f = *state;
	uint8_t rid[16], cid[16];
	Hearth__Conflict *c;

	new_id(rid);
	new_id(cid);
	assert_int_equal(replica_meta_set_str(&f->r, "scope", "b002"), 0);
	c = conflict(cid, rid, HEARTH__CONFLICT_STATE__CONFLICT_OPEN, 5);
	pull(f, NULL, 0, &c, 1, 5);
	assert_int_equal(n_conflicts(f), 0);
	assert_int_equal(replica_meta_set_str(&f->r, "scope", "b001"), 0);
	pull(f, NULL, 0, &c, 1, 6);
	assert_int_equal(n_conflicts(f), 1);
	hearth__conflict__free_unpacked(c, NULL);
}

static void test_client_resolve_is_an_op(void **state)
{
	fixture *f = *state;
	uint8_t rid[16], cid[16];
	Hearth__Conflict *open_c;
	Hearth__Record *s1, *chosen;
	Hearth__Op **ops;
	uint64_t *keys;
	size_t n;
	char err[512] = "";

	new_id(rid);
	new_id(cid);
	s1 = member(rid, "b001", "abc", "13900000000", 2, 20);
	open_c = conflict(cid, rid, HEARTH__CONFLICT_STATE__CONFLICT_OPEN, 21);
	pull(f, &s1, 1, &open_c, 1, 21);
	chosen = member(rid, "b001", "xyz", "13900000000", 0, 0);
	if (replica_resolve(&f->r, open_c, chosen, 0, err, sizeof(err)) != 0)
		fail_msg("replica_resolve: %s", err);
	assert_int_equal(n_conflicts(f), 0);
	expect_view(f, rid, "xyz", "13900000000");
	assert_int_equal(replica_next_batch(&f->r, 10, &ops, &keys, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(ops[0]->base_rev, 2);
	assert_int_equal(ops[0]->resolves.len, 16);
	assert_memory_equal(ops[0]->resolves.data, cid, 16);
	assert_true(has_field(ops[0], 1));
	assert_false(ops[0]->delete_);
	replica_ops_free(ops, keys, n);

	/* While the resolution waits to be pushed, a pull does not reopen it. */
	pull(f, NULL, 0, &open_c, 1, 21);
	assert_int_equal(n_conflicts(f), 0);
	hearth__conflict__free_unpacked(open_c, NULL);
	hearth__record__free_unpacked(s1, NULL);
	hearth__record__free_unpacked(chosen, NULL);
}

static void test_client_cursor_moves_with_page(void **state)
{
	fixture *f = *state;
	uint64_t cursor;
	uint8_t id[16];
	Hearth__Record *s1;

	assert_int_equal(replica_cursor(&f->r, &cursor), 0);
	assert_int_equal(cursor, 0);
	new_id(id);
	s1 = member(id, "b001", "周八", "", 1, 42);
	pull(f, &s1, 1, NULL, 0, 42);
	hearth__record__free_unpacked(s1, NULL);
	assert_int_equal(replica_cursor(&f->r, &cursor), 0);
	assert_int_equal(cursor, 42);
	/* An empty page never moves it backwards. */
	pull(f, NULL, 0, NULL, 0, 0);
	assert_int_equal(replica_cursor(&f->r, &cursor), 0);
	assert_int_equal(cursor, 42);
}

/* A page that does not fit the map fails whole: no record of it and no
 * cursor move, and the failure is HEARTH_EFULL. */
static void test_client_page_is_one_transaction(void **state)
{
	fixture *f = *state;
	replica small;
	char dir[600], err[512];
	enum { N = 400 };
	Hearth__Record *recs[N];
	Hearth__PullResponse page = HEARTH__PULL_RESPONSE__INIT;
	static char notes[4001];
	uint64_t cursor;
	replica_status st;

	snprintf(dir, sizeof(dir), "%s/small", f->dir);
	setenv("HEARTH_REPLICA_MAP", "1M", 1);
	assert_int_equal(replica_open(&small, dir, err, sizeof(err)), 0);
	unsetenv("HEARTH_REPLICA_MAP");
	memset(notes, 'n', sizeof(notes) - 1);
	for (int i = 0; i < N; i++) {
		uint8_t id[16];
		new_id(id);
		recs[i] = member(id, "b001", "x", "", 1, (uint64_t)i + 1);
		recs[i]->member->notes = strdup(notes);
	}
	page.records = recs;
	page.n_records = N;
	page.cursor = N;
	assert_int_equal(replica_apply_pull(&small, &page, err, sizeof(err)), HEARTH_EFULL);
	assert_non_null(strstr(err, "HEARTH_REPLICA_MAP"));
	assert_int_equal(replica_cursor(&small, &cursor), 0);
	assert_int_equal(cursor, 0);
	assert_int_equal(replica_status_get(&small, &st), 0);
	assert_int_equal(st.records, 0);
	/* Half the page fits. */
	page.n_records = 20;
	page.cursor = 20;
	assert_int_equal(replica_apply_pull(&small, &page, err, sizeof(err)), 0);
	assert_int_equal(replica_status_get(&small, &st), 0);
	assert_int_equal(st.records, 20);
	assert_int_equal(st.cursor, 20);
	for (int i = 0; i < N; i++)
		hearth__record__free_unpacked(recs[i], NULL);
	replica_close(&small);
}

static void test_client_digest_of_server_copies(void **state)
{
	fixture *f = *state;
	Hearth__Record *recs[3];
	kind_digest_acc acc[REPLICA_MAX_KINDS];
	uint8_t want_all[32] = { 0 }, want_b1[32] = { 0 };
	const char *branches[3] = { "b001", "b002", "b001" };
	uint8_t lid[16];

	for (int i = 0; i < 3; i++) {
		uint8_t id[16], buf[1024], md[32];
		size_t n;
		new_id(id);
		recs[i] = member(id, branches[i], "m", "", 1, (uint64_t)i + 1);
		n = hearth__record__pack(recs[i], buf);
		SHA256(buf, n, md);
		for (int j = 0; j < 32; j++) {
			want_all[j] ^= md[j];
			if (!strcmp(branches[i], "b001"))
				want_b1[j] ^= md[j];
		}
	}
	recs[1]->deleted = 1;  /* tombstones count too */
	{
		uint8_t buf[1024], md[32];
		size_t n;
		memset(want_all, 0, 32);
		for (int i = 0; i < 3; i++) {
			n = hearth__record__pack(recs[i], buf);
			SHA256(buf, n, md);
			for (int j = 0; j < 32; j++)
				want_all[j] ^= md[j];
		}
	}
	pull(f, recs, 3, NULL, 0, 3);
	/* Local-only records are not server copies. */
	new_id(lid);
	edit(f, lid, "local", "", 1);

	assert_int_equal(replica_digest(&f->r, NULL, acc), 0);
	assert_int_equal(acc[HEARTH__KIND__KIND_MEMBER].count, 3);
	assert_memory_equal(acc[HEARTH__KIND__KIND_MEMBER].digest, want_all, 32);
	assert_int_equal(replica_digest(&f->r, "b001", acc), 0);
	assert_int_equal(acc[HEARTH__KIND__KIND_MEMBER].count, 2);
	assert_memory_equal(acc[HEARTH__KIND__KIND_MEMBER].digest, want_b1, 32);
	assert_int_equal(replica_digest(&f->r, "b009", acc), 0);
	assert_int_equal(acc[HEARTH__KIND__KIND_MEMBER].count, 0);
	for (int i = 0; i < 3; i++)
		hearth__record__free_unpacked(recs[i], NULL);
}


/* The kept digests (client/core/replica_digest.c) equal a full scan after
 * every kind of change: new copies, newer revisions, older revisions that
 * are ignored, a record leaving the scope, a reset and a re-pull; and a
 * replica whose digests were never kept gets them computed once. */
static void expect_kept_equals_scan(fixture *f)
{
	const char *scopes[] = { NULL, "b001", "b002", "b009" };
	kind_digest_acc kept[REPLICA_MAX_KINDS], scan[REPLICA_MAX_KINDS];

	for (size_t i = 0; i < sizeof(scopes) / sizeof(scopes[0]); i++) {
		assert_int_equal(replica_digest(&f->r, scopes[i], kept), 0);
		assert_int_equal(replica_digest_scan(&f->r, scopes[i], scan), 0);
		assert_memory_equal(kept, scan, sizeof(kept));
	}
}

static void test_client_kept_digest_follows_changes(void **state)
{
	fixture *f = *state;
	uint8_t id[3][16];
	Hearth__Record *r[3], *newer, *older;
	kind_digest_acc acc[REPLICA_MAX_KINDS];
	MDB_txn *t;

	for (int i = 0; i < 3; i++) {
		new_id(id[i]);
		r[i] = member(id[i], i == 1 ? "b002" : "b001", "甲", "", 2, (uint64_t)i + 1);
	}
	pull(f, r, 3, NULL, 0, 3);
	expect_kept_equals_scan(f);
	newer = member(id[0], "b001", "乙", "139", 3, 4);
	pull(f, &newer, 1, NULL, 0, 4);
	expect_kept_equals_scan(f);
	older = member(id[2], "b001", "旧", "", 1, 5);   /* rev 1 < stored rev 2: ignored */
	pull(f, &older, 1, NULL, 0, 5);
	expect_kept_equals_scan(f);
	assert_int_equal(replica_digest(&f->r, "b001", acc), 0);
	assert_int_equal(acc[HEARTH__KIND__KIND_MEMBER].count, 2);

	/* A branch replica: a record of another branch is dropped with its share. */
	assert_int_equal(replica_meta_set_str(&f->r, "scope", "b001"), 0);
	{
		Hearth__Record *moved = member(id[2], "b002", "甲", "", 3, 6);
		pull(f, &moved, 1, NULL, 0, 6);
		hearth__record__free_unpacked(moved, NULL);
	}
	expect_kept_equals_scan(f);
	assert_int_equal(replica_digest(&f->r, "b001", acc), 0);
	assert_int_equal(acc[HEARTH__KIND__KIND_MEMBER].count, 1);

	assert_int_equal(replica_reset_server(&f->r), 0);
	assert_int_equal(replica_digest(&f->r, NULL, acc), 0);
	assert_int_equal(acc[HEARTH__KIND__KIND_MEMBER].count, 0);
	pull(f, r, 3, NULL, 0, 3);
	expect_kept_equals_scan(f);

	/* Forget the kept digests, as a replica of an older version has none. */
	assert_int_equal(mdb_txn_begin(f->r.env, NULL, 0, &t), 0);
	assert_int_equal(mdb_drop(t, f->r.digests, 0), 0);
	{
		MDB_val k = { strlen("digests_kept"), "digests_kept" };
		assert_int_equal(mdb_del(t, f->r.meta, &k, NULL), 0);
	}
	assert_int_equal(mdb_txn_commit(t), 0);
	expect_kept_equals_scan(f);
	assert_int_equal(replica_digest(&f->r, "b001", acc), 0);
	assert_int_equal(acc[HEARTH__KIND__KIND_MEMBER].count, 2);  /* b002's record left with the scope */

	for (int i = 0; i < 3; i++)
		hearth__record__free_unpacked(r[i], NULL);
	hearth__record__free_unpacked(newer, NULL);
	hearth__record__free_unpacked(older, NULL);
}

/* A pull page applied with its records' wire bytes (what a sync does) and
 * the same page applied by packing each record again: both replicas. */
typedef struct twin {
	fixture *f;           /* applied by packing */
	replica wire;         /* applied with the wire bytes */
	char dir[600];
} twin;

static void twin_open(twin *tw, fixture *f)
{
	char err[512];

	tw->f = f;
	snprintf(tw->dir, sizeof(tw->dir), "%s/wire", f->dir);
	assert_int_equal(replica_open(&tw->wire, tw->dir, err, sizeof(err)), 0);
}

/* Applies recs to both replicas: packed on f, as wire bytes (each record's
 * protobuf-c packing, or bytes[i] when given) on the twin. */
static void twin_pull(twin *tw, Hearth__Record **recs, size_t n, const envelope_bytes *bytes, uint64_t cursor)
{
	Hearth__PullResponse page = HEARTH__PULL_RESPONSE__INIT;
	envelope_bytes spans[16];
	uint8_t *bufs[16];
	char err[512] = "";

	assert_true(n <= 16);
	for (size_t i = 0; i < n; i++) {
		bufs[i] = malloc(hearth__record__get_packed_size(recs[i]) + 1);
		assert_non_null(bufs[i]);
		spans[i].len = hearth__record__pack(recs[i], bufs[i]);
		spans[i].data = bufs[i];
		if (bytes)
			spans[i] = bytes[i];
	}
	page.records = recs;
	page.n_records = n;
	page.cursor = cursor;
	if (!bytes)
		pull(tw->f, recs, n, NULL, 0, cursor);
	if (replica_apply_pull_page(&tw->wire, &(replica_pull_page){ .page = &page, .record_bytes = spans }, err,
	                            sizeof(err)) != 0)
		fail_msg("replica_apply_pull_page: %s", err);
	for (size_t i = 0; i < n; i++)
		free(bufs[i]);
}

/* Every key and value of one database of each replica, compared. */
static void expect_same_db(replica *a, MDB_dbi da, replica *b, MDB_dbi db)
{
	MDB_txn *ta, *tb;
	MDB_cursor *ca, *cb;
	MDB_val ka, va, kb, vb;
	int ra, rb;
	size_t n = 0;

	assert_int_equal(mdb_txn_begin(a->env, NULL, MDB_RDONLY, &ta), 0);
	assert_int_equal(mdb_txn_begin(b->env, NULL, MDB_RDONLY, &tb), 0);
	assert_int_equal(mdb_cursor_open(ta, da, &ca), 0);
	assert_int_equal(mdb_cursor_open(tb, db, &cb), 0);
	for (ra = mdb_cursor_get(ca, &ka, &va, MDB_FIRST), rb = mdb_cursor_get(cb, &kb, &vb, MDB_FIRST);
	     ra == 0 && rb == 0;
	     ra = mdb_cursor_get(ca, &ka, &va, MDB_NEXT), rb = mdb_cursor_get(cb, &kb, &vb, MDB_NEXT), n++) {
		assert_int_equal(ka.mv_size, kb.mv_size);
		assert_memory_equal(ka.mv_data, kb.mv_data, ka.mv_size);
		assert_int_equal(va.mv_size, vb.mv_size);
		assert_memory_equal(va.mv_data, vb.mv_data, va.mv_size);
	}
	assert_int_equal(ra, MDB_NOTFOUND);
	assert_int_equal(rb, MDB_NOTFOUND);
	mdb_cursor_close(ca);
	mdb_cursor_close(cb);
	mdb_txn_abort(ta);
	mdb_txn_abort(tb);
}

static void expect_twins_equal(twin *tw)
{
	replica *a = &tw->f->r, *b = &tw->wire;
	replica_status sa, sb;

	expect_same_db(a, a->server, b, b->server);
	expect_same_db(a, a->local, b, b->local);
	expect_same_db(a, a->digests, b, b->digests);
	expect_kept_equals_scan(tw->f);
	{
		fixture wf = { .r = tw->wire };
		expect_kept_equals_scan(&wf);
	}
	assert_int_equal(replica_status_get(a, &sa), 0);
	assert_int_equal(replica_status_get(b, &sb), 0);
	/* The outboxes hold the same edits under their own op ids. */
	sa.last_sync_ms = sb.last_sync_ms = 0;
	assert_memory_equal(&sa, &sb, sizeof(sa));
	/* The brief status (a sync's) is the same but for the record count. */
	assert_int_equal(replica_status_brief(b, &sb), 0);
	assert_int_equal(sb.records, 0);
	sb.records = sa.records;
	sb.last_sync_ms = 0;
	assert_memory_equal(&sa, &sb, sizeof(sa));
}

/* A page stored from its wire bytes leaves the replica that packing each
 * record leaves: the same server copies byte for byte, the same kept
 * digests (equal to a full scan), the same status; through new records in
 * id order (appended) and out of it, newer and older revisions of stored
 * ones, two branches and two kinds, tombstones, a record leaving the
 * scope, and a pending local edit whose view is rebuilt on the pulled copy. */
static void test_client_pull_wire_bytes_equal_packed(void **state)
{
	fixture *f = *state;
	twin tw;
	uint8_t id[8][16], lid[16];
	Hearth__Record *recs[8], *again[4], *got = NULL;

	twin_open(&tw, f);
	for (int i = 0; i < 8; i++)
		new_id(id[i]);
	/* Ids 0..5 in order, then 7, then 6: the last goes before the tail. */
	for (int i = 0; i < 6; i++)
		recs[i] = member(id[i], i % 3 == 1 ? "b002" : "b001", "甲", "139", 2, (uint64_t)i + 1);
	recs[6] = member(id[7], "b001", "乙", "", 1, 7);
	recs[7] = member(id[6], "b001", "丙", "", 1, 8);
	recs[3]->deleted = 1;
	recs[4]->kind = HEARTH__KIND__KIND_VISIT;
	recs[4]->body_case = HEARTH__RECORD__BODY_VISIT;
	{
		Hearth__Visit *v = malloc(sizeof(*v));
		assert_non_null(v);
		hearth__visit__init(v);
		protobuf_c_message_free_unpacked(&recs[4]->member->base, NULL);
		recs[4]->visit = v;
	}
	twin_pull(&tw, recs, 8, NULL, 8);
	expect_twins_equal(&tw);

	/* A local edit waits in both outboxes; then a page brings a newer
	 * revision of it (the view is rebuilt on top), an older one of
	 * another (ignored), and a new record. */
	edit(f, id[0], "甲改", "139", 0);
	{
		Hearth__Record *rec = member(id[0], "b001", "甲改", "139", 0, 0);
		char err[512] = "";
		assert_int_equal(replica_edit(&tw.wire, rec, 0, err, sizeof(err)), 0);
		hearth__record__free_unpacked(rec, NULL);
	}
	new_id(lid);
	again[0] = member(id[0], "b001", "甲", "138", 3, 9);
	again[1] = member(id[2], "b001", "旧", "", 1, 10);
	again[2] = member(lid, "b001", "丁", "", 1, 11);
	again[3] = member(id[7], "b001", "乙", "", 2, 12);
	twin_pull(&tw, again, 4, NULL, 12);
	expect_twins_equal(&tw);
	assert_int_equal(replica_get(&tw.wire, id[0], &got), 0);
	assert_string_equal(got->member->name, "甲改");
	assert_string_equal(got->member->phone, "138");
	hearth__record__free_unpacked(got, NULL);

	/* A branch replica: a record that moved to b002 leaves both. */
	assert_int_equal(replica_meta_set_str(&f->r, "scope", "b001"), 0);
	assert_int_equal(replica_meta_set_str(&tw.wire, "scope", "b001"), 0);
	hearth__record__free_unpacked(again[1], NULL);
	again[1] = member(id[2], "b002", "旧", "", 3, 13);
	twin_pull(&tw, &again[1], 1, NULL, 13);
	expect_twins_equal(&tw);
	assert_int_equal(replica_get_server(&tw.wire, id[2], &got), HEARTH_ENOTFOUND);

	for (int i = 0; i < 8; i++)
		hearth__record__free_unpacked(recs[i], NULL);
	for (int i = 0; i < 4; i++)
		hearth__record__free_unpacked(again[i], NULL);
	replica_close(&tw.wire);
}

/* Wire bytes that are not protobuf-c's packing of what they unpack to (a
 * field sent twice, the last one winning; a field this client does not
 * know, between known ones) are kept as the server sent them: the kept
 * digest is the XOR of the SHA-256 of those bytes, as the server computes
 * it over the bytes it stores and sends, where packing again would
 * differ; the record reads back as it was unpacked; a later revision
 * replaces it and takes its share out. */
static void test_client_pull_keeps_wire_bytes(void **state)
{
	fixture *f = *state;
	twin tw;
	uint8_t id[16], buf[2048], md[32], want[32] = { 0 };
	size_t n = 0, packed;
	Hearth__Record *rec, *got = NULL, *newer;
	envelope_bytes wire;
	kind_digest_acc acc[REPLICA_MAX_KINDS];

	twin_open(&tw, f);
	new_id(id);
	rec = member(id, "b001", "甲", "139", 2, 1);
	/* rev 1 first, then the record's own packing (rev 2 wins), then an
	 * unknown varint field 15. */
	buf[n++] = (4 << 3) | 0;
	buf[n++] = 1;
	packed = hearth__record__pack(rec, buf + n);
	n += packed;
	buf[n++] = (15 << 3) | 0;
	buf[n++] = 7;
	wire.data = buf;
	wire.len = n;
	twin_pull(&tw, &rec, 1, &wire, 1);
	{
		MDB_txn *t;
		MDB_val k = { 16, id }, v;
		assert_int_equal(mdb_txn_begin(tw.wire.env, NULL, MDB_RDONLY, &t), 0);
		assert_int_equal(mdb_get(t, tw.wire.server, &k, &v), 0);
		assert_int_equal(v.mv_size, n);
		assert_memory_equal(v.mv_data, buf, n);
		mdb_txn_abort(t);
	}
	SHA256(buf, n, md);
	memcpy(want, md, 32);
	assert_int_equal(replica_digest(&tw.wire, "b001", acc), 0);
	assert_int_equal(acc[HEARTH__KIND__KIND_MEMBER].count, 1);
	assert_memory_equal(acc[HEARTH__KIND__KIND_MEMBER].digest, want, 32);
	{
		fixture wf = { .r = tw.wire };
		expect_kept_equals_scan(&wf);
	}
	assert_int_equal(replica_get_server(&tw.wire, id, &got), 0);
	assert_int_equal(got->rev, 2);
	assert_string_equal(got->member->name, "甲");
	assert_int_equal(got->base.n_unknown_fields, 1);
	hearth__record__free_unpacked(got, NULL);

	newer = member(id, "b001", "甲", "138", 3, 2);
	twin_pull(&tw, &newer, 1, NULL, 2);
	{
		uint8_t nb[1024];
		size_t nn = hearth__record__pack(newer, nb);
		SHA256(nb, nn, want);
	}
	assert_int_equal(replica_digest(&tw.wire, "b001", acc), 0);
	assert_int_equal(acc[HEARTH__KIND__KIND_MEMBER].count, 1);
	assert_memory_equal(acc[HEARTH__KIND__KIND_MEMBER].digest, want, 32);
	hearth__record__free_unpacked(rec, NULL);
	hearth__record__free_unpacked(newer, NULL);
	replica_close(&tw.wire);
}

/* Whether the replica ever held an attachment, as a sync asks before it
 * reads every record for content to move: a new replica holds none; a
 * pulled copy or a local edit without one keeps it so; the first copy with
 * one, pulled (from wire bytes or packed) or edited here, ends it for good,
 * a reset included; a replica made before the mark was kept counts as
 * unknown. */
static Hearth__Record *with_attachment(const uint8_t id[16], uint64_t rev, uint64_t seq)
{
	Hearth__Record *rec = member(id, "b001", "甲", "", rev, seq);
	Hearth__Attachment *a = malloc(sizeof(*a));

	assert_non_null(a);
	hearth__attachment__init(a);
	a->name = strdup("a.pdf");
	a->size = 3;
	rec->member->attachments = malloc(sizeof(*rec->member->attachments));
	assert_non_null(rec->member->attachments);
	rec->member->attachments[0] = a;
	rec->member->n_attachments = 1;
	return rec;
}

static int no_attachments(replica *r)
{
	int none = -1;
	assert_int_equal(replica_holds_no_attachments(r, &none), 0);
	return none;
}

static void test_client_knows_it_holds_no_attachments(void **state)
{
	fixture *f = *state;
	twin tw;
	uint8_t a[16], b[16], c[16];
	Hearth__Record *plain, *att, *got = NULL;
	MDB_txn *t;

	twin_open(&tw, f);
	assert_int_equal(no_attachments(&f->r), 1);
	new_id(a);
	new_id(b);
	new_id(c);
	plain = member(a, "b001", "乙", "", 1, 1);
	twin_pull(&tw, &plain, 1, NULL, 1);
	edit(f, b, "丙", "", 1);
	assert_int_equal(no_attachments(&f->r), 1);
	assert_int_equal(no_attachments(&tw.wire), 1);

	att = with_attachment(c, 1, 2);
	twin_pull(&tw, &att, 1, NULL, 2);
	assert_int_equal(no_attachments(&f->r), 0);
	assert_int_equal(no_attachments(&tw.wire), 0);
	assert_int_equal(replica_reset_server(&f->r), 0);
	assert_int_equal(no_attachments(&f->r), 0);
	hearth__record__free_unpacked(att, NULL);
	replica_close(&tw.wire);

	/* A local edit with one, on a fresh replica. */
	{
		replica fresh;
		char dir[600], err[512] = "";
		snprintf(dir, sizeof(dir), "%s/fresh", f->dir);
		assert_int_equal(replica_open(&fresh, dir, err, sizeof(err)), 0);
		assert_int_equal(no_attachments(&fresh), 1);
		att = with_attachment(c, 0, 0);
		assert_int_equal(replica_edit(&fresh, att, 1, err, sizeof(err)), 0);
		assert_int_equal(no_attachments(&fresh), 0);
		assert_int_equal(replica_get(&fresh, c, &got), 0);
		assert_int_equal(got->member->n_attachments, 1);
		hearth__record__free_unpacked(got, NULL);
		hearth__record__free_unpacked(att, NULL);
		replica_close(&fresh);
	}

	/* Made before the mark: unknown, so a sync reads every record. */
	assert_int_equal(mdb_txn_begin(f->r.env, NULL, 0, &t), 0);
	{
		MDB_val k = { strlen("no_attachments"), "no_attachments" };
		assert_int_equal(mdb_del(t, f->r.meta, &k, NULL), 0);
	}
	assert_int_equal(mdb_txn_commit(t), 0);
	assert_int_equal(no_attachments(&f->r), 0);
	hearth__record__free_unpacked(plain, NULL);
}

static void test_client_reset_server(void **state)
{
	fixture *f = *state;
	uint8_t a[16], b[16], cid[16];
	Hearth__Record *sa, *sb, *got = NULL;
	Hearth__Conflict *c;
	replica_status st;

	new_id(a);
	new_id(b);
	new_id(cid);
	sa = member(a, "b001", "甲", "", 1, 1);
	sb = member(b, "b001", "乙", "", 1, 2);
	c = conflict(cid, a, HEARTH__CONFLICT_STATE__CONFLICT_OPEN, 3);
	{
		Hearth__Record *both[2] = { sa, sb };
		pull(f, both, 2, &c, 1, 3);
	}
	edit(f, b, "乙二", "", 0);
	assert_int_equal(replica_reset_server(&f->r), 0);
	assert_int_equal(replica_status_get(&f->r, &st), 0);
	assert_int_equal(st.cursor, 0);
	assert_int_equal(st.open_conflicts, 0);
	assert_int_equal(st.pending_ops, 1);
	assert_int_equal(st.records, 1);  /* only b's local copy is left */
	assert_int_equal(replica_get_server(&f->r, a, &got), HEARTH_ENOTFOUND);
	assert_int_equal(replica_get(&f->r, a, &got), HEARTH_ENOTFOUND);
	expect_view(f, b, "乙二", "");
	/* The re-pull brings the server copies back under the local edit. */
	{
		Hearth__Record *both[2] = { sa, sb };
		pull(f, both, 2, NULL, 0, 3);
	}
	expect_view(f, a, "甲", "");
	expect_view(f, b, "乙二", "");
	hearth__record__free_unpacked(sa, NULL);
	hearth__record__free_unpacked(sb, NULL);
	hearth__conflict__free_unpacked(c, NULL);
}

static void test_client_delete(void **state)
{
	fixture *f = *state;
	uint8_t local_only[16], shared[16];
	Hearth__Record *s, *v = NULL;
	Hearth__Op **ops;
	uint64_t *keys;
	size_t n;
	char err[512];

	new_id(local_only);
	edit(f, local_only, "临时", "", 1);
	edit(f, local_only, "临时二", "", 0);
	assert_int_equal(pending(f), 2);
	assert_int_equal(replica_delete(&f->r, local_only, NULL, err, sizeof(err)), 0);
	assert_int_equal(pending(f), 0);
	assert_int_equal(replica_get(&f->r, local_only, &v), HEARTH_ENOTFOUND);

	new_id(shared);
	s = member(shared, "b001", "共享", "", 4, 9);
	pull(f, &s, 1, NULL, 0, 9);
	hearth__record__free_unpacked(s, NULL);
	assert_int_equal(replica_delete(&f->r, shared, NULL, err, sizeof(err)), 0);
	assert_int_equal(replica_get(&f->r, shared, &v), 0);
	assert_true(v->deleted);
	hearth__record__free_unpacked(v, NULL);
	assert_int_equal(replica_delete(&f->r, shared, NULL, err, sizeof(err)), HEARTH_ENOTFOUND);
	assert_int_equal(replica_next_batch(&f->r, 10, &ops, &keys, &n), 0);
	assert_int_equal(n, 1);
	assert_true(ops[0]->delete_);
	assert_int_equal(ops[0]->base_rev, 4);
	replica_ops_free(ops, keys, n);
}

/* A transfer's summary as the server sends it to the sending branch
 * (issue 15 item 5); free with hearth__record__free_unpacked. */
static Hearth__Record *summary(const uint8_t id[16], const uint8_t transfer[16])
{
	Hearth__Transfer t = HEARTH__TRANSFER__INIT;
	Hearth__TransferSummary mark = HEARTH__TRANSFER_SUMMARY__INIT;
	Hearth__Record rec = HEARTH__RECORD__INIT;
	uint8_t buf[4096], member[16];
	size_t n;

	new_id(member);
	mark.transfer.data = (uint8_t *)transfer;
	mark.transfer.len = 16;
	mark.member_name = "周明";
	mark.to_branch_name = "第二党支部";
	t.member.data = member;
	t.member.len = 16;
	t.from_branch = "b001";
	t.to_branch = "b002";
	t.letter_no = "2026-017";
	t.issued_date = "2026-09-01";
	t.valid_until = "2026-12-01";
	t.status = HEARTH__TRANSFER_STATUS__TRANSFER_STATUS_ACCEPTED;
	t.accepted_date = "2026-09-05";
	t.summary = &mark;
	rec.id.data = (uint8_t *)id;
	rec.id.len = 16;
	rec.kind = HEARTH__KIND__KIND_TRANSFER;
	rec.branch_id = "b001";
	rec.rev = 1;
	rec.seq = 3;
	rec.updated_at = 1700000000001;
	rec.body_case = HEARTH__RECORD__BODY_TRANSFER;
	rec.transfer = &t;
	n = hearth__record__pack(&rec, buf);
	assert_true(n < sizeof(buf));
	return hearth__record__unpack(NULL, n, buf);
}

/* The summary is read-only in the shared replica path too (the CLI and the
 * web app both queue through it): an edit, a delete and a restore are
 * refused with the reason, and nothing is queued. */
static void test_client_summary_is_read_only(void **state)
{
	fixture *f = *state;
	uint8_t id[16], tid[16];
	Hearth__Record *s, *ed;
	char err[512];

	new_id(id);
	new_id(tid);
	s = summary(id, tid);
	pull(f, &s, 1, NULL, 0, 3);
	ed = summary(id, tid);
	free(ed->transfer->letter_no);
	ed->transfer->letter_no = strdup("X-1");
	err[0] = '\0';
	assert_int_equal(replica_edit(&f->r, ed, 0, err, sizeof(err)), HEARTH_EINVAL);
	assert_non_null(strstr(err, "is the read-only summary this branch keeps of a transfer (周明 left for "
	                            "第二党支部 on 2026-09-05)"));
	err[0] = '\0';
	assert_int_equal(replica_delete(&f->r, id, NULL, err, sizeof(err)), HEARTH_EINVAL);
	assert_non_null(strstr(err, "it cannot be edited, deleted or restored"));
	err[0] = '\0';
	assert_int_equal(replica_restore(&f->r, id, err, sizeof(err)), HEARTH_EINVAL);
	assert_non_null(strstr(err, "read-only summary"));
	assert_int_equal(pending(f), 0);
	hearth__record__free_unpacked(ed, NULL);
	hearth__record__free_unpacked(s, NULL);
}

static int count_each(void *ctx, const Hearth__Record *rec)
{
	(void)rec;
	(*(int *)ctx)++;
	return 0;
}

static void test_client_resolve_id_and_each(void **state)
{
	fixture *f = *state;
	uint8_t id[16], got[16], sid[16];
	char text[UUID_TEXT_LEN + 1], err[512];
	Hearth__Record *srec;
	int n = 0;

	new_id(id);
	edit(f, id, "吴九", "", 1);
	uuid_format(id, text);
	assert_int_equal(replica_resolve_id(&f->r, text, got, err, sizeof(err)), 0);
	assert_memory_equal(got, id, 16);
	/* A whole id is looked up by key, in either case, as a prefix of it
	 * is found by the walk. */
	for (char *c = text; *c; c++)
		*c = (char)toupper((unsigned char)*c);
	memset(got, 0, sizeof(got));
	assert_int_equal(replica_resolve_id(&f->r, text, got, err, sizeof(err)), 0);
	assert_memory_equal(got, id, 16);
	text[8] = '\0';
	memset(got, 0, sizeof(got));
	assert_int_equal(replica_resolve_id(&f->r, text, got, err, sizeof(err)), 0);
	assert_memory_equal(got, id, 16);
	/* A record only the server's copy holds (pulled, never edited here). */
	new_id(sid);
	srec = member(sid, "b001", "郑十", "", 3, 7);
	pull(f, &srec, 1, NULL, 0, 7);
	hearth__record__free_unpacked(srec, NULL);
	uuid_format(sid, text);
	assert_int_equal(replica_resolve_id(&f->r, text, got, err, sizeof(err)), 0);
	assert_memory_equal(got, sid, 16);
	uuid_format(id, text);
	text[0] = text[0] == 'f' ? 'e' : 'f';
	assert_int_equal(replica_resolve_id(&f->r, text, got, err, sizeof(err)), HEARTH_ENOTFOUND);
	assert_int_equal(replica_resolve_id(&f->r, "zz", got, err, sizeof(err)), HEARTH_EINVAL);
	assert_int_equal(replica_each(&f->r, HEARTH__KIND__KIND_MEMBER, 0, count_each, &n), 0);
	assert_int_equal(n, 2);
}

/* replica_each of one kind skips the other kinds' records and, unless
 * asked, the deleted ones before unpacking them (it reads their kind and
 * deleted flag from the packed bytes): the same records as unpacking all. */
static void test_client_each_filters_kind_and_deleted(void **state)
{
	fixture *f = *state;
	Hearth__Record *gone;
	uint8_t a[16], b[16];
	char err[512];
	int n;

	new_id(a);
	new_id(b);
	edit(f, a, "郑十", "", 1);
	edit(f, b, "冯十一", "", 1);
	n = 0;
	assert_int_equal(replica_each(&f->r, HEARTH__KIND__KIND_MEMBER, 0, count_each, &n), 0);
	assert_int_equal(n, 2);
	n = 0;
	assert_int_equal(replica_each(&f->r, HEARTH__KIND__KIND_VISIT, 1, count_each, &n), 0);
	assert_int_equal(n, 0);
	n = 0;
	assert_int_equal(replica_each(&f->r, 0, 0, count_each, &n), 0);
	assert_int_equal(n, 2);
	/* A record the server never saw leaves with its delete. */
	assert_int_equal(replica_delete(&f->r, b, NULL, err, sizeof(err)), 0);
	n = 0;
	assert_int_equal(replica_each(&f->r, HEARTH__KIND__KIND_MEMBER, 1, count_each, &n), 0);
	assert_int_equal(n, 1);
	/* A tombstone from the server stays, shown only with_deleted. */
	new_id(b);
	gone = member(b, "b001", "褚十二", "", 2, 7);
	gone->deleted = 1;
	pull(f, &gone, 1, NULL, 0, 7);
	hearth__record__free_unpacked(gone, NULL);
	n = 0;
	assert_int_equal(replica_each(&f->r, HEARTH__KIND__KIND_MEMBER, 0, count_each, &n), 0);
	assert_int_equal(n, 1);
	n = 0;
	assert_int_equal(replica_each(&f->r, HEARTH__KIND__KIND_MEMBER, 1, count_each, &n), 0);
	assert_int_equal(n, 2);
	n = 0;
	assert_int_equal(replica_each(&f->r, HEARTH__KIND__KIND_VISIT, 1, count_each, &n), 0);
	assert_int_equal(n, 0);
	/* A page: the rows asked for, and the count of all. */
	{
		size_t total = 0;
		n = 0;
		assert_int_equal(replica_page(&f->r, HEARTH__KIND__KIND_MEMBER, 0, 1, count_each, &n, &total), 0);
		assert_int_equal(n, 1);
		assert_int_equal(total, 1);
		n = 0;
		assert_int_equal(replica_page(&f->r, HEARTH__KIND__KIND_MEMBER, 1, 10, count_each, &n, &total), 0);
		assert_int_equal(n, 0);
		assert_int_equal(total, 1);
		uint8_t c[16];
		new_id(c);
		edit(f, c, "卫十三", "", 1);
		n = 0;
		assert_int_equal(replica_page(&f->r, HEARTH__KIND__KIND_MEMBER, 1, 10, count_each, &n, &total), 0);
		assert_int_equal(n, 1);
		assert_int_equal(total, 2);
		n = 0;
		assert_int_equal(replica_page(&f->r, HEARTH__KIND__KIND_VISIT, 0, 10, count_each, &n, &total), 0);
		assert_int_equal(n, 0);
		assert_int_equal(total, 0);
		assert_int_equal(replica_delete(&f->r, c, NULL, err, sizeof(err)), 0);
	}
	/* The recycle bin: the tombstone alone, of any kind or of its own. */
	n = 0;
	assert_int_equal(replica_each_deleted(&f->r, 0, count_each, &n), 0);
	assert_int_equal(n, 1);
	n = 0;
	assert_int_equal(replica_each_deleted(&f->r, HEARTH__KIND__KIND_MEMBER, count_each, &n), 0);
	assert_int_equal(n, 1);
	n = 0;
	assert_int_equal(replica_each_deleted(&f->r, HEARTH__KIND__KIND_VISIT, count_each, &n), 0);
	assert_int_equal(n, 0);
}

/* The replica id is made once and survives reopening. */
static void test_client_replica_id_persists(void **state)
{
	fixture *f = *state;
	uint8_t first[16];
	char err[512];

	memcpy(first, f->r.replica_id, 16);
	replica_close(&f->r);
	assert_int_equal(replica_open(&f->r, f->dir, err, sizeof(err)), 0);
	assert_memory_equal(first, f->r.replica_id, 16);
	setenv("HEARTH_REPLICA_MAP", "lots", 1);
	replica_close(&f->r);
	assert_int_equal(replica_open(&f->r, f->dir, err, sizeof(err)), HEARTH_EINVAL);
	unsetenv("HEARTH_REPLICA_MAP");
	assert_int_equal(replica_open(&f->r, f->dir, err, sizeof(err)), 0);
}

/* One environment per replica in a process (LMDB forbids a second open,
 * and hearth ui opens it from its requests, its sync and its audit pages
 * while it keeps it open): opens share it, two spellings of the home too,
 * the last close closes it, and a write by another process shows on the
 * next read through the kept handle. */
static void test_client_open_shares_environment(void **state)
{
	fixture *f = *state, g, h;
	char err[512], dotted[600];
	uint8_t id[16], id2[16];
	uint64_t g0, g1;
	pid_t pid;
	int status;

	g = *f;
	h = *f;
	assert_int_equal(replica_open(&g.r, f->dir, err, sizeof(err)), 0);
	assert_ptr_equal(g.r.env, f->r.env);
	snprintf(dotted, sizeof(dotted), "%s/.", f->dir);
	assert_int_equal(replica_open(&h.r, dotted, err, sizeof(err)), 0);
	assert_ptr_equal(h.r.env, f->r.env);
	assert_memory_equal(h.r.replica_id, f->r.replica_id, 16);

	/* A write through one copy is read through another. */
	new_id(id);
	edit(&g, id, "张三", "13800138000", 1);
	expect_view(f, id, "张三", "13800138000");
	/* Closing one copy leaves the others working. */
	replica_close(&f->r);
	assert_null(f->r.env);
	edit(&h, id, "张三", "13900139000", 0);
	expect_view(&g, id, "张三", "13900139000");
	replica_close(&h.r);
	assert_int_equal(replica_generation(&g.r, &g0), 0);

	/* Another process (a forked child opens its own environment, never
	 * its parent's) writes; the kept handle sees it at once. */
	new_id(id2);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		fixture c = *f;
		Hearth__Record *rec = member(id2, "b001", "李四", "13700137000", 0, 0);
		int ok = replica_open(&c.r, f->dir, err, sizeof(err)) == 0 && c.r.env != g.r.env &&
		         replica_edit(&c.r, rec, 1, err, sizeof(err)) == 0;
		replica_close(&c.r);
		_exit(ok ? 0 : 1);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	expect_view(&g, id2, "李四", "13700137000");
	assert_int_equal(replica_generation(&g.r, &g1), 0);
	assert_true(g1 > g0);

	/* The last close closes it; the next open is a new environment that
	 * holds everything written. */
	replica_close(&g.r);
	assert_int_equal(replica_open(&f->r, f->dir, err, sizeof(err)), 0);
	expect_view(f, id, "张三", "13900139000");
	expect_view(f, id2, "李四", "13700137000");
}

struct took {
	size_t n;
	Hearth__Record *last;
};

static int take_one(void *ctx, Hearth__Record *rec)
{
	struct took *t = ctx;
	t->n++;
	t->last = rec;
	return 0;
}

/* Records unpacked in an arena are the records, live until arena_free,
 * and a request larger than a chunk gets one of its own. */
static void test_client_each_take_in_arena(void **state)
{
	fixture *f = *state;
	uint8_t id[16], id2[16];
	struct took t = { 0, NULL };
	arena ar;
	ProtobufCAllocator *pa;
	unsigned char *big;

	new_id(id);
	edit(f, id, "张三", "13800138000", 1);
	new_id(id2);
	edit(f, id2, "李四", "13700137000", 1);
	arena_init(&ar);
	assert_int_equal(replica_each_take_in(&f->r, HEARTH__KIND__KIND_MEMBER, &ar, take_one, &t), 0);
	assert_int_equal(t.n, 2);
	assert_non_null(t.last);
	assert_memory_equal(t.last->id.data, id2, 16);
	assert_string_equal(t.last->member->name, "李四");
	assert_string_equal(t.last->member->phone, "13700137000");
	pa = arena_allocator(&ar);
	big = pa->alloc(pa->allocator_data, 3u << 20);
	assert_non_null(big);
	memset(big, 0x5a, 3u << 20);
	assert_true(((uintptr_t)pa->alloc(pa->allocator_data, 1) & 15u) == 0);
	/* The records are still whole after the arena grew. */
	assert_string_equal(t.last->member->name, "李四");
	assert_false(ar.failed);
	arena_free(&ar);
	assert_null(ar.head);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_client_edit_appends_op, setup, teardown),
		cmocka_unit_test_setup_teardown(test_client_second_edit_waits_and_rebases, setup, teardown),
		cmocka_unit_test_setup_teardown(test_client_applied_drops_local_copy, setup, teardown),
		cmocka_unit_test_setup_teardown(test_client_pull_rebases_local_view, setup, teardown),
		cmocka_unit_test_setup_teardown(test_client_rejected_keeps_change, setup, teardown),
		cmocka_unit_test(test_client_rejected_clash_id),
		cmocka_unit_test_setup_teardown(test_client_conflicts_stored_and_dropped, setup, teardown),
		cmocka_unit_test_setup_teardown(test_client_resolve_is_an_op, setup, teardown),
		cmocka_unit_test_setup_teardown(test_client_cursor_moves_with_page, setup, teardown),
		cmocka_unit_test_setup_teardown(test_client_page_is_one_transaction, setup, teardown),
		cmocka_unit_test_setup_teardown(test_client_digest_of_server_copies, setup, teardown),
		cmocka_unit_test_setup_teardown(test_client_kept_digest_follows_changes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_client_pull_wire_bytes_equal_packed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_client_pull_keeps_wire_bytes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_client_knows_it_holds_no_attachments, setup, teardown),
		cmocka_unit_test_setup_teardown(test_client_reset_server, setup, teardown),
		cmocka_unit_test_setup_teardown(test_client_delete, setup, teardown),
		cmocka_unit_test_setup_teardown(test_client_summary_is_read_only, setup, teardown),
		cmocka_unit_test_setup_teardown(test_client_resolve_id_and_each, setup, teardown),
		cmocka_unit_test_setup_teardown(test_client_each_filters_kind_and_deleted, setup, teardown),
		cmocka_unit_test_setup_teardown(test_client_replica_id_persists, setup, teardown),
		cmocka_unit_test_setup_teardown(test_client_generation_moves_with_writes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_client_foreign_conflict_ignored, setup, teardown),
		cmocka_unit_test_setup_teardown(test_client_open_shares_environment, setup, teardown),
		cmocka_unit_test_setup_teardown(test_client_each_take_in_arena, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
