/* web_pages.c: the routes behind `hearth ui`'s history, 回收站, 报表 and
 * 导入/导出 pages and the 同步 button's progress, each over the client core
 * its CLI command uses, so the page and the command never disagree. */
#include "client/ui/web_pages.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client/core/due_load.h"
#include "client/core/import.h"
#include "client/core/local_rules.h"
#include "client/core/member_log.h"
#include "client/core/replica.h"
#include "client/core/replica_meta.h"
#include "common/yearly.h"
#include "client/ui/web_api_lend.h"
#include "client/ui/web_audit.h"
#include "client/ui/web_dues.h"
#include "common/date.h"
#include "common/enums.h"
#include "common/hearth.h"
#include "common/i18n.h"
#include "common/record.h"
#include "common/uuid.h"

struct web_pages {
	web_history_fn history;
	void *history_arg;
	web_export_fn export_list;
	void *export_arg;
	pthread_mutex_t mu;         /* guards the progress below */
	int running;
	char what[16];              /* "pushing", "pulling" */
	uint64_t done, total;
	unsigned syncs;             /* syncs finished since the start */
};

int web_pages_new(web_pages **out, const web_api_options *o)
{
	web_pages *p = calloc(1, sizeof(*p));

	*out = NULL;
	if (!p)
		return HEARTH_ENOMEM;
	if (pthread_mutex_init(&p->mu, NULL) != 0) {
		free(p);
		return HEARTH_ENOMEM;
	}
	p->history = o->history;
	p->history_arg = o->history_arg;
	p->export_list = o->export_list;
	p->export_arg = o->export_arg;
	*out = p;
	return 0;
}

void web_pages_free(web_pages *p)
{
	if (!p)
		return;
	pthread_mutex_destroy(&p->mu);
	free(p);
}

int web_pages_is_post_only(const char *path)
{
	return !strcmp(path, "/api/restore") || !strcmp(path, "/api/import") || !strcmp(path, "/api/member-log/add") ||
	       web_dues_is_post_only(path);
}

static void set_str(json_t *o, const char *key, const char *s)
{
	json_object_set_new(o, key, web_jstr(s));
}

/* ------------------------------------------------------------ the words */

/* The words of these pages, by key; the page asks for them once, so every
 * label and help text comes from the catalog in the locale's language. */
static const struct {
	const char *key, *text;
} words[] = {
	{ "nav_trash", N_("Recycle bin") },
	{ "nav_report", N_("Year report") },
	{ "nav_import", N_("Import / export") },
	{ "kind", N_("Kind") },
	{ "record", N_("Record") },
	{ "changed_by", N_("Last changed by") },
	{ "restore", N_("Restore") },
	{ "trash_help", N_("Deleted records stay here until the server purges them. Restore brings "
	                   "one back; the server makes it a new revision at the next sync.") },
	{ "trash_empty", N_("The recycle bin is empty.") },
	{ "restored", N_("Restored; it goes to the server at the next sync.") },
	{ "history", N_("History") },
	{ "history_help", N_("Every change the committee's audit log holds for this record: when, "
	                     "who, and each field from its old value to its new one. It is read from "
	                     "the server, so it needs the network; a change made here appears after "
	                     "the next sync.") },
	{ "history_none", N_("The audit log holds no change of this record yet.") },
	{ "history_loading", N_("Reading the history from the server…") },
	{ "when", N_("When") },
	{ "who", N_("Who") },
	{ "action", N_("Action") },
	{ "changes", N_("Changes") },
	{ "report_title", N_("Year report of %s") },
	{ "report_help", N_("The year in figures, from this office's replica (sync first for the "
	                    "latest), as 'hearth report year' prints them. Print gives an A4 page.") },
	{ "year", N_("Year") },
	{ "show", N_("Show") },
	{ "print", N_("Print") },
	{ "item", N_("Item") },
	{ "value", N_("Value") },
	{ "import_title", N_("Import / export") },
	{ "import_help", N_("Add or update records from a CSV file or an Excel workbook (.xlsx), as "
	                    "'hearth KIND import' does: the first row names the columns (the labels "
	                    "an export writes); Check reads every cell and shows each bad one, and "
	                    "Import stores all rows or none. Export downloads a list to edit and "
	                    "import back.") },
	{ "import_kind", N_("Records of") },
	{ "import_file", N_("File") },
	{ "import_check", N_("Check") },
	{ "import_do", N_("Import") },
	{ "import_bad", N_("Problems (nothing was stored)") },
	{ "import_row", N_("Row") },
	{ "import_column", N_("Column") },
	{ "import_problem", N_("Problem") },
	{ "import_no_file", N_("Choose a file first.") },
	{ "export_csv", N_("Download CSV") },
	{ "export_xlsx", N_("Download xlsx") },
	{ "export_help", N_("An export is recorded in the audit log; sensitive fields are masked in it.") },
	{ "sync_pushing", N_("Sending changes: %1 of %2") },
	{ "sync_pulling", N_("Receiving changes: %1") },
	{ "sync_started", N_("Connecting to the server…") },
	{ "needs", N_("Talks owed") },
	{ "needs_none", N_("No talk owed is recorded.") },
	{ "needs_help", N_("A talk the rules require (difficulty, conflict, mistake, problem, promotion …): "
	                   "首页's 应办事项 lists it until a talk with that trigger is held.") },
	{ "need_add", N_("Record a talk owed") },
	{ "reason", N_("Reason") },
	{ "date", N_("Date") },
	{ "note", N_("Note") },
	{ "by", N_("Recorded by") },
	{ "channel", N_("Channel") },
	{ "contacts", N_("Contact log") },
	{ "contacts_none", N_("No contact is recorded.") },
	{ "contacts_help", N_("For a mobile member: 首页's 应办事项 reminds when none is recorded for 90 days.") },
	{ "contact_add", N_("Record a contact") },
	{ "saved", N_("Saved; it is sent at the next sync.") },
};

