/* conflict_queue.c: benchmark of the conflict queue's index (issue 16
 * item 4; tests/bench, not a test: it prints figures and passes nothing).
 * A store holds CLOSED resolved conflicts and 1,000 open ones in 50
 * branches; it prints the median of 21 reads of the first page (500) of
 * every branch from the index (conflict_queue_read, what hearthd answers)
 * and, as the baseline in the same run, the median of 21 scans of the
 * whole conflicts database keeping the open ones (what answering without
 * the index costs), with their ratio, at each size; merge50 is the same
 * page read as a general's 50 branches are (a merge of their runs).
 *
 *   bench_conflict_queue [CLOSED...]   (default 10000 100000 1000000) */
#define _XOPEN_SOURCE 700
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "common/hearth.h"
#include "server/db/conflict_queue.h"
#include "server/db/store.h"

#define OPEN_N 1000
#define BRANCHES 50
#define RUNS 21

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb, (void)flag, (void)ftw;
	return remove(path);
}

/* Stores conflicts number from..to-1, open or resolved, in one write
 * transaction, as write_conflict does (the conflict and its index). */
static int put_range(store *s, uint64_t from, uint64_t to, int open)
{
	static const char phone[] = { 14 << 3 | 2, 11, '1', '3', '9', '1', '1', '1', '1', '1', '1', '1', '1' };
	Hearth__ConflictField cf = HEARTH__CONFLICT_FIELD__INIT, *cfp = &cf;
	MDB_txn *txn;
	uint8_t buf[512], id[16];
	int rc;

	cf.field = 14;
	cf.name = "phone";
	cf.server_value.data = (uint8_t *)phone;
	cf.server_value.len = sizeof(phone);
	cf.op_value = cf.server_value;
	if ((rc = store_err(mdb_txn_begin(s->env, NULL, 0, &txn))) != 0)
		return rc;
	for (uint64_t n = from; n < to && rc == 0; n++) {
		Hearth__Conflict c = HEARTH__CONFLICT__INIT;
		char branch[16];
		MDB_val k = { 16, id }, v;

		memset(id, 0, 16);
		id[6] = 0x70;
		for (int i = 0; i < 8; i++)
			id[8 + i] = (uint8_t)(n >> (56 - 8 * i));
		snprintf(branch, sizeof(branch), "b%03u", (unsigned)(n % BRANCHES));
		c.id.data = c.record_id.data = id;
		c.id.len = c.record_id.len = 16;
		c.kind = HEARTH__KIND__KIND_MEMBER;
		c.branch_id = branch;
		c.state = open ? HEARTH__CONFLICT_STATE__CONFLICT_OPEN : HEARTH__CONFLICT_STATE__CONFLICT_RESOLVED;
		c.seq = n + 1;
		c.created_at = (int64_t)n;
		c.server_by = "甲";
		c.op_by = "乙";
		c.fields = &cfp;
		c.n_fields = 1;
		v.mv_size = hearth__conflict__pack(&c, buf);
		v.mv_data = buf;
		rc = store_err(mdb_put(txn, s->conflicts, &k, &v, 0));
		if (rc == 0)
			rc = conflict_queue_track(s, txn, &c, 0);
	}
	if (rc != 0) {
		mdb_txn_abort(txn);
		return rc;
	}
	return store_err(mdb_txn_commit(txn));
}

/* The baseline: every stored conflict read, the open ones kept. */
static int scan_all(store *s, size_t *open)
{
	MDB_txn *txn;
	MDB_cursor *cur;
	MDB_val k, v;
	int rc;

	*open = 0;
	if ((rc = store_err(mdb_txn_begin(s->env, NULL, MDB_RDONLY, &txn))) != 0)
		return rc;
	if ((rc = store_err(mdb_cursor_open(txn, s->conflicts, &cur))) == 0) {
		for (rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0; rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
			Hearth__Conflict *c = hearth__conflict__unpack(NULL, v.mv_size, v.mv_data);
			if (c && c->state == HEARTH__CONFLICT_STATE__CONFLICT_OPEN)
				(*open)++;
			if (c)
				hearth__conflict__free_unpacked(c, NULL);
		}
		rc = rc == MDB_NOTFOUND ? 0 : store_err(rc);
		mdb_cursor_close(cur);
	}
	mdb_txn_abort(txn);
	return rc;
}

