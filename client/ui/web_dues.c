/* web_dues.c: the 党费 page's routes (web_dues.h): a month's dues for every
 * active member through dues_month_run_over, the same engine as `hearth dues
 * month`, and 已缴 on one record as an ordinary validated edit. */
#include "client/ui/web_dues.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client/core/branch_lookup.h"
#include "client/core/due_load.h"
#include "client/core/dues_month.h"
#include "client/core/local_rules.h"
#include "client/core/replica.h"
#include "client/core/values.h"
#include "client/ui/web_api_lend.h"
#include "common/date.h"
#include "common/enums.h"
#include "common/hearth.h"
#include "common/i18n.h"
#include "common/record.h"
#include "common/utf8.h"
#include "common/uuid.h"

static const struct {
	const char *key, *text;
} words[] = {
	{ "nav_dues_month", N_("Monthly dues") },
	{ "dues_title", N_("Monthly dues (党费)") },
	{ "dues_help", N_("Creates the month's dues record (未缴) for every active member, the amount from "
	                  "the member's dues group and income by the official table, as 'hearth dues month' "
	                  "does. Running it again for the same month creates nothing. Members whose data is "
	                  "missing get no record and are listed with a link to fix them; mark a record 已缴 "
	                  "when the member pays.") },
	{ "dues_month", N_("Month") },
	{ "dues_run", N_("Create the month's records") },
	{ "dues_show", N_("Show the month") },
	{ "dues_created", N_("Created %1 records for %2; %3 members already had one; %4 active members.") },
	{ "dues_needs", N_("Members who need data first") },
	{ "dues_needs_none", N_("No member is missing data.") },
	{ "dues_fix", N_("Fix") },
	{ "dues_records", N_("Dues records of the month") },
	{ "dues_records_none", N_("No dues record for this month yet.") },
	{ "dues_member", N_("Member") },
	{ "dues_due", N_("Due") },
	{ "dues_paid", N_("Paid") },
	{ "dues_status", N_("Status") },
	{ "dues_mark_paid", N_("Mark paid") },
	{ "dues_paid_on", N_("Paid on") },
	{ "dues_marked", N_("Marked paid; it is sent at the next sync.") },
};

void web_dues_text(json_t *j)
{
	for (size_t i = 0; i < HEARTH_ARRAY_LEN(words); i++)
		json_object_set_new(j, words[i].key, web_jstr(_(words[i].text)));
}

int web_dues_is_post_only(const char *path)
{
	return !strcmp(path, "/api/dues/paid");
}

/* The branch the month is for: the replica's own, or for an admin replica
 * the one named (an id or a name). Returns 0, or -1 with an filled. */
static int pick_branch(web_api *a, replica *r, const char *named, char *out, size_t cap, web_api_answer *an)
{
	char why[2400], msg[2600];
	int rc;

	web_own_branch(a, r, out, cap);
	if (out[0])
		return 0;
	if (!named || !named[0]) {
		web_refuse(an, 400, NULL, "branch", _("this replica holds every branch: name the branch the "
		                                      "month's dues are for"));
		return -1;
	}
	rc = branch_resolve(r, named, out, cap, why, sizeof(why));
	if (rc != 0) {
		snprintf(msg, sizeof(msg), "%s", rc < 0 ? _(hearth_strerror(rc)) : why);
		web_refuse(an, rc < 0 ? 500 : 400, NULL, "branch", msg);
		return -1;
	}
	return 0;
}

/* What a member lacks, in the page's words: the fields to fill on the
 * member's page (the link beside it goes there). */
static void need_text(const dues_month_need *n, char *out, size_t cap)
{
	if (n->what == DUES_MISSING_GROUP)
		snprintf(out, cap, "%s", _("no dues group (党费类别): set it on the member's page"));
	else if (n->what == DUES_MISSING_INCOME)
		snprintf(out, cap, _("no income (党费基数) for dues group %s: set it on the member's page"),
		         enum_label(&hearth__dues_group__descriptor, n->dues_group));
	else
		snprintf(out, cap, "%s", n->why);
}

static const char *missing_word(dues_missing w)
{
	return w == DUES_MISSING_GROUP ? "group" : w == DUES_MISSING_INCOME ? "income" : "rule";
}

