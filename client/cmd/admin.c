/* admin.c: `hearth admin …`: the committee's console (branches, principals,
 * revocation, the conflict queue, statistics, the report, server status).
 * Enrolment lives in enroll.c, figures in stats.c, the HTML in report.c. */
#include "client/cmd/admin.h"

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/date.h"
#include "client/core/due.h"
#include "client/core/identity.h"
#include "common/hearth.h"
#include "client/ui/output.h"
#include "client/core/replica.h"
#include "client/core/replica_meta.h"
#include "client/ui/report.h"
#include "client/core/stats.h"
#include "client/core/values.h"
#include "client/ui/stats_print.h"
#include "client/cmd/conflicts.h"
#include "common/utf8.h"

/* Branch names and ids: ids travel in certificate URIs. */
#define BRANCH_ID_MAX 63
#define BRANCH_NAME_MAX 128
#define REASON_MAX 300   /* the server's limit */
/* A replica older than this gets a "sync first" note from stats/report. */
#define STALE_MS (24LL * 3600 * 1000)
/* Replica meta key caching the last branch list an admin fetched, so stats
 * and the report can name branches offline. */
#define META_BRANCHES "admin.branches"

void admin_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "hearth: admin %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static const char *role_word(Hearth__Role r)
{
	switch (r) {
	case HEARTH__ROLE__ROLE_BRANCH: return "branch";
	case HEARTH__ROLE__ROLE_ADMIN: return "admin";
	case HEARTH__ROLE__ROLE_AUDITOR: return "auditor";
	default: return "unknown";
	}
}

static int valid_branch_id(const char *s)
{
	size_t n = strlen(s);
	return n > 0 && n <= BRANCH_ID_MAX &&
	       strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") == n;
}

/* A name or a reason as typed: valid UTF-8, one line, within max bytes. */
static int valid_text(const char *cmd, const char *flag, const char *s, size_t max, int required)
{
	size_t n = strlen(s);
	if (required && n == 0) {
		admin_error(cmd, "%s must not be empty", flag);
		return 0;
	}
	if (n > max) {
		admin_error(cmd, "%s is %zu bytes long; the limit is %zu", flag, n, max);
		return 0;
	}
	if (!utf8_valid(s, n) || strpbrk(s, "\r\n\t")) {
		admin_error(cmd, "%s must be one line of UTF-8 text", flag);
		return 0;
	}
	return 1;
}

/* ------------------------------------------------ identity and requests */

int admin_profile_identity(cli *c, const char *cmd, tls_identity *id)
{
	char err[512];
	int rc;

	memset(id, 0, sizeof(*id));
	if ((rc = cli_load_profile(c)) != EXIT_OK)
		return rc;
	switch (identity_read(c->prof.cert, id, err, sizeof(err))) {
	case IDENTITY_OK: return EXIT_OK;
	case IDENTITY_UNREADABLE:
		admin_error(cmd, "cannot read the profile's certificate %s: %s", c->prof.cert, strerror(errno));
		return EXIT_USAGE;
	case IDENTITY_NOT_PEM:
		admin_error(cmd, "%s is not a PEM certificate", c->prof.cert);
		return EXIT_USAGE;
	case IDENTITY_INVALID: break;
	}
	admin_error(cmd, "the profile's certificate %s: %s", c->prof.cert, err);
	return EXIT_USAGE;
}

int admin_call(session *s, const char *cmd, Hearth__Envelope *req,
               Hearth__Envelope__BodyCase want, Hearth__Envelope **resp)
{
	Hearth__Envelope *r = NULL;
	char who[64];

	*resp = NULL;
	snprintf(who, sizeof(who), "admin %s", cmd);
	if (session_call(s, req, &r) != 0)
		return cli_lost(who, s);
	if (r->body_case != want) {
		int rc = cli_refused(who, NULL, r);
		envelope_free(r, NULL);
		return rc;
	}
	*resp = r;
	return EXIT_OK;
}

int admin_branch_list(session *s, const char *cmd, Hearth__Envelope **resp)
{
	Hearth__Envelope req = HEARTH__ENVELOPE__INIT;
	Hearth__BranchListRequest blr = HEARTH__BRANCH_LIST_REQUEST__INIT;

	req.body_case = HEARTH__ENVELOPE__BODY_BRANCH_LIST_REQUEST;
	req.branch_list_request = &blr;
	return admin_call(s, cmd, &req, HEARTH__ENVELOPE__BODY_BRANCH_LIST, resp);
}

int admin_require_role(cli *c, const char *cmd, int allow_auditor, tls_identity *out)
{
	tls_identity id;
	session s;
	Hearth__Envelope *resp = NULL;
	int rc;

	if ((rc = admin_profile_identity(c, cmd, &id)) != EXIT_OK)
		return rc;
	if (out)
		*out = id;
	if (id.role == HEARTH__ROLE__ROLE_ADMIN || (allow_auditor && id.role == HEARTH__ROLE__ROLE_AUDITOR))
		return EXIT_OK;
	/* A branch certificate: let the server refuse (and audit) the attempt,
	 * so the refusal reads the same as for every other admin command. */
	if (id.role == HEARTH__ROLE__ROLE_BRANCH && session_open(&s, &c->prof) == 0) {
		rc = admin_branch_list(&s, cmd, &resp);
		envelope_free(resp, NULL);
		session_close(&s);
		if (rc != EXIT_OK)
			return EXIT_FAIL;
	} else if (id.role == HEARTH__ROLE__ROLE_BRANCH) {
		session_close(&s);
	}
	if (id.role == HEARTH__ROLE__ROLE_BRANCH)
		admin_error(cmd, "needs an admin%s certificate; this profile's certificate (%s) is a "
		            "branch certificate of %s", allow_auditor ? " or auditor" : "", id.name,
		            id.branch_id);
	else
		admin_error(cmd, "needs an admin certificate; this profile's certificate (%s) is an %s "
		            "certificate", id.name, role_word(id.role));
	return EXIT_FAIL;
}

