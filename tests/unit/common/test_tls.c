/* test_tls.c: pumps two in-memory TLS engines against each other with the
 * dev certificates (certs/mkcerts.sh) and checks the identity rules. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/pem.h>

#include "common/hearth.h"
#include "common/tls.h"

#define assert_contains(hay, needle)                                              \
	do {                                                                      \
		const char *h_ = (hay), *n_ = (needle);                           \
		if (h_ == NULL || strstr(h_, n_) == NULL) {                       \
			print_error("expected \"%s\" to contain \"%s\"\n",        \
			            h_ ? h_ : "(null)", n_);                      \
			fail();                                                   \
		}                                                                 \
	} while (0)

static const char *certs_dir(void)
{
	const char *d = getenv("HEARTH_CERTS");

	return d != NULL && *d != '\0' ? d : "certs/dev";
}

static const char *cert_path(char *buf, size_t len, const char *name)
{
	snprintf(buf, len, "%s/%s", certs_dir(), name);
	return buf;
}

/* A context for one side from the dev files "<name>.pem" / "<name>.key". */
static SSL_CTX *ctx_for(enum tls_role role, const char *name, const char *ca, const char *crl)
{
	char cert[512], key[512], cafile[512], crlfile[512], file[64], err[256] = "";
	tls_ctx_config cfg;
	SSL_CTX *ctx;

	snprintf(file, sizeof(file), "%s.pem", name);
	cfg.cert = cert_path(cert, sizeof(cert), file);
	snprintf(file, sizeof(file), "%s.key", name);
	cfg.key = cert_path(key, sizeof(key), file);
	cfg.ca = cert_path(cafile, sizeof(cafile), ca);
	cfg.crl = crl ? cert_path(crlfile, sizeof(crlfile), crl) : NULL;
	ctx = tls_ctx_new(role, &cfg, err, sizeof(err));
	if (ctx == NULL) {
		print_error("tls_ctx_new(%s): %s (run certs/mkcerts.sh, set HEARTH_CERTS)\n", name, err);
		fail();
	}
	return ctx;
}

/* A client context with no certificate at all, built by hand because
 * tls_ctx_new rightly refuses to make one. */
static SSL_CTX *ctx_client_without_cert(void)
{
	char ca[512];
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());

	assert_non_null(ctx);
	assert_int_equal(SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION), 1);
	assert_int_equal(SSL_CTX_load_verify_locations(ctx, cert_path(ca, sizeof(ca), "ca.pem"), NULL), 1);
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
	return ctx;
}

static X509 *load_cert(const char *name)
{
	char path[512];
	FILE *f = fopen(cert_path(path, sizeof(path), name), "r");
	X509 *x;

	if (f == NULL) {
		print_error("cannot open %s\n", path);
		fail();
	}
	x = PEM_read_X509(f, NULL, NULL, NULL);
	fclose(f);
	assert_non_null(x);
	return x;
}

/* Moves every pending output byte of one engine into the other. */
static void transfer(tls_engine *from, tls_engine *to)
{
	uint8_t buf[1024];
	size_t n;

	while ((n = tls_engine_take_out(from, buf, sizeof(buf))) > 0)
		assert_int_equal(tls_engine_feed(to, buf, n), 0);
	assert_int_equal(tls_engine_pending_out(from), 0);
}

/* Drives both handshakes until both finish or one fails, delivering every
 * flight (and any alert) to the other side. */
static void pump(tls_engine *c, tls_engine *s, int *rc_c, int *rc_s)
{
	int i;

	*rc_c = *rc_s = HEARTH_EAGAIN;
	for (i = 0; i < 20; i++) {
		*rc_c = tls_engine_handshake(c);
		transfer(c, s);
		*rc_s = tls_engine_handshake(s);
		transfer(s, c);
		if ((*rc_c == 0 && *rc_s == 0) || *rc_c == HEARTH_ETLS || *rc_s == HEARTH_ETLS)
			return;
	}
	print_error("handshake made no progress: client %d server %d\n", *rc_c, *rc_s);
	fail();
}

