/* cmd_audit.c: reviewing the server's audit log from a client (audit log,
 * show, verify, export; history of one record) and reporting this
 * client's reveals and exports to it.
 *
 * Every command here connects through the witness (witness.c) first, so a
 * review never reads a log that shrank or was rewritten behind the
 * replica's back. What a principal sees is the server's business: a branch
 * certificate gets only its branch's entries, admin and auditor all. */
#include "client/cmd/audit.h"

#include <getopt.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/audit.h"
#include "common/hearth.h"
#include "client/ui/output.h"
#include "common/record.h"
#include "client/core/values.h"
#include "common/uuid.h"
#include "client/cmd/witness.h"
#include "client/core/replica_events.h"

#define QUERY_PAGE_MAX 1000     /* the server's cap on AuditQuery.limit */
#define NOTE_EVENTS_MAX 500     /* events per AuditNote: a few tens of KiB */
#define LOG_LIMIT_DEFAULT 50
#define LOG_LIMIT_MAX 1000000
#define DETAIL_COLS 60

/* ---------------------------------------------------------- small helpers */

static const char *role_word(Hearth__Role r)
{
	switch (r) {
	case HEARTH__ROLE__ROLE_BRANCH: return "branch";
	case HEARTH__ROLE__ROLE_ADMIN: return "admin";
	case HEARTH__ROLE__ROLE_AUDITOR: return "auditor";
	default: return "-";
	}
}

static void hex_of(const ProtobufCBinaryData *b, char *out, size_t cap)
{
	if (b->len * 2 + 1 > cap) {
		snprintf(out, cap, "(%zu bytes)", b->len);
		return;
	}
	audit_hex(b->data, b->len, out);
}

/* A record or conflict id as text: canonical UUID when 16 bytes. */
static void id_text(const ProtobufCBinaryData *b, char *out, size_t cap)
{
	if (b->len == UUID_LEN && cap > UUID_TEXT_LEN)
		uuid_format(b->data, out);
	else
		hex_of(b, out, cap);
}

/* Parses an unsigned decimal in [min, max]. */
static int parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	char *end;
	unsigned long long v;
	if (!*s || *s == '-')
		return -1;
	v = strtoull(s, &end, 10);
	if (*end || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

/* --since/--until: YYYY-MM-DD, YYYY-MM-DD HH:MM[:SS] or with a T, local
 * time unless it ends in Z; or milliseconds since the epoch. A bare date
 * in --until means the end of that day, so "--since D --until D" is day D. */
static int parse_when(const char *s, int until, int64_t *ms)
{
	struct tm tm;
	int y, mo, d, h = 0, mi = 0, sec = 0, n = 0, utc = 0, date_only;
	size_t len = strlen(s);
	time_t t;

	if (len && strspn(s, "0123456789") == len && len >= 10) {
		*ms = strtoll(s, NULL, 10);
		return 0;
	}
	if (sscanf(s, "%4d-%2d-%2d%n", &y, &mo, &d, &n) != 3 || n != 10)
		return -1;
	date_only = s[10] == '\0';
	if (!date_only) {
		int m = 0;
		const char *rest = s + 11;
		if (s[10] != 'T' && s[10] != ' ')
			return -1;
		if (sscanf(rest, "%2d:%2d%n", &h, &mi, &m) != 2)
			return -1;
		rest += m;
		if (*rest == ':') {
			if (sscanf(rest, ":%2d%n", &sec, &m) != 1)
				return -1;
			rest += m;
		}
		if (*rest == 'Z') {
			utc = 1;
			rest++;
		}
		if (*rest)
			return -1;
	}
	if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60)
		return -1;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d + (until && date_only);
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	tm.tm_isdst = -1;
	t = utc ? timegm(&tm) : mktime(&tm);
	if (t == (time_t)-1)
		return -1;
	*ms = (int64_t)t * 1000;
	return 0;
}

/* Resolves RECORD: a unique prefix among the replica's records, or any
 * full id (the auditor may ask about records its replica does not hold). */
static int record_arg(replica *r, const char *cmd, const char *text, uint8_t id[UUID_LEN])
{
	char err[300];
	int rc = replica_resolve_id(r, text, id, err, sizeof(err));
	if (rc == 0)
		return EXIT_OK;
	if (uuid_parse(text, id) == 0)
		return EXIT_OK;
	if (rc == HEARTH_ENOTFOUND)
		cli_error("%s: no record in the local replica matches \"%s\"; give the full id "
		          "(or run 'hearth sync' first)",
		          cmd, text);
	else
		cli_error("%s: %s", cmd, err);
	return EXIT_USAGE;
}

/* ---------------------------------------------------------- connecting */

typedef struct conn {
	cli *c;
	replica r;
	session s;
	int r_open, s_open;
	const char *cmd;
} conn;

/* Profile, replica, session, witness: in that order, released in reverse
 * by conn_close whatever happened. */
static int conn_open(conn *x, cli *c, const char *cmd)
{
	char err[1400];
	int rc;

	memset(x, 0, sizeof(*x));
	x->c = c;
	x->cmd = cmd;
	x->s.fd = -1;
	if ((rc = cli_load_profile(c)) != EXIT_OK)
		return rc;
	if ((rc = replica_open(&x->r, c->prof.home, err, sizeof(err))) != 0) {
		cli_error("%s: %s", cmd, err);
		return rc == HEARTH_EINVAL ? EXIT_USAGE : EXIT_FAIL;
	}
	x->r_open = 1;
	x->s_open = 1;
	return witness_connect(c, &x->s, &x->r, cmd);
}

static void conn_close(conn *x)
{
	if (x->s_open)
		session_close(&x->s);
	if (x->r_open)
		replica_close(&x->r);
	x->s_open = x->r_open = 0;
}

static int lost(conn *x)
{
	return cli_lost(x->cmd, &x->s);
}

static int refused(conn *x, const char *what, const Hearth__Envelope *resp)
{
	return cli_refused(x->cmd, what, resp);
}

