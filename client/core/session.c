/* session.c: the client side of a hearth connection over a blocking socket.
 * TLS goes through the same I/O-free engine as the server's; this file only
 * moves bytes between it and the socket. */
#include "client/core/session.h"

#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "client/core/reasons.h"
#include "common/hearth.h"
#include "common/i18n.h"

/* The most of an announced frame length taken at once (frame.h): more
 * than a pull page of thousands of records, far less than a frame's limit. */
#define SESSION_FRAME_FIRST (16u << 20)

int64_t session_now_ms(void)
{
	struct timeval tv;
	gettimeofday(&tv, NULL);
	return (int64_t)tv.tv_sec * 1000 + tv.tv_usec / 1000;
}

static int fail(session *s, enum session_fail kind, int rc, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int fail(session *s, enum session_fail kind, int rc, const char *fmt, ...)
{
	va_list ap;
	if (s->fail == SESSION_OK) {
		s->fail = kind;
		va_start(ap, fmt);
		vsnprintf(s->error, sizeof(s->error), fmt, ap);
		va_end(ap);
	}
	return rc;
}

int session_exit_code(const session *s)
{
	switch (s->fail) {
	case SESSION_OK: return 0;
	case SESSION_CONFIG: return 2;
	default: return 3;
	}
}

/* Connects with a deadline: a wrong address must fail in seconds, not hang. */
static int connect_tcp(session *s, const profile *p)
{
	struct addrinfo hints, *res = NULL, *ai;
	int rc, last = 0;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	rc = getaddrinfo(p->host, p->port, &hints, &res);
	if (rc != 0)
		return fail(s, SESSION_CONNECT, HEARTH_EIO, _("cannot resolve server address %s: %s"),
		            p->host, gai_strerror(rc));
	for (ai = res; ai; ai = ai->ai_next) {
		int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
		struct pollfd pfd;
		if (fd < 0) {
			last = errno;
			continue;
		}
		fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) != 0 && errno != EINPROGRESS) {
			last = errno;
			close(fd);
			continue;
		}
		pfd.fd = fd;
		pfd.events = POLLOUT;
		if (poll(&pfd, 1, s->timeout_ms) != 1) {
			last = ETIMEDOUT;
			close(fd);
			continue;
		}
		{
			int soerr = 0;
			socklen_t sl = sizeof(soerr);
			getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl);
			if (soerr) {
				last = soerr;
				close(fd);
				continue;
			}
		}
		/* Requests are small and answered at once: Nagle would add 40 ms. */
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &(int){ 1 }, sizeof(int));
		s->fd = fd;
		break;
	}
	freeaddrinfo(res);
	if (s->fd < 0) {
		if (last == ECONNREFUSED)
			return fail(s, SESSION_CONNECT, HEARTH_EIO,
			            _("cannot connect to %s: connection refused (is hearthd running there?)"),
			            p->server);
		return fail(s, SESSION_CONNECT, HEARTH_EIO, _("cannot connect to %s: %s"), p->server,
		            strerror(last ? last : EHOSTUNREACH));
	}
	return 0;
}

/* Writes all TLS output to the socket, waiting as needed. */
static int flush_out(session *s)
{
	uint8_t buf[16384];
	size_t n;

	while ((n = tls_engine_take_out(&s->tls, buf, sizeof(buf))) > 0) {
		size_t off = 0;
		while (off < n) {
			ssize_t w = send(s->fd, buf + off, n - off, MSG_NOSIGNAL);
			if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
				struct pollfd pfd = { s->fd, POLLOUT, 0 };
				if (poll(&pfd, 1, s->timeout_ms) != 1)
					return fail(s, SESSION_PROTOCOL, HEARTH_ETIMEDOUT,
					            _("timed out sending to the server"));
				continue;
			}
			if (w < 0 && errno == EINTR)
				continue;
			if (w < 0)
				return fail(s, SESSION_PROTOCOL, HEARTH_EIO, _("lost the connection to the server: %s"),
				            strerror(errno));
			off += (size_t)w;
		}
	}
	return 0;
}

