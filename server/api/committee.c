/* committee.c: answers CommitteeRequest with the committee's stats and
 * year report computed over the store, on the thread pool, branch by
 * branch, with a cache of each branch's row (committee.h). */
#include "server/api/committee.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#include "common/committee.h"
#include "common/date.h"
#include "common/due.h"
#include "common/hearth.h"
#include "common/log.h"
#include "common/stats.h"
#include "common/wire.h"
#include "server/api/authz.h"
#include "server/api/context.h"
#include "server/db/committee.h"
#include "server/db/figures.h"
#include "server/loop/connection.h"
#include "server/loop/dispatch.h"

/* The cache holds at most this many rows (about 15 KiB each with their
 * year report); beyond it the oldest bucket's rows make room. */
#define CACHE_MAX 4096
#define CACHE_BUCKETS 1024

/* An answer holds whole branches up to about this many bytes, well under
 * the 4 MiB frame a client accepts; the rest go on the next page. */
#define COMMITTEE_ANSWER_BYTES (1u << 20)

/* Envelope body number of Committee (proto/hearth.proto). */
#define BODY_COMMITTEE 91

/* The warm job (committee_warm_start) looks for a change this often: a
 * burst of edits costs one recomputation of each branch it touched every
 * 3 s at most, and an answer is warm again about 3 s after the last edit. */
#define WARM_EVERY_MS 3000
/* ... and the next job waits at least this many times as long as the last
 * one took: under a bulk import into a branch of 1 M records (1.5-3 s a
 * job) the warm job takes at most a fifth of one core, not all of it. */
#define WARM_BACKOFF 4

_Static_assert(sizeof(committee_branch_id) == STATS_BRANCH_CAP, "a cached row's branch is a store branch id");

typedef struct centry {
	struct centry *next;
	committee_branch_id branch;
	committee_ask ask;
	uint64_t seq;              /* the branch's feed head the row was computed at */
	uint64_t records;          /* live records it counted */
	stats_row row;             /* owned (its year report too) */
} centry;

typedef struct committee_cache {
	uv_mutex_t lock;           /* worker threads share the cache */
	centry *buckets[CACHE_BUCKETS];
	size_t n;
	size_t sweep;              /* the next bucket to make room from */
	uint64_t hits, misses;
	/* The branch the warm job is computing (busy), so a request for the
	 * same row waits for it instead of computing it twice. */
	uv_cond_t ready;           /* signalled when busy drops */
	int busy;
	committee_branch_id busy_branch;
	committee_ask busy_ask;
	uint64_t busy_seq;
	int stopping;              /* hearthd stops: the warm job ends after its branch */
	struct warm *warm;         /* NULL when [committee] warm = off */
} committee_cache;

/* One request in flight: what was asked, and the answer built on the
 * pool for the loop to send. */
typedef struct request {
	uv_work_t work;
	conn *c;
	api *a;
	uint64_t request_id;
	committee_ask ask;
	store_scope scope;
	committee_branch_id asked[COMMITTEE_ASK_MAX];
	size_t n_asked;
	committee_branch_id after;
	wirebuf body;              /* the Committee message's fields */
	int rc;
	uint64_t hits, misses;
	size_t rows;
	int warm;                  /* the warm job: fills the cache, answers no one */
} request;

/* The warm job's state, on the loop thread but for job (the worker's). */
typedef struct warm {
	uv_timer_t timer;
	uv_work_t work;
	request job;
	int running;
	int warmed;                /* a job finished: warmed_seq and warmed_today hold */
	uint64_t warmed_seq, job_seq;   /* the store's last change sequence */
	uint64_t started_ns;
	uint64_t next_ns;          /* no job before this (WARM_BACKOFF) */
} warm;

/* ------------------------------------------------ the cache */

