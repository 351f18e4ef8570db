/* record_view.c: a record's fields for people (masked unless revealed)
 * and for JSON, and `hearth KIND list` as a table, CSV or JSON. */
#include "client/cmd/record_view.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <lmdb.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "client/cmd/import.h"
#include "client/cmd/record_args.h"
#include "client/cmd/record_replica.h"
#include "client/core/field_input.h"
#include "client/core/filters.h"
#include "client/core/due_load.h"
#include "client/core/identity.h"
#include "client/core/ledger.h"
#include "client/core/replica.h"
#include "client/core/replica_events.h"
#include "client/core/values.h"
#include "client/ui/output.h"
#include "client/ui/xlsx_write.h"
#include "common/date.h"
#include "common/dues_rate.h"
#include "common/enums.h"
#include "common/hearth.h"
#include "common/i18n.h"
#include "common/pbfield.h"
#include "common/record.h"
#include "common/tls.h"
#include "common/utf8.h"
#include "common/uuid.h"

/* Column limit for text cells in `list` tables. */
#define LIST_CELL_MAX 24

/* ------------------------------------------------------ value display */

static void sb_add(rview_sbuf *b, const char *s, size_t n)
{
	if (b->oom)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 128;
		char *p;
		while (cap < b->len + n + 1)
			cap *= 2;
		p = realloc(b->p, cap);
		if (!p) {
			b->oom = 1;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void sb_puts(rview_sbuf *b, const char *s)
{
	sb_add(b, s, strlen(s));
}

const char *rview_sb_str(const rview_sbuf *b)
{
	return b->p && !b->oom ? b->p : "";
}

/* A string for display: sensitive values are masked unless revealed. */
static void put_text(const record_cmd *m, const field_rule *rule, const char *s, rview_sbuf *b)
{
	if ((rargs_rule_flags(rule) & FIELD_SENSITIVE) && !m->reveal && *s) {
		size_t cap = strlen(s) + 16;
		char *masked = malloc(cap);
		if (!masked) {
			b->oom = 1;
			return;
		}
		record_mask(s, masked, cap);
		sb_puts(b, masked);
		free(masked);
	} else {
		sb_puts(b, s);
	}
}

/* Writes the name of a referenced record that has one in the local replica
 * (member_namer_text: the name, and the id's tail only when two members
 * share it). Returns 0 when it has none, so the caller prints the id. */
static int ref_name(const record_cmd *m, const uint8_t id[UUID_LEN], rview_sbuf *b)
{
	record_cmd *mm = (record_cmd *)m;   /* the name table is a cache */
	char text[1024];

	if (!mm->namer.r)
		member_namer_init(&mm->namer, &mm->rep);
	if (!member_namer_text(&mm->namer, id, text, sizeof(text)))
		return 0;
	sb_puts(b, text);
	return 1;
}

/* One element as people read it: enum labels, 是/否, money in yuan with
 * two decimals, ids in canonical text. */
/* How a reference is written: by name for people (a table, `show`, the
 * name column of an export), or as its id (the export's ID column, which
 * import reads back exactly). */
typedef enum refs_as {
	REFS_AS_NAMES = 0,
	REFS_AS_IDS,
} refs_as;

static void people_elem(const record_cmd *m, const ProtobufCFieldDescriptor *fd, const field_rule *rule,
                        const void *p, rview_sbuf *b, refs_as refs)
{
	char tmp[64];

	switch (fd->type) {
	case PROTOBUF_C_TYPE_STRING:
		put_text(m, rule, *(char *const *)p ? *(char *const *)p : "", b);
		return;
	case PROTOBUF_C_TYPE_BYTES: {
		const ProtobufCBinaryData *d = p;
		char text[UUID_TEXT_LEN + 1];
		if (d->len == UUID_LEN && refs == REFS_AS_NAMES && m->rep_open && ref_name(m, d->data, b)) {
			/* People read names; an export keeps the ids in a column of their own. */
		} else if (d->len == UUID_LEN) {
			uuid_format(d->data, text);
			sb_puts(b, text);
		} else if (d->len) {
			snprintf(tmp, sizeof(tmp), "(%zu bytes)", d->len);
			sb_puts(b, tmp);
		}
		return;
	}
	case PROTOBUF_C_TYPE_ENUM:
		if (*(const int32_t *)p)
			sb_puts(b, enum_label(fd->descriptor, *(const int32_t *)p));
		return;
	case PROTOBUF_C_TYPE_BOOL:
		sb_puts(b, *(const protobuf_c_boolean *)p ? "\xe6\x98\xaf" : "\xe5\x90\xa6");
		return;
	case PROTOBUF_C_TYPE_FLOAT:
		snprintf(tmp, sizeof(tmp), "%g", (double)*(const float *)p);
		sb_puts(b, tmp);
		return;
	case PROTOBUF_C_TYPE_DOUBLE:
		snprintf(tmp, sizeof(tmp), "%g", *(const double *)p);
		sb_puts(b, tmp);
		return;
	default:
		break;
	}
	/* A sensitive amount (a household's income) has no shape worth
	 * keeping: masked, it is stars. */
	if ((rargs_rule_flags(rule) & FIELD_SENSITIVE) && !m->reveal) {
		sb_puts(b, "***");
		return;
	}
	if (rargs_rule_flags(rule) & FIELD_MONEY)
		money_yuan_format(rargs_int_value(fd->type, p), tmp);
	else if (rargs_rule_flags(rule) & FIELD_PERCENT)
		dues_rate_format((int32_t)rargs_int_value(fd->type, p), tmp);
	else if (fd->type == PROTOBUF_C_TYPE_UINT64 || fd->type == PROTOBUF_C_TYPE_FIXED64)
		snprintf(tmp, sizeof(tmp), "%" PRIu64, *(const uint64_t *)p);
	else
		snprintf(tmp, sizeof(tmp), "%" PRId64, rargs_int_value(fd->type, p));
	sb_puts(b, tmp);
}

/* A transfer's summary (the sending branch's trace of a member who left)
 * names what this replica no longer holds: the member by the name kept at
 * acceptance, the receiving branch with its name, and a status that says
 * the record is only a trace. CSV and xlsx keep the stored values, so they
 * read back as they are. Returns 1 when it wrote the cell. */
static int summary_cell(const record_cmd *m, const ProtobufCMessage *body, const ProtobufCFieldDescriptor *fd,
                        rview_sbuf *b)
{
	const Hearth__TransferSummary *sum = record_transfer_summary(m->k, body);
	const Hearth__Transfer *t = (const Hearth__Transfer *)body;

	if (!sum || m->csv || m->xlsx)
		return 0;
	if (!strcmp(fd->name, "member") && sum->member_name[0]) {
		sb_puts(b, sum->member_name);
		return 1;
	}
	if (!strcmp(fd->name, "to_branch") && sum->to_branch_name[0]) {
		sb_puts(b, t->to_branch);
		sb_puts(b, " ");
		sb_puts(b, sum->to_branch_name);
		return 1;
	}
	if (!strcmp(fd->name, "status")) {
		sb_puts(b, _("transferred out (read-only)"));
		return 1;
	}
	return 0;
}

static void people_value(const record_cmd *m, const ProtobufCMessage *body,
                         const ProtobufCFieldDescriptor *fd, rview_sbuf *b, refs_as refs)
{
	const field_rule *rule = kind_rule(m->k, fd->id);
	const void *p = pbfield_ptr(body, fd);

	sb_puts(b, "");
	if (summary_cell(m, body, fd, b))
		return;
	if (fd->label == PROTOBUF_C_LABEL_REPEATED) {
		size_t n = *pbfield_count(body, fd), sz = pbfield_elem_size(fd);
		const char *arr = *(char *const *)p;
		for (size_t i = 0; i < n; i++) {
			if (i)
				sb_puts(b, "\xe3\x80\x81");
			people_elem(m, fd, rule, arr + i * sz, b, refs);
		}
		return;
	}
	people_elem(m, fd, rule, p, b, refs);
}

/* A field's value for a table, `show` or CSV; repeated values are joined
 * with "、" as Chinese lists are, references by name. The caller frees b->p. */
void rview_people_value(const record_cmd *m, const ProtobufCMessage *body,
                         const ProtobufCFieldDescriptor *fd, rview_sbuf *b)
{
	people_value(m, body, fd, b, REFS_AS_NAMES);
}

/* A reference field of an export gets two columns: the names people read
 * (党员) and the ids (党员ID) that import trusts over the names. */
static int is_ref_field(const kind_info *k, const ProtobufCFieldDescriptor *fd)
{
	return fd->type == PROTOBUF_C_TYPE_BYTES && (rargs_rule_flags(kind_rule(k, fd->id)) & FIELD_ID);
}

/* "党员ID": the header of a reference's id column (import.c reads it). */
static void ids_header(const kind_info *k, const ProtobufCFieldDescriptor *fd, char *out, size_t cap)
{
	const field_rule *r = kind_rule(k, fd->id);
	snprintf(out, cap, "%sID", r && r->label ? r->label : fd->name);
}

static void json_elem(const record_cmd *m, out_json *j, const ProtobufCFieldDescriptor *fd,
                      const field_rule *rule, const void *p)
{
	switch (fd->type) {
	case PROTOBUF_C_TYPE_STRING: {
		rview_sbuf b = { 0 };
		put_text(m, rule, *(char *const *)p ? *(char *const *)p : "", &b);
		out_json_string(j, rview_sb_str(&b));
		free(b.p);
		return;
	}
	case PROTOBUF_C_TYPE_BYTES: {
		const ProtobufCBinaryData *d = p;
		char text[UUID_TEXT_LEN + 1];
		if (d->len == UUID_LEN) {
			uuid_format(d->data, text);
			out_json_string(j, text);
		} else {
			out_json_null(j);
		}
		return;
	}
	case PROTOBUF_C_TYPE_ENUM: {
		char name[64];
		enum_short_name(fd->descriptor, *(const int32_t *)p, name, sizeof(name));
		out_json_string(j, name);
		return;
	}
	case PROTOBUF_C_TYPE_BOOL:
		out_json_bool(j, *(const protobuf_c_boolean *)p);
		return;
	case PROTOBUF_C_TYPE_FLOAT:
		out_json_double(j, *(const float *)p);
		return;
	case PROTOBUF_C_TYPE_DOUBLE:
		out_json_double(j, *(const double *)p);
		return;
	case PROTOBUF_C_TYPE_UINT64:
	case PROTOBUF_C_TYPE_FIXED64:
		out_json_uint(j, *(const uint64_t *)p);
		return;
	default:
		if ((rargs_rule_flags(rule) & FIELD_SENSITIVE) && !m->reveal)
			out_json_string(j, "***");
		else
			out_json_int(j, rargs_int_value(fd->type, p));   /* money stays integer fen */
		return;
	}
}

/* A record as one JSON object: envelope fields, then each set body field by
 * its proto name. `show` adds its local state (extra). */
void rview_json_record(const record_cmd *m, out_json *j, const Hearth__Record *rec, int extra, int pending)
{
	const ProtobufCMessage *body = record_body(rec);
	char id[UUID_TEXT_LEN + 1] = "";

	if (rec->id.len == UUID_LEN)
		uuid_format(rec->id.data, id);
	out_json_begin_object(j);
	out_json_key(j, "id");
	out_json_string(j, id);
	out_json_key(j, "rev");
	out_json_uint(j, rec->rev);
	out_json_key(j, "branch");
	out_json_string(j, rec->branch_id ? rec->branch_id : "");
	out_json_key(j, "deleted");
	out_json_bool(j, rec->deleted);
	if (extra) {
		out_json_key(j, "pending");
		out_json_bool(j, pending);
		out_json_key(j, "updated_at");
		out_json_int(j, rec->updated_at);
		out_json_key(j, "updated_by_name");
		out_json_string(j, rec->updated_by_name ? rec->updated_by_name : "");
	}
	for (unsigned i = 0; body && i < m->k->desc->n_fields; i++) {
		const ProtobufCFieldDescriptor *fd = &m->k->desc->fields[i];
		const field_rule *rule = kind_rule(m->k, fd->id);
		if (!field_input_supported(fd, rule) || !pbfield_is_set(body, fd))
			continue;
		out_json_key(j, fd->name);
		if (fd->label == PROTOBUF_C_LABEL_REPEATED) {
			size_t n = *pbfield_count(body, fd), sz = pbfield_elem_size(fd);
			const char *arr = *(char *const *)pbfield_ptr(body, fd);
			out_json_begin_array(j);
			for (size_t k = 0; k < n; k++)
				json_elem(m, j, fd, rule, arr + k * sz);
			out_json_end_array(j);
		} else {
			json_elem(m, j, fd, rule, pbfield_ptr(body, fd));
		}
	}
	if (body && rargs_notes_field(m->k) && pbfield_is_set(body, rargs_notes_field(m->k))) {
		const ProtobufCFieldDescriptor *nf = rargs_notes_field(m->k);
		size_t n = *pbfield_count(body, nf);
		Hearth__ProgressNote *const *notes = *(Hearth__ProgressNote *const *const *)pbfield_ptr(body, nf);

		out_json_key(j, nf->name);
		out_json_begin_array(j);
		for (size_t i = 0; i < n; i++) {
			out_json_begin_object(j);
			out_json_key(j, "date");
			out_json_string(j, notes[i]->date ? notes[i]->date : "");
			out_json_key(j, "note");
			out_json_string(j, notes[i]->note ? notes[i]->note : "");
			out_json_key(j, "by");
			out_json_string(j, notes[i]->by ? notes[i]->by : "");
			if (notes[i]->channel && notes[i]->channel[0]) {
				out_json_key(j, "channel");
				out_json_string(j, notes[i]->channel);
			}
			out_json_end_object(j);
		}
		out_json_end_array(j);
	}
	if (record_transfer_summary(m->k, body)) {
		const Hearth__TransferSummary *sum = record_transfer_summary(m->k, body);
		char tid[UUID_TEXT_LEN + 1] = "";

		if (sum->transfer.len == UUID_LEN)
			uuid_format(sum->transfer.data, tid);
		out_json_key(j, "read_only");
		out_json_bool(j, 1);
		out_json_key(j, "summary");
		out_json_begin_object(j);
		out_json_key(j, "transfer");
		out_json_string(j, tid);
		out_json_key(j, "member_name");
		out_json_string(j, sum->member_name);
		out_json_key(j, "to_branch_name");
		out_json_string(j, sum->to_branch_name);
		out_json_end_object(j);
	}
	if (body && rec->body_case == HEARTH__RECORD__BODY_MEMBER && rec->member->n_talk_needs) {
		const Hearth__Member *mem = rec->member;
		out_json_key(j, "talk_needs");
		out_json_begin_array(j);
		for (size_t i = 0; i < mem->n_talk_needs; i++) {
			char reason[48];
			enum_short_name(&hearth__talk_trigger__descriptor, mem->talk_needs[i]->reason, reason,
			                sizeof(reason));
			out_json_begin_object(j);
			out_json_key(j, "reason");
			out_json_string(j, reason);
			out_json_key(j, "date");
			out_json_string(j, mem->talk_needs[i]->date);
			out_json_key(j, "note");
			out_json_string(j, mem->talk_needs[i]->note);
			out_json_end_object(j);
		}
		out_json_end_array(j);
	}
	out_json_end_object(j);
}

/* ------------------------------------------------------------- list */

typedef struct list_ctx {
	record_cmd *m;
	const ProtobufCMessage *filter;            /* fields named by filter flags */
	const ProtobufCFieldDescriptor **cols;     /* table columns after the id */
	size_t n_cols;
	out_table *t;
	out_json j;
	out_csv csv;
	xlsx_writer *xw;
	size_t count;
	size_t id_cols;                            /* shown length of ids */
	int err;
	int collect;                               /* first pass: events only */
	size_t matched;
	event_list events;
	int years;                                 /* 年龄 and 党龄 columns: members, hardship */
	int32_t today;                             /* the day they are counted to */
} list_ctx;

/* 年龄 and 党龄 of a member's row, or of the member a hardship entry names
 * (looked up in the replica): whole years to today, "" when unknown. */
static int years_cells(list_ctx *l, const Hearth__Record *rec)
{
	Hearth__Record *ref = NULL;
	const Hearth__Member *mem = NULL;
	char age[8] = "", party[8] = "";
	int rc;

	if (rec->kind == HEARTH__KIND__KIND_MEMBER && rec->body_case == HEARTH__RECORD__BODY_MEMBER)
		mem = rec->member;
	else if (rec->kind == HEARTH__KIND__KIND_HARDSHIP && rec->body_case == HEARTH__RECORD__BODY_HARDSHIP &&
	         rec->hardship->member.len == UUID_LEN &&
	         replica_get(&l->m->rep, rec->hardship->member.data, &ref) == 0 &&
	         ref->body_case == HEARTH__RECORD__BODY_MEMBER)
		mem = ref->member;
	if (mem) {
		ledger_years(mem->birth_date, l->today, age);
		ledger_years(mem->join_date, l->today, party);
	}
	rc = out_table_cell(l->t, age) != 0 || out_table_cell(l->t, party) != 0 ? HEARTH_ENOMEM : 0;
	if (ref)
		hearth__record__free_unpacked(ref, NULL);
	return rc;
}

/* UUIDv7 ids start with their creation time, so ids made within a minute
 * share their first 8 hex digits. The table shows the shortest prefix (at
 * least 8 characters) that tells every local record apart: one more than
 * the longest prefix two neighbours (in id order) have in common. */
struct prefix_scan {
	char prev[UUID_TEXT_LEN + 1];
	int have;
	size_t common;
};

static int prefix_one(void *arg, const Hearth__Record *rec)
{
	struct prefix_scan *p = arg;
	char text[UUID_TEXT_LEN + 1];
	size_t i = 0;

	if (rec->id.len != UUID_LEN)
		return 0;
	uuid_format(rec->id.data, text);
	if (p->have) {
		while (i < UUID_TEXT_LEN && text[i] == p->prev[i])
			i++;
		if (i > p->common)
			p->common = i;
	}
	memcpy(p->prev, text, sizeof(text));
	p->have = 1;
	return 0;
}

static size_t short_id_len(replica *r)
{
	struct prefix_scan p;
	size_t n;

	memset(&p, 0, sizeof(p));
	if (replica_each(r, 0, 1, prefix_one, &p) != 0)
		return UUID_TEXT_LEN;
	n = p.common + 1;
	if (n < 8)
		n = 8;
	/* Never end on a dash: "01a21e0d-" reads like a typo. */
	if (n < UUID_TEXT_LEN && (n == 9 || n == 14 || n == 19 || n == 24))
		n++;
	return n > UUID_TEXT_LEN ? UUID_TEXT_LEN : n;
}

static int same_elem(const ProtobufCFieldDescriptor *fd, const void *a, const void *b)
{
	if (fd->type == PROTOBUF_C_TYPE_STRING) {
		const char *x = *(char *const *)a, *y = *(char *const *)b;
		return !strcmp(x ? x : "", y ? y : "");
	}
	if (fd->type == PROTOBUF_C_TYPE_BYTES) {
		const ProtobufCBinaryData *x = a, *y = b;
		return x->len == y->len && (x->len == 0 || !memcmp(x->data, y->data, x->len));
	}
	return !memcmp(a, b, pbfield_elem_size(fd));
}

/* A filter on a single field is an exact match; on a list field, the record
 * must hold every value the filter names (an empty filter: none at all). */
static int field_matches(const ProtobufCFieldDescriptor *fd, const ProtobufCMessage *filter,
                         const ProtobufCMessage *body)
{
	size_t sz = pbfield_elem_size(fd);

	if (fd->label == PROTOBUF_C_LABEL_REPEATED) {
		size_t nf = *pbfield_count(filter, fd), nb = *pbfield_count(body, fd);
		const char *fa = *(char *const *)pbfield_ptr(filter, fd);
		const char *ba = *(char *const *)pbfield_ptr(body, fd);
		if (nf == 0)
			return nb == 0;
		for (size_t i = 0; i < nf; i++) {
			size_t k = 0;
			while (k < nb && !same_elem(fd, fa + i * sz, ba + k * sz))
				k++;
			if (k == nb)
				return 0;
		}
		return 1;
	}
	return same_elem(fd, pbfield_ptr(filter, fd), pbfield_ptr(body, fd));
}

static int list_one(void *arg, const Hearth__Record *rec)
{
	list_ctx *l = arg;
	record_cmd *m = l->m;
	const ProtobufCMessage *body = record_body(rec);
	char text[UUID_TEXT_LEN + 1] = "";

	if (rec->kind != m->k->kind || !filter_match(&m->filt, rec) || (m->deleted_only && !rec->deleted))
		return 0;
	if (m->n_as && !body)
		return 0;
	for (size_t i = 0; i < m->n_as; i++) {
		if (!field_matches(m->as[i].fl->fd, l->filter, body))
			return 0;
	}
	if (l->collect) {
		l->matched++;
		if (m->reveal && body && rec->id.len == UUID_LEN &&
		    event_list_add(&l->events, "reveal", m->k, rec->id.data, rec->branch_id, body, 0,
		              m->csv ? "list --csv --reveal" : m->xlsx ? "list --xlsx --reveal" : "list --reveal") != 0) {
			l->err = HEARTH_ENOMEM;
			return 1;
		}
		return 0;
	}
	if (rec->id.len == UUID_LEN)
		uuid_format(rec->id.data, text);
	l->count++;
	if (m->json) {
		rview_json_record(m, &l->j, rec, 0, 0);
		return 0;
	}
	if (m->xlsx) {
		if (xlsx_writer_row(l->xw) != 0 || xlsx_writer_cell(l->xw, text) != 0)
			goto toobig;
		for (unsigned i = 0; i < m->k->desc->n_fields; i++) {
			const ProtobufCFieldDescriptor *fd = &m->k->desc->fields[i];
			rview_sbuf b = { 0 };
			int rc;
			if (!field_input_supported(fd, kind_rule(m->k, fd->id)))
				continue;
			if (body)
				rview_people_value(m, body, fd, &b);
			rc = b.oom ? HEARTH_ENOMEM : xlsx_writer_cell(l->xw, rview_sb_str(&b));
			free(b.p);
			if (rc != 0)
				goto oom;
			if (is_ref_field(m->k, fd)) {
				rview_sbuf ids = { 0 };
				if (body)
					people_value(m, body, fd, &ids, REFS_AS_IDS);
				rc = ids.oom ? HEARTH_ENOMEM : xlsx_writer_cell(l->xw, rview_sb_str(&ids));
				free(ids.p);
				if (rc != 0)
					goto oom;
			}
		}
		return 0;
	}
	if (m->csv) {
		out_csv_field(&l->csv, text);
		for (unsigned i = 0; i < m->k->desc->n_fields; i++) {
			const ProtobufCFieldDescriptor *fd = &m->k->desc->fields[i];
			rview_sbuf b = { 0 };
			if (!field_input_supported(fd, kind_rule(m->k, fd->id)))
				continue;
			if (body)
				rview_people_value(m, body, fd, &b);
			out_csv_field(&l->csv, rview_sb_str(&b));
			free(b.p);
			if (is_ref_field(m->k, fd)) {
				rview_sbuf ids = { 0 };
				if (body)
					people_value(m, body, fd, &ids, REFS_AS_IDS);
				out_csv_field(&l->csv, rview_sb_str(&ids));
				free(ids.p);
			}
		}
		out_csv_end_row(&l->csv);
		return 0;
	}
	text[l->id_cols] = '\0';
	if (out_table_row(l->t) != 0 || out_table_cell(l->t, text) != 0)
		goto oom;
	for (size_t i = 0; i < l->n_cols; i++) {
		rview_sbuf b = { 0 };
		int rc;
		if (body)
			rview_people_value(m, body, l->cols[i], &b);
		rc = b.oom ? HEARTH_ENOMEM : out_table_cell(l->t, rview_sb_str(&b));
		free(b.p);
		if (rc != 0)
			goto oom;
	}
	if (l->years && years_cells(l, rec) != 0)
		goto oom;
	if (m->all && out_table_cell(l->t, rec->deleted ? "\xe6\x98\xaf" : "") != 0)
		goto oom;
	return 0;
toobig:
	l->err = HEARTH_ETOOBIG;
	return 1;
oom:
	l->err = HEARTH_ENOMEM;
	return 1;
}

/* How a field's cells are written in a workbook: dates as dates, money as
 * numbers in yuan, whole numbers (a year, a count) as numbers; everything
 * else, id cards and phones first, as text. */
static xlsx_col_type xlsx_type(const ProtobufCFieldDescriptor *fd, const field_rule *r)
{
	uint32_t flags = rargs_rule_flags(r);

	if (fd->label == PROTOBUF_C_LABEL_REPEATED)
		return XLSX_COL_TEXT;
	if (flags & FIELD_DATE)
		return XLSX_COL_DATE;
	if (flags & FIELD_MONEY)
		return XLSX_COL_MONEY;
	if (pbfield_is_int_type(fd->type))
		return XLSX_COL_INT;
	return XLSX_COL_TEXT;
}

static int xlsx_header(list_ctx *l)
{
	const kind_info *k = l->m->k;
	char err[512] = "";

	if (xlsx_writer_open(l->m->xlsx, k->label, &l->xw, err, sizeof(err)) != 0) {
		rargs_say(l->m, "%s", err[0] ? err : _("out of memory"));
		return EXIT_FAIL;
	}
	if (xlsx_writer_column(l->xw, "id", XLSX_COL_TEXT) != 0)
		goto oom;
	for (unsigned i = 0; i < k->desc->n_fields; i++) {
		const ProtobufCFieldDescriptor *fd = &k->desc->fields[i];
		const field_rule *r = kind_rule(k, fd->id);
		char ih[128];
		if (!field_input_supported(fd, r))
			continue;
		if (xlsx_writer_column(l->xw, r && r->label ? r->label : fd->name, xlsx_type(fd, r)) != 0)
			goto oom;
		ids_header(k, fd, ih, sizeof(ih));
		if (is_ref_field(k, fd) && xlsx_writer_column(l->xw, ih, XLSX_COL_TEXT) != 0)
			goto oom;
	}
	return EXIT_OK;
oom:
	rargs_say(l->m, "%s", _("out of memory"));
	return EXIT_FAIL;
}

/* The table shows the kind's list_fields; unknown names in the table are
 * skipped rather than fatal, so a typo there cannot break every listing. */
static int list_columns(list_ctx *l)
{
	const kind_info *k = l->m->k;
	const char *p = k->list_fields ? k->list_fields : "";
	size_t n = 1;

	for (const char *q = p; *q; q++)
		n += *q == ',';
	l->cols = calloc(n, sizeof(*l->cols));
	if (!l->cols)
		return HEARTH_ENOMEM;
	while (*p) {
		char name[64];
		size_t len = strcspn(p, ",");
		const ProtobufCFieldDescriptor *fd;
		if (len < sizeof(name)) {
			memcpy(name, p, len);
			name[len] = '\0';
			fd = protobuf_c_message_descriptor_get_field_by_name(k->desc, name);
			if (fd && field_input_supported(fd, kind_rule(k, fd->id)))
				l->cols[l->n_cols++] = fd;
		}
		p += len;
		if (*p == ',')
			p++;
	}
	if (out_table_column(l->t, "id", 0, 0) != 0)
		return HEARTH_ENOMEM;
	for (size_t i = 0; i < l->n_cols; i++) {
		const ProtobufCFieldDescriptor *fd = l->cols[i];
		const field_rule *r = kind_rule(k, fd->id);
		int numeric = pbfield_is_int_type(fd->type) && fd->label != PROTOBUF_C_LABEL_REPEATED;
		if (out_table_column(l->t, r && r->label ? r->label : fd->name, LIST_CELL_MAX, numeric))
			return HEARTH_ENOMEM;
	}
	/* 年龄 and 党龄 are counted, not stored: to today (HEARTH_TODAY in tests). */
	if (k->kind == HEARTH__KIND__KIND_MEMBER || k->kind == HEARTH__KIND__KIND_HARDSHIP) {
		char err[160];
		l->years = 1;
		if (due_today(&l->today, err, sizeof(err)) != 0)
			l->today = date_today();
		if (out_table_column(l->t, "\xe5\xb9\xb4\xe9\xbe\x84", 0, 1) ||      /* 年龄 */
		    out_table_column(l->t, "\xe5\x85\x9a\xe9\xbe\x84", 0, 1))        /* 党龄 */
			return HEARTH_ENOMEM;
	}
	if (l->m->all && out_table_column(l->t, "\xe5\xb7\xb2\xe5\x88\xa0\xe9\x99\xa4", 0, 0))
		return HEARTH_ENOMEM;   /* 已删除 */
	return 0;
}

int rview_do_list(record_cmd *m)
{
	list_ctx l;
	ProtobufCMessage *filter = NULL;
	int rc;

	memset(&l, 0, sizeof(l));
	l.m = m;
	rc = rrep_open_replica(m);
	if (rc == EXIT_OK && filter_prepare(&m->filt, &m->rep) != 0)
		rc = EXIT_USAGE;
	if (rc != EXIT_OK)
		goto fail;
	filter = kind_new_body(m->k);
	l.t = out_table_new();
	if (!filter || !l.t) {
		rargs_say(m, _("out of memory"));
		rc = EXIT_FAIL;
		goto fail;
	}
	rc = rargs_apply_all(m, filter);
	if (rc != EXIT_OK)
		goto fail;
	l.filter = filter;
	/* A first pass over the same records finds what this listing reveals
	 * or exports, so the events are queued before a line is printed. */
	if ((m->reveal && rrep_sensitive_kind(m->k)) || m->csv || m->xlsx) {
		l.collect = 1;
		rc = replica_each(&m->rep, m->k->kind, m->all || m->deleted_only, list_one, &l);
		l.collect = 0;
		if (rc == 0 && !l.err && (m->csv || m->xlsx)) {
			char branch[128] = "", detail[160];
			rrep_meta_branch(&m->rep, branch, sizeof(branch));
			snprintf(detail, sizeof(detail), "%s list --%s%s", m->k->name, m->xlsx ? "xlsx" : "csv",
			         m->reveal ? " --reveal" : "");
			l.err = event_list_add(&l.events, "export", m->k, NULL, branch, NULL,
			                  l.matched > UINT32_MAX ? UINT32_MAX : (uint32_t)l.matched, detail);
			if (!m->reveal && l.err == 0)
				l.events.ev[l.events.n - 1]->n_fields = 0;   /* nothing sensitive in it */
		}
		if (rc != 0 || l.err) {
			rargs_say(m, _("cannot read the local replica: %s"), _(hearth_strerror(l.err ? l.err : rc)));
			rc = EXIT_FAIL;
			goto fail;
		}
		if ((rc = rrep_events_queue(m, &l.events)) != EXIT_OK)
			goto fail;
	}
	if (m->xlsx) {
		if ((rc = xlsx_header(&l)) != EXIT_OK)
			goto fail;
	} else if (m->json) {
		out_json_init(&l.j, stdout);
		out_json_begin_array(&l.j);
	} else if (m->csv) {
		out_csv_init(&l.csv, stdout, m->bom);
		out_csv_field(&l.csv, "id");
		for (unsigned i = 0; i < m->k->desc->n_fields; i++) {
			const ProtobufCFieldDescriptor *fd = &m->k->desc->fields[i];
			const field_rule *r = kind_rule(m->k, fd->id);
			char ih[128];
			if (!field_input_supported(fd, r))
				continue;
			out_csv_field(&l.csv, r && r->label ? r->label : fd->name);
			ids_header(m->k, fd, ih, sizeof(ih));
			if (is_ref_field(m->k, fd))
				out_csv_field(&l.csv, ih);
		}
		out_csv_end_row(&l.csv);
	} else if ((l.id_cols = short_id_len(&m->rep), list_columns(&l) != 0)) {
		rargs_say(m, _("out of memory"));
		rc = EXIT_FAIL;
		goto fail;
	}
	rc = replica_each(&m->rep, m->k->kind, m->all || m->deleted_only, list_one, &l);
	if (l.err == HEARTH_ETOOBIG) {
		rargs_say(m, _("more records than one sheet holds (1,048,575 rows); narrow the list with "
		               "--year or --from/--to"));
		rc = EXIT_FAIL;
		goto fail;
	}
	if (rc != 0 || l.err) {
		rargs_say(m, _("cannot read the local replica: %s"), _(hearth_strerror(l.err ? l.err : rc)));
		rc = EXIT_FAIL;
		goto fail;
	}
	if (m->xlsx) {
		char err[512] = "";
		xlsx_writer *xw = l.xw;
		l.xw = NULL;
		if (xlsx_writer_close(xw, err, sizeof(err)) != 0) {
			rargs_say(m, "%s: %s", m->xlsx, err);
			rc = EXIT_FAIL;
			goto fail;
		}
		rargs_say(m, _("wrote %zu %s records to %s (recorded in the audit log at the next sync)"),
		          l.count, m->k->name, m->xlsx);
		if (m->reveal && rrep_sensitive_kind(m->k) && l.count)
			rargs_say(m, _("revealed sensitive fields of %zu %s records (recorded in the audit log "
			          "at the next sync)"), l.count, m->k->name);
		rc = EXIT_OK;
		goto fail;
	}
	if (m->json) {
		out_json_end_array(&l.j);
		fputc('\n', stdout);
	} else if (!m->csv) {
		if (l.count == 0)
			printf(_("no %s (%s) records\n"), m->k->label, m->k->name);
		else
			out_table_print(l.t, stdout);
	}
	if (m->csv)
		rargs_say(m, _("exported %zu %s records (recorded in the audit log at the next sync)"), l.count,
		    m->k->name);
	if (m->reveal && rrep_sensitive_kind(m->k) && l.count)
		rargs_say(m, _("revealed sensitive fields of %zu %s records (recorded in the audit log at the next "
		       "sync)"),
		    l.count, m->k->name);
	rc = fflush(stdout) == 0 ? EXIT_OK : EXIT_FAIL;
fail:
	if (l.xw) {
		char err[16];
		/* An aborted listing still closes (and so frees) the workbook. */
		xlsx_writer_close(l.xw, err, sizeof(err));
	}
	event_list_free(&l.events);
	free(l.cols);
	out_table_free(l.t);
	if (filter)
		protobuf_c_message_free_unpacked(filter, NULL);
	return rc;
}
