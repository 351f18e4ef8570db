/* audit_read.c: reading the server's audit log page by page over a
 * witnessed session, for every face that shows it. */
#include "client/core/audit_read.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client/core/member_lookup.h"
#include "client/core/reasons.h"
#include "common/envelope.h"
#include "common/hearth.h"
#include "common/i18n.h"
#include "common/utf8.h"
#include "common/uuid.h"

int audit_record_arg(replica *r, const char *text, uint8_t id[16], char *err, size_t cap)
{
	int id_like = text[strspn(text, "0123456789abcdefABCDEF-")] == '\0';
	int rc = member_lookup_record(r, text, id, err, cap);

	if (rc == 0 || (id_like && uuid_parse(text, id) == 0))
		return 0;
	if (rc == HEARTH_ENOTFOUND && id_like)
		snprintf(err, cap, _("no record in the local replica matches \"%s\"; give the full id (or sync first)"),
		         text);
	return rc;
}

void audit_read_refusal_text(const char *what, const Hearth__Envelope *resp, char *out, size_t cap)
{
	const char *w = what ? _(what) : _("request");

	if (resp && resp->body_case == HEARTH__ENVELOPE__BODY_ERROR && resp->error) {
		const char *msg = resp->error->message ? resp->error->message : "";
		char said[1024];
		/* The server's words are shown to people: control characters and
		 * broken UTF-8 go before anything else sees them. */
		char *m = utf8_sanitize_dup(msg, strlen(msg), 0);
		snprintf(out, cap, _("the server refused the %s: %s"), w,
		         reasons_localize(NULL, m ? m : "?", said, sizeof(said)));
		free(m);
	} else {
		snprintf(out, cap, _("the server answered the %s with %s"), w,
		         resp ? envelope_body_name(resp) : "?");
	}
}

audit_read_result audit_read_page(audit_reader *rd, Hearth__AuditQuery *q, Hearth__Envelope **resp)
{
	Hearth__Envelope req = HEARTH__ENVELOPE__INIT;

	req.body_case = HEARTH__ENVELOPE__BODY_AUDIT_QUERY;
	req.audit_query = q;
	*resp = NULL;
	rd->err[0] = '\0';
	if (session_call(rd->s, &req, resp) != 0) {
		*resp = NULL;
		snprintf(rd->err, sizeof(rd->err), "%s", rd->s->error);
		return AUDIT_READ_LOST;
	}
	if ((*resp)->body_case != HEARTH__ENVELOPE__BODY_AUDIT_PAGE) {
		audit_read_refusal_text(N_("audit query"), *resp, rd->err, sizeof(rd->err));
		if (rd->refused)
			rd->refused(rd->arg, N_("audit query"), *resp);
		envelope_free(*resp, NULL);
		*resp = NULL;
		return AUDIT_READ_REFUSED;
	}
	return AUDIT_READ_OK;
}

/* The page position for q's order: after_seq ascending, before_seq newest
 * first (0 there means "from the newest", so it compares as the top). */
static uint64_t position(const Hearth__AuditQuery *q)
{
	if (!q->newest_first)
		return q->after_seq;
	return q->before_seq ? q->before_seq : UINT64_MAX;
}

/* True when seq comes after pos in q's order. */
static int moves_on(const Hearth__AuditQuery *q, uint64_t pos, uint64_t seq)
{
	return q->newest_first ? seq < pos : seq > pos;
}

static void set_position(Hearth__AuditQuery *q, uint64_t seq)
{
	if (q->newest_first)
		q->before_seq = seq;
	else
		q->after_seq = seq;
}

audit_read_result audit_read_each(audit_reader *rd, Hearth__AuditQuery *q, audit_entry_fn fn, void *ctx,
                                  int *more_left)
{
	audit_read_result rc;

	if (more_left)
		*more_left = 0;
	for (;;) {
		Hearth__Envelope *resp;
		const Hearth__AuditPage *pg;
		int stop = 0;
		uint64_t before = position(q);

		if ((rc = audit_read_page(rd, q, &resp)) != AUDIT_READ_OK)
			return rc;
		pg = resp->audit_page;
		for (size_t i = 0; i < pg->n_entries && !stop; i++) {
			if (!moves_on(q, position(q), pg->entries[i]->seq)) {
				if (q->newest_first)
					snprintf(rd->err, sizeof(rd->err),
					         _("the server sent audit entries oldest first although newest "
					           "first was asked (%llu after %llu); it may be older than this "
					           "client: add --oldest-first"),
					         (unsigned long long)pg->entries[i]->seq, (unsigned long long)position(q));
				else
					snprintf(rd->err, sizeof(rd->err),
					         _("the server sent audit entries out of order (%llu after %llu)"),
					         (unsigned long long)pg->entries[i]->seq, (unsigned long long)position(q));
				envelope_free(resp, NULL);
				return AUDIT_READ_BROKEN;
			}
			set_position(q, pg->entries[i]->seq);
			stop = fn(ctx, pg->entries[i]);
		}
		if (!stop && pg->next && moves_on(q, position(q), pg->next))
			set_position(q, pg->next);
		if (stop) {
			if (more_left)
				*more_left = 1;
			envelope_free(resp, NULL);
			return stop < 0 ? AUDIT_READ_FAILED : AUDIT_READ_OK;
		}
		if (!pg->more) {
			envelope_free(resp, NULL);
			return AUDIT_READ_OK;
		}
		envelope_free(resp, NULL);
		if (!moves_on(q, before, position(q))) {
			snprintf(rd->err, sizeof(rd->err),
			         _("the server said more audit entries follow but did not move on (%llu)"),
			         (unsigned long long)before);
			return AUDIT_READ_BROKEN;
		}
	}
}
