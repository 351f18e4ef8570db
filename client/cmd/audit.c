/* audit.c: reviewing the server's audit log from a client (audit log,
 * show, verify, export; history of one record) and reporting this
 * client's reveals and exports to it. The shared steps are
 * audit_query.c, audit verify is audit_verify.c.
 *
 * Every command here connects through the witness (witness.c) first, so a
 * review never reads a log that shrank or was rewritten behind the
 * replica's back. What a principal sees is the server's business: a branch
 * certificate gets only its branch's entries, admin and auditor all. */
#include "client/cmd/audit.h"

#include "client/cmd/audit_query.h"
#include "client/cmd/audit_verify.h"

#include <getopt.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/audit.h"
#include "common/hearth.h"
#include "common/i18n.h"
#include "client/ui/audit_csv.h"
#include "client/ui/output.h"
#include "common/i18n.h"
#include "common/record.h"
#include "client/core/values.h"
#include "common/uuid.h"
#include "client/cmd/witness.h"
#include "client/core/events.h"
#include "client/core/replica_events.h"

#define LOG_LIMIT_DEFAULT 50
#define LOG_LIMIT_MAX 1000000
#define DETAIL_COLS 60

/* ---------------------------------------------------------- client events */

static void events_warned(void *arg, const char *text)
{
	cli_error("%s: %s", (const char *)arg, text);
}

int audit_send_events(session *s, replica *r, const char *cmd, size_t *sent)
{
	char err[600];

	switch (events_report_warn(s, r, sent, err, sizeof(err), events_warned, (void *)cmd)) {
	case EVENTS_OK: return EXIT_OK;
	case EVENTS_LOST: return cli_lost(cmd, s);
	case EVENTS_FAILED: break;
	}
	cli_error("%s: %s", cmd, err);
	return EXIT_FAIL;
}

/* ---------------------------------------------------------- audit log */

typedef struct log_ctx {
	out_table *t;
	out_json j;
	int json;
	uint64_t limit, shown, last;
	int err;
	member_namer *names;
} log_ctx;

static int log_one(void *arg, const Hearth__AuditEntry *e)
{
	log_ctx *l = arg;
	char seq[24], t[64], actor[120], rb[100], rid[1024] = "", *sum;
	int rc = 0;

	if (l->shown >= l->limit)
		return 1;
	l->shown++;
	l->last = e->seq;
	if (l->json)
		return audq_json_entry(&l->j, e, 0) ? -1 : 0;
	snprintf(seq, sizeof(seq), "%llu", (unsigned long long)e->seq);
	witness_time(e->time, t, sizeof(t));
	audq_who(e, actor, sizeof(actor));
	audq_role_branch(e, rb, sizeof(rb));
	audq_record_text(e, l->names, rid, sizeof(rid));
	sum = audq_summary(e, l->names);
	if (out_table_row(l->t) || out_table_cell(l->t, seq) || out_table_cell(l->t, t) ||
	    out_table_cell(l->t, actor) || out_table_cell(l->t, rb) || out_table_cell(l->t, e->action) ||
	    out_table_cell(l->t, rid) || out_table_cell(l->t, sum ? sum : ""))
		rc = -1;
	free(sum);
	if (rc)
		l->err = HEARTH_ENOMEM;
	return rc;
}

