/* filters.c: the list filters (--member, --year, --status, --type, --from,
 * --to) every record kind takes, found on each kind's fields by name. */
#include "client/core/filters.h"

#include "client/core/member_lookup.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "common/date.h"
#include "common/hearth.h"
#include "common/i18n.h"
#include "common/uuid.h"

static void say(const kind_info *k, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Messages look like the generic list command's: "hearth: KIND list: ...". */
static void say(const kind_info *k, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "hearth: %s list: ", k->name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static uint32_t flags_of(const kind_info *k, const ProtobufCFieldDescriptor *fd)
{
	const field_rule *r = kind_rule(k, fd->id);
	return r ? r->flags : 0;
}

static const ProtobufCFieldDescriptor *named(const kind_info *k, const char *name,
                                             ProtobufCType type)
{
	const ProtobufCFieldDescriptor *fd =
		protobuf_c_message_descriptor_get_field_by_name(k->desc, name);

	return fd && fd->type == type ? fd : NULL;
}

const ProtobufCFieldDescriptor *filter_main_date(const kind_info *k)
{
	static const char *const prefer[] = { "date", "start_date", "from_date", "issued_date",
	                                      "certified_at" };
	const ProtobufCFieldDescriptor *fd = named(k, "date", PROTOBUF_C_TYPE_STRING);

	if (fd && fd->label != PROTOBUF_C_LABEL_REPEATED)
		return fd;
	for (unsigned i = 0; i < k->desc->n_fields; i++) {
		fd = &k->desc->fields[i];
		if ((flags_of(k, fd) & FIELD_MONTH) && fd->label != PROTOBUF_C_LABEL_REPEATED)
			return fd;
	}
	for (size_t i = 1; i < HEARTH_ARRAY_LEN(prefer); i++) {
		fd = named(k, prefer[i], PROTOBUF_C_TYPE_STRING);
		if (fd && fd->label != PROTOBUF_C_LABEL_REPEATED)
			return fd;
	}
	for (unsigned i = 0; i < k->desc->n_fields; i++) {
		fd = &k->desc->fields[i];
		if ((flags_of(k, fd) & FIELD_DATE) && fd->type == PROTOBUF_C_TYPE_STRING &&
		    fd->label != PROTOBUF_C_LABEL_REPEATED)
			return fd;
	}
	return NULL;
}

const ProtobufCFieldDescriptor *filter_type_field(const kind_info *k)
{
	static const char *const names[] = { "type", "types", "occasion", "category", "mode",
	                                     "trigger", "title" };

	for (size_t i = 0; i < HEARTH_ARRAY_LEN(names); i++) {
		const ProtobufCFieldDescriptor *fd = named(k, names[i], PROTOBUF_C_TYPE_ENUM);
		if (fd)
			return fd;
	}
	return NULL;
}

static const ProtobufCFieldDescriptor *member_field(const kind_info *k)
{
	const ProtobufCFieldDescriptor *fd = named(k, "member", PROTOBUF_C_TYPE_BYTES);

	return fd ? fd : named(k, "members", PROTOBUF_C_TYPE_BYTES);
}

/* ------------------------------------------------------------ values */

/* "registered (在册), assisting (帮扶中)": what an enum filter accepts. */
static void choices(const ProtobufCEnumDescriptor *d, char *out, size_t cap)
{
	size_t o = 0;

	out[0] = '\0';
	for (unsigned i = 0; i < d->n_values && o < cap; i++) {
		char name[64];
		const char *label;
		int n;

		if (d->values[i].value == 0)
			continue;
		enum_short_name(d, d->values[i].value, name, sizeof(name));
		label = enum_label(d, d->values[i].value);
		n = strcmp(label, name) ? snprintf(out + o, cap - o, "%s%s (%s)", o ? ", " : "", name, label)
		                        : snprintf(out + o, cap - o, "%s%s", o ? ", " : "", name);
		if (n < 0)
			break;
		o += (size_t)n;
	}
}

static int take_enum(const kind_info *k, const char *opt, const char *what,
                     const ProtobufCFieldDescriptor *fd, const char *text, int *out)
{
	char list[600];

	if (!fd) {
		say(k, _("%s: %s records have no %s field"), opt, k->name, what);
		return HEARTH_EINVAL;
	}
	if (enum_parse(fd->descriptor, text, out) == 0 && *out != 0)
		return 0;
	choices(fd->descriptor, list, sizeof(list));
	say(k, _("%s \"%s\" is not one of: %s"), opt, text, list);
	return HEARTH_EINVAL;
}

static int take_date(const kind_info *k, const char *opt, const char *text, int32_t *out)
{
	if (date_parse(text, out) == 0)
		return 0;
	say(k, _("%s \"%s\" is not a date that exists (YYYY-MM-DD)"), opt, text);
	return HEARTH_EINVAL;
}

/* Options the generic parser gives a value: every field flag of the kind
 * except plain booleans (which only take --flag=VALUE), and the money
 * variants. Knowing them keeps "--notes --year" from being misread. */
static int takes_value(const kind_info *k, const char *opt)
{
	char name[96];
	size_t len;
	const ProtobufCFieldDescriptor *fd;

	if (strchr(opt, '=') || strlen(opt) >= sizeof(name))
		return 0;
	snprintf(name, sizeof(name), "%s", opt);
	len = strlen(name);
	if (len > 4 && !strcmp(name + len - 4, "-fen"))
		name[len - 4] = '\0';
	for (char *p = name; *p; p++) {
		if (*p == '-')
			*p = '_';
	}
	fd = protobuf_c_message_descriptor_get_field_by_name(k->desc, name);
	if (!fd)
		return 0;
	return !(fd->type == PROTOBUF_C_TYPE_BOOL && fd->label != PROTOBUF_C_LABEL_REPEATED);
}

enum { F_MEMBER, F_YEAR, F_STATUS, F_TYPE, F_FROM, F_TO };
static const char *const filter_names[] = { "member", "year", "status", "type", "from", "to" };

int filter_take(list_filter *f, const kind_info *k, int *argc, char **argv)
{
	int out = 1, n = *argc, rc = 0;

	memset(f, 0, sizeof(*f));
	f->k = k;
	for (int i = 1; i < n; i++) {
		const char *a = argv[i], *value = NULL;
		char opt[16];
		int which = -1;

		if (!strcmp(a, "--")) {
			while (i < n)
				argv[out++] = argv[i++];
			break;
		}
		for (size_t w = 0; a[0] == '-' && a[1] == '-' && w < HEARTH_ARRAY_LEN(filter_names); w++) {
			size_t len = strlen(filter_names[w]);
			if (!strncmp(a + 2, filter_names[w], len) && (a[2 + len] == '\0' || a[2 + len] == '=')) {
				which = (int)w;
				value = a[2 + len] == '=' ? a + 3 + len : NULL;
			}
		}
		if (which < 0) {
			argv[out++] = argv[i];
			if (a[0] == '-' && a[1] == '-' && takes_value(k, a + 2) && i + 1 < n)
				argv[out++] = argv[++i];
			continue;
		}
		snprintf(opt, sizeof(opt), "--%s", filter_names[which]);
		if (!value) {
			if (i + 1 >= n) {
				say(k, _("%s needs a value; see 'hearth %s list --help'"), opt, k->name);
				return HEARTH_EINVAL;
			}
			value = argv[++i];
		}
		switch (which) {
		case F_MEMBER:
			f->member_fd = member_field(k);
			if (!f->member_fd) {
				say(k, _("--member: %s records do not refer to members"), k->name);
				return HEARTH_EINVAL;
			}
			f->member_text = value;
			break;
		case F_YEAR:
			if (strlen(value) != 4 || strspn(value, "0123456789") != 4) {
				say(k, _("--year \"%s\" is not a year (YYYY)"), value);
				return HEARTH_EINVAL;
			}
			f->year = atoi(value);
			f->has_year = 1;
			break;
		case F_STATUS:
			f->status_fd = named(k, "status", PROTOBUF_C_TYPE_ENUM);
			rc = take_enum(k, opt, "status", f->status_fd, value, &f->status);
			f->has_status = 1;
			break;
		case F_TYPE:
			f->type_fd = filter_type_field(k);
			rc = take_enum(k, opt, "type", f->type_fd, value, &f->type);
			f->has_type = 1;
			break;
		case F_FROM:
			rc = take_date(k, opt, value, &f->from);
			f->has_from = 1;
			break;
		case F_TO:
			rc = take_date(k, opt, value, &f->to);
			f->has_to = 1;
			break;
		}
		if (rc != 0)
			return rc;
	}
	argv[out] = NULL;
	*argc = out;
	if (f->has_year) {
		f->year_fd = named(k, "year", PROTOBUF_C_TYPE_INT32);
		if (!f->year_fd)
			f->date_fd = filter_main_date(k);
		if (!f->year_fd && !f->date_fd) {
			say(k, _("--year: %s records have no date or year field"), k->name);
			return HEARTH_EINVAL;
		}
	}
	if (f->has_from || f->has_to) {
		f->date_fd = filter_main_date(k);
		if (!f->date_fd) {
			say(k, _("%s: %s records have no date field"), f->has_from ? "--from" : "--to", k->name);
			return HEARTH_EINVAL;
		}
		if (f->has_from && f->has_to && f->from > f->to) {
			char a[11], b[11];
			date_format(f->from, a);
			date_format(f->to, b);
			say(k, _("--from %s is after --to %s; the range is empty"), a, b);
			return HEARTH_EINVAL;
		}
	}
	return 0;
}

/* ------------------------------------------------------ member lookup */

struct by_name {
	const char *name;
	uint8_t id[16];
	size_t hits;
};

static int name_fn(void *ctx, const Hearth__Record *rec)
{
	struct by_name *b = ctx;

	if (rec->body_case != HEARTH__RECORD__BODY_MEMBER || !rec->member->name ||
	    strcmp(rec->member->name, b->name) != 0 || rec->id.len != UUID_LEN)
		return 0;
	if (b->hits++ == 0)
		memcpy(b->id, rec->id.data, UUID_LEN);
	return 0;
}

/* Hex digits and dashes only: text that may be an id or its prefix. */
static int looks_like_id(const char *s)
{
	size_t hex = 0;

	for (; *s; s++) {
		if ((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f') || (*s >= 'A' && *s <= 'F'))
			hex++;
		else if (*s != '-')
			return 0;
	}
	return hex >= 4;
}

int filter_resolve_member(replica *r, const char *text, uint8_t id[16], char *err, size_t cap)
{
	Hearth__Record *rec = NULL;
	char e[256] = "";
	int rc = HEARTH_ENOTFOUND;

	err[0] = '\0';
	if (looks_like_id(text)) {
		rc = replica_resolve_id(r, text, id, e, sizeof(e));
		if (rc == HEARTH_EINVAL) {
			snprintf(err, cap, "%s", e[0] ? e : _("the id prefix is ambiguous"));
			return rc;
		}
		if (rc != 0 && rc != HEARTH_ENOTFOUND) {
			snprintf(err, cap, _("cannot read the local replica: %s"), _(hearth_strerror(rc)));
			return rc;
		}
	}
	if (rc == HEARTH_ENOTFOUND) {
		struct by_name b = { text, { 0 }, 0 };

		rc = replica_each(r, HEARTH__KIND__KIND_MEMBER, 0, name_fn, &b);
		if (rc != 0) {
			snprintf(err, cap, _("cannot read the local replica: %s"), _(hearth_strerror(rc)));
			return rc;
		}
		if (b.hits == 0 && strstr(text, " (\xe2\x80\xa6")) {
			/* A shared name as a listing prints it, with its id's tail. */
			rc = member_lookup_record(r, text, id, e, sizeof(e));
			if (rc == 0)
				goto found;
			snprintf(err, cap, "%s", e);
			return rc;
		}
		if (b.hits > 1)   /* listed with birth and join dates to choose from */
			return member_find_live_by_name(r, text, id, err, cap);
		if (b.hits == 0) {
			snprintf(err, cap, _("no member matches \"%s\" (give an id, a unique id prefix or a name)"),
			         text);
			return HEARTH_ENOTFOUND;
		}
		memcpy(id, b.id, UUID_LEN);
		return 0;
	}
found:
	rc = replica_get(r, id, &rec);
	if (rc != 0) {
		snprintf(err, cap, _("no member matches \"%s\""), text);
		return HEARTH_ENOTFOUND;
	}
	if (rec->kind != HEARTH__KIND__KIND_MEMBER || rec->deleted) {
		const kind_info *other = kind_find(rec->kind);
		if (rec->deleted)
			snprintf(err, cap, _("member \"%s\" has been deleted"), text);
		else
			snprintf(err, cap, "\"%s\" is a %s record, not a member", text,
			         other ? other->name : "different");
		rc = HEARTH_EINVAL;
	}
	hearth__record__free_unpacked(rec, NULL);
	return rc;
}

int filter_prepare(list_filter *f, replica *r)
{
	char err[400];

	if (!f->member_text)
		return 0;
	if (filter_resolve_member(r, f->member_text, f->member, err, sizeof(err)) == 0)
		return 0;
	say(f->k, _("--member \"%s\": %s"), f->member_text, err);
	return HEARTH_EINVAL;
}

/* ---------------------------------------------------------- matching */

static const void *at(const ProtobufCMessage *m, const ProtobufCFieldDescriptor *fd)
{
	return (const char *)m + fd->offset;
}

static size_t count_of(const ProtobufCMessage *m, const ProtobufCFieldDescriptor *fd)
{
	return *(const size_t *)((const char *)m + fd->quantifier_offset);
}

/* An enum value, single or among a list's values. */
static int has_enum(const ProtobufCMessage *m, const ProtobufCFieldDescriptor *fd, int v)
{
	if (fd->label == PROTOBUF_C_LABEL_REPEATED) {
		const int *arr = *(int *const *)at(m, fd);
		for (size_t i = 0; i < count_of(m, fd); i++) {
			if (arr[i] == v)
				return 1;
		}
		return 0;
	}
	return *(const int *)at(m, fd) == v;
}

static int has_id(const ProtobufCMessage *m, const ProtobufCFieldDescriptor *fd,
                  const uint8_t id[16])
{
	if (fd->label == PROTOBUF_C_LABEL_REPEATED) {
		const ProtobufCBinaryData *arr = *(ProtobufCBinaryData *const *)at(m, fd);
		for (size_t i = 0; i < count_of(m, fd); i++) {
			if (arr[i].len == UUID_LEN && !memcmp(arr[i].data, id, UUID_LEN))
				return 1;
		}
		return 0;
	}
	const ProtobufCBinaryData *b = at(m, fd);
	return b->len == UUID_LEN && !memcmp(b->data, id, UUID_LEN);
}

/* The days a date or month field covers: [*lo, *hi]. 0 when it is empty or
 * not a date. */
static int span_of(const ProtobufCMessage *m, const ProtobufCFieldDescriptor *fd, int32_t *lo,
                   int32_t *hi)
{
	const char *s = *(char *const *)at(m, fd);
	char first[32];
	int32_t mi;

	if (!s || !*s)
		return 0;
	if (date_parse(s, lo) == 0) {
		*hi = *lo;
		return 1;
	}
	if (date_parse_month(s, &mi) != 0)
		return 0;
	snprintf(first, sizeof(first), "%.7s-01", s);
	if (date_parse(first, lo) != 0)
		return 0;
	mi++;
	snprintf(first, sizeof(first), "%04d-%02d-01", (int)(mi / 12), (int)(mi % 12 + 1));
	if (date_parse(first, hi) != 0)
		return 0;
	(*hi)--;
	return 1;
}

int filter_match(const list_filter *f, const Hearth__Record *rec)
{
	const ProtobufCMessage *body;
	int32_t lo, hi;

	if (!f->member_text && !f->has_year && !f->has_status && !f->has_type && !f->has_from &&
	    !f->has_to)
		return 1;
	body = record_body(rec);
	if (!body || body->descriptor != f->k->desc)
		return 0;
	if (f->member_text && !has_id(body, f->member_fd, f->member))
		return 0;
	if (f->has_status && !has_enum(body, f->status_fd, f->status))
		return 0;
	if (f->has_type && !has_enum(body, f->type_fd, f->type))
		return 0;
	if (f->has_year && f->year_fd && *(const int32_t *)at(body, f->year_fd) != f->year)
		return 0;
	if ((f->has_year && !f->year_fd) || f->has_from || f->has_to) {
		if (!span_of(body, f->date_fd, &lo, &hi))
			return 0;
		if (f->has_from && hi < f->from)
			return 0;
		if (f->has_to && lo > f->to)
			return 0;
		/* --year on a date is a range too: the date (or any day of
		 * the month) falls in that calendar year. */
		if (f->has_year && !f->year_fd) {
			char a[32], b[32];
			int32_t ylo, yhi;

			snprintf(a, sizeof(a), "%04d-01-01", f->year);
			snprintf(b, sizeof(b), "%04d-12-31", f->year);
			if (date_parse(a, &ylo) != 0 || date_parse(b, &yhi) != 0 || hi < ylo || lo > yhi)
				return 0;
		}
	}
	return 1;
}

void filter_help(const kind_info *k, FILE *out)
{
	const ProtobufCFieldDescriptor *m = member_field(k), *s = named(k, "status", PROTOBUF_C_TYPE_ENUM),
	                               *t = filter_type_field(k), *y = named(k, "year", PROTOBUF_C_TYPE_INT32),
	                               *d = filter_main_date(k);
	char list[600];

	fputs(_("filters (all given must hold):\n"), out);
	if (m)
		fprintf(out, _("  --member ID|NAME  records that refer to this member (field %s)\n"), m->name);
	if (y || d)
		fprintf(out, _("  --year YYYY       %s in that year\n"), y ? "year" : d->name);
	if (s) {
		choices(s->descriptor, list, sizeof(list));
		fprintf(out, _("  --status S        status is S: %s\n"), list);
	}
	if (t) {
		choices(t->descriptor, list, sizeof(list));
		fprintf(out, _("  --type T          %s is T: %s\n"), t->name, list);
	}
	if (d)
		fprintf(out, _("  --from DATE, --to DATE  %s within the range (inclusive)\n"), d->name);
}
