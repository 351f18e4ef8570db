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
#include "client/core/enroll.h"
#include "client/core/identity.h"
#include "common/hearth.h"
#include "common/i18n.h"
#include "common/utf8.h"

#define CERT_DAYS ENROLL_DAYS
#define NAME_CHARS_MAX ENROLL_NAME_CHARS_MAX
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
	enroll_openssl_error(buf, sizeof(buf));
	return buf;
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
	char *args = enroll_init_args(c->prof.server, e->cert_path, e->key_path, e->ca_path);

	printf(_("on %s's machine, after copying the key, the certificate and ca.pem there:\n  hearth init --server "),
	       e->name);
	printf("%s\n", args ? args : "…");
	free(args);
}

/* Finds and loads the CA key: --ca-key, else ca.key beside the profile's
 * CA certificate. *have says whether there is one (without it enrolment
 * makes a certificate request instead). Returns an exit code after
 * printing why; *ca_key is the caller's (EVP_PKEY_free). */
static int load_ca_key(cli *c, enroll *ep, X509 *ca, EVP_PKEY **ca_key, int *have)
{
	char why[PATH_MAX + 200];
	int rc;

	if (ep->ca_key_opt)
		snprintf(ep->ca_key, sizeof(ep->ca_key), "%s", ep->ca_key_opt);
	else
		enroll_default_ca_key(c->prof.ca, ep->ca_key, sizeof(ep->ca_key));
	rc = enroll_load_ca_key(ep->ca_key, ca, ca_key, why, sizeof(why));
	*have = rc != HEARTH_ENOTFOUND;
	if (ep->ca_key_opt && !*have) {
		admin_error(CMD, _("--ca-key %s: %s"), ep->ca_key, strerror(ENOENT));
		return EXIT_USAGE;
	}
	if (*have && rc != 0) {
		admin_error(CMD, "%s", why);
		return EXIT_FAIL;
	}
	return EXIT_OK;
}

/* Tells how to sign the request written for e where the CA key is kept;
 * ext is the extensions file's text. */
static void print_signing_steps(cli *c, const enroll *e, char *ext)
{
	char *args = enroll_sign_args(e->csr_path, c->prof.ca, e->ca_key, e->ext_path, e->cert_path);

	printf(_("sign it where the CA key is kept (openssl 3), then bring back %s:\n"
	       "  openssl x509 -req -in "), e->cert_path);
	fputs(args ? args : "…", stdout);
	free(args);
	printf(_("\n%s holds:\n"), e->ext_path);
	for (char *line = ext, *nl; *line; line = nl + 1) {
		nl = strchr(line, '\n');
		printf("    %.*s\n", (int)(nl - line), line);
	}
}

int admin_enroll(cli *c, int argc, char **argv)
{
	enroll e;
	enroll_spec spec;
	tls_identity me;
	EVP_PKEY *key = NULL, *ca_key = NULL;
	X509 *ca = NULL, *cert = NULL;
	X509_REQ *req = NULL;
	enroll_made made;
	char err[512], *ext = made.ext, *fp = made.fingerprint, *until = made.until;
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
	spec = (enroll_spec){ .role = e.role, .org = me.org, .branch = e.branch, .name = e.name };
	enroll_who(&spec, e.who, sizeof(e.who));
	enroll_uri(&spec, e.uri, sizeof(e.uri));
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

	if (enroll_issue(&spec, ca, have_ca_key ? ca_key : NULL, &made, err, sizeof(err)) != 0) {
		admin_error(CMD, "%s", err);
		rc = EXIT_FAIL;
		goto done;
	}
	/* Owned here from now on, freed below. */
	key = made.key;
	cert = made.cert;
	req = made.req;

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
		if (write_new(e.cert_path, 0644, put_cert, cert) != 0)
			goto done;
		wrote[n_wrote++] = e.cert_path;
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
