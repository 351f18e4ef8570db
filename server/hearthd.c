/* hearthd.c: creates the loop, the store, the writer, the purge and the
 * audit key, and connects them (the only file that sees them all). */
#include "server/hearthd.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/audit.h"
#include "common/hearth.h"
#include "common/log.h"
#include "server/db/principals.h"

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

/* The audit secret: the file audit_secret beside the audit key when there
 * is one (certs/mkcerts.sh makes it), else audit_secret in the data
 * directory, made at the first start. Back it up with the store. */
static int load_audit_secret(hearthd *h, const hearthd_config *cfg)
{
	char path[1200], err[512];
	const char *slash = strrchr(cfg->audit_key, '/');
	int beside;

	if (slash)
		snprintf(path, sizeof(path), "%.*s/audit_secret", (int)(slash - cfg->audit_key), cfg->audit_key);
	else
		snprintf(path, sizeof(path), "audit_secret");
	beside = access(path, R_OK) == 0;
	if (!beside)
		snprintf(path, sizeof(path), "%s/audit_secret", cfg->data_dir);
	if (audit_load_secret(path, !beside, h->st.audit_secret, err, sizeof(err)) != 0) {
		log_event(LOG_ERROR, "audit_secret_failed", "error", err, NULL);
		return -1;
	}
	h->st.has_audit_secret = 1;
	log_event(LOG_INFO, "audit_secret", "path", path, NULL);
	return 0;
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
	h->api.audit_key = audit_load_key(cfg->audit_key, err, sizeof(err));
	if (!h->api.audit_key || audit_public_key(h->api.audit_key, h->api.audit_pub) != 0) {
		log_event(LOG_ERROR, "audit_key_failed", "error", err, "hint",
		          "set [audit] key or --audit-key to an Ed25519 key (certs/mkcerts.sh makes one)", NULL);
		goto failed_key;
	}
	if (store_open(&h->st, cfg->data_dir, cfg->map_size, err, sizeof(err)) != 0) {
		log_event(LOG_ERROR, "store_failed", "error", err, NULL);
		goto failed_key;
	}
	h->store_open = 1;
	log_stale_readers(h->st.stale_readers_at_open, "start");
	if (load_audit_secret(h, cfg) != 0)
		goto failed_store;
	if (principals_preset_branches(&h->st, (char **)cfg->preset_branches, cfg->n_preset_branches, err,
	                               sizeof(err)) != 0) {
		log_event(LOG_ERROR, "branches_failed", "error", err, NULL);
		goto failed_store;
	}
	if (writer_start(&h->w, loop,
	                 &(writer_opts){ .st = &h->st, .group_commit = cfg->group_commit,
	                                 .audit_key = h->api.audit_key }) != 0) {
		log_event(LOG_ERROR, "writer_failed", NULL);
		goto failed_store;
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
	return 0;
failed_writer:
	writer_stop(&h->w);
	h->writer_started = 0;
failed_store:
	store_close(&h->st);
	h->store_open = 0;
failed_key:
	EVP_PKEY_free(h->api.audit_key);
	h->api.audit_key = NULL;
	server_free(srv);
	return HEARTH_EIO;
}

int hearthd_run(hearthd *h)
{
	return server_run(&h->srv);
}

void hearthd_free(hearthd *h)
{
	EVP_PKEY_free(h->api.audit_key);
	h->api.audit_key = NULL;
	server_free(&h->srv);
	if (h->store_open)
		store_close(&h->st);
	h->store_open = 0;
}
