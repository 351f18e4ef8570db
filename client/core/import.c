/* import.c: reads a CSV or .xlsx file of one record kind (as `list --csv`
 * or `list --xlsx` writes it, or as a spreadsheet saves it), checks every
 * cell of every row, and stores all of them in one local transaction or
 * none: the one importer of `hearth KIND import` and of the web app's 导入. */
#include "client/core/import.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "client/core/csv.h"
#include "client/core/field_input.h"
#include "client/core/filters.h"
#include "client/core/member_lookup.h"
#include "client/core/reasons.h"
#include "client/core/replica.h"
#include "client/core/values.h"
#include "client/core/xlsx_read.h"
#include "common/array.h"
#include "common/date.h"
#include "common/hearth.h"
#include "common/i18n.h"
#include "common/pbfield.h"
#include "common/utf8.h"
#include "common/uuid.h"

/* ------------------------------------------------------ body fields */

/* The text of a string field, "" when unset. */
static const char *str_of(const ProtobufCMessage *m, const ProtobufCFieldDescriptor *fd)
{
	const char *s = *(char *const *)pbfield_ptr(m, fd);
	return s ? s : "";
}

/* ---------------------------------------------------------- import */

#define NO_COL ((size_t)-1)

typedef struct column {
	int is_id;                            /* the id column (fd NULL) */
	const ProtobufCFieldDescriptor *fd;
	const field_rule *rule;
	int fen;                              /* money given in fen (*_fen) */
	int ref_ids;                          /* a reference's ids (党员ID), beside its names (党员) */
	size_t pair;                          /* the other column of such a pair, or NO_COL */
	const char *header;                   /* as the file writes it (owned by the document) */
} column;

typedef struct pending {
	Hearth__Record *rec;
	int create;
} pending;

typedef struct importer {
	const kind_info *k;
	replica *rep;
	import_problem_fn problem;
	void *problem_ctx;
	const char *sheet;                    /* xlsx: the sheet's name; CSV: NULL */
	char branch[128];
	column *cols;
	size_t n_cols;
	pending *out;
	size_t n_out;
	size_t added, updated, unchanged, bad_rows, bad_cells;
	size_t n_unknown;                     /* header cells that name no field (ignored) */
	int row_bad;
	unsigned line;
	size_t col;                           /* the column of the cell being read, or NO_COL */
	const csv_row *row;                   /* the row being read (its cell types) */
} importer;

