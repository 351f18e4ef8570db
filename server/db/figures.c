/* figures.c: keeps the committee's counters per branch and year in step
 * with every record revision, and makes them once for an older store
 * (figures.h says what is kept where). */
#include "server/db/figures.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/hearth.h"
#include "common/record_peek.h"

#define BUILT_KEY "#built"
#define BRANCH_MAX 63
/* The (branch, year) counters one change touches before they are written:
 * a record adds to at most two years (a transfer issued and accepted in
 * different years) and the current figures, before and after. */
#define SLOTS 8

typedef struct slot {
	char branch[BRANCH_MAX + 1];
	int year;
	int64_t v[FC_COUNT];
} slot;

typedef struct change {
	store *s;
	MDB_txn *txn;
	const char *branch;   /* of the record being added or taken away */
	int sign;             /* +1 adding, -1 taking away */
	slot slots[SLOTS];
	size_t n;
	int rc;
} change;

static void be32_put(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static uint32_t be32_get(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* 'c' be32(year) branch: the key of one branch's counters. Year first, so
 * a year's figures are one range of keys, whatever other years hold. */
static size_t counter_key(uint8_t *k, const char *branch, int year)
{
	size_t bl = strlen(branch);

	if (bl > BRANCH_MAX)
		bl = BRANCH_MAX;
	k[0] = 'c';
	be32_put(k + 1, (uint32_t)year);
	memcpy(k + 5, branch, bl);
	return bl + 5;
}

/* Adds v[] to the stored counters of (branch, year). */
static int write_slot(store *s, MDB_txn *txn, const slot *sl)
{
	uint8_t kb[BRANCH_MAX + 8];
	int64_t v[FC_COUNT];
	MDB_val k, d;
	int rc, any = 0, changed = 0;

	k.mv_size = counter_key(kb, sl->branch, sl->year);
	k.mv_data = kb;
	memset(v, 0, sizeof(v));
	rc = mdb_get(txn, s->figures, &k, &d);
	if (rc == 0)
		memcpy(v, d.mv_data, d.mv_size < sizeof(v) ? d.mv_size : sizeof(v));
	else if (rc != MDB_NOTFOUND)
		return store_err(rc);
	for (int i = 0; i < FC_COUNT; i++) {
		changed |= sl->v[i] != 0;
		v[i] += sl->v[i];
		any |= v[i] != 0;
	}
	/* An edit that moves no counter (a phone number) writes nothing. */
	if (!changed)
		return 0;
	if (!any)
		return rc == 0 ? store_err(mdb_del(txn, s->figures, &k, NULL)) : 0;
	d.mv_size = sizeof(v);
	d.mv_data = v;
	return store_err(mdb_put(txn, s->figures, &k, &d, 0));
}

static int flush(change *c)
{
	for (size_t i = 0; i < c->n && c->rc == 0; i++)
		c->rc = write_slot(c->s, c->txn, &c->slots[i]);
	c->n = 0;
	return c->rc;
}

/* figure_add_fn: one counter of (c->branch or branch, year) moves by v. */
static void add_to(change *c, const char *branch, int year, int fc, int64_t v)
{
	slot *sl = NULL;

	if (c->rc || fc < 0 || fc >= FC_COUNT)
		return;
	for (size_t i = 0; i < c->n && !sl; i++)
		if (c->slots[i].year == year && !strcmp(c->slots[i].branch, branch))
			sl = &c->slots[i];
	if (!sl) {
		if (c->n == SLOTS && flush(c) != 0)
			return;
		sl = &c->slots[c->n++];
		memset(sl, 0, sizeof(*sl));
		snprintf(sl->branch, sizeof(sl->branch), "%s", branch);
		sl->year = year;
	}
	sl->v[fc] += v;
}

static void add(void *ctx, int year, int fc, int64_t v)
{
	change *c = ctx;
	add_to(c, c->branch, year, fc, c->sign * v);
}

/* Moves the reference count under key k by sign; *was and *now get the
 * count before and after. */
static int refcount(change *c, uint8_t *kb, size_t kl, uint32_t *was, uint32_t *now)
{
	MDB_val k = { kl, kb }, d;
	uint8_t vb[4];
	int rc = mdb_get(c->txn, c->s->figures, &k, &d);

	*was = rc == 0 && d.mv_size == 4 ? be32_get(d.mv_data) : 0;
	if (rc != 0 && rc != MDB_NOTFOUND)
		return store_err(rc);
	/* Never below zero: a count that was already wrong stays at zero
	 * rather than refusing the change (figures_ensure makes it again). */
	if (c->sign < 0 && *was == 0) {
		*now = 0;
		return 0;
	}
	*now = c->sign > 0 ? *was + 1 : *was - 1;
	if (*now == 0)
		return store_err(mdb_del(c->txn, c->s->figures, &k, NULL));
	be32_put(vb, *now);
	d.mv_size = 4;
	d.mv_data = vb;
	return store_err(mdb_put(c->txn, c->s->figures, &k, &d, 0));
}

/* The occasion counter a coverage mark moves. */
static int covered_fc(int occ)
{
	return occ == 1 ? FC_SPRING_VISITED : FC_JULY_VISITED;
}

/* A member's open ledger entry in c->branch came or went. The first (or
 * last) one makes her a 困难党员 of the branch, and covered for every
 * occasion and year she was visited on. */
static int ledger_mark(change *c, const uint8_t member[16])
{
	uint8_t kb[1 + 16 + BRANCH_MAX + 1], pre[17];
	size_t bl = strlen(c->branch) > BRANCH_MAX ? BRANCH_MAX : strlen(c->branch);
	uint32_t was, now;
	MDB_cursor *cur;
	MDB_val k, d;
	int rc;

	kb[0] = 'l';
	memcpy(kb + 1, member, 16);
	memcpy(kb + 17, c->branch, bl);
	if ((rc = refcount(c, kb, 17 + bl, &was, &now)) != 0)
		return rc;
	if ((was == 0) == (now == 0))
		return 0;
	add_to(c, c->branch, 0, FC_HARDSHIP_MEMBERS, c->sign);
	pre[0] = 'v';
	memcpy(pre + 1, member, 16);
	if ((rc = store_err(mdb_cursor_open(c->txn, c->s->figures, &cur))) != 0)
		return rc;
	k.mv_size = 17;
	k.mv_data = pre;
	for (rc = mdb_cursor_get(cur, &k, &d, MDB_SET_RANGE); rc == 0 && c->rc == 0;
	     rc = mdb_cursor_get(cur, &k, &d, MDB_NEXT)) {
		const uint8_t *kv = k.mv_data;
		if (k.mv_size != 22 || memcmp(kv, pre, 17))
			break;
		add_to(c, c->branch, (int)be32_get(kv + 18), covered_fc(kv[17]), c->sign);
	}
	mdb_cursor_close(cur);
	return rc == 0 || rc == MDB_NOTFOUND ? c->rc : store_err(rc);
}

/* A member's counted visit on occasion occ in year came or went. The
 * first (or last) one covers her in every branch where she has an open
 * ledger entry. */
static int visit_mark(change *c, const uint8_t member[16], int occ, int year)
{
	uint8_t kb[22], pre[17];
	uint32_t was, now;
	MDB_cursor *cur;
	MDB_val k, d;
	int rc;

	kb[0] = 'v';
	memcpy(kb + 1, member, 16);
	kb[17] = (uint8_t)occ;
	be32_put(kb + 18, (uint32_t)year);
	if ((rc = refcount(c, kb, sizeof(kb), &was, &now)) != 0)
		return rc;
	if ((was == 0) == (now == 0))
		return 0;
	pre[0] = 'l';
	memcpy(pre + 1, member, 16);
	if ((rc = store_err(mdb_cursor_open(c->txn, c->s->figures, &cur))) != 0)
		return rc;
	k.mv_size = 17;
	k.mv_data = pre;
	for (rc = mdb_cursor_get(cur, &k, &d, MDB_SET_RANGE); rc == 0 && c->rc == 0;
	     rc = mdb_cursor_get(cur, &k, &d, MDB_NEXT)) {
		char branch[BRANCH_MAX + 1];
		size_t bl = k.mv_size - 17;
		if (k.mv_size < 17 || memcmp(k.mv_data, pre, 17) || bl > BRANCH_MAX)
			break;
		memcpy(branch, (const uint8_t *)k.mv_data + 17, bl);
		branch[bl] = 0;
		add_to(c, branch, year, covered_fc(occ), c->sign);
	}
	mdb_cursor_close(cur);
	return rc == 0 || rc == MDB_NOTFOUND ? c->rc : store_err(rc);
}

/* Adds (sign +1) or takes away (-1) everything rec counts for. */
static int apply(change *c, const Hearth__Record *rec, int sign)
{
	int rc = 0;

	c->branch = rec->branch_id ? rec->branch_id : "";
	c->sign = sign;
	figure_contributions(rec, add, c);
	if (c->rc || rec->deleted)
		return c->rc;
	if (rec->body_case == HEARTH__RECORD__BODY_HARDSHIP && figure_hardship_open(rec->hardship) &&
	    rec->hardship->member.len == 16)
		rc = ledger_mark(c, rec->hardship->member.data);
	if (rec->body_case == HEARTH__RECORD__BODY_VISIT) {
		const Hearth__Visit *v = rec->visit;
		int year, occ = figure_visit_occasion(v, &year);
		/* Each member once per visit, as stats.c marks them. */
		for (size_t i = 0; occ && rc == 0 && i < v->n_members; i++) {
			int seen = 0;
			if (v->members[i].len != 16)
				continue;
			for (size_t j = 0; j < i && !seen; j++)
				seen = v->members[j].len == 16 && !memcmp(v->members[j].data, v->members[i].data, 16);
			if (!seen)
				rc = visit_mark(c, v->members[i].data, occ, year);
		}
	}
	return rc ? rc : c->rc;
}

/* The kinds that count toward some figure (activities and disclosures
 * do not): the others are left out before anything is unpacked. */
static int kind_counts(int kind)
{
	switch (kind) {
	case HEARTH__KIND__KIND_MEMBER: case HEARTH__KIND__KIND_HARDSHIP:
	case HEARTH__KIND__KIND_VISIT: case HEARTH__KIND__KIND_TALK:
	case HEARTH__KIND__KIND_PAIRING: case HEARTH__KIND__KIND_HONOR:
	case HEARTH__KIND__KIND_DUES: case HEARTH__KIND__KIND_TRANSFER:
		return 1;
	default: return 0;
	}
}

int figures_record_changed(store *s, MDB_txn *txn, const Hearth__Record *old, const uint8_t *new_rec,
                           size_t new_len)
{
	Hearth__Record *now = NULL;
	record_peek pk;
	change ch, *c = &ch;
	int rc = 0, take_old, add_new;

	/* A tombstone adds nothing, so it is never unpacked: only what the
	 * old revision counted goes. */
	if (record_peek_bytes(new_rec, new_len, &pk) != 0)
		return HEARTH_ECORRUPT;
	take_old = old && !old->deleted && kind_counts(old->kind);
	add_new = !pk.deleted && kind_counts(pk.kind);
	if (!take_old && !add_new)
		return 0;
	/* The slots are cleared as they are taken (add_to), not here. */
	c->s = s;
	c->txn = txn;
	c->n = 0;
	c->rc = 0;
	if (add_new && !(now = hearth__record__unpack(NULL, new_len, new_rec))) {
		rc = HEARTH_ECORRUPT;
		goto fail;
	}
	/* The old revision's marks go before the new one's come, so a
	 * reference count passes through zero only when it truly does. */
	if (take_old)
		rc = apply(c, old, -1);
	if (rc == 0 && now)
		rc = apply(c, now, +1);
	if (rc == 0)
		rc = flush(c);
fail:
	if (now)
		hearth__record__free_unpacked(now, NULL);
	return rc;
}

static int count_record(void *ctx, MDB_txn *txn, const MDB_val *key, const MDB_val *value)
{
	(void)key;
	return figures_record_changed(ctx, txn, NULL, value->mv_data, value->mv_size);
}

int figures_ensure(store *s, MDB_txn *txn, int *rebuilt)
{
	return store_derive_once(txn, s->figures, BUILT_KEY, s->records, count_record, s, rebuilt);
}

/* Adds the counters of year to *rows (grown as needed): one range scan. */
static int read_year(store *s, MDB_txn *txn, int year, figures_row **rows, size_t *n, size_t *cap)
{
	uint8_t pre[5];
	MDB_cursor *cur;
	MDB_val k = { 5, pre }, d;
	int rc;

	pre[0] = 'c';
	be32_put(pre + 1, (uint32_t)year);
	if ((rc = store_err(mdb_cursor_open(txn, s->figures, &cur))) != 0)
		return rc;
	for (rc = mdb_cursor_get(cur, &k, &d, MDB_SET_RANGE); rc == 0; rc = mdb_cursor_get(cur, &k, &d, MDB_NEXT)) {
		figures_row *row;
		size_t bl = k.mv_size - 5;

		if (k.mv_size < 5 || memcmp(k.mv_data, pre, 5))
			break;
		if (bl > BRANCH_MAX)
			continue;
		if (*n == *cap) {
			size_t nc = *cap ? *cap * 2 : 32;
			figures_row *g = realloc(*rows, nc * sizeof(*g));
			if (!g) {
				mdb_cursor_close(cur);
				return HEARTH_ENOMEM;
			}
			*rows = g;
			*cap = nc;
		}
		row = &(*rows)[(*n)++];
		memset(row, 0, sizeof(*row));
		memcpy(row->branch, (const uint8_t *)k.mv_data + 5, bl);
		memcpy(row->v, d.mv_data, d.mv_size < sizeof(row->v) ? d.mv_size : sizeof(row->v));
	}
	mdb_cursor_close(cur);
	return rc == 0 || rc == MDB_NOTFOUND ? 0 : store_err(rc);
}

static int row_cmp(const void *a, const void *b)
{
	return strcmp(((const figures_row *)a)->branch, ((const figures_row *)b)->branch);
}

int figures_read(store *s, MDB_txn *txn, int year, figures_row **rows, size_t *n)
{
	figures_row *out = NULL;
	size_t cap = 0, cnt = 0, w = 0;
	int rc;

	*rows = NULL;
	*n = 0;
	/* The figures as they stand now (year 0), then the year's; a branch
	 * with both gets one row with their sum (they count different things). */
	if ((rc = read_year(s, txn, 0, &out, &cnt, &cap)) != 0 ||
	    (year != 0 && (rc = read_year(s, txn, year, &out, &cnt, &cap)) != 0)) {
		free(out);
		return rc;
	}
	if (cnt > 1)
		qsort(out, cnt, sizeof(*out), row_cmp);
	for (size_t i = 0; i < cnt; i++) {
		if (w && !strcmp(out[w - 1].branch, out[i].branch)) {
			for (int f = 0; f < FC_COUNT; f++)
				out[w - 1].v[f] += out[i].v[f];
			continue;
		}
		if (w != i)
			out[w] = out[i];
		w++;
	}
	*rows = out;
	*n = w;
	return 0;
}

int figures_read_branch(store *s, MDB_txn *txn, int year, const char *branch, figures_row *row)
{
	uint8_t kb[BRANCH_MAX + 8];
	MDB_val k, d;

	memset(row, 0, sizeof(*row));
	snprintf(row->branch, sizeof(row->branch), "%s", branch);
	for (int pass = 0; pass < (year != 0 ? 2 : 1); pass++) {
		int64_t v[FC_COUNT];
		int rc;

		k.mv_size = counter_key(kb, branch, pass ? year : 0);
		k.mv_data = kb;
		rc = mdb_get(txn, s->figures, &k, &d);
		if (rc == MDB_NOTFOUND)
			continue;
		if (rc != 0)
			return store_err(rc);
		memset(v, 0, sizeof(v));
		memcpy(v, d.mv_data, d.mv_size < sizeof(v) ? d.mv_size : sizeof(v));
		for (int f = 0; f < FC_COUNT; f++)
			row->v[f] += v[f];
	}
	return 0;
}
