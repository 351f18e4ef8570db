/* connection.c: a client connection: bytes from libuv into the TLS engine,
 * frames out of the decrypted stream (with the smaller pre-Hello frame
 * limit), responses back out; timeouts and output caps. */
#include "server/loop/connection.h"

#include <stdarg.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/hearth.h"
#include "common/log.h"
#include "common/wire.h"
#include "server/loop/server.h"

/* Each write carries its own buffer: libuv needs it alive until the callback. */
/* How long a closing connection may take to flush its last bytes. */
#define CONN_LINGER_MS 2000

typedef struct write_req {
	uv_write_t req;
	size_t len;
	uint8_t data[];
} write_req;

static void on_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf);
static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf);
static void arm_timer(conn *c);
static void pump_tls(conn *c);
static void consume_plain(conn *c, const uint8_t *data, size_t len);

static uint64_t now_ms(conn *c)
{
	return uv_now(c->srv->loop);
}

static void log_conn(conn *c, enum log_level lvl, const char *event, const char *k1, const char *v1)
{
	char idbuf[24];
	log_event(lvl, event, "conn", log_u64(idbuf, c->conn_id), "peer", c->peer,
	          "cn", c->id.name[0] ? c->id.name : NULL, k1, v1, NULL);
}

/* A frame or partial frame this large, once freed, is worth giving back
 * to the system (glibc keeps freed heap otherwise: after a 4 MiB push
 * RSS stayed 250-310 MB, issue 12 item 10). */
#define CONN_TRIM_BYTES (1024u * 1024u)

static void give_back_memory(size_t freed)
{
#ifdef __GLIBC__
	if (freed >= CONN_TRIM_BYTES)
		malloc_trim(0);
#else
	(void)freed;
#endif
}

/* Drops c's partial frame and its share of the budget. */
static void release_partial(conn *c)
{
	size_t held = c->partial_counted;

	c->srv->partial_held -= held;
	c->partial_counted = 0;
	frame_decoder_free(&c->dec);
	give_back_memory(held);
}

/* Frees the conn when both handles are closed and no writer job refers to it. */
static void maybe_free(conn *c)
{
	if (c->handles_open > 0 || c->refs > 0)
		return;
	if (c->srv->on_conn_free)
		c->srv->on_conn_free(c);
	tls_engine_free(&c->tls);
	release_partial(c);
	free(c->held);
	free(c);
}

void conn_ref(conn *c)
{
	c->refs++;
}

void conn_unref(conn *c)
{
	c->refs--;
	maybe_free(c);
}

static void on_handle_closed(uv_handle_t *h)
{
	conn *c = h->data;
	c->handles_open--;
	maybe_free(c);
}

/* Takes c out of the pre-auth pool (Hello accepted, or closing). */
static void preauth_remove(conn *c)
{
	server *srv = c->srv;

	if (!c->in_preauth)
		return;
	if (c->pa_prev)
		c->pa_prev->pa_next = c->pa_next;
	else
		srv->preauth_head = c->pa_next;
	if (c->pa_next)
		c->pa_next->pa_prev = c->pa_prev;
	else
		srv->preauth_tail = c->pa_prev;
	c->pa_next = c->pa_prev = NULL;
	c->in_preauth = 0;
	srv->npreauth--;
}

static void preauth_add(conn *c)
{
	server *srv = c->srv;

	c->pa_prev = srv->preauth_tail;
	c->pa_next = NULL;
	if (srv->preauth_tail)
		srv->preauth_tail->pa_next = c;
	else
		srv->preauth_head = c;
	srv->preauth_tail = c;
	c->in_preauth = 1;
	srv->npreauth++;
}

/* Unlinks the conn from the server and closes both handles. Pending writes
 * are cancelled by libuv (their callbacks free the buffers). */
static void close_handles(conn *c)
{
	server *srv = c->srv;

	if (c->handles_closing)
		return;
	c->handles_closing = 1;
	if (c->prev)
		c->prev->next = c->next;
	else if (srv->conns == c)
		srv->conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	c->next = c->prev = NULL;
	srv->nconns--;
	preauth_remove(c);
	uv_close((uv_handle_t *)&c->timer, on_handle_closed);
	uv_close((uv_handle_t *)&c->tcp, on_handle_closed);
	if (srv->stopping && srv->nconns == 0 && !srv->listening)
		log_event(LOG_INFO, "drained", NULL);
}

