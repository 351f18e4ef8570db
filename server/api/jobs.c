/* jobs.c: makes the writer job for a request and answers it when the
 * writer is done, so every request that waits for the writer carries its
 * actor and its conn reference alike. */
#include "server/api/jobs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/hearth.h"
#include "common/log.h"
#include "server/api/context.h"
#include "server/loop/listener.h"

static void actor_from_id(actor *who, const tls_identity *id)
{
	who->role = id->role;
	snprintf(who->branch, sizeof(who->branch), "%s", id->branch_id);
	snprintf(who->fingerprint, sizeof(who->fingerprint), "%s", id->fingerprint);
	snprintf(who->name, sizeof(who->name), "%s", id->name);
}

api_job *jobs_from_conn(conn *c, Hearth__Envelope *env, job_run_fn run, job_done_fn done)
{
	api_job *j = calloc(1, sizeof(*j));

	if (!j) {
		conn_send_error(c, env->request_id, HEARTH__ERROR_CODE__ERR_INTERNAL, "", 0, "out of memory");
		return NULL;
	}
	j->base.run = run;
	j->base.done = done;
	j->conn = c;
	j->env = env;
	j->now_ms = server_now_ms();
	snprintf(j->peer, sizeof(j->peer), "%s", c->peer);
	actor_from_id(&j->who, &c->id);
	/* The writer answers through j->conn; the reference keeps the conn
	 * from being freed before that, and inflight bounds how many answers a
	 * connection may be waiting for. */
	conn_ref(c);
	c->inflight++;
	return j;
}

api_job *jobs_detached(const tls_identity *id, job_run_fn run)
{
	api_job *j = calloc(1, sizeof(*j));

	if (!j)
		return NULL;
	j->base.run = run;
	j->base.done = jobs_forget_done;
	j->now_ms = server_now_ms();
	actor_from_id(&j->who, id);
	return j;
}

void jobs_submit(api *a, api_job *j)
{
	a->jobs->submit(a->jobs->impl, &j->base);
}

static void job_free(api_job *j)
{
	if (j->checks && j->env && j->env->push)
		for (size_t k = 0; k < j->env->push->n_ops; k++)
			push_body_check_free(&j->checks[k]);
	free(j->checks);
	envelope_free(j->env, NULL);
	wire_free(&j->base.reply);
	free(j->blob);
	free(j);
}

void jobs_release(api_job *j)
{
	conn *c = j->conn;

	job_free(j);
	if (c) {
		c->inflight--;
		conn_unref(c);
	}
}

/* A whole-request error frame (e.g. STORE_FULL), as the writer always
 * answered a job it could not store. */
static void send_failure(conn *c, uint64_t request_id, Hearth__ErrorCode code, const char *msg)
{
	wirebuf e = WIREBUF_INIT, f = WIREBUF_INIT;

	wire_uint_field(&e, 1, (uint64_t)code);
	wire_bytes_field(&e, 2, msg, strlen(msg), 0);
	wire_frame_begin(&f);
	wire_uint_field(&f, 1, request_id);
	wire_bytes_field(&f, HEARTH__ENVELOPE__BODY_ERROR, e.data, e.len, 1);
	wire_frame_finish(&f);
	wire_free(&e);
	if (f.failed)
		conn_send_error(c, request_id, HEARTH__ERROR_CODE__ERR_INTERNAL, "", 0, "out of memory while answering");
	else
		(void)conn_send_raw(c, f.data, f.len);
	wire_free(&f);
}

void jobs_answer_failure(api_job *j)
{
	conn *c = j->conn;
	int rc = j->base.rc;
	char msg[300];

	log_event(LOG_ERROR, "push_failed", "error", hearth_strerror(rc), NULL);
	if (!c || !j->env || c->state == CONN_CLOSING)
		return;
	if (rc == HEARTH_EFULL) {
		uint64_t map = api_of(c)->store->map_size;
		snprintf(msg, sizeof(msg),
		         "the server's store is full (map size %llu MiB); nothing in this push was stored; "
		         "the operator must restart hearthd with a larger --map-size (e.g. --map-size %lluM)",
		         (unsigned long long)(map >> 20), (unsigned long long)((map >> 20) * 2));
		send_failure(c, j->env->request_id, HEARTH__ERROR_CODE__ERR_STORE_FULL, msg);
	} else if (rc == HEARTH_EDISKFULL) {
		store_full_disk_message(api_of(c)->store, msg, sizeof(msg));
		send_failure(c, j->env->request_id, HEARTH__ERROR_CODE__ERR_STORE_FULL, msg);
	} else {
		snprintf(msg, sizeof(msg), "the server could not store this push: %s", hearth_strerror(rc));
		send_failure(c, j->env->request_id, HEARTH__ERROR_CODE__ERR_INTERNAL, msg);
	}
}

void jobs_answer_done(job *base)
{
	api_job *j = (api_job *)base;
	conn *c = j->conn;

	if (base->rc != 0)
		jobs_answer_failure(j);
	else if (c->state != CONN_CLOSING)
		(void)conn_send_body(c, j->env->request_id, j->answer, &base->reply);
	jobs_release(j);
}

void jobs_forget_done(job *base)
{
	api_job *j = (api_job *)base;

	if (base->rc != 0)
		log_event(LOG_ERROR, "push_failed", "error", hearth_strerror(base->rc), NULL);
	jobs_release(j);
}
