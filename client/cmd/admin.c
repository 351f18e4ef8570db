/* admin.c: `hearth admin …`: the committee's console (branches, principals,
 * revocation, the conflict queue) and the helpers every admin subcommand
 * shares. The subcommand table is admin_console.c; enrolment enroll.c,
 * stats and the report admin_figures.c, server status admin_server.c,
 * backup admin_backup.c. */
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

#include "client/core/admin_requests.h"
#include "client/core/server_conflicts.h"
#include "client/core/identity.h"
#include "common/hearth.h"
#include "client/ui/output.h"
#include "client/cmd/conflicts.h"
#include "common/i18n.h"
#include "common/utf8.h"

/* Branch names and ids: ids travel in certificate URIs. */
#define BRANCH_ID_MAX ADMIN_BRANCH_ID_MAX
#define BRANCH_NAME_MAX ADMIN_BRANCH_NAME_MAX
#define REASON_MAX ADMIN_REASON_MAX

void admin_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "hearth: admin %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* A name or a reason as typed (admin_text_check), said on stderr. */
static int valid_text(const char *cmd, const char *flag, const char *s, size_t max, int required)
{
	char why[300];

	if (admin_text_check(flag, s, max, required, why, sizeof(why)) == 0)
		return 1;
	admin_error(cmd, "%s", why);
	return 0;
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
		admin_error(cmd, _("cannot read the profile's certificate %s: %s"), c->prof.cert, strerror(errno));
		return EXIT_USAGE;
	case IDENTITY_NOT_PEM:
		admin_error(cmd, _("%s is not a PEM certificate"), c->prof.cert);
		return EXIT_USAGE;
	case IDENTITY_INVALID: break;
	}
	admin_error(cmd, _("the profile's certificate %s: %s"), c->prof.cert, err);
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

/* Whether a certificate of role may run what who allows. */
static int role_may(Hearth__Role role, admin_who who)
{
	switch (role) {
	case HEARTH__ROLE__ROLE_ADMIN: return 1;
	case HEARTH__ROLE__ROLE_AUDITOR: return who != ADMIN_WHO_ADMIN;
	case HEARTH__ROLE__ROLE_GENERAL: return who == ADMIN_WHO_FIGURES;
	default: return 0;
	}
}

int admin_require(cli *c, const char *cmd, admin_who who, tls_identity *out)
{
	tls_identity id;
	session s;
	Hearth__Envelope *resp = NULL;
	int rc;

	if ((rc = admin_profile_identity(c, cmd, &id)) != EXIT_OK)
		return rc;
	if (out)
		*out = id;
	if (role_may(id.role, who))
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
	if (id.role == HEARTH__ROLE__ROLE_BRANCH && who == ADMIN_WHO_FIGURES)
		admin_error(cmd, _("needs an admin, auditor or general-branch (党总支) certificate; this profile's "
		            "certificate (%s) is a branch certificate of %s"), id.name, id.branch_id);
	else if (id.role == HEARTH__ROLE__ROLE_BRANCH)
		admin_error(cmd, _("needs an admin%s certificate; this profile's certificate (%s) is a "
		            "branch certificate of %s"), who == ADMIN_WHO_READERS ? _(" or auditor") : "", id.name,
		            id.branch_id);
	else if (id.role == HEARTH__ROLE__ROLE_GENERAL)
		admin_error(cmd, _("needs an admin%s certificate; this profile's certificate (%s) is a general-branch "
		            "(党总支) certificate of %s, which runs only 'admin stats' and 'admin report' (over its "
		            "subtree)"), who == ADMIN_WHO_READERS ? _(" or auditor") : "", id.name, id.branch_id);
	else
		admin_error(cmd, _("needs an admin certificate; this profile's certificate (%s) is an %s "
		            "certificate"), id.name, identity_role_word(id.role));
	return EXIT_FAIL;
}

int admin_require_role(cli *c, const char *cmd, int allow_auditor, tls_identity *out)
{
	return admin_require(c, cmd, allow_auditor ? ADMIN_WHO_READERS : ADMIN_WHO_ADMIN, out);
}

int admin_connect(cli *c, session *s, const char *cmd)
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

void admin_reset_getopt(void)
{
	optind = 0;
	opterr = 1;
}

