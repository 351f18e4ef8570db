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

/* Frees a's cache, after the loop has stopped (no computation running). */
void committee_cache_free(struct api *a);

#endif
