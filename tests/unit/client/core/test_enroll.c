/* test_enroll.c: the one maker of new users' certificates, shared by `hearth admin enroll` and the 人员与证书 page: what it refuses (with the field at fault), the certificate it signs with the dev CA (its identity reads back as the server reads it, its fingerprint, its PEM), the request it makes without a CA key, and the CA key it refuses. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/pem.h>

#include "client/core/enroll.h"
#include "client/core/identity.h"
#include "common/hearth.h"
#include "common/tls.h"

static char certs[1024];

static void path(char *out, size_t cap, const char *name)
{
	snprintf(out, cap, "%s/%s", certs, name);
}

static void test_spec(void **state)
{
	enroll_spec e = { .role = HEARTH__ROLE__ROLE_BRANCH, .org = "demo", .branch = "b003", .name = "王小明" };
	const char *field = "";
	char why[300], uri[300], who[64], name65[200];
	Hearth__Role r;

	(void)state;
	assert_int_equal(enroll_spec_check(&e, &field, why, sizeof(why)), 0);
	assert_null(field);
	enroll_uri(&e, uri, sizeof(uri));
	assert_string_equal(uri, "hearth://demo/branch/b003");
	enroll_who(&e, who, sizeof(who));
	assert_string_equal(who, "b003");

	e.branch = "b 3";
	assert_int_equal(enroll_spec_check(&e, &field, why, sizeof(why)), HEARTH_EINVAL);
	assert_string_equal(field, "branch");
	assert_string_equal(why, "\"b 3\" is not a branch id (letters, digits, '.', '_', '-')");
	e.branch = NULL;
	assert_int_equal(enroll_spec_check(&e, &field, why, sizeof(why)), HEARTH_EINVAL);
	assert_string_equal(why, "a branch operator's certificate needs the branch id");

	e.role = HEARTH__ROLE__ROLE_ADMIN;
	e.branch = "b001";
	assert_int_equal(enroll_spec_check(&e, &field, why, sizeof(why)), HEARTH_EINVAL);
	assert_string_equal(field, "branch");
	assert_string_equal(why, "admin and auditor certificates cover every branch: give no branch");
	e.branch = NULL;
	enroll_uri(&e, uri, sizeof(uri));
	assert_string_equal(uri, "hearth://demo/admin");

	e.name = "";
	assert_int_equal(enroll_spec_check(&e, &field, why, sizeof(why)), HEARTH_EINVAL);
	assert_string_equal(field, "name");
	e.name = "王\n小明";
	assert_int_equal(enroll_spec_check(&e, &field, why, sizeof(why)), HEARTH_EINVAL);
	assert_string_equal(why, "the name must be one line of UTF-8 text");
	memset(name65, 'a', 65);
	name65[65] = '\0';
	e.name = name65;
	assert_int_equal(enroll_spec_check(&e, &field, why, sizeof(why)), HEARTH_EINVAL);
	assert_string_equal(why, "the name is 65 characters; a certificate name holds at most 64");
	name65[64] = '\0';
	assert_int_equal(enroll_spec_check(&e, &field, why, sizeof(why)), 0);

	assert_int_equal(enroll_role_parse(NULL, &r), 0);
	assert_int_equal(r, HEARTH__ROLE__ROLE_BRANCH);
	assert_int_equal(enroll_role_parse("auditor", &r), 0);
	assert_int_equal(r, HEARTH__ROLE__ROLE_AUDITOR);
	assert_int_equal(enroll_role_parse("root", &r), HEARTH_EINVAL);
}

static void test_signed(void **state)
{
	enroll_spec e = { .role = HEARTH__ROLE__ROLE_BRANCH, .org = "demo", .branch = "b003", .name = "王小明" };
	char p[1100], kp[1100], why[400], fp[65], *pem;
	enroll_made m;
	tls_identity id;
	X509 *ca, *back;
	EVP_PKEY *key = NULL;
	BIO *b;

	(void)state;
	path(p, sizeof(p), "ca.pem");
	assert_non_null(ca = identity_load_cert(p));
	enroll_default_ca_key(p, kp, sizeof(kp));
	assert_string_equal(kp + strlen(kp) - 7, "/ca.key");
	assert_int_equal(enroll_load_ca_key(kp, ca, &key, why, sizeof(why)), 0);
	assert_int_equal(enroll_issue(&e, ca, key, &m, why, sizeof(why)), 0);
	assert_non_null(m.cert);
	assert_null(m.req);
	assert_int_equal(strlen(m.fingerprint), 64);
	assert_int_equal(strlen(m.until), 10);
	assert_int_equal(tls_identity_from_cert(m.cert, "demo", &id, why, sizeof(why)), 0);
	assert_int_equal(id.role, HEARTH__ROLE__ROLE_BRANCH);
	assert_string_equal(id.branch_id, "b003");
	assert_string_equal(id.name, "王小明");

	/* The PEM text is the certificate itself. */
	assert_non_null(pem = enroll_cert_pem(m.cert));
	assert_non_null(strstr(pem, "-----BEGIN CERTIFICATE-----"));
	b = BIO_new_mem_buf(pem, -1);
	assert_non_null(back = PEM_read_bio_X509(b, NULL, NULL, NULL));
	tls_cert_fingerprint(back, fp);
	assert_string_equal(fp, m.fingerprint);
	X509_free(back);
	BIO_free(b);
	free(pem);
	assert_non_null(pem = enroll_key_pem(m.key));
	assert_non_null(strstr(pem, "-----BEGIN PRIVATE KEY-----"));
	free(pem);

	enroll_made_free(&m);
	assert_null(m.key);
	EVP_PKEY_free(key);
	X509_free(ca);
}

