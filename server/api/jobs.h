/* jobs.h: request -> writer job glue. An api_job is a writer job (its
 * first member) with what every request job carries: the actor, the peer,
 * the time, the request and the connection that waits for the answer.
 * Submitting goes through the job_queue the top handed to the server
 * (server/db/job.h), so api never sees the writer. */
#ifndef HEARTHD_JOBS_H
#define HEARTHD_JOBS_H

#include <stdint.h>

#include "common/envelope.h"
#include "common/tls.h"
#include "server/db/job.h"
#include "server/db/push.h"
#include "server/loop/connection.h"

struct api;

typedef struct api_job {
	job base;                   /* first: the writer sees only this */
	struct conn *conn;          /* referenced (conn_ref); NULL for jobs nobody waits for */
	Hearth__Envelope *env;      /* the request; owned by the job (NULL for events) */
	actor who;
	int64_t now_ms;
	char peer[64];
	uint32_t answer;            /* Envelope body number of the reply jobs_answer_done sends */
	uint32_t keep;              /* audit note: events stored one by one (event_budget.h) */
	char action[32];            /* session events */
	char branch[64];
	char detail[400];
	uint8_t *blob;              /* admin: the stored result; checkpoint: packed Checkpoint (owned) */
	size_t blob_len;
	int err_code;               /* admin: a refusal (Hearth__ErrorCode), 0 if none */
	char err_msg[300];
	push_body_check *checks;    /* push: one per op, from the loop thread (owned), or NULL */
} api_job;

/* A new job for request env on c, on the loop thread: the actor is c's
 * certificate identity, peer is c's address, now_ms the current time, and
 * c is referenced (conn_ref) and counted in c->inflight, so it stays alive
 * until the job is done. run and done are the job's; the caller sets what
 * its job needs besides, then hands it to jobs_submit, which owns it from
 * then on; it must not fail in between.
 *
 * The job takes env: it is freed with the job. On out of memory, c has been
 * answered with ERR_INTERNAL, nothing was referenced, env is still the
 * caller's, and NULL is returned. */
api_job *jobs_from_conn(conn *c, Hearth__Envelope *env, job_run_fn run, job_done_fn done);

/* A new job nobody waits for (a session event, a checkpoint to keep), with
 * the actor taken from id (may be a partial identity). done is
 * jobs_forget_done. NULL on out of memory. */
api_job *jobs_detached(const tls_identity *id, job_run_fn run);

/* Hands j to the writer (loop thread). */
void jobs_submit(struct api *a, api_job *j);

/* done() for a job whose reply body (base.reply) answers its request as
 * body number j->answer, or whose failure is answered with STORE_FULL or
 * INTERNAL; then releases the connection and frees the job. */
void jobs_answer_done(job *j);

/* done() for a detached job: logs a failure, frees the job. */
void jobs_forget_done(job *j);

/* Logs a failed job and answers its request (when it has one and the
 * connection is open) with STORE_FULL or INTERNAL. */
void jobs_answer_failure(api_job *j);

/* Releases what jobs_from_conn took on c (inflight, the reference) and
 * frees the job. */
void jobs_release(api_job *j);

#endif
