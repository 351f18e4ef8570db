/* writer.h: the single writer thread and its group commit. Jobs from every
 * connection queue here; the thread takes all jobs that arrived while the
 * previous commit was syncing, runs them in one LMDB write transaction (one
 * fsync), and hands each job back to the loop thread (its done()). Clients
 * are answered only after their work is durable; the loop thread never
 * waits on fsync. The writer knows no domain: a job carries its own run()
 * and done() (server/db/job.h). */
#ifndef HEARTHD_WRITER_H
#define HEARTHD_WRITER_H

#include <openssl/evp.h>
#include <pthread.h>
#include <stdint.h>
#include <uv.h>

#include "server/db/job.h"
#include "server/db/store.h"

/* The options of writer_start. */
typedef struct writer_opts {
	store *st;
	int group_commit;           /* 0: one transaction per job */
	EVP_PKEY *audit_key;        /* borrowed: signs each commit's checkpoint for the jobs that
	                             * want one (NULL: none is signed) */
} writer_opts;

typedef struct writer {
	store *st;
	int group_commit;           /* 0: one transaction per job */
	EVP_PKEY *audit_key;        /* borrowed from writer_opts */
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	job *queue, *queue_tail;    /* waiting for the writer (guarded by mu) */
	job *done, *done_tail;      /* waiting for the loop (guarded by mu) */
	int stopping;
	int started;
	uv_async_t async;
	job_stats stats;            /* written by the writer thread under mu */
} writer;

/* Starts the thread on o->st. Returns 0 or HEARTH_EIO (nothing started).
 * w, o->st and o->audit_key must stay valid until writer_stop returns. */
int writer_start(writer *w, uv_loop_t *loop, const writer_opts *o);

/* Queues a job (loop thread); the writer owns it until its done() runs.
 * Never blocks on I/O. */
void writer_submit(writer *w, job *j);

/* Copies the counters (any thread). */
void writer_stats(writer *w, job_stats *out);

/* The job_queue that submits to w, for code that may not see the writer. */
job_queue writer_queue(writer *w);

/* Lets the thread finish every queued job, joins it, delivers the last
 * results (done()), and closes the async handle. Loop thread. */
void writer_stop(writer *w);

#endif
