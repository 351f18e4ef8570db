/* hearthd.h: the running server put together: the loop (listener and
 * connections), the store, the one writer, the purge timer, and the audit
 * signing key, each created here and connected to the others. */
#ifndef HEARTHD_HEARTHD_H
#define HEARTHD_HEARTHD_H

#include <uv.h>

#include "server/api/context.h"
#include "server/api/routes.h"
#include "server/api/purge.h"
#include "server/audit_keys.h"
#include "server/config.h"
#include "server/db/job.h"
#include "server/db/store.h"
#include "server/loop/listener.h"
#include "server/writer.h"

typedef struct hearthd {
	server srv;
	store st;
	writer w;
	job_queue jobs;
	purge purge;
	uv_timer_t readers_timer;  /* clears stale LMDB reader slots (hearthd.c) */
	api api;
	audit_keys keys;           /* the signing key api.audit_key borrows, and the secret */
	int store_open;
	int writer_started;
} hearthd;

/* Opens everything cfg names and binds the listener; nothing accepts
 * before hearthd_run. Returns 0, or a negative HEARTH_E* code with a log
 * line saying what failed (nothing is held then). */
int hearthd_init(hearthd *h, uv_loop_t *loop, const hearthd_config *cfg);

/* Runs the loop until SIGTERM/SIGINT drained every connection. Returns 0. */
int hearthd_run(hearthd *h);

/* Releases what hearthd_init acquired, after hearthd_run returned. */
void hearthd_free(hearthd *h);

#endif
