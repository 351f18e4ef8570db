/* web_admin.c: the routes behind `hearth ui`'s committee screens (支部,
 * 人员与证书, 冲突队列, 统计, 全委报表), each over the request or the core
 * function its `hearth admin` subcommand uses. */
#include "client/ui/web_admin.h"

#include <jansson.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client/core/admin_requests.h"
#include "client/core/audit_text.h"
#include "client/core/branch_lookup.h"
#include "client/core/due_load.h"
#include "client/core/enroll.h"
#include "client/core/event_list.h"
#include "client/core/identity.h"
#include "client/core/reasons.h"
#include "client/core/replica.h"
#include "client/core/replica_conflicts.h"
#include "client/core/replica_events.h"
#include "client/core/replica_meta.h"
#include "client/core/resolve.h"
#include "client/core/server_conflicts.h"
#include "client/core/session.h"
#include "client/core/committee_fetch.h"
#include "client/core/stats_load.h"
#include "common/stats.h"
#include "client/core/values.h"
#include "client/ui/output.h"
#include "client/ui/report.h"
#include "client/ui/web_api_lend.h"
#include "common/date.h"
#include "common/hearth.h"
#include "common/i18n.h"
#include "common/record.h"
#include "common/uuid.h"

/* The files of the last enrolment, kept for the page's downloads until
 * the next enrolment or the end of `hearth ui`. */
typedef struct enrolled {
	char who[64];               /* file stem: branch id, "admin", "auditor" */
	char *key, *cert, *csr, *ca;
	char ext[800];
} enrolled;

struct web_admin {
	profile prof;
	tls_identity id;            /* from the profile's certificate */
	int id_ok;
	enrolled last;
};

int web_admin_new(web_admin **out, const web_api_options *o)
{
	web_admin *w = calloc(1, sizeof(*w));
	char err[300];

	*out = NULL;
	if (!w)
		return HEARTH_ENOMEM;
	w->prof = *o->prof;
	w->id_ok = identity_read(w->prof.cert, &w->id, err, sizeof(err)) == IDENTITY_OK;
	*out = w;
	return 0;
}

static void forget_enrolled(enrolled *e)
{
	if (e->key)
		OPENSSL_cleanse(e->key, strlen(e->key));
	free(e->key);
	free(e->cert);
	free(e->csr);
	free(e->ca);
	memset(e, 0, sizeof(*e));
}

void web_admin_free(web_admin *w)
{
	if (!w)
		return;
	forget_enrolled(&w->last);
	free(w);
}

int web_admin_is_post_only(const char *path)
{
	return !strcmp(path, "/api/admin/branch") || !strcmp(path, "/api/admin/revoke") ||
	       !strcmp(path, "/api/admin/enroll") || !strcmp(path, "/api/admin/resolve") ||
	       !strcmp(path, "/api/admin/reveal");
}

static void set_str(json_t *o, const char *key, const char *s)
{
	json_object_set_new(o, key, web_jstr(s));
}

/* ------------------------------------------------------------ the words */

static const struct {
	const char *key, *text;
} words[] = {
	{ "admin_nav_branches", N_("Branches") },
	{ "admin_nav_people", N_("People and certificates") },
	{ "admin_nav_queue", N_("Conflict queue") },
	{ "admin_nav_stats", N_("Statistics") },
	{ "admin_nav_committee", N_("Committee report") },
	{ "admin_nav_general_stats", N_("General branch statistics") },
	{ "admin_nav_general_report", N_("General branch report") },
	{ "admin_read_only", N_("This certificate may look at the committee's screens but not change them.") },
	{ "admin_branches_help", N_("Every branch the server knows, with the general branch (党总支) it "
	                      "belongs to, as 'hearth admin branch list' shows them.") },
	{ "admin_branch_id", N_("Branch id") },
	{ "admin_branch_name", N_("Name") },
	{ "admin_branch_parent", N_("General branch (党总支)") },
	{ "admin_branch_secretary", N_("Secretary") },
	{ "admin_branch_none", N_("(none)") },
	{ "admin_general_edits", N_("Its general-branch certificates may edit the records of the branches below it") },
	{ "admin_general_edits_on", N_("may edit the branches below") },
	{ "admin_branch_add", N_("Add a branch") },
	{ "admin_branch_add_help", N_("The id is what certificates and records use: letters, digits, '.', "
	                        "'_' and '-' (e.g. b003). It never changes.") },
	{ "admin_branch_edit", N_("Rename or move") },
	{ "admin_branch_save", N_("Save") },
	{ "admin_branch_added", N_("Branch added.") },
	{ "admin_branch_saved", N_("Branch saved.") },
	{ "admin_no_branches", N_("No branches yet.") },
	{ "admin_people_help", N_("Everyone whose certificate has connected, as 'hearth admin principals' "
	                    "lists them. Revoking takes effect at once: the server closes the holder's "
	                    "connections and refuses the certificate from then on.") },
	{ "admin_person", N_("Name") },
	{ "admin_role", N_("Role") },
	{ "admin_branch", N_("Branch") },
	{ "admin_fingerprint", N_("Fingerprint") },
	{ "admin_last_seen", N_("Last seen") },
	{ "admin_logins", N_("Logins") },
	{ "admin_status", N_("Status") },
	{ "admin_valid", N_("valid") },
	{ "admin_revoked", N_("revoked") },
	{ "admin_revoke", N_("Revoke") },
	{ "admin_revoke_reason", N_("Reason for revoking") },
	{ "admin_revoke_confirm", N_("Revoke this certificate? Its holder can no longer connect.") },
	{ "admin_revoked_done", N_("Revoked.") },
	{ "admin_role_branch", N_("branch operator") },
	{ "admin_role_admin", N_("admin") },
	{ "admin_role_auditor", N_("auditor") },
	{ "admin_enroll", N_("Issue a certificate") },
	{ "admin_enroll_help", N_("Makes a new user's private key and certificate, signed by the committee "
	                    "CA, as 'hearth admin enroll' does. Without the CA key on this machine it "
	                    "makes a certificate request and the command that signs it.") },
	{ "admin_enroll_ca_key", N_("CA key file (empty: ca.key beside the CA certificate)") },
	{ "admin_enroll_do", N_("Issue") },
	{ "admin_enroll_done", N_("Certificate issued for %s.") },
	{ "admin_enroll_csr", N_("No CA key here: a key and a certificate request were made for %s.") },
	{ "admin_enroll_files", N_("Download the files and hand them over in person; the private key is "
	                     "kept only until the next certificate is issued or hearth ui stops.") },
	{ "admin_enroll_init", N_("On the new user's machine:") },
	{ "admin_enroll_sign", N_("Sign the request where the CA key is kept:") },
	{ "admin_enroll_until", N_("valid until %s") },
	{ "admin_file_key", N_("Private key") },
	{ "admin_file_cert", N_("Certificate") },
	{ "admin_file_ca", N_("CA certificate") },
	{ "admin_file_csr", N_("Certificate request") },
	{ "admin_file_ext", N_("Extensions") },
	{ "admin_queue_help", N_("Open conflicts of every branch. For each field the value on the server "
	                   "and the other edit; resolve here, then sync to send the resolution.") },
	{ "admin_queue_from_server", N_("As the server holds them now.") },
	{ "admin_queue_from_replica", N_("The server cannot be reached (or is older): from this replica as of "
	                   "its last sync.") },
	{ "admin_queue_empty", N_("No open conflicts.") },
	{ "admin_queue_all", N_("All branches") },
	{ "admin_field", N_("Field") },
	{ "admin_server_value", N_("On the server") },
	{ "admin_other_value", N_("The other edit") },
	{ "admin_set_value", N_("Change to…") },
	{ "admin_keep_server", N_("Keep the server's") },
	{ "admin_keep_other", N_("Take the other edit") },
	{ "admin_set_values", N_("Use the values typed") },
	{ "admin_set_empty", N_("Type a value under “Change to…” first.") },
	{ "admin_resolved", N_("Resolved; sync to send it to the server.") },
	{ "admin_delete_conflict", N_("One side deleted this record, the other changed it.") },
	{ "admin_view_record", N_("View the record") },
	{ "admin_reveal", N_("Show the masked values") },
	{ "admin_reveal_help", N_("Sensitive values are masked; Show displays them and records that in the audit log.") },
	{ "admin_by", N_("by %s") },
	{ "admin_stats_help", N_("The figures of 'hearth admin stats' per branch, with subtotals per general "
	                   "branch and the totals, computed by the server when it is reachable, else from "
	                   "this replica (sync first for the latest).") },
	{ "admin_from_server", N_("Computed by the server from its records just now.") },
	{ "admin_from_replica", N_("From this replica: the server did not compute them (%s).") },
	{ "admin_total", N_("Total") },
	{ "admin_subtotal", N_("Subtotal %s") },
	{ "admin_year", N_("Year") },
	{ "admin_show", N_("Show") },
	{ "admin_last_sync", N_("Last sync: %s") },
	{ "admin_never", N_("never") },
	{ "admin_report_help", N_("The committee's report for the year as one HTML file with charts, as "
	                    "'hearth admin report' writes it: open it to read or print (A4), or save it "
	                    "to pass on.") },
	{ "admin_general_stats_help", N_("The figures of 'hearth admin stats' for this general branch (党总支) "
	                           "and every branch below it, with their subtotal, computed by the server "
	                           "when it is reachable, else from this replica (sync first for the latest).") },
	{ "admin_general_report_help", N_("This general branch's report for the year (its own branch and every "
	                            "branch below it) as one HTML file with charts, as 'hearth admin report' "
	                            "writes it: open it to read or print (A4), or save it to pass on.") },
	{ "admin_report_open", N_("Open the report") },
	{ "admin_report_download", N_("Download the report") },
	{ "admin_branches_from_cache", N_("The server is not reachable: branch names are from the last list fetched.") },
};

