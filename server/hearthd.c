/* hearthd.c: creates the loop, the store, the writer, the purge and the
 * audit key and secret, and connects them (the only file that sees them all). */
#include "server/hearthd.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/audit.h"
#include "common/hearth.h"
#include "common/log.h"
#include "server/api/committee.h"
#include "server/db/audit_log.h"
#include "server/db/chunks.h"
#include "server/db/conflict_queue.h"
#include "server/db/figures.h"
#include "server/db/principals.h"
#include "server/db/refs.h"
#include "server/db/revision.h"

/* How often stale LMDB reader slots are looked for. A constant, not a
 * setting (config.c is not ours to change); HEARTHD_TEST_READER_CHECK_MS
 * shortens it for tests. */
#define READER_CHECK_INTERVAL_MS 60000

/* A process killed inside a read transaction (hearthd backup under
 * SIGKILL) leaves its reader slot: LMDB then keeps every page freed since,
 * and the file grows by the size of each round of edits. */
static void log_stale_readers(int cleared, const char *when)
{
	char n[16];
	if (cleared <= 0)
		return;
	snprintf(n, sizeof(n), "%d", cleared);
	log_event(LOG_WARN, "stale_readers_cleared", "count", n, "when", when, "hint",
	          "a process (e.g. a killed hearthd backup) died inside a read transaction", NULL);
}

static void on_readers_timer(uv_timer_t *t)
{
	hearthd *h = t->data;
	int cleared = 0;
	if (store_clear_stale_readers(&h->st, &cleared) == 0)
		log_stale_readers(cleared, "periodic");
}

static uint64_t reader_check_interval(void)
{
	const char *v = getenv("HEARTHD_TEST_READER_CHECK_MS");
	long ms = v ? strtol(v, NULL, 10) : 0;
	if (ms > 0 && ms <= READER_CHECK_INTERVAL_MS) {
		log_event(LOG_WARN, "test_reader_check_interval", "ms", v, NULL);
		return (uint64_t)ms;
	}
	return READER_CHECK_INTERVAL_MS;
}

/* server_stop calls this first: no more purge batches, then the writer
 * finishes every job already taken and answers it. */
static void on_stop(void *ctx)
{
	hearthd *h = ctx;

	purge_stop(&h->purge);
	committee_warm_stop(&h->api);
	uv_timer_stop(&h->readers_timer);
	uv_close((uv_handle_t *)&h->readers_timer, NULL);
	if (h->writer_started)
		writer_stop(&h->w);
	h->writer_started = 0;
}

/* The loop's share of the settings. */
static void loop_settings(loop_config *lc, const hearthd_config *cfg)
{
	memset(lc, 0, sizeof(*lc));
	snprintf(lc->listen_host, sizeof(lc->listen_host), "%s", cfg->listen_host);
	lc->listen_port = cfg->listen_port;
	snprintf(lc->cert, sizeof(lc->cert), "%s", cfg->cert);
	snprintf(lc->key, sizeof(lc->key), "%s", cfg->key);
	snprintf(lc->ca, sizeof(lc->ca), "%s", cfg->ca);
	snprintf(lc->crl, sizeof(lc->crl), "%s", cfg->crl);
	snprintf(lc->org, sizeof(lc->org), "%s", cfg->org);
	lc->max_connections = cfg->max_connections;
	/* The pre-auth pool lives inside max_connections. */
	lc->max_preauth = cfg->max_preauth < cfg->max_connections ? cfg->max_preauth : cfg->max_connections;
	lc->max_preauth_per_addr = cfg->max_preauth_per_addr;
	lc->handshake_timeout_ms = cfg->handshake_timeout_ms;
	lc->idle_timeout_ms = cfg->idle_timeout_ms;
	lc->max_frame = cfg->max_frame;
	lc->output_cap = cfg->output_cap;
	lc->partial_budget = cfg->partial_frame_budget;
}

/* The request side's share, and what it borrows from the top. */
static void api_settings(hearthd *h, const hearthd_config *cfg)
{
	api *a = &h->api;

	a->store = &h->st;
	a->jobs = &h->jobs;
	snprintf(a->org, sizeof(a->org), "%s", cfg->org);
	snprintf(a->data_dir, sizeof(a->data_dir), "%s", cfg->data_dir);
	a->max_inflight = cfg->max_inflight;
	a->max_ops_per_push = cfg->max_ops_per_push;
	a->max_pull_limit = cfg->max_pull_limit;
	a->audit_events_per_window = cfg->audit_events_per_minute;
	a->audit_event_window_ms = cfg->audit_event_window_ms;
	a->group_commit = cfg->group_commit;
}

