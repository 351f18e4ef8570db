/* record_limits.c: the size limits of record bodies, derived from the kind table. */
#include "common/record_limits.h"

/* The most bytes UTF-8 spends on one character. */
#define UTF8_CHAR_MAX 4

/* Nesting deeper than this is refused by the validation walk in record.c
 * (its MAX_DEPTH), so no bound needs to look further. */
#define LIMITS_DEPTH 8
/* A key is at most 5 bytes (field numbers < 2^29); so is a length. */
#define KEY_MAX 5
#define LEN_MAX 5
#define VARINT_MAX 10

size_t record_string_max(const field_rule *rule, int is_bytes)
{
	if (rule != NULL && rule->max != 0)
		return rule->max;
	if (is_bytes || (rule != NULL && (rule->flags & FIELD_MULTILINE)))
		return RECORD_TEXT_MAX;
	return RECORD_STRING_MAX_DEFAULT;
}

static size_t message_bound(const ProtobufCMessageDescriptor *desc, const kind_info *k,
                            int depth);

/* Worst-case bytes of one element of fd, key included. */
static size_t element_bound(const ProtobufCFieldDescriptor *fd, const field_rule *rule,
                            int depth)
{
	switch (fd->type) {
	case PROTOBUF_C_TYPE_STRING:
		/* A string's limit is in characters; UTF-8 takes up to 4
		 * bytes for one. */
		return KEY_MAX + LEN_MAX + UTF8_CHAR_MAX * record_string_max(rule, 0);
	case PROTOBUF_C_TYPE_BYTES:
		if (rule != NULL && (rule->flags & FIELD_ID))
			return KEY_MAX + 1 + 16;
		return KEY_MAX + LEN_MAX + record_string_max(rule, 1);
	case PROTOBUF_C_TYPE_MESSAGE:
		if (depth >= LIMITS_DEPTH)
			return 0;
		return KEY_MAX + LEN_MAX + message_bound(fd->descriptor, NULL, depth + 1);
	case PROTOBUF_C_TYPE_FIXED32:
	case PROTOBUF_C_TYPE_SFIXED32:
	case PROTOBUF_C_TYPE_FLOAT:
		return KEY_MAX + 4;
	case PROTOBUF_C_TYPE_FIXED64:
	case PROTOBUF_C_TYPE_SFIXED64:
	case PROTOBUF_C_TYPE_DOUBLE:
		return KEY_MAX + 8;
	default:
		return KEY_MAX + VARINT_MAX;   /* varints, enums, bools */
	}
}

/* The same limits the validation walk applies: repeated fields up to
 * their count, nested messages with the defaults (rules name only a body's
 * own fields).  A packed repeated scalar costs less than count keyed
 * elements, so counting keys bounds both encodings. */
static size_t message_bound(const ProtobufCMessageDescriptor *desc, const kind_info *k,
                            int depth)
{
	size_t total = 0;

	for (unsigned i = 0; i < desc->n_fields; i++) {
		const ProtobufCFieldDescriptor *fd = &desc->fields[i];
		const field_rule *rule = kind_rule(k, fd->id);
		size_t one = element_bound(fd, rule, depth);

		if (fd->label == PROTOBUF_C_LABEL_REPEATED)
			one *= rule && rule->max ? rule->max : RECORD_REPEATED_MAX_DEFAULT;
		total += one;
	}
	return total;
}

size_t record_body_limit(const kind_info *k)
{
	if (k == NULL)
		return 0;
	return message_bound(k->desc, k, 0) + RECORD_UNKNOWN_MAX;
}

static size_t varint_len(uint64_t v)
{
	size_t n = 1;

	while (v >= 0x80) {
		v >>= 7;
		n++;
	}
	return n;
}

static size_t unknown_bytes(const ProtobufCMessage *m, int depth)
{
	const ProtobufCMessageDescriptor *desc = m->descriptor;
	const char *base = (const char *)m;
	size_t total = 0;

	for (unsigned i = 0; i < m->n_unknown_fields; i++) {
		const ProtobufCMessageUnknownField *u = &m->unknown_fields[i];

		total += varint_len((uint64_t)u->tag << 3) + u->len;
	}
	if (depth >= LIMITS_DEPTH)
		return total;
	for (unsigned i = 0; i < desc->n_fields; i++) {
		const ProtobufCFieldDescriptor *fd = &desc->fields[i];
		const void *p = base + fd->offset;

		if (fd->type != PROTOBUF_C_TYPE_MESSAGE)
			continue;
		if (fd->label == PROTOBUF_C_LABEL_REPEATED) {
			size_t n = *(const size_t *)(base + fd->quantifier_offset);
			const ProtobufCMessage *const *subs = *(const ProtobufCMessage *const *const *)p;

			for (size_t j = 0; j < n; j++) {
				if (subs[j] != NULL)
					total += unknown_bytes(subs[j], depth + 1);
			}
		} else {
			const ProtobufCMessage *sub = *(const ProtobufCMessage *const *)p;

			/* A oneof member not selected shares its slot with the
			 * selected one; only the selected case is read. */
			if ((fd->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) &&
			    *(const uint32_t *)(base + fd->quantifier_offset) != fd->id)
				continue;
			if (sub != NULL)
				total += unknown_bytes(sub, depth + 1);
		}
	}
	return total;
}

size_t record_unknown_bytes(const ProtobufCMessage *m)
{
	return m != NULL ? unknown_bytes(m, 0) : 0;
}