static void test_request(void **state)
{
	enroll_spec e = { .role = HEARTH__ROLE__ROLE_AUDITOR, .org = "demo", .name = "审计员乙" };
	char p[1100], why[400], hex[33], *pem;
	enroll_made m;
	X509 *ca;
	EVP_PKEY *key = NULL;

	(void)state;
	path(p, sizeof(p), "ca.pem");
	assert_non_null(ca = identity_load_cert(p));
	assert_int_equal(enroll_issue(&e, ca, NULL, &m, why, sizeof(why)), 0);
	assert_null(m.cert);
	assert_non_null(m.req);
	assert_string_equal(m.fingerprint, "");
	assert_non_null(strstr(m.ext, "subjectAltName = URI:hearth://demo/auditor\n"));
	assert_non_null(pem = enroll_req_pem(m.req));
	assert_non_null(strstr(pem, "-----BEGIN CERTIFICATE REQUEST-----"));
	free(pem);
	enroll_made_free(&m);
	assert_int_equal(enroll_serial_hex(hex), 0);
	assert_int_equal(strlen(hex), 32);
	assert_true(hex[0] <= '7');

	/* No file: ENOTFOUND (the caller makes a request); a key of another CA
	 * is refused. */
	assert_int_equal(enroll_load_ca_key("/nonexistent/ca.key", ca, &key, why, sizeof(why)), HEARTH_ENOTFOUND);
	path(p, sizeof(p), "foreign-ca.key");
	assert_int_equal(enroll_load_ca_key(p, ca, &key, why, sizeof(why)), HEARTH_EINVAL);
	assert_null(key);
	assert_non_null(strstr(why, "does not belong to the CA certificate"));
	X509_free(ca);
}

static void test_lines(void **state)
{
	char *a;

	(void)state;
	a = enroll_init_args("127.0.0.1:7443", "/tmp/e/b003.pem", "/tmp/my keys/b003.key", "it's/ca.pem");
	assert_string_equal(a, "127.0.0.1:7443 --cert /tmp/e/b003.pem --key '/tmp/my keys/b003.key' --ca 'it'\\''s/ca.pem'");
	free(a);
	a = enroll_sign_args("b003.csr", "/c/ca.pem", "/c/ca.key", "b003.ext", "b003.pem");
	assert_non_null(strstr(a, "b003.csr -CA /c/ca.pem -CAkey /c/ca.key -set_serial 0x"));
	assert_non_null(strstr(a, " -days 730 -sha256 -extfile b003.ext -out b003.pem"));
	free(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_spec),
		cmocka_unit_test(test_signed),
		cmocka_unit_test(test_request),
		cmocka_unit_test(test_lines),
	};
	const char *c = getenv("HEARTH_CERTS");

	snprintf(certs, sizeof(certs), "%s", c ? c : "certs/dev");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
