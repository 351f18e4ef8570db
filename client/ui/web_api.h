/* web_api.h: the JSON API behind `hearth ui`'s pages (web_api.c): each
 * route reads or changes the replica through the same client core as the
 * CLI (field_input, local_rules, replica_edit, due, resolve, event_list,
 * replica_rejected), never through rules of its own.
 *
 * GET  /api/session              the CSRF token, role and branch
 * GET  /api/kinds                the kind table: labels, field types, enum choices
 * GET  /api/home                 应办事项, campaign coverage, counts, last sync
 * GET  /api/records?kind=K&q=T   one kind's list (masked), filtered by text
 * GET  /api/record?id=ID         one record's fields (masked), its local state
 * GET  /api/members?q=T          members by name, for references
 * GET  /api/conflicts            open conflicts, both values of each field
 * GET  /api/rejected             changes the server rejected, with its reason
 * POST /api/sync                 runs the sync (web_sync_fn) and says what moved
 * POST /api/save                 {kind, id?, fields:{name:text}}: add or edit
 * POST /api/delete               {id}
 * POST /api/reveal               {id}: queue the reveal event, then the values
 * POST /api/resolve              {id, keep: "mine"|"theirs"} or {id, set: {field: text}} (改为…)
 * POST /api/discard              {id}: drop a rejected change on purpose
 * (web_server.c asks web_admin.h first: the committee's screens under
 * /api/admin/; then web_attach.h: a record's attachments; then web_pages.h: history, 回收站, 报表, 导入/导出, the
 * sync's progress.)
 * Answers are JSON; a refusal is {"error": sentence, "field": name,
 * "label": 中文 label} with 400, 404, 409, 422 or 500. */
#ifndef HEARTH_WEB_API_H
#define HEARTH_WEB_API_H

#include <stddef.h>
#include <stdint.h>

#include "client/core/attachment_transfer.h"
#include "client/core/profile.h"
#include "common/record.h"

/* What one sync did, for the page's summary. */
typedef struct web_sync_summary {
	int ok;                     /* the sync finished (conflicts or rejections may remain) */
	uint64_t pushed, applied, merged, conflicts, duplicate, rejected, pulled;
	char message[1400];         /* why it failed, one sentence; "" when ok */
	/* Set by web_api before the call: the sync fn reports its progress here
	 * (what: "pushing" or "pulling"; total 0 when unknown), from the thread
	 * running the sync; GET /api/sync-progress reads it meanwhile. */
	void (*progress)(void *progress_arg, const char *what, uint64_t done, uint64_t total);
	void *progress_arg;
} web_sync_summary;

/* Runs one sync of the profile's replica (the caller of web_api provides
 * it: the witness and the engine live above this layer). Returns 0 when it
 * ran, whatever it found; nonzero only when it could not start. */
typedef int (*web_sync_fn)(void *arg, web_sync_summary *out);

/* Told about each sync of the 同步 button: with its summary before it
 * runs (to set the progress hook), with NULL once it ended. */
typedef void (*web_sync_watch_fn)(void *arg, web_sync_summary *s);

/* One audit entry of a record, as `hearth history` describes it; every
 * string is borrowed for the call of web_history_each. */
typedef struct web_history_change {
	const char *name;           /* the field's proto name */
	const char *label;          /* its Chinese label, "" when unknown */
	const char *old_text, *new_text;
} web_history_change;

typedef struct web_history_entry {
	uint64_t seq;
	const char *when;           /* local time as `hearth history` prints it */
	const char *who;            /* the person (certificate CN) */
	const char *where;          /* role and branch */
	const char *action;         /* "record.update", ... */
	uint64_t rev_before, rev_after;
	const char *detail;
	const web_history_change *changes;
	size_t n_changes;
} web_history_entry;

/* Called for each entry, oldest first; nonzero stops the walk. */
typedef int (*web_history_each)(void *ctx, const web_history_entry *e);

/* Walks the server's audit entries of record id (the caller of web_api
 * provides it: the connection and its witness live above this layer).
 * Returns 0 when the walk finished, or nonzero with err set to one
 * sentence for the page (the server unreachable or refusing). */
typedef int (*web_history_fn)(void *arg, const uint8_t id[16], web_history_each each, void *ctx,
                              char *err, size_t cap);

/* Writes kind k's list as `hearth KIND list --csv --bom` (xlsx 0) or
 * `--xlsx` (xlsx 1) does, that command's export event included (the
 * caller of web_api provides it). On 0, *data (malloc'd, the caller's)
 * holds the file; otherwise err says why. */
typedef int (*web_export_fn)(void *arg, const kind_info *k, int xlsx, char **data, size_t *len,
                             char *err, size_t cap);

/* Downloads the content of hit from the server into r's content store,
 * as `hearth attachment get` does (the caller of web_api provides it: the
 * connection and its witness live above this layer). Returns 0,
 * HEARTH_EAGAIN (not yet uploaded: st says how far), HEARTH_ENOTFOUND
 * (the server gives no such content to this certificate), HEARTH_ECLOSED
 * (the server cannot be reached) or another code; err says why. */
typedef int (*web_fetch_fn)(void *arg, replica *r, const attachment_hit *hit, transfer_state *st, char *err,
                            size_t cap);

typedef struct web_api_options {
	const profile *prof;        /* copied */
	const char *csrf;           /* the session's CSRF token; borrowed for the api's life */
	web_sync_fn sync;           /* NULL: the 同步 button says sync is not available */
	void *sync_arg;
	web_history_fn history;     /* NULL: a record's page says its history needs the server */
	void *history_arg;
	web_sync_watch_fn sync_watch;   /* NULL: none */
	void *sync_watch_arg;
	web_export_fn export_list;  /* NULL: 导出 says it is not available */
	void *export_arg;
	web_fetch_fn fetch;         /* NULL: 下载 of content not here says it needs the server */
	void *fetch_arg;
} web_api_options;

typedef struct web_api web_api;

/* Returns 0 or HEARTH_ENOMEM; *out freed by web_api_free. */
int web_api_new(web_api **out, const web_api_options *o);
void web_api_free(web_api *a);

/* Looks up a query argument of the request (NULL when absent); borrowed. */
typedef const char *(*web_arg_fn)(void *ctx, const char *name);

typedef struct web_api_request {
	const char *path;           /* "/api/home" */
	int post;
	const char *body;           /* POST body (NUL-terminated), or NULL */
	size_t body_len;
	uint64_t body_seen;         /* bytes the browser sent: above body_len when the
	                             * server stopped keeping them at the route's cap */
	web_arg_fn arg;
	void *arg_ctx;
} web_api_request;

typedef struct web_api_answer {
	unsigned status;
	char *json;                 /* malloc'd; the caller frees. NULL: out of memory */
	/* A download instead of JSON (json then holds ""): data malloc'd (the
	 * caller frees), its type, and the file name the browser saves it as. */
	char *data;
	size_t data_len;
	const char *data_type;      /* static */
	char filename[160];         /* UTF-8, no quotes or slashes */
	int inline_view;            /* the download is shown in the browser, not saved */
	const char *csp;            /* static: the download's own CSP; NULL: the app's */
} web_api_answer;

/* Answers one request (the security checks have passed). One at a time. */
void web_api_handle(web_api *a, const web_api_request *rq, web_api_answer *an);

/* Whether path names a route that changes state (it must be a POST). */
int web_api_is_post_only(const char *path);


#endif
