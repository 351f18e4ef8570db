/* purge.h: the daily tombstone purge on a running server, as writer jobs:
 * a timer starts a run at start-up and then every RETENTION_INTERVAL_MS;
 * a run is one writer job per batch (retention_purge_batch), submitted
 * again from its done() until nothing older than the retention is left,
 * so the purge writes on the one writer (DESIGN section 7) and a push
 * waits at most one batch behind it. */
#ifndef HEARTHD_PURGE_H
#define HEARTHD_PURGE_H

#include <stdint.h>
#include <uv.h>

#include "server/db/chunks.h"
#include "server/db/job.h"
#include "server/db/retention.h"

typedef struct purge {
	job base;                   /* the batch job; reused for every batch */
	uv_timer_t timer;
	const job_queue *jobs;
	uint32_t days;
	int64_t now_ms;             /* the clock when the run started */
	int clock_confirmed;        /* HEARTHD_RETENTION_CLOCK_CONFIRMED=1 at start */
	int planned;                /* plan holds the run's cutoff (writer thread) */
	retention_cutoff_plan plan; /* of the run in progress */
	int busy;                   /* a batch is with the writer */
	int stopping;
	int finished;               /* set by the last batch's run */
	retention_stats batch;      /* the last batch's counts (writer thread) */
	retention_stats stats;      /* the run's totals (loop thread) */
	chunks_purge_stats content; /* detached attachment content the last batch removed */
} purge;

/* Starts the timer on loop; batches go to jobs (borrowed: it must outlive
 * p). p must stay valid until the loop has closed the timer and the writer
 * has delivered the last batch. Returns 0. */
int purge_start(purge *p, uv_loop_t *loop, const job_queue *jobs, uint32_t days);

/* Stops the timer; a batch with the writer is the run's last. */
void purge_stop(purge *p);

#endif