static size_t bucket_of(const char *branch, const committee_ask *ask)
{
	uint64_t h = 1469598103934665603ULL;
	for (const unsigned char *p = (const unsigned char *)branch; *p; p++)
		h = (h ^ *p) * 1099511628211ULL;
	h = (h ^ (uint64_t)ask->year) * 1099511628211ULL;
	h = (h ^ (uint32_t)ask->today) * 1099511628211ULL;
	return (size_t)(h % CACHE_BUCKETS);
}

static void entry_free(centry *e)
{
	yearly_free(&e->row.year);
	free(e);
}

/* The entry of (branch, ask), or NULL; the caller holds the lock. */
static centry *cache_find(committee_cache *cc, const char *branch, const committee_ask *ask)
{
	for (centry *e = cc->buckets[bucket_of(branch, ask)]; e; e = e->next)
		if (!strcmp(e->branch, branch) && !memcmp(&e->ask, ask, sizeof(*ask)))
			return e;
	return NULL;
}

/* Frees the rows of the next non-empty bucket; the caller holds the lock. */
static void cache_make_room(committee_cache *cc)
{
	for (size_t tries = 0; tries < CACHE_BUCKETS; tries++) {
		centry **b = &cc->buckets[cc->sweep];
		cc->sweep = (cc->sweep + 1) % CACHE_BUCKETS;
		if (!*b)
			continue;
		while (*b) {
			centry *e = *b;
			*b = e->next;
			entry_free(e);
			cc->n--;
		}
		return;
	}
}

/* Stores e (taking it) in place of any older row of the same key. */
static void cache_put(committee_cache *cc, centry *e)
{
	size_t b = bucket_of(e->branch, &e->ask);

	uv_mutex_lock(&cc->lock);
	for (centry **p = &cc->buckets[b]; *p; p = &(*p)->next) {
		if (!strcmp((*p)->branch, e->branch) && !memcmp(&(*p)->ask, &e->ask, sizeof(e->ask))) {
			centry *old = *p;
			*p = old->next;
			entry_free(old);
			cc->n--;
			break;
		}
	}
	if (cc->n >= CACHE_MAX)
		cache_make_room(cc);
	e->next = cc->buckets[b];
	cc->buckets[b] = e;
	cc->n++;
	uv_mutex_unlock(&cc->lock);
}

void committee_cache_free(api *a)
{
	committee_cache *cc = a->committee;

	if (!cc)
		return;
	for (size_t b = 0; b < CACHE_BUCKETS; b++)
		while (cc->buckets[b]) {
			centry *e = cc->buckets[b];
			cc->buckets[b] = e->next;
			entry_free(e);
		}
	uv_cond_destroy(&cc->ready);
	uv_mutex_destroy(&cc->lock);
	free(cc->warm);
	free(cc);
	a->committee = NULL;
}

/* ------------------------------------------------ one branch */

/* Appends row as one CommitteeBranch to the answer, its coverage of
 * 困难党员 taken from the counters (see committee.h). */
static int append_row(request *j, const stats_row *row, const figures_row *counters)
{
	stats_row shown = *row;    /* shallow: the year report stays row's */
	committee_wire w;
	uint8_t *buf;
	size_t len;

	shown.v[ST_SPRING_VISITED] = counters->v[FC_SPRING_VISITED];
	shown.v[ST_JULY_VISITED] = counters->v[FC_JULY_VISITED];
	if (committee_row_to_wire(&shown, &w) != 0)
		return HEARTH_ENOMEM;
	len = hearth__committee_branch__get_packed_size(&w.msg);
	if (!(buf = malloc(len ? len : 1))) {
		committee_wire_free(&w);
		return HEARTH_ENOMEM;
	}
	hearth__committee_branch__pack(&w.msg, buf);
	wire_bytes_field(&j->body, 3, buf, len, 1);
	free(buf);
	committee_wire_free(&w);
	j->rows++;
	return j->body.failed ? HEARTH_ENOMEM : 0;
}

