/* web_server.c: the libmicrohttpd daemons of `hearth ui` and the path of a
 * request through them: security checks, then an embedded file or the API,
 * with the headers every answer carries. */
#include "client/ui/web_server.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "client/core/attachment_edit.h"
#include "client/core/csv.h"
#include "client/ui/web_admin.h"
#include "client/ui/web_api.h"
#include "client/ui/web_assets.h"
#include "client/ui/web_audit.h"
#include "client/ui/web_attach.h"
#include "client/ui/web_pages.h"
#include "client/ui/web_security.h"
#include "common/hearth.h"
#include "common/i18n.h"

/* A POST body larger than this is refused before it is stored: the page
 * sends one record's fields at a time. */
#define WEB_BODY_MAX (256 * 1024)
/* An uploaded CSV or xlsx file (POST /api/import) may be as large as the
 * importer reads. */
#define WEB_UPLOAD_MAX CSV_MAX_BYTES
/* An attachment (POST /api/attach) is kept up to the size cap; the bytes
 * past it are counted, not stored, so the refusal names the cap. */
#define WEB_ATTACH_MAX ATTACHMENTS_SIZE_MAX_DEFAULT
#define WEB_CONNECTIONS_MAX 64
#define WEB_IDLE_SECONDS 60

/* No inline or remote script, style, frame or form target: record text that
 * slipped into the page as markup still could not run. */
static const char csp[] =
	"default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
	"connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

struct web_server {
	struct MHD_Daemon *v4, *v6;
	unsigned port;
	web_secrets secrets;
	web_api *api;
	web_pages *pages;
	web_admin *admin;
	web_audit *audit;
	web_attach *attach;
	pthread_mutex_t lock;       /* one API request at a time */
	char url[128];
};

/* The body of a POST, gathered across calls of the access handler. */
typedef struct web_body {
	char *p;
	size_t len;
	uint64_t seen;              /* bytes received, kept or not */
	int too_big;
	int checked;                /* the security checks ran on the first call */
} web_body;

static void add_headers(struct MHD_Response *r, const char *policy)
{
	MHD_add_response_header(r, "Content-Security-Policy", policy);
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(r, "X-Frame-Options", "DENY");
	MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
	MHD_add_response_header(r, "Cross-Origin-Opener-Policy", "same-origin");
	MHD_add_response_header(r, "Cross-Origin-Resource-Policy", "same-origin");
}

static void add_common_headers(struct MHD_Response *r)
{
	add_headers(r, csp);
}

static enum MHD_Result send_buffer(struct MHD_Connection *c, unsigned status, const char *type,
                                   const void *data, size_t len, enum MHD_ResponseMemoryMode mode,
                                   int no_store)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(len, (void *)data, mode);
	enum MHD_Result ret;

	if (!r)
		return MHD_NO;
	add_common_headers(r);
	MHD_add_response_header(r, "Content-Type", type);
	MHD_add_response_header(r, "Cache-Control", no_store ? "no-store" : "no-cache");
	ret = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ret;
}

/* A refusal in plain text that says what was wrong and what to do. */
static enum MHD_Result send_text(struct MHD_Connection *c, unsigned status, const char *text)
{
	char buf[600];
	int n = snprintf(buf, sizeof(buf), "%s\n", text);

	return send_buffer(c, status, "text/plain; charset=utf-8", buf, (size_t)n,
	                   MHD_RESPMEM_MUST_COPY, 1);
}

static enum MHD_Result send_denial(struct MHD_Connection *c, web_verdict v)
{
	switch (v) {
	case WEB_DENY_HOST:
		return send_text(c, 421, _("this server answers only for 127.0.0.1, [::1] or localhost "
		                           "with its own port in the Host header; open the address "
		                           "'hearth ui' printed"));
	case WEB_DENY_AUTH:
		return send_text(c, 403, _("no valid session: open the address with the token that "
		                           "'hearth ui' printed when it started"));
	case WEB_DENY_ORIGIN:
		return send_text(c, 403, _("a change must come from this app's own page (the Origin "
		                           "header is missing or foreign)"));
	case WEB_DENY_CSRF:
		return send_text(c, 403, _("a change must carry this session's CSRF token "
		                           "(X-CSRF-Token header); reload the page"));
	default:
		return send_text(c, 500, _("internal error"));
	}
}