/* Reads once from the socket into the engine. */
static int read_in(session *s)
{
	uint8_t buf[65536];
	struct pollfd pfd = { s->fd, POLLIN, 0 };
	ssize_t r;
	int pr;

	do
		pr = poll(&pfd, 1, s->timeout_ms);
	while (pr < 0 && errno == EINTR);
	if (pr == 0)
		return fail(s, SESSION_PROTOCOL, HEARTH_ETIMEDOUT,
		            _("the server did not answer within %d ms"), s->timeout_ms);
	do
		r = recv(s->fd, buf, sizeof(buf), 0);
	while (r < 0 && errno == EINTR);
	if (r == 0)
		return HEARTH_ECLOSED;
	if (r < 0) {
		if (errno == ECONNRESET)
			return HEARTH_ECLOSED;
		return fail(s, SESSION_PROTOCOL, HEARTH_EIO, _("lost the connection to the server: %s"),
		            strerror(errno));
	}
	return tls_engine_feed(&s->tls, buf, (size_t)r);
}

/* Turns a TLS alert from the server into a sentence a secretary can act on. */
static int explain_tls_failure(session *s, int during_handshake)
{
	const char *e = s->tls.error;
	if (strstr(e, "certificate verify failed") || strstr(e, "unable to get local issuer") ||
	    strstr(e, "self-signed") || strstr(e, "self signed") || strstr(e, "hostname mismatch") ||
	    strstr(e, "IP address mismatch"))
		return fail(s, SESSION_SERVER_CERT, HEARTH_ETLS,
		            _("the server's certificate is not trusted by this profile's CA or does not "
		            "match the address (%s); check --ca and --server"), e);
	if (strstr(e, "expired"))
		return fail(s, SESSION_REFUSED, HEARTH_ETLS,
		            _("the server refused this client certificate: it has expired (%s)"), e);
	if (strstr(e, "unknown ca"))
		return fail(s, SESSION_REFUSED, HEARTH_ETLS,
		            _("the server refused this client certificate: it is not signed by the "
		            "committee CA (%s)"), e);
	if (strstr(e, "revoked"))
		return fail(s, SESSION_REFUSED, HEARTH_ETLS,
		            _("the server refused this client certificate: it has been revoked (%s)"), e);
	if (strstr(e, "certificate required") || strstr(e, "bad certificate") ||
	    strstr(e, "unsupported certificate") || strstr(e, "certificate unknown"))
		return fail(s, SESSION_REFUSED, HEARTH_ETLS,
		            _("the server refused this client certificate (%s)"), e);
	return fail(s, SESSION_PROTOCOL, HEARTH_ETLS, _("TLS %s failed: %s"),
	            during_handshake ? "handshake" : "session", e[0] ? e : "unknown error");
}

static int handshake(session *s)
{
	for (;;) {
		int rc = tls_engine_handshake(&s->tls);
		int frc = flush_out(s);
		if (rc == 0)
			return frc;
		if (rc != HEARTH_EAGAIN)
			return explain_tls_failure(s, 1);
		if (frc < 0)
			return frc;
		rc = read_in(s);
		if (rc == HEARTH_ECLOSED)
			return fail(s, SESSION_REFUSED, HEARTH_ECLOSED,
			            _("the server closed the connection during the TLS handshake "
			            "(it may be full, shutting down, or refusing this certificate)"));
		if (rc < 0)
			return rc;
	}
}

int session_send(session *s, Hearth__Envelope *req, uint64_t *id)
{
	uint8_t *frame = NULL;
	size_t len = 0;
	int rc;

	req->request_id = ++s->next_request_id;
	if (id)
		*id = req->request_id;
	rc = envelope_pack_frame(req, HEARTH_FRAME_MAX_CAP, &frame, &len);
	if (rc < 0)
		return fail(s, SESSION_PROTOCOL, rc, _("cannot encode request: %s"), _(hearth_strerror(rc)));
	rc = tls_engine_write(&s->tls, frame, len);
	free(frame);
	if (rc < 0)
		return explain_tls_failure(s, 0);
	return flush_out(s);
}

int session_write_raw(session *s, const uint8_t *data, size_t len)
{
	if (tls_engine_write(&s->tls, data, len) < 0)
		return explain_tls_failure(s, 0);
	return flush_out(s);
}

/* The next envelope, unpacked with alloc (NULL: malloc). With frame, the
 * bytes it was unpacked from go to the caller (*frame, *frame_len);
 * without, they are freed here. */
