/* values.c: one field value of a record for people and back: a field's
 * encoded bytes as text, yes/no words and yuan amounts. */
#include "client/core/values.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "client/core/member_lookup.h"
#include "common/attachment.h"
#include "common/dues_rate.h"
#include "common/hearth.h"
#include "common/i18n.h"
#include "common/pbfield.h"
#include "common/uuid.h"

/* ----------------------------------------------------------------- yes/no */

/* The same words are accepted wherever a yes/no field is typed (record
 * flags, CSV cells, resolve --set), so a value that imports also edits. */
int value_parse_bool(const char *s, int *v)
{
	static const char *const yes[] = { "true", "yes", "1", "y", "\xe6\x98\xaf" };  /* 是 */
	static const char *const no[] = { "false", "no", "0", "n", "\xe5\x90\xa6" };   /* 否 */

	for (size_t i = 0; i < HEARTH_ARRAY_LEN(yes); i++) {
		if (!strcasecmp(s, yes[i])) {
			*v = 1;
			return 0;
		}
		if (!strcasecmp(s, no[i])) {
			*v = 0;
			return 0;
		}
	}
	return HEARTH_EINVAL;
}

/* ------------------------------------------------------------ field text */

static const char *bool_word(int b)
{
	return b ? "yes" : "no";
}

/* A sensitive text masked as `show` masks it (record_mask). */
static void put_masked(FILE *f, const char *s)
{
	size_t cap = strlen(s) + 16;
	char *masked = malloc(cap);

	if (!masked) {
		fputs("***", f);   /* never the clear value, even short of memory */
		return;
	}
	record_mask(s, masked, cap);
	fputs(masked, f);
	free(masked);
}

/* One element of a field, for people. */
/* A progress note or a member's contact: "2026-03-01 电话: note (by)". */
static void put_note(FILE *f, const Hearth__ProgressNote *n)
{
	fputs(n->date ? n->date : "", f);
	if (n->channel && n->channel[0])
		fprintf(f, " %s", n->channel);
	fprintf(f, ": %s", n->note ? n->note : "");
	if (n->by && n->by[0])
		fprintf(f, " (%s)", n->by);
}

/* A talk owed: "2026-03-01 困难: note (by)". */
static void put_need(FILE *f, const Hearth__TalkNeed *n)
{
	fprintf(f, "%s %s", n->date ? n->date : "",
	        enum_label(&hearth__talk_trigger__descriptor, n->reason));
	if (n->note && n->note[0])
		fprintf(f, ": %s", n->note);
	if (n->by && n->by[0])
		fprintf(f, " (%s)", n->by);
}

/* One element as people read it, or 0 when the typed form is the same. */
static int put_people(FILE *f, const field_rule *rule, const ProtobufCFieldDescriptor *fd, const void *p,
                      const value_text_opts *o)
{
	char buf[1024];

	switch (fd->type) {
	case PROTOBUF_C_TYPE_BOOL:
		fputs(*(const protobuf_c_boolean *)p ? "\xe6\x98\xaf" : "\xe5\x90\xa6", f);   /* 是 否 */
		return 1;
	case PROTOBUF_C_TYPE_INT64:
	case PROTOBUF_C_TYPE_SINT64:
	case PROTOBUF_C_TYPE_SFIXED64:
		if (rule && (rule->flags & FIELD_MONEY)) {
			money_yuan_format(*(const int64_t *)p, buf);
			fprintf(f, "%s\xe5\x85\x83", buf);   /* 元 */
			return 1;
		}
		return 0;
	case PROTOBUF_C_TYPE_BYTES: {
		const ProtobufCBinaryData *b = p;
		if (b->len == UUID_LEN && o->names && member_namer_text(o->names, b->data, buf, sizeof(buf))) {
			fputs(buf, f);
			return 1;
		}
		return 0;
	}
	case PROTOBUF_C_TYPE_MESSAGE:
		if (fd->descriptor == &hearth__progress_note__descriptor) {
			put_note(f, *(Hearth__ProgressNote *const *)p);
			return 1;
		}
		if (fd->descriptor == &hearth__talk_need__descriptor) {
			put_need(f, *(Hearth__TalkNeed *const *)p);
			return 1;
		}
		return 0;
	default: return 0;
	}
}

