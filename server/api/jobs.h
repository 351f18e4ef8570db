/* jobs.h: the writer job for a request that arrived on a connection, filled
 * the same way for every job type that answers its conn (push, audit note,
 * admin request). */
#ifndef HEARTHD_JOBS_H
#define HEARTHD_JOBS_H

#include "server/loop/connection.h"
#include "common/envelope.h"
#include "server/writer.h"

/* A new job of type for request env on c, on the loop thread: the actor is
 * c's certificate identity, peer is c's address, now_ms is the current
 * time, and c is referenced (conn_ref) and counted in c->inflight, so it
 * stays alive until the job is done. The caller sets what its type needs
 * besides, then hands the job to writer_submit, which owns it from then on;
 * it must not fail in between.
 *
 * The job takes env: it is freed with the job. On out of memory, c has been
 * answered with ERR_INTERNAL, nothing was referenced, env is still the
 * caller's, and NULL is returned. */
push_job *jobs_from_conn(conn *c, enum job_type type, Hearth__Envelope *env);

#endif
