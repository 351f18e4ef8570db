/* test_push.c: every outcome of a pushed op (DESIGN section 5) against a
 * real LMDB store in a temporary directory, one table row per outcome and
 * overlap shape. Links only server/db and common. */
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
#include "common/uuid.h"
#include "common/wire.h"
#include "server/db/principals.h"
#include "server/db/push.h"
#include "server/db/refs.h"
#include "server/db/revision.h"
#include "server/db/store.h"

typedef struct fixture {
	char dir[512];
	store s;
	actor b1, admin, auditor;
	int64_t now;
	int precheck;               /* push with the loop thread's body check (push_body_precheck) */
} fixture;

/* What one push answered (copied out of the OpResult). */
typedef struct answer {
	Hearth__OpStatus status;
	Hearth__ErrorCode code;
	uint64_t rev;
	char field[64];
	char message[400];
	uint8_t conflict_id[16];
	int has_conflict;
	int deleted;                /* of the record sent back */
	int has_record;             /* a record was sent back */
} answer;

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb, (void)flag, (void)ftw;
	return remove(path);
}

static actor make_actor(Hearth__Role role, const char *branch, const char *name)
{
	actor a;
	memset(&a, 0, sizeof(a));
	a.role = role;
	snprintf(a.branch, sizeof(a.branch), "%s", branch);
	snprintf(a.fingerprint, sizeof(a.fingerprint), "%064d", (int)role);
	snprintf(a.name, sizeof(a.name), "%s", name);
	return a;
}

static void open_fixture(fixture *f)
{
	const char *base = getenv("HEARTH_TEST_TMP");
	char err[512];
	char *branches[] = { "b1=一支部", "b2=二支部" };

	memset(f, 0, sizeof(*f));
	if (!base || !*base)
		base = "/tmp";
	mkdir(base, 0700);
	snprintf(f->dir, sizeof(f->dir), "%s/push-XXXXXX", base);
	assert_non_null(mkdtemp(f->dir));
	assert_int_equal(store_open(&f->s, f->dir, 64ull << 20, err, sizeof(err)), 0);
	assert_int_equal(principals_preset_branches(&f->s, branches, 2, err, sizeof(err)), 0);
	f->b1 = make_actor(HEARTH__ROLE__ROLE_BRANCH, "b1", "一支部书记");
	f->admin = make_actor(HEARTH__ROLE__ROLE_ADMIN, "", "管理员");
	f->auditor = make_actor(HEARTH__ROLE__ROLE_AUDITOR, "", "审计员");
	f->now = 1767225600000LL;
}