/* Counts branch's snapshot into a new cache entry (*out). */
static int compute_row(const request *j, const char *branch, const due_snapshot *snap, centry **out)
{
	centry *e = calloc(1, sizeof(*e));
	stats one;
	int rc;

	if (!e)
		return HEARTH_ENOMEM;
	stats_init(&one, j->ask.year, j->ask.today, &j->ask.due);
	if ((rc = stats_add_branch(&one, branch, NULL)) == 0)
		rc = stats_scan_snapshot(&one, snap);
	/* Every record of the snapshot is of branch: one row. */
	if (rc == 0 && one.n != 1)
		rc = HEARTH_ECORRUPT;
	if (rc != 0) {
		stats_free(&one);
		free(e);
		return rc;
	}
	e->row = one.rows[0];
	memset(&one.rows[0].year, 0, sizeof(one.rows[0].year));
	e->records = one.records;
	stats_free(&one);
	memcpy(e->branch, e->row.branch, sizeof(e->branch));   /* both STORE_BRANCH_MAX + 1 */
	e->ask = j->ask;
	*out = e;
	return 0;
}

/* One branch: its feed head and counters, then the cached row when it is
 * of that head, else the branch's snapshot counted, all in one short read
 * transaction. skip_empty: leave out a branch with no live record that
 * no admin named (a whole-store listing, as a replica shows it). */
static int do_branch(request *j, const char *branch, int skip_empty)
{
	committee_cache *cc = j->a->committee;
	store *st = j->a->store;
	due_snapshot snap;
	figures_row counters;
	MDB_txn *txn;
	uint64_t seq;
	centry *e;
	int rc, known;

	if ((rc = store_err(mdb_txn_begin(st->env, NULL, MDB_RDONLY, &txn))) != 0)
		return rc;
	if ((rc = committee_feed_head(st, txn, branch, &seq)) != 0 ||
	    (rc = figures_read_branch(st, txn, j->ask.year, branch, &counters)) != 0)
		goto failed_txn;
	known = committee_branch_known(st, txn, branch);
	uv_mutex_lock(&cc->lock);
	/* Bounded: the warm job drops busy after its one branch, on every path. */
	for (;;) {
		if ((e = cache_find(cc, branch, &j->ask)) != NULL && e->seq == seq) {
			cc->hits++;
			j->hits++;
			rc = j->warm || (skip_empty && !e->records && !known) ? 0 : append_row(j, &e->row, &counters);
			uv_mutex_unlock(&cc->lock);
			mdb_txn_abort(txn);
			return rc;
		}
		if (j->warm || !cc->busy || cc->busy_seq != seq || strcmp(cc->busy_branch, branch) ||
		    memcmp(&cc->busy_ask, &j->ask, sizeof(j->ask)))
			break;
		uv_cond_wait(&cc->ready, &cc->lock);
	}
	cc->misses++;
	j->misses++;
	if (j->warm) {
		cc->busy = 1;
		memcpy(cc->busy_branch, branch, sizeof(cc->busy_branch));
		cc->busy_ask = j->ask;
		cc->busy_seq = seq;
	}
	uv_mutex_unlock(&cc->lock);
	rc = committee_branch_snapshot(st, txn, branch, &snap);
	mdb_txn_abort(txn);
	if (rc == 0)
		rc = compute_row(j, branch, &snap, &e);
	due_snapshot_free(&snap);
	if (rc == 0) {
		e->seq = seq;
		if (!j->warm && !(skip_empty && !e->records && !known))
			rc = append_row(j, &e->row, &counters);
		cache_put(cc, e);
	}
	if (j->warm) {
		uv_mutex_lock(&cc->lock);
		cc->busy = 0;
		uv_cond_broadcast(&cc->ready);
		uv_mutex_unlock(&cc->lock);
	}
	return rc;
failed_txn:
	mdb_txn_abort(txn);
	return rc;
}

static int id_cmp(const void *a, const void *b)
{
	return strcmp(a, b);
}

/* The page's branches: asked ones, a general's subtree, or (all) the
 * store's, each after j->after, at most COMMITTEE_PAGE. */
