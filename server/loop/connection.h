/* connection.h: one client connection: TLS over a libuv stream, framing, limits
 * and timeouts.  A conn is freed only in the close callback of its last
 * handle and only when no job of the writer thread still refers to it. */
#ifndef HEARTHD_CONN_H
#define HEARTHD_CONN_H

#include <stdint.h>
#include <uv.h>

#include "common/envelope.h"
#include "common/frame.h"
#include "common/tls.h"

struct server;

enum conn_state {
	CONN_HANDSHAKE,    /* TLS handshake in progress */
	CONN_HELLO,        /* TLS done, waiting for Hello */
	CONN_READY,        /* Hello accepted: requests allowed */
	CONN_CLOSING,      /* shutting down: ignore input */
};

typedef struct conn {
	uv_tcp_t tcp;
	uv_timer_t timer;
	uv_shutdown_t shutdown_req;
	struct server *srv;
	struct conn *next, *prev;
	struct conn *pa_next, *pa_prev; /* srv's pre-auth pool, while in_preauth */
	int in_preauth;
	tls_engine tls;
	frame_decoder dec;
	size_t partial_counted;    /* what of dec's memory srv->partial_held counts */
	tls_identity id;
	enum conn_state state;
	uint64_t conn_id;
	char peer[64];             /* "ip:port" for logs */
	char addr[64];             /* "ip" alone: the per-address pre-auth cap */
	uint64_t bytes_in;         /* bytes read from the socket, to spare the ones that started TLS */
	size_t out_pending;        /* bytes handed to uv_write, not yet written */
	int reading;
	int handles_open;
	int handles_closing;
	int refs;                  /* outstanding writer jobs */
	uint32_t inflight;         /* requests being processed */
	uint64_t last_input_ms;
	uint64_t stalled_since_ms; /* when the output cap was reached; 0 if not */
	/* Decrypted bytes not yet framed because the output cap was reached in
	 * the middle of a read: no request is decoded while the client is not
	 * taking its answers (at most one plaintext read, 16 KiB).  Owned. */
	uint8_t *held;
	size_t held_len;
	void *app_data;            /* the request side's state (api/session.h); freed by on_conn_free */
} conn;

/* Accepts one pending connection on the listener. Never fails loudly: a
 * refused connection is logged and closed. */
void conn_accept(struct server *srv);

/* Packs env as a frame and queues it for sending. Returns 0 or a negative
 * HEARTH_E* code (the connection is then being closed). */
int conn_send(conn *c, const Hearth__Envelope *env);

/* Queues a complete, already framed message (4-byte header included). */
int conn_send_raw(conn *c, const uint8_t *frame, size_t len);

/* Sends body (a message's encoded fields) as Envelope body field `number`
 * with request_id, framed. Answers INTERNAL when body or the frame could
 * not be built (an allocation failed). Returns 0 or a negative code. */
struct wirebuf;
int conn_send_body(conn *c, uint64_t request_id, uint32_t number, const struct wirebuf *body);

/* Sends an Error with request_id and closes when close_after is set. */
void conn_send_error(conn *c, uint64_t request_id, Hearth__ErrorCode code,
                     const char *field, int close_after, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));

/* Orderly close: close_notify, flush, shutdown, close. Idempotent. */
void conn_close(conn *c, const char *reason);

/* Writer-job reference counting: a conn with refs > 0 outlives its handles. */
void conn_ref(conn *c);
void conn_unref(conn *c);

#endif