static void on_write(uv_write_t *req, int status)
{
	write_req *w = (write_req *)req;
	conn *c = req->data;

	c->out_pending -= w->len;
	free(w);
	if (status < 0 && status != UV_ECANCELED && c->state != CONN_CLOSING) {
		log_conn(c, LOG_INFO, "write_failed", "error", uv_strerror(status));
		conn_close(c, "write failed");
		return;
	}
	/* Resume once the client has taken half of what was queued: first the
	 * requests already read and decrypted, then the socket. */
	if (c->state != CONN_CLOSING && c->stalled_since_ms &&
	    c->out_pending <= c->srv->cfg.output_cap / 2) {
		uint8_t *held = c->held;
		size_t held_len = c->held_len;

		c->stalled_since_ms = 0;
		c->held = NULL;
		c->held_len = 0;
		if (held_len)
			consume_plain(c, held, held_len);
		free(held);
		if (c->state != CONN_CLOSING && !c->stalled_since_ms)
			pump_tls(c);
		if (c->state != CONN_CLOSING && !c->stalled_since_ms && !c->reading &&
		    uv_read_start((uv_stream_t *)&c->tcp, on_alloc, on_read) == 0)
			c->reading = 1;
		arm_timer(c);
	}
}

/* Moves every byte the TLS engine produced into one uv_write. */
static int flush_tls(conn *c)
{
	size_t n = tls_engine_pending_out(&c->tls);
	write_req *w;
	uv_buf_t b;
	int rc;

	if (n == 0)
		return 0;
	w = malloc(sizeof(*w) + n);
	if (!w)
		return HEARTH_ENOMEM;
	w->len = tls_engine_take_out(&c->tls, w->data, n);
	w->req.data = c;
	b = uv_buf_init((char *)w->data, (unsigned)w->len);
	rc = uv_write(&w->req, (uv_stream_t *)&c->tcp, &b, 1, on_write);
	if (rc < 0) {
		/* A function that returns an error never calls its callback. */
		free(w);
		return HEARTH_EIO;
	}
	c->out_pending += w->len;
	return 0;
}

/* A closing peer that does not take its last bytes is not waited for. */
static void on_linger(uv_timer_t *t)
{
	close_handles(t->data);
}

static void on_shutdown(uv_shutdown_t *req, int status)
{
	conn *c = req->data;
	(void)status;
	close_handles(c);
}

void conn_close(conn *c, const char *reason)
{
	if (c->state == CONN_CLOSING)
		return;
	c->state = CONN_CLOSING;
	log_conn(c, LOG_INFO, "conn_close", "reason", reason);
	if (c->reading) {
		uv_read_stop((uv_stream_t *)&c->tcp);
		c->reading = 0;
	}
	uv_timer_stop(&c->timer);
	if (c->tls.handshake_done) {
		tls_engine_shutdown(&c->tls);
	}
	/* Flush whatever the engine holds (alert or close_notify), then let
	 * uv_shutdown wait for queued writes before the socket closes. */
	(void)flush_tls(c);
	c->shutdown_req.data = c;
	if (uv_shutdown(&c->shutdown_req, (uv_stream_t *)&c->tcp, on_shutdown) < 0)
		close_handles(c);
	else
		uv_timer_start(&c->timer, on_linger, CONN_LINGER_MS, 0);
}

/* A peer that will not take its output gets a hard close: we do not wait
 * for writes that may never drain. */
static void conn_abort(conn *c, const char *reason)
{
	if (c->state == CONN_CLOSING)
		return;
	c->state = CONN_CLOSING;
	log_conn(c, LOG_INFO, "conn_close", "reason", reason);
	if (c->reading)
		uv_read_stop((uv_stream_t *)&c->tcp);
	c->reading = 0;
	uv_timer_stop(&c->timer);
	close_handles(c);
}

