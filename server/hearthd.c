/* hearthd.c: creates the loop, the store, the writer, the purge and the
 * audit key, and connects them (the only file that sees them all). */
#include "server/hearthd.h"

#include <string.h>

#include "common/audit.h"
#include "common/hearth.h"
#include "common/log.h"
#include "server/db/principals.h"

/* server_stop calls this first: no more purge batches, then the writer
 * finishes every job already taken and answers it. */
static void on_stop(void *ctx)
{
	hearthd *h = ctx;

	purge_stop(&h->purge);
	if (h->writer_started)
		writer_stop(&h->w);
	h->writer_started = 0;
}

int hearthd_init(hearthd *h, uv_loop_t *loop, const hearthd_config *cfg)
{
	server *srv = &h->srv;
	char err[512];
	int rc;

	memset(h, 0, sizeof(*h));
	if ((rc = server_init(srv, loop, cfg)) != 0)
		return rc;
	srv->audit_key = audit_load_key(cfg->audit_key, err, sizeof(err));
	if (!srv->audit_key || audit_public_key(srv->audit_key, srv->audit_pub) != 0) {
		log_event(LOG_ERROR, "audit_key_failed", "error", err, "hint",
		          "set [audit] key or --audit-key to an Ed25519 key (certs/mkcerts.sh makes one)", NULL);
		goto failed_key;
	}
	if (store_open(&h->st, cfg->data_dir, cfg->map_size, err, sizeof(err)) != 0) {
		log_event(LOG_ERROR, "store_failed", "error", err, NULL);
		goto failed_key;
	}
	h->store_open = 1;
	if (principals_preset_branches(&h->st, (char **)cfg->preset_branches, cfg->n_preset_branches, err,
	                               sizeof(err)) != 0) {
		log_event(LOG_ERROR, "branches_failed", "error", err, NULL);
		goto failed_store;
	}
	if (writer_start(&h->w, loop, &h->st, cfg->group_commit) != 0) {
		log_event(LOG_ERROR, "writer_failed", NULL);
		goto failed_store;
	}
	h->writer_started = 1;
	h->jobs = writer_queue(&h->w);
	srv->store = &h->st;
	srv->jobs = &h->jobs;
	srv->on_stop = on_stop;
	srv->on_stop_ctx = h;
	purge_start(&h->purge, loop, &h->jobs, cfg->tombstone_days);
	server_start(srv);
	return 0;
failed_store:
	store_close(&h->st);
	h->store_open = 0;
failed_key:
	EVP_PKEY_free(srv->audit_key);
	srv->audit_key = NULL;
	server_free(srv);
	return HEARTH_EIO;
}

int hearthd_run(hearthd *h)
{
	return server_run(&h->srv);
}

void hearthd_free(hearthd *h)
{
	EVP_PKEY_free(h->srv.audit_key);
	h->srv.audit_key = NULL;
	server_free(&h->srv);
	if (h->store_open)
		store_close(&h->st);
	h->store_open = 0;
}
