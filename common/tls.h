/* tls.h: an I/O-free TLS 1.3 engine (SSL + two memory BIOs) and the
 * SSL_CTX factory that enforces hearth's mutual-TLS rules.
 *
 * The engine never touches a socket.  Bytes read from the network go in with
 * tls_engine_feed(); bytes to send come out with tls_engine_pending_out().
 * After every operation the caller drains the output. */
#ifndef HEARTH_TLS_H
#define HEARTH_TLS_H

#include <stddef.h>
#include <stdint.h>
#include <openssl/ssl.h>

#include "proto/hearth.pb-c.h"

enum tls_role { TLS_SERVER, TLS_CLIENT };

/* Paths for a context.  All are required except crl. */
typedef struct tls_ctx_config {
	const char *cert;   /* PEM certificate (chain) of this side */
	const char *key;    /* PEM private key of this side */
	const char *ca;     /* PEM CA certificate(s) the peer must chain to */
	const char *crl;    /* optional PEM CRL; NULL for none */
} tls_ctx_config;

/* Creates an SSL_CTX: TLS 1.3 only, peer certificate required and verified
 * against ca (the server requires a client certificate; the client verifies
 * the server).  On error returns NULL and writes a message naming the file
 * and the reason into err (errlen bytes). The caller frees with SSL_CTX_free. */
SSL_CTX *tls_ctx_new(enum tls_role role, const tls_ctx_config *cfg, char *err, size_t errlen);

typedef struct tls_engine {
	SSL *ssl;
	BIO *in;            /* network -> SSL; owned by ssl */
	BIO *out;           /* SSL -> network; owned by ssl */
	int handshake_done;
	int failed;
	char error[256];    /* last error message, for logs and users */
} tls_engine;

/* Sets up an engine over ctx. For a client, host (may be NULL) is the name or
 * address checked against the server certificate's SAN. Returns 0 or
 * HEARTH_ENOMEM/HEARTH_ETLS. */
int tls_engine_init(tls_engine *e, SSL_CTX *ctx, enum tls_role role, const char *host);
void tls_engine_free(tls_engine *e);

/* Network bytes in.  Returns 0 or HEARTH_ENOMEM. */
int tls_engine_feed(tls_engine *e, const uint8_t *data, size_t len);

/* Drives the handshake. Returns 0 when done, HEARTH_EAGAIN when it needs
 * more input (drain output first!), HEARTH_ETLS on failure (e->error says
 * why; drain output to send the alert). */
int tls_engine_handshake(tls_engine *e);

/* Decrypts up to len bytes of application data. Returns the byte count (>0),
 * HEARTH_EAGAIN when no data is ready, HEARTH_ECLOSED on close_notify,
 * HEARTH_ETLS on error. */
int tls_engine_read(tls_engine *e, uint8_t *buf, size_t len);

/* Encrypts len bytes of application data into the output BIO. Returns 0 or
 * HEARTH_ETLS. Memory BIOs grow, so a write never blocks.  Called before the
 * handshake has finished it drives the handshake and may return HEARTH_EAGAIN
 * (nothing was written; call again later). */
int tls_engine_write(tls_engine *e, const uint8_t *data, size_t len);

/* Sends close_notify (once). Drain output afterwards. */
void tls_engine_shutdown(tls_engine *e);

/* Number of bytes waiting to go to the network. */
size_t tls_engine_pending_out(tls_engine *e);
/* Copies up to len pending output bytes into buf; returns count copied. */
size_t tls_engine_take_out(tls_engine *e, uint8_t *buf, size_t len);

/* Identity taken from a verified certificate.  Strings are owned by the
 * struct; release with tls_identity_clear(). */
typedef struct tls_identity {
	Hearth__Role role;
	char org[128];
	char branch_id[64];
	char name[256];          /* subject CN, UTF-8 */
	char fingerprint[65];    /* lower-case hex SHA-256 of the DER certificate */
} tls_identity;

/* Zeroes an identity.  The strings live inside the struct, so nothing is
 * freed; this exists so callers need not know that. */
void tls_identity_clear(tls_identity *id);

/* Reads the identity from the peer certificate of a finished handshake.
 * The certificate must carry exactly one SAN URI of the form
 * hearth://<org>/branch/<id>, hearth://<org>/admin or hearth://<org>/auditor.
 * When want_org is non-NULL the URI's org must equal it.
 * Returns 0, or HEARTH_EAUTH with a message in err that says what is wrong. */
int tls_identity_from_peer(SSL *ssl, const char *want_org, tls_identity *id,
                           char *err, size_t errlen);

/* Same rules for a certificate already in hand (used by the client to show
 * its own identity and by tests). */
int tls_identity_from_cert(X509 *cert, const char *want_org, tls_identity *id,
                           char *err, size_t errlen);

/* Parses a hearth SAN URI. Returns 0 or HEARTH_EINVAL. */
int tls_parse_uri(const char *uri, size_t len, tls_identity *id);

/* Lower-case hex SHA-256 of a certificate's DER encoding into out[65]. */
int tls_cert_fingerprint(X509 *cert, char out[65]);

#endif
