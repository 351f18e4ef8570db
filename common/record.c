/* record.c: the kind table (body message, field rules, labels, cross-field checks) and the generic validation, masking and enum naming built on it. */
#include "record.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "date.h"
#include "fieldmap.h"
#include "hearth.h"
#include "utf8.h"

/* ------------------------------------------------------------ the table */

/* Field rules of a member (党员).  Field-specific formats that the generic
 * flags cannot express (the id-card check digit, the phone alphabet) are
 * in member_check. */
static const field_rule member_rules[] = {
	{ 1, FIELD_REQUIRED, 64, "姓名" },
	{ 2, 0, 0, "性别" },
	{ 3, 0, 32, "民族" },
	{ 4, FIELD_DATE, 0, "出生日期" },
	{ 5, FIELD_SENSITIVE, 18, "身份证号" },
	{ 6, 0, 32, "学历" },
	{ 7, 0, 0, "类别" },
	{ 8, FIELD_DATE, 0, "入党日期" },
	{ 9, FIELD_DATE, 0, "转正日期" },
	{ 10, 0, 0, "党籍状态" },
	{ 11, 0, 0, "流动党员" },
	{ 12, 0, 0, "失联党员" },
	{ 13, 0, 200, "流向" },
	{ 14, FIELD_SENSITIVE, 20, "联系电话" },
	{ 15, 0, 200, "地址" },
	{ 16, 0, 8, "关怀标签" },
	{ 17, FIELD_MULTILINE, 2000, "备注" },
};

static int member_check(const ProtobufCMessage *body, record_error *err);

/* One entry per kind.  Adding a kind is: its message in Record.body, one
 * entry here, its rules array and, when it has cross-field rules, a check
 * function.  Nothing else in hearth needs to learn about it. */
static const kind_info kinds[] = {
	{ HEARTH__KIND__KIND_MEMBER, "member", "党员", HEARTH__RECORD__BODY_MEMBER,
	  &hearth__member__descriptor, member_rules, HEARTH_ARRAY_LEN(member_rules),
	  member_check, "name,gender,category,join_date,standing,phone" },
};

const kind_info *kind_find(Hearth__Kind kind)
{
	for (size_t i = 0; i < HEARTH_ARRAY_LEN(kinds); i++) {
		if (kinds[i].kind == kind)
			return &kinds[i];
	}
	return NULL;
}

/* The CLI word in any case, or the Chinese label. */
const kind_info *kind_by_name(const char *name)
{
	if (name == NULL)
		return NULL;
	for (size_t i = 0; i < HEARTH_ARRAY_LEN(kinds); i++) {
		if (strcasecmp(kinds[i].name, name) == 0 || strcmp(kinds[i].label, name) == 0)
			return &kinds[i];
	}
	return NULL;
}

const kind_info *kind_by_record_field(uint32_t record_field)
{
	for (size_t i = 0; i < HEARTH_ARRAY_LEN(kinds); i++) {
		if (kinds[i].record_field == record_field)
			return &kinds[i];
	}
	return NULL;
}

size_t kind_count(void)
{
	return HEARTH_ARRAY_LEN(kinds);
}

const kind_info *kind_at(size_t i)
{
	return i < HEARTH_ARRAY_LEN(kinds) ? &kinds[i] : NULL;
}

const field_rule *kind_rule(const kind_info *k, uint32_t number)
{
	if (k == NULL)
		return NULL;
	for (size_t i = 0; i < k->n_rules; i++) {
		if (k->rules[i].number == number)
			return &k->rules[i];
	}
	return NULL;
}

/* --------------------------------------------------------- enum labels */

/* (enum, value) -> the label people read.  Generic so a new kind's enums
 * are one line each; an enum without entries falls back to its names. */
struct enum_text {
	const ProtobufCEnumDescriptor *d;
	int value;
	const char *text;
};