static int audit_log(cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "actor", required_argument, NULL, 'a' },  { "branch", required_argument, NULL, 'b' },
		{ "record", required_argument, NULL, 'r' }, { "action", required_argument, NULL, 'A' },
		{ "since", required_argument, NULL, 's' },  { "until", required_argument, NULL, 'u' },
		{ "limit", required_argument, NULL, 'n' },  { "after", required_argument, NULL, 'f' },
		{ "json", no_argument, NULL, 'j' },         { "help", no_argument, NULL, 'h' },
		{ "before", required_argument, NULL, 'B' }, { "oldest-first", no_argument, NULL, 'O' },
		{ "logins", no_argument, NULL, 'L' },       { NULL, 0, NULL, 0 },
	};
	Hearth__AuditQuery q = HEARTH__AUDIT_QUERY__INIT;
	const char *record = NULL;
	int oldest_first = 0, logins = 0, after_given = 0;
	uint8_t rid[UUID_LEN];
	log_ctx l;
	audq_conn x;
	int o, rc, more = 0;

	memset(&l, 0, sizeof(l));
	l.limit = LOG_LIMIT_DEFAULT;
	while ((o = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (o) {
		case 'a': q.actor = optarg; break;
		case 'b': q.branch_id = optarg; break;
		case 'r': record = optarg; break;
		case 'A': q.action = optarg; break;
		case 's':
		case 'u':
			if (audq_parse_when(optarg, o == 'u', o == 's' ? &q.since : &q.until) != 0) {
				cli_error(_("audit log: --%s \"%s\" is not a date (YYYY-MM-DD, or YYYY-MM-DDTHH:MM[:SS], "
				          "local time; Z at the end for UTC)"),
				          o == 's' ? "since" : "until", optarg);
				return EXIT_USAGE;
			}
			break;
		case 'n':
			if (audq_parse_u64(optarg, 1, LOG_LIMIT_MAX, &l.limit) != 0) {
				cli_error(_("audit log: --limit \"%s\" is not a number from 1 to %d"), optarg, LOG_LIMIT_MAX);
				return EXIT_USAGE;
			}
			break;
		case 'f':
			if (audq_parse_u64(optarg, 0, UINT64_MAX, &q.after_seq) != 0) {
				cli_error(_("audit log: --after \"%s\" is not a sequence number"), optarg);
				return EXIT_USAGE;
			}
			after_given = 1;
			break;
		case 'B':
			if (audq_parse_u64(optarg, 1, UINT64_MAX, &q.before_seq) != 0) {
				cli_error(_("audit log: --before \"%s\" is not a sequence number"), optarg);
				return EXIT_USAGE;
			}
			break;
		case 'O': oldest_first = 1; break;
		case 'L': logins = 1; break;
		case 'j': l.json = 1; break;
		case 'h':
			printf(_("usage: hearth audit log [--actor X] [--branch B] [--record ID|NAME] [--action A]\n"
			         "                        [--since DATE] [--until DATE] [--limit N]\n"
			         "                        [--before SEQ | --oldest-first [--after SEQ]]\n"
			         "                        [--logins] [--json]\n\n"
			         "Lists audit entries, newest first: sequence number, time, who (certificate\n"
			         "name), role or branch, action, record (short id), and what changed (field:\n"
			         "old -> new; sensitive fields as digests) or why (refusals). Logins are left\n"
			         "out unless --logins (or --action login).\n"
			         "  --actor X    certificate name (CN) or fingerprint\n"
			         "  --branch B   entries about branch B\n"
			         "  --record R   one record: its id, a unique id prefix, or a member's name\n"
			         "  --action A   exact action (record.update) or a prefix ending in '.' (record.)\n"
			         "  --since, --until  YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS], local time (Z: UTC);\n"
			         "               --until is exclusive, and a bare date means the end of that day\n"
			         "  --limit N    at most N entries (default %d)\n"
			         "  --before SEQ entries older than SEQ (the next page of a newest-first list)\n"
			         "  --oldest-first  in log order; --after SEQ starts after SEQ\n"
			         "  --logins     include logins\n"
			         "A branch certificate sees only its own branch's entries; admin and auditor\n"
			         "see all.\n"),
			       LOG_LIMIT_DEFAULT);
			return EXIT_OK;
		default: return EXIT_USAGE;
		}
	}
	if (optind < argc) {
		cli_error(_("audit log: unexpected argument \"%s\""), argv[optind]);
		return EXIT_USAGE;
	}
	if (after_given && !oldest_first) {
		cli_error(_("audit log: --after pages an oldest-first list; add --oldest-first, or page a "
		            "newest-first list with --before SEQ"));
		return EXIT_USAGE;
	}
	if (q.before_seq && oldest_first) {
		cli_error(_("audit log: --before pages a newest-first list; with --oldest-first use --after SEQ"));
		return EXIT_USAGE;
	}
	q.newest_first = !oldest_first;
	/* Logins drown everything else; they show when asked for by name too. */
	q.hide_logins = !logins && !(q.action && !strcmp(q.action, "login"));
	rc = audq_conn_open(&x, c, "audit log");
	if (rc != EXIT_OK)
		goto fail;
	if (record) {
		if ((rc = audq_record_arg(&x.r, "audit log", record, rid)) != EXIT_OK)
			goto fail;
		q.record_id.data = rid;
		q.record_id.len = UUID_LEN;
	}
	q.limit = l.limit < QUERY_PAGE_MAX ? (uint32_t)l.limit : QUERY_PAGE_MAX;
	if (l.json) {
		out_json_init(&l.j, stdout);
		out_json_begin_array(&l.j);
	} else {
		l.t = out_table_new();
		if (!l.t || out_table_column(l.t, "seq", 0, 1) || out_table_column(l.t, "time", 0, 0) ||
		    out_table_column(l.t, "actor", 20, 0) || out_table_column(l.t, "role/branch", 0, 0) ||
		    out_table_column(l.t, "action", 0, 0) || out_table_column(l.t, "record", 0, 0) ||
		    out_table_column(l.t, "detail", DETAIL_COLS, 0)) {
			cli_error(_("audit log: out of memory"));
			rc = EXIT_FAIL;
			goto fail;
		}
	}
	l.names = &x.names;
	rc = audq_each_entry(&x, &q, log_one, &l, &more);
	if (rc == EXIT_OK && l.err) {
		cli_error(_("audit log: %s"), _(hearth_strerror(l.err)));
		rc = EXIT_FAIL;
	}
	if (rc != EXIT_OK)
		goto fail;
	if (l.json) {
		out_json_end_array(&l.j);
		fputc('\n', stdout);
	} else if (l.shown == 0) {
		printf(_("no audit entries match\n"));
	} else {
		out_table_print(l.t, stdout);
		if (more && q.newest_first)
			fprintf(stderr, _("hearth: audit log: older entries follow; add --before %llu\n"),
			        (unsigned long long)l.last);
		else if (more)
			fprintf(stderr, _("hearth: audit log: more entries follow; add --after %llu\n"),
			        (unsigned long long)l.last);
	}
	rc = fflush(stdout) == 0 ? EXIT_OK : EXIT_FAIL;
fail:
	out_table_free(l.t);
	audq_conn_close(&x);
	return rc;
}