static int page_branches(request *j, committee_branch_id *ids, size_t *n, int *more)
{
	size_t m = 0;

	*n = 0;
	*more = 0;
	if (j->n_asked || !j->scope.all) {
		committee_branch_id *from = j->n_asked ? j->asked : (committee_branch_id *)j->scope.ids;
		size_t cnt = j->n_asked ? j->n_asked : j->scope.n;
		committee_branch_id all[COMMITTEE_ASK_MAX > STORE_SCOPE_MAX ? COMMITTEE_ASK_MAX : STORE_SCOPE_MAX];

		memcpy(all, from, cnt * sizeof(*all));
		qsort(all, cnt, sizeof(*all), id_cmp);
		for (size_t i = 0; i < cnt; i++) {
			if ((i && !strcmp(all[i], all[i - 1])) || strcmp(all[i], j->after) <= 0)
				continue;
			if (m == COMMITTEE_PAGE) {
				*more = 1;
				break;
			}
			memcpy(ids[m++], all[i], sizeof(*all));
		}
		*n = m;
		return 0;
	}
	{
		MDB_txn *txn;
		int rc = store_err(mdb_txn_begin(j->a->store->env, NULL, MDB_RDONLY, &txn));
		if (rc != 0)
			return rc;
		rc = committee_branches(j->a->store, txn, j->after, ids, COMMITTEE_PAGE, n, more);
		mdb_txn_abort(txn);
		return rc;
	}
}

/* Thread pool: the page of branches, one at a time. */
static void do_committee(uv_work_t *w)
{
	request *j = w->data;
	committee_branch_id ids[COMMITTEE_PAGE];
	size_t n, looked = 0;
	int more;

	if ((j->rc = page_branches(j, ids, &n, &more)) != 0)
		return;
	wire_uint_field(&j->body, 1, (uint64_t)(int64_t)j->ask.year);
	wire_uint_field(&j->body, 2, (uint64_t)(int64_t)j->ask.today);
	for (size_t i = 0; i < n; i++) {
		if ((j->rc = do_branch(j, ids[i], j->scope.all && !j->n_asked)) != 0)
			return;
		looked = i + 1;
		if (j->body.len >= COMMITTEE_ANSWER_BYTES && i + 1 < n) {
			more = 1;
			break;
		}
	}
	/* The next page starts after the last branch looked at, shown or left
	 * out (empty), so a page of empty branches still moves on. */
	if (more && looked) {
		wire_uint_field(&j->body, 4, 1);
		wire_bytes_field(&j->body, 5, ids[looked - 1], strlen(ids[looked - 1]), 0);
	}
	if (j->body.failed)
		j->rc = HEARTH_ENOMEM;
}

static void committee_done(uv_work_t *w, int status)
{
	request *j = w->data;
	conn *c = j->c;
	char rows[24], hits[24], misses[24];

	if (status != 0 && j->rc == 0)
		j->rc = HEARTH_EIO;
	if (c->state != CONN_CLOSING) {
		if (j->rc != 0)
			conn_send_error(c, j->request_id, j->rc == HEARTH_EFULL ? HEARTH__ERROR_CODE__ERR_STORE_FULL
			                                                        : HEARTH__ERROR_CODE__ERR_INTERNAL,
			                "", 0, "cannot compute the committee's figures: %s", hearth_strerror(j->rc));
		else
			conn_send_body(c, j->request_id, BODY_COMMITTEE, &j->body);
	}
	log_event(LOG_INFO, "committee", "cn", c->id.name, "branches", log_u64(rows, j->rows), "cached",
	          log_u64(hits, j->hits), "computed", log_u64(misses, j->misses), NULL);
	wire_free(&j->body);
	free(j);
	c->inflight--;
	conn_unref(c);
}

/* ------------------------------------------------ the request */

/* Makes a's cache if it has none. The cache is made on the loop thread,
 * before any worker can use it. Returns 0 or HEARTH_ENOMEM. */
