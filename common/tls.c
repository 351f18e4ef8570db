/* tls.c: hearth's mutual-TLS 1.3 rules, an I/O-free TLS engine over memory
 * BIOs, and the mapping from a verified certificate to a hearth identity. */
#include "common/tls.h"

#include <arpa/inet.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "common/hearth.h"

#define URI_SCHEME "hearth://"
#define URI_EXPECTED "hearth://<org>/branch/<id>, hearth://<org>/admin or hearth://<org>/auditor"

/* ------------------------------------------------------------------ */
/* OpenSSL error text.  This is the one place where OpenSSL's error queue is
 * turned into words, so every message a user sees reads the same way. */

/* The most useful words for an OpenSSL error code: the reason string alone
 * ("certificate verify failed") reads better than the full
 * "error:0A000086:SSL routines::..." form, which we fall back to only when
 * OpenSSL has no reason text for the code. */
static void err_text(unsigned long code, char *buf, size_t len)
{
	const char *reason = ERR_reason_error_string(code);

	if (code == 0)
		snprintf(buf, len, "unknown error");
	else if (reason != NULL)
		snprintf(buf, len, "%s", reason);
	else
		ERR_error_string_n(code, buf, len);
}

/* Formats a message and appends the reason of the oldest queued OpenSSL
 * error (the root cause; later entries only say who called whom), then
 * empties the queue so the next call starts clean. */
static void ssl_errorf(char *out, size_t outlen, const char *fmt, ...)
{
	char msg[192];
	char reason[160];
	va_list ap;

	if (out == NULL || outlen == 0) {
		ERR_clear_error();
		return;
	}
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	err_text(ERR_peek_error(), reason, sizeof(reason));
	snprintf(out, outlen, "%s: %s", msg, reason);
	ERR_clear_error();
}