static const struct enum_text enum_labels[] = {
	{ &hearth__gender__descriptor, HEARTH__GENDER__GENDER_MALE, "男" },
	{ &hearth__gender__descriptor, HEARTH__GENDER__GENDER_FEMALE, "女" },
	{ &hearth__member_category__descriptor, HEARTH__MEMBER_CATEGORY__CATEGORY_FULL, "正式党员" },
	{ &hearth__member_category__descriptor, HEARTH__MEMBER_CATEGORY__CATEGORY_PROBATIONARY,
	  "预备党员" },
	{ &hearth__standing__descriptor, HEARTH__STANDING__STANDING_NORMAL, "正常" },
	{ &hearth__standing__descriptor, HEARTH__STANDING__STANDING_SUSPENDED, "停止党籍" },
	{ &hearth__standing__descriptor, HEARTH__STANDING__STANDING_DECEASED, "去世" },
	{ &hearth__standing__descriptor, HEARTH__STANDING__STANDING_LEFT, "出党" },
	{ &hearth__care_tag__descriptor, HEARTH__CARE_TAG__CARE_ELDERLY, "高龄" },
	{ &hearth__care_tag__descriptor, HEARTH__CARE_TAG__CARE_LIVES_ALONE, "独居" },
	{ &hearth__care_tag__descriptor, HEARTH__CARE_TAG__CARE_ILL, "患病" },
	{ &hearth__care_tag__descriptor, HEARTH__CARE_TAG__CARE_DISABLED, "残疾" },
	{ &hearth__kind__descriptor, HEARTH__KIND__KIND_MEMBER, "党员" },
	{ &hearth__kind__descriptor, HEARTH__KIND__KIND_HARDSHIP, "困难党员" },
	{ &hearth__kind__descriptor, HEARTH__KIND__KIND_VISIT, "走访慰问" },
	{ &hearth__kind__descriptor, HEARTH__KIND__KIND_TALK, "谈心谈话" },
	{ &hearth__kind__descriptor, HEARTH__KIND__KIND_PAIRING, "结对帮扶" },
	{ &hearth__kind__descriptor, HEARTH__KIND__KIND_HONOR, "表彰激励" },
	{ &hearth__kind__descriptor, HEARTH__KIND__KIND_ACTIVITY, "主题活动" },
	{ &hearth__kind__descriptor, HEARTH__KIND__KIND_DISCLOSURE, "党务公开" },
	{ &hearth__kind__descriptor, HEARTH__KIND__KIND_DUES, "党费" },
	{ &hearth__kind__descriptor, HEARTH__KIND__KIND_TRANSFER, "组织关系转接" },
};

/* Other words people write for a value; accepted by enum_parse only. */
static const struct enum_text enum_aliases[] = {
	{ &hearth__member_category__descriptor, HEARTH__MEMBER_CATEGORY__CATEGORY_FULL, "正式" },
	{ &hearth__member_category__descriptor, HEARTH__MEMBER_CATEGORY__CATEGORY_PROBATIONARY,
	  "预备" },
	{ &hearth__standing__descriptor, HEARTH__STANDING__STANDING_LEFT, "退党" },
	{ &hearth__kind__descriptor, HEARTH__KIND__KIND_HARDSHIP, "困难党员台账" },
	{ &hearth__kind__descriptor, HEARTH__KIND__KIND_HONOR, "表彰" },
};

/* Length of the prefix all value names share, up to and including its last
 * underscore: "GENDER_" for GENDER_MALE/GENDER_FEMALE, "CARE_" for the
 * care tags.  Derived from the descriptor so new enums need no table. */
static size_t name_prefix_len(const ProtobufCEnumDescriptor *d)
{
	size_t lcp, cut = 0;

	if (d->n_values == 0)
		return 0;
	lcp = strlen(d->values[0].name);
	for (unsigned i = 1; i < d->n_values; i++) {
		size_t j = 0;

		while (j < lcp && d->values[i].name[j] == d->values[0].name[j])
			j++;
		lcp = j;
	}
	for (size_t j = 0; j < lcp; j++) {
		if (d->values[0].name[j] == '_')
			cut = j + 1;
	}
	return cut;
}

/* The zero value named *_UNSPECIFIED means "not set"; it is reached only
 * by clearing (""), never by naming it. */
static int is_unspecified(const ProtobufCEnumValue *v)
{
	size_t n = strlen(v->name);

	return v->value == 0 && n >= 11 && strcmp(v->name + n - 11, "UNSPECIFIED") == 0;
}

/* Compares a short name ("LIVES_ALONE") with what was typed ("lives-alone"):
 * case-insensitive, '-' and '_' the same. */
static int short_name_eq(const char *name, const char *text)
{
	for (; *name != '\0' && *text != '\0'; name++, text++) {
		char a = *name, b = *text;

		if (a >= 'A' && a <= 'Z')
			a = (char)(a - 'A' + 'a');
		if (b >= 'A' && b <= 'Z')
			b = (char)(b - 'A' + 'a');
		if (b == '-')
			b = '_';
		if (a != b)
			return 0;
	}
	return *name == '\0' && *text == '\0';
}

/* Tries, in order: "" (clear), a decimal number, the Chinese label, an
 * alias, the full value name, the short name.  A number must be a value the
 * enum knows, so a typo cannot store an unknown value. */
