/* test_writer.c: the writer's group commit: jobs submitted from several
 * producer threads while the writer is busy land in one commit; a failing
 * job does not take the others down; done() fires exactly once per job
 * (callbacks are counted, as libuv's tests do). */
#define _XOPEN_SOURCE 700
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ftw.h>
#include <pthread.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "common/audit.h"
#include "common/hearth.h"
#include "server/db/job.h"
#include "server/db/store.h"
#include "server/writer.h"

#define PRODUCERS 4
#define PER_PRODUCER 8

typedef struct tjob {
	job base;
	int id;
	int fail;                   /* run() returns HEARTH_EINVAL */
	int runs;                   /* writer thread */
	MDB_txn *txn;               /* the transaction of the last run */
	int done_calls;             /* loop thread */
	int done_rc;
} tjob;

static struct {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int open;                   /* the gate job may finish */
	int entered;                /* the gate job is running */
	int done;                   /* done() callbacks fired */
} g = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0, 0 };

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb, (void)flag, (void)ftw;
	return remove(path);
}

/* Writes meta "job/<id>" so the test can see which jobs were committed. */
static int run_put(store *s, MDB_txn *txn, job *base)
{
	tjob *t = (tjob *)base;
	char key[32];
	MDB_val k, v = { 1, "x" };

	t->runs++;
	t->txn = txn;
	snprintf(key, sizeof(key), "job/%d", t->id);
	k.mv_size = strlen(key);
	k.mv_data = key;
	if (mdb_put(txn, s->meta, &k, &v, 0) != 0)
		return HEARTH_ESTORE;
	return t->fail ? HEARTH_EINVAL : 0;
}

/* Holds the writer in its transaction until the test opens the gate, so
 * everything submitted meanwhile queues for the next group. */
static int run_gate(store *s, MDB_txn *txn, job *base)
{
	(void)s, (void)txn, (void)base;
	pthread_mutex_lock(&g.mu);
	g.entered = 1;
	pthread_cond_broadcast(&g.cv);
	while (!g.open)
		pthread_cond_wait(&g.cv, &g.mu);
	pthread_mutex_unlock(&g.mu);
	return 0;
}

static void on_done(job *base)
{
	tjob *t = (tjob *)base;
	t->done_calls++;
	t->done_rc = base->rc;
	g.done++;
}

typedef struct producer {
	writer *w;
	tjob *jobs;
} producer;

static void *produce(void *arg)
{
	producer *p = arg;
	for (int i = 0; i < PER_PRODUCER; i++)
		writer_submit(p->w, &p->jobs[i].base);
	return NULL;
}

typedef struct fixture {
	char dir[512];
	store s;
	uv_loop_t loop;
	writer w;
} fixture;

static void open_fixture_opts(fixture *f, EVP_PKEY *audit_key);

static void open_fixture(fixture *f)
{
	open_fixture_opts(f, NULL);
}

/* As open_fixture, with the writer signing commits with audit_key. */
static void open_fixture_opts(fixture *f, EVP_PKEY *audit_key)
{
	const char *base = getenv("HEARTH_TEST_TMP");
	char err[512];

	memset(f, 0, sizeof(*f));
	if (!base || !*base)
		base = "/tmp";
	mkdir(base, 0700);
	snprintf(f->dir, sizeof(f->dir), "%s/writer-XXXXXX", base);
	assert_non_null(mkdtemp(f->dir));
	assert_int_equal(store_open(&f->s, f->dir, 16ull << 20, err, sizeof(err)), 0);
	assert_int_equal(uv_loop_init(&f->loop), 0);
	assert_int_equal(writer_start(&f->w, &f->loop,
	                                      &(writer_opts){ .st = &f->s, .group_commit = 1,
	                                                      .audit_key = audit_key }), 0);
	g.open = g.entered = g.done = 0;
}

