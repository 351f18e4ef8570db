/* writer.c: the group-commit writer thread: runs queued jobs in one write
 * transaction per group and hands them back to the loop thread. */
#include "server/writer.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include "common/hearth.h"
#include "common/log.h"

/* A transaction this large still commits in well under a second; beyond it
 * latency grows for little gain. */
#define WRITER_BATCH_OPS 20000
/* Jobs taken at once at most. */
#define WRITER_BATCH_JOBS 1024

static int64_t wall_ms(void)
{
	struct timeval tv;
	gettimeofday(&tv, NULL);
	return (int64_t)tv.tv_sec * 1000 + tv.tv_usec / 1000;
}

/* Runs jobs [0, n) in one transaction. Returns 0 when committed, or the
 * error that made the transaction abort (every reply is then emptied). */
static int run_batch(writer *w, job **jobs, size_t n)
{
	MDB_txn *txn = NULL;
	uint64_t ops = 0, signatures = 0;
	checkpoint_cache cp = { 0 };
	int want_cp = 0;
	int rc;

	rc = store_err(mdb_txn_begin(w->st->env, NULL, 0, &txn));
	for (size_t i = 0; rc == 0 && i < n; i++) {
		wire_free(&jobs[i]->reply);
		jobs[i]->checkpoint.valid = 0;
		rc = jobs[i]->run(w->st, txn, jobs[i]);
		ops += jobs[i]->n_ops;
		want_cp |= jobs[i]->wants_checkpoint;
	}
	/* The head after every job of the group is the head this commit makes
	 * durable: read here, it covers exactly the ops acknowledged below. */
	if (rc == 0 && want_cp && w->audit_key)
		rc = checkpoint_read_head(w->st, txn, &cp);
	if (rc == 0) {
		/* The commit is the fsync: nobody hears "applied" before it. */
		rc = store_commit(w->st, txn);
		txn = NULL;
	}
	if (txn)
		mdb_txn_abort(txn);
	if (rc != 0) {
		for (size_t i = 0; i < n; i++)
			wire_free(&jobs[i]->reply);
		return rc;
	}
	/* One signature per commit, shared by every job of the group: a
	 * signature costs far more than copying 120 bytes into each job. A
	 * failed signature loses only the receipt, not the committed work. */
	if (want_cp && w->audit_key) {
		if (checkpoint_seal(&cp, w->audit_key, wall_ms()) == 0) {
			signatures = 1;
			for (size_t i = 0; i < n; i++)
				if (jobs[i]->wants_checkpoint)
					jobs[i]->checkpoint = cp;
		} else {
			log_event(LOG_ERROR, "checkpoint_failed", "error", "cannot sign the commit's checkpoint",
			          NULL);
		}
	}
	pthread_mutex_lock(&w->mu);
	w->stats.commits++;
	w->stats.signatures += signatures;
	w->stats.ops += ops;
	w->stats.last_commit_ms = wall_ms();
	pthread_mutex_unlock(&w->mu);
	return 0;
}

/* Takes the next group off the queue (all that queued while the last
 * commit synced, or one job when group commit is off), or NULL when the
 * writer is stopping and nothing is left. */
static job *take_group(writer *w, job **last_out)
{
	job *first, *last;
	size_t n = 1;
	uint64_t ops;

	pthread_mutex_lock(&w->mu);
	while (!w->queue && !w->stopping)
		pthread_cond_wait(&w->cv, &w->mu);
	if (!w->queue) {
		pthread_mutex_unlock(&w->mu);
		return NULL;
	}
	first = last = w->queue;
	ops = first->n_ops;
	while (w->group_commit && last->next && n < WRITER_BATCH_JOBS &&
	       ops + last->next->n_ops <= WRITER_BATCH_OPS) {
		last = last->next;
		ops += last->n_ops;
		n++;
	}
	w->queue = last->next;
	if (!w->queue)
		w->queue_tail = NULL;
	last->next = NULL;
	pthread_mutex_unlock(&w->mu);
	*last_out = last;
	return first;
}