/* Plain formatted message into a caller's buffer that may be NULL. */
static void errorf(char *out, size_t outlen, const char *fmt, ...)
{
	va_list ap;

	if (out == NULL || outlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(out, outlen, fmt, ap);
	va_end(ap);
}

/* ------------------------------------------------------------------ */
/* Contexts */

/* Loads a CRL file into the context's store and turns on leaf CRL checking.
 * Only the leaf is checked because the committee CA is the only issuer and
 * is itself trusted directly; a CRL for the CA's own issuer would not exist. */
static int load_crl(SSL_CTX *ctx, const char *path, char *err, size_t errlen)
{
	X509_STORE *store = SSL_CTX_get_cert_store(ctx);
	X509_LOOKUP *lookup;

	ERR_clear_error();
	lookup = X509_STORE_add_lookup(store, X509_LOOKUP_file());
	if (lookup == NULL) {
		ssl_errorf(err, errlen, "cannot set up CRL lookup for %s", path);
		return HEARTH_ENOMEM;
	}
	if (X509_load_crl_file(lookup, path, X509_FILETYPE_PEM) <= 0) {
		ssl_errorf(err, errlen, "cannot load CRL %s (expected a PEM CRL issued by the CA)", path);
		return HEARTH_ETLS;
	}
	X509_STORE_set_flags(store, X509_V_FLAG_CRL_CHECK);
	return 0;
}

/* True for OpenSSL's "key values mismatch", whichever layer reported it. */
static int key_mismatch(unsigned long code)
{
	return ERR_GET_LIB(code) == ERR_LIB_X509 && ERR_GET_REASON(code) == X509_R_KEY_VALUES_MISMATCH;
}

/* Builds a context that enforces hearth's transport rules in one place, so
 * that neither the server nor the client can forget one: TLS 1.3 only, a
 * verified peer certificate on both sides, and an optional CRL.  Messages
 * name the file that failed because a mis-typed path is the common cause. */
SSL_CTX *tls_ctx_new(enum tls_role role, const tls_ctx_config *cfg, char *err, size_t errlen)
{
	SSL_CTX *ctx = NULL;
	STACK_OF(X509_NAME) *names = NULL;

	if (cfg == NULL || cfg->cert == NULL || cfg->key == NULL || cfg->ca == NULL) {
		errorf(err, errlen, "TLS configuration incomplete: %s is required",
		       cfg == NULL || cfg->cert == NULL ? "a certificate file"
		       : cfg->key == NULL ? "a private key file" : "a CA file");
		return NULL;
	}
	ERR_clear_error();
	ctx = SSL_CTX_new(role == TLS_SERVER ? TLS_server_method() : TLS_client_method());
	if (ctx == NULL) {
		ssl_errorf(err, errlen, "cannot create TLS context");
		goto fail;
	}
	if (SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION) != 1 ||
	    SSL_CTX_set_max_proto_version(ctx, TLS1_3_VERSION) != 1) {
		ssl_errorf(err, errlen, "cannot restrict TLS to version 1.3");
		goto fail;
	}
	if (SSL_CTX_use_certificate_chain_file(ctx, cfg->cert) != 1) {
		ssl_errorf(err, errlen, "cannot load certificate %s", cfg->cert);
		goto fail;
	}
	/* OpenSSL already compares the key with the certificate while loading
	 * it; that case gets its own words because the remedy differs. */
	if (SSL_CTX_use_PrivateKey_file(ctx, cfg->key, SSL_FILETYPE_PEM) != 1) {
		if (!key_mismatch(ERR_peek_error()))
			ssl_errorf(err, errlen, "cannot load private key %s", cfg->key);
		else
			ssl_errorf(err, errlen, "private key %s does not belong to certificate %s",
			           cfg->key, cfg->cert);
		goto fail;
	}
	if (SSL_CTX_check_private_key(ctx) != 1) {
		ssl_errorf(err, errlen, "private key %s does not belong to certificate %s",
		           cfg->key, cfg->cert);
		goto fail;
	}
	if (SSL_CTX_load_verify_locations(ctx, cfg->ca, NULL) != 1) {
		ssl_errorf(err, errlen, "cannot load CA certificate(s) %s", cfg->ca);
		goto fail;
	}
	if (cfg->crl != NULL && load_crl(ctx, cfg->crl, err, errlen) != 0)
		goto fail;

	if (role == TLS_SERVER) {
		/* Telling clients which CA we accept lets a client holding several
		 * certificates pick the right one.  Failing to read names is not
		 * fatal: the CA file loaded above is what actually decides. */
		names = SSL_load_client_CA_file(cfg->ca);
		if (names != NULL)
			SSL_CTX_set_client_CA_list(ctx, names);
		SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);
		/* No resumption: every connection proves its certificate afresh,
		 * so a revocation in the store takes effect at the next connect,
		 * and no NewSessionTicket arrives after the handshake. */
		SSL_CTX_set_num_tickets(ctx, 0);
		SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
		SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET);
	} else {
		SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
		SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
	}
	ERR_clear_error();
	return ctx;

fail:
	SSL_CTX_free(ctx);
	ERR_clear_error();
	return NULL;
}

/* ------------------------------------------------------------------ */
/* Engine */

/* Describes why a fatal SSL_* call failed.  A failed certificate check is
 * reported by its verify result ("certificate has expired"), because the
 * error queue then only says "certificate verify failed"; anything else by
 * the queued reason, e.g. "peer did not return a certificate" or an alert
 * the peer sent us. */
static void describe_failure(tls_engine *e, const char *op, int sslerr)
{
	const char *whose = SSL_is_server(e->ssl) ? "client" : "server";
	unsigned long code = ERR_peek_error();
	long vr = SSL_get_verify_result(e->ssl);
	char reason[160];

	if (vr != X509_V_OK &&
	    (code == 0 || ERR_GET_REASON(code) == SSL_R_CERTIFICATE_VERIFY_FAILED)) {
		snprintf(e->error, sizeof(e->error), "%s: %s certificate rejected: %s",
		         op, whose, X509_verify_cert_error_string(vr));
	} else if (code != 0) {
		err_text(code, reason, sizeof(reason));
		snprintf(e->error, sizeof(e->error), "%s: %s", op, reason);
	} else if (sslerr == SSL_ERROR_SYSCALL) {
		snprintf(e->error, sizeof(e->error), "%s: connection ended unexpectedly", op);
	} else {
		snprintf(e->error, sizeof(e->error), "%s: TLS error %d", op, sslerr);
	}
	ERR_clear_error();
}