/* The launch token was right: the cookie replaces it, and the redirect
 * takes the token out of the address bar and the history. */
static enum MHD_Result send_login(struct MHD_Connection *c, web_server *w, const char *url)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
	char cookie[160];
	enum MHD_Result ret;

	if (!r)
		return MHD_NO;
	snprintf(cookie, sizeof(cookie), "hearth_session=%s; Path=/; HttpOnly; SameSite=Strict",
	         w->secrets.session);
	add_common_headers(r);
	MHD_add_response_header(r, "Set-Cookie", cookie);
	MHD_add_response_header(r, "Location", url[0] == '/' ? url : "/");
	MHD_add_response_header(r, "Cache-Control", "no-store");
	ret = MHD_queue_response(c, 303, r);
	MHD_destroy_response(r);
	return ret;
}

/* A file to save (an export): its type, and a name in the RFC 5987 form
 * that carries UTF-8 (导出-党员.csv). */
static enum MHD_Result send_download(struct MHD_Connection *c, const web_api_answer *an)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(an->data_len, an->data,
	                                                         MHD_RESPMEM_MUST_COPY);
	char disp[600], *o = disp;
	enum MHD_Result ret;

	if (!r)
		return MHD_NO;
	o += snprintf(disp, sizeof(disp), "%s; filename=\"export\"; filename*=UTF-8''",
	              an->inline_view ? "inline" : "attachment");
	for (const unsigned char *p = (const unsigned char *)an->filename; *p && o + 4 < disp + sizeof(disp); p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		    *p == '.' || *p == '-' || *p == '_')
			*o++ = (char)*p;
		else
			o += snprintf(o, 4, "%%%02X", *p);
	}
	*o = '\0';
	add_headers(r, an->csp ? an->csp : csp);
	MHD_add_response_header(r, "Content-Type", an->data_type);
	MHD_add_response_header(r, "Content-Disposition", disp);
	MHD_add_response_header(r, "Cache-Control", "no-store");
	ret = MHD_queue_response(c, an->status, r);
	MHD_destroy_response(r);
	return ret;
}

static const char *query_arg(void *ctx, const char *name)
{
	return MHD_lookup_connection_value(ctx, MHD_GET_ARGUMENT_KIND, name);
}

static enum MHD_Result serve_api(struct MHD_Connection *c, web_server *w, const char *url,
                                 int post, const web_body *b)
{
	web_api_request rq = { .path = url, .post = post, .body = b ? b->p : NULL,
	                       .body_len = b ? b->len : 0, .body_seen = b ? b->seen : 0,
	                       .arg = query_arg, .arg_ctx = c };
	web_api_answer an = { 0 };
	enum MHD_Result ret;

	/* The sync's progress is read while the sync itself holds the lock. */
	if (!post && !strcmp(url, "/api/sync-progress")) {
		web_pages_progress(w->pages, &an);
	} else {
		pthread_mutex_lock(&w->lock);
		if (!web_admin_handle(w->admin, w->api, &rq, &an) && !web_audit_handle(w->audit, &rq, &an) &&
		    !web_attach_handle(w->attach, w->api, &rq, &an) &&
		    !web_pages_handle(w->pages, w->api, &rq, &an))
			web_api_handle(w->api, &rq, &an);
		pthread_mutex_unlock(&w->lock);
	}
	if (an.data) {
		ret = send_download(c, &an);
		free(an.data);
		free(an.json);
		return ret;
	}
	if (!an.json)
		return send_text(c, 500, _("out of memory"));
	/* Copied, so the answer is ours to free whether or not MHD queued it. */
	ret = send_buffer(c, an.status, "application/json; charset=utf-8", an.json, strlen(an.json),
	                  MHD_RESPMEM_MUST_COPY, 1);
	free(an.json);
	return ret;
}

