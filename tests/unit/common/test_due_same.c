/* test_due_same.c: common/due.c's due_compute against its version before
 * the 首页 speed work (issue 14 item 7), kept whole in due_reference.c
 * with its public names renamed: on generated snapshots with hundreds of
 * members owed each rule (visits, talks of every trigger, 需谈话事项,
 * pairings, dues unpaid and partial over many months, months without a
 * record, mobile members), with names long enough to be cut and members
 * deceased, suspended or unknown, the two give the same report byte for
 * byte: items in the same order, counts, campaigns. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/date.h"
#include "common/due.h"
#include "common/hearth.h"

/* The reference: the same file as it was, its public functions renamed so
 * they sit beside the library's (due.h is already included, so its
 * declarations keep the library's names). */
#define due_config_defaults ref_due_config_defaults
#define due_config_keys ref_due_config_keys
#define due_snapshot_init ref_due_snapshot_init
#define due_snapshot_keep ref_due_snapshot_keep
#define due_snapshot_sort ref_due_snapshot_sort
#define due_snapshot_free ref_due_snapshot_free
#define due_snapshot_put ref_due_snapshot_put
#define due_snapshot_remove ref_due_snapshot_remove
#define due_snapshot_view ref_due_snapshot_view
#define due_member ref_due_member
#define due_created_day ref_due_created_day
#define due_compute ref_due_compute
#define due_report_free ref_due_report_free
#define due_what_label ref_due_what_label
#define due_what_name ref_due_what_name
void ref_due_snapshot_free(due_snapshot *s);
void ref_due_report_free(due_report *r);
#include "due_reference.c"
#undef due_config_defaults
#undef due_config_keys
#undef due_snapshot_init
#undef due_snapshot_keep
#undef due_snapshot_sort
#undef due_snapshot_free
#undef due_snapshot_put
#undef due_snapshot_remove
#undef due_snapshot_view
#undef due_member
#undef due_created_day
#undef due_compute
#undef due_report_free
#undef due_what_label
#undef due_what_name