/* Opens a session for cmd; prints why not. */
static int connect_for(cli *c, session *s, const char *cmd)
{
	int rc = cli_load_profile(c);
	memset(s, 0, sizeof(*s));
	s->fd = -1;
	if (rc != EXIT_OK)
		return rc;
	if (session_open(s, &c->prof) != 0) {
		admin_error(cmd, "%s", s->error);
		return session_exit_code(s);
	}
	return EXIT_OK;
}

/* getopt_long over a subcommand's own argv (argv[0] is its name). */
static void reset_getopt(void)
{
	optind = 0;
	opterr = 1;
}

/* ------------------------------------------------ branches */

static void print_branch_json(out_json *j, const Hearth__Branch *b)
{
	out_json_begin_object(j);
	out_json_key(j, "id");
	out_json_string(j, b->id);
	out_json_key(j, "name");
	out_json_string(j, b->name);
	out_json_key(j, "parent");
	out_json_string(j, b->parent);
	out_json_key(j, "secretary");
	out_json_string(j, b->secretary);
	out_json_key(j, "created_at");
	out_json_int(j, b->created_at);
	out_json_key(j, "updated_at");
	out_json_int(j, b->updated_at);
	out_json_end_object(j);
}

static const Hearth__Branch *find_branch(const Hearth__BranchList *l, const char *id)
{
	for (size_t i = 0; l && i < l->n_branches; i++)
		if (!strcmp(l->branches[i]->id, id))
			return l->branches[i];
	return NULL;
}

