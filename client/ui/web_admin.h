/* web_admin.h: the routes of `hearth ui`'s committee screens (web_admin.c),
 * for an admin certificate (an auditor's reads them, as `hearth admin`
 * lets it), each the request of its `hearth admin` subcommand:
 *
 * GET  /api/admin/text              the screens' words, from the gettext catalog
 * GET  /api/admin/branches          支部: id, name, 党总支 parent and its name (`branch list`)
 * POST /api/admin/branch            {id, create, name?, parent?, secretary?} (`branch add|rename`)
 * GET  /api/admin/principals        人员与证书 (`principals`)
 * POST /api/admin/revoke            {fingerprint, reason} (`revoke`)
 * POST /api/admin/enroll            {role, branch, name, ca_key?} (`enroll`): the files are kept
 * GET  /api/admin/enrolled?file=F   for download (key, cert, ca, csr, ext) until the next one
 * GET  /api/admin/conflicts?branch= 冲突队列: every branch's open conflicts (`conflicts`)
 * POST /api/admin/resolve           {id, keep: "server"|"other"} or {id, set: {field: text}}
 * POST /api/admin/reveal            {id}: the conflict unmasked, its reveal event queued first
 * GET  /api/admin/stats?year=Y      统计 (`stats`)
 * GET  /api/admin/report?year=Y[&view=1]  全委报表: report.c's HTML file (`report --html`)
 *
 * A branch (or general-branch) certificate gets 403 on every route, and an
 * auditor's on every POST, with a sentence in the person's language; the
 * server authorizes each request again. */
#ifndef HEARTH_WEB_ADMIN_H
#define HEARTH_WEB_ADMIN_H

#include "client/ui/web_api.h"

typedef struct web_admin web_admin;

/* Returns 0 or HEARTH_ENOMEM; *out freed by web_admin_free. o is copied. */
int web_admin_new(web_admin **out, const web_api_options *o);

/* Frees w and wipes the private key of the last enrolment. NULL allowed. */
void web_admin_free(web_admin *w);

/* Answers rq when it names one of the routes above and returns 1; returns
 * 0 (an untouched) otherwise. One at a time, under the server's API lock. */
int web_admin_handle(web_admin *w, web_api *a, const web_api_request *rq, web_api_answer *an);

/* Whether path is one of the POST routes above. */
int web_admin_is_post_only(const char *path);

#endif