static int cache_ensure(api *a)
{
	committee_cache *cc;

	if (a->committee)
		return 0;
	if (!(cc = calloc(1, sizeof(*cc))))
		return HEARTH_ENOMEM;
	if (uv_mutex_init(&cc->lock) != 0) {
		free(cc);
		return HEARTH_ENOMEM;
	}
	if (uv_cond_init(&cc->ready) != 0) {
		uv_mutex_destroy(&cc->lock);
		free(cc);
		return HEARTH_ENOMEM;
	}
	a->committee = cc;
	return 0;
}

int committee_handle_request(conn *c, Hearth__Envelope *env)
{
	Hearth__CommitteeRequest *rq = env->committee_request;
	api *a = api_of(c);
	committee_ask ask;
	store_scope scope;
	const char *field = "";
	char msg[300];
	request *j;

	/* Who may ask first: a refused principal learns nothing of the checks. */
	if (authz_committee(c, env, rq->branches, rq->n_branches, &scope) != AUTHZ_ALLOW)
		return DISPATCH_DONE;
	if (committee_ask_check(rq, &ask, &field, msg, sizeof(msg)) != 0) {
		conn_send_error(c, env->request_id, HEARTH__ERROR_CODE__ERR_INVALID, field, 0, "%s", msg);
		return DISPATCH_DONE;
	}
	if (rq->after && strlen(rq->after) > STORE_BRANCH_MAX) {
		conn_send_error(c, env->request_id, HEARTH__ERROR_CODE__ERR_INVALID, "after", 0,
		                "after is longer than %d bytes", STORE_BRANCH_MAX);
		return DISPATCH_DONE;
	}
	if (!(j = calloc(1, sizeof(*j)))) {
		conn_send_error(c, env->request_id, HEARTH__ERROR_CODE__ERR_INTERNAL, "", 0, "out of memory");
		return DISPATCH_DONE;
	}
	if (cache_ensure(a) != 0) {
		free(j);
		conn_send_error(c, env->request_id, HEARTH__ERROR_CODE__ERR_INTERNAL, "", 0, "out of memory");
		return DISPATCH_DONE;
	}
	j->c = c;
	j->a = a;
	j->request_id = env->request_id;
	j->ask = ask;
	j->scope = scope;
	for (size_t i = 0; i < rq->n_branches; i++)
		snprintf(j->asked[i], sizeof(j->asked[i]), "%s", rq->branches[i]);
	j->n_asked = rq->n_branches;
	snprintf(j->after, sizeof(j->after), "%s", rq->after ? rq->after : "");
	j->work.data = j;
	if (uv_queue_work(c->srv->loop, &j->work, do_committee, committee_done) != 0) {
		free(j);
		conn_send_error(c, env->request_id, HEARTH__ERROR_CODE__ERR_INTERNAL, "", 0,
		                "cannot start the computation");
		return DISPATCH_DONE;
	}
	c->inflight++;
	conn_ref(c);
	return DISPATCH_DONE;
}

/* ------------------------------------------------ the warm job */

/* The day a client computes (client/core/due_load.c due_today): the
 * HEARTH_TODAY the tests set, else today's day number. */
static int32_t warm_today(void)
{
	const char *s = getenv("HEARTH_TODAY");
	int32_t d;

	if (s && *s && date_parse(s, &d) == 0)
		return d;
	return date_today();
}

static int cache_stopping(committee_cache *cc)
{
	int v;

	uv_mutex_lock(&cc->lock);
	v = cc->stopping;
	uv_mutex_unlock(&cc->lock);
	return v;
}

/* Thread pool: every branch of the store, a page at a time, each row
 * computed only when its feed head moved (do_branch). */
