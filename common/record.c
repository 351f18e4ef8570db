/* record.c: record bodies (pack, set, clear), the generic validation every kind gets from its field rules, masking, unique keys and member references. */
#include "common/record.h"

#include <stdlib.h>
#include <string.h>

#include "common/attachment.h"
#include "common/date.h"
#include "common/fieldmap.h"
#include "common/hearth.h"
#include "common/pbfield.h"
#include "common/record_limits.h"
#include "common/utf8.h"

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


#define MAX_DEPTH 8

static int check_fields(const ProtobufCMessageDescriptor *desc, const ProtobufCMessage *m,
                        const kind_info *k, int depth, record_error *err);

/* C1 controls (U+009B starts an escape sequence on many terminals) and bidi
 * controls (they make text read in another order than it is stored) are
 * refused in every field, and so are U+200B, U+2060 and U+FEFF, which only
 * make two different names look the same.  ZWNJ and ZWJ (UTF8_JOINER) are
 * allowed: emoji sequences and some scripts need them; the display
 * sanitiser (utf8_sanitize) shows them as escapes.  The message names the
 * field by its label and the character by its code point, never by itself. */
static int check_invisible(const ProtobufCFieldDescriptor *fd, const field_rule *rule,
                           const char *s, size_t len, record_error *err)
{
	const char *name = rule && rule->label ? rule->label : fd->name;
	uint32_t cp;

	if (utf8_find(s, len, UTF8_CLASS_BIT(UTF8_C1), &cp))
		return record_refuse(err, fd->name, "%s contains a control character U+%04X", name,
		                     (unsigned)cp);
	if (utf8_find(s, len, UTF8_CLASS_BIT(UTF8_BIDI), &cp))
		return record_refuse(err, fd->name, "%s contains a bidirectional control character U+%04X",
		                     name, (unsigned)cp);
	if (utf8_find(s, len, UTF8_CLASS_BIT(UTF8_ZERO_WIDTH), &cp))
		return record_refuse(err, fd->name, "%s contains an invisible character U+%04X", name,
		                     (unsigned)cp);
	return 0;
}

/* A string: well-formed UTF-8, no control characters outside multi-line
 * text, within its limit in characters, then the date and month formats. */