static void close_fixture(fixture *f)
{
	store_close(&f->s);
	nftw(f->dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* One member op. Unset strings take a valid default. */
typedef struct mop {
	const actor *who;
	const uint8_t *id;
	const uint8_t *op_id;           /* NULL: a fresh one */
	const char *branch;
	uint64_t base;
	const char *name, *phone, *join;
	const uint32_t *changed;
	size_t n_changed;
	int del;
	const uint8_t *resolves;
} mop;

/* Runs op in its own write transaction and copies the answer out. */
static answer push(fixture *f, const actor *who, Hearth__Op *op)
{
	wirebuf out = WIREBUF_INIT;
	MDB_txn *txn;
	Hearth__PushResponse *resp;
	push_body_check pre;
	answer a;

	memset(&a, 0, sizeof(a));
	if (f->precheck) {
		push_body_precheck(op, &pre);
		/* Every body these tests send fits in memory: the verdict is given. */
		if (op->record && !(op->delete_ && op->record->body_case == HEARTH__RECORD__BODY__NOT_SET))
			assert_true(pre.done);
	}
	assert_int_equal(mdb_txn_begin(f->s.env, NULL, 0, &txn), 0);
	assert_int_equal(push_op(&f->s, txn, who, op, f->precheck ? &pre : NULL, f->now++, &out), 0);
	assert_int_equal(mdb_txn_commit(txn), 0);
	if (f->precheck)
		push_body_check_free(&pre);
	resp = hearth__push_response__unpack(NULL, out.len, out.data);
	assert_non_null(resp);
	assert_int_equal(resp->n_results, 1);
	a.status = resp->results[0]->status;
	a.rev = resp->results[0]->rev;
	if (resp->results[0]->error) {
		a.code = resp->results[0]->error->code;
		snprintf(a.field, sizeof(a.field), "%s", resp->results[0]->error->field);
		snprintf(a.message, sizeof(a.message), "%s", resp->results[0]->error->message);
	}
	if (resp->results[0]->conflict_id.len == 16) {
		memcpy(a.conflict_id, resp->results[0]->conflict_id.data, 16);
		a.has_conflict = 1;
	}
	if (resp->results[0]->record) {
		a.deleted = resp->results[0]->record->deleted;
		a.has_record = 1;
	}
	hearth__push_response__free_unpacked(resp, NULL);
	wire_free(&out);
	return a;
}

static answer push_member(fixture *f, const mop *m)
{
	Hearth__Op op = HEARTH__OP__INIT;
	Hearth__Record rec = HEARTH__RECORD__INIT;
	Hearth__Member mem = HEARTH__MEMBER__INIT;
	uint8_t op_id[16];
	static const uint32_t all[] = { 1, 2, 7, 8 };

	uuid_v7(op_id);
	mem.name = (char *)(m->name ? m->name : "王建国");
	mem.gender = HEARTH__GENDER__GENDER_MALE;
	mem.category = HEARTH__MEMBER_CATEGORY__CATEGORY_FULL;
	mem.join_date = (char *)(m->join ? m->join : "2001-07-01");
	if (m->phone)
		mem.phone = (char *)m->phone;
	rec.id.data = (uint8_t *)m->id;
	rec.id.len = 16;
	rec.kind = HEARTH__KIND__KIND_MEMBER;
	rec.branch_id = (char *)(m->branch ? m->branch : "b1");
	rec.body_case = HEARTH__RECORD__BODY_MEMBER;
	rec.member = &mem;
	op.op_id.data = (uint8_t *)(m->op_id ? m->op_id : op_id);
	op.op_id.len = 16;
	op.record = &rec;
	op.base_rev = m->base;
	op.delete_ = m->del;
	op.changed_fields = (uint32_t *)(m->changed ? m->changed : all);
	op.n_changed_fields = m->changed ? m->n_changed : 4;
	if (m->resolves) {
		op.resolves.data = (uint8_t *)m->resolves;
		op.resolves.len = 16;
	}
	return push(f, m->who ? m->who : &f->b1, &op);
}

/* A hardship entry for member, in b1. */
static answer push_hardship(fixture *f, const uint8_t id[16], const uint8_t member[16])
{
	Hearth__Op op = HEARTH__OP__INIT;
	Hearth__Record rec = HEARTH__RECORD__INIT;
	Hearth__Hardship h = HEARTH__HARDSHIP__INIT;
	Hearth__HardshipType types[] = { HEARTH__HARDSHIP_TYPE__HARDSHIP_TYPE_ILL };
	uint32_t changed[] = { 1, 2, 5, 7, 9, 10, 11 };
	uint8_t op_id[16];

	uuid_v7(op_id);
	h.member.data = (uint8_t *)member;
	h.member.len = 16;
	h.n_types = 1;
	h.types = types;
	h.income = 120000;
	h.health = "慢性病";
	h.certified_at = "2026-01-05";
	h.year = 2026;
	h.status = HEARTH__HARDSHIP_STATUS__HARDSHIP_STATUS_REGISTERED;
	rec.id.data = (uint8_t *)id;
	rec.id.len = 16;
	rec.kind = HEARTH__KIND__KIND_HARDSHIP;
	rec.branch_id = "b1";
	rec.body_case = HEARTH__RECORD__BODY_HARDSHIP;
	rec.hardship = &h;
	op.op_id.data = op_id;
	op.op_id.len = 16;
	op.record = &rec;
	op.changed_fields = changed;
	op.n_changed_fields = HEARTH_ARRAY_LEN(changed);
	return push(f, &f->b1, &op);
}

/* The stored revision of id (0: none). */
static uint64_t stored_rev(fixture *f, const uint8_t id[16])
{
	MDB_txn *txn;
	MDB_val k = { 16, (void *)id }, v;
	uint64_t rev = 0;

	assert_int_equal(mdb_txn_begin(f->s.env, NULL, MDB_RDONLY, &txn), 0);
	if (mdb_get(txn, f->s.records, &k, &v) == 0) {
		Hearth__Record *r = hearth__record__unpack(NULL, v.mv_size, v.mv_data);
		assert_non_null(r);
		rev = r->rev;
		hearth__record__free_unpacked(r, NULL);
	}
	mdb_txn_abort(txn);
	return rev;
}

/* Creates member id in b1 and checks it was APPLIED at revision 1. */
static void create(fixture *f, const uint8_t id[16])
{
	answer a = push_member(f, &(mop){ .id = id });
	assert_int_equal(a.status, HEARTH__OP_STATUS__OP_APPLIED);
	assert_int_equal(a.rev, 1);
}

static const uint32_t F_NAME[] = { 1 };
static const uint32_t F_PHONE[] = { 14 };

/* ------------------------------------------------------------ cases */

/* Each case sets up what it needs in a fresh store and returns the answer
 * to its last push; id is the record that push was about. */
typedef answer (*case_fn)(fixture *f, const uint8_t id[16]);

static answer applied_create(fixture *f, const uint8_t id[16])
{
	return push_member(f, &(mop){ .id = id });
}

static answer applied_update(fixture *f, const uint8_t id[16])
{
	create(f, id);
	return push_member(f, &(mop){ .id = id, .base = 1, .name = "王建军", .changed = F_NAME, .n_changed = 1 });
}

static answer merged_disjoint(fixture *f, const uint8_t id[16])
{
	create(f, id);
	assert_int_equal(push_member(f, &(mop){ .id = id, .base = 1, .name = "王建军", .changed = F_NAME,
	                                        .n_changed = 1 }).status, HEARTH__OP_STATUS__OP_APPLIED);
	return push_member(f, &(mop){ .id = id, .base = 1, .phone = "13900001111", .changed = F_PHONE,
	                              .n_changed = 1 });
}

static answer conflict_same_field(fixture *f, const uint8_t id[16])
{
	create(f, id);
	push_member(f, &(mop){ .id = id, .base = 1, .name = "王建军", .changed = F_NAME, .n_changed = 1 });
	return push_member(f, &(mop){ .id = id, .base = 1, .name = "王建民", .changed = F_NAME, .n_changed = 1 });
}

/* Same field, same value on both sides: nothing to ask a person. */
static answer merged_same_value(fixture *f, const uint8_t id[16])
{
	create(f, id);
	push_member(f, &(mop){ .id = id, .base = 1, .name = "王建军", .changed = F_NAME, .n_changed = 1 });
	return push_member(f, &(mop){ .id = id, .base = 1, .name = "王建军", .changed = F_NAME, .n_changed = 1 });
}

/* The server deleted it; the op edits it: never a silent resurrection. */
static answer conflict_update_vs_delete(fixture *f, const uint8_t id[16])
{
	create(f, id);
	assert_int_equal(push_member(f, &(mop){ .id = id, .base = 1, .del = 1 }).status,
	                 HEARTH__OP_STATUS__OP_APPLIED);
	return push_member(f, &(mop){ .id = id, .base = 1, .name = "王建军", .changed = F_NAME, .n_changed = 1 });
}

/* The server edited it; the op deletes it: the record is kept. */
static answer conflict_delete_vs_update(fixture *f, const uint8_t id[16])
{
	create(f, id);
	push_member(f, &(mop){ .id = id, .base = 1, .name = "王建军", .changed = F_NAME, .n_changed = 1 });
	return push_member(f, &(mop){ .id = id, .base = 1, .del = 1 });
}

static answer merged_delete_after_delete(fixture *f, const uint8_t id[16])
{
	create(f, id);
	push_member(f, &(mop){ .id = id, .base = 1, .del = 1 });
	return push_member(f, &(mop){ .id = id, .base = 1, .del = 1 });
}

static answer applied_resolution(fixture *f, const uint8_t id[16])
{
	answer c = conflict_same_field(f, id);
	assert_int_equal(c.status, HEARTH__OP_STATUS__OP_CONFLICT);
	assert_true(c.has_conflict);
	return push_member(f, &(mop){ .id = id, .base = 2, .name = "王建民", .changed = F_NAME, .n_changed = 1,
	                              .resolves = c.conflict_id });
}

static answer duplicate(fixture *f, const uint8_t id[16])
{
	uint8_t op_id[16];
	answer first;

	uuid_v7(op_id);
	first = push_member(f, &(mop){ .id = id, .op_id = op_id });
	assert_int_equal(first.status, HEARTH__OP_STATUS__OP_APPLIED);
	return push_member(f, &(mop){ .id = id, .op_id = op_id, .name = "别的名字" });
}

static answer rejected_validation(fixture *f, const uint8_t id[16])
{
	return push_member(f, &(mop){ .id = id, .join = "2001-13-45" });
}

static answer rejected_reference(fixture *f, const uint8_t id[16])
{
	uint8_t nobody[16];
	uuid_v7(nobody);
	return push_hardship(f, id, nobody);
}

static answer rejected_uniqueness(fixture *f, const uint8_t id[16])
{
	uint8_t member[16], first[16];

	uuid_v7(member);
	uuid_v7(first);
	create(f, member);
	assert_int_equal(push_hardship(f, first, member).status, HEARTH__OP_STATUS__OP_APPLIED);
	return push_hardship(f, id, member);
}

static answer rejected_wrong_branch(fixture *f, const uint8_t id[16])
{
	return push_member(f, &(mop){ .id = id, .branch = "b2" });
}

/* A b2 record, made by the admin, that b1 then names. */
static void create_in_b2(fixture *f, const uint8_t id[16])
{
	assert_int_equal(push_member(f, &(mop){ .who = &f->admin, .id = id, .branch = "b2" }).status,
	                 HEARTH__OP_STATUS__OP_APPLIED);
}

static answer hidden_edit(fixture *f, const uint8_t id[16])
{
	create_in_b2(f, id);
	return push_member(f, &(mop){ .id = id, .base = 1, .name = "越界", .changed = F_NAME, .n_changed = 1 });
}

static answer hidden_delete(fixture *f, const uint8_t id[16])
{
	create_in_b2(f, id);
	return push_member(f, &(mop){ .id = id, .base = 1, .del = 1 });
}

static answer hidden_create(fixture *f, const uint8_t id[16])
{
	create_in_b2(f, id);
	return push_member(f, &(mop){ .id = id });
}

static answer rejected_edit_missing(fixture *f, const uint8_t id[16])
{
	return push_member(f, &(mop){ .id = id, .base = 1, .name = "无", .changed = F_NAME, .n_changed = 1 });
}

static answer rejected_unknown_branch(fixture *f, const uint8_t id[16])
{
	return push_member(f, &(mop){ .who = &f->admin, .id = id, .branch = "nope" });
}

static answer rejected_auditor(fixture *f, const uint8_t id[16])
{
	return push_member(f, &(mop){ .who = &f->auditor, .id = id });
}

static answer rejected_delete_missing(fixture *f, const uint8_t id[16])
{
	return push_member(f, &(mop){ .id = id, .base = 1, .del = 1 });
}

static answer rejected_create_existing(fixture *f, const uint8_t id[16])
{
	create(f, id);
	return push_member(f, &(mop){ .id = id, .base = 0 });
}

static answer rejected_base_ahead(fixture *f, const uint8_t id[16])
{
	create(f, id);
	return push_member(f, &(mop){ .id = id, .base = 5, .changed = F_NAME, .n_changed = 1 });
}

static answer rejected_unknown_conflict(fixture *f, const uint8_t id[16])
{
	uint8_t none[16];
	uuid_v7(none);
	create(f, id);
	return push_member(f, &(mop){ .id = id, .base = 1, .changed = F_NAME, .n_changed = 1, .resolves = none });
}

/* A ledger row from before the ledger kept the op's record id: a retry is
 * a DUPLICATE with no record body (it cannot know which record it was). */
static void test_old_ledger_row_answers_without_record(void **state)
{
	fixture f;
	uint8_t id[16], op_id[16];
	MDB_txn *txn;
	MDB_val k, v;
	wirebuf led = WIREBUF_INIT;
	answer a;

	(void)state;
	open_fixture(&f);
	uuid_v7(id);
	uuid_v7(op_id);
	create(&f, id);
	wire_bytes_field(&led, 1, op_id, 16, 0);
	wire_uint_field(&led, 2, HEARTH__OP_STATUS__OP_APPLIED);
	wire_uint_field(&led, 3, 1);
	k.mv_size = 16;
	k.mv_data = op_id;
	v.mv_size = led.len;
	v.mv_data = led.data;
	assert_int_equal(mdb_txn_begin(f.s.env, NULL, 0, &txn), 0);
	assert_int_equal(mdb_put(txn, f.s.ops, &k, &v, 0), 0);
	assert_int_equal(mdb_txn_commit(txn), 0);
	wire_free(&led);
	a = push_member(&f, &(mop){ .id = id, .op_id = op_id });
	assert_int_equal(a.status, HEARTH__OP_STATUS__OP_DUPLICATE);
	assert_int_equal(a.rev, 1);
	assert_false(a.has_record);
	close_fixture(&f);
}

/* A retry by a principal that may not see the record (another branch
 * that learnt the op_id) gets the first answer without the record. */
static void test_duplicate_of_unseen_record_has_no_body(void **state)
{
	fixture f;
	actor b2;
	uint8_t id[16], op_id[16];
	answer a;

	(void)state;
	open_fixture(&f);
	b2 = make_actor(HEARTH__ROLE__ROLE_BRANCH, "b2", "二支部书记");
	uuid_v7(id);
	uuid_v7(op_id);
	assert_int_equal(push_member(&f, &(mop){ .id = id, .op_id = op_id }).status, HEARTH__OP_STATUS__OP_APPLIED);
	a = push_member(&f, &(mop){ .who = &b2, .id = id, .op_id = op_id, .branch = "b2" });
	assert_int_equal(a.status, HEARTH__OP_STATUS__OP_DUPLICATE);
	assert_false(a.has_record);
	a = push_member(&f, &(mop){ .who = &f.admin, .id = id, .op_id = op_id });
	assert_int_equal(a.status, HEARTH__OP_STATUS__OP_DUPLICATE);
	assert_true(a.has_record);
	close_fixture(&f);
}

static const struct row {
	const char *name;
	case_fn run;
	Hearth__OpStatus status;
	Hearth__ErrorCode code;         /* REJECTED only */
	const char *field;              /* REJECTED only */
	uint64_t rev;                   /* the revision answered (0: not checked) */
	int conflict;                   /* a conflict id is answered */
	uint64_t kept;                  /* REJECTED: the stored revision after it (0: none) */
} rows[] = {
	{ "create", applied_create, HEARTH__OP_STATUS__OP_APPLIED, 0, NULL, 1, 0 },
	{ "update at the current revision", applied_update, HEARTH__OP_STATUS__OP_APPLIED, 0, NULL, 2, 0 },
	{ "disjoint fields since base", merged_disjoint, HEARTH__OP_STATUS__OP_MERGED, 0, NULL, 3, 0 },
	{ "same field, same value", merged_same_value, HEARTH__OP_STATUS__OP_MERGED, 0, NULL, 0, 0 },
	{ "delete of a deleted record", merged_delete_after_delete, HEARTH__OP_STATUS__OP_MERGED, 0, NULL, 2, 0 },
	{ "same field, different values", conflict_same_field, HEARTH__OP_STATUS__OP_CONFLICT, 0, NULL, 0, 1 },
	{ "update vs delete", conflict_update_vs_delete, HEARTH__OP_STATUS__OP_CONFLICT, 0, NULL, 2, 1 },
	{ "delete vs update", conflict_delete_vs_update, HEARTH__OP_STATUS__OP_CONFLICT, 0, NULL, 2, 1 },
	{ "resolution", applied_resolution, HEARTH__OP_STATUS__OP_APPLIED, 0, NULL, 3, 0 },
	{ "same op_id again", duplicate, HEARTH__OP_STATUS__OP_DUPLICATE, 0, NULL, 1, 0 },
	{ "invalid body", rejected_validation, HEARTH__OP_STATUS__OP_REJECTED, HEARTH__ERROR_CODE__ERR_INVALID,
	  "join_date", 0, 0, 0 },
	{ "reference that does not resolve", rejected_reference, HEARTH__OP_STATUS__OP_REJECTED,
	  HEARTH__ERROR_CODE__ERR_INVALID, "member", 0, 0 },
	{ "uniqueness clash", rejected_uniqueness, HEARTH__OP_STATUS__OP_REJECTED, HEARTH__ERROR_CODE__ERR_INVALID,
	  NULL, 0, 0 },
	{ "another branch's record", rejected_wrong_branch, HEARTH__OP_STATUS__OP_REJECTED,
	  HEARTH__ERROR_CODE__ERR_FORBIDDEN, "branch_id", 0, 0 },
	{ "branch that does not exist", rejected_unknown_branch, HEARTH__OP_STATUS__OP_REJECTED,
	  HEARTH__ERROR_CODE__ERR_INVALID, "branch_id", 0, 0 },
	{ "auditor writes", rejected_auditor, HEARTH__OP_STATUS__OP_REJECTED, HEARTH__ERROR_CODE__ERR_FORBIDDEN,
	  "role", 0, 0 },
	{ "edit of another branch's record: as if missing", hidden_edit, HEARTH__OP_STATUS__OP_REJECTED,
	  HEARTH__ERROR_CODE__ERR_NOT_FOUND, "id", 0, 0, 1 },
	{ "delete of another branch's record: as if missing", hidden_delete, HEARTH__OP_STATUS__OP_REJECTED,
	  HEARTH__ERROR_CODE__ERR_NOT_FOUND, "id", 0, 0, 1 },
	{ "create over another branch's record", hidden_create, HEARTH__OP_STATUS__OP_REJECTED,
	  HEARTH__ERROR_CODE__ERR_CONFLICT, "id", 0, 0, 1 },
	{ "edit of a missing record", rejected_edit_missing, HEARTH__OP_STATUS__OP_REJECTED,
	  HEARTH__ERROR_CODE__ERR_NOT_FOUND, "id", 0, 0 },
	{ "delete of a missing record", rejected_delete_missing, HEARTH__OP_STATUS__OP_REJECTED,
	  HEARTH__ERROR_CODE__ERR_NOT_FOUND, "id", 0, 0 },
	{ "create over an existing record", rejected_create_existing, HEARTH__OP_STATUS__OP_REJECTED,
	  HEARTH__ERROR_CODE__ERR_CONFLICT, "id", 0, 0, 1 },
	{ "base_rev ahead of the server", rejected_base_ahead, HEARTH__OP_STATUS__OP_REJECTED,
	  HEARTH__ERROR_CODE__ERR_INVALID, "base_rev", 0, 0, 1 },
	{ "resolves an unknown conflict", rejected_unknown_conflict, HEARTH__OP_STATUS__OP_REJECTED,
	  HEARTH__ERROR_CODE__ERR_NOT_FOUND, "resolves", 0, 0, 1 },
};

/* m with every UUID in it written <id>, into out (400 bytes). */
static const char *without_ids(const char *m, char *out)
{
	size_t o = 0;

	while (*m && o + 5 < 400) {
		uint8_t id[16];
		char t[UUID_TEXT_LEN + 1];

		snprintf(t, sizeof(t), "%.*s", UUID_TEXT_LEN, m);
		if (strlen(t) == UUID_TEXT_LEN && uuid_parse(t, id) == 0) {
			memcpy(out + o, "<id>", 4);
			o += 4;
			m += UUID_TEXT_LEN;
		} else {
			out[o++] = *m++;
		}
	}
	out[o] = 0;
	return out;
}

/* Every row, with the writer checking the body itself (precheck 0) or
 * with the loop thread's verdict (1); *messages holds each row's refusal
 * text from the first walk, which the second must repeat word for word. */
static void every_outcome(int precheck, char (*messages)[400])
{
	for (size_t i = 0; i < HEARTH_ARRAY_LEN(rows); i++) {
		const struct row *r = &rows[i];
		fixture f;
		uint8_t id[16];
		char plain[400];
		answer a;

		print_message("push%s: %s\n", precheck ? " (body checked ahead)" : "", r->name);
		open_fixture(&f);
		f.precheck = precheck;
		uuid_v7(id);
		a = r->run(&f, id);
		/* Each walk makes its own ids: the sentences are compared with
		 * their ids left out. */
		if (!precheck)
			without_ids(a.message, messages[i]);
		else if (strcmp(messages[i], without_ids(a.message, plain)) != 0)
			fail_msg("%s: refused with \"%s\" after the body was checked ahead, \"%s\" without", r->name,
			         a.message, messages[i]);
		if (a.status != r->status)
			fail_msg("%s: status %d, expected %d (code %d, field %s)", r->name, a.status, r->status,
			         a.code, a.field);
		if (r->status == HEARTH__OP_STATUS__OP_REJECTED) {
			assert_int_equal(a.code, r->code);
			if (r->field)
				assert_string_equal(a.field, r->field);
			/* A refusal leaves the record as it was. */
			assert_int_equal(stored_rev(&f, id), r->kept);
		}
		if (r->rev)
			assert_int_equal(a.rev, r->rev);
		assert_int_equal(a.has_conflict, r->conflict);
		close_fixture(&f);
	}
}

static void test_every_outcome(void **state)
{
	static char messages[HEARTH_ARRAY_LEN(rows)][400];

	(void)state;
	every_outcome(0, messages);
	/* The body checked on the loop thread gives the same outcome, field
	 * and sentence at the same step. */
	every_outcome(1, messages);
}

/* A CONFLICT keeps the server's value; the op's other fields still apply. */
static void test_conflict_keeps_server_value(void **state)
{
	fixture f;
	uint8_t id[16];
	static const uint32_t both[] = { 1, 14 };
	answer a;

	(void)state;
	open_fixture(&f);
	uuid_v7(id);
	create(&f, id);
	push_member(&f, &(mop){ .id = id, .base = 1, .name = "王建军", .changed = F_NAME, .n_changed = 1 });
	a = push_member(&f, &(mop){ .id = id, .base = 1, .name = "王建民", .phone = "13900001111",
	                            .changed = both, .n_changed = 2 });
	assert_int_equal(a.status, HEARTH__OP_STATUS__OP_CONFLICT);
	assert_int_equal(a.rev, 3);
	{
		MDB_txn *txn;
		MDB_val k = { 16, id }, v;
		Hearth__Record *r;
		assert_int_equal(mdb_txn_begin(f.s.env, NULL, MDB_RDONLY, &txn), 0);
		assert_int_equal(mdb_get(txn, f.s.records, &k, &v), 0);
		r = hearth__record__unpack(NULL, v.mv_size, v.mv_data);
		assert_non_null(r);
		assert_string_equal(r->member->name, "王建军");
		assert_string_equal(r->member->phone, "13900001111");
		hearth__record__free_unpacked(r, NULL);
		mdb_txn_abort(txn);
	}
	close_fixture(&f);
}

/* The update-vs-delete conflict leaves the tombstone; delete-vs-update
 * leaves the live record. */
static void test_delete_conflicts_keep_server_copy(void **state)
{
	fixture f;
	uint8_t id[16];

	(void)state;
	open_fixture(&f);
	uuid_v7(id);
	assert_true(conflict_update_vs_delete(&f, id).deleted);
	close_fixture(&f);
	open_fixture(&f);
	uuid_v7(id);
	assert_false(conflict_delete_vs_update(&f, id).deleted);
	close_fixture(&f);
}

/* ------------------------------------------ transfers (issue 15 item 5) */

/* A transfer of member from b1 to b2 at base: pending, or accepted; with
 * sum set it carries a summary, as only the server may write one. */
typedef struct top {
	const actor *who;
	const uint8_t *id, *member;
	uint64_t base;
	int accepted, del;
	const Hearth__TransferSummary *sum;
} top;

static answer push_transfer(fixture *f, const top *t)
{
	Hearth__Op op = HEARTH__OP__INIT;
	Hearth__Record rec = HEARTH__RECORD__INIT;
	Hearth__Transfer tr = HEARTH__TRANSFER__INIT;
	uint32_t changed[] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	uint8_t op_id[16];

	uuid_v7(op_id);
	tr.member.data = (uint8_t *)t->member;
	tr.member.len = 16;
	tr.from_branch = "b1";
	tr.to_branch = "b2";
	tr.letter_no = "组转〔2026〕17号";
	tr.issued_date = "2026-09-01";
	tr.valid_until = "2026-12-01";
	tr.status = t->accepted ? HEARTH__TRANSFER_STATUS__TRANSFER_STATUS_ACCEPTED
	                        : HEARTH__TRANSFER_STATUS__TRANSFER_STATUS_PENDING;
	if (t->accepted)
		tr.accepted_date = "2026-09-05";
	tr.summary = (Hearth__TransferSummary *)t->sum;
	rec.id.data = (uint8_t *)t->id;
	rec.id.len = 16;
	rec.kind = HEARTH__KIND__KIND_TRANSFER;
	rec.branch_id = "b1";
	rec.body_case = HEARTH__RECORD__BODY_TRANSFER;
	rec.transfer = &tr;
	op.op_id.data = op_id;
	op.op_id.len = 16;
	op.record = &rec;
	op.base_rev = t->base;
	op.delete_ = t->del;
	op.changed_fields = changed;
	op.n_changed_fields = HEARTH_ARRAY_LEN(changed);
	return push(f, t->who ? t->who : &f->b1, &op);
}

/* The stored records of kind transfer that carry a summary: how many, and
 * the first one (the caller frees it). */
static size_t summaries(fixture *f, Hearth__Record **first)
{
	MDB_txn *txn;
	MDB_cursor *c;
	MDB_val k, v;
	MDB_cursor_op step = MDB_FIRST;
	size_t n = 0;

	*first = NULL;
	assert_int_equal(mdb_txn_begin(f->s.env, NULL, MDB_RDONLY, &txn), 0);
	assert_int_equal(mdb_cursor_open(txn, f->s.records, &c), 0);
	for (; mdb_cursor_get(c, &k, &v, step) == 0; step = MDB_NEXT) {
		Hearth__Record *r = hearth__record__unpack(NULL, v.mv_size, v.mv_data);
		assert_non_null(r);
		if (r->body_case == HEARTH__RECORD__BODY_TRANSFER && r->transfer->summary && n++ == 0) {
			*first = r;
			continue;
		}
		hearth__record__free_unpacked(r, NULL);
	}
	mdb_cursor_close(c);
	mdb_txn_abort(txn);
	return n;
}

/* The branch of stored record id ("" when none), into out. */
static void stored_branch(fixture *f, const uint8_t id[16], char out[64])
{
	MDB_txn *txn;
	MDB_val k = { 16, (void *)id }, v;

	out[0] = '\0';
	assert_int_equal(mdb_txn_begin(f->s.env, NULL, MDB_RDONLY, &txn), 0);
	if (mdb_get(txn, f->s.records, &k, &v) == 0) {
		Hearth__Record *r = hearth__record__unpack(NULL, v.mv_size, v.mv_data);
		assert_non_null(r);
		snprintf(out, 64, "%s", r->branch_id);
		hearth__record__free_unpacked(r, NULL);
	}
	mdb_txn_abort(txn);
}

/* Acceptance moves the transfer to b2 and leaves b1 one summary, which no
 * op of any role may change and no client may write. */
static void test_transfer_leaves_read_only_summary(void **state)
{
	fixture f;
	uint8_t m[16], t[16], forged[16];
	Hearth__Record *sum;
	Hearth__TransferSummary mark = HEARTH__TRANSFER_SUMMARY__INIT;
	char branch[64];
	answer a;

	(void)state;
	open_fixture(&f);
	uuid_v7(m);
	uuid_v7(t);
	create(&f, m);
	assert_int_equal(push_transfer(&f, &(top){ .id = t, .member = m }).status, HEARTH__OP_STATUS__OP_APPLIED);
	assert_int_equal(summaries(&f, &sum), 0);
	assert_int_equal(push_transfer(&f, &(top){ .id = t, .member = m, .base = 1, .accepted = 1 }).status,
	                 HEARTH__OP_STATUS__OP_APPLIED);
	stored_branch(&f, t, branch);
	assert_string_equal(branch, "b2");
	stored_branch(&f, m, branch);
	assert_string_equal(branch, "b2");

	assert_int_equal(summaries(&f, &sum), 1);
	assert_string_equal(sum->branch_id, "b1");
	assert_int_equal(sum->rev, 1);
	assert_memory_equal(sum->transfer->summary->transfer.data, t, 16);
	assert_string_equal(sum->transfer->summary->member_name, "王建国");
	assert_string_equal(sum->transfer->summary->to_branch_name, "二支部");
	assert_string_equal(sum->transfer->to_branch, "b2");
	assert_string_equal(sum->transfer->letter_no, "组转〔2026〕17号");
	assert_string_equal(sum->transfer->accepted_date, "2026-09-05");
	assert_int_equal(sum->transfer->status, HEARTH__TRANSFER_STATUS__TRANSFER_STATUS_ACCEPTED);

	/* An edit and a delete by the branch, an edit by the admin. */
	a = push_transfer(&f, &(top){ .id = sum->id.data, .member = m, .base = 1, .accepted = 1 });
	assert_int_equal(a.status, HEARTH__OP_STATUS__OP_REJECTED);
	assert_int_equal(a.code, HEARTH__ERROR_CODE__ERR_FORBIDDEN);
	assert_string_equal(a.field, "summary");
	a = push_transfer(&f, &(top){ .id = sum->id.data, .member = m, .base = 1, .accepted = 1, .del = 1 });
	assert_int_equal(a.status, HEARTH__OP_STATUS__OP_REJECTED);
	assert_int_equal(a.code, HEARTH__ERROR_CODE__ERR_FORBIDDEN);
	a = push_transfer(&f, &(top){ .who = &f.admin, .id = sum->id.data, .member = m, .base = 1, .accepted = 1 });
	assert_int_equal(a.status, HEARTH__OP_STATUS__OP_REJECTED);
	assert_int_equal(a.code, HEARTH__ERROR_CODE__ERR_FORBIDDEN);
	assert_int_equal(stored_rev(&f, sum->id.data), 1);

	/* A summary of the client's own making. */
	uuid_v7(forged);
	mark.transfer.data = t;
	mark.transfer.len = 16;
	mark.member_name = "王建国";
	a = push_transfer(&f, &(top){ .id = forged, .member = m, .sum = &mark });
	assert_int_equal(a.status, HEARTH__OP_STATUS__OP_REJECTED);
	assert_int_equal(a.code, HEARTH__ERROR_CODE__ERR_INVALID);
	assert_string_equal(a.field, "summary");
	assert_int_equal(stored_rev(&f, forged), 0);
	hearth__record__free_unpacked(sum, NULL);
	assert_int_equal(summaries(&f, &sum), 1);
	hearth__record__free_unpacked(sum, NULL);
	close_fixture(&f);
}

/* A store from before summaries (here: one whose summary is removed by
 * hand) gets the summary at start-up, once; a second run writes nothing,
 * and neither does a run without the marker while the summary exists. */
static void test_backfill_summaries(void **state)
{
	fixture f;
	uint8_t m[16], t[16];
	Hearth__Record *sum;
	MDB_txn *txn;
	MDB_val k, mk = { strlen(REFS_SUMMARIES_META), (void *)REFS_SUMMARIES_META };
	actor sys;
	size_t made;

	(void)state;
	open_fixture(&f);
	memset(&sys, 0, sizeof(sys));
	snprintf(sys.name, sizeof(sys.name), "hearthd");
	uuid_v7(m);
	uuid_v7(t);
	create(&f, m);
	assert_int_equal(push_transfer(&f, &(top){ .id = t, .member = m, .accepted = 1 }).status,
	                 HEARTH__OP_STATUS__OP_APPLIED);
	assert_int_equal(summaries(&f, &sum), 1);
	k.mv_size = 16;
	k.mv_data = sum->id.data;
	assert_int_equal(mdb_txn_begin(f.s.env, NULL, 0, &txn), 0);
	assert_int_equal(mdb_del(txn, f.s.records, &k, NULL), 0);
	assert_int_equal(mdb_txn_commit(txn), 0);
	hearth__record__free_unpacked(sum, NULL);
	assert_int_equal(summaries(&f, &sum), 0);

	for (int run = 0; run < 3; run++) {
		assert_int_equal(mdb_txn_begin(f.s.env, NULL, 0, &txn), 0);
		if (run == 2)
			assert_int_equal(mdb_del(txn, f.s.meta, &mk, NULL), 0);
		assert_int_equal(refs_backfill_summaries(&f.s, txn, &sys, f.now++, revision_create, &made), 0);
		assert_int_equal(mdb_txn_commit(txn), 0);
		assert_int_equal(made, run == 0 ? 1 : 0);
		assert_int_equal(summaries(&f, &sum), 1);
		assert_string_equal(sum->branch_id, "b1");
		assert_memory_equal(sum->transfer->summary->transfer.data, t, 16);
		assert_string_equal(sum->transfer->summary->member_name, "王建国");
		assert_string_equal(sum->transfer->summary->to_branch_name, "二支部");
		assert_string_equal(sum->transfer->accepted_date, "2026-09-05");
		hearth__record__free_unpacked(sum, NULL);
	}
	close_fixture(&f);
}

/* The writer runs a group's jobs again, one by one, when the group's
 * transaction failed: the body checked ahead must serve that second run
 * as it served the first (push_op borrows it, never takes it). */
static void test_checked_body_serves_a_second_run(void **state)
{
	fixture f;
	Hearth__Op op = HEARTH__OP__INIT;
	Hearth__Record rec = HEARTH__RECORD__INIT;
	Hearth__Member mem = HEARTH__MEMBER__INIT;
	uint8_t id[16], op_id[16];
	push_body_check pre;
	wirebuf out = WIREBUF_INIT;
	Hearth__PushResponse *resp;
	Hearth__Record *got;
	MDB_txn *txn;
	MDB_val k = { 16, id }, v;

	(void)state;
	open_fixture(&f);
	uuid_v7(id);
	uuid_v7(op_id);
	mem.name = "李红梅";
	mem.gender = HEARTH__GENDER__GENDER_FEMALE;
	mem.category = HEARTH__MEMBER_CATEGORY__CATEGORY_FULL;
	mem.join_date = "2003-07-01";
	rec.id.data = id;
	rec.id.len = 16;
	rec.kind = HEARTH__KIND__KIND_MEMBER;
	rec.branch_id = "b1";
	rec.body_case = HEARTH__RECORD__BODY_MEMBER;
	rec.member = &mem;
	op.op_id.data = op_id;
	op.op_id.len = 16;
	op.record = &rec;
	push_body_precheck(&op, &pre);
	assert_true(pre.done);
	assert_null(pre.err);
	assert_non_null(pre.body);
	for (int run = 0; run < 2; run++) {
		wire_free(&out);
		assert_int_equal(mdb_txn_begin(f.s.env, NULL, 0, &txn), 0);
		assert_int_equal(push_op(&f.s, txn, &f.b1, &op, &pre, f.now, &out), 0);
		if (run == 0)
			mdb_txn_abort(txn);   /* as if another job of the group failed */
		else
			assert_int_equal(mdb_txn_commit(txn), 0);
	}
	assert_non_null(pre.body);
	resp = hearth__push_response__unpack(NULL, out.len, out.data);
	assert_non_null(resp);
	assert_int_equal(resp->results[0]->status, HEARTH__OP_STATUS__OP_APPLIED);
	hearth__push_response__free_unpacked(resp, NULL);
	assert_int_equal(mdb_txn_begin(f.s.env, NULL, MDB_RDONLY, &txn), 0);
	assert_int_equal(mdb_get(txn, f.s.records, &k, &v), 0);
	got = hearth__record__unpack(NULL, v.mv_size, v.mv_data);
	assert_non_null(got);
	/* The stored bytes are the ones protobuf-c packs for that record
	 * (revision.c writes the packed body after the other fields). */
	{
		size_t n = hearth__record__get_packed_size(got);
		uint8_t *again = malloc(n);
		assert_non_null(again);
		assert_int_equal(hearth__record__pack(got, again), n);
		assert_int_equal(n, v.mv_size);
		assert_memory_equal(again, v.mv_data, n);
		free(again);
	}
	mdb_txn_abort(txn);
	assert_non_null(got->member);
	assert_string_equal(got->member->name, "李红梅");
	assert_string_equal(got->member->join_date, "2003-07-01");
	hearth__record__free_unpacked(got, NULL);
	wire_free(&out);
	push_body_check_free(&pre);
	close_fixture(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_outcome),
		cmocka_unit_test(test_conflict_keeps_server_value),
		cmocka_unit_test(test_delete_conflicts_keep_server_copy),
		cmocka_unit_test(test_old_ledger_row_answers_without_record),
		cmocka_unit_test(test_duplicate_of_unseen_record_has_no_body),
		cmocka_unit_test(test_transfer_leaves_read_only_summary),
		cmocka_unit_test(test_backfill_summaries),
		cmocka_unit_test(test_checked_body_serves_a_second_run),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
