/* enroll.c: a new user's key and certificate (or certificate request),
 * made in memory for the command and the page to hand over. */
#include "client/core/enroll.h"

#include <errno.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "client/core/admin_requests.h"
#include "common/hearth.h"
#include "common/i18n.h"
#include "common/tls.h"
#include "common/utf8.h"

void enroll_openssl_error(char *out, size_t cap)
{
	unsigned long e = ERR_get_error();

	ERR_clear_error();
	if (!e)
		snprintf(out, cap, "unknown OpenSSL error");
	else
		ERR_error_string_n(e, out, cap);
}

int enroll_role_parse(const char *text, Hearth__Role *role)
{
	if (!text || !strcmp(text, "branch"))
		*role = HEARTH__ROLE__ROLE_BRANCH;
	else if (!strcmp(text, "admin"))
		*role = HEARTH__ROLE__ROLE_ADMIN;
	else if (!strcmp(text, "auditor"))
		*role = HEARTH__ROLE__ROLE_AUDITOR;
	else
		return HEARTH_EINVAL;
	return 0;
}

int enroll_spec_check(const enroll_spec *e, const char **field, char *why, size_t cap)
{
	long chars;

	*field = "branch";
	if (e->role == HEARTH__ROLE__ROLE_BRANCH) {
		if (!e->branch || !e->branch[0]) {
			snprintf(why, cap, "%s", _("a branch operator's certificate needs the branch id"));
			return HEARTH_EINVAL;
		}
		if (!admin_branch_id_valid(e->branch)) {
			snprintf(why, cap, _("\"%s\" is not a branch id (letters, digits, '.', '_', '-')"), e->branch);
			return HEARTH_EINVAL;
		}
	} else if (e->role != HEARTH__ROLE__ROLE_ADMIN && e->role != HEARTH__ROLE__ROLE_AUDITOR) {
		*field = "role";
		snprintf(why, cap, "%s", _("the role is branch, admin or auditor"));
		return HEARTH_EINVAL;
	} else if (e->branch && e->branch[0]) {
		snprintf(why, cap, "%s", _("admin and auditor certificates cover every branch: give no branch"));
		return HEARTH_EINVAL;
	}
	*field = "name";
	if (!e->name || !e->name[0]) {
		snprintf(why, cap, "%s", _("the person's name is required, as their certificate will show it"));
		return HEARTH_EINVAL;
	}
	chars = utf8_chars(e->name, strlen(e->name));
	if (chars < 0 || strpbrk(e->name, "\t\r\n")) {
		snprintf(why, cap, "%s", _("the name must be one line of UTF-8 text"));
		return HEARTH_EINVAL;
	}
	if (chars > ENROLL_NAME_CHARS_MAX) {
		snprintf(why, cap, _("the name is %ld characters; a certificate name holds at most %d"), chars,
		         ENROLL_NAME_CHARS_MAX);
		return HEARTH_EINVAL;
	}
	*field = NULL;
	return 0;
}

void enroll_who(const enroll_spec *e, char *out, size_t cap)
{
	snprintf(out, cap, "%s", e->role == HEARTH__ROLE__ROLE_BRANCH ? e->branch
	                         : e->role == HEARTH__ROLE__ROLE_ADMIN ? "admin" : "auditor");
}

void enroll_uri(const enroll_spec *e, char *out, size_t cap)
{
	char who[80];

	enroll_who(e, who, sizeof(who));
	if (e->role == HEARTH__ROLE__ROLE_BRANCH)
		snprintf(out, cap, "hearth://%s/branch/%s", e->org, who);
	else
		snprintf(out, cap, "hearth://%s/%s", e->org, who);
}

void enroll_default_ca_key(const char *ca_cert_path, char *out, size_t cap)
{
	const char *slash = strrchr(ca_cert_path, '/');
	int dlen = slash ? (int)(slash - ca_cert_path) : 1;

	snprintf(out, cap, "%.*s/ca.key", dlen, slash ? ca_cert_path : ".");
}

int enroll_load_ca_key(const char *path, X509 *ca, EVP_PKEY **key, char *why, size_t cap)
{
	char reason[256];
	FILE *f;

	*key = NULL;
	if (access(path, F_OK) != 0)
		return HEARTH_ENOTFOUND;
	if (!(f = fopen(path, "r"))) {
		snprintf(why, cap, _("cannot read the CA key %s: %s"), path, strerror(errno));
		return HEARTH_EIO;
	}
	*key = PEM_read_PrivateKey(f, NULL, NULL, NULL);
	fclose(f);
	if (!*key) {
		enroll_openssl_error(reason, sizeof(reason));
		snprintf(why, cap, _("%s is not a PEM private key (or its passphrase was wrong): %s"), path, reason);
		return HEARTH_EINVAL;
	}
	if (X509_check_private_key(ca, *key) != 1) {
		ERR_clear_error();
		EVP_PKEY_free(*key);
		*key = NULL;
		snprintf(why, cap, _("the CA key %s does not belong to the CA certificate"), path);
		return HEARTH_EINVAL;
	}
	return 0;
}