static int check_string(const ProtobufCFieldDescriptor *fd, const field_rule *rule,
                        const char *s, record_error *err)
{
	uint32_t flags = rule ? rule->flags : 0;
	size_t len = strlen(s), max;
	unsigned classes = 0;
	int rc, controls = 0;
	long chars = utf8_scan(s, len, &controls, &classes);

	if (chars < 0)
		return record_refuse(err, fd->name, "%s is not valid UTF-8", fd->name);
	if (controls)
		return record_refuse(err, fd->name, "%s contains a control character", fd->name);
	/* check_invisible names the character, in its order of classes. */
	if ((classes & (UTF8_CLASS_BIT(UTF8_C1) | UTF8_CLASS_BIT(UTF8_BIDI) | UTF8_CLASS_BIT(UTF8_ZERO_WIDTH))) &&
	    (rc = check_invisible(fd, rule, s, len, err)) != 0)
		return rc;
	if ((flags & FIELD_MULTILINE) == 0 && strpbrk(s, "\t\r\n") != NULL)
		return record_refuse(err, fd->name,
		                     "%s contains a line break or tab (only multi-line text may)", fd->name);
	/* Limits count characters, not bytes: a Chinese name must get as far
	 * as an English one (valid UTF-8 was checked above). */
	max = record_string_max(rule, 0);
	if ((size_t)chars > max)
		return record_refuse(err, fd->name, "%s is longer than %zu characters (%zu)", fd->name,
		                     max, (size_t)chars);
	if (len > 0 && (flags & FIELD_DATE)) {
		int32_t days;

		if (date_parse(s, &days) != 0)
			return record_refuse(err, fd->name, "%s %s is not a date that exists (YYYY-MM-DD)",
			                     fd->name, record_echo(s, flags & FIELD_SENSITIVE));
	}
	if (len > 0 && (flags & FIELD_MONTH)) {
		int32_t month;

		if (date_parse_month(s, &month) != 0)
			return record_refuse(err, fd->name, "%s %s is not a month (YYYY-MM)", fd->name,
			                     record_echo(s, flags & FIELD_SENSITIVE));
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
		size_t max = record_string_max(rule, 1);

		if ((flags & FIELD_ID) && b->len != 0 && b->len != 16)
			return record_refuse(err, fd->name, "%s must be a 16-byte record id (got %zu bytes)",
			                     fd->name, b->len);
		if (b->len > max)
			return record_refuse(err, fd->name, "%s is longer than %zu bytes (%zu)", fd->name, max,
			                     b->len);
		return 0;
	}
	case PROTOBUF_C_TYPE_ENUM: {
		int v = *(const int *)p;

		if (protobuf_c_enum_descriptor_get_value(fd->descriptor, v) == NULL)
			return record_refuse(err, fd->name, "%s: %d is not a known value", fd->name, v);
		return 0;
	}
	case PROTOBUF_C_TYPE_MESSAGE: {
		const ProtobufCMessage *sub = *(const ProtobufCMessage *const *)p;

		if (sub == NULL)
			return 0;
		if (depth >= MAX_DEPTH)
			return record_refuse(err, fd->name, "%s is nested too deeply", fd->name);
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
		return record_refuse(err, fd->name, "%s is negative (%lld fen); money must be 0 or more",
		                     fd->name, (long long)money);
	return 0;
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
			size_t sz = pbfield_elem_size(fd);

			if (rule && (rule->flags & FIELD_REQUIRED) && count == 0)
				return record_refuse(err, fd->name, "%s is required", fd->name);
			if (count > max)
				return record_refuse(err, fd->name, "%s has more than %zu values (%zu)", fd->name,
				                     max, count);
			for (size_t j = 0; j < count; j++) {
				if ((rc = check_value(fd, rule, elems + j * sz, depth, err)) != 0)
					return rc;
			}
			continue;
		}
		/* An unset field holds its default, which passes every check.  An
		 * unknown non-zero enum value is "set" and is refused below. */
		if (!pbfield_is_set(m, fd)) {
			if (rule && (rule->flags & FIELD_REQUIRED))
				return record_refuse(err, fd->name, "%s is required", fd->name);
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
		return record_refuse(err, "", "the body is not a %s (%s)", k ? k->label : "?",
		                     k ? k->name : "unknown kind");
	if ((rc = check_fields(k->desc, body, k, 0, err)) != 0)
		return rc;
	{
		size_t n;
		Hearth__Attachment **list = attachment_list(body, &n);
		if ((rc = attachment_check_list(list, n, err)) != 0)
			return rc;
	}
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
				return record_refuse(err, fd->name, "%s contains a NUL character", fd->name);
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
		return record_refuse(err, "", "unknown record kind");
	if (body == NULL && len != 0)
		return record_refuse(err, "", "the %s body is missing", k->name);
	if (len > record_body_limit(k))
		return record_refuse(err, "", "the %s body is %zu bytes; a %s body is at most %zu bytes",
		                     k->name, len, k->label, record_body_limit(k));
	rc = fieldmap_parse(body, len, &fm);
	if (rc == HEARTH_ENOMEM)
		goto fail;
	if (rc == HEARTH_ETOOBIG) {
		rc = record_refuse(err, "", "the %s body has more than %d fields", k->name,
		                   FIELDMAP_MAX_FIELDS);
		goto fail;
	}
	if (rc != 0) {
		rc = record_refuse(err, "", "the %s body is not well-formed protobuf", k->name);
		goto fail;
	}
	rc = unpack_body(k, body, len, &m);
	if (rc == HEARTH_EINVAL)
		rc = record_refuse(err, "", "the body does not decode as a %s (%s)", k->label, k->name);
	if (rc != 0)
		goto fail;
	if (record_unknown_bytes(m) > RECORD_UNKNOWN_MAX) {
		rc = record_refuse(err, "",
		                   "the %s body carries %zu bytes of unknown fields (from a newer version); "
		                   "at most %d are kept",
		                   k->name, record_unknown_bytes(m), RECORD_UNKNOWN_MAX);
		goto fail;
	}
	if ((rc = raw_strings_clean(k, &fm, err)) != 0)
		goto fail;
	rc = record_validate_message(k, m, err);
fail:
	free_body(m);
	fieldmap_free(&fm);
	return rc;
}

/* -------------------------------------------------------------- masking
 *
 * The rule every mask must keep: a masked value, combined with every
 * unmasked field of the same record, leaves at least RECORD_MASK_CANDIDATES
 * (10,000) values it could have been.  Counting is per hidden character: a
 * hidden digit is 10 candidates, unless another visible field determines it.
 *
 * - Id card (GB 11643: area 6, birth date 8, sequence 3, check 1): a member
 *   shows birth_date (8 digits) and gender (the parity of the 17th digit),
 *   and its address names the province (digits 1-2).  Showing the area code
 *   and the sequence (the old 110101********1234) therefore gave the whole
 *   number back.  Only the first and the check character are kept now
 *   (1****************4): counties 10^4 x sequence 10^2 x parity 5, / 11
 *   for the visible check character, about 450,000 candidates.  The county
 *   digits count as free because an id card carries the county of first
 *   registration, not of today's address.
 * - Phone: 3 + 4 characters are kept (139****1111) only while at least 4
 *   digits stay hidden (10^4); shorter numbers keep fewer, e.g. a 7-digit
 *   landline shows ****567.  Separators ('+', '-', ' ') count as known.
 * - Free text (household, health, talk content): first and last character
 *   of text longer than 4 characters, all '*' otherwise.
 * - Sensitive amounts never come here: they are shown as "***".
 * tests/unit/common/test_record.c (test_mask_candidates) checks every
 * sensitive field of every kind against this rule. */

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static size_t count_digits(const char *s, size_t n)
{
	size_t d = 0;

	for (size_t i = 0; i < n; i++)
		d += is_digit(s[i]) ? 1 : 0;
	return d;
}

/* A phone-like value (ASCII only, so characters are bytes): keeps 3 + 4
 * characters while that still hides RECORD_MASK_MIN_HIDDEN_DIGITS digits,
 * dropping the head first, then the tail, until it does. */
static void phone_keep(const char *s, size_t len, long *head, long *tail)
{
	size_t digits = count_digits(s, len);

	*head = 3;
	*tail = 4;
	while (*head + *tail > 0) {
		size_t kept;

		if ((size_t)(*head + *tail) <= len) {
			kept = count_digits(s, (size_t)*head) +
			       count_digits(s + len - (size_t)*tail, (size_t)*tail);
			if (digits - kept >= RECORD_MASK_MIN_HIDDEN_DIGITS)
				return;
		}
		if (*head > 0)
			(*head)--;
		else
			(*tail)--;
	}
}

/* Counts characters (not bytes), so a name like 欧阳娜娜娜 masks to 欧***娜.
 * The shape decides the rule: an 18-character id card keeps its first and
 * last character, a phone-like value of 7 or more characters see
 * phone_keep, anything else longer than 4 keeps its first and last
 * character, and short values are all '*'.  Text that is not valid UTF-8 is
 * all '*', one per byte. */
/* record_mask, or with stand_in each hidden character replaced by one of
 * its class instead of '*' (record_mask_stand_in). */
static void mask_into(const char *value, char *out, size_t cap, int stand_in)
{
	const char *s = value ? value : "";
	size_t len = strlen(s), o = 0, pos = 0;
	long n = utf8_chars(s, len);
	int valid = n >= 0;
	long keep_head = 0, keep_tail = 0;
	int digits17 = 1, phone = 1;

	if (cap == 0)
		return;
	if (n < 0)
		n = (long)len;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];

		if (i < 17 && !is_digit(c))
			digits17 = 0;
		if (!(is_digit(c) || c == '+' || c == '-' || c == ' '))
			phone = 0;
	}
	if (utf8_chars(s, len) >= 0) {
		if (len == 18 && digits17 && (is_digit(s[17]) || s[17] == 'X' || s[17] == 'x')) {
			keep_head = 1;
			keep_tail = 1;
		} else if (phone && n >= 7) {
			phone_keep(s, len, &keep_head, &keep_tail);
		} else if (n > 4) {
			keep_head = 1;
			keep_tail = 1;
		}
	}
	for (long i = 0; i < n; i++) {
		size_t clen = 1;

		if ((keep_head + keep_tail > 0 || stand_in) && pos < len) {
			unsigned char c = (unsigned char)s[pos];

			clen = c < 0x80 ? 1 : c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
			if (!valid)
				clen = 1;   /* not UTF-8: n counts bytes */
		}
		if (i < keep_head || i >= n - keep_tail) {
			if (o + clen >= cap)
				break;
			memcpy(out + o, s + pos, clen);
			o += clen;
		} else {
			char c = pos < len ? s[pos] : '*';
			if (o + 1 >= cap)
				break;
			/* A stand-in keeps the shape record_mask reads (which
			 * characters are digits, which are + - or space, how many
			 * characters) and nothing of the value. */
			out[o++] = !stand_in ? '*' : is_digit(c) ? '0' : (c == '+' || c == '-' || c == ' ') ? c : '*';
		}
		pos += clen;
	}
	out[o] = '\0';
}