/* Classifies the result of an SSL_* call that did not succeed.  Wanting
 * more input (or output room, which a memory BIO always has) is the normal
 * state of a non-blocking engine, not an error; close_notify is an orderly
 * end; everything else is fatal and sticky. */
static int classify(tls_engine *e, const char *op, int ret)
{
	int sslerr = SSL_get_error(e->ssl, ret);

	switch (sslerr) {
	case SSL_ERROR_WANT_READ:
	case SSL_ERROR_WANT_WRITE:
		ERR_clear_error();
		return HEARTH_EAGAIN;
	case SSL_ERROR_ZERO_RETURN:
		ERR_clear_error();
		return HEARTH_ECLOSED;
	default:
		describe_failure(e, op, sslerr);
		e->failed = 1;
		return HEARTH_ETLS;
	}
}

/* Returns 1 when host is an IPv4 or IPv6 literal, which must be matched
 * against an IP SAN rather than a DNS name. */
static int is_ip_literal(const char *host)
{
	unsigned char buf[sizeof(struct in6_addr)];

	return inet_pton(AF_INET, host, buf) == 1 || inet_pton(AF_INET6, host, buf) == 1;
}

/* Sets up the SSL object and its two memory BIOs.  The input BIO is told to
 * report "retry" when empty, so that running out of network bytes reads as
 * WANT_READ rather than as end of stream. */
int tls_engine_init(tls_engine *e, SSL_CTX *ctx, enum tls_role role, const char *host)
{
	BIO *in = NULL, *out = NULL;
	int rc = HEARTH_ENOMEM;

	memset(e, 0, sizeof(*e));
	ERR_clear_error();
	e->ssl = SSL_new(ctx);
	if (e->ssl == NULL) {
		ssl_errorf(e->error, sizeof(e->error), "cannot create TLS session");
		goto fail;
	}
	in = BIO_new(BIO_s_mem());
	out = BIO_new(BIO_s_mem());
	if (in == NULL || out == NULL) {
		ssl_errorf(e->error, sizeof(e->error), "cannot create TLS buffers");
		goto fail;
	}
	BIO_set_mem_eof_return(in, -1);
	BIO_set_mem_eof_return(out, -1);
	SSL_set_bio(e->ssl, in, out);   /* the SSL owns both from here on */
	e->in = in;
	e->out = out;
	in = out = NULL;

	if (role == TLS_SERVER) {
		SSL_set_accept_state(e->ssl);
	} else {
		SSL_set_connect_state(e->ssl);
		if (host != NULL && *host != '\0') {
			int ok;

			if (is_ip_literal(host)) {
				ok = X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(e->ssl), host);
			} else {
				SSL_set_hostflags(e->ssl, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
				ok = SSL_set1_host(e->ssl, host) == 1 &&
				     SSL_set_tlsext_host_name(e->ssl, host) == 1;
			}
			if (!ok) {
				ssl_errorf(e->error, sizeof(e->error),
				           "cannot set expected server name \"%s\"", host);
				rc = HEARTH_ETLS;
				goto fail;
			}
		}
	}
	return 0;

fail:
	BIO_free(out);
	BIO_free(in);
	SSL_free(e->ssl);    /* frees the BIOs once they were handed over */
	e->ssl = NULL;
	e->in = e->out = NULL;
	e->failed = 1;
	return rc;
}

void tls_engine_free(tls_engine *e)
{
	if (e == NULL)
		return;
	SSL_free(e->ssl);
	e->ssl = NULL;
	e->in = e->out = NULL;
}

/* Memory BIOs take an int length, so very large inputs go in slices. */
int tls_engine_feed(tls_engine *e, const uint8_t *data, size_t len)
{
	while (len > 0) {
		int chunk = len > INT_MAX ? INT_MAX : (int)len;
		int n = BIO_write(e->in, data, chunk);

		if (n <= 0)
			return HEARTH_ENOMEM;
		data += n;
		len -= (size_t)n;
	}
	return 0;
}