static void do_text(web_api_answer *an)
{
	json_t *j = json_object();

	for (size_t i = 0; i < HEARTH_ARRAY_LEN(words); i++)
		set_str(j, words[i].key, _(words[i].text));
	web_answer(an, 200, j);
}

/* ------------------------------------------------------ who may do what */

typedef enum need {
	NEED_FIGURES,               /* admin, auditor or general branch: the figures of its scope,
	                             * which the server limits (统计, 全委报表 / 总支报表) */
	NEED_READ,                  /* admin or auditor, as the console's listings */
	NEED_WRITE,                 /* admin only */
} need;

/* Whether the profile's certificate may use a route; otherwise answers 403
 * with what the certificate is. The server checks again. */
static int allowed(const web_admin *w, need n, web_api_answer *an)
{
	char msg[600];

	if (!w->id_ok) {
		web_refuse(an, 403, NULL, NULL, _("cannot read this profile's certificate; the committee's "
		                                  "screens need an admin certificate"));
		return 0;
	}
	if (w->id.role == HEARTH__ROLE__ROLE_ADMIN)
		return 1;
	if (w->id.role == HEARTH__ROLE__ROLE_AUDITOR) {
		if (n != NEED_WRITE)
			return 1;
		web_refuse(an, 403, NULL, NULL, _("an auditor certificate may look at the committee's screens "
		                                  "but not change them"));
		return 0;
	}
	if (w->id.role == HEARTH__ROLE__ROLE_GENERAL && n == NEED_FIGURES)
		return 1;
	if (w->id.role == HEARTH__ROLE__ROLE_GENERAL)
		snprintf(msg, sizeof(msg), _("the committee's screens need an admin certificate; this profile's "
		                             "certificate (%s) is the general branch %s's"),
		         w->id.name, w->id.branch_id);
	else
		snprintf(msg, sizeof(msg), _("the committee's screens need an admin certificate; this profile's "
		                             "certificate (%s) is a branch certificate of %s"),
		         w->id.name, w->id.branch_id);
	web_refuse(an, 403, NULL, NULL, msg);
	return 0;
}

/* Connects to the server as `hearth admin` does; on failure answers 502. */
static int connect_server(web_admin *w, session *s, web_api_answer *an)
{
	char msg[1400];

	if (session_open(s, &w->prof) == 0)
		return 0;
	snprintf(msg, sizeof(msg), _("cannot reach the server (%s); this screen needs it"), s->error);
	session_close(s);
	web_refuse(an, 502, NULL, NULL, msg);
	return -1;
}

/* Answers an admin request that did not get its answer. */
static void refuse_outcome(admin_outcome o, const char *why, web_api_answer *an)
{
	char said[1200], msg[1400];

	if (o == ADMIN_LOST) {
		snprintf(msg, sizeof(msg), _("the connection to the server failed: %s"), why);
		web_refuse(an, 502, NULL, NULL, msg);
		return;
	}
	snprintf(msg, sizeof(msg), _("the server refused: %s"), reasons_localize(NULL, why, said, sizeof(said)));
	web_refuse(an, 422, NULL, NULL, msg);
}

static const char *role_label(Hearth__Role r)
{
	switch (r) {
	case HEARTH__ROLE__ROLE_BRANCH: return _("branch operator");
	case HEARTH__ROLE__ROLE_GENERAL: return _("general branch");
	case HEARTH__ROLE__ROLE_ADMIN: return _("admin");
	case HEARTH__ROLE__ROLE_AUDITOR: return _("auditor");
	default: return "-";
	}
}

static const Hearth__Branch *find_branch(const Hearth__BranchList *l, const char *id)
{
	for (size_t i = 0; l && id && i < l->n_branches; i++)
		if (!strcmp(l->branches[i]->id, id))
			return l->branches[i];
	return NULL;
}

/* A branch's name from l, "" when unknown. */
static const char *branch_name(const Hearth__BranchList *l, const char *id)
{
	const Hearth__Branch *b = find_branch(l, id);
	return b && b->name ? b->name : "";
}

/* The branch list: from the server (then kept in the replica), else the
 * one kept. *fresh says which; *resp holds the server's answer (free it
 * with envelope_free), the kept list is returned to free otherwise. */
typedef struct branch_names {
	Hearth__Envelope *resp;
	Hearth__BranchList *kept;
	const Hearth__BranchList *l;
	int fresh;
} branch_names;