struct pair {
	SSL_CTX *sctx, *cctx;
	tls_engine s, c;
	int rc_s, rc_c;
};

static void pair_start(struct pair *p, SSL_CTX *sctx, SSL_CTX *cctx, const char *host)
{
	p->sctx = sctx;
	p->cctx = cctx;
	assert_int_equal(tls_engine_init(&p->s, sctx, TLS_SERVER, NULL), 0);
	assert_int_equal(tls_engine_init(&p->c, cctx, TLS_CLIENT, host), 0);
	pump(&p->c, &p->s, &p->rc_c, &p->rc_s);
}

static void pair_end(struct pair *p)
{
	tls_engine_free(&p->c);
	tls_engine_free(&p->s);
	SSL_CTX_free(p->cctx);
	SSL_CTX_free(p->sctx);
}

/* A client certificate of the committee CA against the dev server. */
static void pair_client(struct pair *p, const char *client, const char *host)
{
	pair_start(p, ctx_for(TLS_SERVER, "server", "ca.pem", NULL),
	           ctx_for(TLS_CLIENT, client, "ca.pem", NULL), host);
}

/* `openssl x509 -fingerprint -sha256`, lower-cased and without colons: an
 * independent computation of what tls_cert_fingerprint must produce. */
static void cli_fingerprint(const char *name, char out[65])
{
	char path[512], cmd[700], line[256];
	const char *eq;
	size_t n = 0;
	FILE *p;

	snprintf(cmd, sizeof(cmd), "openssl x509 -noout -fingerprint -sha256 -in '%s'",
	         cert_path(path, sizeof(path), name));
	p = popen(cmd, "r");
	assert_non_null(p);
	assert_non_null(fgets(line, sizeof(line), p));
	assert_int_equal(pclose(p), 0);
	eq = strchr(line, '=');
	assert_non_null(eq);
	for (eq++; *eq != '\0' && *eq != '\n' && n < 64; eq++)
		if (*eq != ':')
			out[n++] = (char)tolower((unsigned char)*eq);
	out[n] = '\0';
	assert_int_equal(n, 64);
}

/* ------------------------------------------------------------------ */

static void test_handshake_and_data(void **state)
{
	static const char up[] = "push from branch b001";
	static const char down[] = "welcome, 张三";
	struct pair p;
	uint8_t buf[256];
	tls_identity id;
	char err[256] = "";
	int n;

	(void)state;
	pair_client(&p, "branch1", "localhost");
	assert_int_equal(p.rc_c, 0);
	assert_int_equal(p.rc_s, 0);
	assert_true(p.c.handshake_done && p.s.handshake_done);
	assert_int_equal(SSL_version(p.c.ssl), TLS1_3_VERSION);

	/* client -> server */
	assert_int_equal(tls_engine_read(&p.s, buf, sizeof(buf)), HEARTH_EAGAIN);
	assert_int_equal(tls_engine_write(&p.c, (const uint8_t *)up, sizeof(up)), 0);
	assert_true(tls_engine_pending_out(&p.c) > sizeof(up));
	transfer(&p.c, &p.s);
	n = tls_engine_read(&p.s, buf, sizeof(buf));
	assert_int_equal(n, sizeof(up));
	assert_memory_equal(buf, up, sizeof(up));

	/* server -> client, delivered one byte at a time */
	assert_int_equal(tls_engine_write(&p.s, (const uint8_t *)down, sizeof(down)), 0);
	{
		uint8_t b;
		while (tls_engine_take_out(&p.s, &b, 1) == 1) {
			assert_int_equal(tls_engine_feed(&p.c, &b, 1), 0);
			if (tls_engine_pending_out(&p.s) > 0) {
				uint8_t t[8];
				assert_int_equal(tls_engine_read(&p.c, t, sizeof(t)), HEARTH_EAGAIN);
			}
		}
	}
	n = tls_engine_read(&p.c, buf, sizeof(buf));
	assert_int_equal(n, sizeof(down));
	assert_memory_equal(buf, down, sizeof(down));

	/* each side sees the other's identity */
	assert_int_equal(tls_identity_from_peer(p.s.ssl, "demo", &id, err, sizeof(err)), 0);
	assert_int_equal(id.role, HEARTH__ROLE__ROLE_BRANCH);
	assert_string_equal(id.branch_id, "b001");
	assert_string_equal(id.name, "张三");

	/* orderly close: close_notify once, the peer reads ECLOSED */
	tls_engine_shutdown(&p.c);
	n = (int)tls_engine_pending_out(&p.c);
	assert_true(n > 0);
	transfer(&p.c, &p.s);
	tls_engine_shutdown(&p.c);
	assert_int_equal(tls_engine_pending_out(&p.c), 0);
	assert_int_equal(tls_engine_read(&p.s, buf, sizeof(buf)), HEARTH_ECLOSED);
	pair_end(&p);
}