static void do_text(web_api_answer *an)
{
	json_t *j = json_object();

	for (size_t i = 0; i < HEARTH_ARRAY_LEN(words); i++)
		set_str(j, words[i].key, _(words[i].text));
	web_audit_text(j);
	web_dues_text(j);
	web_answer(an, 200, j);
}

/* ------------------------------------------------------------- history */

typedef struct hist_ctx {
	json_t *arr;
} hist_ctx;

static int hist_one(void *ctx, const web_history_entry *e)
{
	hist_ctx *h = ctx;
	json_t *o = json_object(), *ch = json_array();
	const char *label = web_action_label(e->action);

	json_object_set_new(o, "seq", json_integer((json_int_t)e->seq));
	set_str(o, "when", e->when);
	set_str(o, "who", e->who);
	set_str(o, "where", e->where);
	set_str(o, "action", e->action);
	set_str(o, "action_label", label);
	json_object_set_new(o, "rev_before", json_integer((json_int_t)e->rev_before));
	json_object_set_new(o, "rev_after", json_integer((json_int_t)e->rev_after));
	set_str(o, "detail", e->detail);
	for (size_t i = 0; i < e->n_changes; i++) {
		const web_history_change *c = &e->changes[i];
		json_t *co = json_object();
		set_str(co, "name", c->name);
		set_str(co, "label", c->label && c->label[0] ? c->label : c->name);
		set_str(co, "old", c->old_text);
		set_str(co, "new", c->new_text);
		json_array_append_new(ch, co);
	}
	json_object_set_new(o, "changes", ch);
	json_array_append_new(h->arr, o);
	return 0;
}

static void do_history(web_pages *p, const web_api_request *rq, web_api_answer *an)
{
	const char *text = rq->arg(rq->arg_ctx, "id");
	uint8_t id[UUID_LEN];
	hist_ctx h;
	char err[1400] = "", msg[200];

	if (!text || uuid_parse(text, id) != 0) {
		snprintf(msg, sizeof(msg), _("id \"%s\" is not a record id"), text ? text : "");
		web_refuse(an, 400, NULL, "id", msg);
		return;
	}
	if (!p->history) {
		web_refuse(an, 503, NULL, NULL, _("the history is read from the server, and this app has no "
		                                  "connection to it"));
		return;
	}
	h.arr = json_array();
	if (p->history(p->history_arg, id, hist_one, &h, err, sizeof(err)) != 0) {
		json_decref(h.arr);
		web_refuse(an, 502, NULL, NULL, err[0] ? err : _("cannot read the history from the server"));
		return;
	}
	web_answer(an, 200, h.arr);
}

/* ------------------------------------------------------------- 回收站 */

