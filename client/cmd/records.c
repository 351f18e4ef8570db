/* cmd_record.c: `hearth KIND add|edit|delete|show|list` for every record
 * kind, with flags, values and labels all taken from the kind table. */
#include "client/cmd/records.h"
#include "client/core/local_rules.h"

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

#include "client/core/filters.h"
#include "client/core/identity.h"
#include "common/hearth.h"
#include "common/pbfield.h"
#include "client/cmd/import.h"
#include "client/ui/output.h"
#include "common/record.h"
#include "client/core/replica.h"
#include "client/core/replica_events.h"
#include "client/core/values.h"
#include "common/tls.h"
#include "common/utf8.h"
#include "common/uuid.h"

enum sub { SUB_ADD, SUB_EDIT, SUB_DELETE, SUB_SHOW, SUB_LIST, SUB_NOTE };

static const char *const sub_names[] = { "add", "edit", "delete", "show", "list", "note" };

/* getopt values: the fixed options, then one per generated field flag. */
enum {
	O_HELP = 'h',
	O_BRANCH = 1000,
	O_JSON,
	O_CSV,
	O_BOM,
	O_REVEAL,
	O_ALL,
	O_NOTE_DATE,
	O_NOTE_TEXT,
	O_NOTE_BY,
	O_FIELD = 2000,
};

/* Which fixed options each subcommand takes (bit per O_* - O_BRANCH). */
#define BIT(o) (1u << ((o) - O_BRANCH))
static const unsigned sub_fixed[] = {
	[SUB_ADD] = BIT(O_BRANCH),
	[SUB_EDIT] = 0,
	[SUB_DELETE] = 0,
	[SUB_SHOW] = BIT(O_JSON) | BIT(O_REVEAL),
	[SUB_LIST] = BIT(O_JSON) | BIT(O_CSV) | BIT(O_BOM) | BIT(O_REVEAL) | BIT(O_ALL),
	[SUB_NOTE] = BIT(O_NOTE_DATE) | BIT(O_NOTE_TEXT) | BIT(O_NOTE_BY),
};
static const int sub_takes_fields[] = { 1, 1, 0, 0, 1, 0 };

static const struct {
	const char *name;
	int has_arg;
	int val;
} fixed_opts[] = {
	{ "branch", required_argument, O_BRANCH },
	{ "json", no_argument, O_JSON },
	{ "csv", no_argument, O_CSV },
	{ "bom", no_argument, O_BOM },
	{ "reveal", no_argument, O_REVEAL },
	{ "all", no_argument, O_ALL },
	{ "date", required_argument, O_NOTE_DATE },
	{ "note", required_argument, O_NOTE_TEXT },
	{ "by", required_argument, O_NOTE_BY },
};

/* A flag generated from one body field: --birth-date, or for money also the
 * --FIELD-fen variant. */
typedef struct flag {
	const ProtobufCFieldDescriptor *fd;
	const field_rule *rule;    /* NULL when the table has none */
	int fen;                   /* the integer-fen variant of a money field */
	char name[96];             /* without the leading dashes */
} flag;

/* One --FIELD VALUE from the command line; value NULL is a bare bool flag. */
typedef struct assign {
	const flag *fl;
	const char *value;
} assign;

typedef struct cmd {
	cli *c;
	const kind_info *k;
	enum sub sub;
	flag *flags;
	size_t n_flags;
	assign *as;
	size_t n_as;
	const char *branch, *id_text;
	const char *note_date, *note_text, *note_by;   /* `note` */
	int json, csv, bom, reveal, all;
	replica rep;
	int rep_open;
	list_filter filt;      /* list filters (client/filters.c) */
} cmd;

/* Column limit for text cells in `list` tables. */
#define LIST_CELL_MAX 24