static void test_host_check(void **state)
{
	struct pair p;

	(void)state;
	pair_client(&p, "branch1", "127.0.0.1");
	assert_int_equal(p.rc_c, 0);
	assert_int_equal(p.rc_s, 0);
	pair_end(&p);

	pair_client(&p, "branch1", "::1");
	assert_int_equal(p.rc_c, 0);
	assert_int_equal(p.rc_s, 0);
	pair_end(&p);

	pair_client(&p, "branch1", "hearth.example.org");
	assert_int_equal(p.rc_c, HEARTH_ETLS);
	assert_true(p.c.failed);
	assert_contains(p.c.error, "hostname mismatch");
	pair_end(&p);

	pair_client(&p, "branch1", "10.0.0.1");
	assert_int_equal(p.rc_c, HEARTH_ETLS);
	assert_contains(p.c.error, "IP address mismatch");
	pair_end(&p);
}

static void test_identities(void **state)
{
	static const struct {
		const char *file;
		Hearth__Role role;
		const char *branch;
		const char *name;
	} cases[] = {
		{ "branch1.pem", HEARTH__ROLE__ROLE_BRANCH, "b001", "张三" },
		{ "branch2.pem", HEARTH__ROLE__ROLE_BRANCH, "b002", "李四" },
		{ "admin.pem", HEARTH__ROLE__ROLE_ADMIN, "", "王五" },
		{ "auditor.pem", HEARTH__ROLE__ROLE_AUDITOR, "", "赵六" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < HEARTH_ARRAY_LEN(cases); i++) {
		X509 *x = load_cert(cases[i].file);
		tls_identity id;
		char err[256] = "", fp[65], want_fp[65];

		assert_int_equal(tls_identity_from_cert(x, "demo", &id, err, sizeof(err)), 0);
		assert_int_equal(id.role, cases[i].role);
		assert_string_equal(id.org, "demo");
		assert_string_equal(id.branch_id, cases[i].branch);
		assert_string_equal(id.name, cases[i].name);
		cli_fingerprint(cases[i].file, want_fp);
		assert_string_equal(id.fingerprint, want_fp);
		assert_int_equal(tls_cert_fingerprint(x, fp), 0);
		assert_string_equal(fp, want_fp);
		tls_identity_clear(&id);
		assert_string_equal(id.org, "");
		X509_free(x);
	}
}

static void test_identity_through_handshake(void **state)
{
	static const char *const who[] = { "branch2", "admin", "auditor" };
	size_t i;

	(void)state;
	for (i = 0; i < HEARTH_ARRAY_LEN(who); i++) {
		struct pair p;
		tls_identity id, srv;
		char err[256] = "";
		X509 *x;
		char file[32];

		pair_client(&p, who[i], "localhost");
		assert_int_equal(p.rc_s, 0);
		assert_int_equal(tls_identity_from_peer(p.s.ssl, "demo", &id, err, sizeof(err)), 0);
		snprintf(file, sizeof(file), "%s.pem", who[i]);
		x = load_cert(file);
		assert_int_equal(tls_identity_from_cert(x, NULL, &srv, err, sizeof(err)), 0);
		assert_memory_equal(&id, &srv, sizeof(id));
		X509_free(x);
		pair_end(&p);
	}
}

static void test_client_without_cert(void **state)
{
	struct pair p;
	uint8_t buf[64];

	(void)state;
	pair_start(&p, ctx_for(TLS_SERVER, "server", "ca.pem", NULL), ctx_client_without_cert(),
	           "localhost");
	assert_int_equal(p.rc_s, HEARTH_ETLS);
	assert_true(p.s.failed);
	assert_contains(p.s.error, "peer did not return a certificate");
	/* TLS 1.3: the client learns of the rejection from the alert. */
	assert_int_equal(tls_engine_read(&p.c, buf, sizeof(buf)), HEARTH_ETLS);
	assert_contains(p.c.error, "alert");
	/* sticky */
	assert_int_equal(tls_engine_handshake(&p.s), HEARTH_ETLS);
	assert_int_equal(tls_engine_write(&p.s, buf, 1), HEARTH_ETLS);
	tls_engine_shutdown(&p.s);
	assert_int_equal(tls_engine_pending_out(&p.s), 0);
	pair_end(&p);
}

static void test_foreign_ca(void **state)
{
	struct pair p;
	uint8_t buf[64];

	(void)state;
	pair_client(&p, "foreign", "localhost");
	assert_int_equal(p.rc_s, HEARTH_ETLS);
	assert_contains(p.s.error, "client certificate rejected");
	assert_contains(p.s.error, "unable to get local issuer certificate");
	assert_int_equal(tls_engine_read(&p.c, buf, sizeof(buf)), HEARTH_ETLS);
	assert_contains(p.c.error, "unknown ca");
	pair_end(&p);

	/* and a client that does not trust the committee CA refuses the server */
	pair_start(&p, ctx_for(TLS_SERVER, "server", "ca.pem", NULL),
	           ctx_for(TLS_CLIENT, "branch1", "foreign-ca.pem", NULL), "localhost");
	assert_int_equal(p.rc_c, HEARTH_ETLS);
	/* The server sends the committee CA along (OpenSSL completes the chain
	 * from the trust store), so the client sees an untrusted self-signed root. */
	assert_contains(p.c.error, "server certificate rejected: self-signed certificate in certificate chain");
	pair_end(&p);
}

static void test_expired(void **state)
{
	struct pair p;

	(void)state;
	pair_client(&p, "expired", "localhost");
	assert_int_equal(p.rc_s, HEARTH_ETLS);
	assert_contains(p.s.error, "certificate has expired");
	pair_end(&p);
}

static void test_crl(void **state)
{
	struct pair p;

	(void)state;
	pair_start(&p, ctx_for(TLS_SERVER, "server", "ca.pem", "crl.pem"),
	           ctx_for(TLS_CLIENT, "revoked", "ca.pem", NULL), "localhost");
	assert_int_equal(p.rc_s, HEARTH_ETLS);
	assert_contains(p.s.error, "certificate revoked");
	pair_end(&p);

	/* without the CRL the same certificate is fine */
	pair_client(&p, "revoked", "localhost");
	assert_int_equal(p.rc_s, 0);
	pair_end(&p);

	/* with the CRL, an unrevoked certificate is fine */
	pair_start(&p, ctx_for(TLS_SERVER, "server", "ca.pem", "crl.pem"),
	           ctx_for(TLS_CLIENT, "branch1", "ca.pem", NULL), "localhost");
	assert_int_equal(p.rc_s, 0);
	assert_int_equal(p.rc_c, 0);
	pair_end(&p);
}

static void test_nouri(void **state)
{
	struct pair p;
	tls_identity id;
	char err[256] = "";

	(void)state;
	pair_client(&p, "nouri", "localhost");
	assert_int_equal(p.rc_s, 0);
	assert_int_equal(tls_identity_from_peer(p.s.ssl, "demo", &id, err, sizeof(err)), HEARTH_EAUTH);
	assert_string_equal(err, "certificate has no hearth:// SAN URI (expected "
	                         "hearth://<org>/branch/<id>, hearth://<org>/admin or "
	                         "hearth://<org>/auditor)");
	assert_string_equal(id.org, "");
	assert_string_equal(id.fingerprint, "");
	pair_end(&p);
}

static void test_otherorg(void **state)
{
	struct pair p;
	tls_identity id;
	char err[256] = "";

	(void)state;
	pair_client(&p, "otherorg", "localhost");
	assert_int_equal(p.rc_s, 0);
	assert_int_equal(tls_identity_from_peer(p.s.ssl, "demo", &id, err, sizeof(err)), HEARTH_EAUTH);
	assert_contains(err, "\"elsewhere\"");
	assert_contains(err, "\"demo\"");
	assert_int_equal(id.role, HEARTH__ROLE__ROLE_UNSPECIFIED);
	/* without an org requirement it is a valid identity */
	assert_int_equal(tls_identity_from_peer(p.s.ssl, NULL, &id, err, sizeof(err)), 0);
	assert_string_equal(id.org, "elsewhere");
	assert_string_equal(id.branch_id, "b001");
	pair_end(&p);
}

static void test_server_sees_no_identity_in_client(void **state)
{
	/* The client's view of the server: the server certificate has no
	 * hearth URI, and tls_identity_from_peer says so rather than crash. */
	struct pair p;
	tls_identity id;
	char err[256] = "";

	(void)state;
	pair_client(&p, "branch1", "localhost");
	assert_int_equal(p.rc_c, 0);
	assert_int_equal(tls_identity_from_peer(p.c.ssl, NULL, &id, err, sizeof(err)), HEARTH_EAUTH);
	assert_contains(err, "no hearth:// SAN URI");
	pair_end(&p);
}

static void test_ctx_errors(void **state)
{
	char cert[512], key[512], ca[512], crl[512], err[256] = "";
	tls_ctx_config cfg = {
		.cert = cert_path(cert, sizeof(cert), "branch1.pem"),
		.key = cert_path(key, sizeof(key), "branch2.key"),
		.ca = cert_path(ca, sizeof(ca), "ca.pem"),
	};

	(void)state;
	assert_null(tls_ctx_new(TLS_CLIENT, &cfg, err, sizeof(err)));
	assert_contains(err, "does not belong to certificate");
	assert_contains(err, "branch2.key");

	cfg.key = cert_path(key, sizeof(key), "branch1.key");
	cfg.ca = "/nonexistent/ca.pem";
	assert_null(tls_ctx_new(TLS_SERVER, &cfg, err, sizeof(err)));
	assert_contains(err, "/nonexistent/ca.pem");

	cfg.ca = cert_path(ca, sizeof(ca), "ca.pem");
	cfg.crl = cert_path(crl, sizeof(crl), "ca.pem");   /* not a CRL */
	assert_null(tls_ctx_new(TLS_SERVER, &cfg, err, sizeof(err)));
	assert_contains(err, "cannot load CRL");

	cfg.crl = NULL;
	cfg.cert = NULL;
	assert_null(tls_ctx_new(TLS_SERVER, &cfg, err, sizeof(err)));
	assert_contains(err, "certificate file");
}

static void test_parse_uri(void **state)
{
	static const struct {
		const char *uri;
		int rc;
		Hearth__Role role;
		const char *org, *branch;
	} cases[] = {
		{ "hearth://demo/branch/b001", 0, HEARTH__ROLE__ROLE_BRANCH, "demo", "b001" },
		{ "hearth://demo/admin", 0, HEARTH__ROLE__ROLE_ADMIN, "demo", "" },
		{ "hearth://demo/auditor", 0, HEARTH__ROLE__ROLE_AUDITOR, "demo", "" },
		{ "hearth://Food-Bank.org_1/branch/A.b-c_9", 0, HEARTH__ROLE__ROLE_BRANCH,
		  "Food-Bank.org_1", "A.b-c_9" },
		{ "hearth://d/branch/"
		  "123456789012345678901234567890123456789012345678901234567890123", 0,
		  HEARTH__ROLE__ROLE_BRANCH, "d",
		  "123456789012345678901234567890123456789012345678901234567890123" },
		{ "hearth://demo/general/g01", 0, HEARTH__ROLE__ROLE_GENERAL, "demo", "g01" },
		/* bad */
		{ "hearth://demo/general/", HEARTH_EINVAL },
		{ "hearth://demo/general", HEARTH_EINVAL },
		{ "hearth://demo/general/g01/", HEARTH_EINVAL },
		{ "hearth://demo/general/g 1", HEARTH_EINVAL },
		{ "hearth://d/branch/"
		  "1234567890123456789012345678901234567890123456789012345678901234", HEARTH_EINVAL },
		{ "", HEARTH_EINVAL },
		{ "hearth://", HEARTH_EINVAL },
		{ "hearth:///admin", HEARTH_EINVAL },
		{ "hearth://demo", HEARTH_EINVAL },
		{ "hearth://demo/", HEARTH_EINVAL },
		{ "hearth://demo/branch", HEARTH_EINVAL },
		{ "hearth://demo/branch/", HEARTH_EINVAL },
		{ "hearth://demo/branch/b001/", HEARTH_EINVAL },
		{ "hearth://demo/branch/b 01", HEARTH_EINVAL },
		{ "hearth://demo/branch/b001?x=1", HEARTH_EINVAL },
		{ "hearth://demo/branch/b/1", HEARTH_EINVAL },
		{ "hearth://demo/admin/", HEARTH_EINVAL },
		{ "hearth://demo/administrator", HEARTH_EINVAL },
		{ "hearth://demo/Admin", HEARTH_EINVAL },
		{ "hearth://demo/root", HEARTH_EINVAL },
		{ "hearth://de mo/admin", HEARTH_EINVAL },
		{ "hearth://demo:443/admin", HEARTH_EINVAL },
		{ "hearth://user@demo/admin", HEARTH_EINVAL },
		{ "HEARTH://demo/admin", HEARTH_EINVAL },
		{ "https://demo/admin", HEARTH_EINVAL },
		{ "hearth:/demo/admin", HEARTH_EINVAL },
		{ "hearth://демо/admin", HEARTH_EINVAL },
	};
	size_t i;

	(void)state;
	for (i = 0; i < HEARTH_ARRAY_LEN(cases); i++) {
		tls_identity id;
		int rc;

		memset(&id, 0x5a, sizeof(id));
		rc = tls_parse_uri(cases[i].uri, strlen(cases[i].uri), &id);
		if (rc != cases[i].rc) {
			print_error("tls_parse_uri(\"%s\") = %d, want %d\n", cases[i].uri, rc, cases[i].rc);
			fail();
		}
		if (rc != 0) {
			assert_int_equal(((unsigned char *)&id)[0], 0x5a);   /* untouched */
			continue;
		}
		assert_int_equal(id.role, cases[i].role);
		assert_string_equal(id.org, cases[i].org);
		assert_string_equal(id.branch_id, cases[i].branch);
	}

	/* The length is honoured: a prefix of a valid URI is judged alone, and
	 * an embedded NUL is not a terminator. */
	{
		tls_identity id;
		const char s[] = "hearth://demo/adminXYZ";
		const char z[] = "hearth://demo/admin\0";

		assert_int_equal(tls_parse_uri(s, strlen("hearth://demo/admin"), &id), 0);
		assert_int_equal(id.role, HEARTH__ROLE__ROLE_ADMIN);
		assert_int_equal(tls_parse_uri(z, sizeof(z) - 1, &id), HEARTH_EINVAL);
		assert_int_equal(tls_parse_uri(s, 0, &id), HEARTH_EINVAL);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_uri),
		cmocka_unit_test(test_handshake_and_data),
		cmocka_unit_test(test_host_check),
		cmocka_unit_test(test_identities),
		cmocka_unit_test(test_identity_through_handshake),
		cmocka_unit_test(test_client_without_cert),
		cmocka_unit_test(test_foreign_ca),
		cmocka_unit_test(test_expired),
		cmocka_unit_test(test_crl),
		cmocka_unit_test(test_nouri),
		cmocka_unit_test(test_otherorg),
		cmocka_unit_test(test_server_sees_no_identity_in_client),
		cmocka_unit_test(test_ctx_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