int tls_engine_handshake(tls_engine *e)
{
	int r;

	if (e->failed)
		return HEARTH_ETLS;
	if (e->handshake_done)
		return 0;
	ERR_clear_error();
	r = SSL_do_handshake(e->ssl);
	if (r == 1) {
		e->handshake_done = 1;
		return 0;
	}
	r = classify(e, "TLS handshake", r);
	/* close_notify in the middle of a handshake is still a failed handshake. */
	if (r == HEARTH_ECLOSED) {
		snprintf(e->error, sizeof(e->error), "TLS handshake: peer closed the connection");
		e->failed = 1;
		r = HEARTH_ETLS;
	}
	return r;
}

/* Reads application data.  In TLS 1.3 a client's handshake ends before the
 * server has checked the client certificate, so a rejection by the server
 * shows up here, as an alert, on the client's first read. */
int tls_engine_read(tls_engine *e, uint8_t *buf, size_t len)
{
	int r;

	if (e->failed)
		return HEARTH_ETLS;
	if (len == 0)
		return HEARTH_EINVAL;
	ERR_clear_error();
	r = SSL_read(e->ssl, buf, len > INT_MAX ? INT_MAX : (int)len);
	if (r > 0)
		return r;
	return classify(e, "TLS read", r);
}

/* Encrypts application data.  The output BIO grows as needed, so the whole
 * buffer is always taken in one call; the caller drains it afterwards. */
int tls_engine_write(tls_engine *e, const uint8_t *data, size_t len)
{
	size_t written = 0;
	int r;

	if (e->failed)
		return HEARTH_ETLS;
	if (len == 0)
		return 0;
	ERR_clear_error();
	r = SSL_write_ex(e->ssl, data, len, &written);
	if (r == 1)
		return 0;
	return classify(e, "TLS write", r);
}

/* Sends close_notify at most once.  Nothing is sent after a fatal error
 * (the alert already went out) or before the handshake finished (there is
 * no session to close). */
void tls_engine_shutdown(tls_engine *e)
{
	if (e->ssl == NULL || e->failed || !SSL_is_init_finished(e->ssl))
		return;
	if (SSL_get_shutdown(e->ssl) & SSL_SENT_SHUTDOWN)
		return;
	ERR_clear_error();
	(void)SSL_shutdown(e->ssl);
	ERR_clear_error();
}

size_t tls_engine_pending_out(tls_engine *e)
{
	if (e->out == NULL)
		return 0;
	return BIO_ctrl_pending(e->out);
}

size_t tls_engine_take_out(tls_engine *e, uint8_t *buf, size_t len)
{
	int n;

	if (e->out == NULL || len == 0)
		return 0;
	n = BIO_read(e->out, buf, len > INT_MAX ? INT_MAX : (int)len);
	return n > 0 ? (size_t)n : 0;
}

/* ------------------------------------------------------------------ */
/* Identity */

/* Length of the run of [A-Za-z0-9._-] at s, up to end. */
static size_t name_span(const char *s, const char *end)
{
	const char *p = s;

	while (p < end && ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
	                   (*p >= '0' && *p <= '9') || *p == '.' || *p == '_' || *p == '-'))
		p++;
	return (size_t)(p - s);
}

/* Parses strictly: the URI is the whole of the identity, so anything beyond
 * the four documented shapes (a trailing slash, a query, a port, a stray
 * byte) is refused rather than guessed at.  id is written only on success. */
