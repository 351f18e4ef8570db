/* web_audit.c: the routes behind `hearth ui`'s 审计日志, 校验 and 导出
 * pages, each over the client core of the `hearth audit` command it
 * mirrors (log, verify, export --csv), so the page and the command never
 * disagree about what the log holds. */
#include "client/ui/web_audit.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "client/core/audit_read.h"
#include "client/core/audit_text.h"
#include "client/core/audit_verify.h"
#include "client/core/events.h"
#include "client/core/identity.h"
#include "client/core/member_lookup.h"
#include "client/core/replica_events.h"
#include "client/core/replica_meta.h"
#include "client/core/witness.h"
#include "client/ui/audit_csv.h"
#include "client/ui/web_api_lend.h"
#include "client/ui/xlsx_write.h"
#include "common/audit.h"
#include "common/hearth.h"
#include "common/i18n.h"
#include "common/uuid.h"

#define LOG_PAGE_DEFAULT 50
#define LOG_PAGE_MAX 200
/* An export past this size is refused: the filters narrow it. */
#define EXPORT_MAX_BYTES (64u << 20)
#define EXPORT_MAX_ROWS 1000000u

struct web_audit {
	profile prof;
	web_connect_fn connect;
	web_disconnect_fn disconnect;
	void *connect_arg;
	tls_identity id;
	int id_ok;
};

int web_audit_new(web_audit **out, const web_audit_options *o)
{
	web_audit *w = calloc(1, sizeof(*w));
	char err[300];

	*out = NULL;
	if (!w)
		return HEARTH_ENOMEM;
	w->prof = *o->prof;
	w->connect = o->connect;
	w->disconnect = o->disconnect;
	w->connect_arg = o->connect_arg;
	w->id_ok = identity_read(w->prof.cert, &w->id, err, sizeof(err)) == IDENTITY_OK;
	*out = w;
	return 0;
}

void web_audit_free(web_audit *w)
{
	free(w);
}

/* ------------------------------------------------------------ the words */

/* What each audit action is called on the page. */
static const struct {
	const char *action, *label;
} actions[] = {
	{ "record.create", N_("added") },       { "record.update", N_("changed") },
	{ "record.merge", N_("merged") },       { "record.conflict", N_("conflict") },
	{ "record.resolve", N_("conflict resolved") }, { "record.delete", N_("deleted") },
	{ "record.restore", N_("restored") },   { "record.move", N_("moved to another branch") },
	{ "record.recovered", N_("recovered from a replica") },
	{ "record.attach", N_("attachment added") }, { "record.detach", N_("attachment removed") },
	{ "record.tombstone_kept", N_("deletion kept") },
	{ "conflict.open", N_("conflict opened") }, { "conflict.resolve", N_("conflict closed") },
	{ "push.rejected", N_("change rejected") }, { "login", N_("login") },
	{ "denied", N_("refused") },            { "reveal", N_("sensitive fields shown") },
	{ "export", N_("exported") },           { "revoke", N_("certificate revoked") },
	{ "branch.add", N_("branch added") },   { "branch.update", N_("branch changed") },
	{ "retention.purge", N_("purged") },    { "recovery.start", N_("recovery started") },
	{ "recovery.end", N_("recovery finished") },
};

const char *web_action_label(const char *action)
{
	for (size_t i = 0; action && i < HEARTH_ARRAY_LEN(actions); i++)
		if (!strcmp(action, actions[i].action))
			return _(actions[i].label);
	return action ? action : "";
}

static void set_str(json_t *o, const char *key, const char *s)
{
	json_object_set_new(o, key, web_jstr(s));
}

/* The words of the audit pages, by key (audit.js reads them from
 * /api/text beside the other pages' words). */