static void put_elem(FILE *f, const kind_info *k, const ProtobufCFieldDescriptor *fd, const void *p,
                     const value_text_opts *o)
{
	const field_rule *rule = kind_rule(k, fd->id);
	value_view view = o->view;

	if (view == VALUE_MASKED && rule && (rule->flags & FIELD_SENSITIVE)) {
		if (fd->type == PROTOBUF_C_TYPE_STRING)
			put_masked(f, *(char *const *)p ? *(char *const *)p : "");
		else
			fputs("***", f);   /* an amount has no shape worth keeping */
		return;
	}
	if (o->style == VALUE_STYLE_PEOPLE && put_people(f, rule, fd, p, o))
		return;
	switch (fd->type) {
	case PROTOBUF_C_TYPE_STRING: fputs(*(char *const *)p ? *(char *const *)p : "", f); break;
	case PROTOBUF_C_TYPE_ENUM:
		fputs(enum_label((const ProtobufCEnumDescriptor *)fd->descriptor, *(const int *)p), f);
		break;
	case PROTOBUF_C_TYPE_BOOL: fputs(bool_word(*(const protobuf_c_boolean *)p), f); break;
	case PROTOBUF_C_TYPE_INT32:
	case PROTOBUF_C_TYPE_SINT32:
	case PROTOBUF_C_TYPE_SFIXED32:
		if (rule && (rule->flags & FIELD_PERCENT)) {
			char pct[DUES_RATE_TEXT_MAX];
			dues_rate_format(*(const int32_t *)p, pct);
			fputs(pct, f);
		} else {
			fprintf(f, "%d", *(const int32_t *)p);
		}
		break;
	case PROTOBUF_C_TYPE_UINT32:
	case PROTOBUF_C_TYPE_FIXED32: fprintf(f, "%u", *(const uint32_t *)p); break;
	case PROTOBUF_C_TYPE_INT64:
	case PROTOBUF_C_TYPE_SINT64:
	case PROTOBUF_C_TYPE_SFIXED64: fprintf(f, "%lld", (long long)*(const int64_t *)p); break;
	case PROTOBUF_C_TYPE_UINT64:
	case PROTOBUF_C_TYPE_FIXED64:
		fprintf(f, "%llu", (unsigned long long)*(const uint64_t *)p);
		break;
	case PROTOBUF_C_TYPE_FLOAT: fprintf(f, "%g", (double)*(const float *)p); break;
	case PROTOBUF_C_TYPE_DOUBLE: fprintf(f, "%g", *(const double *)p); break;
	case PROTOBUF_C_TYPE_BYTES: {
		const ProtobufCBinaryData *b = p;
		if (rule && (rule->flags & FIELD_ID) && b->len == UUID_LEN) {
			char idt[UUID_TEXT_LEN + 1];
			uuid_format(b->data, idt);
			fputs(idt, f);
		} else {
			for (size_t i = 0; i < b->len; i++)
				fprintf(f, "%02x", b->data[i]);
		}
		break;
	}
	case PROTOBUF_C_TYPE_MESSAGE:
		/* An attachment by its name and the start of its hash: enough
		 * to tell two versions of a file apart in a history line. */
		if (fd->descriptor == &hearth__attachment__descriptor) {
			const Hearth__Attachment *a = *(Hearth__Attachment *const *)p;
			char hex[ATTACHMENT_HEX_LEN + 1] = "";
			if (a->sha256.len == 32)
				attachment_hex(a->sha256.data, hex);
			hex[12] = 0;
			fprintf(f, "%s (%s)", a->name, hex);
			break;
		}
		fputs("(message)", f);
		break;
	default: fputs("(message)", f); break;
	}
}

/* A conflict value (the field's encoded bytes, tag included) for people:
 * unpacked as a body of the kind holding only that field, then printed by
 * the field's type. Returns a malloc'd string. */
