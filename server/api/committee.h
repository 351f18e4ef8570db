/* committee.h: the committee's stats and year report computed by hearthd
 * (CommitteeRequest -> Committee, issue 16 item 4), so no admin needs a
 * replica: for each branch of the caller's scope its live records are read
 * into a due_snapshot (server/db/committee.h) and counted by the client's
 * own computation (common/stats.c stats_scan_snapshot), on the thread pool,
 * one branch (one short read transaction, one snapshot in memory) at a
 * time. Each branch's row is cached in memory, keyed by the branch, the
 * head of its change feed and what was asked (year, today, thresholds): a
 * second call with no change reads only the feed heads, a change in one
 * branch recomputes that branch only.
 *
 * 困难党员 visited at Spring Festival / 七一 (ST_SPRING_VISITED,
 * ST_JULY_VISITED) count visits from any branch, as over a replica of every
 * branch: those two come from the counters (server/db/figures.h), which
 * keep them across branches, on every call rather than from the cache. */
#ifndef HEARTHD_API_COMMITTEE_H
#define HEARTHD_API_COMMITTEE_H

#include <stdint.h>
#include <uv.h>

#include "common/envelope.h"

struct conn;
struct api;

/* dispatch_fn (loop thread): checks the request (authz_committee;
 * committee_ask_check: a bad field is INVALID naming it) and queues the
 * computation; the answer (Committee, or INTERNAL) is sent from the loop
 * when it is done, and one log line (event=committee: branches answered,
 * rows from the cache, rows computed). An answer stops short of its page
 * of COMMITTEE_PAGE branches, saying more, once it holds
 * COMMITTEE_ANSWER_BYTES. Returns DISPATCH_DONE. */
int committee_handle_request(struct conn *c, Hearth__Envelope *env);

/* Keeps warm what clients almost always ask: this year, today (the day a
 * client computes, HEARTH_TODAY honoured as by due_today) and the default
 * thresholds (due_config_defaults), for every branch of the store. A timer
 * on loop looks every WARM_EVERY_MS (3 s; the first time at once) at the
 * store's last change sequence and the day; when either moved since the
 * last warm job, none runs and the last one ended at least 3 s and 4
 * times its own duration ago, it queues one (uv_queue_work): each
 * branch is recomputed only when its feed head moved. A request for a row
 * the job is computing waits for it rather than computing it twice. One
 * log line per job (event=committee_warm branches computed ms). Loop
 * thread, after the store is open; returns 0 or HEARTH_ENOMEM. */
int committee_warm_start(struct api *a, uv_loop_t *loop);

/* Loop thread, when hearthd stops: no more warm jobs; a running one ends
 * after the branch it is computing (its line is still logged). */
void committee_warm_stop(struct api *a);

/* Frees a's cache, after the loop has stopped (no computation running). */
void committee_cache_free(struct api *a);

#endif
