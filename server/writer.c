/* writer.c: the group-commit writer thread. */
#include "server/writer.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/hearth.h"
#include "common/log.h"
#include "server/loop/listener.h"
#include "server/db/audit_log.h"
#include "server/db/principals.h"
#include "server/db/push.h"
#include "server/api/admin.h"

/* A transaction this large still commits in well under a second; beyond it
 * latency grows for little gain. */
#define WRITER_BATCH_OPS 20000

void writer_job_free(push_job *job)
{
	if (!job)
		return;
	envelope_free(job->env, NULL);
	free(job->frame);
	free(job->blob);
	free(job);
}

/* A whole-request error frame (e.g. STORE_FULL) for a job. */
static void error_frame(push_job *job, Hearth__ErrorCode code, const char *msg)
{
	wirebuf e = WIREBUF_INIT, f = WIREBUF_INIT;
	if (!job->env)
		return;
	wire_uint_field(&e, 1, (uint64_t)code);
	wire_bytes_field(&e, 2, msg, strlen(msg), 0);
	wire_frame_begin(&f);
	wire_uint_field(&f, 1, job->env->request_id);
	wire_bytes_field(&f, 12, e.data, e.len, 1);
	wire_frame_finish(&f);
	wire_free(&e);
	free(job->frame);
	job->frame = f.failed ? NULL : wire_take(&f, &job->frame_len);
	wire_free(&f);
}

static void result_frame(push_job *job, wirebuf *body)
{
	wirebuf f = WIREBUF_INIT;
	if (!job->env)
		return;
	wire_frame_begin(&f);
	wire_uint_field(&f, 1, job->env->request_id);
	wire_bytes_field(&f, job->type == JOB_NOTE ? HEARTH__ENVELOPE__BODY_AUDIT_NOTE_ACK
	                                            : HEARTH__ENVELOPE__BODY_PUSH_RESULT,
	                 body->data, body->len, 1);
	wire_frame_finish(&f);
	free(job->frame);
	job->frame = f.failed ? NULL : wire_take(&f, &job->frame_len);
	wire_free(&f);
}

/* Runs jobs [first, n of them) in one transaction. Returns 0 when committed
 * (every job has its frame), or the error that made the transaction abort
 * (no job has been answered). */
static int run_batch(writer *w, push_job **jobs, size_t n)
{
	MDB_txn *txn = NULL;
	wirebuf *bodies = calloc(n, sizeof(*bodies));
	uint64_t ops = 0;
	int rc;

	if (!bodies)
		return HEARTH_ENOMEM;
	rc = store_err(mdb_txn_begin(w->st->env, NULL, 0, &txn));
	for (size_t i = 0; rc == 0 && i < n; i++) {
		push_job *j = jobs[i];
		switch (j->type) {
		case JOB_PUSH: {
			Hearth__PushRequest *req = j->env->push;
			for (size_t k = 0; rc == 0 && k < req->n_ops; k++)
				rc = push_op(w->st, txn, &j->who, req->ops[k], j->now_ms, &bodies[i]);
			ops += req->n_ops;
			break;
		}
		case JOB_EVENT:
			rc = audit_event(w->st, txn, &(audit_event_args){
				.who = &j->who, .action = j->action, .branch = j->branch, .detail = j->detail,
				.peer = j->peer });
			if (rc == 0 && !strcmp(j->action, "login"))
				rc = principals_seen(w->st, txn, &j->who, j->now_ms);
			break;
		case JOB_NOTE: {
			Hearth__AuditNote *note = j->env->audit_note;
			for (size_t k = 0; rc == 0 && k < note->n_events; k++)
				rc = audit_client_event(w->st, txn, &j->who, note->events[k], j->peer);
			wire_uint_field(&bodies[i], 1, note->n_events);
			break;
		}
		case JOB_ADMIN:
			rc = admin_job_run(w->st, txn, j);
			break;
		case JOB_CHECKPOINT: {
			Hearth__Checkpoint *cp = hearth__checkpoint__unpack(NULL, j->blob_len, j->blob);
			rc = cp ? audit_store_checkpoint(w->st, txn, cp) : HEARTH_EINVAL;
			if (cp)
				hearth__checkpoint__free_unpacked(cp, NULL);
			break;
		}
		}
	}
	if (rc == 0) {
		/* The commit is the fsync: nobody hears "applied" before it. */
		rc = store_err(mdb_txn_commit(txn));
		txn = NULL;
	}
	if (txn)
		mdb_txn_abort(txn);
	if (rc == 0) {
		for (size_t i = 0; i < n; i++)
			if (jobs[i]->type == JOB_PUSH || jobs[i]->type == JOB_NOTE)
				result_frame(jobs[i], &bodies[i]);
		pthread_mutex_lock(&w->mu);
		w->commits++;
		w->ops += ops;
		w->last_commit_ms = server_now_ms();
		pthread_mutex_unlock(&w->mu);
	}
	for (size_t i = 0; i < n; i++)
		wire_free(&bodies[i]);
	free(bodies);
	return rc;
}

