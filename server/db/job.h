/* job.h: the unit of work the single writer runs in its write transaction
 * (DESIGN section 7), and the queue interface the request handlers submit
 * to. Only types: the writer (server/writer.c) runs jobs, whoever made a
 * job says what it does. server/api sees this header, never the writer's.
 *
 * Lifetime: a submitted job belongs to the writer until its done() runs on
 * the loop thread; done() then owns it (and frees it). run() may be called
 * more than once for one job: when a group of jobs fails to commit, each is
 * run again in a transaction of its own, so one job's failure (a full map)
 * does not refuse the others. run() must therefore start from scratch each
 * time; reply is emptied by the writer before every run. */
#ifndef HEARTHD_JOB_H
#define HEARTHD_JOB_H

#include <lmdb.h>
#include <stdint.h>

#include "common/wire.h"
#include "server/db/checkpoint.h"
#include "server/db/store.h"

struct job;

/* Writer thread, inside the write transaction. Returns 0, or a negative
 * HEARTH_E* code: the transaction is then aborted (and the job retried
 * alone when it shared it). */
typedef int (*job_run_fn)(store *s, MDB_txn *txn, struct job *job);

/* Loop thread, exactly once per submitted job, after its transaction
 * committed (job->rc == 0) or failed for good (job->rc < 0). Owns job. */
typedef void (*job_done_fn)(struct job *job);

typedef struct job {
	struct job *next;       /* queue link: the writer's while it holds the job */
	job_run_fn run;
	job_done_fn done;
	uint32_t n_ops;         /* weight for sizing a group commit (ops in a push) */
	int rc;                 /* set by the writer before done() */
	wirebuf reply;          /* what run() wrote for the answer; owned by the job */
	int wants_checkpoint;   /* set by the submitter: answer with the commit's checkpoint */
	checkpoint_cache checkpoint; /* set by the writer before done() when wanted: the signed
	                         * audit head right after the commit that ran the job (valid 0
	                         * if signing failed; the job's work is committed anyway) */
} job;

/* What the writer has done so far (for server status). */
typedef struct job_stats {
	uint64_t commits;
	uint64_t ops;
	uint64_t signatures;    /* checkpoints signed for commits: at most one per commit */
	int64_t last_commit_ms;
} job_stats;

/* How a submitter reaches the writer without knowing it: the top
 * (server/hearthd.c) fills this in. submit never blocks on I/O and never
 * fails; stats copies the counters under the writer's lock. */
typedef struct job_queue {
	void (*submit)(void *impl, job *j);
	void (*stats)(void *impl, job_stats *out);
	void *impl;
} job_queue;

#endif
