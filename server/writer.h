/* writer.h: the single writer thread and its group commit.  Push jobs from
 * every connection queue here; the thread takes all jobs that arrived while
 * the previous commit was syncing, applies them in one LMDB write
 * transaction (one fsync), and hands each job back to the loop thread with
 * its response frame ready. Clients are answered only after their ops are
 * durable; the loop thread never waits on fsync. */
#ifndef HEARTHD_WRITER_H
#define HEARTHD_WRITER_H

#include <pthread.h>
#include <stdint.h>
#include <uv.h>

#include "common/envelope.h"
#include "server/db/store.h"

struct conn;

enum job_type {
	JOB_PUSH,        /* env->push: ops; answered with push_result */
	JOB_EVENT,       /* an audit entry about the session (login, denial...); no answer */
	JOB_NOTE,        /* env->audit_note: client events; answered with audit_note_ack */
	JOB_CHECKPOINT,  /* store a signed checkpoint (checkpoint bytes); no answer */
	JOB_ADMIN,       /* env: branch_put or revoke (admin.c) */
};

typedef struct push_job {
	struct push_job *next;
	enum job_type type;
	char action[32];            /* JOB_EVENT */
	char branch[64];            /* JOB_EVENT */
	char detail[400];           /* JOB_EVENT */
	char peer[64];              /* JOB_EVENT, JOB_NOTE */
	uint8_t *blob;              /* JOB_CHECKPOINT: packed Checkpoint; JOB_ADMIN: result bytes (owned) */
	int err_code;               /* JOB_ADMIN: a refusal (Hearth__ErrorCode), 0 if none */
	char err_msg[300];
	size_t blob_len;
	struct conn *conn;          /* referenced (conn_ref); NULL for jobs nobody waits for */
	Hearth__Envelope *env;      /* the request (PUSH, NOTE); owned by the job */
	actor who;
	int64_t now_ms;
	uint8_t *frame;             /* response frame (header included), set by the writer */
	size_t frame_len;
	uint32_t n_ops;
} push_job;

typedef void (*writer_done_fn)(push_job *job, void *ctx);

typedef struct writer {
	store *st;
	int group_commit;           /* 0: one transaction per job */
	uint64_t map_size;
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	push_job *queue, *queue_tail;   /* waiting for the writer (guarded by mu) */
	push_job *done, *done_tail;     /* waiting for the loop (guarded by mu) */
	int stopping;
	int started;
	uv_async_t async;
	writer_done_fn on_done;
	void *ctx;
	/* statistics (written by the writer thread, read under mu) */
	uint64_t commits;
	uint64_t ops;
	int64_t last_commit_ms;
} writer;

/* Starts the thread. on_done runs on the loop thread for each finished job;
 * it owns the job from then on (free with writer_job_free). */
int writer_start(writer *w, uv_loop_t *loop, store *st, int group_commit, writer_done_fn on_done,
                 void *ctx);

/* Queues a job (loop thread). Never blocks on I/O. */
void writer_submit(writer *w, push_job *job);

/* Lets the thread finish every queued job, joins it, delivers the last
 * results through on_done, and closes the async handle. Loop thread. */
void writer_stop(writer *w);

void writer_job_free(push_job *job);

#endif
