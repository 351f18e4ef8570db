/* server_conflicts.c: pages through the server's conflict queue and keeps
 * every page, so the conflicts it lists stay valid until freed. */
#include "client/core/server_conflicts.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/hearth.h"

/* Keeps page env in out (which then owns it). Returns 0 or HEARTH_ENOMEM. */
static int keep_page(server_conflicts *out, Hearth__Envelope *env)
{
	const Hearth__ConflictQueue *q = env->conflict_queue;
	Hearth__Envelope **pages = realloc(out->pages, (out->n_pages + 1) * sizeof(*pages));
	Hearth__Conflict **cs;

	if (!pages)
		return HEARTH_ENOMEM;
	out->pages = pages;
	if (q->n_conflicts) {
		if (!(cs = realloc(out->conflicts, (out->n + q->n_conflicts) * sizeof(*cs))))
			return HEARTH_ENOMEM;
		out->conflicts = cs;
		memcpy(cs + out->n, q->conflicts, q->n_conflicts * sizeof(*cs));
		out->n += q->n_conflicts;
	}
	out->pages[out->n_pages++] = env;
	out->open_total = q->open_total;
	out->masked = q->masked;
	return 0;
}

/* Pages as server_conflicts_fetch does, from after[after_len] (0: the
 * start), at most max_pages pages. */
static int fetch_from(session *s, const server_conflicts_opts *o, const uint8_t *from, size_t from_len,
                      size_t max_pages, server_conflicts *out)
{
	Hearth__ConflictQueueRequest rq = HEARTH__CONFLICT_QUEUE_REQUEST__INIT;
	uint8_t after[64];
	size_t after_len = from_len <= sizeof(after) ? from_len : 0;

	memset(out, 0, sizeof(*out));
	if (after_len)
		memcpy(after, from, after_len);
	rq.branch = (char *)(o->branch ? o->branch : "");
	rq.limit = o->limit;
	rq.reveal = o->reveal;
	for (size_t page = 0; page < max_pages; page++) {
		Hearth__Envelope req = HEARTH__ENVELOPE__INIT, *resp = NULL;
		const Hearth__ConflictQueue *q;

		rq.after.data = after;
		rq.after.len = after_len;
		req.body_case = HEARTH__ENVELOPE__BODY_CONFLICT_QUEUE_REQUEST;
		req.conflict_queue_request = &rq;
		if (session_call(s, &req, &resp) != 0)
			return SERVER_CONFLICTS_LOST;
		if (resp->body_case == HEARTH__ENVELOPE__BODY_ERROR && resp->error &&
		    resp->error->code == HEARTH__ERROR_CODE__ERR_PROTOCOL && page == 0) {
			envelope_free(resp, NULL);
			return SERVER_CONFLICTS_OLD_SERVER;
		}
		if (resp->body_case != HEARTH__ENVELOPE__BODY_CONFLICT_QUEUE || !resp->conflict_queue) {
			out->refusal = resp;
			return SERVER_CONFLICTS_REFUSED;
		}
		q = resp->conflict_queue;
		if (q->next.len > sizeof(after) || (q->next.len && q->next.len == after_len &&
		                                     !memcmp(q->next.data, after, after_len))) {
			snprintf(out->error, sizeof(out->error), "the server's conflict queue did not move on "
			         "(page %zu)", page + 1);
			envelope_free(resp, NULL);
			return SERVER_CONFLICTS_LOST;
		}
		after_len = q->next.len;
		if (after_len)
			memcpy(after, q->next.data, after_len);
		if (keep_page(out, resp) != 0) {
			envelope_free(resp, NULL);
			return HEARTH_ENOMEM;
		}
		if (after_len == 0 || out->n_pages == max_pages)
			return SERVER_CONFLICTS_DONE;
	}
	snprintf(out->error, sizeof(out->error), "the server's conflict queue went on past %d pages",
	         SERVER_CONFLICTS_PAGES_MAX);
	return SERVER_CONFLICTS_LOST;
}

int server_conflicts_fetch(session *s, const server_conflicts_opts *o, server_conflicts *out)
{
	return fetch_from(s, o, NULL, 0, SERVER_CONFLICTS_PAGES_MAX, out);
}

void server_conflicts_position(const Hearth__Conflict *c, uint8_t pos[SERVER_CONFLICTS_POS])
{
	uint64_t at = (uint64_t)c->created_at ^ (UINT64_C(1) << 63);

	for (int i = 0; i < 8; i++) {
		pos[i] = (uint8_t)(at >> (56 - 8 * i));
		pos[8 + i] = (uint8_t)(c->seq >> (56 - 8 * i));
	}
	memset(pos + 16, 0, 16);
	if (c->id.len == 16)
		memcpy(pos + 16, c->id.data, 16);
}

int server_conflicts_reveal_one(session *s, const uint8_t id[16], const uint8_t *pos, server_conflicts *out)
{
	uint8_t before[SERVER_CONFLICTS_POS];
	int rc;

	if (pos) {
		memcpy(before, pos, sizeof(before));
	} else {
		server_conflicts all;
		const Hearth__Conflict *c = NULL;

		if ((rc = fetch_from(s, &(server_conflicts_opts){ 0 }, NULL, 0, SERVER_CONFLICTS_PAGES_MAX, &all)) !=
		    SERVER_CONFLICTS_DONE) {
			*out = all;
			return rc;
		}
		for (size_t i = 0; i < all.n && !c; i++)
			if (all.conflicts[i]->id.len == 16 && !memcmp(all.conflicts[i]->id.data, id, 16))
				c = all.conflicts[i];
		if (c)
			server_conflicts_position(c, before);
		server_conflicts_free(&all);
		if (!c) {
			memset(out, 0, sizeof(*out));
			return SERVER_CONFLICTS_DONE;
		}
	}
	/* The position less one: the conflict itself comes first after it. */
	for (int i = SERVER_CONFLICTS_POS - 1; i >= 0 && before[i]-- == 0; i--)
		;
	rc = fetch_from(s, &(server_conflicts_opts){ .reveal = 1, .limit = 1 }, before, sizeof(before), 1, out);
	if (rc == SERVER_CONFLICTS_DONE && out->n == 1 &&
	    (out->conflicts[0]->id.len != 16 || memcmp(out->conflicts[0]->id.data, id, 16) != 0))
		out->n = 0;   /* closed meanwhile (or a wrong position): another conflict came first */
	return rc;
}

void server_conflicts_free(server_conflicts *out)
{
	for (size_t i = 0; i < out->n_pages; i++)
		envelope_free(out->pages[i], NULL);
	free(out->pages);
	free(out->conflicts);
	if (out->refusal)
		envelope_free(out->refusal, NULL);
	memset(out, 0, sizeof(*out));
}