static int recv_envelope(session *s, ProtobufCAllocator *alloc, Hearth__Envelope **resp, uint8_t **frame,
                         size_t *frame_len)
{
	*resp = NULL;
	if (frame) {
		*frame = NULL;
		*frame_len = 0;
	}
	for (;;) {
		/* Frames already decrypted come first. */
		while (s->plain_off < s->plain_len) {
			size_t used = 0;
			uint8_t *bytes = NULL;
			uint32_t flen = 0;
			int rc = frame_decode(&s->dec, s->plain + s->plain_off, s->plain_len - s->plain_off,
			                      &used, &bytes, &flen);
			s->plain_off += used;
			if (rc == HEARTH_EAGAIN)
				break;
			if (rc < 0)
				return fail(s, SESSION_PROTOCOL, rc, _("bad frame from the server: %s"),
				            _(hearth_strerror(rc)));
			rc = envelope_unpack(bytes, flen, HEARTH_FRAME_MAX_CAP, alloc, resp);
			if (rc < 0) {
				free(bytes);
				return fail(s, SESSION_PROTOCOL, rc, _("bad message from the server: %s"),
				            _(hearth_strerror(rc)));
			}
			if (frame) {
				*frame = bytes;
				*frame_len = flen;
			} else {
				free(bytes);
			}
			return 0;
		}
		s->plain_off = s->plain_len = 0;
		int n = tls_engine_read(&s->tls, s->plain, sizeof(s->plain));
		int frc = flush_out(s);
		if (n > 0) {
			s->plain_len = (size_t)n;
			continue;
		}
		if (n == HEARTH_ECLOSED)
			return fail(s, SESSION_PROTOCOL, HEARTH_ECLOSED, _("the server closed the connection"));
		if (n != HEARTH_EAGAIN)
			return explain_tls_failure(s, 0);
		if (frc < 0)
			return frc;
		int rc = read_in(s);
		if (rc == HEARTH_ECLOSED)
			return fail(s, SESSION_PROTOCOL, HEARTH_ECLOSED,
			            _("the server closed the connection"));
		if (rc < 0)
			return rc;
	}
}

int session_recv(session *s, Hearth__Envelope **resp)
{
	return recv_envelope(s, NULL, resp, NULL, NULL);
}

int session_call(session *s, Hearth__Envelope *req, Hearth__Envelope **resp)
{
	uint64_t id;
	int rc = session_send(s, req, &id);
	if (rc < 0)
		return rc;
	return session_wait(s, id, resp);
}

int session_wait(session *s, uint64_t id, Hearth__Envelope **resp)
{
	int rc;

	for (;;) {
		rc = session_recv(s, resp);
		if (rc < 0)
			return rc;
		/* request_id 0 is a connection-level error (e.g. before any request). */
		if ((*resp)->request_id == id || (*resp)->request_id == 0)
			return 0;
		envelope_free(*resp, NULL);
		*resp = NULL;
	}
}

int session_wait_frame(session *s, uint64_t id, ProtobufCAllocator *alloc, Hearth__Envelope **resp,
                       uint8_t **frame, size_t *frame_len)
{
	int rc;

	for (;;) {
		rc = recv_envelope(s, alloc, resp, frame, frame_len);
		if (rc < 0)
			return rc;
		if ((*resp)->request_id == id || (*resp)->request_id == 0)
			return 0;
		envelope_free(*resp, alloc);
		*resp = NULL;
		free(*frame);
		*frame = NULL;
		*frame_len = 0;
	}
}

/* Reads an error the server sent before closing (e.g. an identity it would
 * not accept) so the user sees the server's reason, not "connection closed". */