static const struct {
	const char *key, *text;
} words[] = {
	{ "nav_audit_log", N_("Audit log") },
	{ "nav_audit_verify", N_("Verify") },
	{ "nav_audit_export", N_("Export") },
	{ "audit_log_help", N_("Every change, conflict, refusal, reveal and export the committee's server "
	                       "recorded, newest first. It is read from the server, so it needs the "
	                       "network. Logins are left out unless asked for.") },
	{ "audit_since", N_("From") },
	{ "audit_until", N_("To") },
	{ "audit_actor", N_("Who") },
	{ "audit_actor_hint", N_("certificate name or fingerprint") },
	{ "audit_action", N_("Action") },
	{ "audit_action_any", N_("(any)") },
	{ "audit_action_records", N_("any change of a record") },
	{ "audit_record", N_("Record") },
	{ "audit_record_hint", N_("a member's name or a record id") },
	{ "audit_logins", N_("include logins") },
	{ "audit_search", N_("Search") },
	{ "audit_seq", N_("No.") },
	{ "audit_when", N_("When") },
	{ "audit_where", N_("Role / branch") },
	{ "audit_kind", N_("Kind") },
	{ "audit_text", N_("What changed or why") },
	{ "audit_none", N_("No audit entry matches.") },
	{ "audit_older", N_("Older entries") },
	{ "audit_loading", N_("Reading the audit log from the server…") },
	{ "audit_verify_help", N_("Checks, as 'hearth audit verify' does, that the server's audit log can be "
	                          "trusted: first the witness (the log only grew since this replica last "
	                          "saw it), then every entry's hash and the chain, and every checkpoint the "
	                          "server signed.") },
	{ "audit_verify_run", N_("Verify now") },
	{ "audit_verify_running", N_("Reading and checking every entry…") },
	{ "audit_witness", N_("Witness") },
	{ "audit_chain", N_("Hash chain") },
	{ "audit_accepted", N_("Checkpoint accepted: %1 entries, signed %2") },
	{ "audit_export_help", N_("Downloads the entries the filters match, oldest first, as a CSV file a "
	                          "spreadsheet opens (the columns of 'hearth audit export --csv'). The "
	                          "export itself is recorded in the audit log.") },
	{ "audit_export_csv", N_("Download CSV") },
};

void web_audit_text(json_t *j)
{
	for (size_t i = 0; i < HEARTH_ARRAY_LEN(words); i++)
		set_str(j, words[i].key, _(words[i].text));
	for (size_t i = 0; i < HEARTH_ARRAY_LEN(actions); i++) {
		char key[64];
		snprintf(key, sizeof(key), "action:%s", actions[i].action);
		set_str(j, key, _(actions[i].label));
	}
}

/* ------------------------------------------------------------ who may */

/* The log is the auditors' (and admins') to read; a branch certificate
 * reads its own history on a record's page instead. */
static int may_read_log(const web_audit *w, web_api_answer *an)
{
	if (w->id_ok && (w->id.role == HEARTH__ROLE__ROLE_AUDITOR || w->id.role == HEARTH__ROLE__ROLE_ADMIN))
		return 1;
	web_refuse(an, 403, NULL, NULL,
	           _("the audit pages are for an auditor or admin certificate; this profile's certificate "
	             "may not use them (a record's page shows its own history)"));
	return 0;
}

/* Connects through the caller's witness. On failure returns the
 * connect's result with why in err (nothing is open then). */
static web_connect_result link_open(web_audit *w, web_link *l, char *err, size_t cap)
{
	memset(l, 0, sizeof(*l));
	err[0] = '\0';
	if (!w->connect) {
		snprintf(err, cap, "%s", _("the audit log is read from the server, and this app has no "
		                           "connection to it"));
		return WEB_CONNECT_LOST;
	}
	return w->connect(w->connect_arg, l, err, cap);
}

/* As link_open, filling an with the refusal on failure. */
static int link_open_or_refuse(web_audit *w, web_link *l, web_api_answer *an)
{
	char err[1400];

	if (link_open(w, l, err, sizeof(err)) == WEB_CONNECT_OK)
		return 0;
	web_refuse(an, 502, NULL, NULL, err[0] ? err : _("cannot reach the server"));
	return -1;
}

static void link_close(web_audit *w, web_link *l)
{
	if (l->s)
		w->disconnect(w->connect_arg, l);
	memset(l, 0, sizeof(*l));
}

/* ------------------------------------------------------------ filters */

/* What the filters of the log and the export ask the server for. */
typedef struct log_filter {
	Hearth__AuditQuery q;
	uint8_t rid[UUID_LEN];
	uint64_t limit;
} log_filter;

static const char *arg(const web_api_request *rq, const char *name)
{
	const char *v = rq->arg(rq->arg_ctx, name);
	return v && v[0] ? v : NULL;
}