static char *decode_value(const kind_info *k, uint32_t field, const uint8_t *bytes, size_t len,
                          const value_text_opts *o)
{
	int people = o->style == VALUE_STYLE_PEOPLE;
	const char *empty = people ? _("(empty)") : "(empty)";
	const ProtobufCFieldDescriptor *fd;
	ProtobufCMessage *m = NULL;
	char *out = NULL;
	size_t out_len = 0;
	FILE *f;

	fd = k ? protobuf_c_message_descriptor_get_field(k->desc, field) : NULL;
	/* An unset flag is a "no" (proto3 does not encode false). */
	if (len == 0 && people && fd && fd->type == PROTOBUF_C_TYPE_BOOL &&
	    fd->label != PROTOBUF_C_LABEL_REPEATED)
		return strdup("\xe5\x90\xa6");   /* 否 */
	if (len == 0)
		return strdup(empty);
	if (fd)
		m = protobuf_c_message_unpack(k->desc, NULL, len, bytes);
	if (!fd || !m) {
		if (m)
			protobuf_c_message_free_unpacked(m, NULL);
		return strdup(fd ? "(cannot decode)" : "(unknown field)");
	}
	f = open_memstream(&out, &out_len);
	if (!f) {
		protobuf_c_message_free_unpacked(m, NULL);
		return NULL;
	}
	if (fd->label == PROTOBUF_C_LABEL_REPEATED) {
		size_t n = *(const size_t *)((const char *)m + fd->quantifier_offset);
		const char *arr = *(char *const *)((const char *)m + fd->offset);
		/* People read lists as Chinese lists (、), notes one after another. */
		const char *sep = !people ? "," : fd->type == PROTOBUF_C_TYPE_MESSAGE ? "; " : "\xe3\x80\x81";
		for (size_t i = 0; i < n; i++) {
			if (i)
				fputs(sep, f);
			put_elem(f, k, fd, arr + i * pbfield_elem_size(fd), o);
		}
		if (n == 0)
			fputs(empty, f);
	} else {
		put_elem(f, k, fd, (const char *)m + fd->offset, o);
	}
	fclose(f);
	protobuf_c_message_free_unpacked(m, NULL);
	return out;
}

char *value_field_text(const kind_info *k, uint32_t field, const uint8_t *bytes, size_t len)
{
	return decode_value(k, field, bytes, len, &(value_text_opts){ .view = VALUE_REVEALED });
}

char *value_field_view(const kind_info *k, uint32_t field, const uint8_t *bytes, size_t len,
                       value_view view)
{
	return decode_value(k, field, bytes, len, &(value_text_opts){ .view = view });
}

char *value_field_format(const kind_info *k, uint32_t field, const uint8_t *bytes, size_t len,
                         const value_text_opts *o)
{
	return decode_value(k, field, bytes, len, o);
}

/* ----------------------------------------------------------------- money */

/* Marks people put around an amount: the yuan signs (fullwidth ￥ and
 * ¥) before it, 元 after it. Returns the length of the mark at s, or 0. */
static size_t yuan_sign_len(const char *s)
{
	if (!strncmp(s, "\xef\xbf\xa5", 3))   /* ￥ */
		return 3;
	if (!strncmp(s, "\xc2\xa5", 2))   /* ¥ */
		return 2;
	return 0;
}

#define YUAN_SUFFIX "\xe5\x85\x83"   /* 元 */

/* Copies the digits of s into out without its thousands separators,
 * which must group the integer part by three ("1,000", "12,345.50").
 * Returns 0, or HEARTH_EINVAL with *why set. */
static int strip_separators(const char *s, size_t len, char *out, size_t cap, const char **why)
{
	size_t int_len = 0, o = 0, group = 0;
	int seen_sep = 0;

	while (int_len < len && s[int_len] != '.')
		int_len++;
	for (size_t i = 0; i < len; i++) {
		if (o + 1 >= cap) {
			*why = _("is too large (at most 999999999999.99 yuan)");
			return HEARTH_EINVAL;
		}
		if (s[i] != ',') {
			out[o++] = s[i];
			if (i < int_len)
				group++;
			continue;
		}
		/* A separator sits in the integer part, after one to three digits
		 * at first and exactly three later, and before three more. */
		if (i >= int_len || group == 0 || group > 3 || (seen_sep && group != 3)) {
			*why = _("has a thousands separator in the wrong place (write 1,000 or 1000)");
			return HEARTH_EINVAL;
		}
		seen_sep = 1;
		group = 0;
	}
	if (seen_sep && group != 3) {
		*why = _("has a thousands separator in the wrong place (write 1,000 or 1000)");
		return HEARTH_EINVAL;
	}
	out[o] = '\0';
	return 0;
}

/* Money is typed by people, so the forms people write are taken
 * ("1,000", "1000元", "￥300", "3,500.00") and anything else is refused
 * rather than guessed at: "12.345" would silently lose a fraction of a fen,
 * "-5" is never a valid amount, "1,00" has its separator in the wrong place. */