typedef struct trash_ctx {
	replica *r;
	const kind_info *k;
	json_t *arr;
} trash_ctx;

/* The text a deleted record is known by: its first list column. */
static void title_of(const kind_info *k, json_t *fields, char *out, size_t cap)
{
	char first[64] = "";
	size_t i;
	json_t *f;

	if (k->list_fields)
		snprintf(first, sizeof(first), "%.*s", (int)strcspn(k->list_fields, ","), k->list_fields);
	out[0] = '\0';
	json_array_foreach(fields, i, f) {
		const char *t = json_string_value(json_object_get(f, "text"));
		if (!strcmp(json_string_value(json_object_get(f, "name")), first) && t) {
			snprintf(out, cap, "%s", t);
			return;
		}
	}
}

static int trash_one(void *ctx, const Hearth__Record *rec)
{
	trash_ctx *t = ctx;
	json_t *o, *fields;
	char idt[UUID_TEXT_LEN + 1], title[400];

	if (!(t->k = kind_find(rec->kind)))
		return 0;
	o = json_object();
	fields = web_fields_json(t->r, t->k, record_body(rec), VALUE_MASKED);
	uuid_format(rec->id.data, idt);
	title_of(t->k, fields, title, sizeof(title));
	set_str(o, "id", idt);
	set_str(o, "kind", t->k->name);
	set_str(o, "kind_label", t->k->label);
	set_str(o, "title", title);
	set_str(o, "updated_by", rec->updated_by);
	json_object_set_new(o, "fields", fields);
	json_array_append_new(t->arr, o);
	return 0;
}

static void do_trash(web_api *a, web_api_answer *an)
{
	trash_ctx t;
	replica r;
	int rc = 0;

	if (web_open_replica(a, &r, an) != 0)
		return;
	t.r = &r;
	t.arr = json_array();
	/* One pass over the replica for every kind's tombstones (in id
	 * order), not one pass per kind. */
	rc = replica_each_deleted(&r, 0, trash_one, &t);
	replica_close(&r);
	if (rc != 0) {
		char why[300];
		json_decref(t.arr);
		snprintf(why, sizeof(why), _("cannot read the local replica: %s"), _(hearth_strerror(rc)));
		web_refuse(an, 500, NULL, NULL, why);
		return;
	}
	web_answer(an, 200, t.arr);
}

/* 恢复: `KIND restore ID` (replica_restore). */
static void do_restore(web_api *a, const web_api_request *rq, web_api_answer *an)
{
	json_t *j = web_body_json(rq, an);
	const char *text;
	uint8_t id[UUID_LEN];
	char err[1200] = "";
	replica r;
	int rc;

	if (!j)
		return;
	text = json_string_value(json_object_get(j, "id"));
	if (web_is_auditor(a)) {
		web_refuse(an, 403, NULL, NULL, _("an auditor certificate cannot change records; auditors only read"));
	} else if (!text || uuid_parse(text, id) != 0) {
		web_refuse(an, 400, NULL, "id", _("\"id\" is not a record id"));
	} else if (web_open_replica(a, &r, an) == 0) {
		rc = replica_restore(&r, id, err, sizeof(err));
		if (rc != 0)
			web_refuse(an, rc == HEARTH_ENOTFOUND ? 404 : rc == HEARTH_EINVAL ? 422 : 500, NULL, NULL,
			           err[0] ? err : _(hearth_strerror(rc)));
		else
			web_answer(an, 200, json_object());
		replica_close(&r);
	}
	json_decref(j);
}

/* ------------------------------------------------ 需谈话事项, 联系记录 */

/* A member's talks owed (需谈话事项) and, for a 流动党员, the contact log:
 * the lines `member show` prints, for the member's page. */