/* One AuditQuery page. *resp is the caller's (envelope_free). */
static int query(conn *x, Hearth__AuditQuery *q, Hearth__Envelope **resp)
{
	Hearth__Envelope req = HEARTH__ENVELOPE__INIT;
	int rc;

	req.body_case = HEARTH__ENVELOPE__BODY_AUDIT_QUERY;
	req.audit_query = q;
	*resp = NULL;
	if (session_call(&x->s, &req, resp) != 0)
		return lost(x);
	if ((*resp)->body_case != HEARTH__ENVELOPE__BODY_AUDIT_PAGE) {
		rc = refused(x, "audit query", *resp);
		envelope_free(*resp, NULL);
		*resp = NULL;
		return rc;
	}
	return EXIT_OK;
}

/* Calls fn for every entry matching q from q->after_seq on, page by page,
 * until fn returns non-zero or the server has no more. The entry is valid
 * only during the call. */
typedef int (*entry_fn)(void *ctx, const Hearth__AuditEntry *e);

static int each_entry(conn *x, Hearth__AuditQuery *q, entry_fn fn, void *ctx, int *more_left)
{
	int rc;

	if (more_left)
		*more_left = 0;
	for (;;) {
		Hearth__Envelope *resp;
		const Hearth__AuditPage *pg;
		int stop = 0;
		uint64_t before = q->after_seq;

		if ((rc = query(x, q, &resp)) != EXIT_OK)
			return rc;
		pg = resp->audit_page;
		for (size_t i = 0; i < pg->n_entries && !stop; i++) {
			if (pg->entries[i]->seq <= q->after_seq) {
				cli_error("%s: the server sent audit entries out of order (%llu after %llu)", x->cmd,
				          (unsigned long long)pg->entries[i]->seq, (unsigned long long)q->after_seq);
				envelope_free(resp, NULL);
				return EXIT_FAIL;
			}
			q->after_seq = pg->entries[i]->seq;
			stop = fn(ctx, pg->entries[i]);
		}
		if (!stop && pg->next > q->after_seq)
			q->after_seq = pg->next;
		if (stop) {
			if (more_left)
				*more_left = 1;
			envelope_free(resp, NULL);
			return stop < 0 ? EXIT_FAIL : EXIT_OK;
		}
		if (!pg->more) {
			envelope_free(resp, NULL);
			return EXIT_OK;
		}
		envelope_free(resp, NULL);
		if (q->after_seq <= before) {
			cli_error("%s: the server said more audit entries follow but did not move on (%llu)",
			          x->cmd, (unsigned long long)before);
			return EXIT_FAIL;
		}
	}
}

/* ---------------------------------------------------------- client events */

int audit_send_events(session *s, replica *r, const char *cmd, size_t *sent)
{
	int rc;

	*sent = 0;
	for (;;) {
		Hearth__ClientEvent **ev = NULL;
		uint64_t *keys = NULL;
		size_t n = 0;
		Hearth__Envelope req = HEARTH__ENVELOPE__INIT, *resp = NULL;
		Hearth__AuditNote note = HEARTH__AUDIT_NOTE__INIT;

		if ((rc = replica_next_events(r, NOTE_EVENTS_MAX, &ev, &keys, &n)) != 0) {
			cli_error("%s: cannot read the queued audit events: %s", cmd, hearth_strerror(rc));
			return EXIT_FAIL;
		}
		if (n == 0) {
			replica_events_free(ev, keys, n);
			return EXIT_OK;
		}
		note.n_events = n;
		note.events = ev;
		req.body_case = HEARTH__ENVELOPE__BODY_AUDIT_NOTE;
		req.audit_note = &note;
		if (session_call(s, &req, &resp) != 0) {
			replica_events_free(ev, keys, n);
			cli_error("%s: %s", cmd, s->error);
			return session_exit_code(s) ? session_exit_code(s) : EXIT_CONNECT;
		}
		if (resp->body_case != HEARTH__ENVELOPE__BODY_AUDIT_NOTE_ACK) {
			if (resp->body_case == HEARTH__ENVELOPE__BODY_ERROR)
				cli_error("%s: the server refused to record %zu reveal/export events: %s "
				          "(they stay queued for the next sync)",
				          cmd, n, resp->error->message);
			else
				cli_error("%s: the server answered the audit note with %s", cmd,
				          envelope_body_name(resp));
			envelope_free(resp, NULL);
			replica_events_free(ev, keys, n);
			return EXIT_FAIL;
		}
		if (resp->audit_note_ack->recorded != n) {
			cli_error("%s: the server recorded %u of %zu reveal/export events; they stay queued",
			          cmd, resp->audit_note_ack->recorded, n);
			envelope_free(resp, NULL);
			replica_events_free(ev, keys, n);
			return EXIT_FAIL;
		}
		envelope_free(resp, NULL);
		rc = replica_drop_events(r, keys, n);
		replica_events_free(ev, keys, n);
		if (rc != 0) {
			/* They are in the log already; sending them again would
			 * double them, so say so rather than retry silently. */
			cli_error("%s: the server recorded %zu events but the replica could not forget them "
			          "(%s); the next sync may report them twice",
			          cmd, n, hearth_strerror(rc));
			return EXIT_FAIL;
		}
		*sent += n;
	}
}

/* ---------------------------------------------------------- describing entries */

/* One side of a change for people. Returns a malloc'd string or NULL. */
static char *change_side(const kind_info *k, const Hearth__AuditChange *c, const ProtobufCBinaryData *v)
{
	char hex[2 * AUDIT_HASH_LEN + 1], buf[128];

	if (v->len == 0)
		return strdup("(empty)");
	if (c->digested) {
		if (v->len != AUDIT_HASH_LEN)
			return strdup("(sensitive: digest of unexpected length)");
		audit_hex(v->data, 4, hex);
		snprintf(buf, sizeof(buf), "(sensitive: sha256 %s\xe2\x80\xa6)", hex);
		return strdup(buf);
	}
	return value_field_text(k, c->field, v->data, v->len);
}