static void say(const cmd *m, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Every message names the command it came from, so a script running several
 * can tell which one failed: "hearth: member add: ...". */
static void say(const cmd *m, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "hearth: %s %s: ", m->k->name, sub_names[m->sub]);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* A value as typed, safe to echo in a message: text that is valid UTF-8
 * without control characters is shown as is; otherwise bytes that could
 * garble the terminal are written as \xNN. Long values are cut. */
static const char *shown(const char *s, char *buf, size_t cap)
{
	size_t len = strlen(s), o = 0;
	int clean = utf8_valid(s, len);

	for (size_t i = 0; clean && i < len; i++)
		clean = (unsigned char)s[i] >= 0x20;
	if (clean && len < cap)
		return s;
	for (size_t i = 0; i < len && o + 5 < cap; i++) {
		unsigned char ch = (unsigned char)s[i];
		if (ch < 0x20 || ch == 0x7f || (!clean && ch >= 0x80)) {
			snprintf(buf + o, cap - o, "\\x%02x", ch);
			o += 4;
		} else {
			buf[o++] = (char)ch;
		}
	}
	buf[o] = '\0';
	return buf;
}

static uint32_t rule_flags(const field_rule *r)
{
	return r ? r->flags : 0;
}

static const char *field_label(const flag *fl)
{
	return fl->rule && fl->rule->label ? fl->rule->label : fl->fd->name;
}

/* ------------------------------------------------------ field storage */

static int64_t int_value(ProtobufCType t, const void *p)
{
	switch (t) {
	case PROTOBUF_C_TYPE_UINT32: case PROTOBUF_C_TYPE_FIXED32: return *(const uint32_t *)p;
	case PROTOBUF_C_TYPE_INT64: case PROTOBUF_C_TYPE_SINT64: case PROTOBUF_C_TYPE_SFIXED64:
		return *(const int64_t *)p;
	case PROTOBUF_C_TYPE_UINT64: case PROTOBUF_C_TYPE_FIXED64:
		return (int64_t)*(const uint64_t *)p;
	default: return *(const int32_t *)p;
	}
}

/* Fields a command line can set: scalars, strings, enums and record ids,
 * single or repeated. Nested messages, oneofs and raw bytes have no flag. */
static int field_supported(const ProtobufCFieldDescriptor *fd, const field_rule *rule)
{
	if (fd->flags & PROTOBUF_C_FIELD_FLAG_ONEOF)
		return 0;
	if (fd->type == PROTOBUF_C_TYPE_MESSAGE)
		return 0;
	if (fd->type == PROTOBUF_C_TYPE_BYTES)
		return (rule_flags(rule) & FIELD_ID) != 0;
	return pbfield_elem_size(fd) != 0;
}

/* ------------------------------------------------------ value parsing */

/* The choices of an enum as people may type them, for error messages and
 * help: "male (男), female (女)". The zero value means "not set" and is left
 * out: an empty value clears the field instead. */
static void enum_choices(const ProtobufCEnumDescriptor *d, char *out, size_t cap)
{
	size_t o = 0;

	out[0] = '\0';
	for (unsigned i = 0; i < d->n_values && o < cap; i++) {
		char shortname[64];
		const char *label;
		int n;

		if (d->values[i].value == 0)
			continue;
		enum_short_name(d, d->values[i].value, shortname, sizeof(shortname));
		label = enum_label(d, d->values[i].value);
		if (strcmp(label, shortname) != 0)
			n = snprintf(out + o, cap - o, "%s%s (%s)", o ? ", " : "", shortname, label);
		else
			n = snprintf(out + o, cap - o, "%s%s", o ? ", " : "", shortname);
		if (n < 0)
			break;
		o += (size_t)n;
	}
}

/* A whole number in [min, max] with nothing around it. */
static int parse_int(const char *s, int64_t min, int64_t max, int64_t *v)
{
	char *end;
	long long x;

	if (!*s || (*s != '-' && (*s < '0' || *s > '9')))
		return HEARTH_EINVAL;
	errno = 0;
	x = strtoll(s, &end, 10);
	if (errno || *end || x < min || x > max)
		return HEARTH_EINVAL;
	*v = x;
	return 0;
}

/* Parses one value of fl's field into slot (zeroed storage of the field's
 * element type). A failure leaves slot untouched and writes a sentence
 * naming the field into why. */
static int parse_elem(cmd *m, const flag *fl, const char *text, void *slot, char *why, size_t cap)
{
	const ProtobufCFieldDescriptor *fd = fl->fd;
	int64_t iv = 0;
	int rc;

	switch (fd->type) {
	case PROTOBUF_C_TYPE_STRING: {
		char *s = strdup(text);
		if (!s)
			return HEARTH_ENOMEM;
		*(char **)slot = s;
		return 0;
	}
	case PROTOBUF_C_TYPE_BYTES: {
		ProtobufCBinaryData *b = slot;
		uint8_t id[UUID_LEN];
		char err[256] = "";

		rc = replica_resolve_id(&m->rep, text, id, err, sizeof(err));
		if (rc == HEARTH_ENOTFOUND) {
			snprintf(why, cap, "no record matches \"%s\"", text);
			return rc;
		}
		if (rc != 0) {
			snprintf(why, cap, "%s", err[0] ? err : hearth_strerror(rc));
			return rc;
		}
		b->data = malloc(UUID_LEN);
		if (!b->data)
			return HEARTH_ENOMEM;
		memcpy(b->data, id, UUID_LEN);
		b->len = UUID_LEN;
		return 0;
	}
	case PROTOBUF_C_TYPE_ENUM: {
		char choices[512];
		int v;

		if (enum_parse(fd->descriptor, text, &v) == 0 && v != 0) {
			*(int32_t *)slot = v;
			return 0;
		}
		enum_choices(fd->descriptor, choices, sizeof(choices));
		snprintf(why, cap, "%s \"%s\" is not one of: %s", fd->name, text, choices);
		return HEARTH_EINVAL;
	}
	case PROTOBUF_C_TYPE_BOOL: {
		int v = 1;   /* a bare flag (no text) means yes */
		if (text && value_parse_bool(text, &v) != 0) {
			snprintf(why, cap, "%s \"%s\" is not true or false (yes/no, 1/0, 是/否)", fd->name,
			         text);
			return HEARTH_EINVAL;
		}
		*(protobuf_c_boolean *)slot = v;
		return 0;
	}
	case PROTOBUF_C_TYPE_FLOAT:
	case PROTOBUF_C_TYPE_DOUBLE: {
		char *end;
		double d = strtod(text, &end);
		if (!*text || *end) {
			snprintf(why, cap, "%s \"%s\" is not a number", fd->name, text);
			return HEARTH_EINVAL;
		}
		if (fd->type == PROTOBUF_C_TYPE_FLOAT)
			*(float *)slot = (float)d;
		else
			*(double *)slot = d;
		return 0;
	}
	default:
		break;
	}
	if (!pbfield_is_int_type(fd->type))
		return HEARTH_EINVAL;
	if ((rule_flags(fl->rule) & FIELD_MONEY) && !fl->fen) {
		const char *reason;
		if (value_yuan_parse(text, &iv, &reason) != 0) {
			snprintf(why, cap, "%s \"%s\" %s", fd->name, text, reason);
			return HEARTH_EINVAL;
		}
	} else {
		int64_t lo = INT64_MIN, hi = INT64_MAX;
		switch (fd->type) {
		case PROTOBUF_C_TYPE_INT32: case PROTOBUF_C_TYPE_SINT32: case PROTOBUF_C_TYPE_SFIXED32:
			lo = INT32_MIN; hi = INT32_MAX; break;
		case PROTOBUF_C_TYPE_UINT32: case PROTOBUF_C_TYPE_FIXED32:
			lo = 0; hi = UINT32_MAX; break;
		case PROTOBUF_C_TYPE_UINT64: case PROTOBUF_C_TYPE_FIXED64:
			lo = 0; break;
		default: break;
		}
		if ((rule_flags(fl->rule) & FIELD_MONEY) && text[0] == '-') {
			snprintf(why, cap, "%s \"%s\" is negative; amounts are 0 or more", fd->name, text);
			return HEARTH_EINVAL;
		}
		if (parse_int(text, lo, hi, &iv) != 0) {
			snprintf(why, cap, "%s \"%s\" is not a whole number%s", fd->name, text,
			         fl->fen ? " of fen" : "");
			return HEARTH_EINVAL;
		}
	}
	switch (pbfield_elem_size(fd)) {
	case 4:
		if (fd->type == PROTOBUF_C_TYPE_UINT32 || fd->type == PROTOBUF_C_TYPE_FIXED32)
			*(uint32_t *)slot = (uint32_t)iv;
		else
			*(int32_t *)slot = (int32_t)iv;
		break;
	default:
		*(int64_t *)slot = iv;
		break;
	}
	return 0;
}

/* Separators people use between list items: ASCII comma, the fullwidth
 * comma "，" and the enumeration comma "、" of Chinese text. Returns the
 * separator's length at s, or 0. */
static size_t sep_len(const char *s)
{
	if (*s == ',')
		return 1;
	if (!strncmp(s, "\xef\xbc\x8c", 3) || !strncmp(s, "\xe3\x80\x81", 3))
		return 3;
	return 0;
}

/* Splits a list value into trimmed, non-empty items (strndup'd into items,
 * up to max); with items NULL it only counts them. Returns the count, or
 * SIZE_MAX when out of memory. */
static size_t split_items(const char *text, char **items, size_t max)
{
	size_t n = 0;
	const char *p = text;

	while (*p) {
		const char *start = p, *end;
		while (*p && !sep_len(p))
			p++;
		end = p;
		if (*p)
			p += sep_len(p);
		while (start < end && (*start == ' ' || *start == '\t'))
			start++;
		while (end > start && (end[-1] == ' ' || end[-1] == '\t'))
			end--;
		if (end == start)
			continue;
		if (items && n < max) {
			items[n] = strndup(start, (size_t)(end - start));
			if (!items[n])
				return SIZE_MAX;
		}
		n++;
	}
	return n;
}

/* Applies one --FIELD VALUE to body. An empty value clears the field; a
 * repeated field takes a comma-separated list and replaces the whole list.
 * Counts are bounded before anything is allocated. On failure body's field
 * is unchanged and why says what was wrong. */
static int apply(cmd *m, ProtobufCMessage *body, const assign *a, char *why, size_t cap)
{
	const ProtobufCFieldDescriptor *fd = a->fl->fd;
	const char *text = a->value;
	int rc = 0;

	if (fd->label != PROTOBUF_C_LABEL_REPEATED) {
		unsigned char slot[sizeof(ProtobufCBinaryData) + sizeof(double)];

		if (text && !*text) {
			pbfield_clear(body, fd);
			return 0;
		}
		if (!text && fd->type != PROTOBUF_C_TYPE_BOOL)
			return HEARTH_EINVAL;
		memset(slot, 0, sizeof(slot));
		rc = parse_elem(m, a->fl, text, slot, why, cap);
		if (rc != 0)
			return rc;
		pbfield_clear(body, fd);
		memcpy(pbfield_ptr(body, fd), slot, pbfield_elem_size(fd));
		if (fd->label == PROTOBUF_C_LABEL_OPTIONAL && fd->quantifier_offset &&
		    fd->type != PROTOBUF_C_TYPE_STRING)
			*(protobuf_c_boolean *)((char *)body + fd->quantifier_offset) = 1;
		return 0;
	} else {
		size_t max = a->fl->rule && a->fl->rule->max ? a->fl->rule->max
		                                             : RECORD_REPEATED_MAX_DEFAULT;
		size_t n = split_items(text ? text : "", NULL, 0), sz = pbfield_elem_size(fd);
		char **items = NULL;
		char *arr = NULL;

		if (n > max) {
			snprintf(why, cap, "%s has %zu values; at most %zu are allowed", fd->name, n, max);
			return HEARTH_EINVAL;
		}
		if (n == 0) {
			pbfield_clear(body, fd);
			return 0;
		}
		items = calloc(n, sizeof(*items));
		arr = calloc(n, sz);
		if (!items || !arr || split_items(text, items, n) != n) {
			rc = HEARTH_ENOMEM;
			goto fail;
		}
		for (size_t i = 0; i < n; i++) {
			rc = parse_elem(m, a->fl, items[i], arr + i * sz, why, cap);
			if (rc != 0)
				goto fail;
		}
		pbfield_clear(body, fd);
		*(void **)pbfield_ptr(body, fd) = arr;
		*pbfield_count(body, fd) = n;
		arr = NULL;
	fail:
		if (arr) {
			for (size_t i = 0; i < n; i++)
				pbfield_free_elem(fd, arr + i * sz);
			free(arr);
		}
		for (size_t i = 0; items && i < n; i++)
			free(items[i]);
		free(items);
		return rc;
	}
}

/* Applies every assignment, stopping at the first bad one with a message
 * that names the flag and the value as typed. Returns an exit code. */
static int apply_all(cmd *m, ProtobufCMessage *body)
{
	char why[700];

	for (size_t i = 0; i < m->n_as; i++) {
		const assign *a = &m->as[i];
		int rc;

		why[0] = '\0';
		rc = apply(m, body, a, why, sizeof(why));
		if (rc == HEARTH_ENOMEM) {
			say(m, "out of memory");
			return EXIT_FAIL;
		}
		if (rc != 0) {
			char vb[300];
			if (a->value)
				say(m, "--%s \"%s\": %s", a->fl->name, shown(a->value, vb, sizeof(vb)), why);
			else
				say(m, "--%s: %s", a->fl->name, why);
			return EXIT_USAGE;
		}
	}
	return EXIT_OK;
}

/* Validation errors name a field; when the user gave that field on this
 * command line, the message starts with the flag and value as typed, so it
 * is obvious which argument to fix. */
static int validate(cmd *m, const ProtobufCMessage *body)
{
	record_error err;
	const assign *given = NULL;
	char vb[300];

	memset(&err, 0, sizeof(err));
	if (record_validate_message(m->k, body, &err) == 0)
		return EXIT_OK;
	for (size_t i = 0; i < m->n_as; i++) {
		if (!strcmp(m->as[i].fl->fd->name, err.field))
			given = &m->as[i];
	}
	if (given && given->value)
		say(m, "--%s \"%s\": %s", given->fl->name, shown(given->value, vb, sizeof(vb)),
		    err.message);
	else if (given)
		say(m, "--%s: %s", given->fl->name, err.message);
	else
		say(m, "%s", err.message);
	return EXIT_USAGE;
}

/* The repeated ProgressNote field of a kind (a pairing's notes), or NULL.
 * Found by type, so any kind that adds dated notes gets `note` and their
 * display without code here. */
static const ProtobufCFieldDescriptor *notes_field(const kind_info *k)
{
	for (unsigned i = 0; i < k->desc->n_fields; i++) {
		const ProtobufCFieldDescriptor *fd = &k->desc->fields[i];

		if (fd->type == PROTOBUF_C_TYPE_MESSAGE && fd->label == PROTOBUF_C_LABEL_REPEATED &&
		    fd->descriptor == &hearth__progress_note__descriptor)
			return fd;
	}
	return NULL;
}

/* ------------------------------------------------------ value display */

typedef struct sbuf {
	char *p;
	size_t len, cap;
	int oom;
} sbuf;

static void sb_add(sbuf *b, const char *s, size_t n)
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

static void sb_puts(sbuf *b, const char *s)
{
	sb_add(b, s, strlen(s));
}

static const char *sb_str(const sbuf *b)
{
	return b->p && !b->oom ? b->p : "";
}

/* A string for display: sensitive values are masked unless revealed. */
static void put_text(const cmd *m, const field_rule *rule, const char *s, sbuf *b)
{
	if ((rule_flags(rule) & FIELD_SENSITIVE) && !m->reveal && *s) {
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

/* One element as people read it: enum labels, 是/否, money in yuan with
 * two decimals, ids in canonical text. */
/* Writes "NAME (first 8 hex digits)" for a referenced record that has a
 * name in the local replica (a member, usually). Returns 0 when it has
 * none, so the caller prints the id. */
static int ref_name(const cmd *m, const uint8_t id[UUID_LEN], sbuf *b)
{
	Hearth__Record *r = NULL;
	const ProtobufCMessage *body;
	const ProtobufCFieldDescriptor *fd;
	char text[UUID_TEXT_LEN + 1];
	int ok = 0;

	if (replica_get((replica *)&m->rep, id, &r) != 0)
		return 0;
	body = record_body(r);
	fd = body ? protobuf_c_message_descriptor_get_field_by_name(body->descriptor, "name") : NULL;
	if (fd && fd->type == PROTOBUF_C_TYPE_STRING && fd->label != PROTOBUF_C_LABEL_REPEATED) {
		const char *name = *(char *const *)pbfield_ptr(body, fd);
		if (name && name[0]) {
			uuid_format(id, text);
			text[8] = '\0';
			sb_puts(b, name);
			sb_puts(b, " (");
			sb_puts(b, text);
			sb_puts(b, ")");
			ok = 1;
		}
	}
	hearth__record__free_unpacked(r, NULL);
	return ok;
}

static void people_elem(const cmd *m, const ProtobufCFieldDescriptor *fd, const field_rule *rule,
                        const void *p, sbuf *b)
{
	char tmp[64];

	switch (fd->type) {
	case PROTOBUF_C_TYPE_STRING:
		put_text(m, rule, *(char *const *)p ? *(char *const *)p : "", b);
		return;
	case PROTOBUF_C_TYPE_BYTES: {
		const ProtobufCBinaryData *d = p;
		char text[UUID_TEXT_LEN + 1];
		if (d->len == UUID_LEN && !m->csv && m->rep_open && ref_name(m, d->data, b)) {
			/* People read names; CSV keeps ids so it imports back exactly. */
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
	if ((rule_flags(rule) & FIELD_SENSITIVE) && !m->reveal) {
		sb_puts(b, "***");
		return;
	}
	if (rule_flags(rule) & FIELD_MONEY)
		value_yuan_format(int_value(fd->type, p), tmp);
	else if (fd->type == PROTOBUF_C_TYPE_UINT64 || fd->type == PROTOBUF_C_TYPE_FIXED64)
		snprintf(tmp, sizeof(tmp), "%" PRIu64, *(const uint64_t *)p);
	else
		snprintf(tmp, sizeof(tmp), "%" PRId64, int_value(fd->type, p));
	sb_puts(b, tmp);
}

/* A field's value for a table, `show` or CSV; repeated values are joined
 * with "、" as Chinese lists are. The caller frees b->p. */
static void people_value(const cmd *m, const ProtobufCMessage *body,
                         const ProtobufCFieldDescriptor *fd, sbuf *b)
{
	const field_rule *rule = kind_rule(m->k, fd->id);
	const void *p = pbfield_ptr(body, fd);

	sb_puts(b, "");
	if (fd->label == PROTOBUF_C_LABEL_REPEATED) {
		size_t n = *pbfield_count(body, fd), sz = pbfield_elem_size(fd);
		const char *arr = *(char *const *)p;
		for (size_t i = 0; i < n; i++) {
			if (i)
				sb_puts(b, "\xe3\x80\x81");
			people_elem(m, fd, rule, arr + i * sz, b);
		}
		return;
	}
	people_elem(m, fd, rule, p, b);
}

static void json_elem(const cmd *m, out_json *j, const ProtobufCFieldDescriptor *fd,
                      const field_rule *rule, const void *p)
{
	switch (fd->type) {
	case PROTOBUF_C_TYPE_STRING: {
		sbuf b = { 0 };
		put_text(m, rule, *(char *const *)p ? *(char *const *)p : "", &b);
		out_json_string(j, sb_str(&b));
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
		if ((rule_flags(rule) & FIELD_SENSITIVE) && !m->reveal)
			out_json_string(j, "***");
		else
			out_json_int(j, int_value(fd->type, p));   /* money stays integer fen */
		return;
	}
}

/* A record as one JSON object: envelope fields, then each set body field by
 * its proto name. `show` adds its local state (extra). */
static void json_record(const cmd *m, out_json *j, const Hearth__Record *rec, int extra, int pending)
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
		if (!field_supported(fd, rule) || !pbfield_is_set(body, fd))
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
	if (body && notes_field(m->k) && pbfield_is_set(body, notes_field(m->k))) {
		const ProtobufCFieldDescriptor *nf = notes_field(m->k);
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
			out_json_end_object(j);
		}
		out_json_end_array(j);
	}
	out_json_end_object(j);
}

/* ------------------------------------------------------------- help */

static const char *arg_word(const flag *fl)
{
	uint32_t f = rule_flags(fl->rule);

	if (fl->fd->label == PROTOBUF_C_LABEL_REPEATED)
		return "LIST";
	if (fl->fen)
		return "FEN";
	if (f & FIELD_MONEY)
		return "YUAN";
	if (f & FIELD_DATE)
		return "YYYY-MM-DD";
	if (f & FIELD_MONTH)
		return "YYYY-MM";
	if (f & FIELD_ID)
		return "ID";
	switch (fl->fd->type) {
	case PROTOBUF_C_TYPE_ENUM: return "VALUE";
	case PROTOBUF_C_TYPE_BOOL: return NULL;
	case PROTOBUF_C_TYPE_STRING: return "TEXT";
	default: return "N";
	}
}

/* Lists the flags generated from the kind's body message, each with its
 * Chinese label, its rules and (for enums) the accepted values, so the help
 * grows by itself when a field is added to the table. */
static void print_field_flags(const cmd *m, FILE *f)
{
	size_t width = 0;

	for (size_t i = 0; i < m->n_flags; i++) {
		const char *w = arg_word(&m->flags[i]);
		size_t len = strlen(m->flags[i].name) + 4 + (w ? strlen(w) + 1 : strlen("[=yes|no]"));
		if (len > width)
			width = len;
	}
	for (size_t i = 0; i < m->n_flags; i++) {
		const flag *fl = &m->flags[i];
		const char *w = arg_word(fl);
		uint32_t rf = rule_flags(fl->rule);
		char left[160];

		if (w)
			snprintf(left, sizeof(left), "  --%s %s", fl->name, w);
		else
			snprintf(left, sizeof(left), "  --%s[=yes|no]", fl->name);
		fprintf(f, "%-*s  %s", (int)width, left, field_label(fl));
		if (fl->fen)
			fputs(" in fen (1 yuan = 100 fen)", f);
		else if (rf & FIELD_MONEY)
			fputs(" in yuan, up to two decimals", f);
		if (rf & FIELD_REQUIRED)
			fputs(", required", f);
		if (rf & FIELD_SENSITIVE)
			fputs(", sensitive (masked)", f);
		if (rf & FIELD_ID)
			fputs(", a record id or unique prefix", f);
		if (fl->fd->type == PROTOBUF_C_TYPE_ENUM) {
			char choices[512];
			enum_choices(fl->fd->descriptor, choices, sizeof(choices));
			fprintf(f, ": %s", choices);
		}
		if (fl->fd->label == PROTOBUF_C_LABEL_REPEATED)
			fputs(" (separate with , ， or 、)", f);
		fputc('\n', f);
	}
}

static void print_help(const cmd *m, int which, FILE *f)
{
	const char *k = m->k->name;

	switch (which) {
	case SUB_ADD:
		fprintf(f, "usage: hearth %s add --FIELD VALUE... [--branch ID]\n\n"
		           "Adds a %s (%s) record to the local replica and prints its new id (only\n"
		           "the id, so scripts can capture it). Works offline; the next sync sends it.\n"
		           "--branch ID is required with an admin certificate; a branch certificate\n"
		           "always adds to its own branch.\n\nfields:\n", k, m->k->label, k);
		break;
	case SUB_EDIT:
		fprintf(f, "usage: hearth %s edit ID --FIELD VALUE...\n\n"
		           "Changes the given fields of a %s record (ID: full id or a unique prefix of\n"
		           "at least 4 hex digits). An empty value (--FIELD \"\") clears a field.\n"
		           "\nfields:\n", k, m->k->label);
		break;
	case SUB_DELETE:
		fprintf(f, "usage: hearth %s delete ID\n\n"
		           "Deletes a %s record (ID: full id or a unique prefix). The deletion is\n"
		           "recorded locally and sent by the next sync.\n", k, m->k->label);
		return;
	case SUB_SHOW:
		fprintf(f, "usage: hearth %s show ID [--json] [--reveal]\n\n"
		           "Shows every field of a %s record with its label, and its id, revision,\n"
		           "branch, last update and whether local changes are pending.\n"
		           "  --json    one JSON object (enums as short names, money in fen)\n"
		           "  --reveal  show sensitive fields unmasked (recorded in the audit log)\n", k,
		        m->k->label);
		return;
	case SUB_NOTE:
		fprintf(f, "usage: hearth %s note ID --date YYYY-MM-DD --note TEXT [--by NAME]\n\n"
		           "Adds a dated progress note to a %s record (ID: full id or a unique\n"
		           "prefix). The note is one line of at most 200 bytes; its date may not be\n"
		           "before the record's start date.\n", k, m->k->label);
		return;
	case SUB_LIST:
		fprintf(f, "usage: hearth %s list [--json | --csv [--bom]] [--reveal] [--all]\n"
		           "                        [--member ID] [--year YYYY] [--status S] [--type T]\n"
		           "                        [--from DATE] [--to DATE] [--FIELD VALUE...]\n\n"
		           "Lists %s records as an aligned table. Ids are shortened to the shortest\n"
		           "prefix (at least 8 characters) that tells local records apart; every\n"
		           "command accepts it.\n"
		           "  --json       a JSON array of objects (enums as short names, money in fen)\n"
		           "  --csv        CSV with every field, Chinese headers, CRLF line ends\n"
		           "  --bom        with --csv: start with a UTF-8 BOM so Excel reads Chinese\n"
		           "  --reveal     show sensitive fields unmasked (recorded in the audit log)\n"
		           "  --all        include deleted records\n"
		           "  --FIELD VALUE  only records whose field equals VALUE (lists: contain it)\n"
		           "\n", k, m->k->label);
		filter_help(m->k, f);
		fputs("\nfields:\n", f);
		break;
	default:
		fprintf(f, "usage: hearth %s add|edit|delete|show|list [options]\n\n"
		           "%s (%s) records in the local replica. Every command works offline;\n"
		           "changes reach the server on the next sync.\n\n"
		           "  hearth %s add --FIELD VALUE... [--branch ID]   prints the new id\n"
		           "  hearth %s edit ID --FIELD VALUE...\n"
		           "  hearth %s delete ID\n"
		           "  hearth %s show ID [--json] [--reveal]\n"
		           "  hearth %s list [--json | --csv [--bom]] [--reveal] [--all] [--year YYYY]\n",
		        k, m->k->label, k, k, k, k, k, k);
		if (notes_field(m->k))
			fprintf(f, "  hearth %s note ID --date YYYY-MM-DD --note TEXT [--by NAME]\n", k);
		fprintf(f, "  hearth %s import FILE.csv [--dry-run]   all rows or none\n", k);
		fprintf(f, "\nID is a full id or a unique prefix of at least 4 hex digits.\n"
		           "'hearth %s SUBCOMMAND --help' explains one subcommand.\n\nfields:\n", k);
		break;
	}
	print_field_flags(m, f);
	fputs("\nValues: enums by short name, Chinese label or number; yes/no take\n"
	      "true/false/yes/no/1/0/是/否 (write --FLAG=no); an empty value clears a field.\n"
	      "exit status: 0 ok, 1 failed, 2 bad usage or invalid value.\n", f);
}

/* ------------------------------------------------------ command line */

/* Builds the flags from the kind's body descriptor: one per settable field,
 * '_' becoming '-', plus --FIELD-fen for money. */
static int build_flags(cmd *m)
{
	const ProtobufCMessageDescriptor *d = m->k->desc;

	m->flags = calloc(d->n_fields * 2 + 1, sizeof(*m->flags));
	if (!m->flags)
		return HEARTH_ENOMEM;
	for (unsigned i = 0; i < d->n_fields; i++) {
		const ProtobufCFieldDescriptor *fd = &d->fields[i];
		const field_rule *rule = kind_rule(m->k, fd->id);
		flag *fl;

		if (!field_supported(fd, rule))
			continue;
		fl = &m->flags[m->n_flags++];
		fl->fd = fd;
		fl->rule = rule;
		snprintf(fl->name, sizeof(fl->name), "%.80s", fd->name);
		for (char *p = fl->name; *p; p++) {
			if (*p == '_')
				*p = '-';
		}
		if ((rule_flags(rule) & FIELD_MONEY) && pbfield_is_int_type(fd->type)) {
			flag *fen = &m->flags[m->n_flags++];
			*fen = *fl;
			fen->fen = 1;
			snprintf(fen->name, sizeof(fen->name), "%.80s-fen", fl->name);
		}
	}
	return 0;
}

/* Parses the subcommand's options. Returns EXIT_OK, EXIT_USAGE (message
 * printed), or -1 after printing help (the caller returns EXIT_OK). */
static int parse_args(cmd *m, int argc, char **argv)
{
	struct option *opts;
	size_t n = 0;
	int o, rc = EXIT_OK;
	int npos = 0;

	opts = calloc(m->n_flags + HEARTH_ARRAY_LEN(fixed_opts) + 2, sizeof(*opts));
	m->as = calloc((size_t)argc + 1, sizeof(*m->as));
	if (!opts || !m->as) {
		say(m, "out of memory");
		free(opts);
		return EXIT_FAIL;
	}
	for (size_t i = 0; i < HEARTH_ARRAY_LEN(fixed_opts); i++) {
		if (sub_fixed[m->sub] & BIT(fixed_opts[i].val))
			opts[n++] = (struct option){ fixed_opts[i].name, fixed_opts[i].has_arg, NULL,
			                             fixed_opts[i].val };
	}
	opts[n++] = (struct option){ "help", no_argument, NULL, O_HELP };
	if (sub_takes_fields[m->sub]) {
		for (size_t i = 0; i < m->n_flags; i++) {
			int bare = m->flags[i].fd->type == PROTOBUF_C_TYPE_BOOL &&
			           m->flags[i].fd->label != PROTOBUF_C_LABEL_REPEATED;
			opts[n++] = (struct option){ m->flags[i].name,
			                             bare ? optional_argument : required_argument, NULL,
			                             O_FIELD + (int)i };
		}
	}
	/* argv[0] is the subcommand; getopt starts after it. */
	optind = 0;
	opterr = 0;
	while ((o = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (o) {
		case O_HELP:
			print_help(m, (int)m->sub, stdout);
			rc = -1;
			goto done;
		case O_BRANCH: m->branch = optarg; break;
		case O_JSON: m->json = 1; break;
		case O_CSV: m->csv = 1; break;
		case O_BOM: m->bom = 1; break;
		case O_REVEAL: m->reveal = 1; break;
		case O_ALL: m->all = 1; break;
		case O_NOTE_DATE: m->note_date = optarg; break;
		case O_NOTE_TEXT: m->note_text = optarg; break;
		case O_NOTE_BY: m->note_by = optarg; break;
		case ':':
			say(m, "%s needs a value; see 'hearth %s %s --help'", argv[optind - 1], m->k->name,
			    sub_names[m->sub]);
			rc = EXIT_USAGE;
			goto done;
		case '?':
			say(m, "unknown option \"%s\"; see 'hearth %s %s --help'", argv[optind - 1],
			    m->k->name, sub_names[m->sub]);
			rc = EXIT_USAGE;
			goto done;
		default:
			if (o >= O_FIELD && (size_t)(o - O_FIELD) < m->n_flags) {
				m->as[m->n_as].fl = &m->flags[o - O_FIELD];
				m->as[m->n_as].value = optarg;
				m->n_as++;
			}
			break;
		}
	}
	for (int i = optind; i < argc; i++) {
		int wants_id = m->sub == SUB_EDIT || m->sub == SUB_DELETE || m->sub == SUB_SHOW ||
		               m->sub == SUB_NOTE;
		if (wants_id && npos == 0) {
			m->id_text = argv[i];
			npos++;
			continue;
		}
		char vb[300];
		say(m, "unexpected argument \"%s\"; see 'hearth %s %s --help'",
		    shown(argv[i], vb, sizeof(vb)), m->k->name,
		    sub_names[m->sub]);
		rc = EXIT_USAGE;
		goto done;
	}
	if ((m->sub == SUB_EDIT || m->sub == SUB_DELETE || m->sub == SUB_SHOW ||
	     m->sub == SUB_NOTE) && !m->id_text) {
		say(m, "give the id of the %s (full id or a unique prefix)", m->k->name);
		rc = EXIT_USAGE;
	} else if (m->sub == SUB_NOTE && (!m->note_date || !m->note_text)) {
		say(m, "give --date YYYY-MM-DD and --note TEXT");
		rc = EXIT_USAGE;
	} else if (m->sub == SUB_EDIT && m->n_as == 0) {
		say(m, "nothing to change; give at least one --FIELD");
		rc = EXIT_USAGE;
	} else if (m->json && m->csv) {
		say(m, "--json and --csv exclude each other; pick one");
		rc = EXIT_USAGE;
	} else if (m->bom && !m->csv) {
		say(m, "--bom only applies to --csv");
		rc = EXIT_USAGE;
	}
done:
	free(opts);
	return rc;
}

/* ------------------------------------------------------ the replica */

static int open_replica(cmd *m)
{
	char err[1200] = "";
	int rc = cli_load_profile(m->c);

	if (rc != EXIT_OK)
		return rc;
	if (replica_open(&m->rep, m->c->prof.home, err, sizeof(err)) != 0) {
		say(m, "%s", err[0] ? err : "cannot open the local replica");
		return EXIT_FAIL;
	}
	m->rep_open = 1;
	return EXIT_OK;
}

/* Resolves the ID argument and loads the record's local view, checking it
 * is of this command's kind. Returns an exit code; *out is the caller's. */
static int load_record(cmd *m, uint8_t id[UUID_LEN], Hearth__Record **out)
{
	char err[256] = "", vb[300];
	const char *text = shown(m->id_text, vb, sizeof(vb));
	int rc = replica_resolve_id(&m->rep, m->id_text, id, err, sizeof(err));

	*out = NULL;
	if (rc == HEARTH_ENOTFOUND) {
		say(m, "no record matches \"%s\"", text);
		return EXIT_USAGE;
	}
	if (rc == HEARTH_EINVAL && strchr(err, '"')) {
		say(m, "%s", err);   /* the replica quoted the id itself */
		return EXIT_USAGE;
	}
	if (rc != 0) {
		say(m, "\"%s\": %s", text, err[0] ? err : hearth_strerror(rc));
		return rc == HEARTH_EINVAL ? EXIT_USAGE : EXIT_FAIL;
	}
	rc = replica_get(&m->rep, id, out);
	if (rc == HEARTH_ENOTFOUND) {
		say(m, "no record matches \"%s\"", text);
		return EXIT_USAGE;
	}
	if (rc != 0) {
		say(m, "cannot read the record: %s", hearth_strerror(rc));
		return EXIT_FAIL;
	}
	if ((*out)->kind != m->k->kind) {
		const kind_info *other = kind_find((*out)->kind);
		say(m, "\"%s\" is a %s record, not a %s", text, other ? other->name : "different",
		    m->k->name);
		hearth__record__free_unpacked(*out, NULL);
		*out = NULL;
		return EXIT_USAGE;
	}
	return EXIT_OK;
}

/* The branch a branch principal's replica belongs to, as the sync stored it
 * in meta "branch" (with or without a trailing NUL). */
static int meta_branch(replica *r, char *out, size_t cap)
{
	MDB_txn *txn;
	MDB_val key = { 6, (void *)"branch" }, val;
	int rc;

	out[0] = '\0';
	if (mdb_txn_begin(r->env, NULL, MDB_RDONLY, &txn) != 0)
		return HEARTH_ESTORE;
	rc = mdb_get(txn, r->meta, &key, &val);
	if (rc == 0 && val.mv_size > 0 && val.mv_size < cap) {
		memcpy(out, val.mv_data, val.mv_size);
		out[val.mv_size] = '\0';
	}
	mdb_txn_abort(txn);
	return out[0] ? 0 : HEARTH_ENOTFOUND;
}

/* Reads who the profile's certificate says we are, without connecting. */
static int cert_identity(cmd *m, tls_identity *id)
{
	char err[512] = "";

	switch (identity_read(m->c->prof.cert, id, err, sizeof(err))) {
	case IDENTITY_OK: return EXIT_OK;
	case IDENTITY_UNREADABLE:
		say(m, "cannot read the certificate %s: %m", m->c->prof.cert);
		return EXIT_USAGE;
	case IDENTITY_NOT_PEM:
		say(m, "%s is not a PEM certificate", m->c->prof.cert);
		return EXIT_USAGE;
	case IDENTITY_INVALID: break;
	}
	say(m, "certificate %s: %s", m->c->prof.cert, err);
	return EXIT_USAGE;
}

/* Branch ids travel in certificates' SAN URIs: letters, digits, '-', '_', '.'. */
static int branch_id_ok(const char *s)
{
	return *s && strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.") ==
	                 strlen(s);
}

/* Which branch a new record belongs to: a branch principal always writes its
 * own branch (the server would refuse anything else), an admin must say. */
static int pick_branch(cmd *m, char *out, size_t cap)
{
	tls_identity id;
	char own[128];
	int rc;

	meta_branch(&m->rep, own, sizeof(own));
	if (own[0] && !m->branch) {
		snprintf(out, cap, "%s", own);
		return EXIT_OK;
	}
	memset(&id, 0, sizeof(id));
	rc = cert_identity(m, &id);
	if (rc != EXIT_OK)
		return rc;
	switch (id.role) {
	case HEARTH__ROLE__ROLE_BRANCH:
		if (!own[0])
			snprintf(own, sizeof(own), "%s", id.branch_id);
		if (m->branch && strcmp(m->branch, own) != 0) {
			say(m, "--branch \"%s\": this certificate belongs to branch %s and can only add "
			       "records there", m->branch, own);
			return EXIT_USAGE;
		}
		snprintf(out, cap, "%s", own);
		return EXIT_OK;
	case HEARTH__ROLE__ROLE_ADMIN:
		if (!m->branch || !*m->branch) {
			say(m, "--branch ID is required with an admin certificate: which branch the %s "
			       "belongs to", m->k->name);
			return EXIT_USAGE;
		}
		if (strlen(m->branch) >= 64 || !branch_id_ok(m->branch)) {
			say(m, "--branch \"%s\" is not a branch id", m->branch);
			return EXIT_USAGE;
		}
		snprintf(out, cap, "%s", m->branch);
		return EXIT_OK;
	default:
		say(m, "an auditor certificate cannot change records; auditors only read");
		return EXIT_USAGE;
	}
}

/* Puts body into rec's oneof as the body of kind k, found through the Record
 * descriptor so that a new kind needs no code here. rec then owns body. */
static int attach_body(Hearth__Record *rec, const kind_info *k, ProtobufCMessage *body)
{
	const ProtobufCFieldDescriptor *fd =
		protobuf_c_message_descriptor_get_field(&hearth__record__descriptor, k->record_field);

	if (!fd || !(fd->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) || fd->type != PROTOBUF_C_TYPE_MESSAGE)
		return HEARTH_EINVAL;
	*(ProtobufCMessage **)((char *)rec + fd->offset) = body;
	*(uint32_t *)((char *)rec + fd->quantifier_offset) = k->record_field;
	rec->kind = k->kind;
	return 0;
}

/* A fresh, empty body of kind k, allocated as protobuf-c's default allocator
 * would, so hearth__record__free_unpacked frees it with its record. */
static ProtobufCMessage *new_body(const kind_info *k)
{
	ProtobufCMessage *body = malloc(k->desc->sizeof_message);
	if (body)
		k->desc->message_init(body);
	return body;
}

static int sensitive_kind(const kind_info *k)
{
	for (size_t i = 0; i < k->n_rules; i++) {
		if (k->rules[i].flags & FIELD_SENSITIVE)
			return 1;
	}
	return 0;
}

/* ------------------------------------------------- reveal/export events
 * Showing a sensitive field unmasked and exporting records are audited
 * like changes: each becomes a ClientEvent queued in the replica before
 * anything is printed (no output without its event), and `hearth sync`
 * reports the queue to the server's audit log. */

typedef struct event_list {
	Hearth__ClientEvent **ev;
	size_t n, cap;
} event_list;

static void event_free(Hearth__ClientEvent *e)
{
	if (!e)
		return;
	free(e->record_id.data);
	free(e->branch_id);
	free(e->detail);
	free(e->fields);   /* the names themselves are the descriptor's */
	free(e);
}

static void events_free(event_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		event_free(l->ev[i]);
	free(l->ev);
	memset(l, 0, sizeof(*l));
}

/* Adds an event naming the sensitive fields of k that are set in body (all
 * of k's sensitive fields when body is NULL). A reveal of a record whose
 * sensitive fields are all empty reveals nothing and adds nothing. */
static int event_add(event_list *l, const char *action, const kind_info *k, const uint8_t *id,
                     const char *branch, const ProtobufCMessage *body, uint32_t count,
                     const char *detail)
{
	Hearth__ClientEvent *e = calloc(1, sizeof(*e));
	size_t nf = 0;

	if (!e)
		return HEARTH_ENOMEM;
	hearth__client_event__init(e);
	e->fields = calloc(k->desc->n_fields + 1, sizeof(char *));
	e->action = (char *)action;
	e->kind = k->kind;
	e->time = session_now_ms();
	e->count = count;
	e->branch_id = strdup(branch ? branch : "");
	e->detail = strdup(detail ? detail : "");
	if (!e->fields || !e->branch_id || !e->detail)
		goto oom;
	for (unsigned i = 0; i < k->desc->n_fields; i++) {
		const ProtobufCFieldDescriptor *fd = &k->desc->fields[i];
		if (!(rule_flags(kind_rule(k, fd->id)) & FIELD_SENSITIVE))
			continue;
		if (body && !pbfield_is_set(body, fd))
			continue;
		e->fields[nf++] = (char *)fd->name;
	}
	e->n_fields = nf;
	if (!strcmp(action, "reveal") && nf == 0) {
		event_free(e);
		return 0;
	}
	if (id) {
		e->record_id.data = malloc(UUID_LEN);
		if (!e->record_id.data)
			goto oom;
		memcpy(e->record_id.data, id, UUID_LEN);
		e->record_id.len = UUID_LEN;
	}
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 16;
		void *p = realloc(l->ev, cap * sizeof(*l->ev));
		if (!p)
			goto oom;
		l->ev = p;
		l->cap = cap;
	}
	l->ev[l->n++] = e;
	return 0;
oom:
	event_free(e);
	return HEARTH_ENOMEM;
}

/* Queues the events in one replica transaction; refuses (exit code) when
 * that fails, so the caller shows nothing unrecorded. */
static int events_queue(cmd *m, event_list *l)
{
	int rc;
	if (l->n == 0)
		return EXIT_OK;
	rc = replica_queue_events(&m->rep, l->ev, l->n);
	if (rc != 0) {
		say(m, "cannot record the reveal/export in the local replica (%s); nothing was shown",
		    hearth_strerror(rc));
		return EXIT_FAIL;
	}
	return EXIT_OK;
}

/* ------------------------------------------------------- subcommands */

/* The rules that need other records, against the replica (the server
 * checks them again): refused like a validation error, exit 2. */
static int check_local_rules(cmd *m, const uint8_t id[UUID_LEN], const char *branch,
                             const ProtobufCMessage *body, const ProtobufCMessage *old_body)
{
	record_error err;
	int rc = local_rules_check(&m->rep, m->k, id, branch, body, old_body, &err);

	if (rc == HEARTH_EINVAL) {
		say(m, "%s", err.message);
		return EXIT_USAGE;
	}
	if (rc != 0) {
		say(m, "cannot read the local replica: %s", hearth_strerror(rc));
		return EXIT_FAIL;
	}
	return EXIT_OK;
}

/* Stores an edit of a loaded record (edit, note): its rules, then the
 * rules that need other records against the replica's copy before the
 * change, then the op. Returns an exit code after saying why. */
static int save_edit(cmd *m, const uint8_t id[UUID_LEN], Hearth__Record *rec, const ProtobufCMessage *body)
{
	Hearth__Record *before = NULL;
	char err[1200] = "";
	int rc = validate(m, body);

	if (rc != EXIT_OK)
		return rc;
	if (replica_get(&m->rep, id, &before) != 0)
		before = NULL;
	rc = check_local_rules(m, id, rec->branch_id ? rec->branch_id : "", body,
	                       before ? record_body(before) : NULL);
	if (before)
		hearth__record__free_unpacked(before, NULL);
	if (rc != EXIT_OK)
		return rc;
	rc = replica_edit(&m->rep, rec, 0, err, sizeof(err));
	if (rc != 0) {
		say(m, "%s", err[0] ? err : hearth_strerror(rc));
		return rc == HEARTH_EINVAL ? EXIT_USAGE : EXIT_FAIL;
	}
	return EXIT_OK;
}

static int do_add(cmd *m)
{
	Hearth__Record *rec = NULL;
	ProtobufCMessage *body = NULL;
	char branch[128], text[UUID_TEXT_LEN + 1], err[1200] = "";
	int rc;

	rc = open_replica(m);
	if (rc != EXIT_OK)
		goto fail;
	rec = malloc(sizeof(*rec));
	body = new_body(m->k);
	if (!rec || !body) {
		free(body);
		body = NULL;
		rc = EXIT_FAIL;
		say(m, "out of memory");
		goto fail;
	}
	hearth__record__init(rec);
	if (attach_body(rec, m->k, body) != 0) {
		free(body);
		say(m, "the kind table names no Record field %u for %s", m->k->record_field, m->k->name);
		rc = EXIT_FAIL;
		goto fail;
	}
	rc = apply_all(m, body);
	if (rc != EXIT_OK)
		goto fail;
	rc = validate(m, body);
	if (rc != EXIT_OK)
		goto fail;
	rc = pick_branch(m, branch, sizeof(branch));
	if (rc != EXIT_OK)
		goto fail;
	rec->id.data = malloc(UUID_LEN);
	rec->branch_id = strdup(branch);
	if (!rec->id.data || !rec->branch_id) {
		say(m, "out of memory");
		rc = EXIT_FAIL;
		goto fail;
	}
	rec->id.len = UUID_LEN;
	if (uuid_v7(rec->id.data) != 0) {
		say(m, "no randomness available for a new id");
		rc = EXIT_FAIL;
		goto fail;
	}
	if ((rc = check_local_rules(m, rec->id.data, branch, body, NULL)) != EXIT_OK)
		goto fail;
	if (replica_edit(&m->rep, rec, 1, err, sizeof(err)) != 0) {
		say(m, "%s", err[0] ? err : "the local replica refused the record");
		rc = EXIT_FAIL;
		goto fail;
	}
	uuid_format(rec->id.data, text);
	printf("%s\n", text);
	rc = EXIT_OK;
fail:
	if (rec)
		hearth__record__free_unpacked(rec, NULL);
	return rc;
}

static int do_edit(cmd *m)
{
	Hearth__Record *rec = NULL;
	ProtobufCMessage *body;
	uint8_t id[UUID_LEN];
	char text[UUID_TEXT_LEN + 1];
	int rc;

	rc = open_replica(m);
	if (rc != EXIT_OK)
		goto fail;
	rc = load_record(m, id, &rec);
	if (rc != EXIT_OK)
		goto fail;
	uuid_format(id, text);
	if (rec->deleted) {
		say(m, "%s is deleted; it cannot be edited", text);
		rc = EXIT_USAGE;
		goto fail;
	}
	body = (ProtobufCMessage *)record_body(rec);
	if (!body) {
		body = new_body(m->k);
		if (!body || attach_body(rec, m->k, body) != 0) {
			free(body);
			say(m, "out of memory");
			rc = EXIT_FAIL;
			goto fail;
		}
	}
	rc = apply_all(m, body);
	if (rc != EXIT_OK)
		goto fail;
	rc = save_edit(m, id, rec, body);
	if (rc != EXIT_OK)
		goto fail;
	printf("updated %s\n", text);
	rc = EXIT_OK;
fail:
	if (rec)
		hearth__record__free_unpacked(rec, NULL);
	return rc;
}

static int do_delete(cmd *m)
{
	Hearth__Record *rec = NULL;
	uint8_t id[UUID_LEN];
	char text[UUID_TEXT_LEN + 1], err[1200] = "";
	int rc;

	rc = open_replica(m);
	if (rc != EXIT_OK)
		goto fail;
	rc = load_record(m, id, &rec);
	if (rc != EXIT_OK)
		goto fail;
	uuid_format(id, text);
	if (rec->deleted) {
		say(m, "%s is already deleted", text);
		rc = EXIT_USAGE;
		goto fail;
	}
	rc = replica_delete(&m->rep, id, err, sizeof(err));
	if (rc != 0) {
		say(m, "%s", err[0] ? err : hearth_strerror(rc));
		rc = EXIT_FAIL;
		goto fail;
	}
	printf("deleted %s\n", text);
	rc = EXIT_OK;
fail:
	if (rec)
		hearth__record__free_unpacked(rec, NULL);
	return rc;
}

/* A record has unsent local changes when its local view differs from the
 * last server copy (or the server has never seen it). Comparing the packed
 * records covers body, tombstone and every other field alike. */
static int is_pending(cmd *m, const uint8_t id[UUID_LEN], const Hearth__Record *local)
{
	Hearth__Record *server = NULL;
	uint8_t *a = NULL, *b = NULL;
	size_t la, lb;
	int pending = 1;

	if (replica_get_server(&m->rep, id, &server) != 0)
		return 1;
	la = hearth__record__get_packed_size(local);
	lb = hearth__record__get_packed_size(server);
	if (la != lb)
		goto fail;
	a = malloc(la ? la : 1);
	b = malloc(lb ? lb : 1);
	if (!a || !b)
		goto fail;
	hearth__record__pack(local, a);
	hearth__record__pack(server, b);
	pending = memcmp(a, b, la) != 0;
fail:
	free(b);
	free(a);
	hearth__record__free_unpacked(server, NULL);
	return pending;
}

/* Prints "label  value", continuing multi-line values under the value
 * column so notes stay readable. */
static void show_line(const char *label, size_t width, const char *value)
{
	if (!*value) {
		printf("%s\n", label);
		return;
	}
	out_pad(stdout, label, width);
	fputs("  ", stdout);
	for (const char *p = value; *p; p++) {
		if (*p == '\r')
			continue;
		fputc(*p, stdout);
		if (*p == '\n' && p[1])
			for (size_t i = 0; i < width + 2; i++)
				fputc(' ', stdout);
	}
	fputc('\n', stdout);
}

static int do_show(cmd *m)
{
	Hearth__Record *rec = NULL;
	event_list events = { NULL, 0, 0 };
	const ProtobufCMessage *body;
	uint8_t id[UUID_LEN];
	char text[UUID_TEXT_LEN + 1], line[600];
	size_t width = strlen("updated");
	int rc, pending;

	rc = open_replica(m);
	if (rc != EXIT_OK)
		goto fail;
	rc = load_record(m, id, &rec);
	if (rc != EXIT_OK)
		goto fail;
	uuid_format(id, text);
	pending = is_pending(m, id, rec);
	body = record_body(rec);
	if (m->reveal && sensitive_kind(m->k) && body) {
		if (event_add(&events, "reveal", m->k, id, rec->branch_id, body, 0, "show --reveal") != 0) {
			say(m, "out of memory");
			rc = EXIT_FAIL;
			goto fail;
		}
		if ((rc = events_queue(m, &events)) != EXIT_OK)
			goto fail;
	}
	if (m->json) {
		out_json j;
		out_json_init(&j, stdout);
		json_record(m, &j, rec, 1, pending);
		fputc('\n', stdout);
	} else {
		for (unsigned i = 0; i < m->k->desc->n_fields; i++) {
			const field_rule *r = kind_rule(m->k, m->k->desc->fields[i].id);
			const char *label = r && r->label ? r->label : m->k->desc->fields[i].name;
			if (utf8_width(label) > width)
				width = utf8_width(label);
		}
		show_line("id", width, text);
		snprintf(line, sizeof(line), "%s (%s)", m->k->label, m->k->name);
		show_line("kind", width, line);
		show_line("branch", width, rec->branch_id ? rec->branch_id : "");
		snprintf(line, sizeof(line), "%" PRIu64, rec->rev);
		show_line("rev", width, line);
		if (rec->updated_at > 0) {
			time_t t = (time_t)(rec->updated_at / 1000);
			struct tm tm;
			char when[64];
			localtime_r(&t, &tm);
			strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", &tm);
			snprintf(line, sizeof(line), "%s by %s", when,
			         rec->updated_by_name && *rec->updated_by_name ? rec->updated_by_name : "?");
		} else {
			snprintf(line, sizeof(line), "not yet on the server");
		}
		show_line("updated", width, line);
		show_line("state", width,
		          pending ? "pending (local changes not yet sent)" : "synced");
		if (rec->deleted)
			show_line("deleted", width, "yes");
		for (unsigned i = 0; body && i < m->k->desc->n_fields; i++) {
			const ProtobufCFieldDescriptor *fd = &m->k->desc->fields[i];
			const field_rule *r = kind_rule(m->k, fd->id);
			sbuf b = { 0 };
			if (!field_supported(fd, r))
				continue;
			people_value(m, body, fd, &b);
			show_line(r && r->label ? r->label : fd->name, width, sb_str(&b));
			free(b.p);
		}
		if (body && notes_field(m->k)) {
			const ProtobufCFieldDescriptor *nf = notes_field(m->k);
			const field_rule *r = kind_rule(m->k, nf->id);
			size_t n = *pbfield_count(body, nf);
			Hearth__ProgressNote *const *notes =
				*(Hearth__ProgressNote *const *const *)pbfield_ptr(body, nf);

			/* One line per note, the label on the first only. */
			for (size_t i = 0; i < n; i++) {
				snprintf(line, sizeof(line), "%s  %s%s%s%s", notes[i]->date, notes[i]->note,
				         notes[i]->by[0] ? " (" : "", notes[i]->by, notes[i]->by[0] ? ")" : "");
				show_line(i == 0 ? (r && r->label ? r->label : nf->name) : "", width, line);
			}
		}
	}
	if (events.n)
		say(m, "revealed sensitive fields of %s (recorded in the audit log at the next sync)", text);
	rc = fflush(stdout) == 0 ? EXIT_OK : EXIT_FAIL;
fail:
	events_free(&events);
	if (rec)
		hearth__record__free_unpacked(rec, NULL);
	return rc;
}

/* `note ID --date D --note TEXT [--by NAME]`: appends a progress note
 * and records the whole list as one local edit, validated like any edit
 * (the date exists and is not before the start date). */
static int do_note(cmd *m)
{
	const ProtobufCFieldDescriptor *nf = notes_field(m->k);
	Hearth__Record *rec = NULL;
	Hearth__ProgressNote *note = NULL, **grown;
	ProtobufCMessage *body;
	uint8_t id[UUID_LEN];
	char text[UUID_TEXT_LEN + 1];
	size_t *count;
	int rc;

	if (!nf) {
		say(m, "%s records have no progress notes", m->k->name);
		return EXIT_USAGE;
	}
	rc = open_replica(m);
	if (rc != EXIT_OK)
		goto fail;
	rc = load_record(m, id, &rec);
	if (rc != EXIT_OK)
		goto fail;
	uuid_format(id, text);
	body = (ProtobufCMessage *)record_body(rec);
	if (rec->deleted || !body) {
		say(m, "%s is deleted; it cannot take notes", text);
		rc = EXIT_USAGE;
		goto fail;
	}
	count = pbfield_count(body, nf);
	if (*count >= (kind_rule(m->k, nf->id) && kind_rule(m->k, nf->id)->max
	                       ? kind_rule(m->k, nf->id)->max
	                       : RECORD_REPEATED_MAX_DEFAULT)) {
		say(m, "%s already has %zu notes, the most a record holds", text, *count);
		rc = EXIT_USAGE;
		goto fail;
	}
	/* Allocated as protobuf-c's default allocator would, so the record
	 * frees whole with hearth__record__free_unpacked. */
	note = malloc(sizeof(*note));
	grown = realloc(*(Hearth__ProgressNote ***)pbfield_ptr(body, nf), (*count + 1) * sizeof(*grown));
	if (grown)
		*(Hearth__ProgressNote ***)pbfield_ptr(body, nf) = grown;
	if (!note || !grown) {
		free(note);
		say(m, "out of memory");
		rc = EXIT_FAIL;
		goto fail;
	}
	hearth__progress_note__init(note);
	note->date = strdup(m->note_date);
	note->note = strdup(m->note_text);
	note->by = strdup(m->note_by ? m->note_by : "");
	grown[(*count)++] = note;
	if (!note->date || !note->note || !note->by) {
		say(m, "out of memory");
		rc = EXIT_FAIL;
		goto fail;
	}
	rc = save_edit(m, id, rec, body);
	if (rc != EXIT_OK)
		goto fail;
	printf("noted %s\n", text);
	rc = EXIT_OK;
fail:
	if (rec)
		hearth__record__free_unpacked(rec, NULL);
	return rc;
}

/* ------------------------------------------------------------- list */

typedef struct list_ctx {
	cmd *m;
	const ProtobufCMessage *filter;            /* fields named by filter flags */
	const ProtobufCFieldDescriptor **cols;     /* table columns after the id */
	size_t n_cols;
	out_table *t;
	out_json j;
	out_csv csv;
	size_t count;
	size_t id_cols;                            /* shown length of ids */
	int err;
	int collect;                               /* first pass: events only */
	size_t matched;
	event_list events;
} list_ctx;

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
	cmd *m = l->m;
	const ProtobufCMessage *body = record_body(rec);
	char text[UUID_TEXT_LEN + 1] = "";

	if (rec->kind != m->k->kind || !filter_match(&m->filt, rec))
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
		    event_add(&l->events, "reveal", m->k, rec->id.data, rec->branch_id, body, 0,
		              m->csv ? "list --csv --reveal" : "list --reveal") != 0) {
			l->err = HEARTH_ENOMEM;
			return 1;
		}
		return 0;
	}
	if (rec->id.len == UUID_LEN)
		uuid_format(rec->id.data, text);
	l->count++;
	if (m->json) {
		json_record(m, &l->j, rec, 0, 0);
		return 0;
	}
	if (m->csv) {
		out_csv_field(&l->csv, text);
		for (unsigned i = 0; i < m->k->desc->n_fields; i++) {
			const ProtobufCFieldDescriptor *fd = &m->k->desc->fields[i];
			sbuf b = { 0 };
			if (!field_supported(fd, kind_rule(m->k, fd->id)))
				continue;
			if (body)
				people_value(m, body, fd, &b);
			out_csv_field(&l->csv, sb_str(&b));
			free(b.p);
		}
		out_csv_end_row(&l->csv);
		return 0;
	}
	text[l->id_cols] = '\0';
	if (out_table_row(l->t) != 0 || out_table_cell(l->t, text) != 0)
		goto oom;
	for (size_t i = 0; i < l->n_cols; i++) {
		sbuf b = { 0 };
		int rc;
		if (body)
			people_value(m, body, l->cols[i], &b);
		rc = b.oom ? HEARTH_ENOMEM : out_table_cell(l->t, sb_str(&b));
		free(b.p);
		if (rc != 0)
			goto oom;
	}
	if (m->all && out_table_cell(l->t, rec->deleted ? "\xe6\x98\xaf" : "") != 0)
		goto oom;
	return 0;
oom:
	l->err = HEARTH_ENOMEM;
	return 1;
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
			if (fd && field_supported(fd, kind_rule(k, fd->id)))
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
	if (l->m->all && out_table_column(l->t, "\xe5\xb7\xb2\xe5\x88\xa0\xe9\x99\xa4", 0, 0))
		return HEARTH_ENOMEM;   /* 已删除 */
	return 0;
}

static int do_list(cmd *m)
{
	list_ctx l;
	ProtobufCMessage *filter = NULL;
	int rc;

	memset(&l, 0, sizeof(l));
	l.m = m;
	rc = open_replica(m);
	if (rc == EXIT_OK && filter_prepare(&m->filt, &m->rep) != 0)
		rc = EXIT_USAGE;
	if (rc != EXIT_OK)
		goto fail;
	filter = new_body(m->k);
	l.t = out_table_new();
	if (!filter || !l.t) {
		say(m, "out of memory");
		rc = EXIT_FAIL;
		goto fail;
	}
	rc = apply_all(m, filter);
	if (rc != EXIT_OK)
		goto fail;
	l.filter = filter;
	/* A first pass over the same records finds what this listing reveals
	 * or exports, so the events are queued before a line is printed. */
	if ((m->reveal && sensitive_kind(m->k)) || m->csv) {
		l.collect = 1;
		rc = replica_each(&m->rep, m->k->kind, m->all, list_one, &l);
		l.collect = 0;
		if (rc == 0 && !l.err && m->csv) {
			char branch[128] = "", detail[160];
			meta_branch(&m->rep, branch, sizeof(branch));
			snprintf(detail, sizeof(detail), "%s list --csv%s", m->k->name, m->reveal ? " --reveal" : "");
			l.err = event_add(&l.events, "export", m->k, NULL, branch, NULL,
			                  l.matched > UINT32_MAX ? UINT32_MAX : (uint32_t)l.matched, detail);
			if (!m->reveal && l.err == 0)
				l.events.ev[l.events.n - 1]->n_fields = 0;   /* nothing sensitive in it */
		}
		if (rc != 0 || l.err) {
			say(m, "cannot read the local replica: %s", hearth_strerror(l.err ? l.err : rc));
			rc = EXIT_FAIL;
			goto fail;
		}
		if ((rc = events_queue(m, &l.events)) != EXIT_OK)
			goto fail;
	}
	if (m->json) {
		out_json_init(&l.j, stdout);
		out_json_begin_array(&l.j);
	} else if (m->csv) {
		out_csv_init(&l.csv, stdout, m->bom);
		out_csv_field(&l.csv, "id");
		for (unsigned i = 0; i < m->k->desc->n_fields; i++) {
			const ProtobufCFieldDescriptor *fd = &m->k->desc->fields[i];
			const field_rule *r = kind_rule(m->k, fd->id);
			if (field_supported(fd, r))
				out_csv_field(&l.csv, r && r->label ? r->label : fd->name);
		}
		out_csv_end_row(&l.csv);
	} else if ((l.id_cols = short_id_len(&m->rep), list_columns(&l) != 0)) {
		say(m, "out of memory");
		rc = EXIT_FAIL;
		goto fail;
	}
	rc = replica_each(&m->rep, m->k->kind, m->all, list_one, &l);
	if (rc != 0 || l.err) {
		say(m, "cannot read the local replica: %s", hearth_strerror(l.err ? l.err : rc));
		rc = EXIT_FAIL;
		goto fail;
	}
	if (m->json) {
		out_json_end_array(&l.j);
		fputc('\n', stdout);
	} else if (!m->csv) {
		if (l.count == 0)
			printf("no %s (%s) records\n", m->k->label, m->k->name);
		else
			out_table_print(l.t, stdout);
	}
	if (m->csv)
		say(m, "exported %zu %s records (recorded in the audit log at the next sync)", l.count,
		    m->k->name);
	if (m->reveal && sensitive_kind(m->k) && l.count)
		say(m, "revealed sensitive fields of %zu %s records (recorded in the audit log at the next "
		       "sync)",
		    l.count, m->k->name);
	rc = fflush(stdout) == 0 ? EXIT_OK : EXIT_FAIL;
fail:
	events_free(&l.events);
	free(l.cols);
	out_table_free(l.t);
	if (filter)
		protobuf_c_message_free_unpacked(filter, NULL);
	return rc;
}

/* ------------------------------------------------------------ entry */

int cmd_record(cli *c, int argc, char **argv)
{
	cmd m;
	int rc = EXIT_USAGE;
	int sub = -1;

	memset(&m, 0, sizeof(m));
	m.c = c;
	m.k = kind_by_name(argv[0]);
	if (!m.k) {
		cli_error("unknown record kind \"%s\"", argv[0]);
		return EXIT_USAGE;
	}
	if (build_flags(&m) != 0) {
		cli_error("%s: out of memory", argv[0]);
		return EXIT_FAIL;
	}
	if (argc < 2) {
		print_help(&m, -1, stderr);
		goto done;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		print_help(&m, -1, stdout);
		rc = EXIT_OK;
		goto done;
	}
	if (!strcmp(argv[1], "import")) {   /* client/import.c */
		rc = import_run(c, m.k, argc - 1, argv + 1);
		goto done;
	}
	for (int i = 0; i < (int)HEARTH_ARRAY_LEN(sub_names); i++) {
		if (!strcmp(argv[1], sub_names[i]))
			sub = i;
	}
	if (sub < 0) {
		cli_error("%s: unknown subcommand \"%s\"; try 'hearth %s --help'", argv[0], argv[1],
		          argv[0]);
		goto done;
	}
	m.sub = (enum sub)sub;
	if (m.sub == SUB_LIST) {   /* filters are taken out first: client/filters.c */
		int n = argc - 1;
		if (filter_take(&m.filt, m.k, &n, argv + 1) != 0) {
			rc = EXIT_USAGE;
			goto done;
		}
		argc = n + 1;
	}
	rc = parse_args(&m, argc - 1, argv + 1);
	if (rc == -1) {
		rc = EXIT_OK;
		goto done;
	}
	if (rc != EXIT_OK)
		goto done;
	switch (m.sub) {
	case SUB_ADD: rc = do_add(&m); break;
	case SUB_EDIT: rc = do_edit(&m); break;
	case SUB_DELETE: rc = do_delete(&m); break;
	case SUB_SHOW: rc = do_show(&m); break;
	case SUB_LIST: rc = do_list(&m); break;
	case SUB_NOTE: rc = do_note(&m); break;
	}
done:
	if (m.rep_open)
		replica_close(&m.rep);
	free(m.as);
	free(m.flags);
	return rc;
}