static void do_member_log(web_api *a, const web_api_request *rq, web_api_answer *an)
{
	Hearth__Record *rec;
	const kind_info *k;
	replica r;

	if (web_open_replica(a, &r, an) != 0)
		return;
	if (web_load_record(&r, rq->arg(rq->arg_ctx, "id"), &rec, &k, an) == 0) {
		json_t *j = json_object(), *needs = json_array(), *contacts = json_array();

		if (rec->body_case == HEARTH__RECORD__BODY_MEMBER && rec->member) {
			const Hearth__Member *m = rec->member;
			for (size_t i = 0; i < m->n_talk_needs; i++) {
				json_t *o = json_object();
				set_str(o, "reason", enum_label(&hearth__talk_trigger__descriptor, m->talk_needs[i]->reason));
				set_str(o, "date", m->talk_needs[i]->date);
				set_str(o, "note", m->talk_needs[i]->note);
				set_str(o, "by", m->talk_needs[i]->by);
				json_array_append_new(needs, o);
			}
			for (size_t i = 0; i < m->n_contacts; i++) {
				json_t *o = json_object();
				set_str(o, "date", m->contacts[i]->date);
				set_str(o, "channel", m->contacts[i]->channel);
				set_str(o, "note", m->contacts[i]->note);
				set_str(o, "by", m->contacts[i]->by);
				json_array_append_new(contacts, o);
			}
		}
		json_object_set_new(j, "mobile", json_boolean(rec->member && rec->member->mobile));
		json_object_set_new(j, "talk_needs", needs);
		json_object_set_new(j, "contacts", contacts);
		web_answer(an, 200, j);
		hearth__record__free_unpacked(rec, NULL);
	}
	replica_close(&r);
}

/* Adds a talk owed ("what": "need", as `hearth member need`) or a contact
 * ("what": "contact", as `hearth member note`) to a member and stores it
 * as one local edit, validated like any edit (member_log.h). */
static void do_member_log_add(web_api *a, const web_api_request *rq, web_api_answer *an)
{
	json_t *j = web_body_json(rq, an);
	Hearth__Record *rec = NULL;
	const kind_info *k;
	const char *what;
	record_error rerr;
	char why[600], err[1200] = "";
	replica r;
	int rc;

	if (!j)
		return;
	what = json_string_value(json_object_get(j, "what"));
	if (web_is_auditor(a)) {
		web_refuse(an, 403, NULL, NULL, _("an auditor certificate cannot change records; auditors only read"));
		goto done;
	}
	if (!what || (strcmp(what, "need") && strcmp(what, "contact"))) {
		web_refuse(an, 400, NULL, "what", _("\"what\" must be \"need\" or \"contact\""));
		goto done;
	}
	if (web_open_replica(a, &r, an) != 0)
		goto done;
	if (web_load_record(&r, json_string_value(json_object_get(j, "id")), &rec, &k, an) != 0)
		goto close;
	if (rec->deleted || rec->body_case != HEARTH__RECORD__BODY_MEMBER || !rec->member) {
		web_refuse(an, 422, NULL, "id", _("talks owed and contacts are recorded on a member that is not deleted"));
		goto close;
	}
	{
		member_log_line l = {
			.date = json_string_value(json_object_get(j, "date")),
			.note = json_string_value(json_object_get(j, "note")),
			.channel = json_string_value(json_object_get(j, "channel")),
			.by = json_string_value(json_object_get(j, "by")),
			.reason = json_string_value(json_object_get(j, "reason")),
			.record = rec->member->name,
		};
		why[0] = '\0';
		rc = !strcmp(what, "need") ? member_log_add_need(rec->member, &l, why, sizeof(why))
		                           : member_log_add_note(k, (ProtobufCMessage *)rec->member, &l, why, sizeof(why));
	}
	if (rc != 0) {
		web_refuse(an, rc == HEARTH_EINVAL ? 422 : 500, NULL, !strcmp(what, "need") ? "reason" : NULL,
		           rc == HEARTH_EINVAL ? why : _("out of memory"));
		goto close;
	}
	memset(&rerr, 0, sizeof(rerr));
	if (record_validate_message(k, (ProtobufCMessage *)rec->member, &rerr) != 0) {
		web_refuse(an, 422, k, rerr.field, rerr.message);
		goto close;
	}
	{
		Hearth__Record *before = NULL;
		if (replica_get(&r, rec->id.data, &before) != 0)
			before = NULL;
		rc = local_rules_check(&r, k, rec->id.data, rec->branch_id ? rec->branch_id : "",
		                       (ProtobufCMessage *)rec->member, before ? record_body(before) : NULL, &rerr);
		if (before)
			hearth__record__free_unpacked(before, NULL);
	}
	if (rc == HEARTH_EINVAL) {
		web_refuse(an, 422, k, rerr.field, rerr.message);
		goto close;
	}
	if (rc == 0)
		rc = replica_edit(&r, rec, 0, err, sizeof(err));
	if (rc != 0)
		web_refuse(an, rc == HEARTH_EINVAL ? 422 : 500, NULL, NULL, err[0] ? err : _(hearth_strerror(rc)));
	else
		web_answer(an, 200, json_object());
close:
	if (rec)
		hearth__record__free_unpacked(rec, NULL);
	replica_close(&r);
done:
	json_decref(j);
}