/* ---------------------------------------------------------- audit show */

typedef struct find_ctx {
	uint64_t seq;
	Hearth__AuditEntry *found;   /* packed-and-unpacked copy, the caller's */
} find_ctx;

static int find_one(void *arg, const Hearth__AuditEntry *e)
{
	find_ctx *f = arg;
	if (e->seq == f->seq) {
		size_t n = hearth__audit_entry__get_packed_size(e);
		uint8_t *b = malloc(n ? n : 1);
		if (!b)
			return -1;
		hearth__audit_entry__pack(e, b);
		f->found = hearth__audit_entry__unpack(NULL, n, b);
		free(b);
		if (!f->found)
			return -1;
	}
	return 1;
}

/* Entries hold text from the server and from clients (names, details):
 * every value goes through the one sanitiser, so an entry cannot forge a
 * second line or drive the terminal. */
static void show_line(const char *label, const char *value)
{
	out_pad(stdout, label, 14);
	out_text(stdout, value, 0);
	fputc('\n', stdout);
}

static void print_entry(const Hearth__AuditEntry *e, member_namer *names)
{
	const kind_info *k = kind_find(e->kind);
	Hearth__AuditChange *const *chs;
	size_t nch = audq_changes(e, &chs);
	const char *problem = audq_revision_problem(e);
	char buf[600], t[64], nb[32];

	snprintf(buf, sizeof(buf), "%llu", (unsigned long long)e->seq);
	show_line(_("seq"), buf);
	witness_time(e->time, t, sizeof(t));
	snprintf(buf, sizeof(buf), "%s (%lld ms)", t, (long long)e->time);
	show_line(_("time"), buf);
	show_line(_("action"), e->action);
	show_line(_("actor"), e->actor_name);
	audq_role_branch(e, buf, sizeof(buf));
	show_line(_("role"), buf);
	show_line(_("fingerprint"), e->actor_fingerprint);
	if (e->peer && e->peer[0])
		show_line(_("peer"), e->peer);
	if (e->record_id.len) {
		char name[512];
		size_t o;
		audq_id_text(&e->record_id, buf, sizeof(buf));
		o = strlen(buf);
		if (e->record_id.len == UUID_LEN && member_namer_text(names, e->record_id.data, name, sizeof(name)))
			snprintf(buf + o, sizeof(buf) - o, " (%s)", name);
		show_line(_("record"), buf);
	}
	if (e->kind) {
		snprintf(buf, sizeof(buf), "%s (%s)", k ? k->name : "unknown", k ? k->label : "?");
		show_line(_("kind"), buf);
	}
	if (e->branch_id && e->branch_id[0])
		show_line(_("branch"), e->branch_id);
	if (e->rev_before || e->rev_after) {
		snprintf(buf, sizeof(buf), "%llu \xe2\x86\x92 %llu", (unsigned long long)e->rev_before,
		         (unsigned long long)e->rev_after);
		show_line(_("revision"), buf);
	}
	if (e->op_id.len) {
		audq_hex_of(&e->op_id, buf, sizeof(buf));
		show_line(_("op"), buf);
	}
	if (e->conflict_id.len) {
		audq_id_text(&e->conflict_id, buf, sizeof(buf));
		show_line(_("conflict"), buf);
	}
	if (e->detail && e->detail[0])
		show_line(_("detail"), e->detail);
	if (e->body_digest.len) {
		audq_hex_of(&e->body_digest, buf, sizeof(buf));
		show_line(_("body sha256"), buf);
	}
	if (e->revision_digest.len) {
		audq_hex_of(&e->revision_digest, buf, sizeof(buf));
		show_line(_("revision sha256"), buf);
	}
	audq_hex_of(&e->prev_hash, buf, sizeof(buf));
	show_line(_("prev_hash"), buf);
	audq_hex_of(&e->hash, buf, sizeof(buf));
	show_line(_("hash"), buf);
	if (problem)
		printf(_("warning: %s\n"), problem);
	if (nch)
		printf(_("changes:\n"));
	for (size_t i = 0; i < nch; i++) {
		const Hearth__AuditChange *c = chs[i];
		char *o = audq_change_side(k, c, &c->old_value, names);
		char *n = audq_change_side(k, c, &c->new_value, names);
		const char *label = audq_change_label(k, c);
		/* The label people read, the field name a --json reader finds. */
		printf("  %s%s%s%s: ", label, label[0] ? " (" : "", audq_change_name(c, nb, sizeof(nb)),
		       label[0] ? ")" : "");
		out_text(stdout, o ? o : "?", 0);
		fputs(" \xe2\x86\x92 ", stdout);
		out_text(stdout, n ? n : "?", 0);
		fputc('\n', stdout);
		free(o);
		free(n);
	}
}