admin_begin admin_begin_listing(cli *c, int argc, char **argv, const char *cmd, const char *usage,
                                session *s, int *json, int *exit_code)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int o;

	*json = 0;
	admin_reset_getopt();
	while ((o = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (o == 'j') {
			*json = 1;
		} else if (o == 'h') {
			fputs(usage, stdout);
			*exit_code = EXIT_OK;
			return ADMIN_BEGIN_FINISHED;
		} else {
			*exit_code = EXIT_USAGE;
			return ADMIN_BEGIN_FINISHED;
		}
	}
	if (optind < argc) {
		admin_error(cmd, _("unexpected argument \"%s\""), argv[optind]);
		*exit_code = EXIT_USAGE;
		return ADMIN_BEGIN_FINISHED;
	}
	if ((*exit_code = admin_connect(c, s, cmd)) != EXIT_OK) {
		session_close(s);
		return ADMIN_BEGIN_FINISHED;
	}
	return ADMIN_BEGIN_CONNECTED;
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
	out_json_key(j, "general_edits");
	out_json_bool(j, b->general_edits);
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
	session s;
	Hearth__Envelope *resp = NULL;
	int json, rc;

	if (admin_begin_listing(c, argc, argv, "branch list",
	                        _("usage: hearth admin branch list [--json]\n\n"
	                        "Lists the branches the server knows: id, name, parent (党总支) and\n"
	                        "secretary. Admin and auditor certificates.\n"),
	                        &s, &json, &rc) != ADMIN_BEGIN_CONNECTED)
		return rc;
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
			admin_error("branch list", _("out of memory"));
			envelope_free(resp, NULL);
			return EXIT_FAIL;
		}
		if (resp->branch_list->n_branches == 0)
			puts(_("no branches yet; add one with: hearth admin branch add ID --name NAME"));
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
		{ "general-edits", required_argument, NULL, 'g' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *cmd = create ? "branch add" : "branch rename";
	uint32_t edits = 0; /* BranchPut.set_general_edits: 0 keep, 1 on, 2 off */
	const char *name = NULL, *parent = NULL, *secretary = NULL, *id;
	session s;
	Hearth__Envelope req = HEARTH__ENVELOPE__INIT, *resp = NULL, *list = NULL;
	Hearth__BranchPut put = HEARTH__BRANCH_PUT__INIT;
	Hearth__Branch b = HEARTH__BRANCH__INIT;
	int o, rc;

	admin_reset_getopt();
	while ((o = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (o) {
		case 'n': name = optarg; break;
		case 'p': parent = optarg; break;
		case 's': secretary = optarg; break;
		case 'g':
			if (!strcmp(optarg, "on") || !strcmp(optarg, "是"))
				edits = 1;
			else if (!strcmp(optarg, "off") || !strcmp(optarg, "否"))
				edits = 2;
			else {
				admin_error(cmd, _("--general-edits \"%s\": give on or off"), optarg);
				return EXIT_USAGE;
			}
			break;
		case 'h':
			if (create)
				printf(_("usage: hearth admin branch add ID --name NAME [--parent ID] [--secretary NAME]\n\n"
				       "Adds a branch (党支部 or 党总支). ID is what certificates and records use:\n"
				       "letters, digits, '.', '_' and '-', at most %d characters (e.g. b003).\n"
				       "NAME is its full name (e.g. 第三党支部); --parent names the 党总支 it\n"
				       "belongs to, --secretary its secretary. Records can only belong to a\n"
				       "branch that exists. Admin certificate.\n"),
				       BRANCH_ID_MAX);
			else
				printf(_("usage: hearth admin branch rename ID [--name NAME] [--parent ID] [--secretary NAME]\n"
				       "                                     [--general-edits on|off]\n\n"
				       "Changes a branch's name, parent (党总支) or secretary; fields not given keep\n"
				       "their value. The id never changes (certificates carry it).\n"
				       "--general-edits on lets the general-branch certificates of this 党总支\n"
				       "(hearth://ORG/general/ID) edit the records of the branches below it; off\n"
				       "(the default) lets them read those records only. Admin certificate.\n"));
			return EXIT_OK;
		default: return EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		admin_error(cmd, _("which branch? give its ID; see 'hearth admin %s --help'"), cmd);
		return EXIT_USAGE;
	}
	if (optind + 1 < argc) {
		admin_error(cmd, _("unexpected argument \"%s\""), argv[optind + 1]);
		return EXIT_USAGE;
	}
	id = argv[optind];
	if (!admin_branch_id_valid(id)) {
		admin_error(cmd, _("\"%s\" is not a branch id (letters, digits, '.', '_', '-', at most %d)"), id,
		            BRANCH_ID_MAX);
		return EXIT_USAGE;
	}
	if (create && !name) {
		admin_error(cmd, _("--name is required (e.g. --name 第三党支部)"));
		return EXIT_USAGE;
	}
	if (!create && !name && !parent && !secretary && !edits) {
		admin_error(cmd, _("nothing to change: give --name, --parent, --secretary or --general-edits"));
		return EXIT_USAGE;
	}
	if ((name && !valid_text(cmd, "--name", name, BRANCH_NAME_MAX, 1)) ||
	    (secretary && !valid_text(cmd, "--secretary", secretary, 64, 0)))
		return EXIT_USAGE;
	if (parent && parent[0] && !admin_branch_id_valid(parent)) {
		admin_error(cmd, _("--parent \"%s\" is not a branch id"), parent);
		return EXIT_USAGE;
	}
	if (parent && !strcmp(parent, id)) {
		admin_error(cmd, _("--parent: a branch cannot be its own parent"));
		return EXIT_USAGE;
	}
	if ((rc = admin_connect(c, &s, cmd)) != EXIT_OK) {
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
			admin_error(cmd, _("branch %s does not exist; add it with: hearth admin branch add %s --name NAME"),
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
	put.set_general_edits = edits;
	req.body_case = HEARTH__ENVELOPE__BODY_BRANCH_PUT;
	req.branch_put = &put;
	if ((rc = admin_call(&s, cmd, &req, HEARTH__ENVELOPE__BODY_BRANCH_PUT_RESULT, &resp)) != EXIT_OK)
		goto done;
	{
		const Hearth__Branch *nb = resp->branch_put_result->branch ? resp->branch_put_result->branch : &b;
		printf(_("%s branch %s: %s"), create ? "added" : "updated", nb->id, nb->name);
		if (nb->parent[0])
			printf(_(", parent %s"), nb->parent);
		if (nb->secretary[0])
			printf(_(", secretary %s"), nb->secretary);
		if (nb->general_edits)
			fputs(_(", its general branch may edit the branches below it"), stdout);
		putchar('\n');
	}
done:
	envelope_free(resp, NULL);
	envelope_free(list, NULL);
	session_close(&s);
	return rc;
}

int admin_branch(cli *c, int argc, char **argv)
{
	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		printf(_("usage: hearth admin branch add ID --name NAME [--parent ID] [--secretary NAME]\n"
		       "       hearth admin branch rename ID [--name NAME] [--parent ID] [--secretary NAME]\n"
		       "       hearth admin branch list [--json]\n"));
		return argc < 2 ? EXIT_USAGE : EXIT_OK;
	}
	if (!strcmp(argv[1], "add"))
		return branch_put(c, argc - 1, argv + 1, 1);
	if (!strcmp(argv[1], "rename") || !strcmp(argv[1], "edit"))
		return branch_put(c, argc - 1, argv + 1, 0);
	if (!strcmp(argv[1], "list"))
		return branch_list(c, argc - 1, argv + 1);
	admin_error("branch", _("unknown subcommand \"%s\" (add, rename, list)"), argv[1]);
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
	out_json_string(j, identity_role_word(p->role));
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

int admin_principals(cli *c, int argc, char **argv)
{
	session s;
	Hearth__Envelope *resp = NULL;
	const Hearth__PrincipalsList *l;
	int json, rc;

	if (admin_begin_listing(c, argc, argv, "principals",
	                        _("usage: hearth admin principals [--json]\n\n"
	                        "Lists everyone whose certificate has connected: fingerprint (as 'hearth\n"
	                        "whoami' prints it), name, role, branch, first and last seen (local\n"
	                        "time), number of logins, and whether the certificate was revoked.\n"
	                        "Admin and auditor certificates.\n"),
	                        &s, &json, &rc) != ADMIN_BEGIN_CONNECTED)
		return rc;
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
			     out_table_cell(t, identity_role_word(p->role)) || out_table_cell(t, p->branch_id) ||
			     out_table_cell(t, first) || out_table_cell(t, last) || out_table_cell(t, logins) ||
			     out_table_cell(t, revoked);
		}
		if (!rc)
			out_table_print(t, stdout);
		out_table_free(t);
		if (rc) {
			admin_error("principals", _("out of memory"));
			envelope_free(resp, NULL);
			return EXIT_FAIL;
		}
	}
	envelope_free(resp, NULL);
	return EXIT_OK;
}

int admin_revoke(cli *c, int argc, char **argv)
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

	admin_reset_getopt();
	while ((o = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (o == 'r')
			reason = optarg;
		else if (o == 'h') {
			printf(_("usage: hearth admin revoke FINGERPRINT --reason TEXT\n\n"
			       "Revokes a certificate at once: the server closes its live connections\n"
			       "and refuses it from then on, saying when, by whom and why it was\n"
			       "revoked. FINGERPRINT is as 'hearth whoami' or 'hearth admin principals'\n"
			       "print it (64 hex digits; colons allowed), or a unique prefix of at least\n"
			       "8 digits among the principals. The revocation is audited. Admin\n"
			       "certificate.\n"));
			return EXIT_OK;
		} else
			return EXIT_USAGE;
	}
	if (optind >= argc) {
		admin_error("revoke", _("whose certificate? give its FINGERPRINT (see 'hearth admin principals')"));
		return EXIT_USAGE;
	}
	if (optind + 1 < argc) {
		admin_error("revoke", _("unexpected argument \"%s\""), argv[optind + 1]);
		return EXIT_USAGE;
	}
	len = admin_fingerprint_normalize(argv[optind], fp);
	if (len < 8) {
		admin_error("revoke", _("\"%s\" is not a certificate fingerprint (64 hex digits, or a prefix of "
		            "at least 8)"), argv[optind]);
		return EXIT_USAGE;
	}
	if (!reason) {
		admin_error("revoke", _("--reason is required: it is shown to the holder and kept in the audit log"));
		return EXIT_USAGE;
	}
	if (!valid_text("revoke", "--reason", reason, REASON_MAX, 1))
		return EXIT_USAGE;
	if ((rc = admin_connect(c, &s, "revoke")) != EXIT_OK) {
		session_close(&s);
		return rc;
	}
	if (len < 64) {
		const Hearth__PrincipalInfo *match;
		size_t n = 0;
		if ((rc = fetch_principals(&s, "revoke", &list)) != EXIT_OK)
			goto done;
		match = admin_principal_by_prefix(list->principals_list, fp, &n);
		if (!match) {
			if (n)
				admin_error("revoke", _("%zu certificates start with %s; give more digits"), n, fp);
			else
				admin_error("revoke", _("no certificate that has connected starts with %s "
				            "(see 'hearth admin principals')"), fp);
			rc = EXIT_FAIL;
			goto done;
		}
		snprintf(fp, sizeof(fp), "%s", match->fingerprint);
	}
	rv.fingerprint = fp;
	rv.reason = (char *)reason;
	req.body_case = HEARTH__ENVELOPE__BODY_REVOKE;
	req.revoke = &rv;
	if ((rc = admin_call(&s, "revoke", &req, HEARTH__ENVELOPE__BODY_REVOKE_RESULT, &resp)) != EXIT_OK)
		goto done;
	p = resp->revoke_result->principal;
	if (p && p->name[0])
		printf(_("revoked %s (%s%s%s certificate, fingerprint %s)"), p->name,
		       p->branch_id[0] ? "branch " : "", p->branch_id[0] ? p->branch_id : identity_role_word(p->role),
		       "", fp);
	else
		printf(_("revoked certificate %s"), fp);
	printf(P_("; closed %u live connection\n", "; closed %u live connections\n",
	          resp->revoke_result->closed_connections),
	       resp->revoke_result->closed_connections);
done:
	envelope_free(resp, NULL);
	envelope_free(list, NULL);
	session_close(&s);
	return rc;
}

/* ------------------------------------------------ conflicts and resolve */

/* The conflict queue from the server into *q (server_conflicts.h).
 * Returns EXIT_OK with *from_server set, or EXIT_OK with it clear after
 * a note (unreachable, lost, an older hearthd): the caller lists the
 * replica; or an exit code after printing a refusal. */
static int queue_from_server(cli *c, const char *branch, int reveal, server_conflicts *q, int *from_server)
{
	const char *knob = getenv("HEARTH_TEST_QUEUE_LIMIT");
	session s;
	int rc;

	*from_server = 0;
	memset(q, 0, sizeof(*q));
	if (session_open(&s, &c->prof) != 0) {
		fprintf(stderr, _("hearth: admin conflicts: note: cannot reach the server (%s); listing this "
		                "replica's conflicts as of its last sync\n"), s.error);
		session_close(&s);
		return EXIT_OK;
	}
	/* HEARTH_TEST_QUEUE_LIMIT: smaller pages, so t_srvqueue.sh pages. */
	rc = server_conflicts_fetch(&s, &(server_conflicts_opts){ .branch = branch, .reveal = reveal,
	                                   .limit = knob ? (uint32_t)strtoul(knob, NULL, 10) : 0 }, q);
	if (rc == SERVER_CONFLICTS_DONE) {
		*from_server = 1;
	} else if (rc == SERVER_CONFLICTS_OLD_SERVER) {
		fprintf(stderr, _("hearth: admin conflicts: note: the server does not answer the conflict queue "
		                "(an older hearthd); listing this replica's conflicts as of its last sync\n"));
	} else if (rc == SERVER_CONFLICTS_LOST) {
		fprintf(stderr, _("hearth: admin conflicts: note: lost the server (%s); listing this replica's "
		                "conflicts as of its last sync\n"), q->error[0] ? q->error : s.error);
	} else if (rc == SERVER_CONFLICTS_REFUSED) {
		rc = cli_refused("admin conflicts", "conflict queue", q->refusal);
		session_close(&s);
		server_conflicts_free(q);
		return rc;
	} else {
		admin_error("conflicts", "%s", _(hearth_strerror(rc)));
		session_close(&s);
		server_conflicts_free(q);
		return EXIT_FAIL;
	}
	session_close(&s);
	if (!*from_server)
		server_conflicts_free(q);
	return EXIT_OK;
}

int admin_conflicts(cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "branch", required_argument, NULL, 'b' },
		{ "json", no_argument, NULL, 'j' },
		{ "reveal", no_argument, NULL, 'r' },
		{ "offline", no_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *branch = NULL;
	int json = 0, reveal = 0, offline = 0, from_server = 0, o, rc;
	server_conflicts q;

	admin_reset_getopt();
	while ((o = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (o == 'j')
			json = 1;
		else if (o == 'r')
			reveal = 1;
		else if (o == 'b')
			branch = optarg;
		else if (o == 'o')
			offline = 1;
		else if (o == 'h') {
			printf(_("usage: hearth admin conflicts [--branch ID] [--json] [--reveal] [--offline]\n\n"
			       "The conflict queue of every branch (or of one), as the server holds it now:\n"
			       "no replica needed. With --offline, or when the server cannot be reached or\n"
			       "is an older hearthd (a note says so), from this replica as of its last\n"
			       "'hearth sync'. Oldest first; for each conflict its branch, the record, who\n"
			       "made each side and when, and both values of each field. Settle one with\n"
			       "'hearth admin resolve CONFLICT --keep mine|theirs' or '--set FIELD=VALUE'.\n"
			       "Admin and auditor certificates. Sensitive values are masked unless\n"
			       "--reveal, which the server records in its audit log at once (from the\n"
			       "replica: at the next sync).\n"));
			return EXIT_OK;
		} else
			return EXIT_USAGE;
	}
	if (optind < argc) {
		admin_error("conflicts", _("unexpected argument \"%s\""), argv[optind]);
		return EXIT_USAGE;
	}
	if (branch && !admin_branch_id_valid(branch)) {
		admin_error("conflicts", _("--branch \"%s\" is not a branch id"), branch);
		return EXIT_USAGE;
	}
	if ((rc = admin_require_role(c, "conflicts", 1, NULL)) != EXIT_OK)
		return rc;
	if (!offline && (rc = queue_from_server(c, branch, reveal, &q, &from_server)) != EXIT_OK)
		return rc;
	conflicts_print_opts po = { .cmd = "admin conflicts", .branch = branch, .json = json,
	                            .show_branch = 1, .reveal = reveal };
	if (from_server) {
		po.given = (const Hearth__Conflict *const *)q.conflicts;
		po.n_given = q.n;
		po.given_masked = q.masked;
	}
	rc = conflicts_print(c, &po);
	if (from_server)
		server_conflicts_free(&q);
	return rc;
}

int admin_resolve(cli *c, int argc, char **argv)
{
	int rc;
	if (cli_wants_help(argc, argv)) {
		rc = cmd_resolve(c, argc, argv);
		printf(_("\nAn admin may --keep a conflict this replica does not hold (see 'hearth admin\n"
		         "conflicts', which lists the server's queue): it is settled on the server at\n"
		         "once, from the server's copy of the record.\n"));
		return rc;
	}
	if ((rc = admin_require_role(c, "resolve", 0, NULL)) != EXIT_OK)
		return rc;
	admin_reset_getopt();
	return conflicts_resolve(c, argc, argv, 1);
}