int enum_parse(const ProtobufCEnumDescriptor *d, const char *text, int *value)
{
	size_t prefix;

	if (d == NULL || text == NULL)
		return HEARTH_EINVAL;
	if (text[0] == '\0') {
		*value = 0;
		return 0;
	}
	if ((text[0] >= '0' && text[0] <= '9') || (text[0] == '-' && text[1] != '\0')) {
		char *end;
		long v = strtol(text, &end, 10);
		const ProtobufCEnumValue *ev;

		if (*end != '\0' || v < -2147483647L || v > 2147483647L)
			return HEARTH_EINVAL;
		ev = protobuf_c_enum_descriptor_get_value(d, (int)v);
		if (ev == NULL || is_unspecified(ev))
			return HEARTH_EINVAL;
		*value = ev->value;
		return 0;
	}
	for (size_t i = 0; i < HEARTH_ARRAY_LEN(enum_labels); i++) {
		if (enum_labels[i].d == d && strcmp(enum_labels[i].text, text) == 0) {
			*value = enum_labels[i].value;
			return 0;
		}
	}
	for (size_t i = 0; i < HEARTH_ARRAY_LEN(enum_aliases); i++) {
		if (enum_aliases[i].d == d && strcmp(enum_aliases[i].text, text) == 0) {
			*value = enum_aliases[i].value;
			return 0;
		}
	}
	prefix = name_prefix_len(d);
	for (unsigned i = 0; i < d->n_values; i++) {
		const ProtobufCEnumValue *ev = &d->values[i];

		if (is_unspecified(ev))
			continue;
		if (strcasecmp(ev->name, text) == 0 || short_name_eq(ev->name + prefix, text)) {
			*value = ev->value;
			return 0;
		}
	}
	return HEARTH_EINVAL;
}

/* The fallback is the value name without its prefix as the descriptor
 * spells it ("ADMIN"): upper-case, because a static string cannot be
 * lower-cased in place.  Use enum_short_name for the lower-case word. */
const char *enum_label(const ProtobufCEnumDescriptor *d, int value)
{
	const ProtobufCEnumValue *ev;

	if (d == NULL)
		return "?";
	for (size_t i = 0; i < HEARTH_ARRAY_LEN(enum_labels); i++) {
		if (enum_labels[i].d == d && enum_labels[i].value == value)
			return enum_labels[i].text;
	}
	ev = protobuf_c_enum_descriptor_get_value(d, value);
	if (ev == NULL)
		return "?";
	return ev->name + name_prefix_len(d);
}

/* An unknown value (proto3 keeps them) is written as its number, so a
 * listing still shows what is stored. */
void enum_short_name(const ProtobufCEnumDescriptor *d, int value, char *out, size_t cap)
{
	const ProtobufCEnumValue *ev;
	const char *s;
	size_t i;

	if (cap == 0)
		return;
	ev = d != NULL ? protobuf_c_enum_descriptor_get_value(d, value) : NULL;
	if (ev == NULL) {
		snprintf(out, cap, "%d", value);
		return;
	}
	s = ev->name + name_prefix_len(d);
	for (i = 0; s[i] != '\0' && i + 1 < cap; i++)
		out[i] = (s[i] >= 'A' && s[i] <= 'Z') ? (char)(s[i] - 'A' + 'a') : s[i];
	out[i] = '\0';
}

/* ------------------------------------------------------------- bodies */

/* The Record field that carries kind k's body, checked to be a message in
 * the body oneof so the pointer arithmetic below is sound. */
static const ProtobufCFieldDescriptor *body_field(uint32_t number)
{
	const ProtobufCFieldDescriptor *fd =
		protobuf_c_message_descriptor_get_field(&hearth__record__descriptor, number);

	if (fd == NULL || fd->type != PROTOBUF_C_TYPE_MESSAGE ||
	    (fd->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) == 0)
		return NULL;
	return fd;
}

const ProtobufCMessage *record_body(const Hearth__Record *r)
{
	const ProtobufCFieldDescriptor *fd;

	if (r == NULL || r->body_case == HEARTH__RECORD__BODY__NOT_SET)
		return NULL;
	fd = body_field((uint32_t)r->body_case);
	if (fd == NULL)
		return NULL;
	return *(ProtobufCMessage *const *)((const char *)r + fd->offset);
}

/* Refuses a body whose oneof case names a different kind than r->kind:
 * the kind decides which rules ran, so the two must agree. */
