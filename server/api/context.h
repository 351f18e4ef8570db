/* context.h: what every request handler shares: the store, the writer's
 * queue, the audit key and the cached checkpoint, the request limits. */
#ifndef HEARTHD_CONTEXT_H
#define HEARTHD_CONTEXT_H

#include <stdint.h>
#include <openssl/evp.h>

#include "common/audit.h"
#include "server/db/checkpoint.h"
#include "server/db/job.h"
#include "server/db/store.h"
#include "server/loop/connection.h"
#include "server/loop/server.h"

/* Everything here is borrowed from the top (server/hearthd.c), which keeps
 * it alive as long as the loop runs. */
typedef struct api {
	server *srv;
	store *store;
	const job_queue *jobs;
	EVP_PKEY *audit_key;            /* signs checkpoints */
	uint8_t audit_pub[AUDIT_KEY_LEN];
	checkpoint_cache cp;            /* the latest signed checkpoint */
	char org[128];                  /* the organisation certificates must name */
	char data_dir[1024];            /* for snapshot files and status */
	uint32_t max_inflight;          /* requests in progress per connection */
	uint32_t max_ops_per_push;
	uint32_t max_pull_limit;        /* records per pull page */
	uint32_t audit_events_per_window; /* client events + denials stored one by one per principal */
	uint32_t audit_event_window_ms; /* ... per this window (event_budget.h) */
	int group_commit;               /* for status */
	/* The committee answer's rows (api/committee.c), made at the first
	 * CommitteeRequest, freed by committee_cache_free after the loop. */
	struct committee_cache *committee;
} api;

/* The api a connection's server was started with. */
api *api_of(const conn *c);

#endif