static void names_load(web_admin *w, replica *r, branch_names *bn)
{
	session s;
	char why[600];
	int rc;

	memset(bn, 0, sizeof(*bn));
	/* A general branch's certificate may not list the console's branches:
	 * it names its subtree from the directory any principal may ask for,
	 * else the one its last sync kept. */
	if (w->id_ok && w->id.role == HEARTH__ROLE__ROLE_GENERAL) {
		if (session_open(&s, &w->prof) == 0 &&
		    admin_request_directory(&s, &bn->resp, why, sizeof(why)) == ADMIN_ANSWERED) {
			bn->l = bn->resp->branch_list;
			bn->fresh = 1;
		} else if (r) {
			bn->l = bn->kept = branch_directory(r, &rc);
		}
		session_close(&s);
		return;
	}
	if (session_open(&s, &w->prof) == 0 &&
	    admin_request_branches(&s, &bn->resp, why, sizeof(why)) == ADMIN_ANSWERED) {
		bn->l = bn->resp->branch_list;
		bn->fresh = 1;
		if (r)
			(void)admin_branches_remember(r, bn->l);
	} else if (r) {
		bn->l = bn->kept = admin_branches_recall(r);
	}
	session_close(&s);
}

static void names_free(branch_names *bn)
{
	if (bn->resp)
		envelope_free(bn->resp, NULL);
	if (bn->kept)
		hearth__branch_list__free_unpacked(bn->kept, NULL);
	memset(bn, 0, sizeof(*bn));
}

/* ------------------------------------------------------------- 支部 */

static void do_branches(web_admin *w, web_api *a, web_api_answer *an)
{
	Hearth__Envelope *resp = NULL;
	json_t *arr;
	session s;
	replica r;
	char why[1200];
	admin_outcome out;

	if (!allowed(w, NEED_READ, an) || connect_server(w, &s, an) != 0)
		return;
	out = admin_request_branches(&s, &resp, why, sizeof(why));
	session_close(&s);
	if (out != ADMIN_ANSWERED) {
		refuse_outcome(out, why, an);
		return;
	}
	/* Kept for the figures' names offline, as `admin stats` keeps it. */
	if (web_open_replica(a, &r, an) == 0) {
		(void)admin_branches_remember(&r, resp->branch_list);
		replica_close(&r);
	}
	arr = json_array();
	for (size_t i = 0; i < resp->branch_list->n_branches; i++) {
		const Hearth__Branch *b = resp->branch_list->branches[i];
		json_t *o = json_object();
		int general = 0;
		for (size_t k = 0; k < resp->branch_list->n_branches; k++)
			general |= !strcmp(resp->branch_list->branches[k]->parent, b->id);
		set_str(o, "id", b->id);
		set_str(o, "name", b->name);
		set_str(o, "parent", b->parent);
		set_str(o, "parent_name", branch_name(resp->branch_list, b->parent));
		set_str(o, "secretary", b->secretary);
		json_object_set_new(o, "general", json_boolean(general));
		json_object_set_new(o, "general_edits", json_boolean(b->general_edits));
		json_array_append_new(arr, o);
	}
	envelope_free(resp, NULL);
	web_answer(an, 200, arr);
}

/* A text of the body: absent is NULL; present and not a string is refused. */
static int body_text(json_t *j, const char *key, const char **out, web_api_answer *an)
{
	json_t *v = json_object_get(j, key);
	char msg[200];

	*out = NULL;
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_string(v)) {
		snprintf(msg, sizeof(msg), _("\"%s\" must be text"), key);
		web_refuse(an, 400, NULL, key, msg);
		return -1;
	}
	*out = json_string_value(v);
	return 0;
}

/* 新增/改名/调整上级: one BranchPut, as `admin branch add|rename`; an update
 * sends the whole branch, so the fields not given keep their value. */
static void do_branch_put(web_admin *w, const web_api_request *rq, web_api_answer *an)
{
	json_t *j, *o;
	const char *id, *name, *parent, *secretary;
	Hearth__Branch b = HEARTH__BRANCH__INIT;
	Hearth__Envelope *resp = NULL, *list = NULL;
	const Hearth__Branch *nb;
	admin_general_edits edits = ADMIN_GENERAL_EDITS_KEEP;
	int create;
	session s;
	char why[1200];
	admin_outcome out;

	if (!allowed(w, NEED_WRITE, an) || !(j = web_body_json(rq, an)))
		return;
	create = json_is_true(json_object_get(j, "create"));
	/* general_edits: true or false to change it, absent to keep it. */
	if (json_is_boolean(json_object_get(j, "general_edits")))
		edits = json_is_true(json_object_get(j, "general_edits")) ? ADMIN_GENERAL_EDITS_ALLOW
		                                                          : ADMIN_GENERAL_EDITS_FORBID;
	if (body_text(j, "id", &id, an) || body_text(j, "name", &name, an) || body_text(j, "parent", &parent, an) ||
	    body_text(j, "secretary", &secretary, an))
		goto done;
	if (!id || !admin_branch_id_valid(id)) {
		snprintf(why, sizeof(why), _("\"%s\" is not a branch id (letters, digits, '.', '_', '-', at most %d)"),
		         id ? id : "", ADMIN_BRANCH_ID_MAX);
		web_refuse(an, 422, NULL, "id", why);
		goto done;
	}
	if (create && !name) {
		web_refuse(an, 422, NULL, "name", _("the branch's name is required (e.g. 第三党支部)"));
		goto done;
	}
	if (!create && !name && !parent && !secretary && !edits) {
		web_refuse(an, 422, NULL, "name", _("nothing to change: give a name, a general branch or a secretary"));
		goto done;
	}
	if (name && admin_text_check(_("the branch's name"), name, ADMIN_BRANCH_NAME_MAX, 1, why, sizeof(why))) {
		web_refuse(an, 422, NULL, "name", why);
		goto done;
	}
	if (secretary && admin_text_check(_("the secretary"), secretary, ADMIN_SECRETARY_MAX, 0, why, sizeof(why))) {
		web_refuse(an, 422, NULL, "secretary", why);
		goto done;
	}
	if (parent && parent[0] && !admin_branch_id_valid(parent)) {
		snprintf(why, sizeof(why), _("\"%s\" is not a branch id"), parent);
		web_refuse(an, 422, NULL, "parent", why);
		goto done;
	}
	if (parent && !strcmp(parent, id)) {
		web_refuse(an, 422, NULL, "parent", _("a branch cannot be its own general branch"));
		goto done;
	}
	if (connect_server(w, &s, an) != 0)
		goto done;
	b.id = (char *)id;
	b.name = (char *)(name ? name : "");
	b.parent = (char *)(parent ? parent : "");
	b.secretary = (char *)(secretary ? secretary : "");
	if (!create) {
		const Hearth__Branch *cur;
		out = admin_request_branches(&s, &list, why, sizeof(why));
		if (out != ADMIN_ANSWERED) {
			refuse_outcome(out, why, an);
			goto close;
		}
		if (!(cur = find_branch(list->branch_list, id))) {
			snprintf(why, sizeof(why), _("branch %s does not exist; add it first"), id);
			web_refuse(an, 404, NULL, "id", why);
			goto close;
		}
		if (!name)
			b.name = cur->name;
		if (!parent)
			b.parent = cur->parent;
		if (!secretary)
			b.secretary = cur->secretary;
	}
	out = admin_request_branch_put(&s, &(admin_branch_put_args){ .b = &b, .create = create, .edits = edits },
	                               &resp, why, sizeof(why));
	if (out != ADMIN_ANSWERED) {
		refuse_outcome(out, why, an);
		goto close;
	}
	nb = resp->branch_put_result->branch ? resp->branch_put_result->branch : &b;
	o = json_object();
	set_str(o, "id", nb->id);
	set_str(o, "name", nb->name);
	set_str(o, "parent", nb->parent);
	set_str(o, "secretary", nb->secretary);
	json_object_set_new(o, "general_edits", json_boolean(nb->general_edits));
	web_answer(an, 200, o);
close:
	session_close(&s);
done:
	envelope_free(resp, NULL);
	envelope_free(list, NULL);
	json_decref(j);
}

