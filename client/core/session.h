/* session.h: a client's connection to hearthd: blocking socket, the TLS
 * engine, framing, and the Hello/Welcome exchange.  One session, one thread. */
#ifndef HEARTH_SESSION_H
#define HEARTH_SESSION_H

#include <stdint.h>
#include <openssl/ssl.h>

#include "common/envelope.h"
#include "common/frame.h"
#include "client/core/profile.h"
#include "common/tls.h"

/* Why a session could not be opened, so commands can pick exit codes and
 * tests can tell causes apart. */
enum session_fail {
	SESSION_OK = 0,
	SESSION_CONFIG,        /* our own files (cert, key, ca) are unusable */
	SESSION_CONNECT,       /* TCP: refused, unreachable, bad address, timeout */
	SESSION_SERVER_CERT,   /* the server's certificate did not verify */
	SESSION_REFUSED,       /* the server refused our certificate */
	SESSION_PROTOCOL,      /* the server broke the protocol or closed early */
	SESSION_VERSION,       /* protocol versions do not match */
};

typedef struct session {
	int fd;
	SSL_CTX *ctx;
	tls_engine tls;
	frame_decoder dec;
	uint64_t next_request_id;
	int timeout_ms;
	Hearth__Envelope *welcome_env;   /* owns welcome */
	Hearth__Welcome *welcome;
	enum session_fail fail;
	char error[768];
	uint8_t plain[65536];            /* decrypted bytes not yet framed */
	size_t plain_len;
	size_t plain_off;
	uint8_t replica_id[16];          /* sent in Hello when has_replica_id */
	int has_replica_id;
	const Hearth__Checkpoint *last_checkpoint;   /* sent in Hello; borrowed */
} session;

/* Connects, handshakes and exchanges Hello/Welcome. On failure returns a
 * negative code and sets s->fail and s->error (a sentence for the user);
 * session_close is still safe to call. */
int session_open(session *s, const profile *p);

/* Same, and the Hello carries replica_id (16 bytes, copied), so the server
 * can tell which replica made each revision ("mine" in conflicts). */
int session_open_replica(session *s, const profile *p, const uint8_t replica_id[16]);

/* Same, and the Hello also carries the last audit checkpoint this replica
 * accepted (borrowed for the duration of the call; NULL: none). */
int session_open_witness(session *s, const profile *p, const uint8_t replica_id[16],
                         const Hearth__Checkpoint *last_checkpoint);

/* Sends req (request_id is assigned here) and waits for the response with
 * the same id. *resp is freed by the caller with envelope_free(.., NULL).
 * An Error body is returned as a response, not as a failure. */
int session_call(session *s, Hearth__Envelope *req, Hearth__Envelope **resp);

/* Sends without waiting (pipelining). Assigns and returns the request id in *id. */
int session_send(session *s, Hearth__Envelope *req, uint64_t *id);

/* Waits for the response to the request sent as id (responses to other
 * requests are dropped), as session_call does after its send. */
int session_wait(session *s, uint64_t id, Hearth__Envelope **resp);

/* As session_wait, with the response unpacked by alloc (NULL: malloc; free
 * it with envelope_free(*resp, alloc)) and the bytes it was unpacked from
 * handed over: *frame (*frame_len bytes) is malloc'd and the caller frees
 * it, after the last use of anything borrowed from it, so that a pull can
 * store each record exactly as the server sent it (envelope_pull_records).
 * On failure *resp and *frame are NULL and nothing is left to free. */
int session_wait_frame(session *s, uint64_t id, ProtobufCAllocator *alloc, Hearth__Envelope **resp,
                       uint8_t **frame, size_t *frame_len);

/* Receives the next envelope. */
int session_recv(session *s, Hearth__Envelope **resp);

/* Writes raw bytes into the TLS stream (test tools only: lets a probe send
 * malformed frames over a real session). */
int session_write_raw(session *s, const uint8_t *data, size_t len);

/* Sends close_notify and closes the socket; frees everything. */
void session_close(session *s);

/* Milliseconds since the Unix epoch. */
int64_t session_now_ms(void);

/* Exit status for a failure kind (see hearth --help). */
int session_exit_code(const session *s);

#endif