static void do_month_run(web_api *a, const web_api_request *rq, web_api_answer *an)
{
	json_t *j = web_body_json(rq, an), *o, *needs;
	const char *month;
	char branch[128], err[1200] = "";
	const due_snapshot *all;
	due_snapshot snap;
	dues_month_result res;
	int32_t mi;
	replica r;
	int rc;

	if (!j)
		return;
	memset(&res, 0, sizeof(res));
	month = json_string_value(json_object_get(j, "month"));
	if (web_is_auditor(a)) {
		web_refuse(an, 403, NULL, NULL, _("an auditor certificate cannot change records; auditors only read"));
		goto done;
	}
	if (dues_month_parse(month, &mi) != 0) {
		snprintf(err, sizeof(err), _("give the month as YYYY-MM (got \"%s\")"), month ? month : "");
		web_refuse(an, 400, NULL, "month", err);
		goto done;
	}
	if (web_open_replica(a, &r, an) != 0)
		goto done;
	if (pick_branch(a, &r, json_string_value(json_object_get(j, "branch")), branch, sizeof(branch), an) != 0)
		goto close;
	/* Over the branch's view of the kept records (read after the last
	 * write, as a fresh load would be), not a reload of the replica. */
	if ((rc = web_due_snapshot(a, &r, &all)) != 0 || (rc = due_snapshot_view(all, branch, &snap)) != 0) {
		web_refuse(an, 500, NULL, NULL, _("cannot read the local replica"));
		goto close;
	}
	rc = dues_month_run_over(&r, &snap, branch, month, &res, err, sizeof(err));
	due_snapshot_free(&snap);
	if (rc != 0) {
		web_refuse(an, rc == HEARTH_EINVAL ? 422 : 500, NULL, NULL, err[0] ? err : _(hearth_strerror(rc)));
		goto close;
	}
	o = json_object();
	needs = json_array();
	json_object_set_new(o, "month", web_jstr(res.month));
	json_object_set_new(o, "branch", web_jstr(res.branch));
	json_object_set_new(o, "created", json_integer((json_int_t)res.created));
	json_object_set_new(o, "had", json_integer((json_int_t)res.had));
	json_object_set_new(o, "active", json_integer((json_int_t)res.active));
	for (size_t i = 0; i < res.n_needs; i++) {
		json_t *n = json_object();
		char id[UUID_TEXT_LEN + 1], text[800];

		uuid_format(res.needs[i].member, id);
		need_text(&res.needs[i], text, sizeof(text));
		json_object_set_new(n, "id", web_jstr(id));
		json_object_set_new(n, "name", web_jstr(res.needs[i].name));
		json_object_set_new(n, "missing", web_jstr(missing_word(res.needs[i].what)));
		json_object_set_new(n, "text", web_jstr(text));
		json_array_append_new(needs, n);
	}
	json_object_set_new(o, "needs", needs);
	web_answer(an, 200, o);
close:
	replica_close(&r);
done:
	dues_month_result_free(&res);
	json_decref(j);
}

/* The answer's text, written here rather than built as jansson objects:
 * 10,000 records of a month cost ~100 ms as 70,000 json_t values and their
 * dump, which the first request after a change pays in full. The same
 * text json_dumps(JSON_COMPACT) gives (keys in order, UTF-8 kept, the
 * escapes jansson writes), and "" for text that is not UTF-8, as web_jstr
 * (tests/unit/client/ui/test_web_dues.c compares the two). */
typedef struct text {
	char *s;
	size_t len, cap;
	int failed;                 /* out of memory: the text is incomplete */
} text;

static void put(text *t, const char *p, size_t n)
{
	if (t->failed)
		return;
	if (t->len + n + 1 > t->cap) {
		size_t cap = t->cap ? t->cap : 4096;
		char *grown;
		while (cap < t->len + n + 1)
			cap *= 2;
		if (!(grown = realloc(t->s, cap))) {
			t->failed = 1;
			return;
		}
		t->s = grown;
		t->cap = cap;
	}
	memcpy(t->s + t->len, p, n);
	t->len += n;
	t->s[t->len] = '\0';
}

static void put_s(text *t, const char *p)
{
	put(t, p, strlen(p));
}

/* A JSON string of s. Text utf8_valid refuses (not UTF-8, or a control
 * other than tab and line breaks: never in a validated record) is written
 * by jansson itself, so every string reads as web_jstr's would. */