/* ----------------------------------------------------------- 人员与证书 */

static void do_principals(web_admin *w, web_api *a, web_api_answer *an)
{
	Hearth__Envelope *resp = NULL;
	const Hearth__PrincipalsList *l;
	branch_names bn;
	json_t *arr;
	session s;
	replica r;
	char why[1200], when[64];
	admin_outcome out;
	int opened;

	if (!allowed(w, NEED_READ, an) || connect_server(w, &s, an) != 0)
		return;
	out = admin_request_principals(&s, &resp, why, sizeof(why));
	session_close(&s);
	if (out != ADMIN_ANSWERED) {
		refuse_outcome(out, why, an);
		return;
	}
	opened = web_open_replica(a, &r, an) == 0;
	names_load(w, opened ? &r : NULL, &bn);
	if (opened)
		replica_close(&r);
	l = resp->principals_list;
	arr = json_array();
	for (size_t i = 0; i < l->n_principals; i++) {
		const Hearth__PrincipalInfo *p = l->principals[i];
		json_t *o = json_object();
		set_str(o, "fingerprint", p->fingerprint);
		set_str(o, "name", p->name);
		set_str(o, "role", identity_role_word(p->role));
		set_str(o, "role_label", role_label(p->role));
		set_str(o, "branch", p->branch_id);
		set_str(o, "branch_name", branch_name(bn.l, p->branch_id));
		out_local_time(p->first_seen, "-", when, sizeof(when));
		set_str(o, "first_seen", when);
		out_local_time(p->last_seen, "-", when, sizeof(when));
		set_str(o, "last_seen", when);
		json_object_set_new(o, "logins", json_integer((json_int_t)p->logins));
		json_object_set_new(o, "revoked", json_boolean(p->revoked));
		if (p->revoked) {
			out_local_time(p->revoked_at, "-", when, sizeof(when));
			set_str(o, "revoked_at", when);
			set_str(o, "revoked_by", p->revoked_by);
			set_str(o, "revoked_reason", p->revoked_reason);
		}
		json_array_append_new(arr, o);
	}
	names_free(&bn);
	envelope_free(resp, NULL);
	web_answer(an, 200, arr);
}

/* 吊销: `admin revoke FINGERPRINT --reason TEXT`; a prefix of at least 8
 * digits must name one principal. */
static void do_revoke(web_admin *w, const web_api_request *rq, web_api_answer *an)
{
	json_t *j, *o;
	const char *fp_text, *reason;
	Hearth__Envelope *resp = NULL, *list = NULL;
	const Hearth__PrincipalInfo *p;
	char fp[65], why[1200];
	size_t len;
	session s;
	admin_outcome out;

	if (!allowed(w, NEED_WRITE, an) || !(j = web_body_json(rq, an)))
		return;
	if (body_text(j, "fingerprint", &fp_text, an) || body_text(j, "reason", &reason, an))
		goto done;
	len = fp_text ? admin_fingerprint_normalize(fp_text, fp) : 0;
	if (len < ADMIN_FINGERPRINT_PREFIX_MIN) {
		snprintf(why, sizeof(why), _("\"%s\" is not a certificate fingerprint (64 hex digits, or a prefix "
		                             "of at least 8)"), fp_text ? fp_text : "");
		web_refuse(an, 422, NULL, "fingerprint", why);
		goto done;
	}
	if (admin_text_check(_("the reason"), reason ? reason : "", ADMIN_REASON_MAX, 1, why, sizeof(why))) {
		web_refuse(an, 422, NULL, "reason", why);
		goto done;
	}
	if (connect_server(w, &s, an) != 0)
		goto done;
	if (len < 64) {
		const Hearth__PrincipalInfo *match;
		size_t n = 0;
		out = admin_request_principals(&s, &list, why, sizeof(why));
		if (out != ADMIN_ANSWERED) {
			refuse_outcome(out, why, an);
			goto close;
		}
		match = admin_principal_by_prefix(list->principals_list, fp, &n);
		if (!match) {
			if (n)
				snprintf(why, sizeof(why), _("%zu certificates start with %s; give more digits"), n, fp);
			else
				snprintf(why, sizeof(why), _("no certificate that has connected starts with %s"), fp);
			web_refuse(an, 422, NULL, "fingerprint", why);
			goto close;
		}
		snprintf(fp, sizeof(fp), "%s", match->fingerprint);
	}
	out = admin_request_revoke(&s, fp, reason, &resp, why, sizeof(why));
	if (out != ADMIN_ANSWERED) {
		refuse_outcome(out, why, an);
		goto close;
	}
	p = resp->revoke_result->principal;
	o = json_object();
	set_str(o, "fingerprint", fp);
	set_str(o, "name", p ? p->name : "");
	json_object_set_new(o, "closed_connections", json_integer(resp->revoke_result->closed_connections));
	web_answer(an, 200, o);
close:
	session_close(&s);
done:
	envelope_free(resp, NULL);
	envelope_free(list, NULL);
	json_decref(j);
}

/* 发证: `admin enroll`, the files kept for download. The branch must exist
 * (asked of the server; when it cannot be reached, a warning). */