/* Reads the filters of rq into f; the record (an id, a unique prefix or a
 * member's name) is looked up in the linked replica. On failure fills an
 * (422, next to the field) and returns -1. */
static int read_filter(web_link *l, const web_api_request *rq, log_filter *f, web_api_answer *an)
{
	static const char *const when[] = { "since", "until" };
	const char *v;
	char msg[1400], err[1200];

	memset(f, 0, sizeof(*f));
	hearth__audit_query__init(&f->q);
	for (int i = 0; i < 2; i++) {
		if (!(v = arg(rq, when[i])))
			continue;
		if (audq_parse_when(v, i == 1, i == 0 ? &f->q.since : &f->q.until) != 0) {
			snprintf(msg, sizeof(msg), _("\"%s\" is not a date (YYYY-MM-DD, or YYYY-MM-DD HH:MM)"), v);
			web_refuse(an, 422, NULL, when[i], msg);
			return -1;
		}
	}
	f->q.actor = (char *)arg(rq, "actor");
	f->q.action = (char *)arg(rq, "action");
	f->q.branch_id = (char *)arg(rq, "branch");
	/* Logins drown everything else; they show when asked for by name too. */
	f->q.hide_logins = !arg(rq, "logins") && !(f->q.action && !strcmp(f->q.action, "login"));
	f->limit = LOG_PAGE_DEFAULT;
	if ((v = arg(rq, "limit")) && audq_parse_u64(v, 1, LOG_PAGE_MAX, &f->limit) != 0) {
		snprintf(msg, sizeof(msg), _("\"%s\" is not a number from 1 to %d"), v, LOG_PAGE_MAX);
		web_refuse(an, 422, NULL, "limit", msg);
		return -1;
	}
	if ((v = arg(rq, "before")) && audq_parse_u64(v, 1, UINT64_MAX, &f->q.before_seq) != 0) {
		snprintf(msg, sizeof(msg), _("\"%s\" is not a sequence number"), v);
		web_refuse(an, 422, NULL, "before", msg);
		return -1;
	}
	if ((v = arg(rq, "record"))) {
		if (audit_record_arg(l->r, v, f->rid, err, sizeof(err)) != 0) {
			web_refuse(an, 422, NULL, "record", err);
			return -1;
		}
		f->q.record_id.data = f->rid;
		f->q.record_id.len = UUID_LEN;
	}
	return 0;
}

/* The refusal of a failed read, for the page. */
static void refuse_read(web_api_answer *an, const audit_reader *rd, audit_read_result res)
{
	web_refuse(an, res == AUDIT_READ_FAILED ? 500 : 502, NULL, NULL,
	           res == AUDIT_READ_FAILED ? _(hearth_strerror(HEARTH_ENOMEM)) : rd->err);
}

/* ------------------------------------------------------------ 审计日志 */

/* One entry in words, as `hearth audit log` describes it. */
static json_t *entry_json(const Hearth__AuditEntry *e, member_namer *names)
{
	const kind_info *k = kind_find(e->kind);
	json_t *o = json_object();
	char t[64], who[120], where[100], rid[80] = "", rname[300], *sum = audq_summary(e, names);

	witness_time(e->time, t, sizeof(t));
	audq_who(e, who, sizeof(who));
	audq_role_branch(e, where, sizeof(where));
	if (e->record_id.len)
		audq_id_text(&e->record_id, rid, sizeof(rid));
	audq_record_text(e, names, rname, sizeof(rname));
	json_object_set_new(o, "seq", json_integer((json_int_t)e->seq));
	set_str(o, "when", t);
	set_str(o, "who", who);
	set_str(o, "where", where);
	set_str(o, "action", e->action);
	set_str(o, "action_label", web_action_label(e->action));
	set_str(o, "kind_label", k ? k->label : "");
	set_str(o, "record", rid);
	set_str(o, "record_name", rname);
	set_str(o, "branch", e->branch_id);
	set_str(o, "text", sum ? sum : "");
	free(sum);
	return o;
}

typedef struct log_ctx {
	json_t *arr;
	uint64_t limit, shown, last;
	member_namer names;
} log_ctx;

static int log_one(void *arg, const Hearth__AuditEntry *e)
{
	log_ctx *c = arg;

	if (c->shown >= c->limit)
		return 1;
	c->shown++;
	c->last = e->seq;
	json_array_append_new(c->arr, entry_json(e, &c->names));
	return 0;
}

