/* jobs.c: makes the writer job for a connection's request, so every request
 * that waits for the writer carries its actor and its conn reference alike. */
#include "server/api/jobs.h"

#include <stdio.h>
#include <stdlib.h>

#include "server/loop/listener.h"

push_job *jobs_from_conn(conn *c, enum job_type type, Hearth__Envelope *env)
{
	push_job *job = calloc(1, sizeof(*job));

	if (!job) {
		conn_send_error(c, env->request_id, HEARTH__ERROR_CODE__ERR_INTERNAL, "", 0, "out of memory");
		return NULL;
	}
	job->type = type;
	job->conn = c;
	job->env = env;
	job->now_ms = server_now_ms();
	snprintf(job->peer, sizeof(job->peer), "%s", c->peer);
	job->who.role = c->id.role;
	snprintf(job->who.branch, sizeof(job->who.branch), "%s", c->id.branch_id);
	snprintf(job->who.fingerprint, sizeof(job->who.fingerprint), "%s", c->id.fingerprint);
	snprintf(job->who.name, sizeof(job->who.name), "%s", c->id.name);
	/* The writer answers through job->conn; the reference keeps the conn
	 * from being freed before that, and inflight bounds how many answers a
	 * connection may be waiting for. */
	conn_ref(c);
	c->inflight++;
	return job;
}
