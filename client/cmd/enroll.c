/* enroll.c: `hearth admin enroll`: a new user's EC P-256 key and client
 * certificate (SAN URI hearth://<org>/branch/<id>, /admin or /auditor; CN
 * their name), signed by the committee CA when this machine holds its key,
 * otherwise a certificate request and the exact openssl command to sign
 * it where the CA key is kept. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "client/cmd/enroll.h"

#include "client/cmd/admin.h"
#include "client/core/identity.h"
#include "common/hearth.h"
#include "common/i18n.h"
#include "common/utf8.h"

#define CERT_DAYS 730            /* two years */
#define NAME_CHARS_MAX 64        /* X.509 upper bound for a CN */
#define CMD "enroll"

typedef struct enroll {
	const char *branch, *name, *role_text, *out_opt, *ca_key_opt;
	Hearth__Role role;
	int offline;
	char who[64];                /* file stem: branch id, "admin" or "auditor" */
	char uri[300];
	char out[PATH_MAX];          /* absolute output directory */
	char key_path[PATH_MAX + 80], cert_path[PATH_MAX + 80], ca_path[PATH_MAX + 80];
	char csr_path[PATH_MAX + 80], ext_path[PATH_MAX + 80];
	char ca_key[PATH_MAX + 80];
	char branch_name[256];
} enroll;

/* The last OpenSSL error as a phrase (and the queue cleared). */
static const char *ossl_reason(void)
{
	static char buf[256];
	unsigned long e = ERR_get_error();
	ERR_clear_error();
	if (!e)
		return "unknown OpenSSL error";
	ERR_error_string_n(e, buf, sizeof(buf));
	return buf;
}

/* Writes text for a POSIX shell: as is when it holds only safe characters,
 * else in single quotes. */
static void shell_word(FILE *f, const char *s)
{
	if (*s && strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/._-:=@+,") ==
	              strlen(s)) {
		fputs(s, f);
		return;
	}
	fputc('\'', f);
	for (; *s; s++) {
		if (*s == '\'')
			fputs("'\\''", f);
		else
			fputc(*s, f);
	}
	fputc('\'', f);
}

/* Creates path (which must not exist) with mode and writes through fn. */
static int write_new(const char *path, mode_t mode, int (*fn)(FILE *, void *), void *arg)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
	FILE *f;
	int ok;

	if (fd < 0) {
		admin_error(CMD, _("cannot create %s: %s%s"), path, strerror(errno),
		            errno == EEXIST ? _(" (choose another --out directory; nothing is overwritten)") : "");
		return -1;
	}
	fchmod(fd, mode);
	if (!(f = fdopen(fd, "w"))) {
		close(fd);
		unlink(path);
		admin_error(CMD, _("cannot write %s: %s"), path, strerror(errno));
		return -1;
	}
	ok = fn(f, arg) == 0;
	ok = fflush(f) == 0 && fsync(fileno(f)) == 0 && ok;
	ok = fclose(f) == 0 && ok;
	if (!ok) {
		unlink(path);
		admin_error(CMD, _("cannot write %s: %s"), path, errno ? strerror(errno) : ossl_reason());
		return -1;
	}
	return 0;
}

static int put_key(FILE *f, void *k)
{
	return PEM_write_PrivateKey(f, k, NULL, NULL, 0, NULL, NULL) == 1 ? 0 : -1;
}

static int put_cert(FILE *f, void *x)
{
	return PEM_write_X509(f, x) == 1 ? 0 : -1;
}

static int put_req(FILE *f, void *r)
{
	return PEM_write_X509_REQ(f, r) == 1 ? 0 : -1;
}

static int put_text(FILE *f, void *s)
{
	return fputs(s, f) < 0 ? -1 : 0;
}

/* The extensions every hearth client certificate carries (the same as
 * certs/mkcerts.sh's v3_client), as openssl config lines. */