/* A deterministic stream of numbers (splitmix64). */
static uint64_t seed;
static uint64_t next(void)
{
	uint64_t z = (seed += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}
static unsigned pick(unsigned n)
{
	return (unsigned)(next() % n);
}

/* A UUIDv7-shaped id made n days after 2025-01-01, random in its tail. */
static void make_id(uint8_t id[16], int32_t day)
{
	uint64_t ms = (uint64_t)day * 86400000ull + pick(86400000u);
	uint64_t r = next();
	for (int i = 0; i < 6; i++)
		id[i] = (uint8_t)(ms >> (8 * (5 - i)));
	id[6] = 0x70 | (uint8_t)(r & 0x0f);
	id[7] = (uint8_t)(r >> 8);
	r = next();
	memcpy(id + 8, &r, 8);
	id[8] = (id[8] & 0x3f) | 0x80;
}

static void keep(due_snapshot *s, Hearth__Record *r, int32_t created)
{
	uint8_t id[16], *buf;
	size_t len;
	Hearth__Record *out;

	make_id(id, created);
	r->id.data = id;
	r->id.len = 16;
	r->branch_id = "b1";
	len = hearth__record__get_packed_size(r);
	buf = malloc(len ? len : 1);
	assert_non_null(buf);
	hearth__record__pack(r, buf);
	out = hearth__record__unpack(arena_allocator(&s->arena), len, buf);
	free(buf);
	assert_non_null(out);
	assert_int_equal(due_snapshot_keep(s, out, NULL), 0);
}

/* Some day from lo to hi as text into out[11], or "" now and then. */
static char *some_day(char out[11], int32_t lo, int32_t hi, int blank_one_in)
{
	if (blank_one_in && pick((unsigned)blank_one_in) == 0) {
		out[0] = '\0';
		return out;
	}
	date_format(lo + (int32_t)pick((unsigned)(hi - lo + 1)), out);
	return out;
}

static ProtobufCBinaryData member_ref(const due_snapshot *s)
{
	size_t nm = s->n[HEARTH__KIND__KIND_MEMBER];
	static uint8_t unknown[16] = { 0x01, 0x90, 0, 0, 0, 0, 0x70, 0, 0x80, 1, 2, 3, 4, 5, 6, 7 };
	if (pick(50) == 0)
		return (ProtobufCBinaryData){ 16, unknown };   /* a member not in the snapshot */
	return s->recs[HEARTH__KIND__KIND_MEMBER][pick((unsigned)nm)]->id;
}

static void generate(due_snapshot *s, unsigned nm, int32_t today)
{
	int32_t lo = today - 900;
	static const char *const fam[] = { "王", "李", "张", "刘", "陈", "欧阳" };
	static const char *const helpers[] = { "社区党委", "张三", "" };

	for (unsigned i = 0; i < nm; i++) {
		Hearth__Record r = HEARTH__RECORD__INIT;
		Hearth__Member m = HEARTH__MEMBER__INIT;
		Hearth__ProgressNote cn[3], *cp[3];
		Hearth__TalkNeed tn[3], *tp[3];
		char name[200], jd[11], cd[3][11], td[3][11], note[3][40];

		if (pick(40) == 0) {
			/* Long enough that the item's 80 bytes cut it, mid-character. */
			size_t n = 0;
			while (n < 150)
				n += (size_t)snprintf(name + n, sizeof(name) - n, "%s", fam[pick(6)]);
		} else {
			/* Few distinct names: ties of name, and of the first 8 bytes. */
			snprintf(name, sizeof(name), "%s%s%u", fam[pick(6)], pick(3) ? "" : "小", pick(60));
		}
		m.name = name;
		m.join_date = some_day(jd, today - 500, today + 40, 4);
		m.standing = pick(12) == 0 ? HEARTH__STANDING__STANDING_DECEASED :
		             pick(12) == 0 ? HEARTH__STANDING__STANDING_SUSPENDED :
		             pick(12) == 0 ? HEARTH__STANDING__STANDING_LEFT : HEARTH__STANDING__STANDING_NORMAL;
		m.mobile = pick(4) == 0;
		m.destination = pick(2) ? "广东省深圳市" : "";
		m.n_contacts = pick(4);
		for (size_t k = 0; k < m.n_contacts; k++) {
			hearth__progress_note__init(&cn[k]);
			cn[k].date = some_day(cd[k], lo, today + 20, 6);
			cn[k].channel = pick(2) ? "电话" : "";
			cp[k] = &cn[k];
		}
		m.contacts = cp;
		m.n_talk_needs = pick(5) == 0 ? 1 + pick(3) : 0;
		for (size_t k = 0; k < m.n_talk_needs; k++) {
			hearth__talk_need__init(&tn[k]);
			tn[k].reason = (Hearth__TalkTrigger)(1 + pick(7));
			tn[k].date = some_day(td[k], lo, today + 10, 8);
			snprintf(note[k], sizeof(note[k]), "%s", pick(2) ? "家庭矛盾" : "");
			tn[k].note = note[k];
			tp[k] = &tn[k];
		}
		m.talk_needs = tp;
		r.kind = HEARTH__KIND__KIND_MEMBER;
		r.body_case = HEARTH__RECORD__BODY_MEMBER;
		r.member = &m;
		keep(s, &r, lo + (int32_t)pick(900));
	}
	due_snapshot_sort(s);   /* the others name members by id */

	for (unsigned i = 0; i < nm / 2; i++) {
		Hearth__Record r = HEARTH__RECORD__INIT;
		Hearth__Hardship h = HEARTH__HARDSHIP__INIT;
		char d[11], c[11];
		h.member = member_ref(s);
		h.certified_at = some_day(d, lo, today + 5, 10);
		h.status = (Hearth__HardshipStatus)(1 + pick(4));
		h.closed_date = some_day(c, lo, today, 3);
		r.kind = HEARTH__KIND__KIND_HARDSHIP;
		r.body_case = HEARTH__RECORD__BODY_HARDSHIP;
		r.hardship = &h;
		keep(s, &r, lo + (int32_t)pick(900));
	}
	for (unsigned i = 0; i < nm * 3; i++) {
		Hearth__Record r = HEARTH__RECORD__INIT;
		Hearth__Visit v = HEARTH__VISIT__INIT;
		ProtobufCBinaryData mem[3];
		char d[11];
		v.n_members = 1 + pick(3);
		for (size_t k = 0; k < v.n_members; k++)
			mem[k] = member_ref(s);
		v.members = mem;
		v.date = some_day(d, lo, today + 30, 20);
		v.occasion = (Hearth__VisitOccasion)(1 + pick(6));
		v.status = (Hearth__VisitStatus)pick(4);
		r.kind = HEARTH__KIND__KIND_VISIT;
		r.body_case = HEARTH__RECORD__BODY_VISIT;
		r.visit = &v;
		keep(s, &r, lo + (int32_t)pick(900));
	}
	for (unsigned i = 0; i < nm; i++) {
		Hearth__Record r = HEARTH__RECORD__INIT;
		Hearth__Talk t = HEARTH__TALK__INIT;
		ProtobufCBinaryData mem[2];
		char d[11];
		t.n_members = 1 + pick(2);
		for (size_t k = 0; k < t.n_members; k++)
			mem[k] = member_ref(s);
		t.members = mem;
		t.trigger = (Hearth__TalkTrigger)(1 + pick(7));
		t.date = some_day(d, lo, today + 10, 20);
		r.kind = HEARTH__KIND__KIND_TALK;
		r.body_case = HEARTH__RECORD__BODY_TALK;
		r.talk = &t;
		keep(s, &r, lo + (int32_t)pick(900));
	}
	for (unsigned i = 0; i < nm / 2; i++) {
		Hearth__Record r = HEARTH__RECORD__INIT;
		Hearth__Pairing p = HEARTH__PAIRING__INIT;
		Hearth__ProgressNote pn[3], *pp[3];
		char d[11], nd[3][11];
		p.member = member_ref(s);
		p.helper = (char *)helpers[pick(3)];
		p.start_date = some_day(d, lo, today + 5, 8);
		p.status = (Hearth__PairingStatus)(1 + pick(2));
		p.n_notes = pick(4);
		for (size_t k = 0; k < p.n_notes; k++) {
			hearth__progress_note__init(&pn[k]);
			pn[k].date = some_day(nd[k], lo, today + 10, 6);
			pp[k] = &pn[k];
		}
		p.notes = pp;
		r.kind = HEARTH__KIND__KIND_PAIRING;
		r.body_case = HEARTH__RECORD__BODY_PAIRING;
		r.pairing = &p;
		keep(s, &r, lo + (int32_t)pick(900));
	}
	for (unsigned i = 0; i < nm / 4; i++) {
		Hearth__Record r = HEARTH__RECORD__INIT;
		Hearth__Transfer t = HEARTH__TRANSFER__INIT;
		char a[11], b[11];
		t.member = member_ref(s);
		t.from_branch = "一支部";
		t.to_branch = "二支部";
		t.status = (Hearth__TransferStatus)(1 + pick(3));
		t.issued_date = some_day(a, lo, today, 8);
		t.accepted_date = some_day(b, lo, today, 8);
		r.kind = HEARTH__KIND__KIND_TRANSFER;
		r.body_case = HEARTH__RECORD__BODY_TRANSFER;
		r.transfer = &t;
		keep(s, &r, lo + (int32_t)pick(900));

		Hearth__Record r2 = HEARTH__RECORD__INIT;
		Hearth__Honor h = HEARTH__HONOR__INIT;
		char d[11];
		h.member = member_ref(s);
		h.title = (Hearth__HonorTitle)(1 + pick(5));
		h.title_other = pick(2) ? "抗洪先进个人" : "";
		h.status = (Hearth__HonorStatus)(1 + pick(4));
		h.date = some_day(d, lo, today, 8);
		r2.kind = HEARTH__KIND__KIND_HONOR;
		r2.body_case = HEARTH__RECORD__BODY_HONOR;
		r2.honor = &h;
		keep(s, &r2, lo + (int32_t)pick(900));
	}
	/* Dues: most members with many months, unpaid, partial or paid, so
	 * the months lists run past their room; some months missing. */
	int32_t now;
	char t[11];
	date_format(today, t);
	t[7] = '\0';
	assert_int_equal(date_parse_month(t, &now), 0);
	for (unsigned i = 0; i < s->n[HEARTH__KIND__KIND_MEMBER]; i++) {
		ProtobufCBinaryData who = s->recs[HEARTH__KIND__KIND_MEMBER][i]->id;
		int32_t from = now - 1 - (int32_t)pick(30);
		if (pick(5) == 0)
			continue;
		for (int32_t mo = from; mo < now; mo++) {
			Hearth__Record r = HEARTH__RECORD__INIT;
			Hearth__Dues d = HEARTH__DUES__INIT;
			char month[16];
			if (pick(6) == 0)
				continue;
			snprintf(month, sizeof(month), "%04d-%02d", (int)(mo / 12), (int)(mo % 12 + 1));
			d.member = pick(100) ? who : member_ref(s);
			d.month = pick(200) ? month : "2026-13";
			d.status = (Hearth__DuesStatus)(1 + pick(4));
			d.due = 1000 + pick(90000);
			d.paid = d.status == HEARTH__DUES_STATUS__DUES_STATUS_PARTIAL ? pick(2000) : 0;
			r.kind = HEARTH__KIND__KIND_DUES;
			r.body_case = HEARTH__RECORD__BODY_DUES;
			r.dues = &d;
			keep(s, &r, lo + (int32_t)pick(900));
		}
	}
	due_snapshot_sort(s);
}

static void expect_same(const due_report *a, const due_report *b)
{
	assert_int_equal(a->n_items, b->n_items);
	for (size_t i = 0; i < a->n_items; i++) {
		const due_item *x = &a->items[i], *y = &b->items[i];
		assert_int_equal(x->what, y->what);
		assert_memory_equal(x->member, y->member, 16);
		assert_memory_equal(x->record, y->record, 16);
		assert_string_equal(x->member_name, y->member_name);
		assert_string_equal(x->reason, y->reason);
		assert_string_equal(x->detail, y->detail);
		assert_int_equal(x->since, y->since);
		assert_int_equal(x->days, y->days);
		assert_int_equal(x->deadline, y->deadline);
		assert_int_equal(x->overdue, y->overdue);
		assert_int_equal(x->amount, y->amount);
		assert_int_equal(x->months, y->months);
	}
	assert_memory_equal(a->counts, b->counts, sizeof(a->counts));
	assert_int_equal(a->talks_overdue, b->talks_overdue);
	assert_int_equal(a->year, b->year);
	for (size_t c = 0; c < 2; c++) {
		assert_int_equal(a->campaigns[c].occasion, b->campaigns[c].occasion);
		assert_int_equal(a->campaigns[c].visited, b->campaigns[c].visited);
		assert_int_equal(a->campaigns[c].total, b->campaigns[c].total);
		assert_int_equal(a->campaigns[c].n_missing, b->campaigns[c].n_missing);
		for (size_t m = 0; m < a->campaigns[c].n_missing; m++)
			assert_string_equal(a->campaigns[c].missing[m], b->campaigns[c].missing[m]);
	}
}

static void run(uint64_t with_seed, unsigned members, const char *day, const due_config *cfg)
{
	due_snapshot s;
	due_report now, then;
	int32_t today;
	size_t owed[DUE_WHAT_COUNT] = { 0 };

	seed = with_seed;
	assert_int_equal(date_parse(day, &today), 0);
	due_snapshot_init(&s);
	generate(&s, members, today);
	assert_int_equal(due_compute(&s, today, cfg, &now), 0);
	assert_int_equal(ref_due_compute(&s, today, cfg, &then), 0);
	expect_same(&now, &then);
	/* The snapshot owes something under every rule: each was compared. */
	for (size_t i = 0; i < now.n_items; i++)
		owed[now.items[i].what]++;
	for (int w = 0; w < DUE_WHAT_COUNT; w++)
		assert_true(owed[w] > 10);
	due_report_free(&now);
	due_report_free(&then);
	due_snapshot_free(&s);
}

static void test_same_report_as_before(void **state)
{
	due_config cfg;
	(void)state;

	due_config_defaults(&cfg);
	run(1, 600, "2026-12-03", &cfg);
	run(2, 1500, "2026-01-31", &cfg);
	run(3, 400, "2026-07-01", &cfg);
}

static void test_same_report_other_thresholds(void **state)
{
	due_config cfg = { .visit_gap_days = 10, .talk_window_days = 3, .talk_lookback_days = 800,
		           .note_gap_days = 5, .dues_months = 1, .contact_gap_days = 7 };
	(void)state;

	run(4, 800, "2026-12-03", &cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_same_report_as_before),
		cmocka_unit_test(test_same_report_other_thresholds),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