static int hello(session *s)
{
	Hearth__Envelope req = HEARTH__ENVELOPE__INIT;
	Hearth__Hello h = HEARTH__HELLO__INIT;
	Hearth__Envelope *resp = NULL;
	int rc;

	h.protocol_major = HEARTH_PROTOCOL_MAJOR;
	h.protocol_minor = HEARTH_PROTOCOL_MINOR;
	h.client_version = HEARTH_VERSION;
	if (s->has_replica_id) {
		h.replica_id.len = sizeof(s->replica_id);
		h.replica_id.data = s->replica_id;
	}
	h.last_checkpoint = (Hearth__Checkpoint *)s->last_checkpoint;
	req.body_case = HEARTH__ENVELOPE__BODY_HELLO;
	req.hello = &h;
	rc = session_call(s, &req, &resp);
	if (rc < 0) {
		if (s->fail == SESSION_PROTOCOL && rc == HEARTH_ECLOSED) {
			s->fail = SESSION_OK;
			return fail(s, SESSION_REFUSED, rc,
			            _("the server closed the connection after the TLS handshake "
			            "(this certificate may have been refused or revoked)"));
		}
		return rc;
	}
	if (resp->body_case == HEARTH__ENVELOPE__BODY_ERROR) {
		Hearth__Error *e = resp->error;
		enum session_fail kind = SESSION_PROTOCOL;
		char said[512];

		if (e->code == HEARTH__ERROR_CODE__ERR_UNAUTHENTICATED ||
		    e->code == HEARTH__ERROR_CODE__ERR_FORBIDDEN)
			kind = SESSION_REFUSED;
		else if (e->code == HEARTH__ERROR_CODE__ERR_VERSION)
			kind = SESSION_VERSION;
		rc = fail(s, kind, HEARTH_EAUTH, _("the server refused this client: %s"),
		          reasons_localize(NULL, e->message, said, sizeof(said)));
		envelope_free(resp, NULL);
		return rc;
	}
	if (resp->body_case != HEARTH__ENVELOPE__BODY_WELCOME || !resp->welcome->principal) {
		envelope_free(resp, NULL);
		return fail(s, SESSION_PROTOCOL, HEARTH_EPROTO, _("the server answered Hello with %s"),
		            _("something other than Welcome"));
	}
	s->welcome_env = resp;
	s->welcome = resp->welcome;
	return 0;
}

int session_open(session *s, const profile *p)
{
	return session_open_replica(s, p, NULL);
}

int session_open_replica(session *s, const profile *p, const uint8_t replica_id[16])
{
	return session_open_witness(s, p, replica_id, NULL);
}

int session_open_witness(session *s, const profile *p, const uint8_t replica_id[16],
                         const Hearth__Checkpoint *last_checkpoint)
{
	tls_ctx_config tc = { p->cert, p->key, p->ca, NULL };
	char err[512];
	const char *t = getenv("HEARTH_TIMEOUT_MS");
	int rc;

	memset(s, 0, sizeof(*s));
	s->fd = -1;
	s->timeout_ms = t && atoi(t) > 0 ? atoi(t) : 30000;
	if (replica_id) {
		memcpy(s->replica_id, replica_id, sizeof(s->replica_id));
		s->has_replica_id = 1;
	}
	s->last_checkpoint = last_checkpoint;
	frame_decoder_init(&s->dec, HEARTH_FRAME_MAX_CAP);
	s->ctx = tls_ctx_new(TLS_CLIENT, &tc, err, sizeof(err));
	if (!s->ctx)
		return fail(s, SESSION_CONFIG, HEARTH_ETLS, "%s", err);
	rc = connect_tcp(s, p);
	if (rc < 0)
		return rc;
	if (tls_engine_init(&s->tls, s->ctx, TLS_CLIENT, p->host) != 0)
		return fail(s, SESSION_CONFIG, HEARTH_ETLS, _("cannot set up TLS: %s"), s->tls.error);
	rc = handshake(s);
	if (rc < 0)
		return rc;
	rc = hello(s);
	s->last_checkpoint = NULL;   /* borrowed for the Hello only */
	/* The server is authenticated now: an answer of megabytes (a pull
	 * page) is collected in one buffer of its announced size rather than
	 * copied from buffer to doubled buffer as its bytes come. */
	if (rc == 0)
		frame_decoder_set_first(&s->dec, SESSION_FRAME_FIRST);
	return rc;
}

void session_close(session *s)
{
	if (s->tls.ssl && s->fd >= 0 && s->fail == SESSION_OK) {
		tls_engine_shutdown(&s->tls);
		(void)flush_out(s);
	}
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
	if (s->tls.ssl)
		tls_engine_free(&s->tls);
	memset(&s->tls, 0, sizeof(s->tls));
	frame_decoder_free(&s->dec);
	envelope_free(s->welcome_env, NULL);
	s->welcome_env = NULL;
	s->welcome = NULL;
	SSL_CTX_free(s->ctx);
	s->ctx = NULL;
}
