/* field_input.c: one field value as a person typed it (yuan, an enum word or
 * label, yes/no, a date, an id or its prefix, a comma-separated list) into a
 * record body, for every face of the client: the command line's --FIELD
 * flags and the web app's forms. */
#include "client/core/field_input.h"

#include "client/core/branch_lookup.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client/core/values.h"
#include "client/core/member_lookup.h"
#include "client/core/reasons.h"
#include "common/hearth.h"
#include "common/i18n.h"
#include "common/pbfield.h"
#include "common/uuid.h"

static uint32_t rule_flags(const field_rule *r)
{
	return r ? r->flags : 0;
}

int field_input_supported(const ProtobufCFieldDescriptor *fd, const field_rule *rule)
{
	if (fd->flags & PROTOBUF_C_FIELD_FLAG_ONEOF)
		return 0;
	if (fd->type == PROTOBUF_C_TYPE_MESSAGE)
		return 0;
	if (fd->type == PROTOBUF_C_TYPE_BYTES)
		return (rule_flags(rule) & FIELD_ID) != 0;
	return pbfield_elem_size(fd) != 0;
}

/* The choices of an enum as people may type them, for error messages and
 * help: "male (男), female (女)". The zero value means "not set" and is left
 * out: an empty value clears the field instead. */
void field_input_enum_choices(const ProtobufCEnumDescriptor *d, char *out, size_t cap)
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

