/* listener.c: the hearthd loop: TCP listen and accept, signals, and the
 * orderly shutdown of the loop. */
#include "server/loop/listener.h"

#include <signal.h>

#include <stdio.h>
#include <string.h>
#include <sys/time.h>

#include "server/loop/connection.h"
#include "common/hearth.h"
#include "common/log.h"
#include "common/tls.h"

int64_t server_now_ms(void)
{
	struct timeval tv;
	gettimeofday(&tv, NULL);
	return (int64_t)tv.tv_sec * 1000 + tv.tv_usec / 1000;
}

static void on_connection(uv_stream_t *l, int status)
{
	server *srv = l->data;
	if (status < 0) {
		log_event(LOG_WARN, "accept_failed", "error", uv_strerror(status), NULL);
		return;
	}
	conn_accept(srv);
}

static void on_signal_closed(uv_handle_t *h)
{
	(void)h;
}

static void on_listener_closed(uv_handle_t *h)
{
	server *srv = h->data;
	srv->listening = 0;
}

void server_stop(server *srv)
{
	if (srv->stopping)
		return;
	srv->stopping = 1;
	log_event(LOG_INFO, "stopping", NULL);
	uv_close((uv_handle_t *)&srv->listener, on_listener_closed);
	uv_close((uv_handle_t *)&srv->sig_term, on_signal_closed);
	uv_close((uv_handle_t *)&srv->sig_int, on_signal_closed);
	uv_close((uv_handle_t *)&srv->sig_hup, on_signal_closed);
	/* The top finishes every push already taken and answers it, then the
	 * connections close: an ack is only lost if the client hangs up first
	 * (its retry is a DUPLICATE). */
	if (srv->on_stop)
		srv->on_stop(srv->on_stop_ctx);
	/* conn_close unlinks synchronously in some paths, so walk with care. */
	for (conn *c = srv->conns, *next; c; c = next) {
		next = c->next;
		conn_close(c, "server shutting down");
	}
}

/* Re-reads certificates, key, CA and CRL.  New connections use the new
 * context; live ones keep the one they started with (each SSL holds a
 * reference), so nobody is dropped.  A broken file keeps the old context. */
int server_reload_tls(server *srv)
{
	tls_ctx_config tc = { srv->cfg.cert, srv->cfg.key, srv->cfg.ca,
	                      srv->cfg.crl[0] ? srv->cfg.crl : NULL };
	char err[512];
	SSL_CTX *ctx = tls_ctx_new(TLS_SERVER, &tc, err, sizeof(err));

	if (!ctx) {
		log_event(LOG_ERROR, "reload_failed", "error", err, "note", "keeping the old certificates", NULL);
		return HEARTH_ETLS;
	}
	SSL_CTX_free(srv->ctx);
	srv->ctx = ctx;
	log_event(LOG_INFO, "reloaded", "what", "tls", NULL);
	return 0;
}

static void on_signal(uv_signal_t *s, int signum)
{
	server *srv = s->data;
	char buf[24];
	if (signum == SIGHUP) {
		server_reload_tls(srv);
		return;
	}
	log_event(LOG_INFO, "signal", "signum", log_u64(buf, (unsigned)signum), NULL);
	server_stop(srv);
}

int server_init(server *srv, uv_loop_t *loop, const loop_config *cfg)
{
	struct sockaddr_storage ss;
	tls_ctx_config tc;
	char err[512];
	char portbuf[24];
	int rc;

	memset(srv, 0, sizeof(*srv));
	srv->loop = loop;
	srv->cfg = *cfg;
	srv->started_ms = (uint64_t)server_now_ms();

	tc.cert = cfg->cert;
	tc.key = cfg->key;
	tc.ca = cfg->ca;
	tc.crl = cfg->crl[0] ? cfg->crl : NULL;
	srv->ctx = tls_ctx_new(TLS_SERVER, &tc, err, sizeof(err));
	if (!srv->ctx) {
		log_event(LOG_ERROR, "tls_config_failed", "error", err, NULL);
		return HEARTH_ETLS;
	}

	if (strchr(cfg->listen_host, ':'))
		rc = uv_ip6_addr(cfg->listen_host, cfg->listen_port, (struct sockaddr_in6 *)&ss);
	else
		rc = uv_ip4_addr(cfg->listen_host, cfg->listen_port, (struct sockaddr_in *)&ss);
	if (rc < 0) {
		log_event(LOG_ERROR, "listen_failed", "host", cfg->listen_host, "error",
		          "not an IP address", NULL);
		goto fail;
	}
	uv_tcp_init(loop, &srv->listener);
	srv->listener.data = srv;
	srv->listening = 1;
	rc = uv_tcp_bind(&srv->listener, (struct sockaddr *)&ss, 0);
	if (rc == 0)
		rc = uv_listen((uv_stream_t *)&srv->listener, 511, on_connection);
	if (rc < 0) {
		log_event(LOG_ERROR, "listen_failed", "host", cfg->listen_host, "port",
		          log_u64(portbuf, (unsigned)cfg->listen_port), "error", uv_strerror(rc), NULL);
		uv_close((uv_handle_t *)&srv->listener, NULL);
		uv_run(loop, UV_RUN_NOWAIT);
		srv->listening = 0;
		goto fail;
	}
	return 0;
fail:
	SSL_CTX_free(srv->ctx);
	srv->ctx = NULL;
	return HEARTH_EIO;
}

void server_start(server *srv)
{
	struct sockaddr_storage ss;
	int namelen = sizeof(ss);
	char portbuf[24];

	uv_tcp_getsockname(&srv->listener, (struct sockaddr *)&ss, &namelen);
	srv->bound_port = ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
	                                                 : ((struct sockaddr_in *)&ss)->sin_port);

	/* A peer that closes while its answers are still being written makes
	 * the next write fail with EPIPE, which the connection handles as a
	 * close; left at its default, SIGPIPE would kill the whole server. */
	signal(SIGPIPE, SIG_IGN);
	uv_signal_init(srv->loop, &srv->sig_term);
	uv_signal_init(srv->loop, &srv->sig_int);
	uv_signal_init(srv->loop, &srv->sig_hup);
	srv->sig_term.data = srv->sig_int.data = srv->sig_hup.data = srv;
	uv_signal_start(&srv->sig_term, on_signal, SIGTERM);
	uv_signal_start(&srv->sig_int, on_signal, SIGINT);
	uv_signal_start(&srv->sig_hup, on_signal, SIGHUP);

	log_event(LOG_INFO, "listening", "addr", srv->cfg.listen_host, "port",
	          log_u64(portbuf, (unsigned)srv->bound_port), "org", srv->cfg.org, "version",
	          HEARTH_VERSION, NULL);
}

int server_run(server *srv)
{
	uv_run(srv->loop, UV_RUN_DEFAULT);
	return 0;
}

void server_free(server *srv)
{
	/* Start-up failed after the bind: close the listener we never ran. */
	if (srv->listening && !srv->stopping) {
		uv_close((uv_handle_t *)&srv->listener, NULL);
		uv_run(srv->loop, UV_RUN_NOWAIT);
		srv->listening = 0;
	}
	SSL_CTX_free(srv->ctx);
	srv->ctx = NULL;
}