void record_mask(const char *value, char *out, size_t cap)
{
	mask_into(value, out, cap, 0);
}

void record_mask_stand_in(const char *value, char *out, size_t cap)
{
	mask_into(value, out, cap, 1);
}

size_t record_unique_key(const kind_info *k, const ProtobufCMessage *m, uint8_t key[RECORD_UNIQUE_KEY_MAX])
{
	if (m == NULL)
		return 0;
	if (k->kind == HEARTH__KIND__KIND_DUES) {
		const Hearth__Dues *d = (const Hearth__Dues *)m;

		if (d->member.len != 16 || d->month == NULL || strlen(d->month) != 7)
			return 0;
		key[0] = 'u';
		key[1] = 'd';
		memcpy(key + 2, d->member.data, 16);
		memcpy(key + 18, d->month, 7);
		return 25;
	}
	if (k->kind == HEARTH__KIND__KIND_HARDSHIP) {
		const Hearth__Hardship *h = (const Hearth__Hardship *)m;

		if (h->member.len != 16 ||
		    (h->status != HEARTH__HARDSHIP_STATUS__HARDSHIP_STATUS_REGISTERED &&
		     h->status != HEARTH__HARDSHIP_STATUS__HARDSHIP_STATUS_ASSISTING))
			return 0;
		key[0] = 'u';
		key[1] = 'h';
		memcpy(key + 2, h->member.data, 16);
		return 18;
	}
	return 0;
}