static void do_log(web_audit *w, const web_api_request *rq, web_api_answer *an)
{
	log_ctx c = { 0 };
	log_filter f;
	audit_reader rd;
	audit_read_result res;
	web_link l;
	json_t *j;
	int more = 0;

	if (link_open_or_refuse(w, &l, an) != 0)
		return;
	if (read_filter(&l, rq, &f, an) != 0)
		goto done;
	f.q.newest_first = 1;
	/* One more than the page, so "older entries follow" is known. */
	f.q.limit = (uint32_t)f.limit + 1;
	c.arr = json_array();
	c.limit = f.limit;
	memset(&rd, 0, sizeof(rd));
	rd.s = l.s;
	member_namer_init(&c.names, l.r);
	res = audit_read_each(&rd, &f.q, log_one, &c, &more);
	member_namer_free(&c.names);
	if (res != AUDIT_READ_OK) {
		json_decref(c.arr);
		refuse_read(an, &rd, res);
		goto done;
	}
	j = json_object();
	json_object_set_new(j, "entries", c.arr);
	json_object_set_new(j, "more", json_boolean(more && c.shown == c.limit));
	json_object_set_new(j, "next_before", json_integer((json_int_t)c.last));
	web_answer(an, 200, j);
done:
	link_close(w, &l);
}

/* --------------------------------------------------------------- 校验 */

static json_t *checkpoint_json(const Hearth__Checkpoint *cp)
{
	json_t *o = json_object();
	char head[2 * AUDIT_HASH_LEN + 1] = "", t[64];

	if (!cp)
		return json_null();
	if (cp->head_hash.len == AUDIT_HASH_LEN)
		audit_hex(cp->head_hash.data, AUDIT_HASH_LEN, head);
	witness_time(cp->time, t, sizeof(t));
	json_object_set_new(o, "size", json_integer((json_int_t)cp->size));
	set_str(o, "head", head);
	set_str(o, "when", t);
	return o;
}

/* The witness first (the connect judged the server's checkpoint against
 * the one this replica kept), then the whole chain, as `hearth audit
 * verify` does. */
static void do_verify(web_audit *w, web_api_answer *an)
{
	json_t *j = json_object(), *wit = json_object(), *ver = json_object();
	Hearth__Checkpoint *before = NULL;
	audit_verify_result res;
	audit_reader rd;
	web_link l;
	char err[1400], line[2000];
	web_connect_result cr;

	cr = link_open(w, &l, err, sizeof(err));
	if (cr == WEB_CONNECT_LOST) {
		json_decref(wit);
		json_decref(ver);
		json_decref(j);
		web_refuse(an, 502, NULL, NULL, err[0] ? err : _("cannot reach the server"));
		return;
	}
	json_object_set_new(wit, "ok", json_boolean(cr == WEB_CONNECT_OK));
	if (cr == WEB_CONNECT_WITNESS) {
		set_str(wit, "text", err);
		json_object_set_new(j, "witness", wit);
		json_object_set_new(ver, "ok", json_false());
		json_object_set_new(ver, "ran", json_false());
		set_str(ver, "text", _("the chain was not verified: the server's log is refused as it is"));
		json_object_set_new(j, "verify", ver);
		web_answer(an, 200, j);
		return;
	}
	/* The connect stored the checkpoint it accepted: the one this replica
	 * now vouches for. */
	if (replica_checkpoint_get(l.r, &before) != 0)
		before = NULL;
	set_str(wit, "text", _("the server's audit log only grew since this replica last saw it"));
	json_object_set_new(wit, "accepted", checkpoint_json(before));
	if (before)
		hearth__checkpoint__free_unpacked(before, NULL);
	json_object_set_new(j, "witness", wit);
	memset(&rd, 0, sizeof(rd));
	rd.s = l.s;
	audit_verify_run(&rd, &res);
	audit_verify_sentence(&res, line, sizeof(line));
	json_object_set_new(ver, "ran", json_true());
	json_object_set_new(ver, "ok", json_boolean(res.verdict == AUDIT_VERIFY_OK));
	set_str(ver, "text", line);
	json_object_set_new(ver, "entries", json_integer((json_int_t)res.entries));
	json_object_set_new(ver, "checkpoints", json_integer((json_int_t)res.checkpoints));
	set_str(ver, "head", res.head);
	json_object_set_new(ver, "bad_seq", json_integer((json_int_t)res.bad_seq));
	json_object_set_new(j, "verify", ver);
	web_answer(an, 200, j);
	link_close(w, &l);
}