int conn_send(conn *c, const Hearth__Envelope *env)
{
	uint8_t *frame = NULL;
	size_t len = 0;
	int rc;

	if (c->state == CONN_CLOSING)
		return HEARTH_ECLOSED;
	rc = envelope_pack_frame(env, HEARTH_FRAME_MAX_CAP, &frame, &len);
	if (rc < 0) {
		log_conn(c, LOG_ERROR, "pack_failed", "error", hearth_strerror(rc));
		conn_close(c, "cannot pack response");
		return rc;
	}
	rc = conn_send_raw(c, frame, len);
	free(frame);
	return rc;
}

int conn_send_raw(conn *c, const uint8_t *frame, size_t len)
{
	int rc;

	if (c->state == CONN_CLOSING)
		return HEARTH_ECLOSED;
	rc = tls_engine_write(&c->tls, frame, len);
	if (rc < 0 || flush_tls(c) < 0) {
		conn_close(c, "tls write failed");
		return HEARTH_ETLS;
	}
	/* Stop taking requests while the client is not taking its responses:
	 * no more reads from the socket, and (consume_plain, pump_tls) no more
	 * frames decoded from what was already read, since a single read can
	 * hold hundreds of pipelined pulls. */
	if (c->out_pending >= c->srv->cfg.output_cap && !c->stalled_since_ms) {
		if (c->reading)
			uv_read_stop((uv_stream_t *)&c->tcp);
		c->reading = 0;
		c->stalled_since_ms = now_ms(c);
		if (c->stalled_since_ms == 0)
			c->stalled_since_ms = 1;
		log_conn(c, LOG_INFO, "output_cap_reached", NULL, NULL);
		arm_timer(c);
	}
	return 0;
}

int conn_send_body(conn *c, uint64_t request_id, uint32_t number, const wirebuf *body)
{
	wirebuf f = WIREBUF_INIT;
	int rc;

	wire_frame_begin(&f);
	wire_uint_field(&f, 1, request_id);
	wire_bytes_field(&f, number, body->data, body->len, 1);
	wire_frame_finish(&f);
	if (f.failed || body->failed) {
		wire_free(&f);
		conn_send_error(c, request_id, HEARTH__ERROR_CODE__ERR_INTERNAL, "", 0, "out of memory");
		return HEARTH_ENOMEM;
	}
	rc = conn_send_raw(c, f.data, f.len);
	wire_free(&f);
	return rc;
}

void conn_send_error(conn *c, uint64_t request_id, Hearth__ErrorCode code, const char *field,
                     int close_after, const char *fmt, ...)
{
	Hearth__Envelope env = HEARTH__ENVELOPE__INIT;
	Hearth__Error err = HEARTH__ERROR__INIT;
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	envelope_set_error(&env, &err, request_id, code, msg, field);
	log_conn(c, LOG_INFO, "error_sent", "message", msg);
	(void)conn_send(c, &env);
	if (close_after)
		conn_close(c, msg);
}

/* One timer per connection, re-armed for whichever deadline is next: the
 * handshake (TLS + Hello), idleness, or a stalled output queue. */
static void on_timer(uv_timer_t *t)
{
	conn *c = t->data;
	uint64_t now = now_ms(c);
	const loop_config *cfg = &c->srv->cfg;

	if (c->state == CONN_CLOSING)
		return;
	if (c->state == CONN_HANDSHAKE || c->state == CONN_HELLO) {
		conn_abort(c, "handshake timeout");
		return;
	}
	if (c->stalled_since_ms && now - c->stalled_since_ms >= cfg->handshake_timeout_ms) {
		conn_abort(c, "output cap reached and client is not reading");
		return;
	}
	if (!c->stalled_since_ms && now - c->last_input_ms >= cfg->idle_timeout_ms && c->inflight == 0) {
		conn_close(c, "idle timeout");
		return;
	}
	arm_timer(c);
}

static void arm_timer(conn *c)
{
	const loop_config *cfg = &c->srv->cfg;
	uint64_t now = now_ms(c);
	uint64_t due;

	if (c->state == CONN_CLOSING)
		return;
	if (c->state == CONN_HANDSHAKE || c->state == CONN_HELLO)
		return; /* armed once at accept; not extended by traffic */
	if (c->stalled_since_ms)
		due = c->stalled_since_ms + cfg->handshake_timeout_ms;
	else
		due = c->last_input_ms + cfg->idle_timeout_ms;
	uv_timer_start(&c->timer, on_timer, due > now ? due - now : 1, 0);
}