static void do_enroll(web_admin *w, const web_api_request *rq, web_api_answer *an)
{
	json_t *j, *o, *files;
	const char *role_text, *branch, *name, *ca_key_opt, *field;
	enroll_spec spec;
	enroll_made m = { 0 };
	enrolled e;
	X509 *ca = NULL;
	EVP_PKEY *ca_key = NULL;
	char why[1400], ca_key_path[1100], warning[1400] = "", bname[260] = "", line[6000];
	int rc;

	memset(&e, 0, sizeof(e));
	if (!allowed(w, NEED_WRITE, an) || !(j = web_body_json(rq, an)))
		return;
	if (body_text(j, "role", &role_text, an) || body_text(j, "branch", &branch, an) ||
	    body_text(j, "name", &name, an) || body_text(j, "ca_key", &ca_key_opt, an))
		goto done;
	memset(&spec, 0, sizeof(spec));
	if (enroll_role_parse(role_text, &spec.role) != 0) {
		web_refuse(an, 422, NULL, "role", _("the role is branch, admin or auditor"));
		goto done;
	}
	spec.org = w->id.org;
	spec.branch = branch;
	spec.name = name;
	if (enroll_spec_check(&spec, &field, why, sizeof(why)) != 0) {
		web_refuse(an, 422, NULL, field, why);
		goto done;
	}
	if (spec.role == HEARTH__ROLE__ROLE_BRANCH) {
		Hearth__Envelope *resp = NULL;
		session s;
		admin_outcome out;
		if (session_open(&s, &w->prof) != 0) {
			snprintf(warning, sizeof(warning), _("cannot reach the server to check that branch %s exists (%s); "
			                                     "issued anyway"), spec.branch, s.error);
		} else if ((out = admin_request_branches(&s, &resp, why, sizeof(why))) != ADMIN_ANSWERED) {
			session_close(&s);
			refuse_outcome(out, why, an);
			goto done;
		} else if (!find_branch(resp->branch_list, spec.branch)) {
			envelope_free(resp, NULL);
			session_close(&s);
			snprintf(why, sizeof(why), _("branch %s does not exist; add it under 支部 first"), spec.branch);
			web_refuse(an, 422, NULL, "branch", why);
			goto done;
		} else {
			snprintf(bname, sizeof(bname), "%s", branch_name(resp->branch_list, spec.branch));
			envelope_free(resp, NULL);
		}
		session_close(&s);
	}
	if (!(ca = identity_load_cert(w->prof.ca))) {
		snprintf(why, sizeof(why), _("cannot read the CA certificate %s named in the profile"), w->prof.ca);
		web_refuse(an, 500, NULL, NULL, why);
		goto done;
	}
	if (ca_key_opt && ca_key_opt[0])
		snprintf(ca_key_path, sizeof(ca_key_path), "%s", ca_key_opt);
	else
		enroll_default_ca_key(w->prof.ca, ca_key_path, sizeof(ca_key_path));
	rc = enroll_load_ca_key(ca_key_path, ca, &ca_key, why, sizeof(why));
	if (rc == HEARTH_ENOTFOUND && ca_key_opt && ca_key_opt[0]) {
		snprintf(why, sizeof(why), _("there is no file %s on this machine"), ca_key_path);
		web_refuse(an, 422, NULL, "ca_key", why);
		goto done;
	}
	if (rc != 0 && rc != HEARTH_ENOTFOUND) {
		web_refuse(an, 422, NULL, "ca_key", why);
		goto done;
	}
	if (enroll_issue(&spec, ca, ca_key, &m, why, sizeof(why)) != 0) {
		web_refuse(an, 500, NULL, NULL, why);
		goto done;
	}
	enroll_who(&spec, e.who, sizeof(e.who));
	e.key = enroll_key_pem(m.key);
	e.ca = enroll_cert_pem(ca);
	if (m.cert)
		e.cert = enroll_cert_pem(m.cert);
	else
		e.csr = enroll_req_pem(m.req);
	snprintf(e.ext, sizeof(e.ext), "%s", m.ext);
	if (!e.key || !e.ca || (!e.cert && !e.csr)) {
		web_refuse(an, 500, NULL, NULL, _("out of memory"));
		goto done;
	}
	forget_enrolled(&w->last);
	w->last = e;
	memset(&e, 0, sizeof(e));

	o = json_object();
	json_object_set_new(o, "signed", json_boolean(m.cert != NULL));
	set_str(o, "name", spec.name);
	set_str(o, "role", identity_role_word(spec.role));
	set_str(o, "role_label", role_label(spec.role));
	set_str(o, "branch", spec.branch ? spec.branch : "");
	set_str(o, "branch_name", bname);
	set_str(o, "fingerprint", m.fingerprint);
	set_str(o, "until", m.until);
	set_str(o, "warning", warning);
	set_str(o, "ca_key", ca_key_path);
	files = json_array();
	{
		static const struct {
			const char *file, *ext;
			int want_cert;  /* 1: only with a certificate, 2: only with a request, 0: always */
		} parts[] = { { "cert", "pem", 1 }, { "key", "key", 0 }, { "ca", "pem", 0 },
		              { "csr", "csr", 2 }, { "ext", "ext", 2 } };
		for (size_t i = 0; i < HEARTH_ARRAY_LEN(parts); i++) {
			json_t *f;
			char fname[100];
			if ((parts[i].want_cert == 1 && !m.cert) || (parts[i].want_cert == 2 && m.cert))
				continue;
			f = json_object();
			if (!strcmp(parts[i].file, "ca"))
				snprintf(fname, sizeof(fname), "ca.pem");
			else
				snprintf(fname, sizeof(fname), "%s.%s", w->last.who, parts[i].ext);
			set_str(f, "file", parts[i].file);
			set_str(f, "name", fname);
			json_array_append_new(files, f);
		}
	}
	json_object_set_new(o, "files", files);
	/* The lines to copy, as the command prints them, with the files'
	 * names as the browser saves them. */
	{
		char cert[80], key[80], csr[80], ext[80], *args;
		snprintf(cert, sizeof(cert), "%s.pem", w->last.who);
		snprintf(key, sizeof(key), "%s.key", w->last.who);
		snprintf(csr, sizeof(csr), "%s.csr", w->last.who);
		snprintf(ext, sizeof(ext), "%s.ext", w->last.who);
		args = enroll_init_args(w->prof.server, cert, key, "ca.pem");
		snprintf(line, sizeof(line), "hearth init --server %s", args ? args : "…");
		free(args);
		set_str(o, "init", line);
		if (!m.cert) {
			args = enroll_sign_args(csr, w->prof.ca, ca_key_path, ext, cert);
			snprintf(line, sizeof(line), "openssl x509 -req -in %s", args ? args : "…");
			free(args);
			set_str(o, "sign", line);
		}
	}
	web_answer(an, 200, o);
done:
	forget_enrolled(&e);
	enroll_made_free(&m);
	EVP_PKEY_free(ca_key);
	X509_free(ca);
	json_decref(j);
}

/* One file of the last enrolment, as a download. */
static void do_enrolled(web_admin *w, const web_api_request *rq, web_api_answer *an)
{
	const char *file = rq->arg(rq->arg_ctx, "file");
	const char *text = NULL, *ext = "pem";
	char msg[200];

	if (!allowed(w, NEED_WRITE, an))
		return;
	if (!file)
		file = "";
	if (!strcmp(file, "key"))
		text = w->last.key, ext = "key";
	else if (!strcmp(file, "cert"))
		text = w->last.cert;
	else if (!strcmp(file, "ca"))
		text = w->last.ca;
	else if (!strcmp(file, "csr"))
		text = w->last.csr, ext = "csr";
	else if (!strcmp(file, "ext"))
		text = w->last.ext[0] ? w->last.ext : NULL, ext = "ext";
	else {
		snprintf(msg, sizeof(msg), _("\"%s\" is not a file of an enrolment (key, cert, ca, csr, ext)"), file);
		web_refuse(an, 400, NULL, "file", msg);
		return;
	}
	if (!text) {
		web_refuse(an, 404, NULL, "file", _("no such file: issue a certificate first (the files are kept "
		                                    "only until hearth ui stops)"));
		return;
	}
	an->data = strdup(text);
	if (!an->data) {
		web_refuse(an, 500, NULL, NULL, _("out of memory"));
		return;
	}
	an->data_len = strlen(text);
	an->status = 200;
	an->json = strdup("");
	an->data_type = !strcmp(ext, "ext") ? "text/plain; charset=utf-8" : "application/x-pem-file";
	if (!strcmp(file, "ca"))
		snprintf(an->filename, sizeof(an->filename), "ca.pem");
	else
		snprintf(an->filename, sizeof(an->filename), "%s.%s", w->last.who, ext);
}

/* ------------------------------------------------------------- 冲突队列 */

typedef struct queue_ctx {
	replica *r;
	const char *branch;
	const Hearth__BranchList *names;
	json_t *arr;
} queue_ctx;