/* --------------------------------------------------------------- 导出 */

typedef struct export_ctx {
	out_csv csv;
	FILE *f;
	size_t *len;
	xlsx_writer *xw;            /* xlsx instead of CSV */
	uint64_t n;
	int err;
	member_namer names;
} export_ctx;

static int export_one(void *arg, const Hearth__AuditEntry *e)
{
	export_ctx *x = arg;

	if (x->xw) {
		audit_row row;
		if ((x->err = audit_row_fill(&row, e, &x->names)) != 0)
			return -1;
		x->err = xlsx_writer_row(x->xw);
		for (size_t i = 0; i < AUDIT_ROW_COLUMNS && x->err == 0; i++)
			x->err = xlsx_writer_cell(x->xw, row.cells[i]);
		audit_row_free(&row);
		if (x->err != 0)
			return -1;
		x->n++;
		return x->n > EXPORT_MAX_ROWS ? (x->err = HEARTH_ETOOBIG, -1) : 0;
	}
	if ((x->err = audit_csv_row(&x->csv, e, &x->names)) != 0)
		return -1;
	x->n++;
	fflush(x->f);
	if (*x->len > EXPORT_MAX_BYTES) {
		x->err = HEARTH_ETOOBIG;
		return -1;
	}
	return 0;
}

/* Reads the workbook the writer made into memory (the caller's). */
static int read_file(const char *path, char **data, size_t *len)
{
	FILE *f = fopen(path, "rb");
	long n;
	int rc = HEARTH_EIO;

	*data = NULL;
	*len = 0;
	if (!f)
		return HEARTH_EIO;
	if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0)
		goto done;
	if ((unsigned long)n > EXPORT_MAX_BYTES * 2ul) {
		rc = HEARTH_ETOOBIG;
		goto done;
	}
	if (!(*data = malloc((size_t)n + 1))) {
		rc = HEARTH_ENOMEM;
		goto done;
	}
	if (fread(*data, 1, (size_t)n, f) != (size_t)n) {
		free(*data);
		*data = NULL;
		goto done;
	}
	*len = (size_t)n;
	rc = 0;
done:
	fclose(f);
	return rc;
}

/* The entries the filters match, oldest first, as `hearth audit export
 * --csv` writes them (format=xlsx: the same columns as a workbook); the
 * export is queued as an event and reported at once (or at the next
 * sync, when the report fails). */