int tls_parse_uri(const char *uri, size_t len, tls_identity *id)
{
	const size_t scheme_len = sizeof(URI_SCHEME) - 1;
	const char *p, *end;
	size_t org_len, rest_len, n;
	Hearth__Role role;
	const char *branch = "";
	size_t branch_len = 0;

	if (uri == NULL || id == NULL || len <= scheme_len || memcmp(uri, URI_SCHEME, scheme_len) != 0)
		return HEARTH_EINVAL;
	p = uri + scheme_len;
	end = uri + len;

	org_len = name_span(p, end);
	if (org_len == 0 || org_len >= sizeof(id->org) || p + org_len == end || p[org_len] != '/')
		return HEARTH_EINVAL;
	rest_len = (size_t)(end - (p + org_len + 1));
	const char *rest = p + org_len + 1;

	if (rest_len == 5 && memcmp(rest, "admin", 5) == 0) {
		role = HEARTH__ROLE__ROLE_ADMIN;
	} else if (rest_len == 7 && memcmp(rest, "auditor", 7) == 0) {
		role = HEARTH__ROLE__ROLE_AUDITOR;
	} else if ((rest_len > 7 && memcmp(rest, "branch/", 7) == 0) ||
	           (rest_len > 8 && memcmp(rest, "general/", 8) == 0)) {
		/* A general branch (党总支) is a branch id too: the root of the
		 * subtree its principal reads. */
		size_t skip = rest[0] == 'b' ? 7 : 8;
		branch = rest + skip;
		branch_len = rest_len - skip;
		n = name_span(branch, end);
		if (n != branch_len || branch_len == 0 || branch_len >= sizeof(id->branch_id))
			return HEARTH_EINVAL;
		role = skip == 7 ? HEARTH__ROLE__ROLE_BRANCH : HEARTH__ROLE__ROLE_GENERAL;
	} else {
		return HEARTH_EINVAL;
	}

	id->role = role;
	memcpy(id->org, p, org_len);
	id->org[org_len] = '\0';
	memcpy(id->branch_id, branch, branch_len);
	id->branch_id[branch_len] = '\0';
	return 0;
}

/* Hex digits are the form operators compare by eye and the form the
 * revocation table stores, so they are produced in exactly one place. */
int tls_cert_fingerprint(X509 *cert, char out[65])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0, i;

	out[0] = '\0';
	ERR_clear_error();
	if (cert == NULL || X509_digest(cert, EVP_sha256(), md, &n) != 1 || n != 32) {
		ERR_clear_error();
		return HEARTH_ETLS;
	}
	for (i = 0; i < n; i++) {
		out[2 * i] = hex[md[i] >> 4];
		out[2 * i + 1] = hex[md[i] & 0x0f];
	}
	out[2 * n] = '\0';
	return 0;
}

/* Copies an untrusted string for a message, replacing anything that is not
 * printable ASCII so a certificate cannot put control bytes into logs. */
static void printable(char *dst, size_t dstlen, const unsigned char *src, size_t len)
{
	size_t i;

	if (dstlen == 0)
		return;
	for (i = 0; i < len && i + 1 < dstlen; i++)
		dst[i] = (src[i] >= 0x20 && src[i] < 0x7f) ? (char)src[i] : '?';
	dst[i] = '\0';
}

/* Reads the subject CN as UTF-8 whatever string type the CA used.  The CN
 * is the person behind the certificate, recorded in every audit entry, so a
 * certificate without one is refused rather than logged anonymously. */
static int read_cn(X509 *cert, tls_identity *id, char *err, size_t errlen)
{
	X509_NAME *subject = X509_get_subject_name(cert);
	unsigned char *utf8 = NULL;
	int idx, len, rc = HEARTH_EAUTH;
	size_t n;

	idx = subject ? X509_NAME_get_index_by_NID(subject, NID_commonName, -1) : -1;
	if (idx < 0) {
		errorf(err, errlen, "certificate subject has no CN (the operator's name is required)");
		goto fail;
	}
	len = ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subject, idx)));
	if (len < 0) {
		errorf(err, errlen, "certificate subject CN cannot be converted to UTF-8");
		goto fail;
	}
	n = (size_t)len;
	if (n == 0 || memchr(utf8, '\0', n) != NULL) {
		errorf(err, errlen, "certificate subject CN is empty or contains a NUL byte");
		goto fail;
	}
	if (n >= sizeof(id->name)) {
		/* Cut at a character boundary, never inside a UTF-8 sequence. */
		n = sizeof(id->name) - 1;
		while (n > 0 && (utf8[n] & 0xc0) == 0x80)
			n--;
	}
	memcpy(id->name, utf8, n);
	id->name[n] = '\0';
	rc = 0;

fail:
	OPENSSL_free(utf8);
	ERR_clear_error();
	return rc;
}

