/* server.h: the hearthd process: one libuv loop, the listener, the set of
 * live connections, and orderly shutdown. */
#ifndef HEARTHD_SERVER_H
#define HEARTHD_SERVER_H

#include <stdint.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <uv.h>

#include "server/config.h"

struct conn;
struct store;
struct job_queue;

typedef struct server {
	uv_loop_t *loop;
	uv_tcp_t listener;
	uv_signal_t sig_term;
	uv_signal_t sig_int;
	uv_signal_t sig_hup;
	SSL_CTX *ctx;
	hearthd_config cfg;
	struct conn *conns;        /* doubly linked list of live connections */
	uint32_t nconns;
	uint64_t next_conn_id;
	uint64_t started_ms;
	int stopping;
	int listening;
	int bound_port;            /* the port actually bound (for port 0) */
	struct store *store;       /* set by the top (server/hearthd.c) */
	const struct job_queue *jobs; /* the writer, as the top hands it over */
	void (*on_stop)(void *ctx); /* called first by server_stop (the top stops the writer) */
	void *on_stop_ctx;
	EVP_PKEY *audit_key;       /* Ed25519: signs checkpoints */
	uint8_t audit_pub[32];
	int cp_valid;              /* cached latest checkpoint */
	uint64_t cp_size;
	uint8_t cp_head[32];
	int64_t cp_time;
	uint8_t cp_sig[64];
	uint8_t read_buf[65536];   /* shared read buffer: reads are consumed at once */
} server;

/* Prepares srv from cfg: TLS context, listener bound (not yet accepting
 * until server_run). Returns 0 or a negative HEARTH_E* code with a log
 * line that says what failed (nothing is held then). */
int server_init(server *srv, uv_loop_t *loop, const hearthd_config *cfg);

/* Starts the signal handlers and logs "listening": call once everything
 * the handlers need is in place. */
void server_start(server *srv);

/* Runs the loop until a SIGTERM/SIGINT drained every connection. Returns 0. */
int server_run(server *srv);

/* Releases everything server_init acquired. Call after server_run returns,
 * or instead of it when start-up failed after server_init. */
void server_free(server *srv);

/* Begins an orderly stop: no new connections, close the live ones. */
void server_stop(server *srv);

/* Reloads the TLS files (SIGHUP). Returns 0 or HEARTH_ETLS (old kept). */
int server_reload_tls(server *srv);

/* Milliseconds since the Unix epoch (wall clock). */
int64_t server_now_ms(void);

#endif