/* The audit key and secret (audit_keys.h): made at the store's first
 * start, refused when missing from a store that has signed checkpoints. */
static int load_audit_keys(hearthd *h, const hearthd_config *cfg)
{
	char err[2048];
	uint64_t checkpoints = 0;
	int rc;

	if ((rc = audit_checkpoint_count(&h->st, &checkpoints)) != 0) {
		log_event(LOG_ERROR, "audit_key_failed", "error", hearth_strerror(rc), NULL);
		return rc;
	}
	rc = audit_keys_load(&h->keys,
	                     &(audit_keys_opts){ .configured_key = cfg->audit_key, .data_dir = cfg->data_dir,
	                                         .checkpoints = checkpoints, .announce = stdout },
	                     err, sizeof(err));
	if (rc != 0) {
		/* A refusal is for the person starting the server, in full words;
		 * the log line carries the same text. */
		if (rc == AUDIT_KEYS_KEY_MISSING || rc == AUDIT_KEYS_SECRET_MISSING)
			fprintf(stderr, "hearthd: %s\n", err);
		log_event(LOG_ERROR, rc == AUDIT_KEYS_KEY_MISSING      ? "audit_key_missing"
		                     : rc == AUDIT_KEYS_SECRET_MISSING ? "audit_secret_missing"
		                                                       : "audit_key_failed",
		          "error", err, NULL);
		return rc;
	}
	h->api.audit_key = h->keys.key;
	memcpy(h->api.audit_pub, h->keys.pub, sizeof(h->api.audit_pub));
	memcpy(h->st.audit_secret, h->keys.secret, sizeof(h->st.audit_secret));
	h->st.has_audit_secret = 1;
	return 0;
}

/* Transfers accepted before the sending branch kept a summary get theirs
 * (refs_backfill_summaries), once per store, before anyone connects. */
static int backfill_summaries(store *st)
{
	MDB_txn *txn;
	actor sys;
	size_t made = 0;
	char n[24];
	int rc;

	memset(&sys, 0, sizeof(sys));
	snprintf(sys.name, sizeof(sys.name), "hearthd");
	if ((rc = store_err(mdb_txn_begin(st->env, NULL, 0, &txn))) != 0)
		return rc;
	rc = refs_backfill_summaries(st, txn, &sys, (int64_t)time(NULL) * 1000, revision_create, &made);
	if (rc == 0)
		rc = store_err(mdb_txn_commit(txn));
	else
		mdb_txn_abort(txn);
	if (rc == 0 && made) {
		snprintf(n, sizeof(n), "%zu", made);
		log_event(LOG_INFO, "transfer_summaries_made", "count", n, NULL);
	}
	return rc;
}

/* The committee's counters (server/db/figures.h) made from every record
 * when the store has none (a store from before them), once, after the
 * summaries they count and before anyone connects. */
static int ensure_figures(store *st)
{
	MDB_txn *txn;
	int rc, rebuilt = 0;

	if ((rc = store_err(mdb_txn_begin(st->env, NULL, 0, &txn))) != 0)
		return rc;
	rc = figures_ensure(st, txn, &rebuilt);
	if (rc == 0)
		rc = store_err(mdb_txn_commit(txn));
	else
		mdb_txn_abort(txn);
	if (rc == 0 && rebuilt)
		log_event(LOG_INFO, "figures_rebuilt", NULL);
	return rc;
}

/* The index of open conflicts (server/db/conflict_queue.h) made from the
 * stored conflicts when the store has none (a store from before it),
 * once, before anyone connects. */
static int ensure_conflict_queue(store *st)
{
	MDB_txn *txn;
	int rc, built = 0;

	if ((rc = store_err(mdb_txn_begin(st->env, NULL, 0, &txn))) != 0)
		return rc;
	rc = conflict_queue_ensure(st, txn, &built);
	if (rc == 0)
		rc = store_err(mdb_txn_commit(txn));
	else
		mdb_txn_abort(txn);
	if (rc == 0 && built)
		log_event(LOG_INFO, "conflict_queue_built", NULL);
	return rc;
}