const Hearth__TransferSummary *record_transfer_summary(const kind_info *k, const ProtobufCMessage *body)
{
	if (k == NULL || body == NULL || k->kind != HEARTH__KIND__KIND_TRANSFER ||
	    body->descriptor != &hearth__transfer__descriptor)
		return NULL;
	return ((const Hearth__Transfer *)body)->summary;
}

int record_refs_each(const kind_info *k, const ProtobufCMessage *m, record_ref_fn fn, void *ctx)
{
	if (m == NULL || record_transfer_summary(k, m) != NULL)
		return 0;
	for (size_t i = 0; i < k->n_rules; i++) {
		const ProtobufCFieldDescriptor *fd;
		const ProtobufCBinaryData *b;
		size_t n;

		if (!(k->rules[i].flags & FIELD_ID))
			continue;
		fd = protobuf_c_message_descriptor_get_field(k->desc, k->rules[i].number);
		if (fd == NULL || fd->type != PROTOBUF_C_TYPE_BYTES)
			continue;
		if (fd->label == PROTOBUF_C_LABEL_REPEATED) {
			n = *(const size_t *)((const char *)m + fd->quantifier_offset);
			b = *(ProtobufCBinaryData *const *)((const char *)m + fd->offset);
		} else {
			n = 1;
			b = (const ProtobufCBinaryData *)((const char *)m + fd->offset);
		}
		for (size_t j = 0; j < n; j++) {
			int rc;
			if (b[j].len != 16)
				continue;
			if ((rc = fn(ctx, fd->name, b[j].data)) != 0)
				return rc;
		}
	}
	return 0;
}

int record_id_set(ProtobufCBinaryData *b, const uint8_t id[16])
{
	uint8_t *copy = malloc(16);

	if (!copy)
		return HEARTH_ENOMEM;
	memcpy(copy, id, 16);
	b->data = copy;
	b->len = 16;
	return 0;
}