/* Called once the TLS handshake is done: the peer certificate has been
 * verified against the CA; whether its identity is acceptable is the
 * session's to say (server.on_handshake). */
static int on_handshake_done(conn *c)
{
	if (c->srv->on_handshake && c->srv->on_handshake(c) != 0)
		return -1;
	c->state = CONN_HELLO;
	log_conn(c, LOG_INFO, "tls_ok", "fingerprint", c->id.fingerprint);
	return 0;
}

/* Keeps plaintext that arrived while output is stalled, for on_write to
 * decode once the client has read.  Bounded: nothing more is decrypted
 * while stalled. */
static int hold_plain(conn *c, const uint8_t *data, size_t len)
{
	uint8_t *p = realloc(c->held, c->held_len + len);

	if (!p)
		return HEARTH_ENOMEM;
	memcpy(p + c->held_len, data, len);
	c->held = p;
	c->held_len += len;
	return 0;
}

/* Over the budget for partial frames, the connection holding the most
 * is told why and closed, until the sum fits again: memory follows the
 * bytes peers send, and no set of peers can make it grow without bound. */
static void enforce_partial_budget(server *srv)
{
	char held[24], budget[24], sum[24];

	while (srv->partial_held > srv->cfg.partial_budget) {
		conn *big = NULL;

		for (conn *v = srv->conns; v; v = v->next)
			if (v->state != CONN_CLOSING && v->partial_counted > 0 &&
			    (!big || v->partial_counted > big->partial_counted))
				big = v;
		if (!big)
			return;
		log_event(LOG_WARN, "partial_budget_exceeded", "peer", big->peer, "held",
		          log_u64(held, big->partial_counted), "all", log_u64(sum, srv->partial_held),
		          "budget", log_u64(budget, srv->cfg.partial_budget), NULL);
		conn_send_error(big, 0, HEARTH__ERROR_CODE__ERR_BUSY, "frame", 1,
		                "partial frames of all clients exceed the server's partial_frame_budget of "
		                "%llu bytes and this connection held the most (%zu bytes); retry later",
		                (unsigned long long)srv->cfg.partial_budget, big->partial_counted);
		release_partial(big);
	}
}

/* Brings srv->partial_held up to date with what c's decoder holds now. */
static void account_partial(conn *c)
{
	server *srv = c->srv;
	size_t now = frame_decoder_held(&c->dec);

	srv->partial_held = srv->partial_held - c->partial_counted + now;
	c->partial_counted = now;
	if (srv->partial_held > srv->cfg.partial_budget)
		enforce_partial_budget(srv);
}

/* Decodes every complete frame in the plaintext and dispatches it, until
 * the output cap stops us; the rest is held. */
static void consume_plain(conn *c, const uint8_t *data, size_t len)
{
	while (len > 0 && c->state != CONN_CLOSING) {
		if (c->stalled_since_ms) {
			if (hold_plain(c, data, len) != 0)
				conn_abort(c, "out of memory");
			return;
		}
		size_t used = 0;
		uint8_t *frame = NULL;
		uint32_t flen = 0;
		int rc = frame_decode(&c->dec, data, len, &used, &frame, &flen);
		Hearth__Envelope *env = NULL;

		data += used;
		len -= used;
		account_partial(c);
		if (c->state == CONN_CLOSING) {
			free(frame);
			return;
		}
		if (rc == HEARTH_EAGAIN)
			return;
		if (rc == HEARTH_ETOOBIG) {
			conn_send_error(c, 0, HEARTH__ERROR_CODE__ERR_TOO_LARGE, "frame", 1,
			                "frame of %u bytes exceeds the limit of %u bytes", c->dec.bad_len,
			                c->dec.max);
			return;
		}
		if (rc < 0) {
			conn_send_error(c, 0, HEARTH__ERROR_CODE__ERR_PROTOCOL, "frame", 1,
			                "bad frame: %s", hearth_strerror(rc));
			return;
		}
		c->last_input_ms = now_ms(c);
		if (c->srv->on_frame && c->srv->on_frame(c, frame, flen) != 0) {
			free(frame);
			give_back_memory(flen);
			arm_timer(c);
			continue;
		}
		rc = envelope_unpack(frame, flen, c->dec.max, NULL, &env);
		free(frame);
		give_back_memory(flen);
		if (rc < 0) {
			conn_send_error(c, 0, HEARTH__ERROR_CODE__ERR_PROTOCOL, "envelope", 1,
			                "frame does not hold a valid hearth Envelope (%s)",
			                hearth_strerror(rc));
			return;
		}
		c->srv->on_envelope(c, env);
		/* The session accepted Hello: the conn now counts as authenticated. */
		if (c->in_preauth && c->state == CONN_READY)
			preauth_remove(c);
		arm_timer(c);
	}
}