/* 128 random bits with the top bit clear: a positive serial, unique
 * without a serial file. */
static int random_serial(ASN1_INTEGER **out, char hex[33])
{
	unsigned char b[16];
	BIGNUM *bn;

	*out = NULL;
	if (RAND_bytes(b, sizeof(b)) != 1)
		return HEARTH_EIO;
	b[0] &= 0x7f;
	if (b[0] == 0)
		b[0] = 1;
	for (size_t i = 0; i < sizeof(b); i++)
		snprintf(hex + 2 * i, 3, "%02x", b[i]);
	if (!(bn = BN_bin2bn(b, sizeof(b), NULL)))
		return HEARTH_ENOMEM;
	*out = BN_to_ASN1_INTEGER(bn, NULL);
	BN_free(bn);
	return *out ? 0 : HEARTH_ENOMEM;
}

int enroll_serial_hex(char hex[33])
{
	ASN1_INTEGER *sn = NULL;
	int rc = random_serial(&sn, hex);

	ASN1_INTEGER_free(sn);
	return rc;
}

static X509_NAME *subject(const char *cn)
{
	X509_NAME *n = X509_NAME_new();

	if (n && X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_UTF8, (const unsigned char *)cn, -1, -1, 0) != 1) {
		X509_NAME_free(n);
		n = NULL;
	}
	return n;
}

static int add_ext(X509 *x, X509V3_CTX *ctx, int nid, const char *value)
{
	X509_EXTENSION *ext = X509V3_EXT_conf_nid(NULL, ctx, nid, value);
	int ok = ext && X509_add_ext(x, ext, -1) == 1;

	X509_EXTENSION_free(ext);
	return ok ? 0 : -1;
}

/* Signs a certificate for key with the CA. */
static X509 *make_cert(const char *name, const char *uri, EVP_PKEY *key, X509 *ca, EVP_PKEY *ca_key)
{
	X509 *x = X509_new();
	X509_NAME *subj = subject(name);
	ASN1_INTEGER *serial = NULL;
	X509V3_CTX ctx;
	char hex[33], san[320];

	if (!x || !subj || random_serial(&serial, hex) != 0)
		goto fail;
	snprintf(san, sizeof(san), "URI:%s", uri);
	if (X509_set_version(x, 2) != 1 || X509_set_serialNumber(x, serial) != 1 ||
	    X509_set_issuer_name(x, X509_get_subject_name(ca)) != 1 || X509_set_subject_name(x, subj) != 1 ||
	    /* A few minutes back, so a clock slightly behind still accepts it. */
	    !X509_gmtime_adj(X509_getm_notBefore(x), -300) ||
	    !X509_time_adj_ex(X509_getm_notAfter(x), ENROLL_DAYS, 0, NULL) || X509_set_pubkey(x, key) != 1)
		goto fail;
	X509V3_set_ctx(&ctx, ca, x, NULL, NULL, 0);
	if (add_ext(x, &ctx, NID_basic_constraints, "critical,CA:FALSE") ||
	    add_ext(x, &ctx, NID_key_usage, "critical,digitalSignature") ||
	    add_ext(x, &ctx, NID_ext_key_usage, "clientAuth") || add_ext(x, &ctx, NID_subject_alt_name, san) ||
	    add_ext(x, &ctx, NID_subject_key_identifier, "hash") ||
	    add_ext(x, &ctx, NID_authority_key_identifier, "keyid"))
		goto fail;
	if (X509_sign(x, ca_key, EVP_sha256()) <= 0)
		goto fail;
	ASN1_INTEGER_free(serial);
	X509_NAME_free(subj);
	return x;
fail:
	ASN1_INTEGER_free(serial);
	X509_NAME_free(subj);
	X509_free(x);
	return NULL;
}

static X509_REQ *make_req(const char *name, EVP_PKEY *key)
{
	X509_REQ *r = X509_REQ_new();
	X509_NAME *subj = subject(name);
	int ok = r && subj && X509_REQ_set_version(r, 0) == 1 && X509_REQ_set_subject_name(r, subj) == 1 &&
	         X509_REQ_set_pubkey(r, key) == 1 && X509_REQ_sign(r, key, EVP_sha256()) > 0;

	X509_NAME_free(subj);
	if (!ok) {
		X509_REQ_free(r);
		return NULL;
	}
	return r;
}

