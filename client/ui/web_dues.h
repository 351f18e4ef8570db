/* web_dues.h: the 党费 page of `hearth ui` (web_dues.c), over the client
 * core `hearth dues month` uses (client/core/dues_month.h):
 *
 * POST /api/dues/month  {month: "YYYY-MM"[, branch]}: the month's 未缴
 *                       records for every active member, in one
 *                       transaction and idempotent, answering {month,
 *                       branch, created, had, active, needs: [{id, name,
 *                       missing, text}]} (the members missing data, with
 *                       what is missing in words)
 * GET  /api/dues/month?month=YYYY-MM  that month's dues records of the
 *                       branch: {month, records: [{id, member, member_id,
 *                       due, paid, status, status_label}]}
 * POST /api/dues/paid   {id[, date]}: marks the record 已缴, paid in full
 *                       on date (today by default), validated and stored
 *                       as one local edit like any edit
 *
 * The branch is the replica's own; an admin replica names it ("branch",
 * an id or a name). An auditor certificate may only read. */
#ifndef HEARTH_WEB_DUES_H
#define HEARTH_WEB_DUES_H

#include <jansson.h>

#include "client/ui/web_api.h"

/* Answers rq when it names one of the routes above and returns 1, or
 * returns 0. Under the server's API lock, as every route. */
int web_dues_handle(web_api *a, const web_api_request *rq, web_api_answer *an);

/* Whether path is one of the POST routes above. */
int web_dues_is_post_only(const char *path);

/* Adds the 党费 page's words (from the catalog) to j, the /api/text object. */
void web_dues_text(json_t *j);

#endif