static const char *change_label(const kind_info *k, const Hearth__AuditChange *c)
{
	const field_rule *rule = k ? kind_rule(k, c->field) : NULL;
	return rule && rule->label ? rule->label : "";
}

static const char *change_name(const Hearth__AuditChange *c, char *buf, size_t cap)
{
	if (c->name && c->name[0])
		return c->name;
	snprintf(buf, cap, "field%u", c->field);
	return buf;
}

/* "name: 王 → 李; phone: (sensitive…) → (sensitive…)" or the detail. */
static char *summary(const Hearth__AuditEntry *e)
{
	const kind_info *k = kind_find(e->kind);
	char *out = NULL, nb[32];
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	if (!f)
		return NULL;
	if (e->detail && e->detail[0])
		fputs(e->detail, f);
	for (size_t i = 0; i < e->n_changes; i++) {
		const Hearth__AuditChange *c = e->changes[i];
		char *o = change_side(k, c, &c->old_value), *n = change_side(k, c, &c->new_value);
		fprintf(f, "%s%s: %s \xe2\x86\x92 %s", (i || (e->detail && e->detail[0])) ? "; " : "",
		        change_name(c, nb, sizeof(nb)), o ? o : "?", n ? n : "?");
		free(o);
		free(n);
	}
	fclose(f);
	return out;
}

static void who(const Hearth__AuditEntry *e, char *out, size_t cap)
{
	if (e->actor_name && e->actor_name[0])
		snprintf(out, cap, "%s", e->actor_name);
	else if (e->actor_fingerprint && e->actor_fingerprint[0])
		snprintf(out, cap, "%.16s\xe2\x80\xa6", e->actor_fingerprint);
	else
		snprintf(out, cap, "-");
}

static void role_branch(const Hearth__AuditEntry *e, char *out, size_t cap)
{
	if (e->actor_role == HEARTH__ROLE__ROLE_BRANCH)
		snprintf(out, cap, "branch %s", e->actor_branch ? e->actor_branch : "?");
	else
		snprintf(out, cap, "%s", role_word(e->actor_role));
}

static void json_bytes(out_json *j, const char *key, const ProtobufCBinaryData *b)
{
	char *hex = malloc(b->len * 2 + 1);
	out_json_key(j, key);
	if (!hex) {
		out_json_null(j);
		return;
	}
	audit_hex(b->data, b->len, hex);
	out_json_string(j, hex);
	free(hex);
}

/* Every field of an entry as one JSON object. With chain, also "leaf" and
 * "canonical" (base64 of the canonical bytes), so an outside tool can
 * recompute leaf = SHA-256(canonical) and hash = SHA-256(prev_hash || leaf). */
static int json_entry(out_json *j, const Hearth__AuditEntry *e, int chain)
{
	const kind_info *k = kind_find(e->kind);
	char t[64], idt[80], nb[32];

	out_json_begin_object(j);
	out_json_key(j, "seq");
	out_json_uint(j, e->seq);
	out_json_key(j, "time");
	out_json_int(j, e->time);
	witness_time(e->time, t, sizeof(t));
	out_json_key(j, "time_text");
	out_json_string(j, t);
	out_json_key(j, "actor_fingerprint");
	out_json_string(j, e->actor_fingerprint);
	out_json_key(j, "actor_name");
	out_json_string(j, e->actor_name);
	out_json_key(j, "actor_role");
	out_json_string(j, role_word(e->actor_role));
	out_json_key(j, "actor_branch");
	out_json_string(j, e->actor_branch);
	out_json_key(j, "action");
	out_json_string(j, e->action);
	id_text(&e->record_id, idt, sizeof(idt));
	out_json_key(j, "record_id");
	out_json_string(j, idt);
	out_json_key(j, "kind");
	out_json_string(j, k ? k->name : e->kind ? "unknown" : "");
	out_json_key(j, "kind_number");
	out_json_int(j, e->kind);
	out_json_key(j, "branch_id");
	out_json_string(j, e->branch_id);
	out_json_key(j, "rev_before");
	out_json_uint(j, e->rev_before);
	out_json_key(j, "rev_after");
	out_json_uint(j, e->rev_after);
	json_bytes(j, "op_id", &e->op_id);
	out_json_key(j, "changes");
	out_json_begin_array(j);
	for (size_t i = 0; i < e->n_changes; i++) {
		const Hearth__AuditChange *c = e->changes[i];
		char *o = change_side(k, c, &c->old_value), *n = change_side(k, c, &c->new_value);
		out_json_begin_object(j);
		out_json_key(j, "field");
		out_json_uint(j, c->field);
		out_json_key(j, "name");
		out_json_string(j, change_name(c, nb, sizeof(nb)));
		out_json_key(j, "label");
		out_json_string(j, change_label(k, c));
		out_json_key(j, "digested");
		out_json_bool(j, c->digested);
		json_bytes(j, "old_value", &c->old_value);
		json_bytes(j, "new_value", &c->new_value);
		out_json_key(j, "old");
		out_json_string(j, o);
		out_json_key(j, "new");
		out_json_string(j, n);
		out_json_end_object(j);
		free(o);
		free(n);
	}
	out_json_end_array(j);
	json_bytes(j, "body_digest", &e->body_digest);
	out_json_key(j, "detail");
	out_json_string(j, e->detail);
	id_text(&e->conflict_id, idt, sizeof(idt));
	out_json_key(j, "conflict_id");
	out_json_string(j, idt);
	out_json_key(j, "peer");
	out_json_string(j, e->peer);
	json_bytes(j, "prev_hash", &e->prev_hash);
	json_bytes(j, "hash", &e->hash);
	if (chain) {
		uint8_t *can = NULL, leaf[AUDIT_HASH_LEN];
		size_t n = 0;
		char lh[2 * AUDIT_HASH_LEN + 1], *b64;
		if (audit_canonical(e, &can, &n) != 0)
			return HEARTH_ENOMEM;
		b64 = malloc(4 * ((n + 2) / 3) + 1);
		if (!b64) {
			free(can);
			return HEARTH_ENOMEM;
		}
		EVP_EncodeBlock((unsigned char *)b64, can, (int)n);
		EVP_Digest(can, n, leaf, NULL, EVP_sha256(), NULL);
		audit_hex(leaf, AUDIT_HASH_LEN, lh);
		out_json_key(j, "leaf");
		out_json_string(j, lh);
		out_json_key(j, "canonical");
		out_json_string(j, b64);
		free(b64);
		free(can);
	}
	out_json_end_object(j);
	return 0;
}