static int branch_list(cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	session s;
	Hearth__Envelope *resp = NULL;
	int json = 0, o, rc;

	reset_getopt();
	while ((o = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (o == 'j')
			json = 1;
		else if (o == 'h') {
			printf("usage: hearth admin branch list [--json]\n\n"
			       "Lists the branches the server knows: id, name, parent (党总支) and\n"
			       "secretary. Admin and auditor certificates.\n");
			return EXIT_OK;
		} else
			return EXIT_USAGE;
	}
	if (optind < argc) {
		admin_error("branch list", "unexpected argument \"%s\"", argv[optind]);
		return EXIT_USAGE;
	}
	if ((rc = connect_for(c, &s, "branch list")) != EXIT_OK) {
		session_close(&s);
		return rc;
	}
	rc = admin_branch_list(&s, "branch list", &resp);
	session_close(&s);
	if (rc != EXIT_OK)
		return rc;
	if (json) {
		out_json j;
		out_json_init(&j, stdout);
		out_json_begin_array(&j);
		for (size_t i = 0; i < resp->branch_list->n_branches; i++)
			print_branch_json(&j, resp->branch_list->branches[i]);
		out_json_end_array(&j);
		putchar('\n');
	} else {
		out_table *t = out_table_new();
		char when[64];
		rc = !t || out_table_column(t, "ID", 0, 0) || out_table_column(t, "名称", 40, 0) ||
		     out_table_column(t, "上级党总支", 0, 0) || out_table_column(t, "书记", 20, 0) ||
		     out_table_column(t, "创建时间", 0, 0);
		for (size_t i = 0; !rc && i < resp->branch_list->n_branches; i++) {
			const Hearth__Branch *b = resp->branch_list->branches[i];
			out_local_time(b->created_at, "-", when, sizeof(when));
			rc = out_table_row(t) || out_table_cell(t, b->id) || out_table_cell(t, b->name) ||
			     out_table_cell(t, b->parent) || out_table_cell(t, b->secretary) ||
			     out_table_cell(t, when);
		}
		if (!rc)
			out_table_print(t, stdout);
		out_table_free(t);
		if (rc) {
			admin_error("branch list", "out of memory");
			envelope_free(resp, NULL);
			return EXIT_FAIL;
		}
		if (resp->branch_list->n_branches == 0)
			puts("no branches yet; add one with: hearth admin branch add ID --name NAME");
	}
	envelope_free(resp, NULL);
	return EXIT_OK;
}

/* branch add and branch rename: one BranchPut. An update sends the whole
 * branch, so rename first reads the current one and changes only the
 * fields given. */
static int branch_put(cli *c, int argc, char **argv, int create)
{
	static const struct option opts[] = {
		{ "name", required_argument, NULL, 'n' },
		{ "parent", required_argument, NULL, 'p' },
		{ "secretary", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *cmd = create ? "branch add" : "branch rename";
	const char *name = NULL, *parent = NULL, *secretary = NULL, *id;
	session s;
	Hearth__Envelope req = HEARTH__ENVELOPE__INIT, *resp = NULL, *list = NULL;
	Hearth__BranchPut put = HEARTH__BRANCH_PUT__INIT;
	Hearth__Branch b = HEARTH__BRANCH__INIT;
	int o, rc;

	reset_getopt();
	while ((o = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (o) {
		case 'n': name = optarg; break;
		case 'p': parent = optarg; break;
		case 's': secretary = optarg; break;
		case 'h':
			if (create)
				printf("usage: hearth admin branch add ID --name NAME [--parent ID] [--secretary NAME]\n\n"
				       "Adds a branch (党支部 or 党总支). ID is what certificates and records use:\n"
				       "letters, digits, '.', '_' and '-', at most %d characters (e.g. b003).\n"
				       "NAME is its full name (e.g. 第三党支部); --parent names the 党总支 it\n"
				       "belongs to, --secretary its secretary. Records can only belong to a\n"
				       "branch that exists. Admin certificate.\n",
				       BRANCH_ID_MAX);
			else
				printf("usage: hearth admin branch rename ID [--name NAME] [--parent ID] [--secretary NAME]\n\n"
				       "Changes a branch's name, parent (党总支) or secretary; fields not given keep\n"
				       "their value. The id never changes (certificates carry it). Admin\n"
				       "certificate.\n");
			return EXIT_OK;
		default: return EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		admin_error(cmd, "which branch? give its ID; see 'hearth admin %s --help'", cmd);
		return EXIT_USAGE;
	}
	if (optind + 1 < argc) {
		admin_error(cmd, "unexpected argument \"%s\"", argv[optind + 1]);
		return EXIT_USAGE;
	}
	id = argv[optind];
	if (!valid_branch_id(id)) {
		admin_error(cmd, "\"%s\" is not a branch id (letters, digits, '.', '_', '-', at most %d)", id,
		            BRANCH_ID_MAX);
		return EXIT_USAGE;
	}
	if (create && !name) {
		admin_error(cmd, "--name is required (e.g. --name 第三党支部)");
		return EXIT_USAGE;
	}
	if (!create && !name && !parent && !secretary) {
		admin_error(cmd, "nothing to change: give --name, --parent or --secretary");
		return EXIT_USAGE;
	}
	if ((name && !valid_text(cmd, "--name", name, BRANCH_NAME_MAX, 1)) ||
	    (secretary && !valid_text(cmd, "--secretary", secretary, 64, 0)))
		return EXIT_USAGE;
	if (parent && parent[0] && !valid_branch_id(parent)) {
		admin_error(cmd, "--parent \"%s\" is not a branch id", parent);
		return EXIT_USAGE;
	}
	if (parent && !strcmp(parent, id)) {
		admin_error(cmd, "--parent: a branch cannot be its own parent");
		return EXIT_USAGE;
	}
	if ((rc = connect_for(c, &s, cmd)) != EXIT_OK) {
		session_close(&s);
		return rc;
	}
	b.id = (char *)id;
	b.name = (char *)(name ? name : "");
	b.parent = (char *)(parent ? parent : "");
	b.secretary = (char *)(secretary ? secretary : "");
	if (!create) {
		const Hearth__Branch *cur;
		if ((rc = admin_branch_list(&s, cmd, &list)) != EXIT_OK)
			goto done;
		if (!(cur = find_branch(list->branch_list, id))) {
			admin_error(cmd, "branch %s does not exist; add it with: hearth admin branch add %s --name NAME",
			            id, id);
			rc = EXIT_FAIL;
			goto done;
		}
		if (!name)
			b.name = cur->name;
		if (!parent)
			b.parent = cur->parent;
		if (!secretary)
			b.secretary = cur->secretary;
	}
	put.branch = &b;
	put.create = create;
	req.body_case = HEARTH__ENVELOPE__BODY_BRANCH_PUT;
	req.branch_put = &put;
	if ((rc = admin_call(&s, cmd, &req, HEARTH__ENVELOPE__BODY_BRANCH_PUT_RESULT, &resp)) != EXIT_OK)
		goto done;
	{
		const Hearth__Branch *nb = resp->branch_put_result->branch ? resp->branch_put_result->branch : &b;
		printf("%s branch %s: %s", create ? "added" : "updated", nb->id, nb->name);
		if (nb->parent[0])
			printf(", parent %s", nb->parent);
		if (nb->secretary[0])
			printf(", secretary %s", nb->secretary);
		putchar('\n');
	}
done:
	envelope_free(resp, NULL);
	envelope_free(list, NULL);
	session_close(&s);
	return rc;
}

static int cmd_branch(cli *c, int argc, char **argv)
{
	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		printf("usage: hearth admin branch add ID --name NAME [--parent ID] [--secretary NAME]\n"
		       "       hearth admin branch rename ID [--name NAME] [--parent ID] [--secretary NAME]\n"
		       "       hearth admin branch list [--json]\n");
		return argc < 2 ? EXIT_USAGE : EXIT_OK;
	}
	if (!strcmp(argv[1], "add"))
		return branch_put(c, argc - 1, argv + 1, 1);
	if (!strcmp(argv[1], "rename") || !strcmp(argv[1], "edit"))
		return branch_put(c, argc - 1, argv + 1, 0);
	if (!strcmp(argv[1], "list"))
		return branch_list(c, argc - 1, argv + 1);
	admin_error("branch", "unknown subcommand \"%s\" (add, rename, list)", argv[1]);
	return EXIT_USAGE;
}

/* ------------------------------------------------ principals and revoke */

static int fetch_principals(session *s, const char *cmd, Hearth__Envelope **resp)
{
	Hearth__Envelope req = HEARTH__ENVELOPE__INIT;
	Hearth__PrincipalsRequest pr = HEARTH__PRINCIPALS_REQUEST__INIT;

	req.body_case = HEARTH__ENVELOPE__BODY_PRINCIPALS_REQUEST;
	req.principals_request = &pr;
	return admin_call(s, cmd, &req, HEARTH__ENVELOPE__BODY_PRINCIPALS_LIST, resp);
}

static void principal_json(out_json *j, const Hearth__PrincipalInfo *p)
{
	out_json_begin_object(j);
	out_json_key(j, "fingerprint");
	out_json_string(j, p->fingerprint);
	out_json_key(j, "name");
	out_json_string(j, p->name);
	out_json_key(j, "role");
	out_json_string(j, role_word(p->role));
	out_json_key(j, "branch");
	out_json_string(j, p->branch_id);
	out_json_key(j, "first_seen");
	out_json_int(j, p->first_seen);
	out_json_key(j, "last_seen");
	out_json_int(j, p->last_seen);
	out_json_key(j, "logins");
	out_json_uint(j, p->logins);
	out_json_key(j, "revoked");
	out_json_bool(j, p->revoked);
	if (p->revoked) {
		out_json_key(j, "revoked_at");
		out_json_int(j, p->revoked_at);
		out_json_key(j, "revoked_by");
		out_json_string(j, p->revoked_by);
		out_json_key(j, "revoked_reason");
		out_json_string(j, p->revoked_reason);
	}
	out_json_end_object(j);
}

static int cmd_principals(cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	session s;
	Hearth__Envelope *resp = NULL;
	const Hearth__PrincipalsList *l;
	int json = 0, o, rc;

	reset_getopt();
	while ((o = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (o == 'j')
			json = 1;
		else if (o == 'h') {
			printf("usage: hearth admin principals [--json]\n\n"
			       "Lists everyone whose certificate has connected: fingerprint (as 'hearth\n"
			       "whoami' prints it), name, role, branch, first and last seen (local\n"
			       "time), number of logins, and whether the certificate was revoked.\n"
			       "Admin and auditor certificates.\n");
			return EXIT_OK;
		} else
			return EXIT_USAGE;
	}
	if (optind < argc) {
		admin_error("principals", "unexpected argument \"%s\"", argv[optind]);
		return EXIT_USAGE;
	}
	if ((rc = connect_for(c, &s, "principals")) != EXIT_OK) {
		session_close(&s);
		return rc;
	}
	rc = fetch_principals(&s, "principals", &resp);
	session_close(&s);
	if (rc != EXIT_OK)
		return rc;
	l = resp->principals_list;
	if (json) {
		out_json j;
		out_json_init(&j, stdout);
		out_json_begin_array(&j);
		for (size_t i = 0; i < l->n_principals; i++)
			principal_json(&j, l->principals[i]);
		out_json_end_array(&j);
		putchar('\n');
	} else {
		out_table *t = out_table_new();
		char first[64], last[64], logins[32], revoked[700];
		rc = !t || out_table_column(t, "FINGERPRINT", 0, 0) || out_table_column(t, "NAME", 20, 0) ||
		     out_table_column(t, "ROLE", 0, 0) || out_table_column(t, "BRANCH", 0, 0) ||
		     out_table_column(t, "FIRST SEEN", 0, 0) || out_table_column(t, "LAST SEEN", 0, 0) ||
		     out_table_column(t, "LOGINS", 0, 1) || out_table_column(t, "REVOKED", 60, 0);
		for (size_t i = 0; !rc && i < l->n_principals; i++) {
			const Hearth__PrincipalInfo *p = l->principals[i];
			out_local_time(p->first_seen, "-", first, sizeof(first));
			out_local_time(p->last_seen, "-", last, sizeof(last));
			snprintf(logins, sizeof(logins), "%llu", (unsigned long long)p->logins);
			if (p->revoked) {
				char when[64];
				out_local_time(p->revoked_at, "-", when, sizeof(when));
				snprintf(revoked, sizeof(revoked), "%s by %s: %s", when, p->revoked_by,
				         p->revoked_reason);
			} else {
				revoked[0] = '\0';
			}
			rc = out_table_row(t) || out_table_cell(t, p->fingerprint) || out_table_cell(t, p->name) ||
			     out_table_cell(t, role_word(p->role)) || out_table_cell(t, p->branch_id) ||
			     out_table_cell(t, first) || out_table_cell(t, last) || out_table_cell(t, logins) ||
			     out_table_cell(t, revoked);
		}
		if (!rc)
			out_table_print(t, stdout);
		out_table_free(t);
		if (rc) {
			admin_error("principals", "out of memory");
			envelope_free(resp, NULL);
			return EXIT_FAIL;
		}
	}
	envelope_free(resp, NULL);
	return EXIT_OK;
}

/* A fingerprint as people paste it: lower-case hex, with or without the
 * colons 'openssl x509 -fingerprint' puts in. Returns its length (0 when
 * it is not hex). */
static size_t normalize_fingerprint(const char *in, char out[65])
{
	size_t n = 0;
	for (; *in; in++) {
		if (*in == ':')
			continue;
		if (!isxdigit((unsigned char)*in) || n == 64)
			return 0;
		out[n++] = (char)tolower((unsigned char)*in);
	}
	out[n] = '\0';
	return n;
}

static int cmd_revoke(cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "reason", required_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *reason = NULL;
	char fp[65];
	size_t len;
	session s;
	Hearth__Envelope req = HEARTH__ENVELOPE__INIT, *resp = NULL, *list = NULL;
	Hearth__RevokeRequest rv = HEARTH__REVOKE_REQUEST__INIT;
	const Hearth__PrincipalInfo *p;
	int o, rc;

	reset_getopt();
	while ((o = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (o == 'r')
			reason = optarg;
		else if (o == 'h') {
			printf("usage: hearth admin revoke FINGERPRINT --reason TEXT\n\n"
			       "Revokes a certificate at once: the server closes its live connections\n"
			       "and refuses it from then on, saying when, by whom and why it was\n"
			       "revoked. FINGERPRINT is as 'hearth whoami' or 'hearth admin principals'\n"
			       "print it (64 hex digits; colons allowed), or a unique prefix of at least\n"
			       "8 digits among the principals. The revocation is audited. Admin\n"
			       "certificate.\n");
			return EXIT_OK;
		} else
			return EXIT_USAGE;
	}
	if (optind >= argc) {
		admin_error("revoke", "whose certificate? give its FINGERPRINT (see 'hearth admin principals')");
		return EXIT_USAGE;
	}
	if (optind + 1 < argc) {
		admin_error("revoke", "unexpected argument \"%s\"", argv[optind + 1]);
		return EXIT_USAGE;
	}
	len = normalize_fingerprint(argv[optind], fp);
	if (len < 8) {
		admin_error("revoke", "\"%s\" is not a certificate fingerprint (64 hex digits, or a prefix of "
		            "at least 8)", argv[optind]);
		return EXIT_USAGE;
	}
	if (!reason) {
		admin_error("revoke", "--reason is required: it is shown to the holder and kept in the audit log");
		return EXIT_USAGE;
	}
	if (!valid_text("revoke", "--reason", reason, REASON_MAX, 1))
		return EXIT_USAGE;
	if ((rc = connect_for(c, &s, "revoke")) != EXIT_OK) {
		session_close(&s);
		return rc;
	}
	if (len < 64) {
		const Hearth__PrincipalsList *l;
		const char *match = NULL;
		size_t n = 0;
		if ((rc = fetch_principals(&s, "revoke", &list)) != EXIT_OK)
			goto done;
		l = list->principals_list;
		for (size_t i = 0; i < l->n_principals; i++)
			if (!strncmp(l->principals[i]->fingerprint, fp, len)) {
				match = l->principals[i]->fingerprint;
				n++;
			}
		if (n != 1) {
			if (n)
				admin_error("revoke", "%zu certificates start with %s; give more digits", n, fp);
			else
				admin_error("revoke", "no certificate that has connected starts with %s "
				            "(see 'hearth admin principals')", fp);
			rc = EXIT_FAIL;
			goto done;
		}
		snprintf(fp, sizeof(fp), "%s", match);
	}
	rv.fingerprint = fp;
	rv.reason = (char *)reason;
	req.body_case = HEARTH__ENVELOPE__BODY_REVOKE;
	req.revoke = &rv;
	if ((rc = admin_call(&s, "revoke", &req, HEARTH__ENVELOPE__BODY_REVOKE_RESULT, &resp)) != EXIT_OK)
		goto done;
	p = resp->revoke_result->principal;
	if (p && p->name[0])
		printf("revoked %s (%s%s%s certificate, fingerprint %s)", p->name,
		       p->branch_id[0] ? "branch " : "", p->branch_id[0] ? p->branch_id : role_word(p->role),
		       "", fp);
	else
		printf("revoked certificate %s", fp);
	printf("; closed %u live connection%s\n", resp->revoke_result->closed_connections,
	       resp->revoke_result->closed_connections == 1 ? "" : "s");
done:
	envelope_free(resp, NULL);
	envelope_free(list, NULL);
	session_close(&s);
	return rc;
}

/* ------------------------------------------------ server status */

static void human_bytes(uint64_t b, char *out, size_t cap)
{
	static const char *units[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	double v = (double)b;
	size_t u = 0;
	while (v >= 1024 && u + 1 < HEARTH_ARRAY_LEN(units)) {
		v /= 1024;
		u++;
	}
	if (u == 0)
		snprintf(out, cap, "%llu B", (unsigned long long)b);
	else
		snprintf(out, cap, "%.1f %s", v, units[u]);
}

static void human_duration(int64_t ms, char *out, size_t cap)
{
	int64_t s = ms / 1000;
	if (s >= 86400)
		snprintf(out, cap, "%lldd %lldh %lldm", (long long)(s / 86400), (long long)(s % 86400 / 3600),
		         (long long)(s % 3600 / 60));
	else if (s >= 3600)
		snprintf(out, cap, "%lldh %lldm %llds", (long long)(s / 3600), (long long)(s % 3600 / 60),
		         (long long)(s % 60));
	else if (s >= 60)
		snprintf(out, cap, "%lldm %llds", (long long)(s / 60), (long long)(s % 60));
	else
		snprintf(out, cap, "%lld.%03llds", (long long)s, (long long)(ms % 1000));
}

static int cmd_server(cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	session s;
	Hearth__Envelope req = HEARTH__ENVELOPE__INIT, *resp = NULL;
	Hearth__ServerStatusRequest sr = HEARTH__SERVER_STATUS_REQUEST__INIT;
	const Hearth__ServerStatus *st;
	char hash[65] = "", t1[64], t2[64], b1[32], b2[32];
	double used;
	int json = 0, o, rc;

	reset_getopt();
	while ((o = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (o == 'j')
			json = 1;
		else if (o == 'h') {
			printf("usage: hearth admin server [--json]\n\n"
			       "Shows the server's version, start time and uptime, open connections, the\n"
			       "store's size against its LMDB map (how full it is), records, commits and\n"
			       "the last one, and the audit log's head (size and hash). Admin and\n"
			       "auditor certificates.\n");
			return EXIT_OK;
		} else
			return EXIT_USAGE;
	}
	if (optind < argc) {
		admin_error("server", "unexpected argument \"%s\"", argv[optind]);
		return EXIT_USAGE;
	}
	if ((rc = connect_for(c, &s, "server")) != EXIT_OK) {
		session_close(&s);
		return rc;
	}
	req.body_case = HEARTH__ENVELOPE__BODY_SERVER_STATUS_REQUEST;
	req.server_status_request = &sr;
	rc = admin_call(&s, "server", &req, HEARTH__ENVELOPE__BODY_SERVER_STATUS, &resp);
	session_close(&s);
	if (rc != EXIT_OK)
		return rc;
	st = resp->server_status;
	if (st->audit_head)
		for (size_t i = 0; i < st->audit_head->head_hash.len && i < 32; i++)
			snprintf(hash + 2 * i, 3, "%02x", st->audit_head->head_hash.data[i]);
	used = st->map_bytes ? (double)st->store_bytes * 100.0 / (double)st->map_bytes : 0;
	if (json) {
		out_json j;
		out_json_init(&j, stdout);
		out_json_begin_object(&j);
		out_json_key(&j, "version");
		out_json_string(&j, st->version);
		out_json_key(&j, "started_at");
		out_json_int(&j, st->started_at);
		out_json_key(&j, "uptime_ms");
		out_json_int(&j, st->uptime_ms);
		out_json_key(&j, "connections");
		out_json_uint(&j, st->connections);
		out_json_key(&j, "store_bytes");
		out_json_uint(&j, st->store_bytes);
		out_json_key(&j, "map_bytes");
		out_json_uint(&j, st->map_bytes);
		out_json_key(&j, "map_used_percent");
		out_json_double(&j, (double)(int64_t)(used * 10 + 0.5) / 10);
		out_json_key(&j, "records");
		out_json_uint(&j, st->records);
		out_json_key(&j, "commits");
		out_json_uint(&j, st->commits);
		out_json_key(&j, "ops");
		out_json_uint(&j, st->ops);
		out_json_key(&j, "last_commit_at");
		out_json_int(&j, st->last_commit_at);
		out_json_key(&j, "audit_size");
		out_json_uint(&j, st->audit_head ? st->audit_head->size : 0);
		out_json_key(&j, "audit_head");
		out_json_string(&j, hash);
		out_json_key(&j, "data_dir");
		out_json_string(&j, st->data_dir);
		out_json_key(&j, "group_commit");
		out_json_bool(&j, st->group_commit);
		out_json_end_object(&j);
		putchar('\n');
	} else {
		out_local_time(st->started_at, "-", t1, sizeof(t1));
		human_duration(st->uptime_ms, t2, sizeof(t2));
		printf("server:        %s (hearthd %s)\n", c->prof.server, st->version);
		printf("started:       %s (up %s)\n", t1, t2);
		printf("connections:   %u\n", st->connections);
		human_bytes(st->store_bytes, b1, sizeof(b1));
		human_bytes(st->map_bytes, b2, sizeof(b2));
		printf("store:         %s of a %s map (%.1f%% used)%s\n", b1, b2, used,
		       used >= 80 ? "  -- raise the map size before it fills" : "");
		printf("records:       %llu\n", (unsigned long long)st->records);
		out_local_time(st->last_commit_at, "-", t1, sizeof(t1));
		printf("commits:       %llu (%llu ops), last %s\n", (unsigned long long)st->commits,
		       (unsigned long long)st->ops, t1);
		printf("group commit:  %s\n", st->group_commit ? "on" : "off");
		printf("audit head:    %llu entries, hash %.12s\n",
		       (unsigned long long)(st->audit_head ? st->audit_head->size : 0), hash[0] ? hash : "-");
		if (st->data_dir[0])
			printf("data dir:      %s\n", st->data_dir);
	}
	envelope_free(resp, NULL);
	return EXIT_OK;
}

/* ------------------------------------------------ conflicts and resolve */

static int cmd_admin_conflicts(cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "branch", required_argument, NULL, 'b' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *branch = NULL;
	int json = 0, o, rc;

	reset_getopt();
	while ((o = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (o == 'j')
			json = 1;
		else if (o == 'b')
			branch = optarg;
		else if (o == 'h') {
			printf("usage: hearth admin conflicts [--branch ID] [--json]\n\n"
			       "The conflict queue of every branch (or of one), from this replica: run\n"
			       "'hearth sync' first. Oldest first; for each conflict its branch, the\n"
			       "record, who made each side and when, and both values of each field.\n"
			       "Settle one with 'hearth admin resolve CONFLICT --keep mine|theirs' or\n"
			       "'--set FIELD=VALUE'. Admin and auditor certificates.\n");
			return EXIT_OK;
		} else
			return EXIT_USAGE;
	}
	if (optind < argc) {
		admin_error("conflicts", "unexpected argument \"%s\"", argv[optind]);
		return EXIT_USAGE;
	}
	if (branch && !valid_branch_id(branch)) {
		admin_error("conflicts", "--branch \"%s\" is not a branch id", branch);
		return EXIT_USAGE;
	}
	if ((rc = admin_require_role(c, "conflicts", 1, NULL)) != EXIT_OK)
		return rc;
	conflicts_print_opts po = { .cmd = "admin conflicts", .branch = branch, .json = json,
	                            .show_branch = 1 };
	return conflicts_print(c, &po);
}

static int cmd_admin_resolve(cli *c, int argc, char **argv)
{
	int rc;
	if (cli_wants_help(argc, argv))
		return cmd_resolve(c, argc, argv);
	if ((rc = admin_require_role(c, "resolve", 0, NULL)) != EXIT_OK)
		return rc;
	reset_getopt();
	return cmd_resolve(c, argc, argv);
}

/* ------------------------------------------------ stats and report */

/* What stats and report share: options, the replica, branch names. */
typedef struct figures_opts {
	const char *cmd;
	int year;
	int offline;
} figures_opts;

/* Branch names: from the server when it answers (and then cached in the
 * replica), else from the cache. Adds a row for every known branch. */
static void name_branches(cli *c, replica *r, stats *st, const figures_opts *fo)
{
	Hearth__BranchList *l = NULL;
	Hearth__Envelope *resp = NULL;
	uint8_t *cached = NULL;
	size_t len = 0;
	session s;

	if (!fo->offline) {
		if (session_open(&s, &c->prof) == 0) {
			if (admin_branch_list(&s, fo->cmd, &resp) == EXIT_OK) {
				size_t n = hearth__branch_list__get_packed_size(resp->branch_list);
				uint8_t *buf = malloc(n ? n : 1);
				if (buf) {
					hearth__branch_list__pack(resp->branch_list, buf);
					replica_meta_set_bytes(r, META_BRANCHES, buf, n);
					free(buf);
				}
				l = resp->branch_list;
			}
		} else {
			fprintf(stderr, "hearth: admin %s: note: cannot reach the server for branch names (%s)\n",
			        fo->cmd, s.error);
		}
		session_close(&s);
	}
	if (!l && replica_meta_get_bytes(r, META_BRANCHES, &cached, &len) == 0) {
		l = hearth__branch_list__unpack(NULL, len, cached);
		free(cached);
		if (l)
			fprintf(stderr, "hearth: admin %s: note: branch names from the last list fetched\n", fo->cmd);
	} else if (!l && fo->offline) {
		fprintf(stderr, "hearth: admin %s: note: no branch names cached; branches show by id\n", fo->cmd);
	}
	for (size_t i = 0; l && i < l->n_branches; i++)
		stats_add_branch(st, l->branches[i]->id, l->branches[i]->name);
	if (resp)
		envelope_free(resp, NULL);
	else if (l)
		hearth__branch_list__free_unpacked(l, NULL);
}

/* Loads the profile (role checked), opens the replica, names branches and
 * counts. On EXIT_OK st is finished and *last_sync set. */
static int compute_figures(cli *c, const figures_opts *fo, stats *st, tls_identity *id,
                           int64_t *last_sync)
{
	replica r;
	replica_status rs;
	char err[1400];
	int rc;

	if ((rc = admin_require_role(c, fo->cmd, 1, id)) != EXIT_OK)
		return rc;
	if ((rc = replica_open(&r, c->prof.home, err, sizeof(err))) != 0) {
		admin_error(fo->cmd, "%s", err);
		return rc == HEARTH_EINVAL ? EXIT_USAGE : EXIT_FAIL;
	}
	if (replica_status_get(&r, &rs) != 0)
		memset(&rs, 0, sizeof(rs));
	*last_sync = rs.last_sync_ms;
	if (rs.records == 0 && rs.cursor == 0)
		fprintf(stderr, "hearth: admin %s: note: the local replica is empty; run 'hearth sync' first "
		                "to fetch every branch's records\n", fo->cmd);
	else if (rs.last_sync_ms == 0 || session_now_ms() - rs.last_sync_ms > STALE_MS) {
		char when[64];
		out_local_time(rs.last_sync_ms, "-", when, sizeof(when));
		fprintf(stderr, "hearth: admin %s: note: the replica was last synced %s; run 'hearth sync' "
		                "for current figures\n", fo->cmd, rs.last_sync_ms ? when : "never");
	}
	{
		due_config cfg;
		int32_t today;
		if (due_config_load(&cfg, c->prof.home, err, sizeof(err)) != 0 ||
		    due_today(&today, err, sizeof(err)) != 0) {
			admin_error(fo->cmd, "%s", err);
			replica_close(&r);
			return EXIT_USAGE;
		}
		stats_init(st, fo->year, today, &cfg);
	}
	name_branches(c, &r, st, fo);
	rc = stats_scan(st, &r);
	replica_close(&r);
	if (rc != 0) {
		admin_error(fo->cmd, "cannot read the local replica: %s", hearth_strerror(rc));
		stats_free(st);
		return EXIT_FAIL;
	}
	stats_finish(st);
	return EXIT_OK;
}

static int parse_year(const char *cmd, const char *text, int *year)
{
	char *end;
	long v = strtol(text, &end, 10);
	if (*text == '\0' || *end || v < 1921 || v > 2199) {
		admin_error(cmd, "--year \"%s\" is not a year from 1921 to 2199", text);
		return -1;
	}
	*year = (int)v;
	return 0;
}

static int this_year(void)
{
	char d[11];
	date_format(date_today(), d);
	return atoi(d);
}

static int cmd_stats(cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "year", required_argument, NULL, 'y' },
		{ "json", no_argument, NULL, 'j' },
		{ "csv", no_argument, NULL, 'c' },
		{ "bom", no_argument, NULL, 'B' },
		{ "offline", no_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	figures_opts fo = { "stats", this_year(), 0 };
	stats st;
	tls_identity id;
	int64_t last_sync;
	int json = 0, csv = 0, bom = 0, o, rc;

	reset_getopt();
	while ((o = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (o) {
		case 'y':
			if (parse_year("stats", optarg, &fo.year))
				return EXIT_USAGE;
			break;
		case 'j': json = 1; break;
		case 'c': csv = 1; break;
		case 'B': bom = 1; break;
		case 'o': fo.offline = 1; break;
		case 'h':
			printf("usage: hearth admin stats [--year YYYY] [--json | --csv [--bom]] [--offline]\n\n"
			       "Figures per branch, and totals, from this replica (run 'hearth sync'\n"
			       "first; a note on stderr says when it is empty or more than a day old):\n"
			       "  members by category (正式/预备) and standing (正常/停止党籍/去世/出党);\n"
			       "  the hardship ledger by status, and its open entries (在册, 帮扶中) by\n"
			       "    type; 困难党员 = distinct members with an open entry;\n"
			       "  for the year (default this year): visits (not counting 计划 and 已取消),\n"
			       "    those at Spring Festival and 七一, and coverage: the share of\n"
			       "    困难党员 visited on that occasion; talks; honors (not 已撤销);\n"
			       "  active pairings (帮扶中), as they stand now;\n"
			       "  dues of the year: due and paid (yuan; JSON in fen, exempt months not\n"
			       "    due) and the collection rate paid/due;\n"
			       "  overdue items, as 'hearth due' counts them (its thresholds, profile.ini\n"
			       "    [due], HEARTH_TODAY): 困难党员 not visited in 90 days, talks past\n"
			       "    their deadline, active pairings without a progress note in 60 days,\n"
			       "    members with dues unpaid for more than 3 months.\n"
			       "Branch names come from the server when it answers (else from the last\n"
			       "list fetched; --offline does not try). --json prints one object per\n"
			       "branch (\"branch\", \"name\", each figure by name; percentages with one\n"
			       "decimal, null when there is nothing to divide by); --csv a sheet with a\n"
			       "totals row, --bom for Excel. Admin and auditor certificates.\n");
			return EXIT_OK;
		default: return EXIT_USAGE;
		}
	}
	if (optind < argc) {
		admin_error("stats", "unexpected argument \"%s\"", argv[optind]);
		return EXIT_USAGE;
	}
	if (json && csv) {
		admin_error("stats", "--json and --csv: choose one");
		return EXIT_USAGE;
	}
	if (bom && !csv) {
		admin_error("stats", "--bom goes with --csv");
		return EXIT_USAGE;
	}
	if ((rc = compute_figures(c, &fo, &st, &id, &last_sync)) != EXIT_OK)
		return rc;
	if (json)
		rc = stats_print_json(&st, stdout);
	else if (csv)
		rc = stats_print_csv(&st, stdout, bom);
	else
		rc = stats_print_table(&st, stdout);
	stats_free(&st);
	if (rc != 0 || fflush(stdout) != 0) {
		admin_error("stats", "cannot write the output: %s", strerror(errno));
		return EXIT_FAIL;
	}
	return EXIT_OK;
}

static int cmd_report(cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "year", required_argument, NULL, 'y' },
		{ "html", required_argument, NULL, 'H' },
		{ "offline", no_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	figures_opts fo = { "report", this_year(), 0 };
	const char *out = NULL;
	char tmp[4200];
	stats st;
	tls_identity id;
	report_info info;
	int64_t last_sync;
	FILE *f;
	int o, rc, fd;

	reset_getopt();
	while ((o = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (o) {
		case 'y':
			if (parse_year("report", optarg, &fo.year))
				return EXIT_USAGE;
			break;
		case 'H': out = optarg; break;
		case 'o': fo.offline = 1; break;
		case 'h':
			printf("usage: hearth admin report [--year YYYY] --html FILE [--offline]\n\n"
			       "Writes the committee's report for the year (default this year) as ONE\n"
			       "HTML file that needs nothing else to show or print: care coverage per\n"
			       "branch (Spring Festival and 七一), the hardship ledger by type, visits by\n"
			       "month, dues collection per branch, and every figure of 'hearth admin\n"
			       "stats' in a table. Charts are inline SVG; there are no scripts, web\n"
			       "fonts or images. Open it in a browser; print it from there (A4).\n"
			       "Made from this replica: run 'hearth sync' first. Admin and auditor\n"
			       "certificates.\n");
			return EXIT_OK;
		default: return EXIT_USAGE;
		}
	}
	if (optind < argc) {
		admin_error("report", "unexpected argument \"%s\"", argv[optind]);
		return EXIT_USAGE;
	}
	if (!out || !out[0]) {
		admin_error("report", "--html FILE is required (e.g. --html report-%d.html)", fo.year);
		return EXIT_USAGE;
	}
	if (strlen(out) > sizeof(tmp) - 16) {
		admin_error("report", "--html: path too long");
		return EXIT_USAGE;
	}
	if ((rc = compute_figures(c, &fo, &st, &id, &last_sync)) != EXIT_OK)
		return rc;
	/* Written beside the target and renamed, so a reader never sees half a
	 * report and a failed run leaves the old one in place. */
	snprintf(tmp, sizeof(tmp), "%s.XXXXXX", out);
	fd = mkstemp(tmp);
	/* A report holds no personal data (figures only) and is meant to be
	 * passed on: readable by others like any file the user writes. */
	if (fd >= 0)
		fchmod(fd, 0644);
	if (fd < 0 || !(f = fdopen(fd, "w"))) {
		admin_error("report", "cannot create %s: %s", tmp, strerror(errno));
		if (fd >= 0) {
			close(fd);
			unlink(tmp);
		}
		stats_free(&st);
		return EXIT_FAIL;
	}
	info.org = id.org;
	info.author = id.name;
	info.generated_ms = session_now_ms();
	info.last_sync_ms = last_sync;
	rc = report_write_html(f, &st, &info);
	if (fflush(f) != 0 || fsync(fileno(f)) != 0)
		rc = HEARTH_EIO;
	if (fclose(f) != 0)
		rc = HEARTH_EIO;
	if (rc == 0 && rename(tmp, out) == 0) {
		printf("wrote %s: %zu branches, year %d\n", out, st.n, fo.year);
		stats_free(&st);
		return EXIT_OK;
	}
	admin_error("report", "cannot write %s: %s", out, strerror(errno ? errno : EIO));
	unlink(tmp);
	stats_free(&st);
	return EXIT_FAIL;
}

/* ------------------------------------------------ dispatch */

static const struct {
	const char *name;
	cli_fn fn;
	const char *summary;
} subs[] = {
	{ "branch", cmd_branch, "add, rename and list branches (党支部/党总支)" },
	{ "enroll", admin_enroll, "make a key and certificate for a new user, signed by the committee CA" },
	{ "principals", cmd_principals, "everyone who has connected: fingerprint, name, role, branch" },
	{ "revoke", cmd_revoke, "revoke a certificate at once (live connections are closed)" },
	{ "conflicts", cmd_admin_conflicts, "the conflict queue across branches, oldest first" },
	{ "resolve", cmd_admin_resolve, "resolve a conflict (as 'hearth resolve')" },
	{ "stats", cmd_stats, "figures per branch and totals (--json, --csv)" },
	{ "report", cmd_report, "the committee's report as one HTML file with charts" },
	{ "server", cmd_server, "server version, uptime, connections, store and audit head" },
	{ "backup", admin_backup, "fetch a consistent snapshot of the whole store (--to FILE)" },
};

int cmd_admin(cli *c, int argc, char **argv)
{
	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		FILE *f = argc < 2 ? stderr : stdout;
		fprintf(f, "usage: hearth admin SUBCOMMAND [options]\n\n"
		           "The committee's console. Needs an admin certificate (an auditor's may read:\n"
		           "branch list, principals, conflicts, stats, report, server).\n\nsubcommands:\n");
		for (size_t i = 0; i < HEARTH_ARRAY_LEN(subs); i++)
			fprintf(f, "  %-11s %s\n", subs[i].name, subs[i].summary);
		fprintf(f, "\n'hearth admin SUBCOMMAND --help' explains one.\n"
		           "exit status: 0 ok, 1 failed or refused (a branch certificate is refused),\n"
		           "2 bad usage, 3 cannot connect, 4 conflicts remain.\n");
		return argc < 2 ? EXIT_USAGE : EXIT_OK;
	}
	for (size_t i = 0; i < HEARTH_ARRAY_LEN(subs); i++)
		if (!strcmp(argv[1], subs[i].name))
			return subs[i].fn(c, argc - 1, argv + 1);
	cli_error("admin: unknown subcommand \"%s\"; try 'hearth admin --help'", argv[1]);
	return EXIT_USAGE;
}