static void pump_tls(conn *c)
{
	uint8_t plain[16384];

	if (!c->tls.handshake_done) {
		int rc = tls_engine_handshake(&c->tls);
		(void)flush_tls(c);
		if (rc == HEARTH_EAGAIN)
			return;
		if (rc < 0) {
			log_conn(c, LOG_INFO, "tls_failed", "reason", c->tls.error);
			conn_abort(c, "tls handshake failed");
			return;
		}
		if (on_handshake_done(c) < 0)
			return;
	}
	while (c->state != CONN_CLOSING && !c->stalled_since_ms) {
		int n = tls_engine_read(&c->tls, plain, sizeof(plain));
		(void)flush_tls(c);
		if (n == HEARTH_EAGAIN)
			return;
		if (n == HEARTH_ECLOSED) {
			conn_close(c, "peer sent close_notify");
			return;
		}
		if (n < 0) {
			log_conn(c, LOG_INFO, "tls_failed", "reason", c->tls.error);
			conn_abort(c, "tls error");
			return;
		}
		consume_plain(c, plain, (size_t)n);
	}
}

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
	conn *c = h->data;
	(void)suggested;
	*buf = uv_buf_init((char *)c->srv->read_buf, sizeof(c->srv->read_buf));
}

static void on_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf)
{
	conn *c = s->data;

	if (nread == 0)
		return; /* EAGAIN: nothing to do */
	if (nread == UV_EOF) {
		if (frame_decoder_partial(&c->dec))
			log_conn(c, LOG_INFO, "truncated_frame", NULL, NULL);
		conn_abort(c, c->state == CONN_HANDSHAKE ? "eof during handshake" : "eof");
		return;
	}
	if (nread == UV_ENOBUFS) {
		conn_abort(c, "no buffer");
		return;
	}
	if (nread < 0) {
		log_conn(c, LOG_INFO, "read_failed", "error", uv_strerror((int)nread));
		conn_abort(c, "read error");
		return;
	}
	if (c->state == CONN_CLOSING)
		return;
	c->bytes_in += (uint64_t)nread;
	if (tls_engine_feed(&c->tls, (const uint8_t *)buf->base, (size_t)nread) < 0) {
		conn_abort(c, "out of memory");
		return;
	}
	pump_tls(c);
}

/* Fills c->peer ("ip:port") and c->addr ("ip"). */
static void peer_name(conn *c)
{
	struct sockaddr_storage ss;
	int sl = sizeof(ss);
	char host[48] = "?";         /* INET6_ADDRSTRLEN (46) fits */

	snprintf(c->addr, sizeof(c->addr), "?");
	if (uv_tcp_getpeername(&c->tcp, (struct sockaddr *)&ss, &sl) == 0) {
		if (ss.ss_family == AF_INET6) {
			uv_ip6_name((struct sockaddr_in6 *)&ss, host, sizeof(host));
			snprintf(c->addr, sizeof(c->addr), "%s", host);
			snprintf(c->peer, sizeof(c->peer), "[%s]:%d", host,
			         ntohs(((struct sockaddr_in6 *)&ss)->sin6_port));
			return;
		}
		uv_ip4_name((struct sockaddr_in *)&ss, host, sizeof(host));
		snprintf(c->addr, sizeof(c->addr), "%s", host);
		snprintf(c->peer, sizeof(c->peer), "%s:%d", host, ntohs(((struct sockaddr_in *)&ss)->sin_port));
		return;
	}
	snprintf(c->peer, sizeof(c->peer), "?");
}