/* ---------------------------------------------------------- audit log */

typedef struct log_ctx {
	out_table *t;
	out_json j;
	int json;
	uint64_t limit, shown, last;
	int err;
} log_ctx;

static int log_one(void *arg, const Hearth__AuditEntry *e)
{
	log_ctx *l = arg;
	char seq[24], t[64], actor[120], rb[100], rid[UUID_TEXT_LEN + 1] = "", *sum;
	int rc = 0;

	if (l->shown >= l->limit)
		return 1;
	l->shown++;
	l->last = e->seq;
	if (l->json)
		return json_entry(&l->j, e, 0) ? -1 : 0;
	snprintf(seq, sizeof(seq), "%llu", (unsigned long long)e->seq);
	witness_time(e->time, t, sizeof(t));
	who(e, actor, sizeof(actor));
	role_branch(e, rb, sizeof(rb));
	if (e->record_id.len == UUID_LEN) {
		uuid_format(e->record_id.data, rid);
		rid[8] = '\0';
	}
	sum = summary(e);
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
		{ NULL, 0, NULL, 0 },
	};
	Hearth__AuditQuery q = HEARTH__AUDIT_QUERY__INIT;
	const char *record = NULL;
	uint8_t rid[UUID_LEN];
	log_ctx l;
	conn x;
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
			if (parse_when(optarg, o == 'u', o == 's' ? &q.since : &q.until) != 0) {
				cli_error("audit log: --%s \"%s\" is not a date (YYYY-MM-DD, or YYYY-MM-DDTHH:MM[:SS], "
				          "local time; Z at the end for UTC)",
				          o == 's' ? "since" : "until", optarg);
				return EXIT_USAGE;
			}
			break;
		case 'n':
			if (parse_u64(optarg, 1, LOG_LIMIT_MAX, &l.limit) != 0) {
				cli_error("audit log: --limit \"%s\" is not a number from 1 to %d", optarg, LOG_LIMIT_MAX);
				return EXIT_USAGE;
			}
			break;
		case 'f':
			if (parse_u64(optarg, 0, UINT64_MAX, &q.after_seq) != 0) {
				cli_error("audit log: --after \"%s\" is not a sequence number", optarg);
				return EXIT_USAGE;
			}
			break;
		case 'j': l.json = 1; break;
		case 'h':
			printf("usage: hearth audit log [--actor X] [--branch B] [--record ID] [--action A]\n"
			       "                        [--since DATE] [--until DATE] [--limit N] [--after SEQ]\n"
			       "                        [--json]\n\n"
			       "Lists audit entries, oldest first: sequence number, time, who (certificate\n"
			       "name), role or branch, action, record (short id), and what changed (field:\n"
			       "old -> new; sensitive fields as digests) or why (refusals).\n"
			       "  --actor X    certificate name (CN) or fingerprint\n"
			       "  --branch B   entries about branch B\n"
			       "  --record ID  one record (id or unique prefix from the local replica)\n"
			       "  --action A   exact action (record.update) or a prefix ending in '.' (record.)\n"
			       "  --since, --until  YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS], local time (Z: UTC);\n"
			       "               --until is exclusive, and a bare date means the end of that day\n"
			       "  --limit N    at most N entries (default %d); --after SEQ: start after SEQ\n"
			       "A branch certificate sees only its own branch's entries; admin and auditor\n"
			       "see all.\n",
			       LOG_LIMIT_DEFAULT);
			return EXIT_OK;
		default: return EXIT_USAGE;
		}
	}
	if (optind < argc) {
		cli_error("audit log: unexpected argument \"%s\"", argv[optind]);
		return EXIT_USAGE;
	}
	rc = conn_open(&x, c, "audit log");
	if (rc != EXIT_OK)
		goto fail;
	if (record) {
		if ((rc = record_arg(&x.r, "audit log", record, rid)) != EXIT_OK)
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
			cli_error("audit log: out of memory");
			rc = EXIT_FAIL;
			goto fail;
		}
	}
	rc = each_entry(&x, &q, log_one, &l, &more);
	if (rc == EXIT_OK && l.err) {
		cli_error("audit log: %s", hearth_strerror(l.err));
		rc = EXIT_FAIL;
	}
	if (rc != EXIT_OK)
		goto fail;
	if (l.json) {
		out_json_end_array(&l.j);
		fputc('\n', stdout);
	} else if (l.shown == 0) {
		printf("no audit entries match\n");
	} else {
		out_table_print(l.t, stdout);
		if (more)
			fprintf(stderr, "hearth: audit log: more entries follow; add --after %llu\n",
			        (unsigned long long)l.last);
	}
	rc = fflush(stdout) == 0 ? EXIT_OK : EXIT_FAIL;
fail:
	out_table_free(l.t);
	conn_close(&x);
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

static void show_line(const char *label, const char *value)
{
	out_pad(stdout, label, 14);
	printf("%s\n", value ? value : "");
}