int record_pack_body(const Hearth__Record *r, uint8_t **out, size_t *len)
{
	const ProtobufCMessage *body = record_body(r);
	const kind_info *k;
	size_t size;
	uint8_t *buf;

	*out = NULL;
	*len = 0;
	if (body == NULL)
		return HEARTH_EINVAL;
	k = kind_by_record_field((uint32_t)r->body_case);
	if (k == NULL || k->kind != r->kind || body->descriptor != k->desc)
		return HEARTH_EINVAL;
	size = protobuf_c_message_get_packed_size(body);
	if (size == 0)
		return 0;
	buf = malloc(size);
	if (buf == NULL)
		return HEARTH_ENOMEM;
	if (protobuf_c_message_pack(body, buf) != size) {
		free(buf);
		return HEARTH_EINVAL;
	}
	*out = buf;
	*len = size;
	return 0;
}

/* protobuf-c reports every unpack failure as NULL; this allocator, which
 * forwards to malloc/free (protobuf-c's default, so the message may later
 * be freed with a NULL allocator), remembers whether memory ran out, so
 * "out of memory" is not reported as "bad bytes".  The same idea as in
 * envelope.c. */
struct alloc_probe {
	int failed;
};

static void *probe_alloc(void *data, size_t size)
{
	void *p = malloc(size);

	if (p == NULL)
		((struct alloc_probe *)data)->failed = 1;
	return p;
}

static void probe_free(void *data, void *ptr)
{
	(void)data;
	free(ptr);
}

/* Frees a body unpacked by unpack_body (or by protobuf-c with its default
 * allocator: both end in free()).  Going through probe_free keeps every
 * allocation and release of a body in this file on the same pair. */
static void free_body(ProtobufCMessage *m)
{
	struct alloc_probe probe = { 0 };
	ProtobufCAllocator a = { probe_alloc, probe_free, &probe };

	if (m != NULL)
		protobuf_c_message_free_unpacked(m, &a);
}

/* An unknown field numbered 0 (a padded tag protobuf-c lets through) could
 * never be packed again; see envelope.c. */
static int has_unknown_zero(const ProtobufCMessage *m)
{
	for (unsigned i = 0; i < m->n_unknown_fields; i++) {
		if (m->unknown_fields[i].tag == 0)
			return 1;
	}
	return 0;
}

static int unpack_body(const kind_info *k, const uint8_t *buf, size_t len, ProtobufCMessage **out)
{
	struct alloc_probe probe = { 0 };
	ProtobufCAllocator a = { probe_alloc, probe_free, &probe };
	ProtobufCMessage *m;

	*out = NULL;
	m = protobuf_c_message_unpack(k->desc, &a, len, len ? buf : (const uint8_t *)"");
	if (m == NULL)
		return probe.failed ? HEARTH_ENOMEM : HEARTH_EINVAL;
	if (has_unknown_zero(m)) {
		free_body(m);
		return HEARTH_EINVAL;
	}
	*out = m;
	return 0;
}

/* The new body is unpacked before the old one is released, so on any error
 * r is left exactly as it was. */
int record_set_body(Hearth__Record *r, const kind_info *k, const uint8_t *buf, size_t len)
{
	const ProtobufCFieldDescriptor *fd;
	ProtobufCMessage *m;
	int rc;

	if (r == NULL || k == NULL || (buf == NULL && len != 0))
		return HEARTH_EINVAL;
	fd = body_field(k->record_field);
	if (fd == NULL || fd->descriptor != k->desc)
		return HEARTH_EINVAL;
	if ((rc = unpack_body(k, buf, len, &m)) != 0)
		return rc;
	record_clear_body(r);
	*(ProtobufCMessage **)((char *)r + fd->offset) = m;
	*(uint32_t *)((char *)r + fd->quantifier_offset) = k->record_field;
	r->kind = k->kind;
	return 0;
}

void record_clear_body(Hearth__Record *r)
{
	const ProtobufCFieldDescriptor *fd;

	if (r == NULL || r->body_case == HEARTH__RECORD__BODY__NOT_SET)
		return;
	fd = body_field((uint32_t)r->body_case);
	if (fd != NULL) {
		ProtobufCMessage **slot = (ProtobufCMessage **)((char *)r + fd->offset);

		free_body(*slot);
		*slot = NULL;
	}
	r->body_case = HEARTH__RECORD__BODY__NOT_SET;
}

/* ---------------------------------------------------------- validation */

/* Fills err (when given) and returns HEARTH_EINVAL, so every refusal is
 * one line at its call site. */