static void bad(importer *im, const char *field, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Every problem goes to the caller as where (line, the xlsx cell) and
 * what (the column as the file's header names it; field is the name used
 * when no cell is being read) and one sentence. */
static void bad(importer *im, const char *field, const char *fmt, ...)
{
	va_list ap;
	import_problem p = { .line = im->line, .sheet = im->sheet, .column = field };
	char msg[1400];

	if (im->col != NO_COL && im->col < im->n_cols && im->cols[im->col].header)
		p.column = im->cols[im->col].header;
	if (im->sheet && im->col != NO_COL) {
		char letters[8];
		xlsx_col_name(im->col, letters);
		snprintf(p.cell, sizeof(p.cell), "%s%u", letters, im->line);
	}
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	p.message = msg;
	if (im->problem)
		im->problem(im->problem_ctx, &p);
	im->bad_cells++;
	im->row_bad = 1;
}

static uint32_t rflags(const column *c)
{
	return c->rule ? c->rule->flags : 0;
}

/* What the current cell was in the sheet (CSV: always text). */
static csv_cell_type cell_type(const importer *im)
{
	if (!im->row || !im->row->types || im->col == NO_COL || im->col >= im->row->n)
		return CSV_CELL_TEXT;
	return (csv_cell_type)im->row->types[im->col];
}

static int importable(const kind_info *k, const ProtobufCFieldDescriptor *fd)
{
	const field_rule *r = kind_rule(k, fd->id);

	/* Floats are not imported: no cell format for them is defined. */
	if ((fd->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) || fd->type == PROTOBUF_C_TYPE_MESSAGE ||
	    fd->type == PROTOBUF_C_TYPE_FLOAT || fd->type == PROTOBUF_C_TYPE_DOUBLE ||
	    pbfield_elem_size(fd) == 0)
		return 0;
	return fd->type != PROTOBUF_C_TYPE_BYTES || (r && (r->flags & FIELD_ID));
}

/* Takes back the quote that out_csv_field put before a cell a spreadsheet
 * would run as a formula, so that export then import gives back every value
 * byte for byte. */
static void unneutral_cells(csv_doc *doc)
{
	for (size_t r = 0; r < doc->n; r++) {
		for (size_t i = 0; i < doc->rows[r].n; i++) {
			char *cell = doc->rows[r].cells[i];
			const char *kept = csv_unneutral(cell);

			if (kept != cell)
				memmove(cell, kept, strlen(kept) + 1);
		}
	}
}

/* A header cell names a field by its proto name ("join_date"), its flag
 * name ("join-date"), its Chinese label as `list --csv` writes it ("入党
 * 日期"), or for money NAME_fen / NAME-fen for whole fen. */
static int map_header(importer *im, const csv_row *h)
{
	const kind_info *k = im->k;

	im->cols = calloc(h->n ? h->n : 1, sizeof(*im->cols));
	if (!im->cols)
		return HEARTH_ENOMEM;
	im->n_cols = h->n;
	im->line = h->line;
	im->col = NO_COL;
	for (size_t i = 0; i < h->n; i++)
		im->cols[i].pair = NO_COL;
	for (size_t i = 0; i < h->n; i++) {
		char name[128];
		char *text = h->cells[i];
		column *c = &im->cols[i];
		int found = 0;

		/* Trimmed in place: the header is how messages name the column. */
		while (*text == ' ')
			memmove(text, text + 1, strlen(text));
		for (size_t l = strlen(text); l && text[l - 1] == ' ';)
			text[--l] = '\0';
		snprintf(name, sizeof(name), "%s", text);
		c->header = text;
		if (!name[0])
			continue;   /* an empty header cell: a column of nothing, or notes */
		if (!strcasecmp(name, "id")) {
			c->is_id = 1;
			found = 2;
		}
		for (unsigned f = 0; !found && f < k->desc->n_fields; f++) {
			const ProtobufCFieldDescriptor *fd = &k->desc->fields[f];
			const field_rule *r = kind_rule(k, fd->id);
			char flag[128], fen1[140], fen2[140], ids1[140], ids2[140];

			snprintf(flag, sizeof(flag), "%s", fd->name);
			for (char *p = flag; *p; p++)
				if (*p == '_')
					*p = '-';
			snprintf(fen1, sizeof(fen1), "%s_fen", fd->name);
			snprintf(fen2, sizeof(fen2), "%s-fen", flag);
			snprintf(ids1, sizeof(ids1), "%sID", r && r->label ? r->label : fd->name);
			snprintf(ids2, sizeof(ids2), "%s_id", fd->name);
			if (!strcmp(name, fd->name) || !strcmp(name, flag) ||
			    (r && r->label && !strcmp(name, r->label))) {
				found = 1;
			} else if (r && (r->flags & FIELD_ID) && (!strcmp(name, ids1) || !strcasecmp(name, ids2))) {
				found = 1;   /* 党员ID, as `list --csv` writes it beside 党员 */
				c->ref_ids = 1;
			} else if (r && (r->flags & FIELD_MONEY) &&
			           (!strcmp(name, fen1) || !strcmp(name, fen2))) {
				found = 1;
				c->fen = 1;
			}
			if (found) {
				c->fd = fd;
				c->rule = r;
			}
		}
		if (!found) {
			/* Sheets carry columns of their own (序号, 微信号): they are left
			 * out, and named once, so a misspelt header is still seen. */
			im->n_unknown++;
			continue;
		}
		if (found == 1 && !importable(k, c->fd)) {
			bad(im, name, _("%s cannot be imported from CSV"), c->fd->name);
			continue;
		}
		for (size_t j = 0; j < i; j++) {
			column *o = &im->cols[j];
			/* A reference may have one column of names and one of ids. */
			if (c->fd && o->fd == c->fd && c->ref_ids != o->ref_ids && o->pair == NO_COL) {
				o->pair = i;
				c->pair = j;
				continue;
			}
			if ((c->is_id && o->is_id) || (c->fd && o->fd == c->fd)) {
				bad(im, name, _("column %zu names the same field as column %zu"), i + 1, j + 1);
				break;
			}
		}
	}
	return 0;
}

static const char *trim(const char *s, char *buf, size_t cap)
{
	size_t len;

	while (*s == ' ' || *s == '\t')
		s++;
	snprintf(buf, cap, "%s", s);
	len = strlen(buf);
	while (len && (buf[len - 1] == ' ' || buf[len - 1] == '\t'))
		buf[--len] = '\0';
	return buf;
}

/* A reference to a member: id, unique prefix or exact name, live, and in
 * the branch the record goes to (the server refuses anything else). */
static int parse_ref(importer *im, const column *c, const char *text, ProtobufCBinaryData *b)
{
	Hearth__Record *m = NULL;
	uint8_t id[UUID_LEN];
	char err[400];
	int rc = filter_resolve_member(im->rep, text, id, err, sizeof(err));

	if (rc != 0) {
		bad(im, c->fd->name, "%s", err);
		return HEARTH_EINVAL;
	}
	if (replica_get(im->rep, id, &m) == 0 && strcmp(m->branch_id ? m->branch_id : "", im->branch)) {
		bad(im, c->fd->name, _("member \"%s\" belongs to branch %s, not %s"), text, m->branch_id,
		    im->branch);
		hearth__record__free_unpacked(m, NULL);
		return HEARTH_EINVAL;
	}
	if (m)
		hearth__record__free_unpacked(m, NULL);
	return record_id_set(b, id);
}

/* Parses one value into slot (zeroed storage of the element type). Strings
 * are kept byte for byte; everything else is trimmed first. */
static int parse_elem(importer *im, const column *c, const char *raw, void *slot)
{
	const ProtobufCFieldDescriptor *fd = c->fd;
	char buf[512];
	const char *text = fd->type == PROTOBUF_C_TYPE_STRING ? raw : trim(raw, buf, sizeof(buf));

	switch (fd->type) {
	case PROTOBUF_C_TYPE_STRING:
		*(char **)slot = strdup(raw);
		return *(char **)slot ? 0 : HEARTH_ENOMEM;
	case PROTOBUF_C_TYPE_BYTES:
		return parse_ref(im, c, text, slot);
	case PROTOBUF_C_TYPE_ENUM: {
		int v;
		if (enum_parse(fd->descriptor, text, &v) == 0 && v != 0) {
			*(int32_t *)slot = v;
			return 0;
		}
		bad(im, fd->name, _("\"%s\" is not a value of %s (use the Chinese label or the short name "
		                    "that 'hearth %s --help' lists)"), text, reasons_field_name(im->k, fd->name),
		    im->k->name);
		return HEARTH_EINVAL;
	}
	case PROTOBUF_C_TYPE_BOOL:
		if (value_parse_bool(text, slot) == 0)
			return 0;
		bad(im, fd->name, _("\"%s\" is not 是/否 (yes/no, true/false, 1/0)"), text);
		return HEARTH_EINVAL;
	default:
		break;
	}
	if (!pbfield_is_int_type(fd->type))
		return HEARTH_EINVAL;
	{
		int64_t v = 0;
		const char *why = NULL;
		char *end;

		char rounded[64];

		/* A spreadsheet number is a binary double (0.1 + 0.2 is stored as
		 * 0.30000000000000004): in yuan it is rounded to the fen. */
		if ((rflags(c) & FIELD_MONEY) && !c->fen && cell_type(im) == CSV_CELL_NUMBER) {
			double x = strtod(text, &end);
			if (*end == '\0' && end != text && x >= 0 && x < 1e15) {
				snprintf(rounded, sizeof(rounded), "%.2f", x);
				text = rounded;
			}
		}
		if ((rflags(c) & FIELD_MONEY) && !c->fen) {
			if (value_yuan_parse(text, &v, &why) != 0) {
				bad(im, fd->name, "\"%s\" %s", text, why ? why : _("is not an amount in yuan"));
				return HEARTH_EINVAL;
			}
		} else if (rflags(c) & FIELD_PERCENT) {
			int32_t bp = 0;
			if (value_percent_parse(text, &bp, &why) != 0) {
				bad(im, fd->name, "\"%s\" %s", text, why);
				return HEARTH_EINVAL;
			}
			v = bp;
		} else {
			long long x;
			errno = 0;
			x = strtoll(text, &end, 10);
			if (!*text || *end || errno || ((rflags(c) & FIELD_MONEY) && x < 0) ||
			    (pbfield_elem_size(fd) == 4 && (x < INT32_MIN || x > INT32_MAX))) {
				bad(im, fd->name, _("\"%s\" is not a whole number%s"), text,
				    c->fen ? _(" of fen (0 or more)") : "");
				return HEARTH_EINVAL;
			}
			v = x;
		}
		if (pbfield_elem_size(fd) == 4)
			*(int32_t *)slot = (int32_t)v;
		else
			*(int64_t *)slot = v;
	}
	return 0;
}

static int set_cell(importer *im, ProtobufCMessage *body, const column *c, const char *text)
{
	const ProtobufCFieldDescriptor *fd = c->fd;
	size_t sz = pbfield_elem_size(fd);
	int rc;

	if (fd->label != PROTOBUF_C_LABEL_REPEATED) {
		unsigned char slot[sizeof(ProtobufCBinaryData) + 8];

		if (!*text) {
			pbfield_clear(body, fd);
			return 0;
		}
		memset(slot, 0, sizeof(slot));
		if ((rc = parse_elem(im, c, text, slot)) != 0)
			return rc;
		pbfield_clear(body, fd);
		memcpy(pbfield_ptr(body, fd), slot, sz);
		return 0;
	} else {
		size_t max = c->rule && c->rule->max ? c->rule->max : RECORD_REPEATED_MAX_DEFAULT;
		char *arr = NULL;
		size_t n = 0;
		const char *p = text, *start;
		size_t len;

		rc = 0;
		while (rc == 0 && (len = field_input_next_item(&p, &start)) != 0) {
			char *item;
			if (n == max) {
				bad(im, fd->name, _("more than %zu values; at most %zu are allowed"), max, max);
				rc = HEARTH_EINVAL;
				break;
			}
			if (!(item = strndup(start, len))) {
				rc = HEARTH_ENOMEM;
				break;
			}
			{
				char *grown = realloc(arr, (n + 1) * sz);
				if (!grown) {
					free(item);
					rc = HEARTH_ENOMEM;
					break;
				}
				arr = grown;
				memset(arr + n * sz, 0, sz);
				rc = parse_elem(im, c, item, arr + n * sz);
				free(item);
				if (rc == 0)
					n++;
			}
		}
		if (rc != 0) {
			for (size_t i = 0; i < n; i++)
				pbfield_free_elem(fd, arr + i * sz);
			free(arr);
			return rc;
		}
		pbfield_clear(body, fd);
		*(void **)pbfield_ptr(body, fd) = arr;
		*pbfield_count(body, fd) = n;
		return 0;
	}
}

/* "4.40304E+17": a number in scientific notation, as Excel shows (and
 * saves to CSV) a long digit string it took for a number. */
static int scientific(const char *s)
{
	int mant = 0;

	while (*s >= '0' && *s <= '9')
		s++, mant++;
	if (*s == '.')
		for (s++; *s >= '0' && *s <= '9'; s++)
			mant++;
	if (!mant || (*s != 'E' && *s != 'e'))
		return 0;
	s++;
	if (*s == '+' || *s == '-')
		s++;
	if (*s < '0' || *s > '9')
		return 0;
	while (*s >= '0' && *s <= '9')
		s++;
	return *s == '\0';
}

/* What a spreadsheet did to a cell before it got here, taken back where it
 * can be and named where it cannot: a date in another spelling (1946/3/15,
 * 1946-3-15, 1946年3月15日) becomes YYYY-MM-DD; an id card or phone that
 * became a number lost digits and is refused with how to keep it text.
 * Returns the text to parse (raw, or buf), or NULL when the cell is bad
 * (reported). */
static const char *sheet_cell(importer *im, const column *c, const char *raw, char *buf,
                              size_t cap)
{
	const ProtobufCFieldDescriptor *fd = c->fd;
	char tb[512];
	const char *t;
	int32_t day;

	if (fd->type != PROTOBUF_C_TYPE_STRING || fd->label == PROTOBUF_C_LABEL_REPEATED || !*raw)
		return raw;
	t = trim(raw, tb, sizeof(tb));
	if (!strcmp(fd->name, "id_card") &&
	    (scientific(t) || cell_type(im) == CSV_CELL_NUMBER)) {
		bad(im, fd->name, _("\"%s\": Excel converted this id card number to a number, which keeps "
		                    "only 15 digits; format the column as Text (设置单元格格式 → 文本) "
		                    "and type the 18 digits again, or type them with a leading '"),
		    t);
		return NULL;
	}
	if (!strcmp(fd->name, "phone") && scientific(t)) {
		bad(im, fd->name, _("\"%s\": Excel converted this phone number to a number; format the "
		                    "column as Text (设置单元格格式 → 文本) and type the number again"),
		    t);
		return NULL;
	}
	/* Excel takes 2026-01 typed into a cell for 1 January 2026: the month
	 * of that date is what was meant. */
	if ((rflags(c) & FIELD_MONTH) && cell_type(im) == CSV_CELL_DATE && strlen(t) == 10 &&
	    cap >= 8) {
		memcpy(buf, t, 7);
		buf[7] = '\0';
		return buf;
	}
	if (!(rflags(c) & FIELD_DATE))
		return raw;
	if (cell_type(im) == CSV_CELL_NUMBER) {
		bad(im, fd->name, _("\"%s\" is a number, not a date; format the cell as a date "
		                    "(设置单元格格式 → 日期) or write it as 1946-03-15"),
		    t);
		return NULL;
	}
	if (date_parse_loose(t, &day) != 0)
		return raw;   /* the record rules name what is wrong with it */
	if (cap < 11)
		return raw;
	date_format(day, buf);
	return buf;
}

/* A sensitive cell exported without --reveal holds a mask. On an update,
 * the mask of the current value means "unchanged"; anywhere else a masked
 * value cannot be imported. Returns 1 to keep the field, 0 to set it, -1
 * when the cell is refused. */
static int masked_cell(importer *im, const ProtobufCMessage *body, const column *c,
                       const char *text, int update)
{
	const ProtobufCFieldDescriptor *fd = c->fd;

	if (!(rflags(c) & FIELD_SENSITIVE) || !strchr(text, '*'))
		return 0;
	if (update && fd->type == PROTOBUF_C_TYPE_STRING && fd->label != PROTOBUF_C_LABEL_REPEATED) {
		const char *cur = str_of(body, fd);
		size_t cap = strlen(cur) + 16;
		char *m = malloc(cap);
		int same;
		if (!m)
			return -1;
		record_mask(cur, m, cap);
		same = *cur && !strcmp(m, text);
		free(m);
		if (same)
			return 1;
	}
	if (update && fd->type != PROTOBUF_C_TYPE_STRING && !strcmp(text, "***"))
		return 1;
	bad(im, fd->name, _("the value is masked (%s); export with 'list --csv --reveal' to import "
	                    "sensitive fields, or leave the cell empty"), text);
	return -1;
}

/* The column that holds field name, or NO_COL. */
static size_t column_of(const importer *im, const char *name)
{
	for (size_t i = 0; i < im->n_cols; i++) {
		if (im->cols[i].fd && !strcmp(im->cols[i].fd->name, name))
			return i;
	}
	return NO_COL;
}

/* One dues record per member-month, one open hardship entry per member:
 * checked against the local replica and the rows before this one, so the
 * server does not refuse half the file at the next sync. */
struct unique_scan {
	const kind_info *k;
	const ProtobufCMessage *body;
	const uint8_t *self;
	int clash;
};

/* Two bodies of one kind claim the same uniqueness key (the rule itself is
 * record_unique_key, shared with the server). */
static int clashes(const kind_info *k, const ProtobufCMessage *a, const ProtobufCMessage *b)
{
	uint8_t ka[RECORD_UNIQUE_KEY_MAX], kb[RECORD_UNIQUE_KEY_MAX];
	size_t na = record_unique_key(k, a, ka);
	return na && na == record_unique_key(k, b, kb) && memcmp(ka, kb, na) == 0;
}

static int unique_fn(void *arg, const Hearth__Record *rec)
{
	struct unique_scan *u = arg;
	const ProtobufCMessage *b = record_body(rec);

	if (!b || (u->self && rec->id.len == UUID_LEN && !memcmp(rec->id.data, u->self, UUID_LEN)))
		return 0;
	if (clashes(u->k, u->body, b)) {
		u->clash = 1;
		return 1;
	}
	return 0;
}

static void check_unique(importer *im, const Hearth__Record *rec, const ProtobufCMessage *body)
{
	struct unique_scan u = { im->k, body, rec->id.data, 0 };
	const char *field = im->k->kind == HEARTH__KIND__KIND_DUES ? "month" : "member";
	const char *what = im->k->kind == HEARTH__KIND__KIND_DUES
	                           ? _("a dues record for this member and month already exists")
	                           : _("this member already has an open hardship entry (在册/帮扶中)");

	if (im->k->kind != HEARTH__KIND__KIND_DUES && im->k->kind != HEARTH__KIND__KIND_HARDSHIP)
		return;
	for (size_t i = 0; i < im->n_out; i++) {
		const Hearth__Record *o = im->out[i].rec;
		if (!memcmp(o->id.data, rec->id.data, UUID_LEN))
			continue;
		if (clashes(im->k, body, record_body(o))) {
			im->col = column_of(im, field);
			bad(im, field, _("%s (an earlier row of this file)"), what);
			im->col = NO_COL;
			return;
		}
	}
	replica_each(im->rep, im->k->kind, 0, unique_fn, &u);
	im->col = column_of(im, field);
	if (u.clash)
		bad(im, field, _("%s in the local replica"), what);
	im->col = NO_COL;
}

static int new_record(importer *im, Hearth__Record **out)
{
	Hearth__Record *rec = malloc(sizeof(*rec));
	ProtobufCMessage *body = kind_new_body(im->k);

	*out = NULL;
	if (!rec || !body) {
		free(rec);
		free(body);
		return HEARTH_ENOMEM;
	}
	hearth__record__init(rec);
	if (kind_set_body(rec, im->k, body) != 0) {
		free(body);
		hearth__record__free_unpacked(rec, NULL);
		return HEARTH_EINVAL;
	}
	rec->id.data = malloc(UUID_LEN);
	rec->branch_id = strdup(im->branch);
	if (!rec->id.data || !rec->branch_id) {
		hearth__record__free_unpacked(rec, NULL);
		return HEARTH_ENOMEM;
	}
	rec->id.len = UUID_LEN;
	if (uuid_v7(rec->id.data) != 0) {
		hearth__record__free_unpacked(rec, NULL);
		return HEARTH_EIO;
	}
	*out = rec;
	return 0;
}

/* The record a row's id cell names: of this kind, live, in the replica. */
static int existing_record(importer *im, const char *text, Hearth__Record **out)
{
	uint8_t id[UUID_LEN];
	char err[256] = "", buf[128];
	const char *t = trim(text, buf, sizeof(buf));
	int rc = replica_resolve_id(im->rep, t, id, err, sizeof(err));

	*out = NULL;
	if (rc == 0)
		rc = replica_get(im->rep, id, out);
	if (rc == 0 && ((*out)->kind != im->k->kind || (*out)->deleted || !record_body(*out))) {
		bad(im, "id", (*out)->deleted ? _("%s is deleted") : _("%s is not a record of this kind"), t);
		hearth__record__free_unpacked(*out, NULL);
		*out = NULL;
		return HEARTH_EINVAL;
	}
	if (rc == HEARTH_ENOMEM)
		return rc;
	if (rc != 0) {
		bad(im, "id", _("no %s record %s in the local replica; leave the id empty to add the row "
		                "as a new record"), im->k->name, t);
		return HEARTH_EINVAL;
	}
	return 0;
}

static int body_packed(const ProtobufCMessage *body, uint8_t **buf, size_t *len)
{
	*len = protobuf_c_message_get_packed_size(body);
	*buf = malloc(*len ? *len : 1);
	if (!*buf)
		return HEARTH_ENOMEM;
	protobuf_c_message_pack(body, *buf);
	return 0;
}

/* The record rules stop at the first broken one; to name every bad cell
 * of the row, each refused field that came from a cell is reported, left
 * out, and the rest checked again, until the body passes or the rule
 * refuses something no cell can be left out of (a required field, a rule
 * of the whole record). A cell that was already refused while it was read
 * is not reported twice. Bounded: every round leaves out one more column. */
static void validate_all(importer *im, ProtobufCMessage *body)
{
	unsigned char *done = calloc(im->n_cols ? im->n_cols : 1, 1);
	record_error verr;

	for (size_t round = 0; round <= im->n_cols; round++) {
		size_t ci;

		memset(&verr, 0, sizeof(verr));
		if (record_validate_message(im->k, body, &verr) == 0)
			break;
		ci = column_of(im, verr.field);
		if (ci != NO_COL && done && done[ci])
			break;
		if (ci != NO_COL && im->row_bad && !pbfield_is_set(body, im->cols[ci].fd))
			break;   /* its cell was refused while it was read */
		im->col = ci;
		{
			char said[640];
			bad(im, verr.field[0] ? verr.field : "record", "%s",
			    reasons_localize(im->k, verr.message, said, sizeof(said)));
		}
		im->col = NO_COL;
		if (ci == NO_COL || !done || !pbfield_is_set(body, im->cols[ci].fd))
			break;
		done[ci] = 1;
		pbfield_clear(body, im->cols[ci].fd);
	}
	free(done);
}

/* The names of a reference field as `list --csv` writes them (the same
 * member_namer, joined with 、), into a malloc'd *out. */
static int names_text(importer *im, const ProtobufCMessage *body, const ProtobufCFieldDescriptor *fd,
                      char **out)
{
	const ProtobufCBinaryData *d = pbfield_ptr(body, fd);
	size_t n = 1, len = 0;
	member_namer namer;
	FILE *f = open_memstream(out, &len);

	if (!f)
		return HEARTH_ENOMEM;
	if (fd->label == PROTOBUF_C_LABEL_REPEATED) {
		n = *pbfield_count(body, fd);
		d = *(ProtobufCBinaryData *const *)pbfield_ptr(body, fd);
	}
	member_namer_init(&namer, im->rep);
	for (size_t i = 0; i < n; i++) {
		char text[1024];
		if (d[i].len != UUID_LEN)
			continue;
		if (!member_namer_text(&namer, d[i].data, text, sizeof(text)))
			uuid_format(d[i].data, text);
		fprintf(f, "%s%s", i ? "\xe3\x80\x81" : "", text);
	}
	member_namer_free(&namer);
	return fclose(f) == 0 ? 0 : HEARTH_ENOMEM;
}

/* Where a row fills both the names and the ids of a reference (党员 and
 * 党员ID), the ids are taken, and the names must still say who they are:
 * a name changed in the sheet while its id stayed would otherwise be lost
 * without a word. Reports a mismatch; returns only a failure of memory. */
static int check_names(importer *im, const csv_row *row, const ProtobufCMessage *body)
{
	for (size_t i = 0; i < im->n_cols && i < row->n; i++) {
		const column *c = &im->cols[i];
		char *want = NULL, buf[512];
		const char *have;
		int rc;

		if (!c->fd || c->ref_ids || c->pair == NO_COL || c->pair >= row->n || !row->cells[c->pair][0] ||
		    !row->cells[i][0] || im->cols[c->pair].header == NULL)
			continue;
		have = trim(row->cells[i], buf, sizeof(buf));
		if ((rc = names_text(im, body, c->fd, &want)) != 0)
			return rc;
		if (*have && strcmp(have, want) != 0) {
			im->col = i;
			bad(im, c->fd->name,
			    _("\"%s\" does not match the ids in %s, which are of %s; to change who it is, "
			      "empty the %s cell"),
			    have, im->cols[c->pair].header, want, im->cols[c->pair].header);
			im->col = NO_COL;
		}
		free(want);
	}
	return 0;
}

/* One data row: build (or update) its record, check it, and keep it for
 * the batch. Problems are printed and counted; only a failure of the
 * machine itself (memory) is returned. */
static int do_row(importer *im, const csv_row *row)
{
	Hearth__Record *rec = NULL;
	ProtobufCMessage *body;
	uint8_t *before = NULL, *after = NULL;
	size_t before_len = 0, after_len = 0;
	const char *idcell = NULL;
	int rc = 0, update;

	im->line = row->line;
	im->row = row;
	im->col = NO_COL;
	im->row_bad = 0;
	if (row->n > im->n_cols) {
		bad(im, "row", _("%zu fields, but the header has %zu"), row->n, im->n_cols);
		goto done;
	}
	for (size_t i = 0; i < row->n; i++) {
		if (im->cols[i].is_id && row->cells[i][0]) {
			idcell = row->cells[i];
			im->col = i;
		}
	}
	if (idcell) {
		rc = existing_record(im, idcell, &rec);
		im->col = NO_COL;
		if (rc == HEARTH_EINVAL) {
			rc = 0;
			goto done;
		}
		if (rc != 0)
			goto done;
	} else if ((rc = new_record(im, &rec)) != 0) {
		goto done;
	}
	update = idcell != NULL;
	body = (ProtobufCMessage *)record_body(rec);
	if (update && (rc = body_packed(body, &before, &before_len)) != 0)
		goto done;
	/* Cells missing at the end of a short row are empty, as spreadsheets
	 * write them. */
	for (size_t i = 0; i < im->n_cols; i++) {
		const column *c = &im->cols[i];
		const char *text = i < row->n ? row->cells[i] : "";
		char norm[16];
		int keep;

		if (!c->fd)
			continue;
		/* Beside a filled id cell, the names are checked once the ids are in. */
		if (!c->ref_ids && c->pair != NO_COL && c->pair < row->n && row->cells[c->pair][0])
			continue;
		/* An empty id cell beside names: the names say who (a new row). */
		if (c->ref_ids && c->pair != NO_COL && !text[0] && c->pair < row->n && row->cells[c->pair][0])
			continue;
		im->col = i;
		keep = masked_cell(im, body, c, text, update);
		if (keep != 0)
			continue;
		if (!(text = sheet_cell(im, c, text, norm, sizeof(norm))))
			continue;
		rc = set_cell(im, body, c, text);
		if (rc == HEARTH_EINVAL)
			rc = 0;
		if (rc != 0)
			goto done;
	}
	im->col = NO_COL;
	if (!im->row_bad && (rc = check_names(im, row, body)) != 0)
		goto done;
	validate_all(im, body);
	if (im->row_bad)
		goto done;
	check_unique(im, rec, body);
	if (im->row_bad)
		goto done;
	if (update) {
		if ((rc = body_packed(body, &after, &after_len)) != 0)
			goto done;
		if (after_len == before_len && !memcmp(after, before, after_len)) {
			im->unchanged++;
			goto done;
		}
	}
	im->out[im->n_out].rec = rec;
	im->out[im->n_out].create = !update;
	im->n_out++;
	if (update)
		im->updated++;
	else
		im->added++;
	rec = NULL;
done:
	if (im->row_bad)
		im->bad_rows++;
	free(after);
	free(before);
	if (rec)
		hearth__record__free_unpacked(rec, NULL);
	return rc;
}

int import_is_xlsx(const char *data, size_t len, const char *name)
{
	size_t nl = name ? strlen(name) : 0;

	return xlsx_looks_like(data, len) || (nl > 5 && !strcasecmp(name + nl - 5, ".xlsx"));
}

/* The file as rows: the first sheet of a workbook, or CSV text in its
 * encoding with the formula quotes of an export taken back. */
static int read_rows(const import_options *o, const char *data, size_t len, csv_doc *doc,
                     xlsx_sheet *sheet, import_result *res)
{
	text_decoded text = { 0 };
	int rc;

	if (res->is_xlsx) {
		if (xlsx_read(data, len, NULL, sheet, res->err, sizeof(res->err)) != 0)
			return HEARTH_EINVAL;
		*doc = sheet->doc;
		memset(&sheet->doc, 0, sizeof(sheet->doc));
		return 0;
	}
	if (text_to_utf8(data, len, o->encoding, &text, res->err, sizeof(res->err)) != 0) {
		res->err_line = text.bad_line;
		free(text.text);
		return HEARTH_EINVAL;
	}
	rc = csv_parse(text.text, text.len, doc, &res->err_line, res->err, sizeof(res->err));
	free(text.text);
	if (rc != 0)
		return rc == HEARTH_ENOMEM ? rc : HEARTH_EINVAL;
	unneutral_cells(doc);
	return 0;
}

/* Keeps the headers that name no field, for the caller's one warning. */
static int keep_unknown(const importer *im, import_result *res)
{
	res->unknown = calloc(im->n_unknown ? im->n_unknown : 1, sizeof(*res->unknown));
	if (!res->unknown)
		return HEARTH_ENOMEM;
	for (size_t i = 0; i < im->n_cols; i++) {
		const column *c = &im->cols[i];
		if (c->fd || c->is_id || !c->header || !c->header[0])
			continue;
		if (!(res->unknown[res->n_unknown] = strdup(c->header)))
			return HEARTH_ENOMEM;
		res->n_unknown++;
	}
	return 0;
}

int import_data(const import_options *o, const char *data, size_t len, import_result *res)
{
	importer im;
	xlsx_sheet sheet;
	csv_doc doc = { 0 };
	int rc = 0;

	memset(res, 0, sizeof(*res));
	memset(&im, 0, sizeof(im));
	memset(&sheet, 0, sizeof(sheet));
	im.k = o->k;
	im.rep = o->rep;
	im.problem = o->problem;
	im.problem_ctx = o->problem_ctx;
	im.col = NO_COL;
	snprintf(im.branch, sizeof(im.branch), "%s", o->branch ? o->branch : "");
	res->is_xlsx = import_is_xlsx(data, len, o->name);
	if ((rc = read_rows(o, data, len, &doc, &sheet, res)) != 0) {
		res->outcome = rc == HEARTH_ENOMEM ? IMPORT_FAILED : IMPORT_UNREADABLE;
		if (rc == HEARTH_ENOMEM)
			snprintf(res->err, sizeof(res->err), "%s", _("out of memory"));
		goto done;
	}
	im.sheet = res->is_xlsx ? sheet.name : NULL;
	if (doc.n < 2) {
		res->outcome = IMPORT_EMPTY;
		res->rows = doc.n;
		goto done;
	}
	res->rows = doc.n - 1;
	im.out = calloc(doc.n, sizeof(*im.out));
	if (!im.out || map_header(&im, &doc.rows[0]) != 0)
		goto oom;
	if (im.bad_cells) {
		res->outcome = IMPORT_BAD_HEADER;
		res->bad_cells = im.bad_cells;
		goto done;
	}
	if (im.n_unknown && keep_unknown(&im, res) != 0)
		goto oom;
	for (size_t i = 1; i < doc.n; i++)
		if (do_row(&im, &doc.rows[i]) != 0)
			goto oom;
	res->added = im.added;
	res->updated = im.updated;
	res->unchanged = im.unchanged;
	res->bad_rows = im.bad_rows;
	res->bad_cells = im.bad_cells;
	if (im.bad_rows) {
		res->outcome = IMPORT_BAD_ROWS;
		goto done;
	}
	if (o->dry_run) {
		res->outcome = IMPORT_CHECKED;
		goto done;
	}
	{
		Hearth__Record **recs = calloc(im.n_out + 1, sizeof(*recs));
		int *create = calloc(im.n_out + 1, sizeof(*create));
		int wrc;

		if (!recs || !create) {
			free(recs);
			free(create);
			goto oom;
		}
		for (size_t i = 0; i < im.n_out; i++) {
			recs[i] = im.out[i].rec;
			create[i] = im.out[i].create;
		}
		wrc = im.n_out ? replica_edit_batch(im.rep, recs, create, im.n_out, res->err,
		                                    sizeof(res->err))
		               : 0;
		free(recs);
		free(create);
		res->outcome = wrc == 0 ? IMPORT_STORED : IMPORT_FAILED;
	}
	goto done;
oom:
	res->outcome = IMPORT_FAILED;
	snprintf(res->err, sizeof(res->err), "%s", _("out of memory"));
done:
	for (size_t i = 0; i < im.n_out; i++)
		hearth__record__free_unpacked(im.out[i].rec, NULL);
	free(im.out);
	free(im.cols);
	csv_free(&doc);
	xlsx_sheet_free(&sheet);
	return res->outcome == IMPORT_FAILED ? HEARTH_EIO : 0;
}

void import_result_free(import_result *res)
{
	array_free_strings(res->unknown, res->n_unknown);
	res->unknown = NULL;
	res->n_unknown = 0;
}