/* One conflict for the page: its record, branch, who made each side and
 * both values of each field, masked unless view says revealed. */
static json_t *conflict_json(const Hearth__Conflict *c, const Hearth__BranchList *names, value_view view)
{
	const kind_info *k = kind_find(c->kind);
	json_t *o, *fields;
	char idt[UUID_TEXT_LEN + 1] = "", rid[UUID_TEXT_LEN + 1] = "", when[64];

	o = json_object();
	fields = json_array();
	if (c->id.len == UUID_LEN)
		uuid_format(c->id.data, idt);
	if (c->record_id.len == UUID_LEN)
		uuid_format(c->record_id.data, rid);
	set_str(o, "id", idt);
	{
		/* Its queue position, so that 显示 asks the server for this
		 * conflict alone (server_conflicts_reveal_one). */
		uint8_t pos[SERVER_CONFLICTS_POS];
		char hex[2 * SERVER_CONFLICTS_POS + 1];
		server_conflicts_position(c, pos);
		for (size_t i = 0; i < sizeof(pos); i++)
			snprintf(hex + 2 * i, 3, "%02x", pos[i]);
		set_str(o, "position", hex);
	}
	set_str(o, "record", rid);
	set_str(o, "kind", k ? k->name : "");
	set_str(o, "kind_label", k ? k->label : "");
	set_str(o, "branch", c->branch_id);
	set_str(o, "branch_name", branch_name(names, c->branch_id));
	set_str(o, "server_by", c->server_by);
	set_str(o, "other_by", c->op_by);
	out_local_time(c->created_at, "-", when, sizeof(when));
	set_str(o, "when", when);
	json_object_set_new(o, "delete_conflict", json_boolean(c->delete_conflict));
	json_object_set_new(o, "server_deleted", json_boolean(c->server_deleted));
	for (size_t i = 0; i < c->n_fields; i++) {
		const Hearth__ConflictField *f = c->fields[i];
		const field_rule *rule = k ? kind_rule(k, f->field) : NULL;
		/* Masked like every listing (value_field_view, the one mask); a
		 * kind this client does not know shows no values. */
		char *sv = k ? value_field_view(k, f->field, f->server_value.data, f->server_value.len, view) : NULL;
		char *ov = k ? value_field_view(k, f->field, f->op_value.data, f->op_value.len, view) : NULL;
		int hidden = view == VALUE_MASKED && rule && (rule->flags & FIELD_SENSITIVE) &&
		             (f->server_value.len || f->op_value.len);
		json_t *fo = json_object();
		json_object_set_new(fo, "masked", json_boolean(hidden));
		set_str(fo, "name", f->name);
		set_str(fo, "label", rule && rule->label ? rule->label : f->name);
		set_str(fo, "server", sv ? sv : "");
		set_str(fo, "other", ov ? ov : "");
		free(sv);
		free(ov);
		json_array_append_new(fields, fo);
	}
	json_object_set_new(o, "fields", fields);
	return o;
}

static int queue_one(void *ctx, const Hearth__Conflict *c)
{
	queue_ctx *x = ctx;

	if (x->branch && x->branch[0] && strcmp(x->branch, c->branch_id ? c->branch_id : ""))
		return 0;
	json_array_append_new(x->arr, conflict_json(c, x->names, VALUE_MASKED));
	return 0;
}

/* The conflict id_text (a full id) at pos_hex (its queue position in hex,
 * or NULL: the server's queue is searched) revealed by the server into *q: 1
 * when the server answered with it (and audited the reveal), else 0 and
 * q holds nothing. */
static int reveal_from_server(web_admin *w, const char *id_text, const char *pos_hex, server_conflicts *q)
{
	uint8_t id[UUID_LEN], pos[SERVER_CONFLICTS_POS];
	int has_pos = pos_hex && strlen(pos_hex) == 2 * SERVER_CONFLICTS_POS;
	session s;
	int rc = -1;

	memset(q, 0, sizeof(*q));
	if (uuid_parse(id_text, id) != 0)
		return 0;
	for (size_t i = 0; has_pos && i < sizeof(pos); i++) {
		unsigned v;
		has_pos = sscanf(pos_hex + 2 * i, "%2x", &v) == 1;
		pos[i] = (uint8_t)v;
	}
	if (session_open(&s, &w->prof) == 0)
		rc = server_conflicts_reveal_one(&s, id, has_pos ? pos : NULL, q);
	session_close(&s);
	if (rc == SERVER_CONFLICTS_DONE && q->n == 1)
		return 1;
	server_conflicts_free(q);
	return 0;
}

/* 显示 on a conflict: the server reveals it when it is reachable (and
 * audits that at once); else its reveal event is queued in the replica
 * before any value leaves, as `admin conflicts --reveal` does
 * (event_list_add_conflict). */
static void do_queue_reveal(web_admin *w, web_api *a, const web_api_request *rq, web_api_answer *an)
{
	json_t *j;
	const char *id;
	Hearth__Conflict *cf = NULL;
	server_conflicts q;
	event_list ev = { 0 };
	branch_names bn = { 0 };
	char err[1400];
	replica r;
	int rc;

	if (!allowed(w, NEED_READ, an) || !(j = web_body_json(rq, an)))
		return;
	if (web_open_replica(a, &r, an) != 0) {
		json_decref(j);
		return;
	}
	id = json_string_value(json_object_get(j, "id"));
	/* The server reveals (and audits) the conflict itself when it can:
	 * the page may list conflicts this replica does not hold. */
	if (id && reveal_from_server(w, id, json_string_value(json_object_get(j, "position")), &q)) {
		bn.l = bn.kept = admin_branches_recall(&r);
		web_answer(an, 200, conflict_json(q.conflicts[0], bn.l, VALUE_REVEALED));
		server_conflicts_free(&q);
		goto done;
	}
	if (!id || replica_get_conflict(&r, id, &cf, err, sizeof(err)) != 0) {
		web_refuse(an, 404, NULL, "id", id ? err : _("\"id\" names no conflict"));
		goto done;
	}
	rc = event_list_add_conflict(&ev, cf, "ui admin conflicts reveal");
	if (rc == 0 && ev.n)
		rc = replica_queue_events(&r, ev.ev, ev.n);
	if (rc != 0) {
		snprintf(err, sizeof(err), _("cannot record the reveal in the local replica (%s); nothing was shown"),
		         hearth_strerror(rc));
		web_refuse(an, 500, NULL, NULL, err);
		goto done;
	}
	bn.l = bn.kept = admin_branches_recall(&r);
	web_answer(an, 200, conflict_json(cf, bn.l, VALUE_REVEALED));
done:
	names_free(&bn);
	event_list_free(&ev);
	if (cf)
		hearth__conflict__free_unpacked(cf, NULL);
	replica_close(&r);
	json_decref(j);
}

/* The server's conflict queue (of branch, or all) into *q: 1 when it
 * answered, else 0 (unreachable, an older hearthd, a refusal) and q holds
 * nothing. */
static int queue_from_server(web_admin *w, const char *branch, server_conflicts *q)
{
	session s;
	int rc = -1;

	memset(q, 0, sizeof(*q));
	if (session_open(&s, &w->prof) == 0)
		rc = server_conflicts_fetch(&s, &(server_conflicts_opts){ .branch = branch }, q);
	session_close(&s);
	if (rc == SERVER_CONFLICTS_DONE)
		return 1;
	server_conflicts_free(q);
	return 0;
}