static void put_str(text *t, const char *s)
{
	size_t n = s ? strlen(s) : 0, from = 0;

	if (s && !utf8_valid(s, n)) {
		json_t *j = web_jstr(s);
		char *d = j ? json_dumps(j, JSON_ENCODE_ANY | JSON_COMPACT) : NULL;

		if (d)
			put_s(t, d);
		else
			t->failed = 1;
		free(d);
		json_decref(j);
		return;
	}
	put(t, "\"", 1);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		char esc[8];

		if (c != '"' && c != '\\' && c >= 0x20)
			continue;
		put(t, s + from, i - from);
		from = i + 1;
		switch (c) {
		case '"': put_s(t, "\\\""); break;
		case '\\': put_s(t, "\\\\"); break;
		case '\b': put_s(t, "\\b"); break;
		case '\f': put_s(t, "\\f"); break;
		case '\n': put_s(t, "\\n"); break;
		case '\r': put_s(t, "\\r"); break;
		case '\t': put_s(t, "\\t"); break;
		default:
			snprintf(esc, sizeof(esc), "\\u%04X", c);
			put_s(t, esc);
		}
	}
	put(t, s ? s + from : "", n - from);
	put(t, "\"", 1);
}

/* ,"key": */
static void put_key(text *t, const char *key, int first)
{
	if (!first)
		put(t, ",", 1);
	put_str(t, key);
	put(t, ":", 1);
}

/* The month's dues records of the branch, members by name, money in 元:
 * over the branch's view of the records the ui keeps (web_due_snapshot),
 * so the first request after an edit reads the edited records again, not
 * all of them; the answer is kept until the replica changes, as 首页's. */
static void do_month_list(web_api *a, const web_api_request *rq, web_api_answer *an)
{
	const char *month = rq->arg(rq->arg_ctx, "month");
	char branch[128], msg[200], key[256];
	const due_snapshot *all;
	due_snapshot snap;
	dues_month_entry *e = NULL;
	text t = { 0 };
	size_t n = 0;
	uint64_t gen;
	int32_t mi;
	replica r;
	int rc;

	if (dues_month_parse(month, &mi) != 0) {
		snprintf(msg, sizeof(msg), _("give the month as YYYY-MM (got \"%s\")"), month ? month : "");
		web_refuse(an, 400, NULL, "month", msg);
		return;
	}
	if (web_open_replica(a, &r, an) != 0)
		return;
	if (pick_branch(a, &r, rq->arg(rq->arg_ctx, "branch"), branch, sizeof(branch), an) != 0)
		goto close;
	/* The answer depends on the replica, the month and the branch. */
	snprintf(key, sizeof(key), "dues %" PRId32 " %s", mi, branch);
	if (web_cache_answer(a, &r, key, &gen, an))
		goto close;
	if ((rc = web_due_snapshot(a, &r, &all)) == 0 && (rc = due_snapshot_view(all, branch, &snap)) == 0) {
		rc = dues_month_records(&snap, mi, &e, &n);
		if (rc != 0)
			due_snapshot_free(&snap);
	}
	if (rc != 0) {
		web_refuse(an, 500, NULL, NULL, _("cannot read the local replica"));
		goto close;
	}
	put_s(&t, "{");
	put_key(&t, "month", 1);
	put_str(&t, month);
	put_key(&t, "branch", 0);
	put_str(&t, branch);
	put_key(&t, "records", 0);
	put_s(&t, "[");
	for (size_t i = 0; i < n && !t.failed; i++) {
		const Hearth__Record *rec = e[i].rec;
		const Hearth__Dues *d = rec->dues;
		char id[UUID_TEXT_LEN + 1], mid[UUID_TEXT_LEN + 1] = "", due[MONEY_YUAN_TEXT_MAX],
		     paid[MONEY_YUAN_TEXT_MAX], status[16];

		uuid_format(rec->id.data, id);
		if (d->member.len == UUID_LEN)
			uuid_format(d->member.data, mid);
		money_yuan_format(d->due, due);
		money_yuan_format(d->paid, paid);
		snprintf(status, sizeof(status), "%d", (int)d->status);
		put_s(&t, i ? ",{" : "{");
		put_key(&t, "id", 1);
		put_str(&t, id);
		put_key(&t, "member", 0);
		put_str(&t, e[i].member ? e[i].member->name : "");
		put_key(&t, "member_id", 0);
		put_str(&t, mid);
		put_key(&t, "due", 0);
		put_str(&t, due);
		put_key(&t, "paid", 0);
		put_str(&t, paid);
		put_key(&t, "status", 0);
		put_s(&t, status);
		put_key(&t, "status_label", 0);
		put_str(&t, enum_label(&hearth__dues_status__descriptor, d->status));
		put_s(&t, "}");
	}
	put_s(&t, "]}");
	free(e);
	due_snapshot_free(&snap);
	if (t.failed) {
		free(t.s);
		web_refuse(an, 500, NULL, NULL, _("out of memory"));
		goto close;
	}
	an->status = 200;
	an->json = t.s;
	web_cache_keep(a, &r, key, gen, an);
close:
	replica_close(&r);
}