int value_yuan_parse(const char *s, int64_t *fen, const char **why)
{
	int64_t yuan = 0, cents = 0;
	size_t int_digits = 0, dec_digits = 0, len;
	const char *p;
	const char *dummy;
	char digits[64];

	if (!why)
		why = &dummy;
	s += yuan_sign_len(s);
	len = strlen(s);
	if (len >= strlen(YUAN_SUFFIX) && !strcmp(s + len - strlen(YUAN_SUFFIX), YUAN_SUFFIX))
		len -= strlen(YUAN_SUFFIX);
	if (len > 0 && *s == '-') {
		*why = _("is negative; amounts are 0 or more");
		return HEARTH_EINVAL;
	}
	if (strip_separators(s, len, digits, sizeof(digits), why) != 0)
		return HEARTH_EINVAL;
	p = digits;
	for (; *p >= '0' && *p <= '9'; p++) {
		if (++int_digits > 12) {
			*why = _("is too large (at most 999999999999.99 yuan)");
			return HEARTH_EINVAL;
		}
		yuan = yuan * 10 + (*p - '0');
	}
	if (int_digits == 0) {
		*why = _("is not an amount in yuan (e.g. 12 or 12.50)");
		return HEARTH_EINVAL;
	}
	if (*p == '.') {
		p++;
		for (; *p >= '0' && *p <= '9'; p++) {
			dec_digits++;
			if (dec_digits <= 2)
				cents = cents * 10 + (*p - '0');
		}
		if (dec_digits == 0 && *p == '\0') {
			*why = _("is not an amount in yuan (e.g. 12 or 12.50)");
			return HEARTH_EINVAL;
		}
	}
	if (*p != '\0') {
		*why = _("is not an amount in yuan (e.g. 12 or 12.50)");
		return HEARTH_EINVAL;
	}
	if (dec_digits > 2) {
		*why = _("has more than two decimals (1 fen = 0.01 yuan)");
		return HEARTH_EINVAL;
	}
	if (dec_digits == 1)
		cents *= 10;
	*fen = yuan * 100 + cents;
	return 0;
}

/* ------------------------------------------------------------- percent */

/* A rate as people write it ("1.5%", "1.5", "0.25％"); kept in basis
 * points, so two decimals at most. */
int value_percent_parse(const char *s, int32_t *bp, const char **why)
{
	int64_t whole = 0, frac = 0;
	size_t int_digits = 0, dec_digits = 0, len = strlen(s);
	const char *dummy;
	char buf[32];
	const char *p = buf;

	if (!why)
		why = &dummy;
	if (len > 0 && s[len - 1] == '%')
		len--;
	else if (len >= 3 && !strcmp(s + len - 3, "\xef\xbc\x85"))   /* ％ */
		len -= 3;
	if (len == 0 || len >= sizeof(buf)) {
		/* xgettext:no-c-format */
		*why = _("is not a percentage (e.g. 1.5% or 1.5)");
		return HEARTH_EINVAL;
	}
	memcpy(buf, s, len);
	buf[len] = '\0';
	if (*p == '-') {
		*why = _("is negative; a rate is 0% to 100%");
		return HEARTH_EINVAL;
	}
	for (; *p >= '0' && *p <= '9'; p++, int_digits++) {
		whole = whole * 10 + (*p - '0');
		if (whole > 100) {
			*why = _("is more than 100%; the rate is a percentage (1.5% is written 1.5 or 1.5%)");
			return HEARTH_EINVAL;
		}
	}
	if (*p == '.') {
		for (p++; *p >= '0' && *p <= '9'; p++) {
			if (++dec_digits <= 2)
				frac = frac * 10 + (*p - '0');
		}
	}
	if (int_digits == 0 || *p != '\0') {
		/* xgettext:no-c-format */
		*why = _("is not a percentage (e.g. 1.5% or 1.5)");
		return HEARTH_EINVAL;
	}
	if (dec_digits > 2) {
		/* xgettext:no-c-format */
		*why = _("has more than two decimals (0.01% is the smallest step)");
		return HEARTH_EINVAL;
	}
	if (dec_digits == 1)
		frac *= 10;
	if (whole * 100 + frac > 10000) {
		*why = _("is more than 100%; the rate is a percentage (1.5% is written 1.5 or 1.5%)");
		return HEARTH_EINVAL;
	}
	*bp = (int32_t)(whole * 100 + frac);
	return 0;
}