static void do_queue(web_admin *w, web_api *a, const web_api_request *rq, web_api_answer *an)
{
	server_conflicts q;
	int from_server;
	queue_ctx x;
	branch_names bn;
	replica r;
	json_t *j, *branches;
	char why[300];
	int rc;

	if (!allowed(w, NEED_READ, an) || web_open_replica(a, &r, an) != 0)
		return;
	memset(&x, 0, sizeof(x));
	names_load(w, &r, &bn);
	x.r = &r;
	x.branch = rq->arg(rq->arg_ctx, "branch");
	x.names = bn.l;
	x.arr = json_array();
	/* The server's queue when it answers (no replica needed), else the
	 * replica's as of its last sync; "source" says which. */
	from_server = queue_from_server(w, x.branch, &q);
	if (from_server) {
		/* Resolved here, sent at the next 同步: settled for this page. */
		rc = replica_drop_resolved_here(&r, q.conflicts, &q.n);
		for (size_t i = 0; rc == 0 && i < q.n; i++)
			queue_one(&x, q.conflicts[i]);
		server_conflicts_free(&q);
	} else {
		rc = replica_each_conflict(&r, queue_one, &x);
	}
	replica_close(&r);
	if (rc != 0) {
		json_decref(x.arr);
		names_free(&bn);
		snprintf(why, sizeof(why), _("cannot read the local replica: %s"), _(hearth_strerror(rc)));
		web_refuse(an, 500, NULL, NULL, why);
		return;
	}
	j = json_object();
	json_object_set_new(j, "conflicts", x.arr);
	set_str(j, "source", from_server ? "server" : "replica");
	branches = json_array();
	for (size_t i = 0; bn.l && i < bn.l->n_branches; i++) {
		json_t *b = json_object();
		set_str(b, "id", bn.l->branches[i]->id);
		set_str(b, "name", bn.l->branches[i]->name);
		json_array_append_new(branches, b);
	}
	json_object_set_new(j, "branches", branches);
	json_object_set_new(j, "can_resolve", json_boolean(w->id.role == HEARTH__ROLE__ROLE_ADMIN));
	names_free(&bn);
	web_answer(an, 200, j);
}

/* 保留服务器的 / 采用另一方的 / 改为…: `admin resolve`, an op of this
 * replica that the next sync sends. On an admin's replica "mine" is the
 * server's side unless this replica pushed the op (resolve.h). */
static void do_resolve(web_admin *w, web_api *a, const web_api_request *rq, web_api_answer *an)
{
	json_t *j, *set;
	const char *id, *keep;
	Hearth__Conflict *cf = NULL;
	char err[1400];
	replica r;

	if (!allowed(w, NEED_WRITE, an) || !(j = web_body_json(rq, an)))
		return;
	id = json_string_value(json_object_get(j, "id"));
	keep = json_string_value(json_object_get(j, "keep"));
	set = json_object_get(j, "set");
	if (set ? !json_is_object(set) || keep : !keep || (strcmp(keep, "server") && strcmp(keep, "other"))) {
		web_refuse(an, 400, NULL, "keep", _("say \"keep\": \"server\" or \"other\", or \"set\": {field: value}"));
		json_decref(j);
		return;
	}
	if (web_open_replica(a, &r, an) != 0) {
		json_decref(j);
		return;
	}
	if (!id || replica_get_conflict(&r, id, &cf, err, sizeof(err)) != 0) {
		web_refuse(an, 404, NULL, "id", id ? err : _("\"id\" names no conflict"));
	} else if (set) {
		web_resolve_set(&r, cf, set, an);
	} else {
		int op_mine = resolve_mine_is_op(&r, cf);
		int server = !strcmp(keep, "server");
		resolve_side side = server == !op_mine ? RESOLVE_KEEP_MINE : RESOLVE_KEEP_THEIRS;
		if (resolve_keep(&r, cf, side, err, sizeof(err)) != 0)
			web_refuse(an, 422, NULL, NULL, err);
		else
			web_answer(an, 200, json_object());
	}
	if (cf)
		hearth__conflict__free_unpacked(cf, NULL);
	replica_close(&r);
	json_decref(j);
}

/* --------------------------------------------------------- 统计, 全委报表 */

/* The year argument (default this year), as `--year`: 1921 to 2199. */
static int year_arg(const web_api_request *rq, int *year, web_api_answer *an)
{
	const char *t = rq->arg(rq->arg_ctx, "year");
	char d[11], msg[200];

	date_format(date_today(), d);
	*year = atoi(d);
	if (!t || !t[0])
		return 0;
	if (strlen(t) != 4 || strspn(t, "0123456789") != 4 || atoi(t) < 1921 || atoi(t) > 2199) {
		snprintf(msg, sizeof(msg), _("\"%s\" is not a year from 1921 to 2199"), t);
		web_refuse(an, 400, NULL, "year", msg);
		return -1;
	}
	*year = atoi(t);
	return 0;
}

/* The rows the figures show before any is counted: every branch of l, or
 * for a general branch's certificate its subtree (stats_add_subtree). */
static int add_rows(const web_admin *w, stats *st, const Hearth__BranchList *l)
{
	if (w->id.role == HEARTH__ROLE__ROLE_GENERAL)
		return stats_add_subtree(st, l, w->id.branch_id);
	return stats_add_branches(st, l);
}

/* What `admin stats` and `admin report` compute: computed by the server
 * when it answers (CommitteeRequest, every branch of the certificate's
 * scope), else counted over this replica; branches named from the server
 * (else the list kept). *why gets, for the replica, why the server did not
 * answer ("" when it did). On 0 st is finished (stats_free it). */
static int compute_stats(web_admin *w, web_api *a, int year, stats *st, int64_t *last_sync, int *fresh,
                         char *why, size_t why_cap, web_api_answer *an)
{
	branch_names bn;
	replica_status rs;
	due_config cfg;
	int32_t today;
	replica r;
	session s;
	Hearth__Envelope *refusal = NULL;
	committee_outcome out;
	char err[600];
	int rc;

	why[0] = '\0';
	if (due_config_load(&cfg, w->prof.home, err, sizeof(err)) != 0 || due_today(&today, err, sizeof(err)) != 0) {
		web_refuse(an, 500, NULL, NULL, err);
		return -1;
	}
	if (web_open_replica(a, &r, an) != 0)
		return -1;
	if (replica_status_get(&r, &rs) != 0)
		memset(&rs, 0, sizeof(rs));
	*last_sync = rs.last_sync_ms;
	names_load(w, &r, &bn);
	*fresh = bn.fresh;
	stats_init(st, year, today, &cfg);
	rc = add_rows(w, st, bn.l);
	if (rc == 0 && session_open(&s, &w->prof) == 0) {
		out = committee_fetch(&s, st, &refusal, why, why_cap);
		if (out == COMMITTEE_DONE) {
			session_close(&s);
			names_free(&bn);
			replica_close(&r);
			stats_finish(st);
			return 0;
		}
		if (out == COMMITTEE_OLD)
			snprintf(why, why_cap, "%s", _("the server is an older hearthd"));
		else if (out == COMMITTEE_REFUSED && refusal->body_case == HEARTH__ENVELOPE__BODY_ERROR &&
		         refusal->error && refusal->error->message)
			snprintf(why, why_cap, "%s", reasons_localize(NULL, refusal->error->message, err, sizeof(err)));
		else if (out == COMMITTEE_REFUSED)
			snprintf(why, why_cap, "%s", _("the server answered something else than was asked"));
		else if (out == COMMITTEE_NOMEM)
			snprintf(why, why_cap, "%s", _(hearth_strerror(HEARTH_ENOMEM)));
		envelope_free(refusal, NULL);
		session_close(&s);
		stats_free(st);
		stats_init(st, year, today, &cfg);
		rc = add_rows(w, st, bn.l);
	} else if (rc == 0) {
		snprintf(why, why_cap, "%s", s.error);
		session_close(&s);
	}
	names_free(&bn);
	if (rc == 0)
		rc = stats_scan(st, &r);
	replica_close(&r);
	if (rc != 0) {
		stats_free(st);
		snprintf(err, sizeof(err), _("cannot read the local replica: %s"), _(hearth_strerror(rc)));
		web_refuse(an, 500, NULL, NULL, err);
		return -1;
	}
	stats_finish(st);
	return 0;
}

