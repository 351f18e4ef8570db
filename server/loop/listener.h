/* listener.h: the hearthd loop: the listener, the set of live
 * connections, signals and orderly shutdown. */
#ifndef HEARTHD_SERVER_H
#define HEARTHD_SERVER_H

#include <stdint.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <uv.h>

#include "server/loop/server.h"


/* Prepares srv from cfg: TLS context, listener bound (not yet accepting
 * until server_run). Returns 0 or a negative HEARTH_E* code with a log
 * line that says what failed (nothing is held then). */
int server_init(server *srv, uv_loop_t *loop, const loop_config *cfg);

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