static void print_entry(const Hearth__AuditEntry *e)
{
	const kind_info *k = kind_find(e->kind);
	char buf[600], t[64], nb[32];

	snprintf(buf, sizeof(buf), "%llu", (unsigned long long)e->seq);
	show_line("seq", buf);
	witness_time(e->time, t, sizeof(t));
	snprintf(buf, sizeof(buf), "%s (%lld ms)", t, (long long)e->time);
	show_line("time", buf);
	show_line("action", e->action);
	show_line("actor", e->actor_name);
	role_branch(e, buf, sizeof(buf));
	show_line("role", buf);
	show_line("fingerprint", e->actor_fingerprint);
	if (e->peer && e->peer[0])
		show_line("peer", e->peer);
	if (e->record_id.len) {
		id_text(&e->record_id, buf, sizeof(buf));
		show_line("record", buf);
	}
	if (e->kind) {
		snprintf(buf, sizeof(buf), "%s (%s)", k ? k->name : "unknown", k ? k->label : "?");
		show_line("kind", buf);
	}
	if (e->branch_id && e->branch_id[0])
		show_line("branch", e->branch_id);
	if (e->rev_before || e->rev_after) {
		snprintf(buf, sizeof(buf), "%llu \xe2\x86\x92 %llu", (unsigned long long)e->rev_before,
		         (unsigned long long)e->rev_after);
		show_line("revision", buf);
	}
	if (e->op_id.len) {
		hex_of(&e->op_id, buf, sizeof(buf));
		show_line("op", buf);
	}
	if (e->conflict_id.len) {
		id_text(&e->conflict_id, buf, sizeof(buf));
		show_line("conflict", buf);
	}
	if (e->detail && e->detail[0])
		show_line("detail", e->detail);
	if (e->body_digest.len) {
		hex_of(&e->body_digest, buf, sizeof(buf));
		show_line("body sha256", buf);
	}
	hex_of(&e->prev_hash, buf, sizeof(buf));
	show_line("prev_hash", buf);
	hex_of(&e->hash, buf, sizeof(buf));
	show_line("hash", buf);
	if (e->n_changes)
		printf("changes:\n");
	for (size_t i = 0; i < e->n_changes; i++) {
		const Hearth__AuditChange *c = e->changes[i];
		char *o = change_side(k, c, &c->old_value), *n = change_side(k, c, &c->new_value);
		printf("  %s %s: %s \xe2\x86\x92 %s\n", change_name(c, nb, sizeof(nb)), change_label(k, c),
		       o ? o : "?", n ? n : "?");
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
	conn x;
	int o, rc, json = 0;

	while ((o = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (o == 'j')
			json = 1;
		else if (o == 'h') {
			printf("usage: hearth audit show SEQ [--json]\n\n"
			       "Shows every field of one audit entry: who, when, what, the record and its\n"
			       "revisions, each changed field with its Chinese label (old -> new; sensitive\n"
			       "fields as the first digits of their SHA-256), and the chain hashes.\n");
			return EXIT_OK;
		} else
			return EXIT_USAGE;
	}
	if (optind + 1 != argc || parse_u64(argv[optind], 1, UINT64_MAX, &f.seq) != 0) {
		cli_error("audit show: give one sequence number (see 'hearth audit log')");
		return EXIT_USAGE;
	}
	rc = conn_open(&x, c, "audit show");
	if (rc != EXIT_OK)
		goto fail;
	q.after_seq = f.seq - 1;
	q.limit = 1;
	if ((rc = each_entry(&x, &q, find_one, &f, NULL)) != EXIT_OK)
		goto fail;
	if (!f.found) {
		cli_error("audit show: there is no audit entry %llu that this certificate may read",
		          (unsigned long long)f.seq);
		rc = EXIT_FAIL;
		goto fail;
	}
	if (json) {
		out_json j;
		out_json_init(&j, stdout);
		json_entry(&j, f.found, 0);
		fputc('\n', stdout);
	} else {
		print_entry(f.found);
	}
	rc = fflush(stdout) == 0 ? EXIT_OK : EXIT_FAIL;
fail:
	if (f.found)
		hearth__audit_entry__free_unpacked(f.found, NULL);
	conn_close(&x);
	return rc;
}

/* ---------------------------------------------------------- audit verify */

/* The chain as this client recomputed it: hash[i] is the hash of entry
 * i+1; leaf[i] (branch principals only) the server's leaf of entry i+1. */
typedef struct chain {
	uint8_t (*hash)[AUDIT_HASH_LEN];
	uint8_t (*leaf)[AUDIT_HASH_LEN];
	uint64_t n, cap;
	int with_leaves;
	uint64_t bad_seq;
	char why[300];
	uint64_t own;       /* entries read and checked (branch: its own) */
	const char *cmd;
} chain;

static int chain_push(chain *ch, const uint8_t hash[AUDIT_HASH_LEN], const uint8_t *leaf)
{
	if (ch->n == ch->cap) {
		uint64_t cap = ch->cap ? ch->cap * 2 : 4096;
		void *h = realloc(ch->hash, cap * AUDIT_HASH_LEN);
		if (!h)
			return HEARTH_ENOMEM;
		ch->hash = h;
		if (ch->with_leaves) {
			void *l = realloc(ch->leaf, cap * AUDIT_HASH_LEN);
			if (!l)
				return HEARTH_ENOMEM;
			ch->leaf = l;
		}
		ch->cap = cap;
	}
	memcpy(ch->hash[ch->n], hash, AUDIT_HASH_LEN);
	if (ch->with_leaves)
		memcpy(ch->leaf[ch->n], leaf, AUDIT_HASH_LEN);
	ch->n++;
	return 0;
}

static const uint8_t *chain_at(const chain *ch, uint64_t size)
{
	static const uint8_t zero[AUDIT_HASH_LEN];
	return size == 0 ? zero : ch->hash[size - 1];
}

/* Admin and auditor: every entry, in order, each checked against the one
 * before it. */
static int verify_entry(void *arg, const Hearth__AuditEntry *e)
{
	chain *ch = arg;
	char why[300];

	if (e->seq != ch->n + 1) {
		ch->bad_seq = ch->n + 1;
		snprintf(ch->why, sizeof(ch->why), "it is missing (the server sent entry %llu next)",
		         (unsigned long long)e->seq);
		return 1;
	}
	if (audit_check_entry(e, chain_at(ch, ch->n), why, sizeof(why)) != 0) {
		ch->bad_seq = e->seq;
		snprintf(ch->why, sizeof(ch->why), "%s", why);
		return 1;
	}
	ch->own++;
	return chain_push(ch, e->hash.data, NULL) ? -1 : 0;
}

/* Branch principals: the links first (every entry's leaf and hash), then
 * their own entries checked against them. */
static int verify_link(void *arg, uint64_t seq, const uint8_t leaf[AUDIT_HASH_LEN],
                       const uint8_t hash[AUDIT_HASH_LEN])
{
	chain *ch = arg;
	uint8_t h[AUDIT_HASH_LEN];

	audit_link(chain_at(ch, ch->n), leaf, h);
	if (memcmp(h, hash, AUDIT_HASH_LEN) != 0) {
		ch->bad_seq = seq;
		snprintf(ch->why, sizeof(ch->why),
		         "its link hash is not SHA-256(previous hash || its leaf)");
		return 1;
	}
	return chain_push(ch, h, leaf) ? -1 : 0;
}

static int verify_own(void *arg, const Hearth__AuditEntry *e)
{
	chain *ch = arg;
	uint8_t leaf[AUDIT_HASH_LEN];
	char why[300];

	if (e->seq > ch->n)
		return 1;   /* newer than the checkpoint the links were fetched for */
	if (audit_check_entry(e, chain_at(ch, e->seq - 1), why, sizeof(why)) != 0) {
		ch->bad_seq = e->seq;
		snprintf(ch->why, sizeof(ch->why), "%s", why);
		return 1;
	}
	if (audit_leaf(e, leaf) != 0)
		return -1;
	if (memcmp(leaf, ch->leaf[e->seq - 1], AUDIT_HASH_LEN) != 0) {
		ch->bad_seq = e->seq;
		snprintf(ch->why, sizeof(ch->why), "its contents do not match the leaf in the chain");
		return 1;
	}
	ch->own++;
	return 0;
}

static int fresh_checkpoint(conn *x, Hearth__Envelope **resp)
{
	Hearth__Envelope req = HEARTH__ENVELOPE__INIT;
	Hearth__CheckpointRequest cr = HEARTH__CHECKPOINT_REQUEST__INIT;
	int rc;

	req.body_case = HEARTH__ENVELOPE__BODY_CHECKPOINT_REQUEST;
	req.checkpoint_request = &cr;
	if (session_call(&x->s, &req, resp) != 0)
		return lost(x);
	if ((*resp)->body_case != HEARTH__ENVELOPE__BODY_CHECKPOINT) {
		rc = refused(x, "checkpoint request", *resp);
		envelope_free(*resp, NULL);
		*resp = NULL;
		return rc;
	}
	return EXIT_OK;
}

/* Checks one signed checkpoint against the recomputed chain. */
static int check_checkpoint(const chain *ch, const uint8_t key[AUDIT_KEY_LEN],
                            const Hearth__Checkpoint *cp, char *why, size_t cap)
{
	if (audit_verify_checkpoint(key, cp) != 0) {
		snprintf(why, cap, "its signature does not verify with the server's audit key");
		return -1;
	}
	if (cp->size > ch->n) {
		snprintf(why, cap, "it claims %llu entries but the log has %llu",
		         (unsigned long long)cp->size, (unsigned long long)ch->n);
		return -1;
	}
	if (cp->size && (cp->head_hash.len != AUDIT_HASH_LEN ||
	                 memcmp(cp->head_hash.data, chain_at(ch, cp->size), AUDIT_HASH_LEN) != 0)) {
		snprintf(why, cap, "its head is not the chain's hash at entry %llu",
		         (unsigned long long)cp->size);
		return -1;
	}
	return 0;
}

/* Every checkpoint the server ever signed (admin and auditor only). */
static int verify_checkpoints(conn *x, const chain *ch, const uint8_t key[AUDIT_KEY_LEN], uint64_t *count)
{
	uint64_t after = 0;
	char why[300];

	*count = 0;
	for (;;) {
		Hearth__Envelope req = HEARTH__ENVELOPE__INIT, *resp = NULL;
		Hearth__CheckpointsRequest cr = HEARTH__CHECKPOINTS_REQUEST__INIT;
		const Hearth__CheckpointsPage *pg;
		int more;

		cr.after_size = after;
		cr.limit = QUERY_PAGE_MAX;
		req.body_case = HEARTH__ENVELOPE__BODY_CHECKPOINTS_REQUEST;
		req.checkpoints_request = &cr;
		if (session_call(&x->s, &req, &resp) != 0)
			return lost(x);
		if (resp->body_case != HEARTH__ENVELOPE__BODY_CHECKPOINTS_PAGE) {
			int rc = refused(x, "list of checkpoints", resp);
			envelope_free(resp, NULL);
			return rc;
		}
		pg = resp->checkpoints_page;
		for (size_t i = 0; i < pg->n_checkpoints; i++) {
			const Hearth__Checkpoint *cp = pg->checkpoints[i];
			/* Signed after our walk through the entries: not ours to judge yet. */
			if (cp->size > ch->n)
				continue;
			if (check_checkpoint(ch, key, cp, why, sizeof(why)) != 0) {
				char t[64];
				witness_time(cp->time, t, sizeof(t));
				printf("audit verify: checkpoint at size %llu (signed %s) is damaged: %s\n",
				       (unsigned long long)cp->size, t, why);
				envelope_free(resp, NULL);
				return EXIT_FAIL;
			}
			(*count)++;
			if (cp->size > after)
				after = cp->size;
		}
		more = pg->more && pg->n_checkpoints > 0;
		envelope_free(resp, NULL);
		if (!more)
			return EXIT_OK;
	}
}

static int audit_verify(cli *c, int argc, char **argv)
{
	Hearth__AuditQuery q = HEARTH__AUDIT_QUERY__INIT;
	Hearth__Envelope *cpr = NULL;
	const Hearth__Checkpoint *cp;
	const Hearth__Principal *p;
	uint8_t key[AUDIT_KEY_LEN];
	chain ch;
	conn x;
	char why[300], head[2 * AUDIT_HASH_LEN + 1];
	uint64_t ncp = 0;
	int rc, branch;

	memset(&ch, 0, sizeof(ch));
	if (argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		printf("usage: hearth audit verify\n\n"
		       "Checks the server's audit log: reads every entry, recomputes each leaf\n"
		       "(SHA-256 of the canonical bytes) and the hash chain, compares the result with\n"
		       "a freshly signed checkpoint, and checks the signature and head of every\n"
		       "checkpoint the server has signed. Names the first damaged entry and exits 1.\n"
		       "Admin and auditor certificates read every entry; a branch certificate can\n"
		       "verify every link of the chain but the contents of its own branch's entries\n"
		       "only.\n");
		return EXIT_OK;
	}
	if (argc > 1) {
		cli_error("audit verify: unexpected argument \"%s\"", argv[1]);
		return EXIT_USAGE;
	}
	rc = conn_open(&x, c, "audit verify");
	if (rc != EXIT_OK)
		goto fail;
	p = x.s.welcome->principal;
	memcpy(key, x.s.welcome->audit_public_key.data, AUDIT_KEY_LEN);   /* the witness checked it */
	branch = p->role == HEARTH__ROLE__ROLE_BRANCH;
	if ((rc = fresh_checkpoint(&x, &cpr)) != EXIT_OK)
		goto fail;
	cp = cpr->checkpoint;
	q.limit = QUERY_PAGE_MAX;
	if (branch) {
		int code = 0;
		char err[600];
		ch.with_leaves = 1;
		rc = witness_links(&x.s, 0, cp->size, verify_link, &ch, &code, err, sizeof(err));
		if (rc < 0 && rc != HEARTH_EPROTO) {
			rc = lost(&x);
			goto fail;
		}
		if (rc == HEARTH_EPROTO) {
			cli_error("audit verify: %s", err);
			rc = EXIT_FAIL;
			goto fail;
		}
		if (rc == 0)
			rc = each_entry(&x, &q, verify_own, &ch, NULL);
		else
			rc = rc < 0 ? EXIT_FAIL : EXIT_OK;
	} else {
		/* Read on past the checkpoint if the log grew meanwhile: every
		 * entry the server shows us must chain. */
		rc = each_entry(&x, &q, verify_entry, &ch, NULL);
	}
	if (rc != EXIT_OK)
		goto fail;
	if (ch.bad_seq) {
		printf("audit verify: entry %llu is damaged: %s\n", (unsigned long long)ch.bad_seq, ch.why);
		rc = EXIT_FAIL;
		goto fail;
	}
	if (check_checkpoint(&ch, key, cp, why, sizeof(why)) != 0) {
		printf("audit verify: the server's current checkpoint (size %llu) is damaged: %s\n",
		       (unsigned long long)cp->size, why);
		rc = EXIT_FAIL;
		goto fail;
	}
	ncp = 1;
	if (!branch) {
		uint64_t stored;
		if ((rc = verify_checkpoints(&x, &ch, key, &stored)) != EXIT_OK)
			goto fail;
		ncp += stored;
	}
	audit_hex(chain_at(&ch, branch ? cp->size : ch.n), AUDIT_HASH_LEN, head);
	if (branch)
		printf("audit verify: %llu entries, head %s, %llu checkpoints: OK\n"
		       "(a branch certificate checks every link of the chain, and the contents of its own "
		       "branch's %llu entries; admin or auditor can check every entry's contents)\n",
		       (unsigned long long)cp->size, head, (unsigned long long)ncp,
		       (unsigned long long)ch.own);
	else
		printf("audit verify: %llu entries, head %s, %llu checkpoints: OK\n",
		       (unsigned long long)ch.n, head, (unsigned long long)ncp);
	rc = EXIT_OK;
fail:
	envelope_free(cpr, NULL);
	free(ch.hash);
	free(ch.leaf);
	conn_close(&x);
	return rc;
}

/* ---------------------------------------------------------- audit export */

typedef struct export_ctx {
	FILE *f;
	uint64_t n;
	int err;
} export_ctx;

static int export_one(void *arg, const Hearth__AuditEntry *e)
{
	export_ctx *xp = arg;
	out_json j;

	out_json_init(&j, xp->f);
	if (json_entry(&j, e, 1) != 0) {
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
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	Hearth__AuditQuery q = HEARTH__AUDIT_QUERY__INIT;
	Hearth__ClientEvent ev = HEARTH__CLIENT_EVENT__INIT, *evp = &ev;
	export_ctx xp = { NULL, 0, 0 };
	const char *path = NULL;
	char tmp[1200], detail[1300];
	conn x;
	size_t sent;
	int o, rc;

	memset(&x, 0, sizeof(x));
	while ((o = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (o == 'j')
			path = optarg;
		else if (o == 'h') {
			printf("usage: hearth audit export --jsonl FILE\n\n"
			       "Writes every audit entry this certificate may read to FILE, one JSON object\n"
			       "per line, with all fields and the chain: \"prev_hash\", \"hash\", \"leaf\" (hex)\n"
			       "and \"canonical\" (base64 of the canonical bytes). An outside tool can check\n"
			       "each line: leaf = SHA-256(canonical), hash = SHA-256(prev_hash || leaf).\n"
			       "The export itself is recorded in the audit log.\n");
			return EXIT_OK;
		} else
			return EXIT_USAGE;
	}
	if (!path || optind < argc) {
		cli_error("audit export: give --jsonl FILE (and nothing else)");
		return EXIT_USAGE;
	}
	if (strlen(path) + 5 > sizeof(tmp)) {
		cli_error("audit export: the path %s is too long", path);
		return EXIT_USAGE;
	}
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	rc = conn_open(&x, c, "audit export");
	if (rc != EXIT_OK)
		goto fail;
	xp.f = fopen(tmp, "w");
	if (!xp.f) {
		cli_error("audit export: cannot write %s: %m", tmp);
		rc = EXIT_FAIL;
		goto fail;
	}
	q.limit = QUERY_PAGE_MAX;
	if ((rc = each_entry(&x, &q, export_one, &xp, NULL)) != EXIT_OK || xp.err) {
		if (xp.err)
			cli_error("audit export: %s", hearth_strerror(xp.err));
		rc = EXIT_FAIL;
		goto fail;
	}
	if (fflush(xp.f) != 0 || ferror(xp.f)) {
		cli_error("audit export: cannot write %s: %m", tmp);
		rc = EXIT_FAIL;
		goto fail;
	}
	fclose(xp.f);
	xp.f = NULL;
	if (rename(tmp, path) != 0) {
		cli_error("audit export: cannot rename %s to %s: %m", tmp, path);
		rc = EXIT_FAIL;
		goto fail;
	}
	/* The export is an event like any other: queued first, so a lost
	 * connection only delays it to the next sync. */
	snprintf(detail, sizeof(detail), "audit export --jsonl %s", path);
	ev.action = "export";
	ev.time = session_now_ms();
	ev.detail = detail;
	ev.count = xp.n > UINT32_MAX ? UINT32_MAX : (uint32_t)xp.n;
	ev.branch_id = x.s.welcome->principal->branch_id;
	if ((rc = replica_queue_events(&x.r, &evp, 1)) != 0) {
		cli_error("audit export: cannot record the export in the replica: %s", hearth_strerror(rc));
		rc = EXIT_FAIL;
		goto fail;
	}
	if ((rc = audit_send_events(&x.s, &x.r, "audit export", &sent)) != EXIT_OK)
		goto fail;
	printf("audit export: %llu entries written to %s\n", (unsigned long long)xp.n, path);
	rc = EXIT_OK;
fail:
	if (xp.f) {
		fclose(xp.f);
		unlink(tmp);
	}
	conn_close(&x);
	return rc;
}

/* ---------------------------------------------------------- history */

typedef struct hist_ctx {
	out_json j;
	int json;
	uint64_t n;
	int err;
} hist_ctx;

static int hist_one(void *arg, const Hearth__AuditEntry *e)
{
	hist_ctx *h = arg;
	const kind_info *k = kind_find(e->kind);
	char t[64], actor[120], rb[100], nb[32];

	h->n++;
	if (h->json) {
		if (json_entry(&h->j, e, 0) != 0) {
			h->err = HEARTH_ENOMEM;
			return -1;
		}
		return 0;
	}
	witness_time(e->time, t, sizeof(t));
	who(e, actor, sizeof(actor));
	role_branch(e, rb, sizeof(rb));
	printf("%s  %s (%s)  %s", t, actor, rb, e->action);
	if (e->rev_before || e->rev_after)
		printf("  rev %llu \xe2\x86\x92 %llu", (unsigned long long)e->rev_before,
		       (unsigned long long)e->rev_after);
	printf("  [seq %llu]\n", (unsigned long long)e->seq);
	if (e->detail && e->detail[0])
		printf("    %s\n", e->detail);
	for (size_t i = 0; i < e->n_changes; i++) {
		const Hearth__AuditChange *c = e->changes[i];
		char *o = change_side(k, c, &c->old_value), *n = change_side(k, c, &c->new_value);
		const char *label = change_label(k, c);
		printf("    %s%s%s: %s \xe2\x86\x92 %s\n", change_name(c, nb, sizeof(nb)), label[0] ? " " : "",
		       label, o ? o : "?", n ? n : "?");
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
	conn x;
	int o, rc;

	memset(&h, 0, sizeof(h));
	memset(&x, 0, sizeof(x));
	while ((o = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (o == 'j')
			h.json = 1;
		else if (o == 'h') {
			printf("usage: hearth history RECORD [--json]\n\n"
			       "Every change the audit log holds for one record (its id, or a unique prefix\n"
			       "of at least 4 hex digits among the local replica's records): when, who (name\n"
			       "and branch), what (create, update, merge, conflict, resolve, delete), the\n"
			       "revision, and each field from its old value to its new one (sensitive\n"
			       "fields as the first digits of their SHA-256).\n");
			return EXIT_OK;
		} else
			return EXIT_USAGE;
	}
	if (optind + 1 != argc) {
		cli_error("history: give one record id (see 'hearth history --help')");
		return EXIT_USAGE;
	}
	rc = conn_open(&x, c, "history");
	if (rc != EXIT_OK)
		goto fail;
	if ((rc = record_arg(&x.r, "history", argv[optind], rid)) != EXIT_OK)
		goto fail;
	uuid_format(rid, idt);
	q.record_id.data = rid;
	q.record_id.len = UUID_LEN;
	q.limit = QUERY_PAGE_MAX;
	if (h.json) {
		out_json_init(&h.j, stdout);
		out_json_begin_array(&h.j);
	} else {
		printf("history of %s\n", idt);
	}
	rc = each_entry(&x, &q, hist_one, &h, NULL);
	if (rc == EXIT_OK && h.err)
		rc = EXIT_FAIL;
	if (rc != EXIT_OK)
		goto fail;
	if (h.json) {
		out_json_end_array(&h.j);
		fputc('\n', stdout);
	} else if (h.n == 0) {
		printf("no audit entries for this record that this certificate may read\n");
	}
	rc = fflush(stdout) == 0 ? EXIT_OK : EXIT_FAIL;
fail:
	conn_close(&x);
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
		fprintf(f, "usage: hearth audit log|show|verify|export [options]\n\n"
		           "  log     list audit entries (filters: --actor --branch --record --action\n"
		           "          --since --until; --limit --after; --json)\n"
		           "  show    one entry with every field: hearth audit show SEQ\n"
		           "  verify  recompute the hash chain and check every signed checkpoint\n"
		           "  export  every readable entry as JSON lines: --jsonl FILE\n"
		           "Every audit command first checks, as a witness, that the server's log only\n"
		           "grew since this replica last saw it (exit 5 if not). 'hearth history\n"
		           "RECORD' shows one record's changes.\n");
		return argc < 2 ? EXIT_USAGE : EXIT_OK;
	}
	for (size_t i = 0; i < HEARTH_ARRAY_LEN(subs); i++) {
		if (!strcmp(argv[1], subs[i].name)) {
			optind = 1;
			return subs[i].fn(c, argc - 1, argv + 1);
		}
	}
	cli_error("audit: unknown subcommand \"%s\"; try 'hearth audit --help'", argv[1]);
	return EXIT_USAGE;
}