/* --------------------------------------------------------------- 报表 */

/* `hearth report year`: yearly_compute over the kept records of the
 * replica's own branch (all branches of an admin replica). */
static void do_report(web_api *a, const web_api_request *rq, web_api_answer *an)
{
	const char *ytext = rq->arg(rq->arg_ctx, "year");
	char err[1200] = "", own[128] = "", day[11], key[256];
	const due_snapshot *all;
	due_snapshot snap;
	yearly_report rep;
	json_t *j, *figs;
	int32_t today;
	uint64_t gen;
	replica r;
	int year, rc;

	if (due_today(&today, err, sizeof(err)) != 0) {
		web_refuse(an, 500, NULL, NULL, err);
		return;
	}
	date_format(today, day);
	year = atoi(day);
	if (ytext && ytext[0]) {
		if (strlen(ytext) != 4 || strspn(ytext, "0123456789") != 4 || atoi(ytext) < 1900 ||
		    atoi(ytext) > 2199) {
			snprintf(err, sizeof(err), _("\"%s\" is not a year (YYYY, 1900 to 2199)"), ytext);
			web_refuse(an, 400, NULL, "year", err);
			return;
		}
		year = atoi(ytext);
	}
	if (web_open_replica(a, &r, an) != 0)
		return;
	(void)replica_meta_get_str(&r, "branch", own, sizeof(own));
	/* The answer depends on the replica, the year and today (it says it). */
	snprintf(key, sizeof(key), "report %d %s %s", year, day, own);
	if (web_cache_answer(a, &r, key, &gen, an)) {
		replica_close(&r);
		return;
	}
	if ((rc = web_due_snapshot(a, &r, &all)) == 0)
		rc = due_snapshot_view(all, own[0] ? own : NULL, &snap);
	if (rc != 0) {
		snprintf(err, sizeof(err), _("cannot read the local replica: %s"), _(hearth_strerror(rc)));
		web_refuse(an, 500, NULL, NULL, err);
		replica_close(&r);
		return;
	}
	rc = yearly_compute(&snap, own[0] ? own : NULL, year, &rep);
	due_snapshot_free(&snap);
	if (rc != 0) {
		web_refuse(an, 500, NULL, NULL, _(hearth_strerror(rc)));
		replica_close(&r);
		return;
	}
	j = json_object();
	figs = json_array();
	json_object_set_new(j, "year", json_integer(rep.year));
	set_str(j, "branch", own);
	for (size_t i = 0; i < rep.n; i++) {
		const yearly_figure *f = &rep.f[i];
		char v[YEARLY_TEXT_MAX];
		json_t *o = json_object();

		yearly_value_text(f, v);
		set_str(o, "section", f->section);
		set_str(o, "section_label", f->section_label);
		set_str(o, "group", f->group ? f->group : "");
		set_str(o, "group_label", f->group_label ? f->group_label : "");
		set_str(o, "key", f->key);
		set_str(o, "label", f->label);
		set_str(o, "unit", f->unit == YEARLY_FEN ? "fen" : f->unit == YEARLY_PERMILLE ? "permille" : "count");
		json_object_set_new(o, "value", json_integer((json_int_t)f->value));
		set_str(o, "text", v);
		json_array_append_new(figs, o);
	}
	json_object_set_new(j, "figures", figs);
	date_format(today, day);
	set_str(j, "today", day);
	yearly_free(&rep);
	web_answer(an, 200, j);
	web_cache_keep(a, &r, key, gen, an);
	replica_close(&r);
}

/* ------------------------------------------------------------ 导入/导出 */

static void add_problem(void *ctx, const import_problem *p)
{
	json_t *arr = ctx, *o = json_object();

	json_object_set_new(o, "row", json_integer(p->line));
	set_str(o, "cell", p->cell);
	set_str(o, "column", p->column);
	set_str(o, "message", p->message);
	json_array_append_new(arr, o);
}