static int audit_show(cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	Hearth__AuditQuery q = HEARTH__AUDIT_QUERY__INIT;
	find_ctx f = { 0, NULL };
	audq_conn x;
	int o, rc, json = 0;

	while ((o = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (o == 'j')
			json = 1;
		else if (o == 'h') {
			printf(_("usage: hearth audit show SEQ [--json]\n\n"
			       "Shows every field of one audit entry: who, when, what, the record and its\n"
			       "revisions, each changed field with its Chinese label (old -> new; sensitive\n"
			       "fields as the first digits of their SHA-256), and the chain hashes.\n"));
			return EXIT_OK;
		} else
			return EXIT_USAGE;
	}
	if (optind + 1 != argc || audq_parse_u64(argv[optind], 1, UINT64_MAX, &f.seq) != 0) {
		cli_error(_("audit show: give one sequence number (see 'hearth audit log')"));
		return EXIT_USAGE;
	}
	rc = audq_conn_open(&x, c, "audit show");
	if (rc != EXIT_OK)
		goto fail;
	q.after_seq = f.seq - 1;
	q.limit = 1;
	if ((rc = audq_each_entry(&x, &q, find_one, &f, NULL)) != EXIT_OK)
		goto fail;
	if (!f.found) {
		cli_error(_("audit show: there is no audit entry %llu that this certificate may read"),
		          (unsigned long long)f.seq);
		rc = EXIT_FAIL;
		goto fail;
	}
	if (json) {
		out_json j;
		out_json_init(&j, stdout);
		audq_json_entry(&j, f.found, 0);
		fputc('\n', stdout);
	} else {
		print_entry(f.found, &x.names);
	}
	rc = fflush(stdout) == 0 ? EXIT_OK : EXIT_FAIL;
fail:
	if (f.found)
		hearth__audit_entry__free_unpacked(f.found, NULL);
	audq_conn_close(&x);
	return rc;
}

/* ---------------------------------------------------------- audit export */

typedef struct export_ctx {
	FILE *f;
	out_csv *csv;    /* NULL: JSON lines */
	uint64_t n;
	int err;
	member_namer *names;
} export_ctx;

static int export_one(void *arg, const Hearth__AuditEntry *e)
{
	export_ctx *xp = arg;
	out_json j;

	if (xp->csv) {
		if ((xp->err = audit_csv_row(xp->csv, e, xp->names)) != 0)
			return -1;
		xp->n++;
		return 0;
	}
	out_json_init(&j, xp->f);
	if (audq_json_entry(&j, e, 1) != 0) {
		xp->err = HEARTH_ENOMEM;
		return -1;
	}
	fputc('\n', xp->f);
	xp->n++;
	return 0;
}

static int audit_export(cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "jsonl", required_argument, NULL, 'j' },
		{ "csv", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	Hearth__AuditQuery q = HEARTH__AUDIT_QUERY__INIT;
	Hearth__ClientEvent ev = HEARTH__CLIENT_EVENT__INIT, *evp = &ev;
	export_ctx xp = { NULL, NULL, 0, 0 };
	out_csv csv;
	const char *path = NULL, *format = NULL;
	char tmp[1200], detail[1300];
	audq_conn x;
	size_t sent;
	int o, rc;

	memset(&x, 0, sizeof(x));
	while ((o = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (o == 'j' || o == 'c') {
			if (path) {
				cli_error(_("audit export: give one of --jsonl FILE or --csv FILE"));
				return EXIT_USAGE;
			}
			path = optarg;
			format = o == 'j' ? "jsonl" : "csv";
		} else if (o == 'h') {
			printf(_("usage: hearth audit export --jsonl FILE | --csv FILE\n\n"
			         "Writes every audit entry this certificate may read to FILE, oldest first.\n"
			         "--jsonl: one JSON object per line, with all fields and the chain:\n"
			         "\"prev_hash\", \"hash\", \"leaf\" (hex) and \"canonical\" (base64 of the\n"
			         "canonical bytes). An outside tool can check each line: leaf =\n"
			         "SHA-256(canonical), hash = SHA-256(prev_hash || leaf).\n"
			         "--csv: one row per entry for a spreadsheet (UTF-8 with the byte order mark\n"
			         "Excel needs): seq, time, actor, role/branch, action, kind, record, record\n"
			         "branch, what changed or why (sensitive values as digests), hash.\n"
			         "The export itself is recorded in the audit log.\n"));
			return EXIT_OK;
		} else
			return EXIT_USAGE;
	}
	if (!path || optind < argc) {
		cli_error(_("audit export: give --jsonl FILE or --csv FILE (and nothing else)"));
		return EXIT_USAGE;
	}
	if (strlen(path) + 5 > sizeof(tmp)) {
		cli_error(_("audit export: the path %s is too long"), path);
		return EXIT_USAGE;
	}
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	rc = audq_conn_open(&x, c, "audit export");
	if (rc != EXIT_OK)
		goto fail;
	xp.f = fopen(tmp, "w");
	if (!xp.f) {
		cli_error(_("audit export: cannot write %s: %m"), tmp);
		rc = EXIT_FAIL;
		goto fail;
	}
	if (!strcmp(format, "csv")) {
		out_csv_init(&csv, xp.f, 1);
		audit_csv_header(&csv);
		xp.csv = &csv;
	}
	q.limit = QUERY_PAGE_MAX;
	xp.names = &x.names;
	if ((rc = audq_each_entry(&x, &q, export_one, &xp, NULL)) != EXIT_OK || xp.err) {
		if (xp.err)
			cli_error(_("audit export: %s"), _(hearth_strerror(xp.err)));
		rc = EXIT_FAIL;
		goto fail;
	}
	if (fflush(xp.f) != 0 || ferror(xp.f)) {
		cli_error(_("audit export: cannot write %s: %m"), tmp);
		rc = EXIT_FAIL;
		goto fail;
	}
	fclose(xp.f);
	xp.f = NULL;
	if (rename(tmp, path) != 0) {
		cli_error(_("audit export: cannot rename %s to %s: %m"), tmp, path);
		rc = EXIT_FAIL;
		goto fail;
	}
	/* The export is an event like any other: queued first, so a lost
	 * connection only delays it to the next sync. */
	snprintf(detail, sizeof(detail), "audit export --%s %s", format, path);
	ev.action = "export";
	ev.time = session_now_ms();
	ev.detail = detail;
	ev.count = xp.n > UINT32_MAX ? UINT32_MAX : (uint32_t)xp.n;
	ev.branch_id = x.s.welcome->principal->branch_id;
	if ((rc = replica_queue_events(&x.r, &evp, 1)) != 0) {
		cli_error(_("audit export: cannot record the export in the replica: %s"), _(hearth_strerror(rc)));
		rc = EXIT_FAIL;
		goto fail;
	}
	if ((rc = audit_send_events(&x.s, &x.r, "audit export", &sent)) != EXIT_OK)
		goto fail;
	printf(_("audit export: %llu entries written to %s\n"), (unsigned long long)xp.n, path);
	rc = EXIT_OK;
fail:
	if (xp.f) {
		fclose(xp.f);
		unlink(tmp);
	}
	audq_conn_close(&x);
	return rc;
}

/* ---------------------------------------------------------- history */

typedef struct hist_ctx {
	out_json j;
	int json;
	uint64_t n;
	int err;
	member_namer *names;
} hist_ctx;

static int hist_one(void *arg, const Hearth__AuditEntry *e)
{
	hist_ctx *h = arg;
	const kind_info *k = kind_find(e->kind);
	Hearth__AuditChange *const *chs;
	size_t nch = audq_changes(e, &chs);
	const char *problem = audq_revision_problem(e);
	char t[64], actor[120], rb[100], nb[32];

	h->n++;
	if (h->json) {
		if (audq_json_entry(&h->j, e, 0) != 0) {
			h->err = HEARTH_ENOMEM;
			return -1;
		}
		return 0;
	}
	witness_time(e->time, t, sizeof(t));
	audq_who(e, actor, sizeof(actor));
	audq_role_branch(e, rb, sizeof(rb));
	printf("%s  ", t);
	out_text(stdout, actor, 0);
	fputs(" (", stdout);
	out_text(stdout, rb, 0);
	fputs(")  ", stdout);
	out_text(stdout, e->action, 0);
	if (e->rev_before || e->rev_after)
		printf("  rev %llu \xe2\x86\x92 %llu", (unsigned long long)e->rev_before,
		       (unsigned long long)e->rev_after);
	printf("  [seq %llu]\n", (unsigned long long)e->seq);
	if (e->detail && e->detail[0]) {
		fputs("    ", stdout);
		out_text(stdout, e->detail, 0);
		fputc('\n', stdout);
	}
	if (problem)
		printf(_("    warning: %s\n"), problem);
	for (size_t i = 0; i < nch; i++) {
		const Hearth__AuditChange *c = chs[i];
		char *o = audq_change_side(k, c, &c->old_value, h->names);
		char *n = audq_change_side(k, c, &c->new_value, h->names);
		printf("    %s: ", audq_change_title(k, c, nb, sizeof(nb)));
		out_text(stdout, o ? o : "?", 0);
		fputs(" \xe2\x86\x92 ", stdout);
		out_text(stdout, n ? n : "?", 0);
		fputc('\n', stdout);
		free(o);
		free(n);
	}
	return 0;
}

int cmd_history(cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	Hearth__AuditQuery q = HEARTH__AUDIT_QUERY__INIT;
	uint8_t rid[UUID_LEN];
	char idt[UUID_TEXT_LEN + 1];
	hist_ctx h;
	audq_conn x;
	int o, rc;

	memset(&h, 0, sizeof(h));
	memset(&x, 0, sizeof(x));
	while ((o = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (o == 'j')
			h.json = 1;
		else if (o == 'h') {
			printf(_("usage: hearth history RECORD [--json]\n\n"
			       "Every change the audit log holds for one record (its id, a unique prefix\n"
			       "of at least 4 hex digits or the last 12 digits among the local replica's\n"
			       "records, or a member's name): when, who (name and branch), what (create,\n"
			       "update, merge, conflict, resolve, delete), the revision, and each field by\n"
			       "its Chinese label from its old value to its new one: members by name,\n"
			       "money in yuan, notes as text (sensitive fields as the first digits of\n"
			       "their SHA-256).\n"));
			return EXIT_OK;
		} else
			return EXIT_USAGE;
	}
	if (optind + 1 != argc) {
		cli_error(_("history: give one record id (see 'hearth history --help')"));
		return EXIT_USAGE;
	}
	rc = audq_conn_open(&x, c, "history");
	if (rc != EXIT_OK)
		goto fail;
	if ((rc = audq_record_arg(&x.r, "history", argv[optind], rid)) != EXIT_OK)
		goto fail;
	uuid_format(rid, idt);
	q.record_id.data = rid;
	q.record_id.len = UUID_LEN;
	q.limit = QUERY_PAGE_MAX;
	if (h.json) {
		out_json_init(&h.j, stdout);
		out_json_begin_array(&h.j);
	} else {
		char name[512];
		if (member_namer_text(&x.names, rid, name, sizeof(name)))
			printf(_("history of %s (%s)\n"), name, idt);
		else
			printf(_("history of %s\n"), idt);
	}
	h.names = &x.names;
	rc = audq_each_entry(&x, &q, hist_one, &h, NULL);
	if (rc == EXIT_OK && h.err)
		rc = EXIT_FAIL;
	if (rc != EXIT_OK)
		goto fail;
	if (h.json) {
		out_json_end_array(&h.j);
		fputc('\n', stdout);
	} else if (h.n == 0) {
		printf(_("no audit entries for this record that this certificate may read\n"));
	}
	rc = fflush(stdout) == 0 ? EXIT_OK : EXIT_FAIL;
fail:
	audq_conn_close(&x);
	return rc;
}

/* ---------------------------------------------------------- dispatch */

int cmd_audit(cli *c, int argc, char **argv)
{
	static const struct {
		const char *name;
		cli_fn fn;
	} subs[] = { { "log", audit_log }, { "show", audit_show }, { "verify", audit_verify },
		     { "export", audit_export } };

	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		FILE *f = argc < 2 ? stderr : stdout;
		fprintf(f, _("usage: hearth audit log|show|verify|export [options]\n\n"
		           "  log     list audit entries (filters: --actor --branch --record --action\n"
		           "          --since --until; --limit --after; --json)\n"
		           "  show    one entry with every field: hearth audit show SEQ\n"
		           "  verify  recompute the hash chain and check every signed checkpoint\n"
		           "  export  every readable entry as JSON lines: --jsonl FILE\n"
		           "Every audit command first checks, as a witness, that the server's log only\n"
		           "grew since this replica last saw it (exit 5 if not). 'hearth history\n"
		           "RECORD' shows one record's changes.\n"));
		return argc < 2 ? EXIT_USAGE : EXIT_OK;
	}
	for (size_t i = 0; i < HEARTH_ARRAY_LEN(subs); i++) {
		if (!strcmp(argv[1], subs[i].name)) {
			optind = 1;
			return subs[i].fn(c, argc - 1, argv + 1);
		}
	}
	cli_error(_("audit: unknown subcommand \"%s\"; try 'hearth audit --help'"), argv[1]);
	return EXIT_USAGE;
}