static json_t *stats_row_json(const stats_column *cols, size_t n, const stats_row *row)
{
	json_t *o = json_object(), *cells = json_array();
	char cell[64];

	set_str(o, "branch", row->branch);
	set_str(o, "name", row->name);
	set_str(o, "parent", row->parent);
	for (size_t i = 0; i < n; i++) {
		stats_cell(&cols[i], row, cell, sizeof(cell));
		json_array_append_new(cells, web_jstr(cell));
	}
	json_object_set_new(o, "cells", cells);
	return o;
}

static void do_stats(web_admin *w, web_api *a, const web_api_request *rq, web_api_answer *an)
{
	const stats_column *cols;
	size_t n;
	stats st;
	int64_t last_sync;
	int year, fresh;
	json_t *j, *arr;
	char when[64], why[800];

	if (!allowed(w, NEED_FIGURES, an) || year_arg(rq, &year, an) != 0 ||
	    compute_stats(w, a, year, &st, &last_sync, &fresh, why, sizeof(why), an) != 0)
		return;
	cols = stats_columns(&n);
	j = json_object();
	json_object_set_new(j, "year", json_integer(year));
	/* Where the figures came from, for the page to say: the server's
	 * computation (as of now), or this replica (as of its last sync, and
	 * why the server did not answer). */
	set_str(j, "source", st.from_committee ? "server" : "replica");
	set_str(j, "server_note", why);
	out_local_time(last_sync, "", when, sizeof(when));
	set_str(j, "last_sync", when);
	json_object_set_new(j, "names_fresh", json_boolean(fresh));
	arr = json_array();
	for (size_t i = 0; i < n; i++) {
		json_t *c = json_object();
		set_str(c, "key", cols[i].key);
		set_str(c, "label", cols[i].label);
		json_object_set_new(c, "group", json_integer(cols[i].group));
		json_array_append_new(arr, c);
	}
	json_object_set_new(j, "columns", arr);
	arr = json_array();
	for (size_t i = 0; i < st.n; i++)
		json_array_append_new(arr, stats_row_json(cols, n, &st.rows[i]));
	json_object_set_new(j, "rows", arr);
	arr = json_array();
	for (size_t i = 0; i < st.n_sub; i++)
		json_array_append_new(arr, stats_row_json(cols, n, &st.subtotals[i]));
	json_object_set_new(j, "subtotals", arr);
	json_object_set_new(j, "total", stats_row_json(cols, n, &st.total));
	stats_free(&st);
	web_answer(an, 200, j);
}

/* The report is report.c's one HTML file (inline CSS and SVG, every text
 * escaped, no script). Opened in the browser (view=1) it is served with
 * a CSP of its own that allows its inline style and nothing else. */
static const char report_csp[] = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
                                 "frame-ancestors 'none'; base-uri 'none'; form-action 'none'; sandbox";

static void do_report(web_admin *w, web_api *a, const web_api_request *rq, web_api_answer *an)
{
	const char *view = rq->arg(rq->arg_ctx, "view");
	report_info info;
	stats st;
	int64_t last_sync;
	int year, fresh, rc;
	char *buf = NULL, why[800];
	size_t len = 0;
	FILE *f;

	/* The report's header says where its figures came from (report.c). */
	if (!allowed(w, NEED_FIGURES, an) || year_arg(rq, &year, an) != 0 ||
	    compute_stats(w, a, year, &st, &last_sync, &fresh, why, sizeof(why), an) != 0)
		return;
	info.general = w->id.role == HEARTH__ROLE__ROLE_GENERAL ? w->id.branch_id : NULL;
	info.org = w->id.org;
	info.author = w->id.name;
	info.generated_ms = session_now_ms();
	info.last_sync_ms = last_sync;
	f = open_memstream(&buf, &len);
	rc = f ? report_write_html(f, &st, &info) : HEARTH_ENOMEM;
	if (f && fclose(f) != 0)
		rc = HEARTH_ENOMEM;
	stats_free(&st);
	if (rc != 0) {
		free(buf);
		web_refuse(an, 500, NULL, NULL, _("cannot write the report: out of memory"));
		return;
	}
	an->data = buf;
	an->data_len = len;
	an->status = 200;
	an->json = strdup("");
	an->data_type = "text/html; charset=utf-8";
	an->inline_view = view && !strcmp(view, "1");
	an->csp = report_csp;
	snprintf(an->filename, sizeof(an->filename), "%s-%d.html",
	         info.general ? _("general-branch-report") : _("committee-report"), year);
}

/* -------------------------------------------------------------- routes */

int web_admin_handle(web_admin *w, web_api *a, const web_api_request *rq, web_api_answer *an)
{
	const char *p = rq->path;

	if (strncmp(p, "/api/admin/", 11) != 0)
		return 0;
	if (!rq->post) {
		if (!strcmp(p, "/api/admin/text"))
			do_text(an);
		else if (!strcmp(p, "/api/admin/branches"))
			do_branches(w, a, an);
		else if (!strcmp(p, "/api/admin/principals"))
			do_principals(w, a, an);
		else if (!strcmp(p, "/api/admin/enrolled"))
			do_enrolled(w, rq, an);
		else if (!strcmp(p, "/api/admin/conflicts"))
			do_queue(w, a, rq, an);
		else if (!strcmp(p, "/api/admin/stats"))
			do_stats(w, a, rq, an);
		else if (!strcmp(p, "/api/admin/report"))
			do_report(w, a, rq, an);
		else
			return 0;
		return 1;
	}
	if (!strcmp(p, "/api/admin/branch"))
		do_branch_put(w, rq, an);
	else if (!strcmp(p, "/api/admin/revoke"))
		do_revoke(w, rq, an);
	else if (!strcmp(p, "/api/admin/enroll"))
		do_enroll(w, rq, an);
	else if (!strcmp(p, "/api/admin/resolve"))
		do_resolve(w, a, rq, an);
	else if (!strcmp(p, "/api/admin/reveal"))
		do_queue_reveal(w, a, rq, an);
	else
		return 0;
	return 1;
}