/* One sentence for what the import did, as `KIND import` says it. */
static unsigned import_summary(const import_result *res, int dry, char *out, size_t cap)
{
	switch (res->outcome) {
	case IMPORT_STORED:
		snprintf(out, cap, _("imported: %zu added, %zu updated, %zu unchanged; they go to the server "
		                     "at the next sync"), res->added, res->updated, res->unchanged);
		return 200;
	case IMPORT_CHECKED:
		snprintf(out, cap, _("%zu rows are good: %zu to add, %zu to update, %zu unchanged; nothing "
		                     "was stored yet"), res->rows, res->added, res->updated, res->unchanged);
		return 200;
	case IMPORT_BAD_ROWS:
		snprintf(out, cap, _("%zu of %zu rows are bad; nothing was stored"), res->bad_rows, res->rows);
		return 422;
	case IMPORT_BAD_HEADER:
		snprintf(out, cap, "%s", _("the header row is bad; nothing was stored"));
		return 422;
	case IMPORT_EMPTY:
		snprintf(out, cap, "%s", res->rows ? _("the file has a header row and no data rows; nothing "
		                                       "to import")
		                                   : _("the file has no rows; nothing to import"));
		return 422;
	case IMPORT_UNREADABLE:
		if (res->is_xlsx)
			snprintf(out, cap, _("this is not an .xlsx workbook hearth can read (%s); nothing was "
			                     "stored"), res->err);
		else if (res->err_line)
			snprintf(out, cap, _("this is not a CSV file hearth can read (line %u: %s); nothing was "
			                     "stored"), res->err_line, res->err);
		else
			snprintf(out, cap, _("this is not a CSV file hearth can read (%s); nothing was stored"),
			         res->err);
		return 422;
	default:
		(void)dry;
		snprintf(out, cap, _("%s; nothing was stored"), res->err);
		return 500;
	}
}

/* 导入: the uploaded file through import_data, the importer of `KIND
 * import`; with dry=1 the check alone (`--dry-run`). */
static void do_import(web_api *a, const web_api_request *rq, web_api_answer *an)
{
	const kind_info *k = web_kind_arg(rq, an);
	const char *name = rq->arg(rq->arg_ctx, "name");
	const char *dry_arg = rq->arg(rq->arg_ctx, "dry");
	int dry = dry_arg && !strcmp(dry_arg, "1");
	import_result res;
	char branch[128], summary[1600];
	json_t *j, *problems, *warnings;
	replica r;
	unsigned status;

	if (!k)
		return;
	if (web_is_auditor(a)) {
		web_refuse(an, 403, NULL, NULL, _("an auditor certificate cannot change records; auditors only read"));
		return;
	}
	if (!rq->body || rq->body_len == 0) {
		web_refuse(an, 400, NULL, NULL, _("the file is empty; choose a CSV or .xlsx file"));
		return;
	}
	if (web_open_replica(a, &r, an) != 0)
		return;
	web_own_branch(a, &r, branch, sizeof(branch));
	if (!branch[0]) {
		replica_close(&r);
		web_refuse(an, 400, NULL, NULL, _("this profile's certificate names no branch; the web app "
		                                  "imports for a branch certificate only ('hearth KIND import "
		                                  "--branch' imports for an admin)"));
		return;
	}
	problems = json_array();
	import_data(&(import_options){ .k = k, .rep = &r, .branch = branch, .name = name,
	                               .encoding = TEXT_ENC_AUTO, .dry_run = dry,
	                               .problem = add_problem, .problem_ctx = problems },
	            rq->body, rq->body_len, &res);
	replica_close(&r);
	status = import_summary(&res, dry, summary, sizeof(summary));
	j = json_object();
	set_str(j, "summary", summary);
	json_object_set_new(j, "stored", json_boolean(res.outcome == IMPORT_STORED));
	json_object_set_new(j, "added", json_integer((json_int_t)res.added));
	json_object_set_new(j, "updated", json_integer((json_int_t)res.updated));
	json_object_set_new(j, "unchanged", json_integer((json_int_t)res.unchanged));
	json_object_set_new(j, "problems", problems);
	warnings = json_array();
	if (res.n_unknown) {
		char list[800] = "", w[1000];
		size_t used = 0;
		for (size_t i = 0; i < res.n_unknown && used + 1 < sizeof(list); i++)
			used += (size_t)snprintf(list + used, sizeof(list) - used, "%s%s", i ? "、" : "",
			                         res.unknown[i]);
		snprintf(w, sizeof(w),
		         P_("ignoring %zu column that is not a field of %s records: %s",
		            "ignoring %zu columns that are not fields of %s records: %s", res.n_unknown),
		         res.n_unknown, k->label, list);
		json_array_append_new(warnings, web_jstr(w));
	}
	json_object_set_new(j, "warnings", warnings);
	import_result_free(&res);
	web_answer(an, status, j);
}

