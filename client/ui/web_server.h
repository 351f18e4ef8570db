/* web_server.h: `hearth ui`'s local HTTP server (web_server.c): libmicrohttpd
 * on 127.0.0.1 (and ::1 when the machine has it), every request through the
 * checks of web_security.h, then the embedded files (web_assets.h) or the
 * JSON API (web_api.h).
 *
 * libmicrohttpd answers on its own threads (one per connection); the API
 * runs one request at a time under a lock, so the replica sees one user,
 * except GET /api/sync-progress, read beside the sync it reports on. */
#ifndef HEARTH_WEB_SERVER_H
#define HEARTH_WEB_SERVER_H

#include <stddef.h>

#include "client/core/profile.h"
#include "client/ui/web_api.h"
#include "client/ui/web_audit.h"

typedef struct web_server web_server;

typedef struct web_server_options {
	unsigned port;             /* 0: let the system pick one */
	const profile *prof;       /* the loaded profile; copied */
	web_sync_fn sync;          /* runs the 同步 button's sync (web_api.h) */
	void *sync_arg;
	web_history_fn history;    /* reads a record's history from the server (web_api.h) */
	void *history_arg;
	web_export_fn export_list; /* writes a list as CSV or xlsx (web_api.h) */
	void *export_arg;
	web_connect_fn connect;    /* a witnessed session, for the audit pages (web_audit.h) */
	web_disconnect_fn disconnect;
	void *connect_arg;
	web_fetch_fn fetch;        /* downloads an attachment's content (web_api.h) */
	void *fetch_arg;
} web_server_options;

/* Starts listening and serving. On success *out is the caller's, freed by
 * web_server_stop. Returns 0, HEARTH_EIO (cannot listen: err says on what
 * and why) or HEARTH_ENOMEM. */
int web_server_start(web_server **out, const web_server_options *o, char *err, size_t cap);

/* The port it listens on (the one picked when the options said 0). */
unsigned web_server_port(const web_server *w);

/* The URL to open: http://127.0.0.1:PORT/?token=TOKEN, valid while w
 * runs. */
const char *web_server_url(const web_server *w);

/* Stops both listeners (waiting for requests in progress) and frees w.
 * NULL is allowed. */
void web_server_stop(web_server *w);

#endif