/* The first page of every branch (all: the 'a' run), or of the 50
 * branches as a general's subtree is read (a merge of 50 runs). */
static int page(store *s, int merge, size_t *n)
{
	static store_scope all = { .all = 1 }, fifty;
	conflict_queue_page p;
	MDB_txn *txn;
	int rc;

	if (!fifty.n)
		for (fifty.n = 0; fifty.n < BRANCHES; fifty.n++)
			snprintf(fifty.ids[fifty.n], sizeof(fifty.ids[0]), "b%03u", (unsigned)fifty.n);
	if ((rc = store_err(mdb_txn_begin(s->env, NULL, MDB_RDONLY, &txn))) != 0)
		return rc;
	rc = conflict_queue_read(s, txn, &(conflict_queue_args){ .scope = merge ? &fifty : &all,
	                                                         .limit = CONFLICT_QUEUE_LIMIT }, &p);
	mdb_txn_abort(txn);
	*n = p.n;
	conflict_queue_page_free(&p);
	return rc;
}

int main(int argc, char **argv)
{
	static const uint64_t defaults[] = { 10000, 100000, 1000000 };
	const char *base = getenv("HEARTH_TEST_TMP");
	char dir[512], err[512];
	store s;
	uint64_t have = 0;
	int nsizes = argc > 1 ? argc - 1 : 3;

	snprintf(dir, sizeof(dir), "%s/bench-cqueue-XXXXXX", base && *base ? base : "/tmp");
	if (!mkdtemp(dir) || store_open(&s, dir, 8ull << 30, err, sizeof(err)) != 0) {
		fprintf(stderr, "bench_conflict_queue: cannot make a store in %s: %s\n", dir, err);
		return 1;
	}
	printf("%10s %8s %12s %12s %12s %10s\n", "closed", "open", "page_ms", "merge50_ms", "scan_ms", "scan/page");
	for (int i = 0; i < nsizes; i++) {
		uint64_t want = argc > 1 ? strtoull(argv[i + 1], NULL, 10) : defaults[i];
		double tp[RUNS], tm[RUNS], ts[RUNS];
		size_t n = 0, m = 0, o = 0;

		/* The open ones are the oldest (numbers below OPEN_N); the closed
		 * ones are added after them at each size. */
		for (uint64_t at = have; at < want; at += 100000)
			if (put_range(&s, at + OPEN_N, (at + 100000 < want ? at + 100000 : want) + OPEN_N, 0) != 0)
				return 1;
		have = want;
		if (i == 0 && put_range(&s, 0, OPEN_N, 1) != 0)
			return 1;
		for (int r = 0; r < RUNS; r++) {
			double t0 = now_ms();
			if (page(&s, 0, &n) != 0)
				return 1;
			tp[r] = now_ms() - t0;
			t0 = now_ms();
			if (page(&s, 1, &m) != 0)
				return 1;
			tm[r] = now_ms() - t0;
			t0 = now_ms();
			if (scan_all(&s, &o) != 0)
				return 1;
			ts[r] = now_ms() - t0;
		}
		qsort(tp, RUNS, sizeof(double), cmp_double);
		qsort(tm, RUNS, sizeof(double), cmp_double);
		qsort(ts, RUNS, sizeof(double), cmp_double);
		printf("%10llu %8zu %12.3f %12.3f %12.3f %10.1f   (pages of %zu, %zu)\n", (unsigned long long)want, o,
		       tp[RUNS / 2], tm[RUNS / 2], ts[RUNS / 2], ts[RUNS / 2] / tp[RUNS / 2], n, m);
		fflush(stdout);
	}
	store_close(&s);
	nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	return 0;
}