static void *writer_main(void *arg)
{
	writer *w = arg;
	job *group, *last;

	while ((group = take_group(w, &last)) != NULL) {
		job *jobs[WRITER_BATCH_JOBS];
		size_t n = 0;
		int rc;

		for (job *j = group; j; j = j->next)
			jobs[n++] = j;
		rc = run_batch(w, jobs, n);
		if (rc != 0 && n > 1) {
			/* One job may have filled the map; give every job its own
			 * chance so the others are not refused for it. */
			for (size_t i = 0; i < n; i++)
				jobs[i]->rc = run_batch(w, &jobs[i], 1);
		} else {
			for (size_t i = 0; i < n; i++)
				jobs[i]->rc = rc;
		}

		pthread_mutex_lock(&w->mu);
		if (w->done_tail)
			w->done_tail->next = group;
		else
			w->done = group;
		w->done_tail = last;
		pthread_mutex_unlock(&w->mu);
		uv_async_send(&w->async);
	}
	return NULL;
}

/* Loop thread: hands finished jobs to their done(). */
static void deliver(writer *w)
{
	job *list;

	pthread_mutex_lock(&w->mu);
	list = w->done;
	w->done = w->done_tail = NULL;
	pthread_mutex_unlock(&w->mu);
	while (list) {
		job *next = list->next;
		list->next = NULL;
		list->done(list);
		list = next;
	}
}

static void on_async(uv_async_t *a)
{
	deliver(a->data);
}

int writer_start(writer *w, uv_loop_t *loop, const writer_opts *o)
{
	memset(w, 0, sizeof(*w));
	w->st = o->st;
	w->group_commit = o->group_commit;
	w->audit_key = o->audit_key;
	pthread_mutex_init(&w->mu, NULL);
	pthread_cond_init(&w->cv, NULL);
	if (uv_async_init(loop, &w->async, on_async) != 0)
		goto failed_async;
	w->async.data = w;
	if (pthread_create(&w->thread, NULL, writer_main, w) != 0)
		goto failed_thread;
	w->started = 1;
	return 0;
failed_thread:
	uv_close((uv_handle_t *)&w->async, NULL);
failed_async:
	pthread_cond_destroy(&w->cv);
	pthread_mutex_destroy(&w->mu);
	return HEARTH_EIO;
}

void writer_submit(writer *w, job *j)
{
	j->next = NULL;
	pthread_mutex_lock(&w->mu);
	if (w->queue_tail)
		w->queue_tail->next = j;
	else
		w->queue = j;
	w->queue_tail = j;
	pthread_cond_signal(&w->cv);
	pthread_mutex_unlock(&w->mu);
}

void writer_stats(writer *w, job_stats *out)
{
	pthread_mutex_lock(&w->mu);
	*out = w->stats;
	pthread_mutex_unlock(&w->mu);
}

static void queue_submit(void *impl, job *j)
{
	writer_submit(impl, j);
}

static void queue_stats(void *impl, job_stats *out)
{
	writer_stats(impl, out);
}

job_queue writer_queue(writer *w)
{
	return (job_queue){ .submit = queue_submit, .stats = queue_stats, .impl = w };
}

/* The cost of the push receipts, for tests/bench: signatures against
 * commits over the writer's life. */
static void log_totals(const writer *w)
{
	char commits[24], signatures[24];

	snprintf(commits, sizeof(commits), "%llu", (unsigned long long)w->stats.commits);
	snprintf(signatures, sizeof(signatures), "%llu", (unsigned long long)w->stats.signatures);
	log_event(LOG_INFO, "writer_stopped", "commits", commits, "signatures", signatures, NULL);
}

void writer_stop(writer *w)
{
	if (!w->started)
		return;
	pthread_mutex_lock(&w->mu);
	w->stopping = 1;
	pthread_cond_signal(&w->cv);
	pthread_mutex_unlock(&w->mu);
	pthread_join(w->thread, NULL);
	w->started = 0;
	deliver(w);
	log_totals(w);
	uv_close((uv_handle_t *)&w->async, NULL);
	pthread_mutex_destroy(&w->mu);
	pthread_cond_destroy(&w->cv);
}
