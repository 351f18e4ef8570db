/* web_attach.h: the routes of a record page's attachments in `hearth ui`
 * (web_attach.c), over the client core `hearth KIND attach|attachments|
 * detach` and `hearth attachment get` use (attachments.h,
 * attachment_edit.h, and the download through web_fetch_fn):
 *
 * GET  /api/attachments?id=ID     the record's attachments, where each one's content is
 * GET  /api/attachment?id=ID&sha=HEX[&view=thumb]
 *                                 the content, as a download (Content-Disposition
 *                                 attachment, its sniffed type), fetched from the
 *                                 server first when this replica lacks it; with
 *                                 view=thumb a JPEG or PNG shown inline, from this
 *                                 replica only. A hash no live record of that id
 *                                 holds is 404.
 * POST /api/attach?id=ID&name=N&note=T   the file as the raw body: kept in the
 *                                 content store and added to the record (the next
 *                                 sync uploads it), refused as the CLI refuses
 * POST /api/detach                {id, name}: takes one off the record
 */
#ifndef HEARTH_WEB_ATTACH_H
#define HEARTH_WEB_ATTACH_H

#include "client/ui/web_api.h"

typedef struct web_attach web_attach;

/* Returns 0 or HEARTH_ENOMEM; *out freed by web_attach_free. o is copied. */
int web_attach_new(web_attach **out, const web_api_options *o);
void web_attach_free(web_attach *w);

/* Answers rq when it names one of the routes above and returns 1; returns
 * 0 (an untouched) otherwise. One at a time, under the server's API lock. */
int web_attach_handle(web_attach *w, web_api *a, const web_api_request *rq, web_api_answer *an);

/* Whether path is one of the POST routes above. */
int web_attach_is_post_only(const char *path);

/* Whether path takes a body as large as an attachment (the raw upload). */
int web_attach_is_upload(const char *path);

#endif
