/* committee_fetch.c: asks hearthd for the committee's figures, page by
 * page, and rebuilds the rows (committee_fetch.h). */
#include "client/core/committee_fetch.h"

#include <stdio.h>
#include <string.h>

#include "common/committee.h"
#include "common/envelope.h"
#include "common/hearth.h"
#include "common/i18n.h"

/* One page's rows into st, each after the one before (last: the last
 * branch id taken, updated). */
static committee_outcome take_page(stats *st, const Hearth__Committee *cm, char *last, size_t last_cap, char *why,
                                   size_t cap)
{
	const char *field = "branches";

	if (cm->year != st->year || cm->today != st->today || cm->n_branches > COMMITTEE_PAGE_MAX)
		goto bad;
	for (size_t i = 0; i < cm->n_branches; i++) {
		stats_row row;
		int rc = committee_row_from_wire(cm->branches[i], st->year, &row, &field);
		if (rc == HEARTH_ENOMEM)
			return COMMITTEE_NOMEM;
		if (rc != 0)
			goto bad;
		/* Sorted and after the previous page: else the paging would not end. */
		if (strcmp(row.branch, last) <= 0) {
			yearly_free(&row.year);
			field = "branch_id";
			goto bad;
		}
		snprintf(last, last_cap, "%s", row.branch);
		rc = stats_put_row(st, &row);
		yearly_free(&row.year);
		if (rc != 0)
			return COMMITTEE_NOMEM;
	}
	return COMMITTEE_DONE;
bad:
	snprintf(why, cap, _("the server's committee figures are malformed (field %s)"), field);
	return COMMITTEE_BAD;
}

committee_outcome committee_fetch(session *s, stats *st, Hearth__Envelope **refusal, char *why, size_t cap)
{
	committee_ask ask = { st->year, st->today, st->due };
	char last[STATS_BRANCH_CAP] = "";    /* the page asked starts after this */
	char shown[STATS_BRANCH_CAP] = "";   /* the last row taken */

	*refusal = NULL;
	why[0] = '\0';
	for (size_t page = 0; page < COMMITTEE_FETCH_PAGES_MAX; page++) {
		Hearth__Envelope req = HEARTH__ENVELOPE__INIT, *resp = NULL;
		Hearth__CommitteeRequest rq;
		committee_outcome out;
		const char *next;
		int more;

		committee_ask_to_request(&ask, &rq);
		rq.after = last;
		req.body_case = HEARTH__ENVELOPE__BODY_COMMITTEE_REQUEST;
		req.committee_request = &rq;
		if (session_call(s, &req, &resp) != 0) {
			snprintf(why, cap, "%s", s->error);
			return COMMITTEE_LOST;
		}
		if (resp->body_case == HEARTH__ENVELOPE__BODY_ERROR && resp->error &&
		    resp->error->code == HEARTH__ERROR_CODE__ERR_PROTOCOL && page == 0) {
			envelope_free(resp, NULL);
			return COMMITTEE_OLD;
		}
		if (resp->body_case != HEARTH__ENVELOPE__BODY_COMMITTEE || !resp->committee) {
			*refusal = resp;
			return COMMITTEE_REFUSED;
		}
		out = take_page(st, resp->committee, shown, sizeof(shown), why, cap);
		more = resp->committee->more;
		next = resp->committee->next ? resp->committee->next : "";
		/* The next page must start after this one's rows and after the
		 * page asked for, or the paging would not end. */
		if (out == COMMITTEE_DONE && more &&
		    (!next[0] || strlen(next) >= sizeof(last) || strcmp(next, last) <= 0 || strcmp(next, shown) < 0)) {
			snprintf(why, cap, _("the server's committee figures are malformed (field %s)"), "next");
			out = COMMITTEE_BAD;
		}
		if (out == COMMITTEE_DONE && more)
			snprintf(last, sizeof(last), "%s", next);
		envelope_free(resp, NULL);
		if (out != COMMITTEE_DONE)
			return out;
		if (!more) {
			st->from_server = st->from_committee = 1;
			return COMMITTEE_DONE;
		}
	}
	snprintf(why, cap, _("the server's committee figures have more than %d pages"), COMMITTEE_FETCH_PAGES_MAX);
	return COMMITTEE_BAD;
}