/* 已缴: paid in full on the day given (today by default), stored as one
 * local edit after the record's validation and the local rules, as the
 * form's save would. */
static void do_paid(web_api *a, const web_api_request *rq, web_api_answer *an)
{
	json_t *j = web_body_json(rq, an);
	Hearth__Record *rec = NULL, *before = NULL;
	const kind_info *k;
	const char *date;
	char day[11], err[1200] = "", msg[300];
	record_error rerr;
	int32_t dd;
	replica r;
	int rc;

	if (!j)
		return;
	date = json_string_value(json_object_get(j, "date"));
	if (web_is_auditor(a)) {
		web_refuse(an, 403, NULL, NULL, _("an auditor certificate cannot change records; auditors only read"));
		goto done;
	}
	if (date && date[0] && date_parse(date, &dd) != 0) {
		snprintf(msg, sizeof(msg), _("\"%s\" is not a date (YYYY-MM-DD)"), date);
		web_refuse(an, 400, NULL, "paid_date", msg);
		goto done;
	}
	if (!date || !date[0]) {
		/* Today as every due rule counts it (HEARTH_TODAY in tests). */
		if (due_today(&dd, err, sizeof(err)) != 0) {
			web_refuse(an, 500, NULL, NULL, err);
			goto done;
		}
		date_format(dd, day);
	} else
		snprintf(day, sizeof(day), "%s", date);
	if (web_open_replica(a, &r, an) != 0)
		goto done;
	if (web_load_record(&r, json_string_value(json_object_get(j, "id")), &rec, &k, an) != 0)
		goto close;
	if (rec->deleted || rec->body_case != HEARTH__RECORD__BODY_DUES || !rec->dues) {
		web_refuse(an, 422, NULL, "id", _("only a dues record that is not deleted can be marked paid"));
		goto close;
	}
	if (replica_get(&r, rec->id.data, &before) != 0)
		before = NULL;
	rec->dues->status = HEARTH__DUES_STATUS__DUES_STATUS_PAID;
	rec->dues->paid = rec->dues->due;
	/* An absent string is protobuf-c's shared empty string, not ours to free. */
	if (rec->dues->paid_date != protobuf_c_empty_string)
		free(rec->dues->paid_date);
	if (!(rec->dues->paid_date = strdup(day))) {
		web_refuse(an, 500, NULL, NULL, _("out of memory"));
		goto close;
	}
	memset(&rerr, 0, sizeof(rerr));
	if (record_validate_message(k, (ProtobufCMessage *)rec->dues, &rerr) != 0) {
		web_refuse(an, 422, k, rerr.field, rerr.message);
		goto close;
	}
	rc = local_rules_check(&r, k, rec->id.data, rec->branch_id ? rec->branch_id : "",
	                       (ProtobufCMessage *)rec->dues, before ? record_body(before) : NULL, &rerr);
	if (rc == HEARTH_EINVAL) {
		web_refuse(an, 422, k, rerr.field, rerr.message);
		goto close;
	}
	if (rc == 0)
		rc = replica_edit(&r, rec, 0, err, sizeof(err));
	if (rc != 0)
		web_refuse(an, rc == HEARTH_EINVAL ? 422 : 500, NULL, NULL, err[0] ? err : _(hearth_strerror(rc)));
	else
		web_answer(an, 200, json_pack("{s:s}", "paid_date", day));
close:
	if (before)
		hearth__record__free_unpacked(before, NULL);
	if (rec)
		hearth__record__free_unpacked(rec, NULL);
	replica_close(&r);
done:
	json_decref(j);
}

int web_dues_handle(web_api *a, const web_api_request *rq, web_api_answer *an)
{
	if (!strcmp(rq->path, "/api/dues/month")) {
		if (rq->post)
			do_month_run(a, rq, an);
		else
			do_month_list(a, rq, an);
		return 1;
	}
	if (rq->post && !strcmp(rq->path, "/api/dues/paid")) {
		do_paid(a, rq, an);
		return 1;
	}
	return 0;
}