static void ext_text(const enroll *e, char *out, size_t cap)
{
	snprintf(out, cap,
	         "basicConstraints = critical, CA:FALSE\n"
	         "keyUsage = critical, digitalSignature\n"
	         "extendedKeyUsage = clientAuth\n"
	         "subjectAltName = URI:%s\n"
	         "subjectKeyIdentifier = hash\n"
	         "authorityKeyIdentifier = keyid\n",
	         e->uri);
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

/* 128 random bits with the top bit clear: a positive serial, unique
 * without a serial file. */
static int random_serial(ASN1_INTEGER **out, char hex[33])
{
	unsigned char b[16];
	BIGNUM *bn;

	if (RAND_bytes(b, sizeof(b)) != 1)
		return -1;
	b[0] &= 0x7f;
	if (b[0] == 0)
		b[0] = 1;
	for (size_t i = 0; i < sizeof(b); i++)
		snprintf(hex + 2 * i, 3, "%02x", b[i]);
	if (!(bn = BN_bin2bn(b, sizeof(b), NULL)))
		return -1;
	*out = BN_to_ASN1_INTEGER(bn, NULL);
	BN_free(bn);
	return *out ? 0 : -1;
}

static int add_ext(X509 *x, X509V3_CTX *ctx, int nid, const char *value)
{
	X509_EXTENSION *ext = X509V3_EXT_conf_nid(NULL, ctx, nid, value);
	int ok = ext && X509_add_ext(x, ext, -1) == 1;
	X509_EXTENSION_free(ext);
	return ok ? 0 : -1;
}

/* Signs a certificate for key with the CA. */
static X509 *make_cert(const enroll *e, EVP_PKEY *key, X509 *ca, EVP_PKEY *ca_key)
{
	X509 *x = X509_new();
	X509_NAME *subj = subject(e->name);
	ASN1_INTEGER *serial = NULL;
	X509V3_CTX ctx;
	char hex[33], san[320];

	if (!x || !subj || random_serial(&serial, hex) != 0)
		goto fail;
	snprintf(san, sizeof(san), "URI:%s", e->uri);
	if (X509_set_version(x, 2) != 1 || X509_set_serialNumber(x, serial) != 1 ||
	    X509_set_issuer_name(x, X509_get_subject_name(ca)) != 1 || X509_set_subject_name(x, subj) != 1 ||
	    /* A few minutes back, so a clock slightly behind still accepts it. */
	    !X509_gmtime_adj(X509_getm_notBefore(x), -300) ||
	    !X509_time_adj_ex(X509_getm_notAfter(x), CERT_DAYS, 0, NULL) || X509_set_pubkey(x, key) != 1)
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

static X509_REQ *make_req(const enroll *e, EVP_PKEY *key)
{
	X509_REQ *r = X509_REQ_new();
	X509_NAME *subj = subject(e->name);
	int ok = r && subj && X509_REQ_set_version(r, 0) == 1 && X509_REQ_set_subject_name(r, subj) == 1 &&
	         X509_REQ_set_pubkey(r, key) == 1 && X509_REQ_sign(r, key, EVP_sha256()) > 0;
	X509_NAME_free(subj);
	if (!ok) {
		X509_REQ_free(r);
		return NULL;
	}
	return r;
}

/* Asks the server whether the branch exists. Returns EXIT_OK (exists, or
 * the server cannot be reached: a warning is printed), or an exit code. */
static int check_branch(cli *c, enroll *e)
{
	session s;
	Hearth__Envelope *resp = NULL;
	int rc, found = 0;

	if (session_open(&s, &c->prof) != 0) {
		if (s.fail == SESSION_CONNECT) {
			fprintf(stderr, _("hearth: admin enroll: warning: cannot reach the server to check that "
			                "branch %s exists (%s); enrolling anyway\n"), e->branch, s.error);
			session_close(&s);
			return EXIT_OK;
		}
		admin_error(CMD, "%s", s.error);
		rc = session_exit_code(&s);
		session_close(&s);
		return rc;
	}
	rc = admin_branch_list(&s, CMD, &resp);
	session_close(&s);
	if (rc != EXIT_OK)
		return rc;
	for (size_t i = 0; i < resp->branch_list->n_branches; i++) {
		const Hearth__Branch *b = resp->branch_list->branches[i];
		if (!strcmp(b->id, e->branch)) {
			snprintf(e->branch_name, sizeof(e->branch_name), "%s", b->name);
			found = 1;
		}
	}
	envelope_free(resp, NULL);
	if (!found) {
		admin_error(CMD, _("branch %s does not exist; add it first with: hearth admin branch add %s "
		            "--name NAME"), e->branch, e->branch);
		return EXIT_FAIL;
	}
	return EXIT_OK;
}

static int parse_args(enroll *e, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "branch", required_argument, NULL, 'b' },
		{ "name", required_argument, NULL, 'n' },
		{ "role", required_argument, NULL, 'r' },
		{ "out", required_argument, NULL, 'o' },
		{ "ca-key", required_argument, NULL, 'k' },
		{ "offline", no_argument, NULL, 'O' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int o;
	long chars;

	optind = 0;
	while ((o = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (o) {
		case 'b': e->branch = optarg; break;
		case 'n': e->name = optarg; break;
		case 'r': e->role_text = optarg; break;
		case 'o': e->out_opt = optarg; break;
		case 'k': e->ca_key_opt = optarg; break;
		case 'O': e->offline = 1; break;
		case 'h':
			printf(_("usage: hearth admin enroll --branch ID --name 姓名 [--role branch|admin|auditor]\n"
			       "                           [--out DIR] [--ca-key FILE] [--offline]\n\n"
			       "Makes a new user's private key (EC P-256) and client certificate: CN is\n"
			       "their name, the SAN URI hearth://ORG/branch/ID (or /admin, /auditor; ORG\n"
			       "from this profile's certificate), client authentication only, valid for\n"
			       "two years, a random serial. --branch is for --role branch (the default)\n"
			       "and must name an existing branch (checked with the server; offline only\n"
			       "a warning). The certificate is signed by the committee CA when its key is\n"
			       "here: --ca-key FILE, default ca.key beside the profile's CA certificate.\n"
			       "Otherwise a certificate request (.csr) is written with the exact openssl\n"
			       "command that signs it where the CA key is kept. Files go to --out DIR\n"
			       "(default ./enroll-ID-XXXXXXXX; nothing is overwritten; the key is mode\n"
			       "0600), with a copy of the CA certificate; the 'hearth init' line for the\n"
			       "new user is printed. Admin certificate.\n"));
			return EXIT_OK + 100;
		default: return EXIT_USAGE;
		}
	}
	if (optind < argc) {
		admin_error(CMD, _("unexpected argument \"%s\""), argv[optind]);
		return EXIT_USAGE;
	}
	if (!e->role_text || !strcmp(e->role_text, "branch"))
		e->role = HEARTH__ROLE__ROLE_BRANCH;
	else if (!strcmp(e->role_text, "admin"))
		e->role = HEARTH__ROLE__ROLE_ADMIN;
	else if (!strcmp(e->role_text, "auditor"))
		e->role = HEARTH__ROLE__ROLE_AUDITOR;
	else {
		admin_error(CMD, _("--role \"%s\": say branch, admin or auditor"), e->role_text);
		return EXIT_USAGE;
	}
	if (e->role == HEARTH__ROLE__ROLE_BRANCH) {
		size_t n = e->branch ? strlen(e->branch) : 0;
		if (!e->branch) {
			admin_error(CMD, _("--branch ID is required for a branch operator (or give --role admin|auditor)"));
			return EXIT_USAGE;
		}
		if (n == 0 || n > 63 ||
		    strspn(e->branch, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") != n) {
			admin_error(CMD, _("--branch \"%s\" is not a branch id (letters, digits, '.', '_', '-')"), e->branch);
			return EXIT_USAGE;
		}
	} else if (e->branch) {
		admin_error(CMD, _("--branch is only for --role branch: %s certificates cover every branch"),
		            e->role_text);
		return EXIT_USAGE;
	}
	if (!e->name || !e->name[0]) {
		admin_error(CMD, _("--name is required: the person's name, as their certificate will show it"));
		return EXIT_USAGE;
	}
	chars = utf8_chars(e->name, strlen(e->name));
	if (chars < 0 || strpbrk(e->name, "\t\r\n")) {
		admin_error(CMD, _("--name must be one line of UTF-8 text"));
		return EXIT_USAGE;
	}
	if (chars > NAME_CHARS_MAX) {
		admin_error(CMD, _("--name is %ld characters; a certificate name holds at most %d"), chars,
		            NAME_CHARS_MAX);
		return EXIT_USAGE;
	}
	return EXIT_OK;
}

/* Makes the output directory (0700: it holds a private key) and the paths. */
static int prepare_out(enroll *e)
{
	char dir[PATH_MAX];

	if (e->out_opt) {
		snprintf(dir, sizeof(dir), "%s", e->out_opt);
	} else {
		unsigned char r[4];
		if (RAND_bytes(r, sizeof(r)) != 1) {
			admin_error(CMD, _("no randomness: %s"), ossl_reason());
			return EXIT_FAIL;
		}
		snprintf(dir, sizeof(dir), "enroll-%s-%02x%02x%02x%02x", e->who, r[0], r[1], r[2], r[3]);
	}
	if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
		admin_error(CMD, _("cannot create the directory %s: %s"), dir, strerror(errno));
		return EXIT_FAIL;
	}
	if (!realpath(dir, e->out)) {
		admin_error(CMD, "%s: %s", dir, strerror(errno));
		return EXIT_FAIL;
	}
	snprintf(e->key_path, sizeof(e->key_path), "%s/%s.key", e->out, e->who);
	snprintf(e->cert_path, sizeof(e->cert_path), "%s/%s.pem", e->out, e->who);
	snprintf(e->csr_path, sizeof(e->csr_path), "%s/%s.csr", e->out, e->who);
	snprintf(e->ext_path, sizeof(e->ext_path), "%s/%s.ext", e->out, e->who);
	snprintf(e->ca_path, sizeof(e->ca_path), "%s/ca.pem", e->out);
	return EXIT_OK;
}

static void print_init_line(const cli *c, const enroll *e)
{
	printf(_("on %s's machine, after copying the key, the certificate and ca.pem there:\n  hearth init --server "),
	       e->name);
	shell_word(stdout, c->prof.server);
	fputs(" --cert ", stdout);
	shell_word(stdout, e->cert_path);
	fputs(" --key ", stdout);
	shell_word(stdout, e->key_path);
	fputs(" --ca ", stdout);
	shell_word(stdout, e->ca_path);
	putchar('\n');
}

/* Finds and loads the CA key: --ca-key, else ca.key beside the profile's
 * CA certificate. *have says whether there is one (without it enrolment
 * makes a certificate request instead). Returns an exit code after
 * printing why; *ca_key is the caller's (EVP_PKEY_free). */
static int load_ca_key(cli *c, enroll *ep, X509 *ca, EVP_PKEY **ca_key, int *have)
{
	FILE *f;

	if (ep->ca_key_opt) {
		snprintf(ep->ca_key, sizeof(ep->ca_key), "%s", ep->ca_key_opt);
	} else {
		const char *slash = strrchr(c->prof.ca, '/');
		int dlen = slash ? (int)(slash - c->prof.ca) : 1;
		snprintf(ep->ca_key, sizeof(ep->ca_key), "%.*s/ca.key", dlen, slash ? c->prof.ca : ".");
	}
	*have = access(ep->ca_key, F_OK) == 0;
	if (ep->ca_key_opt && !*have) {
		admin_error(CMD, _("--ca-key %s: %s"), ep->ca_key, strerror(errno));
		return EXIT_USAGE;
	}
	if (*have) {
		if (!(f = fopen(ep->ca_key, "r"))) {
			admin_error(CMD, _("cannot read the CA key %s: %s"), ep->ca_key, strerror(errno));
			return EXIT_FAIL;
		}
		*ca_key = PEM_read_PrivateKey(f, NULL, NULL, NULL);
		fclose(f);
		if (!*ca_key) {
			admin_error(CMD, _("%s is not a PEM private key (or its passphrase was wrong): %s"), ep->ca_key,
			            ossl_reason());
			return EXIT_FAIL;
		}
		if (X509_check_private_key(ca, *ca_key) != 1) {
			ERR_clear_error();
			admin_error(CMD, _("the CA key %s does not belong to the CA certificate %s"), ep->ca_key,
			            c->prof.ca);
			return EXIT_FAIL;
		}
	}
	return EXIT_OK;
}

/* Tells how to sign the request written for e where the CA key is kept;
 * ext is the extensions file's text. */
static void print_signing_steps(cli *c, const enroll *e, char *ext)
{
	printf(_("sign it where the CA key is kept (openssl 3), then bring back %s:\n"
	       "  openssl x509 -req -in "), e->cert_path);
	shell_word(stdout, e->csr_path);
	fputs(" -CA ", stdout);
	shell_word(stdout, c->prof.ca);
	fputs(" -CAkey ", stdout);
	shell_word(stdout, e->ca_key);
	{
		ASN1_INTEGER *sn = NULL;
		char hex[33];
		if (random_serial(&sn, hex) == 0)
			printf(" -set_serial 0x%s", hex);
		ASN1_INTEGER_free(sn);
	}
	printf(" -days %d -sha256 -extfile ", CERT_DAYS);
	shell_word(stdout, e->ext_path);
	fputs(" -out ", stdout);
	shell_word(stdout, e->cert_path);
	printf(_("\n%s holds:\n"), e->ext_path);
	for (char *line = ext, *nl; *line; line = nl + 1) {
		nl = strchr(line, '\n');
		printf("    %.*s\n", (int)(nl - line), line);
	}
}

int admin_enroll(cli *c, int argc, char **argv)
{
	enroll e;
	tls_identity me, check;
	EVP_PKEY *key = NULL, *ca_key = NULL;
	X509 *ca = NULL, *cert = NULL;
	X509_REQ *req = NULL;
	char err[512], ext[800], fp[65], until[64];
	const char *wrote[5];
	int rc, have_ca_key, n_wrote = 0;

	memset(&e, 0, sizeof(e));
	rc = parse_args(&e, argc, argv);
	if (rc == EXIT_OK + 100)
		return EXIT_OK;
	if (rc != EXIT_OK)
		return rc;
	if ((rc = admin_require_role(c, CMD, 0, &me)) != EXIT_OK)
		return rc;
	snprintf(e.who, sizeof(e.who), "%s",
	         e.role == HEARTH__ROLE__ROLE_BRANCH ? e.branch
	         : e.role == HEARTH__ROLE__ROLE_ADMIN ? "admin" : "auditor");
	if (e.role == HEARTH__ROLE__ROLE_BRANCH)
		snprintf(e.uri, sizeof(e.uri), "hearth://%s/branch/%s", me.org, e.branch);
	else
		snprintf(e.uri, sizeof(e.uri), "hearth://%s/%s", me.org, e.who);
	if (e.role == HEARTH__ROLE__ROLE_BRANCH && !e.offline && (rc = check_branch(c, &e)) != EXIT_OK)
		return rc;

	/* The CA: its certificate is the profile's; its key is wherever the
	 * committee keeps it. */
	if (!(ca = identity_load_cert(c->prof.ca))) {
		admin_error(CMD, _("cannot read the CA certificate %s named in the profile"), c->prof.ca);
		return EXIT_USAGE;
	}
	if ((rc = load_ca_key(c, &e, ca, &ca_key, &have_ca_key)) != EXIT_OK)
		goto done;

	if (!(key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256"))) {
		admin_error(CMD, _("cannot make a key: %s"), ossl_reason());
		rc = EXIT_FAIL;
		goto done;
	}
	if (have_ca_key) {
		if (!(cert = make_cert(&e, key, ca, ca_key))) {
			admin_error(CMD, _("cannot make the certificate: %s"), ossl_reason());
			rc = EXIT_FAIL;
			goto done;
		}
		/* Read it back the way the server will, so a certificate the
		 * server would refuse never leaves this command. */
		if (tls_identity_from_cert(cert, me.org, &check, err, sizeof(err)) != 0 || check.role != e.role ||
		    strcmp(check.name, e.name) != 0) {
			admin_error(CMD, _("the new certificate does not read back as made (%s); nothing written"),
			            err[0] ? err : _("identity differs"));
			rc = EXIT_FAIL;
			goto done;
		}
		tls_cert_fingerprint(cert, fp);
	} else if (!(req = make_req(&e, key))) {
		admin_error(CMD, _("cannot make the certificate request: %s"), ossl_reason());
		rc = EXIT_FAIL;
		goto done;
	}

	rc = EXIT_FAIL;
	if (prepare_out(&e) != EXIT_OK || write_new(e.key_path, 0600, put_key, key) != 0)
		goto done;
	wrote[n_wrote++] = e.key_path;
	/* Several enrolments may share one --out directory and its ca.pem. */
	if (access(e.ca_path, F_OK) != 0) {
		if (write_new(e.ca_path, 0644, put_cert, ca) != 0)
			goto done;
		wrote[n_wrote++] = e.ca_path;
	}
	if (cert) {
		const ASN1_TIME *na = X509_get0_notAfter(cert);
		struct tm tm;
		if (write_new(e.cert_path, 0644, put_cert, cert) != 0)
			goto done;
		wrote[n_wrote++] = e.cert_path;
		if (ASN1_TIME_to_tm(na, &tm) != 1 || !strftime(until, sizeof(until), "%Y-%m-%d", &tm))
			snprintf(until, sizeof(until), "?");
		printf(_("enrolled %s as %s%s%s%s%s\n"), e.name,
		       e.role == HEARTH__ROLE__ROLE_BRANCH ? _("an operator of branch ") : e.role == HEARTH__ROLE__ROLE_ADMIN ? _("an admin") : _("an auditor"),
		       e.role == HEARTH__ROLE__ROLE_BRANCH ? e.branch : "", e.branch_name[0] ? " (" : "",
		       e.branch_name, e.branch_name[0] ? ")" : "");
		printf(_("  key:          %s  (private, mode 0600: hand it over in person)\n"), e.key_path);
		printf(_("  certificate:  %s  (valid until %s)\n"), e.cert_path, until);
		printf(_("  fingerprint:  %s\n"), fp);
		printf(_("  CA:           %s\n"), e.ca_path);
		print_init_line(c, &e);
	} else {
		ext_text(&e, ext, sizeof(ext));
		if (write_new(e.csr_path, 0644, put_req, req) != 0)
			goto done;
		wrote[n_wrote++] = e.csr_path;
		if (write_new(e.ext_path, 0644, put_text, ext) != 0)
			goto done;
		wrote[n_wrote++] = e.ext_path;
		printf(_("no CA key at %s (give --ca-key FILE where the committee keeps it),\n"
		       "so this made a key and a certificate request for %s instead:\n"), e.ca_key, e.name);
		printf(_("  key:          %s  (private, mode 0600: hand it over in person)\n"), e.key_path);
		printf(_("  request:      %s\n"), e.csr_path);
		printf(_("  extensions:   %s  (SAN URI:%s, clientAuth)\n"), e.ext_path, e.uri);
		print_signing_steps(c, &e, ext);
		print_init_line(c, &e);
	}
	rc = EXIT_OK;
done:
	/* Half an enrolment is worse than none: remove what this run wrote
	 * (write_new never opens a file that existed before). */
	for (int i = 0; rc != EXIT_OK && i < n_wrote; i++)
		unlink(wrote[i]);
	X509_REQ_free(req);
	X509_free(cert);
	EVP_PKEY_free(key);
	EVP_PKEY_free(ca_key);
	X509_free(ca);
	return rc;
}