static void do_export(web_audit *w, const web_api_request *rq, web_api_answer *an)
{
	Hearth__ClientEvent ev = HEARTH__CLIENT_EVENT__INIT, *evp = &ev;
	export_ctx x = { 0 };
	log_filter f;
	audit_reader rd;
	audit_read_result res;
	web_link l;
	const char *format = rq->arg(rq->arg_ctx, "format");
	char *data = NULL, detail[200], err[600], tmp[] = "/tmp/hearth-audit-XXXXXX.xlsx";
	size_t len = 0, sent;
	int rc, xlsx, tmp_made = 0;

	if (format && format[0] && strcmp(format, "csv") != 0 && strcmp(format, "xlsx") != 0) {
		web_refuse(an, 400, NULL, "format", _("\"format\" is csv or xlsx"));
		return;
	}
	xlsx = format && !strcmp(format, "xlsx");
	if (link_open_or_refuse(w, &l, an) != 0)
		return;
	if (read_filter(&l, rq, &f, an) != 0)
		goto done;
	f.q.newest_first = 0;
	f.q.before_seq = 0;
	f.q.limit = AUDIT_READ_PAGE_MAX;
	if (xlsx) {
		int fd = mkstemps(tmp, 5);
		if (fd < 0) {
			snprintf(err, sizeof(err), _("cannot make a temporary file for the export: %s"), strerror(errno));
			web_refuse(an, 500, NULL, NULL, err);
			goto done;
		}
		close(fd);
		tmp_made = 1;
		if ((rc = xlsx_writer_open(tmp, _("audit log"), &x.xw, err, sizeof(err))) != 0) {
			web_refuse(an, 500, NULL, NULL, err);
			goto done;
		}
		for (size_t i = 0; i < AUDIT_ROW_COLUMNS && rc == 0; i++)
			rc = xlsx_writer_column(x.xw, audit_row_column(i), i == 0 ? XLSX_COL_INT : XLSX_COL_TEXT);
		if (rc != 0)
			goto oom;
	} else {
		if (!(x.f = open_memstream(&data, &len)))
			goto oom;
		x.len = &len;
		out_csv_init(&x.csv, x.f, 1);
		audit_csv_header(&x.csv);
	}
	memset(&rd, 0, sizeof(rd));
	rd.s = l.s;
	member_namer_init(&x.names, l.r);
	res = audit_read_each(&rd, &f.q, export_one, &x, NULL);
	member_namer_free(&x.names);
	if (x.f && fclose(x.f) != 0)
		x.err = HEARTH_ENOMEM;
	x.f = NULL;
	if (x.xw) {
		rc = xlsx_writer_close(x.xw, err, sizeof(err));
		x.xw = NULL;
		if (rc != 0 && !x.err) {
			web_refuse(an, 500, NULL, NULL, err);
			goto done;
		}
		if (!x.err && res == AUDIT_READ_OK && (x.err = read_file(tmp, &data, &len)) != 0 &&
		    x.err != HEARTH_ETOOBIG)
			x.err = HEARTH_EIO;
	}
	if (x.err == HEARTH_ETOOBIG) {
		snprintf(err, sizeof(err), _("the export is over %u MiB; narrow it with the filters"),
		         EXPORT_MAX_BYTES >> 20);
		web_refuse(an, 413, NULL, NULL, err);
		goto done;
	}
	if (res != AUDIT_READ_OK || x.err) {
		refuse_read(an, &rd, x.err ? AUDIT_READ_FAILED : res);
		goto done;
	}
	snprintf(detail, sizeof(detail), "hearth ui audit export --%s (%llu entries)", xlsx ? "xlsx" : "csv",
	         (unsigned long long)x.n);
	ev.action = "export";
	ev.time = session_now_ms();
	ev.detail = detail;
	ev.count = x.n > UINT32_MAX ? UINT32_MAX : (uint32_t)x.n;
	ev.branch_id = l.s->welcome->principal->branch_id;
	if ((rc = replica_queue_events(l.r, &evp, 1)) != 0) {
		snprintf(err, sizeof(err), _("cannot record the export in the replica: %s"), _(hearth_strerror(rc)));
		web_refuse(an, 500, NULL, NULL, err);
		goto done;
	}
	/* Queued, so a failure here only delays the entry to the next sync. */
	(void)events_report(l.s, l.r, &sent, err, sizeof(err));
	an->status = 200;
	an->json = strdup("");
	an->data = data;
	an->data_len = len;
	an->data_type = xlsx ? "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	                     : "text/csv; charset=utf-8";
	snprintf(an->filename, sizeof(an->filename), "%s.%s", _("audit log"), xlsx ? "xlsx" : "csv");
	data = NULL;
	if (!an->json)
		goto oom;
	goto done;
oom:
	web_refuse(an, 500, NULL, NULL, _(hearth_strerror(HEARTH_ENOMEM)));
done:
	if (x.f)
		fclose(x.f);
	if (x.xw)
		xlsx_writer_close(x.xw, err, sizeof(err));
	if (tmp_made)
		unlink(tmp);
	free(data);
	link_close(w, &l);
}

/* -------------------------------------------------------------- routes */

int web_audit_handle(web_audit *w, const web_api_request *rq, web_api_answer *an)
{
	const char *path = rq->path;

	if (strncmp(path, "/api/audit/", 11) != 0)
		return 0;
	if (!may_read_log(w, an))
		return 1;
	if (rq->post)
		web_refuse(an, 405, NULL, NULL, _("the audit pages only read; this request must be a GET"));
	else if (!strcmp(path, "/api/audit/log"))
		do_log(w, rq, an);
	else if (!strcmp(path, "/api/audit/verify"))
		do_verify(w, an);
	else if (!strcmp(path, "/api/audit/export"))
		do_export(w, rq, an);
	else
		web_refuse(an, 404, NULL, NULL, _("no such API route"));
	return 1;
}