static void do_warm(uv_work_t *w)
{
	warm *wm = w->data;
	request *j = &wm->job;
	committee_cache *cc = j->a->committee;
	committee_branch_id ids[COMMITTEE_PAGE];
	size_t n;
	int more = 1;

	while (more && !cache_stopping(cc)) {
		MDB_txn *txn;
		if ((j->rc = store_err(mdb_txn_begin(j->a->store->env, NULL, MDB_RDONLY, &txn))) != 0)
			return;
		j->rc = committee_branches(j->a->store, txn, j->after, ids, COMMITTEE_PAGE, &n, &more);
		mdb_txn_abort(txn);
		if (j->rc != 0 || n == 0)
			return;
		for (size_t i = 0; i < n && !cache_stopping(cc); i++) {
			if ((j->rc = do_branch(j, ids[i], 0)) != 0)
				return;
			j->rows++;
		}
		memcpy(j->after, ids[n - 1], sizeof(j->after));
	}
}

static void warm_done(uv_work_t *w, int status)
{
	warm *wm = w->data;
	request *j = &wm->job;
	char rows[24], misses[24], ms[24];
	uint64_t now = uv_hrtime(), took = now - wm->started_ns, gap = (uint64_t)WARM_EVERY_MS * 1000000;

	wm->running = 0;
	if (status != 0 && j->rc == 0)
		j->rc = HEARTH_EIO;
	if (took * WARM_BACKOFF > gap)
		gap = took * WARM_BACKOFF;
	wm->next_ns = now + gap;
	log_u64(ms, (unsigned long long)(took / 1000000));
	if (j->rc != 0) {
		log_event(LOG_WARN, "committee_warm_failed", "error", hearth_strerror(j->rc), "ms", ms, NULL);
		return;
	}
	wm->warmed = 1;
	wm->warmed_seq = wm->job_seq;
	log_event(LOG_INFO, "committee_warm", "branches", log_u64(rows, j->rows), "computed",
	          log_u64(misses, j->misses), "ms", ms, NULL);
}

/* Loop thread: queues a warm job when none runs and the store changed, or
 * the day rolled over, since the last one. */
static void on_warm_timer(uv_timer_t *t)
{
	api *a = t->data;
	committee_cache *cc = a->committee;
	warm *wm = cc->warm;
	int32_t today = warm_today();
	uint64_t seq;
	char ymd[11];

	if (wm->running || cc->stopping || uv_hrtime() < wm->next_ns)
		return;
	/* One short read transaction: the store's last change. */
	if (store_last_seq(a->store, &seq) != 0)
		return;
	if (wm->warmed && seq == wm->warmed_seq && today == wm->job.ask.today)
		return;
	memset(&wm->job, 0, sizeof(wm->job));
	wm->job.a = a;
	wm->job.warm = 1;
	wm->job.scope.all = 1;
	date_format(today, ymd);
	wm->job.ask.year = atoi(ymd);
	wm->job.ask.today = today;
	due_config_defaults(&wm->job.ask.due);
	wm->job_seq = seq;
	wm->started_ns = uv_hrtime();
	wm->work.data = wm;
	if (uv_queue_work(t->loop, &wm->work, do_warm, warm_done) == 0)
		wm->running = 1;
}

int committee_warm_start(api *a, uv_loop_t *loop)
{
	warm *wm;

	if (cache_ensure(a) != 0 || !(wm = calloc(1, sizeof(*wm))))
		return HEARTH_ENOMEM;
	uv_timer_init(loop, &wm->timer);
	wm->timer.data = a;
	a->committee->warm = wm;
	uv_timer_start(&wm->timer, on_warm_timer, 0, WARM_EVERY_MS);
	return 0;
}

void committee_warm_stop(api *a)
{
	committee_cache *cc = a->committee;

	if (!cc)
		return;
	uv_mutex_lock(&cc->lock);
	cc->stopping = 1;
	uv_mutex_unlock(&cc->lock);
	if (cc->warm) {
		uv_timer_stop(&cc->warm->timer);
		uv_close((uv_handle_t *)&cc->warm->timer, NULL);
	}
}