/* 导出: the list as `KIND list --csv --bom` or `--xlsx` writes it. */
static void do_export(web_pages *p, const web_api_request *rq, web_api_answer *an)
{
	const kind_info *k = web_kind_arg(rq, an);
	const char *format = rq->arg(rq->arg_ctx, "format");
	int xlsx;
	char err[1200] = "";

	if (!k)
		return;
	if (!format || (strcmp(format, "csv") && strcmp(format, "xlsx"))) {
		web_refuse(an, 400, NULL, "format", _("\"format\" is csv or xlsx"));
		return;
	}
	xlsx = !strcmp(format, "xlsx");
	if (!p->export_list) {
		web_refuse(an, 503, NULL, NULL, _("export is not available in this app"));
		return;
	}
	if (p->export_list(p->export_arg, k, xlsx, &an->data, &an->data_len, err, sizeof(err)) != 0) {
		an->data = NULL;
		web_refuse(an, 500, NULL, NULL, err[0] ? err : _("the export failed"));
		return;
	}
	an->status = 200;
	an->json = strdup("");
	an->data_type = xlsx ? "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	                     : "text/csv; charset=utf-8";
	snprintf(an->filename, sizeof(an->filename), "%s-%s.%s", k->label, k->name, format);
}

/* --------------------------------------------------------- sync progress */

static void on_progress(void *arg, const char *what, uint64_t done, uint64_t total)
{
	web_pages *p = arg;

	pthread_mutex_lock(&p->mu);
	snprintf(p->what, sizeof(p->what), "%s", what ? what : "");
	p->done = done;
	p->total = total;
	pthread_mutex_unlock(&p->mu);
}

void web_pages_sync_watch(void *arg, web_sync_summary *s)
{
	web_pages *p = arg;

	pthread_mutex_lock(&p->mu);
	if (s) {
		p->running = 1;
		p->what[0] = '\0';
		p->done = p->total = 0;
		s->progress = on_progress;
		s->progress_arg = p;
	} else {
		p->running = 0;
		p->syncs++;
	}
	pthread_mutex_unlock(&p->mu);
}

void web_pages_progress(web_pages *p, web_api_answer *an)
{
	json_t *j = json_object();

	pthread_mutex_lock(&p->mu);
	json_object_set_new(j, "running", json_boolean(p->running));
	set_str(j, "what", p->what);
	json_object_set_new(j, "done", json_integer((json_int_t)p->done));
	json_object_set_new(j, "total", json_integer((json_int_t)p->total));
	json_object_set_new(j, "syncs", json_integer((json_int_t)p->syncs));
	pthread_mutex_unlock(&p->mu);
	web_answer(an, 200, j);
}

/* -------------------------------------------------------------- routes */

int web_pages_handle(web_pages *p, web_api *a, const web_api_request *rq, web_api_answer *an)
{
	const char *path = rq->path;

	if (web_dues_handle(a, rq, an))
		return 1;
	if (!rq->post) {
		if (!strcmp(path, "/api/text"))
			do_text(an);
		else if (!strcmp(path, "/api/history"))
			do_history(p, rq, an);
		else if (!strcmp(path, "/api/trash"))
			do_trash(a, an);
		else if (!strcmp(path, "/api/report"))
			do_report(a, rq, an);
		else if (!strcmp(path, "/api/sync-progress"))
			web_pages_progress(p, an);
		else if (!strcmp(path, "/api/export"))
			do_export(p, rq, an);
		else if (!strcmp(path, "/api/member-log"))
			do_member_log(a, rq, an);
		else
			return 0;
		return 1;
	}
	if (!strcmp(path, "/api/restore"))
		do_restore(a, rq, an);
	else if (!strcmp(path, "/api/import"))
		do_import(a, rq, an);
	else if (!strcmp(path, "/api/member-log/add"))
		do_member_log_add(a, rq, an);
	else
		return 0;
	return 1;
}