int enroll_issue(const enroll_spec *e, X509 *ca, EVP_PKEY *ca_key, enroll_made *m, char *why, size_t cap)
{
	char uri[300], reason[256], err[300] = "";
	tls_identity check;

	memset(m, 0, sizeof(*m));
	enroll_uri(e, uri, sizeof(uri));
	snprintf(m->ext, sizeof(m->ext),
	         "basicConstraints = critical, CA:FALSE\n"
	         "keyUsage = critical, digitalSignature\n"
	         "extendedKeyUsage = clientAuth\n"
	         "subjectAltName = URI:%s\n"
	         "subjectKeyIdentifier = hash\n"
	         "authorityKeyIdentifier = keyid\n",
	         uri);
	if (!(m->key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256"))) {
		enroll_openssl_error(reason, sizeof(reason));
		snprintf(why, cap, _("cannot make a key: %s"), reason);
		return HEARTH_EIO;
	}
	if (!ca_key) {
		if (!(m->req = make_req(e->name, m->key))) {
			enroll_openssl_error(reason, sizeof(reason));
			snprintf(why, cap, _("cannot make the certificate request: %s"), reason);
			goto fail;
		}
		return 0;
	}
	if (!(m->cert = make_cert(e->name, uri, m->key, ca, ca_key))) {
		enroll_openssl_error(reason, sizeof(reason));
		snprintf(why, cap, _("cannot make the certificate: %s"), reason);
		goto fail;
	}
	/* Read it back the way the server will, so a certificate the server
	 * would refuse never leaves here. */
	if (tls_identity_from_cert(m->cert, e->org, &check, err, sizeof(err)) != 0 || check.role != e->role ||
	    strcmp(check.name, e->name) != 0) {
		snprintf(why, cap, _("the new certificate does not read back as made (%s); nothing written"),
		         err[0] ? err : _("identity differs"));
		goto fail;
	}
	tls_cert_fingerprint(m->cert, m->fingerprint);
	{
		struct tm tm;
		if (ASN1_TIME_to_tm(X509_get0_notAfter(m->cert), &tm) != 1 ||
		    !strftime(m->until, sizeof(m->until), "%Y-%m-%d", &tm))
			snprintf(m->until, sizeof(m->until), "?");
	}
	return 0;
fail:
	enroll_made_free(m);
	return HEARTH_EIO;
}

void enroll_made_free(enroll_made *m)
{
	X509_REQ_free(m->req);
	X509_free(m->cert);
	EVP_PKEY_free(m->key);
	m->req = NULL;
	m->cert = NULL;
	m->key = NULL;
}

/* The text a PEM writer put in a memory BIO, NUL-terminated. */
static char *bio_text(BIO *b, int wrote)
{
	char *data, *out = NULL;
	long n;

	if (wrote == 1 && (n = BIO_get_mem_data(b, &data)) >= 0 && (out = malloc((size_t)n + 1))) {
		memcpy(out, data, (size_t)n);
		out[n] = '\0';
	}
	BIO_free(b);
	return out;
}

char *enroll_key_pem(EVP_PKEY *k)
{
	BIO *b = BIO_new(BIO_s_mem());
	return b ? bio_text(b, PEM_write_bio_PrivateKey(b, k, NULL, NULL, 0, NULL, NULL)) : NULL;
}

char *enroll_cert_pem(X509 *x)
{
	BIO *b = BIO_new(BIO_s_mem());
	return b ? bio_text(b, PEM_write_bio_X509(b, x)) : NULL;
}

char *enroll_req_pem(X509_REQ *r)
{
	BIO *b = BIO_new(BIO_s_mem());
	return b ? bio_text(b, PEM_write_bio_X509_REQ(b, r)) : NULL;
}

/* Appends s to out as one POSIX shell word; out has room for 4 bytes per
 * byte of s plus 3 (enroll_words sized it). */
static char *shell_word(char *o, const char *s)
{
	if (*s && strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/._-:=@+,") == strlen(s))
		return o + sprintf(o, "%s", s);
	*o++ = '\'';
	for (; *s; s++) {
		if (*s == '\'') {
			memcpy(o, "'\\''", 4);
			o += 4;
		} else {
			*o++ = *s;
		}
	}
	*o++ = '\'';
	*o = '\0';
	return o;
}

/* words[i] as shell words, each after glue[i] (glue[0] comes first). */
static char *enroll_words(const char *const *glue, const char *const *words, size_t n)
{
	size_t cap = 1;
	char *out, *o;

	for (size_t i = 0; i < n; i++)
		cap += strlen(glue[i]) + 4 * strlen(words[i]) + 3;
	if (!(out = malloc(cap)))
		return NULL;
	o = out;
	*o = '\0';
	for (size_t i = 0; i < n; i++) {
		o += sprintf(o, "%s", glue[i]);
		o = shell_word(o, words[i]);
	}
	return out;
}

char *enroll_init_args(const char *server, const char *cert, const char *key, const char *ca)
{
	const char *glue[] = { "", " --cert ", " --key ", " --ca " };
	const char *words[] = { server, cert, key, ca };

	return enroll_words(glue, words, 4);
}

char *enroll_sign_args(const char *csr, const char *ca, const char *ca_key, const char *ext, const char *cert)
{
	char hex[33], serial[64] = "", days[160];
	const char *glue[] = { "", " -CA ", " -CAkey ", days, " -out " };
	const char *words[] = { csr, ca, ca_key, ext, cert };

	if (enroll_serial_hex(hex) == 0)
		snprintf(serial, sizeof(serial), " -set_serial 0x%s", hex);
	snprintf(days, sizeof(days), "%s -days %d -sha256 -extfile ", serial, ENROLL_DAYS);
	return enroll_words(glue, words, 5);
}
