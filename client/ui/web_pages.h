/* web_pages.h: the routes of `hearth ui`'s pages beyond the lists and
 * forms (web_pages.c), each over the same client core as its command:
 *
 * GET  /api/text                  the pages' words, from the gettext catalog
 * GET  /api/history?id=ID         the record's audit entries (`hearth history`)
 * GET  /api/trash                 deleted records of every kind (`KIND list --deleted`)
 * POST /api/restore               {id}: `KIND restore ID`
 * GET  /api/report?year=Y         the year's figures (`hearth report year`)
 * POST /api/import?kind=K&name=N&dry=1  the file as the body: every bad cell,
 *                                 then (without dry) all rows or none (`KIND import`)
 * GET  /api/export?kind=K&format=csv|xlsx  the list as a file (`KIND list --csv|--xlsx`)
 * GET  /api/sync-progress         {running, what, done, total} of the sync under way
 * /api/dues/…                     the 党费 page (web_dues.h), dispatched from here
 */
#ifndef HEARTH_WEB_PAGES_H
#define HEARTH_WEB_PAGES_H

#include "client/ui/web_api.h"

typedef struct web_pages web_pages;

/* Returns 0 or HEARTH_ENOMEM; *out freed by web_pages_free. o is copied. */
int web_pages_new(web_pages **out, const web_api_options *o);
void web_pages_free(web_pages *p);

/* Answers rq when it names one of the routes above and returns 1; returns
 * 0 (an untouched: web_api_handle answers it) otherwise. One at a time,
 * under the server's API lock. */
int web_pages_handle(web_pages *p, web_api *a, const web_api_request *rq, web_api_answer *an);

/* Whether path is one of the POST routes above. */
int web_pages_is_post_only(const char *path);

/* web_api's sync watch (web_sync_watch_fn, arg p): points s's progress
 * hook at p before the sync, marks it finished after (s NULL). */
void web_pages_sync_watch(void *p, web_sync_summary *s);

/* GET /api/sync-progress; safe while a sync runs on another thread. */
void web_pages_progress(web_pages *p, web_api_answer *an);

#endif