static void close_fixture(fixture *f)
{
	writer_stop(&f->w);
	uv_run(&f->loop, UV_RUN_DEFAULT);
	assert_int_equal(uv_loop_close(&f->loop), 0);
	store_close(&f->s);
	nftw(f->dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static int committed(fixture *f, int id)
{
	MDB_txn *txn;
	char key[32];
	MDB_val k, v;
	int rc;

	snprintf(key, sizeof(key), "job/%d", id);
	k.mv_size = strlen(key);
	k.mv_data = key;
	assert_int_equal(mdb_txn_begin(f->s.env, NULL, MDB_RDONLY, &txn), 0);
	rc = mdb_get(txn, f->s.meta, &k, &v);
	mdb_txn_abort(txn);
	return rc == 0;
}

/* Submits the gate, lets PRODUCERS threads submit their jobs while the
 * gate holds the writer, opens it, and runs the loop until every done()
 * fired. */
static void run_group(fixture *f, tjob *gate, tjob *jobs, int n)
{
	pthread_t th[PRODUCERS];
	producer p[PRODUCERS];

	gate->base.run = run_gate;
	gate->base.done = on_done;
	writer_submit(&f->w, &gate->base);
	pthread_mutex_lock(&g.mu);
	while (!g.entered)
		pthread_cond_wait(&g.cv, &g.mu);
	pthread_mutex_unlock(&g.mu);
	for (int i = 0; i < PRODUCERS; i++) {
		p[i].w = &f->w;
		p[i].jobs = jobs + i * PER_PRODUCER;
		assert_int_equal(pthread_create(&th[i], NULL, produce, &p[i]), 0);
	}
	for (int i = 0; i < PRODUCERS; i++)
		pthread_join(th[i], NULL);
	pthread_mutex_lock(&g.mu);
	g.open = 1;
	pthread_cond_broadcast(&g.cv);
	pthread_mutex_unlock(&g.mu);
	while (g.done < n + 1)
		uv_run(&f->loop, UV_RUN_ONCE);
}

static void make_jobs(tjob *jobs, int n)
{
	memset(jobs, 0, (size_t)n * sizeof(*jobs));
	for (int i = 0; i < n; i++) {
		jobs[i].id = i;
		jobs[i].base.run = run_put;
		jobs[i].base.done = on_done;
		jobs[i].base.n_ops = 1;
	}
}

static void test_producers_share_one_commit(void **state)
{
	enum { n = PRODUCERS * PER_PRODUCER };
	fixture f;
	tjob gate, jobs[n];
	job_stats st;

	(void)state;
	memset(&gate, 0, sizeof(gate));
	make_jobs(jobs, n);
	open_fixture(&f);
	run_group(&f, &gate, jobs, n);
	writer_stats(&f.w, &st);
	/* One commit for the gate, one for everything that queued behind it. */
	assert_int_equal(st.commits, 2);
	assert_int_equal(st.ops, n);
	for (int i = 0; i < n; i++) {
		assert_int_equal(jobs[i].runs, 1);
		assert_ptr_equal(jobs[i].txn, jobs[0].txn);
		assert_int_equal(jobs[i].done_calls, 1);
		assert_int_equal(jobs[i].done_rc, 0);
		assert_true(committed(&f, i));
	}
	assert_int_equal(gate.done_calls, 1);
	close_fixture(&f);
	assert_int_equal(g.done, n + 1);
}

static void test_failing_job_spares_the_others(void **state)
{
	enum { n = PRODUCERS * PER_PRODUCER, bad = 13 };
	fixture f;
	tjob gate, jobs[n];
	job_stats st;

	(void)state;
	memset(&gate, 0, sizeof(gate));
	make_jobs(jobs, n);
	jobs[bad].fail = 1;
	open_fixture(&f);
	run_group(&f, &gate, jobs, n);
	writer_stats(&f.w, &st);
	/* The group aborted; each job then ran alone: the gate, n - 1 good. */
	assert_int_equal(st.commits, 1 + (n - 1));
	for (int i = 0; i < n; i++) {
		assert_int_equal(jobs[i].done_calls, 1);
		/* The group stopped at the failing job: those queued before it
		 * (producers interleave, so not by index) ran twice, the rest
		 * once; the failing one ran in the group and alone. */
		assert_true(jobs[i].runs == 1 || jobs[i].runs == 2);
		if (i == bad)
			assert_int_equal(jobs[i].runs, 2);
		if (i == bad) {
			assert_int_equal(jobs[i].done_rc, HEARTH_EINVAL);
			assert_false(committed(&f, i));
		} else {
			assert_int_equal(jobs[i].done_rc, 0);
			assert_true(committed(&f, i));
		}
	}
	close_fixture(&f);
	assert_int_equal(g.done, n + 1);
}

/* Without group commit every job has its own transaction. */
static void test_one_commit_per_job_without_group_commit(void **state)
{
	enum { n = 5 };
	fixture f;
	tjob jobs[n];
	job_stats st;

	(void)state;
	make_jobs(jobs, n);
	open_fixture(&f);
	f.w.group_commit = 0;
	for (int i = 0; i < n; i++)
		writer_submit(&f.w, &jobs[i].base);
	while (g.done < n)
		uv_run(&f.loop, UV_RUN_ONCE);
	writer_stats(&f.w, &st);
	assert_int_equal(st.commits, n);
	for (int i = 0; i < n; i++)
		assert_int_equal(jobs[i].done_calls, 1);
	close_fixture(&f);
}

/* Push receipts (issue 13): the group's jobs that want a checkpoint share
 * one signature of the commit's audit head; a commit nobody asked a
 * checkpoint of signs nothing. */
static void test_one_signature_per_commit(void **state)
{
	enum { n = PRODUCERS * PER_PRODUCER };
	fixture f;
	tjob gate, jobs[n];
	job_stats st;
	char path[1024], err[256];
	uint8_t pub[AUDIT_KEY_LEN];
	EVP_PKEY *key;

	(void)state;
	snprintf(path, sizeof(path), "%s/audit-ed25519.key", getenv("HEARTH_CERTS"));
	key = audit_load_key(path, err, sizeof(err));
	if (!key)
		fail_msg("%s", err);
	assert_int_equal(audit_public_key(key, pub), 0);
	memset(&gate, 0, sizeof(gate));
	make_jobs(jobs, n);
	for (int i = 0; i < n; i++)
		jobs[i].base.wants_checkpoint = i != 3;
	open_fixture_opts(&f, key);
	run_group(&f, &gate, jobs, n);
	writer_stats(&f.w, &st);
	assert_int_equal(st.commits, 2);
	assert_int_equal(st.signatures, 1);
	assert_false(gate.base.checkpoint.valid);
	assert_false(jobs[3].base.checkpoint.valid);
	for (int i = 0; i < n; i++) {
		Hearth__Checkpoint cp = HEARTH__CHECKPOINT__INIT;
		if (i == 3)
			continue;
		assert_true(jobs[i].base.checkpoint.valid);
		assert_memory_equal(jobs[i].base.checkpoint.sig, jobs[0].base.checkpoint.sig, AUDIT_SIG_LEN);
		cp.size = jobs[i].base.checkpoint.size;
		cp.head_hash.data = jobs[i].base.checkpoint.head;
		cp.head_hash.len = AUDIT_HASH_LEN;
		cp.time = jobs[i].base.checkpoint.time;
		cp.signature.data = jobs[i].base.checkpoint.sig;
		cp.signature.len = AUDIT_SIG_LEN;
		assert_int_equal(audit_verify_checkpoint(pub, &cp), 0);
	}
	close_fixture(&f);
	EVP_PKEY_free(key);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_producers_share_one_commit),
		cmocka_unit_test(test_failing_job_spares_the_others),
		cmocka_unit_test(test_one_commit_per_job_without_group_commit),
		cmocka_unit_test(test_one_signature_per_commit),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