/* Applies hearth's identity rules to a certificate: exactly one hearth://
 * SAN URI (other URIs are ignored, so a CA may add its own), the expected
 * organisation, a CN, and the fingerprint that the revocation table uses.
 * On failure id is left zeroed so that a caller who ignores the return
 * value still cannot act on a half-filled identity. */
int tls_identity_from_cert(X509 *cert, const char *want_org, tls_identity *id,
                           char *err, size_t errlen)
{
	const size_t scheme_len = sizeof(URI_SCHEME) - 1;
	GENERAL_NAMES *names = NULL;
	const ASN1_IA5STRING *uri = NULL;
	char shown[128];
	int i, count = 0, rc = HEARTH_EAUTH;

	memset(id, 0, sizeof(*id));
	if (cert == NULL) {
		errorf(err, errlen, "no certificate");
		goto fail;
	}
	ERR_clear_error();
	names = X509_get_ext_d2i(cert, NID_subject_alt_name, NULL, NULL);
	for (i = 0; names != NULL && i < sk_GENERAL_NAME_num(names); i++) {
		const GENERAL_NAME *gn = sk_GENERAL_NAME_value(names, i);
		const ASN1_IA5STRING *s;

		if (gn->type != GEN_URI)
			continue;
		s = gn->d.uniformResourceIdentifier;
		if ((size_t)ASN1_STRING_length(s) >= scheme_len &&
		    memcmp(ASN1_STRING_get0_data(s), URI_SCHEME, scheme_len) == 0) {
			uri = s;
			count++;
		}
	}
	if (count == 0) {
		errorf(err, errlen, "certificate has no hearth:// SAN URI (expected %s)", URI_EXPECTED);
		goto fail;
	}
	if (count > 1) {
		errorf(err, errlen, "certificate has %d hearth:// SAN URIs; exactly one is allowed", count);
		goto fail;
	}
	if (tls_parse_uri((const char *)ASN1_STRING_get0_data(uri),
	                  (size_t)ASN1_STRING_length(uri), id) != 0) {
		printable(shown, sizeof(shown), ASN1_STRING_get0_data(uri),
		          (size_t)ASN1_STRING_length(uri));
		errorf(err, errlen, "certificate SAN URI \"%s\" is malformed (expected %s)",
		       shown, URI_EXPECTED);
		goto fail;
	}
	if (want_org != NULL && strcmp(id->org, want_org) != 0) {
		errorf(err, errlen, "certificate is for organisation \"%s\" but this server serves \"%s\"",
		       id->org, want_org);
		goto fail;
	}
	if ((rc = read_cn(cert, id, err, errlen)) != 0)
		goto fail;
	if (tls_cert_fingerprint(cert, id->fingerprint) != 0) {
		errorf(err, errlen, "cannot compute the certificate fingerprint");
		rc = HEARTH_EAUTH;
		goto fail;
	}
	GENERAL_NAMES_free(names);
	return 0;

fail:
	GENERAL_NAMES_free(names);
	memset(id, 0, sizeof(*id));
	ERR_clear_error();
	return rc;
}

/* The handshake already verified the chain; the result is checked again so
 * that an identity is never taken from a certificate that failed, whatever
 * verify callback or mode a future caller installs. */
int tls_identity_from_peer(SSL *ssl, const char *want_org, tls_identity *id,
                           char *err, size_t errlen)
{
	X509 *cert;
	long vr;

	memset(id, 0, sizeof(*id));
	cert = SSL_get0_peer_certificate(ssl);   /* not ours to free */
	if (cert == NULL) {
		errorf(err, errlen, "peer did not present a certificate");
		return HEARTH_EAUTH;
	}
	vr = SSL_get_verify_result(ssl);
	if (vr != X509_V_OK) {
		errorf(err, errlen, "peer certificate failed verification: %s",
		       X509_verify_cert_error_string(vr));
		return HEARTH_EAUTH;
	}
	return tls_identity_from_cert(cert, want_org, id, err, errlen);
}

void tls_identity_clear(tls_identity *id)
{
	if (id != NULL)
		memset(id, 0, sizeof(*id));
}
