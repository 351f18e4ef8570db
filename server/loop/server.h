/* server.h: the loop's shared state: its settings and the server that
 * owns the listener, the live connections and the hooks the request side
 * sets. Types only; listener.c and connection.c work on them. */
#ifndef HEARTHD_LOOP_SERVER_H
#define HEARTHD_LOOP_SERVER_H

#include <stdint.h>
#include <openssl/ssl.h>
#include <uv.h>

#include "common/envelope.h"

struct conn;

/* What the loop needs of the settings (the top copies them in). */
typedef struct loop_config {
	char listen_host[256];
	int listen_port;
	char cert[1024];
	char key[1024];
	char ca[1024];
	char crl[1024];             /* empty: no CRL */
	char org[128];              /* for the "listening" line */
	uint32_t max_connections;
	uint32_t max_preauth;           /* connections not yet through TLS and Hello */
	uint32_t max_preauth_per_addr;  /* of those, from one IP address */
	uint32_t handshake_timeout_ms;  /* TLS handshake and Hello must finish within this */
	uint32_t idle_timeout_ms;       /* no complete frame for this long closes the connection */
	uint32_t max_frame;             /* bytes, after Hello; before it HEARTH_FRAME_MAX_PREAUTH */
	uint32_t output_cap;            /* bytes queued to a client before we stop reading it */
	uint64_t partial_budget;        /* bytes all connections' partial frames may hold together */
} loop_config;

typedef struct server {
	uv_loop_t *loop;
	uv_tcp_t listener;
	uv_signal_t sig_term;
	uv_signal_t sig_int;
	uv_signal_t sig_hup;
	SSL_CTX *ctx;
	loop_config cfg;
	struct conn *conns;        /* doubly linked list of live connections */
	uint32_t nconns;
	/* Connections before Hello, oldest first: their own pool, so sockets
	 * that never start TLS cannot take the slots of authenticated clients
	 * (issue 12 item 9). */
	struct conn *preauth_head, *preauth_tail;
	uint32_t npreauth;
	size_t partial_held;       /* sum of frame_decoder_held over the conns (item 10) */
	uint64_t next_conn_id;
	uint64_t started_ms;
	int stopping;
	int listening;
	int bound_port;            /* the port actually bound (for port 0) */
	void (*on_stop)(void *ctx); /* called first by server_stop (the top stops the writer) */
	void *on_stop_ctx;
	/* Hooks the request side sets at start-up (server/api/api.c). */
	void *app;                 /* its context, for api_of() */
	/* A complete frame before it is unpacked: 0 goes on to unpack it and
	 * call on_envelope; 1: the hook answered it and the frame is dropped
	 * (a push over its op count is refused here, api/sync.c).  May be NULL. */
	int (*on_frame)(struct conn *c, const uint8_t *frame, size_t len);
	void (*on_envelope)(struct conn *c, Hearth__Envelope *env); /* a decoded request (dispatch) */
	int (*on_handshake)(struct conn *c); /* TLS done: 0 goes on to Hello; -1: c was refused */
	void (*on_conn_free)(struct conn *c); /* release c->app_data */
	uint8_t read_buf[65536];   /* shared read buffer: reads are consumed at once */
} server;

#endif