static void fail_job(writer *w, push_job *job, int rc)
{
	char msg[300];
	if (rc == HEARTH_EFULL) {
		snprintf(msg, sizeof(msg),
		         "the server's store is full (map size %llu MiB); nothing in this push was stored; "
		         "the operator must restart hearthd with a larger --map-size (e.g. --map-size %lluM)",
		         (unsigned long long)(w->st->map_size >> 20),
		         (unsigned long long)((w->st->map_size >> 20) * 2));
		error_frame(job, HEARTH__ERROR_CODE__ERR_STORE_FULL, msg);
	} else {
		snprintf(msg, sizeof(msg), "the server could not store this push: %s", hearth_strerror(rc));
		error_frame(job, HEARTH__ERROR_CODE__ERR_INTERNAL, msg);
	}
	log_event(LOG_ERROR, "push_failed", "error", hearth_strerror(rc), NULL);
}

static void *writer_main(void *arg)
{
	writer *w = arg;

	for (;;) {
		push_job *batch, *last;
		push_job *jobs[1024];
		size_t n = 0;

		pthread_mutex_lock(&w->mu);
		while (!w->queue && !w->stopping)
			pthread_cond_wait(&w->cv, &w->mu);
		if (!w->queue) {
			pthread_mutex_unlock(&w->mu);
			break;
		}
		/* Take everything that queued while the last commit synced (group
		 * commit), or just one job when group commit is off. */
		batch = w->queue;
		last = batch;
		n = 1;
		size_t ops = batch->n_ops;
		while (w->group_commit && last->next && n < HEARTH_ARRAY_LEN(jobs) &&
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

		n = 0;
		for (push_job *j = batch; j; j = j->next)
			jobs[n++] = j;
		int rc = run_batch(w, jobs, n);
		if (rc != 0 && n > 1) {
			/* One job may have filled the map; give every job its own
			 * chance so the others are not refused for it. */
			for (size_t i = 0; i < n; i++) {
				int one = run_batch(w, &jobs[i], 1);
				if (one != 0)
					fail_job(w, jobs[i], one);
			}
		} else if (rc != 0) {
			fail_job(w, jobs[0], rc);
		}

		pthread_mutex_lock(&w->mu);
		if (w->done_tail)
			w->done_tail->next = batch;
		else
			w->done = batch;
		w->done_tail = last;
		pthread_mutex_unlock(&w->mu);
		uv_async_send(&w->async);
	}
	return NULL;
}

/* Loop thread: hands finished jobs to on_done. */
static void deliver(writer *w)
{
	push_job *list;

	pthread_mutex_lock(&w->mu);
	list = w->done;
	w->done = w->done_tail = NULL;
	pthread_mutex_unlock(&w->mu);
	while (list) {
		push_job *next = list->next;
		list->next = NULL;
		w->on_done(list, w->ctx);
		list = next;
	}
}

static void on_async(uv_async_t *a)
{
	deliver(a->data);
}

int writer_start(writer *w, uv_loop_t *loop, store *st, int group_commit, writer_done_fn on_done,
                 void *ctx)
{
	memset(w, 0, sizeof(*w));
	w->st = st;
	w->group_commit = group_commit;
	w->on_done = on_done;
	w->ctx = ctx;
	pthread_mutex_init(&w->mu, NULL);
	pthread_cond_init(&w->cv, NULL);
	if (uv_async_init(loop, &w->async, on_async) != 0)
		return HEARTH_EIO;
	w->async.data = w;
	if (pthread_create(&w->thread, NULL, writer_main, w) != 0) {
		uv_close((uv_handle_t *)&w->async, NULL);
		return HEARTH_EIO;
	}
	w->started = 1;
	return 0;
}

void writer_submit(writer *w, push_job *job)
{
	job->next = NULL;
	pthread_mutex_lock(&w->mu);
	if (w->queue_tail)
		w->queue_tail->next = job;
	else
		w->queue = job;
	w->queue_tail = job;
	pthread_cond_signal(&w->cv);
	pthread_mutex_unlock(&w->mu);
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
	uv_close((uv_handle_t *)&w->async, NULL);
	pthread_mutex_destroy(&w->mu);
	pthread_cond_destroy(&w->cv);
}