static int refuse(record_error *err, const char *field, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int refuse(record_error *err, const char *field, const char *fmt, ...)
{
	va_list ap;

	if (err != NULL) {
		snprintf(err->field, sizeof(err->field), "%s", field);
		va_start(ap, fmt);
		vsnprintf(err->message, sizeof(err->message), fmt, ap);
		va_end(ap);
	}
	return HEARTH_EINVAL;
}

/* Values are echoed in messages only when short and already known to be
 * printable text, so a message never carries a cut character or a long
 * blob; sensitive fields are never echoed by any rule. */
static const char *echo(const char *s, uint32_t flags)
{
	if (flags & FIELD_SENSITIVE)
		return "(hidden)";
	return strlen(s) <= 32 ? s : "(value)";
}

#define MAX_DEPTH 8

static int check_fields(const ProtobufCMessageDescriptor *desc, const ProtobufCMessage *m,
                        const kind_info *k, int depth, record_error *err);

/* A string: well-formed UTF-8, no control characters outside multi-line
 * text, within its byte limit, then the date and month formats. */
static int check_string(const ProtobufCFieldDescriptor *fd, const field_rule *rule,
                        const char *s, record_error *err)
{
	uint32_t flags = rule ? rule->flags : 0;
	size_t len = strlen(s), max;

	if (utf8_chars(s, len) < 0)
		return refuse(err, fd->name, "%s is not valid UTF-8", fd->name);
	if (!utf8_valid(s, len))
		return refuse(err, fd->name, "%s contains a control character", fd->name);
	if ((flags & FIELD_MULTILINE) == 0 && strpbrk(s, "\t\r\n") != NULL)
		return refuse(err, fd->name,
		              "%s contains a line break or tab (only multi-line text may)", fd->name);
	max = rule && rule->max ? rule->max
	                        : (flags & FIELD_MULTILINE ? RECORD_TEXT_MAX
	                                                   : RECORD_STRING_MAX_DEFAULT);
	if (len > max)
		return refuse(err, fd->name, "%s is longer than %zu bytes (%zu)", fd->name, max, len);
	if (len > 0 && (flags & FIELD_DATE)) {
		int32_t days;

		if (date_parse(s, &days) != 0)
			return refuse(err, fd->name, "%s %s is not a date that exists (YYYY-MM-DD)",
			              fd->name, echo(s, flags));
	}
	if (len > 0 && (flags & FIELD_MONTH)) {
		int32_t month;

		if (date_parse_month(s, &month) != 0)
			return refuse(err, fd->name, "%s %s is not a month (YYYY-MM)", fd->name,
			              echo(s, flags));
	}
	return 0;
}

/* One value of a field (an element, for repeated fields) at p. */
static int check_value(const ProtobufCFieldDescriptor *fd, const field_rule *rule, const void *p,
                       int depth, record_error *err)
{
	uint32_t flags = rule ? rule->flags : 0;
	int64_t money = 0;

	switch (fd->type) {
	case PROTOBUF_C_TYPE_STRING: {
		const char *s = *(const char *const *)p;

		return check_string(fd, rule, s ? s : "", err);
	}
	case PROTOBUF_C_TYPE_BYTES: {
		const ProtobufCBinaryData *b = p;
		size_t max = rule && rule->max ? rule->max : RECORD_TEXT_MAX;

		if ((flags & FIELD_ID) && b->len != 0 && b->len != 16)
			return refuse(err, fd->name, "%s must be a 16-byte record id (got %zu bytes)",
			              fd->name, b->len);
		if (b->len > max)
			return refuse(err, fd->name, "%s is longer than %zu bytes (%zu)", fd->name, max,
			              b->len);
		return 0;
	}
	case PROTOBUF_C_TYPE_ENUM: {
		int v = *(const int *)p;

		if (protobuf_c_enum_descriptor_get_value(fd->descriptor, v) == NULL)
			return refuse(err, fd->name, "%s: %d is not a known value", fd->name, v);
		return 0;
	}
	case PROTOBUF_C_TYPE_MESSAGE: {
		const ProtobufCMessage *sub = *(const ProtobufCMessage *const *)p;

		if (sub == NULL)
			return 0;
		if (depth >= MAX_DEPTH)
			return refuse(err, fd->name, "%s is nested too deeply", fd->name);
		return check_fields(fd->descriptor, sub, NULL, depth + 1, err);
	}
	case PROTOBUF_C_TYPE_INT32:
	case PROTOBUF_C_TYPE_SINT32:
	case PROTOBUF_C_TYPE_SFIXED32:
		money = *(const int32_t *)p;
		break;
	case PROTOBUF_C_TYPE_INT64:
	case PROTOBUF_C_TYPE_SINT64:
	case PROTOBUF_C_TYPE_SFIXED64:
		money = *(const int64_t *)p;
		break;
	default:
		return 0;
	}
	if ((flags & FIELD_MONEY) && money < 0)
		return refuse(err, fd->name, "%s is negative (%lld fen); money must be 0 or more",
		              fd->name, (long long)money);
	return 0;
}

static size_t elem_size(ProtobufCType t)
{
	switch (t) {
	case PROTOBUF_C_TYPE_INT32:
	case PROTOBUF_C_TYPE_SINT32:
	case PROTOBUF_C_TYPE_SFIXED32:
	case PROTOBUF_C_TYPE_UINT32:
	case PROTOBUF_C_TYPE_FIXED32:
	case PROTOBUF_C_TYPE_FLOAT:
	case PROTOBUF_C_TYPE_ENUM:
		return 4;
	case PROTOBUF_C_TYPE_INT64:
	case PROTOBUF_C_TYPE_SINT64:
	case PROTOBUF_C_TYPE_SFIXED64:
	case PROTOBUF_C_TYPE_UINT64:
	case PROTOBUF_C_TYPE_FIXED64:
	case PROTOBUF_C_TYPE_DOUBLE:
		return 8;
	case PROTOBUF_C_TYPE_BOOL:
		return sizeof(protobuf_c_boolean);
	case PROTOBUF_C_TYPE_STRING:
		return sizeof(char *);
	case PROTOBUF_C_TYPE_BYTES:
		return sizeof(ProtobufCBinaryData);
	case PROTOBUF_C_TYPE_MESSAGE:
		return sizeof(ProtobufCMessage *);
	}
	return 0;
}

/* Whether a singular field holds a value: for proto3 that is "not the
 * default"; for explicit presence (proto3 optional, oneof members) it is
 * the has-flag or the oneof case. */
static int is_set(const ProtobufCFieldDescriptor *fd, const ProtobufCMessage *m, const void *p)
{
	const char *base = (const char *)m;

	if (fd->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) {
		if (*(const uint32_t *)(base + fd->quantifier_offset) != fd->id)
			return 0;
	} else if (fd->label == PROTOBUF_C_LABEL_OPTIONAL && fd->type != PROTOBUF_C_TYPE_STRING &&
	           fd->type != PROTOBUF_C_TYPE_MESSAGE) {
		if (!*(const protobuf_c_boolean *)(base + fd->quantifier_offset))
			return 0;
	}
	switch (fd->type) {
	case PROTOBUF_C_TYPE_STRING: {
		const char *s = *(const char *const *)p;

		return s != NULL && s[0] != '\0';
	}
	case PROTOBUF_C_TYPE_BYTES:
		return ((const ProtobufCBinaryData *)p)->len != 0;
	case PROTOBUF_C_TYPE_MESSAGE:
		return *(const ProtobufCMessage *const *)p != NULL;
	default: {
		static const uint8_t zero[8];
		size_t n = elem_size(fd->type);

		return memcmp(p, zero, n) != 0;
	}
	}
}

/* Walks the message by its descriptor, so every kind gets the same checks
 * from its rules alone.  Nested messages get the defaults (rules name only
 * the body's own fields). */
static int check_fields(const ProtobufCMessageDescriptor *desc, const ProtobufCMessage *m,
                        const kind_info *k, int depth, record_error *err)
{
	const char *base = (const char *)m;
	int rc;

	for (unsigned i = 0; i < desc->n_fields; i++) {
		const ProtobufCFieldDescriptor *fd = &desc->fields[i];
		const field_rule *rule = kind_rule(k, fd->id);
		const void *p = base + fd->offset;

		if (fd->label == PROTOBUF_C_LABEL_REPEATED) {
			size_t count = *(const size_t *)(base + fd->quantifier_offset);
			size_t max = rule && rule->max ? rule->max : RECORD_REPEATED_MAX_DEFAULT;
			const char *elems = *(const char *const *)p;
			size_t sz = elem_size(fd->type);

			if (rule && (rule->flags & FIELD_REQUIRED) && count == 0)
				return refuse(err, fd->name, "%s is required", fd->name);
			if (count > max)
				return refuse(err, fd->name, "%s has more than %zu values (%zu)", fd->name,
				              max, count);
			for (size_t j = 0; j < count; j++) {
				if ((rc = check_value(fd, rule, elems + j * sz, depth, err)) != 0)
					return rc;
			}
			continue;
		}
		/* An unset field holds its default, which passes every check.  An
		 * unknown non-zero enum value is "set" and is refused below. */
		if (!is_set(fd, m, p)) {
			if (rule && (rule->flags & FIELD_REQUIRED))
				return refuse(err, fd->name, "%s is required", fd->name);
			continue;
		}
		if ((rc = check_value(fd, rule, p, depth, err)) != 0)
			return rc;
	}
	return 0;
}

int record_validate_message(const kind_info *k, const ProtobufCMessage *body, record_error *err)
{
	int rc;

	if (k == NULL || body == NULL || body->descriptor != k->desc)
		return refuse(err, "", "the body is not a %s (%s)", k ? k->label : "?",
		              k ? k->name : "unknown kind");
	if ((rc = check_fields(k->desc, body, k, 0, err)) != 0)
		return rc;
	if (k->check != NULL)
		return k->check(body, err);
	return 0;
}

/* Reads a varint from a body fieldmap_parse has already accepted. */
static uint64_t wire_varint(const uint8_t *b, size_t *pos)
{
	uint64_t v = 0;

	for (int shift = 0; shift < 70; shift += 7) {
		uint8_t c = b[(*pos)++];

		v |= (uint64_t)(c & 0x7f) << shift;
		if ((c & 0x80) == 0)
			break;
	}
	return v;
}

/* protobuf-c copies a string's bytes and stops reading it at the first NUL,
 * so "ab\0cd" would validate as "ab" while the raw body, which merge and
 * the store keep, still holds the NUL.  The raw occurrences of every string
 * field are therefore checked here.  Only called after the body unpacked,
 * which proves each string field used the length-delimited wire type. */
static int raw_strings_clean(const kind_info *k, const fieldmap *fm, record_error *err)
{
	for (size_t i = 0; i < fm->n; i++) {
		const ProtobufCFieldDescriptor *fd =
			protobuf_c_message_descriptor_get_field(k->desc, fm->f[i].number);
		const uint8_t *b = fm->f[i].bytes;
		size_t pos = 0;

		if (fd == NULL || fd->type != PROTOBUF_C_TYPE_STRING)
			continue;
		while (pos < fm->f[i].len) {
			size_t n;

			(void)wire_varint(b, &pos);
			n = (size_t)wire_varint(b, &pos);
			if (memchr(b + pos, 0, n) != NULL)
				return refuse(err, fd->name, "%s contains a NUL character", fd->name);
			pos += n;
		}
	}
	return 0;
}

/* The wire checks come first and reuse fieldmap_parse, so that a body
 * accepted here is always one the merge can take apart (same bounds:
 * no groups, field numbers 1..2^29-1, at most FIELDMAP_MAX_FIELDS fields). */
int record_validate_body(const kind_info *k, const uint8_t *body, size_t len, record_error *err)
{
	fieldmap fm = FIELDMAP_INIT;
	ProtobufCMessage *m = NULL;
	int rc;

	if (k == NULL)
		return refuse(err, "", "unknown record kind");
	if (body == NULL && len != 0)
		return refuse(err, "", "the %s body is missing", k->name);
	rc = fieldmap_parse(body, len, &fm);
	if (rc == HEARTH_ENOMEM)
		goto fail;
	if (rc == HEARTH_ETOOBIG) {
		rc = refuse(err, "", "the %s body has more than %d fields", k->name,
		            FIELDMAP_MAX_FIELDS);
		goto fail;
	}
	if (rc != 0) {
		rc = refuse(err, "", "the %s body is not well-formed protobuf", k->name);
		goto fail;
	}
	rc = unpack_body(k, body, len, &m);
	if (rc == HEARTH_EINVAL)
		rc = refuse(err, "", "the body does not decode as a %s (%s)", k->label, k->name);
	if (rc != 0)
		goto fail;
	if ((rc = raw_strings_clean(k, &fm, err)) != 0)
		goto fail;
	rc = record_validate_message(k, m, err);
fail:
	free_body(m);
	fieldmap_free(&fm);
	return rc;
}

/* ------------------------------------------------------- member rules */

/* GB 11643-1999: 17 digits weighted by 2^(17-i) mod 11, and a check
 * character from "10X98765432" indexed by the sum mod 11.  Returns the
 * expected check character. */
static char id_card_check_char(const char *s)
{
	static const int weight[17] = { 7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2 };
	static const char check[] = "10X98765432";
	int sum = 0;

	for (int i = 0; i < 17; i++)
		sum += (s[i] - '0') * weight[i];
	return check[sum % 11];
}

/* Never echoes the value: the id card and phone are sensitive, and error
 * messages end up in logs and on other people's screens. */
static int check_id_card(const char *s, record_error *err)
{
	size_t len = strlen(s);

	if (len == 0)
		return 0;
	if (len != 18)
		return refuse(err, "id_card",
		              "id_card must be 18 characters: 17 digits and a check digit or X (got %zu)",
		              len);
	for (int i = 0; i < 17; i++) {
		if (s[i] < '0' || s[i] > '9')
			return refuse(err, "id_card",
			              "id_card must be 17 digits followed by a digit or X (GB 11643)");
	}
	if (!((s[17] >= '0' && s[17] <= '9') || s[17] == 'X'))
		return refuse(err, "id_card",
		              "id_card must be 17 digits followed by a digit or X (GB 11643)");
	if (s[17] != id_card_check_char(s))
		return refuse(err, "id_card",
		              "id_card check digit is wrong (GB 11643); check the number for a typo");
	return 0;
}

static int check_phone(const char *s, record_error *err)
{
	for (; *s != '\0'; s++) {
		if (!((*s >= '0' && *s <= '9') || *s == '+' || *s == '-' || *s == ' '))
			return refuse(err, "phone", "phone may contain only digits, '+', '-' and spaces");
	}
	return 0;
}

/* Dates in a member's life must come in order.  Dates that do not parse
 * were refused by the field rules before this runs; if check is called on
 * its own they are simply not compared.  A destination without the mobile
 * flag is allowed (it may be kept from an earlier spell away). */
static int member_check(const ProtobufCMessage *body, record_error *err)
{
	const Hearth__Member *m = (const Hearth__Member *)body;
	int32_t birth, join, full;
	int has_birth, has_join, has_full, rc;

	if ((rc = check_id_card(m->id_card ? m->id_card : "", err)) != 0)
		return rc;
	if ((rc = check_phone(m->phone ? m->phone : "", err)) != 0)
		return rc;
	has_birth = m->birth_date && m->birth_date[0] && date_parse(m->birth_date, &birth) == 0;
	has_join = m->join_date && m->join_date[0] && date_parse(m->join_date, &join) == 0;
	has_full = m->full_member_date && m->full_member_date[0] &&
	           date_parse(m->full_member_date, &full) == 0;
	if (has_join && has_full && full < join)
		return refuse(err, "full_member_date", "full_member_date %s is before join_date %s",
		              m->full_member_date, m->join_date);
	if (has_birth && has_join && join <= birth)
		return refuse(err, "join_date", "join_date %s is not after birth_date %s",
		              m->join_date, m->birth_date);
	return 0;
}

/* -------------------------------------------------------------- masking */

/* Counts characters (not bytes), so a name like 张三丰 masks to 张*丰.
 * The shape decides the rule: an 18-character id card keeps 6 + 4, a
 * phone-like value of 7 or more characters keeps 3 + 4, anything else
 * longer than 4 keeps its first and last character, and short values are
 * all '*'.  Text that is not valid UTF-8 is all '*', one per byte. */
void record_mask(const char *value, char *out, size_t cap)
{
	const char *s = value ? value : "";
	size_t len = strlen(s), o = 0, pos = 0;
	long n = utf8_chars(s, len);
	long keep_head = 0, keep_tail = 0;
	int digits17 = 1, phone = 1;

	if (cap == 0)
		return;
	if (n < 0)
		n = (long)len;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];

		if (i < 17 && (c < '0' || c > '9'))
			digits17 = 0;
		if (!((c >= '0' && c <= '9') || c == '+' || c == '-' || c == ' '))
			phone = 0;
	}
	if (utf8_chars(s, len) >= 0) {
		if (len == 18 && digits17 && ((s[17] >= '0' && s[17] <= '9') || s[17] == 'X' ||
		                              s[17] == 'x')) {
			keep_head = 6;
			keep_tail = 4;
		} else if (phone && n >= 7) {
			keep_head = 3;
			keep_tail = 4;
		} else if (n > 4) {
			keep_head = 1;
			keep_tail = 1;
		}
	}
	for (long i = 0; i < n; i++) {
		size_t clen = 1;

		if (keep_head + keep_tail > 0) {
			unsigned char c = (unsigned char)s[pos];

			clen = c < 0x80 ? 1 : c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
		}
		if (i < keep_head || i >= n - keep_tail) {
			if (o + clen >= cap)
				break;
			memcpy(out + o, s + pos, clen);
			o += clen;
		} else {
			if (o + 1 >= cap)
				break;
			out[o++] = '*';
		}
		pos += clen;
	}
	out[o] = '\0';
}