/* The field as a message names it: its Chinese label in Chinese text. */
static const char *field_word(const field_input *fl)
{
	return reasons_rule_name(fl->rule, fl->fd->name);
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
static int parse_elem(const field_input *fl, const char *text, void *slot, char *why, size_t cap)
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
		char err[1200] = "";

		/* An id, a unique prefix or tail of one, or a member's name. */
		rc = member_lookup_record(fl->rep, text, id, err, sizeof(err));
		if (rc == HEARTH_ENOTFOUND && text[strspn(text, "0123456789abcdefABCDEF-")] == '\0') {
			snprintf(why, cap, _("no record matches \"%s\""), text);
			return rc;
		}
		if (rc != 0) {
			snprintf(why, cap, "%s", err[0] ? err : _(hearth_strerror(rc)));
			return rc;
		}
		return record_id_set(b, id);
	}
	case PROTOBUF_C_TYPE_ENUM: {
		char choices[512];
		int v;

		if (enum_parse(fd->descriptor, text, &v) == 0 && v != 0) {
			*(int32_t *)slot = v;
			return 0;
		}
		field_input_enum_choices(fd->descriptor, choices, sizeof(choices));
		snprintf(why, cap, _("%s \"%s\" is not one of: %s"), field_word(fl), text, choices);
		return HEARTH_EINVAL;
	}
	case PROTOBUF_C_TYPE_BOOL: {
		int v = 1;   /* a bare flag (no text) means yes */
		if (text && value_parse_bool(text, &v) != 0) {
			snprintf(why, cap, _("%s \"%s\" is not true or false (yes/no, 1/0, 是/否)"), field_word(fl),
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
			snprintf(why, cap, _("%s \"%s\" is not a number"), field_word(fl), text);
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
			snprintf(why, cap, _("%s \"%s\" %s"), field_word(fl), text, reason);
			return HEARTH_EINVAL;
		}
	} else if (rule_flags(fl->rule) & FIELD_PERCENT) {
		const char *reason;
		int32_t bp;
		if (value_percent_parse(text, &bp, &reason) != 0) {
			snprintf(why, cap, _("%s \"%s\" %s"), field_word(fl), text, reason);
			return HEARTH_EINVAL;
		}
		iv = bp;
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
			snprintf(why, cap, _("%s \"%s\" is negative; amounts are 0 or more"), field_word(fl), text);
			return HEARTH_EINVAL;
		}
		if (parse_int(text, lo, hi, &iv) != 0) {
			snprintf(why, cap, _("%s \"%s\" is not a whole number%s"), field_word(fl), text,
			         fl->fen ? _(" of fen") : "");
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
/* The length of the list separator at s, or 0. */
static size_t sep_len(const char *s)
{
	if (*s == ',')
		return 1;
	if (!strncmp(s, "\xef\xbc\x8c", 3) || !strncmp(s, "\xe3\x80\x81", 3))
		return 3;
	return 0;
}

size_t field_input_next_item(const char **p, const char **item)
{
	for (;;) {
		const char *start = *p, *end;

		if (!**p)
			return 0;
		while (**p && !sep_len(*p))
			(*p)++;
		end = *p;
		if (**p)
			*p += sep_len(*p);
		while (start < end && (*start == ' ' || *start == '\t'))
			start++;
		while (end > start && (end[-1] == ' ' || end[-1] == '\t'))
			end--;
		if (end > start) {
			*item = start;
			return (size_t)(end - start);
		}
	}
}

/* Splits a list value into trimmed, non-empty items (strndup'd into items,
 * up to max); with items NULL it only counts them. Returns the count, or
 * SIZE_MAX when out of memory. */
static size_t split_items(const char *text, char **items, size_t max)
{
	const char *p = text, *item;
	size_t n = 0, len;

	while ((len = field_input_next_item(&p, &item)) != 0) {
		if (items && n < max && !(items[n] = strndup(item, len)))
			return SIZE_MAX;
		n++;
	}
	return n;
}

/* Applies one --FIELD VALUE to body. An empty value clears the field; a
 * repeated field takes a comma-separated list and replaces the whole list.
 * Counts are bounded before anything is allocated. On failure body's field
 * is unchanged and why says what was wrong. */
/* Whether fd holds a branch id: a string field named *_branch. */
static int is_branch_field(const ProtobufCFieldDescriptor *fd)
{
	size_t n = strlen(fd->name);
	return fd->type == PROTOBUF_C_TYPE_STRING && n > 7 && !strcmp(fd->name + n - 7, "_branch");
}

int field_input_apply(ProtobufCMessage *body, const field_input *a, char *why, size_t cap)
{
	const ProtobufCFieldDescriptor *fd = a->fd;
	const char *text = a->text;
	int rc = 0;

	if (fd->label != PROTOBUF_C_LABEL_REPEATED) {
		unsigned char slot[sizeof(ProtobufCBinaryData) + sizeof(double)];
		char branch[128];

		if (text && !*text) {
			pbfield_clear(body, fd);
			return 0;
		}
		/* A branch field (from_branch, to_branch, recipient_branch) takes
		 * a branch's name as well as its id. */
		if (text && a->rep && is_branch_field(fd)) {
			rc = branch_resolve(a->rep, text, branch, sizeof(branch), why, cap);
			if (rc < 0)
				return rc;
			if (rc > 0)
				return HEARTH_EINVAL;
			text = branch;
		}
		if (!text && fd->type != PROTOBUF_C_TYPE_BOOL)
			return HEARTH_EINVAL;
		memset(slot, 0, sizeof(slot));
		rc = parse_elem(a, text, slot, why, cap);
		if (rc != 0)
			return rc;
		pbfield_clear(body, fd);
		memcpy(pbfield_ptr(body, fd), slot, pbfield_elem_size(fd));
		if (fd->label == PROTOBUF_C_LABEL_OPTIONAL && fd->quantifier_offset &&
		    fd->type != PROTOBUF_C_TYPE_STRING)
			*(protobuf_c_boolean *)((char *)body + fd->quantifier_offset) = 1;
		return 0;
	} else {
		size_t max = a->rule && a->rule->max ? a->rule->max
		                                             : RECORD_REPEATED_MAX_DEFAULT;
		size_t n = split_items(text ? text : "", NULL, 0), sz = pbfield_elem_size(fd);
		char **items = NULL;
		char *arr = NULL;

		if (n > max) {
			snprintf(why, cap, _("%s has %zu values; at most %zu are allowed"), field_word(a), n, max);
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
			rc = parse_elem(a, items[i], arr + i * sz, why, cap);
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
