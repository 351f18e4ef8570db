/* purge.c: runs the retention purge daily as a chain of writer jobs, one
 * bounded batch each. */
#include "server/api/purge.h"

#include <stdlib.h>
#include <string.h>

#include "common/hearth.h"
#include "common/log.h"
#include "server/db/chunks.h"

/* Writer thread: one batch in the group's transaction. It may run again if
 * the group is retried, so it counts into a fresh batch each time. */
static int run_batch(store *s, MDB_txn *txn, job *base)
{
	purge *p = (purge *)base;
	int rc;

	memset(&p->batch, 0, sizeof(p->batch));
	p->finished = 0;
	/* The cutoff is planned once per run, in the writer's transaction,
	 * against the store's newest change (retention_cutoff). */
	if (!p->planned) {
		retention_cutoff_opts o = { .days = p->days, .now_ms = p->now_ms,
		                            .clock_confirmed = p->clock_confirmed };
		if ((rc = retention_cutoff(s, txn, &o, &p->plan)) != 0)
			return rc;
		p->planned = 1;
	}
	if (p->plan.clock == RETENTION_CLOCK_AHEAD) {
		p->finished = 1;
		return 0;
	}
	if ((rc = retention_purge_batch(s, txn, p->plan.cutoff_ms, &p->batch, &p->finished)) != 0)
		return rc;
	/* The last batch also lets go of attachment content detached before
	 * the same cutoff (chunks.h), so content lives as long as tombstones. */
	memset(&p->content, 0, sizeof(p->content));
	if (p->finished)
		rc = chunks_purge_detached(s, txn, p->plan.cutoff_ms, &p->content);
	return rc;
}

static void submit_batch(purge *p)
{
	wire_free(&p->base.reply);
	p->base.rc = 0;
	p->busy = 1;
	p->jobs->submit(p->jobs->impl, &p->base);
}

/* Loop thread: count the batch, then the next one or the end of the run. */
static void batch_done(job *base)
{
	purge *p = (purge *)base;
	char a[24], b[24], c[24], d[24];

	p->busy = 0;
	if (base->rc != 0) {
		log_event(LOG_ERROR, "retention_failed", "error", hearth_strerror(base->rc), "note",
		          "tombstones are kept; the next run tries again", NULL);
		return;
	}
	if (p->plan.clock == RETENTION_CLOCK_AHEAD) {
		char n[24], w[24], ds[24];
		log_event(LOG_WARN, "retention_postponed", "reason", "clock_ahead", "now_ms",
		          log_u64(n, (unsigned long long)p->now_ms), "newest_change_ms",
		          log_u64(w, (unsigned long long)p->plan.newest_ms), "days", log_u64(ds, p->days),
		          "note",
		          "the clock is later than the newest change plus the retention; nothing is purged "
		          "until newer changes arrive or an admin confirms the clock "
		          "(HEARTHD_RETENTION_CLOCK_CONFIRMED=1)",
		          NULL);
		return;
	}
	p->stats.scanned += p->batch.scanned;
	p->stats.purged += p->batch.purged;
	p->stats.markers += p->batch.markers;
	p->stats.horizon = p->batch.horizon;
	p->stats.scan_seq = p->batch.scan_seq;
	if (!p->finished && !p->stopping) {
		submit_batch(p);
		return;
	}
	{
		char e[24], f[24];
		log_event(LOG_INFO, "retention_done", "purged", log_u64(a, p->stats.purged), "scanned",
		          log_u64(b, p->stats.scanned), "horizon", log_u64(c, p->stats.horizon), "days",
		          log_u64(d, p->days), "content_purged", log_u64(e, p->content.purged), "content_bytes",
		          log_u64(f, p->content.bytes), NULL);
	}
}

static void on_timer(uv_timer_t *t)
{
	purge *p = t->data;

	if (p->busy || p->stopping)
		return;
	memset(&p->stats, 0, sizeof(p->stats));
	p->now_ms = retention_now_ms();
	p->planned = 0;
	submit_batch(p);
}

int purge_start(purge *p, uv_loop_t *loop, const job_queue *jobs, uint32_t days)
{
	char a[24], b[24];
	int off = retention_test_offset_days();

	memset(p, 0, sizeof(*p));
	p->base.run = run_batch;
	p->base.done = batch_done;
	p->jobs = jobs;
	p->days = days;
	{
		const char *c = getenv("HEARTHD_RETENTION_CLOCK_CONFIRMED");
		p->clock_confirmed = c && strcmp(c, "1") == 0;
	}
	if (p->clock_confirmed)
		log_event(LOG_WARN, "retention_clock_confirmed", "note",
		          "HEARTHD_RETENTION_CLOCK_CONFIRMED=1: the purge trusts the clock even when it is "
		          "far ahead of the newest change", NULL);
	if (off)
		log_event(LOG_WARN, "test_clock", "offset_days", log_u64(a, (unsigned long long)(off < 0 ? -off : off)),
		          "sign", off < 0 ? "-" : "+", "note",
		          "HEARTHD_TEST_NOW_OFFSET_DAYS is for tests only: retention sees a shifted clock", NULL);
	log_event(LOG_INFO, "retention", "tombstone_days", log_u64(b, days), NULL);
	uv_timer_init(loop, &p->timer);
	p->timer.data = p;
	/* The first run is at start-up, then daily. */
	uv_timer_start(&p->timer, on_timer, 0, RETENTION_INTERVAL_MS);
	return 0;
}

void purge_stop(purge *p)
{
	if (p->stopping)
		return;
	p->stopping = 1;
	uv_timer_stop(&p->timer);
	uv_close((uv_handle_t *)&p->timer, NULL);
}