/* The most a POST to url may carry. */
static size_t body_max(const char *url)
{
	return !strcmp(url, "/api/import") ? WEB_UPLOAD_MAX : web_attach_is_upload(url) ? WEB_ATTACH_MAX : WEB_BODY_MAX;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *upload,
                                  size_t *upload_size, void **con_cls)
{
	web_server *w = cls;
	web_body *b = *con_cls;
	int post = !strcmp(method, MHD_HTTP_METHOD_POST);
	int get = !strcmp(method, MHD_HTTP_METHOD_GET) || !strcmp(method, MHD_HTTP_METHOD_HEAD);
	int api = !strncmp(url, "/api/", 5);
	web_verdict v;

	(void)version;
	if (!b) {
		web_request_facts f = {
			.host = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_HOST),
			.cookie = MHD_lookup_connection_value(c, MHD_COOKIE_KIND, "hearth_session"),
			.token = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "token"),
			.origin = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Origin"),
			.csrf = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-CSRF-Token"),
			.changes_state = !get,
		};

		v = web_check(&w->secrets, w->port, &f);
		if (v != WEB_ALLOW && v != WEB_ALLOW_TOKEN)
			return send_denial(c, v);
		if (v == WEB_ALLOW_TOKEN)
			return send_login(c, w, url);
		if (!get && !post)
			return send_text(c, 405, _("only GET and POST are served"));
		if (post && !api)
			return send_text(c, 405, _("only the API (/api/…) takes POST"));
		if (get && !post && api && (web_api_is_post_only(url) || web_pages_is_post_only(url) ||
		                           web_admin_is_post_only(url) || web_attach_is_post_only(url)))
			return send_text(c, 405, _("this request changes data: it must be a POST"));
		if (!post)
			goto serve_get;
		b = calloc(1, sizeof(*b));
		if (!b)
			return MHD_NO;
		*con_cls = b;
		/* A body its Content-Length already puts over the cap is refused
		 * now, before a byte of it crosses: a 30 MB photo is not read
		 * only to be thrown away. */
		{
			const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
			char *end;
			unsigned long long n = cl ? strtoull(cl, &end, 10) : 0;
			if (cl && *cl && !*end && n > body_max(url)) {
				b->seen = (size_t)n;
				b->too_big = 1;
				goto refuse_or_serve;
			}
		}
		return MHD_YES;
	}
	if (*upload_size) {
		size_t max = body_max(url);
		b->seen += *upload_size;
		if (b->len + *upload_size > max) {
			b->too_big = 1;
		} else if (!b->too_big) {
			char *np = realloc(b->p, b->len + *upload_size + 1);
			if (!np)
				return MHD_NO;
			memcpy(np + b->len, upload, *upload_size);
			b->p = np;
			b->len += *upload_size;
			b->p[b->len] = '\0';
		}
		*upload_size = 0;
		return MHD_YES;
	}
refuse_or_serve:
	/* An attachment over the cap is refused by the route, in the words
	 * of `hearth KIND attach`. */
	if (b->too_big && !web_attach_is_upload(url)) {
		char text[200];
		snprintf(text, sizeof(text), _("the request body is over %d KiB; send less at a time"),
		         (int)((!strcmp(url, "/api/import") ? WEB_UPLOAD_MAX : WEB_BODY_MAX) / 1024));
		return send_text(c, 413, text);
	}
	return serve_api(c, w, url, 1, b);

serve_get:
	if (api)
		return serve_api(c, w, url, 0, NULL);
	{
		const web_asset *a = web_asset_find(url);
		if (!a)
			return send_text(c, 404, _("no such page"));
		return send_buffer(c, 200, a->type, a->data, a->len, MHD_RESPMEM_PERSISTENT, 0);
	}
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
	web_body *b = *con_cls;

	(void)cls, (void)c, (void)toe;
	if (b) {
		free(b->p);
		free(b);
		*con_cls = NULL;
	}
}

static struct MHD_Daemon *listen_on(web_server *w, const struct sockaddr *sa, unsigned flags)
{
	/* A thread per connection: while one request runs the sync, the page's
	 * poll of /api/sync-progress is answered on another. */
	return MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION |
	                        MHD_USE_AUTO | flags, 0, NULL, NULL,
	                        on_request, w, MHD_OPTION_SOCK_ADDR, sa,
	                        MHD_OPTION_NOTIFY_COMPLETED, on_completed, w,
	                        MHD_OPTION_CONNECTION_LIMIT, (unsigned)WEB_CONNECTIONS_MAX,
	                        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)WEB_IDLE_SECONDS,
	                        MHD_OPTION_END);
}