/* The pre-auth connection to give up for a newcomer, oldest first: one
 * that has sent nothing yet before one that started TLS, so a flood of
 * silent sockets only ever pushes out its own kind, and a real client's
 * handshake in progress survives it.  addr NULL: any address. */
static conn *preauth_victim(server *srv, const char *addr)
{
	conn *any = NULL;

	for (conn *v = srv->preauth_head; v; v = v->pa_next) {
		if (v->state == CONN_CLOSING || (addr && strcmp(v->addr, addr) != 0))
			continue;
		if (v->bytes_in == 0)
			return v;
		if (!any)
			any = v;
	}
	return any;
}

static uint32_t preauth_from(server *srv, const char *addr)
{
	uint32_t n = 0;

	for (conn *v = srv->preauth_head; v; v = v->pa_next)
		if (v->state != CONN_CLOSING && strcmp(v->addr, addr) == 0)
			n++;
	return n;
}

/* Makes room for newcomer c in the pre-auth pool: the per-address cap,
 * then the pool's size, then max_connections, each by evicting the
 * pre-auth victim.  Returns 0, or -1 when c must be refused (every slot
 * is held by an authenticated client). */
static int preauth_make_room(server *srv, conn *c)
{
	conn *v;

	if (preauth_from(srv, c->addr) >= srv->cfg.max_preauth_per_addr &&
	    (v = preauth_victim(srv, c->addr)) != NULL)
		conn_abort(v, "evicted: max_preauth_per_addr reached");
	if (srv->npreauth >= srv->cfg.max_preauth && (v = preauth_victim(srv, NULL)) != NULL)
		conn_abort(v, "evicted: max_preauth reached");
	if (srv->nconns > srv->cfg.max_connections) {
		if ((v = preauth_victim(srv, NULL)) == NULL)
			return -1;
		conn_abort(v, "evicted: max_connections reached");
	}
	return 0;
}

void conn_accept(server *srv)
{
	conn *c = calloc(1, sizeof(*c));
	char idbuf[24];

	if (!c) {
		log_event(LOG_ERROR, "accept_failed", "error", "out of memory", NULL);
		return;
	}
	c->srv = srv;
	c->conn_id = ++srv->next_conn_id;
	uv_tcp_init(srv->loop, &c->tcp);
	uv_timer_init(srv->loop, &c->timer);
	c->tcp.data = c;
	c->timer.data = c;
	c->handles_open = 2;
	/* The pre-Hello frame limit: nobody authenticated may make us buffer
	 * more than HEARTH_FRAME_MAX_PREAUTH; the session raises it to
	 * cfg.max_frame once Hello is accepted. */
	frame_decoder_init(&c->dec, HEARTH_FRAME_MAX_PREAUTH);
	c->next = srv->conns;
	if (srv->conns)
		srv->conns->prev = c;
	srv->conns = c;
	srv->nconns++;

	if (uv_accept((uv_stream_t *)&srv->listener, (uv_stream_t *)&c->tcp) != 0) {
		c->state = CONN_CLOSING;
		close_handles(c);
		return;
	}
	uv_tcp_nodelay(&c->tcp, 1);
	peer_name(c);
	if (srv->stopping || preauth_make_room(srv, c) != 0) {
		log_event(LOG_WARN, "conn_refused", "peer", c->peer, "reason",
		          srv->stopping ? "shutting down" : "max_connections reached", NULL);
		c->state = CONN_CLOSING;
		close_handles(c);
		return;
	}
	if (tls_engine_init(&c->tls, srv->ctx, TLS_SERVER, NULL) != 0) {
		log_event(LOG_ERROR, "accept_failed", "peer", c->peer, "error", "tls init", NULL);
		c->state = CONN_CLOSING;
		close_handles(c);
		return;
	}
	c->state = CONN_HANDSHAKE;
	preauth_add(c);
	c->last_input_ms = now_ms(c);
	log_event(LOG_DEBUG, "conn_open", "conn", log_u64(idbuf, c->conn_id), "peer", c->peer, NULL);
	uv_timer_start(&c->timer, on_timer, srv->cfg.handshake_timeout_ms, 0);
	if (uv_read_start((uv_stream_t *)&c->tcp, on_alloc, on_read) == 0)
		c->reading = 1;
	else
		conn_abort(c, "read_start failed");
}