int hearthd_init(hearthd *h, uv_loop_t *loop, const hearthd_config *cfg)
{
	server *srv = &h->srv;
	loop_config lc;
	char err[512];
	int rc;

	memset(h, 0, sizeof(*h));
	loop_settings(&lc, cfg);
	if ((rc = server_init(srv, loop, &lc)) != 0)
		return rc;
	if (store_open(&h->st, cfg->data_dir, cfg->map_size, err, sizeof(err)) != 0) {
		log_event(LOG_ERROR, "store_failed", "error", err, NULL);
		goto failed_store;
	}
	h->store_open = 1;
	h->st.attachment_max_size = cfg->attachment_max_size;
	h->st.attachment_quota = cfg->attachment_quota;
	log_stale_readers(h->st.stale_readers_at_open, "start");
	/* After the store: whether a missing key may be made depends on the
	 * checkpoints it already holds. */
	if (load_audit_keys(h, cfg) != 0)
		goto failed_keys;
	if (principals_preset_branches(&h->st, (char **)cfg->preset_branches, cfg->n_preset_branches, err,
	                               sizeof(err)) != 0) {
		log_event(LOG_ERROR, "branches_failed", "error", err, NULL);
		goto failed_branches;
	}
	if ((rc = backfill_summaries(&h->st)) != 0) {
		log_event(LOG_ERROR, "transfer_summaries_failed", "error", hearth_strerror(rc), NULL);
		goto failed_branches;
	}
	{
		uint64_t n = 0;
		char num[24];
		if (chunks_index_existing(&h->st, &n, err, sizeof(err)) != 0) {
			log_event(LOG_ERROR, "attachments_index_failed", "error", err, NULL);
			goto failed_branches;
		}
		if (n)
			log_event(LOG_INFO, "attachments_indexed", "records", log_u64(num, (unsigned long long)n), NULL);
	}
	if ((rc = ensure_figures(&h->st)) != 0) {
		log_event(LOG_ERROR, "figures_failed", "error", hearth_strerror(rc), NULL);
		goto failed_branches;
	}
	if ((rc = ensure_conflict_queue(&h->st)) != 0) {
		log_event(LOG_ERROR, "conflict_queue_failed", "error", hearth_strerror(rc), NULL);
		goto failed_branches;
	}
	if (writer_start(&h->w, loop,
	                 &(writer_opts){ .st = &h->st, .group_commit = cfg->group_commit,
	                                 .audit_key = h->api.audit_key }) != 0) {
		log_event(LOG_ERROR, "writer_failed", NULL);
		goto failed_branches;
	}
	h->writer_started = 1;
	h->jobs = writer_queue(&h->w);
	api_settings(h, cfg);
	if (routes_start(&h->api, srv) != 0) {
		log_event(LOG_ERROR, "routes_failed", NULL);
		goto failed_writer;
	}
	srv->on_stop = on_stop;
	srv->on_stop_ctx = h;
	purge_start(&h->purge, loop, &h->jobs, cfg->tombstone_days);
	uv_timer_init(loop, &h->readers_timer);
	h->readers_timer.data = h;
	{
		uint64_t every = reader_check_interval();
		uv_timer_start(&h->readers_timer, on_readers_timer, every, every);
	}
	server_start(srv);
	/* Listening first: the warm job runs on the pool, never delaying the
	 * start or the first requests. Without it the first call computes. */
	if (cfg->committee_warm && committee_warm_start(&h->api, loop) != 0)
		log_event(LOG_WARN, "committee_warm_failed", "error", hearth_strerror(HEARTH_ENOMEM), NULL);
	return 0;
failed_writer:
	writer_stop(&h->w);
	h->writer_started = 0;
failed_branches:
	h->api.audit_key = NULL;
	audit_keys_free(&h->keys);
failed_keys:
	store_close(&h->st);
	h->store_open = 0;
failed_store:
	server_free(srv);
	return HEARTH_EIO;
}

int hearthd_run(hearthd *h)
{
	return server_run(&h->srv);
}

void hearthd_free(hearthd *h)
{
	committee_cache_free(&h->api);
	h->api.audit_key = NULL;
	audit_keys_free(&h->keys);
	server_free(&h->srv);
	if (h->store_open)
		store_close(&h->st);
	h->store_open = 0;
}