int web_server_start(web_server **out, const web_server_options *o, char *err, size_t cap)
{
	web_server *w;
	struct sockaddr_in sin;
	struct sockaddr_in6 sin6;
	const union MHD_DaemonInfo *info;
	int rc;

	*out = NULL;
	if (o->port > 65535) {
		snprintf(err, cap, _("--port %u is not a port (0 to 65535; 0 picks a free one)"), o->port);
		return HEARTH_EINVAL;
	}
	w = calloc(1, sizeof(*w));
	if (!w)
		return HEARTH_ENOMEM;
	if (pthread_mutex_init(&w->lock, NULL) != 0) {
		rc = HEARTH_ENOMEM;
		goto failed_lock;
	}
	rc = web_secrets_init(&w->secrets);
	if (rc != 0) {
		snprintf(err, cap, _("the random generator failed; no session token can be made"));
		goto failed_secrets;
	}
	{
		web_api_options ao = { .prof = o->prof, .csrf = w->secrets.csrf, .sync = o->sync,
		                       .sync_arg = o->sync_arg, .history = o->history,
		                       .history_arg = o->history_arg, .sync_watch = web_pages_sync_watch,
		                       .export_list = o->export_list, .export_arg = o->export_arg,
		                       .fetch = o->fetch, .fetch_arg = o->fetch_arg };
		rc = web_pages_new(&w->pages, &ao);
		if (rc != 0) {
			snprintf(err, cap, _("out of memory"));
			goto failed_secrets;
		}
		ao.sync_watch_arg = w->pages;
		rc = web_api_new(&w->api, &ao);
		if (rc != 0) {
			snprintf(err, cap, _("out of memory"));
			goto failed_api;
		}
		rc = web_admin_new(&w->admin, &ao);
		if (rc != 0) {
			snprintf(err, cap, _("out of memory"));
			goto failed_admin;
		}
		rc = web_attach_new(&w->attach, &ao);
		if (rc != 0) {
			snprintf(err, cap, _("out of memory"));
			goto failed_attach;
		}
	}
	rc = web_audit_new(&w->audit, &(web_audit_options){ .prof = o->prof, .connect = o->connect,
	                                                    .disconnect = o->disconnect,
	                                                    .connect_arg = o->connect_arg });
	if (rc != 0) {
		snprintf(err, cap, _("out of memory"));
		goto failed_audit;
	}
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)o->port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	w->v4 = listen_on(w, (const struct sockaddr *)&sin, 0);
	if (!w->v4) {
		snprintf(err, cap, _("cannot listen on 127.0.0.1 port %u (in use, or not allowed); "
		                     "choose another with --port, or --port 0 for any free one"),
		         o->port);
		rc = HEARTH_EIO;
		goto failed_v4;
	}
	info = MHD_get_daemon_info(w->v4, MHD_DAEMON_INFO_BIND_PORT);
	w->port = info ? info->port : o->port;
	/* ::1 on the same port when the machine has IPv6 loopback; without it
	 * the IPv4 listener alone serves. */
	memset(&sin6, 0, sizeof(sin6));
	sin6.sin6_family = AF_INET6;
	sin6.sin6_port = htons((uint16_t)w->port);
	sin6.sin6_addr = in6addr_loopback;
	w->v6 = listen_on(w, (const struct sockaddr *)&sin6, MHD_USE_IPv6);
	snprintf(w->url, sizeof(w->url), "http://127.0.0.1:%u/?token=%s", w->port, w->secrets.token);
	*out = w;
	return 0;

failed_v4:
	web_audit_free(w->audit);
failed_audit:
	web_attach_free(w->attach);
failed_attach:
	web_admin_free(w->admin);
failed_admin:
	web_api_free(w->api);
failed_api:
	web_pages_free(w->pages);
failed_secrets:
	pthread_mutex_destroy(&w->lock);
failed_lock:
	free(w);
	return rc;
}

unsigned web_server_port(const web_server *w)
{
	return w->port;
}

const char *web_server_url(const web_server *w)
{
	return w->url;
}

void web_server_stop(web_server *w)
{
	if (!w)
		return;
	if (w->v6)
		MHD_stop_daemon(w->v6);
	MHD_stop_daemon(w->v4);
	web_attach_free(w->attach);
	web_admin_free(w->admin);
	web_audit_free(w->audit);
	web_api_free(w->api);
	web_pages_free(w->pages);
	pthread_mutex_destroy(&w->lock);
	free(w);
}
